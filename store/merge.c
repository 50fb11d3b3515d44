/*
 * merge.c - `repwatch merge OUT.db SHARD.db...` (SPEC section 8): the
 * databases of a run split by team (`run --shard I/N`) combined into one
 * that equals a single-machine run.  Teams are independent: each shard's
 * reps, metrics, trends, team baselines, conversions, flags, plan scores
 * and alert state are copied as they are; the company row "*" of
 * team_baselines, which needs every rep, is recomputed from the merged
 * rep_metrics with the engine's eligibility rule.  All of it is one
 * transaction on OUT.  Shards of different as_of, settings or schema are
 * refused, naming both.
 */
#include "store_int.h"

#include <math.h>
#include <string.h>

/* What must agree between shards. */
struct shard_run {
	int64_t run_id;
	char as_of[16], config[80];
	int fiscal_start, history_periods, trend_periods, ramp_days;
	int64_t shard_i, shard_n;
	int version;
};

static int read_shard(const char *path, struct shard_run *r, struct rw_err *err)
{
	static const char sql[] =
		"SELECT run_id, as_of, ifnull(config_sha256, ''), fiscal_start,"
		" history_periods, trend_periods, ramp_days, ifnull(shard_i, 0),"
		" ifnull(shard_n, 0) FROM runs WHERE status = 'ok'"
		" ORDER BY run_id DESC LIMIT 1";
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = rw_err_set(err, RW_EDB, "cannot read the shard database: %s",
				db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	r->version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = rw_err_set(err, RW_EDB, "not a repwatch database: %s", sqlite3_errmsg(db));
		goto out;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = rw_err_set(err, RW_EDB, "the shard database holds no completed run");
		goto out;
	}
	r->run_id = sqlite3_column_int64(st, 0);
	snprintf(r->as_of, sizeof(r->as_of), "%s", (const char *)sqlite3_column_text(st, 1));
	snprintf(r->config, sizeof(r->config), "%s", (const char *)sqlite3_column_text(st, 2));
	r->fiscal_start = sqlite3_column_int(st, 3);
	r->history_periods = sqlite3_column_int(st, 4);
	r->trend_periods = sqlite3_column_int(st, 5);
	r->ramp_days = sqlite3_column_int(st, 6);
	r->shard_i = sqlite3_column_int64(st, 7);
	r->shard_n = sqlite3_column_int64(st, 8);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (rc)
		rw_err_where(err, path, 0, 0);
	return rc;
}

/* Refuse shards that are not parts of one run. */
static int check_shards(const char *const *paths, struct shard_run *r, int n,
			struct rw_err *err)
{
	for (int i = 0; i < n; i++) {
		int rc = read_shard(paths[i], &r[i], err);

		if (rc)
			return rc;
		if (r[i].version != rw_store_schema_count)
			return rw_err_set(err, RW_EUSAGE, "%s has schema version %d, this program %d",
					  paths[i], r[i].version, rw_store_schema_count);
		if (!i)
			continue;
		if (strcmp(r[i].as_of, r[0].as_of))
			return rw_err_set(err, RW_EUSAGE, "%s is as of %s but %s is as of %s: "
					  "shards of one night only", paths[i], r[i].as_of,
					  paths[0], r[0].as_of);
		if (strcmp(r[i].config, r[0].config) || r[i].fiscal_start != r[0].fiscal_start ||
		    r[i].history_periods != r[0].history_periods ||
		    r[i].trend_periods != r[0].trend_periods || r[i].ramp_days != r[0].ramp_days)
			return rw_err_set(err, RW_EUSAGE, "%s was run with another configuration than %s",
					  paths[i], paths[0]);
		if (r[i].shard_n != r[0].shard_n)
			return rw_err_set(err, RW_EUSAGE, "%s is a shard of %lld but %s of %lld",
					  paths[i], (long long)r[i].shard_n, paths[0],
					  (long long)r[0].shard_n);
		for (int j = 0; j < i; j++)
			if (r[j].shard_i == r[i].shard_i)
				return rw_err_set(err, RW_EUSAGE, "%s and %s are the same shard %lld/%lld",
						  paths[j], paths[i], (long long)r[i].shard_i,
						  (long long)r[i].shard_n);
	}
	return 0;
}

/* One copy: rows of sel (on the shard) into ins (on out), value by value. */
struct copy {
	const char *sel;	/* on the shard; ?1 its run, ?2 the merged run */
	const char *ins;	/* on out: "INSERT ... INTO t" (VALUES added) */
	int first_only;		/* only from shard 0 */
};

static const struct copy copies[] = {
	{ "SELECT * FROM reps", "INSERT INTO reps", 0 },
	{ "SELECT * FROM rep_metrics", "INSERT INTO rep_metrics", 0 },
	{ "SELECT * FROM rep_trends", "INSERT INTO rep_trends", 0 },
	{ "SELECT * FROM team_baselines WHERE team <> '*'", "INSERT INTO team_baselines", 0 },
	{ "SELECT * FROM rep_conversions", "INSERT INTO rep_conversions", 0 },
	{ "SELECT ?2, rep_id, team, rule, category, severity, grain, period, message,"
	  " evidence FROM flags WHERE run_id = ?1",
	  "INSERT INTO flags(run_id, rep_id, team, rule, category, severity, grain,"
	  " period, message, evidence)", 0 },
	{ "SELECT ?2, plan_id, rep_id, metric, baseline, current, target, progress,"
	  " elapsed, projected, status, checkpoint, checkpoint_target"
	  " FROM plan_progress WHERE run_id = ?1",
	  "INSERT INTO plan_progress(run_id, plan_id, rep_id, metric, baseline, current,"
	  " target, progress, elapsed, projected, status, checkpoint, checkpoint_target)", 0 },
	/* Alert memory: each shard's own reps. */
	{ "SELECT * FROM alerts WHERE rep_id IN (SELECT rep_id FROM reps)",
	  "INSERT OR REPLACE INTO alerts", 0 },
	/* Team findings and their alerts (keyed by team): each shard's own
	 * teams. */
	{ "SELECT ?2, team, manager, grain, metric, since, change, p, reps,"
	  " reps_down FROM team_findings WHERE run_id = ?1",
	  "INSERT INTO team_findings(run_id, team, manager, grain, metric, since,"
	  " change, p, reps, reps_down)", 0 },
	{ "SELECT * FROM alerts WHERE rule = 'team_shift' AND rep_id IN"
	  " (SELECT team FROM reps)",
	  "INSERT OR REPLACE INTO alerts", 0 },
	/* Shard 0 also carries the alerts of reps no longer on any roster, and
	 * the inputs every shard read (for the next night's max_shrink). */
	{ "SELECT * FROM alerts", "INSERT OR IGNORE INTO alerts", 1 },
	{ "SELECT ?2, file, path, size, sha256, rows_read, rows_rejected"
	  " FROM run_inputs WHERE run_id = ?1",
	  "INSERT INTO run_inputs(run_id, file, path, size, sha256, rows_read,"
	  " rows_rejected)", 1 },
};

static int copy_rows(struct rw_store *st, sqlite3 *src, const struct copy *c,
		     int64_t shard_run, int64_t run_id, struct rw_err *err)
{
	sqlite3_stmt *sel = NULL, *ins = NULL;
	struct rw_buf sql;
	int rc = 0, n, step;

	if (sqlite3_prepare_v2(src, c->sel, -1, &sel, NULL) != SQLITE_OK)
		return rw_err_set(err, RW_EDB, "cannot read the shard: %s", sqlite3_errmsg(src));
	for (int i = 1; i <= sqlite3_bind_parameter_count(sel); i++)
		if (sqlite3_bind_int64(sel, i, i == 1 ? shard_run : run_id)) {
			sqlite3_finalize(sel);
			return rw_err_set(err, RW_EDB, "cannot read the shard: %s", sqlite3_errmsg(src));
		}
	n = sqlite3_column_count(sel);
	rw_buf_init(&sql, 1 << 16);
	rw_buf_addf(&sql, "%s VALUES(", c->ins);
	for (int i = 0; i < n; i++)
		rw_buf_adds(&sql, i ? ", ?" : "?");
	rw_buf_adds(&sql, ")");
	if (rw_buf_error(&sql))
		rc = rw_err_set(err, RW_ENOMEM, "out of memory merging");
	else
		rc = rw_store_prepare(st, sql.data, &ins, err);
	rw_buf_release(&sql);
	while (!rc && (step = sqlite3_step(sel)) == SQLITE_ROW) {
		for (int i = 0; i < n && !rc; i++)
			if (sqlite3_bind_value(ins, i + 1, sqlite3_column_value(sel, i)))
				rc = rw_store_dberr(st, "cannot copy the shard", err);
		if (!rc && (rw_store_step_done(ins)))
			rc = rw_store_dberr(st, "cannot copy the shard", err);
	}
	if (!rc && step != SQLITE_DONE)
		rc = rw_err_set(err, RW_EDB, "cannot read the shard: %s", sqlite3_errmsg(src));
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	return rc;
}

/* Copy one shard's rows into out, in out's open transaction. */
static int copy_shard(struct rw_store *st, const char *path, int64_t shard_run,
		      int64_t run_id, int first, struct rw_err *err)
{
	size_t ncopies = sizeof(copies) / sizeof(copies[0]);
	sqlite3 *src = NULL;
	int rc = 0;

	if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		rc = rw_err_set(err, RW_EDB, "cannot open the shard: %s",
				src ? sqlite3_errmsg(src) : "out of memory");
	/* One read transaction: the shard is seen whole. */
	else if (sqlite3_exec(src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		rc = rw_err_set(err, RW_EDB, "cannot read the shard: %s", sqlite3_errmsg(src));
	for (size_t i = 0; !rc && i < ncopies; i++)
		if (first || !copies[i].first_only)
			rc = copy_rows(st, src, &copies[i], shard_run, run_id, err);
	sqlite3_close(src);
	if (rc)
		rw_err_where(err, path, 0, 0);
	return rc;
}

/*
 * Team "*" of team_baselines from the merged rep_metrics: per grain,
 * period and metric, the baseline of the eligible reps' values: the
 * rows the engine marked eligible (rw_results_eligible), so the merge
 * never keeps a second copy of that rule.
 */
static int company_baselines(struct rw_store *st, int64_t run_id,
			     struct rw_err *err)
{
	static const char ins[] =
		"INSERT INTO team_baselines(team, grain, period, metric, n, median, mad,"
		" p25, p75, run_id) VALUES('*', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	struct rw_buf sql;
	sqlite3_stmt *sel = NULL, *put = NULL;
	double *v = NULL, *p2;
	size_t cap = 0;
	int rc = 0;

	rw_buf_init(&sql, 1 << 16);
	/* Column names are the engine's metric names: program text, not input. */
	rw_buf_adds(&sql, "SELECT m.grain, m.period");
	for (int m = 0; m < RW_NMETRICS; m++)
		rw_buf_addf(&sql, ", m.%s", rw_metric_name((enum rw_metric)m));
	rw_buf_adds(&sql, " FROM rep_metrics m JOIN reps r USING (rep_id)"
		    " WHERE m.eligible = 1"
		    " ORDER BY m.grain, m.period_start, m.period");
	if (rw_buf_error(&sql)) {
		rw_buf_release(&sql);
		return rw_err_set(err, RW_ENOMEM, "out of memory merging");
	}
	rc = rw_store_prepare(st, sql.data, &sel, err);
	rw_buf_release(&sql);
	if (!rc)
		rc = rw_store_prepare(st, ins, &put, err);
	if (rc)
		goto out;
	/* Rows come grouped by (grain, period): collect, then one baseline
	 * per metric at each group's end. */
	{
		char grain[16] = "", period[32] = "";
		size_t nrows = 0;
		int step;

		do {
			const char *g = NULL, *p = NULL;

			step = sqlite3_step(sel);
			if (step == SQLITE_ROW) {
				g = (const char *)sqlite3_column_text(sel, 0);
				p = (const char *)sqlite3_column_text(sel, 1);
			} else if (step != SQLITE_DONE) {
				rc = rw_store_dberr(st, "cannot read rep_metrics", err);
				break;
			}
			if (nrows && (step == SQLITE_DONE || strcmp(g, grain) || strcmp(p, period))) {
				double *col = rw_reallocarray(NULL, nrows, sizeof(*col));

				if (!col) {
					rc = rw_err_set(err, RW_ENOMEM, "out of memory merging");
					break;
				}
				for (int m = 0; m < RW_NMETRICS && !rc; m++) {
					struct rw_baseline b;

					for (size_t i = 0; i < nrows; i++)
						col[i] = v[i * RW_NMETRICS + (size_t)m];
					rw_baseline_of(col, nrows, &b);
					if (!b.n)
						continue;
					if (rw_store_bind_text(put, 1, grain) ||
					    rw_store_bind_text(put, 2, period) ||
					    rw_store_bind_text(put, 3, rw_metric_name((enum rw_metric)m)) ||
					    sqlite3_bind_int(put, 4, b.n) ||
					    sqlite3_bind_double(put, 5, b.median) ||
					    sqlite3_bind_double(put, 6, b.mad) ||
					    sqlite3_bind_double(put, 7, b.p25) ||
					    sqlite3_bind_double(put, 8, b.p75) ||
					    sqlite3_bind_int64(put, 9, run_id) ||
					    rw_store_step_done(put))
						rc = rw_store_dberr(st, "cannot write team_baselines", err);
				}
				rw_free(col);
				nrows = 0;
			}
			if (rc || step != SQLITE_ROW)
				break;
			/* One row of RW_NMETRICS values per (grain, period, rep). */
			p2 = rw_grow(v, &cap, nrows + 1, RW_NMETRICS * sizeof(*v));
			if (!p2) {
				rc = rw_err_set(err, RW_ENOMEM, "out of memory merging");
				break;
			}
			v = p2;
			snprintf(grain, sizeof(grain), "%s", g);
			snprintf(period, sizeof(period), "%s", p);
			for (int m = 0; m < RW_NMETRICS; m++)
				v[nrows * RW_NMETRICS + (size_t)m] =
					sqlite3_column_type(sel, 2 + m) == SQLITE_NULL ? NAN :
					sqlite3_column_double(sel, 2 + m);
			nrows++;
		} while (1);
	}
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(put);
	rw_free(v);
	return rc;
}

int rw_store_merge(const char *out_path, const char *const *shards, int n,
		   int busy_ms, const char *started, struct rw_err *err)
{
	static const char *const clear[] = {
		"DELETE FROM reps", "DELETE FROM rep_metrics", "DELETE FROM rep_trends",
		"DELETE FROM team_baselines", "DELETE FROM rep_conversions",
	};
	static const char *const own_run[] = {
		"UPDATE rep_metrics SET run_id = ?1", "UPDATE rep_trends SET run_id = ?1",
		"UPDATE team_baselines SET run_id = ?1", "UPDATE rep_conversions SET run_id = ?1",
	};
	struct shard_run *r;
	struct rw_store *st = NULL;
	sqlite3_stmt *stmt = NULL;
	int64_t run_id = 0;
	int rc;

	if (n < 1)
		return rw_err_set(err, RW_EUSAGE, "merge: no shard databases");
	r = rw_calloc((size_t)n, sizeof(*r));
	if (!r)
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	rc = check_shards(shards, r, n, err);
	if (!rc)
		rc = rw_store_open(out_path, busy_ms, &st, err);
	if (!rc)
		rc = rw_store_exec(st, "BEGIN IMMEDIATE", err);
	if (rc)
		goto out;
	st->in_run = 1;
	rc = rw_store_prepare(st, "INSERT INTO runs(as_of, started, finished, status,"
			      " config_sha256, fiscal_start, history_periods, trend_periods,"
			      " ramp_days, shard_i, shard_n, inputs) VALUES(?1, ?2, ?2, 'ok',"
			      " nullif(?3, ''), ?4, ?5, ?6, ?7, NULL, ?8, 'merged')", &stmt, err);
	if (!rc && (rw_store_bind_text(stmt, 1, r[0].as_of) ||
		    rw_store_bind_text(stmt, 2, started) ||
		    rw_store_bind_text(stmt, 3, r[0].config) ||
		    sqlite3_bind_int(stmt, 4, r[0].fiscal_start) ||
		    sqlite3_bind_int(stmt, 5, r[0].history_periods) ||
		    sqlite3_bind_int(stmt, 6, r[0].trend_periods) ||
		    sqlite3_bind_int(stmt, 7, r[0].ramp_days) ||
		    sqlite3_bind_int64(stmt, 8, r[0].shard_n) ||
		    rw_store_step_done(stmt)))
		rc = rw_store_dberr(st, "cannot record the merge", err);
	sqlite3_finalize(stmt);
	stmt = NULL;
	run_id = sqlite3_last_insert_rowid(st->db);
	for (size_t i = 0; !rc && i < sizeof(clear) / sizeof(clear[0]); i++)
		rc = rw_store_exec(st, clear[i], err);
	for (int i = 0; !rc && i < n; i++)
		rc = copy_shard(st, shards[i], r[i].run_id, run_id, r[i].shard_i == 0, err);
	for (size_t i = 0; !rc && i < sizeof(own_run) / sizeof(own_run[0]); i++) {
		rc = rw_store_prepare(st, own_run[i], &stmt, err);
		if (!rc && (sqlite3_bind_int64(stmt, 1, run_id) || rw_store_step_done(stmt)))
			rc = rw_store_dberr(st, "cannot merge", err);
		sqlite3_finalize(stmt);
		stmt = NULL;
	}
	if (!rc)
		rc = company_baselines(st, run_id, err);
	if (!rc)
		rc = rw_store_exec(st, "COMMIT", err);
	if (!rc)
		st->in_run = 0;
out:
	if (st && st->in_run)
		rw_store_rollback_run(st);
	rw_store_close(st);
	rw_free(r);
	return rc;
}
