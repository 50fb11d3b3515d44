/*
 * index.c - string -> uint32 hash table for rep ids, e-mails, names and
 * deal ids (FNV-1a, open addressing, linear probing, load <= 1/2).
 */
#include "ingest_int.h"
#include "../engine/engine.h"

#include <string.h>
#include <unistd.h>

/* FNV-1a over the len bytes at s. */
static uint64_t hash_mem(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

void rw_index_init(struct rw_index *t)
{
	t->slots = NULL;
	t->cap = 0;
	t->n = 0;
	t->gen = 0;
}

void rw_index_release(struct rw_index *t)
{
	uint64_t gen = t->gen;

	rw_free(t->slots);
	rw_index_init(t);
	t->gen = gen + 1;
}

/*
 * Slot of the key of len bytes with hash h, or of the empty slot where it
 * would go.  The hash's high half is kept in the slot and compared first,
 * so a probe past another key rarely reads that key's text (a cache miss
 * per probe, most of the cost of a lookup).
 */
static size_t slot_of(const struct rw_index *t, const char *key, size_t len,
		      uint64_t h)
{
	size_t i = (size_t)h & (t->cap - 1);
	uint32_t tag = (uint32_t)(h >> 32);

	for (;;) {
		const struct rw_index_slot *sl = &t->slots[i];

		if (!sl->key)
			return i;
		if (sl->tag == tag && !memcmp(sl->key, key, len) && sl->key[len] == '\0')
			return i;
		i = (i + 1) & (t->cap - 1);
	}
}

uint32_t rw_index_get_len(const struct rw_index *t, const char *key, size_t len)
{
	const char *nul = memchr(key, '\0', len);
	size_t i;

	/* As with a C string, the key ends at a NUL it holds. */
	if (nul)
		len = (size_t)(nul - key);
	if (!t->cap)
		return RW_NONE;
	i = slot_of(t, key, len, hash_mem(key, len));
	return t->slots[i].key ? t->slots[i].val : RW_NONE;
}

uint32_t rw_index_get(const struct rw_index *t, const char *key)
{
	return rw_index_get_len(t, key, strlen(key));
}

static int grow(struct rw_index *t)
{
	struct rw_index_slot *big;
	size_t i, cap = t->cap ? t->cap * 2 : 64;

	if (cap < t->cap)
		return RW_ENOMEM;
	big = rw_calloc(cap, sizeof(*big));
	if (!big)
		return RW_ENOMEM;
	for (i = 0; i < t->cap; i++) {
		const struct rw_index_slot *sl = &t->slots[i];

		if (sl->key) {
			/* The slot's hash again: growing is rare, a half hash
			 * more per slot is not. */
			size_t j = (size_t)hash_mem(sl->key, strlen(sl->key)) & (cap - 1);

			while (big[j].key)
				j = (j + 1) & (cap - 1);
			big[j] = *sl;
		}
	}
	rw_free(t->slots);
	t->slots = big;
	t->cap = cap;
	return 0;
}

int rw_index_put(struct rw_index *t, const char *key, uint32_t val)
{
	size_t i, len = strlen(key);
	uint64_t h = hash_mem(key, len);

	if ((t->n + 1) * 2 > t->cap && grow(t))
		return RW_ENOMEM;
	i = slot_of(t, key, len, h);
	if (!t->slots[i].key) {
		t->slots[i].key = key;
		t->slots[i].tag = (uint32_t)(h >> 32);
		t->n++;
	}
	t->slots[i].val = val;
	t->gen++;
	return 0;
}

/* ---- Set of 64-bit id hashes ------------------------------------------ */

uint64_t rw_hash64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* MurmurHash3's fmix64: FNV-1a alone leaves its low bits, which pick the
 * slot, poorly mixed for ids that differ only in their last characters. */
uint64_t rw_hash64_final(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h ? h : 1;	/* 0 marks an empty slot */
}

/* Slot i is words 3i..3i+2 of s->w: the key's low and high halves, then
 * its value, so that a probe touches one cache line, not two arrays. */
static uint64_t idset_key(const struct rw_idset *s, size_t i)
{
	return (uint64_t)s->w[3 * i] | (uint64_t)s->w[3 * i + 1] << 32;
}

void rw_idset_init(struct rw_idset *s)
{
	s->w = NULL;
	s->cap = 0;
	s->n = 0;
}

void rw_idset_release(struct rw_idset *s)
{
	rw_free(s->w);
	rw_idset_init(s);
}

static size_t idset_slot(const struct rw_idset *s, uint64_t key)
{
	size_t i = (size_t)key & (s->cap - 1);

	for (;;) {
		uint64_t k = idset_key(s, i);

		if (!k || k == key)
			return i;
		i = (i + 1) & (s->cap - 1);
	}
}

static void idset_set(struct rw_idset *s, size_t i, uint64_t key, uint32_t val)
{
	s->w[3 * i] = (uint32_t)key;
	s->w[3 * i + 1] = (uint32_t)(key >> 32);
	s->w[3 * i + 2] = val;
}

static int idset_grow(struct rw_idset *s)
{
	struct rw_idset big;
	size_t cap = s->cap ? s->cap * 2 : 1024;

	if (cap < s->cap || cap > SIZE_MAX / 3)
		return -1;
	big.w = rw_calloc(3 * cap, sizeof(*big.w));
	if (!big.w)
		return -1;
	big.cap = cap;
	big.n = s->n;
	for (size_t i = 0; i < s->cap; i++) {
		uint64_t k = idset_key(s, i);

		if (k)
			idset_set(&big, idset_slot(&big, k), k, s->w[3 * i + 2]);
	}
	rw_idset_release(s);
	*s = big;
	return 0;
}

int rw_idset_add(struct rw_idset *s, uint64_t key, uint32_t val, uint32_t *old)
{
	size_t i;

	if (!key)
		key = 1;
	/* At most 3/4 full: linear probing stays short (about 2.5 probes for
	 * a hit, 8.5 slots of 12 bytes for a new key, most in one cache line)
	 * while the table costs 16 to 32 bytes per id. */
	if ((s->n + 1) * 4 > s->cap * 3 && idset_grow(s))
		return -1;
	i = idset_slot(s, key);
	if (idset_key(s, i)) {
		*old = s->w[3 * i + 2];
		return 1;
	}
	idset_set(s, i, key, val);
	s->n++;
	return 0;
}

int rw_idset_has(const struct rw_idset *s, uint64_t key)
{
	if (!s->cap)
		return 0;
	return idset_key(s, idset_slot(s, key ? key : 1)) != 0;
}

/*
 * The keys of from are visited in a scattered order (an odd stride visits
 * every slot of a power of two once), and s is grown first to hold them
 * all: inserted in from's slot order, they would arrive sorted by their
 * home slot, and linear probing piles such keys into one run that grows
 * with every insert (quadratic time).
 */
int rw_idset_merge(struct rw_idset *s, const struct rw_idset *from)
{
	size_t stride = (size_t)(from->cap * 0.6180339887) | 1, i = 0;
	uint32_t old;

	while ((s->n + from->n) * 4 > s->cap * 3)
		if (idset_grow(s))
			return -1;
	for (size_t k = 0; k < from->cap; k++, i = (i + stride) & (from->cap - 1)) {
		uint64_t key = idset_key(from, i);

		if (key && rw_idset_add(s, key, from->w[3 * i + 2], &old) < 0)
			return -1;
	}
	return 0;
}

int rw_idset_disjoint(const struct rw_idset *a, const struct rw_idset *b)
{
	for (size_t i = 0; i < b->cap; i++) {
		uint64_t k = idset_key(b, i);

		if (k && rw_idset_has(a, k))
			return 0;
	}
	return 1;
}

/* ---- Activity ids spilled to a temporary file ---------------------------- */

int rw_idspill_open(struct rw_idspill *s)
{
	memset(s, 0, sizeof(*s));
	s->buf = rw_malloc((size_t)RW_SPILL_BUCKETS * RW_SPILL_CHUNK * sizeof(*s->buf));
	s->fp = tmpfile();
	if (!s->buf || !s->fp) {
		rw_idspill_close(s);
		return -1;
	}
	return 0;
}

void rw_idspill_close(struct rw_idspill *s)
{
	if (s->fp)
		fclose(s->fp);
	rw_free(s->buf);
	rw_free(s->chunks);
	memset(s, 0, sizeof(*s));
}

static int spill_flush(struct rw_idspill *s, uint32_t b)
{
	struct rw_spill_chunk *c;
	size_t n = s->nb[b];

	c = rw_grow(s->chunks, &s->cap, s->nchunks + 1, sizeof(*c));
	if (!c)
		return -1;
	s->chunks = c;
	if (fwrite(s->buf + (size_t)b * RW_SPILL_CHUNK, sizeof(*s->buf), n, s->fp) != n)
		return -1;
	c = &s->chunks[s->nchunks++];
	c->off = s->end;
	c->n = (uint32_t)n;
	c->bucket = b;
	s->end += n * sizeof(*s->buf);
	s->nb[b] = 0;
	return 0;
}

int rw_idspill_add(struct rw_idspill *s, uint64_t key)
{
	uint32_t b;

	if (!key)
		key = 1;
	b = (uint32_t)(key >> 56) % RW_SPILL_BUCKETS;
	s->buf[(size_t)b * RW_SPILL_CHUNK + s->nb[b]++] = key;
	return s->nb[b] == RW_SPILL_CHUNK ? spill_flush(s, b) : 0;
}

/* Append bucket b of s (chunks on disk, then the buffer) to keys. */
static int spill_load(struct rw_idspill *s, uint32_t b, uint64_t **keys,
		      size_t *n, size_t *cap)
{
	for (size_t i = 0; i <= s->nchunks; i++) {
		const struct rw_spill_chunk *c = i < s->nchunks ? &s->chunks[i] : NULL;
		size_t m = c ? c->n : s->nb[b];
		uint64_t *k;

		if ((c && c->bucket != b) || !m)
			continue;
		k = rw_grow(*keys, cap, *n + m, sizeof(*k));
		if (!k)
			return -1;
		*keys = k;
		if (!c) {
			memcpy(*keys + *n, s->buf + (size_t)b * RW_SPILL_CHUNK, m * sizeof(**keys));
		} else if (fflush(s->fp) ||
			   pread(fileno(s->fp), *keys + *n, m * sizeof(**keys),
				 (off_t)c->off) != (ssize_t)(m * sizeof(**keys))) {
			return -1;
		}
		*n += m;
	}
	return 0;
}

long rw_idspill_repeats(struct rw_idspill *const *sp, int nsp,
			struct rw_idset *rep)
{
	uint64_t *keys = NULL, *tab = NULL;
	size_t cap = 0, tcap = 0;
	long found = 0;
	uint32_t old;

	for (uint32_t b = 0; b < RW_SPILL_BUCKETS && found >= 0; b++) {
		size_t n = 0, want = 16;

		for (int i = 0; i < nsp && found >= 0; i++)
			if (spill_load(sp[i], b, &keys, &n, &cap))
				found = -1;
		if (found < 0 || !n)
			continue;
		/* A table at most half full: the bucket's hashes, each once. */
		while (want < 2 * n)
			want *= 2;
		if (want > tcap) {
			rw_free(tab);
			tab = rw_malloc(want * sizeof(*tab));
			tcap = tab ? want : 0;
			if (!tab) {
				found = -1;
				continue;
			}
		}
		memset(tab, 0, want * sizeof(*tab));
		for (size_t i = 0; i < n; i++) {
			/* The top bits chose the bucket: the low ones the slot. */
			size_t j = (size_t)keys[i] & (want - 1);

			while (tab[j] && tab[j] != keys[i])
				j = (j + 1) & (want - 1);
			if (!tab[j]) {
				tab[j] = keys[i];
				continue;
			}
			if (rw_idset_has(rep, keys[i]))
				continue;
			if (rw_idset_add(rep, keys[i], 0, &old) < 0) {
				found = -1;
				break;
			}
			found++;
		}
	}
	rw_free(keys);
	rw_free(tab);
	return found;
}
