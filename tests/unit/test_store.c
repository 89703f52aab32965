/* Tests for the indicator store (src/intel/store*.c, load_path.c): domain
 * matching on label boundaries, trailing dot, case, IDN, TLD indicators,
 * the NS namespace, CIDR longest-prefix match (IPv4 and IPv6 /32, /128),
 * host bits, exact types, duplicates across and within sources, the
 * allowlist flag, metadata interning, invalid and unsupported counters,
 * the sink, and ph_intel_load_path on a temporary directory. */
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

#include "peephole/intel.h"

struct fx {
	struct ph_intel *in;
	int a, b, allow;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	f->in = ph_intel_new();
	struct ph_intel_source_info ia = {.name = "feed-a", .path = "/x/a.txt"};
	struct ph_intel_source_info ib = {.name = "feed-b"};
	struct ph_intel_source_info il = {.name = "allow", .allowlist = true};
	f->a = ph_intel_source_add(f->in, &ia, NULL);
	f->b = ph_intel_source_add(f->in, &ib, NULL);
	f->allow = ph_intel_source_add(f->in, &il, NULL);
	*state = f;
	return f->in && f->a == 0 && f->b == 1 && f->allow == 2 ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	ph_intel_free(f->in);
	free(f);
	return 0;
}

static int add(struct fx *f, int src, enum ph_ioc_type t, const char *v,
	       const char *campaign)
{
	struct ph_ioc_entry e = {.type = t, .value = v, .len = strlen(v),
				 .campaign = campaign, .line = 1};
	return ph_intel_add(f->in, (unsigned)src, &e);
}

static unsigned match(struct fx *f, enum ph_ioc_type t, const char *v,
		      struct ph_ioc_hit *h, unsigned max)
{
	return ph_intel_match(f->in, t, v, strlen(v), h, max);
}

static void test_domain_boundary(void **state)
{
	struct fx *f = *state;
	struct ph_ioc_hit h[4];
	assert_int_equal(add(f, f->a, PH_IOC_DOMAIN, "evil.com", "Pegasus"), 0);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "evil.com", h, 4), 1);
	assert_string_equal(h[0].value, "evil.com");
	assert_string_equal(h[0].campaign, "Pegasus");
	assert_string_equal(h[0].name, "");
	assert_string_equal(h[0].category, "");
	assert_string_equal(h[0].ref, "");
	assert_int_equal(h[0].type, PH_IOC_DOMAIN);
	assert_false(h[0].allow);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "a.b.evil.com", h, 4), 1);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "notevil.com", h, 4), 0);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "evil.com.au", h, 4), 0);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "com", h, 4), 0);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "EVIL.Com.", h, 4), 1);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "x.evil.com.", h, 4), 1);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "", h, 4), 0);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "a..evil.com", h, 4), 0);
	/* other types are other namespaces */
	assert_int_equal(match(f, PH_IOC_NS, "evil.com", h, 4), 0);
	assert_int_equal(match(f, PH_IOC_URL, "http://evil.com/", h, 4), 0);
}

static void test_domain_specific_first(void **state)
{
	struct fx *f = *state;
	struct ph_ioc_hit h[4];
	assert_int_equal(add(f, f->a, PH_IOC_DOMAIN, "tk", NULL), 0);
	assert_int_equal(add(f, f->a, PH_IOC_DOMAIN, "Spy.Evil.TK.", "X"), 0);
	assert_int_equal(add(f, f->b, PH_IOC_DOMAIN, "evil.tk", NULL), 0);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "a.spy.evil.tk", h, 4), 3);
	assert_string_equal(h[0].value, "spy.evil.tk");
	assert_string_equal(h[1].value, "evil.tk");
	assert_int_equal(h[1].source, f->b);
	assert_string_equal(h[2].value, "tk");
	assert_int_equal(match(f, PH_IOC_DOMAIN, "anything.tk", h, 4), 1);
	assert_string_equal(h[0].value, "tk");
	assert_int_equal(match(f, PH_IOC_DOMAIN, "tk.com", h, 4), 0);
	/* max limits what is filled, not the count */
	assert_int_equal(match(f, PH_IOC_DOMAIN, "a.spy.evil.tk", h, 1), 3);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "a.spy.evil.tk", NULL, 0), 3);
}

static void test_domain_idn(void **state)
{
	struct fx *f = *state;
	struct ph_ioc_hit h[2];
	assert_int_equal(add(f, f->a, PH_IOC_DOMAIN, "b\xc3\xbc" "cher.example", NULL), 0);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "xn--bcher-kva.example", h, 2), 1);
	assert_string_equal(h[0].value, "xn--bcher-kva.example");
	assert_int_equal(match(f, PH_IOC_DOMAIN, "www.XN--BCHER-KVA.example", h, 2), 1);
	assert_int_equal(add(f, f->b, PH_IOC_DOMAIN, "xn--mnchen-3ya.de", NULL), 0);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "m\xc3\xbcnchen.de", h, 2), 1);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "a.M\xc3\x9cNCHEN.de", h, 2), 1);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "bucher.example", h, 2), 0);
}

static void test_ns_namespace(void **state)
{
	struct fx *f = *state;
	struct ph_ioc_hit h[2];
	assert_int_equal(add(f, f->a, PH_IOC_NS, "NS.evil-dns.net.", NULL), 0);
	assert_int_equal(match(f, PH_IOC_NS, "ns.evil-dns.net", h, 2), 1);
	assert_int_equal(h[0].type, PH_IOC_NS);
	assert_int_equal(match(f, PH_IOC_NS, "a.ns.evil-dns.net", h, 2), 1);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "ns.evil-dns.net", h, 2), 0);
}

static void test_ip_prefix(void **state)
{
	struct fx *f = *state;
	struct ph_ioc_hit h[4];
	assert_int_equal(add(f, f->a, PH_IOC_IP, "10.0.0.0/8", "wide"), 0);
	assert_int_equal(add(f, f->a, PH_IOC_IP, "10.1.2.99/24", "narrow"), 0);
	assert_int_equal(add(f, f->b, PH_IOC_IP, "10.1.2.3", "host"), 0);
	assert_int_equal(match(f, PH_IOC_IP, "10.1.2.3", h, 4), 3);
	assert_int_equal(h[0].prefix_len, 32);
	assert_string_equal(h[0].value, "10.1.2.3");
	assert_string_equal(h[0].campaign, "host");
	assert_int_equal(h[1].prefix_len, 24);
	assert_string_equal(h[1].value, "10.1.2.0/24"); /* host bits cleared */
	assert_int_equal(h[2].prefix_len, 8);
	assert_int_equal(match(f, PH_IOC_IP, "10.1.2.4", h, 4), 2);
	assert_int_equal(match(f, PH_IOC_IP, "10.200.0.1", h, 4), 1);
	assert_string_equal(h[0].campaign, "wide");
	assert_int_equal(match(f, PH_IOC_IP, "11.0.0.1", h, 4), 0);
	assert_int_equal(match(f, PH_IOC_IP, "not-an-ip", h, 4), 0);
	/* a range lookup finds ranges that contain it */
	assert_int_equal(match(f, PH_IOC_IP, "10.1.2.0/24", h, 4), 2);
	uint8_t a[16] = {10, 1, 2, 3};
	assert_int_equal(ph_intel_match_ip(f->in, a, 4, h, 4), 3);
	uint8_t m[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 9, 9, 9};
	assert_int_equal(ph_intel_match_ip(f->in, m, 6, h, 4), 1);
	assert_int_equal(ph_intel_match_ip(f->in, a, 5, h, 4), 0);
}

static void test_ip6_prefix(void **state)
{
	struct fx *f = *state;
	struct ph_ioc_hit h[4];
	assert_int_equal(add(f, f->a, PH_IOC_IP, "2001:db8::/32", NULL), 0);
	assert_int_equal(add(f, f->a, PH_IOC_IP, "2001:DB8:0:0:0:0:0:1/128", NULL), 0);
	assert_int_equal(add(f, f->a, PH_IOC_IP, "2001:db8:ffff:1::77/64", NULL), 0);
	assert_int_equal(match(f, PH_IOC_IP, "2001:db8::1", h, 4), 2);
	assert_int_equal(h[0].prefix_len, 128);
	assert_string_equal(h[0].value, "2001:db8::1");
	assert_int_equal(h[1].prefix_len, 32);
	assert_string_equal(h[1].value, "2001:db8::/32");
	assert_int_equal(match(f, PH_IOC_IP, "2001:db8::2", h, 4), 1);
	assert_int_equal(match(f, PH_IOC_IP, "2001:db8:ffff:1:abcd::1", h, 4), 2);
	assert_string_equal(h[0].value, "2001:db8:ffff:1::/64");
	assert_int_equal(match(f, PH_IOC_IP, "2001:db9::1", h, 4), 0);
	/* v4 and v6 do not mix */
	assert_int_equal(match(f, PH_IOC_IP, "32.1.13.184", h, 4), 0);
	uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	assert_int_equal(ph_intel_match_ip(f->in, a, 6, h, 4), 2);
}

static void test_exact_types(void **state)
{
	struct fx *f = *state;
	struct ph_ioc_hit h[2];
	const char *sha1 = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01";
	assert_int_equal(add(f, f->a, PH_IOC_CERT_SHA1, sha1, NULL), 0);
	assert_int_equal(match(f, PH_IOC_CERT_SHA1,
			       "abcdef0123456789ABCDEF0123456789abcdef01", h, 2), 1);
	assert_int_equal(match(f, PH_IOC_FILE_HASH,
			       "abcdef0123456789abcdef0123456789abcdef01", h, 2), 0);
	assert_int_equal(add(f, f->a, PH_IOC_JA3, "E7D705A3286E19EA42F587B344EE6865", NULL), 0);
	assert_int_equal(match(f, PH_IOC_JA3, "e7d705a3286e19ea42f587b344ee6865", h, 2), 1);
	assert_int_equal(match(f, PH_IOC_JA3S, "e7d705a3286e19ea42f587b344ee6865", h, 2), 0);
	assert_int_equal(add(f, f->a, PH_IOC_JA4, "t13d1516h2_8daaf6152771_b186095e22b6", NULL), 0);
	assert_int_equal(match(f, PH_IOC_JA4, "T13D1516H2_8DAAF6152771_B186095E22B6", h, 2), 1);
	assert_int_equal(add(f, f->a, PH_IOC_EMAIL, "Spy@Evil.com", NULL), 0);
	assert_int_equal(match(f, PH_IOC_EMAIL, "spy@evil.COM", h, 2), 1);
	assert_int_equal(add(f, f->a, PH_IOC_APP_ID, "com.spy.App", NULL), 0);
	assert_int_equal(match(f, PH_IOC_APP_ID, "com.spy.App", h, 2), 1);
	assert_int_equal(match(f, PH_IOC_APP_ID, "com.spy.app", h, 2), 0);
}

static void test_url_match(void **state)
{
	struct fx *f = *state;
	struct ph_ioc_hit h[2];
	assert_int_equal(add(f, f->a, PH_IOC_URL, "HTTP://Evil.com:80/gate.php#x", NULL), 0);
	assert_int_equal(match(f, PH_IOC_URL, "http://evil.com/gate.php", h, 2), 1);
	assert_string_equal(h[0].value, "http://evil.com/gate.php");
	assert_int_equal(match(f, PH_IOC_URL, "http://EVIL.COM/gate%2Ephp", h, 2), 1);
	assert_int_equal(match(f, PH_IOC_URL, "https://evil.com/gate.php", h, 2), 0);
	assert_int_equal(match(f, PH_IOC_URL, "http://evil.com/Gate.php", h, 2), 0);
	assert_int_equal(add(f, f->a, PH_IOC_URL, "evil.org", NULL), 0);
	assert_int_equal(match(f, PH_IOC_URL, "http://evil.org/", h, 2), 1);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "evil.org", h, 2), 0);
}

static void test_duplicates(void **state)
{
	struct fx *f = *state;
	struct ph_ioc_hit h[4];
	assert_int_equal(add(f, f->a, PH_IOC_DOMAIN, "dup.com", "first"), 0);
	assert_int_equal(add(f, f->a, PH_IOC_DOMAIN, "DUP.com.", "second"), 1);
	assert_int_equal(add(f, f->b, PH_IOC_DOMAIN, "dup.com", "other"), 0);
	assert_int_equal(add(f, f->allow, PH_IOC_DOMAIN, "dup.com", NULL), 0);
	assert_int_equal(add(f, f->a, PH_IOC_IP, "1.2.3.4/32", NULL), 0);
	assert_int_equal(add(f, f->a, PH_IOC_IP, "1.2.3.4", NULL), 1);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "www.dup.com", h, 4), 3);
	assert_int_equal(h[0].source, f->a);
	assert_string_equal(h[0].campaign, "first"); /* first one kept */
	assert_int_equal(h[1].source, f->b);
	assert_string_equal(h[1].campaign, "other");
	assert_false(h[1].allow);
	assert_int_equal(h[2].source, f->allow);
	assert_true(h[2].allow);
	const struct ph_intel_source *s = ph_intel_source(f->in, (unsigned)f->a);
	assert_int_equal(s->duplicates, 2);
	assert_int_equal(s->count[PH_IOC_DOMAIN], 1);
	assert_int_equal(s->count[PH_IOC_IP], 1);
	assert_int_equal(ph_intel_count(f->in), 4);
}

static void test_interning(void **state)
{
	struct fx *f = *state;
	struct ph_ioc_hit h[2], g[2];
	char camp[32], v[32];
	snprintf(camp, sizeof camp, "TheTruthSpy");
	struct ph_ioc_entry e = {.type = PH_IOC_DOMAIN, .name = "n",
				 .campaign = camp, .category = "stalkerware",
				 .ref = "https://ref/1"};
	for (int i = 0; i < 3000; i++) {
		snprintf(v, sizeof v, "d%d.example", i);
		e.value = v;
		e.len = strlen(v);
		assert_int_equal(ph_intel_add(f->in, 0, &e), 0);
	}
	memset(camp, 'Z', 11); /* the store copied it */
	assert_int_equal(match(f, PH_IOC_DOMAIN, "d7.example", h, 2), 1);
	assert_int_equal(match(f, PH_IOC_DOMAIN, "d2999.example", g, 2), 1);
	assert_string_equal(h[0].campaign, "TheTruthSpy");
	assert_ptr_equal(h[0].campaign, g[0].campaign); /* stored once */
	assert_ptr_equal(h[0].ref, g[0].ref);
	assert_string_equal(g[0].category, "stalkerware");
	assert_string_equal(g[0].name, "n");
	/* hit pointers stay valid while the store grows */
	for (int i = 0; i < 5000; i++) {
		snprintf(v, sizeof v, "more%d.example", i);
		e.value = v;
		e.len = strlen(v);
		e.campaign = v;
		assert_int_equal(ph_intel_add(f->in, 1, &e), 0);
	}
	assert_string_equal(h[0].campaign, "TheTruthSpy");
	assert_string_equal(h[0].value, "d7.example");
	assert_int_equal(match(f, PH_IOC_DOMAIN, "more4999.example", h, 2), 1);
	assert_string_equal(h[0].campaign, "more4999.example");
}

static void test_invalid_and_unsupported(void **state)
{
	struct fx *f = *state;
	assert_int_equal(add(f, f->a, PH_IOC_DOMAIN, "bad name.com", NULL), PH_EINVAL);
	assert_int_equal(add(f, f->a, PH_IOC_IP, "1.2.3.4/40", NULL), PH_EINVAL);
	assert_int_equal(add(f, f->a, PH_IOC_CERT_SHA256, "abcd", NULL), PH_EINVAL);
	assert_int_equal(add(f, f->a, PH_IOC_URL, "http://:80/", NULL), PH_EINVAL);
	struct ph_ioc_entry e = {.type = PH_IOC_TYPE_COUNT, .value = "x", .len = 1};
	assert_int_equal(ph_intel_add(f->in, 0, &e), PH_EINVAL);
	assert_int_equal(ph_intel_add(f->in, 99, &e), PH_EINVAL); /* no source */
	const struct ph_intel_source *s = ph_intel_source(f->in, 0);
	assert_int_equal(s->invalid, 5);
	assert_int_equal(ph_intel_count(f->in), 0);
	char text[400];
	memset(text, 'q', sizeof text);
	text[0] = '\n';
	for (unsigned i = 0; i < PH_INTEL_UNSUPPORTED_KEEP + 5; i++)
		ph_intel_unsupported(f->in, 0, text, i == 0 ? sizeof text : 5,
				     i + 1, "pattern with AND");
	ph_intel_unsupported(f->in, 99, "x", 1, 1, "no source");
	assert_int_equal(s->unsupported, PH_INTEL_UNSUPPORTED_KEEP + 5);
	assert_int_equal(s->nexamples, PH_INTEL_UNSUPPORTED_KEEP);
	assert_int_equal(strlen(s->examples[0].text), sizeof s->examples[0].text - 1);
	assert_int_equal(s->examples[0].text[0], ' ');
	assert_string_equal(s->examples[1].text, " qqqq");
	assert_string_equal(s->examples[3].reason, "pattern with AND");
	assert_int_equal(s->examples[19].line, 20);
	assert_null(ph_intel_source(f->in, 3));
	assert_int_equal(ph_intel_nsources(f->in), 3);
}

static void test_sink(void **state)
{
	struct fx *f = *state;
	struct ph_intel_sink_ctx ctx = {.in = f->in, .src = 1};
	struct ph_feed_sink s = ph_intel_sink(&ctx);
	struct ph_ioc_entry e = {.type = PH_IOC_DOMAIN, .value = "sink.com", .len = 8};
	assert_int_equal(s.add(s.user, &e), 0);
	e.value = "bad..com";
	e.len = 8;
	assert_int_equal(s.add(s.user, &e), 0); /* invalid does not stop */
	s.unsupported(s.user, "abc", 3, 7, "why");
	const struct ph_intel_source *src = ph_intel_source(f->in, 1);
	assert_int_equal(src->count[PH_IOC_DOMAIN], 1);
	assert_int_equal(src->invalid, 1);
	assert_int_equal(src->unsupported, 1);
	assert_string_equal(src->examples[0].text, "abc");
	assert_int_equal(src->examples[0].line, 7);
}

static void test_sources_and_names(void **state)
{
	struct fx *f = *state;
	const struct ph_intel_source *s = ph_intel_source(f->in, 0);
	assert_string_equal(s->name, "feed-a");
	assert_string_equal(s->path, "/x/a.txt");
	assert_string_equal(s->url, "");
	assert_true(ph_intel_source(f->in, 2)->allowlist);
	assert_string_equal(ph_ioc_type_name(PH_IOC_DOMAIN), "domain");
	assert_string_equal(ph_ioc_type_name(PH_IOC_CERT_SHA256), "cert_sha256");
	assert_string_equal(ph_ioc_type_name(PH_IOC_NS), "ns");
	assert_string_equal(ph_ioc_type_name(PH_IOC_TYPE_COUNT), "unknown");
	struct ph_err err = {0};
	assert_true(ph_intel_source_add(f->in, NULL, &err) < 0);
	/* an empty store answers nothing */
	struct ph_intel *e = ph_intel_new();
	struct ph_ioc_hit h[1];
	assert_int_equal(ph_intel_match(e, PH_IOC_DOMAIN, "a.com", 5, h, 1), 0);
	uint8_t a[16] = {1, 2, 3, 4};
	assert_int_equal(ph_intel_match_ip(e, a, 4, h, 1), 0);
	assert_int_equal(ph_intel_count(e), 0);
	ph_intel_free(e);
	ph_intel_free(NULL);
}

/* ---- ph_intel_load_path ------------------------------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[1200];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *fp = fopen(p, "wb");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_load_path(void **state)
{
	(void)state;
	char root[] = "/tmp/ph_store_XXXXXX";
	assert_non_null(mkdtemp(root));
	char sub[600], p[700];
	snprintf(sub, sizeof sub, "%s/sub", root);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(root, "b.txt", "# spyware\nevil.com\n10.0.0.0/8\n");
	write_file(sub, "a.txt", "tracker.net\n");
	write_file(root, "blob.bin", "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12");
	write_file(root, ".hidden.txt", "hidden.org\n");
	struct ph_intel *in = ph_intel_new();
	struct ph_err err = {0};
	int n = ph_intel_load_path(in, root, false, &err);
	assert_int_equal(n, 2);
	const char *base = strrchr(root, '/') + 1;
	char want[128];
	snprintf(want, sizeof want, "%s/b.txt", base);
	assert_string_equal(ph_intel_source(in, 0)->name, want);
	snprintf(want, sizeof want, "%s/sub/a.txt", base);
	assert_string_equal(ph_intel_source(in, 1)->name, want);
	const struct ph_intel_source *s = ph_intel_source(in, 0);
	assert_int_equal(s->format, PH_FEED_PLAIN);
	assert_int_equal(strlen(s->sha256), 64);
	assert_int_equal(strlen(s->date), 20); /* 2024-01-02T03:04:05Z */
	assert_int_equal(s->date[19], 'Z');
	assert_int_equal(s->count[PH_IOC_DOMAIN], 1);
	assert_int_equal(s->count[PH_IOC_IP], 1);
	struct ph_ioc_hit h[2];
	assert_int_equal(ph_intel_match(in, PH_IOC_DOMAIN, "x.evil.com", 10, h, 2), 1);
	assert_int_equal(ph_intel_match(in, PH_IOC_IP, "10.9.9.9", 8, h, 2), 1);
	assert_int_equal(ph_intel_match(in, PH_IOC_DOMAIN, "tracker.net", 11, h, 2), 1);
	assert_int_equal(h[0].source, 1);
	assert_int_equal(ph_intel_match(in, PH_IOC_DOMAIN, "hidden.org", 10, h, 2), 0);

	/* a single named file: one source named by its basename, allowlist */
	snprintf(p, sizeof p, "%s/b.txt", root);
	assert_int_equal(ph_intel_load_path(in, p, true, &err), 1);
	assert_string_equal(ph_intel_source(in, 2)->name, "b.txt");
	assert_int_equal(ph_intel_match(in, PH_IOC_DOMAIN, "evil.com", 8, h, 2), 2);
	assert_false(h[0].allow);
	assert_true(h[1].allow);
	/* a named file of unknown format is an error naming it */
	snprintf(p, sizeof p, "%s/blob.bin", root);
	assert_int_equal(ph_intel_load_path(in, p, false, &err), PH_EFORMAT);
	/* named once, in err.file (the CLI prints "FILE: message") */
	assert_null(strstr(err.msg, "blob.bin"));
	assert_non_null(strstr(err.file, "blob.bin"));
	snprintf(p, sizeof p, "%s/missing", root);
	assert_int_equal(ph_intel_load_path(in, p, false, &err), PH_EIO);
	assert_int_equal(ph_intel_nsources(in), 3);
	ph_intel_free(in);

	const char *names[] = {"b.txt", "blob.bin", ".hidden.txt", "sub/a.txt"};
	for (unsigned i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s/%s", root, names[i]);
		unlink(p);
	}
	rmdir(sub);
	rmdir(root);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_domain_boundary),
		T(test_domain_specific_first),
		T(test_domain_idn),
		T(test_ns_namespace),
		T(test_ip_prefix),
		T(test_ip6_prefix),
		T(test_exact_types),
		T(test_url_match),
		T(test_duplicates),
		T(test_interning),
		T(test_invalid_and_unsupported),
		T(test_sink),
		T(test_sources_and_names),
		cmocka_unit_test(test_load_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
