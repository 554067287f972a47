"""Every record type is stored by one entry of ``server.sync_api.rows.ROWS``, which must match its table."""

import datetime as dt
import uuid

import pytest
from piccolo.columns import JSON, JSONB, Timestamptz

from server.sync_api.rows import ROWS, from_row, to_row
from sync.records import Issue


@pytest.mark.parametrize("kind", list(ROWS), ids=lambda kind: kind.__name__)
def test_a_record_and_its_table_have_the_same_fields(kind):
    mapping = ROWS[kind]
    columns = {column._meta.name: column for column in mapping.table._meta.columns}
    stored = set(kind.__struct_fields__) - set(mapping.not_stored)
    assert stored | ({mapping.written_at} - {None}) == set(columns)
    assert {name for name, column in columns.items() if isinstance(column, (JSON, JSONB))} == set(mapping.json)
    if mapping.written_at is not None:
        assert isinstance(columns[mapping.written_at], Timestamptz)


def test_a_record_comes_back_from_its_row_as_it_went_in():
    moment = dt.datetime(2026, 12, 7, 18, 30, tzinfo=dt.timezone.utc)
    issue = Issue(id=uuid.uuid4(), estate_id=uuid.uuid4(), location_id=None, inspection_id=None, category="lighting",
                  title="Landing light out", description="", priority="normal", status="reported", owner_id=None,
                  assignee_id=None, due_date=dt.date(2027, 1, 4), raised_by=uuid.uuid4(), captured_at=moment,
                  created_at=moment, updated_at=moment, field_stamps={"title": "1:0:phone"})
    row = to_row(issue)
    assert row["field_stamps"] == '{"title":"1:0:phone"}'  # JSON as text, as both databases take it
    assert from_row(Issue, row) == issue
