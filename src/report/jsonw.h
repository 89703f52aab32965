/* JSON text pieces for the Zeek-style logs: numbers formatted exactly as
 * Zeek's JSON writer (RapidJSON) prints them, and strings escaped with
 * Zeek's default "hex" policy. Every function writes into a caller buffer
 * of the documented worst-case size and returns the bytes written; nothing
 * allocates, nothing is NUL-terminated. RFC 8259 for the JSON syntax. */
#ifndef PH_REPORT_JSONW_H
#define PH_REPORT_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Worst-case output sizes. */
#define PH_JSONW_U64_MAX 20
#define PH_JSONW_I64_MAX 20
#define PH_JSONW_DOUBLE_MAX 32
/* A string of n bytes: two quotes, at most 5 bytes ("\\xNN") per input. */
#define PH_JSONW_STR_MAX(n) (5 * (size_t)(n) + 2)

size_t ph_jsonw_u64(char *out, uint64_t v);
size_t ph_jsonw_i64(char *out, int64_t v);

/* Shortest round-trip digits by Grisu2, laid out like RapidJSON's
 * Writer::Double (what Zeek uses): "0.25", "1425565514.419939", "5.0",
 * "0.0000123", "1.79e308", "-0.0". NaN and infinities give "null". */
size_t ph_jsonw_double(char *out, double v);

/* Zeek's time value sec + usec / 1e6 (the double ph_zeek_time_of_ns
 * computes) exactly as ph_jsonw_double prints it. Between 2^20 and 2^33 s
 * (1970-01-13 .. 2242) that is "<sec>.<usec without trailing zeros>" (or
 * "<sec>.0"), written directly, unless the decimal lies so close to the
 * midpoint between two doubles that Grisu2's safety margin could matter;
 * those, and other times, go through ph_jsonw_double. usec < 10^6. */
size_t ph_jsonw_time(char *out, uint64_t sec, uint32_t usec);

/* An IPv6 address as glibc's inet_ntop(AF_INET6) writes it (RFC 5952
 * lowercase hex; the first longest run of two or more zero groups as
 * "::"; "::a.b.c.d" and "::ffff:a.b.c.d" for IPv4-compatible and -mapped
 * addresses), without its sprintf per group. out: at least
 * PH_JSONW_IP6_MAX bytes; not NUL-terminated. */
#define PH_JSONW_IP6_MAX 45
size_t ph_jsonw_ip6(char *out, const uint8_t a[16]);

/* Zeek's escape_utf8() test: true when s holds only printable ASCII,
 * (with ctl_ok) \b \f \n \r \t, and well-formed UTF-8 characters that are
 * not C0/C1 controls, private-use (U+E000..U+F8FF) or U+FFF0..U+FFFF.
 * When false, Zeek writes every byte outside that ASCII set as \xNN. */
bool ph_jsonw_zeek_clean(const uint8_t *s, size_t n, bool ctl_ok);

/* A quoted JSON string with Zeek's default (hex) escaping: if the bytes
 * pass ph_jsonw_zeek_clean(ctl_ok = true) they are kept, else each byte
 * outside printable ASCII and \b\f\n\r\t becomes the four characters \xNN
 * (so "\\xNN" in the JSON text). Then RFC 8259 escaping of '"', '\\' and
 * \b \f \n \r \t. out: at least PH_JSONW_STR_MAX(n) bytes. */
size_t ph_jsonw_zeek_str(char *out, const uint8_t *s, size_t n);

#endif
