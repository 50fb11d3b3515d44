#!/usr/bin/env bash
# Run the cmocka suites and the end-to-end tests; end with one line
# "N passed, N failed" that sums every suite.
# usage: tests/run.sh BUILD_DIR TEST_NAME...
set -u
dir=$1; shift
export LC_ALL=C
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
pass=0; fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$@"; do
	"$dir/$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "suite $t exited $rc without a cmocka failure count (crash or sanitizer report)"
		f=1
	fi
	pass=$((pass + p)); fail=$((fail + f))
done

# End-to-end tests: each tests/e2e/*.sh prints "ok NAME" or "not ok NAME".
for s in tests/e2e/*.sh; do
	[ -e "$s" ] || continue
	bash "$s" "$dir" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok $(basename "$s") exited $rc"
		f=1
	fi
	pass=$((pass + p)); fail=$((fail + f))
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
