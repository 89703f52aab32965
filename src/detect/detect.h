/* What every detection (src/detect/<name>.c) shares: which side of a
 * connection is the device (honouring --device), the evidence fields of a
 * finding filled from an event or a connection record, and appending
 * wording within a fixed buffer. A detection is a struct ph_module whose
 * init returns PH_MODULE_SKIP when env->findings is NULL (logs-only runs)
 * and which adds findings with ph_detect_emit(). Implemented in
 * src/detect/evidence.c. */
#ifndef PH_DETECT_DETECT_H
#define PH_DETECT_DETECT_H

#include <stddef.h>
#include <stdint.h>

#include "peephole/event.h"
#include "peephole/finding.h"
#include "peephole/module.h"

struct ph_devices;

/* State every detection starts with. */
struct ph_detect_base {
	struct ph_findings *findings;      /* borrowed for the run */
	const struct ph_devices *devices;  /* may be NULL */
	uint64_t emitted, dropped;         /* findings added / refused */
};

/* Fills b from env; PH_MODULE_SKIP when the run collects no findings. */
int ph_detect_base_init(struct ph_detect_base *b,
			const struct ph_module_env *env);

/* Side of c that is the device: 0 originator, 1 responder, or -1 when
 * --device excludes the connection. Without a device inventory: the
 * local (private-range) side, else the originator. */
int ph_detect_side(const struct ph_detect_base *b, const struct ph_conn *c);

/* Text form of one endpoint's address. */
void ph_detect_addr(const struct ph_conn *c, int side, char *out, size_t n);

/* Evidence from an event: device/remote addresses and port, protocol,
 * MAC, uid, time and packet number of ev (count 1). c may be NULL. */
void ph_detect_evidence(struct ph_finding *f, const struct ph_event *ev,
			int side);

/* Evidence from a finished connection record (FLOW_END): as above, with
 * first/last time from the record and last_pkt from ev. */
void ph_detect_conn_evidence(struct ph_finding *f, const struct ph_event *ev,
			     int side);

/* The words of one finding; everything else comes from the event. NULL
 * strings are written as "". Fields in this order so detections can use
 * positional initialisers. */
struct ph_detect_text {
	const char *id, *title, *matched, *field, *name;
	enum ph_severity sev;
	enum ph_confidence conf;
	const char *explain, *advice, *attack;
};

/* Builds a finding from ev's evidence (side as ph_detect_side) and t,
 * and adds it (ph_detect_emit). */
void ph_detect_report(struct ph_detect_base *b, const struct ph_event *ev,
		      int side, const struct ph_detect_text *t);

/* Adds the finding (copies it); counts drops. */
void ph_detect_emit(struct ph_detect_base *b, const struct ph_finding *f);

/* Appends printf-style text to buf (capacity n) at *len, cut to fit and
 * always NUL-terminated. */
void ph_detect_catf(char *buf, size_t n, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
