/* calendar.c - days, periods and their labels (SPEC section 3). */
#include "common.h"

#include <stdio.h>
#include <string.h>

/*
 * Howard Hinnant's days_from_civil / civil_from_days ("chrono-Compatible
 * Low-Level Date Algorithms"): exact for the proleptic Gregorian calendar.
 */
int32_t rw_days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

void rw_civil_from_days(int32_t day, int *y, int *m, int *d)
{
	int64_t z = (int64_t)day + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;

	*y = (int)(yoe + era * 400 + (mm <= 2));
	*m = (int)mm;
	*d = (int)dd;
}

static const char *const grain_names[RW_NGRAINS] = { "week", "month", "quarter" };

const char *rw_grain_name(enum rw_grain g)
{
	return (unsigned)g < RW_NGRAINS ? grain_names[g] : NULL;
}

int rw_grain_find(const char *name)
{
	for (int i = 0; i < RW_NGRAINS; i++)
		if (!strcmp(name, grain_names[i]))
			return i;
	return -1;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int rw_date_valid(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && is_leap(y));
}

static int32_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return (int32_t)q;
}

static int32_t month_of(int32_t day)
{
	int y, m, d;

	rw_civil_from_days(day, &y, &m, &d);
	return (int32_t)(y * 12 + m - 1);
}

static int fiscal_shift(int fiscal_start)
{
	return (fiscal_start >= 1 && fiscal_start <= 12) ? fiscal_start - 1 : 0;
}

int32_t rw_period_of(enum rw_grain g, int32_t day, int fiscal_start)
{
	switch (g) {
	case RW_WEEK:
		/* 1970-01-01 was a Thursday, so day -3 is a Monday. */
		return floor_div((int64_t)day + 3, 7);
	case RW_MONTH:
		return month_of(day);
	case RW_QUARTER:
	default:
		return floor_div((int64_t)month_of(day) - fiscal_shift(fiscal_start), 3);
	}
}

static int32_t month_start(int32_t mi)
{
	int32_t y = floor_div(mi, 12);

	return rw_days_from_civil(y, mi - y * 12 + 1, 1);
}

int32_t rw_period_start(enum rw_grain g, int32_t p, int fiscal_start)
{
	switch (g) {
	case RW_WEEK:
		return p * 7 - 3;
	case RW_MONTH:
		return month_start(p);
	case RW_QUARTER:
	default:
		return month_start(p * 3 + fiscal_shift(fiscal_start));
	}
}

int32_t rw_period_end(enum rw_grain g, int32_t p, int fiscal_start)
{
	return rw_period_start(g, p + 1, fiscal_start);
}

void rw_period_label(enum rw_grain g, int32_t p, int fiscal_start,
		     char *out, size_t size)
{
	int y, m, d, shift = fiscal_shift(fiscal_start);
	int32_t thursday, mi, fm;

	switch (g) {
	case RW_WEEK:
		/* ISO 8601: the week belongs to the year of its Thursday. */
		thursday = rw_period_start(RW_WEEK, p, 1) + 3;
		rw_civil_from_days(thursday, &y, &m, &d);
		snprintf(out, size, "%04d-W%02d", y,
			 (int)((thursday - rw_days_from_civil(y, 1, 1)) / 7 + 1));
		break;
	case RW_MONTH:
		y = floor_div(p, 12);
		snprintf(out, size, "%04d-%02d", y, (int)(p - y * 12 + 1));
		break;
	case RW_QUARTER:
	default:
		if (!shift) {
			y = floor_div(p, 4);
			snprintf(out, size, "%04d-Q%d", y, (int)(p - y * 4 + 1));
			break;
		}
		/* Fiscal year named by the calendar year in which it ends. */
		mi = p * 3 + shift;	/* first month of the quarter */
		fm = mi - shift;	/* months since fiscal year 0 start */
		y = floor_div(fm, 12);	/* fiscal year index: starts in year y */
		snprintf(out, size, "FY%04d-Q%d", y + 1,
			 (int)((fm - y * 12) / 3 + 1));
		break;
	}
}

/* Read exactly n digits at s; -1 when any is not a digit. */
static int read_digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int rw_period_parse(const char *s, size_t len, int fiscal_start,
		    enum rw_grain *g, int32_t *p)
{
	int shift = fiscal_shift(fiscal_start);
	int fy = 0, y, n;

	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= 2 && (s[0] == 'F' || s[0] == 'f') && (s[1] == 'Y' || s[1] == 'y')) {
		fy = 1;
		s += 2;
		len -= 2;
	}
	if (len < 7 || s[4] != '-' || (y = read_digits(s, 4)) < 1)
		return -1;
	if (len == 7 && !fy && s[5] != 'Q' && s[5] != 'q') {
		n = read_digits(s + 5, 2);
		if (n < 1 || n > 12)
			return -1;
		*g = RW_MONTH;
		*p = y * 12 + n - 1;
		return 0;
	}
	if (len == 7 && (s[5] == 'Q' || s[5] == 'q')) {
		n = read_digits(s + 6, 1);
		if (n < 1 || n > 4)
			return -1;
		*g = RW_QUARTER;
		/* FYyyyy-Qn: the fiscal year that ends in calendar year yyyy
		 * starts in yyyy-1; a plain "yyyy-Qn" in a fiscal calendar is
		 * read as FYyyyy-Qn. */
		*p = shift ? (y - 1) * 4 + n - 1 : y * 4 + n - 1;
		return 0;
	}
	if (len == 8 && !fy && (s[5] == 'W' || s[5] == 'w')) {
		int32_t jan4, week1;

		n = read_digits(s + 6, 2);
		if (n < 1 || n > 53)
			return -1;
		/* ISO week 1 is the week that holds January 4th. */
		jan4 = rw_days_from_civil(y, 1, 4);
		week1 = rw_period_of(RW_WEEK, jan4, 1);
		*g = RW_WEEK;
		*p = week1 + n - 1;
		/* Reject week 53 in a year that has 52. */
		{
			char chk[16];
			rw_period_label(RW_WEEK, *p, 1, chk, sizeof(chk));
			if (memcmp(chk, s, 4) != 0)
				return -1;
		}
		return 0;
	}
	return -1;
}

void rw_day_format(int32_t day, char *out, size_t size)
{
	int y, m, d;

	rw_civil_from_days(day, &y, &m, &d);
	snprintf(out, size, "%04d-%02d-%02d", y, m, d);
}

int rw_day_parse(const char *s, int32_t *day)
{
	int v[3] = { 0, 0, 0 }, at = 0;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			at++;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v[at] = v[at] * 10 + (s[i] - '0');
	}
	if (!rw_date_valid(v[0], v[1], v[2]))
		return -1;
	*day = rw_days_from_civil(v[0], v[1], v[2]);
	return 0;
}
