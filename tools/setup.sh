#!/bin/bash
# setup.sh installs the host tools Starry-Go needs on Debian (12 or later).
# It is idempotent: it installs only what is missing, and as non-root it
# prints the command to run instead.
set -euo pipefail

# Each line: Debian package, then the file that shows it is installed.
# gcc and libc6-dev build the test programs (musl-gcc wraps gcc, and one
# program is static glibc); musl-tools does not pull gcc in. make,
# autoconf, automake, m4, pkgconf and xz-utils build LTP ("starry ltp");
# libcap-dev lets LTP build its capability tests (prctl07).
required="
qemu-system-x86  /usr/bin/qemu-system-x86_64
qemu-system-data /usr/share/qemu/qboot.rom
grub-common      /usr/bin/grub-mkrescue
grub-pc-bin      /usr/lib/grub/i386-pc/multiboot.mod
xorriso          /usr/bin/xorriso
mtools           /usr/bin/mformat
gcc              /usr/bin/gcc
libc6-dev        /usr/lib/x86_64-linux-gnu/libc.a
musl-tools       /usr/bin/musl-gcc
busybox-static   /bin/busybox
make             /usr/bin/make
autoconf         /usr/bin/autoconf
automake         /usr/bin/automake
m4               /usr/bin/m4
pkgconf          /usr/bin/pkg-config
xz-utils         /usr/bin/xz
libcap-dev       /usr/lib/x86_64-linux-gnu/libcap.a
"

# installed reports whether pkg is installed and provides file. dpkg is
# asked too because the dynamic busybox package also owns /bin/busybox.
installed() {
	local pkg=$1 file=$2
	[ -e "$file" ] || return 1
	if command -v dpkg-query >/dev/null; then
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'
	fi
}

missing=()
while read -r pkg file; do
	[ -n "$pkg" ] || continue
	installed "$pkg" "$file" || missing+=("$pkg")
done <<<"$required"

if ! command -v go >/dev/null; then
	echo "setup: go is not in PATH; install Go 1.26 or later" >&2
	exit 1
fi

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: missing Debian packages: ${missing[*]}" >&2
	echo "setup: run as root: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
