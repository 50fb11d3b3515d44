/*
 * ingest.c - read CSV exports into a struct rw_dataset (SPEC section 2):
 * the driver.  It finds the files (discover.c), reads each through its
 * header mapping (header.c) and its input's rows (rows.c, with dates.c,
 * owners.c and rejects.c), adds up the stats and applies the reject-share
 * rule.
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

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- Files -------------------------------------------------------------- */

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
	t->row = rw_row_fns[r->file];
	t->path = r->path;
	t->name = rw_base_name(r->path);
	t->rep = r;
	t->order = RW_DATE_AUTO;
	rc = rw_csv_read_enc(r->path, o->encoding, rw_table_on_row, t,
			     o->show_progress ? t->name : NULL, &info, in->err);
	add_stats(in, r, &info);
	memcpy(r->sha256, info.sha256, sizeof(r->sha256));
	rw_table_note_order(t);
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
	int rc = rw_ingest_find_files(in);

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
	rc = rw_ingest_rejects_open(&in);
	if (!rc)
		rc = ingest_all(&in);
	rc2 = rw_ingest_rejects_close(&in);
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
