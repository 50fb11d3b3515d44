/*
 * backtest_replay.c - the replay of `repwatch backtest`: the exports read
 * once (activities kept aside by ingest's on_activity hook), the dataset
 * each replay point would have read on its day, and the nights computed
 * and judged as `run` does, in worker processes when --jobs allows.
 */
#include "backtest.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- Ingest once ----------------------------------------------------- */

void rw_bt_on_activity(void *arg, uint32_t rep, uint32_t opp, int32_t day,
		       enum rw_act_type type)
{
	struct bt_acts *x = arg;
	struct bt_act *v;

	if (x->oom)
		return;
	v = rw_grow(x->v, &x->cap, x->n + 1, sizeof(*v));
	if (!v) {
		x->oom = 1;
		return;
	}
	x->v = v;
	x->v[x->n++] = (struct bt_act){ rep, opp, day, type };
}

/* First and last day any row of the exports is dated. */
void rw_bt_data_span(const struct bt_state *b, int32_t *lo, int32_t *hi)
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

void rw_bt_view_free(struct bt_view *v)
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
		rw_bt_view_free(v);
	return rc;
}

/* ---- Replay ---------------------------------------------------------- */

static int bt_judged_add(struct bt_state *b, const struct bt_judged *j)
{
	struct bt_judged *v = rw_grow(b->j, &b->jcap, b->nj + 1, sizeof(*v));

	if (!v)
		return -1;
	b->j = v;
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
	struct rw_input_stats inputs[RW_NINPUTS];	/* none read this night */
	struct rw_rules_out keep = *ro;
	struct rw_store *st = NULL;
	struct rw_run_info info;
	struct rw_flag *flags = NULL;
	char started[32];
	int64_t run_id;
	int rc;

	memset(inputs, 0, sizeof(inputs));
	rw_now_iso(started, sizeof(started));
	info = (struct rw_run_info){ .as_of = ds->settings.as_of, .started = started,
				     .inputs = inputs };
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
	rc = rw_engine_compute_memo(v.ds, b->memo, &res, err);
	if (!rc)
		rc = rw_rules_evaluate(a->cfg.rules, &a->cfg.rules_opts, v.ds, res, &ro, err);
	if (!rc && (bt_record(b, p, &v, res, ro) || bt_projection(b, &v, res)))
		rc = rw_err_set(err, RW_ENOMEM, "out of memory");
	if (!rc && a->night_db && p == b->npoints - 1)
		rc = bt_night_store(a, v.ds, res, ro, err);
	rw_rules_out_free(ro);
	rw_results_free(res);
	rw_bt_view_free(&v);
	return rc;
}

/* Move len bytes between buf and the pipe fd, writing them when out, else
 * reading them, through short counts and EINTR; -1 on an error or an early
 * end of file. */
static int bt_pipe_all(int fd, void *buf, size_t len, int out)
{
	char *p = buf;

	while (len) {
		ssize_t n = out ? write(fd, p, len) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int bt_write_all(int fd, void *buf, size_t len)
{
	return bt_pipe_all(fd, buf, len, 1);
}

static int bt_read_all(int fd, void *buf, size_t len)
{
	return bt_pipe_all(fd, buf, len, 0);
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
int rw_bt_replay(struct bt_state *b, int jobs, struct rw_err *err)
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
int rw_bt_truth(struct bt_state *b, int32_t last_day, struct rw_err *err)
{
	struct rw_settings s = b->a->cfg.settings;
	int32_t first = rw_period_start(RW_MONTH, b->a->from_m, 1) - 400;
	const struct rw_rules *rs = b->a->cfg.rules;
	unsigned used = 1u << RW_QUARTER;	/* quarters: the projection */
	int h = 0;

	s.as_of = last_day;
	/* Only the grains of rules whose outcome the truth judges: weeks
	 * kept over a year would cost most of a night. */
	for (size_t i = 0; i < rw_rules_count(rs); i++) {
		const char *name = rw_rules_name(rs, i);
		int g = rw_rules_grain(rs, name);

		if (g >= 0 && (rw_rules_role(rs, i) == RW_ROLE_LAGGING ||
			       rw_rules_category(rs, name) == RW_CAT_RECOGNITION))
			used |= 1u << g;
	}
	for (int g = 0; g < RW_NGRAINS; g++) {
		int32_t n;

		if (!(used & (1u << g)))
			continue;
		n = rw_period_of((enum rw_grain)g, last_day, s.fiscal_start) -
			    rw_period_of((enum rw_grain)g, first, s.fiscal_start) + 2;
		if (n > h)
			h = (int)n;
	}
	if (h > s.history_periods)
		s.history_periods = h;
	/* The truth's complete periods are the replays' too: the quantiles
	 * it computes are most of theirs. */
	if (!b->memo && !(b->memo = rw_memo_new()))
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	if (bt_view_build(b, &s, &b->truth))
		return rw_err_set(err, RW_ENOMEM, "out of memory");
	return rw_engine_compute_memo(b->truth.ds, b->memo, &b->truth_res, err);
}

