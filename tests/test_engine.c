/*
 * test_engine.c - the activity fold and every metric of SPEC section 4 on
 * a small dataset worked out by hand, and the engine out of memory.
 * (Calendar and statistics: test_stats.c; baselines: test_baselines.c;
 * results over periods: test_periods.c.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "../engine/engine.h"
#include "../engine/engine_int.h"
#include "engine_fixture.h"

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

/* ---- Memory ------------------------------------------------------------- */

/*
 * The metric table's test, sum, team and of columns, checked against what the
 * names and SPEC section 4 say, not against the table itself: a view is
 * named after its metric (win_rate_2p_hi of win_rate, projected_revenue of
 * revenue) and is never a view of a view; views are not judged by team
 * findings (they would repeat their metric's finding) and the per-deal
 * pass never adds into one; every count (unit COUNT) is added into.
 */
static void test_metric_columns(void **state)
{
	(void)state;
	for (int i = 0; i < RW_NMETRICS; i++) {
		enum rw_metric m = (enum rw_metric)i, of = rw_metric_of(m);
		const char *name = rw_metric_name(m), *base = rw_metric_name(of);
		size_t n = strlen(base);

		if (of == m)
			continue;
		assert_int_equal(rw_metric_of(of), of);
		assert_true((!strncmp(name, base, n) && name[n] == '_') ||
			    (!strncmp(name, "projected_", 10) && !strcmp(name + 10, base)));
		assert_int_equal(rw_metric_team_judged(m), 0);
		assert_int_equal(rw_metric_is_sum(m), 0);
	}
	for (int i = 0; i < RW_NMETRICS; i++) {
		enum rw_metric m = (enum rw_metric)i;

		if (rw_metric_unit(m) == RW_UNIT_COUNT)
			assert_int_equal(rw_metric_is_sum(m), 1);
		/* A share tested on counts is a ratio whose weight counts its
		 * trials. */
		if (rw_metric_test(m) == RW_TEST_SHARE)
			assert_true(rw_metric_unit(m) == RW_UNIT_RATIO &&
				    rw_metric_weight(m) != RW_WEIGHT_NONE &&
				    rw_metric_weight(m) != RW_WEIGHT_QUOTA);
	}
	/* Pinned: the two metrics whose change point trends.c tested on
	 * counts before the table had a test column. */
	assert_int_equal(rw_metric_test(RW_M_WIN_RATE), RW_TEST_SHARE);
	assert_int_equal(rw_metric_test(RW_M_FOLLOWUP_RATIO), RW_TEST_SHARE);
	assert_int_equal(rw_metric_test(RW_M_ATTAINMENT), RW_TEST_MEAN);
	/* Hand-picked rows (SPEC 4): win_rate_shrunk is win_rate's; win_rate
	 * is computed after the deals, won is counted per deal; quota is no
	 * shift of the team's selling. */
	assert_int_equal(rw_metric_of(RW_M_WIN_RATE_SHRUNK), RW_M_WIN_RATE);
	assert_int_equal(rw_metric_of(RW_M_PROJECTED_ATTAINMENT), RW_M_ATTAINMENT);
	assert_int_equal(rw_metric_of(RW_M_STALE_SHARE), RW_M_STALE_SHARE);
	assert_int_equal(rw_metric_is_sum(RW_M_WIN_RATE), 0);
	assert_int_equal(rw_metric_is_sum(RW_M_WON), 1);
	assert_int_equal(rw_metric_team_judged(RW_M_WIN_RATE), 1);
	assert_int_equal(rw_metric_team_judged(RW_M_QUOTA), 0);
	/* Out of range: no view, no sum, not judged. */
	assert_int_equal(rw_metric_of((enum rw_metric)RW_NMETRICS), RW_NMETRICS);
	assert_int_equal(rw_metric_is_sum((enum rw_metric)-1), 0);
	assert_int_equal(rw_metric_team_judged((enum rw_metric)RW_NMETRICS), 0);
}

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

/*
 * rw_fold_last_touch on the worked dataset.  By hand (test_touch_metrics'
 * touch days): a4 is touched 02-15, 02-20, 03-05, 03-12 (03-16 is after
 * as_of); c2's touch of 2023-06-15 is the one kept before the bitmap
 * (clip is 2023-07-01, the first day of the quarters' window 2023-Q3),
 * its next 2024-01-10.  Then on every deal and every limit from 2023-07-02
 * to 2024-04-01, the answer is the last day rw_fold_next_touch walks
 * before the limit, and walking on from it gives the next.
 */
static void test_fold_last_touch(void **state)
{
	struct rw_dataset *ds = build();
	const struct rw_dataset_fold *f = ds->fold;
	int32_t as_of = ds->settings.as_of, day;

	(void)state;
	assert_non_null(f);
	assert_int_equal(f->clip, D(2023, 7, 1));
	assert_int_equal(rw_fold_last_touch(f, as_of, &ds->opps[A4], A4, D(2024, 3, 5), &day), 1);
	assert_int_equal(day, D(2024, 2, 20));
	assert_int_equal(rw_fold_last_touch(f, as_of, &ds->opps[A4], A4, D(2024, 3, 6), &day), 1);
	assert_int_equal(day, D(2024, 3, 5));
	assert_int_equal(rw_fold_last_touch(f, as_of, &ds->opps[A4], A4, D(2024, 12, 31), &day), 1);
	assert_int_equal(day, D(2024, 3, 12));
	assert_int_equal(rw_fold_last_touch(f, as_of, &ds->opps[A4], A4, D(2024, 2, 15), &day), 0);
	assert_int_equal(day, RW_NODAY);
	assert_int_equal(rw_fold_last_touch(f, as_of, &ds->opps[C2], C2, D(2024, 1, 10), &day), 1);
	assert_int_equal(day, D(2023, 6, 15));
	assert_int_equal(rw_fold_last_touch(f, as_of, &ds->opps[C2], C2, D(2023, 7, 1), &day), 1);
	assert_int_equal(day, D(2023, 6, 15));
	/* Before clip, earlier than the kept touch: not known. */
	assert_int_equal(rw_fold_last_touch(f, as_of, &ds->opps[C2], C2, D(2023, 6, 1), &day), -1);
	for (uint32_t i = 0; i < ds->nopps; i++) {
		for (int32_t limit = D(2023, 7, 2); limit <= D(2024, 4, 1); limit++) {
			int32_t walk = RW_NODAY, last = RW_NODAY, next = RW_NODAY;
			int rc;

			while (rw_fold_next_touch(f, as_of, &ds->opps[i], i, &walk)) {
				if (walk >= limit) {
					next = walk;
					break;
				}
				last = walk;
			}
			rc = rw_fold_last_touch(f, as_of, &ds->opps[i], i, limit, &day);
			assert_int_equal(rc, last != RW_NODAY);
			assert_int_equal(day, last);
			walk = day;
			if (rw_fold_next_touch(f, as_of, &ds->opps[i], i, &walk))
				assert_int_equal(walk, next);
			else
				assert_int_equal(next, RW_NODAY);
		}
	}
	/* No fold: the created day is the only touch. */
	assert_int_equal(rw_fold_last_touch(NULL, as_of, &ds->opps[A4], A4, D(2024, 2, 16), &day), 1);
	assert_int_equal(day, D(2024, 2, 15));
	assert_int_equal(rw_fold_last_touch(NULL, as_of, &ds->opps[A4], A4, D(2024, 2, 15), &day), 0);
	/* b5 is created after as_of: never touched. */
	assert_int_equal(rw_fold_last_touch(NULL, as_of, &ds->opps[B5], B5, D(2024, 12, 1), &day), 0);
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

static int cmp_u64_ref(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * rw_sort_u64 against the C library's qsort (the reference) on keys laid
 * out as the medians build them (period in the high half, a biased value
 * in the low one), on keys differing in every byte, on runs of equal keys,
 * on sorted and reversed input, and on sizes around the insertion-sort
 * cut-over; plus a hand-checked small case.
 */
static void test_sort_u64(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 47, 48, 49, 300, 5000 };
	uint64_t small[] = { 5, 0xffffffffffffffffULL, 0, 1ULL << 40, 5, 3 };
	const uint64_t small_sorted[] = { 0, 3, 5, 5, 1ULL << 40, 0xffffffffffffffffULL };
	uint64_t *a = malloc(5000 * sizeof(*a)), *b = malloc(5000 * sizeof(*b));
	uint64_t *tmp = malloc(5000 * sizeof(*tmp)), x = 88172645463325252ULL;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(tmp);
	rw_sort_u64(small, 6, tmp);
	for (int i = 0; i < 6; i++)
		assert_true(small[i] == small_sorted[i]);
	for (int layout = 0; layout < 5; layout++) {
		for (size_t z = 0; z < sizeof(sizes) / sizeof(*sizes); z++) {
			size_t n = sizes[z];

			for (size_t i = 0; i < n; i++) {
				x ^= x << 13;	/* xorshift64 */
				x ^= x >> 7;
				x ^= x << 17;
				switch (layout) {
				case 0:	/* period 0-12, value around 2^31 */
					a[i] = (x % 13) << 32 | (uint32_t)(0x80000000u + (x >> 40) % 400);
					break;
				case 1:
					a[i] = x;
					break;
				case 2:
					a[i] = x % 3;
					break;
				case 3:
					a[i] = (uint64_t)i << 20;
					break;
				default:
					a[i] = (uint64_t)(n - i) * 0x0101010101ULL;
				}
				b[i] = a[i];
			}
			rw_sort_u64(a, n, tmp);
			if (n)
				qsort(b, n, sizeof(*b), cmp_u64_ref);
			for (size_t i = 0; i < n; i++)
				assert_true(a[i] == b[i]);
		}
	}
	free(a);
	free(b);
	free(tmp);
}

/* Reference: a stable insertion sort with <, written out plainly. */
static void stable_sort_ref(double *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		double x = a[i];
		size_t j = i;

		while (j > 0 && x < a[j - 1]) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = x;
	}
}

/*
 * rw_sort_double gives, bit for bit, what a stable sort with < gives:
 * negative and positive values, -0 and +0 interleaved (equal, so kept in
 * input order: the first element's sign survives where it did), repeats,
 * tiny and huge magnitudes, sizes around the insertion-sort cut-over.
 */
static void test_sort_double(void **state)
{
	static const size_t sizes[] = { 0, 1, 5, 47, 48, 49, 333, 4000 };
	static const double pool[] = { 0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 1e300,
		-1e300, 4.9e-324, -4.9e-324, 3.0, 3.0, 1e-10, 12345.678 };
	double *a = malloc(4000 * sizeof(*a)), *b = malloc(4000 * sizeof(*b));
	double *tmp = malloc(4000 * sizeof(*tmp));
	uint64_t x = 2463534242ULL;
	double z[4] = { 0.0, -0.0, 0.0, -1.0 };

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(tmp);
	/* By hand: -1 first, then the three zeros in their input order. */
	rw_sort_double(z, 4, tmp);
	assert_true(z[0] == -1.0);
	assert_false(signbit(z[1]));
	assert_true(signbit(z[2]));
	assert_false(signbit(z[3]));
	for (int layout = 0; layout < 3; layout++) {
		for (size_t q = 0; q < sizeof(sizes) / sizeof(*sizes); q++) {
			size_t n = sizes[q];

			for (size_t i = 0; i < n; i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				if (layout == 0)
					a[i] = pool[x % (sizeof(pool) / sizeof(*pool))];
				else if (layout == 1)
					a[i] = ((double)(x % 2001) - 1000.0) / 8.0;
				else
					a[i] = (x & 1) ? 0.0 : -0.0;
				b[i] = a[i];
			}
			rw_sort_double(a, n, tmp);
			stable_sort_ref(b, n);
			if (n)
				assert_memory_equal(a, b, n * sizeof(*a));
		}
	}
	free(a);
	free(b);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_u64),
		cmocka_unit_test(test_sort_double),
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
		cmocka_unit_test(test_metric_columns),
		cmocka_unit_test(test_fold_does_not_allocate),
		cmocka_unit_test(test_fold_last_touch),
		cmocka_unit_test(test_compute_out_of_memory),
		cmocka_unit_test(test_begin_out_of_memory),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
