/*
 * alerting.c - the alert state machine and the notification lines (SPEC
 * sections 6-7).  Delivering them (the notifier command) is the CLI's:
 * cli/deliver.c.
 *
 * An alert is (rule, rep).  Like an alerting system's, it fires while its
 * rule holds and resolves when it no longer does; a notification goes out
 * on a transition only (new, escalated, resolved), or again as `repeat`
 * once repeat_days have passed since the last one.
 */
#include "rules_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const event_names[] = {
	NULL, "new", "escalated", "repeat", "resolved"
};

const char *rw_alert_event_name(enum rw_alert_event ev)
{
	return (unsigned)ev < sizeof(event_names) / sizeof(event_names[0]) ?
		event_names[ev] : NULL;
}

static enum rw_alert_event notified(struct rw_alert_state *a, enum rw_alert_event ev,
				    int32_t today)
{
	a->last_notified = today;
	return ev;
}

enum rw_alert_event rw_alert_step(struct rw_alert_state *a, int holds,
				  enum rw_severity sev, int32_t today,
				  int repeat_days)
{
	if (!holds) {
		if (!a->known || !a->firing)
			return RW_EV_NONE;
		a->firing = 0;
		return notified(a, RW_EV_RESOLVED, today);
	}
	a->last_seen = today;
	if (!a->known || !a->firing) {
		a->known = 1;
		a->firing = 1;
		a->severity = sev;
		a->first_seen = today;
		return notified(a, RW_EV_NEW, today);
	}
	if (sev > a->severity) {
		a->severity = sev;
		return notified(a, RW_EV_ESCALATED, today);
	}
	a->severity = sev;
	if (repeat_days > 0 && a->last_notified != RW_NODAY &&
	    today - a->last_notified >= repeat_days)
		return notified(a, RW_EV_REPEAT, today);
	return RW_EV_NONE;
}

static json_t *opt_string(const char *s)
{
	return s ? json_string(s) : json_null();
}

char *rw_note_json(const struct rw_note *n)
{
	json_t *o, *values = NULL;
	char first[16], *s, *line = NULL;
	size_t len;

	if (n->values) {
		values = json_loads(n->values, 0, NULL);
		if (!values)
			return NULL;
	}
	if (n->first_seen != RW_NODAY)
		rw_day_format(n->first_seen, first, sizeof(first));
	o = json_pack("{s:s?, s:s?, s:s?, s:s?, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s?, s:o, s:s?}",
		      "event", rw_alert_event_name(n->event), "rule", n->rule,
		      "category", n->category, "severity", n->severity,
		      "rep", opt_string(n->rep), "rep_name", opt_string(n->rep_name),
		      "team", opt_string(n->team), "manager", opt_string(n->manager),
		      "grain", opt_string(n->grain), "period", opt_string(n->period),
		      "values", values ? values : json_object(),
		      "message", n->message,
		      "first_seen", n->first_seen != RW_NODAY ? json_string(first) : json_null(),
		      "state", n->state);
	if (!o)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(o);
	if (!s)
		return NULL;
	len = strlen(s);
	line = rw_malloc(len + 2);
	if (line) {
		memcpy(line, s, len);
		line[len] = '\n';
		line[len + 1] = 0;
	}
	free(s);
	return line;
}
