/*
 * generator.c - rwgen: writes a seeded, reproducible sample CRM export
 * (reps.csv, opportunities.csv, targets.csv, activities.csv in the canonical
 * layout of SPEC section 2) with a few performance patterns planted in it.
 *
 * Standalone on purpose: it links only libm and shares no code with the
 * library, so the data it writes is an independent check of the engine.
 * The same seed and options give byte-identical files: every random draw
 * comes from our own xoshiro256** streams (never rand()), one stream per rep
 * and per opportunity, so what one rep or deal gets does not depend on how
 * many draws another one made.
 *
 * Memory grows with reps and opportunities only.  Activities are streamed:
 * per rep, the touches on its deals (bounded by its deals) are collected and
 * sorted, and the unlinked calls and e-mails are drawn day by day as they
 * are written, so --activities 10000000 runs in the same memory as the default.
 *
 * Planted patterns (dates relative to the month M of --end; sample-data/
 * README.md lists them with what the metrics show):
 *   East       one rep declines from M-4: win rate to a third, follow-ups
 *              to ~30%, touch gaps 2-3 times longer;
 *   West       every rep's win rate x0.6 from M-4 (a market shift);
 *   Central    one rep neglects open deals from M-4 (stale pipeline);
 *   SMB        a new hire 45 days before --end; a rep who left in M-6;
 *   Enterprise one rep whose win rate and deal size rise from M-6 on.
 */
#include "generator.h"

static const char *const scen_names[NSCEN] = {
	"sample", "null", "decline", "team_drop", "new_hire", "departed",
	"low_volume", "improver"
};

/* ------------------------------------------------------------------ */
/* Command line. */

static void usage(FILE *f)
{
	fputs("usage: rwgen [--seed N] [--out DIR] [--end YYYY-MM-DD] [--months N]\n"
	      "             [--reps N] [--activities N] [--scenario NAME] [--deals-only]\n"
	      "             [--help]\n"
	      "Writes DIR/reps.csv, opportunities.csv, targets.csv and activities.csv:\n"
	      "a reproducible sample CRM export with planted performance patterns.\n"
	      "  --seed N        random seed (default 42); same seed, same bytes\n"
	      "  --out DIR       output directory, created if missing (default .)\n"
	      "  --end DATE      last day of the data (default 2026-10-31)\n"
	      "  --months N      calendar months of history up to --end (default 24)\n"
	      "  --reps N        reps, 15..100000, in 5 teams (default 40)\n"
	      "  --activities N  total activity rows (default 76000); at least the\n"
	      "                  touches the deals need, the rest unlinked calls/e-mails\n"
	      "  --scenario NAME  plant one pattern at random places instead of the\n"
	      "                  sample's, and write truth.csv: null, decline, team_drop,\n"
	      "                  new_hire, departed, low_volume, improver (+ plans.csv);\n"
	      "                  without --activities, two unlinked ones a rep-day\n"
	      "  --deals-only    write no activities.csv\n"
	      "Exit status: 0 written, 1 usage error, 2 write or memory failure.\n", f);
}

static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_args(struct gen *g, int argc, char **argv)
{
	uint64_t v;
	int i;

	for (i = 1; i < argc; i += 2) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 1;
		} else if (!strcmp(a, "--deals-only")) {
			g->deals_only = 1;
			i--;	/* takes no value */
		} else if (!strcmp(a, "--scenario")) {
			int k;

			for (k = 1; k < NSCEN && !(val && !strcmp(val, scen_names[k])); k++)
				;
			bad = k == NSCEN;
			g->scen = k;
		} else if (!strcmp(a, "--seed")) {
			bad = parse_u64(val, 0, UINT64_MAX, &g->seed);
		} else if (!strcmp(a, "--out")) {
			bad = !val;
			g->out = val;
		} else if (!strcmp(a, "--end")) {
			bad = !val || parse_date(val, &g->end);
		} else if (!strcmp(a, "--months")) {
			bad = parse_u64(val, 7, 600, &v);
			g->months = (int)v;
		} else if (!strcmp(a, "--reps")) {
			bad = parse_u64(val, 15, 100000, &v);
			g->nreps = (int)v;
		} else if (!strcmp(a, "--activities")) {
			bad = parse_u64(val, 0, UINT64_C(10000000000), &g->nact);
			g->act_auto = -1;	/* given */
		} else {
			fprintf(stderr, "rwgen: unknown option '%s'\n", a);
			return -1;
		}
		if (bad) {
			fprintf(stderr, "rwgen: %s: bad or missing value '%s'\n", a, val ? val : "");
			return -1;
		}
	}
	return 0;
}

static int make_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0777) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	fprintf(stderr, "rwgen: %s: %s\n", dir, errno == EEXIST ? "not a directory" : strerror(errno));
	return -1;
}

/* Draw the model and plan the activities; 0, or an exit status. */
static int prepare(struct gen *g)
{
	int rc;

	if (make_dir(g->out))
		return EX_FAIL;
	if (reps_make(g) || opps_make(g)) {
		fprintf(stderr, "rwgen: out of memory\n");
		return EX_FAIL;
	}
	rc = g->deals_only ? 0 : plan_activities(g);
	if (rc < 0) {
		fprintf(stderr, "rwgen: out of memory\n");
		return EX_FAIL;
	}
	if (rc > 0) {
		fprintf(stderr, "rwgen: --activities %" PRIu64 " is fewer than the %" PRIu64
			" touches the deals need; use at least that many\n", g->nact, g->nlinked);
		return EX_USAGE;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct gen g = { 0 };
	int rc;

	g.seed = 42;
	g.out = ".";
	g.end = days_from_civil(2026, 10, 31);
	g.months = 24;
	g.nreps = 40;
	g.nact = 76000;
	rc = parse_args(&g, argc, argv);
	if (rc)
		return rc > 0 ? EX_OK : EX_USAGE;
	g.act_auto = g.scen != SC_SAMPLE && g.act_auto == 0;
	g.m0 = month_of(g.end);
	g.start = month_first(g.m0 - g.months + 1);
	rc = prepare(&g);
	if (rc)
		goto out;
	rc = EX_FAIL;
	if (write_reps(&g) || write_opps(&g) || write_targets(&g) ||
	    (!g.deals_only && write_activities(&g)) ||
	    (g.scen != SC_SAMPLE && write_truth(&g)) ||
	    (g.scen == SC_IMPROVER && write_plans(&g)))
		goto out;
	fprintf(stderr, "rwgen: seed %" PRIu64 ", %s: %" PRIu64 " reps, %" PRIu64
		" opportunities, %" PRIu64 " targets, %" PRIu64 " activities (%" PRIu64
		" on deals)\n", g.seed, g.out, g.rows[0], g.rows[1], g.rows[2], g.rows[3],
		g.nlinked);
	rc = EX_OK;
out:
	free(g.opps);
	free(g.reps);
	return rc;
}
