#!/bin/sh
# A round trip through moto_server, an independent X-Ray mock: segment
# documents made by the real AWS X-Ray SDK for Python are put with
# `aws xray put-trace-segments`, and xraytop fetches and shows them.
# moto serves PutTraceSegments, GetTraceSummaries (no filters),
# BatchGetTraces and an empty GetServiceGraph; everything else is an HTML
# 404 (xray-api.md section 10): those gaps are tested for what they are.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/aws-lib.sh"

AWSCLI=${AWSCLI:-aws}
for m in moto aws_xray_sdk botocore; do
	if ! "$PYTHON3" -c "import $m" 2> /dev/null; then
		echo "Bail out! python module $m is missing (moto_server, the X-Ray SDK for Python, botocore)"
		exit 99
	fi
done
command -v "$AWSCLI" > /dev/null 2>&1 || { echo "Bail out! the AWS CLI is missing"; exit 99; }

mport=$(py "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
"$PYTHON3" -m moto.server -H 127.0.0.1 -p "$mport" > "$tmp/moto.log" 2>&1 &
fake_pids="$fake_pids $!"
i=0
until py "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$mport/moto-api/')" 2> /dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "Bail out! moto_server did not start"; cat "$tmp/moto.log" >&2; exit 99; }
	sleep 0.2
done
ok "moto_server listens on port $mport"
EP="--endpoint-url http://127.0.0.1:$mport"
export AWS_ACCESS_KEY_ID=AKIDMOTOTEST AWS_SECRET_ACCESS_KEY=SeCrEt/moto AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1

"$PYTHON3" "$AWSDIR/sdk_segments.py" --traces 6 --truth "$tmp/truth.json" > "$tmp/sdk.jsonl"
check "the Python SDK made 6 segment documents" test "$(wc -l < "$tmp/sdk.jsonl")" -eq 6
# put them with the AWS CLI, one argument per document
set --
while IFS= read -r doc; do set -- "$@" "$doc"; done < "$tmp/sdk.jsonl"
"$AWSCLI" xray put-trace-segments $EP --trace-segment-documents "$@" > "$tmp/put.json" 2> "$tmp/put.err"
check "aws xray put-trace-segments: nothing unprocessed" \
	py "import json; assert json.load(open('$tmp/put.json'))['UnprocessedTraceSegments'] == []"
sleep 1

"$XRAYTOP" traces --since 10m $EP --format ids > "$tmp/ids.txt" 2> "$tmp/err.txt"
py "import json; print('\n'.join(sorted(json.load(open('$tmp/truth.json'))['traces'])))" > "$tmp/truth-ids.txt"
check "xraytop traces lists exactly the SDK's traces" cmp "$tmp/ids.txt" "$tmp/truth-ids.txt"
"$XRAYTOP" traces --since 10m $EP --format json > "$tmp/list.json"
check "... with the fault flag moto derives from the segments" py "
import json
t=json.load(open('$tmp/truth.json'))['traces']
for g in json.load(open('$tmp/list.json')):
    assert g['fault'] == t[g['id']]['fault'], g
"
id=$(sed -n 3p "$tmp/ids.txt")
"$XRAYTOP" trace "$id" $EP --width 100 > "$tmp/trace-moto.txt"
"$XRAYTOP" trace "$id" --width 100 "$tmp/sdk.jsonl" > "$tmp/trace-file.txt"
check "xraytop trace ID from moto draws what the SDK recorded" cmp "$tmp/trace-moto.txt" "$tmp/trace-file.txt"
grep -q "inventory-db" "$tmp/trace-moto.txt" && ok "... with the SDK's subsegments" || not_ok "... with the SDK's subsegments"
"$XRAYTOP" map --since 10m --full $EP --format json -o "$tmp/map-moto.json"
"$XRAYTOP" map --format json -o "$tmp/map-file.json" "$tmp/sdk.jsonl"
check "map --full from moto equals the map of the SDK's documents" \
	py "import json; a=json.load(open('$tmp/map-moto.json')); b=json.load(open('$tmp/map-file.json')); assert a['nodes']==b['nodes'] and a['edges']==b['edges']"
"$XRAYTOP" traces --since 10m --full $EP --save "$tmp/saved.jsonl" --format ids > "$tmp/full-ids.txt"
check "traces --full --save: every trace, and the file reopens" \
	sh -c "cmp '$tmp/full-ids.txt' '$tmp/ids.txt' && '$XRAYTOP' traces --format ids '$tmp/saved.jsonl' | cmp - '$tmp/ids.txt'"

# moto's gaps
check_status "map: moto's service graph is always empty, so nothing to show (exit 1)" 1 "$XRAYTOP" map --since 10m $EP
check_status "groups: moto has no GetGroups (HTML 404): a clear error, exit 2" 2 "$XRAYTOP" groups $EP
grep -q "X-Ray GetGroups: HTTP 404" "$tmp/check.err" && ok "... naming the call and the status" \
	|| { not_ok "... naming the call and the status"; diag < "$tmp/check.err"; }

check_no_secrets "no secret in what xraytop printed" "$tmp/err.txt" "$tmp/list.json" "$tmp/trace-moto.txt" "$tmp/check.err"
done_testing
