/*
 * profile.c - the canonical columns of every input, the vendor export
 * profiles that map CRM headers onto them (Salesforce Data Loader/API and
 * report exports, HubSpot, Pipedrive), and the configuration sections
 * that add to them ([columns.FILE], [values.FILE], [stages],
 * [activity_types], [currency]).  docs/inputs.md lists what each profile
 * knows.
 */
#include "ingest.h"
#include "ingest_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Canonical columns ------------------------------------------------ */

static const struct rw_col rep_cols[] = {
	{ "rep_id", 1, 0 }, { "name", 1, 0 }, { "email", 0, 0 },
	{ "team", 0, 0 }, { "manager", 0, 0 }, { "hire_date", 0, 1 },
	{ "end_date", 0, 1 }, { NULL, 0, 0 },
};

static const struct rw_col opp_cols[] = {
	{ "opp_id", 1, 0 }, { "owner", 1, 0 }, { "created", 1, 1 },
	{ "amount", 1, 0 }, { "status", 2, 0 }, { "stage", 2, 0 },
	{ "close_date", 0, 1 }, { "currency", 0, 0 }, { "is_closed", 2, 0 },
	{ "is_won", 0, 0 }, { "icp_fit", 0, 0 }, { NULL, 0, 0 },
};

static const struct rw_col tgt_cols[] = {
	{ "rep_id", 2, 0 }, { "team", 2, 0 }, { "period", 1, 0 },
	{ "target", 1, 0 }, { "metric", 0, 0 }, { NULL, 0, 0 },
};

static const struct rw_col act_cols[] = {
	{ "activity_id", 1, 0 }, { "owner", 1, 0 }, { "type", 1, 0 },
	{ "date", 1, 1 }, { "opp_id", 0, 0 }, { NULL, 0, 0 },
};

static const struct rw_col stage_cols[] = {
	{ "opp_id", 1, 0 }, { "stage", 1, 0 }, { "entered", 1, 1 },
	{ NULL, 0, 0 },
};

static const struct rw_col plan_cols[] = {
	{ "plan_id", 1, 0 }, { "rep_id", 1, 0 }, { "start", 1, 1 },
	{ "end", 1, 1 }, { "metric", 1, 0 }, { "target", 1, 0 },
	{ "baseline", 0, 0 }, { NULL, 0, 0 },
};

const struct rw_col *const rw_file_cols[RW_NINPUTS] = {
	[RW_IN_REPS] = rep_cols,
	[RW_IN_OPPORTUNITIES] = opp_cols,
	[RW_IN_TARGETS] = tgt_cols,
	[RW_IN_ACTIVITIES] = act_cols,
	[RW_IN_STAGE_HISTORY] = stage_cols,
	[RW_IN_PLANS] = plan_cols,
};

/* Names of the inputs in configuration sections ([columns.NAME]). */
static const char *const input_keys[RW_NINPUTS] = {
	[RW_IN_REPS] = "reps",
	[RW_IN_OPPORTUNITIES] = "opportunities",
	[RW_IN_TARGETS] = "targets",
	[RW_IN_ACTIVITIES] = "activities",
	[RW_IN_STAGE_HISTORY] = "stage_history",
	[RW_IN_PLANS] = "plans",
};

int rw_input_find(const char *name)
{
	for (int f = 0; f < RW_NINPUTS; f++)
		if (!strcasecmp(name, input_keys[f]))
			return f;
	return -1;
}

static int col_find(enum rw_input_file f, const char *name)
{
	const struct rw_col *c = rw_file_cols[f];

	for (int i = 0; c[i].name; i++)
		if (!strcasecmp(c[i].name, name))
			return i;
	return -1;
}

/* ---- Profiles --------------------------------------------------------- */

/* Canonical column col is read from the first of the '|'-separated
 * header names that the file has (all of them, in order, as fallbacks). */
struct alias {
	int col;
	const char *names;
};

/* One kind of export of a vendor. */
struct pfile {
	enum rw_input_file f;
	const char *label;
	const char *needs;		/* '|'-list of headers that must all be there */
	const char *excludes;		/* '|'-list: any of them rules it out */
	const struct alias *alias;	/* ends with col -1 */
	const struct alias *fixed;	/* default values; ends with col -1 */
};

struct profile {
	const char *name;
	const struct pfile *files;	/* ends with label NULL */
};

static const struct alias none[] = { { -1, NULL } };

/* Salesforce objects as Data Loader, the API or `sf data export` write
 * them: API field names. */
static const struct alias sf_opp[] = {
	{ OPP_ID, "Id" }, { OPP_OWNER, "OwnerId|Owner.Email|Owner.Name" },
	{ OPP_CREATED, "CreatedDate" }, { OPP_AMOUNT, "Amount" },
	{ OPP_STAGE, "StageName" }, { OPP_CLOSE, "CloseDate" },
	{ OPP_CURRENCY, "CurrencyIsoCode" }, { OPP_IS_CLOSED, "IsClosed" },
	{ OPP_IS_WON, "IsWon" }, { -1, NULL },
};
static const struct alias sf_task[] = {
	{ ACT_ID, "Id" }, { ACT_OWNER, "OwnerId" },
	{ ACT_TYPE, "Type|Type__c|TaskSubtype" },
	{ ACT_DATE, "ActivityDate|CompletedDateTime|CreatedDate" },
	{ ACT_OPP, "WhatId" }, { -1, NULL },
};
static const struct alias sf_event[] = {
	{ ACT_ID, "Id" }, { ACT_OWNER, "OwnerId" },
	{ ACT_TYPE, "Type|EventSubtype" },
	{ ACT_DATE, "ActivityDate|StartDateTime|ActivityDateTime" },
	{ ACT_OPP, "WhatId" }, { -1, NULL },
};
static const struct alias sf_history[] = {
	{ STG_OPP, "OpportunityId" }, { STG_STAGE, "StageName" },
	{ STG_ENTERED, "CreatedDate" }, { -1, NULL },
};
static const struct alias sf_user[] = {
	{ REP_ID, "Id" }, { REP_NAME, "Name" }, { REP_EMAIL, "Email" },
	{ REP_TEAM, "UserRole.Name|Department|Division" },
	{ REP_MANAGER, "ManagerId" }, { -1, NULL },
};
static const struct pfile sf_files[] = {
	{ RW_IN_STAGE_HISTORY, "Salesforce OpportunityHistory", "OpportunityId|StageName",
	  NULL, sf_history, none },
	{ RW_IN_OPPORTUNITIES, "Salesforce Opportunity", "StageName",
	  "OpportunityId", sf_opp, none },
	{ RW_IN_ACTIVITIES, "Salesforce Task", "TaskSubtype", NULL, sf_task, none },
	{ RW_IN_ACTIVITIES, "Salesforce Event", "EventSubtype", NULL, sf_event, none },
	{ RW_IN_REPS, "Salesforce User", "Username", NULL, sf_user, none },
	{ 0, NULL, NULL, NULL, NULL, NULL },
};

/* Salesforce report exports ("Export > Details only"): display labels. */
static const struct alias sfr_opp[] = {
	{ OPP_ID, "Opportunity ID|Opportunity Id" },
	{ OPP_OWNER, "Opportunity Owner|Owner Email|Owner Name" },
	{ OPP_CREATED, "Created Date" }, { OPP_AMOUNT, "Amount|Amount (converted)" },
	{ OPP_STAGE, "Stage" }, { OPP_CLOSE, "Close Date" },
	{ OPP_CURRENCY, "Amount Currency|Opportunity Currency" },
	{ OPP_IS_CLOSED, "Closed" }, { OPP_IS_WON, "Won" }, { -1, NULL },
};
static const struct alias sfr_act[] = {
	{ ACT_ID, "Activity ID|Activity Id" }, { ACT_OWNER, "Assigned|Assigned To" },
	{ ACT_TYPE, "Type|Task Subtype|Event Subtype|Task/Event" },
	{ ACT_DATE, "Date|Due Date|Start" },
	{ ACT_OPP, "Opportunity ID|Related To ID" }, { -1, NULL },
};
static const struct pfile sfr_files[] = {
	{ RW_IN_OPPORTUNITIES, "Salesforce opportunity report", "Opportunity Owner|Stage",
	  NULL, sfr_opp, none },
	{ RW_IN_ACTIVITIES, "Salesforce activity report", "Assigned", NULL, sfr_act, none },
	{ 0, NULL, NULL, NULL, NULL, NULL },
};

/* HubSpot exports from the deals index and the activity (call, e-mail,
 * meeting) indexes: property labels. */
static const struct alias hs_deal[] = {
	{ OPP_ID, "Record ID|Deal ID" }, { OPP_OWNER, "Deal owner" },
	{ OPP_CREATED, "Create Date" }, { OPP_AMOUNT, "Amount" },
	{ OPP_STAGE, "Deal Stage" }, { OPP_CLOSE, "Close Date" },
	{ OPP_CURRENCY, "Currency" }, { OPP_IS_CLOSED, "Is Deal Closed?|Is closed" },
	{ OPP_IS_WON, "Is Closed Won|Is closed won" }, { -1, NULL },
};
static const struct alias hs_act[] = {
	{ ACT_ID, "Record ID|Activity ID" },
	{ ACT_OWNER, "Activity assigned to|Assigned to|Owner" },
	{ ACT_TYPE, "Activity type|Call and meeting type" },
	{ ACT_DATE, "Activity date|Meeting start time|Create date" },
	{ ACT_OPP, "Associated Deal IDs|Associated Deal ID|Deal ID" }, { -1, NULL },
};
static const struct alias hs_call[] = { { ACT_TYPE, "call" }, { -1, NULL } };
static const struct alias hs_email[] = { { ACT_TYPE, "email" }, { -1, NULL } };
static const struct alias hs_meet[] = { { ACT_TYPE, "meeting" }, { -1, NULL } };
static const struct pfile hs_files[] = {
	{ RW_IN_OPPORTUNITIES, "HubSpot deals export", "Deal Stage", NULL, hs_deal, none },
	{ RW_IN_ACTIVITIES, "HubSpot calls export", "Call outcome", NULL, hs_act, hs_call },
	{ RW_IN_ACTIVITIES, "HubSpot emails export", "Email subject", NULL, hs_act, hs_email },
	{ RW_IN_ACTIVITIES, "HubSpot meetings export", "Meeting name", NULL, hs_act, hs_meet },
	{ RW_IN_ACTIVITIES, "HubSpot activities export", "Activity date", NULL, hs_act, none },
	{ 0, NULL, NULL, NULL, NULL, NULL },
};

/* Pipedrive exports (Deals > Export, Activities > Export): "Object -
 * Field" labels. */
static const struct alias pd_deal[] = {
	{ OPP_ID, "Deal - ID" }, { OPP_OWNER, "Deal - Owner" },
	{ OPP_CREATED, "Deal - Deal created|Deal - Add time" },
	{ OPP_AMOUNT, "Deal - Value" }, { OPP_STATUS, "Deal - Status" },
	{ OPP_STAGE, "Deal - Stage" },
	{ OPP_CLOSE, "Deal - Won time|Deal - Lost time|Deal - Deal closed on|Deal - Expected close date" },
	{ OPP_CURRENCY, "Deal - Currency" }, { -1, NULL },
};
static const struct alias pd_act[] = {
	{ ACT_ID, "Activity - ID" },
	{ ACT_OWNER, "Activity - Assigned to user|Activity - Owner|Activity - User" },
	{ ACT_TYPE, "Activity - Type" },
	{ ACT_DATE, "Activity - Due date|Activity - Marked as done time|Activity - Add time" },
	{ ACT_OPP, "Activity - Deal ID|Deal - ID" }, { -1, NULL },
};
static const struct pfile pd_files[] = {
	{ RW_IN_OPPORTUNITIES, "Pipedrive deals export", "Deal - ID",
	  "Activity - Type", pd_deal, none },
	{ RW_IN_ACTIVITIES, "Pipedrive activities export", "Activity - Type", NULL,
	  pd_act, none },
	{ 0, NULL, NULL, NULL, NULL, NULL },
};

static const struct profile profiles[] = {
	{ "canonical", NULL },
	{ "salesforce", sf_files },
	{ "salesforce-report", sfr_files },
	{ "hubspot", hs_files },
	{ "pipedrive", pd_files },
};
#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

const char *const *rw_profile_names(void)
{
	static const char *const names[NPROFILES + 1] = {
		"canonical", "salesforce", "salesforce-report", "hubspot", "pipedrive",
		NULL,
	};

	return names;
}

int rw_profile_exists(const char *name)
{
	for (size_t i = 0; i < NPROFILES; i++)
		if (!strcasecmp(profiles[i].name, name))
			return 1;
	return 0;
}

/* ---- Header matching -------------------------------------------------- */


/* Header field named name[0..n) (trimmed, any case), or -1; the first of
 * repeated names wins. */
static int header_find(const struct rw_csv_rec *hdr, const char *name, size_t n)
{
	rw_trim(&name, &n);
	for (size_t i = 0; i < hdr->nfields; i++) {
		const char *s = hdr->fields[i];
		size_t len = hdr->lens[i];

		rw_trim(&s, &len);
		if (len == n && !strncasecmp(s, name, n))
			return (int)i;
	}
	return -1;
}

/* Add every header of the sep-separated list to column c's fields. */
static void add_names(struct rw_header_map *hm, int c, const char *list,
		      char sep, const struct rw_csv_rec *hdr)
{
	while (list && *list) {
		const char *end = strchr(list, sep);
		size_t n = end ? (size_t)(end - list) : strlen(list);
		int i = header_find(hdr, list, n);

		if (i >= 0 && hm->nalt[c] < RW_MAX_ALT)
			hm->map[c][hm->nalt[c]++] = i;
		list = end ? end + 1 : NULL;
	}
}

/* 1 when every header of the '|'-list is there (needs) or any is
 * (any = 1, for excludes). */
static int has_names(const struct rw_csv_rec *hdr, const char *list, int any)
{
	while (list && *list) {
		const char *end = strchr(list, '|');
		size_t n = end ? (size_t)(end - list) : strlen(list);
		int found = header_find(hdr, list, n) >= 0;

		if (found && any)
			return 1;
		if (!found && !any)
			return 0;
		list = end ? end + 1 : NULL;
	}
	return !any;
}

static const struct rw_map_entry *cfg_entry(const struct rw_ingest_map *cfg,
					    enum rw_map_kind kind,
					    enum rw_input_file f, int c)
{
	for (int i = 0; cfg && i < cfg->n; i++)
		if (cfg->e[i].kind == kind && cfg->e[i].file == (int)f &&
		    cfg->e[i].col == c)
			return &cfg->e[i];
	return NULL;
}

/* Columns and score of hm, and whether every required column has a
 * source; the first one missing goes into hm->missing. */
static int check_required(enum rw_input_file f, struct rw_header_map *hm,
			  const struct rw_csv_rec *hdr)
{
	const struct rw_col *cols = rw_file_cols[f];
	const char *group[2] = { NULL, NULL };
	int ng = 0, have_group = 0, ok = 1;
	unsigned char used[256] = { 0 };

	hm->score = 0;
	hm->missing[0] = '\0';
	for (int c = 0; cols[c].name; c++) {
		int have = hm->nalt[c] > 0 || hm->fixed[c];

		for (int a = 0; a < hm->nalt[c]; a++) {
			int i = hm->map[c][a];

			if (i < 256 && !used[i]) {
				used[i] = 1;
				hm->score++;
			}
		}
		if (cols[c].required == 1 && !have && ok) {
			snprintf(hm->missing, sizeof(hm->missing), "\"%s\"", cols[c].name);
			ok = 0;
		}
		if (cols[c].required == 2) {
			if (ng < 2)
				group[ng] = cols[c].name;
			ng++;
			have_group |= have;
		}
	}
	(void)hdr;
	if (ok && ng && !have_group) {
		snprintf(hm->missing, sizeof(hm->missing), "\"%s\" or \"%s\"",
			 group[0], group[1]);
		ok = 0;
	}
	return ok;
}

/*
 * Map hdr with profile p's export pf (pf NULL: canonical names).  The
 * configuration's [columns.FILE] names replace the profile's for a
 * column (the canonical name is still accepted after them), and its
 * [values.FILE] give a value when no column has one.
 */
static int map_with(const struct profile *p, const struct pfile *pf,
		    enum rw_input_file f, const struct rw_csv_rec *hdr,
		    const struct rw_ingest_map *cfg, struct rw_header_map *hm)
{
	const struct rw_col *cols = rw_file_cols[f];

	memset(hm, 0, sizeof(*hm));
	hm->profile = p->name;
	hm->label = pf ? pf->label : "repwatch layout";
	for (int i = 0; !pf && cfg && i < cfg->n; i++)
		if (cfg->e[i].kind == RW_MAP_COLUMN && cfg->e[i].file == (int)f)
			hm->label = "repwatch layout, columns named in the configuration";
	for (int c = 0; cols[c].name; c++) {
		const struct rw_map_entry *e = cfg_entry(cfg, RW_MAP_COLUMN, f, c);

		if (e)
			add_names(hm, c, e->text, ',', hdr);
		if (!pf)	/* the canonical name is always understood too */
			add_names(hm, c, cols[c].name, '|', hdr);
		e = cfg_entry(cfg, RW_MAP_VALUE, f, c);
		if (e)
			hm->fixed[c] = e->text;
	}
	for (int i = 0; pf && pf->alias[i].col >= 0; i++) {
		int c = pf->alias[i].col;

		if (!cfg_entry(cfg, RW_MAP_COLUMN, f, c))
			add_names(hm, c, pf->alias[i].names, '|', hdr);
	}
	for (int i = 0; pf && pf->fixed[i].col >= 0; i++)
		if (!hm->fixed[pf->fixed[i].col])
			hm->fixed[pf->fixed[i].col] = pf->fixed[i].names;
	return check_required(f, hm, hdr);
}

static int profile_map_one(const struct profile *p, enum rw_input_file f,
			   const struct rw_csv_rec *hdr,
			   const struct rw_ingest_map *cfg, struct rw_header_map *hm)
{
	struct rw_header_map try;
	int found = 0;

	if (!p->files)
		return map_with(p, NULL, f, hdr, cfg, hm);
	for (const struct pfile *pf = p->files; pf->label; pf++) {
		if (pf->f != f || !has_names(hdr, pf->needs, 0) ||
		    has_names(hdr, pf->excludes, 1))
			continue;
		if (map_with(p, pf, f, hdr, cfg, &try)) {
			*hm = try;
			return 1;
		}
		if (!found)
			*hm = try;
		found = 1;
	}
	if (!found) {
		memset(hm, 0, sizeof(*hm));
		hm->profile = p->name;
		snprintf(hm->missing, sizeof(hm->missing),
			 "no header of a %s export of this file (is the profile right for it?)",
			 p->name);
	}
	return 0;
}

int rw_profile_map(const char *pname, enum rw_input_file f,
		   const struct rw_csv_rec *hdr, const struct rw_ingest_map *cfg,
		   struct rw_header_map *hm)
{
	struct rw_header_map best, try;
	int have = 0;

	for (size_t i = 0; i < NPROFILES; i++) {
		/* A forced profile still lets canonical files (a roster kept
		 * by hand beside the CRM's exports) be read as they are. */
		if (pname && *pname && strcasecmp(pname, profiles[i].name) && i != 0)
			continue;
		if (!profile_map_one(&profiles[i], f, hdr, cfg, &try)) {
			/* The message names what the canonical or the forced
			 * profile lacked. */
			if (i == 0 || (pname && *pname && strcasecmp(pname, profiles[0].name)))
				*hm = try;
			continue;
		}
		if (!have || try.score > best.score) {
			best = try;
			have = 1;
		}
	}
	if (have)
		*hm = best;
	return have;
}

/* ---- Configuration ---------------------------------------------------- */

static int cfg_add(struct rw_ingest_opts *o, enum rw_map_kind kind, int file,
		   int col, const char *text, long line, struct rw_err *err)
{
	struct rw_ingest_map *m = &o->map;
	struct rw_map_entry *e;

	for (int i = 0; i < m->n; i++) {
		e = &m->e[i];
		if (e->kind == kind && e->file == file && e->col == col &&
		    (kind != RW_MAP_RATE || !strcmp(e->text, text)))
			return rw_err_set(err, RW_ECONFIG, "repeated key (first on line %ld)",
					  e->line);
	}
	if (m->n == RW_MAP_MAX)
		return rw_err_set(err, RW_ECONFIG, "more than %d mapping keys", RW_MAP_MAX);
	if (strlen(text) >= RW_MAP_TEXT)
		return rw_err_set(err, RW_ECONFIG, "value longer than %d characters",
				  RW_MAP_TEXT - 1);
	e = &m->e[m->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->file = file;
	e->col = col;
	e->line = line;
	snprintf(e->text, sizeof(e->text), "%s", text);
	return 0;
}

static int columns_key(struct rw_ingest_opts *o, const char *section,
		       const char *name, const char *value, long line,
		       struct rw_err *err)
{
	int values = !strncasecmp(section, "values.", 7);
	int f = rw_input_find(strchr(section, '.') + 1);
	int c;

	if (f < 0)
		return rw_err_set(err, RW_ECONFIG,
				  "unknown section [%s] (files: opportunities, activities, reps, targets, stage_history, plans)",
				  section);
	c = col_find((enum rw_input_file)f, name);
	if (c < 0)
		return rw_err_set(err, RW_ECONFIG, "[%s] %s: not a column of %s",
				  section, name, rw_input_name((enum rw_input_file)f));
	if (!*value)
		return rw_err_set(err, RW_ECONFIG, "[%s] %s: empty value", section, name);
	return cfg_add(o, values ? RW_MAP_VALUE : RW_MAP_COLUMN, f, c, value, line, err);
}

static int currency_code(const char *s)
{
	return strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' &&
	       s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z';
}

static int currency_key(struct rw_ingest_opts *o, const char *name,
			const char *value, long line, struct rw_err *err)
{
	char *end;
	double rate;
	int rc;

	if (!strcasecmp(name, "base")) {
		if (!currency_code(value))
			return rw_err_set(err, RW_ECONFIG,
					  "[currency] base: \"%s\" is not a three-letter code such as USD", value);
		snprintf(o->map.base_currency, sizeof(o->map.base_currency), "%s", value);
		return 0;
	}
	if (!currency_code(name))
		return rw_err_set(err, RW_ECONFIG,
				  "[currency] %s: not \"base\" nor a three-letter upper-case code such as EUR", name);
	errno = 0;
	rate = strtod(value, &end);
	if (errno || end == value || *end || !isfinite(rate) || rate <= 0)
		return rw_err_set(err, RW_ECONFIG,
				  "[currency] %s: \"%s\" is not a positive rate (one %s in the base currency)",
				  name, value, name);
	rc = cfg_add(o, RW_MAP_RATE, -1, 0, name, line, err);
	if (!rc)
		o->map.e[o->map.n - 1].rate = rate;
	return rc;
}

static int repwatch_key(struct rw_ingest_opts *o, const char *name,
			const char *value, struct rw_err *err)
{
	if (!strcasecmp(name, "encoding")) {
		if (!strcasecmp(value, "auto"))
			o->encoding = RW_ENC_AUTO;
		else if (!strcasecmp(value, "utf-8") || !strcasecmp(value, "utf8"))
			o->encoding = RW_ENC_UTF8;
		else if (!strcasecmp(value, "windows-1252") || !strcasecmp(value, "cp1252"))
			o->encoding = RW_ENC_CP1252;
		else if (!strcasecmp(value, "utf-16") || !strcasecmp(value, "utf16"))
			o->encoding = RW_ENC_UTF16;
		else
			return rw_err_set(err, RW_ECONFIG,
					  "encoding: \"%s\" is not one of auto, utf-8, windows-1252, utf-16", value);
		return 0;
	}
	if (!strcasecmp(name, "profile")) {
		if (!rw_profile_exists(value))
			return rw_err_set(err, RW_ECONFIG,
					  "profile: \"%s\" is not one of canonical, salesforce, salesforce-report, hubspot, pipedrive", value);
		snprintf(o->profile, sizeof(o->profile), "%s", value);
		return 0;
	}
	if (!strcasecmp(name, "close_before_created")) {
		if (!strcasecmp(value, "reject"))
			o->created_from_close = 0;
		else if (!strcasecmp(value, "use_close"))
			o->created_from_close = 1;
		else
			return rw_err_set(err, RW_ECONFIG,
					  "close_before_created: \"%s\" is not reject or use_close", value);
		return 0;
	}
	if (!strcasecmp(name, "require_activities")) {
		if (!strcasecmp(value, "yes") || !strcasecmp(value, "true"))
			o->require_activities = 1;
		else if (!strcasecmp(value, "no") || !strcasecmp(value, "false"))
			o->require_activities = 0;
		else
			return rw_err_set(err, RW_ECONFIG,
					  "require_activities: \"%s\" is not yes or no", value);
		return 0;
	}
	return -1;
}

int rw_ingest_config_section(const char *section)
{
	return !strncasecmp(section, "columns.", 8) ||
	       !strncasecmp(section, "values.", 7) ||
	       !strcasecmp(section, "stages") ||
	       !strcasecmp(section, "activity_types") ||
	       !strcasecmp(section, "currency");
}

int rw_ingest_config_key(struct rw_ingest_opts *o, const char *section,
			 const char *name, const char *value, long line,
			 struct rw_err *err)
{
	static const char *const types[RW_NACTS] = {
		[RW_CALL] = "call", [RW_EMAIL] = "email",
		[RW_MEETING] = "meeting", [RW_OTHER] = "other",
	};

	if (!strcasecmp(section, "repwatch"))
		return repwatch_key(o, name, value, err);
	if (!strncasecmp(section, "columns.", 8) || !strncasecmp(section, "values.", 7))
		return columns_key(o, section, name, value, line, err);
	if (!strcasecmp(section, "currency"))
		return currency_key(o, name, value, line, err);
	if (!strcasecmp(section, "stages")) {
		if (!strcasecmp(name, "won"))
			return cfg_add(o, RW_MAP_WON, -1, 0, value, line, err);
		if (!strcasecmp(name, "lost"))
			return cfg_add(o, RW_MAP_LOST, -1, 0, value, line, err);
		if (!strcasecmp(name, "skip"))
			return cfg_add(o, RW_MAP_SKIP, -1, 0, value, line, err);
		return rw_err_set(err, RW_ECONFIG, "[stages] %s: not won, lost or skip", name);
	}
	if (!strcasecmp(section, "activity_types")) {
		for (int t = 0; t < RW_NACTS; t++)
			if (!strcasecmp(name, types[t]))
				return cfg_add(o, RW_MAP_ACT, -1, t, value, line, err);
		return rw_err_set(err, RW_ECONFIG,
				  "[activity_types] %s: not call, email, meeting or other", name);
	}
	return -1;
}
