/* Who is the originator: Zeek's rules for a new connection's direction.
 * The sender of the first packet is the originator, except that Zeek flips
 * a TCP connection whose first packet is not a bare SYN, and a UDP flow,
 * when the sender's port is a "likely server port" (the ports its default
 * scripts register for analyzers; list below as of Zeek 8) and the
 * receiver's is not (packet-analysis TCP.cc / UDP.cc WantConnection). ICMP
 * pairs request and reply types (ICMP.cc ICMP4_counterpart). The SYN-ACK
 * history flip ("^h") lives in tcp_state.c. */
#include <string.h>

#include "flow/flow_int.h"

/* likely_server_ports for TCP: every `Analyzer::register_for_ports` server
 * set in Zeek's base scripts (ssl, http, smtp, ssh, ...). Sorted. */
static const uint16_t tcp_server_ports[] = {
	21,   22,   25,   53,   79,   80,   81,   88,   135,  139,
	143,  389,  443,  445,  465,  502,  514,  563,  585,  587,
	614,  631,  636,  989,  990,  992,  993,  995,  1080, 1434,
	1883, 2811, 3128, 3268, 3306, 3389, 5222, 5223, 5269, 5432,
	6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
};

/* The same for UDP, including the tunnel ports of the packet analyzers
 * (VXLAN, Geneve, GTP, Teredo, AYIYA, GRE-in-UDP) and QUIC/DTLS 443. */
static const uint16_t udp_server_ports[] = {
	53,   67,   88,   123,  137,  161,  162,  389,  443,  514,
	1812, 2123, 2152, 3389, 3544, 4011, 4754, 4789, 5060, 5072,
	5353, 5355, 6081, 20000,
};

static bool in_sorted(const uint16_t *v, size_t n, uint16_t port)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] == port)
			return true;
		if (v[mid] < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool ph_flow_likely_server_port(uint8_t proto, uint16_t port)
{
	if (proto == 6)
		return in_sorted(tcp_server_ports,
				 sizeof tcp_server_ports / sizeof(uint16_t),
				 port);
	if (proto == 17)
		return in_sorted(udp_server_ports,
				 sizeof udp_server_ports / sizeof(uint16_t),
				 port);
	return false;
}

uint16_t ph_flow_icmp_counterpart(uint8_t proto, uint8_t type, uint8_t code,
				  bool *one_way)
{
	static const uint8_t v4[][2] = {
		{ 8, 0 }, { 0, 8 }, { 13, 14 }, { 14, 13 }, { 15, 16 },
		{ 16, 15 }, { 10, 9 }, { 9, 10 }, { 17, 18 }, { 18, 17 },
	};
	static const uint8_t v6[][2] = {
		{ 128, 129 }, { 129, 128 }, { 133, 134 }, { 134, 133 },
		{ 135, 136 }, { 136, 135 }, { 130, 131 }, { 131, 130 },
		{ 139, 140 }, { 140, 139 }, { 144, 145 }, { 145, 144 },
	};
	const uint8_t(*tab)[2] = proto == 58 ? v6 : v4;
	size_t n = proto == 58 ? sizeof v6 / sizeof v6[0]
			       : sizeof v4 / sizeof v4[0];

	for (size_t i = 0; i < n; i++) {
		if (tab[i][0] == type) {
			*one_way = false;
			return tab[i][1];
		}
	}
	*one_way = true;
	return code;
}

static bool is_v4_broadcast(const struct ph_tuple *tu)
{
	return tu->ipver == 4 && tu->dst[0] == 0xff && tu->dst[1] == 0xff &&
	       tu->dst[2] == 0xff && tu->dst[3] == 0xff;
}

bool ph_flow_flip_at_start(const struct ph_tuple *tu, uint8_t tcp_flags)
{
	bool src_srv = ph_flow_likely_server_port(tu->proto, tu->sport);
	bool dst_srv = ph_flow_likely_server_port(tu->proto, tu->dport);
	bool flip = false;

	if (tu->proto == 6) {
		bool syn = tcp_flags & 0x02, ack = tcp_flags & 0x10;
		if ((!syn || ack) && src_srv)
			flip = dst_srv ? (!syn && tu->sport < tu->dport)
				       : true;
	} else if (tu->proto == 17) {
		flip = src_srv && !dst_srv;
	}
	return flip && !is_v4_broadcast(tu);
}

void ph_flow_flip(struct ph_flow *f)
{
	struct ph_conn *c = &f->conn;
	uint8_t addr[16], mac[6];
	uint16_t port = c->orig_port;
	struct ph_conn_dir d = c->dir[0];
	bool a = f->active[0];
	uint8_t fs = f->first_seen;

	memcpy(addr, c->orig_addr, 16);
	memcpy(c->orig_addr, c->resp_addr, 16);
	memcpy(c->resp_addr, addr, 16);
	c->orig_port = c->resp_port;
	c->resp_port = port;
	memcpy(mac, c->orig_mac, 6);
	memcpy(c->orig_mac, f->resp_mac, 6);
	memcpy(f->resp_mac, mac, 6);
	c->dir[0] = c->dir[1];
	c->dir[1] = d;
	f->active[0] = f->active[1];
	f->active[1] = a;
	f->orig_ep ^= 1;
	f->first_seen = (uint8_t)(((fs & 1) << 1) | ((fs & 2) >> 1));
	f->is_partial = false;
	ph_flow_add_history(f, '^');
}
