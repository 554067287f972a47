"""Mutations: the named intents a phone sends, decoded in one pass as a tagged union on ``name``.

Each mutation is read on its own (``read_mutation``): one that cannot be read (a wrong type, an unknown name, a
control character in its text) becomes an ``Unreadable`` that the engine *rejects* with the reason, exactly like
a well-typed mutation whose values are unacceptable (an unknown priority, an empty title). So one bad capture
never wedges a phone's queue; only a mutation without a usable number refuses the whole push.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Annotated, Union
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from sync.hlc import STAMP_PATTERN
from sync.text import problem_in

StampText = Annotated[str, Meta(pattern=STAMP_PATTERN, description="hybrid-logical-clock stamp")]
MutationNumber = Annotated[int, Meta(ge=1, le=2**53, description="per-client mutation number, 1, 2, 3…")]
Text = Annotated[str, Meta(max_length=20_000)]
ShortText = Annotated[str, Meta(max_length=500)]
Sha256 = Annotated[str, Meta(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the photo bytes, lower-case hex")]
LanguageTag = Annotated[str, Meta(pattern=r"^([A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*)?$", max_length=35,
                                  description="BCP 47 language tag, or empty when not known")]

MAX_BATCH = 500


class Args(Struct, forbid_unknown_fields=True, frozen=True):
    pass


class IssueCreateArgs(Args):
    id: UUID
    estate_id: UUID
    category: ShortText
    title: ShortText
    priority: ShortText
    captured_at: dt.datetime
    description: Text = ""
    location_id: UUID | None = None
    inspection_id: UUID | None = None
    written_in: LanguageTag = ""
    """The app's language when the title and description were typed, for ``lang`` attributes (never translated)."""


class IssueFields(Args):
    """The editable fields of an issue; absent means "not changed"."""

    title: ShortText | UnsetType = UNSET
    description: Text | UnsetType = UNSET
    category: ShortText | UnsetType = UNSET
    priority: ShortText | UnsetType = UNSET
    location_id: UUID | None | UnsetType = UNSET
    owner_id: UUID | None | UnsetType = UNSET
    assignee_id: UUID | None | UnsetType = UNSET
    due_date: dt.date | None | UnsetType = UNSET


class IssueUpdateArgs(Args):
    id: UUID
    fields: IssueFields
    base: dict[str, StampText] | None = None


class IssueStatusArgs(Args):
    id: UUID
    status: ShortText
    note: Text | None = None


class IssueCommentArgs(Args):
    id: UUID
    issue_id: UUID
    body: Text
    written_in: LanguageTag = ""


class IssueWithdrawArgs(Args):
    id: UUID
    reason: Text = ""


class PhotoAttachArgs(Args):
    id: UUID
    issue_id: UUID
    sha256: Sha256
    content_type: ShortText = "image/jpeg"
    byte_size: Annotated[int, Meta(ge=0)] = 0
    width: Annotated[int, Meta(ge=0)] = 0
    height: Annotated[int, Meta(ge=0)] = 0
    captured_at: dt.datetime | None = None
    caption: Text | None = None


class InspectionCreateArgs(Args):
    id: UUID
    estate_id: UUID
    date: dt.date
    attendees: list[ShortText] = []
    notes: Text = ""


class InspectionFields(Args):
    date: dt.date | UnsetType = UNSET
    attendees: list[ShortText] | UnsetType = UNSET
    notes: Text | UnsetType = UNSET
    finished_at: dt.datetime | None | UnsetType = UNSET


class InspectionUpdateArgs(Args):
    id: UUID
    fields: InspectionFields
    base: dict[str, StampText] | None = None


class IssueMergeArgs(Args):
    id: UUID
    """The duplicate, merged away."""
    into: UUID
    """The issue that goes on."""
    note: Text = ""


class IssueFollowArgs(Args):
    id: UUID
    follow: bool = True


class InspectionGradeArgs(Args):
    id: UUID
    inspection_id: UUID
    element: ShortText
    grade: ShortText
    location_id: UUID | None = None
    agreed_by: list[ShortText] = []
    note: Text = ""
    photo_sha256: Sha256 | None = None
    """Evidence: the SHA-256 of a photo of the element, whose bytes travel like any photo's (tus, by hash)."""


class InspectionRecheckArgs(Args):
    id: UUID
    inspection_id: UUID
    issue_id: UUID
    outcome: ShortText
    note: Text = ""


class EstateGradingSchemeArgs(Args):
    estate_id: UUID
    scheme: ShortText


class MeetingCreateArgs(Args):
    id: UUID
    estate_id: UUID
    date: dt.date
    title: ShortText = "TRA meeting"
    attendees: list[ShortText] = []
    notes: Text = ""


class MeetingIssueArgs(Args):
    meeting_id: UUID
    issue_id: UUID
    kind: ShortText = "reviewed"


class MailPreferenceArgs(Args):
    mode: ShortText
    """``immediate`` (an e-mail per change), ``daily`` (one digest a day) or ``none``."""


class PersonLanguageArgs(Args):
    language: ShortText
    """A tag of ``sync.languages.LANGUAGES`` (``tr``, ``ckb``…): the language the app, e-mails and PDFs speak."""


class Mutation(Struct, forbid_unknown_fields=True, frozen=True, tag_field="name"):
    id: MutationNumber
    at: StampText

    def fingerprint(self) -> str:
        """A digest of the content, to tell a true re-send from a different mutation under a reused number."""
        return hashlib.sha256(msgspec.json.encode(self)).hexdigest()


class IssueCreate(Mutation, tag="issue.create"):
    args: IssueCreateArgs


class IssueUpdate(Mutation, tag="issue.update"):
    args: IssueUpdateArgs


class IssueStatus(Mutation, tag="issue.status"):
    args: IssueStatusArgs


class IssueComment(Mutation, tag="issue.comment"):
    args: IssueCommentArgs


class IssueWithdraw(Mutation, tag="issue.withdraw"):
    args: IssueWithdrawArgs


class PhotoAttach(Mutation, tag="photo.attach"):
    args: PhotoAttachArgs


class InspectionCreate(Mutation, tag="inspection.create"):
    args: InspectionCreateArgs


class InspectionUpdate(Mutation, tag="inspection.update"):
    args: InspectionUpdateArgs


class IssueMerge(Mutation, tag="issue.merge"):
    args: IssueMergeArgs


class IssueFollow(Mutation, tag="issue.follow"):
    args: IssueFollowArgs


class InspectionGrade(Mutation, tag="inspection.grade"):
    args: InspectionGradeArgs


class InspectionRecheck(Mutation, tag="inspection.recheck"):
    args: InspectionRecheckArgs


class EstateGradingScheme(Mutation, tag="estate.grading_scheme"):
    args: EstateGradingSchemeArgs


class MeetingCreate(Mutation, tag="meeting.create"):
    args: MeetingCreateArgs


class MeetingIssue(Mutation, tag="meeting.issue"):
    args: MeetingIssueArgs


class MailPreference(Mutation, tag="mail.preference"):
    args: MailPreferenceArgs


class PersonLanguage(Mutation, tag="person.language"):
    args: PersonLanguageArgs


AnyMutation = Union[
    IssueCreate,
    IssueUpdate,
    IssueStatus,
    IssueComment,
    IssueWithdraw,
    PhotoAttach,
    InspectionCreate,
    InspectionUpdate,
    IssueMerge,
    IssueFollow,
    InspectionGrade,
    InspectionRecheck,
    EstateGradingScheme,
    MeetingCreate,
    MeetingIssue,
    MailPreference,
    PersonLanguage,
]

MUTATION_NAMES = tuple(m.__struct_config__.tag for m in AnyMutation.__args__)  # type: ignore[attr-defined]


def changed_fields(fields: Struct) -> dict[str, object]:
    """The fields of an ``IssueFields``/``InspectionFields`` that were actually sent."""
    return {
        name: getattr(fields, name)
        for name in fields.__struct_fields__
        if getattr(fields, name) is not UNSET
    }


class Unreadable(Struct, frozen=True):
    """A mutation that could not be read: it is rejected with ``reason`` and recorded like any other."""

    id: int
    at: str | None
    name: str
    reason: str
    content_digest: str

    def fingerprint(self) -> str:
        return self.content_digest


_STAMP = __import__("re").compile(STAMP_PATTERN)


def read_mutation(raw: dict) -> AnyMutation | Unreadable:
    """One mutation from decoded JSON, strictly typed and under the text rules, or the reason it is unreadable.

    ``raw["id"]`` must already be a valid mutation number (the push envelope checks it)."""
    problem = problem_in(raw)
    if problem is None:
        try:
            return msgspec.convert(raw, AnyMutation, strict=True)  # type: ignore[return-value]
        except msgspec.ValidationError as error:
            problem = str(error).replace("`$.", "`")
    name = raw.get("name")
    at = raw.get("at")
    return Unreadable(
        id=raw["id"],
        at=at if isinstance(at, str) and _STAMP.match(at) else None,
        name=name if name in MUTATION_NAMES else "unreadable",
        reason=f"this change could not be read: {problem}",
        content_digest=hashlib.sha256(msgspec.json.encode(raw)).hexdigest(),
    )
