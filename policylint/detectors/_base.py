"""What the built-in detectors share: search the plain view, report on the original text."""

from __future__ import annotations

from collections.abc import Iterable

from policylint._model.struct import NamedTuple
from policylint.detectors import Detection

TYPE_CHECKING = False
if TYPE_CHECKING:
    from policylint._runtime.context import PostContext

__all__ = ["Found", "TextDetector", "plain_text"]


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

    def detect(self, ctx: PostContext) -> list[Detection]:
        plain = ctx.plain
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
