/* Tests for src/report/check_text.c, check_json.c and notice_log.c: the
 * terminal report (banner, reason, evidence, advice, sources, not-checked
 * lines, colour only when asked, hostile names made harmless), the JSON
 * report (parsed back with json-c: schema, version, keys, values), and
 * notice.log as JSON lines and TSV for two findings and for none. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "peephole/check.h"

#define T0 1714557600000000000ull /* 2024-05-01T10:00:00Z */

struct fx {
	struct ph_findings *f;
	struct ph_intel *in;
	struct ph_check_file file;
	struct ph_device dev;
	struct ph_check c;
	char dir[64];
};

static const char *const detections[] = {"known_bad", "beacon"};

static struct ph_intel *make_intel(void)
{
	struct ph_intel *in = ph_intel_new();
	struct ph_intel_source_info feed = {
		.name = "amnesty/pegasus.stix2", .date = "2024-05-01",
		.format = PH_FEED_STIX};
	struct ph_intel_source_info allow = {
		.name = "tinycheck-whitelist", .date = "2024-04-01",
		.format = PH_FEED_TINYCHECK_ALLOW, .allowlist = true};
	int s0 = ph_intel_source_add(in, &feed, NULL);
	int s1 = ph_intel_source_add(in, &allow, NULL);
	assert_true(s0 >= 0 && s1 >= 0);
	struct ph_ioc_entry e = {.type = PH_IOC_DOMAIN, .value = "evil.example",
				 .len = 12, .campaign = "Pegasus"};
	assert_true(ph_intel_add(in, (unsigned)s0, &e) >= 0);
	e = (struct ph_ioc_entry){.type = PH_IOC_IP, .value = "203.0.113.5",
				  .len = 11};
	assert_true(ph_intel_add(in, (unsigned)s0, &e) >= 0);
	e = (struct ph_ioc_entry){.type = PH_IOC_DOMAIN,
				  .value = "google.com", .len = 10};
	assert_true(ph_intel_add(in, (unsigned)s1, &e) >= 0);
	const char *bad = "[ipv4-addr:value = '1.2.3.4' AND x]";
	ph_intel_unsupported(in, (unsigned)s0, bad, strlen(bad), 12,
			     "AND in a pattern");
	return in;
}

static void add_finding(struct fx *x, const char *id, const char *title,
			enum ph_severity s, uint64_t t, const char *name)
{
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	snprintf(f.id, sizeof f.id, "%s", id);
	snprintf(f.title, sizeof f.title, "%s", title);
	f.severity = s, f.confidence = PH_CONF_HIGH;
	snprintf(f.explain, sizeof f.explain,
		 "The phone looked up %s, a domain that investigators have "
		 "tied to Pegasus spyware infrastructure. Legitimate apps "
		 "have no reason to contact it, so this is a strong sign.",
		 name);
	snprintf(f.advice, sizeof f.advice,
		 "Keep this capture. Contact a digital security helpline.");
	snprintf(f.attack, sizeof f.attack, "T1071.004");
	snprintf(f.device, sizeof f.device, "192.168.1.23");
	snprintf(f.device_mac, sizeof f.device_mac, "aa:bb:cc:dd:ee:ff");
	snprintf(f.remote, sizeof f.remote, "203.0.113.5");
	f.remote_port = 443, f.proto = 6;
	snprintf(f.name, sizeof f.name, "%s", name);
	snprintf(f.uid, sizeof f.uid, "CAbc123");
	f.first_ns = t, f.last_ns = t + 5000000000ull;
	f.first_pkt = 12, f.last_pkt = 340;
	snprintf(f.matched, sizeof f.matched, "%s", name);
	snprintf(f.field, sizeof f.field, "dns.query");
	snprintf(f.source, sizeof f.source, "amnesty/pegasus.stix2");
	snprintf(f.campaign, sizeof f.campaign, "Pegasus");
	f.count = 4;
	assert_int_equal(ph_findings_add(x->f, &f), 0);
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof *x);
	x->f = ph_findings_new(100);
	x->in = make_intel();
	snprintf(x->file.path, sizeof x->file.path, "/data/phone.pcapng");
	snprintf(x->file.format, sizeof x->file.format, "pcapng");
	memset(x->file.sha256, 'a', 64);
	x->file.packets = 1000, x->file.bytes = 123456, x->file.complete = true;
	snprintf(x->dev.ip, sizeof x->dev.ip, "192.168.1.23");
	snprintf(x->dev.mac, sizeof x->dev.mac, "aa:bb:cc:dd:ee:ff");
	snprintf(x->dev.hostname, sizeof x->dev.hostname, "Pixel-7");
	x->dev.flows = 40, x->dev.bytes_out = 12000, x->dev.bytes_in = 3400000;
	x->c.files = &x->file, x->c.nfiles = 1;
	x->c.first_ns = T0, x->c.last_ns = T0 + 3720000000000ull;
	x->c.packets = 1000, x->c.bytes = 123456, x->c.flows = 40;
	x->c.devices = &x->dev, x->c.ndevices = 1;
	x->c.intel = x->in;
	x->c.detections = detections, x->c.ndetections = 2;
	x->c.findings = x->f;
	x->c.encrypted_flows = 30;
	snprintf(x->dir, sizeof x->dir, "/tmp/ph_check_XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	*state = x;
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(p);
}

static int teardown(void **state)
{
	struct fx *x = *state;
	nftw(x->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	ph_findings_free(x->f);
	ph_intel_free(x->in);
	free(x);
	return 0;
}

/* The whole output of a renderer as one string (caller frees). */
static char *render_text(const struct ph_check *c, bool colour)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_int_equal(ph_check_write_text(c, m, colour, NULL), 0);
	fclose(m);
	return buf;
}

static char *render_json(const struct ph_check *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_int_equal(ph_check_write_json(c, m, NULL), 0);
	fclose(m);
	return buf;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

#define HAS(s, needle) assert_non_null(strstr((s), (needle)))

static void test_text_layout(void **state)
{
	struct fx *x = *state;
	add_finding(x, "ioc.domain", "Contact with a Pegasus domain",
		    PH_SEV_CRITICAL, T0 + 1000000000ull, "evil.example");
	ph_check_decide(&x->c);
	char *s = render_text(&x->c, false);
	/* The banner comes first. */
	assert_int_equal(strncmp(s, "=====", 5), 0);
	HAS(s, "\n  LIKELY COMPROMISED\n");
	HAS(s, "Contact with a Pegasus domain: evil.example, rated critical");
	HAS(s, "[CRITICAL SEVERITY]");
	HAS(s, "1. Contact with a Pegasus domain\n");
	HAS(s, "Severity: critical, confidence: high");
	HAS(s, "Device       192.168.1.23 (aa:bb:cc:dd:ee:ff)");
	HAS(s, "Remote       203.0.113.5:443/tcp");
	HAS(s, "Name         evil.example");
	HAS(s, "Connection   CAbc123");
	HAS(s, "Seen         2024-05-01T10:00:01Z to 2024-05-01T10:00:06Z, "
	       "4 times");
	HAS(s, "file 1 (phone.pcapng): first packet 12, last packet 340");
	HAS(s, "Matched      dns.query: evil.example");
	HAS(s, "Indicator    from amnesty/pegasus.stix2, campaign: Pegasus");
	HAS(s, "MITRE ATT&CK: T1071.004");
	HAS(s, "What to do: Keep this capture.");
	HAS(s, "What was checked");
	HAS(s, "SHA-256 aaaaaaaa");
	HAS(s, "1000 packets, read to its end");
	HAS(s, "Time span: 2024-05-01T10:00:00Z to 2024-05-01T11:02:00Z "
	       "(1 h 2 min)");
	HAS(s, "192.168.1.23  aa:bb:cc:dd:ee:ff  \"Pixel-7\"");
	HAS(s, "40 connections, 12.0 kB sent, 3.4 MB received");
	HAS(s, "amnesty/pegasus.stix2 (stix");
	HAS(s, "1 domain, 1 ip");
	HAS(s, "tinycheck-whitelist (");
	HAS(s, "[allowlist]");
	HAS(s, "1 entry could not be used, for example:");
	HAS(s, "line 12: [ipv4-addr:value = '1.2.3.4' AND x] (AND in a pattern)");
	HAS(s, "Detections run (2): known_bad, beacon");
	HAS(s, "What was not checked");
	HAS(s, "30 encrypted connections");
	assert_null(strchr(s, '\033'));
	/* Wrapped at 78 columns. */
	for (char *p = s, *nl; (nl = strchr(p, '\n')); p = nl + 1)
		assert_true(nl - p <= 78);
	free(s);
}

static void test_text_colour(void **state)
{
	struct fx *x = *state;
	add_finding(x, "ioc.domain", "Contact with a Pegasus domain",
		    PH_SEV_HIGH, T0, "evil.example");
	ph_check_decide(&x->c);
	char *s = render_text(&x->c, true);
	HAS(s, "\033[1;31mLIKELY COMPROMISED\033[0m");
	free(s);

	struct ph_findings *none = ph_findings_new(4);
	x->c.findings = none;
	ph_check_decide(&x->c);
	s = render_text(&x->c, true);
	HAS(s, "\033[1;32mNO SIGN OF COMPROMISE FOUND\033[0m");
	HAS(s, "Findings (0)");
	free(s);
	s = render_text(&x->c, false);
	assert_null(strchr(s, '\033'));
	free(s);
	ph_findings_free(none);
}

static void test_text_suspicious_allowlisted(void **state)
{
	struct fx *x = *state;
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	snprintf(f.id, sizeof f.id, "beacon");
	snprintf(f.title, sizeof f.title, "Regular check-ins");
	f.severity = PH_SEV_MEDIUM, f.confidence = PH_CONF_MEDIUM;
	snprintf(f.remote, sizeof f.remote, "198.51.100.9");
	snprintf(f.allowed_by, sizeof f.allowed_by, "tinycheck-whitelist");
	f.first_ns = f.last_ns = T0;
	ph_findings_add(x->f, &f);
	ph_check_decide(&x->c);
	char *s = render_text(&x->c, true);
	HAS(s, "\033[1;33mSUSPICIOUS\033[0m");
	HAS(s, "allowlisted by tinycheck-whitelist");
	HAS(s, "2024-05-01T10:00:00Z, 1 time\n");
	free(s);
}

static void test_text_hostile_name(void **state)
{
	struct fx *x = *state;
	add_finding(x, "ioc.domain", "Contact", PH_SEV_LOW, T0,
		    "evil\033[2J\x9b" "31m.example");
	ph_check_decide(&x->c);
	char *s = render_text(&x->c, false);
	assert_null(strchr(s, '\033'));
	assert_null(strchr(s, '\x9b'));
	HAS(s, "evil\\x1b[2J\\x9b31m.example");
	free(s);
}

/* A name wider than a line is cut to fit; a finding that knows only the
 * packet ending its connection says so; the report ends with what to do
 * next, from the verdict. */
static void test_text_long_word_and_next(void **state)
{
	struct fx *x = *state;
	char name[250];
	for (size_t i = 0; i < sizeof name - 1; i++)
		name[i] = (char)('a' + i % 26);
	name[sizeof name - 1] = '\0';
	add_finding(x, "dns_tunnel.suspected", "Tunnel", PH_SEV_MEDIUM, T0,
		    name);
	ph_check_decide(&x->c);
	char *s = render_text(&x->c, false);
	for (char *p = s, *nl; (nl = strchr(p, '\n')); p = nl + 1)
		assert_true(nl - p <= 78);
	/* Nothing of the name is lost: its pieces join back up. */
	char *joined = calloc(1, strlen(s) + 1);
	size_t k = 0;
	for (const char *p = s; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			joined[k++] = *p;
	assert_non_null(strstr(joined, name));
	free(joined);
	/* The last paragraph. */
	const char *last = NULL;
	for (const char *p = s; (p = strstr(p, "\n\n")); p++)
		last = p + 2;
	assert_non_null(last);
	assert_int_equal(strncmp(last, "Next: read the medium and high "
				 "findings above", 44), 0);
	free(s);

	struct ph_finding f;
	memset(&f, 0, sizeof f);
	snprintf(f.id, sizeof f.id, "listener.inbound");
	snprintf(f.title, sizeof f.title, "Listener");
	f.severity = PH_SEV_HIGH, f.confidence = PH_CONF_HIGH;
	f.first_ns = T0, f.last_ns = T0 + 1;
	f.first_pkt = 0, f.last_pkt = 861, f.count = 1;
	assert_int_equal(ph_findings_add(x->f, &f), 0);
	ph_check_decide(&x->c);
	s = render_text(&x->c, false);
	HAS(s, "packet 861 (where the");
	HAS(s, "Next: keep the device and this capture as they are");
	free(s);
}

static void test_text_no_intel(void **state)
{
	struct fx *x = *state;
	x->c.intel = NULL;
	x->file.complete = false;
	snprintf(x->file.error, sizeof x->file.error, "truncated record");
	ph_check_decide(&x->c);
	char *s = render_text(&x->c, false);
	HAS(s, "Indicator sources (0):\n  none loaded");
	HAS(s, "NOT read to its end: truncated record");
	HAS(s, "no indicator feed was loaded");
	HAS(s, "incomplete");
	HAS(s, "Next: run 'peephole update' to fetch the indicator feeds");
	free(s);
}

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;
	assert_true(json_object_object_get_ex(o, k, &v));
	return v;
}

static void test_json(void **state)
{
	struct fx *x = *state;
	add_finding(x, "ioc.domain", "Contact with a Pegasus domain",
		    PH_SEV_CRITICAL, T0 + 250000ull, "evil.example");
	add_finding(x, "ioc.ip", "Contact with a \"bad\" address\n",
		    PH_SEV_MEDIUM, T0, "bad\xff.example");
	ph_check_decide(&x->c);
	char *s = render_json(&x->c);
	json_object *o = json_tokener_parse(s);
	assert_non_null(o);
	assert_string_equal(json_object_get_string(get(o, "schema")),
			    "peephole-check");
	assert_string_equal(json_object_get_string(get(o, "version")),
			    PH_CHECK_JSON_VERSION);
	json_object *v = get(o, "verdict");
	assert_int_equal(json_object_get_int(get(v, "level")), 2);
	assert_string_equal(json_object_get_string(get(v, "label")),
			    "LIKELY COMPROMISED");
	assert_string_equal(json_object_get_string(get(v, "reason")),
			    x->c.reason);
	assert_int_equal(json_object_array_length(get(o, "not_checked")), 1);
	json_object *fs = get(o, "findings");
	assert_int_equal(json_object_array_length(fs), 2);
	json_object *f0 = json_object_array_get_idx(fs, 0);
	assert_string_equal(json_object_get_string(get(f0, "severity")),
			    "critical");
	assert_string_equal(json_object_get_string(get(f0, "confidence")),
			    "high");
	assert_string_equal(json_object_get_string(get(f0, "first_seen")),
			    "2024-05-01T10:00:00.000250Z");
	assert_true(json_object_get_double(get(f0, "first_seen_epoch")) >
		    1714557599.0);
	assert_string_equal(json_object_get_string(get(f0, "proto_name")),
			    "tcp");
	assert_int_equal(json_object_get_int(get(f0, "remote_port")), 443);
	assert_int_equal(json_object_get_int(get(f0, "count")), 4);
	const char *keys[] = {"id", "title", "explain", "advice", "attack",
			      "device", "device_mac", "remote", "proto", "name",
			      "uid", "last_seen", "last_seen_epoch",
			      "file_index", "first_packet", "last_packet",
			      "field", "matched", "source", "campaign",
			      "allowed_by"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		get(f0, keys[i]);
	json_object *f1 = json_object_array_get_idx(fs, 1);
	assert_string_equal(json_object_get_string(get(f1, "title")),
			    "Contact with a \"bad\" address\n");
	assert_string_equal(json_object_get_string(get(f1, "name")),
			    "bad\\xff.example");
	json_object *file = json_object_array_get_idx(get(o, "files"), 0);
	assert_true(json_object_get_boolean(get(file, "complete")));
	get(get(o, "span"), "first_epoch");
	assert_int_equal(json_object_get_int(get(get(o, "totals"), "packets")),
			 1000);
	assert_int_equal(json_object_array_length(get(o, "devices")), 1);
	json_object *src = json_object_array_get_idx(get(o, "sources"), 0);
	json_object *counts = get(src, "counts");
	assert_int_equal(json_object_get_int(get(counts, "domain")), 1);
	assert_int_equal(json_object_get_int(get(counts, "ip")), 1);
	assert_int_equal(json_object_get_int(get(src, "unsupported")), 1);
	assert_int_equal(
		json_object_array_length(get(src, "unsupported_examples")), 1);
	assert_true(json_object_get_boolean(get(
		json_object_array_get_idx(get(o, "sources"), 1), "allowlist")));
	assert_int_equal(json_object_array_length(get(o, "detections")), 2);
	assert_true(json_object_is_type(get(o, "device_filter"),
					json_type_null));
	json_object_put(o);
	free(s);
}

static void test_json_empty(void **state)
{
	struct fx *x = *state;
	x->c.intel = NULL;
	x->c.findings = NULL;
	x->c.nfiles = 0, x->c.ndevices = 0, x->c.ndetections = 0;
	x->c.packets = 0, x->c.first_ns = x->c.last_ns = 0;
	ph_check_decide(&x->c);
	char *s = render_json(&x->c);
	json_object *o = json_tokener_parse(s);
	assert_non_null(o);
	assert_int_equal(json_object_array_length(get(o, "findings")), 0);
	assert_int_equal(json_object_array_length(get(o, "sources")), 0);
	assert_true(json_object_is_type(get(get(o, "span"), "first"),
					json_type_null));
	HAS(s, "\"findings\": [],");
	json_object_put(o);
	free(s);
}

static void two_findings(struct fx *x)
{
	add_finding(x, "ioc.domain", "Contact with a Pegasus domain",
		    PH_SEV_CRITICAL, T0 + 2000000000ull, "evil.example");
	add_finding(x, "ioc.ip", "Contact with a known-bad address",
		    PH_SEV_MEDIUM, T0 + 1000000000ull, "bad.example");
	ph_check_decide(&x->c);
}

static void test_notice_json(void **state)
{
	struct fx *x = *state;
	two_findings(x);
	assert_int_equal(ph_check_write_notice_log(&x->c, x->dir, false, T0,
						   NULL), 0);
	char path[128];
	snprintf(path, sizeof path, "%s/notice.log", x->dir);
	char *s = slurp(path);
	assert_non_null(s);
	char *nl = strchr(s, '\n');
	assert_non_null(nl);
	*nl = '\0';
	/* Time order: the medium one came first. */
	assert_string_equal(s,
		"{\"ts\":1714557601.0,\"uid\":\"CAbc123\","
		"\"id.orig_h\":\"192.168.1.23\",\"id.resp_h\":\"203.0.113.5\","
		"\"id.resp_p\":443,\"proto\":\"tcp\",\"note\":\"ioc.ip\","
		"\"msg\":\"Contact with a known-bad address\","
		"\"sub\":\"dns.query: bad.example\",\"src\":\"192.168.1.23\","
		"\"dst\":\"203.0.113.5\",\"p\":443,\"n\":4,"
		"\"actions\":[\"Notice::ACTION_LOG\"],\"severity\":\"medium\","
		"\"confidence\":\"high\",\"source\":\"amnesty/pegasus.stix2\","
		"\"campaign\":\"Pegasus\"}");
	char *second = nl + 1;
	json_object *o = json_tokener_parse(second);
	assert_non_null(o);
	assert_string_equal(json_object_get_string(get(o, "note")),
			    "ioc.domain");
	json_object_put(o);
	nl = strchr(second, '\n');
	assert_non_null(nl);
	assert_int_equal(nl[1], '\0');
	free(s);
}

static void test_notice_tsv(void **state)
{
	struct fx *x = *state;
	two_findings(x);
	assert_int_equal(ph_check_write_notice_log(&x->c, x->dir, true, T0,
						   NULL), 0);
	char path[128];
	snprintf(path, sizeof path, "%s/notice.log", x->dir);
	char *s = slurp(path);
	assert_non_null(s);
	HAS(s, "#path\tnotice\n");
	HAS(s, "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\t"
	       "proto\tnote\tmsg\tsub\tsrc\tdst\tp\tn\tactions\tseverity\t"
	       "confidence\tsource\tcampaign\tallowed_by\n");
	HAS(s, "\n1714557601.000000\tCAbc123\t192.168.1.23\t-\t203.0.113.5\t"
	       "443\ttcp\tioc.ip\tContact with a known-bad address\t"
	       "dns.query: bad.example\t192.168.1.23\t203.0.113.5\t443\t4\t"
	       "Notice::ACTION_LOG\tmedium\thigh\tamnesty/pegasus.stix2\t"
	       "Pegasus\t-\n1714557602.000000\t");
	HAS(s, "#close\t");
	free(s);
}

static void test_notice_empty(void **state)
{
	struct fx *x = *state;
	char path[128];
	snprintf(path, sizeof path, "%s/notice.log", x->dir);
	assert_int_equal(ph_check_write_notice_log(&x->c, x->dir, false, T0,
						   NULL), 0);
	char *s = slurp(path);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(ph_check_write_notice_log(&x->c, x->dir, true, T0,
						   NULL), 0);
	s = slurp(path);
	HAS(s, "#fields\tts\t");
	HAS(s, "#close\t");
	free(s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_text_layout),
		T(test_text_colour),
		T(test_text_suspicious_allowlisted),
		T(test_text_hostile_name),
		T(test_text_long_word_and_next),
		T(test_text_no_intel),
		T(test_json),
		T(test_json_empty),
		T(test_notice_json),
		T(test_notice_tsv),
		T(test_notice_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
