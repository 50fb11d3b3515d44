/*
 * rules_int.h - declarations shared by the rules module's own .c files.
 */
#ifndef RW_RULES_INT_H
#define RW_RULES_INT_H

#include "rules.h"

#include <sqlite3.h>

/*
 * Columns of the rp table, in order: four keys, then per metric (enum
 * order) the value, _z, _pct, _slope, _slope_p, _change,
 * team_<metric>_median, _slope_q, _cp_size, _cp_q, _cp_change,
 * _shift_change and _shift_p, then tenure_days, on_plan and eligible
 * (rw_results_eligible, 0/1).
 */
enum rp_kind {
	RP_KEY_REP, RP_KEY_GRAIN, RP_KEY_K, RP_KEY_COMPLETE,
	RP_VALUE, RP_Z, RP_PCT, RP_SLOPE, RP_SLOPE_P, RP_CHANGE, RP_TEAM_MEDIAN,
	RP_SLOPE_Q, RP_CP_SIZE, RP_CP_Q, RP_CP_CHANGE, RP_SHIFT_CHANGE,
	RP_SHIFT_P, RP_TENURE, RP_ON_PLAN, RP_ELIGIBLE
};

#define RP_NKEYS 4
#define RP_PER_METRIC 13
#define RP_NCOLS (RP_NKEYS + RP_PER_METRIC * RW_NMETRICS + 3)

/* Kind of column i, and its metric for the per-metric kinds. */
enum rp_kind rp_col_kind(int i, int *metric);
/* Name of column i into out ("win_rate_slope_p", "_rep"). */
void rp_col_name(int i, char *out, size_t size);
/* Index of the column named name (case-insensitive), or -1. */
int rp_col_find(const char *name, size_t len);
/* What the message placeholder from open ('{') to close ('}') names:
 * RP_MSG_FOR for "{for}", else the column of "{name}" or "{name:pct}"
 * (*pct set for the latter), or -1.  The one reading of the template
 * grammar, for the check, the columns filled and the rendering. */
#define RP_MSG_FOR (-2)
int rp_msg_field(const char *open, const char *close, int *pct);

struct rw_rule {
	char *name;
	int category;		/* enum rw_category, -1 until set */
	int severity;		/* enum rw_severity, -1 until set */
	int grain;		/* enum rw_grain, -1 until set */
	char *when;
	int for_n;		/* consecutive periods (1) */
	char *message;		/* template, NULL: the rule's name */
	enum rw_role role;
	int partial;		/* 1: judged on the partial period */
	sqlite3_stmt *stmt;	/* compiled when */
	unsigned char reads[RP_NCOLS];	/* columns the expression reads */
	long line;		/* of its section in the config, 0: none */
};

/* The metrics ru reads a column of (value, trend, team companion, change
 * point or shift), as a bit set over enum rw_metric. */
uint64_t rp_rule_metrics(const struct rw_rule *ru);

struct rw_rules {
	struct rw_rule *rules;
	size_t n, cap;
	sqlite3 *db;		/* in-memory, holds rp */
	sqlite3_stmt *insert;	/* INSERT INTO rp */
	sqlite3_stmt *row;	/* SELECT * FROM rp by key */
	int compiled;
	struct rw_rule *compiling;	/* for the authorizer */
	char denied[160];	/* what the authorizer refused */
	int selects;		/* SELECTs met while preparing one when */
	char where[256];	/* the config file the rules came from */
	uint64_t budget;	/* VM steps one rule may take (rules_budget) */
	uint64_t steps;		/* taken so far by the rule running */
	uint64_t per_row;	/* 0: the shipped budget; else per_row * rows
				 * of rp and nothing more (tests) */
};

/*
 * Before rule ru runs: a budget of VM steps that grows with the rows of
 * rp, so that no `when` can hold a nightly run forever.  After
 * SQLITE_INTERRUPT, rules_budget_error() fills err naming the rule, the
 * configuration file and its line.
 */
void rules_budget_start(struct rw_rules *rs);
int rules_budget_error(struct rw_rules *rs, const struct rw_rule *ru,
		       struct rw_err *err);

/* Fill rp for the periods of each grain the rules judge.  0 or code. */
int rules_fill(struct rw_rules *rs, const struct rw_dataset *ds,
	       const struct rw_results *res, struct rw_err *err);

/* Score every plan goal of ds into out->plans; 0 or RW_ENOMEM. */
int rules_score_plans(const struct rw_dataset *ds, const struct rw_results *res,
		      struct rw_rules_out *out, struct rw_err *err);

/* Copy of s made with rw_malloc, or NULL. */
char *rules_strdup(const char *s);

#endif
