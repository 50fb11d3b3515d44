/*
 * index.c - string -> uint32 hash table for rep ids, e-mails, names and
 * deal ids (FNV-1a, open addressing, linear probing, load <= 1/2).
 */
#include "ingest_int.h"
#include "../engine/engine.h"

#include <string.h>

static size_t hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

void rw_index_init(struct rw_index *t)
{
	t->keys = NULL;
	t->vals = NULL;
	t->cap = 0;
	t->n = 0;
}

void rw_index_release(struct rw_index *t)
{
	rw_free(t->keys);
	rw_free(t->vals);
	rw_index_init(t);
}

/* Slot of key, or of the empty slot where it would go. */
static size_t slot_of(const struct rw_index *t, const char *key)
{
	size_t i = hash_str(key) & (t->cap - 1);

	while (t->keys[i] && strcmp(t->keys[i], key))
		i = (i + 1) & (t->cap - 1);
	return i;
}

uint32_t rw_index_get(const struct rw_index *t, const char *key)
{
	size_t i;

	if (!t->cap)
		return RW_NONE;
	i = slot_of(t, key);
	return t->keys[i] ? t->vals[i] : RW_NONE;
}

static int grow(struct rw_index *t)
{
	struct rw_index big;
	size_t i, cap = t->cap ? t->cap * 2 : 64;

	if (cap < t->cap)
		return RW_ENOMEM;
	big.keys = rw_calloc(cap, sizeof(*big.keys));
	big.vals = rw_calloc(cap, sizeof(*big.vals));
	if (!big.keys || !big.vals) {
		rw_free(big.keys);
		rw_free(big.vals);
		return RW_ENOMEM;
	}
	big.cap = cap;
	big.n = t->n;
	for (i = 0; i < t->cap; i++) {
		if (t->keys[i]) {
			size_t j = slot_of(&big, t->keys[i]);

			big.keys[j] = t->keys[i];
			big.vals[j] = t->vals[i];
		}
	}
	rw_index_release(t);
	*t = big;
	return 0;
}

int rw_index_put(struct rw_index *t, const char *key, uint32_t val)
{
	size_t i;

	if ((t->n + 1) * 2 > t->cap && grow(t))
		return RW_ENOMEM;
	i = slot_of(t, key);
	if (!t->keys[i]) {
		t->keys[i] = key;
		t->n++;
	}
	t->vals[i] = val;
	return 0;
}
