/*
 * test_parse.c - the value parsers of ingest/ (dates, amounts, activity
 * types and statuses), one table row per form, and the id set behind
 * activity de-duplication.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ingest/ingest.h"
#include "../ingest/ingest_int.h"

#define D(y, m, d) rw_days_from_civil(y, m, d)

/* ---- Dates -------------------------------------------------------------- */

static int32_t date_ok(const char *s, enum rw_date_order o)
{
	int32_t day = 0;
	char why[128] = "";

	if (rw_parse_date(s, strlen(s), o, &day, why, sizeof(why)))
		fail_msg("\"%s\" rejected: %s", s, why);
	return day;
}

/* Rejected, *day untouched, and why contains want. */
static void date_bad(const char *s, enum rw_date_order o, const char *want)
{
	int32_t day = 12345;
	char why[128] = "";

	if (!rw_parse_date(s, strlen(s), o, &day, why, sizeof(why)))
		fail_msg("\"%s\" accepted", s);
	assert_int_equal(day, 12345);
	if (!strstr(why, want))
		fail_msg("\"%s\": reason \"%s\" lacks \"%s\"", s, why, want);
}

static void test_parse_date_iso(void **state)
{
	(void)state;
	/* 2026-01-01: 56 years of 365 days + 14 leap days (1972..2024) =
	 * 20454; + 31 (January) + 10 = 20495 (also date -d 2026-02-11 +%s
	 * divided by 86400). */
	assert_int_equal(date_ok("2026-02-11", RW_DATE_AUTO), 20495);
	assert_int_equal(date_ok("2026-02-11T16:14:25.000+0000", RW_DATE_AUTO), 20495);
	assert_int_equal(date_ok("2026-02-11 08:00:00Z", RW_DATE_AUTO), 20495);
	assert_int_equal(date_ok("2026-02-11T08:00", RW_DATE_AUTO), 20495);
	/* Only the calendar date counts: the offset does not move the day. */
	assert_int_equal(date_ok("  2026-02-11T23:59:59-05:00 ", RW_DATE_AUTO), 20495);
	assert_int_equal(date_ok("2026-02-11T23:59:59+01", RW_DATE_AUTO), 20495);
	/* 2024 is a leap year: 54 * 365 + 13 = 19723 to 2024-01-01, + 31 +
	 * 28 = 19782 for the 29th of February. */
	assert_int_equal(date_ok("2024-02-29", RW_DATE_AUTO), 19782);
	date_bad("2026-02-29", RW_DATE_AUTO, "February 2026 has no day 29");
	date_bad("2026-02-30", RW_DATE_AUTO, "no day 30");
	date_bad("2026-13-01", RW_DATE_AUTO, "month 13");
	date_bad("1850-01-01", RW_DATE_AUTO, "out of range");
	date_bad("2026-2-11", RW_DATE_AUTO, "not a date");
	date_bad("20260211", RW_DATE_AUTO, "not a date");
	date_bad("2026-02-11X", RW_DATE_AUTO, "bad time");
	date_bad("2026-02-11T25:00", RW_DATE_AUTO, "bad time");
	date_bad("2026-02-11T10:00+0x", RW_DATE_AUTO, "bad time");
	date_bad("", RW_DATE_AUTO, "empty");
	date_bad("   ", RW_DATE_AUTO, "empty");
	date_bad("yesterday", RW_DATE_AUTO, "not a date");
}

static void test_parse_date_slash_dot(void **state)
{
	(void)state;
	/* 2/11/2026 is 11 February read M/D (20495, above) and 2 November
	 * read D/M: 20454 + 304 days of January..October + 1 = 20759. */
	assert_int_equal(date_ok("2/11/2026", RW_DATE_AUTO), 20495);
	assert_int_equal(date_ok("2/11/2026", RW_DATE_MDY), 20495);
	assert_int_equal(date_ok("2/11/2026", RW_DATE_DMY), 20759);
	assert_int_equal(date_ok("02/11/2026 4:14 PM", RW_DATE_AUTO), 20495);
	assert_int_equal(date_ok("2/11/2026 4:14:25 pm", RW_DATE_AUTO), 20495);
	assert_int_equal(date_ok("2/11/2026 12:00AM", RW_DATE_AUTO), 20495);
	assert_int_equal(date_ok("2/11/2026 16:14", RW_DATE_AUTO), 20495);
	/* AUTO: 13 cannot be a month, so 13/2/2026 is 13 February = 20495 + 2. */
	assert_int_equal(date_ok("13/2/2026", RW_DATE_AUTO), 20497);
	date_bad("13/2/2026", RW_DATE_MDY, "month 13");
	date_bad("2/11/2026 13:00 PM", RW_DATE_AUTO, "bad time");
	date_bad("2/11/2026 0:30 AM", RW_DATE_AUTO, "bad time");
	/* Two-digit years pivot at 70: 26 is 2026, 70 is 1970. */
	assert_int_equal(date_ok("2/11/26", RW_DATE_AUTO), 20495);
	assert_int_equal(date_ok("1/1/70", RW_DATE_AUTO), 0);
	date_bad("2/11/126", RW_DATE_AUTO, "not a date");
	date_bad("2/30/2026", RW_DATE_AUTO, "February 2026 has no day 30");
	/* D.M.YYYY is day first whatever the slash order. */
	assert_int_equal(date_ok("11.02.2026", RW_DATE_MDY), 20495);
	assert_int_equal(date_ok("11.2.2026 08:30", RW_DATE_AUTO), 20495);
	date_bad("11.02/2026", RW_DATE_AUTO, "not a date");
}

/* ---- Amounts ------------------------------------------------------------ */

static void amount_ok(const char *s, char dec, double want)
{
	double v = -999;
	char why[128] = "";

	if (rw_parse_amount(s, strlen(s), dec, &v, why, sizeof(why)))
		fail_msg("\"%s\" rejected: %s", s, why);
	if (v != want)
		fail_msg("\"%s\" read as %.17g, want %.17g", s, v, want);
}

static void amount_bad(const char *s, char dec, const char *want)
{
	double v = -999;
	char why[128] = "";

	if (!rw_parse_amount(s, strlen(s), dec, &v, why, sizeof(why)))
		fail_msg("\"%s\" accepted as %g", s, v);
	assert_true(v == -999);
	if (!strstr(why, want))
		fail_msg("\"%s\": reason \"%s\" lacks \"%s\"", s, why, want);
}

static void test_parse_amount(void **state)
{
	(void)state;
	amount_ok("1234.5", '.', 1234.5);
	amount_ok("1,234.50", '.', 1234.5);
	amount_ok("$1,234.50", '.', 1234.5);
	amount_ok("USD 1234", '.', 1234);
	amount_ok("USD1234", '.', 1234);
	amount_ok("-12", '.', -12);
	amount_ok("+12", '.', 12);
	amount_ok("-$12", '.', -12);
	amount_ok("$-12", '.', -12);
	amount_ok("(1,234.00)", '.', -1234);
	amount_ok("( $5 )", '.', -5);
	amount_ok("\xe2\x82\xac" "1,000", '.', 1000);	/* EUR sign */
	amount_ok("\xc2\xa3" "5", '.', 5);			/* pound sign */
	amount_ok("12 EUR", '.', 12);
	amount_ok(" 7 ", '.', 7);
	amount_ok("1,234,567.89", '.', 1234567.89);
	amount_ok(".5", '.', 0.5);
	amount_ok("0", '.', 0);
	/* Decimal comma: '.' or a space groups thousands. */
	amount_ok("1.234,50", ',', 1234.5);
	amount_ok("1 234,50", ',', 1234.5);
	amount_ok("1234,5", ',', 1234.5);
	amount_ok("1.234", ',', 1234);
	amount_ok("1.234,50 \xe2\x82\xac", ',', 1234.5);
	amount_ok("-1.000.000", ',', -1000000);

	amount_bad("1.2.3", '.', "more than one decimal separator");
	amount_bad("1,2,3", ',', "more than one decimal separator");
	amount_bad("1.2.3", ',', "grouped by three");
	amount_bad("12abc", '.', "unexpected character 'a'");
	amount_bad("12 abc", '.', "unexpected character");
	amount_bad("", '.', "empty amount");
	amount_bad("  ", '.', "empty amount");
	amount_bad("1,23", '.', "grouped by three");
	amount_bad("1,2345", '.', "grouped by three");
	amount_bad("1234,567.5", '.', "grouped by three");
	amount_bad("1,000,00", '.', "grouped by three");
	amount_bad("1.5", ',', "grouped by three");
	amount_bad("abc", '.', "no digits");
	amount_bad("$", '.', "no digits");
	amount_bad("USD", '.', "no digits");
	amount_bad("(12", '.', "parenthesis");
	amount_bad("--5", '.', "more than one sign");
	amount_bad("(-5)", '.', "more than one sign");
	amount_bad("1e5", '.', "unexpected character 'e'");
	amount_bad("1 234", '.', "unexpected character");
}

static void test_parse_type_status(void **state)
{
	static const struct {
		const char *s;
		enum rw_act_type t;
	} types[] = {
		{ "call", RW_CALL }, { " Call ", RW_CALL }, { "PHONE", RW_CALL },
		{ "phone call", RW_CALL }, { "email", RW_EMAIL },
		{ "E-mail", RW_EMAIL }, { "Mail", RW_EMAIL },
		{ "meeting", RW_MEETING }, { "Demo", RW_MEETING },
		{ "video  call", RW_MEETING }, { "Visit", RW_MEETING },
		{ "task", RW_OTHER }, { "", RW_OTHER }, { "callback", RW_OTHER },
	};
	static const struct {
		const char *s;
		int rc;
		enum rw_status st;
	} sts[] = {
		{ "open", 0, RW_OPEN }, { "OPEN", 0, RW_OPEN }, { "Won", 0, RW_WON },
		{ "lost", 0, RW_LOST }, { "Closed Won", 0, RW_WON },
		{ "closed-won", 0, RW_WON }, { " closed_lost ", 0, RW_LOST },
		{ "Closed Lost", 0, RW_LOST }, { "Negotiation", -1, RW_OPEN },
		{ "", -1, RW_OPEN }, { "closed", -1, RW_OPEN },
	};
	enum rw_status st;

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (rw_parse_act_type(types[i].s, strlen(types[i].s)) != types[i].t)
			fail_msg("type \"%s\"", types[i].s);
	for (size_t i = 0; i < sizeof(sts) / sizeof(sts[0]); i++) {
		st = (enum rw_status)99;
		assert_int_equal(rw_parse_status(sts[i].s, strlen(sts[i].s), &st),
				 sts[i].rc);
		if (!sts[i].rc && st != sts[i].st)
			fail_msg("status \"%s\"", sts[i].s);
	}
}

/* ---- Activity ids --------------------------------------------------------- */

/*
 * The id set behind activity de-duplication.  FNV-1a 64 vectors from the
 * FNV reference (isthe.com/chongo/tech/comp/fnv: "a" -> af63dc4c8601ec8c,
 * "foobar" -> 85944171f73967e8).  The set: 20,000 distinct keys (through
 * several doublings) each found again with its own value, none lost.
 */
static void test_idset(void **state)
{
	struct rw_idset s;
	uint32_t old = 0;

	(void)state;
	assert_true(rw_hash64(RW_HASH64_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(rw_hash64(RW_HASH64_INIT, "foobar", 6) == 0x85944171f73967e8ULL);
	/* Continuing a hash is hashing the concatenation. */
	assert_true(rw_hash64(rw_hash64(RW_HASH64_INIT, "foo", 3), "bar", 3) ==
		    0x85944171f73967e8ULL);
	assert_true(rw_hash64_final(0) != 0);
	rw_idset_init(&s);
	for (uint64_t k = 1; k <= 20000; k++)
		assert_int_equal(rw_idset_add(&s, k * 0x9e3779b97f4a7c15ULL, (uint32_t)k, &old), 0);
	assert_int_equal(s.n, 20000);
	assert_true(s.n * 4 <= s.cap * 3);
	for (uint64_t k = 1; k <= 20000; k++) {
		old = 0;
		assert_int_equal(rw_idset_add(&s, k * 0x9e3779b97f4a7c15ULL, 7, &old), 1);
		assert_int_equal(old, (uint32_t)k);
	}
	assert_int_equal(s.n, 20000);
	/* Key 0 is read as 1 (0 marks an empty slot). */
	assert_int_equal(rw_idset_add(&s, 0, 5, &old), 0);
	assert_int_equal(rw_idset_add(&s, 1, 6, &old), 1);
	assert_int_equal(old, 5);
	rw_idset_release(&s);
	assert_int_equal(s.cap, 0);
}

/*
 * rw_index by length: keys taken from inside a longer text, with no NUL
 * after them, find the same values as NUL-terminated ones through several
 * doublings; a prefix or an extension of a key is another key; a NUL in
 * the text ends the key as in a C string; every put moves gen.
 */
static void test_index_len(void **state)
{
	static const char text[] = "R10R1R100xR1";
	char keys[3000][16];
	struct rw_index t;
	uint64_t gen;

	(void)state;
	rw_index_init(&t);
	assert_int_equal(rw_index_get_len(&t, "R1", 2), RW_NONE);
	for (int i = 0; i < 3000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "R%d", i);
		gen = t.gen;
		assert_int_equal(rw_index_put(&t, keys[i], (uint32_t)i + 7), 0);
		assert_true(t.gen > gen);
	}
	assert_int_equal(t.n, 3000);
	for (int i = 0; i < 3000; i++)
		assert_int_equal(rw_index_get_len(&t, keys[i], strlen(keys[i])), (uint32_t)i + 7);
	/* "R10", "R1", "R100" and "R1" inside text, none NUL-terminated but the last. */
	assert_int_equal(rw_index_get_len(&t, text, 3), 10 + 7);
	assert_int_equal(rw_index_get_len(&t, text + 3, 2), 1 + 7);
	assert_int_equal(rw_index_get_len(&t, text + 5, 4), 100 + 7);
	assert_int_equal(rw_index_get_len(&t, text + 5, 5), RW_NONE);	/* "R100x" */
	assert_int_equal(rw_index_get_len(&t, text + 10, 2), 1 + 7);
	assert_int_equal(rw_index_get_len(&t, "R", 1), RW_NONE);
	assert_int_equal(rw_index_get_len(&t, "R12\0zz", 6), 12 + 7);
	assert_int_equal(rw_index_get(&t, "R2999"), 2999 + 7);
	/* Replacing a value keeps n and moves gen. */
	gen = t.gen;
	assert_int_equal(rw_index_put(&t, "R5", 1), 0);
	assert_true(t.gen > gen);
	assert_int_equal(t.n, 3000);
	assert_int_equal(rw_index_get_len(&t, "R5x", 2), 1);
	rw_index_release(&t);
	assert_int_equal(rw_index_get_len(&t, "R5", 2), RW_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_date_iso),
		cmocka_unit_test(test_parse_date_slash_dot),
		cmocka_unit_test(test_parse_amount),
		cmocka_unit_test(test_parse_type_status),
		cmocka_unit_test(test_idset),
		cmocka_unit_test(test_index_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
