#!/bin/sh
# What reaches the terminal: colours by default, none under NO_COLOR (but
# still attributes and glyphs), ASCII with --ascii and in a C locale, and
# a hostile name (ESC ] 0 ; title BEL) drawn as harmless text.
. "$(dirname "$0")/tmux-lib.sh"

ESC=$(printf '\033')
# SGR colour parameters in a capture with -e: 3x/4x/9x/10x or 38;5/48;5.
colours() {
	capture -e | grep -Eq "$ESC\\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|10[0-7]|38;5;[0-9]+|48;5;[0-9]+)[;m]"
}

start 100 30 TERM=xterm-256color "$XRAYTOP" --demo
see "default: started" "153 traces, 15 services"
colours && ok "default: colours are sent" || not_ok "default: colours are sent"
keys q
wait_exit > /dev/null

start 100 30 NO_COLOR=1 "$XRAYTOP" --demo
see "NO_COLOR: started" "153 traces, 15 services"
colours && { not_ok "NO_COLOR: no colour is sent"; capture -e | head -5 | cat -v | diag; } || ok "NO_COLOR: no colour is sent"
capture -e | grep -q "$ESC\\[\\([0-9;]*;\\)\\{0,1\\}7[;m]" && ok "NO_COLOR: attributes instead (reverse status bar)" || not_ok "NO_COLOR: attributes instead"
see "NO_COLOR: health still reads from glyphs" "✗ client"
keys q
wait_exit > /dev/null

start 100 30 "$XRAYTOP" --demo --ascii
see "--ascii: started" "153 traces, 15 services"
keys 2 Enter
see "--ascii: the timeline" "web-frontend"
if capture | LC_ALL=C grep -q '[^ -~]'; then
	not_ok "--ascii: only ASCII on screen"
	capture | LC_ALL=C grep -n '[^ -~]' | head -3 | diag
else
	ok "--ascii: only ASCII on screen"
fi
keys q q q
wait_exit > /dev/null

start 100 30 LANG=C LC_ALL=C "$XRAYTOP" --demo
see "C locale: started" "153 traces"
if capture | LC_ALL=C grep -q '[^ -~]'; then
	not_ok "C locale: ASCII by itself"
	capture | LC_ALL=C grep -n '[^ -~]' | head -3 | diag
else
	ok "C locale: ASCII by itself"
fi
keys q
wait_exit > /dev/null

"$PYTHON3" -c '
import json
print(json.dumps({"id": "a" * 16, "trace_id": "1-5f000000-%024x" % 1, "name": "\x1b]0;PWNED\x07svc",
    "start_time": 1600000000.0, "end_time": 1600000000.5, "http": {"response": {"status": 200}}}))
' > "$tmp/hostile.jsonl"
start 100 30 "$XRAYTOP" "$tmp/hostile.jsonl"
see "hostile: the name shows as text" "?]0;PWNED?svc"
keys 2
see "hostile: in the list too" "?]0;PWNED?svc"
title=$(tm display-message -p -t t '#{pane_title}')
case $title in *PWNED*) not_ok "hostile: the terminal's title was not set"; echo "$title" | diag ;; *) ok "hostile: the terminal's title was not set" ;; esac
keys q q
wait_exit > /dev/null

done_testing
