/*
 * dates.c - dates and their day/month order: slash dates follow
 * date_order, or the order a file itself tells (a day over 12), found by
 * sampling the file when its first slash date is ambiguous.
 */
#include "ingest.h"
#include "ingest_int.h"

#include <stdio.h>
#include <string.h>

/* Rows of an activities file sampled for the day/month order. */
#define PREPASS_ROWS 100000

/* ---- Dates and their day/month order ------------------------------------ */

static const char *order_name(enum rw_date_order o)
{
	return o == RW_DATE_DMY ? "D/M/YYYY" : "M/D/YYYY";
}

void rw_table_note_order(struct table *t)
{
	struct rw_file_report *r = t->rep;

	if (t->in->opts->date_order != RW_DATE_AUTO)
		snprintf(r->dates, sizeof(r->dates), "%s (date_order in the configuration)",
			 order_name(t->in->opts->date_order));
	else if (t->order == RW_DATE_AUTO)
		snprintf(r->dates, sizeof(r->dates), "no slash dates (ISO or D.M.YYYY)");
	else if (t->order_line)
		snprintf(r->dates, sizeof(r->dates), "%s, detected from column \"%s\" line %ld",
			 order_name(t->order), t->header[t->order_col], t->order_line);
	else
		snprintf(r->dates, sizeof(r->dates),
			 "M/D/YYYY assumed: no value tells day from month (warning)");
}

/* A value whose numbers tell the order (kind 2: D/M, 3: M/D) was seen in
 * column c on line: it decides the file's order or must agree with it. */
static int date_evidence(struct table *t, long line, int c, int kind)
{
	enum rw_date_order o = kind == 2 ? RW_DATE_DMY : RW_DATE_MDY;
	struct ingest *in = t->in;

	if (t->order == RW_DATE_AUTO) {
		t->order = o;
		t->order_col = c;
		t->order_line = line;
		return 0;
	}
	if (t->order == o)
		return 0;
	rw_err_where(in->err, t->path, line, 0);
	if (!t->order_line)
		return rw_err_set(in->err, RW_EINPUT,
				  "date column \"%s\" has a %s value, but the file's earlier dates were read as M/D/YYYY (no value told); the day/month order is ambiguous: set date_order = dmy or mdy",
				  t->header[c], order_name(o));
	return rw_err_set(in->err, RW_EINPUT,
			  "date column \"%s\" has a %s value, but column \"%s\" line %ld is %s: the day/month order is ambiguous; set date_order = dmy or mdy",
			  t->header[c], order_name(o), t->header[t->order_col],
			  t->order_line, order_name(t->order));
}

static int prepass_row(void *ctx, const struct rw_csv_rec *rec, struct rw_err *err)
{
	struct table *t = ctx;

	(void)err;
	if (rec->index == 0 || rec->nfields != t->nheader)
		return 0;
	if (t->f == RW_IN_ACTIVITIES && rec->index > PREPASS_ROWS)
		return RW_ROW_STOP;
	for (int c = 0; t->cols[c].name; c++) {
		size_t len;
		const char *s;
		int k;

		if (!t->cols[c].date)
			continue;
		s = rw_table_cell(t, rec, c, &len);
		k = rw_date_kind(s, len);
		if (k >= 2) {
			t->order = k == 2 ? RW_DATE_DMY : RW_DATE_MDY;
			t->order_col = c;
			t->order_line = rec->line;
			return RW_ROW_STOP;
		}
	}
	return 0;
}

/*
 * The first slash date that reads either way: look through the file (the
 * first PREPASS_ROWS records of an activities file) for a value that
 * tells; when none does, read M/D/YYYY and say so.
 */
static int date_prepass(struct table *t, int c)
{
	struct ingest *in = t->in;
	struct rw_csv_info info;
	struct rw_err e;
	int rc;

	t->prepassed = 1;
	rw_err_clear(&e);
	rc = rw_csv_read_enc(t->path, in->opts->encoding, prepass_row, t, NULL,
			     &info, &e);
	if (rc && rc != RW_ROW_STOP) {
		rw_err_where(in->err, e.file, e.line, 0);
		return rw_err_set(in->err, rc, "%s", e.msg);
	}
	if (t->order != RW_DATE_AUTO)
		return 0;
	/* Never a silent guess: 4/3/2026 is April or March. */
	rw_err_set(in->err, RW_EINPUT, "column \"%s\": no date in the %s tells day from month "
		   "(a value such as 4/3/2026 reads either way); set date_order = mdy or dmy "
		   "in the configuration", t->header[c],
		   t->f == RW_IN_ACTIVITIES ? "first 100,000 rows of the file" : "file");
	rw_err_where(in->err, t->path, 0, c + 1);
	return RW_EINPUT;
}

int rw_table_date_value(struct table *t, const struct rw_csv_rec *rec, int c,
			const char *s, size_t len, int32_t *day, int *bad)
{
	enum rw_date_order order = t->in->opts->date_order;
	char why[128];
	int rc;

	*bad = 0;
	if (order == RW_DATE_AUTO) {
		int k = rw_date_kind(s, len);

		/* A second range reads a slash date only by an order the
		 * first range had settled before it began: what it would
		 * settle itself depends on the rows before it. */
		if (t->defer && k && (t->order == RW_DATE_AUTO ||
				      (k >= 2 && t->order != (k == 2 ? RW_DATE_DMY : RW_DATE_MDY))))
			return RW_ROW_SERIAL;
		if (k >= 2) {
			rc = date_evidence(t, rec->line, c, k);
			if (rc)
				return rc;
		} else if (k == 1 && t->order == RW_DATE_AUTO && !t->prepassed) {
			rc = date_prepass(t, c);
			if (rc)
				return rc;
		}
		order = t->order == RW_DATE_AUTO ? RW_DATE_MDY : t->order;
	}
	if (!rw_parse_date(s, len, order, day, why, sizeof(why)))
		return 0;
	*bad = 1;
	return rw_table_reject_value(t, rec, c, why);
}

