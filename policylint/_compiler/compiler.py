"""Compile a resolved policy into an executable one: a pure function, AST in, rules out.

This is where names meet their meaning: term-list references, settings, detectors, metrics,
regular expressions and message placeholders are checked, each mistake becoming a
diagnostic at the exact token. All literal terms of the policy go into one ``TermIndex``
(one automaton), so a post is scanned once for every rule; every regex into one
``RegexIndex``, and each rule gets its dispatch route. Nothing here reads or writes a file:
caching compiled policies (and what is learned of regexes) is :mod:`policylint._cache`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from policylint._compiler.facts import (
    constant,
    default_message,
    detectors_in,
    platform_literal,
    quantified,
    whole,
)
from policylint._compiler.placeholders import (
    BUILTIN_PLACEHOLDERS,
    locate_in_line,
    names_in,
)
from policylint._compiler.regexes import RegexChecker
from policylint._lang import ast
from policylint._lang.resolved import ResolvedPolicy, TermScope, sorted_diagnostics
from policylint._limits import MAX_TERMS
from policylint._model.diagnostics import Diagnostic
from policylint._model.errors import PolicyError
from policylint._model.rules import RuleExample, RuleInfo
from policylint._model.severity import Severity
from policylint._model.struct import NamedTuple
from policylint._runtime.conditions import (
    AndNode,
    AtLeastNode,
    CompareNode,
    ConditionNode,
    ContainsNode,
    Getter,
    MemberNode,
    NotNode,
    OrNode,
    QuantifierNode,
    TruthyNode,
)
from policylint._runtime.dispatch import index_regexes, route
from policylint._runtime.engine import ExecutablePolicy
from policylint._runtime.patterns import (
    AllNode,
    AllowException,
    AnyNode,
    ContextException,
    DetectNode,
    GuardedNode,
    InsideException,
    MaskedTermsNode,
    MatchException,
    MetaTermsNode,
    NearNode,
    PatternNode,
    ScopedNode,
    TermsNode,
)
from policylint._runtime.rules import CompiledRule
from policylint._runtime.terms import TermIndex
from policylint._text.views import fold_term

__all__ = ["Compiled", "compile_policy"]


class _Compiler:
    def __init__(self, resolved: ResolvedPolicy, known_regexes: Mapping[str, Any]) -> None:
        self.resolved = resolved
        self.settings = resolved.settings
        self.index = TermIndex()
        self.diagnostics: list[Diagnostic] = []
        self.path = ""
        self.scope: TermScope = TermScope({})
        from policylint._runtime.metrics import METRICS
        from policylint.detectors import DETECTORS

        self.detector_names = DETECTORS.names()
        self.metric_names = sorted(METRICS)
        self.suggest = resolved.suggest  # "did you mean", within the load's budget
        self.list_settings = [k for k, v in self.settings.items() if isinstance(v, list | str)]
        self.regexes = RegexChecker(self.error, known_regexes, self.warn)
        self.warnings: list[Diagnostic] = []
        # Term ids of each named list, by (file, name): a list used by many rules is
        # resolved once, not once per use.
        self.list_ids: dict[tuple[str, str], tuple[int, ...] | None] = {}
        #: The ``\0ref:`` terms resolved for a rule (the others: check_unused_refs).
        self.refs_checked: set[int] = set()
        #: Whether the policy holds MAX_TERMS terms: then no term is added any more.
        self.full = False
        #: How many quantifiers the condition being compiled is inside (``item.x`` is
        #: only meaningful inside one).
        self.quantifiers = 0
        #: Whether the rule being compiled has a `when` quantifier ({item.*} placeholders).
        self.witnessed = False

    # ------------------------------------------------------------------ diagnostics
    def warn(self, code: str, message: str, pos: ast.Pos, hint: str | None) -> None:
        if self.path.startswith("builtin:"):
            return  # the packs' own are policylint's to fix, not their users'
        found = pos.diagnostic(code, message, self.path, self.resolved.lines.get(self.path, ()))
        self.warnings.append(found._replace(hint=hint, severity="warning"))

    def line(self, pos: ast.Pos) -> str:
        """The text of line ``pos.line`` of the file being compiled ("" if unknown)."""
        lines = self.resolved.lines.get(self.path, ())
        return lines[pos.line - 1] if 0 < pos.line <= len(lines) else ""

    def error(self, code: str, message: str, pos: ast.Pos, hint: str | None = None) -> None:
        lines = self.resolved.lines.get(self.path, ())
        self.diagnostics.append(pos.diagnostic(code, message, self.path, lines, hint))

    # ------------------------------------------------------------------ terms
    def term_texts(self, node: ast.TermsLiteral | ast.TermsRef) -> list[str] | None:
        if isinstance(node, ast.TermsLiteral):
            return [t.text for t in node.terms]
        terms = self.scope.terms.get(node.name)
        if terms is not None:
            out: list[str] = []
            for term in terms:
                if term.text.startswith("\0ref:"):
                    ref = term.text.removeprefix("\0ref:")
                    self.refs_checked.add(id(term))
                    resolved = self.setting_terms(ref, term.pos)
                    if resolved is None:
                        return None
                    out.extend(resolved)
                else:
                    out.append(term.text)
            return out
        return self.setting_terms(node.name, node.pos)

    def term_ids(self, node: ast.TermsLiteral | ast.TermsRef) -> tuple[int, ...] | None:
        """The ids of a list's terms in the policy's index (None after an error)."""
        if isinstance(node, ast.TermsRef):
            key = (self.path, node.name)
            if key not in self.list_ids:
                texts = self.term_texts(node)
                self.list_ids[key] = None if texts is None else self.add_terms(texts)
            return self.list_ids[key]
        texts = self.term_texts(node)
        return None if texts is None else self.add_terms(texts)

    def add_terms(self, texts: list[str]) -> tuple[int, ...]:
        """Add terms to the policy's index; stops at the limit (compile_policy reports it)."""
        ids = set()
        for text in texts:
            if self.full:
                break
            ids.add(self.index.add(text))
            self.full = len(self.index) > MAX_TERMS
        return tuple(sorted(ids))

    def setting_terms(self, name: str, pos: ast.Pos) -> list[str] | None:
        if name.startswith("meta."):
            self.error(
                "PL216",
                f"'{name}' is the post's metadata: it can stand for a list in a pattern or "
                "'unless matches', not in a list definition or 'allow'",
                pos,
                hint=f"use it in a pattern (flag LIST or {name}) or as 'unless matches {name}'",
            )
            return None
        if name in self.settings:
            value = self.settings[name]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return [v for v in value if isinstance(v, str) and v.strip()]
            if isinstance(value, str):  # one term: organisation.name near ["scam"]
                return [value] if value.strip() else []
            self.error("PL214", f"setting '{name}' is not a string or a list of strings", pos)
            return None
        if not self.scope.complete or self.resolved.lost("terms", name):
            return None  # defined, perhaps, by what failed to load: already an error
        self.error(
            "PL201",
            f"unknown term list '{name}'",
            pos,
            hint=self.suggest(name, self.scope.terms.keys(), self.list_settings)
            or "define it with: terms NAME = [...]",
        )
        return None

    def check_unused_refs(self) -> None:
        """Resolve the references of the lists no rule uses: a misspelt name must not pass
        unnoticed because its list is not used yet."""
        for path, scope in self.resolved.scopes.items():
            self.path, self.scope = path, scope
            for term in scope.refs:
                if id(term) not in self.refs_checked:
                    self.setting_terms(term.text.removeprefix("\0ref:"), term.pos)

    # ------------------------------------------------------------------ patterns
    def masked_words(self, node: ast.TermsRef) -> tuple[str, ...]:
        """The words of a list whose masked spellings match too (``terms x = masked``)."""
        words: dict[str, None] = {}
        for term in self.scope.terms.get(node.name, ()):
            if not term.masked:
                continue
            texts = [term.text]
            if term.text.startswith("\0ref:"):  # a list setting: reported if unknown
                texts = self.setting_terms(term.text.removeprefix("\0ref:"), term.pos) or []
            for text in texts:
                word = fold_term(text)
                if len(word) >= 2 and word.isalpha():  # one word: see MaskedTermsNode
                    words[word] = None
        return tuple(words)

    def pattern(self, node: ast.Pattern) -> PatternNode | None:
        if isinstance(node, ast.TermsRef) and node.name.startswith("meta."):
            return MetaTermsNode(node.name.removeprefix("meta."))  # the post's own terms
        if isinstance(node, ast.TermsLiteral | ast.TermsRef):
            ids = self.term_ids(node)
            if ids is None:
                return None
            words = self.masked_words(node) if isinstance(node, ast.TermsRef) else ()
            if words:
                return AnyNode((TermsNode(ids), MaskedTermsNode(words)))
            return TermsNode(ids)
        if isinstance(node, ast.Regex):
            return self.regexes.node(node, self.line(node.pos))
        if isinstance(node, ast.Detect):
            if node.name not in self.detector_names:
                self.error(
                    "PL205",
                    f"unknown detector '{node.name}'",
                    node.pos,
                    hint=self.suggest(node.name, self.detector_names)
                    or "available: " + ", ".join(self.detector_names),
                )
                return None
            return DetectNode(node.name)
        if isinstance(node, ast.Scoped):
            inner = self.pattern(node.pattern)
            if inner is None:
                return None
            scope = node.scope
            item = scope.path.startswith("item.")
            if scope.kind == "field" and not (
                scope.path.startswith("meta.") or (item and self.quantifiers)
            ):
                self.error(
                    "PL216",
                    f"'in {scope.path}': a pattern can look in hashtags, mentions, links, "
                    "first/last N chars|words|lines, a meta.* field or, inside a "
                    "quantifier, an item.* field",
                    scope.pos,
                    hint=f"write: any meta.LIST where (contains (... in {scope.path}))"
                    if item
                    else f"did you mean 'meta.{scope.path}'?",
                )
                return None
            amount = self.amount(scope.amount)
            if amount is None:
                return None
            return ScopedNode(inner, scope.kind, amount, scope.unit, scope.path)
        if isinstance(node, ast.Near):
            left, right = self.pattern(node.left), self.pattern(node.right)
            distance = self.amount(node.distance)
            if left is None or right is None or distance is None:
                return None
            return NearNode(left, right, distance, node.unit, node.negated)
        if isinstance(node, ast.FollowedBy):
            left, right = self.pattern(node.left), self.pattern(node.right)
            distance = self.amount(node.distance)
            if left is None or right is None or distance is None:
                return None
            return NearNode(left, right, distance, node.unit, False, ordered=True)
        if isinstance(node, ast.Guarded):
            return self.guarded(node)
        if isinstance(node, ast.AnyOf | ast.AllOf):
            items = [self.pattern(item) for item in node.items]
            if any(item is None for item in items):
                return None
            kept = tuple(i for i in items if i is not None)
            return AnyNode(kept) if isinstance(node, ast.AnyOf) else AllNode(kept)
        raise AssertionError(f"unexpected pattern {node!r}")

    def amount(self, amount: ast.Amount) -> int | None:
        """A distance or a scope's size: the number written, or the whole number the
        setting it names holds (None after an error)."""
        if isinstance(amount, int):
            return amount
        name, pos = amount.path, amount.pos
        if name not in self.settings:
            if name.startswith("meta.") or not self.resolved.lost("setting", name):
                numbers = [k for k, v in self.settings.items() if whole(v) is not None]
                self.error(
                    "PL213",
                    f"unknown setting '{name}'",
                    pos,
                    hint=self.suggest(name, numbers)
                    or "a distance or a size is a number or a numeric setting",
                )
            return None
        value = whole(self.settings[name])
        if value is None:
            self.error(
                "PL214",
                f"setting '{name}' is {self.settings[name]!r}, not a whole number of 0 or more",
                pos,
                hint="a distance or a size is a count of words, chars or lines",
            )
        return value

    # ------------------------------------------------------------------ conditions
    def condition(self, node: ast.Condition) -> ConditionNode | None:
        if isinstance(node, ast.Compare):
            left, right = self.operand(node.left), self.operand(node.right)
            if left is None or right is None:
                return None
            if isinstance(node.left, ast.PlatformRef) and isinstance(node.right, ast.Literal_):
                right = constant(platform_literal(node.right.value))
            return CompareNode(left, node.op, right)
        if isinstance(node, ast.Member):
            operand = self.operand(node.operand)
            values: Getter | None
            if isinstance(node.values, ast.TermsLiteral):
                members: list[Any] = [t.text for t in node.values.terms]
                if isinstance(node.operand, ast.PlatformRef):
                    members = [platform_literal(m) for m in members]
                values = constant(members)
            else:
                values = self.operand(node.values)
            if operand is None or values is None:
                return None
            return MemberNode(operand, values, node.negated)
        if isinstance(node, ast.Contains):
            pattern = self.pattern(node.pattern)
            return ContainsNode(pattern) if pattern is not None else None
        if isinstance(node, ast.Truthy):
            getter = self.operand(ast.PathRef(node.path, node.pos))
            return TruthyNode(getter) if getter is not None else None
        if isinstance(node, ast.Not):
            inner = self.condition(node.item)
            return NotNode(inner) if inner is not None else None
        if isinstance(node, ast.Quantified):
            return self.quantified(node)
        items = [self.condition(i) for i in node.items]
        if any(i is None for i in items):
            return None
        kept = tuple(i for i in items if i is not None)
        if isinstance(node, ast.AtLeast):
            return AtLeastNode(node.count, kept)
        return AndNode(kept) if isinstance(node, ast.And) else OrNode(kept)

    def quantified(self, node: ast.Quantified) -> QuantifierNode | None:
        items = node.items
        if not items.path.startswith(("meta.", "item.")):
            self.error(
                "PL216",
                f"'{node.quantifier} {items.path}': a quantifier goes over a metadata list",
                items.pos,
                hint=f"did you mean 'meta.{items.path}'?",
            )
            return None
        getter = self.operand(items)
        self.quantifiers += 1
        try:
            condition = self.condition(node.condition)
        finally:
            self.quantifiers -= 1
        if getter is None or condition is None:
            return None
        return QuantifierNode(node.quantifier, getter, condition)

    def operand(self, node: ast.Operand) -> Getter | None:
        if isinstance(node, ast.Literal_):
            return constant(node.value)
        if isinstance(node, ast.PlatformRef):
            return Getter("platform")
        if isinstance(node, ast.MetricRef):
            if node.name == "lang":
                return Getter("lang")  # the post's language (a string, not a metric)
            if node.name not in self.metric_names:
                self.error(
                    "PL206",
                    f"unknown metric '{node.name}'",
                    node.pos,
                    hint=self.suggest(node.name, self.metric_names, ["lang"])
                    or "available: " + ", ".join([*self.metric_names, "lang"]),
                )
                return None
            return Getter("metric", node.name)
        path = node.path
        if path.startswith("meta."):
            return Getter("meta", path.removeprefix("meta."))
        if path.startswith("item."):
            if self.quantifiers:
                return Getter("item", path.removeprefix("item."))
            self.error(
                "PL216",
                f"'{path}' is a field of a list's item, read inside a quantifier",
                node.pos,
                hint=f"write: any meta.LIST where ({path} ...), or did you mean "
                f"'meta.{path.removeprefix('item.')}'?",
            )
            return None
        if path in self.settings:
            return constant(self.settings[path])
        if self.resolved.lost("setting", path):
            return None  # defined, perhaps, by what failed to load: already an error
        self.error(
            "PL213",
            f"unknown setting '{path}'",
            node.pos,
            hint=self.suggest(path, self.settings)
            or "post metadata is written meta.NAME; settings are declared with 'setting'",
        )
        return None

    # ------------------------------------------------------------------ exceptions
    def exception(
        self, node: ast.Exception_, detectors: set[str]
    ) -> MatchException | ConditionNode | None:
        if isinstance(node, ast.UnlessCondition):
            return self.condition(node.condition)
        if isinstance(node, ast.UnlessContext):
            pattern = self.pattern(node.pattern)
            distance = self.amount(node.distance)
            if pattern is None or distance is None:
                return None
            return ContextException(node.direction, pattern, distance, node.unit)
        if isinstance(node, ast.UnlessMatches):
            pattern = self.pattern(node.pattern)
            return InsideException(pattern) if pattern is not None else None
        texts = self.term_texts(node.values)
        if texts is None:
            return None
        from policylint.detectors import DETECTORS

        by_detector = {
            name: frozenset(DETECTORS[name].canonical(t) for t in texts)
            for name in detectors
            if name in self.detector_names  # an unknown one is already reported (PL205)
        }
        return AllowException(frozenset(fold_term(t) for t in texts), by_detector)

    def exceptions(
        self, nodes: Sequence[ast.Exception_], flags: Sequence[ast.Pattern]
    ) -> tuple[tuple[ConditionNode, ...], tuple[MatchException, ...]]:
        """The ``unless`` exceptions of the ``flags``: the conditions that excuse a whole
        post, and those that excuse one match (an ``allow`` compares the flags' detectors'
        canonical values)."""
        detectors = detectors_in(flags)
        post: list[ConditionNode] = []
        match: list[MatchException] = []
        for node in nodes:
            compiled = self.exception(node, detectors)
            if isinstance(compiled, ConditionNode):
                post.append(compiled)
            elif compiled is not None:
                match.append(compiled)
        return tuple(post), tuple(match)

    def guarded(self, node: ast.Guarded) -> GuardedNode | None:
        """A flag with its own ``when`` and ``unless`` (``flag P { when C unless E }``)."""
        inner = self.pattern(node.pattern)
        guards = [self.condition(c) for c in node.when]
        post, match = self.exceptions(node.unless, (node.pattern,))
        if inner is None or None in guards or len(post) + len(match) < len(node.unless):
            return None  # reported
        return GuardedNode(inner, tuple(g for g in guards if g is not None), post, match)

    # ------------------------------------------------------------------ rules
    def rule(self, node: ast.RuleNode, severity: str) -> CompiledRule | None:
        self.path = node.path
        self.scope = self.resolved.scopes.get(node.path, TermScope({}))
        before = len(self.diagnostics)
        if not node.flags and not node.requires and not node.when:
            self.error(
                "PL210",
                f"rule '{node.id}' has no 'flag', 'require' or 'when', so it can never fire",
                node.pos,
                hint="add 'flag PATTERN' (report each match) or 'require PATTERN' (report "
                "when absent) or a 'when' condition",
            )
        guards = [self.condition(g) for g in node.when]
        flags = [self.pattern(p) for p in node.flags]
        requires = [self.pattern(p) for p in node.requires]
        post_exceptions, match_exceptions = self.exceptions(node.unless, node.flags)
        message = node.message or default_message(node)
        self.witnessed = any(quantified(g) for g in node.when)
        placeholders = self.placeholders(message, node.message_pos or node.pos)
        if node.suggest is not None:
            # a suggestion is a template too ("{camelcase}"), but cannot name itself
            for name in self.placeholders(node.suggest, node.pos, "suggestion"):
                if name not in placeholders:
                    placeholders += (name,)
        if len(self.diagnostics) > before:
            return None
        info = RuleInfo(
            id=node.id,
            category=node.category or node.id.split(".")[0],
            severity=Severity(severity),
            owner=node.owner,
            reference=node.reference,
            reference_url=node.reference_url,
            message=message,
            description=node.description,
            suggestion=node.suggest,
            fix_safe=node.fix_safe,
            waivable=node.waivable,
            path=node.path,
            line=node.pos.line,
            examples=tuple(
                RuleExample(e.expect, e.text, e.platform, e.meta, e.pos.line) for e in node.examples
            ),
            supersedes=tuple(dict.fromkeys(ref.rule for ref in node.supersedes)),
        )
        return CompiledRule(
            info,
            guards=tuple(g for g in guards if g is not None),
            post_exceptions=post_exceptions,
            flags=tuple(f for f in flags if f is not None),
            match_exceptions=match_exceptions,
            requires=tuple(r for r in requires if r is not None),
            placeholders=placeholders,
        )

    def placeholders(self, message: str, pos: ast.Pos, where: str = "message") -> tuple[str, ...]:
        names: list[str] = []
        builtin = [p for p in BUILTIN_PLACEHOLDERS if p != where]  # never itself
        for name in names_in(message):
            if name in builtin:
                continue
            if name in self.metric_names or name in self.settings or name.startswith("meta."):
                names.append(name)
                continue
            if name.startswith("item.") and self.witnessed:
                names.append(name)  # the item that decided the rule's `when` quantifier
                continue
            self.error(
                "PL215",
                f"unknown placeholder '{{{name}}}' in {where}",
                locate_in_line(self.resolved.lines.get(self.path, ()), pos, "{" + name + "}"),
                hint=self.suggest(name, builtin, self.metric_names, self.settings)
                or "placeholders: {match}, {rule}, {platform}, a metric such as {length}, "
                "{meta.NAME} or a setting",
            )
        return tuple(names)


class Compiled(NamedTuple):
    """What a compile made: the executable policy, and the regex facts it learned (for
    patterns the ``known_regexes`` it was given lacked)."""

    policy: ExecutablePolicy
    learned_regexes: dict[str, Any]


def compile_policy(
    resolved: ResolvedPolicy, known_regexes: Mapping[str, Any] | None = None
) -> Compiled:
    """Compile every rule of a resolved policy; raises ``PolicyError`` on any mistake.

    ``known_regexes``: what earlier compiles learned of regexes (see
    :mod:`policylint._compiler.regexes`); patterns found there are not validated again.
    """
    compiler = _Compiler(resolved, known_regexes or {})
    rules = []
    for node in resolved.rules:
        compiled = compiler.rule(node, resolved.severities[node.id])
        if compiled is not None:
            rules.append(compiled)
        if compiler.full:
            compiler.path = node.path
            compiler.error(
                "PL218",
                f"a policy holds at most {MAX_TERMS:,} distinct terms; rule "
                f"'{node.id}' goes past that",
                node.pos,
                hint="use a regular expression or a detector for very large vocabularies",
            )
            break
    compiler.check_unused_refs()
    diagnostics = [*resolved.diagnostics, *compiler.diagnostics]
    if diagnostics:
        raise PolicyError(sorted_diagnostics(diagnostics))
    regexes = index_regexes(rules)  # numbers the regex nodes, which the routes name
    executable = ExecutablePolicy(
        name=resolved.name,
        description=resolved.description,
        rules=tuple(rules),
        terms=compiler.index,
        regexes=regexes,
        routes=tuple(route(rule) for rule in rules),
        settings=dict(resolved.settings),
        files=tuple(resolved.files),
        warnings=tuple(sorted_diagnostics(compiler.warnings)),
    )
    return Compiled(executable, compiler.regexes.learned)
