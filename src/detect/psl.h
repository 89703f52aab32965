/* A small Public Suffix List matcher (publicsuffix.org format, as shipped
 * by Debian's `publicsuffix` package): rules are loaded once into a hash
 * set and a name's registered domain ("eTLD+1") is found by walking its
 * label suffixes. Bounded: at most PH_PSL_MAX_RULES rules and
 * PH_PSL_MAX_FILE bytes of file; rules past a cap are counted. Without a
 * list (ph_psl_new(NULL)) a documented fallback is used: the last label,
 * or the last two when they look like a country's second level
 * ("co.uk", "com.br": a 2-letter TLD under co/com/net/org/gov/edu/ac/
 * ne/or/go/gob/mil/nic). Names are expected lower-case, no final dot. */
#ifndef PH_DETECT_PSL_H
#define PH_DETECT_PSL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peephole/ph.h"

#define PH_PSL_MAX_RULES 65536u
#define PH_PSL_MAX_FILE (4u << 20)
#define PH_PSL_DEFAULT_PATH "/usr/share/publicsuffix/public_suffix_list.dat"

struct ph_psl;

/* Loads the list at path; NULL path: an empty matcher using the fallback.
 * Returns NULL with err set when the file cannot be read (PH_EIO) or
 * memory runs out. */
struct ph_psl *ph_psl_new(const char *path, struct ph_err *err);
/* Builds from text in memory (tests). */
struct ph_psl *ph_psl_from_text(const char *text, size_t n);
void ph_psl_free(struct ph_psl *p);

/* Rules held, and rules dropped by the cap. */
uint32_t ph_psl_rules(const struct ph_psl *p);
uint32_t ph_psl_dropped(const struct ph_psl *p);

/* Offset into name (n bytes) where its registered domain starts (the
 * public suffix plus one label); -1 when the name is itself a public
 * suffix or has a single label. *suffix_off (may be NULL) gets the offset
 * of the public suffix. */
int ph_psl_registered(const struct ph_psl *p, const char *name, size_t n,
		      int *suffix_off);

#endif
