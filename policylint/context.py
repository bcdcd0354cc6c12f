"""Per-post state shared by every rule: the views of the text, its entities, metrics, detections.

Everything is computed on first use and at most once per post, so a policy whose guards never
ask for sentiment never pays for it, and ten rules calling ``detect(phone)`` run the phone
detector once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policylint.detectors import Detection
    from policylint.entities import Entities
    from policylint.text import NormalisedText

__all__ = ["PostContext"]


class PostContext:
    """A post being checked, with lazily computed, cached views of it."""

    __slots__ = (
        "_detections",
        "_entities",
        "_folded",
        "_metrics",
        "_plain",
        "meta",
        "platform",
        "settings",
        "text",
    )

    def __init__(
        self,
        text: str,
        platform: str | None = None,
        meta: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> None:
        self.text = text
        self.platform = platform
        self.meta: Mapping[str, Any] = meta or {}
        #: Resolved policy settings (organisation facts, thresholds), read by detectors.
        self.settings: Mapping[str, Any] = settings or {}
        self._folded: NormalisedText | None = None
        self._plain: NormalisedText | None = None
        self._entities: Entities | None = None
        self._metrics: dict[str, float] = {}
        self._detections: dict[str, list[Detection]] = {}

    @property
    def folded(self) -> NormalisedText:
        """The view term lists match on: case, accents, confusables and leetspeak folded."""
        if self._folded is None:
            from policylint.text import fold_for_matching

            self._folded = fold_for_matching(self.text)
        return self._folded

    @property
    def plain(self) -> NormalisedText:
        """The view regexes and detectors run on: NFKC, zero-width characters removed."""
        if self._plain is None:
            from policylint.text import plain_view

            self._plain = plain_view(self.text)
        return self._plain

    @property
    def entities(self) -> Entities:
        """Hashtags, mentions, links and emoji, as spans of the original text."""
        if self._entities is None:
            from policylint.entities import Entities, extract_entities

            # Found on the plain view, so a zero-width character cannot cut a hashtag short
            # ("#sp\u200bon"), then mapped back to the original text.
            plain = self.plain
            found = extract_entities(plain.text)
            if plain.text == self.text:
                self._entities = found
            else:
                to_original = plain.to_original
                self._entities = Entities(
                    hashtags=tuple(to_original(s, e) for s, e in found.hashtags),
                    mentions=tuple(to_original(s, e) for s, e in found.mentions),
                    links=tuple(to_original(s, e) for s, e in found.links),
                    emoji=tuple(to_original(s, e) for s, e in found.emoji),
                )
        return self._entities

    def metric(self, name: str) -> float:
        value = self._metrics.get(name)
        if value is None:
            from policylint.metrics import METRICS

            value = float(METRICS[name].compute(self))
            self._metrics[name] = value
        return value

    def detections(self, name: str) -> list[Detection]:
        found = self._detections.get(name)
        if found is None:
            from policylint.detectors import DETECTORS

            found = list(DETECTORS[name].detect(self))
            self._detections[name] = found
        return found
