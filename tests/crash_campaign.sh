#!/usr/bin/env bash
# Crash-consistency campaign (not part of `make test`): SIGKILL a nightly
# run at random moments, TRIALS times, on a dataset large enough that a run
# takes a few seconds; after each kill the database must pass
# PRAGMA integrity_check and hold exactly the previous run's results or the
# new run's, and the next run must succeed.
# usage: tests/crash_campaign.sh [TRIALS] [SEED]     (defaults 200, 1)
set -u
trials=${1:-200}
seed=${2:-1}
export LC_ALL=C TZ=UTC
RW=${RW:-build/repwatch}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -x "$RW" ] && [ -x build/rwgen ] || { echo "build first: make"; exit 1; }
build/rwgen --seed 7 --out "$work/data" --reps 400 --activities 2000000 >/dev/null || exit 1

digest() { # everything a run writes that must be old or new as a whole
	sqlite3 "$1" "SELECT run_id, as_of, status FROM runs; SELECT * FROM reps ORDER BY 1;
		SELECT * FROM rep_metrics ORDER BY 1,2,3; SELECT * FROM rep_trends ORDER BY 1,2,3;
		SELECT * FROM team_baselines ORDER BY 1,2,3,4;" 2>/dev/null | sha256sum | cut -c1-16
	# The rules' tables.  Delivering notifications happens after the
	# commit (nothing external can be rolled back), then clears
	# alerts.pending and sets last_notified in a second transaction: a
	# kill in between leaves the notifications pending for the next run
	# (at least once), so those two columns are not part of the state.
	sqlite3 "$1" "SELECT * FROM flags ORDER BY 1,2,3,4; SELECT * FROM plan_progress ORDER BY 1,2,3;
		SELECT rule, rep_id, state, severity, first_seen, last_seen, category, grain,
		period, message FROM alerts ORDER BY 1,2;" 2>/dev/null | sha256sum | cut -c1-16
}
run() { "$RW" run --data "$work/data" --db "$1" --as-of "$2" -q >/dev/null 2>&1; }

run "$work/base.db" 2026-09-30 || { echo "setup run failed"; exit 1; }
cp "$work/base.db" "$work/new.db"
t0=$(date +%s%N)
run "$work/new.db" 2026-10-31 || { echo "setup run failed"; exit 1; }
t1=$(date +%s%N)
span=$(( (t1 - t0) / 1000 ))
old=$(digest "$work/base.db")
new=$(digest "$work/new.db")
echo "dataset: 400 reps, 2,000,000 activities; one run takes $((span / 1000)) ms"

RANDOM=$seed
bad=0 before_commit=0 completed=0 next_fail=0
for i in $(seq 1 "$trials"); do
	cp "$work/base.db" "$work/t.db"
	rm -f "$work/t.db-wal" "$work/t.db-shm"
	# a delay uniform over 0 .. 1.2 x the run's time
	us=$(( (RANDOM * 32768 + RANDOM) % (span * 12 / 10 + 1) ))
	"$RW" run --data "$work/data" --db "$work/t.db" --as-of 2026-10-31 -q >/dev/null 2>&1 &
	pid=$!
	sleep "$(awk -v u="$us" 'BEGIN { printf "%.6f", u / 1e6 }')"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	ic=$(sqlite3 "$work/t.db" 'PRAGMA integrity_check' 2>&1)
	dg=$(digest "$work/t.db")
	if [ "$ic" != ok ] || { [ "$dg" != "$old" ] && [ "$dg" != "$new" ]; }; then
		bad=$((bad + 1))
		echo "trial $i (kill after $us us): integrity '$ic', neither old nor new"
	fi
	[ "$dg" = "$new" ] && completed=$((completed + 1))
	[ "$dg" = "$old" ] && before_commit=$((before_commit + 1))
	run "$work/t.db" 2026-10-31 || next_fail=$((next_fail + 1))
done
echo "trials: $trials; killed before the commit (old data kept): $before_commit;" \
	"after it (new data): $completed;" \
	"corrupt or mixed: $bad; next run failed: $next_fail"
[ "$bad" -eq 0 ] && [ "$next_fail" -eq 0 ]
