#!/bin/sh
# What must never break the screen: an empty source, a one-node map, a
# 10,000-entity trace, escape sequences in the data, bad input, tiny and
# huge terminals, ASCII, NO_COLOR; and the command line's own errors.
. "$(dirname "$0")/lib.sh"

"$PYTHON3" - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
# Names, URLs, annotations, metadata and exceptions with escape sequences.
with open(d + "/hostile.jsonl", "w") as f:
    for i, n in enumerate(['\x1b]0;pwned\x07title', 'svc\x1b[2Jclear', '\u202eevil']):
        f.write(json.dumps({"id": "%016x" % (i + 1), "trace_id": "1-5f000000-%024x" % (i + 1),
            "name": n, "start_time": 1600000000.0 + i, "end_time": 1600000000.5 + i, "fault": True,
            "http": {"request": {"method": "GET", "url": "http://x/\x1b]0;url\x07"},
                     "response": {"status": 500}},
            "annotations": {"k\x1b": "v\x07"}, "metadata": {"default": {"m": "\x1b[31mred"}},
            "cause": {"exceptions": [{"id": "e1", "message": "boom \x1b]0;x\x07", "type": "Err\x1b"}]},
            "subsegments": [{"id": "%016x" % (100 + i), "name": "sub\x1b]0;s\x07", "namespace": "remote",
                             "start_time": 1600000000.1 + i, "end_time": 1600000000.2 + i}]}) + "\n")
# One trace of 10,001 entities: a root, 100 steps of 99 calls each.
subs, k = [], 1
for a in range(100):
    kids = []
    for b in range(99):
        k += 1
        kids.append({"id": "%016x" % (0x100000 + k), "name": "q%d.%d" % (a, b), "namespace": "local",
                     "start_time": 1700000000.0 + a * 0.01 + b * 0.0001,
                     "end_time": 1700000000.0 + a * 0.01 + b * 0.0001 + 0.00005})
    subs.append({"id": "%016x" % (0x200000 + a), "name": "step%d" % a, "namespace": "local",
                 "start_time": 1700000000.0 + a * 0.01, "end_time": 1700000000.0 + a * 0.01 + 0.0099,
                 "subsegments": kids})
open(d + "/big.jsonl", "w").write(json.dumps({"id": "a" * 16, "trace_id": "1-65000000-%024x" % 7,
    "name": "bigsvc", "start_time": 1700000000.0, "end_time": 1700000001.0,
    "http": {"response": {"status": 200}}, "subsegments": subs}) + "\n")
# One trace of 10,000 segment documents: a root that fans out to 9,999
# workers, each its own segment (in reverse order of start).
with open(d + "/segs.jsonl", "w") as f:
    tid = "1-65000001-%024x" % 9
    f.write(json.dumps({"id": "b" * 16, "trace_id": tid, "name": "fanout", "start_time": 1700000000.0,
        "end_time": 1700000010.0, "subsegments": [{"id": "c" * 16, "name": "workers", "namespace": "remote",
        "start_time": 1700000000.0, "end_time": 1700000010.0}]}) + "\n")
    for i in reversed(range(9999)):
        f.write(json.dumps({"id": "%016x" % (0x300000 + i), "trace_id": tid, "parent_id": "c" * 16,
            "name": "worker", "start_time": 1700000000.0 + i * 0.001, "end_time": 1700000000.0 + i * 0.001 + 0.0005,
            "fault": i == 4321, "http": {"response": {"status": 500 if i == 4321 else 200}}}) + "\n")
# A service graph of one node.
open(d + "/one.json", "w").write(json.dumps({"Services": [{"ReferenceId": 0, "Name": "lonely",
    "Type": "AWS::EC2::Instance", "Root": False, "StartTime": 1700000000, "EndTime": 1700000060,
    "SummaryStatistics": {"OkCount": 5, "ErrorStatistics": {"ThrottleCount": 0, "OtherCount": 0,
    "TotalCount": 0}, "FaultStatistics": {"OtherCount": 0, "TotalCount": 0}, "TotalCount": 5,
    "TotalResponseTime": 0.5}, "ResponseTimeHistogram": [{"Value": 0.1, "Count": 5}], "Edges": []}]}))
open(d + "/empty.jsonl", "w").write("")
# Good documents around bad lines.
with open(d + "/bad.jsonl", "w") as f:
    f.write(json.dumps({"id": "b" * 16, "trace_id": "1-5f000001-%024x" % 1, "name": "good",
                        "start_time": 1600000000.0, "end_time": 1600000000.2}) + "\n")
    f.write('{"id": "broken", \n')
    f.write('not json at all\n')
PY

# --- escape sequences in every place data is drawn
tui hostile "$tmp/hostile.jsonl" <<END
:dump-screen $tmp/h-map.screen
2
:dump-screen $tmp/h-list.screen
/pwned
<Enter>
<Enter>
:dump-screen $tmp/h-trace.screen
<Tab>
G
:dump-screen $tmp/h-details.screen
END
tui_ok "hostile: runs" hostile
for f in h-map h-list h-trace h-details; do
	if LC_ALL=C grep -q "$(printf '\033')" "$tmp/$f.screen" || LC_ALL=C grep -q "$(printf '\007')" "$tmp/$f.screen"; then
		not_ok "$f: no escape or bell reaches the screen"
	else
		ok "$f: no escape or bell reaches the screen"
	fi
done
has "the map shows ESC ] 0 ; ... BEL as harmless text" h-map.screen "?]0;pwned?t"
has "so does the trace list" h-list.screen "?]0;pwned?title"
has "and the timeline" h-trace.screen "?]0;pwned?title"
has "and a subsegment's name" h-trace.screen "sub?]0;s?"
has "and an exception" h-details.screen "Err?: boom ?]0;x?"
has "a bidi override is neutralised" h-list.screen "?evil"

# --- empty, one node, 10,000 entities
tui empty "$tmp/empty.jsonl" <<END
:dump-screen $tmp/e-map.screen
2
:dump-screen $tmp/e-list.screen
<Enter>
j
/x
<Enter>
y
:dump-screen $tmp/e-keys.screen
1
<Tab>
<Enter>
x
f
:dump-screen $tmp/e-map2.screen
END
tui_ok "empty source: runs" empty
has "empty: the map says so" e-map.screen "no service map in the data"
has "empty: the list says so" e-list.screen "no traces in the data"
has "empty: keys do nothing harmful" e-keys.screen "nothing to copy here"

tui one "$tmp/one.json" <<END
:dump-screen $tmp/one.screen
<Tab>
l
h
j
k
<Enter>
:dump-screen $tmp/one-traces.screen
END
tui_ok "one-node map: runs" one
has "one node: drawn" one.screen "lonely"
has "one node: its details" one.screen "lonely (AWS::EC2::Instance)"

tui big "$tmp/big.jsonl" <<END
2
<Enter>
:dump-screen $tmp/big.screen
]
G
:dump-screen $tmp/big-end.screen
s
e
[
:dump-screen $tmp/big-folded.screen
END
tui_ok "10,000-entity trace: runs" big
has "big: every entity is counted" big.screen "10001 entities"
has "big: opens folded, with the count hidden" big.screen "step0 [local] +99 hidden"
has "big: expanded, the last entity is reachable" big-end.screen "q99.98 [local]"
has "big: folded again" big-folded.screen "+99 hidden"

tui segs "$tmp/segs.jsonl" <<END
:dump-screen $tmp/segs-map.screen
2
<Enter>
:dump-screen $tmp/segs.screen
e
:dump-screen $tmp/segs-fault.screen
END
tui_ok "10,000 segment documents in one trace: runs" segs
has "10,000 segments: all of them" segs.screen "10000 segments  10001 entit"
has "10,000 segments: folded" segs.screen "+9999 hidden"
has "10,000 segments: e finds the one fault" segs-fault.screen "FLT 500"
has "10,000 segments: the map has the worker" segs-map.screen "worker"

# --- bad input: counted, listed, the rest used
tui bad "$tmp/bad.jsonl" <<END
:dump-screen $tmp/bad.screen
:errors
:dump-screen $tmp/errors.screen
END
tui_ok "bad input: runs" bad
has "bad input: said so in the status bar" bad.screen "bad 2"
has "bad input: the message points at :errors" bad.screen ":errors lists them"
has ":errors: each problem with its line" errors.screen "bad.jsonl:2:"

# --- sizes: tiny, huge, and back
tui sizes --demo <<END
2
<Enter>
:resize 20 6
:dump-screen $tmp/tiny.screen
:resize 200 60
:dump-screen $tmp/huge.screen
:resize 40 10
:dump-screen $tmp/small.screen
:resize 100 30
<Esc>
:dump-screen $tmp/back.screen
END
tui_ok "resizing: runs" sizes
has "20x6: a message instead of a broken screen" tiny.screen "xraytop needs 40x10;"
has "20x6: ... it says how big the terminal is" tiny.screen "20x6"
has "200x60: the details beside the tree" huge.screen "details (Tab to scroll"
[ "$(wc -l < "$tmp/huge.screen")" -eq 60 ] && ok "200x60: 60 rows" || not_ok "200x60: 60 rows"
has "40x10: still usable" small.screen "web-frontend"
has "resized back: the list" back.screen "153 traces"

# --- ASCII, themes, NO_COLOR
tui ascii --demo --ascii <<END
:dump-screen $tmp/ascii-map.screen
:trace 1-6b05a81e-939d8c574bfefdca511405d5
:dump-screen $tmp/ascii-trace.screen
END
tui_ok "--ascii: runs" ascii
if LC_ALL=C grep -q '[^ -~]' "$tmp/ascii-map.screen" "$tmp/ascii-trace.screen"; then
	not_ok "--ascii: only ASCII on screen"
	LC_ALL=C grep -n '[^ -~]' "$tmp/ascii-map.screen" "$tmp/ascii-trace.screen" | head -5 | diag
else
	ok "--ascii: only ASCII on screen"
fi
has "--ascii: bars of #" ascii-trace.screen "###"

LANG=C LC_ALL=C tui clocale --demo <<END
:dump-screen $tmp/c-map.screen
END
tui_ok "a C locale: runs" clocale

tui theme --demo <<END
:theme
:dump-screen $tmp/theme-dark.screen
:theme light
:theme
:dump-screen $tmp/theme-light.screen
:theme /nonexistent.theme
:dump-screen $tmp/theme-bad.screen
END
has "the default theme is dark" theme-dark.screen "theme: dark"
has ":theme light" theme-light.screen "theme: light"
has "a missing theme file is named" theme-bad.screen "/nonexistent.theme"
printf ':theme\n:dump-screen %s/nocolor.screen\n' "$tmp" > "$tmp/nc.script"
NO_COLOR=1 XRAYTOP_NO_DISPLAY=1 XRAYTOP_SCRIPT="$tmp/nc.script" LINES=30 COLUMNS=100 \
    HOME="$tmp" XRAYTOP_CONFIG=/dev/null timeout 60 "$XRAYTOP" --demo > /dev/null 2>&1
has "NO_COLOR: the mono theme" nocolor.screen "theme: mono (no colours)"
printf ':theme\n:dump-screen %s/nocolor2.screen\n' "$tmp" > "$tmp/nc2.script"
NO_COLOR=1 XRAYTOP_NO_DISPLAY=1 XRAYTOP_SCRIPT="$tmp/nc2.script" LINES=30 COLUMNS=100 \
    HOME="$tmp" XRAYTOP_CONFIG=/dev/null timeout 60 "$XRAYTOP" --demo --theme light > /dev/null 2>&1
has "NO_COLOR: a theme asked for wins" nocolor2.screen "theme: light"

# --- the command line
# No source and no AWS set up (no AWS_* variable, no ~/.aws, no metadata).
check_status "no source: a clear message, status 2" 2 env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID \
    -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_REGION -u AWS_DEFAULT_REGION \
    -u AWS_CONFIG_FILE -u AWS_SHARED_CREDENTIALS_FILE AWS_EC2_METADATA_DISABLED=true HOME="$tmp" "$XRAYTOP"
has "no source: says what to give" check.err "nothing to show: AWS is not set up here"
has "no source: ... and the usage" check.err "usage: xraytop"
check_status "a missing file: status 2" 2 "$XRAYTOP" "$tmp/nope.jsonl"
has "a missing file: named" check.err "nope.jsonl"
check_status "an unknown theme: status 2" 2 "$XRAYTOP" --demo --theme solarized
check_status "headless without a script: status 2" 2 env XRAYTOP_NO_DISPLAY=1 "$XRAYTOP" --demo
check_status "not a terminal: status 2" 2 sh -c "'$XRAYTOP' --demo < /dev/null > /dev/null"
has "not a terminal: says so" check.err "must be a terminal"
printf ':frobnicate\n' > "$tmp/badcmd.script"
check_status "a script step that fails: status 1" 1 env XRAYTOP_NO_DISPLAY=1 XRAYTOP_SCRIPT="$tmp/badcmd.script" "$XRAYTOP" --demo

done_testing
