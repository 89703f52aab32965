/* The verdict of `peephole check` (include/peephole/check.h): one of three
 * levels from the findings, a one-sentence reason naming the finding that
 * drove it, and the list of what could not be checked (files not read to
 * their end, no indicators, encrypted content, dropped findings, no
 * packets, a device filter that matched nothing). The lowest level never
 * reads as "clean": when anything went unchecked the reason says the
 * check was incomplete. Rules: docs/check.md. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "peephole/check.h"

const char *ph_verdict_name(enum ph_verdict v)
{
	switch (v) {
	case PH_VERDICT_NO_SIGN: return "NO SIGN OF COMPROMISE FOUND";
	case PH_VERDICT_SUSPICIOUS: return "SUSPICIOUS";
	case PH_VERDICT_COMPROMISED: return "LIKELY COMPROMISED";
	}
	return "UNKNOWN";
}

/* Notes past the last slot are counted, and the last slot says so. */
struct notes {
	struct ph_check *c;
	unsigned overflow;
};

static void note(struct notes *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct notes *n, const char *fmt, ...)
{
	struct ph_check *c = n->c;
	if (c->nnot_checked >= PH_CHECK_MAX_NOTES) {
		n->overflow++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->not_checked[c->nnot_checked], sizeof c->not_checked[0],
		  fmt, ap);
	va_end(ap);
	c->nnot_checked++;
}

static void notes_end(struct notes *n)
{
	struct ph_check *c = n->c;
	if (!n->overflow)
		return;
	snprintf(c->not_checked[PH_CHECK_MAX_NOTES - 1],
		 sizeof c->not_checked[0],
		 "%u more items that were not checked are not listed",
		 n->overflow + 1);
}

/* Findings that say the device's data is exposed rather than that the
 * device is under someone else's control: an app sending your IMEI in
 * cleartext is a serious leak, but by itself no sign of a backdoor (the
 * beacon and indicator findings are), so it makes a capture SUSPICIOUS at
 * most. */
static bool is_exposure(const struct ph_finding *x)
{
	return strncmp(x->id, "pii.", 4) == 0;
}

static bool is_compromise(const struct ph_finding *x)
{
	return x->severity >= PH_SEV_HIGH && x->confidence == PH_CONF_HIGH &&
	       !is_exposure(x);
}

static bool is_suspicious(const struct ph_finding *x)
{
	return x->severity >= PH_SEV_MEDIUM;
}

/* The first finding (in report order) meeting pred, or NULL. */
static const struct ph_finding *
first_where(const struct ph_findings *f, bool (*pred)(const struct ph_finding *))
{
	unsigned n = ph_findings_count(f);
	for (unsigned i = 0; i < n; i++) {
		const struct ph_finding *x = ph_findings_get(f, i);
		if (x && pred(x))
			return x;
	}
	return NULL;
}

static bool device_matches(const struct ph_device *d, const char *want)
{
	return strcasecmp(d->ip, want) == 0 || strcasecmp(d->mac, want) == 0 ||
	       (d->hostname[0] && strcasecmp(d->hostname, want) == 0);
}

static bool filter_matched(const struct ph_check *c)
{
	for (unsigned i = 0; i < c->ndevices; i++) {
		const struct ph_device *d = &c->devices[i];
		if (device_matches(d, c->device_filter) &&
		    (d->flows || d->bytes_out || d->bytes_in))
			return true;
	}
	return false;
}

static void notes_intel(struct notes *n, const struct ph_intel *in)
{
	unsigned ns = in ? ph_intel_nsources(in) : 0;
	uint64_t bad = 0;
	for (unsigned i = 0; i < ns; i++) {
		const struct ph_intel_source *s = ph_intel_source(in, i);
		uint64_t k = 0;
		if (!s || s->allowlist)
			continue;
		for (unsigned t = 0; t < PH_IOC_TYPE_COUNT; t++)
			k += s->count[t];
		if (!k)
			note(n, "indicator source %s gave no usable indicators",
			     s->name);
		bad += k;
	}
	if (!bad)
		note(n, "no indicator feed was loaded: known-bad "
			"infrastructure was not checked; run peephole update "
			"or pass --ioc");
}

static void notes_fill(struct notes *n)
{
	const struct ph_check *c = n->c;
	for (unsigned i = 0; i < c->nfiles; i++)
		if (!c->files[i].complete)
			note(n, "%s was not read to its end: %s",
			     c->files[i].path[0] ? c->files[i].path : "(stdin)",
			     c->files[i].error[0] ? c->files[i].error
						  : "unknown error");
	if (!c->packets)
		note(n, "no packets were read: there was no traffic to check");
	if (c->device_filter && c->device_filter[0] && !filter_matched(c))
		note(n, "the device filter %s matched no traffic in the "
			"capture", c->device_filter);
	for (unsigned i = 0; i < c->ncoverage_gaps; i++)
		if (c->coverage_gaps && c->coverage_gaps[i])
			note(n, "%s", c->coverage_gaps[i]);
	notes_intel(n, c->intel);
	if (c->encrypted_flows)
		note(n, "%llu encrypted connection%s: their content could not "
			"be inspected, only their metadata",
		     (unsigned long long)c->encrypted_flows,
		     c->encrypted_flows == 1 ? "" : "s");
	uint64_t dropped = ph_findings_dropped(c->findings);
	if (dropped)
		note(n, "%llu finding%s not kept: the limit of distinct "
			"findings was reached",
		     (unsigned long long)dropped, dropped == 1 ? " was" : "s were");
	notes_end(n);
}

/* "evil.com (203.0.113.5)", "evil.com", "203.0.113.5" or the matched
 * value: what the finding is about, for the reason sentence. For a DNS
 * finding the remote is the resolver, not the named host: left out. */
static void finding_subject(const struct ph_finding *x, char *out, size_t n)
{
	const char *remote = strncmp(x->field, "dns.", 4) == 0 && x->name[0]
				     ? "" : x->remote;
	if (x->name[0] && remote[0])
		snprintf(out, n, "%s (%s)", x->name, remote);
	else if (x->name[0] || remote[0])
		snprintf(out, n, "%s", x->name[0] ? x->name : remote);
	else
		snprintf(out, n, "%s", x->matched);
}

static const char *plural(uint64_t k)
{
	return k == 1 ? "" : "s";
}

/* Appends s to the reason (at *len), as much as fits. */
static void reason_put(struct ph_check *c, size_t *len, const char *s)
{
	size_t n = strlen(s), room = sizeof c->reason - 1 - *len;
	if (n > room)
		n = room;
	memcpy(c->reason + *len, s, n);
	*len += n;
	c->reason[*len] = '\0';
}

/* "<title>: <subject>, rated <severity> severity with <confidence>
 * confidence; N findings in all.",
 * the head shortened with "..." so the tail always fits. */
static void reason_finding(struct ph_check *c, const struct ph_finding *x)
{
	char subj[320], tail[128];
	unsigned total = ph_findings_count(c->findings);
	finding_subject(x, subj, sizeof subj);
	snprintf(tail, sizeof tail,
		 ", rated %s severity with %s confidence; %u finding%s in "
		 "all.",
		 ph_severity_name(x->severity),
		 ph_confidence_name(x->confidence), total, plural(total));
	size_t room = sizeof c->reason - 1 - strlen(tail), len = 0;
	size_t head = strlen(x->title) + (subj[0] ? 2 + strlen(subj) : 0);
	c->reason[0] = '\0';
	reason_put(c, &len, x->title);
	if (subj[0]) {
		reason_put(c, &len, ": ");
		reason_put(c, &len, subj);
	}
	if (head > room) {
		len = room - 3;
		while (len && ((unsigned char)c->reason[len] & 0xc0) == 0x80)
			len--; /* not inside a UTF-8 character */
		c->reason[len] = '\0';
		reason_put(c, &len, "...");
	}
	reason_put(c, &len, tail);
}

/* Encrypted connections are normal: their note says what could not be
 * seen, but alone it does not make the check incomplete. */
static void reason_no_sign(struct ph_check *c)
{
	unsigned gaps = c->nnot_checked - (c->encrypted_flows ? 1u : 0u);
	snprintf(c->reason, sizeof c->reason,
		 "No finding of medium or higher severity in %llu packet%s "
		 "from %u device%s%s",
		 (unsigned long long)c->packets, plural(c->packets),
		 c->ndevices, plural(c->ndevices),
		 gaps ? ", but the check was incomplete: see what was not "
			"checked."
		      : c->encrypted_flows ? "; encrypted connections were "
			"judged by their metadata only." : ".");
}

void ph_check_decide(struct ph_check *c)
{
	if (!c)
		return;
	struct notes n = {c, 0};
	c->nnot_checked = 0;
	memset(c->not_checked, 0, sizeof c->not_checked);
	notes_fill(&n);
	const struct ph_finding *x = first_where(c->findings, is_compromise);
	if (x) {
		c->verdict = PH_VERDICT_COMPROMISED;
		reason_finding(c, x);
		return;
	}
	x = first_where(c->findings, is_suspicious);
	if (x) {
		c->verdict = PH_VERDICT_SUSPICIOUS;
		reason_finding(c, x);
		return;
	}
	c->verdict = PH_VERDICT_NO_SIGN;
	reason_no_sign(c);
}
