/*
 * assess.c - `repwatch assess REP`: the data section of an improvement
 * plan (SPEC sections 1 and 7).  For the rep's latest complete period:
 * each key metric against the team (value, team median, percentile);
 * the history with the period where a decline began (the stored change
 * point); the leading causes (key metrics that declined significantly, or
 * sit in the team's worst quartile); whether the decline is structural
 * (the team's median moved about as much); and SMART goals, one per
 * problem metric on which the rep is behind the team median: from the
 * rep's baseline (mean of the last three complete periods) to the team
 * median, by as_of + plan_days.  A metric the rep already meets never gets
 * a goal; a rep with no problem metric gets none and is told so.
 */
#include "reports_int.h"
#include "../engine/engine.h"	/* the calendar */

#include <jansson.h>
#include <math.h>
#include <strings.h>
#include <string.h>

#define BASE_PERIODS 3	/* periods averaged into a goal's baseline */

struct goal {
	enum rw_key k;
	double baseline, target;
};

struct assessment {
	const struct rw_report_data *d;
	const struct rw_rseries *s;
	size_t r;			/* the rep in d->reps */
	int team;			/* index in s->teams, or -1 */
	double median[RW_NKEYS];	/* team median in the report's period */
	double pct[RW_NKEYS];		/* the rep's percentile in the team */
	double team_change[RW_NKEYS];	/* the team median's change, same window */
	int declined[RW_NKEYS], low[RW_NKEYS], structural[RW_NKEYS];
	int ndeclined, nstructural, nproblems;
	struct goal goals[RW_NKEYS];
	int ngoals;
	char deadline[16];
	struct rw_rflag *flags;
	size_t nflags;
};

static int find_rep(const struct rw_report_data *d, const char *who, size_t *r)
{
	for (size_t i = 0; i < d->nreps; i++)
		if (!strcmp(d->reps[i].id, who)) {
			*r = i;
			return 0;
		}
	for (size_t i = 0; i < d->nreps; i++)
		if (!strcasecmp(d->reps[i].name, who)) {
			*r = i;
			return 0;
		}
	return -1;
}

/* The rep's stored percentiles (<metric>_pct), NAN when absent. */
static void load_pct(sqlite3 *db, struct assessment *a)
{
	struct rw_buf b;
	sqlite3_stmt *st = NULL;

	for (int k = 0; k < RW_NKEYS; k++)
		a->pct[k] = NAN;
	rw_buf_init(&b, 2048);
	rw_buf_adds(&b, "SELECT ");
	for (int k = 0; k < RW_NKEYS; k++)
		rw_buf_addf(&b, "%s%s_pct", k ? ", " : "", rw_keys[k].column);
	rw_buf_adds(&b, " FROM rep_metrics WHERE rep_id = ?1 AND grain = ?2 AND period = ?3");
	if (!rw_buf_error(&b) &&
	    sqlite3_prepare_v2(db, b.data, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, a->d->reps[a->r].id, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_text(st, 2, a->d->grain, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_text(st, 3, a->d->period, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		for (int k = 0; k < RW_NKEYS; k++)
			if (sqlite3_column_type(st, k) != SQLITE_NULL)
				a->pct[k] = sqlite3_column_double(st, k);
	sqlite3_finalize(st);	/* databases without _pct columns: no percentiles */
	rw_buf_release(&b);
}

/* Behind the team: below its median, or above it where lower is better. */
static int behind(enum rw_key k, double v, double median)
{
	if (!isfinite(v) || !isfinite(median))
		return 0;
	return rw_keys[k].up_is_good ? v < median : v > median;
}

static void judge(struct assessment *a, int plan_days)
{
	const struct rw_report_data *d = a->d;
	const struct rw_rrep *p = &d->reps[a->r];
	const struct rw_rseries *s = a->s;
	int n = s->np < d->trend_periods ? s->np : d->trend_periods;
	int32_t day;

	for (int k = 0; k < RW_NKEYS; k++) {
		const double *band = a->team >= 0 ? rw_band(s, (size_t)a->team, k) : NULL;
		double med[RW_MAXP];

		a->median[k] = band && s->np ? band[3 * (s->np - 1)] : NAN;
		for (int i = 0; i < n; i++)
			med[i] = band ? band[3 * (s->np - n + i)] : NAN;
		a->team_change[k] = rw_half_change(med, n);
		a->declined[k] = rw_declined((enum rw_key)k, &p->tr[k]);
		a->low[k] = isfinite(a->pct[k]) &&
			    (rw_keys[k].up_is_good ? a->pct[k] < 25 : a->pct[k] > 75);
		/* The engine's team finding is the one definition. */
		a->structural[k] = a->declined[k] &&
			rw_report_finding(d, p->team, rw_keys[k].column) != NULL;
		a->ndeclined += a->declined[k];
		a->nstructural += a->structural[k];
		if (!a->declined[k] && !a->low[k])
			continue;
		a->nproblems++;
		if (!behind((enum rw_key)k, p->v[k], a->median[k]))
			continue;	/* already meets the team: no goal */
		{
			const double *v = rw_rep_series(s, a->r, k);
			double sum = 0;
			int c = 0;

			for (int i = s->np - BASE_PERIODS; i < s->np; i++)
				if (i >= 0 && isfinite(v[i])) {
					sum += v[i];
					c++;
				}
			a->goals[a->ngoals].k = (enum rw_key)k;
			a->goals[a->ngoals].baseline = c ? sum / c : p->v[k];
			a->goals[a->ngoals].target = a->median[k];
			a->ngoals++;
		}
	}
	/* Deadline: as_of + plan_days (as_of is the run's, "YYYY-MM-DD"). */
	if (!rw_day_parse(d->as_of, &day)) {
		rw_day_format(day + plan_days, a->deadline, sizeof(a->deadline));
	} else {
		snprintf(a->deadline, sizeof(a->deadline), "?");
	}
}

/* ---- Markdown ----------------------------------------------------------- */

/* The run's team findings for the rep's team, whatever the rep's own
 * metrics: a manager writing a plan should know what hit everyone. */
static void md_team_findings(FILE *fp, const struct assessment *a)
{
	const struct rw_rrep *p = &a->d->reps[a->r];
	int n = 0;

	for (size_t i = 0; i < a->d->nfindings; i++) {
		const struct rw_rfinding *f = &a->d->findings[i];
		char cs[32];

		if (strcmp(f->team, p->team))
			continue;
		if (!n++) {
			fprintf(fp, "Team findings of this run for ");
			rw_md_escape(fp, p->team);
			fprintf(fp, ": ");
		} else {
			fprintf(fp, "; ");
		}
		rw_fmt_change(f->change, cs, sizeof(cs));
		rw_md_escape(fp, f->metric);
		fprintf(fp, " %s from %s (%d of %d reps)", cs, f->since, f->reps_down, f->reps);
	}
	if (n)
		fprintf(fp, ".\n\n");
}

static void md_summary(FILE *fp, const struct assessment *a)
{
	const struct rw_rrep *p = &a->d->reps[a->r];
	int first = 1;

	fprintf(fp, "## Summary\n\n");
	if (!a->nproblems) {
		fprintf(fp, "No key metric declined significantly over the last %d %ss and "
			"none is in the team's worst quartile: nothing in the data calls "
			"for an improvement plan.\n\n", a->d->trend_periods, a->d->grain);
		return;
	}
	rw_md_escape(fp, p->name);
	fprintf(fp, ": ");
	for (int k = 0; k < RW_NKEYS; k++) {
		if (!a->declined[k] && !a->low[k])
			continue;
		fprintf(fp, "%s%s %s", first ? "" : "; ", rw_keys[k].title,
			a->declined[k] ? "declined significantly" : "in the team's worst quartile");
		if (a->declined[k] && *p->tr[k].cp_period)
			fprintf(fp, " (from %s)", p->tr[k].cp_period);
		first = 0;
	}
	fprintf(fp, ".\n\n");
	if (a->ndeclined && a->nstructural == a->ndeclined)
		fprintf(fp, "**Structural:** the run found the team shifting together on "
			"every declining metric (team findings): a team-wide matter for the "
			"manager, not grounds for a personal plan.\n\n");
	else if (a->nstructural)
		fprintf(fp, "**Partly structural:** some of the decline is a shift the whole "
			"team made (marked below); the rest is specific to this rep.\n\n");
	else if (a->ndeclined)
		fprintf(fp, "**Not structural:** the run found no team-wide shift on these "
			"metrics; the decline is specific to this rep.\n\n");
	md_team_findings(fp, a);
}

static void md_current(FILE *fp, const struct assessment *a)
{
	const struct rw_rrep *p = &a->d->reps[a->r];

	fprintf(fp, "## Current performance against the team (%s %s)\n\n"
		"| metric | value | team median | percentile in team | trend |\n"
		"|---|---:|---:|---:|---|\n", a->d->grain, a->d->period);
	for (int k = 0; k < RW_NKEYS; k++) {
		char v[48], m[48];

		rw_fmt_value(rw_keys[k].kind, p->v[k], v, sizeof(v));
		rw_fmt_value(rw_keys[k].kind, a->median[k], m, sizeof(m));
		fprintf(fp, "| %s | %s | %s | ", rw_keys[k].title, v, m);
		if (isfinite(a->pct[k]))
			fprintf(fp, "%.0f | ", a->pct[k]);
		else
			fprintf(fp, "\xe2\x80\x94 | ");
		fprintf(fp, "%s |\n", rw_arrow(&p->tr[k]));
	}
	fprintf(fp, "\n");
}

static void md_history(FILE *fp, const struct assessment *a)
{
	const struct rw_rseries *s = a->s;
	const struct rw_rrep *p = &a->d->reps[a->r];

	fprintf(fp, "## History\n\nThe last %d complete %ss; *inflection* is the "
		"period where a significant shift of the mean began.\n\n| metric |",
		s->np, a->d->grain);
	for (int i = 0; i < s->np; i++)
		fprintf(fp, " %s |", s->labels[i]);
	fprintf(fp, " inflection |\n|---|");
	for (int i = 0; i <= s->np; i++)
		fprintf(fp, "---:|");
	fprintf(fp, "\n");
	for (int k = 0; k < RW_NKEYS; k++) {
		const double *v = rw_rep_series(s, a->r, k);

		fprintf(fp, "| %s |", rw_keys[k].title);
		for (int i = 0; i < s->np; i++) {
			char c[48];

			rw_fmt_value(rw_keys[k].kind, v[i], c, sizeof(c));
			fprintf(fp, " %s |", c);
		}
		fprintf(fp, " %s |\n", *p->tr[k].cp_period ? p->tr[k].cp_period : "\xe2\x80\x94");
	}
	fprintf(fp, "\n");
}

static void md_causes(FILE *fp, const struct assessment *a)
{
	const struct rw_rrep *p = &a->d->reps[a->r];

	fprintf(fp, "## Leading causes\n\n");
	if (!a->nproblems) {
		fprintf(fp, "None.\n\n");
		return;
	}
	for (int k = 0; k < RW_NKEYS; k++) {
		const struct rw_rtrend *t = &p->tr[k];
		char sl[48], ch[48], tc[48], sz[48];

		if (!a->declined[k] && !a->low[k])
			continue;
		fprintf(fp, "- **%s**: ", rw_keys[k].title);
		if (a->declined[k]) {
			rw_fmt_slope(rw_keys[k].kind, t->slope, sl, sizeof(sl));
			rw_fmt_change(t->change, ch, sizeof(ch));
			rw_fmt_change(a->team_change[k], tc, sizeof(tc));
			fprintf(fp, "%s per %s (p = %.3f), %s from the first half of the "
				"window to the second; the team's median %s", sl, a->d->grain,
				t->p, ch, tc);
			if (*t->cp_period) {
				rw_fmt_slope(rw_keys[k].kind, t->cp_size, sz, sizeof(sz));
				fprintf(fp, "; shift from %s (%s)", t->cp_period, sz);
			}
			if (a->structural[k])
				fprintf(fp, " \xe2\x80\x94 *team-wide*");
		}
		if (a->low[k])
			fprintf(fp, "%sin the team's worst quartile (percentile %.0f)",
				a->declined[k] ? "; " : "", a->pct[k]);
		fprintf(fp, ".\n");
	}
	fprintf(fp, "\n");
}

static void md_goals(FILE *fp, const struct assessment *a)
{
	fprintf(fp, "## Proposed goals\n\n");
	if (!a->ngoals) {
		fprintf(fp, "None: the rep meets the team median on every metric "
			"that needs attention%s.\n\n", a->nproblems ? "" : " (there is none)");
		return;
	}
	fprintf(fp, "Specific, measurable and time-bound: each from the rep's baseline "
		"(mean of the last %d complete %ss) to the team's current median, by "
		"the deadline; measured by repwatch each %s.\n\n"
		"| metric | baseline | target | deadline | measured as |\n"
		"|---|---:|---:|---|---|\n", BASE_PERIODS, a->d->grain, a->d->grain);
	for (int i = 0; i < a->ngoals; i++) {
		const struct goal *g = &a->goals[i];
		char b[48], t[48];

		rw_fmt_value(rw_keys[g->k].kind, g->baseline, b, sizeof(b));
		rw_fmt_value(rw_keys[g->k].kind, g->target, t, sizeof(t));
		fprintf(fp, "| %s | %s | %s | %s | `%s`, %sly |\n", rw_keys[g->k].title,
			b, t, a->deadline, rw_keys[g->k].column, a->d->grain);
	}
	fprintf(fp, "\n");
}

static void md_flags(FILE *fp, const struct assessment *a)
{
	int n = 0;

	for (size_t i = 0; i < a->nflags; i++) {
		if (strcmp(a->flags[i].rep_id, a->d->reps[a->r].id))
			continue;
		if (!n++)
			fprintf(fp, "## Flags raised by the rules\n\n");
		fprintf(fp, "- %s / %s (", a->flags[i].category, a->flags[i].severity);
		rw_md_escape(fp, a->flags[i].rule);
		fprintf(fp, "): ");
		rw_md_escape(fp, a->flags[i].message);
		fprintf(fp, "\n");
	}
	if (n)
		fprintf(fp, "\n");
}

static void assess_md(FILE *fp, const struct assessment *a)
{
	const struct rw_rrep *p = &a->d->reps[a->r];

	fprintf(fp, "# Performance assessment: ");
	rw_md_escape(fp, p->name);
	fprintf(fp, " (");
	rw_md_escape(fp, p->id);
	fprintf(fp, ")\n\nTeam ");
	rw_md_escape(fp, p->team);
	if (*p->manager) {
		fprintf(fp, ", manager ");
		rw_md_escape(fp, p->manager);
	}
	fprintf(fp, ". Data as of %s (run %lld); latest complete %s %s.\n\n",
		a->d->as_of, (long long)a->d->run_id, a->d->grain, a->d->period);
	if (a->d->no_activities)
		fprintf(fp, "%s\n\n", rw_no_activity_note(a->d));
	md_summary(fp, a);
	md_current(fp, a);
	md_history(fp, a);
	md_causes(fp, a);
	md_flags(fp, a);
	md_goals(fp, a);
}

/* ---- HTML: the same sections, with the charts -------------------------- */

static void assess_html(FILE *fp, const struct assessment *a)
{
	const struct rw_rrep *p = &a->d->reps[a->r];
	char title[300];

	snprintf(title, sizeof(title), "Performance assessment: %s (%s)", p->name, p->id);
	rw_html_open(fp, title);
	fprintf(fp, "<h1>");
	rw_html_escape(fp, title);
	fprintf(fp, "</h1>\n<p class=\"meta\">Team ");
	rw_html_escape(fp, p->team);
	fprintf(fp, ", data as of %s (run %lld), latest complete %s %s.</p>\n",
		a->d->as_of, (long long)a->d->run_id, a->d->grain, a->d->period);
	fprintf(fp, "<div class=\"charts\">\n");
	for (int k = 0; k < RW_NKEYS; k++)
		rw_html_chart(fp, a->s, p, a->r, a->team, (enum rw_key)k);
	fprintf(fp, "</div>\n<table class=\"assessment\"><tr><th>metric</th><th>value</th>"
		"<th>team median</th><th>percentile</th><th>inflection</th><th>cause</th></tr>\n");
	for (int k = 0; k < RW_NKEYS; k++) {
		char v[48], m[48];

		rw_fmt_value(rw_keys[k].kind, p->v[k], v, sizeof(v));
		rw_fmt_value(rw_keys[k].kind, a->median[k], m, sizeof(m));
		fprintf(fp, "<tr><td>%s</td><td>%s</td><td>%s</td><td>", rw_keys[k].title, v, m);
		if (isfinite(a->pct[k]))
			fprintf(fp, "%.0f", a->pct[k]);
		fprintf(fp, "</td><td>%s</td><td>%s</td></tr>\n",
			*p->tr[k].cp_period ? p->tr[k].cp_period : "",
			a->structural[k] ? "declined, team-wide" : a->declined[k] ?
			"declined" : a->low[k] ? "worst quartile" : "");
	}
	fprintf(fp, "</table>\n<h2>Proposed goals</h2>\n");
	if (!a->ngoals)
		fprintf(fp, "<p>None: nothing in the data calls for a goal.</p>\n");
	else
		fprintf(fp, "<table class=\"goals\"><tr><th>metric</th><th>baseline</th>"
			"<th>target</th><th>deadline</th></tr>\n");
	for (int i = 0; i < a->ngoals; i++) {
		char b[48], t[48];

		rw_fmt_value(rw_keys[a->goals[i].k].kind, a->goals[i].baseline, b, sizeof(b));
		rw_fmt_value(rw_keys[a->goals[i].k].kind, a->goals[i].target, t, sizeof(t));
		fprintf(fp, "<tr class=\"goal\"><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
			rw_keys[a->goals[i].k].title, b, t, a->deadline);
	}
	if (a->ngoals)
		fprintf(fp, "</table>\n");
	fprintf(fp, "</body>\n</html>\n");
}

/* ---- JSON --------------------------------------------------------------- */

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static void jput(json_t *o, const char *k, json_t *v, int *bad)
{
	if (!o || !v || json_object_set_new(o, k, v))
		*bad = 1;
}

static int assess_json(FILE *fp, const struct assessment *a, struct rw_err *err)
{
	const struct rw_rrep *p = &a->d->reps[a->r];
	json_t *root = json_object(), *cur = json_object(), *hist = json_object();
	json_t *infl = json_object(), *causes = json_array(), *goals = json_array();
	json_t *periods = json_array();
	int bad = 0, rc = 0;

	jput(root, "rep_id", json_string(p->id), &bad);
	jput(root, "name", json_string(p->name), &bad);
	jput(root, "team", json_string(p->team), &bad);
	jput(root, "as_of", json_string(a->d->as_of), &bad);
	jput(root, "grain", json_string(a->d->grain), &bad);
	jput(root, "period", json_string(a->d->period), &bad);
	for (int i = 0; i < a->s->np; i++)
		if (json_array_append_new(periods, json_string(a->s->labels[i])))
			bad = 1;
	jput(hist, "periods", periods, &bad);
	for (int k = 0; k < RW_NKEYS; k++) {
		const char *c = rw_keys[k].column;
		const double *v = rw_rep_series(a->s, a->r, k);
		json_t *m = json_object(), *arr = json_array();

		jput(m, "value", jnum(p->v[k]), &bad);
		jput(m, "team_median", jnum(a->median[k]), &bad);
		jput(m, "percentile", jnum(a->pct[k]), &bad);
		jput(cur, c, m, &bad);
		for (int i = 0; i < a->s->np; i++)
			if (json_array_append_new(arr, jnum(v[i])))
				bad = 1;
		jput(hist, c, arr, &bad);
		jput(infl, c, *p->tr[k].cp_period ? json_string(p->tr[k].cp_period) : json_null(), &bad);
		if (a->declined[k] || a->low[k]) {
			json_t *x = json_object();

			jput(x, "metric", json_string(c), &bad);
			jput(x, "declined", json_boolean(a->declined[k]), &bad);
			jput(x, "worst_quartile", json_boolean(a->low[k]), &bad);
			jput(x, "slope", jnum(p->tr[k].slope), &bad);
			jput(x, "p", jnum(p->tr[k].p), &bad);
			jput(x, "change", jnum(p->tr[k].change), &bad);
			jput(x, "team_median_change", jnum(a->team_change[k]), &bad);
			jput(x, "structural", json_boolean(a->structural[k]), &bad);
			if (json_array_append_new(causes, x))
				bad = 1;
		}
	}
	for (int i = 0; i < a->ngoals; i++) {
		json_t *g = json_object();

		jput(g, "metric", json_string(rw_keys[a->goals[i].k].column), &bad);
		jput(g, "baseline", jnum(a->goals[i].baseline), &bad);
		jput(g, "target", jnum(a->goals[i].target), &bad);
		jput(g, "deadline", json_string(a->deadline), &bad);
		if (json_array_append_new(goals, g))
			bad = 1;
	}
	jput(root, "current", cur, &bad);
	jput(root, "history", hist, &bad);
	jput(root, "inflection", infl, &bad);
	jput(root, "causes", causes, &bad);
	jput(root, "structural", json_boolean(a->ndeclined && a->nstructural == a->ndeclined), &bad);
	jput(root, "goals", goals, &bad);
	if (bad)
		rc = rw_err_set(err, RW_ENOMEM, "out of memory building the assessment "
				"(or text that is not UTF-8)");
	else if (json_dumpf(root, fp, JSON_INDENT(1) | JSON_REAL_PRECISION(10)) ||
		 fputc('\n', fp) == EOF)
		rc = rw_err_set(err, RW_EIO, "cannot write the assessment");
	json_decref(root);
	return rc;
}

int rw_assess_write(const struct rw_report_opts *opts, FILE *out,
		    struct rw_err *err)
{
	struct rw_report_opts o = *opts;
	struct rw_report_data d;
	struct rw_rseries s;
	struct assessment a;
	sqlite3 *db = NULL;
	int rc;

	if (opts->format == RW_FMT_CSV || (unsigned)opts->format >= RW_NFORMATS)
		return rw_err_set(err, RW_EUSAGE, "an assessment is written as md, html or json");
	if (!opts->rep)
		return rw_err_set(err, RW_EUSAGE, "no rep named");
	memset(&a, 0, sizeof(a));
	memset(&s, 0, sizeof(s));
	o.team = NULL;		/* the whole roster: the rep's team is found below */
	rc = rw_report_load(&o, &db, &d, err);
	if (!rc && find_rep(&d, opts->rep, &a.r))
		rc = rw_err_set(err, RW_EUSAGE, "no rep \"%s\" in the database (give a rep_id or a full name)",
				opts->rep);
	if (!rc)
		rc = rw_report_load_series(db, &d, &s, err);
	if (!rc)
		rc = rw_report_load_flags(db, &d, &a.flags, &a.nflags, err);
	if (!rc) {
		a.d = &d;
		a.s = &s;
		a.team = rw_rseries_team(&s, d.reps[a.r].team);
		load_pct(db, &a);
		judge(&a, opts->plan_days);
		if (opts->format == RW_FMT_JSON)
			rc = assess_json(out, &a, err);
		else if (opts->format == RW_FMT_HTML)
			assess_html(out, &a);
		else
			assess_md(out, &a);
	}
	rw_rflags_free(a.flags, a.nflags);
	rw_rseries_free(&s);
	rw_report_data_free(&d);
	sqlite3_close(db);
	if (!rc && (fflush(out) || ferror(out)))
		rc = rw_err_set(err, RW_EIO, "cannot write the assessment");
	return rc;
}
