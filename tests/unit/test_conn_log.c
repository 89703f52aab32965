/* Tests for src/report/conn_log.c: struct ph_conn to conn.log lines.
 * Zeek's own output is the reference: the JSON conn.log of Zeek's manual
 * (docs.zeek.org logs/conn.html, with ip_proto as Zeek >= 7.1 adds it) and
 * TSV rows of Zeek btest baselines (scripts.base.protocols.ftp.ftp-ipv6,
 * core.tunnels.gtp.inner_ipv6, core.unknown-ip-protocol). Community IDs use
 * tuples from the spec's baseline so they are checked independently. */
#include <arpa/inet.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "report/community_id.h"
#include "report/conn_log.h"

/* ---- helpers ---- */

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(p);
}

static int setup_dir(void **state)
{
	char *d = strdup("/tmp/ph_connlog_XXXXXX");
	if (!d || !mkdtemp(d))
		return -1;
	*state = d;
	return 0;
}

static int teardown_dir(void **state)
{
	nftw(*state, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return 0;
}

static char *slurp(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

#define NS(sec, usec) ((uint64_t)(sec) * 1000000000u + (uint64_t)(usec) * 1000u)

static struct ph_conn mk(uint8_t proto, const char *o, uint16_t op,
			 const char *r, uint16_t rp)
{
	struct ph_conn c;
	memset(&c, 0, sizeof c);
	c.proto = proto;
	c.ipver = inet_pton(AF_INET, o, c.orig_addr) == 1 ? 4 : 6;
	if (c.ipver == 4)
		assert_int_equal(inet_pton(AF_INET, r, c.resp_addr), 1);
	else
		assert_true(inet_pton(AF_INET6, o, c.orig_addr) == 1 &&
			    inet_pton(AF_INET6, r, c.resp_addr) == 1);
	c.orig_port = op;
	c.resp_port = rp;
	c.app_uid = -1;
	return c;
}

static void set_dir(struct ph_conn_dir *d, uint64_t pkts, uint64_t ip_bytes,
		    uint64_t bytes, uint64_t l2)
{
	d->pkts = pkts;
	d->ip_bytes = ip_bytes;
	d->bytes = bytes;
	d->l2_bytes = l2;
}

/* Writes the records into DIR/conn.log and returns the file (caller frees). */
static char *write_log(const char *dir, enum ph_zeek_fmt fmt,
		       const struct ph_conn *c, size_t n)
{
	struct ph_err err = {0};
	size_t nf;
	const struct ph_zeek_field *f = ph_conn_log_fields(&nf);
	struct ph_zeek_writer *w = ph_zeek_writer_open(dir, "conn", fmt, f, nf,
						       NS(1591367999, 0), &err);
	assert_non_null(w);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ph_conn_log_write(w, &c[i], 0, &err), 0);
	assert_int_equal(ph_zeek_writer_close(w, NS(1591368100, 0), &err), 0);
	return slurp(dir, "conn.log");
}

/* The last data line of a TSV log (the one before #close). */
static char *last_tsv_row(char *log)
{
	char *end = strstr(log, "\n#close");
	assert_non_null(end);
	*end = '\0';
	char *row = strrchr(log, '\n');
	assert_non_null(row);
	return row + 1;
}

/* ---- JSON ---- */

/* The first line of Zeek's manual conn.log, field for field. */
static void test_json_matches_zeek_manual(void **state)
{
	struct ph_conn c = mk(17, "192.168.4.76", 36844, "192.168.4.1", 53);
	memcpy(c.uid, "CMdzit1AMNsmfAIiQc", 19);
	c.start_ns = NS(1591367999, 305988);
	c.last_ns = NS(1591367999, 372840);
	set_dir(&c.dir[0], 2, 118, 62, 146);
	set_dir(&c.dir[1], 2, 197, 141, 225);
	memcpy(c.history, "Dd", 3);
	memcpy(c.conn_state, "SF", 3);
	memcpy(c.service, "dns", 4);
	char *s = write_log(*state, PH_ZEEK_JSON, &c, 1);

	struct ph_cid_flow f = {c.orig_addr, c.resp_addr, 4, 17, 36844, 53};
	char cid[PH_COMMUNITY_ID_SIZE], want[1024];
	assert_int_equal(ph_community_id_v1(&f, 0, cid), 30);
	snprintf(want, sizeof want,
		 "{\"ts\":1591367999.305988,\"uid\":\"CMdzit1AMNsmfAIiQc\","
		 "\"id.orig_h\":\"192.168.4.76\",\"id.orig_p\":36844,"
		 "\"id.resp_h\":\"192.168.4.1\",\"id.resp_p\":53,\"proto\":\"udp\","
		 "\"service\":\"dns\",\"duration\":0.06685185432434082,"
		 "\"orig_bytes\":62,\"resp_bytes\":141,\"conn_state\":\"SF\","
		 "\"missed_bytes\":0,\"history\":\"Dd\",\"orig_pkts\":2,"
		 "\"orig_ip_bytes\":118,\"resp_pkts\":2,\"resp_ip_bytes\":197,"
		 "\"ip_proto\":17,\"community_id\":\"%s\","
		 "\"orig_l2_bytes\":146,\"resp_l2_bytes\":225}\n",
		 cid);
	assert_string_equal(s, want);
	free(s);
}

/* IPv6 TCP with every optional field set, an app name that needs JSON and
 * Zeek escaping, and a spec Community ID tuple. */
static void test_json_ipv6_all_fields(void **state)
{
	struct ph_conn c = mk(6, "2001:470:e5bf:dead:4957:2174:e82c:4887", 63943,
			      "2607:f8b0:400c:c03::1a", 25);
	memcpy(c.uid, "CHhAvVGS1DHFjwGM9", 18);
	c.start_ns = NS(1425565514, 419939);
	c.last_ns = NS(1425565516, 419939) + 999; /* ns below 1 us ignored */
	set_dir(&c.dir[0], 10, 900, 300, 1040);
	set_dir(&c.dir[1], 8, 5000, 4500, 5112);
	c.dir[1].missed_bytes = 7;
	c.dir[0].missed_bytes = 3;
	memcpy(c.history, "ShADadFf", 9);
	memcpy(c.conn_state, "SF", 3);
	memcpy(c.service, "SMTP", 5);
	static const char app[] = "com.evil\"app\\\n\x01";
	memcpy(c.app, app, sizeof app);
	c.app_uid = 10123;
	c.has_mac = true;
	memcpy(c.orig_mac, "\x00\x11\x22\xaa\xbb\xcc", 6);
	c.vlan = 100;
	c.inner_vlan = 200;
	memcpy(c.app_label, "SMTP.Google", 12);
	char *s = write_log(*state, PH_ZEEK_JSON, &c, 1);
	assert_string_equal(s,
		"{\"ts\":1425565514.419939,\"uid\":\"CHhAvVGS1DHFjwGM9\","
		"\"id.orig_h\":\"2001:470:e5bf:dead:4957:2174:e82c:4887\","
		"\"id.orig_p\":63943,\"id.resp_h\":\"2607:f8b0:400c:c03::1a\","
		"\"id.resp_p\":25,\"proto\":\"tcp\",\"service\":\"smtp\","
		"\"duration\":2.0,\"orig_bytes\":300,\"resp_bytes\":4500,"
		"\"conn_state\":\"SF\",\"missed_bytes\":10,\"history\":\"ShADadFf\","
		"\"orig_pkts\":10,\"orig_ip_bytes\":900,\"resp_pkts\":8,"
		"\"resp_ip_bytes\":5000,\"ip_proto\":6,"
		"\"community_id\":\"1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=\","
		"\"orig_l2_addr\":\"00:11:22:aa:bb:cc\",\"vlan\":100,"
		"\"inner_vlan\":200,\"app\":\"com.evil\\\"app\\\\\\n\\\\x01\","
		"\"app_uid\":10123,\"orig_l2_bytes\":1040,\"resp_l2_bytes\":5112,"
		"\"app_label\":\"SMTP.Google\"}\n");
	free(s);
}

/* Unknown values are omitted; one packet (or two in the same microsecond)
 * means no duration and no byte counts, as in Zeek. */
static void test_json_unset_fields(void **state)
{
	struct ph_conn c[2];
	c[0] = mk(17, "10.0.0.1", 5353, "224.0.0.251", 5353);
	memcpy(c[0].uid, "C1", 3);
	c[0].start_ns = c[0].last_ns = NS(1600000000, 0);
	set_dir(&c[0].dir[0], 1, 73, 45, 87);
	c[1] = c[0];
	c[1].last_ns = c[1].start_ns + 999; /* same microsecond */
	set_dir(&c[1].dir[0], 2, 146, 90, 174);
	char *s = write_log(*state, PH_ZEEK_JSON, c, 2);
	static const char want[] =
		"{\"ts\":1600000000.0,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\","
		"\"id.orig_p\":5353,\"id.resp_h\":\"224.0.0.251\",\"id.resp_p\":5353,"
		"\"proto\":\"udp\",\"missed_bytes\":0,\"orig_pkts\":1,"
		"\"orig_ip_bytes\":73,\"resp_pkts\":0,\"resp_ip_bytes\":0,"
		"\"ip_proto\":17,\"community_id\":\"";
	assert_memory_equal(s, want, strlen(want));
	assert_null(strstr(s, "duration"));
	assert_null(strstr(s, "orig_bytes"));
	assert_null(strstr(s, "service"));
	assert_null(strstr(s, "app"));
	assert_null(strstr(s, "l2_addr"));
	assert_non_null(strstr(s, "\"orig_pkts\":2,\"orig_ip_bytes\":146,"));
	free(s);
}

/* ICMP: resp_p is Zeek's counterpart type (echo reply 0 -> 8), or the
 * code for one-way types (unreachable 3/3 -> 3). */
static void test_json_icmp(void **state)
{
	struct ph_conn c[2];
	c[0] = mk(1, "192.168.0.1", 0, "192.168.0.89", 0); /* echo reply */
	memcpy(c[0].uid, "Ci", 3);
	c[0].start_ns = NS(1, 0);
	c[0].last_ns = NS(1, 250000);
	c[1] = mk(1, "10.0.0.1", 3, "10.0.0.2", 3); /* port unreachable */
	memcpy(c[1].uid, "Cj", 3);
	c[1].start_ns = c[1].last_ns = NS(2, 0);
	char *s = write_log(*state, PH_ZEEK_JSON, c, 2);
	assert_non_null(strstr(s, "{\"ts\":1.0,\"uid\":\"Ci\",\"id.orig_h\":"
				  "\"192.168.0.1\",\"id.orig_p\":0,\"id.resp_h\":"
				  "\"192.168.0.89\",\"id.resp_p\":8,\"proto\":\"icmp\","
				  "\"duration\":0.25,"));
	assert_non_null(strstr(s, "\"community_id\":\"1:X0snYXpgwiv9TZtqg64sgzUn6Dk=\""));
	assert_non_null(strstr(s, "\"id.orig_p\":3,\"id.resp_h\":\"10.0.0.2\","
				  "\"id.resp_p\":3,\"proto\":\"icmp\""));
	free(s);
}

/* Protocols other than TCP/UDP/ICMP: "unknown_transport", ports 0
 * (core.unknown-ip-protocol baseline); the Community ID keeps SCTP's
 * ports as the spec says (spec baseline tuple). */
static void test_json_unknown_transport(void **state)
{
	struct ph_conn c = mk(132, "192.168.170.8", 7, "192.168.170.56", 7);
	memcpy(c.uid, "CHhAvVGS1DHFjwGM9", 18);
	c.start_ns = NS(1000, 0);
	c.last_ns = NS(1000, 85447);
	set_dir(&c.dir[0], 37, 33256, 0, 33774);
	set_dir(&c.dir[1], 37, 33524, 0, 34042);
	memcpy(c.conn_state, "OTH", 4);
	char *s = write_log(*state, PH_ZEEK_JSON, &c, 1);
	assert_non_null(strstr(s, "\"id.orig_p\":0,\"id.resp_h\":\"192.168.170.56\","
				  "\"id.resp_p\":0,\"proto\":\"unknown_transport\","
				  "\"duration\":0.08544700000004468,\"orig_bytes\":0,"
				  "\"resp_bytes\":0,\"conn_state\":\"OTH\""));
	assert_non_null(strstr(s, "\"ip_proto\":132,\"community_id\":"
				  "\"1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=\""));
	free(s);
}

/* ---- TSV ---- */

static const char tsv_fields[] =
	"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\t"
	"service\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\t"
	"local_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\t"
	"resp_pkts\tresp_ip_bytes\ttunnel_parents\tip_proto\tcommunity_id\t"
	"orig_l2_addr\tresp_l2_addr\tvlan\tinner_vlan\tapp\tapp_uid\t"
	"orig_l2_bytes\tresp_l2_bytes\tapp_label\n"
	"#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\t"
	"count\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\t"
	"count\tset[string]\tcount\tstring\tstring\tstring\tint\tint\tstring\t"
	"int\tcount\tcount\tstring\n";

/* A row of the ftp-ipv6 baseline (Zeek prints F F for local_* only when
 * Site::local_nets is set; we never set it). */
static void test_tsv_matches_zeek_ftp_ipv6(void **state)
{
	struct ph_conn c = mk(6, "2001:470:1f11:81f:c999:d94:aa7c:2e3e", 49186,
			      "2001:470:4867:99::21", 57086);
	memcpy(c.uid, "ClEkJM2Vm5giqnMf4h", 19);
	c.start_ns = NS(1329327783, 316897);
	c.last_ns = NS(1329327783, 536618);
	set_dir(&c.dir[0], 5, 372, 0, 442);
	set_dir(&c.dir[1], 4, 642, 342, 698);
	memcpy(c.history, "ShAdfFa", 8);
	memcpy(c.conn_state, "SF", 3);
	memcpy(c.service, "ftp-data", 9);
	memcpy(c.app, "-", 2); /* must not read as unset */
	char *s = write_log(*state, PH_ZEEK_TSV, &c, 1);
	assert_memory_equal(s,
		"#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
		"#unset_field\t-\n#path\tconn\n#open\t2020-06-05-14-39-59\n",
		strlen("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
		       "#unset_field\t-\n#path\tconn\n#open\t2020-06-05-14-39-59\n"));
	assert_non_null(strstr(s, tsv_fields));
	assert_non_null(strstr(s, "\n#close\t2020-06-05-14-41-40\n"));
	struct ph_cid_flow f = {c.orig_addr, c.resp_addr, 6, 6, 49186, 57086};
	char cid[PH_COMMUNITY_ID_SIZE], want[1024];
	ph_community_id_v1(&f, 0, cid);
	snprintf(want, sizeof want,
		 "1329327783.316897\tClEkJM2Vm5giqnMf4h\t"
		 "2001:470:1f11:81f:c999:d94:aa7c:2e3e\t49186\t"
		 "2001:470:4867:99::21\t57086\ttcp\tftp-data\t0.219721\t0\t342\t"
		 "SF\t-\t-\t0\tShAdfFa\t5\t372\t4\t642\t-\t6\t%s\t-\t-\t-\t-\t"
		 "\\x2d\t-\t442\t698\t-", cid);
	assert_string_equal(last_tsv_row(s), want);
	free(s);
}

/* The ICMPv6 router solicitation row of the gtp.inner_ipv6 baseline: one
 * packet, so duration and byte counts are unset. */
static void test_tsv_icmpv6_single_packet(void **state)
{
	struct ph_conn c = mk(58, "fe80::224c:4fff:fe43:414c", 133, "ff02::2", 0);
	memcpy(c.uid, "C4J4Th3PJpwUYZZ6gc", 19);
	c.start_ns = c.last_ns = NS(1333458850, 375568);
	set_dir(&c.dir[0], 1, 56, 8, 70);
	memcpy(c.conn_state, "OTH", 4);
	char *s = write_log(*state, PH_ZEEK_TSV, &c, 1);
	struct ph_cid_flow f = {c.orig_addr, c.resp_addr, 6, 58, 133, 0};
	char cid[PH_COMMUNITY_ID_SIZE], want[1024];
	ph_community_id_v1(&f, 0, cid);
	snprintf(want, sizeof want,
		 "1333458850.375568\tC4J4Th3PJpwUYZZ6gc\tfe80::224c:4fff:fe43:414c\t"
		 "133\tff02::2\t134\ticmp\t-\t-\t-\t-\tOTH\t-\t-\t0\t-\t1\t56\t0\t0\t"
		 "-\t58\t%s\t-\t-\t-\t-\t-\t-\t70\t0\t-", cid);
	assert_string_equal(last_tsv_row(s), want);
	free(s);
}

/* ---- the event subscriber ---- */

static void test_subscriber(void **state)
{
	struct ph_err err = {0};
	struct ph_conn_log *l = ph_conn_log_open(*state, PH_ZEEK_JSON, 1,
						 NS(5, 0), &err);
	assert_non_null(l);
	struct ph_conn c = mk(6, "1.2.3.4", 1122, "5.6.7.8", 3344);
	memcpy(c.uid, "Cs", 3);
	c.start_ns = c.last_ns = NS(5, 0);
	struct ph_event ev = {.kind = PH_EV_FLOW_START, .conn = &c};
	ph_conn_log_on_event(l, &ev);          /* ignored */
	ev.kind = PH_EV_FLOW_END;
	ph_conn_log_on_event(l, &ev);          /* written */
	struct ph_conn bad = c;
	bad.ipver = 5;
	ev.conn = &bad;
	ph_conn_log_on_event(l, &ev);          /* skipped, counted */
	ev.conn = NULL;
	ph_conn_log_on_event(l, &ev);          /* ignored */
	assert_int_equal(ph_conn_log_count(l), 1);
	assert_int_equal(ph_conn_log_skipped(l), 1);
	assert_int_equal(ph_conn_log_close(l, NS(6, 0), &err), 0);
	char *s = slurp(*state, "conn.log");
	/* seed 1: the spec's seed=1 value for this tuple */
	assert_non_null(strstr(s, "\"community_id\":\"1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=\""));
	assert_int_equal(strchr(s, '\n') - s + 1, (long)strlen(s));
	free(s);
	assert_int_equal(ph_conn_log_close(NULL, 0, &err), 0);
}

static void test_discard(void **state)
{
	struct ph_err err = {0};
	struct ph_conn_log *l = ph_conn_log_open(*state, PH_ZEEK_TSV, 0, 0, &err);
	assert_non_null(l);
	ph_conn_log_discard(l);
	ph_conn_log_discard(NULL);
	char path[4096];
	snprintf(path, sizeof path, "%s/conn.log", (char *)*state);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof path, "%s/.conn.log.tmp", (char *)*state);
	assert_int_not_equal(access(path, F_OK), 0);
}

static void test_open_error(void **state)
{
	struct ph_err err = {0};
	char path[4096];
	snprintf(path, sizeof path, "%s/file", (char *)*state);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof path, "%s/file/logs", (char *)*state);
	assert_null(ph_conn_log_open(path, PH_ZEEK_TSV, 0, 0, &err));
	assert_int_equal(err.code, PH_EIO);
	assert_non_null(strstr(err.msg, "/file"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_dir, teardown_dir)
	const struct CMUnitTest tests[] = {
		T(test_json_matches_zeek_manual),
		T(test_json_ipv6_all_fields),
		T(test_json_unset_fields),
		T(test_json_icmp),
		T(test_json_unknown_transport),
		T(test_tsv_matches_zeek_ftp_ipv6),
		T(test_tsv_icmpv6_single_packet),
		T(test_subscriber),
		T(test_discard),
		T(test_open_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
