#!/bin/sh
# Every input format is recognised: AWS CLI output (batch-get-traces,
# get-trace-summaries, get-service-graph), segment documents, daemon
# recordings, wrapped datagrams, several files at once and standard input.
. "$(dirname "$0")/lib.sh"
need_shared
C=$SHARED_DIR/corpus
F=$top_srcdir/tests/fixtures

# GetServiceGraph output (the AWS CLI prints ISO times): the fixture's numbers.
check "get-service-graph: map --format json runs" "$XRAYTOP" map --format json -o "$tmp/sg.json" "$F/get-service-graph.json"
cat > "$tmp/sg.py" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
nodes = {(n["name"], n["type"]): n for n in m["nodes"]}
edges = {(e["source"]["name"], e["target"]["name"], e["target"]["type"]): e for e in m["edges"]}
ec2 = ("xray-sample.elasticbeanstalk.com", "AWS::EC2::Instance")
want_nodes = {("client", "client"), ec2, ("scorekeep-state", "AWS::DynamoDB::Table"), ("SNS", "AWS::SNS")}
assert set(nodes) == want_nodes, sorted(nodes)
n = nodes[ec2]
assert (n["count"], n["ok"], n["error"], n["throttle"], n["fault"]) == (6, 3, 2, 1, 1), n
assert abs(n["sum_response_time"] - 0.54) < 1e-9 and abs(n["p50"] - 0.09) < 1e-9 and abs(n["p99"] - 0.12) < 1e-9, n
e = edges[("client", ec2[0], ec2[1])]
assert (e["count"], e["ok"], e["error"], e["throttle"], e["fault"]) == (6, 3, 2, 1, 1), e
assert abs(e["p50"] - 0.1) < 1e-9 and abs(e["p99"] - 0.15) < 1e-9, e
assert nodes[("client", "client")]["count"] == 6
e = edges[(ec2[0], "SNS", "AWS::SNS")]
assert (e["count"], e["ok"], e["fault"]) == (3, 2, 1), e
e = edges[(ec2[0], "scorekeep-state", "AWS::DynamoDB::Table")]
assert (e["count"], e["ok"]) == (4, 4) and abs(e["avg"] - 0.02) < 1e-9, e
assert len(edges) == 3
PY
check "get-service-graph: nodes, edges, counts and percentiles as in the fixture" "$PYTHON3" "$tmp/sg.py" "$tmp/sg.json"

# get-trace-summaries output lists the traces (moto's stub values included).
"$XRAYTOP" traces --format ids "$C/python-mesh/moto-get-trace-summaries.json" > "$tmp/ids" 2> "$tmp/err"
"$PYTHON3" -c 'import json,sys; print("\n".join(sorted(t["Id"] for t in json.load(open(sys.argv[1]))["TraceSummaries"])))' \
	"$C/python-mesh/moto-get-trace-summaries.json" > "$tmp/ids.want"
check "get-trace-summaries: traces --format ids lists every summary" cmp "$tmp/ids" "$tmp/ids.want"
check_status "get-trace-summaries: map says there is no map in summaries" 1 "$XRAYTOP" map "$C/python-mesh/moto-get-trace-summaries.json"
check "get-trace-summaries: the message says why" grep -q "summaries" "$tmp/check.err"

# moto's batch-get-traces output (every document separate) gives the corpus map.
"$XRAYTOP" map --format json "$C/node-gateway/moto-batch-get-traces.json" > "$tmp/moto.json"
check "moto batch-get-traces: map equals the ground truth" "$PYTHON3" "$top_srcdir/tests/cli/corpus_truth.py" "$C/node-gateway/ground-truth.json" "$tmp/moto.json"

# Several files at once: the two scenarios side by side.
"$XRAYTOP" traces --format ids "$C/python-mesh/segments.jsonl" "$C/node-gateway/datagrams.jsonl" > "$tmp/both"
check "two files at once: 81 traces" test "$(wc -l < "$tmp/both")" -eq 81

# A daemon recording (header line, then document) as gen-traces writes it.
"$PYTHON3" "$SHARED_DIR/bench/gen-traces" --traces 50 --format datagrams -o "$tmp/rec.dg" 2>/dev/null
"$PYTHON3" "$SHARED_DIR/bench/gen-traces" --traces 50 -o "$tmp/rec.jsonl" 2>/dev/null
"$XRAYTOP" map --format json "$tmp/rec.dg" > "$tmp/rec.dg.json"
"$XRAYTOP" map --format json "$tmp/rec.jsonl" > "$tmp/rec.jsonl.json"
check "daemon recording and segment lines give the same map" cmp "$tmp/rec.dg.json" "$tmp/rec.jsonl.json"

# CRLF line ends and a byte order mark change nothing.
printf '\357\273\277' > "$tmp/crlf.jsonl"
sed 's/$/\r/' "$C/python-mesh/segments.jsonl" >> "$tmp/crlf.jsonl"
"$XRAYTOP" map --format json "$tmp/crlf.jsonl" > "$tmp/crlf.json"
check "CRLF and BOM: map equals the ground truth" "$PYTHON3" "$top_srcdir/tests/cli/corpus_truth.py" "$C/python-mesh/ground-truth.json" "$tmp/crlf.json"

# A pretty-printed single segment document spread over lines.
head -n 1 "$C/python-mesh/segments.jsonl" | "$PYTHON3" -m json.tool > "$tmp/pretty.json"
check "a pretty-printed segment document is read" "$XRAYTOP" traces --format ids "$tmp/pretty.json"

done_testing
