/* phgen capture writer: classic pcap (little-endian, microseconds) or
 * pcapng (one SHB, one Ethernet IDB "wlan0", EPBs with microsecond
 * timestamps), optionally through zlib's gzip stream. Owns only the file
 * format; frames arrive complete and in time order. */
#include "phgen.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

struct pg_out {
	FILE *f;    /* borrowed */
	gzFile gz;  /* owned, when gzip */
	int pcapng;
	int err;
};

static void out_put(struct pg_out *o, const void *p, size_t n)
{
	if (o->err || n == 0)
		return;
	if (o->gz) {
		if (gzwrite(o->gz, p, (unsigned)n) != (int)n)
			o->err = 1;
	} else if (fwrite(p, 1, n, o->f) != n) {
		o->err = 1;
	}
}

static void out_le16(struct pg_out *o, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	out_put(o, b, 2);
}

static void out_le32(struct pg_out *o, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};
	out_put(o, b, 4);
}

/* One pcapng option (code, length, value padded to 4). */
static void out_opt(struct pg_out *o, uint16_t code, const char *val)
{
	static const uint8_t zero[4];
	size_t n = strlen(val);
	out_le16(o, code);
	out_le16(o, (uint16_t)n);
	out_put(o, val, n);
	out_put(o, zero, (4 - n % 4) % 4);
}

static size_t opt_size(const char *val)
{
	return 4 + (strlen(val) + 3) / 4 * 4;
}

static void pcapng_headers(struct pg_out *o)
{
	static const char app[] = "phgen (peephole sample generator)";
	static const char ifn[] = "wlan0";
	uint32_t shb = (uint32_t)(28 + opt_size(app) + 4);
	out_le32(o, 0x0a0d0d0a);
	out_le32(o, shb);
	out_le32(o, 0x1a2b3c4d);
	out_le16(o, 1);
	out_le16(o, 0);
	out_le32(o, 0xffffffff); /* section length unknown */
	out_le32(o, 0xffffffff);
	out_opt(o, 4, app);      /* shb_userappl */
	out_le32(o, 0);          /* opt_endofopt */
	out_le32(o, shb);
	uint32_t idb = (uint32_t)(20 + opt_size(ifn) + 4);
	out_le32(o, 1);
	out_le32(o, idb);
	out_le16(o, 1);          /* LINKTYPE_ETHERNET */
	out_le16(o, 0);
	out_le32(o, 262144);
	out_opt(o, 2, ifn);      /* if_name */
	out_le32(o, 0);
	out_le32(o, idb);
}

static void pcap_header(struct pg_out *o)
{
	out_le32(o, 0xa1b2c3d4);
	out_le16(o, 2);
	out_le16(o, 4);
	out_le32(o, 0);
	out_le32(o, 0);
	out_le32(o, 262144);
	out_le32(o, 1);
}

struct pg_out *pg_out_open(FILE *f, int pcapng, int gzip)
{
	struct pg_out *o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	o->f = f;
	o->pcapng = pcapng;
	if (gzip) {
		fflush(f);
		int fd = dup(fileno(f));
		o->gz = fd < 0 ? NULL : gzdopen(fd, "wb6");
		if (!o->gz) {
			if (fd >= 0)
				close(fd);
			free(o);
			return NULL;
		}
	}
	if (pcapng)
		pcapng_headers(o);
	else
		pcap_header(o);
	return o;
}

int pg_out_frame(struct pg_out *o, uint64_t ts, const uint8_t *frame,
		 size_t len)
{
	static const uint8_t zero[4];
	uint64_t us = PG_EPOCH_S * PG_S + ts;
	if (!o->pcapng) {
		out_le32(o, (uint32_t)(us / PG_S));
		out_le32(o, (uint32_t)(us % PG_S));
		out_le32(o, (uint32_t)len);
		out_le32(o, (uint32_t)len);
		out_put(o, frame, len);
		return o->err ? -1 : 0;
	}
	size_t pad = (4 - len % 4) % 4;
	uint32_t blen = (uint32_t)(32 + len + pad);
	out_le32(o, 6);
	out_le32(o, blen);
	out_le32(o, 0);
	out_le32(o, (uint32_t)(us >> 32));
	out_le32(o, (uint32_t)us);
	out_le32(o, (uint32_t)len);
	out_le32(o, (uint32_t)len);
	out_put(o, frame, len);
	out_put(o, zero, pad);
	out_le32(o, blen);
	return o->err ? -1 : 0;
}

int pg_out_close(struct pg_out *o)
{
	int err = o->err;
	if (o->gz && gzclose(o->gz) != Z_OK)
		err = 1;
	else if (!o->gz && fflush(o->f) != 0)
		err = 1;
	free(o);
	return err ? -1 : 0;
}
