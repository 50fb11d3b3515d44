/*
 * write.c - a run's results into reps, rep_metrics and rep_trends.
 *
 * Each table has one prepared statement, reset and rebound per row; all of
 * it happens inside the run's transaction, so SQLite writes the pages once
 * at COMMIT.  NAN (an undefined metric) is always bound as NULL.
 */
#include "store_int.h"

#include <math.h>
#include <string.h>

/* Metrics that count things (unit COUNT in engine.h's table): stored as
 * integers so `SELECT won` shows 3. */
static int metric_is_count(enum rw_metric m)
{
	return rw_metric_unit(m) == RW_UNIT_COUNT;
}

/* The settings the results were computed with, on the run's row. */
static int write_settings(struct rw_store *st, const struct rw_settings *s,
			  struct rw_err *err)
{
	static const char sql[] =
		"UPDATE runs SET fiscal_start = ?1, history_periods = ?2,"
		" trend_periods = ?3, ramp_days = ?5, shard_i = ?6, shard_n = ?7"
		" WHERE run_id = ?4";
	sqlite3_stmt *stmt;
	int rc;

	rc = rw_store_prepare(st, sql, &stmt, err);
	if (rc)
		return rc;
	if (sqlite3_bind_int(stmt, 1, s->fiscal_start) ||
	    sqlite3_bind_int(stmt, 2, s->history_periods) ||
	    sqlite3_bind_int(stmt, 3, s->trend_periods) ||
	    sqlite3_bind_int64(stmt, 4, st->run_id) ||
	    sqlite3_bind_int(stmt, 5, s->ramp_days) ||
	    sqlite3_bind_int64(stmt, 6, s->shard_i) ||
	    sqlite3_bind_int64(stmt, 7, s->shard_n) ||
	    rw_store_step_done(stmt))
		rc = rw_store_dberr(st, "cannot record the run's settings", err);
	sqlite3_finalize(stmt);
	return rc;
}

/* The roster is replaced whole: reps are whoever the latest run knew. */
static int write_reps(struct rw_store *st, const struct rw_dataset *ds,
		      struct rw_err *err)
{
	static const char sql[] =
		"INSERT INTO reps(rep_id, name, email, team, manager, hire_date,"
		" end_date, unassigned) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	sqlite3_stmt *stmt;
	int rc;

	rc = rw_store_exec(st, "DELETE FROM reps", err);
	if (rc)
		return rc;
	rc = rw_store_prepare(st, sql, &stmt, err);
	if (rc)
		return rc;
	for (size_t r = 0; r < ds->nreps; r++) {
		const struct rw_rep *p = &ds->reps[r];

		if (!rw_in_shard(&ds->settings, p->team))
			continue;	/* another shard's rep */
		if (rw_store_bind_text(stmt, 1, p->id) ||
		    rw_store_bind_text(stmt, 2, p->name) ||
		    rw_store_bind_text(stmt, 3, p->email) ||
		    rw_store_bind_text(stmt, 4, p->team) ||
		    rw_store_bind_text(stmt, 5, p->manager) ||
		    rw_store_bind_day(stmt, 6, p->hire_day) ||
		    rw_store_bind_day(stmt, 7, p->end_day) ||
		    sqlite3_bind_int(stmt, 8, p->unassigned ? 1 : 0) ||
		    rw_store_step_done(stmt)) {
			rc = rw_store_dberr(st, "cannot write reps", err);
			break;
		}
	}
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * "INSERT INTO rep_metrics(<keys>, <metrics>) VALUES(?, ...)"
 * with the metric columns named by rw_metric_name(), so a metric added to
 * the engine without its schema step fails here with "no such column".
 */
static int metrics_sql(struct rw_buf *b)
{
	rw_buf_adds(b, "INSERT INTO rep_metrics(rep_id, grain, period,"
		    " period_start, period_end, partial, run_id, eligible");
	for (int m = 0; m < RW_NMETRICS; m++)
		rw_buf_addf(b, ", %s", rw_metric_name((enum rw_metric)m));
	for (int m = 0; m < RW_NMETRICS; m++)
		rw_buf_addf(b, ", %s_z, %s_pct", rw_metric_name((enum rw_metric)m),
			    rw_metric_name((enum rw_metric)m));
	rw_buf_adds(b, ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8");
	for (int m = 0; m < 3 * RW_NMETRICS; m++)
		rw_buf_addf(b, ", ?%d", 9 + m);
	rw_buf_adds(b, ")");
	return rw_buf_error(b);
}

/* The keys of one period of grain g: label, first and last day, partial. */
struct period_key {
	char label[32];
	int32_t start, last;
	int partial;
};

static void period_key_fill(struct period_key *pk, const struct rw_results *res,
			    const struct rw_settings *s, enum rw_grain g, int k)
{
	int32_t p = rw_results_first_period(res, g) + k;

	rw_period_label(g, p, s->fiscal_start, pk->label, sizeof(pk->label));
	pk->start = rw_period_start(g, p, s->fiscal_start);
	pk->last = rw_period_end(g, p, s->fiscal_start) - 1;
	pk->partial = k == rw_results_period_count(res, g) - 1;
}

static int metrics_row(sqlite3_stmt *stmt, const struct rw_results *res,
		       const struct rw_rep *rep, uint32_t r, enum rw_grain g,
		       int k, const struct period_key *pk, int64_t run_id)
{
	if (rw_store_bind_text(stmt, 1, rep->id) ||
	    rw_store_bind_text(stmt, 2, rw_grain_name(g)) ||
	    rw_store_bind_text(stmt, 3, pk->label) ||
	    rw_store_bind_day(stmt, 4, pk->start) ||
	    rw_store_bind_day(stmt, 5, pk->last) ||
	    sqlite3_bind_int(stmt, 6, pk->partial) ||
	    sqlite3_bind_int64(stmt, 7, run_id) ||
	    sqlite3_bind_int(stmt, 8, rw_results_eligible(res, r, g, k)))
		return -1;
	for (int m = 0; m < RW_NMETRICS; m++) {
		double v = rw_results_value(res, r, g, k, (enum rw_metric)m);

		if (rw_store_bind_double(stmt, 9 + m, v, metric_is_count((enum rw_metric)m)))
			return -1;
	}
	for (int m = 0; m < RW_NMETRICS; m++) {
		int at = 9 + RW_NMETRICS + 2 * m;

		if (rw_store_bind_double(stmt, at, rw_results_z(res, r, g, k, (enum rw_metric)m), 0) ||
		    rw_store_bind_double(stmt, at + 1, rw_results_pct(res, r, g, k, (enum rw_metric)m), 0))
			return -1;
	}
	return rw_store_step_done(stmt) ? -1 : 0;
}

/*
 * Replace rep_metrics with every rep x grain x period of the results.  The
 * history is recomputed in full by each run, so nothing of an earlier run
 * survives: no period that has left the window, no rep that has left the
 * roster, no stale partial flag.
 */
static int write_metrics(struct rw_store *st, const struct rw_dataset *ds,
			 const struct rw_results *res, struct rw_err *err)
{
	struct rw_buf sql;
	struct period_key pk;
	sqlite3_stmt *stmt;
	int rc;

	rc = rw_store_exec(st, "DELETE FROM rep_metrics", err);
	if (rc)
		return rc;
	rw_buf_init(&sql, 0);
	if (metrics_sql(&sql)) {
		rw_buf_release(&sql);
		return rw_err_set(err, RW_ENOMEM, "out of memory writing rep_metrics");
	}
	rc = rw_store_prepare(st, sql.data, &stmt, err);
	rw_buf_release(&sql);
	if (rc)
		return rc;
	for (int g = 0; g < RW_NGRAINS && !rc; g++) {
		int n = rw_results_period_count(res, (enum rw_grain)g);

		for (int k = 0; k < n && !rc; k++) {
			period_key_fill(&pk, res, &ds->settings, (enum rw_grain)g, k);
			for (uint32_t r = 0; r < ds->nreps; r++) {
				if (!rw_in_shard(&ds->settings, ds->reps[r].team))
					continue;
				if (metrics_row(stmt, res, &ds->reps[r], r,
						(enum rw_grain)g, k, &pk, st->run_id)) {
					rc = rw_store_dberr(st, "cannot write rep_metrics", err);
					break;
				}
			}
		}
	}
	sqlite3_finalize(stmt);
	return rc;
}

static int trend_row(sqlite3_stmt *stmt, const char *rep_id, enum rw_grain g,
		     enum rw_metric m, const struct rw_trend *t,
		     const struct rw_settings *s, int64_t run_id)
{
	const double v[] = { t->slope, t->intercept, t->r2, t->slope_p,
			     t->slope_lo, t->slope_hi, t->wslope, t->wslope_p,
			     t->ts_slope, t->mk_p, t->change, t->slope_q, t->cp_q };
	const int nv = (int)(sizeof(v) / sizeof(v[0]));
	char cp[32];

	if (rw_store_bind_text(stmt, 1, rep_id) ||
	    rw_store_bind_text(stmt, 2, rw_grain_name(g)) ||
	    rw_store_bind_text(stmt, 3, rw_metric_name(m)) ||
	    sqlite3_bind_int(stmt, 4, t->n))
		return -1;
	for (int i = 0; i < nv; i++)
		if (rw_store_bind_double(stmt, 5 + i, v[i], 0))
			return -1;
	if (t->cp_period != RW_NODAY)
		rw_period_label(g, t->cp_period, s->fiscal_start, cp, sizeof(cp));
	if (rw_store_bind_text(stmt, 5 + nv, t->cp_period == RW_NODAY ? NULL : cp))
		return -1;
	if (rw_store_bind_double(stmt, 6 + nv, t->cp_size, 0) ||
	    rw_store_bind_double(stmt, 7 + nv, t->cp_p, 0) ||
	    sqlite3_bind_int64(stmt, 8 + nv, run_id))
		return -1;
	return rw_store_step_done(stmt) ? -1 : 0;
}

/* Trends describe the latest window only, so the table is replaced whole. */
static int write_trends(struct rw_store *st, const struct rw_dataset *ds,
			const struct rw_results *res, struct rw_err *err)
{
	static const char sql[] =
		"INSERT INTO rep_trends(rep_id, grain, metric, n, slope, intercept,"
		" r2, slope_p, slope_lo, slope_hi, wslope, wslope_p, ts_slope, mk_p,"
		" change, slope_q, cp_q, cp_period, cp_size, cp_p, run_id)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		" ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)";
	sqlite3_stmt *stmt;
	int rc;

	rc = rw_store_exec(st, "DELETE FROM rep_trends", err);
	if (rc)
		return rc;
	rc = rw_store_prepare(st, sql, &stmt, err);
	if (rc)
		return rc;
	for (uint32_t r = 0; r < ds->nreps && !rc; r++) {
		if (!rw_in_shard(&ds->settings, ds->reps[r].team))
			continue;
		for (int g = 0; g < RW_NGRAINS && !rc; g++) {
			for (int m = 0; m < RW_NMETRICS; m++) {
				const struct rw_trend *t = rw_results_trend(res, r,
						(enum rw_grain)g, (enum rw_metric)m);

				if (!t || t->n < 1)
					continue;
				if (trend_row(stmt, ds->reps[r].id, (enum rw_grain)g,
					      (enum rw_metric)m, t, &ds->settings,
					      st->run_id)) {
					rc = rw_store_dberr(st, "cannot write rep_trends", err);
					break;
				}
			}
		}
	}
	sqlite3_finalize(stmt);
	return rc;
}

/* On failure the run is rolled back here: no half-written run stays open. */
/*
 * Replace team_baselines: one row per team (and "*", the company) x grain
 * x period x metric that has at least one eligible rep with a value.
 */
static int write_baselines(struct rw_store *st, const struct rw_dataset *ds,
			   const struct rw_results *res, struct rw_err *err)
{
	static const char sql[] =
		"INSERT INTO team_baselines(team, grain, period, metric, n, median,"
		" mad, p25, p75, run_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
	struct period_key pk;
	sqlite3_stmt *stmt;
	size_t nt = rw_results_team_count(res);
	int rc;

	rc = rw_store_exec(st, "DELETE FROM team_baselines", err);
	if (!rc)
		rc = rw_store_prepare(st, sql, &stmt, err);
	if (rc)
		return rc;
	for (int g = 0; g < RW_NGRAINS && !rc; g++) {
		int n = rw_results_period_count(res, (enum rw_grain)g);

		for (int k = 0; k < n && !rc; k++) {
			period_key_fill(&pk, res, &ds->settings, (enum rw_grain)g, k);
			for (size_t t = 0; t < nt && !rc; t++) {
				/* A shard writes its teams; merge computes "*". */
				if (ds->settings.shard_n &&
				    (t == nt - 1 || !rw_in_shard(&ds->settings, rw_results_team_name(res, t))))
					continue;
				for (int m = 0; m < RW_NMETRICS; m++) {
					const struct rw_baseline *b =
						rw_results_baseline(res, t, (enum rw_grain)g, k,
								    (enum rw_metric)m);

					if (!b || !b->n)
						continue;
					if (rw_store_bind_text(stmt, 1, rw_results_team_name(res, t)) ||
					    rw_store_bind_text(stmt, 2, rw_grain_name((enum rw_grain)g)) ||
					    rw_store_bind_text(stmt, 3, pk.label) ||
					    rw_store_bind_text(stmt, 4, rw_metric_name((enum rw_metric)m)) ||
					    sqlite3_bind_int(stmt, 5, b->n) ||
					    rw_store_bind_double(stmt, 6, b->median, 0) ||
					    rw_store_bind_double(stmt, 7, b->mad, 0) ||
					    rw_store_bind_double(stmt, 8, b->p25, 0) ||
					    rw_store_bind_double(stmt, 9, b->p75, 0) ||
					    sqlite3_bind_int64(stmt, 10, st->run_id) ||
					    rw_store_step_done(stmt)) {
						rc = rw_store_dberr(st, "cannot write team_baselines", err);
						break;
					}
				}
			}
		}
	}
	sqlite3_finalize(stmt);
	return rc;
}

/* Replace rep_conversions: one row per rep x grain x period x stage pair
 * with at least one deal entering the first stage. */
static int write_conversions(struct rw_store *st, const struct rw_dataset *ds,
			     const struct rw_results *res, struct rw_err *err)
{
	static const char sql[] =
		"INSERT INTO rep_conversions(rep_id, grain, period, metric, from_stage,"
		" to_stage, entered, reached, conversion, run_id)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
	size_t nc = rw_results_conv_count(res);
	struct period_key pk;
	sqlite3_stmt *stmt;
	int rc;

	rc = rw_store_exec(st, "DELETE FROM rep_conversions", err);
	if (rc || !nc)
		return rc;
	rc = rw_store_prepare(st, sql, &stmt, err);
	if (rc)
		return rc;
	for (int g = 0; g < RW_NGRAINS && !rc; g++) {
		int n = rw_results_period_count(res, (enum rw_grain)g);

		for (int k = 0; k < n && !rc; k++) {
			period_key_fill(&pk, res, &ds->settings, (enum rw_grain)g, k);
			for (uint32_t r = 0; r < ds->nreps && !rc; r++) {
				if (!rw_in_shard(&ds->settings, ds->reps[r].team))
					continue;
				for (size_t i = 0; i < nc; i++) {
					double e, h;

					rw_results_conv(res, r, (enum rw_grain)g, k, i, &e, &h);
					if (!(e > 0))
						continue;
					if (rw_store_bind_text(stmt, 1, ds->reps[r].id) ||
					    rw_store_bind_text(stmt, 2, rw_grain_name((enum rw_grain)g)) ||
					    rw_store_bind_text(stmt, 3, pk.label) ||
					    rw_store_bind_text(stmt, 4, rw_results_conv_name(res, i)) ||
					    rw_store_bind_text(stmt, 5, rw_results_conv_from(res, i)) ||
					    rw_store_bind_text(stmt, 6, rw_results_conv_to(res, i)) ||
					    sqlite3_bind_int64(stmt, 7, (sqlite3_int64)e) ||
					    sqlite3_bind_int64(stmt, 8, (sqlite3_int64)h) ||
					    sqlite3_bind_double(stmt, 9, h / e) ||
					    sqlite3_bind_int64(stmt, 10, st->run_id) ||
					    rw_store_step_done(stmt)) {
						rc = rw_store_dberr(st, "cannot write rep_conversions", err);
						break;
					}
				}
			}
		}
	}
	sqlite3_finalize(stmt);
	return rc;
}

int rw_store_write_results(struct rw_store *st, const struct rw_dataset *ds,
			   const struct rw_results *res, struct rw_err *err)
{
	int rc;

	if (!st->in_run)
		return rw_err_set(err, RW_EINTERNAL, "results written outside a run");
	rc = write_settings(st, &ds->settings, err);
	if (!rc)
		rc = write_reps(st, ds, err);
	if (!rc)
		rc = write_metrics(st, ds, res, err);
	if (!rc)
		rc = write_trends(st, ds, res, err);
	if (!rc)
		rc = write_baselines(st, ds, res, err);
	if (!rc)
		rc = write_conversions(st, ds, res, err);
	if (rc)
		rw_store_rollback_run(st);
	return rc;
}
