#!/bin/sh
# A 20-second soak of `xraytop listen` over loopback UDP: 2,000 generated
# traces sent five times over with fresh trace ids (10,000 traces, 60,840
# good datagrams) at 4,000 datagrams/s, one datagram in five garbage of
# nine kinds (soak_send.py), with --max-traces 1000 so that the store
# evicts about 150 times.  Checks:
#  (a) the counters are exact: received = sent, parsed = good, invalid =
#      garbage, and each reason counts what the sender says it sent for it
#      (when the kernel dropped datagrams: received + dropped = sent, and
#      every count within what was sent);
#  (b) memory stays flat: RSS, sampled every second, stays under a bound
#      made of the cap and the workload's bytes per trace, and the last
#      third's peak is not far above the middle third's;
#  (c) the map equals the truth of everything sent (gen-traces' truth times
#      the passes), evicted traces included: documents of a trace are at
#      most 602 traces apart, under what the cap keeps after an eviction
#      (with drops: no node of the truth counts more than there);
#  (d) after the soak the collector still takes datagrams (a probe of 10
#      documents reaches the map), and SIGINT ends it with the map, the
#      summary and status 3 (garbage was seen), without a sanitizer report.
# 4,000/s is a quarter of what an ASan build was measured to drop at
# (16,000/s: 7 % dropped; 8,000/s: none).  Every wait has a timeout.
. "$(dirname "$0")/lib.sh"
need_shared
B=$SHARED_DIR/bench
RATE=4000
DURATION=20
CAP=1000
PROBES=10
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2> /dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

# ASan keeps freed memory in a quarantine (256 MiB by default) that fills
# for minutes under this load: a small one keeps the RSS meaningful.
if [ "${ASAN_BUILD:-no}" = yes ]; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
	export ASAN_OPTIONS
	fixed_mib=64        # quarantine, redzones, shadow
else
	fixed_mib=32        # receive buffers, latencies kept per node and edge
fi

# counter NAME: a number from the summary line.
counter() {
	grep '^xraytop: received ' "$tmp/listen.err" | tail -n 1 | sed -n "s/.*[ (]$1 \([0-9][0-9]*\).*/\1/p"
}

# sent KEY [SUBKEY]: a value from the sender's summary.
sent() {
	"$PYTHON3" -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    v = v[k]
print(v)' "$tmp/sent.json" "$@"
}

# queued PORT: bytes waiting in the UDP socket bound to PORT on 127.0.0.1
# (/proc/net/udp), empty when there is none.
queued() {
	awk -v p=":$(printf '%04X' "$1")" 'toupper($2) == "0100007F" p { split($5, q, ":"); print q[2]; exit }' \
		/proc/net/udp
}

# drained: wait (60 s at most) until the listener has read everything sent.
drained() {
	i=0
	while [ $i -lt 600 ] && kill -0 "$pid" 2> /dev/null; do
		[ "$(queued "$port")" = 00000000 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

"$PYTHON3" "$B/gen-traces" --traces 2000 --seed 1 --format datagrams -o "$tmp/w.dg" \
	--truth "$tmp/w.truth.json" 2> /dev/null
check "gen-traces wrote the workload" test -s "$tmp/w.truth.json"

"$XRAYTOP" listen --listen 127.0.0.1:0 --duration 300s --map json --max-traces $CAP \
	-o "$tmp/map.json" 2> "$tmp/listen.err" &
pid=$!
port=
i=0
while [ $i -lt 100 ] && [ -z "$port" ] && kill -0 $pid 2> /dev/null; do
	port=$(sed -n 's/^xraytop: listening on 127\.0\.0\.1:\([0-9][0-9]*\) (udp)$/\1/p' "$tmp/listen.err")
	sleep 0.1
	i=$((i + 1))
done
check "the listener reports its port" test -n "$port"

timeout 120 "$PYTHON3" "$top_srcdir/tests/cli/soak_send.py" "$tmp/w.dg" --port "${port:-9}" \
	--rate $RATE --duration $DURATION --garbage 0.2 --seed 1 --rss-pid $pid \
	--truth "$tmp/w.truth.json" --truth-out "$tmp/truth.json" --summary "$tmp/sent.json" \
	2> "$tmp/send.err"
check "the sender ran to the end" test -s "$tmp/sent.json"
[ -s "$tmp/sent.json" ] || { diag < "$tmp/send.err"; done_testing; exit; }
total=$(sent sent) good=$(sent good) garbage=$(sent garbage) traces=$(sent traces)
echo "sent $total datagrams ($good good, $garbage garbage) in $(sent seconds) s, $(sent rate)/s; $(sent passes) passes, $traces traces; garbage by kind: $(sent garbage_by_kind)" | diag
check "one datagram in five was garbage, of every kind" "$PYTHON3" -c 'import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(not (s["garbage"] * 5 == s["sent"] and min(s["garbage_by_kind"].values()) > 0))' "$tmp/sent.json"

check "a trace's documents are at most $(sent max_open_traces) traces apart, fewer than the cap keeps" \
	test "$(sent max_open_traces)" -lt $((CAP - CAP / 16))

# (d) still responsive: a probe after the soak reaches the map.
check "the listener read everything sent" drained
"$PYTHON3" - 127.0.0.1 "${port:-9}" $PROBES <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[3])):
    s.sendto(b'{"format":"json","version":1}\n{"name":"soak-probe","id":"%016x","trace_id":'
             b'"1-7fffffff-%024x","start_time":1700000000.5,"end_time":1700000000.75,'
             b'"inferred":true}' % (i + 1, i + 1),
             (sys.argv[1], int(sys.argv[2])))
PY
check "the listener read the probe" drained
kill -INT $pid 2> /dev/null
i=0
while kill -0 $pid 2> /dev/null && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 $pid 2> /dev/null; then
	kill -9 $pid
	wait $pid
	st=124
else
	wait $pid
	st=$?
fi
pid=
check "SIGINT ends the run with status 3 (garbage seen)" test "$st" -eq 3
check "the summary is printed" grep -q '^xraytop: received ' "$tmp/listen.err"
check "no sanitizer report" sh -c "! grep -qE 'Sanitizer|runtime error' \"$tmp/listen.err\""
grep '^xraytop: received ' "$tmp/listen.err" | diag

# (a) the counters
received=$(counter received) parsed=$(counter parsed) invalid=$(counter invalid)
dropped=$(counter dropped) oversize=$(counter oversize) held=$(counter traces) evicted=$(counter evicted)
reasons="no-header bad-header invalid-json truncated not-segment no-id no-trace-id binary"
sum=0
for r in $reasons; do
	sum=$((sum + $(counter "$r")))
done
check "invalid ($invalid) is the sum of its reasons ($sum)" test "$invalid" -eq "$sum"
check "nothing oversize" test "$oversize" -eq 0
check "held $held traces, at most the cap $CAP; evicted $evicted" test "$held" -le $CAP
if [ "$dropped" -eq 0 ]; then
	check "received $received = sent $total + $PROBES probes" test "$received" -eq $((total + PROBES))
	check "parsed $parsed = good $good + $PROBES probes" test "$parsed" -eq $((good + PROBES))
	check "invalid $invalid = garbage $garbage" test "$invalid" -eq "$garbage"
	for r in $reasons; do
		want=$(sent invalid_by_reason "$r")
		check "$r: $(counter "$r") = $want sent" test "$(counter "$r")" -eq "$want"
	done
	check "every trace held or evicted ($held + $evicted = $traces + $PROBES)" \
		test $((held + evicted)) -eq $((traces + PROBES))
	check "evicted in many rounds (at least $(((traces - CAP) / (CAP / 16))) of $((CAP / 16)) traces)" \
		test "$evicted" -ge $((traces - CAP))
else
	echo "the kernel dropped $dropped datagrams (a busy machine): the counts and the map are bounded by what was sent" | diag
	check "received $received + dropped $dropped = sent $total + $PROBES" \
		test $((received + dropped)) -eq $((total + PROBES))
	check "parsed + invalid = received" test $((parsed + invalid)) -eq "$received"
	check "parsed $parsed <= good $good + $PROBES" test "$parsed" -le $((good + PROBES))
	for r in $reasons; do
		want=$(sent invalid_by_reason "$r")
		check "$r: $(counter "$r") <= $want sent" test "$(counter "$r")" -le "$want"
	done
fi

# (b) memory: after the first third (warm-up: the cap fills in about 2 s),
# RSS stays under rss0 + fixed + cap * 4 * (bytes per trace sent), and the
# peak of the last third is within 25 % of the middle third's.
per_trace=$(($(sent good_bytes) / traces))
"$PYTHON3" - "$tmp/sent.json" $CAP $per_trace $fixed_mib > "$tmp/rss.txt" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
cap, per_trace, fixed = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rss = [(t, r) for t, r in s["rss_kib"] if r is not None]
end = rss[-1][0]
rss0 = rss[0][1]
mid = [r for t, r in rss if end / 3 <= t < 2 * end / 3]
last = [r for t, r in rss if t >= 2 * end / 3]
bound = rss0 + fixed * 1024 + cap * 4 * per_trace // 1024
print(len(rss), rss0, max(mid + last), bound, max(mid), max(last))
PY
read -r nrss rss0 peak bound midmax lastmax < "$tmp/rss.txt"
echo "RSS KiB: $nrss samples, start $rss0, peak after warm-up $peak (bound $bound), middle third peak $midmax, last third peak $lastmax" | diag
check "RSS sampled every second ($nrss samples)" test "$nrss" -ge $((DURATION * 3 / 4))
check "RSS after warm-up ($peak KiB) under the bound ($bound KiB)" test "$peak" -le "$bound"
check "RSS flat: last third peak $lastmax KiB <= 1.25 x middle third peak $midmax KiB" \
	test $((lastmax * 4)) -le $((midmax * 5))

# (c) the map equals the truth of everything sent; the probe documents
# (inferred ones, which count in no node or edge) are in its input block,
# and every document parsed reached the map.
check "the probe reached the map (input.skipped.inferred = $PROBES)" "$PYTHON3" -c '
import json, sys
sys.exit(json.load(open(sys.argv[1]))["input"]["skipped"]["inferred"] != int(sys.argv[2]))' \
	"$tmp/map.json" $PROBES
check "the map took every document parsed (input.documents = $parsed)" "$PYTHON3" -c '
import json, sys
sys.exit(json.load(open(sys.argv[1]))["input"]["documents"] != int(sys.argv[2]))' \
	"$tmp/map.json" "$parsed"
if [ "$dropped" -eq 0 ]; then
	check "the map equals the truth of all $traces traces (check-truth)" \
		"$PYTHON3" "$B/check-truth" "$tmp/truth.json" "$tmp/map.json"
	head -n 1 "$tmp/check.out" | diag
else
	# Lost documents leave calls without their callee (new inferred
	# nodes) and segments without their caller (client edges); what holds
	# is that no node of the truth counts more than it does there.
	check "no node of the truth counts more in the map; no more segments" "$PYTHON3" -c '
import json, sys
t, m = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
key = lambda x: (x["name"], x["type"])
got = {key(x): x["count"] for x in m["nodes"]}
bad = [(key(x), got[key(x)], x["count"]) for x in t["nodes"]
       if key(x) != ("client", "client") and got.get(key(x), 0) > x["count"]]
if m["input"]["segments"] > t["totals"]["segments"]:
    bad.append(("segments", m["input"]["segments"], t["totals"]["segments"]))
print(bad)
sys.exit(bool(bad))' "$tmp/truth.json" "$tmp/map.json"
fi

done_testing
