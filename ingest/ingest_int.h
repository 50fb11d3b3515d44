/*
 * ingest_int.h - pieces private to ingest/: SHA-256, the streaming CSV
 * reader and a string -> index hash table.  Exposed to tests only.
 */
#ifndef RW_INGEST_INT_H
#define RW_INGEST_INT_H

#include "../common/common.h"

#include <stddef.h>
#include <stdint.h>

/* ---- SHA-256 (FIPS 180-4) -------------------------------------------- */

struct rw_sha256 {
	uint32_t h[8];		/* chaining state */
	uint64_t nbytes;	/* message length so far */
	unsigned char blk[64];	/* partial block */
	size_t nblk;		/* bytes in blk */
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

/* Append s[0..len) to b as one CSV cell, quoted (RFC 4180) when needed. */
void rw_csv_cell(struct rw_buf *b, const char *s, size_t len);

/* ---- String -> index hash table -------------------------------------- */

/*
 * Open addressing with linear probing.  Keys are not copied: they must stay
 * valid as long as the table (ingest keeps them in an arena).
 */
struct rw_index {
	const char **keys;	/* NULL = empty slot */
	uint32_t *vals;
	size_t cap;		/* power of two, or 0 */
	size_t n;
};

void rw_index_init(struct rw_index *t);
void rw_index_release(struct rw_index *t);
/* Value of key or RW_NONE (from engine.h: UINT32_MAX). */
uint32_t rw_index_get(const struct rw_index *t, const char *key);
/* Insert or replace; returns 0 or RW_ENOMEM (table unchanged). */
int rw_index_put(struct rw_index *t, const char *key, uint32_t val);

#endif
