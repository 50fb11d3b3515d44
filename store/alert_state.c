/*
 * alert_state.c - the rules' tables: flags and plan_progress rows of a run, the
 * alert state per (rule, rep) across runs with its pending notifications,
 * and the listing behind `repwatch alerts` (SPEC sections 5-7).
 *
 * Notifications are queued in alerts.pending inside the run's transaction,
 * so they land with the state that caused them; they are cleared only
 * after delivery succeeded (rw_store_pending_clear).  A failed or
 * interrupted delivery leaves them for the next run: none is lost.
 */
#include "store_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int write_flags(struct rw_store *st, const struct rw_dataset *ds,
		       const struct rw_rules_out *out, struct rw_err *err)
{
	static const char sql[] =
		"INSERT INTO flags(run_id, rep_id, team, rule, category, severity,"
		" grain, period, message, evidence)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
	sqlite3_stmt *stmt;
	int rc = rw_store_prepare(st, sql, &stmt, err);

	for (size_t i = 0; !rc && i < out->nflags; i++) {
		const struct rw_flag *f = &out->flags[i];
		const struct rw_rep *rep = &ds->reps[f->rep];

		if (!rw_in_shard(&ds->settings, rep->team))
			continue;	/* another shard's rep */
		if (sqlite3_bind_int64(stmt, 1, st->run_id) ||
		    rw_store_bind_text(stmt, 2, rep->id) || rw_store_bind_text(stmt, 3, rep->team) ||
		    rw_store_bind_text(stmt, 4, f->rule) ||
		    rw_store_bind_text(stmt, 5, rw_category_name(f->category)) ||
		    rw_store_bind_text(stmt, 6, rw_severity_name(f->severity)) ||
		    rw_store_bind_text(stmt, 7, rw_grain_name(f->grain)) ||
		    rw_store_bind_text(stmt, 8, f->period) || rw_store_bind_text(stmt, 9, f->message) ||
		    rw_store_bind_text(stmt, 10, f->evidence) || rw_store_step_done(stmt))
			rc = rw_store_dberr(st, "cannot write flags", err);
	}
	sqlite3_finalize(stmt);
	return rc;
}

static int write_plans(struct rw_store *st, const struct rw_dataset *ds,
		       const struct rw_rules_out *out, struct rw_err *err)
{
	static const char sql[] =
		"INSERT INTO plan_progress(run_id, plan_id, rep_id, metric, baseline,"
		" current, target, progress, elapsed, projected, status, checkpoint,"
		" checkpoint_target)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
	sqlite3_stmt *stmt;
	int rc = rw_store_prepare(st, sql, &stmt, err);

	for (size_t i = 0; !rc && i < out->nplans; i++) {
		const struct rw_plan_score *sc = &out->plans[i];
		const struct rw_plan *p = &ds->plans[sc->plan];

		if (!rw_in_shard(&ds->settings, ds->reps[p->rep].team))
			continue;
		if (sqlite3_bind_int64(stmt, 1, st->run_id) ||
		    rw_store_bind_text(stmt, 2, p->id) || rw_store_bind_text(stmt, 3, ds->reps[p->rep].id) ||
		    rw_store_bind_text(stmt, 4, p->metric) || rw_store_bind_double(stmt, 5, sc->baseline, 0) ||
		    rw_store_bind_double(stmt, 6, sc->current, 0) || rw_store_bind_double(stmt, 7, sc->target, 0) ||
		    rw_store_bind_double(stmt, 8, sc->progress, 0) || rw_store_bind_double(stmt, 9, sc->elapsed, 0) ||
		    rw_store_bind_double(stmt, 10, sc->projected, 0) ||
		    rw_store_bind_text(stmt, 11, rw_plan_status_name(sc->status)) ||
		    (sc->checkpoint ? sqlite3_bind_int(stmt, 12, sc->checkpoint) :
		     sqlite3_bind_null(stmt, 12)) ||
		    (sc->checkpoint ? rw_store_bind_double(stmt, 13, sc->checkpoint_target, 0) :
		     sqlite3_bind_null(stmt, 13)) || rw_store_step_done(stmt))
			rc = rw_store_dberr(st, "cannot write plan_progress", err);
	}
	sqlite3_finalize(stmt);
	return rc;
}

static int write_findings(struct rw_store *st, const struct rw_rules_out *out,
			  struct rw_err *err)
{
	static const char sql[] =
		"INSERT INTO team_findings(run_id, team, manager, grain, metric,"
		" since, change, p, reps, reps_down)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
	sqlite3_stmt *stmt;
	int rc = rw_store_prepare(st, sql, &stmt, err);

	for (size_t i = 0; !rc && i < out->nteams; i++) {
		const struct rw_team_flag *t = &out->teams[i];

		if (sqlite3_bind_int64(stmt, 1, st->run_id) ||
		    rw_store_bind_text(stmt, 2, t->team) || rw_store_bind_text(stmt, 3, t->manager) ||
		    rw_store_bind_text(stmt, 4, t->grain) || rw_store_bind_text(stmt, 5, t->metric) ||
		    rw_store_bind_text(stmt, 6, t->since) || rw_store_bind_double(stmt, 7, t->change, 0) ||
		    rw_store_bind_double(stmt, 8, t->p, 0) || sqlite3_bind_int(stmt, 9, t->reps) ||
		    sqlite3_bind_int(stmt, 10, t->reps_down) || rw_store_step_done(stmt))
			rc = rw_store_dberr(st, "cannot write team_findings", err);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int rw_store_write_rules(struct rw_store *st, const struct rw_dataset *ds,
			 const struct rw_rules_out *out, struct rw_err *err)
{
	int rc = write_flags(st, ds, out, err);

	if (!rc)
		rc = write_plans(st, ds, out, err);
	return rc ? rc : write_findings(st, out, err);
}

/* ---- Alert state ------------------------------------------------------ */

static int32_t col_day(sqlite3_stmt *stmt, int i)
{
	const char *s = (const char *)sqlite3_column_text(stmt, i);
	int32_t day;

	return s && !rw_day_parse(s, &day) ? day : RW_NODAY;
}

/* The working statements of one update. */
struct alert_stmts {
	sqlite3_stmt *get, *put;
};

static const char get_sql[] =
	"SELECT state, severity, first_seen, last_seen, last_notified, pending,"
	" category, grain, period, message FROM alerts WHERE rule = ?1 AND rep_id = ?2";

static const char put_sql[] =
	"INSERT INTO alerts(rule, rep_id, state, severity, first_seen, last_seen,"
	" last_notified, pending, category, grain, period, message)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
	" ON CONFLICT(rule, rep_id) DO UPDATE SET state = ?3, severity = ?4,"
	" first_seen = ?5, last_seen = ?6, last_notified = ?7, pending = ?8,"
	" category = ?9, grain = ?10, period = ?11, message = ?12";

/* Read (rule, rep)'s state into *a; pending text into *pending (owned). */
static int alert_get(struct alert_stmts *s, const char *rule, const char *rep,
		     struct rw_alert_state *a, char **pending)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->first_seen = a->last_seen = a->last_notified = RW_NODAY;
	*pending = NULL;
	if (rw_store_bind_text(s->get, 1, rule) ||
	    rw_store_bind_text(s->get, 2, rep))
		return -1;
	rc = sqlite3_step(s->get);
	if (rc == SQLITE_ROW) {
		const char *sev = (const char *)sqlite3_column_text(s->get, 1);
		const char *pend = (const char *)sqlite3_column_text(s->get, 5);
		const char *state = (const char *)sqlite3_column_text(s->get, 0);
		int v = sev ? rw_severity_find(sev) : -1;

		a->known = 1;
		a->firing = state && !strcmp(state, "firing");
		a->severity = v < 0 ? RW_SEV_INFO : (enum rw_severity)v;
		a->first_seen = col_day(s->get, 2);
		a->last_seen = col_day(s->get, 3);
		a->last_notified = col_day(s->get, 4);
		if (pend && !(*pending = rw_malloc(strlen(pend) + 1)))
			rc = SQLITE_NOMEM;
		else if (pend)
			memcpy(*pending, pend, strlen(pend) + 1);
	}
	sqlite3_reset(s->get);
	sqlite3_clear_bindings(s->get);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* What a row of alerts carries besides the state. */
struct alert_row {
	const char *rule, *rep, *category, *grain, *period, *message;
	const char *pending;
};

static int alert_put(struct alert_stmts *s, const struct alert_row *row,
		     const struct rw_alert_state *a)
{
	return rw_store_bind_text(s->put, 1, row->rule) || rw_store_bind_text(s->put, 2, row->rep) ||
	       rw_store_bind_text(s->put, 3, a->firing ? "firing" : "resolved") ||
	       rw_store_bind_text(s->put, 4, rw_severity_name(a->severity)) ||
	       rw_store_bind_day(s->put, 5, a->first_seen) || rw_store_bind_day(s->put, 6, a->last_seen) ||
	       rw_store_bind_day(s->put, 7, a->last_notified) || rw_store_bind_text(s->put, 8, row->pending) ||
	       rw_store_bind_text(s->put, 9, row->category) || rw_store_bind_text(s->put, 10, row->grain) ||
	       rw_store_bind_text(s->put, 11, row->period) || rw_store_bind_text(s->put, 12, row->message) ||
	       rw_store_step_done(s->put);
}

/* pending + line, both may be NULL; NULL when out of memory. */
static char *pending_join(const char *pending, const char *line)
{
	size_t a = pending ? strlen(pending) : 0, b = strlen(line);
	char *p = rw_malloc(a + b + 1);

	if (!p)
		return NULL;
	if (a)
		memcpy(p, pending, a);
	memcpy(p + a, line, b + 1);
	return p;
}

static const struct rw_rep *rep_by_id(const struct rw_dataset *ds, const char *id)
{
	for (size_t i = 0; i < ds->nreps; i++)
		if (!strcmp(ds->reps[i].id, id))
			return &ds->reps[i];
	return NULL;
}

static void count_event(struct rw_alert_counts *c, enum rw_alert_event ev,
			enum rw_severity sev)
{
	if (ev == RW_EV_NEW)
		c->new_alerts++;
	else if (ev == RW_EV_ESCALATED)
		c->escalated++;
	else if (ev == RW_EV_REPEAT)
		c->repeated++;
	else if (ev == RW_EV_RESOLVED)
		c->resolved++;
	if ((ev == RW_EV_NEW || ev == RW_EV_ESCALATED) && sev == RW_SEV_CRITICAL)
		c->new_critical++;
}

/* Step one alert, queue its notification, write it back. */
static int alert_update(struct alert_stmts *s, const struct rw_note *tmpl,
			struct alert_row *row, int holds, enum rw_severity sev,
			int32_t today, int repeat_days, struct rw_alert_counts *c)
{
	struct rw_alert_state a;
	struct rw_note n = *tmpl;
	char *pending = NULL, *line = NULL, *joined = NULL;
	enum rw_alert_event ev;
	int rc = -1;

	if (alert_get(s, row->rule, row->rep, &a, &pending))
		return -1;
	ev = rw_alert_step(&a, holds, sev, today, repeat_days);
	row->pending = pending;
	if (ev != RW_EV_NONE) {
		n.event = ev;
		n.severity = rw_severity_name(a.severity);
		n.first_seen = a.first_seen;
		n.state = a.firing ? "firing" : "resolved";
		line = rw_note_json(&n);
		joined = line ? pending_join(pending, line) : NULL;
		if (!joined)
			goto out;
		row->pending = joined;
		count_event(c, ev, a.severity);
	}
	rc = alert_put(s, row, &a);
out:
	rw_free(pending);
	rw_free(line);
	rw_free(joined);
	return rc;
}

static int flags_update(struct rw_store *st, struct alert_stmts *s,
			const struct rw_dataset *ds, const struct rw_rules_out *out,
			int repeat_days, struct rw_alert_counts *c)
{
	for (size_t i = 0; i < out->nflags; i++) {
		const struct rw_flag *f = &out->flags[i];
		const struct rw_rep *rep = &ds->reps[f->rep];
		struct rw_note n = {
			.rule = f->rule, .category = rw_category_name(f->category),
			.rep = rep->id, .rep_name = rep->name, .team = rep->team,
			.manager = rep->manager, .grain = rw_grain_name(f->grain),
			.period = f->period, .values = f->values, .message = f->message,
		};
		struct alert_row row = {
			.rule = f->rule, .rep = rep->id, .category = n.category,
			.grain = n.grain, .period = f->period, .message = f->message,
		};

		if (!rw_in_shard(&ds->settings, rep->team))
			continue;
		if (alert_update(s, &n, &row, 1, f->severity, ds->settings.as_of,
				 repeat_days, c))
			return -1;
	}
	(void)st;
	return 0;
}

/* Team findings are alerts too, one per team, keyed (RW_TEAM_RULE, TEAM):
 * notified once when found, again when resolved, never per rep. */
static int teams_update(struct alert_stmts *s, const struct rw_dataset *ds,
			const struct rw_rules_out *out, int repeat_days,
			struct rw_alert_counts *c)
{
	for (size_t i = 0; i < out->nteams; i++) {
		const struct rw_team_flag *t = &out->teams[i];
		struct rw_note n;
		struct alert_row row;

		if (!t->notify)
			continue;
		n = (struct rw_note){
			.rule = RW_TEAM_RULE, .category = rw_category_name(RW_CAT_STRUCTURAL),
			.rep = "", .team = t->team, .manager = t->manager,
			.grain = t->grain, .period = t->since, .values = t->values,
			.message = t->message,
		};
		row = (struct alert_row){
			.rule = RW_TEAM_RULE, .rep = t->key, .category = n.category,
			.grain = n.grain, .period = t->since, .message = t->message,
		};

		if (alert_update(s, &n, &row, 1, t->severity, ds->settings.as_of,
				 repeat_days, c))
			return -1;
	}
	return 0;
}

/* 1 when this run flagged (rule, rep). */
static int flagged(const struct rw_dataset *ds, const struct rw_rules_out *out,
		   const char *rule, const char *rep)
{
	if (!strcmp(rule, RW_TEAM_RULE)) {
		for (size_t i = 0; i < out->nteams; i++)
			if (out->teams[i].notify && !strcmp(out->teams[i].key, rep))
				return 1;
		return 0;
	}
	for (size_t i = 0; i < out->nflags; i++)
		if (!strcmp(out->flags[i].rule, rule) &&
		    !strcmp(ds->reps[out->flags[i].rep].id, rep))
			return 1;
	return 0;
}

/* Copy of column i of stmt (NULL stays NULL); *oom set on failure. */
static char *col_dup(sqlite3_stmt *stmt, int i, int *oom)
{
	const char *s = (const char *)sqlite3_column_text(stmt, i);
	char *p;

	if (!s)
		return NULL;
	p = rw_malloc(strlen(s) + 1);
	if (!p)
		*oom = 1;
	else
		memcpy(p, s, strlen(s) + 1);
	return p;
}

/* Resolve every firing alert this run did not flag. */
static int resolve_rest(struct rw_store *st, struct alert_stmts *s,
			const struct rw_dataset *ds, const struct rw_rules_out *out,
			int repeat_days, struct rw_alert_counts *c, struct rw_err *err)
{
	sqlite3_stmt *firing;
	int rc = rw_store_prepare(st, "SELECT rule, rep_id, category, grain, period,"
				  " message FROM alerts WHERE state = 'firing'"
				  " ORDER BY rep_id, rule", &firing, err);

	if (rc)
		return rc;
	while (!rc && sqlite3_step(firing) == SQLITE_ROW) {
		int oom = 0, team;
		char *f[6], msg[600];
		const struct rw_rep *rep;

		for (int i = 0; i < 6; i++)
			f[i] = col_dup(firing, i, &oom);
		team = f[0] && f[1] && !strcmp(f[0], RW_TEAM_RULE);
		rep = f[1] && !team ? rep_by_id(ds, f[1]) : NULL;
		/* A shard resolves its own reps' and teams' alerts; shard 0 also
		 * those of reps no longer on any roster. */
		if (team ? !rw_in_shard(&ds->settings, f[1]) :
		    rep ? !rw_in_shard(&ds->settings, rep->team) : ds->settings.shard_i != 0)
			goto next;
		if (!oom && f[0] && f[1] && !flagged(ds, out, f[0], f[1])) {
			struct alert_row row = { .rule = f[0], .rep = f[1], .category = f[2],
						 .grain = f[3], .period = f[4], .message = f[5] };
			struct rw_note n = { .rule = f[0], .category = f[2], .rep = f[1],
					     .grain = f[3], .period = f[4], .message = msg };

			if (rep) {
				n.rep_name = rep->name;
				n.team = rep->team;
				n.manager = rep->manager;
			}
			if (team) {
				n.rep = "";
				n.team = f[1];
			}
			snprintf(msg, sizeof(msg), "Resolved: %s", f[5] ? f[5] : f[0]);
			if (alert_update(s, &n, &row, 0, RW_SEV_INFO, ds->settings.as_of,
					 repeat_days, c))
				rc = rw_store_dberr(st, "cannot update alerts", err);
		}
next:
		if (oom && !rc)
			rc = rw_err_set(err, RW_ENOMEM, "out of memory updating alerts");
		for (int i = 0; i < 6; i++)
			rw_free(f[i]);
	}
	sqlite3_finalize(firing);
	return rc;
}

int rw_store_update_alerts(struct rw_store *st, const struct rw_dataset *ds,
			   const struct rw_rules_out *out, int repeat_days,
			   struct rw_alert_counts *counts, struct rw_err *err)
{
	struct alert_stmts s = { 0 };
	int rc;

	memset(counts, 0, sizeof(*counts));
	rc = rw_store_prepare(st, get_sql, &s.get, err);
	if (!rc)
		rc = rw_store_prepare(st, put_sql, &s.put, err);
	if (!rc && flags_update(st, &s, ds, out, repeat_days, counts))
		rc = rw_store_dberr(st, "cannot update alerts", err);
	if (!rc && teams_update(&s, ds, out, repeat_days, counts))
		rc = rw_store_dberr(st, "cannot update alerts", err);
	if (!rc)
		rc = resolve_rest(st, &s, ds, out, repeat_days, counts, err);
	sqlite3_finalize(s.get);
	sqlite3_finalize(s.put);
	return rc;
}

/* ---- Pending notifications ------------------------------------------- */

struct rw_pending {
	char **rule, **rep, **text;
	size_t n;
	char *all;		/* every text, in order */
	size_t len;
};

void rw_pending_free(struct rw_pending *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		rw_free(p->rule[i]);
		rw_free(p->rep[i]);
		rw_free(p->text[i]);
	}
	rw_free(p->rule);
	rw_free(p->rep);
	rw_free(p->text);
	rw_free(p->all);
	rw_free(p);
}

const char *rw_pending_text(const struct rw_pending *p, size_t *len)
{
	*len = p->len;
	return p->all ? p->all : "";
}

static int pending_push(struct rw_pending *p, sqlite3_stmt *stmt, struct rw_buf *all)
{
	size_t n = p->n + 1;
	char **a = rw_reallocarray(p->rule, n, sizeof(char *));
	int oom = 0;

	if (!a)
		return -1;
	p->rule = a;
	a = rw_reallocarray(p->rep, n, sizeof(char *));
	if (!a)
		return -1;
	p->rep = a;
	a = rw_reallocarray(p->text, n, sizeof(char *));
	if (!a)
		return -1;
	p->text = a;
	p->rule[p->n] = col_dup(stmt, 0, &oom);
	p->rep[p->n] = col_dup(stmt, 1, &oom);
	p->text[p->n] = col_dup(stmt, 2, &oom);
	p->n++;
	if (oom)
		return -1;
	rw_buf_adds(all, p->text[p->n - 1]);
	return rw_buf_error(all) ? -1 : 0;
}

int rw_store_pending_get(struct rw_store *st, struct rw_pending **out,
			 struct rw_err *err)
{
	struct rw_pending *p = rw_calloc(1, sizeof(*p));
	struct rw_buf all;
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (!p)
		return rw_err_set(err, RW_ENOMEM, "out of memory reading notifications");
	rw_buf_init(&all, 0);
	rc = rw_store_prepare(st, "SELECT rule, rep_id, pending FROM alerts WHERE"
			      " pending IS NOT NULL ORDER BY rep_id, rule", &stmt, err);
	while (!rc && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		rc = 0;
		if (pending_push(p, stmt, &all))
			rc = rw_err_set(err, RW_ENOMEM, "out of memory reading notifications");
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc && !err->code)
		rc = rw_store_dberr(st, "cannot read pending notifications", err);
	sqlite3_finalize(stmt);
	if (!rc && !(p->all = rw_buf_detach(&all, &p->len)))
		rc = rw_err_set(err, RW_ENOMEM, "out of memory reading notifications");
	rw_buf_release(&all);
	if (rc) {
		rw_pending_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int rw_store_pending_clear(struct rw_store *st, const struct rw_pending *p,
			   struct rw_err *err)
{
	sqlite3_stmt *stmt;
	int rc = rw_store_exec(st, "BEGIN IMMEDIATE", err);

	if (rc)
		return rc;
	rc = rw_store_prepare(st, "UPDATE alerts SET pending = NULL WHERE rule = ?1"
			      " AND rep_id = ?2 AND pending = ?3", &stmt, err);
	for (size_t i = 0; !rc && i < p->n; i++)
		if (rw_store_bind_text(stmt, 1, p->rule[i]) || rw_store_bind_text(stmt, 2, p->rep[i]) ||
		    rw_store_bind_text(stmt, 3, p->text[i]) || rw_store_step_done(stmt))
			rc = rw_store_dberr(st, "cannot clear delivered notifications", err);
	sqlite3_finalize(stmt);
	if (!rc)
		return rw_store_exec(st, "COMMIT", err);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* ---- Listing ---------------------------------------------------------- */

int rw_store_list_alerts(const char *path, const char *state, FILE *fp,
			 struct rw_err *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT rule, rep_id, state, severity, category,"
			       " first_seen, last_seen, last_notified,"
			       " pending IS NOT NULL, message FROM alerts"
			       " WHERE ?1 IS NULL OR state = ?1 ORDER BY rep_id, rule",
			       -1, &stmt, NULL) != SQLITE_OK ||
	    rw_store_bind_text(stmt, 1, state)) {
		rw_err_set(err, RW_EDB, "cannot read alerts: %s", db ? sqlite3_errmsg(db) : "out of memory");
		rw_err_where(err, path, 0, 0);
		sqlite3_finalize(stmt);
		sqlite3_close(db);
		return RW_EDB;
	}
	fprintf(fp, "rule\trep_id\tstate\tseverity\tcategory\tfirst_seen\tlast_seen\tlast_notified\tpending\tmessage\n");
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		for (int i = 0; i < 10; i++) {
			const char *v = (const char *)sqlite3_column_text(stmt, i);

			fprintf(fp, "%s%s", i ? "\t" : "", v ? v : "");
		}
		fputc('\n', fp);
	}
	if (rc != SQLITE_DONE) {
		rw_err_set(err, RW_EDB, "cannot read alerts: %s", sqlite3_errmsg(db));
		rw_err_where(err, path, 0, 0);
	}
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return rc == SQLITE_DONE ? 0 : RW_EDB;
}
