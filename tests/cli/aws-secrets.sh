#!/bin/sh
# Secrets never leak.  xraytop runs at its highest log level (debug, into
# --log FILE: -v for the commands, -vv for the TUI) through every AWS fetch there is (map, map --full, traces,
# traces --full, trace, groups, sampling-rules, each with --save; a fetch
# through throttles, 5xx, resets, cut bodies and unprocessed ids; the TUI,
# headless, on the account) and through credential failures (a wrong secret
# key: the signature is refused; credential_process that fails, prints
# broken JSON or the wrong version; a token that expires and cannot be
# renewed; an assumed role).  The secret access keys and session tokens are
# long random strings: neither they nor any 8 characters in a row of them
# may appear in the standard output, the standard error, the log, the saved
# pages or the screens.  xraytop never shows the access key id either (it
# names where the credentials came from, not the key), so the same holds
# for the key ids.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/aws-lib.sh"
need_shared

# The secrets: long, random, and nothing like any other text of the run.
"$PYTHON3" - "$tmp" <<'PY'
import json, random, sys
tmp = sys.argv[1]
r = random.Random(20261124)
up = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
def s(alpha, n):
    return "".join(r.choice(alpha) for _ in range(n))
k = {"AKID": "ASIA" + s(up, 16), "SECRET": s(b64, 40), "TOKEN": "IQo" + s(b64, 397),
     "AKID2": "ASIA" + s(up, 16), "SECRET2": s(b64, 40), "TOKEN2": "FwoG" + s(b64, 296),
     "WRONG": s(b64, 40), "LTAKID": "AKIA" + s(up, 16), "LTSECRET": s(b64, 40)}
with open(tmp + "/secrets.sh", "w") as f:
    for n, v in k.items():
        f.write("%s='%s'\n" % (n, v))
json.dump(k, open(tmp + "/secrets.json", "w"))
# The fake X-Ray endpoint's keys: the session pair, the credential_process
# pair (refused as expired after 3 uses), and what the fake STS hands out.
keys = {k["AKID"]: {"secret": k["SECRET"], "token": k["TOKEN"]},
        k["AKID2"]: {"secret": k["SECRET2"], "token": k["TOKEN2"], "expires_after": 3},
        "ASIASTS0000000000001": {"secret": "sts-secret-1", "token": "sts-token-1"}}
json.dump(keys, open(tmp + "/keys.json", "w"))
json.dump({k["LTAKID"]: {"secret": k["LTSECRET"], "token": None}}, open(tmp + "/sts-keys.json", "w"))
PY
. "$tmp/secrets.sh"

# scan FILE...: fails when a secret, 8 characters of one, or a key id is in the files.
scan() {
	"$PYTHON3" - "$tmp/secrets.json" "$@" > "$tmp/leaks.out" 2>&1 <<'PY'
import json, sys
k = json.load(open(sys.argv[1]))
secrets = [k[n] for n in ("SECRET", "TOKEN", "SECRET2", "TOKEN2", "WRONG", "LTSECRET")]
ids = [k[n] for n in ("AKID", "AKID2", "LTAKID")]
pieces = {v[i:i + 8] for v in secrets + ids for i in range(len(v) - 7)}
bad = 0
files = sys.argv[2:]
if not files:
    sys.exit("no files")
for path in files:
    data = open(path, "rb").read().decode("latin-1")
    found = sorted(p for p in pieces if p in data)
    for v in ("sts-secret-1", "sts-token-1"):
        if v in data:
            found.append(v)
    if found:
        bad += 1
        print("%s: %d pieces, e.g. %s" % (path.rsplit("/", 1)[-1], len(found), found[0][:3] + "..."))
print("%d files, %d bytes, %d pieces looked for" % (len(files), sum(len(open(p, "rb").read()) for p in files),
                                                  len(pieces)))
sys.exit(1 if bad else 0)
PY
}

# leaks DESC FILE...: ok when scan finds nothing.
leaks() {
	desc=$1
	shift
	if scan "$@"; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
	diag < "$tmp/leaks.out"
}

now=$(date +%s)
"$PYTHON3" "$SHARED_DIR/bench/gen-traces" --traces 40 --seed 9 --format batch --api-inferred \
	--start-time $((now - 900)) --out "$tmp/input.jsonl" --quiet
export AWS_ACCESS_KEY_ID="$AKID" AWS_SECRET_ACCESS_KEY="$SECRET" AWS_SESSION_TOKEN="$TOKEN" AWS_REGION=us-east-1

# xfake NAME ARGS...: the fake X-Ray endpoint with everything it can serve.
xfake() {
	name=$1
	shift
	start_fake "$name" fake_xray.py --keys "$tmp/keys.json" --traces "$tmp/input.jsonl" \
		--graph "$FIX/service-graph.json" --groups "$FIX/groups.json" --sampling "$FIX/sampling-rules.json" \
		--sampling-stats "$FIX/sampling-stats.json" --page-size 10 --log "$tmp/fake-$name.log" \
		--write-truth "$tmp/truth.json" "$@"
	url="http://127.0.0.1:$port"
}

# run NAME WANT ARGS...: xraytop ARGS at debug level; output NAME.out, NAME.err,
# log NAME.log; ok when it exits WANT.
run() {
	name=$1
	want=$2
	shift 2
	xr "$@" -v --log "$tmp/$name.log" > "$tmp/$name.out" 2> "$tmp/$name.err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		ok "$name: exit $want"
	else
		not_ok "$name: exit $want"
		echo "exit status $got" | diag
		head -n 5 "$tmp/$name.err" | diag
	fi
}

# ---------------------------------------------------------------- a full fetch
xfake full
first=$(py "import json; print(sorted(json.load(open('$tmp/truth.json'))['traces'])[0])")
run map 0 map --since 1h --endpoint-url "$url" --save "$tmp/map.save" --format json
run map-full 0 map --since 1h --full --endpoint-url "$url" --save "$tmp/map-full.save"
run traces 0 traces --since 1h --endpoint-url "$url" --save "$tmp/traces.save" --format json
run traces-full 0 traces --since 1h --full --endpoint-url "$url" --save "$tmp/traces-full.save"
run trace 0 trace "$first" --endpoint-url "$url" --save "$tmp/trace.save" --format raw
run groups 0 groups --endpoint-url "$url" --format json --save "$tmp/groups.save"
run rules 0 sampling-rules --endpoint-url "$url" --save "$tmp/rules.save"
check "... every command saved its pages" test -s "$tmp/groups.save" -a -s "$tmp/rules.save" -a -s "$tmp/trace.save"
# The scan can fail: the fake's own log names the key id of every request.
if scan "$tmp/fake-full.log"; then
	not_ok "the scan finds a key id where there is one"
else
	ok "the scan finds a key id where there is one"
fi
printf 'x%.8sx\n' "$(echo "$TOKEN" | cut -c 200-)" > "$tmp/piece.txt"
if scan "$tmp/piece.txt"; then
	not_ok "... and 8 characters of a token"
else
	ok "... and 8 characters of a token"
fi
check "the fetches used the session key and its token (every request signed and accepted)" py "
import json
e = [json.loads(l) for l in open('$tmp/fake-full.log')]
assert len(e) >= 20 and all(x['status'] == 200 and x['key'] == '$AKID' for x in e), len(e)
"
check "the debug log was written" grep -q ' debug aws: GetTraceSummaries attempt 1' "$tmp/traces-full.log"
leaks "a full fetch: nothing secret in the output, errors, logs or saved pages" \
	"$tmp"/map.* "$tmp"/map-full.* "$tmp"/traces.* "$tmp"/traces-full.* "$tmp"/trace.* \
	"$tmp"/groups.* "$tmp"/rules.*

# ---------------------------------------------------------------- through faults
xfake faults --fault-rate 0.4 --faults throttle,500,503,reset,reset-body,truncate,garbage,unprocessed \
	--max-in-row 3 --seed 2
run faults 0 traces --since 1h --full --endpoint-url "$url" --save "$tmp/faults.save" --format ids
check "... the faults happened and were logged" grep -q 'transfer failed\|HTTP 5\|HTTP 429' "$tmp/faults.log"
leaks "a fetch through throttles, 5xx, resets and cut bodies: nothing secret" "$tmp"/faults.*

# ---------------------------------------------------------------- the TUI
# (groups and rules answer a second late: the script waits for them)
xfake tui --fault-rate 1 --faults slow --slow-seconds 1 --fault-ops GetGroups,GetSamplingRules
cat > "$tmp/tui.script" <<END
:dump-screen $tmp/tui-map.screen
2
:dump-screen $tmp/tui-list.screen
:trace $first
:dump-screen $tmp/tui-trace.screen
<Esc>
3
:dump-screen $tmp/tui-groups.screen
4
:dump-screen $tmp/tui-rules.screen
END
env XRAYTOP_NO_DISPLAY=1 XRAYTOP_SCRIPT="$tmp/tui.script" LINES=30 COLUMNS=100 TERM=xterm-256color \
	XRAYTOP_CONFIG=/dev/null timeout -k 5 "$XR_LIMIT" "$XRAYTOP" --since 1h --endpoint-url "$url" --refresh 1h \
	-vv --log "$tmp/tui.log" > "$tmp/tui.out" 2> "$tmp/tui.err"
st=$?
check "the TUI on the account, headless: exit 0, nothing on standard error" test "$st" -eq 0 -a ! -s "$tmp/tui.err"
check "... logging at debug level" grep -q ' debug aws: GetServiceGraph attempt 1' "$tmp/tui.log"
check "... it showed the groups" grep -q 'slow-checkout' "$tmp/tui-groups.screen"
check "... and the rules" grep -q 'Default' "$tmp/tui-rules.screen"
leaks "... nothing secret on its screens, output or log" "$tmp"/tui*

# ---------------------------------------------------------------- credential failures
xfake fail
XENV="AWS_SECRET_ACCESS_KEY=$WRONG"
run bad-secret 2 groups --endpoint-url "$url"
grep -q 'signature was refused: check the secret key of the credentials from environment' "$tmp/bad-secret.err" \
	&& ok "... the error says the secret key is wrong" || { not_ok "... the error says the secret key is wrong"; diag < "$tmp/bad-secret.err"; }
leaks "a wrong secret key: neither it nor the right one shown" "$tmp"/bad-secret.*

XENV="AWS_SESSION_TOKEN=${TOKEN}x"
run bad-token 2 groups --endpoint-url "$url"
XENV=
leaks "a wrong session token: not shown" "$tmp"/bad-token.*

# credential_process: prints the keys and fails; prints broken JSON; version 2.
mkdir -p "$HOME/.aws"
cat > "$tmp/proc-fail.sh" <<SCRIPT
#!/bin/sh
echo '{"Version": 1, "AccessKeyId": "$AKID2", "SecretAccessKey": "$SECRET2", "SessionToken": "$TOKEN2"}'
echo "the token service is unavailable" >&2
exit 1
SCRIPT
cat > "$tmp/proc-broken.sh" <<SCRIPT
#!/bin/sh
printf '{"Version": 1, "AccessKeyId": "$AKID2", "SecretAccessKey": "$SECRET2", "SessionToken": "$TOKEN2'
SCRIPT
cat > "$tmp/proc-v2.sh" <<SCRIPT
#!/bin/sh
echo '{"Version": 2, "AccessKeyId": "$AKID2", "SecretAccessKey": "$SECRET2", "SessionToken": "$TOKEN2"}'
SCRIPT
# The first call gives the pair the fake lets sign 3 requests; the next ones fail.
cat > "$tmp/proc-once.sh" <<SCRIPT
#!/bin/sh
if [ -e "$tmp/proc-once.done" ]; then
	echo '{"Version": 1, "AccessKeyId": "$AKID2", "SecretAccessKey": "$SECRET2", "SessionToken": "$TOKEN2"}'
	echo "cannot renew: the session has ended" >&2
	exit 3
fi
touch "$tmp/proc-once.done"
echo '{"Version": 1, "AccessKeyId": "$AKID2", "SecretAccessKey": "$SECRET2", "SessionToken": "$TOKEN2"}'
SCRIPT
chmod +x "$tmp"/proc-*.sh
cat > "$HOME/.aws/config" <<CONFIG
[profile fail]
region = us-east-1
credential_process = $tmp/proc-fail.sh
[profile broken]
region = us-east-1
credential_process = $tmp/proc-broken.sh
[profile v2]
region = us-east-1
credential_process = $tmp/proc-v2.sh
[profile once]
region = us-east-1
credential_process = $tmp/proc-once.sh
[profile role]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/xraytop-reader
source_profile = lt
[profile lt]
region = us-east-1
aws_access_key_id = $LTAKID
aws_secret_access_key = $LTSECRET
CONFIG
run proc-fail 2 groups --profile fail --endpoint-url "$url"
grep -q 'exited with status 1: the token service is unavailable' "$tmp/proc-fail.err" \
	&& ok "... it says the process failed, with its message" || { not_ok "... it says the process failed, with its message"; diag < "$tmp/proc-fail.err"; }
run proc-broken 2 groups --profile broken --endpoint-url "$url"
grep -q 'printed no JSON object' "$tmp/proc-broken.err" && ok "... broken JSON: said" || not_ok "... broken JSON: said"
run proc-v2 2 groups --profile v2 --endpoint-url "$url"
grep -q 'Version must be 1' "$tmp/proc-v2.err" && ok "... version 2: said" || not_ok "... version 2: said"
leaks "credential_process failing, with broken JSON, with the wrong version: its keys not shown" \
	"$tmp"/proc-fail.[elo]* "$tmp"/proc-broken.[elo]* "$tmp"/proc-v2.[elo]*

run expired 3 traces --since 1h --full --profile once --endpoint-url "$url" --save "$tmp/expired.save" --format ids
grep -q 'security token expired and new credentials could not be had: .*exited with status 3' "$tmp/expired.err" \
	&& ok "... an expired token that cannot be renewed: said" || { not_ok "... an expired token that cannot be renewed: said"; diag < "$tmp/expired.err"; }
leaks "... nothing secret shown" "$tmp"/expired.[elos]*

# An assumed role: the long-term source keys sign the STS call.
start_fake sts fake_creds.py --log "$tmp/fake-sts.log" --keys "$tmp/sts-keys.json"
XENV="AWS_ENDPOINT_URL_STS=http://127.0.0.1:$port"
run role 0 groups --profile role --endpoint-url "$url"
XENV=
check "... the role's credentials were used" grep -q '"key": "ASIASTS0000000000001", .*"status": 200' "$tmp/fake-fail.log"
leaks "an assumed role: neither the source keys nor the role's shown" "$tmp"/role.*

done_testing
