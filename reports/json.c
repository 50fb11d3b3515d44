/*
 * json.c - the JSON report (schema: docs/report-json.md).  The same data
 * as the HTML report: for the report's period each rep's key metrics,
 * their series over the complete periods, the stored trends, the team's
 * median and quartile band, and the run's flags.  NULL and undefined
 * values are JSON null, never NaN.
 */
#include "reports_int.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

/* Builders that record a failure in *bad instead of returning it, so that
 * a document is assembled in straight lines and checked once (the
 * assessment's JSON, assess_json.c, is built with them too). */
json_t *rw_json_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/*
 * Text from input as a JSON string.  jansson refuses invalid UTF-8 (an
 * export read with the wrong encoding); such text is kept with each byte
 * above 0x7f shown as '?', rather than failing the report.
 */
static json_t *text(const char *s)
{
	json_t *j = json_string(s);
	char *c;

	if (j)
		return j;
	c = rw_malloc(strlen(s) + 1);
	if (!c)
		return NULL;
	for (size_t i = 0; (c[i] = s[i]) != '\0'; i++)
		if ((unsigned char)c[i] > 0x7f)
			c[i] = '?';
	j = json_string(c);
	rw_free(c);
	return j;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? text(s) : json_null();
}

void rw_json_put(json_t *obj, const char *key, json_t *v, int *bad)
{
	if (!obj || !v || json_object_set_new(obj, key, v))
		*bad = 1;
}

static void push(json_t *arr, json_t *v, int *bad)
{
	if (!arr || !v || json_array_append_new(arr, v))
		*bad = 1;
}

static json_t *num_array(const double *v, int n, int stride, int *bad)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		push(a, rw_json_num(v[(size_t)i * (size_t)stride]), bad);
	return a;
}

static const char *direction(const struct rw_rtrend *t)
{
	if (t->n < 3)
		return "none";
	if (!rw_trend_sig(t) || t->slope == 0)
		return "flat";
	return t->slope > 0 ? "up" : "down";
}

static json_t *rep_json(const struct rw_report_data *d, const struct rw_rseries *s,
			size_t r, const struct rw_rflag *flags, size_t nflags, int *bad)
{
	const struct rw_rrep *p = &d->reps[r];
	json_t *o = json_object(), *cur = json_object(), *ser = json_object();
	json_t *tr = json_object(), *fl = json_array();

	rw_json_put(o, "rep_id", text(p->id), bad);
	rw_json_put(o, "name", text(p->name), bad);
	rw_json_put(o, "team", text(p->team), bad);
	rw_json_put(o, "manager", str_or_null(p->manager), bad);
	rw_json_put(cur, "won", rw_json_num(p->won), bad);
	rw_json_put(cur, "lost", rw_json_num(p->lost), bad);
	rw_json_put(cur, "win_rate_lo", rw_json_num(p->lo), bad);
	rw_json_put(cur, "win_rate_hi", rw_json_num(p->hi), bad);
	rw_json_put(cur, "quota", rw_json_num(p->quota), bad);
	for (int k = 0; k < RW_NKEYS; k++) {
		const struct rw_rtrend *t = &p->tr[k];
		json_t *tj = json_object();

		rw_json_put(cur, rw_keys[k].column, rw_json_num(p->v[k]), bad);
		rw_json_put(ser, rw_keys[k].column, num_array(rw_rep_series(s, r, k), s->np, 1, bad), bad);
		rw_json_put(tj, "n", json_integer(t->n), bad);
		rw_json_put(tj, "slope", rw_json_num(t->slope), bad);
		rw_json_put(tj, "p", rw_json_num(t->p), bad);
		rw_json_put(tj, "change", rw_json_num(t->change), bad);
		rw_json_put(tj, "cp_period", str_or_null(t->cp_period), bad);
		rw_json_put(tj, "cp_size", rw_json_num(t->cp_size), bad);
		rw_json_put(tj, "direction", json_string(direction(t)), bad);
		rw_json_put(tj, "declined", json_boolean(rw_declined((enum rw_key)k, t)), bad);
		rw_json_put(tr, rw_keys[k].column, tj, bad);
	}
	for (size_t i = 0; i < nflags; i++) {
		json_t *f, *ev;

		if (strcmp(flags[i].rep_id, p->id))
			continue;
		f = json_object();
		rw_json_put(f, "rule", text(flags[i].rule), bad);
		rw_json_put(f, "category", text(flags[i].category), bad);
		rw_json_put(f, "severity", text(flags[i].severity), bad);
		rw_json_put(f, "message", text(flags[i].message), bad);
		ev = json_loads(flags[i].evidence, 0, NULL);
		rw_json_put(f, "evidence", ev ? ev : json_null(), bad);
		push(fl, f, bad);
	}
	rw_json_put(o, "current", cur, bad);
	rw_json_put(o, "series", ser, bad);
	rw_json_put(o, "trends", tr, bad);
	rw_json_put(o, "flags", fl, bad);
	return o;
}

static json_t *team_json(const struct rw_report_data *d, const struct rw_rseries *s,
			 size_t t, int *bad)
{
	json_t *o = json_object(), *band = json_object();
	const char *manager = rw_team_manager(d, s->teams[t]);

	rw_json_put(o, "team", text(s->teams[t]), bad);
	rw_json_put(o, "manager", str_or_null(manager), bad);
	for (int k = 0; k < RW_NKEYS; k++) {
		const double *b = rw_band(s, t, k);
		json_t *m = json_object();

		rw_json_put(m, "median", num_array(b, s->np, 3, bad), bad);
		rw_json_put(m, "p25", num_array(b + 1, s->np, 3, bad), bad);
		rw_json_put(m, "p75", num_array(b + 2, s->np, 3, bad), bad);
		rw_json_put(band, rw_keys[k].column, m, bad);
	}
	rw_json_put(o, "band", band, bad);
	return o;
}

int rw_json_report(FILE *out, sqlite3 *db, const struct rw_report_data *d,
		   struct rw_err *err)
{
	struct rw_rseries s;
	struct rw_rflag *flags = NULL;
	size_t nflags = 0;
	json_t *root, *run, *periods, *teams, *reps;
	int bad = 0, rc;

	rc = rw_report_load_series(db, d, &s, err);
	if (!rc)
		rc = rw_report_load_flags(db, d, NULL, &flags, &nflags, err);
	if (rc) {
		rw_rseries_free(&s);
		rw_rflags_free(flags, nflags);
		return rc;
	}
	root = json_object();
	run = json_object();
	periods = json_array();
	teams = json_array();
	reps = json_array();
	rw_json_put(root, "format", json_string("repwatch-report"), &bad);
	rw_json_put(root, "version", json_integer(1), &bad);
	rw_json_put(run, "run_id", json_integer(d->run_id), &bad);
	rw_json_put(run, "as_of", json_string(d->as_of), &bad);
	rw_json_put(run, "finished", str_or_null(d->finished), &bad);
	rw_json_put(root, "run", run, &bad);
	rw_json_put(root, "grain", json_string(d->grain), &bad);
	rw_json_put(root, "period", json_string(d->period), &bad);
	rw_json_put(root, "trend_periods", json_integer(d->trend_periods), &bad);
	for (int i = 0; i < s.np; i++)
		push(periods, json_string(s.labels[i]), &bad);
	rw_json_put(root, "periods", periods, &bad);
	for (size_t t = 0; t < s.nteams; t++)
		push(teams, team_json(d, &s, t, &bad), &bad);
	rw_json_put(root, "teams", teams, &bad);
	for (size_t r = 0; r < d->nreps; r++)
		push(reps, rep_json(d, &s, r, flags, nflags, &bad), &bad);
	rw_json_put(root, "reps", reps, &bad);
	if (bad)
		rc = rw_err_set(err, RW_ENOMEM, "out of memory building the JSON report");
	else if (json_dumpf(root, out, JSON_INDENT(1) | JSON_REAL_PRECISION(10)) ||
		 fputc('\n', out) == EOF)
		rc = rw_err_set(err, RW_EIO, "cannot write the report");
	json_decref(root);
	rw_rseries_free(&s);
	rw_rflags_free(flags, nflags);
	return rc;
}
