/*
 * metrics.c - per rep and period metrics of SPEC section 4, and their
 * trends.  Work per grain is O(deals x periods + reps x periods): deals are
 * bucketed by owner once, so no loop runs over reps x deals.
 */
#include "engine.h"
#include "engine_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The metric table of engine.h, one row per metric in enum order. */
static const struct {
	const char *name, *title;
	enum rw_metric_unit unit;
	enum rw_metric_weight weight;
	int up_is_good, needs_activities, batch;
} metric_desc[RW_NMETRICS] = {
#define RW_METRIC_DESC_(id, name, unit, up, weight, act, batch, title) \
	[RW_M_##id] = { name, title, RW_UNIT_##unit, RW_WEIGHT_##weight, up, act, batch },
	RW_METRICS(RW_METRIC_DESC_)
#undef RW_METRIC_DESC_
};

static const char *const grain_names[RW_NGRAINS] = { "week", "month", "quarter" };

const char *rw_metric_name(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].name : NULL;
}

int rw_metric_needs_activities(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].needs_activities : 0;
}

const char *rw_metric_title(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].title : NULL;
}

enum rw_metric_unit rw_metric_unit(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].unit : RW_UNIT_RATIO;
}

enum rw_metric_weight rw_metric_weight(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].weight : RW_WEIGHT_NONE;
}

int rw_metric_batch(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].batch : 0;
}

int rw_metric_up_is_good(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].up_is_good : 1;
}

int rw_metric_find(const char *name)
{
	for (int i = 0; i < RW_NMETRICS; i++)
		if (!strcmp(name, metric_desc[i].name))
			return i;
	return -1;
}

const char *rw_grain_name(enum rw_grain g)
{
	return (unsigned)g < RW_NGRAINS ? grain_names[g] : NULL;
}

int rw_grain_find(const char *name)
{
	for (int i = 0; i < RW_NGRAINS; i++)
		if (!strcmp(name, grain_names[i]))
			return i;
	return -1;
}

/* ---- Working state of one computation --------------------------------- */

/* A growable array of (period, value) keys sorted to take medians. */
struct keys {
	uint64_t *k;
	size_t n, cap;
};

struct ctx {
	const struct rw_dataset *ds;
	const struct rw_settings *s;
	struct rw_results *res;
	uint32_t *order;	/* deal indexes grouped by owner */
	size_t *rep_start;	/* per rep + 1: first slot in order */
	uint32_t *team;		/* per rep: team number */
	size_t nteams;
	/* per grain, reused */
	enum rw_grain g;
	int32_t first;
	int np;			/* periods in the window */
	int32_t *pstart, *pend, *eval;	/* per k: [S, E) and evaluation day D */
	double *quota;		/* [rep][np + 1]; NAN when no target */
	double *fq;		/* [rep][np]: deals qualifying for followup */
	double *icpn;		/* [rep][np]: deals created with a known icp_fit */
	double *ssq, *wmax;	/* [rep][np]: won amounts' sum of squares (NAN
				 * with a negative amount) and the largest */
	struct keys cyc, gap;
};

static int keys_push(struct keys *ks, int k, int64_t v)
{
	if (ks->n == ks->cap) {
		size_t ncap = ks->cap ? ks->cap * 2 : 256;
		uint64_t *p = rw_reallocarray(ks->k, ncap, sizeof(*p));

		if (!p)
			return RW_ENOMEM;
		ks->k = p;
		ks->cap = ncap;
	}
	/* Period in the high half, value biased to unsigned in the low half,
	 * so sorting groups by period and orders values within one. */
	ks->k[ks->n++] = ((uint64_t)(uint32_t)k << 32) |
			 (uint32_t)((int64_t)v + INT32_MAX + 1);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static double key_value(uint64_t key)
{
	return (double)((int64_t)(uint32_t)key - INT32_MAX - 1);
}

/* Sort ks and write the median of each period's values into metric m of
 * rep r (NAN stays where a period has none). */
static void keys_medians(struct keys *ks, double *row, int np, enum rw_metric m)
{
	size_t i = 0, j, n;

	if (ks->n)
		qsort(ks->k, ks->n, sizeof(*ks->k), cmp_u64);
	for (; i < ks->n; i = j) {
		int k = (int)(ks->k[i] >> 32);

		for (j = i; j < ks->n && (int)(ks->k[j] >> 32) == k; j++)
			;
		n = j - i;
		if (k < 0 || k >= np)
			continue;
		row[(size_t)k * RW_NMETRICS + m] = n % 2 ?
			key_value(ks->k[i + n / 2]) :
			(key_value(ks->k[i + n / 2 - 1]) + key_value(ks->k[i + n / 2])) / 2;
	}
	ks->n = 0;
}

/* Window slot of day under the current grain, or -1 outside. */
static int slot(const struct ctx *c, int32_t day)
{
	int64_t k;

	if (day == RW_NODAY)
		return -1;
	k = (int64_t)rw_period_of(c->g, day, c->s->fiscal_start) - c->first;
	return k >= 0 && k < c->np ? (int)k : -1;
}

/* ---- Setup: owner buckets and teams ------------------------------------ */

static int bucket_deals(struct ctx *c)
{
	const struct rw_dataset *ds = c->ds;
	size_t *pos;

	c->rep_start = rw_calloc(ds->nreps + 1, sizeof(*c->rep_start));
	c->order = rw_calloc(ds->nopps ? ds->nopps : 1, sizeof(*c->order));
	pos = rw_calloc(ds->nreps + 1, sizeof(*pos));
	if (!c->rep_start || !c->order || !pos) {
		rw_free(pos);
		return RW_ENOMEM;
	}
	for (size_t i = 0; i < ds->nopps; i++)
		if (ds->opps[i].rep < ds->nreps)
			c->rep_start[ds->opps[i].rep + 1]++;
	for (size_t r = 0; r < ds->nreps; r++)
		c->rep_start[r + 1] += c->rep_start[r];
	memcpy(pos, c->rep_start, (ds->nreps + 1) * sizeof(*pos));
	for (size_t i = 0; i < ds->nopps; i++)
		if (ds->opps[i].rep < ds->nreps)
			c->order[pos[ds->opps[i].rep]++] = (uint32_t)i;
	rw_free(pos);
	return 0;
}

struct team_key {
	const char *team;
	uint32_t rep;
};

static int cmp_team(const void *a, const void *b)
{
	const struct team_key *x = a, *y = b;
	int d = strcmp(x->team, y->team);

	return d ? d : (x->rep > y->rep) - (x->rep < y->rep);
}

/* Number the teams: reps with the same team name get the same number. */
static int number_teams(struct ctx *c)
{
	const struct rw_dataset *ds = c->ds;
	struct team_key *tk = rw_calloc(ds->nreps ? ds->nreps : 1, sizeof(*tk));

	c->team = rw_calloc(ds->nreps ? ds->nreps : 1, sizeof(*c->team));
	if (!tk || !c->team) {
		rw_free(tk);
		return RW_ENOMEM;
	}
	for (size_t r = 0; r < ds->nreps; r++) {
		tk[r].team = ds->reps[r].team;
		tk[r].rep = (uint32_t)r;
	}
	if (ds->nreps)
		qsort(tk, ds->nreps, sizeof(*tk), cmp_team);
	c->nteams = 0;
	for (size_t i = 0; i < ds->nreps; i++) {
		if (i && strcmp(tk[i].team, tk[i - 1].team))
			c->nteams++;
		c->team[tk[i].rep] = (uint32_t)c->nteams;
	}
	if (ds->nreps)
		c->nteams++;
	/* The results keep the numbering and the names, company last. */
	c->res->team_names = rw_calloc(c->nteams + 1, sizeof(*c->res->team_names));
	if (!c->res->team_names) {
		rw_free(tk);
		return RW_ENOMEM;
	}
	for (size_t i = 0; i < ds->nreps; i++)
		c->res->team_names[c->team[tk[i].rep]] = tk[i].team;
	c->res->team_names[c->nteams] = "*";
	c->res->nteams = c->nteams;
	c->res->rep_team = c->team;
	rw_free(tk);
	return 0;
}

/* ---- Whose periods ------------------------------------------------------ */

/* Is [ps, pe) the rep's: not ending before the hire day nor starting after
 * the end day?  Unknown days bound nothing. */
static int period_mine(const struct rw_rep *rep, int32_t ps, int32_t pe)
{
	if (rep->hire_day != RW_NODAY && (int64_t)pe - 1 < rep->hire_day)
		return 0;
	if (rep->end_day != RW_NODAY && ps > rep->end_day)
		return 0;
	return 1;
}

/*
 * Eligible for period k ([ps, pe), evaluation day d: its last day or
 * as_of): the rep's period, not unassigned, out of ramp from the period's
 * first day on, and still employed on d.
 */
static int period_eligible(const struct rw_rep *rep, int32_t ps, int32_t pe,
			   int32_t d, int ramp_days)
{
	if (rep->unassigned || !period_mine(rep, ps, pe))
		return 0;
	if (rep->hire_day != RW_NODAY && (int64_t)ps - rep->hire_day < ramp_days)
		return 0;
	if (rep->end_day != RW_NODAY && rep->end_day < d)
		return 0;
	return 1;
}

/* ---- Quotas ------------------------------------------------------------ */

/*
 * Quotas go through a value per rep and month: the month's own target when
 * there is one, else a third of its quarter's target (months nest in
 * quarters, so a quarter is split evenly), else the weekly targets
 * prorated by the days each week shares with the month (weeks do not nest).
 * A period of the computed grain then takes its own-grain target when one
 * exists, else: a month its month value, a quarter the sum of its months'
 * values, a week the sum over its days of month value / days in month.
 * NAN where no target touches the period.  Team targets (rep RW_NONE) are
 * not rep quotas.
 */
struct quota_work {
	int32_t m0;		/* first month index covered */
	size_t nm;		/* months covered */
	double *src[RW_NGRAINS];	/* [rep][month] value from each grain */
	unsigned char *hit[RW_NGRAINS];
	double *own;		/* [rep][k] own-grain targets */
	unsigned char *own_hit;
};

static int32_t month_index(int32_t day)
{
	return rw_period_of(RW_MONTH, day, 1);
}

static int32_t days_in_month(int32_t mi)
{
	return rw_period_end(RW_MONTH, mi, 1) - rw_period_start(RW_MONTH, mi, 1);
}

/* Spread target t over the months it touches, into its grain's source. */
static void quota_spread(struct quota_work *q, const struct rw_target *t,
			 int fs)
{
	int32_t ts = rw_period_start(t->grain, t->period, fs);
	int32_t te = rw_period_end(t->grain, t->period, fs);
	size_t g = (size_t)t->grain;

	for (int32_t mi = month_index(ts); mi <= month_index(te - 1); mi++) {
		int32_t ms = rw_period_start(RW_MONTH, mi, 1);
		int32_t me = rw_period_end(RW_MONTH, mi, 1);
		int32_t lo = ts > ms ? ts : ms, hi = te < me ? te : me;
		double share;
		size_t cell;

		if (mi < q->m0 || (size_t)(mi - q->m0) >= q->nm || hi <= lo)
			continue;
		if (t->grain == RW_QUARTER)
			share = 1.0 / 3;
		else if (t->grain == RW_WEEK)
			share = (double)(hi - lo) / 7;
		else
			share = 1;
		cell = t->rep * q->nm + (size_t)(mi - q->m0);
		q->src[g][cell] += t->target * share;
		q->hit[g][cell] = 1;
	}
}

static double month_value(const struct quota_work *q, uint32_t r, int32_t mi)
{
	static const enum rw_grain pref[] = { RW_MONTH, RW_QUARTER, RW_WEEK };
	size_t cell = r * q->nm + (size_t)(mi - q->m0);

	for (size_t p = 0; p < 3; p++)
		if (q->hit[pref[p]][cell])
			return q->src[pref[p]][cell];
	return NAN;
}

/* Quota of rep r for window period k from the month values. */
static double quota_from_months(const struct ctx *c, const struct quota_work *q,
				uint32_t r, int k)
{
	int32_t ps = rw_period_start(c->g, c->first + k, c->s->fiscal_start);
	int32_t pe = rw_period_end(c->g, c->first + k, c->s->fiscal_start);
	double sum = 0, v;
	int any = 0;

	for (int32_t mi = month_index(ps); mi <= month_index(pe - 1); mi++) {
		int32_t ms = rw_period_start(RW_MONTH, mi, 1);
		int32_t me = rw_period_end(RW_MONTH, mi, 1);
		int32_t lo = ps > ms ? ps : ms, hi = pe < me ? pe : me;

		v = month_value(q, r, mi);
		if (isnan(v))
			continue;
		any = 1;
		sum += c->g == RW_WEEK ?
		       v * (double)(hi - lo) / (double)days_in_month(mi) : v;
	}
	return any ? sum : NAN;
}

static void quota_work_free(struct quota_work *q)
{
	for (int g = 0; g < RW_NGRAINS; g++) {
		rw_free(q->src[g]);
		rw_free(q->hit[g]);
	}
	rw_free(q->own);
	rw_free(q->own_hit);
}

static int quota_work_init(struct ctx *c, struct quota_work *q)
{
	size_t nr = c->ds->nreps, w = (size_t)c->np + 1;
	int fs = c->s->fiscal_start;
	int32_t m1;

	memset(q, 0, sizeof(*q));
	q->m0 = month_index(rw_period_start(c->g, c->first, fs));
	m1 = month_index(rw_period_end(c->g, c->first + (int32_t)w - 1, fs) - 1);
	q->nm = (size_t)(m1 - q->m0 + 1);
	if (nr && q->nm > SIZE_MAX / sizeof(double) / nr)
		return RW_ENOMEM;
	for (int g = 0; g < RW_NGRAINS; g++) {
		q->src[g] = rw_calloc(nr * q->nm + 1, sizeof(double));
		q->hit[g] = rw_calloc(nr * q->nm + 1, 1);
		if (!q->src[g] || !q->hit[g])
			return RW_ENOMEM;
	}
	q->own = rw_calloc(nr * w + 1, sizeof(*q->own));
	q->own_hit = rw_calloc(nr * w + 1, 1);
	return q->own && q->own_hit ? 0 : RW_ENOMEM;
}

/* quota[r][k] for k <= np: one period more than the window, for coverage. */
static int fill_quotas(struct ctx *c)
{
	const struct rw_dataset *ds = c->ds;
	size_t w = (size_t)c->np + 1;
	struct quota_work q;
	int rc = quota_work_init(c, &q);

	for (size_t i = 0; !rc && i < ds->ntargets; i++) {
		const struct rw_target *t = &ds->targets[i];
		int64_t k = (int64_t)t->period - c->first;

		if (t->rep >= ds->nreps || (unsigned)t->grain >= RW_NGRAINS)
			continue;
		quota_spread(&q, t, c->s->fiscal_start);
		if (t->grain == c->g && k >= 0 && k < (int64_t)w) {
			q.own[t->rep * w + (size_t)k] += t->target;
			q.own_hit[t->rep * w + (size_t)k] = 1;
		}
	}
	for (uint32_t r = 0; !rc && r < ds->nreps; r++)
		for (size_t k = 0; k < w; k++)
			c->quota[r * w + k] = q.own_hit[r * w + k] ?
				q.own[r * w + k] : quota_from_months(c, &q, r, (int)k);
	/* A quota for a period that is not the rep's is ignored (SPEC 4);
	 * the extra period after the window only feeds coverage. */
	for (uint32_t r = 0; !rc && r < ds->nreps; r++) {
		int32_t p = c->first + c->np;

		for (int k = 0; k < c->np; k++)
			if (!c->res->mine[c->g][(size_t)r * (size_t)c->np + (size_t)k])
				c->quota[r * w + (size_t)k] = NAN;
		if (!period_mine(&ds->reps[r], rw_period_start(c->g, p, c->s->fiscal_start),
				 rw_period_end(c->g, p, c->s->fiscal_start)))
			c->quota[r * w + (size_t)c->np] = NAN;
	}
	quota_work_free(&q);
	return rc;
}

/* ---- Per-deal contributions ------------------------------------------- */

/* Day the deal closed, when it is won or lost with a date on or before
 * as_of; RW_NODAY otherwise (open, or closing after as_of). */
static int32_t closed_day(const struct rw_opp *o, int32_t as_of)
{
	if (o->status == RW_OPEN || o->closed == RW_NODAY || o->closed > as_of)
		return RW_NODAY;
	return o->closed;
}

/* opps_created, won, lost, revenue and the cycle of won deals. */
static int deal_flow(struct ctx *c, const struct rw_opp *o, double *row)
{
	int32_t cd = closed_day(o, c->s->as_of);
	int k = slot(c, o->created);

	if (k >= 0) {
		row[(size_t)k * RW_NMETRICS + RW_M_OPPS_CREATED]++;
		if (o->icp_fit) {
			c->icpn[(size_t)o->rep * (size_t)c->np + (size_t)k]++;
			row[(size_t)k * RW_NMETRICS + RW_M_ICP_FIT_SHARE] += o->icp_fit == 1;
		}
	}
	k = slot(c, cd);
	if (k < 0)
		return 0;
	if (o->status == RW_LOST) {
		row[(size_t)k * RW_NMETRICS + RW_M_LOST]++;
		return 0;
	}
	row[(size_t)k * RW_NMETRICS + RW_M_WON]++;
	row[(size_t)k * RW_NMETRICS + RW_M_REVENUE] += o->amount;
	{
		size_t at = (size_t)o->rep * (size_t)c->np + (size_t)k;

		c->ssq[at] += o->amount >= 0 ? o->amount * o->amount : NAN;
		if (o->amount > c->wmax[at])
			c->wmax[at] = o->amount;
	}
	return keys_push(&c->cyc, k, (int64_t)cd - o->created);
}

/*
 * Open deals at each evaluation day D: count, value, staleness against the
 * last touch on or before D, and value expected to close next period
 * (kept in the coverage column until it is divided by the next quota).
 * A won or lost deal with no close date is closed at an unknown day: it
 * is never counted open.
 */
static void deal_open(struct ctx *c, const struct rw_opp *o, uint32_t i,
		      double *row)
{
	int32_t cd = closed_day(o, c->s->as_of), touch = RW_NODAY, last = RW_NODAY;
	int has_next, nextk = -2;

	if (o->status != RW_OPEN && o->closed == RW_NODAY)
		return;
	if (o->closed != RW_NODAY)
		nextk = (int)((int64_t)rw_period_of(c->g, o->closed,
						    c->s->fiscal_start) - c->first) - 1;
	has_next = rw_fold_next_touch(c->ds->fold, c->s->as_of, o, i, &touch);
	for (int k = 0; k < c->np; k++) {
		int32_t d = c->eval[k];
		double *v = row + (size_t)k * RW_NMETRICS;

		if (o->created > d || (cd != RW_NODAY && cd <= d))
			continue;
		while (has_next && touch <= d) {
			last = touch;
			has_next = rw_fold_next_touch(c->ds->fold, c->s->as_of,
						      o, i, &touch);
		}
		v[RW_M_OPEN_OPPS]++;
		v[RW_M_PIPELINE_VALUE] += o->amount;
		if (last == RW_NODAY || (int64_t)d - last > c->s->stale_days)
			v[RW_M_STALE_OPPS]++;
		if (nextk == k)
			v[RW_M_COVERAGE] += o->amount;
	}
}

/* Gaps between consecutive touch days, by the period of the later one. */
static int deal_gaps(struct ctx *c, const struct rw_opp *o, uint32_t i)
{
	int32_t prev = RW_NODAY, day = RW_NODAY;

	while (rw_fold_next_touch(c->ds->fold, c->s->as_of, o, i, &day)) {
		int k = slot(c, day);

		if (prev != RW_NODAY && k >= 0 &&
		    keys_push(&c->gap, k, (int64_t)day - prev))
			return RW_ENOMEM;
		prev = day;
	}
	return 0;
}

/* First meetings, the days from creation to them (summed in the
 * avg_days_to_first_meeting column until divided by first_meetings) and
 * the follow-up counts (numerator kept in the followup_ratio column,
 * denominator in fq, until divided). */
static void deal_meetings(struct ctx *c, uint32_t i, double *row, double *fq)
{
	const struct rw_dataset_fold *f = c->ds->fold;
	const struct rw_opp *o = &c->ds->opps[i];
	int32_t m1, m2;
	int k;

	if (!f || i >= f->nopps)
		return;
	m1 = f->meet1[i];
	m2 = f->meet2[i];
	k = slot(c, m1);
	if (k < 0)
		return;
	row[(size_t)k * RW_NMETRICS + RW_M_FIRST_MEETINGS]++;
	/* A meeting logged before the deal was opened: 0 days, not less. */
	if (m1 > o->created)
		row[(size_t)k * RW_NMETRICS + RW_M_AVG_DAYS_TO_FIRST_MEETING] +=
			(double)((int64_t)m1 - o->created);
	if ((int64_t)m1 > (int64_t)c->s->as_of - c->s->followup_days)
		return;
	fq[k]++;
	if (m2 != RW_NODAY && (int64_t)m2 - m1 <= c->s->followup_days)
		row[(size_t)k * RW_NMETRICS + RW_M_FOLLOWUP_RATIO]++;
}

/* ---- Per rep ----------------------------------------------------------- */

static void row_init(double *row, int np)
{
	static const enum rw_metric zero[] = {
		RW_M_OPPS_CREATED, RW_M_WON, RW_M_LOST, RW_M_REVENUE,
		RW_M_CALLS, RW_M_EMAILS, RW_M_MEETINGS, RW_M_FIRST_MEETINGS,
		RW_M_FOLLOWUP_RATIO, RW_M_OPEN_OPPS, RW_M_PIPELINE_VALUE,
		RW_M_STALE_OPPS, RW_M_COVERAGE, RW_M_ICP_FIT_SHARE,
		RW_M_AVG_DAYS_TO_FIRST_MEETING,
	};

	for (size_t i = 0; i < (size_t)np * RW_NMETRICS; i++)
		row[i] = NAN;
	for (int k = 0; k < np; k++)
		for (size_t j = 0; j < sizeof(zero) / sizeof(zero[0]); j++)
			row[(size_t)k * RW_NMETRICS + zero[j]] = 0;
}

/* The ratios once the counts of rep r are in (shrinkage comes later). */
static void rep_ratios(struct ctx *c, uint32_t r, double *row)
{
	const double *q = c->quota + (size_t)r * ((size_t)c->np + 1);
	const double *fq = c->fq + (size_t)r * (size_t)c->np;
	const double *icpn = c->icpn + (size_t)r * (size_t)c->np;

	for (int k = 0; k < c->np; k++) {
		double *v = row + (size_t)k * RW_NMETRICS;
		double won = v[RW_M_WON], closed = won + v[RW_M_LOST];

		v[RW_M_WIN_RATE] = closed > 0 ? won / closed : NAN;
		rw_jeffreys(won, v[RW_M_LOST], &v[RW_M_WIN_RATE_LO],
			    &v[RW_M_WIN_RATE_HI]);
		v[RW_M_AVG_DEAL_SIZE] = won > 0 ? v[RW_M_REVENUE] / won : NAN;
		v[RW_M_QUOTA] = q[k];
		v[RW_M_ATTAINMENT] = q[k] > 0 ? v[RW_M_REVENUE] / q[k] : NAN;
		v[RW_M_FOLLOWUP_RATIO] = fq[k] > 0 ?
					 v[RW_M_FOLLOWUP_RATIO] / fq[k] : NAN;
		v[RW_M_ICP_FIT_SHARE] = icpn[k] > 0 ? v[RW_M_ICP_FIT_SHARE] / icpn[k] : NAN;
		v[RW_M_AVG_DAYS_TO_FIRST_MEETING] = v[RW_M_FIRST_MEETINGS] > 0 ?
			v[RW_M_AVG_DAYS_TO_FIRST_MEETING] / v[RW_M_FIRST_MEETINGS] : NAN;
		v[RW_M_STALE_SHARE] = v[RW_M_OPEN_OPPS] > 0 ?
				      v[RW_M_STALE_OPPS] / v[RW_M_OPEN_OPPS] : NAN;
		v[RW_M_COVERAGE] = q[k + 1] > 0 ? v[RW_M_COVERAGE] / q[k + 1] : NAN;
		v[RW_M_SALES_VELOCITY] = v[RW_M_CYCLE_DAYS] > 0 ?
			v[RW_M_OPEN_OPPS] * v[RW_M_WIN_RATE] *
			v[RW_M_AVG_DEAL_SIZE] / v[RW_M_CYCLE_DAYS] : NAN;
	}
}

static int rep_compute(struct ctx *c, uint32_t r)
{
	const struct rw_dataset *ds = c->ds;
	double *row = c->res->vals[c->g] + (size_t)r * (size_t)c->np * RW_NMETRICS;
	double *fq = c->fq + (size_t)r * (size_t)c->np;

	row_init(row, c->np);
	for (size_t j = c->rep_start[r]; j < c->rep_start[r + 1]; j++) {
		uint32_t i = c->order[j];
		const struct rw_opp *o = &ds->opps[i];

		if (o->created > c->s->as_of)
			continue;	/* data after as_of is ignored */
		if (deal_flow(c, o, row) || deal_gaps(c, o, i))
			return RW_ENOMEM;
		deal_open(c, o, i, row);
		deal_meetings(c, i, row, fq);
	}
	keys_medians(&c->cyc, row, c->np, RW_M_CYCLE_DAYS);
	keys_medians(&c->gap, row, c->np, RW_M_TOUCH_GAP_DAYS);
	for (int k = 0; k < c->np; k++) {
		double *v = row + (size_t)k * RW_NMETRICS;

		v[RW_M_CALLS] = rw_fold_count(ds->fold, r, c->g, k, RW_CALL);
		v[RW_M_EMAILS] = rw_fold_count(ds->fold, r, c->g, k, RW_EMAIL);
		v[RW_M_MEETINGS] = rw_fold_count(ds->fold, r, c->g, k, RW_MEETING);
	}
	rep_ratios(c, r, row);
	for (int k = 0; k < c->np; k++) {
		double *v = row + (size_t)k * RW_NMETRICS;
		int mine = c->res->mine[c->g][(size_t)r * (size_t)c->np + (size_t)k];

		/* Nothing from data that isn't there (SPEC 4). */
		for (int m = 0; m < RW_NMETRICS; m++)
			if (!mine || (!ds->activities_given &&
				      metric_desc[m].needs_activities))
				v[m] = NAN;
	}
	return 0;
}

/* ---- Empirical-Bayes shrinkage of win rates ----------------------------- */

/*
 * Beta(a, b) prior by the method of moments (e.g. Casella 1985, "An
 * introduction to empirical Bayes data analysis"): with m the mean and v
 * the sample variance (n - 1 denominator) of the per-rep win rates over
 * the window, a = m k and b = (1 - m) k where k = m (1 - m) / v - 1.
 * Valid only when 0 < v < m (1 - m); returns 0 otherwise.
 */
static int beta_moments(double sum, double sumsq_dev, double n, double *a,
			double *b)
{
	double m, v, k;

	if (n < 3)
		return 0;
	m = sum / n;
	v = sumsq_dev / (n - 1);
	if (!(v > 0) || !(v < m * (1 - m)))
		return 0;
	k = m * (1 - m) / v - 1;
	*a = m * k;
	*b = (1 - m) * k;
	return 1;
}

/* Window win rate of rep r under the current grain, or NAN. */
static double rep_window_rate(const struct ctx *c, uint32_t r)
{
	const double *row = c->res->vals[c->g] + (size_t)r * (size_t)c->np * RW_NMETRICS;
	double won = 0, lost = 0;

	for (int k = 0; k < c->np; k++) {
		if (isnan(row[(size_t)k * RW_NMETRICS + RW_M_WON]))
			continue;	/* not the rep's period */
		won += row[(size_t)k * RW_NMETRICS + RW_M_WON];
		lost += row[(size_t)k * RW_NMETRICS + RW_M_LOST];
	}
	return won + lost > 0 ? won / (won + lost) : NAN;
}

/*
 * Revenue the rep usually wins in the rest of a period from deals not yet
 * created: with d = as_of - first day of the partial period, the mean over
 * the window's complete periods that are the rep's of the revenue won in
 * period k from deals created in it after day d (from its first day + d +
 * 1 on: deals created on as_of's own day are already in the data).  0 on
 * the partial period's last day (nothing is left of it) and for a rep
 * without a complete period of history.
 */
static double not_yet_created(const struct ctx *c, uint32_t r)
{
	const struct rw_dataset *ds = c->ds;
	const unsigned char *mine = c->res->mine[c->g] + (size_t)r * (size_t)c->np;
	int h = c->np - 1, nk = 0;
	int32_t d = c->s->as_of - c->pstart[h];
	double sum = 0;

	if (c->s->as_of >= c->pend[h] - 1)
		return 0;
	for (int k = 0; k < h; k++)
		nk += mine[k];
	if (!nk)
		return 0;
	for (size_t j = c->rep_start[r]; j < c->rep_start[r + 1]; j++) {
		const struct rw_opp *o = &ds->opps[c->order[j]];
		int k;

		if (o->status != RW_WON)
			continue;
		k = slot(c, closed_day(o, c->s->as_of));
		if (k < 0 || k >= h || !mine[k])
			continue;
		if ((int64_t)o->created > (int64_t)c->pstart[k] + d)
			sum += o->amount;
	}
	return sum / nk;
}

/*
 * Projection for the partial period (SPEC section 4): revenue won so far
 * plus, over the deals open on as_of whose close_date falls before the
 * period ends (overdue ones included: they are still expected), amount x
 * the rep's shrunk win rate over the whole window, (W + a) / (W + L + a +
 * b) with the prior of win_rate_shrunk; a rep without closed deals gets
 * the prior's mean a / (a + b); plus what the rep usually wins from deals
 * not created yet (not_yet_created).  Without any prior and without closed
 * deals the open pipeline has no rate, so the projection is NULL unless
 * no deal is pending.  Complete periods have no projection.
 */
static void project(struct ctx *c, uint32_t r, double a, double b, int ok)
{
	const struct rw_dataset *ds = c->ds;
	double *row = c->res->vals[c->g] + (size_t)r * (size_t)c->np * RW_NMETRICS;
	double *v = row + (size_t)(c->np - 1) * RW_NMETRICS;
	int32_t end = c->pend[c->np - 1], as_of = c->s->as_of;
	double won = 0, lost = 0, rate, pending = 0;
	int any = 0;

	for (int k = 0; k < c->np; k++) {
		if (isnan(row[(size_t)k * RW_NMETRICS + RW_M_WON]))
			continue;	/* not the rep's period */
		won += row[(size_t)k * RW_NMETRICS + RW_M_WON];
		lost += row[(size_t)k * RW_NMETRICS + RW_M_LOST];
	}
	if (ok)
		rate = (won + a) / (won + lost + a + b);
	else
		rate = won + lost > 0 ? won / (won + lost) : NAN;
	for (size_t j = c->rep_start[r]; j < c->rep_start[r + 1]; j++) {
		const struct rw_opp *o = &ds->opps[c->order[j]];

		if (o->created > as_of || closed_day(o, as_of) != RW_NODAY)
			continue;
		if (o->status != RW_OPEN && o->closed == RW_NODAY)
			continue;	/* closed without a date: not pipeline */
		if (o->closed == RW_NODAY || o->closed >= end)
			continue;
		pending += o->amount;
		any = 1;
	}
	v[RW_M_PROJECTED_REVENUE] = any && isnan(rate) ? NAN :
				    v[RW_M_REVENUE] + (any ? pending * rate : 0) +
				    not_yet_created(c, r);
	v[RW_M_PROJECTED_ATTAINMENT] = v[RW_M_QUOTA] > 0 ?
		v[RW_M_PROJECTED_REVENUE] / v[RW_M_QUOTA] : NAN;
}

/*
 * win_rate_shrunk = (won + a) / (won + lost + a + b), the prior fitted to
 * the rep's team (reps with closed deals in the window), or to the whole
 * company when the team has fewer than 3 such reps; equal to win_rate when
 * neither has 3 or the moments give no valid Beta.  NULL with no closed
 * deals in the period, like win_rate.
 */
static int shrink(struct ctx *c)
{
	size_t nr = c->ds->nreps, nt = c->nteams;
	double *rate = rw_calloc(nr + 1, sizeof(*rate));
	double *acc = rw_calloc(3 * (nt + 1), sizeof(*acc));	/* n, sum, ssd */
	double ca = NAN, cb = NAN, cn = 0, cs = 0, cd = 0;
	int cok;

	if (!rate || !acc) {
		rw_free(rate);
		rw_free(acc);
		return RW_ENOMEM;
	}
	for (uint32_t r = 0; r < nr; r++) {
		rate[r] = rep_window_rate(c, r);
		if (isnan(rate[r]))
			continue;
		acc[3 * c->team[r]]++;
		acc[3 * c->team[r] + 1] += rate[r];
		cn++;
		cs += rate[r];
	}
	for (uint32_t r = 0; r < nr; r++) {
		double m;

		if (isnan(rate[r]))
			continue;
		m = acc[3 * c->team[r] + 1] / acc[3 * c->team[r]];
		acc[3 * c->team[r] + 2] += (rate[r] - m) * (rate[r] - m);
		cd += (rate[r] - cs / cn) * (rate[r] - cs / cn);
	}
	cok = beta_moments(cs, cd, cn, &ca, &cb);
	for (uint32_t r = 0; r < nr; r++) {
		const double *t = acc + 3 * c->team[r];
		double a = ca, b = cb, *row;
		int ok = t[0] >= 3 ? beta_moments(t[1], t[2], t[0], &a, &b) : cok;

		row = c->res->vals[c->g] + (size_t)r * (size_t)c->np * RW_NMETRICS;
		for (int k = 0; k < c->np; k++) {
			double *v = row + (size_t)k * RW_NMETRICS;
			double n = v[RW_M_WON] + v[RW_M_LOST];

			v[RW_M_WIN_RATE_SHRUNK] = n <= 0 ? NAN : ok ?
				(v[RW_M_WON] + a) / (n + a + b) : v[RW_M_WIN_RATE];
		}
		project(c, r, a, b, ok);
	}
	rw_free(rate);
	rw_free(acc);
	return 0;
}

/* ---- Revenue and attainment intervals ------------------------------------ */

/* Mean won deal size over the window of rep only (or every rep when
 * RW_NONE) of team (or any team when RW_NONE); NAN without a won deal. */
static double mean_won(const struct ctx *c, size_t nr, uint32_t only,
		       uint32_t team)
{
	double rev = 0, won = 0;

	for (uint32_t r = 0; r < nr; r++) {
		const double *row = c->res->vals[c->g] + (size_t)r * (size_t)c->np * RW_NMETRICS;

		if ((only != RW_NONE && r != only) ||
		    (team != RW_NONE && c->team[r] != team))
			continue;
		for (int k = 0; k < c->np; k++) {
			const double *v = row + (size_t)k * RW_NMETRICS;

			if (v[RW_M_WON] > 0 && isfinite(v[RW_M_REVENUE])) {
				rev += v[RW_M_REVENUE];
				won += v[RW_M_WON];
			}
		}
	}
	return won > 0 ? rev / won : NAN;
}

/*
 * attainment_2p and win_rate_2p with their intervals for period k of rep
 * r: periods k - 1 and k pooled, when both are the rep's (revenue and
 * quota summed, the won amounts' squares summed, the larger of the two
 * largest deals as w_M, when both have a quota; won and lost summed for
 * the Jeffreys interval).  Two quarters with 5 wins each are as uncertain as 10
 * wins, not as one quarter of 5: a shortfall that lasts is told from bad
 * luck sooner.
 */
static void pair_interval(struct ctx *c, uint32_t r, size_t k, double fall)
{
	size_t np = (size_t)c->np;
	double *row = c->res->vals[c->g] + (size_t)r * np * RW_NMETRICS;
	double *a = row + (k - 1) * RW_NMETRICS, *b = row + k * RW_NMETRICS;
	double q = a[RW_M_QUOTA] + b[RW_M_QUOTA], y, v, wm, lo, hi;
	double won = a[RW_M_WON] + b[RW_M_WON], lost = a[RW_M_LOST] + b[RW_M_LOST];

	if (isnan(a[RW_M_REVENUE]) || isnan(b[RW_M_REVENUE]))
		return;		/* not both the rep's periods */
	if (won + lost > 0 && !rw_jeffreys(won, lost, &lo, &hi)) {
		b[RW_M_WIN_RATE_2P] = won / (won + lost);
		b[RW_M_WIN_RATE_2P_LO] = lo;
		b[RW_M_WIN_RATE_2P_HI] = hi;
	}
	if (!(a[RW_M_QUOTA] > 0) || !(b[RW_M_QUOTA] > 0))
		return;
	y = a[RW_M_REVENUE] + b[RW_M_REVENUE];
	v = c->ssq[r * np + k - 1] + c->ssq[r * np + k];
	wm = fmax(c->wmax[r * np + k - 1], c->wmax[r * np + k]);
	if (!(wm > 0))
		wm = fall;
	b[RW_M_ATTAINMENT_2P] = y / q;
	if (rw_gamma_interval(y, v, wm, &lo, &hi))
		return;
	b[RW_M_ATTAINMENT_2P_LO] = lo / q;
	b[RW_M_ATTAINMENT_2P_HI] = hi / q;
}

/*
 * revenue_lo/_hi and attainment_lo/_hi (SPEC section 5, "beyond chance"):
 * the Fay-Feuer interval (rw_gamma_interval) with the period's won amounts
 * as the weights.  The largest weight w_M is the period's largest won
 * amount; with no won deal (or only zero amounts) it is the size of deal
 * the rep could have won: the rep's mean won deal over the window, else
 * the team's, else the company's.  Attainment bounds divide by the quota.
 */
static int intervals(struct ctx *c)
{
	size_t nr = c->ds->nreps, np = (size_t)c->np;
	double *tmean = rw_calloc(c->nteams + 1, sizeof(*tmean));
	double cmean = mean_won(c, nr, RW_NONE, RW_NONE);

	if (!tmean)
		return RW_ENOMEM;
	for (size_t t = 0; t < c->nteams; t++)
		tmean[t] = mean_won(c, nr, RW_NONE, (uint32_t)t);
	for (uint32_t r = 0; r < nr; r++) {
		double *row = c->res->vals[c->g] + (size_t)r * np * RW_NMETRICS;
		double fall = mean_won(c, nr, r, RW_NONE);

		if (!(fall > 0))
			fall = tmean[c->team[r]];
		if (!(fall > 0))
			fall = cmean;
		for (size_t k = 0; k < np; k++) {
			double *v = row + k * RW_NMETRICS;
			double wm = c->wmax[r * np + k], lo, hi;

			if (isnan(v[RW_M_REVENUE]))
				continue;	/* not the rep's period */
			if (!(wm > 0))
				wm = fall;
			if (rw_gamma_interval(v[RW_M_REVENUE], c->ssq[r * np + k],
					      wm, &lo, &hi))
				continue;
			v[RW_M_REVENUE_LO] = lo;
			v[RW_M_REVENUE_HI] = hi;
			if (v[RW_M_QUOTA] > 0) {
				v[RW_M_ATTAINMENT_LO] = lo / v[RW_M_QUOTA];
				v[RW_M_ATTAINMENT_HI] = hi / v[RW_M_QUOTA];
			}
			if (k > 0)
				pair_interval(c, r, k, fall);
		}
	}
	rw_free(tmean);
	return 0;
}

/* ---- Trends ------------------------------------------------------------- */

/* Weight of a ratio metric's point: its denominator (the metric table's
 * weight column); 0 for a metric without one. */
static double point_weight(const struct ctx *c, uint32_t r, int k, int m,
			   const double *v)
{
	switch (metric_desc[m].weight) {
	case RW_WEIGHT_CLOSED:
		return v[RW_M_WON] + v[RW_M_LOST];
	case RW_WEIGHT_WON:
		return v[RW_M_WON];
	case RW_WEIGHT_QUOTA:
		return v[RW_M_QUOTA];
	case RW_WEIGHT_FOLLOWUP_DUE:
		return c->fq[(size_t)r * (size_t)c->np + (size_t)k];
	case RW_WEIGHT_OPEN:
		return v[RW_M_OPEN_OPPS];
	case RW_WEIGHT_ICP_KNOWN:
		return c->icpn[(size_t)r * (size_t)c->np + (size_t)k];
	case RW_WEIGHT_FIRST_MEETINGS:
		return v[RW_M_FIRST_MEETINGS];
	case RW_WEIGHT_NONE:
		break;
	}
	return 0;
}

/*
 * Change point over all the window's complete periods that have a value
 * (SPEC section 4; a decline that began before the trend window is named
 * too).  The Bonferroni factor counts the candidate splits of this longer
 * series.  *raw receives the best split's p whether or not significant,
 * for the false discovery rate across reps.
 */
static void history_cp(const struct ctx *c, const double *row, int m,
		       struct rw_trend *t, double *raw, uint32_t r)
{
	double y[RW_CP_MAX], sx[RW_CP_MAX], st[RW_CP_MAX], size, p;
	int32_t at[RW_CP_MAX];
	size_t n = 0;
	int i, prop = m == RW_M_WIN_RATE || m == RW_M_FOLLOWUP_RATIO;

	int k0 = c->np - 1, kept = 0;

	/* The newest RW_CP_MAX complete periods with a value, oldest first. */
	while (k0 > 0 && kept < RW_CP_MAX)
		kept += !isnan(row[(size_t)--k0 * RW_NMETRICS + (size_t)m]);
	for (int k = k0; k < c->np - 1; k++) {
		const double *v = row + (size_t)k * RW_NMETRICS;

		if (isnan(v[m]))
			continue;
		y[n] = v[m];
		/* Proportions are tested on their counts: won of closed, and
		 * followed up of first meetings. */
		st[n] = m == RW_M_WIN_RATE ? v[RW_M_WON] + v[RW_M_LOST] :
			m == RW_M_FOLLOWUP_RATIO ? c->fq[(size_t)r * (size_t)c->np + (size_t)k] : 0;
		sx[n] = v[m] * st[n];
		at[n++] = c->first + k;
	}
	i = prop ? rw_change_point_prop(sx, st, n, &size, &p) :
		   rw_change_point(y, n, &size, &p);
	*raw = p;
	t->cp_period = i >= 0 ? at[i] : RW_NODAY;
	t->cp_size = i >= 0 ? size : NAN;
	t->cp_p = i >= 0 ? p : NAN;
	t->cp_change = NAN;
	if (i > 0) {
		double before = 0, trials = 0;

		for (int j = 0; j < i; j++) {
			before += prop ? sx[j] : y[j];
			trials += prop ? st[j] : 1;
		}
		before /= trials;
		if (before != 0 && isfinite(before))
			t->cp_change = size / fabs(before);
	}
}

static void rep_trends(struct ctx *c, uint32_t r, double *cpraw)
{
	int h = c->np - 1, tn = c->s->trend_periods;
	int k0, n;
	const double *row = c->res->vals[c->g] + (size_t)r * (size_t)c->np * RW_NMETRICS;
	double x[RW_TREND_MAX], y[RW_TREND_MAX], w[RW_TREND_MAX];
	double xc[RW_TREND_MAX], yc[RW_TREND_MAX];

	if (tn > h)
		tn = h;
	if (tn > RW_TREND_MAX)
		tn = RW_TREND_MAX;
	if (tn < 0)
		tn = 0;
	k0 = h - tn;
	for (int m = 0; m < RW_NMETRICS; m++) {
		struct rw_trend *t = &c->res->trends[c->g][(size_t)r * RW_NMETRICS + (size_t)m];
		int cpi;

		n = 0;
		for (int j = 0; j < tn; j++) {
			const double *v = row + (size_t)(k0 + j) * RW_NMETRICS;

			x[j] = j;
			y[j] = v[m];
			w[j] = point_weight(c, r, k0 + j, m, v);
			if (!isnan(y[j])) {
				xc[n] = j;
				yc[n++] = y[j];
			}
		}
		rw_trend_ols(x, y, NULL, (size_t)tn, t);
		/* Ratio metrics get a weighted trend too. */
		if (metric_desc[m].weight != RW_WEIGHT_NONE)
			rw_trend_ols(x, y, w, (size_t)tn, t);
		rw_trend_robust(xc, yc, (size_t)n, t, &cpi);
		if (t->n < 3) {
			t->ts_slope = t->mk_p = t->change = t->cp_size = t->cp_p = t->cp_change = NAN;
			cpi = -1;
		}
		(void)cpi;	/* the window's own split: superseded below */
		history_cp(c, row, m, t, cpraw + m, r);
	}
}

/*
 * Every rep's trends, then the false discovery rate across the night's
 * reps (SPEC section 5): per team and metric, the Benjamini-Hochberg q of
 * slope_p and of the change point's p over the team's reps eligible at the
 * last complete period.  Reps not eligible there are no test of tonight's
 * rules and get no q.  The family is the team because a team is what a
 * manager reviews and the unit of sharding: a run split by team must
 * decide exactly what a single run decides, and no shard sees the other
 * teams' activities.
 */
static int all_trends(struct ctx *c)
{
	size_t nr = c->ds->nreps, nt = c->nteams;
	double *cpraw = rw_calloc(nr * RW_NMETRICS + 1, sizeof(*cpraw));
	double *p = rw_calloc(2 * (nr + 1), sizeof(*p)), *q = p + nr + 1;
	size_t *ts = rw_calloc(nt + 2, sizeof(*ts));	/* team starts in mem */
	uint32_t *mem = rw_calloc(nr + 1, sizeof(*mem));	/* reps by team */
	int last = c->np - 2, rc = 0;

	if (!cpraw || !p || !ts || !mem) {
		rc = RW_ENOMEM;
		goto out;
	}
	for (uint32_t r = 0; r < nr; r++) {
		rep_trends(c, r, cpraw + (size_t)r * RW_NMETRICS);
		ts[c->team[r] + 1]++;
	}
	for (size_t t = 0; t < nt; t++)
		ts[t + 1] += ts[t];
	for (uint32_t r = 0; r < nr; r++)
		mem[ts[c->team[r]]++] = r;	/* ts[t] ends at team t + 1's start */
	for (size_t t = nt; t > 0; t--)
		ts[t] = ts[t - 1];
	ts[0] = 0;
	for (size_t t = 0; !rc && t < nt; t++) {
		size_t n = ts[t + 1] - ts[t];
		const uint32_t *who = mem + ts[t];

		for (int m = 0; !rc && m < RW_NMETRICS; m++) {
			for (int pass = 0; !rc && pass < 2; pass++) {
				for (size_t j = 0; j < n; j++) {
					size_t at = (size_t)who[j] * RW_NMETRICS + (size_t)m;
					int ok = last >= 0 && c->res->elig[c->g]
						[(size_t)who[j] * (size_t)c->np + (size_t)last];

					p[j] = !ok ? NAN : pass ? cpraw[at] :
					       c->res->trends[c->g][at].slope_p;
				}
				rc = rw_bh_adjust(p, n, q);
				for (size_t j = 0; !rc && j < n; j++) {
					struct rw_trend *tr = &c->res->trends[c->g]
						[(size_t)who[j] * RW_NMETRICS + (size_t)m];

					if (pass)
						tr->cp_q = q[j];
					else
						tr->slope_q = q[j];
				}
			}
		}
	}
out:
	rw_free(cpraw);
	rw_free(p);
	rw_free(ts);
	rw_free(mem);
	return rc;
}

/* ---- Driver ------------------------------------------------------------- */

static void trend_init(struct rw_trend *t)
{
	t->n = 0;
	t->slope = t->intercept = t->r2 = NAN;
	t->slope_p = t->slope_lo = t->slope_hi = NAN;
	t->wslope = t->wslope_p = t->ts_slope = t->mk_p = NAN;
	t->change = t->cp_size = t->cp_p = t->cp_change = NAN;
	t->slope_q = t->cp_q = t->shift_change = t->shift_p = NAN;
	t->cp_period = RW_NODAY;
}

static int grain_setup(struct ctx *c, enum rw_grain g)
{
	const struct rw_settings *s = c->s;
	size_t nr = c->ds->nreps, np;

	c->g = g;
	c->np = (s->history_periods > 0 ? s->history_periods : 0) + 1;
	c->first = rw_period_of(g, s->as_of, s->fiscal_start) - (c->np - 1);
	np = (size_t)c->np;
	c->res->first[g] = c->first;
	c->res->count[g] = c->np;
	if (nr && np > SIZE_MAX / RW_NMETRICS / sizeof(double) / nr)
		return RW_ENOMEM;
	c->res->vals[g] = rw_calloc(nr * np * RW_NMETRICS + 1, sizeof(double));
	c->res->trends[g] = rw_calloc(nr * RW_NMETRICS + 1, sizeof(struct rw_trend));
	c->quota = rw_calloc(nr * (np + 1) + 1, sizeof(*c->quota));
	c->fq = rw_calloc(nr * np + 1, sizeof(*c->fq));
	c->icpn = rw_calloc(nr * np + 1, sizeof(*c->icpn));
	c->ssq = rw_calloc(nr * np + 1, sizeof(*c->ssq));
	c->wmax = rw_calloc(nr * np + 1, sizeof(*c->wmax));
	c->res->mine[g] = rw_calloc(nr * np + 1, 1);
	c->res->elig[g] = rw_calloc(nr * np + 1, 1);
	c->pstart = rw_calloc(np, sizeof(*c->pstart));
	c->pend = rw_calloc(np, sizeof(*c->pend));
	c->eval = rw_calloc(np, sizeof(*c->eval));
	if (!c->res->vals[g] || !c->res->trends[g] || !c->quota || !c->fq || !c->icpn ||
	    !c->ssq || !c->wmax || !c->res->mine[g] || !c->res->elig[g] ||
	    !c->pstart || !c->pend || !c->eval)
		return RW_ENOMEM;
	for (int k = 0; k < c->np; k++) {
		c->pstart[k] = rw_period_start(g, c->first + k, s->fiscal_start);
		c->pend[k] = rw_period_end(g, c->first + k, s->fiscal_start);
		/* Evaluation day: the period's last day, or as_of if sooner. */
		c->eval[k] = c->pend[k] - 1 < s->as_of ? c->pend[k] - 1 : s->as_of;
	}
	for (size_t r = 0; r < nr; r++) {
		const struct rw_rep *rep = &c->ds->reps[r];

		for (int k = 0; k < c->np; k++) {
			c->res->mine[g][r * np + (size_t)k] = (unsigned char)
				period_mine(rep, c->pstart[k], c->pend[k]);
			c->res->elig[g][r * np + (size_t)k] = (unsigned char)
				period_eligible(rep, c->pstart[k], c->pend[k],
						c->eval[k], s->ramp_days);
		}
	}
	for (size_t i = 0; i < nr * RW_NMETRICS; i++)
		trend_init(&c->res->trends[g][i]);
	return 0;
}

static void grain_release(struct ctx *c)
{
	rw_free(c->quota);
	rw_free(c->fq);
	rw_free(c->icpn);
	rw_free(c->ssq);
	rw_free(c->wmax);
	rw_free(c->pstart);
	rw_free(c->pend);
	rw_free(c->eval);
	c->quota = c->fq = c->icpn = c->ssq = c->wmax = NULL;
	c->pstart = c->pend = c->eval = NULL;
}

static int grain_compute(struct ctx *c, enum rw_grain g)
{
	int rc = grain_setup(c, g);

	if (!rc)
		rc = fill_quotas(c);
	for (uint32_t r = 0; !rc && r < c->ds->nreps; r++)
		rc = rep_compute(c, r);
	if (!rc)
		rc = shrink(c);
	if (!rc)
		rc = intervals(c);
	if (!rc)
		rc = all_trends(c);
	if (!rc)
		rc = rw_baselines_compute(c->res, c->ds, g);
	grain_release(c);
	return rc;
}

int rw_engine_compute(const struct rw_dataset *ds, struct rw_results **out,
		      struct rw_err *err)
{
	struct ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.ds = ds;
	c.s = &ds->settings;
	if (c.s->history_periods < 0 || c.s->history_periods > 10000 ||
	    c.s->trend_periods < 0 || c.s->stale_days < 0 || c.s->followup_days < 0)
		return rw_err_set(err, RW_ECONFIG,
				  "history_periods, trend_periods, stale_days and followup_days must be non-negative (history_periods at most 10000)");
	c.res = rw_calloc(1, sizeof(*c.res));
	if (!c.res)
		return rw_err_set(err, RW_ENOMEM, "out of memory computing metrics");
	c.res->nreps = ds->nreps;
	rc = bucket_deals(&c);
	if (!rc)
		rc = number_teams(&c);
	for (int g = 0; !rc && g < RW_NGRAINS; g++)
		rc = grain_compute(&c, g);
	if (!rc)
		rc = rw_conversions_compute(c.res, ds);
	if (!rc)
		rc = rw_team_findings_compute(c.res, ds);
	if (!rc)
		rc = rw_shifts_compute(c.res, ds);
	rw_free(c.order);
	rw_free(c.rep_start);
	if (!c.res->rep_team)
		rw_free(c.team);	/* else the results own it */
	rw_free(c.cyc.k);
	rw_free(c.gap.k);
	if (rc) {
		rw_results_free(c.res);
		return rw_err_set(err, rc, "out of memory computing metrics");
	}
	*out = c.res;
	return 0;
}

void rw_results_free(struct rw_results *res)
{
	if (!res)
		return;
	for (int g = 0; g < RW_NGRAINS; g++) {
		rw_free(res->vals[g]);
		rw_free(res->trends[g]);
		rw_free(res->base[g]);
		rw_free(res->z[g]);
		rw_free(res->pct[g]);
		rw_free(res->mine[g]);
		rw_free(res->elig[g]);
		rw_free(res->shift[g]);
	}
	rw_free(res->team_names);
	rw_free(res->rep_team);
	rw_free(res->findings);
	for (size_t i = 0; i < res->nconv; i++)
		rw_free(res->conv_names[i]);
	rw_free(res->conv_names);
	rw_free(res->conv_from);
	rw_free(res->conv_to);
	for (int g = 0; g < RW_NGRAINS; g++)
		rw_free(res->conv[g]);
	rw_free(res);
}

int32_t rw_results_first_period(const struct rw_results *res, enum rw_grain g)
{
	return (unsigned)g < RW_NGRAINS ? res->first[g] : RW_NODAY;
}

int rw_results_period_count(const struct rw_results *res, enum rw_grain g)
{
	return (unsigned)g < RW_NGRAINS ? res->count[g] : 0;
}

double rw_results_value(const struct rw_results *res, uint32_t r,
			enum rw_grain g, int k, enum rw_metric m)
{
	if (r >= res->nreps || (unsigned)g >= RW_NGRAINS || k < 0 ||
	    k >= res->count[g] || (unsigned)m >= RW_NMETRICS)
		return NAN;
	return res->vals[g][((size_t)r * (size_t)res->count[g] + (size_t)k) *
			    RW_NMETRICS + (size_t)m];
}

const struct rw_trend *rw_results_trend(const struct rw_results *res,
					uint32_t r, enum rw_grain g,
					enum rw_metric m)
{
	if (r >= res->nreps || (unsigned)g >= RW_NGRAINS || (unsigned)m >= RW_NMETRICS)
		return NULL;
	return &res->trends[g][(size_t)r * RW_NMETRICS + (size_t)m];
}

static int per_flag(unsigned char *const *a, const struct rw_results *res,
		    uint32_t r, enum rw_grain g, int k)
{
	if (r >= res->nreps || (unsigned)g >= RW_NGRAINS || k < 0 ||
	    k >= res->count[g] || !a[g])
		return 0;
	return a[g][(size_t)r * (size_t)res->count[g] + (size_t)k];
}

int rw_results_rep_period(const struct rw_results *res, uint32_t r,
			  enum rw_grain g, int k)
{
	return per_flag(res->mine, res, r, g, k);
}

int rw_results_eligible(const struct rw_results *res, uint32_t r,
			enum rw_grain g, int k)
{
	return per_flag(res->elig, res, r, g, k);
}
