/* resolver_bypass detection (src/detect/resolver_bypass.c) on crafted
 * captures: plain DNS to a server other than the DHCP-given or most used
 * resolver fires, the network's resolvers (and their neighbours) do not;
 * DNS over TLS and DNS over HTTPS (SNI, HTTP Host, resolver address on
 * 443) fire, ordinary HTTPS does not; min_queries is honoured. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check_fixture.h"
#include "tls_test_build.h"

#define DEV "192.168.1.23"
#define T0 1700000000000000000ull
#define MS 1000000ull

static void lookups(struct cfx *x, uint64_t ts, const char *server, int n,
		    uint16_t port0)
{
	for (int i = 0; i < n; i++)
		cfx_dns_lookup(x, ts + (uint64_t)i * 10 * MS, DEV,
			       (uint16_t)(port0 + i), server, "www.example.com",
			       1, 0, "203.0.113.80");
}

/* DHCPACK from the router naming `dns` as the resolver. */
static void dhcp_ack(struct cfx *x, uint64_t ts, const char *dns)
{
	uint8_t b[300];
	memset(b, 0, sizeof b);
	b[0] = 2, b[1] = 1, b[2] = 6;
	b[4] = 0x12, b[5] = 0x34;
	struct pb_addr y = pb_ip4(DEV), s = pb_ip4("192.168.1.1");
	struct pb_addr d = pb_ip4(dns);
	memcpy(b + 16, y.a, 4);
	memcpy(b + 28, cfx_dev_mac, 6);
	size_t n = 236;
	const uint8_t cookie[4] = {99, 130, 83, 99};
	memcpy(b + n, cookie, 4), n += 4;
	b[n++] = 53, b[n++] = 1, b[n++] = 5;
	b[n++] = 54, b[n++] = 4;
	memcpy(b + n, s.a, 4), n += 4;
	b[n++] = 6, b[n++] = 4;
	memcpy(b + n, d.a, 4), n += 4;
	b[n++] = 255;
	cfx_udp(x, ts, "192.168.1.1", 67, "255.255.255.255", 68, b, n);
}

static void test_other_resolver(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	dhcp_ack(&x, T0, "203.0.113.53");
	lookups(&x, T0 + 100 * MS, "203.0.113.53", 3, 30000);
	lookups(&x, T0 + 200 * MS, "198.51.100.99", 5, 31000);
	lookups(&x, T0 + 300 * MS, "8.8.8.8", 2, 32000);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(x.rc, 0);
	const struct ph_finding *o = cfx_find(f, "resolver_bypass.other_resolver");
	assert_non_null(o);
	assert_string_equal(o->remote, "198.51.100.99");
	assert_string_equal(o->device, DEV);
	assert_int_equal(o->count, 5);
	assert_int_equal(o->severity, PH_SEV_MEDIUM);
	assert_string_equal(o->name, "www.example.com");
	const struct ph_finding *p = cfx_find(f, "resolver_bypass.public_resolver");
	assert_non_null(p);
	assert_string_equal(p->remote, "8.8.8.8");
	assert_int_equal(p->severity, PH_SEV_LOW);
	assert_int_equal(cfx_count(f, "resolver_bypass."), 2);
	cfx_close(&x, f);
}

static void test_network_resolvers_do_not_fire(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	lookups(&x, T0, "203.0.113.53", 10, 30000);   /* most used */
	lookups(&x, T0 + 200 * MS, "203.0.113.54", 3, 31000); /* its pair */
	lookups(&x, T0 + 400 * MS, "192.168.1.1", 2, 32000);  /* the LAN */
	lookups(&x, T0 + 600 * MS, "198.51.100.99", 4, 33000);
	const char *set[] = {"resolver_bypass.min_queries=10"};
	struct ph_findings *f = cfx_run(&x, set, 1);
	assert_int_equal(x.rc, 0);
	assert_int_equal(cfx_count(f, "resolver_bypass."), 1);
	const struct ph_finding *o = cfx_find(f, "resolver_bypass.other_resolver");
	assert_non_null(o);
	assert_string_equal(o->remote, "198.51.100.99");
	assert_int_equal(o->severity, PH_SEV_LOW); /* 4 < min_queries */
	cfx_close(&x, f);
}

static void hello(struct cfx *x, uint64_t ts, const char *dst, uint16_t sport,
		  const char *sni)
{
	static const uint16_t ciphers[] = {0x1301, 0x1302};
	static const uint16_t exts[] = {0, 10, 13, 16, 43};
	static const uint16_t sig[] = {0x0403};
	struct tb_hello h = {.legacy_version = 0x0303, .ciphers = ciphers,
		.n_ciphers = 2, .exts = exts, .n_exts = 5, .sigalgs = sig,
		.n_sigalgs = 1, .sni = sni, .alpn = "h2", .version13 = true};
	uint8_t body[1024], hs[1100], rec[1200];
	size_t n = tb_client_hello(body, sizeof body, &h);
	n = tb_handshake(hs, sizeof hs, 1, body, n);
	n = tb_record(rec, sizeof rec, 22, hs, n);
	struct cfx_tcp t;
	cfx_tcp_open(x, &t, DEV, sport, dst, 443, ts);
	cfx_tcp_send(x, &t, 0, ts + 3 * MS, rec, n);
	cfx_tcp_close(x, &t, ts + 10 * MS);
}

static void test_dot_and_doh(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	struct cfx_tcp t;
	cfx_tcp_open(&x, &t, DEV, 40000, "9.9.9.9", 853, T0);
	cfx_tcp_close(&x, &t, T0 + 5 * MS);
	cfx_tcp_open(&x, &t, DEV, 40001, "1.1.1.1", 443, T0 + 100 * MS);
	cfx_tcp_send(&x, &t, 0, T0 + 103 * MS, "\x16\x03\x01", 3);
	cfx_tcp_close(&x, &t, T0 + 110 * MS);
	hello(&x, T0 + 200 * MS, "8.8.8.8", 40002, "dns.google");
	const char *req = "GET /dns-query?dns=AAABAAAB HTTP/1.1\r\n"
			  "Host: doh.opendns.com\r\n\r\n";
	cfx_tcp_open(&x, &t, DEV, 40003, "146.112.41.2", 80, T0 + 300 * MS);
	cfx_tcp_send(&x, &t, 0, T0 + 303 * MS, req, strlen(req));
	cfx_tcp_close(&x, &t, T0 + 310 * MS);
	hello(&x, T0 + 400 * MS, "93.184.216.34", 40004, "www.example.com");
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(x.rc, 0);
	const struct ph_finding *d = cfx_find(f, "resolver_bypass.dot");
	assert_non_null(d);
	assert_string_equal(d->remote, "9.9.9.9");
	assert_int_equal(d->remote_port, 853);
	assert_int_equal(d->severity, PH_SEV_LOW);
	unsigned doh = 0, by_ip = 0, sni = 0, host = 0;
	for (unsigned i = 0; i < ph_findings_count(f); i++) {
		const struct ph_finding *g = ph_findings_get(f, i);
		if (strcmp(g->id, "resolver_bypass.doh") != 0)
			continue;
		doh++;
		by_ip += !strcmp(g->field, "conn.resp_h") &&
			 !strcmp(g->matched, "1.1.1.1");
		sni += !strcmp(g->field, "tls.sni") &&
		       !strcmp(g->matched, "dns.google");
		host += !strcmp(g->field, "http.host") &&
			!strcmp(g->matched, "doh.opendns.com");
	}
	assert_int_equal(by_ip, 1);
	assert_int_equal(sni, 1);
	assert_int_equal(host, 1);
	assert_int_equal(doh, 3); /* 8.8.8.8:443 folded into its SNI */
	cfx_close(&x, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_other_resolver),
		cmocka_unit_test(test_network_resolvers_do_not_fire),
		cmocka_unit_test(test_dot_and_doh),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
