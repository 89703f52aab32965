/* libFuzzer target for the capture stage (src/capture/): the input is a
 * whole capture file (pcap, pcapng, or either gzip'ed). Each input is read
 * twice from memory through the smallest window: in one piece, and in
 * 7-byte source reads (pipe-like), so refill paths get exercised. Checks
 * the reader's promises (lengths, numbering, sticky errors) with traps. */
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"
#include "capture/capture_internal.h"

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static void read_all(const uint8_t *data, size_t size, size_t chunk)
{
	struct ph_capture *c;
	struct ph_err err = {0};
	struct ph_capture_opts o = {.bufsize = 1, .chunk = chunk};
	if (ph_capture_open_opts(&c, NULL, data, size, "fuzz", &o, &err) < 0) {
		check(err.code < 0);
		return;
	}
	struct ph_frame f;
	uint64_t n = 0;
	volatile uint8_t sink = 0;
	int r;
	while ((r = ph_capture_next(c, &f, &err)) == 1) {
		check(f.caplen <= PH_CAPTURE_MAX_RECORD);
		check(f.wirelen >= f.caplen);
		check(f.pkt_no == ++n);
		if (f.caplen)
			sink ^= f.data[0] ^ f.data[f.caplen - 1];
		(void)ph_capture_app_for_uid(c, (int32_t)f.caplen);
	}
	check(r <= 0);
	if (r < 0) {
		struct ph_err again = {0};
		check(err.code == r);
		check(ph_capture_next(c, &f, &again) == r);
	}
	check(ph_capture_stats(c)->frames == n);
	check(ph_capture_pos(c) <= size);
	(void)ph_capture_app_label_for_uid(c, 0);
	ph_capture_close(c);
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_all(data, size, 0);
	if (size < 65536)
		read_all(data, size, 7);
	return 0;
}
