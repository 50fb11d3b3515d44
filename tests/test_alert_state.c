/*
 * test_alert_state.c - the alert state kept in the database across runs
 * (store/alert_state.c, SPEC section 6) and the refusals of merge
 * (store/merge.c, SPEC section 8), which otherwise only the end-to-end scripts reach.
 *
 * Every expected value is worked out by hand from SPEC section 6: an alert
 * is (rule, rep); a notification goes out when it starts firing (new),
 * when its severity rises (escalated), when it stops (resolved), and again
 * while it keeps firing once repeat_days have passed since the last one
 * (repeat); nothing on other nights.  Undelivered notifications stay
 * pending until a delivery is recorded, and are never queued twice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../engine/engine.h"
#include "../rules/rules.h"
#include "../ingest/ingest.h"
#include "../store/store.h"

#define D(y, m, d) rw_days_from_civil(y, m, d)

struct fx {
	char dir[64];
	char db[128];
};

static int setup_dir(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/rwalert.XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->db, sizeof(fx->db), "%s/repwatch.db", fx->dir);
	*state = fx;
	return 0;
}

static int teardown_dir(void **state)
{
	struct fx *fx = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

/* Two reps of team East, A and B; as_of and shard as given. */
static struct rw_dataset *two_reps(int32_t as_of, uint32_t shard_i, uint32_t shard_n)
{
	struct rw_rep ra = { "A", "Ann Able", NULL, "East", "Mia", RW_NODAY, RW_NODAY, 0 };
	struct rw_rep rb = { "B", "Bob Baker", NULL, "East", "Mia", RW_NODAY, RW_NODAY, 0 };
	struct rw_settings s;
	struct rw_dataset *ds;

	rw_settings_default(&s);
	s.as_of = as_of;
	s.history_periods = 2;
	s.trend_periods = 2;
	s.shard_i = shard_i;
	s.shard_n = shard_n;
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	assert_int_equal(rw_dataset_add_rep(ds, &ra, NULL), 0);
	assert_int_equal(rw_dataset_add_rep(ds, &rb, NULL), 0);
	assert_int_equal(rw_dataset_begin_activities(ds), 0);
	return ds;
}

/*
 * One night on day: rule "r1" flags rep A with sev when sev >= 0 (B is
 * never flagged); the alerts are advanced with repeat_days 7 and the run
 * committed.  *c gets the counts.
 */
static void night(const char *path, int32_t day, int sev, struct rw_alert_counts *c)
{
	struct rw_dataset *ds = two_reps(day, 0, 0);
	struct rw_ingest_stats in;
	struct rw_run_info info = { day, "2024-01-01T00:00:00Z", NULL, in.file };
	char msg[] = "Win rate down", values[] = "{\"win_rate\":0.1}", ev[] = "{}";
	struct rw_flag f = { .rep = 0, .rule = "r1", .category = RW_CAT_EARLY,
			     .grain = RW_MONTH, .period = "2024-03", .message = msg,
			     .evidence = ev, .values = values };
	struct rw_rules_out out = { .flags = &f, .nflags = sev >= 0 ? 1 : 0 };
	struct rw_store *st = NULL;
	struct rw_err err;
	int64_t id;

	f.severity = sev >= 0 ? (enum rw_severity)sev : RW_SEV_INFO;
	memset(&in, 0, sizeof(in));
	rw_err_clear(&err);
	if (rw_store_open(path, 1000, &st, &err) ||
	    rw_store_begin_run(st, &info, &id, &err) ||
	    rw_store_update_alerts(st, ds, &out, 7, c, &err) ||
	    rw_store_commit_run(st, id, "2024-01-01T00:00:01Z", &err))
		fail_msg("night: %s", err.msg);
	rw_store_close(st);
	rw_dataset_free(ds);
}

/* "state|severity|first_seen|last_seen|last_notified|pending lines" of
 * (r1, A), or "" when there is no such alert. */
static void alert_row(const char *path, char *out, size_t size)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	out[0] = '\0';
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
		"SELECT state || '|' || severity || '|' || ifnull(first_seen, '-') || '|' ||"
		" ifnull(last_seen, '-') || '|' || ifnull(last_notified, '-') || '|' ||"
		" (length(ifnull(pending, '')) - length(replace(ifnull(pending, ''), char(10), '')))"
		" FROM alerts WHERE rule = 'r1' AND rep_id = 'A'", -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* The pending notifications' "event" values, in order, space-separated. */
static void pending_events(const char *path, char *out, size_t size, int clear)
{
	struct rw_store *st = NULL;
	struct rw_pending *p = NULL;
	struct rw_err err;
	const char *text, *q;
	size_t len, n = 0;

	rw_err_clear(&err);
	assert_int_equal(rw_store_open(path, 1000, &st, &err), 0);
	assert_int_equal(rw_store_pending_get(st, &p, &err), 0);
	text = rw_pending_text(p, &len);
	out[0] = '\0';
	for (q = text; q && (q = strstr(q, "\"event\":\"")); q += 9) {
		const char *e = strchr(q + 9, '"');

		assert_non_null(e);
		n += (size_t)snprintf(out + n, size - n, "%s%.*s", n ? " " : "",
				      (int)(e - (q + 9)), q + 9);
		assert_true(n < size);
	}
	if (clear)
		assert_int_equal(rw_store_pending_clear(st, p, &err), 0);
	rw_pending_free(p);
	rw_store_close(st);
}

static void assert_counts(const struct rw_alert_counts *c, size_t nw, size_t esc,
			  size_t rep, size_t res, size_t crit)
{
	assert_int_equal(c->new_alerts, nw);
	assert_int_equal(c->escalated, esc);
	assert_int_equal(c->repeated, rep);
	assert_int_equal(c->resolved, res);
	assert_int_equal(c->new_critical, crit);
}

/*
 * Night by night (repeat_days 7), rule r1 on rep A:
 *   03-01 flagged warning   -> new; first_seen = last_seen = last_notified
 *                              = 03-01; 1 pending line.  Delivery fails.
 *   03-02 flagged warning   -> nothing (1 day < 7); the undelivered line is
 *                              kept, not queued again: still 1.  Delivered.
 *   03-07 flagged warning   -> nothing (6 days since 03-01 < 7).
 *   03-08 flagged warning   -> repeat (7 days >= 7); last_notified 03-08.
 *   03-09 flagged critical  -> escalated (severity rose), new_critical 1.
 *   03-10 flagged warning   -> nothing: a lower severity is no event; the
 *                              stored severity follows it down.
 *   03-11 not flagged       -> resolved.
 *   03-12 not flagged       -> nothing.
 *   03-13 flagged watch     -> new again, first_seen 03-13.
 * B is never flagged and never gets an alert.
 */
static void test_transitions(void **state)
{
	struct fx *fx = *state;
	struct rw_alert_counts c;
	char row[256], ev[256];

	night(fx->db, D(2024, 3, 1), RW_SEV_WARNING, &c);
	assert_counts(&c, 1, 0, 0, 0, 0);
	alert_row(fx->db, row, sizeof(row));
	assert_string_equal(row, "firing|warning|2024-03-01|2024-03-01|2024-03-01|1");
	pending_events(fx->db, ev, sizeof(ev), 0);	/* the notifier failed */
	assert_string_equal(ev, "new");

	night(fx->db, D(2024, 3, 2), RW_SEV_WARNING, &c);
	assert_counts(&c, 0, 0, 0, 0, 0);
	alert_row(fx->db, row, sizeof(row));
	assert_string_equal(row, "firing|warning|2024-03-01|2024-03-02|2024-03-01|1");
	pending_events(fx->db, ev, sizeof(ev), 1);	/* delivered now */
	assert_string_equal(ev, "new");
	alert_row(fx->db, row, sizeof(row));
	assert_string_equal(row, "firing|warning|2024-03-01|2024-03-02|2024-03-01|0");

	night(fx->db, D(2024, 3, 7), RW_SEV_WARNING, &c);
	assert_counts(&c, 0, 0, 0, 0, 0);

	night(fx->db, D(2024, 3, 8), RW_SEV_WARNING, &c);
	assert_counts(&c, 0, 0, 1, 0, 0);
	alert_row(fx->db, row, sizeof(row));
	assert_string_equal(row, "firing|warning|2024-03-01|2024-03-08|2024-03-08|1");

	night(fx->db, D(2024, 3, 9), RW_SEV_CRITICAL, &c);
	assert_counts(&c, 0, 1, 0, 0, 1);
	alert_row(fx->db, row, sizeof(row));
	assert_string_equal(row, "firing|critical|2024-03-01|2024-03-09|2024-03-09|2");
	pending_events(fx->db, ev, sizeof(ev), 1);
	assert_string_equal(ev, "repeat escalated");

	night(fx->db, D(2024, 3, 10), RW_SEV_WARNING, &c);
	assert_counts(&c, 0, 0, 0, 0, 0);
	alert_row(fx->db, row, sizeof(row));
	assert_string_equal(row, "firing|warning|2024-03-01|2024-03-10|2024-03-09|0");

	night(fx->db, D(2024, 3, 11), -1, &c);
	assert_counts(&c, 0, 0, 0, 1, 0);
	alert_row(fx->db, row, sizeof(row));
	assert_string_equal(row, "resolved|warning|2024-03-01|2024-03-10|2024-03-11|1");

	night(fx->db, D(2024, 3, 12), -1, &c);
	assert_counts(&c, 0, 0, 0, 0, 0);

	night(fx->db, D(2024, 3, 13), RW_SEV_WATCH, &c);
	assert_counts(&c, 1, 0, 0, 0, 0);
	alert_row(fx->db, row, sizeof(row));
	assert_string_equal(row, "firing|watch|2024-03-13|2024-03-13|2024-03-13|2");
	pending_events(fx->db, ev, sizeof(ev), 1);
	assert_string_equal(ev, "resolved new");
	pending_events(fx->db, ev, sizeof(ev), 0);
	assert_string_equal(ev, "");
}

/* ---- merge ---------------------------------------------------------------- */

/* A shard database: run of shard i/n on day (no data, so no rows but runs). */
static void shard_db(const char *path, int32_t day, uint32_t i, uint32_t n)
{
	struct rw_dataset *ds = two_reps(day, i, n);
	struct rw_results *res = NULL;
	struct rw_ingest_stats in;
	struct rw_run_info info = { day, "2024-01-01T00:00:00Z", NULL, in.file };
	struct rw_store *st = NULL;
	struct rw_err err;
	int64_t id;

	memset(&in, 0, sizeof(in));
	rw_err_clear(&err);
	if (rw_engine_compute(ds, &res, &err) ||
	    rw_store_open(path, 1000, &st, &err) ||
	    rw_store_begin_run(st, &info, &id, &err) ||
	    rw_store_write_results(st, ds, res, &err) ||
	    rw_store_commit_run(st, id, "2024-01-01T00:00:01Z", &err))
		fail_msg("shard: %s", err.msg);
	rw_store_close(st);
	rw_results_free(res);
	rw_dataset_free(ds);
}

static long long runs_in(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;

	if (access(path, F_OK))
		return 0;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM runs", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		n = 0;	/* no runs table: nothing was written */
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/*
 * Shards 0/2 and 1/2 of 2024-03-15 merge; 1/2 of 2024-03-14 with 0/2 of
 * 2024-03-15 is refused naming both, and so is shard 0/2 given twice;
 * neither refusal writes a run into the output.
 */
static void test_merge_refusals(void **state)
{
	struct fx *fx = *state;
	char s0[160], s1[160], old1[160], out[160], bad[160];
	const char *ok_pair[2] = { s0, s1 };
	const char *days[2] = { s0, old1 };
	const char *twice[2] = { s0, s0 };
	struct rw_err err;

	snprintf(s0, sizeof(s0), "%s/s0.db", fx->dir);
	snprintf(s1, sizeof(s1), "%s/s1.db", fx->dir);
	snprintf(old1, sizeof(old1), "%s/old1.db", fx->dir);
	snprintf(out, sizeof(out), "%s/out.db", fx->dir);
	snprintf(bad, sizeof(bad), "%s/bad.db", fx->dir);
	shard_db(s0, D(2024, 3, 15), 0, 2);
	shard_db(s1, D(2024, 3, 15), 1, 2);
	shard_db(old1, D(2024, 3, 14), 1, 2);

	rw_err_clear(&err);
	assert_int_equal(rw_store_merge(out, ok_pair, 2, 1000, "2024-03-15T03:00:00Z", &err), 0);
	assert_int_equal(runs_in(out), 1);

	rw_err_clear(&err);
	assert_int_equal(rw_store_merge(bad, days, 2, 1000, "2024-03-15T03:00:00Z", &err),
			 RW_EUSAGE);
	assert_non_null(strstr(err.msg, "old1.db is as of 2024-03-14"));
	assert_non_null(strstr(err.msg, "s0.db is as of 2024-03-15"));
	assert_int_equal(runs_in(bad), 0);

	rw_err_clear(&err);
	assert_int_equal(rw_store_merge(bad, twice, 2, 1000, "2024-03-15T03:00:00Z", &err),
			 RW_EUSAGE);
	assert_non_null(strstr(err.msg, "the same shard 0/2"));
	assert_int_equal(runs_in(bad), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_transitions, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_merge_refusals, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
