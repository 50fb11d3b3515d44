/*
 * rules.h - rules, PIP candidates, early warnings, plan scoring and the
 * alert state machine (SPEC sections 5-6).
 *
 * A rule set is filled key by key (from the [rule NAME] sections of the
 * configuration, or from the shipped defaults), compiled once at start-up
 * and then evaluated on a run's results.  Each rule's `when` is compiled by
 * SQLite against a table `rp` that holds one row per rep and period: the
 * metric columns of SPEC section 4, their _z/_pct companions, the trend
 * columns <metric>_slope, <metric>_slope_p, <metric>_slope_q (the slope's
 * p-value adjusted across the team's reps), <metric>_change, the change
 * point's <metric>_cp_size and <metric>_cp_q, the team's
 * team_<metric>_median, tenure_days, on_plan and eligible.  An authorizer lets the
 * expression read `rp` and call a short list of functions and nothing else.
 *
 * The module owns an in-memory SQLite database; it never touches the run's
 * database (store/ writes what rw_rules_evaluate() returns).
 */
#ifndef RW_RULES_H
#define RW_RULES_H

#include "../common/common.h"
#include "../engine/engine.h"

#include <stddef.h>
#include <stdint.h>

enum rw_category {
	RW_CAT_PIP,		/* pip_candidate */
	RW_CAT_EARLY,		/* early_warning */
	RW_CAT_STRUCTURAL,	/* structural */
	RW_CAT_RECOGNITION,	/* recognition */
	RW_NCATS
};

/* Ordered: a larger value is more severe. */
enum rw_severity {
	RW_SEV_INFO,
	RW_SEV_WATCH,
	RW_SEV_WARNING,
	RW_SEV_CRITICAL,
	RW_NSEVS
};

/*
 * What a rule says about a rep.  A lagging rule is a shortfall in results
 * (quota, win rate); a leading rule is a cause (activity, follow-up,
 * pipeline hygiene) and never flags on its own: it is the evidence of a
 * lagging shortfall.  Rules without a role flag on their own.
 */
enum rw_role { RW_ROLE_NONE, RW_ROLE_LAGGING, RW_ROLE_LEADING };

/* Names as SPEC spells them ("pip_candidate", "critical"); NULL when out
 * of range.  The _find functions return -1 for an unknown name. */
const char *rw_category_name(int c);
int rw_category_find(const char *name);
const char *rw_severity_name(int s);
int rw_severity_find(const char *name);

/* Settings of the [repwatch] section that the rules use. */
struct rw_rules_opts {
	int repeat_days;		/* notify a firing alert again after this; 0 never */
	int notify_timeout_s;		/* a notifier still running is killed (60) */
	int leading_flags;		/* 1: a leading rule that holds flags
					 * too, with its own category, so that
					 * a backtest can score it (0) */
};

void rw_rules_opts_default(struct rw_rules_opts *o);

struct rw_rules;

/* New empty rule set, or NULL when out of memory. */
struct rw_rules *rw_rules_new(void);
void rw_rules_free(struct rw_rules *rs);	/* NULL is a no-op */

/*
 * Set key of rule `rule` (created on first use) to value: category,
 * severity, grain, when, for, message, role, period.  A `when` or
 * `message` given again (an INI continuation line) is appended after a
 * space.  Returns 0, or RW_ECONFIG ("rule NAME: ...") for an unknown key
 * or a bad value, or RW_ENOMEM.
 */
int rw_rules_set(struct rw_rules *rs, const char *rule, const char *key,
		 const char *value, struct rw_err *err);

/*
 * Record that the `when` of rule `rule` (created on first use) is at line
 * of file, so that its compile and evaluation errors can name them.
 * Returns 0, or RW_ECONFIG/RW_ENOMEM as rw_rules_set().
 */
int rw_rules_set_where(struct rw_rules *rs, const char *rule, const char *file,
		       long line, struct rw_err *err);

/*
 * Refuse a rule whose `for` asks for more periods than the history keeps
 * (history_periods complete periods per grain): it could never hold.
 * Returns 0 or RW_ECONFIG naming the rule (and its file and line).
 */
int rw_rules_check_history(const struct rw_rules *rs, int history_periods,
			   struct rw_err *err);

/* Number of rules defined so far. */
size_t rw_rules_count(const struct rw_rules *rs);

/* The shipped default rules (rules/default.ini, byte for byte). */
extern const char rw_rules_default_ini[];

/*
 * Add the shipped default rules to rs.  Returns 0 or the error of the
 * first bad line (a bug: the defaults are tested).
 */
int rw_rules_load_defaults(struct rw_rules *rs, struct rw_err *err);

/*
 * Check every rule (required keys, `for` against `period`, template
 * placeholders) and compile every `when` with SQLite.  Call once, before
 * anything is written.  Returns 0, RW_ECONFIG "rule NAME: ..." (with the
 * position in `when` when SQLite gives one), RW_ENOMEM or RW_EDB.  After a
 * failure rs can only be freed.
 */
int rw_rules_compile(struct rw_rules *rs, struct rw_err *err);

/* ---- Evaluation ------------------------------------------------------ */

/* One flag of a run (a row of the flags table). */
struct rw_flag {
	uint32_t rep;			/* index into the dataset's reps */
	const char *rule;		/* the rule's name (owned by the rule set) */
	enum rw_category category;
	enum rw_severity severity;
	enum rw_grain grain;
	char period[32];		/* label of the period judged */
	char *message;			/* rendered template (owned) */
	char *evidence;			/* JSON object (owned) */
	char *values;			/* JSON object of the columns the rule read */
};

enum rw_plan_status {
	RW_PLAN_MET,
	RW_PLAN_ON_TRACK,
	RW_PLAN_AT_RISK,
	RW_PLAN_OFF_TRACK,
	RW_PLAN_PASSED,
	RW_PLAN_FAILED,
	RW_PLAN_NOT_STARTED,
	RW_PLAN_UNKNOWN		/* no current value yet */
};

const char *rw_plan_status_name(enum rw_plan_status s);

/* Score of one plan goal (a row of plan_progress).  NAN when undefined. */
struct rw_plan_score {
	size_t plan;			/* index into the dataset's plans */
	double baseline, current, target, progress, elapsed, projected;
	enum rw_plan_status status;
	double after;			/* mean since the plan ended, or NAN */
	int regression;			/* 1: fell back below baseline within
					 * three months after the end (the
					 * goal's last row only) */
	int checkpoint;			/* day (start = day 1) of the goal's
					 * latest row ended by as_of; 0: none */
	double checkpoint_target;	/* that row's target, or NAN */
};

/*
 * Inputs of SPEC section 5's plan formulas: days as_of, start and end, and
 * the values already reduced to numbers.  up is 1 when a larger value of
 * the metric is better.  Fills progress, elapsed and status of *sc
 * (baseline, current, target and projected must be set).
 */
void rw_plan_status_of(struct rw_plan_score *sc, int32_t as_of, int32_t start,
		       int32_t end, int up);

/*
 * One team finding (SPEC section 5), a row of team_findings.  The first row
 * of each team (notify = 1) is also the team's notification: category
 * structural, no rep, addressed to the manager, its message and values
 * covering every metric the team shifted on; its alert key is
 * (RW_TEAM_RULE, TEAM).
 */
struct rw_team_flag {
	size_t finding;			/* index of rw_results_finding() */
	const char *team;		/* the dataset's string */
	const char *manager;		/* the dataset's string, or NULL */
	const char *metric;		/* rw_metric_name() */
	enum rw_severity severity;
	char since[32];			/* label of the first period after it */
	const char *grain;		/* rw_grain_name() of the finding */
	double change, p;		/* as rw_team_finding's */
	int reps, reps_down;
	int notify;			/* 1: the team's notification */
	char *key;			/* the team (owned), when notify */
	char *message;			/* owned, when notify */
	char *values;			/* JSON object (owned), when notify */
};

/* The rule name of team findings in alerts and notifications; a
 * configured rule may not take it. */
#define RW_TEAM_RULE "team_shift"

struct rw_rules_out {
	struct rw_flag *flags;
	size_t nflags;
	struct rw_team_flag *teams;	/* one per team finding in the shard */
	size_t nteams;
	struct rw_plan_score *plans;
	size_t nplans;
	size_t per_category[RW_NCATS];
	size_t folded;			/* rep flags folded into team findings */
};

/*
 * Evaluate the compiled rules on a run's results and score the plans.
 * Returns 0 and *out (free with rw_rules_out_free), or RW_ENOMEM / RW_EDB
 * with *out untouched.
 */
int rw_rules_evaluate(struct rw_rules *rs, const struct rw_rules_opts *o,
		      const struct rw_dataset *ds, const struct rw_results *res,
		      struct rw_rules_out **out, struct rw_err *err);
void rw_rules_out_free(struct rw_rules_out *out);	/* NULL is a no-op */

/* Grain of a rule by name, or -1 when rs has no such rule. */
int rw_rules_grain(const struct rw_rules *rs, const char *rule);
/* Category of a rule by name, or -1. */
int rw_rules_category(const struct rw_rules *rs, const char *rule);
/* Name of the i-th rule (0 <= i < rw_rules_count), NULL out of range;
 * valid while rs lives. */
const char *rw_rules_name(const struct rw_rules *rs, size_t i);
/* enum rw_role of the i-th rule, -1 out of range. */
int rw_rules_role(const struct rw_rules *rs, size_t i);
/* 1 when the i-th rule judges the partial period (period = partial). */
int rw_rules_partial(const struct rw_rules *rs, size_t i);
/* After rw_rules_compile: the first metric (enum order) whose columns the
 * i-th rule's `when` reads (value, _z, _pct, trend, team median), or -1;
 * what a backtest follows after the rule fires. */
int rw_rules_metric(const struct rw_rules *rs, size_t i);
/* After rw_rules_compile: 1 when the i-th rule reads a column of a metric
 * computed from the activity export (rw_metric_needs_activities). */
int rw_rules_needs_activities(const struct rw_rules *rs, size_t i);

/* ---- Alert state (SPEC section 6) ------------------------------------ */

enum rw_alert_event {
	RW_EV_NONE,
	RW_EV_NEW,
	RW_EV_ESCALATED,
	RW_EV_REPEAT,
	RW_EV_RESOLVED
};

/* "new", "escalated", "repeat", "resolved"; NULL for RW_EV_NONE. */
const char *rw_alert_event_name(enum rw_alert_event ev);

/* State of one (rule, rep) alert; days are days since 1970-01-01. */
struct rw_alert_state {
	int known;			/* 0: never seen (other fields unused) */
	int firing;			/* 1 firing, 0 resolved */
	enum rw_severity severity;
	int32_t first_seen, last_seen, last_notified;	/* RW_NODAY when none */
};

/*
 * Advance alert *a by one run on day today: holds is 1 when the rule flags
 * the rep this run (with severity sev).  Returns the notification to send:
 * NEW when it starts firing (first_seen = today), ESCALATED when the
 * severity rose, REPEAT when it kept firing and repeat_days (> 0) have
 * passed since last_notified, RESOLVED when it stopped; NONE otherwise
 * (same night again, lower severity, still resolved).  last_notified is
 * set to today whenever an event is returned.
 */
enum rw_alert_event rw_alert_step(struct rw_alert_state *a, int holds,
				  enum rw_severity sev, int32_t today,
				  int repeat_days);

/* What a notification says (SPEC section 7's keys). */
struct rw_note {
	enum rw_alert_event event;
	const char *rule, *category, *severity;
	const char *rep, *rep_name, *team, *manager;	/* NULL -> null */
	const char *grain, *period;			/* NULL -> null */
	const char *values;		/* JSON object text, NULL -> {} */
	const char *message;
	int32_t first_seen;		/* RW_NODAY -> null */
	const char *state;		/* "firing" or "resolved" */
};

/*
 * One NDJSON line (with its trailing newline) for n, or NULL when out of
 * memory.  The caller frees it with rw_free().
 */
char *rw_note_json(const struct rw_note *n);

#endif
