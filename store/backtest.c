/*
 * backtest.c - the tables of `repwatch backtest` (schema version 5).
 *
 * A backtest is analysis, not a night: it writes its three tables in one
 * transaction and never reads or writes runs, flags or alert state, so
 * that it can run beside the nightly job's history without changing it.
 */
#include "store_int.h"

static int write_head(struct rw_store *st, const struct rw_backtest_info *bi,
		      int64_t *id, struct rw_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = rw_store_prepare(st, "INSERT INTO backtests (started, from_period, to_period, config_hash, horizon, points) VALUES (?, ?, ?, ?, ?, ?)", &s, err);

	if (rc)
		return rc;
	if (rw_store_bind_text(s, 1, bi->started) || rw_store_bind_text(s, 2, bi->from_period) ||
	    rw_store_bind_text(s, 3, bi->to_period) || rw_store_bind_text(s, 4, bi->config_hash) ||
	    sqlite3_bind_int(s, 5, bi->horizon) || sqlite3_bind_int(s, 6, bi->points))
		rc = rw_store_dberr(st, "cannot bind the backtest", err);
	else
		rc = rw_store_step_done(s) ? rw_store_dberr(st, "cannot insert the backtest", err) : 0;
	sqlite3_finalize(s);
	if (!rc)
		*id = (int64_t)sqlite3_last_insert_rowid(st->db);
	return rc;
}

static int write_rules(struct rw_store *st, int64_t id,
		       const struct rw_rule_track *r, size_t n, struct rw_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = rw_store_prepare(st, "INSERT INTO rule_backtest (backtest_id, rule, category, fired, reps, followed, precision, base_rate, lift, lead_periods, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s, err);

	for (size_t i = 0; !rc && i < n; i++) {
		if (sqlite3_bind_int64(s, 1, id) || rw_store_bind_text(s, 2, r[i].rule) ||
		    rw_store_bind_text(s, 3, r[i].category) || sqlite3_bind_int64(s, 4, r[i].fired) ||
		    sqlite3_bind_int64(s, 5, r[i].reps) || sqlite3_bind_int64(s, 6, r[i].followed) ||
		    rw_store_bind_double(s, 7, r[i].precision, 0) || rw_store_bind_double(s, 8, r[i].base_rate, 0) ||
		    rw_store_bind_double(s, 9, r[i].lift, 0) || rw_store_bind_double(s, 10, r[i].lead_periods, 0) ||
		    rw_store_bind_text(s, 11, r[i].note))
			rc = rw_store_dberr(st, "cannot bind a rule_backtest row", err);
		else
			rc = rw_store_step_done(s) ? rw_store_dberr(st, "cannot insert a rule_backtest row", err) : 0;
	}
	sqlite3_finalize(s);
	return rc;
}

static int write_proj(struct rw_store *st, int64_t id,
		      const struct rw_projection_track *p, size_t n, struct rw_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = rw_store_prepare(st, "INSERT INTO projection_backtest (backtest_id, day_of_period, n, median_abs_error, bias) VALUES (?, ?, ?, ?, ?)", &s, err);

	for (size_t i = 0; !rc && i < n; i++) {
		if (sqlite3_bind_int64(s, 1, id) || sqlite3_bind_int(s, 2, p[i].day_of_period) ||
		    sqlite3_bind_int64(s, 3, p[i].n) || rw_store_bind_double(s, 4, p[i].median_abs_error, 0) ||
		    rw_store_bind_double(s, 5, p[i].bias, 0))
			rc = rw_store_dberr(st, "cannot bind a projection_backtest row", err);
		else
			rc = rw_store_step_done(s) ? rw_store_dberr(st, "cannot insert a projection_backtest row", err) : 0;
	}
	sqlite3_finalize(s);
	return rc;
}

int rw_store_write_backtest(struct rw_store *st, const struct rw_backtest_info *bi,
			    const struct rw_rule_track *rules, size_t nrules,
			    const struct rw_projection_track *proj, size_t nproj,
			    int64_t *id, struct rw_err *err)
{
	int rc = rw_store_exec(st, "BEGIN IMMEDIATE", err);

	if (rc)
		return rc;
	rc = write_head(st, bi, id, err);
	if (!rc)
		rc = write_rules(st, *id, rules, nrules, err);
	if (!rc)
		rc = write_proj(st, *id, proj, nproj, err);
	if (!rc)
		rc = rw_store_exec(st, "COMMIT", err);
	if (rc)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
