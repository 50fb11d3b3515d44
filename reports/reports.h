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

enum rw_report_format { RW_FMT_MD, RW_NFORMATS };

struct rw_report_opts {
	const char *db_path;
	enum rw_report_format format;
	const char *grain;	/* "month" by default */
	const char *team;	/* NULL: all teams */
	const char *period;	/* NULL: latest complete period */
};

void rw_report_opts_default(struct rw_report_opts *o);

/* "md" -> RW_FMT_MD; -1 when unknown. */
int rw_report_format_find(const char *name);

/*
 * Render the report of the latest run in db_path to out.  Returns 0, or an
 * RW_E* code with err filled (RW_EDB when the database holds no run,
 * RW_EIO when writing fails).  Checks ferror(out) but does not close it.
 */
int rw_report_write(const struct rw_report_opts *opts, FILE *out,
		    struct rw_err *err);

#endif
