/*
 * calendar.h - days, grains and periods (SPEC section 3): nothing about
 * sales, so every module shares them.  Included by common.h.
 *
 * Days are integers: days since 1970-01-01 (negative before).  RW_NODAY
 * means "no date".  Periods are integers per grain ("period index"):
 *   week    - Monday-start weeks, index floor((day + 3) / 7)
 *   month   - year * 12 + month - 1
 *   quarter - fiscal quarters: floor((month index - (fiscal_start - 1)) / 3)
 */
#ifndef RW_CALENDAR_H
#define RW_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#define RW_NODAY INT32_MIN

enum rw_grain { RW_WEEK, RW_MONTH, RW_QUARTER, RW_NGRAINS };

/* "week", "month", "quarter"; and the reverse (-1 when unknown). */
const char *rw_grain_name(enum rw_grain g);
int rw_grain_find(const char *name);

/* Days since 1970-01-01 of a proleptic Gregorian date (no validation). */
int32_t rw_days_from_civil(int y, int m, int d);
void rw_civil_from_days(int32_t day, int *y, int *m, int *d);
/* 1 when y-m-d is a real calendar date (1 <= m <= 12, day in month). */
int rw_date_valid(int y, int m, int d);

/* Write day as "YYYY-MM-DD" into out (size at least 11 for years 0-9999;
 * always NUL-terminated).  The one day format of repwatch's outputs. */
void rw_day_format(int32_t day, char *out, size_t size);
/* Parse s, exactly "YYYY-MM-DD" and a real calendar date with nothing
 * after it, into *day.  Returns 0, or -1 with *day untouched. */
int rw_day_parse(const char *s, int32_t *day);

/* Period index of day under grain; fiscal_start is the first month (1-12)
 * of the fiscal year and only matters for quarters. */
int32_t rw_period_of(enum rw_grain g, int32_t day, int fiscal_start);
/* First day of period p, and the first day after it. */
int32_t rw_period_start(enum rw_grain g, int32_t p, int fiscal_start);
int32_t rw_period_end(enum rw_grain g, int32_t p, int fiscal_start);

/*
 * Write the label of period p into out (NUL-terminated, at most size-1
 * bytes): "2026-W07" (ISO week), "2026-02", "2026-Q1", or "FY2027-Q1" when
 * fiscal_start != 1 (fiscal year named by the calendar year it ends in).
 */
void rw_period_label(enum rw_grain g, int32_t p, int fiscal_start,
		     char *out, size_t size);
/*
 * Parse a label of any grain (as written by rw_period_label; "2026-Q1" is
 * also accepted for fiscal calendars).  Returns 0 and sets *g and *p, or -1.
 */
int rw_period_parse(const char *s, size_t len, int fiscal_start,
		    enum rw_grain *g, int32_t *p);

#endif
