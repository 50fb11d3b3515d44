/*
 * backtest_score.c - what followed each firing (docs/rules.md, "Backtest":
 * one outcome per role) and each rule's track record: fired, reps,
 * followed, precision, base rate, lift and lead.
 */
#include "backtest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Outcomes -------------------------------------------------------- */

/* Truth value of metric m for master rep r in period P of grain g into
 * *v, and its team baseline into *bl; 0, or -1 when P is not a complete
 * period of the truth night (the outcome cannot be judged yet). */
static int bt_truth_at(const struct bt_state *b, uint32_t r, enum rw_grain g,
		       int32_t P, enum rw_metric m, double *v,
		       const struct rw_baseline **bl)
{
	int n = rw_results_period_count(b->truth_res, g);
	int k = (int)(P - rw_results_first_period(b->truth_res, g));
	uint32_t tr = b->truth.view_rep[r];

	if (k < 0 || k > n - 2)
		return -1;
	*v = NAN;
	*bl = NULL;
	if (tr == RW_NONE)
		return 0;
	*v = rw_results_value(b->truth_res, tr, g, k, m);
	*bl = rw_results_baseline(b->truth_res, rw_results_rep_team(b->truth_res, tr), g, k, m);
	return 0;
}

/* Lagging: the shortfall persists in some period P+1..P+H: attainment
 * under 0.8, or the rule's metric worse than the team's bottom quartile. */
static int bt_out_shortfall(const struct bt_state *b, const struct bt_judged *j,
			    enum rw_grain g, enum rw_metric m, int *lead)
{
	int up = rw_metric_up_is_good(m);

	for (int h = 1; h <= b->a->horizon; h++) {
		const struct rw_baseline *bl, *abl;
		double v, att;

		if (bt_truth_at(b, j->rep, g, j->period + h, m, &v, &bl) ||
		    bt_truth_at(b, j->rep, g, j->period + h, RW_M_ATTAINMENT, &att, &abl))
			return -1;
		if ((isfinite(att) && att < 0.8) ||
		    (isfinite(v) && bl && bl->n > 0 &&
		     (up ? v < bl->p25 : v > bl->p75))) {
			*lead = h;
			return 1;
		}
	}
	return 0;
}

/* Recognition: the improvement holds: the metric at or better than the
 * team's median in each of P+1..P+H. */
static int bt_out_holds(const struct bt_state *b, const struct bt_judged *j,
			enum rw_grain g, enum rw_metric m, int *lead)
{
	int up = rw_metric_up_is_good(m), ok = 1;

	for (int h = 1; h <= b->a->horizon; h++) {
		const struct rw_baseline *bl;
		double v;

		if (bt_truth_at(b, j->rep, g, j->period + h, m, &v, &bl))
			return -1;
		if (!isfinite(v) || !bl || bl->n == 0 ||
		    (up ? v < bl->median : v > bl->median))
			ok = 0;
	}
	*lead = b->a->horizon;
	return ok;
}

/*
 * Early warnings and leading rules: a lagging rule flags the same rep at
 * a later point within H periods of the rule's grain after the point that
 * judged it (at least the next point, for week rules between monthly
 * points).  -1 when that window runs past the last point.
 */
static int bt_out_lagging_flag(const struct bt_state *b, const struct bt_judged *j,
			       enum rw_grain g, int *lead)
{
	int fs = b->a->cfg.settings.fiscal_start;
	int32_t p0 = rw_period_of(g, b->as_of[j->point], fs);
	int last = j->point + 1;

	while (last + 1 < b->npoints &&
	       rw_period_of(g, b->as_of[last + 1], fs) - p0 <= b->a->horizon)
		last++;
	if (last >= b->npoints ||
	    (last == b->npoints - 1 && rw_period_of(g, b->as_of[last], fs) - p0 < b->a->horizon))
		return -1;
	for (int q = j->point + 1; q <= last; q++)
		if (b->lagging[(size_t)q * b->master->nreps + j->rep]) {
			*lead = (int)(rw_period_of(g, b->as_of[q], fs) - p0);
			return 1;
		}
	return 0;
}

static int bt_cmp_judged(const void *x, const void *y)
{
	const struct bt_judged *a = x, *b = y;

	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	if (a->rep != b->rep)
		return a->rep < b->rep ? -1 : 1;
	if (a->period != b->period)
		return a->period < b->period ? -1 : 1;
	if (a->fired != b->fired)
		return a->fired ? -1 : 1;	/* a fired entry represents */
	return (a->point > b->point) - (a->point < b->point);
}

static int bt_cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* Median of v[0..n) (sorted in place); NAN when n is 0. */
double rw_bt_median(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), bt_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int rw_bt_score(struct bt_state *b)
{
	const struct rw_rules *rs = b->a->cfg.rules;
	size_t nr = rw_rules_count(rs);
	double *leads = rw_calloc(b->nj + 1, sizeof(double));
	unsigned char *seen = rw_calloc(b->master->nreps + 1, 1);
	size_t i = 0;

	b->tracks = rw_calloc(nr + 1, sizeof(*b->tracks));
	b->notes = rw_calloc(nr + 1, sizeof(*b->notes));
	if (!leads || !seen || !b->tracks || !b->notes) {
		rw_free(leads);
		rw_free(seen);
		return -1;
	}
	qsort(b->j, b->nj, sizeof(*b->j), bt_cmp_judged);
	for (size_t r = 0; r < nr; r++) {
		struct rw_rule_track *t = &b->tracks[r];
		const char *name = rw_rules_name(rs, r);
		enum rw_grain g = (enum rw_grain)rw_rules_grain(rs, name);
		int cat = rw_rules_category(rs, name), role = rw_rules_role(rs, r);
		int m = rw_rules_metric(rs, r);
		long non = 0, non_followed = 0, fired_all = 0;
		size_t nlead = 0;

		memset(seen, 0, b->master->nreps + 1);
		t->rule = name;
		t->category = rw_category_name(cat);
		t->precision = t->base_rate = t->lift = t->lead_periods = NAN;
		if (m < 0)
			m = RW_M_ATTAINMENT;
		if (rw_rules_needs_activities(rs, r) && !b->master->activities_given) {
			snprintf(b->notes[r], sizeof(b->notes[r]), "not evaluated: no activity export");
			t->note = b->notes[r];
		}
		for (; i < b->nj && b->j[i].rule == r; i++) {
			const struct bt_judged *j = &b->j[i];
			int lead = 0, o;

			if (i > 0 && b->j[i - 1].rule == j->rule && b->j[i - 1].rep == j->rep &&
			    b->j[i - 1].period == j->period)
				continue;	/* the group's first entry decides */
			if (t->note)
				continue;
			if (cat == RW_CAT_RECOGNITION)
				o = bt_out_holds(b, j, g, (enum rw_metric)m, &lead);
			else if (role == RW_ROLE_LAGGING)
				o = bt_out_shortfall(b, j, g, (enum rw_metric)m, &lead);
			else
				o = bt_out_lagging_flag(b, j, g, &lead);
			fired_all += j->fired;
			if (o < 0)
				continue;
			if (j->fired) {
				t->fired++;
				if (!seen[j->rep]) {
					seen[j->rep] = 1;
					t->reps++;
				}
				if (o) {
					t->followed++;
					leads[nlead++] = lead;
				}
			} else {
				non++;
				non_followed += o;
			}
		}
		if (t->note)
			continue;
		if (t->fired)
			t->precision = (double)t->followed / (double)t->fired;
		if (non)
			t->base_rate = (double)non_followed / (double)non;
		if (isfinite(t->precision) && isfinite(t->base_rate) && t->base_rate > 0)
			t->lift = t->precision / t->base_rate;
		t->lead_periods = rw_bt_median(leads, nlead);
		if (fired_all > t->fired)
			snprintf(b->notes[r], sizeof(b->notes[r]), "%ld later firing%s not judged yet",
				 fired_all - t->fired, fired_all - t->fired == 1 ? "" : "s");
	}
	b->ntracks = nr;
	rw_free(leads);
	rw_free(seen);
	return 0;
}

