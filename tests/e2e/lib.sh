# Helpers for the end-to-end tests; sourced, not run.
# Each test prints "ok NAME" or "not ok NAME: why"; tests/run.sh counts them.
set -u
export LC_ALL=C TZ=UTC
BUILD=${1:-build/asan}
RW=$BUILD/repwatch
ASOF=2026-10-31
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { echo "ok $1"; }
notok() { echo "not ok $1: $2"; }
check() { # check NAME CONDITION-COMMAND... ; prints ok/not ok
	local name=$1; shift
	if "$@"; then ok "$name"; else notok "$name" "failed: $*"; fi
}
# A digest of everything a run writes, to prove a database is unchanged
# (run timestamps left out, so that two runs of the same night compare equal).
db_digest() {
	if [ ! -e "$1" ]; then echo absent; return; fi
	sqlite3 "$1" "SELECT run_id, as_of, status FROM runs; SELECT * FROM reps ORDER BY 1; SELECT * FROM rep_metrics ORDER BY 1,2,3; SELECT * FROM rep_trends ORDER BY 1,2,3;" | sha256sum | cut -c1-64
}
