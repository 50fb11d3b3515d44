/*
 * report.c - `repwatch report`: a report from the database alone, of any
 * earlier run.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../reports/reports.h"

static const char report_usage[] =
	"usage: repwatch report [options]\n"
	"\n"
	"Write a trend report from the database (any earlier run).\n"
	"\n"
	"  --db FILE          SQLite database (default repwatch.db)\n"
	"  --format FMT       md (default md)\n"
	"  --grain G          week, month or quarter (default month)\n"
	"  --team T           only this team\n"
	"  --out PATH         write there instead of standard output\n"
	"  -h, --help         this text\n"
	"\n"
	"exit codes: 0 success; 1 usage error; 4 failure (no database, no run,\n"
	"write error).\n";

int rw_cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "grain", required_argument, NULL, 'g' },
		{ "team", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rw_report_opts ro;
	struct rw_err err;
	const char *out = NULL;
	FILE *fp = stdout;
	int opt, fmt, rc;

	rw_err_clear(&err);
	rw_report_opts_default(&ro);
	ro.db_path = "repwatch.db";
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'b': ro.db_path = optarg; break;
		case 'g':
			if (rw_grain_find(optarg) < 0) {
				fprintf(stderr, "repwatch: report: --grain \"%s\" is not week, month or quarter\n", optarg);
				return RW_EXIT_USAGE;
			}
			ro.grain = optarg;
			break;
		case 't': ro.team = optarg; break;
		case 'o': out = optarg; break;
		case 'f':
			fmt = rw_report_format_find(optarg);
			if (fmt < 0) {
				fprintf(stderr, "repwatch: report: unknown --format \"%s\" (md)\n", optarg);
				return RW_EXIT_USAGE;
			}
			ro.format = (enum rw_report_format)fmt;
			break;
		case 'h': fputs(report_usage, stdout); return RW_EXIT_OK;
		default:
			fprintf(stderr, "repwatch: report: unknown or incomplete option \"%s\" (see repwatch report --help)\n", argv[optind - 1]);
			return RW_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "repwatch: report: unexpected argument \"%s\"\n", argv[optind]);
		return RW_EXIT_USAGE;
	}
	if (out) {
		fp = fopen(out, "w");
		if (!fp) {
			fprintf(stderr, "repwatch: %s: cannot write report: %s\n", out, strerror(errno));
			return RW_EXIT_FAILURE;
		}
	}
	rc = rw_report_write(&ro, fp, &err);
	if (out && fclose(fp) && !rc)
		rc = rw_err_set(&err, RW_EIO, "%s: cannot write report: %s", out, strerror(errno));
	if (rc)
		rw_err_print(&err, stderr);
	return rw_exit_code(rc);
}
