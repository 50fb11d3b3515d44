/*
 * test_store.c - the SQLite store (SPEC section 7): schema and migrations,
 * the stored values of a small dataset worked out by hand, runs replacing
 * each other, rollback, misuse, and a reader during a run.  Process
 * crashes, a second process and failure paths: test_store_faults.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <sqlite3.h>

#include "../engine/engine.h"
#include "../store/store.h"
#include "../store/store_int.h"
#include "store_fixture.h"

/* ---- 1. Schema ---------------------------------------------------------- */

static void test_schema_fresh(void **state)
{
	static const char *const keys[] = { "rep_id", "grain", "period", "partial" };
	static const char *const trend_cols[] = {
		"rep_id", "grain", "metric", "n", "slope", "intercept", "r2",
		"slope_p", "slope_lo", "slope_hi", "wslope", "wslope_p",
		"ts_slope", "mk_p", "change", "cp_period", "cp_size", "cp_p"
	};
	static const char *const tables[] = {
		"rep_metrics", "rep_trends", "reps", "run_inputs", "runs"
	};
	struct fx *fx = *state;
	struct rw_store *st = NULL;
	struct rw_err err;
	sqlite3 *db;
	sqlite3_stmt *s;
	uint64_t h;
	int i;

	rw_err_clear(&err);
	assert_int_equal(rw_store_open(fx->db, 100, &st, &err), 0);
	assert_true(rw_store_schema_count >= 1);
	assert_int_equal(q_int(st->db, "PRAGMA user_version"), rw_store_schema_count);
	assert_q_text(st->db, "PRAGMA journal_mode", "wal");
	/* synchronous: 2 is FULL (SQLite's documented numbering). */
	assert_int_equal(q_int(st->db, "PRAGMA synchronous"), 2);
	assert_int_equal(q_int(st->db, "PRAGMA foreign_keys"), 1);
	rw_store_close(st);

	db = raw_open(fx->db);
	/* WAL is a property of the file: a new connection sees it too. */
	assert_q_text(db, "PRAGMA journal_mode", "wal");
	for (i = 0; i < 5; i++) {
		char sql[128];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_master"
			 " WHERE type = 'table' AND name = '%s'", tables[i]);
		assert_int_equal(q_int(db, sql), 1);
	}

	/* rep_metrics: the keys, partial, then the engine's metrics by name. */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM"
			 " pragma_table_info('rep_metrics') ORDER BY cid", -1, &s, NULL), SQLITE_OK);
	/* Version 1's metrics are in enum order; later steps append theirs
	 * at the table's end (ALTER TABLE ADD COLUMN). */
	for (i = 0; i < 4 + RW_M_ICP_FIT_SHARE + 1; i++) {
		const char *want = i < 4 ? keys[i] : rw_metric_name((enum rw_metric)(i - 4));

		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_string_equal(sqlite3_column_text(s, 0), want);
	}
	sqlite3_finalize(s);
	for (i = RW_M_ICP_FIT_SHARE + 1; i < RW_NMETRICS; i++) {
		char sql[160];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM pragma_table_info("
			 "'rep_metrics') WHERE name = '%s'", rw_metric_name((enum rw_metric)i));
		assert_int_equal(q_int(db, sql), 1);
	}
	assert_q_text(db, "SELECT type FROM pragma_table_info('rep_metrics')"
		      " WHERE name = 'eligible'", "INTEGER");
	/* Counts are INTEGER columns, the rest REAL. */
	assert_q_text(db, "SELECT type FROM pragma_table_info('rep_metrics')"
		      " WHERE name = 'won'", "INTEGER");
	assert_q_text(db, "SELECT type FROM pragma_table_info('rep_metrics')"
		      " WHERE name = 'win_rate'", "REAL");

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM"
			 " pragma_table_info('rep_trends') ORDER BY cid", -1, &s, NULL), SQLITE_OK);
	for (i = 0; i < 18; i++) {
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_string_equal(sqlite3_column_text(s, 0), trend_cols[i]);
	}
	sqlite3_finalize(s);
	h = digest_db(db);
	sqlite3_close(db);

	/* Reopening a current database changes nothing. */
	assert_int_equal(rw_store_open(fx->db, 100, &st, &err), 0);
	rw_store_close(st);
	assert_true(digest_path(fx->db) == h);
	/* ... and neither does reopening one that holds a run. */
	run_small(fx->db);
	h = digest_path(fx->db);
	assert_int_equal(rw_store_open(fx->db, 100, &st, &err), 0);
	assert_int_equal(q_int(st->db, "PRAGMA user_version"), rw_store_schema_count);
	rw_store_close(st);
	assert_true(digest_path(fx->db) == h);
}

static void test_schema_newer_refused(void **state)
{
	struct fx *fx = *state;
	struct rw_store *st = NULL;
	struct rw_err err;
	char sql[64];
	sqlite3 *db;
	uint64_t h;

	rw_err_clear(&err);
	assert_int_equal(rw_store_open(fx->db, 100, &st, &err), 0);
	rw_store_close(st);
	st = NULL;
	db = raw_open(fx->db);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", rw_store_schema_count + 1);
	raw_exec(db, sql);
	h = digest_db(db);
	sqlite3_close(db);

	assert_int_equal(rw_store_open(fx->db, 100, &st, &err), RW_EDB);
	assert_null(st);
	assert_int_equal(err.code, RW_EDB);
	assert_non_null(strstr(err.msg, "newer than this repwatch"));
	assert_string_equal(err.file, fx->db);
	/* Refused, not touched. */
	assert_true(digest_path(fx->db) == h);
}

static void test_open_errors(void **state)
{
	struct fx *fx = *state;
	struct rw_store *st = NULL;
	struct rw_err err;
	char path[256];
	FILE *fp;

	/* A file that is not a database. */
	fp = fopen(fx->db, "w");
	assert_non_null(fp);
	assert_true(fputs("opp_id,owner\nthis is a CSV file, not SQLite, and it"
			  " is long enough to hold a header page\n", fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	rw_err_clear(&err);
	assert_int_equal(rw_store_open(fx->db, 100, &st, &err), RW_EDB);
	assert_null(st);
	assert_non_null(strstr(err.msg, "not a database"));
	assert_string_equal(err.file, fx->db);

	/* A directory that does not exist. */
	snprintf(path, sizeof(path), "%s/no/such/dir/x.db", fx->dir);
	rw_err_clear(&err);
	assert_int_equal(rw_store_open(path, 100, &st, &err), RW_EDB);
	assert_null(st);
	assert_string_equal(err.file, path);
}

/* ---- 2. Stored values --------------------------------------------------- */

#define METRIC(rep, grain, period, col) \
	"SELECT " col " FROM rep_metrics WHERE rep_id = '" rep "' AND grain = '" \
	grain "' AND period = '" period "'"

static void test_values(void **state)
{
	struct fx *fx = *state;
	sqlite3 *db;

	run_small(fx->db);
	db = raw_open(fx->db);
	/*
	 * Windows (as_of Friday 2024-03-15, 4 complete periods + partial):
	 * months 2023-11 .. 2024-03, ISO weeks 2024-W07 .. W11 (2024-01-01
	 * is a Monday, so 03-11 starts W11), quarters 2023-Q1 .. 2024-Q1.
	 * 2 reps x 3 grains x 5 periods = 30 rows.
	 */
	assert_int_equal(q_int(db, "SELECT count(*) FROM rep_metrics"), 30);
	assert_q_text(db, "SELECT group_concat(period, ' ') FROM (SELECT period"
		      " FROM rep_metrics WHERE rep_id = 'A' AND grain = 'month'"
		      " ORDER BY period)", "2023-11 2023-12 2024-01 2024-02 2024-03");
	assert_q_text(db, "SELECT group_concat(period, ' ') FROM (SELECT period"
		      " FROM rep_metrics WHERE rep_id = 'A' AND grain = 'week'"
		      " ORDER BY period)", "2024-W07 2024-W08 2024-W09 2024-W10 2024-W11");
	assert_q_text(db, "SELECT group_concat(period, ' ') FROM (SELECT period"
		      " FROM rep_metrics WHERE rep_id = 'A' AND grain = 'quarter'"
		      " ORDER BY period)", "2023-Q1 2023-Q2 2023-Q3 2023-Q4 2024-Q1");
	assert_q_text(db, "SELECT group_concat(DISTINCT grain) FROM (SELECT grain"
		      " FROM rep_metrics ORDER BY grain)", "month,quarter,week");
	/* partial = 1 exactly on the period holding as_of, per rep and grain. */
	assert_q_text(db, "SELECT group_concat(rep_id || ':' || grain || ':' || period, ' ')"
		      " FROM (SELECT * FROM rep_metrics WHERE partial = 1"
		      " ORDER BY rep_id, grain)",
		      "A:month:2024-03 A:quarter:2024-Q1 A:week:2024-W11"
		      " B:month:2024-03 B:quarter:2024-Q1 B:week:2024-W11");
	assert_int_equal(q_int(db, "SELECT count(*) FROM rep_metrics WHERE partial = 0"), 24);
	/* February 2024 is a leap month: its last day is the 29th. */
	assert_q_text(db, METRIC("A", "month", "2024-02", "period_start"), "2024-02-01");
	assert_q_text(db, METRIC("A", "month", "2024-02", "period_end"), "2024-02-29");

	/* A, February: a1 a2 won, a3 lost, all three created in February. */
	assert_int_equal(q_int(db, METRIC("A", "month", "2024-02", "won")), 2);
	assert_int_equal(q_int(db, METRIC("A", "month", "2024-02", "lost")), 1);
	assert_int_equal(q_int(db, METRIC("A", "month", "2024-02", "opps_created")), 3);
	assert_q_text(db, METRIC("A", "month", "2024-02", "typeof(won)"), "integer");
	assert_q_text(db, METRIC("A", "month", "2024-02", "typeof(opps_created)"), "integer");
	/* win_rate 2 / 3; revenue 1000 + 2000; average 1500; cycle days
	 * a1 9, a2 19 -> median 14. */
	assert_float_equal(q_real(db, METRIC("A", "month", "2024-02", "win_rate")),
			   2.0 / 3, 1e-12);
	assert_q_text(db, METRIC("A", "month", "2024-02", "typeof(win_rate)"), "real");
	assert_float_equal(q_real(db, METRIC("A", "month", "2024-02", "revenue")), 3000, 0);
	assert_float_equal(q_real(db, METRIC("A", "month", "2024-02", "avg_deal_size")), 1500, 0);
	assert_float_equal(q_real(db, METRIC("A", "month", "2024-02", "cycle_days")), 14, 0);
	/* A, March (partial): nothing closed -> win_rate NULL, won 0 (a
	 * count, not NULL); one call on 03-04. */
	assert_q_text(db, METRIC("A", "month", "2024-03", "typeof(win_rate)"), "null");
	assert_q_text(db, METRIC("A", "month", "2024-03", "typeof(won)"), "integer");
	assert_int_equal(q_int(db, METRIC("A", "month", "2024-03", "won")), 0);
	assert_int_equal(q_int(db, METRIC("A", "month", "2024-03", "calls")), 1);
	assert_int_equal(q_int(db, METRIC("A", "month", "2024-03", "partial")), 1);
	/* 03-04 is the Monday of W10 (day 63 of 2024 = 9 weeks in). */
	assert_int_equal(q_int(db, METRIC("A", "week", "2024-W10", "calls")), 1);
	assert_int_equal(q_int(db, METRIC("A", "week", "2024-W09", "calls")), 0);
	/* Quarter 2024-Q1 holds a4 (won), a1 a2 (won), a3 (lost). */
	assert_int_equal(q_int(db, METRIC("A", "quarter", "2024-Q1", "won")), 3);
	assert_int_equal(q_int(db, METRIC("A", "quarter", "2024-Q1", "lost")), 1);
	assert_float_equal(q_real(db, METRIC("A", "quarter", "2024-Q1", "win_rate")),
			   0.75, 1e-12);
	/* B never closed a deal: win_rate NULL in every row.  b1 is open at
	 * the end of January with 700; one e-mail in February. */
	assert_int_equal(q_int(db, "SELECT count(*) FROM rep_metrics WHERE"
			       " rep_id = 'B' AND win_rate IS NOT NULL"), 0);
	assert_int_equal(q_int(db, METRIC("B", "month", "2024-01", "open_opps")), 1);
	assert_float_equal(q_real(db, METRIC("B", "month", "2024-01", "pipeline_value")), 700, 0);
	assert_int_equal(q_int(db, METRIC("B", "month", "2024-02", "emails")), 1);
	/* Counts are integers in every row (a REAL column would turn 2
	 * into 2.0). */
	assert_int_equal(q_int(db, "SELECT count(*) FROM rep_metrics WHERE"
			       " typeof(won) != 'integer' OR typeof(lost) != 'integer'"
			       " OR typeof(opps_created) != 'integer'"
			       " OR typeof(calls) != 'integer' OR typeof(emails) != 'integer'"
			       " OR typeof(open_opps) != 'integer'"), 0);

	/* The roster, with dates as ISO text and absent fields NULL. */
	assert_q_text(db, "SELECT hire_date FROM reps WHERE rep_id = 'A'", "2023-01-09");
	assert_q_text(db, "SELECT email FROM reps WHERE rep_id = 'A'", "ann@example.com");
	assert_q_text(db, "SELECT typeof(email) FROM reps WHERE rep_id = 'B'", "null");
	assert_q_text(db, "SELECT team FROM reps WHERE rep_id = 'B'", "East");
	sqlite3_close(db);
}

/* SPEC section 4's metrics that count things (deals, activities). */
static int is_count(enum rw_metric m)
{
	static const char *const counts[] = {
		"opps_created", "won", "lost", "calls", "emails", "meetings",
		"first_meetings", "open_opps", "stale_opps"
	};

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (!strcmp(rw_metric_name(m), counts[i]))
			return 1;
	return 0;
}

/* Every stored metric is NULL exactly where the engine has NAN, and equal
 * to the engine's value elsewhere, with counts stored as integers. */
static void test_values_match_engine(void **state)
{
	struct fx *fx = *state;
	struct rw_dataset *ds = small_dataset(D(2024, 3, 15), 1);
	struct rw_results *res = compute(ds);
	struct rw_ingest_stats in;
	sqlite3_stmt *s;
	char sql[256], label[32];
	sqlite3 *db;
	int checked = 0;

	fill_stats(&in, 10, 20, -1);
	do_run(fx->db, ds, res, &in, "2024-03-15T02:00:00Z");
	db = raw_open(fx->db);
	for (int m = 0; m < RW_NMETRICS; m++) {
		snprintf(sql, sizeof(sql), "SELECT %s, typeof(%s) FROM rep_metrics"
			 " WHERE rep_id = ?1 AND grain = ?2 AND period = ?3",
			 rw_metric_name((enum rw_metric)m), rw_metric_name((enum rw_metric)m));
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
		for (uint32_t r = 0; r < ds->nreps; r++) {
			for (int g = 0; g < RW_NGRAINS; g++) {
				for (int k = 0; k < rw_results_period_count(res, (enum rw_grain)g); k++) {
					double v = rw_results_value(res, r, (enum rw_grain)g, k, (enum rw_metric)m);
					const char *type;

					rw_period_label((enum rw_grain)g,
							rw_results_first_period(res, (enum rw_grain)g) + k,
							1, label, sizeof(label));
					sqlite3_bind_text(s, 1, ds->reps[r].id, -1, SQLITE_STATIC);
					sqlite3_bind_text(s, 2, rw_grain_name((enum rw_grain)g), -1, SQLITE_STATIC);
					sqlite3_bind_text(s, 3, label, -1, SQLITE_STATIC);
					assert_int_equal(sqlite3_step(s), SQLITE_ROW);
					type = (const char *)sqlite3_column_text(s, 1);
					if (isnan(v)) {
						assert_string_equal(type, "null");
					} else {
						assert_float_equal(sqlite3_column_double(s, 0), v, 0);
						assert_string_equal(type, is_count((enum rw_metric)m)
								    ? "integer" : "real");
					}
					assert_int_equal(sqlite3_reset(s), SQLITE_OK);
					checked++;
				}
			}
		}
		sqlite3_finalize(s);
	}
	/* 24 metrics x 30 rows. */
	assert_int_equal(checked, RW_NMETRICS * 30);
	sqlite3_close(db);
	rw_results_free(res);
	rw_dataset_free(ds);
}

#define TREND(rep, grain, metric, col) \
	"SELECT " col " FROM rep_trends WHERE rep_id = '" rep "' AND grain = '" \
	grain "' AND metric = '" metric "'"

static void test_trends_stored(void **state)
{
	struct fx *fx = *state;
	sqlite3 *db;

	run_small(fx->db);
	db = raw_open(fx->db);
	/*
	 * A's monthly revenue over the 4 complete months 2023-11 .. 2024-02:
	 * 1000, 0, 2000, 3000.  x = 0..3: xbar 1.5, ybar 1500, Sxx 5,
	 * Sxy = 750 + 750 + 250 + 2250 = 4000 -> slope 800.  SST = 5e6,
	 * SSR = 800^2 * 5 = 3.2e6 -> r2 0.64.  change = mean(2000, 3000) /
	 * mean(1000, 0) - 1 = 4.  Best single split 2|2 has Welch t 2.83 on
	 * 2 d.o.f. (p about 0.11): no significant shift, cp_period NULL.
	 */
	assert_int_equal(q_int(db, TREND("A", "month", "revenue", "n")), 4);
	assert_q_text(db, TREND("A", "month", "revenue", "typeof(n)"), "integer");
	assert_float_equal(q_real(db, TREND("A", "month", "revenue", "slope")), 800, 1e-9);
	assert_float_equal(q_real(db, TREND("A", "month", "revenue", "r2")), 0.64, 1e-12);
	assert_float_equal(q_real(db, TREND("A", "month", "revenue", "change")), 4, 1e-12);
	assert_q_text(db, TREND("A", "month", "revenue", "typeof(cp_period)"), "null");
	/* B's win rate has no point at all: no trend row. */
	assert_int_equal(q_int(db, "SELECT count(*) FROM rep_trends WHERE"
			       " rep_id = 'B' AND metric = 'win_rate'"), 0);
	/* B's pipeline at the months' ends: 0, 0, 700, 700 (b1 from
	 * 01-10): Sxy = 1.5*350 * 2 + 0.5*350 * 2 = 1400 -> slope 280. */
	assert_float_equal(q_real(db, TREND("B", "month", "pipeline_value", "slope")), 280, 1e-9);
	/* A made no call in the 4 complete months: a flat 0, 0, 0, 0 has
	 * slope 0 and an undefined r2, stored as NULL, never NaN. */
	assert_int_equal(q_int(db, TREND("A", "month", "calls", "n")), 4);
	assert_float_equal(q_real(db, TREND("A", "month", "calls", "slope")), 0, 1e-12);
	assert_q_text(db, TREND("A", "month", "calls", "typeof(r2)"), "null");
	/* Every row names a known grain and metric. */
	assert_int_equal(q_int(db, "SELECT count(*) FROM rep_trends WHERE grain"
			       " NOT IN ('week', 'month', 'quarter')"), 0);
	sqlite3_close(db);
}

/* A change point is stored as the label of the first period after it. */
static void test_trend_change_point_label(void **state)
{
	struct fx *fx = *state;
	struct rw_rep r = { "T", NULL, NULL, "Solo", NULL, RW_NODAY, RW_NODAY, 0 };
	static const int wins[] = { 1, 1, 1, 5, 5, 5 };
	struct rw_ingest_stats in;
	struct rw_settings s;
	struct rw_dataset *ds;
	struct rw_results *res;
	char id[16];
	sqlite3 *db;
	int n = 0;

	rw_settings_default(&s);
	s.as_of = D(2024, 7, 15);
	s.history_periods = 6;
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	assert_int_equal(rw_dataset_add_rep(ds, &r, NULL), 0);
	for (int m = 0; m < 6; m++) {
		for (int j = 0; j < wins[m]; j++) {
			struct rw_opp o = { id, 0, D(2024, m + 1, 1),
					    D(2024, m + 1, 10), RW_WON, 1000, NULL, 0 };

			snprintf(id, sizeof(id), "t%d", n++);
			assert_int_equal(rw_dataset_add_opp(ds, &o, NULL), 0);
		}
	}
	res = compute(ds);
	fill_stats(&in, 16, 0, -1);
	do_run(fx->db, ds, res, &in, "x");
	db = raw_open(fx->db);
	/* Revenue 1000 x 3 then 5000 x 3: the shift of 4000 starts in April. */
	assert_q_text(db, TREND("T", "month", "revenue", "cp_period"), "2024-04");
	assert_float_equal(q_real(db, TREND("T", "month", "revenue", "cp_size")), 4000, 1e-9);
	sqlite3_close(db);
	rw_results_free(res);
	rw_dataset_free(ds);
}

/* Fiscal quarters are stored under their fiscal labels. */
static void test_fiscal_quarters(void **state)
{
	struct fx *fx = *state;
	struct rw_dataset *ds = small_dataset_fs(D(2024, 3, 15), 1, 2);
	struct rw_results *res = compute(ds);
	struct rw_ingest_stats in;
	sqlite3 *db;

	fill_stats(&in, 6, 2, -1);
	do_run(fx->db, ds, res, &in, "s");
	db = raw_open(fx->db);
	/*
	 * Fiscal year from February, named by the year it ends in: FY2025
	 * is 2024-02-01 .. 2025-01-31, so 2024-03-15 is in FY2025-Q1
	 * (February to April) and the quarter before is FY2024-Q4
	 * (2023-11 .. 2024-01), holding a0 and a4, both won.
	 */
	assert_q_text(db, "SELECT period FROM rep_metrics WHERE rep_id = 'A' AND"
		      " grain = 'quarter' AND partial = 1", "FY2025-Q1");
	assert_q_text(db, METRIC("A", "quarter", "FY2025-Q1", "period_start"), "2024-02-01");
	assert_q_text(db, METRIC("A", "quarter", "FY2025-Q1", "period_end"), "2024-04-30");
	assert_int_equal(q_int(db, METRIC("A", "quarter", "FY2025-Q1", "won")), 2);
	assert_int_equal(q_int(db, METRIC("A", "quarter", "FY2025-Q1", "lost")), 1);
	assert_int_equal(q_int(db, METRIC("A", "quarter", "FY2024-Q4", "won")), 2);
	assert_q_text(db, METRIC("A", "quarter", "FY2024-Q4", "period_start"), "2023-11-01");
	/* Months keep their calendar labels. */
	assert_int_equal(q_int(db, METRIC("A", "month", "2024-02", "won")), 2);
	assert_int_equal(q_int(db, "SELECT fiscal_start FROM runs"), 2);
	sqlite3_close(db);
	rw_results_free(res);
	rw_dataset_free(ds);
}

/* ---- 3. Runs ------------------------------------------------------------ */

static void test_runs_replace_and_last_rows(void **state)
{
	struct fx *fx = *state;
	struct rw_dataset *ds2 = small_dataset(D(2024, 4, 15), 0);
	struct rw_results *res2 = compute(ds2);
	struct rw_ingest_stats in;
	struct rw_store *st = NULL;
	struct rw_err err;
	int64_t rows[RW_NINPUTS];
	sqlite3 *db;

	rw_err_clear(&err);
	/* Nothing known before the first run. */
	assert_int_equal(rw_store_open(fx->db, 100, &st, &err), 0);
	assert_int_equal(rw_store_last_rows(st, rows, &err), 0);
	for (int f = 0; f < RW_NINPUTS; f++)
		assert_int_equal(rows[f], -1);
	rw_store_close(st);

	run_small(fx->db);
	assert_int_equal(rw_store_open(fx->db, 100, &st, &err), 0);
	assert_int_equal(rw_store_last_rows(st, rows, &err), 0);
	assert_int_equal(rows[RW_IN_OPPORTUNITIES], 10);
	assert_int_equal(rows[RW_IN_ACTIVITIES], 20);
	assert_int_equal(rows[RW_IN_REPS], -1);		/* absent */
	assert_int_equal(rows[RW_IN_TARGETS], -1);
	rw_store_close(st);

	/* Run 2: as of 2024-04-15, without B. */
	fill_stats(&in, 11, 21, 1);
	assert_int_equal(do_run(fx->db, ds2, res2, &in, "2024-04-15T02:00:00Z"), 2);
	assert_int_equal(rw_store_open(fx->db, 100, &st, &err), 0);
	assert_int_equal(rw_store_last_rows(st, rows, &err), 0);
	assert_int_equal(rows[RW_IN_OPPORTUNITIES], 11);
	assert_int_equal(rows[RW_IN_ACTIVITIES], 21);
	assert_int_equal(rows[RW_IN_REPS], 1);
	assert_int_equal(rows[RW_IN_TARGETS], -1);
	rw_store_close(st);

	db = raw_open(fx->db);
	/* Two ok runs. */
	assert_q_text(db, "SELECT group_concat(run_id || ':' || status || ':' || as_of, ' ')"
		      " FROM runs", "1:ok:2024-03-15 2:ok:2024-04-15");
	assert_q_text(db, "SELECT finished FROM runs WHERE run_id = 2", "2024-03-15T02:00:09Z");
	assert_q_text(db, "SELECT history_periods || '/' || trend_periods FROM runs"
		      " WHERE run_id = 2", "4/4");
	assert_q_text(db, "SELECT config_sha256 FROM runs WHERE run_id = 1", "cafe");
	/* The inputs: one run_inputs row per present file, the JSON image on
	 * the runs row (the odd path survives quoting). */
	assert_int_equal(q_int(db, "SELECT count(*) FROM run_inputs WHERE run_id = 1"), 2);
	assert_int_equal(q_int(db, "SELECT count(*) FROM run_inputs WHERE run_id = 2"), 3);
	assert_q_text(db, "SELECT json_extract(inputs, '$[1].path') FROM runs WHERE run_id = 1",
		      "data/\"odd\" name,opportunities.csv");
	assert_int_equal(q_int(db, "SELECT json_extract(inputs, '$[1].rows_rejected')"
			       " FROM runs WHERE run_id = 1"), 1);
	assert_q_text(db, "SELECT sha256 FROM run_inputs WHERE run_id = 1 AND"
		      " file = 'opportunities.csv'",
		      "0000000000000000000000000000000000000000000000000000000000000007");
	/* History recomputed, not appended: 1 rep x 3 grains x 5 periods;
	 * B and 2023-11 are gone; March is now complete, April partial. */
	assert_int_equal(q_int(db, "SELECT count(*) FROM rep_metrics"), 15);
	assert_int_equal(q_int(db, "SELECT count(*) FROM rep_metrics WHERE rep_id = 'B'"), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM rep_trends WHERE rep_id = 'B'"), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM reps"), 1);
	assert_int_equal(q_int(db, METRIC("A", "month", "2023-11", "count(*)")), 0);
	assert_int_equal(q_int(db, METRIC("A", "month", "2024-03", "partial")), 0);
	assert_int_equal(q_int(db, METRIC("A", "month", "2024-04", "partial")), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM rep_metrics WHERE run_id != 2"), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM rep_trends WHERE run_id != 2"), 0);
	sqlite3_close(db);
	rw_results_free(res2);
	rw_dataset_free(ds2);
}

static void test_rollback_restores(void **state)
{
	struct fx *fx = *state;
	struct rw_dataset *ds2 = small_dataset(D(2024, 4, 15), 0);
	struct rw_results *res2 = compute(ds2);
	struct rw_ingest_stats in;
	struct rw_run_info info = { D(2024, 4, 15), "s", NULL, in.file };
	struct rw_store *st = NULL;
	struct rw_err err;
	int64_t id, rows[RW_NINPUTS];
	uint64_t h;

	rw_err_clear(&err);
	run_small(fx->db);
	h = digest_path(fx->db);
	fill_stats(&in, 99, 99, 99);

	/* begin -> write -> rollback. */
	assert_int_equal(rw_store_open(fx->db, 100, &st, &err), 0);
	assert_int_equal(rw_store_begin_run(st, &info, &id, &err), 0);
	assert_int_equal(id, 2);
	assert_int_equal(rw_store_write_results(st, ds2, res2, &err), 0);
	/* Inside the transaction the new run is there... */
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM rep_metrics"), 15);
	assert_q_text(st->db, "SELECT status FROM runs WHERE run_id = 2", "running");
	rw_store_rollback_run(st);
	assert_no_transaction(st);
	/* ... and after the rollback not even the run's own connection sees
	 * it, nor does rw_store_last_rows. */
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM runs"), 1);
	assert_int_equal(rw_store_last_rows(st, rows, &err), 0);
	assert_int_equal(rows[RW_IN_OPPORTUNITIES], 10);
	/* A second rollback is harmless. */
	rw_store_rollback_run(st);
	rw_store_close(st);
	assert_true(digest_path(fx->db) == h);

	/* begin -> write -> close without commit: the same. */
	assert_int_equal(rw_store_open(fx->db, 100, &st, &err), 0);
	assert_int_equal(rw_store_begin_run(st, &info, &id, &err), 0);
	assert_int_equal(rw_store_write_results(st, ds2, res2, &err), 0);
	rw_store_close(st);
	assert_true(digest_path(fx->db) == h);
	assert_integrity_ok(fx->db);

	/* The rolled-back id is reused: run ids count committed runs. */
	assert_int_equal(do_run(fx->db, ds2, res2, &in, "s"), 2);
	assert_true(digest_path(fx->db) != h);
	rw_results_free(res2);
	rw_dataset_free(ds2);
}

static void test_misuse(void **state)
{
	struct fx *fx = *state;
	struct rw_dataset *ds = small_dataset(D(2024, 3, 15), 1);
	struct rw_results *res = compute(ds);
	struct rw_run_info info = { D(2024, 3, 15), "s", NULL, NULL };
	struct rw_store *st = NULL;
	struct rw_err err;
	int64_t id;

	assert_int_equal(rw_store_open(fx->db, 100, &st, &err), 0);
	rw_err_clear(&err);
	assert_int_equal(rw_store_write_results(st, ds, res, &err), RW_EINTERNAL);
	rw_err_clear(&err);
	assert_int_equal(rw_store_commit_run(st, 1, "f", &err), RW_EINTERNAL);
	assert_no_transaction(st);
	rw_err_clear(&err);
	assert_int_equal(rw_store_begin_run(st, &info, &id, &err), 0);
	/* No inputs given: no run_inputs rows, inputs an empty JSON array. */
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM run_inputs"), 0);
	assert_q_text(st->db, "SELECT inputs FROM runs", "[]");
	assert_int_equal(rw_store_begin_run(st, &info, &id, &err), RW_EINTERNAL);
	rw_err_clear(&err);
	/* Committing another id than the open one is refused. */
	assert_int_equal(rw_store_commit_run(st, id + 1, "f", &err), RW_EINTERNAL);
	assert_q_text(st->db, "SELECT status FROM runs", "running");
	rw_store_rollback_run(st);
	assert_no_transaction(st);
	rw_store_close(st);
	rw_store_close(NULL);
	rw_store_rollback_run(NULL);
	rw_results_free(res);
	rw_dataset_free(ds);
}

/* ---- Readers during a run (WAL) ----------------------------------------- */

static void test_reader_during_run(void **state)
{
	struct fx *fx = *state;
	struct rw_dataset *ds2 = small_dataset(D(2024, 4, 15), 0);
	struct rw_results *res2 = compute(ds2);
	struct rw_run_info info = { D(2024, 4, 15), "s", NULL, NULL };
	struct rw_store *st = NULL;
	struct rw_err err;
	sqlite3 *rd;
	uint64_t h;
	int64_t id;

	rw_err_clear(&err);
	run_small(fx->db);
	h = digest_path(fx->db);
	rd = raw_open(fx->db);
	/* A reader that never waits: with WAL it must not need to. */
	assert_int_equal(sqlite3_busy_timeout(rd, 0), SQLITE_OK);
	assert_int_equal(rw_store_open(fx->db, 100, &st, &err), 0);
	assert_int_equal(rw_store_begin_run(st, &info, &id, &err), 0);
	assert_int_equal(rw_store_write_results(st, ds2, res2, &err), 0);
	/* The writer's transaction is open: the reader sees run 1 whole. */
	assert_true(digest_db(rd) == h);
	assert_int_equal(q_int(rd, "SELECT count(*) FROM rep_metrics WHERE rep_id = 'B'"), 15);
	assert_int_equal(q_int(rd, "SELECT max(run_id) FROM runs"), 1);
	assert_int_equal(rw_store_commit_run(st, id, "f", &err), 0);
	/* After the commit it sees run 2 whole. */
	assert_int_equal(q_int(rd, "SELECT count(*) FROM rep_metrics WHERE rep_id = 'B'"), 0);
	assert_int_equal(q_int(rd, "SELECT max(run_id) FROM runs"), 2);
	sqlite3_close(rd);
	rw_store_close(st);
	rw_results_free(res2);
	rw_dataset_free(ds2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_dir, teardown_dir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_schema_fresh),
		T(test_schema_newer_refused),
		T(test_open_errors),
		T(test_values),
		T(test_values_match_engine),
		T(test_trends_stored),
		T(test_trend_change_point_label),
		T(test_fiscal_quarters),
		T(test_runs_replace_and_last_rows),
		T(test_rollback_restores),
		T(test_misuse),
		T(test_reader_during_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
