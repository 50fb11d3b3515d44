/* dataset.c - the engine's input container (see engine.h). */
#include "engine.h"
#include "engine_int.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

struct rw_dataset *rw_dataset_new(const struct rw_settings *s)
{
	struct rw_dataset *ds = rw_calloc(1, sizeof(*ds));

	if (!ds)
		return NULL;
	ds->settings = *s;
	ds->act_first = ds->act_last = RW_NODAY;
	ds->arena = rw_arena_new(1 << 20);
	if (!ds->arena) {
		rw_free(ds);
		return NULL;
	}
	return ds;
}

void rw_dataset_free(struct rw_dataset *ds)
{
	if (!ds)
		return;
	rw_fold_free(ds->fold);
	rw_free(ds->reps);
	rw_free(ds->opps);
	rw_free(ds->targets);
	rw_free(ds->stages);
	rw_free(ds->plans);
	rw_arena_free(ds->arena);
	rw_free(ds);
}

/* Grow *arr (of *cap elements of size) so that one more than n fits. */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *p = rw_grow(*arr, cap, n + 1, size);

	if (!p)
		return RW_ENOMEM;
	*arr = p;
	return 0;
}

/* Copy an optional string into the arena; *out NULL when s is NULL. */
static int dup_opt(struct rw_arena *a, const char *s, const char **out)
{
	if (!s) {
		*out = NULL;
		return 0;
	}
	*out = rw_arena_strdup(a, s);
	return *out ? 0 : RW_ENOMEM;
}

int rw_dataset_add_rep(struct rw_dataset *ds, const struct rw_rep *rep,
		       uint32_t *idx)
{
	struct rw_rep r = *rep;

	if (ds->nreps >= RW_NONE - 1 ||
	    grow((void **)&ds->reps, &ds->reps_cap, ds->nreps, sizeof(r)))
		return RW_ENOMEM;
	if (dup_opt(ds->arena, rep->id, &r.id) ||
	    dup_opt(ds->arena, rep->name ? rep->name : rep->id, &r.name) ||
	    dup_opt(ds->arena, rep->email, &r.email) ||
	    dup_opt(ds->arena, rep->team ? rep->team : "(unassigned)", &r.team) ||
	    dup_opt(ds->arena, rep->manager, &r.manager))
		return RW_ENOMEM;
	ds->reps[ds->nreps] = r;
	if (idx)
		*idx = (uint32_t)ds->nreps;
	ds->nreps++;
	return 0;
}

int rw_dataset_add_opp(struct rw_dataset *ds, const struct rw_opp *opp,
		       uint32_t *idx)
{
	struct rw_opp o = *opp;

	if (ds->nopps >= RW_NONE - 1 ||
	    grow((void **)&ds->opps, &ds->opps_cap, ds->nopps, sizeof(o)))
		return RW_ENOMEM;
	if (dup_opt(ds->arena, opp->id, &o.id) ||
	    dup_opt(ds->arena, opp->stage, &o.stage))
		return RW_ENOMEM;
	ds->opps[ds->nopps] = o;
	if (idx)
		*idx = (uint32_t)ds->nopps;
	ds->nopps++;
	return 0;
}

int rw_dataset_add_target(struct rw_dataset *ds, const struct rw_target *t)
{
	struct rw_target c = *t;

	if (grow((void **)&ds->targets, &ds->targets_cap, ds->ntargets, sizeof(c)))
		return RW_ENOMEM;
	if (dup_opt(ds->arena, t->team, &c.team))
		return RW_ENOMEM;
	ds->targets[ds->ntargets++] = c;
	return 0;
}

int rw_dataset_add_stage(struct rw_dataset *ds, const struct rw_stage_entry *e)
{
	struct rw_stage_entry c = *e;

	if (grow((void **)&ds->stages, &ds->stages_cap, ds->nstages, sizeof(c)))
		return RW_ENOMEM;
	if (dup_opt(ds->arena, e->stage, &c.stage))
		return RW_ENOMEM;
	ds->stages[ds->nstages++] = c;
	return 0;
}

int rw_dataset_add_plan(struct rw_dataset *ds, const struct rw_plan *p)
{
	struct rw_plan c = *p;

	if (grow((void **)&ds->plans, &ds->plans_cap, ds->nplans, sizeof(c)))
		return RW_ENOMEM;
	if (dup_opt(ds->arena, p->id, &c.id) || dup_opt(ds->arena, p->metric, &c.metric))
		return RW_ENOMEM;
	ds->plans[ds->nplans++] = c;
	return 0;
}

void rw_dataset_set_activities_given(struct rw_dataset *ds)
{
	ds->activities_given = 1;
}

/* Slack of a span of n events: ln 1000 / rate days, at least min_days. */
static void span_slack(struct rw_span *sp, uint64_t n, int32_t min_days)
{
	double days = (double)sp->last - (double)sp->first + 1, slack;

	sp->slack = min_days;
	if (sp->first == RW_NODAY || n == 0)
		return;
	slack = ceil(6.907755 * days / (double)n);	/* ln 1000 = 6.907755 */
	if (slack > min_days)
		sp->slack = slack < INT32_MAX / 4 ? (int32_t)slack : INT32_MAX / 4;
}

void rw_dataset_activities_span(const struct rw_dataset *ds, struct rw_span *sp)
{
	sp->first = ds->activities_given ? ds->act_first : RW_NODAY;
	sp->last = ds->activities_given ? ds->act_last : RW_NODAY;
	span_slack(sp, ds->activities + ds->activities_other_shard, RW_ACT_SLACK_DAYS);
}

void rw_dataset_deals_span(const struct rw_dataset *ds, struct rw_span *sp)
{
	int32_t as_of = ds->settings.as_of;
	uint64_t n = 0;

	sp->first = sp->last = RW_NODAY;
	for (size_t i = 0; i < ds->nopps; i++) {
		const struct rw_opp *o = &ds->opps[i];
		int32_t d = o->created;

		if (d > as_of)
			continue;	/* not yet created at as_of */
		n++;
		if (sp->first == RW_NODAY || d < sp->first)
			sp->first = d;
		if ((o->status == RW_WON || o->status == RW_LOST) && o->closed != RW_NODAY &&
		    o->closed <= as_of) {
			n++;
			if (o->closed > d)
				d = o->closed;
		}
		if (sp->last == RW_NODAY || d > sp->last)
			sp->last = d;
	}
	span_slack(sp, n, RW_DEAL_SLACK_DAYS);
}

int rw_span_reaches(const struct rw_span *sp, int32_t day)
{
	if (sp->last == RW_NODAY)
		return 0;
	return (int64_t)sp->last >= (int64_t)day - sp->slack;
}
