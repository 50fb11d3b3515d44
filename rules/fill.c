/*
 * fill.c - the rp table: one row per rep and period of the grains the
 * rules judge, holding what a `when` can read (SPEC section 5).  Only the
 * periods a rule can look at are loaded: the partial one and the last
 * `for` complete ones, so the table stays small whatever the history.
 */
#include "rules_int.h"

#include <math.h>
#include <string.h>

static int bind_num(sqlite3_stmt *stmt, int i, double v)
{
	if (!isfinite(v))
		return sqlite3_bind_null(stmt, i);
	return sqlite3_bind_double(stmt, i, v);
}

/* 1 when rep r has a plan goal whose start..end holds day. */
static int rep_on_plan(const struct rw_dataset *ds, uint32_t r, int32_t day)
{
	for (size_t i = 0; i < ds->nplans; i++)
		if (ds->plans[i].rep == r && ds->plans[i].start <= day &&
		    day <= ds->plans[i].end)
			return 1;
	return 0;
}

/* The value of rp column `col` for rep r in period k of grain g. */
static double col_value(const struct rw_dataset *ds, const struct rw_results *res,
			int col, uint32_t r, enum rw_grain g, int k, int32_t day)
{
	const struct rw_trend *t;
	const struct rw_baseline *b;
	int m;
	enum rp_kind kind = rp_col_kind(col, &m);

	switch (kind) {
	case RP_VALUE:
		return rw_results_value(res, r, g, k, (enum rw_metric)m);
	case RP_Z:
		return rw_results_z(res, r, g, k, (enum rw_metric)m);
	case RP_PCT:
		return rw_results_pct(res, r, g, k, (enum rw_metric)m);
	case RP_SLOPE:
	case RP_SLOPE_P:
	case RP_CHANGE:
	case RP_SLOPE_Q:
		t = rw_results_trend(res, r, g, (enum rw_metric)m);
		if (!t || t->n < 3)
			return NAN;
		return kind == RP_SLOPE ? t->slope : kind == RP_SLOPE_P ? t->slope_p :
		       kind == RP_SLOPE_Q ? t->slope_q : t->change;
	case RP_CP_SIZE:
	case RP_CP_Q:
	case RP_CP_CHANGE:
		/* The shift over the whole kept history (NULL when none is
		 * significant): a step down months ago that a six-point slope
		 * cannot see. */
		t = rw_results_trend(res, r, g, (enum rw_metric)m);
		if (!t || t->cp_period == RW_NODAY)
			return NAN;
		return kind == RP_CP_SIZE ? t->cp_size : kind == RP_CP_Q ? t->cp_q : t->cp_change;
	case RP_SHIFT_CHANGE:
	case RP_SHIFT_P:
		/* At the rep's behaviour shift (engine/shift.c). */
		t = rw_results_trend(res, r, g, (enum rw_metric)m);
		if (!t)
			return NAN;
		return kind == RP_SHIFT_CHANGE ? t->shift_change : t->shift_p;
	case RP_TEAM_MEDIAN:
		b = rw_results_baseline(res, rw_results_rep_team(res, r), g, k, (enum rw_metric)m);
		return b && b->n > 0 ? b->median : NAN;
	case RP_TENURE:
		if (ds->reps[r].hire_day == RW_NODAY)
			return NAN;
		return (double)day - (double)ds->reps[r].hire_day;
	case RP_ON_PLAN:
		return rep_on_plan(ds, r, day);
	case RP_ELIGIBLE:
		return rw_results_eligible(res, r, g, k);
	default:
		return NAN;
	}
}

/* Evaluation day of period k: its last day, or as_of for the partial one. */
static int32_t eval_day(const struct rw_dataset *ds, const struct rw_results *res,
			enum rw_grain g, int k)
{
	int n = rw_results_period_count(res, g);
	int32_t p = rw_results_first_period(res, g) + k;

	if (k == n - 1)
		return ds->settings.as_of;
	return rw_period_end(g, p, ds->settings.fiscal_start) - 1;
}

/*
 * The value columns some rule reads, into cols[0..*n): those its `when`
 * reads (rw_rule.reads, from the authorizer) and those its message names
 * (render() in eval.c); nothing else reads rp.  The others stay NULL: a
 * row has hundreds of columns and a rule set reads a few dozen, so
 * binding them all was most of the time a night spent on the rules.
 */
static void cols_used(const struct rw_rules *rs, int *cols, int *n)
{
	unsigned char used[RP_NCOLS];

	memset(used, 0, sizeof(used));
	for (size_t i = 0; i < rs->n; i++) {
		const struct rw_rule *ru = &rs->rules[i];
		const char *p = ru->message, *open, *close;

		for (int c = RP_NKEYS; c < RP_NCOLS; c++)
			used[c] |= ru->reads[c];
		while (p && (open = strchr(p, '{')) && (close = strchr(open, '}'))) {
			int pct, c = rp_msg_field(open, close, &pct);

			if (c >= RP_NKEYS)
				used[c] = 1;
			p = close + 1;
		}
	}
	*n = 0;
	for (int c = RP_NKEYS; c < RP_NCOLS; c++)
		if (used[c])
			cols[(*n)++] = c;
}

static int fill_row(struct rw_rules *rs, const struct rw_dataset *ds,
		    const struct rw_results *res, uint32_t r, enum rw_grain g,
		    int k, int complete, int32_t day, const int *cols, int ncols)
{
	sqlite3_stmt *st = rs->insert;

	if (sqlite3_bind_int64(st, 1, r) || sqlite3_bind_int(st, 2, g) ||
	    sqlite3_bind_int(st, 3, k) || sqlite3_bind_int(st, 4, complete))
		return -1;
	for (int i = 0; i < ncols; i++)
		if (bind_num(st, cols[i] + 1, col_value(ds, res, cols[i], r, g, k, day)))
			return -1;
	if (sqlite3_step(st) != SQLITE_DONE)
		return -1;
	return sqlite3_reset(st) != SQLITE_OK;
}

/* Oldest period of grain g a rule looks at; n when no rule uses g. */
static int first_needed(const struct rw_rules *rs, enum rw_grain g, int n)
{
	int lo = n;

	for (size_t i = 0; i < rs->n; i++) {
		const struct rw_rule *ru = &rs->rules[i];
		int k;

		if (ru->grain != (int)g)
			continue;
		k = ru->partial ? n - ru->for_n : n - 1 - ru->for_n;
		if (k < lo)
			lo = k;
	}
	return lo < 0 ? 0 : lo;
}

int rules_fill(struct rw_rules *rs, const struct rw_dataset *ds,
	       const struct rw_results *res, struct rw_err *err)
{
	int cols[RP_NCOLS], ncols, rc = 0;

	cols_used(rs, cols, &ncols);
	/* Every column no rule reads: NULL. */
	sqlite3_clear_bindings(rs->insert);
	if (sqlite3_exec(rs->db, "DELETE FROM rp; BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return rw_err_set(err, RW_EDB, "rules: cannot clear the rule table: %s", sqlite3_errmsg(rs->db));
	for (int g = 0; g < RW_NGRAINS && !rc; g++) {
		int n = rw_results_period_count(res, (enum rw_grain)g);

		for (int k = first_needed(rs, (enum rw_grain)g, n); k < n && !rc; k++) {
			int32_t day = eval_day(ds, res, (enum rw_grain)g, k);

			for (uint32_t r = 0; r < ds->nreps; r++) {
				if (fill_row(rs, ds, res, r, (enum rw_grain)g, k, k < n - 1,
					     day, cols, ncols)) {
					rc = rw_err_set(err, RW_EDB, "rules: cannot fill the rule table: %s", sqlite3_errmsg(rs->db));
					sqlite3_reset(rs->insert);
					break;
				}
			}
		}
	}
	if (sqlite3_exec(rs->db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL) != SQLITE_OK && !rc)
		rc = rw_err_set(err, RW_EDB, "rules: cannot fill the rule table: %s", sqlite3_errmsg(rs->db));
	return rc;
}
