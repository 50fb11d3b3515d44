# repwatch backtest (docs/rules.md "Backtest").
#
# No look-ahead: the night a backtest replays on day X must be the night
# `repwatch run --as-of X` computes on the exports as they stood on X.
# Those exports are made from sample-data with awk, by date:
#   opportunities.csv  rows with created (column 4) <= X; a deal closed
#                      after X keeps its later status and close date, as a
#                      run reads a close after as_of as open
#   activities.csv     rows with date (column 4) <= X
#   stage_history.csv  rows with entered (column 3) <= X
#   reps.csv, targets.csv  whole (the roster and quotas as known)
# sample-data has no stage history: one is made for it below (each deal
# entered Prospecting when created, Qualified 5 days later, and its closed
# stage on its close date), so that conversions are compared too.
# The account and subject columns are quoted and may hold commas, so the
# awk below splits fields the CSV way (csv_field).
. "$(dirname "$0")/lib.sh"

full=$TMP/full
mkdir -p "$full"
cp sample-data/*.csv "$full/"
awk -F, 'NR == 1 { print "opp_id,stage,entered"; next }
{	n = 0	# the created and close dates: the first two ISO dates
	for (i = 1; i <= NF; i++)
		if ($i ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/) d[++n] = $i
	split(d[1], a, "-")
	print $1 ",Prospecting," d[1]
	printf "%s,Qualified,%s-%s-%02d\n", $1, a[1], a[2], a[3] < 20 ? a[3] + 5 : a[3]
	if ($0 ~ /,(won|lost),/)
		print $1 "," ($0 ~ /,won,/ ? "Closed Won" : "Closed Lost") "," d[2]
}' sample-data/opportunities.csv >"$full/stage_history.csv"

trunc() {	# trunc FILE COLUMN DAY: header and rows with COLUMN <= DAY
	awk -v col="$2" -v day="$3" '
	function csv_field(line, n,    i, c, f, q, out) {
		f = 1; q = 0; out = ""
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			if (c == "\"") { q = !q; continue }
			if (c == "," && !q) { if (f == n) return out; f++; out = ""; continue }
			out = out c
		}
		return f == n ? out : ""
	}
	NR == 1 || csv_field($0, col) <= day' "$1"
}

# The equivalence at two days: one in the middle of a quarter, one at the
# end of a year (every grain's period ends there).
for X in 2026-05-31 2025-12-31; do
	d=$TMP/trunc-$X
	mkdir -p "$d"
	cp sample-data/reps.csv sample-data/targets.csv "$d/"
	trunc sample-data/opportunities.csv 4 "$X" >"$d/opportunities.csv"
	trunc sample-data/activities.csv 4 "$X" >"$d/activities.csv"
	trunc "$full/stage_history.csv" 3 "$X" >"$d/stage_history.csv"
	# The truncation removed something, or the test proves nothing.
	check "backtest_truncated_$X" all_of \
		"[ $(wc -l <"$d/opportunities.csv") -lt $(wc -l <sample-data/opportunities.csv) ]" \
		"[ $(wc -l <"$d/activities.csv") -lt $(wc -l <sample-data/activities.csv) ]" \
		"[ $(wc -l <"$d/stage_history.csv") -lt $(wc -l <"$full/stage_history.csv") ]"
	"$RW" run --data "$d" --db "$TMP/run-$X.db" --rejects "$TMP/rej.csv" --as-of "$X" -q >/dev/null 2>"$TMP/err"
	m=${X%-*}
	"$RW" backtest --data "$full" --from "$m" --to "$m" --night-db "$TMP/night-$X.db" -q >/dev/null 2>>"$TMP/err"
	dump() {
		sqlite3 "$1" "SELECT * FROM rep_metrics ORDER BY rep_id, grain, period;
			SELECT * FROM rep_trends ORDER BY 1, 2, 3;
			SELECT * FROM team_baselines ORDER BY 1, 2, 3, 4;
			SELECT * FROM rep_conversions ORDER BY 1, 2, 3, 4;
			SELECT rep_id, rule, category, severity, grain, period, message
			FROM flags ORDER BY rep_id, rule;"
	}
	dump "$TMP/run-$X.db" >"$TMP/a"
	dump "$TMP/night-$X.db" >"$TMP/b"
	check "backtest_no_lookahead_$X" all_of '[ -s "$TMP/a" ]' 'cmp -s "$TMP/a" "$TMP/b"'
	# Some flags were compared, not two empty lists.
	check "backtest_flags_compared_$X" all_of \
		"[ $(sqlite3 "$TMP/run-$X.db" 'SELECT COUNT(*) FROM flags') -gt 0 ]" \
		"[ $(sqlite3 "$TMP/run-$X.db" 'SELECT COUNT(*) FROM rep_conversions') -gt 0 ]"
done

# The acceptance range: every shipped rule has a row; the planted decline
# (R003's results after its behaviour shift) is caught with lift > 1.
# The figures are the tool's own; what is checked is a property that
# sample-data's README plants (R003 declines from 2026-06), not a value.
db=$TMP/bt.db
"$RW" backtest --data sample-data --from 2025-10 --to 2026-09 --db "$db" \
	--format csv --out "$TMP/bt.csv" -q 2>"$TMP/err"
check backtest_runs [ $? -eq 0 ]
shipped=$(grep -c '^\[rule ' rules/default.ini)
check backtest_every_rule all_of \
	"[ $(sqlite3 "$db" 'SELECT COUNT(*) FROM rule_backtest') -eq $shipped ]" \
	"[ $(($(wc -l <"$TMP/bt.csv") - 1)) -eq $shipped ]"
for r in win_rate_decline results_after_shift; do
	check "backtest_lift_$r" [ "$(sqlite3 "$db" "SELECT lift > 1 FROM rule_backtest WHERE rule = '$r'")" = 1 ]
done
# precision = followed / fired, lift = precision / base_rate, on every row.
check backtest_ratios [ "$(sqlite3 "$db" "SELECT COUNT(*) FROM rule_backtest
	WHERE (fired > 0 AND abs(precision - 1.0 * followed / fired) > 1e-9)
	   OR (lift IS NOT NULL AND abs(lift - precision / base_rate) > 1e-9)
	   OR followed > fired OR reps > fired")" = 0 ]
check backtest_projection [ "$(sqlite3 "$db" 'SELECT COUNT(*) FROM projection_backtest WHERE n > 0 AND median_abs_error >= 0')" -gt 0 ]
# The same replay in one process or several.
"$RW" backtest --data sample-data --from 2025-10 --to 2026-09 --jobs 1 --format csv -q >"$TMP/j1.csv" 2>>"$TMP/err"
"$RW" backtest --data sample-data --from 2025-10 --to 2026-09 --jobs 3 --format csv -q >"$TMP/j3.csv" 2>>"$TMP/err"
check backtest_jobs_same all_of 'cmp -s "$TMP/j1.csv" "$TMP/j3.csv"' 'cmp -s "$TMP/j1.csv" "$TMP/bt.csv"'

# It never touches the nightly tables: a database with a run keeps them.
rdb=$TMP/run-2026-05-31.db
before=$(sqlite3 "$rdb" 'SELECT * FROM runs; SELECT * FROM flags; SELECT * FROM alerts' | sha256sum)
"$RW" backtest --data sample-data --from 2026-01 --to 2026-03 --db "$rdb" -q >"$TMP/md" 2>>"$TMP/err"
after=$(sqlite3 "$rdb" 'SELECT * FROM runs; SELECT * FROM flags; SELECT * FROM alerts' | sha256sum)
check backtest_own_tables all_of '[ "$before" = "$after" ]' \
	"[ $(sqlite3 "$rdb" 'SELECT COUNT(*) FROM backtests') -eq 1 ]"
# Beside each flag, the nightly HTML report and the assessment show its
# rule's record in the database's latest backtest, as rule_backtest holds it.
"$RW" report --db "$rdb" --format html --out "$TMP/track.html" 2>>"$TMP/err"
check backtest_track_in_report grep -q 'class="track">backtest: ' "$TMP/track.html"
trep=$(sqlite3 "$rdb" "SELECT f.rep_id FROM flags f JOIN rule_backtest b ON b.rule = f.rule
	WHERE f.rep_id <> '' AND b.note IS NULL ORDER BY f.rep_id, f.rule LIMIT 1")
trule=$(sqlite3 "$rdb" "SELECT f.rule FROM flags f JOIN rule_backtest b ON b.rule = f.rule
	WHERE f.rep_id = '$trep' AND b.note IS NULL ORDER BY f.rule LIMIT 1")
tfired=$(sqlite3 "$rdb" "SELECT fired FROM rule_backtest WHERE rule = '$trule'")
"$RW" assess "$trep" --db "$rdb" --format json >"$TMP/track.json" 2>>"$TMP/err"
got=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print([f["backtest"]["fired"] for f in d["flags"] if f["rule"] == sys.argv[2]][0])' "$TMP/track.json" "$trule" 2>/dev/null)
check backtest_track_in_assess all_of '[ -n "$trep" ]' "[ '$got' = '$tfired' ]"
"$RW" assess "$trep" --db "$rdb" --format md >"$TMP/track.md" 2>>"$TMP/err"
trule_md=$(printf '%s' "$trule" | sed 's/_/\\_/g')	# Markdown escapes _
check backtest_track_in_assess_md grep -qF "($trule_md): " "$TMP/track.md"
check backtest_track_in_assess_md_line [ "$(grep -F "($trule_md): " "$TMP/track.md" | grep -c '(backtest: ')" -ge 1 ]
check backtest_report_md all_of 'grep -q "^# How much to trust each rule" "$TMP/md"' \
	'grep -q "^## Projection" "$TMP/md"'
"$RW" backtest --data sample-data --from 2026-01 --to 2026-03 --format json -q >"$TMP/json" 2>>"$TMP/err"
check backtest_json [ "$(jq '.rules | length' "$TMP/json" 2>/dev/null || python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rules"]))' "$TMP/json")" = "$shipped" ]

# Usage errors: exit 1 naming the option.
usage() {	# usage NAME OPTION ARGS...
	local name=$1 opt=$2 rc; shift 2
	"$RW" backtest --data sample-data "$@" >/dev/null 2>"$TMP/uerr"
	rc=$?
	check "backtest_usage_$name" all_of "[ $rc -eq 1 ]" "grep -q -- '$opt' '$TMP/uerr'"
}
usage from_after_to --from --from 2026-05 --to 2026-01
usage bad_month --to --from 2026-01 --to 2026-13
usage bad_format --from --from 26-01 --to 2026-03
usage before_data --from --from 2019-01 --to 2019-06
usage after_data --to --from 2026-01 --to 2031-06
usage missing_to --to --from 2026-01
usage horizon --horizon --from 2026-01 --to 2026-02 --horizon 0
# Any CSV of the data folder is an input ingest may read, whatever its
# name: --out onto one is refused and the file is left as it was.
mkdir -p "$TMP/oddly"
cp sample-data/*.csv "$TMP/oddly/" && cp sample-data/opportunities.csv "$TMP/oddly/deals.csv"
before=$(sha256sum <"$TMP/oddly/deals.csv")
"$RW" backtest --data "$TMP/oddly" --from 2026-01 --to 2026-02 --out "$TMP/oddly/deals.csv" -q >/dev/null 2>"$TMP/uerr"
rc=$?
check backtest_out_any_csv_refused all_of "[ $rc -eq 1 ]" "grep -q -- '--out' '$TMP/uerr'" \
	"[ \"\$(sha256sum <'$TMP/oddly/deals.csv')\" = '$before' ]"
"$RW" backtest --help >"$TMP/help"
rc=$?
check backtest_help all_of "[ $rc -eq 0 ]" 'grep -q -- "--from YYYY-MM" "$TMP/help"'

# Maven (deals only): it runs, and the rules that read activities say so.
maven=$SHARED_DATA/maven_crm_sales_opportunities
if [ -d "$maven" ]; then
	"$RW" backtest --config examples/maven.ini --data "$maven" --from 2017-03 \
		--to 2017-12 --format csv -q >"$TMP/maven.csv" 2>"$TMP/err"
	rc=$?
	check backtest_maven all_of "[ $rc -eq 0 ]" \
		'grep -q "^activity_drop,.*not evaluated: no activity export" "$TMP/maven.csv"' \
		'grep -q "^missed_quota,pip_candidate," "$TMP/maven.csv"' \
		'! grep -q "^missed_quota,.*not evaluated" "$TMP/maven.csv"'
else
	skip backtest_maven "no $maven (RW_SHARED_DATA)"
fi

# Hand-computed scores.  Four reps of one team, quota 10,000 a month, one
# won deal a month each worth attainment x 10,000; one lagging rule
# "attainment < 0.5", horizon 1.  Attainment (A, B, C, D):
#   Jan 1 1 1 1; Feb .3 .9 1 1.1; Mar .4 .6 1 1.2; Apr .9 .4 1 1;
#   May 1 .7 .3 1.1; Jun 1 1 .9 1.3; Jul .6 1 1 .2; Aug 1 1 1 1; Sep 1 1 1 1
# Replayed at the ends of 2025-03..2025-08, judging Feb..Jul.  Fired: A Feb,
# A Mar, B Apr, C May, D Jul = 5 for 4 reps.  Followed (next month under
# 0.8, or under the team's p25, R type 7 over the 4 reps): A Feb (Mar .4),
# B Apr (May .7), C May (Jun .9 < p25 = .9 + .75 x .1 = .975); not A Mar
# (Apr .9, p25 .775) nor D Jul (Aug 1, p25 1): 3, precision 3/5 = 0.6.
# Not fired: 19 rep-months; followed: B Feb->Mar (.6), B Mar->Apr (.4),
# C Apr->May (.3), A and D Jun->Jul (.6, .2): 5, base rate 5/19,
# lift 0.6 x 19 / 5 = 2.28, median lead 1 month.
h=$TMP/hand
mkdir -p "$h"
cat >"$h/reps.csv" <<'CSV'
rep_id,name,email,team,manager,hire_date,end_date
A,Rep A,,T,M,2020-01-01,
B,Rep B,,T,M,2020-01-01,
C,Rep C,,T,M,2020-01-01,
D,Rep D,,T,M,2020-01-01,
CSV
awk -v opps="$h/opportunities.csv" -v tgts="$h/targets.csv" 'BEGIN {
	split("1 1 1 1|.3 .9 1 1.1|.4 .6 1 1.2|.9 .4 1 1|1 .7 .3 1.1|1 1 .9 1.3|.6 1 1 .2|1 1 1 1|1 1 1 1", m, "|")
	split("A B C D", rep, " ")
	print "opp_id,owner,account,created,close_date,stage,status,amount,source" >opps
	print "rep_id,period,target,metric" >tgts
	for (i = 1; i <= 9; i++) {
		split(m[i], a, " ")
		for (r = 1; r <= 4; r++) {
			printf "O%d%s,%s,Acme,2025-%02d-01,2025-%02d-10,Closed Won,won,%d,Web\n", i, rep[r], rep[r], i, i, a[r] * 10000 >opps
			printf "%s,2025-%02d,10000,revenue\n", rep[r], i >tgts
		}
	}
}'
cat >"$h/hand.ini" <<'INI'
[repwatch]
require_activities = no

[rule low_attainment]
category = pip_candidate
severity = warning
role     = lagging
grain    = month
when     = attainment < 0.5
message  = attainment {attainment:pct}

[rule watch_band]
category = early_warning
severity = watch
grain    = month
when     = attainment >= 0.5 AND attainment < 0.95
message  = attainment {attainment:pct}

[rule top_band]
category = recognition
severity = info
grain    = month
when     = attainment >= 1.2
message  = attainment {attainment:pct}
INI
"$RW" backtest --config "$h/hand.ini" --data "$h" --from 2025-03 --to 2025-08 \
	--horizon 1 --format csv -q >"$TMP/hand.csv" 2>"$TMP/err"
check backtest_hand_scores [ "$(sed -n 2p "$TMP/hand.csv")" = "low_attainment,pip_candidate,5,4,3,0.6000,0.2632,2.2800,1," ]
# The early warning watch_band (0.5 <= attainment < 0.95) is followed when
# low_attainment flags the rep at the next point (horizon 1 month).  The
# lagging flags by point (judged month): Feb A, Mar A, Apr B, May C, Jul D.
# Fired: B Feb, B Mar, A Apr, B May, C Jun (A Jul has no next point) = 5
# for 3 reps; followed: B Mar (B flagged for Apr) = 1, precision 0.2.  Not
# fired, Feb..Jun: 15 rep-months; followed: A Feb, C Apr, D Jun = 3, base
# rate 0.2, lift 1.
check backtest_hand_early [ "$(sed -n 3p "$TMP/hand.csv")" = "watch_band,early_warning,5,3,1,0.2000,0.2000,1.0000,1," ]
# The recognition top_band (attainment >= 1.2) holds when the next month is
# at or above the team's median.  Fired: D Mar (Apr 1.0 >= median .95),
# D Jun (Jul .2 < median .8): 2 for 1 rep, 1 held, precision 0.5.  Not
# fired, next month at or above the median: Feb 2 of 4 (C, D), Mar 1 of 3,
# Apr 2 of 4, May 3 of 4, Jun 2 of 3, Jul 4 of 4 (all 1 = the median):
# 14 of 22, lift 0.5 x 22 / 14 = 0.7857.
check backtest_hand_recognition [ "$(sed -n 4p "$TMP/hand.csv")" = "top_band,recognition,2,1,1,0.5000,0.6364,0.7857,1," ]
