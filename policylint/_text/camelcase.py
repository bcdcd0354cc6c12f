"""A run-together hashtag in CamelCase (``#coffeelover`` -> ``#CoffeeLover``): the fix that
``a11y.hashtag_case`` suggests through the ``{camelcase}`` placeholder.

Screen readers read a CamelCase hashtag word by word. The words are the likeliest split of
the hashtag's letters into words of the shipped frequency lists
(:func:`policylint._text.wordsplit.split_words`, the split ``detect(compound_hashtag)``
judges by), so ``#smallbusiness`` is Small+Business, not Smal+L+...
"""

from __future__ import annotations

from policylint._text.wordsplit import LANGUAGES, split_words

__all__ = ["camel_case"]


def camel_case(hashtag: str, langs: tuple[str, ...] = LANGUAGES) -> str:
    """``hashtag`` with each of its words capitalised, or unchanged when it does not split
    wholly into known words of ``langs`` (trailing digits stay as they are:
    ``#throwback2024``)."""
    body = hashtag.removeprefix("#")
    letters = body.rstrip("0123456789")
    split = split_words(letters, langs) if letters.isalpha() else None
    if not split:
        return hashtag
    camel = "".join(word[:1].upper() + word[1:].lower() for word in split)
    return hashtag[: len(hashtag) - len(body)] + camel + body[len(letters) :]
