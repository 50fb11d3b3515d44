/*
 * md.c - the Markdown trend report: a team overview (one line per rep with
 * the period's key metrics and trend arrows that show significance), then
 * the reps whose key metrics declined significantly, with the series, the
 * fit and the team's median over the same window beside them.
 */
#include "reports_int.h"

#include <math.h>
#include <string.h>


/* ▲ ▼ for a significant rise or fall, → for none, · for no trend. */
const char *rw_arrow(const struct rw_rtrend *t)
{
	if (t->n < 3)
		return "\xc2\xb7";
	if (!rw_trend_sig(t) || t->slope == 0)
		return "\xe2\x86\x92";
	return t->slope > 0 ? "\xe2\x96\xb2" : "\xe2\x96\xbc";
}

static void md_header(FILE *fp, const struct rw_report_data *d)
{
	fprintf(fp, "# repwatch trend report\n\n");
	fprintf(fp, "Run %lld as of %s, grain %s. The overview shows %s %s, the "
		"latest complete %s; trends are fitted over the last %d complete "
		"%ss.\n\n", (long long)d->run_id, d->as_of, d->grain, d->grain,
		d->period, d->grain, d->trend_periods, d->grain);
	fprintf(fp, "Arrows: \xe2\x96\xb2 rising, \xe2\x96\xbc falling (trend "
		"slope significant at p < %.2f; weighted by closed deals for "
		"ratios), \xe2\x86\x92 no significant trend, \xc2\xb7 fewer than 3 "
		"periods. \xe2\x80\x94 means no data (for example no closed deal, "
		"so no win rate).\n\n", RW_ALPHA);
	if (*rw_data_note(d))
		fprintf(fp, "%s\n\n", rw_data_note(d));
}

static void md_cell(FILE *fp, const struct rw_rrep *r, enum rw_key k)
{
	char v[48], lo[48], hi[48];

	rw_fmt_value(rw_keys[k].kind, r->v[k], v, sizeof(v));
	fprintf(fp, " %s", v);
	if (k == RW_K_WIN_RATE && isfinite(r->v[k]) && isfinite(r->lo) && isfinite(r->hi)) {
		rw_fmt_value(RW_K_PCT, r->lo, lo, sizeof(lo));
		rw_fmt_value(RW_K_PCT, r->hi, hi, sizeof(hi));
		fprintf(fp, " (%s\xe2\x80\x93%s)", lo, hi);
	}
	fprintf(fp, " %s |", rw_arrow(&r->tr[k]));
}

/* Median row of a team: the engine's stored median (team_baselines), the
 * one every report and the assessment show. */
static int md_team_median(FILE *fp, sqlite3 *db, const struct rw_report_data *d,
			  const char *team, struct rw_err *err)
{
	double med[RW_NKEYS];
	char s[48];
	int rc = rw_report_team_medians(db, d, team, med, err);

	if (rc)
		return rc;
	fprintf(fp, "| *team median* | |");
	for (int k = 0; k < RW_NKEYS; k++) {
		rw_fmt_value(rw_keys[k].kind, med[k], s, sizeof(s));
		fprintf(fp, " %s |", s);
	}
	fputc('\n', fp);
	return 0;
}

static int md_overview(FILE *fp, sqlite3 *db, const struct rw_report_data *d,
		       struct rw_err *err)
{
	size_t i = 0;

	fprintf(fp, "## Team overview: %s %s\n\n", d->grain, d->period);
	if (!d->nreps)
		fprintf(fp, "No reps.\n\n");
	while (i < d->nreps) {
		const char *team = d->reps[i].team;
		const char *manager = rw_team_manager(d, team);
		size_t j = i;

		while (j < d->nreps && !strcmp(d->reps[j].team, team))
			j++;
		fprintf(fp, "### ");
		rw_md_escape(fp, *team ? team : "(no team)");
		if (*manager) {
			fprintf(fp, " (manager: ");
			rw_md_escape(fp, manager);
			fputc(')', fp);
		}
		fprintf(fp, "\n\n| rep | won/lost |");
		for (int k = 0; k < RW_NKEYS; k++)
			fprintf(fp, " %s%s |", rw_keys[k].title,
				k == RW_K_WIN_RATE ? " (95% CI)" : "");
		fprintf(fp, "\n|---|---:|");
		for (int k = 0; k < RW_NKEYS; k++)
			fprintf(fp, "---:|");
		fputc('\n', fp);
		for (size_t r = i; r < j; r++) {
			const struct rw_rrep *p = &d->reps[r];

			fprintf(fp, "| ");
			rw_md_escape(fp, p->name);
			rw_rep_id_suffix(fp, p->name, p->id, rw_md_escape);
			fprintf(fp, " |");
			if (isfinite(p->won) && isfinite(p->lost))
				fprintf(fp, " %.0f/%.0f |", p->won, p->lost);
			else
				fprintf(fp, " \xe2\x80\x94 |");
			for (int k = 0; k < RW_NKEYS; k++)
				md_cell(fp, p, (enum rw_key)k);
			fputc('\n', fp);
		}
		if (md_team_median(fp, db, d, team, err))
			return err->code;
		fputc('\n', fp);
		i = j;
	}
	if (d->nleft)
		fprintf(fp, "%zu rep%s who left before %s %s %s not shown.\n\n",
			d->nleft, d->nleft == 1 ? "" : "s", d->grain, d->period,
			d->nleft == 1 ? "is" : "are");
	return 0;
}

/*
 * The declining metrics of rep r (index ri), from the series loaded once
 * for the whole report: the last trend_periods complete periods, and the
 * run's team finding on the metric, if any.
 */
static void md_decline_rows(FILE *fp, const struct rw_report_data *d,
			    const struct rw_rseries *ss, size_t ri)
{
	const struct rw_rrep *r = &d->reps[ri];
	int n = d->trend_periods < ss->np ? d->trend_periods : ss->np;
	int first = ss->np - n, shown = 0;

	for (int k = 0; k < RW_NKEYS; k++) {
		const struct rw_rtrend *t = &r->tr[k];
		const double *v = rw_rep_series(ss, ri, k) + first;
		char s[64], c[48], tc[48];
		const struct rw_rfinding *f;

		if (!rw_declined((enum rw_key)k, t))
			continue;
		/* The team's shift is the engine's finding, never recomputed. */
		f = rw_report_finding(d, r->team, rw_keys[k].column);
		if (!shown++) {
			fprintf(fp, "| metric |");
			for (int i = 0; i < n; i++)
				fprintf(fp, " %s |", ss->labels[first + i]);
			fprintf(fp, " slope per %s | p | change | team finding | shift |\n|---|",
				d->grain);
			for (int i = 0; i < n + 5; i++)
				fprintf(fp, "---:|");
			fputc('\n', fp);
		}
		fprintf(fp, "| %s |", rw_keys[k].title);
		for (int i = 0; i < n; i++) {
			rw_fmt_value(rw_keys[k].kind, v[i], s, sizeof(s));
			fprintf(fp, " %s |", s);
		}
		rw_fmt_slope(rw_keys[k].kind, t->slope, s, sizeof(s));
		rw_fmt_change(t->change, c, sizeof(c));
		fprintf(fp, " %s | %.3f | %s |", s, t->p, c);
		if (f) {
			rw_fmt_change(f->change, tc, sizeof(tc));
			fprintf(fp, " %s from ", tc);
			rw_md_escape(fp, f->since);
			fprintf(fp, " |");
		} else {
			fprintf(fp, " \xe2\x80\x94 |");
		}
		if (*t->cp_period) {
			rw_fmt_slope(rw_keys[k].kind, t->cp_size, s, sizeof(s));
			fprintf(fp, " from ");
			rw_md_escape(fp, t->cp_period);
			fprintf(fp, " (%s) |\n", s);
		} else {
			fprintf(fp, " \xe2\x80\x94 |\n");
		}
		if (f) {
			fprintf(fp, "|  | *the %s team shifted on %s from %s (%d of %d reps): "
				"a team finding, not this rep alone* |", r->team, rw_keys[k].title,
				f->since, f->reps_down, f->reps);
			for (int i = 0; i < n + 4; i++)
				fprintf(fp, " |");
			fputc('\n', fp);
		}
	}
	if (shown)
		fputc('\n', fp);
}

static int md_declines(FILE *fp, sqlite3 *db, const struct rw_report_data *d,
		       struct rw_err *err)
{
	struct rw_rseries ss;
	size_t found = 0;
	int rc;

	rc = rw_report_load_series(db, d, &ss, err);
	if (rc) {
		rw_rseries_free(&ss);
		return rc;
	}
	fprintf(fp, "## Significant declines\n\n");
	fprintf(fp, "Reps with a key metric that moved the wrong way with a "
		"significant trend (p < %.2f) over the last %d complete %ss: "
		"the series, the fitted slope, the change of the last half of "
		"the window against the first, the team's shift on the metric "
		"when the run found one (team findings), and the period where a "
		"mean shift began.\n\n",
		RW_ALPHA, d->trend_periods, d->grain);
	for (size_t i = 0; i < d->nreps; i++) {
		const struct rw_rrep *r = &d->reps[i];
		int any = 0;

		for (int k = 0; k < RW_NKEYS; k++)
			any |= rw_declined((enum rw_key)k, &r->tr[k]);
		if (!any)
			continue;
		found++;
		fprintf(fp, "### ");
		rw_md_escape(fp, r->name);
		rw_rep_id_suffix(fp, r->name, r->id, rw_md_escape);
		fprintf(fp, ", ");
		rw_md_escape(fp, *r->team ? r->team : "(no team)");
		fprintf(fp, "\n\n");
		md_decline_rows(fp, d, &ss, i);
	}
	if (!found)
		fprintf(fp, "None.\n\n");
	rw_rseries_free(&ss);
	return 0;
}

int rw_md_report(FILE *out, sqlite3 *db, const struct rw_report_data *d,
		 struct rw_err *err)
{
	md_header(out, d);
	if (md_overview(out, db, d, err))
		return err->code;
	return md_declines(out, db, d, err);
}
