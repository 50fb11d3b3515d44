/*
 * fuzz_config.c - libFuzzer harness for the configuration file: the INI
 * reader with its line-counting input, every [repwatch] key, the input
 * sections ([columns.*], [stages], [currency], ...) and [rule NAME]
 * sections, whose `when` expressions are then compiled by SQLite under
 * the rules' authorizer.  Any outcome but a crash, a leak or a sanitizer
 * report is fine; an error must carry a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../cli/cli.h"
#include "../../rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct rw_config c;
	struct rw_err err;
	FILE *f;
	int rc;

	if (!*path) {
		int fd;

		snprintf(path, sizeof(path), "/tmp/rw-fuzz-config-XXXXXX");
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
	}
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f))
		abort();
	rw_config_default(&c);
	rw_err_clear(&err);
	rc = rw_config_load(&c, path, &err);
	if (!rc && c.rules)
		rc = rw_rules_compile(c.rules, &err);
	if (rc && !err.msg[0])
		abort();	/* every failure explains itself */
	rw_rules_free(c.rules);
	return 0;
}
