/*
 * report.c - `repwatch report`: load what every format shows from the
 * database, then hand it to the format's writer.
 */
#include "reports_int.h"

#include <string.h>

static const char *const format_names[RW_NFORMATS] = {
	[RW_FMT_MD] = "md",
	[RW_FMT_HTML] = "html",
	[RW_FMT_CSV] = "csv",
	[RW_FMT_JSON] = "json",
};

void rw_report_opts_default(struct rw_report_opts *o)
{
	o->db_path = "repwatch.db";
	o->format = RW_FMT_MD;
	o->grain = "month";
	o->team = NULL;
	o->period = NULL;
	o->rep = NULL;
	o->plan_days = 90;
	o->plan_out = NULL;
}

int rw_report_format_find(const char *name)
{
	for (int i = 0; i < RW_NFORMATS; i++)
		if (!strcmp(name, format_names[i]))
			return i;
	return -1;
}

int rw_report_write(const struct rw_report_opts *opts, FILE *out,
		    struct rw_err *err)
{
	struct rw_report_data d;
	sqlite3 *db = NULL;
	int rc;

	if ((unsigned)opts->format >= RW_NFORMATS)
		return rw_err_set(err, RW_EUSAGE, "unknown report format");
	rc = rw_report_load(opts, &db, &d, err);
	if (!rc) {
		switch (opts->format) {
		case RW_FMT_MD: rc = rw_md_report(out, db, &d, err); break;
		case RW_FMT_HTML: rc = rw_html_report(out, db, &d, err); break;
		case RW_FMT_CSV: rc = rw_csv_report(out, db, &d, err); break;
		case RW_FMT_JSON: rc = rw_json_report(out, db, &d, err); break;
		default: rc = rw_err_set(err, RW_EUSAGE, "unknown report format");
		}
	}
	rw_report_data_free(&d);
	sqlite3_close(db);	/* ends the read transaction */
	if (!rc && (fflush(out) || ferror(out)))
		rc = rw_err_set(err, RW_EIO, "cannot write the report");
	return rc;
}
