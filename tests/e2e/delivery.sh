# Alert delivery when the notifier misbehaves: it hangs (killed after
# notify_timeout_s), or exits non-zero after reading half its input.  The
# run's data is committed either way (exit 0, the failure reported); the
# notifications stay pending and a later run delivers each exactly once;
# nights with nothing new send nothing.
. "$(dirname "$0")/lib.sh"
db=$TMP/r.db
printf '[repwatch]\nnotify_timeout_s = 2\n' >"$TMP/fast.ini"
run() { "$RW" run --data sample-data --db "$db" --as-of $ASOF --config "$TMP/fast.ini" \
	--alerts "$TMP/alerts.ndjson" -q --notify "$1" 2>"$TMP/err"; }
pending() { sqlite3 "$db" "SELECT COUNT(*) FROM alerts WHERE pending IS NOT NULL"; }

cat >"$TMP/hang.sh" <<'SH'
#!/bin/sh
exec sleep 60
SH
cat >"$TMP/half.sh" <<'SH'
#!/bin/sh
head -c 200 >/dev/null
exit 1
SH
cat >"$TMP/good.sh" <<'SH'
#!/bin/sh
cat >>"$1"
SH
chmod +x "$TMP/hang.sh" "$TMP/half.sh" "$TMP/good.sh"

t0=$(date +%s)
run "$TMP/hang.sh"
rc=$?
t1=$(date +%s)
check delivery_hang_exit0 [ "$rc" -eq 0 ]
check delivery_hang_killed grep -q 'still running after 2 s: killed' "$TMP/err"
check delivery_hang_bounded [ $((t1 - t0)) -lt 30 ]
n=$(pending)
check delivery_hang_pending [ "$n" -gt 0 ]

run "$TMP/half.sh"
check delivery_half_exit0 [ $? -eq 0 ]
check delivery_half_reported grep -q 'exited with status 1' "$TMP/err"
check delivery_half_still_pending [ "$(pending)" -eq "$n" ]

run "$TMP/good.sh $TMP/got"
check delivery_retry_exit0 [ $? -eq 0 ]
check delivery_all_delivered [ "$(wc -l <"$TMP/got")" -eq "$n" ]
check delivery_exactly_once [ "$(sort "$TMP/got" | uniq -d | wc -l)" -eq 0 ]
check delivery_cleared [ "$(pending)" -eq 0 ]

run "$TMP/good.sh $TMP/got"
run "$TMP/good.sh $TMP/got"
check delivery_quiet_nights [ "$(wc -l <"$TMP/got")" -eq "$n" ]
