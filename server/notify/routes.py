"""``/api/me/mail``: how a person wants to hear about the issues they follow.

The app sends the ``mail.preference`` mutation instead (it works offline and syncs); this route is for other
clients and records the same change, so the person's phones learn of a choice made here.
"""

from __future__ import annotations

from litestar import get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody
from msgspec import Struct

from server.auth.dependencies import SIGNED_IN
from server.auth.sessions import Viewer
from server.clock import unix_millis
from server.notify.outbox import mail_mode
from server.problems import problem_responses
from server.sync_api.unit_of_work import unit_of_work
from sync.hlc import format_stamp
from sync.records import MailMode


class MailPreferenceBody(Struct, forbid_unknown_fields=True):
    mode: MailMode
    """``immediate``: an e-mail per change; ``daily``: one digest a day; ``none``: no e-mail."""


@get("/api/me/mail", tags=["mail"], security=SIGNED_IN, responses=problem_responses(401))
async def my_mail_preference(viewer: NamedDependency[Viewer]) -> MailPreferenceBody:
    return MailPreferenceBody(mode=await mail_mode(viewer.user_id))  # type: ignore[arg-type]


@put("/api/me/mail", tags=["mail"], security=SIGNED_IN, responses=problem_responses(400, 401))
async def set_my_mail_preference(data: JSONBody[MailPreferenceBody],
                                 viewer: NamedDependency[Viewer]) -> MailPreferenceBody:
    async with unit_of_work() as store:
        # Stamped with the server's clock, like a phone's choice made at this moment.
        await store.save_mail_preference(viewer.user_id, data.mode, format_stamp(unix_millis(), 0, "web"))
    return data


ROUTES = [my_mail_preference, set_my_mail_preference]
