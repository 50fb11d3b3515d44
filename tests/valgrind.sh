#!/usr/bin/env bash
# Run the cmocka suites (plain build) and a sample run under valgrind
# memcheck; any error or leak fails.  usage: tests/valgrind.sh BUILD_DIR TEST...
set -u
dir=$1; shift
export LC_ALL=C TZ=UTC
# Leaks: definite and indirect ones are errors; "still reachable" blocks
# (cmocka's own, and what a forked test child inherits before _exit) are not.
vg="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --child-silent-after-fork=yes"
fail=0
for t in "$@"; do
	if $vg "$dir/$t" >/dev/null 2>"$dir/$t.vg"; then
		echo "ok valgrind $t"
	else
		echo "not ok valgrind $t (see $dir/$t.vg)"; fail=1
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if $vg "$dir/repwatch" run --data sample-data --db "$tmp/v.db" --as-of 2026-10-31 --alerts "$tmp/alerts.ndjson" \
	--report-dir "$tmp/out" -q 2>"$tmp/vg"; then
	echo "ok valgrind sample run"
else
	echo "not ok valgrind sample run"; head -40 "$tmp/vg"; fail=1
fi
exit $fail
