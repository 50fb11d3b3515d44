/*
 * cmd_check.c - `repwatch check`: read the exports exactly as a run would and
 * say, for every CSV file, which input and profile it was taken for, which
 * columns were found and missed, how its slash dates are read, its row
 * counts and its first rejects; then compile every rule and evaluate it
 * on the data.  Nothing is written: no database, no rejects file.  Exit 0 when a run would read everything, 2 when it would
 * fail on the input, 1 for usage or configuration errors.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

static const char check_usage[] =
	"usage: repwatch check [options]\n"
	"\n"
	"Show how the exports would be read, and compile and evaluate every\n"
	"rule on them, without touching any database.\n"
	"\n"
	"  --data DIR            folder with the exports (default .)\n"
	"  --config FILE         INI configuration (see docs/inputs.md)\n"
	"  --profile NAME        force a profile (canonical, salesforce,\n"
	"                        salesforce-report, hubspot, pipedrive)\n"
	"  --reps FILE, --opportunities FILE, --targets FILE, --activities FILE,\n"
	"  --stage-history FILE, --plans FILE\n"
	"                        read that input from FILE\n"
	"  -h, --help            this text\n"
	"\n"
	"exit codes: 0 every file would be read; 1 usage or configuration error;\n"
	"2 a run would reject the input.\n";

enum {
	OPT_PROFILE = 256
};

static const struct option check_options[] = {
	{ "data", required_argument, NULL, 'd' },
	{ "config", required_argument, NULL, 'c' },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	RW_OPT_INPUTS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int check_parse_args(int argc, char **argv, struct rw_config *cfg,
			    struct rw_err *err)
{
	const char *paths[RW_NINPUTS] = { 0 };
	const char *data = NULL, *config = NULL, *profile = NULL;
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "d:c:h", check_options, NULL)) != -1) {
		switch (opt) {
		case 'd': data = optarg; break;
		case 'c': config = optarg; break;
		case 'h': fputs(check_usage, stdout); return -1;
		case OPT_PROFILE: profile = optarg; break;
		default:
			if (rw_opt_input(opt, optarg, paths))
				break;
			return rw_err_set(err, RW_EUSAGE, "check: unknown or incomplete option \"%s\" (see repwatch check --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return rw_err_set(err, RW_EUSAGE, "check: unexpected argument \"%s\"", argv[optind]);
	rw_config_default(cfg);
	if (config && rw_config_load(cfg, config, err))
		return err->code;
	if (rw_config_overlay(cfg, data, profile, paths, err))
		return err->code;
	cfg->ingest.rejects_path = NULL;
	cfg->ingest.show_progress = 0;
	return 0;
}

static void print_file(const struct rw_file_report *r)
{
	if (r->file < 0) {
		printf("%s\n  %s\n", r->path, r->note[0] ? r->note : "not read");
		return;
	}
	printf("%s\n  input:    %s\n", r->path, rw_input_name(r->file));
	if (!r->profile[0]) {
		printf("  not read (an earlier file failed, or its header did not map)\n");
		return;
	}
	printf("  profile:  %s (%s)\n", r->profile, r->note);
	printf("  columns:  %s\n", r->found);
	printf("  missing:  %s\n", r->missed[0] ? r->missed : "(none)");
	printf("  dates:    %s\n", r->dates[0] ? r->dates : "not read yet");
	printf("  rows:     %llu read, %llu rejected, %llu skipped\n",
	       (unsigned long long)r->rows_read, (unsigned long long)r->rows_rejected,
	       (unsigned long long)r->rows_skipped);
	for (int i = 0; i < r->nrejects; i++)
		printf("  %s %s\n", i ? "         " : "rejects: ", r->rejects[i]);
}

/* Did any file map to an input?  None: the export is of an unknown shape,
 * and the way forward is a config, not a fix of the data. */
static int any_matched(const struct rw_ingest_stats *stats)
{
	for (int i = 0; i < stats->nfiles; i++)
		if (stats->files[i].file >= 0)
			return 1;
	return 0;
}

/*
 * Compile every rule and evaluate it against the data, as the night would:
 * a rule that fails or exceeds its budget is found here, not at 2 a.m.
 */
static int check_rules(struct rw_config *cfg, struct rw_dataset *ds,
		       struct rw_err *err)
{
	struct rw_results *res = NULL;
	struct rw_rules_out *ro = NULL;
	int rc;

	rc = rw_run_rules_prepare(cfg, err);
	if (!rc)
		rc = rw_engine_compute(ds, &res, err);
	if (!rc)
		rc = rw_rules_evaluate(cfg->rules, &cfg->rules_opts, ds, res, &ro, err);
	if (!rc)
		printf("rules: %zu compiled and evaluated, %zu flags\n",
		       rw_rules_count(cfg->rules), ro->nflags);
	rw_rules_out_free(ro);
	rw_results_free(res);
	return rc;
}

int rw_cmd_check(int argc, char **argv)
{
	struct rw_config *cfg = NULL;
	struct rw_ingest_stats *stats = NULL;
	struct rw_dataset *ds = NULL;
	struct rw_err err;
	int rc;

	rw_err_clear(&err);
	cfg = rw_calloc(1, sizeof(*cfg));
	stats = rw_calloc(1, sizeof(*stats));
	if (!cfg || !stats) {
		rc = rw_err_set(&err, RW_ENOMEM, "out of memory");
		goto out;
	}
	rc = check_parse_args(argc, argv, cfg, &err);
	if (rc < 0) {
		rc = 0;
		goto out_free;
	}
	if (rc)
		goto out;
	ds = rw_dataset_new(&cfg->settings);
	if (!ds) {
		rc = rw_err_set(&err, RW_ENOMEM, "out of memory");
		goto out;
	}
	rc = rw_ingest_run(&cfg->ingest, ds, stats, &err);
	for (int i = 0; i < stats->nfiles; i++)
		print_file(&stats->files[i]);
	if (!rc)
		rc = check_rules(cfg, ds, &err);
	if (!rc) {
		printf("reps %zu, opportunities %zu, stage changes %zu, plan goals %zu, activities %llu",
		       ds->nreps, ds->nopps, ds->nstages, ds->nplans,
		       (unsigned long long)ds->activities);
		if (stats->base_currency[0])
			printf(", amounts in %s", stats->base_currency);
		printf("\nok: a run would read every file\n");
	}
out:
	if (rc) {
		rw_err_print(&err, stderr);
		if (rc == RW_EINPUT)
			fputs("repwatch: check: a run would reject this input\n", stderr);
		if (rc == RW_EINPUT && stats && !any_matched(stats))
			fputs("repwatch: check: no file here matches any profile's headers; "
			      "examples/ in the repwatch sources has configs that map other "
			      "exports' columns (examples/hubspot.ini, examples/pipedrive.ini, "
			      "examples/salesforce_powerbi.ini, examples/maven.ini): copy the "
			      "nearest and pass it with --config FILE\n", stderr);
	}
out_free:
	rw_dataset_free(ds);
	rw_free(stats);
	if (cfg)
		rw_rules_free(cfg->rules);
	rw_free(cfg);
	return rw_exit_code(rc);
}
