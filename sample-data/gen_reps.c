/*
 * gen_reps.c - rwgen's reps: names, traits, the planted patterns and what
 * they do to a rep's behaviour by date.
 */
#include "generator.h"

/* ------------------------------------------------------------------ */
/* Fixed vocabularies. */

struct name {
	const char *shown;	/* as in the CRM, UTF-8 */
	const char *ascii;	/* for the e-mail address */
};

static const struct name first_names[] = {
	{ "Alice", "alice" }, { "Ben", "ben" }, { "Carla", "carla" },
	{ "David", "david" }, { "Elena", "elena" }, { "Farid", "farid" },
	{ "Grace", "grace" }, { "Hiro", "hiro" }, { "Ines", "ines" },
	{ "Jonas", "jonas" }, { "Kavya", "kavya" }, { "Liam", "liam" },
	{ "Maya", "maya" }, { "Noah", "noah" }, { "Olga", "olga" },
	{ "Pedro", "pedro" }, { "Quinn", "quinn" }, { "Rosa", "rosa" },
	{ "Samir", "samir" }, { "Tara", "tara" }, { "Uma", "uma" },
	{ "Victor", "victor" }, { "Wendy", "wendy" }, { "Xavier", "xavier" },
	{ "Yara", "yara" }, { "Zo\xc3\xab", "zoe" }, { "Jos\xc3\xa9", "jose" },
	{ "Chlo\xc3\xa9", "chloe" }, { "Aisha", "aisha" }, { "Bruno", "bruno" },
	{ "Chen", "chen" }, { "Dana", "dana" }, { "Emeka", "emeka" },
	{ "Fatima", "fatima" }, { "Gustav", "gustav" }, { "Hannah", "hannah" },
	{ "Ivan", "ivan" }, { "Julia", "julia" }, { "Kofi", "kofi" },
	{ "Lena", "lena" }, { "Marco", "marco" }, { "Nadia", "nadia" },
	{ "Oscar", "oscar" }, { "Priya", "priya" }, { "Raj", "raj" },
	{ "Sofia", "sofia" }, { "Tom\xc3\xa1s", "tomas" }, { "Yusuf", "yusuf" },
};

static const struct name last_names[] = {
	{ "Anderson", "anderson" }, { "Brooks", "brooks" }, { "Carter", "carter" },
	{ "Dubois", "dubois" }, { "Evans", "evans" }, { "Fischer", "fischer" },
	{ "Garcia", "garcia" }, { "Hughes", "hughes" }, { "Ito", "ito" },
	{ "Jensen", "jensen" }, { "Kowalski", "kowalski" }, { "Larsen", "larsen" },
	{ "Martin", "martin" }, { "Nakamura", "nakamura" }, { "O'Brien", "obrien" },
	{ "Patel", "patel" }, { "Rossi", "rossi" }, { "Schmidt", "schmidt" },
	{ "Thompson", "thompson" }, { "Ueda", "ueda" }, { "Vargas", "vargas" },
	{ "Walsh", "walsh" }, { "Xu", "xu" }, { "Young", "young" },
	{ "Zimmermann", "zimmermann" }, { "M\xc3\xbcller", "muller" },
	{ "Nguyen", "nguyen" }, { "Okafor", "okafor" }, { "Silva", "silva" },
	{ "Novak", "novak" }, { "Berg", "berg" }, { "Costa", "costa" },
	{ "Moreau", "moreau" }, { "Haddad", "haddad" }, { "Kim", "kim" },
	{ "Lopez", "lopez" }, { "Ahmed", "ahmed" }, { "Byrne", "byrne" },
	{ "Diaz", "diaz" }, { "Eriksson", "eriksson" }, { "Fontaine", "fontaine" },
};

#define NFIRST (sizeof(first_names) / sizeof(first_names[0]))

#define NLAST (sizeof(last_names) / sizeof(last_names[0]))

/* ------------------------------------------------------------------ */
/* What the patterns do to the base behaviour, by date. */

/* Month offset of day from the month of --end: -1 is the month before. */
int moff(const struct gen *g, int32_t day)
{
	return month_of(day) - g->m0;
}

/* How far a scenario's personal decline has gone on day: 0 before its
 * first month, half in it, whole after (people slide, they rarely jump). */
double fall(const struct gen *g, const struct rep *r, int32_t day)
{
	int k = moff(g, day);

	if (r->pat != PAT_FALL || k < r->plant_k)
		return 0.0;
	return k == r->plant_k ? 0.5 : 1.0;
}

/* Win probability under --scenario: the decline slides to p_win times the
 * base, a team drop steps to it, a rep on a plan gains 0.05 a month from the
 * plan's first month (0.25 at most). */
static double scen_win(const struct gen *g, const struct rep *r, int32_t day)
{
	int k = moff(g, day);
	double p = r->win;

	if (r->pat == PAT_FALL)
		p *= 1.0 - (1.0 - r->p_win) * fall(g, r, day);
	else if (r->pat == PAT_TEAMDROP && k >= r->plant_k)
		p *= r->p_win;
	else if (r->pat == PAT_PLAN && k >= r->plant_k)
		p += fmin(0.05 * (k - r->plant_k + 1), 0.25);
	return p;
}

double win_prob(const struct gen *g, const struct rep *r, int32_t day)
{
	static const double decline[] = { 0.40, 0.35, 0.33, 0.31, 0.30 };
	int k = moff(g, day);
	double p = r->win;

	if (g->scen != SC_SAMPLE)
		return scen_win(g, r, day);

	if (r->pat == PAT_DECLINE && k >= -4)
		p *= decline[k + 4 < 4 ? k + 4 : 4];
	if (r->pat == PAT_IMPROVER && k >= -6)
		p = r->win + 0.07 * (k + 6);
	if (r->team == WEST && k >= -4)
		p *= 0.6;
	return p;
}

double size_factor(const struct gen *g, const struct rep *r, int32_t day)
{
	int k = moff(g, day);

	if (r->pat == PAT_IMPROVER && k >= -6)
		return 1.0 + 0.08 * (k + 6);
	return 1.0;
}

double followup_prob(const struct gen *g, const struct rep *r, int32_t day)
{
	int k = moff(g, day);

	if (r->pat == PAT_DECLINE && k >= -4)
		return k == -4 ? 0.35 : 0.28;
	if (r->pat == PAT_FALL)
		return r->followup + (r->p_fol - r->followup) * fall(g, r, day);
	return r->followup;
}

double gap_factor(const struct gen *g, const struct rep *r, int32_t day)
{
	int k = moff(g, day);

	if (r->pat == PAT_DECLINE && k >= -4)
		return 2.8;
	if (r->pat == PAT_STALE && k >= -4)
		return 2.0;
	if (r->pat == PAT_FALL)
		return 1.0 + (r->p_gap - 1.0) * fall(g, r, day);
	return 1.0;
}

/* Ramp-up of a new rep: full speed after 75 days. */
double ramp(const struct rep *r, int32_t day)
{
	double t = (double)(day - r->hire + 1) / 75.0;

	return t < 1.0 ? t : 1.0;
}

/* Deals created per weekday: the monthly rate over 261/12 weekdays, ramped
 * for a new rep; the improver also prospects more from M-8 on. */
double opp_rate(const struct gen *g, const struct rep *r, int32_t day)
{
	double rate = r->opp_rate * 12.0 / 261.0 * ramp(r, day);
	int k = moff(g, day);

	if (r->pat == PAT_IMPROVER && k >= -8)
		rate *= 1.0 + 0.08 * (k + 8);
	return rate;
}

/* ------------------------------------------------------------------ */
/* Reps. */

static void lower_ascii(char *dst, const char *src, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n && src[i]; i++)
		dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? (char)(src[i] + 32) : src[i];
	dst[i] = '\0';
}

static void shuffle(struct rng *r, int *v, int n)
{
	int i, j, t;

	for (i = n - 1; i > 0; i--) {
		j = rng_int(r, 0, i);
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

/* Name and e-mail of rep i: unique for up to 27 * NFIRST reps. */
static void rep_name(struct rep *r, int i, const int *pf, const int *pl)
{
	const struct name *f = &first_names[pf[i % (int)NFIRST]];
	const struct name *l = &last_names[pl[(i + i / (int)NFIRST) % (int)NLAST]];
	int mid = i / (int)NFIRST;

	if (mid == 0) {
		snprintf(r->name, sizeof(r->name), "%s %s", f->shown, l->shown);
		snprintf(r->email, sizeof(r->email), "%s.%s@example.com", f->ascii, l->ascii);
	} else {
		/* Middle initials A..Z, then AA, AB, ... (bijective base 26), so
		 * that names stay unique and ASCII for any number of reps. */
		char up[8], lo[8], tmp[8];
		int n = 0, k = mid;

		while (k > 0 && n < 7) {
			tmp[n++] = (char)((k - 1) % 26);
			k = (k - 1) / 26;
		}
		for (int j = 0; j < n; j++) {
			up[j] = (char)('A' + tmp[n - 1 - j]);
			lo[j] = (char)('a' + tmp[n - 1 - j]);
		}
		up[n] = lo[n] = '\0';
		snprintf(r->name, sizeof(r->name), "%s %s. %s", f->shown, up, l->shown);
		snprintf(r->email, sizeof(r->email), "%s.%s.%s@example.com", f->ascii, lo, l->ascii);
	}
	lower_ascii(r->name_lc, r->name, sizeof(r->name_lc));
}

/* Behaviour by team: SMB sells small and fast, Enterprise big and slow. */
static void rep_traits(struct rep *r, struct rng *rg)
{
	switch (r->team) {
	case SMB:
		r->size = rng_range(rg, 8000, 14000);
		r->cycle = rng_range(rg, 20, 35);
		r->opp_rate = rng_range(rg, 10, 14);
		r->gap = rng_range(rg, 6.0, 7.0);
		break;
	case ENTERPRISE:
		r->size = rng_range(rg, 30000, 42000);
		r->cycle = rng_range(rg, 55, 90);
		r->opp_rate = rng_range(rg, 8, 10);
		r->gap = rng_range(rg, 9.0, 10.0);
		break;
	default:
		r->size = rng_range(rg, 14000, 28000);
		r->cycle = rng_range(rg, 30, 60);
		r->opp_rate = rng_range(rg, 8, 12);
		r->gap = rng_range(rg, 8.0, 9.0);
		break;
	}
	r->win = rng_range(rg, 0.22, 0.35);
	r->followup = rng_range(rg, 0.78, 0.92);
	r->act = rng_range(rg, 0.7, 1.3);
	r->quarterly = r->team == ENTERPRISE;
}

/* The planted reps sit at fixed places in their team (see file comment). */
static void rep_plant(struct gen *g, struct rep *r, int pos, int base)
{
	int32_t lm = month_first(g->m0 - 6);

	if (r->team == EAST && pos == 2) {
		r->pat = PAT_DECLINE;
		r->win = 0.38;
		r->opp_rate = 15;
		r->followup = 0.88;
	} else if (r->team == CENTRAL && pos == 1) {
		r->pat = PAT_STALE;
	} else if (r->team == ENTERPRISE && pos == 0) {
		r->pat = PAT_IMPROVER;
		r->win = 0.17;
		r->opp_rate = 14;
	} else if (r->team == SMB && pos == 1) {
		r->pat = PAT_DEPARTED;
		r->leave = lm + 16;
		r->successor = base;
	} else if (r->team == SMB && pos == 2) {
		r->pat = PAT_NEWHIRE;
		r->hire = g->end - 45;
	} else if ((r->team == WEST && pos == 5) || (r->team == CENTRAL && pos == 6)) {
		/* two ordinary mid-window hires */
		r->hire = g->start + (r->team == WEST ? 60 : 150);
	}
}

/* Rep number pos (from 0) of team t, or -1 when the team is smaller. */
static int team_rep(const struct gen *g, int t, int pos)
{
	int i, n = 0;

	for (i = 0; i < g->nreps; i++)
		if (g->reps[i].team == t && n++ == pos)
			return i;
	return -1;
}

static int team_size(const struct gen *g, int t)
{
	int i, n = 0;

	for (i = 0; i < g->nreps; i++)
		n += g->reps[i].team == t;
	return n;
}

/* A rep of team t with nothing planted yet, at random; never the team's
 * first rep, who takes over the deals of those who leave. */
static struct rep *pick_rep(struct gen *g, int t, struct rng *rg)
{
	int n = team_size(g, t), tries, i;

	for (tries = 0; n > 1 && tries < 1000; tries++) {
		i = team_rep(g, t, rng_int(rg, 1, n - 1));
		if (i >= 0 && g->reps[i].pat == PAT_NONE)
			return &g->reps[i];
	}
	return NULL;
}

/* --scenario: plant its pattern at random places, from its own stream so
 * that the rest of the company is the same in every scenario of a seed.
 * Patterns on single reps go to different teams, so that none of them
 * moves a team's median by itself. */
static void scen_plant(struct gen *g)
{
	struct rng rg;
	int order[NTEAMS], i, n, t;
	struct rep *r;

	rng_seed(&rg, seed_mix(g->seed, 6, (uint64_t)g->scen));
	for (t = 0; t < NTEAMS; t++)
		order[t] = t;
	shuffle(&rg, order, NTEAMS);
	n = g->scen == SC_DECLINE ? 4 : g->scen == SC_TEAMDROP || g->scen == SC_NULL ? 0 : 2;
	if (g->scen == SC_TEAMDROP) {
		int k = -rng_int(&rg, 3, 8);

		for (i = 0; i < g->nreps; i++) {
			r = &g->reps[i];
			if (r->team != order[0])
				continue;
			r->pat = PAT_TEAMDROP;
			r->plant_k = k;
			r->p_win = 0.6;
			r->since = month_first(g->m0 + k);
		}
	}
	for (i = 0; i < n; i++) {
		r = pick_rep(g, order[i % NTEAMS], &rg);
		if (!r)
			continue;
		switch (g->scen) {
		case SC_DECLINE:
			/* win probability halved or worse, and the leading
			 * behaviour with it: fewer follow-ups, touches further
			 * apart, less prospecting; 2..11 months before the end */
			r->pat = PAT_FALL;
			r->plant_k = -rng_int(&rg, 2, 11);
			r->p_win = rng_range(&rg, 0.3, 0.5);
			r->p_fol = rng_range(&rg, 0.25, 0.45);
			r->p_gap = rng_range(&rg, 2.0, 3.0);
			r->p_act = rng_range(&rg, 0.55, 0.8);
			r->since = month_first(g->m0 + r->plant_k);
			break;
		case SC_NEWHIRE:
			r->pat = PAT_HIRED;
			r->hire = g->end - rng_int(&rg, 80, 100);
			r->seat_quota = 1;
			r->since = r->hire;
			break;
		case SC_DEPARTED:
			r->pat = PAT_LEFT;
			r->leave = g->end - rng_int(&rg, 60, 150);
			r->successor = team_rep(g, r->team, 0);
			r->seat_quota = 1;
			r->since = r->leave;
			break;
		case SC_LOWVOL:
			/* about 4 deals a month: a quarter has ~3 wins */
			r->pat = PAT_LOWVOL;
			r->opp_rate = rng_range(&rg, 3.0, 5.0);
			break;
		case SC_IMPROVER:
			r->pat = PAT_PLAN;
			r->win = rng_range(&rg, 0.12, 0.16);
			r->plant_k = -rng_int(&rg, 3, 5);
			r->since = month_first(g->m0 + r->plant_k);
			break;
		default:
			break;
		}
	}
	for (i = 0; i < g->nreps; i++) {
		r = &g->reps[i];
		r->from = r->hire > g->start ? r->hire : g->start;
		r->to = r->leave ? r->leave : g->end;
	}
}

int reps_make(struct gen *g)
{
	struct rng rg;
	int pf[NFIRST], pl[NLAST];
	int i, t, pos, base, per, extra;
	int32_t h0 = days_from_civil(2018, 1, 1);

	g->reps = calloc((size_t)g->nreps, sizeof(*g->reps));
	if (!g->reps)
		return -1;
	rng_seed(&rg, seed_mix(g->seed, 1, 0));
	for (i = 0; i < (int)NFIRST; i++)
		pf[i] = i;
	for (i = 0; i < (int)NLAST; i++)
		pl[i] = i;
	shuffle(&rg, pf, (int)NFIRST);
	shuffle(&rg, pl, (int)NLAST);
	per = g->nreps / NTEAMS;
	extra = g->nreps % NTEAMS;
	i = 0;
	for (t = 0; t < NTEAMS; t++) {
		base = i;
		for (pos = 0; pos < per + (t < extra); pos++, i++) {
			struct rep *r = &g->reps[i];

			snprintf(r->id, sizeof(r->id), "R%03d", i + 1);
			rep_name(r, i, pf, pl);
			r->team = t;
			r->seed = seed_mix(g->seed, 2, (uint64_t)i);
			/* hired 2018 .. 200 days before the window */
			if (h0 > g->start - 2000)
				h0 = g->start - 2000;
			r->hire = h0 + rng_int(&rg, 0, g->start - 200 - h0);
			rep_traits(r, &rg);
			if (g->scen == SC_SAMPLE)
				rep_plant(g, r, pos, base);
			r->from = r->hire > g->start ? r->hire : g->start;
			r->to = r->leave ? r->leave : g->end;
		}
	}
	if (g->scen != SC_SAMPLE)
		scen_plant(g);
	return 0;
}
