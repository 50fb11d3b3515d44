/*
 * test_ingest.c - SHA-256, the streaming CSV reader (with the
 * csv-spectrum acid tests) and whole ingest runs on small files written
 * into a temporary folder.  Value parsers and the id set: test_parse.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../ingest/ingest.h"
#include "../ingest/ingest_int.h"
#include "../engine/engine_int.h"

#define D(y, m, d) rw_days_from_civil(y, m, d)

/* ---- Helpers ------------------------------------------------------------ */

static char *tmp_dir(void)
{
	char *dir = strdup("/tmp/rw_ingest_XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	assert_int_equal(fseek(fp, 0, SEEK_SET), 0);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void remove_dir(char *dir)
{
	static const char *const names[] = { "reps.csv", "opportunities.csv",
		"targets.csv", "activities.csv", "rejects.csv", "t.csv", NULL };
	char path[512];

	for (int i = 0; names[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	free(dir);
}

/* ---- SHA-256 ------------------------------------------------------------ */

/* 1: hash with the portable code even where the CPU has SHA instructions. */
static int sha_portable;

static void sha_hex(const char *s, size_t len, size_t chunk, char hex[65])
{
	struct rw_sha256 c;

	rw_sha256_init(&c);
	if (sha_portable)
		c.ni = 0;
	for (size_t i = 0; i < len; i += chunk)
		rw_sha256_update(&c, s + i, len - i < chunk ? len - i : chunk);
	rw_sha256_final_hex(&c, hex);
}

/* Digests from FIPS 180-2 appendix B and the NIST example values. */
static void sha_vectors(void)
{
	static const char two[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[65], *million;

	sha_hex("abc", 3, 64, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha_hex("", 0, 64, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* 448 bits: the padding needs a second block.  Fed one byte at a
	 * time to exercise the partial-block path. */
	sha_hex(two, strlen(two), 1, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	million = malloc(1000000);
	assert_non_null(million);
	memset(million, 'a', 1000000);
	sha_hex(million, 1000000, 997, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* Whole blocks straight from the caller's buffer, many at a time. */
	sha_hex(million, 1000000, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

/* Both the CPU's SHA instructions (where it has them) and the portable
 * code, on every vector. */
static void test_sha256_vectors(void **state)
{
	(void)state;
	sha_portable = 0;
	sha_vectors();
	sha_portable = 1;
	sha_vectors();
	sha_portable = 0;
}

/* ---- CSV reader --------------------------------------------------------- */

/* Every record of a file, copied. */
struct rows {
	size_t n;
	long line[16];
	size_t nf[16];
	char *f[16][8];
	size_t len[16][8];
};

static int collect(void *ctx, const struct rw_csv_rec *rec, struct rw_err *err)
{
	struct rows *r = ctx;

	(void)err;
	assert_true(r->n < 16);
	assert_int_equal(rec->index, r->n);
	r->line[r->n] = rec->line;
	r->nf[r->n] = rec->nfields;
	for (size_t i = 0; i < rec->nfields && i < 8; i++) {
		r->f[r->n][i] = malloc(rec->lens[i] + 1);
		assert_non_null(r->f[r->n][i]);
		memcpy(r->f[r->n][i], rec->fields[i], rec->lens[i] + 1);
		r->len[r->n][i] = rec->lens[i];
	}
	r->n++;
	return 0;
}

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->nf[i] && j < 8; j++)
			free(r->f[i][j]);
}

/* Compare our parse of csv-spectrum NAME with its JSON (see the folder's
 * README: location_coordinates' phone number differs upstream). */
/* The shared data sets: $RW_SHARED_DATA, else ../shared/data (as the
 * end-to-end tests). */
static const char *shared_data(void)
{
	const char *d = getenv("RW_SHARED_DATA");

	return d && *d ? d : "../shared/data";
}

static void spectrum_case(const char *name)
{
	char path[512];
	struct rows r = { 0 };
	struct rw_csv_info info;
	struct rw_err err;
	json_error_t jerr;
	json_t *doc, *arr;

	snprintf(path, sizeof(path), "%s/csv_spectrum/csvs/%s.csv", shared_data(), name);
	rw_err_clear(&err);
	assert_int_equal(rw_csv_read(path, collect, &r, NULL, &info, &err), 0);
	snprintf(path, sizeof(path), "%s/csv_spectrum/json/%s.json", shared_data(), name);
	doc = json_load_file(path, 0, &jerr);
	assert_non_null(doc);
	arr = json_is_array(doc) ? json_incref(doc) : json_pack("[O]", doc);
	assert_non_null(arr);
	if (r.n != json_array_size(arr) + 1)
		fail_msg("%s: %zu records, want %zu + header", name, r.n,
			 json_array_size(arr));
	for (size_t i = 1; i < r.n; i++) {
		json_t *obj = json_array_get(arr, i - 1);

		assert_int_equal(r.nf[i], r.nf[0]);
		assert_int_equal(json_object_size(obj), r.nf[0]);
		for (size_t j = 0; j < r.nf[0]; j++) {
			json_t *v = json_object_get(obj, r.f[0][j]);

			assert_non_null(v);
			if (!strcmp(r.f[0][j], "Contact Phone Number"))
				continue;
			if (json_string_length(v) != r.len[i][j] ||
			    memcmp(json_string_value(v), r.f[i][j], r.len[i][j]))
				fail_msg("%s: record %zu field %s: \"%s\", want \"%s\"",
					 name, i, r.f[0][j], r.f[i][j],
					 json_string_value(v));
		}
	}
	json_decref(arr);
	json_decref(doc);
	rows_free(&r);
}

static void test_csv_spectrum(void **state)
{
	static const char *const names[] = {
		"comma_in_quotes", "empty", "empty_crlf", "escaped_quotes",
		"json", "location_coordinates", "newlines", "newlines_crlf",
		"quotes_and_newlines", "simple", "simple_crlf", "utf8",
	};

	char dir[512];

	(void)state;
	/* Without the data set the suite says so (cmocka's SKIPPED, counted
	 * by tests/run.sh) rather than passing on nothing. */
	snprintf(dir, sizeof(dir), "%s/csv_spectrum/csvs", shared_data());
	if (access(dir, R_OK)) {
		print_message("csv_spectrum: no %s (set RW_SHARED_DATA)\n", dir);
		skip();
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		spectrum_case(names[i]);
}

static void test_csv_lines_bom_crlf(void **state)
{
	/* Lines: 1 header (after a BOM), 2 blank, 3-4 a record whose quoted
	 * field holds CRLF, 5-6 blank, 7 a record, 8 blanks only, 9 a last
	 * record without a line break. */
	static const char text[] = "\xef\xbb\xbf" "a,b\r\n\r\n1,\"x\r\ny\"\r\n\r\n\r\n"
				   "2,3\r\n   \r\n4,5";
	char *dir = tmp_dir(), path[512];
	struct rows r = { 0 };
	struct rw_csv_info info;
	struct rw_err err;

	(void)state;
	write_file(dir, "t.csv", text);
	snprintf(path, sizeof(path), "%s/t.csv", dir);
	rw_err_clear(&err);
	assert_int_equal(rw_csv_read(path, collect, &r, NULL, &info, &err), 0);
	assert_int_equal(r.n, 4);
	assert_int_equal(info.records, 4);
	assert_int_equal(r.line[0], 1);
	assert_int_equal(r.line[1], 3);
	assert_int_equal(r.line[2], 7);
	assert_int_equal(r.line[3], 9);
	assert_string_equal(r.f[0][0], "a");	/* BOM dropped */
	assert_string_equal(r.f[1][1], "x\r\ny");
	assert_string_equal(r.f[3][1], "5");
	/* 37 bytes, BOM included; digest from sha256sum(1) on the same bytes. */
	assert_int_equal(info.size, 37);
	assert_string_equal(info.sha256,
			    "6a903399bcac3f6aaafa3f0cb0e4f66a934987bc9548a25d3980458687817b06");
	rows_free(&r);
	remove_dir(dir);
}

static void test_csv_record_too_long(void **state)
{
	char *dir = tmp_dir(), path[512], *big;
	size_t n = RW_CSV_MAX_RECORD + 1000;
	struct rows r = { 0 };
	struct rw_csv_info info;
	struct rw_err err;

	(void)state;
	/* A quote that is never closed swallows the rest of the file: the
	 * reader must stop at the record cap instead of growing with it. */
	big = malloc(n + 1);
	assert_non_null(big);
	memcpy(big, "a,b\n1,\"", 7);
	memset(big + 7, 'x', n - 7);
	big[n] = '\0';
	for (size_t i = 100; i < n; i += 100)
		big[i] = '\n';
	write_file(dir, "t.csv", big);
	free(big);
	snprintf(path, sizeof(path), "%s/t.csv", dir);
	rw_err_clear(&err);
	assert_int_equal(rw_csv_read(path, collect, &r, NULL, &info, &err), RW_EINPUT);
	assert_non_null(strstr(err.msg, "record longer than"));
	assert_string_equal(err.file, path);
	assert_int_equal(r.n, 1);
	rows_free(&r);
	remove_dir(dir);
}

/* ---- Whole runs --------------------------------------------------------- */

static const char reps_csv[] =
	"Rep_ID , Name,EMAIL,team,manager,hire_date,extra\n"
	"R1,Ann Lee,ann@example.com,East,Mia,2025-01-06,x\n"
	"R2,Bob  Ray,bob@example.com,,Mia,,y\n"
	"R1,Ann Lee,ann@example.com,East,Mia,2025-01-06,z\n"
	"R3,Cy,cy@example.com,West,Mia,2025-13-01,w\n";

static const char opps_csv[] =
	"opp_id,owner,created,close_date,stage,status,amount\n"
	"O1,R1,2026-01-05,2026-02-10,Closed Won,,\"$1,000.00\"\n"	/* 2 */
	"O2,BOB@example.com,2026-01-06,,Negotiation,,500\n"		/* 3 */
	"O3,  bob ray ,2026-01-07,2026-02-01,,lost,(200)\n"		/* 4 */
	"O4,Zed Q,2026-01-08,,,open,300\n"				/* 5 */
	"O5,zed q,2026-01-09,,,open,10\n"				/* 6 */
	"O1,R1,2026-01-05,2026-02-10,Closed Won,,1000\n"		/* 7 */
	"O2,R1,2026-01-06,,Negotiation,,500\n"				/* 8 */
	"O6,R1,2026-01-10,,,open,1.2.3\n"				/* 9 */
	"O7,R1,2026-01-11,,,maybe,5\n"					/* 10 */
	"O8,R1,,,,open,5\n"						/* 11 */
	"O9,R1,2026-01-12,,,open,5,extra\n"				/* 12 */
	"\"O10\",\"R1\",\"2026-01-13\",\"\",\"Closed\nLost\",\"\",\"7\"\n" /* 13-14 */
	"O11,R1,2026-04-01,,,open,1\n"					/* 15 */
	",,,,,,\n";		/* 16: bare separators, read as a blank line */

static const char targets_csv[] =
	"rep_id,team,period,target,metric\n"
	"R1,,2026-Q1,5000,\n"
	",East,2026-02,1000,revenue\n"
	"ann@example.com,,2026-03,100,Revenue\n"
	"R1,,2026-Q1,9,calls\n"
	"Nobody,,2026-Q1,5,\n"
	"R2,,2026-Q5,5,\n";

static const char acts_csv[] =
	"activity_id,owner,type,date,opp_id\n"
	"A1,R1,Call,2026-01-10,O1\n"
	"A2,ann@example.com,E-mail,1/11/2026 3:00 PM,O1\n"
	"A3,Ghost,meeting,2026-01-12,O2\n"
	"A4,Ghost,call,2026-01-13,\n"
	"A5,R2,demo,2026-01-14,O99\n"
	"A6,R2,call,2026-05-01,O2\n"
	"A7,R2,call,not a date,O2\n"
	"A8,Zed Q,visit,2026-01-15,O4\n";

/* Every line worked out from the fixtures above (line numbers counted by
 * hand, header = line 1). */
static const char want_rejects[] =
	"file,line,column,reason,record\n"
	"reps.csv,5,hire_date,\"month 13 does not exist: \"\"2025-13-01\"\"\",\"R3,Cy,cy@example.com,West,Mia,2025-13-01,w\"\n"
	"opportunities.csv,8,opp_id,duplicate opp_id with different content (first on line 3),\"O2,R1,2026-01-06,,Negotiation,,500\"\n"
	"opportunities.csv,9,amount,\"more than one decimal separator: \"\"1.2.3\"\"\",\"O6,R1,2026-01-10,,,open,1.2.3\"\n"
	"opportunities.csv,10,status,\"status is not open, won or lost: \"\"maybe\"\"\",\"O7,R1,2026-01-11,,,maybe,5\"\n"
	"opportunities.csv,11,created,missing required value,\"O8,R1,,,,open,5\"\n"
	"opportunities.csv,12,,\"expected 7 fields, found 8\",\"O9,R1,2026-01-12,,,open,5,extra\"\n"
	"targets.csv,6,rep_id,\"matches no rep: \"\"Nobody\"\"\",\"Nobody,,2026-Q1,5,\"\n"
	"targets.csv,7,period,\"not a period (2026-W07, 2026-02, 2026-Q1 or FY2027-Q1): \"\"2026-Q5\"\"\",\"R2,,2026-Q5,5,\"\n"
	"activities.csv,8,date,\"not a date (expected YYYY-MM-DD, M/D/YYYY or D.M.YYYY): \"\"not a date\"\"\",\"A7,R2,call,not a date,O2\"\n";

static struct rw_dataset *new_ds(void)
{
	struct rw_settings s;
	struct rw_dataset *ds;

	rw_settings_default(&s);
	s.as_of = D(2026, 3, 1);
	ds = rw_dataset_new(&s);
	assert_non_null(ds);
	return ds;
}

static void opts_for(struct rw_ingest_opts *o, const char *dir, char *rej,
		     size_t size)
{
	rw_ingest_opts_default(o);
	o->data_dir = dir;
	snprintf(rej, size, "%s/rejects.csv", dir);
	o->rejects_path = rej;
}

static void check_full_reps(const struct rw_dataset *ds)
{
	/* R1, R2 from reps.csv (R1's repeat is identical, R3 is rejected),
	 * then "Zed Q" created for an owner that matches no rep. */
	assert_int_equal(ds->nreps, 3);
	assert_string_equal(ds->reps[0].id, "R1");
	assert_string_equal(ds->reps[0].email, "ann@example.com");
	assert_string_equal(ds->reps[0].manager, "Mia");
	assert_int_equal(ds->reps[0].hire_day, D(2025, 1, 6));
	assert_int_equal(ds->reps[0].end_day, RW_NODAY);
	assert_string_equal(ds->reps[1].name, "Bob  Ray");
	assert_string_equal(ds->reps[1].team, "(no team)");
	assert_int_equal(ds->reps[1].hire_day, RW_NODAY);
	assert_int_equal(ds->reps[1].unassigned, 0);
	assert_string_equal(ds->reps[2].id, "Zed Q");
	assert_string_equal(ds->reps[2].name, "Zed Q");
	assert_string_equal(ds->reps[2].team, "(unassigned)");
	assert_int_equal(ds->reps[2].unassigned, 1);
}

static void check_full_opps(const struct rw_dataset *ds)
{
	/* O1..O5, O10, O11: the identical O1 repeat is skipped, the rest
	 * rejected. */
	assert_int_equal(ds->nopps, 7);
	assert_string_equal(ds->opps[0].id, "O1");
	assert_int_equal(ds->opps[0].rep, 0);			/* by id */
	assert_int_equal(ds->opps[0].status, RW_WON);		/* stage Closed Won */
	assert_true(ds->opps[0].amount == 1000);
	assert_int_equal(ds->opps[0].created, D(2026, 1, 5));
	assert_int_equal(ds->opps[0].closed, D(2026, 2, 10));
	assert_string_equal(ds->opps[0].stage, "Closed Won");
	assert_int_equal(ds->opps[1].rep, 1);			/* by e-mail */
	assert_int_equal(ds->opps[1].status, RW_OPEN);		/* other stage */
	assert_int_equal(ds->opps[1].closed, RW_NODAY);
	assert_int_equal(ds->opps[2].rep, 1);			/* by name */
	assert_int_equal(ds->opps[2].status, RW_LOST);
	assert_true(ds->opps[2].amount == -200);
	assert_null(ds->opps[2].stage);
	assert_int_equal(ds->opps[3].rep, 2);			/* new rep */
	assert_int_equal(ds->opps[4].rep, 2);			/* same, by name */
	assert_string_equal(ds->opps[5].id, "O10");
	assert_int_equal(ds->opps[5].status, RW_LOST);
	assert_string_equal(ds->opps[5].stage, "Closed\nLost");
	assert_true(ds->opps[5].amount == 7);
	assert_string_equal(ds->opps[6].id, "O11");
}

static void check_full_targets(const struct rw_dataset *ds)
{
	assert_int_equal(ds->ntargets, 3);
	assert_int_equal(ds->targets[0].rep, 0);
	assert_int_equal(ds->targets[0].grain, RW_QUARTER);
	assert_int_equal(ds->targets[0].period, 2026 * 4);	/* year * 4 + q - 1 */
	assert_true(ds->targets[0].target == 5000);
	assert_int_equal(ds->targets[1].rep, RW_NONE);
	assert_string_equal(ds->targets[1].team, "East");
	assert_int_equal(ds->targets[1].grain, RW_MONTH);
	assert_int_equal(ds->targets[1].period, 2026 * 12 + 1);	/* year * 12 + m - 1 */
	assert_int_equal(ds->targets[2].rep, 0);		/* by e-mail */
	assert_int_equal(ds->targets[2].period, 2026 * 12 + 2);
	assert_true(ds->targets[2].target == 100);
}

static void check_full_stats(const struct rw_ingest_stats *st)
{
	static const uint64_t read[] = { 4, 13, 6, 8 };
	static const uint64_t rejected[] = { 1, 5, 2, 1 };
	static const char *const text[] = { reps_csv, opps_csv, targets_csv,
					    acts_csv };

	/* stage_history.csv and plans.csv were not there. */
	assert_int_equal(st->file[RW_IN_STAGE_HISTORY].present, 0);
	assert_int_equal(st->file[RW_IN_PLANS].present, 0);
	for (int f = 0; f <= RW_IN_ACTIVITIES; f++) {
		char hex[65];

		assert_int_equal(st->file[f].present, 1);
		assert_int_equal(st->file[f].rows_read, read[f]);
		assert_int_equal(st->file[f].rows_rejected, rejected[f]);
		assert_int_equal(st->file[f].size, strlen(text[f]));
		sha_hex(text[f], strlen(text[f]), 64, hex);
		assert_string_equal(st->file[f].sha256, hex);
		assert_non_null(strstr(st->file[f].path, rw_input_name(f)));
	}
	/* Zed Q (became a rep) and Ghost (activities only). */
	assert_int_equal(st->unknown_owners, 2);
	assert_int_equal(st->unknown_owner_acts, 2);	/* A3, A4 */
	assert_int_equal(st->unknown_opps, 1);		/* A5: O99 */
	assert_int_equal(st->after_as_of, 2);		/* O11, A6 */
}

static void test_ingest_full(void **state)
{
	char *dir = tmp_dir(), rej[512], *got;
	struct rw_ingest_opts o;
	struct rw_ingest_stats st;
	struct rw_dataset *ds = new_ds();
	struct rw_err err;

	(void)state;
	write_file(dir, "reps.csv", reps_csv);
	write_file(dir, "opportunities.csv", opps_csv);
	write_file(dir, "targets.csv", targets_csv);
	write_file(dir, "activities.csv", acts_csv);
	opts_for(&o, dir, rej, sizeof(rej));
	o.max_reject_share = 0.5;
	o.date_order = RW_DATE_MDY;	/* "1/11/2026 3:00 PM" decides nothing */
	rw_err_clear(&err);
	if (rw_ingest_run(&o, ds, &st, &err))
		fail_msg("ingest failed: %s: %s", err.file, err.msg);
	check_full_reps(ds);
	check_full_opps(ds);
	check_full_targets(ds);
	check_full_stats(&st);
	/* A1, A2, A5, A8 folded; A6 is after as_of, ignored by the engine. */
	assert_int_equal(ds->activities, 4);
	assert_int_equal(ds->activities_ignored, 1);
	got = slurp(rej);
	assert_string_equal(got, want_rejects);
	free(got);
	rw_dataset_free(ds);
	remove_dir(dir);
}

static const char small_acts[] = "activity_id,owner,type,date\nA1,R1,call,2026-01-10\n";

static void test_ingest_missing_column(void **state)
{
	char *dir = tmp_dir(), rej[512], path[512], *got;
	struct rw_ingest_opts o;
	struct rw_ingest_stats st;
	struct rw_dataset *ds = new_ds();
	struct rw_err err;

	(void)state;
	write_file(dir, "opportunities.csv",
		   "opp_id,seller,created,status,amount\nO1,R1,2026-01-05,open,1\n");
	write_file(dir, "activities.csv", small_acts);
	opts_for(&o, dir, rej, sizeof(rej));
	rw_err_clear(&err);
	assert_int_equal(rw_ingest_run(&o, ds, &st, &err), RW_EINPUT);
	assert_non_null(strstr(err.file, "/opportunities.csv"));
	assert_int_equal(err.line, 1);
	assert_string_equal(err.msg, "missing required column \"owner\" "
			    "(header has: opp_id, seller, created, status, amount)");
	/* The rejects file is written even by a failing run. */
	got = slurp(rej);
	assert_string_equal(got, "file,line,column,reason,record\n");
	free(got);
	rw_dataset_free(ds);

	ds = new_ds();
	write_file(dir, "opportunities.csv",
		   "opp_id,owner,created,amount\nO1,R1,2026-01-05,1\n");
	rw_err_clear(&err);
	assert_int_equal(rw_ingest_run(&o, ds, &st, &err), RW_EINPUT);
	assert_string_equal(err.msg, "missing required column \"status\" or \"stage\" "
			    "(header has: opp_id, owner, created, amount)");
	rw_dataset_free(ds);

	/* An activity export is optional by default; absent, it is an
	 * error only when the configuration requires it. */
	ds = new_ds();
	write_file(dir, "opportunities.csv",
		   "opp_id,owner,created,stage,amount\nO1,R1,2026-01-05,Prospect,1\n");
	snprintf(path, sizeof(path), "%s/activities.csv", dir);
	assert_int_equal(unlink(path), 0);
	rw_err_clear(&err);
	assert_int_equal(rw_ingest_run(&o, ds, &st, &err), 0);
	assert_int_equal(st.file[RW_IN_ACTIVITIES].present, 0);
	assert_int_equal(ds->activities_given, 0);
	rw_dataset_free(ds);
	ds = new_ds();
	o.require_activities = 1;
	rw_err_clear(&err);
	assert_int_equal(rw_ingest_run(&o, ds, &st, &err), RW_EINPUT);
	o.require_activities = 0;
	assert_non_null(strstr(err.file, "/activities.csv"));
	assert_non_null(strstr(err.msg, "activities.csv"));
	/* Optional reps.csv and targets.csv were absent, not errors. */
	assert_int_equal(st.file[RW_IN_REPS].present, 0);
	assert_int_equal(st.file[RW_IN_OPPORTUNITIES].present, 1);
	rw_dataset_free(ds);

	/* An optional file named explicitly must exist. */
	ds = new_ds();
	write_file(dir, "activities.csv", small_acts);
	snprintf(path, sizeof(path), "%s/none.csv", dir);
	o.paths[RW_IN_TARGETS] = path;
	rw_err_clear(&err);
	assert_int_equal(rw_ingest_run(&o, ds, &st, &err), RW_EINPUT);
	assert_string_equal(err.file, path);
	rw_dataset_free(ds);
	remove_dir(dir);
}

static void test_ingest_reject_share(void **state)
{
	char *dir = tmp_dir(), rej[512], want[700];
	struct rw_ingest_opts o;
	struct rw_ingest_stats st;
	struct rw_dataset *ds = new_ds();
	struct rw_buf b;
	struct rw_err err;

	(void)state;
	rw_buf_init(&b, RW_BUF_DEFAULT_MAX);
	rw_buf_adds(&b, "opp_id,owner,created,status,amount\n");
	for (int i = 1; i <= 20; i++)
		rw_buf_addf(&b, "O%d,R1,2026-01-05,open,10\n", i);
	rw_buf_adds(&b, "X1,R1,2026-01-05,open,ten\n");
	assert_int_equal(rw_buf_error(&b), 0);
	write_file(dir, "opportunities.csv", b.data);
	write_file(dir, "activities.csv", small_acts);
	opts_for(&o, dir, rej, sizeof(rej));
	/* 1 of 21 = 4.8%: under the 5% limit. */
	rw_err_clear(&err);
	assert_int_equal(rw_ingest_run(&o, ds, &st, &err), 0);
	assert_int_equal(st.file[RW_IN_OPPORTUNITIES].rows_rejected, 1);
	rw_dataset_free(ds);

	/* 2 of 22 = 9.09%: over it. */
	rw_buf_adds(&b, "X2,R1,2026-01-05,open,ten\n");
	write_file(dir, "opportunities.csv", b.data);
	ds = new_ds();
	rw_err_clear(&err);
	assert_int_equal(rw_ingest_run(&o, ds, &st, &err), RW_EINPUT);
	assert_non_null(strstr(err.file, "/opportunities.csv"));
	snprintf(want, sizeof(want), "2 of 22 rows rejected (9.1%%), over "
		 "max_reject_share 0.05; see %s", rej);
	assert_string_equal(err.msg, want);
	rw_dataset_free(ds);
	rw_buf_release(&b);
	remove_dir(dir);
}

/* Fail each allocation of a whole run in turn: every failure must come
 * back as RW_ENOMEM and leak nothing (AddressSanitizer checks leaks). */
static void test_ingest_out_of_memory(void **state)
{
	char *dir = tmp_dir(), rej[512];
	struct rw_ingest_opts o;
	struct rw_ingest_stats st;
	struct rw_err err;
	long n, failures = 0;
	int rc = -1;

	(void)state;
	write_file(dir, "reps.csv", "rep_id,name,email,team\nR1,Ann,ann@x.com,East\nR2,Bob,bob@x.com,East\n");
	write_file(dir, "opportunities.csv",
		   "opp_id,owner,created,status,amount\nO1,R1,2026-01-05,won,10\n"
		   "O2,bob@x.com,2026-01-06,open,20\nO3,R1,2026-01-07,open,bad\n");
	write_file(dir, "targets.csv", "team,period,target\nEast,2026-Q1,100\n");
	write_file(dir, "activities.csv", "activity_id,owner,type,date,opp_id\n"
		   "A1,R1,call,2026-01-10,O1\nA2,Ann,email,2026-01-11,O2\n");
	opts_for(&o, dir, rej, sizeof(rej));
	o.max_reject_share = 0.5;
	for (n = 1; n < 100000 && rc; n++) {
		struct rw_dataset *ds = new_ds();

		rw_err_clear(&err);
		rw_alloc_fail_after(n);
		rc = rw_ingest_run(&o, ds, &st, &err);
		rw_alloc_fail_after(0);
		rw_dataset_free(ds);
		if (rc && rc != RW_ENOMEM)
			fail_msg("allocation %ld: code %d (%s)", n, rc, err.msg);
		failures += rc == RW_ENOMEM;
	}
	assert_int_equal(rc, 0);
	assert_true(failures > 5);
	remove_dir(dir);
}

/*
 * Activities by activity_id: A1 twice with the same content (the second
 * spelled with the owner's name and another case of type: same rep, same
 * type) is one activity; A2 again as an e-mail is rejected on its line 5;
 * A3 is a call.  By hand: 3 folded (A1, A2, A3), 1 duplicate, 1 reject.
 */
static void test_ingest_activity_ids(void **state)
{
	char *dir = tmp_dir(), rej[512], *got;
	struct rw_ingest_opts o;
	struct rw_ingest_stats st;
	struct rw_dataset *ds = new_ds();
	struct rw_err err;

	(void)state;
	write_file(dir, "reps.csv", "rep_id,name\nR1,Ann Lee\n");
	write_file(dir, "opportunities.csv",
		   "opp_id,owner,created,status,amount\nO1,R1,2026-01-05,open,1\n");
	write_file(dir, "activities.csv",
		   "activity_id,owner,type,date,opp_id\n"
		   "A1,R1,call,2026-01-10,O1\n"
		   "A2,R1,call,2026-01-11,O1\n"
		   "A1,Ann Lee,Call,2026-01-10,O1\n"
		   "A2,R1,email,2026-01-11,O1\n"
		   "A3,R1,call,2026-01-12,O1\n");
	opts_for(&o, dir, rej, sizeof(rej));
	o.max_reject_share = 0.5;
	rw_err_clear(&err);
	if (rw_ingest_run(&o, ds, &st, &err))
		fail_msg("ingest failed: %s: %s", err.file, err.msg);
	assert_int_equal(ds->activities, 3);
	assert_int_equal(st.duplicate_acts, 1);
	assert_int_equal(st.file[RW_IN_ACTIVITIES].rows_read, 5);
	assert_int_equal(st.file[RW_IN_ACTIVITIES].rows_rejected, 1);
	got = slurp(rej);
	assert_string_equal(got, "file,line,column,reason,record\n"
			    "activities.csv,5,activity_id,duplicate activity_id with different content,"
			    "\"A2,R1,email,2026-01-11,O1\"\n");
	free(got);
	rw_dataset_free(ds);
	remove_dir(dir);
}

/* A second download beside the canonical file: RW_EINPUT naming both. */
static void test_ingest_file_clash(void **state)
{
	char *dir = tmp_dir(), rej[512], path[600];
	struct rw_ingest_opts o;
	struct rw_ingest_stats st;
	struct rw_dataset *ds = new_ds();
	struct rw_err err;

	(void)state;
	write_file(dir, "opportunities.csv",
		   "opp_id,owner,created,status,amount\nO1,R1,2026-01-05,open,1\n");
	write_file(dir, "activities.csv", small_acts);
	write_file(dir, "activities (1).csv", small_acts);
	opts_for(&o, dir, rej, sizeof(rej));
	rw_err_clear(&err);
	assert_int_equal(rw_ingest_run(&o, ds, &st, &err), RW_EINPUT);
	assert_non_null(strstr(err.msg, "\"activities (1).csv\" and \"activities.csv\""));
	assert_non_null(strstr(err.msg, "are both activities.csv"));
	rw_dataset_free(ds);
	snprintf(path, sizeof(path), "%s/activities (1).csv", dir);
	unlink(path);
	remove_dir(dir);
}


/* ---- An activities file read by two threads ----------------------------- */

/* What one ingest gave: everything a run reads of it. */
struct outcome {
	int rc;
	char msg[512];
	long line;
	struct rw_dataset *ds;
	struct rw_ingest_stats st;
	char *rejects;
	int threads;		/* of the activities file's report */
};

static void ingest_mode(const char *dir, int threads, int in_memory,
			uint64_t at, struct outcome *out)
{
	char rej[512];
	struct rw_ingest_opts o;
	struct rw_err err;

	opts_for(&o, dir, rej, sizeof(rej));
	o.max_reject_share = 1;
	o.threads = threads;
	o.split_min = 1;
	o.split_at = at;
	o.ids_in_memory = in_memory;
	rw_err_clear(&err);
	out->ds = new_ds();
	out->rc = rw_ingest_run(&o, out->ds, &out->st, &err);
	snprintf(out->msg, sizeof(out->msg), "%s", err.msg);
	out->line = err.line;
	out->rejects = slurp(rej);
	out->threads = 0;
	for (int i = 0; i < out->st.nfiles; i++)
		if (out->st.files[i].file == RW_IN_ACTIVITIES)
			out->threads = out->st.files[i].threads;
}

static void outcome_free(struct outcome *o)
{
	rw_dataset_free(o->ds);
	free(o->rejects);
}

static int same_fold(const struct rw_dataset *a, const struct rw_dataset *b)
{
	const struct rw_dataset_fold *f = a->fold, *g = b->fold;

	if (!f || !g)
		return f == g;
	return f->nreps == g->nreps && f->nopps == g->nopps && f->row == g->row &&
	       !memcmp(f->counts, g->counts, f->nreps * f->row * RW_FOLD_NTYPES * sizeof(*f->counts)) &&
	       !memcmp(f->meet1, g->meet1, f->nopps * sizeof(*f->meet1)) &&
	       !memcmp(f->meet2, g->meet2, f->nopps * sizeof(*f->meet2)) &&
	       !memcmp(f->before, g->before, f->nopps * sizeof(*f->before)) &&
	       f->word_off[f->nopps] == g->word_off[g->nopps] &&
	       !memcmp(f->bits, g->bits, f->word_off[f->nopps] * sizeof(*f->bits));
}

/* The two-thread outcome b against the one-thread a, field by field. */
static void same_outcome(const struct outcome *a, const struct outcome *b,
			 const char *what, uint64_t at)
{
	const struct rw_ingest_stats *x = &a->st, *y = &b->st;

#define SAME(cond) do { if (!(cond)) fail_msg("%s, cut at %llu: %s differs", \
	what, (unsigned long long)at, #cond); } while (0)
	SAME(a->rc == b->rc);
	SAME(!strcmp(a->msg, b->msg));
	SAME(a->line == b->line);
	SAME(!strcmp(a->rejects ? a->rejects : "", b->rejects ? b->rejects : ""));
	SAME(a->ds->activities == b->ds->activities);
	SAME(a->ds->activities_ignored == b->ds->activities_ignored);
	SAME(a->ds->activities_given == b->ds->activities_given);
	SAME(a->ds->activities_other_shard == b->ds->activities_other_shard);
	SAME(a->ds->act_first == b->ds->act_first);
	SAME(a->ds->act_last == b->ds->act_last);
	SAME(a->ds->nreps == b->ds->nreps);
	SAME(same_fold(a->ds, b->ds));
	SAME(x->unknown_owners == y->unknown_owners);
	SAME(x->unknown_opps == y->unknown_opps);
	SAME(x->after_as_of == y->after_as_of);
	SAME(x->unknown_owner_acts == y->unknown_owner_acts);
	SAME(x->skipped_rows == y->skipped_rows);
	SAME(x->duplicate_acts == y->duplicate_acts);
	SAME(x->file[RW_IN_ACTIVITIES].present == y->file[RW_IN_ACTIVITIES].present);
	SAME(x->file[RW_IN_ACTIVITIES].rows_read == y->file[RW_IN_ACTIVITIES].rows_read);
	SAME(x->file[RW_IN_ACTIVITIES].rows_rejected == y->file[RW_IN_ACTIVITIES].rows_rejected);
	/* A failed read says how far it got, which depends on the cut. */
	SAME(a->rc || x->file[RW_IN_ACTIVITIES].size == y->file[RW_IN_ACTIVITIES].size);
	SAME(a->rc || !strcmp(x->file[RW_IN_ACTIVITIES].sha256, y->file[RW_IN_ACTIVITIES].sha256));
	SAME(x->nfiles == y->nfiles);
	for (int i = 0; i < x->nfiles; i++) {
		const struct rw_file_report *p = &x->files[i], *q = &y->files[i];

		SAME(p->rows_read == q->rows_read);
		SAME(p->rows_rejected == q->rows_rejected);
		SAME(p->rows_skipped == q->rows_skipped);
		SAME(p->duplicates == q->duplicates);
		SAME(a->rc || !strcmp(p->sha256, q->sha256));
		SAME(!strcmp(p->dates, q->dates));
		SAME(!strcmp(p->note, q->note));
		SAME(!strcmp(p->found, q->found));
		SAME(p->nrejects == q->nrejects);
		for (int k = 0; k < p->nrejects; k++)
			SAME(!strcmp(p->rejects[k], q->rejects[k]));
	}
#undef SAME
}

/*
 * Read dir's files on one thread checking each activity id as it streams
 * (the reference), then with the ids checked after the read, then on two
 * threads with the cut at each byte offset in [from, to) by step, both
 * ways; *kept counts the runs that used both threads.
 */
static void split_sweep(const char *dir, const char *what, uint64_t from,
			uint64_t to, uint64_t step, int *kept)
{
	struct outcome one, two;

	ingest_mode(dir, 1, 1, 0, &one);
	assert_int_equal(one.threads == 2, 0);
	ingest_mode(dir, 1, 0, 0, &two);
	same_outcome(&one, &two, what, 0);
	outcome_free(&two);
	for (uint64_t at = from; at < to; at += step) {
		for (int mem = 0; mem < 2; mem++) {
			ingest_mode(dir, 2, mem, at, &two);
			same_outcome(&one, &two, what, at);
			*kept += two.threads == 2;
			outcome_free(&two);
		}
	}
	outcome_free(&one);
}

/*
 * An export with a BOM, CRLF and LF lines, quoted fields holding line
 * feeds, CRLFs, commas and quotes, a blank line, a last line without a
 * line feed, rejects, owners that match no rep (one twice), an unknown
 * deal, a slash date, and activity ids repeated with the same and with
 * other content.  Cut at every byte, the two-thread read must give what
 * the one-thread read gives, whatever the cut hits.
 */
static const char hostile_acts[] =
	"\xef\xbb\xbf" "activity_id,owner,type,date,opp_id,note\r\n"
	"A1,R1,call,2026-01-10,O1,plain\r\n"
	"A2,R1,email,2026-01-11,O1,\"two\r\nlines, quoted\"\r\n"
	"A3,Ghost,call,2026-01-12,,\n"
	"A4,R1,meeting,2026-01-13,O1,\"a \"\"quote\"\" and\nA99,R1,call,2026-01-13,O1,x\n\"\n"
	"A5,R2,call,not a date,O2,\r\n"
	"A1,R1,call,2026-01-10,O1,same again\r\n"
	"A6,R2,demo,2026-01-20,O2,\"\n\n\n\"\n"
	"A2,R1,call,2026-01-11,O1,conflict\r\n"
	"A7,Ghost2,email,2026-01-21,O9,\r\n"
	"A8,R2,meeting,2026-01-22,O2,x\r\n"
	"A9,R1,call,1/23/2026,O1,slash date\r\n"
	"A10,Ghost,call,2026-01-24,O1,\r\n"
	"\r\n"
	"A11,R2,meeting,2026-02-02,O2,\"last, no line feed\"";

/* The same rows without the repeated ids and the slash date: most cuts
 * can keep the second thread's work. */
static const char clean_acts[] =
	"activity_id,owner,type,date,opp_id,note\r\n"
	"A1,R1,call,2026-01-10,O1,plain\r\n"
	"A2,R1,email,2026-01-11,O1,\"two\r\nlines, quoted\"\r\n"
	"A3,Ghost,call,2026-01-12,,\n"
	"A4,R1,meeting,2026-01-13,O1,\"a \"\"quote\"\" and\nA99,R1,call,2026-01-13,O1,x\n\"\n"
	"A5,R2,call,not a date,O2,\r\n"
	"A6,R2,demo,2026-01-20,O2,\"\n\n\n\"\n"
	"A7,Ghost2,email,2026-01-21,O9,\r\n"
	"A8,R2,meeting,2026-01-22,O2,x\r\n"
	"A10,Ghost,call,2026-01-24,O1,\r\n"
	"A11,R2,meeting,2026-02-02,O1,\r\n"
	"A12,R1,meeting,2026-02-03,O2,\r\n";

/* Ids repeated across any cut (the same and other content), ISO dates
 * only: a cut between a first and a later row of an id drops the second
 * thread's work. */
static const char dup_acts[] =
	"activity_id,owner,type,date,opp_id\n"
	"A1,R1,call,2026-01-10,O1\n"
	"A2,R1,email,2026-01-11,O1\n"
	"A3,R2,call,2026-01-12,O2\n"
	"A4,R2,meeting,2026-01-13,O2\n"
	"A5,R1,call,2026-01-14,O1\n"
	"A1,Ann Lee,call,2026-01-10,O1\n"
	"A6,R2,call,2026-01-15,O2\n"
	"A3,R2,email,2026-01-12,O2\n"
	"A7,R1,meeting,2026-01-16,O1\n";

/* ISO dates, then slash dates that read either way until the last says
 * M/D: the order comes from the file's first rows (a prepass), which a
 * second half cannot know. */
static const char slash_acts[] =
	"activity_id,owner,type,date,opp_id\n"
	"A1,R1,call,2026-01-10,O1\n"
	"A2,R1,email,2026-01-11,O1\n"
	"A3,R2,call,2026-01-12,O2\n"
	"A4,R2,meeting,1/2/2026,O2\n"
	"A5,R1,call,2/1/2026,O1\n"
	"A6,R2,call,1/22/2026,O2\n";

static void test_ingest_split_hostile(void **state)
{
	char *dir = tmp_dir();
	int kept = 0;

	(void)state;
	write_file(dir, "reps.csv", "rep_id,name\nR1,Ann Lee\nR2,Bob Ray\n");
	write_file(dir, "opportunities.csv",
		   "opp_id,owner,created,status,amount\nO1,R1,2026-01-05,open,1\n"
		   "O2,R2,2026-01-06,won,5\n");
	write_file(dir, "activities.csv", hostile_acts);
	split_sweep(dir, "hostile", 1, sizeof(hostile_acts), 1, &kept);
	/* Cuts past A9's slash date, and only those, keep the second half:
	 * before it the first half has not settled the day/month order, or
	 * a repeated id straddles the cut, or the cut is inside quotes. */
	assert_true(kept > 0);
	kept = 0;
	write_file(dir, "activities.csv", clean_acts);
	split_sweep(dir, "clean", 1, sizeof(clean_acts), 1, &kept);
	/* Cuts inside the quoted fields of A2, A4 and A6 fall back; the
	 * line feeds between records (10 of them after the header) keep. */
	assert_true(kept >= 8);
	kept = 0;
	write_file(dir, "activities.csv", dup_acts);
	split_sweep(dir, "repeated ids", 1, sizeof(dup_acts), 1, &kept);
	assert_true(kept > 0);
	kept = 0;
	write_file(dir, "activities.csv", slash_acts);
	split_sweep(dir, "slash dates", 1, sizeof(slash_acts), 1, &kept);
	/* A file smaller than a range: not split. */
	{
		struct outcome one;
		char rej[512];
		struct rw_ingest_opts o;
		struct rw_err err;

		opts_for(&o, dir, rej, sizeof(rej));
		o.max_reject_share = 1;
		o.threads = 2;
		o.split_min = sizeof(clean_acts);
		rw_err_clear(&err);
		one.ds = new_ds();
		assert_int_equal(rw_ingest_run(&o, one.ds, &one.st, &err), 0);
		for (int i = 0; i < one.st.nfiles; i++)
			if (one.st.files[i].file == RW_IN_ACTIVITIES)
				assert_int_equal(one.st.files[i].threads, 1);
		rw_dataset_free(one.ds);
	}
	remove_dir(dir);
}

/* Every CSV of the shared data sets read as the activities export (most
 * are not one: the same error either way), cut at 16 places. */
static void test_ingest_split_shared(void **state)
{
	static const char *const files[] = {
		"csv_spectrum/csvs/comma_in_quotes.csv", "csv_spectrum/csvs/empty.csv",
		"csv_spectrum/csvs/empty_crlf.csv", "csv_spectrum/csvs/escaped_quotes.csv",
		"csv_spectrum/csvs/json.csv", "csv_spectrum/csvs/location_coordinates.csv",
		"csv_spectrum/csvs/newlines.csv", "csv_spectrum/csvs/newlines_crlf.csv",
		"csv_spectrum/csvs/quotes_and_newlines.csv", "csv_spectrum/csvs/simple.csv",
		"csv_spectrum/csvs/simple_crlf.csv", "csv_spectrum/csvs/utf8.csv",
		"salesforce_data_cloud_workshop/Task.csv",
		"salesforce_powerbi_demo/OpportunityHistory.csv",
		"maven_crm_sales_opportunities/sales_pipeline.csv",
	};
	char path[600], *dir, *text;
	int kept = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/csv_spectrum/csvs", shared_data());
	if (access(path, R_OK)) {
		print_message("shared data: no %s (set RW_SHARED_DATA)\n", path);
		skip();
	}
	dir = tmp_dir();
	write_file(dir, "reps.csv", "rep_id,name\nR1,Ann Lee\n");
	write_file(dir, "opportunities.csv",
		   "opp_id,owner,created,status,amount\nO1,R1,2026-01-05,open,1\n");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t n;

		snprintf(path, sizeof(path), "%s/%s", shared_data(), files[i]);
		text = slurp(path);
		assert_non_null(text);
		n = strlen(text);
		write_file(dir, "activities.csv", text);
		free(text);
		split_sweep(dir, files[i], 1, n ? n : 1, n / 16 ? n / 16 : 1, &kept);
	}
	/* Task.csv is a Salesforce activities export of 5,000 rows (not
	 * every cut is in a quoted field). */
	assert_true(kept > 0);
	remove_dir(dir);
}

/*
 * The id spill: 600,000 ids in one spill (over 1,024 a bucket, so chunks
 * go to the file), 100,000 in another of which 50,000 are also in the
 * first, and one id of the first twice in the second.  By hand: 50,001
 * ids repeat (the twice-seen one counts once).
 */
static void test_idspill_repeats(void **state)
{
	struct rw_idspill a, b;
	struct rw_idspill *const both[] = { &a, &b };
	struct rw_idset rep;
	/* Keys spread over the buckets by their top bits as hashes are. */
#define KEY(i) ((uint64_t)(i) * 0x9e3779b97f4a7c15ULL + 1)

	(void)state;
	assert_int_equal(rw_idspill_open(&a), 0);
	assert_int_equal(rw_idspill_open(&b), 0);
	for (uint64_t i = 0; i < 600000; i++)
		assert_int_equal(rw_idspill_add(&a, KEY(i)), 0);
	for (uint64_t i = 550000; i < 650000; i++)
		assert_int_equal(rw_idspill_add(&b, KEY(i)), 0);
	assert_int_equal(rw_idspill_add(&b, KEY(7)), 0);
	assert_int_equal(rw_idspill_add(&b, KEY(7)), 0);
	assert_true(a.nchunks > 0);
	rw_idset_init(&rep);
	assert_int_equal(rw_idspill_repeats(both, 2, &rep), 50001);
	assert_true(rw_idset_has(&rep, KEY(7)));
	assert_true(rw_idset_has(&rep, KEY(550000)));
	assert_true(rw_idset_has(&rep, KEY(599999)));
	assert_false(rw_idset_has(&rep, KEY(549999)));
	assert_false(rw_idset_has(&rep, KEY(600000)));
	rw_idset_release(&rep);
	/* One spill alone: no repeats but its own. */
	rw_idset_init(&rep);
	assert_int_equal(rw_idspill_repeats(both, 1, &rep), 0);
	rw_idset_release(&rep);
	rw_idspill_close(&a);
	rw_idspill_close(&b);
#undef KEY
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_csv_spectrum),
		cmocka_unit_test(test_csv_lines_bom_crlf),
		cmocka_unit_test(test_csv_record_too_long),
		cmocka_unit_test(test_ingest_full),
		cmocka_unit_test(test_ingest_missing_column),
		cmocka_unit_test(test_ingest_reject_share),
		cmocka_unit_test(test_ingest_out_of_memory),
		cmocka_unit_test(test_ingest_activity_ids),
		cmocka_unit_test(test_ingest_file_clash),
		cmocka_unit_test(test_idspill_repeats),
		cmocka_unit_test(test_ingest_split_hostile),
		cmocka_unit_test(test_ingest_split_shared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
