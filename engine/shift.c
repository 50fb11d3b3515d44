/*
 * shift.c - results at the rep's behaviour shift (docs/rules.md, "Results
 * at the behaviour shift").
 *
 * A personal decline shows first in behaviour: follow-ups stop, touches
 * drift apart, fewer calls.  Those shifts are found with strong evidence
 * (the change point of a rate tested on its counts), while the results
 * behind them are lumpy: a win rate of 31% falling to 18% over 130 deals
 * is a two-proportion z of about 2, which no longer passes once the split
 * has been searched for (the Bonferroni factor of a free change point).
 *
 * So the split is taken from the behaviour, not searched on the results:
 * for each rep and grain, the behaviour shift is the significant change
 * point (cp_q < RW_SHIFT_ALPHA, the team's false discovery rate) of a
 * activity-export metric (rw_metric_needs_activities) that moved the bad
 * way by RW_SHIFT_MIN or more; with several, the one with the smallest q
 * (then the earliest, then the metric table's order).  Every metric of the
 * rep is then tested at that one split, one-sided in its bad direction:
 * the win rate on its deals (two-proportion z of won of closed, pooled
 * each side), any other metric on its period values (Welch's t).  No
 * split is searched, so no Bonferroni factor: the split was fixed by other
 * data (how the rep works) before the results were looked at.  Under "the
 * results did not change", the p-value is uniform whatever the behaviour
 * did, and a rep is tested only when its behaviour shifted significantly,
 * which is itself rare without a real change.  A behaviour shift the rep
 * made with its team (a month-grain team finding on that metric the rep
 * moved with) is not the rep's.
 *
 * Deals-only exports have no behaviour metric, hence no shift: nothing is
 * computed from an export that was not given.
 */
#include "engine.h"
#include "engine_int.h"

#include <math.h>
#include <stdlib.h>

#define RW_SHIFT_ALPHA 0.05	/* the behaviour shift's q must be under this */
#define RW_SHIFT_MIN 0.30	/* and its relative size at least this */

/* Relative change of rep r's mean of metric m over its judged complete
 * periods from period p on against those before (after / before - 1);
 * NAN when a side has none or the level before is not positive. */
static double mean_change(const struct rw_results *res, uint32_t r, enum rw_grain g,
			  enum rw_metric m, int32_t p)
{
	int K = res->count[g] - 1, s = (int)(p - res->first[g]);
	double sum[2] = { 0, 0 };
	int n[2] = { 0, 0 };

	for (int k = 0; k < K; k++) {
		double v = rw_results_value(res, r, g, k, m);

		if (isfinite(v) && rw_results_eligible(res, r, g, k)) {
			sum[k >= s] += v;
			n[k >= s]++;
		}
	}
	if (!n[0] || !n[1] || !(sum[0] > 0))
		return NAN;
	return (sum[1] / n[1]) / (sum[0] / n[0]) - 1;
}

/*
 * Did count metric m of rep r move with the deals it works?  Counts of
 * calls or first meetings rise and fall with the deals created, as
 * revenue does: a chance dip in new deals moves both, and results tested
 * at that split would not be independent of its choice.  A count whose
 * relative change t->cp_change the deals created match in direction by
 * at least half as much (or whose deal flow is unknown) is volume, not
 * behaviour.
 */
static int moved_with_flow(const struct rw_results *res, uint32_t r, enum rw_grain g,
			   const struct rw_trend *t)
{
	double flow = mean_change(res, r, g, RW_M_OPPS_CREATED, t->cp_period);

	return !isfinite(flow) ||
	       (flow * t->cp_change > 0 && fabs(flow) >= fabs(t->cp_change) / 2);
}

/* The behaviour metric whose shift names rep r's at grain g, or -1.  A
 * shift the rep made with its team (a holiday month, a new dialler) is the
 * team's finding, not the rep's behaviour; a count that moved with the
 * rep's deal flow is volume (moved_with_flow). */
static int behaviour_shift(const struct rw_results *res, const struct rw_dataset *ds,
			   uint32_t r, enum rw_grain g)
{
	int best = -1;
	const struct rw_trend *b = NULL;

	for (int m = 0; m < RW_NMETRICS; m++) {
		const struct rw_trend *t = rw_results_trend(res, r, g, (enum rw_metric)m);
		double bad;

		if (!rw_metric_needs_activities((enum rw_metric)m) || !t ||
		    t->cp_period == RW_NODAY || !(t->cp_q < RW_SHIFT_ALPHA))
			continue;
		bad = rw_metric_up_is_good((enum rw_metric)m) ? -t->cp_change : t->cp_change;
		if (!(bad >= RW_SHIFT_MIN) ||
		    (g == RW_MONTH && rw_results_moved_with_team(res, ds, r, (enum rw_metric)m)) ||
		    (rw_metric_unit((enum rw_metric)m) == RW_UNIT_COUNT &&
		     moved_with_flow(res, r, g, t)))
			continue;
		if (!b || t->cp_q < b->cp_q ||
		    (t->cp_q == b->cp_q && t->cp_period < b->cp_period)) {
			b = t;
			best = m;
		}
	}
	return best;
}

/* Test every metric of rep r at split s (period index) of grain g. */
static void rep_shift(struct rw_results *res, uint32_t r, enum rw_grain g, int s,
		      double *y, double *x, double *n)
{
	int K = res->count[g] - 1;

	for (int m = 0; m < RW_NMETRICS; m++) {
		struct rw_trend *t = &res->trends[g][(size_t)r * RW_NMETRICS + (size_t)m];
		int lower = rw_metric_up_is_good((enum rw_metric)m);
		size_t c = 0, split = 0;

		for (int k = 0; k < K; k++) {
			double v = rw_results_value(res, r, g, k, (enum rw_metric)m);

			if (!isfinite(v) || !rw_results_eligible(res, r, g, k))
				continue;
			if (m == RW_M_WIN_RATE) {
				x[c] = rw_results_value(res, r, g, k, RW_M_WON);
				n[c] = x[c] + rw_results_value(res, r, g, k, RW_M_LOST);
			}
			y[c++] = v;
			split += k < s;
		}
		if (m == RW_M_WIN_RATE)
			rw_split_test_prop(x, n, c, split, lower, &t->shift_change, &t->shift_p);
		else
			rw_split_test_mean(y, c, split, lower, &t->shift_change, &t->shift_p);
	}
}

int rw_shifts_compute(struct rw_results *res, const struct rw_dataset *ds)
{
	int rc = 0;

	for (int g = 0; g < RW_NGRAINS && !rc; g++) {
		size_t np = res->count[g] > 0 ? (size_t)res->count[g] : 1;
		double *y = rw_calloc(3 * np, sizeof(*y));

		res->shift[g] = rw_calloc(res->nreps + 1, sizeof(*res->shift[g]));
		if (!y || !res->shift[g]) {
			rw_free(y);
			return RW_ENOMEM;
		}
		for (uint32_t r = 0; r < res->nreps; r++) {
			int m = behaviour_shift(res, ds, r, (enum rw_grain)g);
			const struct rw_trend *b;

			res->shift[g][r].period = RW_NODAY;
			res->shift[g][r].metric = m;
			if (m < 0)
				continue;
			b = rw_results_trend(res, r, (enum rw_grain)g, (enum rw_metric)m);
			res->shift[g][r].period = b->cp_period;
			rep_shift(res, r, (enum rw_grain)g, (int)(b->cp_period - res->first[g]),
				  y, y + np, y + 2 * np);
		}
		rw_free(y);
	}
	return rc;
}

int32_t rw_results_shift(const struct rw_results *res, uint32_t r, enum rw_grain g,
			 enum rw_metric *metric)
{
	if (r >= res->nreps || (unsigned)g >= RW_NGRAINS || !res->shift[g] ||
	    res->shift[g][r].metric < 0)
		return RW_NODAY;
	if (metric)
		*metric = (enum rw_metric)res->shift[g][r].metric;
	return res->shift[g][r].period;
}
