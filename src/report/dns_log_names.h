/* Zeek's names for DNS numbers (base/protocols/dns/consts.zeek): query
 * types, classes, response codes and opcodes, with Zeek's fallbacks for
 * unknown values ("query-N", "qclass-N", "rcode-N", "opcode-N"). */
#ifndef PH_REPORT_DNS_LOG_NAMES_H
#define PH_REPORT_DNS_LOG_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* Each returns a static string, or the fallback formatted into buf (cap
 * bytes, >= 24). */
const char *ph_dns_type_name(uint16_t t, char *buf, size_t cap);
const char *ph_dns_class_name(uint16_t c, char *buf, size_t cap);
const char *ph_dns_rcode_name(uint16_t r, char *buf, size_t cap);
const char *ph_dns_opcode_name(uint8_t op, char *buf, size_t cap);

#endif
