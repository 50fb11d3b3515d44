/*
 * stats.c - the statistics behind the metrics and trends (SPEC section 4,
 * DESIGN "Statistics (GSL)").  Every GSL result is checked: a failing call
 * leaves the value NAN, which writers store as NULL.
 */
#include "engine.h"
#include "engine_int.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>

double rw_median_sorted(const double *a, size_t n)
{
	if (!n)
		return NAN;
	if (n % 2)
		return a[n / 2];
	return (a[n / 2 - 1] + a[n / 2]) / 2;
}

/*
 * Jeffreys interval (Brown, Cai and DasGupta 2001, "Interval estimation
 * for a binomial proportion"): equal-tailed quantiles of the posterior
 * Beta(x + 1/2, n - x + 1/2), with the bounds pinned to 0 and 1 at the
 * edges as the paper recommends.
 */
int rw_jeffreys(double won, double lost, double *lo, double *hi)
{
	double l = 0, h = 1;

	*lo = NAN;
	*hi = NAN;
	if (!(won >= 0 && lost >= 0 && won + lost > 0))
		return -1;
	if (won > 0)
		l = gsl_cdf_beta_Pinv(0.025, won + 0.5, lost + 0.5);
	if (lost > 0)
		h = gsl_cdf_beta_Pinv(0.975, won + 0.5, lost + 0.5);
	if (!isfinite(l) || !isfinite(h))
		return -1;
	*lo = l;
	*hi = h;
	return 0;
}

/*
 * t_{0.975} with dof degrees of freedom.  A trend has at most
 * RW_TREND_MAX points, so a night asks for the same few values thousands
 * of times: each is computed once per thread (the same call, so the same
 * bits).
 */
static double t_crit(double dof)
{
	static _Thread_local double memo[RW_TREND_MAX + 1];
	static _Thread_local unsigned char known[RW_TREND_MAX + 1];
	size_t i = (size_t)dof;

	if (!(dof >= 1 && dof <= RW_TREND_MAX) || (double)i != dof)
		return gsl_cdf_tdist_Qinv(0.025, dof);
	if (!known[i]) {
		memo[i] = gsl_cdf_tdist_Qinv(0.025, dof);
		known[i] = 1;
	}
	return memo[i];
}

/* Two-sided p of a slope and its 95% interval from its standard error. */
static void slope_test(double slope, double se, size_t n, double *p,
		       double *lo, double *hi)
{
	double dof = (double)n - 2, q, tcrit;

	if (!isfinite(se) || se < 0)
		return;
	if (se == 0) {
		/* An exact fit: no doubt about the slope, or nothing to test. */
		if (p)
			*p = slope != 0 ? 0 : NAN;
		if (lo && hi) {
			*lo = slope;
			*hi = slope;
		}
		return;
	}
	q = gsl_cdf_tdist_Q(fabs(slope / se), dof);
	if (p && isfinite(q))
		*p = fmin(1, 2 * q);
	if (lo && hi) {
		tcrit = t_crit(dof);
		if (isfinite(tcrit)) {
			*lo = slope - tcrit * se;
			*hi = slope + tcrit * se;
		}
	}
}

static void ols_plain(const double *x, const double *y, size_t n,
		      struct rw_trend *t)
{
	double c0, c1, cov00, cov01, cov11, sumsq, ybar = 0, sst = 0;

	if (gsl_fit_linear(x, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11,
			   &sumsq) != GSL_SUCCESS || !isfinite(c1) || !isfinite(c0))
		return;
	t->slope = c1;
	t->intercept = c0;
	for (size_t i = 0; i < n; i++)
		ybar += y[i];
	ybar /= (double)n;
	for (size_t i = 0; i < n; i++)
		sst += (y[i] - ybar) * (y[i] - ybar);
	/* r2 is undefined for a flat series (total sum of squares 0). */
	if (sst > 0)
		t->r2 = fmax(0, fmin(1, 1 - sumsq / sst));
	/* gsl_fit_linear scales cov11 by the residual variance sumsq/(n-2). */
	slope_test(c1, sqrt(cov11), n, &t->slope_p, &t->slope_lo, &t->slope_hi);
}

static void ols_weighted(const double *x, const double *y, const double *w,
			 size_t n, struct rw_trend *t)
{
	double c0, c1, cov00, cov01, cov11, chisq;

	if (gsl_fit_wlinear(x, 1, w, 1, y, 1, n, &c0, &c1, &cov00, &cov01,
			    &cov11, &chisq) != GSL_SUCCESS || !isfinite(c1))
		return;
	t->wslope = c1;
	/* The weights are relative (deal counts, not 1/variance), so the
	 * covariance is scaled by the residual variance chisq/(n-2). */
	slope_test(c1, sqrt(cov11 * chisq / ((double)n - 2)), n, &t->wslope_p,
		   NULL, NULL);
}

void rw_trend_ols(const double *x, const double *y, const double *w, size_t n,
		  struct rw_trend *t)
{
	double xs[RW_TREND_MAX], ys[RW_TREND_MAX], ws[RW_TREND_MAX];
	size_t m = 0;

	if (w) {
		t->wslope = NAN;
		t->wslope_p = NAN;
	} else {
		t->slope = t->intercept = t->r2 = NAN;
		t->slope_p = t->slope_lo = t->slope_hi = NAN;
	}
	/* At most RW_TREND_MAX points: the last ones. */
	for (size_t i = n > RW_TREND_MAX ? n - RW_TREND_MAX : 0; i < n; i++) {
		if (isnan(x[i]) || isnan(y[i]))
			continue;
		if (w && !(w[i] > 0))
			continue;
		xs[m] = x[i];
		ys[m] = y[i];
		ws[m] = w ? w[i] : 1;
		m++;
	}
	if (!w)
		t->n = (int)m;
	if (m < 3)
		return;
	if (w)
		ols_weighted(xs, ys, ws, m, t);
	else
		ols_plain(xs, ys, m, t);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Theil (1950) and Sen (1968): median of the pairwise slopes. */
static double theil_sen(const double *x, const double *y, size_t n)
{
	double s[RW_TREND_MAX * (RW_TREND_MAX - 1) / 2];
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (x[j] != x[i])
				s[m++] = (y[j] - y[i]) / (x[j] - x[i]);
	if (m)
		qsort(s, m, sizeof(*s), cmp_double);
	return rw_median_sorted(s, m);
}

/*
 * Mann-Kendall trend test, two-sided, normal approximation with the tie
 * correction of the variance and a continuity correction (Kendall 1975;
 * Hipel and McLeod 1994, section 23.3):
 *   Var(S) = [n(n-1)(2n+5) - sum_t t(t-1)(2t+5)] / 18,
 *   Z = (S - sgn(S)) / sqrt(Var(S)).
 * Points are taken in x order (callers pass them sorted).
 */
static double mann_kendall(const double *y, size_t n)
{
	double ys[RW_TREND_MAX], var, z;
	long s = 0;
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			s += (y[j] > y[i]) - (y[j] < y[i]);
	var = (double)n * (double)(n - 1) * (double)(2 * n + 5);
	for (i = 0; i < n; i++)
		ys[i] = y[i];
	qsort(ys, n, sizeof(*ys), cmp_double);
	for (i = 0; i < n; i = j) {
		double tie;

		for (j = i + 1; j < n && ys[j] == ys[i]; j++)
			;
		tie = (double)(j - i);
		var -= tie * (tie - 1) * (2 * tie + 5);
	}
	var /= 18;
	if (!(var > 0))
		return NAN;
	z = s == 0 ? 0 : ((double)s - (s > 0 ? 1 : -1)) / sqrt(var);
	return fmin(1, 2 * gsl_cdf_ugaussian_Q(fabs(z)));
}

/* mean(last half) / mean(first half) - 1; an odd middle point is left out. */
static double half_change(const double *y, size_t n)
{
	size_t h = n / 2;
	double a = 0, b = 0;

	for (size_t i = 0; i < h; i++) {
		a += y[i];
		b += y[n - h + i];
	}
	if (a == 0)
		return NAN;
	return b / a - 1;
}

static void mean_var(const double *y, size_t n, double *mean, double *var)
{
	double m = 0, v = 0;

	for (size_t i = 0; i < n; i++)
		m += y[i];
	m /= (double)n;
	for (size_t i = 0; i < n; i++)
		v += (y[i] - m) * (y[i] - m);
	*mean = m;
	*var = n > 1 ? v / (double)(n - 1) : 0;
}

/* Welch-Satterthwaite degrees of freedom of two samples of n1 and n2 with
 * variances v1 and v2 (se2 = v1 / n1 + v2 / n2 > 0). */
static double welch_dof(double se2, double v1, size_t n1, double v2, size_t n2)
{
	return se2 * se2 / ((v1 / (double)n1) * (v1 / (double)n1) / (double)(n1 - 1) +
			    (v2 / (double)n2) * (v2 / (double)n2) / (double)(n2 - 1));
}

/* Two-proportion z of x2 / t2 against x1 / t1 with the pooled rate pool;
 * 0 with *z set, or -1 when a side has no trials or se is 0. */
static int two_prop_z(double x1, double t1, double x2, double t2, double pool,
		      double *z)
{
	double se = sqrt(pool * (1 - pool) * (1 / t1 + 1 / t2));

	if (!(t1 > 0) || !(t2 > 0) || !(se > 0))
		return -1;
	*z = (x2 / t2 - x1 / t1) / se;
	return 0;
}

/*
 * Single mean shift: the split that minimises the within-segment sum of
 * squares (each side at least RW_CP_MINSEG points), tested with Welch's two-sample t
 * (Welch-Satterthwaite d.o.f.), the p-value multiplied by the number of
 * candidate splits (Bonferroni) because the split was chosen to fit.
 * The search runs on prefix sums of the centred values (O(n), so a long
 * history costs no more than a pass); the chosen split's means and
 * variances are then recomputed exactly.
 */
int rw_change_point(const double *y, size_t n, double *size, double *p)
{
	double best = INFINITY, m1, v1, m2, v2, se2, dof, q, pv, c = 0;
	double s1[RW_CP_MAX + 1], s2[RW_CP_MAX + 1];
	size_t s, bs = 0, n1, n2;

	*size = NAN;
	*p = NAN;
	if (n < 2 * RW_CP_MINSEG || n > RW_CP_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		c += y[i];
	c /= (double)n;
	s1[0] = s2[0] = 0;
	for (size_t i = 0; i < n; i++) {
		s1[i + 1] = s1[i] + (y[i] - c);
		s2[i + 1] = s2[i] + (y[i] - c) * (y[i] - c);
	}
	for (s = RW_CP_MINSEG; s + RW_CP_MINSEG <= n; s++) {
		/* Within sum of squares: total minus each side's n mean^2. */
		double a = s1[s], b = s1[n] - s1[s];
		double sse = s2[n] - a * a / (double)s - b * b / (double)(n - s);

		if (sse < best) {
			best = sse;
			bs = s;
		}
	}
	n1 = bs;
	n2 = n - bs;
	mean_var(y, n1, &m1, &v1);
	mean_var(y + n1, n2, &m2, &v2);
	se2 = v1 / (double)n1 + v2 / (double)n2;
	if (se2 == 0) {
		if (m1 == m2)
			return -1;
		pv = 0;		/* two flat segments at different levels */
	} else {
		dof = welch_dof(se2, v1, n1, v2, n2);
		q = gsl_cdf_tdist_Q(fabs(m2 - m1) / sqrt(se2), dof);
		if (!isfinite(q))
			return -1;
		pv = fmin(1, 2 * q * (double)(n + 1 - 2 * RW_CP_MINSEG));
	}
	*size = m2 - m1;
	*p = pv;
	return pv < 0.05 ? (int)bs : -1;
}

int rw_change_point_prop(const double *x, const double *t, size_t n,
			 double *size, double *p)
{
	double X = 0, T = 0, x1 = 0, t1 = 0, best = -1;
	size_t bs = 0;

	*size = NAN;
	*p = NAN;
	if (n < 2 * RW_CP_MINSEG || n > RW_CP_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		X += x[i];
		T += t[i];
	}
	for (size_t s = 1; s + RW_CP_MINSEG <= n; s++) {
		double x2, t2, z;

		x1 += x[s - 1];
		t1 += t[s - 1];
		if (s < RW_CP_MINSEG)
			continue;
		x2 = X - x1;
		t2 = T - t1;
		if (two_prop_z(x1, t1, x2, t2, X / T, &z))
			continue;
		if (fabs(z) > best) {
			best = fabs(z);
			bs = s;
			*size = x2 / t2 - x1 / t1;
		}
	}
	if (best < 0)
		return -1;
	*p = fmin(1, 2 * gsl_cdf_ugaussian_Q(best) * (double)(n + 1 - 2 * RW_CP_MINSEG));
	return *p < 0.05 ? (int)bs : -1;
}

/* The trend window's own change point: reported only when significant. */
static int change_point(const double *y, size_t n, double *size, double *p)
{
	int i = rw_change_point(y, n, size, p);

	if (i < 0)
		*size = *p = NAN;
	return i;
}

int rw_gamma_interval(double y, double v, double wm, double *lo, double *hi)
{
	double l = 0, h;

	*lo = NAN;
	*hi = NAN;
	if (!(y >= 0 && v >= 0 && wm > 0) || !isfinite(y) || !isfinite(v) ||
	    !isfinite(wm) || (y > 0 && !(v > 0)))
		return -1;
	if (y > 0)
		l = gsl_cdf_gamma_Pinv(0.025, y * y / v, v / y);
	h = gsl_cdf_gamma_Pinv(0.975, (y + wm) * (y + wm) / (v + wm * wm),
			       (v + wm * wm) / (y + wm));
	if (!isfinite(l) || !isfinite(h))
		return -1;
	*lo = l;
	*hi = h;
	return 0;
}

struct pidx {
	double p;
	size_t i;
};

static int cmp_pidx(const void *a, const void *b)
{
	const struct pidx *x = a, *y = b;

	if (x->p != y->p)
		return (x->p > y->p) - (x->p < y->p);
	return (x->i > y->i) - (x->i < y->i);
}

int rw_bh_adjust(const double *p, size_t n, double *q)
{
	struct pidx *a = rw_calloc(n ? n : 1, sizeof(*a));
	size_t m = 0;
	double run = 1;

	if (!a)
		return RW_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (isfinite(p[i]))
			a[m++] = (struct pidx){ p[i], i };
	for (size_t i = 0; i < n; i++)
		q[i] = NAN;
	qsort(a, m, sizeof(*a), cmp_pidx);
	/* From the largest p down, keeping the running minimum (step-up). */
	for (size_t j = m; j-- > 0;) {
		double v = a[j].p * (double)m / (double)(j + 1);

		if (v < run)
			run = v;
		q[a[j].i] = run;
	}
	rw_free(a);
	return 0;
}

void rw_trend_robust(const double *x, const double *y, size_t n,
		     struct rw_trend *t, int *cp_index)
{
	t->ts_slope = t->mk_p = t->change = t->cp_size = t->cp_p = NAN;
	*cp_index = -1;
	if (n < 3 || n > RW_TREND_MAX)
		return;
	t->ts_slope = theil_sen(x, y, n);
	t->mk_p = mann_kendall(y, n);
	t->change = half_change(y, n);
	*cp_index = change_point(y, n, &t->cp_size, &t->cp_p);
}

int rw_split_test_mean(const double *y, size_t n, size_t split, int lower,
		       double *change, double *p)
{
	double m1, m2, v1, v2, se2, t, q;
	size_t n1 = split, n2 = n - split;

	*change = *p = NAN;
	if (split > n || n1 < 2 || n2 < 2)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(y[i]))
			return -1;
	mean_var(y, n1, &m1, &v1);
	mean_var(y + n1, n2, &m2, &v2);
	if (m1 != 0)
		*change = (m2 - m1) / fabs(m1);
	se2 = v1 / (double)n1 + v2 / (double)n2;
	if (se2 == 0) {
		/* Two flat segments: certain when they differ the asked way. */
		*p = (lower ? m2 < m1 : m2 > m1) ? 0 : 1;
		return 0;
	}
	t = (m2 - m1) / sqrt(se2);
	q = gsl_cdf_tdist_P(lower ? t : -t, welch_dof(se2, v1, n1, v2, n2));
	if (!isfinite(q))
		return -1;
	*p = q;
	return 0;
}

int rw_split_test_prop(const double *x, const double *t, size_t n, size_t split,
		       int lower, double *change, double *p)
{
	double x1 = 0, t1 = 0, x2 = 0, t2 = 0, z;

	*change = *p = NAN;
	if (split > n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(t[i]) || x[i] < 0 || t[i] < x[i])
			return -1;
		if (i < split) {
			x1 += x[i];
			t1 += t[i];
		} else {
			x2 += x[i];
			t2 += t[i];
		}
	}
	if (!(t1 > 0) || !(t2 > 0))
		return -1;
	if (x1 > 0)
		*change = (x2 / t2) / (x1 / t1) - 1;
	if (two_prop_z(x1, t1, x2, t2, (x1 + x2) / (t1 + t2), &z)) {
		*p = 1;		/* all won or all lost: no difference */
		return 0;
	}
	*p = gsl_cdf_ugaussian_P(lower ? z : -z);
	return 0;
}
