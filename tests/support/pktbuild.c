/* Packet crafting for tests and the sample generator (see pktbuild.h). */
#include "pktbuild.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pb_addr pb_ip4(const char *dotted)
{
	struct pb_addr a;
	memset(&a, 0, sizeof a);
	inet_pton(AF_INET, dotted, a.a);
	return a;
}

struct pb_addr pb_ip6(const char *text)
{
	struct pb_addr a;
	memset(&a, 0, sizeof a);
	a.v6 = 1;
	inet_pton(AF_INET6, text, a.a);
	return a;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t l4_hdr_len(const struct pb_l4 *l4)
{
	switch (l4->proto) {
	case 6: return 20;
	case 17: return 8;
	default: return 8; /* ICMP echo-style header */
	}
}

size_t pb_ip(uint8_t *out, size_t cap, struct pb_addr src, struct pb_addr dst,
	     const struct pb_l4 *l4, const void *payload, size_t plen)
{
	size_t iph = src.v6 ? 40 : 20, l4h = l4_hdr_len(l4);
	size_t total = iph + l4h + plen;
	if (total > cap || total > 65535)
		return 0;
	memset(out, 0, iph + l4h);
	uint8_t *t = out + iph;
	if (plen)
		memcpy(t + l4h, payload, plen);
	uint8_t ttl = l4->ttl ? l4->ttl : 64;
	if (!src.v6) {
		out[0] = 0x45;
		put16(out + 2, (uint16_t)total);
		put16(out + 4, l4->ip_id);
		out[8] = ttl;
		out[9] = l4->proto;
		memcpy(out + 12, src.a, 4);
		memcpy(out + 16, dst.a, 4);
		put16(out + 10, csum_fold(csum_add(0, out, 20)));
	} else {
		out[0] = 0x60;
		put16(out + 4, (uint16_t)(l4h + plen));
		out[6] = l4->proto;
		out[7] = ttl;
		memcpy(out + 8, src.a, 16);
		memcpy(out + 24, dst.a, 16);
	}
	if (l4->proto == 6) {
		put16(t, l4->sport);
		put16(t + 2, l4->dport);
		put32(t + 4, l4->seq);
		put32(t + 8, l4->ack);
		t[12] = 5 << 4;
		t[13] = l4->flags;
		put16(t + 14, l4->win ? l4->win : 65535);
	} else if (l4->proto == 17) {
		put16(t, l4->sport);
		put16(t + 2, l4->dport);
		put16(t + 4, (uint16_t)(8 + plen));
	} else {
		t[0] = l4->icmp_type;
		t[1] = l4->icmp_code;
		put16(t + 4, l4->sport); /* echo id */
		put16(t + 6, l4->dport); /* echo seq */
	}
	/* transport checksum over the pseudo-header */
	uint32_t sum = 0;
	size_t l4len = l4h + plen;
	if (l4->proto != 1) {
		uint8_t ph[8];
		sum = csum_add(sum, src.a, src.v6 ? 16 : 4);
		sum = csum_add(sum, dst.a, dst.v6 ? 16 : 4);
		put32(ph, (uint32_t)l4len);
		ph[4] = ph[5] = ph[6] = 0;
		ph[7] = l4->proto;
		sum = csum_add(sum, ph, 8);
	}
	sum = csum_add(sum, t, l4len);
	uint16_t c = csum_fold(sum);
	size_t coff = l4->proto == 6 ? 16 : (l4->proto == 17 ? 6 : 2);
	if (l4->proto == 17 && c == 0)
		c = 0xffff;
	put16(t + coff, c);
	return total;
}

size_t pb_eth(uint8_t *out, size_t cap, const uint8_t src_mac[6],
	      const uint8_t dst_mac[6], uint16_t vlan, const uint8_t *ip,
	      size_t iplen)
{
	size_t hl = vlan ? 18 : 14;
	if (hl + iplen > cap)
		return 0;
	memcpy(out, dst_mac, 6);
	memcpy(out + 6, src_mac, 6);
	uint16_t et = (ip[0] >> 4) == 6 ? 0x86dd : 0x0800;
	if (vlan) {
		put16(out + 12, 0x8100);
		put16(out + 14, vlan & 0x0fff);
		put16(out + 16, et);
	} else {
		put16(out + 12, et);
	}
	memcpy(out + hl, ip, iplen);
	return hl + iplen;
}

static void putle32(FILE *f, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};
	fwrite(b, 1, 4, f);
}

int pb_pcap_open(struct pb_pcap *w, FILE *f, uint32_t linktype, int nsec)
{
	w->f = f;
	w->nsec = nsec;
	putle32(f, nsec ? 0xa1b23c4d : 0xa1b2c3d4);
	uint8_t ver[4] = {2, 0, 4, 0};
	fwrite(ver, 1, 4, f);
	putle32(f, 0);
	putle32(f, 0);
	putle32(f, 262144);
	putle32(f, linktype);
	return ferror(f) ? -1 : 0;
}

int pb_pcap_write(struct pb_pcap *w, uint64_t ts_ns, const uint8_t *frame,
		  size_t len)
{
	putle32(w->f, (uint32_t)(ts_ns / 1000000000ull));
	uint64_t frac = ts_ns % 1000000000ull;
	putle32(w->f, (uint32_t)(w->nsec ? frac : frac / 1000));
	putle32(w->f, (uint32_t)len);
	putle32(w->f, (uint32_t)len);
	fwrite(frame, 1, len, w->f);
	return ferror(w->f) ? -1 : 0;
}

char *pb_tmpfile(const char *suffix)
{
	const char *dir = getenv("TMPDIR");
	if (!dir)
		dir = "/tmp";
	size_t n = strlen(dir) + 64;
	char *path = malloc(n);
	if (!path)
		return NULL;
	snprintf(path, n, "%s/phtestXXXXXX%s", dir, suffix ? suffix : "");
	int fd = mkstemps(path, suffix ? (int)strlen(suffix) : 0);
	if (fd < 0) {
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}
