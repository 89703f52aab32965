/* Internal interface between the HTTP stream machine (http.c) and the
 * header-block parser (http_hdr.c). Not for other stages. */
#ifndef PH_PROTO_HTTP_INT_H
#define PH_PROTO_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peephole/proto_http.h"

#define PH_HTTP_USER_MAX 256u  /* decoded Basic user name bytes kept */
#define PH_HTTP_SNIFF_LEN 64u  /* body bytes looked at for the MIME type */

/* The result of parsing one header block. msg's strings point into the
 * block; user_buf holds the decoded Basic user name. */
struct ph_http_parsed {
	struct ph_http_msg msg;
	struct ph_http_header proxied[PH_HTTP_MAX_PROXIED]; /* proxy headers */
	uint32_t nproxied;
	struct ph_http_str disposition_name; /* Content-Disposition filename */
	bool upgrade;            /* Connection: upgrade with an Upgrade header */
	bool other_protocol;     /* request line ends in e.g. "RTSP/1.0" */
	bool headers_truncated;  /* more than PH_HTTP_MAX_HEADERS */
	char user_buf[PH_HTTP_USER_MAX];
};

/* Parses a complete header block [p, p + n): start line, header lines and
 * the empty line that ends it (CRLF or LF line ends). request selects a
 * request line or a status line. scratch holds PH_HTTP_MAX_HEADERS
 * entries (borrowed; out->msg.headers points into it). Returns 0, or -1
 * when the start line is not HTTP. */
int ph_http_parse_block(const char *p, size_t n, bool request,
			struct ph_http_header *scratch,
			struct ph_http_parsed *out);

/* True when [p, p + n) starts with a known method token and a space;
 * *maybe is set when the bytes are a prefix of such a start (need more). */
bool ph_http_is_request_start(const uint8_t *p, size_t n, bool *maybe);

/* True when [p, p + n) starts with "HTTP/1."; *maybe as above. */
bool ph_http_is_response_start(const uint8_t *p, size_t n, bool *maybe);

/* A MIME type for a body starting with [p, p + n), or NULL. Static. */
const char *ph_http_sniff_mime(const uint8_t *p, size_t n);

/* Case-insensitive equality of [p, p + n) with the NUL-terminated lit. */
bool ph_http_ieq(const char *p, size_t n, const char *lit);

#endif
