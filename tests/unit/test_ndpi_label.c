/* Unit tests for src/proto/ndpi_label.c (the nDPI label module), end to
 * end through the decoder (ph_pkt.ip) and the flow table (PH_EV_PACKET only
 * with emit_packets): DNS, HTTP with a known host, TLS with an SNI, an
 * nDPI risk, the packet cap, the busy-flow cap, truncated packets, and
 * ph_conn_set_label. Packets are built here (tests/support/pktbuild.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/capture.h"
#include "decode/decode.h"
#include "flow/flow.h"
#include "peephole/module.h"
#include "peephole/proto_label.h"
#include "pktbuild.h"

extern const struct ph_module ph_label_module;

#define MS 1000000ull
#define SEC 1000000000ull
#define MAX_LABELS 8

struct got {
	char label[PH_LABEL_SIZE];
	char risks[256];       /* names joined with ';' */
	enum ph_label_confidence conf;
	bool gave_up;
	uint16_t packets;
	char host[96];
};

struct h {
	void *st;
	struct ph_decoder *dec;
	struct ph_flow_table *ft;
	struct got got[MAX_LABELS];
	unsigned nlabels, nall, npackets;
	struct ph_conn end;    /* last FLOW_END record, after the module */
	unsigned nend;
	void *slot_after_end;  /* the label slot after the module saw END */
	uint64_t ts;
	uint64_t step;         /* time between packets */
};

/* The module's emit: records PH_EV_LABEL payloads. */
static void bus_emit(void *user, const struct ph_event *ev)
{
	struct h *h = user;
	assert_int_equal(ev->kind, PH_EV_LABEL);
	const struct ph_app_label *l = ev->u.proto;
	h->nall++;
	if (h->nlabels >= MAX_LABELS)
		return;
	struct got *g = &h->got[h->nlabels++];
	memcpy(g->label, l->label, sizeof g->label);
	g->risks[0] = '\0';
	for (unsigned i = 0; i < l->nrisks; i++) {
		strncat(g->risks, l->risks[i], sizeof g->risks - strlen(g->risks) - 2);
		strncat(g->risks, ";", sizeof g->risks - strlen(g->risks) - 1);
	}
	g->conf = l->confidence;
	g->gave_up = l->gave_up;
	g->packets = l->packets;
	snprintf(g->host, sizeof g->host, "%s", l->host);
	assert_non_null(l->master);
	assert_non_null(l->app);
	assert_non_null(l->category);
	assert_non_null(l->confidence_name);
}

/* The flow table's sink: hands events to the module. */
static void table_emit(void *user, const struct ph_event *ev)
{
	struct h *h = user;
	if (ev->kind == PH_EV_PACKET)
		h->npackets++;
	if (ph_label_module.mask & (unsigned)ev->kind)
		ph_label_module.on_event(h->st, ev);
	if (ev->kind == PH_EV_FLOW_END) {
		h->end = *ev->conn;
		h->nend++;
		h->slot_after_end = ev->slots[PH_SLOT_LABEL];
	}
}

static struct h *h_new(bool emit_packets)
{
	struct h *h = calloc(1, sizeof *h);
	assert_non_null(h);
	struct ph_module_env env = {.emit = bus_emit, .bus = h};
	struct ph_err err = {0};
	assert_int_equal(ph_label_module.init(&env, &h->st, &err), 0);
	h->dec = ph_decoder_new(NULL);
	struct ph_flow_config cfg;
	ph_flow_config_default(&cfg);
	cfg.max_flows = 1u << 16;
	cfg.reassemble = false;
	cfg.emit_packets = emit_packets;
	cfg.hash_seed[0] = 1;
	h->ft = ph_flow_table_new(&cfg, table_emit, h, NULL);
	assert_non_null(h->dec);
	assert_non_null(h->ft);
	h->ts = 1600000000ull * SEC;
	h->step = 10 * MS;
	return h;
}

static void h_free(struct h *h)
{
	ph_flow_table_free(h->ft); /* ends open flows */
	ph_decoder_free(h->dec);
	ph_label_module.destroy(h->st);
	free(h);
}

static uint64_t h_counter(struct h *h, const char *name)
{
	struct ph_module_counter c[32];
	unsigned n = ph_label_module.counters(h->st, c, 32);
	for (unsigned i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].value;
	fail_msg("no counter %s", name);
	return 0;
}

/* One packet: src -> dst, through decode and the flow table. cut: bytes
 * to drop from the end of the frame (snaplen), 0 for none. */
static void h_send_cut(struct h *h, const char *src, const char *dst,
		       const struct pb_l4 *l4, const void *pl, size_t n,
		       size_t cut)
{
	static const uint8_t m1[6] = {2, 0, 0, 0, 0, 1}, m2[6] = {2, 0, 0, 0, 0, 2};
	uint8_t ip[2048], fr[2100];
	struct pb_addr a = strchr(src, ':') ? pb_ip6(src) : pb_ip4(src);
	struct pb_addr b = strchr(dst, ':') ? pb_ip6(dst) : pb_ip4(dst);
	size_t il = pb_ip(ip, sizeof ip, a, b, l4, pl, n);
	size_t fl = pb_eth(fr, sizeof fr, m1, m2, 0, ip, il);
	assert_true(il > 0 && fl > cut);
	h->ts += h->step;
	struct ph_frame f = {.ts_ns = h->ts, .data = fr,
			     .caplen = (uint32_t)(fl - cut),
			     .wirelen = (uint32_t)fl, .linktype = 1,
			     .pkt_no = 1};
	struct ph_pkt p;
	if (ph_decode(h->dec, &f, &p) == PH_DECODE_FLOW) {
		assert_non_null(p.ip);
		assert_true(p.ip_caplen <= p.ip_len);
		ph_flow_table_packet(h->ft, &p);
	}
}

/* One raw IPv4 packet in an Ethernet frame. */
static void h_send_ip(struct h *h, const uint8_t *ip, size_t il)
{
	static const uint8_t m1[6] = {2, 0, 0, 0, 0, 1}, m2[6] = {2, 0, 0, 0, 0, 2};
	uint8_t fr[2100];
	size_t fl = pb_eth(fr, sizeof fr, m1, m2, 0, ip, il);
	assert_true(fl > 0);
	h->ts += h->step;
	struct ph_frame f = {.ts_ns = h->ts, .data = fr, .caplen = (uint32_t)fl,
			     .wirelen = (uint32_t)fl, .linktype = 1,
			     .pkt_no = 1};
	struct ph_pkt p;
	if (ph_decode(h->dec, &f, &p) == PH_DECODE_FLOW) {
		assert_non_null(p.ip);
		assert_int_equal(p.ip_caplen, p.ip_len);
		ph_flow_table_packet(h->ft, &p);
	}
}

static void h_send(struct h *h, const char *src, const char *dst,
		   const struct pb_l4 *l4, const void *pl, size_t n)
{
	h_send_cut(h, src, dst, l4, pl, n, 0);
}

static void udp(struct h *h, const char *s, uint16_t sp, const char *d,
		uint16_t dp, const void *pl, size_t n)
{
	struct pb_l4 l4 = {.proto = 17, .sport = sp, .dport = dp};
	h_send(h, s, d, &l4, pl, n);
}

static void tcp(struct h *h, const char *s, uint16_t sp, const char *d,
		uint16_t dp, uint32_t seq, uint32_t ack, uint8_t fl,
		const void *pl, size_t n)
{
	struct pb_l4 l4 = {.proto = 6, .sport = sp, .dport = dp, .seq = seq,
			   .ack = ack, .flags = fl};
	h_send(h, s, d, &l4, pl, n);
}

/* A DNS query for www.example.com, type A; or its response with one A
 * record. */
static size_t dns_query(uint8_t *o, uint16_t id, bool response)
{
	static const uint8_t an[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60,
				     0, 4, 93, 184, 216, 34};
	static const uint8_t q[] = {3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm',
				    'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
				    0, 1, 0, 1};
	uint8_t hdr[12] = {(uint8_t)(id >> 8), (uint8_t)id,
			   response ? 0x81 : 0x01, response ? 0x80 : 0x00,
			   0, 1, 0, response ? 1 : 0, 0, 0, 0, 0};
	memcpy(o, hdr, 12);
	memcpy(o + 12, q, sizeof q);
	if (!response)
		return 12 + sizeof q;
	memcpy(o + 12 + sizeof q, an, sizeof an);
	return 12 + sizeof q + sizeof an;
}

static void test_dns_labelled_and_slot_freed(void **state)
{
	(void)state;
	struct h *h = h_new(true);
	uint8_t m[64];
	size_t n = dns_query(m, 0x1234, false);
	udp(h, "10.0.0.2", 40000, "10.0.0.1", 53, m, n);
	n = dns_query(m, 0x1234, true);
	udp(h, "10.0.0.1", 53, "10.0.0.2", 40000, m, n);
	assert_int_equal(h->npackets, 2);
	assert_int_equal(h->nlabels, 1);
	assert_string_equal(h->got[0].label, "DNS");
	assert_int_equal(h->got[0].conf, PH_LABEL_CONF_DPI);
	assert_false(h->got[0].gave_up);
	assert_string_equal(h->got[0].host, "www.example.com");
	/* decided: later packets are not fed */
	udp(h, "10.0.0.2", 40000, "10.0.0.1", 53, m, n);
	assert_int_equal(h_counter(h, "label_packets"), 2);
	ph_flow_table_flush(h->ft);
	assert_int_equal(h->nend, 1);
	assert_string_equal(h->end.app_label, "DNS");
	assert_null(h->slot_after_end);
	assert_int_equal(h->nlabels, 1);
	h_free(h);
}

/* The TCP handshake of 10.0.0.2:port -> server:dport; returns the
 * client's next sequence number (server's is 5001). */
static uint32_t handshake(struct h *h, uint16_t port, const char *srv,
			  uint16_t dport)
{
	tcp(h, "10.0.0.2", port, srv, dport, 1000, 0, PB_SYN, NULL, 0);
	tcp(h, srv, dport, "10.0.0.2", port, 5000, 1001, PB_SYN | PB_ACK, NULL, 0);
	tcp(h, "10.0.0.2", port, srv, dport, 1001, 5001, PB_ACK, NULL, 0);
	return 1001;
}

static void http_get(struct h *h, uint16_t port, const char *host)
{
	char req[256];
	int n = snprintf(req, sizeof req,
			 "GET /index.html HTTP/1.1\r\nHost: %s\r\n"
			 "User-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n", host);
	uint32_t seq = handshake(h, port, "93.184.216.34", 80);
	tcp(h, "10.0.0.2", port, "93.184.216.34", 80, seq, 5001,
	    PB_ACK | PB_PSH, req, (size_t)n);
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html"
				   "\r\nContent-Length: 2\r\n\r\nhi";
	tcp(h, "93.184.216.34", 80, "10.0.0.2", port, 5001, seq + (uint32_t)n,
	    PB_ACK | PB_PSH, resp, sizeof resp - 1);
	ph_flow_table_flush(h->ft);
}

static void test_http_google(void **state)
{
	(void)state;
	struct h *h = h_new(true);
	http_get(h, 41000, "www.google.com");
	assert_int_equal(h->nlabels, 1);
	assert_string_equal(h->got[0].label, "HTTP.Google");
	assert_string_equal(h->end.app_label, "HTTP.Google");
	assert_int_equal(h->got[0].conf, PH_LABEL_CONF_DPI);
	h_free(h);
}

/* nDPI's risk: an HTTP Host that is an IP address. */
static void test_http_numeric_host_risk(void **state)
{
	(void)state;
	struct h *h = h_new(true);
	http_get(h, 41001, "93.184.216.34");
	assert_int_equal(h->nlabels, 1);
	assert_string_equal(h->got[0].label, "HTTP");
	assert_non_null(strstr(h->got[0].risks, "HTTP Numeric IP Address"));
	assert_int_equal(h_counter(h, "label_risky_flows"), 1);
	h_free(h);
}

/* A TLS 1.2 ClientHello record with the given SNI. */
static size_t client_hello(uint8_t *o, const char *sni)
{
	size_t sl = strlen(sni), k = 0;
	uint8_t body[512];
	body[k++] = 3;
	body[k++] = 3;
	for (int i = 0; i < 32; i++)
		body[k++] = (uint8_t)(i * 7);
	body[k++] = 0;                       /* session id */
	body[k++] = 0; body[k++] = 4;        /* cipher suites */
	body[k++] = 0xc0; body[k++] = 0x2f;
	body[k++] = 0xc0; body[k++] = 0x30;
	body[k++] = 1; body[k++] = 0;        /* compression: null */
	size_t ext = 4 + 5 + sl;
	body[k++] = (uint8_t)(ext >> 8); body[k++] = (uint8_t)ext;
	body[k++] = 0; body[k++] = 0;        /* server_name */
	body[k++] = (uint8_t)((sl + 5) >> 8); body[k++] = (uint8_t)(sl + 5);
	body[k++] = (uint8_t)((sl + 3) >> 8); body[k++] = (uint8_t)(sl + 3);
	body[k++] = 0;
	body[k++] = (uint8_t)(sl >> 8); body[k++] = (uint8_t)sl;
	memcpy(body + k, sni, sl);
	k += sl;
	size_t hs = 4 + k;
	uint8_t rec[5] = {0x16, 3, 1, (uint8_t)(hs >> 8), (uint8_t)hs};
	memcpy(o, rec, 5);
	o[5] = 1;
	o[6] = 0; o[7] = (uint8_t)(k >> 8); o[8] = (uint8_t)k;
	memcpy(o + 9, body, k);
	return 9 + k;
}

static void test_tls_sni(void **state)
{
	(void)state;
	struct h *h = h_new(true);
	uint8_t ch[600];
	size_t n = client_hello(ch, "www.google.com");
	uint32_t seq = handshake(h, 42000, "142.250.1.1", 8443);
	tcp(h, "10.0.0.2", 42000, "142.250.1.1", 8443, seq, 5001,
	    PB_ACK | PB_PSH, ch, n);
	ph_flow_table_flush(h->ft);
	assert_int_equal(h->nlabels, 1);
	assert_string_equal(h->got[0].label, "TLS.Google");
	assert_string_equal(h->got[0].host, "www.google.com");
	assert_string_equal(h->end.app_label, "TLS.Google");
	h_free(h);
}

/* Unknown UDP: nDPI gives up at the packet cap; later packets are not
 * fed; the flow ends with what the give-up said. */
static void test_packet_cap(void **state)
{
	(void)state;
	struct h *h = h_new(true);
	uint8_t junk[40];
	for (unsigned i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	for (int i = 0; i < 40; i++) {
		junk[0] = (uint8_t)i;
		udp(h, "10.0.0.2", 50123, "10.9.9.9", 50321, junk, sizeof junk);
	}
	assert_int_equal(h->nlabels, 1);
	assert_true(h->got[0].gave_up);
	assert_int_equal(h->got[0].packets, 12);
	assert_int_equal(h_counter(h, "label_packets"), 12);
	assert_int_equal(h_counter(h, "label_gave_up_pkt_cap"), 1);
	assert_int_equal(h->npackets, 40);
	ph_flow_table_flush(h->ft);
	assert_int_equal(h->nlabels, 1);
	assert_null(h->slot_after_end);
	h_free(h);
}

/* No PH_EV_PACKET unless the table is asked for them. */
static void test_no_packets_unless_asked(void **state)
{
	(void)state;
	struct h *h = h_new(false);
	uint8_t m[64];
	size_t n = dns_query(m, 7, false);
	udp(h, "10.0.0.2", 40001, "10.0.0.1", 53, m, n);
	ph_flow_table_flush(h->ft);
	assert_int_equal(h->npackets, 0);
	assert_int_equal(h->nlabels, 0);
	assert_int_equal(h->nend, 1);
	assert_string_equal(h->end.app_label, "");
	h_free(h);
}

/* Past the busy cap the longest-waiting flow is given up on, and every
 * flow still gets exactly one label by the end. */
static void test_busy_cap_evicts_oldest(void **state)
{
	(void)state;
	struct h *h = h_new(true);
	uint8_t junk[20] = {0x55, 0x66, 0x77};
	const unsigned flows = 16384 + 3;
	h->step = 1 * MS; /* all within the UDP timeout */
	for (unsigned i = 0; i < flows; i++) {
		char dst[32];
		snprintf(dst, sizeof dst, "10.%u.%u.1", (i >> 8) & 255, i & 255);
		udp(h, "10.0.0.2", (uint16_t)(20000 + (i % 30000)), dst, 40404,
		    junk, sizeof junk);
	}
	assert_int_equal(h_counter(h, "label_busy_evicted"), 3);
	assert_int_equal(h_counter(h, "label_busy_peak"), 16384);
	assert_int_equal(h->nall, 3);
	ph_flow_table_flush(h->ft);
	assert_int_equal(h->nall, flows);
	assert_int_equal(h_counter(h, "label_flows"), flows);
	h_free(h);
}

/* Snaplen-cut and tiny packets reach nDPI as what was captured. */
static void test_truncated_packets(void **state)
{
	(void)state;
	struct h *h = h_new(true);
	uint8_t big[1200];
	memset(big, 'A', sizeof big);
	struct pb_l4 l4 = {.proto = 17, .sport = 5000, .dport = 53};
	h_send_cut(h, "10.0.0.2", "10.0.0.1", &l4, big, sizeof big, 1000);
	h_send_cut(h, "2001:db8::2", "2001:db8::1", &l4, big, 4, 0);
	struct pb_l4 t4 = {.proto = 6, .sport = 5000, .dport = 443,
			   .flags = PB_ACK};
	h_send_cut(h, "10.0.0.2", "10.0.0.1", &t4, big, sizeof big, 1150);
	ph_flow_table_flush(h->ft);
	assert_int_equal(h->nall, 3);
	h_free(h);
}

/* A DNS query in two IPv4 fragments reaches nDPI reassembled (ph_pkt.ip
 * is the reassembly buffer, MF cleared). */
static void test_fragmented_datagram(void **state)
{
	(void)state;
	struct h *h = h_new(true);
	uint8_t m[128], ip[256], f1[128], f2[128];
	size_t n = dns_query(m, 0x4242, false);
	struct pb_l4 l4 = {.proto = 17, .sport = 40002, .dport = 53,
			   .ip_id = 77};
	size_t il = pb_ip(ip, sizeof ip, pb_ip4("10.0.0.2"),
			  pb_ip4("10.0.0.1"), &l4, m, n);
	assert_true(il > 20 + 16);
	/* fragment 1: header + 16 bytes (offset 0, MF); 2: the rest */
	memcpy(f1, ip, 20 + 16);
	f1[2] = 0; f1[3] = 36; f1[6] = 0x20; f1[7] = 0;
	memcpy(f2, ip, 20);
	memcpy(f2 + 20, ip + 36, il - 36);
	size_t l2 = 20 + (il - 36);
	f2[2] = (uint8_t)(l2 >> 8); f2[3] = (uint8_t)l2; f2[6] = 0; f2[7] = 2;
	h_send_ip(h, f1, 36);
	assert_int_equal(h->npackets, 0);
	h_send_ip(h, f2, l2);
	assert_int_equal(h->npackets, 1);
	ph_flow_table_flush(h->ft);
	assert_int_equal(h->nlabels, 1);
	assert_string_equal(h->got[0].label, "DNS");
	assert_string_equal(h->got[0].host, "www.example.com");
	h_free(h);
}

/* Regression (fuzz): packets of one flow whose IP protocol field differs
 * from the first packet's are not fed to nDPI (whose TCP buffers leaked
 * when a flow's packets switched transport); ASan/LSan would see a leak. */
static void test_mixed_protocol_not_fed(void **state)
{
	(void)state;
	struct h *h = h_new(true);
	uint8_t ch[600], ip[700];
	size_t n = client_hello(ch, "www.google.com");
	struct pb_l4 l4 = {.proto = 6, .sport = 43000, .dport = 443,
			   .seq = 1, .ack = 1, .flags = PB_ACK | PB_PSH};
	/* half a ClientHello: nDPI buffers the TLS record */
	size_t il = pb_ip(ip, sizeof ip, pb_ip4("10.0.0.2"), pb_ip4("10.0.0.9"),
			  &l4, ch, n / 2);
	struct ph_conn c;
	memset(&c, 0, sizeof c);
	c.proto = 6;
	c.ipver = 4;
	void *slots[PH_SLOT_COUNT] = {0};
	struct ph_event ev = {.kind = PH_EV_PACKET, .conn = &c, .slots = slots,
			      .ts_ns = h->ts};
	ev.u.packet.ip = ip;
	ev.u.packet.caplen = ev.u.packet.ip_len = (uint32_t)il;
	ph_label_module.on_event(h->st, &ev);
	ip[9] = 17; /* same flow, now "UDP" */
	ph_label_module.on_event(h->st, &ev);
	assert_int_equal(h_counter(h, "label_packets"), 1);
	assert_int_equal(h_counter(h, "label_mixed_skipped"), 1);
	ev.kind = PH_EV_FLOW_END;
	ph_label_module.on_event(h->st, &ev);
	assert_null(slots[PH_SLOT_LABEL]);
	assert_int_equal(h->nall, 1);
	h_free(h);
}

static void test_conn_set_label(void **state)
{
	(void)state;
	struct ph_conn c;
	memset(&c, 0x7f, sizeof c);
	ph_conn_set_label(&c, "TLS.Google");
	assert_string_equal(c.app_label, "TLS.Google");
	char longer[100];
	memset(longer, 'x', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	ph_conn_set_label(&c, longer);
	assert_int_equal(strlen(c.app_label), sizeof c.app_label - 1);
	ph_conn_set_label(&c, "");
	assert_string_equal(c.app_label, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_labelled_and_slot_freed),
		cmocka_unit_test(test_http_google),
		cmocka_unit_test(test_http_numeric_host_risk),
		cmocka_unit_test(test_tls_sni),
		cmocka_unit_test(test_packet_cap),
		cmocka_unit_test(test_no_packets_unless_asked),
		cmocka_unit_test(test_busy_cap_evicts_oldest),
		cmocka_unit_test(test_truncated_packets),
		cmocka_unit_test(test_fragmented_datagram),
		cmocka_unit_test(test_mixed_protocol_not_fed),
		cmocka_unit_test(test_conn_set_label),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
