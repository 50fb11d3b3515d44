/*
 * backtest_report.c - "How much to trust each rule": the report in md,
 * html, json or csv, one sentence per rule sorted by lift, the projection's
 * errors, and the tables of --db.
 */
#include "backtest.h"
#include "guard.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Report ---------------------------------------------------------- */

static const struct bt_state *bt_sort_state;

/* By lift, highest first; rules without a lift after, then those not
 * evaluated; ties by name. */
static int bt_cmp_track(const void *x, const void *y)
{
	const struct rw_rule_track *a = &bt_sort_state->tracks[*(const size_t *)x];
	const struct rw_rule_track *b = &bt_sort_state->tracks[*(const size_t *)y];
	int ra = a->note ? 2 : isfinite(a->lift) ? 0 : 1;
	int rb = b->note ? 2 : isfinite(b->lift) ? 0 : 1;

	if (ra != rb)
		return ra - rb;
	if (!ra && a->lift != b->lift)
		return a->lift > b->lift ? -1 : 1;
	return strcmp(a->rule, b->rule);
}

static const char *bt_outcome_phrase(const struct bt_state *b, size_t r)
{
	const struct rw_rules *rs = b->a->cfg.rules;

	if (rw_rules_category(rs, rw_rules_name(rs, r)) == RW_CAT_RECOGNITION)
		return "the improvement holding (at or above the team median)";
	if (rw_rules_role(rs, r) == RW_ROLE_LAGGING)
		return "a persisting shortfall";
	return "a lagging flag for the rep";
}

/* The plain sentence of rule r into out. */
static void bt_sentence(const struct bt_state *b, size_t r, char *out, size_t size)
{
	const struct rw_rule_track *t = &b->tracks[r];
	const struct rw_rules *rs = b->a->cfg.rules;
	int g = rw_rules_grain(rs, t->rule);
	const char *grain = rw_grain_name(g);
	char tail[160] = "", within[64];
	int n;

	if (t->note) {
		snprintf(out, size, "%s", t->note);
		return;
	}
	if (b->notes[r][0])
		snprintf(tail, sizeof(tail), " (%s)", b->notes[r]);
	if (!t->fired) {
		snprintf(out, size, "never fired with an outcome to judge over the %d replayed months%s", b->npoints, tail);
		return;
	}
	/* A weekly warning's window reaches the next monthly point. */
	if (g == RW_WEEK && rw_rules_role(rs, r) != RW_ROLE_LAGGING &&
	    rw_rules_category(rs, t->rule) != RW_CAT_RECOGNITION)
		snprintf(within, sizeof(within), "by the next month end");
	else
		snprintf(within, sizeof(within), "within %d %s%s", b->a->horizon, grain,
			 b->a->horizon == 1 ? "" : "s");
	n = snprintf(out, size, "fired %ld time%s for %ld rep%s; %ld %s followed by %s %s (%.0f%%), ",
		     t->fired, t->fired == 1 ? "" : "s", t->reps, t->reps == 1 ? "" : "s",
		     t->followed, t->followed == 1 ? "was" : "were", bt_outcome_phrase(b, r),
		     within, 100 * t->precision);
	if (n < 0 || (size_t)n >= size)
		return;
	if (isfinite(t->lift))
		snprintf(out + n, size - (size_t)n, "against %.0f%% of rep-periods it did not flag: %.1f\u00d7 lift%s",
			 100 * t->base_rate, t->lift, tail);
	else if (isfinite(t->base_rate))
		snprintf(out + n, size - (size_t)n, "against none of the rep-periods it did not flag: no lift to compute%s", tail);
	else
		snprintf(out + n, size - (size_t)n, "with no rep-period it did not flag to compare%s", tail);
}

static void bt_num(FILE *fp, double v, const char *fmt, const char *none)
{
	if (isfinite(v))
		fprintf(fp, fmt, v);
	else
		fputs(none, fp);
}

static void bt_html_text(FILE *fp, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", fp);
		else if (*s == '>')
			fputs("&gt;", fp);
		else if (*s == '&')
			fputs("&amp;", fp);
		else
			fputc(*s, fp);
	}
}

static void bt_csv_text(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

struct bt_proj {
	struct rw_projection_track *rows;
	size_t n;
};

static int bt_write_report(const struct bt_state *b, const size_t *order,
			   const struct bt_proj *pj, FILE *fp)
{
	const struct bt_args *a = b->a;
	char from[16], to[16], sent[512];
	size_t nr = b->ntracks;

	rw_bt_month_label(a->from_m, from, sizeof(from));
	rw_bt_month_label(a->to_m, to, sizeof(to));
	if (a->format == BT_JSON) {
		json_t *o = json_pack("{s:s,s:s,s:i,s:i}", "from", from, "to", to,
				      "points", b->npoints, "horizon", a->horizon);
		json_t *rules = json_array(), *proj = json_array();
		char *text;
		int rc;

		if (!o || !rules || !proj) {
			json_decref(o);
			json_decref(rules);
			json_decref(proj);
			return -1;
		}
		for (size_t i = 0; i < nr; i++) {
			const struct rw_rule_track *t = &b->tracks[order[i]];
			json_t *row;

			bt_sentence(b, order[i], sent, sizeof(sent));
			row = json_pack("{s:s,s:s,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:s,s:s?}",
					"rule", t->rule, "category", t->category,
					"fired", (json_int_t)t->fired, "reps", (json_int_t)t->reps,
					"followed", (json_int_t)t->followed,
					"precision", isfinite(t->precision) ? json_real(t->precision) : json_null(),
					"base_rate", isfinite(t->base_rate) ? json_real(t->base_rate) : json_null(),
					"lift", isfinite(t->lift) ? json_real(t->lift) : json_null(),
					"lead_periods", isfinite(t->lead_periods) ? json_real(t->lead_periods) : json_null(),
					"sentence", sent, "note", t->note);
			if (!row || json_array_append_new(rules, row)) {
				json_decref(o);
				json_decref(rules);
				json_decref(proj);
				return -1;
			}
		}
		for (size_t i = 0; i < pj->n; i++)
			if (json_array_append_new(proj, json_pack("{s:i,s:I,s:o,s:o}",
				"day_of_period", pj->rows[i].day_of_period, "n", (json_int_t)pj->rows[i].n,
				"median_abs_error", isfinite(pj->rows[i].median_abs_error) ? json_real(pj->rows[i].median_abs_error) : json_null(),
				"bias", isfinite(pj->rows[i].bias) ? json_real(pj->rows[i].bias) : json_null()))) {
				json_decref(o);
				json_decref(rules);
				json_decref(proj);
				return -1;
			}
		/* set_new takes the reference even when it fails. */
		rc = json_object_set_new(o, "rules", rules);
		if (rc)
			json_decref(proj);
		else
			rc = json_object_set_new(o, "projection", proj);
		text = rc ? NULL : json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		json_decref(o);
		if (!text)
			return -1;
		rc = fputs(text, fp) < 0 || fputc('\n', fp) == EOF;
		free(text);
		return rc ? -1 : 0;
	}
	if (a->format == BT_CSV) {
		fputs("rule,category,fired,reps,followed,precision,base_rate,lift,lead_periods,note\n", fp);
		for (size_t i = 0; i < nr; i++) {
			const struct rw_rule_track *t = &b->tracks[order[i]];

			fprintf(fp, "%s,%s,%ld,%ld,%ld,", t->rule, t->category, t->fired, t->reps, t->followed);
			bt_num(fp, t->precision, "%.4f", "");
			fputc(',', fp);
			bt_num(fp, t->base_rate, "%.4f", "");
			fputc(',', fp);
			bt_num(fp, t->lift, "%.4f", "");
			fputc(',', fp);
			bt_num(fp, t->lead_periods, "%g", "");
			fputc(',', fp);
			if (t->note)
				bt_csv_text(fp, t->note);
			fputc('\n', fp);
		}
		return ferror(fp) ? -1 : 0;
	}
	if (a->format == BT_HTML)
		fprintf(fp, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>How much to trust each rule</title></head><body>\n<h1>How much to trust each rule</h1>\n<p>Replayed at the end of each month from %s to %s (%d points); outcome within %d periods of each rule's grain.</p>\n<table>\n<tr><th>rule</th><th>category</th><th>fired</th><th>reps</th><th>followed</th><th>precision</th><th>base rate</th><th>lift</th><th>lead</th><th>in words</th></tr>\n", from, to, b->npoints, a->horizon);
	else
		fprintf(fp, "# How much to trust each rule\n\nReplayed at the end of each month from %s to %s (%d points), each night with only the data known that day; a firing counts as followed when the outcome its rule foresees came within %d periods of its grain (docs/rules.md, \"Backtest\"). Sorted by lift: how much likelier the outcome was after a firing than for the rep-periods the rule did not flag.\n\n| rule | category | fired | reps | followed | precision | base rate | lift | lead (periods) |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n", from, to, b->npoints, a->horizon);
	for (size_t i = 0; i < nr; i++) {
		const struct rw_rule_track *t = &b->tracks[order[i]];

		fputs(a->format == BT_HTML ? "<tr><td>" : "| ", fp);
		if (a->format == BT_HTML)
			bt_html_text(fp, t->rule);
		else
			fputs(t->rule, fp);
		fprintf(fp, a->format == BT_HTML ? "</td><td>%s</td><td>%ld</td><td>%ld</td><td>%ld</td><td>" : " | %s | %ld | %ld | %ld | ",
			t->category, t->fired, t->reps, t->followed);
		bt_num(fp, 100 * t->precision, "%.0f%%", "n/a");
		fputs(a->format == BT_HTML ? "</td><td>" : " | ", fp);
		bt_num(fp, 100 * t->base_rate, "%.0f%%", "n/a");
		fputs(a->format == BT_HTML ? "</td><td>" : " | ", fp);
		bt_num(fp, t->lift, "%.2f", "n/a");
		fputs(a->format == BT_HTML ? "</td><td>" : " | ", fp);
		bt_num(fp, t->lead_periods, "%g", "n/a");
		if (a->format == BT_HTML) {
			fputs("</td><td>", fp);
			bt_sentence(b, order[i], sent, sizeof(sent));
			bt_html_text(fp, sent);
			fputs("</td></tr>\n", fp);
		} else {
			fputs(" |\n", fp);
		}
	}
	if (a->format == BT_HTML) {
		fputs("</table>\n", fp);
	} else {
		fputs("\n## In words\n\n", fp);
		for (size_t i = 0; i < nr; i++) {
			bt_sentence(b, order[i], sent, sizeof(sent));
			fprintf(fp, "- **%s**: %s.\n", b->tracks[order[i]].rule, sent);
		}
	}
	fputs(a->format == BT_HTML ? "<h2>Projection</h2>\n" : "\n## Projection\n\n", fp);
	if (!pj->n) {
		fputs(a->format == BT_HTML ? "<p>No replay point fell inside a quarter whose actual attainment is known.</p>\n" : "No replay point fell inside a quarter whose actual attainment is known.\n", fp);
	} else {
		fputs(a->format == BT_HTML ? "<p>Projected attainment of the partial quarter against its actual attainment, by day of the quarter.</p>\n<table><tr><th>day of quarter</th><th>n</th><th>median abs. error</th><th>bias</th></tr>\n"
		      : "Projected attainment of the partial quarter against the quarter's actual attainment, by day of the quarter (error = projected - actual, in points of attainment).\n\n| day of quarter | n | median abs. error | bias (mean error) |\n|---:|---:|---:|---:|\n", fp);
		for (size_t i = 0; i < pj->n; i++) {
			fprintf(fp, a->format == BT_HTML ? "<tr><td>%d</td><td>%ld</td><td>" : "| %d | %ld | ",
				pj->rows[i].day_of_period, pj->rows[i].n);
			bt_num(fp, 100 * pj->rows[i].median_abs_error, "%.1f", "n/a");
			fputs(a->format == BT_HTML ? "</td><td>" : " | ", fp);
			bt_num(fp, 100 * pj->rows[i].bias, "%+.1f", "n/a");
			fputs(a->format == BT_HTML ? "</td></tr>\n" : " |\n", fp);
		}
		if (a->format == BT_HTML)
			fputs("</table>\n", fp);
	}
	if (a->format == BT_HTML)
		fputs("</body></html>\n", fp);
	return ferror(fp) ? -1 : 0;
}

/*
 * Group the projection errors by day of the quarter: one pass puts them in
 * order of day (each day's in the order recorded), then each day's run is
 * summed and the median of its absolute values taken.
 */
static int bt_proj_rows(struct bt_state *b, struct bt_proj *pj)
{
	size_t *at = NULL;	/* day d's run is e[at[d - 1] .. at[d]) once filled */
	double *e = NULL;
	size_t start = 0;
	int maxday = 0;

	memset(pj, 0, sizeof(*pj));
	for (size_t i = 0; i < b->nperr; i++)
		if (b->pday[i] > maxday)
			maxday = b->pday[i];
	pj->rows = rw_calloc((size_t)maxday + 1, sizeof(*pj->rows));
	at = rw_calloc((size_t)maxday + 1, sizeof(*at));
	e = rw_calloc(b->nperr + 1, sizeof(*e));
	if (!pj->rows || !at || !e) {
		rw_free(at);
		rw_free(e);
		return -1;
	}
	for (size_t i = 0; i < b->nperr; i++)
		if (b->pday[i] >= 1)
			at[b->pday[i]]++;
	for (int d = 1; d <= maxday; d++) {	/* counts -> starts */
		size_t n = at[d];

		at[d] = start;
		start += n;
	}
	for (size_t i = 0; i < b->nperr; i++)	/* starts -> ends */
		if (b->pday[i] >= 1)
			e[at[b->pday[i]]++] = b->perr[i];
	for (int d = 1; d <= maxday; d++) {
		size_t lo = at[d - 1], n = at[d] - lo;
		double sum = 0;

		if (!n)
			continue;
		for (size_t k = lo; k < lo + n; k++) {
			sum += e[k];
			e[k] = fabs(e[k]);
		}
		pj->rows[pj->n++] = (struct rw_projection_track){ d, (long)n,
			rw_bt_median(e + lo, n), sum / (double)n };
	}
	rw_free(at);
	rw_free(e);
	return 0;
}

/* FNV-1a (64 bits) of the configuration file's bytes, hex; "" without one. */
static void bt_config_hash(const char *path, char *out, size_t size)
{
	uint64_t h = 1469598103934665603ULL;
	FILE *fp;
	int c;

	out[0] = 0;
	if (!path || !(fp = fopen(path, "rb")))
		return;
	while ((c = getc(fp)) != EOF) {
		h ^= (unsigned char)c;
		h *= 1099511628211ULL;
	}
	fclose(fp);
	snprintf(out, size, "%016llx", (unsigned long long)h);
}

int rw_bt_output(struct bt_state *b, const char *started, double secs,
		 struct rw_err *err)
{
	struct bt_args *a = b->a;
	size_t *order = rw_calloc(b->ntracks + 1, sizeof(size_t));
	struct bt_proj pj = { 0 };
	int64_t id = 0;
	int rc = 0;

	if (!order || bt_proj_rows(b, &pj)) {
		rw_free(order);
		rw_free(pj.rows);
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < b->ntracks; i++)
		order[i] = i;
	bt_sort_state = b;
	qsort(order, b->ntracks, sizeof(*order), bt_cmp_track);
	if (a->db_path) {
		struct rw_store *st = NULL;
		char from[16], to[16], hash[32];
		struct rw_backtest_info bi = { .started = started, .from_period = from,
					       .to_period = to, .horizon = a->horizon,
					       .points = b->npoints };

		rw_bt_month_label(a->from_m, from, sizeof(from));
		rw_bt_month_label(a->to_m, to, sizeof(to));
		bt_config_hash(a->config_path, hash, sizeof(hash));
		bi.config_hash = hash[0] ? hash : NULL;
		rc = rw_store_open(a->db_path, a->cfg.busy_ms, &st, err);
		if (!rc)
			rc = rw_store_write_backtest(st, &bi, b->tracks, b->ntracks, pj.rows, pj.n, &id, err);
		rw_store_close(st);
	}
	if (!rc) {
		struct rw_atomic at;
		FILE *fp = stdout;

		if (a->out_path && strcmp(a->out_path, "-")) {
			rc = rw_atomic_open(&at, a->out_path, err);
			fp = rc ? NULL : at.fp;
		}
		if (fp && bt_write_report(b, order, &pj, fp)) {
			rc = rw_err_set(err, RW_EIO, "cannot write the report");
			if (fp != stdout)
				rw_atomic_abort(&at);
		} else if (fp && fp != stdout) {
			rc = rw_atomic_commit(&at, err);
		}
	}
	if (!rc && !a->quiet) {
		fprintf(stderr, "repwatch: backtest of %zu rules over %d replay points (%.2f s)", b->ntracks, b->npoints, secs);
		if (a->db_path)
			fprintf(stderr, "; stored as backtest %lld in %s", (long long)id, a->db_path);
		fputc('\n', stderr);
	}
	rw_free(order);
	rw_free(pj.rows);
	return rc;
}

