#!/bin/sh
# The fake X-Ray endpoint is itself checked against independent peers: the
# AWS CLI (botocore's service model, paginators, parsers and signer) reads
# every operation from it, and its signature check agrees with botocore's
# signer (tests/aws/check_signer.py).  Then xraytop and the AWS CLI, on the
# same fake, must show the same traces.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/aws-lib.sh"
need_shared

AWSCLI=${AWSCLI:-aws}
if ! command -v "$AWSCLI" > /dev/null 2>&1 || ! "$PYTHON3" -c 'import botocore' 2> /dev/null; then
	echo "Bail out! the AWS CLI and botocore are needed (Debian: apt-get install awscli python3-botocore)"
	exit 99
fi

# the botocore signer agrees with the fakes' verifier
"$PYTHON3" "$AWSDIR/check_signer.py" > "$tmp/signer.tap" 2>&1
check "botocore's SigV4 signer and the fakes' verifier agree (22 cases)" \
	sh -c "grep -q '^1\.\.22$' '$tmp/signer.tap' && ! grep -q '^not ok' '$tmp/signer.tap'"
grep '^not ok' "$tmp/signer.tap" | diag

now=$(date +%s)
"$PYTHON3" "$SHARED_DIR/bench/gen-traces" --traces 60 --seed 3 --format batch --api-inferred \
	--start-time $((now - 1200)) --out "$tmp/traces.jsonl" --quiet
write_keys
start_fake xray fake_xray.py --keys "$tmp/keys.json" --traces "$tmp/traces.jsonl" \
	--graph "$FIX/service-graph.json" --groups "$FIX/groups.json" --sampling "$FIX/sampling-rules.json" \
	--sampling-stats "$FIX/sampling-stats.json" --timeseries "$FIX/timeseries.json" \
	--page-size 7 --log "$tmp/xray.log" --write-truth "$tmp/truth.json"
use_long_term_keys
A() { "$AWSCLI" xray "$@" --endpoint-url "http://127.0.0.1:$port" --region us-east-1 --output json; }
s=$((now - 3600))
e=$now

A get-trace-summaries --start-time $s --end-time $e > "$tmp/cli-sum.json" 2> "$tmp/cli.err"
check "aws xray get-trace-summaries reads every page (60 traces, 7 a page)" py "
import json
got=json.load(open('$tmp/cli-sum.json'))['TraceSummaries']
truth=json.load(open('$tmp/truth.json'))['traces']
assert sorted(x['Id'] for x in got) == sorted(truth), len(got)
"
check "... its signatures were accepted (every request answered 200)" \
	py "import json; assert all(json.loads(l)['status']==200 for l in open('$tmp/xray.log'))"
ids=$(py "import json; print(' '.join(sorted(json.load(open('$tmp/truth.json'))['traces'])[:5]))")
A batch-get-traces --trace-ids $ids > "$tmp/cli-batch.json"
check "aws xray batch-get-traces: 5 traces, each document JSON with its trace id" py "
import json
t=json.load(open('$tmp/cli-batch.json'))['Traces']
assert len(t) == 5
for x in t:
    for s in x['Segments']:
        assert json.loads(s['Document'])['trace_id'] == x['Id']
"
A batch-get-traces --trace-ids $ids 1-00000000-000000000000000000000000 > "$tmp/check.out" 2> "$tmp/check.err"
st=$?
# AWS CLI v1 exits 255 on a service error, v2 (Debian's awscli) 254
check "aws xray batch-get-traces with 6 ids is refused as X-Ray does" test "$st" -eq 255 -o "$st" -eq 254
grep -q InvalidRequestException "$tmp/check.err" && ok "... InvalidRequestException" || not_ok "... InvalidRequestException"
A get-service-graph --start-time $s --end-time $e > "$tmp/cli-graph.json"
check "aws xray get-service-graph: every page's services" \
	py "import json; g=json.load(open('$tmp/cli-graph.json')); assert [x['ReferenceId'] for x in g['Services']] == [0,2,1,3], g"
A get-groups > "$tmp/cli-groups.json"
check "aws xray get-groups: 5 groups over 3 pages" \
	py "import json; g=json.load(open('$tmp/cli-groups.json'))['Groups']; assert len(g) == 5 and g[1]['FilterExpression'] == 'fault = true'"
A get-group --group-name payments > "$tmp/cli-group.json"
check "aws xray get-group" py "import json; assert json.load(open('$tmp/cli-group.json'))['Group']['GroupName'] == 'payments'"
A get-sampling-rules > "$tmp/cli-rules.json"
check "aws xray get-sampling-rules: 5 rules, timestamps parsed" py "
import json
r=json.load(open('$tmp/cli-rules.json'))['SamplingRuleRecords']
c=r[1]['CreatedAt']
assert len(r) == 5 and r[1]['SamplingRule']['RuleName'] == 'checkout-posts'
assert c == 1795000000.0 or str(c).startswith('2026-11-18'), c
"
A get-sampling-statistic-summaries > "$tmp/cli-stats.json"
check "aws xray get-sampling-statistic-summaries" \
	py "import json; assert len(json.load(open('$tmp/cli-stats.json'))['SamplingStatisticSummaries']) == 5"
A get-time-series-service-statistics --start-time $s --end-time $e > "$tmp/cli-ts.json"
check "aws xray get-time-series-service-statistics" \
	py "import json; assert len(json.load(open('$tmp/cli-ts.json'))['TimeSeriesServiceStatistics']) == 3"
A get-trace-segment-destination > "$tmp/cli-dest.json"
check "aws xray get-trace-segment-destination" \
	py "import json; assert json.load(open('$tmp/cli-dest.json'))['Destination'] == 'XRay'"

# xraytop and the AWS CLI on the same fake
"$XRAYTOP" traces --format json --since 1h --endpoint-url "http://127.0.0.1:$port" > "$tmp/xt.json"
"$XRAYTOP" traces --format json "$tmp/cli-sum.json" > "$tmp/xt-from-cli.json"
check "xraytop traces from the API equals xraytop reading the AWS CLI's output" cmp "$tmp/xt.json" "$tmp/xt-from-cli.json"
"$XRAYTOP" map --format json --since 1h --endpoint-url "http://127.0.0.1:$port" > "$tmp/xt-map.json"
"$XRAYTOP" map --format json "$tmp/cli-graph.json" > "$tmp/xt-map-cli.json"
check "xraytop map from the API equals xraytop reading aws xray get-service-graph" cmp "$tmp/xt-map.json" "$tmp/xt-map-cli.json"

# error shapes and retries as botocore understands them
start_fake deny fake_xray.py --keys "$tmp/keys.json" --deny GetGroups --log "$tmp/deny.log"
"$AWSCLI" xray get-groups --endpoint-url "http://127.0.0.1:$port" --region us-east-1 > /dev/null 2> "$tmp/deny.err"
check "the fake's AccessDeniedException is parsed by botocore" grep -q "(AccessDeniedException) when calling the GetGroups" "$tmp/deny.err"
start_fake thr fake_xray.py --keys "$tmp/keys.json" --groups "$FIX/groups.json" --throttle-burst 2 --log "$tmp/thr.log"
check "the fake's throttling is retried by botocore like X-Ray's" \
	"$AWSCLI" xray get-groups --endpoint-url "http://127.0.0.1:$port" --region us-east-1
check "... after 2 throttled answers" test "$(grep -c '"status": 429' "$tmp/thr.log")" -eq 2
check_no_secrets "no secret in xraytop's output" "$tmp/xt.json" "$tmp/xt-map.json"

done_testing
