#!/bin/sh
# Every way out gives the terminal back: SIGTERM, SIGINT and SIGHUP sent
# from outside (the handler restores, then dies of the signal), and a fatal
# error (out of memory) whose message is printed after the restore.
. "$(dirname "$0")/tmux-lib.sh"

# The pid of xraytop under the pane's shell.
xt_pid() {
	sh_pid=$(tm display-message -p -t t '#{pane_pid}')
	pgrep -P "$sh_pid" -x xraytop 2> /dev/null || pgrep -P "$sh_pid" | head -n 1
}

for sig in TERM INT HUP; do
	start 100 30 "$XRAYTOP" --demo
	see "SIG$sig: started" "153 traces, 15 services"
	kill -"$sig" "$(xt_pid)"
	st=$(wait_exit)
	case $sig in TERM) want=143 ;; INT) want=130 ;; HUP) want=129 ;; esac
	[ "$st" = "$want" ] && ok "SIG$sig: died of the signal ($st)" || { not_ok "SIG$sig: died of the signal"; echo "$st" | diag; }
	restored "SIG$sig: the terminal is restored"
done

# Out of memory while loading (64 MB of documents, kept twice: decoded and
# as text, in 120 MB of address space): fatal() restores the terminal
# first, then says why on the restored screen.  AddressSanitizer's shadow
# memory cannot live with ulimit -v, so an ASan build gets the same failure
# from its allocator instead: past an RSS limit malloc returns NULL.
if [ "${ASAN_BUILD:-no}" = yes ]; then
	oom_run="env ASAN_OPTIONS=allocator_may_return_null=1:soft_rss_limit_mb=150 $XRAYTOP"
else
	oom_run="ulimit -v 120000; $XRAYTOP"
fi
"$PYTHON3" -c '
import json
for i in range(8000):
    print(json.dumps({"id": "%016x" % (i + 1), "trace_id": "1-5f000000-%024x" % i, "name": "svc%d" % (i % 40),
        "start_time": 1600000000.0 + i, "end_time": 1600000000.5 + i, "metadata": {"pad": "x" * 8000}}))
' > "$tmp/fat.jsonl"
start 100 30 "$oom_run -j 0 $tmp/fat.jsonl"
st=$(wait_exit 20)
[ "$st" = 2 ] && ok "out of memory: status 2" || { not_ok "out of memory: status 2"; capture | tail -n 8 | diag; }
see "out of memory: the message is on the restored screen" "xraytop: out of memory"
restored "out of memory: the terminal is restored"

done_testing
