/*
 * metrics_int.h - the working state of one metric computation, shared by
 * the files that compute it: metrics.c (setup, whose periods, the driver),
 * quota.c, deal_metrics.c, shrinkage.c, intervals.c and trends.c.
 */
#ifndef RW_METRICS_INT_H
#define RW_METRICS_INT_H

#include "engine.h"

/* A growable array of (period, value) keys sorted to take medians. */
struct keys {
	uint64_t *k;
	size_t n, cap;
	uint64_t *tmp;		/* scratch of the radix sort */
	size_t tcap;
};

/* One computation: the dataset, settings and results, the owner buckets
 * and team numbers (set once), and the working arrays of the grain being
 * computed (reset per grain by grain_setup in metrics.c). */
struct ctx {
	const struct rw_dataset *ds;
	const struct rw_settings *s;
	struct rw_results *res;
	struct rw_memo *memo;	/* NULL: no cache */
	uint32_t *order;	/* deal indexes grouped by owner */
	size_t *rep_start;	/* per rep + 1: first slot in order */
	uint32_t *team;		/* per rep: team number */
	size_t nteams;
	struct rw_span deals, acts;	/* what the exports speak for */
	int64_t act_end;	/* follow-ups are awaited up to this day */
	/* per grain, reused */
	enum rw_grain g;
	int32_t first;
	int np;			/* periods in the window */
	int32_t *pstart, *pend, *eval;	/* per k: [S, E) and evaluation day D */
	double *quota;		/* [rep][np + 1]; NAN when no target */
	double *fq;		/* [rep][np]: deals qualifying for followup */
	double *icpn;		/* [rep][np]: deals created with a known icp_fit */
	double *ssq, *wmax;	/* [rep][np]: won amounts' sum of squares (NAN
				 * with a negative amount) and the largest */
	struct keys cyc, gap;
	/* per grain: dayk[d - day0] is the window slot of day d for the ndays
	 * days of the window (NULL when too long to tabulate) */
	int32_t *dayk;
	int32_t day0;
	size_t ndays;
};

/* Window slot of day under the current grain, or -1 outside. */
static inline int slot(const struct ctx *c, int32_t day)
{
	int64_t k;

	if (day == RW_NODAY)
		return -1;
	/* The table: calendar arithmetic once per day of the window, not
	 * once per deal and touch. */
	if (c->dayk && day >= c->day0 && (int64_t)day - c->day0 < (int64_t)c->ndays)
		return c->dayk[day - c->day0];
	k = (int64_t)rw_period_of(c->g, day, c->s->fiscal_start) - c->first;
	return k >= 0 && k < c->np ? (int)k : -1;
}

/* Is [ps, pe) the rep's: not ending before the hire day nor starting after
 * the end day?  Unknown days bound nothing. */
static inline int period_mine(const struct rw_rep *rep, int32_t ps, int32_t pe)
{
	if (rep->hire_day != RW_NODAY && (int64_t)pe - 1 < rep->hire_day)
		return 0;
	if (rep->end_day != RW_NODAY && ps > rep->end_day)
		return 0;
	return 1;
}

/* Day the deal closed, when it is won or lost with a date on or before
 * as_of; RW_NODAY otherwise (open, or closing after as_of). */
static inline int32_t closed_day(const struct rw_opp *o, int32_t as_of)
{
	if (o->status == RW_OPEN || o->closed == RW_NODAY || o->closed > as_of)
		return RW_NODAY;
	return o->closed;
}

/* quota[r][k] of the current grain (quota.c).  Returns 0 or RW_ENOMEM. */
int rw_quotas_fill(struct ctx *c);

/* Every value of rep r in the current grain's window, before shrinkage
 * and intervals (deal_metrics.c).  Returns 0 or RW_ENOMEM. */
int rw_rep_compute(struct ctx *c, uint32_t r);

/* win_rate_shrunk and the projection of every rep (shrinkage.c).
 * Returns 0 or RW_ENOMEM. */
int rw_win_rate_shrink(struct ctx *c);

/* Revenue and attainment intervals of every rep (intervals.c).  Returns 0
 * or RW_ENOMEM. */
int rw_intervals_compute(struct ctx *c);

/* Every rep's trends and their false discovery rates (trends.c).  Returns
 * 0 or RW_ENOMEM. */
int rw_trends_compute(struct ctx *c);

#endif
