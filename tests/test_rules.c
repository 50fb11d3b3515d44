/*
 * test_rules.c - the rules layer: the shipped defaults, rule compile
 * errors (unknown column, syntax, statements smuggled into `when`), the
 * `for` logic on a hand-built dataset, the structural test, plan status
 * boundaries and the alert state machine.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rules/rules.h"
#include "../rules/rules_int.h"

#define D(y, m, d) rw_days_from_civil(y, m, d)

/* ---- Defaults ----------------------------------------------------------- */

static void test_defaults_match_file(void **state)
{
	FILE *fp = fopen("rules/default.ini", "rb");
	char *buf;
	long n;

	(void)state;
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = 0;
	fclose(fp);
	assert_string_equal(buf, rw_rules_default_ini);
	free(buf);
}

static void test_defaults_compile(void **state)
{
	struct rw_rules *rs = rw_rules_new();
	struct rw_err err;

	(void)state;
	rw_err_clear(&err);
	assert_non_null(rs);
	assert_int_equal(rw_rules_load_defaults(rs, &err), 0);
	/* default.ini has 15 [rule] sections (grep -c "^\[rule" rules/default.ini). */
	assert_int_equal(rw_rules_count(rs), 15);
	assert_int_equal(rw_rules_grain(rs, "results_after_shift"), RW_MONTH);
	assert_int_equal(rw_rules_compile(rs, &err), 0);
	assert_int_equal(rw_rules_grain(rs, "missed_quota"), RW_QUARTER);
	assert_int_equal(rw_rules_category(rs, "improver"), RW_CAT_RECOGNITION);
	rw_rules_free(rs);
}

/* ---- Compile errors ----------------------------------------------------- */

/* Compile one rule whose when is `when`; returns the code, err filled. */
static int compile_one(const char *when, struct rw_err *err)
{
	struct rw_rules *rs = rw_rules_new();
	int rc;

	rw_err_clear(err);
	assert_non_null(rs);
	assert_int_equal(rw_rules_set(rs, "bad", "category", "early_warning", err), 0);
	assert_int_equal(rw_rules_set(rs, "bad", "severity", "watch", err), 0);
	assert_int_equal(rw_rules_set(rs, "bad", "grain", "month", err), 0);
	assert_int_equal(rw_rules_set(rs, "bad", "when", when, err), 0);
	rc = rw_rules_compile(rs, err);
	rw_rules_free(rs);
	return rc;
}

static void test_compile_errors(void **state)
{
	struct rw_err err;

	(void)state;
	assert_int_equal(compile_one("win_rate < 0.2 AND tenure_days > 90", &err), 0);
	assert_int_equal(compile_one("abs(win_rate_z) > 2 OR coalesce(on_plan, 0) = 1", &err), 0);
	assert_int_equal(compile_one("eligible = 1 AND attainment_hi < 1 AND revenue_lo >= 0", &err), 0);
	assert_int_equal(compile_one("won_slope_q < 0.1 AND team_attainment_lo_median > 0", &err), 0);

	assert_int_equal(compile_one("win_rat < 0.2", &err), RW_ECONFIG);
	assert_non_null(strstr(err.msg, "rule bad"));
	assert_non_null(strstr(err.msg, "no such column: win_rat"));

	/* "win_rate <" then end of input: SQLite names the position. */
	assert_int_equal(compile_one("win_rate < < 1", &err), RW_ECONFIG);
	assert_non_null(strstr(err.msg, "rule bad"));
	assert_non_null(strstr(err.msg, "syntax error"));
	/* The second '<' is character 12 of "win_rate < < 1". */
	assert_non_null(strstr(err.msg, "at character 12"));

	assert_int_equal(compile_one("1; DROP TABLE runs", &err), RW_ECONFIG);
	assert_non_null(strstr(err.msg, "rule bad"));
	assert_non_null(strstr(err.msg, "not statements"));

	/* Closing the parenthesis does not let a second statement in. */
	assert_int_equal(compile_one("1); DROP TABLE rp; SELECT (1", &err), RW_ECONFIG);
	assert_non_null(strstr(err.msg, "rule bad"));

	/* Another table, a function not on the list, a write: refused. */
	assert_int_equal(compile_one("(SELECT count(*) FROM sqlite_master) > 0", &err), RW_ECONFIG);
	assert_non_null(strstr(err.msg, "rule bad"));
	assert_int_equal(compile_one("random() > 0", &err), RW_ECONFIG);
	assert_non_null(strstr(err.msg, "random"));
	assert_int_equal(compile_one("load_extension('x') = 1", &err), RW_ECONFIG);

	/* Refusals say what was refused in words, never an action number. */
	assert_int_equal(compile_one("(SELECT a.won FROM rp a, rp b, rp c, rp d, rp e) > 0", &err), RW_ECONFIG);
	assert_non_null(strstr(err.msg, "sub-select"));
	assert_null(strstr(err.msg, "action"));
	assert_int_equal(compile_one("won IN (VALUES(1),(2),(3))", &err), RW_ECONFIG);
	assert_null(strstr(err.msg, "action"));
	assert_int_equal(compile_one("won IN (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c)", &err), RW_ECONFIG);
	assert_null(strstr(err.msg, "action"));
	assert_int_equal(compile_one("random() > 0", &err), RW_ECONFIG);
	assert_non_null(strstr(err.msg, "function call to random()"));
}

static struct rw_dataset *for_dataset(void);

/*
 * The evaluation budget: with 0 VM steps per row of rp allowed, any rule
 * that reads a row exceeds it (the progress handler fires every 100
 * steps); the error is a configuration error naming the rule, the file and
 * the line given to rw_rules_set_where().  With the shipped budget the
 * same rule runs.
 */
static void test_budget(void **state)
{
	struct rw_dataset *ds = for_dataset();
	struct rw_results *res = NULL;
	struct rw_rules_out *out = NULL;
	struct rw_rules_opts o;
	struct rw_err err;

	(void)state;
	rw_err_clear(&err);
	rw_rules_opts_default(&o);
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	for (int tight = 1; tight >= 0; tight--) {
		struct rw_rules *rs = rw_rules_new();

		assert_non_null(rs);
		rw_err_clear(&err);
		assert_int_equal(rw_rules_set(rs, "busy", "category", "early_warning", &err), 0);
		assert_int_equal(rw_rules_set(rs, "busy", "severity", "info", &err), 0);
		assert_int_equal(rw_rules_set(rs, "busy", "grain", "month", &err), 0);
		assert_int_equal(rw_rules_set_where(rs, "busy", "r.ini", 7, &err), 0);
		assert_int_equal(rw_rules_set(rs, "busy", "when",
			"abs(won) + abs(lost) + abs(calls) + abs(emails) + abs(revenue) >= 0", &err), 0);
		assert_int_equal(rw_rules_set(rs, "busy", "for", "6", &err), 0);
		assert_int_equal(rw_rules_compile(rs, &err), 0);
		rs->per_row = tight ? 1 : 0;
		/* per_row 1 with rows of rp: budget = rows, under one step a
		 * row; reading one row's five columns takes more. */
		if (tight) {
			assert_int_equal(rw_rules_evaluate(rs, &o, ds, res, &out, &err), RW_ECONFIG);
			assert_non_null(strstr(err.msg, "rule busy"));
			assert_non_null(strstr(err.msg, "budget"));
			assert_string_equal(err.file, "r.ini");
			assert_int_equal(err.line, 7);
		} else {
			assert_int_equal(rw_rules_evaluate(rs, &o, ds, res, &out, &err), 0);
			rw_rules_out_free(out);
			out = NULL;
		}
		rw_rules_free(rs);
	}
	rw_results_free(res);
	rw_dataset_free(ds);
}

static void test_config_errors(void **state)
{
	struct rw_rules *rs = rw_rules_new();
	struct rw_err err;

	(void)state;
	rw_err_clear(&err);
	assert_int_equal(rw_rules_set(rs, "x", "severity", "urgent", &err), RW_ECONFIG);
	assert_non_null(strstr(err.msg, "rule x"));
	rw_err_clear(&err);
	assert_int_equal(rw_rules_set(rs, "x", "for", "0", &err), RW_ECONFIG);
	rw_err_clear(&err);
	assert_int_equal(rw_rules_set(rs, "x", "colour", "red", &err), RW_ECONFIG);
	rw_err_clear(&err);
	assert_int_equal(rw_rules_set(rs, "x", "when", "won > 1", &err), 0);
	assert_int_equal(rw_rules_compile(rs, &err), RW_ECONFIG);
	assert_non_null(strstr(err.msg, "rule x: category missing"));
	rw_rules_free(rs);

	rs = rw_rules_new();
	rw_err_clear(&err);
	assert_int_equal(rw_rules_set(rs, "y", "category", "early_warning", &err), 0);
	assert_int_equal(rw_rules_set(rs, "y", "severity", "watch", &err), 0);
	assert_int_equal(rw_rules_set(rs, "y", "grain", "month", &err), 0);
	assert_int_equal(rw_rules_set(rs, "y", "when", "won > 1", &err), 0);
	assert_int_equal(rw_rules_set(rs, "y", "message", "{wins} won", &err), 0);
	assert_int_equal(rw_rules_compile(rs, &err), RW_ECONFIG);
	assert_non_null(strstr(err.msg, "{wins}"));
	rw_rules_free(rs);
}

/* ---- `for` on a dataset ------------------------------------------------- */

/*
 * Three reps, as_of 2024-06-15 (June partial; complete months ... Mar,
 * Apr, May).  Won deals: A in April and May, B in May only, C in March
 * and May.  Rule `won >= 1` with for = 2 judges April and May: it holds
 * for A only (B misses April, C misses April).  With for = 1 it holds for
 * all three (each won in May).
 */
static struct rw_dataset *for_dataset(void)
{
	struct rw_settings s;
	struct rw_dataset *ds;
	static const int32_t months[3][2] = { { 4, 5 }, { 5, 0 }, { 3, 5 } };
	char id[16], rid[8];
	int n = 0;

	rw_settings_default(&s);
	s.as_of = D(2024, 6, 15);
	s.history_periods = 6;
	s.trend_periods = 3;
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	for (uint32_t r = 0; r < 3; r++) {
		struct rw_rep rep = { rid, NULL, NULL, "East", NULL, RW_NODAY, RW_NODAY, 0 };

		snprintf(rid, sizeof(rid), "%c", 'A' + r);
		assert_int_equal(rw_dataset_add_rep(ds, &rep, NULL), 0);
		for (int j = 0; j < 2; j++) {
			struct rw_opp o = { id, r, 0, 0, RW_WON, 100, NULL, 0 };

			if (!months[r][j])
				continue;
			o.created = D(2024, months[r][j], 1);
			o.closed = D(2024, months[r][j], 10);
			snprintf(id, sizeof(id), "o%d", n++);
			assert_int_equal(rw_dataset_add_opp(ds, &o, NULL), 0);
		}
	}
	assert_int_equal(rw_dataset_begin_activities(ds), 0);
	return ds;
}

static size_t flags_for(int for_n, const char *who)
{
	struct rw_dataset *ds = for_dataset();
	struct rw_results *res = NULL;
	struct rw_rules *rs = rw_rules_new();
	struct rw_rules_out *out = NULL;
	struct rw_rules_opts o;
	struct rw_err err;
	char f[8];
	size_t n;

	rw_err_clear(&err);
	rw_rules_opts_default(&o);
	snprintf(f, sizeof(f), "%d", for_n);
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	assert_int_equal(rw_rules_set(rs, "won", "category", "early_warning", &err), 0);
	assert_int_equal(rw_rules_set(rs, "won", "severity", "info", &err), 0);
	assert_int_equal(rw_rules_set(rs, "won", "grain", "month", &err), 0);
	assert_int_equal(rw_rules_set(rs, "won", "when", "won >= 1", &err), 0);
	assert_int_equal(rw_rules_set(rs, "won", "for", f, &err), 0);
	assert_int_equal(rw_rules_set(rs, "won", "message", "{won} won for {for}", &err), 0);
	assert_int_equal(rw_rules_compile(rs, &err), 0);
	assert_int_equal(rw_rules_evaluate(rs, &o, ds, res, &out, &err), 0);
	n = out->nflags;
	for (size_t i = 0; i < n; i++) {
		assert_non_null(strchr(who, ds->reps[out->flags[i].rep].id[0]));
		assert_string_equal(out->flags[i].period, "2024-05");
		assert_string_equal(out->flags[i].message, for_n == 2 ? "1 won for 2" : "1 won for 1");
		assert_string_equal(out->flags[i].values, "{\"won\":1.0}");
	}
	rw_rules_out_free(out);
	rw_rules_free(rs);
	rw_results_free(res);
	rw_dataset_free(ds);
	return n;
}

static void test_for_consecutive(void **state)
{
	(void)state;
	assert_int_equal(flags_for(2, "A"), 1);
	assert_int_equal(flags_for(1, "ABC"), 3);
}

/*
 * rp_col_find is the inverse of rp_col_name on every column, whatever the
 * case, and finds nothing for a prefix, an extension or an unknown name
 * (the names by hand: "won" is a metric, "team_won_median" its team
 * column, "won_" nothing).
 */
static void test_column_names(void **state)
{
	char name[64];

	(void)state;
	for (int i = 0; i < RP_NCOLS; i++) {
		size_t n;

		rp_col_name(i, name, sizeof(name));
		n = strlen(name);
		assert_int_equal(rp_col_find(name, n), i);
		for (size_t j = 0; j < n; j++)
			if (name[j] >= 'a' && name[j] <= 'z')
				name[j] = (char)(name[j] - 'a' + 'A');
		assert_int_equal(rp_col_find(name, n), i);
		assert_true(n == 0 || rp_col_find(name, n - 1) != i);
	}
	assert_true(rp_col_find("won", 3) >= RP_NKEYS);
	assert_true(rp_col_find("team_won_median", 15) >= RP_NKEYS);
	assert_int_equal(rp_col_find("_rep", 4), 0);
	assert_int_equal(rp_col_find("won_", 4), -1);
	assert_int_equal(rp_col_find("team_won", 8), -1);
	assert_int_equal(rp_col_find("wonx", 4), -1);
	assert_int_equal(rp_col_find("", 0), -1);
	/* len, not the terminator, ends the name: {won:pct} asks for "won". */
	assert_int_equal(rp_col_find("won:pct", 3), rp_col_find("won", 3));
}

/*
 * A message may name columns its `when` does not read; the rule table
 * holds them too (the fill binds only what some rule reads or names).
 * By hand from for_dataset: in May each of the three reps won one deal of
 * 100 and lost none (win rate 1).
 */
static void test_message_columns(void **state)
{
	struct rw_dataset *ds = for_dataset();
	struct rw_results *res = NULL;
	struct rw_rules *rs = rw_rules_new();
	struct rw_rules_out *out = NULL;
	struct rw_rules_opts o;
	struct rw_err err;

	(void)state;
	rw_err_clear(&err);
	rw_rules_opts_default(&o);
	assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
	assert_int_equal(rw_rules_set(rs, "won", "category", "early_warning", &err), 0);
	assert_int_equal(rw_rules_set(rs, "won", "severity", "info", &err), 0);
	assert_int_equal(rw_rules_set(rs, "won", "grain", "month", &err), 0);
	assert_int_equal(rw_rules_set(rs, "won", "when", "won >= 1", &err), 0);
	assert_int_equal(rw_rules_set(rs, "won", "message",
				       "{revenue} from {won}, {lost} lost, {win_rate:pct}", &err), 0);
	assert_int_equal(rw_rules_compile(rs, &err), 0);
	assert_int_equal(rw_rules_evaluate(rs, &o, ds, res, &out, &err), 0);
	assert_int_equal(out->nflags, 3);
	for (size_t i = 0; i < out->nflags; i++) {
		assert_string_equal(out->flags[i].message, "100 from 1, 0 lost, 100%");
		/* The evidence values are still what the `when` reads. */
		assert_string_equal(out->flags[i].values, "{\"won\":1.0}");
	}
	rw_rules_out_free(out);
	rw_rules_free(rs);
	rw_results_free(res);
	rw_dataset_free(ds);
}

/*
 * The view's eligible column is the engine's: with B hired 2024-04-10,
 * May starts 21 days into B's ramp (under 90), so `won >= 1 AND eligible
 * = 1` on May holds for A and C only; `eligible = 0` for B only (a
 * recognition rule: the only kind a ramping rep can get).
 */
static void test_eligible_column(void **state)
{
	static const char *const when[2] = { "won >= 1 AND eligible = 1",
					     "won >= 1 AND eligible = 0" };

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct rw_dataset *ds = for_dataset();
		struct rw_results *res = NULL;
		struct rw_rules *rs = rw_rules_new();
		struct rw_rules_out *out = NULL;
		struct rw_rules_opts o;
		struct rw_err err;

		rw_err_clear(&err);
		rw_rules_opts_default(&o);
		ds->reps[1].hire_day = D(2024, 4, 10);
		assert_int_equal(rw_engine_compute(ds, &res, &err), 0);
		assert_int_equal(rw_rules_set(rs, "e", "category", "recognition", &err), 0);
		assert_int_equal(rw_rules_set(rs, "e", "severity", "info", &err), 0);
		assert_int_equal(rw_rules_set(rs, "e", "grain", "month", &err), 0);
		assert_int_equal(rw_rules_set(rs, "e", "when", when[i], &err), 0);
		assert_int_equal(rw_rules_compile(rs, &err), 0);
		assert_int_equal(rw_rules_evaluate(rs, &o, ds, res, &out, &err), 0);
		assert_int_equal(out->nflags, i ? 1 : 2);
		for (size_t f = 0; f < out->nflags; f++)
			assert_true((ds->reps[out->flags[f].rep].id[0] == 'B') == (i == 1));
		rw_rules_out_free(out);
		rw_rules_free(rs);
		rw_results_free(res);
		rw_dataset_free(ds);
	}
}

/* ---- Plan status -------------------------------------------------------- */

/*
 * Plan from day 0 to day 90, baseline 0.20, target 0.30 (up is good).
 * elapsed = (as_of - 0) / 90; progress = (current - 0.20) / 0.10.
 */
static enum rw_plan_status plan_at(int32_t as_of, double current, double projected,
				   struct rw_plan_score *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->baseline = 0.20;
	sc->target = 0.30;
	sc->current = current;
	sc->projected = projected;
	rw_plan_status_of(sc, as_of, 0, 90, 1);
	return sc->status;
}

static void test_plan_status(void **state)
{
	struct rw_plan_score sc;

	(void)state;
	/* Day 45: elapsed 0.5.  current 0.30 reaches the target: met. */
	assert_int_equal(plan_at(45, 0.30, NAN, &sc), RW_PLAN_MET);
	assert_float_equal(sc.elapsed, 0.5, 1e-12);
	assert_float_equal(sc.progress, 1.0, 1e-12);
	/* current 0.24: progress 0.4 >= 0.5 - 0.1: on track. */
	assert_int_equal(plan_at(45, 0.24, NAN, &sc), RW_PLAN_ON_TRACK);
	assert_float_equal(sc.progress, 0.4, 1e-12);
	/* current 0.235: progress 0.35 < 0.4 and >= 0.25 (elapsed / 2): at risk. */
	assert_int_equal(plan_at(45, 0.235, NAN, &sc), RW_PLAN_AT_RISK);
	/* ...unless the projection reaches the target: on track. */
	assert_int_equal(plan_at(45, 0.235, 0.31, &sc), RW_PLAN_ON_TRACK);
	/* current 0.22: progress 0.2 < 0.25 after a third: off track. */
	assert_int_equal(plan_at(45, 0.22, 0.25, &sc), RW_PLAN_OFF_TRACK);
	/* Day 27: elapsed 0.3 <= 1/3, progress 0 < 0.15 but too early to
	 * call off track: at risk. */
	assert_int_equal(plan_at(27, 0.20, NAN, &sc), RW_PLAN_AT_RISK);
	/* Day 91, after the end: passed at 0.30, failed at 0.29. */
	assert_int_equal(plan_at(91, 0.30, NAN, &sc), RW_PLAN_PASSED);
	assert_float_equal(sc.elapsed, 1.0, 1e-12);
	assert_int_equal(plan_at(91, 0.29, NAN, &sc), RW_PLAN_FAILED);
	/* Ended with no measure of the metric (NaN current): unknown, since
	 * nothing says the target was missed. */
	assert_int_equal(plan_at(91, NAN, NAN, &sc), RW_PLAN_UNKNOWN);
	assert_int_equal(plan_at(91, NAN, 0.5, &sc), RW_PLAN_UNKNOWN);
	assert_int_equal(plan_at(-1, NAN, NAN, &sc), RW_PLAN_NOT_STARTED);
	assert_string_equal(rw_plan_status_name(RW_PLAN_OFF_TRACK), "off_track");

	/* Down is good (touch gap 20 -> 10): current 14 at day 45 is progress
	 * (14 - 20) / (10 - 20) = 0.6 >= 0.4: on track; 9 is met. */
	memset(&sc, 0, sizeof(sc));
	sc.baseline = 20;
	sc.target = 10;
	sc.current = 14;
	sc.projected = NAN;
	rw_plan_status_of(&sc, 45, 0, 90, 0);
	assert_int_equal(sc.status, RW_PLAN_ON_TRACK);
	assert_float_equal(sc.progress, 0.6, 1e-12);
	sc.current = 9;
	rw_plan_status_of(&sc, 45, 0, 90, 0);
	assert_int_equal(sc.status, RW_PLAN_MET);
}

/* ---- Alert state machine ------------------------------------------------ */

static void test_alert_transitions(void **state)
{
	struct rw_alert_state a = { 0 };

	(void)state;
	/* Nothing known and nothing holds: nothing. */
	assert_int_equal(rw_alert_step(&a, 0, RW_SEV_INFO, 100, 7), RW_EV_NONE);
	/* Starts holding: new, first_seen 100. */
	assert_int_equal(rw_alert_step(&a, 1, RW_SEV_WARNING, 100, 7), RW_EV_NEW);
	assert_int_equal(a.first_seen, 100);
	/* Same night again: nothing. */
	assert_int_equal(rw_alert_step(&a, 1, RW_SEV_WARNING, 100, 7), RW_EV_NONE);
	/* Next night, lower severity: nothing (severity follows). */
	assert_int_equal(rw_alert_step(&a, 1, RW_SEV_WATCH, 101, 7), RW_EV_NONE);
	assert_int_equal(a.severity, RW_SEV_WATCH);
	/* Severity raised: escalated. */
	assert_int_equal(rw_alert_step(&a, 1, RW_SEV_CRITICAL, 102, 7), RW_EV_ESCALATED);
	assert_int_equal(a.last_notified, 102);
	/* 108 - 102 = 6 < 7: nothing; 109 - 102 = 7: repeat. */
	assert_int_equal(rw_alert_step(&a, 1, RW_SEV_CRITICAL, 108, 7), RW_EV_NONE);
	assert_int_equal(rw_alert_step(&a, 1, RW_SEV_CRITICAL, 109, 7), RW_EV_REPEAT);
	/* repeat_days 0 never repeats. */
	assert_int_equal(rw_alert_step(&a, 1, RW_SEV_CRITICAL, 200, 0), RW_EV_NONE);
	/* Stops holding: resolved, once. */
	assert_int_equal(rw_alert_step(&a, 0, RW_SEV_INFO, 201, 7), RW_EV_RESOLVED);
	assert_false(a.firing);
	assert_int_equal(rw_alert_step(&a, 0, RW_SEV_INFO, 202, 7), RW_EV_NONE);
	/* Fires again: new, with a new first_seen. */
	assert_int_equal(rw_alert_step(&a, 1, RW_SEV_WATCH, 203, 7), RW_EV_NEW);
	assert_int_equal(a.first_seen, 203);
}

static void test_note_json(void **state)
{
	struct rw_note n = {
		.event = RW_EV_NEW, .rule = "r", .category = "early_warning",
		.severity = "watch", .rep = "R1", .rep_name = "A \"B\"",
		.team = "East", .manager = NULL, .grain = "month", .period = "2026-09",
		.values = "{\"won\":1.0}", .message = "m", .first_seen = D(2026, 10, 31),
		.state = "firing",
	};
	char *s = rw_note_json(&n);

	(void)state;
	assert_non_null(s);
	assert_string_equal(s, "{\"event\":\"new\",\"rule\":\"r\",\"category\":\"early_warning\","
			    "\"severity\":\"watch\",\"rep\":\"R1\",\"rep_name\":\"A \\\"B\\\"\","
			    "\"team\":\"East\",\"manager\":null,\"grain\":\"month\","
			    "\"period\":\"2026-09\",\"values\":{\"won\":1.0},\"message\":\"m\","
			    "\"first_seen\":\"2026-10-31\",\"state\":\"firing\"}\n");
	rw_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_match_file),
		cmocka_unit_test(test_defaults_compile),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_for_consecutive),
		cmocka_unit_test(test_message_columns),
		cmocka_unit_test(test_column_names),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_eligible_column),
		cmocka_unit_test(test_plan_status),
		cmocka_unit_test(test_alert_transitions),
		cmocka_unit_test(test_note_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
