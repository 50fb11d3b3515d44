/*
 * shrinkage.c - empirical-Bayes shrinkage of win rates and the partial
 * period's projection, which uses the shrunk rate.
 */
#include "engine.h"
#include "engine_int.h"
#include "metrics_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Empirical-Bayes shrinkage of win rates ----------------------------- */

/*
 * Beta(a, b) prior by the method of moments (e.g. Casella 1985, "An
 * introduction to empirical Bayes data analysis"): with m the mean and v
 * the sample variance (n - 1 denominator) of the per-rep win rates over
 * the window, a = m k and b = (1 - m) k where k = m (1 - m) / v - 1.
 * Valid only when 0 < v < m (1 - m); returns 0 otherwise.
 */
static int beta_moments(double sum, double sumsq_dev, double n, double *a,
			double *b)
{
	double m, v, k;

	if (n < 3)
		return 0;
	m = sum / n;
	v = sumsq_dev / (n - 1);
	if (!(v > 0) || !(v < m * (1 - m)))
		return 0;
	k = m * (1 - m) / v - 1;
	*a = m * k;
	*b = (1 - m) * k;
	return 1;
}

/* Won and lost deals of rep r over the current grain's window. */
static void rep_window_deals(const struct ctx *c, uint32_t r, double *won,
			     double *lost)
{
	const double *row = c->res->vals[c->g] + (size_t)r * (size_t)c->np * RW_NMETRICS;

	*won = *lost = 0;
	for (int k = 0; k < c->np; k++) {
		if (isnan(row[(size_t)k * RW_NMETRICS + RW_M_WON]))
			continue;	/* not the rep's period */
		*won += row[(size_t)k * RW_NMETRICS + RW_M_WON];
		*lost += row[(size_t)k * RW_NMETRICS + RW_M_LOST];
	}
}

/* Window win rate of rep r under the current grain, or NAN. */
static double rep_window_rate(const struct ctx *c, uint32_t r)
{
	double won, lost;

	rep_window_deals(c, r, &won, &lost);
	return won + lost > 0 ? won / (won + lost) : NAN;
}

/*
 * Revenue the rep usually wins in the rest of a period from deals not yet
 * created: with d = as_of - first day of the partial period, the mean over
 * the window's complete periods that are the rep's of the revenue won in
 * period k from deals created in it after day d (from its first day + d +
 * 1 on: deals created on as_of's own day are already in the data).  0 on
 * the partial period's last day (nothing is left of it) and for a rep
 * without a complete period of history.
 */
static double not_yet_created(const struct ctx *c, uint32_t r)
{
	const struct rw_dataset *ds = c->ds;
	const unsigned char *mine = c->res->mine[c->g] + (size_t)r * (size_t)c->np;
	int h = c->np - 1, nk = 0;
	int32_t d = c->s->as_of - c->pstart[h];
	double sum = 0;

	if (c->s->as_of >= c->pend[h] - 1)
		return 0;
	for (int k = 0; k < h; k++)
		nk += mine[k];
	if (!nk)
		return 0;
	for (size_t j = c->rep_start[r]; j < c->rep_start[r + 1]; j++) {
		const struct rw_opp *o = &ds->opps[c->order[j]];
		int k;

		if (o->status != RW_WON)
			continue;
		k = slot(c, closed_day(o, c->s->as_of));
		if (k < 0 || k >= h || !mine[k])
			continue;
		if ((int64_t)o->created > (int64_t)c->pstart[k] + d)
			sum += o->amount;
	}
	return sum / nk;
}

/*
 * Projection for the partial period (SPEC section 4): revenue won so far
 * plus, over the deals open on as_of whose close_date falls before the
 * period ends (overdue ones included: they are still expected), amount x
 * the rep's shrunk win rate over the whole window, (W + a) / (W + L + a +
 * b) with the prior of win_rate_shrunk; a rep without closed deals gets
 * the prior's mean a / (a + b); plus what the rep usually wins from deals
 * not created yet (not_yet_created).  Without any prior and without closed
 * deals the open pipeline has no rate, so the projection is NULL unless
 * no deal is pending.  Complete periods have no projection.
 */
static void project(struct ctx *c, uint32_t r, double a, double b, int ok)
{
	const struct rw_dataset *ds = c->ds;
	double *row = c->res->vals[c->g] + (size_t)r * (size_t)c->np * RW_NMETRICS;
	double *v = row + (size_t)(c->np - 1) * RW_NMETRICS;
	int32_t end = c->pend[c->np - 1], as_of = c->s->as_of;
	double won, lost, rate, pending = 0;
	int any = 0;

	rep_window_deals(c, r, &won, &lost);
	if (ok)
		rate = (won + a) / (won + lost + a + b);
	else
		rate = won + lost > 0 ? won / (won + lost) : NAN;
	for (size_t j = c->rep_start[r]; j < c->rep_start[r + 1]; j++) {
		const struct rw_opp *o = &ds->opps[c->order[j]];

		if (o->created > as_of || closed_day(o, as_of) != RW_NODAY)
			continue;
		if (o->status != RW_OPEN && o->closed == RW_NODAY)
			continue;	/* closed without a date: not pipeline */
		if (o->closed == RW_NODAY || o->closed >= end)
			continue;
		pending += o->amount;
		any = 1;
	}
	v[RW_M_PROJECTED_REVENUE] = any && isnan(rate) ? NAN :
				    v[RW_M_REVENUE] + (any ? pending * rate : 0) +
				    not_yet_created(c, r);
	v[RW_M_PROJECTED_ATTAINMENT] = v[RW_M_QUOTA] > 0 ?
		v[RW_M_PROJECTED_REVENUE] / v[RW_M_QUOTA] : NAN;
}

/*
 * win_rate_shrunk = (won + a) / (won + lost + a + b), the prior fitted to
 * the rep's team (reps with closed deals in the window), or to the whole
 * company when the team has fewer than 3 such reps; equal to win_rate when
 * neither has 3 or the moments give no valid Beta.  NULL with no closed
 * deals in the period, like win_rate.
 */
int rw_win_rate_shrink(struct ctx *c)
{
	size_t nr = c->ds->nreps, nt = c->nteams;
	double *rate = rw_calloc(nr + 1, sizeof(*rate));
	double *acc = rw_calloc(3 * (nt + 1), sizeof(*acc));	/* n, sum, ssd */
	double ca = NAN, cb = NAN, cn = 0, cs = 0, cd = 0;
	int cok;

	if (!rate || !acc) {
		rw_free(rate);
		rw_free(acc);
		return RW_ENOMEM;
	}
	for (uint32_t r = 0; r < nr; r++) {
		rate[r] = rep_window_rate(c, r);
		if (isnan(rate[r]))
			continue;
		acc[3 * c->team[r]]++;
		acc[3 * c->team[r] + 1] += rate[r];
		cn++;
		cs += rate[r];
	}
	for (uint32_t r = 0; r < nr; r++) {
		double m;

		if (isnan(rate[r]))
			continue;
		m = acc[3 * c->team[r] + 1] / acc[3 * c->team[r]];
		acc[3 * c->team[r] + 2] += (rate[r] - m) * (rate[r] - m);
		cd += (rate[r] - cs / cn) * (rate[r] - cs / cn);
	}
	cok = beta_moments(cs, cd, cn, &ca, &cb);
	for (uint32_t r = 0; r < nr; r++) {
		const double *t = acc + 3 * c->team[r];
		double a = ca, b = cb, *row;
		int ok = t[0] >= 3 ? beta_moments(t[1], t[2], t[0], &a, &b) : cok;

		row = c->res->vals[c->g] + (size_t)r * (size_t)c->np * RW_NMETRICS;
		for (int k = 0; k < c->np; k++) {
			double *v = row + (size_t)k * RW_NMETRICS;
			double n = v[RW_M_WON] + v[RW_M_LOST];

			v[RW_M_WIN_RATE_SHRUNK] = n <= 0 ? NAN : ok ?
				(v[RW_M_WON] + a) / (n + a + b) : v[RW_M_WIN_RATE];
		}
		project(c, r, a, b, ok);
	}
	rw_free(rate);
	rw_free(acc);
	return 0;
}
