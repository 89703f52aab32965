/* Detection "listener": a remote host opened a connection to the device
 * and the device accepted it (TCP SYN answered by SYN-ACK; UDP sent to the
 * device and answered), i.e. something on the phone listens. Remote
 * access (adb 5555, telnet, ssh, VNC, shell-like ports) is rated highest,
 * especially from the internet. Calls and other peer-to-peer media that
 * nDPI labels (STUN, RTP, WhatsApp calls...) are reported as info, and
 * local service discovery (mDNS, SSDP, LLMNR, DHCP, NetBIOS) is left out.
 * One finding per (device, device port, id); repeats fold. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/bd_common.h"
#include "detect/detect.h"
#include "peephole/devices.h"
#include "peephole/module.h"

extern const struct ph_module ph_listener_module;

struct lst_state {
	struct ph_detect_base base;
	uint64_t grace_ns, capture_start;
	bool started;
	uint64_t accepted, discovery;
};

/* Remote-access ports: (port, what, 1 when a local peer is also bad). */
struct rport {
	uint16_t port;
	const char *what;
	bool bad_locally;
};
static const struct rport rports[] = {
	{5555, "adb (Android debugging over the network)", true},
	{5037, "the adb server", true},
	{27042, "frida (app instrumentation)", true},
	{23, "telnet", true}, {2323, "telnet", true},
	{4444, "a port reverse shells and Metasploit use", true},
	{4445, "a port reverse shells use", true},
	{1337, "a port backdoors use", true},
	{31337, "a port backdoors use", true},
	{22, "ssh", false}, {2222, "ssh", false}, {8022, "ssh (Termux)", false},
	{5900, "VNC screen sharing", false}, {5901, "VNC screen sharing", false},
	{3389, "RDP remote desktop", false},
};

static const uint16_t discovery_udp[] = {67, 68, 137, 138, 546, 547, 1900,
					 3702, 5353, 5355, 6771, 17500,
					 57621};

static const struct rport *remote_access(uint16_t port)
{
	for (size_t i = 0; i < sizeof rports / sizeof rports[0]; i++)
		if (rports[i].port == port)
			return &rports[i];
	return NULL;
}

/* Did the device (responder) accept? */
static bool accepted(const struct lst_state *st, const struct ph_conn *c)
{
	if (c->proto == 6)
		return strchr(c->history, 'S') && strchr(c->history, 'h');
	if (c->proto != 17 || !c->dir[0].pkts || !c->dir[1].pkts)
		return false;
	/* A UDP flow caught mid-way can look inbound: skip the first
	 * seconds, and replies from an ephemeral port to a service port. */
	if (c->start_ns < st->capture_start + st->grace_ns)
		return false;
	return !(c->resp_port >= 32768 && c->orig_port < 32768);
}

/* The side of c that is the device; *lan when both are local and no
 * --device filter chose (then the responder is taken as the device). */
static int device_side(const struct lst_state *st, const struct ph_conn *c,
		       bool *lan)
{
	int side = ph_detect_side(&st->base, c);
	if (side >= 0 && !(st->base.devices &&
			   ph_devices_has_filter(st->base.devices)) &&
	    ph_devices_is_local(c->resp_addr, c->ipver) &&
	    ph_devices_is_local(c->orig_addr, c->ipver)) {
		side = 1; /* two local hosts: the responder is a device too */
		*lan = true;
	}
	return side;
}

static void set_common(struct ph_finding *f, const struct ph_conn *c,
		       bool pub)
{
	snprintf(f->matched, sizeof f->matched, "%u/%s", c->resp_port,
		 c->proto == 6 ? "tcp" : "udp");
	snprintf(f->field, sizeof f->field, "conn.resp_p");
	snprintf(f->name, sizeof f->name, "%s", c->app_label);
	size_t len = strlen(f->explain);
	ph_detect_catf(f->explain, sizeof f->explain, &len,
		       " %s sent %llu bytes and received %llu.",
		       pub ? "The remote host is on the internet;" :
		       "The remote host is on the local network;",
		       (unsigned long long)c->dir[1].bytes,
		       (unsigned long long)c->dir[0].bytes);
}

static void rate_remote_access(struct ph_finding *f, const struct ph_conn *c,
			       const struct rport *r, bool pub)
{
	bool data = c->dir[0].bytes && c->dir[1].bytes;
	snprintf(f->id, sizeof f->id, "listener.remote_access");
	snprintf(f->title, sizeof f->title, "Incoming connection accepted "
		 "on port %u: %s", c->resp_port, r->what);
	snprintf(f->attack, sizeof f->attack, "%s",
		 c->resp_port == 5555 || c->resp_port == 5037 ? "T1219" :
		 "T1021");
	if (pub) {
		f->severity = PH_SEV_HIGH;
		f->confidence = data ? PH_CONF_HIGH : PH_CONF_MEDIUM;
	} else {
		f->severity = r->bad_locally ? PH_SEV_MEDIUM : PH_SEV_LOW;
		f->confidence = PH_CONF_MEDIUM;
	}
	snprintf(f->explain, sizeof f->explain, "%s opened a connection to the "
		 "device's port %u (%s) and the device accepted it. Phones do "
		 "not normally run such a service: it gives whoever connects "
		 "control of the device (installing apps, reading data), which "
		 "is how stalkerware gets installed and how implants are driven. "
		 "Developers enable it on their own phones.", f->remote,
		 c->resp_port, r->what);
	snprintf(f->advice, sizeof f->advice, "Turn off developer options "
		 "and USB/wireless debugging (Settings > System > Developer "
		 "options) unless you use them yourself, revoke authorised "
		 "computers, and check for apps you did not install. If you did "
		 "not enable this, treat the device as compromised and keep "
		 "this capture.");
}

static void rate_other(struct ph_finding *f, const struct ph_conn *c,
		       bool pub, bool call)
{
	bool tcp = c->proto == 6;
	snprintf(f->id, sizeof f->id, "%s",
		 call ? "listener.peer_to_peer" : "listener.inbound");
	snprintf(f->title, sizeof f->title, "%s on port %u/%s",
		 call ? "Incoming call/peer-to-peer traffic accepted" :
		 "The device accepted an incoming connection",
		 c->resp_port, tcp ? "tcp" : "udp");
	snprintf(f->attack, sizeof f->attack, "%s", call ? "" : "T1205");
	f->confidence = PH_CONF_MEDIUM;
	f->severity = call ? PH_SEV_INFO : pub && tcp ? PH_SEV_MEDIUM :
		      pub || tcp ? PH_SEV_LOW : PH_SEV_INFO;
	char lbl[64] = "";
	if (c->app_label[0])
		snprintf(lbl, sizeof lbl, " (nDPI: %s)", c->app_label);
	if (call)
		snprintf(f->explain, sizeof f->explain, "%s reached the "
			 "device's port %u and the device answered; nDPI labels "
			 "it %s, the call or peer-to-peer media of an app, which "
			 "is normal for voice and video calls.", f->remote,
			 c->resp_port, c->app_label);
	else
		snprintf(f->explain, sizeof f->explain, "%s opened a connection "
			 "to the device's port %u and the device accepted it%s: "
			 "something on the phone is listening. Phones rarely "
			 "accept connections (file sharing, casting, games and "
			 "some peer-to-peer apps do); a backdoor waiting for its "
			 "operator looks the same.", f->remote, c->resp_port, lbl);
	snprintf(f->advice, sizeof f->advice, call ? "Nothing to do if the "
		 "device had a call at that time." : "Find which app listens on "
		 "that port (the time and uid help); if none explains it, "
		 "treat it as a possible backdoor and keep this capture.");
}

static void on_end(struct lst_state *st, const struct ph_event *ev)
{
	const struct ph_conn *c = ev->conn;
	if (c->proto != 6 && c->proto != 17)
		return;
	bool lan = false;
	int side = device_side(st, c, &lan);
	if (side != 1 || !accepted(st, c))
		return;
	if (lan && !remote_access(c->resp_port))
		return; /* a LAN service the device used (gateway, printer) */
	if (ph_bd_label_is_discovery(c->app_label) ||
	    (c->proto == 17 && ph_bd_port_in(discovery_udp,
		sizeof discovery_udp / 2, c->resp_port))) {
		st->discovery++;
		return;
	}
	st->accepted++;
	bool pub = ph_bd_is_public(c->orig_addr, c->ipver);
	bool call = ph_bd_label_is_call(c->app_label);
	const struct rport *r = call ? NULL : remote_access(c->resp_port);
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	ph_detect_conn_evidence(&f, ev, 1);
	if (r)
		rate_remote_access(&f, c, r, pub);
	else
		rate_other(&f, c, pub, call);
	set_common(&f, c, pub);
	ph_detect_emit(&st->base, &f);
}

static void lst_on_event(void *state, const struct ph_event *ev)
{
	struct lst_state *st = state;
	if (!st->started) {
		st->started = true;
		st->capture_start = ev->ts_ns;
	}
	if (ev->kind == PH_EV_FLOW_END && ev->conn)
		on_end(st, ev);
}

static const struct ph_module_option lst_options[] = {
	{"grace_seconds", 10, 0, 86400, "seconds", "UDP flows starting this "
	 "soon after the capture began are not judged (their first packets "
	 "may be missing, so the direction is unsure)"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static int lst_init(const struct ph_module_env *env, void **state,
		    struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	struct lst_state *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	st->base = base;
	st->grace_ns = (uint64_t)(ph_module_option(env, &ph_listener_module,
						   "grace_seconds") * 1e9);
	if (env->first_ts_ns) {
		st->started = true;
		st->capture_start = env->first_ts_ns;
	}
	*state = st;
	return PH_OK;
}

static unsigned lst_counters(const void *state, struct ph_module_counter *out,
			     unsigned max)
{
	const struct lst_state *st = state;
	const struct ph_module_counter c[] = {
		{"inbound_accepted", st->accepted},
		{"local_discovery_skipped", st->discovery},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void lst_destroy(void *state)
{
	free(state);
}

const struct ph_module ph_listener_module = {
	.name = "listener",
	.summary = "connections from other hosts that the device accepted "
		   "(adb, telnet, shells, unknown services)",
	.mask = PH_EV_FLOW_START | PH_EV_FLOW_END,
	.init = lst_init,
	.on_event = lst_on_event,
	.counters = lst_counters,
	.destroy = lst_destroy,
	.options = lst_options,
	.detection = true,
};
