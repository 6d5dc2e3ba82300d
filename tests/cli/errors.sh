#!/bin/sh
# Bad input gets a clear message naming the file and position, a non-zero
# exit, and loses nothing: good documents in the same file are still used.
. "$(dirname "$0")/lib.sh"
need_shared
C=$SHARED_DIR/corpus

# Bad lines in the middle of good ones.
{
	head -n 10 "$C/python-mesh/segments.jsonl"
	echo '{"id": "abc", "name": "truncated", "start_ti'
	printf '\001\002\377garbage\n'
	echo '{"name": "no-ids", "start_time": 1, "end_time": 2}'
	tail -n +11 "$C/python-mesh/segments.jsonl"
} > "$tmp/mixed.jsonl"
check_status "mixed file: exit status 3" 3 "$XRAYTOP" map --format json -o "$tmp/mixed.json" "$tmp/mixed.jsonl"
check "mixed file: the message names file and line 11" grep -q "mixed.jsonl:11:" "$tmp/check.err"
check "mixed file: line 12 reported" grep -q "mixed.jsonl:12:" "$tmp/check.err"
check "mixed file: line 13 reported" grep -q "mixed.jsonl:13:" "$tmp/check.err"
check "mixed file: the count of bad items is given" grep -q "3 bad items skipped" "$tmp/check.err"
check "mixed file: the good documents still give the ground-truth map" "$PYTHON3" "$top_srcdir/tests/cli/corpus_truth.py" "$C/python-mesh/ground-truth.json" "$tmp/mixed.json"

# A truncated AWS CLI output: file, line and column.
head -c 3000 "$C/python-mesh/batch-get-traces.json" > "$tmp/cut.json"
check_status "truncated CLI output: exit status 3" 3 "$XRAYTOP" map "$tmp/cut.json"
check "truncated CLI output: FILE:LINE:COL in the message" grep -Eq "cut.json:[0-9]+:[0-9]+:" "$tmp/check.err"

# A BatchGetTraces page with one bad Document: the others are used.
"$PYTHON3" - "$C/python-mesh/batch-get-traces.json" > "$tmp/page.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["Traces"][0]["Segments"][0]["Document"] = "{not json"
json.dump(d, sys.stdout)
PY
check_status "bad Document in a page: exit status 3" 3 "$XRAYTOP" traces --format ids "$tmp/page.json"
check "bad Document in a page: 45 traces still listed" test "$(wc -l < "$tmp/check.out")" -eq 45

check_status "missing file: exit status 2" 2 "$XRAYTOP" map "$tmp/does-not-exist.json"
check "missing file: the message names it" grep -q "does-not-exist.json" "$tmp/check.err"
: > "$tmp/empty.jsonl"
check_status "empty file: exit status 1" 1 "$XRAYTOP" map "$tmp/empty.jsonl"
check_status "a directory: exit status 2" 2 "$XRAYTOP" map "$tmp"
echo '[1, 2, 3]' > "$tmp/array.json"
check_status "JSON that is not X-Ray data: exit status 3" 3 "$XRAYTOP" map "$tmp/array.json"
check_status "unknown format: exit status 2" 2 "$XRAYTOP" map --format png "$C/python-mesh/segments.jsonl"
check_status "unknown option: exit status 2" 2 "$XRAYTOP" map --bogus "$C/python-mesh/segments.jsonl"
# no INPUT reads from AWS: with no region and instance metadata off, that
# is an error before any request
check_status "no input and no AWS region: exit status 2" 2 env -u AWS_REGION -u AWS_DEFAULT_REGION \
	-u AWS_PROFILE AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null "$XRAYTOP" map
check_status "unknown command: exit status 2" 2 "$XRAYTOP" frobnicate
check_status "--help: exit status 0" 0 "$XRAYTOP" --help
check "--version prints the version" sh -c "'$XRAYTOP' --version | grep -q '^xraytop [0-9]'"
check_status "unwritable output: exit status 2" 2 "$XRAYTOP" map -o /nonexistent-dir/out.txt "$C/python-mesh/segments.jsonl"

done_testing
