/* Tests for src/capture/input.c: regular files, stdin ("-") from a file
 * and from a pipe fed by a child process, gzip detected by magic (gzopen
 * files, concatenated members, trailing garbage, truncated and corrupt
 * streams), size/position reporting, short source reads, open errors. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "capture/capture.h"
#include "capture/capture_internal.h"
#include "pktbuild.h"

struct blob {
	uint8_t *p;
	size_t len;
};

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A little-endian microsecond pcap with n records of (i % 1400 + 20)
 * bytes, each byte (i + k) & 0xff. */
static struct blob make_pcap(uint32_t n)
{
	size_t cap = 24;
	for (uint32_t i = 0; i < n; i++)
		cap += 16 + i % 1400 + 20;
	struct blob b = {malloc(cap), cap};
	assert_non_null(b.p);
	uint8_t *p = b.p;
	le32(p, 0xa1b2c3d4);
	p[4] = 2, p[5] = 0, p[6] = 4, p[7] = 0;
	le32(p + 8, 0);
	le32(p + 12, 0);
	le32(p + 16, 65535);
	le32(p + 20, 1);
	p += 24;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = i % 1400 + 20;
		le32(p, i);
		le32(p + 4, 0);
		le32(p + 8, len);
		le32(p + 12, len);
		for (uint32_t k = 0; k < len; k++)
			p[16 + k] = (uint8_t)(i + k);
		p += 16 + len;
	}
	return b;
}

static void check_all(struct ph_capture *c, uint32_t n)
{
	struct ph_err err = {0};
	struct ph_frame f;
	for (uint32_t i = 0; i < n; i++) {
		int r = ph_capture_next(c, &f, &err);
		if (r != 1)
			fail_msg("packet %u: %d %s", i + 1, r, err.msg);
		assert_int_equal(f.caplen, i % 1400 + 20);
		assert_int_equal(f.ts_ns, (uint64_t)i * 1000000000u);
		for (uint32_t k = 0; k < f.caplen; k++)
			if (f.data[k] != (uint8_t)(i + k))
				fail_msg("packet %u byte %u", i + 1, k);
	}
	assert_int_equal(ph_capture_next(c, &f, &err), 0);
}

/* gzip (one member) of data, in memory. */
static struct blob gz_mem(const uint8_t *d, size_t n)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	struct blob b;
	b.len = deflateBound(&zs, (uLong)n);
	b.p = malloc(b.len);
	zs.next_in = (Bytef *)d;
	zs.avail_in = (uInt)n;
	zs.next_out = b.p;
	zs.avail_out = (uInt)b.len;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	b.len = zs.total_out;
	deflateEnd(&zs);
	return b;
}

static char *write_file(const void *d, size_t n, const char *suffix)
{
	char *path = pb_tmpfile(suffix);
	assert_non_null(path);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(d, 1, n, f), n);
	fclose(f);
	return path;
}

static void test_regular_file(void **state)
{
	(void)state;
	struct blob b = make_pcap(3000);
	char *path = write_file(b.p, b.len, ".pcap");
	struct ph_capture *c;
	struct ph_err err = {0};
	assert_int_equal(ph_capture_open(&c, path, &err), 0);
	assert_int_equal(ph_capture_size(c), b.len);
	assert_string_equal(ph_capture_format(c), "pcap");
	check_all(c, 3000);
	assert_int_equal(ph_capture_pos(c), b.len);
	ph_capture_close(c);
	unlink(path);
	free(path);
	free(b.p);
}

/* Written with gzopen, as a user's gzip'ed capture would be. */
static void test_gzip_file(void **state)
{
	(void)state;
	struct blob b = make_pcap(5000);
	char *path = pb_tmpfile(".anything");
	gzFile gz = gzopen(path, "wb");
	assert_non_null(gz);
	assert_int_equal(gzwrite(gz, b.p, (unsigned)b.len), (int)b.len);
	gzclose(gz);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	struct ph_capture *c;
	struct ph_err err = {0};
	assert_int_equal(ph_capture_open(&c, path, &err), 0);
	assert_string_equal(ph_capture_format(c), "pcap.gz");
	assert_int_equal(ph_capture_size(c), (uint64_t)st.st_size);
	assert_true(ph_capture_pos(c) <= (uint64_t)st.st_size);
	check_all(c, 5000);
	assert_int_equal(ph_capture_pos(c), (uint64_t)st.st_size);
	assert_int_equal(ph_capture_stats(c)->bytes_read, b.len);
	ph_capture_close(c);
	unlink(path);
	free(path);
	free(b.p);
}

/* Two gzip members back to back, then trailing zeros (ignored). */
static void test_gzip_members(void **state)
{
	(void)state;
	struct blob b = make_pcap(2000);
	size_t half = b.len / 2 + 3;
	struct blob g1 = gz_mem(b.p, half), g2 = gz_mem(b.p + half, b.len - half);
	size_t n = g1.len + g2.len + 7;
	uint8_t *cat = calloc(1, n);
	memcpy(cat, g1.p, g1.len);
	memcpy(cat + g1.len, g2.p, g2.len);
	struct ph_capture *c;
	struct ph_err err = {0};
	struct ph_capture_opts o = {.chunk = 777};
	assert_int_equal(ph_capture_open_opts(&c, NULL, cat, n, "m", &o, &err),
			 0);
	check_all(c, 2000);
	ph_capture_close(c);
	free(cat);
	free(g1.p);
	free(g2.p);
	free(b.p);
}

static void test_gzip_truncated(void **state)
{
	(void)state;
	struct blob b = make_pcap(2000);
	struct blob g = gz_mem(b.p, b.len);
	/* Cut inside the deflate data, and inside the 8-byte trailer. */
	size_t cuts[] = {g.len / 2, g.len - 3};
	for (int i = 0; i < 2; i++) {
		struct ph_capture *c;
		struct ph_err err = {0};
		struct ph_frame f;
		assert_int_equal(ph_capture_open_mem(&c, g.p, cuts[i], "g", &err),
				 0);
		int r;
		uint64_t frames = 0;
		while ((r = ph_capture_next(c, &f, &err)) == 1)
			frames++;
		assert_int_equal(r, PH_ETRUNC);
		assert_string_equal(err.file, "g");
		if (i == 1)
			assert_int_equal(frames, 2000);
		ph_capture_close(c);
	}
	free(g.p);
	free(b.p);
}

static void test_gzip_corrupt(void **state)
{
	(void)state;
	struct blob b = make_pcap(2000);
	struct blob g = gz_mem(b.p, b.len);
	for (size_t i = g.len / 3; i < g.len / 3 + 64; i++)
		g.p[i] ^= 0x5a;
	struct ph_capture *c;
	struct ph_err err = {0};
	struct ph_frame f;
	assert_int_equal(ph_capture_open_mem(&c, g.p, g.len, "g", &err), 0);
	int r;
	while ((r = ph_capture_next(c, &f, &err)) == 1)
		;
	assert_true(r == PH_EFORMAT || r == PH_ETRUNC);
	assert_int_equal(err.code, r);
	ph_capture_close(c);
	/* A gzip header followed by garbage fails at open. */
	uint8_t bad[32] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff};
	assert_true(ph_capture_open_mem(&c, bad, sizeof bad, "g", &err) < 0);
	free(g.p);
	free(b.p);
}

/* A bad CRC in the gzip trailer: every frame, then a format error from
 * the input layer, placed after the last packet. */
static void test_gzip_bad_crc(void **state)
{
	(void)state;
	struct blob b = make_pcap(2000);
	struct blob g = gz_mem(b.p, b.len);
	g.p[g.len - 8] ^= 0xff;
	size_t chunks[] = {0, 999};
	for (int i = 0; i < 2; i++) {
		struct ph_capture *c;
		struct ph_err err = {0};
		struct ph_frame f;
		struct ph_capture_opts o = {.chunk = chunks[i]};
		assert_int_equal(ph_capture_open_opts(&c, NULL, g.p, g.len, "g",
						      &o, &err), 0);
		uint64_t frames = 0;
		int r;
		while ((r = ph_capture_next(c, &f, &err)) == 1)
			frames++;
		assert_int_equal(frames, 2000);
		assert_int_equal(r, PH_EFORMAT);
		assert_string_equal(err.msg,
				    "gzip data corrupt: incorrect data check");
		assert_int_equal(err.offset, b.len);
		assert_int_equal(err.packet, 2001);
		assert_string_equal(err.file, "g");
		ph_capture_close(c);
	}
	free(g.p);
	free(b.p);
}

/* Runs fn with fd 0 replaced by `fd`, then restores stdin. */
static void with_stdin(int fd, void (*fn)(void *), void *arg)
{
	int saved = dup(STDIN_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	fn(arg);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
}

struct stdin_case {
	uint32_t n;
	const char *format;
	bool regular;
	uint64_t size;
};

static void read_stdin(void *arg)
{
	struct stdin_case *sc = arg;
	struct ph_capture *c;
	struct ph_err err = {0};
	assert_int_equal(ph_capture_open(&c, "-", &err), 0);
	assert_string_equal(ph_capture_format(c), sc->format);
	assert_int_equal(ph_capture_size(c), sc->regular ? sc->size : 0);
	check_all(c, sc->n);
	ph_capture_close(c);
}

static void test_stdin_file(void **state)
{
	(void)state;
	struct blob b = make_pcap(1000);
	char *path = write_file(b.p, b.len, ".pcap");
	struct stdin_case sc = {1000, "pcap", true, b.len};
	with_stdin(open(path, O_RDONLY), read_stdin, &sc);
	unlink(path);
	free(path);
	free(b.p);
}

/* A child writes `d` into a pipe in odd-sized pieces; returns the read
 * end. */
static int pipe_from_child(const uint8_t *d, size_t n, pid_t *pid)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	*pid = fork();
	assert_true(*pid >= 0);
	if (*pid == 0) {
		close(fds[0]);
		for (size_t off = 0; off < n;) {
			size_t k = n - off < 3001 ? n - off : 3001;
			ssize_t w = write(fds[1], d + off, k);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

static void stdin_pipe(bool gz)
{
	struct blob b = make_pcap(6000);
	struct blob src = gz ? gz_mem(b.p, b.len) : b;
	pid_t pid;
	int fd = pipe_from_child(src.p, src.len, &pid);
	struct stdin_case sc = {6000, gz ? "pcap.gz" : "pcap", false, 0};
	with_stdin(fd, read_stdin, &sc);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (gz)
		free(src.p);
	free(b.p);
}

static void test_stdin_pipe(void **s) { (void)s; stdin_pipe(false); }
static void test_stdin_pipe_gzip(void **s) { (void)s; stdin_pipe(true); }

static void test_open_errors(void **state)
{
	(void)state;
	struct ph_capture *c = (struct ph_capture *)&c;
	struct ph_err err = {0};
	assert_int_equal(ph_capture_open(&c, "/nonexistent/x.pcap", &err),
			 PH_EIO);
	assert_null(c);
	assert_string_equal(err.file, "/nonexistent/x.pcap");
	assert_non_null(strstr(err.msg, "No such file"));
	memset(&err, 0, sizeof err);
	assert_int_equal(ph_capture_open(&c, "/", &err), PH_EIO);
	assert_string_equal(err.file, "/");
	char *path = write_file("", 0, ".pcap");
	assert_int_equal(ph_capture_open(&c, path, &err), PH_ETRUNC);
	assert_string_equal(err.file, path);
	unlink(path);
	free(path);
}

/* Every source-read size from 1 byte up gives the same frames. */
static void test_short_reads(void **state)
{
	(void)state;
	struct blob b = make_pcap(300);
	size_t chunks[] = {1, 2, 3, 5, 16, 17, 4096};
	for (size_t i = 0; i < sizeof chunks / sizeof *chunks; i++) {
		struct ph_capture *c;
		struct ph_err err = {0};
		struct ph_capture_opts o = {.bufsize = 1, .chunk = chunks[i]};
		assert_int_equal(ph_capture_open_opts(&c, NULL, b.p, b.len, "m",
						      &o, &err), 0);
		check_all(c, 300);
		ph_capture_close(c);
	}
	free(b.p);
}

/* Progress position never decreases and ends at the size. */
static void test_progress(void **state)
{
	(void)state;
	struct blob b = make_pcap(20000);
	struct blob g = gz_mem(b.p, b.len);
	struct ph_capture *c;
	struct ph_err err = {0};
	struct ph_frame f;
	assert_int_equal(ph_capture_open_mem(&c, g.p, g.len, "g", &err), 0);
	assert_int_equal(ph_capture_size(c), g.len);
	uint64_t last = 0;
	while (ph_capture_next(c, &f, &err) == 1) {
		uint64_t p = ph_capture_pos(c);
		assert_true(p >= last);
		assert_true(p <= g.len);
		last = p;
	}
	assert_int_equal(last, g.len);
	ph_capture_close(c);
	free(g.p);
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular_file),
		cmocka_unit_test(test_gzip_file),
		cmocka_unit_test(test_gzip_members),
		cmocka_unit_test(test_gzip_truncated),
		cmocka_unit_test(test_gzip_corrupt),
		cmocka_unit_test(test_gzip_bad_crc),
		cmocka_unit_test(test_stdin_file),
		cmocka_unit_test(test_stdin_pipe),
		cmocka_unit_test(test_stdin_pipe_gzip),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_short_reads),
		cmocka_unit_test(test_progress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
