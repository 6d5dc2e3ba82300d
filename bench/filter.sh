#!/bin/sh
# bench/filter.sh - part of `make bench`: `xraytop traces --filter` beside
# `baseline-map --filter` (the bench kit's Python baseline) on the same
# workload, in the same run, one after the other; both id lists checked
# by check-truth, and compared with each other.
#
# Usage: filter.sh WORKLOAD.jsonl TRUTH.json
# Environment: SHARED_DIR, BENCH_DIR (scratch files), XRAYTOP.
set -u
w=$1
truth=$2
B=$SHARED_DIR/bench
cat "$w" > /dev/null   # into the page cache, for both

# run NAME COMMAND...: "wall peak-RSS-KiB user+sys" into $BENCH_DIR/NAME.time
run() {
	name=$1
	shift
	/usr/bin/time -f "%e %M %U %S" -o "$BENCH_DIR/$name.time" "$@"
}

bytes=$(stat -L -c %s "$w")
echo
echo "== trace filter, $(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}') MB: xraytop traces --filter vs baseline-map --filter"
printf "%-58s %8s %9s %8s %7s  %s\n" "expression / tool" "wall s" "RSS MiB" "CPU s" "traces" "check-truth"
n=0
for expr in 'annotation.tenant = "acme" AND responsetime > 0.25' \
    'service("payment-service") AND responsetime > 0.5'; do
	n=$((n + 1))
	run "f$n.baseline" python3 "$B/baseline-map" --filter "$expr" "$w" -o "$BENCH_DIR/f$n.baseline.ids" 2>/dev/null
	run "f$n.xraytop" "$XRAYTOP" traces --format ids --filter "$expr" -o "$BENCH_DIR/f$n.xraytop.ids" "$w"
	run "f$n.full" "$XRAYTOP" traces --format ids --no-prefilter --filter "$expr" -o "$BENCH_DIR/f$n.full.ids" "$w"
	echo "$expr"
	for tool in baseline xraytop full; do
		python3 "$B/check-truth" "$truth" --filter "$expr" --ids "$BENCH_DIR/f$n.$tool.ids" \
		    > "$BENCH_DIR/f$n.$tool.check" 2>&1
		read -r wall rss usr sys < "$BENCH_DIR/f$n.$tool.time"
		case $tool in
		baseline) label="  baseline-map --filter (Python)" ;;
		xraytop) label="  xraytop traces --filter" ;;
		full) label="  xraytop traces --filter --no-prefilter" ;;
		esac
		printf "%-58s %8.2f %9.1f %8.2f %7d  %s\n" "$label" "$wall" "$(awk -v r="$rss" 'BEGIN{print r/1024}')" \
		    "$(awk -v u="$usr" -v s="$sys" 'BEGIN{print u+s}')" "$(wc -l < "$BENCH_DIR/f$n.$tool.ids")" \
		    "$(head -n 1 "$BENCH_DIR/f$n.$tool.check" | cut -c1-5)"
	done
	read -r bt _ _ _ < "$BENCH_DIR/f$n.baseline.time"
	read -r xt _ _ _ < "$BENCH_DIR/f$n.xraytop.time"
	same=different
	cmp -s "$BENCH_DIR/f$n.baseline.ids" "$BENCH_DIR/f$n.xraytop.ids" && same="the same ids"
	cmp -s "$BENCH_DIR/f$n.full.ids" "$BENCH_DIR/f$n.xraytop.ids" || same="$same (NOT the same as --no-prefilter)"
	awk -v bt="$bt" -v xt="$xt" -v s="$same" 'BEGIN {
		printf "  speed-up over the baseline: %.1fx%s; xraytop and the baseline list %s\n",
		    bt / (xt > 0 ? xt : 0.01), "", s
	}'
done
