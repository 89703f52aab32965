/* Tests for src/detect/cleartext_creds.c on crafted captures: FTP, POP3,
 * IMAP, SMTP AUTH, Telnet, LDAP simple bind and SNMP logins fire with the
 * user name and never the password; the nearest benign cases (a session
 * without a login, SMTP AUTH after STARTTLS, an anonymous LDAP bind, the
 * default SNMP community with report_anonymous=0) stay silent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check_fixture.h"

#define TS0 (1700000000ull * 1000000000ull)
#define SECRET "Tr0ub4dor"

/* A conversation on one connection: each line starts with '<' (the
 * server sends it) or '>' (the device sends it); NULL ends. */
static void talk(struct cfx *c, uint16_t port, const char *const *lines)
{
	struct cfx_tcp t;
	uint64_t ts = TS0;
	cfx_tcp_open(c, &t, "192.168.1.23", 40000, "203.0.113.25", port, ts);
	for (unsigned i = 0; lines[i]; i++) {
		ts += 10000000;
		cfx_tcp_send(c, &t, lines[i][0] == '>' ? 0 : 1, ts,
			     lines[i] + 1, strlen(lines[i] + 1));
	}
	cfx_tcp_close(c, &t, ts + 10000000);
}

static struct ph_findings *run_talk(struct cfx *c, uint16_t port,
				    const char *const *lines,
				    const char *const *set, unsigned nset)
{
	cfx_open(c);
	talk(c, port, lines);
	struct ph_findings *f = cfx_run(c, set, nset);
	assert_int_equal(c->rc, 0);
	return f;
}

static void no_secret(const struct ph_findings *f, const char *secret)
{
	for (unsigned i = 0; i < ph_findings_count(f); i++) {
		const struct ph_finding *x = ph_findings_get(f, i);
		assert_null(strstr(x->explain, secret));
		assert_null(strstr(x->matched, secret));
		assert_null(strstr(x->title, secret));
	}
}

static void test_ftp_login(void **state)
{
	(void)state;
	const char *l[] = {"<220 (vsFTPd 3.0.3)\r\n", ">USER alice\r\n",
			   "<331 Please specify the password.\r\n",
			   ">PASS " SECRET "\r\n", "<230 Login successful.\r\n",
			   ">QUIT\r\n", "<221 Goodbye.\r\n", NULL};
	struct cfx c;
	struct ph_findings *f = run_talk(&c, 2121, l, NULL, 0);
	const struct ph_finding *x = cfx_find(f, "cleartext_creds.ftp");
	assert_non_null(x);
	assert_int_equal(x->severity, PH_SEV_MEDIUM);
	assert_int_equal(x->confidence, PH_CONF_HIGH);
	assert_string_equal(x->matched, "alice");
	assert_string_equal(x->field, "ftp.user");
	assert_string_equal(x->device, "192.168.1.23");
	assert_int_equal(x->remote_port, 2121);
	assert_non_null(strstr(x->explain, "accepted"));
	no_secret(f, SECRET);
	cfx_close(&c, f);
}

static void test_ftp_without_login_is_silent(void **state)
{
	(void)state;
	const char *l[] = {"<220 FTP server ready\r\n", ">SYST\r\n",
			   "<215 UNIX Type: L8\r\n", ">QUIT\r\n", "<221 Bye\r\n",
			   NULL};
	struct cfx c;
	struct ph_findings *f = run_talk(&c, 21, l, NULL, 0);
	assert_int_equal(cfx_count(f, "cleartext_creds."), 0);
	cfx_close(&c, f);
}

static void test_ftp_anonymous_is_info_and_option(void **state)
{
	(void)state;
	const char *l[] = {"<220 FTP server ready\r\n", ">USER anonymous\r\n",
			   "<331 Guest login ok\r\n", ">PASS guest@\r\n",
			   "<230 ok\r\n", NULL};
	struct cfx c;
	struct ph_findings *f = run_talk(&c, 21, l, NULL, 0);
	const struct ph_finding *x = cfx_find(f, "cleartext_creds.ftp");
	assert_non_null(x);
	assert_int_equal(x->severity, PH_SEV_INFO);
	cfx_close(&c, f);
	const char *set[] = {"cleartext_creds.report_anonymous=0"};
	f = run_talk(&c, 21, l, set, 1);
	assert_null(cfx_find(f, "cleartext_creds.ftp"));
	cfx_close(&c, f);
}

static void test_pop3_and_imap(void **state)
{
	(void)state;
	const char *p[] = {"<+OK POP3 ready\r\n", ">USER bob@example.org\r\n",
			   "<+OK\r\n", ">PASS " SECRET "\r\n", "<-ERR denied\r\n",
			   NULL};
	struct cfx c;
	struct ph_findings *f = run_talk(&c, 110, p, NULL, 0);
	const struct ph_finding *x = cfx_find(f, "cleartext_creds.pop3");
	assert_non_null(x);
	assert_string_equal(x->matched, "bob@example.org");
	assert_non_null(strstr(x->explain, "refused"));
	no_secret(f, SECRET);
	cfx_close(&c, f);
	/* IMAP on an unusual port: recognised by its banner */
	const char *i[] = {"<* OK IMAP4rev1 ready\r\n",
			   ">a1 LOGIN \"carol\" \"" SECRET "\"\r\n",
			   "<a1 OK LOGIN completed\r\n", NULL};
	f = run_talk(&c, 1143, i, NULL, 0);
	x = cfx_find(f, "cleartext_creds.imap");
	assert_non_null(x);
	assert_string_equal(x->matched, "carol");
	assert_non_null(strstr(x->explain, "accepted"));
	no_secret(f, SECRET);
	cfx_close(&c, f);
}

static void test_smtp_auth_plain_and_starttls(void **state)
{
	(void)state;
	/* base64("\0dave\0Tr0ub4dor") */
	const char *l[] = {"<220 mail.example ESMTP\r\n", ">EHLO phone\r\n",
			   "<250-mail.example\r\n250 AUTH PLAIN LOGIN\r\n",
			   ">AUTH PLAIN AGRhdmUAVHIwdWI0ZG9y\r\n",
			   "<235 2.7.0 Authentication successful\r\n", NULL};
	struct cfx c;
	struct ph_findings *f = run_talk(&c, 587, l, NULL, 0);
	const struct ph_finding *x = cfx_find(f, "cleartext_creds.smtp");
	assert_non_null(x);
	assert_string_equal(x->matched, "dave");
	assert_int_equal(x->severity, PH_SEV_MEDIUM);
	no_secret(f, SECRET);
	no_secret(f, "AGRhdmUAVHIwdWI0ZG9y");
	cfx_close(&c, f);
	/* the same login after STARTTLS is encrypted: nothing */
	const char *s[] = {"<220 mail.example ESMTP\r\n", ">STARTTLS\r\n",
			   "<220 go ahead\r\n",
			   ">AUTH PLAIN AGRhdmUAVHIwdWI0ZG9y\r\n", "<235 ok\r\n",
			   NULL};
	f = run_talk(&c, 587, s, NULL, 0);
	assert_int_equal(cfx_count(f, "cleartext_creds."), 0);
	cfx_close(&c, f);
}

static void test_smtp_auth_login_and_cram(void **state)
{
	(void)state;
	/* AUTH LOGIN: base64 user "erin", then the password */
	const char *l[] = {"<220 mx ESMTP\r\n", ">EHLO x\r\n", "<250 ok\r\n",
			   ">AUTH LOGIN\r\n", "<334 VXNlcm5hbWU6\r\n",
			   ">ZXJpbg==\r\n", "<334 UGFzc3dvcmQ6\r\n",
			   ">VHIwdWI0ZG9y\r\n", "<535 no\r\n", NULL};
	struct cfx c;
	struct ph_findings *f = run_talk(&c, 25, l, NULL, 0);
	const struct ph_finding *x = cfx_find(f, "cleartext_creds.smtp");
	assert_non_null(x);
	assert_string_equal(x->matched, "erin");
	assert_non_null(strstr(x->explain, "refused"));
	no_secret(f, "VHIwdWI0ZG9y");
	cfx_close(&c, f);
	/* CRAM-MD5 ("erin <hex>"): challenge-response, low */
	const char *m[] = {"<220 mx ESMTP\r\n", ">EHLO x\r\n", "<250 ok\r\n",
			   ">AUTH CRAM-MD5\r\n", "<334 PDEyMz4=\r\n",
			   ">ZXJpbiAwMTIzNDU2Nzg5YWJjZGVm\r\n", "<235 ok\r\n",
			   NULL};
	f = run_talk(&c, 25, m, NULL, 0);
	x = cfx_find(f, "cleartext_creds.smtp");
	assert_non_null(x);
	assert_int_equal(x->severity, PH_SEV_LOW);
	assert_string_equal(x->matched, "erin");
	cfx_close(&c, f);
}

static void test_telnet_prompts(void **state)
{
	(void)state;
	const char *l[] = {"<\xff\xfd\x18\xff\xfb\x01" "Ubuntu\r\nlogin: ",
			   ">e", "<e", ">v", "<v", ">e", "<e", ">\r\n", "<\r\n",
			   "<Password: ", ">T", ">r", ">0", ">\r", "<\r\n",
			   "<Welcome\r\n$ ", NULL};
	struct cfx c;
	struct ph_findings *f = run_talk(&c, 23, l, NULL, 0);
	const struct ph_finding *x = cfx_find(f, "cleartext_creds.telnet");
	assert_non_null(x);
	assert_string_equal(x->matched, "eve");
	assert_int_equal(x->severity, PH_SEV_MEDIUM);
	assert_int_equal(x->confidence, PH_CONF_MEDIUM);
	cfx_close(&c, f);
	/* a Telnet session with no password prompt: nothing */
	const char *n[] = {"<\xff\xfb\x01" "Welcome\r\n> ", ">help\r\n",
			   "<commands: ...\r\n", NULL};
	f = run_talk(&c, 23, n, NULL, 0);
	assert_null(cfx_find(f, "cleartext_creds.telnet"));
	cfx_close(&c, f);
}

/* LDAP bindRequest, message id 1, version 3, DN "cn=admin", simple
 * authentication with password pw (may be ""). */
static size_t ldap_bind(uint8_t *out, const char *pw)
{
	const char dn[] = "cn=admin";
	size_t dl = sizeof dn - 1, pl = strlen(pw);
	size_t inner = 3 + 2 + dl + 2 + pl;
	size_t k = 0;
	out[k++] = 0x30;
	out[k++] = (uint8_t)(3 + 2 + inner);
	out[k++] = 0x02, out[k++] = 1, out[k++] = 1;
	out[k++] = 0x60, out[k++] = (uint8_t)inner;
	out[k++] = 0x02, out[k++] = 1, out[k++] = 3;
	out[k++] = 0x04, out[k++] = (uint8_t)dl;
	memcpy(out + k, dn, dl);
	k += dl;
	out[k++] = 0x80, out[k++] = (uint8_t)pl;
	memcpy(out + k, pw, pl);
	return k + pl;
}

static struct ph_findings *run_ldap(struct cfx *c, const char *pw)
{
	static const uint8_t ok[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07,
				     0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00};
	uint8_t req[128];
	size_t n = ldap_bind(req, pw);
	struct cfx_tcp t;
	cfx_open(c);
	cfx_tcp_open(c, &t, "192.168.1.23", 40000, "203.0.113.5", 389, TS0);
	cfx_tcp_send(c, &t, 0, TS0 + 3000000, req, n);
	cfx_tcp_send(c, &t, 1, TS0 + 4000000, ok, sizeof ok);
	cfx_tcp_close(c, &t, TS0 + 5000000);
	struct ph_findings *f = cfx_run(c, NULL, 0);
	assert_int_equal(c->rc, 0);
	return f;
}

static void test_ldap_simple_bind(void **state)
{
	(void)state;
	struct cfx c;
	struct ph_findings *f = run_ldap(&c, SECRET);
	const struct ph_finding *x = cfx_find(f, "cleartext_creds.ldap");
	assert_non_null(x);
	assert_string_equal(x->matched, "cn=admin");
	assert_non_null(strstr(x->explain, "accepted"));
	no_secret(f, SECRET);
	cfx_close(&c, f);
	/* anonymous bind (empty password): nothing */
	f = run_ldap(&c, "");
	assert_null(cfx_find(f, "cleartext_creds.ldap"));
	cfx_close(&c, f);
}

/* SNMP v2c GetRequest with the given community. */
static size_t snmp_get(uint8_t *out, const char *community)
{
	static const uint8_t pdu[] = {0xa0, 0x0b, 0x02, 0x01, 0x01, 0x02,
				      0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00};
	size_t cl = strlen(community), k = 0;
	out[k++] = 0x30;
	out[k++] = (uint8_t)(3 + 2 + cl + sizeof pdu);
	out[k++] = 0x02, out[k++] = 1, out[k++] = 1;
	out[k++] = 0x04, out[k++] = (uint8_t)cl;
	memcpy(out + k, community, cl);
	k += cl;
	memcpy(out + k, pdu, sizeof pdu);
	return k + sizeof pdu;
}

static void test_snmp_community(void **state)
{
	(void)state;
	uint8_t a[64], b[64];
	size_t na = snmp_get(a, "s3cretcomm"), nb = snmp_get(b, "public");
	struct cfx c;
	cfx_open(&c);
	cfx_udp(&c, TS0, "192.168.1.23", 50000, "192.168.1.50", 161, a, na);
	cfx_udp(&c, TS0 + 1000000, "192.168.1.23", 50001, "192.168.1.51",
		161, b, nb);
	struct ph_findings *f = cfx_run(&c, NULL, 0);
	assert_int_equal(c.rc, 0);
	unsigned low = 0, info = 0;
	for (unsigned i = 0; i < ph_findings_count(f); i++) {
		const struct ph_finding *x = ph_findings_get(f, i);
		if (strcmp(x->id, "cleartext_creds.snmp") != 0)
			continue;
		if (x->severity == PH_SEV_LOW) {
			low++;
			assert_string_equal(x->matched,
					    "v2c community s*********");
		} else if (x->severity == PH_SEV_INFO) {
			info++;
		}
	}
	assert_int_equal(low, 1);
	assert_int_equal(info, 1);
	no_secret(f, "s3cretcomm");
	cfx_close(&c, f);
	/* the default community is not reported with report_anonymous=0 */
	cfx_open(&c);
	cfx_udp(&c, TS0, "192.168.1.23", 50001, "192.168.1.51", 161, b, nb);
	const char *set[] = {"cleartext_creds.report_anonymous=0"};
	f = cfx_run(&c, set, 1);
	assert_null(cfx_find(f, "cleartext_creds.snmp"));
	cfx_close(&c, f);
}

/* More login flows than max_flows, one after the other: every record is
 * freed at its flow's end, so none is missed. */
static void test_table_reuse(void **state)
{
	(void)state;
	struct cfx c;
	cfx_open(&c);
	for (unsigned i = 0; i < 40; i++) {
		char user[32];
		snprintf(user, sizeof user, "USER u%u\r\n", i);
		uint64_t ts = TS0 + (uint64_t)i * 5000000000ull;
		struct cfx_tcp t;
		cfx_tcp_open(&c, &t, "192.168.1.23", (uint16_t)(41000 + i),
			     "203.0.113.25", 21, ts);
		cfx_tcp_send(&c, &t, 1, ts + 3000000, "220 hi\r\n", 8);
		cfx_tcp_send(&c, &t, 0, ts + 4000000, user, strlen(user));
		cfx_tcp_send(&c, &t, 0, ts + 5000000, "PASS x1\r\n", 9);
		cfx_tcp_send(&c, &t, 1, ts + 6000000, "530 no\r\n", 8);
		cfx_tcp_close(&c, &t, ts + 7000000);
	}
	const char *set[] = {"cleartext_creds.max_flows=16"};
	struct ph_findings *f = cfx_run(&c, set, 1);
	assert_int_equal(c.rc, 0);
	assert_int_equal(cfx_count(f, "cleartext_creds.ftp"), 40);
	cfx_close(&c, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ftp_login),
		cmocka_unit_test(test_ftp_without_login_is_silent),
		cmocka_unit_test(test_ftp_anonymous_is_info_and_option),
		cmocka_unit_test(test_pop3_and_imap),
		cmocka_unit_test(test_smtp_auth_plain_and_starttls),
		cmocka_unit_test(test_smtp_auth_login_and_cram),
		cmocka_unit_test(test_telnet_prompts),
		cmocka_unit_test(test_ldap_simple_bind),
		cmocka_unit_test(test_snmp_community),
		cmocka_unit_test(test_table_reuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
