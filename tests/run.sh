#!/usr/bin/env bash
# Run the cmocka suites and the end-to-end tests; end with the list of what
# was skipped and why, then one line "N passed, N failed, N skipped" that
# sums every suite (always the last line of the output).  A skipped check
# is never counted as passed: a bare machine shows what it did not test.
# usage: tests/run.sh BUILD_DIR TEST_NAME...
set -u
dir=$1; shift
export LC_ALL=C
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
pass=0; fail=0; skipped=0
log=$(mktemp)
skips=$(mktemp)
trap 'rm -f "$log" "$skips"' EXIT

for t in "$@"; do
	"$dir/$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	p=${p:-0}; f=${f:-0}; s=${s:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "suite $t exited $rc without a cmocka failure count (crash or sanitizer report)"
		f=1
	fi
	if [ "$s" -ne 0 ]; then
		names=$(sed -n 's/^\[  SKIPPED \] \([A-Za-z0-9_]*\)$/\1/p' "$log" | sort -u | tr '\n' ' ')
		echo "skip $t: $s cmocka test(s) skipped: ${names% }" >>"$skips"
	fi
	pass=$((pass + p)); fail=$((fail + f)); skipped=$((skipped + s))
done

# End-to-end tests: each tests/e2e/*.sh prints "ok NAME", "not ok NAME" or
# "skip NAME: why".
for s in tests/e2e/*.sh; do
	[ -e "$s" ] || continue
	[ "$(basename "$s")" = lib.sh ] && continue
	bash "$s" "$dir" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log")
	k=$(grep -c '^skip ' "$log")
	grep '^skip ' "$log" >>"$skips"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok $(basename "$s") exited $rc"
		f=1
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$k" -eq 0 ]; then
		echo "not ok $(basename "$s"): it reported nothing"
		f=1
	fi
	pass=$((pass + p)); fail=$((fail + f)); skipped=$((skipped + k))
done

if [ "$skipped" -gt 0 ]; then
	echo "skipped:"
	sed 's/^skip /  /' "$skips"
fi
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
