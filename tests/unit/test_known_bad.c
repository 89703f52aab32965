/* Tests for src/detect/known_bad.c and known_bad_text.c: the detection is
 * driven with crafted protocol events (a DNS query and CNAME answer, a
 * TLS ClientHello, a certificate, a QUIC Initial, an HTTP request, a new
 * connection) against a small indicator store, and each finding's id,
 * field, evidence and rating is checked, as are the near misses that must
 * not fire (a name across a label boundary, an allowlisted destination). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check_fixture.h"
#include "detect/known_bad.h"
#include "peephole/finding.h"
#include "peephole/intel.h"
#include "peephole/module.h"
#include "peephole/proto_dns.h"
#include "peephole/proto_http.h"
#include "peephole/proto_quic.h"
#include "peephole/proto_tls.h"

extern const struct ph_module ph_known_bad_module;

struct fx {
	struct ph_intel *in;
	struct ph_findings *f;
	void *st;
	struct ph_conn conn;
	void *slots[PH_SLOT_COUNT];
};

static void add(struct ph_intel *in, int src, enum ph_ioc_type t,
		const char *v, const char *campaign, const char *category)
{
	struct ph_ioc_entry e = {.type = t, .value = v, .len = strlen(v),
				 .campaign = campaign, .category = category};
	assert_true(ph_intel_add(in, (unsigned)src, &e) >= 0);
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof *x);
	x->in = ph_intel_new();
	struct ph_intel_source_info bad = {.name = "feed.stix2",
					   .format = PH_FEED_STIX};
	struct ph_intel_source_info ok = {.name = "allow.json",
					  .format = PH_FEED_TINYCHECK_ALLOW,
					  .allowlist = true};
	int s = ph_intel_source_add(x->in, &bad, NULL);
	int a = ph_intel_source_add(x->in, &ok, NULL);
	add(x->in, s, PH_IOC_DOMAIN, "evil.example", "Pegasus", "spyware");
	add(x->in, s, PH_IOC_DOMAIN, "track.example", NULL, "tracker");
	add(x->in, s, PH_IOC_IP, "203.0.113.0/24", "Predator", "spyware");
	add(x->in, s, PH_IOC_URL, "http://cdn.example/payload.apk", NULL, NULL);
	add(x->in, s, PH_IOC_CERT_SHA1, "0ddb34f875632c7e1ec09d75827f82d2336dfeb6",
	    "Emotet", "malware");
	add(x->in, a, PH_IOC_DOMAIN, "evil.example", NULL, NULL);
	add(x->in, a, PH_IOC_DOMAIN, "google.com", NULL, NULL);
	x->f = ph_findings_new(100);
	struct ph_module_env env = {.intel = x->in, .findings = x->f};
	assert_int_equal(ph_known_bad_module.init(&env, &x->st, NULL), 0);
	/* 192.168.1.23:40000 -> 198.51.100.7:443 over TCP */
	struct ph_conn *c = &x->conn;
	snprintf(c->uid, sizeof c->uid, "CTEST1");
	c->ipver = 4;
	c->proto = 6;
	memcpy(c->orig_addr, (uint8_t[]){192, 168, 1, 23}, 4);
	memcpy(c->resp_addr, (uint8_t[]){198, 51, 100, 7}, 4);
	c->orig_port = 40000;
	c->resp_port = 443;
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	ph_known_bad_module.destroy(x->st);
	ph_findings_free(x->f);
	ph_intel_free(x->in);
	free(x);
	return 0;
}

static void fire(struct fx *x, enum ph_event_kind k, const void *payload)
{
	struct ph_event ev = {.kind = k, .conn = &x->conn, .ts_ns = 5000000000ull,
			      .pkt_no = 42, .slots = x->slots};
	ev.u.proto = payload;
	ph_known_bad_module.on_event(x->st, &ev);
}

/* The only finding with this id and field, or NULL. */
static const struct ph_finding *find(struct fx *x, const char *id,
				     const char *field)
{
	for (unsigned i = 0; i < ph_findings_count(x->f); i++) {
		const struct ph_finding *f = ph_findings_get(x->f, i);
		if (strcmp(f->id, id) == 0 && strcmp(f->field, field) == 0)
			return f;
	}
	return NULL;
}

static void set_name(struct ph_dns_name *n, const char *s)
{
	n->len = (uint16_t)strlen(s);
	memcpy(n->s, s, n->len + 1u);
}

static void test_dns_query_and_cname(void **state)
{
	struct fx *x = *state;
	static struct ph_dns_msg q, r;
	q.what = PH_DNS_QUERY;
	q.nq = 1;
	set_name(&q.q[0].name, "a.b.EVIL.example.");
	fire(x, PH_EV_DNS, &q);
	const struct ph_finding *f = find(x, "ioc.domain", "dns.query");
	assert_non_null(f);
	assert_string_equal(f->matched, "evil.example");
	assert_string_equal(f->campaign, "Pegasus");
	assert_string_equal(f->device, "192.168.1.23");
	assert_string_equal(f->uid, "CTEST1");
	assert_int_equal(f->first_pkt, 42);
	assert_int_equal(f->severity, PH_SEV_CRITICAL);
	assert_int_equal(f->confidence, PH_CONF_HIGH);
	assert_string_equal(f->allowed_by, "allow.json"); /* shown, kept */
	assert_non_null(strstr(f->explain, "parent domain"));
	assert_string_equal(f->attack, "T1071.004");

	r.what = PH_DNS_RESPONSE;
	r.nq = 1;
	set_name(&r.q[0].name, "www.innocent.example");
	r.nrr = 1;
	r.rr[0].section = PH_DNS_ANSWER;
	r.rr[0].type = PH_DNS_CNAME;
	r.rr[0].rdata_ok = true;
	set_name(&r.rr[0].target, "cdn.evil.example");
	fire(x, PH_EV_DNS, &r);
	f = find(x, "ioc.domain", "dns.cname");
	assert_non_null(f);
	assert_string_equal(f->name, "www.innocent.example");
}

static void test_label_boundary_does_not_fire(void **state)
{
	struct fx *x = *state;
	static struct ph_dns_msg q;
	q.what = PH_DNS_QUERY;
	q.nq = 2;
	set_name(&q.q[0].name, "notevil.example");
	set_name(&q.q[1].name, "evil.example.org");
	fire(x, PH_EV_DNS, &q);
	assert_int_equal(ph_findings_count(x->f), 0);
}

static void test_tls_sni_and_cert(void **state)
{
	struct fx *x = *state;
	static struct ph_tls_hello h;
	snprintf(h.sni, sizeof h.sni, "evil.example");
	h.sni_len = 12;
	fire(x, PH_EV_TLS_CLIENT_HELLO, &h);
	assert_non_null(find(x, "ioc.domain", "tls.sni"));

	static struct ph_x509 c;
	c.parsed = true;
	snprintf(c.sha1_hex, sizeof c.sha1_hex, "%s",
		 "0DDB34F875632C7E1EC09D75827F82D2336DFEB6");
	snprintf(c.subject_cn, sizeof c.subject_cn, "www.prbtest.dev");
	snprintf(c.san_dns[0], sizeof c.san_dns[0], "*.evil.example");
	c.n_san_dns = 1;
	fire(x, PH_EV_TLS_CERT, &c);
	const struct ph_finding *f = find(x, "ioc.cert", "x509.sha1");
	assert_non_null(f);
	assert_int_equal(f->severity, PH_SEV_HIGH);
	assert_string_equal(f->campaign, "Emotet");
	assert_non_null(find(x, "ioc.domain", "x509.san"));
}

static void test_quic_and_http(void **state)
{
	struct fx *x = *state;
	static struct ph_quic_initial q;
	q.what = PH_QUIC_PACKET;
	q.from_client = true;
	q.sni = "x.evil.example";
	q.ja4 = "";
	fire(x, PH_EV_QUIC, &q);
	assert_non_null(find(x, "ioc.domain", "quic.sni"));

	static struct ph_http_txn txn;
	static struct ph_http_msg m;
	m.is_request = true;
	m.txn = &txn;
	m.host.p = "CDN.example:80";
	m.host.len = 14;
	m.uri.p = "/payload.apk";
	m.uri.len = 12;
	fire(x, PH_EV_HTTP_REQUEST, &m);
	assert_non_null(find(x, "ioc.url", "http.url"));
	assert_null(find(x, "ioc.domain", "http.host"));
}

static void test_endpoint_range_and_allowlist(void **state)
{
	struct fx *x = *state;
	memcpy(x->conn.resp_addr, (uint8_t[]){203, 0, 113, 50}, 4);
	fire(x, PH_EV_FLOW_START, NULL);
	const struct ph_finding *f = find(x, "ioc.ip", "conn.resp_h");
	assert_non_null(f);
	assert_string_equal(f->remote, "203.0.113.50");
	assert_string_equal(f->matched, "203.0.113.0/24");
	assert_int_equal(f->confidence, PH_CONF_MEDIUM); /* a /24 */

	static struct ph_tls_hello h;
	snprintf(h.sni, sizeof h.sni, "mail.google.com");
	h.sni_len = 15;
	fire(x, PH_EV_TLS_CLIENT_HELLO, &h);
	f = find(x, "allow.listed", "tls.sni");
	assert_non_null(f);
	assert_int_equal(f->severity, PH_SEV_INFO);
	assert_string_equal(f->allowed_by, "allow.json");
}

static void test_severity_by_category(void **state)
{
	(void)state;
	assert_int_equal(ph_known_bad_severity("Pegasus"), PH_SEV_CRITICAL);
	assert_int_equal(ph_known_bad_severity("stalkerware"), PH_SEV_HIGH);
	assert_int_equal(ph_known_bad_severity("watchware"), PH_SEV_MEDIUM);
	assert_int_equal(ph_known_bad_severity("tracker"), PH_SEV_LOW);
	assert_int_equal(ph_known_bad_severity("freedns"), PH_SEV_LOW);
	assert_int_equal(ph_known_bad_severity("stalkerware-website"),
			 PH_SEV_MEDIUM);
	assert_int_equal(ph_known_bad_severity("stalkerware-distribution"),
			 PH_SEV_HIGH);
	assert_int_equal(ph_known_bad_severity(NULL), PH_SEV_HIGH);
	assert_int_equal(ph_known_bad_severity(""), PH_SEV_HIGH);
}

/* The same through a crafted capture and the whole pipeline: a TCP
 * conversation with a listed address, and one with an address next to it
 * that must not fire. */
static void test_capture_endpoint(void **state)
{
	struct fx *x = *state;
	struct cfx c;
	cfx_open(&c);
	struct cfx_tcp t, u;
	uint64_t ts = 1700000000ull * 1000000000ull;
	cfx_tcp_open(&c, &t, "192.168.1.23", 40000, "203.0.113.50", 443, ts);
	cfx_tcp_send(&c, &t, 0, ts + 3000000, "hello", 5);
	cfx_tcp_close(&c, &t, ts + 4000000);
	cfx_tcp_open(&c, &u, "192.168.1.23", 40001, "203.0.114.1", 443,
		     ts + 5000000);
	cfx_tcp_close(&c, &u, ts + 6000000);
	struct ph_findings *f = cfx_run_intel(&c, x->in, NULL, 0);
	assert_int_equal(c.rc, 0);
	const struct ph_finding *hit = cfx_find(f, "ioc.ip");
	assert_non_null(hit);
	assert_string_equal(hit->remote, "203.0.113.50");
	assert_string_equal(hit->device, "192.168.1.23");
	assert_string_equal(hit->device_mac, "02:11:22:33:44:55");
	assert_int_equal(hit->first_pkt, 1);
	assert_int_equal(cfx_count(f, "ioc."), 1);
	cfx_close(&c, f);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_dns_query_and_cname),
		T(test_label_boundary_does_not_fire),
		T(test_tls_sni_and_cert),
		T(test_quic_and_http),
		T(test_endpoint_range_and_allowlist),
		T(test_severity_by_category),
		T(test_capture_endpoint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
