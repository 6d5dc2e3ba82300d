#!/bin/sh
# The live collector in the TUI, headless: the demo's datagrams sent over
# UDP arrive on screen; paused, the screen holds still and counts what
# waits; resumed, everything is in, and the map is exactly the one the
# file gives.
. "$(dirname "$0")/lib.sh"

want=$(grep -c '"format"' "$DEMO")
cat > "$tmp/live.script" <<END
:dump-screen $tmp/live0.screen
p
:wait-data $want 30
:dump-screen $tmp/paused.screen
p
:dump-screen $tmp/resumed.screen
:export json $tmp/live.json
2
:dump-screen $tmp/traces.screen
END
env -u NO_COLOR XRAYTOP_NO_DISPLAY=1 XRAYTOP_SCRIPT="$tmp/live.script" LINES=30 COLUMNS=100 \
    TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME="$tmp" XRAYTOP_CONFIG=/dev/null XRAYTOP_NOW=$UI_NOW \
    timeout 60 "$XRAYTOP" --listen 127.0.0.1:0 > "$tmp/live.out" 2> "$tmp/live.err" &
pid=$!
i=0
while [ ! -s "$tmp/live0.screen" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
addr=$(sed -n 's/.* live \(127\.0\.0\.1:[0-9]*\) .*/\1/p' "$tmp/live0.screen")
if [ -n "$addr" ]; then ok "the status bar names the address ($addr)"; else not_ok "the status bar names the address"; cat "$tmp/live0.screen" "$tmp/live.err" | diag; fi
sent=$("$PYTHON3" "$top_srcdir/tests/ui/send-recording.py" "$addr" "$DEMO")
[ "$sent" = "$want" ] && ok "the demo sent as $want datagrams" || not_ok "the demo sent as $want datagrams ($sent)"
wait $pid
st=$?
[ $st -eq 0 ] && [ ! -s "$tmp/live.err" ] && ok "the run ends cleanly" || { not_ok "the run ends cleanly"; { echo "status $st"; cat "$tmp/live.err"; } | diag; }
has "paused: what arrived waits, counted" paused.screen "PAUSED +$want new"
has "paused: the screen held still" paused.screen "traces 0 "
has "paused: the datagrams are counted as received" paused.screen "$want recv 0 invalid 0 dropped"
has "resumed: every trace is in" resumed.screen "traces 153 "
has "resumed: said so" resumed.screen "resumed: $want new documents"
has "the trace list" traces.screen "153 traces  sorted by RESPONSE"
"$XRAYTOP" map --format json "$DEMO" > "$tmp/file.json"
check "the live map is exactly the file's" cmp "$tmp/file.json" "$tmp/live.json"

done_testing
