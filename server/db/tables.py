"""The tables. Names are the users' words; ids of what phones create are UUIDs made on the phone.

References between tables are plain UUID columns checked by the sync engine, not database foreign keys: a
phone may legitimately send a photo's record before the issue's edit that moves it, and every write already
goes through the engine's checks inside one transaction.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    Boolean,
    Date,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Estate(Table, tablename="estate"):
    id = UUID(primary_key=True)
    name = Varchar(length=200)
    created_at = Timestamptz()


class Location(Table, tablename="location"):
    """A place within an estate: a block, a floor, a stairwell, a bin store… nested through ``parent_id``."""

    id = UUID(primary_key=True)
    estate_id = UUID(index=True)
    parent_id = UUID(null=True, default=None)
    kind = Varchar(length=30)
    name = Varchar(length=200)
    sort_order = Integer(default=0)


class AppUser(Table, tablename="app_user"):
    id = UUID(primary_key=True)
    email = Varchar(length=320, unique=True)
    name = Varchar(length=200)
    password_hash = Text()
    is_demo = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz()


class Membership(Table, tablename="membership"):
    """A person's role on one estate: ``staff``, ``tra_rep`` or ``contractor``."""

    id = UUID(primary_key=True)
    user_id = UUID(index=True)
    estate_id = UUID(index=True)
    role = Varchar(length=20)
    created_at = Timestamptz()


class AuthSession(Table, tablename="auth_session"):
    """A signed-in device. Only the token's hash is kept, so a database leak gives no live sessions."""

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    user_id = UUID(index=True)
    created_at = Timestamptz()
    last_used_at = Timestamptz()
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    user_agent = Varchar(length=300, default="")


class Issue(Table, tablename="issue"):
    id = UUID(primary_key=True)
    estate_id = UUID(index=True)
    location_id = UUID(null=True, default=None)
    inspection_id = UUID(null=True, default=None)
    category = Varchar(length=500)
    title = Varchar(length=500)
    description = Text(default="")
    priority = Varchar(length=500)
    status = Varchar(length=20)
    owner_id = UUID(null=True, default=None)
    assignee_id = UUID(null=True, default=None)
    due_date = Date(null=True, default=None)
    raised_by = UUID()
    captured_at = Timestamptz()
    created_at = Timestamptz()
    updated_at = Timestamptz()
    field_stamps = JSON()
    merged_into = UUID(null=True, default=None)
    withdrawn = Boolean(default=False)


class IssueEvent(Table, tablename="issue_event"):
    """The append-only timeline of an issue: comments, status changes, edits and the edits they superseded."""

    id = UUID(primary_key=True)
    issue_id = UUID(index=True)
    estate_id = UUID()
    kind = Varchar(length=30)
    actor_id = UUID()
    at = Varchar(length=100)
    recorded_at = Timestamptz()
    data = JSON()


class Photo(Table, tablename="photo"):
    """A photo attached to an issue. The bytes are stored once per SHA-256, in ``stored_photo``."""

    id = UUID(primary_key=True)
    issue_id = UUID(index=True)
    estate_id = UUID()
    sha256 = Varchar(length=64, index=True)
    content_type = Varchar(length=500)
    byte_size = BigInt(default=0)
    width = Integer(default=0)
    height = Integer(default=0)
    captured_at = Timestamptz(null=True, default=None)
    caption = Text(null=True, default=None)
    added_by = UUID()
    created_at = Timestamptz()


class StoredPhoto(Table, tablename="stored_photo"):
    """Photo bytes the server holds, by content address."""

    sha256 = Varchar(length=64, primary_key=True)
    content_type = Varchar(length=100)
    byte_size = BigInt()
    width = Integer(default=0)
    height = Integer(default=0)
    created_at = Timestamptz()


class Inspection(Table, tablename="inspection"):
    id = UUID(primary_key=True)
    estate_id = UUID(index=True)
    date = Date()
    attendees = JSON()
    notes = Text(default="")
    created_by = UUID()
    finished_at = Timestamptz(null=True, default=None)
    field_stamps = JSON()
    created_at = Timestamptz()


class SyncClient(Table, tablename="sync_client"):
    """One installation of the app: the last mutation number applied for it, moved in the same transaction."""

    client_id = UUID(primary_key=True)
    user_id = UUID(index=True)
    last_mutation_id = BigInt(default=0)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()


class SyncMutation(Table, tablename="sync_mutation"):
    """Every mutation received, with its outcome: applied or rejected (and why)."""

    key = Varchar(length=80, primary_key=True)  # "<client_id>:<mutation number>"
    client_id = UUID(index=True)
    mutation_id = BigInt()
    user_id = UUID()
    name = Varchar(length=40)
    args = JSON()
    at = Varchar(length=100)
    effective_at = Varchar(length=100)
    status = Varchar(length=20)
    reason = Text(null=True, default=None)
    fingerprint = Varchar(length=64)
    received_at = Timestamptz()


class ChangeLog(Table, tablename="change_log"):
    """What phones pull: one row per change, numbered in commit order (see ``server.sync_api.changes``)."""

    version = BigInt(primary_key=True)
    estate_id = UUID(null=True, default=None, index=True)
    client_id = UUID(null=True, default=None)
    entity = Varchar(length=30)
    entity_id = Varchar(length=80)
    deleted = Boolean(default=False)
    data = JSON()
    changed_at = Timestamptz()


class ChangeCounter(Table, tablename="change_counter"):
    """A single row holding the last change version. Updating it serialises version assignment."""

    id = Integer(primary_key=True)
    version = BigInt(default=0)


ALL_TABLES: list[type[Table]] = [
    Estate,
    Location,
    AppUser,
    Membership,
    AuthSession,
    Issue,
    IssueEvent,
    Photo,
    StoredPhoto,
    Inspection,
    SyncClient,
    SyncMutation,
    ChangeLog,
    ChangeCounter,
]
