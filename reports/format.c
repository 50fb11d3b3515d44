/*
 * format.c - numbers and text as reports print them.  A value that is NULL
 * in the database (NAN here) prints as an em dash, never as 0 or "nan".
 */
#include "reports_int.h"
#include "../engine/engine.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define DASH "\xe2\x80\x94"	/* — */
#define MINUS "\xe2\x88\x92"	/* − */

/* The metric each report key shows, in report column order. */
static const enum rw_metric key_metric[RW_NKEYS] = {
	[RW_K_WIN_RATE] = RW_M_WIN_RATE,
	[RW_K_REVENUE] = RW_M_REVENUE,
	[RW_K_ATTAINMENT] = RW_M_ATTAINMENT,
	[RW_K_FOLLOWUP] = RW_M_FOLLOWUP_RATIO,
	[RW_K_TOUCH_GAP] = RW_M_TOUCH_GAP_DAYS,
	[RW_K_STALE] = RW_M_STALE_SHARE,
	[RW_K_PIPELINE] = RW_M_PIPELINE_VALUE,
	[RW_K_MEETINGS] = RW_M_MEETINGS,
};

static struct rw_key_info key_table[RW_NKEYS];
static pthread_once_t key_table_once = PTHREAD_ONCE_INIT;

/* A ratio prints as a percentage; a ratio with a denominator trends by
 * its weighted slope, which one lucky small period cannot swing. */
static void key_table_fill(void)
{
	static const enum rw_kind kind_of[] = {
		[RW_UNIT_COUNT] = RW_K_COUNT, [RW_UNIT_RATIO] = RW_K_PCT,
		[RW_UNIT_MONEY] = RW_K_MONEY, [RW_UNIT_DAYS] = RW_K_DAYS,
	};

	for (int k = 0; k < RW_NKEYS; k++) {
		enum rw_metric m = key_metric[k];

		key_table[k].column = rw_metric_name(m);
		key_table[k].title = rw_metric_title(m);
		key_table[k].kind = kind_of[rw_metric_unit(m)];
		key_table[k].up_is_good = rw_metric_up_is_good(m);
		key_table[k].ratio = rw_metric_weight(m) != RW_WEIGHT_NONE;
	}
}

const struct rw_key_info *rw_key_table(void)
{
	/* Once, whichever thread asks first; the table never changes after.
	 * pthread_once fails only on an invalid control, which this is not:
	 * filling again would write the same values. */
	if (pthread_once(&key_table_once, key_table_fill))
		key_table_fill();
	return key_table;
}

int rw_key_of(const char *metric)
{
	for (int k = 0; k < RW_NKEYS; k++)
		if (metric && !strcmp(rw_keys[k].column, metric))
			return k;
	return -1;
}

/* |v| rounded to a whole number with thousands separators. */
static void fmt_grouped(double v, char *out, size_t size)
{
	char digits[32];
	char tmp[48];
	size_t n, j = 0;

	snprintf(digits, sizeof(digits), "%.0f", fabs(v));
	n = strlen(digits);
	for (size_t i = 0; i < n && j + 2 < sizeof(tmp); i++) {
		if (i && (n - i) % 3 == 0)
			tmp[j++] = ',';
		tmp[j++] = digits[i];
	}
	tmp[j] = '\0';
	snprintf(out, size, "%s", tmp);
}

void rw_fmt_value(enum rw_kind kind, double v, char *out, size_t size)
{
	char g[48];

	if (!isfinite(v)) {
		snprintf(out, size, DASH);
		return;
	}
	switch (kind) {
	case RW_K_PCT:
		snprintf(out, size, "%.1f%%", 100.0 * v);
		break;
	case RW_K_MONEY:
		fmt_grouped(v, g, sizeof(g));
		snprintf(out, size, "%s%s", v < -0.5 ? "-" : "", g);
		break;
	case RW_K_DAYS:
		snprintf(out, size, "%.1f d", v);
		break;
	case RW_K_COUNT:
		snprintf(out, size, "%.0f", v);
		break;
	}
}

void rw_fmt_slope(enum rw_kind kind, double v, char *out, size_t size)
{
	const char *sign = v < 0 ? MINUS : "+";
	char g[48];

	if (!isfinite(v)) {
		snprintf(out, size, DASH);
		return;
	}
	switch (kind) {
	case RW_K_PCT:
		snprintf(out, size, "%s%.1f pts", sign, 100.0 * fabs(v));
		break;
	case RW_K_MONEY:
		fmt_grouped(v, g, sizeof(g));
		snprintf(out, size, "%s%s", sign, g);
		break;
	case RW_K_DAYS:
		snprintf(out, size, "%s%.1f d", sign, fabs(v));
		break;
	case RW_K_COUNT:
		snprintf(out, size, "%s%.1f", sign, fabs(v));
		break;
	}
}

void rw_fmt_change(double v, char *out, size_t size)
{
	if (!isfinite(v))
		snprintf(out, size, DASH);
	else
		snprintf(out, size, "%s%.1f%%", v < 0 ? MINUS : "+", 100.0 * fabs(v));
}

/*
 * Markdown: backslash-escape the characters that start emphasis, links,
 * code, headings and table cells; HTML-significant characters become
 * entities (renderers pass raw HTML through); control characters and
 * newlines become spaces so a value never breaks a table row.
 */
void rw_md_escape(FILE *fp, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '&': fputs("&amp;", fp); break;
		case '\\': case '`': case '*': case '_': case '[': case ']':
		case '|': case '#': case '~':
			fputc('\\', fp);
			fputc(c, fp);
			break;
		default:
			fputc(c < 0x20 || c == 0x7f ? ' ' : c, fp);
		}
	}
}

void rw_html_escape(FILE *fp, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '&': fputs("&amp;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default: fputc(*s, fp);
		}
	}
}

/*
 * A cell a spreadsheet would run as a formula (OWASP "CSV injection")
 * starts with = + - @ or a tab or CR: such a cell gets a leading
 * apostrophe, which spreadsheets show as text.  Quotes, commas and line
 * breaks put the cell in double quotes, with quotes doubled.
 */
void rw_report_csv_cell(FILE *fp, const char *s)
{
	int formula = strchr("=+-@\t\r", *s) && *s;
	int quote = formula || strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		fputc('"', fp);
	if (formula)
		fputc('\'', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	if (quote)
		fputc('"', fp);
}

void rw_rep_id_suffix(FILE *fp, const char *name, const char *id,
		      void (*esc)(FILE *, const char *))
{
	if (!strcmp(name, id))
		return;
	fputs(" (", fp);
	esc(fp, id);
	fputc(')', fp);
}

void rw_fmt_track(const struct rw_rflag *f, char *out, size_t size)
{
	int n;

	if (!size)
		return;
	*out = 0;
	if (f->bt_fired < 0)
		return;
	if (f->bt_fired == 0) {
		snprintf(out, size, "backtest: never fired in the months replayed");
		return;
	}
	if (!isfinite(f->bt_precision)) {
		snprintf(out, size, "backtest: fired %d times, outcomes not known yet",
			 f->bt_fired);
		return;
	}
	n = snprintf(out, size, "backtest: %.0f%% precision", 100 * f->bt_precision);
	if (n > 0 && (size_t)n < size && isfinite(f->bt_lift))
		n += snprintf(out + n, size - (size_t)n, ", %.1f\xc3\x97 lift", f->bt_lift);
	if (n > 0 && (size_t)n < size)
		snprintf(out + n, size - (size_t)n, " over %d firing%s", f->bt_fired,
			 f->bt_fired == 1 ? "" : "s");
}
