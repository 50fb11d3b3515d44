# A sample run under valgrind memcheck: no errors, no leaks.
. "$(dirname "$0")/lib.sh"
if ! command -v valgrind >/dev/null; then
	skip valgrind_sample_run "valgrind not installed"
	exit 0
fi
valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
	--errors-for-leak-kinds=all "$RWP" run --data sample-data \
	--db "$TMP/v.db" --as-of $ASOF --report-dir "$TMP/out" -q >/dev/null 2>"$TMP/vg"
rc=$?
check valgrind_sample_run [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || head -40 "$TMP/vg" | sed 's/^/# /'
