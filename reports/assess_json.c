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

int rw_assess_json(FILE *fp, const struct assessment *a, struct rw_err *err)
{
	const struct rw_rrep *p = &a->d->reps[a->r];
	json_t *root = json_object(), *cur = json_object(), *hist = json_object();
	json_t *infl = json_object(), *causes = json_array(), *goals = json_array();
	json_t *periods = json_array(), *flags = json_array(), *plans = json_array();
	json_t *sample = json_object();
	char st[400], why[256];
	int bad = 0, rc = 0;

	rw_json_put(root, "rep_id", json_string(p->id), &bad);
	rw_json_put(root, "name", json_string(p->name), &bad);
	rw_json_put(root, "team", json_string(p->team), &bad);
	rw_json_put(root, "as_of", json_string(a->d->as_of), &bad);
	rw_json_put(root, "grain", json_string(a->d->grain), &bad);
	rw_json_put(root, "period", json_string(a->d->period), &bad);
	for (int i = 0; i < a->s->np; i++)
		if (json_array_append_new(periods, json_string(a->s->labels[i])))
			bad = 1;
	rw_json_put(hist, "periods", periods, &bad);
	for (int k = 0; k < RW_NKEYS; k++) {
		const char *c = rw_keys[k].column;
		const double *v = rw_rep_series(a->s, a->r, k);
		json_t *m = json_object(), *arr = json_array();

		rw_json_put(m, "value", rw_json_num(p->v[k]), &bad);
		rw_json_put(m, "team_median", rw_json_num(a->median[k]), &bad);
		rw_json_put(m, "percentile", rw_json_num(a->pct[k]), &bad);
		rw_json_put(cur, c, m, &bad);
		for (int i = 0; i < a->s->np; i++)
			if (json_array_append_new(arr, rw_json_num(v[i])))
				bad = 1;
		rw_json_put(hist, c, arr, &bad);
		rw_json_put(infl, c, *p->tr[k].cp_period ? json_string(p->tr[k].cp_period) : json_null(), &bad);
		if (a->declined[k] || a->low[k]) {
			json_t *x = json_object();

			rw_json_put(x, "metric", json_string(c), &bad);
			rw_json_put(x, "declined", json_boolean(a->declined[k]), &bad);
			rw_json_put(x, "worst_quartile", json_boolean(a->low[k]), &bad);
			rw_json_put(x, "slope", rw_json_num(p->tr[k].slope), &bad);
			rw_json_put(x, "p", rw_json_num(p->tr[k].p), &bad);
			rw_json_put(x, "change", rw_json_num(p->tr[k].change), &bad);
			{
				const struct rw_rfinding *f = rw_report_finding(a->d, p->team, c);
				json_t *tf = f ? json_object() : json_null();

				if (f) {
					rw_json_put(tf, "change", rw_json_num(f->change), &bad);
					rw_json_put(tf, "since", json_string(f->since), &bad);
					rw_json_put(tf, "reps_down", json_integer(f->reps_down), &bad);
					rw_json_put(tf, "reps", json_integer(f->reps), &bad);
				}
				rw_json_put(x, "team_finding", tf, &bad);
			}
			rw_json_put(x, "structural", json_boolean(a->structural[k]), &bad);
			if (json_array_append_new(causes, x))
				bad = 1;
		}
	}
	for (int i = 0; i < a->ngoals; i++) {
		const struct goal *gl = &a->goals[i];
		json_t *g = json_object(), *cps = json_array();

		rw_json_put(g, "metric", json_string(rw_keys[gl->k].column), &bad);
		rw_json_put(g, "baseline", rw_json_num(gl->baseline), &bad);
		rw_json_put(g, "target", rw_json_num(gl->target), &bad);
		rw_json_put(g, "deadline", json_string(a->deadline), &bad);
		rw_json_put(g, "set_by", json_string(gl->basis), &bad);
		rw_json_put(g, "own_level", rw_json_num(gl->own), &bad);
		rw_json_put(g, "team_level", rw_json_num(gl->team), &bad);
		rw_json_put(g, "best_quarter_gain", rw_json_num(gl->cap), &bad);
		for (int c = 0; c < NCHECK; c++) {
			json_t *x = json_object();

			rw_json_put(x, "day", json_integer(gl->cp[c].day), &bad);
			rw_json_put(x, "date", json_string(gl->cp[c].date), &bad);
			rw_json_put(x, "target", rw_json_num(gl->cp[c].target), &bad);
			if (json_array_append_new(cps, x))
				bad = 1;
		}
		rw_json_put(g, "checkpoints", cps, &bad);
		if (json_array_append_new(goals, g))
			bad = 1;
	}
	for (size_t i = 0; i < a->nflags; i++) {
		const struct rw_rflag *f = &a->flags[i];
		json_t *x = json_object(), *ev;

		rw_json_put(x, "rule", json_string(f->rule), &bad);
		rw_json_put(x, "category", json_string(f->category), &bad);
		rw_json_put(x, "severity", json_string(f->severity), &bad);
		rw_json_put(x, "message", json_string(f->message), &bad);
		ev = json_loads(f->evidence ? f->evidence : "", 0, NULL);
		rw_json_put(x, "evidence", ev ? ev : json_null(), &bad);
		/* The rule's latest backtest record, null without one. */
		rw_json_put(x, "backtest", f->bt_fired < 0 ? json_null() :
		     json_pack("{s:i, s:o, s:o}", "fired", f->bt_fired,
			       "precision", rw_json_num(f->bt_precision), "lift", rw_json_num(f->bt_lift)),
		     &bad);
		if (json_array_append_new(flags, x))
			bad = 1;
	}
	for (size_t i = 0; i < a->nplans; i++) {
		const struct rplan *pl = &a->plans[i];
		json_t *x = json_object();

		rw_json_put(x, "plan_id", json_string(pl->id), &bad);
		rw_json_put(x, "metric", json_string(pl->metric), &bad);
		rw_json_put(x, "baseline", rw_json_num(pl->baseline), &bad);
		rw_json_put(x, "current", rw_json_num(pl->current), &bad);
		rw_json_put(x, "target", rw_json_num(pl->target), &bad);
		rw_json_put(x, "progress", rw_json_num(pl->progress), &bad);
		rw_json_put(x, "status", json_string(pl->status), &bad);
		rw_json_put(x, "open", json_boolean(pl->open), &bad);
		if (json_array_append_new(plans, x))
			bad = 1;
	}
	rw_assess_status_text(a, st, sizeof(st));
	rw_json_put(root, "status", json_string(st), &bad);
	rw_json_put(root, "departed", json_boolean(a->departed), &bad);
	rw_json_put(root, "end_date", *p->end_date ? json_string(p->end_date) : json_null(), &bad);
	rw_json_put(root, "ramping", json_boolean(a->ramping), &bad);
	rw_json_put(root, "ramp_until", a->ramping ? json_string(a->ramp_until) : json_null(), &bad);
	rw_json_put(sample, "closed_deals", rw_json_num(p->won + p->lost), &bad);
	rw_json_put(sample, "won", rw_json_num(p->won), &bad);
	rw_json_put(sample, "activities", rw_json_num(a->activities), &bad);
	rw_json_put(root, "sample", sample, &bad);
	rw_json_put(root, "verdict", json_string(rw_assess_verdict_text(a)), &bad);
	rw_json_put(root, "flags", flags, &bad);
	rw_json_put(root, "plans", plans, &bad);
	rw_json_put(root, "no_goals", a->ngoals ? json_null() :
	     json_string(rw_assess_no_goal_text(a, why, sizeof(why))), &bad);
	rw_json_put(root, "current", cur, &bad);
	rw_json_put(root, "history", hist, &bad);
	rw_json_put(root, "inflection", infl, &bad);
	rw_json_put(root, "causes", causes, &bad);
	rw_json_put(root, "structural",
		    json_boolean(a->ndeclined && a->nstructural == a->ndeclined), &bad);
	{
		int32_t day;
		char start[16] = "";

		if (!rw_day_parse(a->d->as_of, &day))
			rw_day_format(day + 1, start, sizeof(start));
		rw_json_put(root, "plan_start", a->ngoals && *start ? json_string(start) : json_null(), &bad);
	}
	rw_json_put(root, "goals", goals, &bad);
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

