# The notifier recipes of examples/notify, end to end: repwatch runs them
# with --notify against stand-ins (a loopback HTTP listener, a fake
# sendmail that writes to a file).  Success: every notification reaches the
# chat (one message per manager) or the digest (a section per manager) and
# none stays pending.  Failure (HTTP 500, no listener, sendmail exit 75): the
# run still succeeds, the recipe's failure is reported, and every
# notification stays pending in the database until a later run delivers it.
. "$(dirname "$0")/lib.sh"
chat=examples/notify/chat-webhook.sh
mail=examples/notify/mail-digest.sh
printf '[repwatch]\nnotify_timeout_s = 30\n' >"$TMP/fast.ini"
pending() { sqlite3 "$1" "SELECT COUNT(*) FROM alerts WHERE pending IS NOT NULL"; }
run() { local db=$1; shift
	"$RW" run --data sample-data --db "$db" --as-of $ASOF --config "$TMP/fast.ini" \
		--alerts "$TMP/alerts.ndjson" -q --notify "$@" 2>"$TMP/err"; }
# Distinct managers of the notifications, read with grep (not jq).
managers() { grep -o '"manager":\("[^"]*"\|null\)' "$1" | sort -u | wc -l; }

missing=""
for t in jq curl python3; do command -v $t >/dev/null || missing="$missing $t"; done
if [ -n "$missing" ]; then
	skip notify_chat "not installed:$missing (Debian: jq curl python3)"
else
	# The listener answers with the status in $TMP/status and logs
	# "STATUS CONTENT-TYPE BODY" per request.
	cat >"$TMP/server.py" <<'PY'
import http.server, sys
status, log, portfile = sys.argv[1:4]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        code = int(open(status).read().strip())
        with open(log, 'ab') as f:
            f.write(b'%d %s %s\n' % (code, self.headers.get('Content-Type', '').encode(),
                                    body.replace(b'\n', b' ')))
        self.send_response(code)
        self.send_header('Content-Length', '0')
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
with open(portfile + '.tmp', 'w') as f:
    f.write(str(s.server_address[1]))
import os
os.rename(portfile + '.tmp', portfile)
s.serve_forever()
PY
	echo 200 >"$TMP/status"
	python3 "$TMP/server.py" "$TMP/status" "$TMP/http.log" "$TMP/port" &
	srv=$!
	trap 'kill $srv 2>/dev/null; rm -rf "$TMP"' EXIT
	for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
	export REPWATCH_WEBHOOK_URL=http://127.0.0.1:$(cat "$TMP/port")/hooks/sales
	check notify_listener [ -s "$TMP/port" ]

	# Success: one POST per manager, JSON, every notification in one.
	: >"$TMP/http.log"; : >"$TMP/alerts.ndjson"
	run "$TMP/ok.db" "$chat"
	check notify_chat_exit0 [ $? -eq 0 ]
	n=$(grep -c . "$TMP/alerts.ndjson")
	check notify_chat_one_per_manager all_of "[ $n -gt 0 ]" \
		"[ $(grep -c '^200 application/json ' "$TMP/http.log") -eq $(managers "$TMP/alerts.ndjson") ]"
	# Each message is JSON with a text; every rule of every notification
	# is in the messages, as many times as it was sent.
	cut -d' ' -f3- "$TMP/http.log" >"$TMP/bodies"
	check notify_chat_json all_of "jq -e '.text | length > 0' \"$TMP/bodies\" >/dev/null"
	got=$(jq -r .text "$TMP/bodies" | grep -c '^- \[')
	check notify_chat_every_line [ "$got" -eq "$n" ]
	check notify_chat_team_shift grep -q 'Marcus Webb.*team West' "$TMP/bodies"
	check notify_chat_cleared [ "$(pending "$TMP/ok.db")" -eq 0 ]

	# HTTP 500: run exit 0, the failure reported, all pending.
	echo 500 >"$TMP/status"
	: >"$TMP/http.log"; : >"$TMP/alerts.ndjson"
	run "$TMP/fail.db" "$chat"
	check notify_chat_500_exit0 [ $? -eq 0 ]
	check notify_chat_500_reported grep -q 'exited with status' "$TMP/err"
	check notify_chat_500_tried grep -q '^500 ' "$TMP/http.log"
	p=$(pending "$TMP/fail.db")
	check notify_chat_500_pending all_of "[ $p -gt 0 ]" "[ $p -eq $(grep -c . "$TMP/alerts.ndjson") ]"
	# The listener recovers: the next run delivers every one.
	echo 200 >"$TMP/status"
	: >"$TMP/http.log"
	run "$TMP/fail.db" "$chat"
	rc=$?
	check notify_chat_retry all_of "[ $rc -eq 0 ]" "[ \$(pending \"$TMP/fail.db\") -eq 0 ]" \
		"[ \$(jq -r .text <(cut -d' ' -f3- \"$TMP/http.log\") | grep -c '^- \[') -eq $p ]"

	# Input straight from a file: names with quotes, a line break and
	# non-ASCII text stay intact inside valid JSON; nothing to send is
	# no request; input that is not NDJSON fails.
	cat >"$TMP/odd.ndjson" <<'ND'
{"event":"new","rule":"r1","severity":"warning","rep":"X1","rep_name":"Zoë \"Z\" O'Neil","team":"Nord","manager":"Jörg \"the boss\"","message":"line one\nline two"}
{"event":"resolved","rule":"r2","severity":"info","rep":"X2","rep_name":null,"team":"Nord","manager":null,"message":"<b>&amp;</b>"}
ND
	: >"$TMP/http.log"
	"$chat" <"$TMP/odd.ndjson"
	rc=$?
	check notify_chat_odd_names all_of "[ $rc -eq 0 ]" "[ \$(grep -c '^200 ' \"$TMP/http.log\") -eq 2 ]" \
		"jq -r .text <(cut -d' ' -f3- \"$TMP/http.log\") | grep -qF 'Jörg \"the boss\"'" \
		"jq -r .text <(cut -d' ' -f3- \"$TMP/http.log\") | grep -qF 'Zoë \"Z\" O'\\''Neil'"
	: >"$TMP/http.log"
	"$chat" </dev/null
	rc=$?
	check notify_chat_nothing all_of "[ $rc -eq 0 ]" "[ ! -s \"$TMP/http.log\" ]"
	echo '{"event": broken' | "$chat" 2>/dev/null
	check notify_chat_bad_input [ $? -ne 0 ]

	# No URL, or nobody listening: pending as well.
	run "$TMP/nourl.db" "env -u REPWATCH_WEBHOOK_URL $chat"
	rc=$?
	check notify_chat_no_url all_of "[ $rc -eq 0 ]" "grep -q 'REPWATCH_WEBHOOK_URL is not set' \"$TMP/err\"" "[ \$(pending \"$TMP/nourl.db\") -gt 0 ]"
	kill $srv 2>/dev/null; wait $srv 2>/dev/null
	run "$TMP/down.db" "$chat"
	rc=$?
	check notify_chat_refused all_of "[ $rc -eq 0 ]" "[ \$(pending \"$TMP/down.db\") -gt 0 ]"
fi

if ! command -v jq >/dev/null; then
	skip notify_mail "jq is not installed (Debian: jq)"
else
	cat >"$TMP/sendmail" <<'SH'
#!/bin/sh
# A sendmail stand-in: the arguments, then the message, appended to a file.
{ echo "ARGS: $*"; cat; } >>"$FAKE_MAIL_LOG"
exit "${FAKE_SENDMAIL_RC:-0}"
SH
	chmod +x "$TMP/sendmail"
	export SENDMAIL=$TMP/sendmail FAKE_MAIL_LOG=$TMP/mail.log
	export REPWATCH_MAIL_TO="sales-ops@example.com, vp@example.com" REPWATCH_MAIL_FROM=repwatch@example.com

	: >"$TMP/alerts.ndjson"
	run "$TMP/mail.db" "$mail"
	check notify_mail_exit0 [ $? -eq 0 ]
	n=$(grep -c . "$TMP/alerts.ndjson")
	check notify_mail_one_message [ "$(grep -c '^ARGS: -t -oi$' "$TMP/mail.log")" -eq 1 ]
	check notify_mail_headers all_of \
		"grep -qx 'To: sales-ops@example.com, vp@example.com' \"$TMP/mail.log\"" \
		"grep -qx 'From: repwatch@example.com' \"$TMP/mail.log\"" \
		"grep -qx 'Subject: repwatch: $n notification(s)' \"$TMP/mail.log\"" \
		"grep -qx 'Content-Type: text/plain; charset=UTF-8' \"$TMP/mail.log\""
	check notify_mail_grouped [ "$(grep -c '^== .* ([0-9]*) ==$' "$TMP/mail.log")" -eq "$(managers "$TMP/alerts.ndjson")" ]
	check notify_mail_every_line all_of "[ $n -gt 0 ]" "[ \$(grep -c '^- \[' \"$TMP/mail.log\") -eq $n ]"
	check notify_mail_cleared [ "$(pending "$TMP/mail.db")" -eq 0 ]

	# A line break in a setting would add a header: refused.
	: >"$TMP/mail.log"
	REPWATCH_MAIL_TO="a@example.com
Bcc: x@example.com" "$mail" <"$TMP/alerts.ndjson" 2>/dev/null
	rc=$?
	check notify_mail_header_injection all_of "[ $rc -ne 0 ]" "[ ! -s \"$TMP/mail.log\" ]"
	"$mail" </dev/null
	rc=$?
	check notify_mail_nothing all_of "[ $rc -eq 0 ]" "[ ! -s \"$TMP/mail.log\" ]"

	# sendmail fails (75, EX_TEMPFAIL): pending until it works again.
	: >"$TMP/mail.log"; : >"$TMP/alerts.ndjson"
	FAKE_SENDMAIL_RC=75 run "$TMP/mfail.db" "$mail"
	check notify_mail_fail_exit0 [ $? -eq 0 ]
	check notify_mail_fail_reported grep -q 'exited with status 75' "$TMP/err"
	p=$(pending "$TMP/mfail.db")
	check notify_mail_fail_pending all_of "[ $p -gt 0 ]" "[ $p -eq $(grep -c . "$TMP/alerts.ndjson") ]"
	: >"$TMP/mail.log"
	run "$TMP/mfail.db" "$mail"
	rc=$?
	check notify_mail_retry all_of "[ $rc -eq 0 ]" "[ \$(pending \"$TMP/mfail.db\") -eq 0 ]" \
		"[ \$(grep -c '^- \[' \"$TMP/mail.log\") -eq $p ]"
fi
