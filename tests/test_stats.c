/*
 * test_stats.c - the calendar and the statistics under the metrics (SPEC
 * section 4): intervals, trends, change points and the false discovery
 * rate, each against a textbook value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "../engine/engine.h"
#include "../engine/engine_int.h"

#define D(y, m, d) rw_days_from_civil(y, m, d)

/*
 * The one day format and its strict parser: "YYYY-MM-DD" and nothing
 * else.  2026-02-28 is day 20,512 (20,454 days to 2026-01-01: 56 years of
 * 365 plus 14 leap days, then 31 + 27 days into the year).
 */
static void test_day_format_parse(void **state)
{
	char out[16];
	int32_t day = 7;

	(void)state;
	rw_day_format(20512, out, sizeof(out));
	assert_string_equal(out, "2026-02-28");
	assert_int_equal(rw_day_parse("2026-02-28", &day), 0);
	assert_int_equal(day, 20512);
	day = 7;
	assert_int_equal(rw_day_parse("2026-02-29", &day), -1);	/* not a leap year */
	assert_int_equal(rw_day_parse("2026-02-28x", &day), -1);	/* trailing junk */
	assert_int_equal(rw_day_parse("2026-2-28", &day), -1);
	assert_int_equal(rw_day_parse("2026-02-2 ", &day), -1);
	assert_int_equal(rw_day_parse("+026-02-28", &day), -1);
	assert_int_equal(rw_day_parse(NULL, &day), -1);
	assert_int_equal(day, 7);					/* untouched */
}

/* ---- Calendar ----------------------------------------------------------- */

static void test_days_from_civil(void **state)
{
	int y, m, d;

	(void)state;
	/* 1970-01-01 is day 0 by definition. */
	assert_int_equal(rw_days_from_civil(1970, 1, 1), 0);
	/* 2024-01-22: 54 years of 365 days plus 13 leap days (1972..2020)
	 * = 19723 days to 2024-01-01, + 21 = 19744 (also `date -d
	 * 2024-01-22 +%s` / 86400). */
	assert_int_equal(rw_days_from_civil(2024, 1, 22), 19744);
	/* 2000-01-01: 30 * 365 + 7 leap days (1972..1996) = 10957; then
	 * + 31 (January) + 29 (February 2000 is a leap month) = 11017. */
	assert_int_equal(rw_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(rw_days_from_civil(1969, 12, 31), -1);
	rw_civil_from_days(11016, &y, &m, &d);
	assert_int_equal(y, 2000);
	assert_int_equal(m, 2);
	assert_int_equal(d, 29);
	assert_true(rw_date_valid(2024, 2, 29));
	assert_false(rw_date_valid(2023, 2, 29));
	assert_false(rw_date_valid(2024, 13, 1));
}

static void check_label(enum rw_grain g, int32_t day, int fs, const char *want)
{
	char buf[32];

	rw_period_label(g, rw_period_of(g, day, fs), fs, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_period_labels(void **state)
{
	(void)state;
	/* ISO 8601 weeks: 2020 has 53 weeks (it starts on a Wednesday in a
	 * leap year); 2021-01-03 is a Sunday, still in 2020-W53; 2021-01-04
	 * is the Monday of 2021-W01.  2026-02-11 (a Wednesday) is in W07
	 * (2026-W01 starts Monday 2025-12-29). */
	check_label(RW_WEEK, D(2020, 12, 31), 1, "2020-W53");
	check_label(RW_WEEK, D(2021, 1, 3), 1, "2020-W53");
	check_label(RW_WEEK, D(2021, 1, 4), 1, "2021-W01");
	check_label(RW_WEEK, D(2026, 2, 11), 1, "2026-W07");
	check_label(RW_WEEK, D(2024, 12, 30), 1, "2025-W01");
	check_label(RW_MONTH, D(2026, 2, 11), 1, "2026-02");
	check_label(RW_QUARTER, D(2026, 2, 11), 1, "2026-Q1");
	check_label(RW_QUARTER, D(2026, 12, 31), 1, "2026-Q4");
	/* Fiscal year starting in February, named by the year it ends in:
	 * FY2027 runs 2026-02-01 .. 2027-01-31. */
	check_label(RW_QUARTER, D(2026, 2, 1), 2, "FY2027-Q1");
	check_label(RW_QUARTER, D(2026, 1, 31), 2, "FY2026-Q4");
	check_label(RW_QUARTER, D(2026, 11, 1), 2, "FY2027-Q4");
}

static void check_parse(const char *s, int fs, enum rw_grain wg, int32_t day)
{
	enum rw_grain g;
	int32_t p;
	char buf[32];

	assert_int_equal(rw_period_parse(s, strlen(s), fs, &g, &p), 0);
	assert_int_equal(g, wg);
	assert_int_equal(p, rw_period_of(wg, day, fs));
	rw_period_label(g, p, fs, buf, sizeof(buf));
	assert_string_equal(buf, s);
}

static void test_period_parse(void **state)
{
	enum rw_grain g;
	int32_t p;

	(void)state;
	check_parse("2026-W07", 1, RW_WEEK, D(2026, 2, 11));
	check_parse("2020-W53", 1, RW_WEEK, D(2021, 1, 3));
	check_parse("2026-02", 1, RW_MONTH, D(2026, 2, 28));
	check_parse("2026-Q1", 1, RW_QUARTER, D(2026, 3, 31));
	check_parse("FY2027-Q1", 2, RW_QUARTER, D(2026, 4, 30));
	/* 2021 has 52 ISO weeks. */
	assert_int_equal(rw_period_parse("2021-W53", 8, 1, &g, &p), -1);
	assert_int_equal(rw_period_parse("2026-13", 7, 1, &g, &p), -1);
	assert_int_equal(rw_period_parse("2026-Q5", 7, 1, &g, &p), -1);
	/* Period boundaries: March 2024 is [03-01, 04-01). */
	assert_int_equal(rw_period_start(RW_MONTH, rw_period_of(RW_MONTH, D(2024, 3, 15), 1), 1),
			 D(2024, 3, 1));
	assert_int_equal(rw_period_end(RW_MONTH, rw_period_of(RW_MONTH, D(2024, 3, 15), 1), 1),
			 D(2024, 4, 1));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(rw_metric_name(RW_M_WIN_RATE_SHRUNK), "win_rate_shrunk");
	assert_string_equal(rw_metric_name(RW_M_SALES_VELOCITY), "sales_velocity");
	assert_int_equal(rw_metric_find("touch_gap_days"), RW_M_TOUCH_GAP_DAYS);
	assert_int_equal(rw_metric_find("nope"), -1);
	assert_null(rw_metric_name(RW_NMETRICS));
	assert_string_equal(rw_grain_name(RW_QUARTER), "quarter");
	assert_int_equal(rw_grain_find("week"), RW_WEEK);
	assert_int_equal(rw_grain_find("year"), -1);
}

/* ---- Statistics --------------------------------------------------------- */

/*
 * rw_grow: the capacities follow from its contract (twice the old one, at
 * least the need, at least 16), worked by hand; a failure leaves the array
 * and its capacity as they were.
 */
static void test_grow(void **state)
{
	size_t cap = 0, big;
	int *a = NULL, *p;

	(void)state;
	a = rw_grow(NULL, &cap, 1, sizeof(int));
	assert_non_null(a);
	assert_int_equal(cap, 16);	/* max(0 * 2, 1, 16) */
	a[15] = 7;
	assert_ptr_equal(rw_grow(a, &cap, 16, sizeof(int)), a);
	assert_int_equal(cap, 16);	/* fits: untouched */
	a = rw_grow(a, &cap, 17, sizeof(int));
	assert_non_null(a);
	assert_int_equal(cap, 32);	/* max(16 * 2, 17, 16) */
	assert_int_equal(a[15], 7);	/* contents kept */
	a = rw_grow(a, &cap, 100, sizeof(int));
	assert_non_null(a);
	assert_int_equal(cap, 100);	/* max(32 * 2, 100, 16) */
	/* Out of memory: NULL, the array still the caller's. */
	rw_alloc_fail_after(1);
	p = rw_grow(a, &cap, 101, sizeof(int));
	rw_alloc_fail_after(0);
	assert_null(p);
	assert_int_equal(cap, 100);
	/* Overflow of the element count and of count x size. */
	big = SIZE_MAX / 2 + 1;
	assert_null(rw_grow(a, &big, big + 1, sizeof(int)));
	assert_int_equal(big, SIZE_MAX / 2 + 1);
	assert_null(rw_grow(a, &cap, 101, SIZE_MAX / 150));
	assert_int_equal(cap, 100);
	assert_int_equal(a[15], 7);
	rw_free(a);
}

static void test_jeffreys(void **state)
{
	double lo, hi;

	(void)state;
	/* R binom::binom.confint(x, n, method = "bayes") (Jeffreys prior),
	 * as published in statsmodels' proportion test results
	 * (statsmodels/stats/tests/results/results_proportion.py). */
	assert_int_equal(rw_jeffreys(4, 16, &lo, &hi), 0);
	assert_float_equal(lo, 0.071520, 1e-5);
	assert_float_equal(hi, 0.408226, 1e-5);
	assert_int_equal(rw_jeffreys(18, 2, &lo, &hi), 0);
	assert_float_equal(lo, 0.716147, 1e-5);
	assert_float_equal(hi, 0.978628, 1e-5);
	assert_int_equal(rw_jeffreys(4, 196, &lo, &hi), 0);
	assert_float_equal(lo, 0.006788, 1e-5);
	assert_float_equal(hi, 0.046847, 1e-5);
	/* SPEC: lo = 0 when won = 0, hi = 1 when lost = 0. */
	assert_int_equal(rw_jeffreys(0, 5, &lo, &hi), 0);
	assert_true(lo == 0);
	assert_int_equal(rw_jeffreys(5, 0, &lo, &hi), 0);
	assert_true(hi == 1);
	assert_int_equal(rw_jeffreys(0, 0, &lo, &hi), -1);
	assert_true(isnan(lo) && isnan(hi));
}

static void test_ols_textbook(void **state)
{
	static const double x[] = { 1, 2, 3, 4, 5 };
	static const double y[] = { 2, 4, 5, 4, 5 };
	struct rw_trend t;

	(void)state;
	memset(&t, 0, sizeof(t));
	/*
	 * By hand: xbar 3, ybar 4, Sxx 10, Sxy 6 -> slope 0.6, intercept
	 * 4 - 0.6 * 3 = 2.2.  SST 6, SSR 0.6^2 * 10 = 3.6 -> r2 0.6.
	 * SSE 2.4, s^2 = 2.4 / 3 = 0.8, se = sqrt(0.8 / 10) = 0.28284,
	 * t = 0.6 / 0.28284 = 2.1213 on 3 d.o.f.; a t table gives the
	 * two-sided p = 0.1240.  t(0.975, 3) = 3.18245 (table), so the 95%
	 * interval is 0.6 -+ 3.18245 * 0.28284 = [-0.30013, 1.50013].
	 */
	rw_trend_ols(x, y, NULL, 5, &t);
	assert_int_equal(t.n, 5);
	assert_float_equal(t.slope, 0.6, 1e-12);
	assert_float_equal(t.intercept, 2.2, 1e-12);
	assert_float_equal(t.r2, 0.6, 1e-12);
	assert_float_equal(t.slope_p, 0.1240, 5e-4);
	assert_float_equal(t.slope_lo, -0.30013, 1e-4);
	assert_float_equal(t.slope_hi, 1.50013, 1e-4);
}

static void test_ols_weighted_and_edges(void **state)
{
	static const double x[] = { 0, 1, 2, 3 };
	static const double y[] = { 1, 3, 5, 7 };
	static const double yn[] = { 1, NAN, 5, NAN };
	static const double w[] = { 1, 2, 0, 4 };
	static const double flat[] = { 2, 2, 2, 2 };
	struct rw_trend t;

	(void)state;
	/* y = 1 + 2x exactly: slope 2, an exact fit has se 0 -> p 0. */
	rw_trend_ols(x, y, NULL, 4, &t);
	assert_float_equal(t.slope, 2, 1e-12);
	assert_float_equal(t.r2, 1, 1e-12);
	assert_float_equal(t.slope_p, 0, 1e-9);
	/* Weighted on the same exact line (w = 0 point skipped: 3 left). */
	rw_trend_ols(x, y, w, 4, &t);
	assert_float_equal(t.wslope, 2, 1e-12);
	/* Two points left after NULLs: no trend, n still counted. */
	rw_trend_ols(x, yn, NULL, 4, &t);
	assert_int_equal(t.n, 2);
	assert_true(isnan(t.slope) && isnan(t.slope_p) && isnan(t.r2));
	/* Flat series: slope 0, r2 undefined (SST 0), p undefined. */
	rw_trend_ols(x, flat, NULL, 4, &t);
	assert_float_equal(t.slope, 0, 1e-12);
	assert_true(isnan(t.r2));
	assert_true(isnan(t.slope_p));
}

static void test_robust_trend(void **state)
{
	static const double x[] = { 1, 2, 3, 4, 5 };
	static const double y[] = { 2, 4, 5, 4, 5 };
	static const double xs[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	static const double ys[] = { 1, 1.1, 0.9, 1, 5, 5.1, 4.9, 5 };
	struct rw_trend t;
	int cp;

	(void)state;
	rw_trend_robust(x, y, 5, &t, &cp);
	/* The 10 pairwise slopes sorted: -1, 0, 0, 1/3, 2/3, 3/4, 1, 1,
	 * 3/2, 2; median (2/3 + 3/4) / 2 = 0.708333. */
	assert_float_equal(t.ts_slope, 17.0 / 24, 1e-12);
	/* Mann-Kendall: S = 4 + 2 - 1 + 1 = 6; ties: two pairs (4, 5), so
	 * Var S = (5*4*15 - 2*(2*1*9)) / 18 = 264 / 18; Z = (6 - 1) /
	 * sqrt(14.667) = 1.3056; p = 2 (1 - Phi(1.3056)) = 0.1917 (normal
	 * table: Phi(1.30) = 0.90320, Phi(1.31) = 0.90490). */
	assert_float_equal(t.mk_p, 0.1917, 1e-3);
	/* Halves of 5 points (middle left out): (4+5)/2 / ((2+4)/2) - 1. */
	assert_float_equal(t.change, 0.5, 1e-12);
	/* Best split 2|3 (SSE 2.667 vs 5.167) but Welch t = 1.58 on 1.2
	 * d.o.f. is nowhere near significant: no change point. */
	assert_int_equal(cp, -1);
	assert_true(isnan(t.cp_size) && isnan(t.cp_p));

	/* A clear shift after 4 points: means 1 and 5, each side variance
	 * 0.02 / 3; Welch t = 4 / sqrt(2 * 0.006667 / 4) = 69.3 on 6 d.o.f.,
	 * p ~ 1e-9, times 5 candidate splits still far below 0.05. */
	rw_trend_robust(xs, ys, 8, &t, &cp);
	assert_int_equal(cp, 4);
	assert_float_equal(t.cp_size, 4, 1e-12);
	assert_true(t.cp_p < 1e-6);
}

static void test_median(void **state)
{
	static const double a[] = { 1, 2, 7, 10 };

	(void)state;
	assert_float_equal(rw_median_sorted(a, 4), 4.5, 0);
	assert_float_equal(rw_median_sorted(a, 3), 2, 0);
	assert_true(isnan(rw_median_sorted(a, 0)));
}

/*
 * The "Mann-Kendall by hand" example (Little, College of the Holy Cross,
 * mathcs.holycross.edu/~little/Montserrat/MannKendallByHand.txt): 14
 * values, S = 54, one tied pair, Var(S) = 14*13*33/18 - 2*1*9/18 =
 * 332.667, Z = (S - 1) / sqrt(Var S) = 2.9058; two-sided p = 2 (1 -
 * Phi(2.9058)) = 0.003663 (the page gives the one-sided 0.0018).  The
 * Theil-Sen slope, the median of the 91 pairwise slopes, is 0.566667
 * (Python's statistics.median over the pairs).
 */
static void test_mann_kendall_textbook(void **state)
{
	static const double y[] = { 12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9,
				    11.0, 17.3, 15.9, 19.0, 18.3, 20.1, 21.7 };
	double x[14];
	struct rw_trend t;
	int cp;

	(void)state;
	for (int i = 0; i < 14; i++)
		x[i] = i;
	rw_trend_robust(x, y, 14, &t, &cp);
	assert_float_equal(t.mk_p, 0.003663, 2e-6);
	assert_float_equal(t.ts_slope, 0.566667, 1e-6);
}

/* ---- Change points, intervals, the false discovery rate ----------------- */

/*
 * A win rate stepping from 4 of 10 to 1 of 10 deals after four months.
 * At split 4: pooled rates 16/40 = 0.4 and 4/40 = 0.1, overall 20/80 =
 * 0.25, se = sqrt(0.25 x 0.75 x (1/40 + 1/40)) = 0.0968246, z = -3.09839;
 * splits 3 and 5 give |z| = 2.4 (se 0.1), so 4 is the split.  Two-sided
 * normal tail 2 Q(3.09839) = erfc(3.09839 / sqrt 2) = 0.00194577, times
 * the 3 candidate splits (3, 4, 5: three periods each side at least):
 * 0.00583731.  Too few periods (5 < 2 x 3): no test.
 */
/*
 * One pre-specified split, one-sided.  The proportions are the change
 * point case above at its split 4: z = -3.09839, lower tail Phi(z) = 0.5
 * erfc(3.09839 / sqrt 2) = 0.000972887, change 0.1 / 0.4 - 1 = -0.75; the
 * upper tail is 1 - that.  The means: 10, 12, 14 | 6, 8, 7: means 12 and
 * 7, variances 4 and 1, se^2 = 4/3 + 1/3, t = -5 / sqrt(5/3) = -3.872983,
 * Welch d.o.f. (5/3)^2 / ((4/3)^2 / 2 + (1/3)^2 / 2) = 2.941176; the lower
 * tail 0.5 I_{nu / (nu + t^2)}(nu / 2, 1 / 2) = 0.01578112 by Simpson's
 * rule on the incomplete beta integral (2e6 steps; the same code gives
 * 0.025000 for t = 2.776445, 4 d.o.f., the table value).  change -5 / 12.
 */
static void test_split_tests(void **state)
{
	static const double won[8] = { 4, 4, 4, 4, 1, 1, 1, 1 };
	static const double closed[8] = { 10, 10, 10, 10, 10, 10, 10, 10 };
	static const double y[6] = { 10, 12, 14, 6, 8, 7 };
	static const double flat[4] = { 3, 3, 1, 1 };
	double change, p;

	(void)state;
	assert_int_equal(rw_split_test_prop(won, closed, 8, 4, 1, &change, &p), 0);
	assert_float_equal(change, -0.75, 1e-12);
	assert_float_equal(p, 0.000972887, 1e-9);
	assert_int_equal(rw_split_test_prop(won, closed, 8, 4, 0, &change, &p), 0);
	assert_float_equal(p, 1 - 0.000972887, 1e-9);
	assert_int_equal(rw_split_test_prop(won, closed, 8, 0, 1, &change, &p), -1);
	assert_true(isnan(p) && isnan(change));
	assert_int_equal(rw_split_test_mean(y, 6, 3, 1, &change, &p), 0);
	assert_float_equal(change, -5.0 / 12, 1e-12);
	assert_float_equal(p, 0.01578112, 1e-8);
	/* Flat segments: certain the asked way, never the other. */
	assert_int_equal(rw_split_test_mean(flat, 4, 2, 1, &change, &p), 0);
	assert_float_equal(p, 0, 0);
	assert_int_equal(rw_split_test_mean(flat, 4, 2, 0, &change, &p), 0);
	assert_float_equal(p, 1, 0);
	/* One value a side is no test. */
	assert_int_equal(rw_split_test_mean(y, 6, 1, 1, &change, &p), -1);
}

static void test_change_point_prop(void **state)
{
	static const double won[8] = { 4, 4, 4, 4, 1, 1, 1, 1 };
	static const double closed[8] = { 10, 10, 10, 10, 10, 10, 10, 10 };
	double size, p;

	(void)state;
	assert_int_equal(rw_change_point_prop(won, closed, 8, &size, &p), 4);
	assert_float_equal(size, -0.3, 1e-12);
	assert_float_equal(p, 0.00583731, 1e-7);
	assert_int_equal(rw_change_point_prop(won, closed, 5, &size, &p), -1);
	assert_true(isnan(p));
}

/*
 * The Fay-Feuer interval with n equal weights w is w times the exact
 * (Garwood 1936) Poisson interval chi2(0.025; 2n) / 2 .. chi2(0.975;
 * 2n + 2) / 2.  From the published chi-square table (e.g. Abramowitz and
 * Stegun, table 26.8): chi2(0.025; 6) = 1.2373, chi2(0.975; 8) = 17.5345,
 * so for a count of 3 the limits are 0.6187 and 8.7673 (Garwood's table
 * prints 0.619 and 8.77); for 0 the upper limit is chi2(0.975; 2) / 2 =
 * ln(40) = 3.68888 by hand.  With w = 250 the limits scale: 154.675,
 * 2191.825.
 */
static void test_gamma_interval(void **state)
{
	double lo, hi;

	(void)state;
	assert_int_equal(rw_gamma_interval(3, 3, 1, &lo, &hi), 0);
	assert_float_equal(lo, 0.6187, 5e-5);
	assert_float_equal(hi, 8.7673, 5e-5);
	assert_int_equal(rw_gamma_interval(0, 0, 1, &lo, &hi), 0);
	assert_float_equal(lo, 0, 0);
	assert_float_equal(hi, log(40), 1e-6);
	assert_int_equal(rw_gamma_interval(750, 3 * 250.0 * 250, 250, &lo, &hi), 0);
	assert_float_equal(lo, 154.675, 250 * 5e-5);
	assert_float_equal(hi, 2191.825, 250 * 5e-5);
	/* No deal size to speak of, negative input: no interval. */
	assert_int_equal(rw_gamma_interval(0, 0, 0, &lo, &hi), -1);
	assert_true(isnan(lo) && isnan(hi));
	assert_int_equal(rw_gamma_interval(-1, 1, 1, &lo, &hi), -1);
	assert_int_equal(rw_gamma_interval(NAN, 1, 1, &lo, &hi), -1);
}

/*
 * The memo (engine/memo.c) answers as the direct call: the published
 * values of test_jeffreys and test_gamma_interval, asked twice (the second
 * answer from the cache), failures included, and many keys so that slots
 * are overwritten without a wrong answer.
 */
static void test_memo(void **state)
{
	struct rw_memo *m = rw_memo_new();
	double lo, hi, l2, h2;

	(void)state;
	assert_non_null(m);
	for (int pass = 0; pass < 2; pass++) {
		lo = hi = 7;
		assert_int_equal(rw_memo_jeffreys(m, 4, 16, &lo, &hi), 0);
		assert_float_equal(lo, 0.071520, 1e-5);
		assert_float_equal(hi, 0.408226, 1e-5);
		assert_int_equal(rw_memo_jeffreys(m, 0, 5, &lo, &hi), 0);
		assert_true(lo == 0);
		lo = hi = 7;
		assert_int_equal(rw_memo_jeffreys(m, 0, 0, &lo, &hi), -1);
		assert_true(isnan(lo) && isnan(hi));
		assert_int_equal(rw_memo_gamma_interval(m, 3, 3, 1, &lo, &hi), 0);
		assert_float_equal(lo, 0.6187, 5e-5);
		assert_float_equal(hi, 8.7673, 5e-5);
		lo = hi = 7;
		assert_int_equal(rw_memo_gamma_interval(m, 0, 0, 0, &lo, &hi), -1);
		assert_true(isnan(lo) && isnan(hi));
	}
	/* 3 x 2^15 keys fill every slot more than once. */
	for (int i = 0; i < 3 * 32768; i++) {
		int r1 = rw_memo_jeffreys(m, i % 500, i / 500, &lo, &hi);
		int r2 = rw_jeffreys(i % 500, i / 500, &l2, &h2);

		assert_int_equal(r1, r2);
		if (!r1)
			assert_true(lo == l2 && hi == h2);
	}
	for (int i = 0; i < 20000; i += 7) {
		int r1 = rw_memo_gamma_interval(m, i, i * 3.5, 1 + i % 13, &lo, &hi);
		int r2 = rw_gamma_interval(i, i * 3.5, 1 + i % 13, &l2, &h2);

		assert_int_equal(r1, r2);
		if (!r1)
			assert_true(lo == l2 && hi == h2);
	}
	rw_memo_free(m);
	/* No memo: the direct call. */
	assert_int_equal(rw_memo_jeffreys(NULL, 18, 2, &lo, &hi), 0);
	assert_float_equal(lo, 0.716147, 1e-5);
	assert_float_equal(hi, 0.978628, 1e-5);
}

/*
 * Benjamini and Hochberg (1995), section 4: the 15 p-values of their
 * example.  By hand, p_(i) * 15 / i: 0.0015, 0.003, 0.0095, 0.035625,
 * 0.0603, 0.0695, 0.0638571, 0.0645, 0.0765, 0.486, 0.5811818, 0.714875,
 * 0.7532308, 0.8132143, 1; then the running minimum from the top makes
 * the 6th 0.0638571 (R's p.adjust(p, "BH") prints the same).  The input
 * is shuffled and holds a NAN, which is no test: the rest are still 15.
 */
static void test_bh_adjust(void **state)
{
	const double p[16] = { 0.0298, 1.0, 0.0001, 0.5719, 0.0095, NAN,
			       0.0459, 0.0004, 0.3240, 0.0278, 0.7590, 0.0019,
			       0.4262, 0.0201, 0.6528, 0.0344 };
	const double want[16] = { 0.0638571, 1.0, 0.0015, 0.714875, 0.035625,
				  NAN, 0.0765, 0.003, 0.486, 0.0638571,
				  0.8132143, 0.0095, 0.5811818, 0.0603,
				  0.7532308, 0.0645 };
	double q[16];

	(void)state;
	assert_int_equal(rw_bh_adjust(p, 16, q), 0);
	for (int i = 0; i < 16; i++) {
		if (isnan(want[i]))
			assert_true(isnan(q[i]));
		else
			assert_float_equal(q[i], want[i], 1e-6);
	}
	/* With 4 of them rejected at 0.05 (BH's own conclusion). */
	{
		int n = 0;

		for (int i = 0; i < 16; i++)
			n += q[i] <= 0.05;
		assert_int_equal(n, 4);
	}
	assert_int_equal(rw_bh_adjust(p, 0, q), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_from_civil),
		cmocka_unit_test(test_day_format_parse),
		cmocka_unit_test(test_period_labels),
		cmocka_unit_test(test_period_parse),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_jeffreys),
		cmocka_unit_test(test_ols_textbook),
		cmocka_unit_test(test_ols_weighted_and_edges),
		cmocka_unit_test(test_robust_trend),
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_mann_kendall_textbook),
		cmocka_unit_test(test_change_point_prop),
		cmocka_unit_test(test_split_tests),
		cmocka_unit_test(test_gamma_interval),
		cmocka_unit_test(test_memo),
		cmocka_unit_test(test_bh_adjust),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
