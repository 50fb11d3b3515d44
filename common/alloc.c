/* alloc.c - allocation wrappers with a fail-the-Nth-call test hook. */
#include "common.h"

#include <errno.h>
#include <stdlib.h>

/* Process-wide by nature: the hook exists for single-threaded tests. */
static long alloc_count;
static long alloc_fail_at;

long rw_alloc_fail_after(long n)
{
	long made = alloc_count;

	alloc_count = 0;
	alloc_fail_at = n > 0 ? n : 0;
	return made;
}

static int alloc_should_fail(void)
{
	alloc_count++;
	if (alloc_fail_at && alloc_count >= alloc_fail_at) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *rw_malloc(size_t size)
{
	if (alloc_should_fail())
		return NULL;
	return malloc(size ? size : 1);
}

void *rw_calloc(size_t n, size_t size)
{
	if (alloc_should_fail())
		return NULL;
	if (!n || !size)
		return calloc(1, 1);
	return calloc(n, size);
}

void *rw_realloc(void *p, size_t size)
{
	if (alloc_should_fail())
		return NULL;
	return realloc(p, size ? size : 1);
}

void *rw_reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return rw_realloc(p, n * size);
}

void *rw_grow(void *arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return arr;
	if (*cap > SIZE_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	ncap = *cap * 2;
	if (ncap < need)
		ncap = need;
	if (ncap < 16)
		ncap = 16;
	p = rw_reallocarray(arr, ncap, size);	/* checks ncap * size */
	if (p)
		*cap = ncap;
	return p;
}

void rw_free(void *p)
{
	free(p);
}
