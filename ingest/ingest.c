/*
 * ingest.c - read CSV exports into a struct rw_dataset (SPEC section 2):
 * finding the files, header mapping through a profile, per-row
 * validation, the day/month order of slash dates, status from stages and
 * flags, currencies, owner resolution, duplicates, the rejects file and
 * the reject-share rule.
 *
 * Files are read in the order the engine needs: reps, then opportunities
 * (owners that match no rep become reps of their own), targets, stage
 * history and plans; then the engine's activity fold is set up and the
 * activities are streamed into it row by row, keeping nothing per
 * activity.  Each input may come from several files (a HubSpot calls, an
 * e-mails and a meetings export are all activities).
 */
#include "ingest.h"
#include "ingest_int.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Longest cell value quoted in a reject reason or warning. */
#define SHOW_MAX 60

/* Rows of an activities file sampled for the day/month order. */
#define PREPASS_ROWS 100000
/* Return code of a row callback that has seen enough (not an RW_E*). */
#define STOP 100

void rw_ingest_opts_default(struct rw_ingest_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->data_dir = ".";
	o->date_order = RW_DATE_AUTO;
	o->max_reject_share = 0.05;
	o->decimal = '.';
	o->encoding = RW_ENC_AUTO;
	o->require_activities = 0;
}

const char *rw_input_name(enum rw_input_file f)
{
	static const char *const names[RW_NINPUTS] = {
		[RW_IN_REPS] = "reps.csv",
		[RW_IN_OPPORTUNITIES] = "opportunities.csv",
		[RW_IN_TARGETS] = "targets.csv",
		[RW_IN_ACTIVITIES] = "activities.csv",
		[RW_IN_STAGE_HISTORY] = "stage_history.csv",
		[RW_IN_PLANS] = "plans.csv",
	};

	return (unsigned)f < RW_NINPUTS ? names[f] : "?";
}

/* ---- Files being read ------------------------------------------------ */

struct ingest;

/* One input file being read. */
struct table {
	struct ingest *in;
	enum rw_input_file f;
	const char *path;
	const char *name;		/* base name, for messages and rejects */
	const struct rw_col *cols;
	struct rw_header_map hm;	/* header fields of each column */
	char header[RW_MAX_COLS][64];	/* header name of each column */
	size_t nheader;			/* fields in the header */
	struct rw_file_report *rep;	/* counts and notes of this file */
	int (*row)(struct table *t, const struct rw_csv_rec *rec);
	enum rw_date_order order;	/* of slash dates; AUTO until known */
	int prepassed;			/* the file was sampled for the order */
	int order_col;			/* column and line that told the order */
	long order_line;		/* (0: assumed, nothing told) */
	uint64_t created_moved;		/* deals read as created on their close
					 * day (close_before_created) */
};

struct ingest {
	const struct rw_ingest_opts *opts;
	struct rw_dataset *ds;
	struct rw_ingest_stats *stats;
	struct rw_err *err;
	FILE *rej;			/* rejects file or NULL */
	struct rw_buf out;		/* one line of the rejects file */
	struct rw_buf key;		/* scratch for lookup keys */
	struct rw_buf row;		/* text cells of the current row */
	struct rw_arena *arena;		/* normalised keys */
	struct rw_index rep_ids, rep_emails, rep_names, opp_ids, act_unknown;
	struct rw_idset act_ids;	/* hashes of the activity ids seen */
	long *rep_line, *opp_line;	/* line each rep / deal was first read */
	size_t rep_line_cap, opp_line_cap;
	char base[8];			/* base currency ("" until known) */
	int act_map;			/* [activity_types] has entries */
};

/* ---- Cells -------------------------------------------------------------- */


/*
 * Trimmed value of column c in rec: the first of its header fields that is
 * not empty, else its fixed value, else "" (len 0).
 */
static const char *cell(const struct table *t, const struct rw_csv_rec *rec,
			int c, size_t *len)
{
	const struct rw_header_map *hm = &t->hm;

	for (int a = 0; a < hm->nalt[c]; a++) {
		size_t i = (size_t)hm->map[c][a], n;
		const char *s;

		if (i >= rec->nfields)
			continue;
		s = rec->fields[i];
		n = rec->lens[i];
		/* trim(), written out: this is the hottest loop of a run. */
		while (n && rw_blank(*s)) {
			s++;
			n--;
		}
		while (n && rw_blank(s[n - 1]))
			n--;
		if (n) {
			*len = n;
			return s;
		}
	}
	if (hm->fixed[c]) {
		*len = strlen(hm->fixed[c]);
		return hm->fixed[c];
	}
	*len = 0;
	return "";
}

/* 1 when column c has a source in this file (a header or a value). */
static int has_col(const struct table *t, int c)
{
	return t->hm.nalt[c] > 0 || t->hm.fixed[c];
}

static int show_len(size_t len)
{
	return len > SHOW_MAX ? SHOW_MAX : (int)len;
}

/* ---- Rejects ------------------------------------------------------------ */

static int rejects_open(struct ingest *in)
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

static int rejects_close(struct ingest *in)
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

static int reject(struct table *t, const struct rw_csv_rec *rec, int c,
		  const char *fmt, ...) RW_PRINTF(4, 5);

/*
 * Count rec as rejected and write it to the rejects file with the header
 * name of column c (-1: the whole record).  Returns 0 or RW_E*.
 */
static int reject(struct table *t, const struct rw_csv_rec *rec, int c,
		  const char *fmt, ...)
{
	struct ingest *in = t->in;
	struct rw_buf *b = &in->out;
	struct rw_buf raw;
	va_list ap;
	char reason[256];

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (t->rep->nrejects < RW_SHOW_REJECTS)
		snprintf(t->rep->rejects[t->rep->nrejects++], sizeof(t->rep->rejects[0]),
			 "line %ld, %s: %.190s", rec->line, c >= 0 ? t->cols[c].name : "record",
			 reason);
	t->rep->rows_rejected++;
	if (!in->rej)
		return 0;
	rw_buf_init(&raw, RW_BUF_DEFAULT_MAX);
	raw_record(&raw, rec);
	rw_buf_reset(b);
	rw_csv_cell(b, t->name, strlen(t->name));
	rw_buf_addf(b, ",%ld,", rec->line);
	if (c >= 0)
		rw_csv_cell(b, t->cols[c].name, strlen(t->cols[c].name));
	rw_buf_addc(b, ',');
	rw_csv_cell(b, reason, strlen(reason));
	rw_buf_addc(b, ',');
	rw_csv_cell(b, raw.data, raw.len);
	rw_buf_addc(b, '\n');
	if (rw_buf_error(&raw) || rw_buf_error(b)) {
		rw_buf_release(&raw);
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	}
	rw_buf_release(&raw);
	if (fwrite(b->data, 1, b->len, in->rej) != b->len) {
		rw_err_where(in->err, in->opts->rejects_path, 0, 0);
		return rw_err_set(in->err, RW_EIO, "write failed: %s", strerror(errno));
	}
	return 0;
}

/* Reject for a value a parser refused: `why: "value"`. */
static int reject_value(struct table *t, const struct rw_csv_rec *rec, int c,
			const char *why)
{
	size_t len;
	const char *s = cell(t, rec, c, &len);

	return reject(t, rec, c, "%s: \"%.*s\"", why, show_len(len), s);
}

/* Reject rec when a required column in cols[] (ending with -1) is empty. */
static int require(struct table *t, const struct rw_csv_rec *rec,
		   const int *cols, int *rejected)
{
	size_t len;

	*rejected = 0;
	for (; *cols >= 0; cols++) {
		cell(t, rec, *cols, &len);
		if (!len) {
			*rejected = 1;
			return reject(t, rec, *cols, "missing required value");
		}
	}
	return 0;
}

/* ---- Keys and owner resolution ------------------------------------------ */

/* Put s[0..len) in in->key, lower-cased (ASCII and Latin-1 letters) when
 * fold, inner blanks collapsed when collapse; returns the key or NULL when
 * out of memory. */
static const char *make_key(struct ingest *in, const char *s, size_t len,
			    int fold, int collapse)
{
	struct rw_buf *b = &in->key;
	int space = 0;

	rw_buf_reset(b);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (collapse && rw_blank(c)) {
			space = 1;
			continue;
		}
		if (space)
			rw_buf_addc(b, ' ');
		space = 0;
		if (fold && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		/* UTF-8 capitals of Latin-1 (U+00C0-U+00DE but the
		 * multiplication sign): "NÚÑEZ" is "núñez". */
		if (fold && c == '\xc3' && i + 1 < len &&
		    (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9e &&
		    (unsigned char)s[i + 1] != 0x97) {
			rw_buf_addc(b, c);
			c = (char)((unsigned char)s[++i] + 0x20);
		}
		rw_buf_addc(b, c);
	}
	return rw_buf_error(b) ? NULL : b->data;
}

/* Index key (copied into the ingest arena) -> val, unless key is there. */
static int index_add(struct ingest *in, struct rw_index *t, const char *key,
		     uint32_t val)
{
	char *k;

	if (rw_index_get(t, key) != RW_NONE)
		return 0;
	k = rw_arena_strdup(in->arena, key);
	if (!k || rw_index_put(t, k, val))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	return 0;
}

/* Register rep idx under its id, e-mail and name. */
static int index_rep(struct ingest *in, uint32_t idx)
{
	const struct rw_rep *r = &in->ds->reps[idx];
	const char *k;

	if (rw_index_put(&in->rep_ids, r->id, idx))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	if (r->email) {
		k = make_key(in, r->email, strlen(r->email), 1, 0);
		if (!k || index_add(in, &in->rep_emails, k, idx))
			return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	}
	k = make_key(in, r->name, strlen(r->name), 1, 1);
	if (!k || index_add(in, &in->rep_names, k, idx))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	return 0;
}

/*
 * SPEC section 2: an owner is a rep id, an e-mail or a full name, tried in
 * that order (e-mail and name case-insensitively, the name with its inner
 * blanks collapsed).  Sets *idx (RW_NONE when nothing matches).
 */
static int resolve_owner(struct ingest *in, const char *s, size_t len,
			 uint32_t *idx)
{
	const char *k;

	k = make_key(in, s, len, 0, 0);
	if (!k)
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	*idx = rw_index_get(&in->rep_ids, k);
	if (*idx != RW_NONE)
		return 0;
	k = make_key(in, s, len, 1, 0);
	if (!k)
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	*idx = rw_index_get(&in->rep_emails, k);
	if (*idx != RW_NONE)
		return 0;
	k = make_key(in, s, len, 1, 1);
	if (!k)
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	*idx = rw_index_get(&in->rep_names, k);
	return 0;
}

/* Remember the line rep or deal i was read on (for duplicate messages). */
static int note_line(struct ingest *in, long **lines, size_t *cap, size_t i,
		     long line)
{
	if (i >= *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		long *p = rw_reallocarray(*lines, ncap, sizeof(*p));

		if (!p)
			return rw_err_set(in->err, RW_ENOMEM, "out of memory");
		*lines = p;
		*cap = ncap;
	}
	(*lines)[i] = line;
	return 0;
}

/*
 * An owner of a deal that matches no rep becomes a rep of its own in team
 * (unassigned) (SPEC section 2), with one warning per distinct owner: the
 * new rep is indexed, so the next row with the same owner finds it.
 */
static int new_owner_rep(struct table *t, const struct rw_csv_rec *rec,
			 const char *s, size_t len, uint32_t *idx)
{
	struct ingest *in = t->in;
	struct rw_rep r = { .team = "(unassigned)", .hire_day = RW_NODAY,
			    .end_day = RW_NODAY, .unassigned = 1 };

	/* The dataset copies id and name before index_rep() reuses in->key. */
	r.id = make_key(in, s, len, 0, 0);
	if (!r.id)
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	r.name = r.id;
	if (rw_dataset_add_rep(in->ds, &r, idx) || index_rep(in, *idx))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	in->stats->unknown_owners++;
	fprintf(stderr, "repwatch: warning: %s:%ld: owner \"%.*s\" matches no rep in %s; counted under team (unassigned)\n",
		t->name, rec->line, show_len(len), s, rw_input_name(RW_IN_REPS));
	return 0;
}

/* ---- Header ------------------------------------------------------------- */

/* "a, b, c" of the header into out (truncated to fit). */
static void header_list(const struct rw_csv_rec *rec, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < rec->nfields && n + 1 < size; i++) {
		int w = snprintf(out + n, size - n, "%s%.*s", i ? ", " : "",
				 show_len(rec->lens[i]), rec->fields[i]);

		if (w < 0)
			break;
		n += (size_t)w;
	}
}

static int missing_column(struct table *t, const struct rw_csv_rec *rec,
			  const char *what)
{
	char have[300];

	header_list(rec, have, sizeof(have));
	rw_err_where(t->in->err, t->path, rec->line, 0);
	if (what[0] != '"')
		return rw_err_set(t->in->err, RW_EINPUT, "%s (header has: %s)", what, have);
	return rw_err_set(t->in->err, RW_EINPUT,
			  "missing required column %s (header has: %s)", what, have);
}

/* Trimmed header field i into out. */
static void header_name(const struct rw_csv_rec *rec, size_t i, char *out,
			size_t size)
{
	const char *s = rec->fields[i];
	size_t n = rec->lens[i];

	rw_trim(&s, &n);
	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), s);
}

/* "column <- Header | Other; ..." and the columns without a source. */
static void describe_map(struct table *t, const struct rw_csv_rec *rec)
{
	struct rw_file_report *r = t->rep;
	size_t n = 0, m = 0;
	char name[64];

	r->found[0] = r->missed[0] = '\0';
	for (int c = 0; t->cols[c].name; c++) {
		const char *sep = n ? "; " : "";
		int w;

		if (!has_col(t, c)) {
			w = snprintf(r->missed + m, sizeof(r->missed) - m, "%s%s",
				     m ? ", " : "", t->cols[c].name);
			if (w > 0 && (size_t)w < sizeof(r->missed) - m)
				m += (size_t)w;
			continue;
		}
		w = snprintf(r->found + n, sizeof(r->found) - n, "%s%s %s ", sep,
			     t->cols[c].name, t->hm.nalt[c] ? "<-" : "=");
		for (int a = 0; w > 0 && a < t->hm.nalt[c]; a++) {
			if ((size_t)w >= sizeof(r->found) - n)
				break;
			n += (size_t)w;
			header_name(rec, (size_t)t->hm.map[c][a], name, sizeof(name));
			w = snprintf(r->found + n, sizeof(r->found) - n, "%s\"%s\"",
				     a ? " | " : "", name);
		}
		if (w > 0 && (size_t)w < sizeof(r->found) - n) {
			n += (size_t)w;
			w = 0;
		}
		if (!w && t->hm.fixed[c])
			w = snprintf(r->found + n, sizeof(r->found) - n, "%s\"%s\"",
				     t->hm.nalt[c] ? " else " : "", t->hm.fixed[c]);
		if (w > 0 && (size_t)w < sizeof(r->found) - n)
			n += (size_t)w;
	}
}

/*
 * Map the header through the forced profile, or the best one that gives
 * every required column; unknown columns are ignored and a repeated name
 * maps to its first occurrence.
 */
static int read_header(struct table *t, const struct rw_csv_rec *rec)
{
	struct ingest *in = t->in;

	t->nheader = rec->nfields;
	if (!rw_profile_map(in->opts->profile, t->f, rec, &in->opts->map, &t->hm))
		return missing_column(t, rec, t->hm.missing);
	for (int c = 0; t->cols[c].name; c++) {
		t->header[c][0] = '\0';
		if (t->hm.nalt[c])
			header_name(rec, (size_t)t->hm.map[c][0], t->header[c],
				    sizeof(t->header[c]));
		else
			snprintf(t->header[c], sizeof(t->header[c]), "%s", t->cols[c].name);
	}
	snprintf(t->rep->profile, sizeof(t->rep->profile), "%s", t->hm.profile);
	snprintf(t->rep->note, sizeof(t->rep->note), "%s", t->hm.label);
	describe_map(t, rec);
	return 0;
}

/* A row of bare separators (",,,,", as spreadsheets leave below the
 * data) is a blank line, not a record with every value missing. */
static int all_empty(const struct rw_csv_rec *rec)
{
	for (size_t i = 0; i < rec->nfields; i++)
		if (rec->lens[i])
			return 0;
	return 1;
}

/*
 * The lines a Salesforce report export puts below its data: "Grand Totals
 * (N records)", "Confidential Information - Do Not Distribute",
 * "Copyright (c) 2000-2024 salesforce.com, inc. ..." (or with the (c)
 * sign), "Generated By: ...": one non-empty field each.
 */
static int is_footer(const struct rw_csv_rec *rec)
{
	static const char *const starts[] = { "Grand Totals", "Grand Total",
		"Confidential Information", "Copyright", "\xc2\xa9",
		"Generated By", "Filtered By", NULL };
	const char *s = NULL;
	size_t n = 0;

	for (size_t i = 0; i < rec->nfields; i++) {
		if (!rec->lens[i])
			continue;
		if (s)
			return 0;
		s = rec->fields[i];
		n = rec->lens[i];
	}
	if (!s)
		return 0;
	rw_trim(&s, &n);
	for (int k = 0; starts[k]; k++) {
		size_t m = strlen(starts[k]);

		if (n >= m && !strncasecmp(s, starts[k], m))
			return 1;
	}
	return 0;
}

/*
 * A NUL byte inside a value the row uses: text is handled as C strings
 * past this point, so "R3<NUL>X" would silently become "R3" (and be
 * credited to rep R3).  The row is rejected naming the column; NULs in
 * columns that are not read are left alone.
 */
static int nul_check(struct table *t, const struct rw_csv_rec *rec)
{
	for (int c = 0; t->cols[c].name; c++)
		for (int a = 0; a < t->hm.nalt[c]; a++) {
			size_t i = (size_t)t->hm.map[c][a];
			const char *nul;

			if (i >= rec->nfields)
				continue;
			nul = memchr(rec->fields[i], '\0', rec->lens[i]);
			if (nul)
				return reject(t, rec, c, "NUL byte in the value (at byte %zu)",
					      (size_t)(nul - rec->fields[i]) + 1);
		}
	return t->row(t, rec);
}

static int on_row(void *ctx, const struct rw_csv_rec *rec, struct rw_err *err)
{
	struct table *t = ctx;

	(void)err;
	if (rec->index == 0)
		return read_header(t, rec);
	if (all_empty(rec))
		return 0;
	/* A footer has one field, or at least its second and last empty. */
	if ((rec->nfields != t->nheader ||
	     (rec->nfields > 1 && !rec->lens[1] && !rec->lens[rec->nfields - 1])) &&
	    is_footer(rec)) {
		t->rep->rows_skipped++;
		return 0;
	}
	t->rep->rows_read++;
	if (rec->nfields != t->nheader)
		return reject(t, rec, -1, "expected %zu fields, found %zu",
			      t->nheader, rec->nfields);
	return nul_check(t, rec);
}

/* ---- Dates and their day/month order ------------------------------------ */

static const char *order_name(enum rw_date_order o)
{
	return o == RW_DATE_DMY ? "D/M/YYYY" : "M/D/YYYY";
}

/* Note in the file's report how its slash dates are read. */
static void note_order(struct table *t)
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
		return STOP;
	for (int c = 0; t->cols[c].name; c++) {
		size_t len;
		const char *s;
		int k;

		if (!t->cols[c].date)
			continue;
		s = cell(t, rec, c, &len);
		k = rw_date_kind(s, len);
		if (k >= 2) {
			t->order = k == 2 ? RW_DATE_DMY : RW_DATE_MDY;
			t->order_col = c;
			t->order_line = rec->line;
			return STOP;
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
	if (rc && rc != STOP) {
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

/*
 * Parse the date in column c (s[0..len), not empty): slash dates follow
 * date_order, or the order detected for this file.  *bad when rejected.
 */
static int date_value(struct table *t, const struct rw_csv_rec *rec, int c,
		      const char *s, size_t len, int32_t *day, int *bad)
{
	enum rw_date_order order = t->in->opts->date_order;
	char why[128];
	int rc;

	*bad = 0;
	if (order == RW_DATE_AUTO) {
		int k = rw_date_kind(s, len);

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
	return reject_value(t, rec, c, why);
}

/* ---- reps.csv ----------------------------------------------------------- */

static int opt_date(struct table *t, const struct rw_csv_rec *rec, int c,
		    int32_t *day, int *bad)
{
	size_t len;
	const char *s = cell(t, rec, c, &len);

	*bad = 0;
	*day = RW_NODAY;
	if (!len)
		return 0;
	return date_value(t, rec, c, s, len, day, bad);
}

/*
 * Text cells are copied, trimmed and NUL-terminated, into the row buffer
 * (the dataset copies them again into its arena).  Cells are added first
 * and turned into pointers after the last one, as the buffer may move.
 */
static size_t row_text(struct table *t, const struct rw_csv_rec *rec, int c)
{
	size_t len, off = t->in->row.len;
	const char *s = cell(t, rec, c, &len);

	if (!len)
		return SIZE_MAX;
	rw_buf_add(&t->in->row, s, len);
	rw_buf_addc(&t->in->row, '\0');
	return off;
}

/* Pointer for an offset from row_text(); NULL for an empty cell. */
static const char *row_str(const struct ingest *in, size_t off)
{
	return off == SIZE_MAX ? NULL : in->row.data + off;
}

static int row_error(struct ingest *in)
{
	if (!rw_buf_error(&in->row))
		return 0;
	return rw_err_set(in->err, RW_ENOMEM, "out of memory");
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int same_rep(const struct rw_rep *a, const struct rw_rep *b)
{
	return !strcmp(a->name, b->name) && same_str(a->email, b->email) &&
	       !strcmp(a->team, b->team) && same_str(a->manager, b->manager) &&
	       a->hire_day == b->hire_day && a->end_day == b->end_day;
}

/*
 * Team names repwatch gives itself: "*" is the company's row of
 * team_baselines (a team of that name would collide with it), "(no team)"
 * is a rep without a team and "(unassigned)" a deal owner missing from
 * reps.csv.  A reps.csv team spelled like one (case aside) is refused
 * rather than merged with them.
 */
static int reserved_team(const char *team)
{
	return !strcmp(team, "*") || !strcasecmp(team, "(no team)") ||
	       !strcasecmp(team, "(unassigned)");
}

static int rep_row(struct table *t, const struct rw_csv_rec *rec)
{
	static const int req[] = { REP_ID, REP_NAME, -1 };
	struct ingest *in = t->in;
	struct rw_rep r = { .unassigned = 0 };
	size_t off[5];
	uint32_t idx;
	int rc, bad;

	rc = require(t, rec, req, &bad);
	if (rc || bad)
		return rc;
	rc = opt_date(t, rec, REP_HIRE, &r.hire_day, &bad);
	if (rc || bad)
		return rc;
	rc = opt_date(t, rec, REP_END, &r.end_day, &bad);
	if (rc || bad)
		return rc;
	rw_buf_reset(&in->row);
	off[0] = row_text(t, rec, REP_ID);
	off[1] = row_text(t, rec, REP_NAME);
	off[2] = row_text(t, rec, REP_EMAIL);
	off[3] = row_text(t, rec, REP_TEAM);
	off[4] = row_text(t, rec, REP_MANAGER);
	if (row_error(in))
		return in->err->code;
	r.id = row_str(in, off[0]);
	r.name = row_str(in, off[1]);
	r.email = row_str(in, off[2]);
	r.team = row_str(in, off[3]);
	r.manager = row_str(in, off[4]);
	if (!r.team)
		r.team = "(no team)";
	else if (reserved_team(r.team))
		return reject_value(t, rec, REP_TEAM, "reserved team name (\"*\" is the company, "
				    "\"(no team)\" and \"(unassigned)\" are given by repwatch)");
	idx = rw_index_get(&in->rep_ids, r.id);
	if (idx != RW_NONE) {
		if (same_rep(&in->ds->reps[idx], &r))
			return 0;
		return reject(t, rec, REP_ID,
			      "duplicate rep_id with different content (first on line %ld)",
			      in->rep_line[idx]);
	}
	if (rw_dataset_add_rep(in->ds, &r, &idx))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	if (note_line(in, &in->rep_line, &in->rep_line_cap, idx, rec->line))
		return in->err->code;
	return index_rep(in, idx);
}

/* ---- opportunities.csv -------------------------------------------------- */

/* 1 when s[0..len) is one of the comma-separated names of a [stages]
 * or [activity_types] entry of kind (col: the entry's column, -1 any). */
static int listed(const struct ingest *in, enum rw_map_kind kind, int col,
		  const char *s, size_t len)
{
	const struct rw_ingest_map *m = &in->opts->map;

	for (int i = 0; i < m->n; i++) {
		const char *p = m->e[i].text;

		if (m->e[i].kind != kind || (col >= 0 && m->e[i].col != col))
			continue;
		while (*p) {
			const char *end = strchr(p, ',');
			size_t n = end ? (size_t)(end - p) : strlen(p);
			const char *q = p;

			rw_trim(&q, &n);
			if (n == len && !strncasecmp(q, s, n))
				return 1;
			if (!end)
				break;
			p = end + 1;
		}
	}
	return 0;
}

/* A Salesforce/HubSpot flag: 1, 0, or -1 when it is no boolean.  Empty is
 * false (Salesforce object exports leave false flags empty). */
static int flag_value(const char *s, size_t len)
{
	static const char *const yes[] = { "1", "true", "yes", "y", "t", NULL };
	static const char *const no[] = { "0", "false", "no", "n", "f", NULL };

	if (!len)
		return 0;
	for (int i = 0; yes[i]; i++)
		if (strlen(yes[i]) == len && !strncasecmp(s, yes[i], len))
			return 1;
	for (int i = 0; no[i]; i++)
		if (strlen(no[i]) == len && !strncasecmp(s, no[i], len))
			return 0;
	return -1;
}

/* Status from the IsClosed / IsWon flags (Salesforce, HubSpot). */
static int flag_status(struct table *t, const struct rw_csv_rec *rec,
		       enum rw_status *st, int *bad)
{
	size_t len, slen;
	const char *s = cell(t, rec, OPP_IS_CLOSED, &len);
	const char *stage = cell(t, rec, OPP_STAGE, &slen);
	int closed = flag_value(s, len), won;
	enum rw_status sst;

	if (closed < 0) {
		*bad = 1;
		return reject_value(t, rec, OPP_IS_CLOSED, "not a true/false flag");
	}
	if (!closed) {
		*st = RW_OPEN;
		return 0;
	}
	if (has_col(t, OPP_IS_WON)) {
		s = cell(t, rec, OPP_IS_WON, &len);
		won = flag_value(s, len);
		if (won < 0) {
			*bad = 1;
			return reject_value(t, rec, OPP_IS_WON, "not a true/false flag");
		}
	} else {
		won = !rw_parse_status(stage, slen, &sst) && sst == RW_WON;
	}
	*st = won ? RW_WON : RW_LOST;
	return 0;
}

/*
 * SPEC section 2 (a stage listed under [stages] skip has left the row
 * out before): status from `status` when it has a value; else the stage
 * when [stages] names it won or lost; else the IsClosed/IsWon flags when
 * the file has them; else the stage's own words ("Closed Won", "won"), a
 * stage that names no status being an open deal.
 */
static int stage_skipped(struct table *t, const struct rw_csv_rec *rec)
{
	size_t slen;
	const char *stage = cell(t, rec, OPP_STAGE, &slen);

	return slen && t->in->opts->map.n &&
	       listed(t->in, RW_MAP_SKIP, -1, stage, slen);
}

static int opp_status(struct table *t, const struct rw_csv_rec *rec,
		      enum rw_status *st, int *bad)
{
	struct ingest *in = t->in;
	size_t len, slen;
	const char *s = cell(t, rec, OPP_STATUS, &len);
	const char *stage = cell(t, rec, OPP_STAGE, &slen);

	*bad = 0;
	if (len) {
		if (!rw_parse_status(s, len, st))
			return 0;
		*bad = 1;
		return reject_value(t, rec, OPP_STATUS, "status is not open, won or lost");
	}
	if (slen && in->opts->map.n) {
		if (listed(in, RW_MAP_WON, -1, stage, slen)) {
			*st = RW_WON;
			return 0;
		}
		if (listed(in, RW_MAP_LOST, -1, stage, slen)) {
			*st = RW_LOST;
			return 0;
		}
	}
	if (has_col(t, OPP_IS_CLOSED))
		return flag_status(t, rec, st, bad);
	if (!slen) {
		*bad = 1;
		return reject(t, rec, has_col(t, OPP_STATUS) ? OPP_STATUS : OPP_STAGE,
			      "missing required value");
	}
	if (rw_parse_status(stage, slen, st))
		*st = RW_OPEN;
	return 0;
}

/* Rate of currency code in the base currency, or NAN when none is set. */
static double rate_of(const struct ingest *in, const char *code)
{
	const struct rw_ingest_map *m = &in->opts->map;

	for (int i = 0; i < m->n; i++)
		if (m->e[i].kind == RW_MAP_RATE && !strcasecmp(m->e[i].text, code))
			return m->e[i].rate;
	return NAN;
}

/*
 * The deal's currency (the currency column, else a symbol or code in the
 * amount) against the base currency ([currency] base, else the first one
 * seen): another currency is converted by its [currency] rate, or the row
 * is rejected; amounts in different currencies are never added as equal.
 */
static int opp_currency(struct table *t, const struct rw_csv_rec *rec,
			const char *amount_cur, double *amount, int *bad)
{
	struct ingest *in = t->in;
	size_t len;
	const char *s = cell(t, rec, OPP_CURRENCY, &len);
	char code[8];
	double rate;
	int c = len ? OPP_CURRENCY : OPP_AMOUNT;

	if (!len) {
		s = amount_cur;
		len = strlen(amount_cur);
	}
	if (!len)
		return 0;
	if (len >= sizeof(code)) {
		*bad = 1;
		return reject_value(t, rec, c, "not a currency code");
	}
	for (size_t i = 0; i < len; i++)
		code[i] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
	code[len] = '\0';
	if (!in->base[0])
		snprintf(in->base, sizeof(in->base), "%s", code);
	if (!strcmp(code, in->base))
		return 0;
	rate = rate_of(in, code);
	if (isnan(rate)) {
		*bad = 1;
		return reject(t, rec, c,
			      "no rate for currency %s (base %s): add %s = RATE to [currency] in the configuration",
			      code, in->base, code);
	}
	*amount *= rate;
	return 0;
}

/* Parse every value of a deal row into *o (rep left RW_NONE). */
static int opp_values(struct table *t, const struct rw_csv_rec *rec,
		      struct rw_opp *o, int *bad, int *skip)
{
	static const int req[] = { OPP_ID, OPP_OWNER, OPP_CREATED, OPP_AMOUNT, -1 };
	char why[128], cur[4];
	size_t len, id, stage;
	const char *s;
	int rc;

	*bad = 0;
	*skip = stage_skipped(t, rec);
	if (*skip)
		return 0;
	rc = require(t, rec, req, bad);
	if (rc || *bad)
		return rc;
	rc = opp_status(t, rec, &o->status, bad);
	if (rc || *bad)
		return rc;
	s = cell(t, rec, OPP_CREATED, &len);
	rc = date_value(t, rec, OPP_CREATED, s, len, &o->created, bad);
	if (rc || *bad)
		return rc;
	rc = opt_date(t, rec, OPP_CLOSE, &o->closed, bad);
	if (rc || *bad)
		return rc;
	/* A deal cannot close (or be expected to) before it existed: the
	 * cycle would be negative and a win land before the deal.  Records
	 * imported into a CRM after they closed carry the import as their
	 * created date; close_before_created = use_close says so, and they
	 * are read as created on their close day (cycle 0), counted. */
	if (o->closed != RW_NODAY && o->closed < o->created) {
		if (t->in->opts->created_from_close) {
			o->created = o->closed;
			t->created_moved++;
		} else {
			*bad = 1;
			return reject_value(t, rec, OPP_CLOSE, "close date is before the created date");
		}
	}
	s = cell(t, rec, OPP_AMOUNT, &len);
	if (rw_parse_amount_cur(s, len, t->in->opts->decimal ? t->in->opts->decimal : '.',
				&o->amount, cur, why, sizeof(why))) {
		*bad = 1;
		return reject_value(t, rec, OPP_AMOUNT, why);
	}
	rc = opp_currency(t, rec, cur, &o->amount, bad);
	if (rc || *bad)
		return rc;
	/* Revenue is the sum of won amounts: a negative one (a refund or a
	 * typo) would silently cancel real wins. */
	if (o->status == RW_WON && o->amount < 0) {
		*bad = 1;
		return reject_value(t, rec, OPP_AMOUNT, "negative amount on a won deal");
	}
	if (has_col(t, OPP_ICP_FIT)) {
		int fit;

		s = cell(t, rec, OPP_ICP_FIT, &len);
		fit = len ? flag_value(s, len) : -2;
		if (fit == -1) {
			*bad = 1;
			return reject_value(t, rec, OPP_ICP_FIT, "not a yes/no value");
		}
		o->icp_fit = fit == -2 ? 0 : fit ? 1 : 2;
	}
	rw_buf_reset(&t->in->row);
	id = row_text(t, rec, OPP_ID);
	stage = row_text(t, rec, OPP_STAGE);
	if (row_error(t->in))
		return t->in->err->code;
	o->id = row_str(t->in, id);
	o->stage = row_str(t->in, stage);
	return 0;
}

static int same_opp(const struct rw_opp *a, const struct rw_opp *b)
{
	return a->rep == b->rep && a->created == b->created &&
	       a->closed == b->closed && a->status == b->status &&
	       a->amount == b->amount && a->icp_fit == b->icp_fit &&
	       same_str(a->stage, b->stage);
}

static int opp_row(struct table *t, const struct rw_csv_rec *rec)
{
	struct ingest *in = t->in;
	struct rw_opp o = { .rep = RW_NONE };
	uint32_t idx;
	size_t len;
	const char *owner;
	int rc, bad, skip;

	rc = opp_values(t, rec, &o, &bad, &skip);
	if (skip)
		t->rep->rows_skipped++;
	if (rc || bad || skip)
		return rc;
	owner = cell(t, rec, OPP_OWNER, &len);
	rc = resolve_owner(in, owner, len, &o.rep);
	if (rc)
		return rc;
	/* A repeated deal is harmless when it says the same thing (exports
	 * that overlap); otherwise neither copy can be trusted over the
	 * other, so the later one is rejected. */
	idx = rw_index_get(&in->opp_ids, o.id);
	if (idx != RW_NONE) {
		if (same_opp(&in->ds->opps[idx], &o))
			return 0;
		return reject(t, rec, OPP_ID,
			      "duplicate opp_id with different content (first on line %ld)",
			      in->opp_line[idx]);
	}
	if (o.rep == RW_NONE) {
		rc = new_owner_rep(t, rec, owner, len, &o.rep);
		if (rc)
			return rc;
	}
	if (o.created > in->ds->settings.as_of)
		in->stats->after_as_of++;
	if (rw_dataset_add_opp(in->ds, &o, &idx) ||
	    note_line(in, &in->opp_line, &in->opp_line_cap, idx, rec->line) ||
	    rw_index_put(&in->opp_ids, in->ds->opps[idx].id, idx))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	return 0;
}

/* ---- targets.csv -------------------------------------------------------- */

/* Who a target is for: a rep (resolved like an owner, never created) or
 * a team. */
static int target_whom(struct table *t, const struct rw_csv_rec *rec,
		       struct rw_target *g, int *bad)
{
	size_t len, tlen;
	const char *s = cell(t, rec, TGT_REP, &len);
	const char *team = cell(t, rec, TGT_TEAM, &tlen);
	int rc;

	*bad = 0;
	g->rep = RW_NONE;
	if (len) {
		rc = resolve_owner(t->in, s, len, &g->rep);
		if (rc)
			return rc;
		if (g->rep != RW_NONE)
			return 0;
		*bad = 1;
		return reject_value(t, rec, TGT_REP, "matches no rep");
	}
	if (!tlen) {
		*bad = 1;
		return reject(t, rec, has_col(t, TGT_REP) ? TGT_REP : TGT_TEAM,
			      "missing required value");
	}
	rw_buf_reset(&t->in->row);
	rw_buf_add(&t->in->row, team, tlen);
	if (row_error(t->in))
		return t->in->err->code;
	g->team = t->in->row.data;
	return 0;
}

static int target_row(struct table *t, const struct rw_csv_rec *rec)
{
	static const int req[] = { TGT_PERIOD, TGT_TARGET, -1 };
	struct rw_target g = { .team = NULL };
	char why[128];
	size_t len;
	const char *s;
	int rc, bad;

	/* Only revenue targets feed quota (SPEC section 4); rows for other
	 * metrics belong to other features and are skipped, not rejected. */
	s = cell(t, rec, TGT_METRIC, &len);
	if (len && !(len == 7 && !strncasecmp(s, "revenue", 7)))
		return 0;
	rc = require(t, rec, req, &bad);
	if (rc || bad)
		return rc;
	rc = target_whom(t, rec, &g, &bad);
	if (rc || bad)
		return rc;
	s = cell(t, rec, TGT_PERIOD, &len);
	if (rw_period_parse(s, len, t->in->ds->settings.fiscal_start, &g.grain,
			    &g.period))
		return reject_value(t, rec, TGT_PERIOD,
				    "not a period (2026-W07, 2026-02, 2026-Q1 or FY2027-Q1)");
	s = cell(t, rec, TGT_TARGET, &len);
	if (rw_parse_amount(s, len, t->in->opts->decimal ? t->in->opts->decimal : '.',
			    &g.target, why, sizeof(why)))
		return reject_value(t, rec, TGT_TARGET, why);
	if (rw_dataset_add_target(t->in->ds, &g))
		return rw_err_set(t->in->err, RW_ENOMEM, "out of memory");
	return 0;
}

/* ---- stage_history.csv and plans.csv ------------------------------------ */

/* A stage a deal entered; the deal must be in the opportunities. */
static int stage_row(struct table *t, const struct rw_csv_rec *rec)
{
	static const int req[] = { STG_OPP, STG_STAGE, STG_ENTERED, -1 };
	struct ingest *in = t->in;
	struct rw_stage_entry e = { .opp = RW_NONE };
	const char *s, *k;
	size_t len, off;
	int rc, bad;

	rc = require(t, rec, req, &bad);
	if (rc || bad)
		return rc;
	s = cell(t, rec, STG_OPP, &len);
	k = make_key(in, s, len, 0, 0);
	if (!k)
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	e.opp = rw_index_get(&in->opp_ids, k);
	if (e.opp == RW_NONE)
		return reject_value(t, rec, STG_OPP, "matches no deal in the opportunities");
	s = cell(t, rec, STG_ENTERED, &len);
	rc = date_value(t, rec, STG_ENTERED, s, len, &e.day, &bad);
	if (rc || bad)
		return rc;
	rw_buf_reset(&in->row);
	off = row_text(t, rec, STG_STAGE);
	if (row_error(in))
		return in->err->code;
	e.stage = row_str(in, off);
	if (rw_dataset_add_stage(in->ds, &e))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	return 0;
}

/* Who and what a plan goal is about: a known rep and a SPEC metric. */
static int plan_subject(struct table *t, const struct rw_csv_rec *rec,
			struct rw_plan *p, int *bad)
{
	struct ingest *in = t->in;
	size_t len;
	const char *s = cell(t, rec, PLAN_REP, &len);
	int rc, m;

	*bad = 1;
	rc = resolve_owner(in, s, len, &p->rep);
	if (rc)
		return rc;
	if (p->rep == RW_NONE)
		return reject_value(t, rec, PLAN_REP, "matches no rep");
	s = cell(t, rec, PLAN_METRIC, &len);
	if (!make_key(in, s, len, 1, 0))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	m = rw_metric_find(in->key.data);
	if (m < 0)
		return reject_value(t, rec, PLAN_METRIC, "not a metric name of SPEC section 4");
	p->metric = rw_metric_name((enum rw_metric)m);
	*bad = 0;
	return 0;
}

static int plan_numbers(struct table *t, const struct rw_csv_rec *rec,
			struct rw_plan *p, int *bad)
{
	char dec = t->in->opts->decimal ? t->in->opts->decimal : '.';
	char why[128];
	size_t len;
	const char *s = cell(t, rec, PLAN_TARGET, &len);

	*bad = 1;
	if (rw_parse_amount(s, len, dec, &p->target, why, sizeof(why)))
		return reject_value(t, rec, PLAN_TARGET, why);
	p->baseline = NAN;
	s = cell(t, rec, PLAN_BASELINE, &len);
	if (len && rw_parse_amount(s, len, dec, &p->baseline, why, sizeof(why)))
		return reject_value(t, rec, PLAN_BASELINE, why);
	*bad = 0;
	return 0;
}

static int plan_row(struct table *t, const struct rw_csv_rec *rec)
{
	static const int req[] = { PLAN_ID, PLAN_REP, PLAN_START, PLAN_END,
		PLAN_METRIC, PLAN_TARGET, -1 };
	struct ingest *in = t->in;
	struct rw_plan p = { .rep = RW_NONE };
	const char *s;
	size_t len, off;
	int rc, bad;

	rc = require(t, rec, req, &bad);
	if (!rc && !bad)
		rc = plan_subject(t, rec, &p, &bad);
	if (!rc && !bad) {
		s = cell(t, rec, PLAN_START, &len);
		rc = date_value(t, rec, PLAN_START, s, len, &p.start, &bad);
	}
	if (!rc && !bad) {
		s = cell(t, rec, PLAN_END, &len);
		rc = date_value(t, rec, PLAN_END, s, len, &p.end, &bad);
	}
	if (!rc && !bad)
		rc = plan_numbers(t, rec, &p, &bad);
	if (rc || bad)
		return rc;
	if (p.end < p.start)
		return reject_value(t, rec, PLAN_END, "end is before start");
	rw_buf_reset(&in->row);
	off = row_text(t, rec, PLAN_ID);
	if (row_error(in))
		return in->err->code;
	p.id = row_str(in, off);
	if (rw_dataset_add_plan(in->ds, &p))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	return 0;
}

/* ---- activities.csv ----------------------------------------------------- */

/*
 * Reps must all exist before the activity fold is set up, so an owner that
 * appears only in activities.csv cannot become a rep: its activities are
 * skipped and counted, with one warning per distinct owner (kept in a
 * table that grows with distinct owners, not with rows).
 */
static int unknown_act_owner(struct table *t, const struct rw_csv_rec *rec,
			     const char *s, size_t len)
{
	struct ingest *in = t->in;
	const char *k = make_key(in, s, len, 0, 0);

	if (!k)
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	in->stats->unknown_owner_acts++;
	if (rw_index_get(&in->act_unknown, k) != RW_NONE)
		return 0;
	if (index_add(in, &in->act_unknown, k, 0))
		return in->err->code;
	in->stats->unknown_owners++;
	fprintf(stderr, "repwatch: warning: %s:%ld: owner \"%.*s\" matches no rep in %s or %s; its activities are ignored\n",
		t->name, rec->line, show_len(len), s, rw_input_name(RW_IN_REPS),
		rw_input_name(RW_IN_OPPORTUNITIES));
	return 0;
}

/* [activity_types] first, then the built-in names. */
static enum rw_act_type act_type(const struct ingest *in, const char *s,
				 size_t len)
{
	if (in->act_map)
		for (int a = 0; a < RW_NACTS; a++)
			if (listed(in, RW_MAP_ACT, a, s, len))
				return (enum rw_act_type)a;
	return rw_parse_act_type(s, len);
}

/*
 * An activity_id seen before (in this file or another activities file):
 * the same activity again (same rep, deal, day and type) is counted once
 * and reported as a duplicate; with other content neither row can be
 * trusted over the other, so the later one is rejected.  Only a hash of
 * each id is kept (struct rw_idset: 12 bytes a slot, the one thing that
 * grows with activities).  *dup is 1 when the row is not to be folded.
 */
static int act_duplicate(struct table *t, const struct rw_csv_rec *rec,
			 uint32_t rep, uint32_t opp, int32_t day, int *dup)
{
	struct ingest *in = t->in;
	size_t len, olen, tlen;
	const char *id = cell(t, rec, ACT_ID, &len);
	const char *other = cell(t, rec, rep == RW_NONE ? ACT_OWNER : ACT_OPP, &olen);
	const char *type = cell(t, rec, ACT_TYPE, &tlen);
	enum rw_act_type ty = act_type(in, type, tlen);
	uint64_t key = rw_hash64_final(rw_hash64(RW_HASH64_INIT, id, len));
	uint64_t h = RW_HASH64_INIT;
	uint32_t fp, old;
	int r;

	/* An id given by the configuration ([values.activities] activity_id)
	 * is the same on every row: no id to tell activities apart. */
	*dup = 0;
	if (!t->hm.nalt[ACT_ID])
		return 0;
	/* What the row says: the rep (or the unknown owner's text), the deal
	 * (or the text naming no known deal), the day and the type. */
	h = rw_hash64(h, &rep, sizeof(rep));
	h = rw_hash64(h, &opp, sizeof(opp));
	h = rw_hash64(h, &day, sizeof(day));
	h = rw_hash64(h, &ty, sizeof(ty));
	if (rep == RW_NONE || opp == RW_NONE) {
		h = rw_hash64(h, other, olen);
		if (rep == RW_NONE) {
			other = cell(t, rec, ACT_OPP, &olen);
			h = rw_hash64(h, "\x1f", 1);
			h = rw_hash64(h, other, olen);
		}
	}
	fp = (uint32_t)rw_hash64_final(h);
	r = rw_idset_add(&in->act_ids, key, fp, &old);
	*dup = r != 0;
	if (r < 0)
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	if (r == 0)
		return 0;
	if (old == fp) {
		t->rep->duplicates++;
		in->stats->duplicate_acts++;
		return 0;
	}
	return reject(t, rec, ACT_ID, "duplicate activity_id with different content");
}

/*
 * Activity ids are required; a repeated one is a duplicate (see
 * act_duplicate()).  Nothing else is kept per activity.
 */
static int act_row(struct table *t, const struct rw_csv_rec *rec)
{
	static const int req[] = { ACT_ID, ACT_OWNER, ACT_TYPE, ACT_DATE, -1 };
	struct ingest *in = t->in;
	uint32_t rep, opp = RW_NONE;
	int32_t day;
	size_t len;
	const char *s;
	int rc, bad;

	rc = require(t, rec, req, &bad);
	if (rc || bad)
		return rc;
	s = cell(t, rec, ACT_DATE, &len);
	rc = date_value(t, rec, ACT_DATE, s, len, &day, &bad);
	if (rc || bad)
		return rc;
	s = cell(t, rec, ACT_OPP, &len);
	if (len) {
		const char *k = make_key(in, s, len, 0, 0);

		if (!k)
			return rw_err_set(in->err, RW_ENOMEM, "out of memory");
		opp = rw_index_get(&in->opp_ids, k);
		in->stats->unknown_opps += opp == RW_NONE;
	}
	s = cell(t, rec, ACT_OWNER, &len);
	rc = resolve_owner(in, s, len, &rep);
	if (rc)
		return rc;
	rc = act_duplicate(t, rec, rep, opp, day, &bad);
	if (rc || bad)
		return rc;
	s = cell(t, rec, ACT_OWNER, &len);
	if (rep == RW_NONE)
		return unknown_act_owner(t, rec, s, len);
	if (day > in->ds->settings.as_of)
		in->stats->after_as_of++;
	s = cell(t, rec, ACT_TYPE, &len);
	rw_dataset_add_activity(in->ds, rep, opp, day, act_type(in, s, len));
	return 0;
}

/* ---- Files -------------------------------------------------------------- */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* SPEC section 2: too large a rejected share of any file fails the run. */
static int check_share(struct table *t)
{
	const struct rw_file_report *r = t->rep;
	double share = t->in->opts->max_reject_share;
	const char *rp = t->in->opts->rejects_path;

	if (!r->rows_rejected || (double)r->rows_rejected <= share * (double)r->rows_read)
		return 0;
	rw_err_where(t->in->err, t->path, 0, 0);
	return rw_err_set(t->in->err, RW_EINPUT,
			  "%llu of %llu rows rejected (%.1f%%), over max_reject_share %g; see %s",
			  (unsigned long long)r->rows_rejected,
			  (unsigned long long)r->rows_read,
			  100.0 * (double)r->rows_rejected / (double)r->rows_read,
			  share, rp ? rp : "the rejects file (none was asked for)");
}

/* Add what file r gave to the stats of its input; several files of one
 * input have their sizes and rows added and a digest of their digests. */
static void add_stats(struct ingest *in, struct rw_file_report *r,
		      const struct rw_csv_info *info)
{
	struct rw_input_stats *st = &in->stats->file[r->file];

	if (!st->present) {
		snprintf(st->path, sizeof(st->path), "%s", r->path);
		memcpy(st->sha256, info->sha256, sizeof(st->sha256));
	} else {
		struct rw_sha256 c;

		rw_sha256_init(&c);
		rw_sha256_update(&c, st->sha256, 64);
		rw_sha256_update(&c, info->sha256, 64);
		rw_sha256_final_hex(&c, st->sha256);
	}
	st->present = 1;
	st->size += info->size;
	st->rows_read += r->rows_read;
	st->rows_rejected += r->rows_rejected;
	in->stats->skipped_rows += r->rows_skipped;
}

static int (*const row_fns[RW_NINPUTS])(struct table *, const struct rw_csv_rec *) = {
	[RW_IN_REPS] = rep_row,
	[RW_IN_OPPORTUNITIES] = opp_row,
	[RW_IN_TARGETS] = target_row,
	[RW_IN_ACTIVITIES] = act_row,
	[RW_IN_STAGE_HISTORY] = stage_row,
	[RW_IN_PLANS] = plan_row,
};

/* Two files of one input with the same bytes are one export twice (a
 * second download under another name): an error naming both, rather
 * than every row counted twice or rejected. */
static int same_bytes(struct ingest *in, const struct rw_file_report *r)
{
	for (int i = 0; i < in->stats->nfiles; i++) {
		const struct rw_file_report *o = &in->stats->files[i];

		if (o == r || o->file != r->file || !o->sha256[0] ||
		    strcmp(o->sha256, r->sha256))
			continue;
		rw_err_where(in->err, r->path, 0, 0);
		return rw_err_set(in->err, RW_EINPUT,
				  "same bytes as %s: one %s export twice; keep one of the two files",
				  o->path, rw_input_name((enum rw_input_file)r->file));
	}
	return 0;
}

/* Read the file of report r (its input known) with its input's rows. */
static int read_file(struct ingest *in, struct rw_file_report *r)
{
	const struct rw_ingest_opts *o = in->opts;
	struct table *t;
	struct rw_csv_info info;
	int rc;

	/* The table is large (header names) and kept off the stack. */
	t = rw_calloc(1, sizeof(*t));
	if (!t)
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	t->in = in;
	t->f = (enum rw_input_file)r->file;
	t->cols = rw_file_cols[r->file];
	t->row = row_fns[r->file];
	t->path = r->path;
	t->name = base_name(r->path);
	t->rep = r;
	t->order = RW_DATE_AUTO;
	rc = rw_csv_read_enc(r->path, o->encoding, on_row, t,
			     o->show_progress ? t->name : NULL, &info, in->err);
	add_stats(in, r, &info);
	memcpy(r->sha256, info.sha256, sizeof(r->sha256));
	note_order(t);
	if (t->created_moved)
		fprintf(stderr, "repwatch: warning: %s: %llu deals closed before their created date; read as created on their close date (close_before_created = use_close)\n",
			t->name, (unsigned long long)t->created_moved);
	if (!rc)
		rc = same_bytes(in, r);
	if (!rc && info.records == 0) {
		rw_err_where(in->err, r->path, 0, 0);
		rc = rw_err_set(in->err, RW_EINPUT, "empty file: no header line");
	}
	if (!rc)
		rc = check_share(t);
	rw_free(t);
	return rc;
}

/* ---- Finding the files ----------------------------------------------------- */

static struct rw_file_report *add_file(struct ingest *in, const char *path,
				       int file)
{
	struct rw_ingest_stats *st = in->stats;
	struct rw_file_report *r;

	if (st->nfiles == RW_MAX_FILES) {
		fprintf(stderr, "repwatch: warning: %s: more than %d CSV files; this one is not read\n",
			path, RW_MAX_FILES);
		return NULL;
	}
	r = &st->files[st->nfiles++];
	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->file = file;
	return r;
}

/* What a header line is: the input and profile that map it best. */
struct classify {
	const struct rw_ingest_opts *opts;
	int file;
	struct rw_header_map hm;
};

static int classify_row(void *ctx, const struct rw_csv_rec *rec, struct rw_err *err)
{
	static const enum rw_input_file order[] = { RW_IN_STAGE_HISTORY,
		RW_IN_PLANS, RW_IN_TARGETS, RW_IN_REPS, RW_IN_ACTIVITIES,
		RW_IN_OPPORTUNITIES };
	struct classify *c = ctx;
	struct rw_header_map hm;

	(void)err;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!rw_profile_map(c->opts->profile, order[i], rec, &c->opts->map, &hm))
			continue;
		if (c->file < 0 || hm.score > c->hm.score) {
			c->file = (int)order[i];
			c->hm = hm;
		}
	}
	return STOP;
}

/* Which input the CSV file r is, from its header; -1 (with a note) when
 * it is none. */
static int classify(struct ingest *in, struct rw_file_report *r)
{
	struct classify c = { .opts = in->opts, .file = -1 };
	struct rw_csv_info info;
	int rc;

	rc = rw_csv_read_enc(r->path, in->opts->encoding, classify_row, &c, NULL,
			     &info, in->err);
	if (rc && rc != STOP)
		return rc;
	if (rc == STOP)
		rw_err_clear(in->err);
	r->file = c.file;
	if (c.file < 0) {
		snprintf(r->note, sizeof(r->note),
			 "not read: its header matches no input of any profile%s",
			 in->opts->map.n ? " or of the configuration" : "");
	} else if (in->opts->paths[c.file]) {
		snprintf(r->note, sizeof(r->note), "not read: a %s export, but --%.*s names the file to read",
			 c.hm.label, (int)(strlen(rw_input_name((enum rw_input_file)c.file)) - 4),
			 rw_input_name((enum rw_input_file)c.file));
		r->file = -1;
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_csv_name(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && !strcasecmp(name + n - 4, ".csv") && name[0] != '.';
}

/* The input whose canonical file name is name, or -1. */
static int canonical_input(const char *name)
{
	for (int f = 0; f < RW_NINPUTS; f++)
		if (!strcmp(name, rw_input_name((enum rw_input_file)f)))
			return f;
	return -1;
}

/* Cut suffix (of length n, already lower-case) off s when s ends with it. */
static int cut_suffix(char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	if (n < m || strcmp(s + n - m, suffix))
		return 0;
	s[n - m] = '\0';
	return 1;
}

/* Blanks, '-' and '_' off the end of s. */
static void cut_tail(char *s)
{
	size_t n = strlen(s);

	while (n && (rw_blank(s[n - 1]) || s[n - 1] == '-' || s[n - 1] == '_'))
		s[--n] = '\0';
}

/*
 * The canonical input a data-folder file name stands for when read
 * loosely, or -1: case aside, without a leading byte order mark or
 * blanks, and without the marks a second download or a copy leaves
 * ("activities (1).csv", "activities(2).csv", "activities - Copy.csv",
 * "Copy of activities.csv", "activities 2.csv" but not "activities
 * 2024.csv").  Two files that are the same input this way
 * cannot both be meant.
 */
static int loose_input(const char *name)
{
	char s[256], *p = s;
	size_t n;
	int again = 1;

	if (strlen(name) >= sizeof(s))
		return -1;
	for (n = 0; name[n]; n++)
		s[n] = name[n] >= 'A' && name[n] <= 'Z' ? (char)(name[n] - 'A' + 'a') : name[n];
	s[n] = '\0';
	for (;;) {
		if (!strncmp(p, "\xef\xbb\xbf", 3))
			p += 3;
		else if (rw_blank(*p))
			p++;
		else
			break;
	}
	if (!strncmp(p, "copy of ", 8))
		p += 8;
	if (!cut_suffix(p, ".csv"))
		return -1;
	while (again) {
		char *open;

		cut_tail(p);
		again = cut_suffix(p, "copy");
		n = strlen(p);
		open = n ? strrchr(p, '(') : NULL;
		if (!again && open && p[n - 1] == ')' && open + 1 < p + n - 1 &&
		    strspn(open + 1, "0123456789") == (size_t)(p + n - 1 - (open + 1))) {
			*open = '\0';
			again = 1;
		}
		if (!again) {	/* " 2": a copy made by the macOS Finder */
			size_t d = 0;

			while (d < 3 && d < n && p[n - 1 - d] >= '0' && p[n - 1 - d] <= '9')
				d++;
			if (d && d < 3 && d < n && p[n - 1 - d] == ' ') {
				p[n - 1 - d] = '\0';
				again = 1;
			}
		}
	}
	for (int f = 0; f < RW_NINPUTS; f++) {
		const char *c = rw_input_name((enum rw_input_file)f);

		if (strlen(c) == strlen(p) + 4 && !strncmp(c, p, strlen(p)))
			return f;
	}
	return -1;
}

/* Two files of the data folder that both read as one input's name (see
 * loose_input()): exit 2 naming both, unless the command line names that
 * input's file. */
static int name_clash(struct ingest *in, const char *dir, char *const *names,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int f = loose_input(names[i]);

		if (f < 0 || in->opts->paths[f])
			continue;
		for (size_t j = i + 1; j < n; j++) {
			char path[1024];

			if (loose_input(names[j]) != f)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			rw_err_where(in->err, path, 0, 0);
			return rw_err_set(in->err, RW_EINPUT,
					  "\"%s\" and \"%s\" in %s are both %s (a second download or a copy?): keep one of them",
					  names[i], names[j], dir,
					  rw_input_name((enum rw_input_file)f));
		}
	}
	return 0;
}

/* One CSV file of the data folder: a canonical name is its input, any
 * other file is classified by its header. */
static int scan_one(struct ingest *in, const char *dir, const char *name)
{
	const struct rw_ingest_opts *o = in->opts;
	struct rw_file_report *r;
	char path[1024];
	struct stat sb;
	int f, n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &sb) || !S_ISREG(sb.st_mode))
		return 0;
	if (o->rejects_path && !strcmp(base_name(o->rejects_path), name)) {
		struct stat rb;

		if (!stat(o->rejects_path, &rb) && rb.st_dev == sb.st_dev &&
		    rb.st_ino == sb.st_ino)
			return 0;
	}
	for (int i = 0; i < in->stats->nfiles; i++) {
		struct stat eb;

		if (!stat(in->stats->files[i].path, &eb) && eb.st_dev == sb.st_dev &&
		    eb.st_ino == sb.st_ino)
			return 0;
	}
	f = canonical_input(name);
	r = add_file(in, path, f);
	if (!r)
		return 0;
	if (f >= 0 && o->paths[f]) {
		r->file = -1;
		snprintf(r->note, sizeof(r->note), "not read: --%.*s names the file to read",
			 (int)(strlen(name) - 4), name);
		return 0;
	}
	return f >= 0 ? 0 : classify(in, r);
}

/* Every CSV file of the data folder, in name order. */
static int scan_dir(struct ingest *in, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!d)
		return 0;	/* the missing inputs say what is wrong */
	while ((de = readdir(d))) {
		if (!is_csv_name(de->d_name))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **p = rw_reallocarray(names, ncap, sizeof(*p));

			if (!p) {
				rc = rw_err_set(in->err, RW_ENOMEM, "out of memory");
				break;
			}
			names = p;
			cap = ncap;
		}
		names[n] = rw_arena_strdup(in->arena, de->d_name);
		if (!names[n]) {
			rc = rw_err_set(in->err, RW_ENOMEM, "out of memory");
			break;
		}
		n++;
	}
	closedir(d);
	if (!rc && n)
		qsort(names, n, sizeof(*names), cmp_names);
	if (!rc)
		rc = name_clash(in, dir, names, n);
	for (size_t i = 0; !rc && i < n; i++)
		rc = scan_one(in, dir, names[i]);
	rw_free(names);
	return rc;
}

/*
 * The files to read: those named on the command line (which must exist),
 * then every CSV file of the data folder.
 */
static int find_files(struct ingest *in)
{
	const struct rw_ingest_opts *o = in->opts;
	struct stat sb;

	for (int f = 0; f < RW_NINPUTS; f++) {
		if (!o->paths[f])
			continue;
		if (stat(o->paths[f], &sb)) {
			rw_err_where(in->err, o->paths[f], 0, 0);
			return rw_err_set(in->err, errno == ENOENT ? RW_EINPUT : RW_EIO,
					  "cannot read %s: %s", rw_input_name((enum rw_input_file)f),
					  strerror(errno));
		}
		if (!add_file(in, o->paths[f], f))
			return rw_err_set(in->err, RW_EINPUT, "too many input files");
	}
	return scan_dir(in, o->data_dir ? o->data_dir : ".");
}

/* A required input with no file: name the canonical file that is missing. */
static int missing_input(struct ingest *in, enum rw_input_file f)
{
	const char *dir = in->opts->data_dir ? in->opts->data_dir : ".";
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, rw_input_name(f));
	rw_err_where(in->err, path, 0, 0);
	return rw_err_set(in->err, RW_EINPUT,
			  "cannot read %s: %s, and no other CSV file in %s is such an export",
			  rw_input_name(f), strerror(ENOENT), dir);
}

static int read_input(struct ingest *in, enum rw_input_file f)
{
	int n = 0, rc = 0;

	for (int i = 0; !rc && i < in->stats->nfiles; i++) {
		if (in->stats->files[i].file != (int)f)
			continue;
		rc = read_file(in, &in->stats->files[i]);
		n++;
	}
	if (!rc && n && f == RW_IN_ACTIVITIES)
		rw_dataset_set_activities_given(in->ds);
	if (!rc && !n && (f == RW_IN_OPPORTUNITIES ||
			  (f == RW_IN_ACTIVITIES && in->opts->require_activities)))
		rc = missing_input(in, f);
	return rc;
}

static int ingest_all(struct ingest *in)
{
	static const enum rw_input_file order[] = { RW_IN_REPS,
		RW_IN_OPPORTUNITIES, RW_IN_TARGETS, RW_IN_STAGE_HISTORY,
		RW_IN_PLANS };
	int rc = find_files(in);

	for (size_t i = 0; !rc && i < sizeof(order) / sizeof(order[0]); i++)
		rc = read_input(in, order[i]);
	if (!rc && rw_dataset_begin_activities(in->ds))
		rc = rw_err_set(in->err, RW_ENOMEM, "out of memory");
	if (!rc)
		rc = read_input(in, RW_IN_ACTIVITIES);
	return rc;
}

/*
 * The rejects file is written on every run, even a failing one, and always
 * has its header line: a file with only the header means nothing was
 * rejected.
 */
int rw_ingest_run(const struct rw_ingest_opts *opts, struct rw_dataset *ds,
		  struct rw_ingest_stats *stats, struct rw_err *err)
{
	struct ingest in = { .opts = opts, .ds = ds, .stats = stats, .err = err };
	int rc, rc2;

	memset(stats, 0, sizeof(*stats));
	snprintf(in.base, sizeof(in.base), "%s", opts->map.base_currency);
	for (int i = 0; i < opts->map.n; i++)
		in.act_map |= opts->map.e[i].kind == RW_MAP_ACT;
	rw_buf_init(&in.out, RW_BUF_DEFAULT_MAX);
	rw_buf_init(&in.key, RW_BUF_DEFAULT_MAX);
	rw_buf_init(&in.row, RW_BUF_DEFAULT_MAX);
	rw_index_init(&in.rep_ids);
	rw_index_init(&in.rep_emails);
	rw_index_init(&in.rep_names);
	rw_index_init(&in.opp_ids);
	rw_index_init(&in.act_unknown);
	rw_idset_init(&in.act_ids);
	in.arena = rw_arena_new(1 << 16);
	if (!in.arena)
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	rc = rejects_open(&in);
	if (!rc)
		rc = ingest_all(&in);
	rc2 = rejects_close(&in);
	snprintf(stats->base_currency, sizeof(stats->base_currency), "%s", in.base);
	rw_index_release(&in.rep_ids);
	rw_index_release(&in.rep_emails);
	rw_index_release(&in.rep_names);
	rw_index_release(&in.opp_ids);
	rw_index_release(&in.act_unknown);
	rw_idset_release(&in.act_ids);
	rw_free(in.rep_line);
	rw_free(in.opp_line);
	rw_buf_release(&in.out);
	rw_buf_release(&in.key);
	rw_buf_release(&in.row);
	rw_arena_free(in.arena);
	return rc ? rc : rc2;
}
