/* libFuzzer target for the TLS parser (src/proto/tls*.c): byte 0 picks a
 * mode. 0: the input is a ClientHello body (tls_hello.c + tls_fp.c, TLS
 * and QUIC fingerprints); 1: a ServerHello body; otherwise the rest is a
 * TCP conversation fed to ph_tls_module as PH_EV_STREAM chunks: each chunk
 * is a control byte (bit 0 direction, bit 1 a 10-byte gap before it, bits
 * 2-7 the length - 1, so 1..64 bytes) followed by its bytes.
 * Every emitted payload is checked (NUL-terminated strings, bounded
 * counts), and the flow is ended so its state is freed. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "peephole/module.h"
#include "peephole/proto_tls.h"
#include "proto/tls_hello.h"

extern const struct ph_module ph_tls_module;

static void need_nul(const char *s, size_t cap)
{
	if (!memchr(s, 0, cap))
		__builtin_trap();
}

static void check_hello(const struct ph_tls_hello *h)
{
	need_nul(h->sni, sizeof h->sni);
	need_nul(h->ja3, sizeof h->ja3);
	need_nul(h->ja3_md5, sizeof h->ja3_md5);
	need_nul(h->ja4, sizeof h->ja4);
	if (h->n_ciphers > PH_TLS_MAX_CIPHERS || h->n_exts > PH_TLS_MAX_EXTS ||
	    h->n_alpn > PH_TLS_MAX_ALPN || h->n_sigalgs > PH_TLS_MAX_SIGALGS ||
	    h->n_groups > PH_TLS_MAX_GROUPS)
		__builtin_trap();
	for (unsigned i = 0; i < h->n_alpn; i++)
		if (h->alpn[i][h->alpn_len[i]] != 0)
			__builtin_trap();
}

static void sink(void *user, const struct ph_event *ev)
{
	(void)user;
	if (ev->kind == PH_EV_TLS_CLIENT_HELLO ||
	    ev->kind == PH_EV_TLS_SERVER_HELLO) {
		check_hello(ev->u.proto);
	} else if (ev->kind == PH_EV_TLS_CERT) {
		const struct ph_x509 *c = ev->u.proto;
		need_nul(c->subject, sizeof c->subject);
		need_nul(c->issuer, sizeof c->issuer);
		need_nul(c->serial, sizeof c->serial);
	} else if (ev->kind == PH_EV_TLS_DONE) {
		const struct ph_tls_session *s = ev->u.proto;
		need_nul(s->history, sizeof s->history);
		need_nul(s->server_name, sizeof s->server_name);
		need_nul(s->next_protocol, sizeof s->next_protocol);
		if (s->n_cert_fps > PH_TLS_MAX_CHAIN)
			__builtin_trap();
	}
}

static void conversation(const uint8_t *d, size_t n)
{
	void *mod = NULL, *slots[PH_SLOT_COUNT] = {0};
	struct ph_conn conn = {.proto = 6, .ipver = 4};
	struct ph_module_env env = {.emit = sink};
	struct ph_err err;
	uint64_t off[2] = {0, 0};
	if (ph_tls_module.init(&env, &mod, &err) < 0)
		return;
	size_t i = 0;
	while (i < n) {
		uint8_t c = d[i++];
		size_t len = (size_t)(c >> 2) + 1;
		if (len > n - i)
			len = n - i;
		struct ph_event ev = {.conn = &conn, .dir = c & 1,
				      .slots = slots, .ts_ns = 1600000000000000000ull};
		if (c & 2) {
			ev.kind = PH_EV_GAP;
			ev.u.gap.offset = off[c & 1];
			ev.u.gap.len = 10;
			off[c & 1] += 10;
			ph_tls_module.on_event(mod, &ev);
		}
		ev.kind = PH_EV_STREAM;
		ev.u.stream.data = d + i;
		ev.u.stream.len = (uint32_t)len;
		ev.u.stream.offset = off[c & 1];
		off[c & 1] += len;
		ph_tls_module.on_event(mod, &ev);
		i += len;
	}
	struct ph_event end = {.kind = PH_EV_FLOW_END, .conn = &conn,
			       .slots = slots};
	ph_tls_module.on_event(mod, &end);
	ph_tls_module.destroy(mod);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ph_tls_hello h;
	if (size < 1)
		return 0;
	switch (data[0]) {
	case 0:
		(void)ph_tls_parse_client_hello(data + 1, size - 1, &h);
		ph_tls_hello_fingerprint(&h, size & 1);
		check_hello(&h);
		break;
	case 1:
		(void)ph_tls_parse_server_hello(data + 1, size - 1, &h);
		ph_tls_hello_fingerprint(&h, false);
		check_hello(&h);
		break;
	default:
		conversation(data + 1, size - 1);
		break;
	}
	return 0;
}
