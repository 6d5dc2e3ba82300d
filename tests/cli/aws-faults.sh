#!/bin/sh
# The AWS source when the service misbehaves: with 30 % of the answers
# faulted (throttled, 500, 503, cut short, garbled, too slow, traces left
# unprocessed) a full fetch still returns every trace exactly once; a
# throttling burst and a service that throttles above a rate are ridden out
# below the configured rate; an expired security token makes xraytop get
# new credentials (credential_process) and go on; a call that keeps failing
# stops after a bounded number of attempts with the reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/aws-lib.sh"
need_shared

now=$(date +%s)
"$PYTHON3" "$SHARED_DIR/bench/gen-traces" --traces 400 --seed 5 --format batch --api-inferred \
	--start-time $((now - 1800)) --out "$tmp/traces.jsonl" --quiet
write_keys
use_long_term_keys

# ---------------------------------------------------------------- 30 % faults
start_fake faults fake_xray.py --keys "$tmp/keys.json" --traces "$tmp/traces.jsonl" --page-size 25 \
	--fault-rate 0.3 --faults throttle,500,503,truncate,garbage,unprocessed,slow --slow-seconds 1.5 \
	--seed 7 --log "$tmp/faults.log" --write-truth "$tmp/truth.json"
py "import json; print('\n'.join(sorted(json.load(open('$tmp/truth.json'))['traces'])))" > "$tmp/truth-ids.txt"
"$XRAYTOP" traces --since 1h --full --format ids --timeout 1s --save "$tmp/saved.jsonl" \
	--endpoint-url "http://127.0.0.1:$port" --log "$tmp/x.log" > "$tmp/ids.txt" 2> "$tmp/err.txt"
st=$?
check "30 % faults: the fetch succeeds (exit 0)" test "$st" -eq 0
[ "$st" -eq 0 ] || diag < "$tmp/err.txt"
check "... and lists every trace" cmp "$tmp/ids.txt" "$tmp/truth-ids.txt"
check "... each delivered exactly once" py "
import json,collections
c=collections.Counter(t['Id'] for l in open('$tmp/saved.jsonl') for t in json.loads(l)['Traces'])
assert len(c) == 400 and set(c.values()) == {1}, (len(c), collections.Counter(c.values()))
"
check "... while at least 25 % of the answers were faulted, of every kind" py "
import json,collections
e=[json.loads(l) for l in open('$tmp/faults.log')]
f=collections.Counter(x.get('fault') for x in e)
share=1 - f[None] / len(e)
assert share >= 0.25, (share, f)
assert all(f[k] > 0 for k in ('throttle','500','503','truncate','garbage','unprocessed','slow')), f
print(len(e), share, f)
"
grep -q 'retries' "$tmp/x.log" && ok "... the log counts the retries" || not_ok "... the log counts the retries"

# ---------------------------------------------------------------- throttling bursts
start_fake burst fake_xray.py --keys "$tmp/keys.json" --traces "$tmp/traces.jsonl" --throttle-seconds 2.5 \
	--page-size 100 --log "$tmp/burst.log"
"$XRAYTOP" traces --since 1h --full --format ids --endpoint-url "http://127.0.0.1:$port" > "$tmp/burst-ids.txt"
check "everything throttled for the first 2.5 s: ridden out" cmp "$tmp/burst-ids.txt" "$tmp/truth-ids.txt"
check "... the fake did throttle" test "$(grep -c '"status": 429' "$tmp/burst.log")" -ge 3
start_fake burst2 fake_xray.py --keys "$tmp/keys.json" --traces "$tmp/traces.jsonl" --throttle-burst 7 --burst-after 3 \
	--page-size 10 --log "$tmp/burst2.log"
"$XRAYTOP" traces --since 1h --full --format ids --endpoint-url "http://127.0.0.1:$port" > "$tmp/burst2-ids.txt"
check "7 throttled answers in a row in the middle of a fetch (one call may get them all): ridden out" \
	cmp "$tmp/burst2-ids.txt" "$tmp/truth-ids.txt"
check "... the fake throttled 7 times" test "$(grep -c '"status": 429' "$tmp/burst2.log")" -eq 7

# ---------------------------------------------------------------- a service that throttles above 8/s
start_fake srate fake_xray.py --keys "$tmp/keys.json" --traces "$tmp/traces.jsonl" --server-rate 8 \
	--page-size 100 --log "$tmp/srate.log"
"$XRAYTOP" traces --since 1h --full --rate 20 --format ids --endpoint-url "http://127.0.0.1:$port" \
	--log "$tmp/srate-x.log" > "$tmp/srate-ids.txt"
check "a service that throttles above 8 requests/s: the fetch completes" cmp "$tmp/srate-ids.txt" "$tmp/truth-ids.txt"
check "... the client slowed down: most requests were not throttled" py "
import json
e=[json.loads(l) for l in open('$tmp/srate.log')]
thr=sum(1 for x in e if x['status']==429)
assert thr < len(e) / 3, (thr, len(e))
t=sorted(x['t'] for x in e)
worst=max(sum(1 for u in t[i:i+25] if u-t[i] < 1.0) for i in range(len(t)))
assert worst <= 20, worst
print(thr, len(e), worst)
"

# ---------------------------------------------------------------- expired token: refresh
cat > "$tmp/keys-exp.json" <<KEYS
{"ASIAPROCESS000000001": {"secret": "SeCrEt/proc/1", "token": "ToKeN-proc-1", "expires_after": 12},
 "ASIAPROCESS000000002": {"secret": "SeCrEt/proc/2", "token": "ToKeN-proc-2"}}
KEYS
cat > "$tmp/creds.sh" <<'SCRIPT'
#!/bin/sh
# prints the first key pair on the first call, the second afterwards
n=$(cat "$1" 2> /dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$1"
k=1; [ "$n" -gt 1 ] && k=2
exp=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
printf '{"Version": 1, "AccessKeyId": "ASIAPROCESS00000000%d", "SecretAccessKey": "SeCrEt/proc/%d", "SessionToken": "ToKeN-proc-%d", "Expiration": "%s"}\n' "$k" "$k" "$k" "$exp"
SCRIPT
chmod +x "$tmp/creds.sh"
mkdir -p "$HOME/.aws"
printf '[profile proc]\nregion = us-east-1\ncredential_process = %s "%s"\n' "$tmp/creds.sh" "$tmp/count" > "$HOME/.aws/config"
start_fake exp fake_xray.py --keys "$tmp/keys-exp.json" --traces "$tmp/traces.jsonl" --page-size 100 \
	--log "$tmp/exp.log"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$XRAYTOP" traces --since 1h --full --format ids \
	--profile proc --endpoint-url "http://127.0.0.1:$port" --log "$tmp/exp-x.log" > "$tmp/exp-ids.txt" 2> "$tmp/exp.err"
check "an expired token mid-fetch: new credentials are fetched and the fetch completes" \
	cmp "$tmp/exp-ids.txt" "$tmp/truth-ids.txt"
check "... the fake saw the token expire and then the new key" py "
import json
e=[json.loads(l) for l in open('$tmp/exp.log')]
assert any(x.get('code')=='ExpiredTokenException' for x in e)
assert e[-1]['key'] == 'ASIAPROCESS000000002' and e[-1]['status'] == 200
"
check "... credential_process ran twice" test "$(cat "$tmp/count")" -eq 2
check_no_secrets "... and no secret reached the output, errors or log" "$tmp/exp-ids.txt" "$tmp/exp.err" "$tmp/exp-x.log"

# ---------------------------------------------------------------- a call that never succeeds
start_fake never fake_xray.py --keys "$tmp/keys.json" --groups "$FIX/groups.json" --fault-rate 1 \
	--faults 503 --max-in-row 1000 --log "$tmp/never.log"
start=$(date +%s)
check_status "a call that always fails: exit 2" 2 "$XRAYTOP" groups --endpoint-url "http://127.0.0.1:$port"
grep -q "after 8 attempts" "$tmp/check.err" && ok "... after 8 attempts, with the reason" \
	|| { not_ok "... after 8 attempts, with the reason"; diag < "$tmp/check.err"; }
check "... exactly 8 requests were sent" test "$(wc -l < "$tmp/never.log")" -eq 8
check "... and the backoff stayed bounded (under 40 s)" test $(( $(date +%s) - start )) -lt 40

done_testing
