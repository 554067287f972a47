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
    BigSerial,
    Boolean,
    Bytea,
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
    # The language chosen with ``person.language`` ("" = never chosen: English) and the stamp of that choice.
    language = Varchar(length=35, default="")
    language_at = Varchar(length=100, default="")


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
    written_in = Varchar(length=35, default="")


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
    #: Set on every row about one issue (the issue, its events, its photos…), with the issue's assignee when the
    #: change was made: a contractor pulls only such rows whose snapshot names them (docs/security.md).
    issue_id = UUID(null=True, default=None)
    assignee_id = UUID(null=True, default=None)
    #: Set on rows meant for one person only: an issue handed to or taken from a contractor.
    user_id = UUID(null=True, default=None)
    # Indexed as (issue_id, entity, version): see MULTI_COLUMN_INDEXES below.


#: Indexes over several columns, which Piccolo's columns cannot declare; their migrations make them
#: (``tests/server/test_query_plans.py`` checks they exist and that the hot queries use them).
MULTI_COLUMN_INDEXES: dict[str, tuple[str, tuple[str, ...]]] = {
    # The published assignee of a push's issues (``server.sync_api.changes``) and an issue's history for a
    # contractor hand-over (``server.auth.scoping``): both by issue, by version.
    "change_log_issue_entity_version": ("change_log", ("issue_id", "entity", "version")),
    # A first pull's snapshot: each key's latest change up to the snapshot's version (``server.sync_api.snapshot``).
    "change_log_entity_key": ("change_log", ("entity_id", "entity", "version")),
    # One photo's chunks in order and one upload's parts (unique).
    "photo_chunk_blob_seq": ("photo_chunk", ("blob_key", "seq")),
    "tus_upload_part_upload_start": ("tus_upload_part", ("upload_id", "start")),
}


class ChangeCounter(Table, tablename="change_counter"):
    """A single row holding the last change version. Updating it serialises version assignment."""

    id = Integer(primary_key=True)
    version = BigInt(default=0)


class SignInFailure(Table, tablename="sign_in_failure"):
    """A failed sign-in, kept for the rate limit (in the database, so every server process sees it)."""

    id = UUID(primary_key=True)
    email = Varchar(length=320, index=True)
    address = Varchar(length=100, index=True)
    at = Timestamptz()


class SignInCounter(Table, tablename="sign_in_counter"):
    """Attempts counted for a rate limit (``server/auth/rate_limit.py``): one row per key, changed only by one
    atomic upsert, so parallel attempts cannot all read the same count."""

    key = Varchar(length=400, primary_key=True)
    """``account:<e-mail>``, ``address:<ip>``, ``invite:<ip>``…"""
    attempts = Integer(default=0)
    window_start_ms = BigInt(default=0)
    """When the counting window began (milliseconds since 1970): plain numbers compare the same on both
    databases."""


class AuditEntry(Table, tablename="audit_entry"):
    """Who did what to accounts: sign-ins, sign-outs, revocations, memberships, invites, exports, erasures."""

    id = UUID(primary_key=True)
    at = Timestamptz()
    kind = Varchar(length=40)
    actor_id = UUID(null=True, default=None, index=True)
    subject_id = UUID(null=True, default=None, index=True)
    estate_id = UUID(null=True, default=None)
    address = Varchar(length=100, default="")
    detail = JSON()


class Invite(Table, tablename="invite"):
    """A link that lets one person join one estate with one role. Only the token's hash is kept."""

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    email = Varchar(length=320)
    estate_id = UUID(index=True)
    role = Varchar(length=20)
    created_by = UUID()
    created_at = Timestamptz()
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
    accepted_by = UUID(null=True, default=None)


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
    SignInFailure,
    SignInCounter,
    AuditEntry,
    Invite,
]


# --- inspections, meetings and action plans (docs/action-plan.md) ------------------------------------------

class EstateGradingScheme(Table, tablename="estate_grading_scheme"):
    """The grading scheme an estate's inspections use; an estate without a row uses A–D."""

    estate_id = UUID(primary_key=True)
    scheme = Varchar(length=30)
    changed_by = UUID()
    changed_at = Timestamptz()


class InspectionGrade(Table, tablename="inspection_grade"):
    """One grade for one element at one location during one inspection, and who agreed it."""

    id = UUID(primary_key=True)
    inspection_id = UUID(index=True)
    estate_id = UUID(index=True)
    location_id = UUID(null=True, default=None)
    element = Varchar(length=100)
    scheme = Varchar(length=30)
    grade = Varchar(length=30)
    agreed_by = JSON()
    note = Text(default="")
    graded_by = UUID()
    at = Varchar(length=100)
    recorded_at = Timestamptz()
    #: Evidence: a photo of the element as graded (bytes in ``stored_photo``, like an issue's photos).
    photo_sha256 = Varchar(length=64, null=True, default=None, index=True)


class InspectionRecheck(Table, tablename="inspection_recheck"):
    """An existing issue looked at again during an inspection: "still there" or "looks fixed"."""

    id = UUID(primary_key=True)
    inspection_id = UUID(index=True)
    issue_id = UUID(index=True)
    estate_id = UUID()
    outcome = Varchar(length=20)
    note = Text(default="")
    checked_by = UUID()
    at = Varchar(length=100)
    recorded_at = Timestamptz()


class Meeting(Table, tablename="meeting"):
    """A TRA meeting: its action plan is the issues raised or reviewed at it."""

    id = UUID(primary_key=True)
    estate_id = UUID(index=True)
    date = Date()
    title = Varchar(length=500)
    attendees = JSON()
    notes = Text(default="")
    created_by = UUID()
    created_at = Timestamptz()


class MeetingIssue(Table, tablename="meeting_issue"):
    """An issue raised (``raised``) or reviewed (``reviewed``) at a meeting; once per meeting and issue."""

    key = Varchar(length=80, primary_key=True)  # "<meeting_id>:<issue_id>"
    meeting_id = UUID(index=True)
    issue_id = UUID()
    estate_id = UUID()
    kind = Varchar(length=20)
    added_by = UUID()
    added_at = Timestamptz()


# --- e-mail (server/notify) --------------------------------------------------------------------------------

class IssueFollower(Table, tablename="issue_follower"):
    """Who hears about an issue's changes. Whoever raised an issue follows it from the start."""

    key = Varchar(length=80, primary_key=True)  # "<issue_id>:<user_id>"
    issue_id = UUID(index=True)
    user_id = UUID(index=True)
    since = Timestamptz()


class MailPreference(Table, tablename="mail_preference"):
    """``immediate`` (the default when there is no row) or ``daily`` digest, or ``none``."""

    user_id = UUID(primary_key=True)
    mode = Varchar(length=20)
    changed_at = Timestamptz()
    #: The clock stamp of the choice: from two phones, the later choice stands whatever order they sync in.
    at = Varchar(length=100, null=True, default=None)


class MailDigestItem(Table, tablename="mail_digest_item"):
    """A line waiting for someone's daily digest."""

    id = UUID(primary_key=True)
    user_id = UUID(index=True)
    issue_id = UUID()
    line = Text()
    created_at = Timestamptz()
    digest_id = UUID(null=True, default=None, index=True)


class MailOutbox(Table, tablename="mail_outbox"):
    """E-mails to send, written in the same transaction as the change they tell about.

    ``dedupe_key`` is unique: re-applying the same change or building the same day's digest twice adds nothing.
    A sender claims a row by setting ``claimed_by`` and ``claimed_until`` (a lease); a sender that dies lets the
    lease run out and another picks the row up.
    """

    id = UUID(primary_key=True)
    dedupe_key = Varchar(length=200, unique=True)
    user_id = UUID(null=True, default=None)
    to_address = Varchar(length=320)
    subject = Varchar(length=300)
    body = Text()
    kind = Varchar(length=30)
    status = Varchar(length=20, index=True)  # pending, sent, failed
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    claimed_by = Varchar(length=80, null=True, default=None)
    claimed_until = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    #: The issue the e-mail is about (none for digests): mail clients thread an issue's e-mails together.
    issue_id = UUID(null=True, default=None)
    #: The reply address its ``Reply-To`` carries (``mail_reply_address``), when replies are on.
    reply_address_id = Varchar(length=16, null=True, default=None)


# --- replies by e-mail (server/replies) --------------------------------------------------------------------

class MailReplyAddress(Table, tablename="mail_reply_address"):
    """A reply address given to one person in one e-mail, for one issue (or a whole digest, ``issue_id`` empty).

    The address itself (``reply+<token>@<domain>``) is made when the e-mail is sent: the token carries this
    row's id and an expiry, signed with the server's reply secret, so the row alone cannot be turned into a
    working address. ``revoked_at`` ends it early.
    """

    id = Varchar(length=16, primary_key=True)  # 8 random bytes, hex
    outbox_id = UUID(index=True)
    user_id = UUID(index=True)
    issue_id = UUID(null=True, default=None)
    estate_id = UUID(null=True, default=None)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class MailInbound(Table, tablename="mail_inbound"):
    """Every e-mail that came in to a reply address, once, with what became of it.

    ``dedupe_key`` is unique and written in the same transaction as the comment, so the same message delivered
    twice, or fetched by two pollers at once, makes one comment. Refused and quarantined mail stays here for
    staff of the estate it names, with the reason, and the original message as it came (``original``; not for
    a message refused for its size).
    """

    id = UUID(primary_key=True)
    dedupe_key = Varchar(length=64, unique=True)
    message_id = Varchar(length=500)
    via = Varchar(length=10)  # smtp, lmtp, imap
    received_at = Timestamptz()
    envelope_from = Varchar(length=320, default="")
    from_address = Varchar(length=320, default="")
    subject = Varchar(length=300, default="")
    reply_address_id = Varchar(length=16, null=True, default=None)
    user_id = UUID(null=True, default=None)
    issue_id = UUID(null=True, default=None)
    estate_id = UUID(null=True, default=None, index=True)
    outcome = Varchar(length=20)  # comment, quarantined, refused
    reason = Varchar(length=40, default="")
    flagged = Boolean(default=False)
    detail = Text(default="")
    text = Text(default="")
    new_text = Text(default="")
    photos = JSON()
    event_id = UUID(null=True, default=None)
    original = Bytea(null=True, default=None)
    raw_size = BigInt(default=0)


ALL_TABLES += [
    EstateGradingScheme,
    InspectionGrade,
    InspectionRecheck,
    Meeting,
    MeetingIssue,
    IssueFollower,
    MailPreference,
    MailDigestItem,
    MailOutbox,
    MailReplyAddress,
    MailInbound,
]


# --- photo bytes and unfinished uploads in the database (docs/deploy.md, several hosts) -------------------------

class PhotoBlob(Table, tablename="photo_blob"):
    """One stored variant (``original/ab/…``, ``display/…``, ``thumb/…``) in the database photo store.

    The row names the bytes, which live in ``photo_chunk`` rows of at most ``chunk_size`` bytes each, so no single
    value holds a whole 25 MB original. The row and its chunks are written in one transaction.
    """

    key = Varchar(length=80, primary_key=True)
    byte_size = BigInt()
    chunk_size = Integer()
    chunk_count = Integer()
    created_at = Timestamptz()


class PhotoChunk(Table, tablename="photo_chunk"):
    """A piece of a ``photo_blob``: (``blob_key``, ``seq``) is unique (an index made by the migration)."""

    id = BigSerial(primary_key=True)
    blob_key = Varchar(length=80)
    seq = Integer()
    data = Bytea()


class TusUpload(Table, tablename="tus_upload"):
    """An unfinished resumable upload in the database store: any host may continue it."""

    id = Varchar(length=32, primary_key=True)
    user_id = UUID(index=True)
    sha256 = Varchar(length=64)
    length = BigInt()
    created_at = Timestamptz()
    touched_at = Timestamptz()
    completed = Boolean(default=False)


class TusUploadPart(Table, tablename="tus_upload_part"):
    """Bytes of an unfinished upload from ``start``; the upload's offset is the sum of its parts' sizes."""

    id = BigSerial(primary_key=True)
    upload_id = Varchar(length=32)
    start = BigInt()
    byte_size = Integer()
    data = Bytea()


ALL_TABLES += [PhotoBlob, PhotoChunk, TusUpload, TusUploadPart]


# --- identity and possession (docs/security.md, "Identity, possession and uniform answers") ------------------

class ServerSecret(Table, tablename="server_secret"):
    """One row: the key ids the server derives are made with (HMAC), so nobody can predict another phone's.

    Created by the migration that made this table, under the migration lock, so every server process of a
    deployment shares it; a backup carries it, so a restored server derives the same ids again.
    """

    id = Integer(primary_key=True)
    secret = Varchar(length=128)
    created_at = Timestamptz()


class PhotoUpload(Table, tablename="photo_upload"):
    """Who completed an upload of which bytes: proof of possession, without which a hash attaches nothing."""

    key = Varchar(length=110, primary_key=True)  # "<sha256>:<user_id>"
    sha256 = Varchar(length=64, index=True)
    user_id = UUID(index=True)
    uploaded_at = Timestamptz()


ALL_TABLES += [ServerSecret, PhotoUpload]
