/* phgen small application protocols, each one exchange in real wire
 * format: DHCP DORA (RFC 2131/2132, Android options incl. hostname),
 * IPv6 router solicitation/advertisement and DAD (RFC 4861/4862), SNTP
 * (RFC 4330), mDNS Chromecast discovery (RFC 6762/6763), ICMP echo,
 * HTTP/1.1 over a fresh TCP connection, and an ADB host session arriving
 * on TCP 5555. Every function takes a start time and returns the time of
 * its last frame. */
#include "phgen.h"

#include <string.h>

static const uint8_t cast_mac[6] = {0x54, 0x60, 0x09, 0x7f, 0x3a, 0x2b};

/* ---- DHCP ---------------------------------------------------------------- */

static void dhcp_common(struct pg_buf *b, struct pg_phone *ph, int op,
			uint32_t xid, const uint8_t *yi, const uint8_t *si)
{
	static const uint8_t zero[10 + 64 + 128];
	pg_u8(b, (unsigned)op), pg_u8(b, 1), pg_u8(b, 6), pg_u8(b, 0);
	pg_u32(b, xid);
	pg_u16(b, 0), pg_u16(b, 0);
	pg_u32(b, 0);            /* ciaddr */
	pg_mem(b, yi, 4);
	pg_mem(b, si, 4);
	pg_u32(b, 0);            /* giaddr */
	pg_mem(b, ph->mac, 6);
	pg_mem(b, zero, 10 + 64 + 128);
	pg_u32(b, 0x63825363);
}

static void dhcp_client_opts(struct pg_buf *b, struct pg_phone *ph,
			     const char *hostname)
{
	static const uint8_t prl[] = {1, 3, 6, 15, 26, 28, 51, 58, 59, 43,
				      114, 108};
	pg_u8(b, 61), pg_u8(b, 7), pg_u8(b, 1), pg_mem(b, ph->mac, 6);
	pg_u8(b, 57), pg_u8(b, 2), pg_u16(b, 1500);
	pg_u8(b, 60), pg_u8(b, 15), pg_str(b, "android-dhcp-13");
	pg_u8(b, 12), pg_u8(b, (unsigned)strlen(hostname)), pg_str(b, hostname);
	pg_u8(b, 55), pg_u8(b, sizeof prl), pg_mem(b, prl, sizeof prl);
}

static void dhcp_server_opts(struct pg_buf *b)
{
	static const uint8_t gw[4] = {192, 168, 1, 1};
	pg_u8(b, 54), pg_u8(b, 4), pg_mem(b, gw, 4);
	pg_u8(b, 51), pg_u8(b, 4), pg_u32(b, 86400);
	pg_u8(b, 58), pg_u8(b, 4), pg_u32(b, 43200);
	pg_u8(b, 59), pg_u8(b, 4), pg_u32(b, 75600);
	pg_u8(b, 1), pg_u8(b, 4), pg_u32(b, 0xffffff00);
	pg_u8(b, 28), pg_u8(b, 4), pg_u32(b, 0xc0a801ff);
	pg_u8(b, 3), pg_u8(b, 4), pg_mem(b, gw, 4);
	pg_u8(b, 6), pg_u8(b, 4), pg_mem(b, gw, 4);
	pg_u8(b, 15), pg_u8(b, 3), pg_str(b, "lan");
}

/* One DHCP message of type mt (1 discover .. 5 ack). */
static void dhcp_msg(struct pg_phone *ph, uint64_t t, int mt, uint32_t xid,
		     const char *hostname)
{
	static const uint8_t zero4[4], gw[4] = {192, 168, 1, 1};
	uint8_t m[600];
	struct pg_buf b;
	int srv = mt == 2 || mt == 5;
	pg_buf_init(&b, m, sizeof m);
	dhcp_common(&b, ph, srv ? 2 : 1, xid, srv ? ph->ip4.a : zero4,
		    srv ? gw : zero4);
	pg_u8(&b, 53), pg_u8(&b, 1), pg_u8(&b, (unsigned)mt);
	if (mt == 3) {
		pg_u8(&b, 50), pg_u8(&b, 4), pg_mem(&b, ph->ip4.a, 4);
		pg_u8(&b, 54), pg_u8(&b, 4), pg_mem(&b, gw, 4);
	}
	if (srv)
		dhcp_server_opts(&b);
	else
		dhcp_client_opts(&b, ph, hostname);
	pg_u8(&b, 255);
	while (b.len < 300)
		pg_u8(&b, 0);
	struct pg_ep cli = pg_phone_ep(ph, 0, 68);
	struct pg_ep any = pg_lan("0.0.0.0", ph->mac, 68);
	struct pg_ep bc = pg_lan("255.255.255.255", pg_bcast_mac, 67);
	struct pg_ep dhs = pg_remote("192.168.1.1", 67);
	if (srv)
		pg_udp(ph, t, &dhs, &cli, m, b.len);
	else
		pg_udp(ph, t, &any, &bc, m, b.len);
}

uint64_t pg_dhcp(struct pg_phone *ph, uint64_t t, const char *hostname)
{
	uint32_t xid = (uint32_t)pg_rand(&ph->rng);
	for (int mt = 1; mt <= 5; mt++) {
		if (mt == 4)
			continue;
		dhcp_msg(ph, t, mt, xid, hostname);
		t += (mt == 1 || mt == 3) ? pg_range(&ph->rng, 2, 9) * PG_MS
					  : pg_range(&ph->rng, 1, 4) * PG_MS;
	}
	/* ARP for the gateway, then a gratuitous ARP for the new address */
	pg_arp(ph, t, 1, ph->mac, ph->ip4s, pg_bcast_mac, "192.168.1.1");
	t += pg_range(&ph->rng, 800, 3000);
	pg_arp(ph, t, 2, pg_gw_mac, "192.168.1.1", ph->mac, ph->ip4s);
	t += 20 * PG_MS;
	pg_arp(ph, t, 1, ph->mac, ph->ip4s, pg_bcast_mac, ph->ip4s);
	return t;
}

/* ---- IPv6 ---------------------------------------------------------------- */

uint64_t pg_ipv6_setup(struct pg_phone *ph, uint64_t t)
{
	static const uint8_t all_r[6] = {0x33, 0x33, 0, 0, 0, 2};
	static const uint8_t all_n[6] = {0x33, 0x33, 0, 0, 0, 1};
	uint8_t o[64], sn_mac[6] = {0x33, 0x33, 0xff, 0, 0, 0};
	struct pg_buf b;
	struct pg_ep ll = pg_lan("fe80::", ph->mac, 0);
	ll.ip = ph->ll6;
	struct pg_ep rs_dst = pg_lan("ff02::2", all_r, 0);
	struct pg_ep rtr = pg_lan("fe80::6e5a:b0ff:fe4e:1901", pg_gw_mac, 0);
	struct pg_ep all = pg_lan("ff02::1", all_n, 0);
	pg_buf_init(&b, o, sizeof o);
	pg_u8(&b, 1), pg_u8(&b, 1), pg_mem(&b, ph->mac, 6);
	pg_icmp(ph, t, &ll, &rs_dst, 133, 0, 0, o, b.len);
	t += pg_range(&ph->rng, 3, 12) * PG_MS;
	pg_buf_init(&b, o, sizeof o);
	pg_u32(&b, 0), pg_u32(&b, 0);             /* reachable, retrans */
	pg_u8(&b, 1), pg_u8(&b, 1), pg_mem(&b, pg_gw_mac, 6);
	pg_u8(&b, 5), pg_u8(&b, 1), pg_u16(&b, 0), pg_u32(&b, 1500);
	struct pb_addr pfx = pb_ip6("2001:db8:1:1::");
	pg_u8(&b, 3), pg_u8(&b, 4), pg_u8(&b, 64), pg_u8(&b, 0xc0);
	pg_u32(&b, 86400), pg_u32(&b, 14400), pg_u32(&b, 0);
	pg_mem(&b, pfx.a, 16);
	pg_icmp(ph, t, &rtr, &all, 134, 64 << 8, 1800, o, b.len);
	t += pg_range(&ph->rng, 5, 40) * PG_MS;
	/* DAD for the new global address */
	char sn[64];
	snprintf(sn, sizeof sn, "ff02::1:ff%02x:%02x%02x", ph->ip6.a[13],
		 ph->ip6.a[14], ph->ip6.a[15]);
	memcpy(sn_mac + 3, ph->ip6.a + 13, 3);
	struct pg_ep unspec = pg_lan("::", ph->mac, 0);
	struct pg_ep snd = pg_lan(sn, sn_mac, 0);
	pg_icmp(ph, t, &unspec, &snd, 135, 0, 0, ph->ip6.a, 16);
	return t;
}

/* ---- NTP ------------------------------------------------------------------ */

static void ntp_ts(struct pg_buf *b, uint64_t t)
{
	uint64_t us = PG_EPOCH_S * PG_S + t;
	pg_u32(b, (uint32_t)(us / PG_S + 2208988800ull));
	pg_u32(b, (uint32_t)(((us % PG_S) << 32) / PG_S));
}

uint64_t pg_ntp(struct pg_phone *ph, uint64_t t, const char *server)
{
	uint8_t m[48];
	struct pg_buf b;
	struct pg_ep cli = pg_phone_ep(ph, 0, pg_eport(ph));
	struct pg_ep srv = pg_remote(server, 123);
	pg_buf_init(&b, m, sizeof m);
	pg_u8(&b, 0x23);
	pg_mem(&b, (const uint8_t[39]){0}, 39);
	ntp_ts(&b, t);
	pg_udp(ph, t, &cli, &srv, m, b.len);
	uint64_t rtt = pg_range(&ph->rng, 8, 30) * PG_MS;
	pg_buf_init(&b, m, sizeof m);
	pg_u8(&b, 0x24), pg_u8(&b, 1), pg_u8(&b, 3), pg_u8(&b, 0xec);
	pg_u32(&b, 0), pg_u32(&b, 0x0000000a);
	pg_str(&b, "GOOG");
	ntp_ts(&b, t - 2 * PG_S);
	ntp_ts(&b, t);             /* origin: the client's transmit time */
	ntp_ts(&b, t + rtt / 2);
	ntp_ts(&b, t + rtt / 2 + 20);
	pg_udp(ph, t + rtt, &srv, &cli, m, b.len);
	return t + rtt;
}

/* ---- mDNS ----------------------------------------------------------------- */

uint64_t pg_mdns(struct pg_phone *ph, uint64_t t, int with_answer)
{
	static const uint8_t m4[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
	static const uint8_t m6[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0xfb};
	static const struct pg_dns_rr an[] = {
		{"_googlecast._tcp.local", PG_DNS_PTR, 120,
		 "Chromecast-7f3a2b._googlecast._tcp.local"},
		{"Chromecast-7f3a2b._googlecast._tcp.local", PG_DNS_TXT, 4500,
		 "fn=Living Room TV"},
		{"Chromecast-7f3a2b._googlecast._tcp.local", PG_DNS_SRV, 120,
		 "0 0 8009 7f3a2b1c-living-room.local"},
		{"7f3a2b1c-living-room.local", PG_DNS_A, 120, "192.168.1.240"},
	};
	uint8_t m[1024];
	struct pg_dns_msg q;
	memset(&q, 0, sizeof q);
	q.qname = "_googlecast._tcp.local";
	q.qtype = PG_DNS_PTR;
	struct pg_ep src = pg_phone_ep(ph, 0, 5353);
	struct pg_ep dst = pg_lan("224.0.0.251", m4, 5353);
	pg_udp(ph, t, &src, &dst, m, pg_dns_build(m, sizeof m, &q));
	struct pg_ep src6 = pg_lan("fe80::", ph->mac, 5353);
	src6.ip = ph->ll6;
	struct pg_ep dst6 = pg_lan("ff02::fb", m6, 5353);
	pg_udp(ph, t + 150, &src6, &dst6, m, pg_dns_build(m, sizeof m, &q));
	if (!with_answer)
		return t + 150;
	t += pg_range(&ph->rng, 5, 60) * PG_MS;
	memset(&q, 0, sizeof q);
	q.flags = 0x8400;
	q.an = an;
	q.nan = 4;
	q.mdns = 1;
	struct pg_ep cast = pg_lan("192.168.1.240", cast_mac, 5353);
	pg_udp(ph, t, &cast, &dst, m, pg_dns_build(m, sizeof m, &q));
	return t;
}

/* ---- ICMP echo ------------------------------------------------------------ */

uint64_t pg_ping(struct pg_phone *ph, uint64_t t, const char *dst, int n)
{
	uint8_t d[56];
	uint16_t id = (uint16_t)pg_rand(&ph->rng);
	struct pg_ep me = pg_phone_ep(ph, 0, 0);
	struct pg_ep peer = pg_remote(dst, 0);
	for (int i = 1; i <= n; i++) {
		uint64_t us = PG_EPOCH_S * PG_S + t;
		for (int k = 0; k < 8; k++)
			d[k] = (uint8_t)((k < 4 ? us / PG_S : us % PG_S) >>
					 (8 * (k % 4)));
		for (int k = 8; k < 56; k++)
			d[k] = (uint8_t)(k + 8);
		uint64_t rtt = pg_range(&ph->rng, 9000, 16000);
		pg_icmp(ph, t, &me, &peer, 8, id, (uint16_t)i, d, sizeof d);
		pg_icmp(ph, t + rtt, &peer, &me, 0, id, (uint16_t)i, d,
			sizeof d);
		t += PG_S + pg_range(&ph->rng, 0, 900);
	}
	return t;
}

/* ---- HTTP/1.1 -------------------------------------------------------------- */

static size_t filler_js(uint8_t *out, size_t n, struct pg_rng *r)
{
	static const char *const words[] = {
		"function ", "var ", "return ", "this.", "window.",
		"document.", "(e){", "}", ";", "&&", "push(", "length",
		"prototype.", "\n", "null", "void 0", "a", "b", "c", "==="};
	size_t len = 0;
	while (len < n) {
		const char *w = words[pg_rand(r) % (sizeof words / sizeof *words)];
		size_t k = strlen(w);
		if (k > n - len)
			k = n - len;
		memcpy(out + len, w, k);
		len += k;
	}
	return len;
}

uint64_t pg_http(struct pg_phone *ph, uint64_t t, const struct pg_ep *srv,
		 const char *req, size_t req_len, const char *resp_head,
		 const char *body, size_t body_len)
{
	uint8_t buf[PG_MSG_MAX];
	struct pg_tcp c;
	struct pg_ep me = pg_phone_ep(ph, srv->ip.v6, pg_eport(ph));
	pg_tcp_init(&c, ph, &me, srv, 1, t, pg_range(&ph->rng, 15, 60) * PG_MS);
	pg_tcp_open(&c);
	pg_tcp_send(&c, 1, (const uint8_t *)req, req_len, 300);
	int h = snprintf((char *)buf, sizeof buf,
			 "%sContent-Length: %zu\r\n\r\n", resp_head, body_len);
	if (h < 0 || (size_t)h + body_len > sizeof buf)
		return c.t;
	if (body)
		memcpy(buf + h, body, body_len);
	else
		filler_js(buf + h, body_len, &ph->rng);
	pg_tcp_send(&c, 0, buf, (size_t)h + body_len,
		    pg_range(&ph->rng, 5, 60) * PG_MS);
	pg_tcp_close(&c, 1);
	return c.t;
}

/* ---- ADB (inbound, TCP 5555) ------------------------------------------- */

static size_t adb_msg(uint8_t *out, uint32_t cmd, uint32_t a0, uint32_t a1,
		      const char *data, size_t n)
{
	uint32_t w[6] = {cmd, a0, a1, (uint32_t)n, 0, cmd ^ 0xffffffffu};
	for (int i = 0; i < 6; i++)
		for (int k = 0; k < 4; k++)
			out[i * 4 + k] = (uint8_t)(w[i] >> (8 * k));
	memcpy(out + 24, data, n);
	return 24 + n;
}

#define ADB_CNXN 0x4e584e43u
#define ADB_OPEN 0x4e45504fu
#define ADB_OKAY 0x59414b4fu
#define ADB_WRTE 0x45545257u
#define ADB_CLSE 0x45534c43u

uint64_t pg_adb_inbound(struct pg_phone *ph, uint64_t t, const char *from)
{
	static const char host[] = "host::features=shell_v2,cmd,stat_v2,"
				   "ls_v2,fixed_push_mkdir,apex,abb";
	static const char dev[] = "device::ro.product.name=panther;"
				  "ro.product.model=Pixel 7;"
				  "ro.product.device=panther;"
				  "features=shell_v2,cmd,stat_v2,ls_v2,abb";
	static const char open[] = "shell:pm list packages -3";
	static const char out[] = "package:com.example.weather\n"
				  "package:com.example.flashlight.pro\n"
				  "package:org.example.notes\n";
	uint8_t m[512];
	struct pg_tcp c;
	struct pg_ep peer = pg_remote(from, (uint16_t)pg_range(&ph->rng,
							       40000, 60000));
	struct pg_ep me = pg_phone_ep(ph, 0, 5555);
	pg_tcp_init(&c, ph, &peer, &me, 0, t, pg_range(&ph->rng, 40, 90) * PG_MS);
	pg_tcp_open(&c);
	pg_tcp_send(&c, 1, m, adb_msg(m, ADB_CNXN, 0x01000001, 262144, host,
				      sizeof host - 1), 500);
	pg_tcp_send(&c, 0, m, adb_msg(m, ADB_CNXN, 0x01000001, 262144, dev,
				      sizeof dev - 1), 2 * PG_MS);
	pg_tcp_send(&c, 1, m, adb_msg(m, ADB_OPEN, 1, 0, open, sizeof open),
		    300 * PG_MS);
	pg_tcp_send(&c, 0, m, adb_msg(m, ADB_OKAY, 7, 1, "", 0), PG_MS);
	pg_tcp_send(&c, 0, m, adb_msg(m, ADB_WRTE, 7, 1, out, sizeof out - 1),
		    180 * PG_MS);
	pg_tcp_send(&c, 1, m, adb_msg(m, ADB_OKAY, 1, 7, "", 0), PG_MS);
	pg_tcp_send(&c, 0, m, adb_msg(m, ADB_CLSE, 7, 1, "", 0), 2 * PG_MS);
	pg_tcp_send(&c, 1, m, adb_msg(m, ADB_CLSE, 1, 7, "", 0), PG_MS);
	pg_tcp_close(&c, 1);
	return c.t;
}
