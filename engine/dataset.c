/* dataset.c - the engine's input container (see engine.h). */
#include "engine.h"
#include "engine_int.h"

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

int rw_dataset_activities_cover(const struct rw_dataset *ds, int32_t first,
				int32_t last)
{
	if (!ds->activities_given || ds->act_first == RW_NODAY)
		return 0;
	return (int64_t)ds->act_first <= (int64_t)first + RW_ACT_SLACK_DAYS &&
	       (int64_t)ds->act_last >= (int64_t)last - RW_ACT_SLACK_DAYS;
}

int64_t rw_dataset_activities_end(const struct rw_dataset *ds)
{
	int64_t end = ds->settings.as_of;

	if (ds->act_last != RW_NODAY && (int64_t)ds->act_last + RW_ACT_SLACK_DAYS < end)
		end = (int64_t)ds->act_last + RW_ACT_SLACK_DAYS;
	return end;
}
