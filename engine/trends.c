/*
 * trends.c - every rep's trends of every metric over the trend window, the
 * change point over the history, and the false discovery rate per team.
 */
#include "engine.h"
#include "engine_int.h"
#include "metrics_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Trends ------------------------------------------------------------- */

/* Weight of a ratio metric's point: its denominator (the metric table's
 * weight column); 0 for a metric without one. */
static double point_weight(const struct ctx *c, uint32_t r, int k, int m,
			   const double *v)
{
	switch (rw_metric_weight((enum rw_metric)m)) {
	case RW_WEIGHT_CLOSED:
		return v[RW_M_WON] + v[RW_M_LOST];
	case RW_WEIGHT_WON:
		return v[RW_M_WON];
	case RW_WEIGHT_QUOTA:
		return v[RW_M_QUOTA];
	case RW_WEIGHT_FOLLOWUP_DUE:
		return c->fq[(size_t)r * (size_t)c->np + (size_t)k];
	case RW_WEIGHT_OPEN:
		return v[RW_M_OPEN_OPPS];
	case RW_WEIGHT_ICP_KNOWN:
		return c->icpn[(size_t)r * (size_t)c->np + (size_t)k];
	case RW_WEIGHT_FIRST_MEETINGS:
		return v[RW_M_FIRST_MEETINGS];
	case RW_WEIGHT_NONE:
		break;
	}
	return 0;
}

/*
 * Change point over all the window's complete periods that have a value
 * (SPEC section 4; a decline that began before the trend window is named
 * too).  The Bonferroni factor counts the candidate splits of this longer
 * series.  *raw receives the best split's p whether or not significant,
 * for the false discovery rate across reps.
 */
static void history_cp(const struct ctx *c, const double *row, int m,
		       struct rw_trend *t, double *raw, uint32_t r)
{
	double y[RW_CP_MAX], sx[RW_CP_MAX], st[RW_CP_MAX], size, p;
	int32_t at[RW_CP_MAX];
	size_t n = 0;
	int i, prop = rw_metric_test((enum rw_metric)m) == RW_TEST_SHARE;

	int k0 = c->np - 1, kept = 0;

	/* The newest RW_CP_MAX complete periods with a value, oldest first. */
	while (k0 > 0 && kept < RW_CP_MAX)
		kept += !isnan(row[(size_t)--k0 * RW_NMETRICS + (size_t)m]);
	for (int k = k0; k < c->np - 1; k++) {
		const double *v = row + (size_t)k * RW_NMETRICS;

		if (isnan(v[m]))
			continue;
		y[n] = v[m];
		/* A share is tested on its counts: the trials are what its
		 * weight counts (won + lost, follow-ups due). */
		st[n] = prop ? point_weight(c, r, k, m, v) : 0;
		sx[n] = v[m] * st[n];
		at[n++] = c->first + k;
	}
	i = prop ? rw_change_point_prop(sx, st, n, &size, &p) :
		   rw_change_point(y, n, &size, &p);
	*raw = p;
	t->cp_period = i >= 0 ? at[i] : RW_NODAY;
	t->cp_size = i >= 0 ? size : NAN;
	t->cp_p = i >= 0 ? p : NAN;
	t->cp_change = NAN;
	if (i > 0) {
		double before = 0, trials = 0;

		for (int j = 0; j < i; j++) {
			before += prop ? sx[j] : y[j];
			trials += prop ? st[j] : 1;
		}
		before /= trials;
		if (before != 0 && isfinite(before))
			t->cp_change = size / fabs(before);
	}
}

static void rep_trends(struct ctx *c, uint32_t r, double *cpraw)
{
	int h = c->np - 1, tn = c->s->trend_periods;
	int k0, n;
	const double *row = c->res->vals[c->g] + (size_t)r * (size_t)c->np * RW_NMETRICS;
	double x[RW_TREND_MAX], y[RW_TREND_MAX], w[RW_TREND_MAX];
	double xc[RW_TREND_MAX], yc[RW_TREND_MAX];

	if (tn > h)
		tn = h;
	if (tn > RW_TREND_MAX)
		tn = RW_TREND_MAX;
	if (tn < 0)
		tn = 0;
	k0 = h - tn;
	for (int m = 0; m < RW_NMETRICS; m++) {
		struct rw_trend *t = &c->res->trends[c->g][(size_t)r * RW_NMETRICS + (size_t)m];
		int cpi;

		n = 0;
		for (int j = 0; j < tn; j++) {
			const double *v = row + (size_t)(k0 + j) * RW_NMETRICS;

			x[j] = j;
			y[j] = v[m];
			w[j] = point_weight(c, r, k0 + j, m, v);
			if (!isnan(y[j])) {
				xc[n] = j;
				yc[n++] = y[j];
			}
		}
		rw_trend_ols(x, y, NULL, (size_t)tn, t);
		/* Ratio metrics get a weighted trend too. */
		if (rw_metric_weight((enum rw_metric)m) != RW_WEIGHT_NONE)
			rw_trend_ols(x, y, w, (size_t)tn, t);
		rw_trend_robust(xc, yc, (size_t)n, t, &cpi);
		if (t->n < 3) {
			t->ts_slope = t->mk_p = t->change = t->cp_size = t->cp_p = t->cp_change = NAN;
			cpi = -1;
		}
		(void)cpi;	/* the window's own split: superseded below */
		history_cp(c, row, m, t, cpraw + m, r);
	}
}

/*
 * Every rep's trends, then the false discovery rate across the night's
 * reps (SPEC section 5): per team and metric, the Benjamini-Hochberg q of
 * slope_p and of the change point's p over the team's reps eligible at the
 * last complete period.  Reps not eligible there are no test of tonight's
 * rules and get no q.  The family is the team because a team is what a
 * manager reviews and the unit of sharding: a run split by team must
 * decide exactly what a single run decides, and no shard sees the other
 * teams' activities.
 */
int rw_trends_compute(struct ctx *c)
{
	size_t nr = c->ds->nreps, nt = c->nteams;
	double *cpraw = rw_calloc(nr * RW_NMETRICS + 1, sizeof(*cpraw));
	double *p = rw_calloc(2 * (nr + 1), sizeof(*p)), *q = p + nr + 1;
	size_t *ts = rw_calloc(nt + 2, sizeof(*ts));	/* team starts in mem */
	uint32_t *mem = rw_calloc(nr + 1, sizeof(*mem));	/* reps by team */
	int last = c->np - 2, rc = 0;

	if (!cpraw || !p || !ts || !mem) {
		rc = RW_ENOMEM;
		goto out;
	}
	for (uint32_t r = 0; r < nr; r++) {
		rep_trends(c, r, cpraw + (size_t)r * RW_NMETRICS);
		ts[c->team[r] + 1]++;
	}
	for (size_t t = 0; t < nt; t++)
		ts[t + 1] += ts[t];
	for (uint32_t r = 0; r < nr; r++)
		mem[ts[c->team[r]]++] = r;	/* ts[t] ends at team t + 1's start */
	for (size_t t = nt; t > 0; t--)
		ts[t] = ts[t - 1];
	ts[0] = 0;
	for (size_t t = 0; !rc && t < nt; t++) {
		size_t n = ts[t + 1] - ts[t];
		const uint32_t *who = mem + ts[t];

		for (int m = 0; !rc && m < RW_NMETRICS; m++) {
			for (int pass = 0; !rc && pass < 2; pass++) {
				for (size_t j = 0; j < n; j++) {
					size_t at = (size_t)who[j] * RW_NMETRICS + (size_t)m;
					int ok = last >= 0 && c->res->elig[c->g]
						[(size_t)who[j] * (size_t)c->np + (size_t)last];

					p[j] = !ok ? NAN : pass ? cpraw[at] :
					       c->res->trends[c->g][at].slope_p;
				}
				rc = rw_bh_adjust(p, n, q);
				for (size_t j = 0; !rc && j < n; j++) {
					struct rw_trend *tr = &c->res->trends[c->g]
						[(size_t)who[j] * RW_NMETRICS + (size_t)m];

					if (pass)
						tr->cp_q = q[j];
					else
						tr->slope_q = q[j];
				}
			}
		}
	}
out:
	rw_free(cpraw);
	rw_free(p);
	rw_free(ts);
	rw_free(mem);
	return rc;
}
