/* Detection "remote_access": connections nDPI labels as remote-control,
 * remote-shell, anonymising or VPN tools (TeamViewer, AnyDesk, RDP, VNC,
 * SSH, Telnet, Tor, Psiphon, OpenVPN, WireGuard, IPsec, L2TP, PPTP...).
 * People use all of these on purpose, and so do stalkerware and remote
 * access trojans, so findings are info or low with that context; a tool
 * that another host uses to reach INTO the device (the device accepts the
 * connection) is rated higher. Labels guessed from the port only are
 * ignored unless the option says otherwise (a port scan is not a tool).
 * One finding per device and tool (repeats fold into the count).
 * Stateless: decided on each PH_EV_LABEL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/detect.h"
#include "peephole/module.h"
#include "peephole/proto_label.h"

extern const struct ph_module ph_remote_access_module;

enum ra_class { RA_DESKTOP, RA_SHELL, RA_ANON, RA_VPN, RA_CLASS_COUNT };

struct ra_tool {
	const char *name;     /* nDPI protocol name (case-insensitive) */
	enum ra_class cls;
};

static const struct ra_tool ra_tools[] = {
	{"TeamViewer", RA_DESKTOP}, {"AnyDesk", RA_DESKTOP},
	{"RDP", RA_DESKTOP}, {"VNC", RA_DESKTOP}, {"PcAnywhere", RA_DESKTOP},
	{"RustDesk", RA_DESKTOP}, {"Splashtop", RA_DESKTOP},
	{"SSH", RA_SHELL}, {"Telnet", RA_SHELL}, {"Rsh", RA_SHELL},
	{"Tor", RA_ANON}, {"Psiphon", RA_ANON}, {"Ngrok", RA_ANON},
	{"OpenVPN", RA_VPN}, {"WireGuard", RA_VPN}, {"IPsec", RA_VPN},
	{"IPSec", RA_VPN}, {"IKE", RA_VPN}, {"L2TP", RA_VPN},
	{"PPTP", RA_VPN}, {"CiscoVPN", RA_VPN}, {"FortiClient", RA_VPN},
	{"HotspotShield", RA_VPN}, {"TunnelBear", RA_VPN},
	{"SoftEther", RA_VPN}, {"NordVPN", RA_VPN}, {"ProtonVPN", RA_VPN},
	{"Mullvad", RA_VPN}, {"Tailscale", RA_VPN}, {"ZeroTier", RA_VPN},
	{NULL, RA_VPN},
};

struct ra_class_text {
	const char *id, *what, *attack;
	enum ph_severity out_sev, in_sev; /* device connects / is reached */
	const char *why, *advice;
};

static const struct ra_class_text ra_text[RA_CLASS_COUNT] = {
	[RA_DESKTOP] = {"remote_access.remote_desktop", "remote-control tool",
		"T1219", PH_SEV_LOW, PH_SEV_MEDIUM,
		"Remote-control tools let someone else see and operate a "
		"screen. Help desks, family members and the owner use them "
		"on purpose; stalkerware and remote-access trojans use the "
		"same tools to watch a phone, so an unexplained one matters.",
		"Check whether the owner installed this tool and knows who "
		"connects with it; if not, remove it and review the apps with "
		"accessibility or screen-recording permission."},
	[RA_SHELL] = {"remote_access.remote_shell", "remote-shell protocol",
		"T1021.004", PH_SEV_INFO, PH_SEV_MEDIUM,
		"A phone rarely opens remote shells (SSH, Telnet) except in "
		"terminal or admin apps its owner chose; a shell INTO the "
		"phone means something on it is listening for remote commands.",
		"If the owner does not use a terminal or server-admin app, "
		"find which app made the connection; a listening shell on a "
		"phone should be removed."},
	[RA_ANON] = {"remote_access.anonymizer", "anonymity or "
		"circumvention network", "T1090.003", PH_SEV_LOW, PH_SEV_LOW,
		"Tor, Psiphon and similar tools hide where traffic goes. "
		"Many people rely on them to get around censorship, and "
		"some malware uses them to hide its servers.",
		"If the owner uses such an app (Tor Browser, Orbot, Psiphon), "
		"this is expected; otherwise find the app responsible."},
	[RA_VPN] = {"remote_access.vpn", "VPN or tunnel", "T1572",
		PH_SEV_INFO, PH_SEV_LOW,
		"VPNs are common on phones (work VPNs, privacy apps) and "
		"protect traffic; they also hide what passes through them, "
		"including from this analysis.",
		"Nothing to do if the owner chose this VPN; an unknown VPN "
		"profile or app should be reviewed in the device settings."},
};

struct ra_state {
	struct ph_detect_base base;
	bool port_guess;
	uint64_t labels, matched, guesses_skipped;
};

static const struct ph_module_option ra_options[] = {
	{"include_port_guesses", 0, 0, 1, "bool",
	 "also report labels nDPI guessed from the port alone"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static const struct ra_tool *ra_lookup(const char *s)
{
	for (unsigned i = 0; s && s[0] && ra_tools[i].name; i++)
		if (strcasecmp(s, ra_tools[i].name) == 0)
			return &ra_tools[i];
	return NULL;
}

static bool ra_is_dns(const struct ph_app_label *l)
{
	return l->master && (strcmp(l->master, "DNS") == 0 ||
			     strcmp(l->master, "MDNS") == 0);
}

static void ra_report(struct ra_state *st, const struct ph_event *ev,
		      int side, const struct ph_app_label *l,
		      const struct ra_tool *t)
{
	const struct ra_class_text *x = &ra_text[t->cls];
	bool inbound = side == 1, lookup = ra_is_dns(l);
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	ph_detect_evidence(&f, ev, side);
	snprintf(f.id, sizeof f.id, "%s", x->id);
	snprintf(f.matched, sizeof f.matched, "%s", t->name);
	snprintf(f.field, sizeof f.field, "ndpi.label");
	snprintf(f.attack, sizeof f.attack, "%s", x->attack);
	snprintf(f.name, sizeof f.name, "%s", l->host ? l->host : "");
	f.severity = lookup ? x->out_sev : inbound ? x->in_sev : x->out_sev;
	/* a label from one direction only (no answer yet) is a weak guess */
	bool answered = ev->conn->dir[0].pkts && ev->conn->dir[1].pkts;
	f.confidence = lookup ? PH_CONF_LOW :
		       l->confidence < PH_LABEL_CONF_CACHE ? PH_CONF_LOW :
		       answered ? PH_CONF_HIGH : PH_CONF_MEDIUM;
	snprintf(f.title, sizeof f.title, "%s %s: %s",
		 lookup ? "Name lookup for a" : inbound ?
		 "Incoming connection through a" : "Use of a", x->what,
		 t->name);
	size_t n = 0;
	ph_detect_catf(f.explain, sizeof f.explain, &n,
		       "nDPI recognised this %s as %s (label %s, %s). ",
		       lookup ? "DNS lookup" : "connection", t->name, l->label,
		       l->confidence_name ? l->confidence_name : "?");
	if (inbound && !lookup)
		ph_detect_catf(f.explain, sizeof f.explain, &n,
			       "Another host (%s) opened it TO the device, so "
			       "something on the device accepts %s "
			       "connections. ", f.remote, t->name);
	ph_detect_catf(f.explain, sizeof f.explain, &n, "%s", x->why);
	snprintf(f.advice, sizeof f.advice, "%s", x->advice);
	ph_detect_emit(&st->base, &f);
	st->matched++;
}

static void ra_on_event(void *state, const struct ph_event *ev)
{
	struct ra_state *st = state;
	const struct ph_app_label *l = ev->u.proto;
	if (ev->kind != PH_EV_LABEL || !l || !ev->conn)
		return;
	st->labels++;
	const struct ra_tool *t = ra_lookup(l->app);
	if (!t)
		t = ra_lookup(l->master);
	if (!t)
		return;
	if (l->confidence < PH_LABEL_CONF_CACHE && !st->port_guess) {
		st->guesses_skipped++;
		return;
	}
	int side = ph_detect_side(&st->base, ev->conn);
	if (side >= 0)
		ra_report(st, ev, side, l, t);
}

static int ra_init(const struct ph_module_env *env, void **state,
		   struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	struct ra_state *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	st->base = base;
	st->port_guess = ph_module_option(env, &ph_remote_access_module,
					  "include_port_guesses") != 0;
	*state = st;
	return PH_OK;
}

static unsigned ra_counters(const void *state, struct ph_module_counter *out,
			    unsigned max)
{
	const struct ra_state *st = state;
	const struct ph_module_counter c[] = {
		{"labels_seen", st->labels},
		{"remote_access_flows", st->matched},
		{"port_guesses_skipped", st->guesses_skipped},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void ra_destroy(void *state)
{
	free(state);
}

const struct ph_module ph_remote_access_module = {
	.name = "remote_access",
	.summary = "remote-control, remote-shell, anonymity and VPN tools "
		   "recognised by nDPI",
	.mask = PH_EV_LABEL,
	.init = ra_init,
	.on_event = ra_on_event,
	.counters = ra_counters,
	.destroy = ra_destroy,
	.options = ra_options,
	.detection = true,
};
