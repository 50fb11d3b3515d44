/*
 * reports.h - reports written from the database alone (SPEC section 7).
 *
 * Reports open the database read-only and read only the documented tables,
 * so they work from any earlier run.  Every value that came from input is
 * escaped for the output format.
 */
#ifndef RW_REPORTS_H
#define RW_REPORTS_H

#include "../common/common.h"

#include <stdio.h>

enum rw_report_format { RW_FMT_MD, RW_FMT_HTML, RW_FMT_CSV, RW_FMT_JSON, RW_NFORMATS };

struct rw_report_opts {
	const char *db_path;
	enum rw_report_format format;
	const char *grain;	/* "month" by default */
	const char *team;	/* NULL: all teams */
	const char *period;	/* NULL: latest complete period */
	const char *rep;	/* assessment: the rep (id, e-mail or name) */
	int plan_days;		/* assessment: goal deadline after as_of (90) */
	FILE *plan_out;		/* assessment: append the goals here as
				 * plans.csv rows (opened for "a+"), or NULL */
};

void rw_report_opts_default(struct rw_report_opts *o);

/* "md", "html", "csv", "json" -> RW_FMT_*; -1 when unknown. */
int rw_report_format_find(const char *name);

/*
 * Render the report of the latest run in db_path to out.  Returns 0, or an
 * RW_E* code with err filled (RW_EDB when the database holds no run,
 * RW_EIO when writing fails).  Checks ferror(out) but does not close it.
 */
int rw_report_write(const struct rw_report_opts *opts, FILE *out,
		    struct rw_err *err);

/*
 * The PIP assessment of opts->rep (SPEC section 7 "Assessment") in md,
 * html or json: the latest complete period against the team, the history
 * with each key metric's inflection period, the leading causes, whether
 * the decline is structural, the rep's plans, and at most 3 achievable
 * goals with 30/60/90-day checkpoints.  With opts->plan_out, also appends
 * each goal's checkpoints as plans.csv rows (plan_id, rep_id, start, end,
 * metric, target, baseline; the header first when the file is empty).
 * Returns 0, or RW_EUSAGE (csv, or no such rep), RW_EDB, RW_EIO.
 */
int rw_assess_write(const struct rw_report_opts *opts, FILE *out,
		    struct rw_err *err);

#endif
