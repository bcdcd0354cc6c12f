"""Policies generated from the grammar itself, for grammar-aware fuzzing.

Byte-level mutation rarely gets past the parser: almost every change is a syntax error. This
generator walks the rules of ``grammar/policy.lark`` (as Lark compiled them, the same tables
the loader parses with), so nearly every policy it writes parses, and the loader's later
stages (transform, resolve, compile) see odd but well-formed input. Terminals are drawn from
lists of hostile values: numbers of thousands of digits, file names with NUL or a lone
surrogate, regexes RE2 rejects or that are huge, names that are almost keywords. Such a
generator found four loader crashes in 150 s (tests/test_hostile_policies.py keeps them).

Every choice goes through ``choose(n) -> 0..n-1``: ``random.Random(seed).randrange`` for a
repeatable run (tests/test_hostile_policies.py), atheris's ``ConsumeIntInRange`` for
coverage-guided fuzzing (fuzz/fuzz_grammar.py).
"""

from __future__ import annotations

from collections.abc import Callable

Choose = Callable[[int], int]

#: Values for each regex-defined terminal (string terminals are written as they are).
TERMINAL_VALUES: dict[str, list[str]] = {
    "NAME": ["a", "b", "x1", "claims", "flagship", "length", "sentiment", "words", "terms_2"],
    "DOTTED": [
        "a.b",
        "fin.promise",
        "meta.x",
        "meta.company_type",
        "meta.media.alt",
        "platform.x.length",
        "organisation.name",
        "thresholds.caps",
        "meta",
    ],
    "RULE_GLOB": ["a.*", "fin.*", "meta.*"],
    "COMPARE": ["==", "!=", "<", "<=", ">", ">="],
    "INT": ["0", "1", "3", "280", "100000", "9" * 16, "1" * 4_301],
    "NUMBER": ["0", "-1", "0.5", "280", "-0.6", "1" * 4_301, "1" * 400 + ".5"],
    "STRING": [
        '""',
        '"x"',
        '"guarantee*"',
        '"*partner"',
        '"risk-free fund now"',
        '"can\'t lose"',
        '"*"',
        '"  "',
        '"{match} in {meta.x} for {length}"',
        '"{nope}"',
        '"builtin:privacy"',
        '"builtin:../x"',
        '"./team.policy"',
        '"../outside.policy"',
        '"etc/passwd"',
        '"/etc/passwd"',
        '"x\\u0000"',
        '"\\ud800"',
        '"p\\u0000.policy"',
        '"\\q"',
        '"a\\"b"',
        '"x"',
        '"😀漢字"',
    ],
    "LONG_STRING": ['"""\n  A description\n  on two lines.\n"""', '""""""'],
    "REGEX": [
        "/a/",
        "/\\d{3}-\\d{4}/i",
        "/\\bSTAFF[0-9{2}\\b/",
        "/(Q[1-4] results/",
        "/a)/",
        "/(a+)+$/",
        "/(?<=x)y/",
        "/a{2,1}/",
        "/\\pL{200}/",
        "/" + "(a)" * 40 + "/",
        "/\\C/",
        "/[z-a]/",
        "/\\//m",
    ],
}

#: Writes each further token on a new line (1 in N), so positions span many lines.
_NEWLINE_ONE_IN = 6


class PolicyGenerator:
    """Writes policies by expanding the grammar's rules from ``start``."""

    def __init__(self, max_depth: int = 12) -> None:
        from policylint._lang.parser import _parser

        lark = _parser()
        self.max_depth = max_depth
        self.rules: dict[str, list[list[tuple[str, bool]]]] = {}
        for rule in lark.rules:
            expansion = [(symbol.name, symbol.is_term) for symbol in rule.expansion]
            self.rules.setdefault(rule.origin.name, []).append(expansion)
        self.literals = {t.name: t.pattern.value for t in lark.terminals if t.pattern.type == "str"}
        self.height = self._heights()

    def _heights(self) -> dict[str, int]:
        """How deep each rule must go, at least, to end in terminals (a fixpoint)."""
        height: dict[str, int] = {}
        changed = True
        while changed:
            changed = False
            for name, expansions in self.rules.items():
                best = min(
                    (
                        1 + max((height.get(s, 10**9) for s, term in e if not term), default=0)
                        for e in expansions
                    ),
                    default=10**9,
                )
                if best < height.get(name, 10**9):
                    height[name] = best
                    changed = True
        return height

    def generate(self, choose: Choose) -> str:
        tokens: list[str] = []
        stack: list[tuple[str, bool, int]] = [("start", False, 0)]
        while stack:
            name, is_term, depth = stack.pop()
            if is_term:
                tokens.append(self.terminal(name, choose))
                continue
            expansions = self.rules[name]
            if depth >= self.max_depth:  # go for the shortest way out
                shortest = min(
                    expansions,
                    key=lambda e: max(
                        (self.height.get(s, 10**9) for s, term in e if not term), default=0
                    ),
                )
                chosen = shortest
            else:
                chosen = expansions[choose(len(expansions))]
            stack.extend((s, term, depth + 1) for s, term in reversed(chosen))
        return (
            "".join(
                (("\n" if choose(_NEWLINE_ONE_IN) == 0 else " ") if i else "") + token
                for i, token in enumerate(tokens)
            )
            + "\n"
        )

    def terminal(self, name: str, choose: Choose) -> str:
        if name in self.literals:
            return self.literals[name]
        values = TERMINAL_VALUES[name]
        return values[choose(len(values))]
