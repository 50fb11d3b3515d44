/*
 * team.c - team findings (SPEC section 5, "Structural, not personal"): a
 * shift that most of a team's reps made together is one finding about the
 * team, not a flag on each of its reps.  This is the one definition of
 * "structural" in repwatch: rules fold the rep flags it covers, and the
 * reports and the assessment read the stored findings.
 *
 * For each team, metric and the month grain, over every kept complete
 * period (so a shift up to history_periods ago is found):
 *   - the split is the single mean shift of the team's level (the mean of
 *     its judged reps' values per period) that leaves the least squared
 *     error, with at least RW_TEAM_MIN_BEFORE periods before it and
 *     RW_TEAM_MIN_AFTER after it;
 *   - at that split every judged rep gets its own change d = mean(after) -
 *     mean(before) over the periods that are the rep's and spent out of
 *     ramp (at least two on each side);
 *   - p is the one-sided p-value of the one-sample t test that d is bad
 *     on average (n - 1 d.o.f.) or, for the win rate, of the
 *     Cochran-Mantel-Haenszel test on the reps' deals (cmh_bad, without
 *     reps that fell beyond the team), times the number of candidate splits
 *     (Bonferroni: the split was chosen to fit), and a team's p-values
 *     of the night are then adjusted across its metrics by
 *     Benjamini-Hochberg (a team's family does not depend on which other
 *     teams share the run, so a shard finds what the whole run finds);
 *   - a finding needs adjusted p < RW_TEAM_ALPHA (a false discovery rate
 *     of 5% among a team's findings), at least
 *     RW_TEAM_MIN_REPS reps, two thirds of them moving the bad way (a sign
 *     of "most of the team"), and the typical rep's relative change (the
 *     median) of RW_TEAM_MIN_CHANGE or more: smaller drifts (a few percent
 *     fewer e-mails after a tool change) are not worth the manager's note.
 * A rep moved with the finding unless its own relative change at the
 * split is worse than the team's by more than structural_margin and by
 * more than chance (rw_results_moved_with_team): a team's reps scatter
 * around a common shift, and a rep of forty deals a quarter is 20 points
 * off the team's change by luck alone.
 */
#include "engine.h"
#include "engine_int.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RW_TEAM_MIN_BEFORE 3
#define RW_TEAM_MIN_AFTER 3
#define RW_TEAM_MIN_REPS 4
#define RW_TEAM_ALPHA 0.05
#define RW_TEAM_MIN_CHANGE 0.20	/* the typical rep moved 20% or more */
#define RW_TEAM_MAXP 256	/* periods searched at most */
#define RW_TEAM_BEYOND_P 0.05	/* a rep's gap to the team beyond chance,
				   over all the finding's reps */

/*
 * The metrics a team can shift on: results and the behaviour behind them.
 * Interval bounds, shrunk rates, quota and the projection are derived
 * from these and would only repeat a finding; coverage and pipeline value
 * move with every quota change and every quarter's pipeline cycle, which
 * are policy and season, not a shift in how the team sells.
 */
static int judged_metric(enum rw_metric m)
{
	return rw_metric_team_judged(m);
}

/* Work space of one team and metric. */
struct twork {
	uint32_t *members;	/* the team's judged reps */
	size_t nm;
	double *d, *rel;	/* per member: change at a split; NAN none */
};

/*
 * Weight of a ratio's value in a segment mean: its denominator, so that a
 * segment's win rate is won / closed over the segment, not a mean of
 * monthly rates that a month of two deals would sway.  1 for counts and
 * for ratios whose denominator is not kept.
 */
static double seg_weight(const struct rw_results *res, uint32_t r, enum rw_grain g,
			 int k, enum rw_metric m)
{
	switch (rw_metric_weight(m)) {
	case RW_WEIGHT_CLOSED:
		return rw_results_value(res, r, g, k, RW_M_WON) +
		       rw_results_value(res, r, g, k, RW_M_LOST);
	case RW_WEIGHT_WON:
		return rw_results_value(res, r, g, k, RW_M_WON);
	case RW_WEIGHT_QUOTA:
		return rw_results_value(res, r, g, k, RW_M_QUOTA);
	case RW_WEIGHT_OPEN:
		return rw_results_value(res, r, g, k, RW_M_OPEN_OPPS);
	case RW_WEIGHT_FIRST_MEETINGS:
		return rw_results_value(res, r, g, k, RW_M_FIRST_MEETINGS);
	default:
		return 1;	/* not a ratio, or its denominator is not kept */
	}
}

/* Does rep r's period k of grain g count in a segment of metric m (judged,
 * with a value and a positive weight)?  If so, *v and *w are those. */
static int seg_value(const struct rw_results *res, uint32_t r, enum rw_grain g,
		     int k, enum rw_metric m, double *v, double *w)
{
	*v = rw_results_value(res, r, g, k, m);
	*w = seg_weight(res, r, g, k, m);
	return isfinite(*v) && isfinite(*w) && *w > 0 && rw_results_eligible(res, r, g, k);
}

/* Weighted mean of rep r's values of metric m in periods [k0, k1) that are
 * judged; NAN unless at least two. */
static double rep_mean(const struct rw_results *res, uint32_t r, enum rw_grain g,
		       enum rw_metric m, int k0, int k1)
{
	double s = 0, sw = 0;
	int n = 0;

	for (int k = k0; k < k1; k++) {
		double v, w;

		if (seg_value(res, r, g, k, m, &v, &w)) {
			s += w * v;
			sw += w;
			n++;
		}
	}
	return n >= 2 ? s / sw : NAN;
}

/* Each member's relative change at split s into w->rel (signed as the
 * metric moves) and w->d (the same, the bad direction positive); a rep
 * whose level before is not positive has none.  Returns how many are
 * defined. */
static size_t split_changes(const struct rw_results *res, struct twork *w,
			    enum rw_grain g, enum rw_metric m, int s, int K)
{
	int up = rw_metric_up_is_good(m);
	size_t n = 0;

	for (size_t i = 0; i < w->nm; i++) {
		double a = rep_mean(res, w->members[i], g, m, 0, s);
		double b = rep_mean(res, w->members[i], g, m, s, K);

		w->d[i] = w->rel[i] = NAN;
		if (!isfinite(a) || !isfinite(b) || !(a > 0))
			continue;
		/* Relative, so that a big rep's revenue does not outweigh a
		 * small one's: the question is whether most reps moved. */
		w->rel[i] = b / a - 1;
		w->d[i] = up ? -w->rel[i] : w->rel[i];
		n++;
	}
	return n;
}

/* One-sample t of the defined d[] (bad direction positive); -INFINITY
 * when undefined.  *n receives the count. */
static double t_stat(const double *d, size_t nm, size_t *n)
{
	double mean = 0, ss = 0;
	size_t c = 0;

	for (size_t i = 0; i < nm; i++)
		if (isfinite(d[i])) {
			mean += d[i];
			c++;
		}
	*n = c;
	if (c < 2)
		return -INFINITY;
	mean /= (double)c;
	for (size_t i = 0; i < nm; i++)
		if (isfinite(d[i]))
			ss += (d[i] - mean) * (d[i] - mean);
	if (ss == 0)
		return mean > 0 ? INFINITY : -INFINITY;
	return mean / sqrt(ss / (double)(c - 1) / (double)c);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of the defined values of v[0..n) (reordered scratch in tmp). */
static double median_defined(const double *v, size_t n, double *tmp)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]))
			tmp[c++] = v[i];
	qsort(tmp, c, sizeof(*tmp), cmp_double);
	return rw_median_sorted(tmp, c);
}

/*
 * Is metric m a share whose trials team.c can count (seg_weight keeps its
 * denominator)?  Such a metric is tested on its counts, as a rep's change
 * point is (rw_change_point_prop): the win rate, won of closed.
 */
static int counted_share(enum rw_metric m)
{
	return rw_metric_test(m) == RW_TEST_SHARE && rw_metric_weight(m) == RW_WEIGHT_CLOSED;
}

static int win_rate_beyond(const struct rw_results *res, uint32_t r,
			   const struct rw_team_finding *f);

/*
 * The level at which one rep's gap to finding f is beyond chance: every
 * rep of the team is asked, so RW_TEAM_BEYOND_P is shared among them
 * (Bonferroni).  In a team of fourteen that fell together, one rep 2.3
 * standard errors under the team's change is what chance gives; calling
 * it personal would make it a PIP candidate for the team's drop.
 */
static double beyond_p(const struct rw_team_finding *f)
{
	return RW_TEAM_BEYOND_P / (f->reps > 1 ? f->reps : 1);
}

/*
 * Cochran-Mantel-Haenszel statistic of a share across the members at
 * finding f's split (one 2x2 table per rep: successes and failures,
 * before and after), signed so that a move the bad way is positive, and
 * divided by the square root of the dispersion phi (at least 1): the
 * Pearson chi-square of each rep's periods around its own segment's
 * share, over its degrees of freedom, so that months that vary more than
 * binomial draws would (a rep's good and bad months) do not pass for
 * evidence.  Each rep is its own stratum, so reps of different levels
 * are not pooled into a mix.  A rep that fell beyond the team (as
 * rw_results_moved_with_team judges it: worse than f's change by more
 * than margin and beyond chance) is left out: its fall is its own, and a
 * pooled statistic would otherwise rest on one rep's collapse while the
 * others' chance dips meet the "most reps moved" count.  -INFINITY when
 * no rep has both segments and a success and a failure.
 */
static double cmh_bad(const struct rw_results *res, const struct twork *w,
		      const struct rw_team_finding *f, int K, double margin)
{
	enum rw_grain g = f->grain;
	enum rw_metric m = f->metric;
	int s = (int)(f->since - rw_results_first_period(res, g));
	int up = rw_metric_up_is_good(m);
	double obs = 0, exp = 0, var = 0, chi2 = 0, phi, z;
	double team_bad = up ? -f->change : f->change;
	long df = 0;

	for (size_t i = 0; i < w->nm; i++) {
		uint32_t r = w->members[i];
		double x[2] = { 0, 0 }, n[2] = { 0, 0 }, tot, succ;
		int np[2] = { 0, 0 };

		if (isfinite(w->rel[i]) && (up ? -w->rel[i] : w->rel[i]) > team_bad + margin &&
		    win_rate_beyond(res, r, f))
			continue;
		for (int k = 0; k < K; k++) {
			double v, wt;

			if (seg_value(res, r, g, k, m, &v, &wt)) {
				x[k >= s] += v * wt;
				n[k >= s] += wt;
				np[k >= s]++;
			}
		}
		if (np[0] < 2 || np[1] < 2)
			continue;
		tot = n[0] + n[1];
		succ = x[0] + x[1];
		if (!(succ > 0) || !(succ < tot) || !(tot > 1))
			continue;
		obs += x[1];
		exp += n[1] * succ / tot;
		var += n[0] * n[1] * succ * (tot - succ) / (tot * tot * (tot - 1));
		for (int k = 0; k < K; k++) {
			double v, wt;
			double ps = x[k >= s] / n[k >= s];

			if (seg_value(res, r, g, k, m, &v, &wt) && ps > 0 && ps < 1) {
				double e = wt * ps;

				chi2 += (v * wt - e) * (v * wt - e) / (e * (1 - ps));
				df++;
			}
		}
		df -= 2;
	}
	if (!(var > 0))
		return -INFINITY;
	phi = df > 0 ? fmax(1, chi2 / (double)df) : 1;
	z = (obs - exp) / sqrt(var * phi);
	return up ? -z : z;
}

/* The team's level in period k: the mean of its members' judged values
 * (NAN when none). */
static double team_level(const struct rw_results *res, const struct twork *w,
			 enum rw_grain g, enum rw_metric m, int k)
{
	double s = 0;
	int n = 0;

	for (size_t i = 0; i < w->nm; i++) {
		double v = rw_results_value(res, w->members[i], g, k, m);

		if (isfinite(v) && rw_results_eligible(res, w->members[i], g, k)) {
			s += v;
			n++;
		}
	}
	return n ? s / n : NAN;
}

/*
 * The split of the team's level series into two means that leaves the
 * least squared error (a single mean shift, as the reps' change points);
 * -1 when no candidate split has enough periods with a level.  *splits
 * receives the number of candidates (for the Bonferroni factor).
 */
static int team_split(const struct rw_results *res, const struct twork *w,
		      enum rw_grain g, enum rw_metric m, int K, int *splits)
{
	double y[RW_TEAM_MAXP], best = INFINITY;
	int bs = -1;

	*splits = 0;
	if (K > RW_TEAM_MAXP)
		K = RW_TEAM_MAXP;
	for (int k = 0; k < K; k++)
		y[k] = team_level(res, w, g, m, k);
	for (int s = RW_TEAM_MIN_BEFORE; s + RW_TEAM_MIN_AFTER <= K; s++) {
		double sse = 0, mean[2] = { 0, 0 };
		int cnt[2] = { 0, 0 };

		(*splits)++;
		for (int k = 0; k < K; k++)
			if (isfinite(y[k])) {
				mean[k >= s] += y[k];
				cnt[k >= s]++;
			}
		if (cnt[0] < 2 || cnt[1] < 2)
			continue;
		mean[0] /= cnt[0];
		mean[1] /= cnt[1];
		for (int k = 0; k < K; k++)
			if (isfinite(y[k]))
				sse += (y[k] - mean[k >= s]) * (y[k] - mean[k >= s]);
		if (sse < best) {
			best = sse;
			bs = s;
		}
	}
	return bs;
}

/* Test team t on metric m; fills *f (p unadjusted) and returns 1 when the
 * team has a candidate shift the bad way at all. */
static int team_test(const struct rw_results *res, struct twork *w, size_t t,
		     enum rw_grain g, enum rw_metric m, struct rw_team_finding *f,
		     double *tmp, double margin)
{
	int K = rw_results_period_count(res, g) - 1, splits, best_s;
	double best_t;
	size_t n, down = 0;

	best_s = team_split(res, w, g, m, K, &splits);
	if (best_s < 0 || split_changes(res, w, g, m, best_s, K) < RW_TEAM_MIN_REPS)
		return 0;
	best_t = t_stat(w->d, w->nm, &n);
	for (size_t i = 0; i < w->nm; i++)
		down += isfinite(w->d[i]) && w->d[i] > 0;
	memset(f, 0, sizeof(*f));
	f->team = t;
	f->grain = g;
	f->metric = m;
	f->since = rw_results_first_period(res, g) + best_s;
	f->reps = (int)n;
	f->reps_down = (int)down;
	f->change = median_defined(w->rel, w->nm, tmp);
	for (size_t i = 0; i < w->nm; i++)
		w->d[i] = isfinite(w->rel[i]) ? fabs(w->rel[i] - f->change) : NAN;
	f->spread = 1.4826 * median_defined(w->d, w->nm, tmp);
	/* A share the team's deals count is tested on those counts. */
	if (counted_share(m))
		best_t = cmh_bad(res, w, f, K, margin);
	if (!(best_t > 0))
		return 0;
	if (isinf(best_t))
		f->p = 0;
	else
		f->p = fmin(1, (counted_share(m) ? gsl_cdf_ugaussian_Q(best_t) :
			       gsl_cdf_tdist_Q(best_t, (double)n - 1)) * splits);
	return isfinite(f->p);
}

/* A shift big and broad enough to be the team's (p judged apart). */
static int team_shift(const struct rw_team_finding *f)
{
	double bad = rw_metric_up_is_good(f->metric) ? -f->change : f->change;

	return f->reps >= RW_TEAM_MIN_REPS && 3 * f->reps_down >= 2 * f->reps &&
	       isfinite(bad) && bad >= RW_TEAM_MIN_CHANGE;
}

/* Append f to res->findings; 0 or RW_ENOMEM. */
static int finding_push(struct rw_results *res, const struct rw_team_finding *f,
			size_t *cap)
{
	if (res->nfindings == *cap) {
		size_t nc = *cap ? 2 * *cap : 8;
		struct rw_team_finding *p = rw_reallocarray(res->findings, nc, sizeof(*p));

		if (!p)
			return RW_ENOMEM;
		res->findings = p;
		*cap = nc;
	}
	res->findings[res->nfindings++] = *f;
	return 0;
}

/* The judged members of team t (on the roster, eligible in the last
 * complete period and in the run's shard). */
static size_t team_members(const struct rw_results *res, const struct rw_dataset *ds,
			   size_t t, enum rw_grain g, uint32_t *out)
{
	int K = rw_results_period_count(res, g) - 1;
	size_t n = 0;

	/* A team is wholly in a shard or wholly out: one hash per team. */
	if (K <= 0 || !rw_in_shard(&ds->settings, rw_results_team_name(res, t)))
		return 0;
	for (uint32_t r = 0; r < ds->nreps; r++)
		if (res->rep_team[r] == t && rw_results_eligible(res, r, g, K - 1))
			out[n++] = r;
	return n;
}

int rw_team_findings_compute(struct rw_results *res, const struct rw_dataset *ds)
{
	enum rw_grain g = RW_MONTH;
	size_t cap = 0, ncand;
	struct rw_team_finding cand[RW_NMETRICS];
	double p[RW_NMETRICS], q[RW_NMETRICS];
	struct twork w = { 0 };
	double *tmp;
	int rc = RW_ENOMEM;

	w.members = rw_reallocarray(NULL, ds->nreps + 1, sizeof(*w.members));
	w.d = rw_reallocarray(NULL, ds->nreps + 1, sizeof(double));
	w.rel = rw_reallocarray(NULL, ds->nreps + 1, sizeof(double));
	tmp = rw_reallocarray(NULL, ds->nreps + 1, sizeof(double));
	if (!w.members || !w.d || !w.rel || !tmp)
		goto out;
	rc = 0;
	for (size_t t = 0; t < res->nteams && !rc; t++) {
		w.nm = team_members(res, ds, t, g, w.members);
		if (w.nm < RW_TEAM_MIN_REPS)
			continue;
		ncand = 0;
		for (int m = 0; m < RW_NMETRICS; m++)
			if (judged_metric((enum rw_metric)m) &&
			    team_test(res, &w, t, g, (enum rw_metric)m, &cand[ncand], tmp,
				      ds->settings.structural_margin)) {
				p[ncand] = cand[ncand].p;
				ncand++;
			}
		/*
		 * The family is the team's metrics of the night: a team's
		 * findings do not depend on which other teams share the run,
		 * so a shard of a run finds what the whole run finds.
		 */
		rc = rw_bh_adjust(p, ncand, q);
		for (size_t i = 0; i < ncand && !rc; i++) {
			cand[i].p = q[i];
			if (q[i] < RW_TEAM_ALPHA &&
			    team_shift(&cand[i]))
				rc = finding_push(res, &cand[i], &cap);
		}
	}
out:
	rw_free(w.members);
	rw_free(w.d);
	rw_free(w.rel);
	rw_free(tmp);
	return rc;
}

size_t rw_results_finding_count(const struct rw_results *res)
{
	return res->nfindings;
}

const struct rw_team_finding *rw_results_finding(const struct rw_results *res,
						 size_t i)
{
	return i < res->nfindings ? &res->findings[i] : NULL;
}

long rw_results_finding_find(const struct rw_results *res, size_t team,
			     enum rw_metric m)
{
	for (size_t i = 0; i < res->nfindings; i++)
		if (res->findings[i].team == team && res->findings[i].metric == m)
			return (long)i;
	return -1;
}

double rw_results_finding_rep_change(const struct rw_results *res,
				     const struct rw_dataset *ds, size_t i,
				     uint32_t r)
{
	const struct rw_team_finding *f = rw_results_finding(res, i);
	int K, s;
	double a, b;

	if (!f || r >= ds->nreps)
		return NAN;
	K = rw_results_period_count(res, f->grain) - 1;
	s = (int)(f->since - rw_results_first_period(res, f->grain));
	a = rep_mean(res, r, f->grain, f->metric, 0, s);
	b = rep_mean(res, r, f->grain, f->metric, s, K);
	return isfinite(a) && isfinite(b) && a != 0 ? b / a - 1 : NAN;
}

/* Won and closed deals of rep r in judged periods [k0, k1) of grain g. */
static void rep_deals(const struct rw_results *res, uint32_t r, enum rw_grain g,
		      int k0, int k1, double *won, double *closed)
{
	*won = *closed = 0;
	for (int k = k0; k < k1; k++) {
		double w = rw_results_value(res, r, g, k, RW_M_WON);
		double l = rw_results_value(res, r, g, k, RW_M_LOST);

		if (isfinite(w) && isfinite(l) && rw_results_eligible(res, r, g, k)) {
			*won += w;
			*closed += w + l;
		}
	}
}

/*
 * Is rep r's win rate after finding f's split lower than its rate before
 * scaled by the team's change, beyond chance?  Expected e = p_before (1 +
 * change); z = (p_after - e) / sqrt(e (1 - e) / n_after + (1 + change)^2
 * p_before (1 - p_before) / n_before), one-sided.
 */
static int win_rate_beyond(const struct rw_results *res, uint32_t r,
			   const struct rw_team_finding *f)
{
	int K = rw_results_period_count(res, f->grain) - 1;
	int s = (int)(f->since - rw_results_first_period(res, f->grain));
	double wb, nb, wa, na, pb, pa, e, se;

	rep_deals(res, r, f->grain, 0, s, &wb, &nb);
	rep_deals(res, r, f->grain, s, K, &wa, &na);
	if (!(nb > 0) || !(na > 0))
		return 0;
	pb = wb / nb;
	pa = wa / na;
	e = pb * (1 + f->change);
	se = sqrt(e * (1 - e) / na + (1 + f->change) * (1 + f->change) * pb * (1 - pb) / nb);
	if (!(se > 0))
		return pa < e;
	return gsl_cdf_ugaussian_P((pa - e) / se) < beyond_p(f);
}

int rw_results_moved_with_team(const struct rw_results *res,
			       const struct rw_dataset *ds, uint32_t r,
			       enum rw_metric m)
{
	long i;
	const struct rw_team_finding *f;
	double rep, rep_bad, team_bad;
	int up;

	if (r >= ds->nreps)
		return 0;
	i = rw_results_finding_find(res, rw_results_rep_team(res, r), m);
	if (i < 0)
		return 0;
	f = &res->findings[i];
	up = rw_metric_up_is_good(m);
	rep = rw_results_finding_rep_change(res, ds, (size_t)i, r);
	/* A rep with too little history on either side is judged by the
	 * team's shift: there is no personal evidence against it. */
	if (!isfinite(rep))
		return 1;
	rep_bad = up ? -rep : rep;
	team_bad = up ? -f->change : f->change;
	if (rep_bad <= team_bad + ds->settings.structural_margin)
		return 1;
	if (m == RW_M_WIN_RATE)
		return !win_rate_beyond(res, r, f);
	return rep_bad <= team_bad + gsl_cdf_ugaussian_Qinv(beyond_p(f)) * f->spread;
}
