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

