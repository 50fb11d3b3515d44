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
#include "reports_int.h"
#include "../engine/engine.h"	/* the calendar */

#include <jansson.h>
#include <math.h>
#include <strings.h>
#include <string.h>

#define BASE_PERIODS 3	/* periods averaged into a goal's baseline */
#define MAX_GOALS 3	/* a plan a manager can follow: two or three goals */
#define NCHECK 3	/* checkpoints: a third, two thirds and all of the plan */
#define MIN_GAINS 8	/* windows needed before the best-quarter cap applies */
#define SHARE_FLOOR 0.05	/* a share's target stays off a perfect 0% ... */
#define SHARE_CEIL 0.95		/* ... and 100%: no one is asked for perfection */

struct checkpoint {
	int day;
	char date[16];
	double target;
};

struct goal {
	enum rw_key k;
	double baseline, target;
	double own, team, cap;	/* the candidates and the cap (NAN: none) */
	const char *basis;	/* which one set the target */
	struct checkpoint cp[NCHECK];
};

/* A plan goal of the rep, as the latest run that scored it left it. */
struct rplan {
	char *id, *metric, *status;
	double baseline, current, target, progress;
	int open;		/* scored by the latest run and not ended */
};

/* Why no goal is proposed (the first that applies). */
enum no_goal {
	NG_NONE,		/* goals proposed */
	NG_DEPARTED, NG_RAMPING, NG_ON_PLAN, NG_TOP, NG_NO_FLAG,
	NG_STRUCTURAL, NG_MEETS
};

struct assessment {
	const struct rw_report_data *d;
	const struct rw_rseries *s;
	size_t r;			/* the rep in d->reps */
	int team;			/* index in s->teams, or -1 */
	double median[RW_NKEYS];	/* team median in the report's period */
	double pct[RW_NKEYS];		/* the rep's percentile in the team */
	int declined[RW_NKEYS], low[RW_NKEYS], structural[RW_NKEYS];
	int flagged[RW_NKEYS];		/* 2: named as the flag's shortfall, 1: as a cause */
	int ndeclined, nstructural, nproblems;
	struct goal goals[MAX_GOALS];
	int ngoals;
	enum no_goal why;
	char deadline[16];
	struct rw_rflag *flags;
	size_t nflags;
	int nrepflags, nserious, nrecognition;	/* the rep's own flags */
	int ramp_days;
	int ramping, departed, top;
	char ramp_until[16];
	double activities;		/* calls + e-mails + meetings in the period */
	struct rplan *plans;
	size_t nplans;
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
static int key_of(const char *metric)
{
	for (int k = 0; k < RW_NKEYS; k++)
		if (metric && !strcmp(rw_keys[k].column, metric))
			return k;
	return -1;
}

/* Mark in a->flagged the key metrics of one flag's evidence: its
 * "metrics" (the shortfall, 2) and its causes' metrics (1). */
static void mark_evidence(struct assessment *a, json_t *ev, int weight)
{
	json_t *ms = json_object_get(ev, "metrics"), *cs = json_object_get(ev, "causes");
	size_t i;
	json_t *x;

	json_array_foreach(ms, i, x) {
		int k = key_of(json_string_value(json_object_get(x, "metric")));

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
	const char *id = a->d->reps[a->r].id;

	for (size_t i = 0; i < a->nflags; i++) {
		const struct rw_rflag *f = &a->flags[i];
		json_t *ev;
		int serious;

		if (strcmp(f->rep_id, id))
			continue;
		a->nrepflags++;
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

/* One sentence: why there are no goals, or "" when there are. */
static const char *no_goal_text(const struct assessment *a, char *buf, size_t size)
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
static const char *verdict_text(const struct assessment *a)
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
static void status_text(const struct assessment *a, char *buf, size_t size)
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
	if (*verdict_text(a))
		fprintf(fp, "**Verdict.** %s\n\n", verdict_text(a));
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
		fprintf(fp, "%s\n\n", no_goal_text(a, why, sizeof(why)));
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

static void md_plans(FILE *fp, const struct assessment *a)
{
	fprintf(fp, "## Plans past and present\n\n");
	if (!a->nplans) {
		fprintf(fp, "None recorded.\n\n");
		return;
	}
	fprintf(fp, "| plan | metric | baseline | current | target | status |\n"
		"|---|---|---:|---:|---:|---|\n");
	for (size_t i = 0; i < a->nplans; i++) {
		const struct rplan *p = &a->plans[i];
		int k = key_of(p->metric);
		enum rw_kind kind = k >= 0 ? rw_keys[k].kind : RW_K_PCT;
		char b[48], c[48], t[48];

		rw_fmt_value(kind, p->baseline, b, sizeof(b));
		rw_fmt_value(kind, p->current, c, sizeof(c));
		rw_fmt_value(kind, p->target, t, sizeof(t));
		fprintf(fp, "| ");
		rw_md_escape(fp, p->id);
		fprintf(fp, " | ");
		rw_md_escape(fp, p->metric);
		fprintf(fp, " | %s | %s | %s | ", b, c, t);
		rw_md_escape(fp, p->status);
		fprintf(fp, "%s |\n", p->open ? " (open)" : "");
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
	if (strcmp(p->name, p->id)) {
		fprintf(fp, " (");
		rw_md_escape(fp, p->id);
		fprintf(fp, ")");
	}
	fprintf(fp, "%s\n\nTeam ", a->departed ? " \xe2\x80\x94 departed" : "");
	rw_md_escape(fp, p->team);
	if (*p->manager) {
		fprintf(fp, ", manager ");
		rw_md_escape(fp, p->manager);
	}
	fprintf(fp, ". Data as of %s (run %lld); latest complete %s %s.\n\n",
		a->d->as_of, (long long)a->d->run_id, a->d->grain, a->d->period);
	if (a->d->no_activities)
		fprintf(fp, "%s\n\n", rw_no_activity_note(a->d));
	{
		char st[400];

		status_text(a, st, sizeof(st));
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
		rw_html_escape(fp, no_goal_text(a, why, sizeof(why)));
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
	int first = 1;
	char st[400];

	status_text(a, st, sizeof(st));
	fprintf(fp, "<p class=\"meta\">");
	rw_html_escape(fp, st);
	fprintf(fp, "</p>\n<h2>Summary</h2>\n<p>");
	if (!a->nproblems)
		fprintf(fp, "No key metric declined significantly over the last %d %ss and "
			"none is in the team's worst quartile.", a->d->trend_periods, a->d->grain);
	for (int k = 0; k < RW_NKEYS; k++) {
		if (!a->declined[k] && !a->low[k])
			continue;
		fprintf(fp, "%s%s %s", first ? "" : "; ", rw_keys[k].title,
			a->declined[k] ? "declined significantly" : "in the team's worst quartile");
		if (a->declined[k] && *p->tr[k].cp_period)
			fprintf(fp, " (from %s)", p->tr[k].cp_period);
		first = 0;
	}
	fprintf(fp, "%s</p>\n", first ? "" : ".");
	if (*verdict_text(a)) {
		fprintf(fp, "<p class=\"verdict\"><strong>Verdict.</strong> ");
		rw_html_escape(fp, verdict_text(a));
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
	int n = 0;

	for (size_t i = 0; i < a->nflags; i++) {
		const struct rw_rflag *f = &a->flags[i];

		if (strcmp(f->rep_id, a->d->reps[a->r].id))
			continue;
		if (!n++)
			fprintf(fp, "<h2>Flags raised by the rules</h2>\n<ul class=\"flags\">\n");
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
		fprintf(fp, "</li>\n");
	}
	if (n)
		fprintf(fp, "</ul>\n");
	fprintf(fp, "<h2>Plans past and present</h2>\n");
	if (!a->nplans) {
		fprintf(fp, "<p>None recorded.</p>\n");
		return;
	}
	fprintf(fp, "<div class=\"wide\"><table class=\"plans\"><tr><th>plan</th><th>metric</th><th>baseline</th>"
		"<th>current</th><th>target</th><th>status</th></tr>\n");
	for (size_t i = 0; i < a->nplans; i++) {
		const struct rplan *p = &a->plans[i];
		int k = key_of(p->metric);
		enum rw_kind kind = k >= 0 ? rw_keys[k].kind : RW_K_PCT;
		char b[48], c[48], t[48];

		rw_fmt_value(kind, p->baseline, b, sizeof(b));
		rw_fmt_value(kind, p->current, c, sizeof(c));
		rw_fmt_value(kind, p->target, t, sizeof(t));
		fprintf(fp, "<tr><td>");
		rw_html_escape(fp, p->id);
		fprintf(fp, "</td><td>");
		rw_html_escape(fp, p->metric);
		fprintf(fp, "</td><td>%s</td><td>%s</td><td>%s</td><td>", b, c, t);
		rw_html_escape(fp, p->status);
		fprintf(fp, "%s</td></tr>\n", p->open ? " (open)" : "");
	}
	fprintf(fp, "</table></div>\n");
}

static void assess_html(FILE *fp, const struct assessment *a)
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
	if (a->d->no_activities)
		fprintf(fp, "<p class=\"meta\">%s</p>\n", rw_no_activity_note(a->d));
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

		if (strcmp(f->rep_id, p->id)) {
			json_decref(x);
			continue;
		}
		jput(x, "rule", json_string(f->rule), &bad);
		jput(x, "category", json_string(f->category), &bad);
		jput(x, "severity", json_string(f->severity), &bad);
		jput(x, "message", json_string(f->message), &bad);
		ev = json_loads(f->evidence ? f->evidence : "", 0, NULL);
		jput(x, "evidence", ev ? ev : json_null(), &bad);
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
	status_text(a, st, sizeof(st));
	jput(root, "status", json_string(st), &bad);
	jput(root, "departed", json_boolean(a->departed), &bad);
	jput(root, "end_date", *p->end_date ? json_string(p->end_date) : json_null(), &bad);
	jput(root, "ramping", json_boolean(a->ramping), &bad);
	jput(root, "ramp_until", a->ramping ? json_string(a->ramp_until) : json_null(), &bad);
	jput(sample, "closed_deals", jnum(p->won + p->lost), &bad);
	jput(sample, "won", jnum(p->won), &bad);
	jput(sample, "activities", jnum(a->activities), &bad);
	jput(root, "sample", sample, &bad);
	jput(root, "verdict", json_string(verdict_text(a)), &bad);
	jput(root, "flags", flags, &bad);
	jput(root, "plans", plans, &bad);
	jput(root, "no_goals", a->ngoals ? json_null() :
	     json_string(no_goal_text(a, why, sizeof(why))), &bad);
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
static int emit_plan(FILE *fp, const struct assessment *a, struct rw_err *err)
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
		load_context(db, &a);
		rc = load_plans(db, &a, err);
	}
	if (!rc) {
		judge(&a, opts->plan_days);
		if (opts->format == RW_FMT_JSON)
			rc = assess_json(out, &a, err);
		else if (opts->format == RW_FMT_HTML)
			assess_html(out, &a);
		else
			assess_md(out, &a);
		/* The document first: a failed one appends no plan. */
		if (!rc && opts->plan_out)
			rc = emit_plan(opts->plan_out, &a, err);
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
