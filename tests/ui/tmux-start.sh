#!/bin/sh
# The real binary in tmux: start-up on the demo, the navigation map -> edge
# -> traces -> timeline -> details -> back, copying with OSC 52 into tmux's
# buffer, q and Ctrl-C.
. "$(dirname "$0")/tmux-lib.sh"

start 100 30 "$XRAYTOP" --demo
see "start-up: the breadcrumb" "xraytop › map"
see "start-up: the demo is loaded" "153 traces, 15 services"
see "start-up: the map is drawn" "web-frontend"
see "start-up: the status bar" "group Default  window all  UTC"

keys / w e b - f r o n t e n d Enter
see "/: the node is found" "web-frontend (AWS::ElasticBeanstalk::Environment)"
keys Tab Tab
see "Tab: its edges" "web-frontend → checkout-api"
keys Enter
see "Enter: the edge's traces" "52 of 153 traces"
see "... with the filter shown" 'filter: edge("web-frontend", "checkout-api")'
keys y
see "y: copied" "copied 1-"
id=$(capture | sed -n 's/.*copied \(1-[0-9a-f-]*\).*/\1/p')
buf=$(tm show-buffer 2> /dev/null)
[ -n "$id" ] && [ "$buf" = "$id" ] && ok "y: OSC 52 put the id in tmux's buffer" ||
    { not_ok "y: OSC 52 put the id in tmux's buffer"; echo "id '$id' buffer '$buf'" | diag; }
keys Enter
see "Enter: the trace" "› trace 1-"
see "... as a timeline" "web-frontend (ElasticBeanstalk)"
keys Tab
see "Tab: the details" "details (Tab: back to the tree)"
keys Escape
see "Esc: out of the details" "details (Tab to scroll"
keys Escape
gone "Esc: back to the list" "› trace 1-"
see "... which kept its place" "52 of 153 traces"
keys Escape
gone "Esc: back to the map" "› traces"
keys '?'
see "?: help" "Keys: Service map"
keys Escape
gone "Esc closes help" "Keys: Service map"
# Only what changes is sent: nothing while idle (the clock ticks, but the
# screen does not change within a minute), little for one step down.
keys 2
see "the list" "153 traces  sorted by RESPONSE"
tm pipe-pane -t t -o "cat >> $tmp/out.bytes"
sleep 3
idle=$(wc -c < "$tmp/out.bytes")
[ "$idle" -lt 64 ] && ok "idle for 3 s: $idle bytes sent" || { not_ok "idle for 3 s: no repaint"; echo "$idle bytes" | diag; }
: > "$tmp/out.bytes"
keys j
sleep 0.5
step=$(wc -c < "$tmp/out.bytes")
[ "$step" -gt 0 ] && [ "$step" -lt 1500 ] && ok "j: $step bytes sent (a full screen is over 3000)" ||
    { not_ok "j: only the changed cells are sent"; echo "$step bytes" | diag; }
tm pipe-pane -t t
keys Escape

keys q
st=$(wait_exit)
[ "$st" = 0 ] && ok "q quits with status 0" || { not_ok "q quits with status 0"; echo "$st" | diag; }
restored "q: the terminal is restored"

# The mouse: a click selects a row, the wheel moves, a double click opens.
start 100 30 "$XRAYTOP" --demo
see "mouse: started" "153 traces, 15 services"
keys 2
see "mouse: the list" "153 traces  sorted by RESPONSE"
# copied_after ID: press y until the message names ID (the terminal takes
# a moment to tell a click from a double click).
copied_after() {
	n=0
	while [ $n -lt 10 ]; do
		keys y
		wait_for "copied $1" 1 && return 0
		n=$((n + 1))
	done
	return 1
}
row=$(capture | sed -n '8p' | awk '{print $2}' | sed 's/…$//')
click 10 7
copied_after "$row" && ok "mouse: a click on the 5th row selects it" ||
    { not_ok "mouse: a click on the 5th row selects it"; capture | tail -n 1 | diag; }
mouse 65 10 7
mouse 65 10 7
row2=$(capture | sed -n '10p' | awk '{print $2}' | sed 's/…$//')
copied_after "$row2" && ok "mouse: the wheel moves down" ||
    { not_ok "mouse: the wheel moves down"; capture | tail -n 1 | diag; }
click 10 7
click 10 7
see "mouse: a double click opens the trace" "› trace $(echo "$row" | cut -c1-12)"
keys q q
wait_exit > /dev/null

# Ctrl-C quits from anywhere, even with a prompt open.
start 100 30 "$XRAYTOP" --demo
see "again" "153 traces, 15 services"
keys 2 Enter :
see "a prompt" "› trace 1-"
keys C-c
keys C-c
st=$(wait_exit)
[ "$st" = 0 ] && ok "Ctrl-C quits" || { not_ok "Ctrl-C quits"; echo "$st" | diag; }
restored "Ctrl-C: the terminal is restored"

done_testing
