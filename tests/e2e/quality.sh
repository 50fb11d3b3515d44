# Alert quality, short version (3 seeds; `make quality` runs 10): every
# rwgen scenario is run and scored against its planted truth, and each
# figure compared with bench/quality/floors (enforce 0: reported, not failed).
# Before that, the instrument itself: rwgen's sample bytes are unchanged and
# the planted truth is in the data, measured here with sqlite3 on the CSVs.
. "$(dirname "$0")/lib.sh"
gen=$PLAIN/rwgen		# make test builds it; the generator is not sanitized
if [ ! -x "$gen" ] || [ ! -x "$RW" ]; then
	notok quality_built "$gen or $RW missing"
	exit 0
fi

# make sample still writes the bytes whose sums sample-data/README.md lists.
"$gen" --seed 42 --out "$TMP/sample" 2>/dev/null
sums=$(grep -E '^[0-9a-f]{64}  [a-z]+\.csv$' sample-data/README.md | sort -k2)
check quality_sample_unchanged [ "$(cd "$TMP/sample" && sha256sum *.csv | sort -k2)" = "$sums" ]
check quality_sample_no_truth [ ! -e "$TMP/sample/truth.csv" ]

# The scorer on a database whose answers are known: a stand-in rwgen writes
# a truth.csv, a stand-in repwatch a database of two runs (only the last one
# counts), and night.sh's lines must be exactly those worked out by hand.
cat >"$TMP/fakegen" <<'SH'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = --out ] && out=$2; shift; done
mkdir -p "$out"
printf 'rep_id,team,planted,since\nR1,East,personal_decline,2026-03-01\nR2,East,none,\nR3,West,team_drop,2026-06-01\nR4,West,team_drop,2026-06-01\nR5,West,improver_on_plan,2026-07-01\nR6,East,none,\n' >"$out/truth.csv"
SH
cat >"$TMP/fakerw" <<'SH'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = --db ] && db=$2; shift; done
sqlite3 "$db" <<'SQL'
CREATE TABLE runs(run_id INTEGER PRIMARY KEY);
INSERT INTO runs VALUES (1), (2);
CREATE TABLE flags(run_id, rep_id, team, rule, category, severity, grain, period, message, evidence);
INSERT INTO flags VALUES
 (1, 'R2', 'East', 'x', 'pip_candidate', 'warning', 'month', '2026-09', '', '{}'),
 (2, 'R1', 'East', 'a', 'pip_candidate', 'warning', 'month', '2026-09', '',
  '{"metrics":[{"metric":"win_rate"}],"causes":[{"rule":"b","metrics":[{"metric":"followup_ratio"}]}]}'),
 (2, 'R1', 'East', 'c', 'recognition', 'info', 'month', '2026-09', '', '{"metrics":[{"metric":"revenue"}]}'),
 (2, 'R2', 'East', 'd', 'early_warning', 'warning', 'month', '2026-10', '', '{"metrics":[{"metric":"projected_attainment"}]}'),
 (2, 'R3', 'West', 'e', 'structural', 'warning', 'quarter', '2026-Q3', '', '{"values":{"emails_change":-0.5}}'),
 (2, 'R4', 'West', 'f', 'pip_candidate', 'critical', 'quarter', '2026-Q3', '', 'not json'),
 (2, 'R6', 'East', 'stale_share', 'early_warning', 'watch', 'month', '2026-09', '', NULL);
CREATE TABLE plan_progress(run_id, plan_id, rep_id, metric, baseline, current, target, progress, elapsed, projected, status);
INSERT INTO plan_progress VALUES (1, 'P1', 'R5', 'win_rate', 0.1, 0.1, 0.2, 0, 0, 0, 'off_track'),
 (2, 'P1', 'R5', 'win_rate', 0.1, 0.2, 0.2, 1, 0.5, 0.2, 'met');
CREATE TABLE team_findings(run_id, team, manager, grain, metric, since, change, p, reps, reps_down);
INSERT INTO team_findings VALUES (2, 'West', 'M', 'month', 'win_rate', '2026-06', -0.3, 0.01, 3, 3),
 (2, 'East', 'M', 'month', 'win_rate', '2026-06', 0.2, 0.01, 3, 0),
 (2, 'North', 'M', 'month', 'win_rate', '2026-06', -0.2, 0.01, 3, 3),
 (1, 'East', 'M', 'month', 'win_rate', '2026-06', -0.2, 0.01, 3, 3);
SQL
SH
chmod +x "$TMP/fakegen" "$TMP/fakerw"
bash bench/quality/night.sh "$TMP/fakerw" "$TMP/fakegen" improver 9 2026-10-31 "$TMP/fake" >"$TMP/fake.out" 2>&1
# By hand, per rep: PIP flags, non-recognition, lagging (PIP, or a results
# metric of its own), activity-reading (metric anywhere, evidence key, or
# rule name), any.  R1: the PIP reads followup_ratio in its causes; R2: its
# run-1 PIP does not count; R3: emails_change is a key; R4: bad JSON still
# a PIP; R6: the rule name is a metric.  Teams: West found down (and R4 is
# a PIP), East only up; North is no team of the truth.
tab() { tr ' ' '\t'; }
tab >"$TMP/fake.want" <<'EOF'
night improver 9 0 1 6
rep improver 9 R1 East personal_decline 1 1 1 1 2
rep improver 9 R2 East none 0 1 1 0 1
rep improver 9 R3 West team_drop 0 1 0 1 1
rep improver 9 R4 West team_drop 1 1 1 0 1
rep improver 9 R5 West improver_on_plan 0 0 0 0 0
rep improver 9 R6 East none 0 1 0 1 1
team improver 9 East 0 0 1 1
team improver 9 West 1 1 1 1
extra improver 9 1 3
plan improver 9 R5 met
EOF
grep -v '^truth' "$TMP/fake.out" >"$TMP/fake.got"
check quality_scorer_by_hand cmp -s "$TMP/fake.want" "$TMP/fake.got"
cmp -s "$TMP/fake.want" "$TMP/fake.got" || diff "$TMP/fake.want" "$TMP/fake.got" | sed 's/^/# /'
# ... and summed by hand: R1 is the only decliner and a PIP, R4 (team drop)
# the other PIP: precision 1/2, recall 1/1; both none reps flagged: rate 1;
# East's finding and North's are false: 2 a night; West was found down but
# R4 is a PIP, so the drop was not found as a team issue; 1 night of 8
# expected printed nothing (deals-only never ran: NA).
awk -F'\t' -v nseeds=1 -v expect=2 -f bench/quality/aggregate.awk "$TMP/fake.out" | grep '^quality' >"$TMP/agg.got"
cat >"$TMP/agg.want" <<'EOF'
quality pip_precision 0.500
quality pip_recall 1.000
quality recent_decline_flagged NA
quality false_alarm_rate 1.000
quality false_team_findings 2.00
quality null_flagged_reps NA
quality team_drop_found 0.000
quality team_drop_pip_reps 1
quality new_hire_flagged 0
quality departed_flagged 0
quality low_volume_lagging 0
quality improver_pip 0
quality deals_only_activity_flags NA
quality run_failures 1
EOF
check quality_aggregate_by_hand cmp -s "$TMP/agg.want" "$TMP/agg.got"
cmp -s "$TMP/agg.want" "$TMP/agg.got" || diff "$TMP/agg.want" "$TMP/agg.got" | sed 's/^/# /'

keep=$TMP/keep
RW=$RW RWGEN=$gen RAW=$TMP/raw KEEP=$keep bash bench/quality/score.sh 1 2 3 >"$TMP/score" 2>"$TMP/err"
check quality_score_exit0 [ $? -eq 0 ]
sed 's/^/# /' "$TMP/err" "$TMP/score" | grep -v '^# quality '

# Every scenario of every seed printed its night, and the truth holds the
# planted reps it promises (so a figure of 0 means "not flagged", never
# "not there").
check quality_all_nights [ "$(grep -c '^night' "$TMP/raw")" -eq 24 ]
planted() { awk -F'\t' -v p="$1" '$1 == "truth" && $6 == p' "$TMP/raw" | wc -l; }
check quality_truth_decliners [ "$(planted personal_decline)" -eq 24 ]	# 4 a company: decline, deals_only
check quality_truth_team_drop [ "$(planted team_drop)" -eq 21 ]		# one team of 7, 3 seeds
check quality_truth_pairs [ "$(planted new_hire)$(planted departed)$(planted low_volume)$(planted improver_on_plan)" = 6666 ]
check quality_deals_only_no_activities [ ! -e "$keep/deals_only.1/data/activities.csv" ]
check quality_same_seed_same_bytes cmp -s "$keep/decline.1/data/opportunities.csv" "$keep/deals_only.1/data/opportunities.csv"

# The planted decline is there: pooled over the 12 decliners, the win rate
# of deals closed from the month after the start is at most 0.6 of the
# rate in the six months before (planted: x0.3..0.5), and the follow-up
# share of first meetings drops by 0.25 or more (planted 0.78..0.92 ->
# 0.25..0.45).  In the null company, the 6 months before the last complete
# one and the 6 before those agree within 0.04 (no drift: ~2000 deals each).
# near A B TOL / atmost A FACTOR B: numbers only (an empty or failed query
# must fail the check, not compare as NaN).
num='^[0-9]+(\.[0-9]+)?$'
near() { [[ $1 =~ $num && $2 =~ $num ]] && awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { exit !(a - b < t && b - a < t) }'; }
atmost() { [[ $1 =~ $num && $3 =~ $num ]] && awk -v a="$1" -v f="$2" -v b="$3" 'BEGIN { exit !(b > 0 && a <= f * b) }'; }
load() { # load DIR: the CSVs into $TMP/chk.db, owners resolved (README's query)
	rm -f "$TMP/chk.db"
	sqlite3 "$TMP/chk.db" <<SQL
.import --csv $1/reps.csv reps
.import --csv $1/opportunities.csv opps
.import --csv $1/activities.csv acts
.import --csv $1/truth.csv truth
CREATE TABLE own AS SELECT rep_id AS k, rep_id FROM reps
  UNION SELECT email, rep_id FROM reps UNION SELECT lower(name), rep_id FROM reps;
CREATE TABLE o AS SELECT opp_id, (SELECT rep_id FROM own WHERE k = lower(owner) OR k = owner)
  AS rep, created, close_date, status FROM opps;
CREATE TABLE a AS SELECT CASE type WHEN 'demo' THEN 'meeting' ELSE type END AS type, date, opp_id FROM acts;
SQL
}
for s in 1 2 3; do
	load "$keep/decline.$s/data"
	sqlite3 -separator ' ' "$TMP/chk.db" "
	  SELECT SUM(status = 'won' AND close_date < since), SUM(close_date < since),
	         SUM(status = 'won' AND close_date >= date(since, '+1 month')),
	         SUM(close_date >= date(since, '+1 month'))
	  FROM o JOIN truth t ON t.rep_id = o.rep
	  WHERE planted = 'personal_decline' AND status <> 'open' AND close_date >= date(since, '-6 months');
	  WITH fm AS (SELECT opp_id, MIN(date) AS first FROM a WHERE type = 'meeting' AND opp_id <> ''
	              GROUP BY opp_id)
	  SELECT SUM(fu AND first < since), SUM(first < since), SUM(fu AND first >= date(since, '+1 month')),
	         SUM(first >= date(since, '+1 month'))
	  FROM (SELECT fm.first, t.since, EXISTS (SELECT 1 FROM a WHERE a.opp_id = fm.opp_id AND type = 'meeting'
	          AND date > first AND julianday(date) - julianday(first) <= 30) AS fu
	        FROM fm JOIN o USING (opp_id) JOIN truth t ON t.rep_id = o.rep
	        WHERE planted = 'personal_decline' AND first >= date(since, '-6 months')
	          AND julianday(first) + 30 <= julianday((SELECT MAX(date) FROM a)));"
done >"$TMP/decl"
awk '{ wb += $1; nb += $2; wa += $3; na += $4; getline; fb += $1; mb += $2; fa += $3; ma += $4 }
     END { printf "%.3f %.3f %.3f %.3f\n", wb / nb, wa / na, fb / mb, fa / ma }' "$TMP/decl" >"$TMP/decl.r"
sed 's/^/# decliners: win rate before, after; follow-up before, after: /' "$TMP/decl.r"
read -r wb wa fb fa <"$TMP/decl.r"
check quality_planted_decline_win atmost "$wa" 0.6 "$wb"
check quality_planted_decline_followup atmost "$fa" 1 "$(awk -v b="$fb" 'BEGIN { print b - 0.25 }')"

# The team-wide drop is there: pooled over the dropped teams, deals closed
# from the drop's month on won at most 0.7 of the rate of the six months
# before (planted x0.6); the other teams within 0.04 of their own before.
for s in 1 2 3; do
	load "$keep/team_drop.$s/data"
	sqlite3 -separator ' ' "$TMP/chk.db" "
	  WITH d(ds) AS (SELECT MIN(since) FROM truth WHERE planted = 'team_drop')
	  SELECT t.planted = 'team_drop', SUM(status = 'won' AND close_date < ds), SUM(close_date < ds),
	         SUM(status = 'won' AND close_date >= ds), SUM(close_date >= ds)
	  FROM o JOIN truth t ON t.rep_id = o.rep, d
	  WHERE status <> 'open' AND close_date >= date(ds, '-6 months') GROUP BY 1 ORDER BY 1"
done >"$TMP/drop"
read -r ob oa db da <<<"$(awk '{ k = $1; wb[k] += $2; nb[k] += $3; wa[k] += $4; na[k] += $5 }
  END { printf "%.3f %.3f %.3f %.3f\n", wb[0] / nb[0], wa[0] / na[0], wb[1] / nb[1], wa[1] / na[1] }' "$TMP/drop")"
echo "# team drop: dropped teams' win rate before $db, after $da; other teams $ob, $oa"
check quality_planted_team_drop atmost "$da" 0.7 "$db"
check quality_team_drop_others_flat near "$oa" "$ob" 0.04

for s in 1 2 3; do
	load "$keep/null.$s/data"
	end=$(sqlite3 "$TMP/chk.db" "SELECT MAX(close_date) FROM o WHERE status <> 'open'")
	sqlite3 -separator ' ' "$TMP/chk.db" "
	  WITH m(last) AS (SELECT date('$end', 'start of month'))
	  SELECT SUM(status = 'won' AND close_date >= date(last, '-12 months') AND close_date < date(last, '-6 months')),
	         SUM(close_date >= date(last, '-12 months') AND close_date < date(last, '-6 months')),
	         SUM(status = 'won' AND close_date >= date(last, '-6 months') AND close_date < last),
	         SUM(close_date >= date(last, '-6 months') AND close_date < last)
	  FROM o, m WHERE status <> 'open'"
done >"$TMP/null"
read -r nb na <<<"$(awk '{ wb += $1; nb += $2; wa += $3; na += $4 } END { printf "%.3f %.3f\n", wb / nb, wa / na }' "$TMP/null")"
echo "# null companies: win rate 12..7 months back $nb, 6..1 months back $na"
check quality_null_stationary near "$na" "$nb" 0.04

# The floor check can fail: an enforced floor missed, or a figure absent.
printf 'quality run_failures 2\n' | bash bench/quality/check.sh - >"$TMP/miss" 2>&1
echo "exit $?" >>"$TMP/miss"
misses() { grep -q '^not ok quality_run_failures: 2, target <= 0' "$TMP/miss" &&
	grep -q '^not ok quality_pip_recall: no figure' "$TMP/miss" && grep -q '^exit 1$' "$TMP/miss"; }
check quality_check_enforces misses

bash bench/quality/check.sh "$TMP/score"
