#!/bin/sh
# The hostile corpus (tests/hostile/make-hostile.py) in a real terminal:
# every view is visited, and the terminal must not have acted on the data:
# the pane's title is not changed by OSC 0/2, no OSC 52 reached the
# clipboard (tmux's buffers), no CSI cleared the screen (the frame is still
# there), and the injected sequences are on the screen as text; the screen
# as tmux holds it (capture-pane -e) has SGR attributes only, valid UTF-8
# and no C1, bidi or invisible character.
. "$(dirname "$0")/tmux-lib.sh"

. "$top_srcdir/tests/hostile/corpus.sh"
ZW=$(printf '\342\200\213')

# safe_screen DESC: the pane, with attributes, holds nothing but text and SGR.
n_screen=0
safe_screen() {
	n_screen=$((n_screen + 1))
	capture -e > "$tmp/screen$n_screen.e"
	sed "s/$ESC\\[[0-9;:]*m//g" "$tmp/screen$n_screen.e" > "$tmp/screen$n_screen.txt"
	if "$PYTHON3" "$H/check.py" screen 100 30 "$tmp/screen$n_screen.txt" > "$tmp/screen.v" 2>&1; then
		ok "$1: only text and SGR on the pane"
	else
		not_ok "$1: only text and SGR on the pane"
		{ cat "$tmp/screen.v"; cat -v "$tmp/screen$n_screen.e" | head -n 30; } | diag
	fi
}

start 100 30 XRAYTOP_CONFIG="$C/config" "$XRAYTOP" "$C/segments.jsonl"
tm select-pane -t t -T "KEEP-TITLE"
see "map: the data is loaded" "traces 20"
see "map: the frame is drawn" "xraytop › map"
keys / o s c 0 Enter
see "map: OSC 0 in a name is text" "osc0-?]0;PWNED-TITLE?osc0-title"
safe_screen "map"
keys Tab Tab Tab
safe_screen "map: a selection and its details"
keys 2
see "list: the traces" "20 traces"
see "list: OSC 2 in a name is text" "osc2-?]2;PWNED-TITLE"
see "list: OSC 52 in a name is text" "osc52-?]52;c;cHduZW"
safe_screen "list"
keys / o s c 5 2 Enter Enter
see "timeline: the OSC 52 trace" "sub-osc52-?]52;c;cHduZWQ=?osc52-clip"
safe_screen "timeline"
keys Tab
see "details: focused" "details (Tab: back to the tree)"
keys G
safe_screen "details"
keys Escape Escape
keys / o s c 8 Enter Enter
see "timeline: the OSC 8 trace" "sub-osc8-?]8;;http://evil.example/?"
keys Tab G
safe_screen "details of a hyperlink"
keys Escape Escape
keys / d c s - Enter Enter
see "timeline: the DCS trace" "sub-dcs-?P1\$qm?\\dcs"
keys Tab G
safe_screen "details of DCS"
keys Escape Escape
keys / c s i - Enter Enter
see "timeline: the CSI trace" "sub-csi-?[2J?[H?[31mCSI-clear?[0m"
safe_screen "the CSI 2J trace"
keys Escape
keys 3
see "groups: from the config file" 'annotation.k = "?]0;CFG-TITLE?"'
safe_screen "groups"
keys 4
see "sampling rules" "sampling"
safe_screen "sampling"
keys '?'
see "help" "Keys:"
safe_screen "help"
keys Escape 2 '\'
# Pasted into the filter prompt: bidi, zero-width, C1, and an escape sequence.
tm send-keys -t t -l "annotation.k = \"${RLO}x${ZW}y${C1}z\""
see "prompt: the pasted text, neutralised" 'annotation.k = "?x?yz"'
safe_screen "the filter prompt"
keys Enter
see "prompt: the filter is applied" "0 of 20 traces"
safe_screen "a filter of pasted text"

title=$(tm display-message -p -t t '#{pane_title}')
if [ "$title" = "KEEP-TITLE" ]; then
	ok "the pane's title was not changed (OSC 0, OSC 2)"
else
	not_ok "the pane's title was not changed (OSC 0, OSC 2)"
	echo "title: $title" | cat -v | diag
fi
bufs=$(tm list-buffers -F '#{buffer_sample}' 2> /dev/null)
case $bufs in
*pwned*) not_ok "no OSC 52 from the data reached the clipboard"; echo "$bufs" | diag ;;
*) ok "no OSC 52 from the data reached the clipboard" ;;
esac
see "the screen was not cleared by the data: the status bar is there" "group Default"
keys q q q q
status=$(wait_exit 10)
check "q: exit 0" test "$status" = 0
restored "the terminal is restored"

done_testing
