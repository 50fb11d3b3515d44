/*
 * store.h - the SQLite database (SPEC section 7).
 *
 * A run is one transaction: rw_store_begin_run() takes the write lock
 * (BEGIN IMMEDIATE, waiting up to busy_ms for another run), the writers add
 * rows, rw_store_commit_run() makes it all visible at once.  Any failure,
 * or the process dying before commit, leaves the previous run's data
 * exactly as it was (SQLite's journal rolls the transaction back).
 *
 * Schema version lives in PRAGMA user_version; rw_store_open() creates or
 * migrates the schema step by step (store/schema.c).
 */
#ifndef RW_STORE_H
#define RW_STORE_H

#include "../common/common.h"
#include "../engine/engine.h"
#include "../ingest/inputs.h"	/* what a run read, not the rest of ingest */
#include "../rules/rules.h"

#include <stdint.h>

struct rw_store;

/*
 * Open (creating if needed) the database at path and bring its schema up to
 * date.  A database with user_version 0 that already holds tables is not
 * repwatch's: it is refused (RW_EDB, the tables named) before anything is
 * written to it, not even the switch to WAL.  busy_ms is how long a writer waits for another run's lock.
 * Returns 0 and *out, or an RW_E* code with err filled (*out untouched).
 * Schema creation/migration happens in its own transaction.
 */
int rw_store_open(const char *path, int busy_ms, struct rw_store **out,
		  struct rw_err *err);
void rw_store_close(struct rw_store *st);	/* NULL is a no-op */

/*
 * Rows read per input file by the latest successful run, for the
 * max_shrink check.  Sets rows[f] to -1 when unknown.  Returns 0 or code.
 */
int rw_store_last_rows(struct rw_store *st, int64_t rows[RW_NINPUTS],
		       struct rw_err *err);

/* The latest successful run, for the guards of `run` (cli/cmd_run.c). */
struct rw_last_run {
	int64_t run_id;			/* 0 when the database has no run */
	char as_of[16];			/* "YYYY-MM-DD" */
	char started[32];		/* ISO 8601 UTC timestamp */
	int present[RW_NINPUTS];	/* 1: the run read this input */
};

/*
 * Fill *last from the runs and run_inputs rows of the latest run whose
 * status is 'ok' (replays are not counted).  Returns 0 or RW_EDB/RW_EBUSY.
 */
int rw_store_last_run(struct rw_store *st, struct rw_last_run *last,
		      struct rw_err *err);

/* What a run records about itself in the runs table. */
struct rw_run_info {
	int32_t as_of;			/* day */
	const char *started;		/* ISO 8601 UTC timestamp */
	const char *config_digest;	/* hex SHA-256 of the config, or NULL */
	const struct rw_input_stats *inputs;	/* [RW_NINPUTS] (struct
					 * rw_ingest_stats.file), or NULL */
};

/*
 * Start the run's transaction and insert its runs row (status 'running'
 * inside the transaction; only 'ok' is ever visible).  Returns 0 and sets
 * *run_id, RW_EBUSY when another run holds the lock past busy_ms, or RW_EDB.
 */
int rw_store_begin_run(struct rw_store *st, const struct rw_run_info *info,
		       int64_t *run_id, struct rw_err *err);

/*
 * Replace the reps table and the rep_metrics / rep_trends rows of every
 * grain with the run's results (history is recomputed in full each night;
 * the as_of of each row is the run's).  Returns 0 or RW_EDB / RW_ENOMEM.
 */
int rw_store_write_results(struct rw_store *st, const struct rw_dataset *ds,
			   const struct rw_results *res, struct rw_err *err);

/* Set finished time and status 'ok', then COMMIT.  Returns 0 or code. */
int rw_store_commit_run(struct rw_store *st, int64_t run_id,
			const char *finished, struct rw_err *err);

/* As rw_store_commit_run() with status 'replay': a run of an earlier
 * as_of, kept as history and ignored by every "latest run" query. */
int rw_store_commit_replay(struct rw_store *st, int64_t run_id,
			   const char *finished, struct rw_err *err);

/* ROLLBACK the open run transaction, if any.  Never fails visibly. */
void rw_store_rollback_run(struct rw_store *st);

/* ---- Rules (store/alert_state.c) ------------------------------------- */

/* Insert the run's flags and plan_progress rows.  0 or RW_EDB. */
int rw_store_write_rules(struct rw_store *st, const struct rw_dataset *ds,
			 const struct rw_rules_out *out, struct rw_err *err);

/* What rw_store_update_alerts() did. */
struct rw_alert_counts {
	size_t new_alerts, escalated, repeated, resolved;
	size_t new_critical;	/* new or escalated to critical */
};

/*
 * Advance the alert of every (rule, rep) with this run's flags (SPEC
 * section 6; day = ds->settings.as_of): firing ones the run did not flag
 * resolve.  Each notification is appended to its alert's pending text in
 * the run's transaction.  Returns 0 or RW_EDB / RW_ENOMEM.
 */
int rw_store_update_alerts(struct rw_store *st, const struct rw_dataset *ds,
			   const struct rw_rules_out *out, int repeat_days,
			   struct rw_alert_counts *counts, struct rw_err *err);

/* Notifications not delivered yet (NDJSON), oldest alert order. */
struct rw_pending;

/* Read every pending notification.  0 and *out (free with
 * rw_pending_free), or a code. */
int rw_store_pending_get(struct rw_store *st, struct rw_pending **out,
			 struct rw_err *err);
/* All the lines, concatenated; valid while p lives. */
const char *rw_pending_text(const struct rw_pending *p, size_t *len);
/* Mark what p holds as delivered (in its own transaction; a line queued
 * since is kept).  0 or code. */
int rw_store_pending_clear(struct rw_store *st, const struct rw_pending *p,
			   struct rw_err *err);
void rw_pending_free(struct rw_pending *p);	/* NULL is a no-op */

/* Print the alerts (state NULL: all) of the database at path as a
 * tab-separated table.  Opens it read-only.  0 or RW_EDB. */
int rw_store_list_alerts(const char *path, const char *state, FILE *fp,
			 struct rw_err *err);

/*
 * Combine the databases of one night's shards (`run --shard I/N`) into
 * out_path in one transaction (merge.c).  Refuses shards of different
 * as_of, configuration, shard count or schema, naming both.  started is
 * the merge's ISO timestamp.  Returns 0 or an RW_E* code.
 */
int rw_store_merge(const char *out_path, const char *const *shards, int n,
		   int busy_ms, const char *started, struct rw_err *err);

/* ---- Backtests (store/backtest.c) ------------------------------------ */

/* One rule's track record over a backtest (a rule_backtest row); NAN
 * stands for NULL, note NULL when the rule was evaluated. */
struct rw_rule_track {
	const char *rule, *category;
	long fired, reps, followed;
	double precision, base_rate, lift, lead_periods;
	const char *note;
};

/* Projected against actual attainment on one day of the period. */
struct rw_projection_track {
	int day_of_period;
	long n;
	double median_abs_error, bias;
};

struct rw_backtest_info {
	const char *started;		/* ISO 8601 UTC timestamp */
	const char *from_period, *to_period;	/* "YYYY-MM" */
	const char *config_hash;	/* or NULL */
	int horizon, points;
};

/*
 * Insert one backtest with its rule and projection rows in a transaction
 * of its own (runs, flags and alerts are not touched); *id receives its
 * backtest_id.  Returns 0, RW_EBUSY or RW_EDB (nothing written).
 */
int rw_store_write_backtest(struct rw_store *st, const struct rw_backtest_info *bi,
			    const struct rw_rule_track *rules, size_t nrules,
			    const struct rw_projection_track *proj, size_t nproj,
			    int64_t *id, struct rw_err *err);

#endif
