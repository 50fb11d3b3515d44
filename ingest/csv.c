/*
 * csv.c - stream a CSV file through libcsv without loading it whole.
 *
 * Blocks of RW_CSV_BLOCK bytes are read, hashed and cut at each '\n'; libcsv
 * gets one line segment at a time, so when a field ends we know the
 * physical line it ends on.  A record starts on the line its first field
 * ends on, minus the line feeds inside that field (a quoted field keeps
 * them), which gives the start line of records that span lines.  libcsv
 * runs in its lenient mode (a stray quote inside an unquoted field is kept
 * as text) and skips blank lines itself.
 */
#include "ingest_int.h"

#include <csv.h>
#include <errno.h>
#include <string.h>
#include <time.h>

struct reader {
	struct csv_parser p;
	rw_csv_row_fn row;
	void *ctx;
	struct rw_err *err;
	const char *path;
	int rc;			/* first error; callbacks do nothing after it */
	long line;		/* line of the segment being parsed */
	long rec_line;		/* start line of the current record */
	uint64_t records;
	char *buf;		/* fields of the current record, NUL-separated */
	size_t blen, bcap;
	size_t *off, *lens;	/* per field: offset into buf, length */
	const char **ptrs;	/* per field: pointer, set when the record ends */
	size_t nf, fcap;
};

static int grow_fields(struct reader *r)
{
	size_t cap = r->fcap ? r->fcap * 2 : 16;
	size_t *off, *lens;
	const char **ptrs;

	off = rw_reallocarray(r->off, cap, sizeof(*off));
	if (!off)
		return RW_ENOMEM;
	r->off = off;
	lens = rw_reallocarray(r->lens, cap, sizeof(*lens));
	if (!lens)
		return RW_ENOMEM;
	r->lens = lens;
	ptrs = rw_reallocarray(r->ptrs, cap, sizeof(*ptrs));
	if (!ptrs)
		return RW_ENOMEM;
	r->ptrs = ptrs;
	r->fcap = cap;
	return 0;
}

static int grow_buf(struct reader *r, size_t need)
{
	size_t cap = r->bcap ? r->bcap : 256;
	char *p;

	while (cap < need)
		cap *= 2;
	p = rw_realloc(r->buf, cap);
	if (!p)
		return RW_ENOMEM;
	r->buf = p;
	r->bcap = cap;
	return 0;
}

static void on_field(void *data, size_t len, void *ctx)
{
	struct reader *r = ctx;
	const char *s = data ? data : "";

	if (r->rc)
		return;
	if (r->nf == 0) {
		r->rec_line = r->line;
		for (size_t i = 0; i < len; i++)
			r->rec_line -= s[i] == '\n';
	}
	if ((r->nf == r->fcap && grow_fields(r)) ||
	    (r->blen + len + 1 > r->bcap && grow_buf(r, r->blen + len + 1))) {
		r->rc = rw_err_set(r->err, RW_ENOMEM, "out of memory reading CSV");
		return;
	}
	memcpy(r->buf + r->blen, s, len);
	r->buf[r->blen + len] = '\0';
	r->off[r->nf] = r->blen;
	r->lens[r->nf] = len;
	r->nf++;
	r->blen += len + 1;
}

static void on_record(int term, void *ctx)
{
	struct reader *r = ctx;
	struct rw_csv_rec rec;

	(void)term;
	if (r->rc || !r->nf)
		return;
	for (size_t i = 0; i < r->nf; i++)
		r->ptrs[i] = r->buf + r->off[i];
	rec.line = r->rec_line;
	rec.index = r->records++;
	rec.nfields = r->nf;
	rec.fields = r->ptrs;
	rec.lens = r->lens;
	r->rc = r->row(r->ctx, &rec, r->err);
	r->nf = 0;
	r->blen = 0;
}

/* "1,234,567" into out. */
static void group_thousands(uint64_t v, char *out, size_t size)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);
	size_t j = 0;

	for (int i = 0; i < n && j + 2 < size; i++) {
		if (i && (n - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = tmp[i];
	}
	out[j] = '\0';
}

static double now_s(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return 0;
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* rows counts records read, the header included. */
static void progress_line(const char *name, uint64_t bytes, uint64_t rows)
{
	char n[32];

	group_thousands(rows ? rows - 1 : 0, n, sizeof(n));
	fprintf(stderr, "\rreading %s: %.1f MB, %s rows", name, bytes / 1e6, n);
}

/* Feed one block to libcsv a line segment at a time. */
static int feed_block(struct reader *r, const char *p, const char *end)
{
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *seg = nl ? nl + 1 : end;
		size_t len = (size_t)(seg - p);

		if (csv_parse(&r->p, p, len, on_field, on_record, r) != len)
			return rw_err_set(r->err, RW_ENOMEM, "out of memory reading CSV (%s)",
					  csv_strerror(csv_error(&r->p)));
		if (r->rc)
			return r->rc;
		/* libcsv's buffer holds the field in progress. */
		if (r->blen + r->p.entry_pos > RW_CSV_MAX_RECORD) {
			rw_err_where(r->err, NULL, r->nf ? r->rec_line : r->line, 0);
			return rw_err_set(r->err, RW_EINPUT,
					  "record longer than %zu bytes (a quote left open?)",
					  RW_CSV_MAX_RECORD);
		}
		r->line += nl != NULL;
		p = seg;
	}
	return 0;
}

static int read_blocks(struct reader *r, FILE *fp, char *block,
		       const char *progress, struct rw_csv_info *info,
		       struct rw_sha256 *sha)
{
	double last = 0;
	size_t n;
	int rc;

	while ((n = fread(block, 1, RW_CSV_BLOCK, fp)) > 0) {
		const char *p = block;

		rw_sha256_update(sha, block, n);
		if (info->size == 0 && n >= 3 && !memcmp(block, "\xef\xbb\xbf", 3))
			p += 3;
		info->size += n;
		rc = feed_block(r, p, block + n);
		if (rc)
			return rc;
		if (progress && now_s() - last >= 0.25) {
			last = now_s();
			progress_line(progress, info->size, r->records);
		}
	}
	if (ferror(fp))
		return rw_err_set(r->err, RW_EIO, "read error: %s", strerror(errno));
	if (csv_fini(&r->p, on_field, on_record, r) && !r->rc)
		return rw_err_set(r->err, RW_EINPUT, "unterminated quoted field at end of file");
	return r->rc;
}

int rw_csv_read(const char *path, rw_csv_row_fn row, void *ctx,
		const char *progress, struct rw_csv_info *info,
		struct rw_err *err)
{
	struct reader r = { .row = row, .ctx = ctx, .err = err, .path = path,
			    .line = 1 };
	struct rw_sha256 sha;
	char *block;
	FILE *fp;
	int rc;

	memset(info, 0, sizeof(*info));
	rw_sha256_init(&sha);
	if (csv_init(&r.p, CSV_APPEND_NULL))
		return rw_err_set(err, RW_ENOMEM, "cannot set up the CSV parser");
	csv_set_realloc_func(&r.p, rw_realloc);
	csv_set_free_func(&r.p, rw_free);
	csv_set_blk_size(&r.p, 4096);
	block = rw_malloc(RW_CSV_BLOCK);
	if (!block) {
		rc = rw_err_set(err, RW_ENOMEM, "out of memory");
		goto out_csv;
	}
	fp = fopen(path, "rb");
	if (!fp) {
		rc = rw_err_set(err, errno == ENOENT ? RW_EINPUT : RW_EIO,
				"cannot open: %s", strerror(errno));
		goto out_block;
	}
	rc = read_blocks(&r, fp, block, progress, info, &sha);
	if (fclose(fp) && !rc)
		rc = rw_err_set(err, RW_EIO, "close failed: %s", strerror(errno));
	if (progress) {
		progress_line(progress, info->size, r.records);
		fputc('\n', stderr);
	}
out_block:
	rw_free(block);
out_csv:
	csv_free(&r.p);
	rw_sha256_final_hex(&sha, info->sha256);
	info->records = r.records;
	rw_free(r.buf);
	rw_free(r.off);
	rw_free(r.lens);
	rw_free(r.ptrs);
	if (rc)
		rw_err_where(err, path, 0, 0);
	return rc;
}

void rw_csv_cell(struct rw_buf *b, const char *s, size_t len)
{
	int quote = len && (s[0] == ' ' || s[len - 1] == ' ');

	for (size_t i = 0; i < len && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (!quote) {
		rw_buf_add(b, s, len);
		return;
	}
	rw_buf_addc(b, '"');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			rw_buf_addc(b, '"');
		rw_buf_addc(b, s[i]);
	}
	rw_buf_addc(b, '"');
}
