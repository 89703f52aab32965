/* Tests for src/report/community_id.c against the Community ID spec's
 * published vectors (github.com/corelight/community-id-spec): the three
 * tables of baseline/README.md (default seed, seed 1, digest without
 * base64) and every flow of baseline/baseline_deflt.json. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "peephole/ph.h"
#include "report/community_id.h"

struct vec {
	uint8_t proto;
	const char *saddr, *daddr;
	uint16_t sport, dport;  /* ICMP: type, code */
	const char *id;         /* seed 0, base64 */
	const char *id_seed1;   /* seed 1, base64 */
	const char *hex;        /* seed 0, SHA-1 hex */
};

#define V6A "fe80:0001:0203:0405:0607:0809:0A0B:0C0D"
#define V6B "fe80:1011:1213:1415:1617:1819:1A1B:1C1D"

/* baseline/README.md: "Default settings", "A custom seed=1 value" and
 * "No base64-encoding", row by row. */
static const struct vec table[] = {
	{6, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:wCb3OG7yAFWelaUydu0D+125CLM=",
	 "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=", "c026f7386ef200559e95a53276ed03fb5db908b3"},
	{6, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:wCb3OG7yAFWelaUydu0D+125CLM=",
	 "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=", "c026f7386ef200559e95a53276ed03fb5db908b3"},
	{17, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=",
	 "1:OShq+iKDAMVouh/4bMxB9Sz4amw=", "d0cbbd227431eb3e1988264cffb1d78b658c84e8"},
	{17, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=",
	 "1:OShq+iKDAMVouh/4bMxB9Sz4amw=", "d0cbbd227431eb3e1988264cffb1d78b658c84e8"},
	{132, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=",
	 "1:uitchpn5MMGAQKBJh7bIr/bAr7s=", "10ab7832cc6ec9a13a98bfa19ab12443d72c0c3f"},
	{132, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=",
	 "1:uitchpn5MMGAQKBJh7bIr/bAr7s=", "10ab7832cc6ec9a13a98bfa19ab12443d72c0c3f"},
	{1, "1.2.3.4", "5.6.7.8", 8, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=",
	 "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=", "72ba1d4472f6144b078dbbf752446b7dbb386d9d"},
	{1, "5.6.7.8", "1.2.3.4", 0, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=",
	 "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=", "72ba1d4472f6144b078dbbf752446b7dbb386d9d"},
	{1, "1.2.3.4", "5.6.7.8", 11, 0, "1:f/YiSyWqczrTgfUCZlBUnvHRcPk=",
	 "1:1DD7cWGC/Yg91YGsQeni8du3pIA=", "7ff6224b25aa733ad381f5026650549ef1d170f9"},
	{58, V6A, V6B, 128, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=",
	 "1:IO27GQzPuCtNnwFvjWALMHu5tJE=", "d1b7fb872309530b777cc103ef3f0b21f46905ea"},
	{58, V6B, V6A, 129, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=",
	 "1:IO27GQzPuCtNnwFvjWALMHu5tJE=", "d1b7fb872309530b777cc103ef3f0b21f46905ea"},
	{58, V6A, V6B, 146, 0, "1:fYC8+pz24E+EhANP1EZhpX0Dw10=",
	 "1:Cv4IKJe56BNkF0MBW2YxQ3Nwc3s=", "7d80bcfa9cf6e04f8484034fd44661a57d03c35d"},
	{46, "1.2.3.4", "5.6.7.8", 0, 0, "1:ikv3kmf89luf73WPz1jOs49S768=",
	 "1:/buhqeOmaRCopOZFy9HnoJd5XW8=", "8a4bf79267fcf65b9fef758fcf58ceb38f52efaf"},
	{46, "5.6.7.8", "1.2.3.4", 0, 0, "1:ikv3kmf89luf73WPz1jOs49S768=",
	 "1:/buhqeOmaRCopOZFy9HnoJd5XW8=", "8a4bf79267fcf65b9fef758fcf58ceb38f52efaf"},
	{46, V6A, V6B, 0, 0, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=",
	 "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM=", "c10ff69b0ae75cfe259897077462f978f8d1f9ed"},
	{46, V6B, V6A, 0, 0, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=",
	 "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM=", "c10ff69b0ae75cfe259897077462f978f8d1f9ed"},
};

struct jvec {
	uint8_t proto;
	const char *saddr, *daddr;
	uint16_t sport, dport;
	const char *id;
};

/* baseline/baseline_deflt.json (from pcaps/combined.pcap.gz). For ICMP the
 * file lists the ports after the type mapping (type, counterpart-or-code);
 * feeding those in must give the same ID as feeding type and code. */
static const struct jvec json_rows[] = {
	{58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
	{58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
	{58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "1:zavyT/cezQr1fmImYCwYnMXbgck="},
	{58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135, "1:zavyT/cezQr1fmImYCwYnMXbgck="},
	{58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ="},
	{58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, "1:hLZd0XGWojozrvxqE0dWB1iM6R0="},
	{58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="},
	{58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="},
	{58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0="},
	{58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "1:pkvHqCL88/tg1k4cPigmZXUtL00="},
	{1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
	{1, "192.168.0.1", "192.168.0.89", 0, 8, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
	{1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM="},
	{6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
	{6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
	{132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
	{132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
	{6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
	{6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
	{17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
	{17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
	{46, "10.1.12.1", "10.1.12.2", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
	{46, "10.1.12.2", "10.1.12.1", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
};

/* Parses a text address; returns its IP version. */
static uint8_t parse(const char *s, uint8_t out[16])
{
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
	return 6;
}

static int calc(uint8_t proto, const char *sa, const char *da, uint16_t sp,
		uint16_t dp, uint16_t seed, char out[PH_COMMUNITY_ID_SIZE])
{
	uint8_t a[16], b[16];
	uint8_t v = parse(sa, a);
	assert_int_equal(parse(da, b), v);
	struct ph_cid_flow f = {a, b, v, proto, sp, dp};
	return ph_community_id_v1(&f, seed, out);
}

static void test_spec_tables(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		const struct vec *t = &table[i];
		char id[PH_COMMUNITY_ID_SIZE];
		assert_int_equal(calc(t->proto, t->saddr, t->daddr, t->sport, t->dport, 0, id), 30);
		assert_string_equal(id, t->id);
		calc(t->proto, t->saddr, t->daddr, t->sport, t->dport, 1, id);
		assert_string_equal(id, t->id_seed1);

		uint8_t a[16], b[16], d[20];
		uint8_t v = parse(t->saddr, a);
		parse(t->daddr, b);
		struct ph_cid_flow f = {a, b, v, t->proto, t->sport, t->dport};
		assert_int_equal(ph_community_id_digest(&f, 0, d), PH_OK);
		char hex[41];
		for (int k = 0; k < 20; k++)
			snprintf(hex + 2 * k, 3, "%02x", d[k]);
		assert_string_equal(hex, t->hex);
	}
}

static void test_spec_baseline_json(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof json_rows / sizeof json_rows[0]; i++) {
		const struct jvec *j = &json_rows[i];
		char id[PH_COMMUNITY_ID_SIZE];
		calc(j->proto, j->saddr, j->daddr, j->sport, j->dport, 0, id);
		if (strcmp(id, j->id) != 0)
			fail_msg("row %zu: got %s want %s", i, id, j->id);
	}
}

/* The same ICMP flows given as type and code, as struct ph_conn holds
 * them, instead of the mapped ports of the JSON file. */
static void test_icmp_type_code_input(void **state)
{
	(void)state;
	char id[PH_COMMUNITY_ID_SIZE];
	calc(1, "192.168.0.1", "192.168.0.89", 0, 0, 0, id); /* echo reply */
	assert_string_equal(id, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
	calc(58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 0, 0, id); /* RS */
	assert_string_equal(id, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=");
	calc(58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 0, 0, id);
	assert_string_equal(id, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=");
}

static void test_icmp_port_mapping(void **state)
{
	(void)state;
	bool one_way = false;
	assert_int_equal(ph_cid_icmp_port(1, 8, 0, &one_way), 0);
	assert_false(one_way);
	assert_int_equal(ph_cid_icmp_port(1, 0, 0, &one_way), 8);
	assert_int_equal(ph_cid_icmp_port(1, 10, 0, NULL), 9);
	assert_int_equal(ph_cid_icmp_port(1, 3, 3, &one_way), 3); /* unreachable */
	assert_true(one_way);
	assert_int_equal(ph_cid_icmp_port(58, 128, 0, &one_way), 129);
	assert_false(one_way);
	assert_int_equal(ph_cid_icmp_port(58, 135, 0, NULL), 136);
	assert_int_equal(ph_cid_icmp_port(58, 139, 0, NULL), 140);
	assert_int_equal(ph_cid_icmp_port(58, 144, 0, NULL), 145);
	assert_int_equal(ph_cid_icmp_port(58, 1, 4, &one_way), 4);
	assert_true(one_way);
	/* type 8 is not an ICMPv6 echo: one-way there */
	assert_int_equal(ph_cid_icmp_port(58, 8, 5, &one_way), 5);
	assert_true(one_way);
}

static void test_bad_input(void **state)
{
	(void)state;
	uint8_t a[16] = {1}, b[16] = {2};
	char id[PH_COMMUNITY_ID_SIZE];
	struct ph_cid_flow f = {a, b, 5, 6, 1, 2};
	assert_int_equal(ph_community_id_v1(&f, 0, id), PH_EINVAL);
	f.ipver = 4;
	f.daddr = NULL;
	assert_int_equal(ph_community_id_v1(&f, 0, id), PH_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_tables),
		cmocka_unit_test(test_spec_baseline_json),
		cmocka_unit_test(test_icmp_type_code_input),
		cmocka_unit_test(test_icmp_port_mapping),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
