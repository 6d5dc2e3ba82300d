#!/bin/sh
# The AWS source against the fake X-Ray endpoint (tests/aws/fake_xray.py):
# paging, windows, filters, groups, sampling rules, the service graph,
# Transaction Search, --save, errors that name what is wrong, the rate limit,
# connection reuse, cancellation, and no secret anywhere.  Expectations come
# from the fake's own summaries of the generated traces and from xraytop's
# file source reading the same traces (tested elsewhere against the corpus).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/aws-lib.sh"
need_shared

now=$(date +%s)
# 300 traces spread over about 8 hours, ending well before now
"$PYTHON3" "$SHARED_DIR/bench/gen-traces" --traces 300 --seed 11 --rps 0.01 --format batch --api-inferred \
	--start-time $((now - 9 * 3600)) --out "$tmp/traces.jsonl" --quiet
write_keys
start_fake xray fake_xray.py --keys "$tmp/keys.json" --traces "$tmp/traces.jsonl" \
	--graph "$FIX/service-graph.json" --groups "$FIX/groups.json" --sampling "$FIX/sampling-rules.json" \
	--sampling-stats "$FIX/sampling-stats.json" --timeseries "$FIX/timeseries.json" \
	--page-size 7 --max-window 21600 --log "$tmp/xray.log" --write-truth "$tmp/truth.json"
EP="--endpoint-url http://127.0.0.1:$port"
use_long_term_keys
X() { "$XRAYTOP" "$@" $EP; }
# requests the fake logged since mark_log
mark_log() { mark=$(wc -l < "$tmp/xray.log"); }
new_log() { tail -n +$((mark + 1)) "$tmp/xray.log"; }

# ---------------------------------------------------------------- trace list
mark_log
X traces --since 10h --format ids > "$tmp/ids.txt" 2> "$tmp/err.txt"
check "traces: exit 0" test $? -eq 0
py "import json; print('\n'.join(sorted(json.load(open('$tmp/truth.json'))['traces'])))" > "$tmp/truth-ids.txt"
check "traces --format ids lists every trace of the window once" cmp "$tmp/ids.txt" "$tmp/truth-ids.txt"
new_log > "$tmp/l1"
check "GetTraceSummaries was paged to the end (300 traces, 7 a page, in 2 windows: 44 pages)" \
	py "import json; n=sum(1 for l in open('$tmp/l1') if json.loads(l)['op']=='GetTraceSummaries'); assert n == 44, n"
check "no window sent is longer than 6 hours, and the windows cover the 10 hours newest first" py "
import json
w=[json.loads(l)['window'] for l in open('$tmp/l1') if json.loads(l)['op']=='GetTraceSummaries']
u=[]
for x in w:
    if x not in u: u.append(x)
assert all(b-a <= 21600 for a,b in u), u
assert all(u[i][0] == u[i+1][1] for i in range(len(u)-1)), u
assert abs((u[0][1]-u[-1][0]) - 36000) <= 2, u
"
X traces --since 10h --format json > "$tmp/list.json"
check "each summary's response time, status, method and URL are the service's" py "
import json
truth=json.load(open('$tmp/truth.json'))['traces']
got=json.load(open('$tmp/list.json'))
assert len(got) == len(truth)
for g in got:
    s=truth[g['id']]['summary']
    assert abs(g['response_time']-s['ResponseTime']) < 1e-5, (g['id'], g['response_time'], s['ResponseTime'])
    assert g['status'] == s['Http'].get('HttpStatus'), g['id']
    assert g['method'] == s['Http'].get('HttpMethod') and g['url'] == s['Http'].get('HttpURL'), g['id']
    assert g['fault'] == s['HasFault'] and g['error'] == s['HasError'], g['id']
"
X traces --since 10h --fetch-limit 50 --format json > "$tmp/limit.json"
check "--fetch-limit 50 keeps the 50 newest traces" py "
import json
truth=json.load(open('$tmp/truth.json'))['traces']
want=sorted(truth, key=lambda i: -truth[i]['start'])[:50]
got=[g['id'] for g in json.load(open('$tmp/limit.json'))]
assert sorted(got) == sorted(want), (len(got), len(set(got) & set(want)))
"
mark_log
X traces --since 10h --time-range event --format ids > /dev/null
new_log > "$tmp/l3"
check "--time-range event is sent as TimeRangeType Event" \
	py "import json; k={json.loads(l).get('kind') for l in open('$tmp/l3')}; assert k == {'Event'}, k"

# ---------------------------------------------------------------- windows and retention
check_status "a window older than the 30 days X-Ray keeps is refused" 2 \
	X traces --start -40d --end -35d
grep -q "older than the 30 days" "$tmp/check.err" && ok "... saying why" || not_ok "... saying why"
mark_log
X traces --start -40d --format ids > /dev/null 2>&1
new_log > "$tmp/l2"
check "a window reaching past 30 days starts at the retention limit" py "
import json,time
w=[json.loads(l)['window'] for l in open('$tmp/l2') if json.loads(l)['op']=='GetTraceSummaries']
assert min(a for a,b in w) >= time.time() - 30*86400 - 5, w
"
check_status "--since and --start together are a usage error" 2 X traces --since 1h --start -2h
check_status "a --start that is no time is a usage error" 2 X traces --start yesterdayish

# ---------------------------------------------------------------- filters and groups
py "import json; t=json.load(open('$tmp/truth.json'))['traces']; print('\n'.join(sorted(i for i in t if t[i]['summary']['HasFault'])))" > "$tmp/faults.txt"
X traces --since 10h --filter 'fault = true' --format ids > "$tmp/f.txt"
check "--filter is sent and only matching traces come back" cmp "$tmp/f.txt" "$tmp/faults.txt"
X traces --since 10h --group faults --format ids > "$tmp/g.txt"
check "--group NAME selects the group's traces (group.name in the filter)" cmp "$tmp/g.txt" "$tmp/faults.txt"
mark_log
check_status "an unbalanced --filter is refused before anything is sent" 2 X traces --since 1h --filter 'service("a"'
check "... and nothing was sent" test "$(new_log | wc -l)" -eq 0
check_status "an unknown keyword is refused by the local parser" 2 X traces --since 1h --filter 'nosuchkeyword > 3'
grep -q "column 1: unknown keyword" "$tmp/check.err" && ok "... with its column" || { not_ok "... with its column"; diag < "$tmp/check.err"; }
check "... and still nothing was sent" test "$(new_log | wc -l)" -eq 0
check_status "a filter the service refuses (the fake has no edge()) is an error naming it" 2 \
	X traces --since 1h --filter 'edge("a", "b")'
grep -q "InvalidRequestException" "$tmp/check.err" && ok "... InvalidRequestException shown" || not_ok "... InvalidRequestException shown"

# ---------------------------------------------------------------- full traces, --save, map
X traces --since 10h --full --format ids --save "$tmp/saved.jsonl" > "$tmp/full-ids.txt"
check "traces --full fetches every trace" cmp "$tmp/full-ids.txt" "$tmp/truth-ids.txt"
check "--save writes what was fetched, reopened as INPUT it gives the same list" \
	sh -c "'$XRAYTOP' traces --format ids '$tmp/saved.jsonl' | cmp - '$tmp/full-ids.txt'"
check "every saved trace is there exactly once" py "
import json,collections
c=collections.Counter(t['Id'] for l in open('$tmp/saved.jsonl') for t in json.loads(l)['Traces'])
assert len(c) == 300 and max(c.values()) == 1, (len(c), max(c.values()))
"
"$XRAYTOP" map --format json -o "$tmp/map-local.json" "$tmp/traces.jsonl"
X map --since 10h --full --format json -o "$tmp/map-aws.json"
check "map --full from the API equals the map of the same traces read from a file" \
	py "import json; a=json.load(open('$tmp/map-local.json')); b=json.load(open('$tmp/map-aws.json')); assert a['nodes']==b['nodes'] and a['edges']==b['edges']"
"$XRAYTOP" map --format json -o "$tmp/map-saved.json" "$tmp/saved.jsonl"
check "... and so does the map of the --save file" \
	py "import json; a=json.load(open('$tmp/map-local.json')); b=json.load(open('$tmp/map-saved.json')); assert a['nodes']==b['nodes'] and a['edges']==b['edges']"
mark_log
X map --since 1h --format json -o "$tmp/graph-aws.json" --save "$tmp/graph-saved.jsonl"
"$XRAYTOP" map --format json -o "$tmp/graph-file.json" "$top_srcdir/tests/fixtures/get-service-graph.json"
check "map without --filter is the service graph, all pages of it (2 services a page)" \
	py "import json; a=json.load(open('$tmp/graph-file.json')); b=json.load(open('$tmp/graph-aws.json')); assert a['nodes']==b['nodes'] and a['edges']==b['edges'], (a['nodes'], b['nodes'])"
check "... fetched in 2 pages" test "$(new_log | grep -c GetServiceGraph)" -eq 2
"$XRAYTOP" map --format json -o "$tmp/graph-reopen.json" "$tmp/graph-saved.jsonl"
check "... and its --save file reopens to the same map" cmp "$tmp/graph-reopen.json" "$tmp/graph-aws.json"
mark_log
X map --since 1h --group payments -o /dev/null
check "map --group sends GroupName" sh -c "tail -n +$((mark + 1)) '$tmp/xray.log' | grep -q '\"group\": \"payments\"'"

# ---------------------------------------------------------------- one trace
id=$(sed -n 17p "$tmp/truth-ids.txt")
X trace "$id" --width 120 > "$tmp/trace-aws.txt"
"$XRAYTOP" trace "$id" --width 120 "$tmp/traces.jsonl" > "$tmp/trace-file.txt"
check "trace ID from the API draws the same waterfall as from the file" cmp "$tmp/trace-aws.txt" "$tmp/trace-file.txt"
check_status "trace ID of an unknown trace: exit 1" 1 X trace 1-00000001-000000000000000000000001
grep -q "no trace" "$tmp/check.err" && ok "... saying so" || not_ok "... saying so"

# ---------------------------------------------------------------- groups, sampling rules
X groups --format json > "$tmp/groups.json"
check "groups --format json: every group with its filter and insights flags, Default first" py "
import json
want=json.load(open('$FIX/groups.json'))['Groups']
got=json.load(open('$tmp/groups.json'))['groups']
assert [g['name'] for g in got][0] == 'Default'
assert sorted(g['name'] for g in got) == sorted(g['GroupName'] for g in want)
for w in want:
    g=[x for x in got if x['name']==w['GroupName']][0]
    assert g['arn'] == w['GroupARN'] and g['filter_expression'] == w.get('FilterExpression')
    ic=w.get('InsightsConfiguration', {})
    assert g['insights_enabled'] == ic.get('InsightsEnabled') and g['notifications_enabled'] == ic.get('NotificationsEnabled')
"
X groups > "$tmp/groups.txt"
check "groups: a table with one line per group" test "$(grep -c 'arn:aws:xray' "$tmp/groups.txt")" -eq 5
check "groups: control characters from the data are not printed" sh -c "! grep -q \"\$(printf '\\033')\" '$tmp/groups.txt'"
X sampling-rules --format json > "$tmp/rules.json"
check "sampling-rules: by priority, each with its latest 10-second statistics" py "
import json
got=json.load(open('$tmp/rules.json'))['rules']
assert [r['name'] for r in got] == ['health-checks','checkout-posts','user-api','payments-boost','Default'], [r['name'] for r in got]
st={r['name']: r['statistics'] for r in got}
assert st['Default']['requests'] == 420 and st['Default']['sampled'] == 25 and st['Default']['borrowed'] == 1
assert st['checkout-posts']['requests'] == 52 and st['user-api'] is None
r={x['name']: x for x in got}
assert r['health-checks']['attributes'] == {'tier':'internal','team':'sre'}
assert r['payments-boost']['fixed_rate'] == 0.125 and r['checkout-posts']['reservoir_size'] == 10
"
X sampling-rules > "$tmp/rules.txt"
check "sampling-rules: a table (rate in percent, reservoir per second)" sh -c "grep -q 'checkout-posts *50% *10/s' '$tmp/rules.txt'"

# ---------------------------------------------------------------- errors
"$PYTHON3" "$AWSDIR/fake_xray.py" --help > /dev/null
start_fake deny fake_xray.py --keys "$tmp/keys.json" --traces "$tmp/traces.jsonl" --deny GetTraceSummaries,GetGroups \
	--log "$tmp/deny.log"
check_status "access denied: exit 2" 2 "$XRAYTOP" traces --since 1h --endpoint-url "http://127.0.0.1:$port"
grep -q "xray:GetTraceSummaries" "$tmp/check.err" && ok "... naming the missing permission xray:GetTraceSummaries" \
	|| { not_ok "... naming the missing permission xray:GetTraceSummaries"; diag < "$tmp/check.err"; }
check "... after one request (no retry)" test "$(grep -c GetTraceSummaries "$tmp/deny.log")" -eq 1
check_status "groups: access denied names xray:GetGroups" 2 "$XRAYTOP" groups --endpoint-url "http://127.0.0.1:$port"
grep -q "xray:GetGroups" "$tmp/check.err" && ok "... xray:GetGroups" || not_ok "... xray:GetGroups"
check_status "a wrong secret: exit 2" 2 env AWS_SECRET_ACCESS_KEY=not-the-secret "$XRAYTOP" groups $EP
grep -q "signature was refused" "$tmp/check.err" && ok "... the signature was refused" || { not_ok "... the signature was refused"; diag < "$tmp/check.err"; }
check_status "an unknown access key: exit 2" 2 env AWS_ACCESS_KEY_ID=AKIDUNKNOWN000000000 "$XRAYTOP" groups $EP
grep -q "access key.*not valid" "$tmp/check.err" && ok "... the access key is not valid" || not_ok "... the access key is not valid"
check_status "nothing listening: exit 2 after bounded retries" 2 "$XRAYTOP" groups --endpoint-url http://127.0.0.1:9 --timeout 1s
grep -q "after 8 attempts" "$tmp/check.err" && ok "... 8 attempts, then the reason" || { not_ok "... 8 attempts, then the reason"; diag < "$tmp/check.err"; }
check_status "an endpoint that is not http(s) is refused" 2 "$XRAYTOP" groups --endpoint-url ftp://127.0.0.1/
check_status "a region that is not a region name is refused" 2 "$XRAYTOP" groups $EP --region 'us-east-1:evil'
check_status "AWS options with INPUT files are a usage error" 2 "$XRAYTOP" map --since 1h "$tmp/traces.jsonl"

# ---------------------------------------------------------------- session tokens
cat > "$tmp/keys2.json" <<KEYS
{"ASIATESTSESSION00001": {"secret": "SeCrEt/session/0001abc", "token": "ToKeN-session-0001-IQoJb3JpZ2lu"}}
KEYS
start_fake sess fake_xray.py --keys "$tmp/keys2.json" --groups "$FIX/groups.json" --log "$tmp/sess.log"
check "temporary credentials: the session token is sent and signed" env AWS_ACCESS_KEY_ID=ASIATESTSESSION00001 \
	AWS_SECRET_ACCESS_KEY=SeCrEt/session/0001abc AWS_SESSION_TOKEN=ToKeN-session-0001-IQoJb3JpZ2lu \
	"$XRAYTOP" groups --endpoint-url "http://127.0.0.1:$port"
check_status "... and refused without it" 2 env AWS_ACCESS_KEY_ID=ASIATESTSESSION00001 \
	AWS_SECRET_ACCESS_KEY=SeCrEt/session/0001abc "$XRAYTOP" groups --endpoint-url "http://127.0.0.1:$port"

# ---------------------------------------------------------------- rate limit, connections
start_fake rate fake_xray.py --keys "$tmp/keys.json" --traces "$tmp/traces.jsonl" --page-size 50 \
	--delay 0.02 --log "$tmp/rate.log"
X1="--endpoint-url http://127.0.0.1:$port"
"$XRAYTOP" traces --since 10h --full --rate 10 --format ids $X1 > "$tmp/rate-ids.txt"
check "with --rate 10 the fetch is complete" cmp "$tmp/rate-ids.txt" "$tmp/truth-ids.txt"
check "... and no second ever saw more than 10 requests" py "
import json
t=sorted(json.loads(l)['t'] for l in open('$tmp/rate.log'))
worst=max(sum(1 for u in t[i:i+12] if u-t[i] < 1.0) for i in range(len(t)))
assert worst <= 10, worst
assert len(t) > 60, len(t)
"
check "connections are kept and reused (far fewer connections than requests)" py "
import json
e=[json.loads(l) for l in open('$tmp/rate.log')]
ports={x['port'] for x in e}
assert len(ports) <= 10 and len(e) >= 6*len(ports), (len(ports), len(e))
"

# ---------------------------------------------------------------- Transaction Search
start_fake cwl fake_xray.py --keys "$tmp/keys.json" --traces "$tmp/traces.jsonl" --destination CloudWatchLogs \
	--log "$tmp/cwl.log"
"$XRAYTOP" trace "$id" --width 120 --endpoint-url "http://127.0.0.1:$port" > "$tmp/trace-cwl.txt"
check "Transaction Search: trace ID comes through StartTraceRetrieval + ListRetrievedTraces" \
	cmp "$tmp/trace-cwl.txt" "$tmp/trace-file.txt"
check "... and not through BatchGetTraces" sh -c "! grep -q BatchGetTraces '$tmp/cwl.log' && grep -q ListRetrievedTraces '$tmp/cwl.log'"
"$XRAYTOP" traces --since 10h --full --fetch-limit 120 --format ids --endpoint-url "http://127.0.0.1:$port" > "$tmp/cwl-ids.txt"
check "Transaction Search: traces --full fetches all 120 (two retrievals of at most 100)" py "
ids=open('$tmp/cwl-ids.txt').read().split()
assert len(ids) == 120 and len(set(ids)) == 120, len(ids)
import json
n=sum(1 for l in open('$tmp/cwl.log') if json.loads(l)['op']=='StartTraceRetrieval')
assert n == 3, n
"

# ---------------------------------------------------------------- cancellation
start_fake slow fake_xray.py --keys "$tmp/keys.json" --traces "$tmp/traces.jsonl" --delay 0.5 --page-size 2 \
	--log "$tmp/slow.log"
"$XRAYTOP" traces --since 10h --endpoint-url "http://127.0.0.1:$port" > /dev/null 2> "$tmp/cancel.err" &
xpid=$!
sleep 1.5
tr '\0' ' ' < /proc/$xpid/cmdline > "$tmp/argv.txt" 2> /dev/null
check "the running process's argv holds no secret" sh -c "test -s '$tmp/argv.txt' && ! grep -q SeCrEt '$tmp/argv.txt'"
kill -INT $xpid
wait $xpid
st=$?
check "SIGINT cancels a fetch: exit 130" test "$st" -eq 130
grep -q interrupted "$tmp/cancel.err" && ok "... saying 'interrupted'" || not_ok "... saying 'interrupted'"

# ---------------------------------------------------------------- secrets
X traces --since 10h --full --format json -v --log "$tmp/debug.log" --save "$tmp/s2.jsonl" > "$tmp/out.json" 2> "$tmp/out.err"
check_no_secrets "no secret in output, errors, the debug log or the --save file" \
	"$tmp/out.json" "$tmp/out.err" "$tmp/debug.log" "$tmp/s2.jsonl" "$tmp/err.txt" "$tmp/check.err"
check "the debug log says where credentials came from" grep -q "credentials from environment" "$tmp/debug.log"

done_testing
