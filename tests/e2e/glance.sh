#!/usr/bin/env bash
# The report at a glance, in headless Chromium at 1280 px: no horizontal
# overflow (the document's scrollWidth within the viewport), flags ordered
# most severe first, the assessment's verdict and checkpoints shown; and the
# command-line mistakes that used to pass silently (--team / --period that
# match nothing, a folder no profile reads).  Skipped (not failed) where
# Chromium is absent.
. "$(dirname "$0")/lib.sh"
db=$TMP/g.db
"$RW" run --data sample-data --db "$db" --as-of $ASOF -q >/dev/null 2>"$TMP/err"
check glance_setup_run [ $? -eq 0 ]

"$RW" report --db "$db" --team Nope >"$TMP/out" 2>"$TMP/err"
rc=$?
check glance_team_nope_exit1 all_of "[ $rc -eq 1 ]" 'grep -q "\"Nope\"" "$TMP/err"' '[ ! -s "$TMP/out" ]'
"$RW" report --db "$db" --period 1999-01 >"$TMP/out" 2>"$TMP/err"
rc=$?
check glance_period_none_exit1 all_of "[ $rc -eq 1 ]" 'grep -q "\"1999-01\"" "$TMP/err"'
mkdir -p "$TMP/other"
printf 'Deal Ref,Seller,Opened\nX1,ann,2026-01-01\n' >"$TMP/other/deals.csv"
"$RW" check --data "$TMP/other" >/dev/null 2>"$TMP/err"
rc=$?
check glance_check_points_to_examples all_of "[ $rc -ne 0 ]" 'grep -q "examples/" "$TMP/err"'
# A folder some profile reads gets no such hint.
"$RW" check --data sample-data >/dev/null 2>"$TMP/err"
check glance_check_no_hint_when_read [ "$(grep -c 'examples/' "$TMP/err")" = 0 ]

"$RW" report --db "$db" --format html --out "$TMP/r.html" 2>"$TMP/err"
check glance_report_exit0 [ $? -eq 0 ]
"$RW" assess R003 --db "$db" --format html --out "$TMP/a.html" 2>"$TMP/err"
check glance_assess_exit0 [ $? -eq 0 ]

chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
	skip glance_browser "chromium not installed: layout not checked"
	exit 0
fi
flags="--headless --no-sandbox --disable-gpu --disable-extensions --no-first-run --hide-scrollbars"
# probe IN OUT: a copy of IN without its CSP (which forbids any script) and
# with a script that writes the layout facts into the page, for --dump-dom.
probe() {
	sed 's/<meta http-equiv="Content-Security-Policy"[^>]*>//' "$1" | sed 's|</body>||; s|</html>||' >"$2"
	cat >>"$2" <<'JS'
<script>
window.addEventListener('load', function () {
	var rank = { critical: 0, warning: 1, watch: 2, info: 3 };
	var rows = document.querySelectorAll('tr.flag-row'), sorted = 1, min = 9, prev = -1;
	rows.forEach(function (r) {
		var x = rank[r.dataset.severity];
		if (x < prev) sorted = 0;
		prev = x;
		if (x < min) min = x;
	});
	var out = 'scroll=' + document.documentElement.scrollWidth + ' view=' + window.innerWidth +
		' rows=' + rows.length + ' first=' + (rows.length ? rank[rows[0].dataset.severity] : -1) +
		' min=' + min + ' sorted=' + sorted;
	var p = document.createElement('pre');
	p.id = 'probe';
	p.textContent = out;
	document.body.appendChild(p);
});
</script>
</body></html>
JS
}
facts() {	# FILE -> the probe's line
	timeout 120 "$chrome" $flags --window-size=1280,900 --virtual-time-budget=3000 \
		--allow-file-access-from-files --dump-dom "file://$1" 2>/dev/null |
		sed -n 's/.*<pre id="probe">\([^<]*\)<\/pre>.*/\1/p'
}
probe "$TMP/r.html" "$TMP/rp.html"
probe "$TMP/a.html" "$TMP/ap.html"
r=$(facts "$TMP/rp.html")
a=$(facts "$TMP/ap.html")
echo "# report: $r"
echo "# assess: $a"
val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
check glance_report_probe [ -n "$r" ]
check glance_report_no_hscroll all_of "[ \"$(val "$r" view)\" = 1280 ]" "[ $(val "$r" scroll) -le 1280 ]"
check glance_assess_no_hscroll all_of "[ \"$(val "$a" view)\" = 1280 ]" "[ $(val "$a" scroll) -le 1280 ]"
# The sample has warnings (R003's pip_candidate among them) and lesser flags.
check glance_flags_first_most_severe all_of "[ $(val "$r" rows) -ge 2 ]" \
	"[ \"$(val "$r" first)\" = \"$(val "$r" min)\" ]" "[ \"$(val "$r" sorted)\" = 1 ]"
# The assessment as rendered: the verdict and the checkpoints.
timeout 120 "$chrome" $flags --window-size=1280,900 --dump-dom "file://$TMP/a.html" >"$TMP/adom.html" 2>/dev/null
check glance_assess_verdict grep -q '<p class="verdict"><strong>Verdict.</strong> Not structural' "$TMP/adom.html"
check glance_assess_checkpoints [ "$(grep -o '<td class="checkpoint">' "$TMP/adom.html" | wc -l)" -ge 3 ]
check glance_assess_checkpoint_days grep -q 'checkpoint day 30 (2026-11-30)' "$TMP/adom.html"
# Screenshots at 1280 px (the PNG's IHDR width, bytes 17-20).
# The report's first 3000 px: the overview and the flag table.
timeout 120 "$chrome" $flags --window-size=1280,3000 --screenshot="$TMP/r.png" "file://$TMP/r.html" >/dev/null 2>&1
timeout 120 "$chrome" $flags --window-size=1280,1300 --screenshot="$TMP/a.png" "file://$TMP/a.html" >/dev/null 2>&1
w=$(od -An -tu1 -j16 -N4 "$TMP/r.png" 2>/dev/null | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
check glance_screenshot_1280 all_of "[ \"$w\" = 1280 ]" '[ -s "$TMP/a.png" ]'
# RW_SHOTS=DIR keeps them (docs/ holds the ones of the sample).
if [ -n "${RW_SHOTS:-}" ]; then
	cp "$TMP/r.png" "$RW_SHOTS/report-1280.png"
	cp "$TMP/a.png" "$RW_SHOTS/assess-1280.png"
fi
