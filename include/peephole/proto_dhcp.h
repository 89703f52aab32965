/* DHCP (v4) event payload (PH_EV_DHCP): one BOOTP/DHCP message (RFC 2131,
 * options RFC 2132) parsed from a UDP datagram on port 67, 68 or 4011 with
 * the magic cookie 99.130.83.99, emitted by src/proto/dhcp.c. Fixed-size
 * fields, no pointers: everything is borrowed by subscribers for the
 * duration of the callback. Options repeated in one message: the last one
 * wins (as in Zeek); option overload (52) is counted, not followed. */
#ifndef PEEPHOLE_PROTO_DHCP_H
#define PEEPHOLE_PROTO_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PH_DHCP_MAX_ADDRS 4    /* routers / DNS servers kept */
#define PH_DHCP_MAX_CODES 64   /* option codes listed in wire order */
#define PH_DHCP_MAC_TEXT 24    /* "aa:bb:cc:dd:ee:ff:00:11" + NUL */

/* Message types (option 53; RFC 2131, 3203, 4388, 6926, 7724). */
enum ph_dhcp_type {
	PH_DHCP_NONE = 0, PH_DHCP_DISCOVER = 1, PH_DHCP_OFFER = 2,
	PH_DHCP_REQUEST = 3, PH_DHCP_DECLINE = 4, PH_DHCP_ACK = 5,
	PH_DHCP_NAK = 6, PH_DHCP_RELEASE = 7, PH_DHCP_INFORM = 8,
};

/* A string option: up to 255 bytes as sent (may hold any byte, NULs
 * included), NUL-terminated after len. */
struct ph_dhcp_str {
	bool present;
	uint8_t len;
	char s[256];
};

struct ph_dhcp_msg {
	/* fixed header */
	uint8_t op;                /* 1 BOOTREQUEST, 2 BOOTREPLY */
	uint8_t htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;
	uint8_t ciaddr[4], yiaddr[4], siaddr[4], giaddr[4];
	uint8_t chaddr[16];        /* raw; the MAC is the first hlen bytes */
	/* Zeek's rendering of chaddr (fmt_mac over all 16 bytes): 6 bytes
	 * "aa:bb:cc:dd:ee:ff" unless bytes 6-7 are non-zero (then 8). */
	char chaddr_text[PH_DHCP_MAC_TEXT];
	bool from_client;          /* Zeek's is_client: sent by the conn's
				      originator and (orig_h 0.0.0.0, orig_p
				      68 or resp_p 67) */
	/* options */
	uint8_t msg_type;          /* option 53, 0 when absent */
	bool has_requested_ip;     /* option 50 */
	uint8_t requested_ip[4];
	bool has_server_id;        /* option 54 */
	uint8_t server_id[4];
	bool has_lease;            /* option 51 */
	uint32_t lease_secs;
	bool has_subnet_mask;      /* option 1 */
	uint8_t subnet_mask[4];
	uint8_t nrouters, ndns;    /* options 3 and 6: first 4 kept */
	uint8_t routers[PH_DHCP_MAX_ADDRS][4];
	uint8_t dns[PH_DHCP_MAX_ADDRS][4];
	struct ph_dhcp_str hostname;     /* option 12 */
	struct ph_dhcp_str domain;       /* option 15 */
	struct ph_dhcp_str vendor_class; /* option 60 */
	struct ph_dhcp_str client_id;    /* option 61: type byte + id */
	struct ph_dhcp_str message;      /* option 56 */
	struct ph_dhcp_str fqdn;         /* option 81 name (after the flags
					    and two rcode bytes, as sent) */
	uint8_t fqdn_flags;
	uint8_t nprl;                    /* option 55: parameter request */
	uint8_t prl[255];                /* list, bytes in order */
	uint8_t ncodes;                  /* option codes in wire order */
	uint8_t codes[PH_DHCP_MAX_CODES];/* (pad/end not listed; cut) */
	/* parse outcome */
	bool overload;             /* option 52 present: sname/file hold
				      options too (not read) */
	bool truncated;            /* an option ran past the datagram */
	bool no_end;               /* options ended without END (255) */
};

/* Zeek's fmt_mac: text of a 6- or 8-byte hardware address into out
 * (PH_DHCP_MAC_TEXT bytes); "" when len is neither 6 nor >= 8. Returns
 * the text length. */
size_t ph_dhcp_fmt_mac(const uint8_t *m, size_t len,
		       char out[PH_DHCP_MAC_TEXT]);

/* Zeek's DHCP::message_types name ("DISCOVER"), or
 * "unknown-message-type-<n>" written into buf (32 bytes). */
const char *ph_dhcp_type_name(uint8_t type, char buf[32]);

/* Parses one DHCP datagram into m. 0, or -1 when it is not DHCP (shorter
 * than the 240-byte header + cookie, or a wrong cookie); m->from_client
 * is left false (the module sets it from the connection). */
int ph_dhcp_parse(const uint8_t *p, size_t n, struct ph_dhcp_msg *m);

#ifdef __cplusplus
}
#endif
#endif
