/*
 * store.c - opening the database, and the run transaction (SPEC section 7).
 *
 * A run is one BEGIN IMMEDIATE ... COMMIT.  The database is in WAL mode so
 * that reports read the previous run while a new one writes, with
 * synchronous=FULL so that a committed run survives a power cut, not only
 * a crash of the process.  A run killed before COMMIT leaves its frames
 * uncommitted in the WAL, and the next connection ignores them.
 */
#include "store_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int rw_store_dberr(struct rw_store *st, const char *what, struct rw_err *err)
{
	int ec = sqlite3_errcode(st->db);

	/* WAL needs to create files beside the database: say where to look. */
	if (ec == SQLITE_READONLY || ec == SQLITE_CANTOPEN)
		rw_err_set(err, RW_EDB, "%s: %s (is the database or its folder read-only?)",
			   what, sqlite3_errmsg(st->db));
	else
		rw_err_set(err, RW_EDB, "%s: %s", what, sqlite3_errmsg(st->db));
	rw_err_where(err, st->path, 0, 0);
	return RW_EDB;
}

static int store_busy(struct rw_store *st, struct rw_err *err)
{
	rw_err_set(err, RW_EBUSY, "database is locked by another run (waited %d ms)", st->busy_ms);
	rw_err_where(err, st->path, 0, 0);
	return RW_EBUSY;
}

/* SQLite's code rc of a call whose success is ok: 0, RW_EBUSY when
 * another run holds the lock, else RW_EDB naming what. */
static int store_result(struct rw_store *st, int rc, int ok, const char *what,
			struct rw_err *err)
{
	if (rc == ok)
		return 0;
	if ((rc & 0xff) == SQLITE_BUSY)
		return store_busy(st, err);
	return rw_store_dberr(st, what, err);
}

int rw_store_exec(struct rw_store *st, const char *sql, struct rw_err *err)
{
	return store_result(st, sqlite3_exec(st->db, sql, NULL, NULL, NULL),
			    SQLITE_OK, "database error", err);
}

int rw_store_prepare(struct rw_store *st, const char *sql,
		     sqlite3_stmt **stmt, struct rw_err *err)
{
	*stmt = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK) {
		sqlite3_finalize(*stmt);
		*stmt = NULL;
		return rw_store_dberr(st, "cannot prepare a statement", err);
	}
	return 0;
}

/*
 * Prepare sql and step it to its first row.  Returns 0 with *stmt on that
 * row; RW_EBUSY (another run holds the lock) or RW_EDB naming what.  The
 * caller finalizes *stmt in every case (NULL when it was never prepared).
 */
static int store_one_row(struct rw_store *st, const char *sql, const char *what,
			 sqlite3_stmt **stmt, struct rw_err *err)
{
	int rc = rw_store_prepare(st, sql, stmt, err);

	if (rc)
		return rc;
	return store_result(st, sqlite3_step(*stmt), SQLITE_ROW, what, err);
}

/*
 * Set a PRAGMA that answers with a row (journal_mode) and check the answer:
 * journal_mode=WAL quietly stays "memory" or "delete" when WAL is not
 * possible, and a run would then lose the readers-during-a-run promise.
 */
static int store_pragma_expect(struct rw_store *st, const char *sql,
			       const char *want, struct rw_err *err)
{
	sqlite3_stmt *stmt;
	const unsigned char *got;
	int rc;

	rc = store_one_row(st, sql, sql, &stmt, err);
	if (rc)
		goto out_finalize;
	got = sqlite3_column_text(stmt, 0);
	if (!got || strcmp((const char *)got, want)) {
		rc = rw_err_set(err, RW_EDB, "%s gave \"%s\", not \"%s\"", sql, got ? (const char *)got : "", want);
		rw_err_where(err, st->path, 0, 0);
		goto out_finalize;
	}
	rc = 0;
out_finalize:
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * A database at user_version 0 has never been migrated by repwatch (the
 * first step sets version 1 in the same transaction that creates the
 * tables), so any table in it belongs to someone else.  Refuse it before
 * the WAL switch or a migration changes a byte of the file.
 */
static int store_refuse_foreign(struct rw_store *st, struct rw_err *err)
{
	static const char sql[] =
		"SELECT (SELECT user_version FROM pragma_user_version),"
		" (SELECT group_concat(name, ', ') FROM (SELECT name FROM sqlite_master"
		" WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
		" ORDER BY name))";
	sqlite3_stmt *stmt;
	const unsigned char *names;
	int rc;

	rc = store_one_row(st, sql, "cannot read the database", &stmt, err);
	if (!rc) {
		names = sqlite3_column_text(stmt, 1);
		if (sqlite3_column_int(stmt, 0) == 0 && names && *names) {
			rc = rw_err_set(err, RW_EDB, "not a repwatch database: it holds tables repwatch did not create (%.300s) and no repwatch schema version; it was left as it was", (const char *)names);
			rw_err_where(err, st->path, 0, 0);
		}
	}
	sqlite3_finalize(stmt);
	return rc;
}

static int store_setup(struct rw_store *st, struct rw_err *err)
{
	int rc;

	if (sqlite3_extended_result_codes(st->db, 1) != SQLITE_OK ||
	    sqlite3_busy_timeout(st->db, st->busy_ms) != SQLITE_OK)
		return rw_store_dberr(st, "cannot configure the connection", err);
	rc = store_refuse_foreign(st, err);
	if (rc)
		return rc;
	rc = rw_store_exec(st, "PRAGMA foreign_keys = ON", err);
	if (rc)
		return rc;
	rc = store_pragma_expect(st, "PRAGMA journal_mode = WAL", "wal", err);
	if (rc)
		return rc;
	rc = rw_store_exec(st, "PRAGMA synchronous = FULL", err);
	if (rc)
		return rc;
	return rw_store_migrate(st, err);
}

int rw_store_open(const char *path, int busy_ms, struct rw_store **out,
		  struct rw_err *err)
{
	struct rw_store *st;
	int rc;

	st = rw_calloc(1, sizeof(*st));
	if (!st)
		return rw_err_set(err, RW_ENOMEM, "out of memory opening the database");
	snprintf(st->path, sizeof(st->path), "%s", path);
	st->busy_ms = busy_ms > 0 ? busy_ms : 0;
	/* A store is used by one thread at a time (the run's main thread):
	 * no mutex taken on every bind and step. */
	rc = sqlite3_open_v2(path, &st->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (st->db)
			rc = rw_store_dberr(st, "cannot open database", err);
		else
			rc = rw_err_set(err, RW_ENOMEM, "out of memory opening the database");
		rw_err_where(err, path, 0, 0);
		goto out_close;
	}
	rc = store_setup(st, err);
	if (rc)
		goto out_close;
	*out = st;
	return 0;

out_close:
	rw_store_close(st);
	return rc;
}

void rw_store_close(struct rw_store *st)
{
	sqlite3_stmt *stmt;

	if (!st)
		return;
	if (st->db) {
		rw_store_rollback_run(st);
		/* Every statement is finalized where it is prepared; this
		 * loop only guards sqlite3_close() against a slip. */
		while ((stmt = sqlite3_next_stmt(st->db, NULL)))
			sqlite3_finalize(stmt);
		if (sqlite3_close(st->db) != SQLITE_OK)
			fprintf(stderr, "repwatch: %s: closing the database: %s\n", st->path, sqlite3_errmsg(st->db));
	}
	rw_free(st);
}

static int store_input_index(const unsigned char *name)
{
	for (int f = 0; name && f < RW_NINPUTS; f++)
		if (!strcmp((const char *)name, rw_input_name((enum rw_input_file)f)))
			return f;
	return -1;
}

int rw_store_last_rows(struct rw_store *st, int64_t rows[RW_NINPUTS],
		       struct rw_err *err)
{
	static const char sql[] =
		"SELECT file, rows_read FROM run_inputs WHERE run_id ="
		" (SELECT MAX(run_id) FROM runs WHERE status = 'ok')";
	sqlite3_stmt *stmt;
	int rc, f;

	for (f = 0; f < RW_NINPUTS; f++)
		rows[f] = -1;
	rc = rw_store_prepare(st, sql, &stmt, err);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		f = store_input_index(sqlite3_column_text(stmt, 0));
		if (f >= 0 && sqlite3_column_type(stmt, 1) == SQLITE_INTEGER)
			rows[f] = sqlite3_column_int64(stmt, 1);
	}
	rc = store_result(st, rc, SQLITE_DONE, "cannot read the previous run", err);
	sqlite3_finalize(stmt);
	return rc;
}

int rw_store_last_run(struct rw_store *st, struct rw_last_run *last,
		      struct rw_err *err)
{
	static const char sql[] =
		"SELECT r.run_id, r.as_of, ifnull(r.started, ''), i.file"
		" FROM runs r LEFT JOIN run_inputs i ON i.run_id = r.run_id"
		" WHERE r.run_id = (SELECT MAX(run_id) FROM runs WHERE status = 'ok')";
	sqlite3_stmt *stmt;
	int rc, f;

	memset(last, 0, sizeof(*last));
	rc = rw_store_prepare(st, sql, &stmt, err);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const unsigned char *as_of = sqlite3_column_text(stmt, 1);
		const unsigned char *started = sqlite3_column_text(stmt, 2);

		last->run_id = sqlite3_column_int64(stmt, 0);
		snprintf(last->as_of, sizeof(last->as_of), "%s", as_of ? (const char *)as_of : "");
		snprintf(last->started, sizeof(last->started), "%s", started ? (const char *)started : "");
		f = store_input_index(sqlite3_column_text(stmt, 3));
		if (f >= 0)
			last->present[f] = 1;
	}
	rc = store_result(st, rc, SQLITE_DONE, "cannot read the previous run", err);
	sqlite3_finalize(stmt);
	return rc;
}

/* An empty string is stored as NULL: "not known", like a missing one. */
static const char *empty_null(const char *s)
{
	return s && *s ? s : NULL;
}

/* One run_inputs row per input file that was present. */
static int store_insert_inputs(struct rw_store *st, int64_t run_id,
			       const struct rw_input_stats *in,
			       struct rw_err *err)
{
	static const char sql[] =
		"INSERT INTO run_inputs(run_id, file, path, size, sha256,"
		" rows_read, rows_rejected) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	sqlite3_stmt *stmt;
	int rc = 0;

	if (!in)
		return 0;
	rc = rw_store_prepare(st, sql, &stmt, err);
	if (rc)
		return rc;
	for (int f = 0; f < RW_NINPUTS; f++) {
		const struct rw_input_stats *fs = &in[f];

		if (!fs->present)
			continue;
		if (sqlite3_bind_int64(stmt, 1, run_id) ||
		    rw_store_bind_text(stmt, 2, rw_input_name((enum rw_input_file)f)) ||
		    rw_store_bind_text(stmt, 3, empty_null(fs->path)) ||
		    rw_store_bind_u64(stmt, 4, fs->size) ||
		    rw_store_bind_text(stmt, 5, empty_null(fs->sha256)) ||
		    rw_store_bind_u64(stmt, 6, fs->rows_read) ||
		    rw_store_bind_u64(stmt, 7, fs->rows_rejected) ||
		    rw_store_step_done(stmt)) {
			rc = rw_store_dberr(st, "cannot record the run's inputs", err);
			break;
		}
	}
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * The runs row.  inputs is the JSON image of the run_inputs rows, built by
 * SQLite's json functions so that paths are escaped correctly.
 */
static int store_insert_run(struct rw_store *st, const struct rw_run_info *info,
			    int64_t *run_id, struct rw_err *err)
{
	static const char ins[] =
		"INSERT INTO runs(as_of, started, status, config_sha256)"
		" VALUES(?1, ?2, 'running', ?3)";
	static const char upd[] =
		"UPDATE runs SET inputs = (SELECT json_group_array(json_object("
		"'file', file, 'path', path, 'size', size, 'sha256', sha256,"
		" 'rows_read', rows_read, 'rows_rejected', rows_rejected))"
		" FROM (SELECT * FROM run_inputs WHERE run_id = ?1 ORDER BY file))"
		" WHERE run_id = ?1";
	sqlite3_stmt *stmt;
	char as_of[16];
	int rc;

	rw_day_format(info->as_of, as_of, sizeof(as_of));
	rc = rw_store_prepare(st, ins, &stmt, err);
	if (rc)
		return rc;
	if (rw_store_bind_text(stmt, 1, as_of) ||
	    rw_store_bind_text(stmt, 2, empty_null(info->started)) ||
	    rw_store_bind_text(stmt, 3, empty_null(info->config_digest)) ||
	    rw_store_step_done(stmt)) {
		rc = rw_store_dberr(st, "cannot record the run", err);
		sqlite3_finalize(stmt);
		return rc;
	}
	sqlite3_finalize(stmt);
	*run_id = sqlite3_last_insert_rowid(st->db);
	rc = store_insert_inputs(st, *run_id, info->inputs, err);
	if (rc)
		return rc;
	rc = rw_store_prepare(st, upd, &stmt, err);
	if (rc)
		return rc;
	if (sqlite3_bind_int64(stmt, 1, *run_id) || rw_store_step_done(stmt))
		rc = rw_store_dberr(st, "cannot record the run's inputs", err);
	sqlite3_finalize(stmt);
	return rc;
}

int rw_store_begin_run(struct rw_store *st, const struct rw_run_info *info,
		       int64_t *run_id, struct rw_err *err)
{
	int64_t id = 0;
	int rc;

	if (st->in_run)
		return rw_err_set(err, RW_EINTERNAL, "a run is already open on this database");
	rc = rw_store_exec(st, "BEGIN IMMEDIATE", err);
	if (rc)
		return rc;
	st->in_run = 1;
	rc = store_insert_run(st, info, &id, err);
	if (rc) {
		rw_store_rollback_run(st);
		return rc;
	}
	st->run_id = id;
	*run_id = id;
	return 0;
}

static int store_commit_as(struct rw_store *st, int64_t run_id,
			   const char *finished, const char *status,
			   struct rw_err *err)
{
	static const char sql[] =
		"UPDATE runs SET status = ?3, finished = ?1 WHERE run_id = ?2";
	sqlite3_stmt *stmt;
	int rc;

	if (!st->in_run || run_id != st->run_id)
		return rw_err_set(err, RW_EINTERNAL, "commit of run %" PRId64 ", which is not open", run_id);
	rc = rw_store_prepare(st, sql, &stmt, err);
	if (rc)
		goto out_rollback;
	if (rw_store_bind_text(stmt, 1, empty_null(finished)) ||
	    sqlite3_bind_int64(stmt, 2, run_id) ||
	    rw_store_bind_text(stmt, 3, status) ||
	    rw_store_step_done(stmt))
		rc = rw_store_dberr(st, "cannot finish the run", err);
	sqlite3_finalize(stmt);
	if (rc)
		goto out_rollback;
	rc = rw_store_exec(st, "COMMIT", err);
	if (rc)
		goto out_rollback;
	st->in_run = 0;
	return 0;

out_rollback:
	/* A run that cannot be committed is abandoned whole. */
	rw_store_rollback_run(st);
	return rc;
}

int rw_store_commit_run(struct rw_store *st, int64_t run_id,
			const char *finished, struct rw_err *err)
{
	return store_commit_as(st, run_id, finished, "ok", err);
}

int rw_store_commit_replay(struct rw_store *st, int64_t run_id,
			   const char *finished, struct rw_err *err)
{
	return store_commit_as(st, run_id, finished, "replay", err);
}

void rw_store_rollback_run(struct rw_store *st)
{
	if (!st || !st->db || !st->in_run)
		return;
	/* SQLite may already have rolled back (after an I/O error or a
	 * full disk); ROLLBACK outside a transaction would only complain.
	 * Compiling the ROLLBACK itself needs memory, so when memory is
	 * short it is tried again; if it still fails, sqlite3_close()
	 * rolls back. */
	for (int tries = 0; tries < 3 && !sqlite3_get_autocommit(st->db); tries++)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_run = 0;
}
