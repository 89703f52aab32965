/* UTF-8 validation for text that came off the wire and goes to a person
 * (text report, HTML report): one well-formed character at a time. */
#ifndef PH_UTIL_UTF8_H
#define PH_UTIL_UTF8_H

#include <stddef.h>

/* Length (2 to 4) of the well-formed UTF-8 character at s (n bytes left)
 * that is neither a C1 control nor a surrogate nor an overlong form;
 * 0 otherwise (including for any ASCII byte: the caller decides those). */
size_t ph_utf8_char_len(const unsigned char *s, size_t n);

#endif
