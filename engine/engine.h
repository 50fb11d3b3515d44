/*
 * engine.h - per-rep metrics and trends (SPEC sections 3-4).
 *
 * The engine works on plain data: a struct rw_dataset filled by its add
 * functions (ingest/ calls them; tests call them directly), and results read
 * through accessors.  It knows nothing of CSV, SQLite or reports.  Days,
 * grains and periods are common/calendar.h's.
 *
 * A metric value that is undefined (zero denominator, no data) is NAN in
 * memory; writers must store it as NULL and never print NaN.
 */
#ifndef RW_ENGINE_H
#define RW_ENGINE_H

#include "../common/common.h"

#include <stddef.h>
#include <stdint.h>

#define RW_NONE UINT32_MAX	/* "no index" for rep and opp references */

enum rw_status { RW_OPEN, RW_WON, RW_LOST };

enum rw_act_type { RW_CALL, RW_EMAIL, RW_MEETING, RW_OTHER, RW_NACTS };

/*
 * The metric table (SPEC section 4), one line per metric, in the spirit of
 * SQLite's opcode tables: the enum, the name table and every per-metric
 * property are generated from it, so adding a metric is adding a line here
 * and its computation in deal_metrics.c (docs/architecture.md).  Columns:
 *   id     - enum rw_metric is RW_M_<id>; the order is rep_metrics' column
 *            order, so a new metric goes last
 *   name   - SPEC's name: the rep_metrics column, the rule column, the
 *            rep_trends and team_baselines metric
 *   unit   - COUNT (whole numbers, stored INTEGER), RATIO (a share, printed
 *            as a percentage), MONEY (reporting currency), DAYS
 *   up     - 1 when a rise is an improvement, 0 when it is a deterioration
 *   weight - the denominator that weights its trend (rw_trend.wslope) and
 *            says how much evidence a period holds; NONE: not a ratio
 *   test   - how its change point is tested: SHARE, on the counts behind
 *            it (successes of the trials its weight counts: won of closed,
 *            followed up of due); MEAN, on the values (stale_share and
 *            icp_fit_share too: stale_share counts the same open deals
 *            period after period)
 *   act    - 1 when computed from the activity export: NAN for every rep
 *            without it (SPEC 4), and rules and reports must not read it
 *   sum    - 1 when the per-deal pass adds into it (a count, a sum, or the
 *            numerator of a ratio divided afterwards): it starts at 0 in
 *            every period; 0: computed afterwards, it starts NAN
 *   team   - 1 when team findings judge it (engine/team.c): results and the
 *            behaviour behind them.  Views of another metric (of below),
 *            quota, coverage and pipeline value are not: coverage and
 *            pipeline move with every quota change and quarter's cycle,
 *            which are policy and season, not a shift in how a team sells
 *   of     - the metric it is a view of (interval bounds, shrunk rate,
 *            projections, two-period pools): a rule's flag on it is judged
 *            with that metric (rules/eval.c); its own id otherwise
 *   batch  - the schema columns it came with: 1 is schema step 1's CREATE
 *            TABLE (frozen: never add to it); 2 and up are step 2's ALTER
 *            TABLE groups, each written as the values, then the _z and _pct
 *            (store/schema.c); a new metric takes a new batch of the newest
 *            unreleased step
 *   title  - its heading in reports
 */
#define RW_METRICS(X) \
/*  id                         name                         unit   up weight          test   act sum team of                         batch title */ \
  X(OPPS_CREATED,              "opps_created",              COUNT, 1, NONE,           MEAN,  0,  1,  1,   OPPS_CREATED,              1,     "opportunities created") \
  X(WON,                       "won",                       COUNT, 1, NONE,           MEAN,  0,  1,  0,   WON,                       1,     "won") \
  X(LOST,                      "lost",                      COUNT, 0, NONE,           MEAN,  0,  1,  0,   LOST,                      1,     "lost") \
  X(WIN_RATE,                  "win_rate",                  RATIO, 1, CLOSED,         SHARE, 0,  0,  1,   WIN_RATE,                  1,     "win rate") \
  X(WIN_RATE_LO,               "win_rate_lo",               RATIO, 1, NONE,           MEAN,  0,  0,  0,   WIN_RATE,                  1,     "win rate, low") \
  X(WIN_RATE_HI,               "win_rate_hi",               RATIO, 1, NONE,           MEAN,  0,  0,  0,   WIN_RATE,                  1,     "win rate, high") \
  X(WIN_RATE_SHRUNK,           "win_rate_shrunk",           RATIO, 1, NONE,           MEAN,  0,  0,  0,   WIN_RATE,                  1,     "win rate, shrunk") \
  X(REVENUE,                   "revenue",                   MONEY, 1, NONE,           MEAN,  0,  1,  1,   REVENUE,                   1,     "revenue") \
  X(AVG_DEAL_SIZE,             "avg_deal_size",             MONEY, 1, WON,            MEAN,  0,  0,  1,   AVG_DEAL_SIZE,             1,     "deal size") \
  X(CYCLE_DAYS,                "cycle_days",                DAYS,  0, WON,            MEAN,  0,  0,  1,   CYCLE_DAYS,                1,     "cycle") \
  X(QUOTA,                     "quota",                     MONEY, 1, NONE,           MEAN,  0,  0,  0,   QUOTA,                     1,     "quota") \
  X(ATTAINMENT,                "attainment",                RATIO, 1, QUOTA,          MEAN,  0,  0,  1,   ATTAINMENT,                1,     "attainment") \
  X(CALLS,                     "calls",                     COUNT, 1, NONE,           MEAN,  1,  1,  1,   CALLS,                     1,     "calls") \
  X(EMAILS,                    "emails",                    COUNT, 1, NONE,           MEAN,  1,  1,  1,   EMAILS,                    1,     "e-mails") \
  X(MEETINGS,                  "meetings",                  COUNT, 1, NONE,           MEAN,  1,  1,  1,   MEETINGS,                  1,     "meetings") \
  X(FIRST_MEETINGS,            "first_meetings",            COUNT, 1, NONE,           MEAN,  1,  1,  1,   FIRST_MEETINGS,            1,     "first meetings") \
  X(FOLLOWUP_RATIO,            "followup_ratio",            RATIO, 1, FOLLOWUP_DUE,   SHARE, 1,  1,  1,   FOLLOWUP_RATIO,            1,     "follow-up") \
  X(TOUCH_GAP_DAYS,            "touch_gap_days",            DAYS,  0, NONE,           MEAN,  1,  0,  1,   TOUCH_GAP_DAYS,            1,     "touch gap") \
  X(OPEN_OPPS,                 "open_opps",                 COUNT, 1, NONE,           MEAN,  0,  1,  0,   OPEN_OPPS,                 1,     "open deals") \
  X(PIPELINE_VALUE,            "pipeline_value",            MONEY, 1, NONE,           MEAN,  0,  1,  0,   PIPELINE_VALUE,            1,     "pipeline") \
  X(STALE_OPPS,                "stale_opps",                COUNT, 0, NONE,           MEAN,  1,  1,  0,   STALE_OPPS,                1,     "stale deals") \
  X(STALE_SHARE,               "stale_share",               RATIO, 0, OPEN,           MEAN,  1,  0,  1,   STALE_SHARE,               1,     "stale") \
  X(COVERAGE,                  "coverage",                  RATIO, 1, NONE,           MEAN,  0,  1,  0,   COVERAGE,                  1,     "coverage") \
  X(SALES_VELOCITY,            "sales_velocity",            MONEY, 1, NONE,           MEAN,  0,  0,  0,   SALES_VELOCITY,            1,     "velocity") \
  X(PROJECTED_REVENUE,         "projected_revenue",         MONEY, 1, NONE,           MEAN,  0,  0,  0,   REVENUE,                   1,     "projected revenue") \
  X(PROJECTED_ATTAINMENT,      "projected_attainment",      RATIO, 1, NONE,           MEAN,  0,  0,  0,   ATTAINMENT,                1,     "projected attainment") \
  X(ICP_FIT_SHARE,             "icp_fit_share",             RATIO, 1, ICP_KNOWN,      MEAN,  0,  1,  0,   ICP_FIT_SHARE,             1,     "ICP fit") \
  X(ATTAINMENT_LO,             "attainment_lo",             RATIO, 1, NONE,           MEAN,  0,  0,  0,   ATTAINMENT,                2,     "attainment, low") \
  X(ATTAINMENT_HI,             "attainment_hi",             RATIO, 1, NONE,           MEAN,  0,  0,  0,   ATTAINMENT,                2,     "attainment, high") \
  X(REVENUE_LO,                "revenue_lo",                MONEY, 1, NONE,           MEAN,  0,  0,  0,   REVENUE,                   2,     "revenue, low") \
  X(REVENUE_HI,                "revenue_hi",                MONEY, 1, NONE,           MEAN,  0,  0,  0,   REVENUE,                   2,     "revenue, high") \
  X(ATTAINMENT_2P,             "attainment_2p",             RATIO, 1, NONE,           MEAN,  0,  0,  0,   ATTAINMENT,                3,     "attainment, two periods") \
  X(ATTAINMENT_2P_LO,          "attainment_2p_lo",          RATIO, 1, NONE,           MEAN,  0,  0,  0,   ATTAINMENT,                3,     "attainment, two periods, low") \
  X(ATTAINMENT_2P_HI,          "attainment_2p_hi",          RATIO, 1, NONE,           MEAN,  0,  0,  0,   ATTAINMENT,                3,     "attainment, two periods, high") \
  X(WIN_RATE_2P,               "win_rate_2p",               RATIO, 1, NONE,           MEAN,  0,  0,  0,   WIN_RATE,                  4,     "win rate, two periods") \
  X(WIN_RATE_2P_LO,            "win_rate_2p_lo",            RATIO, 1, NONE,           MEAN,  0,  0,  0,   WIN_RATE,                  4,     "win rate, two periods, low") \
  X(WIN_RATE_2P_HI,            "win_rate_2p_hi",            RATIO, 1, NONE,           MEAN,  0,  0,  0,   WIN_RATE,                  4,     "win rate, two periods, high") \
  X(AVG_DAYS_TO_FIRST_MEETING, "avg_days_to_first_meeting", DAYS,  0, FIRST_MEETINGS, MEAN,  1,  1,  0,   AVG_DAYS_TO_FIRST_MEETING, 5,     "days to first meeting")

/*
 * Notes on the lines above.  projected_revenue and projected_attainment
 * have a value in the partial period only.  icp_fit_share is of the deals
 * created with a known icp_fit.  The intervals (_lo, _hi) are Jeffreys'
 * for win rates and Fay-Feuer's for revenue and attainment (see
 * rw_jeffreys, rw_gamma_interval).  attainment_2p and win_rate_2p pool this
 * period and the one before, so that a shortfall two periods long is
 * judged on both periods' deals together, not on each alone.
 * avg_days_to_first_meeting is the mean of first meeting day - created day
 * over the deals whose first meeting falls in the period; a first meeting
 * logged before the deal was created counts as 0 days (the deal was
 * opened after the conversation), so the mean is over exactly the deals
 * first_meetings counts.
 */
#define RW_METRIC_ENUM_(id, name, unit, up, weight, test, act, sum, team, of, \
			batch, title) RW_M_##id,
enum rw_metric {
	RW_METRICS(RW_METRIC_ENUM_)
	RW_NMETRICS
};
#undef RW_METRIC_ENUM_

/* How a metric's values are measured (the table's unit column). */
enum rw_metric_unit { RW_UNIT_COUNT, RW_UNIT_RATIO, RW_UNIT_MONEY, RW_UNIT_DAYS };

/*
 * The denominator of a ratio metric (the table's weight column): what its
 * weighted trend weighs each period by.  CLOSED: won + lost deals; WON:
 * won deals; QUOTA: the period's quota; FOLLOWUP_DUE: deals whose first
 * meeting is in the period and at least followup_days before as_of; OPEN:
 * deals open at the period's end; ICP_KNOWN: deals created with a known
 * icp_fit; FIRST_MEETINGS: deals whose first meeting is in the period.
 */
enum rw_metric_weight {
	RW_WEIGHT_NONE, RW_WEIGHT_CLOSED, RW_WEIGHT_WON, RW_WEIGHT_QUOTA,
	RW_WEIGHT_FOLLOWUP_DUE, RW_WEIGHT_OPEN, RW_WEIGHT_ICP_KNOWN,
	RW_WEIGHT_FIRST_MEETINGS
};

/* "win_rate", ...; NULL for an out-of-range value. */
const char *rw_metric_name(enum rw_metric m);
/* Report heading ("win rate"); NULL for an out-of-range value. */
const char *rw_metric_title(enum rw_metric m);
/* Unit (RW_UNIT_RATIO, a plain number, for an out-of-range value) and
 * trend weight (RW_WEIGHT_NONE for an out-of-range value). */
enum rw_metric_unit rw_metric_unit(enum rw_metric m);
enum rw_metric_weight rw_metric_weight(enum rw_metric m);
/*
 * Schema batch of metric m's rep_metrics columns (the table's batch
 * column): 1 for schema step 1, 2 and up for the groups of step 2; 0 for
 * an out-of-range value.
 */
int rw_metric_batch(enum rw_metric m);
/*
 * 1 when metric m is computed from the activity export (calls, emails,
 * meetings, first_meetings, followup_ratio, touch_gap_days, stale_opps,
 * stale_share, avg_days_to_first_meeting): without that export it is NAN for every rep (SPEC section
 * 4), and rules and reports must not read it.  0 otherwise.
 */
int rw_metric_needs_activities(enum rw_metric m);
/* 1 when a rise of metric m is an improvement (win rate), 0 when it is a
 * deterioration (cycle days, touch gap, stale share, lost deals); 1 for an
 * out-of-range value. */
int rw_metric_up_is_good(enum rw_metric m);
/* How metric m's change point is tested (the table's test column):
 * RW_TEST_SHARE on counts, RW_TEST_MEAN on values (also out of range). */
enum rw_metric_test { RW_TEST_MEAN, RW_TEST_SHARE };
enum rw_metric_test rw_metric_test(enum rw_metric m);
/* 1 when the per-deal pass adds into metric m, which so starts at 0 in
 * every period (the table's sum column); 0 otherwise or out of range. */
int rw_metric_is_sum(enum rw_metric m);
/* 1 when team findings judge metric m (the table's team column); 0
 * otherwise or out of range. */
int rw_metric_team_judged(enum rw_metric m);
/* The metric m is a view of (the table's of column: win_rate for
 * win_rate_lo, ...); m itself when it is no view, or out of range. */
enum rw_metric rw_metric_of(enum rw_metric m);
/* The metrics whose team finding speaks for a flag on m, as a bit set over
 * enum rw_metric: m's own (rw_metric_of), and for revenue and attainment
 * also their drivers, deals created, win rate and deal size; 0 out of
 * range. */
uint64_t rw_metric_team_covers(enum rw_metric m);
/* Index of a metric by its SPEC name, or -1. */
int rw_metric_find(const char *name);

/* ---- Settings -------------------------------------------------------- */

struct rw_settings {
	int32_t as_of;		/* day; data after it is ignored */
	int history_periods;	/* complete periods kept per grain (12) */
	int trend_periods;	/* complete periods in a trend (6) */
	int stale_days;		/* SPEC stale_opps threshold (14) */
	int followup_days;	/* SPEC followup_ratio window (30) */
	int ramp_days;		/* tenure under this is ramping (90) */
	double structural_margin;	/* a rep's change within this of its
					 * team's moved with the team (0.10) */
	int fiscal_start;	/* first month of fiscal year, 1-12 (1) */
	const char *stage_order;	/* "A, B, C" for conversions; NULL:
					 * derived from stage history */
	uint32_t shard_i, shard_n;	/* a run of the teams hashing to shard_i
					 * mod shard_n; shard_n 0: all teams */
};

/*
 * Sharding by team (SPEC section 8): FNV-1a (32 bits) over the bytes of
 * the team name; a team belongs to shard rw_team_hash(team) % n.  Stable
 * across machines and versions: the hash is part of the contract.
 */
uint32_t rw_team_hash(const char *team);
/* 1 when a rep of team belongs to the run's shard (always when unsharded). */
int rw_in_shard(const struct rw_settings *s, const char *team);

/* SPEC defaults; as_of is set to today (UTC). */
void rw_settings_default(struct rw_settings *s);

/* ---- Dataset --------------------------------------------------------- */

struct rw_rep {
	const char *id;		/* unique, never NULL */
	const char *name;	/* never NULL (id when unknown) */
	const char *email;	/* NULL when unknown */
	const char *team;	/* never NULL; "(unassigned)" for unknown owners */
	const char *manager;	/* NULL when unknown */
	int32_t hire_day;	/* RW_NODAY when unknown */
	int32_t end_day;	/* RW_NODAY while employed */
	int unassigned;		/* 1 when created for an owner not in reps.csv */
};

struct rw_opp {
	const char *id;		/* unique, never NULL */
	uint32_t rep;		/* owner: index into reps */
	int32_t created;	/* day, never RW_NODAY */
	int32_t closed;		/* close_date: actual for won/lost, expected
				 * for open deals; RW_NODAY when none */
	enum rw_status status;
	double amount;		/* in the reporting currency */
	const char *stage;	/* current stage or NULL */
	int icp_fit;		/* ideal customer profile: 0 unknown, 1 fits,
				 * 2 does not */
};

struct rw_target {
	uint32_t rep;		/* rep index, or RW_NONE for a team target */
	const char *team;	/* team name when rep == RW_NONE */
	enum rw_grain grain;	/* grain of the target's period */
	int32_t period;		/* period index under that grain */
	double target;		/* revenue */
};

/* One row of stage_history.csv: deal opp entered stage on day. */
struct rw_stage_entry {
	uint32_t opp;		/* index into opps */
	const char *stage;	/* as exported (trimmed) */
	int32_t day;
};

/*
 * One goal of an improvement plan (plans.csv): rep must bring metric (a
 * name of rw_metric_name) to target between start and end, both days
 * included.  baseline is NAN when the file gives none.
 */
struct rw_plan {
	const char *id;		/* plan_id; several goals may share it */
	uint32_t rep;
	int32_t start, end;
	const char *metric;
	double target;
	double baseline;
};

struct rw_dataset_fold;	/* activity fold state, private to the engine */

/*
 * The engine's input.  Arrays and strings belong to the dataset (its arena)
 * and stay valid until rw_dataset_free().  Fill it in this order: reps,
 * opportunities, targets, stage history and plans (any order among them), then
 * rw_dataset_begin_activities(), then activities.
 */
struct rw_dataset {
	struct rw_settings settings;
	struct rw_arena *arena;
	struct rw_rep *reps;
	size_t nreps, reps_cap;
	struct rw_opp *opps;
	size_t nopps, opps_cap;
	struct rw_target *targets;
	size_t ntargets, targets_cap;
	struct rw_stage_entry *stages;
	size_t nstages, stages_cap;
	struct rw_plan *plans;
	size_t nplans, plans_cap;
	struct rw_dataset_fold *fold;	/* NULL before begin_activities */
	uint64_t activities;		/* activities folded */
	uint64_t activities_ignored;	/* after as_of, or an invalid owner */
	uint64_t activities_other_shard;	/* of reps in other shards */
	int activities_given;	/* an activity export was read (even empty);
				 * 0: activity metrics are NAN (SPEC 4) */
	int32_t act_first, act_last;	/* earliest and latest day of an
					 * activity up to as_of (RW_NODAY: none) */
};

/* New empty dataset with a copy of *s.  NULL when out of memory. */
struct rw_dataset *rw_dataset_new(const struct rw_settings *s);
void rw_dataset_free(struct rw_dataset *ds);	/* NULL is a no-op */

/*
 * Append a rep / opportunity / target.  Strings are copied into the
 * dataset's arena; NULL optional strings stay NULL.  *idx (may be NULL)
 * receives the new index.  Returns 0 or RW_ENOMEM (dataset unchanged).
 * rw_dataset_add_opp() requires opp->rep < nreps.
 */
int rw_dataset_add_rep(struct rw_dataset *ds, const struct rw_rep *rep,
		       uint32_t *idx);
int rw_dataset_add_opp(struct rw_dataset *ds, const struct rw_opp *opp,
		       uint32_t *idx);
int rw_dataset_add_target(struct rw_dataset *ds, const struct rw_target *t);
/* Append a stage_history entry (e->opp < nopps) or a plan goal (p->rep <
 * nreps).  Returns 0 or RW_ENOMEM. */
int rw_dataset_add_stage(struct rw_dataset *ds, const struct rw_stage_entry *e);
int rw_dataset_add_plan(struct rw_dataset *ds, const struct rw_plan *p);

/*
 * Allocate the activity fold state (per-rep period counters and per-deal
 * touch bitmaps spanning created..min(close, as_of)).  Call once, after the
 * last rep and opportunity.  Returns 0 or RW_ENOMEM.
 */
int rw_dataset_begin_activities(struct rw_dataset *ds);

/*
 * A fold of part of the activities: part is a shallow copy of ds (same
 * reps, deals and settings, read only) whose fold was begun on its own,
 * fed with some of the rows.  merge adds it into ds's fold and counters
 * (the result is the same as folding those rows into ds), 0 or
 * RW_EINTERNAL when the two folds differ in layout; drop frees a fold.
 * Folding into ds and part at once from two threads is safe: neither
 * writes what the other reads.
 */
int rw_dataset_merge_activities(struct rw_dataset *ds, struct rw_dataset *part);
void rw_dataset_drop_activities(struct rw_dataset *ds);

/*
 * Fold one activity.  rep is the activity's owner (index), opp the linked
 * opportunity or RW_NONE.  Activities after as_of are ignored; nothing is
 * kept per activity, so memory does not grow with their number.
 */
void rw_dataset_add_activity(struct rw_dataset *ds, uint32_t rep, uint32_t opp,
			     int32_t day, enum rw_act_type type);

/*
 * Record that an activity export was given.  A dataset starts without one
 * (activities_given 0) so that a run without the export never reports zero
 * calls as if they had been counted; the reader of the export calls this
 * even when it has no rows, and rw_dataset_add_activity() implies it.
 */
void rw_dataset_set_activities_given(struct rw_dataset *ds);

/*
 * The days an export speaks for: up to its last dated event (up to
 * as_of), give or take slack days.  An export that stops early does not
 * describe the periods after it: their metrics are NAN, not counts of
 * zero, so an export cut at the end of July, or left from three months
 * ago, is no team-wide collapse in August (SPEC section 4: nothing from
 * data that isn't there).  The slack is the gap that the export's own
 * rate of events makes unlikely by chance (under one in a thousand for
 * events at a steady rate: ln 1000 / rate days), at least
 * RW_ACT_SLACK_DAYS for activities (a holiday week) and RW_DEAL_SLACK_DAYS
 * for deals (a quiet month of a small team).  Where an export starts is
 * not judged: periods before it read as zero, which no rule takes for a
 * decline.
 */
struct rw_span {
	int32_t first, last;	/* RW_NODAY: the export has no event */
	int32_t slack;		/* days */
};
#define RW_ACT_SLACK_DAYS 7
#define RW_DEAL_SLACK_DAYS 30
/* Activities: their days up to as_of (every shard's: a shard judges as
 * the whole run); no span when no export was given. */
void rw_dataset_activities_span(const struct rw_dataset *ds, struct rw_span *sp);
/* Deals: the created days and the won/lost close days up to as_of. */
void rw_dataset_deals_span(const struct rw_dataset *ds, struct rw_span *sp);
/* 1 when span sp reaches day (within its slack). */
int rw_span_reaches(const struct rw_span *sp, int32_t day);

/* ---- Results --------------------------------------------------------- */

struct rw_trend {
	int n;			/* points used; < 3 means no trend (rest NAN) */
	double slope, intercept, r2;
	double slope_p;		/* two-sided, Student t with n-2 d.o.f. */
	double slope_lo, slope_hi;	/* 95% interval of the slope */
	double wslope, wslope_p;	/* weighted by the denominator (ratios) */
	double ts_slope, mk_p;		/* Theil-Sen slope, Mann-Kendall p */
	double change;			/* mean(last half) / mean(first half) - 1 */
	int32_t cp_period;		/* first period after the shift, or RW_NODAY */
	double cp_size, cp_p;
	/* The shift relative to the level before it: after / before - 1
	 * (pooled counts for rates); NAN when no shift or a zero level. */
	double cp_change;
	/* At the rep's behaviour shift (rw_results_shift): this metric's
	 * change after / before - 1 and the one-sided p that it moved the
	 * bad way there; NAN when the rep has no shift or too few periods. */
	double shift_change, shift_p;
	/* Benjamini-Hochberg q-values of slope_p and of the change point's
	 * p (the best split's, significant or not) across the team's reps
	 * eligible at the last complete period (NAN for the others): the
	 * false discovery rate of the night's trend flags. */
	double slope_q, cp_q;
};

struct rw_results;

/*
 * Compute every metric of every rep for each grain over the history window
 * (the last history_periods complete periods plus the partial one that holds
 * as_of), then the trends over the last trend_periods complete periods.
 * On success returns 0 and *out (free with rw_results_free); on failure an
 * RW_E* code, err filled, *out untouched.
 */
int rw_engine_compute(const struct rw_dataset *ds, struct rw_results **out,
		      struct rw_err *err);
void rw_results_free(struct rw_results *res);	/* NULL is a no-op */

/*
 * A cache of the interval quantiles that several computes can share (one
 * process, one thread at a time): the results are bit for bit those of
 * rw_engine_compute, only the GSL calls a previous compute already made
 * are skipped.  rw_memo_new returns NULL when out of memory; NULL memo in
 * rw_engine_compute_memo is rw_engine_compute.
 */
struct rw_memo;
struct rw_memo *rw_memo_new(void);
void rw_memo_free(struct rw_memo *m);	/* NULL is a no-op */
int rw_engine_compute_memo(const struct rw_dataset *ds, struct rw_memo *memo,
			   struct rw_results **out, struct rw_err *err);

/* Periods computed for grain g: indexes first .. first + count - 1; the
 * last one is the partial period that holds as_of. */
int32_t rw_results_first_period(const struct rw_results *res, enum rw_grain g);
int rw_results_period_count(const struct rw_results *res, enum rw_grain g);

/* Value of metric m for rep r in the k-th period (0-based) of grain g;
 * NAN when undefined. */
double rw_results_value(const struct rw_results *res, uint32_t r,
			enum rw_grain g, int k, enum rw_metric m);

/*
 * 1 when the k-th period of grain g is rep r's: it does not end before the
 * hire day nor start after the end day (unknown days bound nothing).  A
 * period that is not the rep's has every metric NAN and feeds no trend,
 * baseline or rule.  0 for invalid arguments.
 */
int rw_results_rep_period(const struct rw_results *res, uint32_t r,
			  enum rw_grain g, int k);

/*
 * 1 when rep r counts in the team baselines of the k-th period of grain g
 * and can be judged by a lagging rule for it: out of ramp for the whole
 * period (tenure at the period's first day at least ramp_days; unknown
 * hire day: eligible), not departed (end day unknown, or on or after the
 * period's last day, as_of for the partial one) and not an unassigned
 * owner.  The one definition of eligibility: baselines, rep_metrics'
 * eligible column and the rules' view all read it.  0 for invalid args.
 */
int rw_results_eligible(const struct rw_results *res, uint32_t r,
			enum rw_grain g, int k);

/* Trend of metric m for rep r under grain g (never NULL for valid args). */
const struct rw_trend *rw_results_trend(const struct rw_results *res,
					uint32_t r, enum rw_grain g,
					enum rw_metric m);

/*
 * Team baselines (SPEC section 4): per team and for the whole company, per
 * grain, period and metric, over the team's reps eligible for the period
 * (rw_results_eligible) with a value.
 * Quantiles are R's type 7 (linear interpolation, as GSL's
 * gsl_stats_quantile_from_sorted_data); mad is the unscaled median absolute
 * deviation.  n == 0 means no baseline (the rest NAN).
 */
struct rw_baseline {
	int n;
	double median, mad, p25, p75;
};

/* Teams with a baseline: rw_results_team_count() - 1 teams, then the
 * company, named "*". */
size_t rw_results_team_count(const struct rw_results *res);
/* Team name (a string of the dataset: valid while it lives); NULL when t
 * is out of range. */
const char *rw_results_team_name(const struct rw_results *res, size_t t);
/* Team number of rep r (the company's number is never returned). */
size_t rw_results_rep_team(const struct rw_results *res, uint32_t r);
/* Baseline of team t for metric m in the k-th period of grain g; NULL when
 * out of range. */
const struct rw_baseline *rw_results_baseline(const struct rw_results *res,
					      size_t t, enum rw_grain g, int k,
					      enum rw_metric m);
/*
 * Robust z-score (x - median) / (1.4826 MAD) of rep r's value against its
 * team's baseline (NAN when the value or the baseline is missing or MAD is
 * 0), and its percentile within the team, 0-100: 100 (below + equal / 2)
 * / n over the baseline's values.  Ramping and departed reps get both too,
 * measured against the eligible reps.
 */
double rw_results_z(const struct rw_results *res, uint32_t r, enum rw_grain g,
		    int k, enum rw_metric m);
double rw_results_pct(const struct rw_results *res, uint32_t r, enum rw_grain g,
		      int k, enum rw_metric m);

/*
 * Stage conversions (SPEC section 4, conv_<A>_<B>): one pair per two
 * consecutive stages of the stage order (settings.stage_order, else the
 * order the stage history shows: stages by their mean position in each
 * deal's history; stages named "...lost..." are not steps).  Of the deals
 * that first entered A in a period, the share that entered B or a later
 * stage of the order on or after that day (a won deal has reached every
 * stage), by as_of.  Without any stage history, a deal's created day is
 * its entry into every stage up to its current one.
 */
size_t rw_results_conv_count(const struct rw_results *res);
/* "conv_<a>_<b>" (stage names lower-cased, runs of other characters "_"),
 * and the two stages as named in the data.  NULL when i is out of range. */
const char *rw_results_conv_name(const struct rw_results *res, size_t i);
const char *rw_results_conv_from(const struct rw_results *res, size_t i);
const char *rw_results_conv_to(const struct rw_results *res, size_t i);
/* Deals that entered, and of them reached, for rep r, grain g, k-th
 * period; the conversion is reached / entered (NULL when entered is 0). */
void rw_results_conv(const struct rw_results *res, uint32_t r, enum rw_grain g,
		     int k, size_t i, double *entered, double *reached);

/* ---- Team findings (SPEC section 5, "Structural, not personal") ------ */


/*
 * A shift most of a team's judged reps made together on one metric, found
 * over every kept complete month (engine/team.c says how it is tested).
 * since is the period index (month grain) of the first period after the
 * shift; change the median of the reps' relative changes (-0.3 = down
 * 30%); p the test's p-value, adjusted across the night's teams; reps the
 * reps with a change on both sides, reps_down those that moved the bad way.
 */
struct rw_team_finding {
	size_t team;		/* team number (rw_results_team_name) */
	enum rw_grain grain;
	enum rw_metric metric;
	int32_t since;
	double change, p;
	int reps, reps_down;
	/* How far the reps' own changes scatter around the team's: 1.4826
	 * times their median absolute deviation from change (engine only,
	 * not stored). */
	double spread;
};

size_t rw_results_finding_count(const struct rw_results *res);
/* The i-th finding, NULL when out of range; valid while res lives. */
const struct rw_team_finding *rw_results_finding(const struct rw_results *res,
						 size_t i);
/* Index of the finding of team on metric m, or -1. */
long rw_results_finding_find(const struct rw_results *res, size_t team,
			     enum rw_metric m);
/* Rep r's own relative change at finding i's split (NAN when r has fewer
 * than two judged values on a side). */
double rw_results_finding_rep_change(const struct rw_results *res,
				     const struct rw_dataset *ds, size_t i,
				     uint32_t r);
/*
 * 1 when rep r's team has a finding on metric m and r moved with it.  The
 * rep fell beyond the team (0) only when its own change at the split is
 * worse than the team's by more than structural_margin and the gap is
 * more than chance: for the win rate, the rep's deals after the split
 * against its rate before scaled by the team's change (one-sided z, p <
 * 0.05); for other metrics, more than twice the spread of the team's reps
 * around the team's change.  A rep with too little history on a side moved
 * with the team.  Such a rep's flags on m are the team's, not the rep's.
 */
int rw_results_moved_with_team(const struct rw_results *res,
			       const struct rw_dataset *ds, uint32_t r,
			       enum rw_metric m);

/* ---- Statistics used by the engine, exposed for tests ---------------- */



/* Baseline of v[0..n) (NAN entries skipped; v is reordered). */
void rw_baseline_of(double *v, size_t n, struct rw_baseline *b);
/* Percentile 0-100 of x among sorted s[0..n), ties counting half. */
double rw_percentile_rank(const double *s, size_t n, double x);

/*
 * Jeffreys 95% interval for won successes and lost failures (SPEC section
 * 4): quantiles 0.025 and 0.975 of Beta(won + 1/2, lost + 1/2), lo = 0 when
 * won = 0 and hi = 1 when lost = 0.  Returns 0, or -1 (outputs NAN) when
 * won + lost == 0 or GSL fails.
 */
int rw_jeffreys(double won, double lost, double *lo, double *hi);

/*
 * Fay-Feuer gamma interval (Fay and Feuer 1997, Stat Med 16:791-801) for
 * the mean of a weighted sum of Poisson counts: y = sum of the weights
 * x_i, v = sum of x_i^2, wm the largest single weight.  lo =
 * GammaInv(0.025; shape y^2/v, scale v/y), 0 when y = 0; hi =
 * GammaInv(0.975; shape (y+wm)^2/(v+wm^2), scale (v+wm^2)/(y+wm)).  With n
 * equal weights w it is w times the exact Garwood Poisson interval.
 * Returns 0, or -1 (outputs NAN) for negative or non-finite input, wm <= 0,
 * or a GSL failure.
 */
int rw_gamma_interval(double y, double v, double wm, double *lo, double *hi);

/* rw_jeffreys and rw_gamma_interval through memo m (engine/memo.c): the
 * same outputs and return; m NULL calls them directly. */
int rw_memo_jeffreys(struct rw_memo *m, double won, double lost, double *lo,
		     double *hi);
int rw_memo_gamma_interval(struct rw_memo *m, double y, double v, double wm,
			   double *lo, double *hi);

/*
 * One pre-specified split (no search, so no multiplicity factor), tested
 * one-sided: lower != 0 asks whether the values after the split are lower
 * than before, lower == 0 whether they are higher.
 * rw_split_test_mean: y[0..split) against y[split..n) with Welch's t
 * (Welch-Satterthwaite d.o.f.), at least 2 values a side, no NAN; *change
 * = (mean after - mean before) / |mean before| (NAN when it is 0).
 * rw_split_test_prop: successes x[i] of t[i] trials pooled each side,
 * two-proportion z with the pooled rate; *change = rate after / rate
 * before - 1 (NAN when the rate before is 0); p = 1 when the pooled rate
 * is 0 or 1.  Both return 0, or -1 (outputs NAN) when untestable.
 */
int rw_split_test_mean(const double *y, size_t n, size_t split, int lower,
		       double *change, double *p);
int rw_split_test_prop(const double *x, const double *t, size_t n, size_t split,
		       int lower, double *change, double *p);

/*
 * Rep r's behaviour shift at grain g (engine/shift.c): the first period
 * after the most significant change point of an activity-export metric
 * that moved the bad way by 30% or more (cp_q < 0.05), with that metric in
 * *metric (may be NULL); RW_NODAY when there is none.  The trends'
 * shift_change and shift_p test every metric at that split.
 */
int32_t rw_results_shift(const struct rw_results *res, uint32_t r, enum rw_grain g,
			 enum rw_metric *metric);

/*
 * Benjamini-Hochberg adjusted p-values (Benjamini and Hochberg 1995), as
 * R's p.adjust(method = "BH"): q_(i) = min over j >= i of min(1, p_(j) m / j)
 * over the m finite entries of p[0..n) sorted ascending.  NAN entries are
 * not tests: their q is NAN.  Returns 0 or RW_ENOMEM (q untouched).
 */
int rw_bh_adjust(const double *p, size_t n, double *q);

/*
 * Single mean shift in y[0..n) (n at most RW_CP_MAX, no NAN): the split
 * minimising the within-segment sum of squares, each side at least
 * RW_CP_MINSEG points, tested with Welch's t; p multiplied by the
 * n + 1 - 2 RW_CP_MINSEG candidate splits (Bonferroni).  Returns the index
 * of the first point after the shift when p < 0.05, else -1.  *size (mean
 * after - mean before) and *p are set for the best split even when it is
 * not significant (NAN when n < 2 RW_CP_MINSEG).
 */
int rw_change_point(const double *y, size_t n, double *size, double *p);

/* Most points a change point search uses (the last ones of the history). */
#define RW_CP_MAX 1024

/* Fewest periods on each side of a change point: a quarter at month grain.
 * Two lumpy months after a good one (a rep's revenue of 0 and 13,500 after
 * 166,900) pass Welch's t on their own small variance; a shift has to
 * last before it is one. */
#define RW_CP_MINSEG 3

/*
 * Single shift in a proportion: x[i] successes of t[i] > 0 trials per
 * period, in time order (n at most RW_CP_MAX).  The split (each side at
 * least RW_CP_MINSEG periods) is the one with the largest two-proportion z
 * of the pooled rates after against before, tested two-sided and
 * multiplied by the n + 1 - 2 RW_CP_MINSEG candidate splits (Bonferroni).  A rate's change is judged on
 * its deals, not on monthly rates a two-deal month would sway.  Returns
 * the index of the first period after the shift when p < 0.05, else -1;
 * *size (rate after - rate before) and *p are set for the best split
 * (NAN when no split can be tested).
 */
int rw_change_point_prop(const double *x, const double *t, size_t n,
			 double *size, double *p);

/*
 * Ordinary least squares y = intercept + slope * x over the n points whose
 * y is not NAN (w == NULL), filling n, slope, intercept, r2, slope_p,
 * slope_lo and slope_hi of *t; with weights w (points with w <= 0 or NAN
 * skipped) fills wslope and wslope_p instead.  Fewer than 3 points: the
 * fields stay NAN.
 */
void rw_trend_ols(const double *x, const double *y, const double *w, size_t n,
		  struct rw_trend *t);

#endif
