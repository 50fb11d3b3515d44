/*
 * gen_random.c - rwgen's random streams (xoshiro256**) and its calendar of
 * days since 1970-01-01.
 */
#include "generator.h"

#include "../common/calendar.h"

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64 to seed xoshiro256** (Blackman and Vigna,
 * "Scrambled linear pseudorandom number generators", 2018). */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, 1) with 53 random bits. */
double rng_u01(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi]. */
int rng_int(struct rng *r, int lo, int hi)
{
	return lo + (int)(rng_u01(r) * (double)(hi - lo + 1));
}

double rng_range(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * rng_u01(r);
}

/* Standard normal by Box-Muller; uses exactly two draws. */
double rng_normal(struct rng *r)
{
	double u = 1.0 - rng_u01(r);
	double v = rng_u01(r);

	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* Poisson by Knuth's product method; fine for the small means used here. */
int rng_poisson(struct rng *r, double lambda)
{
	double limit = exp(-lambda), p = 1.0;
	int k = 0;

	if (lambda <= 0)
		return 0;
	for (;;) {
		p *= rng_u01(r);
		if (p <= limit)
			return k;
		k++;
	}
}

/* A seed for a sub-stream: the rep or deal's own generator. */
uint64_t seed_mix(uint64_t seed, uint64_t a, uint64_t b)
{
	uint64_t x = seed ^ (a * 0xd1342543de82ef95ULL) ^ (b * 0x2545f4914f6cdd1dULL);

	return splitmix64(&x);
}

/* ------------------------------------------------------------------ */
/* Calendar: days since 1970-01-01, on repwatch's own calendar
 * (common/calendar.c), so the generator and the engine cannot disagree on
 * a date. */

int32_t days_from_civil(int y, int m, int d)
{
	return rw_days_from_civil(y, m, d);
}

static void civil_from_days(int32_t day, int *y, int *m, int *d)
{
	rw_civil_from_days(day, y, m, d);
}

/* Months since year 0: 2026-10 is 2026 * 12 + 9. */
int month_of(int32_t day)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	return y * 12 + m - 1;
}

int32_t month_first(int mi)
{
	return days_from_civil(mi / 12, mi % 12 + 1, 1);
}

/* 0 = Monday ... 6 = Sunday; 1970-01-01 was a Thursday. */
int weekday(int32_t day)
{
	return (int)(((int64_t)day % 7 + 7 + 3) % 7);
}

void fmt_date(char buf[16], int32_t day)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(buf, 16, "%04d-%02d-%02d", y, m, d);
}

int parse_date(const char *s, int32_t *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, n = 0;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
		return -1;
	if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	*out = days_from_civil(y, m, d);
	return 0;
}
