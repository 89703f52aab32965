/* Tests for src/capture/pcapng_file.c: sections in both byte orders,
 * several interfaces with different link types, if_tsresol/if_tsoffset,
 * EPB/SPB/obsolete PB, skipped blocks, PCAPdroid's UID-map Custom Block,
 * and corrupt or truncated blocks. Files are written by hand here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture/capture.h"
#include "capture/capture_internal.h"

/* A pcapng under construction, in the current section's byte order. */
struct ng {
	uint8_t *p;
	size_t len, cap;
	bool be;
	size_t blk; /* start of the open block */
};

static void put(struct ng *b, const void *d, size_t n)
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

static void u8(struct ng *b, uint8_t v) { put(b, &v, 1); }

static void u16(struct ng *b, uint16_t v)
{
	uint8_t x[2];
	x[b->be ? 1 : 0] = (uint8_t)v;
	x[b->be ? 0 : 1] = (uint8_t)(v >> 8);
	put(b, x, 2);
}

static void u32(struct ng *b, uint32_t v)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[b->be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
	put(b, x, 4);
}

static void u64(struct ng *b, uint64_t v)
{
	if (b->be) {
		u32(b, (uint32_t)(v >> 32));
		u32(b, (uint32_t)v);
	} else {
		u32(b, (uint32_t)v);
		u32(b, (uint32_t)(v >> 32));
	}
}

static void pad4(struct ng *b)
{
	while (b->len & 3)
		u8(b, 0);
}

static void begin(struct ng *b, uint32_t type)
{
	b->blk = b->len;
	u32(b, type);
	u32(b, 0);
}

/* Pads, writes the trailing length and patches the leading one. */
static void end(struct ng *b)
{
	pad4(b);
	uint32_t total = (uint32_t)(b->len - b->blk + 4);
	u32(b, total);
	size_t save = b->len;
	b->len = b->blk + 4;
	u32(b, total);
	b->len = save;
}

static void shb(struct ng *b, bool be)
{
	b->be = be;
	begin(b, 0x0A0D0D0A);
	u32(b, 0x1A2B3C4D);
	u16(b, 1);
	u16(b, 0);
	u64(b, UINT64_MAX);
	end(b);
}

static void option(struct ng *b, uint16_t code, const void *v, uint16_t n)
{
	u16(b, code);
	u16(b, n);
	put(b, v, n);
	pad4(b);
}

/* tsresol < 0: none; tsoff written when has_off. */
static void idb(struct ng *b, uint16_t lt, uint32_t snaplen, int tsresol,
		bool has_off, int64_t tsoff)
{
	begin(b, 1);
	u16(b, lt);
	u16(b, 0);
	u32(b, snaplen);
	if (tsresol >= 0) {
		uint8_t r = (uint8_t)tsresol;
		option(b, 9, &r, 1);
	}
	if (has_off) {
		u16(b, 14);
		u16(b, 8);
		u64(b, (uint64_t)tsoff);
	}
	if (tsresol >= 0 || has_off)
		option(b, 0, NULL, 0);
	end(b);
}

static void epb(struct ng *b, uint32_t ifid, uint64_t ts, const void *d,
		uint32_t caplen, uint32_t wirelen)
{
	begin(b, 6);
	u32(b, ifid);
	u32(b, (uint32_t)(ts >> 32));
	u32(b, (uint32_t)ts);
	u32(b, caplen);
	u32(b, wirelen);
	put(b, d, caplen);
	pad4(b);
	option(b, 1, "comment", 7); /* options after the data are ignored */
	option(b, 0, NULL, 0);
	end(b);
}

static void spb(struct ng *b, uint32_t wirelen, const void *d, uint32_t n)
{
	begin(b, 3);
	u32(b, wirelen);
	put(b, d, n);
	end(b);
}

static void raw_block(struct ng *b, uint32_t type, size_t body)
{
	begin(b, type);
	for (size_t i = 0; i < body; i++)
		u8(b, (uint8_t)i);
	end(b);
}

static struct ph_capture *open_ng(struct ng *b, struct ph_err *err)
{
	struct ph_capture *c = NULL;
	memset(err, 0, sizeof *err);
	assert_int_equal(ph_capture_open_mem(&c, b->p, b->len, "t.pcapng", err),
			 0);
	assert_string_equal(ph_capture_format(c), "pcapng");
	return c;
}

static void next_ok(struct ph_capture *c, struct ph_frame *f)
{
	struct ph_err err = {0};
	int r = ph_capture_next(c, f, &err);
	if (r != 1)
		fail_msg("next: %d %s", r, err.msg);
}

static void next_end(struct ph_capture *c)
{
	struct ph_err err = {0};
	struct ph_frame f;
	int r = ph_capture_next(c, &f, &err);
	if (r != 0)
		fail_msg("expected end, got %d %s", r, err.msg);
}

static void basic(bool be)
{
	struct ng b = {0};
	struct ph_err err;
	struct ph_frame f;
	shb(&b, be);
	idb(&b, 1, 65535, -1, false, 0);
	epb(&b, 0, 1700000000123456ull, "hello", 5, 60);
	epb(&b, 0, 1700000000123457ull, "abcdefgh", 8, 8);
	struct ph_capture *c = open_ng(&b, &err);
	next_ok(c, &f);
	assert_int_equal(f.ts_ns, 1700000000123456000ull);
	assert_int_equal(f.caplen, 5);
	assert_int_equal(f.wirelen, 60);
	assert_memory_equal(f.data, "hello", 5);
	assert_int_equal(f.linktype, 1);
	assert_int_equal(f.pkt_no, 1);
	next_ok(c, &f);
	assert_memory_equal(f.data, "abcdefgh", 8);
	assert_int_equal(f.pkt_no, 2);
	next_end(c);
	assert_int_equal(ph_capture_stats(c)->bytes_read, b.len);
	ph_capture_close(c);
	free(b.p);
}

static void test_basic_le(void **s) { (void)s; basic(false); }
static void test_basic_be(void **s) { (void)s; basic(true); }

static void test_multi_iface_linktypes(void **state)
{
	(void)state;
	struct ng b = {0};
	struct ph_err err;
	struct ph_frame f;
	shb(&b, false);
	idb(&b, 1, 65535, -1, false, 0);
	idb(&b, 101, 65535, 9, false, 0);
	idb(&b, 113, 0, -1, false, 0);
	idb(&b, 12, 65535, -1, false, 0); /* DLT_RAW written raw */
	epb(&b, 2, 5, "sll", 3, 3);
	epb(&b, 0, 6, "eth", 3, 3);
	epb(&b, 1, 7, "raw", 3, 3);
	epb(&b, 3, 8, "dlt", 3, 3);
	struct ph_capture *c = open_ng(&b, &err);
	int want_lt[] = {113, 1, 101, 101};
	uint32_t want_if[] = {2, 0, 1, 3};
	uint64_t want_ts[] = {5000, 6000, 7, 8000};
	for (int i = 0; i < 4; i++) {
		next_ok(c, &f);
		assert_int_equal(f.linktype, want_lt[i]);
		assert_int_equal(f.iface, want_if[i]);
		assert_int_equal(f.ts_ns, want_ts[i]);
	}
	next_end(c);
	assert_int_equal(ph_capture_stats(c)->odd_snaplen, 1);
	ph_capture_close(c);
	free(b.p);
}

/* Timestamp of one EPB with `units` on an interface with the options. */
static uint64_t ts_with(int tsresol, bool has_off, int64_t off,
			uint64_t units)
{
	struct ng b = {0};
	struct ph_err err;
	struct ph_frame f;
	shb(&b, true);
	idb(&b, 1, 65535, tsresol, has_off, off);
	epb(&b, 0, units, "x", 1, 1);
	struct ph_capture *c = open_ng(&b, &err);
	next_ok(c, &f);
	ph_capture_close(c);
	free(b.p);
	return f.ts_ns;
}

static void test_tsresol(void **state)
{
	(void)state;
	assert_int_equal(ts_with(-1, false, 0, 1500000), 1500000000ull);
	assert_int_equal(ts_with(6, false, 0, 1500000), 1500000000ull);
	assert_int_equal(ts_with(9, false, 0, 1234567890123ull), 1234567890123ull);
	assert_int_equal(ts_with(3, false, 0, 1500), 1500000000ull);
	assert_int_equal(ts_with(0, false, 0, 7), 7000000000ull);
	assert_int_equal(ts_with(12, false, 0, 1234567), 1234ull); /* ps */
	assert_int_equal(ts_with(127, false, 0, UINT64_MAX), 0);
	/* Powers of two: 2^-10 s units, 2^-0 s units, 2^-30 s units. */
	assert_int_equal(ts_with(0x8A, false, 0, 1024 * 5 + 512),
			 5500000000ull);
	assert_int_equal(ts_with(0x80, false, 0, 3), 3000000000ull);
	assert_int_equal(ts_with(0x9E, false, 0, 1ull << 30), 1000000000ull);
	assert_int_equal(ts_with(0xFF, false, 0, UINT64_MAX), 0);
	/* Overflow clamps. */
	assert_int_equal(ts_with(0, false, 0, UINT64_MAX / 10), UINT64_MAX);
	assert_int_equal(ts_with(0x80, false, 0, UINT64_MAX), UINT64_MAX);
}

static void test_tsoffset(void **state)
{
	(void)state;
	assert_int_equal(ts_with(-1, true, 100, 1), 100000001000ull);
	assert_int_equal(ts_with(9, true, -2, 5000000000ull), 3000000000ull);
	assert_int_equal(ts_with(9, true, -10, 5), 0); /* clamped at 0 */
	assert_int_equal(ts_with(9, true, INT64_MIN, 5), 0);
	assert_int_equal(ts_with(9, true, INT64_MAX, 5), UINT64_MAX);
	assert_int_equal(ts_with(9, true, 1, UINT64_MAX - 5), UINT64_MAX);
}

static void test_spb_and_pb(void **state)
{
	(void)state;
	struct ng b = {0};
	struct ph_err err;
	struct ph_frame f;
	uint8_t data[100];
	for (int i = 0; i < 100; i++)
		data[i] = (uint8_t)i;
	shb(&b, false);
	idb(&b, 101, 64, 9, false, 0);
	idb(&b, 1, 0, -1, false, 0);
	spb(&b, 100, data, 64);                     /* before any time */
	epb(&b, 1, 42, data, 10, 10);
	spb(&b, 100, data, 64);                     /* cut to snaplen 64 */
	spb(&b, 30, data, 30);
	spb(&b, 50, data, 20);                      /* data short of 50 */
	begin(&b, 2);                               /* obsolete PB */
	u16(&b, 1);
	u16(&b, 0);
	u32(&b, 0);
	u32(&b, 77);
	u32(&b, 4);
	u32(&b, 9);
	put(&b, "pbpb", 4);
	end(&b);
	struct ph_capture *c = open_ng(&b, &err);
	next_ok(c, &f);
	assert_int_equal(f.ts_ns, 0);
	assert_int_equal(f.caplen, 64);
	assert_int_equal(f.wirelen, 100);
	assert_int_equal(f.linktype, 101);
	next_ok(c, &f);
	assert_int_equal(f.ts_ns, 42000);
	next_ok(c, &f);
	assert_int_equal(f.ts_ns, 42000);  /* SPB: previous packet's time */
	assert_int_equal(f.caplen, 64);
	assert_int_equal(f.wirelen, 100);
	assert_int_equal(f.iface, 0);
	assert_memory_equal(f.data, data, 64);
	next_ok(c, &f);
	assert_int_equal(f.caplen, 30);
	assert_int_equal(f.wirelen, 30);
	next_ok(c, &f);
	assert_int_equal(f.caplen, 20); /* what the block holds */
	assert_int_equal(f.wirelen, 50);
	next_ok(c, &f);
	assert_int_equal(f.caplen, 4);
	assert_int_equal(f.wirelen, 9);
	assert_int_equal(f.iface, 1);
	assert_int_equal(f.linktype, 1);
	assert_int_equal(f.ts_ns, 77000);
	assert_memory_equal(f.data, "pbpb", 4);
	assert_int_equal(f.pkt_no, 6);
	next_end(c);
	ph_capture_close(c);
	free(b.p);
}

static void test_skipped_blocks(void **state)
{
	(void)state;
	struct ng b = {0};
	struct ph_err err;
	struct ph_frame f;
	shb(&b, false);
	raw_block(&b, 4, 12);            /* NRB */
	idb(&b, 1, 65535, -1, false, 0);
	raw_block(&b, 5, 20);            /* ISB */
	raw_block(&b, 10, 33);           /* DSB */
	raw_block(&b, 0x12345678, 0);    /* unknown */
	begin(&b, 0xBAD);                /* custom block, other PEN */
	u32(&b, 32473);
	put(&b, "data", 4);
	end(&b);
	epb(&b, 0, 1, "a", 1, 1);
	struct ph_capture *c = open_ng(&b, &err);
	next_ok(c, &f);
	assert_int_equal(f.pkt_no, 1);
	next_end(c);
	assert_int_equal(ph_capture_stats(c)->skipped_blocks, 5);
	ph_capture_close(c);
	free(b.p);
}

/* A 1 MB DSB (bigger than the block cap) is streamed past. */
static void test_big_skippable_block(void **state)
{
	(void)state;
	struct ng b = {0};
	struct ph_err err;
	struct ph_frame f;
	shb(&b, false);
	idb(&b, 1, 65535, -1, false, 0);
	raw_block(&b, 10, 1u << 20);
	epb(&b, 0, 1, "a", 1, 1);
	struct ph_capture *c = open_ng(&b, &err);
	next_ok(c, &f);
	assert_memory_equal(f.data, "a", 1);
	next_end(c);
	assert_int_equal(ph_capture_stats(c)->skipped_blocks, 1);
	ph_capture_close(c);
	/* Same through the smallest window in small reads. */
	struct ph_capture_opts o = {.bufsize = 1, .chunk = 4093};
	assert_int_equal(ph_capture_open_opts(&c, NULL, b.p, b.len, "m", &o,
					      &err), 0);
	next_ok(c, &f);
	next_end(c);
	ph_capture_close(c);
	free(b.p);
}

static void test_sections_reset(void **state)
{
	(void)state;
	struct ng b = {0};
	struct ph_err err;
	struct ph_frame f;
	shb(&b, false);
	idb(&b, 1, 65535, -1, false, 0);
	idb(&b, 113, 65535, -1, false, 0);
	epb(&b, 1, 1, "one", 3, 3);
	shb(&b, true);                       /* new section, other order */
	idb(&b, 101, 65535, 9, false, 0);
	epb(&b, 0, 2, "two", 3, 3);
	epb(&b, 1, 3, "bad", 3, 3);          /* iface 1 gone with section 1 */
	epb(&b, 0, 4, "end", 3, 3);
	struct ph_capture *c = open_ng(&b, &err);
	next_ok(c, &f);
	assert_int_equal(f.linktype, 113);
	next_ok(c, &f);
	assert_int_equal(f.linktype, 101);
	assert_int_equal(f.ts_ns, 2);
	assert_int_equal(f.pkt_no, 2);
	next_ok(c, &f);
	assert_memory_equal(f.data, "end", 3);
	assert_int_equal(f.pkt_no, 3);
	next_end(c);
	assert_int_equal(ph_capture_stats(c)->bad_records, 1);
	ph_capture_close(c);
	free(b.p);
}

/* PCAPdroid's block as pcap_dump.c writes it (host order = section). */
static void uid_block(struct ng *b, uint32_t type, int32_t uid,
		      const char *pkg, const char *label)
{
	begin(b, type);
	u32(b, 62652);
	u16(b, 1);
	u8(b, 1);
	u8(b, 0);
	u32(b, (uint32_t)uid);
	u8(b, (uint8_t)strlen(pkg));
	u8(b, (uint8_t)strlen(label));
	put(b, pkg, strlen(pkg));
	put(b, label, strlen(label));
	end(b);
}

static void test_pcapdroid_uid_map(void **state)
{
	(void)state;
	struct ng b = {0};
	struct ph_err err;
	struct ph_frame f;
	shb(&b, false);
	idb(&b, 1, 65535, -1, false, 0);
	uid_block(&b, 0xBAD, 10123, "com.example.app", "Example");
	epb(&b, 0, 1, "a", 1, 1);
	uid_block(&b, 0x40000BAD, -1, "unknown", "Unknown app");
	uid_block(&b, 0xBAD, 1000, "android", "Android\x01System");
	uid_block(&b, 0xBAD, 10123, "com.example.app2", "Example 2");
	begin(&b, 0xBAD);                 /* names run past the block */
	u32(&b, 62652);
	u16(&b, 1);
	u8(&b, 1);
	u8(&b, 0);
	u32(&b, 5);
	u8(&b, 200);
	u8(&b, 200);
	end(&b);
	epb(&b, 0, 2, "b", 1, 1);
	struct ph_capture *c = open_ng(&b, &err);
	next_ok(c, &f);
	assert_string_equal(ph_capture_app_for_uid(c, 10123), "com.example.app");
	assert_string_equal(ph_capture_app_label_for_uid(c, 10123), "Example");
	next_ok(c, &f);
	assert_string_equal(ph_capture_app_for_uid(c, 10123),
			    "com.example.app2");
	assert_string_equal(ph_capture_app_for_uid(c, -1), "unknown");
	assert_string_equal(ph_capture_app_label_for_uid(c, 1000),
			    "Android?System");
	assert_null(ph_capture_app_for_uid(c, 5));
	assert_null(ph_capture_app_for_uid(c, 4242));
	assert_int_equal(ph_capture_stats(c)->bad_records, 1);
	next_end(c);
	ph_capture_close(c);
	free(b.p);
}

static void test_truncated_shb(void **state)
{
	(void)state;
	struct ng b = {0};
	shb(&b, false);
	for (size_t cut = 4; cut < b.len; cut += 4) {
		struct ph_capture *c = NULL;
		struct ph_err err = {0};
		assert_int_equal(ph_capture_open_mem(&c, b.p, cut, "t", &err),
				 PH_ETRUNC);
		assert_null(c);
		assert_string_equal(err.file, "t");
	}
	free(b.p);
}

static void test_bad_bom(void **state)
{
	(void)state;
	struct ng b = {0};
	shb(&b, false);
	b.p[8] = 0x99;
	struct ph_capture *c = NULL;
	struct ph_err err = {0};
	assert_int_equal(ph_capture_open_mem(&c, b.p, b.len, "t", &err),
			 PH_EFORMAT);
	assert_non_null(strstr(err.msg, "byte-order magic"));
	free(b.p);
}

static void test_bad_version(void **state)
{
	(void)state;
	struct ng b = {0};
	shb(&b, false);
	b.p[12] = 2;
	struct ph_capture *c = NULL;
	struct ph_err err = {0};
	assert_int_equal(ph_capture_open_mem(&c, b.p, b.len, "t", &err),
			 PH_EUNSUPPORTED);
	free(b.p);
}

/* Builds SHB + IDB + one good EPB, then lets `corrupt` add a bad block;
 * checks the error code and that it points at the bad block. */
static void expect_block_error(void (*corrupt)(struct ng *), int code,
			       uint64_t packet, const char *msg_part)
{
	struct ng b = {0};
	struct ph_err err;
	struct ph_frame f;
	shb(&b, false);
	idb(&b, 1, 65535, -1, false, 0);
	epb(&b, 0, 1, "a", 1, 1);
	size_t off = b.len;
	corrupt(&b);
	struct ph_capture *c = open_ng(&b, &err);
	next_ok(c, &f);
	assert_int_equal(ph_capture_next(c, &f, &err), code);
	assert_int_equal(err.code, code);
	assert_int_equal(err.offset, off);
	assert_int_equal(err.packet, packet);
	assert_string_equal(err.file, "t.pcapng");
	if (!strstr(err.msg, msg_part))
		fail_msg("message '%s' lacks '%s'", err.msg, msg_part);
	ph_capture_close(c);
	free(b.p);
}

static void bad_len_odd(struct ng *b)
{
	u32(b, 6);
	u32(b, 30);
	u32(b, 0);
	u32(b, 0);
}

static void bad_trailer(struct ng *b)
{
	epb(b, 0, 1, "a", 1, 1);
	b->p[b->len - 1] = 0x55;
}

static void huge_epb(struct ng *b)
{
	u32(b, 6);
	u32(b, 0x7ffffff0);
	for (int i = 0; i < 10; i++)
		u32(b, 0);
}

static void huge_caplen(struct ng *b)
{
	begin(b, 6);
	u32(b, 0);
	u32(b, 0);
	u32(b, 0);
	u32(b, PH_CAPTURE_MAX_RECORD + 1);
	u32(b, PH_CAPTURE_MAX_RECORD + 1);
	for (uint32_t i = 0; i < PH_CAPTURE_MAX_RECORD + 4; i += 4)
		u32(b, i);
	end(b);
}

static void truncated_epb(struct ng *b)
{
	uint8_t d[1514] = {0};
	epb(b, 0, 2, d, 1514, 1514);
	b->len -= 1300;
}

static void truncated_header(struct ng *b)
{
	u32(b, 6);
	u32(b, 100);
	b->len -= 2;
}

static void truncated_idb(struct ng *b)
{
	idb(b, 1, 65535, 9, false, 0);
	b->len -= 4;
}

static void truncated_big_dsb(struct ng *b)
{
	raw_block(b, 10, 1u << 20);
	b->len -= 100;
}

static void big_dsb_bad_trailer(struct ng *b)
{
	raw_block(b, 10, 1u << 20);
	b->p[b->len - 2] ^= 1;
}

static void absurd_dsb(struct ng *b)
{
	u32(b, 10);
	u32(b, 0xfffffff0);
	u32(b, 0);
}

static void test_corrupt_blocks(void **state)
{
	(void)state;
	expect_block_error(truncated_idb, PH_ETRUNC, 0,
			   "(type 0x00000001) truncated: needs 32 bytes, 28 "
			   "left");
	expect_block_error(truncated_big_dsb, PH_ETRUNC, 0, "truncated");
	expect_block_error(big_dsb_bad_trailer, PH_EFORMAT, 0,
			   "trailing length");
	expect_block_error(absurd_dsb, PH_EFORMAT, 0, "exceeds the 67108864");
	expect_block_error(bad_len_odd, PH_EFORMAT, 0, "bad total length 30");
	expect_block_error(bad_trailer, PH_EFORMAT, 0, "trailing length");
	expect_block_error(huge_epb, PH_EFORMAT, 2, "exceeds");
	expect_block_error(huge_caplen, PH_EFORMAT, 2, "exceeds");
	expect_block_error(truncated_epb, PH_ETRUNC, 2,
			   "packet 2 truncated: block needs 1564 bytes, "
			   "264 left");
	expect_block_error(truncated_header, PH_ETRUNC, 2, "truncated");
}

static void test_recoverable_records(void **state)
{
	(void)state;
	struct ng b = {0};
	struct ph_err err;
	struct ph_frame f;
	shb(&b, false);
	epb(&b, 0, 1, "x", 1, 1);          /* no interface yet */
	spb(&b, 4, "abcd", 4);             /* no interface yet */
	idb(&b, 1, 16, -1, false, 0);
	epb(&b, 7, 1, "x", 1, 1);          /* unknown interface */
	begin(&b, 6);                      /* caplen beyond the block */
	u32(&b, 0);
	u32(&b, 0);
	u32(&b, 0);
	u32(&b, 100);
	u32(&b, 100);
	put(&b, "abcd", 4);
	end(&b);
	begin(&b, 1);                      /* IDB too short */
	u16(&b, 1);
	end(&b);
	epb(&b, 0, 1, "0123456789abcdefXY", 18, 4); /* > snaplen, > wirelen */
	struct ph_capture *c = open_ng(&b, &err);
	next_ok(c, &f);
	assert_int_equal(f.caplen, 18);
	assert_int_equal(f.wirelen, 18);
	assert_int_equal(f.pkt_no, 1);
	next_end(c);
	const struct ph_capture_stats *st = ph_capture_stats(c);
	assert_int_equal(st->bad_records, 5);
	assert_int_equal(st->clamped_caplen, 1);
	assert_int_equal(st->short_wirelen, 1);
	ph_capture_close(c);
	free(b.p);
}

static void test_too_many_interfaces(void **state)
{
	(void)state;
	struct ng b = {0};
	struct ph_err err;
	struct ph_frame f;
	shb(&b, false);
	for (int i = 0; i <= PH_CAPTURE_MAX_IFACES; i++)
		idb(&b, 1, 65535, -1, false, 0);
	epb(&b, 0, 1, "x", 1, 1);
	struct ph_capture *c = open_ng(&b, &err);
	assert_int_equal(ph_capture_next(c, &f, &err), PH_EUNSUPPORTED);
	ph_capture_close(c);
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_le),
		cmocka_unit_test(test_basic_be),
		cmocka_unit_test(test_multi_iface_linktypes),
		cmocka_unit_test(test_tsresol),
		cmocka_unit_test(test_tsoffset),
		cmocka_unit_test(test_spb_and_pb),
		cmocka_unit_test(test_skipped_blocks),
		cmocka_unit_test(test_big_skippable_block),
		cmocka_unit_test(test_sections_reset),
		cmocka_unit_test(test_pcapdroid_uid_map),
		cmocka_unit_test(test_truncated_shb),
		cmocka_unit_test(test_bad_bom),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_corrupt_blocks),
		cmocka_unit_test(test_recoverable_records),
		cmocka_unit_test(test_too_many_interfaces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
