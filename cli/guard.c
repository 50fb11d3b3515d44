/*
 * guard.c - outputs that cannot destroy data (see guard.h).
 *
 * Names are compared after resolving the folder with realpath(), so that
 * "d/../x.db" and a symlinked folder meet the same name; inodes are
 * compared too, so that a hard link or a symlink to a protected file is
 * caught.  The -wal, -shm and -journal files of a database may not exist
 * yet, which is why names matter and not only inodes.
 */
#include "guard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void rw_guard_init(struct rw_guard *g)
{
	g->n = 0;
}

/* Split path into its folder (".", when none) and base name. */
static void split_path(const char *path, char *dir, size_t dsize,
		       const char **base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		snprintf(dir, dsize, ".");
		*base = path;
	} else if (slash == path) {
		snprintf(dir, dsize, "/");
		*base = slash + 1;
	} else {
		snprintf(dir, dsize, "%.*s", (int)(slash - path), path);
		*base = slash + 1;
	}
}

/*
 * The resolved folder of path, "/", and its base name, into out.  A base
 * name "", "." or ".." names a folder: it is resolved whole.  Returns 0,
 * or -1 with errno set when the folder does not resolve.
 */
static int resolve_name(const char *path, char *out, size_t size)
{
	char dir[RW_GUARD_PATH], *real;
	const char *base;
	int n;

	split_path(path, dir, sizeof(dir), &base);
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
		real = realpath(path, NULL);
		base = "";
	} else {
		real = realpath(dir, NULL);
	}
	if (!real)
		return -1;
	n = snprintf(out, size, "%s%s%s", real, *base && strcmp(real, "/") ? "/" : "", base);
	free(real);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int rw_guard_add(struct rw_guard *g, const char *path, struct rw_err *err)
{
	struct rw_guard_file *f;
	struct stat sb;

	if (g->n >= RW_GUARD_MAX)
		return rw_err_set(err, RW_EUSAGE, "%s: too many files to protect (at most %d)", path, RW_GUARD_MAX);
	f = &g->f[g->n];
	memset(f, 0, sizeof(*f));
	snprintf(f->shown, sizeof(f->shown), "%s", path);
	if (resolve_name(path, f->name, sizeof(f->name))) {
		/* No such folder: nothing there to clobber, but keep the name
		 * as given so that the same spelling still meets it. */
		snprintf(f->name, sizeof(f->name), "%s", path);
	}
	if (!stat(path, &sb)) {
		f->dev = sb.st_dev;
		f->ino = sb.st_ino;
		f->exists = 1;
	}
	g->n++;
	return 0;
}

/* Whether name is a file in ingest's sense of a CSV export. */
static int csv_name(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && !strcasecmp(name + n - 4, ".csv") && name[0] != '.';
}

int rw_guard_add_csv_dir(struct rw_guard *g, const char *dir,
			 int (*keep)(const char *path, void *arg), void *arg,
			 struct rw_err *err)
{
	char path[RW_GUARD_PATH];
	struct dirent *de;
	DIR *d = opendir(dir);
	int rc = 0;

	if (!d)
		return 0;
	while (!rc && (de = readdir(d))) {
		if (!csv_name(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (keep && keep(path, arg))
			continue;
		rc = rw_guard_add(g, path, err);
	}
	closedir(d);
	return rc;
}

int rw_guard_add_db(struct rw_guard *g, const char *path, struct rw_err *err)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[RW_GUARD_PATH];
	int rc;

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		rc = rw_guard_add(g, p, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int refuse(const char *out, const char *what, const struct rw_guard_file *f,
		  const char *how, struct rw_err *err)
{
	/* No rw_err_where(): the message names both paths already. */
	rw_err_set(err, RW_EUSAGE, "%s %s is %s %s, which must never be overwritten; nothing was written", what, out, how, f->shown);
	return RW_EUSAGE;
}

/* A destination that exists must be a regular file (or a symlink to one). */
static int check_kind(const char *out, const char *what, struct rw_err *err)
{
	struct stat sb, lb;
	const char *kind = NULL;

	if (lstat(out, &lb))
		return 0;
	if (stat(out, &sb)) {
		rw_err_set(err, RW_EUSAGE, "%s %s is a symlink to a missing file; remove it or name another file", what, out);
		return RW_EUSAGE;
	}
	if (S_ISDIR(sb.st_mode))
		kind = "a folder";
	else if (S_ISFIFO(sb.st_mode))
		kind = "a FIFO";
	else if (S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode))
		kind = "a device";
	else if (S_ISSOCK(sb.st_mode))
		kind = "a socket";
	else if (!S_ISREG(sb.st_mode))
		kind = "not a regular file";
	if (!kind)
		return 0;
	rw_err_set(err, RW_EUSAGE, "%s %s is %s; outputs are regular files (use - for standard output)", what, out, kind);
	return RW_EUSAGE;
}

int rw_guard_names(const char *const *what, const char *const *paths, size_t n,
		   struct rw_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (paths[i] && !paths[i][0])
			return rw_err_set(err, RW_EUSAGE, "%s: an empty file name", what[i]);
	return 0;
}

int rw_guard_check(const struct rw_guard *g, const char *out, const char *what,
		   struct rw_err *err)
{
	char name[RW_GUARD_PATH];
	struct stat sb;
	int have_name, have_stat, rc;

	if (!strcmp(out, "-"))
		return 0;
	if (!*out) {
		rw_err_set(err, RW_EUSAGE, "%s: an empty file name", what);
		return RW_EUSAGE;
	}
	rc = check_kind(out, what, err);
	if (rc)
		return rc;
	have_name = !resolve_name(out, name, sizeof(name));
	have_stat = !stat(out, &sb);
	/* /dev/stdout may resolve to a regular file when standard output is
	 * redirected; renaming onto it would replace the link in /dev. */
	if (have_name && (!strncmp(name, "/dev/", 5) || !strncmp(name, "/proc/", 6))) {
		rw_err_set(err, RW_EUSAGE, "%s %s is a device; outputs are regular files (use - for standard output)", what, out);
		return RW_EUSAGE;
	}
	for (int i = 0; i < g->n; i++) {
		const struct rw_guard_file *f = &g->f[i];

		if (have_name && !strcmp(name, f->name))
			return refuse(out, what, f, "the same file as", err);
		if (!strcmp(out, f->name) || !strcmp(out, f->shown))
			return refuse(out, what, f, "the same file as", err);
		if (have_stat && f->exists && sb.st_dev == f->dev && sb.st_ino == f->ino)
			return refuse(out, what, f, "a link to", err);
	}
	return 0;
}

int rw_atomic_open(struct rw_atomic *a, const char *dest, struct rw_err *err)
{
	char dir[RW_GUARD_PATH];
	const char *base;
	mode_t mask;
	int fd, n;

	memset(a, 0, sizeof(*a));
	snprintf(a->dest, sizeof(a->dest), "%s", dest);
	split_path(dest, dir, sizeof(dir), &base);
	n = snprintf(a->tmp, sizeof(a->tmp), "%s/.%s.XXXXXX", dir, base);
	if (n < 0 || (size_t)n >= sizeof(a->tmp)) {
		rw_err_set(err, RW_EIO, "cannot write: file name too long");
		rw_err_where(err, dest, 0, 0);
		return RW_EIO;
	}
	fd = mkstemp(a->tmp);
	if (fd < 0)
		goto fail;
	/* mkstemp makes 0600; a document gets what fopen() would give it. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask)) {
		close(fd);
		unlink(a->tmp);
		goto fail;
	}
	a->fp = fdopen(fd, "w");
	if (!a->fp) {
		close(fd);
		unlink(a->tmp);
		goto fail;
	}
	return 0;
fail:
	rw_err_set(err, RW_EIO, "cannot write in the folder of this file: %s", strerror(errno));
	rw_err_where(err, dest, 0, 0);
	a->tmp[0] = 0;
	return RW_EIO;
}

int rw_atomic_commit(struct rw_atomic *a, struct rw_err *err)
{
	int bad, saved;

	if (!a->fp)
		return rw_err_set(err, RW_EINTERNAL, "%s: commit of a file not open", a->dest);
	bad = fflush(a->fp) != 0 || ferror(a->fp);
	saved = errno;
	if (!bad && fsync(fileno(a->fp))) {
		bad = 1;
		saved = errno;
	}
	if (fclose(a->fp) && !bad) {
		bad = 1;
		saved = errno;
	}
	a->fp = NULL;
	if (!bad && rename(a->tmp, a->dest)) {
		bad = 1;
		saved = errno;
	}
	if (bad) {
		unlink(a->tmp);
		a->tmp[0] = 0;
		rw_err_set(err, RW_EIO, "cannot write this file (the previous one is left as it was): %s", strerror(saved ? saved : EIO));
		rw_err_where(err, a->dest, 0, 0);
		return RW_EIO;
	}
	a->tmp[0] = 0;
	return 0;
}

void rw_atomic_abort(struct rw_atomic *a)
{
	if (a->fp) {
		fclose(a->fp);
		a->fp = NULL;
	}
	if (a->tmp[0]) {
		unlink(a->tmp);
		a->tmp[0] = 0;
	}
}
