/* config.c - the INI configuration file (libinih). */
#include "cli.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void rw_config_default(struct rw_config *c)
{
	memset(c, 0, sizeof(*c));
	rw_settings_default(&c->settings);
	rw_ingest_opts_default(&c->ingest);
	c->max_shrink = 0.5;
	c->busy_ms = 10000;
	rw_rules_opts_default(&c->rules_opts);
}

/* Reader state: counts lines so that errors can name them. */
struct config_reader {
	FILE *fp;
	long line;
	struct rw_config *c;
	struct rw_err *err;
	const char *path;
	char last[256];		/* start of the line read last */
	long too_long;		/* a line longer than the reader takes */
	struct config_seen {	/* keys met, to refuse one given twice */
		char section[80], name[80];
	} *seen;
	size_t nseen, capseen;
};

static char *config_read_line(char *str, int num, void *stream)
{
	struct config_reader *r = stream;
	char *s = fgets(str, num, r->fp);
	size_t n;

	if (s) {
		r->line++;
		snprintf(r->last, sizeof(r->last), "%s", s);
		/* The INI reader takes lines of num - 1 bytes at most; a longer
		 * one would be cut and its rest read as a line of its own, a
		 * "key" that names nothing.  Stop and say what happened. */
		n = strlen(s);
		if (num > 1 && n == (size_t)num - 1 && s[n - 1] != '\n' && !feof(r->fp)) {
			r->too_long = r->line;
			return NULL;
		}
	}
	return s;
}

int rw_config_parse_int(const char *v, long lo, long hi, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

static int parse_share(const char *v, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(d) || d < 0 || d > 1)
		return -1;
	*out = d;
	return 0;
}

/* Integer keys of [repwatch]: name, bounds and where the value goes. */
struct int_key {
	const char *name;
	long lo, hi;
	size_t offset;		/* of an int inside struct rw_settings */
};

static const struct int_key int_keys[] = {
	{ "history_periods", 1, 120, offsetof(struct rw_settings, history_periods) },
	{ "trend_periods", 3, 60, offsetof(struct rw_settings, trend_periods) },
	{ "stale_days", 1, 3650, offsetof(struct rw_settings, stale_days) },
	{ "followup_days", 1, 3650, offsetof(struct rw_settings, followup_days) },
	{ "ramp_days", 0, 3650, offsetof(struct rw_settings, ramp_days) },
	{ "fiscal_year_start", 1, 12, offsetof(struct rw_settings, fiscal_start) },
};

static int config_key(struct config_reader *r, const char *name, const char *value)
{
	struct rw_config *c = r->c;
	long n;

	if (!strcasecmp(name, "stage_order")) {
		if (strlen(value) >= sizeof(c->stage_order))
			return rw_err_set(r->err, RW_ECONFIG, "stage_order: longer than %zu characters",
					  sizeof(c->stage_order) - 1);
		if (!strchr(value, ','))
			return rw_err_set(r->err, RW_ECONFIG, "stage_order: \"%s\" names fewer than two stages (separate them with commas)", value);
		snprintf(c->stage_order, sizeof(c->stage_order), "%s", value);
		c->settings.stage_order = c->stage_order;
		return 0;
	}

	for (size_t i = 0; i < sizeof(int_keys) / sizeof(int_keys[0]); i++) {
		if (strcasecmp(name, int_keys[i].name))
			continue;
		if (rw_config_parse_int(value, int_keys[i].lo, int_keys[i].hi, &n))
			return rw_err_set(r->err, RW_ECONFIG, "%s: \"%s\" is not a whole number from %ld to %ld", name, value, int_keys[i].lo, int_keys[i].hi);
		*(int *)((char *)&c->settings + int_keys[i].offset) = (int)n;
		return 0;
	}
	if (!strcasecmp(name, "max_reject_share")) {
		if (parse_share(value, &c->ingest.max_reject_share))
			return rw_err_set(r->err, RW_ECONFIG, "%s: \"%s\" is not a share from 0 to 1", name, value);
		return 0;
	}
	if (!strcasecmp(name, "max_shrink")) {
		if (parse_share(value, &c->max_shrink))
			return rw_err_set(r->err, RW_ECONFIG, "%s: \"%s\" is not a share from 0 to 1", name, value);
		return 0;
	}
	if (!strcasecmp(name, "date_order")) {
		if (!strcasecmp(value, "auto"))
			c->ingest.date_order = RW_DATE_AUTO;
		else if (!strcasecmp(value, "mdy") || !strcasecmp(value, "M/D/YYYY"))
			c->ingest.date_order = RW_DATE_MDY;
		else if (!strcasecmp(value, "dmy") || !strcasecmp(value, "D/M/YYYY"))
			c->ingest.date_order = RW_DATE_DMY;
		else
			return rw_err_set(r->err, RW_ECONFIG, "date_order: \"%s\" is not one of auto, mdy, dmy", value);
		return 0;
	}
	if (!strcasecmp(name, "decimal")) {
		if (strcmp(value, ".") && strcmp(value, ","))
			return rw_err_set(r->err, RW_ECONFIG, "decimal: \"%s\" is not \".\" or \",\"", value);
		c->ingest.decimal = value[0];
		return 0;
	}
	if (!strcasecmp(name, "lock_timeout_ms")) {
		if (rw_config_parse_int(value, 0, 3600000, &n))
			return rw_err_set(r->err, RW_ECONFIG, "%s: \"%s\" is not a whole number from 0 to 3600000", name, value);
		c->busy_ms = (int)n;
		return 0;
	}
	if (!strcasecmp(name, "repeat_days")) {
		if (rw_config_parse_int(value, 0, 3650, &n))
			return rw_err_set(r->err, RW_ECONFIG, "%s: \"%s\" is not a whole number from 0 to 3650", name, value);
		c->rules_opts.repeat_days = (int)n;
		return 0;
	}
	if (!strcasecmp(name, "notify_timeout_s")) {
		if (rw_config_parse_int(value, 1, 86400, &n))
			return rw_err_set(r->err, RW_ECONFIG, "%s: \"%s\" is not a whole number from 1 to 86400", name, value);
		c->rules_opts.notify_timeout_s = (int)n;
		return 0;
	}
	if (!strcasecmp(name, "structural_margin")) {
		if (parse_share(value, &c->settings.structural_margin))
			return rw_err_set(r->err, RW_ECONFIG, "%s: \"%s\" is not a share from 0 to 1", name, value);
		return 0;
	}
	/* encoding, profile, require_activities: read by ingest. */
	if (rw_ingest_config_key(&c->ingest, "repwatch", name, value, r->line, r->err) >= 0)
		return r->err->code;
	return rw_err_set(r->err, RW_ECONFIG, "unknown key \"%s\" in section [repwatch]", name);
}

/*
 * A key given twice in one section would silently keep the last value (or
 * glue two `when`s together).  A continuation line (indented) reaches the
 * handler under the same name and is not a repeat.
 */
static int config_repeat(struct config_reader *r, const char *section,
			 const char *name)
{
	struct config_seen *e;

	if (r->last[0] == ' ' || r->last[0] == '\t')
		return 0;
	for (size_t i = 0; i < r->nseen; i++)
		if (!strcasecmp(r->seen[i].section, section) && !strcasecmp(r->seen[i].name, name))
			return rw_err_set(r->err, RW_ECONFIG, "key \"%s\" given twice in section [%s]", name, section);
	e = rw_grow(r->seen, &r->capseen, r->nseen + 1, sizeof(*e));
	if (!e)
		return rw_err_set(r->err, RW_ENOMEM, "out of memory reading configuration");
	r->seen = e;
	e = &r->seen[r->nseen++];
	snprintf(e->section, sizeof(e->section), "%s", section);
	snprintf(e->name, sizeof(e->name), "%s", name);
	return 0;
}

static int config_handler(void *user, const char *section, const char *name,
			  const char *value)
{
	struct config_reader *r = user;

	if (r->err->code)
		return 0;
	if (!section[0] || (!strncasecmp(section, "rule ", 5) && !section[5]))
		rw_err_set(r->err, RW_ECONFIG, "key \"%s\" is in a section with an empty name", name);
	else
		config_repeat(r, section, name);
	if (r->err->code) {
		rw_err_where(r->err, r->path, r->line, 0);
		return 0;
	}
	if (rw_ingest_config_section(section)) {
		rw_ingest_config_key(&r->c->ingest, section, name, value, r->line, r->err);
	} else if (!strncasecmp(section, "rule ", 5)) {
		if (!r->c->rules && !(r->c->rules = rw_rules_new()))
			rw_err_set(r->err, RW_ENOMEM, "out of memory reading rules");
		else if ((strcasecmp(name, "when") || r->last[0] == ' ' || r->last[0] == '\t' ||
			  !rw_rules_set_where(r->c->rules, section + 5, r->path, r->line, r->err)))
			rw_rules_set(r->c->rules, section + 5, name, value, r->err);
	} else if (strcasecmp(section, "repwatch"))
		rw_err_set(r->err, RW_ECONFIG, "unknown section [%s] (key \"%s\")", section, name);
	else
		config_key(r, name, value);
	if (r->err->code) {
		rw_err_where(r->err, r->path, r->line, 0);
		return 0;
	}
	return 1;
}

/* The next name of the comma-separated list at *s (blanks trimmed, never
 * empty) into *name and *n, *s moved past it; 0 at the list's end. */
static int list_next(const char **s, const char **name, size_t *n)
{
	const char *p = *s;
	size_t len;

	while (*p == ' ' || *p == ',')
		p++;
	len = strcspn(p, ",");
	*s = p + len;
	while (len && p[len - 1] == ' ')
		len--;
	*name = p;
	*n = len;
	return len > 0;
}

/* Whether comma-separated lists a and b share a name (blanks trimmed,
 * case ignored, as ingest matches stage names). */
static int lists_share(const char *a, const char *b, char *out, size_t size)
{
	const char *p, *q, *t;
	size_t n, m;

	while (list_next(&a, &p, &n))
		for (t = b; list_next(&t, &q, &m);)
			if (m == n && !strncasecmp(p, q, n)) {
				snprintf(out, size, "%.*s", (int)n, p);
				return 1;
			}
	return 0;
}

/* Contradictions between keys, found once the whole file is read. */
static int config_contradictions(const struct rw_config *c, struct rw_err *err)
{
	const struct rw_ingest_map *m = &c->ingest.map;
	char name[RW_MAP_TEXT];

	for (int i = 0; i < m->n; i++) {
		if (m->e[i].kind == RW_MAP_RATE && m->base_currency[0] &&
		    !strcasecmp(m->e[i].text, m->base_currency)) {
			rw_err_set(err, RW_ECONFIG, "[currency] gives a rate for %s, the base currency (its rate is 1 by definition)", m->e[i].text);
			rw_err_where(err, c->path, m->e[i].line, 0);
			return RW_ECONFIG;
		}
		if (m->e[i].kind != RW_MAP_WON)
			continue;
		for (int j = 0; j < m->n; j++)
			if (m->e[j].kind == RW_MAP_LOST && lists_share(m->e[i].text, m->e[j].text, name, sizeof(name))) {
				rw_err_set(err, RW_ECONFIG, "[stages] stage \"%s\" is both won and lost", name);
				rw_err_where(err, c->path, m->e[j].line, 0);
				return RW_ECONFIG;
			}
	}
	return 0;
}

int rw_config_load(struct rw_config *c, const char *path, struct rw_err *err)
{
	struct config_reader r = { .c = c, .err = err, .path = path };
	int rc;

	r.fp = fopen(path, "r");
	if (!r.fp) {
		rw_err_set(err, RW_ECONFIG, "cannot open configuration file: %s", strerror(errno));
		rw_err_where(err, path, 0, 0);
		return RW_ECONFIG;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	rc = ini_parse_stream(config_read_line, &r, config_handler, &r);
	if (ferror(r.fp) && !err->code)
		rw_err_set(err, RW_EIO, "error reading configuration file");
	fclose(r.fp);
	rw_free(r.seen);
	if (!err->code && r.too_long) {
		rw_err_set(err, RW_ECONFIG, "line longer than %d characters; continue a long value on the next lines, each starting with a space", INI_MAX_LINE - 2);
		rw_err_where(err, path, r.too_long, 0);
		return RW_ECONFIG;
	}
	if (err->code) {
		rw_err_where(err, path, 0, 0);
		return err->code;
	}
	if (rc > 0) {
		rw_err_set(err, RW_ECONFIG, "syntax error (expected [section] or key = value)");
		rw_err_where(err, path, rc, 0);
		return RW_ECONFIG;
	}
	if (rc < 0)
		return rw_err_set(err, RW_ENOMEM, "out of memory reading configuration");
	if (c->settings.trend_periods > c->settings.history_periods) {
		rw_err_set(err, RW_ECONFIG, "trend_periods (%d) exceeds history_periods (%d)", c->settings.trend_periods, c->settings.history_periods);
		rw_err_where(err, path, 0, 0);
		return RW_ECONFIG;
	}
	return config_contradictions(c, err);
}

int rw_config_overlay(struct rw_config *c, const char *data, const char *profile,
		      const char *const *paths, struct rw_err *err)
{
	if (data)
		c->ingest.data_dir = data;
	if (profile && rw_ingest_config_key(&c->ingest, "repwatch", "profile", profile, 0, err))
		return rw_err_set(err, RW_EUSAGE, "--profile: \"%s\" is not a profile", profile);
	for (int f = 0; paths && f < RW_NINPUTS; f++)
		if (paths[f])
			c->ingest.paths[f] = paths[f];
	return 0;
}

int rw_opt_input(int opt, const char *arg, const char **paths)
{
	if (opt < RW_OPT_INPUT || opt >= RW_OPT_INPUT + RW_NINPUTS)
		return 0;
	paths[opt - RW_OPT_INPUT] = arg;
	return 1;
}
