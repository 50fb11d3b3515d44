/*
 * conversion.c - stage conversions conv_<A>_<B> (SPEC section 4): of the
 * deals that first entered stage A in a period, the share that went on to
 * stage B or beyond.  See engine.h for the order of stages and the
 * fallback without stage history.  Work is O(stage entries + deals x
 * stages x grains); nothing is kept per activity.
 */
#include "engine.h"
#include "engine_int.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct stage {
	const char *name;	/* first spelling seen */
	double pos_sum;		/* sum of positions in deals' histories */
	double pos_n;
	int order;		/* place in the order, -1 when not a step */
};

struct stages {
	struct stage *v;
	size_t n, cap;
};

/* Case-insensitive equality with blanks around ignored. */
static int same_name(const char *a, const char *b)
{
	size_t la, lb;

	while (isspace((unsigned char)*a))
		a++;
	while (isspace((unsigned char)*b))
		b++;
	la = strlen(a);
	lb = strlen(b);
	while (la && isspace((unsigned char)a[la - 1]))
		la--;
	while (lb && isspace((unsigned char)b[lb - 1]))
		lb--;
	if (la != lb)
		return 0;
	for (size_t i = 0; i < la; i++)
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* Index of name in st, added when new; -1 when out of memory. */
static long stage_id(struct stages *st, const char *name)
{
	struct stage *p;

	for (size_t i = 0; i < st->n; i++)
		if (same_name(st->v[i].name, name))
			return (long)i;
	p = rw_grow(st->v, &st->cap, st->n + 1, sizeof(*p));
	if (!p)
		return -1;
	st->v = p;
	st->v[st->n] = (struct stage){ name, 0, 0, -1 };
	return (long)st->n++;
}

static int is_lost(const char *name)
{
	for (const char *p = name; *p; p++)
		if (tolower((unsigned char)p[0]) == 'l' && !strncasecmp(p, "lost", 4))
			return 1;
	return 0;
}

struct by_pos {
	size_t id;
	double pos;
};

static int cmp_pos(const void *a, const void *b)
{
	const struct by_pos *x = a, *y = b;

	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

struct entry_ref {
	uint32_t opp;
	int32_t day;
	size_t stage;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry_ref *x = a, *y = b;

	if (x->opp != y->opp)
		return x->opp < y->opp ? -1 : 1;
	return (x->day > y->day) - (x->day < y->day);
}

/* "conv_" + slug(a) + "_" + slug(b): lower-case letters and digits, other
 * runs folded to one "_". */
static char *pair_name(const char *a, const char *b)
{
	size_t n = 5 + 2 * (strlen(a) + strlen(b)) + 2;
	char *s = rw_malloc(n), *o;
	const char *parts[2] = { a, b };

	if (!s)
		return NULL;
	o = s + sprintf(s, "conv_");
	for (int i = 0; i < 2; i++) {
		int gap = 0;

		if (i)
			*o++ = '_';
		for (const char *p = parts[i]; *p; p++) {
			if (isalnum((unsigned char)*p)) {
				if (gap && o[-1] != '_')
					*o++ = '_';
				*o++ = (char)tolower((unsigned char)*p);
				gap = 0;
			} else {
				gap = 1;
			}
		}
	}
	*o = '\0';
	return s;
}

/*
 * Make conversion name j differ from names 0..j-1: stage names that differ
 * only in punctuation ("Alpha", "Alpha!") or where the "_"
 * between the two stages falls ("a b" -> "c", "a" -> "b c") give the same
 * conv_<a>_<b>, and rep_conversions is keyed by it.  The later pair (in
 * stage order) gets "_2", "_3", ... (the first suffix free); from_stage and
 * to_stage keep the names apart for a reader.  0 or -1 (out of memory).
 */
static int unique_name(char **names, size_t j)
{
	size_t len = strlen(names[j]);

	for (unsigned k = 1;; k++) {
		char *s = names[j];
		size_t i;

		if (k > 1) {
			s = rw_malloc(len + 24);
			if (!s)
				return -1;
			snprintf(s, len + 24, "%s_%u", names[j], k);
		}
		for (i = 0; i < j && strcmp(names[i], s); i++)
			;
		if (i == j) {
			if (s != names[j]) {
				rw_free(names[j]);
				names[j] = s;
			}
			return 0;
		}
		if (s != names[j])
			rw_free(s);
	}
}

/*
 * The order of steps: the configured list (names matched to the data's
 * spelling when they occur), else stages by mean position.  Sets
 * st->v[i].order; returns the ordered ids in *ord (count *nord).
 */
static int stage_order(const struct rw_dataset *ds, struct stages *st,
		       size_t **ord, size_t *nord)
{
	const char *cfg = ds->settings.stage_order;
	size_t n = 0;

	*ord = NULL;
	*nord = 0;
	if (cfg) {
		const char *p = cfg;

		while (*p) {
			const char *e = strchr(p, ',');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			char *name = rw_arena_strndup(ds->arena, p, len);
			long id;

			if (!name)
				return RW_ENOMEM;
			id = stage_id(st, name);
			if (id < 0)
				return RW_ENOMEM;
			if (st->v[id].order < 0 && strspn(name, " \t") != len)
				st->v[id].order = (int)n++;
			p = e ? e + 1 : p + len;
		}
	} else {
		struct by_pos *bp = rw_calloc(st->n + 1, sizeof(*bp));
		size_t k = 0;

		if (!bp)
			return RW_ENOMEM;
		for (size_t i = 0; i < st->n; i++)
			if (st->v[i].pos_n > 0 && !is_lost(st->v[i].name))
				bp[k++] = (struct by_pos){ i, st->v[i].pos_sum / st->v[i].pos_n };
		qsort(bp, k, sizeof(*bp), cmp_pos);
		for (size_t i = 0; i < k; i++)
			st->v[bp[i].id].order = (int)n++;
		rw_free(bp);
	}
	*ord = rw_calloc(n + 1, sizeof(**ord));
	if (!*ord)
		return RW_ENOMEM;
	for (size_t i = 0; i < st->n; i++)
		if (st->v[i].order >= 0)
			(*ord)[st->v[i].order] = i;
	*nord = n;
	return 0;
}

/* Count one deal: enter[j] is the day it first entered step j (RW_NODAY
 * when never); won_day the day it was won, or RW_NODAY. */
static void count_deal(struct rw_results *res, const struct rw_dataset *ds,
		       uint32_t rep, const int32_t *enter, size_t nord, int32_t won_day)
{
	int32_t as_of = ds->settings.as_of;

	for (size_t j = 0; j + 1 < nord; j++) {
		int32_t e = enter[j];
		int reached = 0;

		if (e == RW_NODAY || e > as_of)
			continue;
		for (size_t l = j + 1; l < nord && !reached; l++)
			reached = enter[l] != RW_NODAY && enter[l] >= e && enter[l] <= as_of;
		if (won_day != RW_NODAY && won_day >= e && won_day <= as_of)
			reached = 1;
		for (int g = 0; g < RW_NGRAINS; g++) {
			int64_t k = (int64_t)rw_period_of((enum rw_grain)g, e, ds->settings.fiscal_start) -
				    res->first[g];
			uint32_t *c;

			if (k < 0 || k >= res->count[g])
				continue;
			c = res->conv[g] + (((size_t)rep * (size_t)res->count[g] + (size_t)k) *
					    res->nconv + j) * 2;
			c[0]++;
			c[1] += (uint32_t)reached;
		}
	}
}

static int32_t won_day(const struct rw_opp *o, int32_t as_of)
{
	return o->status == RW_WON && o->closed != RW_NODAY && o->closed <= as_of ?
	       o->closed : RW_NODAY;
}

int rw_conversions_compute(struct rw_results *res, const struct rw_dataset *ds)
{
	struct stages st = { NULL, 0, 0 };
	struct entry_ref *ent = NULL;
	size_t *ord = NULL, nord = 0;
	int32_t *enter = NULL;
	int rc = RW_ENOMEM;

	/* Stages of the history, with each one's mean position per deal. */
	if (ds->nstages) {
		ent = rw_calloc(ds->nstages, sizeof(*ent));
		if (!ent)
			goto out;
		for (size_t i = 0; i < ds->nstages; i++) {
			long id = stage_id(&st, ds->stages[i].stage);

			if (id < 0)
				goto out;
			ent[i] = (struct entry_ref){ ds->stages[i].opp, ds->stages[i].day, (size_t)id };
		}
		qsort(ent, ds->nstages, sizeof(*ent), cmp_entry);
		for (size_t i = 0, pos = 0; i < ds->nstages; i++) {
			pos = i && ent[i].opp == ent[i - 1].opp ? pos + 1 : 0;
			st.v[ent[i].stage].pos_sum += (double)pos;
			st.v[ent[i].stage].pos_n++;
		}
	} else if (!ds->settings.stage_order) {
		rc = 0;		/* no history and no order: no conversions */
		goto out;
	}
	if (stage_order(ds, &st, &ord, &nord))
		goto out;
	if (nord < 2) {
		rc = 0;
		goto out;
	}
	res->conv_names = rw_calloc(nord - 1, sizeof(*res->conv_names));
	res->conv_from = rw_calloc(nord - 1, sizeof(*res->conv_from));
	res->conv_to = rw_calloc(nord - 1, sizeof(*res->conv_to));
	if (!res->conv_names || !res->conv_from || !res->conv_to)
		goto out;
	res->nconv = nord - 1;
	for (size_t j = 0; j + 1 < nord; j++) {
		res->conv_from[j] = st.v[ord[j]].name;
		res->conv_to[j] = st.v[ord[j + 1]].name;
		res->conv_names[j] = pair_name(st.v[ord[j]].name, st.v[ord[j + 1]].name);
		if (!res->conv_names[j] || unique_name(res->conv_names, j))
			goto out;
	}
	for (int g = 0; g < RW_NGRAINS; g++) {
		res->conv[g] = rw_calloc(ds->nreps * (size_t)res->count[g] * res->nconv * 2 + 1,
					 sizeof(uint32_t));
		if (!res->conv[g])
			goto out;
	}
	enter = rw_calloc(nord, sizeof(*enter));
	if (!enter)
		goto out;
	if (ds->nstages) {
		size_t i = 0;

		while (i < ds->nstages) {
			uint32_t opp = ent[i].opp;

			for (size_t j = 0; j < nord; j++)
				enter[j] = RW_NODAY;
			for (; i < ds->nstages && ent[i].opp == opp; i++) {
				int o = st.v[ent[i].stage].order;

				if (o >= 0 && enter[o] == RW_NODAY)
					enter[o] = ent[i].day;	/* sorted: first entry */
			}
			if (opp < ds->nopps)
				count_deal(res, ds, ds->opps[opp].rep, enter, nord,
					   won_day(&ds->opps[opp], ds->settings.as_of));
		}
	} else {
		/* No history: the current stage and the created day. */
		for (size_t i = 0; i < ds->nopps; i++) {
			const struct rw_opp *o = &ds->opps[i];
			long cur = -1;

			for (size_t j = 0; o->stage && j < nord; j++)
				if (same_name(st.v[ord[j]].name, o->stage))
					cur = (long)j;
			for (size_t j = 0; j < nord; j++)
				enter[j] = (long)j <= cur ? o->created : RW_NODAY;
			if (cur >= 0)
				count_deal(res, ds, o->rep, enter, nord, won_day(o, ds->settings.as_of));
		}
	}
	rc = 0;
out:
	rw_free(st.v);
	rw_free(ent);
	rw_free(ord);
	rw_free(enter);
	return rc;
}

size_t rw_results_conv_count(const struct rw_results *res)
{
	return res->nconv;
}

const char *rw_results_conv_name(const struct rw_results *res, size_t i)
{
	return i < res->nconv ? res->conv_names[i] : NULL;
}

const char *rw_results_conv_from(const struct rw_results *res, size_t i)
{
	return i < res->nconv ? res->conv_from[i] : NULL;
}

const char *rw_results_conv_to(const struct rw_results *res, size_t i)
{
	return i < res->nconv ? res->conv_to[i] : NULL;
}

void rw_results_conv(const struct rw_results *res, uint32_t r, enum rw_grain g,
		     int k, size_t i, double *entered, double *reached)
{
	const uint32_t *c;

	*entered = *reached = NAN;
	if (r >= res->nreps || (unsigned)g >= RW_NGRAINS || k < 0 || k >= res->count[g] ||
	    i >= res->nconv || !res->conv[g])
		return;
	c = res->conv[g] + (((size_t)r * (size_t)res->count[g] + (size_t)k) * res->nconv + i) * 2;
	*entered = c[0];
	*reached = c[1];
}
