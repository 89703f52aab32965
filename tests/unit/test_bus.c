/* Tests for src/engine/bus.c: delivery by mask, order, capacity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/bus.h"
#include "peephole/ph.h"

struct seen {
	int n;
	unsigned kinds;
	int order[8];
};

static int tick;

static void on_a(void *user, const struct ph_event *ev)
{
	struct seen *s = user;
	s->kinds |= (unsigned)ev->kind;
	s->order[s->n++ % 8] = tick++;
}

static void test_mask_filters_kinds(void **state)
{
	(void)state;
	struct ph_bus b;
	struct seen ends = {0}, data = {0};
	ph_bus_init(&b);
	assert_int_equal(ph_bus_subscribe(&b, PH_EV_FLOW_END, on_a, &ends), PH_OK);
	assert_int_equal(ph_bus_subscribe(&b, PH_EV_STREAM | PH_EV_DATAGRAM, on_a, &data), PH_OK);
	assert_int_equal(b.wanted, PH_EV_FLOW_END | PH_EV_STREAM | PH_EV_DATAGRAM);
	struct ph_event ev = {.kind = PH_EV_FLOW_END};
	ph_bus_emit(&b, &ev);
	ev.kind = PH_EV_DATAGRAM;
	ph_bus_emit(&b, &ev);
	ev.kind = PH_EV_FLOW_START;
	ph_bus_emit(&b, &ev);
	assert_int_equal(ends.n, 1);
	assert_int_equal(ends.kinds, PH_EV_FLOW_END);
	assert_int_equal(data.n, 1);
	assert_int_equal(data.kinds, PH_EV_DATAGRAM);
}

static void test_subscribers_called_in_order(void **state)
{
	(void)state;
	struct ph_bus b;
	struct seen first = {0}, second = {0};
	ph_bus_init(&b);
	ph_bus_subscribe(&b, PH_EV_FLOW_END, on_a, &first);
	ph_bus_subscribe(&b, PH_EV_FLOW_END, on_a, &second);
	struct ph_event ev = {.kind = PH_EV_FLOW_END};
	ph_bus_emit(&b, &ev);
	assert_true(first.order[0] < second.order[0]);
}

static void test_capacity_is_bounded(void **state)
{
	(void)state;
	struct ph_bus b;
	struct seen s = {0};
	ph_bus_init(&b);
	for (int i = 0; i < PH_BUS_MAX_SUBS; i++)
		assert_int_equal(ph_bus_subscribe(&b, PH_EV_GAP, on_a, &s), PH_OK);
	assert_int_equal(ph_bus_subscribe(&b, PH_EV_GAP, on_a, &s), PH_ENOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_filters_kinds),
		cmocka_unit_test(test_subscribers_called_in_order),
		cmocka_unit_test(test_capacity_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
