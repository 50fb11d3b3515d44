/*
 * cmd_backtest.c - `repwatch backtest`: every rule's track record on the
 * company's own history (docs/rules.md "Backtest").
 *
 * The exports are parsed once, into a master dataset whose activities are
 * also kept aside (ingest's on_activity hook).  Each replay point, the last
 * day of a month from --from to --to, gets its own dataset built from the
 * master as the exports would have read on that day: deals created after
 * it are absent (deals closed after it are open at it: the engine reads a
 * close after as_of as open), stage history and activities after it are
 * dropped, and owners known only from deals not created yet are absent.
 * Then the night is computed and judged exactly as `run` does.  A firing's
 * outcome is read from a last "truth" night on every day of the data.
 */
#include "backtest.h"
#include "guard.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char bt_usage[] =
	"usage: repwatch backtest --from YYYY-MM --to YYYY-MM [options]\n"
	"\n"
	"Replay the nightly evaluation at the end of every month from --from to\n"
	"--to with only the data known on that day, and measure how often each\n"
	"rule's firings were followed by what the rule foresees (docs/rules.md,\n"
	"\"Backtest\").  The exports are read once.\n"
	"\n"
	"  --data DIR            folder with the exports (default .)\n"
	"  --config FILE         INI configuration (the same as the nightly run's)\n"
	"  --profile NAME        read every export with this profile\n"
	"  --from YYYY-MM        first month replayed (at its last day)\n"
	"  --to YYYY-MM          last month replayed\n"
	"  --horizon N           periods of a rule's grain within which the\n"
	"                        outcome must follow (default 2)\n"
	"  --db FILE             also store the results in FILE (tables backtests,\n"
	"                        rule_backtest, projection_backtest)\n"
	"  --format FMT          md (default), html, json or csv\n"
	"  --out PATH            write the report there (default standard output)\n"
	"  --night-db FILE       also store the night replayed at the last point in\n"
	"                        FILE as `repwatch run --as-of` would (a new file)\n"
	"  --jobs N              replay N points at a time in N processes\n"
	"                        (default: the processors online, at most 4)\n"
	"  -q, --quiet           no progress, no summary\n"
	"  -h, --help            this text\n"
	"\n"
	"exit codes: 0 success; 1 usage or configuration error; 2 input rejected;\n"
	"4 other failure; 5 database locked by another run.\n";
enum {
	OPT_FROM = 256, OPT_TO, OPT_HORIZON, OPT_FORMAT, OPT_OUT, OPT_PROFILE,
	OPT_NIGHT_DB, OPT_JOBS
};

static const struct option bt_options[] = {
	{ "data", required_argument, NULL, 'd' },
	{ "db", required_argument, NULL, 'b' },
	{ "config", required_argument, NULL, 'c' },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "horizon", required_argument, NULL, OPT_HORIZON },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "night-db", required_argument, NULL, OPT_NIGHT_DB },
	{ "jobs", required_argument, NULL, OPT_JOBS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};
/* ---- Arguments ----------------------------------------------------------- */

/* "YYYY-MM" exactly, month 1-12, year 1900-2999, into a month index. */
static int bt_month_parse(const char *s, int32_t *m)
{
	int y, mo;

	if (strlen(s) != 7 || s[4] != '-')
		return -1;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = atoi(s);
	mo = atoi(s + 5);
	if (mo < 1 || mo > 12 || y < 1900 || y > 2999)
		return -1;
	*m = y * 12 + mo - 1;
	return 0;
}

/* Last day of month index m. */
static int32_t bt_month_last(int32_t m)
{
	return rw_period_end(RW_MONTH, m, 1) - 1;
}

void rw_bt_month_label(int32_t m, char *out, size_t size)
{
	rw_period_label(RW_MONTH, m, 1, out, size);
}

static int bt_parse_args(int argc, char **argv, struct bt_args *a,
			 struct rw_err *err)
{
	const char *from = NULL, *to = NULL, *data = NULL, *profile = NULL;
	const char *format = NULL, *horizon = NULL, *jobs = NULL;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int opt;

	opterr = 0;
	optind = 1;
	a->horizon = 2;
	while ((opt = getopt_long(argc, argv, "d:b:c:qh", bt_options, NULL)) != -1) {
		switch (opt) {
		case 'd': data = optarg; break;
		case 'b': a->db_path = optarg; break;
		case 'c': a->config_path = optarg; break;
		case 'q': a->quiet = 1; break;
		case 'h': fputs(bt_usage, stdout); return -1;
		case OPT_PROFILE: profile = optarg; break;
		case OPT_FROM: from = optarg; break;
		case OPT_TO: to = optarg; break;
		case OPT_HORIZON: horizon = optarg; break;
		case OPT_FORMAT: format = optarg; break;
		case OPT_OUT: a->out_path = optarg; break;
		case OPT_NIGHT_DB: a->night_db = optarg; break;
		case OPT_JOBS: jobs = optarg; break;
		default:
			return rw_err_set(err, RW_EUSAGE, "backtest: unknown or incomplete option \"%s\" (see repwatch backtest --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return rw_err_set(err, RW_EUSAGE, "backtest: unexpected argument \"%s\"", argv[optind]);
	{
		static const char *const names[] = { "--db", "--out", "--data", "--config", "--night-db" };
		const char *vals[] = { a->db_path, a->out_path, data, a->config_path, a->night_db };

		if (rw_guard_names(names, vals, sizeof(vals) / sizeof(vals[0]), err))
			return err->code;
	}
	if (!from)
		return rw_err_set(err, RW_EUSAGE, "--from: required (the first month, YYYY-MM)");
	if (!to)
		return rw_err_set(err, RW_EUSAGE, "--to: required (the last month, YYYY-MM)");
	if (bt_month_parse(from, &a->from_m))
		return rw_err_set(err, RW_EUSAGE, "--from: \"%s\" is not a month YYYY-MM", from);
	if (bt_month_parse(to, &a->to_m))
		return rw_err_set(err, RW_EUSAGE, "--to: \"%s\" is not a month YYYY-MM", to);
	if (a->from_m > a->to_m)
		return rw_err_set(err, RW_EUSAGE, "--from: %s is after --to %s", from, to);
	if (a->to_m - a->from_m >= 120)
		return rw_err_set(err, RW_EUSAGE, "--from: %s to %s is more than 120 months", from, to);
	if (horizon) {
		long h;

		if (rw_config_parse_int(horizon, 1, 12, &h))
			return rw_err_set(err, RW_EUSAGE, "--horizon: \"%s\" is not a whole number of periods from 1 to 12", horizon);
		a->horizon = (int)h;
	}
	a->jobs = ncpu < 1 ? 1 : ncpu > 4 ? 4 : (int)ncpu;
	if (jobs) {
		long j;

		if (rw_config_parse_int(jobs, 1, 8, &j))
			return rw_err_set(err, RW_EUSAGE, "--jobs: \"%s\" is not a whole number from 1 to 8", jobs);
		a->jobs = (int)j;
	}
	a->format = BT_MD;
	if (format) {
		if (!strcmp(format, "md"))
			a->format = BT_MD;
		else if (!strcmp(format, "html"))
			a->format = BT_HTML;
		else if (!strcmp(format, "json"))
			a->format = BT_JSON;
		else if (!strcmp(format, "csv"))
			a->format = BT_CSV;
		else
			return rw_err_set(err, RW_EUSAGE, "--format: \"%s\" is not one of md, html, json, csv", format);
	}
	rw_config_default(&a->cfg);
	if (a->config_path && rw_config_load(&a->cfg, a->config_path, err))
		return err->code;
	if (rw_config_overlay(&a->cfg, data, profile, NULL, err))
		return err->code;
	/* A backtest reads; its rejects are the nightly run's business. */
	a->cfg.ingest.rejects_path = NULL;
	a->cfg.ingest.show_progress = 0;
	/* Leading rules flag too, so that each gets a track record; the
	 * night stored with --night-db leaves them out again. */
	a->cfg.rules_opts.leading_flags = 1;
	return 0;
}

/* Refuse outputs that are the inputs or the configuration. */
static int bt_check_outputs(const struct bt_args *a, struct rw_err *err)
{
	struct rw_guard *g = rw_calloc(1, sizeof(*g));
	struct stat sb;
	int rc = 0;

	if (!g)
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	rw_guard_init(g);
	if (a->config_path)
		rc = rw_guard_add(g, a->config_path, err);
	for (int f = 0; !rc && f < RW_NINPUTS; f++) {
		char path[RW_GUARD_PATH];

		if (a->cfg.ingest.paths[f]) {
			rc = rw_guard_add(g, a->cfg.ingest.paths[f], err);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s",
			 a->cfg.ingest.data_dir ? a->cfg.ingest.data_dir : ".",
			 rw_input_name((enum rw_input_file)f));
		rc = rw_guard_add(g, path, err);
	}
	/* And whatever else of the folder ingest may read, as run protects. */
	if (!rc)
		rc = rw_guard_add_csv_dir(g, a->cfg.ingest.data_dir ? a->cfg.ingest.data_dir : ".",
					  NULL, NULL, err);
	if (!rc && a->db_path)
		rc = rw_guard_check(g, a->db_path, "--db", err);
	if (!rc && a->night_db)
		rc = rw_guard_check(g, a->night_db, "--night-db", err);
	if (!rc && a->db_path)
		rc = rw_guard_add_db(g, a->db_path, err);
	if (!rc && a->out_path)
		rc = rw_guard_check(g, a->out_path, "--out", err);
	rw_free(g);
	if (!rc && a->night_db && !lstat(a->night_db, &sb))
		rc = rw_err_set(err, RW_EUSAGE, "--night-db: %s exists; give a new file", a->night_db);
	return rc;
}
/* ---- The command ------------------------------------------------------ */

static void bt_free(struct bt_state *b)
{
	rw_dataset_free(b->master);
	rw_free(b->acts.v);
	rw_free(b->as_of);
	rw_free(b->lagging);
	rw_free(b->j);
	rw_free(b->perr);
	rw_free(b->pday);
	rw_bt_view_free(&b->truth);
	rw_results_free(b->truth_res);
	rw_memo_free(b->memo);
	rw_free(b->tracks);
	rw_free(b->notes);
}

/* The data's span, into *lo and *hi, against --from and --to: a replay
 * must have data on both sides of its points to mean anything. */
static int bt_check_span(const struct bt_state *b, int32_t *lo_out,
			 int32_t *hi_out, struct rw_err *err)
{
	const struct bt_args *a = b->a;
	char lo_s[16], hi_s[16], m[16];
	int32_t lo, hi;

	rw_bt_data_span(b, &lo, &hi);
	*lo_out = lo;
	*hi_out = hi;
	if (lo > hi)
		return rw_err_set(err, RW_EUSAGE, "--from: the exports hold no dated row to replay");
	rw_day_format(lo, lo_s, sizeof(lo_s));
	rw_day_format(hi, hi_s, sizeof(hi_s));
	if (bt_month_last(a->from_m) < lo) {
		rw_bt_month_label(a->from_m, m, sizeof(m));
		return rw_err_set(err, RW_EUSAGE, "--from: %s ends before the data begins (%s to %s)", m, lo_s, hi_s);
	}
	if (rw_period_start(RW_MONTH, a->to_m, 1) > hi) {
		rw_bt_month_label(a->to_m, m, sizeof(m));
		return rw_err_set(err, RW_EUSAGE, "--to: %s begins after the data ends (%s to %s)", m, lo_s, hi_s);
	}
	return 0;
}

int rw_cmd_backtest(int argc, char **argv)
{
	struct bt_args a = { 0 };
	struct bt_state b = { 0 };
	struct rw_ingest_stats stats;
	struct rw_err err;
	struct timespec t0, t1;
	char started[32];
	int32_t lo, hi;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rw_now_iso(started, sizeof(started));
	rw_err_clear(&err);
	memset(&stats, 0, sizeof(stats));
	b.a = &a;
	rc = bt_parse_args(argc, argv, &a, &err);
	if (rc < 0) {
		rw_rules_free(a.cfg.rules);
		return RW_EXIT_OK;
	}
	if (!rc)
		rc = rw_run_rules_prepare(&a.cfg, &err);
	if (!rc)
		rc = bt_check_outputs(&a, &err);
	if (rc)
		goto out;
	/* The master dataset as of the last point: deals created later are
	 * kept (the views drop them) and every activity reaches the hook. */
	a.cfg.settings.as_of = bt_month_last(a.to_m);
	a.cfg.ingest.on_activity = rw_bt_on_activity;
	a.cfg.ingest.on_activity_arg = &b.acts;
	b.master = rw_dataset_new(&a.cfg.settings);
	if (!b.master) {
		rc = rw_err_set(&err, RW_ENOMEM, "out of memory");
		goto out;
	}
	rc = rw_ingest_run(&a.cfg.ingest, b.master, &stats, &err);
	if (!rc && b.acts.oom)
		rc = rw_err_set(&err, RW_ENOMEM, "out of memory keeping the activities");
	if (!rc)
		rc = bt_check_span(&b, &lo, &hi, &err);
	if (rc)
		goto out;
	b.npoints = (int)(a.to_m - a.from_m + 1);
	b.as_of = rw_calloc((size_t)b.npoints, sizeof(int32_t));
	b.lagging = rw_calloc((size_t)b.npoints * (b.master->nreps + 1), 1);
	if (!b.as_of || !b.lagging) {
		rc = rw_err_set(&err, RW_ENOMEM, "out of memory");
		goto out;
	}
	for (int p = 0; p < b.npoints; p++)
		b.as_of[p] = bt_month_last(a.from_m + p);
	rc = rw_bt_truth(&b, hi > b.as_of[b.npoints - 1] ? hi : b.as_of[b.npoints - 1], &err);
	if (!rc)
		rc = rw_bt_replay(&b, a.jobs, &err);
	if (!rc && rw_bt_score(&b))
		rc = rw_err_set(&err, RW_ENOMEM, "out of memory");
	if (rc)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rc = rw_bt_output(&b, started, (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, &err);
out:
	if (rc)
		rw_err_print(&err, stderr);
	bt_free(&b);
	rw_rules_free(a.cfg.rules);
	return rw_exit_code(rc);
}
