/* Internals of the cleartext_creds detection shared by its parser
 * (cleartext_creds.c: per-flow state, line and BER parsing) and its
 * wording (cleartext_creds_text.c: one finding per credential sighting). */
#ifndef PH_DETECT_CLEARTEXT_CREDS_H
#define PH_DETECT_CLEARTEXT_CREDS_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/detect.h"

enum cc_proto {
	CC_NONE = 0, CC_FTP, CC_POP3, CC_IMAP, CC_SMTP, CC_TELNET, CC_LDAP,
	CC_SNMP, CC_220, /* "220" banner: FTP or SMTP, decided by the client */
};

enum cc_kind {
	CC_PASSWORD,   /* the password itself (or base64 of it) */
	CC_TOKEN,      /* an OAuth bearer token */
	CC_CHALLENGE,  /* challenge-response: hash of the password */
	CC_ANONYMOUS,  /* anonymous FTP: no secret */
	CC_COMMUNITY,  /* SNMP community (the only secret SNMP v1/v2c has) */
	CC_COMMUNITY_DEFAULT, /* SNMP community "public" / "private" */
};

enum cc_outcome { CC_UNKNOWN = 0, CC_ACCEPTED, CC_REFUSED };

/* One credential seen, waiting for the server's verdict. */
struct cc_cred {
	bool pending;
	enum cc_kind kind;
	char user[96];         /* user name / DN / masked community, or "" */
	char mech[24];         /* "USER/PASS", "LOGIN", "AUTH PLAIN"... */
	uint64_t ts_ns, pkt_no;
	uint32_t file_idx;
};

const char *ph_cc_proto_name(enum cc_proto p);

/* Adds the finding for one credential of protocol p seen on ev's
 * connection (ev may be FLOW_END or any later event of the flow). */
void ph_cc_report(struct ph_detect_base *b, const struct ph_event *ev,
		  enum cc_proto p, const struct cc_cred *c,
		  enum cc_outcome o);

#endif
