# Helpers for the end-to-end tests; sourced, not run.
# Each test prints "ok NAME", "not ok NAME: why" or "skip NAME: why";
# tests/run.sh counts them.
set -u
export LC_ALL=C TZ=UTC
BUILD=${1:-build/asan}
RW=$BUILD/repwatch
# The unsanitized build (timings closer to production, valgrind): the
# parent of an ASan build folder, else the build folder itself.
case $BUILD in
*/asan) PLAIN=${BUILD%/asan} ;;
*) PLAIN=$BUILD ;;
esac
RWP=$PLAIN/repwatch
# The shared data sets (Maven CRM, vendor headers, csv_spectrum); tests
# that need them skip visibly when the folder is absent.
SHARED_DATA=${RW_SHARED_DATA:-../shared/data}
ASOF=2026-10-31
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { echo "ok $1"; }
notok() { echo "not ok $1: $2"; }
skip() { echo "skip $1: $2"; }
# check NAME COMMAND [ARGS...]: runs the ONE command (a `[ ... ]` test, a
# grep...) and reports its status; returns that status.  Never follow it
# with `&& [ ... ]` or `|| [ ... ]`: the shell would apply those outside
# the check and their result would be lost.  Combine conditions inside one
# command instead: check NAME all_of '[ a ]' '[ b ]' or [ "$(...)" = ... ].
check() {
	local name=$1 rc; shift
	"$@"
	rc=$?
	if [ "$rc" -eq 0 ]; then ok "$name"; else notok "$name" "failed: $*"; fi
	return "$rc"
}
# all_of 'COND' 'COND'...: every shell condition holds (for check).
all_of() {
	local c
	for c in "$@"; do eval "$c" || return 1; done
}
# any_of 'COND' 'COND'...: at least one holds (for check).
any_of() {
	local c
	for c in "$@"; do eval "$c" && return 0; done
	return 1
}

# db_digest DB [decisions]: a SHA-256 of everything in the database: the
# schema, then every table (sqlite_master enumerates them; the statistics
# tables sqlite_stat* left out) dumped with quoted values and ordered by
# all its columns.  Only the wall-clock timestamps of runs (started,
# finished) are left out, so that two runs of the same night compare
# equal.  "absent" when there is no file, "unreadable" when sqlite3 fails.
#
# With "decisions", what a run decided, to compare databases with different
# run histories (a single run against shards merged): runs and run_inputs
# are left out, so are run_id columns, and of a table with a run_id column
# only the rows of its latest run are kept (flags, plan_progress and
# team_findings keep every night's rows; the others hold one run's).
db_digest() {
	local db=$1 mode=${2:-all} tables t cols where sql out
	if [ ! -e "$db" ]; then echo absent; return; fi
	tables=$(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_stat%' ORDER BY name") ||
		{ echo unreadable; return; }
	sql="SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' ORDER BY 1,2;"
	for t in $tables; do
		if [ "$mode" = decisions ] && { [ "$t" = runs ] || [ "$t" = run_inputs ]; }; then
			continue
		fi
		cols=$(sqlite3 "$db" "SELECT group_concat('\"' || name || '\"', ',') FROM pragma_table_info('$t')
			WHERE NOT ('$t' = 'runs' AND name IN ('started', 'finished'))
			  AND NOT ('$mode' = 'decisions' AND name = 'run_id')") ||
			{ echo unreadable; return; }
		where=""
		if [ "$mode" = decisions ] &&
		   [ "$(sqlite3 "$db" "SELECT COUNT(*) FROM pragma_table_info('$t') WHERE name = 'run_id'")" = 1 ]; then
			where="WHERE run_id IS NULL OR run_id = (SELECT MAX(run_id) FROM \"$t\")"
		fi
		sql="$sql SELECT '-- $t'; SELECT $cols FROM \"$t\" $where ORDER BY $cols;"
	done
	out=$(sqlite3 -cmd '.mode quote' "$db" "$sql") || { echo unreadable; return; }
	printf '%s\n' "$out" | sha256sum | cut -c1-64
}
