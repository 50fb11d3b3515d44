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
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

enum { EX_OK = 0, EX_USAGE = 1, EX_FAIL = 2 };

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64 to seed xoshiro256** (Blackman and Vigna,
 * "Scrambled linear pseudorandom number generators", 2018). */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, 1) with 53 random bits. */
static double rng_u01(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi]. */
static int rng_int(struct rng *r, int lo, int hi)
{
	return lo + (int)(rng_u01(r) * (double)(hi - lo + 1));
}

static double rng_range(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * rng_u01(r);
}

/* Standard normal by Box-Muller; uses exactly two draws. */
static double rng_normal(struct rng *r)
{
	double u = 1.0 - rng_u01(r);
	double v = rng_u01(r);

	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* Poisson by Knuth's product method; fine for the small means used here. */
static int rng_poisson(struct rng *r, double lambda)
{
	double limit = exp(-lambda), p = 1.0;
	int k = 0;

	if (lambda <= 0)
		return 0;
	for (;;) {
		p *= rng_u01(r);
		if (p <= limit)
			return k;
		k++;
	}
}

/* A seed for a sub-stream: the rep or deal's own generator. */
static uint64_t seed_mix(uint64_t seed, uint64_t a, uint64_t b)
{
	uint64_t x = seed ^ (a * 0xd1342543de82ef95ULL) ^ (b * 0x2545f4914f6cdd1dULL);

	return splitmix64(&x);
}

/* ------------------------------------------------------------------ */
/* Calendar: days since 1970-01-01 (Howard Hinnant's civil algorithms). */

static int32_t days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

static void civil_from_days(int32_t day, int *y, int *m, int *d)
{
	int64_t z = (int64_t)day + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;

	*y = (int)(yoe + era * 400 + (mm <= 2));
	*m = (int)mm;
	*d = (int)dd;
}

/* Months since year 0: 2026-10 is 2026 * 12 + 9. */
static int month_of(int32_t day)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	return y * 12 + m - 1;
}

static int32_t month_first(int mi)
{
	return days_from_civil(mi / 12, mi % 12 + 1, 1);
}

/* 0 = Monday ... 6 = Sunday; 1970-01-01 was a Thursday. */
static int weekday(int32_t day)
{
	return (int)(((int64_t)day % 7 + 7 + 3) % 7);
}

static void fmt_date(char buf[16], int32_t day)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(buf, 16, "%04d-%02d-%02d", y, m, d);
}

static int parse_date(const char *s, int32_t *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, n = 0;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
		return -1;
	if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	*out = days_from_civil(y, m, d);
	return 0;
}

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

enum team { EAST, WEST, CENTRAL, ENTERPRISE, SMB, NTEAMS };

static const char *const team_names[NTEAMS] = {
	"East", "West", "Central", "Enterprise", "SMB"
};

/* Managers are people in the org chart, not reps with deals. */
static const char *const team_managers[NTEAMS] = {
	"Helen Brandt", "Marcus Webb", "Ingrid Solberg", "Raymond Achebe",
	"Lucia Ferreira"
};

static const char *const acct_stem[] = {
	"Alder", "Birchwood", "Cobalt", "Driftwood", "Ember", "Fjord",
	"Granite", "Harbor", "Ironbridge", "Juniper", "Kestrel", "Lumen",
	"Meridian", "Northwind", "Oakridge", "Pinnacle", "Quarry", "Redwood",
	"Summit", "Tidewater", "Upland", "Vertex", "Willow", "Zephyr",
	"Bluebird", "Copperline", "Evergreen", "Foxglove", "Sj\303\266berg",
	"\"Blue Sky\"",
};

static const char *const acct_mid[] = {
	"", " Logistics", " Health", " Foods", " Software", " Energy",
	" Capital", " Retail", " Labs", " Manufacturing",
};

/* Some legal suffixes carry a comma: those names must be quoted. */
static const char *const acct_suffix[] = {
	"", " Ltd", " GmbH", ", Inc.", ", LLC", " & Co", " Group", " S.A.",
	" Holdings, Inc.",
};

#define NSTEM (sizeof(acct_stem) / sizeof(acct_stem[0]))
#define NMID (sizeof(acct_mid) / sizeof(acct_mid[0]))
#define NSUFFIX (sizeof(acct_suffix) / sizeof(acct_suffix[0]))
#define NACCOUNTS (NSTEM * NMID * NSUFFIX)

enum status { ST_OPEN, ST_WON, ST_LOST };

static const char *const status_names[] = { "open", "won", "lost" };

static const char *const open_stages[] = {
	"Qualification", "Discovery", "Proposal", "Negotiation"
};

static const char *const sources[] = {
	"Outbound", "Outbound", "Outbound", "Inbound", "Inbound", "Inbound",
	"Referral", "Referral", "Partner", "Event",
};

#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

enum act_type { A_CALL, A_EMAIL, A_MEETING, A_DEMO };

static const char *const act_names[] = { "call", "email", "meeting", "demo" };

/* Subjects by kind; "" is an auto-logged activity without one.  "%s" is
 * replaced by the account name. */
static const char *const subj_touch_call[] = {
	"Check-in call", "Left voicemail", "Call: pricing, timeline", "", "",
};
static const char *const subj_touch_email[] = {
	"Follow-up", "Proposal sent", "Re: \"Q3 pricing\"",
	"Next steps, contract draft", "", "", "",
};
static const char *const subj_first[] = {
	"Discovery meeting", "Discovery: %s", "Intro meeting",
};
static const char *const subj_second[] = {
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

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------------------ */
/* The model. */

enum pattern {
	PAT_NONE,
	PAT_DECLINE,	/* East: personal decline from M-4 */
	PAT_STALE,	/* Central: neglected pipeline from M-4 */
	PAT_NEWHIRE,	/* SMB: hired 45 days before --end */
	PAT_DEPARTED,	/* SMB: left in M-6 */
	PAT_IMPROVER,	/* Enterprise: rising from M-6 */
	/* --scenario: one pattern at random places, from a chosen month */
	PAT_FALL,	/* personal decline: results and behaviour */
	PAT_TEAMDROP,	/* every rep of a team: win rate down */
	PAT_HIRED,	/* hired ~3 months before --end, quota set before */
	PAT_LEFT,	/* left a few months before --end, quota set after */
	PAT_LOWVOL,	/* few deals, behaviour as anyone's */
	PAT_PLAN,	/* on an improvement plan, win rate rising */
};

/* What --scenario plants (SC_SAMPLE: the fixed patterns of sample-data/). */
enum scenario {
	SC_SAMPLE, SC_NULL, SC_DECLINE, SC_TEAMDROP, SC_NEWHIRE, SC_DEPARTED,
	SC_LOWVOL, SC_IMPROVER, NSCEN
};

static const char *const scen_names[NSCEN] = {
	"sample", "null", "decline", "team_drop", "new_hire", "departed",
	"low_volume", "improver"
};

struct rep {
	char id[16];
	char name[80];
	char name_lc[80];	/* the name as some exports spell it */
	char email[112];
	int team;
	int32_t hire, leave;	/* leave 0: still here */
	int32_t from, to;	/* days active inside the window */
	enum pattern pat;
	int successor;		/* takes over the deals of a rep who left */
	int quarterly;		/* quota set per quarter */
	double win;		/* base win probability */
	double size;		/* median deal size */
	double cycle;		/* median days from created to close */
	double opp_rate;	/* deals created per month at full ramp */
	double gap;		/* mean days between touches on an open deal */
	double followup;	/* chance of a second meeting within 30 days */
	double act;		/* unlinked activities per weekday, relative */
	/* --scenario only: the planted change */
	int plant_k;		/* first month of it, as an offset from M (<= 0) */
	double p_win;		/* win probability factor once planted */
	double p_fol;		/* follow-up probability once declined */
	double p_gap;		/* touch gap factor once declined */
	double p_act;		/* unlinked activity factor once declined */
	int32_t since;		/* truth.csv: when the pattern began */
	int seat_quota;		/* quota rows also before hire and after leaving */
	uint64_t seed;
	double wsum;		/* sum of daily activity weights */
	uint64_t nfree;		/* unlinked activities to write */
};

struct opp {
	int32_t created, close;	/* close: actual, or expected when open */
	int64_t cents;
	uint64_t seed;		/* the deal's own stream for its touches */
	int creator, owner;	/* owner differs when the creator left */
	int seq;		/* creation order, to sort ties */
	int nth;		/* creation order among its creator's deals */
	uint8_t status, stage, source, form;
	uint16_t account;
};

struct touch {
	int32_t day;
	int type;
	int form;		/* owner spelled as id, e-mail or name */
	int subj;		/* index into the subject table of its kind */
	int kind;		/* K_* below: which subject table */
	size_t opp;		/* index into gen.opps */
	size_t seq;
};

enum { K_TOUCH, K_FIRST, K_SECOND };

struct tbuf {
	struct touch *v;
	size_t n, cap;
};

struct gen {
	uint64_t seed;
	const char *out;
	int32_t end, start;
	int m0;			/* month index of --end */
	int scen;		/* enum scenario */
	int deals_only;		/* write no activities.csv */
	int act_auto;		/* scenario without --activities: size it from the deals */
	int months;
	int nreps;
	uint64_t nact;
	struct rep *reps;
	struct opp *opps;
	size_t nopps, capopps;
	uint64_t nlinked;	/* touches on deals, counted in the first pass */
	uint64_t next_act;
	uint64_t rows[4];	/* rows written per file, for the summary */
};

/* ------------------------------------------------------------------ */
/* What the patterns do to the base behaviour, by date. */

/* Month offset of day from the month of --end: -1 is the month before. */
static int moff(const struct gen *g, int32_t day)
{
	return month_of(day) - g->m0;
}

/* How far a scenario's personal decline has gone on day: 0 before its
 * first month, half in it, whole after (people slide, they rarely jump). */
static double fall(const struct gen *g, const struct rep *r, int32_t day)
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

static double win_prob(const struct gen *g, const struct rep *r, int32_t day)
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

static double size_factor(const struct gen *g, const struct rep *r, int32_t day)
{
	int k = moff(g, day);

	if (r->pat == PAT_IMPROVER && k >= -6)
		return 1.0 + 0.08 * (k + 6);
	return 1.0;
}

static double followup_prob(const struct gen *g, const struct rep *r, int32_t day)
{
	int k = moff(g, day);

	if (r->pat == PAT_DECLINE && k >= -4)
		return k == -4 ? 0.35 : 0.28;
	if (r->pat == PAT_FALL)
		return r->followup + (r->p_fol - r->followup) * fall(g, r, day);
	return r->followup;
}

static double gap_factor(const struct gen *g, const struct rep *r, int32_t day)
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
static double ramp(const struct rep *r, int32_t day)
{
	double t = (double)(day - r->hire + 1) / 75.0;

	return t < 1.0 ? t : 1.0;
}

/* Deals created per weekday: the monthly rate over 261/12 weekdays, ramped
 * for a new rep; the improver also prospects more from M-8 on. */
static double opp_rate(const struct gen *g, const struct rep *r, int32_t day)
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

static int reps_make(struct gen *g)
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

/* ------------------------------------------------------------------ */
/* Opportunities. */

static struct opp *opp_push(struct gen *g)
{
	struct opp *p;
	size_t ncap;

	if (g->nopps == g->capopps) {
		ncap = g->capopps ? g->capopps * 2 : 1024;
		if (ncap > SIZE_MAX / sizeof(*p))
			return NULL;
		p = realloc(g->opps, ncap * sizeof(*p));
		if (!p)
			return NULL;
		g->opps = p;
		g->capopps = ncap;
	}
	p = &g->opps[g->nopps++];
	memset(p, 0, sizeof(*p));
	return p;
}

/* Draw one deal created on day by rep ri. */
static void opp_draw(struct gen *g, int ri, int32_t day, struct rng *rg, struct opp *o)
{
	const struct rep *r = &g->reps[ri];
	double cyc = r->cycle * exp(0.4 * rng_normal(rg));
	double amount, u = rng_u01(rg);

	if (r->pat == PAT_STALE && moff(g, day) >= -5)
		cyc *= 1.5;	/* neglected deals drag on */
	if (cyc < 7)
		cyc = 7;
	if (cyc > 200)
		cyc = 200;
	o->created = day;
	o->close = day + (int32_t)lround(cyc);
	o->creator = o->owner = ri;
	o->seed = rng_next(rg);
	o->account = (uint16_t)rng_int(rg, 0, NACCOUNTS - 1);
	o->source = (uint8_t)rng_int(rg, 0, NSOURCES - 1);
	o->form = (uint8_t)rng_int(rg, 0, 99);
	amount = r->size * exp(0.5 * rng_normal(rg)) * size_factor(g, r, o->close);
	amount = floor(amount / 100.0 + 0.5) * 100.0;
	o->cents = (int64_t)(amount < 1000 ? 1000 : amount) * 100;
	if (o->close > g->end) {
		double frac = (double)(g->end - day) / (double)(o->close - day);

		o->status = ST_OPEN;
		o->stage = (uint8_t)(frac < 0.25 ? 0 : frac < 0.5 ? 1 : frac < 0.75 ? 2 : 3);
	} else {
		o->status = u < win_prob(g, r, o->close) ? ST_WON : ST_LOST;
	}
	if (r->leave && (o->status == ST_OPEN || o->close > r->leave))
		o->owner = r->successor;
}

static int opps_for_rep(struct gen *g, int ri)
{
	const struct rep *r = &g->reps[ri];
	struct rng rg;
	int32_t d;
	int n, nth = 0;

	rng_seed(&rg, seed_mix(r->seed, 3, 0));
	for (d = r->from; d <= r->to; d++) {
		if (weekday(d) >= 5)
			continue;
		n = rng_poisson(&rg, opp_rate(g, r, d));
		while (n-- > 0) {
			struct opp *o = opp_push(g);

			if (!o)
				return -1;
			o->seq = (int)g->nopps;
			o->nth = nth++;
			opp_draw(g, ri, d, &rg, o);
		}
	}
	return 0;
}

static int opp_cmp(const void *a, const void *b)
{
	const struct opp *x = a, *y = b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int opps_make(struct gen *g)
{
	int i;

	for (i = 0; i < g->nreps; i++)
		if (opps_for_rep(g, i))
			return -1;
	if (g->nopps)
		qsort(g->opps, g->nopps, sizeof(*g->opps), opp_cmp);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Touches on deals: first meeting, second meeting, calls and e-mails. */

static int tbuf_push(struct tbuf *tb, const struct touch *t)
{
	struct touch *p;
	size_t ncap;

	if (tb->n == tb->cap) {
		ncap = tb->cap ? tb->cap * 2 : 256;
		if (ncap > SIZE_MAX / sizeof(*p))
			return -1;
		p = realloc(tb->v, ncap * sizeof(*p));
		if (!p)
			return -1;
		tb->v = p;
		tb->cap = ncap;
	}
	tb->v[tb->n] = *t;
	tb->v[tb->n].seq = tb->n;
	tb->n++;
	return 0;
}

/* Who did an activity on deal o on day: its creator, or the successor once
 * the creator has left. */
static int actor_of(const struct gen *g, const struct opp *o, int32_t day)
{
	const struct rep *c = &g->reps[o->creator];

	return (c->leave && day > c->leave) ? o->owner : o->creator;
}

/* Add touch t (on deal oi) to tb when rep ri did it. */
static int touch_keep(const struct gen *g, size_t oi, int ri, struct touch *t,
		      struct rng *rg, struct tbuf *tb)
{
	int u = rng_int(rg, 0, 99);

	t->form = u < 97 ? 0 : u < 99 ? 1 : 2;
	t->opp = oi;
	if (actor_of(g, &g->opps[oi], t->day) != ri)
		return 0;
	return tbuf_push(tb, t);
}

/* A uniform draw for the nth deal of a rep: the golden-ratio sequence,
 * jittered.  Consecutive deals get well spread values, so a month's
 * follow-up share sits close to the rep's probability instead of swinging
 * by +-0.15 on a dozen deals, and the planted drop stays readable. */
static double spread(int nth, double jitter)
{
	double x = (double)nth * 0.6180339887498949 + 0.2 * jitter;

	return x - floor(x);
}

static int meetings(const struct gen *g, size_t oi, int ri, int32_t last,
		    int32_t neglect, struct rng *rg, struct tbuf *tb)
{
	const struct opp *o = &g->opps[oi];
	const struct rep *r = &g->reps[o->creator];
	struct touch t = { 0 };
	int32_t fm = o->created + rng_int(rg, 1, 6), sm;
	double u = spread(o->nth, rng_u01(rg));
	int late = rng_int(rg, 32, 60), soon = rng_int(rg, 4, 26);

	if (fm > last)
		return 0;
	t.day = fm;
	t.type = A_MEETING;
	t.kind = K_FIRST;
	t.subj = rng_int(rg, 0, NELEM(subj_first) - 1);
	if (touch_keep(g, oi, ri, &t, rg, tb))
		return -1;
	/* a second meeting within 30 days, or (sometimes) a late one */
	if (u < followup_prob(g, r, fm))
		sm = fm + soon < last ? fm + soon : last;
	else if (u > 0.7)
		sm = fm + late;
	else
		return 0;
	if (sm > last || sm == fm || sm >= neglect)
		return 0;
	t.day = sm;
	t.kind = K_SECOND;
	t.subj = rng_int(rg, 0, NELEM(subj_second) - 1);
	t.type = t.subj == 0 ? A_MEETING : A_DEMO;
	return touch_keep(g, oi, ri, &t, rg, tb);
}

/* Days to the next touch: mostly within half to one and a half times the
 * mean, with an occasional lapse of up to three times it. */
static int32_t touch_gap(double mean, struct rng *rg)
{
	double u = rng_u01(rg), f = rng_u01(rg);
	double gap = u < 0.93 ? mean * (0.5 + f) : mean * (1.5 + 1.5 * f);

	return gap < 1.0 ? 1 : (int32_t)lround(gap);
}

/* All touches of deal oi done by rep ri, appended to tb.  The deal's own
 * stream makes them the same on every call. */
static int opp_touches(const struct gen *g, size_t oi, int ri, struct tbuf *tb)
{
	const struct opp *o = &g->opps[oi];
	const struct rep *r = &g->reps[o->creator];
	int32_t last = o->status == ST_OPEN ? g->end : o->close;
	int32_t neglect = INT32_MAX, d;
	struct touch t = { 0 };
	struct rng rg;

	rng_seed(&rg, o->seed);
	/* a neglected deal gets nothing after its first meeting */
	if (r->pat == PAT_STALE && rng_u01(&rg) < 0.8) {
		neglect = month_first(g->m0 - 4);
		if (neglect < o->created + 7)
			neglect = o->created + 7;
	}
	if (meetings(g, oi, ri, last, neglect, &rg, tb))
		return -1;
	for (d = o->created;;) {
		d += touch_gap(r->gap * gap_factor(g, r, d), &rg);
		if (d > last || d >= neglect)
			return 0;
		t.day = d;
		t.kind = K_TOUCH;
		t.type = rng_u01(&rg) < 0.55 ? A_EMAIL : A_CALL;
		t.subj = t.type == A_EMAIL ? rng_int(&rg, 0, NELEM(subj_touch_email) - 1)
					   : rng_int(&rg, 0, NELEM(subj_touch_call) - 1);
		if (touch_keep(g, oi, ri, &t, &rg, tb))
			return -1;
	}
}

/* Every touch rep ri did on any deal, sorted by day. */
static int rep_touches(const struct gen *g, int ri, struct tbuf *tb)
{
	size_t i;

	tb->n = 0;
	for (i = 0; i < g->nopps; i++) {
		const struct opp *o = &g->opps[i];

		if (o->creator != ri && o->owner != ri)
			continue;
		if (opp_touches(g, i, ri, tb))
			return -1;
	}
	return 0;
}

static int touch_cmp(const void *a, const void *b)
{
	const struct touch *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* ------------------------------------------------------------------ */
/* Unlinked activity: a weight per day, and an exact total per rep. */

static double day_weight(const struct gen *g, const struct rep *r, int32_t d, struct rng *rg)
{
	double w = (weekday(d) < 5 ? 1.0 : 0.06) * r->act * rng_range(rg, 0.6, 1.4);
	int k = moff(g, d);

	w *= ramp(r, d);
	if (r->pat == PAT_DECLINE && k >= -4)
		w *= 0.6;
	if (r->pat == PAT_STALE && k >= -4)
		w *= 0.7;
	if (r->pat == PAT_FALL)
		w *= 1.0 + (r->p_act - 1.0) * fall(g, r, d);
	return w;
}

static void rep_weights(const struct gen *g, struct rep *r)
{
	struct rng rg;
	int32_t d;

	rng_seed(&rg, seed_mix(r->seed, 4, 0));
	r->wsum = 0;
	for (d = r->from; d <= r->to; d++)
		r->wsum += day_weight(g, r, d, &rg);
}

/* Split nfree over the reps by their weight (largest remainder). */
static void free_split(struct gen *g, uint64_t nfree)
{
	double total = 0, best;
	uint64_t given = 0;
	int i, pick;

	for (i = 0; i < g->nreps; i++)
		total += g->reps[i].wsum;
	for (i = 0; i < g->nreps; i++) {
		g->reps[i].nfree = (uint64_t)floor((double)nfree * g->reps[i].wsum / total);
		given += g->reps[i].nfree;
	}
	while (given < nfree) {
		pick = 0;
		best = -1;
		for (i = 0; i < g->nreps; i++) {
			double share = (double)nfree * g->reps[i].wsum / total;
			double rem = share - (double)g->reps[i].nfree;

			if (rem > best) {
				best = rem;
				pick = i;
			}
		}
		g->reps[pick].nfree++;
		given++;
	}
}

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

static int write_reps(struct gen *g)
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

static int write_opps(struct gen *g)
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

static int write_targets(struct gen *g)
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
static int write_truth(struct gen *g)
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
static int write_plans(struct gen *g)
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
static int plan_activities(struct gen *g)
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
static int write_activities(struct gen *g)
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
