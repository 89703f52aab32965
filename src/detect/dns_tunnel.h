/* Name scoring used by the dns_tunnel detection (dns_tunnel.c), exposed
 * for its unit tests: Shannon entropy of a string and the DGA-likeness
 * score of one label (see docs/detections/dns_tunnel.md). */
#ifndef PH_DETECT_DNS_TUNNEL_H
#define PH_DETECT_DNS_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>

/* Bits per character over the bytes of s, dots skipped. */
double ph_dns_entropy(const char *s, size_t n);

/* 0..6: how random a label looks (consonant runs, few vowels, letters
 * mixed with digits, many distinct characters, length); labels shorter
 * than 8 bytes, punycode ("xn--") and non-letter labels score 0. */
int ph_dns_dga_score(const char *label, size_t n);

/* Does s hold a byte that is not a letter, digit, '-', '_' or '.'? */
bool ph_dns_has_odd_bytes(const char *s, size_t n);

#endif
