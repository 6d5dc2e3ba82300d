#!/bin/sh
# The AWS source in the TUI, headless, against the fake X-Ray endpoint
# (tests/aws/fake_xray.py): the default source when credentials are found;
# the map and the trace list of the window, a trace fetched in full when it
# is opened, groups and sampling rules, a group re-fetched by name, a
# filter only X-Ray can answer, and nothing secret on screen.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/cli/aws-lib.sh"
need_shared

now=$(date +%s)
"$PYTHON3" "$SHARED_DIR/bench/gen-traces" --traces 120 --seed 5 --rps 0.5 --format batch --api-inferred \
	--start-time $((now - 600)) --out "$tmp/traces.jsonl" --quiet
write_keys
start_fake xray fake_xray.py --keys "$tmp/keys.json" --traces "$tmp/traces.jsonl" \
	--graph "$FIX/service-graph.json" --groups "$FIX/groups.json" --sampling "$FIX/sampling-rules.json" \
	--sampling-stats "$FIX/sampling-stats.json" --log "$tmp/xray.log" --write-truth "$tmp/truth.json"
use_long_term_keys
UI_NOW=$now
ntraces=$(py "import json; print(len(json.load(open('$tmp/truth.json'))['traces']))")
first=$(py "import json; t=json.load(open('$tmp/truth.json'))['traces']; print(sorted(t)[0])")
faults=$(py "import json; t=json.load(open('$tmp/truth.json'))['traces']; print(sum(1 for v in t.values() if v['summary']['HasFault']))")

tui aws --since 15m --endpoint-url "http://127.0.0.1:$port" --refresh 1h <<END
:dump-screen $tmp/map.screen
2
:dump-screen $tmp/list.screen
:trace $first
:dump-screen $tmp/trace.screen
<Esc>
:filter fault
:dump-screen $tmp/faults.screen
F
3
:dump-screen $tmp/groups.screen
4
:dump-screen $tmp/rules.screen
:group faults
:dump-screen $tmp/group.screen
:group
:filter edge("client", "nowhere") { fault }
:dump-screen $tmp/remote.screen
END
tui_ok "runs on AWS (credentials from the environment)" aws
has "the status bar names AWS and the region" map.screen " AWS us-east-1 "
has "the map is the service graph" map.screen "$(py "import json; print(json.load(open('$FIX/service-graph.json'))['Services'][1]['Name'][:12])")"
has "the list is every trace of the window" list.screen "$ntraces traces  sorted by RESPONSE"
has "a trace is fetched when opened" trace.screen "› trace $(echo "$first" | cut -c1-12)"
grep -q '"op": *"BatchGetTraces"' "$tmp/xray.log" && ok "... with BatchGetTraces" || not_ok "... with BatchGetTraces"
has "a filter on the summaries" faults.screen "$faults of $ntraces traces"
has "the account's groups" groups.screen "slow-checkout"
has "the sampling rules" rules.screen "Default"
has "a group" group.screen "group faults"
py "
import json
ops = [json.loads(l) for l in open('$tmp/xray.log')]
g = [o for o in ops if o['op'] == 'GetServiceGraph']
assert len(g) >= 2, len(g)
" && ok ":group fetches the group's map again" || not_ok ":group fetches the group's map again"
# A filter a summary cannot answer goes to X-Ray (this fake knows no
# edge(): its refusal is shown, and the list stays empty, not wrong).
py "
import json
ops = [json.loads(l) for l in open('$tmp/xray.log')]
assert any(o['op'] == 'GetTraceSummaries' and o.get('status') == 400 for o in ops), 'no 400'
" && ok "an edge() filter is asked of X-Ray" || not_ok "an edge() filter is asked of X-Ray"
has "... and its refusal shown" remote.screen "the filter could not be run"
has "... with no trace listed" remote.screen "0 of $ntraces traces"
check_no_secrets "no secret on screen" "$tmp"/*.screen

done_testing
