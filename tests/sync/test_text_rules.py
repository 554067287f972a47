"""The text and number rules of sync/text.py, alone: what counts as nesting, which characters, which numbers."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from sync.text import MAX_INTEGER, MIN_INTEGER, json_depth_exceeds, problem_in

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab,:'),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='[]{}"\\a', max_size=3), inner,
                                                                max_size=3),
    max_leaves=30)


def depth(value) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


@given(json_values, st.integers(min_value=0, max_value=8))
def test_the_depth_scan_agrees_with_the_decoded_depth(value, limit):
    """Brackets and escaped quotes inside strings never count; every real level does."""
    assert json_depth_exceeds(json.dumps(value).encode(), limit) == (depth(value) > limit)


def test_problems_name_the_field():
    assert problem_in({"args": {"attendees": ["ok", "b\u0000d"]}}) == (
        "args.attendees[1] contains a control character (U+0000), which is not accepted in text")
    assert "args.size is out of range" in problem_in({"args": {"size": MAX_INTEGER + 1}})
    assert "out of range" in problem_in([MIN_INTEGER - 1])
    assert problem_in({"a": [MIN_INTEGER, MAX_INTEGER, True, None, 1.5, "tab\tnew\nline\r"]}) is None
    assert "field name" in problem_in({"k\u001f": 1})
    assert "longer than" in problem_in("x" * 100_001)
