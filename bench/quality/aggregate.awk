# Sums the lines of bench/quality/night.sh over seeds (score.sh runs it).
# A night that did not land (run failed) scores nothing but is counted.
function ratio(a, b) { return b > 0 ? sprintf("%.3f", a / b) : "NA" }
function median(v, n,   i, j, t) {
	if (n == 0) return "NA"
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
# Months from YYYY-MM-DD a to b (calendar months, days ignored).
function months(a, b) { return (substr(b, 1, 4) * 12 + substr(b, 6, 2)) - (substr(a, 1, 4) * 12 + substr(a, 6, 2)) }
$1 == "truth" { since[$2 SUBSEP $3 SUBSEP $4] = $7; night_end[$2 SUBSEP $3] = $8 }
$1 == "night" {
	nights[$2]++
	if ($4 != "0" && $4 != "3") { failed[$2]++; next }
	landed[$2 SUBSEP $3] = 1; ok[$2]++
	if ($5 == 1) has_tf = 1
}
$1 == "rep" {
	sc = $2; key = sc SUBSEP $3; planted = $6
	pip = $7 > 0; nonrec = $8 > 0; lag = $9 > 0; act = $10 > 0; any = $11 > 0
	if (sc != "deals_only") {
		seeds[$3] = 1
		# A PIP documents a sustained shortfall (the default rules judge
		# two quarters): a decline six months old or more by the night
		# is expected as a PIP candidate; a younger one as an early
		# warning at least, and a PIP on it counts as neither error.
		s = since[sc SUBSEP $3 SUBSEP $4]
		if (planted == "personal_decline" && (s == "" || months(s, night_end[sc SUBSEP $3]) >= 6)) {
			dec++; tp += pip; sdec[$3]++; stp[$3] += pip
		} else if (planted == "personal_decline") { rdec++; rflag += nonrec; rpip += pip }
		else { fp += pip; sfp[$3] += pip }
	}
	if (planted == "none") {
		none[key]++; nonef[key] += nonrec
		if (sc == "null") nullf[key] += nonrec
	}
	if (planted == "new_hire") { hires++; hiref += any }
	if (planted == "departed") { gone++; gonef += any }
	if (planted == "low_volume") { low++; lowlag += lag; lowpip += pip }
	if (planted == "improver_on_plan") { imp++; imppip += pip }
}
$1 == "team" {
	if ($5 == 1) {
		drops++; droppip += $8
		if ($6 > 0 && $8 == 0) dropfound++
		if ($6 > 0) dropdown++
	} else falsetf[$2 SUBSEP $3] += $7
}
$1 == "extra" {
	falsetf[$2 SUBSEP $3] += $4
	if ($2 == "deals_only") doact += $5
}
$1 == "plan" { status[$5]++ }
END {
	n = 0; sum = 0; tfsum = 0; mx = 0
	for (k in none) {
		r = nonef[k] / none[k]; fa[++n] = r; sum += r
		if (r > mx) mx = r
		tfsum += falsetf[k]
	}
	far = n ? sprintf("%.3f", sum / n) : "NA"
	farmed = median(fa, n); if (farmed != "NA") farmed = sprintf("%.3f", farmed)
	m = 0; s = 0
	for (k in landed) { split(k, p, SUBSEP); if (p[1] == "null") { nl[++m] = nullf[k]; s += nullf[k] } }
	nullmean = m ? sprintf("%.2f", s / m) : "NA"
	# a night that printed nothing at all (night.sh died) is a failure too
	runfail = 0; seen = 0
	for (sc in failed) if (sc != "deals_only") runfail += failed[sc]
	for (sc in nights) seen += nights[sc]
	if (expect > seen) runfail += expect - seen
	prec = ratio(tp, tp + fp); rec = ratio(tp, dec)
	# per seed, for the medians: precision where the seed had a PIP flag
	np = 0; nr = 0
	for (sd in seeds) {
		if (stp[sd] + sfp[sd] > 0) sp[++np] = stp[sd] / (stp[sd] + sfp[sd])
		if (sdec[sd] > 0) sr[++nr] = stp[sd] / sdec[sd]
	}
	pmed = median(sp, np); if (pmed != "NA") pmed = sprintf("%.3f", pmed)
	rmed = median(sr, nr); if (rmed != "NA") rmed = sprintf("%.3f", rmed)
	tdrop = ratio(dropfound, drops)
	doflags = failed["deals_only"] > 0 || ok["deals_only"] == 0 ? "NA" : doact
	for (st in status) plans = plans sprintf(" %s %d", st, status[st])

	printf "Alert quality: %d seeds, %d nights (team_findings table %s)\n\n", nseeds, n, has_tf ? "present" : "absent: no team finding counted"
	printf "%-34s %-12s %s\n", "figure", "value", "counted over"
	printf "%-34s %-12s %s\n", "PIP precision (personal decline)", prec, sprintf("%d true, %d other PIP reps, all scenarios but deals-only; seed median %s", tp, fp, pmed)
	printf "%-34s %-12s %s\n", "PIP recall (personal decline)", rec, sprintf("%d of %d decliners 6+ months into the decline; seed median %s", tp, dec, rmed)
	printf "%-34s %-12s %s\n", "recent declines flagged", ratio(rflag, rdec), sprintf("%d of %d decliners under 6 months in (any non-recognition flag; PIP: %d)", rflag, rdec, rpip)
	printf "%-34s %-12s %s\n", "false-alarm rate, mean per night", far, sprintf("median %s, max %.3f over %d nights", farmed, mx, n)
	printf "%-34s %-12s %s\n", "false team findings per night", n ? sprintf("%.2f", tfsum / n) : "NA", "findings on teams with no team-wide drop"
	printf "%-34s %-12s %s\n", "null company: flagged reps/night", nullmean, sprintf("of 35 reps, %d nights, median %s", m, median(nl, m))
	printf "%-34s %-12s %s\n", "team drop found as a team finding", tdrop, sprintf("%d of %d seeds (found down: %d; with no PIP on the team)", dropfound, drops, dropdown)
	printf "%-34s %-12s %s\n", "team drop reps flagged PIP", droppip + 0, sprintf("over %d planted teams", drops)
	printf "%-34s %-12s %s\n", "new hires flagged", hiref + 0, sprintf("of %d", hires)
	printf "%-34s %-12s %s\n", "departed reps flagged", gonef + 0, sprintf("of %d", gone)
	printf "%-34s %-12s %s\n", "low-volume reps, lagging flag", lowlag + 0, sprintf("of %d (PIP: %d)", low, lowpip)
	printf "%-34s %-12s %s\n", "improvers on plan flagged PIP", imppip + 0, sprintf("of %d; plan status:%s", imp, plans)
	printf "%-34s %-12s %s\n", "deals-only: activity-based flags", doflags, sprintf("%d of %d nights landed", ok["deals_only"], nights["deals_only"])
	printf "%-34s %-12s %s\n", "runs failed (full-data scenarios)", runfail, ""
	print ""
	printf "quality pip_precision %s\n", prec
	printf "quality pip_recall %s\n", rec
	printf "quality recent_decline_flagged %s\n", ratio(rflag, rdec)
	printf "quality false_alarm_rate %s\n", far
	printf "quality false_team_findings %s\n", n ? sprintf("%.2f", tfsum / n) : "NA"
	printf "quality null_flagged_reps %s\n", nullmean
	printf "quality team_drop_found %s\n", tdrop
	printf "quality team_drop_pip_reps %d\n", droppip
	printf "quality new_hire_flagged %d\n", hiref
	printf "quality departed_flagged %d\n", gonef
	printf "quality low_volume_lagging %d\n", lowlag
	printf "quality improver_pip %d\n", imppip
	printf "quality deals_only_activity_flags %s\n", doflags
	printf "quality run_failures %d\n", runfail
}
