/*
 * test_store_faults.c - the store under faults (SPEC section 7): a second
 * process waiting for the lock, kill -9 at random moments, allocation
 * failure, SQLite running out of memory and SQLite refusing a statement.
 * Each leaves the database with the previous run or the new one.
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
	struct rw_run_info info = { ds->settings.as_of, "big", NULL, in.file };
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
	struct rw_run_info info = { ds->settings.as_of, "s", NULL, in.file };
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
		T(test_busy_second_run),
		T(test_kill9),
		T(test_alloc_failure),
		T(test_sqlite_out_of_memory),
		T(test_sqlite_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
