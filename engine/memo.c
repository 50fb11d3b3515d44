/*
 * memo.c - a cache of the interval quantiles (rw_jeffreys,
 * rw_gamma_interval) that outlives one rw_engine_compute.  A night asks
 * for the same (won, lost) pairs and, for the complete periods, the same
 * (revenue, squares, largest) triples as the night a month earlier: a
 * backtest replaying many nights computes each GSL quantile once.  The
 * key is the inputs' exact bits, so a hit returns what the call would.
 */
#include "engine.h"
#include "engine_int.h"

#include <string.h>

/* Slots per table: a power of two; a night of 40 reps asks for a few
 * thousand intervals.  A slot taken by another key is overwritten, so the
 * memory stays bounded whatever the data. */
#define MEMO_SLOTS (1u << 15)

struct memo_slot {
	uint64_t k[3];		/* the inputs' bits */
	double lo, hi;
	int rc;
	int used;
};

struct rw_memo {
	struct memo_slot jeff[MEMO_SLOTS], gam[MEMO_SLOTS];
};

struct rw_memo *rw_memo_new(void)
{
	return rw_calloc(1, sizeof(struct rw_memo));
}

void rw_memo_free(struct rw_memo *m)
{
	rw_free(m);
}

static uint64_t bits(double x)
{
	uint64_t u;

	memcpy(&u, &x, sizeof(u));
	return u;
}

/* splitmix64's finaliser over the keys, folded. */
static size_t memo_hash(const uint64_t *k, int n)
{
	uint64_t h = 0x9e3779b97f4a7c15u;

	for (int i = 0; i < n; i++) {
		h ^= k[i];
		h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9u;
		h = (h ^ (h >> 27)) * 0x94d049bb133111ebu;
		h ^= h >> 31;
	}
	return (size_t)(h & (MEMO_SLOTS - 1));
}

/* Is key k in table t?  Then *lo, *hi and *rc are what the call returned;
 * else *slot is where to keep what it returns (memo_put). */
static int memo_get(struct memo_slot *t, const uint64_t *k, struct memo_slot **slot,
		    double *lo, double *hi, int *rc)
{
	struct memo_slot *s = &t[memo_hash(k, 3)];

	*slot = s;
	if (!s->used || s->k[0] != k[0] || s->k[1] != k[1] || s->k[2] != k[2])
		return 0;
	*lo = s->lo;
	*hi = s->hi;
	*rc = s->rc;
	return 1;
}

/* Keep what a call returned (rc, and the bounds it wrote) in slot s. */
static int memo_put(struct memo_slot *s, const uint64_t *k, int rc,
		    const double *lo, const double *hi)
{
	memcpy(s->k, k, sizeof(s->k));
	s->lo = *lo;
	s->hi = *hi;
	s->rc = rc;
	s->used = 1;
	return rc;
}

int rw_memo_jeffreys(struct rw_memo *m, double won, double lost, double *lo,
		     double *hi)
{
	uint64_t k[3] = { bits(won), bits(lost), 0 };
	struct memo_slot *s;
	int rc;

	if (!m)
		return rw_jeffreys(won, lost, lo, hi);
	if (memo_get(m->jeff, k, &s, lo, hi, &rc))
		return rc;
	return memo_put(s, k, rw_jeffreys(won, lost, lo, hi), lo, hi);
}

int rw_memo_gamma_interval(struct rw_memo *m, double y, double v, double wm,
			   double *lo, double *hi)
{
	uint64_t k[3] = { bits(y), bits(v), bits(wm) };
	struct memo_slot *s;
	int rc;

	if (!m)
		return rw_gamma_interval(y, v, wm, lo, hi);
	if (memo_get(m->gam, k, &s, lo, hi, &rc))
		return rc;
	return memo_put(s, k, rw_gamma_interval(y, v, wm, lo, hi), lo, hi);
}
