#!/bin/sh
# valgrind finds no leaks and no memory errors in the main commands over
# the corpus.  valgrind.supp names the caches that Graphviz's text layout
# (pango, fontconfig, glib) keeps for the life of the process.  In an
# --enable-asan build the same commands run under LeakSanitizer instead.
. "$(dirname "$0")/lib.sh"
need_shared
C=$SHARED_DIR/corpus
: "${VALGRIND:=valgrind}"

vg() {
	if [ "${ASAN_BUILD:-no}" = yes ]; then
		# valgrind cannot run a sanitizer build; LeakSanitizer checks at exit.
		"$@" > /dev/null
		return
	fi
	"$VALGRIND" -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=9 \
		--suppressions="$top_srcdir/tests/cli/valgrind.supp" "$@" > /dev/null
}

id=$(sed -n 's/.*"trace_id": *"\(1-[0-9a-f-]*\)".*/\1/p' "$C/node-gateway/segments.jsonl" | head -n 1)
for input in "$C/python-mesh/segments.jsonl" "$C/node-gateway/datagrams.jsonl" "$C/node-gateway/batch-get-traces.json"; do
	name=$(basename "$(dirname "$input")")/$(basename "$input")
	for fmt in json text svg dot; do
		check "$name: map --format $fmt is clean" vg "$XRAYTOP" map --format "$fmt" "$input"
	done
	check "$name: traces --format json is clean" vg "$XRAYTOP" traces --format json "$input"
	check "$name: traces is clean" vg "$XRAYTOP" traces "$input"
done
check "trace waterfall is clean" vg "$XRAYTOP" trace "$id" "$C/node-gateway/segments.jsonl"
check "trace --format raw is clean" vg "$XRAYTOP" trace "$id" --format raw "$C/node-gateway/segments.jsonl"
check "get-service-graph map is clean" vg "$XRAYTOP" map --format json "$top_srcdir/tests/fixtures/get-service-graph.json"
# An unreadable input ends with status 2 (valgrind's own errors would give 9).
check_status "bad input is clean" 2 vg "$XRAYTOP" map "$top_srcdir/tests/fixtures/get-service-graph.json" /dev/null /nonexistent

done_testing
