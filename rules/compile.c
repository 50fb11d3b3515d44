/*
 * compile.c - rule definitions and their compilation (SPEC section 5).
 *
 * Each rule's `when` becomes one prepared statement
 *   SELECT _rep, _k FROM rp WHERE _grain = ?1 AND _k BETWEEN ?2 AND ?3
 *     AND (<when>)
 * on an in-memory database that holds nothing but the table rp.  While it
 * is prepared an authorizer allows SELECT, reading rp and calling a short
 * list of pure functions; anything else (another table, PRAGMA, ATTACH,
 * writing) is refused.  A second statement after the first (the tail left
 * by sqlite3_prepare_v2) is refused too, so `1); DROP TABLE rp; SELECT (1`
 * cannot smuggle anything in.  SQLite does the parsing: there is no
 * expression evaluator here.
 */
#include "rules_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const category_names[RW_NCATS] = {
	"pip_candidate", "early_warning", "structural", "recognition"
};

static const char *const severity_names[RW_NSEVS] = {
	"info", "watch", "warning", "critical"
};

const char *rw_category_name(int c)
{
	return c >= 0 && c < RW_NCATS ? category_names[c] : NULL;
}

int rw_category_find(const char *name)
{
	for (int i = 0; i < RW_NCATS; i++)
		if (!strcasecmp(name, category_names[i]))
			return i;
	return -1;
}

const char *rw_severity_name(int s)
{
	return s >= 0 && s < RW_NSEVS ? severity_names[s] : NULL;
}

int rw_severity_find(const char *name)
{
	for (int i = 0; i < RW_NSEVS; i++)
		if (!strcasecmp(name, severity_names[i]))
			return i;
	return -1;
}

void rw_rules_opts_default(struct rw_rules_opts *o)
{
	o->repeat_days = 7;
	o->notify_timeout_s = 60;
	o->leading_flags = 0;
}

char *rules_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = rw_malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

/* ---- The columns of rp ------------------------------------------------ */

static const char *const key_names[RP_NKEYS] = { "_rep", "_grain", "_k", "_complete" };

enum rp_kind rp_col_kind(int i, int *metric)
{
	*metric = -1;
	if (i < RP_NKEYS)
		return (enum rp_kind)i;
	i -= RP_NKEYS;
	if (i < RP_PER_METRIC * RW_NMETRICS) {
		*metric = i / RP_PER_METRIC;
		return (enum rp_kind)(RP_VALUE + i % RP_PER_METRIC);
	}
	i -= RP_PER_METRIC * RW_NMETRICS;
	return i == 0 ? RP_TENURE : i == 1 ? RP_ON_PLAN : RP_ELIGIBLE;
}

static const char *const rp_suffix[RP_PER_METRIC] = {
	"", "_z", "_pct", "_slope", "_slope_p", "_change", "_median",
	"_slope_q", "_cp_size", "_cp_q", "_cp_change", "_shift_change", "_shift_p"
};

void rp_col_name(int i, char *out, size_t size)
{
	int m;
	enum rp_kind k = rp_col_kind(i, &m);

	if (k < RP_VALUE)
		snprintf(out, size, "%s", key_names[k]);
	else if (k == RP_TENURE)
		snprintf(out, size, "tenure_days");
	else if (k == RP_ON_PLAN)
		snprintf(out, size, "on_plan");
	else if (k == RP_ELIGIBLE)
		snprintf(out, size, "eligible");
	else
		snprintf(out, size, "%s%s%s", k == RP_TEAM_MEDIAN ? "team_" : "",
			 rw_metric_name((enum rw_metric)m), rp_suffix[k - RP_VALUE]);
}

/* Whether name[0..*len) starts with piece (case-insensitive); if so the
 * piece is consumed. */
static int rp_eat(const char **name, size_t *len, const char *piece)
{
	size_t n = strlen(piece);

	if (n > *len || strncasecmp(*name, piece, n))
		return 0;
	*name += n;
	*len -= n;
	return 1;
}

/* Whether name[0..len) is the name of column i (rp_col_name's, compared
 * piece by piece: a rule message asks for columns at every flag). */
static int rp_col_is(int i, const char *name, size_t len)
{
	int m;
	enum rp_kind k = rp_col_kind(i, &m);
	const char *whole = k < RP_VALUE ? key_names[k] : k == RP_TENURE ? "tenure_days" :
			    k == RP_ON_PLAN ? "on_plan" : k == RP_ELIGIBLE ? "eligible" : NULL;

	if (whole)
		return rp_eat(&name, &len, whole) && !len;
	if (k == RP_TEAM_MEDIAN && !rp_eat(&name, &len, "team_"))
		return 0;
	return rp_eat(&name, &len, rw_metric_name((enum rw_metric)m)) &&
	       rp_eat(&name, &len, rp_suffix[k - RP_VALUE]) && !len;
}

int rp_col_find(const char *name, size_t len)
{
	for (int i = 0; i < RP_NCOLS; i++)
		if (rp_col_is(i, name, len))
			return i;
	return -1;
}

int rp_msg_field(const char *open, const char *close, int *pct)
{
	size_t len = (size_t)(close - open - 1);

	*pct = len > 4 && !strncmp(close - 4, ":pct", 4);
	if (*pct)
		len -= 4;
	if (len == 3 && !strncmp(open + 1, "for", 3))
		return RP_MSG_FOR;
	return rp_col_find(open + 1, len);
}

/* ---- Definitions ------------------------------------------------------ */

struct rw_rules *rw_rules_new(void)
{
	return rw_calloc(1, sizeof(struct rw_rules));
}

void rw_rules_free(struct rw_rules *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++) {
		struct rw_rule *r = &rs->rules[i];

		sqlite3_finalize(r->stmt);
		rw_free(r->name);
		rw_free(r->when);
		rw_free(r->message);
	}
	rw_free(rs->rules);
	sqlite3_finalize(rs->insert);
	sqlite3_finalize(rs->row);
	sqlite3_close(rs->db);
	rw_free(rs);
}

size_t rw_rules_count(const struct rw_rules *rs)
{
	return rs->n;
}

static struct rw_rule *rule_find(const struct rw_rules *rs, const char *name)
{
	for (size_t i = 0; i < rs->n; i++)
		if (!strcmp(rs->rules[i].name, name))
			return &rs->rules[i];
	return NULL;
}

int rw_rules_grain(const struct rw_rules *rs, const char *rule)
{
	const struct rw_rule *r = rule_find(rs, rule);

	return r ? r->grain : -1;
}

int rw_rules_category(const struct rw_rules *rs, const char *rule)
{
	const struct rw_rule *r = rule_find(rs, rule);

	return r ? r->category : -1;
}

const char *rw_rules_name(const struct rw_rules *rs, size_t i)
{
	return rs && i < rs->n ? rs->rules[i].name : NULL;
}

int rw_rules_role(const struct rw_rules *rs, size_t i)
{
	return rs && i < rs->n ? (int)rs->rules[i].role : -1;
}

int rw_rules_partial(const struct rw_rules *rs, size_t i)
{
	return rs && i < rs->n ? rs->rules[i].partial : 0;
}

_Static_assert(RW_NMETRICS <= 64, "rp_rule_metrics() needs a wider set");

uint64_t rp_rule_metrics(const struct rw_rule *ru)
{
	uint64_t set = 0;
	int m;

	for (int c = RP_NKEYS; c < RP_NCOLS; c++)
		if (ru->reads[c] && rp_col_kind(c, &m) >= RP_VALUE && m >= 0)
			set |= (uint64_t)1 << m;
	return set;
}

int rw_rules_metric(const struct rw_rules *rs, size_t i)
{
	uint64_t set;

	if (!rs || i >= rs->n)
		return -1;
	set = rp_rule_metrics(&rs->rules[i]);
	for (int m = 0; m < RW_NMETRICS; m++)
		if (set >> m & 1)
			return m;
	return -1;
}

int rw_rules_needs_activities(const struct rw_rules *rs, size_t i)
{
	uint64_t set;

	if (!rs || i >= rs->n)
		return 0;
	set = rp_rule_metrics(&rs->rules[i]);
	for (int m = 0; m < RW_NMETRICS; m++)
		if (set >> m & 1 && rw_metric_needs_activities((enum rw_metric)m))
			return 1;
	return 0;
}

/* A rule name is what SQL and file names can carry without quoting. */
static int name_ok(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

static struct rw_rule *rule_get(struct rw_rules *rs, const char *name,
				struct rw_err *err)
{
	struct rw_rule *r = rule_find(rs, name), *p;

	if (r)
		return r;
	if (!name_ok(name)) {
		rw_err_set(err, RW_ECONFIG, "rule \"%s\": a rule name is 1-64 letters, digits, '_' or '-'", name);
		return NULL;
	}
	p = rw_grow(rs->rules, &rs->cap, rs->n + 1, sizeof(*p));
	if (!p) {
		rw_err_set(err, RW_ENOMEM, "out of memory defining rule %s", name);
		return NULL;
	}
	rs->rules = p;
	r = &rs->rules[rs->n];
	memset(r, 0, sizeof(*r));
	r->name = rules_strdup(name);
	if (!r->name) {
		rw_err_set(err, RW_ENOMEM, "out of memory defining rule %s", name);
		return NULL;
	}
	r->category = r->severity = r->grain = -1;
	r->for_n = 1;
	rs->n++;
	return r;
}

/* Set *slot to value, or append " value" when it is already set. */
static int text_set(char **slot, const char *value)
{
	size_t old = *slot ? strlen(*slot) : 0, add = strlen(value);
	char *p = rw_realloc(*slot, old + add + 2);

	if (!p)
		return RW_ENOMEM;
	if (old)
		p[old++] = ' ';
	memcpy(p + old, value, add + 1);
	*slot = p;
	return 0;
}

static int enum_key(struct rw_rule *r, const char *key, const char *value,
		    struct rw_err *err)
{
	int v;

	if (!strcasecmp(key, "category")) {
		v = rw_category_find(value);
		if (v < 0)
			return rw_err_set(err, RW_ECONFIG, "rule %s: category \"%s\" is not one of pip_candidate, early_warning, structural, recognition", r->name, value);
		r->category = v;
	} else if (!strcasecmp(key, "severity")) {
		v = rw_severity_find(value);
		if (v < 0)
			return rw_err_set(err, RW_ECONFIG, "rule %s: severity \"%s\" is not one of info, watch, warning, critical", r->name, value);
		r->severity = v;
	} else if (!strcasecmp(key, "grain")) {
		v = rw_grain_find(value);
		if (v < 0)
			return rw_err_set(err, RW_ECONFIG, "rule %s: grain \"%s\" is not one of week, month, quarter", r->name, value);
		r->grain = v;
	} else if (!strcasecmp(key, "role")) {
		if (!strcasecmp(value, "lagging"))
			r->role = RW_ROLE_LAGGING;
		else if (!strcasecmp(value, "leading"))
			r->role = RW_ROLE_LEADING;
		else if (!strcasecmp(value, "none"))
			r->role = RW_ROLE_NONE;
		else
			return rw_err_set(err, RW_ECONFIG, "rule %s: role \"%s\" is not one of lagging, leading, none", r->name, value);
	} else if (!strcasecmp(key, "period")) {
		if (!strcasecmp(value, "complete"))
			r->partial = 0;
		else if (!strcasecmp(value, "partial"))
			r->partial = 1;
		else
			return rw_err_set(err, RW_ECONFIG, "rule %s: period \"%s\" is not complete or partial", r->name, value);
	} else {
		return rw_err_set(err, RW_ECONFIG, "rule %s: unknown key \"%s\" (expected category, severity, grain, when, for, message, role or period)", r->name, key);
	}
	return 0;
}

int rw_rules_set(struct rw_rules *rs, const char *rule, const char *key,
		 const char *value, struct rw_err *err)
{
	struct rw_rule *r;
	char *end;
	long n;

	if (rs->compiled)
		return rw_err_set(err, RW_EINTERNAL, "rule %s: rules already compiled", rule);
	/* Team findings' alerts and notifications go by this name. */
	if (!strcasecmp(rule, RW_TEAM_RULE))
		return rw_err_set(err, RW_ECONFIG, "rule %s: the name is reserved for team findings", rule);
	r = rule_get(rs, rule, err);
	if (!r)
		return err->code;
	if (!strcasecmp(key, "when") || !strcasecmp(key, "message")) {
		if (text_set(!strcasecmp(key, "when") ? &r->when : &r->message, value))
			return rw_err_set(err, RW_ENOMEM, "out of memory defining rule %s", rule);
		return 0;
	}
	if (!strcasecmp(key, "for")) {
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno || end == value || *end || n < 1 || n > 24)
			return rw_err_set(err, RW_ECONFIG, "rule %s: for \"%s\" is not a whole number of periods from 1 to 24", rule, value);
		r->for_n = (int)n;
		return 0;
	}
	return enum_key(r, key, value, err);
}

/* ---- Compilation ------------------------------------------------------ */

/* Pure scalar functions a `when` may call. */
static const char *const allowed_functions[] = {
	"abs", "coalesce", "ifnull", "iif", "nullif", "min", "max", "round",
	"sign", "sqrt", "ln", "log", "log10", "exp", "pow", "power", "floor",
	"ceil", "ceiling", "likely", "unlikely", "typeof",
};

static int function_allowed(const char *name)
{
	if (!name)
		return 0;
	for (size_t i = 0; i < sizeof(allowed_functions) / sizeof(allowed_functions[0]); i++)
		if (!strcasecmp(name, allowed_functions[i]))
			return 1;
	return 0;
}

/* What an authorizer action is, in words, for the refusal message. */
static void action_words(int action, const char *a3, const char *a4,
			 char *out, size_t size)
{
	const char *t = a3 ? a3 : "?";

	switch (action) {
	case SQLITE_INSERT: snprintf(out, size, "writing table %s", t); break;
	case SQLITE_UPDATE: snprintf(out, size, "writing table %s", t); break;
	case SQLITE_DELETE: snprintf(out, size, "writing table %s", t); break;
	case SQLITE_PRAGMA: snprintf(out, size, "a pragma (%s)", t); break;
	case SQLITE_ATTACH: snprintf(out, size, "attaching a database"); break;
	case SQLITE_DETACH: snprintf(out, size, "detaching a database"); break;
	case SQLITE_TRANSACTION: snprintf(out, size, "a transaction"); break;
	case SQLITE_SAVEPOINT: snprintf(out, size, "a savepoint"); break;
	case SQLITE_RECURSIVE: snprintf(out, size, "a recursive common table expression"); break;
	case SQLITE_ANALYZE: snprintf(out, size, "ANALYZE"); break;
	case SQLITE_REINDEX: snprintf(out, size, "REINDEX"); break;
	case SQLITE_ALTER_TABLE: snprintf(out, size, "altering table %s", a4 ? a4 : t); break;
	case SQLITE_CREATE_VTABLE: case SQLITE_DROP_VTABLE:
		snprintf(out, size, "a virtual table"); break;
	case SQLITE_CREATE_INDEX: case SQLITE_CREATE_TABLE: case SQLITE_CREATE_TEMP_INDEX:
	case SQLITE_CREATE_TEMP_TABLE: case SQLITE_CREATE_TEMP_TRIGGER:
	case SQLITE_CREATE_TEMP_VIEW: case SQLITE_CREATE_TRIGGER: case SQLITE_CREATE_VIEW:
		snprintf(out, size, "creating %s", t); break;
	case SQLITE_DROP_INDEX: case SQLITE_DROP_TABLE: case SQLITE_DROP_TEMP_INDEX:
	case SQLITE_DROP_TEMP_TABLE: case SQLITE_DROP_TEMP_TRIGGER:
	case SQLITE_DROP_TEMP_VIEW: case SQLITE_DROP_TRIGGER: case SQLITE_DROP_VIEW:
		snprintf(out, size, "dropping %s", t); break;
	default: snprintf(out, size, "SQL other than an expression"); break;
	}
}

/*
 * A rule reads one row's columns: the statement's own SELECT is the only
 * one allowed.  A sub-select (a self-join of rp, a VALUES list, a CTE)
 * could make a rule quadratic or worse and hold every nightly run.
 */
static int authorizer(void *user, int action, const char *a3, const char *a4,
		      const char *db, const char *trigger)
{
	struct rw_rules *rs = user;
	char what[96];
	int col;

	(void)db;
	(void)trigger;
	switch (action) {
	case SQLITE_SELECT:
		if (++rs->selects == 1)
			return SQLITE_OK;
		snprintf(rs->denied, sizeof(rs->denied), "may not hold a sub-select (a rule reads the columns of one row)");
		return SQLITE_DENY;
	case SQLITE_READ:
		if (a3 && !strcmp(a3, "rp")) {
			col = a4 ? rp_col_find(a4, strlen(a4)) : -1;
			if (col >= 0 && rs->compiling)
				rs->compiling->reads[col] = 1;
			return SQLITE_OK;
		}
		snprintf(rs->denied, sizeof(rs->denied), "may not read table %s", a3 ? a3 : "?");
		return SQLITE_DENY;
	case SQLITE_FUNCTION:
		if (function_allowed(a4))
			return SQLITE_OK;
		snprintf(rs->denied, sizeof(rs->denied), "may not make a function call to %s()", a4 ? a4 : "?");
		return SQLITE_DENY;
	default:
		action_words(action, a3, a4, what, sizeof(what));
		snprintf(rs->denied, sizeof(rs->denied), "may only read columns, not %s", what);
		return SQLITE_DENY;
	}
}

static int db_err(struct rw_rules *rs, const char *what, struct rw_err *err)
{
	return rw_err_set(err, RW_EDB, "rules: %s: %s", what,
			  rs->db ? sqlite3_errmsg(rs->db) : "no database");
}

/* CREATE TABLE rp(...) and its INSERT and row statements. */
static int rp_create(struct rw_rules *rs, struct rw_err *err)
{
	struct rw_buf sql, ins;
	char name[64];
	int rc = 0;

	rw_buf_init(&sql, 0);
	rw_buf_init(&ins, 0);
	rw_buf_adds(&sql, "CREATE TABLE rp(");
	rw_buf_adds(&ins, "INSERT INTO rp VALUES(");
	for (int i = 0; i < RP_NCOLS; i++) {
		rp_col_name(i, name, sizeof(name));
		rw_buf_addf(&sql, "%s%s %s", i ? ", " : "", name, i < RP_NKEYS ? "INTEGER" : "REAL");
		rw_buf_addf(&ins, "%s?%d", i ? ", " : "", i + 1);
	}
	rw_buf_adds(&sql, ", PRIMARY KEY(_grain, _k, _rep))");
	rw_buf_adds(&ins, ")");
	if (rw_buf_error(&sql) || rw_buf_error(&ins)) {
		rc = rw_err_set(err, RW_ENOMEM, "out of memory compiling rules");
		goto out;
	}
	if (sqlite3_exec(rs->db, sql.data, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(rs->db, ins.data, -1, &rs->insert, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(rs->db, "SELECT * FROM rp WHERE _grain = ?1 AND _k = ?2 AND _rep = ?3",
			       -1, &rs->row, NULL) != SQLITE_OK)
		rc = db_err(rs, "cannot create the rule table", err);
out:
	rw_buf_release(&sql);
	rw_buf_release(&ins);
	return rc;
}

static const char when_prefix[] =
	"SELECT _rep, _k FROM rp WHERE _grain = ?1 AND _k BETWEEN ?2 AND ?3 AND (";

/* Whether the rest of a statement is only blanks (and one final ';'). */
static int tail_empty(const char *t)
{
	while (*t && isspace((unsigned char)*t))
		t++;
	return !*t;
}

/* The error of a `when` SQLite refused, with its position. */
static int when_error(struct rw_rules *rs, struct rw_rule *r, struct rw_err *err)
{
	int off = sqlite3_error_offset(rs->db);
	int pos = off - (int)(sizeof(when_prefix) - 1);
	const char *msg = rs->denied[0] ? rs->denied : sqlite3_errmsg(rs->db);

	if (off >= 0 && pos >= 0 && pos <= (int)strlen(r->when))
		rw_err_set(err, RW_ECONFIG, "rule %s: when, at character %d of \"%s\": %s%s", r->name, pos + 1, r->when, msg, strchr(r->when, ';') ? " (when is one expression, not statements)" : "");
	else
		rw_err_set(err, RW_ECONFIG, "rule %s: when \"%s\": %s%s", r->name, r->when, msg, strchr(r->when, ';') ? " (when is one expression, not statements)" : "");
	return RW_ECONFIG;
}

static int when_compile(struct rw_rules *rs, struct rw_rule *r, struct rw_err *err)
{
	struct rw_buf sql;
	const char *tail = NULL;
	int rc;

	rw_buf_init(&sql, 0);
	rw_buf_adds(&sql, when_prefix);
	rw_buf_adds(&sql, r->when);
	rw_buf_adds(&sql, "\n)");
	if (rw_buf_error(&sql)) {
		rw_buf_release(&sql);
		return rw_err_set(err, RW_ENOMEM, "out of memory compiling rule %s", r->name);
	}
	rs->compiling = r;
	rs->denied[0] = 0;
	rs->selects = 0;
	memset(r->reads, 0, sizeof(r->reads));
	if (sqlite3_set_authorizer(rs->db, authorizer, rs) != SQLITE_OK) {
		rw_buf_release(&sql);
		return db_err(rs, "cannot install the authorizer", err);
	}
	rc = sqlite3_prepare_v2(rs->db, sql.data, -1, &r->stmt, &tail);
	if (rc != SQLITE_OK) {
		rc = when_error(rs, r, err);
	} else if (!r->stmt || (tail && !tail_empty(tail))) {
		rc = rw_err_set(err, RW_ECONFIG, "rule %s: when \"%s\" must be one expression, not several statements", r->name, r->when);
	}
	sqlite3_set_authorizer(rs->db, NULL, NULL);
	rs->compiling = NULL;
	rw_buf_release(&sql);
	return rc;
}

/* ---- Budget ------------------------------------------------------------- */

/* The progress handler is called every RULES_TICK VM steps. */
#define RULES_TICK 100
/* Steps any rule gets, and per row of rp: a `when` reads one row, and
 * even a long CASE of every column stays far below 1,000 steps a row. */
#define RULES_BUDGET_BASE 1000000ULL
#define RULES_BUDGET_PER_ROW 20000ULL

static int rules_progress(void *user)
{
	struct rw_rules *rs = user;

	rs->steps += RULES_TICK;
	return rs->steps > rs->budget;
}

void rules_budget_start(struct rw_rules *rs)
{
	sqlite3_stmt *st = NULL;
	uint64_t rows = 0;

	if (sqlite3_prepare_v2(rs->db, "SELECT count(*) FROM rp", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		rows = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	rs->steps = 0;
	rs->budget = rs->per_row ? rs->per_row * rows
		: RULES_BUDGET_BASE + RULES_BUDGET_PER_ROW * rows;
	sqlite3_progress_handler(rs->db, RULES_TICK, rules_progress, rs);
}

int rules_budget_error(struct rw_rules *rs, const struct rw_rule *ru,
		       struct rw_err *err)
{
	if (rs->steps > rs->budget)
		rw_err_set(err, RW_ECONFIG, "rule %s: when \"%s\" took more than %llu steps over the rule table, its budget; simplify it", ru->name, ru->when, (unsigned long long)rs->budget);
	else
		rw_err_set(err, RW_ECONFIG, "rule %s: when \"%s\" failed: %s", ru->name, ru->when, sqlite3_errmsg(rs->db));
	if (rs->where[0])
		rw_err_where(err, rs->where, ru->line, 0);
	return RW_ECONFIG;
}

int rw_rules_check_history(const struct rw_rules *rs, int history_periods,
			   struct rw_err *err)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct rw_rule *r = &rs->rules[i];

		if (r->for_n <= history_periods)
			continue;
		rw_err_set(err, RW_ECONFIG, "rule %s: for %d is more periods than history_periods (%d) keeps; it could never hold", r->name, r->for_n, history_periods);
		if (rs->where[0])
			rw_err_where(err, rs->where, r->line, 0);
		return RW_ECONFIG;
	}
	return 0;
}

int rw_rules_set_where(struct rw_rules *rs, const char *rule, const char *file,
		       long line, struct rw_err *err)
{
	struct rw_rule *r;

	if (rs->compiled)
		return rw_err_set(err, RW_EINTERNAL, "rule %s: rules already compiled", rule);
	r = rule_get(rs, rule, err);
	if (!r)
		return err->code;
	r->line = line;
	snprintf(rs->where, sizeof(rs->where), "%s", file);
	return 0;
}

/* Every {name} or {name:pct} of the message names a column or is {for}. */
static int template_check(const struct rw_rule *r, struct rw_err *err)
{
	const char *p = r->message, *close;

	if (!p)
		return 0;
	while ((p = strchr(p, '{'))) {
		int pct, c;

		close = strchr(p, '}');
		if (!close)
			return rw_err_set(err, RW_ECONFIG, "rule %s: message has a '{' without '}'", r->name);
		c = rp_msg_field(p, close, &pct);
		if (c != RP_MSG_FOR && c < RP_NKEYS)
			return rw_err_set(err, RW_ECONFIG, "rule %s: message placeholder {%.*s} is not a column", r->name, (int)(close - p - 1), p + 1);
		p = close + 1;
	}
	return 0;
}

static int rule_check(const struct rw_rule *r, struct rw_err *err)
{
	if (r->category < 0)
		return rw_err_set(err, RW_ECONFIG, "rule %s: category missing", r->name);
	if (r->severity < 0)
		return rw_err_set(err, RW_ECONFIG, "rule %s: severity missing", r->name);
	if (r->grain < 0)
		return rw_err_set(err, RW_ECONFIG, "rule %s: grain missing", r->name);
	if (!r->when || tail_empty(r->when))
		return rw_err_set(err, RW_ECONFIG, "rule %s: when missing", r->name);
	if (r->role == RW_ROLE_LAGGING && r->category != RW_CAT_PIP)
		return rw_err_set(err, RW_ECONFIG, "rule %s: a lagging rule has category pip_candidate", r->name);
	return template_check(r, err);
}

int rw_rules_compile(struct rw_rules *rs, struct rw_err *err)
{
	int rc;

	if (rs->compiled)
		return 0;
	/* One thread evaluates a rule set at a time (the run's, or a backtest
	 * worker process's): no mutex on every bind, step and column read. */
	rc = sqlite3_open_v2(":memory:", &rs->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_PRIVATECACHE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return db_err(rs, "cannot open the in-memory database", err);
	rc = rp_create(rs, err);
	/* A `when` is one expression: these bound what parsing one may cost
	 * (rp's own statements are prepared above, before the limits). */
	sqlite3_limit(rs->db, SQLITE_LIMIT_SQL_LENGTH, 65536);
	sqlite3_limit(rs->db, SQLITE_LIMIT_EXPR_DEPTH, 200);
	sqlite3_limit(rs->db, SQLITE_LIMIT_COMPOUND_SELECT, 1);
	sqlite3_limit(rs->db, SQLITE_LIMIT_VDBE_OP, 50000);
	sqlite3_limit(rs->db, SQLITE_LIMIT_FUNCTION_ARG, 16);
	sqlite3_limit(rs->db, SQLITE_LIMIT_ATTACHED, 0);
	sqlite3_limit(rs->db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 1000);
	sqlite3_limit(rs->db, SQLITE_LIMIT_LENGTH, 1000000);
	for (size_t i = 0; i < rs->n && !rc; i++) {
		rc = rule_check(&rs->rules[i], err);
		if (!rc)
			rc = when_compile(rs, &rs->rules[i], err);
		if (rc && rs->where[0])
			rw_err_where(err, rs->where, rs->rules[i].line, 0);
	}
	if (!rc)
		rs->compiled = 1;
	return rc;
}
