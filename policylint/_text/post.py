"""A post's text as detectors and metrics read it: each view computed on first use, once.

:class:`PostViews` is the narrow view of a post that detectors (``detect(phone)``) and
metrics (``length``) are written against: the text, its platform and metadata, the
normalised views and the entities. The engine's per-post context
(:class:`policylint._runtime.context.PostContext`) extends it with what only rules need
(settings, the detections and metrics computed so far), so a detector never depends on the
engine that calls it.
"""

from __future__ import annotations

from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint._text.entities import Span
    from policylint._text.views import NormalisedText

__all__ = ["PostEntities", "PostViews"]


class PostViews:
    """A post being checked, with lazily computed, cached views of its text."""

    __slots__ = ("_entities", "_folded", "_language", "_plain", "meta", "platform", "text")

    def __init__(
        self, text: str, platform: str | None = None, meta: Mapping[str, Any] | None = None
    ) -> None:
        self.text = text
        self.platform = platform
        self.meta: Mapping[str, Any] = meta or {}
        self._folded: NormalisedText | None = None
        self._plain: NormalisedText | None = None
        self._entities: PostEntities | None = None
        self._language: str | None = None

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
    def language(self) -> str:
        """The post's language (``when lang == "en"``): ``meta.lang``, else a guess from its
        function words, "und" when it cannot be told (:mod:`policylint._text.language`)."""
        if self._language is None:
            from policylint._text.language import post_language

            self._language = post_language(self.text, self.meta.get("lang"))
        return self._language

    @property
    def entities(self) -> PostEntities:
        """Hashtags, mentions, links and emoji, as spans of the original text (each kind
        found on first use)."""
        if self._entities is None:
            self._entities = PostEntities(self)
        return self._entities


class PostEntities:
    """A post's entities (the fields of :class:`policylint._text.entities.Entities`), each
    kind found when a rule first asks for it: a policy that only counts capitals needs the
    links and mentions, not the emoji.

    They are found on the plain view, so a zero-width character cannot cut a hashtag short
    ("#sp\u200bon"), then mapped back to the original text.
    """

    __slots__ = ("_emoji", "_hashtags", "_links", "_mentions", "_plain_link_spans", "_post")

    def __init__(self, post: PostViews) -> None:
        self._post = post
        self._plain_link_spans: list[Span] | None = None
        self._links: tuple[Span, ...] | None = None
        self._mentions: tuple[Span, ...] | None = None
        self._hashtags: tuple[Span, ...] | None = None
        self._emoji: tuple[Span, ...] | None = None

    def _original(self, spans: list[Span]) -> tuple[Span, ...]:
        plain = self._post.plain
        if plain.text == self._post.text:
            return tuple(spans)
        to_original = plain.to_original
        return tuple(to_original(start, end) for start, end in spans)

    def _plain_links(self) -> list[Span]:
        if self._plain_link_spans is None:
            from policylint._text.entities import link_spans

            self._plain_link_spans = link_spans(self._post.plain.text)
        return self._plain_link_spans

    @property
    def links(self) -> tuple[Span, ...]:
        if self._links is None:
            self._links = self._original(self._plain_links())
        return self._links

    @property
    def mentions(self) -> tuple[Span, ...]:
        if self._mentions is None:
            from policylint._model.posts import normalise_platform
            from policylint._text.entities import mentions_outside_links, unicode_handles

            plain = self._post.plain.text
            unicode = unicode_handles(normalise_platform(self._post.platform))
            found = mentions_outside_links(plain, self._plain_links, unicode)
            self._mentions = self._original(found)
        return self._mentions

    @property
    def hashtags(self) -> tuple[Span, ...]:
        if self._hashtags is None:
            from policylint._text.entities import hashtags_outside_links

            plain = self._post.plain.text
            self._hashtags = self._original(hashtags_outside_links(plain, self._plain_links))
        return self._hashtags

    @property
    def emoji(self) -> tuple[Span, ...]:
        if self._emoji is None:
            from policylint._text.entities import emoji_outside_typography

            self._emoji = self._original(emoji_outside_typography(self._post.plain.text))
        return self._emoji
