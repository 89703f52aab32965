/* libFuzzer target for the nDPI label module (src/proto/ndpi_label.c) and,
 * through it, nDPI 4.2's dissectors: the input is one flow, a sequence of
 * IP packets separated by the 4 bytes "PHFR"; byte 0 picks the transport
 * the flow record claims (TCP or UDP: the packet cap) and the direction
 * pattern. Each packet is copied into a buffer of its exact size, so ASan
 * sees any read past it, fed as PH_EV_PACKET, and the flow then ends. One
 * module (one nDPI detection module) serves the whole fuzzing process, as
 * in a run. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "peephole/module.h"
#include "peephole/proto_label.h"

extern const struct ph_module ph_label_module;

static void *module_state; /* the harness's: created once per process */
static volatile size_t sink;

static void on_label(void *user, const struct ph_event *ev)
{
	(void)user;
	const struct ph_app_label *l = ev->u.proto;
	size_t x = strlen(l->label) + strlen(l->master) + strlen(l->app) +
		   strlen(l->category) + strlen(l->host) +
		   strlen(l->confidence_name);
	for (unsigned i = 0; i < l->nrisks; i++)
		x += strlen(l->risks[i]);
	if (l->nrisks > PH_LABEL_MAX_RISKS)
		__builtin_trap();
	sink = x;
}

static const uint8_t *next_sep(const uint8_t *p, const uint8_t *end)
{
	for (const uint8_t *q = p; end - q >= 4; q++)
		if (memcmp(q, "PHFR", 4) == 0)
			return q;
	return end;
}

static void feed(const struct ph_conn *c, void **slots, const uint8_t *p,
		 size_t n, unsigned k, uint8_t dirs)
{
	uint8_t *copy = malloc(n ? n : 1);
	if (!copy)
		return;
	memcpy(copy, p, n);
	struct ph_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = PH_EV_PACKET;
	ev.conn = c;
	ev.slots = slots;
	ev.dir = (dirs >> (k & 7)) & 1 ? PH_DIR_RESP : PH_DIR_ORIG;
	ev.ts_ns = 1600000000000000000ull + (uint64_t)k * 1000000u;
	ev.u.packet.ip = copy;
	ev.u.packet.caplen = (uint32_t)n;
	ev.u.packet.ip_len = (uint32_t)n;
	ph_label_module.on_event(module_state, &ev);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!module_state) {
		struct ph_module_env env = {.emit = on_label};
		struct ph_err err;
		if (ph_label_module.init(&env, &module_state, &err) < 0)
			abort();
	}
	if (size < 1)
		return 0;
	struct ph_conn c;
	memset(&c, 0, sizeof c);
	c.proto = data[0] & 1 ? 6 : 17;
	c.ipver = 4;
	void *slots[PH_SLOT_COUNT] = {0};
	const uint8_t *p = data + 1, *end = data + size;
	for (unsigned k = 0; p < end && k < 64; k++) {
		const uint8_t *q = next_sep(p, end);
		feed(&c, slots, p, (size_t)(q - p), k, data[0]);
		p = q + (q < end ? 4 : 0);
	}
	struct ph_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = PH_EV_FLOW_END;
	ev.conn = &c;
	ev.slots = slots;
	ph_label_module.on_event(module_state, &ev);
	if (slots[PH_SLOT_LABEL])
		__builtin_trap(); /* the module must clear its slot */
	return 0;
}
