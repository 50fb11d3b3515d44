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
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* ---- An activities file on two threads ---------------------------------- */

/* The dataset's counters of the activities read (the fold aside): set
 * from a snapshot, or cleared for a range of its own. */
static void act_counters_copy(struct rw_dataset *to, const struct rw_dataset *from)
{
	to->activities = from->activities;
	to->activities_ignored = from->activities_ignored;
	to->activities_other_shard = from->activities_other_shard;
	to->activities_given = from->activities_given;
	to->act_first = from->act_first;
	to->act_last = from->act_last;
}

static const struct rw_dataset no_activities = {
	.act_first = RW_NODAY, .act_last = RW_NODAY
};

/*
 * The second range of an activities file is read into state of its own:
 * a copy of the ingest (its own stats, key buffers, unknown owners and id
 * set; the rep and deal tables shared, read only), a copy of the dataset
 * with a fold of its own, and a table that defers rejects and warnings.
 * Joining it is exact because the first range's rows all come before its
 * rows: counters add, the folds merge, the rejects and warnings are
 * written after the first range's in their order, and an activity id
 * seen in both ranges (the later row's fate depends on the earlier) drops
 * the range, to be read again on the first thread.
 */
struct part {
	struct ingest in;
	struct table t;
	struct rw_file_report rep;
	struct rw_ingest_stats stats;
	struct rw_dataset ds;
	struct rw_err err;
	struct rw_buf defer;
	struct rw_idspill *spill;	/* its ids, while first read */
};

static void part_free(struct part *p)
{
	if (!p)
		return;
	rw_dataset_drop_activities(&p->ds);
	if (p->spill) {
		rw_idspill_close(p->spill);
		rw_free(p->spill);
	}
	rw_index_release(&p->in.act_unknown);
	rw_idset_release(&p->in.act_ids);
	rw_buf_release(&p->in.out);
	rw_buf_release(&p->in.key);
	rw_buf_release(&p->in.row);
	rw_buf_release(&p->defer);
	rw_arena_free(p->in.arena);
	rw_free(p);
}

static void *part_fork(void *ctx)
{
	struct table *t = ctx;
	struct ingest *in = t->in;
	struct part *p;

	/* A first read keeps each range's spill until its end: no room for
	 * another, no second range. */
	if (t->f != RW_IN_ACTIVITIES || in->opts->threads == 1 ||
	    in->opts->on_activity || !in->ds->fold ||
	    (in->spill && in->npart_spill == RW_MAX_FILES))
		return NULL;
	p = rw_calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->in = *in;
	p->in.stats = &p->stats;
	p->in.err = &p->err;
	p->in.rej = NULL;
	rw_buf_init(&p->in.out, RW_BUF_DEFAULT_MAX);
	rw_buf_init(&p->in.key, RW_BUF_DEFAULT_MAX);
	rw_buf_init(&p->in.row, RW_BUF_DEFAULT_MAX);
	rw_buf_init(&p->defer, RW_BUF_DEFAULT_MAX);
	rw_index_init(&p->in.act_unknown);
	rw_idset_init(&p->in.act_ids);
	p->in.arena = rw_arena_new(1 << 12);
	p->ds = *in->ds;
	p->ds.fold = NULL;
	act_counters_copy(&p->ds, &no_activities);
	p->in.ds = &p->ds;
	p->t = *t;
	p->t.in = &p->in;
	p->t.rep = &p->rep;
	p->t.defer = &p->defer;
	p->in.owner_defer = NULL;
	if (in->spill) {
		/* The ids of a first read go to a spill of its own. */
		p->spill = rw_malloc(sizeof(*p->spill));
		if (p->spill && rw_idspill_open(p->spill)) {
			rw_free(p->spill);
			p->spill = NULL;
		}
		if (!p->spill) {
			part_free(p);
			return NULL;
		}
		p->in.spill = p->spill;
	}
	if (!p->in.arena || rw_dataset_begin_activities(&p->ds)) {
		part_free(p);
		return NULL;
	}
	return &p->t;
}

/* Write what the second range deferred, its lines made the file's. */
static int part_replay(struct table *t, const struct rw_buf *b, long base)
{
	struct ingest *in = t->in;
	size_t at = 0;
	int rc = 0;

	while (!rc && at + sizeof(struct rw_deferred) <= b->len) {
		struct rw_deferred d;
		const char *p = b->data + at + sizeof(d);

		memcpy(&d, b->data + at, sizeof(d));
		at += sizeof(d) + d.n1 + d.n2;
		if (d.kind == RW_DEFER_REJECT) {
			char reason[256];

			snprintf(reason, sizeof(reason), "%.*s", (int)d.n1, p);
			rc = rw_table_reject_raw(t, base + d.line, d.col, reason, p + d.n1, d.n2);
			continue;
		}
		{
			const char *k = rw_ingest_key(in, p, d.n1, 0, 0);

			if (!k)
				return rw_err_set(in->err, RW_ENOMEM, "out of memory");
			if (rw_index_get(&in->act_unknown, k) != RW_NONE)
				continue;
			if (rw_ingest_index_add(in, &in->act_unknown, k, 0))
				return in->err->code;
			rw_ingest_warn_owner(t, base + d.line, p, d.n1);
		}
	}
	return rc;
}

static int part_join(void *ctx, void *pctx, long base, int *keep)
{
	struct table *t = ctx;
	struct ingest *in = t->in;
	struct part *p = (struct part *)((char *)pctx - offsetof(struct part, t));
	struct rw_ingest_stats *a = in->stats;
	const struct rw_ingest_stats *b = &p->stats;
	int rc = 0;

	/* Ids the first half read: on disk, checked with the spills after
	 * the read; in memory, they must not meet the second half's. */
	if (*keep && !p->spill && !rw_idset_disjoint(&in->act_ids, &p->in.act_ids))
		*keep = 0;
	if (!*keep) {
		part_free(p);
		return 0;
	}
	if (rw_idset_merge(&in->act_ids, &p->in.act_ids))
		rc = rw_err_set(in->err, RW_ENOMEM, "out of memory");
	else if (rw_dataset_merge_activities(in->ds, &p->ds))
		rc = rw_err_set(in->err, RW_EINTERNAL, "the two halves of %s do not merge", t->name);
	if (!rc) {
		t->rep->rows_read += p->rep.rows_read;
		t->rep->rows_skipped += p->rep.rows_skipped;
		t->rep->duplicates += p->rep.duplicates;
		a->unknown_opps += b->unknown_opps;
		a->after_as_of += b->after_as_of;
		a->unknown_owner_acts += b->unknown_owner_acts;
		a->duplicate_acts += b->duplicate_acts;
		rc = part_replay(t, &p->defer, base);
		t->rep->threads = 2;
		if (p->spill) {
			in->part_spill[in->npart_spill++] = p->spill;
			p->spill = NULL;
		}
	}
	part_free(p);
	return rc;
}

/* Read the file of report r (its input known) with its input's rows. */
static int read_file(struct ingest *in, struct rw_file_report *r)
{
	const struct rw_ingest_opts *o = in->opts;
	const struct rw_csv_split split = { .fork = part_fork, .join = part_join,
		.min_part = o->split_min ? o->split_min : RW_SPLIT_MIN,
		.at = o->split_at };
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
	r->threads = 1;
	rc = rw_csv_read_split(r->path, o->encoding, &split, rw_table_on_row, t,
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

/* ---- Activity ids checked after the read --------------------------------- */

/*
 * SPEC section 2: a repeated activity_id with the same content is counted
 * once, with other content the later row is rejected.  Keeping every id
 * in memory to check each row as it streams costs 16 to 32 bytes an id
 * (200 MB for 10 million), the one thing that would grow with the rows.
 * Instead the first read folds every row and writes each id's 64-bit hash
 * to a temporary file (struct rw_idspill); after it, the hashes are
 * counted a bucket at a time.  Exports rarely repeat an id: when none
 * does, the first read is exactly what a checking read gives, and stands.
 * When some do, everything the read changed is put back as it was before
 * and the activities are read again, checking only the repeated ids (in
 * memory: those are few), which gives the checking read's result for
 * twice the time.  Unknown-owner warnings of the first read are held back
 * until it is known to stand (a repeated row is never folded, so it must
 * not be the one that warns).
 */
struct act_snapshot {
	struct rw_ingest_stats stats;
	struct rw_dataset ds;		/* its activity counters only */
	long rej_at;			/* rejects file offset, -1: none */
};

static int is_regular(FILE *fp)
{
	struct stat st;

	return !fstat(fileno(fp), &st) && S_ISREG(st.st_mode);
}

static int act_snapshot(struct ingest *in, struct act_snapshot *s)
{
	s->stats = *in->stats;
	act_counters_copy(&s->ds, in->ds);
	s->rej_at = -1;
	if (in->rej && fflush(in->rej))
		return rw_err_set(in->err, RW_EIO, "rejects file: %s", strerror(errno));
	if (in->rej && is_regular(in->rej))
		s->rej_at = ftell(in->rej);
	return 0;
}

static int act_restore(struct ingest *in, const struct act_snapshot *s)
{
	*in->stats = s->stats;
	act_counters_copy(in->ds, &s->ds);
	rw_index_release(&in->act_unknown);
	rw_index_init(&in->act_unknown);
	rw_dataset_drop_activities(in->ds);
	if (rw_dataset_begin_activities(in->ds))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	/* The rejects of the first read are written again: cut them off (a
	 * rejects file that is no regular file, /dev/null, keeps them). */
	if (in->rej && s->rej_at >= 0 &&
	    (fflush(in->rej) || (is_regular(in->rej) &&
				 (ftruncate(fileno(in->rej), (off_t)s->rej_at) ||
				  fseek(in->rej, s->rej_at, SEEK_SET))))) {
		rw_err_where(in->err, in->opts->rejects_path, 0, 0);
		return rw_err_set(in->err, RW_EIO, "rejects file: %s", strerror(errno));
	}
	return 0;
}

static int read_activities(struct ingest *in)
{
	struct rw_idspill spill, *all[RW_MAX_FILES + 1];
	struct act_snapshot *snap;
	struct rw_idset repeats;
	struct rw_buf owners;
	long found;
	int rc, n = 0;

	if (in->opts->on_activity || in->opts->ids_in_memory)
		return read_input(in, RW_IN_ACTIVITIES);
	/* Large (the stats): off the stack. */
	snap = rw_malloc(sizeof(*snap));
	if (!snap)
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	if (rw_idspill_open(&spill)) {
		/* No temporary file: every id in memory. */
		rw_free(snap);
		return read_input(in, RW_IN_ACTIVITIES);
	}
	rw_buf_init(&owners, RW_BUF_DEFAULT_MAX);
	rw_idset_init(&repeats);
	rc = act_snapshot(in, snap);
	in->spill = &spill;
	in->owner_defer = &owners;
	in->npart_spill = 0;
	if (!rc)
		rc = read_input(in, RW_IN_ACTIVITIES);
	in->spill = NULL;
	in->owner_defer = NULL;
	all[n++] = &spill;
	for (int i = 0; i < in->npart_spill; i++)
		all[n++] = in->part_spill[i];
	/* Even a read that failed stands only without repeats before the
	 * failure: with them, the checking read fails its own way. */
	found = rw_idspill_repeats(all, n, &repeats);
	for (int i = 0; i < n; i++)
		rw_idspill_close(all[i]);
	for (int i = 0; i < in->npart_spill; i++)
		rw_free(in->part_spill[i]);
	in->npart_spill = 0;
	if (found < 0) {
		if (!rc)
			rc = rw_err_set(in->err, RW_ENOMEM, "out of memory or temporary file: %s",
					strerror(errno));
	} else if (found == 0) {
		if (rw_buf_error(&owners) && !rc)
			rc = rw_err_set(in->err, RW_ENOMEM, "out of memory");
		else if (owners.len)
			fputs(owners.data, stderr);
	} else {
		rw_err_clear(in->err);
		rc = act_restore(in, snap);
		in->repeats = &repeats;
		if (!rc)
			rc = read_input(in, RW_IN_ACTIVITIES);
		in->repeats = NULL;
	}
	rw_idset_release(&repeats);
	rw_buf_release(&owners);
	rw_free(snap);
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
		rc = read_activities(in);
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
