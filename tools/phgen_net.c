/* phgen network layer: endpoints, Ethernet/IP/UDP/ICMP/ARP frames (IP and
 * checksums via tests/support/pktbuild), and TCP conversations built here
 * because pktbuild has no TCP options: SYNs carry MSS/SACK/TS/WS like a
 * Linux stack, later segments NOP-NOP-TS. The capture point is the phone:
 * its frames carry send time, the peer's carry arrival time. Senders do
 * slow start (10 segments, doubling per RTT), receivers ACK every second
 * segment; one peer transfer can be given a swapped pair of segments and
 * a spurious retransmission (RFC 793/7323 fields stay consistent). */
#include "phgen.h"

#include <arpa/inet.h>
#include <string.h>

const uint8_t pg_gw_mac[6] = {0x6c, 0x5a, 0xb0, 0x4e, 0x19, 0x01};
const uint8_t pg_bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

#define SEGS_MAX 64  /* PG_MSG_MAX / 1428 rounded up, plus one resend */

uint16_t pg_eport(struct pg_phone *ph)
{
	uint16_t p = ph->next_port;
	uint32_t next = p >= 60900 ? 32768u + p % 97u
				   : p + pg_range(&ph->rng, 1, 40);
	ph->next_port = (uint16_t)next;
	return p;
}

struct pg_ep pg_phone_ep(const struct pg_phone *ph, int v6, uint16_t port)
{
	struct pg_ep e;
	memcpy(e.mac, ph->mac, 6);
	e.ip = v6 ? ph->ip6 : ph->ip4;
	e.port = port;
	return e;
}

struct pg_ep pg_lan(const char *ip, const uint8_t mac[6], uint16_t port)
{
	struct pg_ep e;
	memcpy(e.mac, mac, 6);
	e.ip = strchr(ip, ':') ? pb_ip6(ip) : pb_ip4(ip);
	e.port = port;
	return e;
}

struct pg_ep pg_remote(const char *ip, uint16_t port)
{
	return pg_lan(ip, pg_gw_mac, port);
}

/* TTL as received: the phone and the LAN send 64; remote hosts get an
 * initial TTL and hop count fixed by their address. */
static uint8_t ttl_of(const struct pg_phone *ph, const struct pg_ep *src)
{
	if (memcmp(src->mac, pg_gw_mac, 6) != 0 ||
	    (!src->ip.v6 && src->ip.a[0] == 192 && src->ip.a[1] == 168))
		return 64;
	unsigned h = 0;
	for (int i = 0; i < 16; i++)
		h = h * 31 + src->ip.a[i];
	unsigned base = (h % 3 == 0) ? 128 : 64;
	(void)ph;
	return (uint8_t)(base - 4 - h % 14);
}

static int is_phone(const struct pg_phone *ph, const struct pg_ep *e)
{
	return memcmp(e->mac, ph->mac, 6) == 0;
}

void pg_emit(struct pg_phone *ph, uint64_t ts, const uint8_t *frame,
	     size_t len)
{
	if (len)
		pg_store_add(ph->out, ts, frame, len);
}

static void emit_ip(struct pg_phone *ph, uint64_t ts, const struct pg_ep *src,
		    const struct pg_ep *dst, const uint8_t *ip, size_t iplen)
{
	uint8_t fr[PG_FRAME_MAX + 64];
	size_t n = pb_eth(fr, sizeof fr, src->mac, dst->mac, 0, ip, iplen);
	pg_emit(ph, ts, fr, n);
}

void pg_udp(struct pg_phone *ph, uint64_t ts, const struct pg_ep *src,
	    const struct pg_ep *dst, const void *data, size_t len)
{
	uint8_t ip[PG_FRAME_MAX];
	struct pb_l4 l4;
	memset(&l4, 0, sizeof l4);
	l4.proto = 17;
	l4.sport = src->port;
	l4.dport = dst->port;
	l4.ttl = ttl_of(ph, src);
	if (dst->ip.v6 ? dst->ip.a[0] == 0xff : dst->ip.a[0] >= 224)
		l4.ttl = 255;
	l4.ip_id = is_phone(ph, src) ? ph->ip_id++ : (uint16_t)pg_rand(&ph->rng);
	emit_ip(ph, ts, src, dst, ip,
		pb_ip(ip, sizeof ip, src->ip, dst->ip, &l4, data, len));
}

void pg_icmp(struct pg_phone *ph, uint64_t ts, const struct pg_ep *src,
	     const struct pg_ep *dst, uint8_t type, uint16_t w1, uint16_t w2,
	     const void *data, size_t len)
{
	uint8_t ip[PG_FRAME_MAX];
	struct pb_l4 l4;
	memset(&l4, 0, sizeof l4);
	l4.proto = src->ip.v6 ? 58 : 1;
	l4.icmp_type = type;
	l4.sport = w1;
	l4.dport = w2;
	l4.ttl = src->ip.v6 && type >= 133 && type <= 137 ? 255
							  : ttl_of(ph, src);
	l4.ip_id = is_phone(ph, src) ? ph->ip_id++ : (uint16_t)pg_rand(&ph->rng);
	emit_ip(ph, ts, src, dst, ip,
		pb_ip(ip, sizeof ip, src->ip, dst->ip, &l4, data, len));
}

void pg_arp(struct pg_phone *ph, uint64_t ts, int op,
	    const uint8_t smac[6], const char *sip, const uint8_t tmac[6],
	    const char *tip)
{
	static const uint8_t zero[6];
	uint8_t fr[64];
	struct pg_buf b;
	struct pb_addr s = pb_ip4(sip), t = pb_ip4(tip);
	pg_buf_init(&b, fr, sizeof fr);
	pg_mem(&b, op == 1 ? pg_bcast_mac : tmac, 6);
	pg_mem(&b, smac, 6);
	pg_u16(&b, 0x0806);
	pg_u16(&b, 1);
	pg_u16(&b, 0x0800);
	pg_u8(&b, 6);
	pg_u8(&b, 4);
	pg_u16(&b, (unsigned)op);
	pg_mem(&b, smac, 6);
	pg_mem(&b, s.a, 4);
	pg_mem(&b, op == 1 ? zero : tmac, 6);
	pg_mem(&b, t.a, 4);
	pg_emit(ph, ts, fr, b.len);
}

/* ---- TCP ------------------------------------------------------------- */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* IP header (DF set for IPv4) + TCP header with options + data. */
static size_t tcp_packet(uint8_t *out, size_t cap, const struct pg_ep *src,
			 const struct pg_ep *dst, const uint8_t *tcph,
			 size_t thl, const uint8_t *d, size_t n, uint8_t ttl,
			 uint16_t id)
{
	size_t iph = src->ip.v6 ? 40 : 20, total = iph + thl + n;
	if (total > cap)
		return 0;
	memset(out, 0, iph);
	uint8_t *t = out + iph;
	memcpy(t, tcph, thl);
	if (n)
		memcpy(t + thl, d, n);
	uint8_t ph[8] = {0, 0, (uint8_t)((thl + n) >> 8), (uint8_t)(thl + n),
			 0, 0, 0, 6};
	uint32_t sum = csum_add(0, src->ip.a, src->ip.v6 ? 16 : 4);
	sum = csum_add(sum, dst->ip.a, dst->ip.v6 ? 16 : 4);
	sum = csum_add(csum_add(sum, ph, 8), t, thl + n);
	uint16_t c = csum_fold(sum);
	t[16] = (uint8_t)(c >> 8);
	t[17] = (uint8_t)c;
	if (src->ip.v6) {
		out[0] = 0x60;
		out[4] = (uint8_t)((thl + n) >> 8);
		out[5] = (uint8_t)(thl + n);
		out[6] = 6;
		out[7] = ttl;
		memcpy(out + 8, src->ip.a, 16);
		memcpy(out + 24, dst->ip.a, 16);
		return total;
	}
	out[0] = 0x45;
	out[2] = (uint8_t)(total >> 8);
	out[3] = (uint8_t)total;
	out[4] = (uint8_t)(id >> 8);
	out[5] = (uint8_t)id;
	out[6] = 0x40;
	out[8] = ttl;
	out[9] = 6;
	memcpy(out + 12, src->ip.a, 4);
	memcpy(out + 16, dst->ip.a, 4);
	c = csum_fold(csum_add(0, out, 20));
	out[10] = (uint8_t)(c >> 8);
	out[11] = (uint8_t)c;
	return total;
}

static void ts_note(struct pg_tcp *c, int side, uint64_t ts, uint32_t val)
{
	unsigned i = c->nsent[side]++ % 16;
	c->sent[side][i].ts = ts;
	c->sent[side][i].val = val;
}

/* TSecr for a segment from `from` at ts: the newest TSval of the other
 * side that had reached `from` by then (RFC 7323 TS.Recent). Frames are
 * generated slightly out of time order, hence the search. */
static uint32_t ts_echo(const struct pg_tcp *c, int from, uint64_t ts)
{
	int other = !from;
	uint64_t lag = is_phone(c->ph, from ? &c->srv : &c->cli) ? 0 : c->rtt;
	uint64_t best_ts = 0;
	uint32_t best = 0;
	for (unsigned i = 0; i < 16 && i < c->nsent[other]; i++) {
		uint64_t t = c->sent[other][i].ts;
		if (t + lag <= ts && t >= best_ts) {
			best_ts = t;
			best = c->sent[other][i].val;
		}
	}
	return best;
}

/* One segment from side `from` (0 cli, 1 srv) captured at ts. */
static void seg(struct pg_tcp *c, int from, uint64_t ts, uint32_t seq,
		uint32_t ack, uint8_t flags, const uint8_t *d, size_t n)
{
	const struct pg_ep *src = from ? &c->srv : &c->cli;
	const struct pg_ep *dst = from ? &c->cli : &c->srv;
	uint8_t h[40], ip[PG_FRAME_MAX];
	struct pg_buf b;
	int phone = is_phone(c->ph, src);
	pg_buf_init(&b, h, sizeof h);
	pg_u16(&b, src->port);
	pg_u16(&b, dst->port);
	pg_u32(&b, seq);
	pg_u32(&b, ack);
	size_t hl_off = pg_len_open(&b, 1);
	pg_u8(&b, flags);
	unsigned win = (flags & PB_SYN) ? (from ? 65160 : 65535)
					: (phone ? 1369 : 501);
	pg_u16(&b, win);
	pg_u32(&b, 0); /* checksum, urgent */
	if (!(flags & PB_RST)) {
		uint32_t tsv = c->tsv[from] + (uint32_t)(ts / PG_MS);
		if (flags & PB_SYN) {
			pg_u8(&b, 2), pg_u8(&b, 4), pg_u16(&b, c->mss);
			pg_u8(&b, 4), pg_u8(&b, 2);
		} else {
			pg_u8(&b, 1), pg_u8(&b, 1);
		}
		pg_u8(&b, 8), pg_u8(&b, 10), pg_u32(&b, tsv);
		pg_u32(&b, (flags & PB_ACK) ? ts_echo(c, from, ts) : 0);
		ts_note(c, from, ts, tsv);
		if (flags & PB_SYN) {
			pg_u8(&b, 1), pg_u8(&b, 3), pg_u8(&b, 3);
			pg_u8(&b, from ? 8 : 7);
		}
	}
	h[hl_off] = (uint8_t)((b.len / 4) << 4);
	uint16_t id = phone ? c->ph->ip_id++ : 0;
	size_t len = tcp_packet(ip, sizeof ip, src, dst, h, b.len, d, n,
				ttl_of(c->ph, src), id);
	emit_ip(c->ph, ts, src, dst, ip, len);
}

void pg_tcp_init(struct pg_tcp *c, struct pg_phone *ph,
		 const struct pg_ep *cli, const struct pg_ep *srv,
		 int phone_is_cli, uint64_t t, uint64_t rtt)
{
	memset(c, 0, sizeof *c);
	c->ph = ph;
	c->cli = *cli;
	c->srv = *srv;
	c->phone_is_cli = phone_is_cli;
	c->seq[0] = (uint32_t)pg_rand(&ph->rng);
	c->seq[1] = (uint32_t)pg_rand(&ph->rng);
	c->tsv[0] = (uint32_t)pg_rand(&ph->rng);
	c->tsv[1] = (uint32_t)pg_rand(&ph->rng);
	c->t = t;
	c->rtt = rtt;
	c->mss = cli->ip.v6 ? 1440 : 1460;
	c->swap_at = c->dup_at = -1;
}

/* Small host delay between receiving and answering at the phone. */
static uint64_t host_delay(struct pg_tcp *c)
{
	return pg_range(&c->ph->rng, 40, 180);
}

void pg_tcp_open(struct pg_tcp *c)
{
	uint64_t t = c->t, d = host_delay(c);
	uint64_t t2 = c->phone_is_cli ? t + c->rtt : t + d;
	uint64_t t3 = c->phone_is_cli ? t2 + d : t2 + c->rtt;
	seg(c, 0, t, c->seq[0], 0, PB_SYN, NULL, 0);
	c->seq[0]++;
	seg(c, 1, t2, c->seq[1], c->seq[0], PB_SYN | PB_ACK, NULL, 0);
	c->seq[1]++;
	seg(c, 0, t3, c->seq[0], c->seq[1], PB_ACK, NULL, 0);
	c->t = t3;
}

void pg_tcp_refused(struct pg_tcp *c)
{
	seg(c, 0, c->t, c->seq[0], 0, PB_SYN, NULL, 0);
	c->t += c->rtt;
	seg(c, 1, c->t, 0, c->seq[0] + 1, PB_RST | PB_ACK, NULL, 0);
}

static int phone_side(const struct pg_tcp *c)
{
	return c->phone_is_cli ? 0 : 1;
}

struct sent {
	uint64_t ts;  /* capture time of the data frame */
	size_t off, len;
	int idx;      /* segment number; a resend repeats it */
};

/* Capture times of the segments of a len-byte message (slow start). */
static int plan_segments(struct pg_tcp *c, int from, size_t len,
			 uint64_t t0, struct sent *s)
{
	size_t mss = (size_t)c->mss - 12;
	uint64_t ser = from == phone_side(c) ? 600 : 240; /* us/segment */
	int n = 0, cw = 10, inround = 0;
	uint64_t round = t0, t = t0;
	for (size_t off = 0; off < len && n < SEGS_MAX - 1; off += mss) {
		if (inround == cw) {
			round = t > round + c->rtt ? t : round + c->rtt;
			t = round;
			inround = 0;
			cw = cw < 64 ? cw * 2 : cw;
		}
		s[n].ts = t;
		s[n].off = off;
		s[n].len = len - off < mss ? len - off : mss;
		s[n].idx = n;
		n++;
		inround++;
		t += ser + pg_range(&c->ph->rng, 0, 40);
	}
	return n;
}

/* Applies the one-shot faults (peer -> phone only) and time-sorts. */
static int inject_faults(struct pg_tcp *c, struct sent *s, int n)
{
	if (c->swap_at >= 0 && c->swap_at + 1 < n) {
		uint64_t t = s[c->swap_at].ts;
		s[c->swap_at].ts = s[c->swap_at + 1].ts;
		s[c->swap_at + 1].ts = t;
		struct sent x = s[c->swap_at];
		s[c->swap_at] = s[c->swap_at + 1];
		s[c->swap_at + 1] = x;
	}
	if (c->dup_at >= 0 && c->dup_at < n && n < SEGS_MAX) {
		int k = 0;
		while (s[k].idx != c->dup_at)
			k++;
		struct sent r = s[k];
		r.ts = s[n - 1].ts + 200 * PG_MS;
		s[n++] = r;
	}
	c->swap_at = c->dup_at = -1;
	return n;
}

void pg_tcp_send(struct pg_tcp *c, int from_cli, const uint8_t *data,
		 size_t len, uint64_t think)
{
	struct sent s[SEGS_MAX];
	int from = !from_cli, phone_sends = from == phone_side(c);
	int n = plan_segments(c, from, len, c->t + think, s);
	uint8_t got[SEGS_MAX] = {0};
	int upto = 0, since = 0, base_n = n;
	uint32_t seq0 = c->seq[from], ack = c->seq[!from];
	if (!phone_sends)
		n = inject_faults(c, s, n);
	uint64_t last = c->t;
	for (int i = 0; i < n; i++) {
		uint8_t fl = PB_ACK | (s[i].idx == base_n - 1 ? PB_PSH : 0);
		seg(c, from, s[i].ts, seq0 + (uint32_t)s[i].off, ack, fl,
		    data + s[i].off, s[i].len);
		int dup = got[s[i].idx], hole = s[i].idx > upto, was = upto;
		got[s[i].idx] = 1;
		while (upto < base_n && got[upto])
			upto++;
		since++;
		if (!(dup || hole || since >= 2 || upto == base_n ||
		      upto > was + 1 || i == n - 1))
			continue;
		since = 0;
		uint32_t acked = (uint32_t)len;
		for (int k = 0; k < base_n && upto < base_n; k++)
			if (s[k].idx == upto)
				acked = (uint32_t)s[k].off;
		uint64_t at = s[i].ts + (phone_sends ? c->rtt : host_delay(c));
		seg(c, !from, at, ack, seq0 + acked, PB_ACK, NULL, 0);
		last = at > last ? at : last;
	}
	c->seq[from] += (uint32_t)len;
	c->t = last;
}

void pg_tcp_close(struct pg_tcp *c, int cli_first)
{
	int a = !cli_first, phone_first = (a == 0) == c->phone_is_cli;
	uint64_t d = host_delay(c), t = c->t + d;
	uint64_t t2 = phone_first ? t + c->rtt : t + d;
	uint64_t t3 = phone_first ? t2 + d : t2 + c->rtt;
	seg(c, a, t, c->seq[a], c->seq[!a], PB_FIN | PB_ACK, NULL, 0);
	c->seq[a]++;
	seg(c, !a, t2, c->seq[!a], c->seq[a], PB_FIN | PB_ACK, NULL, 0);
	c->seq[!a]++;
	seg(c, a, t3, c->seq[a], c->seq[!a], PB_ACK, NULL, 0);
	c->t = t3;
}
