/* peephole public API: error codes, the error record, version, and the
 * analysis run (context in, logs and summary out). Everything a program
 * embedding libpeephole needs; stage internals live under src/. */
#ifndef PEEPHOLE_PH_H
#define PEEPHOLE_PH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PH_VERSION_STRING "0.1.0"

/* Result codes: 0 is success, negatives are errors. Hostile traffic is never
 * an error (it is counted as an anomaly); these are about files and usage. */
enum ph_status {
	PH_OK = 0,
	PH_EIO = -1,          /* open/read/write failed (errno in message)   */
	PH_EFORMAT = -2,      /* not a capture / malformed file structure     */
	PH_ENOMEM = -3,       /* allocation failed or a configured cap hit    */
	PH_EINVAL = -4,       /* bad argument from the caller                 */
	PH_ETRUNC = -5,       /* file ends inside a header or record          */
	PH_EUNSUPPORTED = -6, /* valid but unsupported (e.g. link type)       */
};

/* Filled by a failing call: code, one-line message, and where. `file` and
 * `offset`/`packet` are 0/empty when they do not apply. */
struct ph_err {
	int code;
	char msg[256];
	char file[256];
	uint64_t offset; /* byte offset in the (decompressed) input */
	uint64_t packet; /* 1-based packet number, 0 if none */
};

/* Formats `err` into the message; returns `code` so callers can
 * `return ph_err_set(err, PH_EFORMAT, "bad magic %08x", m);`.
 * `err` may be NULL. */
int ph_err_set(struct ph_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Human name of a status code ("format error", ...). Never NULL. */
const char *ph_status_str(int code);

#ifdef __cplusplus
}
#endif
#endif
