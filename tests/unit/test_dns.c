/* Unit tests for the DNS parser: names (src/proto/dns_name.c), messages
 * and rdata (src/proto/dns_msg.c) and the module (src/proto/dns.c): UDP
 * and TCP framing, query/response pairing, multicast, flow end, caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "proto/dns_int.h"
#include "peephole/dns_map.h"
#include "test_dns_build.h"

extern const struct ph_module ph_dns_module;

static struct ph_dns_msg msg; /* large: not on the stack */

/* ---- names ------------------------------------------------------------- */

static int read_name_at(const struct tb *t, size_t off, struct ph_dns_name *n,
			struct ph_dns_caps *caps, size_t *end)
{
	struct ph_rd r;
	ph_rd_init(&r, t->b, t->n);
	r.off = off;
	int rc = ph_dns_name_read(&r, n, caps);
	*end = r.off;
	return rc;
}

static void test_name_plain_and_case(void **s)
{
	(void)s;
	struct tb t = {.n = 0};
	tb_name(&t, "WWW.Example.COM");
	struct ph_dns_name n;
	struct ph_dns_caps caps = {0};
	size_t end;
	assert_int_equal(read_name_at(&t, 0, &n, &caps, &end), 0);
	assert_string_equal(n.s, "www.example.com");
	assert_int_equal(n.len, 15);
	assert_int_equal(end, t.n);
}

static void test_name_compression(void **s)
{
	(void)s;
	struct tb t = {.n = 0};
	tb_name(&t, "example.com");      /* at 0 */
	size_t at = t.n;
	tb_u8(&t, 3); tb_raw(&t, "www", 3); tb_u16(&t, 0xc000); /* www + ptr 0 */
	struct ph_dns_name n;
	struct ph_dns_caps caps = {0};
	size_t end;
	assert_int_equal(read_name_at(&t, at, &n, &caps, &end), 0);
	assert_string_equal(n.s, "www.example.com");
	assert_int_equal(end, t.n); /* cursor right after the pointer */
}

static void test_name_pointer_loops_rejected(void **s)
{
	(void)s;
	struct tb t = {.n = 0};
	tb_u16(&t, 0xc000); /* points at itself */
	struct ph_dns_name n;
	struct ph_dns_caps caps = {0};
	size_t end;
	assert_int_equal(read_name_at(&t, 0, &n, &caps, &end), -1);
	/* forward pointer */
	t.n = 0;
	tb_u16(&t, 0xc004); tb_u8(&t, 0); tb_u8(&t, 0); tb_name(&t, "a");
	assert_int_equal(read_name_at(&t, 0, &n, &caps, &end), -1);
	/* two pointers pointing at each other: the second points back to
	 * the first, which would point forward again: rejected */
	t.n = 0;
	tb_u16(&t, 0xc002); tb_u16(&t, 0xc000);
	assert_int_equal(read_name_at(&t, 2, &n, &caps, &end), -1);
	assert_true(caps.bad_names >= 2);
}

static void test_name_bad_label_and_truncated_input(void **s)
{
	(void)s;
	struct tb t = {.n = 0};
	tb_u8(&t, 0x41); tb_raw(&t, "x", 1); tb_u8(&t, 0);
	struct ph_dns_name n;
	struct ph_dns_caps caps = {0};
	size_t end;
	assert_int_equal(read_name_at(&t, 0, &n, &caps, &end), -1);
	t.n = 0;
	tb_u8(&t, 10); tb_raw(&t, "abc", 3); /* label runs off the end */
	assert_int_equal(read_name_at(&t, 0, &n, &caps, &end), -1);
	t.n = 0;
	tb_u8(&t, 3); tb_raw(&t, "abc", 3); /* no terminating root */
	assert_int_equal(read_name_at(&t, 0, &n, &caps, &end), -1);
}

static void test_name_caps(void **s)
{
	(void)s;
	struct tb t = {.n = 0};
	for (int i = 0; i < 5; i++) { /* 5 x 63 = 315 bytes: over 255 */
		tb_u8(&t, 63);
		for (int k = 0; k < 63; k++)
			tb_u8(&t, 'a');
	}
	tb_u8(&t, 0);
	struct ph_dns_name n;
	struct ph_dns_caps caps = {0};
	size_t end;
	assert_int_equal(read_name_at(&t, 0, &n, &caps, &end), 0);
	assert_true(n.truncated);
	assert_true(n.len <= PH_DNS_NAME_MAX);
	assert_int_equal(end, t.n);
	assert_int_equal(caps.names_truncated, 1);
	t.n = 0; /* 128 one-byte labels */
	for (int i = 0; i < 128; i++) {
		tb_u8(&t, 1);
		tb_u8(&t, 'x');
	}
	tb_u8(&t, 0);
	assert_int_equal(read_name_at(&t, 0, &n, &caps, &end), -1);
	assert_int_equal(caps.labels_capped, 1);
}

/* Root name, and a jump chain longer than PH_DNS_MAX_JUMPS. */
static void test_name_root_and_jump_cap(void **s)
{
	(void)s;
	struct tb t = {.n = 0};
	tb_u8(&t, 0);
	struct ph_dns_name n;
	struct ph_dns_caps caps = {0};
	size_t end;
	assert_int_equal(read_name_at(&t, 0, &n, &caps, &end), 0);
	assert_string_equal(n.s, "");
	t.n = 0;
	tb_u8(&t, 0); /* offset 0: root */
	for (int i = 0; i < 40; i++) /* each pointer jumps to the previous */
		tb_u16(&t, 0xc000 | (unsigned)(i ? 1 + 2 * (i - 1) : 0));
	assert_int_equal(read_name_at(&t, t.n - 2, &n, &caps, &end), -1);
	assert_int_equal(caps.jumps_capped, 1);
	assert_int_equal(read_name_at(&t, 1 + 2 * 5, &n, &caps, &end), 0);
}

/* ---- messages ---------------------------------------------------------- */

static void build_response(struct tb *t)
{
	tb_hdr(t, 0x1234, 0x8180, 1, 3, 1, 1);
	tb_q(t, "www.example.com", 1);               /* name at 12 */
	size_t at = tb_rr(t, 12, NULL, 5, 300);      /* CNAME */
	size_t tgt = t->n;
	tb_name(t, "cdn.example.net");
	tb_rr_end(t, at);
	tb_a(t, (unsigned)tgt, NULL, 93, 184, 216, 34);
	at = tb_rr(t, (unsigned)tgt, NULL, 28, 60);  /* AAAA */
	for (int i = 0; i < 16; i++)
		tb_u8(t, i == 0 ? 0x20 : i == 1 ? 0x01 : i == 15 ? 1 : 0);
	tb_rr_end(t, at);
	at = tb_rr(t, 16, NULL, 6, 900);             /* SOA for example.com */
	tb_name(t, "ns1.example.com");
	tb_name(t, "hostmaster.example.com");
	for (uint32_t i = 1; i <= 5; i++)
		tb_u32(t, i);
	tb_rr_end(t, at);
	tb_u8(t, 0); tb_u16(t, 41); tb_u16(t, 4096); tb_u32(t, 0); tb_u16(t, 0);
}

static void test_msg_response_records(void **s)
{
	(void)s;
	struct tb t;
	build_response(&t);
	struct ph_dns_caps caps = {0};
	assert_int_equal(ph_dns_msg_parse(t.b, t.n, &msg, &caps), 0);
	assert_false(msg.malformed);
	assert_true(msg.qr && msg.rd && msg.ra && !msg.aa);
	assert_int_equal(msg.id, 0x1234);
	assert_int_equal(msg.nq, 1);
	assert_string_equal(msg.q[0].name.s, "www.example.com");
	assert_int_equal(msg.nrr, 5);
	assert_int_equal(msg.rr[0].type, PH_DNS_CNAME);
	assert_string_equal(msg.rr[0].target.s, "cdn.example.net");
	assert_string_equal(msg.rr[1].name.s, "cdn.example.net");
	assert_memory_equal(msg.rr[1].u.addr, "\x5d\xb8\xd8\x22", 4);
	assert_int_equal(msg.rr[2].type, PH_DNS_AAAA);
	assert_true(msg.rr[2].rdata_ok);
	assert_int_equal(msg.rr[3].section, PH_DNS_AUTHORITY);
	assert_string_equal(msg.rr[3].name.s, "example.com");
	assert_string_equal(msg.rr[3].target.s, "ns1.example.com");
	assert_string_equal(msg.rr[3].u.soa.rname.s, "hostmaster.example.com");
	assert_int_equal(msg.rr[3].u.soa.minimum, 5);
	assert_int_equal(msg.rr[4].section, PH_DNS_ADDITIONAL);
	assert_int_equal(msg.rr[4].type, PH_DNS_OPT);
	assert_int_equal(msg.rr[4].rclass, 4096);
}

static void test_msg_txt_mx_srv_https(void **s)
{
	(void)s;
	struct tb t;
	tb_hdr(&t, 7, 0x8180, 1, 4, 0, 0);
	tb_q(&t, "x.test", 16);
	size_t at = tb_rr(&t, 12, NULL, 16, 30);
	tb_u8(&t, 5); tb_raw(&t, "hello", 5); tb_u8(&t, 0); tb_u8(&t, 2);
	tb_raw(&t, "ab", 2);
	tb_rr_end(&t, at);
	at = tb_rr(&t, 12, NULL, 15, 30);
	tb_u16(&t, 10); tb_name(&t, "mail.x.test");
	tb_rr_end(&t, at);
	at = tb_rr(&t, 12, NULL, 33, 30);
	tb_u16(&t, 1); tb_u16(&t, 2); tb_u16(&t, 443); tb_u16(&t, 0xc000 | 12);
	tb_rr_end(&t, at);
	at = tb_rr(&t, 12, NULL, 65, 30);
	tb_u16(&t, 1); tb_u8(&t, 0);
	tb_u16(&t, 1); tb_u16(&t, 6); tb_u8(&t, 2); tb_raw(&t, "h3", 2);
	tb_u8(&t, 2); tb_raw(&t, "h2", 2);
	tb_u16(&t, 4); tb_u16(&t, 8); tb_raw(&t, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	tb_u16(&t, 5); tb_u16(&t, 1); tb_u8(&t, 0);
	tb_rr_end(&t, at);
	struct ph_dns_caps caps = {0};
	assert_int_equal(ph_dns_msg_parse(t.b, t.n, &msg, &caps), 0);
	assert_int_equal(msg.nrr, 4);
	const struct ph_dns_txt *x = &msg.rr[0].u.txt;
	assert_int_equal(x->nstr, 3);
	assert_int_equal(x->str[0].len, 5);
	assert_memory_equal(x->data + x->str[0].off, "hello", 5);
	assert_int_equal(x->str[1].full, 0);
	assert_int_equal(msg.rr[1].u.mx.pref, 10);
	assert_string_equal(msg.rr[1].target.s, "mail.x.test");
	assert_int_equal(msg.rr[2].u.srv.port, 443);
	assert_string_equal(msg.rr[2].target.s, "x.test");
	const struct ph_dns_svcb *v = &msg.rr[3].u.svcb;
	assert_true(msg.rr[3].rdata_ok);
	assert_int_equal(v->priority, 1);
	assert_string_equal(v->alpn, "h3,h2");
	assert_int_equal(v->n4, 2);
	assert_memory_equal(v->v4[1], "\x05\x06\x07\x08", 4);
	assert_true(v->ech);
}

static void test_msg_not_dns_and_malformed(void **s)
{
	(void)s;
	struct tb t;
	struct ph_dns_caps caps = {0};
	tb_hdr(&t, 1, 0, 1, 0, 0, 0);
	assert_int_equal(ph_dns_msg_parse(t.b, 11, &msg, &caps), -1);
	tb_hdr(&t, 1, 0, 26, 0, 0, 0); /* too many questions */
	assert_int_equal(ph_dns_msg_parse(t.b, t.n, &msg, &caps), -1);
	build_response(&t);
	/* cut inside the AAAA record: CNAME and A are kept */
	assert_int_equal(ph_dns_msg_parse(t.b, 12 + 21 + 29 + 16 + 20, &msg,
					  &caps), 0);
	assert_true(msg.malformed);
	assert_int_equal(msg.nrr, 2);
	/* wrong A rdlength: kept raw, parsing goes on */
	tb_hdr(&t, 2, 0x8180, 0, 2, 0, 0);
	size_t at = tb_rr(&t, 0, "a.test", 1, 5);
	tb_u8(&t, 1); tb_u8(&t, 2); tb_u8(&t, 3);
	tb_rr_end(&t, at);
	tb_a(&t, 12, NULL, 1, 2, 3, 4);
	assert_int_equal(ph_dns_msg_parse(t.b, t.n, &msg, &caps), 0);
	assert_int_equal(msg.nrr, 2);
	assert_false(msg.rr[0].rdata_ok);
	assert_true(msg.rr[1].rdata_ok);
}

static void test_msg_record_cap(void **s)
{
	(void)s;
	static struct tb big;
	struct tb *t = &big;
	tb_hdr(t, 3, 0x8180, 1, 600, 0, 0);
	tb_q(t, "many.test", 1);
	for (int i = 0; i < 600; i++)
		tb_a(t, 12, NULL, 10, 0, (uint8_t)(i >> 8), (uint8_t)i);
	struct ph_dns_caps caps = {0};
	assert_int_equal(ph_dns_msg_parse(t->b, t->n, &msg, &caps), 0);
	assert_int_equal(msg.nrr, PH_DNS_MAX_RRS);
	assert_true(msg.capped);
	assert_int_equal(caps.rrs_capped, 1);
}

/* ---- the module -------------------------------------------------------- */

struct seen {
	int n, queries, responses, unanswered;
	uint16_t last_id;
	bool last_matched;
	uint64_t last_rtt;
	char last_qname[PH_DNS_NAME_MAX + 1];
};

static void collect(void *user, const struct ph_event *ev)
{
	struct seen *s = user;
	const struct ph_dns_msg *m = ev->u.proto;
	assert_int_equal(ev->kind, PH_EV_DNS);
	s->n++;
	s->last_id = m->id;
	if (m->what == PH_DNS_QUERY)
		s->queries++;
	if (m->what == PH_DNS_RESPONSE) {
		s->responses++;
		s->last_matched = m->query != NULL;
		s->last_rtt = m->rtt_ns;
	}
	if (m->what == PH_DNS_UNANSWERED) {
		s->unanswered++;
		snprintf(s->last_qname, sizeof s->last_qname, "%s",
			 m->query->qname.s);
	}
}

static void *module_new(struct seen *s)
{
	struct ph_module_env env = {.emit = collect, .bus = s};
	void *st = NULL;
	assert_int_equal(ph_dns_module.init(&env, &st, NULL), 0);
	return st;
}

static void test_module_udp_pairing(void **s)
{
	(void)s;
	struct seen sn = {0};
	void *st = module_new(&sn);
	struct tflow f;
	tflow_init(&f, 17, 53, "8.8.8.8");
	struct tb q, r;
	tb_hdr(&q, 0x1234, 0x0100, 1, 0, 0, 0);
	tb_q(&q, "www.example.com", 1);
	build_response(&r);
	tflow_send(&ph_dns_module, st, &f, PH_EV_DATAGRAM, PH_DIR_ORIG, 1000, q.b, q.n);
	tflow_send(&ph_dns_module, st, &f, PH_EV_DATAGRAM, PH_DIR_RESP, 5000, r.b, r.n);
	assert_int_equal(sn.queries, 1);
	assert_int_equal(sn.responses, 1);
	assert_true(sn.last_matched);
	assert_int_equal(sn.last_rtt, 4000);
	assert_string_equal(f.c.service, "dns");
	/* a second query never answered: reported at flow end */
	q.b[0] = 0x77;
	tflow_send(&ph_dns_module, st, &f, PH_EV_DATAGRAM, PH_DIR_ORIG, 6000, q.b, q.n);
	tflow_send(&ph_dns_module, st, &f, PH_EV_FLOW_END, PH_DIR_ORIG, 9000, NULL, 0);
	assert_int_equal(sn.unanswered, 1);
	assert_string_equal(sn.last_qname, "www.example.com");
	assert_null(f.slots[PH_SLOT_DNS]);

	/* the map knows the address, as the CNAME target and the question */
	const struct ph_dns_map *map = ph_dns_module_map(st);
	const uint8_t a[4] = {93, 184, 216, 34};
	uint64_t first = 0, last = 0;
	assert_true(ph_dns_map_ip_seen(map, a, 4, &first, &last));
	assert_int_equal(first, 5000);
	assert_int_equal(last, 5000);
	ph_dns_module.destroy(st);
}

static int count_names(void *user, const struct ph_dns_map_entry *e)
{
	(void)e;
	(*(int *)user)++;
	return 0;
}

static void test_module_map_names(void **s)
{
	(void)s;
	struct seen sn = {0};
	void *st = module_new(&sn);
	struct tflow f;
	tflow_init(&f, 17, 53, "8.8.8.8");
	struct tb r;
	build_response(&r);
	tflow_send(&ph_dns_module, st, &f, PH_EV_DATAGRAM, PH_DIR_RESP, 5000, r.b, r.n);
	const struct ph_dns_map *map = ph_dns_module_map(st);
	const uint8_t a[4] = {93, 184, 216, 34};
	int k = 0;
	assert_int_equal(ph_dns_map_names_of(map, a, 4, count_names, &k), 2);
	assert_int_equal(k, 2);
	k = 0;
	assert_int_equal(ph_dns_map_addrs_of(map, "www.example.com", 15,
					     count_names, &k), 2);
	tflow_send(&ph_dns_module, st, &f, PH_EV_FLOW_END, PH_DIR_ORIG, 9000, NULL, 0);
	ph_dns_module.destroy(st);
}

static void test_module_tcp_split(void **s)
{
	(void)s;
	struct seen sn = {0};
	void *st = module_new(&sn);
	struct tflow f;
	tflow_init(&f, 6, 53, "8.8.8.8");
	struct tb q, r;
	tb_hdr(&q, 0x1234, 0x0100, 1, 0, 0, 0);
	tb_q(&q, "www.example.com", 1);
	build_response(&r);
	uint8_t stream[2 * 16384];
	size_t n = 0;
	for (int i = 0; i < 2; i++) { /* two queries back to back */
		stream[n++] = (uint8_t)(q.n >> 8);
		stream[n++] = (uint8_t)q.n;
		memcpy(stream + n, q.b, q.n);
		n += q.n;
	}
	for (size_t i = 0; i < n; i++) /* one byte per segment */
		tflow_send(&ph_dns_module, st, &f, PH_EV_STREAM, PH_DIR_ORIG, 1000, stream + i, 1);
	assert_int_equal(sn.queries, 2);
	n = 0;
	stream[n++] = (uint8_t)(r.n >> 8);
	stream[n++] = (uint8_t)r.n;
	memcpy(stream + n, r.b, r.n);
	n += r.n;
	tflow_send(&ph_dns_module, st, &f, PH_EV_STREAM, PH_DIR_RESP, 2000, stream, 5);
	tflow_send(&ph_dns_module, st, &f, PH_EV_STREAM, PH_DIR_RESP, 2000, stream + 5, n - 5);
	assert_int_equal(sn.responses, 1);
	assert_true(sn.last_matched);
	/* a gap kills the direction's framing */
	tflow_send(&ph_dns_module, st, &f, PH_EV_GAP, PH_DIR_RESP, 3000, NULL, 10);
	tflow_send(&ph_dns_module, st, &f, PH_EV_STREAM, PH_DIR_RESP, 3000, stream, n);
	assert_int_equal(sn.responses, 1);
	tflow_send(&ph_dns_module, st, &f, PH_EV_FLOW_END, PH_DIR_ORIG, 9000, NULL, 0);
	assert_int_equal(sn.unanswered, 1);
	ph_dns_module.destroy(st);
}

static void test_module_multicast_and_not_mine(void **s)
{
	(void)s;
	struct seen sn = {0};
	void *st = module_new(&sn);
	struct tflow f;
	tflow_init(&f, 17, 5353, "224.0.0.251");
	struct tb q;
	tb_hdr(&q, 0, 0, 1, 0, 0, 0);
	tb_q(&q, "printer.local", 1);
	tflow_send(&ph_dns_module, st, &f, PH_EV_DATAGRAM, PH_DIR_ORIG, 1000, q.b, q.n);
	tflow_send(&ph_dns_module, st, &f, PH_EV_FLOW_END, PH_DIR_ORIG, 9000, NULL, 0);
	assert_int_equal(sn.queries, 1);
	assert_int_equal(sn.unanswered, 0); /* never pending */
	struct tflow g;
	tflow_init(&g, 17, 443, "1.1.1.1");
	tflow_send(&ph_dns_module, st, &g, PH_EV_DATAGRAM, PH_DIR_ORIG, 1000, q.b, q.n);
	assert_non_null(g.slots[PH_SLOT_DNS]); /* the "not mine" mark */
	assert_int_equal(sn.n, 1);
	tflow_send(&ph_dns_module, st, &g, PH_EV_FLOW_END, PH_DIR_ORIG, 9000, NULL, 0);
	assert_null(g.slots[PH_SLOT_DNS]);
	ph_dns_module.destroy(st);
}

static void test_module_pending_cap(void **s)
{
	(void)s;
	struct seen sn = {0};
	void *st = module_new(&sn);
	struct tflow f;
	tflow_init(&f, 17, 53, "8.8.8.8");
	struct tb q;
	for (unsigned i = 0; i < 100; i++) {
		tb_hdr(&q, i, 0x0100, 1, 0, 0, 0);
		tb_q(&q, "a.test", 1);
		tflow_send(&ph_dns_module, st, &f, PH_EV_DATAGRAM, PH_DIR_ORIG, 1000 + i, q.b, q.n);
	}
	assert_int_equal(sn.unanswered, 36); /* 100 - 64 given up early */
	tflow_send(&ph_dns_module, st, &f, PH_EV_FLOW_END, PH_DIR_ORIG, 9000, NULL, 0);
	assert_int_equal(sn.unanswered, 100);
	struct ph_module_counter c[32];
	unsigned n = ph_dns_module.counters(st, c, 32);
	bool found = false;
	for (unsigned i = 0; i < n; i++)
		if (strcmp(c[i].name, "dns_pending_evicted") == 0)
			found = c[i].value == 36;
	assert_true(found);
	ph_dns_module.destroy(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_plain_and_case),
		cmocka_unit_test(test_name_compression),
		cmocka_unit_test(test_name_pointer_loops_rejected),
		cmocka_unit_test(test_name_bad_label_and_truncated_input),
		cmocka_unit_test(test_name_caps),
		cmocka_unit_test(test_name_root_and_jump_cap),
		cmocka_unit_test(test_msg_response_records),
		cmocka_unit_test(test_msg_txt_mx_srv_https),
		cmocka_unit_test(test_msg_not_dns_and_malformed),
		cmocka_unit_test(test_msg_record_cap),
		cmocka_unit_test(test_module_udp_pairing),
		cmocka_unit_test(test_module_map_names),
		cmocka_unit_test(test_module_tcp_split),
		cmocka_unit_test(test_module_multicast_and_not_mine),
		cmocka_unit_test(test_module_pending_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
