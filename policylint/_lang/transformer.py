"""Lark parse tree -> typed AST (:mod:`policylint._lang.ast`): one method per grammar rule.

:class:`PolicyTransformer` is a ``lark.Transformer``: Lark calls the method named after each
rule (or alias) of ``grammar/policy.lark`` with that node's transformed children, from the
leaves up, so a rule of the grammar and the node it makes sit side by side. Problems found
here (a bad escape, an unknown severity, a field given twice) are collected as diagnostics
rather than raised, so one pass reports every independent mistake in a file.

A block's single-valued fields (``category``, ``severity``, ``message``...) are read when
the block takes them: a field given twice is reported once (PL211), and nothing inside the
copy that is ignored.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any, cast

from lark import Token, Transformer, v_args
from lark.tree import Meta

from policylint._lang import ast
from policylint._model.diagnostics import Diagnostic
from policylint._model.errors import did_you_mean
from policylint._model.severity import SEVERITY_NAMES
from policylint._model.struct import NamedTuple

__all__ = ["PolicyTransformer"]

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "/": "/", "'": "'"}

#: What a rule block's single-valued fields are called in its statements.
_FIELDS = ("category", "severity", "owner", "reference", "message", "description")
_SINGLE = frozenset((*_FIELDS, "suggest", "waivable"))


class _Located(NamedTuple):
    """A value that is not a string token (a number, a boolean, a list) and where it is."""

    value: ast.Value
    pos: ast.Pos


class _Statement(NamedTuple):
    """A statement of a block: its keyword, where it is, and what it says (tokens for a
    single-valued field, read when the block takes it; AST nodes to add to a list)."""

    kind: str
    pos: ast.Pos
    parts: tuple[Any, ...]


def _pos_of(node: Token | Meta) -> ast.Pos:
    if isinstance(node, Token):
        return ast.Pos(
            node.line or 1,
            node.column or 1,
            node.end_line or node.line or 1,
            node.end_column or node.column or 1,
        )
    if getattr(node, "empty", True):
        return ast.Pos(1, 1, 1, 1)
    return ast.Pos(node.line, node.column, node.end_line, node.end_column)


def _statement(kind: str) -> Callable[[Any, Meta, list[Any]], _Statement]:
    """The method of a ``<kind>_stmt`` rule: a statement holding its children as they are."""

    def method(self: Any, meta: Meta, children: list[Any]) -> _Statement:
        return _Statement(kind, _pos_of(meta), tuple(children))

    method.__name__ = f"{kind}_stmt"
    return method


@v_args(meta=True)
class PolicyTransformer(Transformer[Token, ast.PolicyFile]):
    """Makes the AST of one policy file (``path``, split in ``lines``) from its parse tree.
    Problems go to :attr:`diagnostics`."""

    def __init__(self, path: str, source: str, lines: list[str]) -> None:
        super().__init__(visit_tokens=False)
        #: The file's path (not ``path``: that is the grammar rule of the same name).
        self.file = path
        self.source = source
        self.lines = lines
        self.diagnostics: list[Diagnostic] = []

    # ------------------------------------------------------------------ the file
    def start(self, meta: Meta, items: list[Any]) -> ast.PolicyFile:
        result = ast.PolicyFile(path=self.file, source=self.source, lines=self.lines)
        for item in items:
            if isinstance(item, ast.Header):
                if result.header is not None:
                    self._error(
                        "PL217",
                        "a policy file has one 'policy' header",
                        item.pos,
                        hint=f"merge it into the header on line {result.header.pos.line}",
                    )
                else:
                    result.header = item
            elif isinstance(item, ast.TermsDef):
                result.terms.append(item)
            elif isinstance(item, ast.SettingDef):
                result.settings.append(item)
            else:
                result.rules.append(item)
        return result

    def terms_def(self, meta: Meta, children: list[Any]) -> ast.TermsDef:
        name, *marker, parts = children
        return ast.TermsDef(str(name), tuple(parts), _pos_of(name), masked=bool(marker))

    def setting_def(self, meta: Meta, children: list[Any]) -> ast.SettingDef:
        path, value = children
        return ast.SettingDef(str(path), self._value(value), _pos_of(path))

    def term_expr(self, meta: Meta, parts: list[Any]) -> list[ast.TermsLiteral | ast.TermsRef]:
        return parts

    def term_name(self, meta: Meta, children: list[Any]) -> ast.TermsRef:
        (token,) = children
        return ast.TermsRef(str(token), _pos_of(token))

    # ------------------------------------------------------------------ the header
    def policy_block(self, meta: Meta, children: list[Any]) -> ast.Header:
        name, *statements = children
        header = ast.Header(name=self._text(name), pos=_pos_of(name))
        for statement in statements:
            kind, _, parts = statement
            if kind == "description":
                header.description = self._text(parts[0])
            elif kind == "extends":
                header.extends += [ast.Extend(self._text(t), _pos_of(t)) for t in parts]
            elif kind == "severity_override":
                ref, level = parts
                if self._severity(level):
                    override = ast.SeverityOverride(
                        str(ref), str(level), _pos_of(ref), _pos_of(level)
                    )
                    header.severity_overrides.append(override)
            elif kind == "disable":
                header.disables += [ast.Disable(str(ref), _pos_of(ref)) for ref in parts]
            else:  # set
                path, value = parts
                header.sets.append(ast.SettingDef(str(path), self._value(value), _pos_of(path)))
        return header

    description_stmt = _statement("description")
    extends_stmt = _statement("extends")
    severity_override = _statement("severity_override")
    disable_stmt = _statement("disable")
    set_stmt = _statement("set")

    def rule_id(self, meta: Meta, children: list[Any]) -> Token:
        return cast(Token, children[0])

    def path(self, meta: Meta, children: list[Any]) -> Token:
        return cast(Token, children[0])

    # ------------------------------------------------------------------ rules
    def rule_block(self, meta: Meta, children: list[Any]) -> ast.RuleNode:
        rule_id, *statements = children
        rule = ast.RuleNode(id=str(rule_id), pos=_pos_of(rule_id), path=self.file)
        seen: dict[str, ast.Pos] = {}
        for statement in statements:
            kind, pos, parts = statement
            if kind in _SINGLE:
                if kind in seen:
                    self._error(
                        "PL211",
                        f"'{kind}' is given twice in rule '{rule.id}'",
                        pos,
                        hint=f"the first one is on line {seen[kind].line}; keep one",
                    )
                    continue
                seen[kind] = pos
            self._take(rule, kind, parts)
        return rule

    def _take(self, rule: ast.RuleNode, kind: str, parts: tuple[Any, ...]) -> None:
        """Add a statement of ``kind`` to ``rule``."""
        if kind == "category":
            (token,) = parts
            rule.category = self._text(token) if token.type == "STRING" else str(token)
        elif kind == "severity":
            (token,) = parts
            if self._severity(token):
                rule.severity, rule.severity_pos = str(token), _pos_of(token)
        elif kind == "reference":
            rule.reference = self._text(parts[0])
            rule.reference_url = self._text(parts[1]) if len(parts) > 1 else None
        elif kind == "message":
            rule.message, rule.message_pos = self._text(parts[0]), _pos_of(parts[0])
        elif kind in ("owner", "description"):
            setattr(rule, kind, self._text(parts[0]))
        elif kind == "suggest":
            rule.suggest = self._text(parts[0])
            rule.fix_safe = len(parts) > 1 and str(parts[1]) == "safe"
        elif kind == "waivable":
            rule.waivable = str(parts[0]) == "true"
        elif kind == "supersedes":
            rule.supersedes += [ast.RuleRef(str(ref), _pos_of(ref)) for ref in parts]
        elif kind == "when":
            rule.when.append(parts[0])
        elif kind == "flag":
            rule.flags.append(parts[0])
        elif kind == "require":
            rule.requires.append(parts[0])
        elif kind == "unless":
            rule.unless.append(parts[0])
        else:  # example, made by example_stmt
            rule.examples.append(parts[0])

    category_stmt = _statement("category")
    severity_stmt = _statement("severity")
    owner_stmt = _statement("owner")
    reference_stmt = _statement("reference")
    message_stmt = _statement("message")
    when_stmt = _statement("when")

    def flag_stmt(self, meta: Meta, children: list[Any]) -> _Statement:
        pattern, *clauses = children
        if clauses:
            when, unless = clauses[0]
            pattern = ast.Guarded(pattern, when, unless, _pos_of(meta))
        return _Statement("flag", _pos_of(meta), (pattern,))

    def flag_clauses(
        self, meta: Meta, statements: list[_Statement]
    ) -> tuple[tuple[ast.Condition, ...], tuple[ast.Exception_, ...]]:
        """A flag's own ``when`` conditions and ``unless`` exceptions, in that order."""
        when = tuple(s.parts[0] for s in statements if s.kind == "when")
        unless = tuple(s.parts[0] for s in statements if s.kind == "unless")
        return when, unless

    require_stmt = _statement("require")
    unless_stmt = _statement("unless")
    suggest_stmt = _statement("suggest")
    waivable_stmt = _statement("waivable")
    supersedes_stmt = _statement("supersedes")

    def example_stmt(self, meta: Meta, children: list[Any]) -> _Statement:
        kind, text, *fields = children
        platform: str | None = None
        example_meta: dict[str, Any] = {}
        for key, value_node in fields:
            value = self._value(value_node)
            if key.type == "PLATFORM":
                if not isinstance(value, str):
                    self._error("PL216", "an example's platform is a string", _at(value_node))
                    continue
                platform = value
                continue
            name = str(key)
            if not name.startswith("meta."):
                self._error(
                    "PL216",
                    f"an example sets 'platform' or 'meta.*', not '{name}'",
                    _pos_of(key),
                    hint=f"did you mean 'meta.{name}'?",
                )
                continue
            _set_path(example_meta, name.removeprefix("meta.").split("."), value)
        example = ast.Example(
            cast(Any, str(kind)), self._text(text), platform, example_meta, _pos_of(meta)
        )
        return _Statement("example", _pos_of(meta), (example,))

    def example_field(self, meta: Meta, children: list[Any]) -> tuple[Token, Any]:
        key, value = children
        return cast(Token, key), value

    # ------------------------------------------------------------------ patterns
    def pattern_or(self, meta: Meta, items: list[ast.Pattern]) -> ast.Pattern:
        return items[0] if len(items) == 1 else ast.AnyOf(tuple(items), _pos_of(meta))

    def pattern_and(self, meta: Meta, items: list[ast.Pattern]) -> ast.AllOf:
        return ast.AllOf(tuple(items), _pos_of(meta))

    def near(self, meta: Meta, children: list[Any]) -> ast.Near:
        left, right, distance, unit = children
        return ast.Near(left, right, self._count(distance), unit, False, _pos_of(meta))

    def not_near(self, meta: Meta, children: list[Any]) -> ast.Near:
        left, right, distance, unit = children
        return ast.Near(left, right, self._count(distance), unit, True, _pos_of(meta))

    def followed_by(self, meta: Meta, children: list[Any]) -> ast.FollowedBy:
        left, right, distance, unit = children
        return ast.FollowedBy(left, right, self._count(distance), unit, _pos_of(meta))

    def scoped(self, meta: Meta, children: list[Any]) -> ast.Scoped:
        pattern, scope = children
        return ast.Scoped(pattern, scope, _pos_of(meta))

    def terms_literal(self, meta: Meta, children: list[Any]) -> ast.TermsLiteral:
        return cast(ast.TermsLiteral, children[0])

    def terms_ref(self, meta: Meta, children: list[Any]) -> ast.TermsRef:
        return cast(ast.TermsRef, children[0])

    def string_list(self, meta: Meta, tokens: list[Token]) -> ast.TermsLiteral:
        terms = []
        for token in tokens:
            text, pos = self._text(token), _pos_of(token)
            if not text.strip() or not text.replace("*", "").strip():
                self._error("PL212", f"term {token!s} matches nothing or everything", pos)
            terms.append(ast.Term(text, pos))
        return ast.TermsLiteral(tuple(terms), _pos_of(meta))

    def regex(self, meta: Meta, children: list[Token]) -> ast.Regex:
        (token,) = children
        raw = str(token)
        end = raw.rindex("/")
        return ast.Regex(raw[1:end].replace("\\/", "/"), raw[end + 1 :], _pos_of(token))

    def detect(self, meta: Meta, children: list[Token]) -> ast.Detect:
        (token,) = children
        return ast.Detect(str(token), _pos_of(token))

    def unit(self, meta: Meta, children: list[Token]) -> ast.Unit:
        return cast(ast.Unit, str(children[0]))

    def scope_first(self, meta: Meta, children: list[Any]) -> ast.Scope:
        amount, unit = children
        return ast.Scope("first", _pos_of(meta), amount=self._count(amount), unit=unit)

    def scope_last(self, meta: Meta, children: list[Any]) -> ast.Scope:
        amount, unit = children
        return ast.Scope("last", _pos_of(meta), amount=self._count(amount), unit=unit)

    def scope_hashtags(self, meta: Meta, children: list[Any]) -> ast.Scope:
        return ast.Scope("hashtags", _pos_of(meta))

    def scope_mentions(self, meta: Meta, children: list[Any]) -> ast.Scope:
        return ast.Scope("mentions", _pos_of(meta))

    def scope_links(self, meta: Meta, children: list[Any]) -> ast.Scope:
        return ast.Scope("links", _pos_of(meta))

    def scope_field(self, meta: Meta, children: list[Token]) -> ast.Scope:
        return ast.Scope("field", _pos_of(meta), path=str(children[0]))

    # ------------------------------------------------------------------ exceptions (unless)
    def unless_preceded(self, meta: Meta, children: list[Any]) -> ast.UnlessContext:
        return self._context("preceded", meta, children)

    def unless_followed(self, meta: Meta, children: list[Any]) -> ast.UnlessContext:
        return self._context("followed", meta, children)

    def unless_near(self, meta: Meta, children: list[Any]) -> ast.UnlessContext:
        return self._context("near", meta, children)

    def _context(self, direction: Any, meta: Meta, children: list[Any]) -> ast.UnlessContext:
        pattern, distance, unit = children
        return ast.UnlessContext(direction, pattern, self._count(distance), unit, _pos_of(meta))

    def unless_allow(self, meta: Meta, children: list[Any]) -> ast.UnlessAllow:
        return ast.UnlessAllow(children[0], _pos_of(meta))

    def unless_matches(self, meta: Meta, children: list[Any]) -> ast.UnlessMatches:
        return ast.UnlessMatches(children[0], _pos_of(meta))

    def unless_condition(self, meta: Meta, children: list[Any]) -> ast.UnlessCondition:
        return ast.UnlessCondition(children[0], _pos_of(meta))

    # ------------------------------------------------------------------ conditions (when)
    def cond_or(self, meta: Meta, items: list[ast.Condition]) -> ast.Condition:
        return items[0] if len(items) == 1 else ast.Or(tuple(items), _pos_of(meta))

    def cond_and(self, meta: Meta, items: list[ast.Condition]) -> ast.And:
        return ast.And(tuple(items), _pos_of(meta))

    def cond_negate(self, meta: Meta, children: list[Any]) -> ast.Not:
        return ast.Not(children[0], _pos_of(meta))

    def compare(self, meta: Meta, children: list[Any]) -> ast.Compare:
        left, op, right = children
        return ast.Compare(self._operand(left), str(op), self._operand(right), _pos_of(meta))

    def member(self, meta: Meta, children: list[Any]) -> ast.Member:
        operand, values = children
        return ast.Member(self._operand(operand), values, False, _pos_of(meta))

    def not_member(self, meta: Meta, children: list[Any]) -> ast.Member:
        operand, values = children
        return ast.Member(self._operand(operand), values, True, _pos_of(meta))

    def contains(self, meta: Meta, children: list[Any]) -> ast.Contains:
        return ast.Contains(children[0], _pos_of(meta))

    def at_least(self, meta: Meta, children: list[Any]) -> ast.AtLeast:
        token, *items = children
        count = self._count(token)
        assert isinstance(count, int)  # the grammar's INT
        if not 1 <= count <= len(items):
            self._error(
                "PL216",
                f"'at least {count} of' {len(items)} conditions can "
                + ("never hold" if count else "always hold"),
                _pos_of(token),
                hint=f"use a count from 1 to {len(items)}",
            )
        return ast.AtLeast(count, tuple(items), _pos_of(meta))

    def quantified(self, meta: Meta, children: list[Any]) -> ast.Quantified:
        quantifier, items, condition = children
        path = ast.PathRef(str(items), _pos_of(items))
        return ast.Quantified(cast(Any, str(quantifier)), path, condition, _pos_of(meta))

    def truthy(self, meta: Meta, children: list[Token]) -> ast.Truthy:
        return ast.Truthy(str(children[0]), _pos_of(meta))

    def platform_ref(self, meta: Meta, children: list[Token]) -> ast.PlatformRef:
        return ast.PlatformRef(_pos_of(meta))

    def path_ref(self, meta: Meta, children: list[Token]) -> ast.PathRef:
        return ast.PathRef(str(children[0]), _pos_of(meta))

    def metric_ref(self, meta: Meta, children: list[Token]) -> ast.MetricRef:
        return ast.MetricRef(str(children[0]), _pos_of(meta))

    def metric_name(self, meta: Meta, children: list[Token]) -> Token:
        return children[0]

    # ------------------------------------------------------------------ values
    def number(self, meta: Meta, children: list[Token]) -> _Located:
        (token,) = children
        text = str(token)
        value: ast.Value = 0
        if self._fits(token):
            value = float(text) if "." in text else int(text)
        return _Located(value, _pos_of(token))

    def boolean(self, meta: Meta, children: list[Token]) -> _Located:
        (token,) = children
        return _Located(str(token) == "true", _pos_of(token))

    def value_list(self, meta: Meta, children: list[Any]) -> _Located:
        return _Located([self._value(child) for child in children], _pos_of(meta))

    data_list = value_list

    def data_object(self, meta: Meta, pairs: list[tuple[str, ast.Value]]) -> _Located:
        return _Located(dict(pairs), _pos_of(meta))

    def data_pair(self, meta: Meta, children: list[Any]) -> tuple[str, ast.Value]:
        key, value = children
        name = self._text(key) if key.type == "STRING" else str(key)
        return name, self._value(value)

    # ------------------------------------------------------------------ leaves
    def _value(self, node: Token | _Located) -> ast.Value:
        """A value as written: a string token, or a number, a boolean or a list of them."""
        return self._text(node) if isinstance(node, Token) else node.value

    def _operand(self, node: Any) -> ast.Operand:
        if isinstance(node, Token):
            return ast.Literal_(self._text(node), _pos_of(node))
        if isinstance(node, _Located):
            return ast.Literal_(node.value, node.pos)
        return cast(ast.Operand, node)

    def _text(self, token: Token) -> str:
        """A string token's text: a long string dedented, escapes of a short one read."""
        raw = str(token)
        if raw.startswith('"""'):
            body = raw[3:-3]
            if body.startswith("\n"):
                body = body[1:]
            return textwrap.dedent(body).strip()
        return self._unescape(raw[1:-1], token)

    def _unescape(self, body: str, token: Token) -> str:
        if "\\" not in body:
            return body
        out: list[str] = []
        i = 0
        while i < len(body):
            ch = body[i]
            if ch != "\\":
                out.append(ch)
                i += 1
                continue
            nxt = body[i + 1] if i + 1 < len(body) else ""
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
            elif nxt == "u" and _is_hex(body[i + 2 : i + 6]):
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
            else:
                column = (token.column or 1) + 1 + i
                self._error(
                    "PL103",
                    f"invalid escape '\\{nxt}' in string",
                    ast.Pos(token.line or 1, column, token.line or 1, column + 2),
                    hint='valid escapes are \\" \\\\ \\n \\t \\uXXXX; regular expressions '
                    "go between slashes: /\\d+/",
                )
                out.append(nxt)
                i += 2
        return "".join(out)

    def _fits(self, token: Token) -> bool:
        """Whether a number has few enough digits (PL218 if not): Python refuses to convert
        an integer of over 4,300 digits, and no count or threshold needs more than 15."""
        from policylint._limits import MAX_NUMBER_DIGITS

        text = str(token)  # digits, perhaps a '-' and a '.' (the grammar's INT and NUMBER)
        digits = len(text) - text.count("-") - text.count(".")
        if digits <= MAX_NUMBER_DIGITS:
            return True
        self._error(
            "PL218",
            f"a number has at most {MAX_NUMBER_DIGITS} digits; this one has {digits:,}",
            _pos_of(token),
        )
        return False

    def _count(self, token: Token) -> ast.Amount:
        """A distance or a scope's size: a whole number (0 after a PL218 error), or the
        setting that holds it (the compiler reads and checks it)."""
        if token.type == "DOTTED":
            return ast.PathRef(str(token), _pos_of(token))
        return int(str(token)) if self._fits(token) else 0

    def _severity(self, token: Token) -> bool:
        if str(token) in SEVERITY_NAMES:
            return True
        self._error(
            "PL204",
            f"unknown severity '{token}'",
            _pos_of(token),
            hint=did_you_mean(str(token), SEVERITY_NAMES) or "use error, warning or info",
        )
        return False

    def _error(self, code: str, message: str, pos: ast.Pos, hint: str | None = None) -> None:
        self.diagnostics.append(pos.diagnostic(code, message, self.file, self.lines, hint))


def _at(node: Any) -> ast.Pos:
    """Where a value is written (a token, or a number or boolean)."""
    return _pos_of(node) if isinstance(node, Token) else cast(_Located, node).pos


def _is_hex(text: str) -> bool:
    return len(text) == 4 and all(c in "0123456789abcdefABCDEF" for c in text)


def _set_path(target: dict[str, Any], keys: list[str], value: ast.Value) -> None:
    """``meta.media.alt = "x"`` -> ``{"media": {"alt": "x"}}``."""
    for key in keys[:-1]:
        nested = target.get(key)
        if not isinstance(nested, dict):
            nested = {}
            target[key] = nested
        target = nested
    target[keys[-1]] = value
