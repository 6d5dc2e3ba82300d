#!/bin/sh
# Hostile data through every command and format.  tests/hostile/make-hostile.py
# writes segment documents (and the same as a daemon recording, wrapped
# datagrams and a BatchGetTraces page; trace summaries; a service graph;
# X-Ray groups and sampling rules) whose every string carries escape
# sequences, C1 and bidi controls, invisible characters, invalid UTF-8, NUL,
# 100 KB strings, and DOT/SVG/JSON markup.  For each run, tests/hostile/check.py
# asserts: the exit status; stderr and every text output are terminal-safe
# (valid UTF-8, no control byte but newline, no ESC, no C1, no bidi or
# invisible character) and, for tables, within their widths; JSON parses
# and gives back each string as the data had it (invalid bytes as U+FFFD;
# cut at NUL); SVG is well-formed, with Graphviz's elements only and no
# handler or script URL; DOT reads back in Graphviz with exactly the map's
# nodes and edges.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/cli/aws-lib.sh"
: "${DOT:=dot}"
export DOT

. "$top_srcdir/tests/hostile/corpus.sh"

# run NAME WANT ARGS...: xraytop ARGS, out in $tmp/NAME.out, stderr in
# NAME.err; ok when it exits WANT and its stderr is terminal-safe.
run() {
	name=$1
	want=$2
	shift 2
	timeout 300 "$XRAYTOP" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
	got=$?
	: > "$tmp/$name.chk"
	if [ "$got" -eq "$want" ] && "$PYTHON3" "$H/check.py" text --tab "$tmp/$name.err" > "$tmp/$name.chk" 2>&1; then
		ok "$name: exit $want, stderr safe"
	else
		not_ok "$name: exit $want, stderr safe"
		{ echo "exit status $got, want $want"; head -c 2000 "$tmp/$name.chk"; head -c 600 "$tmp/$name.err"; } | diag
	fi
}

# verify NAME DESC CHECK ARGS...: tests/hostile/check.py CHECK ARGS.
verify() {
	name=$1
	desc=$2
	shift 2
	if "$PYTHON3" "$H/check.py" "$@" > "$tmp/$name.v" 2>&1; then
		ok "$name: $desc"
	else
		not_ok "$name: $desc"
		head -c 3000 "$tmp/$name.v" | diag
	fi
}

# grep_has NAME FILE TEXT: FILE holds TEXT.
grep_has() {
	if grep -qF -- "$3" "$2"; then
		ok "$1: shows '$3'"
	else
		not_ok "$1: shows '$3'"
		head -c 600 "$2" | diag
	fi
}

# --- the map and the trace list, from each shape of input
for input in segments.jsonl datagrams.jsonl wrapped.jsonl batch.json; do
	n=${input%%.*}
	run "map-$n-text" 0 map --format text "$C/$input"
	verify "map-$n-text" "terminal-safe" text "$tmp/map-$n-text.out"
	run "map-$n-json" 0 map --format json "$C/$input"
	verify "map-$n-json" "every node, named as in the data" map-json "$tmp/map-$n-json.out" "$M" segments
	run "map-$n-dot" 0 map --format dot "$C/$input"
	verify "map-$n-dot" "Graphviz reads it back: the map's nodes and edges" dot "$tmp/map-$n-dot.out" "$tmp/map-$n-json.out"
	run "map-$n-svg" 0 map --format svg "$C/$input"
	verify "map-$n-svg" "well-formed, no injected element, every node shown" svg "$tmp/map-$n-svg.out" "$tmp/map-$n-json.out"
	if command -v "${XMLLINT:-xmllint}" > /dev/null 2>&1; then
		check "map-$n-svg: xmllint --noout" "${XMLLINT:-xmllint}" --noout --huge "$tmp/map-$n-svg.out"
	fi
	run "traces-$n-text" 0 traces --format text "$C/$input"
	verify "traces-$n-text" "terminal-safe" text "$tmp/traces-$n-text.out"
	run "traces-$n-json" 0 traces --format json "$C/$input"
	verify "traces-$n-json" "every trace's fields as in the data" traces-json "$tmp/traces-$n-json.out" "$M"
	run "traces-$n-ids" 0 traces --format ids "$C/$input"
	verify "traces-$n-ids" "terminal-safe" text "$tmp/traces-$n-ids.out"
done
grep_has "map-segments-text" "$tmp/map-segments-text.out" "osc0-?]0;PWNED-TITLE?osc0-title"
grep_has "traces-segments-ids" "$tmp/traces-segments-ids.out" "1-5f00?]0;TID?-?eeee"
# -o writes the same as standard output.
run "map-o" 0 map --format svg -o "$tmp/map-o.svg" "$C/segments.jsonl"
check "map -o: the same SVG" cmp "$tmp/map-o.svg" "$tmp/map-segments-svg.out"

# A service graph (no traces in it) and trace summaries (no map in them).
run "graph-map-text" 0 map --format text "$C/service-graph.json"
verify "graph-map-text" "terminal-safe" text "$tmp/graph-map-text.out"
run "graph-map-json" 0 map --format json "$C/service-graph.json"
verify "graph-map-json" "every service, named as in the data" map-json "$tmp/graph-map-json.out" "$M" graph
run "graph-map-dot" 0 map --format dot "$C/service-graph.json"
verify "graph-map-dot" "Graphviz reads it back" dot "$tmp/graph-map-dot.out" "$tmp/graph-map-json.out"
run "graph-map-svg" 0 map --format svg "$C/service-graph.json"
verify "graph-map-svg" "well-formed, no injected element" svg "$tmp/graph-map-svg.out" "$tmp/graph-map-json.out"
run "graph-traces" 1 traces "$C/service-graph.json"
run "summaries-text" 0 traces --format text "$C/summaries.json"
verify "summaries-text" "terminal-safe" text "$tmp/summaries-text.out"
run "summaries-json" 0 traces --format json "$C/summaries.json"
verify "summaries-json" "JSON, terminal-safe" json "$tmp/summaries-json.out"
run "summaries-map" 1 map "$C/summaries.json"

# --- each trace, as a waterfall and as its documents
i=0
for key in $("$PYTHON3" -c "import json; print(' '.join(t['key'] for t in json.load(open('$M'))['traces']))"); do
	i=$((i + 1))
	id=$(printf '1-5f000000-%024x' "$i")
	run "trace-$key-text" 0 trace "$id" --format text "$C/segments.jsonl"
	verify "trace-$key-text" "terminal-safe, 120 columns" screen 120 100000 "$tmp/trace-$key-text.out"
	run "trace-$key-raw" 0 trace "$id" --format raw "$C/segments.jsonl"
	verify "trace-$key-raw" "terminal-safe JSON lines, the data's strings" raw "$tmp/trace-$key-raw.out" "$M" "$key"
done
grep_has "trace-osc0-text" "$tmp/trace-osc0-text.out" "sub-osc0-?]0;PWNED-TITLE?osc0-title"
run "trace-narrow" 0 trace 1-5f000000-000000000000000000000002 --width 50 "$C/batch.json"
verify "trace-narrow" "terminal-safe, 50 columns" screen 50 100 "$tmp/trace-narrow.out"
run "trace-nul" 0 trace 1-5f000000-000000000000000000000384 --format raw "$C/segments.jsonl"
verify "trace-nul" "\\u0000 stays an escape" jsonl "$tmp/trace-nul.out"
grep_has "trace-nul" "$tmp/trace-nul.out" 'nul-before\u0000\u001b]0;AFTER-NUL\u0007'
# The trace whose id is hostile: refused, and said safely.
hid=$("$PYTHON3" -c "import json; print(json.load(open('$M'))['hostile_id'])")
run "trace-hostile-id" 2 trace "$hid" "$C/segments.jsonl"
grep_has "trace-hostile-id" "$tmp/trace-hostile-id.err" "'1-5f00?]0;TID?-?eeeeeeeeeeee' is not a trace ID"

# --- filters with hostile strings: they match what the data holds
run "filter-match" 0 traces --format ids --filter "annotation.k = \"$ESC]0;PWNED-TITLE${BEL}osc0-title\"" "$C/segments.jsonl"
check "filter-match: exactly the osc0 trace" test "$(cat "$tmp/filter-match.out")" = "1-5f000000-000000000000000000000002"
run "filter-map" 0 map --format json --filter "service(\"osc2-$ESC]2;PWNED-TITLE$ESC\\osc2-st\")" "$C/segments.jsonl"
verify "filter-map" "JSON, terminal-safe" json "$tmp/filter-map.out"
grep_has "filter-map" "$tmp/filter-map.out" '"name":	"down-osc2-\u001b]2;PWNED-TITLE\u001b\\osc2-st"'
run "check-filter" 0 check-filter "annotation.k = \"$ESC]0;F$BEL$C1\" AND http.url CONTAINS \"$RLO\""
verify "check-filter" "terminal-safe" text "$tmp/check-filter.out"
grep_has "check-filter" "$tmp/check-filter.out" 'annotation.k = "?]0;F??" AND http.url CONTAINS "?"'
run "check-filter-bad" 2 check-filter "annotation.k = \"x\" AND $ESC[2J"
grep_has "check-filter-bad" "$tmp/check-filter-bad.err" "unexpected control character"
run "check-filter-bad2" 2 check-filter "service(\"$ESC]0;T$BEL\") $C1$RLO"
export XRAYTOP_CONFIG="$C/config"
run "check-filter-group" 0 check-filter 'group.name = "hostile"'
grep_has "check-filter-group" "$tmp/check-filter-group.err" "unknown key '?]0;JUNK?' in [group plain]"
run "group" 3 traces --format ids --group hostile "$C/segments.jsonl" "$C/bad.jsonl"
verify "group" "terminal-safe" text "$tmp/group.out"
unset XRAYTOP_CONFIG

# --- bad input and bad arguments: errors that quote them safely
bad="$tmp/x$ESC]0;FNAME$BEL$C1$RLO.jsonl"
cp "$C/bad.jsonl" "$bad"
run "bad-lines" 3 map --format json "$C/segments.jsonl" "$bad"
verify "bad-lines" "the good documents are used" map-json "$tmp/bad-lines.out" "$M" segments+bad
grep_has "bad-lines" "$tmp/bad-lines.err" "x?]0;FNAME???.jsonl:2: column 26: invalid JSON"
run "bad-traces" 3 traces "$bad"
run "bad-missing" 2 map "$tmp/nope$ESC[2J.jsonl"
grep_has "bad-missing" "$tmp/bad-missing.err" "nope?[2J.jsonl"
run "bad-format" 2 map --format "$ESC]0;FMT$BEL" "$C/segments.jsonl"
run "bad-list-format" 2 traces --format "$C1$RLO" "$C/segments.jsonl"
run "bad-trace-format" 2 trace 1-5f000000-000000000000000000000002 --format "$ESC[2J" "$C/segments.jsonl"
run "bad-option" 2 traces "--$ESC]0;OPT$BEL" "$C/segments.jsonl"
run "bad-sort" 2 traces --sort "$ESC[5m" "$C/segments.jsonl"
run "bad-limit" 2 traces --limit "9$ESC[2J" "$C/segments.jsonl"
run "bad-command" 2 "cmd$ESC]0;CMD$BEL"
run "bad-output" 2 map -o "$tmp/no/such$ESC]0;OUT$BEL/dir" "$C/segments.jsonl"

# --- the UDP listener: the datagrams that fit, as the SDKs send them
"$PYTHON3" - "$C/datagrams.jsonl" "$tmp/dgrams" <<'PY'
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
out = [lines[i] + b"\n" + lines[i + 1] for i in range(0, len(lines) - 1, 2) if len(lines[i + 1]) < 60000]
open(sys.argv[2], "wb").write(b"\0".join(out))
PY
ndg=$("$PYTHON3" -c "import sys; print(len(open('$tmp/dgrams','rb').read().split(b'\0')))")
timeout 120 "$XRAYTOP" listen --listen 127.0.0.1:0 --count "$ndg" --duration 60s --map json > "$tmp/listen.out" 2> "$tmp/listen.err" &
lpid=$!
lport=
j=0
while [ -z "$lport" ] && [ $j -lt 200 ]; do
	lport=$(sed -n 's/^xraytop: listening on .*:\([0-9][0-9]*\) (udp)$/\1/p' "$tmp/listen.err" 2> /dev/null)
	[ -z "$lport" ] && sleep 0.05
	j=$((j + 1))
done
if [ -n "$lport" ]; then
	"$PYTHON3" - "$tmp/dgrams" "$lport" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for d in open(sys.argv[1], "rb").read().split(b"\0"):
    s.sendto(d, ("127.0.0.1", int(sys.argv[2])))
    time.sleep(0.002)
PY
fi
wait "$lpid"
lrc=$?
check "listen: started, exit 0" test -n "$lport" -a "$lrc" -eq 0
verify "listen" "stderr terminal-safe" text "$tmp/listen.err"
verify "listen" "the map as JSON, terminal-safe" json "$tmp/listen.out"
grep_has "listen" "$tmp/listen.out" 'osc0-\u001b]0;PWNED-TITLE\u0007osc0-title'

# --- AWS: groups, sampling rules, the map and the traces from the fake endpoint
write_keys
start_fake xray fake_xray.py --keys "$tmp/keys.json" --traces "$C/aws-traces.jsonl" --shift-to-now \
	--graph "$C/aws-service-graph.json" --groups "$C/groups.json" --sampling "$C/sampling-rules.json" \
	--sampling-stats "$C/sampling-stats.json"
use_long_term_keys
ep="--endpoint-url http://127.0.0.1:$port"
for f in text json; do
	run "groups-$f" 0 groups --format $f $ep
	run "rules-$f" 0 sampling-rules --format $f $ep
done
verify "groups-text" "terminal-safe" text "$tmp/groups-text.out"
verify "groups-json" "every group, named as X-Ray sent it" aws-json "$tmp/groups-json.out" "$M" groups
verify "rules-text" "terminal-safe" text "$tmp/rules-text.out"
verify "rules-json" "every rule, named as X-Ray sent it" aws-json "$tmp/rules-json.out" "$M" rules
grep_has "groups-text" "$tmp/groups-text.out" "g1-?]0;PWNED-TITLE?osc0-title"
for f in text json dot svg; do
	run "aws-map-$f" 0 map --format $f --since 1h --time-range event $ep
done
verify "aws-map-text" "terminal-safe" text "$tmp/aws-map-text.out"
verify "aws-map-json" "every service, named as X-Ray sent it" json "$tmp/aws-map-json.out"
verify "aws-map-dot" "Graphviz reads it back" dot "$tmp/aws-map-dot.out" "$tmp/aws-map-json.out"
verify "aws-map-svg" "well-formed, no injected element" svg "$tmp/aws-map-svg.out" "$tmp/aws-map-json.out"
run "aws-traces-text" 0 traces --format text --since 1h --time-range event $ep
verify "aws-traces-text" "terminal-safe" text "$tmp/aws-traces-text.out"
run "aws-traces-full" 0 traces --format json --full --since 1h --time-range event $ep
verify "aws-traces-full" "JSON, terminal-safe" json "$tmp/aws-traces-full.out"
run "aws-group" 0 map --group "g1-$ESC]0;PWNED-TITLE${BEL}osc0-title" --since 1h $ep
verify "aws-group" "terminal-safe" text "$tmp/aws-group.out"
run "aws-since" 2 traces --since "$ESC]0;SINCE$BEL" $ep
run "aws-region" 2 traces --region "us$ESC]0;REGION$BEL" $ep
run "aws-endpoint" 2 traces --endpoint-url "http://127.0.0.1:$port/$ESC]0;EP$BEL"
check_no_secrets "no secret in any output" "$tmp"/*.out "$tmp"/*.err

done_testing
