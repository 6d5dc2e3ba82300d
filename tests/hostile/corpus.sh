# corpus.sh - the hostile corpus for a test (sourced after lib.sh): written
# by make-hostile.py into $C, its manifest in $M, and the bytes the checks
# look for in ESC, BEL, C1 (CSI as U+009B) and RLO (U+202E).
H=$top_srcdir/tests/hostile
C=$tmp/corpus
if ! "$PYTHON3" "$H/make-hostile.py" "$C"; then
	echo "Bail out! make-hostile.py failed"
	exit 99
fi
M=$C/manifest.json
ESC=$(printf '\033')
BEL=$(printf '\007')
C1=$(printf '\302\233')
RLO=$(printf '\342\200\256')
