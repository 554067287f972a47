"""How each record of the sync engine is stored: one entry per record type, and one way to read and write it.

A record (``sync.records``) becomes a row of its table with its JSON fields as text and the column only the server
sets (the moment it was written) added; a row becomes a record the other way round. Both stores write through
here: ``DatabaseStore`` a row at a time, ``PushStore`` a table's rows at once. Adding an entity is one entry in
``ROWS``; ``tests/server/test_rows.py`` checks every entry against its table.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from msgspec import Struct
from piccolo.table import Table

from server.clock import utcnow
from server.db import tables as t
from sync.records import Inspection, InspectionGrade, InspectionRecheck, Issue, IssueEvent, Meeting, Photo

R = TypeVar("R", bound=Struct)

_json = msgspec.json.Encoder()


class RowMapping(Struct, frozen=True):
    table: type[Table]
    json: tuple[str, ...] = ()
    """Fields held as JSON text."""
    written_at: str | None = None
    """A column the server sets to the moment the row is first written; never part of the record."""
    not_stored: tuple[str, ...] = ()
    """Fields of the record worked out when it is read (a photo is ``uploaded`` once its bytes are here)."""


ROWS: dict[type[Struct], RowMapping] = {
    Issue: RowMapping(t.Issue, json=("field_stamps",)),
    IssueEvent: RowMapping(t.IssueEvent, json=("data",)),
    Photo: RowMapping(t.Photo, written_at="created_at", not_stored=("uploaded",)),
    Inspection: RowMapping(t.Inspection, json=("field_stamps", "attendees"), written_at="created_at"),
    InspectionGrade: RowMapping(t.InspectionGrade, json=("agreed_by",), written_at="recorded_at"),
    InspectionRecheck: RowMapping(t.InspectionRecheck, written_at="recorded_at"),
    Meeting: RowMapping(t.Meeting, json=("attendees",), written_at="created_at"),
}


def to_row(record: Struct) -> dict[str, Any]:
    """The row of a record, as written the first time (with its ``written_at`` moment)."""
    mapping = ROWS[type(record)]
    values = msgspec.structs.asdict(record)
    for name in mapping.not_stored:
        del values[name]
    for name in mapping.json:
        values[name] = _json.encode(values[name]).decode()
    if mapping.written_at is not None:
        values[mapping.written_at] = utcnow()
    return values


def from_row(kind: type[R], row: dict[str, Any], **worked_out: Any) -> R:
    """The record a row holds; ``worked_out`` gives its ``not_stored`` fields."""
    mapping = ROWS[kind]
    if mapping.written_at is not None:
        row.pop(mapping.written_at, None)
    for name in mapping.json:
        value = row[name]
        row[name] = msgspec.json.decode(value) if isinstance(value, (str, bytes)) else value
    row.update(worked_out)
    return msgspec.convert(row, kind)


async def load(kind: type[R], where: Any) -> R | None:
    """The record of the first row matching ``where`` (without ``not_stored`` fields: see ``read_row``)."""
    row = await read_row(kind, where)
    return from_row(kind, row) if row is not None else None


async def read_row(kind: type[Struct], where: Any) -> dict[str, Any] | None:
    return await ROWS[kind].table.select().where(where).first()


async def save(record: Struct, *, new: bool) -> None:
    """Insert a new record's row, or write every field of an existing one (its ``written_at`` stays)."""
    mapping = ROWS[type(record)]
    values = to_row(record)
    table = mapping.table
    if new:
        await table.insert(table(**values))
        return
    values.pop(mapping.written_at or "", None)
    key = table._meta.primary_key
    await table.update({getattr(table, name): value for name, value in values.items() if name != key._meta.name}
                       ).where(key == values[key._meta.name])
