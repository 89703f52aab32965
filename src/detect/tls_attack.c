/* Detection "tls_attack": attacks on TLS itself seen in the handshake's
 * cleartext. Now: Heartbleed (CVE-2014-0160), a heartbeat request that
 * claims more payload than its record carries, asking the peer to send
 * back memory it never received; rated by who asked (someone probing the
 * device, or the device probing others) and whether the peer answered
 * with a larger heartbeat (memory likely leaked). Ordinary phones never
 * send cleartext heartbeats. Reads PH_EV_TLS_DONE (struct ph_tls_session
 * heartbeat fields, filled by src/proto/tls.c); no per-flow state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "peephole/module.h"
#include "peephole/proto_tls.h"

struct ta_state {
	struct ph_detect_base base;
	uint64_t heartbeat_flows;
};

static void heartbleed(struct ta_state *st, const struct ph_event *ev,
		       const struct ph_tls_session *s, int side)
{
	int asker = s->heartbeat_overclaim_dir;
	bool by_device = asker == side;
	bool leaked = s->heartbeats[!asker] > 0 &&
		      s->heartbeat_max_len[!asker] > s->heartbeat_max_len[asker];
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	ph_detect_evidence(&f, ev, side);
	snprintf(f.id, sizeof f.id, "tls_attack.heartbleed");
	snprintf(f.field, sizeof f.field, "tls.heartbeat");
	snprintf(f.matched, sizeof f.matched, "heartbeat request of %u bytes%s",
		 (unsigned)s->heartbeat_max_len[asker],
		 leaked ? ", answered with more" : "");
	snprintf(f.name, sizeof f.name, "%s", s->server_name);
	snprintf(f.attack, sizeof f.attack, by_device ? "T1595.002" : "T1190");
	f.confidence = PH_CONF_HIGH;
	f.severity = by_device ? PH_SEV_MEDIUM
				: leaked ? PH_SEV_CRITICAL : PH_SEV_HIGH;
	snprintf(f.title, sizeof f.title, by_device ?
		 "The device probed a server for Heartbleed" :
		 "Heartbleed attack against the device%s",
		 leaked && !by_device ? ": memory likely leaked" : "");
	size_t n = 0;
	ph_detect_catf(f.explain, sizeof f.explain, &n,
		       "%s sent a TLS heartbeat request that claims more data "
		       "than it carries: the Heartbleed attack (CVE-2014-0160), "
		       "which makes a vulnerable OpenSSL send back up to 64 KB "
		       "of its memory (keys, passwords, messages). %s Ordinary "
		       "apps never send heartbeats in cleartext.",
		       by_device ? "The device" : f.remote,
		       leaked ? "The other side answered with a larger "
				"heartbeat, so it is probably vulnerable and "
				"memory was returned." :
				"No larger answer was seen.");
	snprintf(f.advice, sizeof f.advice, "%s", by_device ?
		 "Find the app or tool on the device that scans for "
		 "Heartbleed; unless you run security tests, remove it." :
		 "The device runs a TLS service with a vulnerable OpenSSL (or "
		 "was probed for one): update it, then change the keys and "
		 "passwords it held.");
	ph_detect_emit(&st->base, &f);
}

static void ta_on_event(void *state, const struct ph_event *ev)
{
	struct ta_state *st = state;
	const struct ph_tls_session *s = ev->u.proto;
	if (s->heartbeats[0] || s->heartbeats[1])
		st->heartbeat_flows++;
	if (!s->heartbeat_overclaim)
		return;
	int side = ph_detect_side(&st->base, ev->conn);
	if (side >= 0)
		heartbleed(st, ev, s, side);
}

static int ta_init(const struct ph_module_env *env, void **state,
		   struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	struct ta_state *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	st->base = base;
	*state = st;
	return PH_OK;
}

static unsigned ta_counters(const void *state, struct ph_module_counter *out,
			    unsigned max)
{
	const struct ta_state *st = state;
	const struct ph_module_counter c[] = {
		{"tls_heartbeat_flows", st->heartbeat_flows},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void ta_destroy(void *state)
{
	free(state);
}

const struct ph_module ph_tls_attack_module = {
	.name = "tls_attack",
	.summary = "attacks on TLS seen in cleartext: Heartbleed requests",
	.mask = PH_EV_TLS_DONE,
	.init = ta_init,
	.on_event = ta_on_event,
	.counters = ta_counters,
	.destroy = ta_destroy,
	.detection = true,
};
