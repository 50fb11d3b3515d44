/*
 * inputs.h - the record of a run's inputs: which files a run reads and
 * what it read of each.  ingest fills it (struct rw_ingest_stats holds one
 * per file); store keeps it in the runs and run_inputs tables, so this is
 * the one ingest header store includes.  Includes only common.h.
 */
#ifndef RW_INPUTS_H
#define RW_INPUTS_H

#include "../common/common.h"

#include <stdint.h>

enum rw_input_file {
	RW_IN_REPS,
	RW_IN_OPPORTUNITIES,
	RW_IN_TARGETS,
	RW_IN_ACTIVITIES,
	RW_IN_STAGE_HISTORY,
	RW_IN_PLANS,
	RW_NINPUTS
};

/* What was read from one input file, for the run summary and runs table. */
struct rw_input_stats {
	char path[1024];	/* "" when the file is absent */
	int present;
	uint64_t size;		/* bytes */
	char sha256[65];	/* hex digest of the bytes read */
	uint64_t rows_read;	/* data records, header excluded */
	uint64_t rows_rejected;
};

/* Canonical file name of an input ("opportunities.csv", ...): SPEC
 * section 2's names, also the run_inputs.file values of the database
 * contract, so never renamed. */
const char *rw_input_name(enum rw_input_file f);

#endif
