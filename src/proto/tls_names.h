/* Zeek's names for TLS versions, cipher suites, groups and alerts
 * (tls_names.c). Each returns a static string, or writes
 * "unknown-<n>" into buf (cap bytes) and returns buf. */
#ifndef PH_PROTO_TLS_NAMES_H
#define PH_PROTO_TLS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

const char *ph_tls_version_name(uint16_t v, char *buf, size_t cap);
const char *ph_tls_cipher_name(uint16_t v, char *buf, size_t cap);
const char *ph_tls_curve_name(uint16_t v, char *buf, size_t cap);
const char *ph_tls_alert_name(uint8_t v, char *buf, size_t cap);
/* True when the suite's key exchange is (EC)DH over elliptic curves, so
 * a ServerKeyExchange carries a named curve. */
bool ph_tls_cipher_is_ecdhe(uint16_t v);

#endif
