/* Unit tests for the DHCP parser (src/proto/dhcp.c) and dhcp.log
 * (src/report/dhcp_log.c): header and options, caps and malformed
 * options, the module's port/cookie choice and Zeek's is_client, and
 * dhcp.log lines as Zeek writes them (baseline of Zeek's btest
 * scripts.base.protocols.dhcp.dhcp-all-msg-types), with the join-data
 * expiry, the 10-uid cap and the table cap. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "peephole/module.h"
#include "peephole/proto_dhcp.h"

extern const struct ph_module ph_dhcp_module, ph_dhcp_log_module;

#define SEC 1000000000ull

/* ---- building messages ------------------------------------------------- */

struct db {
	uint8_t b[1024];
	size_t n;
};

static const uint8_t MAC[6] = {0x90, 0xb1, 0x1c, 0x99, 0x49, 0x29};

static void db_opt(struct db *d, uint8_t code, uint8_t len, const void *v)
{
	d->b[d->n++] = code;
	d->b[d->n++] = len;
	memcpy(d->b + d->n, v, len);
	d->n += len;
}

static void db_str(struct db *d, uint8_t code, const char *s)
{
	db_opt(d, code, (uint8_t)strlen(s), s);
}

/* Header, cookie and option 53 (unless type is 0). */
static void db_init(struct db *d, uint8_t op, uint32_t xid, uint8_t type)
{
	memset(d, 0, sizeof *d);
	d->b[0] = op;
	d->b[1] = 1;
	d->b[2] = 6;
	d->b[4] = (uint8_t)(xid >> 24);
	d->b[5] = (uint8_t)(xid >> 16);
	d->b[6] = (uint8_t)(xid >> 8);
	d->b[7] = (uint8_t)xid;
	memcpy(d->b + 28, MAC, 6);
	static const uint8_t cookie[4] = {99, 130, 83, 99};
	memcpy(d->b + 236, cookie, 4);
	d->n = 240;
	if (type)
		db_opt(d, 53, 1, &type);
}

static void db_addr(struct db *d, size_t at, uint8_t a, uint8_t b, uint8_t c,
		    uint8_t e)
{
	d->b[at] = a;
	d->b[at + 1] = b;
	d->b[at + 2] = c;
	d->b[at + 3] = e;
}

static void db_end(struct db *d)
{
	d->b[d->n++] = 255;
}

static struct ph_dhcp_msg msg; /* large-ish: not on the stack */

/* ---- parser ------------------------------------------------------------ */

static void test_parse_discover(void **s)
{
	(void)s;
	struct db d;
	db_init(&d, 1, 0x7c0, PH_DHCP_DISCOVER);
	static const uint8_t req[4] = {192, 168, 1, 23};
	static const uint8_t prl[5] = {1, 3, 6, 15, 119};
	static const uint8_t cid[7] = {1, 0x90, 0xb1, 0x1c, 0x99, 0x49, 0x29};
	db_str(&d, 12, "Pixel-7");
	db_str(&d, 60, "android-dhcp-13");
	db_opt(&d, 61, 7, cid);
	db_opt(&d, 50, 4, req);
	d.b[d.n++] = 0; /* a PAD between options */
	db_opt(&d, 55, 5, prl);
	db_end(&d);
	d.n += 20; /* padding after END is ignored */
	assert_int_equal(ph_dhcp_parse(d.b, d.n, &msg), 0);
	assert_int_equal(msg.op, 1);
	assert_int_equal(msg.xid, 0x7c0);
	assert_int_equal(msg.msg_type, PH_DHCP_DISCOVER);
	assert_string_equal(msg.chaddr_text, "90:b1:1c:99:49:29");
	assert_true(msg.hostname.present);
	assert_string_equal(msg.hostname.s, "Pixel-7");
	assert_int_equal(msg.hostname.len, 7);
	assert_string_equal(msg.vendor_class.s, "android-dhcp-13");
	assert_int_equal(msg.client_id.len, 7);
	assert_true(msg.has_requested_ip);
	assert_memory_equal(msg.requested_ip, req, 4);
	assert_int_equal(msg.nprl, 5);
	assert_memory_equal(msg.prl, prl, 5);
	assert_int_equal(msg.ncodes, 6);
	static const uint8_t codes[6] = {53, 12, 60, 61, 50, 55};
	assert_memory_equal(msg.codes, codes, 6);
	assert_false(msg.no_end);
	assert_false(msg.truncated);
	assert_false(msg.overload);
	assert_false(msg.has_server_id);
}

static void test_parse_ack(void **s)
{
	(void)s;
	struct db d;
	db_init(&d, 2, 0x1234, PH_DHCP_ACK);
	db_addr(&d, 16, 192, 168, 1, 23); /* yiaddr */
	static const uint8_t sid[4] = {192, 168, 1, 1};
	static const uint8_t lease[4] = {0, 1, 0x51, 0x80}; /* 86400 */
	static const uint8_t mask[4] = {255, 255, 255, 0};
	uint8_t dns[22];
	for (int i = 0; i < 22; i++)
		dns[i] = (uint8_t)(i + 1);
	db_opt(&d, 54, 4, sid);
	db_opt(&d, 51, 4, lease);
	db_opt(&d, 1, 4, mask);
	db_opt(&d, 3, 8, dns);     /* two routers */
	db_opt(&d, 6, 22, dns);    /* five DNS servers and 2 stray bytes */
	db_str(&d, 15, "lan");
	db_str(&d, 56, "ok");
	db_end(&d);
	assert_int_equal(ph_dhcp_parse(d.b, d.n, &msg), 0);
	assert_int_equal(msg.op, 2);
	assert_int_equal(msg.yiaddr[3], 23);
	assert_true(msg.has_server_id);
	assert_memory_equal(msg.server_id, sid, 4);
	assert_true(msg.has_lease);
	assert_int_equal(msg.lease_secs, 86400);
	assert_true(msg.has_subnet_mask);
	assert_int_equal(msg.nrouters, 2);
	assert_int_equal(msg.routers[1][0], 5);
	assert_int_equal(msg.ndns, PH_DHCP_MAX_ADDRS);
	assert_int_equal(msg.dns[3][3], 16);
	assert_string_equal(msg.domain.s, "lan");
	assert_string_equal(msg.message.s, "ok");
}

static void test_not_dhcp(void **s)
{
	(void)s;
	struct db d;
	db_init(&d, 1, 1, PH_DHCP_DISCOVER);
	db_end(&d);
	assert_int_equal(ph_dhcp_parse(d.b, 239, &msg), -1); /* no cookie */
	assert_int_equal(ph_dhcp_parse(d.b, 0, &msg), -1);
	d.b[239] = 0x62;                                     /* bad cookie */
	assert_int_equal(ph_dhcp_parse(d.b, d.n, &msg), -1);
	d.b[239] = 99;
	assert_int_equal(ph_dhcp_parse(d.b, 240, &msg), 0); /* no options */
	assert_int_equal(msg.msg_type, 0);
	assert_true(msg.no_end);
}

static void test_malformed_options(void **s)
{
	(void)s;
	struct db d;
	db_init(&d, 1, 1, PH_DHCP_REQUEST);
	db_str(&d, 12, "first");
	db_str(&d, 12, "second"); /* repeated: the last one wins */
	uint8_t ov = 3;
	db_opt(&d, 52, 1, &ov);
	db_opt(&d, 51, 2, "ab"); /* too short for a lease: ignored */
	db_opt(&d, 50, 3, "abc"); /* too short for an address */
	db_opt(&d, 81, 2, "ab");  /* FQDN shorter than its 3 fixed bytes */
	d.b[d.n++] = 12;          /* host name running past the end */
	d.b[d.n++] = 40;
	memcpy(d.b + d.n, "cut", 3);
	d.n += 3;
	assert_int_equal(ph_dhcp_parse(d.b, d.n, &msg), 0);
	assert_string_equal(msg.hostname.s, "second");
	assert_true(msg.overload);
	assert_false(msg.has_lease);
	assert_false(msg.has_requested_ip);
	assert_false(msg.fqdn.present);
	assert_true(msg.truncated);
	assert_true(msg.no_end);
	/* a lone option code at the very end */
	db_init(&d, 1, 1, PH_DHCP_REQUEST);
	d.b[d.n++] = 12;
	assert_int_equal(ph_dhcp_parse(d.b, d.n, &msg), 0);
	assert_true(msg.truncated);
	/* many options: the code list is capped, the values still read */
	db_init(&d, 1, 1, PH_DHCP_REQUEST);
	for (int i = 0; i < 100; i++)
		db_opt(&d, 200, 0, "");
	db_str(&d, 12, "late");
	db_end(&d);
	assert_int_equal(ph_dhcp_parse(d.b, d.n, &msg), 0);
	assert_int_equal(msg.ncodes, PH_DHCP_MAX_CODES);
	assert_string_equal(msg.hostname.s, "late");
}

static void test_fqdn_and_names(void **s)
{
	(void)s;
	struct db d;
	db_init(&d, 1, 1, PH_DHCP_REQUEST);
	db_opt(&d, 81, 3 + 9, "\x01\x00\x00pc.lan.io");
	db_end(&d);
	assert_int_equal(ph_dhcp_parse(d.b, d.n, &msg), 0);
	assert_string_equal(msg.fqdn.s, "pc.lan.io");
	assert_int_equal(msg.fqdn_flags, 1);
	char buf[32];
	assert_string_equal(ph_dhcp_type_name(5, buf), "ACK");
	assert_string_equal(ph_dhcp_type_name(18, buf), "TLS");
	assert_string_equal(ph_dhcp_type_name(0, buf), "unknown-message-type-0");
	assert_string_equal(ph_dhcp_type_name(99, buf), "unknown-message-type-99");
	char t[PH_DHCP_MAC_TEXT];
	static const uint8_t m8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	assert_int_equal(ph_dhcp_fmt_mac(m8, 8, t), 23);
	assert_string_equal(t, "01:02:03:04:05:06:07:08");
	assert_int_equal(ph_dhcp_fmt_mac(m8, 5, t), 0);
	assert_string_equal(t, "");
	assert_int_equal(ph_dhcp_fmt_mac(m8, 6, t), 17);
	/* chaddr with bytes 6-7 set: Zeek prints 8 bytes */
	db_init(&d, 1, 1, PH_DHCP_REQUEST);
	d.b[28 + 6] = 0xab;
	assert_int_equal(ph_dhcp_parse(d.b, d.n, &msg), 0);
	assert_string_equal(msg.chaddr_text, "90:b1:1c:99:49:29:ab:00");
}

/* ---- the module -------------------------------------------------------- */

struct flow {
	struct ph_conn c;
	void *slots[PH_SLOT_COUNT];
};

static void flow_init(struct flow *f, const char *uid, const uint8_t o[4],
		      uint16_t op, const uint8_t r[4], uint16_t rp)
{
	memset(f, 0, sizeof *f);
	f->c.ipver = 4;
	f->c.proto = 17;
	memcpy(f->c.orig_addr, o, 4);
	memcpy(f->c.resp_addr, r, 4);
	f->c.orig_port = op;
	f->c.resp_port = rp;
	snprintf(f->c.uid, sizeof f->c.uid, "%s", uid);
}

struct seen {
	int n;
	bool from_client;
	uint8_t type;
	void *log;         /* dhcp_log state to forward to, or NULL */
};

static void collect(void *user, const struct ph_event *ev)
{
	struct seen *s = user;
	const struct ph_dhcp_msg *m = ev->u.proto;
	assert_int_equal(ev->kind, PH_EV_DHCP);
	s->n++;
	s->from_client = m->from_client;
	s->type = m->msg_type;
	if (s->log)
		ph_dhcp_log_module.on_event(s->log, ev);
}

static void dsend(void *st, struct flow *f, enum ph_dir dir, uint64_t ts,
		 const struct db *d)
{
	struct ph_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = PH_EV_DATAGRAM;
	ev.conn = &f->c;
	ev.dir = dir;
	ev.ts_ns = ts;
	ev.slots = f->slots;
	ev.u.datagram.data = d->b;
	ev.u.datagram.len = (uint32_t)d->n;
	ph_dhcp_module.on_event(st, &ev);
}

static const uint8_t ZERO[4] = {0, 0, 0, 0};
static const uint8_t BCAST[4] = {255, 255, 255, 255};
static const uint8_t SRV[4] = {128, 2, 6, 152};
static const uint8_t CLI[4] = {128, 2, 6, 97};

static uint64_t counter(void *st, const char *name)
{
	struct ph_module_counter c[16];
	unsigned n = ph_dhcp_module.counters(st, c, 16);
	for (unsigned i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].value;
	fail_msg("no counter %s", name);
	return 0;
}

static void test_module_ports_and_client(void **s)
{
	(void)s;
	struct seen sn = {0};
	struct ph_module_env env = {.emit = collect, .bus = &sn};
	void *st = NULL;
	assert_int_equal(ph_dhcp_module.init(&env, &st, NULL), 0);
	struct db d;
	db_init(&d, 1, 7, PH_DHCP_DISCOVER);
	db_end(&d);
	struct flow f;
	flow_init(&f, "Cdisc", ZERO, 68, BCAST, 67);
	dsend(st, &f, PH_DIR_ORIG, 1, &d);
	assert_int_equal(sn.n, 1);
	assert_true(sn.from_client);
	assert_string_equal(f.c.service, "dhcp");
	/* server broadcasting: originator is the server, not a client */
	flow_init(&f, "Coffer", SRV, 67, BCAST, 68);
	dsend(st, &f, PH_DIR_ORIG, 2, &d);
	assert_int_equal(sn.n, 2);
	assert_false(sn.from_client);
	/* a reply on a client-originated flow */
	flow_init(&f, "Cuni", CLI, 68, SRV, 67);
	dsend(st, &f, PH_DIR_RESP, 3, &d);
	assert_false(sn.from_client);
	/* other ports are not looked at; bad cookies are counted */
	flow_init(&f, "Cdns", CLI, 5000, SRV, 53);
	dsend(st, &f, PH_DIR_ORIG, 4, &d);
	assert_int_equal(sn.n, 3);
	assert_string_equal(f.c.service, "");
	flow_init(&f, "Cbad", CLI, 68, SRV, 67);
	d.b[236] = 0;
	dsend(st, &f, PH_DIR_ORIG, 5, &d);
	assert_int_equal(sn.n, 3);
	assert_int_equal(counter(st, "dhcp_messages"), 3);
	assert_int_equal(counter(st, "dhcp_not_dhcp"), 1);
	ph_dhcp_module.destroy(st);
}

/* ---- dhcp.log ---------------------------------------------------------- */

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(p);
}

struct run {
	char dir[32];
	struct seen sn;
	void *parser;
	uint64_t last;
};

static void run_open(struct run *r, int tsv)
{
	memset(r, 0, sizeof *r);
	snprintf(r->dir, sizeof r->dir, "/tmp/ph_dhcplog_XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	struct ph_module_env env = {.emit = collect, .bus = &r->sn,
				    .log_dir = r->dir, .log_tsv = tsv,
				    .first_ts_ns = 1370200442ull * SEC};
	struct ph_err err;
	assert_int_equal(ph_dhcp_module.init(&env, &r->parser, &err), 0);
	assert_int_equal(ph_dhcp_log_module.init(&env, &r->sn.log, &err), 0);
}

static uint64_t log_counter(void *st, const char *name)
{
	struct ph_module_counter c[8];
	unsigned n = ph_dhcp_log_module.counters(st, c, 8);
	for (unsigned i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].value;
	return ~0ull;
}

/* Finishes the run; returns the log's records (lines not starting '#'),
 * malloc'd. */
static char *run_close(struct run *r, uint64_t *evicted)
{
	struct ph_err err;
	assert_int_equal(ph_dhcp_log_module.finish(r->sn.log, r->last, &err), 0);
	if (evicted)
		*evicted = log_counter(r->sn.log, "dhcp_log_evicted");
	ph_dhcp_log_module.destroy(r->sn.log);
	ph_dhcp_module.destroy(r->parser);
	char path[64];
	snprintf(path, sizeof path, "%s/dhcp.log", r->dir);
	char *out = calloc(1, 1 << 20);
	FILE *f = fopen(path, "rb");
	if (f) {
		char line[4096];
		size_t n = 0;
		while (fgets(line, sizeof line, f))
			if (line[0] != '#' && n + strlen(line) < (1 << 20) - 1)
				n += (size_t)snprintf(out + n, (1 << 20) - n,
						      "%s", line);
		fclose(f);
	}
	nftw(r->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return out;
}

static void rsend(struct run *r, struct flow *f, enum ph_dir dir,
		  uint64_t ts, const struct db *d)
{
	r->last = ts;
	dsend(r->parser, f, dir, ts, d);
}

/* The exchange of Zeek's dhcp.pcap (dhcp-all-msg-types), reduced to the
 * fields dhcp.log shows. */
static void all_msg_types(struct run *r)
{
	struct flow c0, s_uni, s_b, c1;
	flow_init(&c0, "Cc0", ZERO, 68, BCAST, 67);
	flow_init(&s_uni, "Cuni97", CLI, 68, SRV, 67); /* flipped by Zeek */
	flow_init(&s_b, "Cbcast", SRV, 67, BCAST, 68);
	static const uint8_t C189[4] = {128, 2, 6, 189};
	flow_init(&c1, "Cuni189", C189, 68, SRV, 67);
	uint64_t t = 1370200442323173000ull;
	struct db d;
	static const uint8_t lease[4] = {0, 0, 0x03, 0x84};
	static const uint8_t req[4] = {128, 2, 6, 189};
	db_init(&d, 1, 0x7c0, PH_DHCP_DISCOVER);
	db_str(&d, 12, "btest.is.cool");
	db_end(&d);
	rsend(r, &c0, PH_DIR_ORIG, t, &d);
	db_init(&d, 2, 0x7c0, PH_DHCP_OFFER);
	db_addr(&d, 16, 128, 2, 6, 97);
	db_str(&d, 15, "cmu.edu");
	db_opt(&d, 51, 4, lease);
	db_end(&d);
	rsend(r, &s_uni, PH_DIR_RESP, t + 4947000, &d);
	db_init(&d, 1, 0x7c0, PH_DHCP_REQUEST);
	db_opt(&d, 50, 4, req);
	db_str(&d, 12, "btest.is.cool");
	db_end(&d);
	rsend(r, &c0, PH_DIR_ORIG, t + 1021792000, &d);
	db_init(&d, 2, 0x7c0, PH_DHCP_NAK);
	db_str(&d, 56, "requested address not available");
	db_end(&d);
	rsend(r, &s_b, PH_DIR_ORIG, t + 1024456000, &d);
	db_init(&d, 1, 0x7c0, PH_DHCP_REQUEST);
	db_opt(&d, 50, 4, req);
	db_end(&d);
	rsend(r, &c0, PH_DIR_ORIG, t + 2039780000, &d);
	db_init(&d, 2, 0x7c0, PH_DHCP_ACK);
	db_addr(&d, 16, 128, 2, 6, 189);
	db_str(&d, 15, "cmu.edu");
	db_opt(&d, 51, 4, lease);
	db_end(&d);
	rsend(r, &c1, PH_DIR_RESP, t + 2048159000, &d);
	db_init(&d, 1, 0x7c0, PH_DHCP_DECLINE);
	db_end(&d);
	rsend(r, &c0, PH_DIR_ORIG, t + 3058797000, &d);
	db_init(&d, 1, 0x79c, PH_DHCP_RELEASE);
	db_end(&d);
	rsend(r, &c0, PH_DIR_ORIG, t + 4079755000, &d);
}

static void test_log_all_msg_types_tsv(void **s)
{
	(void)s;
	struct run r;
	run_open(&r, 1);
	all_msg_types(&r);
	char *out = run_close(&r, NULL);
	assert_string_equal(out,
		"1370200442.323173\tCc0,Cuni97,Cbcast,Cuni189\t128.2.6.97\t"
		"128.2.6.152\t90:b1:1c:99:49:29\tbtest.is.cool\t-\tcmu.edu\t"
		"128.2.6.189\t128.2.6.189\t900.000000\t-\t"
		"requested address not available\t"
		"DISCOVER,OFFER,REQUEST,NAK,REQUEST,ACK,DECLINE\t3.058797\n"
		"1370200446.402928\tCc0\t-\t-\t90:b1:1c:99:49:29\t-\t-\t-\t-\t"
		"-\t-\t-\t-\tRELEASE\t0.000000\n");
	free(out);
}

static void test_log_json_and_client_id(void **s)
{
	(void)s;
	struct run r;
	run_open(&r, 0);
	struct flow f;
	static const uint8_t A[4] = {192, 168, 1, 23};
	flow_init(&f, "Cinf", A, 68, SRV, 67);
	struct db d;
	db_init(&d, 1, 0x42, PH_DHCP_INFORM);
	db_opt(&d, 61, 7, "\x01\x02\x03\x04\x05\x06\x07"); /* hwtype 1 */
	db_opt(&d, 81, 3 + 6, "\x00\x00\x00pc.lan");
	db_str(&d, 56, "why");
	db_end(&d);
	rsend(&r, &f, PH_DIR_ORIG, 1700000000 * SEC, &d);
	db_init(&d, 2, 0x42, PH_DHCP_ACK);
	db_opt(&d, 15, 5, "x\0\0\0\0"); /* Zeek's last_non_null quirk: "" */
	db_end(&d);
	rsend(&r, &f, PH_DIR_RESP, 1700000000 * SEC + 5000000, &d);
	char *out = run_close(&r, NULL);
	assert_string_equal(out,
		"{\"ts\":1700000000.0,\"uids\":[\"Cinf\"],\"client_addr\":"
		"\"192.168.1.23\",\"mac\":\"02:03:04:05:06:07\",\"client_fqdn\":"
		"\"pc.lan\",\"domain\":\"\",\"client_message\":\"why\","
		"\"msg_types\":[\"INFORM\",\"ACK\"],\"duration\":"
		"0.005000114440917969}\n");
	free(out);
}

static void test_log_expiry_and_caps(void **s)
{
	(void)s;
	struct run r;
	run_open(&r, 1);
	struct flow f;
	flow_init(&f, "Cx", ZERO, 68, BCAST, 67);
	struct db d;
	db_init(&d, 1, 9, PH_DHCP_DISCOVER);
	db_end(&d);
	uint64_t t = 1000 * SEC;
	rsend(&r, &f, PH_DIR_ORIG, t, &d);
	rsend(&r, &f, PH_DIR_ORIG, t + 4 * SEC, &d);
	rsend(&r, &f, PH_DIR_ORIG, t + 8 * SEC, &d); /* kept: check at 10 s */
	rsend(&r, &f, PH_DIR_ORIG, t + 20 * SEC, &d); /* written at 15 s */
	/* 12 uids: written at the 10th, the rest starts a new record */
	for (int i = 0; i < 12; i++) {
		char uid[16];
		snprintf(uid, sizeof uid, "Cu%d", i);
		flow_init(&f, uid, ZERO, 68, BCAST, 67);
		rsend(&r, &f, PH_DIR_ORIG, t + 100 * SEC, &d);
	}
	/* more open transactions than the table holds: oldest written */
	for (uint32_t x = 0; x < 300; x++) {
		db_init(&d, 1, 1000 + x, PH_DHCP_DISCOVER);
		db_end(&d);
		rsend(&r, &f, PH_DIR_ORIG, t + 200 * SEC, &d);
	}
	uint64_t evicted = 0;
	char *out = run_close(&r, &evicted);
	assert_int_equal(evicted, 300 - 256);
	int lines = 0;
	for (char *p = out; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 2 + 2 + 300);
	assert_non_null(strstr(out, "DISCOVER,DISCOVER,DISCOVER\t8.000000\n"));
	assert_non_null(strstr(out, "1020.000000\tCx\t"));
	assert_non_null(strstr(out, "\tCu0,Cu1,Cu2,Cu3,Cu4,Cu5,Cu6,Cu7,Cu8,Cu9\t"));
	assert_non_null(strstr(out, "\tCu10,Cu11\t"));
	free(out);
}

static void test_log_off_without_dir(void **s)
{
	(void)s;
	struct ph_module_env env = {.emit = collect};
	void *st = NULL;
	struct ph_err err;
	assert_int_equal(ph_dhcp_log_module.init(&env, &st, &err), 0);
	struct db d;
	db_init(&d, 1, 9, PH_DHCP_DISCOVER);
	db_end(&d);
	struct ph_dhcp_msg *m = &msg;
	assert_int_equal(ph_dhcp_parse(d.b, d.n, m), 0);
	struct flow f;
	flow_init(&f, "Cx", ZERO, 68, BCAST, 67);
	struct ph_event ev = {.kind = PH_EV_DHCP, .conn = &f.c, .ts_ns = 1};
	ev.u.proto = m;
	ph_dhcp_log_module.on_event(st, &ev);
	assert_int_equal(ph_dhcp_log_module.finish(st, 2, &err), 0);
	assert_int_equal(log_counter(st, "dhcp_log_records"), 0);
	ph_dhcp_log_module.destroy(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_discover),
		cmocka_unit_test(test_parse_ack),
		cmocka_unit_test(test_not_dhcp),
		cmocka_unit_test(test_malformed_options),
		cmocka_unit_test(test_fqdn_and_names),
		cmocka_unit_test(test_module_ports_and_client),
		cmocka_unit_test(test_log_all_msg_types_tsv),
		cmocka_unit_test(test_log_json_and_client_id),
		cmocka_unit_test(test_log_expiry_and_caps),
		cmocka_unit_test(test_log_off_without_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
