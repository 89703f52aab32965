/* Tests for src/capture/pcap_file.c: classic pcap in both byte orders,
 * micro/nanosecond magics, Kuznetsov records, link-type field masking and
 * DLT_RAW mapping, snaplen/caplen/wirelen oddities, truncation and corrupt
 * lengths, window refills on multi-MB files, no allocation per packet. */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture/capture.h"
#include "capture/capture_internal.h"
#include "pktbuild.h"

/* A growable byte string written in a chosen byte order. */
struct bb {
	uint8_t *p;
	size_t len, cap;
	bool be;
};

static void bb_put(struct bb *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void bb_u16(struct bb *b, uint16_t v)
{
	uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	if (b->be) {
		x[0] = (uint8_t)(v >> 8);
		x[1] = (uint8_t)v;
	}
	bb_put(b, x, 2);
}

static void bb_u32(struct bb *b, uint32_t v)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[b->be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
	bb_put(b, x, 4);
}

static void pcap_hdr(struct bb *b, uint32_t magic, uint32_t snaplen,
		     uint32_t network)
{
	bb_u32(b, magic);
	bb_u16(b, 2);
	bb_u16(b, 4);
	bb_u32(b, 0);
	bb_u32(b, 0);
	bb_u32(b, snaplen);
	bb_u32(b, network);
}

/* A record whose bytes are (pkt_seed + i) & 0xff. */
static void pcap_rec(struct bb *b, uint32_t sec, uint32_t frac, uint32_t incl,
		     uint32_t orig, uint8_t seed)
{
	bb_u32(b, sec);
	bb_u32(b, frac);
	bb_u32(b, incl);
	bb_u32(b, orig);
	for (uint32_t i = 0; i < incl; i++) {
		uint8_t v = (uint8_t)(seed + i);
		bb_put(b, &v, 1);
	}
}

static struct ph_capture *open_bb(struct bb *b, struct ph_err *err)
{
	struct ph_capture *c = NULL;
	int r = ph_capture_open_mem(&c, b->p, b->len, "mem.pcap", err);
	assert_int_equal(r, 0);
	assert_non_null(c);
	return c;
}

static void check_frame_bytes(const struct ph_frame *f, uint8_t seed)
{
	for (uint32_t i = 0; i < f->caplen; i++)
		if (f->data[i] != (uint8_t)(seed + i))
			fail_msg("byte %u of packet %llu", i,
				 (unsigned long long)f->pkt_no);
}

/* Reads two records in the given byte order/resolution. */
static void two_records(bool be, bool nsec)
{
	struct bb b = {.be = be};
	pcap_hdr(&b, nsec ? 0xa1b23c4d : 0xa1b2c3d4, 65535, 1);
	pcap_rec(&b, 1700000000, nsec ? 123456789 : 123456, 60, 60, 7);
	pcap_rec(&b, 1700000001, 5, 42, 1514, 9);
	struct ph_err err = {0};
	struct ph_capture *c = open_bb(&b, &err);
	assert_string_equal(ph_capture_format(c), "pcap");
	struct ph_frame f;
	assert_int_equal(ph_capture_next(c, &f, &err), 1);
	assert_int_equal(f.ts_ns, nsec ? 1700000000123456789ull
				      : 1700000000123456000ull);
	assert_int_equal(f.caplen, 60);
	assert_int_equal(f.wirelen, 60);
	assert_int_equal(f.linktype, PH_LINK_ETHERNET);
	assert_int_equal(f.pkt_no, 1);
	assert_int_equal(f.iface, 0);
	check_frame_bytes(&f, 7);
	assert_int_equal(ph_capture_next(c, &f, &err), 1);
	assert_int_equal(f.ts_ns, 1700000001000000000ull +
					  (nsec ? 5u : 5000u));
	assert_int_equal(f.caplen, 42);
	assert_int_equal(f.wirelen, 1514);
	assert_int_equal(f.pkt_no, 2);
	check_frame_bytes(&f, 9);
	assert_int_equal(ph_capture_next(c, &f, &err), 0);
	assert_int_equal(ph_capture_next(c, &f, &err), 0);
	const struct ph_capture_stats *st = ph_capture_stats(c);
	assert_int_equal(st->frames, 2);
	assert_int_equal(st->bytes_read, b.len);
	ph_capture_close(c);
	free(b.p);
}

static void test_le_usec(void **s) { (void)s; two_records(false, false); }
static void test_le_nsec(void **s) { (void)s; two_records(false, true); }
static void test_be_usec(void **s) { (void)s; two_records(true, false); }
static void test_be_nsec(void **s) { (void)s; two_records(true, true); }

/* The project's own pcap writer round-trips. */
static void test_pktbuild_writer(void **state)
{
	(void)state;
	char *path = pb_tmpfile(".pcap");
	FILE *fp = fopen(path, "wb");
	struct pb_pcap w;
	uint8_t frame[100];
	memset(frame, 0xab, sizeof frame);
	assert_int_equal(pb_pcap_open(&w, fp, 101, 1), 0);
	assert_int_equal(pb_pcap_write(&w, 1234567890123456789ull, frame, 100),
			 0);
	fclose(fp);
	struct ph_capture *c;
	struct ph_err err = {0};
	struct ph_frame f;
	assert_int_equal(ph_capture_open(&c, path, &err), 0);
	assert_int_equal(ph_capture_next(c, &f, &err), 1);
	assert_int_equal(f.ts_ns, 1234567890123456789ull);
	assert_int_equal(f.linktype, PH_LINK_RAW);
	assert_memory_equal(f.data, frame, 100);
	assert_int_equal(ph_capture_next(c, &f, &err), 0);
	ph_capture_close(c);
	unlink(path);
	free(path);
}

static int first_linktype(uint32_t network)
{
	struct bb b = {0};
	pcap_hdr(&b, 0xa1b2c3d4, 65535, network);
	pcap_rec(&b, 1, 0, 4, 4, 0);
	struct ph_err err = {0};
	struct ph_capture *c = open_bb(&b, &err);
	struct ph_frame f;
	assert_int_equal(ph_capture_next(c, &f, &err), 1);
	ph_capture_close(c);
	free(b.p);
	return f.linktype;
}

static void test_linktype_field(void **state)
{
	(void)state;
	assert_int_equal(first_linktype(1), 1);
	/* FCS length 4 (bits 28-31 = 2 units) and the P bit (26). */
	assert_int_equal(first_linktype(0x24000001u), 1);
	assert_int_equal(first_linktype(12), PH_LINK_RAW);
	assert_int_equal(first_linktype(14), PH_LINK_RAW);
	assert_int_equal(first_linktype(0x0400000Eu), PH_LINK_RAW);
	assert_int_equal(first_linktype(113), PH_LINK_LINUX_SLL);
	assert_int_equal(first_linktype(276), PH_LINK_LINUX_SLL2);
}

static void test_kuznetsov(void **state)
{
	(void)state;
	struct bb b = {0};
	pcap_hdr(&b, 0xa1b2cd34, 65535, 1);
	for (int i = 0; i < 2; i++) {
		bb_u32(&b, 10);
		bb_u32(&b, 20);
		bb_u32(&b, 3);
		bb_u32(&b, 3);
		bb_u32(&b, 2);      /* ifindex */
		bb_u16(&b, 0x800);  /* protocol */
		bb_put(&b, "\0\0", 2); /* pkt_type, pad */
		bb_put(&b, "abc", 3);
	}
	struct ph_err err = {0};
	struct ph_capture *c = open_bb(&b, &err);
	struct ph_frame f;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ph_capture_next(c, &f, &err), 1);
		assert_int_equal(f.ts_ns, 10000020000ull);
		assert_memory_equal(f.data, "abc", 3);
	}
	assert_int_equal(ph_capture_next(c, &f, &err), 0);
	ph_capture_close(c);
	free(b.p);
}

static void test_truncated_header(void **state)
{
	(void)state;
	struct bb b = {0};
	pcap_hdr(&b, 0xa1b2c3d4, 65535, 1);
	struct ph_capture *c = NULL;
	struct ph_err err = {0};
	assert_int_equal(ph_capture_open_mem(&c, b.p, 10, "short.pcap", &err),
			 PH_ETRUNC);
	assert_null(c);
	assert_int_equal(err.code, PH_ETRUNC);
	assert_string_equal(err.file, "short.pcap");
	assert_non_null(strstr(err.msg, "pcap file header"));
	free(b.p);
}

/* Three good records, then a 1514-byte record with 200 bytes present. */
static void test_truncated_last_packet(void **state)
{
	(void)state;
	struct bb b = {0};
	pcap_hdr(&b, 0xa1b2c3d4, 65535, 1);
	for (int i = 0; i < 3; i++)
		pcap_rec(&b, 1, 0, 100, 100, (uint8_t)i);
	size_t off4 = b.len;
	pcap_rec(&b, 1, 0, 1514, 1514, 0);
	b.len = off4 + 16 + 200;
	struct ph_err err = {0};
	struct ph_capture *c = open_bb(&b, &err);
	struct ph_frame f;
	for (int i = 0; i < 3; i++)
		assert_int_equal(ph_capture_next(c, &f, &err), 1);
	assert_int_equal(ph_capture_next(c, &f, &err), PH_ETRUNC);
	assert_int_equal(err.code, PH_ETRUNC);
	assert_int_equal(err.packet, 4);
	assert_int_equal(err.offset, off4);
	assert_string_equal(err.file, "mem.pcap");
	assert_string_equal(err.msg, "packet 4 truncated: record needs 1514 "
				     "bytes, 200 left");
	/* The failure is sticky. */
	struct ph_err again = {0};
	assert_int_equal(ph_capture_next(c, &f, &again), PH_ETRUNC);
	assert_string_equal(again.msg, err.msg);
	assert_int_equal(ph_capture_stats(c)->frames, 3);
	ph_capture_close(c);
	free(b.p);
}

static void test_truncated_record_header(void **state)
{
	(void)state;
	struct bb b = {0};
	pcap_hdr(&b, 0xa1b2c3d4, 65535, 1);
	pcap_rec(&b, 1, 0, 10, 10, 0);
	bb_put(&b, "\1\2\3\4\5", 5);
	struct ph_err err = {0};
	struct ph_capture *c = open_bb(&b, &err);
	struct ph_frame f;
	assert_int_equal(ph_capture_next(c, &f, &err), 1);
	assert_int_equal(ph_capture_next(c, &f, &err), PH_ETRUNC);
	assert_int_equal(err.packet, 2);
	assert_int_equal(err.offset, 24 + 26);
	assert_non_null(strstr(err.msg, "record header needs 16 bytes, 5 left"));
	ph_capture_close(c);
	free(b.p);
}

static void test_huge_caplen(void **state)
{
	(void)state;
	struct bb b = {0};
	pcap_hdr(&b, 0xa1b2c3d4, 65535, 1);
	pcap_rec(&b, 1, 0, 10, 10, 0);
	bb_u32(&b, 1);
	bb_u32(&b, 0);
	bb_u32(&b, 0x7fffffff);
	bb_u32(&b, 0x7fffffff);
	struct ph_err err = {0};
	struct ph_capture *c = open_bb(&b, &err);
	struct ph_frame f;
	assert_int_equal(ph_capture_next(c, &f, &err), 1);
	assert_int_equal(ph_capture_next(c, &f, &err), PH_EFORMAT);
	assert_int_equal(err.packet, 2);
	assert_int_equal(err.offset, 50);
	assert_non_null(strstr(err.msg, "exceeds"));
	ph_capture_close(c);
	free(b.p);
}

/* A record of exactly the cap is fine; one byte more is not. */
static void test_max_record(void **state)
{
	(void)state;
	for (uint32_t extra = 0; extra < 2; extra++) {
		struct bb b = {0};
		uint32_t n = PH_CAPTURE_MAX_RECORD + extra;
		pcap_hdr(&b, 0xa1b2c3d4, 0, 1);
		pcap_rec(&b, 1, 0, n, n, 3);
		struct ph_err err = {0};
		struct ph_capture *c = open_bb(&b, &err);
		struct ph_frame f;
		int r = ph_capture_next(c, &f, &err);
		assert_int_equal(r, extra ? PH_EFORMAT : 1);
		if (r == 1)
			check_frame_bytes(&f, 3);
		ph_capture_close(c);
		free(b.p);
	}
}

static void test_odd_lengths(void **state)
{
	(void)state;
	struct bb b = {0};
	pcap_hdr(&b, 0xa1b2c3d4, 0, 1);        /* snaplen 0: accepted */
	pcap_rec(&b, 1, 0, 100, 40, 0);        /* wirelen < caplen */
	struct ph_err err = {0};
	struct ph_capture *c = open_bb(&b, &err);
	struct ph_frame f;
	assert_int_equal(ph_capture_next(c, &f, &err), 1);
	assert_int_equal(f.caplen, 100);
	assert_int_equal(f.wirelen, 100);
	const struct ph_capture_stats *st = ph_capture_stats(c);
	assert_int_equal(st->odd_snaplen, 1);
	assert_int_equal(st->short_wirelen, 1);
	assert_int_equal(st->clamped_caplen, 0);
	ph_capture_close(c);
	free(b.p);

	b = (struct bb){0};
	pcap_hdr(&b, 0xa1b2c3d4, 64, 1);       /* caplen > snaplen: kept */
	pcap_rec(&b, 1, 0, 100, 100, 0);
	c = open_bb(&b, &err);
	assert_int_equal(ph_capture_next(c, &f, &err), 1);
	assert_int_equal(f.caplen, 100);
	check_frame_bytes(&f, 0);
	assert_int_equal(ph_capture_stats(c)->clamped_caplen, 1);
	ph_capture_close(c);
	free(b.p);
}

static void test_header_only(void **state)
{
	(void)state;
	struct bb b = {.be = true};
	pcap_hdr(&b, 0xa1b2c3d4, 65535, 1);
	struct ph_err err = {0};
	struct ph_capture *c = open_bb(&b, &err);
	struct ph_frame f;
	assert_int_equal(ph_capture_next(c, &f, &err), 0);
	assert_int_equal(ph_capture_stats(c)->frames, 0);
	ph_capture_close(c);
	free(b.p);
}

/* ~12 MB of records of varying size, read from a file (4 MiB window) and
 * from memory in 1000-byte reads through the smallest window: every byte
 * must survive the tail moves. */
static struct bb big_capture(uint32_t n)
{
	struct bb b = {0};
	pcap_hdr(&b, 0xa1b2c3d4, 262144, 1);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = (i * 7919u) % 1500u + (i % 97 == 0 ? 60000u : 1u);
		pcap_rec(&b, i, i % 1000000u, len, len, (uint8_t)i);
	}
	return b;
}

static void read_big(struct ph_capture *c, uint32_t n)
{
	struct ph_err err = {0};
	struct ph_frame f;
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(ph_capture_next(c, &f, &err), 1);
		uint32_t len = (i * 7919u) % 1500u + (i % 97 == 0 ? 60000u : 1u);
		assert_int_equal(f.caplen, len);
		assert_int_equal(f.pkt_no, i + 1);
		assert_int_equal(f.ts_ns, (uint64_t)i * 1000000000u +
						  (uint64_t)(i % 1000000u) * 1000u);
		check_frame_bytes(&f, (uint8_t)i);
	}
	assert_int_equal(ph_capture_next(c, &f, &err), 0);
}

static void test_window_refill(void **state)
{
	(void)state;
	uint32_t n = 10000;
	struct bb b = big_capture(n);
	assert_true(b.len > 3 * PH_INPUT_BUFSIZE);
	char *path = pb_tmpfile(".pcap");
	FILE *fp = fopen(path, "wb");
	assert_int_equal(fwrite(b.p, 1, b.len, fp), b.len);
	fclose(fp);
	struct ph_capture *c;
	struct ph_err err = {0};
	assert_int_equal(ph_capture_open(&c, path, &err), 0);
	assert_int_equal(ph_capture_size(c), b.len);
	read_big(c, n);
	assert_int_equal(ph_capture_pos(c), b.len);
	ph_capture_close(c);

	struct ph_capture_opts o = {.bufsize = 1, .chunk = 1000};
	assert_int_equal(ph_capture_open_opts(&c, NULL, b.p, b.len, "m", &o,
					      &err), 0);
	read_big(c, n);
	ph_capture_close(c);
	unlink(path);
	free(path);
	free(b.p);
}

/* The read loop allocates nothing once the reader is open. */
static void test_no_alloc_per_packet(void **state)
{
	(void)state;
	uint32_t n = 3000;
	struct bb b = big_capture(n);
	struct ph_capture *c;
	struct ph_err err = {0};
	struct ph_capture_opts o = {.bufsize = 1};
	assert_int_equal(ph_capture_open_opts(&c, NULL, b.p, b.len, "m", &o,
					      &err), 0);
	struct ph_frame f;
	assert_int_equal(ph_capture_next(c, &f, &err), 1);
	struct mallinfo2 before = mallinfo2();
	while (ph_capture_next(c, &f, &err) == 1)
		;
	struct mallinfo2 after = mallinfo2();
	assert_int_equal(before.uordblks, after.uordblks);
	assert_int_equal(before.hblks, after.hblks);
	assert_int_equal(ph_capture_stats(c)->frames, n);
	ph_capture_close(c);
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_le_usec),
		cmocka_unit_test(test_le_nsec),
		cmocka_unit_test(test_be_usec),
		cmocka_unit_test(test_be_nsec),
		cmocka_unit_test(test_pktbuild_writer),
		cmocka_unit_test(test_linktype_field),
		cmocka_unit_test(test_kuznetsov),
		cmocka_unit_test(test_truncated_header),
		cmocka_unit_test(test_truncated_last_packet),
		cmocka_unit_test(test_truncated_record_header),
		cmocka_unit_test(test_huge_caplen),
		cmocka_unit_test(test_max_record),
		cmocka_unit_test(test_odd_lengths),
		cmocka_unit_test(test_header_only),
		cmocka_unit_test(test_window_refill),
		cmocka_unit_test(test_no_alloc_per_packet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
