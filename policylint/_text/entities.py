"""Hashtags, mentions, links and emoji of a post, as spans of its original text.

The rules follow twitter-text's extraction (the reference the big platforms' own counters
agree with) in spirit, written from its documented behaviour and its conformance fixtures:

* a **hashtag** is ``#`` (or its full-width form) followed by letters, marks, decimal
  digits, ``_`` and a few joiners used inside words (ZWJ/ZWNJ, the middle dot, Hebrew geresh,
  the Japanese wave dash...), with at least one letter or mark; it must not follow a letter,
  digit or ``&`` (``AT&#T``), and must not run into another ``#`` or ``://``;
* a **mention** is ``@`` (or its full-width form) and 1-50 ASCII letters, digits or ``_`` (X
  allows 15, other platforms longer handles); it must not follow a letter, digit or one of
  ``_!#$%&*@``, except for the retweet prefix (``RT@user``), and must not be followed by
  ``@``, an accented Latin letter or ``://`` (so ``@user@example.com`` is not one). Where
  handles may hold any letter (``unicode_handles``: Facebook and LinkedIn tag pages by their
  names, YouTube handles take 75 languages' letters), a mention is ``@`` and 1-50 letters,
  digits or ``_`` of any script (``@Dulcería``, ``@Café_Olé``), with the same rules around
  it; :func:`unicode_handles` says where;
* a **link** is a URL with an ``http(s)://`` scheme, or a bare domain with a known top-level
  domain (``example.com/path``, ``www.foo.co.uk``, ``t.co/x``). Trailing punctuation is left
  out, parentheses are kept only when balanced (``wiki/Primer_(film)``);
* an **emoji** is one emoji grapheme: a flag, a keycap, a tag sequence (🏴 of England) or a
  pictograph with its presentation selector, skin tone and ZWJ-joined parts.

Hashtags and mentions inside a link (``example.com/#about``) are not reported.
Everything here is plain ``re`` and ``unicodedata``: importing this module is cheap, and the
one large pattern (the link pattern with its TLD list) is compiled on first use.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache, partial

from policylint._model.struct import NamedTuple

TYPE_CHECKING = False

__all__ = [
    "KNOWN_TLDS",
    "Entities",
    "emoji_spans",
    "extract_entities",
    "hashtag_spans",
    "link_spans",
    "mention_spans",
    "unicode_handles",
]

Span = tuple[int, int]


def _lazy(pattern: str) -> Callable[[], re.Pattern[str]]:
    """A regex compiled on first use: importing this module compiles nothing."""
    return cache(partial(re.compile, pattern))


class Entities(NamedTuple):
    """Spans ``(start, end)`` of a post's entities in its original text, in text order."""

    hashtags: tuple[Span, ...] = ()  # including the '#'
    mentions: tuple[Span, ...] = ()  # including the '@'
    links: tuple[Span, ...] = ()  # URLs, with or without a scheme
    emoji: tuple[Span, ...] = ()  # one span per emoji grapheme


def extract_entities(text: str) -> Entities:
    """Find the hashtags, mentions, links and emoji of ``text``."""
    links = link_spans(text)
    return Entities(
        hashtags=tuple(_outside(hashtag_spans(text), links)),
        mentions=tuple(_outside(mention_spans(text), links)),
        links=tuple(links),
        emoji=tuple(emoji_outside_typography(text)),
    )


# One kind at a time, for callers that need only some (policylint._runtime.context finds each
# kind on first use). ``links`` is called only when there is a candidate to test against links.
def hashtags_outside_links(text: str, links: Callable[[], list[Span]]) -> list[Span]:
    """The hashtags of ``text`` that are not part of a link."""
    found = hashtag_spans(text)
    return _outside(found, links()) if found else found


def mentions_outside_links(
    text: str, links: Callable[[], list[Span]], unicode: bool = False
) -> list[Span]:
    """The @-mentions of ``text`` that are not part of a link (handles of any letters if
    ``unicode``)."""
    found = mention_spans(text, unicode)
    return _outside(found, links()) if found else found


def emoji_outside_typography(text: str) -> list[Span]:
    """The emoji of ``text``, without ©, ® and ™ standing alone (typography)."""
    return [span for span in emoji_spans(text) if text[span[0] : span[1]] not in _TYPOGRAPHIC]


def _outside(spans: list[Span], links: list[Span]) -> list[Span]:
    if not links:
        return spans
    return [s for s in spans if not any(s[0] < end and start < s[1] for start, end in links)]


# --------------------------------------------------------------------------------------------
# Emoji
# --------------------------------------------------------------------------------------------
# Code points that are emoji on their own (Unicode emoji-data, Emoji=Yes, without the ASCII
# keycap bases). The supplementary planes are taken by block, so emoji added after this list
# was written (and the few non-emoji pictographs there) still count as one grapheme each.
_PICTOGRAPH = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf"
    "\u23e9-\u23f3\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u2604\u260e"
    "\u2611\u2614\u2615\u2618\u261d\u2620\u2622\u2623\u2626\u262a\u262e\u262f\u2638-\u263a"
    "\u2640\u2642\u2648-\u2653\u265f\u2660\u2663\u2665\u2666\u2668\u267b\u267e\u267f"
    "\u2692-\u2697\u2699\u269b\u269c\u26a0\u26a1\u26a7\u26aa\u26ab\u26b0\u26b1\u26bd\u26be"
    "\u26c4\u26c5\u26c8\u26ce\u26cf\u26d1\u26d3\u26d4\u26e9\u26ea\u26f0-\u26f5\u26f7-\u26fa"
    "\u26fd\u2702\u2705\u2708-\u270d\u270f\u2712\u2714\u2716\u271d\u2721\u2728\u2733\u2734"
    "\u2744\u2747\u274c\u274e\u2753-\u2755\u2757\u2763\u2764\u2795-\u2797\u27a1\u27b0\u27bf"
    "\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299"
    "\U0001f004\U0001f0cf\U0001f170\U0001f171\U0001f17e\U0001f17f\U0001f18e"
    "\U0001f191-\U0001f19a\U0001f201\U0001f202\U0001f21a\U0001f22f\U0001f232-\U0001f23a"
    "\U0001f250\U0001f251\U0001f300-\U0001f64f\U0001f680-\U0001f6ff\U0001f7e0-\U0001f7ff"
    "\U0001f90c-\U0001f9ff\U0001fa70-\U0001faff"
)
# A pictograph followed by U+FE0E asks for its plain-text form: not an emoji.
_ELEMENT = f"[{_PICTOGRAPH}](?!\ufe0e)\ufe0f?[\U0001f3fb-\U0001f3ff]?\ufe0f?"
_EMOJI_RE = _lazy(
    "[0-9#*]\ufe0f?\u20e3"  # keycap
    "|[\U0001f1e6-\U0001f1ff]{2}"  # flag: a pair of regional indicators
    "|\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"  # flag of a subdivision (tag sequence)
    f"|{_ELEMENT}(?:\u200d{_ELEMENT})*"  # pictograph, skin tone, ZWJ sequence
)
# Symbols that are emoji by the Unicode data but, standing alone in a post, are typography.
_TYPOGRAPHIC = frozenset({"\u00a9", "\u00ae", "\u2122"})


def emoji_spans(text: str) -> list[Span]:
    """Every emoji grapheme of ``text`` (©, ® and ™ included: X counts them as emoji)."""
    if text.isascii():
        return []  # every emoji has a code point above ASCII (a keycap needs U+20E3)
    return [m.span() for m in _EMOJI_RE().finditer(text)]


# --------------------------------------------------------------------------------------------
# Hashtags
# --------------------------------------------------------------------------------------------
_HASH_RE = _lazy("[#\uff03]")
# Characters that are not letters, marks or digits but still belong inside a hashtag.
_HASHTAG_JOINERS = frozenset(
    "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7"
)


def _hashtag_char(ch: str) -> bool:
    if ch in _HASHTAG_JOINERS:
        return True
    category = unicodedata.category(ch)
    return category[0] in "LM" or category == "Nd"


def hashtag_spans(text: str) -> list[Span]:
    """Hashtags of ``text``, links not excluded (see :func:`extract_entities`)."""
    spans: list[Span] = []
    n = len(text)
    for m in _HASH_RE().finditer(text):
        start = m.start()
        if start:
            before = text[start - 1]
            if before == "&" or (before not in "\ufe0e\ufe0f" and _hashtag_char(before)):
                continue
        end = start + 1
        has_letter = False
        while end < n and _hashtag_char(text[end]):
            if not has_letter and unicodedata.category(text[end])[0] in "LM":
                has_letter = True
            end += 1
        if not has_letter:
            continue
        if end < n and (text[end] in "#\uff03" or text.startswith("://", end)):
            continue
        spans.append((start, end))
    return spans


# --------------------------------------------------------------------------------------------
# Mentions
# --------------------------------------------------------------------------------------------
MAX_HANDLE_LENGTH = 50
_MENTION_RE = _lazy("[@\uff20]([A-Za-z0-9_]+)")
_NOT_BEFORE_MENTION = _lazy("[A-Za-z0-9_!#$%&*@\uff20\u00c0-\u024f]")
_RETWEET_PREFIX = _lazy("(?:^|[^A-Za-z0-9_+~.\\-])[Rr][Tt]:?$")
_NOT_AFTER_MENTION = _lazy("[@\uff20\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]|://")
# The same where handles take letters of any script: a letter is part of the handle.
_UNICODE_MENTION_RE = _lazy(r"[@\uff20](\w+)")
_NOT_BEFORE_UNICODE_MENTION = _lazy("[\\w!#$%&*@\uff20]")
_NOT_AFTER_UNICODE_MENTION = _lazy("[@\uff20]|://")

#: Platforms whose handles are ASCII letters, digits, ``_`` (and ``.``): on them a letter
#: such as "í" after ``@Dulcer`` makes the word no mention (twitter-text's rule). X, Instagram,
#: Threads, TikTok, Pinterest and Mastodon usernames are ASCII, Bluesky handles are domain
#: names. Elsewhere, and when the platform is not known, handles take any letter.
ASCII_HANDLE_PLATFORMS = frozenset(
    {"x", "instagram", "threads", "tiktok", "pinterest", "mastodon", "bluesky"}
)


def unicode_handles(platform: str | None) -> bool:
    """Whether mentions on ``platform`` (canonical name, None: unknown) may hold any
    letter (``@Dulcería``)."""
    return platform not in ASCII_HANDLE_PLATFORMS


def mention_spans(text: str, unicode: bool = False) -> list[Span]:
    """@-mentions of ``text``, links not excluded (see :func:`extract_entities`); with
    ``unicode``, handles of letters and digits of any script."""
    if unicode:
        found, before, after = (
            _UNICODE_MENTION_RE(),
            _NOT_BEFORE_UNICODE_MENTION(),
            _NOT_AFTER_UNICODE_MENTION(),
        )
    else:
        found, before, after = _MENTION_RE(), _NOT_BEFORE_MENTION(), _NOT_AFTER_MENTION()
    spans: list[Span] = []
    for m in found.finditer(text):
        start, end = m.span()
        if end - start - 1 > MAX_HANDLE_LENGTH:
            continue
        if (
            start
            and before.match(text, start - 1)
            and not _RETWEET_PREFIX().search(text, max(0, start - 4), start)
        ):
            continue
        if after.match(text, end):
            continue
        spans.append((start, end))
    return spans


# --------------------------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------------------------
# A compact list of top-level domains (IANA root zone database): every country code, the
# original generic ones, the newer generic ones common in links that are not also everyday
# words ("lose.today" is a typo far more often than a link), and the internationalised country
# codes. A link with a scheme and an ASCII TLD missing here is still found (see
# ``_host_end``); a bare domain needs a TLD from this list. X's counter knows every TLD: see
# ``policylint._text.platforms``.
_CCTLDS = (
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo bq "
    "br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm "
    "do dz ec ee eg eh er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr "
    "gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km "
    "kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp "
    "mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl "
    "pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st "
    "su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve "
    "vg vi vn vu wf ws ye yt za zm zw"
)
_GTLDS = (
    "com net org edu gov mil int arpa info biz name pro aero asia cat coop jobs mobi museum post "
    "tel travel xxx academy agency ai app audio auto bank beer bike bio blog book boutique build "
    "business buzz cafe camera camp capital care careers cars casa center chat church city click "
    "clinic cloud club coach codes coffee college community company computer consulting contact "
    "coupons credit cricket cymru dance data dating delivery dental design dev digital directory "
    "domains download earth eco education email energy engineering enterprises equipment estate "
    "eus events exchange expert family farm fashion film finance financial fitness flowers foo "
    "food football foundation fund furniture gal gallery garden gifts global gmbh golf graphics "
    "group guide guru health hiphop hockey holdings holiday homes hospital host hosting hotel icu "
    "inc industries institute insure international investments irish jetzt kaufen kiwi law lawyer "
    "legal lgbt limited llc loan london ltd luxury management market marketing media meme miami "
    "mobile moda money movie music network news nexus ngo ninja nyc online ooo paris partners "
    "photo photography photos pics pizza productions properties property pub quebec radio realty "
    "recipes rentals repair report restaurant review reviews salon school science scot services "
    "sexy shop shopping site ski soccer social software solar solutions space sport store studio "
    "support swiss systems tax taxi tech technology tennis theater tickets tokyo tools tours toys "
    "training university uno vacations vegas ventures video vip vision voyage wales webcam "
    "website wedding wiki wtf xyz yoga"
)
_IDN_TLDS = (  # the Cyrillic, Greek... look-alikes of Latin letters below are meant
    "한국 香港 澳門 新加坡 台灣 台湾 中國 中国 გე ລາວ ไทย ලංකා ഭാരതം ಭಾರತ భారత్ சிங்கப்பூர் "
    "இலங்கை இந்தியா ଭାରତ ભારત ਭਾਰਤ ভাৰত ভারত বাংলা भारोत भारतम् भारत ڀارت پاکستان موريتانيا "
    "مليسيا مصر قطر فلسطين عمان عراق سورية سودان تونس بھارت بارت ایران امارات المغرب السعودية "
    "الجزائر البحرين الاردن հայ қаз укр срб рф мон мкд ею бел бг ευ ελ "
    "みんな コム 公司 网络 在线 网址 中文网 онлайн сайт орг дети рус"
)
KNOWN_TLDS: frozenset[str] = frozenset((_CCTLDS + " " + _GTLDS + " " + _IDN_TLDS).split())

_MAX_LABEL_LENGTH = 63  # RFC 1035, counted on the punycode (xn--) form
_MAX_TCO_SLUG = 40

_ASCII_PUNCT = "!-/:-@\\[-`{-~"
_SPACES = "\\s\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_LATIN = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_CYRILLIC = "\u0400-\u04ff"
# After a scheme, a host name may hold any character that is not ASCII punctuation, a space,
# an invalid character or a directional mark ("http://ああ.com"); a bare domain is ASCII and
# accented Latin, with an internationalised TLD allowed at its end ("twitter.みんな").
_HOST_CHAR = f"[^{_ASCII_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
_SCHEME_LABEL = f"{_HOST_CHAR}+(?:[-_]+{_HOST_CHAR}+)*"
_BARE_LABEL = f"[a-zA-Z0-9{_LATIN}]+(?:-+[a-zA-Z0-9{_LATIN}]+)*"
_FOREIGN_LABEL = f"[^\\x00-\\x7f{_LATIN}{_SPACES}{_INVALID}{_DIRECTIONAL}]+"
_LINK_RE = _lazy(
    f"(?<![a-zA-Z0-9@\uff20$#\uff03{_INVALID}])(?P<scheme>[hH][tT][tT][pP][sS]?://)"
    f"(?P<host>{_SCHEME_LABEL}(?:\\.{_SCHEME_LABEL})+)"
    f"|(?<![a-zA-Z0-9@\uff20$#\uff03\\-_./{_LATIN}{_INVALID}])"
    f"(?P<bare>{_BARE_LABEL}(?:\\.{_BARE_LABEL})*\\.(?:{_BARE_LABEL}|{_FOREIGN_LABEL}))",
)
_LABEL_AFTER_DOT = _lazy(f"\\.[^{_ASCII_PUNCT}{_SPACES}]")
_PATH_CHARS = f"[a-zA-Z0-9{_LATIN}{_CYRILLIC}!*';:=+,.$/%#\\[\\]\\-\u2013_~&|@()]"
_QUERY_CHARS = "[a-zA-Z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@]"
_REST_RE = _lazy(f"(?::[0-9]+)?(?P<path>/{_PATH_CHARS}*)?(?P<query>\\?{_QUERY_CHARS}*)?")
_PATH_END = frozenset("=_#/-+")
_QUERY_END = frozenset("-_&=#/")
_ASCII_RUN_RE = _lazy("[a-zA-Z]*")
_NOT_AFTER_TLD_RE = _lazy("[a-zA-Z0-9@+\\-]")
_TCO_SLUG_RE = _lazy("/([a-zA-Z0-9]*)")
_PATH_END_CHAR_RE = _lazy(f"[a-zA-Z0-9{_LATIN}{_CYRILLIC}]")
_QUERY_END_CHAR_RE = _lazy("[a-zA-Z0-9]")
_MAX_LENIENT_TLD = 24
_MAX_IDN_TLD = 24  # longest internationalised TLD to try at the start of a label


def link_spans(
    text: str,
    tlds: frozenset[str] = KNOWN_TLDS,
    *,
    any_tld_after_scheme: bool = True,
    sentence_guard: bool = True,
) -> list[Span]:
    """URLs of ``text`` (with or without a scheme), in text order.

    ``tlds`` are the top-level domains a link may end in. With ``any_tld_after_scheme`` a
    link with a scheme may also end in any other ASCII TLD of 2-24 letters. With
    ``sentence_guard`` a bare domain without a path whose TLD is capitalised like a word
    ("great.So", "lose.You") is taken for two sentences missing a space, not a link; X's
    counter has neither rule, so :func:`policylint._text.platforms.weighted_length_x` turns
    both off.
    """
    if "." not in text or not _LABEL_AFTER_DOT().search(text):
        return []  # every link has a dot followed by a host label (not a space or punctuation)
    spans: list[Span] = []
    for m in _LINK_RE().finditer(text):
        if spans and m.start() < spans[-1][1]:
            continue  # inside the query of the previous link ("?next=https://t.co/x")
        span = _accept(m, text, tlds, any_tld_after_scheme, sentence_guard)
        if span is not None:
            spans.append(span)
    return spans


def _accept(
    m: re.Match[str],
    text: str,
    tlds: frozenset[str],
    any_tld_after_scheme: bool,
    sentence_guard: bool,
) -> Span | None:
    """Validate a candidate link and trim what cannot end it; ``None`` if it is no link."""
    scheme = m.group("scheme") is not None
    host_start, candidate_end = m.span("host" if scheme else "bare")
    labels = text[host_start:candidate_end].split(".")
    host_end = _host_end(text, host_start, labels, tlds, scheme and any_tld_after_scheme)
    if host_end < 0:
        return None
    host = text[host_start:host_end]
    if not all(_valid_label(label) for label in host.split(".")):
        return None
    start = m.start()
    rest = _REST_RE().match(text, host_end)
    assert rest is not None  # every part of it is optional
    path_start = rest.start("path")
    if sentence_guard and not scheme and rest.end() == host_end and _looks_like_sentences(host):
        return None
    slug = _TCO_SLUG_RE().match(text, path_start) if path_start >= 0 else None
    if scheme and slug and slug.group(1) and host.lower() == "t.co":
        # A t.co link is a slug of letters and digits and nothing more (the rest is text).
        if len(slug.group(1)) > _MAX_TCO_SLUG:
            return None
        end = slug.end()
        if rest.group("query") and rest.start("query") == end:
            return (start, _trim_query(text, end, rest.end("query")) or end)
        return (start, end)
    end = rest.end()
    if rest.group("query"):
        trimmed = _trim_query(text, rest.start("query"), rest.end("query"))
        if trimmed:
            return (start, trimmed)
        end = rest.start("query")
    if path_start >= 0:
        end = _trim_path(text, path_start, min(end, rest.end("path")))
    return (start, end)


def _looks_like_sentences(host: str) -> bool:
    """A capitalised word after a dot ("lose.You") rather than a lower- or upper-case TLD."""
    labels = host.split(".")
    tld = labels[-1]
    return (
        len(labels) == 2
        and tld[:1].isupper()
        and tld[1:].islower()
        and tld.lower() not in _CLASSIC_TLDS
        and labels[0].lower() != "www"
    )


_CLASSIC_TLDS = frozenset({"com", "net", "org", "edu", "gov"})


def _host_end(
    text: str, host_start: int, labels: list[str], tlds: frozenset[str], any_tld: bool
) -> int:
    """Where the host name ends: after the right-most label that starts with a known TLD.

    The TLD must not run on into an ASCII letter, digit, '@', '+' or '-' ("foo.comm",
    "john.doe.gov@mail.com"), and the label before it may not hold an underscore. A URL with
    a scheme whose ASCII TLD is unknown still counts when the TLD is plausible (2-24 letters
    ending the host): new generic TLDs keep coming.
    """
    offsets = [host_start]
    for label in labels[:-1]:
        offsets.append(offsets[-1] + len(label) + 1)
    for i in range(len(labels) - 1, 0, -1):
        if "_" in labels[i - 1]:
            continue
        tld_end = _tld_end(text, offsets[i], labels[i], tlds)
        if tld_end >= 0:
            return tld_end
    if any_tld and "_" not in labels[-2]:
        last = labels[-1]
        end = offsets[-1] + len(last)
        if (
            last.isascii()
            and last.isalpha()
            and 2 <= len(last) <= _MAX_LENIENT_TLD
            and not _NOT_AFTER_TLD_RE().match(text, end)
            and not text.startswith("_", end)
        ):
            return end
    return -1


def _tld_end(text: str, start: int, label: str, tlds: frozenset[str]) -> int:
    """End of the known TLD that ``label`` (at ``start``) begins with, or -1."""
    run = _ASCII_RUN_RE().match(label)
    assert run is not None
    if run.end():
        candidates: tuple[int, ...] = (run.end(),)
    else:  # an internationalised TLD, possibly followed by more letters of the same script
        candidates = tuple(range(min(len(label), _MAX_IDN_TLD), 0, -1))
    for length in candidates:
        if label[:length].lower() in tlds and not _NOT_AFTER_TLD_RE().match(text, start + length):
            return start + length
    return -1


def _valid_label(label: str) -> bool:
    if not label:
        return False
    if label.isascii():
        return len(label) <= _MAX_LABEL_LENGTH
    if label[:4].lower() == "xn--":
        return False  # already punycode, so it must be ASCII
    try:
        encoded = label.encode("punycode")
    except UnicodeError:
        return False
    return len(encoded) + 4 <= _MAX_LABEL_LENGTH


def _trim_query(text: str, start: int, end: int) -> int:
    """End of the query ``text[start:end]`` without trailing punctuation; 0 if only '?' is left."""
    while end > start + 1:
        ch = text[end - 1]
        if ch in _QUERY_END or _QUERY_END_CHAR_RE().match(ch):
            return end
        end -= 1
    return 0


def _trim_path(text: str, start: int, end: int) -> int:
    """End of the path ``text[start:end]`` without trailing punctuation or unbalanced parens."""
    unclosed: list[int] = []
    for i in range(start, end):
        ch = text[i]
        if ch == "(":
            unclosed.append(i)
        elif ch == ")":
            if not unclosed:
                end = i
                break
            unclosed.pop()
    if unclosed:
        end = unclosed[0]
    while end > start:
        ch = text[end - 1]
        if ch in _PATH_END or ch == ")" or _PATH_END_CHAR_RE().match(ch):
            break
        end -= 1
    return end
