#!/usr/bin/env bash
# Improvement plans end to end (SPEC section 5 and `assess --emit-plan`):
# the proposed goals written as plans.csv rows and scored by the next run;
# then one goal walked through its start, the 30/60/90-day checkpoints, the
# end and a regression after it.
#
# Expected values come from opportunities.csv loaded by sqlite3 (won /
# (won + lost) of R003's deals closed in each month, owners resolved by id,
# e-mail or name as sample-data/README.md says), never from repwatch.
. "$(dirname "$0")/lib.sh"

db=$TMP/p.db
"$RW" run --data sample-data --db "$db" --as-of $ASOF -q >/dev/null 2>"$TMP/err"
check plan_setup_run [ $? -eq 0 ]

# js FILE EXPR: EXPR over the JSON document j, read by sqlite3.
js() { sqlite3 :memory: "SELECT $2 FROM (SELECT CAST(readfile('$1') AS TEXT) AS j)"; }

# ---- the round trip: assess -> plans.csv -> next run --------------------
"$RW" assess R003 --db "$db" --format json --emit-plan "$TMP/plans.csv" >"$TMP/a.json" 2>"$TMP/err"
check plan_emit_exit0 [ $? -eq 0 ]
check plan_emit_header [ "$(head -1 "$TMP/plans.csv")" = "plan_id,rep_id,start,end,metric,target,baseline" ]
ngoals=$(js "$TMP/a.json" "json_array_length(j, '\$.goals')")
# One row per checkpoint of each goal; start the day after as_of; the
# checkpoints 30, 60 and 90 days after as_of (Nov has 30 days, Dec 31).
check plan_emit_rows all_of "[ $ngoals -ge 1 ]" "[ $ngoals -le 3 ]" \
	"[ $(($(wc -l <"$TMP/plans.csv") - 1)) -eq $((3 * ngoals)) ]"
check plan_emit_dates [ "$(sed 1d "$TMP/plans.csv" | cut -d, -f1-4 | sort -u | tr '\n' ' ')" = \
	"PIP-R003-2026-11-01,R003,2026-11-01,2026-11-30 PIP-R003-2026-11-01,R003,2026-11-01,2026-12-30 PIP-R003-2026-11-01,R003,2026-11-01,2027-01-29 " ]
# The rows carry the JSON's checkpoint targets (day 90 = the goal's).
check plan_emit_targets [ "$(sed -n 4p "$TMP/plans.csv" | cut -d, -f6)" = \
	"$(js "$TMP/a.json" "printf('%.6g', json_extract(j, '\$.goals[0].checkpoints[2].target'))")" ]
# Appending again adds rows, not a second header.
"$RW" assess R003 --db "$db" --emit-plan "$TMP/plans2.csv" >/dev/null 2>&1
"$RW" assess R003 --db "$db" --emit-plan "$TMP/plans2.csv" >/dev/null 2>&1
check plan_emit_appends [ "$(grep -c '^plan_id,' "$TMP/plans2.csv"),$(wc -l <"$TMP/plans2.csv")" = "1,$((6 * ngoals + 1))" ]
# A healthy rep has nothing to emit.
"$RW" assess R005 --db "$db" --emit-plan "$TMP/none.csv" >/dev/null 2>&1
check plan_emit_none [ ! -s "$TMP/none.csv" ]
# Never the database.
"$RW" assess R003 --db "$db" --emit-plan "$db" >/dev/null 2>"$TMP/err"
rc=$?
check plan_emit_not_db all_of "[ $rc -ne 0 ]" 'grep -q "same file" "$TMP/err"'
# Nor the document itself (--out is renamed into place).
"$RW" assess R003 --db "$db" --out "$TMP/doc.md" --emit-plan "$TMP/doc.md" >/dev/null 2>"$TMP/err"
rc=$?
check plan_emit_not_out all_of "[ $rc -eq 1 ]" 'grep -q "same file" "$TMP/err"' '[ ! -e "$TMP/doc.md" ]'

mkdir -p "$TMP/d1"
cp sample-data/*.csv "$TMP/d1/"
cp "$TMP/plans.csv" "$TMP/d1/plans.csv"
"$RW" run --data "$TMP/d1" --db "$TMP/rt.db" --as-of $ASOF -q >/dev/null 2>"$TMP/err"
check plan_roundtrip_run [ $? -eq 0 ]
check plan_roundtrip_scored [ "$(sqlite3 "$TMP/rt.db" "SELECT COUNT(*) || ',' || group_concat(DISTINCT status) FROM plan_progress WHERE plan_id = 'PIP-R003-2026-11-01'")" = "$((3 * ngoals)),not_started" ]
check plan_roundtrip_no_checkpoint_yet [ "$(sqlite3 "$TMP/rt.db" "SELECT COUNT(*) FROM plan_progress WHERE checkpoint IS NOT NULL")" = 0 ]
# The next assessment shows the plan and proposes no second one.
"$RW" assess R003 --db "$TMP/rt.db" --format json >"$TMP/b.json" 2>&1
check plan_roundtrip_assess_shows [ "$(js "$TMP/b.json" "json_extract(j, '\$.plans[0].plan_id') || ',' || json_extract(j, '\$.plans[0].open') || ',' || json_array_length(j, '\$.goals')")" = "PIP-R003-2026-11-01,1,0" ]

# ---- the walk -------------------------------------------------------------
# Monthly win rate of R003 from the export.
wr() {
	sqlite3 :memory: ".import --csv sample-data/opportunities.csv o" \
		"SELECT printf('%.6f', 1.0 * sum(status = 'won') / sum(status IN ('won', 'lost')))
		 FROM o WHERE (owner = 'R003' OR lower(owner) IN ('quinn xu', 'quinn.xu@example.com'))
		 AND substr(close_date, 1, 7) = '$1'"
}
mar=$(wr 2026-03); apr=$(wr 2026-04); may=$(wr 2026-05); jun=$(wr 2026-06); jul=$(wr 2026-07)
# The goal: win rate from 0.26 to 0.35 between 2026-03-01 and 2026-05-29
# (day 90), with checkpoints 0.29 on 03-30 (day 30) and 0.32 on 04-29
# (day 60): 0.26 + 0.09 * 30/90, 60/90.  Each night is the first of the
# next month, so the months before it are complete (the month of as_of
# is partial, and a plan's current value uses complete months).
mkdir -p "$TMP/d2"
cp sample-data/*.csv "$TMP/d2/"
# The rows come in any order; the plan's second goal (follow-up, no
# checkpoints) is a goal of its own: it reaches no checkpoint before its end.
printf '%s\n' "plan_id,rep_id,start,end,metric,target,baseline" \
	"W1,R003,2026-03-01,2026-05-29,win_rate,0.35,0.26" \
	"W1,R003,2026-03-01,2026-05-29,followup_ratio,0.95,0.5" \
	"W1,R003,2026-03-01,2026-03-30,win_rate,0.29,0.26" \
	"W1,R003,2026-03-01,2026-04-29,win_rate,0.32,0.26" >"$TMP/d2/plans.csv"
walk() {	# as_of -> one word per row: target:status:checkpoint:its target
	rm -f "$TMP/w.db"
	"$RW" run --data "$TMP/d2" --db "$TMP/w.db" --as-of "$1" -q >/dev/null 2>"$TMP/err" || echo "run failed"
	sqlite3 "$TMP/w.db" "SELECT round(target, 2) || ':' || status || ':' ||
		ifnull(checkpoint, '-') || ':' || ifnull(round(checkpoint_target, 2), '-')
		FROM plan_progress WHERE plan_id = 'W1' AND metric = 'win_rate' ORDER BY target" | tr '\n' ' '
}
# Before the start: nothing reached.
check plan_walk_before [ "$(walk 2026-02-27)" = "0.29:not_started:-:- 0.32:not_started:-:- 0.35:not_started:-:- " ]
# Day 30 passed: March alone against 0.29; every row of the goal carries
# the checkpoint reached.
s30=$(awk -v a="$mar" 'BEGIN { print (a >= 0.29) ? "passed" : "failed" }')
w=$(walk 2026-04-01)
check plan_walk_day30 [ "$(echo "$w" | cut -d' ' -f1)" = "0.29:$s30:30:0.29" ]
check plan_walk_day30_carried [ "$(echo "$w" | cut -d' ' -f3 | cut -d: -f3-)" = "30:0.29" ]
# Day 60 passed: the mean of March and April against 0.32.
s60=$(awk -v a="$mar" -v b="$apr" 'BEGIN { print ((a + b) / 2 >= 0.32) ? "passed" : "failed" }')
check plan_walk_day60 [ "$(walk 2026-05-01 | cut -d' ' -f2)" = "0.32:$s60:60:0.32" ]
check plan_walk_other_goal_apart [ "$(sqlite3 "$TMP/w.db" "SELECT ifnull(checkpoint, '-') FROM plan_progress WHERE metric = 'followup_ratio'")" = - ]
# The HTML report shows each row with the checkpoint reached (day 60).
"$RW" report --db "$TMP/w.db" --format html >"$TMP/w.html" 2>/dev/null
check plan_walk_report_checkpoint [ "$(grep -c '<td>60</td><td>0.32</td></tr>' "$TMP/w.html")" = 3 ]
# The end (day 90): March-May against 0.35.
s90=$(awk -v a="$mar" -v b="$apr" -v c="$may" 'BEGIN { print ((a + b + c) / 3 >= 0.35) ? "passed" : "failed" }')
check plan_walk_end [ "$(walk 2026-06-01 | cut -d' ' -f3)" = "0.35:$s90:90:0.35" ]
# The export's months make a mixed walk: 0.167 failed, 0.287 failed,
# 0.358 passed, so a status that ignores the data fails one of these.
check plan_walk_mixed [ "$s30,$s60,$s90" = "failed,failed,passed" ]
# Three months after the end (Aug - May), June-July (0.125) fell back
# below the 0.26 baseline: one regression flag on win rate, from the
# goal's row (the follow-up goal may raise its own).
reg=$(awk -v a="$jun" -v b="$jul" 'BEGIN { print ((a + b) / 2 < 0.26) ? 1 : 0 }')
walk 2026-08-01 >/dev/null
check plan_walk_regression all_of "[ $reg -eq 1 ]" \
	"[ \"\$(sqlite3 \"$TMP/w.db\" \"SELECT COUNT(*) FROM flags WHERE rule = 'regression' AND rep_id = 'R003' AND message LIKE '%win_rate%'\")\" = 1 ]"
# Four months after, the watch is over.
walk 2026-10-01 >/dev/null
check plan_walk_watch_over [ "$(sqlite3 "$TMP/w.db" "SELECT COUNT(*) FROM flags WHERE rule = 'regression'")" = 0 ]
# A checkpoint is no goal to regress from.  W2: baseline 0.34, day 60 on
# 04-29, the goal on 05-29.  On 2026-07-01 the goal's months since its end
# (June, 0.167) and the day-60 row's (May-June, (0.5 + 0.167) / 2 = 0.333)
# are both below 0.34, both within three months of their ends: one flag.
mkdir -p "$TMP/d3"
cp sample-data/*.csv "$TMP/d3/"
printf '%s\n' "plan_id,rep_id,start,end,metric,target,baseline" \
	"W2,R003,2026-03-01,2026-04-29,win_rate,0.36,0.34" \
	"W2,R003,2026-03-01,2026-05-29,win_rate,0.37,0.34" >"$TMP/d3/plans.csv"
"$RW" run --data "$TMP/d3" --db "$TMP/w2.db" --as-of 2026-07-01 -q >/dev/null 2>"$TMP/err"
both=$(awk -v a="$may" -v b="$jun" 'BEGIN { print (b < 0.34 && (a + b) / 2 < 0.34) ? 1 : 0 }')
check plan_checkpoint_no_regression all_of "[ $both -eq 1 ]" \
	"[ \"\$(sqlite3 \"$TMP/w2.db\" \"SELECT COUNT(*) FROM flags WHERE rule = 'regression'\")\" = 1 ]"
