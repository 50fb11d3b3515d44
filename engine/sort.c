/*
 * sort.c - the engine's radix sorts: the per-period median keys (64-bit
 * integers, deal_metrics.c) and the team baselines' values (finite
 * doubles, baseline.c).  One LSD radix sort by bytes on an order-
 * preserving 64-bit key serves both: a byte every key shares is skipped
 * (the high bytes of a period number and of a biased day count mostly are),
 * so a sort takes a few linear passes instead of qsort's n log n
 * callbacks.  Short arrays go by insertion sort.  Both are stable.
 */
#include "engine.h"
#include "engine_int.h"

#include <string.h>

/* Under this many values insertion sort beats the radix passes. */
#define RW_RADIX_MIN 48

static inline uint64_t key_u64(uint64_t u)
{
	return u;
}

/* Key of x that orders as < does on finite values: the sign bit flipped
 * for positives, all bits for negatives, and -0 as +0 (they compare
 * equal). */
static inline uint64_t key_double(double x)
{
	uint64_t u;

	if (x == 0)
		x = 0.0;
	memcpy(&u, &x, sizeof(u));
	return (u >> 63) ? ~u : u | (uint64_t)1 << 63;
}

/*
 * The one radix sort, written once and expanded per element type so the
 * key is computed inline: sort the n values of a by KEY, stably, with tmp
 * (room for n) as scratch.
 */
#define RW_RADIX_SORT(NAME, T, KEY)						\
void NAME(T *a, size_t n, T *tmp)						\
{										\
	T *src = a, *dst = tmp;							\
										\
	if (n < RW_RADIX_MIN) {							\
		/* On the values themselves: on finite values > orders as	\
		 * the keys do, for less than a key per comparison. */	\
		for (size_t i = 1; i < n; i++) {				\
			T x = a[i];						\
			size_t j = i;						\
										\
			for (; j && a[j - 1] > x; j--)				\
				a[j] = a[j - 1];				\
			a[j] = x;						\
		}								\
		return;								\
	}									\
	for (int shift = 0; shift < 64; shift += 8) {				\
		size_t count[256] = { 0 }, pos = 0;				\
		unsigned first = (unsigned)(KEY(src[0]) >> shift) & 0xff;	\
										\
		for (size_t i = 0; i < n; i++)					\
			count[(KEY(src[i]) >> shift) & 0xff]++;			\
		if (count[first] == n)						\
			continue;						\
		for (int b = 0; b < 256; b++) {					\
			size_t c = count[b];					\
										\
			count[b] = pos;						\
			pos += c;						\
		}								\
		for (size_t i = 0; i < n; i++)					\
			dst[count[(KEY(src[i]) >> shift) & 0xff]++] = src[i];	\
		{								\
			T *t = src;						\
										\
			src = dst;						\
			dst = t;						\
		}								\
	}									\
	if (src != a)								\
		memcpy(a, src, n * sizeof(*a));					\
}

RW_RADIX_SORT(rw_sort_u64, uint64_t, key_u64)
RW_RADIX_SORT(rw_sort_double, double, key_double)
