/* arena.c - bump allocator: many small allocations, one free. */
#include "common.h"

#include <stdalign.h>
#include <string.h>

struct arena_block {
	struct arena_block *next;
	size_t size;		/* usable bytes in data */
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

struct rw_arena {
	struct arena_block *head;	/* current block, newest first */
	size_t block_size;		/* default size of a new block */
	size_t used;			/* bytes handed out, all blocks */
};

#define ARENA_ALIGN (alignof(max_align_t))

struct rw_arena *rw_arena_new(size_t block_size)
{
	struct rw_arena *a = rw_malloc(sizeof(*a));

	if (!a)
		return NULL;
	a->head = NULL;
	a->block_size = block_size ? block_size : 64 * 1024;
	a->used = 0;
	return a;
}

void rw_arena_free(struct rw_arena *a)
{
	struct arena_block *b, *next;

	if (!a)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		rw_free(b);
	}
	rw_free(a);
}

void *rw_arena_alloc(struct rw_arena *a, size_t size)
{
	struct arena_block *b = a->head;
	size_t off, bsize;
	void *p;

	if (size > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	size = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (!size)
		size = ARENA_ALIGN;
	off = b ? b->used : 0;
	if (!b || size > b->size - off) {
		bsize = size > a->block_size ? size : a->block_size;
		if (bsize > SIZE_MAX - sizeof(*b))
			return NULL;
		b = rw_malloc(sizeof(*b) + bsize);
		if (!b)
			return NULL;
		b->size = bsize;
		b->used = 0;
		b->next = a->head;
		a->head = b;
		off = 0;
	}
	p = b->data + off;
	b->used = off + size;
	a->used += size;
	return p;
}

void *rw_arena_calloc(struct rw_arena *a, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = rw_arena_alloc(a, n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

char *rw_arena_strndup(struct rw_arena *a, const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX)
		return NULL;
	p = rw_arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *rw_arena_strdup(struct rw_arena *a, const char *s)
{
	return rw_arena_strndup(a, s, strlen(s));
}

size_t rw_arena_used(const struct rw_arena *a)
{
	return a->used;
}
