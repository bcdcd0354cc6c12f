"""Where the sentences of a post start: the unit of ``within N sentences`` and of
``in first N sentences``.

A sentence ends at a run of ``.``, ``!``, ``?``, ``…`` or their full-width forms (closing
quotes and brackets stay with it) followed by white space, and at every line break: posts
put one thought per line without a full stop as often as with one. A dot does not end a
sentence after an initial or a common abbreviation ("Dr. Okafor", "J. Smith", "e.g. this"),
nor before a digit ("No. 5"): the sentence a rule ties a person to an attribute in must not
be cut at the person's title.
"""

from __future__ import annotations

import re

__all__ = ["sentence_starts"]

_END_RE = re.compile(r"([.!?…。！？]+)[\"'”’»)\]]*\s+|\n\s*")
# Words after which a single dot is an abbreviation's, in the six languages the packs cover.
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "mx", "dr", "prof", "st", "sr", "sra", "srta", "jr", "vs", "approx",
    "co", "inc", "ltd", "corp", "dept", "hr", "fr", "mme", "mlle", "pr", "sig", "dott", "ca",
    "bzw", "e.g", "i.e", "z.b", "u.a", "ggf", "evtl", "ref", "fig", "tel",
})  # fmt: skip
_WORD_BEFORE_RE = re.compile(r"([\w.]+)$")


def sentence_starts(text: str) -> list[int]:
    """The offset of each sentence's first character in ``text`` (``[0]`` at least)."""
    starts = [0]
    for end in _END_RE.finditer(text):
        after = end.end()
        if after >= len(text):
            break
        if end.group(1) == "." and _abbreviated(text, end.start(), after):
            continue
        if after > starts[-1]:
            starts.append(after)
    return starts


def _abbreviated(text: str, dot: int, after: int) -> bool:
    """Whether the single dot at ``dot`` closes an abbreviation or an initial rather than a
    sentence."""
    if text[after].isdigit():
        return True  # "No. 5", "approx. 3"
    before = _WORD_BEFORE_RE.search(text, max(0, dot - 12), dot)
    if before is None:
        return False
    word = before.group(1).casefold()
    return (len(word) == 1 and word.isalpha()) or word in _ABBREVIATIONS
