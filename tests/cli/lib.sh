# lib.sh - TAP helpers for the command-line tests (sourced).
#
# Each test script sources this, calls `check DESCRIPTION COMMAND...` or
# ok/not_ok, and ends with done_testing.  Output of a failing command is
# shown as TAP diagnostics.  Scratch files go to $tmp, removed on exit.

set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${XRAYTOP:=$top_builddir/xraytop}"
: "${SHARED_DIR:=$top_srcdir/../shared}"
: "${PYTHON3:=python3}"
: "${XMLLINT:=xmllint}"
export TZ=UTC LC_ALL=C.UTF-8

tap_n=0
tap_failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xraytop-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
diag() { sed 's/^/# /'; }

# check DESCRIPTION COMMAND...: ok when COMMAND exits 0.
check() {
	desc=$1
	shift
	if "$@" > "$tmp/check.out" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		head -n 40 "$tmp/check.out" | diag
	fi
}

# check_status DESCRIPTION WANT COMMAND...: ok when COMMAND exits WANT.
check_status() {
	desc=$1
	want=$2
	shift 2
	"$@" > "$tmp/check.out" 2> "$tmp/check.err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		echo "exit status $got, want $want" | diag
		head -n 20 "$tmp/check.err" | diag
	fi
}

# The shared corpus and bench kit are required: a missing one is an error.
need_shared() {
	if [ ! -d "$SHARED_DIR/corpus" ] || [ ! -d "$SHARED_DIR/bench" ]; then
		echo "Bail out! shared folder not found at $SHARED_DIR (set SHARED_DIR)"
		exit 99
	fi
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
