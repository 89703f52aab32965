/* libFuzzer target for the cleartext_creds detection, which parses login
 * exchanges an attacker controls (FTP, POP3, IMAP, SMTP, Telnet lines;
 * LDAP and SNMP BER). The first input byte picks the server port (21, 23,
 * 25, 110, 143, 389, 161 or a random one) and the transport; the rest is
 * cut into chunks at '\x00\x00' pairs, sent alternately by the client and
 * the server as TCP stream bytes (or UDP datagrams), then the flow ends
 * and the module reports into a findings collection. */
#include <stdlib.h>
#include <string.h>

#include "peephole/finding.h"
#include "peephole/module.h"

extern const struct ph_module ph_cleartext_creds_module;

static void send_chunk(void *st, struct ph_conn *c, void **slots, int udp,
		       enum ph_dir dir, uint64_t off, const uint8_t *d,
		       size_t n, uint64_t ts)
{
	struct ph_event ev = {.kind = udp ? PH_EV_DATAGRAM : PH_EV_STREAM,
			      .conn = c, .dir = dir, .ts_ns = ts,
			      .slots = slots};
	if (udp) {
		ev.u.datagram.data = d;
		ev.u.datagram.len = (uint32_t)n;
	} else {
		ev.u.stream.data = d;
		ev.u.stream.len = (uint32_t)n;
		ev.u.stream.offset = off;
	}
	ph_cleartext_creds_module.on_event(st, &ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ports[] = {21, 23, 25, 110, 143, 389, 161, 4444};
	if (size < 1)
		return 0;
	struct ph_findings *f = ph_findings_new(100);
	struct ph_module_env env = {.findings = f};
	void *st = NULL;
	if (!f || ph_cleartext_creds_module.init(&env, &st, NULL) != 0) {
		ph_findings_free(f);
		return 0;
	}
	struct ph_conn c;
	memset(&c, 0, sizeof c);
	c.ipver = 4;
	memcpy(c.orig_addr, (uint8_t[]){192, 168, 1, 23}, 4);
	memcpy(c.resp_addr, (uint8_t[]){203, 0, 113, 7}, 4);
	c.orig_port = 40000;
	c.resp_port = ports[data[0] & 7];
	int udp = c.resp_port == 161 || (data[0] & 0x80);
	c.proto = udp ? 17 : 6;
	void *slots[PH_SLOT_COUNT] = {0};
	uint64_t off[2] = {0, 0}, ts = 1000000000ull;
	const uint8_t *p = data + 1, *end = data + size;
	for (int dir = 0; p < end; dir = !dir, ts += 1000) {
		const uint8_t *q = p;
		while (q + 1 < end && !(q[0] == 0 && q[1] == 0))
			q++;
		if (q + 1 >= end)
			q = end;
		size_t n = (size_t)(q - p);
		send_chunk(st, &c, slots, udp, (enum ph_dir)dir, off[dir], p, n,
			   ts);
		off[dir] += n;
		p = q < end ? q + 2 : end;
	}
	struct ph_event fin = {.kind = PH_EV_FLOW_END, .conn = &c,
			       .ts_ns = ts, .slots = slots};
	ph_cleartext_creds_module.on_event(st, &fin);
	ph_cleartext_creds_module.destroy(st);
	ph_findings_free(f);
	return 0;
}
