#!/bin/sh
# The AWS source under chaos: the fake X-Ray endpoint (tests/aws/fake_xray.py)
# misbehaves in one way per scenario, and each scenario must end either with
# every trace of the fake's truth (--write-truth) fetched and saved exactly
# once, or with a clear error that names the cause and a non-zero exit; never
# a hang: every xraytop runs under timeout(1), so a hang fails as status 124.
# The fake's log (one line per request, "req" the same for every attempt of
# one call) is checked against xraytop's own counters (its --log).
#
#  1. throttling storms: 75 % of the answers ThrottlingException, up to 5 in
#     a row for one call (each call takes at most 8 attempts); a service that
#     throttles whatever goes over 4 requests a second;
#  2. 5xx in runs: 500, 502, 503 and 504, up to 4 in a row;
#  3. connection resets: before any byte of the answer, and after the
#     headers and half the body (curl resends a request on its own once when
#     a kept-alive connection dies before answering: counted);
#  4. slow-loris answers: headers then a byte every 2 s, or nothing at all,
#     caught by --stall-timeout (less than a byte a second for that long;
#     curl averages the speed over a few seconds, so it fires a few seconds
#     late); a trickle faster than that which never ends, caught by
#     --timeout;
#  5. bodies cut short and garbled (retried), and bodies far too big: 128 MB
#     announced or chunked; xraytop reads at most 32 MiB of an answer, says
#     so and does not ask again (the same question gets the same answer);
#  6. credentials that expire mid-fetch (container credentials that rotate;
#     the fake answers ExpiredTokenException after a key's uses): new ones
#     are fetched and the fetch completes; when the renewal fails, one clear
#     error, a non-zero exit, and no call sent with the dead token after;
#  7. clock skew: the fake's clock runs ahead or behind; beyond 5 minutes it
#     refuses the signature as AWS does ("Signature expired",
#     RequestTimeTooSkewed).  xraytop does not correct the skew and retry:
#     curl signs with this machine's clock, and a request cannot be re-signed
#     with another time through it (a caller's X-Amz-Date is sent twice by
#     libcurl, and older versions sign with their own time anyway), so it
#     fails at once with the skew measured from the answer's Date header.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/aws-lib.sh"
need_shared

now=$(date +%s)
"$PYTHON3" "$SHARED_DIR/bench/gen-traces" --traces 60 --seed 11 --format batch --api-inferred \
	--start-time $((now - 1800)) --out "$tmp/traces.jsonl" --quiet
write_keys
use_long_term_keys

# start NAME FAKE-ARGS...: the fake X-Ray endpoint with the traces, logging to NAME.log.
start() {
	name=$1
	shift
	start_fake "$name" fake_xray.py --keys "${KEYS:-$tmp/keys.json}" --traces "$tmp/traces.jsonl" \
		--groups "$FIX/groups.json" --page-size 20 --log "$tmp/$name.log" \
		--write-truth "$tmp/truth.json" "$@"
}

# fetch NAME XRAYTOP-ARGS...: a full fetch of the last hour (ids to NAME.ids,
# pages to NAME.save, debug log NAME.xlog, errors NAME.err; status in $st).
fetch() {
	name=$1
	shift
	xr traces --since 1h --full --format ids --save "$tmp/$name.save" --endpoint-url "http://127.0.0.1:$port" \
		-v --log "$tmp/$name.xlog" "$@" > "$tmp/$name.ids" 2> "$tmp/$name.err"
	st=$?
}

# tally NAME: what the fake saw and what xraytop counted, as JSON (NAME.tally).
tally() {
	"$PYTHON3" - "$tmp" "$1" <<'PY'
import collections, json, re, sys
tmp, name = sys.argv[1:]
log = [json.loads(l) for l in open("%s/%s.log" % (tmp, name))]
reqs = collections.Counter(e["req"] for e in log)
faults = collections.Counter(e.get("fault") for e in log if e.get("fault"))
best = 0
runs = collections.Counter()
for e in log:       # the longest run of faults for one call
    runs[e["req"]] = runs[e["req"]] + 1 if e.get("fault") else 0
    best = max(best, runs[e["req"]])
x = {}
for line in open("%s/%s.xlog" % (tmp, name)):
    m = re.search(r"aws: (\d+) calls, (\d+) requests, (\d+) retries, (\d+) throttled, (\d+) server errors, "
                  r"(\d+) network errors, (\d+) failed", line)
    if m:
        x = dict(zip(("calls", "requests", "retries", "throttled", "server", "network", "failed"),
                     map(int, m.groups())))
t = {"requests": len(log), "calls": len(reqs), "most_attempts": max(reqs.values()) if reqs else 0,
     "longest_run": best, "faults": dict(faults), "statuses": dict(collections.Counter(str(e.get("status"))
                                                                                      for e in log)),
     "x": x}
json.dump(t, open("%s/%s.tally" % (tmp, name), "w"))
print(json.dumps(t, sort_keys=True))
PY
}

# complete NAME DESC: the fetch succeeded with every trace exactly once.
complete() {
	name=$1
	if [ "$st" -eq 0 ]; then
		ok "$2: exit 0"
	else
		not_ok "$2: exit 0"
		echo "exit status $st" | diag
		head -n 5 "$tmp/$name.err" | diag
	fi
	check "... every trace listed once" py "
import json
truth = sorted(json.load(open('$tmp/truth.json'))['traces'])
got = open('$tmp/$name.ids').read().split()
assert sorted(got) == truth, (len(got), len(truth), len(set(got)))
"
	check "... and saved exactly once" py "
import json, collections
c = collections.Counter(t['Id'] for l in open('$tmp/$name.save') for t in json.loads(l)['Traces'])
assert sorted(c) == sorted(json.load(open('$tmp/truth.json'))['traces']) and set(c.values()) == {1}, c
"
	tally "$name" > "$tmp/$name.tally.txt" 2>&1
	diag < "$tmp/$name.tally.txt"
}

# counts NAME DESC PYTHON: check the tally t (t['x']: xraytop's counters, f: faults).
counts() {
	name=$1
	shift
	desc=$1
	shift
	check "$desc" py "
import json
t = json.load(open('$tmp/$name.tally'))
x = t['x']
f = t['faults']
$*
"
}

# ---------------------------------------------------------------- 1. throttling storms
start storm --fault-rate 0.75 --faults throttle --max-in-row 5 --throttle-code ThrottlingException --seed 3 \
	--page-size 60
# (--rate 50: the rate xraytop falls back to after throttles is an eighth of
# it; at the default 20 the storm would be ridden out as well, only slower)
fetch storm --rate 50
complete storm "a throttling storm (75 % ThrottlingException, up to 5 in a row for a call)"
counts storm "... runs of 3 or more for one call, yet at most 8 attempts a call" \
	"assert t['longest_run'] >= 3 and t['most_attempts'] <= 8 and sum(f.values()) >= 15, t"
counts storm "... xraytop sent what the fake saw and counted every throttle" \
	"assert x['requests'] == t['requests'] and x['throttled'] == t['statuses'].get('429'), t
assert x['retries'] == x['throttled'] and x['failed'] == 0, t"
# A service that throttles whatever goes over 4 requests a second.
start limit --server-rate 4
fetch limit --rate 20
complete limit "a service that throttles above 4 requests/s, asked at up to 20/s"
counts limit "... it throttled; each throttle counted, at most 8 attempts a call" \
	"assert f.get('throttle', 0) > 0 and x['throttled'] == f['throttle'] and t['most_attempts'] <= 8, t"

# ---------------------------------------------------------------- 2. 5xx in runs
start fivexx --fault-rate 0.5 --faults 500,502,503,504 --max-in-row 4 --seed 4
fetch fivexx
complete fivexx "500, 502, 503 and 504 in runs"
counts fivexx "... every kind answered, runs of 2 or more, at most 8 attempts a call" \
	"assert all(f.get(k, 0) > 0 for k in ('500', '502', '503', '504')), f
assert t['longest_run'] >= 2 and t['most_attempts'] <= 8, t"
counts fivexx "... each 5xx counted and retried" \
	"assert x['server'] == sum(f.values()) == x['retries'] and x['requests'] == t['requests'], t"

# ---------------------------------------------------------------- 3. connection resets
start resets --fault-rate 0.5 --faults reset,reset-body --max-in-row 3 --seed 5
fetch resets
complete resets "connections reset before the answer and in the middle of the body"
counts resets "... both kinds happened, at most 8 attempts a call" \
	"assert f.get('reset', 0) > 0 and f.get('reset-body', 0) > 0 and t['most_attempts'] <= 8, t"
# A reset that curl resent by itself never reached xraytop as an error.
counts resets "... each reset either retried by xraytop or resent once by curl" \
	"resent = t['requests'] - x['requests']
assert 0 <= resent <= f['reset'] and x['network'] + resent == sum(f.values()), t"

# ---------------------------------------------------------------- 4. slow-loris answers
start loris --fault-rate 1 --faults loris,hang --fault-ops BatchGetTraces --fault-limit 2 --loris-interval 2
fetch loris --timeout 60s --stall-timeout 2s
complete loris "a byte every 2 s, and no answer at all: --stall-timeout 2s gives them up"
counts loris "... both were retried" "assert f == {'loris': 1, 'hang': 1} and x['network'] == 2, t"
check "... by the stall timeout, not the 60 s one" test "$(grep -c 'Operation too slow' "$tmp/loris.xlog")" -eq 2
start trickle --fault-rate 1 --faults loris --fault-ops BatchGetTraces --fault-limit 3 --loris-interval 0.25
fetch trickle --timeout 3s
complete trickle "4 bytes a second that never end: --timeout 3s gives them up"
counts trickle "... three were retried" "assert f == {'loris': 3} and x['network'] == 3, t"
check "... by the timeout" test "$(grep -c 'timed out after 3' "$tmp/trickle.xlog")" -eq 3

# ---------------------------------------------------------------- 5. cut, garbled, oversize
start cut --fault-rate 0.5 --faults truncate,garbage --max-in-row 4 --seed 6 \
	--fault-ops GetTraceSummaries,BatchGetTraces
fetch cut
complete cut "bodies cut short and garbled"
counts cut "... each retried" \
	"assert f.get('truncate', 0) > 0 and f.get('garbage', 0) > 0 and x['network'] == sum(f.values()), t"

# ASan's quarantine keeps freed buffers resident: off for these measures.
asan_opts=${ASAN_OPTIONS:-}
[ "${ASAN_BUILD:-no}" = yes ] && asan_opts="${asan_opts:+$asan_opts:}quarantine_size_mb=0"
for kind in oversize oversize-chunked; do
	start "$kind" --fault-rate 1 --faults "$kind" --fault-ops GetGroups --oversize-mb 128
	ASAN_OPTIONS=$asan_opts "$PYTHON3" -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:], stdout=open(sys.argv[1] + ".out", "w"), stderr=open(sys.argv[1] + ".err", "w"))
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)' "$tmp/$kind" \
		timeout -k 5 "$XR_LIMIT" "$XRAYTOP" groups --endpoint-url "http://127.0.0.1:$port" > "$tmp/$kind.rss"
	read -r st rss < "$tmp/$kind.rss"
	check "$kind: 128 MB of answer: exit 2" test "$st" -eq 2
	grep -q 'larger than 32 MiB' "$tmp/$kind.err" && ok "... saying the answer is larger than 32 MiB" \
		|| { not_ok "... saying the answer is larger than 32 MiB"; diag < "$tmp/$kind.err"; }
	check "... and not asked again" test "$(wc -l < "$tmp/$kind.log")" -eq 1
	check "... without holding it (at most 80 MB resident, measured $rss MB)" test "$rss" -lt 80
done
start big --fault-rate 1 --faults oversize-chunked --fault-ops BatchGetTraces --fault-limit 1 --oversize-mb 128
fetch big
check "one BatchGetTraces answer of 128 MB: exit 3 (partial)" test "$st" -eq 3
grep -q 'BatchGetTraces: the answer is larger than 32 MiB.*(5 traces not fetched)' "$tmp/big.err" \
	&& ok "... the error names the call, the cause and what is missing" \
	|| { not_ok "... the error names the call, the cause and what is missing"; diag < "$tmp/big.err"; }
check "... every other trace is listed and saved once" py "
import json, collections
truth = set(json.load(open('$tmp/truth.json'))['traces'])
lost = [e for l in open('$tmp/big.log') for e in [json.loads(l)] if e.get('fault')]
assert len(lost) == 1 and len(lost[0]['ids']) == 5, lost
want = sorted(truth - set(lost[0]['ids']))
assert sorted(open('$tmp/big.ids').read().split()) == want
c = collections.Counter(t['Id'] for l in open('$tmp/big.save') for t in json.loads(l)['Traces'])
assert sorted(c) == want and set(c.values()) == {1}
"

# ---------------------------------------------------------------- 6. credentials that expire
# Container credentials rotate (a new key pair at every fetch); the fake
# X-Ray endpoint lets each key sign 3 requests, then ExpiredTokenException:
# with 8 calls in flight, a call can meet an expired token twice in a row.
start_fake creds fake_creds.py --log "$tmp/creds.log" --issued "$tmp/issued.json" --rotate
cport=$port
py "
import json
k = json.load(open('$tmp/issued.json'))
for a in k:
    if a.startswith('ASIAECSROT'):
        k[a]['expires_after'] = 3
json.dump(k, open('$tmp/keys-rot.json', 'w'))"
KEYS=$tmp/keys-rot.json start rotate --page-size 60
(
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	export AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$cport/ecs/creds"
	fetch rotate
	echo "$st" > "$tmp/rotate.st"
)
st=$(cat "$tmp/rotate.st")
complete rotate "tokens expire every 3 requests mid-fetch: renewed from the container endpoint"
check "... the keys were renewed, each as it expired, and every expired call sent again" py "
import json, collections
e = [json.loads(l) for l in open('$tmp/rotate.log')]
keys = collections.Counter(x['key'] for x in e if x['status'] == 200)
expired = [x for x in e if x.get('code') == 'ExpiredTokenException']
fetched = sum(1 for l in open('$tmp/creds.log') if 'ecs-rotated' in l)
assert len(keys) >= 4 and fetched == len(keys), (keys, fetched)
assert expired and all(x['status'] == 200 or x.get('code') == 'ExpiredTokenException' for x in e)
assert len(e) == len(set(x['req'] for x in e)) + len(expired), (len(e), len(expired))
print(len(e), 'requests', len(expired), 'expired', fetched, 'keys')
"
diag < "$tmp/check.out"
check_no_secrets "... no secret in the output, errors or log" "$tmp/rotate.ids" "$tmp/rotate.err" "$tmp/rotate.xlog"
grep -a -q 'ecs-rot-secret\|ecs-rot-token' "$tmp/rotate.ids" "$tmp/rotate.err" "$tmp/rotate.xlog" \
	&& not_ok "... nor any renewed secret" || ok "... nor any renewed secret"

# The renewal fails (the endpoint refuses after the first key).
start_fake creds2 fake_creds.py --log "$tmp/creds2.log" --issued "$tmp/issued2.json" --rotate --max-issue 1
cport=$port
KEYS=$tmp/keys-rot.json start dead
(
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	export AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$cport/ecs/creds"
	fetch dead
	echo "$st" > "$tmp/dead.st"
)
st=$(cat "$tmp/dead.st")
check "the renewal fails: a non-zero exit (2 or 3), not a hang" test "$st" -eq 2 -o "$st" -eq 3
grep -q 'the security token expired and new credentials could not be had: .*container.*HTTP 403' "$tmp/dead.err" \
	&& ok "... one line says why, naming the credential source" \
	|| { not_ok "... one line says why, naming the credential source"; diag < "$tmp/dead.err"; }
{ [ "$st" -eq 2 ] || grep -q 'some calls failed; the rest was used' "$tmp/dead.err"; } \
	&& ok "... and that the result is not complete" || not_ok "... and that the result is not complete"
check "... what was listed is real and listed once" py "
import json
truth = set(json.load(open('$tmp/truth.json'))['traces'])
got = open('$tmp/dead.ids').read().split()
assert len(got) == len(set(got)) and set(got) < truth, len(got)
"
check "... the endpoint was asked once more, not once per call, and the dead token not used after" py "
import json
asked = sum(1 for l in open('$tmp/creds2.log'))
e = [json.loads(l) for l in open('$tmp/dead.log')]
expired = [x for x in e if x.get('code') == 'ExpiredTokenException']
assert asked == 2, asked
assert 1 <= len(expired) <= 8 and e[-len(expired):] == expired, [x.get('code') for x in e]
print(len(e), 'requests', len(expired), 'refused as expired', asked, 'credential fetches')
"
diag < "$tmp/check.out"

# ---------------------------------------------------------------- 7. clock skew
start skew --clock-skew 600
xr groups --endpoint-url "http://127.0.0.1:$port" > "$tmp/skew.out" 2> "$tmp/skew.err"
check "a clock 10 minutes behind the service's: exit 2" test $? -eq 2
grep -q "Signature expired.*clock is 10 min 0 s behind the service's" "$tmp/skew.err" \
	&& ok "... the error names the clock and by how much it is off" \
	|| { not_ok "... the error names the clock and by how much it is off"; diag < "$tmp/skew.err"; }
check "... and is not retried" test "$(wc -l < "$tmp/skew.log")" -eq 1
start skew2 --clock-skew -3700 --skew-error too-skewed
xr groups --endpoint-url "http://127.0.0.1:$port" > "$tmp/skew2.out" 2> "$tmp/skew2.err"
check "RequestTimeTooSkewed, a clock an hour ahead: exit 2" test $? -eq 2
grep -q "RequestTimeTooSkewed.*clock is 1 h 1 min ahead of the service's" "$tmp/skew2.err" \
	&& ok "... the error says so" || { not_ok "... the error says so"; diag < "$tmp/skew2.err"; }
start skew3 --clock-skew 200
xr groups --endpoint-url "http://127.0.0.1:$port" > "$tmp/skew3.out" 2> "$tmp/skew3.err"
check "a clock 200 s off (AWS allows 5 min): the groups are listed" grep -q "^5 groups" "$tmp/skew3.out"
start badkey
AWS_SECRET_ACCESS_KEY=SeCrEt/long+term/0001xyZ xr groups --endpoint-url "http://127.0.0.1:$port" \
	> "$tmp/badkey.out" 2> "$tmp/badkey.err"
check "a wrong secret key: exit 2" test $? -eq 2
grep -q "check the secret key .*clock agrees" "$tmp/badkey.err" \
	&& ok "... the error blames the key, not the clock" || { not_ok "... the error blames the key, not the clock"; diag < "$tmp/badkey.err"; }

done_testing
