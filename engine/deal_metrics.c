/*
 * deal_metrics.c - the metrics of one rep over a grain's window: each
 * deal's contributions (flow, open pipeline, touch gaps, meetings), the
 * medians, then the ratios.  Deals are bucketed by owner (metrics.c), so
 * no loop runs over reps x deals.
 */
#include "engine.h"
#include "engine_int.h"
#include "metrics_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Medians of a period's values ------------------------------------- */

static int keys_push(struct keys *ks, int k, int64_t v)
{
	uint64_t *p = rw_grow(ks->k, &ks->cap, ks->n + 1, sizeof(*p));

	if (!p)
		return RW_ENOMEM;
	ks->k = p;
	/* Period in the high half, value biased to unsigned in the low half,
	 * so sorting groups by period and orders values within one. */
	ks->k[ks->n++] = ((uint64_t)(uint32_t)k << 32) |
			 (uint32_t)((int64_t)v + INT32_MAX + 1);
	return 0;
}

static double key_value(uint64_t key)
{
	return (double)((int64_t)(uint32_t)key - INT32_MAX - 1);
}

/* Sort ks and write the median of each period's values into metric m of
 * rep r (NAN stays where a period has none).  0 or RW_ENOMEM. */
static int keys_medians(struct keys *ks, double *row, int np, enum rw_metric m)
{
	size_t i = 0, j, n;

	if (ks->n) {
		uint64_t *t = rw_grow(ks->tmp, &ks->tcap, ks->n, sizeof(*t));

		if (!t)
			return RW_ENOMEM;
		ks->tmp = t;
		rw_sort_u64(ks->k, ks->n, ks->tmp);
	}
	for (; i < ks->n; i = j) {
		int k = (int)(ks->k[i] >> 32);

		for (j = i; j < ks->n && (int)(ks->k[j] >> 32) == k; j++)
			;
		n = j - i;
		if (k < 0 || k >= np)
			continue;
		row[(size_t)k * RW_NMETRICS + m] = n % 2 ?
			key_value(ks->k[i + n / 2]) :
			(key_value(ks->k[i + n / 2 - 1]) + key_value(ks->k[i + n / 2])) / 2;
	}
	ks->n = 0;
	return 0;
}

/* ---- Per-deal contributions ------------------------------------------- */

/* opps_created, won, lost, revenue and the cycle of won deals. */
static int deal_flow(struct ctx *c, const struct rw_opp *o, double *row)
{
	int32_t cd = closed_day(o, c->s->as_of);
	int k = slot(c, o->created);

	if (k >= 0) {
		row[(size_t)k * RW_NMETRICS + RW_M_OPPS_CREATED]++;
		if (o->icp_fit) {
			c->icpn[(size_t)o->rep * (size_t)c->np + (size_t)k]++;
			row[(size_t)k * RW_NMETRICS + RW_M_ICP_FIT_SHARE] += o->icp_fit == 1;
		}
	}
	k = slot(c, cd);
	if (k < 0)
		return 0;
	if (o->status == RW_LOST) {
		row[(size_t)k * RW_NMETRICS + RW_M_LOST]++;
		return 0;
	}
	row[(size_t)k * RW_NMETRICS + RW_M_WON]++;
	row[(size_t)k * RW_NMETRICS + RW_M_REVENUE] += o->amount;
	{
		size_t at = (size_t)o->rep * (size_t)c->np + (size_t)k;

		c->ssq[at] += o->amount >= 0 ? o->amount * o->amount : NAN;
		if (o->amount > c->wmax[at])
			c->wmax[at] = o->amount;
	}
	return keys_push(&c->cyc, k, (int64_t)cd - o->created);
}

/*
 * Open deals at each evaluation day D: count, value, staleness against the
 * last touch on or before D, and value expected to close next period
 * (kept in the coverage column until it is divided by the next quota).
 * A won or lost deal with no close date is closed at an unknown day: it
 * is never counted open.
 */
static void deal_open(struct ctx *c, const struct rw_opp *o, uint32_t i,
		      double *row)
{
	int32_t cd = closed_day(o, c->s->as_of), touch = RW_NODAY, last = RW_NODAY;
	int has_next = -1, nextk = -2;

	if (o->status != RW_OPEN && o->closed == RW_NODAY)
		return;
	if (o->closed != RW_NODAY)
		nextk = (int)((int64_t)rw_period_of(c->g, o->closed,
						    c->s->fiscal_start) - c->first) - 1;
	for (int k = 0; k < c->np; k++) {
		int32_t d = c->eval[k];
		double *v = row + (size_t)k * RW_NMETRICS;

		if (o->created > d || (cd != RW_NODAY && cd <= d))
			continue;
		if (has_next < 0) {
			/* The first day the deal is open on: the walk starts
			 * at its last touch on or before it, not at the
			 * deal's first touch. */
			if (rw_fold_last_touch(c->ds->fold, c->s->as_of, o, i,
					       d + 1, &last) < 0)
				last = RW_NODAY;
			touch = last;
			has_next = rw_fold_next_touch(c->ds->fold, c->s->as_of,
						      o, i, &touch);
		}
		while (has_next && touch <= d) {
			last = touch;
			has_next = rw_fold_next_touch(c->ds->fold, c->s->as_of,
						      o, i, &touch);
		}
		v[RW_M_OPEN_OPPS]++;
		v[RW_M_PIPELINE_VALUE] += o->amount;
		if (last == RW_NODAY || (int64_t)d - last > c->s->stale_days)
			v[RW_M_STALE_OPPS]++;
		if (nextk == k)
			v[RW_M_COVERAGE] += o->amount;
	}
}

/* Gaps between consecutive touch days, by the period of the later one.
 * The walk starts at the last touch before the window: the touches before
 * it give no gap in the window (the quarters' window spans years, the
 * weeks' a quarter). */
static int deal_gaps(struct ctx *c, const struct rw_opp *o, uint32_t i)
{
	int32_t prev = RW_NODAY, day = RW_NODAY;

	if (rw_fold_last_touch(c->ds->fold, c->s->as_of, o, i, c->pstart[0], &day) > 0)
		prev = day;
	else
		day = RW_NODAY;
	while (rw_fold_next_touch(c->ds->fold, c->s->as_of, o, i, &day)) {
		int k = slot(c, day);

		if (prev != RW_NODAY && k >= 0 &&
		    keys_push(&c->gap, k, (int64_t)day - prev))
			return RW_ENOMEM;
		prev = day;
	}
	return 0;
}

/* First meetings, the days from creation to them (summed in the
 * avg_days_to_first_meeting column until divided by first_meetings) and
 * the follow-up counts (numerator kept in the followup_ratio column,
 * denominator in fq, until divided). */
static void deal_meetings(struct ctx *c, uint32_t i, double *row, double *fq)
{
	const struct rw_dataset_fold *f = c->ds->fold;
	const struct rw_opp *o = &c->ds->opps[i];
	int32_t m1, m2;
	int k;

	if (!f || i >= f->nopps)
		return;
	m1 = f->meet1[i];
	m2 = f->meet2[i];
	k = slot(c, m1);
	if (k < 0)
		return;
	row[(size_t)k * RW_NMETRICS + RW_M_FIRST_MEETINGS]++;
	/* A meeting logged before the deal was opened: 0 days, not less. */
	if (m1 > o->created)
		row[(size_t)k * RW_NMETRICS + RW_M_AVG_DAYS_TO_FIRST_MEETING] +=
			(double)((int64_t)m1 - o->created);
	/* Its follow-up window must have passed within what the activity
	 * export speaks for (as_of, unless the export stops earlier). */
	if ((int64_t)m1 > c->act_end - c->s->followup_days)
		return;
	fq[k]++;
	if (m2 != RW_NODAY && (int64_t)m2 - m1 <= c->s->followup_days)
		row[(size_t)k * RW_NMETRICS + RW_M_FOLLOWUP_RATIO]++;
}

/* ---- Per rep ----------------------------------------------------------- */

/* What the per-deal pass adds into starts at 0 (the table's sum column);
 * the rest is computed afterwards and stays NAN when undefined. */
static void row_init(double *row, int np)
{
	for (int k = 0; k < np; k++)
		for (int m = 0; m < RW_NMETRICS; m++)
			row[(size_t)k * RW_NMETRICS + (size_t)m] =
				rw_metric_is_sum((enum rw_metric)m) ? 0 : NAN;
}

/* The ratios once the counts of rep r are in (shrinkage comes later). */
static void rep_ratios(struct ctx *c, uint32_t r, double *row)
{
	const double *q = c->quota + (size_t)r * ((size_t)c->np + 1);
	const double *fq = c->fq + (size_t)r * (size_t)c->np;
	const double *icpn = c->icpn + (size_t)r * (size_t)c->np;

	for (int k = 0; k < c->np; k++) {
		double *v = row + (size_t)k * RW_NMETRICS;
		double won = v[RW_M_WON], closed = won + v[RW_M_LOST];

		v[RW_M_WIN_RATE] = closed > 0 ? won / closed : NAN;
		rw_memo_jeffreys(c->memo, won, v[RW_M_LOST], &v[RW_M_WIN_RATE_LO],
				 &v[RW_M_WIN_RATE_HI]);
		v[RW_M_AVG_DEAL_SIZE] = won > 0 ? v[RW_M_REVENUE] / won : NAN;
		v[RW_M_QUOTA] = q[k];
		v[RW_M_ATTAINMENT] = q[k] > 0 ? v[RW_M_REVENUE] / q[k] : NAN;
		v[RW_M_FOLLOWUP_RATIO] = fq[k] > 0 ?
					 v[RW_M_FOLLOWUP_RATIO] / fq[k] : NAN;
		v[RW_M_ICP_FIT_SHARE] = icpn[k] > 0 ? v[RW_M_ICP_FIT_SHARE] / icpn[k] : NAN;
		v[RW_M_AVG_DAYS_TO_FIRST_MEETING] = v[RW_M_FIRST_MEETINGS] > 0 ?
			v[RW_M_AVG_DAYS_TO_FIRST_MEETING] / v[RW_M_FIRST_MEETINGS] : NAN;
		v[RW_M_STALE_SHARE] = v[RW_M_OPEN_OPPS] > 0 ?
				      v[RW_M_STALE_OPPS] / v[RW_M_OPEN_OPPS] : NAN;
		v[RW_M_COVERAGE] = q[k + 1] > 0 ? v[RW_M_COVERAGE] / q[k + 1] : NAN;
		v[RW_M_SALES_VELOCITY] = v[RW_M_CYCLE_DAYS] > 0 ?
			v[RW_M_OPEN_OPPS] * v[RW_M_WIN_RATE] *
			v[RW_M_AVG_DEAL_SIZE] / v[RW_M_CYCLE_DAYS] : NAN;
	}
}

int rw_rep_compute(struct ctx *c, uint32_t r)
{
	const struct rw_dataset *ds = c->ds;
	double *row = c->res->vals[c->g] + (size_t)r * (size_t)c->np * RW_NMETRICS;
	double *fq = c->fq + (size_t)r * (size_t)c->np;

	row_init(row, c->np);
	for (size_t j = c->rep_start[r]; j < c->rep_start[r + 1]; j++) {
		uint32_t i = c->order[j];
		const struct rw_opp *o = &ds->opps[i];

		if (o->created > c->s->as_of)
			continue;	/* data after as_of is ignored */
		if (deal_flow(c, o, row) || deal_gaps(c, o, i))
			return RW_ENOMEM;
		deal_open(c, o, i, row);
		deal_meetings(c, i, row, fq);
	}
	if (keys_medians(&c->cyc, row, c->np, RW_M_CYCLE_DAYS) ||
	    keys_medians(&c->gap, row, c->np, RW_M_TOUCH_GAP_DAYS))
		return RW_ENOMEM;
	for (int k = 0; k < c->np; k++) {
		double *v = row + (size_t)k * RW_NMETRICS;

		v[RW_M_CALLS] = rw_fold_count(ds->fold, r, c->g, k, RW_CALL);
		v[RW_M_EMAILS] = rw_fold_count(ds->fold, r, c->g, k, RW_EMAIL);
		v[RW_M_MEETINGS] = rw_fold_count(ds->fold, r, c->g, k, RW_MEETING);
	}
	rep_ratios(c, r, row);
	for (int k = 0; k < c->np; k++) {
		double *v = row + (size_t)k * RW_NMETRICS;
		int mine = c->res->mine[c->g][(size_t)r * (size_t)c->np + (size_t)k];
		/* Nothing from data that isn't there (SPEC 4): not the rep's
		 * period, a deals export whose span does not reach over it, no
		 * activity export or one that does not. */
		int acts = rw_span_reaches(&c->acts, c->eval[k]);
		int deals = rw_span_reaches(&c->deals, c->eval[k]);

		for (int m = 0; m < RW_NMETRICS; m++)
			if (!mine || !deals ||
			    (!acts && rw_metric_needs_activities((enum rw_metric)m)))
				v[m] = NAN;
	}
	return 0;
}
