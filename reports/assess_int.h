/*
 * assess_int.h - what the assessment's files share (reports/assess.c
 * judges, assess_doc.c writes Markdown and HTML, assess_json.c JSON and
 * the plans.csv rows): the assessment itself and the key lookup.
 */
#ifndef RW_ASSESS_INT_H
#define RW_ASSESS_INT_H

#include "reports_int.h"

#include <stdio.h>

#define BASE_PERIODS 3	/* periods averaged into a goal's baseline */
#define MAX_GOALS 3	/* a plan a manager can follow: two or three goals */
#define NCHECK 3	/* checkpoints: a third, two thirds and all of the plan */
#define MIN_GAINS 8	/* windows needed before the best-quarter cap applies */
#define SHARE_FLOOR 0.05	/* a share's target stays off a perfect 0% ... */
#define SHARE_CEIL 0.95		/* ... and 100%: no one is asked for perfection */

struct checkpoint {
	int day;
	char date[16];
	double target;
};

struct goal {
	enum rw_key k;
	double baseline, target;
	double own, team, cap;	/* the candidates and the cap (NAN: none) */
	const char *basis;	/* which one set the target */
	struct checkpoint cp[NCHECK];
};

/* A plan goal of the rep, as the latest run that scored it left it. */
struct rplan {
	char *id, *metric, *status;
	double baseline, current, target, progress;
	int open;		/* scored by the latest run and not ended */
};

/* Why no goal is proposed (the first that applies). */
enum no_goal {
	NG_NONE,		/* goals proposed */
	NG_DEPARTED, NG_RAMPING, NG_ON_PLAN, NG_TOP, NG_NO_FLAG,
	NG_STRUCTURAL, NG_MEETS
};

struct assessment {
	const struct rw_report_data *d;
	const struct rw_rseries *s;
	size_t r;			/* the rep in d->reps */
	int team;			/* index in s->teams, or -1 */
	double median[RW_NKEYS];	/* team median in the report's period */
	double pct[RW_NKEYS];		/* the rep's percentile in the team */
	int declined[RW_NKEYS], low[RW_NKEYS], structural[RW_NKEYS];
	int flagged[RW_NKEYS];		/* 2: named as the flag's shortfall, 1: as a cause */
	int ndeclined, nstructural, nproblems;
	struct goal goals[MAX_GOALS];
	int ngoals;
	enum no_goal why;
	char deadline[16];
	struct rw_rflag *flags;		/* the rep's own flags */
	size_t nflags;
	int nserious, nrecognition;
	int ramp_days;
	int ramping, departed, top;
	char ramp_until[16];
	double activities;		/* calls + e-mails + meetings in the period */
	struct rplan *plans;
	size_t nplans;
};

/* The assessment in words (assess_doc.c), for every format: why no goal
 * is proposed ("" when goals are), the structural verdict ("" when
 * nothing declined), and the status line (departed, ramping, the sample
 * behind the period) into buf. */
const char *rw_assess_no_goal_text(const struct assessment *a, char *buf, size_t size);
const char *rw_assess_verdict_text(const struct assessment *a);
void rw_assess_status_text(const struct assessment *a, char *buf, size_t size);

/* The documents of an assessment judged by assess.c. */
void rw_assess_md(FILE *fp, const struct assessment *a);
void rw_assess_html(FILE *fp, const struct assessment *a);
int rw_assess_json(FILE *fp, const struct assessment *a, struct rw_err *err);
/* Append a's goals and checkpoints to fp as plans.csv rows (the header
 * first when fp is empty); nothing without goals. */
int rw_assess_emit_plan(FILE *fp, const struct assessment *a, struct rw_err *err);

#endif
