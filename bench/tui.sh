#!/bin/sh
# bench/tui.sh WORKLOAD - the TUI's numbers, from the headless
# mode with the workload loaded (100,000 traces by default):
#  - layout: the map of the workload (38 nodes) laid out from scratch 50
#    times, as the map view does when it opens (Graphviz dot in process and
#    the conversion to cells);
#  - redraw after a key: from the key to the frame handed to the terminal
#    (ncurses compares it with the screen and sends the difference; here the
#    terminal is /dev/null), for movement keys in the trace list (100,000
#    rows), in the map, and in the timeline of the slowest trace.
# Median and 99th percentile; the goal is a median of at most 5 ms and a
# p99 of at most 16 ms.
set -u
: "${BENCH_DIR:=/tmp/xraytop-bench}"
: "${XRAYTOP:=./xraytop}"
w=$1
times=$BENCH_DIR/tui.times
script=$BENCH_DIR/tui.script

keys() {
	# keys N KEY...: each of the keys, N rounds
	n=$1
	shift
	i=0
	while [ $i -lt "$n" ]; do
		for k in "$@"; do
			echo "$k"
		done
		i=$((i + 1))
	done
}
{
	echo ":export json $BENCH_DIR/tui.map.json"
	echo ":bench-layout 50"
	echo "2"
	echo ":bench-mark traces"
	keys 60 j j j k
	keys 15 "<PgDn>" "<PgDn>" "<PgUp>"
	keys 5 G g
	echo ":bench-mark map"
	echo "1"
	echo ":bench-mark map-keys"
	keys 25 l j h k "<Tab>" "<Tab>"
	echo "2"
	echo "<Enter>"
	echo ":bench-mark timeline"
	keys 40 j j k
	keys 10 e s
	echo ":bench-mark end"
} > "$script"

rm -f "$times"
/usr/bin/time -f "%e %M" -o "$BENCH_DIR/tui.time" env XRAYTOP_NO_DISPLAY=1 XRAYTOP_SCRIPT="$script" \
	XRAYTOP_BENCH="$times" XRAYTOP_CONFIG=/dev/null LINES=30 COLUMNS=120 TERM=xterm-256color \
	LC_ALL=C.UTF-8 "$XRAYTOP" "$w" > /dev/null 2> "$BENCH_DIR/tui.err"
rc=$?
read -r wall rss < "$BENCH_DIR/tui.time"
echo
echo "== the TUI, headless 120x30, $(basename "$w") loaded (wall $wall s, peak RSS $((rss / 1024)) MiB)"
if [ $rc -ne 0 ]; then
	echo "xraytop failed (status $rc):"
	head -n 5 "$BENCH_DIR/tui.err"
	exit 1
fi
shape=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print('%d nodes, %d edges' % (len(m['nodes']), len(m['edges'])))" "$BENCH_DIR/tui.map.json")
echo "the map: $shape"
awk '
function report(name, n, v,   i, j, t, med, p99) {
	if (n == 0) { printf "%-46s (no samples)\n", name; return }
	for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
	med = v[int((n + 1) / 2)]
	p99 = v[int(n * 0.99 + 0.999999)]
	printf "%-46s median %6.2f ms   p99 %6.2f ms   (%d samples)\n", name, med * 1000, p99 * 1000, n
	if (med > 0.005 || p99 > 0.016) miss = miss " " name
}
/^layout / { lay[++nl] = $2 }
/^layout-view / { if ($2 > first) first = $2 }
/^mark / { sect = $2 }
/^key / && sect == "traces" { tr[++nt] = $3 }
/^key / && sect == "map-keys" { mp[++nm] = $3 }
/^key / && sect == "timeline" { tl[++ntl] = $3 }
/^key / { all[++na] = $3 }
END {
	if (first != "")
		printf "%-46s %6.2f ms (Graphviz starting up included)\n", "layout as the map opened", first * 1000
	report("map layout (dot, in cells)", nl, lay)
	report("redraw after a key: trace list", nt, tr)
	report("redraw after a key: map", nm, mp)
	report("redraw after a key: timeline", ntl, tl)
	report("redraw after a key: all", na, all)
	printf "goal: median <= 5 ms, p99 <= 16 ms: %s\n", miss == "" ? "met" : "missed by" miss
}' "$times"
