"""Run a compiled policy over posts and turn raw matches into findings.

``Policy`` is the object ``policylint.load_policy`` returns: immutable once built, safe to
share between threads, and cheap to run per post (one automaton pass for all term lists,
detectors and metrics computed at most once per post and only when a rule asks).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType

from policylint.compiled import (
    CompiledRule,
    EvalState,
    RawFinding,
    RegexIndex,
    Route,
    RuleDispatch,
    index_regexes,
    lookup_path,
)
from policylint.context import PostContext
from policylint.records import ErrorData, FindingData, PostData, summarise
from policylint.severity import Severity
from policylint.struct import NamedTuple
from policylint.terms import TermIndex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint.models import Finding, InputError, Post, Report

__all__ = ["ExampleResult", "LoadSpec", "Policy", "RuleInfo"]

_PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


class LoadSpec(NamedTuple):
    """How a policy was loaded, so another process can load the same one."""

    source: str | None = None
    text: str | None = None
    settings: Mapping[str, Any] = MappingProxyType({})


class RuleInfo(NamedTuple):
    """A rule's metadata, as listed by ``policylint rules`` and ``explain``."""

    id: str
    category: str
    severity: Severity
    owner: str | None
    reference: str | None
    reference_url: str | None
    message: str
    description: str | None
    suggestion: str | None
    fix_safe: bool
    waivable: bool
    path: str
    line: int
    examples: tuple[tuple[str, str], ...]
    #: Each example's ``with`` values, parallel to ``examples``: (platform or None, meta).
    example_contexts: tuple[tuple[str | None, Mapping[str, Any]], ...] = ()


class ExampleResult(NamedTuple):
    """One ``example pass|fail`` of a rule, run by ``policylint test``."""

    rule: str
    expect: str
    text: str
    passed: bool
    found: tuple[str, ...]
    path: str
    line: int
    #: The example's ``with`` values: it ran as a post on this platform with this metadata.
    platform: str | None = None
    meta: Mapping[str, Any] = MappingProxyType({})


class Policy:
    """A loaded, compiled policy. Create it with ``policylint.load_policy``."""

    def __init__(
        self,
        name: str,
        description: str | None,
        rules: Sequence[CompiledRule],
        term_index: TermIndex,
        settings: Mapping[str, Any],
        files: Sequence[str] = (),
        regex_index: RegexIndex | None = None,
        routes: Sequence[Route] | None = None,
        *,
        regexes: RegexIndex | None = None,
    ) -> None:
        """``regex_index`` is a parent's, shared by a select()ed copy; ``regexes`` those of
        ``rules`` as the cache numbered them for ``routes`` (else numbered here)."""
        self.name = name
        self.description = description
        self._rules = tuple(rules)
        self._index = term_index
        # Copies made by select() share rule nodes, so they share the parent's index too.
        if regex_index is not None:
            self._regexes = regex_index
        elif regexes is not None and routes is not None:
            self._regexes = regexes
        else:
            self._regexes = index_regexes(self._rules)
        if routes is not None and not _fits(routes, len(self._rules), len(self._regexes)):
            routes = None  # not this policy's: worked out again from the nodes
            if self._regexes is regexes:
                self._regexes = index_regexes(self._rules)
        #: Each rule's dispatch route (compiled.route), aligned with the rules.
        self._routes = tuple(routes) if routes is not None else None
        self._dispatch: RuleDispatch | None = RuleDispatch(self._rules, self._routes)
        if regex_index is None:
            # Only the regexes rules are dispatched by are matched on every post (a select()ed
            # copy shares its parent's index, split by the parent's wider set of rules).
            self._regexes.set_eager(self._dispatch.regex_triggers)
        self.settings: Mapping[str, Any] = dict(settings)
        self.files = tuple(files)
        self.load_spec = LoadSpec()
        #: Rule ids kept by select() (None: all), so a reloaded copy can select the same.
        self.selection: tuple[str, ...] | None = None

    # ------------------------------------------------------------------ introspection
    @property
    def rules(self) -> list[RuleInfo]:
        return [_info(rule) for rule in self._rules]

    def rule(self, rule_id: str) -> RuleInfo | None:
        for rule in self._rules:
            if rule.id == rule_id:
                return _info(rule)
        return None

    def select(
        self,
        select: Iterable[str] = (),
        ignore: Iterable[str] = (),
        severities: Mapping[str, Severity] | None = None,
    ) -> Policy:
        """A copy keeping rules whose id or category matches ``select`` (all if empty), minus
        ``ignore``; patterns are globs (``tone.*``) or categories (``privacy``)."""
        select, ignore = list(select), list(ignore)
        kept = [
            position
            for position, rule in enumerate(self._rules)
            if (not select or _matches_any(rule, select))
            and not (ignore and _matches_any(rule, ignore))
        ]
        chosen = [self._rules[position] for position in kept]
        known = self._routes
        routes = [known[position] for position in kept] if known is not None else None
        if severities:
            chosen = [
                r.replace(severity=severities[r.id]) if r.id in severities else r for r in chosen
            ]
        copy = Policy(
            self.name,
            self.description,
            chosen,
            self._index,
            self.settings,
            self.files,
            self._regexes,
            routes,
        )
        copy.load_spec = self.load_spec
        copy.selection = tuple(r.id for r in chosen)
        return copy

    # ------------------------------------------------------------------ checking
    def scan(self, post: PostData | Post) -> list[FindingData]:
        """Findings for one post as light records (the command line's hot path).

        ``post`` is anything with ``text``, ``platform``, ``meta``, ``id`` and ``source``.
        """
        return self._findings(post, self._rules)

    def findings(self, post: Post | PostData) -> list[Finding]:
        """Every finding for one post, sorted and without duplicates."""
        from policylint.models import Finding

        return [Finding.from_data(f) for f in self._findings(post, self._rules)]

    def check(
        self,
        post: Post | PostData | str,
        *,
        platform: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> Report:
        """Check one post (a ``Post`` or plain text) and return a ``Report``."""
        if isinstance(post, str):
            post = PostData(text=post, platform=platform, meta=dict(meta or {}))
        elif platform is not None or meta is not None:
            post = PostData(
                text=post.text,
                id=post.id,
                platform=post.platform if platform is None else platform,
                meta={**post.meta, **(meta or {})},
                source=post.source,  # type: ignore[arg-type]
            )
        return self.check_many([post])

    def check_many(
        self,
        posts: Iterable[Post | PostData | str],
        *,
        errors: Iterable[InputError | ErrorData] = (),
        jobs: int | None = 1,
    ) -> Report:
        """Check many posts; ``errors`` are input errors to carry into the report.

        ``jobs`` > 1 (or None: every core) checks in worker processes, in input order; a
        post that fails to check becomes an error entry instead of stopping the run.
        """
        from policylint.models import Report

        found: list[FindingData] = []
        error_data = [ErrorData(e.path, e.message, e.line, e.column) for e in errors]
        checked = 0
        if jobs == 1:
            for post in posts:
                if isinstance(post, str):
                    post = PostData(text=post)
                found.extend(self._findings(post, self._rules))
                checked += 1
        else:
            from policylint.parallel import scan_many

            for item in scan_many(self, posts, jobs=jobs):
                if item.error is not None:
                    error_data.append(item.error)
                else:
                    found.extend(item.findings)
                    checked += 1
        return Report.from_data(summarise(found, error_data, checked))

    def iter_findings(
        self, posts: Iterable[Post | PostData]
    ) -> Iterator[tuple[Post | PostData, list[Finding]]]:
        """Stream (post, findings) pairs without holding all posts or findings."""
        for post in posts:
            yield post, self.findings(post)

    def _findings(self, post: Any, rules: Sequence[CompiledRule]) -> list[FindingData]:
        ctx = PostContext(post.text, post.platform, post.meta, self.settings)
        state = EvalState(ctx, self._index, None, self._regexes)
        raw: list[RawFinding] = []
        dispatch = self._dispatch
        if dispatch is not None and rules is self._rules:
            for position in dispatch.candidates(state):
                raw.extend(rules[position].evaluate(state))
        else:
            for rule in rules:
                raw.extend(rule.evaluate(state))
        if not raw:
            return []
        maker = _FindingMaker(post, state)
        made = {maker.make(r) for r in raw}
        return sorted(made, key=FindingData.sort_key)

    # ------------------------------------------------------------------ examples
    def run_examples(self) -> list[ExampleResult]:
        """Run every rule's ``example pass|fail`` against that rule alone."""
        results = []
        for rule in self._rules:
            for example in rule.examples:
                post = PostData(
                    text=example.text, platform=example.platform, meta=dict(example.meta)
                )
                found = self._findings(post, [rule])
                passed = bool(found) if example.expect == "fail" else not found
                results.append(
                    ExampleResult(
                        rule=rule.id,
                        expect=example.expect,
                        text=example.text,
                        passed=passed,
                        found=tuple(f.match or f.message for f in found),
                        path=rule.path,
                        line=example.line,
                        platform=example.platform,
                        meta=example.meta,
                    )
                )
        return results


def _fits(routes: Sequence[Route], rules: int, regexes: int) -> bool:
    """Whether cached routes can be this policy's: one per rule, regex ids in its index."""
    if len(routes) != rules:
        return False
    return all(
        needed is None or all(0 <= regex < regexes for regex in needed.regexes)
        for needed, _ in routes
    )


def _matches_any(rule: CompiledRule, patterns: Sequence[str]) -> bool:
    for pattern in patterns:
        if pattern in (rule.id, rule.category) or fnmatch.fnmatchcase(rule.id, pattern):
            return True
        if rule.id.startswith(pattern + "."):
            return True
    return False


def _info(rule: CompiledRule) -> RuleInfo:
    return RuleInfo(
        id=rule.id,
        category=rule.category,
        severity=rule.severity,
        owner=rule.owner,
        reference=rule.reference,
        reference_url=rule.reference_url,
        message=rule.message,
        description=rule.description,
        suggestion=rule.suggestion,
        fix_safe=rule.fix_safe,
        waivable=rule.waivable,
        path=rule.path,
        line=rule.line,
        examples=tuple((e.expect, e.text) for e in rule.examples),
        example_contexts=tuple((e.platform, e.meta) for e in rule.examples),
    )


class _FindingMaker:
    """Turns raw (rule, span) results into ``Finding`` models with file positions."""

    def __init__(self, post: Any, state: EvalState) -> None:
        self.post = post
        self.state = state
        self._starts: list[int] | None = None

    def position(self, offset: int, field: str | None) -> tuple[int, int]:
        from policylint.sources.positions import line_starts, locate_in_source, position_of

        source = self.post.source
        if field is not None:
            return (source.line, source.column) if source else (1, 1)
        if self._starts is None:
            self._starts = line_starts(self.post.text)
        if source is None:
            return position_of(self.post.text, offset, starts=self._starts)
        return locate_in_source(source, self.post.text, offset, starts=self._starts)

    def make(self, raw: RawFinding) -> FindingData:
        rule = raw.rule
        if raw.field is None:
            text = self.post.text
        else:
            field_state = self.state.field_state(raw.field)
            text = field_state.text if field_state is not None else ""
        matched = text[raw.start : raw.end]
        line, column = self.position(raw.start, raw.field)
        end_line, end_column = self.position(raw.end, raw.field)
        source = self.post.source
        return FindingData(
            rule=rule.id,
            category=rule.category,
            severity=rule.severity,
            message=self.message(rule, matched),
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
            suggestion=rule.suggestion,
        )

    def message(self, rule: CompiledRule, matched: str) -> str:
        if "{" not in rule.message and "}" not in rule.message:
            return rule.message

        def substitute(found: re.Match[str]) -> str:
            token = found.group(0)
            if token in ("{{", "}}"):
                return token[0]
            name = found.group(1)
            return _format_value(self.value(rule, name, matched))

        return _PLACEHOLDER_RE.sub(substitute, rule.message)

    def value(self, rule: CompiledRule, name: str, matched: str) -> Any:
        if name == "match":
            return matched
        if name == "rule":
            return rule.id
        if name == "platform":
            return self.post.platform or "any platform"
        if name in ("suggestion", "owner", "category"):
            return getattr(rule, name) or ""
        if name.startswith("meta."):
            return lookup_path(self.post.meta, name.removeprefix("meta."))
        if name in self.state.ctx.settings:
            return self.state.ctx.settings[name]
        return self.state.ctx.metric(name)


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else f"{value:.2f}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None:
        return ""
    return str(value)
