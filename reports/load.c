/*
 * load.c - read what a report shows from the documented tables (runs, reps,
 * rep_metrics, rep_trends).  The database is opened read-only: a report
 * never changes it and works from any earlier run.  SQL text is built only
 * from the static column names of rw_keys; every value is a bound
 * parameter.
 */
#include "reports_int.h"

#include <math.h>
#include <string.h>

/* Record the connection's current error as RW_EDB. */
int rw_db_fail(sqlite3 *db, const char *path, const char *what,
	       struct rw_err *err)
{
	rw_err_set(err, RW_EDB, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
	rw_err_where(err, path, 0, 0);
	return RW_EDB;
}

double rw_col_double(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static void col_copy(sqlite3_stmt *st, int i, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(out, size, "%s", t ? (const char *)t : "");
}

char *rw_col_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n = t ? strlen((const char *)t) : 0;
	char *s = rw_malloc(n + 1);

	if (s) {
		if (n)
			memcpy(s, t, n);
		s[n] = '\0';
	}
	return s;
}

static int load_run(sqlite3 *db, const struct rw_report_opts *o,
		    struct rw_report_data *d, struct rw_err *err)
{
	static const char sql[] =
		"SELECT run_id, as_of, finished, trend_periods FROM runs"
		" WHERE status = 'ok' ORDER BY run_id DESC LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return rw_db_fail(db, o->db_path, "cannot read runs", err);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		d->run_id = sqlite3_column_int64(st, 0);
		col_copy(st, 1, d->as_of, sizeof(d->as_of));
		col_copy(st, 2, d->finished, sizeof(d->finished));
		d->trend_periods = sqlite3_column_int(st, 3);
		if (d->trend_periods < 3)
			d->trend_periods = 6;
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = rw_err_set(err, RW_EDB, "the database holds no completed run");
		rw_err_where(err, o->db_path, 0, 0);
	} else {
		rc = rw_db_fail(db, o->db_path, "cannot read runs", err);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The period shown: opts->period, or the latest complete one. */
static int load_period(sqlite3 *db, const struct rw_report_opts *o,
		       struct rw_report_data *d, struct rw_err *err)
{
	static const char latest[] =
		"SELECT period, period_start FROM rep_metrics"
		" WHERE grain = ?1 AND partial = 0"
		" ORDER BY period_start DESC LIMIT 1";
	static const char given[] =
		"SELECT period, period_start FROM rep_metrics"
		" WHERE grain = ?1 AND period = ?2 LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, o->period ? given : latest, -1, &st, NULL) != SQLITE_OK)
		return rw_db_fail(db, o->db_path, "cannot read rep_metrics", err);
	if (sqlite3_bind_text(st, 1, d->grain, -1, SQLITE_STATIC) != SQLITE_OK ||
	    (o->period && sqlite3_bind_text(st, 2, o->period, -1, SQLITE_STATIC) != SQLITE_OK)) {
		sqlite3_finalize(st);
		return rw_db_fail(db, o->db_path, "cannot read rep_metrics", err);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		col_copy(st, 0, d->period, sizeof(d->period));
		col_copy(st, 1, d->period_start, sizeof(d->period_start));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		if (o->period)
			rc = rw_err_set(err, RW_EUSAGE, "--period \"%s\" matches no %s in the database",
					o->period, d->grain);
		else
			rc = rw_err_set(err, RW_EDB, "the database holds no complete %s", d->grain);
		rw_err_where(err, o->db_path, 0, 0);
	} else {
		rc = rw_db_fail(db, o->db_path, "cannot read rep_metrics", err);
	}
	sqlite3_finalize(st);
	return rc;
}

static int reps_grow(struct rw_report_data *d, size_t *cap)
{
	struct rw_rrep *r;
	size_t n = *cap ? *cap * 2 : 64;

	r = rw_reallocarray(d->reps, n, sizeof(*r));
	if (!r)
		return RW_ENOMEM;
	d->reps = r;
	*cap = n;
	return 0;
}

/*
 * Reps of the selected team, ordered by team and name, except, in a
 * report, those who left before the period began (counted in nleft).
 */
static int load_reps(sqlite3 *db, const struct rw_report_opts *o,
		     struct rw_report_data *d, struct rw_err *err)
{
	static const char sql[] =
		"SELECT rep_id, name, team, manager, hire_date, end_date FROM reps"
		" WHERE (?1 IS NULL OR team = ?1)"
		" ORDER BY team, name COLLATE NOCASE, rep_id";
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return rw_db_fail(db, o->db_path, "cannot read reps", err);
	if ((o->team ? sqlite3_bind_text(st, 1, o->team, -1, SQLITE_STATIC)
		     : sqlite3_bind_null(st, 1)) != SQLITE_OK) {
		sqlite3_finalize(st);
		return rw_db_fail(db, o->db_path, "cannot read reps", err);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *end = sqlite3_column_text(st, 5);
		struct rw_rrep *r;

		/* An assessment (o->rep) may be of a departed rep, for the
		 * file: it keeps them; a report shows the period's roster. */
		if (!o->rep && end && *end && strcmp((const char *)end, d->period_start) < 0) {
			d->nleft++;
			continue;
		}
		if (d->nreps == cap && reps_grow(d, &cap)) {
			rc = SQLITE_NOMEM;
			break;
		}
		r = &d->reps[d->nreps];
		memset(r, 0, sizeof(*r));
		d->nreps++;
		r->id = rw_col_strdup(st, 0);
		r->name = rw_col_strdup(st, 1);
		r->team = rw_col_strdup(st, 2);
		r->manager = rw_col_strdup(st, 3);
		r->hire_date = rw_col_strdup(st, 4);
		r->end_date = rw_col_strdup(st, 5);
		if (!r->id || !r->name || !r->team || !r->manager || !r->hire_date ||
		    !r->end_date) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_NOMEM)
		return rw_err_set(err, RW_ENOMEM, "out of memory reading reps");
	if (rc != SQLITE_DONE)
		return rw_db_fail(db, o->db_path, "cannot read reps", err);
	return 0;
}

/* The period's values of one rep. */
static int load_values(sqlite3_stmt *st, struct rw_report_data *d, struct rw_rrep *r)
{
	int rc;

	for (int k = 0; k < RW_NKEYS; k++)
		r->v[k] = NAN;
	r->won = r->lost = r->lo = r->hi = r->quota = NAN;
	sqlite3_reset(st);
	if (sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, d->grain, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, d->period, -1, SQLITE_STATIC) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	r->has_row = 1;
	for (int k = 0; k < RW_NKEYS; k++)
		r->v[k] = rw_col_double(st, k);
	r->won = rw_col_double(st, RW_NKEYS);
	r->lost = rw_col_double(st, RW_NKEYS + 1);
	r->lo = rw_col_double(st, RW_NKEYS + 2);
	r->hi = rw_col_double(st, RW_NKEYS + 3);
	r->quota = rw_col_double(st, RW_NKEYS + 4);
	return 0;
}

/* The stored trends of one rep, per key metric. */
static int load_trends(sqlite3_stmt *st, struct rw_report_data *d, struct rw_rrep *r)
{
	int rc;

	for (int k = 0; k < RW_NKEYS; k++) {
		struct rw_rtrend *t = &r->tr[k];
		double ws, wp;

		memset(t, 0, sizeof(*t));
		t->slope = t->p = t->change = t->cp_size = NAN;
		sqlite3_reset(st);
		if (sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC) != SQLITE_OK ||
		    sqlite3_bind_text(st, 2, d->grain, -1, SQLITE_STATIC) != SQLITE_OK ||
		    sqlite3_bind_text(st, 3, rw_keys[k].column, -1, SQLITE_STATIC) != SQLITE_OK)
			return -1;
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			continue;
		if (rc != SQLITE_ROW)
			return -1;
		t->n = sqlite3_column_int(st, 0);
		t->slope = rw_col_double(st, 1);
		t->p = rw_col_double(st, 2);
		ws = rw_col_double(st, 3);
		wp = rw_col_double(st, 4);
		/* A ratio's trend is judged on the weighted fit when it has one. */
		if (rw_keys[k].ratio && isfinite(ws) && isfinite(wp)) {
			t->slope = ws;
			t->p = wp;
		}
		t->change = rw_col_double(st, 5);
		col_copy(st, 6, t->cp_period, sizeof(t->cp_period));
		t->cp_size = rw_col_double(st, 7);
	}
	return 0;
}

static int load_rep_rows(sqlite3 *db, const struct rw_report_opts *o,
			 struct rw_report_data *d, struct rw_err *err)
{
	static const char tsql[] =
		"SELECT n, slope, slope_p, wslope, wslope_p, change, cp_period, cp_size"
		" FROM rep_trends WHERE rep_id = ?1 AND grain = ?2 AND metric = ?3";
	struct rw_buf b;
	sqlite3_stmt *vs = NULL, *ts = NULL;
	int rc = 0;

	rw_buf_init(&b, 4096);
	rw_buf_adds(&b, "SELECT ");
	for (int k = 0; k < RW_NKEYS; k++)
		rw_buf_addf(&b, "%s, ", rw_keys[k].column);
	rw_buf_adds(&b, "won, lost, win_rate_lo, win_rate_hi, quota FROM rep_metrics"
		    " WHERE rep_id = ?1 AND grain = ?2 AND period = ?3");
	if (rw_buf_error(&b)) {
		rw_buf_release(&b);
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	}
	if (sqlite3_prepare_v2(db, b.data, -1, &vs, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, tsql, -1, &ts, NULL) != SQLITE_OK)
		rc = rw_db_fail(db, o->db_path, "cannot read rep_metrics", err);
	for (size_t i = 0; !rc && i < d->nreps; i++)
		if (load_values(vs, d, &d->reps[i]) || load_trends(ts, d, &d->reps[i]))
			rc = rw_db_fail(db, o->db_path, "cannot read rep_metrics", err);
	sqlite3_finalize(vs);
	sqlite3_finalize(ts);
	rw_buf_release(&b);
	return rc;
}

int rw_report_prepare_run(sqlite3 *db, const char *sql, int64_t run_id,
			  sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
		sqlite3_finalize(*st);
		*st = NULL;
		return 1;
	}
	if (sqlite3_bind_int64(*st, 1, run_id) != SQLITE_OK) {
		sqlite3_finalize(*st);
		*st = NULL;
		return -1;
	}
	return 0;
}

/* The run's team findings; a database from before they existed has
 * none. */
static int load_findings(sqlite3 *db, struct rw_report_data *d, struct rw_err *err)
{
	static const char sql[] =
		"SELECT team, manager, metric, since, change, p, reps, reps_down"
		" FROM team_findings WHERE run_id = ?1 ORDER BY team, metric";
	sqlite3_stmt *st;
	int rc = rw_report_prepare_run(db, sql, d->run_id, &st);

	if (rc)
		return rc > 0 ? 0 : rw_db_fail(db, NULL, "cannot read team_findings", err);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rw_rfinding *f = rw_reallocarray(d->findings, d->nfindings + 1,
							sizeof(*f));

		if (!f) {
			rc = SQLITE_NOMEM;
			break;
		}
		d->findings = f;
		f = &d->findings[d->nfindings++];
		f->team = rw_col_strdup(st, 0);
		f->manager = rw_col_strdup(st, 1);
		f->metric = rw_col_strdup(st, 2);
		f->since = rw_col_strdup(st, 3);
		f->change = rw_col_double(st, 4);
		f->p = rw_col_double(st, 5);
		f->reps = sqlite3_column_int(st, 6);
		f->reps_down = sqlite3_column_int(st, 7);
		if (!f->team || !f->manager || !f->metric || !f->since) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_NOMEM)
		return rw_err_set(err, RW_ENOMEM, "out of memory reading team_findings");
	return rc == SQLITE_DONE ? 0 : rw_db_fail(db, NULL, "cannot read team_findings", err);
}

/* Did the run read an activity export?  (run_inputs lists what it read.) */
static int load_inputs(sqlite3 *db, struct rw_report_data *d, struct rw_err *err)
{
	static const char sql[] =
		"SELECT COUNT(*) FROM run_inputs WHERE run_id = ?1 AND file = 'activities.csv'";
	sqlite3_stmt *st;
	int rc = rw_report_prepare_run(db, sql, d->run_id, &st);

	if (rc)
		return rw_db_fail(db, NULL, "cannot read run_inputs", err);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		d->no_activities = sqlite3_column_int64(st, 0) == 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rw_db_fail(db, NULL, "cannot read run_inputs", err);
}

/* Copy column i of st, a period label, into out when it is before last
 * (the run's last period of the grain), or "-" when the column is NULL
 * (no period of the grain had the data); else leave out empty. */
static void until(sqlite3_stmt *st, int i, const char *last, char *out, size_t size)
{
	const unsigned char *p = sqlite3_column_text(st, i);

	out[0] = 0;
	if (!last)
		return;
	if (!p)
		snprintf(out, size, "-");
	else if (strcmp((const char *)p, last) < 0)
		snprintf(out, size, "%s", (const char *)p);
}

/* " after PERIOD" or " in every GRAIN of the report" for an until label. */
static void when_text(const struct rw_report_data *d, const char *u, char *out,
		      size_t size)
{
	if (!strcmp(u, "-"))
		snprintf(out, size, "in every %s of the report", d->grain);
	else
		snprintf(out, size, "after %s", u);
}

/*
 * How far the run's exports spoke (docs/inputs.md: an export speaks only
 * up to its last day): the last period of the grain with a call count
 * (the activity export) and with a won count (the deals export), against
 * the run's last period; then the note built from them.  Labels of one
 * grain sort as their periods do.
 */
static int load_spans(sqlite3 *db, struct rw_report_data *d, struct rw_err *err)
{
	static const char sql[] =
		"SELECT MAX(period), MAX(CASE WHEN calls IS NOT NULL THEN period END),"
		" MAX(CASE WHEN won IS NOT NULL THEN period END)"
		" FROM rep_metrics WHERE run_id = ?1 AND grain = ?2";
	sqlite3_stmt *st;
	int rc = rw_report_prepare_run(db, sql, d->run_id, &st);
	size_t n = 0;
	char when[96], acts[32] = "", deals[32] = "";

	if (rc)
		return rw_db_fail(db, NULL, "cannot read rep_metrics", err);
	if (sqlite3_bind_text(st, 2, d->grain, -1, SQLITE_STATIC) != SQLITE_OK) {
		sqlite3_finalize(st);
		return rw_db_fail(db, NULL, "cannot read rep_metrics", err);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *last = (const char *)sqlite3_column_text(st, 0);

		if (!d->no_activities)
			until(st, 1, last, acts, sizeof(acts));
		until(st, 2, last, deals, sizeof(deals));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rw_db_fail(db, NULL, "cannot read rep_metrics", err);
	d->note[0] = 0;
	if (d->no_activities) {
		n += (size_t)snprintf(d->note, sizeof(d->note), "%s",
			"This run had no activity export: calls, e-mails, meetings, follow-up, "
			"touch gap and stale deals show \xe2\x80\x94 (no activity export), and no "
			"rule read them.");
	} else if (*acts) {
		when_text(d, acts, when, sizeof(when));
		n += (size_t)snprintf(d->note, sizeof(d->note),
			"The activity export stops before the run's day: calls, e-mails, "
			"meetings, follow-up, touch gap and stale deals show \xe2\x80\x94 "
			"%s (no activity data), and no rule read them there.", when);
	}
	if (*deals && n < sizeof(d->note)) {
		when_text(d, deals, when, sizeof(when));
		snprintf(d->note + n, sizeof(d->note) - n,
			 "%sThe deals export stops before the run's day: every metric shows "
			 "\xe2\x80\x94 %s (no deal data), and no rule judged those "
			 "periods.", n ? " " : "", when);
	}
	return 0;
}

const char *rw_data_note(const struct rw_report_data *d)
{
	return d->note;
}

const struct rw_rfinding *rw_report_finding(const struct rw_report_data *d,
					    const char *team, const char *metric)
{
	for (size_t i = 0; i < d->nfindings; i++)
		if (!strcmp(d->findings[i].team, team) &&
		    !strcmp(d->findings[i].metric, metric))
			return &d->findings[i];
	return NULL;
}

int rw_report_load(const struct rw_report_opts *o, sqlite3 **dbp,
		   struct rw_report_data *d, struct rw_err *err)
{
	sqlite3 *db = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	*dbp = NULL;
	snprintf(d->grain, sizeof(d->grain), "%s", o->grain ? o->grain : "month");
	rc = sqlite3_open_v2(o->db_path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		rw_err_set(err, RW_EDB, "cannot open database: %s",
			   db ? sqlite3_errmsg(db) : "out of memory");
		rw_err_where(err, o->db_path, 0, 0);
		sqlite3_close(db);
		return RW_EDB;
	}
	*dbp = db;
	if (sqlite3_busy_timeout(db, 5000) != SQLITE_OK)
		return rw_db_fail(db, o->db_path, "cannot set busy timeout", err);
	/* One read transaction: a run committing meanwhile is not half-seen. */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return rw_db_fail(db, o->db_path, "cannot read database", err);
	rc = load_run(db, o, d, err);
	if (!rc)
		rc = load_period(db, o, d, err);
	if (!rc)
		rc = load_reps(db, o, d, err);
	/* A --team that names nothing is a mistake, not an empty report. */
	if (!rc && o->team && !d->nreps && !d->nleft) {
		rc = rw_err_set(err, RW_EUSAGE, "--team \"%s\" matches no team in the database",
				o->team);
		rw_err_where(err, o->db_path, 0, 0);
	}
	if (!rc)
		rc = load_rep_rows(db, o, d, err);
	if (!rc)
		rc = load_findings(db, d, err);
	if (!rc)
		rc = load_inputs(db, d, err);
	if (!rc)
		rc = load_spans(db, d, err);
	return rc;
}

void rw_report_data_free(struct rw_report_data *d)
{
	for (size_t i = 0; i < d->nfindings; i++) {
		rw_free(d->findings[i].team);
		rw_free(d->findings[i].manager);
		rw_free(d->findings[i].metric);
		rw_free(d->findings[i].since);
	}
	rw_free(d->findings);
	for (size_t i = 0; i < d->nreps; i++) {
		struct rw_rrep *r = &d->reps[i];

		rw_free(r->id);
		rw_free(r->name);
		rw_free(r->team);
		rw_free(r->manager);
		rw_free(r->hire_date);
		rw_free(r->end_date);
	}
	rw_free(d->reps);
	memset(d, 0, sizeof(*d));
}

const char *rw_team_manager(const struct rw_report_data *d, const char *team)
{
	const char *best = "";
	size_t nbest = 0;

	/* The run's team finding names the manager the rules notified. */
	for (size_t i = 0; i < d->nfindings; i++)
		if (!strcmp(d->findings[i].team, team) && *d->findings[i].manager)
			return d->findings[i].manager;
	/* Else the rules' choice: named by most of the team's reps, ties to
	 * the first in roster order. */
	for (size_t i = 0; i < d->nreps; i++) {
		size_t n = 0;

		if (strcmp(d->reps[i].team, team) || !*d->reps[i].manager)
			continue;
		for (size_t j = i; j < d->nreps; j++)
			n += !strcmp(d->reps[j].team, team) &&
			     !strcmp(d->reps[j].manager, d->reps[i].manager);
		if (n > nbest) {
			best = d->reps[i].manager;
			nbest = n;
		}
	}
	return best;
}

int rw_report_team_medians(sqlite3 *db, const struct rw_report_data *d,
			   const char *team, double med[RW_NKEYS], struct rw_err *err)
{
	static const char sql[] =
		"SELECT metric, median FROM team_baselines"
		" WHERE team = ?1 AND grain = ?2 AND period = ?3";
	sqlite3_stmt *st;
	int rc;

	for (int k = 0; k < RW_NKEYS; k++)
		med[k] = NAN;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, team, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, d->grain, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, d->period, -1, SQLITE_STATIC) != SQLITE_OK) {
		sqlite3_finalize(st);
		return rw_db_fail(db, NULL, "cannot read team_baselines", err);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int k = rw_key_of((const char *)sqlite3_column_text(st, 0));

		if (k >= 0)
			med[k] = rw_col_double(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : rw_db_fail(db, NULL, "cannot read team_baselines", err);
}
