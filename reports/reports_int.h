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

/*
 * The key table, indexed by enum rw_key.  Which metric each key shows is
 * the reports' choice (format.c); its column, title, unit, direction and
 * weighting are the metric's line in engine.h's table, read once.
 */
const struct rw_key_info *rw_key_table(void);
#define rw_keys (rw_key_table())
/* The key whose column metric names (NULL allowed), or -1. */
int rw_key_of(const char *metric);

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

/* A row of team_findings (SPEC section 5): the one definition of a
 * team-wide shift, found by the engine; reports only show it. */
struct rw_rfinding {
	char *team, *manager, *metric, *since;
	double change, p;
	int reps, reps_down;
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
	struct rw_rfinding *findings;	/* the run's team findings */
	size_t nfindings;
	int no_activities;	/* 1: the run read no activity export, so
				 * every activity-based metric is NULL */
	char note[512];		/* rw_data_note's sentences */
};

/* The sentences that say why metrics show a dash for lack of data (no
 * activity export; an export that stops before the run's last periods),
 * once per report, or "" when the run had all its data. */
const char *rw_data_note(const struct rw_report_data *d);

/*
 * Prepare sql, whose ?1 is a run id, and bind run_id.  Returns 0 with *st
 * ready; 1 when sql does not prepare (a table an older database lacks);
 * -1 when the bind failed.  *st is NULL unless 0 is returned.
 */
int rw_report_prepare_run(sqlite3 *db, const char *sql, int64_t run_id,
			  sqlite3_stmt **st);

/* The run's finding of team on metric (a column name), or NULL. */
const struct rw_rfinding *rw_report_finding(const struct rw_report_data *d,
					    const char *team, const char *metric);

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

/* Record the connection's current error as RW_EDB ("what: message"),
 * at path when given; returns RW_EDB. */
int rw_db_fail(sqlite3 *db, const char *path, const char *what,
	       struct rw_err *err);

/* Column i of a result row as a double (NAN for NULL), and as a heap
 * string ("" for NULL; NULL when out of memory). */
double rw_col_double(sqlite3_stmt *st, int i);
char *rw_col_strdup(sqlite3_stmt *st, int i);
/* The team's manager as the rules name it: the run's team finding's, else
 * the one most of the team's reps name (ties: the first), or "". */
const char *rw_team_manager(const struct rw_report_data *d, const char *team);

/* The team's stored medians (team_baselines) of the key metrics in the
 * report's period, NAN where none: the one team median of every report
 * (the engine's, of eligible reps only).  0 or RW_EDB. */
int rw_report_team_medians(sqlite3 *db, const struct rw_report_data *d,
			   const char *team, double med[RW_NKEYS], struct rw_err *err);

/*
 * Series for charts, JSON and assessments: the complete periods of the
 * grain up to the report's period (oldest first, at most RW_MAXP), each
 * rep's key metrics over them, and each team's median and p25-p75 band
 * from team_baselines (NAN where the database has none).
 */
#define RW_MAXP 64

struct rw_rseries {
	int np;
	char labels[RW_MAXP][32];
	double *rep;		/* [rep][key][np] */
	size_t nteams;
	char **teams;		/* names, in first-seen order of d->reps */
	double *band;		/* [team][key][np][3]: median, p25, p75 */
};

int rw_report_load_series(sqlite3 *db, const struct rw_report_data *d,
			  struct rw_rseries *s, struct rw_err *err);
void rw_rseries_free(struct rw_rseries *s);
/* Index of team in s->teams, or -1. */
int rw_rseries_team(const struct rw_rseries *s, const char *team);

static inline double *rw_rep_series(const struct rw_rseries *s, size_t rep, int k)
{
	return s->rep + (rep * RW_NKEYS + (size_t)k) * (size_t)s->np;
}

static inline double *rw_band(const struct rw_rseries *s, size_t team, int k)
{
	return s->band + (team * RW_NKEYS + (size_t)k) * (size_t)s->np * 3;
}

/* A flag of the run (table flags, when the rules layer wrote one). */
struct rw_rflag {
	char *rep_id, *team, *rule, *category, *severity, *message, *evidence;
	/* The rule's track record in the database's latest backtest
	 * (rule_backtest): bt_fired -1 when there is none, or when the
	 * backtest did not evaluate the rule; precision and lift NAN when
	 * undefined. */
	int bt_fired;
	double bt_precision, bt_lift;
};

/* Load the run's flags (only rep_id's when not NULL), each with its rule's
 * latest backtest record; *n = 0 when there is no flags table. */
int rw_report_load_flags(sqlite3 *db, const struct rw_report_data *d,
			 const char *rep_id, struct rw_rflag **flags, size_t *n,
			 struct rw_err *err);
void rw_rflags_free(struct rw_rflag *f, size_t n);

/* Significance of a stored trend, and whether it is a decline of key k. */
int rw_trend_sig(const struct rw_rtrend *t);
int rw_declined(enum rw_key k, const struct rw_rtrend *t);

/*
 * The gain the best quarter of reps made over a window of len periods
 * against the base periods before it: over every series[r] (np values,
 * NULL skipped) and every window with a finite mean on both sides, the
 * 75th percentile (type 7) of mean(after) - mean(before), negated when
 * lower is better (up = 0).  NAN with fewer than 8 such windows.
 */
double rw_best_quarter_gain(const double *const *series, size_t nseries, int np,
			    int base, int len, int up);

/* Write s escaped for HTML text and attribute values. */
void rw_html_escape(FILE *fp, const char *s);
/* Write s as one CSV cell: RFC 4180 quoting, and a leading ' when it
 * would start a spreadsheet formula (= + - @ tab or CR first). */
void rw_report_csv_cell(FILE *fp, const char *s);

/* JSON builders (json.c): v as a number, null when not finite; set key of
 * obj to v (consumed), setting *bad when obj or v is NULL or it fails. */
struct json_t *rw_json_num(double v);
void rw_json_put(struct json_t *obj, const char *key, struct json_t *v, int *bad);

/* The writers of each format (md.c, html.c, csv_report.c, json.c). */
int rw_md_report(FILE *out, sqlite3 *db, const struct rw_report_data *d,
		 struct rw_err *err);
int rw_html_report(FILE *out, sqlite3 *db, const struct rw_report_data *d,
		   struct rw_err *err);
int rw_csv_report(FILE *out, sqlite3 *db, const struct rw_report_data *d,
		  struct rw_err *err);
int rw_json_report(FILE *out, sqlite3 *db, const struct rw_report_data *d,
		   struct rw_err *err);

/* HTML pieces shared by the report and the assessment (html.c): the
 * document head with its stylesheet and CSP, and one SVG chart of key k
 * for rep r (team: index in s->teams, or -1). */
void rw_html_open(FILE *fp, const char *title);
void rw_html_chart(FILE *fp, const struct rw_rseries *s, const struct rw_rrep *p,
		   size_t r, int team, enum rw_key k);

/* ▲ ▼ → · for a trend (see md.c). */
const char *rw_arrow(const struct rw_rtrend *t);

#define RW_ALPHA 0.05		/* a trend is significant when p < RW_ALPHA */

/* Format v of the given kind into out; NAN gives the em dash "—". */
void rw_fmt_value(enum rw_kind kind, double v, char *out, size_t size);
/* A slope per period of the given kind, signed ("+1.2 pts", "−3,000"). */
void rw_fmt_slope(enum rw_kind kind, double v, char *out, size_t size);
/* A relative change: -0.352 -> "−35.2%"; NAN -> "—". */
void rw_fmt_change(double v, char *out, size_t size);

/* Write s to fp escaped for Markdown text and table cells. */
void rw_md_escape(FILE *fp, const char *s);

/* Write " (id)" after a rep's name, escaped by esc, unless the name is
 * the id itself (a rep the roster does not name). */
void rw_rep_id_suffix(FILE *fp, const char *name, const char *id,
		      void (*esc)(FILE *, const char *));

/* "backtest: 71% precision, 3.9x lift over 41 firings" for flag f, or ""
 * when its rule has no backtest record. */
void rw_fmt_track(const struct rw_rflag *f, char *out, size_t size);

#endif
