/*
 * engine_fixture.h - what the engine's test suites share: the day macro,
 * the settings of the small hand-computed datasets (as of 2024-03-15, two
 * complete months kept) and the value assertions.  Header-only, so each
 * suite still links alone.
 */
#ifndef RW_ENGINE_FIXTURE_H
#define RW_ENGINE_FIXTURE_H

#include <math.h>

#include "../engine/engine.h"

#define D(y, m, d) rw_days_from_civil(y, m, d)
#define ASSERT_NULL_VALUE(v) assert_true(isnan(v))
#define ASSERT_VAL(v, want) assert_float_equal((v), (want), 1e-9)

static inline struct rw_settings test_settings(void)
{
	struct rw_settings s;

	rw_settings_default(&s);
	s.as_of = D(2024, 3, 15);
	s.history_periods = 2;
	s.trend_periods = 6;
	s.stale_days = 14;
	s.followup_days = 30;
	s.fiscal_start = 1;
	return s;
}

#endif
