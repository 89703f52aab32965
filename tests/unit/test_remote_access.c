/* Tests for src/detect/remote_access.c on crafted captures labelled by
 * nDPI: an SSH session from the device is info, one INTO the device is
 * medium; plain web traffic and a bare SYN to a remote-desktop port (a
 * port-only guess) are silent unless include_port_guesses is set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check_fixture.h"

#define TS0 (1700000000ull * 1000000000ull)

static const char ssh_c[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
static const char ssh_s[] = "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3\r\n";

static void ssh(struct cfx *c, const char *a, uint16_t pa, const char *b,
		uint64_t ts)
{
	struct cfx_tcp t;
	cfx_tcp_open(c, &t, a, pa, b, 22, ts);
	cfx_tcp_send(c, &t, 1, ts + 3000000, ssh_s, sizeof ssh_s - 1);
	cfx_tcp_send(c, &t, 0, ts + 4000000, ssh_c, sizeof ssh_c - 1);
	cfx_tcp_close(c, &t, ts + 5000000);
}

static void test_ssh_out_info_in_medium(void **state)
{
	(void)state;
	struct cfx c;
	cfx_open(&c);
	ssh(&c, "192.168.1.23", 40000, "203.0.113.22", TS0);
	struct ph_findings *f = cfx_run(&c, NULL, 0);
	assert_int_equal(c.rc, 0);
	const struct ph_finding *x = cfx_find(f, "remote_access.remote_shell");
	assert_non_null(x);
	assert_int_equal(x->severity, PH_SEV_INFO);
	assert_string_equal(x->matched, "SSH");
	assert_string_equal(x->device, "192.168.1.23");
	cfx_close(&c, f);

	cfx_open(&c);
	ssh(&c, "203.0.113.22", 40000, "192.168.1.23", TS0);
	f = cfx_run(&c, NULL, 0);
	x = cfx_find(f, "remote_access.remote_shell");
	assert_non_null(x);
	assert_int_equal(x->severity, PH_SEV_MEDIUM);
	assert_string_equal(x->device, "192.168.1.23");
	assert_non_null(strstr(x->title, "Incoming"));
	cfx_close(&c, f);
}

static void test_web_and_port_guess_silent(void **state)
{
	(void)state;
	static const char req[] = "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n";
	static const char resp[] =
		"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
		"Content-Length: 0\r\n\r\n";
	struct cfx c;
	cfx_open(&c);
	struct cfx_tcp t;
	cfx_tcp_open(&c, &t, "192.168.1.23", 40000, "203.0.113.80", 80, TS0);
	cfx_tcp_send(&c, &t, 0, TS0 + 3000000, req, sizeof req - 1);
	cfx_tcp_send(&c, &t, 1, TS0 + 4000000, resp, sizeof resp - 1);
	cfx_tcp_close(&c, &t, TS0 + 5000000);
	/* a SYN to the RDP port that nobody answers */
	struct pb_l4 syn = {.proto = 6, .sport = 40001, .dport = 3389,
			    .flags = PB_SYN, .seq = 1};
	cfx_packet(&c, TS0 + 6000000, "192.168.1.23", "203.0.113.81", &syn,
		   NULL, 0);
	struct ph_findings *f = cfx_run(&c, NULL, 0);
	assert_int_equal(c.rc, 0);
	assert_int_equal(cfx_count(f, "remote_access."), 0);
	cfx_close(&c, f);

	/* with include_port_guesses the port-only RDP label is reported,
	 * at low confidence */
	cfx_open(&c);
	cfx_packet(&c, TS0, "192.168.1.23", "203.0.113.81", &syn, NULL, 0);
	const char *set[] = {"remote_access.include_port_guesses=1"};
	f = cfx_run(&c, set, 1);
	const struct ph_finding *x = cfx_find(f,
					      "remote_access.remote_desktop");
	assert_non_null(x);
	assert_int_equal(x->confidence, PH_CONF_LOW);
	cfx_close(&c, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ssh_out_info_in_medium),
		cmocka_unit_test(test_web_and_port_guess_silent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
