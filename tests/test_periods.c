/*
 * test_periods.c - the engine over periods on small datasets worked out
 * by hand: stage conversions, ICP share, trends and change points, rep
 * periods, attainment intervals and history.
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
#include "engine_fixture.h"

/* The settings of the worked dataset in test_engine.c: as_of 2024-03-15,
 * history 2, trend 6, stale 14 days, follow-up 30 days, fiscal year from
 * January. */

#define MV(r, k, m) rw_results_value(res, (r), RW_MONTH, (k), (m))

/* ---- Conversions --------------------------------------------------------- */

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
	assert_float_equal(t->cp_change, 4, 1e-12);	/* 4000 over 1000 */
	assert_float_equal(t->cp_p, 0, 0);
	assert_float_equal(t->ts_slope, 1000, 1e-9);
	assert_float_equal(t->change, 4, 1e-12);
	rw_results_free(res);
	rw_dataset_free(ds);
}

/* ---- Nothing from data that isn't there; intervals; FDR; history --------- */

/* A dataset of test_settings() as of as_of keeping history complete
 * periods; trend_periods and ramp_days too when not 0. */
static struct rw_dataset *dataset_at(int32_t as_of, int history, int trend,
				     int ramp)
{
	struct rw_settings s = test_settings();
	struct rw_dataset *ds;

	s.as_of = as_of;
	s.history_periods = history;
	if (trend)
		s.trend_periods = trend;
	if (ramp)
		s.ramp_days = ramp;
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	return ds;
}

/* Add rep id of team with hire/end days; returns its index. */
static uint32_t add_rep(struct rw_dataset *ds, const char *id, const char *team,
			int32_t hire, int32_t end)
{
	struct rw_rep rep = { id, NULL, NULL, team, NULL, hire, end, 0 };
	uint32_t r;

	assert_int_equal(rw_dataset_add_rep(ds, &rep, &r), 0);
	return r;
}

/* Add a deal; returns its index. */
static uint32_t add_deal(struct rw_dataset *ds, uint32_t r, int32_t created,
			 int32_t closed, enum rw_status st, double amount)
{
	static int n;
	char id[24];
	struct rw_opp o = { id, r, created, closed, st, amount, NULL, 0 };
	uint32_t idx = 0;

	snprintf(id, sizeof(id), "x%d", n++);
	assert_int_equal(rw_dataset_add_opp(ds, &o, &idx), 0);
	return idx;
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
	struct rw_dataset *ds;
	struct rw_results *res = NULL;
	struct rw_err err;
	uint32_t n, h, l, v;
	const struct rw_baseline *b;

	(void)state;
	rw_err_clear(&err);
	ds = dataset_at(D(2024, 6, 15), 5, 0, 90);
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
 * created 02-01 (as_of 03-15).  An export with no rows speaks for no
 * period either: still NULL.  An export whose activities span the months
 * (a call on 01-02 and one on 03-14, linked to no deal) gives February 0
 * calls, and the deal is stale at February's end (last touch its
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
	for (int given = 0; given < 3; given++) {
		ds = rw_dataset_new(&s);
		assert_non_null(ds);
		add_rep(ds, "A", "East", RW_NODAY, RW_NODAY);
		add_deal(ds, 0, D(2024, 2, 1), RW_NODAY, RW_OPEN, 500);
		assert_int_equal(rw_dataset_begin_activities(ds), 0);
		if (given == 1)
			rw_dataset_set_activities_given(ds);
		if (given == 2) {
			rw_dataset_add_activity(ds, 0, RW_NONE, D(2024, 1, 2), RW_CALL);
			rw_dataset_add_activity(ds, 0, RW_NONE, D(2024, 3, 14), RW_CALL);
		}
		assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
		for (int k = 0; k < 3; k++)
			for (size_t i = 0; i < sizeof(act) / sizeof(act[0]); i++)
				if (given < 2)
					assert_true(isnan(rw_results_value(res, 0, RW_MONTH, k, act[i])));
		ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 1, RW_M_OPEN_OPPS), 1);
		if (given < 2) {
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
 * An activity export that stops early speaks only for the periods up to
 * its end, give or take its slack.  Rep A (as_of 2024-10-15) logs a call
 * every day from 2024-01-10 to 2024-06-30 and nothing after, while its
 * deals go on: 173 calls and 3 meetings over 173 days, slack
 * max(7, ceil(ln 1000 x 173 / 176) = 7) = 7 days.  January (from the
 * 10th): 22 calls; February..June a call a day (29 in February, 30 in
 * June); July..October end more than 7 days after 06-30: NULL, not 0.
 * Follow-up: deal d1's first meeting on 05-20 and a second on 05-25 (5
 * days, within 30): May 1 of 1.  Deal d2's first meeting on 06-10, no
 * second: the 30 days after it pass on 07-10, after the last day the
 * export speaks for (06-30 + 7 = 07-07): not judged, and June's ratio is
 * NULL (no meeting qualifies), where a cut export would otherwise read as
 * a follow-up never made.
 */
static void test_activity_span(void **state)
{
	struct rw_dataset *ds = dataset_at(D(2024, 10, 15), 9, 0, 0);
	struct rw_results *res = NULL;
	struct rw_err err;
	uint32_t d1, d2;

	(void)state;
	rw_err_clear(&err);
	add_rep(ds, "A", "East", RW_NODAY, RW_NODAY);
	d1 = add_deal(ds, 0, D(2024, 5, 15), RW_NODAY, RW_OPEN, 500);
	d2 = add_deal(ds, 0, D(2024, 6, 5), RW_NODAY, RW_OPEN, 500);
	for (int mo = 1; mo <= 9; mo++)
		add_deal(ds, 0, D(2024, mo, 3), D(2024, mo, 20), RW_WON, 100);
	assert_int_equal(rw_dataset_begin_activities(ds), 0);
	for (int32_t day = D(2024, 1, 10); day <= D(2024, 6, 30); day++)
		rw_dataset_add_activity(ds, 0, RW_NONE, day, RW_CALL);
	rw_dataset_add_activity(ds, 0, d1, D(2024, 5, 20), RW_MEETING);
	rw_dataset_add_activity(ds, 0, d1, D(2024, 5, 25), RW_MEETING);
	rw_dataset_add_activity(ds, 0, d2, D(2024, 6, 10), RW_MEETING);
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	/* Months of the window: January 2024 is k = 0 .. October k = 9. */
	assert_int_equal(rw_results_first_period(res, RW_MONTH),
			 rw_period_of(RW_MONTH, D(2024, 1, 1), 1));
	ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 0, RW_M_CALLS), 22);
	ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 1, RW_M_CALLS), 29);
	ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 5, RW_M_CALLS), 30);
	for (int k = 6; k <= 9; k++) {
		assert_true(isnan(rw_results_value(res, 0, RW_MONTH, k, RW_M_CALLS)));
		assert_true(isnan(rw_results_value(res, 0, RW_MONTH, k, RW_M_STALE_SHARE)));
		/* Results do not depend on the activity export. */
		if (k < 9)
			ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, k, RW_M_WON), 1);
	}
	ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 4, RW_M_FOLLOWUP_RATIO), 1);
	assert_true(isnan(rw_results_value(res, 0, RW_MONTH, 5, RW_M_FOLLOWUP_RATIO)));
	ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, 5, RW_M_FIRST_MEETINGS), 1);
	rw_results_free(res);
	rw_dataset_free(ds);
}

/*
 * A deals export speaks only for the days up to its latest created or
 * won/lost close day, give or take its slack.  As of 2024-10-15 (nine
 * complete months kept), rep A's deals are created on the 5th of
 * April..June 2024 and won on the 20th, and one open deal created 06-10
 * is expected to close in December, which does not stretch the span: 7
 * events (4 created, 3 closed) over the 77 days 04-05..06-20, slack
 * max(30, ceil(ln 1000 x 77 / 7) = ceil(75.99)) = 76 days.  January to
 * March, before the first deal, read as no deal (0 won, attainment 0
 * against the quota); April..June one deal created and one won a month;
 * July ends 41 days after the span, August 72: theirs too, no deal;
 * September ends 102 days after, October (as_of) 117: no metrics, not
 * zero deals, though the quota would make their attainment 0.
 */
static void test_deals_span(void **state)
{
	struct rw_dataset *ds = dataset_at(D(2024, 10, 15), 9, 0, 0);
	struct rw_results *res = NULL;
	struct rw_err err;
	struct rw_span sp;

	(void)state;
	rw_err_clear(&err);
	add_rep(ds, "A", "East", RW_NODAY, RW_NODAY);
	for (int mo = 4; mo <= 6; mo++)
		add_deal(ds, 0, D(2024, mo, 5), D(2024, mo, 20), RW_WON, 100);
	add_deal(ds, 0, D(2024, 6, 10), D(2024, 12, 1), RW_OPEN, 100);
	for (int mo = 1; mo <= 10; mo++)
		add_month_target(ds, 0, 2024, mo, 1000);
	rw_dataset_deals_span(ds, &sp);
	assert_int_equal(sp.first, D(2024, 4, 5));
	assert_int_equal(sp.last, D(2024, 6, 20));
	assert_int_equal(sp.slack, 76);
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	for (int k = 0; k <= 9; k++) {
		double won = rw_results_value(res, 0, RW_MONTH, k, RW_M_WON);
		double att = rw_results_value(res, 0, RW_MONTH, k, RW_M_ATTAINMENT);

		if (k >= 8) {
			assert_true(isnan(won) && isnan(att));
			assert_true(isnan(rw_results_value(res, 0, RW_MONTH, k, RW_M_OPPS_CREATED)));
		} else if (k >= 3 && k <= 5) {
			ASSERT_VAL(won, 1);
			ASSERT_VAL(rw_results_value(res, 0, RW_MONTH, k, RW_M_OPPS_CREATED),
				   k == 5 ? 2 : 1);
			ASSERT_VAL(att, 0.1);
		} else {
			ASSERT_VAL(won, 0);
			ASSERT_VAL(att, 0);
		}
	}
	rw_results_free(res);
	rw_dataset_free(ds);
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
	/* March's lost deal keeps the export current up to as_of. */
	add_deal(ds, r, D(2024, 3, 5), D(2024, 3, 12), RW_LOST, 1000);
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
 * Results at the behaviour shift (engine/shift.c).  Every rep has 10 deals
 * a month in 2024 (created on the 2nd, closed on the 9th; as_of
 * 2025-01-15, 12 complete months), 4 of 10 won a month before July and 1
 * of 10 after, and logs 20 calls a month not linked to a deal, and one
 * e-mail on every deal; the export runs to 2025-01-14.
 *   A e-mails each deal 2 days after it is created until June and 6 days
 *   after from July.  Touch gap (days from the created date, the first
 *   touch): two flat segments, 2 then 6, the change point after June
 *   with p = 0 and cp_change (6 - 2) / 2 = +2, so July is the shift, on
 *   the touch gap.  Win rate at that split: 24 of 60 against 6 of 60,
 *   pooled 0.25, se = sqrt(0.25 x 0.75 x 2 / 60) = 0.0790569, z = -0.3 /
 *   se = -3.794733, one-sided normal tail 0.5 erfc(3.794733 / sqrt 2) =
 *   7.390116e-5; change 0.1 / 0.4 - 1 = -0.75.  Revenue (won amounts of
 *   1000): 4000 a month then 1000, flat: p = 0.
 *   B: the same deals, steady behaviour: no shift.
 *   C (team North): 5 calls a month from July with 10 deals created a
 *   month throughout: calls -75% while its deal flow did not move, a
 *   shift in how it works: on calls, July.
 *   D (North): 5 calls a month from July, and 4 deals created a month
 *   from July (1 of 4 won): calls -75% with deals created -60%, more than
 *   half as far: the calls fell with the deals it works (volume, as its
 *   revenue would), no shift.
 *   West's four reps all widen their touches from July: a team finding
 *   on the touch gap (p 0: no spread), so that shift is the team's and
 *   none of them has one of its own.
 */
static void test_behaviour_shift(void **state)
{
	static const char *const ids[8] = { "A", "B", "W0", "W1", "W2", "W3", "C", "D" };
	static const char *const teams[8] = { "East", "East", "West", "West",
					      "West", "West", "North", "North" };
	struct rw_dataset *ds;
	struct rw_results *res = NULL;
	const struct rw_trend *t;
	struct rw_err err;
	enum rw_metric m = RW_M_WON;
	uint32_t deal[8][12][10];

	(void)state;
	rw_err_clear(&err);
	ds = dataset_at(D(2025, 1, 15), 12, 6, 0);
	for (int i = 0; i < 8; i++)
		add_rep(ds, ids[i], teams[i], RW_NODAY, RW_NODAY);
	for (uint32_t r = 0; r < 8; r++)
		for (int mo = 1; mo <= 12; mo++) {
			int n = r == 7 && mo > 6 ? 4 : 10;

			for (int j = 0; j < n; j++)
				deal[r][mo - 1][j] = add_deal(ds, r, D(2024, mo, 2), D(2024, mo, 9),
							      j < (mo <= 6 ? 4 : 1) ? RW_WON : RW_LOST,
							      1000);
		}
	assert_int_equal(rw_dataset_begin_activities(ds), 0);
	for (uint32_t r = 0; r < 8; r++)
		for (int mo = 1; mo <= 12; mo++) {
			int wide = mo > 6 && r != 1 && r < 6;	/* A and West */
			int few = mo > 6 && r >= 6;		/* C and D */
			int n = r == 7 && mo > 6 ? 4 : 10;

			for (int j = 0; j < n; j++)
				rw_dataset_add_activity(ds, r, deal[r][mo - 1][j],
							D(2024, mo, wide ? 8 : 4), RW_EMAIL);
			for (int j = 0; j < (few ? 5 : 20); j++)
				rw_dataset_add_activity(ds, r, RW_NONE, D(2024, mo, 1 + j), RW_CALL);
		}
	rw_dataset_add_activity(ds, 1, RW_NONE, D(2025, 1, 14), RW_CALL);
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	assert_int_equal(rw_results_shift(res, 0, RW_MONTH, &m),
			 rw_period_of(RW_MONTH, D(2024, 7, 1), 1));
	assert_int_equal(m, RW_M_TOUCH_GAP_DAYS);
	t = rw_results_trend(res, 0, RW_MONTH, RW_M_TOUCH_GAP_DAYS);
	assert_float_equal(t->cp_change, 2, 1e-12);
	t = rw_results_trend(res, 0, RW_MONTH, RW_M_WIN_RATE);
	assert_float_equal(t->shift_change, -0.75, 1e-12);
	assert_float_equal(t->shift_p, 7.390116e-5, 1e-10);
	t = rw_results_trend(res, 0, RW_MONTH, RW_M_REVENUE);
	assert_float_equal(t->shift_change, -0.75, 1e-12);
	assert_float_equal(t->shift_p, 0, 0);
	/* B: the same results, steady behaviour: no shift, nothing tested. */
	assert_int_equal(rw_results_shift(res, 1, RW_MONTH, NULL), RW_NODAY);
	t = rw_results_trend(res, 1, RW_MONTH, RW_M_WIN_RATE);
	assert_true(isnan(t->shift_p) && isnan(t->shift_change));
	/* C: fewer calls on as many deals: its behaviour. */
	assert_int_equal(rw_results_shift(res, 6, RW_MONTH, &m),
			 rw_period_of(RW_MONTH, D(2024, 7, 1), 1));
	assert_int_equal(m, RW_M_CALLS);
	/* D: calls fell significantly, but with its deals: no shift. */
	t = rw_results_trend(res, 7, RW_MONTH, RW_M_CALLS);
	assert_float_equal(t->cp_change, -0.75, 1e-12);
	assert_true(t->cp_q < 0.05);
	assert_int_equal(rw_results_shift(res, 7, RW_MONTH, NULL), RW_NODAY);
	/* West: the team shifted on its touch gap; no rep of it has a shift. */
	assert_true(rw_results_finding_find(res, rw_results_rep_team(res, 2),
					    RW_M_TOUCH_GAP_DAYS) >= 0);
	for (uint32_t r = 2; r < 6; r++)
		assert_int_equal(rw_results_shift(res, r, RW_MONTH, NULL), RW_NODAY);
	rw_results_free(res);
	rw_dataset_free(ds);
}

/*
 * A decline that began 9 months before the end: monthly revenue Jan..Mar
 * 2024 100, 102, 98 then Apr..Dec 60, 62, 58 three times (as_of
 * 2025-01-15, 12 complete months).  The 6-month trend window (Jul..Dec)
 * is flat; over the whole history the best split is before April: within
 * sums of squares 8 + 24 = 32, the smallest of the 7 candidates.  Means
 * 100 and 60: size -40.  Welch: se^2 = 4/3 + 3/9, t = 40 / 1.29099 =
 * 30.98, far beyond chance even times the 7 splits (3 months a side).
 */
static void test_history_change_point(void **state)
{
	const double rev[12] = { 100, 102, 98, 60, 62, 58, 60, 62, 58, 60, 62, 58 };
	struct rw_dataset *ds;
	struct rw_results *res = NULL;
	const struct rw_trend *t;
	struct rw_err err;
	double size, p;

	(void)state;
	rw_err_clear(&err);
	ds = dataset_at(D(2025, 1, 15), 12, 6, 0);
	add_rep(ds, "A", "East", RW_NODAY, RW_NODAY);
	for (int m = 0; m < 12; m++)
		add_deal(ds, 0, D(2024, m + 1, 3), D(2024, m + 1, 8), RW_WON, rev[m]);
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	t = rw_results_trend(res, 0, RW_MONTH, RW_M_REVENUE);
	assert_int_equal(t->n, 6);
	assert_int_equal(t->cp_period, rw_period_of(RW_MONTH, D(2024, 4, 1), 1));
	assert_float_equal(t->cp_size, -40, 1e-9);
	/* Relative to the level before: -40 / 100. */
	assert_float_equal(t->cp_change, -0.4, 1e-9);
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
	const int wins[4][5] = { { 1, 2, 3, 5, 5 }, { 4, 2, 3, 1, 1 },
				 { 1, 3, 2, 4, 6 }, { 5, 4, 4, 2, 1 } };
	struct rw_dataset *ds;
	struct rw_results *res = NULL;
	struct rw_err err;
	double pa, pb, lo, hi;
	const struct rw_trend *t;

	(void)state;
	rw_err_clear(&err);
	ds = dataset_at(D(2024, 6, 15), 5, 0, 90);
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
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_icp_fit_share),
		cmocka_unit_test(test_engine_trend),
		cmocka_unit_test(test_engine_change_point),
		cmocka_unit_test(test_rep_periods),
		cmocka_unit_test(test_no_activity_export),
		cmocka_unit_test(test_activity_span),
		cmocka_unit_test(test_deals_span),
		cmocka_unit_test(test_attainment_interval),
		cmocka_unit_test(test_history_change_point),
		cmocka_unit_test(test_behaviour_shift),
		cmocka_unit_test(test_slope_q),
		cmocka_unit_test(test_projection_not_yet_created),
		cmocka_unit_test(test_avg_days_to_first_meeting),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
