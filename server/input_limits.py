"""Input limits in one layer: every JSON body, path and query value passes here before any handler sees it.

What it refuses, with a 400 problem naming the field (``400.1`` for JSON that is malformed or of the wrong shape,
``400.2`` for a value that breaks a rule) (``sync/text.py`` holds the rules themselves):

- JSON nested deeper than ``MAX_DEPTH``, found *before* decoding (a 4 KB body of 2,000 brackets otherwise
  exhausts the decoder's recursion);
- control characters (NUL first of all: PostgreSQL cannot store it) and text beyond ``MAX_TEXT_LENGTH``;
- integers that do not fit 64 bits;
- wrong JSON types. Litestar converts request bodies leniently (``"1"`` is taken for ``1``); here the decoded
  body is first converted *strictly* to the handler's declared type, so only the exact type passes.

A route whose body carries items that must be refused one by one rather than as a whole (a push: one unreadable
mutation must become a rejection of that mutation, or the phone's queue would stall behind it) names that key in
its handler's ``opt["checked_per_item"]``; the items are then checked by the route itself with the same rules.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.types import Empty

from server.problems import BadInput, Problem
from sync.text import MAX_DEPTH, control_character_in, json_depth_exceeds, problem_in

#: Path and query values are names, ids and options: never long.
MAX_PARAMETER_LENGTH = 2_000


def decode_checked(body: bytes, skip: str | None = None) -> Any:
    """Decode a JSON body under every rule above (but the type check, which needs the target type)."""
    if json_depth_exceeds(body):
        raise BadInput(f"the JSON nests deeper than {MAX_DEPTH} levels")
    try:
        value = msgspec.json.decode(body or b"null")
    except msgspec.DecodeError as error:
        raise Problem(f"the body is not valid JSON: {error}") from None
    except RecursionError:  # cannot happen below MAX_DEPTH; kept so no decoder change can make it a 500
        raise BadInput(f"the JSON nests deeper than {MAX_DEPTH} levels") from None
    checked = {k: v for k, v in value.items() if k != skip} if skip and isinstance(value, dict) else value
    problem = problem_in(checked)
    if problem:
        raise BadInput(problem)
    return value


def check_type(value: Any, target: Any) -> None:
    """Refuse a body that only lenient conversion would accept (``"5"`` for a number, ``1`` for a string)."""
    try:
        msgspec.convert(value, target, strict=True)
    except msgspec.ValidationError as error:
        raise Problem(str(error), errors=[{"message": str(error), "source": "body"}]) from None


class CheckedRequest(Request):
    """Litestar's request, with its JSON body decoded and checked under the rules above."""

    async def json(self) -> Any:
        if self._json is Empty:
            if (cached := self._connection_state.json) is not Empty:
                self._json = cached
            else:
                handler = self.route_handler
                skip = handler.opt.get("checked_per_item")
                value = decode_checked(await self.body(), skip)
                field = handler.parsed_data_field
                if field is not None:
                    check_type(value, field.annotation)
                self._json = self._connection_state.json = value
        return self._json


async def check_parameters(request: Request) -> None:
    """``before_request``: path and query values obey the same text rules (a NUL in ``?q=`` reaches SQL too)."""
    for source, items in (("path", request.path_params.items()), ("query", request.query_params.multi_items())):
        for name, value in items:
            if not isinstance(value, str):
                continue
            bad = control_character_in(name) or control_character_in(value)
            if bad:
                raise BadInput(f"the {source} parameter {name!r} contains a control character ({bad})")
            if len(value) > MAX_PARAMETER_LENGTH:
                raise BadInput(f"the {source} parameter {name!r} is longer than {MAX_PARAMETER_LENGTH} characters")
