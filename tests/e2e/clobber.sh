# Outputs never clobber: no --out, --rejects, --alerts or report of
# --report-dir may be the database, its -wal/-shm/-journal, or an input of
# the run, however it is spelled (.., a symlinked folder, a hard link, a
# symlink).  Each refusal: exit 1, a message naming both paths, and the
# database (every table) and the inputs (sha256) unchanged.
. "$(dirname "$0")/lib.sh"
GEN=${BUILD%/asan}/rwgen
[ -x "$GEN" ] || GEN=build/rwgen

inputs_sum() { cat "$D"/*.csv | sha256sum | cut -c1-64; }

D=$TMP/d
"$GEN" --seed 7 --out "$D" --months 12 --reps 15 --activities 15000 >/dev/null 2>&1
db=$TMP/o.db
"$RW" run --data "$D" --db "$db" --as-of $ASOF -q >/dev/null 2>"$TMP/setup.err"
check clobber_setup [ $? -eq 0 ]
before=$(db_digest "$db")
ins=$(inputs_sum)

# refused NAME EXPECTED-TEXT COMMAND...: exit 1, message, nothing changed.
refused() {
	local name=$1 text=$2 rc; shift 2
	timeout 60 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
	check "${name}_exit1" [ "$rc" -eq 1 ]
	check "${name}_message" grep -qF -- "$text" "$TMP/$name.err"
	check "${name}_db_unchanged" [ "$(db_digest "$db")" = "$before" ]
	check "${name}_inputs_unchanged" [ "$(inputs_sum)" = "$ins" ]
}

# report/assess --out the database, by name and by other spellings.
refused clobber_report_out_db "--out $db is the same file as $db" "$RW" report --db "$db" --out "$db"
check clobber_report_out_db_size [ -s "$db" ]
refused clobber_assess_out_db "is the same file as $db" "$RW" assess R003 --db "$db" --out "$db"
refused clobber_report_dotdot "$D/../o.db is the same file as $db" "$RW" report --db "$db" --out "$D/../o.db"
ln "$db" "$TMP/hard.db"
refused clobber_report_hardlink "$TMP/hard.db is a link to $db" "$RW" report --db "$db" --out "$TMP/hard.db"
ln -s o.db "$TMP/sym.db"
refused clobber_report_symlink "$TMP/sym.db is a link to $db" "$RW" report --db "$db" --out "$TMP/sym.db"
rm -f "$db-wal"
refused clobber_report_wal_name "is the same file as $db-wal" "$RW" report --db "$db" --format json --out "$db-wal"
refused clobber_report_journal_dotdot "is the same file as $db-journal" "$RW" report --db "$db" --out "$D/../o.db-journal"
check clobber_journal_not_created [ ! -e "$db-journal" ]

# run --rejects / --alerts / --report-dir: the database or an input.
refused clobber_rejects_db "--rejects $db is the same file as $db" "$RW" run --data "$D" --db "$db" --as-of $ASOF --rejects "$db"
refused clobber_rejects_input "--rejects $D/opportunities.csv is the same file as $D/opportunities.csv" \
	"$RW" run --data "$D" --db "$db" --as-of $ASOF --rejects "$D/opportunities.csv"
ln -s d "$TMP/dlink"
refused clobber_rejects_symlinked_dir "$TMP/dlink/reps.csv is the same file as $D/reps.csv" \
	"$RW" run --data "$D" --db "$db" --as-of $ASOF --rejects "$TMP/dlink/reps.csv"
ln "$D/activities.csv" "$TMP/acts-link.csv"
refused clobber_rejects_hardlink_input "is a link to $D/activities.csv" \
	"$RW" run --data "$D" --db "$db" --as-of $ASOF --rejects "$TMP/acts-link.csv"
refused clobber_alerts_input "--alerts $D/targets.csv is the same file as $D/targets.csv" \
	"$RW" run --data "$D" --db "$db" --as-of $ASOF --alerts "$D/targets.csv"
refused clobber_alerts_shm "--alerts $D/../o.db-shm is the same file as $db-shm" \
	"$RW" run --data "$D" --db "$db" --as-of $ASOF --alerts "$D/../o.db-shm"
refused clobber_alerts_config "is the same file as $TMP/c.ini" \
	sh -c ': >"$1/c.ini"; exec "$2" run --data "$3" --db "$4" --as-of "$5" --config "$1/c.ini" --alerts "$1/c.ini"' \
	sh "$TMP" "$RW" "$D" "$db" $ASOF
# --report-dir on the data folder, where an input is named like the report.
cp "$D/targets.csv" "$D/repwatch-report.md"
ins=$(inputs_sum)
tsum=$(sha256sum <"$D/repwatch-report.md")
refused clobber_report_dir_input "the report of --report-dir $D/repwatch-report.md is the same file as $D/repwatch-report.md" \
	"$RW" run --data "$D" --db "$db" --as-of $ASOF --targets "$D/repwatch-report.md" --report-dir "$D"
check clobber_report_dir_input_kept [ "$(sha256sum <"$D/repwatch-report.md")" = "$tsum" ]
rm "$D/repwatch-report.md"
# ...and a database named like the report in the report folder.
mkdir "$TMP/rd"
cp "$db" "$TMP/rd/repwatch-report.md"
rsum=$(sha256sum <"$TMP/rd/repwatch-report.md")
timeout 60 "$RW" run --data "$D" --db "$TMP/rd/repwatch-report.md" --as-of $ASOF --report-dir "$TMP/rd" -q >/dev/null 2>"$TMP/rd.err"
check clobber_report_dir_db_exit1 [ $? -eq 1 ]
check clobber_report_dir_db_message grep -qF "is the same file as $TMP/rd/repwatch-report.md" "$TMP/rd.err"
check clobber_report_dir_db_kept [ "$(sha256sum <"$TMP/rd/repwatch-report.md")" = "$rsum" ]

# FIFOs and devices are refused (use - for standard output); no hang.
mkfifo "$TMP/fifo"
refused clobber_out_fifo "--out $TMP/fifo is a FIFO" "$RW" report --db "$db" --out "$TMP/fifo"
refused clobber_out_device "--out /dev/null is a device" "$RW" report --db "$db" --out /dev/null
refused clobber_out_dev_stdout "--out /dev/stdout is a device" sh -c 'exec "$1" report --db "$2" --out /dev/stdout >"$3"' sh "$RW" "$db" "$TMP/redirected.md"
check clobber_dev_stdout_intact [ -L /dev/stdout ] || [ -e /dev/stdout ]
refused clobber_alerts_fifo "--alerts $TMP/fifo is a FIFO" "$RW" run --data "$D" --db "$db" --as-of $ASOF --alerts "$TMP/fifo"
"$RW" report --db "$db" --out - >"$TMP/stdout.md" 2>/dev/null
check clobber_out_dash_stdout [ $? -eq 0 ] && check clobber_out_dash_written [ -s "$TMP/stdout.md" ]

# A symlink at the destination is replaced, its target left alone.
echo precious >"$TMP/precious.txt"
ln -s precious.txt "$TMP/link.md"
"$RW" report --db "$db" --out "$TMP/link.md" >/dev/null 2>&1
check clobber_symlink_dest_exit0 [ $? -eq 0 ]
check clobber_symlink_target_kept [ "$(cat "$TMP/precious.txt")" = precious ]
check clobber_symlink_replaced [ ! -L "$TMP/link.md" ] && check clobber_symlink_report [ -s "$TMP/link.md" ]
# A failed report (no such run) leaves the previous file, and no temporary.
echo old >"$TMP/kept.md"
"$RW" report --db "$db" --period 1999-01 --out "$TMP/kept.md" >/dev/null 2>&1
check clobber_failed_report_exit [ $? -ne 0 ]
check clobber_failed_report_kept [ "$(cat "$TMP/kept.md")" = old ]
check clobber_no_temporary [ -z "$(ls -A "$TMP" | grep '^\.kept')" ]

# The database in the data folder, rejects beside it: night after night.
mkdir "$TMP/same"
cp "$D"/*.csv "$TMP/same/"
"$RW" run --data "$TMP/same" --db "$TMP/same/r.db" --as-of $ASOF -q >/dev/null 2>"$TMP/same1.err"
check clobber_same_dir_first [ $? -eq 0 ]
"$RW" run --data "$TMP/same" --db "$TMP/same/r.db" --as-of $ASOF -q >/dev/null 2>"$TMP/same2.err"
check clobber_same_dir_second [ $? -eq 0 ]
check clobber_same_dir_rejects_header [ "$(head -1 "$TMP/same/rejects.csv")" = "file,line,column,reason,record" ]
