#!/bin/sh
# bench/aws.sh - fetching 1,000 full traces from the fake X-Ray endpoint
# with 50 ms added to every answer: xraytop against a shell loop of
# `aws xray batch-get-traces` calls with 5 ids each (what a script does
# today), on the same fake in the same run.  The fake logs the arrival time
# of every request: the report shows the busiest second of each xraytop
# run against the rate it was configured with.
#
# Run by bench/run.sh (make bench), or alone: make bench-aws.
# Environment: XRAYTOP, SHARED_DIR, BENCH_DIR, AWSCLI (default aws),
# BENCH_AWS_TRACES (default 1000).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${SHARED_DIR:=$top_srcdir/../shared}"
: "${BENCH_DIR:=/tmp/xraytop-bench}"
: "${XRAYTOP:=./xraytop}"
: "${AWSCLI:=aws}"
: "${BENCH_AWS_TRACES:=1000}"
n=$BENCH_AWS_TRACES
d=$BENCH_DIR/aws
mkdir -p "$d"

echo
echo "== AWS source: $n full traces from the fake X-Ray endpoint, 50 ms added per call"
if ! command -v "$AWSCLI" > /dev/null 2>&1; then
	echo "the AWS CLI is not installed: no baseline (Debian: apt-get install awscli)"
	exit 1
fi

# a clean AWS environment: the fake's keys, no profile, no instance metadata
for v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
export AWS_ACCESS_KEY_ID=AKIDBENCH00000000001 AWS_SECRET_ACCESS_KEY=bench/secret/key
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
echo '{"AKIDBENCH00000000001": "bench/secret/key"}' > "$d/keys.json"

now=$(date +%s)
python3 "$SHARED_DIR/bench/gen-traces" --traces "$n" --seed 21 --format batch --api-inferred \
	--start-time $((now - 1800)) --out "$d/traces.jsonl" --quiet || exit 1
rm -f "$d/port" "$d/fake.log"
python3 "$top_srcdir/tests/aws/fake_xray.py" --port-file "$d/port" --keys "$d/keys.json" \
	--traces "$d/traces.jsonl" --delay 0.05 --log "$d/fake.log" --write-truth "$d/truth.json" \
	--exit-after 1800 2> "$d/fake.err" &
fpid=$!
trap 'kill $fpid 2> /dev/null' EXIT
i=0
while [ ! -s "$d/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
url="http://127.0.0.1:$(cat "$d/port")"
python3 -c "import json; print('\n'.join(sorted(json.load(open('$d/truth.json'))['traces'])))" > "$d/ids"

# xraytop RUN-NAME ARGS...: one fetch; wall seconds into $d/NAME.time
xt() {
	name=$1
	shift
	: > "$d/fake.log"
	/usr/bin/time -f "%e" -o "$d/$name.time" "$XRAYTOP" traces --since 1h --full --fetch-limit "$n" \
		--format ids --quiet --endpoint-url "$url" "$@" > "$d/$name.ids" 2> "$d/$name.err"
	cp "$d/fake.log" "$d/$name.log"
}
# the busiest one-second window of a run's requests
busiest() {
	python3 -c "
import json
t=sorted(json.loads(l)['t'] for l in open('$1'))
print(max(sum(1 for u in t[i:i+1000] if u - t[i] < 1.0) for i in range(len(t))) if t else 0, len(t))"
}

xt default
xt rate50 --rate 50

# the baseline: the AWS CLI, 5 ids a call, one call after another
: > "$d/fake.log"
start=$(python3 -c 'import time; print(time.time())')
xargs -n 5 < "$d/ids" > "$d/batches"
calls=0
while read -r batch; do
	"$AWSCLI" xray batch-get-traces --trace-ids $batch --endpoint-url "$url" --output json \
		>> "$d/baseline.out" 2>> "$d/baseline.err"
	calls=$((calls + 1))
done < "$d/batches"
bt=$(python3 -c "import time; print(round(time.time() - $start, 2))")
got=$(python3 -c "
import json,re
ids=set(re.findall(r'\"Id\": \"(1-[0-9a-f]{8}-[0-9a-f]{24})\"', open('$d/baseline.out').read()))
print(len(ids & set(open('$d/ids').read().split())))")

read -r t1 < "$d/default.time"
read -r t2 < "$d/rate50.time"
set -- $(busiest "$d/default.log")
b1=$1 r1=$2
set -- $(busiest "$d/rate50.log")
b2=$1 r2=$2
ok1=$(cmp -s "$d/default.ids" "$d/ids" && echo "all $n" || echo "WRONG")
ok2=$(cmp -s "$d/rate50.ids" "$d/ids" && echo "all $n" || echo "WRONG")
printf "%-44s %8s %9s %14s %12s\n" "" "wall s" "requests" "busiest second" "traces"
printf "%-44s %8.2f %9d %14s %12s\n" "aws xray batch-get-traces loop (5 ids/call)" "$bt" "$calls" "-" "$got"
printf "%-44s %8.2f %9d %14s %12s\n" "xraytop traces --full (default --rate 20)" "$t1" "$r1" "$b1 (limit 20)" "$ok1"
printf "%-44s %8.2f %9d %14s %12s\n" "xraytop traces --full --rate 50" "$t2" "$r2" "$b2 (limit 50)" "$ok2"
awk -v b="$bt" -v x="$t1" -v y="$t2" 'BEGIN {
	printf "speed-up over the AWS CLI loop: %.1fx at the default rate, %.1fx at --rate 50 (goal: 10x)\n", b / x, b / y
}'
[ "$b1" -le 20 ] && [ "$b2" -le 50 ] && echo "the configured rate was never exceeded (from the fake's log of arrival times)" \
	|| echo "THE CONFIGURED RATE WAS EXCEEDED"
echo "(xraytop also pages GetTraceSummaries for the ids; the loop is given them)"
