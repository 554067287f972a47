"""Field-by-field last-writer-wins merging, keeping every losing value.

Each editable field remembers the stamp of the edit that set it. An incoming edit wins a field when its stamp
is greater; otherwise its value is *superseded* and goes to the timeline rather than away. Because the winner of
each field is simply the greatest stamp, replicas that see the same edits in any order end in the same state.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct


class FieldChange(Struct, frozen=True):
    field: str
    old: Any
    new: Any
    previous_stamp: str
    concurrent: bool


class Superseded(Struct, frozen=True):
    field: str
    value: Any
    superseded_by: str
    concurrent: bool


class MergeOutcome(Struct, frozen=True):
    winners: dict[str, Any]
    """Fields the edit wins, with their new value: their stamp becomes the edit's stamp."""
    changes: list[FieldChange]
    """Winning fields whose value actually changed (a timeline entry each)."""
    superseded: list[Superseded]
    """Fields the edit lost: kept in the timeline, never applied."""


def merge_fields(
    current: dict[str, Any],
    stamps: dict[str, str],
    incoming: dict[str, Any],
    stamp: str,
    base: dict[str, str] | None = None,
) -> MergeOutcome:
    """Decide, field by field, whether ``incoming`` (stamped ``stamp``) wins over ``current``.

    ``base`` is what the editor had seen: the stamp of each field when they made the edit. An edit is
    *concurrent* when the field had been set by an edit the editor had not seen.
    """
    winners: dict[str, Any] = {}
    changes: list[FieldChange] = []
    superseded: list[Superseded] = []
    for field, value in incoming.items():
        held = stamps.get(field, "")
        if stamp > held:
            # Even an unchanged value takes the newer stamp, so an older edit arriving later cannot revert it.
            winners[field] = value
            if current.get(field) != value:
                concurrent = base is not None and field in base and base[field] != held
                changes.append(FieldChange(field, current.get(field), value, held, concurrent))
        elif stamp < held:
            # An edit stamped before the one holding the field cannot have seen it: always concurrent.
            superseded.append(Superseded(field, value, held, True))
    return MergeOutcome(winners, changes, superseded)
