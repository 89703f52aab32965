/* HTTP/1.x event payloads (src/proto/http.c emits them; see event.h):
 *   PH_EV_HTTP_REQUEST   struct ph_http_msg, at the end of a request's headers
 *   PH_EV_HTTP_RESPONSE  struct ph_http_msg, at the end of a response's headers
 *   PH_EV_HTTP_BODY      struct ph_http_body: de-chunked body bytes in order,
 *                        then one `end` event per message; `txn_end` marks a
 *                        finished request/response pair (what http.log logs).
 * Every pointer is borrowed for the callback only. Secrets never appear:
 * for Authorization only the scheme, a "credentials present" flag and (for
 * Basic) the user name are given. Caps below bound every string and list. */
#ifndef PEEPHOLE_PROTO_HTTP_H
#define PEEPHOLE_PROTO_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include "peephole/event.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PH_HTTP_URI_MAX 8192u         /* URI bytes kept (rest counted) */
#define PH_HTTP_FIELD_MAX 1024u       /* Host, User-Agent, Referer...: kept */
#define PH_HTTP_MAX_HEADERS 64u       /* headers indexed per message */
#define PH_HTTP_HDR_BLOCK_MAX 65536u  /* start line + headers, bytes */
#define PH_HTTP_MAX_PENDING 32u       /* pipelined requests awaiting replies */
#define PH_HTTP_MAX_PROXIED 8u        /* proxy headers kept per transaction */
#define PH_HTTP_BODY_CAP (1u << 20)   /* body bytes delivered per message */

/* A byte string that is not NUL-terminated; p == NULL means absent. */
struct ph_http_str {
	const char *p;
	uint32_t len;
};

struct ph_http_header {
	struct ph_http_str name;  /* as sent (case kept) */
	struct ph_http_str value; /* leading/trailing blanks removed */
};

enum ph_http_auth {
	PH_HTTP_AUTH_NONE = 0,
	PH_HTTP_AUTH_BASIC,
	PH_HTTP_AUTH_BEARER,
	PH_HTTP_AUTH_DIGEST,
	PH_HTTP_AUTH_NTLM,
	PH_HTTP_AUTH_NEGOTIATE,
	PH_HTTP_AUTH_OTHER,
};

/* One request/response pair, kept by the parser from its request line (or
 * from an unsolicited response) until it is logged. Strings are copies
 * owned by the parser, capped (URI at PH_HTTP_URI_MAX, others at
 * PH_HTTP_FIELD_MAX). Fields fill in as the transaction progresses. */
struct ph_http_txn {
	uint32_t depth;            /* Zeek trans_depth: 1, 2, ... per flow */
	uint64_t ts_ns;            /* when the request (else response) began */
	bool has_request;          /* false: a response with no request seen */
	bool has_response;         /* a final (non-1xx) status line was seen */
	/* request */
	struct ph_http_str method, uri; /* uri raw as sent (not unescaped) */
	bool uri_truncated;
	struct ph_http_str host, user_agent, referrer, origin;
	struct ph_http_str username;    /* Basic auth user name, else absent */
	enum ph_http_auth auth;         /* Authorization scheme */
	struct ph_http_str proxied[PH_HTTP_MAX_PROXIED]; /* "VIA -> x" */
	uint32_t nproxied;
	bool is_connect;                /* CONNECT host:port */
	bool is_proxy_request;          /* absolute URI (http://h/...) */
	uint64_t request_body_len;      /* de-chunked bytes, incl. undelivered */
	const char *request_mime;       /* sniffed from first bytes, or NULL */
	/* response */
	uint16_t status_code;           /* last status (0 = none) */
	struct ph_http_str status_msg;  /* its reason phrase */
	uint16_t info_code;             /* last 1xx, 0 = none */
	struct ph_http_str info_msg;
	struct ph_http_str version;     /* reply version, "1.1" */
	uint64_t response_body_len;
	const char *response_mime;
	struct ph_http_str resp_filename; /* Content-Disposition filename */
};

/* A request or a response at the end of its header block. Strings point
 * into the header block (borrowed, callback only). */
struct ph_http_msg {
	bool is_request;
	const struct ph_http_txn *txn; /* its transaction (never NULL) */
	uint32_t pipeline_depth;       /* requests awaiting a reply, this one
					  included (requests); 0 for replies */
	/* start line */
	struct ph_http_str method;     /* requests */
	struct ph_http_str uri;        /* requests; capped at PH_HTTP_URI_MAX */
	bool uri_truncated;
	struct ph_http_str version;    /* "1.1"; absent for HTTP/0.9 */
	uint8_t ver_major, ver_minor;
	uint16_t status_code;          /* responses */
	struct ph_http_str reason;     /* responses */
	/* selected headers (absent: p == NULL) */
	struct ph_http_str host, user_agent, referer, origin, content_type;
	bool has_content_length;
	uint64_t content_length;
	bool chunked;                  /* Transfer-Encoding: chunked */
	enum ph_http_auth auth;        /* Authorization scheme */
	struct ph_http_str auth_scheme;/* the scheme token as sent */
	bool has_credentials;          /* Authorization carried a credential */
	struct ph_http_str username;   /* Basic: decoded user name (no secret) */
	bool has_cookie;               /* Cookie (requests) / Set-Cookie */
	bool has_proxy_auth;           /* Proxy-Authorization present */
	bool is_connect, is_proxy_request;
	bool no_body;                  /* HEAD reply, 1xx, 204, 304 */
	/* all headers */
	uint32_t header_count;         /* headers seen (may exceed nheaders) */
	uint32_t nheaders;             /* indexed, <= PH_HTTP_MAX_HEADERS */
	const struct ph_http_header *headers;
};

/* Body bytes of one message, de-chunked, in order. Bytes past
 * PH_HTTP_BODY_CAP per message are counted, not delivered. */
struct ph_http_body {
	const struct ph_http_txn *txn; /* NULL if already logged */
	enum ph_dir dir;               /* ORIG: request body; RESP: reply */
	const uint8_t *data;           /* borrowed; NULL when len == 0 */
	uint32_t len;
	uint64_t offset;               /* body offset of data[0] */
	bool end;                      /* last event of this message */
	bool interrupted;              /* ended by a gap, cap or flow end */
	uint64_t body_len;             /* (end) total de-chunked length */
	uint64_t undelivered;          /* (end) bytes past the cap or in gaps */
	bool txn_end;                  /* txn is complete: log it now; no
					  later event refers to it */
};

#ifdef __cplusplus
}
#endif
#endif
