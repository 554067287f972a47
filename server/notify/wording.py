"""The words of the e-mails: plain sentences a resident can read on a small phone."""

from __future__ import annotations

STATUS_LABELS = {
    "reported": "reported",
    "acknowledged": "acknowledged (it has an owner and a due date)",
    "in_progress": "in progress",
    "fixed": "fixed (waiting for residents to confirm)",
    "confirmed": "confirmed fixed by residents",
    "disputed": "disputed by residents (not fixed yet)",
    "wont_fix": "won't fix",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " "))


def describe_event(kind: str, data: dict, actor: str) -> str | None:
    """One line saying what happened, or None for events nobody needs an e-mail about."""
    if kind == "status_changed":
        line = f"{actor} changed the status from {status_label(data.get('from', ''))} " \
               f"to {status_label(data.get('to', ''))}."
        if data.get("note"):
            line += f" Note: {data['note']}"
        return line
    if kind == "comment":
        return f"{actor} wrote: {data.get('body', '')}"
    if kind == "merged":
        if data.get("into"):
            return f"{actor} merged this issue into “{data.get('title', '')}”, which carries on from here." + (
                f" Note: {data['note']}" if data.get("note") else "")
        return f"{actor} merged the duplicate “{data.get('title', '')}” into this issue."
    if kind == "rechecked":
        seen = "still there" if data.get("outcome") == "still_there" else "looks fixed"
        return f"{actor} re-checked it on an inspection: {seen}." + (
            f" {data['note']}" if data.get("note") else "")
    if kind == "withdrawn":
        return f"{actor} withdrew this issue." + (f" Reason: {data['reason']}" if data.get("reason") else "")
    return None


FOOTER = (
    "\n\n--\nYou get this because you raised or follow this issue in Estatewalk. "
    "You can choose a daily digest instead, or no e-mail, in the app's settings."
)
