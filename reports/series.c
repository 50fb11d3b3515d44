/*
 * series.c - the history behind charts, JSON and assessments: each rep's
 * key metrics over the complete periods, the team's median and quartile
 * band from team_baselines, the run's flags, and the judgements every
 * format shares (significant decline, team-wide change).
 */
#include "reports_int.h"

#include <math.h>
#include <string.h>

int rw_rseries_team(const struct rw_rseries *s, const char *team)
{
	for (size_t i = 0; i < s->nteams; i++)
		if (!strcmp(s->teams[i], team))
			return (int)i;
	return -1;
}

static int period_index(const struct rw_rseries *s, const char *label)
{
	for (int i = 0; i < s->np; i++)
		if (!strcmp(s->labels[i], label))
			return i;
	return -1;
}

/* Index of a rep id in d->reps (a linear search: reports show at most a
 * few thousand reps, and this runs once per row read). */
static long rep_index(const struct rw_report_data *d, const char *id)
{
	for (size_t i = 0; i < d->nreps; i++)
		if (!strcmp(d->reps[i].id, id))
			return (long)i;
	return -1;
}

static int load_labels(sqlite3 *db, const struct rw_report_data *d,
		       struct rw_rseries *s, struct rw_err *err)
{
	static const char sql[] =
		"SELECT DISTINCT period, period_start FROM rep_metrics"
		" WHERE grain = ?1 AND partial = 0 AND period_start <= ?2"
		" ORDER BY period_start DESC LIMIT ?3";
	sqlite3_stmt *st;
	int rc, n = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return rw_db_fail(db, NULL, "cannot read rep_metrics", err);
	if (sqlite3_bind_text(st, 1, d->grain, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, d->period_start, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int(st, 3, RW_MAXP) != SQLITE_OK) {
		sqlite3_finalize(st);
		return rw_db_fail(db, NULL, "cannot read rep_metrics", err);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < RW_MAXP) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		snprintf(s->labels[n++], 32, "%s", t ? (const char *)t : "");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return rw_db_fail(db, NULL, "cannot read rep_metrics", err);
	for (int i = 0; i < n / 2; i++) {
		char t[32];

		memcpy(t, s->labels[i], 32);
		memcpy(s->labels[i], s->labels[n - 1 - i], 32);
		memcpy(s->labels[n - 1 - i], t, 32);
	}
	s->np = n;
	return 0;
}

static int load_rep_values(sqlite3 *db, const struct rw_report_data *d,
			   struct rw_rseries *s, struct rw_err *err)
{
	struct rw_buf b;
	sqlite3_stmt *st = NULL;
	int rc;

	rw_buf_init(&b, 4096);
	rw_buf_adds(&b, "SELECT rep_id, period");
	for (int k = 0; k < RW_NKEYS; k++)
		rw_buf_addf(&b, ", %s", rw_keys[k].column);
	rw_buf_adds(&b, " FROM rep_metrics WHERE grain = ?1 AND partial = 0 ORDER BY rep_id");
	if (rw_buf_error(&b)) {
		rw_buf_release(&b);
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	}
	rc = sqlite3_prepare_v2(db, b.data, -1, &st, NULL);
	rw_buf_release(&b);
	if (rc != SQLITE_OK || sqlite3_bind_text(st, 1, d->grain, -1, SQLITE_STATIC) != SQLITE_OK) {
		sqlite3_finalize(st);
		return rw_db_fail(db, NULL, "cannot read rep_metrics", err);
	}
	char last[256] = "";
	long r = -1;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		int p = period_index(s, (const char *)sqlite3_column_text(st, 1));

		/* Rows come by rep: look the rep up once per rep, not per row. */
		if (!id)
			continue;
		if (strcmp(id, last)) {
			r = rep_index(d, id);
			snprintf(last, sizeof(last), "%s", id);
		}

		if (r < 0 || p < 0)
			continue;
		for (int k = 0; k < RW_NKEYS; k++)
			rw_rep_series(s, (size_t)r, k)[p] = rw_col_double(st, 2 + k);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : rw_db_fail(db, NULL, "cannot read rep_metrics", err);
}

static int load_bands(sqlite3 *db, const struct rw_report_data *d,
		      struct rw_rseries *s, struct rw_err *err)
{
	static const char sql[] =
		"SELECT team, period, metric, median, p25, p75 FROM team_baselines"
		" WHERE grain = ?1";
	sqlite3_stmt *st;
	int rc;

	/* Databases from before baselines existed have no such table. */
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_bind_text(st, 1, d->grain, -1, SQLITE_STATIC) != SQLITE_OK) {
		sqlite3_finalize(st);
		return rw_db_fail(db, NULL, "cannot read team_baselines", err);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *team = (const char *)sqlite3_column_text(st, 0);
		const char *metric = (const char *)sqlite3_column_text(st, 2);
		int t = team ? rw_rseries_team(s, team) : -1;
		int p = period_index(s, (const char *)sqlite3_column_text(st, 1));
		int k = rw_key_of(metric);
		double *b;

		if (t < 0 || p < 0 || k < 0)
			continue;
		b = rw_band(s, (size_t)t, k) + 3 * p;
		b[0] = rw_col_double(st, 3);
		b[1] = rw_col_double(st, 4);
		b[2] = rw_col_double(st, 5);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : rw_db_fail(db, NULL, "cannot read team_baselines", err);
}

int rw_report_load_series(sqlite3 *db, const struct rw_report_data *d,
			  struct rw_rseries *s, struct rw_err *err)
{
	size_t nv, nb;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = load_labels(db, d, s, err);
	if (rc)
		return rc;
	s->teams = rw_calloc(d->nreps + 1, sizeof(*s->teams));
	if (!s->teams)
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	for (size_t i = 0; i < d->nreps; i++)
		if (rw_rseries_team(s, d->reps[i].team) < 0)
			s->teams[s->nteams++] = d->reps[i].team;	/* borrowed */
	nv = (d->nreps * RW_NKEYS * (size_t)s->np) + 1;
	nb = (s->nteams * RW_NKEYS * (size_t)s->np * 3) + 1;
	s->rep = rw_calloc(nv, sizeof(*s->rep));
	s->band = rw_calloc(nb, sizeof(*s->band));
	if (!s->rep || !s->band)
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	for (size_t i = 0; i < nv; i++)
		s->rep[i] = NAN;
	for (size_t i = 0; i < nb; i++)
		s->band[i] = NAN;
	rc = load_rep_values(db, d, s, err);
	if (!rc)
		rc = load_bands(db, d, s, err);
	return rc;
}

void rw_rseries_free(struct rw_rseries *s)
{
	rw_free(s->teams);	/* the names belong to the report data */
	rw_free(s->rep);
	rw_free(s->band);
	memset(s, 0, sizeof(*s));
}

/*
 * Each flag's rule in the latest backtest of the database (repwatch
 * backtest --db): fired, precision and lift, so a reader sees beside a flag
 * how often that rule was right on this company's history.  A database
 * without backtests (or from before them) leaves every flag without one.
 */
static int load_tracks(sqlite3 *db, struct rw_rflag *f, size_t n, struct rw_err *err)
{
	static const char sql[] =
		"SELECT fired, precision, lift FROM rule_backtest"
		" WHERE rule = ?1 AND note IS NULL"
		" AND backtest_id = (SELECT MAX(backtest_id) FROM backtests)";
	sqlite3_stmt *st;
	int rc = SQLITE_OK;

	if (!n || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;	/* no backtest tables: nothing to show */
	for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
		rc = sqlite3_bind_text(st, 1, f[i].rule, -1, SQLITE_STATIC);
		if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			f[i].bt_fired = sqlite3_column_int(st, 0);
			f[i].bt_precision = rw_col_double(st, 1);
			f[i].bt_lift = rw_col_double(st, 2);
		}
		if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			rc = SQLITE_OK;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : rw_db_fail(db, NULL, "cannot read rule_backtest", err);
}

int rw_report_load_flags(sqlite3 *db, const struct rw_report_data *d,
			 const char *rep_id, struct rw_rflag **flags, size_t *n,
			 struct rw_err *err)
{
	static const char sql[] =
		"SELECT rep_id, team, rule, category, severity, message, evidence"
		" FROM flags WHERE run_id = ?1 AND (?2 IS NULL OR rep_id = ?2)"
		" ORDER BY category, severity, team, rep_id, rule";
	struct rw_rflag *f = NULL;
	size_t cap = 0;
	sqlite3_stmt *st;
	int rc;

	*flags = NULL;
	*n = 0;
	rc = rw_report_prepare_run(db, sql, d->run_id, &st);
	if (rc > 0)
		return 0;	/* no rules layer in this database: no flags */
	if (rc || (rep_id && sqlite3_bind_text(st, 2, rep_id, -1, SQLITE_STATIC) != SQLITE_OK)) {
		sqlite3_finalize(st);
		return rw_db_fail(db, NULL, "cannot read flags", err);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rw_rflag *x;

		if (*n == cap) {
			size_t nc = cap ? 2 * cap : 16;
			struct rw_rflag *g = rw_reallocarray(f, nc, sizeof(*g));

			if (!g) {
				rc = SQLITE_NOMEM;
				break;
			}
			f = g;
			cap = nc;
		}
		x = &f[(*n)++];
		x->bt_fired = -1;
		x->bt_precision = x->bt_lift = NAN;
		x->rep_id = rw_col_strdup(st, 0);
		x->team = rw_col_strdup(st, 1);
		x->rule = rw_col_strdup(st, 2);
		x->category = rw_col_strdup(st, 3);
		x->severity = rw_col_strdup(st, 4);
		x->message = rw_col_strdup(st, 5);
		x->evidence = rw_col_strdup(st, 6);
		if (!x->rep_id || !x->team || !x->rule || !x->category ||
		    !x->severity || !x->message || !x->evidence) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_finalize(st);
	*flags = f;
	if (rc == SQLITE_NOMEM)
		return rw_err_set(err, RW_ENOMEM, "out of memory reading flags");
	if (rc != SQLITE_DONE)
		return rw_db_fail(db, NULL, "cannot read flags", err);
	return load_tracks(db, f, *n, err);
}

void rw_rflags_free(struct rw_rflag *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		rw_free(f[i].rep_id);
		rw_free(f[i].team);
		rw_free(f[i].rule);
		rw_free(f[i].category);
		rw_free(f[i].severity);
		rw_free(f[i].message);
		rw_free(f[i].evidence);
	}
	rw_free(f);
}

int rw_trend_sig(const struct rw_rtrend *t)
{
	return t->n >= 3 && isfinite(t->p) && isfinite(t->slope) && t->p < RW_ALPHA;
}

int rw_declined(enum rw_key k, const struct rw_rtrend *t)
{
	if (!rw_trend_sig(t))
		return 0;
	return rw_keys[k].up_is_good ? t->slope < 0 : t->slope > 0;
}
