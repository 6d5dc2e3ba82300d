# aws-lib.sh - helpers for the tests of the AWS source (sourced after lib.sh).
#
# Every test runs xraytop in a clean AWS environment: no AWS_* variable from
# the caller, HOME in the scratch folder (so ~/.aws is the test's own),
# instance metadata disabled unless a test points it at its loopback fake.
# Fakes (tests/aws/*.py) listen on free loopback ports and are stopped when
# the script exits.

AWSDIR=$top_srcdir/tests/aws
FIX=$AWSDIR/fixtures
fake_pids=""
trap 'for p in $fake_pids; do kill "$p" 2> /dev/null; done; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

for v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
export HOME="$tmp/home" AWS_EC2_METADATA_DISABLED=true
mkdir -p "$HOME"

py() { "$PYTHON3" -c "$@"; }

# xr ARGS...: xraytop, bounded (a hang fails the test, not the CI job), in
# the environment the VAR=VALUE words of $XENV add.
XR_LIMIT=90
[ "${ASAN_BUILD:-no}" = yes ] && XR_LIMIT=180
XENV=
xr() { timeout -k 5 "$XR_LIMIT" env $XENV "$XRAYTOP" "$@"; }

# start_fake NAME SCRIPT ARGS...: run a fake; its port in $port (and $NAME.port).
start_fake() {
	name=$1
	script=$2
	shift 2
	rm -f "$tmp/$name.port"
	"$PYTHON3" "$AWSDIR/$script" --port-file "$tmp/$name.port" "$@" 2> "$tmp/$name.err" &
	fake_pids="$fake_pids $!"
	i=0
	while [ ! -s "$tmp/$name.port" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ ! -s "$tmp/$name.port" ]; then
		echo "Bail out! the fake $script did not start"
		cat "$tmp/$name.err" >&2
		exit 99
	fi
	port=$(cat "$tmp/$name.port")
}

# The keys the fake X-Ray endpoint accepts.
write_keys() {
	cat > "$tmp/keys.json" <<KEYS
{"AKIDTESTLONGTERM0001": {"secret": "SeCrEt/long+term/0001xyz", "token": null},
 "ASIATESTSESSION00001": {"secret": "SeCrEt/session/0001abc", "token": "ToKeN-session-0001-IQoJb3JpZ2lu"}}
KEYS
}

use_long_term_keys() {
	export AWS_ACCESS_KEY_ID=AKIDTESTLONGTERM0001 AWS_SECRET_ACCESS_KEY=SeCrEt/long+term/0001xyz
	export AWS_REGION=us-east-1
}

# check_no_secrets DESCRIPTION FILE...: none of the test secrets in the files.
check_no_secrets() {
	desc=$1
	shift
	if grep -l -a -E 'SeCrEt|ToKeN|secret-1|token-1|sso-access-token|fake-oidc-token|imds-session-token' "$@" \
	    > "$tmp/leak.out" 2> /dev/null; then
		not_ok "$desc"
		diag < "$tmp/leak.out"
	else
		ok "$desc"
	fi
}
