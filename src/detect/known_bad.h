/* Private to the known_bad detection: the wording of its findings
 * (known_bad_text.c), kept apart from the matching (known_bad.c). */
#ifndef PH_DETECT_KNOWN_BAD_H
#define PH_DETECT_KNOWN_BAD_H

#include <stdbool.h>

#include "peephole/finding.h"
#include "peephole/intel.h"

/* Fills id, title, severity, confidence, explain, advice and attack of a
 * finding whose evidence (device, remote, matched, field, source,
 * campaign, allowed_by) is already set, from the indicator hit and where
 * the value was seen (seen: the value as seen, NUL-terminated). exact: the value equals the indicator (else it is a
 * subdomain of it or an address inside its range). */
void ph_known_bad_describe(struct ph_finding *f, const struct ph_ioc_hit *h,
			   const char *field, const char *seen, int exact);

/* The info finding for a destination an allowlist names. */
void ph_known_bad_describe_allow(struct ph_finding *f);

/* Severity an indicator category carries ("spyware" -> high). */
enum ph_severity ph_known_bad_severity(const char *category);

#endif
