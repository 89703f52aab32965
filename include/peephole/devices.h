/* The device inventory of a `peephole check` run: one entry per device
 * address seen (local addresses: RFC 1918, 169.254/16, 100.64/10 CGNAT,
 * fe80::/10, fc00::/7; plus addresses a DHCP server assigned and addresses
 * used by the MAC of a DHCP client), with MAC, host name (DHCP option 12,
 * else mDNS), vendor class (DHCP option 60), times, flows and payload
 * bytes. Filled by the "devices" module (src/detect/devices.c) from
 * PH_EV_FLOW_START/FLOW_END, PH_EV_DHCP and mDNS PH_EV_DNS events; read by
 * the detections (which side of a flow is the device) and the reports.
 * An optional filter (`--device IP|MAC`) restricts it to one device. */
#ifndef PEEPHOLE_DEVICES_H
#define PEEPHOLE_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

#include "peephole/check.h"
#include "peephole/event.h"
#include "peephole/module.h"
#include "peephole/ph.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PH_DEVICES_DEFAULT_MAX 1024u /* ph_devices_new(0) */
#define PH_DEVICES_MAX_MACS 256u     /* DHCP clients remembered */
#define PH_DEVICES_MAX_LEARNED 16u   /* addresses of a filtered MAC */

struct ph_devices; /* opaque; owned by the caller */

/* A new, empty inventory of at most `max` addresses (0: the default);
 * NULL when out of memory. Addresses past max are counted as dropped. */
struct ph_devices *ph_devices_new(unsigned max);
void ph_devices_free(struct ph_devices *d);

/* Restricts the inventory to one device, before the run: an IPv4 or IPv6
 * address, or a MAC ("aa:bb:cc:dd:ee:ff" or with '-'). A MAC filter also
 * takes the addresses that MAC used (flows it originated, DHCP). 0, or
 * PH_EINVAL with a message naming the value. */
int ph_devices_set_filter(struct ph_devices *d, const char *ip_or_mac,
			  struct ph_err *err);
bool ph_devices_has_filter(const struct ph_devices *d);

/* Entries, sorted by payload bytes (out + in), then flows, descending;
 * the order of equal entries is the order they were first seen. With a
 * filter only the filtered device's addresses are listed. */
unsigned ph_devices_count(const struct ph_devices *d);
/* Copies entry i (< count) into *out, host name and vendor class filled
 * from the DHCP client with the same MAC when the entry has none. */
void ph_devices_get(const struct ph_devices *d, unsigned i,
		    struct ph_device *out);
/* Addresses not kept because the table was full. */
uint64_t ph_devices_dropped(const struct ph_devices *d);

/* RFC 1918, 169.254/16, 100.64/10, fe80::/10, fc00::/7 (and those as
 * IPv4-mapped IPv6); never multicast, broadcast or unspecified. addr: 4
 * bytes read for ipver 4, 16 for 6. */
bool ph_devices_is_local(const uint8_t addr[16], int ipver);

/* Side of c that is local: 0 originator (preferred), 1 responder, -1
 * neither. */
int ph_devices_local_side(const struct ph_conn *c);

/* Does c involve the device? With a filter: the filtered address, or the
 * filtered MAC as the originator's MAC or one of its learned addresses;
 * *which is the device's side. Without a filter (or d NULL) every
 * connection matches and *which is the local or known-device side,
 * preferring the originator, else the originator. which may be NULL. */
bool ph_devices_match_filter(const struct ph_devices *d,
			     const struct ph_conn *c, enum ph_dir *which);

/* The module ("devices"): skipped when env->devices is NULL. */
extern const struct ph_module ph_devices_module;

#ifdef __cplusplus
}
#endif
#endif
