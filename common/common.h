/*
 * common.h - the few types every repwatch module shares: errors, a growable
 * text buffer and an arena.  Nothing else belongs here.
 *
 * Errors: functions return 0 or an RW_E* code and describe the failure in a
 * caller-owned struct rw_err.  Reporting never allocates.  The first error
 * wins: rw_err_set() on an error that is already set keeps the old message
 * and only returns the code, so each layer can add what it knows (file,
 * line) without losing the root cause.
 */
#ifndef RW_COMMON_H
#define RW_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define RW_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RW_PRINTF(a, b)
#endif

/* Error codes.  cli/main.c maps them onto the exit codes of SPEC section 7. */
enum rw_code {
	RW_OK = 0,
	RW_EUSAGE,	/* bad command line */
	RW_ECONFIG,	/* bad configuration file or rule */
	RW_EINPUT,	/* input rejected: missing column, too many rejects */
	RW_ENOMEM,	/* allocation failed */
	RW_EIO,		/* reading or writing a file failed */
	RW_EDB,		/* SQLite reported an error */
	RW_EBUSY,	/* the database is locked by another run */
	RW_EINTERNAL	/* a library call failed in a way that is a bug */
};

struct rw_err {
	int code;		/* 0 when no error has been set */
	char file[256];		/* input or config file, "" when none */
	long line;		/* 1-based line in file, 0 when unknown */
	long column;		/* 1-based column (field) number, 0 when unknown */
	char msg[512];		/* one line, no trailing newline */
};

/* Reset err to "no error". */
void rw_err_clear(struct rw_err *err);

/*
 * Record an error unless one is already recorded; returns code either way,
 * so callers can write "return rw_err_set(err, RW_EIO, ...);".
 * err may be NULL (the message is dropped).
 */
int rw_err_set(struct rw_err *err, int code, const char *fmt, ...) RW_PRINTF(3, 4);

/* Attach a location to err if it has none yet.  file may be NULL. */
void rw_err_where(struct rw_err *err, const char *file, long line, long column);

/*
 * Print "repwatch: FILE:LINE:COL: MSG\n" (the parts that are known) to fp.
 */
void rw_err_print(const struct rw_err *err, FILE *fp);

/* Name of an error code ("input rejected", ...); never NULL. */
const char *rw_code_name(int code);

/*
 * Allocation wrappers.  Every allocation in repwatch goes through these so
 * that tests can make the Nth one fail (curl's torture mode).  They behave
 * as malloc/calloc/realloc/free; rw_mallocarray and rw_reallocarray also
 * fail (NULL, errno ENOMEM) when n * size overflows.
 */
void *rw_malloc(size_t size);
void *rw_calloc(size_t n, size_t size);
void *rw_realloc(void *p, size_t size);
void *rw_reallocarray(void *p, size_t n, size_t size);
void rw_free(void *p);

/*
 * Make room for need elements (need >= 1) of size bytes in arr, an array
 * of *cap elements (NULL when *cap is 0): when need > *cap it grows with
 * rw_reallocarray to twice *cap, at least need and at least 16, and sets
 * *cap.  Returns the array to use from now on (arr itself when it already
 * fits); NULL when memory is short or the size would overflow, with arr
 * and *cap untouched (the caller still owns and frees arr).
 *
 *	p = rw_grow(v->items, &v->cap, v->n + 1, sizeof(*p));
 *	if (!p)
 *		return RW_ENOMEM;
 *	v->items = p;
 */
void *rw_grow(void *arr, size_t *cap, size_t need, size_t size);

/*
 * Test hook: make allocation number n (counting from 1 after this call) and
 * all later ones fail; n <= 0 switches failure off.  Returns the number of
 * allocations made since the previous call.
 */
long rw_alloc_fail_after(long n);

/*
 * struct rw_buf - growable NUL-terminated text with a size cap and a sticky
 * error, like SQLite's sqlite3_str: append freely, check rw_buf_error() once.
 * After an error every append is a no-op and the text is what it was before
 * the failing append.
 */
struct rw_buf {
	char *data;		/* NUL-terminated; "" (static) until first append */
	size_t len;		/* bytes in data, excluding the NUL */
	size_t cap;		/* allocated bytes, 0 while data is static */
	size_t max;		/* cap on len; appends beyond it fail */
	int err;		/* 0 or RW_ENOMEM (cap hit or allocation failed) */
};

#define RW_BUF_DEFAULT_MAX ((size_t)1 << 30)

void rw_buf_init(struct rw_buf *b, size_t max);
void rw_buf_add(struct rw_buf *b, const char *s, size_t len);
void rw_buf_adds(struct rw_buf *b, const char *s);
void rw_buf_addc(struct rw_buf *b, char c);
void rw_buf_addf(struct rw_buf *b, const char *fmt, ...) RW_PRINTF(2, 3);
void rw_buf_vaddf(struct rw_buf *b, const char *fmt, va_list ap);
/* Empty the text, keep the memory and clear the error. */
void rw_buf_reset(struct rw_buf *b);
/* Free the memory; b is left as after rw_buf_init(b, b->max). */
void rw_buf_release(struct rw_buf *b);
/* 0, or RW_ENOMEM when any append since init/reset failed. */
int rw_buf_error(const struct rw_buf *b);
/*
 * Hand the text to the caller, who frees it with rw_free(); b is reset to
 * empty.  Returns NULL (and keeps b) when the buffer is in error.
 */
char *rw_buf_detach(struct rw_buf *b, size_t *len);

/*
 * struct rw_arena - bump allocator for run-long data (ids, names, labels,
 * bitmaps).  Everything is freed at once by rw_arena_free().  Allocations
 * are aligned for any type.  Functions return NULL on failure and leave the
 * arena usable.
 */
struct rw_arena;

struct rw_arena *rw_arena_new(size_t block_size);
void rw_arena_free(struct rw_arena *a);	/* NULL is a no-op */
void *rw_arena_alloc(struct rw_arena *a, size_t size);
void *rw_arena_calloc(struct rw_arena *a, size_t n, size_t size);
/* Copy s[0..len) and add a NUL. */
char *rw_arena_strndup(struct rw_arena *a, const char *s, size_t len);
char *rw_arena_strdup(struct rw_arena *a, const char *s);
/* Bytes handed out so far (for memory figures). */
size_t rw_arena_used(const struct rw_arena *a);

#include "calendar.h"

#endif
