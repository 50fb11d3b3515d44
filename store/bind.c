/*
 * bind.c - the store's one way to bind values and step a statement: what
 * becomes NULL and who owns a bound string are decided here, once.
 */
#include "store_int.h"

#include <math.h>

int rw_store_bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (!s)
		return sqlite3_bind_null(stmt, i);
	/* SQLite copies: callers bind stack buffers and strings freed
	 * before the statement is stepped again. */
	return sqlite3_bind_text(stmt, i, s, -1, SQLITE_TRANSIENT);
}

int rw_store_bind_double(sqlite3_stmt *stmt, int i, double v, int whole)
{
	if (!isfinite(v))
		return sqlite3_bind_null(stmt, i);
	/* Below 2^53 every integral double is exact as an int64. */
	if (whole && v == floor(v) && fabs(v) < 9e15)
		return sqlite3_bind_int64(stmt, i, (sqlite3_int64)v);
	return sqlite3_bind_double(stmt, i, v);
}

int rw_store_bind_day(sqlite3_stmt *stmt, int i, int32_t day)
{
	char iso[16];

	if (day == RW_NODAY)
		return sqlite3_bind_null(stmt, i);
	rw_day_format(day, iso, sizeof(iso));
	return sqlite3_bind_text(stmt, i, iso, -1, SQLITE_TRANSIENT);
}

int rw_store_bind_u64(sqlite3_stmt *stmt, int i, uint64_t v)
{
	if (v > (uint64_t)INT64_MAX)
		return sqlite3_bind_null(stmt, i);
	return sqlite3_bind_int64(stmt, i, (sqlite3_int64)v);
}

int rw_store_step_done(sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);
	int reset = sqlite3_reset(stmt);

	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_DONE)
		return rc ? rc : SQLITE_ERROR;
	return reset;
}
