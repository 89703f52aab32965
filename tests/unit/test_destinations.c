/* Tests of the destinations table and module (src/detect/destinations.c)
 * on crafted captures run through the whole pipeline: names from TLS SNI,
 * HTTP Host (port cut, lower-cased), DNS answers and bare addresses;
 * addresses, ports, TLS versions, cleartext, bytes each way, connection
 * times; ordering; the max cap and its drop count; the --device filter;
 * many flows naming destinations at once (the live-flow table growing and
 * shrinking). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "html_fixture.h"

static void test_names_and_counts(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	hf_scene(&x);
	struct ph_destinations *d = ph_destinations_new(0);
	struct ph_findings *f = hf_run(&x, d, NULL, 0);
	assert_int_equal(x.rc, 0);
	struct ph_destination e;

	assert_true(hf_dest(d, "api.example.com", &e));
	assert_int_equal(e.name_src, PH_DEST_NAME_TLS);
	assert_string_equal(e.device, HF_DEV);
	assert_int_equal(e.nips, 1);
	assert_string_equal(e.ips[0], "198.51.100.7");
	assert_int_equal(e.nports, 1);
	assert_int_equal(e.ports[0].port, 443);
	assert_int_equal(e.ports[0].proto, 6);
	assert_int_equal(e.tls_versions, PH_DEST_TLS12); /* negotiated wins */
	assert_int_equal(e.conns, 1);
	assert_int_equal(e.conns_encrypted, 1);
	assert_int_equal(e.conns_http, 0);
	assert_false(ph_dest_insecure(&e));
	/* payload: the records (5-byte headers) plus the ClientHello */
	assert_true(e.bytes_up > HF_UPLOAD && e.bytes_up < HF_UPLOAD + 1000);
	assert_true(e.bytes_down > 2000 && e.bytes_down < 2200);
	assert_int_equal(e.nstarts, 1);
	assert_int_equal(e.starts[0], HF_S(2));
	assert_int_equal(e.first_ns, HF_S(2));

	assert_true(hf_dest(d, "www.example.org", &e));
	assert_int_equal(e.name_src, PH_DEST_NAME_HTTP);
	assert_int_equal(e.conns_http, 1);
	assert_int_equal(e.conns_encrypted, 0);
	assert_int_equal(e.tls_versions, 0);
	assert_true(ph_dest_insecure(&e));
	assert_non_null(strstr(e.services, "http"));

	assert_true(hf_dest(d, "tracker.example", &e));
	assert_int_equal(e.name_src, PH_DEST_NAME_DNS);
	assert_string_equal(e.ips[0], "203.0.113.50");
	assert_int_equal(e.ports[0].port, 8443);
	assert_int_equal(e.bytes_up, 700);
	assert_int_equal(e.bytes_down, 100);

	assert_true(hf_dest(d, "203.0.113.99", &e));
	assert_int_equal(e.name_src, PH_DEST_NAME_IP);
	assert_int_equal(e.conns, 5);
	assert_int_equal(e.nstarts, 5);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(e.starts[i], HF_S(100 + 60 * i));
	assert_int_equal(e.first_ns, HF_S(100));
	assert_true(e.last_ns >= HF_S(340));
	assert_int_equal(e.bytes_up, 5 * 300);

	/* the hostile Host is kept as sent (lower-cased): escaping is the
	 * renderer's job */
	assert_true(hf_dest(d, "<script>alert(1)</script>.evil", &e));

	/* sorted by bytes: the upload first; DNS flow to the resolver too */
	ph_destinations_get(d, 0, &e);
	assert_string_equal(e.name, "api.example.com");
	assert_true(hf_dest(d, "192.168.1.1", &e));
	assert_int_equal(e.ports[0].proto, 17);
	assert_int_equal(ph_destinations_count(d), 6);
	/* tying findings to entries: by name (any case), by address named
	 * or held, and misses */
	int k = ph_destinations_find(d, HF_DEV, "API.example.com.", NULL);
	assert_int_equal(k, 0);
	assert_int_equal(ph_destinations_find(d, HF_DEV, "", "198.51.100.7"), 0);
	k = ph_destinations_find(d, HF_DEV, NULL, "203.0.113.99");
	assert_true(k > 0);
	ph_destinations_get(d, (unsigned)k, &e);
	assert_string_equal(e.name, "203.0.113.99");
	k = ph_destinations_find(d, HF_DEV, "unknown.example", "203.0.113.50");
	ph_destinations_get(d, (unsigned)k, &e);
	assert_string_equal(e.name, "tracker.example");
	assert_int_equal(ph_destinations_find(d, "192.168.1.99", "api.example.com",
					      NULL), -1);
	assert_int_equal(ph_destinations_find(d, HF_DEV, "nope.example",
					      "192.0.2.1"), -1);
	assert_int_equal(ph_destinations_find(d, "", "api.example.com", NULL),
			 -1);
	assert_int_equal(ph_destinations_dropped(d), 0);
	cfx_close(&x, f);
	ph_destinations_free(d);
}

/* 20 addresses, room for 16: 4 connections dropped, counted. */
static void test_cap(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	char ip[32];
	for (unsigned i = 0; i < 20; i++) {
		snprintf(ip, sizeof ip, "198.51.100.%u", 10 + i);
		hf_raw(&x, HF_S(10 + i), ip, 9000, (uint16_t)(43000 + i), 50);
	}
	struct ph_destinations *d = ph_destinations_new(0);
	const char *set[] = {"destinations.max=16"};
	struct ph_findings *f = hf_run(&x, d, set, 1);
	assert_int_equal(ph_destinations_count(d), 16);
	assert_int_equal(ph_destinations_dropped(d), 4);
	struct ph_destination e;
	assert_true(hf_dest(d, "198.51.100.10", &e));
	assert_false(hf_dest(d, "198.51.100.29", &e));
	cfx_close(&x, f);
	ph_destinations_free(d);
}

/* --device names another host: nothing of this device is listed. */
static void test_device_filter(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	hf_raw(&x, HF_S(1), "198.51.100.5", 9000, 43000, 50);
	fclose(x.f);
	x.f = NULL;
	struct ph_destinations *d = ph_destinations_new(0);
	struct ph_findings *f = ph_findings_new(100);
	x.devices = ph_devices_new(0);
	assert_int_equal(ph_devices_set_filter(x.devices, "192.168.1.99", NULL),
			 0);
	const char *files[1] = {x.path};
	struct ph_run_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.files = files;
	cfg.nfiles = 1;
	cfg.findings = f;
	cfg.devices = x.devices;
	cfg.destinations = d;
	ph_run(&cfg, &x.summary, NULL);
	assert_int_equal(ph_destinations_count(d), 0);
	assert_int_equal(ph_destinations_dropped(d), 0);
	cfx_close(&x, f);
	ph_destinations_free(d);
}

/* 1500 TLS sessions open at once, each with its own SNI, closed in
 * reverse order: every name keeps exactly its one connection. */
static void test_many_live_flows(void **state)
{
	(void)state;
	enum { N = 1500 };
	static struct cfx_tcp t[N];
	static char ips[N][32]; /* cfx_tcp keeps the address pointers */
	static uint8_t body[1024], hs[1100], rec[1200];
	static const uint16_t ciphers[] = {0xc02f};
	static const uint16_t exts[] = {0};
	struct cfx x;
	cfx_open(&x);
	char sni[64];
	for (unsigned i = 0; i < N; i++) {
		char *ip = ips[i];
		snprintf(sni, sizeof sni, "host%u.example", i);
		snprintf(ip, 32, "198.51.%u.%u", 100 + i / 250, 1 + i % 250);
		struct tb_hello h = {.legacy_version = 0x0303, .ciphers = ciphers,
				     .n_ciphers = 1, .exts = exts, .n_exts = 1,
				     .sni = sni};
		uint64_t ts = HF_S(1) + i * 1000000ull;
		cfx_tcp_open(&x, &t[i], HF_DEV, (uint16_t)(20000 + i), ip, 443, ts);
		size_t n = tb_client_hello(body, sizeof body, &h);
		n = tb_handshake(hs, sizeof hs, 1, body, n);
		n = tb_record(rec, sizeof rec, 22, hs, n);
		cfx_tcp_send(&x, &t[i], 0, ts + 3000000, rec, n);
	}
	for (unsigned i = N; i-- > 0;)
		cfx_tcp_close(&x, &t[i], HF_S(10) + (N - i) * 1000000ull);
	struct ph_destinations *d = ph_destinations_new(0);
	struct ph_findings *f = hf_run(&x, d, NULL, 0);
	assert_int_equal(ph_destinations_count(d), N);
	struct ph_destination e;
	for (unsigned i = 0; i < N; i += 7) {
		snprintf(sni, sizeof sni, "host%u.example", i);
		assert_true(hf_dest(d, sni, &e));
		assert_int_equal(e.conns, 1);
		assert_int_equal(e.conns_encrypted, 1);
		assert_int_equal(e.name_src, PH_DEST_NAME_TLS);
	}
	cfx_close(&x, f);
	ph_destinations_free(d);
}

static void test_words(void **state)
{
	(void)state;
	assert_string_equal(ph_dest_tls_name(PH_DEST_TLS13), "TLS 1.3");
	assert_string_equal(ph_dest_tls_name(PH_DEST_TLS10), "TLS 1.0");
	assert_string_equal(ph_dest_tls_name(3), "");
	struct ph_destination e;
	memset(&e, 0, sizeof e);
	e.tls_versions = PH_DEST_TLS12 | PH_DEST_TLS13;
	assert_false(ph_dest_insecure(&e));
	e.tls_versions |= PH_DEST_TLS11;
	assert_true(ph_dest_insecure(&e));
	assert_int_equal(ph_destinations_count(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_counts),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_device_filter),
		cmocka_unit_test(test_many_live_flows),
		cmocka_unit_test(test_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
