# The systemd units of examples/systemd: systemd-analyze verify accepts
# them (with the built binary in ExecStart and the man pages of man/ for
# their Documentation=), the hardening the README promises is there, the
# database is inside the only writable folders, and ExecStart uses only
# options `repwatch run` has.
. "$(dirname "$0")/lib.sh"
svc=examples/systemd/repwatch.service
tmr=examples/systemd/repwatch.timer

if command -v systemd-analyze >/dev/null; then
	mkdir -p "$TMP/units" "$TMP/man/man1" "$TMP/man/man5"
	sed "s|/usr/local/bin/repwatch|$(realpath "$RWP")|" $svc >"$TMP/units/repwatch.service"
	cp $tmr "$TMP/units/"
	cp man/repwatch.1 "$TMP/man/man1/"
	cp man/repwatch.ini.5 "$TMP/man/man5/"
	(cd "$TMP/units" && MANPATH=$TMP/man systemd-analyze verify repwatch.service repwatch.timer) >"$TMP/out" 2>&1
	rc=$?
	check systemd_verify all_of "[ $rc -eq 0 ]" '[ ! -s "$TMP/out" ]'
	[ "$rc" -eq 0 ] || cat "$TMP/out"
else
	skip systemd_verify "systemd-analyze is not installed (Debian: systemd)"
fi

has() { grep -qx "$2" "$1"; }
check systemd_oneshot has $svc 'Type=oneshot'
check systemd_own_user all_of "has $svc 'User=repwatch'" "! grep -q '^User=root' $svc"
check systemd_hardening all_of "has $svc 'ProtectSystem=strict'" "has $svc 'NoNewPrivileges=yes'" \
	"has $svc 'PrivateTmp=yes'" "grep -q '^ReadWritePaths=' $svc"
check systemd_timer all_of "has $tmr 'Persistent=true'" "grep -q '^OnCalendar=' $tmr" \
	"has $tmr 'WantedBy=timers.target'"

# ExecStart, its continuation lines joined.
exec_line=$(sed -n '/^ExecStart=/,/[^\\]$/p' $svc | sed 's/\\$//' | tr -d '\n\t')
rw_paths=$(sed -n 's/^ReadWritePaths=//p' $svc)
writable() {
	local d
	for d in $rw_paths; do
		case $1 in "$d"/*) return 0 ;; esac
	done
	return 1
}
db=$(printf '%s\n' $exec_line | sed -n '/^--db$/{n;p}')
alerts=$(printf '%s\n' $exec_line | sed -n '/^--alerts$/{n;p}')
reports=$(printf '%s\n' $exec_line | sed -n '/^--report-dir$/{n;p}')
check systemd_db_writable all_of '[ -n "$db" ]' 'writable "$db"' 'writable "$alerts"' 'writable "$reports/x"'

opts=$("$RW" run --help | grep -oE -- '--[a-z][a-z-]*' | sort -u)
bad=""
for o in $(printf '%s\n' $exec_line | grep -E '^--'); do
	printf '%s\n' "$opts" | grep -qx -- "$o" || bad="$bad $o"
done
check systemd_exec_options all_of '[ -z "$bad" ]' '[ "$(printf "%s\n" $exec_line | grep -c -- "^--")" -gt 3 ]'
