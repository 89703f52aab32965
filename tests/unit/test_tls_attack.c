/* Tests for src/detect/tls_attack.c (and the heartbeat fields src/proto/
 * tls.c fills): crafted captures where a remote host sends the device's
 * TLS server a Heartbleed request (a heartbeat claiming 16 KB with 3 bytes
 * sent) and the device answers with a large heartbeat; a well-formed
 * heartbeat (payload plus 16 bytes of padding) must not fire. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tlsdet_fixture.h"

/* Remote 203.0.113.9 connects to the device's TLS server on 443, then
 * sends the heartbeat `hb` (record body); the device answers with a
 * heartbeat of answer_len bytes (0: none). */
static struct ph_findings *run(struct cfx *x, const uint8_t *hb, size_t hblen,
			       size_t answer_len)
{
	static const uint16_t ciphers[] = {0xc02f};
	static const uint16_t exts[] = {0x000d};
	static const uint16_t sig[] = {0x0401};
	static uint8_t body[4096], hs[4096], rec[40000], big[20000];
	struct tb_hello h = {.legacy_version = 0x0303, .ciphers = ciphers,
			     .n_ciphers = 1, .exts = exts, .n_exts = 1,
			     .sigalgs = sig, .n_sigalgs = 1};
	struct cfx_tcp t;
	uint64_t ts = 1700000000ull * 1000000000ull;
	cfx_open(x);
	cfx_tcp_open(x, &t, "203.0.113.9", 50000, "192.168.1.23", 443, ts);
	size_t n = tb_client_hello(body, sizeof body, &h);
	n = tb_handshake(hs, sizeof hs, 1, body, n);
	n = tb_record(rec, sizeof rec, 22, hs, n);
	cfx_tcp_send(x, &t, 0, ts + 3000000, rec, n);
	size_t m = tb_server_hello(body, sizeof body, 0x0303, 0xc02f, NULL, 0,
				   0, 0, NULL);
	n = tb_record(rec, sizeof rec, 22, hs,
		      tb_handshake(hs, sizeof hs, 2, body, m));
	cfx_tcp_send(x, &t, 1, ts + 5000000, rec, n);
	n = tb_record(rec, sizeof rec, 24, hb, hblen);
	cfx_tcp_send(x, &t, 0, ts + 7000000, rec, n);
	if (answer_len) {
		memset(big, 0x41, answer_len);
		big[0] = 2;
		n = tb_record(rec, sizeof rec, 24, big, answer_len);
		cfx_tcp_send(x, &t, 1, ts + 8000000, rec, n);
	}
	cfx_tcp_close(x, &t, ts + 9000000);
	return cfx_run(x, NULL, 0);
}

static void test_heartbleed_against_device(void **state)
{
	(void)state;
	static const uint8_t evil[3] = {1, 0x40, 0x00}; /* claims 16384 */
	struct cfx x;
	struct ph_findings *f = run(&x, evil, sizeof evil, 16384 + 3 + 16);
	const struct ph_finding *h = cfx_find(f, "tls_attack.heartbleed");
	assert_non_null(h);
	assert_int_equal(h->severity, PH_SEV_CRITICAL); /* answered: leaked */
	assert_string_equal(h->device, "192.168.1.23");
	assert_string_equal(h->remote, "203.0.113.9");
	assert_string_equal(h->attack, "T1190");
	cfx_close(&x, f);

	f = run(&x, evil, sizeof evil, 0);
	h = cfx_find(f, "tls_attack.heartbleed");
	assert_non_null(h);
	assert_int_equal(h->severity, PH_SEV_HIGH); /* no answer seen */
	cfx_close(&x, f);
}

static void test_wellformed_heartbeat_is_quiet(void **state)
{
	(void)state;
	uint8_t ok[3 + 2 + 16] = {1, 0x00, 0x02, 'h', 'i'};
	struct cfx x;
	struct ph_findings *f = run(&x, ok, sizeof ok, sizeof ok);
	assert_null(cfx_find(f, "tls_attack.heartbleed"));
	cfx_close(&x, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heartbleed_against_device),
		cmocka_unit_test(test_wellformed_heartbeat_is_quiet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
