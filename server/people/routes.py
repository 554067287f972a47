"""``/api/people``: staff export or erase what is held about a person of one of their estates."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from server.auth.dependencies import SIGNED_IN
from server.auth.sessions import Viewer, roles_of
from server.people.service import erase_person, export_person, record_export
from server.problems import NotFound, problem_responses


async def _require_staff_for(viewer: Viewer, user_id: UUID) -> None:
    """Staff of an estate the person belongs to; anyone else learns nothing, not even that they exist."""
    their_estates = await roles_of(user_id)
    if not any(viewer.roles.get(estate) == "staff" for estate in their_estates):
        raise NotFound("no such person on your estates")


@get("/api/people/{user_id:uuid}/export", tags=["people"], security=SIGNED_IN, responses=problem_responses(401, 404))
async def export(user_id: FromPath[UUID], viewer: NamedDependency[Viewer]) -> dict[str, Any]:
    """Everything held about this person, as JSON (a subject access request)."""
    await _require_staff_for(viewer, user_id)
    # Only what happened on the estates this member of staff looks after.
    data = await export_person(user_id, {estate for estate, role in viewer.roles.items() if role == "staff"})
    if data is None:
        raise NotFound("no such person on your estates")
    await record_export(user_id, viewer.user_id)
    return data


@post("/api/people/{user_id:uuid}/erase", tags=["people"], status_code=200, security=SIGNED_IN,
      responses=problem_responses(401, 404))
async def erase(user_id: FromPath[UUID], viewer: NamedDependency[Viewer]) -> dict[str, bool]:
    """Anonymise this person: "Former resident" in every timeline; e-mail, password and sessions gone."""
    await _require_staff_for(viewer, user_id)
    await erase_person(user_id, actor_id=viewer.user_id)
    return {"erased": True}


ROUTES = [export, erase]
