/*
 * run.c - the nightly pipeline: ingest -> engine -> store -> report.
 *
 * The order matters for SPEC's guarantee that a failed run leaves the
 * database exactly as it was: everything that can reject the input (ingest,
 * reject share, shrink check) happens before the run's transaction begins,
 * and the transaction commits only after every row is written.
 */
#include "cli.h"
#include "../reports/reports.h"
#include "../store/store.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char run_usage[] =
	"usage: repwatch run [options]\n"
	"\n"
	"Read the CRM exports, compute per-rep metrics and trends for weeks,\n"
	"months and quarters, and store them in the database in one transaction.\n"
	"\n"
	"  --data DIR            folder with the exports (default .)\n"
	"  --db FILE             SQLite database (default repwatch.db)\n"
	"  --config FILE         INI configuration (see README.md)\n"
	"  --profile NAME        read every export with this profile (canonical,\n"
	"                        salesforce, salesforce-report, hubspot, pipedrive)\n"
	"  --as-of YYYY-MM-DD    evaluation day (default today, UTC)\n"
	"  --report-dir DIR      also write the Markdown trend report there\n"
	"  --rejects FILE        rejected rows (default rejects.csv beside the db)\n"
	"  --reps FILE, --opportunities FILE, --targets FILE, --activities FILE\n"
	"                        read that input from FILE instead of DIR\n"
	"  --fail-on-alert       exit 3 when the run raises new critical alerts\n"
	"  --alerts FILE         append the notifications (NDJSON) to FILE\n"
	"                        instead of standard output\n"
	"  --notify CMD          also pipe them to CMD (split on blanks, no shell);\n"
	"                        on failure they stay pending for the next run\n"
	"  --shard I/N           only the teams whose name hashes to I mod N\n"
	"                        (combine the shards with repwatch merge)\n"
	"  -q, --quiet           no summary\n"
	"  -h, --help            this text\n"
	"\n"
	"exit codes: 0 success; 1 usage or configuration error; 2 input rejected\n"
	"(nothing written); 3 new critical alerts with --fail-on-alert; 4 other\n"
	"failure; 5 database locked by another run.\n";

struct run_args {
	struct rw_config cfg;
	const char *config_path;
	const char *db_path;
	const char *report_dir;
	char rejects[1024];
	int quiet;
	int fail_on_alert;
	const char *notify;		/* --notify CMD */
	const char *alerts_path;	/* --alerts FILE */
};

enum {
	OPT_REPS = 256, OPT_OPPS, OPT_TARGETS, OPT_ACTS, OPT_REJECTS,
	OPT_REPORT_DIR, OPT_AS_OF, OPT_FAIL_ON_ALERT, OPT_PROFILE,
	OPT_NOTIFY, OPT_ALERTS, OPT_SHARD
};

static const struct option run_options[] = {
	{ "data", required_argument, NULL, 'd' },
	{ "db", required_argument, NULL, 'b' },
	{ "config", required_argument, NULL, 'c' },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "as-of", required_argument, NULL, OPT_AS_OF },
	{ "report-dir", required_argument, NULL, OPT_REPORT_DIR },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "reps", required_argument, NULL, OPT_REPS },
	{ "opportunities", required_argument, NULL, OPT_OPPS },
	{ "targets", required_argument, NULL, OPT_TARGETS },
	{ "activities", required_argument, NULL, OPT_ACTS },
	{ "fail-on-alert", no_argument, NULL, OPT_FAIL_ON_ALERT },
	{ "notify", required_argument, NULL, OPT_NOTIFY },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "alerts", required_argument, NULL, OPT_ALERTS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/*
 * Two passes over argv: the config file first, so that options given on
 * the command line override what it says whatever their order.
 */
static int run_parse_args(int argc, char **argv, struct run_args *a,
			  struct rw_err *err)
{
	const char *paths[RW_NINPUTS] = { 0 };
	const char *as_of = NULL, *data = NULL, *rejects = NULL, *profile = NULL;
	const char *shard = NULL;
	int opt;

	a->db_path = "repwatch.db";
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "d:b:c:qh", run_options, NULL)) != -1) {
		switch (opt) {
		case 'd': data = optarg; break;
		case 'b': a->db_path = optarg; break;
		case 'c': a->config_path = optarg; break;
		case 'q': a->quiet = 1; break;
		case 'h': fputs(run_usage, stdout); return -1;
		case OPT_AS_OF: as_of = optarg; break;
		case OPT_REPORT_DIR: a->report_dir = optarg; break;
		case OPT_REJECTS: rejects = optarg; break;
		case OPT_PROFILE: profile = optarg; break;
		case OPT_REPS: paths[RW_IN_REPS] = optarg; break;
		case OPT_OPPS: paths[RW_IN_OPPORTUNITIES] = optarg; break;
		case OPT_TARGETS: paths[RW_IN_TARGETS] = optarg; break;
		case OPT_ACTS: paths[RW_IN_ACTIVITIES] = optarg; break;
		case OPT_FAIL_ON_ALERT: a->fail_on_alert = 1; break;
		case OPT_NOTIFY: a->notify = optarg; break;
		case OPT_ALERTS: a->alerts_path = optarg; break;
		case OPT_SHARD: shard = optarg; break;
		default:
			return rw_err_set(err, RW_EUSAGE, "run: unknown or incomplete option \"%s\" (see repwatch run --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return rw_err_set(err, RW_EUSAGE, "run: unexpected argument \"%s\"", argv[optind]);

	rw_config_default(&a->cfg);
	if (a->config_path && rw_config_load(&a->cfg, a->config_path, err))
		return err->code;
	if (as_of && rw_parse_iso_day(as_of, &a->cfg.settings.as_of))
		return rw_err_set(err, RW_EUSAGE, "--as-of: \"%s\" is not a date YYYY-MM-DD", as_of);
	if (shard) {
		unsigned long si, sn;
		char tail;

		if (sscanf(shard, "%lu/%lu%c", &si, &sn, &tail) != 2 || sn < 1 ||
		    sn > 100000 || si >= sn)
			return rw_err_set(err, RW_EUSAGE, "--shard: \"%s\" is not I/N with 0 <= I < N", shard);
		a->cfg.settings.shard_i = (uint32_t)si;
		a->cfg.settings.shard_n = (uint32_t)sn;
	}
	if (data)
		a->cfg.ingest.data_dir = data;
	if (profile && rw_ingest_config_key(&a->cfg.ingest, "repwatch", "profile", profile, 0, err))
		return rw_err_set(err, RW_EUSAGE, "--profile: \"%s\" is not a profile", profile);
	for (int f = 0; f < RW_NINPUTS; f++)
		if (paths[f])
			a->cfg.ingest.paths[f] = paths[f];
	if (rejects) {
		snprintf(a->rejects, sizeof(a->rejects), "%s", rejects);
	} else {
		char tmp[1024];

		snprintf(tmp, sizeof(tmp), "%s", a->db_path);
		snprintf(a->rejects, sizeof(a->rejects), "%s/rejects.csv", dirname(tmp));
	}
	a->cfg.ingest.rejects_path = a->rejects;
	a->cfg.ingest.show_progress = isatty(STDERR_FILENO);
	return 0;
}

/* SPEC section 2: a file whose row count fell by more than max_shrink
 * against the previous run fails the run before anything is written. */
static int run_check_shrink(struct rw_store *st, const struct rw_config *cfg,
			    const struct rw_ingest_stats *stats, struct rw_err *err)
{
	int64_t prev[RW_NINPUTS];
	int rc = rw_store_last_rows(st, prev, err);

	if (rc)
		return rc;
	for (int f = 0; f < RW_NINPUTS; f++) {
		const struct rw_input_stats *in = &stats->file[f];
		double floor;

		if (prev[f] <= 0 || !in->present)
			continue;
		floor = (double)prev[f] * (1.0 - cfg->max_shrink);
		if ((double)in->rows_read < floor) {
			rw_err_set(err, RW_EINPUT, "row count fell from %lld to %llu, by more than max_shrink %.0f%% against the previous run; nothing was written", (long long)prev[f], (unsigned long long)in->rows_read, cfg->max_shrink * 100);
			rw_err_where(err, in->path, 0, 0);
			return RW_EINPUT;
		}
	}
	return 0;
}

static int run_store(const struct run_args *a, const struct rw_dataset *ds,
		     const struct rw_results *res, const struct rw_ingest_stats *stats,
		     const struct rw_rules_out *ro, struct rw_alert_counts *ac,
		     const char *started, int64_t *run_id, struct rw_err *err)
{
	struct rw_store *st = NULL;
	struct rw_run_info info = { .as_of = a->cfg.settings.as_of,
				    .started = started, .inputs = stats };
	char finished[32];
	int rc;

	rc = rw_store_open(a->db_path, a->cfg.busy_ms, &st, err);
	if (rc)
		return rc;
	rc = run_check_shrink(st, &a->cfg, stats, err);
	if (rc)
		goto out_close;
	rc = rw_store_begin_run(st, &info, run_id, err);
	if (rc)
		goto out_close;
	rc = rw_store_write_results(st, ds, res, err);
	if (!rc)
		rc = rw_store_write_rules(st, ds, ro, err);
	if (!rc)
		rc = rw_store_update_alerts(st, ds, ro, a->cfg.rules_opts.repeat_days, ac, err);
	if (rc)
		goto out_rollback;
	rw_now_iso(finished, sizeof(finished));
	rc = rw_store_commit_run(st, *run_id, finished, err);
	if (rc)
		goto out_rollback;
	rw_run_deliver(st, a->alerts_path, a->notify, a->cfg.rules_opts.notify_timeout_s);
	goto out_close;

out_rollback:
	rw_store_rollback_run(st);
out_close:
	rw_store_close(st);
	return rc;
}

/* Write DIR/repwatch-report.md from the database; path into out. */
static int run_report(const struct run_args *a, char *out, size_t size,
		      struct rw_err *err)
{
	struct rw_report_opts ro;
	FILE *fp;
	int rc;

	if (mkdir(a->report_dir, 0777) && errno != EEXIST) {
		rw_err_set(err, RW_EIO, "cannot create report folder: %s", strerror(errno));
		rw_err_where(err, a->report_dir, 0, 0);
		return RW_EIO;
	}
	snprintf(out, size, "%s/repwatch-report.md", a->report_dir);
	fp = fopen(out, "w");
	if (!fp) {
		rw_err_set(err, RW_EIO, "cannot write report: %s", strerror(errno));
		rw_err_where(err, out, 0, 0);
		return RW_EIO;
	}
	rw_report_opts_default(&ro);
	ro.db_path = a->db_path;
	ro.format = RW_FMT_MD;
	rc = rw_report_write(&ro, fp, err);
	if (fclose(fp) && !rc) {
		rw_err_set(err, RW_EIO, "cannot write report: %s", strerror(errno));
		rw_err_where(err, out, 0, 0);
		rc = RW_EIO;
	}
	return rc;
}

static double elapsed_s(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void run_summary(const struct run_args *a, const struct rw_dataset *ds,
			const struct rw_ingest_stats *stats, int64_t run_id,
			double secs)
{
	char day[16];
	size_t unassigned = 0;

	for (size_t i = 0; i < ds->nreps; i++)
		unassigned += ds->reps[i].unassigned != 0;
	rw_format_day(a->cfg.settings.as_of, day, sizeof(day));
	fprintf(stderr, "repwatch: run %lld as of %s stored in %s (%.2f s)\n",
		(long long)run_id, day, a->db_path, secs);
	for (int f = 0; f < RW_NINPUTS; f++) {
		const struct rw_input_stats *in = &stats->file[f];

		if (!in->present)
			fprintf(stderr, "  %-18s absent\n", rw_input_name(f));
		else
			fprintf(stderr, "  %-18s %llu rows, %llu rejected\n", rw_input_name(f),
				(unsigned long long)in->rows_read,
				(unsigned long long)in->rows_rejected);
	}
	for (int i = 0; i < stats->nfiles; i++) {
		const struct rw_file_report *fr = &stats->files[i];

		if (fr->file >= 0)
			fprintf(stderr, "  read %s as %s with profile %s (%s)\n", fr->path,
				rw_input_name(fr->file), fr->profile, fr->note);
	}
	fprintf(stderr, "  reps %zu (%zu unassigned), opportunities %zu, activities folded %llu\n",
		ds->nreps, unassigned, ds->nopps, (unsigned long long)ds->activities);
	if (ds->settings.shard_n) {
		size_t mine = 0;

		for (size_t i = 0; i < ds->nreps; i++)
			mine += (size_t)rw_in_shard(&ds->settings, ds->reps[i].team);
		fprintf(stderr, "  shard %u/%u: %zu reps of its teams stored; %llu activities of other shards not folded\n",
			(unsigned)ds->settings.shard_i, (unsigned)ds->settings.shard_n, mine,
			(unsigned long long)ds->activities_other_shard);
	}
	fprintf(stderr, "  periods: %d weeks, %d months, %d quarters (last one partial)\n",
		ds->settings.history_periods + 1, ds->settings.history_periods + 1,
		ds->settings.history_periods + 1);
	for (int f = 0; f < RW_NINPUTS; f++)
		if (stats->file[f].rows_rejected) {
			fprintf(stderr, "  rejected rows: %s\n", a->rejects);
			break;
		}
	if (stats->unknown_owners)
		fprintf(stderr, "  owners not in reps.csv: %llu (deals kept under team (unassigned); %llu activities of owners without deals skipped)\n",
			(unsigned long long)stats->unknown_owners,
			(unsigned long long)stats->unknown_owner_acts);
	if (stats->duplicate_acts)
		fprintf(stderr, "  duplicate activities: %llu rows repeat an earlier activity_id with the same content (counted once)\n",
			(unsigned long long)stats->duplicate_acts);
	if (stats->unknown_opps)
		fprintf(stderr, "  activities naming an unknown deal: %llu (counted for the rep, not for any deal)\n",
			(unsigned long long)stats->unknown_opps);
}

int rw_cmd_run(int argc, char **argv)
{
	struct run_args a = { 0 };
	struct rw_ingest_stats stats;
	struct rw_dataset *ds = NULL;
	struct rw_results *res = NULL;
	struct rw_rules_out *ro = NULL;
	struct rw_alert_counts ac = { 0 };
	struct rw_err err;
	struct timespec t0;
	char started[32], report[1100];
	int64_t run_id = 0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rw_now_iso(started, sizeof(started));
	rw_err_clear(&err);
	memset(&stats, 0, sizeof(stats));
	rc = run_parse_args(argc, argv, &a, &err);
	if (rc < 0) {
		rw_rules_free(a.cfg.rules);
		return RW_EXIT_OK;	/* --help */
	}
	if (rc)
		goto out;
	rc = rw_run_rules_prepare(&a.cfg, &err);
	if (rc)
		goto out;
	ds = rw_dataset_new(&a.cfg.settings);
	if (!ds) {
		rc = rw_err_set(&err, RW_ENOMEM, "out of memory");
		goto out;
	}
	rc = rw_ingest_run(&a.cfg.ingest, ds, &stats, &err);
	if (rc)
		goto out;
	rc = rw_engine_compute(ds, &res, &err);
	if (rc)
		goto out;
	rc = rw_rules_evaluate(a.cfg.rules, &a.cfg.rules_opts, ds, res, &ro, &err);
	if (rc)
		goto out;
	rc = run_store(&a, ds, res, &stats, ro, &ac, started, &run_id, &err);
	if (rc)
		goto out;
	if (a.report_dir) {
		rc = run_report(&a, report, sizeof(report), &err);
		if (rc)
			goto out;
	}
	if (!a.quiet) {
		run_summary(&a, ds, &stats, run_id, elapsed_s(&t0));
		rw_run_rules_summary(ro, &ac);
		if (a.report_dir)
			fprintf(stderr, "  report: %s\n", report);
	}
out:
	if (rc) {
		rw_err_print(&err, stderr);
		if (rc == RW_EINPUT)
			fputs("repwatch: input rejected; the database was not changed\n", stderr);
	}
	rw_rules_out_free(ro);
	rw_rules_free(a.cfg.rules);
	rw_results_free(res);
	rw_dataset_free(ds);
	if (!rc && a.fail_on_alert && ac.new_critical)
		return RW_EXIT_ALERT;
	return rw_exit_code(rc);
}
