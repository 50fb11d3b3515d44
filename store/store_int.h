/*
 * store_int.h - declarations shared by the store's own .c files only.
 */
#ifndef RW_STORE_INT_H
#define RW_STORE_INT_H

#include "store.h"

#include <sqlite3.h>

/*
 * The handle behind struct rw_store.  Prepared statements live only as long
 * as the call that prepares them (each is finalized in its cleanup path), so
 * closing never meets a statement still in use.
 */
struct rw_store {
	sqlite3 *db;
	char path[1024];	/* for error messages */
	int busy_ms;		/* how long BEGIN IMMEDIATE waits */
	int in_run;		/* 1 between begin_run and commit/rollback */
	int64_t run_id;		/* the open run, when in_run */
};

/*
 * One schema migration: SQL run as a whole (several statements) inside one
 * BEGIN IMMEDIATE transaction, after which PRAGMA user_version is its
 * 1-based position in rw_store_schema.  Steps are never edited once
 * released; a change to the schema is a new step at the end.
 */
struct rw_schema_step {
	const char *what;	/* one line, for error messages */
	const char *sql;
};

extern const struct rw_schema_step rw_store_schema[];
extern const int rw_store_schema_count;	/* = the newest user_version */

/*
 * Bring the schema of st->db up to rw_store_schema_count, one transaction
 * per step.  Returns 0, RW_EDB (with the step named, or a clear refusal
 * when the database is newer than this program) or RW_EBUSY.
 */
int rw_store_migrate(struct rw_store *st, struct rw_err *err);

/*
 * Record SQLite's current error of st->db as RW_EDB (what names the
 * operation) with the database path as err->file.  Returns RW_EDB.
 */
int rw_store_dberr(struct rw_store *st, const char *what, struct rw_err *err);

/*
 * Execute static SQL (no parameters) on st->db.  SQLITE_BUSY becomes
 * RW_EBUSY with the "locked by another run" message; any other failure
 * RW_EDB.  Returns 0 or that code.
 */
int rw_store_exec(struct rw_store *st, const char *sql, struct rw_err *err);

/* Prepare sql on st->db; 0 or RW_EDB (*stmt NULL). */
int rw_store_prepare(struct rw_store *st, const char *sql,
		     sqlite3_stmt **stmt, struct rw_err *err);

/* Format day as "YYYY-MM-DD" into out (at least 11 bytes). */
void rw_store_iso_day(int32_t day, char *out, size_t size);

#endif
