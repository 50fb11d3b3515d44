/*
 * ingest.h - CSV exports to a struct rw_dataset (SPEC section 2).
 *
 * Every file is streamed through libcsv in large blocks and never loaded
 * whole.  Header names are matched case-insensitively, column order is
 * free, unknown columns are ignored; a UTF-8 BOM and CRLF are accepted.
 * A row that cannot be read goes to the rejects file (source file, line,
 * column, reason, raw record) and is never guessed at.
 *
 * Order of work: reps.csv, opportunities.csv, targets.csv, then
 * activities.csv streamed and folded into the dataset (see engine.h).
 */
#ifndef RW_INGEST_H
#define RW_INGEST_H

#include "../common/common.h"
#include "../engine/engine.h"

#include <stdint.h>

enum rw_date_order { RW_DATE_AUTO, RW_DATE_MDY, RW_DATE_DMY };

enum rw_input_file {
	RW_IN_REPS,
	RW_IN_OPPORTUNITIES,
	RW_IN_TARGETS,
	RW_IN_ACTIVITIES,
	RW_NINPUTS
};

struct rw_ingest_opts {
	const char *data_dir;	/* folder holding the canonical files */
	const char *paths[RW_NINPUTS];	/* explicit paths; NULL = data_dir/<name> */
	const char *rejects_path;	/* rejects CSV written here (NULL: none) */
	enum rw_date_order date_order;	/* for slash dates; AUTO = M/D/YYYY */
	double max_reject_share;	/* SPEC default 0.05 */
	int show_progress;		/* 1: progress on stderr */
	char decimal;			/* amounts' decimal mark, '.' or ',' ('.') */
};

/* Fill *o with SPEC's defaults (data_dir ".", decimal '.'). */
void rw_ingest_opts_default(struct rw_ingest_opts *o);

/* What was read from one input file, for the run summary and runs table. */
struct rw_input_stats {
	char path[1024];	/* "" when the file is absent */
	int present;
	uint64_t size;		/* bytes */
	char sha256[65];	/* hex digest of the bytes read */
	uint64_t rows_read;	/* data records, header excluded */
	uint64_t rows_rejected;
};

struct rw_ingest_stats {
	struct rw_input_stats file[RW_NINPUTS];
	uint64_t unknown_owners;	/* distinct owners matching no rep: deal
					 * owners became (unassigned) reps,
					 * activity-only owners are skipped */
	uint64_t unknown_opps;		/* activities naming an unknown deal */
	uint64_t after_as_of;		/* rows dated after as_of, ignored */
	uint64_t unknown_owner_acts;	/* activities skipped: owner is no rep */
};

/* Canonical file name of an input ("opportunities.csv", ...). */
const char *rw_input_name(enum rw_input_file f);

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
 * "M/D/YYYY" or "D/M/YYYY" by order (AUTO reads M/D) with an optional
 * " h:mm[:ss] [AM|PM]", and "D.M.YYYY".  Only the calendar date is used.
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

/* Normalise an activity type ("Call", "E-mail", "Demo", ...). */
enum rw_act_type rw_parse_act_type(const char *s, size_t len);

/*
 * Normalise a status or stage: "open", "won", "lost" in any case, or a
 * stage such as "Closed Won" / "Closed Lost".  Returns 0 and sets *st, or
 * -1 when the text names no status (any other stage is open only when
 * the caller says so).
 */
int rw_parse_status(const char *s, size_t len, enum rw_status *st);

#endif
