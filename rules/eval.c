/*
 * eval.c - run the compiled rules over rp and turn what holds into flags
 * (SPEC section 5).
 *
 * A rule holds for a rep when its `when` is true in each of the last `for`
 * complete periods of its grain (or in the partial period, period =
 * partial).  Then, per rep:
 *   - departed reps and unassigned owners get no flag; a rule other than
 *     recognition holds only over periods the engine calls eligible
 *     (wholly out of ramp, employed), so a new hire is judged on its
 *     first complete post-ramp periods and never on a ramp month;
 *   - a leading rule never flags alone: it is a cause;
 *   - a flag whose metrics the rep's team shifted on together, with the
 *     rep moving with the team, is folded into the team's finding (the
 *     engine's one definition), which is notified once to the manager;
 *   - a lagging rule becomes a `pip_candidate` when at least one leading
 *     rule holds too (and is not itself the team's) and the rep is on no
 *     plan, else an `early_warning` (on a plan, or no cause);
 *   - any other rule flags with its own category.
 */
#include "rules_int.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Per rep, what the run found: which rules hold. */
struct eval {
	struct rw_rules *rs;
	const struct rw_rules_opts *o;
	const struct rw_dataset *ds;
	const struct rw_results *res;
	unsigned char *holds;		/* [rule * nreps + rep] */
	struct rw_rules_out *out;
	size_t cap;
};

/* Index of the period a rule judges (-1: not enough periods). */
static int rule_k(const struct rw_rule *ru, const struct rw_results *res)
{
	int n = rw_results_period_count(res, (enum rw_grain)ru->grain);

	return ru->partial ? n - 1 : n - 2;
}

static int rule_run(struct eval *ev, size_t i, struct rw_err *err)
{
	struct rw_rule *ru = &ev->rs->rules[i];
	unsigned char *h = ev->holds + i * ev->ds->nreps;
	int kt = rule_k(ru, ev->res), klo = kt - ru->for_n + 1, rc;

	/* A partial-period rule with for = N also needs the N - 1 complete
	 * periods before it. */

	if (klo < 0)
		return 0;
	/* On the last day of a period the projection is the actual: the
	 * complete-period rules judge it from tomorrow on, so a partial-period
	 * rule says nothing tonight (never two alerts for one shortfall). */
	if (ru->partial && ev->ds->settings.as_of ==
	    rw_period_end((enum rw_grain)ru->grain,
			  rw_results_first_period(ev->res, (enum rw_grain)ru->grain) + kt,
			  ev->ds->settings.fiscal_start) - 1)
		return 0;
	if (sqlite3_bind_int(ru->stmt, 1, ru->grain) ||
	    sqlite3_bind_int(ru->stmt, 2, klo) || sqlite3_bind_int(ru->stmt, 3, kt))
		return rw_err_set(err, RW_EDB, "rule %s: %s", ru->name, sqlite3_errmsg(ev->rs->db));
	rules_budget_start(ev->rs);
	while ((rc = sqlite3_step(ru->stmt)) == SQLITE_ROW) {
		sqlite3_int64 r = sqlite3_column_int64(ru->stmt, 0);

		if (r >= 0 && (size_t)r < ev->ds->nreps && h[r] < 255)
			h[r]++;
	}
	if (rc != SQLITE_DONE)
		rc = rules_budget_error(ev->rs, ru, err);
	sqlite3_progress_handler(ev->rs->db, 0, NULL, NULL);
	sqlite3_reset(ru->stmt);
	if (rc != SQLITE_DONE)
		return rc;
	for (size_t r = 0; r < ev->ds->nreps; r++) {
		h[r] = h[r] == ru->for_n;
		/* SPEC section 5: a rep is judged only on periods spent wholly
		 * out of ramp and employed (the engine's one eligibility), so
		 * for = N needs N such periods; praise needs no such care. */
		for (int k = klo; h[r] && k <= kt && ru->category != RW_CAT_RECOGNITION; k++)
			if (!rw_results_eligible(ev->res, (uint32_t)r, (enum rw_grain)ru->grain, k))
				h[r] = 0;
	}
	return 0;
}

/* ---- Values of the judged row ------------------------------------------ */

/* Step rs->row onto (grain, k, rep); 1 when the row exists. */
static int row_load(struct rw_rules *rs, int g, int k, uint32_t r)
{
	sqlite3_reset(rs->row);
	if (sqlite3_bind_int(rs->row, 1, g) || sqlite3_bind_int(rs->row, 2, k) ||
	    sqlite3_bind_int64(rs->row, 3, r))
		return 0;
	return sqlite3_step(rs->row) == SQLITE_ROW;
}

static double row_num(struct rw_rules *rs, int col)
{
	if (sqlite3_column_type(rs->row, col) == SQLITE_NULL)
		return NAN;
	return sqlite3_column_double(rs->row, col);
}

static void fmt_num(struct rw_buf *b, double v, int pct)
{
	if (!isfinite(v))
		rw_buf_adds(b, "n/a");
	else if (pct)
		rw_buf_addf(b, "%.0f%%", v * 100);
	else if (v == floor(v) || fabs(v) >= 100)
		rw_buf_addf(b, "%.0f", v);
	else
		rw_buf_addf(b, "%.2f", v);
}

/* Render ru's message on the loaded row into b. */
static void render(struct rw_rules *rs, const struct rw_rule *ru, struct rw_buf *b)
{
	const char *p = ru->message ? ru->message : ru->name, *open, *close;

	while ((open = strchr(p, '{')) && (close = strchr(open, '}'))) {
		int pct, col = rp_msg_field(open, close, &pct);

		rw_buf_add(b, p, (size_t)(open - p));
		if (col == RP_MSG_FOR)
			rw_buf_addf(b, "%d", ru->for_n);
		else
			fmt_num(b, col >= 0 ? row_num(rs, col) : NAN, pct);
		p = close + 1;
	}
	rw_buf_adds(b, p);
}

static json_t *json_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* Dump j (consumed) into a string of rw_malloc; NULL on failure. */
static char *json_take(json_t *j)
{
	char *s, *copy = NULL;

	if (!j)
		return NULL;
	s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (s) {
		copy = rules_strdup(s);
		free(s);
	}
	return copy;
}

/* {"column": value, ...} of what ru reads, from the loaded row. */
static json_t *values_json(struct rw_rules *rs, const struct rw_rule *ru)
{
	json_t *o = json_object();
	char name[64];

	for (int c = RP_NKEYS; o && c < RP_NCOLS; c++) {
		if (!ru->reads[c])
			continue;
		rp_col_name(c, name, sizeof(name));
		if (json_object_set_new(o, name, json_num(row_num(rs, c)))) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* ---- Team findings ----------------------------------------------------- */

/* The metrics a rule judges, as a bit set over enum rw_metric: those it
 * reads, quota aside. */
static uint64_t rule_metrics(const struct rw_rule *ru)
{
	return rp_rule_metrics(ru) & ~((uint64_t)1 << RW_M_QUOTA);
}

/*
 * The metrics (by their own metric, rw_metric_of) that ru only ever
 * judges against the rep's team: it reads their team companion (team
 * median, _z, _pct) and no change of them (slope, change, change point,
 * shift).  Such a rule compares the rep with its team in the same period,
 * so a shift the whole team made is already in the comparison: a rep
 * flagged by it is low against a team that shifted with it.
 */
static uint64_t team_relative(const struct rw_rule *ru)
{
	uint64_t rel = 0, chg = 0;
	int m;

	for (int c = RP_NKEYS; c < RP_NCOLS; c++) {
		enum rp_kind k;

		if (!ru->reads[c])
			continue;
		k = rp_col_kind(c, &m);
		if (m < 0)
			continue;
		if (k == RP_Z || k == RP_PCT || k == RP_TEAM_MEDIAN)
			rel |= (uint64_t)1 << rw_metric_of((enum rw_metric)m);
		else if (k != RP_VALUE)
			chg |= (uint64_t)1 << rw_metric_of((enum rw_metric)m);
	}
	return rel & ~chg;
}

/*
 * SPEC section 5: a rule's flag on rep r belongs to a team finding (the
 * engine's one definition, engine/team.c) when some metric it reads (or,
 * for revenue and attainment, one of their drivers: deals created, win
 * rate, deal size) is one the rep's team shifted on and the rep moved
 * with the team, and none is one where the rep fell beyond the team.
 * Metrics the rule judges only against the team (team_relative) are left
 * out: the team's shift cannot explain a rep being low within it.
 */
static int folded_into_team(const struct eval *ev, const struct rw_rule *ru,
			    uint32_t r)
{
	uint64_t set = rule_metrics(ru), judged = 0, rel = team_relative(ru);
	size_t team = rw_results_rep_team(ev->res, r);
	int with = 0;

	for (int m = 0; m < RW_NMETRICS; m++)
		if (set >> m & 1 && !(rel >> rw_metric_of((enum rw_metric)m) & 1))
			judged |= rw_metric_team_covers((enum rw_metric)m);
	for (int m = 0; m < RW_NMETRICS; m++) {
		if (!(judged >> m & 1) ||
		    rw_results_finding_find(ev->res, team, (enum rw_metric)m) < 0)
			continue;
		if (!rw_results_moved_with_team(ev->res, ev->ds, r, (enum rw_metric)m))
			return 0;
		with = 1;
	}
	return with;
}

/* ---- Evidence ----------------------------------------------------------- */

static json_t *metric_json(const struct eval *ev, const struct rw_rule *ru,
			   uint32_t r, int m, int k)
{
	enum rw_grain g = (enum rw_grain)ru->grain;
	const struct rw_trend *t = rw_results_trend(ev->res, r, g, (enum rw_metric)m);
	const struct rw_baseline *b = rw_results_baseline(ev->res, rw_results_rep_team(ev->res, r), g, k, (enum rw_metric)m);
	char since[32];
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (t && t->cp_period != RW_NODAY)
		rw_period_label(g, t->cp_period, ev->ds->settings.fiscal_start, since, sizeof(since));
	if (json_object_set_new(o, "metric", json_string(rw_metric_name((enum rw_metric)m))) ||
	    json_object_set_new(o, "value", json_num(rw_results_value(ev->res, r, g, k, (enum rw_metric)m))) ||
	    json_object_set_new(o, "team_median", json_num(b && b->n > 0 ? b->median : NAN)) ||
	    json_object_set_new(o, "slope", json_num(t && t->n >= 3 ? t->slope : NAN)) ||
	    json_object_set_new(o, "slope_p", json_num(t && t->n >= 3 ? t->slope_p : NAN)) ||
	    json_object_set_new(o, "change", json_num(t && t->n >= 3 ? t->change : NAN)) ||
	    json_object_set_new(o, "since", t && t->cp_period != RW_NODAY ? json_string(since) : json_null())) {
		json_decref(o);
		return NULL;
	}
	if (t && isfinite(t->shift_p) &&
	    (json_object_set_new(o, "shift_change", json_num(t->shift_change)) ||
	     json_object_set_new(o, "shift_p", json_num(t->shift_p)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Does ru read a column of kind k of any metric? */
static int reads_kind(const struct rw_rule *ru, enum rp_kind k)
{
	int m;

	for (int c = 0; c < RP_NCOLS; c++)
		if (ru->reads[c] && rp_col_kind(c, &m) == k)
			return 1;
	return 0;
}

/* {"metric", "since"} of rep r's behaviour shift at grain g, or null. */
static json_t *shift_json(const struct eval *ev, uint32_t r, enum rw_grain g)
{
	enum rw_metric m;
	int32_t at = rw_results_shift(ev->res, r, g, &m);
	char since[32];

	if (at == RW_NODAY)
		return json_null();
	rw_period_label(g, at, ev->ds->settings.fiscal_start, since, sizeof(since));
	return json_pack("{s:s, s:s}", "metric", rw_metric_name(m), "since", since);
}

/* {"rule", "grain", "period", "metrics": [...]} of ru for rep r. */
static json_t *rule_json(const struct eval *ev, const struct rw_rule *ru, uint32_t r)
{
	uint64_t set = rule_metrics(ru);
	int k = rule_k(ru, ev->res);
	json_t *o = json_object(), *a = json_array();
	char period[32];

	if (!o || !a)
		goto fail;
	rw_period_label((enum rw_grain)ru->grain,
			rw_results_first_period(ev->res, (enum rw_grain)ru->grain) + k,
			ev->ds->settings.fiscal_start, period, sizeof(period));
	for (int m = 0; m < RW_NMETRICS; m++)
		if ((set >> m & 1) && json_array_append_new(a, metric_json(ev, ru, r, m, k)))
			goto fail;
	if (json_object_set_new(o, "rule", json_string(ru->name)) ||
	    json_object_set_new(o, "grain", json_string(rw_grain_name((enum rw_grain)ru->grain))) ||
	    json_object_set_new(o, "period", json_string(period)) ||
	    json_object_set_new(o, "metrics", a))
		goto fail_o;
	if ((reads_kind(ru, RP_SHIFT_CHANGE) || reads_kind(ru, RP_SHIFT_P)) &&
	    json_object_set_new(o, "shift", shift_json(ev, r, (enum rw_grain)ru->grain)))
		goto fail_o;
	return o;
fail:
	json_decref(a);
fail_o:
	json_decref(o);
	return NULL;
}

/* ---- Flags -------------------------------------------------------------- */

static struct rw_flag *flag_add(struct eval *ev)
{
	struct rw_rules_out *out = ev->out;

	if (out->nflags == ev->cap) {
		size_t cap = ev->cap ? 2 * ev->cap : 32;
		struct rw_flag *p = rw_reallocarray(out->flags, cap, sizeof(*p));

		if (!p)
			return NULL;
		out->flags = p;
		ev->cap = cap;
	}
	memset(&out->flags[out->nflags], 0, sizeof(struct rw_flag));
	return &out->flags[out->nflags++];
}

/* Append "; " and the rendered message of each leading rule holding. */
static int causes_add(struct eval *ev, uint32_t r, struct rw_buf *msg, json_t *ev_json)
{
	json_t *causes = json_array();

	if (!causes)
		return -1;
	rw_buf_adds(msg, "; causes:");
	for (size_t i = 0, first = 1; i < ev->rs->n; i++) {
		struct rw_rule *c = &ev->rs->rules[i];

		if (c->role != RW_ROLE_LEADING || !ev->holds[i * ev->ds->nreps + r] ||
		    folded_into_team(ev, c, r))
			continue;
		rw_buf_adds(msg, first ? " " : "; ");
		first = 0;
		if (row_load(ev->rs, c->grain, rule_k(c, ev->res), r))
			render(ev->rs, c, msg);
		if (json_array_append_new(causes, rule_json(ev, c, r))) {
			json_decref(causes);
			return -1;
		}
	}
	return json_object_set_new(ev_json, "causes", causes);
}

static int has_cause(const struct eval *ev, uint32_t r)
{
	for (size_t i = 0; i < ev->rs->n; i++)
		if (ev->rs->rules[i].role == RW_ROLE_LEADING &&
		    ev->holds[i * ev->ds->nreps + r] &&
		    !folded_into_team(ev, &ev->rs->rules[i], r))
			return 1;
	return 0;
}

static enum rw_severity at_most_warning(int s)
{
	return s > RW_SEV_WARNING ? RW_SEV_WARNING : (enum rw_severity)s;
}

/* Category, severity and message suffix of lagging rule ru for rep r. */
static void lagging_class(const struct eval *ev, const struct rw_rule *ru,
			  uint32_t r, int on_plan, struct rw_flag *f,
			  struct rw_buf *msg)
{
	if (on_plan) {
		f->category = RW_CAT_EARLY;
		f->severity = at_most_warning(ru->severity);
		rw_buf_adds(msg, " (already on an improvement plan)");
	} else if (has_cause(ev, r)) {
		f->category = RW_CAT_PIP;
		f->severity = (enum rw_severity)ru->severity;
	} else {
		f->category = RW_CAT_EARLY;
		f->severity = at_most_warning(ru->severity);
		rw_buf_adds(msg, " (no leading cause found)");
	}
}

static int flag_make(struct eval *ev, const struct rw_rule *ru, uint32_t r,
		     int on_plan, struct rw_err *err)
{
	struct rw_flag *f = flag_add(ev);
	int k = rule_k(ru, ev->res);
	struct rw_buf msg;
	json_t *evj;

	if (!f)
		return rw_err_set(err, RW_ENOMEM, "out of memory evaluating rule %s", ru->name);
	f->rep = r;
	f->rule = ru->name;
	f->grain = (enum rw_grain)ru->grain;
	f->category = (enum rw_category)ru->category;
	f->severity = (enum rw_severity)ru->severity;
	rw_period_label(f->grain, rw_results_first_period(ev->res, f->grain) + k,
			ev->ds->settings.fiscal_start, f->period, sizeof(f->period));
	rw_buf_init(&msg, 0);
	if (row_load(ev->rs, ru->grain, k, r)) {
		render(ev->rs, ru, &msg);
		f->values = json_take(values_json(ev->rs, ru));
	}
	evj = rule_json(ev, ru, r);
	if (ru->role == RW_ROLE_LAGGING)
		lagging_class(ev, ru, r, on_plan, f, &msg);
	if (evj && f->category == RW_CAT_PIP && causes_add(ev, r, &msg, evj)) {
		json_decref(evj);
		evj = NULL;
	}
	f->evidence = json_take(evj);
	f->message = rw_buf_detach(&msg, NULL);
	rw_buf_release(&msg);
	if (!f->message || !f->evidence || !f->values)
		return rw_err_set(err, RW_ENOMEM, "out of memory evaluating rule %s", ru->name);
	ev->out->per_category[f->category]++;
	return 0;
}

static int rep_flags(struct eval *ev, uint32_t r, struct rw_err *err)
{
	const struct rw_rep *rep = &ev->ds->reps[r];
	int32_t as_of = ev->ds->settings.as_of;
	int on_plan = 0, rc = 0;

	if (rep->unassigned || (rep->end_day != RW_NODAY && rep->end_day < as_of))
		return 0;
	for (size_t i = 0; i < ev->ds->nplans; i++)
		if (ev->ds->plans[i].rep == r && ev->ds->plans[i].start <= as_of &&
		    as_of <= ev->ds->plans[i].end)
			on_plan = 1;
	for (size_t i = 0; i < ev->rs->n && !rc; i++) {
		const struct rw_rule *ru = &ev->rs->rules[i];

		if (!ev->holds[i * ev->ds->nreps + r] ||
		    (ru->role == RW_ROLE_LEADING && !ev->o->leading_flags))
			continue;
		/* Folded into the team's finding, which goes out once. */
		if (ru->category != RW_CAT_RECOGNITION && folded_into_team(ev, ru, r)) {
			ev->out->folded++;
			continue;
		}
		rc = flag_make(ev, ru, r, on_plan, err);
	}
	return rc;
}

/* ---- Team findings' notifications -------------------------------------- */

/* The manager named by most of team t's reps (ties: the first). */
static const char *team_manager(const struct eval *ev, size_t t)
{
	const char *best = NULL;
	size_t best_n = 0;

	for (uint32_t r = 0; r < ev->ds->nreps; r++) {
		const char *m = ev->ds->reps[r].manager;
		size_t n = 0;

		if (!m || rw_results_rep_team(ev->res, r) != t)
			continue;
		for (uint32_t s = 0; s < ev->ds->nreps; s++)
			n += ev->ds->reps[s].manager && rw_results_rep_team(ev->res, s) == t &&
			     !strcmp(ev->ds->reps[s].manager, m);
		if (n > best_n) {
			best = m;
			best_n = n;
		}
	}
	return best;
}

/* The row of finding i for the team_findings table. */
static struct rw_team_flag *team_row(struct eval *ev, size_t i, struct rw_err *err)
{
	const struct rw_team_finding *f = rw_results_finding(ev->res, i);
	struct rw_rules_out *out = ev->out;
	struct rw_team_flag *tf, *p;

	p = rw_reallocarray(out->teams, out->nteams + 1, sizeof(*p));
	if (!p) {
		rw_err_set(err, RW_ENOMEM, "out of memory notifying team findings");
		return NULL;
	}
	out->teams = p;
	tf = &out->teams[out->nteams++];
	memset(tf, 0, sizeof(*tf));
	tf->finding = i;
	tf->team = rw_results_team_name(ev->res, f->team);
	tf->manager = team_manager(ev, f->team);
	tf->metric = rw_metric_name(f->metric);
	tf->grain = rw_grain_name(f->grain);
	tf->change = f->change;
	tf->p = f->p;
	tf->reps = f->reps;
	tf->reps_down = f->reps_down;
	tf->severity = RW_SEV_WARNING;
	rw_period_label(f->grain, f->since, ev->ds->settings.fiscal_start,
			tf->since, sizeof(tf->since));
	return tf;
}

/*
 * One row per finding, and one notification per team (SPEC section 5:
 * notified once to the manager): the team's first row carries the
 * message and values of all its findings.  The engine lists a team's
 * findings one after another.
 */
static int team_flags_make(struct eval *ev, struct rw_err *err)
{
	size_t n = rw_results_finding_count(ev->res), i = 0;

	while (i < n) {
		size_t t = rw_results_finding(ev->res, i)->team, first = ev->out->nteams, j;
		const char *team = rw_results_team_name(ev->res, t);
		struct rw_team_flag *head;
		struct rw_buf b;
		json_t *v = json_object();

		if (!rw_in_shard(&ev->ds->settings, team)) {
			json_decref(v);
			while (i < n && rw_results_finding(ev->res, i)->team == t)
				i++;
			continue;
		}
		rw_buf_init(&b, 0);
		rw_buf_addf(&b, "Team %s shifted together:", team);
		for (j = i; j < n && rw_results_finding(ev->res, j)->team == t; j++) {
			struct rw_team_flag *tf = team_row(ev, j, err);
			json_t *m;

			if (!tf) {
				json_decref(v);
				rw_buf_release(&b);
				return err->code;
			}
			rw_buf_addf(&b, "%s %s %+.0f%% since %s (%d of %d reps)", j > i ? ";" : "",
				    tf->metric, 100 * tf->change, tf->since, tf->reps_down, tf->reps);
			m = json_pack("{s:s, s:o, s:o, s:i, s:i}", "since", tf->since,
				      "change", json_num(tf->change), "p", json_num(tf->p),
				      "reps", tf->reps, "reps_down", tf->reps_down);
			if (!v || !m || json_object_set_new(v, tf->metric, m)) {
				json_decref(v);
				v = NULL;
			}
		}
		head = &ev->out->teams[first];
		rw_buf_addf(&b, " - a team-wide matter for %s, not a personal one",
			    head->manager ? head->manager : "the team's manager");
		head->notify = 1;
		head->key = rules_strdup(team);
		head->message = rw_buf_detach(&b, NULL);
		rw_buf_release(&b);
		head->values = json_take(v);
		if (!head->key || !head->message || !head->values)
			return rw_err_set(err, RW_ENOMEM, "out of memory notifying team findings");
		i = j;
	}
	return 0;
}

/* A `regression` flag for each plan goal that fell back below its baseline
 * within three months after the plan ended (SPEC section 5). */
static int regression_flag(struct eval *ev, const struct rw_plan_score *sc,
			   struct rw_err *err)
{
	const struct rw_plan *p = &ev->ds->plans[sc->plan];
	const struct rw_rep *rep = &ev->ds->reps[p->rep];
	struct rw_flag *f;
	struct rw_buf msg;
	char end[16];
	json_t *evj, *vals;

	if (rep->end_day != RW_NODAY && rep->end_day < ev->ds->settings.as_of)
		return 0;
	f = flag_add(ev);
	if (!f)
		return rw_err_set(err, RW_ENOMEM, "out of memory flagging plan %s", p->id);
	f->rep = p->rep;
	f->rule = "regression";
	f->category = RW_CAT_EARLY;
	f->severity = RW_SEV_WARNING;
	f->grain = RW_MONTH;
	rw_period_label(RW_MONTH, rw_period_of(RW_MONTH, ev->ds->settings.as_of, ev->ds->settings.fiscal_start),
			ev->ds->settings.fiscal_start, f->period, sizeof(f->period));
	rw_day_format(p->end, end, sizeof(end));
	rw_buf_init(&msg, 0);
	rw_buf_addf(&msg, "Plan %s ended %s: %s fell back to ", p->id, end, p->metric);
	fmt_num(&msg, sc->after, 0);
	rw_buf_adds(&msg, ", past its baseline ");
	fmt_num(&msg, sc->baseline, 0);
	f->message = rw_buf_detach(&msg, NULL);
	rw_buf_release(&msg);
	evj = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "plan_id", p->id,
			"metric", p->metric, "end", end, "baseline", json_num(sc->baseline),
			"target", json_num(sc->target), "after", json_num(sc->after));
	vals = json_object();
	if (vals && json_object_set_new(vals, p->metric, json_num(sc->after))) {
		json_decref(vals);
		vals = NULL;
	}
	f->evidence = json_take(evj);
	f->values = json_take(vals);
	if (!f->message || !f->evidence || !f->values)
		return rw_err_set(err, RW_ENOMEM, "out of memory flagging plan %s", p->id);
	ev->out->per_category[f->category]++;
	return 0;
}

void rw_rules_out_free(struct rw_rules_out *out)
{
	if (!out)
		return;
	for (size_t i = 0; i < out->nflags; i++) {
		rw_free(out->flags[i].message);
		rw_free(out->flags[i].evidence);
		rw_free(out->flags[i].values);
	}
	rw_free(out->flags);
	for (size_t i = 0; i < out->nteams; i++) {
		rw_free(out->teams[i].key);
		rw_free(out->teams[i].message);
		rw_free(out->teams[i].values);
	}
	rw_free(out->teams);
	rw_free(out->plans);
	rw_free(out);
}

int rw_rules_evaluate(struct rw_rules *rs, const struct rw_rules_opts *o,
		      const struct rw_dataset *ds, const struct rw_results *res,
		      struct rw_rules_out **out, struct rw_err *err)
{
	struct eval ev = { .rs = rs, .o = o, .ds = ds, .res = res };
	int rc;

	if (!rs->compiled)
		return rw_err_set(err, RW_EINTERNAL, "rules evaluated before they were compiled");
	ev.out = rw_calloc(1, sizeof(*ev.out));
	ev.holds = rw_calloc(rs->n * ds->nreps + 1, 1);
	if (!ev.out || !ev.holds) {
		rc = rw_err_set(err, RW_ENOMEM, "out of memory evaluating rules");
		goto out;
	}
	rc = rules_fill(rs, ds, res, err);
	for (size_t i = 0; i < rs->n && !rc; i++)
		rc = rule_run(&ev, i, err);
	for (uint32_t r = 0; r < ds->nreps && !rc; r++)
		rc = rep_flags(&ev, r, err);
	if (!rc)
		rc = team_flags_make(&ev, err);
	if (!rc)
		rc = rules_score_plans(ds, res, ev.out, err);
	for (size_t i = 0; !rc && i < ev.out->nplans; i++)
		if (ev.out->plans[i].regression)
			rc = regression_flag(&ev, &ev.out->plans[i], err);
out:
	sqlite3_reset(rs->row);
	rw_free(ev.holds);
	if (rc) {
		rw_rules_out_free(ev.out);
		return rc;
	}
	*out = ev.out;
	return 0;
}
