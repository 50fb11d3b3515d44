/*
 * cmd_merge.c - `repwatch merge OUT.db SHARD.db...`: one night's shard
 * databases combined into one (store/merge.c does the work).
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "../store/store.h"

static const char merge_usage[] =
	"usage: repwatch merge OUT.db SHARD.db...\n"
	"\n"
	"Combine the databases of one night's shards (repwatch run --shard I/N)\n"
	"into OUT.db, which then equals a single run of all teams.  OUT.db may\n"
	"hold earlier nights: their alert memory carries over.  Shards of\n"
	"different as_of, configuration or schema are refused.\n"
	"\n"
	"  -h, --help            this text\n"
	"\n"
	"exit codes: 0 merged; 1 usage error or shards that do not belong\n"
	"together; 4 failure (nothing changed); 5 OUT.db locked by a run.\n";

int rw_cmd_merge(int argc, char **argv)
{
	struct rw_err err;
	char started[32];
	int rc;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(merge_usage, stdout);
		return RW_EXIT_OK;
	}
	if (argc < 3 || argv[1][0] == '-') {
		fputs(merge_usage, stderr);
		return RW_EXIT_USAGE;
	}
	rw_err_clear(&err);
	rw_now_iso(started, sizeof(started));
	rc = rw_store_merge(argv[1], (const char *const *)argv + 2, argc - 2, 10000,
			    started, &err);
	if (rc) {
		rw_err_print(&err, stderr);
		return rw_exit_code(rc);
	}
	fprintf(stderr, "repwatch: merged %d shard%s into %s\n", argc - 2,
		argc == 3 ? "" : "s", argv[1]);
	return RW_EXIT_OK;
}
