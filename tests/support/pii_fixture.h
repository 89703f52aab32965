/* Crafted-capture fixture for the pii detection (tests/unit/test_pii.c):
 * check_fixture.h's run with the user's identifiers, --show-secrets and
 * only the pii detection (plus the parsers), so tests see pii findings
 * only. Header-only. */
#ifndef PH_TESTS_PII_FIXTURE_H
#define PH_TESTS_PII_FIXTURE_H

#include <stdbool.h>

#include "check_fixture.h"
#include "peephole/identifiers.h"

/* Closes the capture and runs it with identifiers ids (may be NULL),
 * show_secrets and the given settings. Free with cfx_close. */
static inline struct ph_findings *cfx_run_ids(struct cfx *x,
					      const struct ph_identifiers *ids,
					      bool show,
					      const char *const *settings,
					      unsigned nsettings)
{
	struct ph_run_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.detections = "pii";
	cfg.settings = settings;
	cfg.nsettings = nsettings;
	cfg.identifiers = ids;
	cfg.show_secrets = show;
	return cfx_run_cfg(x, &cfg);
}

/* The first finding with this id and field (field NULL: any). */
static inline const struct ph_finding *
cfx_find_field(const struct ph_findings *f, const char *id, const char *field)
{
	for (unsigned i = 0; i < ph_findings_count(f); i++) {
		const struct ph_finding *x = ph_findings_get(f, i);
		if (strcmp(x->id, id) == 0 &&
		    (!field || strcmp(x->field, field) == 0))
			return x;
	}
	return NULL;
}

#endif
