/*
 * cli.h - declarations shared by the command-line front end (cli/ only).
 *
 * cli/ is the only place that knows the order of the pipeline; the
 * modules it drives never call back into it.
 */
#ifndef RW_CLI_H
#define RW_CLI_H

#include "../common/common.h"
#include "../engine/engine.h"
#include "../ingest/ingest.h"
#include "../rules/rules.h"

/*
 * Exit codes of every command (SPEC section 7).  One table, documented in
 * README.md and in --help.
 */
enum rw_exit {
	RW_EXIT_OK = 0,		/* success */
	RW_EXIT_USAGE = 1,	/* usage or configuration error */
	RW_EXIT_INPUT = 2,	/* input rejected, nothing written */
	RW_EXIT_ALERT = 3,	/* success with new critical alerts (--fail-on-alert) */
	RW_EXIT_FAILURE = 4,	/* I/O, database or internal failure */
	RW_EXIT_BUSY = 5	/* the database is locked by another run */
};

/* Map an RW_E* code to the exit code above. */
int rw_exit_code(int code);

/* Everything a configuration file and the command line can set. */
struct rw_config {
	struct rw_settings settings;	/* engine settings */
	struct rw_ingest_opts ingest;	/* ingest options */
	double max_shrink;		/* SPEC max_shrink (0.5) */
	int busy_ms;			/* wait for another run's lock */
	char path[1024];		/* config file read, "" when none */
	char stage_order[4096];		/* settings.stage_order points here */
	struct rw_rules *rules;		/* [rule NAME] sections; NULL when none
					 * (the defaults apply); the owner
					 * frees it with rw_rules_free() */
	struct rw_rules_opts rules_opts;	/* repeat_days, notify_timeout_s */
};

/* Defaults of SPEC sections 2-4. */
void rw_config_default(struct rw_config *c);

/*
 * Read an INI file into *c (keys of the [repwatch] section, see
 * README.md).  Unknown sections or keys and bad values are errors naming
 * the file, the line and the key.  Returns 0 or RW_ECONFIG / RW_EIO.
 */
int rw_config_load(struct rw_config *c, const char *path, struct rw_err *err);

/* A whole number lo..hi in decimal, all of v, into *out: 0, or -1 when
 * v is not one (the caller names the option in its message). */
int rw_config_parse_int(const char *v, long lo, long hi, long *out);

/*
 * The per-input file options --reps FILE ... --plans FILE of run and
 * check: getopt value RW_OPT_INPUT + enum rw_input_file, so one test
 * files optarg into paths[], applied over the config's with
 * rw_config_overlay() once the config file is read.
 */
#define RW_OPT_INPUT 0x200
#define RW_OPT_INPUTS \
	{ "reps", required_argument, NULL, RW_OPT_INPUT + RW_IN_REPS }, \
	{ "opportunities", required_argument, NULL, RW_OPT_INPUT + RW_IN_OPPORTUNITIES }, \
	{ "targets", required_argument, NULL, RW_OPT_INPUT + RW_IN_TARGETS }, \
	{ "activities", required_argument, NULL, RW_OPT_INPUT + RW_IN_ACTIVITIES }, \
	{ "stage-history", required_argument, NULL, RW_OPT_INPUT + RW_IN_STAGE_HISTORY }, \
	{ "plans", required_argument, NULL, RW_OPT_INPUT + RW_IN_PLANS }

/* Whether opt is one of RW_OPT_INPUTS; then paths[its input] = arg. */
int rw_opt_input(int opt, const char *arg, const char **paths);

/*
 * What the command line says over the config file: --data DIR, --profile
 * NAME and the input paths (each NULL when not given; paths may be NULL).
 * 0, or RW_EUSAGE for a profile that does not exist.
 */
int rw_config_overlay(struct rw_config *c, const char *data, const char *profile,
		      const char *const *paths, struct rw_err *err);

/* The subcommands; each returns an exit code. */
int rw_cmd_run(int argc, char **argv);
int rw_cmd_check(int argc, char **argv);
int rw_cmd_report(int argc, char **argv);
int rw_cmd_alerts(int argc, char **argv);

/* The rules' part of `run` (cli/cmd_alerts.c). */
struct rw_store;
struct rw_alert_counts;
/* Load the default rules when the config has none, then compile them.
 * 0 or RW_ECONFIG naming the rule. */
int rw_run_rules_prepare(struct rw_config *c, struct rw_err *err);
/* Deliver the pending notifications (to alerts_path or stdout, then to the
 * notify command) and clear them; a failure is printed and leaves them
 * pending for the next run. */
void rw_run_deliver(struct rw_store *st, const char *alerts_path,
		    const char *notify, int timeout_s);
/* The summary line "flags N (...), alerts new N, resolved N". */
void rw_run_rules_summary(const struct rw_rules_out *out,
			  const struct rw_alert_counts *c);
int rw_cmd_assess(int argc, char **argv);
int rw_cmd_merge(int argc, char **argv);
int rw_cmd_backtest(int argc, char **argv);


/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into out. */
void rw_now_iso(char *out, size_t size);

/* What --notify's command is split on into its words (no shell). */
#define RW_NOTIFY_BLANKS " \t\n"

/*
 * Run the notifier command cmd (split on blanks into argv, no shell,
 * looked up in PATH) with text[0..len) on its standard input.  Returns 0
 * when it exited 0, or RW_EIO with what went wrong (could not start,
 * killed, exit status, or still running after timeout_s seconds, when it
 * is killed: a hanging notifier never holds up the nightly job).
 */
int rw_notify_run(const char *cmd, const char *text, size_t len, int timeout_s,
		  struct rw_err *err);

#endif
