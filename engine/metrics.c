/*
 * metrics.c - the computation of SPEC section 4's metrics and trends: the
 * owner buckets and teams, whose periods are whose, the per-grain driver
 * (quota.c, deal_metrics.c, shrinkage.c, intervals.c, trends.c do the
 * work) and the results' accessors.  Work per grain is O(deals x periods +
 * reps x periods): deals are bucketed by owner once, so no loop runs over
 * reps x deals.
 */
#include "engine.h"
#include "engine_int.h"
#include "metrics_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Setup: owner buckets and teams ------------------------------------ */

static int bucket_deals(struct ctx *c)
{
	const struct rw_dataset *ds = c->ds;
	size_t *pos;

	c->rep_start = rw_calloc(ds->nreps + 1, sizeof(*c->rep_start));
	c->order = rw_calloc(ds->nopps ? ds->nopps : 1, sizeof(*c->order));
	pos = rw_calloc(ds->nreps + 1, sizeof(*pos));
	if (!c->rep_start || !c->order || !pos) {
		rw_free(pos);
		return RW_ENOMEM;
	}
	for (size_t i = 0; i < ds->nopps; i++)
		if (ds->opps[i].rep < ds->nreps)
			c->rep_start[ds->opps[i].rep + 1]++;
	for (size_t r = 0; r < ds->nreps; r++)
		c->rep_start[r + 1] += c->rep_start[r];
	memcpy(pos, c->rep_start, (ds->nreps + 1) * sizeof(*pos));
	for (size_t i = 0; i < ds->nopps; i++)
		if (ds->opps[i].rep < ds->nreps)
			c->order[pos[ds->opps[i].rep]++] = (uint32_t)i;
	rw_free(pos);
	return 0;
}

struct team_key {
	const char *team;
	uint32_t rep;
};

static int cmp_team(const void *a, const void *b)
{
	const struct team_key *x = a, *y = b;
	int d = strcmp(x->team, y->team);

	return d ? d : (x->rep > y->rep) - (x->rep < y->rep);
}

/* Number the teams: reps with the same team name get the same number. */
static int number_teams(struct ctx *c)
{
	const struct rw_dataset *ds = c->ds;
	struct team_key *tk = rw_calloc(ds->nreps ? ds->nreps : 1, sizeof(*tk));

	c->team = rw_calloc(ds->nreps ? ds->nreps : 1, sizeof(*c->team));
	if (!tk || !c->team) {
		rw_free(tk);
		return RW_ENOMEM;
	}
	for (size_t r = 0; r < ds->nreps; r++) {
		tk[r].team = ds->reps[r].team;
		tk[r].rep = (uint32_t)r;
	}
	if (ds->nreps)
		qsort(tk, ds->nreps, sizeof(*tk), cmp_team);
	c->nteams = 0;
	for (size_t i = 0; i < ds->nreps; i++) {
		if (i && strcmp(tk[i].team, tk[i - 1].team))
			c->nteams++;
		c->team[tk[i].rep] = (uint32_t)c->nteams;
	}
	if (ds->nreps)
		c->nteams++;
	/* The results keep the numbering and the names, company last. */
	c->res->team_names = rw_calloc(c->nteams + 1, sizeof(*c->res->team_names));
	if (!c->res->team_names) {
		rw_free(tk);
		return RW_ENOMEM;
	}
	for (size_t i = 0; i < ds->nreps; i++)
		c->res->team_names[c->team[tk[i].rep]] = tk[i].team;
	c->res->team_names[c->nteams] = "*";
	c->res->nteams = c->nteams;
	c->res->rep_team = c->team;
	rw_free(tk);
	return 0;
}

/* ---- Whose periods ------------------------------------------------------ */

/*
 * Eligible for period k ([ps, pe), evaluation day d: its last day or
 * as_of): the rep's period, not unassigned, out of ramp from the period's
 * first day on, and still employed on d.
 */
static int period_eligible(const struct rw_rep *rep, int32_t ps, int32_t pe,
			   int32_t d, int ramp_days)
{
	if (rep->unassigned || !period_mine(rep, ps, pe))
		return 0;
	if (rep->hire_day != RW_NODAY && (int64_t)ps - rep->hire_day < ramp_days)
		return 0;
	if (rep->end_day != RW_NODAY && rep->end_day < d)
		return 0;
	return 1;
}

/* ---- Driver ------------------------------------------------------------- */

static void trend_init(struct rw_trend *t)
{
	t->n = 0;
	t->slope = t->intercept = t->r2 = NAN;
	t->slope_p = t->slope_lo = t->slope_hi = NAN;
	t->wslope = t->wslope_p = t->ts_slope = t->mk_p = NAN;
	t->change = t->cp_size = t->cp_p = t->cp_change = NAN;
	t->slope_q = t->cp_q = t->shift_change = t->shift_p = NAN;
	t->cp_period = RW_NODAY;
}

/* Longest window tabulated by day (about 11 years of days, 4 MB); a
 * longer one falls back to calendar arithmetic in slot(). */
#define RW_DAY_TABLE_MAX ((int64_t)1 << 22)

/*
 * Fill c->dayk with slot() of every day of the window [pstart[0],
 * pend[np - 1]), each computed with rw_period_of() as slot() would, so
 * the table gives the same slots.  0 or RW_ENOMEM.
 */
static int grain_day_table(struct ctx *c)
{
	int64_t n = (int64_t)c->pend[c->np - 1] - c->pstart[0];

	c->dayk = NULL;
	c->ndays = 0;
	if (n <= 0 || n > RW_DAY_TABLE_MAX)
		return 0;
	c->dayk = rw_calloc((size_t)n, sizeof(*c->dayk));
	if (!c->dayk)
		return RW_ENOMEM;
	c->day0 = c->pstart[0];
	for (int64_t d = 0; d < n; d++) {
		int64_t k = (int64_t)rw_period_of(c->g, (int32_t)(c->day0 + d),
						  c->s->fiscal_start) - c->first;

		c->dayk[d] = k >= 0 && k < c->np ? (int32_t)k : -1;
	}
	c->ndays = (size_t)n;
	return 0;
}

static int grain_setup(struct ctx *c, enum rw_grain g)
{
	const struct rw_settings *s = c->s;
	size_t nr = c->ds->nreps, np;

	c->g = g;
	c->np = (s->history_periods > 0 ? s->history_periods : 0) + 1;
	c->first = rw_period_of(g, s->as_of, s->fiscal_start) - (c->np - 1);
	np = (size_t)c->np;
	c->res->first[g] = c->first;
	c->res->count[g] = c->np;
	if (nr && np > SIZE_MAX / RW_NMETRICS / sizeof(double) / nr)
		return RW_ENOMEM;
	c->res->vals[g] = rw_calloc(nr * np * RW_NMETRICS + 1, sizeof(double));
	c->res->trends[g] = rw_calloc(nr * RW_NMETRICS + 1, sizeof(struct rw_trend));
	c->quota = rw_calloc(nr * (np + 1) + 1, sizeof(*c->quota));
	c->fq = rw_calloc(nr * np + 1, sizeof(*c->fq));
	c->icpn = rw_calloc(nr * np + 1, sizeof(*c->icpn));
	c->ssq = rw_calloc(nr * np + 1, sizeof(*c->ssq));
	c->wmax = rw_calloc(nr * np + 1, sizeof(*c->wmax));
	c->res->mine[g] = rw_calloc(nr * np + 1, 1);
	c->res->elig[g] = rw_calloc(nr * np + 1, 1);
	c->pstart = rw_calloc(np, sizeof(*c->pstart));
	c->pend = rw_calloc(np, sizeof(*c->pend));
	c->eval = rw_calloc(np, sizeof(*c->eval));
	if (!c->res->vals[g] || !c->res->trends[g] || !c->quota || !c->fq || !c->icpn ||
	    !c->ssq || !c->wmax || !c->res->mine[g] || !c->res->elig[g] ||
	    !c->pstart || !c->pend || !c->eval)
		return RW_ENOMEM;
	for (int k = 0; k < c->np; k++) {
		c->pstart[k] = rw_period_start(g, c->first + k, s->fiscal_start);
		c->pend[k] = rw_period_end(g, c->first + k, s->fiscal_start);
		/* Evaluation day: the period's last day, or as_of if sooner. */
		c->eval[k] = c->pend[k] - 1 < s->as_of ? c->pend[k] - 1 : s->as_of;
	}
	if (grain_day_table(c))
		return RW_ENOMEM;
	for (size_t r = 0; r < nr; r++) {
		const struct rw_rep *rep = &c->ds->reps[r];

		for (int k = 0; k < c->np; k++) {
			c->res->mine[g][r * np + (size_t)k] = (unsigned char)
				period_mine(rep, c->pstart[k], c->pend[k]);
			c->res->elig[g][r * np + (size_t)k] = (unsigned char)
				period_eligible(rep, c->pstart[k], c->pend[k],
						c->eval[k], s->ramp_days);
		}
	}
	for (size_t i = 0; i < nr * RW_NMETRICS; i++)
		trend_init(&c->res->trends[g][i]);
	return 0;
}

static void grain_release(struct ctx *c)
{
	rw_free(c->quota);
	rw_free(c->fq);
	rw_free(c->icpn);
	rw_free(c->ssq);
	rw_free(c->wmax);
	rw_free(c->pstart);
	rw_free(c->pend);
	rw_free(c->eval);
	rw_free(c->dayk);
	c->dayk = NULL;
	c->ndays = 0;
	c->quota = c->fq = c->icpn = c->ssq = c->wmax = NULL;
	c->pstart = c->pend = c->eval = NULL;
}

static int grain_compute(struct ctx *c, enum rw_grain g)
{
	int rc = grain_setup(c, g);

	if (!rc)
		rc = rw_quotas_fill(c);
	for (uint32_t r = 0; !rc && r < c->ds->nreps; r++)
		rc = rw_rep_compute(c, r);
	if (!rc)
		rc = rw_win_rate_shrink(c);
	if (!rc)
		rc = rw_intervals_compute(c);
	if (!rc)
		rc = rw_trends_compute(c);
	if (!rc)
		rc = rw_baselines_compute(c->res, c->ds, g);
	grain_release(c);
	return rc;
}

int rw_engine_compute(const struct rw_dataset *ds, struct rw_results **out,
		      struct rw_err *err)
{
	return rw_engine_compute_memo(ds, NULL, out, err);
}

int rw_engine_compute_memo(const struct rw_dataset *ds, struct rw_memo *memo,
			   struct rw_results **out, struct rw_err *err)
{
	struct ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.ds = ds;
	c.memo = memo;
	c.s = &ds->settings;
	if (c.s->history_periods < 0 || c.s->history_periods > 10000 ||
	    c.s->trend_periods < 0 || c.s->stale_days < 0 || c.s->followup_days < 0)
		return rw_err_set(err, RW_ECONFIG,
				  "history_periods, trend_periods, stale_days and followup_days must be non-negative (history_periods at most 10000)");
	c.res = rw_calloc(1, sizeof(*c.res));
	if (!c.res)
		return rw_err_set(err, RW_ENOMEM, "out of memory computing metrics");
	c.res->nreps = ds->nreps;
	rw_dataset_deals_span(ds, &c.deals);
	rw_dataset_activities_span(ds, &c.acts);
	/* The last day the activity export speaks for: as_of, unless it
	 * stops earlier. */
	c.act_end = c.s->as_of;
	if (c.acts.last != RW_NODAY && (int64_t)c.acts.last + c.acts.slack < c.act_end)
		c.act_end = (int64_t)c.acts.last + c.acts.slack;
	rc = bucket_deals(&c);
	if (!rc)
		rc = number_teams(&c);
	for (int g = 0; !rc && g < RW_NGRAINS; g++)
		rc = grain_compute(&c, g);
	if (!rc)
		rc = rw_conversions_compute(c.res, ds);
	if (!rc)
		rc = rw_team_findings_compute(c.res, ds);
	if (!rc)
		rc = rw_shifts_compute(c.res, ds);
	rw_free(c.order);
	rw_free(c.rep_start);
	if (!c.res->rep_team)
		rw_free(c.team);	/* else the results own it */
	rw_free(c.cyc.k);
	rw_free(c.gap.k);
	rw_free(c.cyc.tmp);
	rw_free(c.gap.tmp);
	if (rc) {
		rw_results_free(c.res);
		return rw_err_set(err, rc, "out of memory computing metrics");
	}
	*out = c.res;
	return 0;
}

void rw_results_free(struct rw_results *res)
{
	if (!res)
		return;
	for (int g = 0; g < RW_NGRAINS; g++) {
		rw_free(res->vals[g]);
		rw_free(res->trends[g]);
		rw_free(res->base[g]);
		rw_free(res->z[g]);
		rw_free(res->pct[g]);
		rw_free(res->mine[g]);
		rw_free(res->elig[g]);
		rw_free(res->shift[g]);
	}
	rw_free(res->team_names);
	rw_free(res->rep_team);
	rw_free(res->findings);
	for (size_t i = 0; i < res->nconv; i++)
		rw_free(res->conv_names[i]);
	rw_free(res->conv_names);
	rw_free(res->conv_from);
	rw_free(res->conv_to);
	for (int g = 0; g < RW_NGRAINS; g++)
		rw_free(res->conv[g]);
	rw_free(res);
}

int32_t rw_results_first_period(const struct rw_results *res, enum rw_grain g)
{
	return (unsigned)g < RW_NGRAINS ? res->first[g] : RW_NODAY;
}

int rw_results_period_count(const struct rw_results *res, enum rw_grain g)
{
	return (unsigned)g < RW_NGRAINS ? res->count[g] : 0;
}

double rw_results_value(const struct rw_results *res, uint32_t r,
			enum rw_grain g, int k, enum rw_metric m)
{
	if (r >= res->nreps || (unsigned)g >= RW_NGRAINS || k < 0 ||
	    k >= res->count[g] || (unsigned)m >= RW_NMETRICS)
		return NAN;
	return res->vals[g][((size_t)r * (size_t)res->count[g] + (size_t)k) *
			    RW_NMETRICS + (size_t)m];
}

const struct rw_trend *rw_results_trend(const struct rw_results *res,
					uint32_t r, enum rw_grain g,
					enum rw_metric m)
{
	if (r >= res->nreps || (unsigned)g >= RW_NGRAINS || (unsigned)m >= RW_NMETRICS)
		return NULL;
	return &res->trends[g][(size_t)r * RW_NMETRICS + (size_t)m];
}

static int per_flag(unsigned char *const *a, const struct rw_results *res,
		    uint32_t r, enum rw_grain g, int k)
{
	if (r >= res->nreps || (unsigned)g >= RW_NGRAINS || k < 0 ||
	    k >= res->count[g] || !a[g])
		return 0;
	return a[g][(size_t)r * (size_t)res->count[g] + (size_t)k];
}

int rw_results_rep_period(const struct rw_results *res, uint32_t r,
			  enum rw_grain g, int k)
{
	return per_flag(res->mine, res, r, g, k);
}

int rw_results_eligible(const struct rw_results *res, uint32_t r,
			enum rw_grain g, int k)
{
	return per_flag(res->elig, res, r, g, k);
}
