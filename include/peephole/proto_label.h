/* The application label of a flow, from nDPI (src/proto/ndpi_label.c):
 * the payload of PH_EV_LABEL, emitted once per flow when nDPI has decided
 * (or given up, guessing by port/IP). Names follow ndpiReader: "TLS.Google"
 * is master protocol TLS with application Google. nDPI's own flow risks
 * come along as a second opinion for detections. Everything is borrowed:
 * valid only during the callback. */
#ifndef PEEPHOLE_PROTO_LABEL_H
#define PEEPHOLE_PROTO_LABEL_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PH_LABEL_SIZE 48      /* label buffer, NUL included (conn.log too) */
#define PH_LABEL_MAX_RISKS 12 /* risk names listed; the bitmap has all */

/* How nDPI reached the label (nDPI 4.2's ndpi_confidence_t, same order). */
enum ph_label_confidence {
	PH_LABEL_CONF_UNKNOWN = 0, /* no label */
	PH_LABEL_CONF_PORT = 1,    /* guessed from the ports only */
	PH_LABEL_CONF_IP = 2,      /* guessed from the addresses only */
	PH_LABEL_CONF_CACHE = 3,   /* from an earlier flow (nDPI's caches) */
	PH_LABEL_CONF_DPI = 4,     /* deep packet inspection */
};

struct ph_app_label {
	char label[PH_LABEL_SIZE]; /* "TLS.Google", "WhatsApp"; "" unknown */
	const char *master;   /* "TLS"; "" when none (borrowed) */
	const char *app;      /* "Google"; "" when unknown (borrowed) */
	const char *category; /* nDPI category: "Web", "Chat"... */
	uint16_t master_id;   /* nDPI protocol ids (0 = unknown) */
	uint16_t app_id;
	enum ph_label_confidence confidence;
	const char *confidence_name; /* nDPI's text: "DPI", "Match by port" */
	uint64_t risk;        /* bit n set: nDPI 4.2 risk n (ndpi_risk_enum) */
	uint8_t nrisks;       /* names in risks[] (at most PH_LABEL_MAX_RISKS) */
	const char *risks[PH_LABEL_MAX_RISKS]; /* nDPI's risk names */
	const char *host;     /* what nDPI read as host/SNI; "" none */
	uint16_t packets;     /* packets nDPI looked at */
	bool gave_up;         /* decided by giving up (packet cap, flow end) */
};

#ifdef __cplusplus
}
#endif
#endif
