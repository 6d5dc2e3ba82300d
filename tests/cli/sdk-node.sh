#!/bin/sh
# End to end with the real AWS X-Ray SDK for Node.js: an express shop
# (tests/sdk/node) sends its segments, and the subsegments the SDK streams
# separately, over UDP to `xraytop listen`; the map xraytop prints is
# exactly what the request driver made the shop do.  The SDK comes from
# npm (package-lock.json), installed once into the build tree.  See
# tests/sdk/README.md.
. "$(dirname "$0")/lib.sh"
SDK=$top_srcdir/tests/sdk

for m in boto3 moto; do
	if ! "$PYTHON3" -c "import $m" 2> /dev/null; then
		echo "Bail out! python module $m is missing (pip install boto3 'moto[server]')"
		exit 99
	fi
done
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
	echo "Bail out! node and npm are needed (Debian: apt-get install nodejs npm; ./bootstrap.sh does it)"
	exit 99
fi

# The SDK from npm, once: again only when package-lock.json changes.
npmdir=$top_builddir/tests/sdk/node/npm
if cmp -s "$SDK/node/package-lock.json" "$npmdir/node_modules/.xraytop-lock"; then
	ok "npm packages already installed ($npmdir)"
else
	rm -rf "$npmdir"
	mkdir -p "$npmdir"
	cp "$SDK/node/package.json" "$SDK/node/package-lock.json" "$npmdir/"
	if (cd "$npmdir" && timeout 300 npm ci --no-audit --no-fund --prefer-offline) > "$tmp/npm.log" 2>&1; then
		cp "$SDK/node/package-lock.json" "$npmdir/node_modules/.xraytop-lock"
		ok "npm ci installs the X-Ray SDK for Node.js into $npmdir"
	else
		not_ok "npm ci installs the X-Ray SDK for Node.js into $npmdir"
		echo "npm ci failed: is the npm registry reachable (or its packages in the npm cache)?" | diag
		tail -n 20 "$tmp/npm.log" | diag
		done_testing
		exit 1
	fi
fi

want=$("$PYTHON3" "$SDK/node/driver.py" --datagrams)
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

mkdir "$tmp/run"
check "the Node.js shop answers every request as planned" \
	timeout 50 "$PYTHON3" "$SDK/node/driver.py" --daemon "127.0.0.1:$port" \
	--modules "$npmdir" --work "$tmp/run" --truth "$tmp/truth.json"
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
	"$PYTHON3" "$SDK/sdktest.py" recording "$tmp/rec.jsonl" "$tmp/truth.json"
streamed=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["streamed_subsegments"])' \
	"$tmp/truth.json" 2> /dev/null)
check "the SDK streamed ${streamed:-?} subsegments as separate documents and all arrived" \
	"$PYTHON3" "$SDK/sdktest.py" recording "$tmp/rec.jsonl" "$tmp/truth.json" exact
"$XRAYTOP" map --format json -o "$tmp/replay.json" "$tmp/rec.jsonl" 2> "$tmp/replay.err"
check "replaying the recording gives the same map" cmp "$tmp/replay.json" "$tmp/map.json"
"$PYTHON3" "$SDK/sdktest.py" ids "$tmp/truth.json" > "$tmp/ids.want"
"$XRAYTOP" traces --format ids "$tmp/rec.jsonl" > "$tmp/ids" 2> "$tmp/ids.err"
check "the recording's traces are exactly the driver's requests" cmp "$tmp/ids" "$tmp/ids.want"

done_testing
