"""Per-post state shared by every rule: the views of the text, its entities, metrics, detections.

Everything is computed on first use and at most once per post, so a policy whose guards never
ask for sentiment never pays for it, and ten rules calling ``detect(phone)`` run the phone
detector once.
"""

from __future__ import annotations

from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint._text.entities import Span
    from policylint._text.views import NormalisedText
    from policylint.detectors import Detection

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
        self._entities: PostEntities | None = None
        self._metrics: dict[str, float] = {}
        self._detections: dict[str, list[Detection]] = {}

    @property
    def folded(self) -> NormalisedText:
        """The view term lists match on: case, accents, confusables and leetspeak folded."""
        if self._folded is None:
            from policylint._text.views import fold_for_matching

            self._folded = fold_for_matching(self.text)
        return self._folded

    @property
    def plain(self) -> NormalisedText:
        """The view regexes and detectors run on: NFKC, zero-width characters removed."""
        if self._plain is None:
            from policylint._text.views import plain_view

            self._plain = plain_view(self.text)
        return self._plain

    @property
    def entities(self) -> PostEntities:
        """Hashtags, mentions, links and emoji, as spans of the original text (each kind
        found on first use)."""
        if self._entities is None:
            self._entities = PostEntities(self)
        return self._entities

    def metric(self, name: str) -> float:
        value = self._metrics.get(name)
        if value is None:
            from policylint._runtime.metrics import METRICS

            value = float(METRICS[name].compute(self))
            self._metrics[name] = value
        return value

    def detections(self, name: str) -> list[Detection]:
        found = self._detections.get(name)
        if found is None:
            from policylint._runtime.prechecks import PRECHECKS
            from policylint.detectors import DETECTORS

            # A failed precheck means nothing to find: the detector's module is not even
            # imported (a rule dispatched by one of its other flags asks anyway).
            precheck = DETECTORS.precheck(name)
            if precheck is not None and not PRECHECKS[precheck](self):
                found = []
            else:
                found = list(DETECTORS[name].detect(self))
            self._detections[name] = found
        return found


class PostEntities:
    """A post's entities (the fields of :class:`policylint._text.entities.Entities`), each kind
    found when a rule first asks for it: a policy that only counts capitals needs the links
    and mentions, not the emoji.

    They are found on the plain view, so a zero-width character cannot cut a hashtag short
    ("#sp\u200bon"), then mapped back to the original text.
    """

    __slots__ = ("_ctx", "_emoji", "_hashtags", "_links", "_mentions", "_plain_link_spans")

    def __init__(self, ctx: PostContext) -> None:
        self._ctx = ctx
        self._plain_link_spans: list[Span] | None = None
        self._links: tuple[Span, ...] | None = None
        self._mentions: tuple[Span, ...] | None = None
        self._hashtags: tuple[Span, ...] | None = None
        self._emoji: tuple[Span, ...] | None = None

    def _original(self, spans: list[Span]) -> tuple[Span, ...]:
        plain = self._ctx.plain
        if plain.text == self._ctx.text:
            return tuple(spans)
        to_original = plain.to_original
        return tuple(to_original(start, end) for start, end in spans)

    def _plain_links(self) -> list[Span]:
        if self._plain_link_spans is None:
            from policylint._text.entities import link_spans

            self._plain_link_spans = link_spans(self._ctx.plain.text)
        return self._plain_link_spans

    @property
    def links(self) -> tuple[Span, ...]:
        if self._links is None:
            self._links = self._original(self._plain_links())
        return self._links

    @property
    def mentions(self) -> tuple[Span, ...]:
        if self._mentions is None:
            from policylint._text.entities import mentions_outside_links

            plain = self._ctx.plain.text
            self._mentions = self._original(mentions_outside_links(plain, self._plain_links))
        return self._mentions

    @property
    def hashtags(self) -> tuple[Span, ...]:
        if self._hashtags is None:
            from policylint._text.entities import hashtags_outside_links

            plain = self._ctx.plain.text
            self._hashtags = self._original(hashtags_outside_links(plain, self._plain_links))
        return self._hashtags

    @property
    def emoji(self) -> tuple[Span, ...]:
        if self._emoji is None:
            from policylint._text.entities import emoji_outside_typography

            self._emoji = self._original(emoji_outside_typography(self._ctx.plain.text))
        return self._emoji
