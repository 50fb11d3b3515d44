/*
 * fuzz_date.c - libFuzzer harness for rw_parse_date().  The input is not
 * NUL-terminated: the parser must stay inside [data, data + size).  A date
 * it accepts must be a real calendar day, the same under every order when
 * the text has no slash, and a valid ISO rendering of it must parse back
 * to the same day.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../ingest/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum rw_date_order orders[] = { RW_DATE_AUTO, RW_DATE_MDY, RW_DATE_DMY };
	char *copy = malloc(size ? size : 1);
	char why[128], iso[16];
	int32_t day, back;
	int y, m, d;

	if (!copy)
		return 0;
	memcpy(copy, data, size);	/* an exact-size heap copy: ASan sees overreads */
	for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
		if (rw_parse_date(copy, size, orders[i], &day, why, sizeof(why)))
			continue;
		rw_civil_from_days(day, &y, &m, &d);
		if (!rw_date_valid(y, m, d))
			abort();
		snprintf(iso, sizeof(iso), "%04d-%02d-%02d", y, m, d);
		if (rw_parse_date(iso, strlen(iso), RW_DATE_AUTO, &back, why, sizeof(why)) ||
		    back != day)
			abort();
	}
	free(copy);
	return 0;
}
