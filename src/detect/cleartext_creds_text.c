/* The words of the cleartext_creds detection: per protocol and kind of
 * credential, the finding id, severity, confidence, plain-language
 * explanation and advice. The user name may be shown; a password, token
 * or full community string never is (the parser never copies them). */
#include <stdio.h>
#include <string.h>

#include "detect/cleartext_creds.h"

struct cc_proto_text {
	const char *name, *id, *field, *label;
	const char *benign;   /* how often ordinary phones do this */
};

static const struct cc_proto_text cc_protos[] = {
	[CC_NONE] = {"?", "cleartext_creds.other", "conn", "?", ""},
	[CC_FTP] = {"ftp", "cleartext_creds.ftp", "ftp.user", "FTP",
		"Phones rarely use FTP; file-manager apps and some cameras or "
		"NAS boxes still do."},
	[CC_POP3] = {"pop3", "cleartext_creds.pop3", "pop3.user", "POP3",
		"Mail apps normally use encrypted POP3 (port 995); a mail "
		"account set up without encryption is an old-fashioned but "
		"benign mistake."},
	[CC_IMAP] = {"imap", "cleartext_creds.imap", "imap.user", "IMAP",
		"Mail apps normally use encrypted IMAP (port 993); an account "
		"set up without encryption is an old-fashioned but benign "
		"mistake."},
	[CC_SMTP] = {"smtp", "cleartext_creds.smtp", "smtp.user", "SMTP",
		"Mail apps log in to send mail only after STARTTLS or on the "
		"encrypted port; a login without it is a configuration "
		"mistake (or spam-sending malware)."},
	[CC_TELNET] = {"telnet", "cleartext_creds.telnet", "telnet.user",
		"Telnet", "Telnet is obsolete; phones use it only through "
		"terminal apps to reach old routers and devices."},
	[CC_LDAP] = {"ldap", "cleartext_creds.ldap", "ldap.bind_dn", "LDAP",
		"Phones rarely speak LDAP; company address-book or directory "
		"apps may."},
	[CC_SNMP] = {"snmp", "cleartext_creds.snmp", "snmp.community",
		"SNMP", "Printing and network-scanner apps send SNMP with the "
		"default community \"public\" to find printers; other "
		"communities are real passwords of managed equipment."},
	[CC_220] = {"ftp", "cleartext_creds.ftp", "ftp.user", "FTP", ""},
};

const char *ph_cc_proto_name(enum cc_proto p)
{
	return cc_protos[p].name;
}

static const char *cc_kind_text(enum cc_kind k)
{
	switch (k) {
	case CC_PASSWORD: return "A password was sent in cleartext (it is "
				 "not shown here): anyone on the network "
				 "path can read and reuse it.";
	case CC_TOKEN: return "An access token was sent in cleartext (not "
			      "shown here): anyone on the path can use it "
			      "to act as the user until it expires.";
	case CC_CHALLENGE: return "The login used a challenge-response "
				  "method: the password itself did not "
				  "travel, but what did can be attacked "
				  "offline.";
	case CC_ANONYMOUS: return "It was an anonymous login, which carries "
				  "no real secret; the transfer itself is "
				  "still unencrypted.";
	case CC_COMMUNITY: return "An SNMP community string (the only "
				  "password SNMP v1/v2c has) was sent in "
				  "cleartext; only its first character is "
				  "shown.";
	case CC_COMMUNITY_DEFAULT: return "The community was a well-known "
					  "default, so no secret was "
					  "exposed.";
	}
	return "";
}

static enum ph_severity cc_severity(enum cc_kind k)
{
	switch (k) {
	case CC_PASSWORD: case CC_TOKEN: return PH_SEV_MEDIUM;
	case CC_CHALLENGE: case CC_COMMUNITY: return PH_SEV_LOW;
	default: return PH_SEV_INFO;
	}
}

static const char *cc_advice(enum cc_kind k)
{
	if (k == CC_PASSWORD || k == CC_TOKEN || k == CC_COMMUNITY)
		return "Change this password (and wherever it is reused) and "
		       "switch the account to the encrypted variant of the "
		       "protocol (TLS, SSH, LDAPS, SNMPv3). If the owner does "
		       "not use this service, find the app that logs in to it.";
	return "Prefer the encrypted variant of the protocol; nothing urgent "
	       "if the owner uses this service.";
}

static const char *cc_outcome_text(enum cc_outcome o)
{
	return o == CC_ACCEPTED ? " The server accepted the login." :
	       o == CC_REFUSED ? " The server refused the login." : "";
}

void ph_cc_report(struct ph_detect_base *b, const struct ph_event *ev,
		  enum cc_proto p, const struct cc_cred *c,
		  enum cc_outcome o)
{
	int side = ph_detect_side(b, ev->conn);
	if (side < 0)
		return;
	const struct cc_proto_text *t = &cc_protos[p];
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	ph_detect_evidence(&f, ev, side);
	f.first_ns = c->ts_ns;
	f.first_pkt = c->pkt_no;
	f.file_idx = c->file_idx;
	snprintf(f.id, sizeof f.id, "%s", t->id);
	snprintf(f.field, sizeof f.field, "%s", t->field);
	snprintf(f.matched, sizeof f.matched, "%s",
		 c->user[0] ? c->user : "(no user name)");
	snprintf(f.attack, sizeof f.attack, "T1552");
	f.severity = cc_severity(c->kind);
	f.confidence = p == CC_TELNET ? PH_CONF_MEDIUM : PH_CONF_HIGH;
	snprintf(f.title, sizeof f.title, "%s %s sent without encryption",
		 t->label, p == CC_SNMP ? "community" : "login");
	size_t n = 0;
	if (p == CC_SNMP)
		ph_detect_catf(f.explain, sizeof f.explain, &n,
			       "%s an SNMP %s with the %s. ",
			       side == 0 ? "The device sent" :
			       "Another host sent the device", c->mech,
			       c->user);
	else
		ph_detect_catf(f.explain, sizeof f.explain, &n,
			       "%s %s without encryption (%s)%s%s%s. ",
			       side == 0 ? "The device logged in to a server "
					   "over" :
			       "Another host logged in to the device over",
			       t->label, c->mech, c->user[0] ? " as \"" : "",
			       c->user, c->user[0] ? "\"" : "");
	ph_detect_catf(f.explain, sizeof f.explain, &n, "%s%s %s",
		       cc_kind_text(c->kind), cc_outcome_text(o), t->benign);
	snprintf(f.advice, sizeof f.advice, "%s", cc_advice(c->kind));
	ph_detect_emit(b, &f);
}
