#!/bin/sh
# chat-webhook.sh - a repwatch --notify recipe: posts the night's
# notifications to a chat incoming webhook (Slack, Mattermost, Rocket.Chat,
# Google Chat, Teams), one message per manager.
#
#   repwatch run ... --notify /usr/local/share/repwatch/examples/notify/chat-webhook.sh
#
# Reads the notifications (NDJSON, one JSON object per line, SPEC section
# 7) on standard input.  Environment:
#   REPWATCH_WEBHOOK_URL    the webhook's URL (required; keep it out of
#                           command lines: it is a secret)
#   REPWATCH_WEBHOOK_FIELD  the payload's text field (default "text";
#                           Discord wants "content")
#   REPWATCH_WEBHOOK_TIMEOUT seconds per request (default 20)
#                           (repwatch kills the recipe at notify_timeout_s,
#                           60 by default: keep managers x this below it)
# Exits non-zero when the URL is missing, the input is not NDJSON or a
# post fails (an HTTP status >= 400, no connection): repwatch then keeps
# the notifications pending and sends them with the next run, so after a
# failure the managers already served get theirs again (at least once,
# never lost).  Needs curl and jq.
set -eu

url=${REPWATCH_WEBHOOK_URL:-}
field=${REPWATCH_WEBHOOK_FIELD:-text}
timeout=${REPWATCH_WEBHOOK_TIMEOUT:-20}
if [ -z "$url" ]; then
	echo "chat-webhook.sh: REPWATCH_WEBHOOK_URL is not set" >&2
	exit 2
fi
for tool in curl jq; do
	command -v "$tool" >/dev/null || { echo "chat-webhook.sh: $tool is not installed" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/in"

# One compact JSON payload a line, one line per manager (null: the
# notifications of reps without one).  -s slurps the NDJSON into an array.
jq -c -s --arg field "$field" '
	def who: .rep_name // (if .rep == "" or .rep == null then "team " + (.team // "?") else .rep end);
	group_by(.manager) | .[] |
	{ ($field): ("*repwatch* - " + ((.[0].manager // "no manager") | tostring) + ": "
		+ (length | tostring) + " notification" + (if length == 1 then "" else "s" end) + "\n"
		+ (map("- [" + (.severity // "?") + "] " + who
			+ (if .team then " (" + .team + ")" else "" end)
			+ ", " + (.rule // "?") + " " + (.event // "?") + ": " + (.message // ""))
		   | join("\n"))) }' "$tmp/in" >"$tmp/payloads" || {
	echo "chat-webhook.sh: the input is not NDJSON" >&2
	exit 2
}

n=0
while IFS= read -r payload; do
	n=$((n + 1))
	printf '%s' "$payload" >"$tmp/body"
	# --fail: an HTTP status >= 400 is exit 22.
	if ! curl -sS --fail --max-time "$timeout" -H 'Content-Type: application/json' \
		--data-binary "@$tmp/body" -o /dev/null "$url"; then
		echo "chat-webhook.sh: message $n (of $(wc -l <"$tmp/payloads")) was not accepted" >&2
		exit 1
	fi
done <"$tmp/payloads"
