/* Small number formats shared by the human-readable reports (text and
 * HTML): byte counts in decimal units. */
#ifndef PH_UTIL_FMT_H
#define PH_UTIL_FMT_H

#include <stddef.h>
#include <stdint.h>

/* "812 <small>" below 1000 (small: "B" or "bytes"), else "1.4 MB" with
 * one decimal (kB, MB, GB, TB). */
void ph_fmt_bytes(uint64_t v, const char *small, char *buf, size_t n);

#endif
