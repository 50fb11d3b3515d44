/*
 * plans.c - score every improvement-plan goal (SPEC section 5).
 *
 * Values come from the monthly results: a plan's metric over a span of
 * days is the mean of its monthly values over the months the span touches
 * (complete months; the partial month only when the span has no complete
 * one).  baseline, when plans.csv gives none, is that mean over the
 * trend_periods months before the start month; projected is the OLS line
 * through the plan's months so far, read at the end month (current when
 * fewer than 3 months have a value).
 *
 * A goal may come with checkpoints (`assess --emit-plan`): rows of one
 * plan_id, rep, metric and start with earlier ends, each scored as a goal
 * of its own.  Every row of the goal carries the latest checkpoint as_of
 * has reached (its day and target); the regression watch is the goal's,
 * so only its last row raises it.
 */
#include "rules_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {
	"met", "on_track", "at_risk", "off_track", "passed", "failed",
	"not_started", "unknown"
};

const char *rw_plan_status_name(enum rw_plan_status s)
{
	return (unsigned)s < sizeof(status_names) / sizeof(status_names[0]) ?
		status_names[s] : NULL;
}

/* Ratios of decimal inputs are not exact ((0.24 - 0.20) / 0.10 is
 * 0.39999...): a boundary an analyst computes by hand counts as met. */
#define EPS 1e-9

static int reached(double v, double target, int up)
{
	return isfinite(v) && (up ? v >= target : v <= target);
}

void rw_plan_status_of(struct rw_plan_score *sc, int32_t as_of, int32_t start,
		       int32_t end, int up)
{
	double span = (double)end - (double)start;

	sc->elapsed = span > 0 ? ((double)as_of - (double)start) / span : 1.0;
	if (sc->elapsed < 0)
		sc->elapsed = 0;
	if (sc->elapsed > 1)
		sc->elapsed = 1;
	sc->progress = NAN;
	if (isfinite(sc->baseline) && isfinite(sc->current) &&
	    sc->target != sc->baseline)
		sc->progress = (sc->current - sc->baseline) / (sc->target - sc->baseline);
	/* An ended plan with no current value was not measured, not missed:
	 * `failed` would put a rep on a PIP for a gap in the data. */
	if (as_of < start)
		sc->status = RW_PLAN_NOT_STARTED;
	else if (as_of > end && !isfinite(sc->current))
		sc->status = RW_PLAN_UNKNOWN;
	else if (as_of > end)
		sc->status = reached(sc->current, sc->target, up) ? RW_PLAN_PASSED : RW_PLAN_FAILED;
	else if (!isfinite(sc->current))
		sc->status = RW_PLAN_UNKNOWN;
	else if (reached(sc->current, sc->target, up))
		sc->status = RW_PLAN_MET;
	else if ((isfinite(sc->progress) && sc->progress >= sc->elapsed - 0.1 - EPS) ||
		 reached(sc->projected, sc->target, up))
		sc->status = RW_PLAN_ON_TRACK;
	else if (sc->elapsed > 1.0 / 3 && isfinite(sc->progress) &&
		 sc->progress < sc->elapsed / 2)
		sc->status = RW_PLAN_OFF_TRACK;
	else
		sc->status = RW_PLAN_AT_RISK;
}

/* Mean of metric m of rep r over months k0..k1 of the results (clipped);
 * the partial month counts only when no complete month is in range. */
static double month_mean(const struct rw_results *res, uint32_t r, int m,
			 int k0, int k1)
{
	int n = rw_results_period_count(res, RW_MONTH), cnt = 0;
	double sum = 0;

	if (k0 < 0)
		k0 = 0;
	if (k1 > n - 1)
		k1 = n - 1;
	for (int pass = 0; pass < 2 && !cnt; pass++)
		for (int k = k0; k <= k1; k++) {
			double v;

			if ((k == n - 1) != pass)
				continue;
			v = rw_results_value(res, r, RW_MONTH, k, (enum rw_metric)m);
			if (isfinite(v)) {
				sum += v;
				cnt++;
			}
		}
	return cnt ? sum / cnt : NAN;
}

static double projected_at(const struct rw_results *res, uint32_t r, int m,
			   int k0, int k1, int kend)
{
	double x[64], y[64];
	struct rw_trend t;
	size_t cnt = 0;

	for (int k = k0 < 0 ? 0 : k0; k <= k1 && cnt < 64; k++, cnt++) {
		x[cnt] = k;
		y[cnt] = rw_results_value(res, r, RW_MONTH, k, (enum rw_metric)m);
	}
	memset(&t, 0, sizeof(t));
	t.slope = t.intercept = NAN;
	rw_trend_ols(x, y, NULL, cnt, &t);
	if (t.n < 3 || !isfinite(t.slope))
		return NAN;
	return t.intercept + t.slope * kend;
}

static void score_one(const struct rw_dataset *ds, const struct rw_results *res,
		      size_t i, struct rw_plan_score *sc)
{
	const struct rw_plan *p = &ds->plans[i];
	int fs = ds->settings.fiscal_start, m = rw_metric_find(p->metric);
	int32_t first = rw_results_first_period(res, RW_MONTH), as_of = ds->settings.as_of;
	int ks = rw_period_of(RW_MONTH, p->start, fs) - first;
	int ke = rw_period_of(RW_MONTH, p->end, fs) - first;
	int ka = rw_period_of(RW_MONTH, as_of, fs) - first;
	int up;

	sc->plan = i;
	sc->target = p->target;
	sc->baseline = p->baseline;
	sc->current = sc->projected = sc->after = NAN;
	if (m >= 0) {
		if (!isfinite(sc->baseline))
			sc->baseline = month_mean(res, p->rep, m, ks - ds->settings.trend_periods, ks - 1);
		if (as_of >= p->start) {
			sc->current = month_mean(res, p->rep, m, ks, ka < ke ? ka : ke);
			sc->projected = projected_at(res, p->rep, m, ks, ka < ke ? ka : ke, ke);
			if (!isfinite(sc->projected))
				sc->projected = sc->current;
		}
		if (as_of > p->end)
			sc->after = month_mean(res, p->rep, m, ke + 1, ka);
	}
	if (isfinite(sc->baseline) && sc->target != sc->baseline)
		up = sc->target > sc->baseline;
	else
		up = m >= 0 ? rw_metric_up_is_good((enum rw_metric)m) : 1;
	rw_plan_status_of(sc, as_of, p->start, p->end, up);
	/* Regression: within three months after the end, the metric fell
	 * back past the baseline in the bad direction. */
	if (as_of > p->end && ka - ke <= 3 && isfinite(sc->after) &&
	    isfinite(sc->baseline))
		sc->regression = up ? sc->after < sc->baseline : sc->after > sc->baseline;
}

/* Rows of one goal sort together, by end. */
static int goal_cmp(const void *x, const void *y)
{
	const struct rw_plan *a = *(const struct rw_plan *const *)x;
	const struct rw_plan *b = *(const struct rw_plan *const *)y;
	int c = strcmp(a->id, b->id);

	if (!c)
		c = (a->rep > b->rep) - (a->rep < b->rep);
	if (!c)
		c = strcmp(a->metric, b->metric);
	if (!c)
		c = (a->start > b->start) - (a->start < b->start);
	if (!c)
		c = (a->end > b->end) - (a->end < b->end);
	return c;
}

static int same_goal(const struct rw_plan *a, const struct rw_plan *b)
{
	return !strcmp(a->id, b->id) && a->rep == b->rep && !strcmp(a->metric, b->metric) &&
	       a->start == b->start;
}

/* Checkpoints and the last row's regression watch, per goal (sorted
 * pointers into ds->plans, so a goal is a run of neighbours). */
static int score_checkpoints(const struct rw_dataset *ds, struct rw_plan_score *sc,
			     struct rw_err *err)
{
	const struct rw_plan **ord = rw_calloc(ds->nplans, sizeof(*ord));
	int32_t as_of = ds->settings.as_of;

	if (!ord)
		return rw_err_set(err, RW_ENOMEM, "out of memory scoring plans");
	for (size_t i = 0; i < ds->nplans; i++)
		ord[i] = &ds->plans[i];
	qsort(ord, ds->nplans, sizeof(*ord), goal_cmp);
	for (size_t g = 0, e; g < ds->nplans; g = e) {
		const struct rw_plan *cp = NULL;

		for (e = g; e < ds->nplans && same_goal(ord[g], ord[e]); e++)
			if (ord[e]->end <= as_of)
				cp = ord[e];
		for (size_t j = g; j < e; j++) {
			struct rw_plan_score *s = &sc[ord[j] - ds->plans];

			s->checkpoint = cp ? (int)(cp->end - cp->start + 1) : 0;
			s->checkpoint_target = cp ? cp->target : NAN;
			if (j + 1 < e)
				s->regression = 0;	/* a checkpoint, not the goal */
		}
	}
	rw_free(ord);
	return 0;
}

int rules_score_plans(const struct rw_dataset *ds, const struct rw_results *res,
		      struct rw_rules_out *out, struct rw_err *err)
{
	if (!ds->nplans)
		return 0;
	out->plans = rw_calloc(ds->nplans, sizeof(*out->plans));
	if (!out->plans)
		return rw_err_set(err, RW_ENOMEM, "out of memory scoring plans");
	for (size_t i = 0; i < ds->nplans; i++)
		score_one(ds, res, i, &out->plans[i]);
	out->nplans = ds->nplans;
	return score_checkpoints(ds, out->plans, err);
}
