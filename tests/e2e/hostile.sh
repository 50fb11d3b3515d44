# Hostile and broken inputs (tests/hostile/README.md): each has its exact,
# documented outcome; never a crash, a hang or a partial database.
. "$(dirname "$0")/lib.sh"
base() { # a valid folder: 2 reps, 40 deals, 1 activity
	mkdir -p "$1"
	printf 'rep_id,name,team\nR1,Ann Lee,East\nR2,Bob Ray,East\n' >"$1/reps.csv"
	printf 'activity_id,owner,type,date,opp_id\nA1,R1,call,2026-01-10,O1\n' >"$1/activities.csv"
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
rejects() { # rejects NAME PATTERN: exit 0 and that rejects entry
	run "$1"
	local rc=$?
	check "hostile_$1_exit0" [ "$rc" -eq 0 ]
	check "hostile_$1_reject" grep -q "$2" "$TMP/$1.rej"
}

base "$TMP/empty"; : >"$TMP/empty/opportunities.csv"
fails empty 'opportunities.csv: empty file'

base "$TMP/header"; echo 'opp_id,owner,created,close_date,status,amount' >"$TMP/header/opportunities.csv"
cp "$TMP/good.db" "$TMP/header.db"
"$RW" run --data "$TMP/header" --db "$TMP/header-new.db" --as-of 2026-03-01 -q >/dev/null 2>&1
check hostile_header_only_exit0 [ $? -eq 0 ]
check hostile_header_only_no_deals [ "$(sqlite3 "$TMP/header-new.db" "SELECT SUM(opps_created) FROM rep_metrics WHERE grain='month'")" = 0 ]

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

base "$TMP/overlong"; printf 'R3,Eve \xc0\xafX,East\n' >>"$TMP/overlong/reps.csv"
fails overlong 'reps.csv:4: not valid UTF-8 at byte offset'

base "$TMP/feb30"; echo 'O99,R1,2026-02-30,,open,5' >>"$TMP/feb30/opportunities.csv"
rejects feb30 '^opportunities.csv,42,created,.*no day 30'

base "$TMP/numbers"; printf 'O98,R1,2026-01-05,,open,1e308\nO99,R1,2026-01-05,,open,NaN\n' >>"$TMP/numbers/opportunities.csv"
rejects numbers '^opportunities.csv,42,amount,'
check hostile_nan_reject grep -q '^opportunities.csv,43,amount,' "$TMP/numbers.rej"

base "$TMP/dup"; echo 'O1,R2,2026-01-05,2026-02-10,won,999' >>"$TMP/dup/opportunities.csv"
rejects dup '^opportunities.csv,42,opp_id,duplicate opp_id with different content (first on line 2)'

base "$TMP/names"
printf 'R3,"=HYPERLINK(""http://x"")",East\nR4,<img src=x onerror=alert(1)>,East\n' >>"$TMP/names/reps.csv"
run names
check hostile_names_exit0 [ $? -eq 0 ]
"$RW" report --db "$TMP/names.db" --format html --out "$TMP/names.html" 2>/dev/null
check hostile_names_html grep -q '&lt;img src=x onerror=alert(1)&gt;' "$TMP/names.html"
check hostile_names_html_no_tag [ "$(grep -c '<img' "$TMP/names.html")" = 0 ]
"$RW" report --db "$TMP/names.db" --format csv --out "$TMP/names.csv" 2>/dev/null
check hostile_names_csv grep -q "\"'=HYPERLINK(\"\"http://x\"\")\"" "$TMP/names.csv"

base "$TMP/shrunk"; head -n 5 "$TMP/good/opportunities.csv" >"$TMP/shrunk/opportunities.csv"
fails shrunk 'max_shrink'
