/* Detection "cleartext_creds": logins sent without encryption in FTP
 * (USER/PASS), POP3 (USER/PASS, APOP, AUTH), IMAP (LOGIN, AUTHENTICATE),
 * SMTP (AUTH before any STARTTLS), Telnet (login:/Password: prompts and
 * the typed replies), LDAP (simple bind with a password) and SNMP v1/v2c
 * (community strings). Protocols are recognised by content (banners,
 * commands, BER) with the port as a hint. In-order TCP bytes are cut into
 * lines in a bounded per-flow record kept in the flow's slot
 * PH_SLOT_CLEARTEXT_CREDS (at most max_flows at once; overflow counted),
 * freed at FLOW_END. Passwords are never copied: only user names and the fact
 * that a secret was sent. Wording in cleartext_creds_text.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/cleartext_creds.h"
#include "peephole/module.h"

extern const struct ph_module ph_cleartext_creds_module;

#define CC_LINE 384u

enum cc_sasl {
	SASL_NONE, SASL_PLAIN, SASL_LOGIN_USER, SASL_LOGIN_PASS, SASL_TOKEN,
	SASL_CHALLENGE,
};

struct cc_flow {
	enum cc_proto proto;
	bool stop;                /* STARTTLS / AUTH TLS: encrypted from here */
	bool data;                /* SMTP DATA: message text until "." */
	char line[2][CC_LINE];
	uint16_t nline[2];
	bool overflow[2];
	char user[96];            /* from USER / a login prompt */
	enum cc_sasl sasl;
	char mech[24];
	char tag[32];             /* IMAP tag of the pending login */
	int telnet;               /* 1 after "login:", 2 after "Password:" */
	uint8_t iac[2];           /* Telnet IAC parser state per direction */
	char tail[16];            /* server's last characters (Telnet) */
	uint32_t typed;
	struct cc_cred cred;
};

struct cc_state {
	struct ph_detect_base base;
	unsigned n, max;          /* records alive, at most */
	bool anon;                /* report anonymous / default logins */
	uint64_t flows, table_full, logins, snmp;
};

static const struct ph_module_option cc_options[] = {
	{"max_flows", 1024, 16, 1048576, "count",
	 "login-protocol connections followed at the same time"},
	{"report_anonymous", 1, 0, 1, "bool",
	 "report anonymous FTP logins and SNMP default communities (info)"},
	{NULL, 0, 0, 0, NULL, NULL},
};

/* ---- per-flow records, in the flow's slot ---- */

/* The flow's record, created when `add` (NULL when max_flows records are
 * alive or out of memory: counted). */
static struct cc_flow *cc_get(struct cc_state *st, const struct ph_event *ev,
			      bool add)
{
	if (!ev->slots)
		return NULL;
	struct cc_flow **slot =
		(struct cc_flow **)&ev->slots[PH_SLOT_CLEARTEXT_CREDS];
	if (*slot || !add)
		return *slot;
	if (st->n >= st->max || !(*slot = calloc(1, sizeof **slot))) {
		st->table_full++;
		return NULL;
	}
	st->n++;
	st->flows++;
	return *slot;
}

static void cc_del(struct cc_state *st, const struct ph_event *ev)
{
	struct cc_flow **slot =
		(struct cc_flow **)&ev->slots[PH_SLOT_CLEARTEXT_CREDS];
	free(*slot);
	*slot = NULL;
	st->n--;
}

/* ---- helpers ---- */

static bool cc_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	return strncasecmp(s, w, n) == 0 && (s[n] == ' ' || s[n] == '\0');
}

/* The n-th space-separated token of s into out (quotes stripped). */
static void cc_token(const char *s, unsigned n, char *out, size_t cap)
{
	out[0] = '\0';
	for (unsigned i = 0; i < n && *s; i++) {
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
	size_t k = 0;
	if (*s == '"')
		s++;
	while (*s && *s != ' ' && *s != '"' && k + 1 < cap)
		out[k++] = *s++;
	out[k] = '\0';
}

static int cc_b64v(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static size_t cc_b64(const char *s, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t w = 0;
	for (; *s && w < cap; s++) {
		int v = cc_b64v((unsigned char)*s);
		if (v < 0)
			break;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[w++] = (uint8_t)((acc >> bits) & 0xff);
		}
	}
	return w;
}

/* Printable copy of p[0..n) into out. */
static void cc_print(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < cap; i++)
		out[k++] = (p[i] < 0x20 || p[i] > 0x7e) ? '?' : (char)p[i];
	out[k] = '\0';
}

/* SASL PLAIN "authzid\0authcid\0password": the authcid only. */
static void cc_plain_user(const char *b64, char *out, size_t cap)
{
	uint8_t d[300];
	size_t n = cc_b64(b64, d, sizeof d);
	const uint8_t *z = memchr(d, 0, n);
	const uint8_t *u = z ? z + 1 : d;
	const uint8_t *e = memchr(u, 0, n - (size_t)(u - d));
	cc_print(u, e ? (size_t)(e - u) : 0, out, cap);
}

/* XOAUTH2 "user=NAME\1auth=Bearer ...": NAME only. */
static void cc_token_user(const char *b64, char *out, size_t cap)
{
	uint8_t d[300];
	size_t n = cc_b64(b64, d, sizeof d);
	out[0] = '\0';
	if (n > 5 && memcmp(d, "user=", 5) == 0) {
		const uint8_t *e = memchr(d + 5, 1, n - 5);
		cc_print(d + 5, e ? (size_t)(e - d - 5) : 0, out, cap);
	}
}

/* ---- credentials ---- */

static void cc_cred_start(struct cc_flow *f, const struct ph_event *ev,
			  enum cc_kind k, const char *user, const char *mech)
{
	struct cc_cred *c = &f->cred;
	c->pending = true;
	c->kind = k;
	snprintf(c->user, sizeof c->user, "%s", user);
	snprintf(c->mech, sizeof c->mech, "%s", mech);
	c->ts_ns = ev->ts_ns;
	c->pkt_no = ev->pkt_no;
	c->file_idx = ev->file_idx;
}

static void cc_cred_end(struct cc_state *st, struct cc_flow *f,
			const struct ph_event *ev, enum cc_outcome o)
{
	if (!f->cred.pending)
		return;
	f->cred.pending = false;
	st->logins++;
	if (!st->anon && f->cred.kind == CC_ANONYMOUS)
		return;
	ph_cc_report(&st->base, ev, f->proto == CC_220 ? CC_FTP : f->proto,
		     &f->cred, o);
}

/* ---- server lines: banners and login verdicts ---- */

static enum cc_outcome cc_verdict(const struct cc_flow *f, const char *l,
				  bool *final)
{
	*final = true;
	switch (f->proto) {
	case CC_FTP: case CC_SMTP: case CC_220:
		if (l[0] == '2')
			return CC_ACCEPTED;
		if (l[0] == '4' || l[0] == '5')
			return CC_REFUSED;
		break;
	case CC_POP3:
		if (strncmp(l, "+OK", 3) == 0)
			return CC_ACCEPTED;
		if (strncmp(l, "-ERR", 4) == 0)
			return CC_REFUSED;
		break;
	case CC_IMAP: {
		size_t t = strlen(f->tag);
		if (t && strncmp(l, f->tag, t) == 0 && l[t] == ' ')
			return strncasecmp(l + t + 1, "OK", 2) == 0 ?
				CC_ACCEPTED : CC_REFUSED;
		break;
	}
	default: break;
	}
	*final = false;
	return CC_UNKNOWN;
}

static void cc_server_line(struct cc_state *st, struct cc_flow *f,
			   const struct ph_event *ev, const char *l)
{
	if (f->proto == CC_NONE) {
		if (strncmp(l, "+OK", 3) == 0)
			f->proto = CC_POP3;
		else if (strncmp(l, "* OK", 4) == 0 ||
			 strncmp(l, "* PREAUTH", 9) == 0)
			f->proto = CC_IMAP;
		else if (strncmp(l, "220", 3) == 0)
			f->proto = strstr(l, "SMTP") ? CC_SMTP :
				   strstr(l, "FTP") ? CC_FTP : CC_220;
		return;
	}
	bool final;
	enum cc_outcome o = cc_verdict(f, l, &final);
	if (f->cred.pending && final)
		cc_cred_end(st, f, ev, o);
}

/* ---- client lines: commands ---- */

/* A SASL mechanism name we know (anything else after AUTH could be a
 * password, e.g. Redis "AUTH secret", and is never echoed). */
static bool cc_mech_known(const char *m)
{
	static const char *const known[] = {
		"PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER", "CRAM-MD5",
		"DIGEST-MD5", "NTLM", "GSSAPI", "EXTERNAL", "ANONYMOUS", NULL};
	for (unsigned i = 0; known[i]; i++)
		if (strcasecmp(m, known[i]) == 0)
			return true;
	return strncasecmp(m, "SCRAM-", 6) == 0 && strlen(m) < 20;
}

/* A SASL exchange started by AUTH / AUTHENTICATE <mech> [initial]. */
static void cc_sasl_start(struct cc_flow *f, const struct ph_event *ev,
			  const char *mech, const char *ir)
{
	if (!cc_mech_known(mech))
		return;
	if (strcasecmp(mech, "ANONYMOUS") == 0 ||
	    strcasecmp(mech, "EXTERNAL") == 0)
		return; /* no secret */
	snprintf(f->mech, sizeof f->mech, "AUTH %s", mech);
	char user[96] = "";
	bool has_ir = ir[0] && strcmp(ir, "=") != 0;
	f->sasl = SASL_NONE;
	if (strcasecmp(mech, "PLAIN") == 0) {
		if (!has_ir) {
			f->sasl = SASL_PLAIN;
			return;
		}
		cc_plain_user(ir, user, sizeof user);
		cc_cred_start(f, ev, CC_PASSWORD, user, f->mech);
	} else if (strcasecmp(mech, "LOGIN") == 0) {
		if (has_ir)
			cc_plain_user(ir, f->user, sizeof f->user);
		f->sasl = has_ir ? SASL_LOGIN_PASS : SASL_LOGIN_USER;
	} else if (strcasecmp(mech, "XOAUTH2") == 0 ||
		   strcasecmp(mech, "OAUTHBEARER") == 0) {
		if (!has_ir) {
			f->sasl = SASL_TOKEN;
			return;
		}
		cc_token_user(ir, user, sizeof user);
		cc_cred_start(f, ev, CC_TOKEN, user, f->mech);
	} else {
		f->sasl = SASL_CHALLENGE;
	}
}

/* A client line while a SASL exchange waits for data. */
static void cc_sasl_line(struct cc_flow *f, const struct ph_event *ev,
			 const char *l)
{
	char user[96] = "";
	enum cc_sasl s = f->sasl;
	f->sasl = SASL_NONE;
	if (strcmp(l, "*") == 0)
		return;
	switch (s) {
	case SASL_PLAIN:
		cc_plain_user(l, user, sizeof user);
		cc_cred_start(f, ev, CC_PASSWORD, user, f->mech);
		break;
	case SASL_LOGIN_USER: {
		uint8_t d[96];
		cc_print(d, cc_b64(l, d, sizeof d - 1), f->user, sizeof f->user);
		f->sasl = SASL_LOGIN_PASS;
		break;
	}
	case SASL_LOGIN_PASS:
		cc_cred_start(f, ev, CC_PASSWORD, f->user, f->mech);
		break;
	case SASL_TOKEN:
		cc_token_user(l, user, sizeof user);
		cc_cred_start(f, ev, CC_TOKEN, user, f->mech);
		break;
	case SASL_CHALLENGE: {
		uint8_t d[96];
		size_t n = cc_b64(l, d, sizeof d - 1);
		const uint8_t *sp = memchr(d, ' ', n); /* CRAM-MD5 "user hex" */
		cc_print(d, sp ? (size_t)(sp - d) : 0, user, sizeof user);
		cc_cred_start(f, ev, CC_CHALLENGE, user, f->mech);
		break;
	}
	default: break;
	}
}

static void cc_user_pass(struct cc_flow *f, const struct ph_event *ev,
			 const char *l)
{
	if (cc_word(l, "USER")) {
		cc_token(l, 1, f->user, sizeof f->user);
		if (f->proto == CC_220)
			f->proto = CC_FTP;
	} else if (cc_word(l, "PASS")) {
		bool anon = f->proto != CC_POP3 &&
			    (strcasecmp(f->user, "anonymous") == 0 ||
			     strcasecmp(f->user, "ftp") == 0);
		cc_cred_start(f, ev, anon ? CC_ANONYMOUS : CC_PASSWORD, f->user,
			      "USER/PASS");
	} else if (cc_word(l, "APOP") && f->proto == CC_POP3) {
		char user[96];
		cc_token(l, 1, user, sizeof user);
		cc_cred_start(f, ev, CC_CHALLENGE, user, "APOP");
	}
}

static void cc_imap_line(struct cc_flow *f, const struct ph_event *ev,
			 const char *l)
{
	char tag[32], cmd[24], a[96], b[96];
	cc_token(l, 0, tag, sizeof tag);
	cc_token(l, 1, cmd, sizeof cmd);
	if (strcasecmp(cmd, "STARTTLS") == 0) {
		f->stop = true;
	} else if (strcasecmp(cmd, "LOGIN") == 0) {
		cc_token(l, 2, a, sizeof a);
		snprintf(f->tag, sizeof f->tag, "%s", tag);
		cc_cred_start(f, ev, CC_PASSWORD, a[0] == '{' ? "(literal)" : a,
			      "LOGIN");
	} else if (strcasecmp(cmd, "AUTHENTICATE") == 0) {
		cc_token(l, 2, a, sizeof a);
		cc_token(l, 3, b, sizeof b);
		snprintf(f->tag, sizeof f->tag, "%s", tag);
		cc_sasl_start(f, ev, a, b);
	}
}

static void cc_client_line(struct cc_flow *f, const struct ph_event *ev,
			   const char *l)
{
	if (f->sasl != SASL_NONE) {
		cc_sasl_line(f, ev, l);
		return;
	}
	if (f->data) {
		f->data = strcmp(l, ".") != 0;
		return;
	}
	if (f->proto == CC_IMAP) {
		cc_imap_line(f, ev, l);
		return;
	}
	if (f->proto == CC_220 && (cc_word(l, "EHLO") || cc_word(l, "HELO")))
		f->proto = CC_SMTP;
	char a[32], b[300];
	cc_token(l, 1, a, sizeof a);
	if (cc_word(l, "STARTTLS") || cc_word(l, "STLS") ||
	    (cc_word(l, "AUTH") && f->proto != CC_SMTP && f->proto != CC_POP3 &&
	     (strcasecmp(a, "TLS") == 0 || strcasecmp(a, "SSL") == 0))) {
		f->stop = true;
	} else if (cc_word(l, "AUTH") && a[0]) {
		cc_token(l, 2, b, sizeof b);
		cc_sasl_start(f, ev, a, b);
	} else if (cc_word(l, "DATA") && f->proto == CC_SMTP) {
		f->data = true;
	} else {
		cc_user_pass(f, ev, l);
	}
}

/* Bytes of one direction cut into lines (CR LF or LF). */
static void cc_lines(struct cc_state *st, struct cc_flow *f,
		     const struct ph_event *ev, const uint8_t *p, uint32_t n)
{
	int d = ev->dir;
	for (uint32_t i = 0; i < n && !f->stop; i++) {
		if (p[i] != '\n') {
			if (f->nline[d] + 1u < CC_LINE)
				f->line[d][f->nline[d]++] = (char)p[i];
			else
				f->overflow[d] = true;
			continue;
		}
		char *l = f->line[d];
		uint16_t k = f->nline[d];
		if (k && l[k - 1] == '\r')
			k--;
		l[k] = '\0';
		if (!f->overflow[d]) {
			if (d == PH_DIR_ORIG)
				cc_client_line(f, ev, l);
			else
				cc_server_line(st, f, ev, l);
		}
		f->nline[d] = 0;
		f->overflow[d] = false;
	}
}

/* ---- Telnet ---- */

/* Next byte after Telnet option negotiation is removed, or -1. */
static int cc_iac(uint8_t *st, uint8_t c)
{
	switch (*st) {
	case 0:
		if (c != 255)
			return c;
		*st = 1;
		return -1;
	case 1:
		*st = (c >= 251 && c <= 254) ? 2 : c == 250 ? 3 : 0;
		return c == 255 ? 255 : -1;
	case 2: *st = 0; return -1;
	case 3: *st = c == 255 ? 4 : 3; return -1;
	default: *st = c == 240 ? 0 : 3; return -1;
	}
}

static bool cc_tail_is(const struct cc_flow *f, const char *w)
{
	size_t n = strlen(f->tail), k = strlen(w);
	return n >= k && strcmp(f->tail + n - k, w) == 0;
}

static void cc_telnet_server(struct cc_flow *f, int c)
{
	if (c < 0x20 || c > 0x7e)
		return;
	size_t n = strlen(f->tail);
	if (n + 1 >= sizeof f->tail) {
		memmove(f->tail, f->tail + 1, n);
		n--;
	}
	f->tail[n] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	f->tail[n + 1] = '\0';
	if (c != ':')
		return;
	if (cc_tail_is(f, "login:") || cc_tail_is(f, "username:") ||
	    cc_tail_is(f, "user name:")) {
		f->telnet = 1;
		f->user[0] = '\0';
		f->typed = 0;
	} else if (cc_tail_is(f, "password:") || cc_tail_is(f, "passcode:")) {
		f->telnet = 2;
		f->typed = 0;
	}
}

static void cc_telnet_client(struct cc_state *st, struct cc_flow *f,
			     const struct ph_event *ev, int c)
{
	if (c == '\r' || c == '\n' || c == 0) {
		if (f->telnet == 2 && f->typed) {
			cc_cred_start(f, ev, CC_PASSWORD, f->user,
				      "login prompt");
			cc_cred_end(st, f, ev, CC_UNKNOWN);
		}
		if (f->typed)
			f->telnet = 0;
		return;
	}
	if (c < 0x20 || c > 0x7e || !f->telnet)
		return;
	size_t n = strlen(f->user);
	if (f->telnet == 1 && n + 1 < sizeof f->user) {
		f->user[n] = (char)c;
		f->user[n + 1] = '\0';
	}
	f->typed++;
}

static void cc_telnet(struct cc_state *st, struct cc_flow *f,
		      const struct ph_event *ev, const uint8_t *p, uint32_t n)
{
	uint8_t *iac = &f->iac[ev->dir];
	for (uint32_t i = 0; i < n; i++) {
		int c = cc_iac(iac, p[i]);
		if (c < 0)
			continue;
		if (ev->dir == PH_DIR_RESP)
			cc_telnet_server(f, c);
		else
			cc_telnet_client(st, f, ev, c);
	}
}

/* ---- BER (LDAP, SNMP) ---- */

/* Reads one BER header at *p; returns the tag and sets *len, advancing
 * *p past the header, or -1 when it does not fit in end. */
static int cc_ber(const uint8_t **p, const uint8_t *end, size_t *len)
{
	const uint8_t *q = *p;
	if (end - q < 2)
		return -1;
	int tag = q[0];
	size_t l = q[1];
	q += 2;
	if (l & 0x80) {
		unsigned k = l & 0x7f;
		if (k == 0 || k > 3 || (size_t)(end - q) < k)
			return -1;
		for (l = 0; k--; q++)
			l = (l << 8) | *q;
	}
	*p = q;
	*len = l;
	return tag;
}

/* LDAP bindRequest with simple authentication and a password: DN out. */
static bool cc_ldap_bind(const uint8_t *p, size_t n, char *dn, size_t cap)
{
	const uint8_t *end = p + n;
	size_t l;
	if (cc_ber(&p, end, &l) != 0x30 || cc_ber(&p, end, &l) != 0x02 ||
	    l > 4 || (size_t)(end - p) < l)
		return false;
	p += l;
	if (cc_ber(&p, end, &l) != 0x60 || cc_ber(&p, end, &l) != 0x02 ||
	    l != 1 || p >= end || *p < 1 || *p > 3)
		return false;
	p += 1;
	if (cc_ber(&p, end, &l) != 0x04 || (size_t)(end - p) < l)
		return false;
	cc_print(p, l, dn, cap);
	p += l;
	return cc_ber(&p, end, &l) == 0x80 && l > 0;
}

/* SNMP v1/v2c message: version and community (masked) into out. */
static bool cc_snmp(const uint8_t *p, size_t n, char *out, size_t cap,
		    bool *deflt)
{
	const uint8_t *end = p + n;
	size_t l;
	if (cc_ber(&p, end, &l) != 0x30 || cc_ber(&p, end, &l) != 0x02 ||
	    l != 1 || p >= end || *p > 1)
		return false;
	int ver = *p++;
	if (cc_ber(&p, end, &l) != 0x04 || (size_t)(end - p) < l || l == 0 ||
	    l > 255 || p + l >= end)
		return false;
	*deflt = (l == 6 && memcmp(p, "public", 6) == 0) ||
		 (l == 7 && memcmp(p, "private", 7) == 0);
	size_t k = 0;
	k += (size_t)snprintf(out, cap, "v%s community ", ver ? "2c" : "1");
	if (*deflt) {
		cc_print(p, l, out + k, cap - k);
		return true;
	}
	out[k++] = (p[0] >= 0x20 && p[0] < 0x7f) ? (char)p[0] : '?';
	for (size_t i = 1; i < l && k + 1 < cap && i < 16; i++)
		out[k++] = '*';
	out[k] = '\0';
	return true;
}

/* ---- LDAP bind ---- */

/* bindResponse resultCode: 0 success, else refused; -1 not one. */
static int cc_ldap_result(const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n;
	size_t l;
	if (cc_ber(&p, end, &l) != 0x30 || cc_ber(&p, end, &l) != 0x02 ||
	    (size_t)(end - p) < l)
		return -1;
	p += l;
	if (cc_ber(&p, end, &l) != 0x61 || cc_ber(&p, end, &l) != 0x0a ||
	    l != 1 || p >= end)
		return -1;
	return *p;
}

static void cc_ldap(struct cc_state *st, struct cc_flow *f,
		    const struct ph_event *ev, const uint8_t *p, uint32_t n)
{
	char dn[96];
	if (ev->dir == PH_DIR_ORIG) {
		if (cc_ldap_bind(p, n, dn, sizeof dn)) {
			cc_cred_end(st, f, ev, CC_UNKNOWN);
			cc_cred_start(f, ev, CC_PASSWORD, dn, "simple bind");
		}
		return;
	}
	int r = f->cred.pending ? cc_ldap_result(p, n) : -1;
	if (r >= 0)
		cc_cred_end(st, f, ev, r == 0 ? CC_ACCEPTED : CC_REFUSED);
}

/* ---- recognising a login protocol at the start of a stream ---- */

static enum cc_proto cc_by_port(uint16_t port)
{
	switch (port) {
	case 21: return CC_FTP;
	case 23: case 2323: return CC_TELNET;
	case 25: case 587: case 2525: return CC_SMTP;
	case 110: return CC_POP3;
	case 143: return CC_IMAP;
	case 389: case 3268: return CC_LDAP;
	default: return CC_NONE;
	}
}

/* The protocol the first bytes of a direction show; CC_NONE for a line
 * banner decided later; -1 for nothing of ours. */
static int cc_by_content(const struct ph_event *ev)
{
	const uint8_t *p = ev->u.stream.data;
	uint32_t n = ev->u.stream.len;
	char dn[8];
	if (n >= 2 && p[0] == 255 && p[1] >= 251 && p[1] <= 254)
		return CC_TELNET;
	if (ev->dir == PH_DIR_ORIG)
		return cc_ldap_bind(p, n, dn, sizeof dn) ? CC_LDAP : -1;
	if (n >= 4 && (memcmp(p, "+OK", 3) == 0 || memcmp(p, "* OK", 4) == 0 ||
		       (memcmp(p, "220", 3) == 0 &&
			(p[3] == ' ' || p[3] == '-'))))
		return CC_NONE;
	return -1;
}

static struct cc_flow *cc_flow_for(struct cc_state *st,
				   const struct ph_event *ev)
{
	struct cc_flow *f = cc_get(st, ev, false);
	if (f || ev->u.stream.offset != 0 || ev->u.stream.len == 0)
		return f;
	int proto = cc_by_port(ev->conn->resp_port);
	if (proto == CC_NONE)
		proto = cc_by_content(ev);
	if (proto < 0)
		return NULL;
	f = cc_get(st, ev, true);
	if (f)
		f->proto = (enum cc_proto)proto;
	return f;
}

static void cc_stream(struct cc_state *st, const struct ph_event *ev)
{
	struct cc_flow *f = cc_flow_for(st, ev);
	if (!f || f->stop)
		return;
	const uint8_t *p = ev->u.stream.data;
	uint32_t n = ev->u.stream.len;
	if (f->proto == CC_TELNET)
		cc_telnet(st, f, ev, p, n);
	else if (f->proto == CC_LDAP)
		cc_ldap(st, f, ev, p, n);
	else
		cc_lines(st, f, ev, p, n);
}

static void cc_datagram(struct cc_state *st, const struct ph_event *ev)
{
	const struct ph_conn *c = ev->conn;
	if (ev->dir != PH_DIR_ORIG ||
	    (c->resp_port != 161 && c->resp_port != 162))
		return;
	struct cc_cred cred;
	bool deflt = false;
	memset(&cred, 0, sizeof cred);
	if (!cc_snmp(ev->u.datagram.data, ev->u.datagram.len, cred.user,
		     sizeof cred.user, &deflt))
		return;
	st->snmp++;
	if (deflt && !st->anon)
		return;
	cred.kind = deflt ? CC_COMMUNITY_DEFAULT : CC_COMMUNITY;
	snprintf(cred.mech, sizeof cred.mech, "%s",
		 c->resp_port == 162 ? "trap" : "request");
	cred.ts_ns = ev->ts_ns;
	cred.pkt_no = ev->pkt_no;
	cred.file_idx = ev->file_idx;
	ph_cc_report(&st->base, ev, CC_SNMP, &cred, CC_UNKNOWN);
}

static void cc_on_event(void *state, const struct ph_event *ev)
{
	struct cc_state *st = state;
	if (!ev->conn)
		return;
	if (ev->kind == PH_EV_STREAM) {
		cc_stream(st, ev);
	} else if (ev->kind == PH_EV_DATAGRAM) {
		cc_datagram(st, ev);
	} else if (ev->kind == PH_EV_FLOW_END) {
		struct cc_flow *f = cc_get(st, ev, false);
		if (f) {
			cc_cred_end(st, f, ev, CC_UNKNOWN);
			cc_del(st, ev);
		}
	}
}

static int cc_init(const struct ph_module_env *env, void **state,
		   struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	const struct ph_module *me = &ph_cleartext_creds_module;
	struct cc_state *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	st->max = (unsigned)ph_module_option(env, me, "max_flows");
	st->base = base;
	st->anon = ph_module_option(env, me, "report_anonymous") != 0;
	*state = st;
	return PH_OK;
}

static unsigned cc_counters(const void *state, struct ph_module_counter *out,
			    unsigned max)
{
	const struct cc_state *st = state;
	const struct ph_module_counter c[] = {
		{"login_flows_followed", st->flows},
		{"login_flows_not_followed", st->table_full},
		{"cleartext_logins", st->logins},
		{"snmp_messages", st->snmp},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void cc_destroy(void *state)
{
	free(state);
}

const struct ph_module ph_cleartext_creds_module = {
	.name = "cleartext_creds",
	.summary = "logins sent without encryption: FTP, Telnet, POP3, IMAP, "
		   "SMTP AUTH, LDAP simple bind, SNMP communities",
	.mask = PH_EV_STREAM | PH_EV_DATAGRAM | PH_EV_FLOW_END,
	.init = cc_init,
	.on_event = cc_on_event,
	.counters = cc_counters,
	.destroy = cc_destroy,
	.options = cc_options,
	.detection = true,
};
