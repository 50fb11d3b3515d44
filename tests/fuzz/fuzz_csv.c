/*
 * fuzz_csv.c - libFuzzer harness for the whole ingest path: the CSV
 * reader, header mapping, value parsers, owner resolution and rejects.
 * The first byte picks the file the rest becomes (reps, opportunities,
 * targets or activities: bits 0-1) and whether it keeps that file's
 * canonical name or comes as "crm-export.csv" (bit 2), whose header alone
 * must tell the vendor profile and the input; the other files are small
 * and valid.
 * Any outcome is fine except a crash, a leak or a sanitizer report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../engine/engine.h"
#include "../../ingest/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void put(const char *name, const void *p, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (n && fwrite(p, 1, n, f) != n)
		abort();
	if (fclose(f))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char reps[] = "rep_id,name,email,team\nR1,Ann Lee,ann@x.org,East\n";
	static const char opps[] = "opp_id,owner,created,close_date,status,amount\n"
				   "O1,R1,2026-01-05,2026-02-01,won,100\n";
	static const char acts[] = "activity_id,owner,type,date,opp_id\nA1,R1,call,2026-01-06,O1\n";
	static const char *const names[] = { "reps.csv", "opportunities.csv", "targets.csv",
					     "activities.csv" };
	struct rw_ingest_opts o;
	struct rw_ingest_stats st;
	struct rw_settings s;
	struct rw_dataset *ds;
	struct rw_err err;
	int which;

	if (!*dir) {
		snprintf(dir, sizeof(dir), "/tmp/rw-fuzz-csv-XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	if (!size)
		return 0;
	which = data[0] % 4;
	put("reps.csv", reps, sizeof(reps) - 1);
	put("opportunities.csv", opps, sizeof(opps) - 1);
	put("targets.csv", "rep_id,period,target\n", 21);
	put("activities.csv", acts, sizeof(acts) - 1);
	if (data[0] & 4) {
		put("crm-export.csv", data + 1, size - 1);
	} else {
		char path[128];

		snprintf(path, sizeof(path), "%s/crm-export.csv", dir);
		unlink(path);
		put(names[which], data + 1, size - 1);
	}
	rw_settings_default(&s);
	s.as_of = rw_days_from_civil(2026, 3, 31);
	ds = rw_dataset_new(&s);
	if (!ds)
		return 0;
	rw_ingest_opts_default(&o);
	o.data_dir = dir;
	o.rejects_path = NULL;
	o.max_reject_share = 1.0;
	rw_err_clear(&err);
	if (!rw_ingest_run(&o, ds, &st, &err)) {
		struct rw_results *res = NULL;

		if (!rw_engine_compute(ds, &res, &err))
			rw_results_free(res);
	}
	rw_dataset_free(ds);
	return 0;
}
