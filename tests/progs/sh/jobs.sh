# jobs.sh exercises what a shell asks of processes, files and pipes:
# pipelines, command substitution, subshells, background jobs and wait,
# redirections, here-documents, traps and signals. busybox sh runs it
# natively and in the guest; the outputs must match line for line.
echo start
echo piped | cat | cat
x=$(echo sub; echo stitution)
echo "x=[$x]"
echo "nested $(echo $(echo deep))"
(echo in a subshell; exit 3); echo "subshell status $?"
false; echo "false status $?"
true && echo and || echo or
! true; echo "negated $?"
sleep 0.1 & p=$!; wait $p; echo "waited status $?"
(exit 7) & wait $!; echo "background status $?"
sh -c 'exit 5'; echo "sh -c status $?"
sh -c 'kill -9 $$'; echo "killed status $?"
sh -c 'kill -TERM $$'; echo "terminated status $?"
echo hidden >/dev/null; echo "after /dev/null"
cat </dev/null; echo "empty stdin status $?"
cat <<END
here-document with $x
END
echo one two three | while read a b; do echo "a=$a b=$b"; done
for i in 1 2 3; do echo $i; done | wc -l
echo $(( $(echo 2) + 3 ))
set -- a b c; echo "$# args, second $2"
trap 'echo trapped USR1' USR1; kill -USR1 $$; echo "after the trap"
exec 3>&1; echo "to fd 3" >&3; exec 3>&-
{ echo "stderr into the pipe" >&2; } 2>&1 | cat
echo "seq: $(seq 3 | tr '\n' ' ')"
yes | head -n 2
echo abc | (read v; echo "read $v in a subshell")
sleep 0.2 & sleep 0.1 & wait; echo "waited for both"
/bin/exec script from sh; echo
/data/script x; echo
echo end
