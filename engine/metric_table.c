/*
 * metric_table.c - the metric table of engine.h (RW_METRICS) as data, and
 * its accessors.
 */
#include "engine.h"

#include <string.h>

/* The metric table of engine.h, one row per metric in enum order. */
static const struct {
	const char *name, *title;
	enum rw_metric_unit unit;
	enum rw_metric_weight weight;
	enum rw_metric_test test;
	int up_is_good, needs_activities, sum, team, batch;
	enum rw_metric of;
} metric_desc[RW_NMETRICS] = {
#define RW_METRIC_DESC_(id, name, unit, up, weight, test, act, sum, team, of, \
			batch, title) \
	[RW_M_##id] = { name, title, RW_UNIT_##unit, RW_WEIGHT_##weight, \
			RW_TEST_##test, up, act, sum, team, batch, RW_M_##of },
	RW_METRICS(RW_METRIC_DESC_)
#undef RW_METRIC_DESC_
};

const char *rw_metric_name(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].name : NULL;
}

int rw_metric_needs_activities(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].needs_activities : 0;
}

const char *rw_metric_title(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].title : NULL;
}

enum rw_metric_unit rw_metric_unit(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].unit : RW_UNIT_RATIO;
}

enum rw_metric_weight rw_metric_weight(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].weight : RW_WEIGHT_NONE;
}

enum rw_metric_test rw_metric_test(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].test : RW_TEST_MEAN;
}

int rw_metric_is_sum(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].sum : 0;
}

int rw_metric_team_judged(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].team : 0;
}

enum rw_metric rw_metric_of(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].of : m;
}

_Static_assert(RW_NMETRICS <= 64, "rw_metric_team_covers() needs a wider set");

uint64_t rw_metric_team_covers(enum rw_metric m)
{
	enum rw_metric b = rw_metric_of(m);
	uint64_t set;

	if ((unsigned)m >= RW_NMETRICS)
		return 0;
	set = (uint64_t)1 << b;
	/* Revenue and attainment are deals x win rate x deal size: a team
	 * that shifted on one of those shifted its results too. */
	if (b == RW_M_REVENUE || b == RW_M_ATTAINMENT)
		set |= (uint64_t)1 << RW_M_WIN_RATE | (uint64_t)1 << RW_M_OPPS_CREATED |
		       (uint64_t)1 << RW_M_AVG_DEAL_SIZE;
	return set;
}

int rw_metric_batch(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].batch : 0;
}

int rw_metric_up_is_good(enum rw_metric m)
{
	return (unsigned)m < RW_NMETRICS ? metric_desc[m].up_is_good : 1;
}

int rw_metric_find(const char *name)
{
	for (int i = 0; i < RW_NMETRICS; i++)
		if (!strcmp(name, metric_desc[i].name))
			return i;
	return -1;
}
