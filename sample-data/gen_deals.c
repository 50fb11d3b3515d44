/*
 * gen_deals.c - rwgen's opportunities, the touches on them, and how the
 * unlinked activities spread over days.
 */
#include "generator.h"

/* ------------------------------------------------------------------ */
/* Opportunities. */

static struct opp *opp_push(struct gen *g)
{
	struct opp *p;
	size_t ncap;

	if (g->nopps == g->capopps) {
		ncap = g->capopps ? g->capopps * 2 : 1024;
		if (ncap > SIZE_MAX / sizeof(*p))
			return NULL;
		p = realloc(g->opps, ncap * sizeof(*p));
		if (!p)
			return NULL;
		g->opps = p;
		g->capopps = ncap;
	}
	p = &g->opps[g->nopps++];
	memset(p, 0, sizeof(*p));
	return p;
}

/* Draw one deal created on day by rep ri. */
static void opp_draw(struct gen *g, int ri, int32_t day, struct rng *rg, struct opp *o)
{
	const struct rep *r = &g->reps[ri];
	double cyc = r->cycle * exp(0.4 * rng_normal(rg));
	double amount, u = rng_u01(rg);

	if (r->pat == PAT_STALE && moff(g, day) >= -5)
		cyc *= 1.5;	/* neglected deals drag on */
	if (cyc < 7)
		cyc = 7;
	if (cyc > 200)
		cyc = 200;
	o->created = day;
	o->close = day + (int32_t)lround(cyc);
	o->creator = o->owner = ri;
	o->seed = rng_next(rg);
	o->account = (uint16_t)rng_int(rg, 0, NACCOUNTS - 1);
	o->source = (uint8_t)rng_int(rg, 0, NSOURCES - 1);
	o->form = (uint8_t)rng_int(rg, 0, 99);
	amount = r->size * exp(0.5 * rng_normal(rg)) * size_factor(g, r, o->close);
	amount = floor(amount / 100.0 + 0.5) * 100.0;
	o->cents = (int64_t)(amount < 1000 ? 1000 : amount) * 100;
	if (o->close > g->end) {
		double frac = (double)(g->end - day) / (double)(o->close - day);

		o->status = ST_OPEN;
		o->stage = (uint8_t)(frac < 0.25 ? 0 : frac < 0.5 ? 1 : frac < 0.75 ? 2 : 3);
	} else {
		o->status = u < win_prob(g, r, o->close) ? ST_WON : ST_LOST;
	}
	if (r->leave && (o->status == ST_OPEN || o->close > r->leave))
		o->owner = r->successor;
}

static int opps_for_rep(struct gen *g, int ri)
{
	const struct rep *r = &g->reps[ri];
	struct rng rg;
	int32_t d;
	int n, nth = 0;

	rng_seed(&rg, seed_mix(r->seed, 3, 0));
	for (d = r->from; d <= r->to; d++) {
		if (weekday(d) >= 5)
			continue;
		n = rng_poisson(&rg, opp_rate(g, r, d));
		while (n-- > 0) {
			struct opp *o = opp_push(g);

			if (!o)
				return -1;
			o->seq = (int)g->nopps;
			o->nth = nth++;
			opp_draw(g, ri, d, &rg, o);
		}
	}
	return 0;
}

static int opp_cmp(const void *a, const void *b)
{
	const struct opp *x = a, *y = b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

int opps_make(struct gen *g)
{
	int i;

	for (i = 0; i < g->nreps; i++)
		if (opps_for_rep(g, i))
			return -1;
	if (g->nopps)
		qsort(g->opps, g->nopps, sizeof(*g->opps), opp_cmp);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Touches on deals: first meeting, second meeting, calls and e-mails. */

static int tbuf_push(struct tbuf *tb, const struct touch *t)
{
	struct touch *p;
	size_t ncap;

	if (tb->n == tb->cap) {
		ncap = tb->cap ? tb->cap * 2 : 256;
		if (ncap > SIZE_MAX / sizeof(*p))
			return -1;
		p = realloc(tb->v, ncap * sizeof(*p));
		if (!p)
			return -1;
		tb->v = p;
		tb->cap = ncap;
	}
	tb->v[tb->n] = *t;
	tb->v[tb->n].seq = tb->n;
	tb->n++;
	return 0;
}

/* Who did an activity on deal o on day: its creator, or the successor once
 * the creator has left. */
static int actor_of(const struct gen *g, const struct opp *o, int32_t day)
{
	const struct rep *c = &g->reps[o->creator];

	return (c->leave && day > c->leave) ? o->owner : o->creator;
}

/* Add touch t (on deal oi) to tb when rep ri did it. */
static int touch_keep(const struct gen *g, size_t oi, int ri, struct touch *t,
		      struct rng *rg, struct tbuf *tb)
{
	int u = rng_int(rg, 0, 99);

	t->form = u < 97 ? 0 : u < 99 ? 1 : 2;
	t->opp = oi;
	if (actor_of(g, &g->opps[oi], t->day) != ri)
		return 0;
	return tbuf_push(tb, t);
}

/* A uniform draw for the nth deal of a rep: the golden-ratio sequence,
 * jittered.  Consecutive deals get well spread values, so a month's
 * follow-up share sits close to the rep's probability instead of swinging
 * by +-0.15 on a dozen deals, and the planted drop stays readable. */
static double spread(int nth, double jitter)
{
	double x = (double)nth * 0.6180339887498949 + 0.2 * jitter;

	return x - floor(x);
}

static int meetings(const struct gen *g, size_t oi, int ri, int32_t last,
		    int32_t neglect, struct rng *rg, struct tbuf *tb)
{
	const struct opp *o = &g->opps[oi];
	const struct rep *r = &g->reps[o->creator];
	struct touch t = { 0 };
	int32_t fm = o->created + rng_int(rg, 1, 6), sm;
	double u = spread(o->nth, rng_u01(rg));
	int late = rng_int(rg, 32, 60), soon = rng_int(rg, 4, 26);

	if (fm > last)
		return 0;
	t.day = fm;
	t.type = A_MEETING;
	t.kind = K_FIRST;
	t.subj = rng_int(rg, 0, NELEM(subj_first) - 1);
	if (touch_keep(g, oi, ri, &t, rg, tb))
		return -1;
	/* a second meeting within 30 days, or (sometimes) a late one */
	if (u < followup_prob(g, r, fm))
		sm = fm + soon < last ? fm + soon : last;
	else if (u > 0.7)
		sm = fm + late;
	else
		return 0;
	if (sm > last || sm == fm || sm >= neglect)
		return 0;
	t.day = sm;
	t.kind = K_SECOND;
	t.subj = rng_int(rg, 0, NELEM(subj_second) - 1);
	t.type = t.subj == 0 ? A_MEETING : A_DEMO;
	return touch_keep(g, oi, ri, &t, rg, tb);
}

/* Days to the next touch: mostly within half to one and a half times the
 * mean, with an occasional lapse of up to three times it. */
static int32_t touch_gap(double mean, struct rng *rg)
{
	double u = rng_u01(rg), f = rng_u01(rg);
	double gap = u < 0.93 ? mean * (0.5 + f) : mean * (1.5 + 1.5 * f);

	return gap < 1.0 ? 1 : (int32_t)lround(gap);
}

/* All touches of deal oi done by rep ri, appended to tb.  The deal's own
 * stream makes them the same on every call. */
static int opp_touches(const struct gen *g, size_t oi, int ri, struct tbuf *tb)
{
	const struct opp *o = &g->opps[oi];
	const struct rep *r = &g->reps[o->creator];
	int32_t last = o->status == ST_OPEN ? g->end : o->close;
	int32_t neglect = INT32_MAX, d;
	struct touch t = { 0 };
	struct rng rg;

	rng_seed(&rg, o->seed);
	/* a neglected deal gets nothing after its first meeting */
	if (r->pat == PAT_STALE && rng_u01(&rg) < 0.8) {
		neglect = month_first(g->m0 - 4);
		if (neglect < o->created + 7)
			neglect = o->created + 7;
	}
	if (meetings(g, oi, ri, last, neglect, &rg, tb))
		return -1;
	for (d = o->created;;) {
		d += touch_gap(r->gap * gap_factor(g, r, d), &rg);
		if (d > last || d >= neglect)
			return 0;
		t.day = d;
		t.kind = K_TOUCH;
		t.type = rng_u01(&rg) < 0.55 ? A_EMAIL : A_CALL;
		t.subj = t.type == A_EMAIL ? rng_int(&rg, 0, NELEM(subj_touch_email) - 1)
					   : rng_int(&rg, 0, NELEM(subj_touch_call) - 1);
		if (touch_keep(g, oi, ri, &t, &rg, tb))
			return -1;
	}
}

/* Every touch rep ri did on any deal, sorted by day. */
int rep_touches(const struct gen *g, int ri, struct tbuf *tb)
{
	size_t i;

	tb->n = 0;
	for (i = 0; i < g->nopps; i++) {
		const struct opp *o = &g->opps[i];

		if (o->creator != ri && o->owner != ri)
			continue;
		if (opp_touches(g, i, ri, tb))
			return -1;
	}
	return 0;
}

int touch_cmp(const void *a, const void *b)
{
	const struct touch *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* ------------------------------------------------------------------ */
/* Unlinked activity: a weight per day, and an exact total per rep. */

double day_weight(const struct gen *g, const struct rep *r, int32_t d, struct rng *rg)
{
	double w = (weekday(d) < 5 ? 1.0 : 0.06) * r->act * rng_range(rg, 0.6, 1.4);
	int k = moff(g, d);

	w *= ramp(r, d);
	if (r->pat == PAT_DECLINE && k >= -4)
		w *= 0.6;
	if (r->pat == PAT_STALE && k >= -4)
		w *= 0.7;
	if (r->pat == PAT_FALL)
		w *= 1.0 + (r->p_act - 1.0) * fall(g, r, d);
	return w;
}

void rep_weights(const struct gen *g, struct rep *r)
{
	struct rng rg;
	int32_t d;

	rng_seed(&rg, seed_mix(r->seed, 4, 0));
	r->wsum = 0;
	for (d = r->from; d <= r->to; d++)
		r->wsum += day_weight(g, r, d, &rg);
}

/* Split nfree over the reps by their weight (largest remainder). */
void free_split(struct gen *g, uint64_t nfree)
{
	double total = 0, best;
	uint64_t given = 0;
	int i, pick;

	for (i = 0; i < g->nreps; i++)
		total += g->reps[i].wsum;
	for (i = 0; i < g->nreps; i++) {
		g->reps[i].nfree = (uint64_t)floor((double)nfree * g->reps[i].wsum / total);
		given += g->reps[i].nfree;
	}
	while (given < nfree) {
		pick = 0;
		best = -1;
		for (i = 0; i < g->nreps; i++) {
			double share = (double)nfree * g->reps[i].wsum / total;
			double rem = share - (double)g->reps[i].nfree;

			if (rem > best) {
				best = rem;
				pick = i;
			}
		}
		g->reps[pick].nfree++;
		given++;
	}
}
