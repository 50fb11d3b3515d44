/*
 * guard.h - outputs that cannot destroy data (cli/ only).
 *
 * Every file a command writes (--out, --rejects, --alerts, the report of
 * --report-dir) is checked against a set of protected files before
 * anything is opened for writing: the database with its -wal, -shm and
 * -journal, and every input of the run.  A match by name (after resolving
 * "..", symlinked folders), by inode (a hard link, a symlink to it) is
 * refused.  Documents are then written to a temporary file in the
 * destination's folder and renamed into place, so a failed write leaves
 * the old file and a symlink at the destination is replaced, not followed.
 */
#ifndef RW_GUARD_H
#define RW_GUARD_H

#include "../common/common.h"

#include <stdio.h>
#include <sys/types.h>

#define RW_GUARD_MAX 1024	/* a data folder of many CSV files */
#define RW_GUARD_PATH 4096

struct rw_guard_file {
	char shown[1024];		/* the path as the user gave it */
	char name[RW_GUARD_PATH];	/* resolved folder + "/" + base name */
	dev_t dev;
	ino_t ino;
	int exists;			/* dev and ino are valid */
};

/* The protected files of one command; caller-owned, no release needed.
 * Several megabytes: allocate it, never put it on the stack. */
struct rw_guard {
	struct rw_guard_file f[RW_GUARD_MAX];
	int n;
};

/* Empty set. */
void rw_guard_init(struct rw_guard *g);

/*
 * Protect path (which need not exist).  Returns 0, or RW_EUSAGE when the
 * set is full or the path's folder cannot be resolved while the path
 * exists.  A path whose folder does not exist cannot be clobbered and is
 * recorded by its name only.
 */
int rw_guard_add(struct rw_guard *g, const char *path, struct rw_err *err);

/*
 * Protect every CSV file of folder dir (a name ending in .csv, not hidden):
 * ingest may read any of them, whatever it is called.  A file for which
 * keep(path, arg) returns nonzero is left out (keep may be NULL).  A
 * folder that cannot be opened adds nothing: ingest says what is missing.
 */
int rw_guard_add_csv_dir(struct rw_guard *g, const char *dir,
			 int (*keep)(const char *path, void *arg), void *arg,
			 struct rw_err *err);

/* Protect a database: path, path-wal, path-shm and path-journal. */
int rw_guard_add_db(struct rw_guard *g, const char *path, struct rw_err *err);

/*
 * Refuse an empty file name among paths[0..n) (NULL: not given), what[i]
 * naming each one's option, before anything is read.  0 or RW_EUSAGE.
 */
int rw_guard_names(const char *const *what, const char *const *paths, size_t n,
		   struct rw_err *err);

/*
 * Refuse out when it resolves to a protected file (by name or by inode),
 * or when it exists and is not a regular file or a symlink to one (a
 * folder, a FIFO, a device: use "-" for standard output).  what names the
 * option ("--out").  Returns 0, or RW_EUSAGE with err naming both paths.
 * "-" is always accepted (standard output).
 */
int rw_guard_check(const struct rw_guard *g, const char *out, const char *what,
		   struct rw_err *err);

/* A document being written: a temporary file beside its destination. */
struct rw_atomic {
	FILE *fp;			/* write here */
	char tmp[RW_GUARD_PATH];	/* the temporary file */
	char dest[RW_GUARD_PATH];	/* where it goes */
};

/*
 * Create a temporary file in dest's folder (mode 0666 less the umask once
 * committed).  Returns 0 with a->fp open, or RW_EIO naming dest.
 */
int rw_atomic_open(struct rw_atomic *a, const char *dest, struct rw_err *err);

/*
 * Flush, sync and close a->fp, then rename the temporary file onto dest.
 * On any failure the temporary file is removed, dest is untouched, and
 * RW_EIO names dest and the reason.  a->fp is closed either way.
 */
int rw_atomic_commit(struct rw_atomic *a, struct rw_err *err);

/* Close and remove the temporary file (after a failed write).  Safe to
 * call on an already committed or aborted a. */
void rw_atomic_abort(struct rw_atomic *a);

#endif
