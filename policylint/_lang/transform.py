"""Lark parse tree -> typed AST (policylint._lang.ast), with the checks that need no context.

Problems found here (a bad escape, an unknown severity, a field given twice) are collected as
diagnostics rather than raised, so one pass reports every independent mistake in a file.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any, cast

from lark import Token, Tree

from policylint._lang import ast
from policylint._model.diagnostics import Diagnostic
from policylint._model.errors import did_you_mean

__all__ = ["SEVERITIES", "build_policy_file"]

SEVERITIES = ("error", "warning", "info")

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "/": "/", "'": "'"}


def _pos_of(node: Tree[Token] | Token) -> ast.Pos:
    if isinstance(node, Token):
        return ast.Pos(
            node.line or 1,
            node.column or 1,
            node.end_line or node.line or 1,
            node.end_column or node.column or 1,
        )
    meta = node.meta
    if getattr(meta, "empty", True):
        return ast.Pos(1, 1, 1, 1)
    return ast.Pos(meta.line, meta.column, meta.end_line, meta.end_column)


class _Builder:
    def __init__(self, path: str, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.diagnostics: list[Diagnostic] = []

    # ------------------------------------------------------------------ diagnostics
    def error(self, code: str, message: str, pos: ast.Pos, hint: str | None = None) -> None:
        line = self.lines[pos.line - 1] if 0 < pos.line <= len(self.lines) else None
        self.diagnostics.append(
            Diagnostic(
                code=code,
                message=message,
                path=self.path,
                line=pos.line,
                column=pos.column,
                end_line=pos.end_line,
                end_column=pos.end_column,
                hint=hint,
                source_line=line,
            )
        )

    # ------------------------------------------------------------------ leaves
    def string(self, token: Token) -> str:
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
                self.error(
                    "PL103",
                    f"invalid escape '\\{nxt}' in string",
                    ast.Pos(token.line or 1, column, token.line or 1, column + 2),
                    hint='valid escapes are \\" \\\\ \\n \\t \\uXXXX; regular expressions '
                    "go between slashes: /\\d+/",
                )
                out.append(nxt)
                i += 2
        return "".join(out)

    def value(self, node: Tree[Token] | Token) -> ast.Value:
        if isinstance(node, Token):
            if node.type in ("STRING", "LONG_STRING"):
                return self.string(node)
            raise AssertionError(f"unexpected value token {node.type}")
        if node.data == "number":
            token = cast(Token, node.children[0])
            text = str(token)
            if not self.fits(token):
                return 0
            return float(text) if "." in text else int(text)
        if node.data == "boolean":
            return str(node.children[0]) == "true"
        if node.data in ("value_list", "string_list"):
            return [self.value(c) for c in node.children if c is not None]
        raise AssertionError(f"unexpected value node {node.data}")

    def fits(self, token: Token) -> bool:
        """Whether a number has few enough digits (PL218 if not): Python refuses to convert
        an integer of over 4,300 digits, and no count or threshold needs more than 15."""
        from policylint._limits import MAX_NUMBER_DIGITS

        text = str(token)  # digits, perhaps a '-' and a '.' (the grammar's INT and NUMBER)
        digits = len(text) - text.count("-") - text.count(".")
        if digits <= MAX_NUMBER_DIGITS:
            return True
        self.error(
            "PL218",
            f"a number has at most {MAX_NUMBER_DIGITS} digits; this one has {digits:,}",
            _pos_of(token),
        )
        return False

    def count(self, node: Tree[Token] | Token) -> int:
        """A whole number (a distance, a scope's size), 0 after a PL218 error."""
        token = cast(Token, node)
        return int(str(token)) if self.fits(token) else 0

    def terms_literal(self, node: Tree[Token]) -> ast.TermsLiteral:
        terms = []
        for child in node.children:
            if child is None:
                continue
            token = cast(Token, child)
            text = self.string(token)
            pos = _pos_of(token)
            if not text.strip() or not text.replace("*", "").strip():
                self.error("PL212", f"term {token!s} matches nothing or everything", pos)
            terms.append(ast.Term(text, pos))
        return ast.TermsLiteral(tuple(terms), _pos_of(node))

    def dotted(self, node: Tree[Token] | Token) -> str:
        if isinstance(node, Token):
            return str(node)
        return str(node.children[0])

    # ------------------------------------------------------------------ patterns
    def pattern(self, node: Tree[Token] | Token) -> ast.Pattern:
        tree = cast(Tree[Token], node)
        pos = _pos_of(tree)
        kind = tree.data
        if kind == "pattern_or":
            items = tuple(self.pattern(c) for c in tree.children)
            return items[0] if len(items) == 1 else ast.AnyOf(items, pos)
        if kind == "pattern_and":
            return ast.AllOf(tuple(self.pattern(c) for c in tree.children), pos)
        if kind == "terms_literal":
            return self.terms_literal(cast(Tree[Token], tree.children[0]))
        if kind == "terms_ref":
            name_node = cast(Tree[Token], tree.children[0])
            token = cast(Token, name_node.children[0])
            return ast.TermsRef(str(token), _pos_of(token))
        if kind == "regex":
            token = cast(Token, tree.children[0])
            raw = str(token)
            end = raw.rindex("/")
            return ast.Regex(raw[1:end].replace("\\/", "/"), raw[end + 1 :], _pos_of(token))
        if kind == "detect":
            token = cast(Token, tree.children[0])
            return ast.Detect(str(token), _pos_of(token))
        if kind == "scoped":
            return ast.Scoped(self.pattern(tree.children[0]), self.scope(tree.children[1]), pos)
        if kind in ("near", "not_near"):
            left, right, distance, unit = tree.children
            return ast.Near(
                self.pattern(left),
                self.pattern(right),
                self.count(distance),
                self.unit(unit),
                kind == "not_near",
                pos,
            )
        if kind == "followed_by":
            left, right, distance, unit = tree.children
            return ast.FollowedBy(
                self.pattern(left), self.pattern(right), self.count(distance), self.unit(unit), pos
            )
        raise AssertionError(f"unexpected pattern node {kind}")

    def unit(self, node: Tree[Token] | Token) -> ast.Unit:
        token = cast(Token, cast(Tree[Token], node).children[0])
        return cast(ast.Unit, str(token))

    def scope(self, node: Tree[Token] | Token) -> ast.Scope:
        tree = cast(Tree[Token], node)
        pos = _pos_of(tree)
        kind = tree.data
        if kind in ("scope_first", "scope_last"):
            amount, unit = tree.children
            return ast.Scope(
                "first" if kind == "scope_first" else "last",
                pos,
                amount=self.count(amount),
                unit=self.unit(unit),
            )
        if kind == "scope_field":
            return ast.Scope("field", pos, path=str(tree.children[0]))
        return ast.Scope(cast(Any, kind.removeprefix("scope_")), pos)

    # ------------------------------------------------------------------ conditions
    def condition(self, node: Tree[Token] | Token) -> ast.Condition:
        tree = cast(Tree[Token], node)
        pos = _pos_of(tree)
        kind = tree.data
        if kind == "cond_or":
            items = tuple(self.condition(c) for c in tree.children)
            return items[0] if len(items) == 1 else ast.Or(items, pos)
        if kind == "cond_and":
            return ast.And(tuple(self.condition(c) for c in tree.children), pos)
        if kind == "cond_negate":
            return ast.Not(self.condition(tree.children[0]), pos)
        if kind == "compare":
            left, op, right = tree.children
            return ast.Compare(self.operand(left), str(op), self.operand(right), pos)
        if kind in ("member", "not_member"):
            operand, values = tree.children
            values_tree = cast(Tree[Token], values)
            members: ast.TermsLiteral | ast.PathRef
            if values_tree.data == "path_ref":
                token = cast(Token, values_tree.children[0])
                members = ast.PathRef(str(token), _pos_of(token))
            else:
                members = self.terms_literal(values_tree)
            return ast.Member(self.operand(operand), members, kind == "not_member", pos)
        if kind == "contains":
            return ast.Contains(self.pattern(tree.children[0]), pos)
        if kind == "truthy":
            return ast.Truthy(str(tree.children[0]), pos)
        raise AssertionError(f"unexpected condition node {kind}")

    def operand(self, node: Tree[Token] | Token) -> ast.Operand:
        if isinstance(node, Token):
            return ast.Literal_(self.value(node), _pos_of(node))
        pos = _pos_of(node)
        if node.data == "platform_ref":
            return ast.PlatformRef(pos)
        if node.data == "path_ref":
            return ast.PathRef(str(node.children[0]), pos)
        if node.data == "metric_ref":
            name = cast(Tree[Token], node.children[0])
            return ast.MetricRef(str(name.children[0]), pos)
        return ast.Literal_(self.value(node), pos)

    # ------------------------------------------------------------------ exceptions
    def exception(self, node: Tree[Token] | Token) -> ast.Exception_:
        tree = cast(Tree[Token], node)
        pos = _pos_of(tree)
        kind = tree.data
        if kind in ("unless_preceded", "unless_followed", "unless_near"):
            pattern, distance, unit = tree.children
            direction = cast(Any, kind.removeprefix("unless_"))
            return ast.UnlessContext(
                direction, self.pattern(pattern), self.count(distance), self.unit(unit), pos
            )
        if kind == "unless_allow":
            child = cast(Tree[Token], tree.children[0])
            values: ast.TermsLiteral | ast.TermsRef
            if child.data == "term_name":
                token = cast(Token, child.children[0])
                values = ast.TermsRef(str(token), _pos_of(token))
            else:
                values = self.terms_literal(child)
            return ast.UnlessAllow(values, pos)
        if kind == "unless_matches":
            return ast.UnlessMatches(self.pattern(tree.children[0]), pos)
        if kind == "unless_condition":
            return ast.UnlessCondition(self.condition(tree.children[0]), pos)
        raise AssertionError(f"unexpected exception node {kind}")

    # ------------------------------------------------------------------ statements
    def rule(self, tree: Tree[Token]) -> ast.RuleNode:
        id_node = cast(Tree[Token], tree.children[0])
        id_token = cast(Token, id_node.children[0])
        rule = ast.RuleNode(id=str(id_token), pos=_pos_of(id_token), path=self.path)
        seen: dict[str, ast.Pos] = {}
        for child in tree.children[1:]:
            stmt = cast(Tree[Token], child)
            handler = _RULE_STATEMENTS[stmt.data]
            if stmt.data in _SINGLE_VALUED:
                if stmt.data in seen:
                    first = seen[stmt.data]
                    field = stmt.data.removesuffix("_stmt")
                    self.error(
                        "PL211",
                        f"'{field}' is given twice in rule '{rule.id}'",
                        _pos_of(stmt),
                        hint=f"the first one is on line {first.line}; keep one",
                    )
                    continue
                seen[stmt.data] = _pos_of(stmt)
            handler(self, rule, stmt)
        return rule

    def header(self, tree: Tree[Token]) -> ast.Header:
        name_token = cast(Token, tree.children[0])
        header = ast.Header(name=self.string(name_token), pos=_pos_of(name_token))
        for child in tree.children[1:]:
            stmt = cast(Tree[Token], child)
            kind = stmt.data
            if kind == "description_stmt":
                header.description = self.string(cast(Token, stmt.children[0]))
            elif kind == "extends_stmt":
                for token in stmt.children:
                    tok = cast(Token, token)
                    header.extends.append(ast.Extend(self.string(tok), _pos_of(tok)))
            elif kind == "severity_override":
                ref, level = stmt.children
                level_token = cast(Token, level)
                if not self.check_severity(level_token):
                    continue
                header.severity_overrides.append(
                    ast.SeverityOverride(
                        self.dotted(ref), str(level_token), _pos_of(ref), _pos_of(level_token)
                    )
                )
            elif kind == "disable_stmt":
                for ref in stmt.children:
                    header.disables.append(ast.Disable(self.dotted(ref), _pos_of(ref)))
            elif kind == "set_stmt":
                path_node, value = stmt.children
                header.sets.append(
                    ast.SettingDef(self.dotted(path_node), self.value(value), _pos_of(path_node))
                )
        return header

    def check_severity(self, token: Token) -> bool:
        if str(token) in SEVERITIES:
            return True
        self.error(
            "PL204",
            f"unknown severity '{token}'",
            _pos_of(token),
            hint=did_you_mean(str(token), SEVERITIES) or "use error, warning or info",
        )
        return False

    def policy_file(self, tree: Tree[Token], source: str) -> ast.PolicyFile:
        result = ast.PolicyFile(path=self.path, source=source)
        for child in tree.children:
            item = cast(Tree[Token], child)
            if item.data == "policy_block":
                header = self.header(item)
                if result.header is not None:
                    self.error(
                        "PL217",
                        "a policy file has one 'policy' header",
                        header.pos,
                        hint=f"merge it into the header on line {result.header.pos.line}",
                    )
                else:
                    result.header = header
            elif item.data == "terms_def":
                name, expr = item.children
                parts: list[ast.TermsLiteral | ast.TermsRef] = []
                for part in cast(Tree[Token], expr).children:
                    part_tree = cast(Tree[Token], part)
                    if part_tree.data == "term_name":
                        token = cast(Token, part_tree.children[0])
                        parts.append(ast.TermsRef(str(token), _pos_of(token)))
                    else:
                        parts.append(self.terms_literal(part_tree))
                result.terms.append(ast.TermsDef(str(name), tuple(parts), _pos_of(name)))
            elif item.data == "setting_def":
                path_node, value = item.children
                result.settings.append(
                    ast.SettingDef(self.dotted(path_node), self.value(value), _pos_of(path_node))
                )
            elif item.data == "rule_block":
                result.rules.append(self.rule(item))
        return result


def _is_hex(text: str) -> bool:
    return len(text) == 4 and all(c in "0123456789abcdefABCDEF" for c in text)


# ---------------------------------------------------------------------- rule statements
def _category(b: _Builder, rule: ast.RuleNode, stmt: Tree[Token]) -> None:
    token = cast(Token, stmt.children[0])
    rule.category = b.string(token) if token.type == "STRING" else str(token)


def _severity(b: _Builder, rule: ast.RuleNode, stmt: Tree[Token]) -> None:
    token = cast(Token, stmt.children[0])
    if b.check_severity(token):
        rule.severity = str(token)
        rule.severity_pos = _pos_of(token)


def _owner(b: _Builder, rule: ast.RuleNode, stmt: Tree[Token]) -> None:
    rule.owner = b.string(cast(Token, stmt.children[0]))


def _reference(b: _Builder, rule: ast.RuleNode, stmt: Tree[Token]) -> None:
    texts = [b.string(cast(Token, c)) for c in stmt.children]
    rule.reference = texts[0]
    if len(texts) > 1:
        rule.reference_url = texts[1]


def _message(b: _Builder, rule: ast.RuleNode, stmt: Tree[Token]) -> None:
    rule.message = b.string(cast(Token, stmt.children[0]))
    rule.message_pos = _pos_of(stmt.children[0])


def _description(b: _Builder, rule: ast.RuleNode, stmt: Tree[Token]) -> None:
    rule.description = b.string(cast(Token, stmt.children[0]))


def _when(b: _Builder, rule: ast.RuleNode, stmt: Tree[Token]) -> None:
    rule.when.append(b.condition(stmt.children[0]))


def _flag(b: _Builder, rule: ast.RuleNode, stmt: Tree[Token]) -> None:
    rule.flags.append(b.pattern(stmt.children[0]))


def _require(b: _Builder, rule: ast.RuleNode, stmt: Tree[Token]) -> None:
    rule.requires.append(b.pattern(stmt.children[0]))


def _unless(b: _Builder, rule: ast.RuleNode, stmt: Tree[Token]) -> None:
    rule.unless.append(b.exception(stmt.children[0]))


def _suggest(b: _Builder, rule: ast.RuleNode, stmt: Tree[Token]) -> None:
    rule.suggest = b.string(cast(Token, stmt.children[0]))
    rule.fix_safe = len(stmt.children) > 1 and str(stmt.children[1]) == "safe"


def _waivable(b: _Builder, rule: ast.RuleNode, stmt: Tree[Token]) -> None:
    rule.waivable = str(stmt.children[0]) == "true"


def _supersedes(b: _Builder, rule: ast.RuleNode, stmt: Tree[Token]) -> None:
    for ref in stmt.children:
        rule.supersedes.append(ast.RuleRef(b.dotted(ref), _pos_of(ref)))


def _example(b: _Builder, rule: ast.RuleNode, stmt: Tree[Token]) -> None:
    kind, text_token, *fields = stmt.children
    platform: str | None = None
    meta: dict[str, Any] = {}
    for field in fields:
        field_tree = cast(Tree[Token], field)
        key_node, value_node = field_tree.children
        value = b.value(value_node)
        if isinstance(key_node, Token) and key_node.type == "PLATFORM":
            if not isinstance(value, str):
                b.error("PL216", "an example's platform is a string", _pos_of(value_node))
                continue
            platform = value
            continue
        key = b.dotted(key_node)
        if not key.startswith("meta."):
            b.error(
                "PL216",
                f"an example sets 'platform' or 'meta.*', not '{key}'",
                _pos_of(key_node),
                hint=f"did you mean 'meta.{key}'?",
            )
            continue
        _set_path(meta, key.removeprefix("meta.").split("."), value)
    rule.examples.append(
        ast.Example(
            cast(Any, str(kind)), b.string(cast(Token, text_token)), platform, meta, _pos_of(stmt)
        )
    )


def _set_path(target: dict[str, Any], keys: list[str], value: ast.Value) -> None:
    """``meta.media.alt = "x"`` -> ``{"media": {"alt": "x"}}``."""
    for key in keys[:-1]:
        nested = target.get(key)
        if not isinstance(nested, dict):
            nested = {}
            target[key] = nested
        target = nested
    target[keys[-1]] = value


_RULE_STATEMENTS: dict[str, Callable[[_Builder, ast.RuleNode, Tree[Token]], None]] = {
    "category_stmt": _category,
    "severity_stmt": _severity,
    "owner_stmt": _owner,
    "reference_stmt": _reference,
    "message_stmt": _message,
    "description_stmt": _description,
    "when_stmt": _when,
    "flag_stmt": _flag,
    "require_stmt": _require,
    "unless_stmt": _unless,
    "suggest_stmt": _suggest,
    "waivable_stmt": _waivable,
    "supersedes_stmt": _supersedes,
    "example_stmt": _example,
}

_SINGLE_VALUED = frozenset(
    {
        "category_stmt",
        "severity_stmt",
        "owner_stmt",
        "reference_stmt",
        "message_stmt",
        "description_stmt",
        "suggest_stmt",
        "waivable_stmt",
    }
)


def build_policy_file(
    tree: Tree[Token], source: str, path: str, lines: list[str] | None = None
) -> tuple[ast.PolicyFile, list[Diagnostic]]:
    builder = _Builder(path, source.split("\n") if lines is None else lines)
    result = builder.policy_file(tree, source)
    result.lines = builder.lines
    return result, builder.diagnostics
