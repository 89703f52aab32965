/* Findings: what a detection concludes, with the evidence a person needs
 * to act on it, and the collection that folds repeats of the same finding
 * together (src/detect/findings.c). Detections add findings during a run;
 * the verdict (src/detect/verdict.c) and the renderers (src/report/
 * check_*.c, notice_log.c) read them afterwards. */
#ifndef PEEPHOLE_FINDING_H
#define PEEPHOLE_FINDING_H

#include <stdbool.h>
#include <stdint.h>

#include "peephole/ph.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ph_severity {
	PH_SEV_INFO = 0, PH_SEV_LOW, PH_SEV_MEDIUM, PH_SEV_HIGH,
	PH_SEV_CRITICAL
};
enum ph_confidence { PH_CONF_LOW = 0, PH_CONF_MEDIUM, PH_CONF_HIGH };

const char *ph_severity_name(enum ph_severity s);   /* "high" */
const char *ph_confidence_name(enum ph_confidence c); /* "medium" */

/* One finding. Fixed-size text fields (cut to fit, always NUL-terminated)
 * so a finding is one copy with no ownership questions. */
struct ph_finding {
	char id[32];            /* stable id: "ioc.domain", "ioc.ip" ... */
	char title[128];        /* one line: "Contact with a Pegasus domain" */
	enum ph_severity severity;
	enum ph_confidence confidence;
	char explain[768];      /* what happened and why it matters */
	char advice[384];       /* what to do next */
	char attack[24];        /* MITRE ATT&CK technique ("T1071.004"), "" */
	/* Evidence. */
	char device[48];        /* the local device's address (text) */
	char device_mac[18];    /* "aa:bb:cc:dd:ee:ff" or "" */
	char remote[48];        /* remote address (text), "" if none */
	uint16_t remote_port;
	uint8_t proto;          /* IPPROTO_*, 0 if none */
	char name[256];         /* remote name (DNS query, SNI, Host), "" */
	char uid[20];           /* flow uid of the first occurrence */
	uint64_t first_ns, last_ns;
	uint64_t first_pkt, last_pkt; /* packet numbers within their file */
	uint32_t file_idx;      /* file of first_pkt */
	char matched[256];      /* the value that matched (indicator) */
	char field[32];         /* where it was seen: "dns.query",
				   "dns.answer", "dns.cname", "tls.sni",
				   "x509.san", "x509.subject", "http.host",
				   "http.uri", "quic.sni", "conn.resp_h",
				   "conn.orig_h", "x509.sha1", "x509.sha256",
				   "tls.ja3", "tls.ja3s", "tls.ja4" ... */
	char source[128];       /* indicator source name, "" */
	char campaign[128];     /* malware/campaign the indicator names, "" */
	char allowed_by[128];   /* allowlist source that lists the remote,
				   "" if none: shown, never hidden */
	uint32_t count;         /* occurrences folded into this finding */
};

/* The collection. Findings with the same id, device, field and matched
 * value (and remote for address-less ids) are folded: count grows,
 * first/last times and packets widen. Bounded: past max distinct
 * findings, new ones are counted as dropped. */
struct ph_findings;
struct ph_findings *ph_findings_new(unsigned max);
void ph_findings_free(struct ph_findings *f);
/* Copies *x in (or folds it). Returns 0, or PH_ENOMEM when dropped. */
int ph_findings_add(struct ph_findings *f, const struct ph_finding *x);
unsigned ph_findings_count(const struct ph_findings *f);
uint64_t ph_findings_dropped(const struct ph_findings *f);
/* Sorted by severity (highest first), then confidence, then first time;
 * valid until the next add. */
const struct ph_finding *ph_findings_get(const struct ph_findings *f,
					 unsigned i);

/* A series of event times attached to a finding (the beats of a beacon,
 * for the report to plot). At most PH_FINDINGS_SERIES_MAX times per
 * finding (the first ones) and PH_FINDINGS_SERIES_TOTAL over the
 * collection. */
#define PH_FINDINGS_SERIES_MAX 512u
#define PH_FINDINGS_SERIES_TOTAL 65536u
/* Copies up to PH_FINDINGS_SERIES_MAX of ts_ns[0..n) (packet times,
 * ascending) to the finding key folds into (same id, device, field,
 * matched, remote as ph_findings_add), replacing its series. Returns 0;
 * PH_EINVAL when no such finding was added (or n is 0), PH_ENOMEM when
 * the total cap or memory refuses it (the finding keeps no series). */
int ph_findings_set_series(struct ph_findings *f, const struct ph_finding *key,
			   const uint64_t *ts_ns, unsigned n);
/* The series of the finding ph_findings_get(f, i) returns: its length
 * (0: none) and *ts_ns (borrowed, valid until the collection is freed or
 * the series replaced). */
unsigned ph_findings_series(const struct ph_findings *f, unsigned i,
			    const uint64_t **ts_ns);

#ifdef __cplusplus
}
#endif
#endif
