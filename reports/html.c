/*
 * html.c - the HTML trend report: one self-contained file (inline CSS and
 * SVG, no script, a Content-Security-Policy that forbids every remote
 * load) with the team overview, the flagged reps and their evidence, the
 * team-wide findings per manager, and one chart per rep and key metric:
 * the rep's series, the team's median and p25-p75 band, the change point.
 * Colours are the Okabe-Ito palette, readable with colour-blindness; the
 * print stylesheet keeps each rep's charts on one page.
 */
#include "reports_int.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W 230		/* chart size in px */
#define H 128
#define ML 46		/* margins: left (y ticks), right, top, bottom */
#define MR 8
#define MT 18
#define MB 22

static const char css[] =
	"body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
	"color:#222;margin:24px auto;max-width:1180px;padding:0 16px}"
	"h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;"
	"border-bottom:2px solid #0072B2}h3{font-size:16px;margin:18px 0 6px}"
	"p.meta{color:#555;margin:0 0 12px}"
	"table{border-collapse:collapse;margin:6px 0 14px;font-size:13px}"
	"th,td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:right;"
	"white-space:nowrap}th:first-child,td:first-child{text-align:left}"
	"th{background:#f3f6f9}tr.median td{font-style:italic;color:#555}"
	".up{color:#009E73}.down{color:#D55E00}.flat{color:#888}"
	".flag{display:inline-block;padding:0 5px;border-radius:3px;font-size:11px;"
	"margin-left:4px;background:#eee}.critical,.warning{background:#D55E00;color:#fff}"
	".watch{background:#E69F00}.info{background:#cde}"
	".charts{display:flex;flex-wrap:wrap;gap:6px}"
	"svg.chart{border:1px solid #e3e3e3;background:#fff}"
	"svg text{font:10px sans-serif;fill:#444}"
	".legend span{margin-right:14px}.sw{display:inline-block;width:18px;"
	"height:8px;margin-right:4px;vertical-align:middle}"
	"section.rep{break-inside:avoid;page-break-inside:avoid}"
	".wide{max-width:100%;overflow-x:auto}"
	"table.flags{width:100%;table-layout:fixed}"
	"table.goals th,table.plans th{white-space:normal}"
	"table.flags td{white-space:normal;text-align:left;overflow-wrap:anywhere;"
	"vertical-align:top}table.flags th{text-align:left}"
	"details pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:11px;"
	"margin:4px 0;background:#f7f7f7;padding:4px}"
	"@media print{body{margin:0;max-width:none;font-size:11px}"
	"section.rep{break-inside:avoid}h2{break-after:avoid}"
	"@page{size:A4;margin:12mm}}";

static void esc(FILE *fp, const char *s)
{
	rw_html_escape(fp, s);
}

/* Arrow with a class for its colour: green up, orange down, grey flat. */
static void arrow_html(FILE *fp, enum rw_key k, const struct rw_rtrend *t)
{
	const char *cls = "flat";

	if (rw_trend_sig(t) && t->slope != 0)
		cls = rw_declined(k, t) ? "down" : "up";
	fprintf(fp, " <span class=\"%s\" title=\"", cls);
	if (t->n >= 3 && isfinite(t->p))
		fprintf(fp, "slope p = %.3f over %d periods", t->p, t->n);
	else if (t->n >= 3)
		fprintf(fp, "no significant trend over %d periods", t->n);
	else
		fprintf(fp, "fewer than 3 periods");
	fprintf(fp, "\">%s</span>", rw_arrow(t));
}

void rw_html_open(FILE *fp, const char *title)
{
	fprintf(fp, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'; img-src data:\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	esc(fp, title);
	fprintf(fp, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
}

static void html_head(FILE *fp, const struct rw_report_data *d)
{
	char title[128];

	snprintf(title, sizeof(title), "repwatch trend report %s %s", d->grain, d->period);
	rw_html_open(fp, title);
	fprintf(fp, "<h1>repwatch trend report</h1>\n<p class=\"meta\">Run %lld as of %s, grain %s. "
		"The overview shows %s %s, the latest complete %s; trends are fitted over "
		"the last %d complete %ss (arrows: significant at p &lt; %.2f, weighted by "
		"closed deals for ratios; green is better, orange worse).</p>\n",
		(long long)d->run_id, d->as_of, d->grain, d->grain, d->period, d->grain,
		d->trend_periods, d->grain, RW_ALPHA);
	if (*rw_data_note(d))
		fprintf(fp, "<p class=\"meta\">%s</p>\n", rw_data_note(d));
}

/* Flags of one rep, as small badges. */
static void rep_badges(FILE *fp, const char *rep, const struct rw_rflag *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(f[i].rep_id, rep))
			continue;
		fprintf(fp, "<span class=\"flag ");
		esc(fp, f[i].severity);
		fprintf(fp, "\" title=\"");
		esc(fp, f[i].category);
		fprintf(fp, ", ");
		esc(fp, f[i].severity);
		fprintf(fp, ": ");
		esc(fp, f[i].message);
		fprintf(fp, "\">");
		esc(fp, f[i].rule);
		fprintf(fp, "</span>");
	}
}

static void html_overview(FILE *fp, const struct rw_report_data *d,
			  const struct rw_rflag *f, size_t nf)
{
	size_t i = 0;

	fprintf(fp, "<h2>Team overview: %s %s</h2>\n", d->grain, d->period);
	while (i < d->nreps) {
		const char *team = d->reps[i].team, *manager = rw_team_manager(d, team);
		size_t j = i;

		while (j < d->nreps && !strcmp(d->reps[j].team, team))
			j++;
		fprintf(fp, "<h3>");
		esc(fp, *team ? team : "(no team)");
		if (*manager) {
			fprintf(fp, " <small>manager: ");
			esc(fp, manager);
			fprintf(fp, "</small>");
		}
		fprintf(fp, "</h3>\n<div class=\"wide\"><table class=\"overview\">\n"
			"<tr><th>rep</th><th>won/lost</th>");
		for (int k = 0; k < RW_NKEYS; k++)
			fprintf(fp, "<th>%s</th>", rw_keys[k].title);
		fprintf(fp, "</tr>\n");
		for (size_t r = i; r < j; r++) {
			const struct rw_rrep *p = &d->reps[r];

			fprintf(fp, "<tr class=\"rep\" data-rep=\"");
			esc(fp, p->id);
			fprintf(fp, "\"><td><a href=\"#rep-");
			esc(fp, p->id);
			fprintf(fp, "\">");
			esc(fp, p->name);
			fprintf(fp, "</a>");
			rw_rep_id_suffix(fp, p->name, p->id, esc);
			rep_badges(fp, p->id, f, nf);
			if (isfinite(p->won) && isfinite(p->lost))
				fprintf(fp, "</td><td>%.0f/%.0f</td>", p->won, p->lost);
			else
				fprintf(fp, "</td><td>\xe2\x80\x94</td>");
			for (int k = 0; k < RW_NKEYS; k++) {
				char v[48];

				rw_fmt_value(rw_keys[k].kind, p->v[k], v, sizeof(v));
				fprintf(fp, "<td>%s", v);
				arrow_html(fp, (enum rw_key)k, &p->tr[k]);
				fprintf(fp, "</td>");
			}
			fprintf(fp, "</tr>\n");
		}
		fprintf(fp, "</table></div>\n");
		i = j;
	}
	if (d->nleft)
		fprintf(fp, "<p class=\"meta\">%zu rep%s who left before %s %s not shown.</p>\n",
			d->nleft, d->nleft == 1 ? "" : "s", d->period,
			d->nleft == 1 ? "is" : "are");
}

/* Severity rank: critical first. */
static int sev_rank(const char *s)
{
	static const char *const order[] = { "critical", "warning", "watch", "info" };

	for (int i = 0; i < 4; i++)
		if (!strcmp(s, order[i]))
			return i;
	return 4;
}

/* Most severe first, then team, rep and rule: what to read first (ties
 * keep the run's order: the pointers follow the array). */
static int flag_cmp(const void *x, const void *y)
{
	const struct rw_rflag *a = *(const struct rw_rflag *const *)x;
	const struct rw_rflag *b = *(const struct rw_rflag *const *)y;
	int c = sev_rank(a->severity) - sev_rank(b->severity);

	if (!c)
		c = strcmp(a->team, b->team);
	if (!c)
		c = strcmp(a->rep_id, b->rep_id);
	if (!c)
		c = strcmp(a->rule, b->rule);
	if (!c)
		c = (a > b) - (a < b);
	return c;
}

/* Print before and the number v of key k (-1: a metric with no key, plain). */
static void evidence_value(FILE *fp, const char *before, int k, json_t *v)
{
	char s[48];

	if (k >= 0)
		rw_fmt_value(rw_keys[k].kind, json_number_value(v), s, sizeof(s));
	else
		snprintf(s, sizeof(s), "%.3g", json_number_value(v));
	fprintf(fp, "%s%s", before, s);
}

/* "win rate 8% vs team 21%" for one evidence metric object. */
static void evidence_metric(FILE *fp, json_t *m, int with_team)
{
	const char *name = json_string_value(json_object_get(m, "metric"));
	json_t *v = json_object_get(m, "value"), *t = json_object_get(m, "team_median");
	const char *since = json_string_value(json_object_get(m, "since"));
	int k = rw_key_of(name);

	if (!name)
		return;
	esc(fp, k >= 0 ? rw_keys[k].title : name);
	if (json_is_number(v))
		evidence_value(fp, " ", k, v);
	if (with_team && json_is_number(t))
		evidence_value(fp, " vs team ", k, t);
	if (with_team && since) {
		fprintf(fp, ", since ");
		esc(fp, since);
	}
}

/* One line of the evidence: the flag's first metric against the team,
 * since when, and its causes' first metrics. */
static void evidence_line(FILE *fp, const char *evidence)
{
	json_t *ev = json_loads(evidence ? evidence : "", 0, NULL);
	json_t *ms = json_object_get(ev, "metrics"), *cs = json_object_get(ev, "causes");
	size_t i;
	json_t *x;
	int n = 0;

	if (json_array_size(ms))
		evidence_metric(fp, json_array_get(ms, 0), 1);
	json_array_foreach(cs, i, x) {
		json_t *m = json_array_get(json_object_get(x, "metrics"), 0);
		const char *name = json_string_value(json_object_get(m, "metric"));
		int seen = 0;

		/* Two rules on one cause (low and falling) read as one. */
		for (size_t j = 0; name && j < i; j++) {
			json_t *o = json_array_get(json_object_get(json_array_get(cs, j),
								   "metrics"), 0);
			const char *on = json_string_value(json_object_get(o, "metric"));

			seen |= on && !strcmp(on, name);
		}
		if (!m || seen)
			continue;
		fprintf(fp, "%s", n++ ? ", " : "; causes: ");
		evidence_metric(fp, m, 0);
	}
	json_decref(ev);
}

/* Flags, most severe first, each with its rule, message and a one-line
 * reading of its evidence; the evidence JSON itself folded away.
 * Structural findings (no rep) are addressed to the team's manager. */
static int html_flags(FILE *fp, const struct rw_report_data *d,
		      const struct rw_rflag *f, size_t n, struct rw_err *err)
{
	const struct rw_rflag **ord;

	fprintf(fp, "<h2>Flagged reps</h2>\n");
	if (!n) {
		fprintf(fp, "<p>No flags in this run.</p>\n");
		return 0;
	}
	ord = rw_calloc(n, sizeof(*ord));
	if (!ord)
		return rw_err_set(err, RW_ENOMEM, "out of memory ordering flags");
	for (size_t i = 0; i < n; i++)
		ord[i] = &f[i];
	qsort(ord, n, sizeof(*ord), flag_cmp);
	fprintf(fp, "<table class=\"flags\">\n<colgroup><col style=\"width:8%%\">"
		"<col style=\"width:15%%\"><col style=\"width:9%%\"><col style=\"width:14%%\">"
		"<col></colgroup>\n<tr><th>severity</th><th>rep</th><th>team</th><th>rule</th>"
		"<th>what and why</th></tr>\n");
	for (size_t o = 0; o < n; o++) {
		const struct rw_rflag *g = ord[o];
		const struct rw_rrep *p = NULL;
		char track[128];

		for (size_t r = 0; r < d->nreps; r++)
			if (!strcmp(d->reps[r].id, g->rep_id))
				p = &d->reps[r];
		fprintf(fp, "<tr class=\"flag-row\" data-severity=\"");
		esc(fp, g->severity);
		fprintf(fp, "\"><td><span class=\"flag ");
		esc(fp, g->severity);
		fprintf(fp, "\">");
		esc(fp, g->severity);
		fprintf(fp, "</span></td><td>");
		if (p) {
			esc(fp, p->name);
			rw_rep_id_suffix(fp, p->name, p->id, esc);
		} else if (*g->rep_id) {
			esc(fp, g->rep_id);
		} else {
			fprintf(fp, "<i>whole team</i>");
		}
		fprintf(fp, "</td><td>");
		esc(fp, g->team);
		fprintf(fp, "</td><td><b>");
		esc(fp, g->rule);
		fprintf(fp, "</b><br><small>");
		esc(fp, g->category);
		fprintf(fp, "</small></td><td>");
		esc(fp, g->message);
		fprintf(fp, "<br><small class=\"evidence-line\">");
		evidence_line(fp, g->evidence);
		rw_fmt_track(g, track, sizeof(track));
		if (*track) {
			fprintf(fp, "</small><br><small class=\"track\">");
			esc(fp, track);
		}
		fprintf(fp, "</small><details><summary>evidence</summary><pre>");
		esc(fp, g->evidence);
		fprintf(fp, "</pre></details></td></tr>\n");
	}
	fprintf(fp, "</table>\n");
	rw_free(ord);
	return 0;
}

/* A round step of about range / 3: 1, 2 or 5 times a power of ten. */
static double nice_step(double range)
{
	double raw = range / 3, p = pow(10, floor(log10(raw))), m = raw / p;

	return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/* Short axis labels with dec more decimals than the usual: 45% / 120k /
 * 1.2M / 6 d. */
static void tick_label(enum rw_kind kind, double v, int dec, char *out, size_t size)
{
	double a = fabs(v);

	switch (kind) {
	case RW_K_PCT:
		snprintf(out, size, "%.*f%%", dec, 100 * v);
		break;
	case RW_K_MONEY:
		if (a >= 1e6)
			snprintf(out, size, "%.*fM", 1 + dec, v / 1e6);
		else if (a >= 1e3)
			snprintf(out, size, "%.*fk", dec, v / 1e3);
		else
			snprintf(out, size, "%.*f", dec, v);
		break;
	case RW_K_DAYS:
		snprintf(out, size, "%.*f d", dec, v);
		break;
	case RW_K_COUNT:
		snprintf(out, size, "%.*f", dec, v);
		break;
	}
}

/*
 * The fewest extra decimals (0-4) with which the ticks lo, lo + step ...
 * hi all read differently: a small range (touch gap 5.5-7 d) would
 * otherwise repeat "6 d".
 */
static int tick_decimals(enum rw_kind kind, double lo, double hi, double step)
{
	for (int dec = 0; dec < 4; dec++) {
		char prev[32] = "", t[32];
		int dup = 0;

		for (double y = lo; y <= hi + step / 2 && !dup; y += step) {
			tick_label(kind, y, dec, t, sizeof(t));
			dup = !strcmp(t, prev);
			memcpy(prev, t, sizeof(prev));
		}
		if (!dup)
			return dec;
	}
	return 4;
}

struct scale {
	double lo, hi;
	int np;
};

static double sx(const struct scale *s, int i)
{
	return ML + (s->np > 1 ? (double)i * (W - ML - MR) / (s->np - 1) : (W - ML - MR) / 2.0);
}

static double sy(const struct scale *s, double v)
{
	return MT + (s->hi - v) / (s->hi - s->lo) * (H - MT - MB);
}

/* Polyline runs of finite values: a NULL period is a gap in the line. */
static void lines(FILE *fp, const struct scale *s, const double *v, int stride,
		  const char *attrs)
{
	int i = 0;

	while (i < s->np) {
		int j = i;

		while (j < s->np && isfinite(v[(size_t)j * (size_t)stride]))
			j++;
		if (j - i >= 2) {
			fprintf(fp, "<polyline %s points=\"", attrs);
			for (int k = i; k < j; k++)
				fprintf(fp, "%.1f,%.1f ", sx(s, k), sy(s, v[(size_t)k * (size_t)stride]));
			fprintf(fp, "\"/>");
		}
		i = j + 1;
	}
}

/* The p25-p75 band as polygons over runs where both bounds exist. */
static void band(FILE *fp, const struct scale *s, const double *b)
{
	int i = 0;

	while (i < s->np) {
		int j = i;

		while (j < s->np && isfinite(b[3 * j + 1]) && isfinite(b[3 * j + 2]))
			j++;
		if (j - i >= 2) {
			fprintf(fp, "<polygon fill=\"#56B4E9\" fill-opacity=\"0.22\" points=\"");
			for (int k = i; k < j; k++)
				fprintf(fp, "%.1f,%.1f ", sx(s, k), sy(s, b[3 * k + 2]));
			for (int k = j - 1; k >= i; k--)
				fprintf(fp, "%.1f,%.1f ", sx(s, k), sy(s, b[3 * k + 1]));
			fprintf(fp, "\"/>");
		}
		i = j + 1;
	}
}

void rw_html_chart(FILE *fp, const struct rw_rseries *s, const struct rw_rrep *p,
		   size_t r, int team, enum rw_key k)
{
	const double *v = rw_rep_series(s, r, k);
	const double *b = team >= 0 ? rw_band(s, (size_t)team, k) : NULL;
	struct scale sc = { INFINITY, -INFINITY, s->np };
	char t[32];
	int cp = -1;

	for (int i = 0; i < s->np; i++) {
		if (isfinite(v[i])) {
			sc.lo = fmin(sc.lo, v[i]);
			sc.hi = fmax(sc.hi, v[i]);
		}
		for (int j = 0; b && j < 3; j++)
			if (isfinite(b[3 * i + j])) {
				sc.lo = fmin(sc.lo, b[3 * i + j]);
				sc.hi = fmax(sc.hi, b[3 * i + j]);
			}
		if (*p->tr[k].cp_period && !strcmp(s->labels[i], p->tr[k].cp_period))
			cp = i;
	}
	/* The values go into the chart's title (a tooltip, and what a screen
	 * reader says), not into an element per point: a small DOM renders
	 * fast. */
	fprintf(fp, "<svg class=\"chart\" data-metric=\"%s\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
		"<title>%s of ", rw_keys[k].column, W, H, W, H, rw_keys[k].title);
	esc(fp, p->name);
	for (int i = 0; i < s->np; i++) {
		char val[48];

		rw_fmt_value(rw_keys[k].kind, v[i], val, sizeof(val));
		fprintf(fp, "%s %s %s", i ? "," : ":", s->labels[i], val);
	}
	fprintf(fp, "</title><text x=\"%d\" y=\"12\" font-weight=\"bold\">%s</text>",
		ML, rw_keys[k].title);
	if (!(sc.lo <= sc.hi) || s->np == 0) {
		fprintf(fp, "<text x=\"%d\" y=\"%d\">no data</text></svg>\n", ML + 40, H / 2);
		return;
	}
	if (rw_keys[k].kind == RW_K_PCT || rw_keys[k].kind == RW_K_COUNT ||
	    rw_keys[k].kind == RW_K_MONEY)
		sc.lo = fmin(sc.lo, 0);	/* amounts and shares read from zero */
	if (sc.hi - sc.lo < 1e-9)
		sc.hi = sc.lo + (fabs(sc.lo) > 0 ? fabs(sc.lo) : 1);
	{
		double step = nice_step(sc.hi - sc.lo);
		int dec;

		sc.lo = floor(sc.lo / step) * step;
		sc.hi = ceil(sc.hi / step) * step;
		dec = tick_decimals(rw_keys[k].kind, sc.lo, sc.hi, step);
		for (double y = sc.lo; y <= sc.hi + step / 2; y += step) {
			tick_label(rw_keys[k].kind, y, dec, t, sizeof(t));
			fprintf(fp, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
				"stroke=\"#eee\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
				ML, W - MR, sy(&sc, y), sy(&sc, y), ML - 4, sy(&sc, y) + 3, t);
		}
	}
	if (b) {
		band(fp, &sc, b);
		lines(fp, &sc, b, 3, "fill=\"none\" stroke=\"#E69F00\" stroke-width=\"1.5\" "
		      "stroke-dasharray=\"4 3\" class=\"team-median\"");
	}
	if (cp >= 0)
		fprintf(fp, "<line class=\"change-point\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
			"stroke=\"#D55E00\" stroke-dasharray=\"2 2\"><title>shift from %s</title></line>",
			sx(&sc, cp), sx(&sc, cp), MT, H - MB, s->labels[cp]);
	lines(fp, &sc, v, 1, "fill=\"none\" stroke=\"#0072B2\" stroke-width=\"2\" class=\"rep-line\"");
	/* Every point as a dot, all in one path (two half-circle arcs each). */
	fprintf(fp, "<path class=\"points\" fill=\"#0072B2\" d=\"");
	for (int i = 0; i < s->np; i++)
		if (isfinite(v[i]))
			fprintf(fp, "M%.1f %.1fm-2.2 0a2.2 2.2 0 1 0 4.4 0a2.2 2.2 0 1 0 -4.4 0",
				sx(&sc, i), sy(&sc, v[i]));
	fprintf(fp, "\"/>");
	if (s->np)
		fprintf(fp, "<text x=\"%d\" y=\"%d\">%s</text><text x=\"%d\" y=\"%d\" "
			"text-anchor=\"end\">%s</text>", ML, H - 6, s->labels[0], W - MR,
			H - 6, s->labels[s->np - 1]);
	fprintf(fp, "</svg>\n");
}

static void html_charts(FILE *fp, const struct rw_report_data *d, const struct rw_rseries *s)
{
	fprintf(fp, "<h2>Trends per rep</h2>\n<p class=\"legend\"><span><i class=\"sw\" "
		"style=\"background:#0072B2\"></i>rep</span><span><i class=\"sw\" "
		"style=\"background:#E69F00\"></i>team median</span><span><i class=\"sw\" "
		"style=\"background:#56B4E9;opacity:.4\"></i>team p25\xe2\x80\x93p75</span>"
		"<span><i class=\"sw\" style=\"background:#D55E00\"></i>change point</span>"
		"<span>gaps: no data</span></p>\n");
	for (size_t r = 0; r < d->nreps; r++) {
		const struct rw_rrep *p = &d->reps[r];

		fprintf(fp, "<section class=\"rep\" id=\"rep-");
		esc(fp, p->id);
		fprintf(fp, "\"><h3>");
		esc(fp, p->name);
		rw_rep_id_suffix(fp, p->name, p->id, esc);
		fprintf(fp, ", ");
		esc(fp, p->team);
		fprintf(fp, "</h3><div class=\"charts\">\n");
		for (int k = 0; k < RW_NKEYS; k++)
			rw_html_chart(fp, s, p, r, rw_rseries_team(s, p->team), (enum rw_key)k);
		fprintf(fp, "</div></section>\n");
	}
}

/* Team findings (SPEC section 5), as the engine found and stored them:
 * a shift most of a team made together is a matter for the manager, not
 * for one rep. */
static void html_structural(FILE *fp, const struct rw_report_data *d)
{
	fprintf(fp, "<h2>Team-wide findings</h2>\n");
	if (!d->nfindings) {
		fprintf(fp, "<p>No team shifted together on any metric.</p>\n");
		return;
	}
	fprintf(fp, "<ul>\n");
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct rw_rfinding *f = &d->findings[i];
		char cs[32];

		rw_fmt_change(f->change, cs, sizeof(cs));
		fprintf(fp, "<li class=\"structural\"><b>");
		esc(fp, f->team);
		fprintf(fp, "</b>");
		if (*f->manager) {
			fprintf(fp, " (manager ");
			esc(fp, f->manager);
			fprintf(fp, ")");
		}
		fprintf(fp, ": ");
		esc(fp, f->metric);
		fprintf(fp, " moved %s from ", cs);
		esc(fp, f->since);
		fprintf(fp, " for %d of its %d reps (p %.3f) \xe2\x80\x94 a team issue, "
			"not one rep's.</li>\n", f->reps_down, f->reps, f->p);
	}
	fprintf(fp, "</ul>\n");
}

/* Plan progress, when the rules layer scored plans in this run: each
 * goal row with the checkpoint its plan reached (schema version 3; an
 * older database shows none). */
static int html_plans(FILE *fp, sqlite3 *db, const struct rw_report_data *d,
		      struct rw_err *err)
{
	static const char sql3[] =
		"SELECT plan_id, rep_id, metric, baseline, current, target, progress,"
		" elapsed, status, checkpoint, checkpoint_target FROM plan_progress"
		" WHERE run_id = ?1 ORDER BY rep_id, plan_id, metric, target";
	static const char sql[] =
		"SELECT plan_id, rep_id, metric, baseline, current, target, progress,"
		" elapsed, status, NULL, NULL FROM plan_progress WHERE run_id = ?1"
		" ORDER BY rep_id, plan_id, metric, target";
	sqlite3_stmt *st;
	int rc, n = 0;

	rc = rw_report_prepare_run(db, sql3, d->run_id, &st);
	if (rc > 0)
		rc = rw_report_prepare_run(db, sql, d->run_id, &st);
	if (rc > 0)
		return 0;	/* no rules layer in this database */
	if (rc)
		return rw_db_fail(db, NULL, "cannot read plan_progress", err);
	fprintf(fp, "<h2>Improvement plans</h2>\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!n++)
			fprintf(fp, "<div class=\"wide\"><table class=\"plans\"><tr><th>plan</th>"
				"<th>rep</th><th>metric</th><th>baseline</th><th>current</th>"
				"<th>target</th><th>progress</th><th>elapsed</th><th>status</th>"
				"<th>checkpoint reached (day)</th><th>its target</th></tr>\n");
		fprintf(fp, "<tr>");
		for (int i = 0; i < 11; i++) {
			const unsigned char *t = sqlite3_column_text(st, i);
			int num = (i >= 3 && i <= 7) || i == 10;

			fprintf(fp, "<td>");
			if (num && sqlite3_column_type(st, i) != SQLITE_NULL)
				fprintf(fp, "%.3g", sqlite3_column_double(st, i));
			else if (t)
				esc(fp, (const char *)t);
			else
				fprintf(fp, "\xe2\x80\x94");
			fprintf(fp, "</td>");
		}
		fprintf(fp, "</tr>\n");
	}
	fprintf(fp, n ? "</table></div>\n" : "<p>No open plans.</p>\n");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : rw_err_set(err, RW_EDB, "cannot read plan_progress");
}

int rw_html_report(FILE *out, sqlite3 *db, const struct rw_report_data *d,
		   struct rw_err *err)
{
	struct rw_rseries s;
	struct rw_rflag *f = NULL;
	size_t nf = 0;
	int rc;

	rc = rw_report_load_series(db, d, &s, err);
	if (!rc)
		rc = rw_report_load_flags(db, d, NULL, &f, &nf, err);
	if (!rc) {
		html_head(out, d);
		html_overview(out, d, f, nf);
		rc = html_flags(out, d, f, nf, err);
	}
	if (!rc) {
		html_structural(out, d);
		rc = html_plans(out, db, d, err);
	}
	if (!rc) {
		html_charts(out, d, &s);
		fprintf(out, "</body>\n</html>\n");
	}
	rw_rseries_free(&s);
	rw_rflags_free(f, nf);
	return rc;
}
