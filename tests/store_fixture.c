/*
 * store_fixture.c - the fixture, raw SQLite helpers and datasets shared
 * by the store suites (declared in store_fixture.h).
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
#include "store_fixture.h"

/* ---- Fixture: a fresh directory per test -------------------------------- */

int setup_dir(void **state)
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

int teardown_dir(void **state)
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

sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
					 SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_busy_timeout(db, 5000), SQLITE_OK);
	return db;
}

void raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* First column of the single row of sql, as an integer. */
long long q_int(sqlite3 *db, const char *sql)
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
void q_text(sqlite3 *db, const char *sql, char *out, size_t size)
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
double q_real(sqlite3 *db, const char *sql)
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

void assert_q_text(sqlite3 *db, const char *sql, const char *want)
{
	char got[256];

	q_text(db, sql, got, sizeof(got));
	if (strcmp(got, want))
		fail_msg("%s: got \"%s\", want \"%s\"", sql, got, want);
}

uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Hash every row of sql, values tagged with their type. */
uint64_t digest_query(sqlite3 *db, const char *sql, uint64_t h)
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
uint64_t digest_db(sqlite3 *db)
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

uint64_t digest_path(const char *path)
{
	sqlite3 *db = raw_open(path);
	uint64_t h = digest_db(db);

	sqlite3_close(db);
	return h;
}

void assert_integrity_ok(const char *path)
{
	sqlite3 *db = raw_open(path);

	assert_q_text(db, "PRAGMA integrity_check", "ok");
	sqlite3_close(db);
}

void assert_no_transaction(struct rw_store *st)
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
struct rw_dataset *small_dataset_fs(int32_t as_of, int with_b,
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

struct rw_dataset *small_dataset(int32_t as_of, int with_b)
{
	return small_dataset_fs(as_of, with_b, 1);
}

/*
 * A larger dataset for the crash test: nreps reps, 12 deals each over
 * two years, and a few activities per deal; history_periods hist.
 */
struct rw_dataset *big_dataset(uint32_t nreps, int hist)
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

struct rw_results *compute(const struct rw_dataset *ds)
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
void fill_stats(struct rw_ingest_stats *in, uint64_t opps,
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
int64_t do_run(const char *path, const struct rw_dataset *ds,
	       const struct rw_results *res,
	       const struct rw_ingest_stats *in, const char *started)
{
	struct rw_run_info info = { ds->settings.as_of, started, "cafe", in ? in->file : NULL };
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
void run_small(const char *path)
{
	struct rw_dataset *ds = small_dataset(D(2024, 3, 15), 1);
	struct rw_results *res = compute(ds);
	struct rw_ingest_stats in;

	fill_stats(&in, 10, 20, -1);
	assert_int_equal(do_run(path, ds, res, &in, "2024-03-15T02:00:00Z"), 1);
	rw_results_free(res);
	rw_dataset_free(ds);
}

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}
