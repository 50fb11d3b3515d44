# Bad input: rejects with line numbers, missing columns and shrinking
# exports fail before the database is touched (SPEC section 2).
. "$(dirname "$0")/lib.sh"
db=$TMP/r.db
d=$TMP/data
mkdir -p "$d"
cat >"$d/reps.csv" <<'CSV'
rep_id,name,email,team,manager
R1,Ann Lee,ann@example.com,East,Mia Boss
R2,Bob Ray,bob@example.com,East,Mia Boss
CSV
{
	echo 'opp_id,owner,created,close_date,status,amount'
	for i in $(seq 1 40); do echo "O$i,R1,2026-01-0$((i % 9 + 1)),2026-02-10,won,1000"; done
	echo 'O41,R2,2026-01-05,2026-02-11,won,"1.2.3"'
} >"$d/opportunities.csv"
cat >"$d/activities.csv" <<'CSV'
activity_id,owner,type,date,opp_id
A1,R1,call,2026-01-10,O1
A2,R2,email,2026-01-11,
CSV

"$RW" run --data "$d" --db "$db" --as-of 2026-03-01 2>"$TMP/err"
check reject_run_exit0 [ $? -eq 0 ]
# line 42: header is line 1, O1..O40 are lines 2..41.
check reject_entry_line grep -q '^opportunities.csv,42,amount,' "$TMP/rejects.csv"
check reject_summary grep -q 'opportunities.csv  *41 rows, 1 rejected' "$TMP/err"
before=$(db_digest "$db")

# A missing required column: exit 2, message names file and column, db unchanged.
mkdir -p "$TMP/nocol"
cp "$d/reps.csv" "$d/activities.csv" "$TMP/nocol/"
sed 's/^opp_id,owner,/opp_id,seller,/' "$d/opportunities.csv" >"$TMP/nocol/opportunities.csv"
"$RW" run --data "$TMP/nocol" --db "$db" --as-of 2026-03-01 2>"$TMP/err2"
rc=$?
check missing_column_exit2 [ "$rc" -eq 2 ]
check missing_column_message grep -q 'opportunities.csv.*"owner"' "$TMP/err2"
check missing_column_db_untouched [ "$(db_digest "$db")" = "$before" ]

# The same on a fresh path creates no database at all.
"$RW" run --data "$TMP/nocol" --db "$TMP/new.db" --as-of 2026-03-01 2>/dev/null
check missing_column_no_db_created [ ! -e "$TMP/new.db" ]

# Too many rejects (over max_reject_share 5%): exit 2, db unchanged.
mkdir -p "$TMP/many"
cp "$d/reps.csv" "$d/activities.csv" "$TMP/many/"
{ cat "$d/opportunities.csv"; for i in 1 2 3 4 5; do echo "X$i,R1,not-a-date,,open,10"; done; } >"$TMP/many/opportunities.csv"
"$RW" run --data "$TMP/many" --db "$db" --as-of 2026-03-01 2>"$TMP/err3"
check reject_share_exit2 [ $? -eq 2 ]
check reject_share_message grep -q 'max_reject_share' "$TMP/err3"
check reject_share_db_untouched [ "$(db_digest "$db")" = "$before" ]

# An export that shrank by more than max_shrink (50%): exit 2, db unchanged.
mkdir -p "$TMP/shrunk"
cp "$d/reps.csv" "$d/activities.csv" "$TMP/shrunk/"
head -n 10 "$d/opportunities.csv" >"$TMP/shrunk/opportunities.csv"
"$RW" run --data "$TMP/shrunk" --db "$db" --as-of 2026-03-01 2>"$TMP/err4"
check shrink_exit2 [ $? -eq 2 ]
check shrink_message grep -q 'max_shrink' "$TMP/err4"
check shrink_db_untouched [ "$(db_digest "$db")" = "$before" ]

# Configuration errors name file, line and key; exit 1.
printf '[repwatch]\nstale_days = 14\nstale_dayz = 3\n' >"$TMP/bad.ini"
"$RW" run --data "$d" --db "$db" --config "$TMP/bad.ini" 2>"$TMP/err5"
check config_unknown_exit1 [ $? -eq 1 ]
check config_unknown_message grep -q 'bad.ini:3: unknown key "stale_dayz"' "$TMP/err5"
printf '[repwatch]\nfollowup_days = soon\n' >"$TMP/bad2.ini"
"$RW" run --data "$d" --db "$db" --config "$TMP/bad2.ini" 2>"$TMP/err6"
check config_value_message grep -q 'bad2.ini:2: followup_days: "soon"' "$TMP/err6"
# A line longer than the INI reader takes (198 characters) is named, not
# cut into a stray "key": a long message goes on indented continuation lines.
{ printf '[rule x]\ncategory = early_warning\nseverity = watch\ngrain = month\nwhen = 1\nmessage = '
  printf 'a%.0s' $(seq 1 200); printf '\n'; } >"$TMP/long.ini"
"$RW" run --data "$d" --db "$db" --config "$TMP/long.ini" 2>"$TMP/err6b"
check config_long_line_exit1 [ $? -eq 1 ]
check config_long_line_message grep -q 'long.ini:6: line longer than 198 characters' "$TMP/err6b"

# Usage errors: exit 1; --help: exit 0.
"$RW" run --bogus 2>/dev/null
check usage_exit1 [ $? -eq 1 ]
"$RW" run --help >/dev/null
check help_exit0 [ $? -eq 0 ]
"$RW" report --help >/dev/null
check report_help_exit0 [ $? -eq 0 ]
"$RW" report --db "$TMP/none.db" 2>/dev/null
check report_no_db_fails [ $? -ge 4 ]

# The optional icp_fit column: yes/no flags give icp_fit_share (of the deals
# created in the month with a known value, the share that fit: 2 of 3 in
# January); an unreadable flag is a rejects entry naming the column.
mkdir -p "$TMP/icp"
cp "$d/reps.csv" "$d/activities.csv" "$TMP/icp/"
printf 'opp_id,owner,created,status,amount,icp_fit\nI1,R1,2026-01-05,open,10,yes\nI2,R1,2026-01-06,open,10,no\nI3,R1,2026-01-07,open,10,\nI4,R1,2026-01-08,open,10,TRUE\nI5,R1,2026-01-09,open,10,maybe\n' >"$TMP/icp/opportunities.csv"
"$RW" run --data "$TMP/icp" --db "$TMP/icp.db" --rejects "$TMP/icp.rej" --as-of 2026-03-01 --config /dev/null -q >/dev/null 2>&1
check icp_fit_run [ $? -eq 2 ]	# 1 of 5 rejected is over max_reject_share
printf '[repwatch]\nmax_reject_share = 0.5\n' >"$TMP/icp.ini"
"$RW" run --data "$TMP/icp" --db "$TMP/icp.db" --rejects "$TMP/icp.rej" --as-of 2026-03-01 --config "$TMP/icp.ini" -q >/dev/null 2>&1
check icp_fit_run_ok [ $? -eq 0 ]
check icp_fit_reject grep -q '^opportunities.csv,6,icp_fit,' "$TMP/icp.rej"
check icp_fit_share [ "$(sqlite3 "$TMP/icp.db" "SELECT round(icp_fit_share, 4) FROM rep_metrics WHERE rep_id='R1' AND grain='month' AND period='2026-01'")" = 0.6667 ]
