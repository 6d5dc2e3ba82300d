#!/bin/sh
# Every key of every view, headless on the demo: what each one changes on
# screen; the filter prompt (errors underlined at their column, history),
# the time window, UTC/local, copy, export, the pager, commands.
. "$(dirname "$0")/lib.sh"
T=$top_srcdir/demo/demo-truth.json
truth() { "$PYTHON3" -c "import json,sys; t=json.load(open('$T')); print($1)"; }

# --- the trace list: sorting, searching, filtering
tui list --demo <<END
2
s
:dump-screen $tmp/sort1.screen
S
:dump-screen $tmp/sort2.screen
<
<
:dump-screen $tmp/sort3.screen
/checkout
<Enter>
y
:dump-screen $tmp/search1.screen
n
y
:dump-screen $tmp/search2.screen
N
y
:dump-screen $tmp/search3.screen
f
f
a
u
l
t
:dump-screen $tmp/prompt-typing.screen
<Enter>
:dump-screen $tmp/filtered.screen $tmp/filtered.slots
f
<C-u>
r
e
s
p
o
n
s
e
t
i
m
e
<Space>
>
<Space>
x
:dump-screen $tmp/prompt-error.screen $tmp/prompt-error.slots
<Esc>
:dump-screen $tmp/prompt-cancelled.screen
f
<Up>
<Up>
:dump-screen $tmp/prompt-history.screen
<Esc>
F
:dump-screen $tmp/unfiltered.screen
END
tui_ok "list keys: runs" list
has "s: sorted by the next column" sort1.screen "sorted by DURATION ▼"
has "S: reversed" sort2.screen "sorted by DURATION ▲"
has "<: the previous column, twice" sort3.screen "sorted by STATUS ▼"
# The rows found are requests that went through checkout (the driver says).
found() { sed -n 's/.*copied \(1-[0-9a-f-]*\).*/\1/p' "$tmp/$1"; }
s1=$(found search1.screen); s2=$(found search2.screen); s3=$(found search3.screen)
checkout=$(truth "' '.join(r['trace_id'] for r in t['requests'] if 'checkout' in r['path'] or any('checkout' in s for s in r['services']))")
case " $checkout " in *" $s1 "*) ok "/: the match is a request through checkout" ;; *) not_ok "/: the match is a request through checkout"; echo "$s1" | diag ;; esac
case " $checkout " in *" $s2 "*) [ "$s2" != "$s1" ] && ok "n: the next match" || not_ok "n: the next match" ;; *) not_ok "n: the next match"; echo "$s2" | diag ;; esac
[ "$s3" = "$s1" ] && ok "N: back to the first" || { not_ok "N: back to the first"; echo "$s3 vs $s1" | diag; }
faults=$(truth "sum(1 for r in t['requests'] if r['status'] >= 500)")
has "filter 'fault': as many traces as 5xx answers the driver got" filtered.screen "$faults of 153 traces"
has "filter: shown above the list" filtered.screen "filter: fault"
has "filter: the breadcrumb says filtered" filtered.screen "traces (filtered)"
has "prompt: what is typed shows" prompt-typing.screen "filter: fault"
has "prompt: a bad expression is explained" prompt-error.screen "column 16"
# The underline sits under the 'x' (prompt-error slot) on the last row.
"$PYTHON3" - "$tmp/prompt-error.screen" "$tmp/prompt-error.slots" > "$tmp/underline" <<'PY'
import sys
screen = open(sys.argv[1]).read().split("\n")
lines = open(sys.argv[2]).read().split("\n")
rows, legend = lines[:30], [l for l in lines[31:] if l]
letter = [l[0] for l in legend if l.endswith(" prompt-error")]
last = screen[29]
col = last.index("x")
print("ok" if letter and rows[29][col] == letter[0] else "no: %r %r" % (rows[29], letter))
PY
has "prompt: the bad character is underlined (prompt-error slot)" underline "ok"
hasnt "Esc cancels the prompt" prompt-cancelled.screen "filter: response"
has "Up walks the filter history" prompt-history.screen "filter: fault"
has "F clears the filter" unfiltered.screen "153 traces  sorted by"

# --- window, time zone, copy, commands
tui scope --demo <<END
2
:since 3s
:dump-screen $tmp/since.screen
:since all
:dump-screen $tmp/since-all.screen
:window 2026-11-24T15:07:10 2026-11-24T15:07:12
:dump-screen $tmp/window.screen
:since all
Z
:dump-screen $tmp/local.screen
Z
y
:dump-screen $tmp/copied.screen
:sort
:dump-screen $tmp/unknown.screen
:trace 6b05a81e939d8c574bfefdca511405d5
:dump-screen $tmp/w3c.screen
:export svg $tmp/map.svg
:export json $tmp/map.json
:export screen $tmp/shot.txt
:dump-screen $tmp/exported.screen
END
has ":since 3s: the window in the status bar" since.screen "window last 3s"
has ":since all: everything again" since-all.screen "window all"
has ":window A B: a window between two times" window.screen "window 2026-11-24 15:07:10 - 15:07:12"
has "Z: local time in the status bar" local.screen "local"
has "y: copies the selected trace id" copied.screen "copied 1-"
has "an unknown command is explained" unknown.screen "unknown command ':sort'"
has ":trace takes a W3C id" w3c.screen "› trace 1-6b05a81e-939d8c574"
check ":export svg: a well-formed SVG" "$XMLLINT" --noout "$tmp/map.svg"
"$XRAYTOP" map --format json "$DEMO" > "$tmp/cli.json"
check ":export json: the same map as 'xraytop map'" cmp "$tmp/cli.json" "$tmp/map.json"
has ":export screen: the screen as text" shot.txt "› trace 1-6b05a81e"

# Counts of the window come from the data: traces starting in [10, 12).
"$PYTHON3" - "$DEMO" > "$tmp/inwin" <<'PY'
import json, sys, calendar, time
t0 = calendar.timegm(time.strptime("2026-11-24 15:07:10", "%Y-%m-%d %H:%M:%S"))
starts = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    if "format" in d: continue
    tid = d.get("trace_id")
    if tid and (tid not in starts or d["start_time"] < starts[tid]): starts[tid] = d["start_time"]
print(sum(1 for s in starts.values() if t0 <= s < t0 + 2))
PY
has ":window: as many traces as start in it" window.screen "$(cat "$tmp/inwin") traces  sorted"

# --since on the command line: for files, the window ends with the data.
tui since --demo --since 3s <<END
2
:dump-screen $tmp/since-cli.screen
END
"$PYTHON3" - "$DEMO" > "$tmp/in3s" <<'PY'
import json, sys
starts, last = {}, 0
for line in open(sys.argv[1]):
    d = json.loads(line)
    if "format" in d: continue
    last = max(last, d.get("end_time", 0))
    tid = d.get("trace_id")
    if tid and (tid not in starts or d["start_time"] < starts[tid]): starts[tid] = d["start_time"]
print(sum(1 for s in starts.values() if s >= last - 3))
PY
has "--since 3s: the traces that start in the data's last 3 s" since-cli.screen "$(cat "$tmp/in3s") traces  sorted"

# --- the timeline's keys
id=1-6b05a81e-939d8c574bfefdca511405d5
tui tl --demo <<END
:trace $id
[
:dump-screen $tmp/collapsed.screen
]
:dump-screen $tmp/expanded.screen
j
o
:dump-screen $tmp/folded.screen
o
h
:dump-screen $tmp/hfold.screen
h
:dump-screen $tmp/parent.screen
l
:dump-screen $tmp/child.screen
G
e
:dump-screen $tmp/wrap-error.screen
E
:dump-screen $tmp/prev-error.screen
g
s
:dump-screen $tmp/slow1.screen
s
:dump-screen $tmp/slow2.screen
S
:dump-screen $tmp/slow3.screen
c
:dump-screen $tmp/critical.screen
d
:dump-screen $tmp/nodetails.screen
d
r
:dump-screen $tmp/after-raw.screen
END
tui_ok "timeline keys: runs" tl
has "[: collapses everything under the root" collapsed.screen "127.0.0.1 [remote] +11 hidden"
hasnt "]: expands everything" expanded.screen "hidden"
has "o: folds the selected row" folded.screen "127.0.0.1 [remote] +3 hidden"
has "h: folds an open row" hfold.screen "127.0.0.1 [remote] +3 hidden"
field "h: goes to the parent" parent.screen name "web-frontend"
field "l: goes to the first child" child.screen name "127.0.0.1"
field "e after the last row wraps to the first error" wrap-error.screen name "web-frontend"
field "E: the previous error" prev-error.screen name "charge_card"
has "s: the slowest entity first" slow1.screen "slowest #1 of 17: web-frontend, 44ms"
has "s again: the next slowest" slow2.screen "slowest #2 of 17: 127.0.0.1, 33ms"
has "S: back" slow3.screen "slowest #1 of 17"
has "c: the next entity on the critical path" critical.screen "on the critical path"
hasnt "d: hides the details" nodetails.screen "details ("
has "r: the raw JSON went to the pager, and the screen came back" after-raw.screen "› trace 1-6b05a81e"

# The pager gets the document, indented, sanitized.
cat > "$tmp/pager.sh" <<SH
#!/bin/sh
cp "\$1" "$tmp/raw.json"
SH
chmod +x "$tmp/pager.sh"
PAGER_CMD="$tmp/pager.sh" tui raw --demo <<END
:trace $id
r
END
tui_ok "r: the pager ran" raw
check "r: the pager gets valid JSON" "$PYTHON3" -c "import json,sys; json.load(open('$tmp/raw.json'))"
has "r: the document of the selected row" raw.json '"name": "web-frontend"'

# --- the map's keys
tui mapkeys --demo <<END
:dump-screen $tmp/m0.screen
/checkout
<Enter>
:dump-screen $tmp/m-search.screen
l
:dump-screen $tmp/m-right.screen
h
:dump-screen $tmp/m-left.screen
<Tab>
:dump-screen $tmp/m-tab.screen
<S-Tab>
:dump-screen $tmp/m-btab.screen
f
:dump-screen $tmp/m-focus.screen
+
:dump-screen $tmp/m-focus2.screen
-
f
:dump-screen $tmp/m-unfocus.screen
C
:dump-screen $tmp/m-noclient.screen
C
I
:dump-screen $tmp/m-collapsed.screen
I
:dump-screen $tmp/m-hidden.screen
I
D
:dump-screen $tmp/m-detail.screen
d
:dump-screen $tmp/m-nodetails.screen
d
.
L
J
H
K
<PgDn>
<PgUp>
]
]
{
:dump-screen $tmp/m-range.screen
z
:dump-screen $tmp/m-zoom.screen
z
r
x
:dump-screen $tmp/m-faults.screen
<Esc>
e
:dump-screen $tmp/m-errors.screen
<Esc>
]
t
:dump-screen $tmp/m-slow.screen
<Esc>
y
:dump-screen $tmp/m-copy.screen
3
:dump-screen $tmp/groups.screen
<Enter>
:dump-screen $tmp/groups-picked.screen
4
:dump-screen $tmp/sampling.screen
1
:dump-screen $tmp/m-back.screen
p
:dump-screen $tmp/pause.screen
<C-l>
END
tui_ok "map keys: runs" mapkeys
has "/: finds a node" m-search.screen "checkout-api (AWS::ECS::Container)"
has "Tab: an edge of the node" m-tab.screen "checkout-api →"
has "S-Tab: back to the node" m-btab.screen "checkout-api (AWS::ECS::Container)"
has "f: focus on the node" m-focus.screen "map (focus 1)"
has "+: one more level" m-focus2.screen "map (focus 2)"
hasnt "f again: the whole map" m-unfocus.screen "focus"
has "C: the client hidden" m-noclient.screen "client node hidden"
has "I: inferred nodes collapsed" m-collapsed.screen "inferred nodes collapsed per caller"
has "I again: hidden" m-hidden.screen "inferred nodes hidden"
hasnt "d: the details pane hidden" m-nodetails.screen "requests  "
has "x: the traces with a fault" m-faults.screen "fault"
has "x: ... the filter shown" m-faults.screen "filter: "
has "e: the traces with an error" m-errors.screen "error"
has "y: copies the selection's filter" m-copy.screen "copied "
has "3: the groups" groups.screen "Default"
has "3: ... from a source without groups" groups.screen "this source has no groups"
has "Enter on a group: picked" groups-picked.screen "group: Default"
has "4: the sampling rules" sampling.screen "this source has no sampling rules"
has "1: back to the map" m-back.screen " xraytop › map"
has "p: nothing to pause with files" pause.screen "nothing live to pause"

done_testing
