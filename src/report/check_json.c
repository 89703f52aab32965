/* The JSON report of `peephole check` (ph_check_write_json): one object,
 * schema "peephole-check" version PH_CHECK_JSON_VERSION, keys always
 * present and always in the same order so reports diff cleanly (schema in
 * docs/check-json.md). Pretty-printed by a small streaming writer here: no
 * tree is built. Strings use the Zeek logs' escaping (report/jsonw.h:
 * bytes that are not clean UTF-8 become the text \xNN), numbers and epoch
 * times the Zeek logs' formats, so values can be joined with them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "peephole/check.h"
#include "peephole/geoip.h"
#include "report/jsonw.h"
#include "report/zeek_writer.h"

#define JW_STR_CAP 1024 /* longest string field written (bytes) */

struct jw {
	FILE *out;      /* borrowed */
	unsigned depth;
	bool first;     /* no item yet in the open container */
};

/* Comma, newline and indent before an item, then its key if any. */
static void jw_item(struct jw *j, const char *key)
{
	fputs(j->first ? "\n" : ",\n", j->out);
	fprintf(j->out, "%*s", (int)(2 * j->depth), "");
	if (key)
		fprintf(j->out, "\"%s\": ", key);
	j->first = false;
}

static void jw_open(struct jw *j, const char *key, char ch)
{
	if (j->depth || key)
		jw_item(j, key);
	fputc(ch, j->out);
	j->depth++;
	j->first = true;
}

static void jw_close(struct jw *j, char ch)
{
	j->depth--;
	if (!j->first)
		fprintf(j->out, "\n%*s", (int)(2 * j->depth), "");
	fputc(ch, j->out);
	j->first = false;
}

static void jw_str(struct jw *j, const char *key, const char *s)
{
	char buf[PH_JSONW_STR_MAX(JW_STR_CAP)];
	size_t n = strnlen(s ? s : "", JW_STR_CAP);
	jw_item(j, key);
	n = ph_jsonw_zeek_str(buf, (const uint8_t *)(s ? s : ""), n);
	fwrite(buf, 1, n, j->out);
}

/* A string, or null when empty. */
static void jw_str_or_null(struct jw *j, const char *key, const char *s)
{
	if (s && s[0]) {
		jw_str(j, key, s);
	} else {
		jw_item(j, key);
		fputs("null", j->out);
	}
}

static void jw_u64(struct jw *j, const char *key, uint64_t v)
{
	char buf[PH_JSONW_U64_MAX];
	jw_item(j, key);
	fwrite(buf, 1, ph_jsonw_u64(buf, v), j->out);
}

static void jw_bool(struct jw *j, const char *key, bool v)
{
	jw_item(j, key);
	fputs(v ? "true" : "false", j->out);
}

/* Packet time as "<key>": ISO 8601 UTC with microseconds and
 * "<key>_epoch": seconds as the Zeek logs print ts; both null for 0. */
static void jw_time(struct jw *j, const char *key, uint64_t ns)
{
	char k2[48], iso[64], num[PH_JSONW_DOUBLE_MAX];
	time_t secs = (time_t)(ns / 1000000000u);
	struct tm tm;
	snprintf(k2, sizeof k2, "%s_epoch", key);
	if (!ns || !gmtime_r(&secs, &tm)) {
		jw_str_or_null(j, key, NULL);
		jw_str_or_null(j, k2, NULL);
		return;
	}
	size_t n = strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(iso + n, sizeof iso - n, ".%06uZ",
		 (unsigned)(ns % 1000000000u / 1000u));
	jw_str(j, key, iso);
	jw_item(j, k2);
	fwrite(num, 1, ph_jsonw_double(num, ph_zeek_time_of_ns(ns)), j->out);
}

static const char *proto_name(uint8_t p)
{
	switch (p) {
	case 6: return "tcp";
	case 17: return "udp";
	case 1: return "icmp";
	case 58: return "icmp6";
	default: return NULL;
	}
}

static const char *verdict_id(enum ph_verdict v)
{
	switch (v) {
	case PH_VERDICT_COMPROMISED: return "likely_compromised";
	case PH_VERDICT_SUSPICIOUS: return "suspicious";
	default: return "no_sign_of_compromise";
	}
}

/* ---- sections ---- */

static void write_verdict(struct jw *j, const struct ph_check *c)
{
	jw_open(j, "verdict", '{');
	jw_u64(j, "level", (uint64_t)c->verdict);
	jw_str(j, "id", verdict_id(c->verdict));
	jw_str(j, "label", ph_verdict_name(c->verdict));
	jw_str(j, "reason", c->reason);
	jw_close(j, '}');
	jw_open(j, "not_checked", '[');
	for (unsigned i = 0; i < c->nnot_checked && i < PH_CHECK_MAX_NOTES; i++)
		jw_str(j, NULL, c->not_checked[i]);
	jw_close(j, ']');
}

/* "remote_country"/"remote_org" (and "remote_asn") when a GeoIP
 * database (--geoip) knows the remote address. */
static void write_geo(struct jw *j, const struct ph_check *c,
		      const struct ph_finding *x)
{
	struct ph_geo g;
	if (!c->geoip || !x->remote[0] ||
	    !ph_geoip_lookup(c->geoip, x->remote, &g))
		return;
	if (g.country_iso[0])
		jw_str(j, "remote_country", g.country_iso);
	if (g.org[0])
		jw_str(j, "remote_org", g.org);
	if (g.asn)
		jw_u64(j, "remote_asn", g.asn);
}

static void write_finding_evidence(struct jw *j, const struct ph_check *c,
				   const struct ph_finding *x)
{
	jw_str(j, "device", x->device);
	jw_str(j, "device_mac", x->device_mac);
	jw_str(j, "remote", x->remote);
	write_geo(j, c, x);
	jw_u64(j, "remote_port", x->remote_port);
	jw_u64(j, "proto", x->proto);
	jw_str_or_null(j, "proto_name", proto_name(x->proto));
	jw_str(j, "name", x->name);
	jw_str(j, "uid", x->uid);
	jw_time(j, "first_seen", x->first_ns);
	jw_time(j, "last_seen", x->last_ns);
	jw_u64(j, "file_index", x->file_idx);
	jw_u64(j, "first_packet", x->first_pkt);
	jw_u64(j, "last_packet", x->last_pkt);
	jw_u64(j, "count", x->count);
	jw_str(j, "field", x->field);
	jw_str(j, "matched", x->matched);
	jw_str(j, "source", x->source);
	jw_str(j, "campaign", x->campaign);
	jw_str(j, "allowed_by", x->allowed_by);
}

/* "beats_s": the finding's series (ph_findings_series) as seconds after
 * its first time, 3 decimals; written only when it has one. */
static void write_series(struct jw *j, const struct ph_findings *f,
			 unsigned i)
{
	const uint64_t *ts;
	unsigned n = ph_findings_series(f, i, &ts);
	if (!n)
		return;
	jw_open(j, "beats_s", '[');
	for (unsigned k = 0; k < n; k++) {
		uint64_t d = ts[k] >= ts[0] ? ts[k] - ts[0] : 0;
		jw_item(j, NULL);
		fprintf(j->out, "%llu.%03u",
			(unsigned long long)(d / 1000000000u),
			(unsigned)(d % 1000000000u / 1000000u));
	}
	jw_close(j, ']');
}

static void write_findings(struct jw *j, const struct ph_check *c)
{
	unsigned n = ph_findings_count(c->findings);
	jw_u64(j, "findings_dropped", ph_findings_dropped(c->findings));
	jw_open(j, "findings", '[');
	for (unsigned i = 0; i < n; i++) {
		const struct ph_finding *x = ph_findings_get(c->findings, i);
		jw_open(j, NULL, '{');
		jw_str(j, "id", x->id);
		jw_str(j, "title", x->title);
		jw_str(j, "severity", ph_severity_name(x->severity));
		jw_str(j, "confidence", ph_confidence_name(x->confidence));
		jw_str(j, "explain", x->explain);
		jw_str(j, "advice", x->advice);
		jw_str(j, "attack", x->attack);
		write_finding_evidence(j, c, x);
		write_series(j, c->findings, i);
		jw_close(j, '}');
	}
	jw_close(j, ']');
}

static void write_files(struct jw *j, const struct ph_check *c)
{
	jw_open(j, "files", '[');
	for (unsigned i = 0; i < c->nfiles; i++) {
		const struct ph_check_file *f = &c->files[i];
		jw_open(j, NULL, '{');
		jw_str(j, "path", f->path);
		jw_str(j, "format", f->format);
		jw_str(j, "sha256", f->sha256);
		jw_u64(j, "packets", f->packets);
		jw_u64(j, "bytes", f->bytes);
		jw_bool(j, "complete", f->complete);
		jw_str(j, "error", f->error);
		jw_close(j, '}');
	}
	jw_close(j, ']');
}

static void write_span_totals(struct jw *j, const struct ph_check *c)
{
	jw_open(j, "span", '{');
	jw_time(j, "first", c->first_ns);
	jw_time(j, "last", c->last_ns);
	jw_close(j, '}');
	jw_open(j, "totals", '{');
	jw_u64(j, "packets", c->packets);
	jw_u64(j, "bytes", c->bytes);
	jw_u64(j, "flows", c->flows);
	jw_u64(j, "encrypted_flows", c->encrypted_flows);
	jw_u64(j, "devices", c->ndevices);
	jw_u64(j, "findings", ph_findings_count(c->findings));
	jw_close(j, '}');
}

static void write_devices(struct jw *j, const struct ph_check *c)
{
	jw_str_or_null(j, "device_filter", c->device_filter);
	jw_open(j, "devices", '[');
	for (unsigned i = 0; i < c->ndevices; i++) {
		const struct ph_device *d = &c->devices[i];
		jw_open(j, NULL, '{');
		jw_str(j, "ip", d->ip);
		jw_str(j, "mac", d->mac);
		jw_str(j, "hostname", d->hostname);
		jw_str(j, "vendor_class", d->vendor_class);
		jw_time(j, "first_seen", d->first_ns);
		jw_time(j, "last_seen", d->last_ns);
		jw_u64(j, "flows", d->flows);
		jw_u64(j, "bytes_out", d->bytes_out);
		jw_u64(j, "bytes_in", d->bytes_in);
		jw_close(j, '}');
	}
	jw_close(j, ']');
}

static void write_source_counts(struct jw *j, const struct ph_intel_source *s)
{
	uint64_t total = 0;
	jw_open(j, "counts", '{');
	for (unsigned t = 0; t < PH_IOC_TYPE_COUNT; t++) {
		jw_u64(j, ph_ioc_type_name((enum ph_ioc_type)t), s->count[t]);
		total += s->count[t];
	}
	jw_close(j, '}');
	jw_u64(j, "total", total);
	jw_u64(j, "duplicates", s->duplicates);
	jw_u64(j, "invalid", s->invalid);
	jw_u64(j, "unsupported", s->unsupported);
	jw_open(j, "unsupported_examples", '[');
	for (unsigned i = 0; i < s->nexamples && i < PH_INTEL_UNSUPPORTED_KEEP;
	     i++) {
		jw_open(j, NULL, '{');
		jw_u64(j, "line", s->examples[i].line);
		jw_str(j, "text", s->examples[i].text);
		jw_str(j, "reason", s->examples[i].reason);
		jw_close(j, '}');
	}
	jw_close(j, ']');
}

static void write_sources(struct jw *j, const struct ph_check *c)
{
	unsigned n = c->intel ? ph_intel_nsources(c->intel) : 0;
	jw_open(j, "sources", '[');
	for (unsigned i = 0; i < n; i++) {
		const struct ph_intel_source *s = ph_intel_source(c->intel, i);
		if (!s)
			continue;
		jw_open(j, NULL, '{');
		jw_str(j, "name", s->name);
		jw_str(j, "path", s->path);
		jw_str(j, "url", s->url);
		jw_str(j, "date", s->date);
		jw_str(j, "sha256", s->sha256);
		jw_str(j, "format", ph_feed_format_name(s->format));
		jw_bool(j, "allowlist", s->allowlist);
		write_source_counts(j, s);
		jw_close(j, '}');
	}
	jw_close(j, ']');
	jw_open(j, "detections", '[');
	for (unsigned i = 0; i < c->ndetections; i++)
		jw_str(j, NULL, c->detections[i]);
	jw_close(j, ']');
}

int ph_check_write_json(const struct ph_check *c, FILE *out,
			struct ph_err *err)
{
	if (!c || !out)
		return ph_err_set(err, PH_EINVAL, "no check or no output");
	struct jw j = {out, 0, true};
	jw_open(&j, NULL, '{');
	jw_str(&j, "schema", "peephole-check");
	jw_str(&j, "version", PH_CHECK_JSON_VERSION);
	jw_str(&j, "generator", "peephole " PH_VERSION_STRING);
	write_verdict(&j, c);
	write_findings(&j, c);
	write_files(&j, c);
	write_span_totals(&j, c);
	write_devices(&j, c);
	write_sources(&j, c);
	jw_close(&j, '}');
	fputc('\n', out);
	if (fflush(out) != 0 || ferror(out))
		return ph_err_set(err, PH_EIO, "writing the JSON report: %s",
				  strerror(errno));
	return PH_OK;
}
