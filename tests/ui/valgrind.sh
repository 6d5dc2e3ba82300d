#!/bin/sh
# valgrind finds no leaks and no memory errors in the TUI, headless, through
# every view: the map, the trace list with a filter and a sort, a timeline
# with its details and jumps, help, groups, sampling rules, a resize, the
# too-small screen, and an export.  In an --enable-asan build the same run
# goes under AddressSanitizer and LeakSanitizer instead.
. "$(dirname "$0")/lib.sh"
: "${VALGRIND:=valgrind}"

cat > "$tmp/vg.script" <<END
:dump-screen $tmp/vg-map.screen
/checkout
<Enter>
<Tab>
x
f
<C-u>
fault
<Enter>
s
<Enter>
<Tab>
G
<Esc>
e
s
]
[
:since 5s
:group
2
/POST
<Enter>
n
?
<Esc>
3
<Enter>
4
1
.
D
f
C
I
:resize 20 6
:resize 200 60
:export svg $tmp/vg.svg
:trace 1-6b05a81e-939d8c574bfefdca511405d5
:dump-screen $tmp/vg-trace.screen
END
if [ "${ASAN_BUILD:-no}" = yes ]; then
	set --
else
	set -- "$VALGRIND" -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
	    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=9 \
	    --suppressions="$top_srcdir/tests/cli/valgrind.supp"
fi
env -u NO_COLOR XRAYTOP_NO_DISPLAY=1 XRAYTOP_SCRIPT="$tmp/vg.script" LINES=30 COLUMNS=100 \
    TERM=xterm-256color TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME="$tmp" XRAYTOP_CONFIG=/dev/null \
    "$@" "$XRAYTOP" --demo > "$tmp/vg.out" 2> "$tmp/vg.err"
st=$?
if [ $st -eq 0 ] && [ ! -s "$tmp/vg.err" ]; then
	ok "the views are clean under ${1:-AddressSanitizer}"
else
	not_ok "the views are clean under ${1:-AddressSanitizer}"
	{ echo "exit status $st"; head -n 60 "$tmp/vg.err"; } | diag
fi
has "... and they were drawn" vg-trace.screen "payments-api (ECS)"

done_testing
