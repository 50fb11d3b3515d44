# The ingest suite and a sample run under ThreadSanitizer: the CSV
# reader's hashing thread and the thread that parses the second half of
# an activities file (the suite cuts small files at every byte) are the
# only concurrency in repwatch, and ASan
# cannot see a data race.  Any race report fails (exitcode 66).  The
# binaries are build/tsan's (`make tsan`; `make test` builds them).
. "$(dirname "$0")/lib.sh"
BT=${RW_TSAN_BUILD:-$PLAIN/tsan}
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"
if [ ! -x "$BT/test_ingest" ] || [ ! -x "$BT/repwatch" ]; then
	skip tsan_ingest_suite "no ThreadSanitizer build in $BT (make tsan)"
	skip tsan_sample_run "no ThreadSanitizer build in $BT (make tsan)"
	exit 0
fi
# Some kernels map memory where TSan cannot work; say so rather than fail.
"$BT/test_ingest" >"$TMP/suite" 2>&1
rc=$?
if grep -q 'ThreadSanitizer: unexpected memory mapping' "$TMP/suite"; then
	skip tsan_ingest_suite "ThreadSanitizer cannot run on this kernel"
	skip tsan_sample_run "ThreadSanitizer cannot run on this kernel"
	exit 0
fi
check tsan_ingest_suite [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || head -60 "$TMP/suite" | sed 's/^/# /'
"$BT/repwatch" run --data sample-data --db "$TMP/t.db" --as-of $ASOF \
	--report-dir "$TMP/out" -q >/dev/null 2>"$TMP/run"
rc=$?
check tsan_sample_run [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || head -60 "$TMP/run" | sed 's/^/# /'
