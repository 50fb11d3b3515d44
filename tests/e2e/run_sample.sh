# The nightly run on sample-data/ end to end (issue: walking skeleton).
. "$(dirname "$0")/lib.sh"
db=$TMP/r.db

"$RW" run --data sample-data --db "$db" --as-of $ASOF --report-dir "$TMP/out" \
	>"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
check run_sample_exit0 [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$TMP/stderr"
check run_sample_summary grep -q "^repwatch: run 1 as of $ASOF" "$TMP/stderr"
check run_sample_report_path grep -q "report: $TMP/out/repwatch-report.md" "$TMP/stderr"
check run_sample_report_written grep -q '^# repwatch trend report' "$TMP/out/repwatch-report.md"

# rep_metrics: one row per rep, grain and period; 13 periods of each grain.
for g in week month quarter; do
	n=$(sqlite3 "$db" "SELECT COUNT(DISTINCT period) FROM rep_metrics WHERE grain='$g'")
	check "run_sample_${g}_periods" [ "$n" = 13 ]
done
reps=$(sqlite3 "$db" "SELECT COUNT(*) FROM reps")
rows=$(sqlite3 "$db" "SELECT COUNT(*) FROM rep_metrics")
check run_sample_rows_per_rep [ "$rows" -eq $((reps * 39)) ]
partial=$(sqlite3 "$db" "SELECT DISTINCT period FROM rep_metrics WHERE grain='month' AND partial=1")
check run_sample_partial_month [ "$partial" = "2026-10" ]

# The column names are a contract (SPEC section 7).
cols=$(sqlite3 "$db" "SELECT group_concat(name, ',') FROM pragma_table_info('rep_metrics')")
missing=""
for c in rep_id grain period partial opps_created won lost win_rate win_rate_lo \
	win_rate_hi revenue avg_deal_size cycle_days quota attainment calls emails \
	meetings first_meetings followup_ratio touch_gap_days open_opps \
	pipeline_value stale_opps stale_share; do
	case ",$cols," in *",$c,"*) ;; *) missing="$missing $c" ;; esac
done
if [ -z "$missing" ]; then ok run_sample_columns; else notok run_sample_columns "missing:$missing"; fi
tcols=$(sqlite3 "$db" "SELECT group_concat(name, ',') FROM pragma_table_info('rep_trends')")
missing=""
for c in rep_id grain metric n slope intercept r2 slope_p slope_lo slope_hi wslope wslope_p; do
	case ",$tcols," in *",$c,"*) ;; *) missing="$missing $c" ;; esac
done
if [ -z "$missing" ]; then ok run_sample_trend_columns; else notok run_sample_trend_columns "missing:$missing"; fi

# No NaN or infinity ever reaches the database.  SQLite stores a bound NaN
# as NULL, so a NaN could only arrive as a REAL that is not equal to itself
# or as text ('nan', 'inf'); an infinity is a REAL beyond DBL_MAX.  Every
# REAL column of the tables a run computes is looked at.
nonfinite=""
for t in rep_metrics rep_trends team_baselines rep_conversions plan_progress; do
	for c in $(sqlite3 "$db" "SELECT name FROM pragma_table_info('$t') WHERE type = 'REAL'"); do
		nonfinite="$nonfinite + (SELECT COUNT(*) FROM $t WHERE (typeof($c) = 'real' AND ($c != $c OR abs($c) > 1.7976931348623157e308)) OR (typeof($c) = 'text' AND lower($c) IN ('nan', '-nan', 'inf', '-inf', 'infinity', '-infinity')))"
	done
done
bad=$(sqlite3 "$db" "SELECT 0 $nonfinite")
check run_sample_no_nan [ "$bad" = 0 ]
# The probe can see one: an infinity written on purpose is counted.
cp "$db" "$TMP/inf.db"
sqlite3 "$TMP/inf.db" "UPDATE rep_metrics SET revenue = 1e999 WHERE rowid = (SELECT MIN(rowid) FROM rep_metrics)"
check run_sample_no_nan_probe [ "$(sqlite3 "$TMP/inf.db" "SELECT 0 $nonfinite")" = 1 ]

# The report command works from the database alone, for any grain.
"$RW" report --db "$db" --grain quarter --out "$TMP/q.md" 2>"$TMP/rerr"
check report_quarter_exit0 [ $? -eq 0 ]
check report_quarter_content grep -q 'grain quarter' "$TMP/q.md"

# The same night twice decides the same (history recomputed, not
# appended): every table but the runs themselves, run ids left out.
d1=$(db_digest "$db" decisions)
"$RW" run --data sample-data --db "$db" --as-of $ASOF -q 2>>"$TMP/stderr"
check run_twice_exit0 [ $? -eq 0 ]
check run_twice_same_decisions [ "$(db_digest "$db" decisions)" = "$d1" ]
runs=$(sqlite3 "$db" "SELECT COUNT(*) FROM runs")
check run_twice_two_runs [ "$runs" = 2 ]

# Team baselines (SPEC section 4) on the planted patterns of sample-data/.
q() { sqlite3 "$db" "$1"; }
ratio() { # team: mean median win rate Jul-Oct over Jan-May
	q "SELECT (SELECT avg(median) FROM team_baselines WHERE team='$1' AND grain='month' AND metric='win_rate' AND period BETWEEN '2026-07' AND '2026-10') / (SELECT avg(median) FROM team_baselines WHERE team='$1' AND grain='month' AND metric='win_rate' AND period BETWEEN '2026-01' AND '2026-05')"
}
# West's market shift from June shows in its median; East's median holds.
check baseline_west_drop awk -v r="$(ratio West)" 'BEGIN { exit !(r < 0.75) }'
check baseline_east_steady awk -v r="$(ratio East)" 'BEGIN { exit !(r > 0.85) }'
# SMB has 8 reps; in 2026-10 the hire of 2026-09-16 is ramping and R034
# left in April: 6 count.  The new hire still gets a z-score.
check baseline_smb_excludes_ramping [ "$(q "SELECT n FROM team_baselines WHERE team='SMB' AND grain='month' AND period='2026-10' AND metric='opps_created'")" = 6 ]
check baseline_ramping_has_z [ "$(q "SELECT opps_created_z IS NOT NULL FROM rep_metrics WHERE rep_id='R035' AND grain='month' AND period='2026-10'")" = 1 ]
check baseline_company_row [ "$(q "SELECT COUNT(DISTINCT grain) FROM team_baselines WHERE team='*'")" = 3 ]
# Projection only on the partial period.
check projection_partial_only [ "$(q "SELECT COUNT(*) FROM rep_metrics WHERE partial=0 AND projected_revenue IS NOT NULL")" = 0 ]
check projection_present [ "$(q "SELECT COUNT(*) FROM rep_metrics WHERE partial=1 AND grain='month' AND projected_revenue >= revenue")" -gt 30 ]
# The planted decline (R003, a step in 2026-06): the stored change points
# of its declining metrics fall within one month of it.
cps=$(q "SELECT group_concat(cp_period) FROM rep_trends WHERE rep_id='R003' AND grain='month' AND metric IN ('followup_ratio','touch_gap_days') AND cp_period IS NOT NULL")
ok_cp=1
[ -n "$cps" ] || ok_cp=0
for c in $(echo "$cps" | tr , ' '); do
	case $c in 2026-05|2026-06|2026-07) ;; *) ok_cp=0 ;; esac
done
check changepoint_near_planted [ "$ok_cp" = 1 ]

# run reads plans.csv and stage_history.csv from anywhere, as check does:
# one goal for R003 in a file outside the data folder is scored.
printf 'plan_id,rep_id,start,end,metric,target,baseline\nP1,R003,2026-09-01,2026-11-30,win_rate,0.3,0.1\n' >"$TMP/elsewhere-plans.csv"
"$RW" run --data sample-data --db "$TMP/plans-flag.db" --plans "$TMP/elsewhere-plans.csv" \
	--as-of 2026-10-31 -q >/dev/null 2>"$TMP/plans-flag.err"
rc=$?
check run_plans_option all_of "[ $rc -eq 0 ]" \
	"[ \"\$(sqlite3 '$TMP/plans-flag.db' \"SELECT COUNT(*) FROM plan_progress WHERE plan_id = 'P1' AND rep_id = 'R003'\")\" = 1 ]" \
	"[ \"\$(sqlite3 '$TMP/plans-flag.db' \"SELECT COUNT(*) FROM run_inputs WHERE path LIKE '%elsewhere-plans.csv'\")\" = 1 ]"
