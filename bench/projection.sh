#!/bin/bash
# projection.sh - how far the partial month's projected revenue lands from
# the month's actual revenue, by replaying the nightly job.
#
# usage: bench/projection.sh [DATA_DIR] [LAST_MONTH] [DAY]
#        (defaults: sample-data, 2026-10, 15; run from anywhere, after make)
#
# For each of the 12 months ending with LAST_MONTH, runs `repwatch run` with
# --as-of that month's DAY (a fresh database each time) and reads every
# rep's projected_revenue of the partial month; then one run on LAST_MONTH's
# last day gives each month's actual revenue (complete months, and the last
# one whole).  Prints, over the rep-months with both numbers, the median
# absolute error and the median and mean error (bias: projected - actual),
# and the same for the revenue won by DAY alone (the projection's floor),
# for comparison.  Scratch goes to $RWBENCH_DIR (default /tmp/rwbench).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
DATA=${1:-$root/sample-data}
LAST=${2:-2026-10}
DAY=${3:-15}
W=${RWBENCH_DIR:-/tmp/rwbench}/projection
RW=$root/build/repwatch
mkdir -p "$W"
rm -f "$W"/*.db "$W"/*.tsv "$W"/rejects*.csv

# The month n months before LAST, as YYYY-MM.
month_back() {
	local y=${LAST%-*} m=${LAST#*-}
	m=$((10#$m - $1))
	while [ "$m" -le 0 ]; do m=$((m + 12)); y=$((y - 1)); done
	printf '%04d-%02d' "$y" "$m"
}

for back in $(seq 11 -1 0); do
	mon=$(month_back "$back")
	"$RW" run --data "$DATA" --db "$W/p.db" --as-of "$mon-$(printf %02d "$DAY")" \
		--rejects "$W/rejects.csv" -q >/dev/null
	sqlite3 -separator '	' "$W/p.db" "SELECT rep_id, period, projected_revenue, revenue
		FROM rep_metrics WHERE grain = 'month' AND partial = 1
		AND projected_revenue IS NOT NULL" >>"$W/projected.tsv"
	rm -f "$W/p.db"
done
# Actual: the last day of LAST (the first of the next month, minus one day).
y=${LAST%-*}
m=$((10#${LAST#*-} + 1))
[ "$m" -gt 12 ] && { m=1; y=$((y + 1)); }
end=$(date -u -d "$(printf '%04d-%02d-01' "$y" "$m") - 1 day" +%F)
"$RW" run --data "$DATA" --db "$W/a.db" --as-of "$end" --rejects "$W/rejects.csv" -q >/dev/null
sqlite3 -separator '	' "$W/a.db" "SELECT rep_id, period, revenue FROM rep_metrics
	WHERE grain = 'month' AND revenue IS NOT NULL" >"$W/actual.tsv"

awk -F'\t' -v day="$DAY" '
function median(a, n,   i, j, t) {
	for (i = 2; i <= n; i++)	# insertion sort: a few hundred values
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
NR == FNR { actual[$1 SUBSEP $2] = $3; next }
($1 SUBSEP $2) in actual {
	a = actual[$1 SUBSEP $2]
	n++
	e = $3 - a; abs_p[n] = e < 0 ? -e : e; err_p[n] = e; sum_p += e
	e = $4 - a; abs_s[n] = e < 0 ? -e : e; err_s[n] = e; sum_s += e
	tot += a
}
END {
	if (!n) { print "no rep-month with both numbers"; exit 1 }
	printf "rep-months: %d (day %d of each of 12 months), mean actual revenue %.0f\n", n, day, tot / n
	printf "projected_revenue: median |error| %.0f, median error %.0f, mean error (bias) %.0f\n",
		median(abs_p, n), median(err_p, n), sum_p / n
	printf "won so far only:   median |error| %.0f, median error %.0f, mean error (bias) %.0f\n",
		median(abs_s, n), median(err_s, n), sum_s / n
}' "$W/actual.tsv" "$W/projected.tsv"
