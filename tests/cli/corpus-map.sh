#!/bin/sh
# The map of each corpus scenario, from every input format, equals the
# ground truth recorded by the request driver.
. "$(dirname "$0")/lib.sh"
need_shared

for sc in python-mesh node-gateway; do
	dir=$SHARED_DIR/corpus/$sc
	for input in segments.jsonl datagrams.jsonl batch-get-traces.json; do
		out=$tmp/$sc-$input.json
		check "$sc $input: map --format json runs" "$XRAYTOP" map --format json -o "$out" "$dir/$input"
		check "$sc $input: map equals the ground truth" "$PYTHON3" "$top_srcdir/tests/cli/corpus_truth.py" "$dir/ground-truth.json" "$out"
	done
	# Every format gives the same map.
	check "$sc: segments and datagrams maps are identical" cmp "$tmp/$sc-segments.jsonl.json" "$tmp/$sc-datagrams.jsonl.json"
	# Reading from standard input and in reverse order changes nothing.
	check "$sc: stdin gives the same map" sh -c "\"$XRAYTOP\" map --format json - < \"$dir/segments.jsonl\" | cmp - \"$tmp/$sc-segments.jsonl.json\""
	tac "$dir/segments.jsonl" > "$tmp/reversed.jsonl"
	"$XRAYTOP" map --format json "$tmp/reversed.jsonl" > "$tmp/reversed.json"
	check "$sc: documents in reverse order give the same map" cmp "$tmp/reversed.json" "$tmp/$sc-segments.jsonl.json"
	# The same documents twice are counted once.
	check "$sc: duplicated documents are counted once" sh -c "cat \"$dir/segments.jsonl\" \"$dir/segments.jsonl\" | \"$XRAYTOP\" map --format json - | \"$PYTHON3\" \"$top_srcdir/tests/cli/corpus_truth.py\" \"$dir/ground-truth.json\" /dev/stdin"
done

done_testing
