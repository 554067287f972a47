"""Hybrid-logical-clock stamps: ordered as strings, monotonic, and bounded when they come from the future."""

from hypothesis import given
from hypothesis import strategies as st

from sync.hlc import MAX_FUTURE_MS, HybridClock, StampBounder, format_stamp, parse_stamp


@given(st.lists(st.tuples(st.integers(0, 10**14), st.integers(0, 99_999)), min_size=2, max_size=20))
def test_string_order_is_time_order(pairs):
    stamps = [format_stamp(ms, counter, "phone") for ms, counter in pairs]
    assert sorted(stamps) == [format_stamp(ms, c, "phone") for ms, c in sorted(pairs)]


def test_stamp_has_the_documented_shape():
    assert format_stamp(1795435200000, 7, "abc") == "001795435200000:00007:abc"
    assert parse_stamp("001795435200000:00007:abc") == (1795435200000, 7, "abc")


@given(st.lists(st.integers(0, 10**13), min_size=1, max_size=50))
def test_a_clock_never_goes_backwards_even_when_the_wall_clock_does(wall_times):
    clock = HybridClock("phone")
    stamps = [clock.now(t) for t in wall_times]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)


def test_observing_a_later_stamp_moves_the_clock_past_it():
    clock = HybridClock("a")
    clock.observe(format_stamp(5_000, 3, "b"))
    assert clock.now(1_000) > format_stamp(5_000, 3, "b")


def test_a_stamp_three_hours_ahead_is_bounded_to_the_server_clock():
    server_ms = 1_795_435_200_000
    bounder = StampBounder(server_ms)
    fast = format_stamp(server_ms + 3 * 3600 * 1000, 0, "fast-phone")
    effective = bounder.effective(fast)
    assert parse_stamp(effective) == (server_ms, 0, "fast-phone")


def test_a_stamp_within_the_allowance_is_kept():
    server_ms = 1_795_435_200_000
    near = format_stamp(server_ms + MAX_FUTURE_MS, 4, "p")
    assert StampBounder(server_ms).effective(near) == near


def test_bounded_stamps_of_one_push_keep_their_order():
    server_ms = 1_795_435_200_000
    bounder = StampBounder(server_ms)
    future = [format_stamp(server_ms + 3 * 3600 * 1000 + i, 0, "p") for i in range(5)]
    effective = [bounder.effective(s) for s in future]
    assert effective == sorted(effective) and len(set(effective)) == 5
