/*
 * discover.c - finding the input files: those named on the command line,
 * then every CSV file of the data folder, classified by its name or, when
 * the name tells nothing, by its header line.
 */
#include "ingest.h"
#include "ingest_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

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
	return RW_ROW_STOP;
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
	if (rc && rc != RW_ROW_STOP)
		return rc;
	if (rc == RW_ROW_STOP)
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
	if (o->rejects_path && !strcmp(rw_base_name(o->rejects_path), name)) {
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
	char **names = NULL, **p;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!d)
		return 0;	/* the missing inputs say what is wrong */
	while ((de = readdir(d))) {
		if (!is_csv_name(de->d_name))
			continue;
		p = rw_grow(names, &cap, n + 1, sizeof(*p));
		if (!p) {
			rc = rw_err_set(in->err, RW_ENOMEM, "out of memory");
			break;
		}
		names = p;
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

int rw_ingest_find_files(struct ingest *in)
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
