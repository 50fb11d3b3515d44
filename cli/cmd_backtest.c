/*
 * cmd_backtest.c - `repwatch backtest`: every rule's track record on the
 * company's own history (issue 15, docs/rules.md "Backtest").
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
#include "cli.h"
#include "../store/store.h"
#include "guard.h"

#include <errno.h>
#include <jansson.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

enum { BT_MD, BT_HTML, BT_JSON, BT_CSV };

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

/* One activity as ingest handed it to the master dataset. */
struct bt_act {
	uint32_t rep, opp;
	int32_t day;
	enum rw_act_type type;
};

struct bt_acts {
	struct bt_act *v;
	size_t n, cap;
	int oom;
};

/* A dataset of one day and the master's rep index of each of its reps. */
struct bt_view {
	struct rw_dataset *ds;
	uint32_t *rep_of;	/* view rep -> master rep */
	uint32_t *view_rep;	/* master rep -> view rep or RW_NONE */
};

/* One rep-period a rule judged at some point: fired or not. */
struct bt_judged {
	uint32_t rule, rep;	/* master rep */
	int32_t period;		/* judged period, rule's grain */
	int point;		/* first point that judged it */
	int fired;
};

struct bt_args {
	struct rw_config cfg;
	const char *config_path, *db_path, *out_path, *night_db;
	int32_t from_m, to_m;	/* month indexes */
	int horizon, format, quiet, jobs;
};

struct bt_state {
	struct bt_args *a;
	struct rw_dataset *master;
	struct bt_acts acts;
	int npoints;
	int32_t *as_of;			/* per point */
	unsigned char *lagging;		/* [point * nreps + master rep] */
	struct bt_judged *j;
	size_t nj, jcap;
	double *perr;			/* projection errors per day of quarter */
	size_t nperr, perrcap;
	int *pday;
	struct bt_view truth;
	struct rw_results *truth_res;
	struct rw_rule_track *tracks;
	size_t ntracks;
	char (*notes)[64];
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

static void bt_month_label(int32_t m, char *out, size_t size)
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

		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
			if (vals[i] && !vals[i][0])
				return rw_err_set(err, RW_EUSAGE, "%s: an empty file name", names[i]);
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
		char *end;
		long h;

		errno = 0;
		h = strtol(horizon, &end, 10);
		if (errno || end == horizon || *end || h < 1 || h > 12)
			return rw_err_set(err, RW_EUSAGE, "--horizon: \"%s\" is not a whole number of periods from 1 to 12", horizon);
		a->horizon = (int)h;
	}
	a->jobs = ncpu < 1 ? 1 : ncpu > 4 ? 4 : (int)ncpu;
	if (jobs) {
		char *end;
		long j;

		errno = 0;
		j = strtol(jobs, &end, 10);
		if (errno || end == jobs || *end || j < 1 || j > 8)
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
	if (data)
		a->cfg.ingest.data_dir = data;
	if (profile && rw_ingest_config_key(&a->cfg.ingest, "repwatch", "profile", profile, 0, err))
		return rw_err_set(err, RW_EUSAGE, "--profile: \"%s\" is not a profile", profile);
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

/* ---- Ingest once ----------------------------------------------------- */

static void bt_on_activity(void *arg, uint32_t rep, uint32_t opp, int32_t day,
			   enum rw_act_type type)
{
	struct bt_acts *x = arg;

	if (x->oom)
		return;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 4096;
		struct bt_act *v = rw_realloc(x->v, cap * sizeof(*v));

		if (!v) {
			x->oom = 1;
			return;
		}
		x->v = v;
		x->cap = cap;
	}
	x->v[x->n++] = (struct bt_act){ rep, opp, day, type };
}

/* First and last day any row of the exports is dated. */
static void bt_data_span(const struct bt_state *b, int32_t *lo, int32_t *hi)
{
	const struct rw_dataset *m = b->master;

	*lo = INT32_MAX;
	*hi = INT32_MIN;
	for (size_t i = 0; i < m->nopps; i++) {
		const struct rw_opp *o = &m->opps[i];

		if (o->created < *lo)
			*lo = o->created;
		if (o->created > *hi)
			*hi = o->created;
		if (o->status != RW_OPEN && o->closed != RW_NODAY && o->closed > *hi)
			*hi = o->closed;
	}
	for (size_t i = 0; i < b->acts.n; i++) {
		if (b->acts.v[i].day < *lo)
			*lo = b->acts.v[i].day;
		if (b->acts.v[i].day > *hi)
			*hi = b->acts.v[i].day;
	}
}

/* ---- The dataset of one day ---------------------------------------------- */

static void bt_view_free(struct bt_view *v)
{
	rw_dataset_free(v->ds);
	rw_free(v->rep_of);
	rw_free(v->view_rep);
	memset(v, 0, sizeof(*v));
}

/*
 * The dataset as the exports would have read on as_of (see the top of the
 * file); settings s with s->as_of set.  0 or RW_ENOMEM.
 */
static int bt_view_build(const struct bt_state *b, const struct rw_settings *s,
			 struct bt_view *v)
{
	const struct rw_dataset *m = b->master;
	int32_t as_of = s->as_of;
	uint32_t *opp_map = NULL;
	unsigned char *owns = NULL;
	int rc = RW_ENOMEM;

	memset(v, 0, sizeof(*v));
	v->ds = rw_dataset_new(s);
	v->rep_of = rw_calloc(m->nreps + 1, sizeof(uint32_t));
	v->view_rep = rw_calloc(m->nreps + 1, sizeof(uint32_t));
	opp_map = rw_calloc(m->nopps + 1, sizeof(uint32_t));
	owns = rw_calloc(m->nreps + 1, 1);
	if (!v->ds || !v->rep_of || !v->view_rep || !opp_map || !owns)
		goto out;
	for (size_t i = 0; i < m->nopps; i++)
		if (m->opps[i].created <= as_of)
			owns[m->opps[i].rep] = 1;
	/* An owner missing from reps.csv exists only through its deals. */
	for (uint32_t r = 0; r < m->nreps; r++) {
		uint32_t idx;

		v->view_rep[r] = RW_NONE;
		if (m->reps[r].unassigned && !owns[r])
			continue;
		if (rw_dataset_add_rep(v->ds, &m->reps[r], &idx))
			goto out;
		v->view_rep[r] = idx;
		v->rep_of[idx] = r;
	}
	for (size_t i = 0; i < m->nopps; i++) {
		struct rw_opp o = m->opps[i];

		opp_map[i] = RW_NONE;
		if (o.created > as_of)
			continue;
		o.rep = v->view_rep[o.rep];
		if (rw_dataset_add_opp(v->ds, &o, &opp_map[i]))
			goto out;
	}
	for (size_t i = 0; i < m->ntargets; i++) {
		struct rw_target t = m->targets[i];

		if (t.rep != RW_NONE && (t.rep = v->view_rep[t.rep]) == RW_NONE)
			continue;
		if (rw_dataset_add_target(v->ds, &t))
			goto out;
	}
	for (size_t i = 0; i < m->nstages; i++) {
		struct rw_stage_entry e = m->stages[i];

		if (e.day > as_of || (e.opp = opp_map[e.opp]) == RW_NONE)
			continue;
		if (rw_dataset_add_stage(v->ds, &e))
			goto out;
	}
	for (size_t i = 0; i < m->nplans; i++) {
		struct rw_plan p = m->plans[i];

		if ((p.rep = v->view_rep[p.rep]) == RW_NONE)
			continue;
		if (rw_dataset_add_plan(v->ds, &p))
			goto out;
	}
	if (rw_dataset_begin_activities(v->ds))
		goto out;
	if (m->activities_given)
		rw_dataset_set_activities_given(v->ds);
	for (size_t i = 0; i < b->acts.n; i++) {
		const struct bt_act *x = &b->acts.v[i];
		uint32_t rep, opp;

		if (x->day > as_of || (rep = v->view_rep[x->rep]) == RW_NONE)
			continue;
		opp = x->opp == RW_NONE ? RW_NONE : opp_map[x->opp];
		rw_dataset_add_activity(v->ds, rep, opp, x->day, x->type);
	}
	rc = 0;
out:
	rw_free(opp_map);
	rw_free(owns);
	if (rc)
		bt_view_free(v);
	return rc;
}

/* ---- Replay ---------------------------------------------------------- */

static int bt_judged_add(struct bt_state *b, const struct bt_judged *j)
{
	if (b->nj == b->jcap) {
		size_t cap = b->jcap ? b->jcap * 2 : 1024;
		struct bt_judged *v = rw_realloc(b->j, cap * sizeof(*v));

		if (!v)
			return -1;
		b->j = v;
		b->jcap = cap;
	}
	b->j[b->nj++] = *j;
	return 0;
}

static int bt_perr_add(struct bt_state *b, int day, double e)
{
	if (b->nperr == b->perrcap) {
		size_t cap = b->perrcap ? b->perrcap * 2 : 1024;
		double *v = rw_realloc(b->perr, cap * sizeof(*v));
		int *d = rw_realloc(b->pday, cap * sizeof(*d));

		if (v)
			b->perr = v;
		if (d)
			b->pday = d;
		if (!v || !d)
			return -1;
		b->perrcap = cap;
	}
	b->perr[b->nperr] = e;
	b->pday[b->nperr++] = day;
	return 0;
}

/* Index of rule name within the rule set (flags carry its pointer). */
static size_t bt_rule_index(const struct rw_rules *rs, const char *name)
{
	size_t n = rw_rules_count(rs);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(rw_rules_name(rs, i), name))
			return i;
	return n;
}

/*
 * Record what point p judged: every rule's rep-periods, fired or not
 * (the eligible reps, and any rep it flagged), and the reps a lagging
 * rule flagged.
 */
static int bt_record(struct bt_state *b, int p, const struct bt_view *v,
		     const struct rw_results *res, const struct rw_rules_out *ro)
{
	const struct rw_rules *rs = b->a->cfg.rules;
	size_t nr = rw_rules_count(rs), nv = v->ds->nreps;
	unsigned char *fired = rw_calloc(nr * nv + 1, 1);

	if (!fired)
		return -1;
	for (size_t f = 0; f < ro->nflags; f++) {
		size_t i = bt_rule_index(rs, ro->flags[f].rule);

		if (i == nr)
			continue;
		fired[i * nv + ro->flags[f].rep] = 1;
		if (rw_rules_role(rs, i) == RW_ROLE_LAGGING)
			b->lagging[(size_t)p * b->master->nreps + v->rep_of[ro->flags[f].rep]] = 1;
	}
	for (size_t i = 0; i < nr; i++) {
		enum rw_grain g = (enum rw_grain)rw_rules_grain(rs, rw_rules_name(rs, i));
		int n = rw_results_period_count(res, g);
		int k = rw_rules_partial(rs, i) ? n - 1 : n - 2;

		if (k < 0)
			continue;
		for (uint32_t r = 0; r < nv; r++) {
			const struct rw_rep *rep = &v->ds->reps[r];
			struct bt_judged j = { (uint32_t)i, v->rep_of[r],
					       rw_results_first_period(res, g) + k, p,
					       fired[i * nv + r] };

			if (!j.fired && (rep->unassigned || !rw_results_eligible(res, r, g, k) ||
					 (rep->end_day != RW_NODAY && rep->end_day < v->ds->settings.as_of)))
				continue;
			if (bt_judged_add(b, &j)) {
				rw_free(fired);
				return -1;
			}
		}
	}
	rw_free(fired);
	return 0;
}

/* Store the night of the last point as `run --as-of` would, leading
 * rules' flags left out as run leaves them. */
static int bt_night_store(const struct bt_args *a, const struct rw_dataset *ds,
			  const struct rw_results *res, const struct rw_rules_out *ro,
			  struct rw_err *err)
{
	struct rw_ingest_stats stats;
	struct rw_rules_out keep = *ro;
	struct rw_store *st = NULL;
	struct rw_run_info info;
	struct rw_flag *flags = NULL;
	char started[32];
	int64_t run_id;
	int rc;

	memset(&stats, 0, sizeof(stats));
	rw_now_iso(started, sizeof(started));
	info = (struct rw_run_info){ .as_of = ds->settings.as_of, .started = started,
				     .inputs = stats.file };
	flags = rw_calloc(ro->nflags + 1, sizeof(*flags));
	if (!flags)
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	keep.flags = flags;
	keep.nflags = 0;
	for (size_t f = 0; f < ro->nflags; f++) {
		size_t i = bt_rule_index(a->cfg.rules, ro->flags[f].rule);

		if (rw_rules_role(a->cfg.rules, i) != RW_ROLE_LEADING)
			flags[keep.nflags++] = ro->flags[f];
	}
	rc = rw_store_open(a->night_db, a->cfg.busy_ms, &st, err);
	if (!rc)
		rc = rw_store_begin_run(st, &info, &run_id, err);
	if (!rc) {
		rc = rw_store_write_results(st, ds, res, err);
		if (!rc)
			rc = rw_store_write_rules(st, ds, &keep, err);
		if (!rc) {
			rw_now_iso(started, sizeof(started));
			rc = rw_store_commit_run(st, run_id, started, err);
		}
		if (rc)
			rw_store_rollback_run(st);
	}
	rw_store_close(st);
	rw_free(flags);
	return rc;
}

/*
 * Projection at point p: each rep's projected attainment of the partial
 * quarter against the quarter's actual attainment in the truth night,
 * kept by day of the quarter.  A point on a quarter's last day projects
 * nothing (the projection is then the result).
 */
static int bt_projection(struct bt_state *b, const struct bt_view *v,
			 const struct rw_results *res)
{
	int fs = v->ds->settings.fiscal_start;
	int32_t as_of = v->ds->settings.as_of;
	int n = rw_results_period_count(res, RW_QUARTER), tn, tk;
	int32_t q = rw_results_first_period(res, RW_QUARTER) + n - 1;
	int day = as_of - rw_period_start(RW_QUARTER, q, fs) + 1;

	if (as_of >= rw_period_end(RW_QUARTER, q, fs) - 1 || !b->truth_res)
		return 0;
	tn = rw_results_period_count(b->truth_res, RW_QUARTER);
	tk = q - rw_results_first_period(b->truth_res, RW_QUARTER);
	if (tk < 0 || tk > tn - 2)
		return 0;	/* the quarter is not complete in the data */
	for (uint32_t r = 0; r < v->ds->nreps; r++) {
		uint32_t tr = b->truth.view_rep[v->rep_of[r]];
		double proj = rw_results_value(res, r, RW_QUARTER, n - 1, RW_M_PROJECTED_ATTAINMENT);
		double act;

		if (tr == RW_NONE || !isfinite(proj) || !rw_results_eligible(res, r, RW_QUARTER, n - 1))
			continue;
		act = rw_results_value(b->truth_res, tr, RW_QUARTER, tk, RW_M_ATTAINMENT);
		if (isfinite(act) && bt_perr_add(b, day, proj - act))
			return -1;
	}
	return 0;
}

static void bt_progress(const struct bt_state *b, int p)
{
	char day[16];

	rw_day_format(b->as_of[p], day, sizeof(day));
	fprintf(stderr, "\rrepwatch backtest: replay point %d of %d (%s)", p + 1, b->npoints, day);
	if (p + 1 == b->npoints)
		fputc('\n', stderr);
	fflush(stderr);
}

/* Replay point p: its night, judged, recorded into b. */
static int bt_point(struct bt_state *b, int p, struct rw_err *err)
{
	struct bt_args *a = b->a;
	struct rw_settings s = a->cfg.settings;
	struct rw_results *res = NULL;
	struct rw_rules_out *ro = NULL;
	struct bt_view v;
	int rc;

	s.as_of = b->as_of[p];
	if (bt_view_build(b, &s, &v))
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	rc = rw_engine_compute(v.ds, &res, err);
	if (!rc)
		rc = rw_rules_evaluate(a->cfg.rules, &a->cfg.rules_opts, v.ds, res, &ro, err);
	if (!rc && (bt_record(b, p, &v, res, ro) || bt_projection(b, &v, res)))
		rc = rw_err_set(err, RW_ENOMEM, "out of memory");
	if (!rc && a->night_db && p == b->npoints - 1)
		rc = bt_night_store(a, v.ds, res, ro, err);
	rw_rules_out_free(ro);
	rw_results_free(res);
	bt_view_free(&v);
	return rc;
}

static int bt_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int bt_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Worker w's points are those with (npoints - 1 - p) % n == w: the last
 * point (the one --night-db stores) is always the parent's. */
static int bt_mine(const struct bt_state *b, int p, int w, int n)
{
	return (b->npoints - 1 - p) % n == w;
}

/*
 * A worker process: replay its points on its copy of the state, then send
 * what they recorded down fd: the judged entries, the reps flagged by a
 * lagging rule per point, the projection errors.  Exits 0 or 1.
 */
static void bt_worker(struct bt_state *b, int w, int n, int fd)
{
	struct rw_err err;
	size_t nreps = b->master->nreps;
	uint64_t cnt;
	int rc = 0;

	rw_err_clear(&err);
	b->nj = b->nperr = 0;
	for (int p = 0; p < b->npoints && !rc; p++)
		if (bt_mine(b, p, w, n))
			rc = bt_point(b, p, &err);
	if (rc) {
		rw_err_print(&err, stderr);
		_exit(1);
	}
	cnt = b->nj;
	if (bt_write_all(fd, &cnt, sizeof(cnt)) ||
	    bt_write_all(fd, b->j, b->nj * sizeof(*b->j)))
		_exit(1);
	for (int p = 0; p < b->npoints; p++)
		if (bt_mine(b, p, w, n) &&
		    bt_write_all(fd, b->lagging + (size_t)p * nreps, nreps))
			_exit(1);
	cnt = b->nperr;
	if (bt_write_all(fd, &cnt, sizeof(cnt)) ||
	    bt_write_all(fd, b->perr, b->nperr * sizeof(*b->perr)) ||
	    bt_write_all(fd, b->pday, b->nperr * sizeof(*b->pday)))
		_exit(1);
	_exit(0);
}

/* Take in what worker w sent on fd; 0, or -1 when it sent less. */
static int bt_collect(struct bt_state *b, int w, int n, int fd)
{
	size_t nreps = b->master->nreps;
	struct bt_judged j;
	uint64_t cnt;

	if (bt_read_all(fd, &cnt, sizeof(cnt)))
		return -1;
	for (uint64_t i = 0; i < cnt; i++)
		if (bt_read_all(fd, &j, sizeof(j)) || bt_judged_add(b, &j))
			return -1;
	for (int p = 0; p < b->npoints; p++)
		if (bt_mine(b, p, w, n) &&
		    bt_read_all(fd, b->lagging + (size_t)p * nreps, nreps))
			return -1;
	if (bt_read_all(fd, &cnt, sizeof(cnt)))
		return -1;
	{
		double *e = rw_calloc(cnt + 1, sizeof(double));
		int *d = rw_calloc(cnt + 1, sizeof(int));
		int rc = !e || !d ||
			 bt_read_all(fd, e, cnt * sizeof(double)) ||
			 bt_read_all(fd, d, cnt * sizeof(int));

		for (uint64_t i = 0; !rc && i < cnt; i++)
			rc = bt_perr_add(b, d[i], e[i]);
		rw_free(e);
		rw_free(d);
		return rc ? -1 : 0;
	}
}

/*
 * Replay every point.  The nights are independent, so with jobs > 1 the
 * points are shared with jobs - 1 forked workers (processes, not threads:
 * the engine and the rules' SQLite handle are not shared), each sending
 * back only what it recorded.  A worker that fails leaves its points to
 * this process, so the result never depends on the jobs.
 */
static int bt_replay(struct bt_state *b, int jobs, struct rw_err *err)
{
	int tty = !b->a->quiet && isatty(STDERR_FILENO);
	int n = jobs < 1 ? 1 : jobs > b->npoints ? b->npoints : jobs;
	pid_t pid[8];
	int fd[8];
	int rc = 0, started = 1;

	fflush(NULL);	/* no buffered output copied into the workers */
	for (int w = 1; w < n && w < 8; w++) {
		int pfd[2];

		if (pipe(pfd))
			break;
		pid[w] = fork();
		if (pid[w] < 0) {
			close(pfd[0]);
			close(pfd[1]);
			break;
		}
		if (pid[w] == 0) {
			close(pfd[0]);
			for (int k = 1; k < w; k++)
				close(fd[k]);
			bt_worker(b, w, n, pfd[1]);
		}
		close(pfd[1]);
		fd[w] = pfd[0];
		started++;
	}
	for (int p = 0; p < b->npoints && !rc; p++) {
		int w = (b->npoints - 1 - p) % n;

		if (w && w < started)
			continue;	/* a worker's */
		if (tty)
			bt_progress(b, p);
		rc = bt_point(b, p, err);
	}
	for (int w = 1; w < started; w++) {
		size_t nj = b->nj, nperr = b->nperr;
		int status = 0, got = rc ? -1 : bt_collect(b, w, n, fd[w]);

		close(fd[w]);
		while (waitpid(pid[w], &status, 0) < 0 && errno == EINTR)
			;
		if (rc)
			continue;
		if (got || !WIFEXITED(status) || WEXITSTATUS(status)) {
			/* Its points again, here; what it sent is
			 * dropped. */
			b->nj = nj;
			b->nperr = nperr;
			for (int p = 0; p < b->npoints && !rc; p++)
				if (bt_mine(b, p, w, n)) {
					memset(b->lagging + (size_t)p * b->master->nreps, 0, b->master->nreps);
					rc = bt_point(b, p, err);
				}
		}
	}
	return rc;
}

/*
 * The truth night: every day of the data (as_of its last day), with
 * history long enough that every period a replay judged, and the horizon
 * after it, is kept at every grain.
 */
static int bt_truth(struct bt_state *b, int32_t last_day, struct rw_err *err)
{
	struct rw_settings s = b->a->cfg.settings;
	int32_t first = rw_period_start(RW_MONTH, b->a->from_m, 1) - 400;
	int h = 0;

	s.as_of = last_day;
	for (int g = 0; g < RW_NGRAINS; g++) {
		const struct rw_rules *rs = b->a->cfg.rules;
		int used = 0;
		int32_t n;

		/* Only the grains of rules whose outcome the truth judges:
		 * weeks kept over a year would cost most of a night. */
		for (size_t i = 0; i < rw_rules_count(rs); i++) {
			const char *name = rw_rules_name(rs, i);

			used |= rw_rules_grain(rs, name) == g &&
				(rw_rules_role(rs, i) == RW_ROLE_LAGGING ||
				 rw_rules_category(rs, name) == RW_CAT_RECOGNITION);
		}
		if (!used && g != RW_QUARTER)	/* quarters: the projection */
			continue;
		n = rw_period_of((enum rw_grain)g, last_day, s.fiscal_start) -
			    rw_period_of((enum rw_grain)g, first, s.fiscal_start) + 2;

		if (n > h)
			h = (int)n;
	}
	if (h > s.history_periods)
		s.history_periods = h;
	if (bt_view_build(b, &s, &b->truth))
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	return rw_engine_compute(b->truth.ds, &b->truth_res, err);
}

/* ---- Outcomes -------------------------------------------------------- */

/* Truth value of metric m for master rep r in period P of grain g into
 * *v, and its team baseline into *bl; 0, or -1 when P is not a complete
 * period of the truth night (the outcome cannot be judged yet). */
static int bt_truth_at(const struct bt_state *b, uint32_t r, enum rw_grain g,
		       int32_t P, enum rw_metric m, double *v,
		       const struct rw_baseline **bl)
{
	int n = rw_results_period_count(b->truth_res, g);
	int k = (int)(P - rw_results_first_period(b->truth_res, g));
	uint32_t tr = b->truth.view_rep[r];

	if (k < 0 || k > n - 2)
		return -1;
	*v = NAN;
	*bl = NULL;
	if (tr == RW_NONE)
		return 0;
	*v = rw_results_value(b->truth_res, tr, g, k, m);
	*bl = rw_results_baseline(b->truth_res, rw_results_rep_team(b->truth_res, tr), g, k, m);
	return 0;
}

/* Lagging: the shortfall persists in some period P+1..P+H: attainment
 * under 0.8, or the rule's metric worse than the team's bottom quartile. */
static int bt_out_shortfall(const struct bt_state *b, const struct bt_judged *j,
			    enum rw_grain g, enum rw_metric m, int *lead)
{
	int up = rw_metric_up_is_good(m);

	for (int h = 1; h <= b->a->horizon; h++) {
		const struct rw_baseline *bl, *abl;
		double v, att;

		if (bt_truth_at(b, j->rep, g, j->period + h, m, &v, &bl) ||
		    bt_truth_at(b, j->rep, g, j->period + h, RW_M_ATTAINMENT, &att, &abl))
			return -1;
		if ((isfinite(att) && att < 0.8) ||
		    (isfinite(v) && bl && bl->n > 0 &&
		     (up ? v < bl->p25 : v > bl->p75))) {
			*lead = h;
			return 1;
		}
	}
	return 0;
}

/* Recognition: the improvement holds: the metric at or better than the
 * team's median in each of P+1..P+H. */
static int bt_out_holds(const struct bt_state *b, const struct bt_judged *j,
			enum rw_grain g, enum rw_metric m, int *lead)
{
	int up = rw_metric_up_is_good(m), ok = 1;

	for (int h = 1; h <= b->a->horizon; h++) {
		const struct rw_baseline *bl;
		double v;

		if (bt_truth_at(b, j->rep, g, j->period + h, m, &v, &bl))
			return -1;
		if (!isfinite(v) || !bl || bl->n == 0 ||
		    (up ? v < bl->median : v > bl->median))
			ok = 0;
	}
	*lead = b->a->horizon;
	return ok;
}

/*
 * Early warnings and leading rules: a lagging rule flags the same rep at
 * a later point within H periods of the rule's grain after the point that
 * judged it (at least the next point, for week rules between monthly
 * points).  -1 when that window runs past the last point.
 */
static int bt_out_lagging_flag(const struct bt_state *b, const struct bt_judged *j,
			       enum rw_grain g, int *lead)
{
	int fs = b->a->cfg.settings.fiscal_start;
	int32_t p0 = rw_period_of(g, b->as_of[j->point], fs);
	int last = j->point + 1;

	while (last + 1 < b->npoints &&
	       rw_period_of(g, b->as_of[last + 1], fs) - p0 <= b->a->horizon)
		last++;
	if (last >= b->npoints ||
	    (last == b->npoints - 1 && rw_period_of(g, b->as_of[last], fs) - p0 < b->a->horizon))
		return -1;
	for (int q = j->point + 1; q <= last; q++)
		if (b->lagging[(size_t)q * b->master->nreps + j->rep]) {
			*lead = (int)(rw_period_of(g, b->as_of[q], fs) - p0);
			return 1;
		}
	return 0;
}

static int bt_cmp_judged(const void *x, const void *y)
{
	const struct bt_judged *a = x, *b = y;

	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	if (a->rep != b->rep)
		return a->rep < b->rep ? -1 : 1;
	if (a->period != b->period)
		return a->period < b->period ? -1 : 1;
	if (a->fired != b->fired)
		return a->fired ? -1 : 1;	/* a fired entry represents */
	return (a->point > b->point) - (a->point < b->point);
}

static int bt_cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* Median of v[0..n) (sorted in place); NAN when n is 0. */
static double bt_median(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), bt_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int bt_score(struct bt_state *b)
{
	const struct rw_rules *rs = b->a->cfg.rules;
	size_t nr = rw_rules_count(rs);
	double *leads = rw_calloc(b->nj + 1, sizeof(double));
	unsigned char *seen = rw_calloc(b->master->nreps + 1, 1);
	size_t i = 0;

	b->tracks = rw_calloc(nr + 1, sizeof(*b->tracks));
	b->notes = rw_calloc(nr + 1, sizeof(*b->notes));
	if (!leads || !seen || !b->tracks || !b->notes) {
		rw_free(leads);
		rw_free(seen);
		return -1;
	}
	qsort(b->j, b->nj, sizeof(*b->j), bt_cmp_judged);
	for (size_t r = 0; r < nr; r++) {
		struct rw_rule_track *t = &b->tracks[r];
		const char *name = rw_rules_name(rs, r);
		enum rw_grain g = (enum rw_grain)rw_rules_grain(rs, name);
		int cat = rw_rules_category(rs, name), role = rw_rules_role(rs, r);
		int m = rw_rules_metric(rs, r);
		long non = 0, non_followed = 0, fired_all = 0;
		size_t nlead = 0;

		memset(seen, 0, b->master->nreps + 1);
		t->rule = name;
		t->category = rw_category_name(cat);
		t->precision = t->base_rate = t->lift = t->lead_periods = NAN;
		if (m < 0)
			m = RW_M_ATTAINMENT;
		if (rw_rules_needs_activities(rs, r) && !b->master->activities_given) {
			snprintf(b->notes[r], sizeof(b->notes[r]), "not evaluated: no activity export");
			t->note = b->notes[r];
		}
		for (; i < b->nj && b->j[i].rule == r; i++) {
			const struct bt_judged *j = &b->j[i];
			int lead = 0, o;

			if (i > 0 && b->j[i - 1].rule == j->rule && b->j[i - 1].rep == j->rep &&
			    b->j[i - 1].period == j->period)
				continue;	/* the group's first entry decides */
			if (t->note)
				continue;
			if (cat == RW_CAT_RECOGNITION)
				o = bt_out_holds(b, j, g, (enum rw_metric)m, &lead);
			else if (role == RW_ROLE_LAGGING)
				o = bt_out_shortfall(b, j, g, (enum rw_metric)m, &lead);
			else
				o = bt_out_lagging_flag(b, j, g, &lead);
			fired_all += j->fired;
			if (o < 0)
				continue;
			if (j->fired) {
				t->fired++;
				if (!seen[j->rep]) {
					seen[j->rep] = 1;
					t->reps++;
				}
				if (o) {
					t->followed++;
					leads[nlead++] = lead;
				}
			} else {
				non++;
				non_followed += o;
			}
		}
		if (t->note)
			continue;
		if (t->fired)
			t->precision = (double)t->followed / (double)t->fired;
		if (non)
			t->base_rate = (double)non_followed / (double)non;
		if (isfinite(t->precision) && isfinite(t->base_rate) && t->base_rate > 0)
			t->lift = t->precision / t->base_rate;
		t->lead_periods = bt_median(leads, nlead);
		if (fired_all > t->fired)
			snprintf(b->notes[r], sizeof(b->notes[r]), "%ld later firing%s not judged yet",
				 fired_all - t->fired, fired_all - t->fired == 1 ? "" : "s");
	}
	b->ntracks = nr;
	rw_free(leads);
	rw_free(seen);
	return 0;
}

/* ---- Report ---------------------------------------------------------- */

static const struct bt_state *bt_sort_state;

/* By lift, highest first; rules without a lift after, then those not
 * evaluated; ties by name. */
static int bt_cmp_track(const void *x, const void *y)
{
	const struct rw_rule_track *a = &bt_sort_state->tracks[*(const size_t *)x];
	const struct rw_rule_track *b = &bt_sort_state->tracks[*(const size_t *)y];
	int ra = a->note ? 2 : isfinite(a->lift) ? 0 : 1;
	int rb = b->note ? 2 : isfinite(b->lift) ? 0 : 1;

	if (ra != rb)
		return ra - rb;
	if (!ra && a->lift != b->lift)
		return a->lift > b->lift ? -1 : 1;
	return strcmp(a->rule, b->rule);
}

static const char *bt_outcome_phrase(const struct bt_state *b, size_t r)
{
	const struct rw_rules *rs = b->a->cfg.rules;

	if (rw_rules_category(rs, rw_rules_name(rs, r)) == RW_CAT_RECOGNITION)
		return "the improvement holding (at or above the team median)";
	if (rw_rules_role(rs, r) == RW_ROLE_LAGGING)
		return "a persisting shortfall";
	return "a lagging flag for the rep";
}

/* The plain sentence of rule r into out. */
static void bt_sentence(const struct bt_state *b, size_t r, char *out, size_t size)
{
	const struct rw_rule_track *t = &b->tracks[r];
	const struct rw_rules *rs = b->a->cfg.rules;
	int g = rw_rules_grain(rs, t->rule);
	const char *grain = rw_grain_name(g);
	char tail[160] = "", within[64];
	int n;

	if (t->note) {
		snprintf(out, size, "%s", t->note);
		return;
	}
	if (b->notes[r][0])
		snprintf(tail, sizeof(tail), " (%s)", b->notes[r]);
	if (!t->fired) {
		snprintf(out, size, "never fired with an outcome to judge over the %d replayed months%s", b->npoints, tail);
		return;
	}
	/* A weekly warning's window reaches the next monthly point. */
	if (g == RW_WEEK && rw_rules_role(rs, r) != RW_ROLE_LAGGING &&
	    rw_rules_category(rs, t->rule) != RW_CAT_RECOGNITION)
		snprintf(within, sizeof(within), "by the next month end");
	else
		snprintf(within, sizeof(within), "within %d %s%s", b->a->horizon, grain,
			 b->a->horizon == 1 ? "" : "s");
	n = snprintf(out, size, "fired %ld time%s for %ld rep%s; %ld %s followed by %s %s (%.0f%%), ",
		     t->fired, t->fired == 1 ? "" : "s", t->reps, t->reps == 1 ? "" : "s",
		     t->followed, t->followed == 1 ? "was" : "were", bt_outcome_phrase(b, r),
		     within, 100 * t->precision);
	if (n < 0 || (size_t)n >= size)
		return;
	if (isfinite(t->lift))
		snprintf(out + n, size - (size_t)n, "against %.0f%% of rep-periods it did not flag: %.1f\u00d7 lift%s",
			 100 * t->base_rate, t->lift, tail);
	else if (isfinite(t->base_rate))
		snprintf(out + n, size - (size_t)n, "against none of the rep-periods it did not flag: no lift to compute%s", tail);
	else
		snprintf(out + n, size - (size_t)n, "with no rep-period it did not flag to compare%s", tail);
}

static void bt_num(FILE *fp, double v, const char *fmt, const char *none)
{
	if (isfinite(v))
		fprintf(fp, fmt, v);
	else
		fputs(none, fp);
}

static void bt_html_text(FILE *fp, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", fp);
		else if (*s == '>')
			fputs("&gt;", fp);
		else if (*s == '&')
			fputs("&amp;", fp);
		else
			fputc(*s, fp);
	}
}

static void bt_csv_text(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

struct bt_proj {
	struct rw_projection_track *rows;
	size_t n;
};

static int bt_write_report(const struct bt_state *b, const size_t *order,
			   const struct bt_proj *pj, FILE *fp)
{
	const struct bt_args *a = b->a;
	char from[16], to[16], sent[512];
	size_t nr = b->ntracks;

	bt_month_label(a->from_m, from, sizeof(from));
	bt_month_label(a->to_m, to, sizeof(to));
	if (a->format == BT_JSON) {
		json_t *o = json_pack("{s:s,s:s,s:i,s:i}", "from", from, "to", to,
				      "points", b->npoints, "horizon", a->horizon);
		json_t *rules = json_array(), *proj = json_array();
		char *text;
		int rc;

		if (!o || !rules || !proj) {
			json_decref(o);
			json_decref(rules);
			json_decref(proj);
			return -1;
		}
		for (size_t i = 0; i < nr; i++) {
			const struct rw_rule_track *t = &b->tracks[order[i]];
			json_t *row;

			bt_sentence(b, order[i], sent, sizeof(sent));
			row = json_pack("{s:s,s:s,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:s,s:s?}",
					"rule", t->rule, "category", t->category,
					"fired", (json_int_t)t->fired, "reps", (json_int_t)t->reps,
					"followed", (json_int_t)t->followed,
					"precision", isfinite(t->precision) ? json_real(t->precision) : json_null(),
					"base_rate", isfinite(t->base_rate) ? json_real(t->base_rate) : json_null(),
					"lift", isfinite(t->lift) ? json_real(t->lift) : json_null(),
					"lead_periods", isfinite(t->lead_periods) ? json_real(t->lead_periods) : json_null(),
					"sentence", sent, "note", t->note);
			if (!row || json_array_append_new(rules, row)) {
				json_decref(o);
				json_decref(rules);
				json_decref(proj);
				return -1;
			}
		}
		for (size_t i = 0; i < pj->n; i++)
			if (json_array_append_new(proj, json_pack("{s:i,s:I,s:o,s:o}",
				"day_of_period", pj->rows[i].day_of_period, "n", (json_int_t)pj->rows[i].n,
				"median_abs_error", isfinite(pj->rows[i].median_abs_error) ? json_real(pj->rows[i].median_abs_error) : json_null(),
				"bias", isfinite(pj->rows[i].bias) ? json_real(pj->rows[i].bias) : json_null()))) {
				json_decref(o);
				json_decref(rules);
				json_decref(proj);
				return -1;
			}
		/* set_new takes the reference even when it fails. */
		rc = json_object_set_new(o, "rules", rules);
		if (rc)
			json_decref(proj);
		else
			rc = json_object_set_new(o, "projection", proj);
		text = rc ? NULL : json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		json_decref(o);
		if (!text)
			return -1;
		rc = fputs(text, fp) < 0 || fputc('\n', fp) == EOF;
		free(text);
		return rc ? -1 : 0;
	}
	if (a->format == BT_CSV) {
		fputs("rule,category,fired,reps,followed,precision,base_rate,lift,lead_periods,note\n", fp);
		for (size_t i = 0; i < nr; i++) {
			const struct rw_rule_track *t = &b->tracks[order[i]];

			fprintf(fp, "%s,%s,%ld,%ld,%ld,", t->rule, t->category, t->fired, t->reps, t->followed);
			bt_num(fp, t->precision, "%.4f", "");
			fputc(',', fp);
			bt_num(fp, t->base_rate, "%.4f", "");
			fputc(',', fp);
			bt_num(fp, t->lift, "%.4f", "");
			fputc(',', fp);
			bt_num(fp, t->lead_periods, "%g", "");
			fputc(',', fp);
			if (t->note)
				bt_csv_text(fp, t->note);
			fputc('\n', fp);
		}
		return ferror(fp) ? -1 : 0;
	}
	if (a->format == BT_HTML)
		fprintf(fp, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>How much to trust each rule</title></head><body>\n<h1>How much to trust each rule</h1>\n<p>Replayed at the end of each month from %s to %s (%d points); outcome within %d periods of each rule's grain.</p>\n<table>\n<tr><th>rule</th><th>category</th><th>fired</th><th>reps</th><th>followed</th><th>precision</th><th>base rate</th><th>lift</th><th>lead</th><th>in words</th></tr>\n", from, to, b->npoints, a->horizon);
	else
		fprintf(fp, "# How much to trust each rule\n\nReplayed at the end of each month from %s to %s (%d points), each night with only the data known that day; a firing counts as followed when the outcome its rule foresees came within %d periods of its grain (docs/rules.md, \"Backtest\"). Sorted by lift: how much likelier the outcome was after a firing than for the rep-periods the rule did not flag.\n\n| rule | category | fired | reps | followed | precision | base rate | lift | lead (periods) |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n", from, to, b->npoints, a->horizon);
	for (size_t i = 0; i < nr; i++) {
		const struct rw_rule_track *t = &b->tracks[order[i]];

		fputs(a->format == BT_HTML ? "<tr><td>" : "| ", fp);
		if (a->format == BT_HTML)
			bt_html_text(fp, t->rule);
		else
			fputs(t->rule, fp);
		fprintf(fp, a->format == BT_HTML ? "</td><td>%s</td><td>%ld</td><td>%ld</td><td>%ld</td><td>" : " | %s | %ld | %ld | %ld | ",
			t->category, t->fired, t->reps, t->followed);
		bt_num(fp, 100 * t->precision, "%.0f%%", "n/a");
		fputs(a->format == BT_HTML ? "</td><td>" : " | ", fp);
		bt_num(fp, 100 * t->base_rate, "%.0f%%", "n/a");
		fputs(a->format == BT_HTML ? "</td><td>" : " | ", fp);
		bt_num(fp, t->lift, "%.2f", "n/a");
		fputs(a->format == BT_HTML ? "</td><td>" : " | ", fp);
		bt_num(fp, t->lead_periods, "%g", "n/a");
		if (a->format == BT_HTML) {
			fputs("</td><td>", fp);
			bt_sentence(b, order[i], sent, sizeof(sent));
			bt_html_text(fp, sent);
			fputs("</td></tr>\n", fp);
		} else {
			fputs(" |\n", fp);
		}
	}
	if (a->format == BT_HTML) {
		fputs("</table>\n", fp);
	} else {
		fputs("\n## In words\n\n", fp);
		for (size_t i = 0; i < nr; i++) {
			bt_sentence(b, order[i], sent, sizeof(sent));
			fprintf(fp, "- **%s**: %s.\n", b->tracks[order[i]].rule, sent);
		}
	}
	fputs(a->format == BT_HTML ? "<h2>Projection</h2>\n" : "\n## Projection\n\n", fp);
	if (!pj->n) {
		fputs(a->format == BT_HTML ? "<p>No replay point fell inside a quarter whose actual attainment is known.</p>\n" : "No replay point fell inside a quarter whose actual attainment is known.\n", fp);
	} else {
		fputs(a->format == BT_HTML ? "<p>Projected attainment of the partial quarter against its actual attainment, by day of the quarter.</p>\n<table><tr><th>day of quarter</th><th>n</th><th>median abs. error</th><th>bias</th></tr>\n"
		      : "Projected attainment of the partial quarter against the quarter's actual attainment, by day of the quarter (error = projected - actual, in points of attainment).\n\n| day of quarter | n | median abs. error | bias (mean error) |\n|---:|---:|---:|---:|\n", fp);
		for (size_t i = 0; i < pj->n; i++) {
			fprintf(fp, a->format == BT_HTML ? "<tr><td>%d</td><td>%ld</td><td>" : "| %d | %ld | ",
				pj->rows[i].day_of_period, pj->rows[i].n);
			bt_num(fp, 100 * pj->rows[i].median_abs_error, "%.1f", "n/a");
			fputs(a->format == BT_HTML ? "</td><td>" : " | ", fp);
			bt_num(fp, 100 * pj->rows[i].bias, "%+.1f", "n/a");
			fputs(a->format == BT_HTML ? "</td></tr>\n" : " |\n", fp);
		}
		if (a->format == BT_HTML)
			fputs("</table>\n", fp);
	}
	if (a->format == BT_HTML)
		fputs("</body></html>\n", fp);
	return ferror(fp) ? -1 : 0;
}

/* Group the projection errors by day of the quarter. */
static int bt_proj_rows(struct bt_state *b, struct bt_proj *pj)
{
	int maxday = 0;

	memset(pj, 0, sizeof(*pj));
	for (size_t i = 0; i < b->nperr; i++)
		if (b->pday[i] > maxday)
			maxday = b->pday[i];
	pj->rows = rw_calloc((size_t)maxday + 1, sizeof(*pj->rows));
	if (!pj->rows)
		return -1;
	for (int d = 1; d <= maxday; d++) {
		double *abs_e = rw_calloc(b->nperr + 1, sizeof(double)), sum = 0;
		size_t n = 0;

		if (!abs_e)
			return -1;
		for (size_t i = 0; i < b->nperr; i++)
			if (b->pday[i] == d) {
				abs_e[n++] = fabs(b->perr[i]);
				sum += b->perr[i];
			}
		if (n)
			pj->rows[pj->n++] = (struct rw_projection_track){ d, (long)n,
				bt_median(abs_e, n), sum / (double)n };
		rw_free(abs_e);
	}
	return 0;
}

/* FNV-1a (64 bits) of the configuration file's bytes, hex; "" without one. */
static void bt_config_hash(const char *path, char *out, size_t size)
{
	uint64_t h = 1469598103934665603ULL;
	FILE *fp;
	int c;

	out[0] = 0;
	if (!path || !(fp = fopen(path, "rb")))
		return;
	while ((c = getc(fp)) != EOF) {
		h ^= (unsigned char)c;
		h *= 1099511628211ULL;
	}
	fclose(fp);
	snprintf(out, size, "%016llx", (unsigned long long)h);
}

static int bt_output(struct bt_state *b, const char *started, double secs,
		     struct rw_err *err)
{
	struct bt_args *a = b->a;
	size_t *order = rw_calloc(b->ntracks + 1, sizeof(size_t));
	struct bt_proj pj = { 0 };
	int64_t id = 0;
	int rc = 0;

	if (!order || bt_proj_rows(b, &pj)) {
		rw_free(order);
		rw_free(pj.rows);
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < b->ntracks; i++)
		order[i] = i;
	bt_sort_state = b;
	qsort(order, b->ntracks, sizeof(*order), bt_cmp_track);
	if (a->db_path) {
		struct rw_store *st = NULL;
		char from[16], to[16], hash[32];
		struct rw_backtest_info bi = { .started = started, .from_period = from,
					       .to_period = to, .horizon = a->horizon,
					       .points = b->npoints };

		bt_month_label(a->from_m, from, sizeof(from));
		bt_month_label(a->to_m, to, sizeof(to));
		bt_config_hash(a->config_path, hash, sizeof(hash));
		bi.config_hash = hash[0] ? hash : NULL;
		rc = rw_store_open(a->db_path, a->cfg.busy_ms, &st, err);
		if (!rc)
			rc = rw_store_write_backtest(st, &bi, b->tracks, b->ntracks, pj.rows, pj.n, &id, err);
		rw_store_close(st);
	}
	if (!rc) {
		struct rw_atomic at;
		FILE *fp = stdout;

		if (a->out_path && strcmp(a->out_path, "-")) {
			rc = rw_atomic_open(&at, a->out_path, err);
			fp = rc ? NULL : at.fp;
		}
		if (fp && bt_write_report(b, order, &pj, fp)) {
			rc = rw_err_set(err, RW_EIO, "cannot write the report");
			if (fp != stdout)
				rw_atomic_abort(&at);
		} else if (fp && fp != stdout) {
			rc = rw_atomic_commit(&at, err);
		}
	}
	if (!rc && !a->quiet) {
		fprintf(stderr, "repwatch: backtest of %zu rules over %d replay points (%.2f s)", b->ntracks, b->npoints, secs);
		if (a->db_path)
			fprintf(stderr, "; stored as backtest %lld in %s", (long long)id, a->db_path);
		fputc('\n', stderr);
	}
	rw_free(order);
	rw_free(pj.rows);
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
	bt_view_free(&b->truth);
	rw_results_free(b->truth_res);
	rw_free(b->tracks);
	rw_free(b->notes);
}

/* The data's span against --from and --to: a replay must have data on
 * both sides of its points to mean anything. */
static int bt_check_span(const struct bt_state *b, struct rw_err *err)
{
	const struct bt_args *a = b->a;
	char lo_s[16], hi_s[16], m[16];
	int32_t lo, hi;

	bt_data_span(b, &lo, &hi);
	if (lo > hi)
		return rw_err_set(err, RW_EUSAGE, "--from: the exports hold no dated row to replay");
	rw_day_format(lo, lo_s, sizeof(lo_s));
	rw_day_format(hi, hi_s, sizeof(hi_s));
	if (bt_month_last(a->from_m) < lo) {
		bt_month_label(a->from_m, m, sizeof(m));
		return rw_err_set(err, RW_EUSAGE, "--from: %s ends before the data begins (%s to %s)", m, lo_s, hi_s);
	}
	if (rw_period_start(RW_MONTH, a->to_m, 1) > hi) {
		bt_month_label(a->to_m, m, sizeof(m));
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
	a.cfg.ingest.on_activity = bt_on_activity;
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
		rc = bt_check_span(&b, &err);
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
	bt_data_span(&b, &lo, &hi);
	rc = bt_truth(&b, hi > b.as_of[b.npoints - 1] ? hi : b.as_of[b.npoints - 1], &err);
	if (!rc)
		rc = bt_replay(&b, a.jobs, &err);
	if (!rc && bt_score(&b))
		rc = rw_err_set(&err, RW_ENOMEM, "out of memory");
	if (rc)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rc = bt_output(&b, started, (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, &err);
out:
	if (rc)
		rw_err_print(&err, stderr);
	bt_free(&b);
	rw_rules_free(a.cfg.rules);
	return rw_exit_code(rc);
}
