/*
 * test_reports.c - the Markdown trend report rendered from a database whose
 * rows are written by hand here, so every number in the expected text is
 * known without running the engine.
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

#include <jansson.h>
#include <sqlite3.h>

#include "../reports/reports.h"
#include "../reports/reports_int.h"
#include "../store/store.h"

struct fixture {
	char dir[64];
	char db[96];
};

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* Month rows 2026-04 .. 2026-09 complete and 2026-10 partial. */
static const char *const months[] = {
	"2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"
};
static const char *const starts[] = {
	"2026-04-01", "2026-05-01", "2026-06-01", "2026-07-01", "2026-08-01",
	"2026-09-01", "2026-10-01"
};

static void add_month(sqlite3 *db, const char *rep, int i, double won, double lost,
		      double rate, const char *quota_att)
{
	char sql[512];
	char rate_s[32];

	if (isnan(rate))
		snprintf(rate_s, sizeof(rate_s), "NULL");
	else
		snprintf(rate_s, sizeof(rate_s), "%.4f", rate);
	snprintf(sql, sizeof(sql),
		 "INSERT OR REPLACE INTO rep_metrics(rep_id, grain, period, period_start,"
		 " partial, won, lost, win_rate, win_rate_lo, win_rate_hi, revenue,"
		 " quota, attainment, followup_ratio, touch_gap_days, stale_share,"
		 " pipeline_value, meetings) VALUES('%s', 'month', '%s', '%s', %d,"
		 " %.0f, %.0f, %s, 0.09, 0.61, 30000, %s, 0.8, 0.45, 4.5, 0.1, 1234567.4, 12)",
		 rep, months[i], starts[i], i == 6, won, lost, rate_s, quota_att);
	exec(db, sql);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct rw_store *st;
	struct rw_err err;
	sqlite3 *db;
	/* Ann's win rate falls 0.60 -> 0.30 over six months; Bob holds 0.50. */
	static const double ann[] = { 0.60, 0.55, 0.50, 0.40, 0.35, 0.30, 0.25 };

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/rw-reports-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/r.db", f->dir);
	rw_err_clear(&err);
	assert_int_equal(rw_store_open(f->db, 1000, &st, &err), 0);
	rw_store_close(st);
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	exec(db, "INSERT INTO runs(run_id, as_of, started, finished, status, trend_periods)"
		 " VALUES(1, '2026-10-31', 'x', 'y', 'ok', 6)");
	/* A run that never committed would not be visible; this one failed. */
	exec(db, "INSERT INTO runs(run_id, as_of, started, status, trend_periods)"
		 " VALUES(2, '2026-11-30', 'x', 'failed', 6)");
	exec(db, "INSERT INTO reps(rep_id, name, team, manager, hire_date, end_date) VALUES"
		 " ('R1', 'Ann Lee', 'East', 'Mia Boss', '2024-01-01', NULL),"
		 " ('R2', 'Bob | <b>Ray</b>', 'East', 'Mia Boss', '2024-01-01', NULL),"
		 " ('R3', 'Cy Old', 'West', 'Ned Lead', '2023-01-01', '2026-01-15'),"
		 " ('R4', 'Di Ng', 'West', 'Ned Lead', '2023-01-01', NULL)");
	for (int i = 0; i < 7; i++) {
		add_month(db, "R1", i, 3, 7, ann[i], "40000");
		add_month(db, "R2", i, 5, 5, 0.5, "NULL");
		add_month(db, "R4", i, 0, 0, NAN, "NULL");
	}
	/* East's win rate median per month, as the engine would store it:
	 * the mean of Ann's and Bob's two values. */
	for (int i = 0; i < 6; i++) {
		char sql[256];

		snprintf(sql, sizeof(sql), "INSERT INTO team_baselines(team, grain, period,"
			 " metric, n, median) VALUES('East', 'month', '%s', 'win_rate', 2, %.4f)",
			 months[i], (ann[i] + 0.5) / 2);
		exec(db, sql);
	}
	/* Stored trends: Ann's weighted fit is significant, Bob's flat. */
	exec(db, "INSERT INTO rep_trends(rep_id, grain, metric, n, slope, slope_p,"
		 " wslope, wslope_p, change, cp_period, cp_size) VALUES"
		 " ('R1', 'month', 'win_rate', 6, -0.06, 0.001, -0.061, 0.002, -0.4,"
		 "  '2026-07', -0.2),"
		 " ('R1', 'month', 'revenue', 6, 500, 0.01, NULL, NULL, 0.1, NULL, NULL),"
		 " ('R2', 'month', 'win_rate', 6, 0, NULL, 0, NULL, 0, NULL, NULL),"
		 " ('R4', 'month', 'win_rate', 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[160];

	snprintf(path, sizeof(path), "%s/r.db-wal", f->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/r.db-shm", f->dir);
	unlink(path);
	unlink(f->db);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Render the report (o->rep == NULL) or the assessment o asks for into a
 * malloc'ed string; returns the RW_E* code. */
static int render_opts(const struct rw_report_opts *o, char **text, struct rw_err *err)
{
	size_t len;
	FILE *fp;
	int rc;

	*text = NULL;
	fp = open_memstream(text, &len);
	assert_non_null(fp);
	rw_err_clear(err);
	rc = o->rep ? rw_assess_write(o, fp, err) : rw_report_write(o, fp, err);
	assert_int_equal(fclose(fp), 0);
	return rc;
}

/* render_opts with the default options but these. */
static int render_fmt(const char *db, const char *grain, const char *team,
		      enum rw_report_format fmt, const char *rep, char **text,
		      struct rw_err *err)
{
	struct rw_report_opts o;

	rw_report_opts_default(&o);
	o.db_path = db;
	o.grain = grain;
	o.team = team;
	o.format = fmt;
	o.rep = rep;
	return render_opts(&o, text, err);
}

/* The JSON document text, parsed; text is freed. */
static json_t *parse_json(char *text)
{
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr);

	free(text);
	assert_non_null(root);
	return root;
}

static int render(const char *db, const char *grain, const char *team, char **text,
		  struct rw_err *err)
{
	return render_fmt(db, grain, team, RW_FMT_MD, NULL, text, err);
}

static void assert_has(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("report lacks \"%s\"; it reads:\n%s", want, text);
}

static void test_overview(void **state)
{
	struct fixture *f = *state;
	struct rw_err err;
	char *t;

	assert_int_equal(render(f->db, "month", NULL, &t, &err), 0);
	assert_true(!strncmp(t, "# repwatch trend report\n", 24));
	/* The failed run 2 is not the one reported. */
	assert_has(t, "Run 1 as of 2026-10-31, grain month.");
	/* 2026-09 is the latest complete month (2026-10 is partial). */
	assert_has(t, "## Team overview: month 2026-09");
	assert_has(t, "### East (manager: Mia Boss)");
	/* Ann, 2026-09: 3 won, 7 lost, rate 0.30 with the stored interval
	 * 0.09-0.61, a significant fall (weighted p 0.002) -> ▼; revenue
	 * 30000 rising with p 0.01 -> ▲; attainment 0.8 with no trend row
	 * -> ·; follow-up 0.45; touch gap 4.5 d; stale 0.1; pipeline
	 * 1234567.4 grouped; 12 meetings. */
	assert_has(t, "| Ann Lee (R1) | 3/7 | 30.0% (9.0%\xe2\x80\x93" "61.0%) \xe2\x96\xbc |"
		      " 30,000 \xe2\x96\xb2 | 80.0% \xc2\xb7 |");
	assert_has(t, " 80.0% \xc2\xb7 | 45.0% \xc2\xb7 | 4.5 d \xc2\xb7 | 10.0% \xc2\xb7 |"
		      " 1,234,567 \xc2\xb7 | 12 \xc2\xb7 |\n");
	/* Bob's name is escaped for Markdown and HTML; his flat trend has no
	 * p-value, so it shows as not significant. */
	assert_has(t, "| Bob \\| &lt;b&gt;Ray&lt;/b&gt; (R2) | 5/5 | 50.0% (9.0%\xe2\x80\x93"
		      "61.0%) \xe2\x86\x92 |");
	/* Di has no closed deal: win rate NULL -> em dash, two points only -> ·. */
	assert_has(t, "| Di Ng (R4) | 0/0 | \xe2\x80\x94 \xc2\xb7 |");
	/* East's median win rate of 0.30 and 0.50 is 0.40. */
	assert_has(t, "| *team median* | | 40.0% |");
	/* West's only value is NULL: the median is NULL too, not 0. */
	assert_has(t, "| *team median* | | \xe2\x80\x94 |");
	/* Cy left in January, before the period. */
	assert_false(strstr(t, "Cy Old"));
	assert_has(t, "1 rep who left before month 2026-09 is not shown.");
	free(t);
}

static void test_declines(void **state)
{
	struct fixture *f = *state;
	struct rw_err err;
	sqlite3 *db;
	char *t;

	assert_int_equal(render(f->db, "month", NULL, &t, &err), 0);
	assert_has(t, "## Significant declines");
	assert_has(t, "### Ann Lee (R1), East\n");
	/* Header: the six complete months, oldest first. */
	assert_has(t, "| metric | 2026-04 | 2026-05 | 2026-06 | 2026-07 | 2026-08 | 2026-09 |");
	/* The weighted slope -0.061 per month is -6.1 points; stored change
	 * -0.4.  No team finding for East: the team column is a dash (the
	 * report does not recompute a team's shift from its medians). */
	assert_has(t, "| win rate | 60.0% | 55.0% | 50.0% | 40.0% | 35.0% | 30.0% |"
		      " \xe2\x88\x92" "6.1 pts | 0.002 | \xe2\x88\x92" "40.0% |"
		      " \xe2\x80\x94 | from 2026-07 (\xe2\x88\x92" "20.0 pts) |");
	/* -19% against -40% is not comparable (margin 10 points). */
	assert_false(strstr(t, "team-wide"));
	/* A rise in revenue is not a decline; Bob is flat. */
	assert_false(strstr(t, "| revenue | 30,000"));
	assert_false(strstr(t, "### Bob"));
	free(t);

	/* Bob falls the same way and the run found East's shift (a
	 * team_findings row, the engine's one definition): the report names
	 * the team finding beside Ann's decline instead of judging it
	 * again: its stored change -0.4 from 2026-07. */
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	exec(db, "UPDATE rep_metrics SET win_rate = (SELECT m.win_rate FROM rep_metrics m"
		 " WHERE m.rep_id = 'R1' AND m.grain = rep_metrics.grain AND"
		 " m.period = rep_metrics.period) WHERE rep_id = 'R2'");
	exec(db, "UPDATE team_baselines SET median = (SELECT m.win_rate FROM rep_metrics m"
		 " WHERE m.rep_id = 'R1' AND m.grain = team_baselines.grain AND"
		 " m.period = team_baselines.period) WHERE team = 'East'");
	exec(db, "INSERT INTO team_findings(run_id, team, manager, grain, metric, since,"
		 " change, p, reps, reps_down) VALUES(1, 'East', 'Mia Boss',"
		 " 'month', 'win_rate', '2026-07', -0.4, 0.01, 2, 2)");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	assert_int_equal(render(f->db, "month", "East", &t, &err), 0);
	assert_has(t, " \xe2\x88\x92" "40.0% from 2026-07 | from 2026-07");
	assert_has(t, "the East team shifted on win rate from 2026-07 (2 of 2 reps): a team finding");
	/* --team East leaves West out. */
	assert_false(strstr(t, "Di Ng"));
	free(t);
}

static void test_errors(void **state)
{
	struct fixture *f = *state;
	struct rw_err err;
	char path[160];
	struct rw_store *st;
	char *t;

	/* No database: an error, and none is created by a report. */
	snprintf(path, sizeof(path), "%s/none.db", f->dir);
	assert_int_equal(render(path, "month", NULL, &t, &err), RW_EDB);
	assert_int_not_equal(access(path, F_OK), 0);
	free(t);
	/* No quarter rows: a clear refusal naming the grain. */
	assert_int_equal(render(f->db, "quarter", NULL, &t, &err), RW_EDB);
	assert_non_null(strstr(err.msg, "no complete quarter"));
	free(t);
	/* A database that never completed a run. */
	snprintf(path, sizeof(path), "%s/empty.db", f->dir);
	rw_err_clear(&err);
	assert_int_equal(rw_store_open(path, 1000, &st, &err), 0);
	rw_store_close(st);
	assert_int_equal(render(path, "month", NULL, &t, &err), RW_EDB);
	assert_non_null(strstr(err.msg, "no completed run"));
	free(t);
	unlink(path);
	assert_int_equal(rw_report_format_find("md"), RW_FMT_MD);
	assert_int_equal(rw_report_format_find("pdf"), -1);
}

static void test_out_of_memory(void **state)
{
	struct fixture *f = *state;
	struct rw_err err;
	int rc;
	char *t;

	/* Every allocation of the report's own fails in turn: an error, no
	 * leak (ASan), never a crash. */
	for (long n = 1; n < 40; n++) {
		rw_alloc_fail_after(n);
		rc = render(f->db, "month", NULL, &t, &err);
		rw_alloc_fail_after(0);
		assert_true(rc == 0 || rc == RW_ENOMEM);
		free(t);
	}
}

/* Names that attack each format are shown as text in every one of them. */
static void test_hostile_names(void **state)
{
	struct fixture *f = *state;
	struct rw_err err;
	sqlite3 *db;
	char *t;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	exec(db, "INSERT INTO reps(rep_id, name, team) VALUES"
		 " ('R5', '<img src=x onerror=alert(1)>', 'East'),"
		 " ('R6', '=HYPERLINK(\"http://x\")', 'East')");
	add_month(db, "R5", 5, 1, 1, 0.5, "NULL");
	add_month(db, "R6", 5, 1, 1, 0.5, "NULL");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	assert_int_equal(render_fmt(f->db, "month", NULL, RW_FMT_HTML, NULL, &t, &err), 0);
	assert_has(t, "&lt;img src=x onerror=alert(1)&gt;");
	assert_false(strstr(t, "<img"));
	assert_has(t, "=HYPERLINK(&quot;http://x&quot;)");
	/* Self-contained: a CSP forbidding remote loads, no script, no URL
	 * other than the SVG namespace and the escaped name's text. */
	assert_has(t, "Content-Security-Policy\" content=\"default-src 'none';");
	assert_false(strstr(t, "<script"));
	assert_false(strstr(t, "src=\"http"));
	assert_false(strstr(t, "href=\"http"));
	free(t);

	assert_int_equal(render_fmt(f->db, "month", NULL, RW_FMT_CSV, NULL, &t, &err), 0);
	/* RFC 4180 quoting with quotes doubled, and an apostrophe in front of
	 * the formula (OWASP CSV injection advice). */
	assert_has(t, "\r\nR6,\"'=HYPERLINK(\"\"http://x\"\")\",East,month,2026-09,0,win_rate,0.5,,\r\n");
	assert_has(t, "R5,<img src=x onerror=alert(1)>,East,month,");
	assert_true(!strncmp(t, "rep_id,name,team,grain,period,partial,metric,value,z,pct\r\n", 58));
	free(t);

	assert_int_equal(render_fmt(f->db, "month", NULL, RW_FMT_MD, NULL, &t, &err), 0);
	assert_has(t, "| &lt;img src=x onerror=alert(1)&gt; (R5) |");
	free(t);
}

/* The JSON report parses, and carries the numbers of the fixture. */
static void test_json_report(void **state)
{
	struct fixture *f = *state;
	struct rw_err err;
	json_t *root, *reps, *ann = NULL, *di = NULL;
	char *t;

	assert_int_equal(render_fmt(f->db, "month", NULL, RW_FMT_JSON, NULL, &t, &err), 0);
	root = parse_json(t);
	assert_string_equal(json_string_value(json_object_get(root, "format")), "repwatch-report");
	assert_string_equal(json_string_value(json_object_get(root, "period")), "2026-09");
	/* Six complete months, oldest first. */
	assert_int_equal(json_array_size(json_object_get(root, "periods")), 6);
	assert_string_equal(json_string_value(json_array_get(json_object_get(root, "periods"), 0)),
			    "2026-04");
	reps = json_object_get(root, "reps");
	assert_int_equal(json_array_size(reps), 3);	/* Cy left */
	for (size_t i = 0; i < json_array_size(reps); i++) {
		const char *id = json_string_value(json_object_get(json_array_get(reps, i), "rep_id"));

		if (!strcmp(id, "R1"))
			ann = json_array_get(reps, i);
		if (!strcmp(id, "R4"))
			di = json_array_get(reps, i);
	}
	assert_non_null(ann);
	assert_non_null(di);
	assert_float_equal(json_real_value(json_object_get(json_object_get(ann, "current"), "win_rate")),
			   0.30, 1e-9);
	assert_true(json_is_true(json_object_get(json_object_get(json_object_get(ann, "trends"),
								 "win_rate"), "declined")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(ann,
			    "trends"), "win_rate"), "cp_period")), "2026-07");
	assert_float_equal(json_real_value(json_array_get(json_object_get(json_object_get(ann,
			   "series"), "win_rate"), 0)), 0.60, 1e-9);
	/* NULL stays null, never 0 or NaN. */
	assert_true(json_is_null(json_object_get(json_object_get(di, "current"), "win_rate")));
	json_decref(root);
}

/*
 * The assessment of Ann: the declining win rate is the cause, starting
 * 2026-07; East's stored median for 2026-09 is 0.40, so the goal runs from
 * her baseline, the mean of her last three months (0.40 + 0.35 + 0.30) / 3
 * = 0.35, to 0.40 by 2026-10-31 + 90 days = 2027-01-29 (30 days to 11-30,
 * 61 to 12-31, 90 to 01-29).  Bob is flat and above the median: nothing
 * to propose.
 */
static void test_assess(void **state)
{
	struct fixture *f = *state;
	struct rw_err err;
	json_t *root, *goal;
	sqlite3 *db;
	char *t;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	exec(db, "UPDATE team_baselines SET median = 0.40, p25 = 0.35, p75 = 0.45"
		 " WHERE team = 'East' AND period = '2026-09'");
	/* Goals come from the causes behind a flag: Ann's win-rate flag. */
	exec(db, "INSERT INTO flags(run_id, rep_id, team, rule, category, severity, grain,"
		 " period, message, evidence) VALUES(1, 'R1', 'East', 'win_rate_decline',"
		 " 'pip_candidate', 'warning', 'month', '2026-09', 'Win rate down',"
		 " '{\"metrics\":[{\"metric\":\"win_rate\"}]}')");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	assert_int_equal(render_fmt(f->db, "month", NULL, RW_FMT_JSON, "R1", &t, &err), 0);
	root = parse_json(t);
	assert_string_equal(json_string_value(json_object_get(json_object_get(root, "inflection"),
							      "win_rate")), "2026-07");
	assert_true(json_is_null(json_object_get(json_object_get(root, "inflection"), "revenue")));
	assert_int_equal(json_array_size(json_object_get(root, "goals")), 1);
	goal = json_array_get(json_object_get(root, "goals"), 0);
	assert_string_equal(json_string_value(json_object_get(goal, "metric")), "win_rate");
	assert_float_equal(json_real_value(json_object_get(goal, "baseline")), 0.35, 1e-9);
	assert_float_equal(json_real_value(json_object_get(goal, "target")), 0.40, 1e-9);
	assert_string_equal(json_string_value(json_object_get(goal, "deadline")), "2027-01-29");
	/* Her own level before the 2026-07 inflection is (0.60 + 0.55 +
	 * 0.50) / 3 = 0.55; the team's p25 0.35 is no gain over 0.35, so the
	 * median 0.40 is the team's candidate, and the nearer one.  No cap:
	 * one 3+3-month window (04-06 vs 07-09) for each of Ann and Bob is
	 * under the 8 windows a cap needs. */
	assert_float_equal(json_real_value(json_object_get(goal, "own_level")), 0.55, 1e-9);
	assert_true(json_is_null(json_object_get(goal, "best_quarter_gain")));
	/* Checkpoints: 0.35 + 0.05 * day / 90 on days 30, 60, 90. */
	{
		static const char *const dates[] = { "2026-11-30", "2026-12-30", "2027-01-29" };
		json_t *cps = json_object_get(goal, "checkpoints");

		assert_int_equal(json_array_size(cps), 3);
		for (int i = 0; i < 3; i++) {
			json_t *c = json_array_get(cps, (size_t)i);

			assert_int_equal(json_integer_value(json_object_get(c, "day")), 30 * (i + 1));
			assert_string_equal(json_string_value(json_object_get(c, "date")), dates[i]);
			assert_float_equal(json_real_value(json_object_get(c, "target")),
					   0.35 + 0.05 * (i + 1) / 3.0, 1e-9);
		}
	}
	assert_true(json_is_false(json_object_get(root, "structural")));
	assert_true(json_is_false(json_object_get(root, "ramping")));
	assert_int_equal(json_array_size(json_object_get(root, "flags")), 1);
	assert_int_equal(json_array_size(json_object_get(root, "plans")), 0);
	json_decref(root);

	/* By full name, in Markdown. */
	assert_int_equal(render_fmt(f->db, "month", NULL, RW_FMT_MD, "ann lee", &t, &err), 0);
	assert_has(t, "# Performance assessment: Ann Lee (R1)");
	assert_has(t, "| win rate | 35.0% | 40.0% | 2027-01-29 | team p25\xe2\x80\x93median | `win_rate`, monthly |");
	assert_has(t, "| win rate | 36.7% | 38.3% | 40.0% |");	/* the checkpoints */
	free(t);
	assert_int_equal(render_fmt(f->db, "month", NULL, RW_FMT_MD, "R2", &t, &err), 0);
	assert_has(t, "nothing in the data calls for an improvement plan");
	free(t);
	assert_int_equal(render_fmt(f->db, "month", NULL, RW_FMT_MD, "R404", &t, &err), RW_EUSAGE);
	free(t);

	/* The HTML carries the verdict and the checkpoints too. */
	assert_int_equal(render_fmt(f->db, "month", NULL, RW_FMT_HTML, "R1", &t, &err), 0);
	assert_has(t, "<strong>Verdict.</strong> Not structural");
	assert_has(t, "<th>checkpoint day 60 (2026-12-30)</th>");
	assert_has(t, "<td class=\"checkpoint\">36.7%</td>");	/* 0.35 + 0.05 / 3 */
	free(t);

	/* Cy left on 2026-01-15: assessed on the history, labelled. */
	assert_int_equal(render_fmt(f->db, "month", NULL, RW_FMT_MD, "R3", &t, &err), 0);
	assert_has(t, "# Performance assessment: Cy Old (R3) \xe2\x80\x94 departed");
	assert_has(t, "None: the rep left on 2026-01-15");
	free(t);

	/* An open plan is shown, and no second one proposed. */
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	exec(db, "INSERT INTO plan_progress(run_id, plan_id, rep_id, metric, baseline, current,"
		 " target, progress, elapsed, projected, status) VALUES(1, 'P9', 'R1',"
		 " 'win_rate', 0.3, 0.32, 0.4, 0.2, 0.1, 0.33, 'on_track')");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	assert_int_equal(render_fmt(f->db, "month", NULL, RW_FMT_JSON, "R1", &t, &err), 0);
	root = parse_json(t);
	assert_int_equal(json_array_size(json_object_get(root, "goals")), 0);
	goal = json_array_get(json_object_get(root, "plans"), 0);
	assert_string_equal(json_string_value(json_object_get(goal, "plan_id")), "P9");
	assert_true(json_is_true(json_object_get(goal, "open")));
	json_decref(root);

	/* Bob hired 2026-09-01 ramps 90 days: until 2026-11-30 (29 days to
	 * 09-30, 31 more to 10-31, 30 more to 11-30); a flag does not make a
	 * ramping rep a plan's subject.  Recognised and out of ramp: a top
	 * performer gets none either. */
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	exec(db, "UPDATE reps SET hire_date = '2026-09-01' WHERE rep_id = 'R2'");
	exec(db, "INSERT INTO flags(run_id, rep_id, team, rule, category, severity, message,"
		 " evidence) VALUES(1, 'R2', 'East', 'x', 'pip_candidate', 'warning', 'm', '{}')");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	assert_int_equal(render_fmt(f->db, "month", NULL, RW_FMT_MD, "R2", &t, &err), 0);
	assert_has(t, "None: ramping until 2026-11-30");
	free(t);
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	exec(db, "UPDATE reps SET hire_date = '2020-01-01' WHERE rep_id = 'R2'");
	exec(db, "UPDATE flags SET category = 'recognition', severity = 'info' WHERE rep_id = 'R2'");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	assert_int_equal(render_fmt(f->db, "month", NULL, RW_FMT_MD, "R2", &t, &err), 0);
	assert_has(t, "None: a top performer");
	free(t);
}

/*
 * The report at a glance: a --team or --period that names nothing is a
 * usage error naming it; the team median row is the stored one even when
 * the reps shown would give another; a rep whose id is its name is shown
 * once; the team's manager is the one most of its reps name.
 */
static void test_glance(void **state)
{
	struct fixture *f = *state;
	struct rw_report_opts o;
	struct rw_err err;
	sqlite3 *db;
	size_t len;
	FILE *fp;
	char *t;

	assert_int_equal(render(f->db, "month", "Nope", &t, &err), RW_EUSAGE);
	assert_non_null(strstr(err.msg, "\"Nope\""));
	free(t);
	t = NULL;
	fp = open_memstream(&t, &len);
	assert_non_null(fp);
	rw_report_opts_default(&o);
	o.db_path = f->db;
	o.period = "1999-01";
	rw_err_clear(&err);
	assert_int_equal(rw_report_write(&o, fp, &err), RW_EUSAGE);
	assert_non_null(strstr(err.msg, "\"1999-01\""));
	assert_int_equal(fclose(fp), 0);
	free(t);

	/* Ann 0.30 and Bob 0.50 would give 0.40; the engine stored 0.33 (of
	 * its eligible reps), and that is the median shown. */
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	exec(db, "UPDATE team_baselines SET median = 0.33 WHERE team = 'East'"
		 " AND period = '2026-09' AND metric = 'win_rate'");
	exec(db, "INSERT INTO reps(rep_id, name, team, manager, hire_date) VALUES"
		 " ('Zed Same', 'Zed Same', 'East', 'Other Boss', '2024-01-01'),"
		 " ('R5', 'Yu Five', 'East', 'Other Boss', '2024-01-01'),"
		 " ('R6', 'Xi Six', 'East', 'Other Boss', '2024-01-01')");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	assert_int_equal(render(f->db, "month", NULL, &t, &err), 0);
	assert_has(t, "| *team median* | | 33.0% |");
	assert_has(t, "| Zed Same |");
	assert_false(strstr(t, "Zed Same (Zed Same)"));
	/* Three of East's five reps name Other Boss, two Mia Boss. */
	assert_has(t, "### East (manager: Other Boss)");
	free(t);
	assert_int_equal(render_fmt(f->db, "month", NULL, RW_FMT_HTML, NULL, &t, &err), 0);
	assert_has(t, ">Zed Same</a><");
	assert_false(strstr(t, "Zed Same (Zed Same)"));
	assert_has(t, ">Ann Lee</a> (R1)");
	assert_has(t, "<small>manager: Other Boss</small>");
	free(t);
}

/*
 * The cap, by hand, on a 30-day plan (one month after three): Ann's three
 * windows gain 0.40 - 0.55 = -0.15, 0.35 - (0.55 + 0.50 + 0.40) / 3 =
 * -0.1333 and 0.30 - (0.50 + 0.40 + 0.35) / 3 = -0.1167; Bob's 0, 0, 0;
 * Eve and Fay (0.30 three months, then 0.33) +0.03, +0.02, +0.01 each.
 * Twelve gains; type 7 at 0.75 x 11 = 8.25 between the 9th and 10th
 * smallest, both 0.02: the cap is 0.02.  Ann's baseline 0.35 would go to
 * the median 0.40; capped, to 0.37, by 2026-11-30 (as_of + 30), with
 * checkpoints on days 10, 20, 30: 0.35 + 0.02 x 10/30, 20/30, 1.
 */
static void test_assess_cap(void **state)
{
	static const double eve[] = { 0.30, 0.30, 0.30, 0.33, 0.33, 0.33, 0.33 };
	struct fixture *f = *state;
	struct rw_report_opts o;
	struct rw_err err;
	json_t *root, *goal, *cps;
	sqlite3 *db;
	char *t;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	exec(db, "UPDATE team_baselines SET median = 0.40, p25 = 0.35, p75 = 0.45"
		 " WHERE team = 'East' AND period = '2026-09'");
	exec(db, "INSERT INTO flags(run_id, rep_id, team, rule, category, severity, grain,"
		 " period, message, evidence) VALUES(1, 'R1', 'East', 'win_rate_decline',"
		 " 'pip_candidate', 'warning', 'month', '2026-09', 'Win rate down',"
		 " '{\"metrics\":[{\"metric\":\"win_rate\"}]}')");
	exec(db, "INSERT INTO reps(rep_id, name, team, manager, hire_date) VALUES"
		 " ('R7', 'Eve Up', 'East', 'Mia Boss', '2024-01-01'),"
		 " ('R8', 'Fay Up', 'East', 'Mia Boss', '2024-01-01')");
	for (int i = 0; i < 7; i++) {
		add_month(db, "R7", i, 3, 7, eve[i], "NULL");
		add_month(db, "R8", i, 3, 7, eve[i], "NULL");
	}
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	rw_report_opts_default(&o);
	o.db_path = f->db;
	o.format = RW_FMT_JSON;
	o.rep = "R1";
	o.plan_days = 30;
	assert_int_equal(render_opts(&o, &t, &err), 0);
	root = parse_json(t);
	goal = json_array_get(json_object_get(root, "goals"), 0);
	assert_non_null(goal);
	assert_float_equal(json_real_value(json_object_get(goal, "best_quarter_gain")), 0.02, 1e-9);
	assert_float_equal(json_real_value(json_object_get(goal, "target")), 0.37, 1e-9);
	assert_string_equal(json_string_value(json_object_get(goal, "deadline")), "2026-11-30");
	cps = json_object_get(goal, "checkpoints");
	for (int i = 0; i < 3; i++) {
		json_t *c = json_array_get(cps, (size_t)i);

		assert_int_equal(json_integer_value(json_object_get(c, "day")), 10 * (i + 1));
		assert_float_equal(json_real_value(json_object_get(c, "target")),
				   0.35 + 0.02 * (i + 1) / 3.0, 1e-9);
	}
	json_decref(root);
}

/*
 * Chart ticks never repeat a label.  Touch gaps 5.5, 6, 6.5, 7 d: range
 * 1.5, a third of it 0.5 is a step of 5 x 0.1, so the ticks run 5.5 to
 * 7.0 by 0.5; whole days would print "6 d" three times (printf rounds
 * 5.5 and 6.5 to even), one decimal prints each once.
 */
static void test_chart_ticks(void **state)
{
	static const double gap[] = { 5.5, 6.0, 6.5, 7.0 };
	struct rw_rseries s;
	struct rw_rrep p;
	double rep[RW_NKEYS * 4];
	char name[] = "Ann", id[] = "R1";
	char *t = NULL;
	size_t len;
	FILE *fp;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(&p, 0, sizeof(p));
	for (size_t i = 0; i < RW_NKEYS * 4; i++)
		rep[i] = NAN;
	memcpy(rep + RW_K_TOUCH_GAP * 4, gap, sizeof(gap));
	s.np = 4;
	for (int i = 0; i < 4; i++)
		snprintf(s.labels[i], sizeof(s.labels[i]), "2026-0%d", i + 1);
	s.rep = rep;
	p.name = name;
	p.id = id;
	fp = open_memstream(&t, &len);
	assert_non_null(fp);
	rw_html_chart(fp, &s, &p, 0, -1, RW_K_TOUCH_GAP);
	assert_int_equal(fclose(fp), 0);
	assert_has(t, ">5.5 d</text>");
	assert_has(t, ">6.0 d</text>");
	assert_has(t, ">6.5 d</text>");
	assert_has(t, ">7.0 d</text>");
	assert_false(strstr(t, ">6 d</text>"));
	free(t);
}

/*
 * The best quarter's gain, by hand.  One period before, one after
 * (base = len = 1), so each window's gain is v[t] - v[t-1]:
 * r0 0,1,3,6 -> 1,2,3; r1 10,10,9,9 -> 0,-1,0; r2 5,-,5,7 -> only 2
 * (the others touch the gap); r3 flat -> 0,0,0.  Ten gains; sorted
 * -1 0 0 0 0 0 1 2 2 3, R's quantile(x, 0.75) (type 7): position 6.75,
 * 1 + 0.75 * (2 - 1) = 1.75.  Lower-is-better negates them: sorted
 * -3 -2 -2 -1 0 0 0 0 0 1, position 6.75 gives 0.  Without r3 only 7
 * gains are left: under 8, no cap.
 */
static void test_best_quarter_gain(void **state)
{
	static const double r0[] = { 0, 1, 3, 6 }, r1[] = { 10, 10, 9, 9 };
	static const double r2[] = { 5, NAN, 5, 7 }, r3[] = { 2, 2, 2, 2 };
	const double *const ser[] = { r0, r1, r2, r3, NULL };

	(void)state;
	assert_float_equal(rw_best_quarter_gain(ser, 5, 4, 1, 1, 1), 1.75, 1e-12);
	assert_float_equal(rw_best_quarter_gain(ser, 5, 4, 1, 1, 0), 0.0, 1e-12);
	assert_true(isnan(rw_best_quarter_gain(ser, 3, 4, 1, 1, 1)));	/* 7 gains */
}

static void test_format(void **state)
{
	char s[64], t[128];
	struct rw_rflag f = { 0 };

	(void)state;
	rw_fmt_value(RW_K_MONEY, 1234567.4, s, sizeof(s));
	assert_string_equal(s, "1,234,567");
	rw_fmt_value(RW_K_MONEY, 999.5, s, sizeof(s));	/* rounds half to even: 1000 */
	assert_string_equal(s, "1,000");
	rw_fmt_value(RW_K_MONEY, -2500, s, sizeof(s));
	assert_string_equal(s, "-2,500");
	rw_fmt_value(RW_K_PCT, 0.375, s, sizeof(s));
	assert_string_equal(s, "37.5%");
	rw_fmt_value(RW_K_DAYS, NAN, s, sizeof(s));
	assert_string_equal(s, "\xe2\x80\x94");
	rw_fmt_change(-0.3524, s, sizeof(s));
	assert_string_equal(s, "\xe2\x88\x92" "35.2%");
	/* A flag's backtest record, as the sentence beside it reads. */
	f.bt_fired = -1;
	rw_fmt_track(&f, t, sizeof(t));
	assert_string_equal(t, "");
	f.bt_fired = 41;	/* 29 of 41 followed: 70.7%, lift 3.9 */
	f.bt_precision = 29.0 / 41;
	f.bt_lift = 3.9;
	rw_fmt_track(&f, t, sizeof(t));
	assert_string_equal(t, "backtest: 71% precision, 3.9\xc3\x97 lift over 41 firings");
	f.bt_fired = 1;
	f.bt_precision = 1;
	f.bt_lift = NAN;	/* no base rate: precision alone */
	rw_fmt_track(&f, t, sizeof(t));
	assert_string_equal(t, "backtest: 100% precision over 1 firing");
	f.bt_fired = 3;
	f.bt_precision = NAN;
	rw_fmt_track(&f, t, sizeof(t));
	assert_string_equal(t, "backtest: fired 3 times, outcomes not known yet");
	f.bt_fired = 0;
	rw_fmt_track(&f, t, sizeof(t));
	assert_string_equal(t, "backtest: never fired in the months replayed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_overview, setup, teardown),
		cmocka_unit_test_setup_teardown(test_declines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assess, setup, teardown),
		cmocka_unit_test(test_best_quarter_gain),
		cmocka_unit_test_setup_teardown(test_glance, setup, teardown),
		cmocka_unit_test(test_chart_ticks),
		cmocka_unit_test_setup_teardown(test_assess_cap, setup, teardown),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
