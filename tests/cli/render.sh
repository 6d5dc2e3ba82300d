#!/bin/sh
# DOT and SVG renderings: the SVG is well-formed and names every node, the
# DOT re-parses with Graphviz; hostile names stay harmless text.
. "$(dirname "$0")/lib.sh"
need_shared
C=$SHARED_DIR/corpus

"$PYTHON3" "$SHARED_DIR/bench/gen-traces" --traces 300 -o "$tmp/w.jsonl" 2>/dev/null
for input in "$C/python-mesh/segments.jsonl" "$C/node-gateway/segments.jsonl" "$tmp/w.jsonl"; do
	name=$(basename "$(dirname "$input")")/$(basename "$input")
	"$XRAYTOP" map --format json "$input" > "$tmp/map.json"
	"$PYTHON3" -c 'import json,sys; [print(n["name"]) for n in json.load(open(sys.argv[1]))["nodes"]]' "$tmp/map.json" > "$tmp/names"
	check "$name: svg renders" "$XRAYTOP" map --format svg -o "$tmp/map.svg" "$input"
	check "$name: svg is well-formed" "$XMLLINT" --noout "$tmp/map.svg"
	missing=0
	while read -r n; do
		grep -qF ">$n<" "$tmp/map.svg" || { echo "node $n not in the SVG"; missing=1; }
	done < "$tmp/names" > "$tmp/missing"
	if [ "$missing" -eq 0 ] && [ ! -s "$tmp/missing" ]; then ok "$name: svg names every node"; else not_ok "$name: svg names every node"; diag < "$tmp/missing"; fi
	check "$name: dot renders" "$XRAYTOP" map --format dot -o "$tmp/map.dot" "$input"
	check "$name: dot re-parses with Graphviz" dot -Tcanon -o "$tmp/canon.dot" "$tmp/map.dot"
	"$PYTHON3" - "$tmp/canon.dot" "$tmp/names" > "$tmp/dotcheck" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
names = [l.rstrip("\n") for l in open(sys.argv[2])]
missing = [n for n in names if n not in text]
print("\n".join("missing " + n for n in missing))
sys.exit(1 if missing else 0)
PY
	if [ $? -eq 0 ]; then ok "$name: dot names every node"; else not_ok "$name: dot names every node"; diag < "$tmp/dotcheck"; fi
done

# Hostile names: markup and escape sequences from data stay inert.
"$PYTHON3" - > "$tmp/hostile.jsonl" <<'PY'
import json
names = ['<script>alert(1)</script>', 'svc"quote\\back', '\x1b]0;pwned\x07title', 'a&b<c>d']
for i, n in enumerate(names):
    print(json.dumps({"id": "%016x" % (i + 1), "trace_id": "1-5f000000-%024x" % (i + 1), "name": n,
                      "start_time": 1600000000.0 + i, "end_time": 1600000000.5 + i,
                      "http": {"response": {"status": 200}}}))
PY
check "hostile names: svg renders" "$XRAYTOP" map --format svg -o "$tmp/h.svg" "$tmp/hostile.jsonl"
check "hostile names: svg is well-formed" "$XMLLINT" --noout "$tmp/h.svg"
check "hostile names: no raw <script> element in the svg" sh -c "! grep -q '<script' '$tmp/h.svg'"
check "hostile names: no ESC byte in the svg" sh -c "! grep -q \"\$(printf '\\033')\" '$tmp/h.svg'"
check "hostile names: dot re-parses" sh -c "'$XRAYTOP' map --format dot '$tmp/hostile.jsonl' | dot -Tcanon > /dev/null"
"$XRAYTOP" map --format text "$tmp/hostile.jsonl" > "$tmp/h.txt"
check "hostile names: no ESC or BEL byte in the text map" sh -c "! grep -q \"\$(printf '[\\033\\007]')\" '$tmp/h.txt'"
check "hostile names: the text map shows them as harmless text" grep -q '?]0;pwned?title' "$tmp/h.txt"

done_testing
