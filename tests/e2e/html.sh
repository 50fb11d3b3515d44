# The HTML report of sample-data/ in a real browser (headless Chromium):
# one overview row per rep, one chart per rep and key metric, a screenshot
# and a PDF print, no console error, no remote load.  Skipped (not failed)
# where Chromium is absent.  Also: the JSON report against its schema.
. "$(dirname "$0")/lib.sh"
db=$TMP/r.db
"$RW" run --data sample-data --db "$db" --as-of $ASOF -q >/dev/null 2>"$TMP/err"
check html_setup_run [ $? -eq 0 ]
"$RW" report --db "$db" --format html --out "$TMP/r.html" 2>>"$TMP/err"
check html_report_exit0 [ $? -eq 0 ]
size=$(stat -c %s "$TMP/r.html")
check html_under_2mb [ "$size" -lt 2000000 ]
# Reps shown: those who had not left before the report's month.
"$RW" report --db "$db" --format json --out "$TMP/r.json" 2>>"$TMP/err"
check json_report_exit0 [ $? -eq 0 ]
nreps=$(sqlite3 "$db" "SELECT COUNT(*) FROM reps WHERE end_date IS NULL OR end_date >= '2026-09-01'")
# No URL in the document but the SVG namespace: nothing to fetch.
urls=$(grep -o 'https\?://[^" ]*' "$TMP/r.html" | grep -v '^http://www.w3.org/2000/svg$' | wc -l)
check html_no_remote_urls [ "$urls" -eq 0 ]

if command -v python3 >/dev/null && python3 -c 'import jsonschema' 2>/dev/null; then
	python3 - "$TMP/r.json" docs/report.schema.json <<'PY' >"$TMP/schema.out" 2>&1
import json, sys, jsonschema
doc = json.load(open(sys.argv[1])); schema = json.load(open(sys.argv[2]))
jsonschema.validate(doc, schema)
PY
	check json_report_schema [ $? -eq 0 ]
	[ -s "$TMP/schema.out" ] && sed 's/^/# /' "$TMP/schema.out" | head -5
else
	skip json_report_schema "python3-jsonschema not installed"
fi

chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
	skip html_browser "chromium not installed: DOM, charts, console, screenshot and PDF not checked"
	exit 0
fi
flags="--headless --no-sandbox --disable-gpu --disable-extensions --no-first-run --hide-scrollbars"
url="file://$(cd "$TMP" && pwd)/r.html"
timeout 120 "$chrome" $flags --enable-logging=stderr --v=0 --virtual-time-budget=2000 \
	--dump-dom "$url" >"$TMP/dom.html" 2>"$TMP/chrome.log"
check html_browser_dom [ -s "$TMP/dom.html" ]
rows=$(grep -o '<tr class="rep"' "$TMP/dom.html" | wc -l)
check html_one_row_per_rep [ "$rows" -eq "$nreps" ]
charts=$(grep -o '<svg class="chart"' "$TMP/dom.html" | wc -l)
check html_one_chart_per_rep_metric [ "$charts" -eq $((nreps * 8)) ]
bad=$(grep -Ei 'Uncaught|Refused to|Failed to load|ERR_' "$TMP/chrome.log" | grep -v 'dbus\|gcm\|GPU\|gpu' | wc -l)
check html_no_console_errors [ "$bad" -eq 0 ]
[ "$bad" -eq 0 ] || grep -Ei 'Uncaught|Refused to|Failed to load|ERR_' "$TMP/chrome.log" | head -5 | sed 's/^/# /'
timeout 120 "$chrome" $flags --window-size=1280,2400 --screenshot="$TMP/shot.png" "$url" >/dev/null 2>&1
check html_screenshot [ -s "$TMP/shot.png" ]
timeout 120 "$chrome" $flags --print-to-pdf="$TMP/r.pdf" --no-pdf-header-footer "$url" >/dev/null 2>&1
check html_pdf_print [ "$(head -c 4 "$TMP/r.pdf" 2>/dev/null)" = "%PDF" ]
