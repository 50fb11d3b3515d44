/*
 * ingest.c - read the canonical CSV layout into a struct rw_dataset
 * (SPEC section 2): header mapping, per-row validation, owner resolution,
 * duplicates, the rejects file and the reject-share rule.
 *
 * Files are read in the order the engine needs: reps.csv, then
 * opportunities.csv (owners that match no rep become reps of their own),
 * then targets.csv; then the engine's activity fold is set up and
 * activities.csv is streamed into it row by row, keeping nothing per
 * activity.
 */
#include "ingest.h"
#include "ingest_int.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Longest cell value quoted in a reject reason or warning. */
#define SHOW_MAX 60

void rw_ingest_opts_default(struct rw_ingest_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->data_dir = ".";
	o->date_order = RW_DATE_AUTO;
	o->max_reject_share = 0.05;
	o->decimal = '.';
}

const char *rw_input_name(enum rw_input_file f)
{
	static const char *const names[RW_NINPUTS] = {
		[RW_IN_REPS] = "reps.csv",
		[RW_IN_OPPORTUNITIES] = "opportunities.csv",
		[RW_IN_TARGETS] = "targets.csv",
		[RW_IN_ACTIVITIES] = "activities.csv",
	};

	return (unsigned)f < RW_NINPUTS ? names[f] : "?";
}

/* ---- Columns ------------------------------------------------------------ */

/* A column of a canonical file; required 0 = optional, 1 = required,
 * 2 = one of the group of 2s is required. */
struct col {
	const char *name;
	int required;
};

enum { REP_ID, REP_NAME, REP_EMAIL, REP_TEAM, REP_MANAGER, REP_HIRE, REP_END };
static const struct col rep_cols[] = {
	{ "rep_id", 1 }, { "name", 1 }, { "email", 0 }, { "team", 0 },
	{ "manager", 0 }, { "hire_date", 0 }, { "end_date", 0 }, { NULL, 0 },
};

enum { OPP_ID, OPP_OWNER, OPP_CREATED, OPP_AMOUNT, OPP_STATUS, OPP_STAGE,
       OPP_CLOSE };
static const struct col opp_cols[] = {
	{ "opp_id", 1 }, { "owner", 1 }, { "created", 1 }, { "amount", 1 },
	{ "status", 2 }, { "stage", 2 }, { "close_date", 0 }, { NULL, 0 },
};

enum { TGT_REP, TGT_TEAM, TGT_PERIOD, TGT_TARGET, TGT_METRIC };
static const struct col tgt_cols[] = {
	{ "rep_id", 2 }, { "team", 2 }, { "period", 1 }, { "target", 1 },
	{ "metric", 0 }, { NULL, 0 },
};

enum { ACT_ID, ACT_OWNER, ACT_TYPE, ACT_DATE, ACT_OPP };
static const struct col act_cols[] = {
	{ "activity_id", 1 }, { "owner", 1 }, { "type", 1 }, { "date", 1 },
	{ "opp_id", 0 }, { NULL, 0 },
};

#define MAX_COLS 8

struct ingest;

/* One input file being read. */
struct table {
	struct ingest *in;
	enum rw_input_file f;
	const char *path;
	const char *name;		/* base name, for messages and rejects */
	const struct col *cols;
	int map[MAX_COLS];		/* field index of each column, or -1 */
	size_t nheader;			/* fields in the header */
	struct rw_input_stats *st;
	int (*row)(struct table *t, const struct rw_csv_rec *rec);
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
	long *rep_line, *opp_line;	/* line each rep / deal was first read */
	size_t rep_line_cap, opp_line_cap;
};

/* ---- Cells -------------------------------------------------------------- */

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trimmed value of column c in rec; "" (len 0) when the column is absent. */
static const char *cell(const struct table *t, const struct rw_csv_rec *rec,
			int c, size_t *len)
{
	const char *s;
	size_t n;

	if (t->map[c] < 0) {
		*len = 0;
		return "";
	}
	s = rec->fields[t->map[c]];
	n = rec->lens[t->map[c]];
	while (n && blank(*s)) {
		s++;
		n--;
	}
	while (n && blank(s[n - 1]))
		n--;
	*len = n;
	return s;
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

	t->st->rows_rejected++;
	if (!in->rej)
		return 0;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
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

/* Put s[0..len) in in->key, lower-cased when fold, inner blanks collapsed
 * when collapse; returns the key or NULL when out of memory. */
static const char *make_key(struct ingest *in, const char *s, size_t len,
			    int fold, int collapse)
{
	struct rw_buf *b = &in->key;
	int space = 0;

	rw_buf_reset(b);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (collapse && blank(c)) {
			space = 1;
			continue;
		}
		if (space)
			rw_buf_addc(b, ' ');
		space = 0;
		if (fold && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
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
	return rw_err_set(t->in->err, RW_EINPUT,
			  "missing required column %s (header has: %s)", what, have);
}

/* Map header names (trimmed, any case) onto t->cols; unknown ones are
 * ignored and a repeated name maps to its first occurrence. */
static int read_header(struct table *t, const struct rw_csv_rec *rec)
{
	const char *group[2] = { NULL, NULL };
	int c, ng = 0, have_group = 0;
	char what[80];

	t->nheader = rec->nfields;
	for (c = 0; t->cols[c].name; c++) {
		t->map[c] = -1;
		for (size_t i = 0; i < rec->nfields && t->map[c] < 0; i++) {
			const char *s = rec->fields[i];
			size_t n = rec->lens[i];

			while (n && blank(*s)) {
				s++;
				n--;
			}
			while (n && blank(s[n - 1]))
				n--;
			if (n == strlen(t->cols[c].name) &&
			    !strncasecmp(s, t->cols[c].name, n))
				t->map[c] = (int)i;
		}
		if (t->cols[c].required == 1 && t->map[c] < 0) {
			snprintf(what, sizeof(what), "\"%s\"", t->cols[c].name);
			return missing_column(t, rec, what);
		}
		if (t->cols[c].required == 2) {
			group[ng++ & 1] = t->cols[c].name;
			have_group |= t->map[c] >= 0;
		}
	}
	if (ng && !have_group) {
		snprintf(what, sizeof(what), "\"%s\" or \"%s\"", group[0], group[1]);
		return missing_column(t, rec, what);
	}
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

static int on_row(void *ctx, const struct rw_csv_rec *rec, struct rw_err *err)
{
	struct table *t = ctx;

	(void)err;
	if (rec->index == 0)
		return read_header(t, rec);
	if (all_empty(rec))
		return 0;
	t->st->rows_read++;
	if (rec->nfields != t->nheader)
		return reject(t, rec, -1, "expected %zu fields, found %zu",
			      t->nheader, rec->nfields);
	return t->row(t, rec);
}

/* ---- reps.csv ----------------------------------------------------------- */

static int opt_date(struct table *t, const struct rw_csv_rec *rec, int c,
		    int32_t *day, int *bad)
{
	char why[128];
	size_t len;
	const char *s = cell(t, rec, c, &len);

	*bad = 0;
	*day = RW_NODAY;
	if (!len || !rw_parse_date(s, len, t->in->opts->date_order, day, why,
				   sizeof(why)))
		return 0;
	*bad = 1;
	return reject_value(t, rec, c, why);
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

/* SPEC section 2: status from `status` when it has a value, else from the
 * stage (a stage that names no status is an open deal). */
static int opp_status(struct table *t, const struct rw_csv_rec *rec,
		      enum rw_status *st, int *bad)
{
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
	if (!slen) {
		*bad = 1;
		return reject(t, rec, t->map[OPP_STATUS] >= 0 ? OPP_STATUS : OPP_STAGE,
			      "missing required value");
	}
	if (rw_parse_status(stage, slen, st))
		*st = RW_OPEN;
	return 0;
}

/* Parse every value of a deal row into *o (rep left RW_NONE). */
static int opp_values(struct table *t, const struct rw_csv_rec *rec,
		      struct rw_opp *o, int *bad)
{
	static const int req[] = { OPP_ID, OPP_OWNER, OPP_CREATED, OPP_AMOUNT, -1 };
	char why[128];
	size_t len, id, stage;
	const char *s;
	int rc;

	rc = require(t, rec, req, bad);
	if (rc || *bad)
		return rc;
	rc = opp_status(t, rec, &o->status, bad);
	if (rc || *bad)
		return rc;
	s = cell(t, rec, OPP_CREATED, &len);
	if (rw_parse_date(s, len, t->in->opts->date_order, &o->created, why,
			  sizeof(why))) {
		*bad = 1;
		return reject_value(t, rec, OPP_CREATED, why);
	}
	rc = opt_date(t, rec, OPP_CLOSE, &o->closed, bad);
	if (rc || *bad)
		return rc;
	s = cell(t, rec, OPP_AMOUNT, &len);
	if (rw_parse_amount(s, len, t->in->opts->decimal ? t->in->opts->decimal : '.',
			    &o->amount, why, sizeof(why))) {
		*bad = 1;
		return reject_value(t, rec, OPP_AMOUNT, why);
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
	       a->amount == b->amount && same_str(a->stage, b->stage);
}

static int opp_row(struct table *t, const struct rw_csv_rec *rec)
{
	struct ingest *in = t->in;
	struct rw_opp o = { .rep = RW_NONE };
	uint32_t idx;
	size_t len;
	const char *owner;
	int rc, bad;

	rc = opp_values(t, rec, &o, &bad);
	if (rc || bad)
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
		return reject(t, rec, t->map[TGT_REP] >= 0 ? TGT_REP : TGT_TEAM,
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

/*
 * Activity ids are required but not checked for duplicates: that would
 * mean keeping every id, and memory must not grow with activities.
 */
static int act_row(struct table *t, const struct rw_csv_rec *rec)
{
	static const int req[] = { ACT_ID, ACT_OWNER, ACT_TYPE, ACT_DATE, -1 };
	struct ingest *in = t->in;
	uint32_t rep, opp = RW_NONE;
	int32_t day;
	char why[128];
	size_t len;
	const char *s;
	int rc, bad;

	rc = require(t, rec, req, &bad);
	if (rc || bad)
		return rc;
	s = cell(t, rec, ACT_DATE, &len);
	if (rw_parse_date(s, len, in->opts->date_order, &day, why, sizeof(why)))
		return reject_value(t, rec, ACT_DATE, why);
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
	if (rep == RW_NONE)
		return unknown_act_owner(t, rec, s, len);
	if (day > in->ds->settings.as_of)
		in->stats->after_as_of++;
	s = cell(t, rec, ACT_TYPE, &len);
	rw_dataset_add_activity(in->ds, rep, opp, day, rw_parse_act_type(s, len));
	return 0;
}

/* ---- Files -------------------------------------------------------------- */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* SPEC section 2: too large a rejected share fails the whole run. */
static int check_share(struct table *t)
{
	const struct rw_input_stats *st = t->st;
	double share = t->in->opts->max_reject_share;
	const char *rp = t->in->opts->rejects_path;

	if (!st->rows_rejected || (double)st->rows_rejected <= share * (double)st->rows_read)
		return 0;
	rw_err_where(t->in->err, t->path, 0, 0);
	return rw_err_set(t->in->err, RW_EINPUT,
			  "%llu of %llu rows rejected (%.1f%%), over max_reject_share %g; see %s",
			  (unsigned long long)st->rows_rejected,
			  (unsigned long long)st->rows_read,
			  100.0 * (double)st->rows_rejected / (double)st->rows_read,
			  share, rp ? rp : "the rejects file (none was asked for)");
}

/*
 * Read input f with the row handler, filling its stats.  A missing file is
 * an error when it is required or was named explicitly, else it is absent.
 */
static int read_input(struct ingest *in, enum rw_input_file f,
		      const struct col *cols,
		      int (*row)(struct table *, const struct rw_csv_rec *))
{
	const struct rw_ingest_opts *o = in->opts;
	struct table t = { .in = in, .f = f, .cols = cols, .row = row };
	struct rw_input_stats *st = &in->stats->file[f];
	struct rw_csv_info info;
	struct stat sb;
	char path[1024];
	int n, rc;

	if (o->paths[f])
		n = snprintf(path, sizeof(path), "%s", o->paths[f]);
	else
		n = snprintf(path, sizeof(path), "%s/%s", o->data_dir ? o->data_dir : ".",
			     rw_input_name(f));
	if (n < 0 || (size_t)n >= sizeof(path))
		return rw_err_set(in->err, RW_EINPUT, "path of %s too long", rw_input_name(f));
	if (stat(path, &sb)) {
		int required = f == RW_IN_OPPORTUNITIES || f == RW_IN_ACTIVITIES || o->paths[f];

		if (errno == ENOENT && !required)
			return 0;
		rw_err_where(in->err, path, 0, 0);
		return rw_err_set(in->err, errno == ENOENT ? RW_EINPUT : RW_EIO,
				  "cannot read %s: %s", rw_input_name(f), strerror(errno));
	}
	snprintf(st->path, sizeof(st->path), "%s", path);
	st->present = 1;
	t.path = st->path;
	t.name = base_name(st->path);
	t.st = st;
	rc = rw_csv_read(path, on_row, &t,
			 o->show_progress ? t.name : NULL, &info, in->err);
	st->size = info.size;
	memcpy(st->sha256, info.sha256, sizeof(st->sha256));
	if (!rc && info.records == 0) {
		rw_err_where(in->err, path, 0, 0);
		rc = rw_err_set(in->err, RW_EINPUT, "empty file: no header line");
	}
	return rc ? rc : check_share(&t);
}

static int ingest_all(struct ingest *in)
{
	int rc;

	rc = read_input(in, RW_IN_REPS, rep_cols, rep_row);
	if (!rc)
		rc = read_input(in, RW_IN_OPPORTUNITIES, opp_cols, opp_row);
	if (!rc)
		rc = read_input(in, RW_IN_TARGETS, tgt_cols, target_row);
	if (!rc && rw_dataset_begin_activities(in->ds))
		rc = rw_err_set(in->err, RW_ENOMEM, "out of memory");
	if (!rc)
		rc = read_input(in, RW_IN_ACTIVITIES, act_cols, act_row);
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
	rw_buf_init(&in.out, RW_BUF_DEFAULT_MAX);
	rw_buf_init(&in.key, RW_BUF_DEFAULT_MAX);
	rw_buf_init(&in.row, RW_BUF_DEFAULT_MAX);
	rw_index_init(&in.rep_ids);
	rw_index_init(&in.rep_emails);
	rw_index_init(&in.rep_names);
	rw_index_init(&in.opp_ids);
	rw_index_init(&in.act_unknown);
	in.arena = rw_arena_new(1 << 16);
	if (!in.arena)
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	rc = rejects_open(&in);
	if (!rc)
		rc = ingest_all(&in);
	rc2 = rejects_close(&in);
	rw_index_release(&in.rep_ids);
	rw_index_release(&in.rep_emails);
	rw_index_release(&in.rep_names);
	rw_index_release(&in.opp_ids);
	rw_index_release(&in.act_unknown);
	rw_free(in.rep_line);
	rw_free(in.opp_line);
	rw_buf_release(&in.out);
	rw_buf_release(&in.key);
	rw_buf_release(&in.row);
	rw_arena_free(in.arena);
	return rc ? rc : rc2;
}
