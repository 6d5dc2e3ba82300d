#!/bin/sh
# The live collector in a real terminal: the real AWS X-Ray SDK for Python
# (the shop of tests/sdk/python) sends its segments to the TUI's UDP port,
# and the trace list grows on screen while they arrive; in the end the map
# is exactly what the request driver made the shop do (tests/sdk/README.md).
. "$(dirname "$0")/tmux-lib.sh"
SDK=$top_srcdir/tests/sdk

for m in aws_xray_sdk flask boto3 requests moto; do
	if ! "$PYTHON3" -c "import $m" 2> /dev/null; then
		echo "Bail out! python module $m is missing (pip install aws-xray-sdk flask boto3 requests 'moto[server]')"
		exit 99
	fi
done
want=$("$PYTHON3" "$SDK/python/driver.py" --datagrams)

start 120 30 "$XRAYTOP" --listen 127.0.0.1:0
see "started, listening" "live 127.0.0.1:"
port=$(capture | sed -n 's/.* live 127\.0\.0\.1:\([0-9]*\) .*/\1/p' | head -n 1)
[ -n "$port" ] && ok "the status bar names the port ($port)" || not_ok "the status bar names the port"
keys 2
see "the trace list, empty" "no traces in the data"

mkdir "$tmp/work"
timeout 60 "$PYTHON3" "$SDK/python/driver.py" --daemon "127.0.0.1:$port" --work "$tmp/work" \
    --truth "$tmp/truth.json" > "$tmp/driver.out" 2>&1 &
dpid=$!
# Watch the list while the shop runs: the count of traces it shows.
: > "$tmp/seen"
while kill -0 $dpid 2> /dev/null; do
	capture | sed -n 's/^ \([0-9]*\) traces  sorted.*/\1/p' >> "$tmp/seen"
	sleep 0.05
done
wait $dpid && ok "the Python shop answered as planned" || { not_ok "the Python shop answered as planned"; tail -n 20 "$tmp/driver.out" | diag; }
requests=$("$PYTHON3" -c "import json; print(len(json.load(open('$tmp/truth.json'))['requests']))" 2> /dev/null)
see "every datagram arrived" "$want recv 0 invalid 0 dropped" 15
see "every request is a trace on the list" "$requests traces  sorted by RESPONSE" 15
partial=$(sort -un "$tmp/seen" | awk -v n="$requests" '$1 > 0 && $1 < n' | wc -l)
[ "$partial" -ge 1 ] && ok "the list grew on screen while the shop ran ($partial counts in between)" ||
    { not_ok "the list grew on screen while the shop ran"; sort -un "$tmp/seen" | tr '\n' ' ' | diag; }

keys : e x p o r t Space j s o n Space "$tmp/live.json" Enter
see ":export json" "map written to"
check "the map is exactly the driver's nodes, edges and counts" \
	"$PYTHON3" "$SDK/sdktest.py" compare "$tmp/truth.json" "$tmp/live.json"
keys 1
see "the map" "shop-web"
keys q
st=$(wait_exit)
[ "$st" = 0 ] && ok "q quits" || { not_ok "q quits"; echo "$st" | diag; }
restored "the terminal is restored"

done_testing
