/*
 * rejects.c - the rejects file and counting a rejected record (SPEC
 * section 2): every rejected row is written with its file, line, column,
 * reason and the raw record, and the first few are kept for the summary.
 */
#include "ingest.h"
#include "ingest_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- Rejects ------------------------------------------------------------ */

int rw_ingest_rejects_open(struct ingest *in)
{
	static const char header[] = "file,line,column,reason,record\n";
	const char *path = in->opts->rejects_path;

	if (!path)
		return 0;
	in->rej = fopen(path, "w");
	if (!in->rej) {
		rw_err_where(in->err, path, 0, 0);
		return rw_err_set(in->err, RW_EIO, "cannot write rejects file: %s",
				  strerror(errno));
	}
	if (fputs(header, in->rej) == EOF) {
		rw_err_where(in->err, path, 0, 0);
		return rw_err_set(in->err, RW_EIO, "write failed: %s", strerror(errno));
	}
	return 0;
}

int rw_ingest_rejects_close(struct ingest *in)
{
	int bad;

	if (!in->rej)
		return 0;
	bad = ferror(in->rej);
	bad |= fclose(in->rej) != 0;
	in->rej = NULL;
	if (bad) {
		rw_err_where(in->err, in->opts->rejects_path, 0, 0);
		return rw_err_set(in->err, RW_EIO, "write failed: %s", strerror(errno));
	}
	return 0;
}

/* The raw record: fields CSV-quoted where needed, joined with commas. */
static void raw_record(struct rw_buf *b, const struct rw_csv_rec *rec)
{
	for (size_t i = 0; i < rec->nfields; i++) {
		if (i)
			rw_buf_addc(b, ',');
		rw_csv_cell(b, rec->fields[i], rec->lens[i]);
	}
}

int rw_table_reject_raw(struct table *t, long line, int c, const char *reason,
			const char *raw, size_t rawlen)
{
	struct ingest *in = t->in;
	struct rw_buf *b = &in->out;

	if (t->rep->nrejects < RW_SHOW_REJECTS)
		snprintf(t->rep->rejects[t->rep->nrejects++], sizeof(t->rep->rejects[0]),
			 "line %ld, %s: %.190s", line, c >= 0 ? t->cols[c].name : "record",
			 reason);
	t->rep->rows_rejected++;
	if (!in->rej)
		return 0;
	rw_buf_reset(b);
	rw_csv_cell(b, t->name, strlen(t->name));
	rw_buf_addf(b, ",%ld,", line);
	if (c >= 0)
		rw_csv_cell(b, t->cols[c].name, strlen(t->cols[c].name));
	rw_buf_addc(b, ',');
	rw_csv_cell(b, reason, strlen(reason));
	rw_buf_addc(b, ',');
	rw_csv_cell(b, raw, rawlen);
	rw_buf_addc(b, '\n');
	if (rw_buf_error(b))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	if (fwrite(b->data, 1, b->len, in->rej) != b->len) {
		rw_err_where(in->err, in->opts->rejects_path, 0, 0);
		return rw_err_set(in->err, RW_EIO, "write failed: %s", strerror(errno));
	}
	return 0;
}

int rw_table_reject(struct table *t, const struct rw_csv_rec *rec, int c,
		    const char *fmt, ...)
{
	struct ingest *in = t->in;
	struct rw_buf raw;
	va_list ap;
	char reason[256];
	int rc;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	/* Without a rejects file the raw record is needed by nobody. */
	if (!in->rej && !t->defer)
		return rw_table_reject_raw(t, rec->line, c, reason, "", 0);
	rw_buf_init(&raw, RW_BUF_DEFAULT_MAX);
	raw_record(&raw, rec);
	if (rw_buf_error(&raw)) {
		rw_buf_release(&raw);
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	}
	if (t->defer) {
		struct rw_deferred d = { .kind = RW_DEFER_REJECT, .col = c,
					 .line = rec->line, .n1 = strlen(reason),
					 .n2 = raw.len };

		rw_buf_add(t->defer, (const char *)&d, sizeof(d));
		rw_buf_add(t->defer, reason, d.n1);
		rw_buf_add(t->defer, raw.data, raw.len);
		rc = rw_buf_error(t->defer) ?
		     rw_err_set(in->err, RW_ENOMEM, "out of memory") : 0;
	} else {
		rc = rw_table_reject_raw(t, rec->line, c, reason, raw.data, raw.len);
	}
	rw_buf_release(&raw);
	return rc;
}

int rw_table_reject_value(struct table *t, const struct rw_csv_rec *rec, int c,
			  const char *why)
{
	size_t len;
	const char *s = rw_table_cell(t, rec, c, &len);

	return rw_table_reject(t, rec, c, "%s: \"%.*s\"", why, rw_show_len(len), s);
}

int rw_table_require(struct table *t, const struct rw_csv_rec *rec,
		     const int *cols, int *rejected)
{
	size_t len;

	*rejected = 0;
	for (; *cols >= 0; cols++) {
		rw_table_cell(t, rec, *cols, &len);
		if (!len) {
			*rejected = 1;
			return rw_table_reject(t, rec, *cols, "missing required value");
		}
	}
	return 0;
}

