/*
 * cmd_run.c - the nightly pipeline: ingest -> engine -> store -> report.
 *
 * The order matters for SPEC's guarantee that a failed run leaves the
 * database exactly as it was: everything that can reject the input (ingest,
 * reject share, shrink check) happens before the run's transaction begins,
 * and the transaction commits only after every row is written.
 */
#include "cli.h"
#include "../reports/reports.h"
#include "../store/store.h"
#include "guard.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <string.h>
#include <strings.h>
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
	"  --allow-missing NAME  run without an input the previous run read\n"
	"                        (reps, opportunities, activities, stage_history,\n"
	"                        targets, plans); repeatable\n"
	"  --replay              store a run whose --as-of is earlier than the\n"
	"                        latest run's, as history only: no alert changes,\n"
	"                        no notifications, the latest results kept\n"
	"  --reps FILE, --opportunities FILE, --targets FILE, --activities FILE,\n"
	"  --stage-history FILE, --plans FILE\n"
	"                        read that input from FILE instead of DIR\n"
	"  Outputs (--rejects, --alerts, the report) are regular files and never\n"
	"  the database, its -wal/-shm/-journal or an input: such a run is refused.\n"
	"  --fail-on-alert       exit 3 when the run raises new critical alerts\n"
	"  --alerts FILE         append the notifications (NDJSON) to FILE\n"
	"                        instead of standard output\n"
	"  --notify CMD          also pipe them to CMD (split on blanks, no shell);\n"
	"                        on failure they stay pending for the next run\n"
	"  --threads N           threads parsing the activities (default 2; 1 reads\n"
	"                        them on one thread; more than 2 use 2)\n"
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
	unsigned allow_missing;		/* 1 << enum rw_input_file */
	int replay;			/* --replay */
	struct rw_store *st;		/* opened before ingest when the
					 * database exists, else NULL */
	char rejects_tmp[RW_GUARD_PATH];	/* what ingest writes */
};

enum {
	OPT_REJECTS = 256,
	OPT_REPORT_DIR, OPT_AS_OF, OPT_FAIL_ON_ALERT, OPT_PROFILE,
	OPT_NOTIFY, OPT_ALERTS, OPT_SHARD, OPT_ALLOW_MISSING, OPT_REPLAY, OPT_THREADS
};

static const struct option run_options[] = {
	{ "data", required_argument, NULL, 'd' },
	{ "db", required_argument, NULL, 'b' },
	{ "config", required_argument, NULL, 'c' },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "as-of", required_argument, NULL, OPT_AS_OF },
	{ "report-dir", required_argument, NULL, OPT_REPORT_DIR },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	RW_OPT_INPUTS,
	{ "fail-on-alert", no_argument, NULL, OPT_FAIL_ON_ALERT },
	{ "notify", required_argument, NULL, OPT_NOTIFY },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "alerts", required_argument, NULL, OPT_ALERTS },
	{ "allow-missing", required_argument, NULL, OPT_ALLOW_MISSING },
	{ "replay", no_argument, NULL, OPT_REPLAY },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* --allow-missing NAME: the input's canonical name without ".csv". */
static int run_allow_missing(struct run_args *a, const char *name,
			     struct rw_err *err)
{
	for (int f = 0; f < RW_NINPUTS; f++) {
		const char *full = rw_input_name((enum rw_input_file)f);
		size_t n = strlen(full) - 4;

		if (strlen(name) == n && !strncmp(name, full, n)) {
			a->allow_missing |= 1u << f;
			return 0;
		}
	}
	return rw_err_set(err, RW_EUSAGE, "--allow-missing: \"%s\" is not one of reps, opportunities, activities, stage_history, targets, plans", name);
}

/* Usage errors a run would only meet at its end (--notify "" used to be
 * found after the commit): refuse them before anything is read. */
static int run_check_usage(const struct run_args *a, const char *const *named,
			   struct rw_err *err)
{
	static const char *const opt[] = { "--db", "--rejects", "--alerts", "--report-dir", "--data", "--config" };

	if (rw_guard_names(opt, named, sizeof(opt) / sizeof(opt[0]), err))
		return err->code;
	/* Empty as delivery splits it, so it is refused before the run. */
	if (a->notify && !a->notify[strspn(a->notify, RW_NOTIFY_BLANKS)])
		return rw_err_set(err, RW_EUSAGE, "--notify: an empty command");
	return 0;
}

/*
 * Two passes over argv: the config file first, so that options given on
 * the command line override what it says whatever their order.
 */
static int run_parse_args(int argc, char **argv, struct run_args *a,
			  struct rw_err *err)
{
	const char *paths[RW_NINPUTS] = { 0 };
	const char *as_of = NULL, *data = NULL, *rejects = NULL, *profile = NULL;
	const char *shard = NULL, *threads = NULL;
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
		case OPT_FAIL_ON_ALERT: a->fail_on_alert = 1; break;
		case OPT_NOTIFY: a->notify = optarg; break;
		case OPT_ALERTS: a->alerts_path = optarg; break;
		case OPT_SHARD: shard = optarg; break;
		case OPT_REPLAY: a->replay = 1; break;
		case OPT_THREADS: threads = optarg; break;
		case OPT_ALLOW_MISSING:
			if (run_allow_missing(a, optarg, err))
				return err->code;
			break;
		default:
			if (rw_opt_input(opt, optarg, paths))
				break;
			return rw_err_set(err, RW_EUSAGE, "run: unknown or incomplete option \"%s\" (see repwatch run --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return rw_err_set(err, RW_EUSAGE, "run: unexpected argument \"%s\"", argv[optind]);
	{
		const char *named[] = { a->db_path, rejects, a->alerts_path, a->report_dir, data, a->config_path };

		if (run_check_usage(a, named, err))
			return err->code;
	}

	rw_config_default(&a->cfg);
	if (a->config_path && rw_config_load(&a->cfg, a->config_path, err))
		return err->code;
	if (as_of && rw_day_parse(as_of, &a->cfg.settings.as_of))
		return rw_err_set(err, RW_EUSAGE, "--as-of: \"%s\" is not a date YYYY-MM-DD", as_of);
	/* Periods, tenure and goal deadlines are computed from as_of; a
	 * year 0 or 9999 is a typo, and one beyond would overflow them. */
	if (as_of && (a->cfg.settings.as_of < rw_days_from_civil(1900, 1, 1) ||
		      a->cfg.settings.as_of > rw_days_from_civil(2999, 12, 31)))
		return rw_err_set(err, RW_EUSAGE, "--as-of: \"%s\" is outside 1900-01-01..2999-12-31", as_of);
	if (shard) {
		unsigned long si, sn;
		char tail;

		if (sscanf(shard, "%lu/%lu%c", &si, &sn, &tail) != 2 || sn < 1 ||
		    sn > 100000 || si >= sn)
			return rw_err_set(err, RW_EUSAGE, "--shard: \"%s\" is not I/N with 0 <= I < N", shard);
		a->cfg.settings.shard_i = (uint32_t)si;
		a->cfg.settings.shard_n = (uint32_t)sn;
	}
	if (threads) {
		long n;

		if (rw_config_parse_int(threads, 1, 1024, &n))
			return rw_err_set(err, RW_EUSAGE, "--threads: \"%s\" is not a number from 1 to 1024", threads);
		a->cfg.ingest.threads = (int)n;
	}
	if (rw_config_overlay(&a->cfg, data, profile, paths, err))
		return err->code;
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

/* ---- Guards before anything is written ---------------------------------- */

/* Whether path holds a rejects file of an earlier run (its header line):
 * then it is this run's to replace, not an input. */
static int run_is_old_rejects(const char *path)
{
	static const char header[] = "file,line,column,reason,record\n";
	char buf[sizeof(header)] = { 0 };
	struct stat sb;
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return 0;
	if (!fstat(fd, &sb) && S_ISREG(sb.st_mode))
		n = read(fd, buf, sizeof(header) - 1);
	close(fd);
	return n == (ssize_t)sizeof(header) - 1 && !memcmp(buf, header, (size_t)n);
}

/*
 * The files a run must never write: the database and its companions, the
 * configuration, the inputs named on the command line and every CSV file
 * of the data folder (which ingest may read), except an earlier rejects
 * file at the --rejects destination.
 */
/* The CSV file of the folder to leave writable: an earlier rejects file at
 * the --rejects destination (one: a guard holding only that path). */
static int run_keep_rejects(const char *path, void *one)
{
	return rw_guard_check(one, path, "", NULL) && run_is_old_rejects(path);
}

static int run_protect(const struct run_args *a, struct rw_guard *g,
		       struct rw_err *err)
{
	struct rw_guard *one;
	int rc;

	rc = rw_guard_add_db(g, a->db_path, err);
	if (!rc && a->config_path)
		rc = rw_guard_add(g, a->config_path, err);
	for (int f = 0; !rc && f < RW_NINPUTS; f++)
		if (a->cfg.ingest.paths[f])
			rc = rw_guard_add(g, a->cfg.ingest.paths[f], err);
	if (rc)
		return rc;
	one = rw_calloc(1, sizeof(*one));
	if (!one)
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	rw_guard_init(one);
	rc = rw_guard_add(one, a->rejects, err);
	if (!rc)
		rc = rw_guard_add_csv_dir(g, a->cfg.ingest.data_dir ? a->cfg.ingest.data_dir : ".",
					  run_keep_rejects, one, err);
	rw_free(one);
	return rc;
}

/* Refuse any output that is a protected file, before any is opened. */
static int run_check_outputs(struct run_args *a, struct rw_err *err)
{
	struct rw_guard *g = rw_calloc(1, sizeof(*g));
	char report[RW_GUARD_PATH];
	int rc;

	if (!g)
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	rw_guard_init(g);
	rc = run_protect(a, g, err);
	if (!rc)
		rc = rw_guard_check(g, a->rejects, "--rejects", err);
	if (!rc && a->alerts_path)
		rc = rw_guard_check(g, a->alerts_path, "--alerts", err);
	if (!rc && a->report_dir) {
		snprintf(report, sizeof(report), "%s/repwatch-report.md", a->report_dir);
		rc = rw_guard_check(g, report, "the report of --report-dir", err);
	}
	rw_free(g);
	return rc;
}

/*
 * With a database that already exists, open it before reading anything:
 * a foreign database is refused untouched (rw_store_open), and an --as-of
 * earlier than the latest run's needs --replay (a run of an old night
 * would otherwise rewrite the current alert state backwards).
 */
static int run_open_existing(struct run_args *a, struct rw_err *err)
{
	struct rw_last_run last;
	struct stat sb;
	int32_t latest;
	char day[16];
	int rc;

	if (stat(a->db_path, &sb))
		return 0;
	rc = rw_store_open(a->db_path, a->cfg.busy_ms, &a->st, err);
	if (rc)
		return rc;
	rc = rw_store_last_run(a->st, &last, err);
	if (rc || !last.run_id || rw_day_parse(last.as_of, &latest))
		return rc;
	if (a->cfg.settings.as_of < latest && !a->replay) {
		rw_day_format(a->cfg.settings.as_of, day, sizeof(day));
		rw_err_set(err, RW_EUSAGE, "--as-of %s is earlier than %s, the as_of of run %lld, the latest; pass --replay to store it as history without touching alerts", day, last.as_of, (long long)last.run_id);
		rw_err_where(err, a->db_path, 0, 0);
		return RW_EUSAGE;
	}
	return 0;
}

/*
 * An input the previous run read and this one lacks would silently resolve
 * every alert that depends on it (issue: a night without reps.csv sent all
 * its alerts out as resolved).  Refuse unless --allow-missing names it.
 */
static int run_check_missing(struct rw_store *st, const struct run_args *a,
			     const struct rw_ingest_stats *stats, struct rw_err *err)
{
	struct rw_last_run last;
	int rc = rw_store_last_run(st, &last, err);

	if (rc)
		return rc;
	for (int f = 0; f < RW_NINPUTS; f++) {
		const char *name = rw_input_name((enum rw_input_file)f);

		if (!last.present[f] || stats->file[f].present || (a->allow_missing & (1u << f)))
			continue;
		return rw_err_set(err, RW_EINPUT, "%s was read by run %lld on %s and is missing tonight; pass --allow-missing %.*s to run without it", name, (long long)last.run_id, last.as_of, (int)strlen(name) - 4, name);
	}
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

static int run_store(struct run_args *a, const struct rw_dataset *ds,
		     const struct rw_results *res, const struct rw_ingest_stats *stats,
		     const struct rw_rules_out *ro, struct rw_alert_counts *ac,
		     const char *started, int64_t *run_id, struct rw_err *err)
{
	struct rw_store *st = NULL;
	struct rw_run_info info = { .as_of = a->cfg.settings.as_of,
				    .started = started, .inputs = stats->file };
	char finished[32];
	int rc;

	if (a->st) {
		st = a->st;
	} else {
		rc = rw_store_open(a->db_path, a->cfg.busy_ms, &st, err);
		if (rc)
			return rc;
	}
	rc = run_check_shrink(st, &a->cfg, stats, err);
	if (!rc)
		rc = run_check_missing(st, a, stats, err);
	if (rc)
		goto out_close;
	rc = rw_store_begin_run(st, &info, run_id, err);
	if (rc)
		goto out_close;
	/* A replay keeps the latest night's results and alert state: it
	 * adds its runs, run_inputs, flags and plan_progress rows only. */
	rc = a->replay ? 0 : rw_store_write_results(st, ds, res, err);
	if (!rc)
		rc = rw_store_write_rules(st, ds, ro, err);
	if (!rc && !a->replay)
		rc = rw_store_update_alerts(st, ds, ro, a->cfg.rules_opts.repeat_days, ac, err);
	if (rc)
		goto out_rollback;
	rw_now_iso(finished, sizeof(finished));
	rc = a->replay ? rw_store_commit_replay(st, *run_id, finished, err)
		: rw_store_commit_run(st, *run_id, finished, err);
	if (rc)
		goto out_rollback;
	if (!a->replay)
		rw_run_deliver(st, a->alerts_path, a->notify, a->cfg.rules_opts.notify_timeout_s);
	goto out_close;

out_rollback:
	rw_store_rollback_run(st);
out_close:
	rw_store_close(st);
	if (st == a->st)
		a->st = NULL;
	return rc;
}

/* Replace every occurrence of from in s (of size bytes) by to. */
static void run_subst(char *s, size_t size, const char *from, const char *to)
{
	char out[1024], *p;
	size_t flen = strlen(from);

	if (!flen || size > sizeof(out))
		return;
	while ((p = strstr(s, from))) {
		snprintf(out, sizeof(out), "%.*s%s%s", (int)(p - s), s, to, p + flen);
		memcpy(s, out, size - 1);
		s[size - 1] = 0;
		if (strstr(to, from))
			break;
	}
}

/*
 * Ingest with the rejects written to a temporary file beside --rejects,
 * renamed into place when ingest is done (its rejects explain a refused
 * input too), so that an I/O failure leaves the previous rejects file and
 * a symlink at the destination is replaced, not followed.  Messages name
 * the destination, never the temporary file.
 */
static int run_ingest(struct run_args *a, struct rw_dataset *ds,
		      struct rw_ingest_stats *stats, struct rw_err *err)
{
	struct rw_atomic at;
	int rc;

	rc = rw_atomic_open(&at, a->rejects, err);
	if (rc)
		return rc;
	/* ingest opens the file by name; this stream is not used. */
	snprintf(a->rejects_tmp, sizeof(a->rejects_tmp), "%s", at.tmp);
	a->cfg.ingest.rejects_path = a->rejects_tmp;
	rc = rw_ingest_run(&a->cfg.ingest, ds, stats, err);
	a->cfg.ingest.rejects_path = a->rejects;
	if (rc && rc != RW_EINPUT) {
		rw_atomic_abort(&at);
	} else if (rw_atomic_commit(&at, rc ? NULL : err)) {
		rc = rc ? rc : RW_EIO;
	}
	if (err->code) {
		run_subst(err->file, sizeof(err->file), a->rejects_tmp, a->rejects);
		run_subst(err->msg, sizeof(err->msg), a->rejects_tmp, a->rejects);
	}
	return rc;
}

/* Write DIR/repwatch-report.md from the database; path into out. */
static int run_report(const struct run_args *a, char *out, size_t size,
		      struct rw_err *err)
{
	struct rw_report_opts ro;
	struct rw_atomic at;
	int rc;

	if (mkdir(a->report_dir, 0777) && errno != EEXIST) {
		rw_err_set(err, RW_EIO, "cannot create the report folder: %s", strerror(errno));
		rw_err_where(err, a->report_dir, 0, 0);
		return RW_EIO;
	}
	snprintf(out, size, "%s/repwatch-report.md", a->report_dir);
	rc = rw_atomic_open(&at, out, err);
	if (rc)
		return rc;
	rw_report_opts_default(&ro);
	ro.db_path = a->db_path;
	ro.format = RW_FMT_MD;
	rc = rw_report_write(&ro, at.fp, err);
	if (rc == RW_EIO)
		rw_err_where(err, out, 0, 0);
	if (rc) {
		rw_atomic_abort(&at);
		return rc;
	}
	return rw_atomic_commit(&at, err);
}

static double elapsed_s(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Exports that stop short of as_of speak for no day after them: the
 * engine leaves those periods empty (docs/inputs.md), and the scheduler's
 * log, quiet or not, says why a night has nothing to say.
 */
static void warn_spans(const struct rw_dataset *ds)
{
	int32_t as_of = ds->settings.as_of;
	struct rw_span sp;
	char d0[16], d1[16], d2[16];

	rw_day_format(as_of, d2, sizeof(d2));
	rw_dataset_deals_span(ds, &sp);
	if (sp.last == RW_NODAY) {
		fprintf(stderr, "repwatch: warning: opportunities.csv has no deal created by %s: no period has metrics\n",
			d2);
	} else if (!rw_span_reaches(&sp, as_of)) {
		rw_day_format(sp.last, d1, sizeof(d1));
		fprintf(stderr, "repwatch: warning: opportunities.csv has nothing newer than %s, %lld days before as_of %s: the periods after it have no metrics (a stale export? --as-of sets the day a run speaks for)\n",
			d1, (long long)as_of - sp.last, d2);
	}
	if (!ds->activities_given)
		return;
	rw_dataset_activities_span(ds, &sp);
	if (sp.last == RW_NODAY) {
		fprintf(stderr, "repwatch: warning: activities.csv has no activity by %s: activity metrics are left empty\n",
			d2);
	} else if (!rw_span_reaches(&sp, as_of)) {
		rw_day_format(sp.first, d0, sizeof(d0));
		rw_day_format(sp.last, d1, sizeof(d1));
		fprintf(stderr, "repwatch: warning: activities.csv spans %s..%s, short of as_of %s: activity metrics of the periods it does not cover are left empty\n",
			d0, d1, d2);
	}
}

static void run_summary(const struct run_args *a, const struct rw_dataset *ds,
			const struct rw_ingest_stats *stats, int64_t run_id,
			double secs)
{
	char day[16];
	size_t unassigned = 0;

	for (size_t i = 0; i < ds->nreps; i++)
		unassigned += ds->reps[i].unassigned != 0;
	rw_day_format(a->cfg.settings.as_of, day, sizeof(day));
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
	if (!rc)
		rc = run_check_outputs(&a, &err);
	if (!rc)
		rc = run_open_existing(&a, &err);
	if (rc)
		goto out;
	ds = rw_dataset_new(&a.cfg.settings);
	if (!ds) {
		rc = rw_err_set(&err, RW_ENOMEM, "out of memory");
		goto out;
	}
	rc = run_ingest(&a, ds, &stats, &err);
	if (rc)
		goto out;
	warn_spans(ds);
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
	rw_store_close(a.st);
	rw_rules_out_free(ro);
	rw_rules_free(a.cfg.rules);
	rw_results_free(res);
	rw_dataset_free(ds);
	if (!rc && a.fail_on_alert && ac.new_critical)
		return RW_EXIT_ALERT;
	return rw_exit_code(rc);
}
