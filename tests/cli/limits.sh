#!/bin/sh
# Resource limits: JSON nested 10,000 levels (in a segment document and in
# an API answer), subsegments nested 10,000 and 100,000 levels, a parent_id
# chain of 10,000 documents, traces of 100,000 entities, a service graph of
# 10,000 nodes (file and fake endpoint), filter expressions of 1 MB and
# more; through map, traces, trace, check-filter, --filter/--group and the
# TUI (headless).  Every run has a hang guard (60 s, not a performance
# bound) and a memory bound (an address-space limit; in sanitizer builds,
# which reserve terabytes, a bound on peak RSS instead).  The checks are the
# counts the generator (limits.py) knows and the exact limit messages.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/aws-lib.sh"
L=$top_srcdir/tests/cli/limits.py
"$PYTHON3" "$L" gen "$tmp" || { echo "Bail out! cannot generate the inputs"; exit 99; }
want() { "$PYTHON3" -c "import json; print(json.load(open('$tmp/want.json'))['$1'])"; }
TID=1-6a43f000-00000000000000000000abcd

if [ "${ASAN_BUILD:-no}" = yes ]; then
	AS_MB=0 RSS_MAX=3145728        # 3 GiB of RSS
else
	AS_MB=4096 RSS_MAX=1048576     # 4 GiB of address space, 1 GiB of RSS
fi

# run NAME WANT CMD...: CMD exits WANT, within the hang guard and the
# memory bound; output in $tmp/NAME.out and NAME.err.
run() {
	name=$1 want=$2
	shift 2
	"$PYTHON3" "$L" run "$tmp/$name.out" "$tmp/$name.err" $AS_MB 60 "$@" > "$tmp/$name.res"
	read -r rc rss secs < "$tmp/$name.res"
	echo "# $name: exit $rc, peak RSS $rss KB, $secs s"
	if [ "$rc" = "$want" ] && [ "$rss" -le $RSS_MAX ]; then
		ok "$name: exit $want within the bounds"
	else
		not_ok "$name: exit $want within the bounds"
		{ echo "exit $rc (want $want), peak RSS $rss KB (at most $RSS_MAX)"; head -c 2000 "$tmp/$name.err"; } | diag
	fi
}

# tui NAME SCRIPT ARGS...: the TUI headless on ARGS with the script's lines
# (its log in $tmp/NAME.log); exit 0 wanted.
tui() {
	name=$1
	printf '%s\n' "$2" > "$tmp/$name.script"
	shift 2
	run "$name" 0 env -u NO_COLOR XRAYTOP_NO_DISPLAY=1 XRAYTOP_SCRIPT="$tmp/$name.script" \
	    LINES=30 COLUMNS=100 TERM=xterm-256color XRAYTOP_CONFIG="${CFG:-/dev/null}" \
	    XRAYTOP_NOW=1795619236 "$XRAYTOP" --log "$tmp/$name.log" "$@"
}

# is DESC GOT WANT
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "got '$2', want '$3'" | diag
	fi
}

# has DESC FILE TEXT: FILE holds TEXT (a fixed string).
has() {
	if grep -qF -- "$3" "$2"; then
		ok "$1"
	else
		not_ok "$1"
		{ echo "no '$3' in:"; head -c 1500 "$2"; } | diag
	fi
}

# njson FILE EXPR: EXPR over the JSON in FILE (as j).
njson() { "$PYTHON3" -c "import json,sys; j=json.load(open('$1')); print($2)"; }
# ids FILE: the trace ids of traces --format ids, on one line.
ids() { tr '\n' ' ' < "$1" | sed 's/ $//'; }

# ---------------------------------------------------------------- (1) deep JSON
# The document nested 10,000 levels is refused with the line and the byte
# where it passes cJSON's limit; the lines around it load.
B=$(want deep_json_byte)
MSG3="deep-json.jsonl:3: column $((B + 1)): invalid JSON: nesting deeper than 1000 levels at byte $B"
for c in "traces --format ids" "map --format json" "trace 1-6a43f000-0000000000000000000000a4"; do
	n=deep-$(echo "$c" | cut -d' ' -f1)
	run "$n" 3 "$XRAYTOP" $c "$tmp/deep-json.jsonl"
	has "$n: the message names line 3 and the nesting limit" "$tmp/$n.err" "$MSG3"
done
is "deep JSON: traces has the other three" "$(ids "$tmp/deep-traces.out")" \
	"1-6a43f000-0000000000000000000000a1 1-6a43f000-0000000000000000000000a2 1-6a43f000-0000000000000000000000a4"
is "deep JSON: map has their three services and the client" \
	"$(njson "$tmp/deep-map.out" "' '.join(sorted(n['name'] for n in j['nodes']))")" "client first fourth second"
has "deep JSON: trace shows the fourth document" "$tmp/deep-trace.out" "fourth"
# ... inside a BatchGetTraces answer (as the AWS CLI prints it)
run deep-page 3 "$XRAYTOP" traces --format ids "$tmp/deep-page.json"
has "deep page: the entry and the limit are named" "$tmp/deep-page.err" \
	"deep-page.json: 1 bad entry: Traces[0].Segments[1]: invalid JSON: nesting deeper than 1000 levels at byte $B"
is "deep page: the other documents of the page load" "$(ids "$tmp/deep-page.out")" \
	"1-6a43f000-0000000000000000000000a1 1-6a43f000-0000000000000000000000a4"
tui deep-tui ":dump-screen $tmp/deep-tui.screen" --view traces "$tmp/deep-json.jsonl"
has "deep JSON: the TUI lists the three traces" "$tmp/deep-tui.screen" "3 traces"
has "deep JSON: the TUI reports the line" "$tmp/deep-tui.log" "$MSG3"

# ... through the fake endpoint (which needs a deep recursion limit itself)
write_keys
cat > "$tmp/deepfake.py" <<PY
import runpy, sys
sys.setrecursionlimit(100000)
sys.argv[0] = "$AWSDIR/fake_xray.py"
runpy.run_path(sys.argv[0], run_name="__main__")
PY
awsdir=$AWSDIR
AWSDIR=$tmp
start_fake deepx deepfake.py --keys "$tmp/keys.json" --traces "$tmp/deep-aws.jsonl" \
	--graph "$tmp/graph.json" --graph-page-size 1000
AWSDIR=$awsdir
use_long_term_keys
EP="--endpoint-url http://127.0.0.1:$port"
run deep-aws 3 "$XRAYTOP" traces --since 1h --full --format ids --quiet $EP
has "deep JSON from the API: the bad document is named with the limit" "$tmp/deep-aws.err" \
	"xraytop traces: 1 bad document or entry skipped (the first: BatchGetTraces: Traces["
has "deep JSON from the API: ... and the limit" "$tmp/deep-aws.err" \
	"].Segments[0]: invalid JSON: nesting deeper than 1000 levels at byte"
is "deep JSON from the API: the other three traces" "$(wc -l < "$tmp/deep-aws.out" | tr -d ' ')" 3

# ---------------------------------------------------------------- (2) deep subsegments
for f in deep-sub10k deep-sub100k; do
	run "$f" 3 "$XRAYTOP" traces --format ids "$tmp/$f.jsonl"
	has "$f: line 2 is refused at the nesting limit" "$tmp/$f.err" \
		"$f.jsonl:2: column 51940: invalid JSON: nesting deeper than 1000 levels at byte 51939"
	is "$f: the documents around it load" "$(ids "$tmp/$f.out")" \
		"1-6a43f000-0000000000000000000000b1 1-6a43f000-0000000000000000000000b3"
	run "$f-map" 3 "$XRAYTOP" map --format json "$tmp/$f.jsonl"
	is "$f: map of the two others" "$(njson "$tmp/$f-map.out" "len(j['nodes'])")" 3
done
# A parent_id chain of 10,000 documents, shuffled: one trace 10,000 deep.
run chain-traces 0 "$XRAYTOP" traces --format json "$tmp/chain.jsonl"
is "chain: one trace of one segment" "$(njson "$tmp/chain-traces.out" "[(t['id'], t['segments']) for t in j]")" \
	"[('$TID', 1)]"
run chain-trace 0 "$XRAYTOP" trace "$TID" --ascii --width 120 "$tmp/chain.jsonl"
is "chain: the waterfall has its 10,000 entities" "$(wc -l < "$tmp/chain-trace.out" | tr -d ' ')" 10002
run chain-raw 0 "$XRAYTOP" trace "$TID" --format raw "$tmp/chain.jsonl"
is "chain: --format raw has its 10,000 documents" "$(wc -l < "$tmp/chain-raw.out" | tr -d ' ')" 10000
run chain-map 0 "$XRAYTOP" map --format json "$tmp/chain.jsonl"
is "chain: the map counts 9,999 subsegments" "$(njson "$tmp/chain-map.out" "j['input']['subsegments']")" 9999
run chain-filter 0 "$XRAYTOP" traces --format ids --filter 'annotation.none = 1 OR ok' "$tmp/chain.jsonl"
is "chain: --filter evaluates the deep trace" "$(ids "$tmp/chain-filter.out")" "$TID"
tui chain-tui ":trace $TID
G
:dump-screen $tmp/chain-tui.screen" "$tmp/chain.jsonl"
has "chain: the timeline has 10,000 entities" "$tmp/chain-tui.screen" "10000 entities"

# ---------------------------------------------------------------- (3) 100,000 entities
run fan-trace 0 "$XRAYTOP" trace "$TID" --ascii "$tmp/fan.jsonl"
is "fan: the waterfall has 100,000 entities" "$(wc -l < "$tmp/fan-trace.out" | tr -d ' ')" 100002
has "fan: the last one is there" "$tmp/fan-trace.out" "sub99999"
run fan-raw 0 "$XRAYTOP" trace "$TID" --format raw "$tmp/fan.jsonl"
is "fan: --format raw has 100,000 documents" "$(wc -l < "$tmp/fan-raw.out" | tr -d ' ')" 100000
run fan-map 0 "$XRAYTOP" map --format json "$tmp/fan.jsonl"
is "fan: the map counts 99,999 independent subsegments" \
	"$(njson "$tmp/fan-map.out" "(j['input']['independent_subsegments'], j['input']['subsegments'])")" \
	"(99999, 99999)"
run segfan-traces 0 "$XRAYTOP" traces --format json "$tmp/segfan.jsonl"
is "segfan: one trace of 100,000 segments, rooted at the last" \
	"$(njson "$tmp/segfan-traces.out" "(len(j), j[0]['segments'], j[0]['root']['name'], len(j[0]['services']))")" \
	"(1, 100000, 'front', 101)"
run segfan-map 0 "$XRAYTOP" map --format json --filter 'service("svc07")' "$tmp/segfan.jsonl"
is "segfan: 101 services and the client; svc07 served 1,000 requests" \
	"$(njson "$tmp/segfan-map.out" "(len(j['nodes']), [n['count'] for n in j['nodes'] if n['name'] == 'svc07'])")" \
	"(102, [1000])"
run mix-trace 0 "$XRAYTOP" trace "$TID" --ascii "$tmp/mix.jsonl"
is "mix: the waterfall has 100,000 entities" "$(wc -l < "$tmp/mix-trace.out" | tr -d ' ')" 100002
run mix-map 0 "$XRAYTOP" map --format json "$tmp/mix.jsonl"
is "mix: 10 services, 5 remote nodes and the client; 33,000 calls to them" \
	"$(njson "$tmp/mix-map.out" "(len(j['nodes']), sum(e['count'] for e in j['edges'] if e['target']['name'].startswith('db')))")" \
	"(16, 33000)"
tui fan-tui ":trace $TID
o
G
:dump-screen $tmp/fan-tui.screen" "$tmp/fan.jsonl"
has "fan: the timeline has 100,000 entities" "$tmp/fan-tui.screen" "100000 entities"
has "fan: ... and scrolls to the last" "$tmp/fan-tui.screen" "sub99999"
tui mix-tui ":trace $TID
:dump-screen $tmp/mix-tui.screen" "$tmp/mix.jsonl"
has "mix: the timeline has 1,000 segments, 100,000 entities" "$tmp/mix-tui.screen" "1000 segments  100000 entiti"

# ---------------------------------------------------------------- (4) 10,000 nodes
E=$(want graph_edges)
run graph-json 0 "$XRAYTOP" map --format json "$tmp/graph.json"
is "graph: json has every node and edge" "$(njson "$tmp/graph-json.out" "(len(j['nodes']), len(j['edges']))")" "(10000, $E)"
run graph-text 0 "$XRAYTOP" map "$tmp/graph.json"
has "graph: text has the last node" "$tmp/graph-text.out" "svc-09999"
run graph-dot 0 "$XRAYTOP" map --format dot "$tmp/graph.json"
has "graph: dot says why it has no positions" "$tmp/graph-dot.err" \
	"xraytop map: note: 10000 nodes, more than the 200 laid out: the DOT has every node and edge, without positions"
is "graph: dot has every edge" "$(grep -c -- '->' "$tmp/graph-dot.out")" "$E"
run graph-svg 0 "$XRAYTOP" map --format svg "$tmp/graph.json"
has "graph: svg says it shows the busiest" "$tmp/graph-svg.err" \
	"xraytop map: note: 10000 nodes, more than the 200 laid out: the SVG shows the busiest of them"
is "graph: svg has 200 nodes" "$(grep -c 'class="node"' "$tmp/graph-svg.out")" 200
has "graph: ... and a caption that says so" "$tmp/graph-svg.out" "the 200 busiest of 10000 nodes"
tui graph-tui ":dump-screen $tmp/graph-tui.screen" "$tmp/graph.json"
has "graph: the TUI map says it shows the busiest 200" "$tmp/graph-tui.screen" "10000 nodes: the 200 busiest are shown"
# ... GetServiceGraph from the fake endpoint, 1,000 services a page
run graph-aws 0 "$XRAYTOP" map --since 1h --format json --quiet $EP
is "graph from the API: every node and edge" "$(njson "$tmp/graph-aws.out" "(len(j['nodes']), len(j['edges']))")" "(10000, $E)"
run graph-aws-svg 0 "$XRAYTOP" map --since 1h --format svg --quiet $EP
is "graph from the API: svg of 200 nodes" "$(grep -c 'class="node"' "$tmp/graph-aws-svg.out")" 200

# ---------------------------------------------------------------- (5) filters of 1 MB
run f-string 0 "$XRAYTOP" check-filter - < "$tmp/f-string.txt"
echo >> "$tmp/f-string.txt"
check "check-filter: a string of 1 MB prints back as it is" cmp "$tmp/f-string.out" "$tmp/f-string.txt"
run f-or 0 "$XRAYTOP" check-filter - < "$tmp/f-or.txt"
is "check-filter: 100,000 ORed terms" "$(grep -o 'annotation\.k = ' "$tmp/f-or.out" | wc -l | tr -d ' ')" 100000
run f-paren 2 "$XRAYTOP" check-filter - < "$tmp/f-paren.txt"
has "check-filter: 10,000 parentheses stop at the limit, with the column" "$tmp/f-paren.err" \
	"column 201: nesting deeper than 200 levels"
run f-not 2 "$XRAYTOP" check-filter - < "$tmp/f-not.txt"
has "check-filter: 100,000 NOTs stop at the limit, with the column" "$tmp/f-not.err" \
	"column 201: nesting deeper than 200 levels"
is "check-filter: only 160 characters around the error are shown" \
	"$(sed -n 2p "$tmp/f-not.err" | tr -d ' .' | wc -c | tr -d ' ')" 161
run f-not-arg 2 "$XRAYTOP" traces --filter "$(cat "$tmp/f-not.txt")" "$tmp/many.jsonl"
has "--filter: 100,000 NOTs stop at the limit" "$tmp/f-not-arg.err" "column 201: nesting deeper than 200 levels"
OR=$(want or_matches)
for f in string or paren not; do
	case $f in string) st=0 n=1 ;; or) st=0 n=$OR ;; *) st=2 n=0 ;; esac
	CFG=$tmp/cfg-$f
	run "g-$f-traces" $st env XRAYTOP_CONFIG="$CFG" "$XRAYTOP" traces --format ids --group big "$tmp/many.jsonl"
	is "--group of $f: $n traces" "$(grep -c . "$tmp/g-$f-traces.out")" $n
	run "g-$f-map" $st env XRAYTOP_CONFIG="$CFG" "$XRAYTOP" map --format json --group big "$tmp/many.jsonl"
	run "g-$f-noprefilter" $st env XRAYTOP_CONFIG="$CFG" "$XRAYTOP" traces --format ids --no-prefilter \
		--group big "$tmp/many.jsonl"
	check "--group of $f: the same traces without the prefilter" cmp "$tmp/g-$f-traces.out" "$tmp/g-$f-noprefilter.out"
done
is "--group of 100,000 ORed terms: the map counts $OR requests" \
	"$(njson "$tmp/g-or-map.out" "[n['count'] for n in j['nodes'] if n['name'] == 'web']")" "[$OR]"
has "--group of 10,000 parentheses: the group and the column are named" "$tmp/g-paren-traces.err" \
	"group 'big': column 201 of its filter: nesting deeper than 200 levels"
CFG=$tmp/cfg-or
tui or-tui ':filter group.name = "big"
:dump-screen '"$tmp/or-tui.screen" --view traces "$tmp/many.jsonl"
has "TUI, the group of 100,000 ORed terms: $OR traces match" "$tmp/or-tui.screen" "$OR of 1000 traces match"
CFG=/dev/null
tui not-tui ":dump-screen $tmp/not-tui.screen" --filter "$(cat "$tmp/f-not.txt")" "$tmp/many.jsonl"
has "TUI --filter of 100,000 NOTs: the error and its column" "$tmp/not-tui.log" \
	"filter: nesting deeper than 200 levels (at column 201)"

done_testing
