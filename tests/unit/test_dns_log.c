/* Unit tests for dns.log (src/report/dns_log.c): the DNS module's events
 * fed to the log module, and the JSON lines read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_dns_build.h"

extern const struct ph_module ph_dns_module, ph_dns_log_module;

struct pair_st {
	void *dns, *log;
};

static void to_log(void *user, const struct ph_event *ev)
{
	ph_dns_log_module.on_event(user, ev);
}

static char *run_and_read(void (*feed)(void *dns), char *dir)
{
	void *log = NULL, *dns = NULL;
	struct ph_module_env lenv = {.log_dir = dir};
	assert_int_equal(ph_dns_log_module.init(&lenv, &log, NULL), 0);
	struct ph_module_env denv = {.emit = to_log, .bus = log};
	assert_int_equal(ph_dns_module.init(&denv, &dns, NULL), 0);
	feed(dns);
	struct ph_err err;
	assert_int_equal(ph_dns_log_module.finish(log, 10000, &err), 0);
	ph_dns_module.destroy(dns);
	ph_dns_log_module.destroy(log);
	char path[512];
	snprintf(path, sizeof path, "%s/dns.log", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[16384];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(path);
	return buf;
}

static void feed_pair(void *dns)
{
	struct tflow f;
	tflow_init(&f, 17, 53, "8.8.8.8");
	struct tb q, r;
	tb_hdr(&q, 0x1234, 0x0100, 1, 0, 0, 0);
	tb_q(&q, "WWW.Example.com", 1);
	tb_hdr(&r, 0x1234, 0x8580, 1, 2, 0, 0);
	tb_q(&r, "www.example.com", 1);
	size_t at = tb_rr(&r, 12, NULL, 5, 300);
	size_t tgt = r.n;
	tb_name(&r, "cdn.example.net");
	tb_rr_end(&r, at);
	tb_a(&r, (unsigned)tgt, NULL, 93, 184, 216, 34);
	tflow_send(&ph_dns_module, dns, &f, PH_EV_DATAGRAM, PH_DIR_ORIG,
		   1000000000ull, q.b, q.n);
	tflow_send(&ph_dns_module, dns, &f, PH_EV_DATAGRAM, PH_DIR_RESP,
		   1250000000ull, r.b, r.n);
	tb_hdr(&q, 0x99, 0x0100, 1, 0, 0, 0); /* unanswered */
	tb_q(&q, "lost.test", 28);
	tflow_send(&ph_dns_module, dns, &f, PH_EV_DATAGRAM, PH_DIR_ORIG,
		   2000000000ull, q.b, q.n);
	tflow_send(&ph_dns_module, dns, &f, PH_EV_FLOW_END, PH_DIR_ORIG,
		   3000000000ull, NULL, 0);
}

static void test_pair_and_unanswered(void **s)
{
	char *dir = s ? *s : NULL;
	char *log = run_and_read(feed_pair, dir);
	assert_non_null(log);
	assert_non_null(strstr(log,
		"{\"ts\":1.0,\"uid\":\"CdnsTest1\",\"id.orig_h\":\"10.0.0.2\","
		"\"id.orig_p\":40000,\"id.resp_h\":\"8.8.8.8\",\"id.resp_p\":53,"
		"\"proto\":\"udp\",\"trans_id\":4660,\"rtt\":0.25,"
		"\"query\":\"www.example.com\",\"qclass\":1,"
		"\"qclass_name\":\"C_INTERNET\",\"qtype\":1,\"qtype_name\":\"A\","
		"\"rcode\":0,\"rcode_name\":\"NOERROR\",\"AA\":true,\"TC\":false,"
		"\"RD\":true,\"RA\":true,\"Z\":0,"
		"\"answers\":[\"cdn.example.net\",\"93.184.216.34\"],"
		"\"TTLs\":[300.0,60.0],\"rejected\":false,\"opcode\":0,"
		"\"opcode_name\":\"query\"}\n"));
	assert_non_null(strstr(log,
		"\"trans_id\":153,\"query\":\"lost.test\",\"qclass\":1,"
		"\"qclass_name\":\"C_INTERNET\",\"qtype\":28,"
		"\"qtype_name\":\"AAAA\",\"AA\":false,\"TC\":false,\"RD\":true,"
		"\"RA\":false,\"Z\":0,\"rejected\":false,\"opcode\":0,"
		"\"opcode_name\":\"query\"}\n"));
}

/* An mDNS announcement (no question): query is the first answer's owner,
 * addl holds the additional-section address. */
static void feed_mdns(void *dns)
{
	struct tflow f;
	tflow_init(&f, 17, 5353, "224.0.0.251");
	struct tb r;
	tb_hdr(&r, 0, 0x8400, 0, 1, 0, 1);
	size_t at = tb_rr(&r, 0, "_ipp._tcp.local", 12, 120);
	tb_name(&r, "printer._ipp._tcp.local");
	tb_rr_end(&r, at);
	tb_a(&r, 0, "printer.local", 192, 168, 1, 5);
	tflow_send(&ph_dns_module, dns, &f, PH_EV_DATAGRAM, PH_DIR_ORIG,
		   1000000000ull, r.b, r.n);
	tflow_send(&ph_dns_module, dns, &f, PH_EV_FLOW_END, PH_DIR_ORIG,
		   3000000000ull, NULL, 0);
}

static void test_mdns_reply_only(void **s)
{
	char *log = run_and_read(feed_mdns, *s);
	assert_non_null(log);
	assert_non_null(strstr(log,
		"\"trans_id\":0,\"query\":\"_ipp._tcp.local\",\"rcode\":0,"
		"\"rcode_name\":\"NOERROR\",\"AA\":true,\"TC\":false,\"RD\":false,"
		"\"RA\":false,\"Z\":0,\"answers\":[\"printer._ipp._tcp.local\"],"
		"\"TTLs\":[120.0],\"rejected\":false,\"opcode\":0,"
		"\"opcode_name\":\"query\",\"addl\":[\"192.168.1.5\"]}"));
}

static void feed_nothing(void *dns)
{
	(void)dns;
}

static void test_no_dns_no_log(void **s)
{
	assert_null(run_and_read(feed_nothing, *s));
}

static int setup(void **s)
{
	static char dir[] = "/tmp/ph_test_dns_log_XXXXXX";
	*s = mkdtemp(dir);
	return *s ? 0 : -1;
}

static int teardown(void **s)
{
	rmdir(*s);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pair_and_unanswered),
		cmocka_unit_test(test_mdns_reply_only),
		cmocka_unit_test(test_no_dns_no_log),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
