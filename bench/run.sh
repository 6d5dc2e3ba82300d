#!/bin/sh
# bench/run.sh - `make bench`: xraytop beside the Python baseline of the
# shared bench kit, in the same run, on the standard workload.
#
# Environment: SHARED_DIR (the shared folder), BENCH_DIR (where generated
# workloads are kept between runs; default /tmp/xraytop-bench),
# BENCH_TRACES (default 100000), XRAYTOP (the binary), CJSON_RATE.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${SHARED_DIR:=$top_srcdir/../shared}"
: "${BENCH_DIR:=/tmp/xraytop-bench}"
: "${BENCH_TRACES:=100000}"
: "${XRAYTOP:=./xraytop}"
: "${CJSON_RATE:=./bench/cjson-rate}"
B=$SHARED_DIR/bench
mkdir -p "$BENCH_DIR"
w=$BENCH_DIR/w$BENCH_TRACES.jsonl
truth=$BENCH_DIR/w$BENCH_TRACES.truth.json

if [ ! -s "$w" ] || [ ! -s "$truth" ]; then
	echo "generating the $BENCH_TRACES-trace workload in $BENCH_DIR (about a minute per 100k traces)..."
	python3 "$B/gen-traces" --traces "$BENCH_TRACES" --seed 1 -o "$w" --truth "$truth" || exit 1
fi
cat "$w" > /dev/null   # into the page cache, as the baseline's table was measured

# run NAME COMMAND...: wall seconds and peak RSS (KiB) into $NAME.time
run() {
	name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$BENCH_DIR/$name.time" "$@"
}

bytes=$(stat -L -c %s "$w")
echo "== service map, $BENCH_TRACES traces ($(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}') MB, segments format)"
run baseline python3 "$B/baseline-map" "$w" -o "$BENCH_DIR/baseline.map.json"
run xraytop "$XRAYTOP" map --format json -o "$BENCH_DIR/xraytop.map.json" "$w"
python3 "$B/check-truth" "$truth" "$BENCH_DIR/xraytop.map.json" > "$BENCH_DIR/xraytop.check" 2>&1
xt_agree=$(head -n 1 "$BENCH_DIR/xraytop.check")
python3 "$B/check-truth" "$truth" "$BENCH_DIR/baseline.map.json" > "$BENCH_DIR/baseline.check" 2>&1
bl_agree=$(head -n 1 "$BENCH_DIR/baseline.check")
cj=$("$CJSON_RATE" "$w")

read -r bt bm < "$BENCH_DIR/baseline.time"
read -r xt xm < "$BENCH_DIR/xraytop.time"
awk -v bt="$bt" -v bm="$bm" -v xt="$xt" -v xm="$xm" -v bytes="$bytes" -v cj="$cj" \
    -v xa="$xt_agree" -v ba="$bl_agree" 'BEGIN {
	split(cj, c, " ")
	printf "%-28s %10s %14s %10s\n", "", "wall s", "peak RSS MiB", "MB/s"
	printf "%-28s %10.2f %14.1f %10.1f\n", "baseline-map (Python)", bt, bm / 1024, bytes / 1e6 / bt
	printf "%-28s %10.2f %14.1f %10.1f\n", "xraytop map", xt, xm / 1024, bytes / 1e6 / (xt > 0 ? xt : 0.01)
	printf "%-28s %10.2f %14s %10.1f\n", "cJSON raw parse (1 thread)", c[3], "-", c[1]
	printf "speed-up: %.1fx   memory: %.2f of the baseline\n", bt / (xt > 0 ? xt : 0.01), xm / bm
	printf "xraytop:  %s\nbaseline: %s\n", xa, ba
}'
