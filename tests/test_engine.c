/*
 * test_engine.c - calendar, statistics, the activity fold and every
 * metric of SPEC section 4 on a small dataset worked out by hand.
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

/* ---- The worked dataset ------------------------------------------------- */

/*
 * as_of Friday 2024-03-15; history_periods 2, so the month window is
 * 2024-01 (k 0), 2024-02 (k 1) and 2024-03 (k 2, partial, evaluated on
 * 03-15); stale_days 14, followup_days 30.
 *
 * Reps: A, B, D in team East; C in West.
 * A: a1 created 01-05 won 01-25 1000   a2 created 01-10 lost 02-10 500
 *    a3 created 02-01 won 02-21 3000   a4 created 02-15 open, exp. 03-20 2000
 *    a5 created 02-28 open, exp. 04-10 4000
 *    a6 created 01-20 won 02-29 2000
 *    targets: 2024-Q1 9000, 2024-Q2 12000, 2024-03 5000.
 * B: b1 created 2023-12-01 lost 01-15 100   b2 created 01-02 won 02-05 800
 *    b3 created 02-10 open, exp. 2024-05-01 700
 *    b4 created 03-10 won 03-20 (after as_of: open at as_of) 999
 *    b5 created 03-20 (after as_of: ignored) 5
 * C: c1 created 01-15 open, no close date 50
 *    c2 created 2023-05-01 open, exp. 2024-06-30 10
 * D: d1 created 02-01 won 02-12 100, d2 created 02-01 lost 02-13 100,
 *    d3 created 02-01 lost 03-05 100.
 */
enum { RA, RB, RC, RD };
enum { A1, A2, A3, A4, A5, A6, B1, B2, B3, B4, B5, C1, C2, D1, D2, D3 };

struct deal {
	const char *id;
	uint32_t rep;
	int32_t created, closed;
	enum rw_status st;
	double amount;
};

static struct rw_settings test_settings(void)
{
	struct rw_settings s;

	rw_settings_default(&s);
	s.as_of = D(2024, 3, 15);
	s.history_periods = 2;
	s.trend_periods = 6;
	s.stale_days = 14;
	s.followup_days = 30;
	s.fiscal_start = 1;
	return s;
}

static int add_reps_and_deals(struct rw_dataset *ds)
{
	static const char *const ids[] = { "A", "B", "C", "D" };
	static const char *const teams[] = { "East", "East", "West", "East" };
	const struct deal deals[] = {
		{ "a1", RA, D(2024, 1, 5), D(2024, 1, 25), RW_WON, 1000 },
		{ "a2", RA, D(2024, 1, 10), D(2024, 2, 10), RW_LOST, 500 },
		{ "a3", RA, D(2024, 2, 1), D(2024, 2, 21), RW_WON, 3000 },
		{ "a4", RA, D(2024, 2, 15), D(2024, 3, 20), RW_OPEN, 2000 },
		{ "a5", RA, D(2024, 2, 28), D(2024, 4, 10), RW_OPEN, 4000 },
		{ "a6", RA, D(2024, 1, 20), D(2024, 2, 29), RW_WON, 2000 },
		{ "b1", RB, D(2023, 12, 1), D(2024, 1, 15), RW_LOST, 100 },
		{ "b2", RB, D(2024, 1, 2), D(2024, 2, 5), RW_WON, 800 },
		{ "b3", RB, D(2024, 2, 10), D(2024, 5, 1), RW_OPEN, 700 },
		{ "b4", RB, D(2024, 3, 10), D(2024, 3, 20), RW_WON, 999 },
		{ "b5", RB, D(2024, 3, 20), RW_NODAY, RW_OPEN, 5 },
		{ "c1", RC, D(2024, 1, 15), RW_NODAY, RW_OPEN, 50 },
		{ "c2", RC, D(2023, 5, 1), D(2024, 6, 30), RW_OPEN, 10 },
		{ "d1", RD, D(2024, 2, 1), D(2024, 2, 12), RW_WON, 100 },
		{ "d2", RD, D(2024, 2, 1), D(2024, 2, 13), RW_LOST, 100 },
		{ "d3", RD, D(2024, 2, 1), D(2024, 3, 5), RW_LOST, 100 },
	};

	for (int i = 0; i < 4; i++) {
		struct rw_rep r = { ids[i], NULL, NULL, teams[i], NULL,
				    RW_NODAY, RW_NODAY, 0 };

		if (rw_dataset_add_rep(ds, &r, NULL))
			return -1;
	}
	for (size_t i = 0; i < sizeof(deals) / sizeof(deals[0]); i++) {
		struct rw_opp o = { deals[i].id, deals[i].rep, deals[i].created,
				    deals[i].closed, deals[i].st,
				    deals[i].amount, NULL, 0 };

		if (rw_dataset_add_opp(ds, &o, NULL))
			return -1;
	}
	return 0;
}

static int add_targets(struct rw_dataset *ds)
{
	const struct rw_target t[] = {
		{ RA, NULL, RW_QUARTER, rw_period_of(RW_QUARTER, D(2024, 1, 1), 1), 9000 },
		{ RA, NULL, RW_QUARTER, rw_period_of(RW_QUARTER, D(2024, 4, 1), 1), 12000 },
		{ RA, NULL, RW_MONTH, rw_period_of(RW_MONTH, D(2024, 3, 1), 1), 5000 },
		/* A team target is not a rep quota. */
		{ RW_NONE, "East", RW_MONTH, rw_period_of(RW_MONTH, D(2024, 1, 1), 1), 77 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (rw_dataset_add_target(ds, &t[i]))
			return -1;
	return 0;
}

struct act {
	uint32_t rep, opp;
	int32_t day;
	enum rw_act_type type;
};

static void add_activities(struct rw_dataset *ds)
{
	const struct act acts[] = {
		{ RA, A1, D(2024, 1, 8), RW_MEETING },
		{ RA, A1, D(2024, 1, 8), RW_MEETING },	/* same day: one touch */
		{ RA, A1, D(2024, 1, 20), RW_MEETING },
		{ RA, A2, D(2024, 3, 1), RW_MEETING },	/* after a2 closed */
		{ RA, A2, D(2024, 1, 25), RW_MEETING },	/* rows out of order */
		{ RA, A3, D(2024, 2, 20), RW_MEETING },
		{ RA, A4, D(2024, 2, 20), RW_CALL },
		{ RA, A4, D(2024, 3, 5), RW_EMAIL },
		{ RA, A4, D(2024, 3, 12), RW_OTHER },
		{ RA, A6, D(2024, 2, 3), RW_MEETING },
		{ RA, RW_NONE, D(2024, 3, 10), RW_CALL },
		{ RA, A4, D(2024, 3, 16), RW_EMAIL },	/* after as_of */
		{ RB, B3, D(2024, 3, 1), RW_EMAIL },
		{ RC, C2, D(2023, 6, 15), RW_CALL },	/* before every window */
		{ RC, C2, D(2024, 1, 10), RW_CALL },
	};

	assert_int_equal(rw_dataset_begin_activities(ds), 0);
	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		rw_dataset_add_activity(ds, acts[i].rep, acts[i].opp,
					acts[i].day, acts[i].type);
}

static struct rw_dataset *build(void)
{
	struct rw_settings s = test_settings();
	struct rw_dataset *ds = rw_dataset_new(&s);

	assert_non_null(ds);
	assert_int_equal(add_reps_and_deals(ds), 0);
	assert_int_equal(add_targets(ds), 0);
	add_activities(ds);
	return ds;
}

static int setup_results(void **state)
{
	struct rw_dataset *ds;
	struct rw_results *res = NULL;
	struct rw_err err;
	void **pair = test_malloc(2 * sizeof(void *));

	gsl_set_error_handler_off();
	rw_err_clear(&err);
	ds = build();
	if (rw_engine_compute(ds, &res, &err))
		return -1;
	pair[0] = ds;
	pair[1] = res;
	*state = pair;
	return 0;
}

static int teardown_results(void **state)
{
	void **pair = *state;

	rw_results_free(pair[1]);
	rw_dataset_free(pair[0]);
	test_free(pair);
	return 0;
}

static const struct rw_results *res_of(void **state)
{
	return ((void **)*state)[1];
}

#define MV(r, k, m) rw_results_value(res, (r), RW_MONTH, (k), (m))
#define ASSERT_NULL_VALUE(v) assert_true(isnan(v))
#define ASSERT_VAL(v, want) assert_float_equal((v), (want), 1e-9)

static void test_windows(void **state)
{
	const struct rw_results *res = res_of(state);
	const struct rw_dataset *ds = ((void **)*state)[0];

	assert_int_equal(rw_results_period_count(res, RW_MONTH), 3);
	assert_int_equal(rw_results_first_period(res, RW_MONTH),
			 rw_period_of(RW_MONTH, D(2024, 1, 1), 1));
	assert_int_equal(rw_results_first_period(res, RW_QUARTER),
			 rw_period_of(RW_QUARTER, D(2023, 7, 1), 1));
	assert_int_equal(rw_results_first_period(res, RW_WEEK),
			 rw_period_of(RW_WEEK, D(2024, 2, 26), 1));
	/* 15 activities, one after as_of. */
	assert_int_equal(ds->activities, 14);
	assert_int_equal(ds->activities_ignored, 1);
	ASSERT_NULL_VALUE(rw_results_value(res, 9, RW_MONTH, 0, RW_M_WON));
	ASSERT_NULL_VALUE(rw_results_value(res, RA, RW_MONTH, 3, RW_M_WON));
	assert_null(rw_results_trend(res, 9, RW_MONTH, RW_M_WON));
}

static void test_flow_metrics(void **state)
{
	const struct rw_results *res = res_of(state);

	/* A created: Jan a1 a2 a6; Feb a3 a4 a5; Mar none. */
	ASSERT_VAL(MV(RA, 0, RW_M_OPPS_CREATED), 3);
	ASSERT_VAL(MV(RA, 1, RW_M_OPPS_CREATED), 3);
	ASSERT_VAL(MV(RA, 2, RW_M_OPPS_CREATED), 0);
	/* B: b1 was created in December; b5 after as_of is ignored. */
	ASSERT_VAL(MV(RB, 0, RW_M_OPPS_CREATED), 1);
	ASSERT_VAL(MV(RB, 2, RW_M_OPPS_CREATED), 1);
	/* A closes: Jan a1 won; Feb a3 a6 won, a2 lost. */
	ASSERT_VAL(MV(RA, 0, RW_M_WON), 1);
	ASSERT_VAL(MV(RA, 0, RW_M_LOST), 0);
	ASSERT_VAL(MV(RA, 1, RW_M_WON), 2);
	ASSERT_VAL(MV(RA, 1, RW_M_LOST), 1);
	ASSERT_VAL(MV(RA, 2, RW_M_WON), 0);
	/* b4 closes 03-20, after as_of: not won in March. */
	ASSERT_VAL(MV(RB, 2, RW_M_WON), 0);
	/* Revenue 1000; 3000 + 2000; 0 (a sum, not NULL). */
	ASSERT_VAL(MV(RA, 0, RW_M_REVENUE), 1000);
	ASSERT_VAL(MV(RA, 1, RW_M_REVENUE), 5000);
	ASSERT_VAL(MV(RA, 2, RW_M_REVENUE), 0);
	/* win_rate 1/1, 2/3, NULL (nothing closed). */
	ASSERT_VAL(MV(RA, 0, RW_M_WIN_RATE), 1);
	ASSERT_VAL(MV(RA, 1, RW_M_WIN_RATE), 2.0 / 3);
	ASSERT_NULL_VALUE(MV(RA, 2, RW_M_WIN_RATE));
	ASSERT_VAL(MV(RB, 0, RW_M_WIN_RATE), 0);
	ASSERT_NULL_VALUE(MV(RC, 0, RW_M_WIN_RATE));
	/* avg_deal_size 1000, 5000 / 2; NULL without wins. */
	ASSERT_VAL(MV(RA, 0, RW_M_AVG_DEAL_SIZE), 1000);
	ASSERT_VAL(MV(RA, 1, RW_M_AVG_DEAL_SIZE), 2500);
	ASSERT_NULL_VALUE(MV(RA, 2, RW_M_AVG_DEAL_SIZE));
	ASSERT_NULL_VALUE(MV(RB, 0, RW_M_AVG_DEAL_SIZE));
	/* cycle_days: a1 20; a3 20 and a6 40 -> median 30; b2 34. */
	ASSERT_VAL(MV(RA, 0, RW_M_CYCLE_DAYS), 20);
	ASSERT_VAL(MV(RA, 1, RW_M_CYCLE_DAYS), 30);
	ASSERT_NULL_VALUE(MV(RA, 2, RW_M_CYCLE_DAYS));
	ASSERT_VAL(MV(RB, 1, RW_M_CYCLE_DAYS), 34);
}

static void test_win_rate_bounds(void **state)
{
	const struct rw_results *res = res_of(state);

	/*
	 * B January: 0 won, 1 lost: lo = 0, hi = 0.975 quantile of
	 * Beta(1/2, 3/2), whose CDF is (2/pi)(t + sin t cos t) with
	 * x = sin^2 t; solving by bisection gives x = 0.853254.  A January
	 * (1 won, 0 lost) mirrors it: hi = 1, lo = 1 - 0.853254.
	 */
	ASSERT_VAL(MV(RB, 0, RW_M_WIN_RATE_LO), 0);
	assert_float_equal(MV(RB, 0, RW_M_WIN_RATE_HI), 0.853254, 1e-6);
	assert_float_equal(MV(RA, 0, RW_M_WIN_RATE_LO), 0.146746, 1e-6);
	ASSERT_VAL(MV(RA, 0, RW_M_WIN_RATE_HI), 1);
	ASSERT_NULL_VALUE(MV(RA, 2, RW_M_WIN_RATE_LO));
	ASSERT_NULL_VALUE(MV(RA, 2, RW_M_WIN_RATE_HI));
}

static void test_shrinkage(void **state)
{
	const struct rw_results *res = res_of(state);

	/*
	 * Window win rates (Jan..Mar): A 3 won / 4 closed = 3/4, B 1/2,
	 * D 1/3; C closed nothing.  Team East has 3 such reps, so its own
	 * prior: m = 19/36, sample variance v = 19/432, k = m(1-m)/v - 1 =
	 * 14/3, a = m k = 133/54, b = (1-m) k = 119/54.
	 * A Feb: (2 + a) / (3 + k) = 241/414 = 0.5821256.
	 * A Jan: (1 + a) / (1 + k) = 0.6111111.
	 * B Jan: a / (1 + k) = 0.4346405.
	 * D Feb: (1 + a) / (2 + k) = 0.5194444.
	 */
	ASSERT_VAL(MV(RA, 1, RW_M_WIN_RATE_SHRUNK), 241.0 / 414);
	ASSERT_VAL(MV(RA, 0, RW_M_WIN_RATE_SHRUNK), (1 + 133.0 / 54) / (1 + 14.0 / 3));
	ASSERT_VAL(MV(RB, 0, RW_M_WIN_RATE_SHRUNK), (133.0 / 54) / (1 + 14.0 / 3));
	ASSERT_VAL(MV(RD, 1, RW_M_WIN_RATE_SHRUNK), (1 + 133.0 / 54) / (2 + 14.0 / 3));
	ASSERT_NULL_VALUE(MV(RA, 2, RW_M_WIN_RATE_SHRUNK));
	ASSERT_NULL_VALUE(MV(RC, 0, RW_M_WIN_RATE_SHRUNK));
}

static void test_quota_and_coverage(void **state)
{
	const struct rw_results *res = res_of(state);
	int32_t q0 = rw_results_first_period(res, RW_QUARTER);

	/* Month quotas: Q1 9000 / 3 for Jan and Feb; March has its own
	 * 5000.  Attainment 1000/3000, 5000/3000, 0/5000. */
	ASSERT_VAL(MV(RA, 0, RW_M_QUOTA), 3000);
	ASSERT_VAL(MV(RA, 1, RW_M_QUOTA), 3000);
	ASSERT_VAL(MV(RA, 2, RW_M_QUOTA), 5000);
	ASSERT_VAL(MV(RA, 0, RW_M_ATTAINMENT), 1.0 / 3);
	ASSERT_VAL(MV(RA, 1, RW_M_ATTAINMENT), 5.0 / 3);
	ASSERT_VAL(MV(RA, 2, RW_M_ATTAINMENT), 0);
	/* No target for B (the team target does not count). */
	ASSERT_NULL_VALUE(MV(RB, 0, RW_M_QUOTA));
	ASSERT_NULL_VALUE(MV(RB, 1, RW_M_ATTAINMENT));
	/* Quarter: 2024-Q1 has its own 9000 target; revenue 1000 + 3000 +
	 * 2000 = 6000 -> 2/3.  Q4 2023 has none. */
	assert_int_equal(q0, rw_period_of(RW_QUARTER, D(2023, 7, 1), 1));
	ASSERT_VAL(rw_results_value(res, RA, RW_QUARTER, 2, RW_M_QUOTA), 9000);
	ASSERT_VAL(rw_results_value(res, RA, RW_QUARTER, 2, RW_M_ATTAINMENT), 2.0 / 3);
	ASSERT_NULL_VALUE(rw_results_value(res, RA, RW_QUARTER, 1, RW_M_QUOTA));
	/* Weeks: W11 (03-11..03-17) is all March: 5000 * 7/31; W09
	 * (02-26..03-03) has 4 February days of 3000 / 29 each and 3 March
	 * days of 5000 / 31: 413.7931 + 483.8710 = 897.6641. */
	assert_float_equal(rw_results_value(res, RA, RW_WEEK, 2, RW_M_QUOTA),
			   5000.0 * 7 / 31, 1e-9);
	assert_float_equal(rw_results_value(res, RA, RW_WEEK, 0, RW_M_QUOTA),
			   3000.0 * 4 / 29 + 5000.0 * 3 / 31, 1e-9);
	/* Coverage: Jan, open on 01-31 and closing in Feb: a2 500 + a6 2000
	 * over Feb's 3000; Feb: a4 2000 (closes 03-20) over March's 5000;
	 * Mar: a5 4000 (closes 04-10) over April's 12000 / 3 = 4000.
	 * Quarter Q1: a5 4000 over Q2's 12000. */
	ASSERT_VAL(MV(RA, 0, RW_M_COVERAGE), 2500.0 / 3000);
	ASSERT_VAL(MV(RA, 1, RW_M_COVERAGE), 0.4);
	ASSERT_VAL(MV(RA, 2, RW_M_COVERAGE), 1);
	ASSERT_VAL(rw_results_value(res, RA, RW_QUARTER, 2, RW_M_COVERAGE), 1.0 / 3);
	ASSERT_NULL_VALUE(MV(RB, 0, RW_M_COVERAGE));
}

static void test_activity_metrics(void **state)
{
	const struct rw_results *res = res_of(state);

	/* Meetings by owner A: Jan 01-08 twice, 01-20, 01-25; Feb 02-20,
	 * 02-03; Mar 03-01.  Calls: Feb 02-20; Mar 03-10.  Emails: Mar
	 * 03-05 (03-16 is after as_of). */
	ASSERT_VAL(MV(RA, 0, RW_M_MEETINGS), 4);
	ASSERT_VAL(MV(RA, 1, RW_M_MEETINGS), 2);
	ASSERT_VAL(MV(RA, 2, RW_M_MEETINGS), 1);
	ASSERT_VAL(MV(RA, 0, RW_M_CALLS), 0);
	ASSERT_VAL(MV(RA, 1, RW_M_CALLS), 1);
	ASSERT_VAL(MV(RA, 2, RW_M_CALLS), 1);
	ASSERT_VAL(MV(RA, 2, RW_M_EMAILS), 1);
	ASSERT_VAL(MV(RA, 1, RW_M_EMAILS), 0);
	/* C's call of 2023-06-15 is before every window. */
	ASSERT_VAL(MV(RC, 0, RW_M_CALLS), 1);
	/* Weeks: A's call on Sunday 03-10 and e-mail 03-05 are in W10. */
	ASSERT_VAL(rw_results_value(res, RA, RW_WEEK, 1, RW_M_CALLS), 1);
	ASSERT_VAL(rw_results_value(res, RA, RW_WEEK, 1, RW_M_EMAILS), 1);
	ASSERT_VAL(rw_results_value(res, RA, RW_WEEK, 2, RW_M_CALLS), 0);
	/* First meetings: Jan a1 (01-08), a2 (01-25); Feb a3 (02-20),
	 * a6 (02-03). */
	ASSERT_VAL(MV(RA, 0, RW_M_FIRST_MEETINGS), 2);
	ASSERT_VAL(MV(RA, 1, RW_M_FIRST_MEETINGS), 2);
	ASSERT_VAL(MV(RA, 2, RW_M_FIRST_MEETINGS), 0);
	/* Follow-up (first meeting on or before as_of - 30 = 02-14):
	 * Jan: a1 (second 01-20, 12 days: yes), a2 (second 03-01, 36
	 * days: no) -> 1/2.  Feb: a6 qualifies with no second -> 0/1;
	 * a3's 02-20 is too recent.  Mar: none qualify -> NULL. */
	ASSERT_VAL(MV(RA, 0, RW_M_FOLLOWUP_RATIO), 0.5);
	ASSERT_VAL(MV(RA, 1, RW_M_FOLLOWUP_RATIO), 0);
	ASSERT_NULL_VALUE(MV(RA, 2, RW_M_FOLLOWUP_RATIO));
	ASSERT_NULL_VALUE(MV(RB, 0, RW_M_FOLLOWUP_RATIO));
}

static void test_touch_metrics(void **state)
{
	const struct rw_results *res = res_of(state);

	/*
	 * Touch days (created day included, by day, up to the close):
	 * a1 01-05 01-08 01-20: gaps 3, 12 (Jan); a2 01-10 01-25 (03-01 is
	 * after its close): 15 (Jan); a3 02-01 02-20: 19 (Feb); a4 02-15
	 * 02-20 03-05 03-12: 5 (Feb), 14 (2024 is a leap year: 9 + 5), 7
	 * (Mar); a6 01-20 02-03: 14 (Feb).
	 * Medians: Jan {3, 12, 15} 12; Feb {5, 14, 19} 14; Mar {7, 14} 10.5.
	 */
	ASSERT_VAL(MV(RA, 0, RW_M_TOUCH_GAP_DAYS), 12);
	ASSERT_VAL(MV(RA, 1, RW_M_TOUCH_GAP_DAYS), 14);
	ASSERT_VAL(MV(RA, 2, RW_M_TOUCH_GAP_DAYS), 10.5);
	/* B: only b3 02-10 -> 03-01, 20 days (Mar). */
	ASSERT_NULL_VALUE(MV(RB, 0, RW_M_TOUCH_GAP_DAYS));
	ASSERT_VAL(MV(RB, 2, RW_M_TOUCH_GAP_DAYS), 20);
	/* C: c2's touch of 2023-06-15 (kept before the bitmap) to
	 * 2024-01-10: 15 + 184 (Jul..Dec) + 10 = 209 days (Jan). */
	ASSERT_VAL(MV(RC, 0, RW_M_TOUCH_GAP_DAYS), 209);
	ASSERT_NULL_VALUE(MV(RC, 1, RW_M_TOUCH_GAP_DAYS));
}

static void test_pipeline_metrics(void **state)
{
	const struct rw_results *res = res_of(state);

	/*
	 * A open on 01-31: a2 (closes 02-10), a6 (02-29) = 2, 2500; on
	 * 02-29: a4, a5 (a6 closed that very day) = 2, 6000; on 03-15:
	 * a4, a5 = 2, 6000.
	 */
	ASSERT_VAL(MV(RA, 0, RW_M_OPEN_OPPS), 2);
	ASSERT_VAL(MV(RA, 0, RW_M_PIPELINE_VALUE), 2500);
	ASSERT_VAL(MV(RA, 1, RW_M_OPEN_OPPS), 2);
	ASSERT_VAL(MV(RA, 1, RW_M_PIPELINE_VALUE), 6000);
	ASSERT_VAL(MV(RA, 2, RW_M_OPEN_OPPS), 2);
	ASSERT_VAL(MV(RA, 2, RW_M_PIPELINE_VALUE), 6000);
	/* Staleness (> 14 days since the last touch on or before D):
	 * 01-31: a2 last 01-25 (6), a6 last 01-20 (11): 0 of 2.
	 * 02-29: a4 last 02-20 (9), a5 created 02-28 (1): 0 of 2.
	 * 03-15: a4 last 03-12 (3), a5 last 02-28 (16): 1 of 2. */
	ASSERT_VAL(MV(RA, 0, RW_M_STALE_OPPS), 0);
	ASSERT_VAL(MV(RA, 0, RW_M_STALE_SHARE), 0);
	ASSERT_VAL(MV(RA, 2, RW_M_STALE_OPPS), 1);
	ASSERT_VAL(MV(RA, 2, RW_M_STALE_SHARE), 0.5);
	/* B: 01-31 b2 created 01-02 (29 days): stale 1/1; 02-29 b3 last
	 * 02-10 (19): 1/1; 03-15 b3 last 03-01 (exactly 14: not stale) and
	 * b4 (won 03-20, after as_of, so open; created 03-10): 0 of 2,
	 * pipeline 700 + 999. */
	ASSERT_VAL(MV(RB, 0, RW_M_STALE_SHARE), 1);
	ASSERT_VAL(MV(RB, 1, RW_M_STALE_SHARE), 1);
	ASSERT_VAL(MV(RB, 2, RW_M_OPEN_OPPS), 2);
	ASSERT_VAL(MV(RB, 2, RW_M_STALE_OPPS), 0);
	ASSERT_VAL(MV(RB, 2, RW_M_PIPELINE_VALUE), 1699);
	/* C on 01-31: c1 (created 01-15, 16 days) and c2 (last 01-10):
	 * both stale; pipeline 60. */
	ASSERT_VAL(MV(RC, 0, RW_M_OPEN_OPPS), 2);
	ASSERT_VAL(MV(RC, 0, RW_M_STALE_SHARE), 1);
	ASSERT_VAL(MV(RC, 0, RW_M_PIPELINE_VALUE), 60);
	/* D has no open deal before February: stale_share NULL. */
	ASSERT_VAL(MV(RD, 0, RW_M_OPEN_OPPS), 0);
	ASSERT_VAL(MV(RD, 0, RW_M_PIPELINE_VALUE), 0);
	ASSERT_NULL_VALUE(MV(RD, 0, RW_M_STALE_SHARE));
	/* Velocity: Jan 2 * 1 * 1000 / 20 = 100; Feb 2 * (2/3) * 2500 / 30
	 * = 111.11; Mar NULL (no win rate); B Jan NULL (no wins). */
	ASSERT_VAL(MV(RA, 0, RW_M_SALES_VELOCITY), 100);
	ASSERT_VAL(MV(RA, 1, RW_M_SALES_VELOCITY), 2.0 * 2 / 3 * 2500 / 30);
	ASSERT_NULL_VALUE(MV(RA, 2, RW_M_SALES_VELOCITY));
	ASSERT_NULL_VALUE(MV(RB, 0, RW_M_SALES_VELOCITY));
}

static void test_short_trends(void **state)
{
	const struct rw_results *res = res_of(state);
	const struct rw_trend *t = rw_results_trend(res, RA, RW_MONTH, RW_M_REVENUE);

	/* history_periods 2: only 2 complete periods, so no trend. */
	assert_non_null(t);
	assert_int_equal(t->n, 2);
	assert_true(isnan(t->slope) && isnan(t->ts_slope) && isnan(t->wslope));
	assert_int_equal(t->cp_period, RW_NODAY);
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

/* Quantiles are R's type 7: quantile(c(1,2,2,3,4,7,9), c(.25,.5,.75))
 * is 2, 3, 5.5; mad(x, constant = 1) is 1.  For 1:4: 1.75, 2.5, 3.25 and
 * MAD median(1.5, .5, .5, 1.5) = 1. */
static void test_baseline_of(void **state)
{
	double v[] = { 9, 2, NAN, 4, 1, 7, 2, 3 };
	double w[] = { 4, 1, 3, 2 };
	double none[] = { NAN };
	double sorted[] = { 1, 2, 2, 3, 4, 7, 9 };
	struct rw_baseline b;

	(void)state;
	rw_baseline_of(v, 8, &b);
	assert_int_equal(b.n, 7);
	assert_float_equal(b.median, 3, 1e-12);
	assert_float_equal(b.p25, 2, 1e-12);
	assert_float_equal(b.p75, 5.5, 1e-12);
	assert_float_equal(b.mad, 1, 1e-12);
	rw_baseline_of(w, 4, &b);
	assert_float_equal(b.median, 2.5, 1e-12);
	assert_float_equal(b.p25, 1.75, 1e-12);
	assert_float_equal(b.p75, 3.25, 1e-12);
	assert_float_equal(b.mad, 1, 1e-12);
	rw_baseline_of(none, 1, &b);
	assert_int_equal(b.n, 0);
	assert_true(isnan(b.median) && isnan(b.mad));
	/* Ties count half: 2 has 1 value below and 2 equal among 7:
	 * 100 * (1 + 1) / 7 = 28.571. */
	assert_float_equal(rw_percentile_rank(sorted, 7, 2), 200.0 / 7, 1e-9);
	assert_float_equal(rw_percentile_rank(sorted, 7, 10), 100, 1e-12);
	assert_float_equal(rw_percentile_rank(sorted, 7, 0.5), 0, 1e-12);
}

/*
 * Team baselines through the engine, on the shared dataset (East: A, B,
 * D; West: C).  February win rates: A 2 of 3, B 1 of 1, D 1 of 2; C has
 * none.  East: median 2/3, p25 0.5 + 0.5 (1/6) = 7/12, p75 2/3 + 0.5
 * (1/3) = 5/6, MAD median(1/6, 1/3, 0) = 1/6.  B's z = (1 - 2/3) /
 * (1.4826 / 6) = 1.348982; D's percentile 100 * 0.5 / 3.
 */
static void test_team_baselines(void **state)
{
	const struct rw_results *res = res_of(state);
	const struct rw_baseline *b;
	size_t east = rw_results_rep_team(res, RA), west = rw_results_rep_team(res, RC);

	assert_int_equal(rw_results_team_count(res), 3);
	assert_string_equal(rw_results_team_name(res, east), "East");
	assert_string_equal(rw_results_team_name(res, west), "West");
	assert_string_equal(rw_results_team_name(res, 2), "*");
	b = rw_results_baseline(res, east, RW_MONTH, 1, RW_M_WIN_RATE);
	assert_non_null(b);
	assert_int_equal(b->n, 3);
	ASSERT_VAL(b->median, 2.0 / 3);
	ASSERT_VAL(b->p25, 7.0 / 12);
	ASSERT_VAL(b->p75, 5.0 / 6);
	ASSERT_VAL(b->mad, 1.0 / 6);
	assert_float_equal(rw_results_z(res, RB, RW_MONTH, 1, RW_M_WIN_RATE), 1.348982, 1e-6);
	ASSERT_VAL(rw_results_pct(res, RD, RW_MONTH, 1, RW_M_WIN_RATE), 50.0 / 3);
	/* West has no win rate in February: no baseline, and C no z. */
	b = rw_results_baseline(res, west, RW_MONTH, 1, RW_M_WIN_RATE);
	assert_int_equal(b->n, 0);
	assert_true(isnan(b->median));
	ASSERT_NULL_VALUE(rw_results_z(res, RC, RW_MONTH, 1, RW_M_WIN_RATE));
	/* The company row holds the same three values. */
	b = rw_results_baseline(res, 2, RW_MONTH, 1, RW_M_WIN_RATE);
	assert_int_equal(b->n, 3);
	ASSERT_VAL(b->median, 2.0 / 3);
	assert_null(rw_results_baseline(res, 3, RW_MONTH, 1, RW_M_WIN_RATE));
}

/*
 * Who counts in a baseline.  as_of 2024-03-15, months Jan..Mar, ramp 90
 * days.  E1 (hire unknown) creates 2 deals in Jan, 4 in Feb; E2 hired
 * 2024-02-20 creates 1 in Feb (ramping: out); E3 leaves 2024-02-10
 * after 6 deals in Jan (in for Jan, out for Feb); E4 hired 2023 creates
 * 1 in Jan and 1 in Feb; U, an unassigned owner, 100 in Feb (out).
 * Jan: {2, 6, 1} -> median 2, MAD median(0, 4, 1) = 1.
 * Feb: {4, 1} -> median 2.5, MAD 1.5; E2's z = (1 - 2.5) / (1.4826 *
 * 1.5) = -0.674491; U's percentile is 100.
 */
static void test_baseline_eligibility(void **state)
{
	struct rw_settings s = test_settings();
	static const char *const ids[] = { "E1", "E2", "E3", "E4", "U" };
	const int32_t hire[] = { RW_NODAY, D(2024, 2, 20), RW_NODAY, D(2023, 1, 1), RW_NODAY };
	const int32_t end[] = { RW_NODAY, RW_NODAY, D(2024, 2, 10), RW_NODAY, RW_NODAY };
	const int jan[] = { 2, 0, 6, 1, 0 }, feb[] = { 4, 1, 0, 1, 100 };
	struct rw_dataset *ds;
	struct rw_results *res = NULL;
	const struct rw_baseline *b;
	struct rw_err err;
	char id[16];
	int n = 0;

	(void)state;
	rw_err_clear(&err);
	s.ramp_days = 90;
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	for (uint32_t r = 0; r < 5; r++) {
		struct rw_rep rep = { ids[r], NULL, NULL, "East", NULL, hire[r], end[r], r == 4 };

		assert_int_equal(rw_dataset_add_rep(ds, &rep, NULL), 0);
		for (int j = 0; j < jan[r] + feb[r]; j++) {
			struct rw_opp o = { id, r, j < jan[r] ? D(2024, 1, 9) : D(2024, 2, 9),
					    RW_NODAY, RW_OPEN, 10, NULL, 0 };

			snprintf(id, sizeof(id), "o%d", n++);
			assert_int_equal(rw_dataset_add_opp(ds, &o, NULL), 0);
		}
	}
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	b = rw_results_baseline(res, 0, RW_MONTH, 0, RW_M_OPPS_CREATED);
	assert_int_equal(b->n, 3);
	ASSERT_VAL(b->median, 2);
	ASSERT_VAL(b->mad, 1);
	b = rw_results_baseline(res, 0, RW_MONTH, 1, RW_M_OPPS_CREATED);
	assert_int_equal(b->n, 2);
	ASSERT_VAL(b->median, 2.5);
	ASSERT_VAL(b->mad, 1.5);
	assert_float_equal(rw_results_z(res, 1, RW_MONTH, 1, RW_M_OPPS_CREATED), -0.674491, 1e-6);
	ASSERT_VAL(rw_results_pct(res, 4, RW_MONTH, 1, RW_M_OPPS_CREATED), 100);
	rw_results_free(res);
	rw_dataset_free(ds);
}

/*
 * Small samples are pulled toward the team more than large ones.  One
 * team, all deals closed in February 2024: rates 1/2, 10/20, 6/20, 4/20.
 * Prior by moments over the four rates: mean m = 0.375, sample variance
 * v = (2 * 0.125^2 + 0.075^2 + 0.175^2) / 3 = 0.0225, k = m (1 - m) / v
 * - 1 = 9.41667, a = m k = 3.53125, b = 5.88542.  Shrunk: 1/2 -> (1 +
 * a) / (2 + k) = 0.396898; 10/20 -> (10 + a) / (20 + k) = 0.459986.
 * Both lie between the raw 0.5 and the team mean, 1/2 much closer to it.
 */
static void test_shrinkage_small_sample(void **state)
{
	struct rw_settings s = test_settings();
	const int won[] = { 1, 10, 6, 4 }, closed[] = { 2, 20, 20, 20 };
	struct rw_dataset *ds;
	struct rw_results *res = NULL;
	struct rw_err err;
	char id[16], rid[8];
	double small, large;
	int n = 0;

	(void)state;
	rw_err_clear(&err);
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	for (uint32_t r = 0; r < 4; r++) {
		struct rw_rep rep = { rid, NULL, NULL, "East", NULL, RW_NODAY, RW_NODAY, 0 };

		snprintf(rid, sizeof(rid), "R%u", r);
		assert_int_equal(rw_dataset_add_rep(ds, &rep, NULL), 0);
		for (int j = 0; j < closed[r]; j++) {
			struct rw_opp o = { id, r, D(2024, 2, 1), D(2024, 2, 20),
					    j < won[r] ? RW_WON : RW_LOST, 10, NULL, 0 };

			snprintf(id, sizeof(id), "o%d", n++);
			assert_int_equal(rw_dataset_add_opp(ds, &o, NULL), 0);
		}
	}
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	small = rw_results_value(res, 0, RW_MONTH, 1, RW_M_WIN_RATE_SHRUNK);
	large = rw_results_value(res, 1, RW_MONTH, 1, RW_M_WIN_RATE_SHRUNK);
	assert_float_equal(small, 0.396898, 1e-6);
	assert_float_equal(large, 0.459986, 1e-6);
	assert_true(small > 0.375 && small < 0.5 && large > 0.375 && large < 0.5);
	assert_true(small - 0.375 < large - 0.375);
	rw_results_free(res);
	rw_dataset_free(ds);
}

/*
 * Projection of the partial month (March, as_of 03-15).  A has won
 * nothing in March; open a4 (2000) closes 03-20, inside March, while a5
 * closes in April and does not count.  A's window rate with East's prior
 * (a = 133/54, b = 119/54, k = 14/3; see test_shrinkage): 3 won, 1 lost
 * -> (3 + a) / (4 + k) = 885/1404.  Projected revenue 2000 * 885/1404 =
 * 1260.6838; against the March quota of 5000: 0.2521368.  B: b4 (999)
 * is won on 03-20, after as_of, so it is still open and expected in
 * March: 999 * (1 + a) / (2 + k) = 999 * 561/1080 = 518.925.  C has no
 * deal due in March: projected = revenue so far = 0.  Complete months
 * have no projection.
 */
static void test_projection(void **state)
{
	const struct rw_results *res = res_of(state);

	ASSERT_VAL(MV(RA, 2, RW_M_PROJECTED_REVENUE), 2000.0 * 885 / 1404);
	ASSERT_VAL(MV(RA, 2, RW_M_PROJECTED_ATTAINMENT), 2000.0 * 885 / 1404 / 5000);
	ASSERT_VAL(MV(RB, 2, RW_M_PROJECTED_REVENUE), 999.0 * 561 / 1080);
	ASSERT_NULL_VALUE(MV(RB, 2, RW_M_PROJECTED_ATTAINMENT));	/* no quota */
	ASSERT_VAL(MV(RC, 2, RW_M_PROJECTED_REVENUE), 0);
	ASSERT_NULL_VALUE(MV(RA, 1, RW_M_PROJECTED_REVENUE));
	ASSERT_NULL_VALUE(MV(RA, 0, RW_M_PROJECTED_ATTAINMENT));
}

/*
 * Stage conversions from stage history (as_of 2024-03-15).  Histories:
 * d1 Qualify 01-05, Proposal 01-20, Negotiate 02-10, Closed Won 02-20
 * (won); d2 Qualify 01-10, Proposal 02-05, Closed Lost 02-25; d3 Qualify
 * 02-01, Closed Lost 02-15; d4 Qualify 02-03, Negotiate 02-20 (skipped
 * Proposal); d5 Qualify 03-20, after as_of.  Mean positions: Qualify 0,
 * Proposal 1, Negotiate (2 + 1) / 2 = 1.5, Closed Won 3; Closed Lost is
 * not a step.  So the pairs are qualify->proposal, proposal->negotiate,
 * negotiate->closed won.  January: Qualify entered by d1, d2, both went
 * on: 2/2; Proposal by d1, which went on: 1/1.  February: Qualify by d3,
 * d4; d4 reached Negotiate (beyond Proposal): 1/2; Proposal by d2, lost:
 * 0/1; Negotiate by d1 (won 02-20) and d4: 1/2.  March: nothing.
 */
static void test_conversions(void **state)
{
	struct rw_settings s = test_settings();
	struct rw_rep rep = { "A", NULL, NULL, "East", NULL, RW_NODAY, RW_NODAY, 0 };
	const struct { const char *id; int32_t created, closed; enum rw_status st; } deals[] = {
		{ "d1", D(2024, 1, 5), D(2024, 2, 20), RW_WON },
		{ "d2", D(2024, 1, 10), D(2024, 2, 25), RW_LOST },
		{ "d3", D(2024, 2, 1), D(2024, 2, 15), RW_LOST },
		{ "d4", D(2024, 2, 3), RW_NODAY, RW_OPEN },
		{ "d5", D(2024, 3, 10), RW_NODAY, RW_OPEN },
	};
	const struct { uint32_t opp; const char *stage; int32_t day; } hist[] = {
		{ 0, "Qualify", D(2024, 1, 5) }, { 0, "Proposal", D(2024, 1, 20) },
		{ 0, "Negotiate", D(2024, 2, 10) }, { 0, "Closed Won", D(2024, 2, 20) },
		{ 1, "qualify ", D(2024, 1, 10) }, { 1, "Proposal", D(2024, 2, 5) },
		{ 1, "Closed Lost", D(2024, 2, 25) },
		{ 2, "Qualify", D(2024, 2, 1) }, { 2, "Closed Lost", D(2024, 2, 15) },
		{ 3, "Negotiate", D(2024, 2, 20) }, { 3, "Qualify", D(2024, 2, 3) },
		{ 4, "Qualify", D(2024, 3, 20) },
	};
	struct rw_dataset *ds;
	struct rw_results *res = NULL;
	struct rw_err err;
	double e, r;

	(void)state;
	rw_err_clear(&err);
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	assert_int_equal(rw_dataset_add_rep(ds, &rep, NULL), 0);
	for (size_t i = 0; i < 5; i++) {
		struct rw_opp o = { deals[i].id, 0, deals[i].created, deals[i].closed,
				    deals[i].st, 100, NULL, 0 };

		assert_int_equal(rw_dataset_add_opp(ds, &o, NULL), 0);
	}
	for (size_t i = 0; i < sizeof(hist) / sizeof(hist[0]); i++) {
		struct rw_stage_entry h = { hist[i].opp, hist[i].stage, hist[i].day };

		assert_int_equal(rw_dataset_add_stage(ds, &h), 0);
	}
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	assert_int_equal(rw_results_conv_count(res), 3);
	assert_string_equal(rw_results_conv_name(res, 0), "conv_qualify_proposal");
	assert_string_equal(rw_results_conv_name(res, 1), "conv_proposal_negotiate");
	assert_string_equal(rw_results_conv_name(res, 2), "conv_negotiate_closed_won");
	rw_results_conv(res, 0, RW_MONTH, 0, 0, &e, &r);
	assert_true(e == 2 && r == 2);
	rw_results_conv(res, 0, RW_MONTH, 0, 1, &e, &r);
	assert_true(e == 1 && r == 1);
	rw_results_conv(res, 0, RW_MONTH, 1, 0, &e, &r);
	assert_true(e == 2 && r == 1);
	rw_results_conv(res, 0, RW_MONTH, 1, 1, &e, &r);
	assert_true(e == 1 && r == 0);
	rw_results_conv(res, 0, RW_MONTH, 1, 2, &e, &r);
	assert_true(e == 2 && r == 1);
	rw_results_conv(res, 0, RW_MONTH, 2, 0, &e, &r);
	assert_true(e == 0 && r == 0);
	/* The quarter 2024-Q1 holds all of it: qualify 4 entered, 3 on. */
	rw_results_conv(res, 0, RW_QUARTER, rw_results_period_count(res, RW_QUARTER) - 1, 0, &e, &r);
	assert_true(e == 4 && r == 3);
	rw_results_free(res);
	/* Each allocation of the computation failing in turn: RW_ENOMEM and
	 * nothing leaked (ASan), until there is memory enough. */
	for (long n = 1;; n++) {
		int rc;

		res = NULL;
		rw_alloc_fail_after(n);
		rc = rw_engine_compute(ds, &res, &err);
		rw_alloc_fail_after(0);
		if (!rc) {
			rw_results_free(res);
			break;
		}
		assert_int_equal(rc, RW_ENOMEM);
		assert_null(res);
		rw_err_clear(&err);
	}
	rw_dataset_free(ds);

	/*
	 * Without history, by the configured order and the current stage:
	 * o1 created 01-05 sits in Negotiate; o2 created 01-09 is "closed
	 * won" (won 02-01).  January: qualify->proposal 2/2, negotiate->
	 * closed won 1/2 (only o2 was won).
	 */
	s.stage_order = "Qualify, Proposal, Negotiate, Closed Won";
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	assert_int_equal(rw_dataset_add_rep(ds, &rep, NULL), 0);
	{
		struct rw_opp o1 = { "o1", 0, D(2024, 1, 5), RW_NODAY, RW_OPEN, 1, "Negotiate", 0 };
		struct rw_opp o2 = { "o2", 0, D(2024, 1, 9), D(2024, 2, 1), RW_WON, 1, "closed won", 0 };

		assert_int_equal(rw_dataset_add_opp(ds, &o1, NULL), 0);
		assert_int_equal(rw_dataset_add_opp(ds, &o2, NULL), 0);
	}
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	assert_int_equal(rw_results_conv_count(res), 3);
	rw_results_conv(res, 0, RW_MONTH, 0, 0, &e, &r);
	assert_true(e == 2 && r == 2);
	rw_results_conv(res, 0, RW_MONTH, 0, 2, &e, &r);
	assert_true(e == 2 && r == 1);
	rw_results_free(res);
	rw_dataset_free(ds);
}

/*
 * icp_fit_share: of the deals created in a period whose icp_fit is known,
 * the share that fit.  January: a fits, b does not, c unknown -> 1/2.
 * February: only an unknown -> NULL, not 0.
 */
static void test_icp_fit_share(void **state)
{
	struct rw_settings s = test_settings();
	struct rw_rep rep = { "A", NULL, NULL, "East", NULL, RW_NODAY, RW_NODAY, 0 };
	const int fit[] = { 1, 2, 0, 0 };
	const int32_t created[] = { D(2024, 1, 3), D(2024, 1, 4), D(2024, 1, 5), D(2024, 2, 5) };
	struct rw_dataset *ds;
	struct rw_results *res = NULL;
	struct rw_err err;
	char id[16];

	(void)state;
	rw_err_clear(&err);
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	assert_int_equal(rw_dataset_add_rep(ds, &rep, NULL), 0);
	for (int i = 0; i < 4; i++) {
		struct rw_opp o = { id, 0, created[i], RW_NODAY, RW_OPEN, 10, NULL, fit[i] };

		snprintf(id, sizeof(id), "x%d", i);
		assert_int_equal(rw_dataset_add_opp(ds, &o, NULL), 0);
	}
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 0, RW_M_ICP_FIT_SHARE), 0.5);
	ASSERT_NULL_VALUE(rw_results_value(res, 0, RW_MONTH, 1, RW_M_ICP_FIT_SHARE));
	assert_string_equal(rw_metric_name(RW_M_ICP_FIT_SHARE), "icp_fit_share");
	rw_results_free(res);
	rw_dataset_free(ds);
}

/* ---- Trends through the engine ----------------------------------------- */

/* One rep "T" with wins[m] deals of 1000 won in month m + 1 of 2024,
 * as_of 2024-07-15, history 6, trend 6. */
static struct rw_results *monthly_wins(const int wins[6], struct rw_dataset **dsp)
{
	struct rw_settings s = test_settings();
	struct rw_rep r = { "T", NULL, NULL, "Solo", NULL, RW_NODAY, RW_NODAY, 0 };
	struct rw_results *res = NULL;
	struct rw_err err;
	char id[16];
	int n = 0;

	gsl_set_error_handler_off();
	rw_err_clear(&err);
	s.as_of = D(2024, 7, 15);
	s.history_periods = 6;
	*dsp = rw_dataset_new(&s);
	assert_non_null(*dsp);
	assert_int_equal(rw_dataset_add_rep(*dsp, &r, NULL), 0);
	for (int m = 0; m < 6; m++) {
		for (int j = 0; j < wins[m]; j++) {
			struct rw_opp o = { id, 0, D(2024, m + 1, 1),
					    D(2024, m + 1, 10), RW_WON, 1000, NULL, 0 };

			snprintf(id, sizeof(id), "t%d", n++);
			assert_int_equal(rw_dataset_add_opp(*dsp, &o, NULL), 0);
		}
	}
	assert_int_equal(rw_engine_compute(*dsp, &res, &err), 0);
	return res;
}

/*
 * Wins 1, 2, 3, 3, 4, 5: revenue in thousands against x = 0..5: xbar
 * 2.5, ybar 3, Sxx 17.5, Sxy = (-2.5)(-2) + (-1.5)(-1) + 0 + 0 +
 * (1.5)(1) + (2.5)(2) = 13, so slope = 13/17.5 thousand = 742.857 a
 * month; change = mean(3, 4, 5) / mean(1, 2, 3) - 1 = 1.
 */
static void test_engine_trend(void **state)
{
	static const int wins[] = { 1, 2, 3, 3, 4, 5 };
	struct rw_dataset *ds;
	struct rw_results *res = monthly_wins(wins, &ds);
	const struct rw_trend *t;

	(void)state;
	t = rw_results_trend(res, 0, RW_MONTH, RW_M_REVENUE);
	assert_int_equal(t->n, 6);
	assert_float_equal(t->slope, 13000.0 / 17.5, 1e-6);
	assert_float_equal(t->change, 1, 1e-12);
	/* win_rate is 1 every month: flat, so r2 undefined; its weighted
	 * slope is 0. */
	t = rw_results_trend(res, 0, RW_MONTH, RW_M_WIN_RATE);
	assert_float_equal(t->slope, 0, 1e-12);
	assert_true(isnan(t->r2));
	assert_float_equal(t->wslope, 0, 1e-12);
	rw_results_free(res);
	rw_dataset_free(ds);
}

/*
 * Wins 1, 1, 1, 5, 5, 5: revenue steps from 1000 to 5000 after March.
 * Two flat segments at different levels: the shift is certain (p 0),
 * size 4000, first period after it April 2024.  Theil-Sen: 6 pairs in a
 * segment give slope 0, the 9 across give 4000/d for distances d = 1
 * (1 pair), 2 (2), 3 (3), 4 (2), 5 (1); sorted, the 8th of 15 is
 * 4000/4 = 1000.
 */
static void test_engine_change_point(void **state)
{
	static const int wins[] = { 1, 1, 1, 5, 5, 5 };
	struct rw_dataset *ds;
	struct rw_results *res = monthly_wins(wins, &ds);
	const struct rw_trend *t;

	(void)state;
	t = rw_results_trend(res, 0, RW_MONTH, RW_M_REVENUE);
	assert_int_equal(t->cp_period, rw_period_of(RW_MONTH, D(2024, 4, 1), 1));
	assert_float_equal(t->cp_size, 4000, 1e-9);
	assert_float_equal(t->cp_p, 0, 0);
	assert_float_equal(t->ts_slope, 1000, 1e-9);
	assert_float_equal(t->change, 4, 1e-12);
	rw_results_free(res);
	rw_dataset_free(ds);
}

/* ---- Team findings and the false discovery rate -------------------------- */

/*
 * A win rate stepping from 4 of 10 to 1 of 10 deals after four months.
 * At split 4: pooled rates 16/40 = 0.4 and 4/40 = 0.1, overall 20/80 =
 * 0.25, se = sqrt(0.25 x 0.75 x (1/40 + 1/40)) = 0.0968246, z = -3.09839;
 * splits 3 and 5 give |z| = 2.4 (se 0.1), so 4 is the split.  Two-sided
 * normal tail 2 Q(3.09839) = erfc(3.09839 / sqrt 2) = 0.00194577, times
 * the 5 candidate splits: 0.00972887.  Too few periods: no test.
 */
static void test_change_point_prop(void **state)
{
	static const double won[8] = { 4, 4, 4, 4, 1, 1, 1, 1 };
	static const double closed[8] = { 10, 10, 10, 10, 10, 10, 10, 10 };
	double size, p;

	(void)state;
	assert_int_equal(rw_change_point_prop(won, closed, 8, &size, &p), 4);
	assert_float_equal(size, -0.3, 1e-12);
	assert_float_equal(p, 0.00972887, 1e-7);
	assert_int_equal(rw_change_point_prop(won, closed, 3, &size, &p), -1);
	assert_true(isnan(p));
}

/*
 * Team T: five reps win 4, 5, 6, 7, 8 deals of 1000 a month from January
 * to May 2024 and 2, 2, 3, 3, 4 from June to September; team U: four reps
 * flat at 5 and one (U5) falling from 5 to 1 in June.  As of 2024-10-15
 * with nine complete months kept, the splits tried are April..July (at
 * least three months before and three after): four candidates.
 *   T: the team's mean steps from 6 to 2.8 at June, so since = June.
 *      Each rep's relative change b/a - 1 is -0.5, -0.6, -0.5, -4/7, -0.5,
 *      so d (bad = down positive) = 0.5, 0.6, 0.5, 0.571429, 0.5: mean
 *      0.5342857, sum of squares 0.0092245, t = 0.5342857 /
 *      sqrt(0.0092245 / 4 / 5) = 24.8781 with 4 d.o.f.  Student t with 4
 *      d.o.f. has the closed form F(t) = 1/2 + (3/4) x (1 - x^2 / 3),
 *      x = t / sqrt(t^2 + 4), so the one-sided p is 7.74797e-6 and,
 *      times 4 splits, 3.09919e-5.  The family adjusted is T's metrics:
 *      deals created moved exactly as revenue (one deal a win), the rest
 *      are flat or undefined, so Benjamini-Hochberg over two equal
 *      p-values leaves 3.09919e-5.  Median relative change -0.5; 5 of 5
 *      reps down.
 *   U: d = 0, 0, 0, 0, 0.8: one rep of five went down; no finding, and U5's
 *      decline stays its own.
 * With structural_margin 0.05, T1 (-50%) moved with its team; T2 (-60%,
 * 0.60 > 0.50 + 0.05) fell beyond it.
 */
static void test_team_findings(void **state)
{
	static const int before[2][5] = { { 4, 5, 6, 7, 8 }, { 5, 5, 5, 5, 5 } };
	static const int after[2][5] = { { 2, 2, 3, 3, 4 }, { 5, 5, 5, 5, 1 } };
	struct rw_settings s = test_settings();
	struct rw_results *res = NULL;
	struct rw_dataset *ds;
	struct rw_err err;
	const struct rw_team_finding *f;
	char id[16], rid[16];
	int n = 0;
	long i;

	(void)state;
	gsl_set_error_handler_off();
	rw_err_clear(&err);
	s.as_of = D(2024, 10, 15);
	s.history_periods = 9;
	s.structural_margin = 0.05;
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	for (int t = 0; t < 2; t++)
		for (int k = 0; k < 5; k++) {
			struct rw_rep r = { rid, NULL, NULL, t ? "U" : "T", NULL,
					    RW_NODAY, RW_NODAY, 0 };

			snprintf(rid, sizeof(rid), "%c%d", t ? 'U' : 'T', k + 1);
			assert_int_equal(rw_dataset_add_rep(ds, &r, NULL), 0);
		}
	for (uint32_t r = 0; r < 10; r++)
		for (int m = 1; m <= 9; m++) {
			int w = m < 6 ? before[r / 5][r % 5] : after[r / 5][r % 5];

			for (int j = 0; j < w; j++) {
				struct rw_opp o = { id, r, D(2024, m, 1), D(2024, m, 10),
						    RW_WON, 1000, NULL, 0 };

				snprintf(id, sizeof(id), "o%d", n++);
				assert_int_equal(rw_dataset_add_opp(ds, &o, NULL), 0);
			}
		}
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	i = rw_results_finding_find(res, rw_results_rep_team(res, 0), RW_M_REVENUE);
	assert_true(i >= 0);
	f = rw_results_finding(res, (size_t)i);
	assert_string_equal(rw_results_team_name(res, f->team), "T");
	assert_int_equal(f->since, rw_period_of(RW_MONTH, D(2024, 6, 1), 1));
	assert_int_equal(f->reps, 5);
	assert_int_equal(f->reps_down, 5);
	assert_float_equal(f->change, -0.5, 1e-12);
	assert_float_equal(f->p, 3.0991897e-5, 1e-10);
	assert_true(rw_results_moved_with_team(res, ds, 0, RW_M_REVENUE));
	assert_false(rw_results_moved_with_team(res, ds, 1, RW_M_REVENUE));
	assert_float_equal(rw_results_finding_rep_change(res, ds, (size_t)i, 1), -0.6, 1e-12);
	/* Team U: no finding on revenue, so U5's decline is personal. */
	assert_int_equal(rw_results_finding_find(res, rw_results_rep_team(res, 9), RW_M_REVENUE), -1);
	assert_false(rw_results_moved_with_team(res, ds, 9, RW_M_REVENUE));
	rw_results_free(res);
	rw_dataset_free(ds);
}

/* ---- Memory ------------------------------------------------------------- */

static void test_fold_does_not_allocate(void **state)
{
	struct rw_settings s = test_settings();
	struct rw_dataset *ds = rw_dataset_new(&s);

	(void)state;
	assert_non_null(ds);
	assert_int_equal(add_reps_and_deals(ds), 0);
	assert_int_equal(rw_dataset_begin_activities(ds), 0);
	/* Every allocation from here on fails. */
	rw_alloc_fail_after(1);
	for (int i = 0; i < 10000; i++)
		rw_dataset_add_activity(ds, RA, (uint32_t)(i % 6),
					D(2024, 1, 1) + i % 60, i % 4);
	assert_int_equal(rw_alloc_fail_after(0), 0);
	assert_int_equal(ds->activities, 10000);
	/* i % 4 == RW_CALL (0) for 2500 rows, all within Jan..Feb. */
	assert_int_equal(rw_fold_count(ds->fold, RA, RW_MONTH, 0, RW_CALL) +
			 rw_fold_count(ds->fold, RA, RW_MONTH, 1, RW_CALL), 2500);
	rw_dataset_free(ds);
}

/* Fail each allocation of a computation in turn: an error, never a crash
 * or a leak (ASan's leak check runs at exit). */
static void test_compute_out_of_memory(void **state)
{
	struct rw_dataset *ds;
	int rc = -1;

	(void)state;
	gsl_set_error_handler_off();
	ds = build();
	for (long n = 1; n < 10000 && rc; n++) {
		struct rw_results *res = NULL;
		struct rw_err err;

		rw_err_clear(&err);
		rw_alloc_fail_after(n);
		rc = rw_engine_compute(ds, &res, &err);
		rw_alloc_fail_after(0);
		if (rc) {
			assert_int_equal(rc, RW_ENOMEM);
			assert_null(res);
		}
		rw_results_free(res);
	}
	assert_int_equal(rc, 0);
	rw_dataset_free(ds);
}

static void test_begin_out_of_memory(void **state)
{
	struct rw_settings s = test_settings();
	int rc = -1;

	(void)state;
	for (long n = 1; n < 1000 && rc; n++) {
		struct rw_dataset *ds = rw_dataset_new(&s);

		assert_non_null(ds);
		assert_int_equal(add_reps_and_deals(ds), 0);
		rw_alloc_fail_after(n);
		rc = rw_dataset_begin_activities(ds);
		rw_alloc_fail_after(0);
		if (rc)
			assert_null(ds->fold);
		rw_dataset_free(ds);
	}
	assert_int_equal(rc, 0);
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

/* ---- Nothing from data that isn't there; intervals; FDR; history --------- */

/* Add rep id of team with hire/end days; returns its index. */
static uint32_t add_rep(struct rw_dataset *ds, const char *id, const char *team,
			int32_t hire, int32_t end)
{
	struct rw_rep rep = { id, NULL, NULL, team, NULL, hire, end, 0 };
	uint32_t r;

	assert_int_equal(rw_dataset_add_rep(ds, &rep, &r), 0);
	return r;
}

static void add_deal(struct rw_dataset *ds, uint32_t r, int32_t created,
		     int32_t closed, enum rw_status st, double amount)
{
	static int n;
	char id[24];
	struct rw_opp o = { id, r, created, closed, st, amount, NULL, 0 };

	snprintf(id, sizeof(id), "x%d", n++);
	assert_int_equal(rw_dataset_add_opp(ds, &o, NULL), 0);
}

static void add_month_target(struct rw_dataset *ds, uint32_t r, int y, int m,
			     double v)
{
	struct rw_target t = { r, NULL, RW_MONTH,
			       rw_period_of(RW_MONTH, D(y, m, 1), 1), v };

	assert_int_equal(rw_dataset_add_target(ds, &t), 0);
}

/*
 * Whose periods, and who is eligible.  as_of 2024-06-15, months Jan..May
 * complete plus June, ramp 90 days, a target of 1000 and a deal won on
 * the 5th in every month for every rep.
 *  N, hired 03-10: Jan, Feb are not hers (end before the hire): every
 *    metric NULL, the quota too; March overlaps the hire: hers.  Tenure
 *    at a month's start: Jun 1 - Mar 10 = 83 < 90, so never eligible.
 *  H, hired 01-15: Apr 1 - Jan 15 = 77 (not eligible), May 1 = 107 (yes).
 *  L, left 04-10: March eligible; April hers but departed before its last
 *    day (not eligible), and its coverage has no next quota (May is not
 *    hers); May and June are not hers.
 *  V, no dates: always eligible.
 * May's baseline of opps_created is then V and H only (n = 2).  Trends
 * skip the periods that are not the rep's: N has Mar..May (3 points), L
 * Jan..Apr (4).
 */
static void test_rep_periods(void **state)
{
	struct rw_settings s = test_settings();
	struct rw_dataset *ds;
	struct rw_results *res = NULL;
	struct rw_err err;
	uint32_t n, h, l, v;
	const struct rw_baseline *b;

	(void)state;
	rw_err_clear(&err);
	s.as_of = D(2024, 6, 15);
	s.history_periods = 5;
	s.ramp_days = 90;
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	n = add_rep(ds, "N", "East", D(2024, 3, 10), RW_NODAY);
	h = add_rep(ds, "H", "East", D(2024, 1, 15), RW_NODAY);
	l = add_rep(ds, "L", "East", D(2020, 1, 1), D(2024, 4, 10));
	v = add_rep(ds, "V", "East", RW_NODAY, RW_NODAY);
	for (uint32_t r = 0; r < 4; r++)
		for (int m = 1; m <= 6; m++) {
			add_deal(ds, r, D(2024, m, 5), D(2024, m, 5), RW_WON, 100);
			add_month_target(ds, r, 2024, m, 1000);
		}
	add_month_target(ds, v, 2024, 7, 1000);
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	for (int m = 0; m < RW_NMETRICS; m++) {
		assert_true(isnan(rw_results_value(res, n, RW_MONTH, 0, (enum rw_metric)m)));
		assert_true(isnan(rw_results_value(res, n, RW_MONTH, 1, (enum rw_metric)m)));
		assert_true(isnan(rw_results_value(res, l, RW_MONTH, 4, (enum rw_metric)m)));
		assert_true(isnan(rw_results_value(res, l, RW_MONTH, 5, (enum rw_metric)m)));
	}
	assert_int_equal(rw_results_rep_period(res, n, RW_MONTH, 1), 0);
	assert_int_equal(rw_results_rep_period(res, n, RW_MONTH, 2), 1);
	ASSERT_VAL(rw_results_value(res, n, RW_MONTH, 2, RW_M_WON), 1);
	ASSERT_VAL(rw_results_value(res, n, RW_MONTH, 2, RW_M_QUOTA), 1000);
	for (int k = 0; k < 6; k++) {
		assert_int_equal(rw_results_eligible(res, n, RW_MONTH, k), 0);
		assert_int_equal(rw_results_eligible(res, v, RW_MONTH, k), 1);
		assert_int_equal(rw_results_eligible(res, h, RW_MONTH, k), k >= 4);
		assert_int_equal(rw_results_eligible(res, l, RW_MONTH, k), k <= 2);
	}
	ASSERT_VAL(rw_results_value(res, l, RW_MONTH, 3, RW_M_WON), 1);
	assert_true(isnan(rw_results_value(res, l, RW_MONTH, 3, RW_M_COVERAGE)));
	ASSERT_VAL(rw_results_value(res, v, RW_MONTH, 3, RW_M_COVERAGE), 0);
	b = rw_results_baseline(res, 0, RW_MONTH, 4, RW_M_OPPS_CREATED);
	assert_int_equal(b->n, 2);
	assert_int_equal(rw_results_trend(res, n, RW_MONTH, RW_M_OPPS_CREATED)->n, 3);
	assert_int_equal(rw_results_trend(res, l, RW_MONTH, RW_M_OPPS_CREATED)->n, 4);
	/* Invalid arguments are nobody's. */
	assert_int_equal(rw_results_eligible(res, 99, RW_MONTH, 0), 0);
	assert_int_equal(rw_results_rep_period(res, v, RW_MONTH, 6), 0);
	rw_results_free(res);
	rw_dataset_free(ds);
}

/*
 * Without an activity export, the 9 activity metrics are NULL for every
 * rep and have no trend; the others are untouched.  One open deal
 * created 02-01 (as_of 03-15).  Once the export is given, even empty,
 * calls are 0 and the deal is stale at February's end (last touch its
 * creation, 28 days before 02-29, over 14).
 */
static void test_no_activity_export(void **state)
{
	struct rw_settings s = test_settings();
	static const enum rw_metric act[] = {
		RW_M_CALLS, RW_M_EMAILS, RW_M_MEETINGS, RW_M_FIRST_MEETINGS,
		RW_M_FOLLOWUP_RATIO, RW_M_TOUCH_GAP_DAYS, RW_M_STALE_OPPS,
		RW_M_STALE_SHARE, RW_M_AVG_DAYS_TO_FIRST_MEETING,
	};
	struct rw_dataset *ds;
	struct rw_results *res = NULL;
	struct rw_err err;
	int nact = 0;

	(void)state;
	rw_err_clear(&err);
	for (int m = 0; m < RW_NMETRICS; m++)
		nact += rw_metric_needs_activities((enum rw_metric)m);
	assert_int_equal(nact, 9);
	for (size_t i = 0; i < sizeof(act) / sizeof(act[0]); i++)
		assert_int_equal(rw_metric_needs_activities(act[i]), 1);
	assert_int_equal(rw_metric_needs_activities(RW_M_OPEN_OPPS), 0);
	assert_int_equal(rw_metric_needs_activities(RW_NMETRICS), 0);
	for (int given = 0; given < 2; given++) {
		ds = rw_dataset_new(&s);
		assert_non_null(ds);
		add_rep(ds, "A", "East", RW_NODAY, RW_NODAY);
		add_deal(ds, 0, D(2024, 2, 1), RW_NODAY, RW_OPEN, 500);
		assert_int_equal(rw_dataset_begin_activities(ds), 0);
		if (given)
			rw_dataset_set_activities_given(ds);
		assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
		for (int k = 0; k < 3; k++)
			for (size_t i = 0; i < sizeof(act) / sizeof(act[0]); i++)
				if (!given)
					assert_true(isnan(rw_results_value(res, 0, RW_MONTH, k, act[i])));
		ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 1, RW_M_OPEN_OPPS), 1);
		if (!given) {
			assert_int_equal(rw_results_trend(res, 0, RW_MONTH, RW_M_CALLS)->n, 0);
		} else {
			ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 1, RW_M_CALLS), 0);
			ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 1, RW_M_STALE_OPPS), 1);
		}
		rw_results_free(res);
		rw_dataset_free(ds);
	}
}

/*
 * Three equal wins of 1000 in February 2024 against a quota of 6000:
 * attainment 0.5, and with the Garwood limits for 3 (0.6187, 8.7673; see
 * test_gamma_interval) revenue_lo = 618.7, revenue_hi = 8767.3,
 * attainment_hi = 0.5 * 8.7673 / 3 = 1.46122: the quota is inside, so the
 * shortfall is not beyond chance.  January has no win: lo 0, and w_M is the rep's mean won deal
 * (1000), so revenue_hi = 1000 * 3.68888 and attainment_hi 0.614813.
 */
static void test_attainment_interval(void **state)
{
	struct rw_settings s = test_settings();
	struct rw_dataset *ds;
	struct rw_results *res = NULL;
	struct rw_err err;
	uint32_t r;

	(void)state;
	rw_err_clear(&err);
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	r = add_rep(ds, "A", "East", RW_NODAY, RW_NODAY);
	for (int j = 0; j < 3; j++)
		add_deal(ds, r, D(2024, 2, 1), D(2024, 2, 10), RW_WON, 1000);
	add_month_target(ds, r, 2024, 1, 6000);
	add_month_target(ds, r, 2024, 2, 6000);
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	assert_float_equal(rw_results_value(res, r, RW_MONTH, 1, RW_M_ATTAINMENT), 0.5, 1e-12);
	assert_float_equal(rw_results_value(res, r, RW_MONTH, 1, RW_M_REVENUE_LO), 618.7, 0.05);
	assert_float_equal(rw_results_value(res, r, RW_MONTH, 1, RW_M_REVENUE_HI), 8767.3, 0.05);
	assert_float_equal(rw_results_value(res, r, RW_MONTH, 1, RW_M_ATTAINMENT_HI), 1.46122, 1e-5);
	assert_float_equal(rw_results_value(res, r, RW_MONTH, 1, RW_M_ATTAINMENT_LO), 0.103117, 1e-5);
	assert_float_equal(rw_results_value(res, r, RW_MONTH, 0, RW_M_REVENUE_LO), 0, 0);
	assert_float_equal(rw_results_value(res, r, RW_MONTH, 0, RW_M_REVENUE_HI), 1000 * log(40), 1e-3);
	assert_float_equal(rw_results_value(res, r, RW_MONTH, 0, RW_M_ATTAINMENT_HI), 1000 * log(40) / 6000, 1e-6);
	/* March has no quota: a revenue interval, no attainment one. */
	assert_true(isfinite(rw_results_value(res, r, RW_MONTH, 2, RW_M_REVENUE_HI)));
	assert_true(isnan(rw_results_value(res, r, RW_MONTH, 2, RW_M_ATTAINMENT_HI)));
	rw_results_free(res);
	rw_dataset_free(ds);
}

/*
 * A decline that began 9 months before the end: monthly revenue Jan..Mar
 * 2024 100, 102, 98 then Apr..Dec 60, 62, 58 three times (as_of
 * 2025-01-15, 12 complete months).  The 6-month trend window (Jul..Dec)
 * is flat; over the whole history the best split is before April: within
 * sums of squares 8 + 24 = 32, the smallest of the 9 candidates.  Means
 * 100 and 60: size -40.  Welch: se^2 = 4/3 + 3/9, t = 40 / 1.29099 =
 * 30.98, far beyond chance even times the 9 splits.
 */
static void test_history_change_point(void **state)
{
	struct rw_settings s = test_settings();
	const double rev[12] = { 100, 102, 98, 60, 62, 58, 60, 62, 58, 60, 62, 58 };
	struct rw_dataset *ds;
	struct rw_results *res = NULL;
	const struct rw_trend *t;
	struct rw_err err;
	double size, p;

	(void)state;
	rw_err_clear(&err);
	s.as_of = D(2025, 1, 15);
	s.history_periods = 12;
	s.trend_periods = 6;
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	add_rep(ds, "A", "East", RW_NODAY, RW_NODAY);
	for (int m = 0; m < 12; m++)
		add_deal(ds, 0, D(2024, m + 1, 3), D(2024, m + 1, 8), RW_WON, rev[m]);
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	t = rw_results_trend(res, 0, RW_MONTH, RW_M_REVENUE);
	assert_int_equal(t->n, 6);
	assert_int_equal(t->cp_period, rw_period_of(RW_MONTH, D(2024, 4, 1), 1));
	assert_float_equal(t->cp_size, -40, 1e-9);
	assert_true(t->cp_p > 0 && t->cp_p < 0.05);
	/* The same series alone: split index 3; the window alone has none. */
	assert_int_equal(rw_change_point(rev, 12, &size, &p), 3);
	assert_int_equal(rw_change_point(rev + 6, 6, &size, &p), -1);
	assert_true(p >= 0.05);
	rw_results_free(res);
	rw_dataset_free(ds);
}

/*
 * slope_q is BH across the team's reps eligible at the last complete
 * period: East has A, B, C (C hired 03-01: May 1 is 61 days on, still
 * ramping, so not eligible), West has W.
 * Monthly won counts Jan..May (as_of 2024-06-15) give each a slope p; the
 * q of A and B is BH over those two only (m = 2): the smaller p times 2,
 * the larger unchanged unless above that.  C and W's family excludes the
 * others: C gets none, W's q equals its p (m = 1).
 */
static void test_slope_q(void **state)
{
	struct rw_settings s = test_settings();
	const int wins[4][5] = { { 1, 2, 3, 5, 5 }, { 4, 2, 3, 1, 1 },
				 { 1, 3, 2, 4, 6 }, { 5, 4, 4, 2, 1 } };
	struct rw_dataset *ds;
	struct rw_results *res = NULL;
	struct rw_err err;
	double pa, pb, lo, hi;
	const struct rw_trend *t;

	(void)state;
	rw_err_clear(&err);
	s.as_of = D(2024, 6, 15);
	s.history_periods = 5;
	s.ramp_days = 90;
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	add_rep(ds, "A", "East", RW_NODAY, RW_NODAY);
	add_rep(ds, "B", "East", RW_NODAY, RW_NODAY);
	add_rep(ds, "C", "East", D(2024, 3, 1), RW_NODAY);
	add_rep(ds, "W", "West", RW_NODAY, RW_NODAY);
	for (uint32_t r = 0; r < 4; r++)
		for (int m = 0; m < 5; m++)
			for (int j = 0; j < wins[r][m]; j++)
				add_deal(ds, r, D(2024, m + 1, 2), D(2024, m + 1, 9), RW_WON, 10);
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	pa = rw_results_trend(res, 0, RW_MONTH, RW_M_WON)->slope_p;
	pb = rw_results_trend(res, 1, RW_MONTH, RW_M_WON)->slope_p;
	assert_true(isfinite(pa) && isfinite(pb) && pa != pb);
	lo = fmin(pa, pb);
	hi = fmax(pa, pb);
	/* By the step-up rule with m = 2: q_(2) = p_(2), q_(1) = min(2 p_(1), q_(2)). */
	t = rw_results_trend(res, pa < pb ? 0 : 1, RW_MONTH, RW_M_WON);
	assert_float_equal(t->slope_q, fmin(2 * lo, hi), 1e-12);
	t = rw_results_trend(res, pa < pb ? 1 : 0, RW_MONTH, RW_M_WON);
	assert_float_equal(t->slope_q, hi, 1e-12);
	assert_int_equal(rw_results_eligible(res, 2, RW_MONTH, 4), 0);
	t = rw_results_trend(res, 2, RW_MONTH, RW_M_WON);
	assert_true(isfinite(t->slope_p) && isnan(t->slope_q));
	t = rw_results_trend(res, 3, RW_MONTH, RW_M_WON);
	assert_true(isfinite(t->slope_p));
	assert_float_equal(t->slope_q, t->slope_p, 1e-12);
	rw_results_free(res);
	rw_dataset_free(ds);
}

/*
 * The projection adds what the rep usually wins from deals not created
 * yet.  as_of 2024-03-15 (day offset 14): in January a deal created
 * 01-20 and won 01-25 (1000) counts, one created 01-10 (500) does not;
 * in February one created 02-16 and won 02-20 (3000) counts, one created
 * 02-15 (the same day of period as as_of: already seen) does not, and
 * one created 02-20 but won 03-05 (400) is March's.  Mean (1000 + 3000)
 * / 2 = 2000; no open deal, so projected = 400 + 2000.  On March's last
 * day nothing is left of the period: projected = actual = 400.
 */
static void test_projection_not_yet_created(void **state)
{
	struct rw_settings s = test_settings();

	(void)state;
	for (int last = 0; last < 2; last++) {
		struct rw_dataset *ds;
		struct rw_results *res = NULL;
		struct rw_err err;

		rw_err_clear(&err);
		s.as_of = last ? D(2024, 3, 31) : D(2024, 3, 15);
		ds = rw_dataset_new(&s);
		assert_non_null(ds);
		add_rep(ds, "A", "East", RW_NODAY, RW_NODAY);
		add_deal(ds, 0, D(2024, 1, 20), D(2024, 1, 25), RW_WON, 1000);
		add_deal(ds, 0, D(2024, 1, 10), D(2024, 1, 28), RW_WON, 500);
		add_deal(ds, 0, D(2024, 2, 16), D(2024, 2, 20), RW_WON, 3000);
		add_deal(ds, 0, D(2024, 2, 15), D(2024, 2, 27), RW_WON, 700);
		add_deal(ds, 0, D(2024, 2, 20), D(2024, 3, 5), RW_WON, 400);
		assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
		ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 2, RW_M_REVENUE), 400);
		ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 2, RW_M_PROJECTED_REVENUE),
			   last ? 400 : 2400);
		rw_results_free(res);
		rw_dataset_free(ds);
	}
}

/*
 * avg_days_to_first_meeting by hand (as_of 2024-03-15; January, February
 * complete, March partial).  Rep A's deals and their first meetings:
 *   created 2024-01-10, meetings 01-20 and 02-05: first 01-20, 10 days
 *   created 2023-12-20, meeting 2024-01-02: 13 days (31 - 20 + 2)
 *   created 2024-01-25, meeting 02-09: 15 days (31 - 25 + 9)
 *   created 2024-02-01, two meetings 02-01: 0 days
 *   created 2024-02-10, meetings 02-08 and 02-12: first 02-08, before the
 *     deal was opened, counts 0 days (not -2, and not the 02-12 one)
 *   created 2024-02-20, a call 02-21, meeting 03-05: 14 days (29 - 20 + 5)
 *   created 2024-02-20, a call only, and a meeting 03-20 after as_of: none
 * January (10 + 13) / 2 = 11.5; February (15 + 0 + 0) / 3 = 5; March 14.
 * Rep B's deal never had a meeting: NULL in every period.  The metric is
 * in days, up is bad, weighted by first meetings, from the activity export.
 */
static void test_avg_days_to_first_meeting(void **state)
{
	struct rw_settings s = test_settings();
	const enum rw_metric m = RW_M_AVG_DAYS_TO_FIRST_MEETING;
	struct rw_dataset *ds;
	struct rw_results *res = NULL;
	struct rw_err err;

	(void)state;
	rw_err_clear(&err);
	assert_string_equal(rw_metric_name(m), "avg_days_to_first_meeting");
	assert_int_equal(rw_metric_find("avg_days_to_first_meeting"), (int)m);
	assert_int_equal(rw_metric_unit(m), RW_UNIT_DAYS);
	assert_int_equal(rw_metric_up_is_good(m), 0);
	assert_int_equal(rw_metric_weight(m), RW_WEIGHT_FIRST_MEETINGS);
	assert_int_equal(rw_metric_needs_activities(m), 1);
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	add_rep(ds, "A", "East", RW_NODAY, RW_NODAY);
	add_rep(ds, "B", "East", RW_NODAY, RW_NODAY);
	add_deal(ds, 0, D(2024, 1, 10), RW_NODAY, RW_OPEN, 100);	/* 0 */
	add_deal(ds, 0, D(2023, 12, 20), RW_NODAY, RW_OPEN, 100);	/* 1 */
	add_deal(ds, 0, D(2024, 1, 25), RW_NODAY, RW_OPEN, 100);	/* 2 */
	add_deal(ds, 0, D(2024, 2, 1), RW_NODAY, RW_OPEN, 100);	/* 3 */
	add_deal(ds, 0, D(2024, 2, 10), RW_NODAY, RW_OPEN, 100);	/* 4 */
	add_deal(ds, 0, D(2024, 2, 20), RW_NODAY, RW_OPEN, 100);	/* 5 */
	add_deal(ds, 0, D(2024, 2, 20), RW_NODAY, RW_OPEN, 100);	/* 6 */
	add_deal(ds, 1, D(2024, 1, 5), RW_NODAY, RW_OPEN, 100);	/* 7 */
	assert_int_equal(rw_dataset_begin_activities(ds), 0);
	rw_dataset_add_activity(ds, 0, 0, D(2024, 2, 5), RW_MEETING);
	rw_dataset_add_activity(ds, 0, 0, D(2024, 1, 20), RW_MEETING);
	rw_dataset_add_activity(ds, 0, 1, D(2024, 1, 2), RW_MEETING);
	rw_dataset_add_activity(ds, 0, 2, D(2024, 2, 9), RW_MEETING);
	rw_dataset_add_activity(ds, 0, 3, D(2024, 2, 1), RW_MEETING);
	rw_dataset_add_activity(ds, 0, 3, D(2024, 2, 1), RW_MEETING);
	rw_dataset_add_activity(ds, 0, 4, D(2024, 2, 12), RW_MEETING);
	rw_dataset_add_activity(ds, 0, 4, D(2024, 2, 8), RW_MEETING);
	rw_dataset_add_activity(ds, 0, 5, D(2024, 2, 21), RW_CALL);
	rw_dataset_add_activity(ds, 0, 5, D(2024, 3, 5), RW_MEETING);
	rw_dataset_add_activity(ds, 0, 6, D(2024, 2, 21), RW_CALL);
	rw_dataset_add_activity(ds, 0, 6, D(2024, 3, 20), RW_MEETING);
	rw_dataset_add_activity(ds, 1, 7, D(2024, 1, 8), RW_CALL);
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 0, RW_M_FIRST_MEETINGS), 2);
	ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 1, RW_M_FIRST_MEETINGS), 3);
	ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 0, m), 11.5);
	ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 1, m), 5);
	ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 2, m), 14);
	for (int k = 0; k < 3; k++)
		ASSERT_NULL_VALUE(rw_results_value(res, 1, RW_MONTH, k, m));
	rw_results_free(res);
	rw_dataset_free(ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_from_civil),
		cmocka_unit_test(test_period_labels),
		cmocka_unit_test(test_period_parse),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_jeffreys),
		cmocka_unit_test(test_ols_textbook),
		cmocka_unit_test(test_ols_weighted_and_edges),
		cmocka_unit_test(test_robust_trend),
		cmocka_unit_test(test_median),
		cmocka_unit_test_setup_teardown(test_windows, setup_results, teardown_results),
		cmocka_unit_test_setup_teardown(test_flow_metrics, setup_results, teardown_results),
		cmocka_unit_test_setup_teardown(test_win_rate_bounds, setup_results, teardown_results),
		cmocka_unit_test_setup_teardown(test_shrinkage, setup_results, teardown_results),
		cmocka_unit_test_setup_teardown(test_quota_and_coverage, setup_results, teardown_results),
		cmocka_unit_test_setup_teardown(test_activity_metrics, setup_results, teardown_results),
		cmocka_unit_test_setup_teardown(test_touch_metrics, setup_results, teardown_results),
		cmocka_unit_test_setup_teardown(test_pipeline_metrics, setup_results, teardown_results),
		cmocka_unit_test_setup_teardown(test_short_trends, setup_results, teardown_results),
		cmocka_unit_test_setup_teardown(test_team_baselines, setup_results, teardown_results),
		cmocka_unit_test_setup_teardown(test_projection, setup_results, teardown_results),
		cmocka_unit_test(test_mann_kendall_textbook),
		cmocka_unit_test(test_baseline_of),
		cmocka_unit_test(test_baseline_eligibility),
		cmocka_unit_test(test_shrinkage_small_sample),
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_icp_fit_share),
		cmocka_unit_test(test_engine_trend),
		cmocka_unit_test(test_engine_change_point),
		cmocka_unit_test(test_team_findings),
		cmocka_unit_test(test_change_point_prop),
		cmocka_unit_test(test_fold_does_not_allocate),
		cmocka_unit_test(test_compute_out_of_memory),
		cmocka_unit_test(test_begin_out_of_memory),
		cmocka_unit_test(test_gamma_interval),
		cmocka_unit_test(test_bh_adjust),
		cmocka_unit_test(test_rep_periods),
		cmocka_unit_test(test_no_activity_export),
		cmocka_unit_test(test_attainment_interval),
		cmocka_unit_test(test_history_change_point),
		cmocka_unit_test(test_slope_q),
		cmocka_unit_test(test_projection_not_yet_created),
		cmocka_unit_test(test_avg_days_to_first_meeting),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
