/*
 * intervals.c - revenue and attainment intervals, of one period and of two
 * periods pooled (SPEC section 5, "beyond chance").
 */
#include "engine.h"
#include "engine_int.h"
#include "metrics_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Revenue and attainment intervals ------------------------------------ */

/* Mean won deal size over the window of rep only (or every rep when
 * RW_NONE) of team (or any team when RW_NONE); NAN without a won deal. */
static double mean_won(const struct ctx *c, size_t nr, uint32_t only,
		       uint32_t team)
{
	double rev = 0, won = 0;
	/* One rep's mean is asked for every rep: walk that rep alone. */
	uint32_t r0 = only != RW_NONE ? only : 0;
	uint32_t r1 = only != RW_NONE ? only + 1 : (uint32_t)nr;

	for (uint32_t r = r0; r < r1; r++) {
		const double *row = c->res->vals[c->g] + (size_t)r * (size_t)c->np * RW_NMETRICS;

		if (team != RW_NONE && c->team[r] != team)
			continue;
		for (int k = 0; k < c->np; k++) {
			const double *v = row + (size_t)k * RW_NMETRICS;

			if (v[RW_M_WON] > 0 && isfinite(v[RW_M_REVENUE])) {
				rev += v[RW_M_REVENUE];
				won += v[RW_M_WON];
			}
		}
	}
	return won > 0 ? rev / won : NAN;
}

/*
 * attainment_2p and win_rate_2p with their intervals for period k of rep
 * r: periods k - 1 and k pooled, when both are the rep's (revenue and
 * quota summed, the won amounts' squares summed, the larger of the two
 * largest deals as w_M, when both have a quota; won and lost summed for
 * the Jeffreys interval).  Two quarters with 5 wins each are as uncertain as 10
 * wins, not as one quarter of 5: a shortfall that lasts is told from bad
 * luck sooner.
 */
static void pair_interval(struct ctx *c, uint32_t r, size_t k, double fall)
{
	size_t np = (size_t)c->np;
	double *row = c->res->vals[c->g] + (size_t)r * np * RW_NMETRICS;
	double *a = row + (k - 1) * RW_NMETRICS, *b = row + k * RW_NMETRICS;
	double q = a[RW_M_QUOTA] + b[RW_M_QUOTA], y, v, wm, lo, hi;
	double won = a[RW_M_WON] + b[RW_M_WON], lost = a[RW_M_LOST] + b[RW_M_LOST];

	if (isnan(a[RW_M_REVENUE]) || isnan(b[RW_M_REVENUE]))
		return;		/* not both the rep's periods */
	if (won + lost > 0 && !rw_memo_jeffreys(c->memo, won, lost, &lo, &hi)) {
		b[RW_M_WIN_RATE_2P] = won / (won + lost);
		b[RW_M_WIN_RATE_2P_LO] = lo;
		b[RW_M_WIN_RATE_2P_HI] = hi;
	}
	if (!(a[RW_M_QUOTA] > 0) || !(b[RW_M_QUOTA] > 0))
		return;
	y = a[RW_M_REVENUE] + b[RW_M_REVENUE];
	v = c->ssq[r * np + k - 1] + c->ssq[r * np + k];
	wm = fmax(c->wmax[r * np + k - 1], c->wmax[r * np + k]);
	if (!(wm > 0))
		wm = fall;
	b[RW_M_ATTAINMENT_2P] = y / q;
	if (rw_memo_gamma_interval(c->memo, y, v, wm, &lo, &hi))
		return;
	b[RW_M_ATTAINMENT_2P_LO] = lo / q;
	b[RW_M_ATTAINMENT_2P_HI] = hi / q;
}

/*
 * revenue_lo/_hi and attainment_lo/_hi (SPEC section 5, "beyond chance"):
 * the Fay-Feuer interval (rw_gamma_interval) with the period's won amounts
 * as the weights.  The largest weight w_M is the period's largest won
 * amount; with no won deal (or only zero amounts) it is the size of deal
 * the rep could have won: the rep's mean won deal over the window, else
 * the team's, else the company's.  Attainment bounds divide by the quota.
 */
int rw_intervals_compute(struct ctx *c)
{
	size_t nr = c->ds->nreps, np = (size_t)c->np;
	double *tmean = rw_calloc(c->nteams + 1, sizeof(*tmean));
	double cmean = mean_won(c, nr, RW_NONE, RW_NONE);

	if (!tmean)
		return RW_ENOMEM;
	for (size_t t = 0; t < c->nteams; t++)
		tmean[t] = mean_won(c, nr, RW_NONE, (uint32_t)t);
	for (uint32_t r = 0; r < nr; r++) {
		double *row = c->res->vals[c->g] + (size_t)r * np * RW_NMETRICS;
		double fall = mean_won(c, nr, r, RW_NONE);

		if (!(fall > 0))
			fall = tmean[c->team[r]];
		if (!(fall > 0))
			fall = cmean;
		for (size_t k = 0; k < np; k++) {
			double *v = row + k * RW_NMETRICS;
			double wm = c->wmax[r * np + k], lo, hi;

			if (isnan(v[RW_M_REVENUE]))
				continue;	/* not the rep's period */
			if (!(wm > 0))
				wm = fall;
			if (rw_memo_gamma_interval(c->memo, v[RW_M_REVENUE],
						   c->ssq[r * np + k], wm, &lo, &hi))
				continue;
			v[RW_M_REVENUE_LO] = lo;
			v[RW_M_REVENUE_HI] = hi;
			if (v[RW_M_QUOTA] > 0) {
				v[RW_M_ATTAINMENT_LO] = lo / v[RW_M_QUOTA];
				v[RW_M_ATTAINMENT_HI] = hi / v[RW_M_QUOTA];
			}
			if (k > 0)
				pair_interval(c, r, k, fall);
		}
	}
	rw_free(tmean);
	return 0;
}
