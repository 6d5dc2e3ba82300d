#!/bin/sh
# Resizing the real terminal in every view: to 200x60, to 20x6 (a message
# instead of a broken screen), and back.
. "$(dirname "$0")/tmux-lib.sh"

start 100 30 "$XRAYTOP" --demo
see "start-up" "153 traces, 15 services"
tm resize-window -t t -x 200 -y 60
see "200x60: the map's details go beside it" "│client (client)"
keys 2
see "200x60: the list" "153 traces  sorted by RESPONSE"
w=$(capture | awk '{ if (length($0) > m) m = length($0) } END { print m }')
[ "$w" -gt 150 ] && ok "200x60: the list uses the width ($w)" || { not_ok "200x60: the list uses the width"; echo "$w" | diag; }
keys Enter
see "200x60: the timeline with its details beside" "│ Segment"
tm resize-window -t t -x 20 -y 6
see "20x6: a message instead of a broken screen" "xraytop needs"
see "20x6: ... with the size" "20x6"
tm resize-window -t t -x 100 -y 30
see "100x30: the timeline again" "› trace 1-"
gone "100x30: the message is gone" "xraytop needs"
keys Escape
see "100x30: the list" "153 traces  sorted by RESPONSE"
tm resize-window -t t -x 20 -y 6
see "20x6 on the list" "xraytop needs"
keys Escape
tm resize-window -t t -x 120 -y 40
see "keys typed while too small still work (Esc went back to the map)" "xraytop › map"
gone "... and only the map" "› traces"
keys q
st=$(wait_exit)
[ "$st" = 0 ] && ok "q quits" || { not_ok "q quits"; echo "$st" | diag; }
restored "the terminal is restored"

done_testing
