"""``/api/me/mail``: how a person wants to hear about the issues they follow."""

from __future__ import annotations

from typing import Literal

from litestar import get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody
from msgspec import Struct

from server.auth.dependencies import SIGNED_IN
from server.auth.sessions import Viewer
from server.clock import utcnow
from server.db import tables as t
from server.db.engine import current_engine, write_transaction
from server.notify.outbox import mail_mode
from server.problems import problem_responses


class MailPreferenceBody(Struct, forbid_unknown_fields=True):
    mode: Literal["immediate", "daily", "none"]
    """``immediate``: an e-mail per change; ``daily``: one digest a day; ``none``: no e-mail."""


@get("/api/me/mail", tags=["mail"], security=SIGNED_IN, responses=problem_responses(401))
async def my_mail_preference(viewer: NamedDependency[Viewer]) -> MailPreferenceBody:
    return MailPreferenceBody(mode=await mail_mode(viewer.user_id))  # type: ignore[arg-type]


@put("/api/me/mail", tags=["mail"], security=SIGNED_IN, responses=problem_responses(400, 401))
async def set_my_mail_preference(data: JSONBody[MailPreferenceBody],
                                 viewer: NamedDependency[Viewer]) -> MailPreferenceBody:
    async with write_transaction(current_engine()):
        await t.MailPreference.delete().where(t.MailPreference.user_id == viewer.user_id)
        await t.MailPreference.insert(t.MailPreference(user_id=viewer.user_id, mode=data.mode, changed_at=utcnow()))
    return data


ROUTES = [my_mail_preference, set_my_mail_preference]
