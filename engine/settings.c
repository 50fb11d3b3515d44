/* settings.c - the engine's default settings and the shard of a team. */
#include "engine.h"

#include <time.h>

void rw_settings_default(struct rw_settings *s)
{
	time_t now = time(NULL);

	/* Today: floor(now / 86400), also before 1970. */
	s->as_of = (int32_t)((int64_t)now / 86400 - ((int64_t)now % 86400 < 0));
	s->history_periods = 12;
	s->trend_periods = 6;
	s->stale_days = 14;
	s->followup_days = 30;
	s->ramp_days = 90;
	s->structural_margin = 0.10;
	s->fiscal_start = 1;
	s->stage_order = NULL;
	s->shard_i = s->shard_n = 0;
}

uint32_t rw_team_hash(const char *team)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)team; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return h;
}

int rw_in_shard(const struct rw_settings *s, const char *team)
{
	return !s->shard_n || rw_team_hash(team) % s->shard_n == s->shard_i;
}
