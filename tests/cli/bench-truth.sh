#!/bin/sh
# xraytop's map of a 1,000-trace generated workload agrees with the
# generator's truth (check-truth) in every input format.
. "$(dirname "$0")/lib.sh"
need_shared
B=$SHARED_DIR/bench

"$PYTHON3" "$B/gen-traces" --traces 1000 --seed 1 -o "$tmp/w.jsonl" --truth "$tmp/truth.json" 2>/dev/null
for fmt in segments datagrams batch batch-inferred; do
	case $fmt in
	batch-inferred) args="--format batch --api-inferred" ;;
	*) args="--format $fmt" ;;
	esac
	# shellcheck disable=SC2086
	"$PYTHON3" "$B/gen-traces" --traces 1000 --seed 1 $args -o "$tmp/w.$fmt" 2>/dev/null
	check "$fmt: map --format json runs" "$XRAYTOP" map --format json -o "$tmp/map.$fmt.json" "$tmp/w.$fmt"
	check "$fmt: check-truth agrees" "$PYTHON3" "$B/check-truth" "$tmp/truth.json" "$tmp/map.$fmt.json"
done

# One decoding thread gives the same map as several.
"$XRAYTOP" map --format json --threads 0 "$tmp/w.segments" > "$tmp/map.inline.json"
check "one thread and many give the same map" cmp "$tmp/map.inline.json" "$tmp/map.segments.json"

# Documents in trace order (children after parents) give the same map.
"$PYTHON3" "$B/gen-traces" --traces 1000 --seed 1 --order trace -o "$tmp/w.trace-order" 2>/dev/null
"$XRAYTOP" map --format json "$tmp/w.trace-order" > "$tmp/map.trace-order.json"
check "trace order: check-truth agrees" "$PYTHON3" "$B/check-truth" "$tmp/truth.json" "$tmp/map.trace-order.json"

# A harder topology with many faults.
"$PYTHON3" "$B/gen-traces" --traces 1000 --seed 5 --services 5 --depth 5 --fanout 1 \
	--fault-rate 0.2 --error-rate 0.2 --throttle-rate 0.1 -o "$tmp/w.faulty" --truth "$tmp/truth.faulty.json" 2>/dev/null
"$XRAYTOP" map --format json "$tmp/w.faulty" > "$tmp/map.faulty.json"
check "faulty workload: check-truth agrees" "$PYTHON3" "$B/check-truth" "$tmp/truth.faulty.json" "$tmp/map.faulty.json"

done_testing
