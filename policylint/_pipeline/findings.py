"""The scan stage: what the engine's rules report on a post, as findings people can act on.

The engine gives raw spans (a rule, a start, an end, perhaps a metadata field); a finding adds
where that is in the file (line and column, through the post's source location), the text
matched, and the rule's message and suggestion with their placeholders filled in
(``{match}``, ``{platform}``, a metric such as ``{length}``, ``{meta.NAME}``, a setting).
"""

from __future__ import annotations

import re

from policylint._model.posts import Post
from policylint._model.reports import Finding
from policylint._runtime.engine import Engine
from policylint._runtime.rules import CompiledRule, RawFinding, Rule
from policylint._runtime.state import EvalState, lookup_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["rule_findings", "scan"]

_PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def scan(engine: Engine, post: Post) -> list[Finding]:
    """Every finding of ``engine``'s rules on ``post``, sorted, without duplicates."""
    state = engine.state(post.text, post.platform, post.meta)
    return _made(post, state, engine.scan(state))


def rule_findings(engine: Engine, rule: Rule, post: Post) -> list[Finding]:
    """The findings of ``rule`` alone on ``post`` (a rule's own examples; whether a fix
    settles): no dispatch, which would only skip rules that cannot report anything."""
    state = engine.state(post.text, post.platform, post.meta)
    return _made(post, state, rule.evaluate(state))


def _made(post: Post, state: EvalState, raw: list[RawFinding]) -> list[Finding]:
    if not raw:
        return []
    maker = _FindingMaker(post, state)
    return sorted({maker.make(r) for r in raw}, key=Finding.sort_key)


class _FindingMaker:
    """Turns raw (rule, span) results into findings with file positions and messages."""

    def __init__(self, post: Post, state: EvalState) -> None:
        self.post = post
        self.state = state
        self._starts: list[int] | None = None
        #: The metadata item that decided the finding's rule (``{item.index}``), if any.
        self.witness: Any = None
        #: The named cues that held for the finding's rule (``{cues}``).
        self.cues: tuple[str, ...] = ()
        #: The label of the detection the finding is about (``{label}``), if any.
        self.label: str | None = None

    def position(self, offset: int, field: str | None) -> tuple[int, int]:
        from policylint._model.positions import line_starts, locate_in_source, position_of

        source = self.post.source
        if field is not None:
            return (source.line, source.column) if source else (1, 1)
        if self._starts is None:
            self._starts = line_starts(self.post.text)
        if source is None:
            return position_of(self.post.text, offset, starts=self._starts)
        return locate_in_source(source, self.post.text, offset, starts=self._starts)

    def make(self, raw: RawFinding) -> Finding:
        rule = raw.rule.info
        self.witness, self.cues, self.label = raw.item, raw.cues, raw.label
        if raw.field is None:
            text = self.post.text
        else:
            field_state = self.state.field_state(raw.field)
            text = field_state.text if field_state is not None else ""
        matched = text[raw.start : raw.end]
        line, column = self.position(raw.start, raw.field)
        end_line, end_column = self.position(raw.end, raw.field)
        source = self.post.source
        return Finding(
            rule=rule.id,
            category=rule.category,
            severity=rule.severity,
            message=self.render(rule.message, raw.rule, matched),
            owner=rule.owner,
            reference=rule.reference,
            reference_url=rule.reference_url,
            path=source.path if source else None,
            post=self.post.id,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            start=raw.start,
            end=raw.end,
            match=matched,
            field=raw.field,
            suggestion=self.suggestion(raw.rule, matched),
        )

    def suggestion(self, rule: CompiledRule, matched: str) -> str | None:
        """The rule's suggestion for this match (a template, as messages are)."""
        if rule.info.suggestion is None:
            return None
        return self.render(rule.info.suggestion, rule, matched)

    def render(self, template: str, rule: CompiledRule, matched: str) -> str:
        if "{" not in template and "}" not in template:
            return template

        def substitute(found: re.Match[str]) -> str:
            token = found.group(0)
            if token in ("{{", "}}"):
                return token[0]
            name = found.group(1)
            return _format_value(self.value(rule, name, matched))

        return _PLACEHOLDER_RE.sub(substitute, template)

    def value(self, rule: CompiledRule, name: str, matched: str) -> Any:
        if name == "match":
            return matched
        if name == "rule":
            return rule.info.id
        if name == "platform":
            return self.post.platform or "any platform"
        if name == "camelcase":
            from policylint._text.camelcase import camel_case
            from policylint._text.wordsplit import languages_for

            return camel_case(matched, languages_for(self.post.meta))
        if name == "suggestion":
            return self.suggestion(rule, matched) or ""
        if name in ("owner", "category"):
            return getattr(rule.info, name) or ""
        if name.startswith("meta."):
            return lookup_path(self.post.meta, name.removeprefix("meta."))
        if name.startswith("item."):
            return _item_value(self.witness, name.removeprefix("item."))
        if name == "cues":
            return ", ".join(dict.fromkeys(self.cues))
        if name == "label":
            return self.label or ""
        if name in self.state.ctx.settings:
            return self.state.ctx.settings[name]
        return self.state.ctx.metric(name)


def _item_value(witness: Any, name: str) -> Any:
    """``{item.index}`` (from 0, as in ``meta.media[0]``), ``{item.number}`` (from 1) or a
    field of the item that decided the rule's quantifier; None (shown empty) without one."""
    if witness is None:
        return None
    if name == "index":
        return witness.position
    if name == "number":
        return witness.position + 1
    return lookup_path(witness.item, name)


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else f"{value:.2f}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None:
        return ""
    return str(value)
