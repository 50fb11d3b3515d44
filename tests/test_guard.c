/*
 * test_guard.c - the output guard of cli/guard.c: every way of naming a
 * protected file (the same name, "..", a symlinked folder, a hard link, a
 * symlink, a -wal name that does not exist yet) is refused; an unrelated
 * file, "-" and a new file beside the database are accepted; a FIFO and
 * a folder are refused; an aborted atomic write leaves the old file.
 * Expected outcomes follow from POSIX path resolution, not from the code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cli/guard.h"

static char dir[256];

static void path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static void touch(const char *name, const char *text)
{
	char p[512];
	FILE *fp;

	path(p, sizeof(p), name);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static int setup(void **state)
{
	char p[512], q[512];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/rw_guard_XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	touch("o.db", "db");
	path(p, sizeof(p), "sub");
	mkdir(p, 0700);
	touch("sub/in.csv", "opp_id\n");
	path(p, sizeof(p), "o.db");
	path(q, sizeof(q), "hard");
	if (link(p, q))
		return -1;
	path(q, sizeof(q), "sym");
	if (symlink("o.db", q))
		return -1;
	path(q, sizeof(q), "subdir-link");
	if (symlink("sub", q))
		return -1;
	path(q, sizeof(q), "fifo");
	return mkfifo(q, 0600);
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

/* rw_guard_check of out (relative to dir) against the db and sub/in.csv. */
static int check(const char *out, struct rw_err *err)
{
	static struct rw_guard g;	/* megabytes: not on the stack */
	char db[512], in[512], o[512];

	rw_err_clear(err);
	rw_guard_init(&g);
	path(db, sizeof(db), "o.db");
	path(in, sizeof(in), "sub/in.csv");
	assert_int_equal(rw_guard_add_db(&g, db, err), 0);
	assert_int_equal(rw_guard_add(&g, in, err), 0);
	if (!strcmp(out, "-"))
		snprintf(o, sizeof(o), "-");
	else
		path(o, sizeof(o), out);
	return rw_guard_check(&g, o, "--out", err);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"o.db", "sub/../o.db", "./o.db", "hard", "sym", "o.db-wal",
		"o.db-shm", "o.db-journal", "sub/../o.db-wal", "sub/in.csv",
		"subdir-link/in.csv", "subdir-link/../o.db", "fifo", "sub",
	};
	struct rw_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(check(bad[i], &err), RW_EUSAGE);
		/* The message names the output as given. */
		assert_non_null(strstr(err.msg, bad[i]));
	}
	/* Both paths: the output and the protected file. */
	assert_int_equal(check("hard", &err), RW_EUSAGE);
	assert_non_null(strstr(err.msg, "o.db"));
	assert_non_null(strstr(err.msg, "hard"));
}

static void test_accepted(void **state)
{
	static const char *const good[] = {
		"report.md", "sub/report.md", "o.db.md", "o.db-walx", "subdir-link/x.csv",
	};
	struct rw_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(check(good[i], &err), 0);
	assert_int_equal(check("-", &err), 0);
}

static void test_atomic(void **state)
{
	struct rw_atomic a;
	struct rw_err err;
	char p[512], buf[16] = { 0 };
	FILE *fp;

	(void)state;
	rw_err_clear(&err);
	touch("doc.md", "old");
	path(p, sizeof(p), "doc.md");
	/* Aborted: the old text stays, no temporary file is left. */
	assert_int_equal(rw_atomic_open(&a, p, &err), 0);
	fputs("new", a.fp);
	rw_atomic_abort(&a);
	fp = fopen(p, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "old");
	/* Committed over a symlink: the link is replaced, its target kept. */
	path(p, sizeof(p), "sym");
	assert_int_equal(rw_atomic_open(&a, p, &err), 0);
	fputs("new", a.fp);
	assert_int_equal(rw_atomic_commit(&a, &err), 0);
	path(p, sizeof(p), "o.db");
	fp = fopen(p, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "db");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_atomic),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
