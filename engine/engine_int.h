/*
 * engine_int.h - declarations shared by the engine's own .c files only.
 */
#ifndef RW_ENGINE_INT_H
#define RW_ENGINE_INT_H

#include "engine.h"

/* Activity counters kept per rep and period: calls, emails, meetings. */
#define RW_FOLD_NTYPES 3

/*
 * The activity fold (fold.c).  Its size follows reps x periods and deals,
 * never the number of activities:
 *  - counts: per rep, grain, period of the grain's window, type;
 *  - meet1/meet2: per deal, the earliest meeting day and the earliest
 *    meeting day strictly after it (a second meeting the same day is not a
 *    follow-up);
 *  - touch bitmaps: per deal, one bit per day from max(created, clip) to
 *    the deal's touch end (see rw_fold_span), word-aligned per deal; the
 *    created day is always a touch.  Touches before clip (the first day of
 *    the earliest window of any grain) only matter as "the touch before",
 *    so they are kept as one day per deal in before[].
 */
struct rw_dataset_fold {
	int32_t first[RW_NGRAINS];	/* first period index of each window */
	int nper[RW_NGRAINS];		/* periods per window: history + 1 */
	size_t off[RW_NGRAINS];		/* a grain's first slot in a rep row */
	size_t row;			/* periods per rep, all grains */
	size_t nreps, nopps;		/* sizes when the fold began */
	int32_t as_of;
	int32_t clip;			/* first day with a bitmap bit */
	uint32_t *counts;		/* [rep][row][RW_FOLD_NTYPES] */
	int32_t *meet1, *meet2;		/* per deal, RW_NODAY when none */
	int32_t *before;		/* last touch day < clip, or RW_NODAY */
	size_t *word_off;		/* per deal + 1: first word in bits */
	uint64_t *bits;
	unsigned char *keep;		/* [rep] in the run's shard; NULL: all */
	int32_t last_day;		/* the day last folded, RW_NODAY at first, */
	int64_t last_k[RW_NGRAINS];	/* and its slot in each window: exports
					 * come mostly in date order */
};

/* Free the activity fold state (fold.c).  NULL is a no-op. */
void rw_fold_free(struct rw_dataset_fold *f);

/*
 * The days a deal can be touched: from its created day to min(close day
 * when won or lost, as_of), both included.  Returns the number of days in
 * the bitmap span and sets *start to its first day (max(created, clip));
 * 0 when the deal has no bitmap (created after as_of, or closed before
 * clip).  *end always receives the last touchable day (< created when the
 * deal is not touchable at all).
 */
size_t rw_fold_span(int32_t clip, int32_t as_of, const struct rw_opp *o,
		    int32_t *start, int32_t *end);

/*
 * Walk the touch days of deal i in increasing order: *day starts at
 * RW_NODAY; each call sets it to the next touch day and returns 1, or
 * returns 0 when there is none.  The first day returned may be the kept
 * touch before the bitmap (before[i]).  f may be NULL (no activities
 * folded): the created day is then the only touch (when it is on or
 * before as_of and the close day).
 */
int rw_fold_next_touch(const struct rw_dataset_fold *f, int32_t as_of,
		       const struct rw_opp *o, uint32_t i, int32_t *day);

/*
 * The last touch day of deal i before limit, one that rw_fold_next_touch
 * walks through: sets *day and returns 1, or sets *day to RW_NODAY and
 * returns 0 when no touch is before limit.  Walking on from *day (from
 * RW_NODAY when 0) gives the touches on or after limit, so a walk that
 * only needs those skips the earlier ones.  Returns -1 (*day RW_NODAY)
 * when the fold cannot tell: limit on or before f->clip with the kept
 * touch before clip not before limit.
 */
int rw_fold_last_touch(const struct rw_dataset_fold *f, int32_t as_of,
		       const struct rw_opp *o, uint32_t i, int32_t limit,
		       int32_t *day);

/* Counter of type t (RW_CALL, RW_EMAIL, RW_MEETING) for rep r, grain g,
 * k-th period of the grain's window; 0 when f is NULL. */
uint32_t rw_fold_count(const struct rw_dataset_fold *f, uint32_t r,
		       enum rw_grain g, int k, int t);

/* Median of sorted a[0..n), mean of the two middle values when n is even.
 * NAN when n == 0. */
double rw_median_sorted(const double *a, size_t n);

/* Robust trend parts (stats.c) over points (x[i], y[i]), i < n, none NAN:
 * Theil-Sen slope, Mann-Kendall p, change, single mean-shift change point.
 * Fills ts_slope, mk_p, change, cp_size, cp_p of *t and *cp_index (the
 * index of the first point after the shift, or -1). */
void rw_trend_robust(const double *x, const double *y, size_t n,
		     struct rw_trend *t, int *cp_index);

/*
 * The results behind struct rw_results: values [rep][k][metric] and trends
 * [rep][metric] per grain (metrics.c and the files of metrics_int.h), team
 * baselines [team][k][metric] with team nteams the whole company, and each
 * value's robust z-score and percentile within its team [rep][k][metric]
 * (baseline.c).
 */
struct rw_results {
	size_t nreps;
	int32_t first[RW_NGRAINS];	/* first period index of each window */
	int count[RW_NGRAINS];		/* periods per window */
	double *vals[RW_NGRAINS];
	struct rw_trend *trends[RW_NGRAINS];
	size_t nteams;			/* teams, the company row not counted */
	const char **team_names;	/* [nteams + 1]; the last is "*" */
	uint32_t *rep_team;		/* [rep]: team number */
	struct rw_baseline *base[RW_NGRAINS];
	double *z[RW_NGRAINS], *pct[RW_NGRAINS];
	unsigned char *mine[RW_NGRAINS];	/* [rep][k]: rw_results_rep_period */
	unsigned char *elig[RW_NGRAINS];	/* [rep][k]: rw_results_eligible */
	size_t nconv;			/* stage pairs */
	char **conv_names;		/* [nconv] "conv_a_b", owned */
	const char **conv_from, **conv_to;	/* [nconv], the dataset's */
	uint32_t *conv[RW_NGRAINS];	/* [rep][k][pair][2]: entered, reached */
	struct rw_team_finding *findings;	/* team.c */
	size_t nfindings;
	struct rw_shift {			/* shift.c: per rep */
		int32_t period;			/* RW_NODAY: none */
		int metric;			/* -1: none */
	} *shift[RW_NGRAINS];
};

/* Every rep's behaviour shift and its metrics tested there (shift.c), once
 * every grain's trends and q-values and the team findings are computed.
 * 0 or RW_ENOMEM. */
int rw_shifts_compute(struct rw_results *res, const struct rw_dataset *ds);

/* Team findings of the run (team.c), once every grain's values are
 * computed.  Returns 0 or RW_ENOMEM. */
int rw_team_findings_compute(struct rw_results *res, const struct rw_dataset *ds);

/* Stage conversions of every grain (conversion.c); after the windows are
 * set.  Returns 0 or RW_ENOMEM. */
int rw_conversions_compute(struct rw_results *res, const struct rw_dataset *ds);

/*
 * Team baselines, z-scores and percentiles of grain g (baseline.c), once
 * the grain's values and res->elig[g] are computed.  res->nteams,
 * team_names and rep_team must be set.  Returns 0 or RW_ENOMEM.
 */
int rw_baselines_compute(struct rw_results *res, const struct rw_dataset *ds,
			 enum rw_grain g);

/* Largest number of points a trend uses (trend_periods is capped). */
#define RW_TREND_MAX 64

/*
 * Sort the n keys of a ascending, using tmp (room for n keys) as scratch:
 * LSD radix sort by bytes, skipping a byte that every key shares (the high
 * bytes of a period number and of a biased day count mostly are), so a
 * rep's median keys take a few linear passes instead of qsort's n log n
 * callbacks; insertion sort under RW_RADIX_MIN keys (sort.c).
 */
void rw_sort_u64(uint64_t *a, size_t n, uint64_t *tmp);

/*
 * Sort the n finite values of a ascending as a stable sort with the usual
 * < would (-0 and +0 equal, kept in their order), using tmp (room for n)
 * as scratch: LSD radix sort on an order-preserving key, insertion sort
 * for short arrays (sort.c).
 */
void rw_sort_double(double *a, size_t n, double *tmp);

#endif
