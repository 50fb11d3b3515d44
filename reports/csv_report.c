/*
 * csv_report.c - the CSV report: one row per rep x period x metric of the
 * grain, with the value, its z-score and its percentile within the team,
 * for spreadsheets.  Every metric column of rep_metrics is included, found
 * from the table itself so that metrics added later appear without a
 * change here.  Text from input (ids, names, teams) is escaped against
 * formula injection; NULL is an empty cell.
 */
#include "reports_int.h"

#include <math.h>
#include <string.h>

#define MAX_METRICS 256

/* Columns of rep_metrics that are keys or companions, not metrics. */
static int is_metric_column(const char *c)
{
	static const char *const keys[] = {
		"rep_id", "grain", "period", "partial", "period_start",
		"period_end", "run_id",
	};
	size_t n = strlen(c);

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(c, keys[i]))
			return 0;
	if ((n > 2 && !strcmp(c + n - 2, "_z")) || (n > 4 && !strcmp(c + n - 4, "_pct")))
		return 0;
	return 1;
}

struct metric_cols {
	int n;
	char name[MAX_METRICS][64];
	int has_z[MAX_METRICS];
};

static int find_metrics(sqlite3 *db, struct metric_cols *mc, struct rw_err *err)
{
	sqlite3_stmt *st;
	char all[MAX_METRICS * 3][64];
	int na = 0, rc;

	if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info('rep_metrics')",
			       -1, &st, NULL) != SQLITE_OK)
		return rw_err_set(err, RW_EDB, "cannot read rep_metrics: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && na < MAX_METRICS * 3) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		snprintf(all[na++], 64, "%s", t ? (const char *)t : "");
	}
	sqlite3_finalize(st);
	mc->n = 0;
	for (int i = 0; i < na && mc->n < MAX_METRICS; i++) {
		size_t len = strnlen(all[i], sizeof(all[i]) - 1);
		char z[sizeof(all[i]) + 2];

		if (!is_metric_column(all[i]))
			continue;
		/* Copied by length: every name fits, as all[] holds 63 bytes. */
		memcpy(mc->name[mc->n], all[i], len);
		mc->name[mc->n][len] = '\0';
		memcpy(z, all[i], len);
		memcpy(z + len, "_z", 3);
		mc->has_z[mc->n] = 0;
		for (int j = 0; j < na; j++)
			if (!strcmp(all[j], z))
				mc->has_z[mc->n] = 1;
		mc->n++;
	}
	return 0;
}

static void num_cell(FILE *fp, sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_INTEGER)
		fprintf(fp, "%lld", (long long)sqlite3_column_int64(st, i));
	else if (sqlite3_column_type(st, i) != SQLITE_NULL)
		fprintf(fp, "%.10g", sqlite3_column_double(st, i));
}

int rw_csv_report(FILE *out, sqlite3 *db, const struct rw_report_data *d,
		  struct rw_err *err)
{
	struct metric_cols *mc = rw_calloc(1, sizeof(*mc));
	struct rw_buf b;
	sqlite3_stmt *st = NULL;
	int rc;

	if (!mc)
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	rc = find_metrics(db, mc, err);
	if (rc) {
		rw_free(mc);
		return rc;
	}
	/* Column names come from the table's own schema, never from input. */
	rw_buf_init(&b, 1 << 20);
	rw_buf_adds(&b, "SELECT period, partial");
	for (int m = 0; m < mc->n; m++) {
		rw_buf_addf(&b, ", \"%s\"", mc->name[m]);
		if (mc->has_z[m])
			rw_buf_addf(&b, ", \"%s_z\", \"%s_pct\"", mc->name[m], mc->name[m]);
		else
			rw_buf_adds(&b, ", NULL, NULL");
	}
	rw_buf_adds(&b, " FROM rep_metrics WHERE rep_id = ?1 AND grain = ?2"
		    " ORDER BY period_start");
	if (rw_buf_error(&b)) {
		rw_buf_release(&b);
		rw_free(mc);
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	}
	if (sqlite3_prepare_v2(db, b.data, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, d->grain, -1, SQLITE_STATIC) != SQLITE_OK)
		rc = rw_err_set(err, RW_EDB, "cannot read rep_metrics: %s", sqlite3_errmsg(db));
	rw_buf_release(&b);
	if (!rc)
		fputs("rep_id,name,team,grain,period,partial,metric,value,z,pct\r\n", out);
	for (size_t r = 0; !rc && r < d->nreps; r++) {
		const struct rw_rrep *p = &d->reps[r];

		sqlite3_reset(st);
		if (sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC) != SQLITE_OK) {
			rc = rw_err_set(err, RW_EDB, "cannot read rep_metrics");
			break;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const unsigned char *per = sqlite3_column_text(st, 0);

			for (int m = 0; m < mc->n; m++) {
				rw_report_csv_cell(out, p->id);
				fputc(',', out);
				rw_report_csv_cell(out, p->name);
				fputc(',', out);
				rw_report_csv_cell(out, p->team);
				fprintf(out, ",%s,", d->grain);
				rw_report_csv_cell(out, per ? (const char *)per : "");
				fprintf(out, ",%d,%s,", sqlite3_column_int(st, 1), mc->name[m]);
				num_cell(out, st, 2 + 3 * m);
				fputc(',', out);
				num_cell(out, st, 3 + 3 * m);
				fputc(',', out);
				num_cell(out, st, 4 + 3 * m);
				fputs("\r\n", out);
			}
		}
		rc = rc == SQLITE_DONE ? 0 : rw_err_set(err, RW_EDB, "cannot read rep_metrics: %s",
							sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	rw_free(mc);
	return rc;
}
