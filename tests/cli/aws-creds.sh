#!/bin/sh
# Every credential provider and the region chain, each against a loopback
# fake (tests/aws/fake_creds.py: IMDSv2 that refuses v1, ECS/EKS container
# credentials, STS AssumeRole and AssumeRoleWithWebIdentity, the SSO
# portal), profile files, credential_process scripts.  Each source hands out
# its own key, so the key the fake X-Ray endpoint saw tells which provider
# xraytop used.  When nothing works the message lists every provider.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/aws-lib.sh"

write_keys
"$PYTHON3" "$AWSDIR/fake_creds.py" --issued-only "$tmp/issued.json"
# the fake X-Ray accepts the test keys, the keys the fakes issue and the profile keys below
py "
import json
k=json.load(open('$tmp/keys.json')); k.update(json.load(open('$tmp/issued.json')))
k['AKIDPROFILEDEV000001']={'secret':'SeCrEt/dev/profile','token':None}
k['AKIDCONFIGFILE000001']={'secret':'SeCrEt/config/file','token':None}
k['AKIDPROCESS000000001']={'secret':'SeCrEt/process/1','token':None}
json.dump(k, open('$tmp/all-keys.json','w'))
"
start_fake creds fake_creds.py --log "$tmp/creds.log" --keys "$tmp/all-keys.json" \
	--container-token "Bearer eks-pod-token-abc" --external-id ext-42 --imds-region eu-west-3
CP=$port
start_fake xray fake_xray.py --keys "$tmp/all-keys.json" --groups "$FIX/groups.json" --log "$tmp/xray.log"
XP=$port
start_fake xray3 fake_xray.py --keys "$tmp/all-keys.json" --groups "$FIX/groups.json" --log "$tmp/xray3.log" \
	--region eu-west-3
X3=$port

last_key() { tail -n 1 "$1" | py "import json,sys; print(json.loads(sys.stdin.read()).get('key'))"; }
# used DESCRIPTION KEY [ENV...] -- runs `xraytop groups` and checks the key the fake saw
used() {
	desc=$1
	want=$2
	shift 2
	if env "$@" "$XRAYTOP" groups --endpoint-url "http://127.0.0.1:$XP" > "$tmp/out.txt" 2> "$tmp/err.txt"; then
		got=$(last_key "$tmp/xray.log")
		if [ "$got" = "$want" ]; then ok "$desc"; else not_ok "$desc"; echo "key $got, want $want" | diag; fi
	else
		not_ok "$desc"
		diag < "$tmp/err.txt"
	fi
	cat "$tmp/out.txt" "$tmp/err.txt" >> "$tmp/all-output.txt"
}

mkdir -p "$HOME/.aws"
cat > "$HOME/.aws/credentials" <<EOF
[dev]
aws_access_key_id = AKIDPROFILEDEV000001
aws_secret_access_key = SeCrEt/dev/profile
EOF
cat > "$HOME/.aws/config" <<EOF
[default]
region = us-east-1

[profile dev]
region = us-east-1

[profile cfg]
region = us-east-1
aws_access_key_id = AKIDCONFIGFILE000001
aws_secret_access_key = SeCrEt/config/file

[profile proc]
region = us-east-1
credential_process = "$tmp/my creds.sh" --key "AKIDPROCESS000000001"

[profile broken]
region = us-east-1
credential_process = $tmp/fail.sh

[profile role]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/xraytop-reader
source_profile = dev
external_id = ext-42

[profile role-env]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/xraytop-reader
credential_source = Environment
external_id = ext-42

[profile role-bad]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/not-allowed
source_profile = dev

[profile sso]
region = us-east-1
sso_session = my-sso
sso_account_id = 123456789012
sso_role_name = ReadOnly

[sso-session my-sso]
sso_region = us-east-1
sso_start_url = https://example.awsapps.com/start

[profile sso-legacy]
region = us-east-1
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = ReadOnly

[profile web]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/xraytop-reader
web_identity_token_file = $tmp/web-token
EOF
cat > "$tmp/my creds.sh" <<'EOF'
#!/bin/sh
[ "$1" = "--key" ] || { echo "bad arguments" >&2; exit 3; }
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "SeCrEt/process/1"}\n' "$2"
EOF
printf '#!/bin/sh\necho "cannot reach the vault" >&2\nexit 4\n' > "$tmp/fail.sh"
chmod +x "$tmp/my creds.sh" "$tmp/fail.sh"
printf 'eyJ.fake-oidc-token.sig' > "$tmp/web-token"

E="AWS_ACCESS_KEY_ID=AKIDTESTLONGTERM0001 AWS_SECRET_ACCESS_KEY=SeCrEt/long+term/0001xyz"
R="AWS_REGION=us-east-1"
STS="AWS_ENDPOINT_URL_STS=http://127.0.0.1:$CP"

# ---------------------------------------------------------------- environment and files
used "environment keys" AKIDTESTLONGTERM0001 $E $R
env $E $R "$XRAYTOP" groups --profile dev --endpoint-url "http://127.0.0.1:$XP" > /dev/null
check "--profile dev uses the profile's keys even with keys in the environment" \
	test "$(last_key "$tmp/xray.log")" = AKIDPROFILEDEV000001
env $E $R AWS_PROFILE=dev "$XRAYTOP" groups --endpoint-url "http://127.0.0.1:$XP" > /dev/null
check "AWS_PROFILE does not beat environment keys (as botocore)" test "$(last_key "$tmp/xray.log")" = AKIDTESTLONGTERM0001
used "AWS_PROFILE picks the profile when the environment has no keys" AKIDPROFILEDEV000001 AWS_PROFILE=dev
used "keys in the config file" AKIDCONFIGFILE000001 AWS_PROFILE=cfg
mkdir -p "$tmp/elsewhere"
mv "$HOME/.aws/credentials" "$tmp/elsewhere/creds"
used "AWS_SHARED_CREDENTIALS_FILE moves the credentials file" AKIDPROFILEDEV000001 AWS_PROFILE=dev \
	AWS_SHARED_CREDENTIALS_FILE="$tmp/elsewhere/creds"
cp "$HOME/.aws/config" "$tmp/elsewhere/config"
used "AWS_CONFIG_FILE moves the config file" AKIDCONFIGFILE000001 AWS_PROFILE=cfg \
	AWS_CONFIG_FILE="$tmp/elsewhere/config" AWS_SHARED_CREDENTIALS_FILE="$tmp/elsewhere/creds"
mv "$tmp/elsewhere/creds" "$HOME/.aws/credentials"
check_status "a profile in neither file: exit 2" 2 "$XRAYTOP" groups --profile nosuch --endpoint-url "http://127.0.0.1:$XP"
grep -q "profile 'nosuch' is in neither" "$tmp/check.err" && ok "... saying so" || not_ok "... saying so"

# ---------------------------------------------------------------- credential_process
used "credential_process (quoted path with a space, arguments split like a shell)" AKIDPROCESS000000001 AWS_PROFILE=proc
check_status "a credential_process that fails: exit 2" 2 env AWS_PROFILE=broken "$XRAYTOP" groups --endpoint-url "http://127.0.0.1:$XP"
grep -q "exited with status 4: cannot reach the vault" "$tmp/check.err" && ok "... with its status and message" \
	|| { not_ok "... with its status and message"; diag < "$tmp/check.err"; }

# ---------------------------------------------------------------- assume role, web identity
used "assume role: source_profile's keys sign STS AssumeRole (with external_id)" ASIASTS0000000000001 \
	AWS_PROFILE=role $STS
check "... STS checked the signature and answered 200" grep -q '"what": "sts", .*"status": 200' "$tmp/creds.log"
env $STS $E "$XRAYTOP" groups --profile role-env --endpoint-url "http://127.0.0.1:$XP" > /dev/null
check "assume role with credential_source = Environment (the environment's keys sign)" \
	test "$(last_key "$tmp/xray.log")" = ASIASTS0000000000001
check_status "assume role refused by STS: exit 2" 2 env AWS_PROFILE=role-bad $STS "$XRAYTOP" groups --endpoint-url "http://127.0.0.1:$XP"
grep -q "AccessDenied" "$tmp/check.err" && ok "... with STS's AccessDenied" || { not_ok "... with STS's AccessDenied"; diag < "$tmp/check.err"; }
used "web identity from AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN (EKS IRSA)" ASIAWEB0000000000001 $R $STS \
	AWS_WEB_IDENTITY_TOKEN_FILE="$tmp/web-token" AWS_ROLE_ARN=arn:aws:iam::123456789012:role/xraytop-reader
used "web identity from the profile" ASIAWEB0000000000001 AWS_PROFILE=web $STS

# ---------------------------------------------------------------- SSO
mkdir -p "$HOME/.aws/sso/cache"
future=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
past=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
h=$(py "import hashlib; print(hashlib.sha1(b'my-sso').hexdigest())")
printf '{"startUrl": "https://example.awsapps.com/start", "region": "us-east-1", "accessToken": "sso-access-token-FAKE", "expiresAt": "%s"}\n' \
	"$future" > "$HOME/.aws/sso/cache/$h.json"
used "SSO: the cached token (file named by SHA-1 of the session) is exchanged at the portal" ASIASSO0000000000001 \
	AWS_PROFILE=sso AWS_ENDPOINT_URL_SSO="http://127.0.0.1:$CP"
h2=$(py "import hashlib; print(hashlib.sha1(b'https://legacy.awsapps.com/start').hexdigest())")
printf '{"accessToken": "sso-access-token-FAKE", "expiresAt": "%s"}\n' "$future" > "$HOME/.aws/sso/cache/$h2.json"
used "SSO, legacy profile (file named by SHA-1 of the start URL)" ASIASSO0000000000001 \
	AWS_PROFILE=sso-legacy AWS_ENDPOINT_URL_SSO="http://127.0.0.1:$CP"
printf '{"accessToken": "sso-access-token-FAKE", "expiresAt": "%s"}\n' "$past" > "$HOME/.aws/sso/cache/$h.json"
check_status "SSO with an expired token: exit 2" 2 env AWS_PROFILE=sso AWS_ENDPOINT_URL_SSO="http://127.0.0.1:$CP" \
	"$XRAYTOP" groups --endpoint-url "http://127.0.0.1:$XP"
grep -q "aws sso login" "$tmp/check.err" && ok "... telling to run aws sso login" || not_ok "... telling to run aws sso login"

# ---------------------------------------------------------------- containers
printf 'Bearer eks-pod-token-abc\n' > "$tmp/eks-token"
used "container credentials (EKS Pod Identity: full URI and token file)" ASIAECS0000000000001 $R \
	AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$CP/ecs/creds" AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$tmp/eks-token"
used "container credentials (token in AWS_CONTAINER_AUTHORIZATION_TOKEN)" ASIAECS0000000000001 $R \
	AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$CP/ecs/creds" AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer eks-pod-token-abc"
check_status "container credentials with a wrong token: exit 2" 2 env $R \
	AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$CP/ecs/creds" AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong \
	"$XRAYTOP" groups --endpoint-url "http://127.0.0.1:$XP"
check_status "a full URI to an address that is not allowed over http is refused" 2 env $R \
	AWS_CONTAINER_CREDENTIALS_FULL_URI="http://192.0.2.1/creds" "$XRAYTOP" groups --endpoint-url "http://127.0.0.1:$XP"
grep -q "must be https" "$tmp/check.err" && ok "... before any request" || not_ok "... before any request"

# ---------------------------------------------------------------- IMDSv2
: > "$tmp/creds.log"
used "EC2 instance metadata (IMDSv2: token, role, credentials)" ASIAIMDS000000000001 $R \
	AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$CP"
check "... every metadata GET carried the session token (no IMDSv1 request)" py "
import json
e=[json.loads(l) for l in open('$tmp/creds.log')]
w=[x['what'] for x in e]
assert w[0] == 'imds-token' and 'imds-creds' in w and 'imds-v1-refused' not in w, w
"
mkdir -p "$tmp/bare"
env HOME="$tmp/bare" AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$CP" \
	"$XRAYTOP" groups --endpoint-url "http://127.0.0.1:$X3" > /dev/null 2> "$tmp/err.txt"
check "with no region configured, the instance identity document gives it (eu-west-3)" \
	test "$(last_key "$tmp/xray3.log")" = ASIAIMDS000000000001

# ---------------------------------------------------------------- refresh before expiry
start_fake short fake_creds.py --log "$tmp/short.log" --lifetime 300 --container-token "Bearer eks-pod-token-abc"
used "credentials expiring in 5 minutes are used and refreshed in the background" ASIAECS0000000000001 $R \
	AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$port/ecs/creds" AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer eks-pod-token-abc"
check "... the container endpoint was asked twice (start, then the refresh)" test "$(grep -c '"what": "ecs"' "$tmp/short.log")" -eq 2

# ---------------------------------------------------------------- region order
start_fake xw2 fake_xray.py --keys "$tmp/all-keys.json" --groups "$FIX/groups.json" --region us-west-2 --log "$tmp/xw2.log"
W2="--endpoint-url http://127.0.0.1:$port"
check "--region beats AWS_REGION" env $E AWS_REGION=eu-west-1 "$XRAYTOP" groups $W2 --region us-west-2
check "AWS_REGION beats AWS_DEFAULT_REGION" env $E AWS_REGION=us-west-2 AWS_DEFAULT_REGION=eu-west-1 "$XRAYTOP" groups $W2
check "AWS_DEFAULT_REGION beats the profile's region" env $E AWS_DEFAULT_REGION=us-west-2 AWS_PROFILE=dev "$XRAYTOP" groups $W2
check_status "a region the endpoint does not sign for is refused by it (the scope is checked)" 2 env $E AWS_REGION=eu-west-1 "$XRAYTOP" groups $W2

# ---------------------------------------------------------------- nothing works
check_status "no credentials anywhere: exit 2" 2 env AWS_PROFILE= AWS_REGION=us-east-1 HOME="$tmp/empty" \
	"$XRAYTOP" groups --endpoint-url "http://127.0.0.1:$XP"
check "... one message listing every provider tried, in order" py "
t=open('$tmp/check.err').read()
names=['environment:', 'assume role:', 'web identity:', 'SSO:', 'shared credentials file:', 'credential_process:',
       'config file:', 'container:', 'EC2 instance metadata:']
pos=[t.find('  '+n) for n in names]
assert all(p >= 0 for p in pos) and pos == sorted(pos), (pos, t)
assert 'AWS_EC2_METADATA_DISABLED is true' in t
"

check_no_secrets "no secret in any output or error of these runs" "$tmp/all-output.txt" "$tmp/check.err" "$tmp/err.txt"
done_testing
