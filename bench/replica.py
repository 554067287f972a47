"""What a phone holds after applying pulled changes in order: entity → id → data.

The one way the benchmarks, the device simulator and the tests apply a pull, as the phone's ``pwa/js`` does:
a deleted change removes the row, any other replaces it whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Held = dict[str, dict[str, Any]]


def apply_changes(held: Held, changes: Iterable[dict[str, Any]]) -> Held:
    for change in changes:
        bucket = held.setdefault(change["entity"], {})
        if change["deleted"]:
            bucket.pop(change["id"], None)
        else:
            bucket[change["id"]] = change["data"]
    return held
