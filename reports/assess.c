/*
 * assess.c - `repwatch assess REP`: the data section of an improvement
 * plan (SPEC sections 1 and 7), the same content in md, html and json.
 * For the rep's latest complete period: ramp status and the sample behind
 * it; each key metric against the team (value, stored team median,
 * percentile); the history with the period where a decline began (the
 * stored change point); the leading causes (key metrics that declined
 * significantly, or sit in the team's worst quartile); the structural
 * verdict (the run's team findings, the one definition); the rep's flags
 * and plans past and present; and at most three goals a manager could
 * sign: from the metrics the rep's serious flags name, shortfall first,
 * each from the rep's baseline to the nearer of its own pre-inflection
 * level and the team's p25-median, no further than the best quarter of
 * reps gained in a like window, with checkpoints at a third, two thirds
 * and the end of the plan.  None, with the reason, for a departed, ramping,
 * top-performing or on-plan rep, or one nothing serious was flagged for.
 */
#include "assess_int.h"

#include <jansson.h>
#include <math.h>
#include <strings.h>
#include <string.h>


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

/* The run's ramp (runs.ramp_days, 90 when absent) and the rep's
 * activities in the period (the sample behind the activity metrics). */
static void load_context(sqlite3 *db, struct assessment *a)
{
	sqlite3_stmt *st = NULL;

	a->ramp_days = 90;
	a->activities = NAN;
	if (!rw_report_prepare_run(db, "SELECT ramp_days FROM runs WHERE run_id = ?1",
				   a->d->run_id, &st) &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		a->ramp_days = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT calls + emails + meetings FROM rep_metrics"
			       " WHERE rep_id = ?1 AND grain = ?2 AND period = ?3",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, a->d->reps[a->r].id, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_text(st, 2, a->d->grain, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_text(st, 3, a->d->period, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		a->activities = rw_col_double(st, 0);
	sqlite3_finalize(st);
}

static void plans_free(struct rplan *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		rw_free(p[i].id);
		rw_free(p[i].metric);
		rw_free(p[i].status);
	}
	rw_free(p);
}

/*
 * The rep's plan goals, past and present: each (plan_id, metric) as the
 * latest run that scored it left it.  Open: scored by this run and not
 * ended (passed, failed, unknown are ended or unmeasured).  A plan goal
 * written with checkpoints has several rows; the last one scored (the
 * latest end) stands for the goal.
 */
static int load_plans(sqlite3 *db, struct assessment *a, struct rw_err *err)
{
	static const char sql[] =
		"SELECT p.plan_id, p.metric, p.status, p.baseline, p.current, p.target,"
		" p.progress, p.run_id FROM plan_progress p"
		" WHERE p.rep_id = ?2 AND p.run_id = (SELECT MAX(q.run_id) FROM plan_progress q"
		"  WHERE q.rep_id = p.rep_id AND q.plan_id = p.plan_id AND q.run_id <= ?1)"
		" ORDER BY p.plan_id, p.metric, p.rowid";
	sqlite3_stmt *st;
	int rc = rw_report_prepare_run(db, sql, a->d->run_id, &st);

	if (rc)
		return rc > 0 ? 0 : rw_db_fail(db, NULL, "cannot read plan_progress", err);
	if (sqlite3_bind_text(st, 2, a->d->reps[a->r].id, -1, SQLITE_STATIC) != SQLITE_OK) {
		sqlite3_finalize(st);
		return rw_db_fail(db, NULL, "cannot read plan_progress", err);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *id = sqlite3_column_text(st, 0);
		const unsigned char *m = sqlite3_column_text(st, 1);
		struct rplan *p = a->nplans ? &a->plans[a->nplans - 1] : NULL;

		/* Rows of one goal come together: keep the last. */
		if (!p || strcmp(p->id, id ? (const char *)id : "") ||
		    strcmp(p->metric, m ? (const char *)m : "")) {
			p = rw_reallocarray(a->plans, a->nplans + 1, sizeof(*p));
			if (!p) {
				rc = SQLITE_NOMEM;
				break;
			}
			a->plans = p;
			p = &a->plans[a->nplans++];
			memset(p, 0, sizeof(*p));
		} else {
			rw_free(p->id);
			rw_free(p->metric);
			rw_free(p->status);
		}
		p->id = rw_col_strdup(st, 0);
		p->metric = rw_col_strdup(st, 1);
		p->status = rw_col_strdup(st, 2);
		p->baseline = rw_col_double(st, 3);
		p->current = rw_col_double(st, 4);
		p->target = rw_col_double(st, 5);
		p->progress = rw_col_double(st, 6);
		if (!p->id || !p->metric || !p->status) {
			rc = SQLITE_NOMEM;
			break;
		}
		p->open = sqlite3_column_int64(st, 7) == a->d->run_id &&
			  strcmp(p->status, "passed") && strcmp(p->status, "failed") &&
			  strcmp(p->status, "unknown");
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_NOMEM)
		return rw_err_set(err, RW_ENOMEM, "out of memory reading plan_progress");
	return rc == SQLITE_DONE ? 0 : rw_db_fail(db, NULL, "cannot read plan_progress", err);
}

/* Behind the team: below its median, or above it where lower is better. */
static int behind(enum rw_key k, double v, double median)
{
	if (!isfinite(v) || !isfinite(median))
		return 0;
	return rw_keys[k].up_is_good ? v < median : v > median;
}

/* The key whose column metric names, or -1. */
/* Mark in a->flagged the key metrics of one flag's evidence: its
 * "metrics" (the shortfall, 2) and its causes' metrics (1). */
static void mark_evidence(struct assessment *a, json_t *ev, int weight)
{
	json_t *ms = json_object_get(ev, "metrics"), *cs = json_object_get(ev, "causes");
	size_t i;
	json_t *x;

	json_array_foreach(ms, i, x) {
		int k = rw_key_of(json_string_value(json_object_get(x, "metric")));

		if (k >= 0 && a->flagged[k] < weight)
			a->flagged[k] = weight;
	}
	json_array_foreach(cs, i, x)
		mark_evidence(a, x, 1);
}

/*
 * The rep's own flags: counted (serious: a pip_candidate, or an
 * early_warning of severity warning or critical; recognition), and the
 * key metrics their evidence names marked.
 */
static void read_flags(struct assessment *a)
{
	for (size_t i = 0; i < a->nflags; i++) {
		const struct rw_rflag *f = &a->flags[i];
		json_t *ev;
		int serious;

		if (!strcmp(f->category, "recognition")) {
			a->nrecognition++;
			continue;
		}
		serious = !strcmp(f->category, "pip_candidate") ||
			  (!strcmp(f->category, "early_warning") &&
			   (!strcmp(f->severity, "warning") || !strcmp(f->severity, "critical")));
		if (!serious)
			continue;
		a->nserious++;
		ev = json_loads(f->evidence ? f->evidence : "", 0, NULL);
		mark_evidence(a, ev, 2);
		json_decref(ev);
	}
}

/* Mean of the finite values of v[i0..i1), NAN when none. */
static double mean_of(const double *v, int i0, int i1)
{
	double sum = 0;
	int c = 0;

	for (int i = i0 < 0 ? 0 : i0; i < i1; i++)
		if (isfinite(v[i])) {
			sum += v[i];
			c++;
		}
	return c ? sum / c : NAN;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

double rw_best_quarter_gain(const double *const *series, size_t nseries, int np,
			    int base, int len, int up)
{
	size_t n = 0, cap = 0;
	double *g = NULL, q = NAN;

	if (base < 1 || len < 1)
		return NAN;
	for (size_t r = 0; r < nseries; r++) {
		if (!series[r])
			continue;
		for (int t = base; t + len <= np; t++) {
			double before = mean_of(series[r], t - base, t);
			double after = mean_of(series[r], t, t + len);

			if (!isfinite(before) || !isfinite(after))
				continue;
			if (n == cap) {
				double *ng = rw_reallocarray(g, cap ? cap * 2 : 64, sizeof(*g));

				if (!ng) {
					rw_free(g);
					return NAN;
				}
				g = ng;
				cap = cap ? cap * 2 : 64;
			}
			g[n++] = up ? after - before : before - after;
		}
	}
	if (n >= MIN_GAINS) {
		/* Type 7 (R's default): position 0.75 (n - 1) between order
		 * statistics. */
		double h = 0.75 * (double)(n - 1);
		size_t lo = (size_t)h;

		qsort(g, n, sizeof(*g), cmp_double);
		q = lo + 1 < n ? g[lo] + (h - (double)lo) * (g[lo + 1] - g[lo]) : g[lo];
	}
	rw_free(g);
	return q;
}

/* Days in one period of the grain, for turning plan_days into periods. */
static double grain_days(const char *grain)
{
	return !strcmp(grain, "week") ? 7 : !strcmp(grain, "quarter") ? 91.3 : 30.4;
}

/*
 * The best quarter's gain on key k over a window as long as the plan:
 * every rep of the kept series but those ramping now (a hire's first
 * months rise by themselves), every window.  All windows, not only those
 * that began as far behind: a target is never beyond what a quarter of
 * the company's own windows reached.
 */
static double gain_cap(const struct assessment *a, enum rw_key k, int plan_days)
{
	const struct rw_rseries *s = a->s;
	const double **ser = rw_calloc(a->d->nreps ? a->d->nreps : 1, sizeof(*ser));
	int len = (int)lround(plan_days / grain_days(a->d->grain));
	int32_t as_of, hire;
	double q;

	if (!ser)
		return NAN;
	if (len < 1)
		len = 1;
	for (size_t i = 0; i < a->d->nreps; i++) {
		const char *h = a->d->reps[i].hire_date;

		if (h && *h && !rw_day_parse(h, &hire) && !rw_day_parse(a->d->as_of, &as_of) &&
		    hire + a->ramp_days > as_of)
			continue;
		ser[i] = rw_rep_series(s, i, k);
	}
	q = rw_best_quarter_gain(ser, a->d->nreps, s->np, BASE_PERIODS, len,
				 rw_keys[k].up_is_good);
	rw_free(ser);
	return q;
}

/* |x - b| in the good direction of k: > 0 when x is better than b. */
static double gain(enum rw_key k, double b, double x)
{
	return rw_keys[k].up_is_good ? x - b : b - x;
}

/*
 * The target of a goal on key k from baseline b: the rep's own level
 * before the inflection or the team's p25-median range (its near end,
 * or the median once past it), whichever is the nearer improvement; no
 * more than the best quarter of reps gained in a like window; never a
 * perfect share nor attainment above 100%.  Returns 0 with g filled, -1
 * when no achievable improvement is left.
 */
static int set_target(struct assessment *a, struct goal *g, int plan_days)
{
	const struct rw_rseries *s = a->s;
	const struct rw_rrep *p = &a->d->reps[a->r];
	enum rw_key k = g->k;
	const double *v = rw_rep_series(s, a->r, k);
	const double *band = a->team >= 0 ? rw_band(s, (size_t)a->team, k) : NULL;
	double b = g->baseline, t = NAN, near;

	g->own = g->team = NAN;
	if (*p->tr[k].cp_period) {
		int ci = s->np;

		for (int i = 0; i < s->np; i++)
			if (!strcmp(s->labels[i], p->tr[k].cp_period)) {
				ci = i;
				break;
			}
		if (ci < s->np)
			g->own = mean_of(v, ci - BASE_PERIODS, ci);
	}
	if (band && s->np) {
		const double *last = band + 3 * (s->np - 1);	/* median, p25, p75 */

		near = rw_keys[k].up_is_good ? last[1] : last[2];
		g->team = isfinite(near) && gain(k, b, near) > 0 ? near : last[0];
	}
	g->basis = NULL;
	if (isfinite(g->own) && gain(k, b, g->own) > 0) {
		t = g->own;
		g->basis = "own level before the inflection";
	}
	if (isfinite(g->team) && gain(k, b, g->team) > 0 &&
	    (!isfinite(t) || gain(k, b, g->team) < gain(k, b, t))) {
		t = g->team;
		g->basis = "team p25\xe2\x80\x93median";
	}
	if (!isfinite(t))
		return -1;
	g->cap = gain_cap(a, k, plan_days);
	if (isfinite(g->cap) && gain(k, b, t) > g->cap) {
		if (g->cap <= 0)
			return -1;
		t = rw_keys[k].up_is_good ? b + g->cap : b - g->cap;
		g->basis = "capped at the best quarter's gain";
	}
	if (k == RW_K_ATTAINMENT) {
		if (t > 1.0)
			t = 1.0;
	} else if (rw_keys[k].kind == RW_K_PCT) {
		if (t < SHARE_FLOOR)
			t = SHARE_FLOOR;
		if (t > SHARE_CEIL)
			t = SHARE_CEIL;
	} else if (t < 0) {
		t = 0;
	}
	if (!(gain(k, b, t) > 0))
		return -1;
	g->target = t;
	return 0;
}

/* Checkpoints at a third, two thirds and the whole plan (30/60/90 days
 * for 90), each on the straight path from baseline to target. */
static void set_checkpoints(struct goal *g, int32_t start, int plan_days)
{
	for (int i = 0; i < NCHECK; i++) {
		struct checkpoint *c = &g->cp[i];

		c->day = plan_days * (i + 1) / NCHECK;
		if (c->day < 1)
			c->day = 1;
		rw_day_format(start + c->day, c->date, sizeof(c->date));
		c->target = g->baseline + (g->target - g->baseline) * c->day / plan_days;
	}
}

/* How strongly key k is wrong: significantly declined first, then the
 * depth into the team's bad tail. */
static double strength(const struct assessment *a, int k)
{
	double tail = isfinite(a->pct[k]) ?
		(rw_keys[k].up_is_good ? 100 - a->pct[k] : a->pct[k]) : 50;

	return (a->declined[k] ? 200 : 0) + (a->low[k] ? 100 : 0) + tail;
}

static int lagging(int k)
{
	return k == RW_K_WIN_RATE || k == RW_K_REVENUE || k == RW_K_ATTAINMENT;
}

static void judge(struct assessment *a, int plan_days)
{
	const struct rw_report_data *d = a->d;
	const struct rw_rrep *p = &d->reps[a->r];
	const struct rw_rseries *s = a->s;
	int32_t day = 0, hire, end;
	int order[RW_NKEYS], norder = 0;

	for (int k = 0; k < RW_NKEYS; k++) {
		const double *band = a->team >= 0 ? rw_band(s, (size_t)a->team, k) : NULL;

		a->median[k] = band && s->np ? band[3 * (s->np - 1)] : NAN;
		a->declined[k] = rw_declined((enum rw_key)k, &p->tr[k]);
		a->low[k] = isfinite(a->pct[k]) &&
			    (rw_keys[k].up_is_good ? a->pct[k] < 25 : a->pct[k] > 75);
		/* The engine's team finding is the one definition. */
		a->structural[k] = a->declined[k] &&
			rw_report_finding(d, p->team, rw_keys[k].column) != NULL;
		a->ndeclined += a->declined[k];
		a->nstructural += a->structural[k];
		a->nproblems += a->declined[k] || a->low[k];
	}
	read_flags(a);
	/* Deadline: as_of + plan_days (as_of is the run's, "YYYY-MM-DD"). */
	if (!rw_day_parse(d->as_of, &day))
		rw_day_format(day + plan_days, a->deadline, sizeof(a->deadline));
	else
		snprintf(a->deadline, sizeof(a->deadline), "?");
	if (*p->hire_date && !rw_day_parse(p->hire_date, &hire) && hire + a->ramp_days > day) {
		a->ramping = 1;
		rw_day_format(hire + a->ramp_days, a->ramp_until, sizeof(a->ramp_until));
	}
	a->departed = *p->end_date && !rw_day_parse(p->end_date, &end) && end <= day;
	/* Top: quota met in the period or recognised by the rules, and no
	 * serious flag (a warning still gets its plan, quota or not). */
	a->top = !a->nserious && (a->nrecognition ||
		 (isfinite(p->v[RW_K_ATTAINMENT]) && p->v[RW_K_ATTAINMENT] >= 1.0));

	/* Which metrics: those the serious flags name, a lagging shortfall
	 * (3) before another flagged metric (2) before a cause (1), each
	 * group strongest first; a metric the rep meets the team on is no
	 * goal. */
	for (int k = 0; k < RW_NKEYS; k++)
		if (a->flagged[k])
			order[norder++] = k;
	for (int i = 1; i < norder; i++)
		for (int j = i; j > 0; j--) {
			int x = order[j - 1], y = order[j];
			int kx = a->flagged[x] + (a->flagged[x] == 2 && lagging(x));
			int ky = a->flagged[y] + (a->flagged[y] == 2 && lagging(y));

			if (kx > ky || (kx == ky && strength(a, x) >= strength(a, y)))
				break;
			order[j - 1] = y;
			order[j] = x;
		}
	if (a->departed)
		a->why = NG_DEPARTED;
	else if (a->ramping)
		a->why = NG_RAMPING;
	else if (a->top)
		a->why = NG_TOP;
	else if (!a->nserious)
		a->why = NG_NO_FLAG;
	else if (a->nstructural && a->nstructural == a->nproblems)
		a->why = NG_STRUCTURAL;
	for (size_t i = 0; i < a->nplans && a->why == NG_NONE; i++)
		if (a->plans[i].open)
			a->why = NG_ON_PLAN;
	for (int i = 0; i < norder && a->why == NG_NONE && a->ngoals < MAX_GOALS; i++) {
		struct goal *g = &a->goals[a->ngoals];
		enum rw_key k = (enum rw_key)order[i];
		double b = mean_of(rw_rep_series(s, a->r, k), s->np - BASE_PERIODS, s->np);

		if (a->structural[k])
			continue;	/* the team's matter, not the rep's */
		memset(g, 0, sizeof(*g));
		g->k = k;
		g->baseline = isfinite(b) ? b : p->v[k];
		if (!isfinite(g->baseline) || !behind(k, g->baseline, a->median[k]))
			continue;	/* already meets the team: no goal */
		if (set_target(a, g, plan_days))
			continue;
		set_checkpoints(g, day, plan_days);
		a->ngoals++;
	}
	if (a->why == NG_NONE && !a->ngoals)
		a->why = NG_MEETS;
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
		rc = rw_report_load_flags(db, &d, d.reps[a.r].id, &a.flags, &a.nflags, err);
	if (!rc) {
		a.d = &d;
		a.s = &s;
		a.team = rw_rseries_team(&s, d.reps[a.r].team);
		load_pct(db, &a);
		load_context(db, &a);
		rc = load_plans(db, &a, err);
	}
	if (!rc) {
		judge(&a, opts->plan_days);
		if (opts->format == RW_FMT_JSON)
			rc = rw_assess_json(out, &a, err);
		else if (opts->format == RW_FMT_HTML)
			rw_assess_html(out, &a);
		else
			rw_assess_md(out, &a);
		/* The document first: a failed one appends no plan. */
		if (!rc && opts->plan_out)
			rc = rw_assess_emit_plan(opts->plan_out, &a, err);
	}
	rw_rflags_free(a.flags, a.nflags);
	plans_free(a.plans, a.nplans);
	rw_rseries_free(&s);
	rw_report_data_free(&d);
	sqlite3_close(db);
	if (!rc && (fflush(out) || ferror(out)))
		rc = rw_err_set(err, RW_EIO, "cannot write the assessment");
	return rc;
}
