/*
 * schema.c - the database schema as an ordered list of migrations (SPEC
 * section 7).  PRAGMA user_version counts the steps applied.  Table and
 * column names are a public contract: analysts' SQL reads them.  Columns
 * may be added by later steps, never renamed or dropped.
 */
#include "store_int.h"

#include <stdio.h>

/*
 * Version 1: runs and their inputs, the roster, per-period metrics (the
 * keys and partial first, then one column per metric of engine.h, in enum
 * order, named as SPEC names them: INTEGER for counts so that they read
 * back as integers, REAL otherwise; then each metric's _z and _pct), trends
 * and team baselines (team "*" is the company).  Dates are ISO "YYYY-MM-DD"
 * text; period_end is the last day of the period, inclusive.  Released:
 * its metric columns are engine.h's batch 1, written out and frozen here
 * rather than generated, so that no edit of the metric table can change
 * what version 1 means.
 */
static const char schema_v1[] =
	"CREATE TABLE runs("
	" run_id INTEGER PRIMARY KEY,"
	" as_of TEXT NOT NULL,"
	" started TEXT,"
	" finished TEXT,"
	" status TEXT NOT NULL,"
	" config_sha256 TEXT,"
	" fiscal_start INTEGER,"
	" history_periods INTEGER,"
	" trend_periods INTEGER,"
	" ramp_days INTEGER,"
	" shard_i INTEGER, shard_n INTEGER,"
	" inputs TEXT);\n"
	"CREATE TABLE run_inputs("
	" run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	" file TEXT NOT NULL,"
	" path TEXT,"
	" size INTEGER,"
	" sha256 TEXT,"
	" rows_read INTEGER,"
	" rows_rejected INTEGER,"
	" PRIMARY KEY(run_id, file));\n"
	"CREATE TABLE reps("
	" rep_id TEXT PRIMARY KEY,"
	" name TEXT,"
	" email TEXT,"
	" team TEXT,"
	" manager TEXT,"
	" hire_date TEXT,"
	" end_date TEXT,"
	" unassigned INTEGER);\n"
	"CREATE TABLE rep_metrics("
	" rep_id TEXT NOT NULL,"
	" grain TEXT NOT NULL,"
	" period TEXT NOT NULL,"
	" partial INTEGER NOT NULL,"
	" opps_created INTEGER, won INTEGER, lost INTEGER,"
	" win_rate REAL, win_rate_lo REAL, win_rate_hi REAL, win_rate_shrunk REAL,"
	" revenue REAL, avg_deal_size REAL, cycle_days REAL,"
	" quota REAL, attainment REAL,"
	" calls INTEGER, emails INTEGER, meetings INTEGER, first_meetings INTEGER,"
	" followup_ratio REAL, touch_gap_days REAL,"
	" open_opps INTEGER, pipeline_value REAL,"
	" stale_opps INTEGER, stale_share REAL,"
	" coverage REAL, sales_velocity REAL,"
	" projected_revenue REAL, projected_attainment REAL,"
	" icp_fit_share REAL,"
	/* Each metric's robust z-score and percentile within its team. */
	" opps_created_z REAL, opps_created_pct REAL, won_z REAL,"
	" won_pct REAL, lost_z REAL, lost_pct REAL, win_rate_z REAL,"
	" win_rate_pct REAL, win_rate_lo_z REAL, win_rate_lo_pct REAL,"
	" win_rate_hi_z REAL, win_rate_hi_pct REAL,"
	" win_rate_shrunk_z REAL, win_rate_shrunk_pct REAL,"
	" revenue_z REAL, revenue_pct REAL, avg_deal_size_z REAL,"
	" avg_deal_size_pct REAL, cycle_days_z REAL, cycle_days_pct REAL,"
	" quota_z REAL, quota_pct REAL, attainment_z REAL,"
	" attainment_pct REAL, calls_z REAL, calls_pct REAL,"
	" emails_z REAL, emails_pct REAL, meetings_z REAL,"
	" meetings_pct REAL, first_meetings_z REAL,"
	" first_meetings_pct REAL, followup_ratio_z REAL,"
	" followup_ratio_pct REAL, touch_gap_days_z REAL,"
	" touch_gap_days_pct REAL, open_opps_z REAL, open_opps_pct REAL,"
	" pipeline_value_z REAL, pipeline_value_pct REAL,"
	" stale_opps_z REAL, stale_opps_pct REAL, stale_share_z REAL,"
	" stale_share_pct REAL, coverage_z REAL, coverage_pct REAL,"
	" sales_velocity_z REAL, sales_velocity_pct REAL,"
	" projected_revenue_z REAL, projected_revenue_pct REAL,"
	" projected_attainment_z REAL, projected_attainment_pct REAL,"
	" icp_fit_share_z REAL, icp_fit_share_pct REAL,"
	" period_start TEXT,"
	" period_end TEXT,"
	" run_id INTEGER REFERENCES runs(run_id),"
	" PRIMARY KEY(rep_id, grain, period));\n"
	"CREATE INDEX rep_metrics_grain_period ON rep_metrics(grain, period);\n"
	"CREATE TABLE rep_trends("
	" rep_id TEXT NOT NULL,"
	" grain TEXT NOT NULL,"
	" metric TEXT NOT NULL,"
	" n INTEGER,"
	" slope REAL, intercept REAL, r2 REAL,"
	" slope_p REAL, slope_lo REAL, slope_hi REAL,"
	" wslope REAL, wslope_p REAL,"
	" ts_slope REAL, mk_p REAL,"
	" change REAL,"
	" cp_period TEXT, cp_size REAL, cp_p REAL,"
	" run_id INTEGER REFERENCES runs(run_id),"
	" PRIMARY KEY(rep_id, grain, metric));\n"
	"CREATE TABLE team_baselines("
	" team TEXT NOT NULL,"
	" grain TEXT NOT NULL,"
	" period TEXT NOT NULL,"
	" metric TEXT NOT NULL,"
	" n INTEGER NOT NULL,"
	" median REAL, mad REAL, p25 REAL, p75 REAL,"
	" run_id INTEGER REFERENCES runs(run_id),"
	" PRIMARY KEY(team, grain, period, metric));\n"
	/* Stage conversions conv_<A>_<B> (SPEC section 4): their names come
	 * from the data's stage names, so they are rows, not columns. */
	"CREATE TABLE rep_conversions("
	" rep_id TEXT NOT NULL,"
	" grain TEXT NOT NULL,"
	" period TEXT NOT NULL,"
	" metric TEXT NOT NULL,"
	" from_stage TEXT NOT NULL,"
	" to_stage TEXT NOT NULL,"
	" entered INTEGER NOT NULL,"
	" reached INTEGER NOT NULL,"
	" conversion REAL,"
	" run_id INTEGER REFERENCES runs(run_id),"
	" PRIMARY KEY(rep_id, grain, period, metric));\n"
	/* Rules (SPEC sections 5-7): each run's flags, the alert state per
	 * (rule, rep) across runs (category..message: the latest flag, for
	 * the resolved notification; pending: NDJSON lines not delivered
	 * yet), and the score of every plan goal per run. */
	"CREATE TABLE flags("
	" run_id INTEGER REFERENCES runs(run_id),"
	" rep_id TEXT,"
	" team TEXT,"
	" rule TEXT NOT NULL,"
	" category TEXT NOT NULL,"
	" severity TEXT NOT NULL,"
	" grain TEXT,"
	" period TEXT,"
	" message TEXT,"
	" evidence TEXT);\n"
	"CREATE INDEX flags_run ON flags(run_id, rep_id);\n"
	"CREATE TABLE alerts("
	" rule TEXT NOT NULL,"
	" rep_id TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" severity TEXT,"
	" first_seen TEXT,"
	" last_seen TEXT,"
	" last_notified TEXT,"
	" pending TEXT,"
	" category TEXT,"
	" grain TEXT,"
	" period TEXT,"
	" message TEXT,"
	" PRIMARY KEY(rule, rep_id));\n"
	"CREATE TABLE plan_progress("
	" run_id INTEGER REFERENCES runs(run_id),"
	" plan_id TEXT NOT NULL,"
	" rep_id TEXT,"
	" metric TEXT,"
	" baseline REAL, current REAL, target REAL,"
	" progress REAL, elapsed REAL, projected REAL,"
	" status TEXT);\n";

/*
 * Version 2: the revenue and attainment intervals (Fay-Feuer) with their
 * _z and _pct, whether the rep counts in the period's baselines and
 * lagging rules (eligible, 0/1), the trends' Benjamini-Hochberg q-values,
 * and the team findings (SPEC section 5): one row per team and metric
 * that most of the team's reps shifted on together, per run.
 *
 * Its rep_metrics columns are generated from engine.h's metric table
 * (schema_v2_metrics); the rest of the step is schema_v2_rest.  Step 2 is
 * not released yet, so a new metric may still join it as a new batch.
 */
static const char schema_v2_rest[] =
	"ALTER TABLE rep_trends ADD COLUMN slope_q REAL;\n"
	"ALTER TABLE rep_trends ADD COLUMN cp_q REAL;\n"
	"CREATE TABLE team_findings("
	" run_id INTEGER REFERENCES runs(run_id),"
	" team TEXT NOT NULL,"
	" manager TEXT,"
	" grain TEXT NOT NULL,"
	" metric TEXT NOT NULL,"
	" since TEXT,"
	" change REAL,"
	" p REAL,"
	" reps INTEGER,"
	" reps_down INTEGER);\n"
	"CREATE INDEX team_findings_run ON team_findings(run_id, team);\n";

/*
 * Version 3: plan checkpoints (SPEC section 5): the day of a goal's latest
 * checkpoint reached and its target, on every plan_progress row.
 */
static const char schema_v3[] =
	"ALTER TABLE plan_progress ADD COLUMN checkpoint INTEGER;\n"
	"ALTER TABLE plan_progress ADD COLUMN checkpoint_target REAL;\n";

/*
 * Version 4: views for analysts and BI tools (SPEC section 7), so that
 * Metabase, Superset or Datasette answer "who is firing now" or "each
 * rep's latest month against the team" without joining 88-column tables.
 * Views hold no data: they read whatever the latest run left.  "Latest"
 * is by period_end (labels of fiscal quarters do not sort by date) and,
 * for plans, by run_id among the runs that are not replays (a replay
 * stores history only, README "Guards of run").
 *
 * v_latest: every rep's row of the latest complete month and quarter,
 * with its team's median beside each key metric.
 */
static const char schema_v4[] =
	"CREATE VIEW v_latest AS"
	" WITH latest AS ("
	"  SELECT grain, period FROM rep_metrics m"
	"  WHERE partial = 0 AND grain IN ('month', 'quarter')"
	"   AND period_end = (SELECT MAX(period_end) FROM rep_metrics"
	"                     WHERE partial = 0 AND grain = m.grain)"
	"  GROUP BY grain, period),"
	" med AS ("
	"  SELECT team, grain, period,"
	"   MAX(CASE metric WHEN 'win_rate' THEN median END) AS win_rate,"
	"   MAX(CASE metric WHEN 'revenue' THEN median END) AS revenue,"
	"   MAX(CASE metric WHEN 'attainment' THEN median END) AS attainment,"
	"   MAX(CASE metric WHEN 'avg_deal_size' THEN median END) AS avg_deal_size,"
	"   MAX(CASE metric WHEN 'cycle_days' THEN median END) AS cycle_days,"
	"   MAX(CASE metric WHEN 'calls' THEN median END) AS calls,"
	"   MAX(CASE metric WHEN 'meetings' THEN median END) AS meetings,"
	"   MAX(CASE metric WHEN 'followup_ratio' THEN median END) AS followup_ratio,"
	"   MAX(CASE metric WHEN 'pipeline_value' THEN median END) AS pipeline_value,"
	"   MAX(CASE metric WHEN 'coverage' THEN median END) AS coverage"
	"  FROM team_baselines GROUP BY team, grain, period)"
	" SELECT m.rep_id, r.name AS rep_name, r.team, r.manager,"
	"  m.grain, m.period, m.period_start, m.period_end, m.eligible,"
	"  m.win_rate, b.win_rate AS win_rate_median,"
	"  m.revenue, b.revenue AS revenue_median,"
	"  m.attainment, b.attainment AS attainment_median,"
	"  m.avg_deal_size, b.avg_deal_size AS avg_deal_size_median,"
	"  m.cycle_days, b.cycle_days AS cycle_days_median,"
	"  m.calls, b.calls AS calls_median,"
	"  m.meetings, b.meetings AS meetings_median,"
	"  m.followup_ratio, b.followup_ratio AS followup_ratio_median,"
	"  m.pipeline_value, b.pipeline_value AS pipeline_value_median,"
	"  m.coverage, b.coverage AS coverage_median"
	" FROM rep_metrics m JOIN latest l USING (grain, period)"
	" LEFT JOIN reps r USING (rep_id)"
	" LEFT JOIN med b ON b.team = r.team AND b.grain = m.grain"
	"  AND b.period = m.period;\n"
	/* Open alerts with whom they concern; since = first_seen.  A team
	 * finding's alert is keyed by its team (rule team_shift, RW_TEAM_RULE,
	 * written out as released steps are frozen; docs/rules.md "Team
	 * findings"): no rep, and the manager of the team's latest finding. */
	"CREATE VIEW v_firing AS"
	" SELECT a.rule,"
	"  CASE WHEN a.rule = 'team_shift' THEN NULL ELSE a.rep_id END AS rep_id,"
	"  r.name AS rep_name,"
	"  CASE WHEN a.rule = 'team_shift' THEN a.rep_id ELSE r.team END AS team,"
	"  CASE WHEN a.rule = 'team_shift' THEN (SELECT f.manager"
	"   FROM team_findings f WHERE f.team = a.rep_id"
	"   ORDER BY f.run_id DESC LIMIT 1) ELSE r.manager END AS manager,"
	"  a.severity, a.category, a.first_seen AS since, a.last_seen,"
	"  a.last_notified, a.pending IS NOT NULL AS pending, a.grain,"
	"  a.period, a.message"
	" FROM alerts a LEFT JOIN reps r"
	"  ON r.rep_id = a.rep_id AND a.rule <> 'team_shift'"
	" WHERE a.state = 'firing';\n"
	/* Team (and company, team '*') medians of the key metrics per
	 * period; reps = the most reps any of them was taken over. */
	"CREATE VIEW v_team_trend AS"
	" SELECT b.team, b.grain, b.period, p.period_start, p.period_end,"
	"  p.partial, MAX(b.n) AS reps,"
	"  MAX(CASE b.metric WHEN 'win_rate' THEN b.median END) AS win_rate,"
	"  MAX(CASE b.metric WHEN 'revenue' THEN b.median END) AS revenue,"
	"  MAX(CASE b.metric WHEN 'attainment' THEN b.median END) AS attainment,"
	"  MAX(CASE b.metric WHEN 'avg_deal_size' THEN b.median END) AS avg_deal_size,"
	"  MAX(CASE b.metric WHEN 'cycle_days' THEN b.median END) AS cycle_days,"
	"  MAX(CASE b.metric WHEN 'calls' THEN b.median END) AS calls,"
	"  MAX(CASE b.metric WHEN 'meetings' THEN b.median END) AS meetings,"
	"  MAX(CASE b.metric WHEN 'followup_ratio' THEN b.median END) AS followup_ratio,"
	"  MAX(CASE b.metric WHEN 'pipeline_value' THEN b.median END) AS pipeline_value,"
	"  MAX(CASE b.metric WHEN 'coverage' THEN b.median END) AS coverage"
	" FROM team_baselines b LEFT JOIN"
	"  (SELECT grain, period, MIN(period_start) AS period_start,"
	"   MAX(period_end) AS period_end, MAX(partial) AS partial"
	"   FROM rep_metrics GROUP BY grain, period) p"
	"  ON p.grain = b.grain AND p.period = b.period"
	" GROUP BY b.team, b.grain, b.period;\n"
	/* Each plan goal's row of the latest run that scored it. */
	"CREATE VIEW v_plan_status AS"
	" SELECT pp.plan_id, pp.rep_id, r.name AS rep_name, r.team, r.manager,"
	"  pp.metric, pp.status, pp.baseline, pp.current, pp.target,"
	"  pp.progress, pp.elapsed, pp.projected, pp.checkpoint,"
	"  pp.checkpoint_target, pp.run_id, ru.as_of"
	" FROM plan_progress pp JOIN runs ru USING (run_id)"
	" LEFT JOIN reps r USING (rep_id)"
	" WHERE pp.run_id = (SELECT MAX(q.run_id) FROM plan_progress q"
	"  JOIN runs qr USING (run_id) WHERE qr.status <> 'replay'"
	"  AND q.plan_id = pp.plan_id AND q.metric IS pp.metric);\n";

/*
 * Version 5: backtests (repwatch backtest, docs/rules.md "Backtest").  One
 * backtests row per backtest; rule_backtest one row per rule (note says
 * why a rule was not evaluated, NULL when it was); projection_backtest one
 * row per day of the period.  Written in their own transaction; nothing
 * else refers to them.
 */
static const char schema_v5[] =
	"CREATE TABLE backtests ("
	" backtest_id INTEGER PRIMARY KEY,"
	" started TEXT NOT NULL,"
	" from_period TEXT NOT NULL,"
	" to_period TEXT NOT NULL,"
	" config_hash TEXT,"
	" horizon INTEGER NOT NULL,"
	" points INTEGER NOT NULL);\n"
	"CREATE TABLE rule_backtest ("
	" backtest_id INTEGER NOT NULL REFERENCES backtests(backtest_id),"
	" rule TEXT NOT NULL,"
	" category TEXT NOT NULL,"
	" fired INTEGER NOT NULL,"
	" reps INTEGER NOT NULL,"
	" followed INTEGER NOT NULL,"
	" precision REAL,"
	" base_rate REAL,"
	" lift REAL,"
	" lead_periods REAL,"
	" note TEXT,"
	" PRIMARY KEY (backtest_id, rule));\n"
	"CREATE TABLE projection_backtest ("
	" backtest_id INTEGER NOT NULL REFERENCES backtests(backtest_id),"
	" day_of_period INTEGER NOT NULL,"
	" n INTEGER NOT NULL,"
	" median_abs_error REAL,"
	" bias REAL,"
	" PRIMARY KEY (backtest_id, day_of_period));\n";

const struct rw_schema_step rw_store_schema[] = {
	{ "version 1: runs, run_inputs, reps, rep_metrics, rep_trends, team_baselines, flags, alerts, plan_progress", schema_v1 },
	{ "version 2: rep_metrics intervals and eligible, rep_trends q-values, team_findings", NULL },
	{ "version 3: plan_progress checkpoint and checkpoint_target", schema_v3 },
	{ "version 4: views v_latest, v_firing, v_team_trend, v_plan_status", schema_v4 },
	{ "version 5: backtests, rule_backtest, projection_backtest", schema_v5 },
};

const int rw_store_schema_count =
	(int)(sizeof(rw_store_schema) / sizeof(rw_store_schema[0]));

/* PRAGMA user_version of st->db into *v; 0 or RW_EDB / RW_EBUSY. */
static int schema_version(struct rw_store *st, int *v, struct rw_err *err)
{
	sqlite3_stmt *stmt;
	int rc;

	rc = rw_store_prepare(st, "PRAGMA user_version", &stmt, err);
	if (rc)
		return rc;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int(stmt, 0);
		rc = 0;
	} else {
		rc = rw_store_dberr(st, "cannot read the schema version", err);
	}
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * The rep_metrics columns of version 2, one batch of engine.h's metric
 * table after the other (batch 1 is version 1's CREATE TABLE): a batch's
 * value columns (INTEGER for counts, as in version 1), then its _z and _pct.
 * eligible came with batch 2, the intervals.  The order is the table's
 * column order, which analysts' SELECT * sees: keep it.
 */
static void schema_v2_metrics(struct rw_buf *b)
{
	int last = 0;

	for (int m = 0; m < RW_NMETRICS; m++)
		if (rw_metric_batch((enum rw_metric)m) > last)
			last = rw_metric_batch((enum rw_metric)m);
	for (int batch = 2; batch <= last; batch++) {
		for (int m = 0; m < RW_NMETRICS; m++)
			if (rw_metric_batch((enum rw_metric)m) == batch)
				rw_buf_addf(b, "ALTER TABLE rep_metrics ADD COLUMN %s %s;\n",
					    rw_metric_name((enum rw_metric)m),
					    rw_metric_unit((enum rw_metric)m) == RW_UNIT_COUNT ?
					    "INTEGER" : "REAL");
		for (int m = 0; m < RW_NMETRICS; m++)
			if (rw_metric_batch((enum rw_metric)m) == batch)
				rw_buf_addf(b, "ALTER TABLE rep_metrics ADD COLUMN %s_z REAL;\n"
					    "ALTER TABLE rep_metrics ADD COLUMN %s_pct REAL;\n",
					    rw_metric_name((enum rw_metric)m),
					    rw_metric_name((enum rw_metric)m));
		if (batch == 2)
			rw_buf_adds(b, "ALTER TABLE rep_metrics ADD COLUMN eligible INTEGER;\n");
	}
}

/* The SQL of step v (0-based) into b: the step's text, or for version 2
 * its generated rep_metrics columns and the rest.  0 or RW_ENOMEM. */
static int schema_sql(int v, struct rw_buf *b)
{
	if (rw_store_schema[v].sql) {
		rw_buf_adds(b, rw_store_schema[v].sql);
	} else {
		schema_v2_metrics(b);
		rw_buf_adds(b, schema_v2_rest);
	}
	return rw_buf_error(b);
}

/* Apply step v (0-based) inside the open transaction and record v + 1. */
static int schema_apply(struct rw_store *st, int v, struct rw_err *err)
{
	struct rw_buf sql;
	char pragma[64];
	int rc;

	rw_buf_init(&sql, 0);
	if (schema_sql(v, &sql)) {
		rw_buf_release(&sql);
		return rw_err_set(err, RW_ENOMEM, "out of memory applying schema %s",
				  rw_store_schema[v].what);
	}
	rc = sqlite3_exec(st->db, sql.data, NULL, NULL, NULL);
	rw_buf_release(&sql);
	if (rc != SQLITE_OK) {
		rw_err_set(err, RW_EDB, "cannot apply schema %s: %s",
			   rw_store_schema[v].what, sqlite3_errmsg(st->db));
		rw_err_where(err, st->path, 0, 0);
		return RW_EDB;
	}
	/* PRAGMA takes no parameters; v + 1 is a small integer of ours. */
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
	return rw_store_exec(st, pragma, err);
}

static int schema_refuse_newer(struct rw_store *st, int v, struct rw_err *err)
{
	rw_err_set(err, RW_EDB, "database schema version %d is newer than this repwatch understands (%d); use a newer repwatch", v, rw_store_schema_count);
	rw_err_where(err, st->path, 0, 0);
	return RW_EDB;
}

int rw_store_migrate(struct rw_store *st, struct rw_err *err)
{
	int v, rc;

	rc = schema_version(st, &v, err);
	if (rc)
		return rc;
	if (v > rw_store_schema_count)
		return schema_refuse_newer(st, v, err);
	while (v < rw_store_schema_count) {
		rc = rw_store_exec(st, "BEGIN IMMEDIATE", err);
		if (rc)
			return rc;
		/* Re-read under the write lock: another process may have
		 * migrated between our read and the lock. */
		rc = schema_version(st, &v, err);
		if (rc)
			goto out_rollback;
		if (v > rw_store_schema_count) {
			rc = schema_refuse_newer(st, v, err);
			goto out_rollback;
		}
		if (v < rw_store_schema_count) {
			rc = schema_apply(st, v, err);
			if (rc)
				goto out_rollback;
			v++;
		}
		rc = rw_store_exec(st, "COMMIT", err);
		if (rc)
			goto out_rollback;
	}
	return 0;

out_rollback:
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
