"""A run-together hashtag in CamelCase (``#coffeelover`` -> ``#CoffeeLover``): the fix that
``a11y.hashtag_case`` suggests through the ``{camelcase}`` placeholder.

Screen readers read a CamelCase hashtag word by word. The words come from the list the rule's
pattern is written from (``rules/data/hashtag_words.txt``), read on first use: a hashtag is
split into the fewest of them, so ``#smallbusiness`` is Small+Business, not Smal+L+...
"""

from __future__ import annotations

from functools import cache

__all__ = ["camel_case"]


@cache
def _words() -> frozenset[str]:
    from policylint._resources import rules_dir

    text = (rules_dir() / "data" / "hashtag_words.txt").read_text(encoding="utf-8")
    # one word a line, and the short function words together on the last line
    return frozenset(word for line in text.splitlines() if line[:1] != "#" for word in line.split())


def camel_case(hashtag: str) -> str:
    """``hashtag`` with each of its words capitalised, or unchanged when it does not split
    wholly into known words (trailing digits stay as they are: ``#throwback2024``)."""
    body = hashtag.removeprefix("#")
    letters = body.rstrip("0123456789")
    split = _split(letters.casefold()) if len(letters) == len(letters.casefold()) else None
    if not split:
        return hashtag
    camel = "".join(word.capitalize() for word in split)
    return hashtag[: len(hashtag) - len(body)] + camel + body[len(letters) :]


def _split(text: str) -> list[str] | None:
    """``text`` as the fewest known words, or None."""
    words = _words()
    longest = max(map(len, words), default=0)
    # fewest[i]: the fewest words making text[:i], with the start of the last one
    fewest: list[tuple[int, int] | None] = [(0, 0)] + [None] * len(text)
    for end in range(1, len(text) + 1):
        for start in range(max(0, end - longest), end):
            before = fewest[start]
            if before is None or text[start:end] not in words:
                continue
            if fewest[end] is None or before[0] + 1 < fewest[end][0]:  # type: ignore[index]
                fewest[end] = (before[0] + 1, start)
    if fewest[-1] is None:
        return None
    split: list[str] = []
    end = len(text)
    while end:
        step = fewest[end]
        assert step is not None
        split.append(text[step[1] : end])
        end = step[1]
    return split[::-1]
