#!/bin/sh
# mail-digest.sh - a repwatch --notify recipe: mails the night's
# notifications as one plain-text digest, grouped by manager, through a
# sendmail-compatible program (Postfix, Exim, msmtp, nullmailer).
#
#   repwatch run ... --notify /usr/local/share/repwatch/examples/notify/mail-digest.sh
#
# Reads the notifications (NDJSON, SPEC section 7) on standard input.
# Environment:
#   REPWATCH_MAIL_TO    recipients, comma-separated (required)
#   REPWATCH_MAIL_FROM  sender (default repwatch@HOSTNAME)
#   SENDMAIL            the program (default /usr/sbin/sendmail), called
#                       as "$SENDMAIL -t -oi" with the whole message on
#                       its standard input
# Headers carry only these settings, never input values (a name in the
# CRM cannot add a header).  Exits with sendmail's status when it fails,
# so that repwatch keeps the notifications pending for the next run.
# Under the systemd unit's NoNewPrivileges=yes a set-gid sendmail
# (Postfix's postdrop) cannot queue: use msmtp or nullmailer there.
# Needs jq.
set -eu

to=${REPWATCH_MAIL_TO:-}
from=${REPWATCH_MAIL_FROM:-repwatch@$(uname -n)}
sendmail=${SENDMAIL:-/usr/sbin/sendmail}
if [ -z "$to" ]; then
	echo "mail-digest.sh: REPWATCH_MAIL_TO is not set" >&2
	exit 2
fi
case $to$from in
*'
'*) echo "mail-digest.sh: a line break in REPWATCH_MAIL_TO or REPWATCH_MAIL_FROM" >&2; exit 2 ;;
esac
command -v jq >/dev/null || { echo "mail-digest.sh: jq is not installed" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/in"

jq -r -s '
	def who: .rep_name // (if .rep == "" or .rep == null then "team " + (.team // "?") else .rep end);
	"repwatch: \(length) notification\(if length == 1 then "" else "s" end), grouped by manager.",
	(group_by(.manager) | .[] |
	 "", "== \(.[0].manager // "no manager") (\(length)) ==",
	 (.[] | "- [\(.severity // "?")] \(who)\(if .team then " (" + .team + ")" else "" end): \(.rule // "?") \(.event // "?"), \(.grain // "") \(.period // "")",
	        "    \(.message // "")"))' "$tmp/in" >"$tmp/body" || {
	echo "mail-digest.sh: the input is not NDJSON" >&2
	exit 2
}
count=$(grep -c '[^[:space:]]' "$tmp/in" || true)
[ "$count" -gt 0 ] || exit 0

{
	printf 'From: %s\n' "$from"
	printf 'To: %s\n' "$to"
	printf 'Subject: repwatch: %s notification(s)\n' "$count"
	printf 'MIME-Version: 1.0\n'
	printf 'Content-Type: text/plain; charset=UTF-8\n'
	printf 'Content-Transfer-Encoding: 8bit\n'
	printf '\n'
	cat "$tmp/body"
} >"$tmp/mail"
# -t: recipients from the headers; -oi: a line of one dot is not the end.
$sendmail -t -oi <"$tmp/mail"
