#!/bin/sh
# valgrind finds no leaks and no memory errors in the main commands over
# the corpus: map, traces, trace, filters, the live collector, and a fetch
# from the fake X-Ray endpoint.  valgrind.supp names the caches that Graphviz's text layout
# (pango, fontconfig, glib) keeps for the life of the process.  In an
# --enable-asan build the same commands run under LeakSanitizer instead.
. "$(dirname "$0")/lib.sh"
need_shared
C=$SHARED_DIR/corpus
: "${VALGRIND:=valgrind}"

vg() {
	if [ "${ASAN_BUILD:-no}" = yes ]; then
		# valgrind cannot run a sanitizer build; LeakSanitizer checks at exit.
		"$@" > /dev/null
		return
	fi
	"$VALGRIND" -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=9 \
		--suppressions="$top_srcdir/tests/cli/valgrind.supp" "$@" > /dev/null
}

id=$(sed -n 's/.*"trace_id": *"\(1-[0-9a-f-]*\)".*/\1/p' "$C/node-gateway/segments.jsonl" | head -n 1)
for input in "$C/python-mesh/segments.jsonl" "$C/node-gateway/datagrams.jsonl" "$C/node-gateway/batch-get-traces.json"; do
	name=$(basename "$(dirname "$input")")/$(basename "$input")
	for fmt in json text svg dot; do
		check "$name: map --format $fmt is clean" vg "$XRAYTOP" map --format "$fmt" "$input"
	done
	check "$name: traces --format json is clean" vg "$XRAYTOP" traces --format json "$input"
	check "$name: traces is clean" vg "$XRAYTOP" traces "$input"
done
check "trace waterfall is clean" vg "$XRAYTOP" trace "$id" "$C/node-gateway/segments.jsonl"
check "trace --format raw is clean" vg "$XRAYTOP" trace "$id" --format raw "$C/node-gateway/segments.jsonl"
check "get-service-graph map is clean" vg "$XRAYTOP" map --format json "$top_srcdir/tests/fixtures/get-service-graph.json"
# An unreadable input ends with status 2 (valgrind's own errors would give 9).
check_status "bad input is clean" 2 vg "$XRAYTOP" map "$top_srcdir/tests/fixtures/get-service-graph.json" /dev/null /nonexistent

# Filters: parsed, refused with an error, applied to map and traces.
check "check-filter is clean" vg "$XRAYTOP" check-filter 'service("api") AND (responsetime > 0.5 OR fault) AND annotation.tenant = "acme"'
check_status "check-filter of a bad expression is clean" 2 vg "$XRAYTOP" check-filter 'service("api") AND responsetime >'
check "traces --filter is clean" vg "$XRAYTOP" traces --filter 'fault OR error' "$C/python-mesh/segments.jsonl"
check "map --filter is clean" vg "$XRAYTOP" map --filter 'http.status >= 400' "$C/python-mesh/segments.jsonl"

# The live collector: the corpus datagrams over loopback, then SIGINT.
dg=$C/node-gateway/datagrams.jsonl
( vg "$XRAYTOP" listen --listen 127.0.0.1:0 --duration 120s --map json 2> "$tmp/listen.err"; echo $? > "$tmp/listen.st" ) &
i=0
while [ $i -lt 300 ] && ! grep -q 'listening on' "$tmp/listen.err" 2> /dev/null; do
	sleep 0.1
	i=$((i + 1))
done
lport=$(sed -n 's/^xraytop: listening on .*:\([0-9][0-9]*\) (udp)$/\1/p' "$tmp/listen.err")
"$PYTHON3" -c '
import json, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for l in open(sys.argv[1], encoding="utf-8"):
    if l.strip():
        s.sendto(json.loads(l)["datagram"].encode(), ("127.0.0.1", int(sys.argv[2])))
' "$dg" "${lport:-9}"
sleep 1
pkill -INT -f "listen --listen 127.0.0.1:0 --duration 120s" 2> /dev/null
i=0
while [ $i -lt 300 ] && [ ! -s "$tmp/listen.st" ]; do
	sleep 0.1
	i=$((i + 1))
done
check "listen, datagrams, SIGINT: clean (status 0)" test "$(cat "$tmp/listen.st" 2> /dev/null)" = 0
check "listen: every datagram was parsed" grep -q "parsed $(grep -c . "$dg")" "$tmp/listen.err"

# A fetch from the fake X-Ray endpoint: map, traces, one trace.
. "$(dirname "$0")/aws-lib.sh"
now=$(date +%s)
"$PYTHON3" "$SHARED_DIR/bench/gen-traces" --traces 40 --seed 5 --rps 0.01 --format batch --api-inferred \
	--start-time $((now - 3600)) --out "$tmp/traces.jsonl" --quiet
write_keys
start_fake xray fake_xray.py --keys "$tmp/keys.json" --traces "$tmp/traces.jsonl" \
	--graph "$FIX/service-graph.json" --page-size 7 --write-truth "$tmp/truth.json"
use_long_term_keys
EP="--endpoint-url http://127.0.0.1:$port"
check "AWS: map is clean" vg "$XRAYTOP" map --since 2h $EP
check "AWS: traces is clean" vg "$XRAYTOP" traces --since 2h $EP
tid=$("$PYTHON3" -c 'import json, sys; print(sorted(json.load(open(sys.argv[1]))["traces"])[0])' "$tmp/truth.json")
check "AWS: trace ID is clean" vg "$XRAYTOP" trace "$tid" $EP

done_testing
