/*
 * test_profiles.c - vendor profiles and configuration mapping: header
 * detection, [columns.*]/[values.*]/[stages]/[activity_types]/[currency]
 * keys, the day/month order of slash dates, currency conversion, report
 * footers, stage history and plans.  Each case writes a small folder of
 * CSV files and runs the whole ingest on it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../ingest/ingest.h"

#define D(y, m, d) rw_days_from_civil(y, m, d)

static char dir[64];

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/rw_profiles_XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void opts_init(struct rw_ingest_opts *o)
{
	rw_ingest_opts_default(o);
	o->data_dir = dir;
	o->max_reject_share = 1;
	o->require_activities = 0;
}

static int cfg(struct rw_ingest_opts *o, const char *section,
	       const char *name, const char *value)
{
	struct rw_err err;

	rw_err_clear(&err);
	return rw_ingest_config_key(o, section, name, value, 7, &err);
}

/* Run the ingest; the dataset is returned (caller frees). */
static struct rw_dataset *ingest(const struct rw_ingest_opts *o,
				 struct rw_ingest_stats *st, struct rw_err *err,
				 int want_rc)
{
	struct rw_settings s;
	struct rw_dataset *ds;
	int rc;

	rw_settings_default(&s);
	s.as_of = D(2026, 6, 30);
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	rw_err_clear(err);
	rc = rw_ingest_run(o, ds, st, err);
	if (rc != want_rc)
		fail_msg("ingest returned %d, not %d: %s:%ld: %s", rc, want_rc,
			 err->file, err->line, err->msg);
	return ds;
}

static const struct rw_file_report *report_of(const struct rw_ingest_stats *st,
					      const char *name)
{
	for (int i = 0; i < st->nfiles; i++)
		if (strstr(st->files[i].path, name))
			return &st->files[i];
	fail_msg("no report for %s", name);
	return NULL;
}

/* ---- Configuration keys ------------------------------------------------- */

static void test_config_keys(void **state)
{
	struct rw_ingest_opts o;
	struct rw_err err;

	(void)state;
	opts_init(&o);
	assert_int_equal(cfg(&o, "columns.opportunities", "opp_id", "Deal ID"), 0);
	assert_int_equal(o.map.n, 1);
	assert_int_equal(o.map.e[0].kind, RW_MAP_COLUMN);
	assert_int_equal(o.map.e[0].file, RW_IN_OPPORTUNITIES);
	assert_string_equal(o.map.e[0].text, "Deal ID");
	assert_int_equal(o.map.e[0].line, 7);
	/* Errors say which key and why. */
	rw_err_clear(&err);
	assert_int_equal(rw_ingest_config_key(&o, "columns.opportunities", "owner_name",
					      "x", 3, &err), RW_ECONFIG);
	assert_string_equal(err.msg, "[columns.opportunities] owner_name: not a column of opportunities.csv");
	assert_int_equal(cfg(&o, "columns.opportunities", "opp_id", "Other"), RW_ECONFIG);
	assert_int_equal(cfg(&o, "columns.deals", "opp_id", "x"), RW_ECONFIG);
	assert_int_equal(cfg(&o, "currency", "EUR", "1.08"), 0);
	assert_true(o.map.e[o.map.n - 1].rate == 1.08);
	assert_int_equal(cfg(&o, "currency", "EUR", "1.1"), RW_ECONFIG);
	assert_int_equal(cfg(&o, "currency", "GBP", "-1"), RW_ECONFIG);
	assert_int_equal(cfg(&o, "currency", "gbp", "1"), RW_ECONFIG);
	assert_int_equal(cfg(&o, "currency", "base", "US"), RW_ECONFIG);
	assert_int_equal(cfg(&o, "currency", "base", "USD"), 0);
	assert_string_equal(o.map.base_currency, "USD");
	assert_int_equal(cfg(&o, "stages", "won", "Closed: won, Signed"), 0);
	assert_int_equal(cfg(&o, "stages", "closed", "x"), RW_ECONFIG);
	assert_int_equal(cfg(&o, "activity_types", "meeting", "Demo, Lunch"), 0);
	assert_int_equal(cfg(&o, "activity_types", "visit", "x"), RW_ECONFIG);
	assert_int_equal(cfg(&o, "repwatch", "encoding", "windows-1252"), 0);
	assert_int_equal(o.encoding, RW_ENC_CP1252);
	assert_int_equal(cfg(&o, "repwatch", "encoding", "latin1"), RW_ECONFIG);
	assert_int_equal(cfg(&o, "repwatch", "profile", "hubspot"), 0);
	assert_string_equal(o.profile, "hubspot");
	assert_int_equal(cfg(&o, "repwatch", "profile", "zoho"), RW_ECONFIG);
	/* Not ingest's: the caller handles it. */
	assert_int_equal(cfg(&o, "repwatch", "history_periods", "12"), -1);
	assert_int_equal(cfg(&o, "rules", "x", "y"), -1);
	assert_int_equal(rw_ingest_config_section("columns.reps"), 1);
	assert_int_equal(rw_ingest_config_section("rules"), 0);
}

/* ---- Dates -------------------------------------------------------------- */

static void test_date_kind(void **state)
{
	(void)state;
	assert_int_equal(rw_date_kind("2026-02-11", 10), 0);
	assert_int_equal(rw_date_kind("11.02.2026", 10), 0);
	assert_int_equal(rw_date_kind("2/11/2026", 9), 1);
	assert_int_equal(rw_date_kind("13/2/2026", 9), 2);
	assert_int_equal(rw_date_kind(" 2/13/26 08:55 PM", 17), 3);
	assert_int_equal(rw_date_kind("13/13/2026", 10), 0);
}

static const char reps[] = "rep_id,name\nR1,Ann\n";

/* An ambiguous first value: the file is sampled and 25/3/2026 on line 3
 * makes every slash date day-first; 4/3/2026 is then 4 March. */
static void test_date_order_detected(void **state)
{
	struct rw_ingest_opts o;
	struct rw_ingest_stats st;
	struct rw_dataset *ds;
	struct rw_err err;

	(void)state;
	put("reps.csv", reps);
	put("opportunities.csv", "opp_id,owner,created,status,amount\n"
	    "O1,R1,4/3/2026,open,1\nO2,R1,25/3/2026,open,1\nO3,R1,2026-03-01,open,1\n");
	opts_init(&o);
	ds = ingest(&o, &st, &err, 0);
	assert_int_equal(ds->nopps, 3);
	assert_int_equal(ds->opps[0].created, D(2026, 3, 4));
	assert_int_equal(ds->opps[1].created, D(2026, 3, 25));
	assert_string_equal(report_of(&st, "opportunities.csv")->dates,
			    "D/M/YYYY, detected from column \"created\" line 3");
	rw_dataset_free(ds);

	/* With date_order set, nothing is detected: 4/3 is April 3rd and
	 * 25/3 cannot be a month-first date. */
	o.date_order = RW_DATE_MDY;
	ds = ingest(&o, &st, &err, 0);
	assert_int_equal(ds->nopps, 2);
	assert_int_equal(ds->opps[0].created, D(2026, 4, 3));
	assert_int_equal(st.file[RW_IN_OPPORTUNITIES].rows_rejected, 1);
	rw_dataset_free(ds);
}

/* No value tells: M/D/YYYY, and the report says it was assumed. */
static void test_date_order_assumed(void **state)
{
	struct rw_ingest_opts o;
	struct rw_ingest_stats st;
	struct rw_dataset *ds;
	struct rw_err err;

	(void)state;
	put("reps.csv", reps);
	put("opportunities.csv", "opp_id,owner,created,status,amount\n"
	    "O1,R1,4/3/2026,open,1\nO2,R1,5/6/2026,open,1\n");
	/* No value decides the order: an error naming file and column, never
	 * a guess. */
	opts_init(&o);
	ds = ingest(&o, &st, &err, RW_EINPUT);
	assert_non_null(strstr(err.file, "opportunities.csv"));
	assert_int_equal(err.column, 3);
	assert_non_null(strstr(err.msg, "column \"created\": no date in the file tells day from month"));
	rw_dataset_free(ds);
	/* With the order configured, 4/3/2026 is the 3rd of April. */
	opts_init(&o);
	o.date_order = RW_DATE_MDY;
	ds = ingest(&o, &st, &err, 0);
	assert_int_equal(ds->opps[0].created, D(2026, 4, 3));
	rw_dataset_free(ds);
}

/* Both 13/2 and 2/13 in one file: an error naming file, line and column. */
static void test_date_order_conflict(void **state)
{
	struct rw_ingest_opts o;
	struct rw_ingest_stats st;
	struct rw_dataset *ds;
	struct rw_err err;

	(void)state;
	put("reps.csv", reps);
	put("opportunities.csv", "opp_id,owner,created,close_date,status,amount\n"
	    "O1,R1,13/2/2026,,open,1\nO2,R1,1/1/2026,2/14/2026,won,1\n");
	opts_init(&o);
	ds = ingest(&o, &st, &err, RW_EINPUT);
	assert_non_null(strstr(err.file, "opportunities.csv"));
	assert_int_equal(err.line, 3);
	assert_string_equal(err.msg, "date column \"close_date\" has a M/D/YYYY value, but column \"created\" line 2 is D/M/YYYY: the day/month order is ambiguous; set date_order = dmy or mdy");
	rw_dataset_free(ds);
}

/* ---- Profiles ----------------------------------------------------------- */

/* HubSpot labels, "Closed: won", a configured lost stage, a skipped stage
 * and the Salesforce report footer. */
static void test_hubspot_stages_footer(void **state)
{
	struct rw_ingest_opts o;
	struct rw_ingest_stats st;
	struct rw_dataset *ds;
	struct rw_err err;
	const struct rw_file_report *r;

	(void)state;
	put("reps.csv", reps);
	put("deals.csv", "\xef\xbb\xbfRecord ID,Deal Name,Deal Stage,Close Date,Deal owner,Amount,Create Date\r\n"
	    "1,A,Closed: won,2026-02-10 10:00,Ann,100,2026-01-05 10:00\r\n"
	    "2,B,Closed: abandoned,2026-02-11 10:00,Ann,200,2026-01-05 10:00\r\n"
	    "3,C,Closed won,2026-02-12 10:00,Ann,300,2026-01-05 10:00\r\n"
	    "4,D,Lead,,Ann,400,2026-01-05 10:00\r\n"
	    "5,E,Awaiting event,,Ann,500,2026-01-05 10:00\r\n"
	    "\r\n\"Grand Totals (5 records)\"\r\n\r\n"
	    "\"Confidential Information - Do Not Distribute\"\r\n");
	opts_init(&o);
	assert_int_equal(cfg(&o, "stages", "lost", "Closed: abandoned"), 0);
	assert_int_equal(cfg(&o, "stages", "skip", "lead"), 0);
	ds = ingest(&o, &st, &err, 0);
	r = report_of(&st, "deals.csv");
	assert_int_equal(r->file, RW_IN_OPPORTUNITIES);
	assert_string_equal(r->profile, "hubspot");
	assert_non_null(strstr(r->found, "owner <- \"Deal owner\""));
	/* 5 data rows; the lead and the two footer lines skipped. */
	assert_int_equal(r->rows_read, 5);
	assert_int_equal(r->rows_skipped, 3);
	assert_int_equal(r->rows_rejected, 0);
	assert_int_equal(ds->nopps, 4);
	assert_int_equal(ds->opps[0].status, RW_WON);
	assert_int_equal(ds->opps[1].status, RW_LOST);
	assert_int_equal(ds->opps[2].status, RW_WON);
	assert_int_equal(ds->opps[3].status, RW_OPEN);
	assert_int_equal(ds->opps[0].created, D(2026, 1, 5));
	rw_dataset_free(ds);

	/* Forced to the canonical profile, the deals export has no opp_id:
	 * no file is an opportunities export. */
	snprintf(o.profile, sizeof(o.profile), "canonical");
	ds = ingest(&o, &st, &err, RW_EINPUT);
	assert_non_null(strstr(err.msg, "cannot read opportunities.csv"));
	rw_dataset_free(ds);
}

/* Salesforce flags: IsClosed/IsWon decide over the stage words. */
static void test_salesforce_flags(void **state)
{
	struct rw_ingest_opts o;
	struct rw_ingest_stats st;
	struct rw_dataset *ds;
	struct rw_err err;

	(void)state;
	put("reps.csv", reps);
	put("opportunities.csv", "Id,StageName,Amount,CloseDate,IsClosed,IsWon,OwnerId,CreatedDate\n"
	    "006A,Signed,10,2026-02-01,TRUE,TRUE,R1,2026-01-01T10:00:00.000+0000\n"
	    "006B,Dead,10,2026-02-01,1,,R1,2026-01-01T10:00:00.000+0000\n"
	    "006C,Closed Won,10,2026-02-01,,,R1,2026-01-01T10:00:00.000+0000\n"
	    "006D,Closed Won,10,2026-02-01,maybe,,R1,2026-01-01T10:00:00.000+0000\n");
	opts_init(&o);
	ds = ingest(&o, &st, &err, 0);
	assert_string_equal(report_of(&st, "opportunities.csv")->profile, "salesforce");
	assert_int_equal(ds->nopps, 3);
	assert_int_equal(ds->opps[0].status, RW_WON);
	assert_int_equal(ds->opps[1].status, RW_LOST);
	assert_int_equal(ds->opps[2].status, RW_OPEN);	/* IsClosed empty */
	assert_string_equal(report_of(&st, "opportunities.csv")->rejects[0],
			    "line 5, is_closed: not a true/false flag: \"maybe\"");
	rw_dataset_free(ds);
}

/* [columns.*] with fallbacks, [values.*], [activity_types]. */
static void test_config_mapping(void **state)
{
	struct rw_ingest_opts o;
	struct rw_ingest_stats st;
	struct rw_dataset *ds;
	struct rw_err err;

	(void)state;
	put("reps.csv", reps);
	put("opportunities.csv", "Deal,Seller,Opened,Entered,Result,Value\n"
	    "D1,Ann,2026-01-02,,won,5\nD2,Ann,,2026-01-03,open,\n");
	put("acts.csv", "Kind,When,Who,Ref\nDemo,2026-01-04,Ann,K1\nLunch,2026-01-05,Ann,K2\n");
	opts_init(&o);
	assert_int_equal(cfg(&o, "columns.opportunities", "opp_id", "Deal"), 0);
	assert_int_equal(cfg(&o, "columns.opportunities", "owner", "Seller"), 0);
	assert_int_equal(cfg(&o, "columns.opportunities", "created", "Opened, Entered"), 0);
	assert_int_equal(cfg(&o, "columns.opportunities", "status", "Result"), 0);
	assert_int_equal(cfg(&o, "columns.opportunities", "amount", "Value"), 0);
	assert_int_equal(cfg(&o, "values.opportunities", "amount", "0"), 0);
	assert_int_equal(cfg(&o, "columns.activities", "activity_id", "Ref"), 0);
	assert_int_equal(cfg(&o, "columns.activities", "owner", "Who"), 0);
	assert_int_equal(cfg(&o, "columns.activities", "type", "Kind"), 0);
	assert_int_equal(cfg(&o, "columns.activities", "date", "When"), 0);
	assert_int_equal(cfg(&o, "activity_types", "email", "Lunch"), 0);
	ds = ingest(&o, &st, &err, 0);
	assert_int_equal(ds->nopps, 2);
	assert_int_equal(ds->opps[1].created, D(2026, 1, 3));	/* fallback */
	assert_true(ds->opps[1].amount == 0);			/* [values] */
	assert_int_equal(report_of(&st, "acts.csv")->file, RW_IN_ACTIVITIES);
	assert_int_equal(ds->activities, 2);
	rw_dataset_free(ds);
}

/* ---- Currencies --------------------------------------------------------- */

static void test_currency(void **state)
{
	struct rw_ingest_opts o;
	struct rw_ingest_stats st;
	struct rw_dataset *ds;
	struct rw_err err;
	const struct rw_file_report *r;

	(void)state;
	put("reps.csv", reps);
	put("opportunities.csv", "opp_id,owner,created,status,amount,currency\n"
	    "O1,R1,2026-01-01,won,100,USD\nO2,R1,2026-01-01,won,100,EUR\n"
	    "O3,R1,2026-01-01,won,\xe2\x82\xac" "200,\nO4,R1,2026-01-01,won,GBP 10,\n");
	opts_init(&o);
	assert_int_equal(cfg(&o, "currency", "base", "USD"), 0);
	assert_int_equal(cfg(&o, "currency", "EUR", "1.5"), 0);
	ds = ingest(&o, &st, &err, 0);
	/* 100 EUR * 1.5 = 150; the euro sign in the amount is EUR too
	 * (200 * 1.5 = 300); GBP has no rate: rejected, not summed. */
	assert_int_equal(ds->nopps, 3);
	assert_true(ds->opps[0].amount == 100);
	assert_true(ds->opps[1].amount == 150);
	assert_true(ds->opps[2].amount == 300);
	r = report_of(&st, "opportunities.csv");
	assert_int_equal(r->rows_rejected, 1);
	assert_string_equal(r->rejects[0], "line 5, amount: no rate for currency GBP (base USD): add GBP = RATE to [currency] in the configuration");
	rw_dataset_free(ds);

	/* No base configured: the first currency seen is the base. */
	opts_init(&o);
	ds = ingest(&o, &st, &err, 0);
	assert_string_equal(st.base_currency, "USD");
	assert_int_equal(ds->nopps, 1);
	rw_dataset_free(ds);
}

/* ---- Stage history and plans -------------------------------------------- */

static void test_stage_history_plans(void **state)
{
	struct rw_ingest_opts o;
	struct rw_ingest_stats st;
	struct rw_dataset *ds;
	struct rw_err err;
	const struct rw_file_report *r;

	(void)state;
	put("reps.csv", reps);
	put("opportunities.csv", "opp_id,owner,created,status,amount\nO1,R1,2026-01-01,open,1\n");
	put("stage_history.csv", "opp_id,stage,entered\nO1,Discovery,2026-01-02\n"
	    "O9,Discovery,2026-01-02\nO1,Proposal,\n");
	put("plans.csv", "plan_id,rep_id,start,end,metric,target,baseline\n"
	    "P1,R1,2026-02-01,2026-04-30,win_rate,0.3,0.2\n"
	    "P1,Ann,2026-02-01,2026-04-30,calls,40,\n"
	    "P2,R9,2026-02-01,2026-04-30,calls,40,\n"
	    "P3,R1,2026-02-01,2026-04-30,happiness,1,\n"
	    "P4,R1,2026-04-30,2026-02-01,calls,1,\n");
	opts_init(&o);
	ds = ingest(&o, &st, &err, 0);
	assert_int_equal(ds->nstages, 1);
	assert_int_equal(ds->stages[0].opp, 0);
	assert_string_equal(ds->stages[0].stage, "Discovery");
	assert_int_equal(ds->stages[0].day, D(2026, 1, 2));
	r = report_of(&st, "stage_history.csv");
	assert_int_equal(r->rows_rejected, 2);
	assert_string_equal(r->rejects[0], "line 3, opp_id: matches no deal in the opportunities: \"O9\"");
	assert_string_equal(r->rejects[1], "line 4, entered: missing required value");
	assert_int_equal(ds->nplans, 2);
	assert_string_equal(ds->plans[0].id, "P1");
	assert_string_equal(ds->plans[0].metric, "win_rate");
	assert_true(ds->plans[0].baseline == 0.2);
	assert_int_equal(ds->plans[1].rep, 0);		/* by name */
	assert_true(isnan(ds->plans[1].baseline));
	assert_int_equal(ds->plans[1].end, D(2026, 4, 30));
	r = report_of(&st, "plans.csv");
	assert_int_equal(r->rows_rejected, 3);
	assert_string_equal(r->rejects[0], "line 4, rep_id: matches no rep: \"R9\"");
	assert_string_equal(r->rejects[1], "line 5, metric: not a metric name of SPEC section 4: \"happiness\"");
	assert_string_equal(r->rejects[2], "line 6, end: end is before start: \"2026-02-01\"");
	assert_int_equal(st.file[RW_IN_PLANS].rows_read, 5);
	assert_string_equal(rw_input_name(RW_IN_STAGE_HISTORY), "stage_history.csv");
	assert_string_equal(rw_input_name(RW_IN_PLANS), "plans.csv");
	rw_dataset_free(ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_keys),
		cmocka_unit_test(test_date_kind),
		cmocka_unit_test_setup_teardown(test_date_order_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_date_order_assumed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_date_order_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hubspot_stages_footer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_salesforce_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_currency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stage_history_plans, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
