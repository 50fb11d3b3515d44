/*
 * assess_json.c - the assessment as JSON (the same content as the
 * Markdown and HTML: goals[].checkpoints[] with day, date and target,
 * plans, flags, the verdict) and as plans.csv rows for --emit-plan.
 */
#include "assess_int.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

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

int rw_assess_json(FILE *fp, const struct assessment *a, struct rw_err *err)
{
	const struct rw_rrep *p = &a->d->reps[a->r];
	json_t *root = json_object(), *cur = json_object(), *hist = json_object();
	json_t *infl = json_object(), *causes = json_array(), *goals = json_array();
	json_t *periods = json_array(), *flags = json_array(), *plans = json_array();
	json_t *sample = json_object();
	char st[400], why[256];
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
			{
				const struct rw_rfinding *f = rw_report_finding(a->d, p->team, c);
				json_t *tf = f ? json_object() : json_null();

				if (f) {
					jput(tf, "change", jnum(f->change), &bad);
					jput(tf, "since", json_string(f->since), &bad);
					jput(tf, "reps_down", json_integer(f->reps_down), &bad);
					jput(tf, "reps", json_integer(f->reps), &bad);
				}
				jput(x, "team_finding", tf, &bad);
			}
			jput(x, "structural", json_boolean(a->structural[k]), &bad);
			if (json_array_append_new(causes, x))
				bad = 1;
		}
	}
	for (int i = 0; i < a->ngoals; i++) {
		const struct goal *gl = &a->goals[i];
		json_t *g = json_object(), *cps = json_array();

		jput(g, "metric", json_string(rw_keys[gl->k].column), &bad);
		jput(g, "baseline", jnum(gl->baseline), &bad);
		jput(g, "target", jnum(gl->target), &bad);
		jput(g, "deadline", json_string(a->deadline), &bad);
		jput(g, "set_by", json_string(gl->basis), &bad);
		jput(g, "own_level", jnum(gl->own), &bad);
		jput(g, "team_level", jnum(gl->team), &bad);
		jput(g, "best_quarter_gain", jnum(gl->cap), &bad);
		for (int c = 0; c < NCHECK; c++) {
			json_t *x = json_object();

			jput(x, "day", json_integer(gl->cp[c].day), &bad);
			jput(x, "date", json_string(gl->cp[c].date), &bad);
			jput(x, "target", jnum(gl->cp[c].target), &bad);
			if (json_array_append_new(cps, x))
				bad = 1;
		}
		jput(g, "checkpoints", cps, &bad);
		if (json_array_append_new(goals, g))
			bad = 1;
	}
	for (size_t i = 0; i < a->nflags; i++) {
		const struct rw_rflag *f = &a->flags[i];
		json_t *x = json_object(), *ev;

		jput(x, "rule", json_string(f->rule), &bad);
		jput(x, "category", json_string(f->category), &bad);
		jput(x, "severity", json_string(f->severity), &bad);
		jput(x, "message", json_string(f->message), &bad);
		ev = json_loads(f->evidence ? f->evidence : "", 0, NULL);
		jput(x, "evidence", ev ? ev : json_null(), &bad);
		/* The rule's latest backtest record, null without one. */
		jput(x, "backtest", f->bt_fired < 0 ? json_null() :
		     json_pack("{s:i, s:o, s:o}", "fired", f->bt_fired,
			       "precision", jnum(f->bt_precision), "lift", jnum(f->bt_lift)),
		     &bad);
		if (json_array_append_new(flags, x))
			bad = 1;
	}
	for (size_t i = 0; i < a->nplans; i++) {
		const struct rplan *pl = &a->plans[i];
		json_t *x = json_object();

		jput(x, "plan_id", json_string(pl->id), &bad);
		jput(x, "metric", json_string(pl->metric), &bad);
		jput(x, "baseline", jnum(pl->baseline), &bad);
		jput(x, "current", jnum(pl->current), &bad);
		jput(x, "target", jnum(pl->target), &bad);
		jput(x, "progress", jnum(pl->progress), &bad);
		jput(x, "status", json_string(pl->status), &bad);
		jput(x, "open", json_boolean(pl->open), &bad);
		if (json_array_append_new(plans, x))
			bad = 1;
	}
	rw_assess_status_text(a, st, sizeof(st));
	jput(root, "status", json_string(st), &bad);
	jput(root, "departed", json_boolean(a->departed), &bad);
	jput(root, "end_date", *p->end_date ? json_string(p->end_date) : json_null(), &bad);
	jput(root, "ramping", json_boolean(a->ramping), &bad);
	jput(root, "ramp_until", a->ramping ? json_string(a->ramp_until) : json_null(), &bad);
	jput(sample, "closed_deals", jnum(p->won + p->lost), &bad);
	jput(sample, "won", jnum(p->won), &bad);
	jput(sample, "activities", jnum(a->activities), &bad);
	jput(root, "sample", sample, &bad);
	jput(root, "verdict", json_string(rw_assess_verdict_text(a)), &bad);
	jput(root, "flags", flags, &bad);
	jput(root, "plans", plans, &bad);
	jput(root, "no_goals", a->ngoals ? json_null() :
	     json_string(rw_assess_no_goal_text(a, why, sizeof(why))), &bad);
	jput(root, "current", cur, &bad);
	jput(root, "history", hist, &bad);
	jput(root, "inflection", infl, &bad);
	jput(root, "causes", causes, &bad);
	jput(root, "structural", json_boolean(a->ndeclined && a->nstructural == a->ndeclined), &bad);
	{
		int32_t day;
		char start[16] = "";

		if (!rw_day_parse(a->d->as_of, &day))
			rw_day_format(day + 1, start, sizeof(start));
		jput(root, "plan_start", a->ngoals && *start ? json_string(start) : json_null(), &bad);
	}
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

/*
 * Append the goals to fp as plans.csv rows: one row per checkpoint, the
 * last being the goal itself, all of one plan_id and start (the day after
 * as_of), so the nightly run scores each checkpoint and the goal.  The
 * header goes first into an empty file; a file not ending in a newline
 * gets one, so the first row is not glued to its last line.
 */
int rw_assess_emit_plan(FILE *fp, const struct assessment *a, struct rw_err *err)
{
	const struct rw_rrep *p = &a->d->reps[a->r];
	char id[160], start[16];
	int32_t day;
	long size;

	if (!a->ngoals)
		return 0;
	if (rw_day_parse(a->d->as_of, &day))
		return rw_err_set(err, RW_EDB, "the run's as_of \"%s\" is not a date", a->d->as_of);
	rw_day_format(day + 1, start, sizeof(start));
	snprintf(id, sizeof(id), "PIP-%s-%s", p->id, start);
	if (fseek(fp, 0, SEEK_END) || (size = ftell(fp)) < 0)
		return rw_err_set(err, RW_EIO, "cannot append to the plan file");
	if (size > 0) {
		int c;

		if (fseek(fp, -1, SEEK_END) || (c = fgetc(fp)) == EOF ||
		    fseek(fp, 0, SEEK_END))
			return rw_err_set(err, RW_EIO, "cannot read the plan file's end");
		if (c != '\n' && fputc('\n', fp) == EOF)
			return rw_err_set(err, RW_EIO, "cannot append to the plan file");
	} else if (fputs("plan_id,rep_id,start,end,metric,target,baseline\n", fp) == EOF) {
		return rw_err_set(err, RW_EIO, "cannot append to the plan file");
	}
	for (int i = 0; i < a->ngoals; i++)
		for (int c = 0; c < NCHECK; c++) {
			const struct goal *g = &a->goals[i];

			rw_report_csv_cell(fp, id);
			fputc(',', fp);
			rw_report_csv_cell(fp, p->id);
			fprintf(fp, ",%s,%s,%s,%.6g,%.6g\n", start, g->cp[c].date,
				rw_keys[g->k].column, g->cp[c].target, g->baseline);
		}
	if (fflush(fp) || ferror(fp))
		return rw_err_set(err, RW_EIO, "cannot append to the plan file");
	return 0;
}

