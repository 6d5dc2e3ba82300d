#!/bin/sh
# The trace list and one trace's waterfall, checked against the generator's
# per-trace truth and the corpus.
. "$(dirname "$0")/lib.sh"
need_shared
C=$SHARED_DIR/corpus
B=$SHARED_DIR/bench

"$PYTHON3" "$B/gen-traces" --traces 1000 --seed 1 -o "$tmp/w.jsonl" --truth "$tmp/truth.json" 2>/dev/null
"$PYTHON3" "$B/gen-traces" --traces 1000 --seed 1 --format batch -o "$tmp/w.batch" 2>/dev/null

"$PYTHON3" -c 'import json,sys; print("\n".join(sorted(t["id"] for t in json.load(open(sys.argv[1]))["traces"])))' \
	"$tmp/truth.json" > "$tmp/ids.want"
"$XRAYTOP" traces --format ids "$tmp/w.jsonl" > "$tmp/ids"
check "segments: traces --format ids gives every trace id, sorted" cmp "$tmp/ids" "$tmp/ids.want"
"$XRAYTOP" traces --format ids "$tmp/w.batch" > "$tmp/ids.batch"
check "batch: traces --format ids gives every trace id, sorted" cmp "$tmp/ids.batch" "$tmp/ids.want"

cat > "$tmp/cmp.py" <<'PY'
import json, sys
truth = {t["id"]: t for t in json.load(open(sys.argv[1]))["traces"]}
got = json.load(open(sys.argv[2]))
bad = []
if len(got) != len(truth):
    bad.append("%d traces, want %d" % (len(got), len(truth)))
for g in got:
    t = truth.get(g["id"])
    if t is None:
        bad.append("unknown trace " + g["id"]); continue
    if abs(g["response_time"] - t["responsetime"]) > 2e-6: bad.append("%s response_time %r != %r" % (g["id"], g["response_time"], t["responsetime"]))
    if abs(g["duration"] - t["duration"]) > 2e-6: bad.append("%s duration %r != %r" % (g["id"], g["duration"], t["duration"]))
    if g["status"] != t["http_status"]: bad.append("%s status %r != %r" % (g["id"], g["status"], t["http_status"]))
    for f in ("error", "fault", "throttle"):
        if g[f] != t[f]: bad.append("%s %s %r != %r" % (g["id"], f, g[f], t[f]))
    if sorted(set(s["name"] for s in g["services"])) != sorted(t["services"]): bad.append("%s services %r != %r" % (g["id"], g["services"], t["services"]))
    if g["root"]["name"] != t["root"]: bad.append("%s root %r != %r" % (g["id"], g["root"], t["root"]))
    # Annotation numbers are doubles in X-Ray: 25.0 and 25 are one value.
    norm = lambda v: json.dumps(float(v) if type(v) in (int, float) else v)
    ga = {k: sorted(norm(v) for v in vs) for k, vs in g["annotations"].items()}
    ta = {k: sorted(norm(v) for v in vs) for k, vs in t["annotations"].items()}
    if ga != ta: bad.append("%s annotations %r != %r" % (g["id"], ga, ta))
print("\n".join(bad[:20]))
sys.exit(1 if bad else 0)
PY
"$XRAYTOP" traces --format json "$tmp/w.jsonl" > "$tmp/traces.json"
check "traces --format json: every trace's facts equal the truth" "$PYTHON3" "$tmp/cmp.py" "$tmp/truth.json" "$tmp/traces.json"

"$XRAYTOP" traces "$tmp/w.jsonl" > "$tmp/traces.txt"
check "traces text: one row per trace plus a header" test "$(wc -l < "$tmp/traces.txt")" -eq 1001
check "traces --limit 10: ten rows plus a header" test "$("$XRAYTOP" traces --limit 10 "$tmp/w.jsonl" | wc -l)" -eq 11
# Sorted by response time, slowest first: the first row is the slowest trace.
slowest=$("$PYTHON3" -c 'import json,sys; print(max(json.load(open(sys.argv[1]))["traces"], key=lambda t: t["responsetime"])["id"])' "$tmp/truth.json")
check "traces text: the slowest trace comes first" sh -c "sed -n 2p '$tmp/traces.txt' | grep -q '$slowest'"

# Corpus: the trace-level view of the README.
for sc in python-mesh node-gateway; do
	"$XRAYTOP" traces --format json "$C/$sc/segments.jsonl" > "$tmp/$sc.json"
done
cat > "$tmp/corpus.py" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
want = json.loads(sys.argv[2])
got = {"traces": len(t), "fault": sum(x["fault"] for x in t), "error": sum(x["error"] for x in t),
       "throttle": sum(x["throttle"] for x in t)}
print(got, want)
sys.exit(0 if got == want else 1)
PY
check "python-mesh: 45 traces, root fault 4, error 13, throttle 4" "$PYTHON3" "$tmp/corpus.py" "$tmp/python-mesh.json" '{"traces": 45, "fault": 4, "error": 13, "throttle": 4}'
check "node-gateway: 36 traces, root fault 7, error 11, throttle 2" "$PYTHON3" "$tmp/corpus.py" "$tmp/node-gateway.json" '{"traces": 36, "fault": 7, "error": 11, "throttle": 2}'

# One trace: a checkout with streamed subsegments.
id=$("$PYTHON3" -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("type") == "subsegment":
        print(d["trace_id"]); break' "$C/node-gateway/segments.jsonl")
check "trace $id: waterfall renders" "$XRAYTOP" trace "$id" --width 120 -o "$tmp/wf.txt" "$C/node-gateway/segments.jsonl"
"$PYTHON3" - "$C/node-gateway/segments.jsonl" "$id" > "$tmp/names" <<'PY'
import json, sys
def walk(e):
    yield e["name"]
    for s in e.get("subsegments", []):
        yield from walk(s)
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["trace_id"] == sys.argv[2]:
        for n in walk(d):
            print(n)
PY
entities=$(wc -l < "$tmp/names")
rows=$(tail -n +2 "$tmp/wf.txt" | grep -c .)
check "trace $id: one waterfall row per entity ($entities)" test "$rows" -ge "$entities"
missing=$(sort -u "$tmp/names" | while read -r n; do grep -qF -- "$n" "$tmp/wf.txt" || echo "$n"; done)
check "trace $id: every entity is named in the waterfall" test -z "$missing"
check "trace $id: every line is 120 columns" "$PYTHON3" -c '
import sys, unicodedata
w = [sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")]
sys.exit(0 if w and all(x == 120 for x in w) else print(w))' "$tmp/wf.txt"
grep -E "\"trace_id\": ?\"$id\"" "$C/node-gateway/segments.jsonl" > "$tmp/raw.want"
"$XRAYTOP" trace "$id" --format raw "$C/node-gateway/segments.jsonl" > "$tmp/raw"
check "trace $id --format raw: the documents as received" cmp "$tmp/raw" "$tmp/raw.want"
short=$(echo "$id" | sed 's/^1-//; s/-//')
check "trace: a bare 32-hex id is accepted" "$XRAYTOP" trace "$short" "$C/node-gateway/segments.jsonl"
check_status "trace: an unknown id exits 1" 1 "$XRAYTOP" trace 1-00000000-000000000000000000000000 "$C/node-gateway/segments.jsonl"

done_testing
