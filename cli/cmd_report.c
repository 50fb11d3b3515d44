/*
 * cmd_report.c - `repwatch report` and `repwatch assess`: documents written
 * from the database alone, of any earlier run.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../reports/reports.h"
#include "guard.h"

static const char report_usage[] =
	"usage: repwatch report [options]\n"
	"\n"
	"Write a trend report from the database (any earlier run).\n"
	"\n"
	"  --db FILE          SQLite database (default repwatch.db)\n"
	"  --format FMT       md, html, csv or json (default md)\n"
	"  --grain G          week, month or quarter (default month)\n"
	"  --team T           only this team\n"
	"  --period P         this period (label, e.g. 2026-09) instead of the\n"
	"                     latest complete one\n"
	"  --out PATH         write there instead of standard output (a regular\n"
	"                     file, never the database; written whole or not at all)\n"
	"  -h, --help         this text\n"
	"\n"
	"exit codes: 0 success; 1 usage error; 4 failure (no database, no run,\n"
	"write error).\n";

static const char assess_usage[] =
	"usage: repwatch assess REP [options]\n"
	"\n"
	"Write the data section of an improvement plan for REP (a rep_id or a\n"
	"full name): the latest complete period against the team, the history\n"
	"with the inflection period, the leading causes, whether the decline is\n"
	"team-wide, and proposed SMART goals.\n"
	"\n"
	"  --db FILE          SQLite database (default repwatch.db)\n"
	"  --format FMT       md, html or json (default md)\n"
	"  --grain G          week, month or quarter (default month)\n"
	"  --period P         assess as of this period instead of the latest\n"
	"  --plan-days N      goal deadline: N days after as_of (default 90)\n"
	"  --emit-plan FILE   also append the proposed goals and their 30/60/90-day\n"
	"                     checkpoints to FILE as plans.csv rows (header first\n"
	"                     when new), for the next run to score\n"
	"  --out PATH         write there instead of standard output (a regular\n"
	"                     file, never the database; written whole or not at all)\n"
	"  -h, --help         this text\n"
	"\n"
	"exit codes: 0 success; 1 usage error or unknown rep; 4 failure.\n";

enum { OPT_DB = 1, OPT_FORMAT, OPT_GRAIN, OPT_TEAM, OPT_PERIOD, OPT_OUT, OPT_DAYS,
       OPT_EMIT };

/* Options shared by both commands; returns -1 to go on, else an exit code. */
static int common_opt(const char *cmd, int opt, char **argv,
		      struct rw_report_opts *ro, const char **out, const char *usage)
{
	int fmt;
	long n;

	switch (opt) {
	case OPT_DB: ro->db_path = optarg; return -1;
	case OPT_TEAM: ro->team = optarg; return -1;
	case OPT_PERIOD: ro->period = optarg; return -1;
	case OPT_OUT: *out = optarg; return -1;
	case OPT_GRAIN:
		if (rw_grain_find(optarg) < 0) {
			fprintf(stderr, "repwatch: %s: --grain \"%s\" is not week, month or quarter\n",
				cmd, optarg);
			return RW_EXIT_USAGE;
		}
		ro->grain = optarg;
		return -1;
	case OPT_FORMAT:
		fmt = rw_report_format_find(optarg);
		if (fmt < 0) {
			fprintf(stderr, "repwatch: %s: unknown --format \"%s\" (md, html, csv, json)\n",
				cmd, optarg);
			return RW_EXIT_USAGE;
		}
		ro->format = (enum rw_report_format)fmt;
		return -1;
	case OPT_DAYS:
		if (rw_config_parse_int(optarg, 1, 3650, &n)) {
			fprintf(stderr, "repwatch: %s: --plan-days \"%s\" is not a number of days from 1 to 3650\n",
				cmd, optarg);
			return RW_EXIT_USAGE;
		}
		ro->plan_days = (int)n;
		return -1;
	case 'h':
		fputs(usage, stdout);
		return RW_EXIT_OK;
	default:
		fprintf(stderr, "repwatch: %s: unknown or incomplete option \"%s\" (see repwatch %s --help)\n",
			cmd, argv[optind - 1], cmd);
		return RW_EXIT_USAGE;
	}
}

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "grain", required_argument, NULL, OPT_GRAIN },
	{ "team", required_argument, NULL, OPT_TEAM },
	{ "period", required_argument, NULL, OPT_PERIOD },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "plan-days", required_argument, NULL, OPT_DAYS },
	{ "emit-plan", required_argument, NULL, OPT_EMIT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/*
 * Write the document to --out or standard output; returns an exit code.
 * --out may not be the database or one of its -wal/-shm/-journal files
 * (checked before anything is opened), and is written to a temporary file
 * renamed into place, so a failed write leaves the previous document.
 */
static int write_doc(const char *out, int (*fn)(const struct rw_report_opts *,
						FILE *, struct rw_err *),
		     const struct rw_report_opts *ro)
{
	struct rw_guard *g;
	struct rw_atomic at;
	struct rw_err err;
	int rc;

	rw_err_clear(&err);
	if (!out || !strcmp(out, "-")) {
		rc = fn(ro, stdout, &err);
		/* The writers know the stream, not its name. */
		if (rc == RW_EIO)
			rw_err_where(&err, "(standard output)", 0, 0);
		goto out;
	}
	g = rw_calloc(1, sizeof(*g));
	if (!g) {
		rc = rw_err_set(&err, RW_ENOMEM, "out of memory");
		goto out;
	}
	rw_guard_init(g);
	rc = rw_guard_add_db(g, ro->db_path, &err);
	if (!rc)
		rc = rw_guard_check(g, out, "--out", &err);
	rw_free(g);
	if (!rc)
		rc = rw_atomic_open(&at, out, &err);
	if (rc)
		goto out;
	rc = fn(ro, at.fp, &err);
	if (rc == RW_EIO)
		rw_err_where(&err, out, 0, 0);
	if (rc)
		rw_atomic_abort(&at);
	else
		rc = rw_atomic_commit(&at, &err);
out:
	if (rc)
		rw_err_print(&err, stderr);
	return rw_exit_code(rc);
}

/*
 * Parse the options of `report` or `assess` into *ro and *out; foreign is
 * the one option the command does not take.  Returns -1 to go on, else
 * the exit code (--help, a usage error).
 */
static int parse_doc_args(const char *cmd, int argc, char **argv, int foreign,
			  const char *usage, struct rw_report_opts *ro,
			  const char **out, const char **emit)
{
	int opt, rc;

	rw_report_opts_default(ro);
	*out = NULL;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (opt == foreign) {
			for (const struct option *o = long_opts; o->name; o++)
				if (o->val == foreign)
					fprintf(stderr, "repwatch: %s: --%s is not an option of %s "
						"(see repwatch %s --help)\n", cmd, o->name, cmd, cmd);
			return RW_EXIT_USAGE;
		}
		if (opt == OPT_EMIT && emit) {
			*emit = optarg;
			continue;
		}
		rc = common_opt(cmd, opt, argv, ro, out, usage);
		if (rc >= 0)
			return rc;
	}
	return -1;
}

int rw_cmd_report(int argc, char **argv)
{
	struct rw_report_opts ro;
	const char *out;
	int rc;

	/* --plan-days is an assessment option. */
	rc = parse_doc_args("report", argc, argv, OPT_DAYS, report_usage, &ro, &out, NULL);
	if (rc >= 0)
		return rc;
	if (optind < argc) {
		fprintf(stderr, "repwatch: report: unexpected argument \"%s\"\n", argv[optind]);
		return RW_EXIT_USAGE;
	}
	return write_doc(out, rw_report_write, &ro);
}

/*
 * Open --emit-plan FILE for appending (never the database nor --out's
 * target: checked as --out is).  Returns -1 to go on, else an exit code.
 */
static int open_plan_out(const char *path, const char *out, struct rw_report_opts *ro)
{
	struct rw_guard *g = rw_calloc(1, sizeof(*g));
	struct rw_err err;
	int rc;

	rw_err_clear(&err);
	if (!g) {
		rw_err_set(&err, RW_ENOMEM, "out of memory");
		rw_err_print(&err, stderr);
		return rw_exit_code(RW_ENOMEM);
	}
	rw_guard_init(g);
	rc = rw_guard_add_db(g, ro->db_path, &err);
	/* The document is renamed into place: appending to it would be lost. */
	if (!rc && out && strcmp(out, "-"))
		rc = rw_guard_add(g, out, &err);
	if (!rc)
		rc = rw_guard_check(g, path, "--emit-plan", &err);
	rw_free(g);
	if (rc) {
		rw_err_print(&err, stderr);
		return rw_exit_code(rc);
	}
	ro->plan_out = fopen(path, "a+");
	if (!ro->plan_out) {
		fprintf(stderr, "repwatch: assess: --emit-plan %s: %s\n", path, strerror(errno));
		return RW_EXIT_USAGE;
	}
	return -1;
}

int rw_cmd_assess(int argc, char **argv)
{
	struct rw_report_opts ro;
	const char *out, *emit = NULL;
	int rc;

	/* No --team: the rep's own team is used. */
	rc = parse_doc_args("assess", argc, argv, OPT_TEAM, assess_usage, &ro, &out, &emit);
	if (rc >= 0)
		return rc;
	if (optind != argc - 1) {
		fprintf(stderr, "repwatch: assess: name one rep (see repwatch assess --help)\n");
		return RW_EXIT_USAGE;
	}
	ro.rep = argv[optind];
	if (ro.format == RW_FMT_CSV) {
		fprintf(stderr, "repwatch: assess: --format is md, html or json\n");
		return RW_EXIT_USAGE;
	}
	if (emit) {
		rc = open_plan_out(emit, out, &ro);
		if (rc >= 0)
			return rc;
	}
	rc = write_doc(out, rw_assess_write, &ro);
	if (ro.plan_out && fclose(ro.plan_out) && rc == RW_EXIT_OK) {
		fprintf(stderr, "repwatch: assess: %s: cannot write: %s\n", emit, strerror(errno));
		rc = rw_exit_code(RW_EIO);
	}
	return rc;
}
