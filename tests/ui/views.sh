#!/bin/sh
# The views on the demo, headless: golden screens of the map, the trace
# list, a timeline and its details, help; the navigation map -> edge ->
# traces -> timeline -> details -> back; counts against demo-truth.json
# (the request driver's own bookkeeping, not xraytop's parsing).
. "$(dirname "$0")/lib.sh"
T=$top_srcdir/demo/demo-truth.json
truth() { "$PYTHON3" -c "import json,sys; t=json.load(open('$T')); print($1)"; }

# --- the map, as it opens
tui map --demo <<END
:dump-screen $tmp/map.screen $tmp/map.slots
END
tui_ok "map: runs" map
screen "map: screen" map.screen
screen "map: slots" map.slots
has "map: breadcrumb" map.screen " xraytop › map"
has "map: the client's details" map.screen "client (client)"
has "map: the client's requests are the demo's" map.screen "$(truth "t['totals']['requests']") requests"

# --- the trace list: every request of the demo is a row, slowest first
tui traces --demo <<END
2
:dump-screen $tmp/traces.screen $tmp/traces.slots
y
:dump-screen $tmp/traces-copy.screen
G
:dump-screen $tmp/traces-end.screen
END
tui_ok "traces: runs" traces
screen "traces: screen" traces.screen
screen "traces: slots" traces.slots
has "traces: as many as the driver sent" traces.screen "$(truth "t['totals']['traces']") traces  sorted by RESPONSE ▼"
want=$("$XRAYTOP" traces --limit 1 --format ids --sort response "$DEMO")
has "traces: the slowest first, as 'xraytop traces' sorts (y copies its id)" traces-copy.screen "copied $want"
has "traces: G goes to the end" traces-end.screen "trace"

# --- one trace: the checkout that failed because payments-api did
id=1-6b05a81e-939d8c574bfefdca511405d5
segs=$(truth "[r['segments'] for r in t['requests'] if r['trace_id'] == '$id'][0]")
tui timeline --demo <<END
:trace $id
:dump-screen $tmp/timeline.screen $tmp/timeline.slots
e
:dump-screen $tmp/timeline-error.screen
<Tab>
j
:dump-screen $tmp/details.screen $tmp/details.slots
END
tui_ok "timeline: runs" timeline
screen "timeline: screen" timeline.screen
screen "timeline: slots" timeline.slots
has "timeline: as many segments as the driver counted" timeline.screen "$segs segments"
has "timeline: the root request failed" timeline.screen "web-frontend (ElasticBeanstalk) FLT 502"
has "timeline: the failing payment" timeline.screen "payments-api (ECS)  FLT 500"
screen "timeline: details focused and scrolled" details.screen
field "details: X-Ray's terms" details.screen namespace "remote"
# The first error in tree order is the web-frontend's call to checkout.
field "e: the next fault is selected" timeline-error.screen id "773d00ba10c5c724"

# --- help is the key table of the view below
tui help --demo <<END
2
?
:dump-screen $tmp/help.screen
/OSC
<Enter>
:dump-screen $tmp/help-global.screen
<Esc>
:dump-screen $tmp/help-closed.screen
END
tui_ok "help: runs" help
screen "help: screen" help.screen
has "help: the list's own keys" help.screen "sort by the next column"
has "help: the global keys, found with /" help-global.screen "copy the trace id, or the filter (OSC 52)"
hasnt "help: Esc closes it" help-closed.screen "Keys: Trace list"

# --- navigation: map -> edge -> traces -> timeline -> details -> back
calls=$(truth "[e['calls'] for e in t['edges'] if e['source']['name'] == 'web-frontend' and e['target']['name'] == 'checkout-api'][0]")
tui nav --demo <<END
/web-frontend
<Enter>
<Tab>
<Tab>
:dump-screen $tmp/nav-edge.screen
<Enter>
:dump-screen $tmp/nav-traces.screen
<Enter>
:dump-screen $tmp/nav-trace.screen
<Tab>
:dump-screen $tmp/nav-details.screen
<Esc>
<Esc>
:dump-screen $tmp/nav-back1.screen
<Esc>
:dump-screen $tmp/nav-back2.screen
q
END
tui_ok "navigation: runs and q quits" nav
has "navigation: the edge is selected" nav-edge.screen "web-frontend → checkout-api"
has "navigation: its traces, with the filter shown" nav-traces.screen 'filter: edge("web-frontend", "checkout-api")'
has "navigation: the breadcrumb names the edge" nav-traces.screen "map › traces edge web-frontend → checkout-api"
has "navigation: as many traces as the edge has calls" nav-traces.screen "$calls of 153 traces"
has "navigation: the trace opens" nav-trace.screen "› trace 1-"
has "navigation: the details take the keys" nav-details.screen "details (Tab: back to the tree)"
has "navigation: Esc leaves the details, then the trace" nav-back1.screen "map › traces edge"
hasnt "navigation: ... back on the list" nav-back1.screen "› trace 1-"
has "navigation: Esc again: the map" nav-back2.screen " xraytop › map"
hasnt "navigation: ... and only the map" nav-back2.screen "› traces"

done_testing
