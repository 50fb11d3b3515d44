# Past one machine (SPEC section 8): a run split into 3 shards by team and
# merged equals a single run: rep_metrics, rep_trends, team_baselines
# (the company row "*" recomputed by merge), flags, plan_progress, alerts
# and the notifications.  Two nights, the second carrying alert memory
# through the merged database.  The GNU parallel recipe of
# docs/scale-out.md runs the shards when parallel is installed.
. "$(dirname "$0")/lib.sh"
N=3
# Everything a run decides (lib.sh db_digest "decisions": every table but
# runs and run_inputs, run ids left out, the latest run's flags and plan
# scores).
digest() { db_digest "$1" decisions; }
night() { # night AS_OF: the single run, then the shards from last night's merge
	"$RW" run --data sample-data --db "$TMP/single.db" --as-of "$1" -q >"$TMP/single-$1.ndjson" 2>/dev/null || return 1
	for i in $(seq 0 $((N - 1))); do
		rm -f "$TMP/shard$i.db"
		[ -e "$TMP/out.db" ] && cp "$TMP/out.db" "$TMP/shard$i.db"
		"$RW" run --data sample-data --db "$TMP/shard$i.db" --as-of "$1" --shard $i/$N \
			-q >"$TMP/shard$i-$1.ndjson" 2>/dev/null || return 1
	done
	"$RW" merge "$TMP/out.db" "$TMP"/shard[0-9].db 2>/dev/null
}
for d in 2026-10-31 2026-11-30; do
	night $d
	check "shard_night_${d}_ok" [ $? -eq 0 ]
	check "shard_night_${d}_equal" [ "$(digest "$TMP/single.db")" = "$(digest "$TMP/out.db")" ]
	check "shard_night_${d}_notifications" [ "$(sort "$TMP/single-$d.ndjson" | sha256sum)" = \
		"$(cat "$TMP"/shard[0-9]-$d.ndjson | sort | sha256sum)" ]
done
# The second night must have had something to say (resolved or new alerts).
check shard_second_night_notified [ -s "$TMP/single-2026-11-30.ndjson" ]
# The company row is the merge's own computation: it is there.
check shard_company_baselines [ "$(sqlite3 "$TMP/out.db" "SELECT COUNT(*) FROM team_baselines WHERE team = '*'")" -gt 0 ]

# Shards of different nights are refused, naming both.
# (a new database: an existing one refuses an earlier --as-of)
"$RW" run --data sample-data --db "$TMP/old0.db" --as-of 2026-09-30 --shard 0/$N -q >/dev/null 2>&1
"$RW" merge "$TMP/bad.db" "$TMP/old0.db" "$TMP/shard1.db" 2>"$TMP/merge.err"
check merge_as_of_exit1 [ $? -eq 1 ]
check merge_as_of_names_both grep -q "shard1.db is as of 2026-11-30 but .*old0.db is as of 2026-09-30" "$TMP/merge.err"
check merge_as_of_nothing_written any_of '[ ! -s "$TMP/bad.db" ]' \
	'[ "$(sqlite3 "$TMP/bad.db" "SELECT COUNT(*) FROM runs")" = 0 ]'
"$RW" merge "$TMP/bad2.db" "$TMP/shard1.db" "$TMP/shard1.db" 2>"$TMP/merge2.err"
check merge_same_shard_twice [ $? -eq 1 ]

# The GNU parallel recipe (docs/scale-out.md), locally.
if command -v parallel >/dev/null; then
	mkdir -p "$TMP/p"
	parallel --will-cite -j $N "$RW" run --data sample-data --db "$TMP/p/shard{}.db" \
		--as-of 2026-10-31 --shard {}/$N --alerts "$TMP/p/alerts{}.ndjson" -q ::: $(seq 0 $((N - 1)))
	check parallel_shards_ok [ $? -eq 0 ]
	"$RW" merge "$TMP/p/out.db" "$TMP"/p/shard[0-9].db 2>/dev/null
	check parallel_merge_ok [ $? -eq 0 ]
	rm -f "$TMP/single1.db"
	"$RW" run --data sample-data --db "$TMP/single1.db" --as-of 2026-10-31 -q >/dev/null 2>&1
	check parallel_equals_single [ "$(digest "$TMP/single1.db")" = "$(digest "$TMP/p/out.db")" ]
else
	skip parallel_recipe "GNU parallel not installed"
fi
