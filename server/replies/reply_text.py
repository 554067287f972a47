"""The new words of a reply: without the quoted e-mail, the "On … wrote:" line, the signature or "Sent from my
phone".

Most of the work is ``mail-parser-reply`` (MIT licence, maintained, many languages): it finds where a client's
header for the quoted message begins ("On … wrote:", Outlook's "From: … Sent: …" block and separators, in a dozen
languages). Its signature patterns are not used: they cut at any line starting with "Thanks," or "Best," and,
for Danish, "Kh" (the start of many Vietnamese words), and residents' words matter more than a tidy comment.
What it does not know is added here, tried first, each from a client seen writing it:

- our own marker line (``##- … -##``, first in every e-mail that can be answered), whatever the language;
- Gmail's and Apple Mail's "wrote" lines in Turkish, Vietnamese, Chinese (name first) and Somali;
- Outlook's header block with Turkish, Vietnamese and Chinese labels (with full-width colons too);
- quoted (``>``) lines anywhere, for people who answer below or between the quoted lines;
- the ``-- `` signature delimiter and "Sent from my …" lines of phones in those languages.
"""

from __future__ import annotations

import re

from mailparser_reply import EmailReplyParser

#: The languages whose quote headers the library looks for. Polish is left out: its pattern splits at a single
#: line starting with "Data:" or "Do:", which ordinary replies contain.
LIBRARY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "sv", "da", "cs", "zh", "ja", "ko"]

_QUOTE_PREFIX = r"(?:>\s?)*"
_MARKER = re.compile(r"^" + _QUOTE_PREFIX + r".*##-.*-##.*$", re.MULTILINE)
#: The end of a "… wrote:" line, in the app's languages: Turkish Gmail ("…, 2 Ara 2026 Çar, 10:15 tarihinde
#: şunu yazdı:") and Apple Mail ("… tarihinde 10:15 saatinde, … şunu yazdı:"), Vietnamese ("Vào … lúc 10:15 …
#: đã viết:"), Chinese with the name first (Gmail: "… <…> 于2026年12月2日周三 10:15写道："; Apple Mail: "在 …，
#: … 写道："), Somali, and English with the line wrapped or oddly spaced.
_WROTE = re.compile(r"^" + _QUOTE_PREFIX + r"[^\n]{0,300}(?:wrote|yazdı|viết|写道|寫道|qoray|qortay)\s*[:：]\s*$",
                    re.MULTILINE | re.IGNORECASE)
_HEADER_LABELS = (r"From|Sent|To|Subject|Date|Cc|Kimden|Gönderildi|Gönderen|Kime|Konu|Tarih|Bilgi|Từ|Đã gửi|Đến"
                  r"|Chủ đề|Ngày|发件人|发送时间|收件人|主题|抄送|日期|寄件者|收件者|主旨")
_HEADER_LINE = re.compile(r"^" + _QUOTE_PREFIX + r"\*?(?:" + _HEADER_LABELS + r")\*?\s*[:：]", re.IGNORECASE)
_SEPARATOR = re.compile(r"^" + _QUOTE_PREFIX + r"(?:-{3,}\s*[^-\n]{2,40}\s*-{3,}|_{20,})\s*$")
_SENT_FROM = re.compile(
    r"^(?:Sent from my |Sent from |Get Outlook for |iPhone['’]umdan gönderildi|iPad['’]imden gönderildi"
    r"|Android için Outlook|Được gửi từ|Gửi từ|发自我的|从我的.{0,20}发送|Laga soo diray).*$",
    re.IGNORECASE)


def new_text(text: str) -> str:
    """The part of a plain-text reply its writer wrote this time (may be empty)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub("[\ufeff\u200b\u200c\u200d\u2060]", "", text)
    text = _cut(text, _MARKER)
    text = _cut_wrote(text)
    text = _cut_header_block(text)
    text = _cut_separator(text)
    text = _library_reply(text)
    text = _without_quoted_lines(text)
    text = _without_signature(text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _cut(text: str, pattern: re.Pattern[str]) -> str:
    match = pattern.search(text)
    if match is None:
        return text
    before = text[:match.start()]
    if _written(before):
        return before
    # Nothing written above the quoted message: the reply is below or between its lines (bottom-posting).
    # Keep both sides without the matched line; the quoted lines go later.
    return before + text[match.end():]


def _cut_wrote(text: str) -> str:
    """Cut at the first "… wrote:" line that names a date or an address (the writer's own lines ending in
    "wrote:" do not). A mail client may wrap it, leaving the address on the line before: cut there then."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if not _WROTE.match(line):
            continue
        start = number
        if "@" not in line and number > 0 and "@" in lines[number - 1]:
            start = number - 1
        if not re.search(r"\d|@", "\n".join(lines[start:number + 1])):
            continue
        if _written("\n".join(lines[:start])):
            return "\n".join(lines[:start])
        return "\n".join(lines[:start] + lines[number + 1:])
    return text


def _written(text: str) -> bool:
    """Whether ``text`` has words of the writer's own: not quoted lines, not a "… wrote:" line."""
    return any(line.strip() and not line.lstrip().startswith(">") and not _WROTE.match(line)
               for line in text.split("\n"))


def _cut_header_block(text: str) -> str:
    """Cut where two header lines of a quoted message ("From:", "Sent:"…) follow one another."""
    lines = text.split("\n")
    for number in range(len(lines) - 1):
        if _HEADER_LINE.match(lines[number]) and _HEADER_LINE.match(lines[number + 1]):
            if _written("\n".join(lines[:number])):
                return "\n".join(lines[:number])
    return text


def _cut_separator(text: str) -> str:
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if _SEPARATOR.match(line) and _written("\n".join(lines[:number])):
            return "\n".join(lines[:number])
    return text


def _library_reply(text: str) -> str:
    message = EmailReplyParser(languages=LIBRARY_LANGUAGES).read(text)
    if not message.replies:
        return text
    first = message.replies[0]
    # The body with the client's header line taken off, signature kept (see the module's docstring).
    return first.full_body if first.full_body.strip() or len(message.replies) == 1 else text


def _without_quoted_lines(text: str) -> str:
    lines = text.split("\n")
    kept = [line for line in lines if not line.lstrip().startswith(">")]
    return "\n".join(kept)


def _without_signature(text: str) -> str:
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if line.strip() == "--" and number > 0:
            lines = lines[:number]
            break
    lines = [line for line in lines if not _SENT_FROM.match(line.strip())]
    return "\n".join(_without_sign_off(lines))


def _without_sign_off(lines: list[str]) -> list[str]:
    """Drop a closing ("Thanks, Sam", "Saygılarımla") and the few short lines after it (name, job title).

    Only a line that is nothing but the closing (and up to three words of a name) counts, so "Thanks, but the
    door is worse now" stays; and only near the end, so a closing mid-message is left alone.
    """
    filled = [number for number, line in enumerate(lines) if line.strip()]
    for number in filled[-6:]:
        if number == filled[0]:
            continue
        after = [lines[n].strip() for n in filled if n > number]
        if _SIGN_OFF.match(lines[number].strip()) and len(after) <= 5 and all(len(line) <= 80 for line in after):
            return lines[:number]
    return lines


_SIGN_OFF = re.compile(
    r"^(?:many thanks|thanks( again| very much)?|thank you( very much)?|cheers|best( wishes| regards)?"
    r"|kind regards|warm regards|regards|all the best|yours sincerely|sincerely|yours"
    r"|teşekkürler|teşekkür ederim|saygılarımla|iyi çalışmalar|selamlar|sevgiler"
    r"|cảm ơn|xin cảm ơn|trân trọng|thân mến|thân ái"
    r"|谢谢|谢谢您|此致|祝好|顺祝商祺|敬上"
    r"|mahadsanid|nabad gelyo)(?:\s*[,.!，。]*\s*|\s*[,，]\s*(?:\S+\s*){1,3})$",
    re.IGNORECASE)
