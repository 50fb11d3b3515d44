/*
 * backtest.h - what the files of `repwatch backtest` share: the command
 * (cmd_backtest.c: options and the run), the replay (backtest_replay.c:
 * ingest once, the dataset of each day, the nights), the outcomes and
 * scores (backtest_score.c) and the report (backtest_report.c).
 */
#ifndef RW_BACKTEST_H
#define RW_BACKTEST_H

#include "cli.h"
#include "../store/store.h"

#include <stdint.h>
#include <stdio.h>

enum { BT_MD, BT_HTML, BT_JSON, BT_CSV };

/* One activity as ingest handed it to the master dataset. */
struct bt_act {
	uint32_t rep, opp;
	int32_t day;
	enum rw_act_type type;
};

struct bt_acts {
	struct bt_act *v;
	size_t n, cap;
	int oom;
};

/* A dataset of one day and the master's rep index of each of its reps. */
struct bt_view {
	struct rw_dataset *ds;
	uint32_t *rep_of;	/* view rep -> master rep */
	uint32_t *view_rep;	/* master rep -> view rep or RW_NONE */
};

/* One rep-period a rule judged at some point: fired or not. */
struct bt_judged {
	uint32_t rule, rep;	/* master rep */
	int32_t period;		/* judged period, rule's grain */
	int point;		/* first point that judged it */
	int fired;
};

struct bt_args {
	struct rw_config cfg;
	const char *config_path, *db_path, *out_path, *night_db;
	int32_t from_m, to_m;	/* month indexes */
	int horizon, format, quiet, jobs;
};

struct bt_state {
	struct bt_args *a;
	struct rw_dataset *master;
	struct bt_acts acts;
	int npoints;
	int32_t *as_of;			/* per point */
	unsigned char *lagging;		/* [point * nreps + master rep] */
	struct bt_judged *j;
	size_t nj, jcap;
	double *perr;			/* projection errors per day of quarter */
	size_t nperr, perrcap;
	int *pday;
	struct bt_view truth;
	struct rw_results *truth_res;
	struct rw_memo *memo;		/* the quantiles every night shares */
	struct rw_rule_track *tracks;
	size_t ntracks;
	char (*notes)[64];
};

/* Free a day's dataset and its rep maps (the struct itself is the caller's). */
void rw_bt_view_free(struct bt_view *v);
/* First and last day any row of the exports is dated. */
void rw_bt_data_span(const struct bt_state *b, int32_t *lo, int32_t *hi);
/* Ingest's on_activity hook: keep the activity aside (arg: the struct
 * bt_acts) for the datasets of the replay points. */
void rw_bt_on_activity(void *arg, uint32_t rep, uint32_t opp, int32_t day,
		       enum rw_act_type type);
/*
 * The truth night: every day of the data (as_of its last day), with
 * history long enough that every period a replay judged, and the horizon
 * after it, is kept at every grain.
 */
int rw_bt_truth(struct bt_state *b, int32_t last_day, struct rw_err *err);
/*
 * Replay every point.  The nights are independent, so with jobs > 1 the
 * points are shared with jobs - 1 forked workers (processes, not threads:
 * the engine and the rules' SQLite handle are not shared), each sending
 * back only what it recorded.  A worker that fails leaves its points to
 * this process, so the result never depends on the jobs.
 */
int rw_bt_replay(struct bt_state *b, int jobs, struct rw_err *err);
/* Every rule's track record from the judged rep-periods and the truth
 * night (b->tracks); 0 or RW_ENOMEM. */
int rw_bt_score(struct bt_state *b);
/* Median of v[0..n) (sorted in place); NAN when n is 0. */
double rw_bt_median(double *v, size_t n);
/* Write the report (--format, --out) and, with --db, the tables in their
 * own transaction. */
int rw_bt_output(struct bt_state *b, const char *started, double secs,
		 struct rw_err *err);
/* "YYYY-MM" of month index m. */
void rw_bt_month_label(int32_t m, char *out, size_t size);

#endif
