/*
 * owners.c - lookup keys and owner resolution (SPEC section 2): reps are
 * indexed by id, e-mail and name; a deal owner that matches none becomes a
 * rep of its own in team (unassigned).
 */
#include "ingest.h"
#include "ingest_int.h"

#include <stdio.h>
#include <string.h>

/* ---- Keys and owner resolution ------------------------------------------ */

const char *rw_ingest_key(struct ingest *in, const char *s, size_t len,
			  int fold, int collapse)
{
	struct rw_buf *b = &in->key;
	int space = 0;

	rw_buf_reset(b);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (collapse && rw_blank(c)) {
			space = 1;
			continue;
		}
		if (space)
			rw_buf_addc(b, ' ');
		space = 0;
		if (fold && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		/* UTF-8 capitals of Latin-1 (U+00C0-U+00DE but the
		 * multiplication sign): "NÚÑEZ" is "núñez". */
		if (fold && c == '\xc3' && i + 1 < len &&
		    (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9e &&
		    (unsigned char)s[i + 1] != 0x97) {
			rw_buf_addc(b, c);
			c = (char)((unsigned char)s[++i] + 0x20);
		}
		rw_buf_addc(b, c);
	}
	return rw_buf_error(b) ? NULL : b->data;
}

int rw_ingest_index_add(struct ingest *in, struct rw_index *t, const char *key,
			uint32_t val)
{
	char *k;

	if (rw_index_get(t, key) != RW_NONE)
		return 0;
	k = rw_arena_strdup(in->arena, key);
	if (!k || rw_index_put(t, k, val))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	return 0;
}

int rw_ingest_index_rep(struct ingest *in, uint32_t idx)
{
	const struct rw_rep *r = &in->ds->reps[idx];
	const char *k;

	if (rw_index_put(&in->rep_ids, r->id, idx))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	if (r->email) {
		k = rw_ingest_key(in, r->email, strlen(r->email), 1, 0);
		if (!k || rw_ingest_index_add(in, &in->rep_emails, k, idx))
			return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	}
	k = rw_ingest_key(in, r->name, strlen(r->name), 1, 1);
	if (!k || rw_ingest_index_add(in, &in->rep_names, k, idx))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	return 0;
}

/* 1 and *val when c holds what the len bytes at s resolved to at gen. */
static int cache_hit(const struct rw_idcache *c, const char *s, size_t len,
		     uint64_t gen, uint32_t *val)
{
	if (!c->valid || c->gen != gen || c->len != len || memcmp(c->text, s, len))
		return 0;
	*val = c->val;
	return 1;
}

static void cache_keep(struct rw_idcache *c, const char *s, size_t len,
		       uint64_t gen, uint32_t val)
{
	if (len > sizeof(c->text)) {
		c->valid = 0;
		return;
	}
	memcpy(c->text, s, len);
	c->len = len;
	c->gen = gen;
	c->val = val;
	c->valid = 1;
}

static uint64_t owner_gen(const struct ingest *in)
{
	return in->rep_ids.gen + in->rep_emails.gen + in->rep_names.gen;
}

int rw_ingest_resolve_owner(struct ingest *in, const char *s, size_t len,
			    uint32_t *idx)
{
	uint64_t gen = owner_gen(in);
	const char *k;

	if (cache_hit(&in->last_owner, s, len, gen, idx))
		return 0;
	/* A rep id is matched as written: straight from the cell, no copy. */
	*idx = rw_index_get_len(&in->rep_ids, s, len);
	if (*idx != RW_NONE)
		goto done;
	k = rw_ingest_key(in, s, len, 1, 0);
	if (!k)
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	*idx = rw_index_get(&in->rep_emails, k);
	if (*idx != RW_NONE)
		goto done;
	k = rw_ingest_key(in, s, len, 1, 1);
	if (!k)
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	*idx = rw_index_get(&in->rep_names, k);
done:
	cache_keep(&in->last_owner, s, len, gen, *idx);
	return 0;
}

uint32_t rw_ingest_opp_of(struct ingest *in, const char *s, size_t len)
{
	uint32_t idx;

	if (cache_hit(&in->last_opp, s, len, in->opp_ids.gen, &idx))
		return idx;
	idx = rw_index_get_len(&in->opp_ids, s, len);
	cache_keep(&in->last_opp, s, len, in->opp_ids.gen, idx);
	return idx;
}

int rw_ingest_note_line(struct ingest *in, long **lines, size_t *cap, size_t i,
			long line)
{
	long *p = rw_grow(*lines, cap, i + 1, sizeof(*p));

	if (!p)
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	*lines = p;
	(*lines)[i] = line;
	return 0;
}

int rw_table_new_owner_rep(struct table *t, const struct rw_csv_rec *rec,
			   const char *s, size_t len, uint32_t *idx)
{
	struct ingest *in = t->in;
	struct rw_rep r = { .team = "(unassigned)", .hire_day = RW_NODAY,
			    .end_day = RW_NODAY, .unassigned = 1 };

	/* The dataset copies id and name before rw_ingest_index_rep() reuses in->key. */
	r.id = rw_ingest_key(in, s, len, 0, 0);
	if (!r.id)
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	r.name = r.id;
	if (rw_dataset_add_rep(in->ds, &r, idx) || rw_ingest_index_rep(in, *idx))
		return rw_err_set(in->err, RW_ENOMEM, "out of memory");
	in->stats->unknown_owners++;
	fprintf(stderr, "repwatch: warning: %s:%ld: owner \"%.*s\" matches no rep in %s; counted under team (unassigned)\n",
		t->name, rec->line, rw_show_len(len), s, rw_input_name(RW_IN_REPS));
	return 0;
}

