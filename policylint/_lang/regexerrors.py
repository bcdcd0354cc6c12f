"""Regular-expression mistakes explained where they are, not where RE2 noticed them.

RE2 reads ``/\\bSTAFF[0-9{2}\\b/`` as a class that runs to the end (the ``]`` is missing),
meets ``\\b`` inside it and reports "invalid escape sequence: \\b": true, but the mistake is
the unclosed ``[``. :func:`scan` walks a pattern's brackets and groups the way RE2 does, so a
class or group that is never closed, or a ``)`` that closes nothing, is reported at its own
character; other RE2 errors are placed on the fragment RE2 names, in plain words with a hint.
:func:`scan` also counts the capture groups (``policylint._limits.MAX_REGEX_GROUPS``).
"""

from __future__ import annotations

from policylint._model.struct import NamedTuple

__all__ = ["RegexProblem", "RegexScan", "class_end", "explain", "scan"]


class RegexProblem(NamedTuple):
    """A mistake at ``offset`` (code points into the pattern), ``length`` long."""

    offset: int
    length: int
    message: str
    hint: str | None = None


class RegexScan(NamedTuple):
    #: Offsets of the capturing groups' '('.
    groups: tuple[int, ...]
    #: A '[' or '(' never closed, or a ')' closing nothing; None when the brackets balance.
    problem: RegexProblem | None


def scan(pattern: str) -> RegexScan:
    """The capture groups of an RE2 ``pattern`` and its first unbalanced bracket."""
    groups: list[int] = []
    open_groups: list[int] = []
    i, size = 0, len(pattern)
    while i < size:
        ch = pattern[i]
        if ch == "\\":
            i = _after_escape(pattern, i)
        elif ch == "[":
            end = class_end(pattern, i)
            if end is None:
                problem = RegexProblem(
                    i,
                    1,
                    "'[' is never closed",
                    "a character class ends with ']'; to match '[' itself, write '\\['",
                )
                return RegexScan(tuple(groups), problem)
            i = end
        elif ch == "(":
            if _captures(pattern, i):
                groups.append(i)
            open_groups.append(i)
            i += 1
        elif ch == ")":
            if not open_groups:
                return RegexScan(
                    tuple(groups),
                    RegexProblem(i, 1, "')' closes no group", "to match ')' itself, write '\\)'"),
                )
            open_groups.pop()
            i += 1
        else:
            i += 1
    if open_groups:
        where = open_groups[-1]
        problem = RegexProblem(
            where,
            1,
            "'(' is never closed",
            "close the group with ')'; to match '(' itself, write '\\('",
        )
        return RegexScan(tuple(groups), problem)
    return RegexScan(tuple(groups), None)


def _after_escape(pattern: str, i: int) -> int:
    """The index after the escape starting at ``pattern[i]`` (a backslash)."""
    nxt = pattern[i + 1 : i + 2]
    if nxt == "Q":  # \Q...\E: everything between is literal
        end = pattern.find("\\E", i + 2)
        return len(pattern) if end < 0 else end + 2
    if nxt in ("p", "P", "x") and pattern[i + 2 : i + 3] == "{":
        end = pattern.find("}", i + 3)
        return len(pattern) if end < 0 else end + 1
    return i + 2


def class_end(pattern: str, start: int) -> int | None:
    """The index after the ']' closing the class opened at ``start``, or None."""
    i = start + 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":  # a ']' first in a class is a literal
        i += 1
    size = len(pattern)
    while i < size:
        ch = pattern[i]
        if ch == "\\":
            i = _after_escape(pattern, i)
        elif ch == "[" and pattern[i + 1 : i + 2] == ":":  # [:alpha:]
            end = pattern.find(":]", i + 2)
            i = i + 1 if end < 0 else end + 2
        elif ch == "]":
            return i + 1
        else:
            i += 1
    return None


def _captures(pattern: str, i: int) -> bool:
    """Whether the '(' at ``i`` opens a capturing group: plain, or named (?P<x> / (?<x>."""
    if pattern[i + 1 : i + 2] != "?":
        return True
    return pattern.startswith(("?P<", "?<"), i + 1) and not pattern.startswith(
        ("?<=", "?<!"), i + 1
    )


# RE2's error, as the text before ': ' in its message -> (what to say, hint).
_REPEAT_HINT = (
    "a quantifier (*, +, ?, {n}) follows what it repeats; to match the character itself, "
    "escape it: \\*, \\+, \\?"
)
_MEANINGS: dict[str, tuple[str, str | None]] = {
    "invalid escape sequence": (
        "{fragment} is not an escape RE2 knows",
        "escape punctuation to match it (\\. \\/ \\[); \\d \\w \\s \\b and \\pL are classes "
        "and boundaries; a boundary such as \\b cannot stand inside [...]",
    ),
    "trailing \\": ("the pattern ends with a lone '\\'", "write '\\\\' to match a backslash"),
    "bad repetition operator": ("{fragment} repeats a repetition", _REPEAT_HINT),
    "no argument for repetition operator": ("{fragment} has nothing to repeat", _REPEAT_HINT),
    "invalid repetition size": (
        "{fragment} is not a repetition RE2 allows",
        "write {n}, {n,} or {n,m} with n <= m <= 1000",
    ),
    "invalid character class range": (
        "{fragment} is not a valid range or class",
        "a range runs from the lower character to the higher ([a-z]); \\p{...} takes a "
        "Unicode class such as L, Lu, N or Greek; [[:alpha:]] a POSIX class",
    ),
    "invalid named capture group": (
        "{fragment} is not a valid group name",
        "names are letters, digits and '_': (?P<name>...)",
    ),
    "invalid perl operator": (
        "{fragment} is not a group RE2 knows",
        "groups are (...), (?:...), (?P<name>...) and flags such as (?i)",
    ),
}


def explain(pattern: str, detail: str) -> RegexProblem | None:
    """Where and what RE2's error ``detail`` (``"kind: fragment"``) is in ``pattern``: the
    unbalanced bracket if there is one, else RE2's fragment in plain words; None when it
    cannot be placed (``pattern too large``)."""
    structural = scan(pattern).problem
    if structural is not None:
        return structural
    kind, _, fragment = detail.partition(": ")
    if kind not in _MEANINGS or not fragment:
        return None
    message, hint = _MEANINGS[kind]
    text = message.format(fragment=f"'{fragment}'")
    offset = pattern.find(fragment)
    if offset < 0:
        return RegexProblem(0, 0, text, hint)
    return RegexProblem(offset, len(fragment), text, hint)
