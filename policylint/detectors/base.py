"""What every detector is: the :class:`Detector` protocol, what it reports
(:class:`Detection`), and :class:`TextDetector`, the base of the built-in ones: search the plain
view, report on the original text.

A detector sees the post through :class:`~policylint._text.post.PostViews` (its text, the
normalised views, its entities and metadata), never the engine that runs it.
"""

from __future__ import annotations

from collections.abc import Iterable

from policylint._model.struct import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    from policylint._text.post import PostViews
else:
    Protocol = object  # a structural type: nothing to check at run time

__all__ = ["Detection", "Detector", "Found", "TextDetector", "plain_text"]


class Detection(NamedTuple):
    """One thing a detector found."""

    start: int  # span in post.text, the ORIGINAL text
    end: int
    value: str  # canonical value: E.164 for phones, lower-cased address for e-mails...
    label: str = ""  # sub-kind: 'visa', 'GB', 'us_ssn', 'private'...


class Detector(Protocol):
    """What a detector provides (a module-level ``DETECTOR`` object)."""

    name: str
    description: str

    def detect(self, post: PostViews) -> Iterable[Detection]:
        """Everything found in the post, in text order."""
        ...

    def canonical(self, text: str) -> str:
        """An allow-list entry in the canonical form of :attr:`Detection.value`."""
        ...


class Found(NamedTuple):
    """A finding in the text searched, before mapping back to the original."""

    start: int
    end: int
    value: str
    label: str = ""


def plain_text(text: str) -> str:
    """``text`` as detectors see it: the plain view (NFKC, invisible characters removed...)."""
    from policylint._text.views import plain_view

    return plain_view(text).text


class TextDetector:
    """A detector that needs only the text: subclasses implement :meth:`find`."""

    name: str = ""
    description: str = ""

    def find(self, text: str) -> Iterable[Found]:
        """Everything in ``text`` (already the plain view), in text order."""
        raise NotImplementedError

    def detect(self, post: PostViews) -> list[Detection]:
        plain = post.plain
        return [
            Detection(*plain.to_original(f.start, f.end), f.value, f.label)
            for f in self.find(plain.text)
        ]

    def canonical(self, text: str) -> str:
        for found in self.find(plain_text(text)):
            return found.value
        return self.fallback(text)

    def fallback(self, text: str) -> str:
        """Canonical form of an allow-list entry in which :meth:`find` finds nothing."""
        return " ".join(text.split()).lower()
