"""Schemathesis hooks that make its requests realistic: ids of rows that exist, and pushes of real mutations.

Random UUIDs only ever meet "not found"; the holes worth finding are behind ids that exist (on this estate, on
another, as another kind of row) and hashes of photos that exist. ``bench/fuzz_api.py`` pulls a seeded server as
several people and writes what it saw to the file named by ``ESTATEWALK_FUZZ_IDS``; these hooks then put those
ids (and, for a push, whole mutations of every kind with those ids in their arguments) into most requests.

Loaded by schemathesis through ``SCHEMATHESIS_HOOKS=bench.fuzz_hooks``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import string
import uuid
from typing import Any

import schemathesis

from sync import mutations as m
from sync.grading import ELEMENTS, RECHECK_OUTCOMES, SCHEMES
from sync.records import CATEGORIES, MAIL_MODES, PRIORITIES
from sync.workflow import STATUSES

_POOL: dict[str, list[str]] = {}
_RANDOM = random.Random(int(os.environ.get("ESTATEWALK_FUZZ_SEED", "20261207")))

WORDS = [*CATEGORIES, *PRIORITIES, *STATUSES, *ELEMENTS, *RECHECK_OUTCOMES, *MAIL_MODES, *SCHEMES,
         "raised", "reviewed", "A", "B", "C", "D", "1", "5", "staff", "tra_rep", "contractor"]
ODD_TEXT = ["", " ", "x" * 501, "Ayşe Demir ›", "\u202eevil", "=SUM(A1)", "<script>alert(1)</script>",
            "a\u0000b", "tab\tnew\nline", "😀" * 40, "'; DROP TABLE issue; --", "\ud7ff", "x" * 20_001]


def pool() -> dict[str, list[str]]:
    if not _POOL:
        path = os.environ.get("ESTATEWALK_FUZZ_IDS")
        _POOL.update(json.loads(open(path).read()) if path else {"ids": [], "hashes": [], "clients": []})
    return _POOL


#: Which kind of row a field or path parameter names, to draw mostly ids of that kind (an estate id where an
#: estate id goes), sometimes any existing id (another kind of row), sometimes a fresh one.
KIND_OF = {"estate_id": "estate", "location_id": "location", "issue_id": "issue", "into": "issue",
           "inspection_id": "inspection", "meeting_id": "meeting", "user_id": "user", "owner_id": "user",
           "assignee_id": "user", "session_id": "session"}
ID_KIND_BY_MUTATION = {"issue": "issue", "photo": "photo", "inspection.create": "inspection",
                       "inspection.update": "inspection", "inspection.grade": "inspection_grade",
                       "inspection.recheck": "inspection_recheck", "meeting": "meeting",
                       "issue.comment": "issue_event"}


def some_id(kind: str | None = None) -> str:
    ids = pool()["ids"]
    same_kind = pool().get("by_kind", {}).get(kind or "", [])
    roll = _RANDOM.random()
    if same_kind and roll < 0.7:
        return _RANDOM.choice(same_kind)
    return _RANDOM.choice(ids) if ids and roll < 0.92 else str(uuid.uuid4())


def some_hash() -> str:
    hashes = pool()["hashes"]
    return _RANDOM.choice(hashes) if hashes and _RANDOM.random() < 0.8 else "".join(
        _RANDOM.choice("0123456789abcdef") for _ in range(64))


def some_text() -> str:
    roll = _RANDOM.random()
    if roll < 0.6:
        return _RANDOM.choice(WORDS)
    if roll < 0.85:
        return "".join(_RANDOM.choice(string.printable) for _ in range(_RANDOM.randint(0, 40)))
    return _RANDOM.choice(ODD_TEXT)


def some_stamp() -> str:
    millis = int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000) + _RANDOM.randint(-10**10, 10**9)
    return f"{max(0, millis):015d}:{_RANDOM.randint(0, 99999):05d}:{_RANDOM.choice(['phone', 'a-b', str(uuid.uuid4())])}"


def value_for(name: str, info: Any, kind: str | None = None) -> Any:
    """A plausible (sometimes implausible) value for a field of this msgspec type."""
    from msgspec import inspect as mi

    if isinstance(info, mi.UnionType):
        options = [t for t in info.types if type(t).__name__ not in ("NoneType", "UnsetType")]
        if _RANDOM.random() < 0.15 or not options:
            return None
        return value_for(name, _RANDOM.choice(options), kind)
    if isinstance(info, mi.UUIDType):
        return some_id(KIND_OF.get(name, kind if name == "id" else None))
    if isinstance(info, mi.StrType):
        if info.pattern and "0-9a-f" in info.pattern:
            return some_hash()
        if info.pattern:
            return some_stamp()
        return some_text()
    if isinstance(info, mi.DateTimeType):
        return (dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=_RANDOM.randint(0, 10**6))
                ).isoformat()
    if isinstance(info, mi.DateType):
        return (dt.date(2020, 1, 1) + dt.timedelta(days=_RANDOM.randint(0, 5000))).isoformat()
    if isinstance(info, mi.BoolType):
        return _RANDOM.random() < 0.5
    if isinstance(info, mi.IntType):
        return _RANDOM.choice([0, 1, 640, 4_000_000, 2**31, 2**63 - 1, 2**64, -1])
    if isinstance(info, mi.ListType):
        return [value_for(name, info.item_type) for _ in range(_RANDOM.randint(0, 3))]
    if isinstance(info, mi.DictType):
        return {_RANDOM.choice(["title", "priority", "due_date", "notes"]): some_stamp()
                for _ in range(_RANDOM.randint(0, 2))}
    if isinstance(info, mi.StructType):
        return args_for(info)
    return some_text()


def args_for(info: Any, kind: str | None = None) -> dict[str, Any]:
    args = {}
    for field in info.fields:
        if not field.required and _RANDOM.random() < 0.4:
            continue
        args[field.encode_name] = value_for(field.name, field.type, kind)
    return args


_MUTATIONS = {cls.__struct_config__.tag: cls for cls in m.AnyMutation.__args__}  # type: ignore[attr-defined]


def a_mutation(number: int) -> dict[str, Any]:
    from msgspec import inspect as mi

    name = _RANDOM.choice(list(_MUTATIONS))
    struct = mi.type_info(_MUTATIONS[name])
    args_type = next(f.type for f in struct.fields if f.name == "args")
    kind = ID_KIND_BY_MUTATION.get(name) or ID_KIND_BY_MUTATION.get(name.split(".")[0])
    return {"id": number, "name": name, "at": some_stamp(), "args": args_for(args_type, kind)}


@schemathesis.hook
def map_path_parameters(ctx, path_parameters):
    if not path_parameters:
        return path_parameters
    for key in list(path_parameters):
        if key == "sha256" and _RANDOM.random() < 0.8:
            path_parameters[key] = some_hash()
        elif key.endswith("id") and _RANDOM.random() < 0.9:
            path_parameters[key] = some_id(KIND_OF.get(key))
    return path_parameters


@schemathesis.hook
def map_body(ctx, body):
    path = ctx.operation.path
    if path == "/api/sync/push" and isinstance(body, dict) and _RANDOM.random() < 0.8:
        clients = pool()["clients"]
        body["client_id"] = _RANDOM.choice(clients) if clients and _RANDOM.random() < 0.1 else str(uuid.uuid4())
        body["mutations"] = [a_mutation(n) for n in range(1, _RANDOM.randint(1, 6))]
    elif path == "/api/sync/pull" and isinstance(body, dict) and _RANDOM.random() < 0.3:
        body["client_id"] = _RANDOM.choice(pool()["clients"] or [str(uuid.uuid4())])
    return body


def ids_from_changes(changes: list[dict[str, Any]]) -> dict[str, Any]:
    """Every id and photo hash in pulled changes, and the ids of each kind of row."""
    ids: set[str] = set()
    hashes: set[str] = set()
    by_kind: dict[str, set[str]] = {}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in KIND_OF and isinstance(inner, str):
                    by_kind.setdefault(KIND_OF[key], set()).add(inner)
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)
        elif isinstance(value, str):
            if len(value) == 64 and all(c in "0123456789abcdef" for c in value):
                hashes.add(value)
            else:
                try:
                    ids.add(str(uuid.UUID(value)))
                except ValueError:
                    pass

    for change in changes:
        walk(change.get("id"))
        walk(change.get("data"))
        by_kind.setdefault(change["entity"], set()).add(change["id"])
    return {"ids": sorted(ids), "hashes": sorted(hashes), "by_kind": {k: sorted(v) for k, v in by_kind.items()}}

