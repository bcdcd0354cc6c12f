"""E-mail addresses, written plainly or obfuscated.

Found: ``raj@hotmail.com``, ``raj (at) hotmail (dot) com``, ``anna [at] example [dot] org``,
``first{dot}last[@]mail[.]co[.]uk`` and the fully spelled-out ``name at domain dot com``.

Kept precise:

* a plain address needs a TLD of 2-24 letters that is not a file extension
  (``logo@2x.png`` is an image name, not an address);
* an obfuscated address with a spelled-out `` at `` must spell out the dots too
  (``tickets at ticketmaster.com`` is prose), its TLD must be a known one, and its name part
  must not be an everyday word (``look at this dot com bubble``, ``find us at acme dot com``);
* a spelled-out `` dot `` also needs a known TLD.

Plain addresses are found first and always reported: an obfuscated reading that would cut one
short ("her at emily.rose" in "contact her at emily.rose.t@icloud.com") is dropped, and a
rejected obfuscated candidate does not hide the address after it ("me at chris dot lee" is
prose, "chris dot lee at protonmail dot com" an address).

The value is the address rebuilt and lower-cased (``raj@hotmail.com``), so an allow-list
entry in any of these forms matches the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from policylint.detectors.base import Detector, Found, TextDetector

__all__ = ["DETECTOR", "EmailDetector"]

_AT_BRACKETED = r"\s*[(\[{<]\s*(?:at|@)\s*[)\]}>]\s*"
_AT_WORD = r"\s+at\s+"
_DOT_BRACKETED = r"\s*[(\[{<]\s*(?:dot|\.)\s*[)\]}>]\s*"
_DOT_WORD = r"\s+dot\s+"
_DOT = rf"(?:\.|{_DOT_BRACKETED}|{_DOT_WORD})"
# What must surround a spelled-out or bracketed "at" (see _AT_BRACKETED and _AT_WORD).
_AT_CUE = re.compile(r"[\s(\[{<]at[\s)\]}>]", re.IGNORECASE)
_NAME_PART = r"[\w%+\-]+"
# What an "@" between a name and a domain looks like: after the name's last character, or
# inside brackets (see _PATTERN).
_AT_SIGN = re.compile(r"[\w%+\-]@|[(\[{<]\s*@")
_LABEL = r"[^\W_]+(?:-+[^\W_]+)*"
_PATTERN = (
    rf"(?<![\w.%+\-@])(?P<name>{_NAME_PART}(?:{_DOT}{_NAME_PART})*)"
    rf"(?P<at>@|{_AT_BRACKETED}|{_AT_WORD})"
    rf"(?P<domain>{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[^\W\d_]{{2,24}})(?![\w\-])"
)
# An address written plainly: a real "@" and real dots only.
_PLAIN_PATTERN = (
    rf"(?<![\w.%+\-@]){_NAME_PART}(?:\.{_NAME_PART})*"
    rf"@{_LABEL}(?:\.{_LABEL})*\.(?P<tld>[^\W\d_]{{2,24}})(?![\w\-])"
)

# Extensions that end file names written like addresses ("icon@2x.png", "cv@final.pdf").
_FILE_EXTENSIONS_TEXT = (
    "png jpg jpeg gif webp svg bmp tif tiff heic ico pdf doc docx xls xlsx ppt pptx odt csv "
    "txt rtf zip rar gz tgz mp3 mp4 mov avi mkv wav webm html htm xml json yaml yml js ts py "
    "css exe dmg apk"
)
_FILE_EXTENSIONS = frozenset(_FILE_EXTENSIONS_TEXT.split())
# Words that come before " at " in prose far more often than an address's name does.
_PROSE_WORDS_TEXT = (
    "i me you he him she her it we us they them one this that these those who what here there "
    "is are was were be been am and or but so now then look looked looking see seen work works "
    "worked working find found visit shop shopping buy order available live online more out up "
    "go get read check join meet stay arrive arrived arriving home office start started job "
    "jobs everything anything something nothing all everyone anyone someone hello hi hey "
    "thanks deals sale sold prices discount free lunch dinner coffee tonight today tomorrow "
    "yesterday time least most best first last once people tickets"
)
_PROSE_WORDS = frozenset(_PROSE_WORDS_TEXT.split())


@cache
def _regex() -> re.Pattern[str]:
    return re.compile(_PATTERN, re.IGNORECASE)


@cache
def _plain_regex() -> re.Pattern[str]:
    return re.compile(_PLAIN_PATTERN, re.IGNORECASE)


@cache
def _separator() -> re.Pattern[str]:
    return re.compile(
        rf"(?P<at>{_AT_BRACKETED}|{_AT_WORD})|(?P<dot>{_DOT_BRACKETED}|{_DOT_WORD})",
        re.IGNORECASE,
    )


def _rebuild(text: str) -> str:
    """``raj (at) hotmail [dot] com`` -> ``raj@hotmail.com``."""
    return _separator().sub(lambda m: "@" if m.group("at") else ".", text).lower()


def could_hold_address(text: str) -> bool:
    """Whether ``text`` has an at and a dot (".", or "dot") as every address does: an "@"
    right after a name's character or inside brackets, or "at" spelled out or bracketed.
    Most posts do not (an @mention's "@" follows a space), and skip both regexes; this is
    also the detector's precheck (``policylint._runtime.prechecks``)."""
    if "." not in text and "dot" not in text.lower():
        return False
    if "@" in text and _AT_SIGN.search(text) is not None:
        return True
    return _AT_CUE.search(text) is not None


class EmailDetector(TextDetector):
    name = "email"
    description = (
        "E-mail addresses, including obfuscated ones such as 'name (at) domain (dot) com'."
    )

    def find(self, text: str) -> Iterator[Found]:
        if not could_hold_address(text):
            return iter(())
        found = [
            Found(m.start(), m.end(), m.group(0).lower())
            for m in _plain_regex().finditer(text)
            if m.group("tld").lower() not in _FILE_EXTENSIONS
        ]
        pattern = _regex()
        position = 0
        while (m := pattern.search(text, position)) is not None:
            address = _rebuild(m.group(0))
            if address == m.group(0).lower() and m.group("at") == "@":
                position = m.end()  # a plain address: the first pass decided on it
                continue
            overlapped = [f for f in found if f.start < m.end() and m.start() < f.end]
            if not _obfuscated_ok(m, address) or any(
                f.start < m.start() or m.end() < f.end for f in overlapped
            ):
                # Rejected, or it would cut a plain address short: look again one character
                # on, so that the words it spanned can still start an address.
                position = m.start() + 1
                continue
            # It may extend a plain address ("raj@hotmail.co (dot) uk"): keep the longer one.
            found = [f for f in found if f not in overlapped]
            found.append(Found(m.start(), m.end(), address))
            position = m.end()
        found.sort()
        return iter(found)


def _obfuscated_ok(m: re.Match[str], address: str) -> bool:
    """Whether an obfuscated candidate is an address rather than prose."""
    from policylint._text.entities import KNOWN_TLDS

    tld = address.rsplit(".", 1)[1]
    spelled_at = m.group("at").strip().lower() == "at"
    spelled_dot = re.search(_DOT_WORD, m.group("domain"), re.IGNORECASE) is not None
    if spelled_at:
        last_word = re.split(r"\s+dot\s+|\.", m.group("name"), flags=re.IGNORECASE)[-1]
        if (
            m.group("domain").count(".")  # a real dot: prose ("tickets at ticketmaster.com")
            or not spelled_dot
            or last_word.lower() in _PROSE_WORDS
        ):
            return False
    return not ((spelled_at or spelled_dot) and tld not in KNOWN_TLDS)


DETECTOR: Detector = EmailDetector()
