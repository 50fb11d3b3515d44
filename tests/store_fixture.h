/*
 * store_fixture.h - what the store suites share (test_store.c,
 * test_store_faults.c): a fresh directory per test, an independent SQLite
 * connection to check the database with, a content digest, and the small
 * and big datasets with a helper that runs one into the store.
 */
#ifndef RW_TEST_STORE_FIXTURE_H
#define RW_TEST_STORE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "../engine/engine.h"
#include "../ingest/ingest.h"
#include "../store/store.h"

#define D(y, m, d) rw_days_from_civil(y, m, d)

/* The state of every test: its directory and the database path in it. */
struct fx {
	char dir[64];
	char db[128];
};

/* cmocka setup and teardown: *state becomes a struct fx with a fresh
 * directory under /tmp; teardown removes it and everything in it. */
int setup_dir(void **state);
int teardown_dir(void **state);

/* An independent connection to path (fails the test if it cannot open). */
sqlite3 *raw_open(const char *path);

/* Run sql on db; fails the test on an error. */
void raw_exec(sqlite3 *db, const char *sql);

/* First column of the single row of sql, as an integer. */
long long q_int(sqlite3 *db, const char *sql);

/* First column of the single row of sql as text ("(null)" for NULL). */
void q_text(sqlite3 *db, const char *sql, char *out, size_t size);

/* First column of the single row of sql as a double; NAN for NULL. */
double q_real(sqlite3 *db, const char *sql);

/* q_text() of sql equals want. */
void assert_q_text(sqlite3 *db, const char *sql, const char *want);

/* FNV-1a of p[0..n) continuing from h. */
uint64_t fnv(uint64_t h, const void *p, size_t n);

/* Hash every row of sql, values tagged with their type. */
uint64_t digest_query(sqlite3 *db, const char *sql, uint64_t h);

/*
 * Digest of the content of db: user_version, sqlite_master, then SELECT *
 * of every table ordered by all its columns, all in one read transaction.
 */
uint64_t digest_db(sqlite3 *db);

/* digest_db() of the database at path, through a connection of its own. */
uint64_t digest_path(const char *path);

/* PRAGMA integrity_check of the database at path says ok. */
void assert_integrity_ok(const char *path);

/* st holds no open transaction. */
void assert_no_transaction(struct rw_store *st);

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
				    int fiscal_start);

struct rw_dataset *small_dataset(int32_t as_of, int with_b);

/*
 * A larger dataset for the crash test: nreps reps, 12 deals each over
 * two years, and a few activities per deal; history_periods hist.
 */
struct rw_dataset *big_dataset(uint32_t nreps, int hist);

/* The engine's results for ds (fails the test on an error). */
struct rw_results *compute(const struct rw_dataset *ds);

/* Inputs as ingest would report them: opportunities and activities always,
 * reps when nreps_rows >= 0. */
void fill_stats(struct rw_ingest_stats *in, uint64_t opps,
		uint64_t acts, long long nreps_rows);

/* Open, run ds/res as one run and close; returns the run id. */
int64_t do_run(const char *path, const struct rw_dataset *ds,
	       const struct rw_results *res,
	       const struct rw_ingest_stats *in, const char *started);

/* The small dataset as of 2024-03-15 with both reps, stored as run 1. */
void run_small(const char *path);

/* Monotonic clock in milliseconds; sleep for us microseconds. */
double now_ms(void);
void sleep_us(long us);

#endif
