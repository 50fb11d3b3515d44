/*
 * rows.c - one row function per input (reps, opportunities, targets,
 * stage history, plans, activities): validation, status from stages and
 * flags, currencies, duplicates; deals and activities reach the dataset
 * and the engine's activity fold from here.
 */
#include "ingest.h"
#include "ingest_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- reps.csv ----------------------------------------------------------- */

static int opt_date(struct table *t, const struct rw_csv_rec *rec, int c,
		    int32_t *day, int *bad)
{
	size_t len;
	const char *s = rw_table_cell(t, rec, c, &len);

	*bad = 0;
	*day = RW_NODAY;
	if (!len)
		return 0;
	return rw_table_date_value(t, rec, c, s, len, day, bad);
}

/*
 * Text cells are copied, trimmed and NUL-terminated, into the row buffer
 * (the dataset copies them again into its arena).  Cells are added first
 * and turned into pointers after the last one, as the buffer may move.
 */
static size_t row_text(struct table *t, const struct rw_csv_rec *rec, int c)
{
	size_t len, off = t->in->row.len;
	const char *s = rw_table_cell(t, rec, c, &len);

	if (!len)
		return SIZE_MAX;
	rw_buf_add(&t->in->row, s, len);
	rw_buf_addc(&t->in->row, '\0');
	return off;
}

/* Pointer for an offset from row_text(); NULL for an empty cell. */
static const char *row_str(const struct ingest *in, size_t off)
{
	return off == SIZE_MAX ? NULL : in->row.data + off;
}

static int row_error(struct ingest *in)
{
	if (!rw_buf_error(&in->row))
		return 0;
	return rw_err_set(in->err, RW_ENOMEM, "out of memory");
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int same_rep(const struct rw_rep *a, const struct rw_rep *b)
{
	return !strcmp(a->name, b->name) && same_str(a->email, b->email) &&
	       !strcmp(a->team, b->team) && same_str(a->manager, b->manager) &&
	       a->hire_day == b->hire_day && a->end_day == b->end_day;
}

/*
 * Team names repwatch gives itself: "*" is the company's row of
 * team_baselines (a team of that name would collide with it), "(no team)"
 * is a rep without a team and "(unassigned)" a deal owner missing from
 * reps.csv.  A reps.csv team spelled like one (case aside) is refused
 * rather than merged with them.
 */
static int reserved_team(const char *team)
{
	return !strcmp(team, "*") || !strcasecmp(team, "(no team)") ||
	       !strcasecmp(team, "(unassigned)");
}

static int rep_row(struct table *t, const struct rw_csv_rec *rec)
{
	static const int req[] = { REP_ID, REP_NAME, -1 };
	struct ingest *in = t->in;
	struct rw_rep r = { .unassigned = 0 };
	size_t off[5];
	uint32_t idx;
	int rc, bad;

	rc = rw_table_require(t, rec, req, &bad);
	if (rc || bad)
		return rc;
	rc = opt_date(t, rec, REP_HIRE, &r.hire_day, &bad);
	if (rc || bad)
		return rc;
	rc = opt_date(t, rec, REP_END, &r.end_day, &bad);
	if (rc || bad)
		return rc;
	rw_buf_reset(&in->row);
	off[0] = row_text(t, rec, REP_ID);
	off[1] = row_text(t, rec, REP_NAME);
	off[2] = row_text(t, rec, REP_EMAIL);
	off[3] = row_text(t, rec, REP_TEAM);
	off[4] = row_text(t, rec, REP_MANAGER);
	if (row_error(in))
		return in->err->code;
	r.id = row_str(in, off[0]);
	r.name = row_str(in, off[1]);
	r.email = row_str(in, off[2]);
	r.team = row_str(in, off[3]);
	r.manager = row_str(in, off[4]);
	if (!r.team)
		r.team = "(no team)";
	else if (reserved_team(r.team))
		return rw_table_reject_value(t, rec, REP_TEAM, "reserved team name (\"*\" is the company, "
					     "\"(no team)\" and \"(unassigned)\" are given by repwatch)");
	idx = rw_index_get(&in->rep_ids, r.id);
	if (idx != RW_NONE) {
		if (same_rep(&in->ds->reps[idx], &r))
			return 0;
		return rw_table_reject(t, rec, REP_ID,
				       "duplicate rep_id with different content (first on line %ld)",
				       in->rep_line[idx]);
	}
	if (rw_dataset_add_rep(in->ds, &r, &idx))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	if (rw_ingest_note_line(in, &in->rep_line, &in->rep_line_cap, idx, rec->line))
		return in->err->code;
	return rw_ingest_index_rep(in, idx);
}

/* ---- opportunities.csv -------------------------------------------------- */

/* 1 when s[0..len) is one of the comma-separated names of a [stages]
 * or [activity_types] entry of kind (col: the entry's column, -1 any). */
static int listed(const struct ingest *in, enum rw_map_kind kind, int col,
		  const char *s, size_t len)
{
	const struct rw_ingest_map *m = &in->opts->map;

	for (int i = 0; i < m->n; i++) {
		const char *p = m->e[i].text;

		if (m->e[i].kind != kind || (col >= 0 && m->e[i].col != col))
			continue;
		while (*p) {
			const char *end = strchr(p, ',');
			size_t n = end ? (size_t)(end - p) : strlen(p);
			const char *q = p;

			rw_trim(&q, &n);
			if (n == len && !strncasecmp(q, s, n))
				return 1;
			if (!end)
				break;
			p = end + 1;
		}
	}
	return 0;
}

/* A Salesforce/HubSpot flag: 1, 0, or -1 when it is no boolean.  Empty is
 * false (Salesforce object exports leave false flags empty). */
static int flag_value(const char *s, size_t len)
{
	static const char *const yes[] = { "1", "true", "yes", "y", "t", NULL };
	static const char *const no[] = { "0", "false", "no", "n", "f", NULL };

	if (!len)
		return 0;
	for (int i = 0; yes[i]; i++)
		if (strlen(yes[i]) == len && !strncasecmp(s, yes[i], len))
			return 1;
	for (int i = 0; no[i]; i++)
		if (strlen(no[i]) == len && !strncasecmp(s, no[i], len))
			return 0;
	return -1;
}

/* Status from the IsClosed / IsWon flags (Salesforce, HubSpot). */
static int flag_status(struct table *t, const struct rw_csv_rec *rec,
		       enum rw_status *st, int *bad)
{
	size_t len, slen;
	const char *s = rw_table_cell(t, rec, OPP_IS_CLOSED, &len);
	const char *stage = rw_table_cell(t, rec, OPP_STAGE, &slen);
	int closed = flag_value(s, len), won;
	enum rw_status sst;

	if (closed < 0) {
		*bad = 1;
		return rw_table_reject_value(t, rec, OPP_IS_CLOSED, "not a true/false flag");
	}
	if (!closed) {
		*st = RW_OPEN;
		return 0;
	}
	if (rw_table_has_col(t, OPP_IS_WON)) {
		s = rw_table_cell(t, rec, OPP_IS_WON, &len);
		won = flag_value(s, len);
		if (won < 0) {
			*bad = 1;
			return rw_table_reject_value(t, rec, OPP_IS_WON, "not a true/false flag");
		}
	} else {
		won = !rw_parse_status(stage, slen, &sst) && sst == RW_WON;
	}
	*st = won ? RW_WON : RW_LOST;
	return 0;
}

/*
 * SPEC section 2 (a stage listed under [stages] skip has left the row
 * out before): status from `status` when it has a value; else the stage
 * when [stages] names it won or lost; else the IsClosed/IsWon flags when
 * the file has them; else the stage's own words ("Closed Won", "won"), a
 * stage that names no status being an open deal.
 */
static int stage_skipped(struct table *t, const struct rw_csv_rec *rec)
{
	size_t slen;
	const char *stage = rw_table_cell(t, rec, OPP_STAGE, &slen);

	return slen && t->in->opts->map.n &&
	       listed(t->in, RW_MAP_SKIP, -1, stage, slen);
}

static int opp_status(struct table *t, const struct rw_csv_rec *rec,
		      enum rw_status *st, int *bad)
{
	struct ingest *in = t->in;
	size_t len, slen;
	const char *s = rw_table_cell(t, rec, OPP_STATUS, &len);
	const char *stage = rw_table_cell(t, rec, OPP_STAGE, &slen);

	*bad = 0;
	if (len) {
		if (!rw_parse_status(s, len, st))
			return 0;
		*bad = 1;
		return rw_table_reject_value(t, rec, OPP_STATUS, "status is not open, won or lost");
	}
	if (slen && in->opts->map.n) {
		if (listed(in, RW_MAP_WON, -1, stage, slen)) {
			*st = RW_WON;
			return 0;
		}
		if (listed(in, RW_MAP_LOST, -1, stage, slen)) {
			*st = RW_LOST;
			return 0;
		}
	}
	if (rw_table_has_col(t, OPP_IS_CLOSED))
		return flag_status(t, rec, st, bad);
	if (!slen) {
		*bad = 1;
		return rw_table_reject(t, rec, rw_table_has_col(t, OPP_STATUS) ? OPP_STATUS : OPP_STAGE,
				       "missing required value");
	}
	if (rw_parse_status(stage, slen, st))
		*st = RW_OPEN;
	return 0;
}

/* Rate of currency code in the base currency, or NAN when none is set. */
static double rate_of(const struct ingest *in, const char *code)
{
	const struct rw_ingest_map *m = &in->opts->map;

	for (int i = 0; i < m->n; i++)
		if (m->e[i].kind == RW_MAP_RATE && !strcasecmp(m->e[i].text, code))
			return m->e[i].rate;
	return NAN;
}

/*
 * The deal's currency (the currency column, else a symbol or code in the
 * amount) against the base currency ([currency] base, else the first one
 * seen): another currency is converted by its [currency] rate, or the row
 * is rejected; amounts in different currencies are never added as equal.
 */
static int opp_currency(struct table *t, const struct rw_csv_rec *rec,
			const char *amount_cur, double *amount, int *bad)
{
	struct ingest *in = t->in;
	size_t len;
	const char *s = rw_table_cell(t, rec, OPP_CURRENCY, &len);
	char code[8];
	double rate;
	int c = len ? OPP_CURRENCY : OPP_AMOUNT;

	if (!len) {
		s = amount_cur;
		len = strlen(amount_cur);
	}
	if (!len)
		return 0;
	if (len >= sizeof(code)) {
		*bad = 1;
		return rw_table_reject_value(t, rec, c, "not a currency code");
	}
	for (size_t i = 0; i < len; i++)
		code[i] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
	code[len] = '\0';
	if (!in->base[0])
		snprintf(in->base, sizeof(in->base), "%s", code);
	if (!strcmp(code, in->base))
		return 0;
	rate = rate_of(in, code);
	if (isnan(rate)) {
		*bad = 1;
		return rw_table_reject(t, rec, c,
				       "no rate for currency %s (base %s): add %s = RATE to [currency] in the configuration",
				       code, in->base, code);
	}
	*amount *= rate;
	return 0;
}

/* Parse every value of a deal row into *o (rep left RW_NONE). */
static int opp_values(struct table *t, const struct rw_csv_rec *rec,
		      struct rw_opp *o, int *bad, int *skip)
{
	static const int req[] = { OPP_ID, OPP_OWNER, OPP_CREATED, OPP_AMOUNT, -1 };
	char why[128], cur[4];
	size_t len, id, stage;
	const char *s;
	int rc;

	*bad = 0;
	*skip = stage_skipped(t, rec);
	if (*skip)
		return 0;
	rc = rw_table_require(t, rec, req, bad);
	if (rc || *bad)
		return rc;
	rc = opp_status(t, rec, &o->status, bad);
	if (rc || *bad)
		return rc;
	s = rw_table_cell(t, rec, OPP_CREATED, &len);
	rc = rw_table_date_value(t, rec, OPP_CREATED, s, len, &o->created, bad);
	if (rc || *bad)
		return rc;
	rc = opt_date(t, rec, OPP_CLOSE, &o->closed, bad);
	if (rc || *bad)
		return rc;
	/* A deal cannot close (or be expected to) before it existed: the
	 * cycle would be negative and a win land before the deal.  Records
	 * imported into a CRM after they closed carry the import as their
	 * created date; close_before_created = use_close says so, and they
	 * are read as created on their close day (cycle 0), counted. */
	if (o->closed != RW_NODAY && o->closed < o->created) {
		if (t->in->opts->created_from_close) {
			o->created = o->closed;
			t->created_moved++;
		} else {
			*bad = 1;
			return rw_table_reject_value(t, rec, OPP_CLOSE, "close date is before the created date");
		}
	}
	s = rw_table_cell(t, rec, OPP_AMOUNT, &len);
	if (rw_parse_amount_cur(s, len, t->in->opts->decimal ? t->in->opts->decimal : '.',
				&o->amount, cur, why, sizeof(why))) {
		*bad = 1;
		return rw_table_reject_value(t, rec, OPP_AMOUNT, why);
	}
	rc = opp_currency(t, rec, cur, &o->amount, bad);
	if (rc || *bad)
		return rc;
	/* Revenue is the sum of won amounts: a negative one (a refund or a
	 * typo) would silently cancel real wins. */
	if (o->status == RW_WON && o->amount < 0) {
		*bad = 1;
		return rw_table_reject_value(t, rec, OPP_AMOUNT, "negative amount on a won deal");
	}
	if (rw_table_has_col(t, OPP_ICP_FIT)) {
		int fit;

		s = rw_table_cell(t, rec, OPP_ICP_FIT, &len);
		fit = len ? flag_value(s, len) : -2;
		if (fit == -1) {
			*bad = 1;
			return rw_table_reject_value(t, rec, OPP_ICP_FIT, "not a yes/no value");
		}
		o->icp_fit = fit == -2 ? 0 : fit ? 1 : 2;
	}
	rw_buf_reset(&t->in->row);
	id = row_text(t, rec, OPP_ID);
	stage = row_text(t, rec, OPP_STAGE);
	if (row_error(t->in))
		return t->in->err->code;
	o->id = row_str(t->in, id);
	o->stage = row_str(t->in, stage);
	return 0;
}

static int same_opp(const struct rw_opp *a, const struct rw_opp *b)
{
	return a->rep == b->rep && a->created == b->created &&
	       a->closed == b->closed && a->status == b->status &&
	       a->amount == b->amount && a->icp_fit == b->icp_fit &&
	       same_str(a->stage, b->stage);
}

static int opp_row(struct table *t, const struct rw_csv_rec *rec)
{
	struct ingest *in = t->in;
	struct rw_opp o = { .rep = RW_NONE };
	uint32_t idx;
	size_t len;
	const char *owner;
	int rc, bad, skip;

	rc = opp_values(t, rec, &o, &bad, &skip);
	if (skip)
		t->rep->rows_skipped++;
	if (rc || bad || skip)
		return rc;
	owner = rw_table_cell(t, rec, OPP_OWNER, &len);
	rc = rw_ingest_resolve_owner(in, owner, len, &o.rep);
	if (rc)
		return rc;
	/* A repeated deal is harmless when it says the same thing (exports
	 * that overlap); otherwise neither copy can be trusted over the
	 * other, so the later one is rejected. */
	idx = rw_index_get(&in->opp_ids, o.id);
	if (idx != RW_NONE) {
		if (same_opp(&in->ds->opps[idx], &o))
			return 0;
		return rw_table_reject(t, rec, OPP_ID,
				       "duplicate opp_id with different content (first on line %ld)",
				       in->opp_line[idx]);
	}
	if (o.rep == RW_NONE) {
		rc = rw_table_new_owner_rep(t, rec, owner, len, &o.rep);
		if (rc)
			return rc;
	}
	if (o.created > in->ds->settings.as_of)
		in->stats->after_as_of++;
	if (rw_dataset_add_opp(in->ds, &o, &idx) ||
	    rw_ingest_note_line(in, &in->opp_line, &in->opp_line_cap, idx, rec->line) ||
	    rw_index_put(&in->opp_ids, in->ds->opps[idx].id, idx))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	return 0;
}

/* ---- targets.csv -------------------------------------------------------- */

/* Who a target is for: a rep (resolved like an owner, never created) or
 * a team. */
static int target_whom(struct table *t, const struct rw_csv_rec *rec,
		       struct rw_target *g, int *bad)
{
	size_t len, tlen;
	const char *s = rw_table_cell(t, rec, TGT_REP, &len);
	const char *team = rw_table_cell(t, rec, TGT_TEAM, &tlen);
	int rc;

	*bad = 0;
	g->rep = RW_NONE;
	if (len) {
		rc = rw_ingest_resolve_owner(t->in, s, len, &g->rep);
		if (rc)
			return rc;
		if (g->rep != RW_NONE)
			return 0;
		*bad = 1;
		return rw_table_reject_value(t, rec, TGT_REP, "matches no rep");
	}
	if (!tlen) {
		*bad = 1;
		return rw_table_reject(t, rec, rw_table_has_col(t, TGT_REP) ? TGT_REP : TGT_TEAM,
				       "missing required value");
	}
	rw_buf_reset(&t->in->row);
	rw_buf_add(&t->in->row, team, tlen);
	if (row_error(t->in))
		return t->in->err->code;
	g->team = t->in->row.data;
	return 0;
}

static int target_row(struct table *t, const struct rw_csv_rec *rec)
{
	static const int req[] = { TGT_PERIOD, TGT_TARGET, -1 };
	struct rw_target g = { .team = NULL };
	char why[128];
	size_t len;
	const char *s;
	int rc, bad;

	/* Only revenue targets feed quota (SPEC section 4); rows for other
	 * metrics belong to other features and are skipped, not rejected. */
	s = rw_table_cell(t, rec, TGT_METRIC, &len);
	if (len && !(len == 7 && !strncasecmp(s, "revenue", 7)))
		return 0;
	rc = rw_table_require(t, rec, req, &bad);
	if (rc || bad)
		return rc;
	rc = target_whom(t, rec, &g, &bad);
	if (rc || bad)
		return rc;
	s = rw_table_cell(t, rec, TGT_PERIOD, &len);
	if (rw_period_parse(s, len, t->in->ds->settings.fiscal_start, &g.grain,
			    &g.period))
		return rw_table_reject_value(t, rec, TGT_PERIOD,
					     "not a period (2026-W07, 2026-02, 2026-Q1 or FY2027-Q1)");
	s = rw_table_cell(t, rec, TGT_TARGET, &len);
	if (rw_parse_amount(s, len, t->in->opts->decimal ? t->in->opts->decimal : '.',
			    &g.target, why, sizeof(why)))
		return rw_table_reject_value(t, rec, TGT_TARGET, why);
	if (rw_dataset_add_target(t->in->ds, &g))
		return rw_err_set(t->in->err, RW_ENOMEM, "out of memory");
	return 0;
}

/* ---- stage_history.csv and plans.csv ------------------------------------ */

/* A stage a deal entered; the deal must be in the opportunities. */
static int stage_row(struct table *t, const struct rw_csv_rec *rec)
{
	static const int req[] = { STG_OPP, STG_STAGE, STG_ENTERED, -1 };
	struct ingest *in = t->in;
	struct rw_stage_entry e = { .opp = RW_NONE };
	const char *s;
	size_t len, off;
	int rc, bad;

	rc = rw_table_require(t, rec, req, &bad);
	if (rc || bad)
		return rc;
	s = rw_table_cell(t, rec, STG_OPP, &len);
	e.opp = rw_ingest_opp_of(in, s, len);
	if (e.opp == RW_NONE)
		return rw_table_reject_value(t, rec, STG_OPP, "matches no deal in the opportunities");
	s = rw_table_cell(t, rec, STG_ENTERED, &len);
	rc = rw_table_date_value(t, rec, STG_ENTERED, s, len, &e.day, &bad);
	if (rc || bad)
		return rc;
	rw_buf_reset(&in->row);
	off = row_text(t, rec, STG_STAGE);
	if (row_error(in))
		return in->err->code;
	e.stage = row_str(in, off);
	if (rw_dataset_add_stage(in->ds, &e))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	return 0;
}

/* Who and what a plan goal is about: a known rep and a SPEC metric. */
static int plan_subject(struct table *t, const struct rw_csv_rec *rec,
			struct rw_plan *p, int *bad)
{
	struct ingest *in = t->in;
	size_t len;
	const char *s = rw_table_cell(t, rec, PLAN_REP, &len);
	int rc, m;

	*bad = 1;
	rc = rw_ingest_resolve_owner(in, s, len, &p->rep);
	if (rc)
		return rc;
	if (p->rep == RW_NONE)
		return rw_table_reject_value(t, rec, PLAN_REP, "matches no rep");
	s = rw_table_cell(t, rec, PLAN_METRIC, &len);
	if (!rw_ingest_key(in, s, len, 1, 0))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	m = rw_metric_find(in->key.data);
	if (m < 0)
		return rw_table_reject_value(t, rec, PLAN_METRIC, "not a metric name of SPEC section 4");
	p->metric = rw_metric_name((enum rw_metric)m);
	*bad = 0;
	return 0;
}

static int plan_numbers(struct table *t, const struct rw_csv_rec *rec,
			struct rw_plan *p, int *bad)
{
	char dec = t->in->opts->decimal ? t->in->opts->decimal : '.';
	char why[128];
	size_t len;
	const char *s = rw_table_cell(t, rec, PLAN_TARGET, &len);

	*bad = 1;
	if (rw_parse_amount(s, len, dec, &p->target, why, sizeof(why)))
		return rw_table_reject_value(t, rec, PLAN_TARGET, why);
	p->baseline = NAN;
	s = rw_table_cell(t, rec, PLAN_BASELINE, &len);
	if (len && rw_parse_amount(s, len, dec, &p->baseline, why, sizeof(why)))
		return rw_table_reject_value(t, rec, PLAN_BASELINE, why);
	*bad = 0;
	return 0;
}

static int plan_row(struct table *t, const struct rw_csv_rec *rec)
{
	static const int req[] = { PLAN_ID, PLAN_REP, PLAN_START, PLAN_END,
		PLAN_METRIC, PLAN_TARGET, -1 };
	struct ingest *in = t->in;
	struct rw_plan p = { .rep = RW_NONE };
	const char *s;
	size_t len, off;
	int rc, bad;

	rc = rw_table_require(t, rec, req, &bad);
	if (!rc && !bad)
		rc = plan_subject(t, rec, &p, &bad);
	if (!rc && !bad) {
		s = rw_table_cell(t, rec, PLAN_START, &len);
		rc = rw_table_date_value(t, rec, PLAN_START, s, len, &p.start, &bad);
	}
	if (!rc && !bad) {
		s = rw_table_cell(t, rec, PLAN_END, &len);
		rc = rw_table_date_value(t, rec, PLAN_END, s, len, &p.end, &bad);
	}
	if (!rc && !bad)
		rc = plan_numbers(t, rec, &p, &bad);
	if (rc || bad)
		return rc;
	if (p.end < p.start)
		return rw_table_reject_value(t, rec, PLAN_END, "end is before start");
	rw_buf_reset(&in->row);
	off = row_text(t, rec, PLAN_ID);
	if (row_error(in))
		return in->err->code;
	p.id = row_str(in, off);
	if (rw_dataset_add_plan(in->ds, &p))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	return 0;
}

/* ---- activities.csv ----------------------------------------------------- */

/*
 * Reps must all exist before the activity fold is set up, so an owner that
 * appears only in activities.csv cannot become a rep: its activities are
 * skipped and counted, with one warning per distinct owner (kept in a
 * table that grows with distinct owners, not with rows).
 */
static int unknown_act_owner(struct table *t, const struct rw_csv_rec *rec,
			     const char *s, size_t len)
{
	struct ingest *in = t->in;
	const char *k = rw_ingest_key(in, s, len, 0, 0);

	if (!k)
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	in->stats->unknown_owner_acts++;
	if (rw_index_get(&in->act_unknown, k) != RW_NONE)
		return 0;
	if (rw_ingest_index_add(in, &in->act_unknown, k, 0))
		return in->err->code;
	if (t->defer) {
		/* A second range: the join warns, unless the first did. */
		struct rw_deferred d = { .kind = RW_DEFER_OWNER, .col = ACT_OWNER,
					 .line = rec->line, .n1 = len };

		rw_buf_add(t->defer, (const char *)&d, sizeof(d));
		rw_buf_add(t->defer, s, len);
		return rw_buf_error(t->defer) ?
		       rw_err_set(in->err, RW_ENOMEM, "out of memory") : 0;
	}
	rw_ingest_warn_owner(t, rec->line, s, len);
	return 0;
}

void rw_ingest_warn_owner(struct table *t, long line, const char *s, size_t len)
{
	struct ingest *in = t->in;

	in->stats->unknown_owners++;
	if (in->owner_defer) {
		/* Printed once the read is known to stand (ingest.c). */
		rw_buf_addf(in->owner_defer, "repwatch: warning: %s:%ld: owner \"%.*s\" matches no rep in %s or %s; its activities are ignored\n",
			    t->name, line, rw_show_len(len), s, rw_input_name(RW_IN_REPS),
			    rw_input_name(RW_IN_OPPORTUNITIES));
		return;
	}
	fprintf(stderr, "repwatch: warning: %s:%ld: owner \"%.*s\" matches no rep in %s or %s; its activities are ignored\n",
		t->name, line, rw_show_len(len), s, rw_input_name(RW_IN_REPS),
		rw_input_name(RW_IN_OPPORTUNITIES));
}

/* [activity_types] first, then the built-in names. */
static enum rw_act_type act_type(const struct ingest *in, const char *s,
				 size_t len)
{
	if (in->act_map)
		for (int a = 0; a < RW_NACTS; a++)
			if (listed(in, RW_MAP_ACT, a, s, len))
				return (enum rw_act_type)a;
	return rw_parse_act_type(s, len);
}

/*
 * An activity_id seen before (in this file or another activities file):
 * the same activity again (same rep, deal, day and type) is counted once
 * and reported as a duplicate; with other content neither row can be
 * trusted over the other, so the later one is rejected.  Only a hash of
 * each id is kept: on disk during a first read, which checks nothing
 * (see read_activities in ingest.c), else in memory (struct rw_idset),
 * all of them or only those the first read saw repeated.  key is the hash
 * of the row's activity_id.  *dup is 1 when the row is not to be folded.
 */
static int act_duplicate(struct table *t, const struct rw_csv_rec *rec,
			 uint64_t key, uint32_t rep, uint32_t opp, int32_t day,
			 enum rw_act_type ty, int *dup)
{
	struct ingest *in = t->in;
	size_t olen;
	const char *other = rw_table_cell(t, rec, rep == RW_NONE ? ACT_OWNER : ACT_OPP, &olen);
	uint64_t h = RW_HASH64_INIT;
	uint32_t fp, old;
	int r;

	/* An id given by the configuration ([values.activities] activity_id)
	 * is the same on every row: no id to tell activities apart. */
	*dup = 0;
	if (!t->hm.nalt[ACT_ID])
		return 0;
	/* A first read: the id to disk; a repeat makes the read start again. */
	if (in->spill)
		return rw_idspill_add(in->spill, key) ?
		       rw_err_set(in->err, RW_ENOMEM, "out of memory or temporary file: %s",
				  strerror(errno)) : 0;
	if (in->repeats && !rw_idset_has(in->repeats, key))
		return 0;
	/* What the row says: the rep (or the unknown owner's text), the deal
	 * (or the text naming no known deal), the day and the type. */
	h = rw_hash64(h, &rep, sizeof(rep));
	h = rw_hash64(h, &opp, sizeof(opp));
	h = rw_hash64(h, &day, sizeof(day));
	h = rw_hash64(h, &ty, sizeof(ty));
	if (rep == RW_NONE || opp == RW_NONE) {
		h = rw_hash64(h, other, olen);
		if (rep == RW_NONE) {
			other = rw_table_cell(t, rec, ACT_OPP, &olen);
			h = rw_hash64(h, "\x1f", 1);
			h = rw_hash64(h, other, olen);
		}
	}
	fp = (uint32_t)rw_hash64_final(h);
	r = rw_idset_add(&in->act_ids, key, fp, &old);
	*dup = r != 0;
	if (r < 0)
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	if (r == 0)
		return 0;
	if (old == fp) {
		t->rep->duplicates++;
		in->stats->duplicate_acts++;
		return 0;
	}
	return rw_table_reject(t, rec, ACT_ID, "duplicate activity_id with different content");
}

/*
 * Activity ids are required; a repeated one is a duplicate (see
 * act_duplicate()).  Nothing else is kept per activity.
 */
static int act_row(struct table *t, const struct rw_csv_rec *rec)
{
	static const int req[] = { ACT_ID, ACT_OWNER, ACT_TYPE, ACT_DATE, -1 };
	struct ingest *in = t->in;
	uint32_t rep, opp = RW_NONE;
	enum rw_act_type ty;
	uint64_t key;
	int32_t day;
	size_t len;
	const char *s;
	int rc, bad;

	rc = rw_table_require(t, rec, req, &bad);
	if (rc || bad)
		return rc;
	/* The id's hash first: its slot loads while the row is read. */
	s = rw_table_cell(t, rec, ACT_ID, &len);
	key = rw_hash64_final(rw_hash64(RW_HASH64_INIT, s, len));
	if (!in->spill && !in->repeats)
		rw_idset_prefetch(&in->act_ids, key);
	s = rw_table_cell(t, rec, ACT_DATE, &len);
	rc = rw_table_date_value(t, rec, ACT_DATE, s, len, &day, &bad);
	if (rc || bad)
		return rc;
	s = rw_table_cell(t, rec, ACT_OPP, &len);
	if (len) {
		opp = rw_ingest_opp_of(in, s, len);
		in->stats->unknown_opps += opp == RW_NONE;
	}
	s = rw_table_cell(t, rec, ACT_OWNER, &len);
	rc = rw_ingest_resolve_owner(in, s, len, &rep);
	if (rc)
		return rc;
	s = rw_table_cell(t, rec, ACT_TYPE, &len);
	ty = act_type(in, s, len);
	rc = act_duplicate(t, rec, key, rep, opp, day, ty, &bad);
	if (rc || bad)
		return rc;
	s = rw_table_cell(t, rec, ACT_OWNER, &len);
	if (rep == RW_NONE)
		return unknown_act_owner(t, rec, s, len);
	if (day > in->ds->settings.as_of)
		in->stats->after_as_of++;
	rw_dataset_add_activity(in->ds, rep, opp, day, ty);
	if (in->opts->on_activity)
		in->opts->on_activity(in->opts->on_activity_arg, rep, opp, day, ty);
	return 0;
}

/* ---- The row function of each input ------------------------------------ */

int (*const rw_row_fns[RW_NINPUTS])(struct table *,
				    const struct rw_csv_rec *) = {
	[RW_IN_REPS] = rep_row,
	[RW_IN_OPPORTUNITIES] = opp_row,
	[RW_IN_TARGETS] = target_row,
	[RW_IN_ACTIVITIES] = act_row,
	[RW_IN_STAGE_HISTORY] = stage_row,
	[RW_IN_PLANS] = plan_row,
};

