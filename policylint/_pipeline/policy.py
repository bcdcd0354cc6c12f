"""Run a compiled policy over posts and turn raw matches into findings.

``Policy`` is the object ``policylint.load_policy`` returns: immutable once built, safe to
share between threads, and cheap to run per post (one automaton pass for all term lists,
detectors and metrics computed at most once per post and only when a rule asks).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType

from policylint._limits import MAX_POST_CHARS
from policylint._model.posts import InputError, Post
from policylint._model.reports import Finding, Report, has_error
from policylint._model.rules import ExampleResult, RuleExample, RuleInfo
from policylint._model.severity import Severity
from policylint._model.struct import NamedTuple
from policylint._pipeline.selection import SelectorError, check_selectors, matches
from policylint._runtime.context import PostContext
from policylint._runtime.dispatch import Route, RuleDispatch, index_regexes
from policylint._runtime.regexes import RegexIndex
from policylint._runtime.rules import CompiledRule, RawFinding
from policylint._runtime.state import EvalState, lookup_path
from policylint._runtime.terms import TermIndex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


__all__ = ["LoadSpec", "Policy"]

_PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


class LoadSpec(NamedTuple):
    """How a policy was loaded, so another process can load the same one."""

    source: str | None = None
    text: str | None = None
    settings: Mapping[str, Any] = MappingProxyType({})


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
        #: For each rule another supersedes, the ids of those that do (``supersedes``).
        self._superseded_by = _superseded_by(self._rules)
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
        ``ignore``; selectors are ids, globs (``tone.*``), prefixes (``tone``) or
        categories (``privacy``).

        Raises ``policylint.SelectorError`` when a selector names no rule of this policy
        (with a "did you mean") or when no rule is left: a misspelt selector must never
        turn the check off.
        """
        select, ignore = list(select), list(ignore)
        named = self.name and not self.name.startswith("<")  # "<policy>": text, no header
        here = f"policy '{self.name}'" if named else "the policy"
        check_selectors(select, self._rules, origin="select", policy=here)
        check_selectors(ignore, self._rules, origin="ignore", policy=here)
        kept = [
            position
            for position, rule in enumerate(self._rules)
            if (not select or _matches_any(rule, select))
            and not (ignore and _matches_any(rule, ignore))
        ]
        if not kept:
            raise SelectorError(
                f"select {select or 'everything'} minus ignore {ignore} leaves no rule of {here}"
            )
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
    def scan(self, post: Post) -> list[Finding]:
        """Findings for one post as light records (the command line's hot path).

        ``post`` is anything with ``text``, ``platform``, ``meta``, ``id`` and ``source``.
        """
        return self._findings(post, self._rules)

    def findings(
        self, post: Post | str, *, max_post_chars: int | None = MAX_POST_CHARS
    ) -> list[Finding]:
        """Every finding for one post, sorted and without duplicates. Raises ``TypeError``
        for what is not a post, ``ValueError`` for a post over ``max_post_chars``."""
        checked = _checkable(post, "Policy.findings()")
        if _too_long(checked, max_post_chars):
            raise ValueError(_too_long_message(checked, 0, max_post_chars))
        return self._findings(checked, self._rules)

    def check(
        self,
        post: Post | str,
        *,
        platform: str | None = None,
        meta: Mapping[str, Any] | None = None,
        max_post_chars: int | None = MAX_POST_CHARS,
    ) -> Report:
        """Check one post (a ``Post`` or plain text) and return a ``Report``; ``platform``
        and ``meta`` override the post's. A post over ``max_post_chars`` (None or 0: no
        limit) is an input error in the report, not checked. Raises ``TypeError`` for an
        argument of the wrong type."""
        checked = _checkable(post, "Policy.check()")
        if platform is not None and not isinstance(platform, str):
            raise TypeError(
                f"Policy.check(): platform must be a str or None, not {type(platform).__name__}"
            )
        if meta is not None and not isinstance(meta, Mapping):
            raise TypeError(
                "Policy.check(): meta must be a mapping (a dict) or None, "
                f"not {type(meta).__name__}"
            )
        if platform is not None or meta is not None:
            checked = Post(
                text=checked.text,
                id=checked.id,
                platform=checked.platform if platform is None else platform,
                meta={**checked.meta, **(meta or {})},
                source=checked.source,
            )
        return self.check_many([checked], max_post_chars=max_post_chars)

    def check_many(
        self,
        posts: Iterable[Post | str],
        *,
        errors: Iterable[InputError] = (),
        jobs: int | None = 1,
        max_post_chars: int | None = MAX_POST_CHARS,
    ) -> Report:
        """Check many posts; ``errors`` are input errors to carry into the report.

        ``jobs`` > 1 (or None: every core) checks in worker processes, in input order; a
        post that fails to check becomes an error entry instead of stopping the run. A post
        over ``max_post_chars`` (None or 0: no limit) becomes an error entry too. Raises
        ``TypeError`` for an item that is not a post.
        """
        if isinstance(posts, str | bytes) or not isinstance(posts, Iterable):
            raise TypeError(
                "Policy.check_many(): posts must be an iterable of Post objects or strings, "
                f"not {type(posts).__name__}"
            )
        found: list[Finding] = []
        error_data = [InputError(e.path, e.message, e.line, e.column) for e in errors]
        admitted = self._admitted(posts, max_post_chars, error_data)
        checked = with_errors = 0
        if jobs == 1:
            for post in admitted:
                findings = self._findings(post, self._rules)
                found.extend(findings)
                checked += 1
                with_errors += has_error(findings)
        else:
            from policylint._pipeline.parallel import scan_many

            for item in scan_many(self, admitted, jobs=jobs):
                if item.error is not None:
                    error_data.append(item.error)
                else:
                    found.extend(item.findings)
                    checked += 1
                    with_errors += has_error(item.findings)
        report = Report.counted(found, error_data, checked, posts_with_errors=with_errors)
        return report

    @staticmethod
    def _admitted(
        posts: Iterable[Any], max_post_chars: int | None, errors: list[InputError]
    ) -> Iterator[Any]:
        """The posts to check, each made checkable; those over ``max_post_chars`` go to
        ``errors`` instead (accounted for, never silently dropped)."""
        for index, item in enumerate(posts):
            post = _checkable(item, "Policy.check_many()")
            if _too_long(post, max_post_chars):
                errors.append(_too_long_error(post, index, max_post_chars))
            else:
                yield post

    def iter_findings(
        self, posts: Iterable[Post], *, max_post_chars: int | None = MAX_POST_CHARS
    ) -> Iterator[tuple[Post, list[Finding]]]:
        """Stream (post, findings) pairs without holding all posts or findings (raises as
        :meth:`findings` does)."""
        for post in posts:
            yield post, self.findings(post, max_post_chars=max_post_chars)

    def _findings(self, post: Any, rules: Sequence[CompiledRule]) -> list[Finding]:
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
        if self._superseded_by:
            raw = _without_restated(raw, self._superseded_by)
        maker = _FindingMaker(post, state)
        made = {maker.make(r) for r in raw}
        return sorted(made, key=Finding.sort_key)

    # ------------------------------------------------------------------ examples
    def run_examples(self) -> list[ExampleResult]:
        """Run every rule's ``example pass|fail`` against that rule alone."""
        results = []
        for rule in self._rules:
            for example in rule.examples:
                post = Post(text=example.text, platform=example.platform, meta=dict(example.meta))
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


def _superseded_by(rules: Sequence[CompiledRule]) -> dict[str, frozenset[str]]:
    """Rule id -> the ids of the rules of ``rules`` that supersede it."""
    found: dict[str, set[str]] = {}
    for rule in rules:
        for target in rule.supersedes:
            found.setdefault(target, set()).add(rule.id)
    return {target: frozenset(by) for target, by in found.items()}


def _without_restated(
    raw: list[RawFinding], superseded_by: Mapping[str, frozenset[str]]
) -> list[RawFinding]:
    """``raw`` less the findings a superseding rule restates: in the same field, one on an
    overlapping (or the same empty) span; a finding of the whole post (empty, at 0), any.
    A rule's own spans are disjoint (one finding per stretch of text), so each lookup is a
    binary search."""
    spans: dict[tuple[str, str | None], tuple[list[int], list[int]]] = {}
    reporting = {finding.rule.id for finding in raw}
    for finding in sorted(raw, key=lambda f: f.start):
        starts, ends = spans.setdefault((finding.rule.id, finding.field), ([], []))
        starts.append(finding.start)
        ends.append(finding.end)

    def restated(finding: RawFinding) -> bool:
        rivals = superseded_by.get(finding.rule.id, frozenset())
        if finding.field is None and finding.start == finding.end == 0:
            return not rivals.isdisjoint(reporting)  # the post as a whole
        for rival in rivals:
            found = spans.get((rival, finding.field))
            if found is None:
                continue
            starts, ends = found
            index = bisect.bisect_right(starts, finding.start)
            if index and (ends[index - 1] > finding.start or starts[index - 1] == finding.start):
                return True  # one starting at or before it reaches into it (or is the same)
            if index < len(starts) and starts[index] < finding.end:
                return True
        return False

    return [finding for finding in raw if not restated(finding)]


def _checkable(item: Any, caller: str) -> Any:
    """``item`` as the engine checks it: a str becomes a post; anything else must be a
    ``Post`` (or have its ``text``, ``platform``, ``meta``, ``id`` and ``source``)."""
    if isinstance(item, str):
        return Post(text=item)
    text = getattr(item, "text", None)
    if isinstance(text, str) and isinstance(getattr(item, "meta", None), Mapping):
        platform = getattr(item, "platform", None)
        if platform is None or isinstance(platform, str):
            return item
    if isinstance(item, bytes | bytearray):
        raise TypeError(f"{caller}: a post is text, not bytes: decode it first")
    raise TypeError(f"{caller}: expected a Post or a str, not {type(item).__name__}")


def _too_long(post: Any, limit: int | None) -> bool:
    return bool(limit) and len(post.text) > limit  # type: ignore[operator]


def _too_long_message(post: Any, index: int, limit: int | None) -> str:
    name = post.id if post.id is not None else f"#{index + 1}"
    return (
        f"post {name} is {len(post.text):,} characters; the limit is {limit:,} "
        "(max_post_chars): not checked"
    )


def _too_long_error(post: Any, index: int, limit: int | None) -> InputError:
    message = _too_long_message(post, index, limit)
    source = post.source
    if source is not None:
        return InputError(source.path, message, source.line, source.column)
    return InputError("<posts>", message)


def _fits(routes: Sequence[Route], rules: int, regexes: int) -> bool:
    """Whether cached routes can be this policy's: one per rule, regex ids in its index."""
    if len(routes) != rules:
        return False
    return all(
        needed is None or all(0 <= regex < regexes for regex in needed.regexes)
        for needed, _ in routes
    )


def _matches_any(rule: CompiledRule, patterns: Sequence[str]) -> bool:
    return any(matches(pattern, rule.id, rule.category) for pattern in patterns)


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
        examples=tuple(
            RuleExample(e.expect, e.text, e.platform, e.meta, e.line) for e in rule.examples
        ),
        supersedes=rule.supersedes,
    )


class _FindingMaker:
    """Turns raw (rule, span) results into ``Finding`` models with file positions."""

    def __init__(self, post: Any, state: EvalState) -> None:
        self.post = post
        self.state = state
        self._starts: list[int] | None = None

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
        return Finding(
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
            suggestion=self.suggestion(rule, matched),
        )

    def message(self, rule: CompiledRule, matched: str) -> str:
        return self.render(rule.message, rule, matched)

    def suggestion(self, rule: CompiledRule, matched: str) -> str | None:
        """The rule's suggestion for this match (a template, as messages are)."""
        if rule.suggestion is None:
            return None
        return self.render(rule.suggestion, rule, matched)

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
            return rule.id
        if name == "platform":
            return self.post.platform or "any platform"
        if name == "camelcase":
            from policylint._text.camelcase import camel_case

            return camel_case(matched)
        if name == "suggestion":
            return self.suggestion(rule, matched) or ""
        if name in ("owner", "category"):
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
