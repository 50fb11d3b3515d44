# Hostile and broken inputs (tests/hostile/README.md): each has its exact,
# documented outcome; never a crash, a hang or a partial database.
. "$(dirname "$0")/lib.sh"
base() { # a valid folder: 20 reps, 40 deals, 40 activities (R1's)
	mkdir -p "$1"
	{ printf 'rep_id,name,team\nR1,Ann Lee,East\nR2,Bob Ray,East\n'
	  for i in $(seq 3 20); do echo "R$i,Rep $i,$([ $((i % 2)) = 0 ] && echo East || echo West)"; done
	} >"$1/reps.csv"
	{ echo 'activity_id,owner,type,date,opp_id'
	  for i in $(seq 1 40); do printf 'A%d,R1,call,2026-01-%02d,O%d\n' $i $((i % 28 + 1)) $i; done
	} >"$1/activities.csv"
	{ echo 'opp_id,owner,created,close_date,status,amount'
	  for i in $(seq 1 40); do echo "O$i,R1,2026-01-05,2026-02-10,won,1000"; done
	} >"$1/opportunities.csv"
}
base "$TMP/good"
"$RW" run --data "$TMP/good" --db "$TMP/good.db" --as-of 2026-03-01 -q >/dev/null 2>&1
check hostile_setup [ $? -eq 0 ]
# run NAME: a run of folder NAME on a copy of the good database
run() {
	cp "$TMP/good.db" "$TMP/$1.db"
	timeout 120 "$RW" run --data "$TMP/$1" --db "$TMP/$1.db" --as-of 2026-03-01 \
		--rejects "$TMP/$1.rej" -q >/dev/null 2>"$TMP/$1.err"
}
good=$(db_digest "$TMP/good.db")
fails() { # fails NAME PATTERN: exit 2, message, database unchanged
	run "$1"
	local rc=$?
	check "hostile_$1_exit2" [ "$rc" -eq 2 ]
	check "hostile_$1_message" grep -q "$2" "$TMP/$1.err"
	check "hostile_$1_db_unchanged" [ "$(db_digest "$TMP/$1.db")" = "$good" ]
}
rejects() { # rejects NAME PATTERN [N]: exit 0, that rejects entry, N entries (1)
	run "$1"
	local rc=$?
	check "hostile_$1_exit0" [ "$rc" -eq 0 ]
	check "hostile_$1_reject" grep -q "$2" "$TMP/$1.rej"
	check "hostile_$1_reject_count" [ "$(($(wc -l <"$TMP/$1.rej") - 1))" -eq "${3:-1}" ]
}

base "$TMP/empty"; : >"$TMP/empty/opportunities.csv"
fails empty 'opportunities.csv: empty file'

base "$TMP/header"; echo 'opp_id,owner,created,close_date,status,amount' >"$TMP/header/opportunities.csv"
cp "$TMP/good.db" "$TMP/header.db"
"$RW" run --data "$TMP/header" --db "$TMP/header-new.db" --as-of 2026-03-01 -q >/dev/null 2>&1
check hostile_header_only_exit0 [ $? -eq 0 ]
# No deal counted: a deals export with no row speaks for no period, so
# its metrics are empty rather than zero (docs/inputs.md).
check hostile_header_only_no_deals [ "$(sqlite3 "$TMP/header-new.db" "SELECT COUNT(*) FROM rep_metrics WHERE grain='month' AND (opps_created > 0 OR won > 0)")" = 0 ]

base "$TMP/garbage"; printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00\x10' >"$TMP/garbage/opportunities.csv"
fails garbage 'opportunities.csv:1: not valid UTF-8 at byte offset 0'

base "$TMP/big"
{ printf 'O99,R1,2026-01-05,2026-02-10,won,"'; head -c 10000000 /dev/zero | tr '\0' x; printf '"\n'; } >>"$TMP/big/opportunities.csv"
fails big 'opportunities.csv:42: record longer than 1048576 bytes'

base "$TMP/wide"
{ printf 'opp_id,owner,created,close_date,status,amount,'; seq -s, 1 100000
  printf 'O1,R1,2026-01-05,2026-02-10,won,1000,'; seq -s, 1 100000; } >"$TMP/wide/opportunities.csv"
"$RW" run --data "$TMP/wide" --db "$TMP/wide-new.db" --as-of 2026-03-01 -q >/dev/null 2>&1
check hostile_wide_exit0 [ $? -eq 0 ]

base "$TMP/quote"; printf 'O99,R1,2026-01-05,2026-02-10,won,"100\n' >>"$TMP/quote/opportunities.csv"
fails quote 'opportunities.csv:42: a quoted field opened in the record of line 42 is not closed'

base "$TMP/nul"; printf 'O99,R1,2026-01-05,2026-02-10,won,1\x0000\n' >>"$TMP/nul/opportunities.csv"
rejects nul '^opportunities.csv,42,amount,'

base "$TMP/overlong"; printf 'R21,Eve \xc0\xafX,East\n' >>"$TMP/overlong/reps.csv"
fails overlong 'reps.csv:22: not valid UTF-8 at byte offset'

base "$TMP/feb30"; echo 'O99,R1,2026-02-30,,open,5' >>"$TMP/feb30/opportunities.csv"
rejects feb30 '^opportunities.csv,42,created,.*no day 30'

base "$TMP/numbers"; printf 'O98,R1,2026-01-05,,open,1e308\nO99,R1,2026-01-05,,open,NaN\n' >>"$TMP/numbers/opportunities.csv"
rejects numbers '^opportunities.csv,42,amount,' 2
check hostile_nan_reject grep -q '^opportunities.csv,43,amount,' "$TMP/numbers.rej"

base "$TMP/dup"; echo 'O1,R2,2026-01-05,2026-02-10,won,999' >>"$TMP/dup/opportunities.csv"
rejects dup '^opportunities.csv,42,opp_id,duplicate opp_id with different content (first on line 2)'

base "$TMP/names"
printf 'R21,"=HYPERLINK(""http://x"")",East\nR22,<img src=x onerror=alert(1)>,East\n' >>"$TMP/names/reps.csv"
run names
check hostile_names_exit0 [ $? -eq 0 ]
"$RW" report --db "$TMP/names.db" --format html --out "$TMP/names.html" 2>/dev/null
check hostile_names_html grep -q '&lt;img src=x onerror=alert(1)&gt;' "$TMP/names.html"
check hostile_names_html_no_tag [ "$(grep -c '<img' "$TMP/names.html")" = 0 ]
"$RW" report --db "$TMP/names.db" --format csv --out "$TMP/names.csv" 2>/dev/null
check hostile_names_csv grep -q "\"'=HYPERLINK(\"\"http://x\"\")\"" "$TMP/names.csv"

base "$TMP/shrunk"; head -n 5 "$TMP/good/opportunities.csv" >"$TMP/shrunk/opportunities.csv"
fails shrunk 'max_shrink'

q() { sqlite3 "$TMP/$1.db" "$2"; }	# q NAME SQL: on that case's database

# ---- One cell must not reach a UNIQUE key of the database ------------------
# A team named like repwatch's own: "*" is the company's key in
# team_baselines (the run used to fail with exit 4 on the UNIQUE
# constraint); "(no team)" and "(unassigned)" are given by repwatch.
base "$TMP/team_star"; echo 'R21,Star Rep,*' >>"$TMP/team_star/reps.csv"
rejects team_star '^reps.csv,22,team,"reserved team name'
check hostile_team_star_one_company [ "$(q team_star "SELECT COUNT(*) FROM team_baselines WHERE team = '*'")" = \
	"$(q team_star "SELECT COUNT(*) FROM team_baselines WHERE team = 'East'")" ]
check hostile_team_star_not_stored [ "$(q team_star "SELECT COUNT(*) FROM reps WHERE rep_id = 'R21'")" = 0 ]
base "$TMP/team_unassigned"; echo 'R21,Un Rep,(Unassigned)' >>"$TMP/team_unassigned/reps.csv"
rejects team_unassigned '^reps.csv,22,team,"reserved team name'
base "$TMP/team_noteam"; echo 'R21,No Rep,(no team)' >>"$TMP/team_noteam/reps.csv"
rejects team_noteam '^reps.csv,22,team,"reserved team name'

# Stage names that sanitise to one conv_<a>_<b>: "Alpha", "Alpha!" and
# "Alpha?" give conv_alpha_alpha twice (the run used to fail with exit 4);
# the later pair is conv_alpha_alpha_2 (engine/conversion.c).  By hand: O1
# entered the four stages in order in 2026-01, so each pair has entered 1,
# reached 1 in that month.
base "$TMP/stages"
printf 'opp_id,stage,entered\nO1,Alpha,2026-01-05\nO1,Alpha!,2026-01-06\nO1,Alpha?,2026-01-07\nO1,Beta,2026-01-08\n' >"$TMP/stages/stage_history.csv"
run stages
check hostile_stages_exit0 [ $? -eq 0 ]
check hostile_stages_names [ "$(q stages "SELECT group_concat(metric || ':' || from_stage || '>' || to_stage || ':' || entered || '/' || reached, ' ') FROM (SELECT * FROM rep_conversions WHERE rep_id = 'R1' AND grain = 'month' AND period = '2026-01' ORDER BY metric)")" = \
	"conv_alpha_alpha:Alpha>Alpha!:1/1 conv_alpha_alpha_2:Alpha!>Alpha?:1/1 conv_alpha_beta:Alpha?>Beta:1/1" ]
# Also "a b" -> "c" against "a" -> "b c": conv_a_b_c from either.
base "$TMP/stages2"
printf 'opp_id,stage,entered\nO1,a,2026-01-05\nO1,b c,2026-01-06\nO1,a b,2026-01-07\nO1,c,2026-01-08\n' >"$TMP/stages2/stage_history.csv"
run stages2
check hostile_stages2_exit0 [ $? -eq 0 ]
check hostile_stages2_distinct [ "$(q stages2 "SELECT COUNT(DISTINCT metric) FROM rep_conversions")" = 3 ]

# ---- Silently wrong data: rejected with file, line, column, reason ----------
# A NUL in a text value: "R3<NUL>X" used to be credited to R3.
base "$TMP/nul_owner"; printf 'O99,R3\0X,2026-01-05,2026-02-10,won,1000\n' >>"$TMP/nul_owner/opportunities.csv"
rejects nul_owner '^opportunities.csv,42,owner,NUL byte in the value (at byte 3)'
check hostile_nul_owner_not_credited [ "$(q nul_owner "SELECT SUM(opps_created) FROM rep_metrics WHERE rep_id = 'R3' AND grain = 'month'")" = 0 ]
base "$TMP/nul_oppid"; printf 'O99\0,R1,2026-01-05,2026-02-10,won,1000\n' >>"$TMP/nul_oppid/opportunities.csv"
rejects nul_oppid '^opportunities.csv,42,opp_id,NUL byte'
base "$TMP/nul_repid"; printf 'R21\0X,Zed Ng,East\n' >>"$TMP/nul_repid/reps.csv"
rejects nul_repid '^reps.csv,22,rep_id,NUL byte'
base "$TMP/nul_team"; printf 'R21,Zed Ng,Ea\0st\n' >>"$TMP/nul_team/reps.csv"
rejects nul_team '^reps.csv,22,team,NUL byte'
base "$TMP/nul_name"; printf 'R21,Zed\0Ng,East\n' >>"$TMP/nul_name/reps.csv"
rejects nul_name '^reps.csv,22,name,NUL byte'
base "$TMP/nul_act"; printf 'A99\0,R1,call,2026-01-10,O1\nA98,R\0001,call,2026-01-10,O1\n' >>"$TMP/nul_act/activities.csv"
rejects nul_act '^activities.csv,42,activity_id,NUL byte' 2
check hostile_nul_act_owner grep -q '^activities.csv,43,owner,NUL byte' "$TMP/nul_act.rej"

# A close date before the created date (a negative cycle, a win before the
# deal existed), won or open.
base "$TMP/close_early"; printf 'O99,R1,2026-02-10,2026-01-05,won,5\nO98,R1,2026-02-10,2026-02-09,open,5\n' >>"$TMP/close_early/opportunities.csv"
rejects close_early '^opportunities.csv,42,close_date,"close date is before the created date' 2
check hostile_close_early_open grep -q '^opportunities.csv,43,close_date,"close date is before the created date' "$TMP/close_early.rej"
# The same in a Salesforce export (Opportunity.csv, CloseDate/CreatedDate):
# 1 of 10 rows is over the default 5%, so the share is raised here.
mkdir -p "$TMP/sf_close"
cp tests/data/vendor/salesforce/*.csv "$TMP/sf_close/"
echo '006Ec00000AieZZIAZ,001Ec00000A1,Early,Closed Won,700,100,2026-01-02,1,1,Closed,005Ec000004oBPNIA2,2026-01-20T10:00:00.000+0000' >>"$TMP/sf_close/Opportunity.csv"
n=$(wc -l <"$TMP/sf_close/Opportunity.csv")
printf '[repwatch]\nmax_reject_share = 0.5\n' >"$TMP/lenient.ini"
"$RW" run --data "$TMP/sf_close" --db "$TMP/sf_close.db" --as-of 2026-03-31 --config "$TMP/lenient.ini" \
	--rejects "$TMP/sf_close.rej" -q >/dev/null 2>"$TMP/sf_close.err"
check hostile_sf_close_early_exit0 [ $? -eq 0 ]
check hostile_sf_close_early_reject grep -q "^Opportunity.csv,$n,close_date,\"close date is before the created date" "$TMP/sf_close.rej"

# A negative amount on a won deal (written "-500" or "(500)"); on a lost
# deal it is kept.
base "$TMP/neg_won"; printf 'O99,R1,2026-01-05,2026-02-10,won,-500\nO98,R1,2026-01-05,2026-02-10,Won,(500)\nO97,R1,2026-01-05,2026-02-10,lost,-500\n' >>"$TMP/neg_won/opportunities.csv"
rejects neg_won '^opportunities.csv,42,amount,"negative amount on a won deal' 2
check hostile_neg_won_paren grep -q '^opportunities.csv,43,amount,"negative amount on a won deal' "$TMP/neg_won.rej"
# By hand: R1's 40 wins of 1000 in 2026-02 and the lost O97: revenue 40000, lost 1.
check hostile_neg_won_revenue [ "$(q neg_won "SELECT won, lost, revenue FROM rep_metrics WHERE rep_id = 'R1' AND grain = 'month' AND period = '2026-02'")" = "40|1|40000.0" ]

# ---- Activities deduplicated by activity_id ---------------------------------
# The same activity twice is counted once (R1's January calls stay 40, by
# hand: A1..A40 are calls on 2026-01-01..28) and reported in the summary.
base "$TMP/act_dup"; echo 'A1,R1,call,2026-01-02,O1' >>"$TMP/act_dup/activities.csv"
rejects act_dup '^file,line,column,reason,record$' 0
check hostile_act_dup_counted_once [ "$(q act_dup "SELECT calls FROM rep_metrics WHERE rep_id = 'R1' AND grain = 'month' AND period = '2026-01'")" = 40 ]
cp "$TMP/good.db" "$TMP/act_dup2.db"
"$RW" run --data "$TMP/act_dup" --db "$TMP/act_dup2.db" --as-of 2026-03-01 --rejects "$TMP/act_dup2.rej" >/dev/null 2>"$TMP/act_dup2.err"
check hostile_act_dup_summary grep -q '^  duplicate activities: 1 rows repeat an earlier activity_id' "$TMP/act_dup2.err"
# The same id with other content (an e-mail, not a call): rejected; the
# first row stands.
base "$TMP/act_conflict"; echo 'A1,R1,email,2026-01-02,O1' >>"$TMP/act_conflict/activities.csv"
rejects act_conflict '^activities.csv,42,activity_id,duplicate activity_id with different content'
check hostile_act_conflict_first_stands [ "$(q act_conflict "SELECT calls || '/' || emails FROM rep_metrics WHERE rep_id = 'R1' AND grain = 'month' AND period = '2026-01'")" = 40/0 ]
# An export without ids, given one by [values.activities]: nothing to
# compare, every row counts (by hand: 3 calls in 2026-01; the e-mail of
# 02-28 keeps the export current up to as_of, so January is covered).
mkdir -p "$TMP/noid"
cp "$TMP/good/reps.csv" "$TMP/good/opportunities.csv" "$TMP/noid/"
printf 'owner,type,date\nR2,call,2026-01-10\nR2,call,2026-01-11\nR2,call,2026-01-12\nR2,email,2026-02-28\n' >"$TMP/noid/activities.csv"
printf '[values.activities]\nactivity_id = none\n' >"$TMP/noid.ini"
"$RW" run --data "$TMP/noid" --db "$TMP/noid.db" --as-of 2026-03-01 --config "$TMP/noid.ini" \
	--rejects "$TMP/noid.rej" -q >/dev/null 2>&1
check hostile_noid_exit0 [ $? -eq 0 ]
check hostile_noid_all_counted [ "$(q noid "SELECT calls FROM rep_metrics WHERE rep_id = 'R2' AND grain = 'month' AND period = '2026-01'")" = 3 ]

# ---- Two files of the folder for one input ----------------------------------
# A second download, a copy, another case, a byte order mark in the name:
# exit 2 naming both files, the database unchanged.
base "$TMP/twice1"; cp "$TMP/twice1/activities.csv" "$TMP/twice1/activities (1).csv"
fails twice1 '"activities (1).csv" and "activities.csv" in .* are both activities.csv'
base "$TMP/twice2"; cp "$TMP/twice2/activities.csv" "$TMP/twice2/Activities.CSV"
fails twice2 '"Activities.CSV" and "activities.csv" in .* are both activities.csv'
base "$TMP/twice3"; cp "$TMP/twice3/opportunities.csv" "$TMP/twice3/$(printf '\xef\xbb\xbf')opportunities.csv"
fails twice3 '"opportunities.csv" and ".*opportunities.csv" in .* are both opportunities.csv'
base "$TMP/twice4"; cp "$TMP/twice4/reps.csv" "$TMP/twice4/reps - Copy (2).csv"
fails twice4 '"reps - Copy (2).csv" and "reps.csv" in .* are both reps.csv'
base "$TMP/twice6"; cp "$TMP/twice6/activities.csv" "$TMP/twice6/activities 2.csv"
fails twice6 '"activities 2.csv" and "activities.csv" in .* are both activities.csv'
# A year is no copy mark: "opportunities 2024.csv" is read as well.
base "$TMP/year"; sed 's/^O\([0-9]*\),/Y\1,/' "$TMP/year/opportunities.csv" >"$TMP/year/opportunities 2024.csv"
rejects year '^file,line,column,reason,record$' 0
check hostile_year_both_read [ "$(q year "SELECT SUM(opps_created) FROM rep_metrics WHERE rep_id = 'R1' AND grain = 'month'")" = 80 ]
# The same bytes under any other name: one export read twice.
base "$TMP/twice5"; cp "$TMP/twice5/opportunities.csv" "$TMP/twice5/deals-export.csv"
fails twice5 'opportunities.csv: same bytes as .*deals-export.csv'
