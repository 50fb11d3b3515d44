/*
 * gen_csv.c - rwgen's output: the fixed vocabularies the files are written
 * in, and reps.csv, opportunities.csv, targets.csv, activities.csv, and
 * for --scenario truth.csv and plans.csv.
 */
#include "generator.h"

/* ------------------------------------------------------------------ */
/* Fixed vocabularies. */

static const char *const team_names[NTEAMS] = {
	"East", "West", "Central", "Enterprise", "SMB"
};

/* Managers are people in the org chart, not reps with deals. */
static const char *const team_managers[NTEAMS] = {
	"Helen Brandt", "Marcus Webb", "Ingrid Solberg", "Raymond Achebe",
	"Lucia Ferreira"
};

const char *const acct_stem[] = {
	"Alder", "Birchwood", "Cobalt", "Driftwood", "Ember", "Fjord",
	"Granite", "Harbor", "Ironbridge", "Juniper", "Kestrel", "Lumen",
	"Meridian", "Northwind", "Oakridge", "Pinnacle", "Quarry", "Redwood",
	"Summit", "Tidewater", "Upland", "Vertex", "Willow", "Zephyr",
	"Bluebird", "Copperline", "Evergreen", "Foxglove", "Sj\303\266berg",
	"\"Blue Sky\"",
};

const char *const acct_mid[] = {
	"", " Logistics", " Health", " Foods", " Software", " Energy",
	" Capital", " Retail", " Labs", " Manufacturing",
};

/* Some legal suffixes carry a comma: those names must be quoted. */
const char *const acct_suffix[] = {
	"", " Ltd", " GmbH", ", Inc.", ", LLC", " & Co", " Group", " S.A.",
	" Holdings, Inc.",
};

static const char *const status_names[] = { "open", "won", "lost" };

static const char *const open_stages[] = {
	"Qualification", "Discovery", "Proposal", "Negotiation"
};

const char *const sources[] = {
	"Outbound", "Outbound", "Outbound", "Inbound", "Inbound", "Inbound",
	"Referral", "Referral", "Partner", "Event",
};

static const char *const act_names[] = { "call", "email", "meeting", "demo" };

/* Subjects by kind; "" is an auto-logged activity without one.  "%s" is
 * replaced by the account name. */
const char *const subj_touch_call[] = {
	"Check-in call", "Left voicemail", "Call: pricing, timeline", "", "",
};

const char *const subj_touch_email[] = {
	"Follow-up", "Proposal sent", "Re: \"Q3 pricing\"",
	"Next steps, contract draft", "", "", "",
};

const char *const subj_first[] = {
	"Discovery meeting", "Discovery: %s", "Intro meeting",
};

const char *const subj_second[] = {
	"Follow-up meeting", "Product demo", "Demo for %s",
};

static const char *const subj_free_call[] = {
	"Cold call", "Prospecting call, no answer", "Left voicemail", "", "",
};

static const char *const subj_free_email[] = {
	"Outreach", "Intro: \"quick question\"", "Newsletter follow-up", "",
	"", "",
};

static const char *const subj_free_meeting[] = {
	"Internal pipeline review", "Networking lunch", "Partner sync",
};

/* ------------------------------------------------------------------ */
/* CSV output. */

/* RFC 4180: quote a field holding a comma, quote or line break. */
static void put_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	putc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', f);
		putc(*s, f);
	}
	putc('"', f);
}

static void account_name(char *buf, size_t n, unsigned a)
{
	snprintf(buf, n, "%s%s%s", acct_stem[a / (NMID * NSUFFIX)],
		 acct_mid[a / NSUFFIX % NMID], acct_suffix[a % NSUFFIX]);
}

/* An owner as the CRM wrote it: form 0 id, 1 e-mail, 2 name. */
static const char *owner_str(const struct rep *r, int form, int lower)
{
	if (form == 1)
		return r->email;
	if (form == 2)
		return lower ? r->name_lc : r->name;
	return r->id;
}

static FILE *open_out(const struct gen *g, const char *file)
{
	char path[4096];
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", g->out, file) >= sizeof(path)) {
		fprintf(stderr, "rwgen: %s/%s: path too long\n", g->out, file);
		return NULL;
	}
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "rwgen: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	return f;
}

static int close_out(const struct gen *g, FILE *f, const char *file)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad) {
		fprintf(stderr, "rwgen: %s/%s: write failed: %s\n", g->out, file, strerror(errno));
		return -1;
	}
	return 0;
}

int write_reps(struct gen *g)
{
	FILE *f = open_out(g, "reps.csv");
	char hire[16], leave[16];
	int i;

	if (!f)
		return -1;
	fputs("rep_id,name,email,team,manager,hire_date,end_date\n", f);
	for (i = 0; i < g->nreps; i++) {
		const struct rep *r = &g->reps[i];

		fmt_date(hire, r->hire);
		leave[0] = '\0';
		if (r->leave)
			fmt_date(leave, r->leave);
		fprintf(f, "%s,", r->id);
		put_field(f, r->name);
		fprintf(f, ",%s,%s,", r->email, team_names[r->team]);
		put_field(f, team_managers[r->team]);
		fprintf(f, ",%s,%s\n", hire, leave);
	}
	g->rows[0] = (uint64_t)g->nreps;
	return close_out(g, f, "reps.csv");
}

int write_opps(struct gen *g)
{
	FILE *f = open_out(g, "opportunities.csv");
	char created[16], close[16], acct[128];
	size_t i;

	if (!f)
		return -1;
	fputs("opp_id,owner,account,created,close_date,stage,status,amount,source\n", f);
	for (i = 0; i < g->nopps; i++) {
		const struct opp *o = &g->opps[i];
		int form = o->form < 95 ? 0 : o->form < 98 ? 1 : 2;

		fmt_date(created, o->created);
		fmt_date(close, o->close);
		account_name(acct, sizeof(acct), o->account);
		fprintf(f, "O%05zu,", i + 1);
		put_field(f, owner_str(&g->reps[o->owner], form, o->form == 99));
		putc(',', f);
		put_field(f, acct);
		fprintf(f, ",%s,%s,%s,%s,%" PRId64 ".%02d,%s\n", created, close,
			o->status == ST_OPEN ? open_stages[o->stage] :
			o->status == ST_WON ? "Closed Won" : "Closed Lost",
			status_names[o->status], o->cents / 100, (int)(o->cents % 100),
			sources[o->source]);
	}
	g->rows[1] = g->nopps;
	return close_out(g, f, "opportunities.csv");
}

/* Monthly revenue quota: about the revenue the rep's base behaviour is
 * expected to bring (deals x win rate x mean deal size), rounded to 1000,
 * raised 6% from the year of --end on; a quarter of it in the first month after
 * hire, half in the second, three quarters in the third. */
static int64_t quota(const struct gen *g, const struct rep *r, int mi)
{
	double q = r->opp_rate * (r->pat == PAT_IMPROVER ? 0.27 : r->win) *
		   r->size * exp(0.125);
	int tenure = mi - month_of(r->hire);

	if (mi / 12 >= g->m0 / 12)
		q *= 1.06;
	if (tenure >= 0 && tenure < 3)	/* before hire: the seat's full quota */
		q *= 0.25 * (tenure + 1);
	return (int64_t)floor(q / 1000.0 + 0.5) * 1000;
}

/* A quarterly rep's quotas: each quarter whole (also the one the window
 * starts in), the sum of its months from the hire month up to last. */
static void put_quarters(struct gen *g, FILE *f, const struct rep *r, int first, int last)
{
	int qs, mi, hired = month_of(r->hire);
	int64_t q;

	for (qs = first - first % 3; qs <= last; qs += 3) {
		q = 0;
		for (mi = qs; mi < qs + 3 && mi <= last; mi++)
			if (mi >= hired || r->seat_quota)
				q += quota(g, r, mi);
		fprintf(f, "%s,%04d-Q%d,%" PRId64 ",revenue\n", r->id, qs / 12,
			qs % 12 / 3 + 1, q);
		g->rows[2]++;
	}
}

int write_targets(struct gen *g)
{
	FILE *f = open_out(g, "targets.csv");
	int i, mi, first, last;

	if (!f)
		return -1;
	fputs("rep_id,period,target,metric\n", f);
	for (i = 0; i < g->nreps; i++) {
		const struct rep *r = &g->reps[i];

		/* quotas are set through the quarter after --end; a seat's
		 * quota (--scenario new_hire, departed) also before the hire
		 * and after its rep left, as a CRM keeps it */
		first = month_of(r->seat_quota ? g->start : r->from);
		last = r->leave && !r->seat_quota ? month_of(r->leave) : (g->m0 / 3 + 1) * 3 + 2;
		if (r->quarterly) {
			put_quarters(g, f, r, first, last);
			continue;
		}
		for (mi = first; mi <= last; mi++) {
			fprintf(f, "%s,%04d-%02d,%" PRId64 ",revenue\n", r->id,
				mi / 12, mi % 12 + 1, quota(g, r, mi));
			g->rows[2]++;
		}
	}
	return close_out(g, f, "targets.csv");
}

/* truth.csv (--scenario): what was planted on each rep and since when, for
 * bench/quality/score.sh.  planted is none, personal_decline, team_drop,
 * new_hire, departed, low_volume or improver_on_plan. */
int write_truth(struct gen *g)
{
	static const char *const what[] = {
		[PAT_NONE] = "none", [PAT_FALL] = "personal_decline",
		[PAT_TEAMDROP] = "team_drop", [PAT_HIRED] = "new_hire",
		[PAT_LEFT] = "departed", [PAT_LOWVOL] = "low_volume",
		[PAT_PLAN] = "improver_on_plan",
	};
	FILE *f = open_out(g, "truth.csv");
	char since[16];
	int i;

	if (!f)
		return -1;
	fputs("rep_id,team,planted,since\n", f);
	for (i = 0; i < g->nreps; i++) {
		const struct rep *r = &g->reps[i];

		since[0] = '\0';
		if (r->since)
			fmt_date(since, r->since);
		fprintf(f, "%s,%s,%s,%s\n", r->id, team_names[r->team],
			what[r->pat] ? what[r->pat] : "none", since);
	}
	return close_out(g, f, "truth.csv");
}

/* plans.csv (--scenario improver): one win-rate goal per rep on a plan, six
 * months from the month its rise begins, 0.10 above its base win rate. */
int write_plans(struct gen *g)
{
	FILE *f = open_out(g, "plans.csv");
	char start[16], end[16];
	double base;
	int i, n = 0;

	if (!f)
		return -1;
	fputs("plan_id,rep_id,start,end,metric,target,baseline\n", f);
	for (i = 0; i < g->nreps; i++) {
		const struct rep *r = &g->reps[i];

		if (r->pat != PAT_PLAN)
			continue;
		fmt_date(start, month_first(g->m0 + r->plant_k));
		fmt_date(end, month_first(g->m0 + r->plant_k + 6) - 1);
		base = floor(r->win * 100.0 + 0.5) / 100.0;
		fprintf(f, "P%03d,%s,%s,%s,win_rate,%.2f,%.2f\n", ++n, r->id, start, end,
			base + 0.10, base);
	}
	return close_out(g, f, "plans.csv");
}

static void put_activity(struct gen *g, FILE *f, const struct rep *r, int form,
			 int type, int32_t day, const char *opp, const char *subj)
{
	char date[16];

	fmt_date(date, day);
	fprintf(f, "A%07" PRIu64 ",", ++g->next_act);
	put_field(f, owner_str(r, form, (g->next_act & 1) != 0));
	fprintf(f, ",%s,%s,%s,", act_names[type], date, opp);
	put_field(f, subj);
	putc('\n', f);
}

static void put_touch(struct gen *g, FILE *f, const struct rep *r, const struct touch *t)
{
	char opp[32], acct[128], subj[192];
	const char *fmt;

	snprintf(opp, sizeof(opp), "O%05zu", t->opp + 1);
	if (t->kind == K_FIRST)
		fmt = subj_first[t->subj];
	else if (t->kind == K_SECOND)
		fmt = subj_second[t->subj];
	else
		fmt = t->type == A_EMAIL ? subj_touch_email[t->subj] : subj_touch_call[t->subj];
	if (strstr(fmt, "%s")) {
		account_name(acct, sizeof(acct), g->opps[t->opp].account);
		snprintf(subj, sizeof(subj), strncmp(fmt, "Demo", 4) ? "Discovery: %s"
								       : "Demo for %s", acct);
		fmt = subj;
	}
	put_activity(g, f, r, t->form, t->type, t->day, opp, fmt);
}

/* n activities that belong to no deal, on day d. */
static void put_free(struct gen *g, FILE *f, const struct rep *r, int32_t d,
		     uint64_t n, struct rng *rg)
{
	double u;
	int form, type;
	const char *subj;

	while (n-- > 0) {
		u = rng_u01(rg);
		form = rng_int(rg, 0, 99);
		form = form < 97 ? 0 : form < 99 ? 1 : 2;
		if (u < 0.5) {
			type = A_CALL;
			subj = subj_free_call[rng_int(rg, 0, NELEM(subj_free_call) - 1)];
		} else if (u < 0.95) {
			type = A_EMAIL;
			subj = subj_free_email[rng_int(rg, 0, NELEM(subj_free_email) - 1)];
		} else {
			type = A_MEETING;
			subj = subj_free_meeting[rng_int(rg, 0, NELEM(subj_free_meeting) - 1)];
		}
		put_activity(g, f, r, form, type, d, "", subj);
	}
}

/* One rep's activities, day by day: its touches on deals, then the day's
 * share of its unlinked activities (randomised rounding keeps the total
 * exact: the last active day takes what is left). */
static void rep_activities(struct gen *g, FILE *f, int ri, const struct tbuf *tb)
{
	const struct rep *r = &g->reps[ri];
	struct rng wr, cr;
	uint64_t left = r->nfree, n;
	double wleft = r->wsum, w;
	size_t ti = 0;
	int32_t d;

	rng_seed(&wr, seed_mix(r->seed, 4, 0));
	rng_seed(&cr, seed_mix(r->seed, 5, 0));
	for (d = r->from; d <= r->to; d++) {
		while (ti < tb->n && tb->v[ti].day <= d)
			put_touch(g, f, r, &tb->v[ti++]);
		w = day_weight(g, r, d, &wr);
		if (d == r->to || wleft <= w) {
			n = left;
		} else {
			n = (uint64_t)floor((double)left * w / wleft + rng_u01(&cr));
			if (n > left)
				n = left;
		}
		put_free(g, f, r, d, n, &cr);
		left -= n;
		wleft -= w;
	}
	while (ti < tb->n)
		put_touch(g, f, r, &tb->v[ti++]);
}

/* First pass over the activities: count the touches on deals and weigh
 * each rep's days, then split the unlinked rest.  Returns 0, -1 when out of
 * memory, or 1 when --activities is below the touches the deals need. */
int plan_activities(struct gen *g)
{
	struct tbuf tb = { 0 };
	int i;

	g->nlinked = 0;
	for (i = 0; i < g->nreps; i++) {
		if (rep_touches(g, i, &tb)) {
			free(tb.v);
			return -1;
		}
		g->nlinked += tb.n;
		rep_weights(g, &g->reps[i]);
	}
	free(tb.v);
	if (g->act_auto) {
		/* about two unlinked calls and e-mails a working day per rep */
		double w = 0;

		for (i = 0; i < g->nreps; i++)
			w += g->reps[i].wsum;
		g->nact = g->nlinked + (uint64_t)llround(2.0 * w);
	}
	if (g->nact < g->nlinked)
		return 1;
	free_split(g, g->nact - g->nlinked);
	return 0;
}

/* Second pass: the same touches again, now written with the unlinked
 * activities planned by plan_activities(). */
int write_activities(struct gen *g)
{
	struct tbuf tb = { 0 };
	FILE *f;
	int i, rc = -1;

	f = open_out(g, "activities.csv");
	if (!f)
		goto out_free;
	fputs("activity_id,owner,type,date,opp_id,subject\n", f);
	for (i = 0; i < g->nreps; i++) {
		if (rep_touches(g, i, &tb)) {
			fclose(f);
			goto out_free;
		}
		if (tb.n)
			qsort(tb.v, tb.n, sizeof(*tb.v), touch_cmp);
		rep_activities(g, f, i, &tb);
	}
	g->rows[3] = g->next_act;
	rc = close_out(g, f, "activities.csv");
out_free:
	free(tb.v);
	return rc;
}
