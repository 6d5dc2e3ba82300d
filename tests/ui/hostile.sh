#!/bin/sh
# Every view on hostile data, headless (tests/hostile/make-hostile.py:
# escape sequences, C1 and bidi controls, invisible characters, invalid
# UTF-8, NUL, 100 KB strings, markup, in every string of the data, the
# configuration's groups and keys, X-Ray's groups and sampling rules).  The
# map, its selections and details, the trace list, every trace's timeline
# and details (each row), the raw JSON given to $PAGER, the problems
# overlay, groups (from the config file and from X-Ray), sampling rules,
# help, the status bar and breadcrumb, the filter prompt with hostile text
# typed or pasted into it, commands with hostile arguments, exports; at
# 100x30 and 60x20.  tests/hostile/check.py asserts that each screen is
# valid UTF-8 with no control, C1, bidi or invisible character and no line
# wider than the terminal; the data's text is shown, neutralised ('?').
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/cli/aws-lib.sh"

. "$top_srcdir/tests/hostile/corpus.sh"
ZW=$(printf '\342\200\213')
UI_NOW=1600001000
keys=$("$PYTHON3" -c "import json; print(' '.join(t['key'] for t in json.load(open('$M'))['traces']))")

# screens COLS LINES DESC FILE...: each screen dump is safe and fits.
screens() {
	cols=$1
	lines=$2
	desc=$3
	shift 3
	if "$PYTHON3" "$H/check.py" screen "$cols" "$lines" "$@" > "$tmp/screens.v" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		head -c 3000 "$tmp/screens.v" | diag
	fi
}

# --- files: every view, every trace
{
	echo ":dump-screen $tmp/map.screen"
	for k in 1 2 3 4 5 6; do
		echo "<Tab>"
		echo ":dump-screen $tmp/map-sel$k.screen"
	done
	echo "D"
	echo ":dump-screen $tmp/map-detail.screen"
	echo "D"
	echo "D"
	echo "/osc0"
	echo "<Enter>"
	echo ":dump-screen $tmp/map-search.screen"
	echo "<Enter>"
	echo ":dump-screen $tmp/map-traces.screen"
	echo "<Esc>"
	echo "2"
	echo ":dump-screen $tmp/list.screen"
	echo "s"
	echo ":dump-screen $tmp/list-sorted.screen"
	echo "G"
	echo ":dump-screen $tmp/list-end.screen"
	echo "/hostile-ids"
	echo "<Enter>"
	echo "<Enter>"
	echo ":dump-screen $tmp/list-hostile-id.screen"
	i=0
	for k in $keys; do
		i=$((i + 1))
		echo ":trace $(printf '1-5f000000-%024x' $i)"
		echo ":dump-screen $tmp/tl-$k.screen"
		echo "<Tab>"
		echo ":dump-screen $tmp/tl-$k-details.screen"
		echo "G"
		echo ":dump-screen $tmp/tl-$k-details-end.screen"
		echo "<Tab>"
		for r in 1 2 3; do
			echo "j"
			echo ":dump-screen $tmp/tl-$k-row$r.screen"
		done
		echo "<Esc>"
	done
	echo ":trace 1-5f000000-000000000000000000000384"
	echo ":dump-screen $tmp/tl-nul.screen"
	echo "<Tab>"
	echo ":dump-screen $tmp/tl-nul-details.screen"
	echo "<Esc>"
	echo ":trace 1-5f000000-000000000000000000000002"
	echo "r"
	echo "<Esc>"
	echo ":errors"
	echo ":dump-screen $tmp/errors.screen"
	echo "<Esc>"
	echo "3"
	echo ":dump-screen $tmp/groups.screen"
	echo "j"
	echo "<Enter>"
	echo ":dump-screen $tmp/group-picked.screen"
	echo ":group"
	echo "4"
	echo ":dump-screen $tmp/sampling.screen"
	echo "?"
	echo ":dump-screen $tmp/help.screen"
	echo "<Esc>"
	echo "2"
	# Typed (or pasted) into the filter prompt: bidi, C1, zero-width.
	echo '\'
	echo "annotation.k = \"${RLO}evil${C1}x${ZW}y\""
	echo ":dump-screen $tmp/prompt.screen"
	echo "<Enter>"
	echo ":dump-screen $tmp/prompt-done.screen"
	echo "<Esc>"
	echo "/${RLO}${ZW}"
	echo ":dump-screen $tmp/search.screen"
	echo "<Esc>"
	echo ":filter annotation.k = \"$ESC]0;PWNED-TITLE${BEL}osc0-title\""
	echo ":dump-screen $tmp/filter.screen"
	echo "y"
	echo ":dump-screen $tmp/filter-copied.screen"
	echo ":export svg $tmp/export.svg"
	echo ":export json $tmp/export.json"
	echo ":dump-screen $tmp/export.screen"
	echo ":resize 60 20"
	echo "1"
	echo ":dump-screen $tmp/small-map.screen"
	echo "2"
	echo ":dump-screen $tmp/small-list.screen"
	echo ":trace 1-5f000000-000000000000000000000012"
	echo "<Tab>"
	echo ":dump-screen $tmp/small-big.screen"
} > "$tmp/files.steps"
# tui_config CONFIG NAME ARGS... <SCRIPT: tui (lib.sh) with a config file,
# and $PAGER copying what it is given to $tmp/pager/.
tui_config() {
	cfg=$1
	name=$2
	shift 2
	cat > "$tmp/$name.script"
	env -u NO_COLOR XRAYTOP_NO_DISPLAY=1 XRAYTOP_SCRIPT="$tmp/$name.script" \
	    LINES=$UI_LINES COLUMNS=$UI_COLS TERM=xterm-256color TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 \
	    HOME="$tmp" XRAYTOP_CONFIG="$cfg" XRAYTOP_NOW=$UI_NOW PAGER="cp -- \"\$1\" $tmp/pager/raw.json; :" \
	    timeout 300 "$XRAYTOP" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
	echo $? > "$tmp/$name.rc"
}
mkdir -p "$tmp/pager"
tui_config "$C/config" files "$C/segments.jsonl" "$C/bad.jsonl" < "$tmp/files.steps"
# The problems of the config file are shown in the UI; nothing on stderr.
tui_ok "files: runs" files
n=$(ls "$tmp"/*.screen | wc -l)
check "files: every screen was written ($n)" test "$n" -eq "$(grep -c '^:dump-screen' "$tmp/files.steps")"
screens 100 30 "files: every screen is safe and fits 100x30" $(ls "$tmp"/*.screen | grep -v "/small-")
screens 60 20 "files: ... and 60x20" "$tmp"/small-*.screen
has "map: a name with OSC 0 is text" map-search.screen "osc0-?]0;PWNED-TITLE?osc0-title"
has "list: a bidi override is neutralised" list.screen "bidi-bidi?gnp.exe"
has "list: zero-width characters are neutralised" list.screen "zw-zero?width????joi"
has "list: the trace whose id is hostile" list.screen "1-5f00?]0;TID?-?eeee"
has "traces of a node: the breadcrumb" map-traces.screen "traces node osc0-?]0;PWNED-TITLE?osc0-title"
has "timeline: a subsegment" tl-osc0.screen "sub-osc0-?]0;PWNED-TITLE?osc0-title"
has "details: 8-bit C1 bytes" tl-c1b-details.screen "c1b-c1b?31m?x??0;t??"
has "details: NUL ends a string" tl-nul-details.screen "nul-before"
hasnt "details: ... and hides what follows" tl-nul-details.screen "AFTER-NUL"
has "the config's problems are listed" errors.screen "unknown key '?]0;JUNK?' in [group plain]"
has "... with the bad lines of the input" errors.screen "bad.jsonl:2:"
has "groups from the config file" groups.screen 'annotation.k = "?]0;CFG-TITLE?"'
has "the prompt shows what was typed, neutralised" prompt.screen 'annotation.k = "?evilx?y"'
has "a hostile filter matches what the data holds" filter.screen "1 of 21 traces"
has "y copies the filter" filter-copied.screen "copied"
has "... and is applied as typed" prompt-done.screen "0 of 21 traces"
has "a group picked from the config file" group-picked.screen "group hostile"
"$PYTHON3" "$H/check.py" text "$tmp/pager/raw.json" > "$tmp/raw.v" 2>&1 &&
    "$PYTHON3" -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/pager/raw.json" 2>> "$tmp/raw.v" &&
    ok "r: the raw JSON given to the pager is safe JSON" ||
    { not_ok "r: the raw JSON given to the pager is safe JSON"; head -c 2000 "$tmp/raw.v" | diag; }
"$PYTHON3" "$H/check.py" json "$tmp/export.json" > "$tmp/exp.v" 2>&1 &&
    "$PYTHON3" "$H/check.py" svg "$tmp/export.svg" "$tmp/export.json" >> "$tmp/exp.v" 2>&1 &&
    ok ":export: JSON and SVG are safe" || { not_ok ":export: JSON and SVG are safe"; head -c 2000 "$tmp/exp.v" | diag; }

# --- a hostile theme name in the config: refused, said safely
tui_config "$C/config-theme" theme "$C/segments.jsonl" <<END
:dump-screen $tmp/theme.screen
END
check "a hostile theme name: exit 2" test "$(cat "$tmp/theme.rc")" = 2
check "... said safely on stderr" "$PYTHON3" "$H/check.py" text "$tmp/theme.err"
has "... naming it" theme.err "unknown theme '?]0;THEME??'"
# A script line with invalid UTF-8: refused, quoted safely.
printf '\033]0;KEYS\007\300\257\n' > "$tmp/badkeys.script"
env XRAYTOP_NO_DISPLAY=1 XRAYTOP_SCRIPT="$tmp/badkeys.script" HOME="$tmp" XRAYTOP_CONFIG=/dev/null \
    timeout 60 "$XRAYTOP" "$C/segments.jsonl" > /dev/null 2> "$tmp/badkeys.err"
check "a script of bad keys: refused" test $? -eq 2
check "... said safely on stderr" "$PYTHON3" "$H/check.py" text "$tmp/badkeys.err"

# --- AWS: X-Ray's groups, sampling rules, map and traces
write_keys
start_fake xray fake_xray.py --keys "$tmp/keys.json" --traces "$C/aws-traces.jsonl" --shift-to-now \
	--graph "$C/aws-service-graph.json" --groups "$C/groups.json" --sampling "$C/sampling-rules.json" \
	--sampling-stats "$C/sampling-stats.json"
use_long_term_keys
UI_NOW=$(date +%s)
tui aws --since 1h --endpoint-url "http://127.0.0.1:$port" --refresh 1h <<END
:dump-screen $tmp/aws-map.screen
<Tab>
<Tab>
:dump-screen $tmp/aws-map-sel.screen
2
:dump-screen $tmp/aws-list.screen
3
:dump-screen $tmp/aws-groups.screen
j
j
:dump-screen $tmp/aws-groups2.screen
4
:dump-screen $tmp/aws-rules.screen
j
j
<Enter>
:dump-screen $tmp/aws-rule.screen
G
:dump-screen $tmp/aws-rules-end.screen
:group g1-$ESC]0;PWNED-TITLE${BEL}osc0-title
:dump-screen $tmp/aws-group.screen
END
tui_ok "AWS: runs" aws
screens 100 30 "AWS: every screen is safe and fits 100x30" "$tmp"/aws-*.screen
has "AWS: X-Ray's groups" aws-groups.screen "g1-?]0;PWNED-TITLE?osc0"
has "AWS: the sampling rules" aws-rules.screen "r1-?]0;PWNED-TITL"
has "AWS: a hostile group in the status bar" aws-group.screen "group g1-?]0;PWNED-TITLE?osc0-title"
check_no_secrets "AWS: no secret on screen" "$tmp"/aws-*.screen

done_testing
