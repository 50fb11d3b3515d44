/*
 * cmd_alerts.c - `repwatch alerts`, and the rules' part of the nightly run:
 * compiling the rules at start-up, delivering the notifications after the
 * run's commit, and the summary line (SPEC sections 5-7).
 */
#include "cli.h"
#include "../store/store.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

static const char alerts_usage[] =
	"usage: repwatch alerts --db FILE [--state firing|resolved]\n"
	"\n"
	"List the alerts kept in the database, one per (rule, rep), as a\n"
	"tab-separated table: rule, rep_id, state, severity, category,\n"
	"first_seen, last_seen, last_notified, pending (1 when a notification\n"
	"waits for delivery), message.\n"
	"\n"
	"  --db FILE             SQLite database (default repwatch.db)\n"
	"  --state STATE         only the alerts in that state: firing or resolved\n"
	"  -h, --help            this text\n"
	"\n"
	"exit codes: 0 success; 1 usage error; 4 failure.\n";

int rw_cmd_alerts(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'b' },
		{ "state", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = "repwatch.db", *state = NULL;
	struct rw_err err;
	int opt, rc;

	rw_err_clear(&err);
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "b:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'b': db = optarg; break;
		case 's': state = optarg; break;
		case 'h': fputs(alerts_usage, stdout); return RW_EXIT_OK;
		default:
			fprintf(stderr, "repwatch: alerts: unknown or incomplete option \"%s\"\n", argv[optind - 1]);
			fputs(alerts_usage, stderr);
			return RW_EXIT_USAGE;
		}
	}
	if (optind < argc || (state && strcmp(state, "firing") && strcmp(state, "resolved"))) {
		fputs(alerts_usage, stderr);
		return RW_EXIT_USAGE;
	}
	rc = rw_store_list_alerts(db, state, stdout, &err);
	if (rc)
		rw_err_print(&err, stderr);
	return rw_exit_code(rc);
}

int rw_run_rules_prepare(struct rw_config *c, struct rw_err *err)
{
	int rc;

	if (!c->rules) {
		c->rules = rw_rules_new();
		if (!c->rules)
			return rw_err_set(err, RW_ENOMEM, "out of memory reading rules");
		rc = rw_rules_load_defaults(c->rules, err);
		if (rc)
			return rc;
	}
	rc = rw_rules_check_history(c->rules, c->settings.history_periods, err);
	if (!rc)
		rc = rw_rules_compile(c->rules, err);
	if (rc && c->path[0])
		rw_err_where(err, c->path, 0, 0);
	return rc;
}

/* Write the batch to path ("-" or NULL: standard output). */
static int deliver_file(const char *path, const char *text, size_t len,
			struct rw_err *err)
{
	FILE *fp = stdout;

	if (path && strcmp(path, "-")) {
		fp = fopen(path, "a");
		if (!fp)
			goto fail;
	}
	if (len && fwrite(text, 1, len, fp) != len)
		goto fail_close;
	if (fp == stdout ? fflush(fp) : fclose(fp))
		goto fail;
	return 0;
fail_close:
	if (fp != stdout)
		fclose(fp);
fail:
	rw_err_set(err, RW_EIO, "cannot write notifications: %s", strerror(errno));
	rw_err_where(err, path && strcmp(path, "-") ? path : "(stdout)", 0, 0);
	return RW_EIO;
}

void rw_run_deliver(struct rw_store *st, const char *alerts_path,
		    const char *notify, int timeout_s)
{
	struct rw_pending *p = NULL;
	struct rw_err err;
	const char *text;
	size_t len;
	int rc;

	rw_err_clear(&err);
	rc = rw_store_pending_get(st, &p, &err);
	if (rc)
		goto out;
	text = rw_pending_text(p, &len);
	if (!len)
		goto out;
	rc = deliver_file(alerts_path, text, len, &err);
	if (!rc && notify)
		rc = rw_notify_run(notify, text, len, timeout_s, &err);
	if (!rc)
		rc = rw_store_pending_clear(st, p, &err);
out:
	if (rc) {
		rw_err_print(&err, stderr);
		fputs("repwatch: the notifications stay pending and go out with the next run\n", stderr);
	}
	rw_pending_free(p);
}

void rw_run_rules_summary(const struct rw_rules_out *out,
			  const struct rw_alert_counts *c)
{
	size_t n = out ? out->nflags : 0;

	fprintf(stderr, "  flags %zu", n);
	for (int k = 0; out && k < RW_NCATS; k++)
		fprintf(stderr, "%s%s %zu", k ? ", " : " (", rw_category_name(k),
			out->per_category[k]);
	fprintf(stderr, "%s", out ? ")" : "");
	if (out && out->nteams) {
		size_t teams = 0;

		for (size_t i = 0; i < out->nteams; i++)
			teams += out->teams[i].notify;
		fprintf(stderr, ", team findings %zu on %zu team%s (%zu rep flags folded)",
			out->nteams, teams, teams == 1 ? "" : "s", out->folded);
	}
	fprintf(stderr, ", alerts new %zu, resolved %zu", c->new_alerts, c->resolved);
	if (c->escalated || c->repeated)
		fprintf(stderr, ", escalated %zu, repeated %zu", c->escalated, c->repeated);
	if (out && out->nplans)
		fprintf(stderr, ", plan goals scored %zu", out->nplans);
	fputc('\n', stderr);
}
