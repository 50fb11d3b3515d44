/*
 * backtest.c - the tables of `repwatch backtest` (schema version 4).
 *
 * A backtest is analysis, not a night: it writes its three tables in one
 * transaction and never reads or writes runs, flags or alert state, so
 * that it can run beside the nightly job's history without changing it.
 */
#include "store_int.h"

#include <math.h>

static int bind_real(sqlite3_stmt *stmt, int i, double v)
{
	return isfinite(v) ? sqlite3_bind_double(stmt, i, v) : sqlite3_bind_null(stmt, i);
}

static int bind_str(sqlite3_stmt *stmt, int i, const char *s)
{
	return s ? sqlite3_bind_text(stmt, i, s, -1, SQLITE_TRANSIENT)
		 : sqlite3_bind_null(stmt, i);
}

/* Step stmt once and reset it; 0 or the dberr. */
static int step_once(struct rw_store *st, sqlite3_stmt *stmt, const char *what,
		     struct rw_err *err)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc == SQLITE_DONE ? 0 : rw_store_dberr(st, what, err);
}

static int write_head(struct rw_store *st, const struct rw_backtest_info *bi,
		      int64_t *id, struct rw_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = rw_store_prepare(st, "INSERT INTO backtests (started, from_period, to_period, config_hash, horizon, points) VALUES (?, ?, ?, ?, ?, ?)", &s, err);

	if (rc)
		return rc;
	if (bind_str(s, 1, bi->started) || bind_str(s, 2, bi->from_period) ||
	    bind_str(s, 3, bi->to_period) || bind_str(s, 4, bi->config_hash) ||
	    sqlite3_bind_int(s, 5, bi->horizon) || sqlite3_bind_int(s, 6, bi->points))
		rc = rw_store_dberr(st, "cannot bind the backtest", err);
	else
		rc = step_once(st, s, "cannot insert the backtest", err);
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
		if (sqlite3_bind_int64(s, 1, id) || bind_str(s, 2, r[i].rule) ||
		    bind_str(s, 3, r[i].category) || sqlite3_bind_int64(s, 4, r[i].fired) ||
		    sqlite3_bind_int64(s, 5, r[i].reps) || sqlite3_bind_int64(s, 6, r[i].followed) ||
		    bind_real(s, 7, r[i].precision) || bind_real(s, 8, r[i].base_rate) ||
		    bind_real(s, 9, r[i].lift) || bind_real(s, 10, r[i].lead_periods) ||
		    bind_str(s, 11, r[i].note))
			rc = rw_store_dberr(st, "cannot bind a rule_backtest row", err);
		else
			rc = step_once(st, s, "cannot insert a rule_backtest row", err);
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
		    sqlite3_bind_int64(s, 3, p[i].n) || bind_real(s, 4, p[i].median_abs_error) ||
		    bind_real(s, 5, p[i].bias))
			rc = rw_store_dberr(st, "cannot bind a projection_backtest row", err);
		else
			rc = step_once(st, s, "cannot insert a projection_backtest row", err);
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
