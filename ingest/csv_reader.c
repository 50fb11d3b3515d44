/*
 * csv_reader.c - stream a CSV file through libcsv without loading it whole.
 *
 * Blocks of RW_CSV_BLOCK bytes are read, hashed and cut at each '\n'; libcsv
 * gets one line segment at a time, so when a field ends we know the
 * physical line it ends on.  A record starts on the line its first field
 * ends on, minus the line feeds inside that field (a quoted field keeps
 * them), which gives the start line of records that span lines.  libcsv
 * runs in its lenient mode (a stray quote inside an unquoted field is kept
 * as text) and skips blank lines itself.
 *
 * Encodings: UTF-8 input is validated as it streams (eight bytes at a time
 * while they are ASCII), and the first invalid byte stops the file with its
 * line and byte offset.  Windows-1252 and UTF-16 (chosen by the caller, or
 * UTF-16 recognised by its byte order mark) go through iconv block by
 * block, a sequence cut by a block boundary carried to the next block.
 */
#include "ingest_int.h"

#include <csv.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <iconv.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* ---- Encodings ------------------------------------------------------- */

struct decoder {
	enum rw_encoding enc;	/* UTF8 (validate) or a converted one */
	iconv_t cd;		/* (iconv_t)-1 when not converting */
	unsigned char carry[8];	/* start of a sequence cut by the block end */
	size_t ncarry;
	char *stage;		/* carry + block, for iconv */
	char *out;		/* converted text */
	size_t outcap;
	int started;		/* 1 after the first output (BOM dropped) */
};

/* Bytes of the UTF-8 sequence that lead byte c starts, 0 if c cannot. */
static size_t utf8_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/* 1 when s[0..n) (n = utf8_len(s[0])) is a well-formed sequence: no
 * overlong forms, no surrogates, nothing above U+10FFFF. */
static int utf8_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f)))
		return 0;
	if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f)))
		return 0;
	return 1;
}

/*
 * Check s[0..n): returns 0 when valid, 1 with *at the first invalid byte,
 * or 2 with *at the start of a sequence cut off by the end.
 */
static int utf8_check(const unsigned char *s, size_t n, size_t *at)
{
	size_t i = 0, k;

	while (i < n) {
		uint64_t w;

		if (i + 8 <= n) {
			memcpy(&w, s + i, 8);
			if (!(w & 0x8080808080808080ULL)) {
				i += 8;
				continue;
			}
		}
		k = utf8_len(s[i]);
		*at = i;
		if (!k)
			return 1;
		if (i + k > n) {
			for (size_t j = i + 1; j < n; j++)
				if ((s[j] & 0xc0) != 0x80)
					return 1;
			return 2;
		}
		if (!utf8_ok(s + i, k))
			return 1;
		i += k;
	}
	return 0;
}

/* Line of byte p of the block: the reader's line plus the line feeds
 * before p. */
static long line_at(const struct reader *r, const char *from, const char *p)
{
	long line = r->line;

	for (; from < p; from++)
		line += *from == '\n';
	return line;
}

static int bad_utf8(struct reader *r, long line, uint64_t offset)
{
	rw_err_where(r->err, NULL, line, 0);
	return rw_err_set(r->err, RW_EINPUT,
			  "not valid UTF-8 at byte offset %llu (line %ld); set encoding = windows-1252 or utf-16 in the configuration if the file is not UTF-8",
			  (unsigned long long)offset, line);
}

/*
 * Validate the block p[0..n) (file offset base of p) as UTF-8, finishing a
 * sequence carried over from the previous block first.
 */
static int validate_block(struct reader *r, struct decoder *d, const char *p,
			  size_t n, uint64_t base)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t at, skip = 0;
	int rc;

	if (d->ncarry) {
		size_t need = utf8_len(d->carry[0]);

		while (d->ncarry < need && skip < n)
			d->carry[d->ncarry++] = u[skip++];
		if (d->ncarry < need)
			return 0;
		if (!utf8_ok(d->carry, need))
			return bad_utf8(r, r->line, base - (d->ncarry - skip));
		d->ncarry = 0;
	}
	rc = utf8_check(u + skip, n - skip, &at);
	if (rc == 1)
		return bad_utf8(r, line_at(r, p, p + skip + at), base + skip + at);
	if (rc == 2) {
		d->ncarry = n - skip - at;
		memcpy(d->carry, u + skip + at, d->ncarry);
	}
	return 0;
}

static int decoder_open(struct decoder *d, enum rw_encoding enc,
			const char *first, size_t n, struct rw_err *err)
{
	const char *from = NULL;

	d->cd = (iconv_t)-1;
	d->enc = enc;
	if (enc == RW_ENC_AUTO || enc == RW_ENC_UTF16) {
		if (n >= 2 && ((first[0] == '\xff' && first[1] == '\xfe') ||
			       (first[0] == '\xfe' && first[1] == '\xff')))
			from = "UTF-16";
		else if (enc == RW_ENC_UTF16)
			from = "UTF-16LE";	/* Excel's "Unicode text" */
	} else if (enc == RW_ENC_CP1252) {
		from = "WINDOWS-1252";
	}
	if (!from) {
		d->enc = RW_ENC_UTF8;
		return 0;
	}
	d->enc = enc == RW_ENC_CP1252 ? RW_ENC_CP1252 : RW_ENC_UTF16;
	d->cd = iconv_open("UTF-8", from);
	if (d->cd == (iconv_t)-1)
		return rw_err_set(err, RW_EINTERNAL, "iconv cannot convert %s: %s",
				  from, strerror(errno));
	d->outcap = 3 * RW_CSV_BLOCK + 64;
	d->out = rw_malloc(d->outcap);
	d->stage = rw_malloc(RW_CSV_BLOCK + sizeof(d->carry));
	if (!d->out || !d->stage)
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	return 0;
}

static void decoder_close(struct decoder *d)
{
	if (d->cd != (iconv_t)-1)
		iconv_close(d->cd);
	rw_free(d->out);
	rw_free(d->stage);
}

/*
 * Convert carry + p[0..n) to UTF-8 into d->out; *outlen bytes.  A sequence
 * cut by the end of the block is carried, unless this is the end of file.
 */
static int convert_block(struct reader *r, struct decoder *d, const char *p,
			 size_t n, uint64_t base, int eof, size_t *outlen)
{
	char *in = d->stage, *out = d->out;
	size_t inleft = d->ncarry + n, outleft = d->outcap;

	memcpy(d->stage, d->carry, d->ncarry);
	memcpy(d->stage + d->ncarry, p, n);
	base -= d->ncarry;
	d->ncarry = 0;
	while (inleft) {
		if (iconv(d->cd, &in, &inleft, &out, &outleft) != (size_t)-1)
			break;
		if (errno == EINVAL && !eof && inleft < sizeof(d->carry)) {
			memcpy(d->carry, in, inleft);
			d->ncarry = inleft;
			break;
		}
		rw_err_where(r->err, NULL, line_at(r, d->out, out), 0);
		return rw_err_set(r->err, RW_EINPUT,
				  "byte offset %llu is not valid %s",
				  (unsigned long long)(base + (uint64_t)(in - d->stage)),
				  d->enc == RW_ENC_CP1252 ? "Windows-1252" : "UTF-16");
	}
	*outlen = (size_t)(out - d->out);
	return 0;
}

/* Feed raw bytes p[0..n) at file offset base through the decoder. */
static int decode_feed(struct reader *r, struct decoder *d, const char *p,
		       size_t n, uint64_t base, int eof)
{
	size_t len = 0;
	const char *q;
	int rc;

	if (d->cd == (iconv_t)-1) {
		if (!d->started && base == 0 && n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
			p += 3;
			n -= 3;
			base += 3;
		}
		d->started = 1;
		rc = validate_block(r, d, p, n, base);
		if (rc)
			return rc;
		if (eof && d->ncarry)
			return bad_utf8(r, r->line, base + n - d->ncarry);
		return feed_block(r, p, p + n);
	}
	rc = convert_block(r, d, p, n, base, eof, &len);
	if (rc)
		return rc;
	q = d->out;
	if (!d->started && len >= 3 && !memcmp(q, "\xef\xbb\xbf", 3)) {
		q += 3;
		len -= 3;
	}
	d->started |= len > 0;
	return feed_block(r, q, q + len);
}

/* ---- A file read in two ranges ---------------------------------------- */

/*
 * The second range [at, EOF) of a split file, read by a thread of its own
 * into the context the caller's fork gave.  Its lines count from 1 at the
 * split; what it read counts only when the first range ended exactly
 * between two records there (see split_join).
 */
struct part {
	pthread_t th;
	const char *path;
	uint64_t at;		/* byte offset where the range starts */
	uint64_t nbytes;	/* bytes it read */
	struct reader r;
	struct rw_err err;
	atomic_int stop;	/* set by the first reader: give up */
	int rc;			/* 0: read to the end of the file */
};

struct splitter {
	const struct rw_csv_split *sp;
	uint64_t at;		/* split offset, 0: none */
	int started;		/* the part's thread runs */
	void *pctx;		/* the part's context from fork */
	struct part part;
};

static int reader_init(struct reader *r)
{
	if (csv_init(&r->p, CSV_APPEND_NULL))
		return -1;
	csv_set_realloc_func(&r->p, rw_realloc);
	csv_set_free_func(&r->p, rw_free);
	csv_set_blk_size(&r->p, 4096);
	return 0;
}

static void reader_free(struct reader *r)
{
	csv_free(&r->p);
	rw_free(r->buf);
	rw_free(r->off);
	rw_free(r->lens);
	rw_free(r->ptrs);
}

/* The checks at the end of a file (a quote left open), then libcsv's last
 * record. */
static int finish_file(struct reader *r)
{
	/* libcsv would close a quoted field left open at the end of the file
	 * and hand over whatever followed the quote as its value: refuse. */
	if (!r->rc && r->p.quoted && r->p.pstate == 2 /* FIELD_BEGUN */) {
		rw_err_set(r->err, RW_EINPUT, "a quoted field opened in the record of line %ld "
			   "is not closed at the end of the file", r->rec_line);
		rw_err_where(r->err, r->path, r->rec_line, 0);
		return RW_EINPUT;
	}
	if (csv_fini(&r->p, on_field, on_record, r) && !r->rc)
		return rw_err_set(r->err, RW_EINPUT, "unterminated quoted field at end of file");
	return r->rc;
}

static void *part_main(void *arg)
{
	struct part *pt = arg;
	struct decoder d = { .cd = (iconv_t)-1, .enc = RW_ENC_UTF8, .started = 1 };
	char *block = rw_malloc(RW_CSV_BLOCK);
	FILE *fp = block ? fopen(pt->path, "rb") : NULL;
	size_t n;
	int rc = 0;

	if (!fp || fseeko(fp, (off_t)pt->at, SEEK_SET)) {
		pt->rc = -1;
		goto out;
	}
	while (!atomic_load(&pt->stop) && (n = fread(block, 1, RW_CSV_BLOCK, fp)) > 0) {
		rc = decode_feed(&pt->r, &d, block, n, pt->at + pt->nbytes, 0);
		pt->nbytes += n;
		if (rc)
			break;
	}
	if (!rc && ferror(fp))
		rc = -1;
	if (!rc && d.ncarry)
		rc = decode_feed(&pt->r, &d, block, 0, pt->at + pt->nbytes, 1);
	if (!rc && !atomic_load(&pt->stop))
		rc = finish_file(&pt->r);
	pt->rc = rc ? rc : atomic_load(&pt->stop) ? -1 : 0;
out:
	if (fp)
		fclose(fp);
	rw_free(block);
	return NULL;
}

/*
 * Where to split the file of size bytes: just after the first line feed
 * at or past its middle, so that both ranges hold at least min_part
 * bytes; 0 when there is none.  Whether that line feed ends a record (and
 * not a line inside a quoted field) is known only when the first range
 * has been parsed up to it.
 */
static uint64_t split_point(FILE *fp, uint64_t size, uint64_t min_part,
			    uint64_t hint)
{
	char buf[1 << 16];
	uint64_t at = hint ? hint : size / 2;

	if (min_part < 1)
		min_part = 1;
	if (size < 2 * min_part)
		return 0;
	while (at < size) {
		ssize_t n = pread(fileno(fp), buf, sizeof(buf), (off_t)at);
		const char *nl;

		if (n <= 0)
			return 0;
		nl = memchr(buf, '\n', (size_t)n);
		if (nl) {
			at += (uint64_t)(nl - buf) + 1;
			return at < size && size - at >= min_part ? at : 0;
		}
		at += (uint64_t)n;
	}
	return 0;
}

/* The header has been read (the first block fed): hand the rest of the
 * file after the split point to a thread.  Not started: read serially. */
static void split_start(struct splitter *s, struct reader *r,
			const struct decoder *d)
{
	struct part *pt = &s->part;

	if (!s->at || s->started || r->rc || r->records < 1 ||
	    d->cd != (iconv_t)-1)
		return;
	s->pctx = s->sp->fork(r->ctx);
	if (!s->pctx)
		return;
	memset(pt, 0, sizeof(*pt));
	pt->path = r->path;
	pt->at = s->at;
	pt->r.row = r->row;
	pt->r.ctx = s->pctx;
	pt->r.err = &pt->err;
	pt->r.path = r->path;
	pt->r.line = 1;
	pt->r.records = 1;	/* the header is the first range's */
	atomic_init(&pt->stop, 0);
	if (reader_init(&pt->r)) {
		reader_free(&pt->r);
		goto no;
	}
	if (pthread_create(&pt->th, NULL, part_main, pt)) {
		reader_free(&pt->r);
		goto no;
	}
	s->started = 1;
	return;
no:
	{
		int keep = 0;

		s->sp->join(r->ctx, s->pctx, 0, &keep);
	}
	s->pctx = NULL;
}

/*
 * The first range has been read up to the split point (or stopped short:
 * give_up).  Its parser must be between two records there, as a fresh
 * parser is: then the part read the same records a single reader would
 * have, and join merges them (*done 1); else join drops them and the
 * first reader goes on with the rest of the file itself (*done 0).
 */
static int split_join(struct splitter *s, struct reader *r,
		      const struct decoder *d, int give_up,
		      struct rw_csv_info *info, int *done)
{
	struct part *pt = &s->part;
	int keep, rc;

	*done = 0;
	if (!s->started)
		return 0;
	keep = !give_up && !r->rc && !d->ncarry && r->nf == 0 &&
	       r->p.pstate == 0 /* ROW_NOT_BEGUN */ && r->p.entry_pos == 0 &&
	       !r->p.quoted;
	if (!keep)
		atomic_store(&pt->stop, 1);
	pthread_join(pt->th, NULL);
	s->started = 0;
	keep = keep && pt->rc == 0;
	rc = s->sp->join(r->ctx, s->pctx, r->line - 1, &keep);
	s->pctx = NULL;
	if (!rc && keep) {
		info->size += pt->nbytes;
		r->records += pt->r.records - 1;
		*done = 1;
	}
	reader_free(&pt->r);
	s->at = 0;
	return rc;
}

static int read_blocks(struct reader *r, FILE *fp, char *block,
		       enum rw_encoding enc, const char *progress,
		       struct rw_csv_info *info, struct rw_sha256 *sha,
		       struct splitter *s)
{
	struct decoder d = { .cd = (iconv_t)-1 };
	double last = 0;
	size_t n, want;
	int rc = 0, done = 0;

	for (;;) {
		want = RW_CSV_BLOCK;
		if (s->at && s->at - info->size < want)
			want = (size_t)(s->at - info->size);
		n = fread(block, 1, want, fp);
		if (!n)
			break;
		if (sha)	/* else a hasher thread reads the file itself */
			rw_sha256_update(sha, block, n);
		if (info->size == 0) {
			rc = decoder_open(&d, enc, block, n, r->err);
			if (rc)
				goto out;
		}
		rc = decode_feed(r, &d, block, n, info->size, 0);
		info->size += n;
		if (rc)
			goto out;
		split_start(s, r, &d);
		if (s->at && info->size == s->at) {
			rc = split_join(s, r, &d, 0, info, &done);
			if (rc || done)
				goto out;
			s->at = 0;	/* the rest is read here */
		}
		if (progress && now_s() - last >= 0.25) {
			last = now_s();
			progress_line(progress, info->size, r->records);
		}
	}
	if (ferror(fp)) {
		rc = rw_err_set(r->err, RW_EIO, "read error: %s", strerror(errno));
		goto out;
	}
	if (d.ncarry) {
		rc = decode_feed(r, &d, block, 0, info->size, 1);
		if (rc)
			goto out;
	}
	rc = finish_file(r);
out:
	if (s->started) {
		int rc2 = split_join(s, r, &d, 1, info, &done);

		rc = rc ? rc : rc2;
	}
	decoder_close(&d);
	return rc;
}

/*
 * The SHA-256 of an input is computed by a second thread that reads the
 * file on its own (from the page cache, which the parser's reads fill),
 * so that hashing, a sixth of the work, runs beside parsing on another
 * core.  No allocation: a stack buffer.  When the parser stops early (a
 * prepass, an error) it sets stop and the hash is not used.
 */
struct hasher {
	pthread_t th;
	const char *path;
	struct rw_sha256 sha;
	uint64_t size;
	atomic_int stop;
	int failed;		/* could not open or read */
};

static void *hasher_main(void *arg)
{
	struct hasher *h = arg;
	unsigned char buf[1 << 16];
	FILE *fp = fopen(h->path, "rb");
	size_t n;

	if (!fp) {
		h->failed = 1;
		return NULL;
	}
	while (!atomic_load(&h->stop) && (n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		rw_sha256_update(&h->sha, buf, n);
		h->size += n;
	}
	h->failed |= ferror(fp) != 0;
	fclose(fp);
	return NULL;
}

/* Start hashing path in a thread; 0, or -1 to hash inline instead. */
static int hasher_start(struct hasher *h, const char *path)
{
	h->path = path;
	h->size = 0;
	h->failed = 0;
	atomic_init(&h->stop, 0);
	rw_sha256_init(&h->sha);
	return pthread_create(&h->th, NULL, hasher_main, h) ? -1 : 0;
}

int rw_csv_read(const char *path, rw_csv_row_fn row, void *ctx,
		const char *progress, struct rw_csv_info *info,
		struct rw_err *err)
{
	return rw_csv_read_enc(path, RW_ENC_AUTO, row, ctx, progress, info, err);
}

int rw_csv_read_enc(const char *path, enum rw_encoding enc, rw_csv_row_fn row,
		    void *ctx, const char *progress, struct rw_csv_info *info,
		    struct rw_err *err)
{
	return rw_csv_read_split(path, enc, NULL, row, ctx, progress, info, err);
}

int rw_csv_read_split(const char *path, enum rw_encoding enc,
		      const struct rw_csv_split *split, rw_csv_row_fn row,
		      void *ctx, const char *progress, struct rw_csv_info *info,
		      struct rw_err *err)
{
	struct reader r = { .row = row, .ctx = ctx, .err = err, .path = path,
			    .line = 1 };
	struct splitter s = { .sp = split };
	struct rw_sha256 sha;
	struct hasher h;
	struct stat stb;
	int threaded;
	char *block;
	FILE *fp;
	int rc;

	memset(info, 0, sizeof(*info));
	rw_sha256_init(&sha);
	threaded = 0;
	if (reader_init(&r))
		return rw_err_set(err, RW_ENOMEM, "cannot set up the CSV parser");
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
	if (split && !fstat(fileno(fp), &stb) && S_ISREG(stb.st_mode))
		s.at = split_point(fp, (uint64_t)stb.st_size, split->min_part, split->at);
	threaded = hasher_start(&h, path) == 0;
	rc = read_blocks(&r, fp, block, enc, progress, info, threaded ? NULL : &sha, &s);
	if (fclose(fp) && !rc)
		rc = rw_err_set(err, RW_EIO, "close failed: %s", strerror(errno));
	if (threaded) {
		if (rc)
			atomic_store(&h.stop, 1);
		pthread_join(h.th, NULL);
		if (!rc && (h.failed || h.size != info->size))
			rc = rw_err_set(err, RW_EIO, "the file changed while it was being read");
		sha = h.sha;
	}
	if (progress) {
		progress_line(progress, info->size, r.records);
		fputc('\n', stderr);
	}
out_block:
	rw_free(block);
out_csv:
	rw_sha256_final_hex(&sha, info->sha256);
	info->records = r.records;
	reader_free(&r);
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
