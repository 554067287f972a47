"""Phones editing the same issue offline converge, whatever order their pushes arrive in.

Hypothesis draws the edits each phone makes while offline, how each phone splits them into pushes, the order
in which the pushes interleave at the server, and re-deliveries of pushes whose answer was lost. Whatever it
draws, the issue ends with the value of the latest edit of each field (by clock stamp), the same in any two
orders, and every value that lost is still in the timeline.
"""

import asyncio
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.memory import MemoryStore

from .conftest import ESTATE, LOCATION, SERVER_MS, Phone, issue_args

FIELD_VALUES = {
    "title": st.sampled_from(["Light out", "Light out, floor 2", "Stairwell dark", "Bulb gone"]),
    "description": st.text(alphabet="abc xyzşğü", max_size=12),
    "priority": st.sampled_from(["low", "normal", "high", "urgent"]),
    "category": st.sampled_from(["lighting", "communal_repairs", "other"]),
    "location_id": st.sampled_from([None, str(LOCATION)]),
}

edit = st.tuples(
    st.sampled_from(sorted(FIELD_VALUES)).flatmap(lambda f: st.tuples(st.just(f), FIELD_VALUES[f])),
    st.integers(min_value=0, max_value=50_000),  # when, in ms after going offline
)
phone_edits = st.lists(edit, min_size=1, max_size=6)


def _build(phones_edits, issue_id, store_seed):
    """Make the phones and their mutations (deterministic ids and stamps for a given drawing)."""
    store = MemoryStore()
    store.locations[LOCATION] = ESTATE
    creator = Phone(store, client_id=uuid.UUID(int=store_seed))
    phones, queues, all_edits = [], [], []
    for index, edits in enumerate(phones_edits):
        phone = Phone(store, client_id=uuid.UUID(int=1000 + index))
        queue = []
        for (field, value), offset in sorted(edits, key=lambda e: e[1]):
            mutation = phone.mutation("issue.update", {"id": issue_id, "fields": {field: value}},
                                      at_ms=SERVER_MS - 100_000 + offset)
            queue.append(mutation)
            all_edits.append((mutation.at, field, value))
        phones.append(phone)
        queues.append(queue)
    return store, creator, phones, queues, all_edits


async def _replay(store, creator, phones, queues, issue_id, schedule):
    await creator.push(creator.mutation("issue.create", issue_args(id=issue_id), at_ms=SERVER_MS - 200_000))
    for phone_index, upto, resend in schedule:
        phone, queue = phones[phone_index], queues[phone_index]
        state = await store.client_state(phone.client_id)
        done = state.last_mutation_id if state else 0
        batch = queue[max(0, done - resend):upto]
        if batch:
            await phone.push(*batch)
    for phone, queue in zip(phones, queues):  # everyone comes back online in the end
        await phone.push(*queue)
    return store.issues[uuid.UUID(issue_id)]


@st.composite
def schedules(draw, queue_lengths):
    """Pushes in a random interleaving: (phone, push up to mutation n, also re-send the last k)."""
    progress = [0] * len(queue_lengths)
    schedule = []
    while any(p < n for p, n in zip(progress, queue_lengths)):
        candidates = [i for i, (p, n) in enumerate(zip(progress, queue_lengths)) if p < n]
        i = draw(st.sampled_from(candidates))
        progress[i] = draw(st.integers(progress[i] + 1, queue_lengths[i]))
        schedule.append((i, progress[i], draw(st.integers(0, 2))))
    return schedule


@settings(max_examples=150, deadline=None)
@given(st.lists(phone_edits, min_size=2, max_size=3), st.data())
def test_phones_converge_whatever_the_order_of_their_pushes(phones_edits, data):
    issue_id = str(uuid.UUID(int=7))
    lengths = [len(e) for e in phones_edits]
    first_order = data.draw(schedules(lengths), label="first order")
    second_order = data.draw(schedules(lengths), label="second order")

    built_a = _build(phones_edits, issue_id, 1)
    built_b = _build(phones_edits, issue_id, 1)
    issue_a = asyncio.run(_replay(*built_a[:4], issue_id, first_order))
    issue_b = asyncio.run(_replay(*built_b[:4], issue_id, second_order))

    fields = list(FIELD_VALUES)
    state_a = {f: getattr(issue_a, f) for f in fields}
    state_b = {f: getattr(issue_b, f) for f in fields}
    assert state_a == state_b
    assert issue_a.field_stamps == issue_b.field_stamps

    # The winner of each field is the edit with the greatest stamp: a model written apart from the engine.
    all_edits = built_a[4]
    for field in fields:
        edits = [(at, value) for at, f, value in all_edits if f == field]
        if edits:
            expected = max(edits)[1]
            actual = state_a[field]
            assert (str(actual) if isinstance(actual, uuid.UUID) else actual) == expected

    # Nothing is lost: every edited value is the current one or appears in the timeline.
    store = built_a[0]
    kept = set()
    for event in store.timeline(uuid.UUID(issue_id)):
        for key in ("old", "new", "value"):
            if key in event.data:
                kept.add((event.data["field"], event.data[key]))
    for _, field, value in all_edits:
        current = state_a[field]
        current = str(current) if isinstance(current, uuid.UUID) else current
        assert value == current or (field, value) in kept
