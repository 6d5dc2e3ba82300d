#!/bin/sh
# Filter expressions on the command line.  Every expected set of traces is
# computed here, independently of xraytop: by a small Python reading of the
# documents (the meaning of each expression written as a Python predicate),
# by the generator's truth (check-truth) and by the corpus ground truth.
# The prefilter shortcut must give exactly what --no-prefilter gives, on
# segments, daemon recordings, BatchGetTraces pages and standard input; a
# filtered map must equal the baseline's map of the matching traces;
# check-filter and groups from a config file are checked too.
. "$(dirname "$0")/lib.sh"
need_shared
C=$SHARED_DIR/corpus
B=$SHARED_DIR/bench
unset XRAYTOP_CONFIG XDG_CONFIG_HOME
HOME=$tmp/home
export HOME

"$PYTHON3" "$B/gen-traces" --traces 1000 --seed 1 -o "$tmp/w.jsonl" --truth "$tmp/truth.json" 2>/dev/null
"$PYTHON3" "$B/gen-traces" --traces 1000 --seed 1 --format datagrams -o "$tmp/w.dg" 2>/dev/null
"$PYTHON3" "$B/gen-traces" --traces 1000 --seed 1 --format batch -o "$tmp/w.batch" 2>/dev/null

# The expectations: documents in, one file of trace ids per case out.
cat > "$tmp/expect.py" <<'PY'
import json, sys
from collections import defaultdict

docs_path, out = sys.argv[1], sys.argv[2]
which = sys.argv[3] if len(sys.argv) > 3 else "workload"

def lines(path):
    for l in open(path, encoding="utf-8"):
        l = l.strip()
        if not l:
            continue
        d = json.loads(l)
        if "datagram" in d:
            d = json.loads(d["datagram"].split("\n", 1)[1])
        if "format" in d and "id" not in d:
            continue
        yield d

class T:
    pass

# Current copy of each document: a later complete copy replaces, an
# in-progress copy never replaces a complete one.
by_trace = defaultdict(dict)
for d in lines(docs_path):
    cur = by_trace[d["trace_id"]].get(d["id"])
    done = "end_time" in d and not d.get("in_progress")
    if cur is not None and ("end_time" in cur and not cur.get("in_progress")) and not done:
        continue
    by_trace[d["trace_id"]][d["id"]] = d

def walk(e):
    yield e
    for c in e.get("subsegments", []):
        yield from walk(c)

def calls_ns(e):
    return e.get("namespace") in ("aws", "remote")

traces = []
for tid, byid in by_trace.items():
    t = T()
    t.id = tid
    t.docs = list(byid.values())
    t.segs = [d for d in t.docs if d.get("type") != "subsegment"]
    ids = set(e["id"] for d in t.docs for e in walk(d))
    roots = [s for s in t.segs if "parent_id" not in s or s["parent_id"] not in ids]
    t.root = min(roots, key=lambda s: s["start_time"]) if roots else None
    r = t.root
    t.rt = (r["end_time"] - r["start_time"]) if r is not None and "end_time" in r and not r.get("in_progress") else None
    starts = [d["start_time"] for d in t.docs]
    ends = [d["end_time"] for d in t.docs if "end_time" in d and not d.get("in_progress")]
    t.dur = (max(ends) - min(starts)) if ends else None
    http = (r or {}).get("http", {})
    t.status = http.get("response", {}).get("status")
    t.url = http.get("request", {}).get("url")
    t.method = http.get("request", {}).get("method")
    t.ua = http.get("request", {}).get("user_agent")
    t.flag = lambda f, r=r: bool(r is not None and r.get(f))
    t.partial = any(d.get("in_progress") or "end_time" not in d for d in t.docs)
    t.users = [s["user"] for s in t.segs if "user" in s]
    t.ents = [e for d in t.docs for e in walk(d)]
    t.ann = defaultdict(list)
    for e in t.ents:
        for k, v in e.get("annotations", {}).items():
            t.ann[k].append(v)
    # Service nodes: segments; inferred nodes from calls no segment answers.
    parents = set(s.get("parent_id") for s in t.segs if not s.get("inferred"))
    owner = {}
    for s in t.segs:
        for e in walk(s):
            owner[e["id"]] = s
    t.nodes = []        # (name, type, entity)
    for s in t.segs:
        t.nodes.append((s["name"], s.get("origin", ""), s))
    t.edges = []        # (source name, target name, entity that carries it)
    for s in t.segs:
        for e in list(walk(s))[1:]:
            if calls_ns(e) and e["id"] not in parents and "end_time" in e and not e.get("in_progress"):
                if e["namespace"] == "aws" and e.get("aws", {}).get("table_name"):
                    name, typ = e["aws"]["table_name"], "AWS::DynamoDB::Table"
                elif e["namespace"] == "aws":
                    name, typ = e["name"], "AWS::" + e["name"]
                else:
                    name, typ = e["name"], "Database::SQL" if "sql" in e else "remote"
                t.nodes.append((name, typ, e))
                t.edges.append((s["name"], name, e))
        p = s.get("parent_id")
        if p is None or p not in owner:
            t.edges.append(("client", s["name"], s))
        else:
            caller = owner[p]
            x = next(e for e in walk(caller) if e["id"] == p)
            t.edges.append((caller["name"], s["name"], x if x is not caller and calls_ns(x) else s))
    traces.append(t)

def ok(t):
    return t.root is not None and not (t.flag("error") or t.flag("fault") or t.flag("throttle"))

def ann(t, k, pred):
    return any(pred(v) for v in t.ann.get(k, []))

def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)

def svc(t, name=None, typ=None, sub=lambda e: True):
    return any((name is None or n == name) and (typ is None or ty == typ) and sub(e)
               for n, ty, e in t.nodes)

def edge(t, a, b, sub=lambda e: True):
    return any(s == a and d == b and sub(e) for s, d, e in t.edges)

def acct(t, a):
    return any(s.get("aws", {}).get("account_id") == a for s in t.segs)

def rt(e):
    return e["end_time"] - e["start_time"] if "end_time" in e and not e.get("in_progress") else None

cases = {
 "workload": [
  ('responsetime > 5', lambda t: t.rt is not None and t.rt > 5),
  ('responsetime > 0.5', lambda t: t.rt is not None and t.rt > 0.5),
  ('duration >= 5 AND duration <= 8', lambda t: t.dur is not None and 5 <= t.dur <= 8),
  ('duration >= 0.3 AND duration <= 0.8', lambda t: t.dur is not None and 0.3 <= t.dur <= 0.8),
  ('ok', ok),
  ('!ok', lambda t: not ok(t)),
  ('ok = false', lambda t: not ok(t)),
  ('http.status != 200', lambda t: t.status is not None and t.status != 200),
  ('ok !partial duration <3', lambda t: ok(t) and not t.partial and t.dur is not None and t.dur < 3),
  ('http.url CONTAINS "/api/cart/"', lambda t: t.url is not None and "/api/cart/" in t.url),
  ('user CONTAINS ""', lambda t: len(t.users) > 0),
  ('service("payment-service") { fault }', lambda t: svc(t, "payment-service", sub=lambda e: e.get("fault"))),
  ('service() { fault }', lambda t: svc(t, sub=lambda e: e.get("fault"))),
  ('edge("storefront-web", "auth-service") { error }', lambda t: edge(t, "storefront-web", "auth-service", lambda e: e.get("error"))),
  ('http.url BEGINSWITH "http://" AND http.url CONTAINS "/api/" AND !service("payment-service")',
   lambda t: t.url is not None and t.url.startswith("http://") and "/api/" in t.url and not svc(t, "payment-service")),
  ('http.url AND responseTime > 0.2', lambda t: t.url is not None and t.rt is not None and t.rt > 0.2),
  ('annotation.tenant = "acme"', lambda t: ann(t, "tenant", lambda v: v == "acme")),
  ('annotation.cart_items', lambda t: "cart_items" in t.ann),
  ('!annotation.cart_items', lambda t: "cart_items" not in t.ann),
  ('annotation.cart_items > 3', lambda t: ann(t, "cart_items", lambda v: num(v) and v > 3)),
  ('annotation.is_premium = true', lambda t: ann(t, "is_premium", lambda v: v is True)),
  ('annotation.tenant != "acme"', lambda t: ann(t, "tenant", lambda v: v != "acme")),
  ('annotation.order_total >= 100', lambda t: ann(t, "order_total", lambda v: num(v) and v >= 100)),
  ('annotation.user_id BEGINSWITH "u-1"', lambda t: ann(t, "user_id", lambda v: isinstance(v, str) and v.startswith("u-1"))),
  ('service("search-service") { error }', lambda t: svc(t, "search-service", sub=lambda e: e.get("error"))),
  ('service(id(name: "search-service", type: "AWS::Lambda::Function")) { error }',
   lambda t: svc(t, "search-service", "AWS::Lambda::Function", lambda e: e.get("error"))),
  ('service(id(type: "AWS::Lambda::Function")) { error }', lambda t: svc(t, None, "AWS::Lambda::Function", lambda e: e.get("error"))),
  ('service(id(account.id: "123456789012"))', lambda t: acct(t, "123456789012")),
  ('service("payment-service") { fault = true OR responsetime > 0.1 } AND annotation.tenant = "acme"',
   lambda t: svc(t, "payment-service", sub=lambda e: e.get("fault") or (rt(e) or 0) > 0.1) and ann(t, "tenant", lambda v: v == "acme")),
  ('edge("storefront-web", "auth-service") { fault = true }', lambda t: edge(t, "storefront-web", "auth-service", lambda e: e.get("fault"))),
  ('service("auth-service")', lambda t: svc(t, "auth-service")),
  ('service(id(type: "AWS::DynamoDB::Table")) { error }', lambda t: svc(t, None, "AWS::DynamoDB::Table", lambda e: e.get("error"))),
  ('edge("order-service", "maps.googleapis.com") { error }', lambda t: edge(t, "order-service", "maps.googleapis.com", lambda e: e.get("error"))),
  ('error = true OR fault = true', lambda t: t.flag("error") or t.flag("fault")),
  ('service("cart-service") AND http.url CONTAINS "/api/cart/"', lambda t: svc(t, "cart-service") and t.url is not None and "/api/cart/" in t.url),
  ('annotation.tenant = "acme" AND responsetime > 0.25', lambda t: ann(t, "tenant", lambda v: v == "acme") and t.rt is not None and t.rt > 0.25),
  ('throttle OR http.status = 429', lambda t: t.flag("throttle") or t.status == 429),
  ('http.method = "POST" AND name = "mobile-bff"', lambda t: t.method == "POST" and t.root is not None and t.root["name"] == "mobile-bff"),
  ('type = "AWS::ElasticBeanstalk::Environment" AND duration > 0.4',
   lambda t: t.root is not None and t.root.get("origin") == "AWS::ElasticBeanstalk::Environment" and t.dur is not None and t.dur > 0.4),
 ],
 "corpus": [
  ('service("orders") { throttle }', lambda t: svc(t, "orders", sub=lambda e: e.get("throttle"))),
  ('annotation.slow_path = true', lambda t: ann(t, "slow_path", lambda v: v is True)),
  ('annotation.premium = false OR annotation.tier = "guest"',
   lambda t: ann(t, "premium", lambda v: v is False) or ann(t, "tier", lambda v: v == "guest")),
  ('http.url CONTAINS "/shop/stock/"', lambda t: t.url is not None and "/shop/stock/" in t.url),
  ('service() { fault } AND !fault', lambda t: svc(t, sub=lambda e: e.get("fault")) and not t.flag("fault")),
  ('edge("gateway", "localhost") { error }', lambda t: edge(t, "gateway", "localhost", lambda e: e.get("error"))),
  ('edge("orders", "order-status") { responsetime > 0.005 }', lambda t: edge(t, "orders", "order-status", lambda e: (rt(e) or 0) > 0.005)),
  ('service(id(type: "Database::SQL"))', lambda t: svc(t, None, "Database::SQL")),
  ('responsetime > 0.25 OR user = "erin"', lambda t: (t.rt is not None and t.rt > 0.25) or "erin" in t.users),
  ('annotation.item_count >= 4 AND !annotation.slow_path', lambda t: ann(t, "item_count", lambda v: num(v) and v >= 4) and "slow_path" not in t.ann),
  ('http.clientip BEGINSWITH "203.0.113."', lambda t: t.root is not None and t.root.get("http", {}).get("request", {}).get("client_ip", "").startswith("203.0.113.")),
 ],
}[which]

with open(out + "/cases", "w") as f:
    for i, (expr, pred) in enumerate(cases):
        ids = sorted(t.id for t in traces if pred(t))
        with open("%s/exp.%d" % (out, i), "w") as g:
            g.write("".join(x + "\n" for x in ids))
        f.write("%d\t%d\t%s\n" % (i, len(ids), expr))
PY

# run_cases DIR INPUT...: each case, the shortcut and the full read, against
# the expectation; then how many cases selected something.
run_cases() {
	dir=$1
	shift
	nonempty=0
	while IFS='	' read -r i n expr; do
		[ "$n" -gt 0 ] && nonempty=$((nonempty + 1))
		"$XRAYTOP" traces --format ids --filter "$expr" "$@" > "$dir/got.$i" 2> "$dir/err.$i"
		"$XRAYTOP" traces --format ids --no-prefilter --filter "$expr" "$@" > "$dir/full.$i" 2>> "$dir/err.$i"
		if cmp -s "$dir/got.$i" "$dir/exp.$i" && cmp -s "$dir/full.$i" "$dir/exp.$i"; then
			ok "$(basename "$1"): $expr ($n traces)"
		else
			not_ok "$(basename "$1"): $expr (want $n traces)"
			{ echo "prefilter: $(wc -l < "$dir/got.$i"), full: $(wc -l < "$dir/full.$i")"
			  diff "$dir/exp.$i" "$dir/got.$i" | head -5; head -3 "$dir/err.$i"; } | diag
		fi
	done < "$dir/cases"
}

mkdir -p "$tmp/wl"
"$PYTHON3" "$tmp/expect.py" "$tmp/w.jsonl" "$tmp/wl" workload
run_cases "$tmp/wl" "$tmp/w.jsonl"
check "the workload cases are not vacuous (30 or more select some trace)" test "$nonempty" -ge 30

# The same through daemon recordings and BatchGetTraces pages.
for f in w.dg w.batch; do
	for i in 0 11 16 35 38; do
		expr=$(sed -n "$((i + 1))p" "$tmp/wl/cases" | cut -f3)
		"$XRAYTOP" traces --format ids --filter "$expr" "$tmp/$f" > "$tmp/wl/$f.$i" 2>/dev/null
		check "$f: $expr" cmp "$tmp/wl/$f.$i" "$tmp/wl/exp.$i"
	done
done
# Standard input takes the full read.
expr=$(sed -n 36p "$tmp/wl/cases" | cut -f3)
"$XRAYTOP" traces --format ids --filter "$expr" - < "$tmp/w.jsonl" > "$tmp/wl/stdin"
check "standard input: $expr" cmp "$tmp/wl/stdin" "$tmp/wl/exp.35"

# The bench kit's own filter subset, checked by check-truth on the truth.
for expr in 'annotation.tenant = "acme" AND responsetime > 0.25' \
    'service("payment-service") AND responsetime > 0.3' \
    'annotation.cart_items = 3 AND service("cart-service")' \
    'annotation.is_premium = true AND responsetime <= 0.05'; do
	"$XRAYTOP" traces --format ids --filter "$expr" "$tmp/w.jsonl" > "$tmp/ids"
	check "check-truth agrees: $expr" "$PYTHON3" "$B/check-truth" "$tmp/truth.json" --filter "$expr" --ids "$tmp/ids"
done

# 10,000 traces: the shortcut against the full read, and the truth.
"$PYTHON3" "$B/gen-traces" --traces 10000 --seed 1 -o "$tmp/w10k.jsonl" --truth "$tmp/truth10k.json" 2>/dev/null
for expr in 'annotation.tenant = "acme" AND responsetime > 0.25' \
    'service("payment-service") { fault } OR annotation.order_total > 500' \
    'duration > 0.8 AND http.url CONTAINS "/api/search"' \
    'edge("mobile-bff", "search-service") { error } AND !annotation.degraded'; do
	"$XRAYTOP" traces --format ids --filter "$expr" "$tmp/w10k.jsonl" > "$tmp/a.ids"
	"$XRAYTOP" traces --format ids --no-prefilter --filter "$expr" "$tmp/w10k.jsonl" > "$tmp/b.ids"
	check "10k traces: the shortcut = the full read ($(wc -l < "$tmp/a.ids") traces): $expr" cmp "$tmp/a.ids" "$tmp/b.ids"
done
"$XRAYTOP" traces --format ids --filter 'annotation.tenant = "acme" AND responsetime > 0.25' "$tmp/w10k.jsonl" > "$tmp/a.ids"
check "10k traces: check-truth agrees" "$PYTHON3" "$B/check-truth" "$tmp/truth10k.json" \
    --filter 'annotation.tenant = "acme" AND responsetime > 0.25' --ids "$tmp/a.ids"
rm -f "$tmp/w10k.jsonl" "$tmp/truth10k.json"

# The corpus: expectations from the documents, and counts from the README.
for sc in python-mesh node-gateway; do
	mkdir -p "$tmp/$sc"
	"$PYTHON3" "$tmp/expect.py" "$C/$sc/segments.jsonl" "$tmp/$sc" corpus
	run_cases "$tmp/$sc" "$C/$sc/segments.jsonl"
	# The datagrams file (wrapped documents) and the AWS CLI's whole-file
	# BatchGetTraces output give the same.
	"$XRAYTOP" traces --format ids --filter 'service("orders") { throttle }' "$C/$sc/datagrams.jsonl" > "$tmp/$sc/dg"
	check "$sc datagrams: service(\"orders\") { throttle }" cmp "$tmp/$sc/dg" "$tmp/$sc/exp.0"
	"$XRAYTOP" traces --format ids --filter 'service("orders") { throttle }' "$C/$sc/batch-get-traces.json" > "$tmp/$sc/batch"
	check "$sc batch-get-traces: service(\"orders\") { throttle }" cmp "$tmp/$sc/batch" "$tmp/$sc/exp.0"
done
cat > "$tmp/gt.py" <<'PY'
import json, sys
gt = json.load(open(sys.argv[1]))
kind = sys.argv[2]
req = gt["requests"]
sel = {
    "fault": lambda r: r["status"] >= 500,
    "throttle": lambda r: r["status"] == 429,
    "error": lambda r: 400 <= r["status"] < 500,
    "ok": lambda r: r["status"] < 400,
    "user-alice": lambda r: r.get("user") == "alice",
    "404": lambda r: r["status"] == 404,
}[kind]
# The count, then the trace ids when the driver recorded them.
print(sum(1 for r in req if sel(r)))
if all("trace_id" in r for r in req):
    print("\n".join(sorted(r["trace_id"] for r in req if sel(r))))
PY
for sc in python-mesh node-gateway; do
	for pair in 'fault:fault' 'throttle:throttle' 'error AND !fault:error' 'ok:ok' 'http.status = 404:404'; do
		expr=${pair%:*}
		kind=${pair##*:}
		"$PYTHON3" "$tmp/gt.py" "$C/$sc/ground-truth.json" "$kind" > "$tmp/want"
		"$XRAYTOP" traces --format ids --filter "$expr" "$C/$sc/segments.jsonl" > "$tmp/got"
		{ wc -l < "$tmp/got" | tr -d ' '; [ "$(wc -l < "$tmp/want")" -gt 1 ] && cat "$tmp/got"; } > "$tmp/got2"
		check "$sc: $expr = the requests the driver saw $kind ($(head -n 1 "$tmp/want"))" cmp "$tmp/got2" "$tmp/want"
	done
done
# User alice: the frontend's user (python-mesh) or the gateway's (node-gateway).
"$PYTHON3" "$tmp/gt.py" "$C/python-mesh/ground-truth.json" user-alice | sed 1d > "$tmp/want"
"$XRAYTOP" traces --format ids --filter 'user = "alice" AND annotation.user_id = "alice"' "$C/python-mesh/segments.jsonl" > "$tmp/got"
check "python-mesh: user = \"alice\" = the driver's requests for alice" cmp "$tmp/got" "$tmp/want"

# A filtered map: the baseline's map of the matching traces' documents.
for i in 11 16 28; do
	expr=$(sed -n "$((i + 1))p" "$tmp/wl/cases" | cut -f3)
	"$PYTHON3" - "$tmp/w.jsonl" "$tmp/wl/exp.$i" "$tmp/sub.jsonl" <<'PY'
import json, sys
ids = set(l.strip() for l in open(sys.argv[2]))
with open(sys.argv[3], "w") as out:
    for l in open(sys.argv[1]):
        if l.strip() and json.loads(l)["trace_id"] in ids:
            out.write(l)
PY
	"$PYTHON3" "$B/baseline-map" "$tmp/sub.jsonl" -o "$tmp/bl.json" 2>/dev/null
	"$PYTHON3" -c 'import json,sys; m=json.load(open(sys.argv[1])); m["totals"]={"segments":m["input"]["segments"],"subsegments":m["input"]["subsegments"]}; json.dump(m,open(sys.argv[1],"w"))' "$tmp/bl.json"
	"$XRAYTOP" map --format json --filter "$expr" "$tmp/w.jsonl" > "$tmp/map.json"
	check "map --filter $expr = the baseline map of those traces" "$PYTHON3" "$B/check-truth" "$tmp/bl.json" "$tmp/map.json"
	"$XRAYTOP" map --format json --no-prefilter --filter "$expr" "$tmp/w.jsonl" > "$tmp/map2.json"
	check "map --filter, --no-prefilter: the same map" "$PYTHON3" "$B/check-truth" "$tmp/bl.json" "$tmp/map2.json"
done
"$XRAYTOP" map --format json --filter 'duration >= 0' "$tmp/w.jsonl" > "$tmp/map.json"
check "map --filter matching every trace = the whole map (truth)" "$PYTHON3" "$B/check-truth" "$tmp/truth.json" "$tmp/map.json"
check_status "map --filter matching nothing: status 1" 1 "$XRAYTOP" map --filter 'service("nope")' "$tmp/w.jsonl"
check_status "traces --filter matching nothing: status 1" 1 "$XRAYTOP" traces --filter 'responsetime > 1000' "$tmp/w.jsonl"

# check-filter.
out=$("$XRAYTOP" check-filter 'ok !partial duration <3')
check "check-filter prints the canonical form" test "$out" = 'ok AND !partial AND duration < 3'
out=$("$XRAYTOP" check-filter 'SERVICE("a") {fault}' 'or' 'http.URL contains "x"')
check "check-filter joins its words" test "$out" = 'service("a") { fault } OR http.url CONTAINS "x"'
check_status "check-filter: a bad expression is status 2" 2 "$XRAYTOP" check-filter 'responsetime > 5 AND resposetime < 3'
cat > "$tmp/caret.want" <<'EOF'
xraytop check-filter: error:
  responsetime > 5 AND resposetime < 3
                       ^^^^^^^^^^^
  column 22: unknown keyword 'resposetime'; did you mean 'responsetime'?
EOF
"$XRAYTOP" check-filter 'responsetime > 5 AND resposetime < 3' 2> "$tmp/caret.got"
check "check-filter underlines the error" cmp "$tmp/caret.got" "$tmp/caret.want"
"$XRAYTOP" check-filter 'http.url CONTAINS' 2> "$tmp/caret.got"
check "check-filter: the caret after the end" sh -c "sed -n 3p '$tmp/caret.got' | grep -qx '                   ^'"
"$XRAYTOP" check-filter 'rootcause.fault.exception { last and message = "x"' > "$tmp/cf.out" 2> "$tmp/cf.err"
check "check-filter: a missing closing brace is added, with a note" sh -c \
    "grep -qx 'rootcause.fault.exception { last AND message = \"x\" }' '$tmp/cf.out' && grep -q 'not closed' '$tmp/cf.err'"
check_status "check-filter: an unknown group is a note only (the AWS source knows groups)" 0 \
    "$XRAYTOP" check-filter 'group.name = "nope"'
check_status "check-filter without an expression: status 2" 2 "$XRAYTOP" check-filter

# Groups from the config file.
cat > "$tmp/config" <<'EOF'
# groups for the tests
[group slow]
filter = responsetime > 0.5

[group acme-slow]
filter = group.name = "slow" AND
    annotation.tenant = "acme"
arn = arn:aws:xray:us-east-1:123456789012:group/acme-slow/X1

[group broken]
filter = responsetime >
EOF
XRAYTOP_CONFIG=$tmp/config
export XRAYTOP_CONFIG
"$XRAYTOP" traces --format ids --group slow "$tmp/w.jsonl" > "$tmp/got"
check "--group slow = its filter" cmp "$tmp/got" "$tmp/wl/exp.1"
"$PYTHON3" - "$tmp/truth.json" > "$tmp/want" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["traces"]
print("\n".join(sorted(x["id"] for x in t if x["responsetime"] > 0.5 and "acme" in x["annotations"].get("tenant", [])
                       and True in x["annotations"].get("is_premium", []))))
PY
"$XRAYTOP" traces --format ids --group acme-slow --filter 'annotation.is_premium = true' "$tmp/w.jsonl" > "$tmp/got" 2> "$tmp/err"
check "--group with --filter: both (truth)" cmp "$tmp/got" "$tmp/want"
"$XRAYTOP" traces --format ids --filter 'group.name = "acme-slow" AND annotation.is_premium = true' "$tmp/w.jsonl" > "$tmp/got"
check "group.name = \"...\" resolves through the config" cmp "$tmp/got" "$tmp/want"
"$XRAYTOP" traces --format ids --filter 'group.arn = "arn:aws:xray:us-east-1:123456789012:group/acme-slow/X1" annotation.is_premium = true' "$tmp/w.jsonl" > "$tmp/got"
check "group.arn = \"...\" too" cmp "$tmp/got" "$tmp/want"
check_status "--group of an unknown group: status 2" 2 "$XRAYTOP" traces --group nope "$tmp/w.jsonl"
check "and it says so" grep -q "no group 'nope'" "$tmp/check.err"
check_status "group.name of a group with a broken filter: status 2" 2 "$XRAYTOP" traces --filter 'group.name = "broken"' "$tmp/w.jsonl"
check "the config problem names file and line" grep -q "config:10: group 'broken': column 15" "$tmp/check.err"
check_status "a bad --filter: status 2" 2 "$XRAYTOP" map --filter 'annotation.x >' "$tmp/w.jsonl"
check "with the caret under the column" grep -qx '                ^' "$tmp/check.err"
XRAYTOP_CONFIG=$tmp/missing
check_status "\$XRAYTOP_CONFIG naming a missing file: status 2 with --group" 2 "$XRAYTOP" traces --group slow "$tmp/w.jsonl"
unset XRAYTOP_CONFIG
mkdir -p "$HOME/.config/xraytop"
cp "$tmp/config" "$HOME/.config/xraytop/config"
"$XRAYTOP" traces --format ids --group slow "$tmp/w.jsonl" > "$tmp/got"
check "~/.config/xraytop/config is the default" cmp "$tmp/got" "$tmp/wl/exp.1"

# Bad lines in a trace that is decoded are reported (status 3).
sed -n 1,200p "$tmp/w.jsonl" > "$tmp/bad.jsonl"
tid=$(head -n 1 "$tmp/w.jsonl" | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["trace_id"])')
printf '{"trace_id":"%s","id":"deadbeefdeadbeef","name":"x",broken\n' "$tid" >> "$tmp/bad.jsonl"
check_status "a broken line of a matching trace: status 3" 3 "$XRAYTOP" traces --filter 'responsetime >= 0' "$tmp/bad.jsonl"
check "reported with its line" grep -q 'bad.jsonl:201: column' "$tmp/check.err"

done_testing
