#!/bin/sh
# bench/soak.sh - `xraytop listen` held under load for SOAK_SECONDS
# (default 600) at SOAK_RATE datagrams/s (default 35,000), one datagram in
# five garbage of nine kinds, by the sender of tests/cli/listen-soak.sh
# (tests/cli/soak_send.py): the 10,000-trace datagrams workload sent again
# and again, each pass with fresh trace ids, so the store keeps evicting at
# its cap (SOAK_MAX_TRACES, default 10,000 as in xraytop).  Reports the RSS
# per minute (lowest and highest of the samples taken every second), the
# counters against what was sent, the kernel's drops, CPU per datagram, and
# the map against the truth of everything sent when nothing was lost
# (percentiles within 0.8 %: past 16,384 latencies a node or edge keeps a
# histogram; counts and sums exact).
#
# Run by bench/run.sh (make bench; BENCH_SOAK=no skips it), or alone: make
# bench-soak.  Environment: XRAYTOP, SHARED_DIR, BENCH_DIR, SOAK_SECONDS,
# SOAK_RATE, SOAK_MAX_TRACES, SOAK_GARBAGE (fraction, default 0.2).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${SHARED_DIR:=$top_srcdir/../shared}"
: "${BENCH_DIR:=${TMPDIR:-/tmp}/xraytop-bench}"
: "${XRAYTOP:=./xraytop}"
: "${SOAK_SECONDS:=600}"
: "${SOAK_RATE:=35000}"
: "${SOAK_MAX_TRACES:=10000}"
: "${SOAK_GARBAGE:=0.2}"
B=$SHARED_DIR/bench
d=$BENCH_DIR/soak
mkdir -p "$d"
dg=$BENCH_DIR/w10000.dg
dgtruth=$BENCH_DIR/w10000.dg.truth.json

echo
echo "== xraytop listen soak: $SOAK_SECONDS s at $SOAK_RATE datagrams/s, garbage $SOAK_GARBAGE, --max-traces $SOAK_MAX_TRACES"
if [ ! -s "$dg" ] || [ ! -s "$dgtruth" ]; then
	echo "generating the 10,000-trace datagrams file in $BENCH_DIR..."
	python3 "$B/gen-traces" --traces 10000 --seed 1 --format datagrams -o "$dg" \
		--truth "$dgtruth" --quiet || exit 1
fi

# queued PORT: bytes waiting in the UDP socket bound to 127.0.0.1:PORT.
queued() {
	awk -v p=":$(printf '%04X' "$1")" 'toupper($2) == "0100007F" p { split($5, q, ":"); print q[2]; exit }' \
		/proc/net/udp
}

rm -f "$d/listen.err" "$d/sent.json" "$d/map.json"
"$XRAYTOP" listen --listen 127.0.0.1:0 --duration $((SOAK_SECONDS + 600))s --map json \
	--max-traces "$SOAK_MAX_TRACES" -o "$d/map.json" 2> "$d/listen.err" &
pid=$!
trap 'kill -9 $pid 2> /dev/null' EXIT
i=0
port=
while [ -z "$port" ] && [ $i -lt 100 ] && kill -0 $pid 2> /dev/null; do
	sleep 0.1
	port=$(sed -n 's/^xraytop: listening on 127\.0\.0\.1:\([0-9]*\) (udp)$/\1/p' "$d/listen.err")
	i=$((i + 1))
done
if [ -z "$port" ]; then
	echo "xraytop listen did not start:"
	cat "$d/listen.err"
	exit 1
fi

python3 "$top_srcdir/tests/cli/soak_send.py" "$dg" --port "$port" --rate "$SOAK_RATE" \
	--duration "$SOAK_SECONDS" --garbage "$SOAK_GARBAGE" --rss-pid $pid \
	--truth "$dgtruth" --truth-out "$d/truth.json" --summary "$d/sent.json" || exit 1

# Let it read what is queued (2 minutes at most), then stop it.
i=0
while [ "$(queued "$port")" != 00000000 ] && [ $i -lt 1200 ] && kill -0 $pid 2> /dev/null; do
	sleep 0.1
	i=$((i + 1))
done
hwm=$(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB$/\1/p' /proc/$pid/status)
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' /proc/$pid/stat)
kill -INT $pid
i=0
while kill -0 $pid 2> /dev/null && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 $pid 2> /dev/null && kill -9 $pid
wait $pid
status=$?
trap - EXIT

summary=$(grep '^xraytop: received ' "$d/listen.err" | tail -n 1)
dropped=$(echo "$summary" | sed -n 's/.*, dropped \([0-9]*\),.*/\1/p')
received=$(echo "$summary" | sed -n 's/^xraytop: received \([0-9]*\),.*/\1/p')
echo "$summary (exit status $status)"
python3 - "$d/sent.json" "$d/listen.err" "${hwm:-0}" "${cpu:-0}" "$SOAK_MAX_TRACES" <<'PY'
import json, re, sys
s = json.load(open(sys.argv[1]))
line = [l for l in open(sys.argv[2]) if l.startswith("xraytop: received ")][-1]
got = dict((k, int(v)) for k, v in re.findall(r"([a-z-]+) (\d+)", line))
hwm, cpu, cap = int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
print("sent %d datagrams (%d good, %d garbage) in %.1f s: %.0f/s; %d passes of %d traces, %d traces in all"
      % (s["sent"], s["good"], s["garbage"], s["seconds"], s["rate"], s["passes"],
         s["traces_per_pass"], s["traces"]))
lost = s["sent"] - got["received"] - got["dropped"]
print("received %d, dropped by the kernel %d, unaccounted %d; parsed %d of %d good; invalid %d of %d garbage"
      % (got["received"], got["dropped"], lost, got["parsed"], s["good"], got.get("invalid", 0), s["garbage"]))
print("%-14s %10s %10s" % ("reason", "sent", "counted"))
for r, n in s["invalid_by_reason"].items():
    print("%-14s %10d %10d%s" % (r, n, got.get(r, 0), "" if got.get(r, 0) == n else "  (differs)"))
print("traces held %d (cap %d), evicted %d; largest interleaving of the workload %d traces (%s the cap)"
      % (got["traces"], cap, got["evicted"], s["max_open_traces"],
         "under" if s["max_open_traces"] < cap - cap // 16 else "NOT under"))
print("CPU %.1f s: %.1f us per datagram received; peak RSS (VmHWM) %.1f MiB"
      % (cpu, cpu * 1e6 / max(got["received"], 1), hwm / 1024))
print("RSS per minute (MiB, 1-s samples):")
print("%8s %8s %8s %8s" % ("minute", "min", "max", "samples"))
per = {}
for t, r in s["rss_kib"]:
    if r is not None:
        per.setdefault(int(t // 60), []).append(r)
for m in sorted(per):
    print("%8d %8.1f %8.1f %8d" % (m + 1, min(per[m]) / 1024, max(per[m]) / 1024, len(per[m])))
PY
if [ "${dropped:-1}" -eq 0 ] && [ -n "$received" ]; then
	python3 "$B/check-truth" "$d/truth.json" "$d/map.json" --pct-rel 0.008 > "$d/check" 2>&1
	echo "map against the truth of everything sent: $(tail -n 1 "$d/check")"
else
	echo "map against the truth: not compared (${dropped:-?} datagrams dropped)"
fi
