/*
 * parse.c - value parsers for CSV cells: dates, amounts, activity types
 * and deal status (SPEC section 2, "Value formats").  Each parser either
 * returns a value or says why it cannot; nothing is guessed.
 */
#include "ingest.h"
#include "ingest_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Years outside this range are placeholders ("0001-01-01") or typos, and
 * would make the engine's per-deal day spans absurd. */
#define YEAR_MIN 1900
#define YEAR_MAX 2999

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

void rw_trim(const char **s, size_t *len)
{
	while (*len && rw_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && rw_blank((*s)[*len - 1]))
		(*len)--;
}

static int why_set(char *why, size_t size, const char *fmt, ...) RW_PRINTF(3, 4);

static int why_set(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (why && size) {
		va_start(ap, fmt);
		vsnprintf(why, size, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A cursor over one cell. */
struct cur {
	const char *s;
	size_t len, pos;
};

static int cur_peek(const struct cur *c)
{
	return c->pos < c->len ? (unsigned char)c->s[c->pos] : -1;
}

static int cur_eat(struct cur *c, char ch)
{
	if (cur_peek(c) != (unsigned char)ch)
		return 0;
	c->pos++;
	return 1;
}

/* Read min..max decimal digits into *v; returns the count (0 on failure). */
static int cur_num(struct cur *c, int min, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && c->pos < c->len && is_digit(c->s[c->pos])) {
		*v = *v * 10 + (c->s[c->pos++] - '0');
		n++;
	}
	if (n < min || (c->pos < c->len && is_digit(c->s[c->pos])))
		return 0;
	return n;
}

/* Exactly n digits into *v, whatever follows ("+0530"). */
static int cur_fixed(struct cur *c, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, c->pos++) {
		if (c->pos >= c->len || !is_digit(c->s[c->pos]))
			return 0;
		*v = *v * 10 + (c->s[c->pos] - '0');
	}
	return 1;
}

/* ---- Dates ------------------------------------------------------------ */

/* "hh:mm[:ss[.fff]]"; sets *hour.  Returns 0 or -1. */
static int parse_clock(struct cur *c, int *hour)
{
	int m, sec;

	if (!cur_num(c, 1, 2, hour) || !cur_eat(c, ':') || !cur_num(c, 2, 2, &m) ||
	    m > 59)
		return -1;
	if (cur_eat(c, ':')) {
		if (!cur_num(c, 2, 2, &sec) || sec > 60)
			return -1;
		if (cur_eat(c, '.') || cur_eat(c, ',')) {
			if (cur_peek(c) < 0 || !is_digit((char)cur_peek(c)))
				return -1;
			while (cur_peek(c) >= 0 && is_digit((char)cur_peek(c)))
				c->pos++;
		}
	}
	return 0;
}

/* ISO time after 'T' or ' ': clock, then Z, +hh, +hhmm or +hh:mm. */
static int parse_iso_time(struct cur *c)
{
	int hour, zh, zm;

	if (parse_clock(c, &hour) || hour > 23)
		return -1;
	cur_eat(c, ' ');
	if (cur_eat(c, 'Z') || cur_eat(c, 'z'))
		return c->pos == c->len ? 0 : -1;
	if (cur_eat(c, '+') || cur_eat(c, '-')) {
		if (!cur_fixed(c, 2, &zh) || zh > 14)
			return -1;
		if (c->pos < c->len) {
			cur_eat(c, ':');
			if (!cur_num(c, 2, 2, &zm) || zm > 59)
				return -1;
		}
	}
	return c->pos == c->len ? 0 : -1;
}

/* Slash or dot time: " h:mm[:ss]" then an optional AM/PM. */
static int parse_local_time(struct cur *c)
{
	int hour, ampm = 0;

	if (parse_clock(c, &hour))
		return -1;
	while (cur_eat(c, ' '))
		;
	if (c->len - c->pos == 2 && lower(c->s[c->pos + 1]) == 'm' &&
	    (lower(c->s[c->pos]) == 'a' || lower(c->s[c->pos]) == 'p')) {
		ampm = 1;
		c->pos += 2;
	}
	if (c->pos != c->len)
		return -1;
	return ampm ? (hour >= 1 && hour <= 12 ? 0 : -1) : (hour <= 23 ? 0 : -1);
}

static int check_ymd(int y, int m, int d, int32_t *day, char *why, size_t ws)
{
	if (y < YEAR_MIN || y > YEAR_MAX)
		return why_set(why, ws, "year %d is out of range %d-%d", y,
			       YEAR_MIN, YEAR_MAX);
	if (m < 1 || m > 12)
		return why_set(why, ws, "month %d does not exist", m);
	if (!rw_date_valid(y, m, d))
		return why_set(why, ws, "%s %d has no day %d", month_names[m - 1],
			       y, d);
	*day = rw_days_from_civil(y, m, d);
	return 0;
}

static const char date_forms[] =
	"not a date (expected YYYY-MM-DD, M/D/YYYY or D.M.YYYY)";

int rw_date_kind(const char *s, size_t len)
{
	struct cur c;
	int a, b;

	rw_trim(&s, &len);
	c.s = s;
	c.len = len;
	c.pos = 0;
	if (len < 3 || !is_digit(s[0]) || (s[1] != '/' && s[2] != '/'))
		return 0;
	if (!cur_num(&c, 1, 2, &a) || !cur_eat(&c, '/') || !cur_num(&c, 1, 2, &b) ||
	    !cur_eat(&c, '/'))
		return 0;
	if (a > 12 && b <= 12)
		return 2;
	if (b > 12 && a <= 12)
		return 3;
	return a <= 12 && b <= 12 ? 1 : 0;
}

int rw_parse_date(const char *s, size_t len, enum rw_date_order order,
		  int32_t *day, char *why, size_t why_size)
{
	struct cur c;
	int a, b, z, n;

	rw_trim(&s, &len);
	if (!len)
		return why_set(why, why_size, "empty date");
	c.s = s;
	c.len = len;
	c.pos = 0;
	n = cur_num(&c, 1, 4, &a);
	if (n == 4 && cur_eat(&c, '-')) {
		if (!cur_num(&c, 2, 2, &b) || !cur_eat(&c, '-') ||
		    !cur_num(&c, 2, 2, &z))
			return why_set(why, why_size, "%s", date_forms);
		if (c.pos < len && ((!cur_eat(&c, 'T') && !cur_eat(&c, ' ')) ||
				    parse_iso_time(&c)))
			return why_set(why, why_size, "bad time after the date");
		return check_ymd(a, b, z, day, why, why_size);
	}
	if (n < 1 || n > 2 || (!cur_eat(&c, '/') && !cur_eat(&c, '.')))
		return why_set(why, why_size, "%s", date_forms);
	{
		char sep = s[c.pos - 1];

		if (!cur_num(&c, 1, 2, &b) || !cur_eat(&c, sep))
			return why_set(why, why_size, "%s", date_forms);
		n = cur_num(&c, 2, 4, &z);
		if (n != 2 && n != 4)
			return why_set(why, why_size, "%s", date_forms);
		/* Two-digit years pivot at 70 (as POSIX strptime's %y). */
		if (n == 2)
			z += z < 70 ? 2000 : 1900;
		if (c.pos < len && (!cur_eat(&c, ' ') || parse_local_time(&c)))
			return why_set(why, why_size, "bad time after the date");
		/* D.M.YYYY is always day first; slashes follow the order, AUTO
		 * reading M/D unless the first number cannot be a month. */
		if (sep == '.' || order == RW_DATE_DMY ||
		    (order == RW_DATE_AUTO && a > 12))
			return check_ymd(z, b, a, day, why, why_size);
		return check_ymd(z, a, b, day, why, why_size);
	}
}

/* ---- Amounts ---------------------------------------------------------- */

/* Skip a currency symbol ($, EUR sign, pound sign) or, when codes is set,
 * a three-letter upper-case code, writing its code into cur.  Returns
 * bytes skipped. */
static size_t skip_currency(const char *s, size_t len, int codes, char cur[4])
{
	const char *code = NULL;
	size_t k = 0;

	if (len >= 1 && s[0] == '$') {
		code = "USD";
		k = 1;
	} else if (len >= 3 && !memcmp(s, "\xe2\x82\xac", 3)) {
		code = "EUR";
		k = 3;
	} else if (len >= 2 && !memcmp(s, "\xc2\xa3", 2)) {
		code = "GBP";
		k = 2;
	} else if (codes && len >= 3 && s[0] >= 'A' && s[0] <= 'Z' &&
		   s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z' &&
		   (len == 3 || !(s[3] >= 'A' && s[3] <= 'Z'))) {
		code = s;
		k = 3;
	}
	if (code) {
		memcpy(cur, code, 3);
		cur[3] = '\0';
	}
	return k;
}

struct num {
	char clean[64];		/* digits and '.', for strtod */
	size_t n;
	int digits;
};

static int num_push(struct num *nm, char ch)
{
	if (nm->n + 1 >= sizeof(nm->clean))
		return -1;
	nm->clean[nm->n++] = ch;
	return 0;
}

/*
 * The number itself: digits, at most one decimal separator, and thousands
 * separators in groups of three before it.  Stops at the first character
 * that cannot continue the number.
 */
static int scan_number(struct cur *c, char decimal, struct num *nm,
		       char *why, size_t ws)
{
	int in_frac = 0, groups = 0, run = 0;
	char sep = 0;

	for (; c->pos < c->len; c->pos++) {
		char ch = c->s[c->pos];
		int thou = decimal == '.' ? ch == ',' : (ch == '.' || ch == ' ');

		if (is_digit(ch)) {
			run++;
			nm->digits++;
			if (num_push(nm, ch))
				return why_set(why, ws, "too many digits");
		} else if (ch == decimal) {
			if (in_frac)
				return why_set(why, ws, "more than one decimal separator");
			if (groups && run != 3)
				return why_set(why, ws, "digits not grouped by three");
			in_frac = 1;
			run = 0;
			if (num_push(nm, '.'))
				return why_set(why, ws, "too many digits");
		} else if (thou && !in_frac &&
			   (ch != ' ' || (c->pos + 1 < c->len && is_digit(c->s[c->pos + 1])))) {
			if (sep && ch != sep)
				return why_set(why, ws, "mixed thousands separators");
			if (run == 0 || run > 3 || (groups && run != 3))
				return why_set(why, ws, "digits not grouped by three");
			sep = ch;
			groups++;
			run = 0;
		} else {
			break;
		}
	}
	if (groups && !in_frac && run != 3)
		return why_set(why, ws, "digits not grouped by three");
	if (!nm->digits)
		return why_set(why, ws, "no digits");
	nm->clean[nm->n] = '\0';
	return 0;
}

/* Sign and currency in either order before the number. */
static int scan_prefix(struct cur *c, int *neg, int *cur_seen, char cur[4])
{
	size_t k;
	int signs = 0, pass;

	for (pass = 0; pass < 2; pass++) {
		if (cur_peek(c) == '-' || cur_peek(c) == '+') {
			*neg ^= c->s[c->pos] == '-';
			c->pos++;
			signs++;
		}
		k = *cur_seen ? 0 : skip_currency(c->s + c->pos, c->len - c->pos, 1, cur);
		if (k) {
			*cur_seen = 1;
			c->pos += k;
			while (cur_eat(c, ' '))
				;
		}
	}
	return signs;
}

int rw_parse_amount(const char *s, size_t len, char decimal, double *v,
		    char *why, size_t why_size)
{
	char cur[4];

	return rw_parse_amount_cur(s, len, decimal, v, cur, why, why_size);
}

int rw_parse_amount_cur(const char *s, size_t len, char decimal, double *v,
			char cur[4], char *why, size_t why_size)
{
	struct num nm = { .n = 0 };
	struct cur c;
	int neg = 0, paren = 0, cur_seen = 0, signs;
	double x;
	char *end;

	cur[0] = '\0';
	rw_trim(&s, &len);
	if (!len)
		return why_set(why, why_size, "empty amount");
	if (s[0] == '(') {
		if (s[len - 1] != ')')
			return why_set(why, why_size, "unbalanced parenthesis");
		s++;
		len -= 2;
		rw_trim(&s, &len);
		paren = neg = 1;
	}
	c.s = s;
	c.len = len;
	c.pos = 0;
	signs = scan_prefix(&c, &neg, &cur_seen, cur);
	if (signs > 1 || (signs && paren))
		return why_set(why, why_size, "more than one sign");
	if (scan_number(&c, decimal, &nm, why, why_size))
		return -1;
	if (c.pos < len && !cur_seen) {
		size_t k;

		while (cur_eat(&c, ' '))
			;
		k = skip_currency(s + c.pos, len - c.pos,
				  c.pos > 0 && s[c.pos - 1] == ' ', cur);
		c.pos += k;
	}
	if (c.pos < len)
		return why_set(why, why_size, "unexpected character '%c'", s[c.pos]);
	x = strtod(nm.clean, &end);
	if (*end || !isfinite(x))
		return why_set(why, why_size, "number out of range");
	*v = neg ? -x : x;
	return 0;
}

/* ---- Activity type and status ----------------------------------------- */

/*
 * Lower-case s into out with '-', ':' and '_' read as blanks ("Closed: won"
 * is "closed won") and runs of blanks collapsed to one space; keep_dash
 * keeps '-' and ':'.  Returns -1 when too long.
 */
static int norm_word(const char *s, size_t len, char *out, size_t size,
		     int keep_dash)
{
	size_t n = 0;
	int space = 0;

	rw_trim(&s, &len);
	for (size_t i = 0; i < len; i++) {
		char ch = lower(s[i]);

		if (rw_blank(ch) || ch == '_' ||
		    ((ch == '-' || ch == ':') && !keep_dash)) {
			space = 1;
			continue;
		}
		if (n + (size_t)space + 2 > size)
			return -1;
		if (space && n)
			out[n++] = ' ';
		space = 0;
		out[n++] = ch;
	}
	out[n] = '\0';
	return 0;
}

static int in_list(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(w, *list))
			return 1;
	return 0;
}

enum rw_act_type rw_parse_act_type(const char *s, size_t len)
{
	static const char *const calls[] = { "call", "calls", "phone",
		"phone call", "logged call", NULL };
	static const char *const emails[] = { "email", "e-mail", "mail",
		"emails", "e-mails", NULL };
	static const char *const meetings[] = { "meeting", "meetings", "demo",
		"video call", "visit", "event", "lunch", NULL };
	char w[32];

	/* The names most exports write, already in normal form: one compare
	 * per activity instead of normalising and walking the lists. */
	if (len == 4 && !memcmp(s, "call", 4))
		return RW_CALL;
	if (len == 5 && !memcmp(s, "email", 5))
		return RW_EMAIL;
	if (len == 7 && !memcmp(s, "meeting", 7))
		return RW_MEETING;
	if (norm_word(s, len, w, sizeof(w), 1))
		return RW_OTHER;
	if (in_list(w, calls))
		return RW_CALL;
	if (in_list(w, emails))
		return RW_EMAIL;
	if (in_list(w, meetings))
		return RW_MEETING;
	return RW_OTHER;
}

int rw_parse_status(const char *s, size_t len, enum rw_status *st)
{
	char w[32];

	if (norm_word(s, len, w, sizeof(w), 0))
		return -1;
	if (!strcmp(w, "open")) {
		*st = RW_OPEN;
	} else if (!strcmp(w, "won") || !strcmp(w, "closed won") ||
		   !strcmp(w, "closedwon")) {
		*st = RW_WON;
	} else if (!strcmp(w, "lost") || !strcmp(w, "closed lost") ||
		   !strcmp(w, "closedlost")) {
		*st = RW_LOST;
	} else {
		return -1;
	}
	return 0;
}
