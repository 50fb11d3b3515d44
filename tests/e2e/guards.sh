# Guards for absence, time, foreign databases, runaway rules and usage
# errors: each refusal has its exit code, its message, and where nothing
# may be written, every table of the database unchanged.
. "$(dirname "$0")/lib.sh"
GEN=${BUILD%/asan}/rwgen
[ -x "$GEN" ] || GEN=build/rwgen


D=$TMP/d
"$GEN" --seed 11 --out "$D" --months 12 --reps 15 --activities 15000 >/dev/null 2>&1
db=$TMP/g.db
"$RW" run --data "$D" --db "$db" --as-of $ASOF -q >"$TMP/n0" 2>"$TMP/setup.err"
check guards_setup [ $? -eq 0 ]
before=$(db_digest "$db")

# run_case NAME EXIT TEXT ARGS...: run with ARGS; exit code and message.
run_case() {
	local name=$1 want=$2 text=$3 rc; shift 3
	timeout 120 "$RW" run "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
	check "${name}_exit$want" [ "$rc" -eq "$want" ]
	check "${name}_message" grep -qF -- "$text" "$TMP/$name.err"
}
unchanged() { check "${1}_db_unchanged" [ "$(db_digest "$db")" = "$before" ]; }

# 2a. An input the previous run read is missing tonight.
mkdir "$TMP/noreps"
cp "$D/opportunities.csv" "$D/activities.csv" "$D/targets.csv" "$TMP/noreps/"
run_case guards_missing_reps 2 "reps.csv was read by run 1 on $ASOF and is missing tonight; pass --allow-missing reps to run without it" \
	--data "$TMP/noreps" --db "$db" --as-of $ASOF -q
unchanged guards_missing_reps
check guards_missing_reps_silent [ ! -s "$TMP/guards_missing_reps.out" ]
rm "$TMP/noreps/targets.csv"
cp "$D/reps.csv" "$TMP/noreps/"
run_case guards_missing_targets 2 "targets.csv was read by run 1" --data "$TMP/noreps" --db "$db" --as-of $ASOF -q
unchanged guards_missing_targets
run_case guards_allow_missing_bad 1 '--allow-missing: "repz" is not one of' --data "$TMP/noreps" --db "$db" --allow-missing repz
unchanged guards_allow_missing_bad

# 2b. An earlier --as-of needs --replay, which leaves alert state alone.
run_case guards_earlier_as_of 1 "--as-of 2026-09-30 is earlier than 2026-10-31, the as_of of run 1" \
	--data "$D" --db "$db" --as-of 2026-09-30 -q
unchanged guards_earlier_as_of
alerts_before=$(sqlite3 "$db" "SELECT * FROM alerts ORDER BY 1, 2" | sha256sum)
metrics_before=$(sqlite3 "$db" "SELECT * FROM rep_metrics ORDER BY 1, 2, 3" | sha256sum)
timeout 120 "$RW" run --data "$D" --db "$db" --as-of 2026-05-31 --replay >"$TMP/replay.out" 2>"$TMP/replay.err"
check guards_replay_exit0 [ $? -eq 0 ]
check guards_replay_status [ "$(sqlite3 "$db" "SELECT as_of || ' ' || status FROM runs ORDER BY run_id DESC LIMIT 1")" = "2026-05-31 replay" ]
check guards_replay_alerts_untouched [ "$(sqlite3 "$db" "SELECT * FROM alerts ORDER BY 1, 2" | sha256sum)" = "$alerts_before" ]
check guards_replay_latest_kept [ "$(sqlite3 "$db" "SELECT * FROM rep_metrics ORDER BY 1, 2, 3" | sha256sum)" = "$metrics_before" ]
check guards_replay_no_notifications [ ! -s "$TMP/replay.out" ]
before=$(db_digest "$db")
# The latest run is still run 1: the same night again is allowed.
timeout 120 "$RW" run --data "$D" --db "$db" --as-of $ASOF -q >/dev/null 2>&1
check guards_after_replay_same_night [ $? -eq 0 ]
before=$(db_digest "$db")

# 2c. A database repwatch did not create is refused, byte for byte.
mkdir "$TMP/f"
sqlite3 "$TMP/f/foreign.db" "CREATE TABLE customers(id INTEGER, name TEXT); CREATE TABLE orders(id INTEGER); INSERT INTO customers VALUES(1, 'a');"
fsum=$(sha256sum <"$TMP/f/foreign.db")
run_case guards_foreign_db 4 "not a repwatch database: it holds tables repwatch did not create (customers, orders)" \
	--data "$D" --db "$TMP/f/foreign.db" --as-of $ASOF -q
check guards_foreign_db_identical [ "$(sha256sum <"$TMP/f/foreign.db")" = "$fsum" ]
check guards_foreign_db_no_wal [ ! -e "$TMP/f/foreign.db-wal" ]
check guards_foreign_db_no_rejects [ ! -e "$TMP/f/rejects.csv" ]

# 2d. --as-of outside 1900-01-01..2999-12-31.
for d in 1899-12-31 3000-01-01 0001-01-01 9999-12-31; do
	run_case "guards_as_of_$d" 1 "--as-of: \"$d\" is outside 1900-01-01..2999-12-31" --data "$D" --db "$db" --as-of $d -q
	unchanged "guards_as_of_$d"
done

# 3. Runaway rules: refused by check and run, naming rule, file and line.
rule() { # rule FILE WHEN
	printf '[repwatch]\nstale_days = 30\n\n[rule runaway]\ncategory = early_warning\nseverity = watch\ngrain = month\nwhen = %s\n' "$2" >"$1"
}
rule "$TMP/join.ini" "EXISTS (SELECT 1 FROM rp a, rp b, rp c, rp d, rp e WHERE a.won > b.won + c.won + d.won + e.won)"
rule "$TMP/values.ini" "won IN (SELECT a.column1 FROM (VALUES(1),(2),(3),(4),(5),(6),(7),(8)) a, (VALUES(1),(2),(3),(4),(5),(6),(7),(8)) b)"
rule "$TMP/cte.ini" "won IN (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c)"
rule "$TMP/pragma.ini" "(SELECT 1 FROM pragma_table_info('rp')) = 1"
rule "$TMP/func.ini" "random() > 0"
for r in join values cte pragma func; do
	timeout 60 "$RW" check --data "$D" --config "$TMP/$r.ini" >/dev/null 2>"$TMP/check-$r.err"
	check "guards_rule_${r}_check_exit1" [ $? -eq 1 ]
	check "guards_rule_${r}_check_where" grep -qF "$TMP/$r.ini:8: rule runaway" "$TMP/check-$r.err"
	check "guards_rule_${r}_in_words" sh -c "! grep -q 'action [0-9]' '$TMP/check-$r.err'"
	run_case "guards_rule_${r}_run" 1 "$TMP/$r.ini:8: rule runaway" --config "$TMP/$r.ini" --data "$D" --db "$db" --as-of $ASOF -q
	unchanged "guards_rule_${r}_run"
done
check guards_rule_join_subselect grep -qF "sub-select" "$TMP/check-join.err"
check guards_rule_func_words grep -qF "function call to random()" "$TMP/check-func.err"
# check evaluates the rules it compiled: a healthy config says so.
timeout 60 "$RW" check --data "$D" >"$TMP/check-ok.out" 2>&1
check guards_check_evaluates grep -q '^rules: [0-9]* compiled and evaluated' "$TMP/check-ok.out"

# 4. Usage errors found before the run: nothing written.
mkdir "$TMP/nn"
run_case guards_notify_empty 1 '--notify: an empty command' --data "$D" --db "$TMP/nn/new.db" --as-of $ASOF --notify ""
check guards_notify_empty_no_db [ ! -e "$TMP/nn/new.db" ] && check guards_notify_empty_no_rejects [ ! -e "$TMP/nn/rejects.csv" ]
run_case guards_notify_blank 1 '--notify: an empty command' --data "$D" --db "$db" --as-of $ASOF --notify "   "
# Blank as delivery splits it (a line break too) is refused before the run.
run_case guards_notify_newline 1 '--notify: an empty command' --data "$D" --db "$db" --as-of $ASOF --notify "$(printf ' \n\t')"
unchanged guards_notify_blank
run_case guards_alerts_empty 1 '--alerts: an empty file name' --data "$D" --db "$db" --as-of $ASOF --alerts ""
unchanged guards_alerts_empty

# Configuration errors name the file, the line and the reason.
conf() { # conf NAME TEXT EXPECTED
	printf "$2" >"$TMP/$1.ini"
	run_case "guards_config_$1" 1 "$TMP/$1.ini:$3" --config "$TMP/$1.ini" --data "$D" --db "$db" --as-of $ASOF -q
	unchanged "guards_config_$1"
}
conf dup_key '[repwatch]\nstale_days = 30\nstale_days = 40\n' '3: key "stale_days" given twice in section [repwatch]'
conf empty_section '[]\nstale_days = 30\n' '2: key "stale_days" is in a section with an empty name'
conf won_lost '[stages]\nwon = Closed Won, Signed\nlost = Closed Lost, signed\n' '3: [stages] stage "Signed" is both won and lost'
conf base_rate '[currency]\nbase = EUR\nEUR = 1.0\n' '3: [currency] gives a rate for EUR, the base currency'
conf for_long '[repwatch]\nhistory_periods = 6\n[rule long]\ncategory = early_warning\nseverity = watch\ngrain = month\nwhen = won < 1\nfor = 7\n' '7: rule long: for 7 is more periods than history_periods (6)'
conf dup_when '[rule w]\ncategory = early_warning\nseverity = watch\ngrain = month\nwhen = won < 1\nwhen = lost > 1\n' '6: key "when" given twice in section [rule w]'
# A continuation line is not a repeat.
printf '[rule c]\ncategory = early_warning\nseverity = watch\ngrain = month\nwhen = won < 1\n  AND lost > 100\n' >"$TMP/cont.ini"
timeout 60 "$RW" check --data "$D" --config "$TMP/cont.ini" >/dev/null 2>&1
check guards_config_continuation_ok [ $? -eq 0 ]

# The notifier is killed with its whole process group at notify_timeout_s.
cat >"$TMP/slow.sh" <<'SH'
#!/bin/sh
sleep 300 &
echo $! >"$1"
cat >/dev/null
wait
SH
chmod +x "$TMP/slow.sh"
printf '[repwatch]\nnotify_timeout_s = 1\n' >"$TMP/t.ini"
timeout 60 "$RW" run --data "$D" --db "$TMP/n.db" --as-of $ASOF --config "$TMP/t.ini" \
	--notify "$TMP/slow.sh $TMP/child.pid" >/dev/null 2>"$TMP/notify.err"
check guards_notify_timeout_exit0 [ $? -eq 0 ]
check guards_notify_timeout_reported grep -q 'still running after 1 s: killed' "$TMP/notify.err"
sleep 0.5
# The notifier's own child is gone (or a zombie nobody has reaped yet).
st=$(ps -o stat= -p "$(cat "$TMP/child.pid")" 2>/dev/null)
check guards_notify_group_killed [ -z "$st" -o "${st#Z}" != "$st" ]
