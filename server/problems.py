"""The problem catalogue: every error answer is a JSON problem with a numbered code clients can branch on.

One exception type per failure a user can act on, mapped to one HTTP status here and nowhere else.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from msgspec import Struct

log = logging.getLogger("estatewalk")


class ProblemBody(Struct, omit_defaults=True):
    """An error answer (the shape is inspired by RFC 9457 problem details)."""

    status: int
    code: str
    title: str
    detail: str = ""
    errors: list[dict[str, Any]] | None = None
    expected_mutation_id: int | None = None


class Problem(Exception):
    status = 400
    code = "400.1"
    title = "Bad request"

    def __init__(self, detail: str = "", *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.headers = headers
        self.extra = extra

    def body(self) -> ProblemBody:
        return ProblemBody(status=self.status, code=self.code, title=self.title, detail=self.detail, **self.extra)


class BadInput(Problem):
    """A value breaks the input rules: nesting depth, a control character, a length or a number range
    (``server/input_limits.py``)."""

    status, code, title = 400, "400.2", "Value not accepted"


class NotSignedIn(Problem):
    status, code, title = 401, "401.1", "Not signed in"


class BadCredentials(Problem):
    status, code, title = 401, "401.2", "Wrong e-mail or password"


class SignInToAccept(NotSignedIn):
    """An invitation to an address that has an account: accepted by signing in as that person, never by its
    password on the invitation form."""

    status, code, title = 401, "401.3", "Sign in to accept this invitation"


class Forbidden(Problem):
    status, code, title = 403, "403.1", "Not allowed"


class CrossSiteRequest(Problem):
    """A cookie-authenticated write that did not come from the app's own pages (``server.auth.csrf``)."""

    status, code, title = 403, "403.2", "Cross-site request refused"


class NotFound(Problem):
    status, code, title = 404, "404.1", "Not found"


def not_visible(what: str) -> NotFound:
    """The one answer for something a person may not see and for something that does not exist: the same
    status, code and words, so that no answer tells what happens on an estate, or to a job, not theirs."""
    return NotFound(f"there is no {what} that you can see")


class MutationContentConflict(Problem):
    status, code, title = 409, "409.1", "Same mutation number, different content"


class MutationOutOfOrder(Problem):
    status, code, title = 409, "409.2", "Mutation out of order"


class ClientIdTaken(Problem):
    status, code, title = 409, "409.3", "This client id belongs to another user"


class TooLarge(Problem):
    status, code, title = 413, "413.1", "Request body too large"


class Unacceptable(Problem):
    status, code, title = 422, "422.1", "Value not acceptable"


class InviteGone(Problem):
    status, code, title = 410, "410.1", "This invitation has expired or was already used"


class ServerBusy(Problem):
    status, code, title = 503, "503.1", "Server busy"


class TooManyAttempts(Problem):
    status, code, title = 429, "429.1", "Too many attempts"


# --- photo uploads (docs/photos.md) ----------------------------------------------------------------------------

class UploadOffsetMismatch(Problem):
    status, code, title = 409, "409.4", "Upload offset does not match the server's"


class TusVersionUnsupported(Problem):
    status, code, title = 412, "412.1", "Unsupported tus version"


class WrongContentType(Problem):
    status, code, title = 415, "415.1", "Unsupported content type"


class PhotoHashMismatch(Problem):
    status, code, title = 422, "422.2", "The bytes do not match their SHA-256"


class NotAnAcceptedImage(Problem):
    status, code, title = 422, "422.3", "Not an accepted image"


class RangeNotSatisfiable(Problem):
    status, code, title = 416, "416.1", "Range not satisfiable"


class ChecksumMismatch(Problem):
    status, code, title = 460, "460.1", "Checksum mismatch"


_BY_STATUS: dict[int, type[Problem]] = {
    cls.status: cls for cls in (NotSignedIn, Forbidden, NotFound, TooLarge, Unacceptable, TooManyAttempts)
}


def _answer(body: ProblemBody, headers: dict[str, str] | None = None) -> Response[ProblemBody]:
    return Response(body, status_code=body.status, media_type=MediaType.JSON, headers=headers)


def problem_handler(_: Request, exc: Problem) -> Response[ProblemBody]:
    return _answer(exc.body(), exc.headers)


def http_exception_handler(_: Request, exc: HTTPException) -> Response[ProblemBody]:
    """Litestar's own errors (validation, 404 routes, 405, body limits) in the same problem shape."""
    status = exc.status_code
    if isinstance(exc, ValidationException) or status == 400:
        errors = exc.extra if isinstance(exc.extra, list) else None
        return _answer(ProblemBody(400, "400.1", "Bad request", detail=str(exc.detail), errors=errors),
                       exc.headers)
    known = _BY_STATUS.get(status)
    code = known.code if known else f"{status}.0"
    return _answer(ProblemBody(status, code, known.title if known else str(exc.detail), detail=str(exc.detail)),
                   exc.headers)


def _is_lock_timeout(exc: Exception) -> bool:
    """The database stayed locked past its timeout: overload, not a bug. The phone should retry later."""
    import sqlite3

    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


def unexpected_error_handler(request: Request, exc: Exception) -> Response[ProblemBody]:
    if _is_lock_timeout(exc):
        log.warning("database busy on %s %s: answered 503", request.method, request.url.path)
        busy = ServerBusy("the server is busy; nothing was saved from this request, send it again shortly")
        return _answer(busy.body(), headers={"Retry-After": "5"})
    # Log the trace for operators; the answer names no SQL, path or stack.
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return _answer(ProblemBody(HTTP_500_INTERNAL_SERVER_ERROR, "500.0", "Internal error",
                               detail="something went wrong on the server; it has been logged"))


EXCEPTION_HANDLERS = {
    Problem: problem_handler,
    HTTPException: http_exception_handler,
    Exception: unexpected_error_handler,
}


_DESCRIPTIONS = {
    400: "The body is not valid JSON or does not match the schema",
    401: "Not signed in, or wrong e-mail or password",
    403: "Not allowed",
    404: "No such thing, or not yours to see",
    409: "Mutation numbering conflict (see the code)",
    410: "This invitation has expired or was already used",
    412: "Unsupported tus version",
    413: "Request body too large",
    415: "Unsupported content type",
    416: "The requested byte range is outside the photo",
    422: "A value is not acceptable",
    460: "Checksum of the chunk does not match",
    429: "Too many attempts",
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problems a route can answer."""
    return {
        status: ResponseSpec(data_container=ProblemBody, description=_DESCRIPTIONS[status], generate_examples=False)
        for status in statuses
    }
