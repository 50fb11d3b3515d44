/*
 * baseline.c - team baselines (median, MAD, quartiles over the team's
 * eligible reps), and each rep-period value's robust z-score and
 * percentile within its team (SPEC section 4).  Reps not eligible for a
 * period (rw_results_eligible: ramping at any time in it, departed, or
 * owners that are not on the roster) are left out of its baselines, so
 * that a new hire's first months do not drag the team median down; they still get a z-score against the eligible reps.
 */
#include "engine.h"
#include "engine_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Scale that makes the MAD a consistent estimator of sigma for normal data. */
#define MAD_SCALE 1.4826

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* R's type 7 quantile of sorted s[0..n), n > 0: h = (n - 1) p. */
static double quantile_sorted(const double *s, size_t n, double p)
{
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)floor(h);

	if (lo + 1 >= n)
		return s[n - 1];
	return s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]);
}

/* Count, median and quartiles of the n sorted values s (NAN when none);
 * the MAD is left NAN for the caller, which sorts the deviations. */
static void quartiles_sorted(const double *s, size_t n, struct rw_baseline *b)
{
	b->n = (int)n;
	b->median = b->mad = b->p25 = b->p75 = NAN;
	if (!n)
		return;
	b->median = quantile_sorted(s, n, 0.5);
	b->p25 = quantile_sorted(s, n, 0.25);
	b->p75 = quantile_sorted(s, n, 0.75);
}

void rw_baseline_of(double *v, size_t n, struct rw_baseline *b)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]))
			v[k++] = v[i];
	if (k)
		qsort(v, k, sizeof(*v), cmp_double);
	quartiles_sorted(v, k, b);
	if (!k)
		return;
	/* MAD: the median of the absolute deviations; v is reused, so the
	 * sorted values must not be needed after this. */
	for (size_t i = 0; i < k; i++)
		v[i] = fabs(v[i] - b->median);
	qsort(v, k, sizeof(*v), cmp_double);
	b->mad = quantile_sorted(v, k, 0.5);
}

/*
 * rw_baseline_of() of the n finite values s, already sorted by
 * rw_sort_double(): dev and tmp are scratch for n values each.
 */
static void baseline_sorted(const double *s, size_t n, double *dev,
			    double *tmp, struct rw_baseline *b)
{
	quartiles_sorted(s, n, b);
	if (!n)
		return;
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(s[i] - b->median);
	rw_sort_double(dev, n, tmp);
	b->mad = quantile_sorted(dev, n, 0.5);
}

/* Index of the first of sorted s[0..n) that is >= x (strict: > x). */
static size_t bound(const double *s, size_t n, double x, int strict)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strict ? s[mid] <= x : s[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

double rw_percentile_rank(const double *s, size_t n, double x)
{
	size_t below, equal;

	if (!n || !isfinite(x))
		return NAN;
	below = bound(s, n, x, 0);
	equal = bound(s, n, x, 1) - below;
	return 100.0 * ((double)below + 0.5 * (double)equal) / (double)n;
}

/* Work space for one grain: the eligible values of one team-period-metric. */
struct bwork {
	double *v;		/* values, then sorted by rw_baseline_of */
	double *sorted;		/* sorted, kept for percentiles */
	double *tmp;		/* scratch of the sorts */
	uint32_t *members;	/* reps of the team being done */
	unsigned char *elig;	/* [rep] for the current period */
};

static void one_team(struct rw_results *res, enum rw_grain g, int k, size_t t,
		     struct bwork *w, size_t nm)
{
	int np = res->count[g];

	for (int m = 0; m < RW_NMETRICS; m++) {
		struct rw_baseline *b = &res->base[g][(t * (size_t)np + (size_t)k) *
						      RW_NMETRICS + (size_t)m];
		size_t n = 0;

		for (size_t i = 0; i < nm; i++) {
			uint32_t r = w->members[i];
			double x = res->vals[g][((size_t)r * (size_t)np + (size_t)k) *
						RW_NMETRICS + (size_t)m];

			if (w->elig[r] && isfinite(x))
				w->v[n++] = x;
		}
		/* One sort serves the quantiles and the percentile ranks. */
		memcpy(w->sorted, w->v, n * sizeof(*w->v));
		rw_sort_double(w->sorted, n, w->tmp);
		baseline_sorted(w->sorted, n, w->v, w->tmp, b);
		if (t == res->nteams)
			continue;	/* reps are scored against their own team */
		for (size_t i = 0; i < nm; i++) {
			uint32_t r = w->members[i];
			size_t at = ((size_t)r * (size_t)np + (size_t)k) * RW_NMETRICS + (size_t)m;
			double x = res->vals[g][at];

			res->z[g][at] = NAN;
			res->pct[g][at] = NAN;
			if (!isfinite(x) || !b->n)
				continue;
			if (b->mad > 0)
				res->z[g][at] = (x - b->median) / (MAD_SCALE * b->mad);
			res->pct[g][at] = rw_percentile_rank(w->sorted, n, x);
		}
	}
}

int rw_baselines_compute(struct rw_results *res, const struct rw_dataset *ds,
			 enum rw_grain g)
{
	size_t nr = ds->nreps, nt = res->nteams + 1, np = (size_t)res->count[g];
	struct bwork w;
	int rc = 0;

	memset(&w, 0, sizeof(w));
	res->base[g] = rw_calloc(nt * np * RW_NMETRICS, sizeof(*res->base[g]));
	res->z[g] = rw_calloc(nr * np * RW_NMETRICS + 1, sizeof(double));
	res->pct[g] = rw_calloc(nr * np * RW_NMETRICS + 1, sizeof(double));
	w.v = rw_calloc(nr + 1, sizeof(*w.v));
	w.sorted = rw_calloc(nr + 1, sizeof(*w.sorted));
	w.tmp = rw_calloc(nr + 1, sizeof(*w.tmp));
	w.members = rw_calloc(nr + 1, sizeof(*w.members));
	w.elig = rw_calloc(nr + 1, 1);
	if (!res->base[g] || !res->z[g] || !res->pct[g] || !w.v || !w.sorted ||
	    !w.tmp || !w.members || !w.elig) {
		rc = RW_ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < np; k++) {
		for (size_t r = 0; r < nr; r++)
			w.elig[r] = (unsigned char)rw_results_eligible(res, (uint32_t)r,
								       g, (int)k);
		for (size_t t = 0; t < nt; t++) {
			size_t nm = 0;

			/* Members of team t; the company row takes every rep. */
			for (size_t r = 0; r < nr; r++)
				if (t == res->nteams || res->rep_team[r] == t)
					w.members[nm++] = (uint32_t)r;
			one_team(res, g, (int)k, t, &w, nm);
		}
	}
out:
	rw_free(w.v);
	rw_free(w.sorted);
	rw_free(w.tmp);
	rw_free(w.members);
	rw_free(w.elig);
	return rc;
}

/* ---- Accessors ---------------------------------------------------------- */

size_t rw_results_team_count(const struct rw_results *res)
{
	return res->nteams + 1;
}

const char *rw_results_team_name(const struct rw_results *res, size_t t)
{
	return t <= res->nteams ? res->team_names[t] : NULL;
}

size_t rw_results_rep_team(const struct rw_results *res, uint32_t r)
{
	return r < res->nreps ? res->rep_team[r] : res->nteams;
}

const struct rw_baseline *rw_results_baseline(const struct rw_results *res,
					      size_t t, enum rw_grain g, int k,
					      enum rw_metric m)
{
	if (t > res->nteams || (unsigned)g >= RW_NGRAINS || k < 0 ||
	    k >= res->count[g] || (unsigned)m >= RW_NMETRICS || !res->base[g])
		return NULL;
	return &res->base[g][(t * (size_t)res->count[g] + (size_t)k) * RW_NMETRICS +
			     (size_t)m];
}

static double per_value(double *const *a, const struct rw_results *res,
			uint32_t r, enum rw_grain g, int k, enum rw_metric m)
{
	if (r >= res->nreps || (unsigned)g >= RW_NGRAINS || k < 0 ||
	    k >= res->count[g] || (unsigned)m >= RW_NMETRICS || !a[g])
		return NAN;
	return a[g][((size_t)r * (size_t)res->count[g] + (size_t)k) * RW_NMETRICS +
		    (size_t)m];
}

double rw_results_z(const struct rw_results *res, uint32_t r, enum rw_grain g,
		    int k, enum rw_metric m)
{
	return per_value(res->z, res, r, g, k, m);
}

double rw_results_pct(const struct rw_results *res, uint32_t r, enum rw_grain g,
		      int k, enum rw_metric m)
{
	return per_value(res->pct, res, r, g, k, m);
}
