/*
 * ingest_int.h - pieces private to ingest/: SHA-256, the streaming CSV
 * reader, a string -> index hash table, and the state shared by the files
 * that read the inputs (rejects.c, owners.c, header.c, dates.c, rows.c,
 * discover.c, driven by ingest.c).  Exposed to tests only.
 */
#ifndef RW_INGEST_INT_H
#define RW_INGEST_INT_H

#include "../common/common.h"
#include "ingest.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- SHA-256 (FIPS 180-4) -------------------------------------------- */

struct rw_sha256 {
	uint32_t h[8];		/* chaining state */
	uint64_t nbytes;	/* message length so far */
	unsigned char blk[64];	/* partial block */
	size_t nblk;		/* bytes in blk */
	int ni;			/* 1: the CPU's SHA instructions (set by init;
				 * 0 forces the portable code) */
};

void rw_sha256_init(struct rw_sha256 *c);
void rw_sha256_update(struct rw_sha256 *c, const void *data, size_t len);
/* Finish and write the digest as 64 lowercase hex digits and a NUL. */
void rw_sha256_final_hex(struct rw_sha256 *c, char hex[65]);

/* ---- Streaming CSV reader -------------------------------------------- */

/* Size of each fread() and the cap on one record (all its bytes). */
#define RW_CSV_BLOCK ((size_t)1 << 20)
#define RW_CSV_MAX_RECORD ((size_t)1 << 20)

/*
 * One record as handed to the row callback.  fields[i] is NUL-terminated
 * and lens[i] its length (fields may hold NULs, CR and LF).  Everything is
 * valid only during the callback.
 */
struct rw_csv_rec {
	long line;		/* physical line (1-based) where it starts */
	uint64_t index;		/* 0 for the first record (the header) */
	size_t nfields;
	const char *const *fields;
	const size_t *lens;
};

/* Row callback: 0 to go on, or an RW_E* code (with err set) to stop. */
typedef int (*rw_csv_row_fn)(void *ctx, const struct rw_csv_rec *rec,
			     struct rw_err *err);

struct rw_csv_info {
	uint64_t size;		/* bytes read */
	char sha256[65];	/* of all bytes read, BOM included */
	uint64_t records;	/* records handed to the callback */
};

/*
 * Stream the file at path through libcsv in RW_CSV_BLOCK reads, calling
 * row for every record (header included; blank lines are skipped; a
 * leading UTF-8 BOM is dropped).  progress names the file in a progress
 * line on stderr, or is NULL for none.  Returns 0 and fills *info, or an
 * RW_E* code with err set (RW_EIO for read errors, RW_EINPUT for a record
 * over RW_CSV_MAX_RECORD, RW_ENOMEM, or whatever row returned).  info is
 * filled as far as the file was read either way.
 */
int rw_csv_read(const char *path, rw_csv_row_fn row, void *ctx,
		const char *progress, struct rw_csv_info *info,
		struct rw_err *err);

/* rw_csv_read() for a file in encoding enc (RW_ENC_AUTO: UTF-8, or UTF-16
 * when the file starts with its byte order mark).  Bytes that are not
 * valid in the encoding stop the file with RW_EINPUT naming the line and
 * the byte offset. */
int rw_csv_read_enc(const char *path, enum rw_encoding enc, rw_csv_row_fn row,
		    void *ctx, const char *progress, struct rw_csv_info *info,
		    struct rw_err *err);

/*
 * Reading a file on two threads.  The file is cut just after the line
 * feed nearest past its middle; a second thread parses from there to the
 * end while the calling thread parses up to there.  fork is called on the
 * calling thread once the header record has been handed to the row
 * callback, with its ctx: it returns the context of the second range's
 * rows (the same row callback, lines counted from 1 at the cut, record
 * indexes from 1), or NULL to read the file on one thread.  join is
 * called once for every context fork gave, after both ranges: *keep 1
 * when the cut fell between two records and the second range was read to
 * the end without an error, so that its rows are exactly those a single
 * reader would have read, on lines line_base + their line; join merges
 * them, or sets *keep 0 to drop them (then, and when *keep was 0, the
 * calling thread reads the second range itself).  join frees the context
 * either way and returns 0 or an RW_E* code that stops the file.  Only
 * UTF-8 files (no conversion) of at least 2 * min_part bytes are split.
 */
struct rw_csv_split {
	void *(*fork)(void *ctx);
	int (*join)(void *ctx, void *part, long line_base, int *keep);
	uint64_t min_part;
	uint64_t at;		/* 0: cut past the middle; else past the
				 * first line feed at or after byte at (tests) */
};

/* rw_csv_read_enc() reading the file in two ranges when split is not NULL
 * (see struct rw_csv_split). */
int rw_csv_read_split(const char *path, enum rw_encoding enc,
		      const struct rw_csv_split *split, rw_csv_row_fn row,
		      void *ctx, const char *progress, struct rw_csv_info *info,
		      struct rw_err *err);

/* Append s[0..len) to b as one CSV cell, quoted (RFC 4180) when needed. */
void rw_csv_cell(struct rw_buf *b, const char *s, size_t len);

/* ---- Canonical columns and vendor profiles (profile.c) --------------- */

#define RW_MAX_COLS 12
#define RW_MAX_ALT 4

/*
 * A column of a canonical file: required 0 = optional, 1 = required, 2 =
 * one of the group of 2s is required; date 1 when it holds dates.
 */
struct rw_col {
	const char *name;
	int required;
	int date;
};

/* Canonical columns of each input, NULL-name terminated. */
extern const struct rw_col *const rw_file_cols[RW_NINPUTS];

enum { REP_ID, REP_NAME, REP_EMAIL, REP_TEAM, REP_MANAGER, REP_HIRE, REP_END };
enum { OPP_ID, OPP_OWNER, OPP_CREATED, OPP_AMOUNT, OPP_STATUS, OPP_STAGE,
       OPP_CLOSE, OPP_CURRENCY, OPP_IS_CLOSED, OPP_IS_WON, OPP_ICP_FIT };
enum { TGT_REP, TGT_TEAM, TGT_PERIOD, TGT_TARGET, TGT_METRIC };
enum { ACT_ID, ACT_OWNER, ACT_TYPE, ACT_DATE, ACT_OPP };
enum { STG_OPP, STG_STAGE, STG_ENTERED };
enum { PLAN_ID, PLAN_REP, PLAN_START, PLAN_END, PLAN_METRIC, PLAN_TARGET,
       PLAN_BASELINE };

/*
 * How one file's header maps onto the canonical columns of its input:
 * for column c, header fields map[c][0..nalt[c]) in order (the first that
 * is not empty in a row gives the value), else the fixed value (from the
 * profile or [values.FILE]), else nothing.
 */
struct rw_header_map {
	const char *profile;		/* profile name */
	const char *label;		/* "HubSpot calls export", ... */
	int map[RW_MAX_COLS][RW_MAX_ALT];
	int nalt[RW_MAX_COLS];
	const char *fixed[RW_MAX_COLS];
	int score;			/* header fields used */
	char missing[96];		/* first required column not found */
};

/* Index of the input called name ("opportunities", "stage_history"). */
int rw_input_find(const char *name);

/*
 * Map the header hdr of a file of input f with profile pname ("" = try
 * every profile, canonical first, and keep the best).  Returns 1 and
 * fills *hm when every required column is there; 0 otherwise, with
 * hm->missing naming what the canonical (or forced) profile lacked.
 */
int rw_profile_map(const char *pname, enum rw_input_file f,
		   const struct rw_csv_rec *hdr, const struct rw_ingest_map *cfg,
		   struct rw_header_map *hm);

/* 1 when name is a known profile. */
int rw_profile_exists(const char *name);

/* ---- String -> index hash table -------------------------------------- */

/*
 * Open addressing with linear probing.  Keys are not copied: they must stay
 * valid as long as the table (ingest keeps them in an arena).  Each slot
 * keeps half of the key's hash beside it (16 bytes a slot), so a lookup
 * reads one slot per probe and a key's text only on a likely match.
 */
struct rw_index_slot {
	const char *key;	/* NULL = empty slot */
	uint32_t tag;		/* high half of the key's hash (the low bits
				 * pick the slot) */
	uint32_t val;
};

struct rw_index {
	struct rw_index_slot *slots;
	size_t cap;		/* power of two, or 0 */
	size_t n;
	uint64_t gen;		/* bumped by every put: lets callers cache lookups */
};

void rw_index_init(struct rw_index *t);
void rw_index_release(struct rw_index *t);
/* Value of key or RW_NONE (from engine.h: UINT32_MAX). */
uint32_t rw_index_get(const struct rw_index *t, const char *key);
/* Value of the len bytes at key (need not end in a NUL; as a C string, the
 * key ends at a NUL it holds) or RW_NONE. */
uint32_t rw_index_get_len(const struct rw_index *t, const char *key, size_t len);
/* Insert or replace; returns 0 or RW_ENOMEM (table unchanged). */
int rw_index_put(struct rw_index *t, const char *key, uint32_t val);

/* ---- Set of 64-bit id hashes (activity ids) --------------------------- */

/*
 * Activity ids are checked for duplicates without keeping the ids: each is
 * kept as a 64-bit hash (FNV-1a finished with MurmurHash3's fmix64) with a
 * 32-bit fingerprint of what the row says.  Two different ids share a hash
 * with probability about n^2 / 2^65 (2.7e-6 for 10 million ids); such a
 * pair shows as a rejected "duplicate with different content" row, never
 * as a row silently dropped, unless the two rows also share the 32-bit
 * fingerprint (about 2.7e-6 x 2^-32).  Memory: 12 bytes a slot, the table
 * at most 3/4 full, so 16 to 32 bytes per distinct id, up to 48 while it
 * doubles (10 million ids: 200 MB, 300 MB at the peak; 1 million measured
 * +28 MB of peak RSS): the one ingest structure that grows with activities.
 */
struct rw_idset {
	uint32_t *w;		/* 3 words a slot: the key (0 = empty slot),
				 * low half first, and the fingerprint of its
				 * first row */
	size_t cap;		/* slots: a power of two, or 0 */
	size_t n;
};

/* FNV-1a 64 of p[0..n) continuing from h (start with RW_HASH64_INIT). */
#define RW_HASH64_INIT 14695981039346656037ULL
uint64_t rw_hash64(uint64_t h, const void *p, size_t n);
/* Finish a hash (bits mixed; never 0). */
uint64_t rw_hash64_final(uint64_t h);

void rw_idset_init(struct rw_idset *s);
void rw_idset_release(struct rw_idset *s);
/*
 * Add key with fingerprint val: 0 when it was new (now added), 1 when it
 * was there (*old = its first fingerprint, the set unchanged), -1 when out
 * of memory (the set unchanged).  Key 0 is read as 1.
 */
int rw_idset_add(struct rw_idset *s, uint64_t key, uint32_t val, uint32_t *old);

/* 1 when key is in s. */
int rw_idset_has(const struct rw_idset *s, uint64_t key);
/* 1 when no key of b is in a. */
int rw_idset_disjoint(const struct rw_idset *a, const struct rw_idset *b);
/* Add every key of from (with its fingerprint) to s: 0, or -1 when out of
 * memory (s then holds part of them). */
int rw_idset_merge(struct rw_idset *s, const struct rw_idset *from);

/* Start loading the slot where key's probe begins (a hint, no effect on
 * the set): the table outgrows the caches, so a caller that knows the
 * key early lets the miss overlap with its other work. */
static inline void rw_idset_prefetch(const struct rw_idset *s, uint64_t key)
{
#if defined(__GNUC__) || defined(__clang__)
	if (s->cap)
		__builtin_prefetch(&s->w[3 * ((size_t)(key ? key : 1) & (s->cap - 1))], 1);
#else
	(void)s;
	(void)key;
#endif
}

/* ---- Activity ids spilled to a temporary file ------------------------- */

/*
 * The activity ids of a read, kept on disk rather than in memory: each
 * row's id hash (as in struct rw_idset) goes to one of RW_SPILL_BUCKETS
 * buckets by its top bits, buffered and written in chunks to an unlinked
 * temporary file.  After the read, rw_idspill_repeats() loads one bucket
 * at a time (of every spill given) and finds the hashes seen more than
 * once.  Memory: RW_SPILL_BUCKETS x RW_SPILL_CHUNK x 8 bytes of buffers
 * (2 MiB) per spill, and one bucket's hashes while they are counted
 * (1/256 of the ids: 0.3 MB for 10 million); disk: 8 bytes an id.
 */
#define RW_SPILL_BUCKETS 256
#define RW_SPILL_CHUNK 1024

struct rw_spill_chunk {
	uint64_t off;		/* byte offset in the file */
	uint32_t n;		/* hashes */
	uint32_t bucket;
};

struct rw_idspill {
	FILE *fp;		/* the temporary file */
	uint64_t *buf;		/* [bucket][RW_SPILL_CHUNK] */
	uint32_t nb[RW_SPILL_BUCKETS];	/* hashes buffered per bucket */
	struct rw_spill_chunk *chunks;
	size_t nchunks, cap;
	uint64_t end;		/* bytes written */
};

/* Create the temporary file and buffers: 0, or -1 (nothing to release). */
int rw_idspill_open(struct rw_idspill *s);
void rw_idspill_close(struct rw_idspill *s);	/* also of a failed open */
/* Add a row's id hash: 0, or -1 when out of memory or the write failed. */
int rw_idspill_add(struct rw_idspill *s, uint64_t key);
/*
 * Put every hash that the n spills hold more than once (in one or across
 * several) into *rep (values 0): returns how many, or -1 when out of
 * memory or a read failed.
 */
long rw_idspill_repeats(struct rw_idspill *const *sp, int n,
			struct rw_idset *rep);

/* Blank: space, tab, CR, LF (inline: the reader's hottest test). */
static inline int rw_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trim blanks off both ends of s[0..*len) (parse.c). */
void rw_trim(const char **s, size_t *len);

/* ---- Reading the inputs (ingest.c and the files it drives) ----------- */

/* Longest cell value quoted in a reject reason or warning. */
#define RW_SHOW_MAX 60
/* Return code of a row callback that has seen enough (not an RW_E*). */
#define RW_ROW_STOP 100
/* Return code of a second range's row callback that meets what only the
 * file's order can decide (the day/month order): the range is dropped and
 * read again after the first. */
#define RW_ROW_SERIAL 101

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
	/* The table of a file's second range (struct rw_csv_split) keeps its
	 * rejects and warnings here, in line order, for the join to write
	 * with the whole file's line numbers; NULL: written at once. */
	struct rw_buf *defer;
};

/* What a second range kept for the join (rejects.c). */
enum { RW_DEFER_REJECT, RW_DEFER_OWNER };
struct rw_deferred {
	int kind;		/* RW_DEFER_* */
	int col;		/* REJECT: column, -1 the record */
	long line;		/* line within the range */
	size_t n1, n2;		/* REJECT: reason and raw record bytes;
				 * OWNER: the owner's text, n2 = 0 */
};

/*
 * The last text looked up and what it resolved to.  Exports list a rep's
 * or a deal's rows together, so most rows repeat the previous row's owner
 * and deal: comparing with the last text saves the hash and the probe.
 * Valid while the tables it was resolved in are unchanged (gen, the sum of
 * their rw_index.gen); texts over RW_IDCACHE_MAX bytes are not kept.
 */
#define RW_IDCACHE_MAX 96
struct rw_idcache {
	char text[RW_IDCACHE_MAX];
	size_t len;
	uint32_t val;
	uint64_t gen;
	int valid;		/* 0 until the first lookup */
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
	struct rw_idset act_ids;	/* hashes of the activity ids seen (all,
					 * or with repeats only those) */
	/* Activity ids (see read_activities in ingest.c): spill set while
	 * the ids of a first read go to disk (rows are folded unchecked);
	 * repeats set while a read checks only the ids in it (the ids a
	 * first read saw more than once: every other id is unique). */
	struct rw_idspill *spill;
	struct rw_idset *repeats;
	struct rw_buf *owner_defer;	/* unknown-owner warnings held back
					 * while spill is set */
	struct rw_idspill *part_spill[RW_MAX_FILES];	/* of second halves */
	int npart_spill;
	struct rw_idcache last_owner;	/* the previous owner resolved */
	struct rw_idcache last_opp;	/* the previous deal id looked up */
	long *rep_line, *opp_line;	/* line each rep / deal was first read */
	size_t rep_line_cap, opp_line_cap;
	char base[8];			/* base currency ("" until known) */
	int act_map;			/* [activity_types] has entries */
};

/* ---- Cells (inline: the hottest code of a run) ------------------------- */

/*
 * Trimmed value of column c in rec: the first of its header fields that is
 * not empty, else its fixed value, else "" (len 0).
 */
static inline const char *rw_table_cell(const struct table *t,
					const struct rw_csv_rec *rec, int c,
					size_t *len)
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
static inline int rw_table_has_col(const struct table *t, int c)
{
	return t->hm.nalt[c] > 0 || t->hm.fixed[c];
}

static inline int rw_show_len(size_t len)
{
	return len > RW_SHOW_MAX ? RW_SHOW_MAX : (int)len;
}

/* Base name of path: what follows its last '/'. */
static inline const char *rw_base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* ---- Rejects (rejects.c) ----------------------------------------------- */

/*
 * Open the rejects file of opts->rejects_path (none: nothing to do) and
 * write its header line.  Returns 0 or RW_EIO with err filled.
 */
int rw_ingest_rejects_open(struct ingest *in);

/* Close the rejects file, if open.  Returns 0 or RW_EIO when a write of it
 * failed, with err filled. */
int rw_ingest_rejects_close(struct ingest *in);

/*
 * Count rec as rejected and write it to the rejects file with the header
 * name of column c (-1: the whole record).  Returns 0 or RW_E*.
 */
int rw_table_reject(struct table *t, const struct rw_csv_rec *rec, int c,
		    const char *fmt, ...) RW_PRINTF(4, 5);

/*
 * Write a rejected record whose reason and raw text are known (what
 * rw_table_reject() does after formatting them): counted, kept for the
 * summary, written to the rejects file.
 */
int rw_table_reject_raw(struct table *t, long line, int c, const char *reason,
			const char *raw, size_t rawlen);

/* Count a distinct activity owner that matches no rep and warn on stderr
 * (rows.c). */
void rw_ingest_warn_owner(struct table *t, long line, const char *s, size_t len);

/* Reject for a value a parser refused: `why: "value"`. */
int rw_table_reject_value(struct table *t, const struct rw_csv_rec *rec, int c,
			  const char *why);

/* Reject rec when a required column in cols[] (ending with -1) is empty. */
int rw_table_require(struct table *t, const struct rw_csv_rec *rec,
		     const int *cols, int *rejected);

/* ---- Keys and owner resolution (owners.c) ----------------------------- */

/* Put s[0..len) in in->key, lower-cased (ASCII and Latin-1 letters) when
 * fold, inner blanks collapsed when collapse; returns the key or NULL when
 * out of memory. */
const char *rw_ingest_key(struct ingest *in, const char *s, size_t len,
			  int fold, int collapse);

/* Index key (copied into the ingest arena) -> val, unless key is there. */
int rw_ingest_index_add(struct ingest *in, struct rw_index *t, const char *key,
			uint32_t val);

/* Register rep idx under its id, e-mail and name. */
int rw_ingest_index_rep(struct ingest *in, uint32_t idx);

/*
 * SPEC section 2: an owner is a rep id, an e-mail or a full name, tried in
 * that order (e-mail and name case-insensitively, the name with its inner
 * blanks collapsed).  Sets *idx (RW_NONE when nothing matches).
 */
int rw_ingest_resolve_owner(struct ingest *in, const char *s, size_t len,
			    uint32_t *idx);

/* The deal whose id is the len bytes at s (as written), or RW_NONE. */
uint32_t rw_ingest_opp_of(struct ingest *in, const char *s, size_t len);

/* Remember the line rep or deal i was read on (for duplicate messages). */
int rw_ingest_note_line(struct ingest *in, long **lines, size_t *cap, size_t i,
			long line);

/*
 * An owner of a deal that matches no rep becomes a rep of its own in team
 * (unassigned) (SPEC section 2), with one warning per distinct owner: the
 * new rep is indexed, so the next row with the same owner finds it.
 */
int rw_table_new_owner_rep(struct table *t, const struct rw_csv_rec *rec,
			   const char *s, size_t len, uint32_t *idx);

/* ---- Header and row dispatch (header.c) -------------------------------- */

/*
 * The rw_csv_read() row callback of every input (ctx: its struct table):
 * the header line maps columns, then each record goes to t->row.
 * Returns 0 or RW_E*.
 */
int rw_table_on_row(void *ctx, const struct rw_csv_rec *rec, struct rw_err *err);

/* ---- Dates and their day/month order (dates.c) ------------------------ */

/* Note in the file's report how its slash dates are read. */
void rw_table_note_order(struct table *t);

/*
 * Parse the date in column c (s[0..len), not empty): slash dates follow
 * date_order, or the order detected for this file.  *bad when rejected.
 */
int rw_table_date_value(struct table *t, const struct rw_csv_rec *rec, int c,
			const char *s, size_t len, int32_t *day, int *bad);

/* ---- Rows of each input (rows.c) and finding the files (discover.c) --- */

/* The row function of each input, called with each record after the
 * header; returns 0 or RW_E*. */
extern int (*const rw_row_fns[RW_NINPUTS])(struct table *,
					   const struct rw_csv_rec *);

/*
 * The files to read: those named on the command line (which must exist),
 * then every CSV file of the data folder.
 */
int rw_ingest_find_files(struct ingest *in);

#endif
