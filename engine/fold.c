/*
 * fold.c - fold the activity stream into state that does not grow with it
 * (DESIGN "Memory that does not grow with activities").
 *
 * Touches count by day: several activities on one deal on the same day are
 * one touch, so a bitmap per deal holds everything the touch metrics need.
 */
#include "engine.h"
#include "engine_int.h"

#include <string.h>

size_t rw_fold_span(int32_t clip, int32_t as_of, const struct rw_opp *o,
		    int32_t *start, int32_t *end)
{
	int32_t e = as_of, s;

	if (o->status != RW_OPEN && o->closed != RW_NODAY && o->closed < e)
		e = o->closed;
	*end = e;
	s = o->created > clip ? o->created : clip;
	*start = s;
	if (o->created > e || s > e)
		return 0;
	return (size_t)((int64_t)e - s + 1);
}

void rw_fold_free(struct rw_dataset_fold *f)
{
	if (!f)
		return;
	rw_free(f->counts);
	rw_free(f->meet1);
	rw_free(f->meet2);
	rw_free(f->before);
	rw_free(f->word_off);
	rw_free(f->bits);
	rw_free(f->keep);
	rw_free(f);
}

/* Lay out the per-grain windows: history_periods complete periods plus
 * the partial one holding as_of.  Sets clip to the earliest window day. */
static void fold_windows(struct rw_dataset_fold *f, const struct rw_settings *s)
{
	int h = s->history_periods > 0 ? s->history_periods : 0;

	f->row = 0;
	f->clip = s->as_of;
	for (int g = 0; g < RW_NGRAINS; g++) {
		int32_t start;

		f->first[g] = rw_period_of(g, s->as_of, s->fiscal_start) - h;
		f->nper[g] = h + 1;
		f->off[g] = f->row;
		f->row += (size_t)f->nper[g];
		start = rw_period_start(g, f->first[g], s->fiscal_start);
		if (start < f->clip)
			f->clip = start;
	}
}

/* Size the per-deal bitmaps, fill word_off and the touches before clip. */
static int fold_layout_touches(struct rw_dataset_fold *f, const struct rw_dataset *ds)
{
	size_t words = 0;

	for (size_t i = 0; i < ds->nopps; i++) {
		const struct rw_opp *o = &ds->opps[i];
		int32_t start, end;
		size_t len = rw_fold_span(f->clip, f->as_of, o, &start, &end);

		f->word_off[i] = words;
		if (len / 64 + 1 > SIZE_MAX - words)
			return RW_ENOMEM;
		words += (len + 63) / 64;
		f->meet1[i] = RW_NODAY;
		f->meet2[i] = RW_NODAY;
		/* The created day is a touch: in before[] or in the bitmap. */
		f->before[i] = (o->created < f->clip && o->created <= end) ?
			       o->created : RW_NODAY;
	}
	f->word_off[ds->nopps] = words;
	f->bits = rw_calloc(words ? words : 1, sizeof(*f->bits));
	if (!f->bits)
		return RW_ENOMEM;
	for (size_t i = 0; i < ds->nopps; i++) {
		int32_t start, end;

		if (rw_fold_span(f->clip, f->as_of, &ds->opps[i], &start, &end) &&
		    ds->opps[i].created >= f->clip)
			f->bits[f->word_off[i]] |= 1;
	}
	return 0;
}

int rw_dataset_begin_activities(struct rw_dataset *ds)
{
	struct rw_dataset_fold *f;
	size_t n;

	if (ds->fold)
		return 0;
	f = rw_calloc(1, sizeof(*f));
	if (!f)
		return RW_ENOMEM;
	f->nreps = ds->nreps;
	f->nopps = ds->nopps;
	f->as_of = ds->settings.as_of;
	f->last_day = RW_NODAY;
	fold_windows(f, &ds->settings);
	n = f->nreps && f->row > SIZE_MAX / RW_FOLD_NTYPES / f->nreps ?
	    0 : f->nreps * f->row * RW_FOLD_NTYPES;
	if (f->nreps && !n)
		goto out_free;
	f->counts = rw_calloc(n ? n : 1, sizeof(*f->counts));
	f->meet1 = rw_calloc(f->nopps ? f->nopps : 1, sizeof(*f->meet1));
	f->meet2 = rw_calloc(f->nopps ? f->nopps : 1, sizeof(*f->meet2));
	f->before = rw_calloc(f->nopps ? f->nopps : 1, sizeof(*f->before));
	f->word_off = rw_calloc(f->nopps + 1, sizeof(*f->word_off));
	if (!f->counts || !f->meet1 || !f->meet2 || !f->before || !f->word_off)
		goto out_free;
	if (ds->settings.shard_n) {
		/* A shard folds only its teams' activities: the bulk of a run. */
		f->keep = rw_calloc(f->nreps + 1, 1);
		if (!f->keep)
			goto out_free;
		for (size_t r = 0; r < f->nreps; r++)
			f->keep[r] = (unsigned char)rw_in_shard(&ds->settings, ds->reps[r].team);
	}
	if (fold_layout_touches(f, ds))
		goto out_free;
	ds->fold = f;
	return 0;

out_free:
	rw_fold_free(f);
	return RW_ENOMEM;
}

/* Keep the two earliest distinct meeting days of a deal. */
static void fold_meeting(struct rw_dataset_fold *f, uint32_t opp, int32_t day)
{
	int32_t *m1 = &f->meet1[opp], *m2 = &f->meet2[opp];

	if (*m1 == RW_NODAY || day < *m1) {
		*m2 = *m1;
		*m1 = day;
	} else if (day != *m1 && (*m2 == RW_NODAY || day < *m2)) {
		*m2 = day;
	}
}

static void fold_touch(struct rw_dataset_fold *f, const struct rw_opp *o,
		       uint32_t opp, int32_t day)
{
	int32_t start, end;
	size_t len = rw_fold_span(f->clip, f->as_of, o, &start, &end);
	size_t bit;

	if (day < o->created || day > end)
		return;
	if (day < f->clip) {
		if (f->before[opp] == RW_NODAY || day > f->before[opp])
			f->before[opp] = day;
		return;
	}
	if (!len)
		return;
	bit = (size_t)((int64_t)day - start);
	f->bits[f->word_off[opp] + bit / 64] |= (uint64_t)1 << (bit % 64);
}

/* Widen the activity export's span of ds to take in day (none: as is). */
static void act_span_add(struct rw_dataset *ds, int32_t day)
{
	if (day == RW_NODAY)
		return;
	if (ds->act_first == RW_NODAY || day < ds->act_first)
		ds->act_first = day;
	if (ds->act_last == RW_NODAY || day > ds->act_last)
		ds->act_last = day;
}

void rw_dataset_add_activity(struct rw_dataset *ds, uint32_t rep, uint32_t opp,
			     int32_t day, enum rw_act_type type)
{
	struct rw_dataset_fold *f = ds->fold;

	ds->activities_given = 1;	/* an export with this row was read */
	if (!f || day == RW_NODAY || day > f->as_of || rep >= f->nreps) {
		ds->activities_ignored++;
		return;
	}
	/* The export's span, over every shard's reps: a shard judges
	 * coverage as the whole run does. */
	act_span_add(ds, day);
	if (f->keep && !f->keep[rep]) {
		ds->activities_other_shard++;
		return;
	}
	ds->activities++;
	if (type == RW_CALL || type == RW_EMAIL || type == RW_MEETING) {
		if (day != f->last_day) {
			for (int g = 0; g < RW_NGRAINS; g++)
				f->last_k[g] = (int64_t)rw_period_of(g, day,
						ds->settings.fiscal_start) - f->first[g];
			f->last_day = day;
		}
		for (int g = 0; g < RW_NGRAINS; g++) {
			int64_t k = f->last_k[g];

			if (k < 0 || k >= f->nper[g])
				continue;
			f->counts[((size_t)rep * f->row + f->off[g] + (size_t)k) *
				  RW_FOLD_NTYPES + (size_t)type]++;
		}
	}
	if (opp == RW_NONE || opp >= f->nopps)
		return;
	if (type == RW_MEETING)
		fold_meeting(f, opp, day);
	fold_touch(f, &ds->opps[opp], opp, day);
}

uint32_t rw_fold_count(const struct rw_dataset_fold *f, uint32_t r,
		       enum rw_grain g, int k, int t)
{
	if (!f || r >= f->nreps || k < 0 || k >= f->nper[g])
		return 0;
	return f->counts[((size_t)r * f->row + f->off[g] + (size_t)k) *
			 RW_FOLD_NTYPES + (size_t)t];
}

/* Index of the lowest set bit of a non-zero word. */
static size_t lowest_bit(uint64_t w)
{
	size_t n = 0;

	if (!(w & 0xffffffffu)) {
		w >>= 32;
		n += 32;
	}
	if (!(w & 0xffffu)) {
		w >>= 16;
		n += 16;
	}
	if (!(w & 0xffu)) {
		w >>= 8;
		n += 8;
	}
	while (!(w & 1)) {
		w >>= 1;
		n++;
	}
	return n;
}

/* Index of the highest set bit of a non-zero word. */
static size_t highest_bit(uint64_t w)
{
	size_t n = 0;

	if (w >> 32) {
		w >>= 32;
		n += 32;
	}
	if (w >> 16) {
		w >>= 16;
		n += 16;
	}
	if (w >> 8) {
		w >>= 8;
		n += 8;
	}
	while (w >>= 1)
		n++;
	return n;
}

int rw_fold_last_touch(const struct rw_dataset_fold *f, int32_t as_of,
		       const struct rw_opp *o, uint32_t i, int32_t limit,
		       int32_t *day)
{
	int32_t start, end;
	size_t len, hi, w;
	uint64_t word;

	*day = RW_NODAY;
	/* No fold, or a deal added after the fold began: created only. */
	if (!f || i >= f->nopps) {
		rw_fold_span(as_of, as_of, o, &start, &end);
		if (o->created > end || o->created >= limit)
			return 0;
		*day = o->created;
		return 1;
	}
	if (limit <= f->clip) {
		/* Only the last touch before clip is kept. */
		if (f->before[i] == RW_NODAY)
			return 0;
		if (f->before[i] >= limit)
			return -1;
		*day = f->before[i];
		return 1;
	}
	len = rw_fold_span(f->clip, f->as_of, o, &start, &end);
	if (len && limit > start) {
		/* Bits [0, hi) are the days before limit. */
		hi = (int64_t)limit - start < (int64_t)len ? (size_t)((int64_t)limit - start) : len;
		w = (hi - 1) / 64;
		word = f->bits[f->word_off[i] + w];
		if ((hi - 1) % 64 != 63)
			word &= ((uint64_t)1 << ((hi - 1) % 64 + 1)) - 1;
		while (!word && w > 0)
			word = f->bits[f->word_off[i] + --w];
		if (word) {
			*day = (int32_t)((int64_t)start + (int64_t)(w * 64 + highest_bit(word)));
			return 1;
		}
	}
	if (f->before[i] == RW_NODAY)
		return 0;
	*day = f->before[i];	/* before clip, so before limit */
	return 1;
}

int rw_fold_next_touch(const struct rw_dataset_fold *f, int32_t as_of,
		       const struct rw_opp *o, uint32_t i, int32_t *day)
{
	int32_t start, end;
	size_t len, bit, w, nw;
	uint64_t word;

	/* No fold, or a deal added after the fold began: created only. */
	if (!f || i >= f->nopps) {
		rw_fold_span(as_of, as_of, o, &start, &end);
		if (*day != RW_NODAY || o->created > end)
			return 0;
		*day = o->created;
		return 1;
	}
	len = rw_fold_span(f->clip, f->as_of, o, &start, &end);
	if (*day == RW_NODAY && f->before[i] != RW_NODAY) {
		*day = f->before[i];
		return 1;
	}
	if (!len)
		return 0;
	bit = (*day == RW_NODAY || *day < start) ? 0 :
	      (size_t)((int64_t)*day - start) + 1;
	if (bit >= len)
		return 0;
	nw = f->word_off[i + 1] - f->word_off[i];
	w = bit / 64;
	word = f->bits[f->word_off[i] + w] & (~(uint64_t)0 << (bit % 64));
	while (!word) {
		if (++w >= nw)
			return 0;
		word = f->bits[f->word_off[i] + w];
	}
	bit = w * 64 + lowest_bit(word);
	if (bit >= len)
		return 0;
	*day = (int32_t)((int64_t)start + (int64_t)bit);
	return 1;
}

void rw_dataset_drop_activities(struct rw_dataset *ds)
{
	rw_fold_free(ds->fold);
	ds->fold = NULL;
}

/*
 * Every piece of the fold is a count, a set or an extreme, so folding
 * part of the rows elsewhere and merging gives what folding them here
 * would have: counts add, touch bits OR, the latest touch before the
 * window is the later one, the two earliest meeting days of the four, the
 * export's span the wider.
 */
int rw_dataset_merge_activities(struct rw_dataset *ds, struct rw_dataset *part)
{
	struct rw_dataset_fold *f = ds->fold, *p = part->fold;
	size_t n;

	if (!f || !p || f->nreps != p->nreps || f->nopps != p->nopps ||
	    f->row != p->row || f->word_off[f->nopps] != p->word_off[p->nopps])
		return RW_EINTERNAL;
	n = f->nreps * f->row * RW_FOLD_NTYPES;
	for (size_t i = 0; i < n; i++)
		f->counts[i] += p->counts[i];
	for (size_t i = 0; i < f->nopps; i++) {
		if (p->meet1[i] != RW_NODAY)
			fold_meeting(f, (uint32_t)i, p->meet1[i]);
		if (p->meet2[i] != RW_NODAY)
			fold_meeting(f, (uint32_t)i, p->meet2[i]);
		if (p->before[i] != RW_NODAY &&
		    (f->before[i] == RW_NODAY || p->before[i] > f->before[i]))
			f->before[i] = p->before[i];
	}
	for (size_t w = 0; w < f->word_off[f->nopps]; w++)
		f->bits[w] |= p->bits[w];
	ds->activities += part->activities;
	ds->activities_ignored += part->activities_ignored;
	ds->activities_other_shard += part->activities_other_shard;
	ds->activities_given |= part->activities_given;
	act_span_add(ds, part->act_first);
	act_span_add(ds, part->act_last);
	return 0;
}
