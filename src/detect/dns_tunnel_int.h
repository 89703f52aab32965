/* Internal state of the dns_tunnel detection, shared by its matching
 * (dns_tunnel.c) and its judging and wording (dns_tunnel_text.c). */
#ifndef PH_DETECT_DNS_TUNNEL_INT_H
#define PH_DETECT_DNS_TUNNEL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/detect.h"
#include "util/siphash.h"

#define DT_MAX_ENTRIES 4096u  /* (device, registered domain) pairs */
#define DT_SLOTS 8192u        /* hash index, power of two */
#define DT_MAX_DEVICES 256u
#define DT_BITS 1024u         /* unique-name sketch bits per entry */
#define DT_EXAMPLES 3u
#define DT_EX_LEN 96u

struct ph_psl;

/* Evidence kept per entry: the fields of a finding, without the text. */
struct dt_ev {
	char device[48], device_mac[18], remote[48], uid[20];
	uint16_t remote_port;
	uint8_t proto;
	uint32_t file_idx;
	uint64_t first_ns, last_ns, first_pkt, last_pkt;
};

struct dt_dev {
	uint8_t addr[16];
	uint64_t nx_minute, nx_cur_first, nx_first, nx_last;
	uint32_t nx_cur, nx_max, nx_total;
	char nx_ex[DT_EXAMPLES][DT_EX_LEN];
	unsigned nnx;
	struct dt_ev ev;
	bool has_ev;
};

struct dt_entry {
	uint64_t hash;
	struct dt_dev *dev;   /* NULL when the device table was full */
	char dom[128];        /* registered domain (cut) */
	bool dga;             /* its label looks random */
	bool ex_plain;        /* ex[0] is an ordinary-looking name */
	uint32_t queries, long_q, encoded_q, binary_q, odd_q, exfil_q;
	uint32_t responses, large_r, nx, max_resp;
	uint64_t sub_bytes;
	uint8_t bits[DT_BITS / 8];
	char ex[DT_EXAMPLES][DT_EX_LEN];
	unsigned nex;
	struct dt_ev ev;
};

/* One name as seen in an event. */
struct dt_seen {
	const struct ph_event *ev;
	int side;
	const char *name;
	size_t len;
	int reg, suffix;      /* offsets of registered domain, public suffix */
	uint8_t dev[16];
};

struct dt_state {
	struct ph_detect_base base;
	struct ph_psl *psl;
	struct ph_sipkey key;
	uint32_t min_queries, large_response, dga_min, dga_sni_min, nx_burst;
	double min_unique, entropy, odd_share;
	size_t long_label, exfil_label;
	uint64_t psl_fallback, entries_dropped, devices_dropped, excluded;
	uint32_t nent;
	unsigned ndev;
	uint32_t slot[DT_SLOTS];   /* entry index + 1, 0 = empty */
	struct dt_entry ent[DT_MAX_ENTRIES];
	struct dt_dev dev[DT_MAX_DEVICES];
};

/* Copies the evidence of ev (device on `side`) into e. */
void ph_dns_tunnel_ev(struct dt_ev *e, const struct ph_event *ev, int side);
/* End of run: findings for one entry / one device. */
void ph_dns_tunnel_judge(struct dt_state *st, const struct dt_entry *e);
void ph_dns_tunnel_judge_device(struct dt_state *st, const struct dt_dev *d);

#endif
