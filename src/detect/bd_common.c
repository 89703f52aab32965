/* Shared helpers of the backdoor-behaviour detections (bd_common.h):
 * address classes, nDPI label classes, entropy and the bounded
 * (device, remote) aggregate table. No allocation after init. */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/bd_common.h"
#include "peephole/devices.h"
#include "peephole/finding.h"

static bool v4_public(const uint8_t *a)
{
	if (a[0] == 0 || a[0] == 127 || a[0] >= 224)
		return false; /* this-net, loopback, multicast, 240/4, bcast */
	return !ph_devices_is_local(a, 4);
}

bool ph_bd_is_public(const uint8_t *a, int ipver)
{
	if (ipver == 4)
		return v4_public(a);
	static const uint8_t zero[16];
	if (a[0] == 0xff || memcmp(a, zero, 15) == 0)
		return false; /* multicast, ::, ::1 */
	if (memcmp(a, zero, 10) == 0 && a[10] == 0xff && a[11] == 0xff)
		return v4_public(a + 12);
	return !ph_devices_is_local(a, 6);
}

/* Public resolvers: Google, Cloudflare, Quad9, OpenDNS, AdGuard,
 * CleanBrowsing, Comodo, Level3, Neustar/UltraDNS, Control D. */
static const uint8_t resolvers4[][4] = {
	{1, 0, 0, 1}, {1, 1, 1, 1}, {4, 2, 2, 1}, {4, 2, 2, 2},
	{8, 8, 4, 4}, {8, 8, 8, 8}, {8, 20, 247, 20}, {8, 26, 56, 26},
	{9, 9, 9, 9}, {9, 9, 9, 10}, {9, 9, 9, 11}, {64, 6, 64, 6},
	{64, 6, 65, 6}, {76, 76, 2, 0}, {76, 76, 10, 0}, {94, 140, 14, 14},
	{94, 140, 15, 15}, {149, 112, 112, 10}, {149, 112, 112, 11},
	{149, 112, 112, 112}, {156, 154, 70, 1}, {156, 154, 71, 1},
	{185, 228, 168, 9}, {185, 228, 169, 9}, {208, 67, 220, 220},
	{208, 67, 222, 222},
};
/* IPv6 resolvers by their first 12 bytes and last 4. */
static const uint8_t resolvers6[][16] = {
	{0x20, 0x01, 0x48, 0x60, 0x48, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0x88},
	{0x20, 0x01, 0x48, 0x60, 0x48, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0x44},
	{0x26, 0x06, 0x47, 0x00, 0x47, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x11},
	{0x26, 0x06, 0x47, 0x00, 0x47, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x01},
	{0x26, 0x20, 0x00, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe},
	{0x26, 0x20, 0x00, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09},
	{0x26, 0x20, 0x01, 0x19, 0x00, 0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x35},
	{0x26, 0x20, 0x01, 0x19, 0x00, 0x53, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53},
	{0x2a, 0x10, 0x50, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x01},
	{0x2a, 0x10, 0x50, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0xff, 0x02},
};

bool ph_bd_is_resolver(const uint8_t *a, int ipver)
{
	if (ipver == 4) {
		for (size_t i = 0; i < sizeof resolvers4 / 4; i++)
			if (memcmp(a, resolvers4[i], 4) == 0)
				return true;
		return false;
	}
	for (size_t i = 0; i < sizeof resolvers6 / 16; i++)
		if (memcmp(a, resolvers6[i], 16) == 0)
			return true;
	return false;
}

/* Does label contain one of the '|'-separated words (case-insensitive,
 * whole dot-separated parts)? */
static bool label_has(const char *label, const char *words)
{
	for (const char *p = label; *p;) {
		const char *e = strchr(p, '.');
		size_t k = e ? (size_t)(e - p) : strlen(p);
		for (const char *w = words; *w;) {
			const char *we = strchr(w, '|');
			size_t wk = we ? (size_t)(we - w) : strlen(w);
			if (wk == k && strncasecmp(p, w, k) == 0)
				return true;
			w += wk + (we ? 1 : 0);
		}
		p += k + (e ? 1 : 0);
	}
	return false;
}

bool ph_bd_label_is_call(const char *label)
{
	return label_has(label, "STUN|RTP|RTCP|SRTP|DTLS|SIP|H323|IAX|"
			 "WhatsAppCall|Zoom|Skype_TeamsCall|Skype_Teams|"
			 "Teams|FaceTime|GoogleCall|GoogleMeet|ViberVoip|"
			 "Viber|SignalVoip|TelegramVoip|Discord|Webex|"
			 "Jitsi|Line_Call|LineCall|WeChat|IMO|Wire|Threema");
}

bool ph_bd_label_is_discovery(const char *label)
{
	return label_has(label, "MDNS|SSDP|LLMNR|NetBIOS|DHCP|DHCPV6|"
			 "Dropbox|UPnP|WSD|BJNP|CiscoVPN_LSD|BitTorrent_LSD|"
			 "IGMP|ICMPV6|ARP|Syslog|SNMP|NTP|CAPWAP|"
			 "TPLINK_SHP|Ubiquiti|TuyaLP|Spotify");
}

bool ph_bd_label_is_app(const char *label)
{
	const char *dot = strchr(label, '.');
	if (dot)
		return dot[1] != '\0' && strcasecmp(dot + 1, "Unknown") != 0;
	return label[0] && !label_has(label, "Unknown|TLS|HTTP|QUIC|DNS|"
				      "SSH|HTTP_Proxy|SOCKS|ICMP|ICMPV6");
}

bool ph_bd_port_in(const uint16_t *v, size_t n, uint16_t port)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == port)
			return true;
	return false;
}

double ph_bd_entropy(const uint16_t hist[256], uint32_t n)
{
	if (n == 0)
		return 0;
	double h = 0;
	for (unsigned i = 0; i < 256; i++) {
		if (!hist[i])
			continue;
		double p = (double)hist[i] / n;
		h -= p * log2(p);
	}
	return h;
}

int ph_bd_table_init(struct ph_bd_table *t, uint32_t max)
{
	memset(t, 0, sizeof *t);
	uint32_t cap = 16;
	while (cap < 2 * max && cap < (1u << 30))
		cap <<= 1;
	t->v = calloc(cap, sizeof *t->v);
	if (!t->v)
		return -1;
	t->cap = cap;
	t->max = max;
	return 0;
}

void ph_bd_table_free(struct ph_bd_table *t)
{
	free(t->v);
	t->v = NULL;
}

static uint32_t hash_key(const uint8_t *d, const uint8_t *r, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ d[i]) * 16777619u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ r[i]) * 16777619u;
	return h;
}

struct ph_bd_agg *ph_bd_table_get(struct ph_bd_table *t,
				  const struct ph_conn *c, int side)
{
	const uint8_t *d = side ? c->resp_addr : c->orig_addr;
	const uint8_t *r = side ? c->orig_addr : c->resp_addr;
	size_t n = c->ipver == 4 ? 4 : 16;
	uint32_t i = hash_key(d, r, n) & (t->cap - 1);
	for (;; i = (i + 1) & (t->cap - 1)) {
		struct ph_bd_agg *a = &t->v[i];
		if (!a->used)
			break;
		if (a->ipver == c->ipver && memcmp(a->dev, d, n) == 0 &&
		    memcmp(a->rem, r, n) == 0)
			return a;
	}
	if (t->n >= t->max) {
		t->dropped++;
		return NULL;
	}
	struct ph_bd_agg *a = &t->v[i];
	a->used = 1;
	a->ipver = c->ipver;
	memcpy(a->dev, d, n);
	memcpy(a->rem, r, n);
	t->n++;
	return a;
}

void ph_bd_agg_note(struct ph_bd_agg *a, const struct ph_event *ev, int side)
{
	const struct ph_conn *c = ev->conn;
	if (a->conns++ == 0) {
		a->first_ns = c->start_ns;
		a->port = side ? c->orig_port : c->resp_port;
		a->proto = c->proto;
		a->file_idx = ev->file_idx;
		snprintf(a->uid, sizeof a->uid, "%s", c->uid);
		if (side == 0 && c->has_mac)
			snprintf(a->mac, sizeof a->mac,
				 "%02x:%02x:%02x:%02x:%02x:%02x",
				 c->orig_mac[0], c->orig_mac[1], c->orig_mac[2],
				 c->orig_mac[3], c->orig_mac[4], c->orig_mac[5]);
	}
	if (c->start_ns < a->first_ns)
		a->first_ns = c->start_ns;
	if (c->last_ns > a->last_ns)
		a->last_ns = c->last_ns;
	a->last_pkt = ev->pkt_no;
	a->out += c->dir[side ? 1 : 0].bytes;
	a->in += c->dir[side ? 0 : 1].bytes;
	if (!a->label[0] && c->app_label[0])
		snprintf(a->label, sizeof a->label, "%s", c->app_label);
}

void ph_bd_agg_evidence(struct ph_finding *f, const struct ph_bd_agg *a,
			bool inbound)
{
	int af = a->ipver == 6 ? AF_INET6 : AF_INET;
	if (!inet_ntop(af, a->dev, f->device, sizeof f->device))
		snprintf(f->device, sizeof f->device, "?");
	if (!inet_ntop(af, a->rem, f->remote, sizeof f->remote))
		snprintf(f->remote, sizeof f->remote, "?");
	snprintf(f->device_mac, sizeof f->device_mac, "%s", a->mac);
	snprintf(f->uid, sizeof f->uid, "%s", a->uid);
	snprintf(f->matched, sizeof f->matched, "%s", f->remote);
	snprintf(f->field, sizeof f->field, "%s",
		 inbound ? "conn.orig_h" : "conn.resp_h");
	f->remote_port = a->port;
	f->proto = a->proto;
	f->first_ns = a->first_ns;
	f->last_ns = a->last_ns;
	f->last_pkt = a->last_pkt;
	f->file_idx = a->file_idx;
	f->count = a->conns > UINT32_MAX ? UINT32_MAX : (uint32_t)a->conns;
}
