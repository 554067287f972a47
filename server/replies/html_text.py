"""HTML e-mail to plain text: what a person wrote, never markup, script or styling.

Only text leaves here (the timeline shows comments as text, never as HTML), so sanitising means dropping: every
tag goes, script, style and head go with their content, entities become characters. Structure survives as line
breaks, and a quoted message (``<blockquote>``) as ``> `` lines, which the reply reader knows how to remove.

``stop_at_quote`` ends the text where a mail client starts the message being answered. Clients mark that
place in their HTML more reliably than in words: Gmail's ``gmail_quote``, Outlook's ``divRplyFwdMsg`` and
``appendonsend``, Apple Mail's and Thunderbird's ``<blockquote type="cite">`` (Thunderbird's "… wrote:" line is
``moz-cite-prefix``), Yahoo's ``yahoo_quoted``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_DROPPED = {"script", "style", "head", "title", "template", "svg", "math", "noscript", "iframe", "object", "xml"}
_BLOCKS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "section", "article",
           "header", "footer", "pre", "address", "dl", "dt", "dd", "center", "form", "fieldset", "hr"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source", "track", "embed"}
_QUOTE_CLASSES = {"gmail_quote", "moz-cite-prefix", "yahoo_quoted", "outlookmessageheader", "protonmail_quote",
                  "zmail_extra"}
_QUOTE_IDS = {"divrplyfwdmsg", "appendonsend", "stopspelling", "mail-editor-reference-message-container"}


def _starts_quote(tag: str, attributes: dict[str, str]) -> bool:
    classes = set(attributes.get("class", "").lower().split())
    if classes & _QUOTE_CLASSES:
        return True
    if attributes.get("id", "").lower() in _QUOTE_IDS:
        return True
    return tag == "blockquote" and attributes.get("type", "").lower() == "cite"


class _Text(HTMLParser):
    def __init__(self, stop_at_quote: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.stop_at_quote = stop_at_quote
        self.stopped = False
        self.lines: list[str] = []
        self.current: list[str] = []
        self.dropping = 0
        self.quote_depth = 0
        self.pre = 0
        self.stack: list[str] = []

    def _break(self, blank: bool = False) -> None:
        """End the current line. Blocks only end lines; a ``<br>`` on an empty line makes a blank one."""
        line = "".join(self.current)
        if not self.pre:
            line = re.sub(r"[ \t\r\n\f\u00a0]+", " ", line).strip()
        if line:
            self.lines.append(("> " * self.quote_depth) + line)
        elif (blank or self.pre) and self.lines and self.lines[-1] != "":
            self.lines.append("")
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stopped:
            return
        attributes = {name.lower(): value or "" for name, value in attrs}
        if self.stop_at_quote and _starts_quote(tag, attributes):
            self._break()
            self.stopped = True
            return
        if tag in _DROPPED:
            self.dropping += 1
        if tag not in _VOID:
            self.stack.append(tag)
        if tag == "br":
            self._break(blank=True)
        elif tag in _BLOCKS or tag == "blockquote":
            self._break()
        if tag == "blockquote":
            self.quote_depth += 1
        if tag == "pre":
            self.pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stopped or tag not in self.stack:
            return
        # Close whatever was left open inside this element (HTML in e-mail is rarely well-formed).
        while self.stack:
            open_tag = self.stack.pop()
            if open_tag in _DROPPED:
                self.dropping -= 1
            if open_tag in _BLOCKS or open_tag == "blockquote":
                self._break()
            if open_tag == "blockquote":
                self.quote_depth = max(0, self.quote_depth - 1)
            if open_tag == "pre":
                self.pre -= 1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.stopped or self.dropping:
            return
        if self.pre:
            parts = data.split("\n")
            for part in parts[:-1]:
                self.current.append(part)
                self._break()
            self.current.append(parts[-1])
        else:
            self.current.append(data)

    def text(self) -> str:
        self._break()
        return "\n".join(self.lines).strip()


def html_to_text(html: str, *, stop_at_quote: bool = False) -> str:
    """The text of an HTML e-mail, quoted parts as ``> `` lines (or cut off with ``stop_at_quote``)."""
    parser = _Text(stop_at_quote)
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - whatever the markup, what was read so far is the text
        pass
    return parser.text()
