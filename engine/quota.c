/*
 * quota.c - quota of every rep and period of a grain from the targets of
 * any grain (SPEC section 4).
 */
#include "engine.h"
#include "engine_int.h"
#include "metrics_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Quotas ------------------------------------------------------------ */

/*
 * Quotas go through a value per rep and month: the month's own target when
 * there is one, else a third of its quarter's target (months nest in
 * quarters, so a quarter is split evenly), else the weekly targets
 * prorated by the days each week shares with the month (weeks do not nest).
 * A period of the computed grain then takes its own-grain target when one
 * exists, else: a month its month value, a quarter the sum of its months'
 * values, a week the sum over its days of month value / days in month.
 * NAN where no target touches the period.  Team targets (rep RW_NONE) are
 * not rep quotas.
 */
struct quota_work {
	int32_t m0;		/* first month index covered */
	size_t nm;		/* months covered */
	double *src[RW_NGRAINS];	/* [rep][month] value from each grain */
	unsigned char *hit[RW_NGRAINS];
	double *own;		/* [rep][k] own-grain targets */
	unsigned char *own_hit;
};

static int32_t month_index(int32_t day)
{
	return rw_period_of(RW_MONTH, day, 1);
}

static int32_t days_in_month(int32_t mi)
{
	return rw_period_end(RW_MONTH, mi, 1) - rw_period_start(RW_MONTH, mi, 1);
}

/* Spread target t over the months it touches, into its grain's source. */
static void quota_spread(struct quota_work *q, const struct rw_target *t,
			 int fs)
{
	int32_t ts = rw_period_start(t->grain, t->period, fs);
	int32_t te = rw_period_end(t->grain, t->period, fs);
	size_t g = (size_t)t->grain;

	for (int32_t mi = month_index(ts); mi <= month_index(te - 1); mi++) {
		int32_t ms = rw_period_start(RW_MONTH, mi, 1);
		int32_t me = rw_period_end(RW_MONTH, mi, 1);
		int32_t lo = ts > ms ? ts : ms, hi = te < me ? te : me;
		double share;
		size_t cell;

		if (mi < q->m0 || (size_t)(mi - q->m0) >= q->nm || hi <= lo)
			continue;
		if (t->grain == RW_QUARTER)
			share = 1.0 / 3;
		else if (t->grain == RW_WEEK)
			share = (double)(hi - lo) / 7;
		else
			share = 1;
		cell = t->rep * q->nm + (size_t)(mi - q->m0);
		q->src[g][cell] += t->target * share;
		q->hit[g][cell] = 1;
	}
}

static double month_value(const struct quota_work *q, uint32_t r, int32_t mi)
{
	static const enum rw_grain pref[] = { RW_MONTH, RW_QUARTER, RW_WEEK };
	size_t cell = r * q->nm + (size_t)(mi - q->m0);

	for (size_t p = 0; p < 3; p++)
		if (q->hit[pref[p]][cell])
			return q->src[pref[p]][cell];
	return NAN;
}

/* Quota of rep r for window period k from the month values. */
static double quota_from_months(const struct ctx *c, const struct quota_work *q,
				uint32_t r, int k)
{
	int32_t ps = rw_period_start(c->g, c->first + k, c->s->fiscal_start);
	int32_t pe = rw_period_end(c->g, c->first + k, c->s->fiscal_start);
	double sum = 0, v;
	int any = 0;

	for (int32_t mi = month_index(ps); mi <= month_index(pe - 1); mi++) {
		int32_t ms = rw_period_start(RW_MONTH, mi, 1);
		int32_t me = rw_period_end(RW_MONTH, mi, 1);
		int32_t lo = ps > ms ? ps : ms, hi = pe < me ? pe : me;

		v = month_value(q, r, mi);
		if (isnan(v))
			continue;
		any = 1;
		sum += c->g == RW_WEEK ?
		       v * (double)(hi - lo) / (double)days_in_month(mi) : v;
	}
	return any ? sum : NAN;
}

static void quota_work_free(struct quota_work *q)
{
	for (int g = 0; g < RW_NGRAINS; g++) {
		rw_free(q->src[g]);
		rw_free(q->hit[g]);
	}
	rw_free(q->own);
	rw_free(q->own_hit);
}

static int quota_work_init(struct ctx *c, struct quota_work *q)
{
	size_t nr = c->ds->nreps, w = (size_t)c->np + 1;
	int fs = c->s->fiscal_start;
	int32_t m1;

	memset(q, 0, sizeof(*q));
	q->m0 = month_index(rw_period_start(c->g, c->first, fs));
	m1 = month_index(rw_period_end(c->g, c->first + (int32_t)w - 1, fs) - 1);
	q->nm = (size_t)(m1 - q->m0 + 1);
	if (nr && q->nm > SIZE_MAX / sizeof(double) / nr)
		return RW_ENOMEM;
	for (int g = 0; g < RW_NGRAINS; g++) {
		q->src[g] = rw_calloc(nr * q->nm + 1, sizeof(double));
		q->hit[g] = rw_calloc(nr * q->nm + 1, 1);
		if (!q->src[g] || !q->hit[g])
			return RW_ENOMEM;
	}
	q->own = rw_calloc(nr * w + 1, sizeof(*q->own));
	q->own_hit = rw_calloc(nr * w + 1, 1);
	return q->own && q->own_hit ? 0 : RW_ENOMEM;
}

/* quota[r][k] for k <= np: one period more than the window, for coverage. */
int rw_quotas_fill(struct ctx *c)
{
	const struct rw_dataset *ds = c->ds;
	size_t w = (size_t)c->np + 1;
	struct quota_work q;
	int rc = quota_work_init(c, &q);

	for (size_t i = 0; !rc && i < ds->ntargets; i++) {
		const struct rw_target *t = &ds->targets[i];
		int64_t k = (int64_t)t->period - c->first;

		if (t->rep >= ds->nreps || (unsigned)t->grain >= RW_NGRAINS)
			continue;
		quota_spread(&q, t, c->s->fiscal_start);
		if (t->grain == c->g && k >= 0 && k < (int64_t)w) {
			q.own[t->rep * w + (size_t)k] += t->target;
			q.own_hit[t->rep * w + (size_t)k] = 1;
		}
	}
	for (uint32_t r = 0; !rc && r < ds->nreps; r++)
		for (size_t k = 0; k < w; k++)
			c->quota[r * w + k] = q.own_hit[r * w + k] ?
				q.own[r * w + k] : quota_from_months(c, &q, r, (int)k);
	/* A quota for a period that is not the rep's is ignored (SPEC 4);
	 * the extra period after the window only feeds coverage. */
	for (uint32_t r = 0; !rc && r < ds->nreps; r++) {
		int32_t p = c->first + c->np;

		for (int k = 0; k < c->np; k++)
			if (!c->res->mine[c->g][(size_t)r * (size_t)c->np + (size_t)k])
				c->quota[r * w + (size_t)k] = NAN;
		if (!period_mine(&ds->reps[r], rw_period_start(c->g, p, c->s->fiscal_start),
				 rw_period_end(c->g, p, c->s->fiscal_start)))
			c->quota[r * w + (size_t)c->np] = NAN;
	}
	quota_work_free(&q);
	return rc;
}
