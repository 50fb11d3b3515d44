# Faults during a run: the disk fills up (RLIMIT_FSIZE, with SIGXFSZ
# ignored so that writes fail with EFBIG as on a full disk), and the
# database cannot be written.  Each ends with a clear error, exit >= 4,
# and yesterday's data intact.
. "$(dirname "$0")/lib.sh"
db=$TMP/r.db
"$RW" run --data sample-data --db "$db" --as-of 2026-09-30 -q >/dev/null 2>/dev/null
check faults_setup [ $? -eq 0 ]
before=$(db_digest "$db")

( trap '' XFSZ; ulimit -f 256; exec "$RW" run --data sample-data --db "$db" --as-of $ASOF -q >/dev/null ) 2>"$TMP/full.err"
rc=$?
check disk_full_exit [ "$rc" -ge 4 ]
check disk_full_message grep -qi 'database\|disk\|write' "$TMP/full.err"
check disk_full_integrity [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ]
check disk_full_db_intact [ "$(db_digest "$db")" = "$before" ]
"$RW" run --data sample-data --db "$db" --as-of $ASOF -q >/dev/null 2>/dev/null
check disk_full_next_run_ok [ $? -eq 0 ]

# A database path in a folder that does not exist: exit 4, nothing created.
"$RW" run --data sample-data --db "$TMP/no/such/dir/r.db" --as-of $ASOF -q >/dev/null 2>"$TMP/nodir.err"
rc=$?
check db_unwritable_exit [ "$rc" -ge 4 ]
check db_unwritable_message grep -q 'no/such/dir' "$TMP/nodir.err"
# A file that is not a database: refused, left as it was.
printf 'not a database\n' >"$TMP/junk.db"
"$RW" run --data sample-data --db "$TMP/junk.db" --as-of $ASOF -q >/dev/null 2>"$TMP/junk.err"
rc=$?
check db_not_sqlite_exit [ "$rc" -ge 4 ]
check db_not_sqlite_untouched [ "$(cat "$TMP/junk.db")" = "not a database" ]

# A database on a read-only file system (a read-only bind mount; skipped
# where this process may not mount): exit 4, a clear message, data intact.
mkdir -p "$TMP/rw" "$TMP/ro"
cp "$db" "$TMP/rw/r.db"
ro_before=$(db_digest "$TMP/rw/r.db")
if mount --bind "$TMP/rw" "$TMP/ro" 2>/dev/null && mount -o remount,bind,ro "$TMP/ro" 2>/dev/null; then
	"$RW" run --data sample-data --db "$TMP/ro/r.db" --rejects "$TMP/rej.csv" --as-of $ASOF \
		-q >/dev/null 2>"$TMP/ro.err"
	rc=$?
	umount "$TMP/ro"
	check db_readonly_exit4 [ "$rc" -eq 4 ]
	check db_readonly_message grep -q 'read-only' "$TMP/ro.err"
	check db_readonly_intact [ "$(db_digest "$TMP/rw/r.db")" = "$ro_before" ]
else
	umount "$TMP/ro" 2>/dev/null
	skip db_readonly "this process may not bind-mount read-only"
fi
