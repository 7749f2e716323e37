# files.sh is file work as a shell user does it: trees made, copied,
# moved and removed, links, modes and times, find, tar and gzip round
# trips, stat and du. busybox sh runs it natively (on a tmpfs /tmp) and
# in the guest; the outputs must match line for line. Listings are
# sorted: the order of readdir is the file system's own.
cd /tmp && mkdir fw && cd fw && echo "in $(pwd)"
mkdir -p a/b/c
echo one >a/one; echo two >a/b/two; printf 'three\n' >a/b/c/three
ln -s ../one a/b/link1; ln a/one a/hard
echo "hard link count $(stat -c %h a/one)"
cp -a a copy; find copy | sort
echo "copied link -> $(readlink copy/b/link1), reads $(cat copy/b/link1)"
mv copy moved; ls -d copy 2>/dev/null || echo "copy is gone"; ls moved | sort
mv moved/b/c/three moved/three; find moved -type f | sort
rm -r moved; ls | sort
chmod 640 a/one; chmod u+x,o-r a/b/two; stat -c '%a %s %h %F %n' a/one a/hard a/b/two a/b/link1 a/b
touch -d '2020-01-02 03:04:05' a/one; echo "mtime $(stat -c %Y a/one)"
touch -r a/one a/b/two; echo "copied mtime $(stat -c %Y a/b/two)"
tar cf x.tar a; mkdir t; tar xf x.tar -C t; find t | sort
cmp a/b/c/three t/a/b/c/three && echo "tar round trip same"
echo "extracted mtime $(stat -c %Y t/a/one), link $(readlink t/a/b/link1)"
gzip -c x.tar >x.tar.gz && gunzip -c x.tar.gz | cmp - x.tar && echo "gzip round trip same"
tar czf y.tgz -C a b && tar tzf y.tgz | sort
seq 1 20000 >big; echo "big: $(wc -c <big) bytes, du $(du -k big | cut -f1) KiB"
find . -name 'thr*' | sort; find . -type l | sort; find . -newer a/one -name '*.tar' | sort
ln -s a self && cd self/b && echo "through a link: $(cat two)" && cd ../..
rm -rf /tmp/fw; ls -d /tmp/fw 2>/dev/null || echo "all removed"
