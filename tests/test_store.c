/*
 * test_store.c - the SQLite store (SPEC section 7): schema and migrations,
 * the stored values of a small dataset worked out by hand, run atomicity
 * (rollback, kill -9 at random moments, a second process waiting for the
 * lock, a reader during a run) and the failure paths (allocation failure,
 * SQLite running out of memory, SQLite refusing a statement).
 *
 * Database content is compared through a digest of the schema, the
 * user_version and SELECT * of every table ordered by all its columns, so
 * "equal" means equal in content, whatever the page layout or the WAL
 * holds.
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

#define D(y, m, d) rw_days_from_civil(y, m, d)

/* ---- Fixture: a fresh directory per test -------------------------------- */

struct fx {
	char dir[64];
	char db[128];
};

static int setup_dir(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/rwstore.XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->db, sizeof(fx->db), "%s/repwatch.db", fx->dir);
	gsl_set_error_handler_off();
	*state = fx;
	return 0;
}

static int teardown_dir(void **state)
{
	struct fx *fx = *state;
	struct dirent *e;
	char path[512];
	DIR *d = opendir(fx->dir);

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", fx->dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* ---- Raw SQLite helpers (an independent connection) --------------------- */

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
					 SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_busy_timeout(db, 5000), SQLITE_OK);
	return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* First column of the single row of sql, as an integer. */
static long long q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	long long v;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* First column of the single row of sql as text ("(null)" for NULL). */
static void q_text(sqlite3 *db, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *s;
	const unsigned char *t;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	t = sqlite3_column_text(s, 0);
	snprintf(out, size, "%s", t ? (const char *)t : "(null)");
	sqlite3_finalize(s);
}

/* First column of the single row of sql as a double; NAN for NULL. */
static double q_real(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	double v;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_type(s, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void assert_q_text(sqlite3 *db, const char *sql, const char *want)
{
	char got[256];

	q_text(db, sql, got, sizeof(got));
	if (strcmp(got, want))
		fail_msg("%s: got \"%s\", want \"%s\"", sql, got, want);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Hash every row of sql, values tagged with their type. */
static uint64_t digest_query(sqlite3 *db, const char *sql, uint64_t h)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(s); c++) {
			unsigned char type = (unsigned char)sqlite3_column_type(s, c);
			sqlite3_int64 i;
			double d;

			h = fnv(h, &type, 1);
			switch (type) {
			case SQLITE_INTEGER:
				i = sqlite3_column_int64(s, c);
				h = fnv(h, &i, sizeof(i));
				break;
			case SQLITE_FLOAT:
				d = sqlite3_column_double(s, c);
				h = fnv(h, &d, sizeof(d));
				break;
			case SQLITE_NULL:
				break;
			default:
				i = sqlite3_column_bytes(s, c);
				h = fnv(h, &i, sizeof(i));
				h = fnv(h, sqlite3_column_blob(s, c), (size_t)i);
			}
		}
		h = fnv(h, "\n", 1);
	}
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(s);
	return h;
}

/*
 * Digest of the content of db: user_version, sqlite_master, then SELECT *
 * of every table ordered by all its columns, all in one read transaction.
 */
static uint64_t digest_db(sqlite3 *db)
{
	char names[32][64], sql[1024];
	int ntab = 0, ncol, len;
	sqlite3_stmt *s;
	uint64_t h = 14695981039346656037ULL;

	raw_exec(db, "BEGIN");
	h = digest_query(db, "PRAGMA user_version", h);
	h = digest_query(db, "SELECT type, name, tbl_name, sql FROM sqlite_master"
			 " ORDER BY type, name", h);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master"
			 " WHERE type = 'table' ORDER BY name", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW && ntab < 32)
		snprintf(names[ntab++], sizeof(names[0]), "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	for (int t = 0; t < ntab; t++) {
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%.63s\" LIMIT 0", names[t]);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
		ncol = sqlite3_column_count(s);
		sqlite3_finalize(s);
		len = snprintf(sql, sizeof(sql), "SELECT * FROM \"%.63s\" ORDER BY 1", names[t]);
		for (int c = 2; c <= ncol && len < (int)sizeof(sql) - 8; c++)
			len += snprintf(sql + len, sizeof(sql) - (size_t)len, ", %d", c);
		h = fnv(h, names[t], strlen(names[t]));
		h = digest_query(db, sql, h);
	}
	raw_exec(db, "COMMIT");
	return h;
}

static uint64_t digest_path(const char *path)
{
	sqlite3 *db = raw_open(path);
	uint64_t h = digest_db(db);

	sqlite3_close(db);
	return h;
}

static void assert_integrity_ok(const char *path)
{
	sqlite3 *db = raw_open(path);

	assert_q_text(db, "PRAGMA integrity_check", "ok");
	sqlite3_close(db);
}

static void assert_no_transaction(struct rw_store *st)
{
	assert_int_equal(st->in_run, 0);
	assert_true(sqlite3_get_autocommit(st->db));
}

/* ---- Datasets ----------------------------------------------------------- */

struct deal {
	const char *id;
	uint32_t rep;
	int32_t created, closed;
	enum rw_status st;
	double amount;
};

/*
 * The small dataset.  history_periods 4, trend_periods 4.
 * Rep A (team East, hired 2023-01-09):
 *   a0 created 2023-11-01 won 2023-11-10  1000
 *   a4 created 2024-01-02 won 2024-01-15  2000
 *   a1 created 2024-02-01 won 2024-02-10  1000
 *   a2 created 2024-02-01 won 2024-02-20  2000
 *   a3 created 2024-02-01 lost 2024-02-25  500
 *   a call on Monday 2024-03-04 (no deal).
 * Rep B (team East), with_b only: b1 created 2024-01-10, open, expected
 *   2024-04-30, 700; an e-mail on b1 on 2024-02-14.  B never closes a deal.
 */
static struct rw_dataset *small_dataset_fs(int32_t as_of, int with_b,
					   int fiscal_start)
{
	const struct deal deals[] = {
		{ "a0", 0, D(2023, 11, 1), D(2023, 11, 10), RW_WON, 1000 },
		{ "a4", 0, D(2024, 1, 2), D(2024, 1, 15), RW_WON, 2000 },
		{ "a1", 0, D(2024, 2, 1), D(2024, 2, 10), RW_WON, 1000 },
		{ "a2", 0, D(2024, 2, 1), D(2024, 2, 20), RW_WON, 2000 },
		{ "a3", 0, D(2024, 2, 1), D(2024, 2, 25), RW_LOST, 500 },
		{ "b1", 1, D(2024, 1, 10), D(2024, 4, 30), RW_OPEN, 700 },
	};
	struct rw_rep ra = { "A", "Ann Able", "ann@example.com", "East", "Mia",
			     D(2023, 1, 9), RW_NODAY, 0 };
	struct rw_rep rb = { "B", "Bob Baker", NULL, "East", NULL,
			     RW_NODAY, RW_NODAY, 0 };
	struct rw_settings s;
	struct rw_dataset *ds;
	size_t ndeals = sizeof(deals) / sizeof(deals[0]) - (with_b ? 0 : 1);

	rw_settings_default(&s);
	s.as_of = as_of;
	s.history_periods = 4;
	s.trend_periods = 4;
	s.fiscal_start = fiscal_start;
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	assert_int_equal(rw_dataset_add_rep(ds, &ra, NULL), 0);
	if (with_b)
		assert_int_equal(rw_dataset_add_rep(ds, &rb, NULL), 0);
	for (size_t i = 0; i < ndeals; i++) {
		struct rw_opp o = { deals[i].id, deals[i].rep, deals[i].created,
				    deals[i].closed, deals[i].st, deals[i].amount, NULL, 0 };

		assert_int_equal(rw_dataset_add_opp(ds, &o, NULL), 0);
	}
	assert_int_equal(rw_dataset_begin_activities(ds), 0);
	rw_dataset_add_activity(ds, 0, RW_NONE, D(2024, 3, 4), RW_CALL);
	if (with_b)
		rw_dataset_add_activity(ds, 1, 5, D(2024, 2, 14), RW_EMAIL);
	return ds;
}

static struct rw_dataset *small_dataset(int32_t as_of, int with_b)
{
	return small_dataset_fs(as_of, with_b, 1);
}

/*
 * A larger dataset for the crash test: nreps reps, 12 deals each over
 * two years, and a few activities per deal; history_periods hist.
 */
static struct rw_dataset *big_dataset(uint32_t nreps, int hist)
{
	struct rw_settings s;
	struct rw_dataset *ds;
	char id[32], team[16];
	int32_t base = D(2022, 6, 1);

	rw_settings_default(&s);
	s.as_of = D(2024, 6, 12);
	s.history_periods = hist;
	s.trend_periods = 6;
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	for (uint32_t r = 0; r < nreps; r++) {
		struct rw_rep rep = { id, id, NULL, team, NULL, RW_NODAY, RW_NODAY, 0 };

		snprintf(id, sizeof(id), "rep%04u", r);
		snprintf(team, sizeof(team), "team%u", r % 5);
		assert_int_equal(rw_dataset_add_rep(ds, &rep, NULL), 0);
	}
	for (uint32_t r = 0; r < nreps; r++) {
		for (uint32_t j = 0; j < 12; j++) {
			int32_t created = base + (int32_t)((r * 7 + j * 61) % 700);
			struct rw_opp o = { id, r, created,
					    created + 10 + (int32_t)(j * 13 % 50),
					    (enum rw_status)(j % 3),
					    100.0 * (j + 1) + r, NULL, 0 };

			snprintf(id, sizeof(id), "o%u.%u", r, j);
			assert_int_equal(rw_dataset_add_opp(ds, &o, NULL), 0);
		}
	}
	assert_int_equal(rw_dataset_begin_activities(ds), 0);
	for (uint32_t o = 0; o < ds->nopps; o++)
		for (int k = 0; k < 4; k++)
			rw_dataset_add_activity(ds, ds->opps[o].rep, o,
						ds->opps[o].created + 2 * k,
						(enum rw_act_type)(k % RW_NACTS));
	return ds;
}

static struct rw_results *compute(const struct rw_dataset *ds)
{
	struct rw_results *res = NULL;
	struct rw_err err;

	rw_err_clear(&err);
	if (rw_engine_compute(ds, &res, &err))
		fail_msg("compute: %s", err.msg);
	return res;
}

/* Inputs as ingest would report them: opportunities and activities always,
 * reps when nreps_rows >= 0. */
static void fill_stats(struct rw_ingest_stats *in, uint64_t opps,
		       uint64_t acts, long long nreps_rows)
{
	memset(in, 0, sizeof(*in));
	in->file[RW_IN_OPPORTUNITIES].present = 1;
	snprintf(in->file[RW_IN_OPPORTUNITIES].path, sizeof(in->file[0].path),
		 "data/\"odd\" name,opportunities.csv");
	in->file[RW_IN_OPPORTUNITIES].size = 12345;
	snprintf(in->file[RW_IN_OPPORTUNITIES].sha256, 65, "%064d", 7);
	in->file[RW_IN_OPPORTUNITIES].rows_read = opps;
	in->file[RW_IN_OPPORTUNITIES].rows_rejected = 1;
	in->file[RW_IN_ACTIVITIES].present = 1;
	snprintf(in->file[RW_IN_ACTIVITIES].path, sizeof(in->file[0].path),
		 "data/activities.csv");
	in->file[RW_IN_ACTIVITIES].rows_read = acts;
	if (nreps_rows >= 0) {
		in->file[RW_IN_REPS].present = 1;
		in->file[RW_IN_REPS].rows_read = (uint64_t)nreps_rows;
	}
}

/* Open, run ds/res as one run and close; returns the run id. */
static int64_t do_run(const char *path, const struct rw_dataset *ds,
		      const struct rw_results *res,
		      const struct rw_ingest_stats *in, const char *started)
{
	struct rw_run_info info = { ds->settings.as_of, started, "cafe", in };
	struct rw_store *st = NULL;
	struct rw_err err;
	int64_t id = -1;

	rw_err_clear(&err);
	if (rw_store_open(path, 1000, &st, &err) ||
	    rw_store_begin_run(st, &info, &id, &err) ||
	    rw_store_write_results(st, ds, res, &err) ||
	    rw_store_commit_run(st, id, "2024-03-15T02:00:09Z", &err))
		fail_msg("run: %s", err.msg);
	rw_store_close(st);
	return id;
}

/* The small dataset as of 2024-03-15 with both reps, stored as run 1. */
static void run_small(const char *path)
{
	struct rw_dataset *ds = small_dataset(D(2024, 3, 15), 1);
	struct rw_results *res = compute(ds);
	struct rw_ingest_stats in;

	fill_stats(&in, 10, 20, -1);
	assert_int_equal(do_run(path, ds, res, &in, "2024-03-15T02:00:00Z"), 1);
	rw_results_free(res);
	rw_dataset_free(ds);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

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
	struct rw_run_info info = { D(2024, 4, 15), "s", NULL, &in };
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

/* ---- 5. Two processes --------------------------------------------------- */

static void child_fail(int code)
{
	_exit(code);
}

static void write_byte(int fd, char c)
{
	if (write(fd, &c, 1) != 1)
		child_fail(90);
}

/*
 * The first run, in a child: begin and write, say 'B', wait for the word,
 * sleep hold_ms, commit, say 'C', exit 0.  The child's copies of ds and
 * res are freed so that a leak checker following the child stays quiet.
 */
static void busy_child(const char *path, struct rw_dataset *ds,
		       struct rw_results *res, int up, int down, int hold_ms)
{
	struct rw_run_info info = { ds->settings.as_of, "child", NULL, NULL };
	struct rw_store *st = NULL;
	struct rw_err err;
	int64_t id;
	char c;

	alarm(20);
	rw_err_clear(&err);
	if (rw_store_open(path, 1000, &st, &err))
		child_fail(10);
	if (rw_store_begin_run(st, &info, &id, &err))
		child_fail(11);
	if (rw_store_write_results(st, ds, res, &err))
		child_fail(12);
	write_byte(up, 'B');
	if (read(down, &c, 1) != 1)
		child_fail(13);
	sleep_us(hold_ms * 1000L);
	if (rw_store_commit_run(st, id, "child", &err))
		child_fail(14);
	write_byte(up, 'C');
	rw_store_close(st);
	rw_results_free(res);
	rw_dataset_free(ds);
	_exit(0);
}

static void test_busy_second_run(void **state)
{
	struct fx *fx = *state;
	struct rw_dataset *ds = small_dataset(D(2024, 3, 15), 1);
	struct rw_results *res = compute(ds);
	struct rw_run_info info = { D(2024, 3, 15), "parent", NULL, NULL };
	struct rw_store *st = NULL;
	struct rw_err err;
	int up[2], down[2], status;
	double t0, waited;
	int64_t id;
	pid_t pid;
	char c;

	run_small(fx->db);
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		busy_child(fx->db, ds, res, up[1], down[0], 300);
	}
	close(up[1]);
	close(down[0]);
	assert_int_equal(read(up[0], &c, 1), 1);
	assert_int_equal(c, 'B');

	/* The child holds the run.  Opening is fine (no lock needed on a
	 * current schema); beginning a run gives up after about 200 ms. */
	rw_err_clear(&err);
	assert_int_equal(rw_store_open(fx->db, 200, &st, &err), 0);
	t0 = now_ms();
	assert_int_equal(rw_store_begin_run(st, &info, &id, &err), RW_EBUSY);
	waited = now_ms() - t0;
	assert_true(waited >= 150 && waited < 2000);
	assert_non_null(strstr(err.msg, "locked by another run"));
	assert_string_equal(err.file, fx->db);
	assert_no_transaction(st);
	rw_store_close(st);

	/* With a long enough wait the second run starts once the child,
	 * told to go now, commits 300 ms later. */
	rw_err_clear(&err);
	assert_int_equal(rw_store_open(fx->db, 10000, &st, &err), 0);
	assert_int_equal(write(down[1], "g", 1), 1);
	t0 = now_ms();
	assert_int_equal(rw_store_begin_run(st, &info, &id, &err), 0);
	waited = now_ms() - t0;
	assert_true(waited >= 200 && waited < 10000);
	/* The child committed before we got the lock. */
	assert_int_equal(read(up[0], &c, 1), 1);
	assert_int_equal(c, 'C');
	assert_int_equal(id, 3);
	assert_int_equal(rw_store_write_results(st, ds, res, &err), 0);
	assert_int_equal(rw_store_commit_run(st, id, "parent", &err), 0);
	rw_store_close(st);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(up[0]);
	close(down[1]);

	assert_integrity_ok(fx->db);
	{
		sqlite3 *db = raw_open(fx->db);

		assert_q_text(db, "SELECT group_concat(run_id || ':' || started || ':' ||"
			      " status, ' ') FROM runs",
			      "1:2024-03-15T02:00:00Z:ok 2:child:ok 3:parent:ok");
		assert_int_equal(q_int(db, "SELECT count(*) FROM rep_metrics WHERE run_id = 3"), 30);
		sqlite3_close(db);
	}
	rw_results_free(res);
	rw_dataset_free(ds);
}

/* ---- 4. kill -9 --------------------------------------------------------- */

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY), out;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	close(in);
	return close(out) || n < 0 ? -1 : 0;
}

/* A fresh copy of the committed baseline at path (no WAL left over). */
static void reset_db(const char *base, const char *path)
{
	char side[300];

	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	assert_int_equal(copy_file(base, path), 0);
}

/* Open, begin, say 'b', write, commit, say 'C', then wait to be killed. */
static void crash_child(const char *path, const struct rw_dataset *ds,
			const struct rw_results *res, int up)
{
	struct rw_ingest_stats in;
	struct rw_run_info info = { ds->settings.as_of, "big", NULL, &in };
	struct rw_store *st = NULL;
	struct rw_err err;
	int64_t id;

	alarm(20);
	fill_stats(&in, 1800, 7200, 150);
	rw_err_clear(&err);
	if (rw_store_open(path, 5000, &st, &err) ||
	    rw_store_begin_run(st, &info, &id, &err))
		_exit(10);
	write_byte(up, 'b');
	if (rw_store_write_results(st, ds, res, &err) ||
	    rw_store_commit_run(st, id, "big-done", &err))
		_exit(10);
	write_byte(up, 'C');
	for (;;)
		pause();
}

/*
 * Run crash_child on path and SIGKILL it after delay_us, or once it says
 * it committed when delay_us < 0.  Returns 2 when it had said it
 * committed before the kill, 1 when it was inside its transaction, 0
 * when it had not begun; *elapsed_ms is the time from fork to the kill.
 */
static int crash_trial(const char *path, const struct rw_dataset *ds,
		       const struct rw_results *res, long delay_us,
		       double *elapsed_ms)
{
	int fds[2], status, committed = 0;
	double t0 = now_ms();
	pid_t pid;
	char c;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		crash_child(path, ds, res, fds[1]);
	}
	close(fds[1]);
	if (delay_us < 0) {
		while (read(fds[0], &c, 1) == 1 && c != 'C')
			;
		committed = 2;
	} else {
		sleep_us(delay_us);
	}
	*elapsed_ms = now_ms() - t0;
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* Killed, not failed: a child that exited hit an error. */
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	while (read(fds[0], &c, 1) == 1)
		committed = c == 'C' ? 2 : 1;
	close(fds[0]);
	return committed;
}

static void test_kill9(void **state)
{
	struct fx *fx = *state;
	/* 80 reps x 3 grains x 25 periods: 6000 metric rows, and about
	 * as many trend rows. */
	struct rw_dataset *big = big_dataset(80, 24);
	struct rw_results *res = compute(big);
	char base[200];
	uint64_t h_old, h_new, h;
	double t_commit, el;
	int ntrials = 24, nold = 0, nnew = 0, nafter = 0, nduring = 0;

	snprintf(base, sizeof(base), "%s/base.db", fx->dir);
	run_small(base);
	h_old = digest_path(base);

	/* The complete new state, and how long the child takes to reach it. */
	reset_db(base, fx->db);
	assert_int_equal(crash_trial(fx->db, big, res, -1, &t_commit), 2);
	assert_integrity_ok(fx->db);
	h_new = digest_path(fx->db);
	assert_true(h_new != h_old);
	{
		sqlite3 *db = raw_open(fx->db);

		assert_int_equal(q_int(db, "SELECT count(*) FROM rep_metrics"), 80 * 3 * 25);
		sqlite3_close(db);
	}

	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (int i = 0; i < ntrials; i++) {
		long delay;
		int stage;

		/* Spread over 0 .. 1.4 x the time to commit, one random
		 * point per slot; the last two wait for the commit itself. */
		if (i >= ntrials - 2)
			delay = -1;
		else
			delay = (long)(t_commit * 1400.0 * (i + (double)rand() / RAND_MAX) /
				       (ntrials - 2));
		reset_db(base, fx->db);
		stage = crash_trial(fx->db, big, res, delay, &el);
		assert_integrity_ok(fx->db);
		h = digest_path(fx->db);
		if (h != h_old && h != h_new)
			fail_msg("trial %d (killed after %.1f ms): content is neither"
				 " the old nor the new run", i, el);
		if (stage == 2) {
			assert_true(h == h_new);
			nafter++;
		}
		nduring += stage == 1;
		nold += h == h_old;
		nnew += h == h_new;
	}
	/* Both outcomes were seen, some kills hit an open transaction, and
	 * kills after the commit lost nothing. */
	assert_true(nold >= 1);
	assert_true(nduring >= 3);
	assert_true(nnew >= 2);
	assert_true(nafter >= 2);
	rw_results_free(res);
	rw_dataset_free(big);
}

/* ---- 6. Failure paths --------------------------------------------------- */

/* One whole run on path; returns 0 or the failing call's code, with the
 * store closed either way.  A failed call must leave no transaction open. */
static int try_run(const char *path, const struct rw_dataset *ds,
		   const struct rw_results *res, struct rw_err *err)
{
	struct rw_run_info info = { ds->settings.as_of, "s", NULL, NULL };
	struct rw_store *st = NULL;
	int64_t id;
	int rc;

	rc = rw_store_open(path, 100, &st, err);
	if (rc)
		return rc;
	rc = rw_store_begin_run(st, &info, &id, err);
	if (!rc)
		rc = rw_store_write_results(st, ds, res, err);
	if (!rc)
		rc = rw_store_commit_run(st, id, "f", err);
	if (rc)
		assert_no_transaction(st);
	rw_store_close(st);
	return rc;
}

static void test_alloc_failure(void **state)
{
	struct fx *fx = *state;
	struct rw_dataset *ds2 = small_dataset(D(2024, 4, 15), 0);
	struct rw_results *res2 = compute(ds2);
	struct rw_err err;
	uint64_t h;
	int rc = -1, failures = 0;

	run_small(fx->db);
	h = digest_path(fx->db);
	/* Fail each of the store's own allocations in turn. */
	for (long n = 1; n < 100 && rc; n++) {
		rw_err_clear(&err);
		rw_alloc_fail_after(n);
		rc = try_run(fx->db, ds2, res2, &err);
		rw_alloc_fail_after(0);
		if (rc) {
			assert_int_equal(rc, RW_ENOMEM);
			assert_int_equal(err.code, RW_ENOMEM);
			assert_true(digest_path(fx->db) == h);
			failures++;
		}
	}
	assert_int_equal(rc, 0);
	/* The handle and the rep_metrics statement text. */
	assert_true(failures >= 2);
	assert_true(digest_path(fx->db) != h);
	rw_results_free(res2);
	rw_dataset_free(ds2);
}

/*
 * SQLite's own allocations, through a wrapper of its default allocator
 * that fails only allocation number sq_fail_at (a transient shortage).
 */
static sqlite3_mem_methods sq_default;
static long sq_count, sq_fail_at;

static int sq_fail(void)
{
	return sq_fail_at && ++sq_count == sq_fail_at;
}

static void *sq_malloc(int n)
{
	return sq_fail() ? NULL : sq_default.xMalloc(n);
}

static void *sq_realloc(void *p, int n)
{
	return sq_fail() ? NULL : sq_default.xRealloc(p, n);
}

static void sq_install(int on)
{
	sqlite3_mem_methods m;

	assert_int_equal(sqlite3_shutdown(), SQLITE_OK);
	if (on) {
		assert_int_equal(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sq_default), SQLITE_OK);
		m = sq_default;
		m.xMalloc = sq_malloc;
		m.xRealloc = sq_realloc;
		assert_int_equal(sqlite3_config(SQLITE_CONFIG_MALLOC, &m), SQLITE_OK);
	} else {
		assert_int_equal(sqlite3_config(SQLITE_CONFIG_MALLOC, &sq_default), SQLITE_OK);
	}
	assert_int_equal(sqlite3_initialize(), SQLITE_OK);
}

static void sq_arm(long n)
{
	sq_count = 0;
	sq_fail_at = n;
}

static void test_sqlite_out_of_memory(void **state)
{
	struct fx *fx = *state;
	struct rw_dataset *ds2 = small_dataset(D(2024, 4, 15), 0);
	struct rw_results *res2 = compute(ds2);
	struct rw_err err;
	uint64_t h;
	int rc = -1, failures = 0;
	long n;

	run_small(fx->db);
	h = digest_path(fx->db);
	sq_install(1);
	/* Every SQLite allocation of open + begin + write + commit fails
	 * once, in turn: an error, no transaction left open, no change. */
	for (n = 1; n < 20000 && rc; n++) {
		rw_err_clear(&err);
		sq_arm(n);
		rc = try_run(fx->db, ds2, res2, &err);
		sq_arm(0);
		if (rc) {
			assert_true(rc == RW_EDB || rc == RW_ENOMEM);
			assert_int_equal(err.code, rc);
			assert_true(err.msg[0] != 0);
			if (digest_path(fx->db) != h)
				fail_msg("allocation %ld: database changed by a failed run (%s)",
					 n, err.msg);
			failures++;
		}
	}
	assert_int_equal(rc, 0);
	assert_true(failures > 10);
	assert_integrity_ok(fx->db);
	assert_true(digest_path(fx->db) != h);

	/* Creating a database: each step is all or nothing, and a later
	 * open completes whatever was left. */
	rc = -1;
	for (n = 1; n < 20000 && rc; n++) {
		struct rw_store *st = NULL;
		char path[200];

		snprintf(path, sizeof(path), "%s/fresh.db", fx->dir);
		reset_db("/dev/null", path);
		rw_err_clear(&err);
		sq_arm(n);
		rc = rw_store_open(path, 100, &st, &err);
		sq_arm(0);
		if (rc) {
			sqlite3 *db;

			assert_null(st);
			db = raw_open(path);
			/* Steps are all or nothing: no table before the
			 * first one, all of version 1 after it. */
			if (q_int(db, "PRAGMA user_version") == 0)
				assert_int_equal(q_int(db, "SELECT count(*) FROM"
						       " sqlite_master"), 0);
			else
				assert_int_equal(q_int(db, "SELECT count(*) FROM"
						       " sqlite_master WHERE type = 'table' AND"
						       " name IN ('runs', 'run_inputs', 'reps',"
						       " 'rep_metrics', 'rep_trends')"), 5);
			sqlite3_close(db);
			assert_int_equal(rw_store_open(path, 100, &st, &err), 0);
		}
		assert_int_equal(q_int(st->db, "PRAGMA user_version"), rw_store_schema_count);
		rw_store_close(st);
	}
	assert_int_equal(rc, 0);

	/* A rollback when memory is short still ends the transaction (a
	 * ROLLBACK makes about 4 allocations; each fails once in turn). */
	for (n = 1; n <= 6; n++) {
		struct rw_run_info info = { ds2->settings.as_of, "s", NULL, NULL };
		struct rw_store *st = NULL;
		int64_t id;

		rw_err_clear(&err);
		assert_int_equal(rw_store_open(fx->db, 100, &st, &err), 0);
		assert_int_equal(rw_store_begin_run(st, &info, &id, &err), 0);
		assert_int_equal(rw_store_write_results(st, ds2, res2, &err), 0);
		sq_arm(n);
		rw_store_rollback_run(st);
		sq_arm(0);
		assert_no_transaction(st);
		rw_store_close(st);
	}
	sq_install(0);
	rw_results_free(res2);
	rw_dataset_free(ds2);
}

/* SQLite refusing a statement (here a trigger raising an error) at each
 * stage of a run: RW_EDB with SQLite's reason, nothing changed. */
static void check_refused(const char *path, const char *trigger,
			  const struct rw_dataset *ds,
			  const struct rw_results *res, int stage)
{
	struct rw_ingest_stats in;
	struct rw_run_info info = { ds->settings.as_of, "s", NULL, &in };
	struct rw_store *st = NULL;
	struct rw_err err;
	sqlite3 *db = raw_open(path);
	int64_t id = 0;
	uint64_t h;
	int rc;

	fill_stats(&in, 5, 5, 5);
	raw_exec(db, trigger);
	h = digest_db(db);
	rw_err_clear(&err);
	assert_int_equal(rw_store_open(path, 100, &st, &err), 0);
	rc = rw_store_begin_run(st, &info, &id, &err);
	if (stage > 0 && !rc)
		rc = rw_store_write_results(st, ds, res, &err);
	if (stage > 1 && !rc)
		rc = rw_store_commit_run(st, id, "f", &err);
	assert_int_equal(rc, RW_EDB);
	assert_non_null(strstr(err.msg, "refused here"));
	assert_string_equal(err.file, path);
	assert_no_transaction(st);
	rw_store_close(st);
	assert_true(digest_db(db) == h);
	raw_exec(db, "DROP TRIGGER refuse");
	sqlite3_close(db);
}

static void test_sqlite_refuses(void **state)
{
	struct fx *fx = *state;
	struct rw_dataset *ds2 = small_dataset(D(2024, 4, 15), 0);
	struct rw_results *res2 = compute(ds2);

	run_small(fx->db);
	check_refused(fx->db, "CREATE TRIGGER refuse BEFORE INSERT ON run_inputs"
		      " BEGIN SELECT RAISE(ABORT, 'refused here'); END", ds2, res2, 0);
	check_refused(fx->db, "CREATE TRIGGER refuse BEFORE INSERT ON runs"
		      " BEGIN SELECT RAISE(ABORT, 'refused here'); END", ds2, res2, 0);
	check_refused(fx->db, "CREATE TRIGGER refuse BEFORE INSERT ON rep_metrics"
		      " WHEN NEW.grain = 'quarter'"
		      " BEGIN SELECT RAISE(ABORT, 'refused here'); END", ds2, res2, 1);
	check_refused(fx->db, "CREATE TRIGGER refuse BEFORE INSERT ON rep_trends"
		      " BEGIN SELECT RAISE(ABORT, 'refused here'); END", ds2, res2, 1);
	check_refused(fx->db, "CREATE TRIGGER refuse BEFORE UPDATE OF status ON runs"
		      " BEGIN SELECT RAISE(ABORT, 'refused here'); END", ds2, res2, 2);
	/* With the triggers gone the same run goes through. */
	{
		struct rw_err err;

		rw_err_clear(&err);
		assert_int_equal(try_run(fx->db, ds2, res2, &err), 0);
	}
	assert_integrity_ok(fx->db);
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
		T(test_busy_second_run),
		T(test_kill9),
		T(test_alloc_failure),
		T(test_sqlite_out_of_memory),
		T(test_sqlite_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
