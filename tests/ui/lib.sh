# lib.sh - helpers for the TUI tests (sourced).
#
# The headless mode of xraytop (as tig's): XRAYTOP_NO_DISPLAY=1 draws on a
# virtual screen of LINES x COLUMNS, XRAYTOP_SCRIPT feeds it keys and
# :commands, and `:dump-screen FILE [SLOTS]` writes what is on screen.
# Screens are compared with tests/ui/expected/NAME.screen (and .slots);
# UPDATE=1 writes the expected files instead.  The run is sealed: UTC, a
# UTF-8 locale, an empty HOME, no config, a fixed clock.
. "$(dirname "$0")/../cli/lib.sh"

UI_EXPECTED=$top_srcdir/tests/ui/expected
UI_COLS=100
UI_LINES=30
# 2026-11-25 15:07:16 UTC: a day after the demo was recorded.
UI_NOW=1795619236
DEMO=$top_srcdir/demo/demo.jsonl

# tui NAME ARGS... <SCRIPT: run xraytop headless on ARGS with the script
# read from standard input; status in $tmp/NAME.rc, stderr in NAME.err.
tui() {
	name=$1
	shift
	cat > "$tmp/$name.script"
	env -u NO_COLOR -u XRAYTOP_BENCH XRAYTOP_NO_DISPLAY=1 XRAYTOP_SCRIPT="$tmp/$name.script" \
	    LINES=$UI_LINES COLUMNS=$UI_COLS TERM=xterm-256color TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 \
	    HOME="$tmp" XRAYTOP_CONFIG=/dev/null XRAYTOP_NOW=$UI_NOW PAGER="${PAGER_CMD:-cat}" \
	    timeout 120 "$XRAYTOP" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
	echo $? > "$tmp/$name.rc"
}

# tui_ok DESC NAME: the run ended with status 0 and nothing on stderr.
tui_ok() {
	if [ "$(cat "$tmp/$2.rc")" = 0 ] && [ ! -s "$tmp/$2.err" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "exit status $(cat "$tmp/$2.rc")" | diag
		head -n 20 "$tmp/$2.err" | diag
	fi
}

# screen DESC FILE: $tmp/FILE equals tests/ui/expected/FILE.
screen() {
	if [ "${UPDATE:-0}" = 1 ]; then
		mkdir -p "$UI_EXPECTED"
		cp "$tmp/$2" "$UI_EXPECTED/$2"
		ok "$1 (expected file written)"
		return
	fi
	if [ ! -f "$tmp/$2" ]; then
		not_ok "$1"
		echo "no screen $2 was written" | diag
	elif diff -u "$UI_EXPECTED/$2" "$tmp/$2" > "$tmp/diff" 2>&1; then
		ok "$1"
	else
		not_ok "$1"
		head -n 60 "$tmp/diff" | diag
	fi
}

# has DESC FILE TEXT: FILE holds TEXT (fixed string).
has() {
	if grep -qF -- "$3" "$tmp/$2" 2>/dev/null; then
		ok "$1"
	else
		not_ok "$1"
		{ echo "no '$3' in $2:"; cat "$tmp/$2" 2>/dev/null; } | head -n 40 | diag
	fi
}

# field DESC FILE KEY VALUE: a details line "KEY   VALUE" (any spacing).
field() {
	if grep -qE -- "^ +$3 +$4" "$tmp/$2" 2>/dev/null; then
		ok "$1"
	else
		not_ok "$1"
		{ echo "no '$3 ... $4' in $2:"; cat "$tmp/$2" 2>/dev/null; } | head -n 40 | diag
	fi
}

# hasnt DESC FILE TEXT: FILE does not hold TEXT.
hasnt() {
	if [ -f "$tmp/$2" ] && ! grep -qF -- "$3" "$tmp/$2"; then
		ok "$1"
	else
		not_ok "$1"
		grep -nF -- "$3" "$tmp/$2" 2>/dev/null | head -n 10 | diag
	fi
}

# line N FILE: line N (1-based) of a screen.
line() {
	sed -n "${1}p" "$tmp/$2"
}
