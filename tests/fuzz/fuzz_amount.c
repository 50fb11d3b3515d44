/*
 * fuzz_amount.c - libFuzzer harness for rw_parse_amount(), with both
 * decimal marks.  The input is not NUL-terminated; an accepted amount
 * must be finite.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../ingest/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	char why[128];
	double v;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (!rw_parse_amount(copy, size, '.', &v, why, sizeof(why)) && !isfinite(v))
		abort();
	if (!rw_parse_amount(copy, size, ',', &v, why, sizeof(why)) && !isfinite(v))
		abort();
	free(copy);
	return 0;
}
