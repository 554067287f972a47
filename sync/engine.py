"""Applying a push: exactly once, in order, every mutation either applied or rejected with a reason.

``apply_push`` is called inside one database transaction. It checks the client's numbering, bounds clock
stamps, applies each mutation through ``sync.rules`` and records every mutation with its outcome, so the
phone's queue always moves on and nothing is silently dropped.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Struct, UnsetType

from sync.hlc import StampBounder, format_stamp
from sync.mutations import AnyMutation, Unreadable
from sync.records import Actor
from sync.rules import Context, Rejected, apply_rule
from sync.store import ClientState, IdTaken, MutationRecord, Store

Outcome = Literal["applied", "duplicate", "rejected"]

#: The reason given when a write met a row already holding its id. It names no row, estate or kind: what the
#: person may not see must answer like what does not exist.
ID_TAKEN = "an id in this change is already in use; nothing of it was applied"


class MutationResult(Struct, frozen=True):
    id: int
    status: Outcome
    reason: str | None = None
    code: str | None = None
    """For rejections, a stable code: one the phone acts on (``photo.upload_first``: send the bytes, then attach
    again), or words it in its person's language (``refusal.<code>``); ``reason`` stays English for API users."""
    # Present only on a refusal that has them (UNSET is left out of the JSON).
    params: dict[str, str] | UnsetType = UNSET


class PushOutcome(Struct, frozen=True):
    last_mutation_id: int
    results: list[MutationResult]


class MutationGap(Exception):
    """A mutation arrived before one it follows: the phone must re-send from ``expected``."""

    def __init__(self, expected: int, got: int) -> None:
        super().__init__(f"expected mutation {expected}, got {got}")
        self.expected = expected
        self.got = got


class MutationConflict(Exception):
    """A mutation number was reused for different content: a client bug never to be papered over."""

    def __init__(self, mutation_id: int) -> None:
        super().__init__(f"mutation {mutation_id} was already applied with different content")
        self.mutation_id = mutation_id


class ClientOfAnotherUser(Exception):
    """The client id is registered to someone else (a shared phone must sign out and get a new id)."""


def _to_millis(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


async def apply_push(
    store: Store,
    actor: Actor,
    client_id: UUID,
    mutations: list[AnyMutation | Unreadable],
    now: dt.datetime,
    via: str | None = None,
) -> PushOutcome:
    """Apply a phone's mutations in order; raise ``MutationGap``/``MutationConflict`` to refuse the batch.

    ``via`` names another way the mutations came (``"email"`` for a reply by e-mail); their timeline events
    say so."""
    state = await store.client_state(client_id)
    if state is None:
        state = ClientState(client_id=client_id, user_id=actor.user_id, last_mutation_id=0)
    elif state.user_id != actor.user_id:
        raise ClientOfAnotherUser(str(client_id))

    secret = await store.server_secret()
    bounder = StampBounder(_to_millis(now))
    results: list[MutationResult] = []
    expected = state.last_mutation_id + 1
    for mutation in mutations:
        if mutation.id < expected:
            await _check_true_resend(store, client_id, mutation)
            results.append(MutationResult(mutation.id, "duplicate"))
            continue
        if mutation.id > expected:
            raise MutationGap(expected, mutation.id)
        estate_id: UUID | None = None
        if isinstance(mutation, Unreadable):
            # Recorded and answered like any rejection, so the phone's queue moves on past it.
            at = mutation.at or format_stamp(_to_millis(now), 0, "server")
            effective_at = bounder.effective(at)
            name, args = mutation.name, {}
            result = MutationResult(mutation.id, "rejected", mutation.reason)
        else:
            at = mutation.at
            effective_at = bounder.effective(at)
            name = type(mutation).__struct_config__.tag  # type: ignore[attr-defined]
            args = msgspec.to_builtins(mutation.args)
            ctx = Context(store=store, actor=actor, client_id=client_id, mutation_id=mutation.id,
                          at=effective_at, now=now, via=via, secret=secret)
            try:
                # Each mutation in a savepoint: whatever stops it undoes all it wrote and rejects it alone, so one
                # mutation never fails the push (a 500 on every retry would wedge the phone's queue for ever).
                async with store.savepoint():
                    estate_id = await apply_rule(ctx, mutation)
                result = MutationResult(mutation.id, "applied")
            except Rejected as rejection:
                estate_id = rejection.estate_id
                result = MutationResult(mutation.id, "rejected", str(rejection), rejection.code,
                                        dict(rejection.params) if rejection.params else UNSET)
            except IdTaken:
                result = MutationResult(mutation.id, "rejected", ID_TAKEN, "already_exists")
        await store.record_mutation(
            MutationRecord(
                client_id=client_id,
                mutation_id=mutation.id,
                user_id=actor.user_id,
                name=name,
                args=args,
                at=at,
                effective_at=effective_at,
                status=result.status,
                reason=result.reason,
                code=result.code,
                params=result.params if result.params is not UNSET else None,
                fingerprint=mutation.fingerprint(),
                received_at=now,
            ),
            estate_id,
        )
        results.append(result)
        expected += 1

    state.last_mutation_id = expected - 1
    await store.save_client_state(state)
    return PushOutcome(last_mutation_id=state.last_mutation_id, results=results)


async def _check_true_resend(store: Store, client_id: UUID, mutation: AnyMutation | Unreadable) -> None:
    known = await store.mutation_fingerprint(client_id, mutation.id)
    if known is not None and known != mutation.fingerprint():
        raise MutationConflict(mutation.id)
