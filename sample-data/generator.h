/*
 * generator.h - the sample generator's model and the functions its files
 * share: random streams and days (gen_random.c), reps and what the planted
 * patterns do to them (gen_reps.c), deals and their touches (gen_deals.c),
 * the CSV files (gen_csv.c); generator.c reads the command line.  rwgen
 * links only libm: none of this is the library's.
 */
#ifndef RWGEN_GENERATOR_H
#define RWGEN_GENERATOR_H

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

/* A xoshiro256** stream (gen_random.c). */
struct rng {
	uint64_t s[4];
};

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

enum team { EAST, WEST, CENTRAL, ENTERPRISE, SMB, NTEAMS };

enum status { ST_OPEN, ST_WON, ST_LOST };

enum act_type { A_CALL, A_EMAIL, A_MEETING, A_DEMO };

/* The words the deals draw and the CSV files write (gen_csv.c). */
extern const char *const sources[10];
extern const char *const acct_stem[30];
extern const char *const acct_mid[10];
extern const char *const acct_suffix[9];
extern const char *const subj_touch_call[5];
extern const char *const subj_touch_email[7];
extern const char *const subj_first[3];
extern const char *const subj_second[3];

#define NSTEM (sizeof(acct_stem) / sizeof(acct_stem[0]))
#define NMID (sizeof(acct_mid) / sizeof(acct_mid[0]))
#define NSUFFIX (sizeof(acct_suffix) / sizeof(acct_suffix[0]))
#define NACCOUNTS (NSTEM * NMID * NSUFFIX)
#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

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

/*
 * gen_random.c.  A stream is seeded by rng_seed; seed_mix derives the seed
 * of a rep's or a deal's own stream, so no stream's draws depend on
 * another's.  rng_u01 is uniform in [0, 1), rng_int in [lo, hi],
 * rng_range in [lo, hi); rng_normal (Box-Muller) takes exactly two draws.
 * Days count from 1970-01-01; months from year 0 (year * 12 + month - 1);
 * weekday 0 is Monday.  fmt_date writes "YYYY-MM-DD"; parse_date reads
 * exactly that (years 1900-9999) and returns 0, or -1 with *out untouched.
 */
void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
double rng_u01(struct rng *r);
int rng_int(struct rng *r, int lo, int hi);
double rng_range(struct rng *r, double lo, double hi);
double rng_normal(struct rng *r);
int rng_poisson(struct rng *r, double lambda);
uint64_t seed_mix(uint64_t seed, uint64_t a, uint64_t b);
int32_t days_from_civil(int y, int m, int d);
int month_of(int32_t day);
int32_t month_first(int mi);
int weekday(int32_t day);
void fmt_date(char buf[16], int32_t day);
int parse_date(const char *s, int32_t *out);

/*
 * gen_reps.c.  What a rep does on a day, its planted pattern applied:
 * moff is the month offset from --end's month (-1: the month before);
 * fall how far a scenario's decline has gone (0 to 1); win_prob,
 * followup_prob the probabilities; size_factor, gap_factor multiply the
 * base deal size and touch gap; ramp is a new rep's speed (0 to 1);
 * opp_rate the deals created per weekday.  reps_make draws every rep and
 * plants the patterns: 0, or -1 when out of memory.
 */
int moff(const struct gen *g, int32_t day);
double fall(const struct gen *g, const struct rep *r, int32_t day);
double win_prob(const struct gen *g, const struct rep *r, int32_t day);
double size_factor(const struct gen *g, const struct rep *r, int32_t day);
double followup_prob(const struct gen *g, const struct rep *r, int32_t day);
double gap_factor(const struct gen *g, const struct rep *r, int32_t day);
double ramp(const struct rep *r, int32_t day);
double opp_rate(const struct gen *g, const struct rep *r, int32_t day);
int reps_make(struct gen *g);

/*
 * gen_deals.c.  opps_make draws every rep's deals, sorted by creation: 0,
 * or -1 when out of memory.  rep_touches appends to tb every touch rep ri
 * made on any deal (the same on every call), 0 or -1; touch_cmp orders
 * touches by day.  day_weight is a rep's unlinked activity weight on day
 * d, rep_weights sums it into r->wsum, and free_split shares nfree
 * unlinked activities over the reps by weight (largest remainder).
 */
int opps_make(struct gen *g);
int rep_touches(const struct gen *g, int ri, struct tbuf *tb);
int touch_cmp(const void *a, const void *b);
double day_weight(const struct gen *g, const struct rep *r, int32_t d, struct rng *rg);
void rep_weights(const struct gen *g, struct rep *r);
void free_split(struct gen *g, uint64_t nfree);

/*
 * gen_csv.c.  Each write_* writes its file into g->out and returns 0, or
 * -1 when it cannot (a file error is said on stderr).  plan_activities is the first pass over
 * the activities (count the touches, split the unlinked rest): 0, -1 when
 * out of memory, 1 when --activities is below what the deals need;
 * write_activities the second, which writes them.
 */
int write_reps(struct gen *g);
int write_opps(struct gen *g);
int write_targets(struct gen *g);
int write_truth(struct gen *g);
int write_plans(struct gen *g);
int plan_activities(struct gen *g);
int write_activities(struct gen *g);

#endif
