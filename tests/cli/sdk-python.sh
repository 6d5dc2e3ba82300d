#!/bin/sh
# End to end with the real AWS X-Ray SDK for Python: a two-service Flask
# shop (tests/sdk/python) sends its segments over UDP to `xraytop listen`,
# and the map xraytop prints is exactly what the request driver made the
# shop do.  See tests/sdk/README.md.
. "$(dirname "$0")/lib.sh"
SDK=$top_srcdir/tests/sdk

for m in aws_xray_sdk flask boto3 requests moto; do
	if ! "$PYTHON3" -c "import $m" 2> /dev/null; then
		echo "Bail out! python module $m is missing (pip install aws-xray-sdk flask boto3 requests 'moto[server]')"
		exit 99
	fi
done

want=$("$PYTHON3" "$SDK/python/driver.py" --datagrams)
check "the plan sends a known number of datagrams ($want)" test "$want" -gt 0

# The listener: a free port, stops by itself once every datagram arrived.
timeout 60 "$XRAYTOP" listen --listen 127.0.0.1:0 --count "$want" --duration 50s \
	--map json -o "$tmp/map.json" --record "$tmp/rec.jsonl" 2> "$tmp/listen.err" &
lpid=$!
trap 'kill $lpid 2> /dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP
port=$("$PYTHON3" "$SDK/sdktest.py" port "$tmp/listen.err" 10)
if [ -z "$port" ]; then
	not_ok "xraytop listen reports its port"
	diag < "$tmp/listen.err"
	done_testing
	exit 1
fi
ok "xraytop listen reports its port ($port)"

# The shop, driven through its plan.
mkdir "$tmp/run"
check "the Python shop answers every request as planned" \
	timeout 50 "$PYTHON3" "$SDK/python/driver.py" --daemon "127.0.0.1:$port" \
	--work "$tmp/run" --truth "$tmp/truth.json"
if [ ! -s "$tmp/truth.json" ]; then
	for f in "$tmp"/run/*.log; do
		[ -s "$f" ] && { echo "$f:"; tail -n 15 "$f"; } | diag
	done
fi

# Every datagram was sent when the driver returned: give the listener 10 s.
i=0
while kill -0 $lpid 2> /dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 $lpid 2> /dev/null; then
	kill $lpid
	wait $lpid
	not_ok "xraytop listen stops by itself after $want datagrams"
	echo "still running 10 s after the driver ended; stopped it" | diag
	tail -n 20 "$tmp/listen.err" | diag
elif wait $lpid; then
	ok "xraytop listen stops by itself after $want datagrams"
else
	not_ok "xraytop listen stops by itself after $want datagrams"
	echo "exit status $?" | diag
	tail -n 20 "$tmp/listen.err" | diag
fi

check "the map is exactly the driver's nodes, edges and counts" \
	"$PYTHON3" "$SDK/sdktest.py" compare "$tmp/truth.json" "$tmp/map.json"
check "the recording holds every planned segment of every trace" \
	"$PYTHON3" "$SDK/sdktest.py" recording "$tmp/rec.jsonl" "$tmp/truth.json" exact
"$XRAYTOP" map --format json -o "$tmp/replay.json" "$tmp/rec.jsonl" 2> "$tmp/replay.err"
check "replaying the recording gives the same map" cmp "$tmp/replay.json" "$tmp/map.json"
"$PYTHON3" "$SDK/sdktest.py" ids "$tmp/truth.json" > "$tmp/ids.want"
"$XRAYTOP" traces --format ids "$tmp/rec.jsonl" > "$tmp/ids" 2> "$tmp/ids.err"
check "the recording's traces are exactly the driver's requests" cmp "$tmp/ids" "$tmp/ids.want"

done_testing
