#!/bin/sh
# bench/run.sh - `make bench`: xraytop beside the Python baseline of the
# shared bench kit, in the same run, on the standard workload; then the
# live listener against the kit's UDP replayer at rising rates.
#
# Environment: SHARED_DIR (the shared folder), BENCH_DIR (where generated
# workloads are kept between runs; default /tmp/xraytop-bench),
# BENCH_TRACES (default 100000), XRAYTOP (the binary), CJSON_RATE,
# BENCH_RATES (the listener's rates), BENCH_LISTEN=no (skip the listener),
# BENCH_FILTER=no (skip the filter comparison), BENCH_SOAK=no (skip the
# listener's soak, bench/soak.sh; SOAK_SECONDS sets its length).
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

# ---------------------------------------------------------------- filters
# `traces --filter` against `baseline-map --filter` (bench/filter.sh).
[ "${BENCH_FILTER:-yes}" = no ] || SHARED_DIR=$SHARED_DIR BENCH_DIR=$BENCH_DIR XRAYTOP=$XRAYTOP \
	sh "$top_srcdir/bench/filter.sh" "$w" "$truth"

# ---------------------------------------------------------------- the AWS source
[ "${BENCH_AWS:-yes}" = no ] || top_srcdir=$top_srcdir SHARED_DIR=$SHARED_DIR BENCH_DIR=$BENCH_DIR \
	XRAYTOP=$XRAYTOP sh "$top_srcdir/bench/aws.sh"

# ---------------------------------------------------------------- the TUI
[ "${BENCH_TUI:-yes}" = no ] || BENCH_DIR=$BENCH_DIR XRAYTOP=$XRAYTOP sh "$top_srcdir/bench/tui.sh" "$w"

# ---------------------------------------------------------------- the soak
# The listener for SOAK_SECONDS (default 10 minutes) at a high rate with
# garbage mixed in: RSS over time, counters, drops, truth (bench/soak.sh).
[ "${BENCH_SOAK:-yes}" = no ] || top_srcdir=$top_srcdir SHARED_DIR=$SHARED_DIR BENCH_DIR=$BENCH_DIR \
	XRAYTOP=$XRAYTOP sh "$top_srcdir/bench/soak.sh"

# ---------------------------------------------------------------- the listener
# `xraytop listen` against replay-udp: a 10,000-trace datagrams file
# (59,499 datagrams) replayed at rising rates, each held for 10 s (--loop:
# after the first pass the same documents come again, so the store holds
# its cap of 10,000 traces and keeps replacing their documents).  Loss is
# what replay-udp sent minus what xraytop received; the kernel's count of
# drops on the socket is shown beside it.  CPU is xraytop's user + system
# seconds per datagram received.  replay-udp (Python) itself needs one of
# the machine's cores, so xraytop has the other: "others" is the CPU time
# other programs took meanwhile, which xraytop then lacks (a run on a busy
# machine loses datagrams that a quiet one does not).  BENCH_RATES
# overrides the rates.
[ "${BENCH_LISTEN:-yes}" = no ] && exit 0
: "${BENCH_RATES:=10000 25000 50000 60000 75000 100000}"
dg=$BENCH_DIR/w10000.dg
dgtruth=$BENCH_DIR/w10000.dg.truth.json
if [ ! -s "$dg" ] || [ ! -s "$dgtruth" ]; then
	echo "generating the 10,000-trace datagrams file in $BENCH_DIR..."
	python3 "$B/gen-traces" --traces 10000 --seed 1 --format datagrams -o "$dg" \
		--truth "$dgtruth" || exit 1
fi
ndg=$(($(wc -l < "$dg") / 2))

# busy: CPU seconds used by the whole machine so far (/proc/stat, USER_HZ 100).
busy() {
	awk '/^cpu / { print ($2 + $3 + $4 + $7 + $8 + $9) / 100 }' /proc/stat
}

# listen NAME REPLAY-ARGS...: one run; prints "sent received dropped wall
# rss cpu others", others being the CPU seconds that neither xraytop nor
# replay-udp used meanwhile (other work on the machine).
listen() {
	name=$1
	shift
	err=$BENCH_DIR/$name.err
	rm -f "$err"
	/usr/bin/time -f "%e %M %U %S" -o "$BENCH_DIR/$name.time" \
		"$XRAYTOP" listen --listen 127.0.0.1:0 --duration 120s --map json \
		-o "$BENCH_DIR/$name.map.json" 2> "$err" &
	tpid=$!
	i=0
	while ! grep -q '^xraytop: listening on' "$err" 2> /dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	port=$(sed -n 's/^xraytop: listening on .*:\([0-9]*\) (udp)$/\1/p' "$err")
	b0=$(busy)
	/usr/bin/time -f "%U %S" -o "$BENCH_DIR/$name.rtime" \
		python3 "$B/replay-udp" "${file:-$dg}" --port "$port" "$@" 2> "$BENCH_DIR/$name.replay"
	sleep 1
	pkill -INT -P $tpid -x xraytop 2> /dev/null
	wait $tpid
	b1=$(busy)
	sent=$(sed -n 's/.*"sent": \([0-9]*\).*/\1/p' "$BENCH_DIR/$name.replay")
	got=$(sed -n 's/^xraytop: received \([0-9]*\),.*/\1/p' "$err")
	drop=$(sed -n 's/.*, dropped \([0-9]*\),.*/\1/p' "$err")
	read -r wall rss usr sys < "$BENCH_DIR/$name.time"
	read -r rusr rsys < "$BENCH_DIR/$name.rtime"
	echo "${sent:-0} ${got:-0} ${drop:-0} $wall $rss $(awk -v u="$usr" -v s="$sys" -v ru="$rusr" \
	    -v rs="$rsys" -v b0="$b0" -v b1="$b1" 'BEGIN{o = b1 - b0 - u - s - ru - rs;
	    print u + s, (o > 0 ? o : 0)}')"
}

echo
echo "== xraytop listen: $ndg datagrams (10,000 traces) replayed by replay-udp, 10 s per rate"
printf "%10s %10s %10s %10s %10s %8s %14s %10s %8s\n" "rate/s" "achieved" "sent" "received" "lost" \
	"dropped" "peak RSS MiB" "CPU us/dg" "others s"
best=0
for rate in $BENCH_RATES; do
	set -- $(listen "rate$rate" --rate "$rate" --duration 10 --count $((rate * 10)) --loop)
	sent=$1 got=$2 drop=$3 wall=$4 rss=$5 cpu=$6 others=$7
	achieved=$(sed -n 's/.*"rate": \([0-9.]*\).*/\1/p' "$BENCH_DIR/rate$rate.replay")
	printf "%10d %10.0f %10d %10d %10d %8d %14.1f %10.1f %8.1f\n" "$rate" "${achieved:-0}" "$sent" \
		"$got" $((sent - got)) "$drop" "$(echo "$rss" | awk '{print $1 / 1024}')" \
		"$(awk -v c="$cpu" -v n="$got" 'BEGIN{print (n > 0 ? c * 1e6 / n : 0)}')" "$others"
	if [ "$sent" -gt 0 ] && [ "$got" -eq "$sent" ]; then
		best=$(awk -v a="${achieved:-0}" -v b="$best" 'BEGIN{print (a > b ? a : b)}')
	fi
done
printf "highest rate held for 10 s with zero loss: %.0f datagrams/s (goal: 50,000)\n" "$best"

# Fresh traces at the goal rate: the standard workload above (segments;
# replay-udp adds the header), so the store keeps evicting at its cap.
set -- $(file=$w listen fresh --rate 50000 --duration 10 --count 500000)
printf "fresh traces (the %s-trace workload, eviction at the cap) at 50000/s: %d sent, %d received, %d lost; peak RSS %.1f MiB; CPU %.1f us/dg; %s traces evicted; others %.1f s\n" \
	"$BENCH_TRACES" "$1" "$2" $(($1 - $2)) "$(echo "$5" | awk '{print $1 / 1024}')" \
	"$(awk -v c="$6" -v n="$2" 'BEGIN{print (n > 0 ? c * 1e6 / n : 0)}')" \
	"$(sed -n 's/.*, evicted \([0-9]*\).*/\1/p' "$BENCH_DIR/fresh.err")" "$7"

# One pass of the file at a rate held without loss: the map against the truth.
pass=$(awk -v b="$best" 'BEGIN{r = int(b / 1000) * 1000; print (r >= 10000 ? r : 10000)}')
set -- $(listen pass --rate "$pass" --duration 60)
if [ "$1" -gt 0 ] && [ "$2" -eq "$1" ]; then
	python3 "$B/check-truth" "$dgtruth" "$BENCH_DIR/pass.map.json" > "$BENCH_DIR/pass.check" 2>&1
	echo "one pass at $pass/s, nothing lost ($2 datagrams, peak RSS $(($5 / 1024)) MiB at 10,000 traces): $(head -n 1 "$BENCH_DIR/pass.check")"
else
	echo "one pass at $pass/s: $(($1 - $2)) of $1 datagrams lost; no comparison with the truth"
fi
