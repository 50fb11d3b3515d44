/*
 * defaults.c - the shipped default rules, compiled into the binary so that
 * repwatch needs no file at run time.  This text is rules/default.ini byte
 * for byte (tests/test_rules.c checks it); edit both together.
 */
#include "rules_int.h"

#include <ini.h>
#include <string.h>

const char rw_rules_default_ini[] =
	"; rules/default.ini - the rules repwatch uses when the configuration has\n"
	"; no [rule NAME] section (SPEC section 5; docs/rules.md says why each one).\n"
	"; role = lagging: a shortfall in results; role = leading: a cause, which\n"
	"; flags only as the evidence of a lagging shortfall (a PIP candidate).\n"
	"\n"
	"[rule missed_quota]\n"
	"category = pip_candidate\n"
	"severity = critical\n"
	"role     = lagging\n"
	"grain    = quarter\n"
	"when     = attainment < 0.7\n"
	"for      = 2\n"
	"message  = Revenue attainment {attainment:pct} for {for} quarters in a row\n"
	"\n"
	"[rule low_win_rate]\n"
	"category = pip_candidate\n"
	"severity = critical\n"
	"role     = lagging\n"
	"grain    = quarter\n"
	"when     = win_rate_hi < 0.5 * team_win_rate_median\n"
	"message  = Win rate {win_rate:pct} is low even at its upper bound {win_rate_hi:pct} (team median {team_win_rate_median:pct})\n"
	"\n"
	"[rule win_rate_decline]\n"
	"category = pip_candidate\n"
	"severity = warning\n"
	"role     = lagging\n"
	"grain    = month\n"
	"when     = win_rate_change <= -0.3 AND win_rate_slope < 0 AND win_rate_slope_p < 0.05\n"
	"message  = Win rate {win_rate_change:pct} over two quarters (now {win_rate:pct})\n"
	"\n"
	"[rule revenue_decline]\n"
	"category = pip_candidate\n"
	"severity = warning\n"
	"role     = lagging\n"
	"grain    = month\n"
	"when     = revenue_change <= -0.3 AND revenue_slope < 0 AND revenue_slope_p < 0.05\n"
	"message  = Revenue {revenue_change:pct} over two quarters\n"
	"\n"
	"[rule low_followup]\n"
	"category = pip_candidate\n"
	"severity = warning\n"
	"role     = leading\n"
	"grain    = month\n"
	"when     = followup_ratio < 0.5\n"
	"for      = 2\n"
	"message  = Follow-up ratio {followup_ratio:pct} for {for} months\n"
	"\n"
	"[rule slow_touches]\n"
	"category = pip_candidate\n"
	"severity = warning\n"
	"role     = leading\n"
	"grain    = month\n"
	"when     = touch_gap_days > 14 OR stale_share > 0.3\n"
	"message  = Median touch gap {touch_gap_days} days, stale share {stale_share:pct}\n"
	"\n"
	"[rule low_email_volume]\n"
	"category = pip_candidate\n"
	"severity = watch\n"
	"role     = leading\n"
	"grain    = week\n"
	"when     = emails < 60\n"
	"for      = 4\n"
	"message  = {emails} e-mails a week for {for} weeks\n"
	"\n"
	"[rule low_first_meetings]\n"
	"category = pip_candidate\n"
	"severity = watch\n"
	"role     = leading\n"
	"grain    = month\n"
	"when     = first_meetings_pct < 25\n"
	"for      = 2\n"
	"message  = First meetings {first_meetings} in the team's bottom quartile\n"
	"\n"
	"[rule followup_decline]\n"
	"category = pip_candidate\n"
	"severity = warning\n"
	"role     = leading\n"
	"grain    = month\n"
	"when     = followup_ratio_change <= -0.3 AND followup_ratio_slope < 0\n"
	"  AND followup_ratio_slope_p < 0.05\n"
	"message  = Follow-up ratio {followup_ratio_change:pct} over two quarters\n"
	"\n"
	"[rule activity_drop]\n"
	"category = early_warning\n"
	"severity = watch\n"
	"grain    = month\n"
	"when     = (calls_change <= -0.3 AND calls_slope_p < 0.05)\n"
	"  OR (emails_change <= -0.3 AND emails_slope_p < 0.05)\n"
	"message  = Activity below the rep's own earlier months: calls {calls_change:pct}, e-mails {emails_change:pct}\n"
	"\n"
	"[rule stale_rising]\n"
	"category = early_warning\n"
	"severity = warning\n"
	"grain    = month\n"
	"when     = stale_share > 0.3 AND stale_share_slope > 0\n"
	"for      = 2\n"
	"message  = Stale share {stale_share:pct} and rising\n"
	"\n"
	"[rule low_coverage]\n"
	"category = early_warning\n"
	"severity = watch\n"
	"grain    = month\n"
	"when     = coverage < 3 AND coverage_pct < 25\n"
	"for      = 3\n"
	"message  = Pipeline coverage {coverage}x of next month's quota\n"
	"\n"
	"[rule projected_shortfall]\n"
	"category = early_warning\n"
	"severity = warning\n"
	"grain    = month\n"
	"period   = partial\n"
	"when     = coalesce(projected_attainment, attainment) < 0.8\n"
	"for      = 2\n"
	"message  = Projected attainment {projected_attainment:pct} this month, after a month under 80%\n"
	"\n"
	"[rule improver]\n"
	"category = recognition\n"
	"severity = info\n"
	"grain    = month\n"
	"when     = win_rate_change >= 0.3 AND win_rate_slope > 0 AND win_rate_slope_p < 0.05\n"
	"message  = Win rate +{win_rate_change:pct} over two quarters (now {win_rate:pct})\n"
	;

struct defaults_reader {
	struct rw_rules *rs;
	struct rw_err *err;
};

static int defaults_handler(void *user, const char *section, const char *name,
			    const char *value)
{
	struct defaults_reader *r = user;

	if (r->err->code)
		return 0;
	if (strncmp(section, "rule ", 5)) {
		rw_err_set(r->err, RW_EINTERNAL, "default rules: unknown section [%s]", section);
		return 0;
	}
	return rw_rules_set(r->rs, section + 5, name, value, r->err) ? 0 : 1;
}

int rw_rules_load_defaults(struct rw_rules *rs, struct rw_err *err)
{
	struct defaults_reader r = { .rs = rs, .err = err };
	int rc = ini_parse_string(rw_rules_default_ini, defaults_handler, &r);

	if (err->code)
		return err->code;
	if (rc > 0)
		return rw_err_set(err, RW_EINTERNAL, "default rules: syntax error on line %d", rc);
	if (rc < 0)
		return rw_err_set(err, RW_ENOMEM, "out of memory reading the default rules");
	return 0;
}
