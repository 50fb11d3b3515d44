/*
 * assess_doc.c - the assessment as Markdown and as HTML (the same
 * sections, with the charts): the status line, the structural verdict,
 * the current period against the team, the history, the causes, the goals
 * and their checkpoints, the flags and the plans past and present.
 */
#include "assess_int.h"

#include <math.h>
#include <string.h>

/* One sentence: why there are no goals, or "" when there are. */
const char *rw_assess_no_goal_text(const struct assessment *a, char *buf, size_t size)
{
	switch (a->why) {
	case NG_NONE:
		return "";
	case NG_DEPARTED:
		snprintf(buf, size, "None: the rep left on %s; this assessment of the "
			 "history is for the file.", a->d->reps[a->r].end_date);
		return buf;
	case NG_RAMPING:
		snprintf(buf, size, "None: ramping until %s (hired %s, ramp %d days); "
			 "a ramping rep is not judged against the team.", a->ramp_until,
			 a->d->reps[a->r].hire_date, a->ramp_days);
		return buf;
	case NG_ON_PLAN:
		return "None: the rep is on an open plan (below); score it before "
		       "proposing another.";
	case NG_TOP:
		return "None: a top performer (quota met or recognised by the rules).";
	case NG_NO_FLAG:
		return "None: no rule raised a pip_candidate or a warning for this rep; "
		       "nothing in the data calls for an improvement plan.";
	case NG_STRUCTURAL:
		return "None: the decline is the team's (team findings), a matter for "
		       "the manager, not a personal plan.";
	case NG_MEETS:
		return "None: the rep meets the team median, or has no achievable gain "
		       "left, on every metric the flags name.";
	}
	return "";
}

/* The structural verdict as one sentence ("" when nothing declined). */
const char *rw_assess_verdict_text(const struct assessment *a)
{
	if (a->ndeclined && a->nstructural == a->ndeclined)
		return "Structural: the run found the team shifting together on every "
		       "declining metric (team findings): a team-wide matter for the "
		       "manager, not grounds for a personal plan.";
	if (a->nstructural)
		return "Partly structural: some of the decline is a shift the whole team "
		       "made (marked below); the rest is specific to this rep.";
	if (a->ndeclined)
		return "Not structural: the run found no team-wide shift on these metrics; "
		       "the decline is specific to this rep.";
	return "";
}

/* The status line: departed, ramping, and the sample behind the period. */
void rw_assess_status_text(const struct assessment *a, char *buf, size_t size)
{
	const struct rw_rrep *p = &a->d->reps[a->r];
	char who[160], act[48];

	if (a->departed)
		snprintf(who, sizeof(who), "Departed %s: assessed on the history, for the file.",
			 p->end_date);
	else if (a->ramping)
		snprintf(who, sizeof(who), "Ramping until %s.", a->ramp_until);
	else if (*p->hire_date)
		snprintf(who, sizeof(who), "Out of ramp (hired %s).", p->hire_date);
	else
		snprintf(who, sizeof(who), "Ramp status unknown (no hire date).");
	if (isfinite(a->activities))
		snprintf(act, sizeof(act), "%.0f", a->activities);
	else
		snprintf(act, sizeof(act), "no");
	snprintf(buf, size, "%s Sample in %s %s: %.0f closed deals (%.0f won), %s "
		 "activities (calls, e-mails, meetings).", who, a->d->grain, a->d->period,
		 isfinite(p->won + p->lost) ? p->won + p->lost : 0,
		 isfinite(p->won) ? p->won : 0, act);
}

/*
 * The summary's list of problems, in any format (titles and period labels
 * need no escaping): "win rate declined significantly (from 2026-07);
 * ..." without the closing full stop.  Returns how many it wrote.
 */
static int problem_list(FILE *fp, const struct assessment *a)
{
	const struct rw_rrep *p = &a->d->reps[a->r];
	int n = 0;

	for (int k = 0; k < RW_NKEYS; k++) {
		if (!a->declined[k] && !a->low[k])
			continue;
		fprintf(fp, "%s%s %s", n++ ? "; " : "", rw_keys[k].title,
			a->declined[k] ? "declined significantly" : "in the team's worst quartile");
		if (a->declined[k] && *p->tr[k].cp_period)
			fprintf(fp, " (from %s)", p->tr[k].cp_period);
	}
	return n;
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
	fprintf(fp, "## Summary\n\n");
	if (!a->nproblems) {
		fprintf(fp, "No key metric declined significantly over the last %d %ss and "
			"none is in the team's worst quartile: nothing in the data calls "
			"for an improvement plan.\n\n", a->d->trend_periods, a->d->grain);
		return;
	}
	rw_md_escape(fp, a->d->reps[a->r].name);
	fprintf(fp, ": ");
	problem_list(fp, a);
	fprintf(fp, ".\n\n");
	if (*rw_assess_verdict_text(a))
		fprintf(fp, "**Verdict.** %s\n\n", rw_assess_verdict_text(a));
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
		const struct rw_rfinding *f = rw_report_finding(a->d, p->team, rw_keys[k].column);
		char sl[48], ch[48], tc[48], sz[48];

		if (!a->declined[k] && !a->low[k])
			continue;
		fprintf(fp, "- **%s**: ", rw_keys[k].title);
		if (a->declined[k]) {
			rw_fmt_slope(rw_keys[k].kind, t->slope, sl, sizeof(sl));
			rw_fmt_change(t->change, ch, sizeof(ch));
			fprintf(fp, "%s per %s (p = %.3f), %s from the first half of the "
				"window to the second; ", sl, a->d->grain, t->p, ch);
			if (f) {
				rw_fmt_change(f->change, tc, sizeof(tc));
				fprintf(fp, "the team shifted %s from ", tc);
				rw_md_escape(fp, f->since);
				fprintf(fp, " (team finding)");
			} else {
				fprintf(fp, "no team-wide shift found");
			}
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
	char why[256];

	fprintf(fp, "## Proposed goals\n\n");
	if (!a->ngoals) {
		fprintf(fp, "%s\n\n", rw_assess_no_goal_text(a, why, sizeof(why)));
		return;
	}
	fprintf(fp, "At most %d, from the causes behind the rep's flags (shortfall first). "
		"Each runs from the rep's baseline (mean of the last %d complete %ss) to "
		"the nearer of the rep's own level before the inflection and the team's "
		"p25\xe2\x80\x93median, no further than the best quarter of reps gained "
		"in a like window; measured by repwatch each %s.\n\n"
		"| metric | baseline | target | deadline | set by | measured as |\n"
		"|---|---:|---:|---|---|---|\n", MAX_GOALS, BASE_PERIODS, a->d->grain,
		a->d->grain);
	for (int i = 0; i < a->ngoals; i++) {
		const struct goal *g = &a->goals[i];
		char b[48], t[48];

		rw_fmt_value(rw_keys[g->k].kind, g->baseline, b, sizeof(b));
		rw_fmt_value(rw_keys[g->k].kind, g->target, t, sizeof(t));
		fprintf(fp, "| %s | %s | %s | %s | %s | `%s`, %sly |\n", rw_keys[g->k].title,
			b, t, a->deadline, g->basis, rw_keys[g->k].column, a->d->grain);
	}
	fprintf(fp, "\n### Checkpoints\n\n| metric |");
	for (int c = 0; c < NCHECK; c++)
		fprintf(fp, " day %d (%s) |", a->goals[0].cp[c].day, a->goals[0].cp[c].date);
	fprintf(fp, "\n|---|");
	for (int c = 0; c < NCHECK; c++)
		fprintf(fp, "---:|");
	fprintf(fp, "\n");
	for (int i = 0; i < a->ngoals; i++) {
		const struct goal *g = &a->goals[i];

		fprintf(fp, "| %s |", rw_keys[g->k].title);
		for (int c = 0; c < NCHECK; c++) {
			char t[48];

			rw_fmt_value(rw_keys[g->k].kind, g->cp[c].target, t, sizeof(t));
			fprintf(fp, " %s |", t);
		}
		fprintf(fp, "\n");
	}
	fprintf(fp, "\n");
}

/* A plan row's baseline, current and target, formatted as its metric. */
static void plan_values(const struct rplan *p, char b[48], char c[48], char t[48])
{
	int k = rw_key_of(p->metric);
	enum rw_kind kind = k >= 0 ? rw_keys[k].kind : RW_K_PCT;

	rw_fmt_value(kind, p->baseline, b, 48);
	rw_fmt_value(kind, p->current, c, 48);
	rw_fmt_value(kind, p->target, t, 48);
}

/* The plans table's rows, in Markdown or HTML: each row opened, its cells
 * (text escaped by esc) separated, and closed as the format writes them. */
static void plan_rows(FILE *fp, const struct assessment *a,
		      void (*esc)(FILE *, const char *), const char *open,
		      const char *sep, const char *close)
{
	for (size_t i = 0; i < a->nplans; i++) {
		const struct rplan *p = &a->plans[i];
		char b[48], c[48], t[48];

		plan_values(p, b, c, t);
		fputs(open, fp);
		esc(fp, p->id);
		fputs(sep, fp);
		esc(fp, p->metric);
		fprintf(fp, "%s%s%s%s%s%s%s", sep, b, sep, c, sep, t, sep);
		esc(fp, p->status);
		fprintf(fp, "%s%s", p->open ? " (open)" : "", close);
	}
}

static void md_plans(FILE *fp, const struct assessment *a)
{
	fprintf(fp, "## Plans past and present\n\n");
	if (!a->nplans) {
		fprintf(fp, "None recorded.\n\n");
		return;
	}
	fprintf(fp, "| plan | metric | baseline | current | target | status |\n"
		"|---|---|---:|---:|---:|---|\n");
	plan_rows(fp, a, rw_md_escape, "| ", " | ", " |\n");
	fprintf(fp, "\n");
}

static void md_flags(FILE *fp, const struct assessment *a)
{
	char track[128];

	if (!a->nflags)
		return;
	fprintf(fp, "## Flags raised by the rules\n\n");
	for (size_t i = 0; i < a->nflags; i++) {
		fprintf(fp, "- %s / %s (", a->flags[i].category, a->flags[i].severity);
		rw_md_escape(fp, a->flags[i].rule);
		fprintf(fp, "): ");
		rw_md_escape(fp, a->flags[i].message);
		rw_fmt_track(&a->flags[i], track, sizeof(track));
		if (*track) {
			fprintf(fp, " (");
			rw_md_escape(fp, track);
			fprintf(fp, ")");
		}
		fprintf(fp, "\n");
	}
	fprintf(fp, "\n");
}

void rw_assess_md(FILE *fp, const struct assessment *a)
{
	const struct rw_rrep *p = &a->d->reps[a->r];

	fprintf(fp, "# Performance assessment: ");
	rw_md_escape(fp, p->name);
	rw_rep_id_suffix(fp, p->name, p->id, rw_md_escape);
	fprintf(fp, "%s\n\nTeam ", a->departed ? " \xe2\x80\x94 departed" : "");
	rw_md_escape(fp, p->team);
	if (*p->manager) {
		fprintf(fp, ", manager ");
		rw_md_escape(fp, p->manager);
	}
	fprintf(fp, ". Data as of %s (run %lld); latest complete %s %s.\n\n",
		a->d->as_of, (long long)a->d->run_id, a->d->grain, a->d->period);
	if (*rw_data_note(a->d))
		fprintf(fp, "%s\n\n", rw_data_note(a->d));
	{
		char st[400];

		rw_assess_status_text(a, st, sizeof(st));
		fprintf(fp, "%s\n\n", st);
	}
	md_summary(fp, a);
	md_current(fp, a);
	md_history(fp, a);
	md_causes(fp, a);
	md_flags(fp, a);
	md_plans(fp, a);
	md_goals(fp, a);
}

/* ---- HTML: the same sections, with the charts -------------------------- */

static void html_goals(FILE *fp, const struct assessment *a)
{
	char why[256];

	fprintf(fp, "<h2>Proposed goals</h2>\n");
	if (!a->ngoals) {
		fprintf(fp, "<p class=\"nogoal\">");
		rw_html_escape(fp, rw_assess_no_goal_text(a, why, sizeof(why)));
		fprintf(fp, "</p>\n");
		return;
	}
	fprintf(fp, "<p>At most %d, from the causes behind the rep's flags (shortfall first); "
		"baseline: mean of the last %d complete %ss; target: the nearer of the rep's "
		"own level before the inflection and the team's p25&ndash;median, no further "
		"than the best quarter of reps gained in a like window.</p>\n"
		"<div class=\"wide\"><table class=\"goals\"><tr><th>metric</th><th>baseline</th><th>target</th>"
		"<th>deadline</th><th>set by</th><th>measured as</th>", MAX_GOALS,
		BASE_PERIODS, a->d->grain);
	for (int c = 0; c < NCHECK; c++)
		fprintf(fp, "<th>checkpoint day %d (%s)</th>", a->goals[0].cp[c].day,
			a->goals[0].cp[c].date);
	fprintf(fp, "</tr>\n");
	for (int i = 0; i < a->ngoals; i++) {
		const struct goal *g = &a->goals[i];
		char b[48], t[48];

		rw_fmt_value(rw_keys[g->k].kind, g->baseline, b, sizeof(b));
		rw_fmt_value(rw_keys[g->k].kind, g->target, t, sizeof(t));
		fprintf(fp, "<tr class=\"goal\"><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
			"<td>%s</td><td><code>%s</code>, %sly</td>", rw_keys[g->k].title, b, t,
			a->deadline, g->basis, rw_keys[g->k].column, a->d->grain);
		for (int c = 0; c < NCHECK; c++) {
			rw_fmt_value(rw_keys[g->k].kind, g->cp[c].target, t, sizeof(t));
			fprintf(fp, "<td class=\"checkpoint\">%s</td>", t);
		}
		fprintf(fp, "</tr>\n");
	}
	fprintf(fp, "</table></div>\n");
}

static void html_summary(FILE *fp, const struct assessment *a)
{
	const struct rw_rrep *p = &a->d->reps[a->r];
	char st[400];

	rw_assess_status_text(a, st, sizeof(st));
	fprintf(fp, "<p class=\"meta\">");
	rw_html_escape(fp, st);
	fprintf(fp, "</p>\n<h2>Summary</h2>\n<p>");
	if (!a->nproblems)
		fprintf(fp, "No key metric declined significantly over the last %d %ss and "
			"none is in the team's worst quartile.", a->d->trend_periods, a->d->grain);
	fprintf(fp, "%s</p>\n", problem_list(fp, a) ? "." : "");
	if (*rw_assess_verdict_text(a)) {
		fprintf(fp, "<p class=\"verdict\"><strong>Verdict.</strong> ");
		rw_html_escape(fp, rw_assess_verdict_text(a));
		fprintf(fp, "</p>\n");
	}
	for (size_t i = 0; i < a->d->nfindings; i++) {
		const struct rw_rfinding *f = &a->d->findings[i];
		char cs[32];

		if (strcmp(f->team, p->team))
			continue;
		rw_fmt_change(f->change, cs, sizeof(cs));
		fprintf(fp, "<p class=\"finding\">Team finding: ");
		rw_html_escape(fp, f->metric);
		fprintf(fp, " %s from ", cs);
		rw_html_escape(fp, f->since);
		fprintf(fp, " (%d of %d reps).</p>\n", f->reps_down, f->reps);
	}
}

static void html_flags_plans(FILE *fp, const struct assessment *a)
{
	char track[128];

	if (a->nflags)
		fprintf(fp, "<h2>Flags raised by the rules</h2>\n<ul class=\"flags\">\n");
	for (size_t i = 0; i < a->nflags; i++) {
		const struct rw_rflag *f = &a->flags[i];

		fprintf(fp, "<li><span class=\"flag ");
		rw_html_escape(fp, f->severity);
		fprintf(fp, "\">");
		rw_html_escape(fp, f->category);
		fprintf(fp, " / ");
		rw_html_escape(fp, f->severity);
		fprintf(fp, "</span> <strong>");
		rw_html_escape(fp, f->rule);
		fprintf(fp, "</strong>: ");
		rw_html_escape(fp, f->message);
		rw_fmt_track(f, track, sizeof(track));
		if (*track) {
			fprintf(fp, "<br><small class=\"track\">");
			rw_html_escape(fp, track);
			fprintf(fp, "</small>");
		}
		fprintf(fp, "</li>\n");
	}
	if (a->nflags)
		fprintf(fp, "</ul>\n");
	fprintf(fp, "<h2>Plans past and present</h2>\n");
	if (!a->nplans) {
		fprintf(fp, "<p>None recorded.</p>\n");
		return;
	}
	fprintf(fp, "<div class=\"wide\"><table class=\"plans\"><tr><th>plan</th><th>metric</th><th>baseline</th>"
		"<th>current</th><th>target</th><th>status</th></tr>\n");
	plan_rows(fp, a, rw_html_escape, "<tr><td>", "</td><td>", "</td></tr>\n");
	fprintf(fp, "</table></div>\n");
}

void rw_assess_html(FILE *fp, const struct assessment *a)
{
	const struct rw_rrep *p = &a->d->reps[a->r];
	char title[300];

	if (strcmp(p->name, p->id))
		snprintf(title, sizeof(title), "Performance assessment: %s (%s)%s", p->name,
			 p->id, a->departed ? " \xe2\x80\x94 departed" : "");
	else
		snprintf(title, sizeof(title), "Performance assessment: %s%s", p->name,
			 a->departed ? " \xe2\x80\x94 departed" : "");
	rw_html_open(fp, title);
	fprintf(fp, "<h1>");
	rw_html_escape(fp, title);
	fprintf(fp, "</h1>\n<p class=\"meta\">Team ");
	rw_html_escape(fp, p->team);
	if (*p->manager) {
		fprintf(fp, ", manager ");
		rw_html_escape(fp, p->manager);
	}
	fprintf(fp, ", data as of %s (run %lld), latest complete %s %s.</p>\n",
		a->d->as_of, (long long)a->d->run_id, a->d->grain, a->d->period);
	if (*rw_data_note(a->d))
		fprintf(fp, "<p class=\"meta\">%s</p>\n", rw_data_note(a->d));
	html_summary(fp, a);
	fprintf(fp, "<div class=\"charts\">\n");
	for (int k = 0; k < RW_NKEYS; k++)
		rw_html_chart(fp, a->s, p, a->r, a->team, (enum rw_key)k);
	fprintf(fp, "</div>\n<div class=\"wide\"><table class=\"assessment\"><tr><th>metric</th><th>value</th>"
		"<th>team median</th><th>percentile</th><th>inflection</th><th>cause</th>"
		"<th>measured as</th></tr>\n");
	for (int k = 0; k < RW_NKEYS; k++) {
		char v[48], m[48];

		rw_fmt_value(rw_keys[k].kind, p->v[k], v, sizeof(v));
		rw_fmt_value(rw_keys[k].kind, a->median[k], m, sizeof(m));
		fprintf(fp, "<tr><td>%s</td><td>%s</td><td>%s</td><td>", rw_keys[k].title, v, m);
		if (isfinite(a->pct[k]))
			fprintf(fp, "%.0f", a->pct[k]);
		fprintf(fp, "</td><td>%s</td><td>%s</td><td><code>%s</code></td></tr>\n",
			*p->tr[k].cp_period ? p->tr[k].cp_period : "",
			a->structural[k] ? "declined, team-wide" : a->declined[k] ?
			"declined" : a->low[k] ? "worst quartile" : "", rw_keys[k].column);
	}
	fprintf(fp, "</table></div>\n");
	html_flags_plans(fp, a);
	html_goals(fp, a);
	fprintf(fp, "</body>\n</html>\n");
}

