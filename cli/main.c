/* main.c - process setup, subcommand dispatch, exit codes.  No logic. */
#include "cli.h"

#include <gsl/gsl_errno.h>
#include <sqlite3.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RW_VERSION "0.1.0"

static const char usage[] =
	"usage: repwatch <command> [options]\n"
	"\n"
	"commands:\n"
	"  run       read the CRM exports, compute metrics and trends, store them\n"
	"  check     show how the exports would be read (profiles, columns,\n"
	"            date order, first rejects); touches no database\n"
	"  report    write a trend report from the database\n"
	"  alerts    list the alerts kept in the database\n"
	"  assess    write the data section of an improvement plan for one rep\n"
	"  merge     combine the databases of a run split with run --shard\n"
	"  backtest  replay past nights and measure how often each rule was right\n"
	"  help      show this text; 'repwatch <command> --help' for a command\n"
	"  version   print the version\n"
	"\n"
	"exit codes: 0 success; 1 usage or configuration error; 2 input rejected\n"
	"(nothing written); 3 new critical alerts with --fail-on-alert; 4 other\n"
	"failure (I/O, database); 5 database locked by another run.\n";

int rw_exit_code(int code)
{
	switch (code) {
	case RW_OK:
		return RW_EXIT_OK;
	case RW_EUSAGE:
	case RW_ECONFIG:
		return RW_EXIT_USAGE;
	case RW_EINPUT:
		return RW_EXIT_INPUT;
	case RW_EBUSY:
		return RW_EXIT_BUSY;
	default:
		return RW_EXIT_FAILURE;
	}
}

void rw_now_iso(char *out, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!gmtime_r(&now, &tm) || !strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, size, "unknown");
}

/* jq's habit: a write error on stdout is a failure, not silence. */
static int close_stdout(int rc)
{
	if (fflush(stdout) || ferror(stdout) || fclose(stdout)) {
		fprintf(stderr, "repwatch: error writing standard output\n");
		return rc ? rc : RW_EXIT_FAILURE;
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char *cmd;
	int rc;

	setlocale(LC_ALL, "C");
	gsl_set_error_handler_off();
	/* No memory statistics: SQLite would take a global mutex on every
	 * allocation to keep them, and repwatch never reads them.  Before
	 * SQLite initialises; a failure only leaves them on. */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (argc < 2) {
		fputs(usage, stderr);
		return RW_EXIT_USAGE;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "run"))
		rc = rw_cmd_run(argc - 1, argv + 1);
	else if (!strcmp(cmd, "check"))
		rc = rw_cmd_check(argc - 1, argv + 1);
	else if (!strcmp(cmd, "report"))
		rc = rw_cmd_report(argc - 1, argv + 1);
	else if (!strcmp(cmd, "alerts"))
		rc = rw_cmd_alerts(argc - 1, argv + 1);
	else if (!strcmp(cmd, "assess"))
		rc = rw_cmd_assess(argc - 1, argv + 1);
	else if (!strcmp(cmd, "merge"))
		rc = rw_cmd_merge(argc - 1, argv + 1);
	else if (!strcmp(cmd, "backtest"))
		rc = rw_cmd_backtest(argc - 1, argv + 1);
	else if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage, stdout);
		rc = RW_EXIT_OK;
	} else if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		puts("repwatch " RW_VERSION);
		rc = RW_EXIT_OK;
	} else {
		fprintf(stderr, "repwatch: unknown command \"%s\"\n", cmd);
		fputs(usage, stderr);
		rc = RW_EXIT_USAGE;
	}
	return close_stdout(rc);
}
