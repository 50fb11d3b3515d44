/*
 * test_pooled.c - the two-period pooled intervals (attainment_2p and
 * win_rate_2p with their bounds) on a rep worked out by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include <gsl/gsl_errno.h>

#include "../engine/engine.h"

#define D(y, m, d) rw_days_from_civil(y, m, d)

/*
 * One rep wins five deals of 1,000 and loses five in January and again in
 * February 2024, against a monthly quota of 10,000; as of 2024-03-15 with
 * two complete months kept.  February's pooled figures cover both months:
 *  - attainment_2p = 10,000 / 20,000 = 0.5.  Ten equal won amounts make
 *    the Fay-Feuer interval w times the exact Poisson (Garwood) one:
 *    lower = 1,000 x chi2(0.025; 20) / 2 = 1,000 x 9.590777 / 2 and
 *    upper = 1,000 x chi2(0.975; 22) / 2 = 1,000 x 36.780712 / 2, so over
 *    the quota 0.2397694 .. 0.9195178 (the chi-square quantiles are the
 *    published table's 9.591 and 36.781, here to more places by
 *    bisection on the regularised gamma function, not with GSL).  One
 *    month alone (five wins) has upper 1,000 x chi2(0.975; 12) / 2 /
 *    10,000 = 1.1668 over 0.5: the quota inside, while the two months
 *    together put it outside.
 *  - win_rate_2p = 10 / 20 = 0.5 with the Jeffreys interval of Beta(10.5,
 *    10.5): 0.2933765 .. 0.7066235 (Simpson integration of the density,
 *    again not GSL; symmetric, as it must be).
 * January has no month before it in the window: no pooled value.
 */
static void test_pooled(void **state)
{
	struct rw_settings s;
	struct rw_rep rep = { "R1", "Ann", NULL, "East", NULL, RW_NODAY, RW_NODAY, 0 };
	struct rw_dataset *ds;
	struct rw_results *res = NULL;
	struct rw_err err;
	char id[16];
	int n = 0, k0;

	(void)state;
	gsl_set_error_handler_off();
	rw_err_clear(&err);
	rw_settings_default(&s);
	s.as_of = D(2024, 3, 15);
	s.history_periods = 2;
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	assert_int_equal(rw_dataset_add_rep(ds, &rep, NULL), 0);
	for (int m = 1; m <= 2; m++) {
		struct rw_target t = { 0, NULL, RW_MONTH,
				       rw_period_of(RW_MONTH, D(2024, m, 1), 1), 10000 };

		assert_int_equal(rw_dataset_add_target(ds, &t), 0);
		for (int j = 0; j < 10; j++) {
			struct rw_opp o = { id, 0, D(2024, m, 1), D(2024, m, 10),
					    j < 5 ? RW_WON : RW_LOST, 1000, NULL, 0 };

			snprintf(id, sizeof(id), "o%d", n++);
			assert_int_equal(rw_dataset_add_opp(ds, &o, NULL), 0);
		}
	}
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	k0 = rw_period_of(RW_MONTH, D(2024, 1, 1), 1) - rw_results_first_period(res, RW_MONTH);
	assert_int_equal(k0, 0);
	assert_float_equal(rw_results_value(res, 0, RW_MONTH, 1, RW_M_ATTAINMENT_2P), 0.5, 1e-12);
	assert_float_equal(rw_results_value(res, 0, RW_MONTH, 1, RW_M_ATTAINMENT_2P_LO), 0.2397694, 1e-6);
	assert_float_equal(rw_results_value(res, 0, RW_MONTH, 1, RW_M_ATTAINMENT_2P_HI), 0.9195178, 1e-6);
	assert_float_equal(rw_results_value(res, 0, RW_MONTH, 1, RW_M_WIN_RATE_2P), 0.5, 1e-12);
	assert_float_equal(rw_results_value(res, 0, RW_MONTH, 1, RW_M_WIN_RATE_2P_LO), 0.2933765, 1e-6);
	assert_float_equal(rw_results_value(res, 0, RW_MONTH, 1, RW_M_WIN_RATE_2P_HI), 0.7066235, 1e-6);
	/* A single month of five wins leaves the quota inside its interval. */
	assert_true(rw_results_value(res, 0, RW_MONTH, 1, RW_M_ATTAINMENT_HI) > 1);
	assert_true(isnan(rw_results_value(res, 0, RW_MONTH, 0, RW_M_ATTAINMENT_2P)));
	assert_true(isnan(rw_results_value(res, 0, RW_MONTH, 0, RW_M_WIN_RATE_2P)));
	rw_results_free(res);
	rw_dataset_free(ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pooled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
