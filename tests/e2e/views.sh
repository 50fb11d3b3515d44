# The analysts' views (README "Views for analysts"): every example query
# of that section is taken from the README itself and run on a sample-data
# database, and its output is checked against what the base tables, the
# sample's reps.csv or hand arithmetic say.  A query added to the README
# without an expectation here fails views_documented_queries.
. "$(dirname "$0")/lib.sh"
db=$TMP/v.db
data=$TMP/data
mkdir -p "$data"
cp sample-data/*.csv "$data/"
# Three goals: two for R003 (one with a given baseline), one for R016.
cat >"$data/plans.csv" <<'CSV'
plan_id,rep_id,start,end,metric,target,baseline
P1,R003,2026-08-01,2026-12-31,win_rate,0.25,
P1,R003,2026-08-01,2026-12-31,followup_ratio,0.7,0.2
P2,R016,2026-09-01,2026-11-30,calls,30,
CSV
rw() { "$RW" run --data "$data" --db "$db" --rejects "$TMP/rejects.csv" -q "$@" >/dev/null 2>"$TMP/err"; }
# Two nights, then a replay of an earlier one: the replay (run 3) must not
# be what v_plan_status calls latest.
rw --as-of 2026-10-30 && rw --as-of 2026-10-31 && rw --as-of 2026-10-15 --replay
check views_runs [ $? -eq 0 ]
q() { sqlite3 -separator '|' "$db" "$@"; }

awk '/^## Views for analysts/ { f = 1; next } /^## / { f = 0 }
     f && /^```sql/ { n++; s = 1; next } f && /^```/ { s = 0; next }
     f && s { print > (dir "/q" n ".sql") }' dir="$TMP" README.md
n=$(ls "$TMP"/q*.sql 2>/dev/null | wc -l)
check views_documented_queries [ "$n" -eq 5 ]
for i in 1 2 3 4 5; do
	sqlite3 -separator '|' "$db" <"$TMP/q$i.sql" >"$TMP/out$i" 2>"$TMP/qerr$i" || echo "query $i failed" >>"$TMP/qerr$i"
done
check views_queries_run [ "$(cat "$TMP"/qerr*)" = "" ]

# 1. Who is firing now: one row per open alert (counted in alerts).
check views_firing_count all_of \
	"[ $(wc -l <"$TMP/out1") -eq $(q "SELECT COUNT(*) FROM alerts WHERE state = 'firing'") ]" \
	"[ $(wc -l <"$TMP/out1") -gt 0 ]"
# Each rep's manager and team are the ones of sample-data/reps.csv.
awk -F, 'NR == FNR { if (FNR > 1) who[$5 "|" $4 "|" $2] = 1; next }
	 $3 != "" && !(($1 "|" $2 "|" $3) in who) { bad++ } END { exit bad > 0 }' \
	sample-data/reps.csv "$TMP/out1"
check views_firing_people [ $? -eq 0 ]
# docs/rules.md: the West drop is one team finding, sent to Marcus Webb.
check views_firing_team_shift grep -qx 'Marcus Webb|West||team_shift|warning|2026-10-30' "$TMP/out1"
# Most severe first: critical, warning, watch, info.
awk -F'|' '{ r = ($5 == "critical") ? 0 : ($5 == "warning") ? 1 : ($5 == "watch") ? 2 : 3
	     if (r < last) bad = 1; last = r } END { exit bad }' "$TMP/out1"
check views_firing_order [ $? -eq 0 ]

# 2. Latest complete month: as of 2026-10-31 that is 2026-09, every rep.
check views_latest_month all_of \
	"[ $(wc -l <"$TMP/out2") -eq $(q 'SELECT COUNT(*) FROM reps') ]" \
	"[ $(cut -d'|' -f3 "$TMP/out2" | sort -u) = 2026-09 ]"
# East's median win rate, taken here by sort and awk over the eligible
# East reps' September win rates, against the view's win_rate_median.
want=$(q "SELECT m.win_rate FROM rep_metrics m JOIN reps r USING (rep_id)
	  WHERE r.team = 'East' AND m.grain = 'month' AND m.period = '2026-09'
	  AND m.eligible = 1 AND m.win_rate IS NOT NULL" | sort -g |
	awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	      printf "%.9f", m }')
got=$(awk -F'|' '$1 == "East" { printf "%.9f\n", $5 }' "$TMP/out2" | sort -u)
check views_latest_team_median [ "$got" = "$want" ]
# A rep's own value is its rep_metrics row.
got=$(awk -F'|' '$2 == "Quinn Xu" { print $4 }' "$TMP/out2")
check views_latest_rep_value [ "$got" = "$(q "SELECT win_rate FROM rep_metrics WHERE rep_id = 'R003' AND grain = 'month' AND period = '2026-09'")" ]

# 3. Under half the team median in the latest complete quarter (2026-Q3
# as of 2026-10-31), asked of the base tables directly.
want=$(q "SELECT r.team, r.name, round(m.win_rate, 3), round(b.median, 3)
	FROM rep_metrics m JOIN reps r USING (rep_id)
	JOIN team_baselines b ON b.team = r.team AND b.grain = 'quarter'
	 AND b.period = '2026-Q3' AND b.metric = 'win_rate'
	WHERE m.grain = 'quarter' AND m.period = '2026-Q3' AND m.eligible = 1
	 AND m.win_rate < b.median / 2 ORDER BY r.team, m.rep_id")
check views_below_half all_of '[ "$(cat "$TMP/out3")" = "$want" ]' '[ -n "$want" ]'

# 4. Team trend: 5 teams x 12 kept complete months (history_periods 12),
# 2025-10 .. 2026-09, each median as team_baselines holds it.
want=$(q "SELECT w.team, w.period, round(w.median, 3), v.median
	FROM team_baselines w JOIN team_baselines v ON v.team = w.team
	 AND v.grain = w.grain AND v.period = w.period AND v.metric = 'revenue'
	WHERE w.metric = 'win_rate' AND w.grain = 'month' AND w.team <> '*'
	 AND w.period BETWEEN '2025-10' AND '2026-09' ORDER BY w.team, w.period")
check views_team_trend all_of '[ "$(cat "$TMP/out4")" = "$want" ]' \
	"[ $(wc -l <"$TMP/out4") -eq 60 ]"

# 5. Plans: three goals, from run 2 (2026-10-31), not the replay.  elapsed
# by hand: P1 2026-08-01..10-31 of ..12-31 = 91/152 = 0.60; P2
# 2026-09-01..10-31 of ..11-30 = 60/90 = 0.67.
check views_plans_elapsed [ "$(cut -d'|' -f2,3,6 "$TMP/out5" | tr '\n' ' ')" = "P1|followup_ratio|0.6 P1|win_rate|0.6 P2|calls|0.67 " ]
want=$(q "SELECT r.name, p.plan_id, p.metric, p.status, round(p.progress, 2), round(p.elapsed, 2)
	FROM plan_progress p JOIN reps r USING (rep_id) WHERE p.run_id = 2
	ORDER BY p.plan_id, p.metric")
check views_plans_latest all_of '[ "$(cat "$TMP/out5")" = "$want" ]' \
	"[ \"\$(q 'SELECT DISTINCT run_id || as_of FROM v_plan_status')\" = 22026-10-31 ]"
