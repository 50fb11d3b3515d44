/*
 * defaults.c - the shipped default rules, compiled into the binary so that
 * repwatch needs no file at run time.  Their text, rw_rules_default_ini,
 * is generated from rules/default.ini by the Makefile (build/gen/), so the
 * file is the one place to edit.
 */
#include "rules_int.h"

#include <ini.h>
#include <string.h>


struct defaults_reader {
	struct rw_rules *rs;
	struct rw_err *err;
};

static int defaults_handler(void *user, const char *section, const char *name,
			    const char *value)
{
	struct defaults_reader *r = user;

	if (r->err->code)
		return 0;
	if (strncmp(section, "rule ", 5)) {
		rw_err_set(r->err, RW_EINTERNAL, "default rules: unknown section [%s]", section);
		return 0;
	}
	return rw_rules_set(r->rs, section + 5, name, value, r->err) ? 0 : 1;
}

int rw_rules_load_defaults(struct rw_rules *rs, struct rw_err *err)
{
	struct defaults_reader r = { .rs = rs, .err = err };
	int rc = ini_parse_string(rw_rules_default_ini, defaults_handler, &r);

	if (err->code)
		return err->code;
	if (rc > 0)
		return rw_err_set(err, RW_EINTERNAL, "default rules: syntax error on line %d", rc);
	if (rc < 0)
		return rw_err_set(err, RW_ENOMEM, "out of memory reading the default rules");
	return 0;
}
