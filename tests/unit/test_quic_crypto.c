/* Tests for src/proto/quic_crypto.c: Initial keys, header protection and
 * payload decryption against the published vectors of RFC 9001 Appendix A
 * (QUIC v1) and RFC 9369 Appendix A (QUIC v2), plus the version table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/quic_crypto.h"
#include "quic_vectors.h"

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = strlen(h) / 2;
	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		char b[3] = {h[2 * i], h[2 * i + 1], 0};
		v = (unsigned)strtoul(b, NULL, 16);
		out[i] = (uint8_t)v;
	}
	return n;
}

static const uint8_t dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};

static void check_hex(const uint8_t *got, const char *want)
{
	uint8_t w[64];
	size_t n = unhex(want, w, sizeof w);
	assert_memory_equal(got, w, n);
}

static void test_keys_v1(void **st)
{
	(void)st;
	struct ph_quic_crypto *c = ph_quic_crypto_new();
	assert_non_null(c);
	struct ph_quic_keys k[2];
	assert_int_equal(ph_quic_derive_initial(c, PH_QUIC_V1, dcid, 8, k), 0);
	check_hex(k[0].key, "1f369613dd76d5467730efcbe3b1a22d");
	check_hex(k[0].iv, "fa044b2f42a3fd3b46fb255c");
	check_hex(k[0].hp, "9f50449e04a0e810283a1e9933adedd2");
	check_hex(k[1].key, "cf3a5331653c364c88f0f379b6067e37");
	check_hex(k[1].iv, "0ac1493ca1905853b0bba03e");
	check_hex(k[1].hp, "c206b8d9b9f0f37644430b490eeaa314");
	ph_quic_crypto_free(c);
}

static void test_keys_v2(void **st)
{
	(void)st;
	struct ph_quic_crypto *c = ph_quic_crypto_new();
	struct ph_quic_keys k[2];
	assert_int_equal(ph_quic_derive_initial(c, PH_QUIC_V2, dcid, 8, k), 0);
	check_hex(k[0].key, "8b1a0bc121284290a29e0971b5cd045d");
	check_hex(k[0].iv, "91f73e2351d8fa91660e909f");
	check_hex(k[0].hp, "45b95e15235d6f45a6b19cbcb0294ba9");
	check_hex(k[1].key, "82db637861d55e1d011f19ea71d5d2a7");
	check_hex(k[1].iv, "dd13c276499c0249d3310652");
	check_hex(k[1].hp, "edf6d05c83121201b436e16877593c3a");
	ph_quic_crypto_free(c);
}

/* Opens the 1200-byte protected client Initial: header is 18 bytes up to
 * the packet number (c0 version 08 dcid 00 0000 449e). */
static void open_vector(uint32_t version, const char *hex)
{
	struct ph_quic_crypto *c = ph_quic_crypto_new();
	struct ph_quic_keys k[2];
	assert_int_equal(ph_quic_derive_initial(c, version, dcid, 8, k), 0);
	uint8_t pkt[1200], hdr[64], out[1200], frame[300];
	assert_int_equal(unhex(hex, pkt, sizeof pkt), 1200);
	uint64_t pn = 0;
	int n = ph_quic_open(c, &k[0], pkt, 18, 0x49e, UINT64_MAX, hdr,
			     sizeof hdr, out, sizeof out, &pn);
	assert_int_equal(n, QV_PLAINTEXT_LEN);
	assert_int_equal(pn, QV_PN);
	/* unprotected header: pn length 4 (first byte c3 / d3) */
	assert_int_equal(hdr[0], version == PH_QUIC_V2 ? 0xd3 : 0xc3);
	assert_memory_equal(hdr + 18, "\x00\x00\x00\x02", 4);
	size_t fl = unhex(QV_CRYPTO_FRAME, frame, sizeof frame);
	assert_memory_equal(out, frame, fl);
	for (size_t i = fl; i < (size_t)n; i++)
		assert_int_equal(out[i], 0);
	/* any flipped bit fails authentication */
	pkt[600] ^= 1;
	assert_int_equal(ph_quic_open(c, &k[0], pkt, 18, 0x49e, UINT64_MAX,
				      hdr, sizeof hdr, out, sizeof out, &pn),
			 -1);
	/* server keys do not open a client packet */
	pkt[600] ^= 1;
	assert_int_equal(ph_quic_open(c, &k[1], pkt, 18, 0x49e, UINT64_MAX,
				      hdr, sizeof hdr, out, sizeof out, &pn),
			 -1);
	ph_quic_crypto_free(c);
}

static void test_open_v1(void **st)
{
	(void)st;
	open_vector(PH_QUIC_V1, QV_V1_PROTECTED);
}

static void test_open_v2(void **st)
{
	(void)st;
	open_vector(PH_QUIC_V2, QV_V2_PROTECTED);
}

static void test_open_bounds(void **st)
{
	(void)st;
	struct ph_quic_crypto *c = ph_quic_crypto_new();
	struct ph_quic_keys k[2];
	assert_int_equal(ph_quic_derive_initial(c, PH_QUIC_V1, dcid, 8, k), 0);
	uint8_t pkt[64] = {0xc0}, hdr[64], out[64];
	uint64_t pn;
	/* Length below the 20-byte minimum, too small buffers */
	assert_int_equal(ph_quic_open(c, &k[0], pkt, 18, 19, UINT64_MAX, hdr,
				      sizeof hdr, out, sizeof out, &pn), -1);
	assert_int_equal(ph_quic_open(c, &k[0], pkt, 18, 40, UINT64_MAX, hdr,
				      10, out, sizeof out, &pn), -1);
	assert_int_equal(ph_quic_open(c, &k[0], pkt, 18, 40, UINT64_MAX, hdr,
				      sizeof hdr, out, 39, &pn), -1);
	/* garbage of the right size: authentication fails */
	assert_int_equal(ph_quic_open(c, &k[0], pkt, 18, 40, UINT64_MAX, hdr,
				      sizeof hdr, out, sizeof out, &pn), -1);
	ph_quic_crypto_free(c);
}

static void test_versions(void **st)
{
	(void)st;
	char s[32];
	struct ph_quic_version_info vi;
	ph_quic_version_string(1, s, sizeof s);
	assert_string_equal(s, "1");
	ph_quic_version_string(PH_QUIC_V2, s, sizeof s);
	assert_string_equal(s, "quicv2");
	ph_quic_version_string(0xff00001d, s, sizeof s);
	assert_string_equal(s, "draft-29");
	ph_quic_version_string(0xff00001f, s, sizeof s); /* as Zeek */
	assert_string_equal(s, "draft-30");
	ph_quic_version_string(0xfaceb002, s, sizeof s);
	assert_string_equal(s, "mvfst (faceb002)");
	ph_quic_version_string(0x51303436, s, sizeof s);
	assert_string_equal(s, "unknown-51303436");
	ph_quic_version_string(0, s, sizeof s);
	assert_string_equal(s, "unknown-0");
	assert_true(ph_quic_version_lookup(0xff000022, &vi) && vi.ietf);
	assert_false(ph_quic_version_lookup(0xfaceb003, &vi));
	assert_true(ph_quic_is_gquic_version(0x51303436));  /* Q046 */
	assert_true(ph_quic_is_gquic_version(0x54303531));  /* T051 */
	assert_false(ph_quic_is_gquic_version(0x51304136)); /* Q0A6 */
	assert_false(ph_quic_derive_initial(NULL, 0x51303436, dcid, 8, NULL)
		     == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_v1),
		cmocka_unit_test(test_keys_v2),
		cmocka_unit_test(test_open_v1),
		cmocka_unit_test(test_open_v2),
		cmocka_unit_test(test_open_bounds),
		cmocka_unit_test(test_versions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
