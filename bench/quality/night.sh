#!/usr/bin/env bash
# One night of the alert-quality benchmark: generate one scenario's company
# with rwgen, run repwatch on it as of the generator's --end, and print what
# the database says about each rep, team and plan, next to the planted truth
# (truth.csv).  Reads only the flags, team_findings and plan_progress tables;
# knows nothing of how the rules decide.  bench/quality/score.sh runs it for
# every scenario and seed and sums the lines.
#
# usage: night.sh RW RWGEN SCENARIO SEED END WORKDIR
#   SCENARIO is an rwgen --scenario name, or deals_only (= decline without
#   activities.csv).  Lines, tab-separated:
#   truth  SC SEED REP TEAM PLANTED SINCE END  (truth.csv, whether or not the run landed)
#   night  SC SEED RC HAS_TEAM_FINDINGS NREPS
#   rep    SC SEED REP TEAM PLANTED PIP NONREC LAGGING ACTIVITY ANY
#   team   SC SEED TEAM PLANTED_TEAM_DROP FINDINGS_DOWN FINDINGS_ANY PIP_REPS
#   extra  SC SEED FINDINGS_ON_UNKNOWN_TEAMS ACTIVITY_FLAGS
#   plan   SC SEED REP STATUS
set -u
export LC_ALL=C TZ=UTC
rw=$1 gen=$2 sc=$3 seed=$4 end=$5 dir=$6
data=$dir/data db=$dir/rw.db
T=$(printf '\t')

opt=(--scenario "$sc")
[ "$sc" = deals_only ] && opt=(--scenario decline --deals-only)
mkdir -p "$dir"
# A fresh database each night, also when KEEP reuses a work directory.
rm -f "$db" "$db-journal" "$db-wal" "$db-shm"
if ! "$gen" --seed "$seed" --end "$end" --months 21 --reps 35 "${opt[@]}" \
	--out "$data" 2>"$dir/gen.err"; then
	echo "night$T$sc$T$seed${T}gen${T}0${T}0"
	exit 0
fi
"$rw" run --data "$data" --db "$db" --as-of "$end" -q >/dev/null 2>"$dir/run.err"
rc=$?
nreps=$(($(wc -l <"$data/truth.csv") - 1))
awk -F, -v OFS="$T" -v sc="$sc" -v seed="$seed" -v end="$end" 'NR > 1 { print "truth", sc, seed, $1, $2, $3, $4, end }' \
	"$data/truth.csv"
# 3 is "new critical alerts" (only with --fail-on-alert); anything else but 0
# means the night did not land, so there is nothing to score.
if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
	echo "night$T$sc$T$seed$T$rc${T}0$T$nreps"
	exit 0
fi
has_tf=$(sqlite3 "$db" "SELECT COUNT(*) FROM sqlite_master WHERE name = 'team_findings'")

# Team findings of the last run, or none when the table does not exist.
if [ "$has_tf" = 1 ]; then
	tf="CREATE TEMP TABLE q_tf AS SELECT team, change FROM team_findings
	    WHERE run_id = (SELECT MAX(run_id) FROM runs);"
else
	tf="CREATE TEMP TABLE q_tf(team TEXT, change REAL);"
fi

# Metric names the scorer recognises (SPEC section 4), matched whole, with a
# suffix (win_rate_lo, calls_slope_p) or as a team_ companion.
sqlite3 "$db" >"$dir/lines" 2>"$dir/sql.err" <<SQL
.bail on
.import --csv $data/truth.csv q_truth
CREATE TEMP TABLE q_act(name TEXT);
INSERT INTO q_act VALUES ('calls'), ('emails'), ('meetings'), ('first_meetings'),
  ('followup_ratio'), ('touch_gap_days'), ('stale_opps'), ('stale_share');
CREATE TEMP TABLE q_res(name TEXT);
INSERT INTO q_res VALUES ('won'), ('lost'), ('win_rate'), ('revenue'),
  ('avg_deal_size'), ('attainment'), ('projected_attainment'), ('projected_revenue');
CREATE TEMP TABLE q_f AS SELECT rowid AS fid, rep_id, team, rule, category,
  CASE WHEN json_valid(evidence) THEN evidence ELSE '{}' END AS ev
  FROM flags WHERE run_id = (SELECT MAX(run_id) FROM runs);
$tf
-- a flag reads an activity metric when any metric named anywhere in its
-- evidence (metrics, causes, values) or its rule name is one
CREATE TEMP TABLE q_fact AS SELECT DISTINCT f.fid FROM q_f f, json_tree(f.ev) j, q_act a
  WHERE (j.key = 'metric' AND j.type = 'text' AND (j.atom = a.name OR j.atom GLOB a.name || '_*'
         OR j.atom GLOB 'team_' || a.name || '*'))
     OR (j.type <> 'object' AND j.type <> 'array' AND (j.key = a.name OR j.key GLOB a.name || '_*'))
  UNION SELECT f.fid FROM q_f f, q_act a WHERE f.rule = a.name;
-- a lagging flag: a PIP candidate (SPEC: a lagging shortfall by definition)
-- or a non-recognition flag whose own evidence metrics are results
CREATE TEMP TABLE q_flag AS SELECT DISTINCT f.fid FROM q_f f WHERE f.category = 'pip_candidate'
  UNION SELECT f.fid FROM q_f f, json_each(f.ev, '\$.metrics') m, q_res r
  WHERE f.category <> 'recognition' AND (json_extract(m.value, '\$.metric') = r.name
        OR json_extract(m.value, '\$.metric') GLOB r.name || '_*');
.mode list
.separator "\t"
SELECT 'night', '$sc', '$seed', $rc, $has_tf, $nreps;
SELECT 'rep', '$sc', '$seed', t.rep_id, t.team, t.planted,
  (SELECT COUNT(*) FROM q_f f WHERE f.rep_id = t.rep_id AND f.category = 'pip_candidate'),
  (SELECT COUNT(*) FROM q_f f WHERE f.rep_id = t.rep_id AND f.category <> 'recognition'),
  (SELECT COUNT(*) FROM q_f f JOIN q_flag USING (fid) WHERE f.rep_id = t.rep_id),
  (SELECT COUNT(*) FROM q_f f JOIN q_fact USING (fid) WHERE f.rep_id = t.rep_id),
  (SELECT COUNT(*) FROM q_f f WHERE f.rep_id = t.rep_id)
  FROM q_truth t ORDER BY t.rep_id;
SELECT 'team', '$sc', '$seed', tm.team,
  (SELECT COUNT(*) > 0 FROM q_truth t WHERE t.team = tm.team AND t.planted = 'team_drop'),
  (SELECT COUNT(*) FROM q_tf WHERE q_tf.team = tm.team AND q_tf.change < 0),
  (SELECT COUNT(*) FROM q_tf WHERE q_tf.team = tm.team),
  (SELECT COUNT(DISTINCT f.rep_id) FROM q_f f JOIN q_truth t ON t.rep_id = f.rep_id
    WHERE t.team = tm.team AND f.category = 'pip_candidate')
  FROM (SELECT DISTINCT team FROM q_truth) tm ORDER BY tm.team;
SELECT 'extra', '$sc', '$seed',
  (SELECT COUNT(*) FROM q_tf WHERE q_tf.team IS NULL OR q_tf.team NOT IN (SELECT team FROM q_truth)),
  (SELECT COUNT(*) FROM q_fact);
SELECT 'plan', '$sc', '$seed', t.rep_id, COALESCE((SELECT p.status FROM plan_progress p
    WHERE p.rep_id = t.rep_id AND p.run_id = (SELECT MAX(run_id) FROM runs)
    ORDER BY p.plan_id LIMIT 1), 'missing')
  FROM q_truth t WHERE t.planted = 'improver_on_plan' ORDER BY t.rep_id;
SQL
if [ $? -ne 0 ]; then
	echo "night$T$sc$T$seed${T}sql${T}0$T$nreps"
	sed 's/^/# /' "$dir/sql.err" >&2
	exit 0
fi
cat "$dir/lines"
