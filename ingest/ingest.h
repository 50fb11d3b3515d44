/*
 * ingest.h - CSV exports to a struct rw_dataset (SPEC section 2).
 *
 * Every file is streamed through libcsv in large blocks and never loaded
 * whole.  Header names are matched case-insensitively, column order is
 * free, unknown columns are ignored; a UTF-8 BOM and CRLF are accepted.
 * A row that cannot be read goes to the rejects file (source file, line,
 * column, reason, raw record) and is never guessed at.
 *
 * Vendor exports (Salesforce, HubSpot, Pipedrive) are read through
 * profiles that map their headers onto the canonical columns; a profile is
 * picked from each file's header, or forced by name, and the configuration
 * can map any other header (see docs/inputs.md).  Windows-1252 and UTF-16
 * files are converted to UTF-8 with iconv.
 *
 * Order of work: reps, opportunities, targets, stage history, plans, then
 * activities streamed and folded into the dataset (see engine.h).
 */
#ifndef RW_INGEST_H
#define RW_INGEST_H

#include "../common/common.h"
#include "../engine/engine.h"
#include "inputs.h"

#include <stdint.h>

enum rw_date_order { RW_DATE_AUTO, RW_DATE_MDY, RW_DATE_DMY };

/* Text encoding of the inputs: AUTO is UTF-8 (validated), or UTF-16 when
 * the file starts with a UTF-16 byte order mark. */
enum rw_encoding { RW_ENC_AUTO, RW_ENC_UTF8, RW_ENC_CP1252, RW_ENC_UTF16 };

/* ---- Configuration mapping (INI sections read by cli/config.c) -------- */

#define RW_MAP_MAX 96
#define RW_MAP_TEXT 256

enum rw_map_kind {
	RW_MAP_COLUMN,		/* [columns.FILE] canonical = Header, Other */
	RW_MAP_VALUE,		/* [values.FILE] canonical = fixed value */
	RW_MAP_WON,		/* [stages] won = A, B */
	RW_MAP_LOST,		/* [stages] lost = ... */
	RW_MAP_SKIP,		/* [stages] skip = ... (rows read, not used) */
	RW_MAP_ACT,		/* [activity_types] meeting = Demo, ... */
	RW_MAP_RATE		/* [currency] EUR = 1.08 */
};

struct rw_map_entry {
	enum rw_map_kind kind;
	int file;			/* enum rw_input_file (COLUMN, VALUE) */
	int col;			/* canonical column (COLUMN, VALUE) or
					 * enum rw_act_type (ACT) */
	char text[RW_MAP_TEXT];		/* comma-separated names, a value, or
					 * the currency code (RATE) */
	double rate;			/* RATE: one unit in the base currency */
	long line;			/* line in the configuration file */
};

struct rw_ingest_map {
	struct rw_map_entry e[RW_MAP_MAX];
	int n;
	char base_currency[8];		/* [currency] base, "" when not set */
};

struct rw_ingest_opts {
	const char *data_dir;	/* folder holding the canonical files */
	const char *paths[RW_NINPUTS];	/* explicit paths; NULL = data_dir/<name> */
	const char *rejects_path;	/* rejects CSV written here (NULL: none) */
	enum rw_date_order date_order;	/* for slash dates; AUTO = detected
					 * per file (docs/inputs.md) */
	double max_reject_share;	/* SPEC default 0.05 */
	int show_progress;		/* 1: progress on stderr */
	char decimal;			/* amounts' decimal mark, '.' or ',' ('.') */
	char profile[32];		/* forced profile name, "" = from header */
	enum rw_encoding encoding;	/* AUTO unless the config says */
	int require_activities;		/* 1: no activities export is an error */
	int created_from_close;		/* close_before_created = use_close: a
					 * deal closed before its created date
					 * is read as created on its close date
					 * (0: such a row is rejected) */
	struct rw_ingest_map map;	/* configuration mapping */
	/* Threads parsing an activities file: 1 reads it on the calling
	 * thread alone; 0 (the default) or more also reads its second half
	 * on another thread, with the same result (see struct rw_csv_split
	 * in ingest_int.h).  A file is split only when both halves hold at
	 * least split_min bytes (0: RW_SPLIT_MIN); never with on_activity. */
	int threads;
	uint64_t split_min;
	uint64_t split_at;		/* tests: cut near this byte (0: middle) */
	/* 1: keep every activity id's hash in memory and check it as the
	 * row streams (always with on_activity); 0: spill them to a
	 * temporary file and check after the read (ingest.c). */
	int ids_in_memory;
	/* Called with every activity handed to the dataset (owner and deal
	 * resolved, duplicates dropped), whatever its day: a backtest keeps
	 * them to fold again at each replayed day.  NULL: not called. */
	void (*on_activity)(void *arg, uint32_t rep, uint32_t opp, int32_t day,
			    enum rw_act_type type);
	void *on_activity_arg;
};

#define RW_SPLIT_MIN ((uint64_t)4 << 20)

/* Fill *o with SPEC's defaults (data_dir ".", decimal '.'). */
void rw_ingest_opts_default(struct rw_ingest_opts *o);

/*
 * One key of the configuration that belongs to ingest: section is
 * "repwatch" (encoding, profile, require_activities,
 * close_before_created), "columns.FILE",
 * "values.FILE", "stages", "activity_types" or "currency" (FILE is
 * opportunities, activities, reps, targets, stage_history or plans).
 * Returns 0, RW_ECONFIG with err saying which key and why, or -1 (err
 * untouched) when the section or the [repwatch] key is not ingest's.
 */
int rw_ingest_config_key(struct rw_ingest_opts *o, const char *section,
			 const char *name, const char *value, long line,
			 struct rw_err *err);

/* 1 when section is one that rw_ingest_config_key() reads. */
int rw_ingest_config_section(const char *section);

/* Names of the known profiles, NULL-terminated ("canonical", ...). */
const char *const *rw_profile_names(void);

/* What `repwatch check` and the run summary say about one file read. */
#define RW_MAX_FILES 32
#define RW_SHOW_REJECTS 5

struct rw_file_report {
	char path[1024];
	int file;			/* enum rw_input_file, or -1: not read */
	char profile[32];		/* profile that read it */
	char found[768];		/* "opp_id <- Deal - ID; ..." */
	char missed[384];		/* canonical columns not found */
	char dates[160];		/* date order used and why */
	char note[256];			/* why it was not read, or a warning */
	uint64_t rows_read, rows_rejected, rows_skipped;
	int threads;			/* threads that parsed it (1 or 2) */
	uint64_t duplicates;		/* rows repeating an earlier activity
					 * (same activity_id, same content):
					 * read, not counted twice */
	char sha256[65];		/* of the file's bytes, "" before read */
	int nrejects;			/* first rejects kept (<= RW_SHOW_REJECTS) */
	char rejects[RW_SHOW_REJECTS][240];
};

struct rw_ingest_stats {
	struct rw_input_stats file[RW_NINPUTS];
	struct rw_file_report files[RW_MAX_FILES];	/* every CSV looked at */
	int nfiles;
	uint64_t unknown_owners;	/* distinct owners matching no rep: deal
					 * owners became (unassigned) reps,
					 * activity-only owners are skipped */
	uint64_t unknown_opps;		/* activities naming an unknown deal */
	uint64_t after_as_of;		/* rows dated after as_of, ignored */
	uint64_t unknown_owner_acts;	/* activities skipped: owner is no rep */
	uint64_t skipped_rows;		/* report footers and [stages] skip rows */
	uint64_t duplicate_acts;	/* activity rows repeating an earlier
					 * row's activity_id and content */
	char base_currency[8];		/* amounts are in this currency */
};

/*
 * Read all inputs into ds (which must be empty and have its settings).
 * opportunities.csv and activities.csv are required; reps.csv and
 * targets.csv are optional.  On success returns 0 and fills *stats.  On
 * failure (missing file or required column, reject share over the limit,
 * I/O error) returns an RW_E* code with err naming the file, the column and
 * the rule; ds is then in an unspecified but freeable state.  The rejects
 * file is written either way so the user can see what was wrong.
 */
int rw_ingest_run(const struct rw_ingest_opts *opts, struct rw_dataset *ds,
		  struct rw_ingest_stats *stats, struct rw_err *err);

/* ---- Value parsers (exposed for tests and fuzzing) ------------------- */

/*
 * Parse a date or date-time into days since 1970-01-01: ISO 8601
 * ("2026-02-11", "2026-02-11T16:14:25.000+0000", "2026-02-11 08:00:00Z"),
 * "M/D/YYYY" or "D/M/YYYY" by order (AUTO reads M/D unless the first
 * number is over 12) with an optional " h:mm[:ss] [AM|PM]", and
 * "D.M.YYYY".  A two-digit year is 20YY for 00-69 and 19YY for 70-99.
 * Only the calendar date is used.
 * Leading and trailing blanks are ignored.  Returns 0 and sets *day, or
 * -1 (*day untouched) with a reason in why[0..why_size).
 */
int rw_parse_date(const char *s, size_t len, enum rw_date_order order,
		  int32_t *day, char *why, size_t why_size);

/*
 * Parse an amount: "1234.5", "1,234.50", "$1,234.50", "USD 1234",
 * "-12", "(1,234.00)" (negative).  decimal is '.' or ','.  Returns 0 and
 * sets *v (finite), or -1 with a reason in why.
 */
int rw_parse_amount(const char *s, size_t len, char decimal, double *v,
		    char *why, size_t why_size);

/*
 * What a date says about the day/month order: 0 nothing (ISO, dotted, or
 * not a date), 1 a slash date that reads either way, 2 first number > 12
 * (so D/M), 3 second number > 12 (so M/D).
 */
int rw_date_kind(const char *s, size_t len);

/*
 * rw_parse_amount() that also reports the currency written in the cell:
 * "USD", "EUR", "GBP" for $, the euro and pound signs, or a three-letter
 * code; cur[0] = '\0' when there is none.
 */
int rw_parse_amount_cur(const char *s, size_t len, char decimal, double *v,
			char cur[4], char *why, size_t why_size);

/* Normalise an activity type ("Call", "E-mail", "Demo", ...). */
enum rw_act_type rw_parse_act_type(const char *s, size_t len);

/*
 * Normalise a status or stage: "open", "won", "lost" in any case, or a
 * stage such as "Closed Won" / "Closed Lost" / HubSpot's "Closed: won" or
 * "closedwon".  Returns 0 and sets *st, or
 * -1 when the text names no status (any other stage is open only when
 * the caller says so).
 */
int rw_parse_status(const char *s, size_t len, enum rw_status *st);

#endif
