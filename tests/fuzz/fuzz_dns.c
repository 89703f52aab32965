/* libFuzzer target for the DNS parser: the input is one DNS message for
 * ph_dns_msg_parse, then the same bytes go through ph_dns_module as a UDP
 * datagram, and as a TCP stream on port 53 cut into segments at the byte
 * positions the input's first byte chooses (framing, buffering, pairing,
 * the resolved-address map and flow end). Every emitted event is walked. */
#include <stdlib.h>
#include <string.h>

#include "peephole/module.h"
#include "proto/dns_int.h"

extern const struct ph_module ph_dns_module;

static uint64_t sink;

static void walk(void *user, const struct ph_event *ev)
{
	(void)user;
	const struct ph_dns_msg *m = ev->u.proto;
	for (unsigned i = 0; i < m->nq; i++)
		sink += m->q[i].name.len + m->q[i].qtype;
	for (unsigned i = 0; i < m->nrr; i++) {
		const struct ph_dns_rr *rr = &m->rr[i];
		sink += rr->name.len + rr->target.len + rr->rdlen;
		if (rr->rdlen)
			sink += rr->rdata[rr->rdlen - 1];
	}
	if (m->query)
		sink += m->query->qname.len;
}

static void run_flow(void *st, uint8_t proto, const uint8_t *d, size_t n,
		     unsigned cut)
{
	struct ph_conn c;
	memset(&c, 0, sizeof c);
	c.ipver = 4;
	c.proto = proto;
	c.orig_port = 40000;
	c.resp_port = 53;
	void *slots[PH_SLOT_COUNT] = {0};
	struct ph_event ev = {.conn = &c, .slots = slots, .ts_ns = 1000};
	if (proto == 17) {
		ev.kind = PH_EV_DATAGRAM;
		ev.u.datagram.data = d;
		ev.u.datagram.len = (uint32_t)n;
		ph_dns_module.on_event(st, &ev);
		ev.dir = PH_DIR_RESP;
		ph_dns_module.on_event(st, &ev);
	} else {
		ev.kind = PH_EV_STREAM;
		size_t off = 0, step = cut ? cut : 1;
		while (off < n) {
			size_t k = n - off < step ? n - off : step;
			ev.u.stream.data = d + off;
			ev.u.stream.len = (uint32_t)k;
			ev.dir = (off / step) & 1 ? PH_DIR_RESP : PH_DIR_ORIG;
			ph_dns_module.on_event(st, &ev);
			off += k;
		}
	}
	ev.kind = PH_EV_FLOW_END;
	ph_dns_module.on_event(st, &ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ph_dns_msg m;
	struct ph_dns_caps caps = {0};
	ph_dns_msg_parse(data, size, &m, &caps);

	struct ph_module_env env = {.emit = walk};
	void *st = NULL;
	if (ph_dns_module.init(&env, &st, NULL) < 0)
		return 0;
	run_flow(st, 17, data, size, 0);
	run_flow(st, 6, data, size, size ? data[0] % 97 : 1);
	struct ph_module_counter ctr[32];
	ph_dns_module.counters(st, ctr, 32);
	ph_dns_module.destroy(st);
	return 0;
}
