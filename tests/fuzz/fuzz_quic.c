/* libFuzzer target for the QUIC parser (src/proto/quic.c through the module
 * interface): byte 0 picks the server port (443 or 4433) and, bit by bit,
 * the direction of each datagram; the rest is datagrams separated by the 4
 * bytes "PHQD", fed in order to one flow, which then ends. Every emitted
 * PH_EV_QUIC payload is checked (NUL-terminated strings, record fields) and
 * read, so ASan sees stray pointers. Seeds: tests/fuzz/seeds/fuzz_quic. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "peephole/module.h"
#include "peephole/proto_quic.h"
#include "peephole/proto_tls.h"

extern const struct ph_module ph_quic_module;

static volatile size_t sink;

static void check_str(const char *s, size_t cap)
{
	if (!s || memchr(s, 0, cap) == NULL)
		__builtin_trap();
	sink += strlen(s);
}

static void on_emit(void *bus, const struct ph_event *ev)
{
	(void)bus;
	if (ev->kind != PH_EV_QUIC)
		return;
	const struct ph_quic_initial *q = ev->u.proto;
	if (q->what == PH_QUIC_RECORD) {
		const struct ph_quic_record *r = q->rec;
		if (!r)
			__builtin_trap();
		check_str(r->version, sizeof r->version);
		check_str(r->client_initial_dcid, PH_QUIC_CID_HEX);
		check_str(r->client_scid, PH_QUIC_CID_HEX);
		check_str(r->server_scid, PH_QUIC_CID_HEX);
		check_str(r->server_name, PH_QUIC_NAME_LEN);
		check_str(r->client_protocol, PH_QUIC_NAME_LEN);
		check_str(r->history, PH_QUIC_HISTORY_LEN + 1);
		return;
	}
	check_str(q->version_name, 64);
	check_str(q->dcid, PH_QUIC_CID_HEX);
	check_str(q->scid, PH_QUIC_CID_HEX);
	check_str(q->sni, PH_QUIC_NAME_LEN);
	check_str(q->alpn, PH_QUIC_NAME_LEN);
	check_str(q->ja4, PH_TLS_JA4_LEN);
	if (q->hello && q->hello->sni_len >= PH_TLS_SNI_LEN)
		__builtin_trap();
}

static const uint8_t *next_sep(const uint8_t *p, const uint8_t *end)
{
	while (end - p >= 4) {
		const uint8_t *q = memchr(p, 'P', (size_t)(end - p - 3));
		if (!q)
			return end;
		if (memcmp(q, "PHQD", 4) == 0)
			return q;
		p = q + 1;
	}
	return end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void *mod;
	if (!mod) { /* one module for the process, as in a run */
		struct ph_module_env env = {.emit = on_emit, .bus = NULL};
		struct ph_err e;
		if (ph_quic_module.init(&env, &mod, &e) < 0)
			return 0;
	}
	if (size < 1)
		return 0;
	struct ph_conn c;
	memset(&c, 0, sizeof c);
	c.ipver = 4;
	c.proto = 17;
	c.orig_port = 50000;
	c.resp_port = (data[0] & 1) ? 4433 : 443;
	void *slots[PH_SLOT_COUNT] = {0};
	uint8_t dirs = data[0];
	const uint8_t *p = data + 1, *end = data + size;
	uint64_t ts = 1;
	for (unsigned i = 0; p <= end && i < 64; i++) {
		const uint8_t *q = next_sep(p, end);
		struct ph_event ev = {.kind = PH_EV_DATAGRAM, .conn = &c,
				      .dir = (enum ph_dir)((dirs >> (1 + i % 7)) & 1),
				      .ts_ns = ts++, .slots = slots};
		ev.dir = i == 0 ? PH_DIR_ORIG : ev.dir;
		ev.u.datagram.data = p;
		ev.u.datagram.len = (uint32_t)(q - p);
		ph_quic_module.on_event(mod, &ev);
		if (q == end)
			break;
		p = q + 4;
	}
	struct ph_event fin = {.kind = PH_EV_FLOW_END, .conn = &c, .ts_ns = ts,
			       .slots = slots};
	ph_quic_module.on_event(mod, &fin);
	if (slots[PH_SLOT_QUIC])
		__builtin_trap();
	return 0;
}
