/*
 * test_baselines.c - who counts in a team baseline, its quantiles and
 * shrinkage, and team findings, on small datasets worked out by hand.
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

/* ---- Baselines ---------------------------------------------------------- */

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

/* ---- Team findings and the false discovery rate -------------------------- */

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
/*
 * A dataset as of 2024-10-15 with 9 months of history and two teams of
 * five reps, a1..a5 of team a then b1..b5 of team b (rep index 0..9);
 * margin is structural_margin.
 */
static struct rw_dataset *two_teams(char a, char b, double margin)
{
	struct rw_settings s = test_settings();
	struct rw_dataset *ds;
	char rid[16], team[2] = { 0, 0 };

	gsl_set_error_handler_off();
	s.as_of = D(2024, 10, 15);
	s.history_periods = 9;
	s.structural_margin = margin;
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	for (int t = 0; t < 2; t++)
		for (int k = 0; k < 5; k++) {
			struct rw_rep r = { rid, NULL, NULL, team, NULL,
					    RW_NODAY, RW_NODAY, 0 };

			team[0] = t ? b : a;
			snprintf(rid, sizeof(rid), "%c%d", team[0], k + 1);
			assert_int_equal(rw_dataset_add_rep(ds, &r, NULL), 0);
		}
	return ds;
}

/* Rep r's deals of month m of 2024: n of 1000, created on the 1st and
 * closed on the 10th, the first won of them won and the rest lost. */
static void add_month(struct rw_dataset *ds, uint32_t r, int m, int won, int n)
{
	static int seq;
	char id[16];

	for (int j = 0; j < n; j++) {
		struct rw_opp o = { id, r, D(2024, m, 1), D(2024, m, 10),
				    j < won ? RW_WON : RW_LOST, 1000, NULL, 0 };

		snprintf(id, sizeof(id), "m%d", seq++);
		assert_int_equal(rw_dataset_add_opp(ds, &o, NULL), 0);
	}
}

/*
 * Who fell beyond the team, judged on the rep's own deals.  Two teams of
 * five, ten deals closed a month each (January..September 2024, as_of
 * 2024-10-15), 5 of 10 won a month before June; from June 3 of 10 for four
 * reps of each team, and for the fifth 1 of 10 (team V) or 2, 2, 1, 1 of
 * 10 (team X).  Both teams shift on win rate since June, median change
 * -0.4.  Every rep of a team is asked whether it fell beyond, so the level
 * 0.05 is shared among the finding's five reps: 0.01 each.
 *   V5: 25 of 50 won before, 4 of 40 after; expected after 0.5 x 0.6 =
 *     0.3; se = sqrt(0.3 x 0.7 / 40 + 0.6^2 x 0.5 x 0.5 / 50) = 0.0839643;
 *     z = (0.1 - 0.3) / se = -2.381965, Phi(z) = 0.0086 < 0.01: personal.
 *   X5: 6 of 40 after: z = (0.15 - 0.3) / se = -1.786474, Phi(z) = 0.0370:
 *     -70% against the team's -40% would be beyond chance for one rep
 *     alone, but among five reps one that far off is luck: it moved with
 *     its team (a fixed margin of 0.10 would have called it personal).
 * The win-rate finding's p is the Cochran-Mantel-Haenszel test on the
 * reps' deals, one 2x2 table a rep (won/lost, before/after June), N = 90,
 * n_before = 50, n_after = 40.
 *   A rep of 3 of 10 after: W = 37 won, E = 40 x 37 / 90 = 16.4444,
 *     V = 50 x 40 x 37 x 53 / (90^2 x 89) = 5.440418; observed 12.
 *   X5: W = 31, E = 13.7778, V = 50 x 40 x 31 x 59 / (90^2 x 89) =
 *     5.074213; observed 6.
 *   Dispersion: the Pearson chi-square of the months around each rep's
 *     segment rate is 0 but for X5's after months (2, 2, 1, 1 of 10
 *     around 0.15): 4 x 0.25 / 1.275 = 0.784314 over 5 x (9 - 2) = 35
 *     degrees of freedom, so phi = max(1, 0.0224) = 1.
 *   X: z = (54 - 79.5556) / sqrt(26.835900) = -4.933183; one-sided p
 *     4.045010e-7, times 4 splits 1.618004e-6.  The only other candidate
 *     of X is revenue (won x 1000): d = 0.4 x 4, 0.7, t = 0.46 /
 *     sqrt(0.072 / 20) = 7.666667 with 4 d.o.f., p x 4 = 3.111965e-3
 *     (the closed form of the T team's comment below).
 *     Benjamini-Hochberg over the two: 1.618004e-6 x 2 = 3.236008e-6.
 *   V: V5 fell beyond the team, so its own collapse is not the team's
 *     evidence: four tables, z = (48 - 65.7778) / sqrt(21.761673) =
 *     -3.810932, p x 4 = 2.768877e-4; revenue d = 0.4 x 4, 0.8, t = 6,
 *     p x 4 = 7.765074e-3; adjusted 2.768877e-4 x 2 = 5.537755e-4.
 * (Normal tail and t closed form evaluated with Python's math.erfc.)
 */
static void test_team_beyond_chance(void **state)
{
	struct rw_results *res = NULL;
	struct rw_dataset *ds = two_teams('V', 'X', test_settings().structural_margin);
	struct rw_err err;
	long i;

	(void)state;
	rw_err_clear(&err);
	for (uint32_t r = 0; r < 10; r++)
		for (int m = 1; m <= 9; m++) {
			int won = m < 6 ? 5 : r % 5 < 4 ? 3 : r < 5 ? 1 : m < 8 ? 2 : 1;

			add_month(ds, r, m, won, 10);
		}
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	for (uint32_t t = 0; t < 2; t++) {
		i = rw_results_finding_find(res, rw_results_rep_team(res, 5 * t), RW_M_WIN_RATE);
		assert_true(i >= 0);
		assert_int_equal(rw_results_finding(res, (size_t)i)->since,
				 rw_period_of(RW_MONTH, D(2024, 6, 1), 1));
		assert_float_equal(rw_results_finding(res, (size_t)i)->change, -0.4, 1e-12);
		/* Four of five at -0.4 exactly: no scatter. */
		assert_float_equal(rw_results_finding(res, (size_t)i)->spread, 0, 1e-12);
		assert_true(rw_results_moved_with_team(res, ds, 5 * t, RW_M_WIN_RATE));
	}
	assert_false(rw_results_moved_with_team(res, ds, 4, RW_M_WIN_RATE));
	assert_true(rw_results_moved_with_team(res, ds, 9, RW_M_WIN_RATE));
	i = rw_results_finding_find(res, rw_results_rep_team(res, 0), RW_M_WIN_RATE);
	assert_float_equal(rw_results_finding(res, (size_t)i)->p, 5.537755e-4, 1e-9);
	i = rw_results_finding_find(res, rw_results_rep_team(res, 5), RW_M_WIN_RATE);
	assert_float_equal(rw_results_finding(res, (size_t)i)->p, 3.236008e-6, 1e-11);
	rw_results_free(res);
	rw_dataset_free(ds);
}

/*
 * Months that scatter more than binomial draws do not pass for evidence.
 * Team P: five reps close 10 deals a month (January..September 2024,
 * as_of 2024-10-15) and win 8, 2, 8, 2, 8 of them to May, then 3 a month;
 * team Q wins 5 a month throughout.  P's level (the mean of its reps'
 * monthly rates) is 0.8, 0.2, 0.8, 0.2, 0.8, 0.3 x 4; the single mean
 * shift with least squared error (three months a side: April..July) is at
 * June (0.432 against 0.473 at April, 0.560 at May, 0.488 at July).
 *   Each rep: 28 of 50 won before (0.56), 12 of 40 after; CMH per rep
 *   W = 40, E = 40 x 40 / 90 = 17.7778, V = 50 x 40 x 40 x 50 / (90^2 x
 *   89) = 5.548620; five reps: observed 60, E 88.8889, V 27.74310.
 *   Dispersion: per rep, months of 8 and 2 around 5.6 expected, variance
 *   5.6 x 0.44 = 2.464: 3 x 2.4^2 / 2.464 + 2 x 3.6^2 / 2.464 = 17.532468;
 *   after June none; over 5 reps 87.66234 on 5 x (9 - 2) = 35 d.o.f.,
 *   phi = 2.504638.
 *   z = -28.8889 / sqrt(27.74310 x 2.504638) = -3.465619, one-sided p
 *   2.645059e-4, times 4 splits 1.058024e-3 (binomial months alone would
 *   give z = -5.4847, 8.3e-8).  Revenue (won x 1000) moved by the same
 *   -46.4% for every rep: t infinite, p 0; Benjamini-Hochberg over the
 *   two leaves the win rate's 1.058024e-3 (rank 2 of 2).
 * (Normal tail evaluated with Python's math.erfc.)
 */
static void test_team_dispersion(void **state)
{
	static const int before[5] = { 8, 2, 8, 2, 8 };
	struct rw_results *res = NULL;
	struct rw_dataset *ds = two_teams('P', 'Q', test_settings().structural_margin);
	const struct rw_team_finding *f;
	struct rw_err err;
	long i;

	(void)state;
	rw_err_clear(&err);
	for (uint32_t r = 0; r < 10; r++)
		for (int m = 1; m <= 9; m++) {
			int won = r >= 5 ? 5 : m < 6 ? before[m - 1] : 3;

			add_month(ds, r, m, won, 10);
		}
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	i = rw_results_finding_find(res, rw_results_rep_team(res, 0), RW_M_WIN_RATE);
	assert_true(i >= 0);
	f = rw_results_finding(res, (size_t)i);
	assert_int_equal(f->since, rw_period_of(RW_MONTH, D(2024, 6, 1), 1));
	assert_int_equal(f->reps_down, 5);
	assert_float_equal(f->change, 0.3 / 0.56 - 1, 1e-12);
	assert_float_equal(f->p, 1.058024e-3, 1e-9);
	assert_int_equal(rw_results_finding_find(res, rw_results_rep_team(res, 5), RW_M_WIN_RATE), -1);
	rw_results_free(res);
	rw_dataset_free(ds);
}

static void test_team_findings(void **state)
{
	static const int before[2][5] = { { 4, 5, 6, 7, 8 }, { 5, 5, 5, 5, 5 } };
	static const int after[2][5] = { { 2, 2, 3, 3, 4 }, { 5, 5, 5, 5, 1 } };
	struct rw_results *res = NULL;
	struct rw_dataset *ds = two_teams('T', 'U', 0.05);
	struct rw_err err;
	const struct rw_team_finding *f;
	long i;

	(void)state;
	rw_err_clear(&err);
	for (uint32_t r = 0; r < 10; r++)
		for (int m = 1; m <= 9; m++) {
			int w = m < 6 ? before[r / 5][r % 5] : after[r / 5][r % 5];

			add_month(ds, r, m, w, w);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baseline_of),
		cmocka_unit_test(test_baseline_eligibility),
		cmocka_unit_test(test_shrinkage_small_sample),
		cmocka_unit_test(test_team_findings),
		cmocka_unit_test(test_team_dispersion),
		cmocka_unit_test(test_team_beyond_chance),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
