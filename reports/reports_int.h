/*
 * reports_int.h - what the report writers share: the data a report shows,
 * loaded from the database once (load.c), and the formatting helpers
 * (format.c).  Private to reports/.
 */
#ifndef RW_REPORTS_INT_H
#define RW_REPORTS_INT_H

#include "reports.h"

#include <sqlite3.h>
#include <stdint.h>

/* How a value is printed. */
enum rw_kind {
	RW_K_PCT,	/* share: 0.375 -> "37.5%" */
	RW_K_MONEY,	/* amount: 45000 -> "45,000" */
	RW_K_DAYS,	/* days: 5 -> "5.0 d" */
	RW_K_COUNT	/* whole number */
};

/* The key metrics a report shows, in column order. */
enum rw_key {
	RW_K_WIN_RATE,
	RW_K_REVENUE,
	RW_K_ATTAINMENT,
	RW_K_FOLLOWUP,
	RW_K_TOUCH_GAP,
	RW_K_STALE,
	RW_K_PIPELINE,
	RW_K_MEETINGS,
	RW_NKEYS
};

struct rw_key_info {
	const char *column;	/* rep_metrics / rep_trends metric name */
	const char *title;	/* column heading */
	enum rw_kind kind;
	int up_is_good;		/* 1: a rise is an improvement */
	int ratio;		/* 1: the weighted trend is the honest one */
};

extern const struct rw_key_info rw_keys[RW_NKEYS];

/* A trend as stored in rep_trends (NAN where NULL). */
struct rw_rtrend {
	int n;			/* 0 when no row */
	double slope, p;	/* weighted slope and p for ratios when present */
	double change;
	char cp_period[32];	/* "" when no significant shift */
	double cp_size;
};

struct rw_rrep {
	char *id, *name, *team, *manager, *hire_date, *end_date;
	int has_row;		/* 1 when the period has a rep_metrics row */
	double won, lost, lo, hi, quota;
	double v[RW_NKEYS];
	struct rw_rtrend tr[RW_NKEYS];
};

struct rw_report_data {
	int64_t run_id;
	char as_of[16], finished[40];
	int trend_periods;
	char grain[16];
	char period[32];	/* the period shown: latest complete one */
	char period_start[16];
	size_t nreps;
	struct rw_rrep *reps;	/* ordered by team, then name */
	size_t nleft;		/* departed before the period; not shown */
};

/*
 * Open db_path read-only and load the report's data.  Returns 0, or an
 * RW_E* code (RW_EDB: no such database, no completed run, no complete
 * period of the grain).  *dbp receives the open connection for further
 * queries (series); close it with sqlite3_close() and free d with
 * rw_report_data_free() in any case.
 */
int rw_report_load(const struct rw_report_opts *opts, sqlite3 **dbp,
		   struct rw_report_data *d, struct rw_err *err);
void rw_report_data_free(struct rw_report_data *d);

/*
 * The last n complete periods of grain up to and including d->period for
 * rep (labels and values, oldest first; values NAN when NULL).  For team
 * != NULL the values are the median over the team's reps instead.
 * Returns the count filled (<= n) or -1 with err set.
 */
int rw_report_series(sqlite3 *db, const struct rw_report_data *d,
		     const char *rep, const char *team, enum rw_key k, int n,
		     char labels[][32], double *vals, struct rw_err *err);

/* Format v of the given kind into out; NAN gives the em dash "—". */
void rw_fmt_value(enum rw_kind kind, double v, char *out, size_t size);
/* A slope per period of the given kind, signed ("+1.2 pts", "−3,000"). */
void rw_fmt_slope(enum rw_kind kind, double v, char *out, size_t size);
/* A relative change: -0.352 -> "−35.2%"; NAN -> "—". */
void rw_fmt_change(double v, char *out, size_t size);

/* Write s to fp escaped for Markdown text and table cells. */
void rw_md_escape(FILE *fp, const char *s);

/* Median of the finite values among v[0..n) (reordered); NAN when none. */
double rw_median(double *v, size_t n);

#endif
