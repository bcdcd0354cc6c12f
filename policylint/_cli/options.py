"""The options of ``policylint check``, declared once: the click command and the fast reader of
the console script are both built from :data:`OPTIONS`.

Each field of :class:`CheckOptions` is declared with its flags, kind and help by
:func:`option`, which returns the field's default (as ``dataclasses.field`` does) and
records the rest; :data:`OPTIONS` pairs each record with its field. The click application
(:mod:`policylint._cli.app`) turns them into click options; :func:`parse_check` reads a plain
``policylint check ...`` with them, without importing click (~12 ms of a ~70 ms pre-commit
run), and leaves anything else to click (``--help``, an unknown option, a value click would
refuse): click stays the one judge of the command line and gives every message.
"""

from __future__ import annotations

import os
import stat

from policylint._model.severity import SEVERITY_NAMES
from policylint._model.struct import NamedTuple
from policylint.reporters import FORMATS as REPORTERS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FAIL_ON", "FORMATS", "OPTIONS", "CheckOptions", "Option", "parse_check"]

#: ``--fail-on``'s values: a severity, or ``never`` (``--exit-zero``: findings never fail).
FAIL_ON = (*SEVERITY_NAMES, "never")
#: ``--format``'s values: the reporters there are.
FORMATS = tuple(REPORTERS)

# What an option takes.
TEXT = "text"  # a value
FILE = "file"  # a path that must not be a directory
CHOICE = "choice"  # one of ``choices``
COUNT = "count"  # a whole number, 0 or more
MANY = "many"  # a value, repeatable: a tuple of them
FLAG = "flag"  # no value: True when given
SWITCH = "switch"  # ``--x`` True, ``--no-x`` False (its two flags), unset None


class Option(NamedTuple):
    """One option of ``check``: its flags, what it takes, its help, and the field of
    :class:`CheckOptions` it sets."""

    flags: tuple[str, ...]
    kind: str
    help: str
    default: Any = None
    choices: tuple[str, ...] = ()
    show_default: bool = False
    name: str = ""


_declared: list[Option] = []


def option(
    *flags: str,
    kind: str,
    help: str,
    default: Any = None,
    choices: tuple[str, ...] = (),
    show_default: bool = False,
) -> Any:
    """Declare the option of the :class:`CheckOptions` field being defined; its default."""
    _declared.append(Option(flags, kind, help, default, choices, show_default))
    return default


class CheckOptions(NamedTuple):
    """The ``check`` command's parameters: ``paths``, then one field per option."""

    paths: tuple[str, ...] = ()
    policy: str | None = option(
        "--policy",
        "-p",
        kind=TEXT,
        help="Policy file or builtin:NAME (default: config, else builtin:all).",
    )
    output_format: str = option(
        "--format",
        kind=CHOICE,
        choices=FORMATS,
        default="text",
        show_default=True,
        help="Output format.",
    )
    fail_on: str | None = option(
        "--fail-on",
        kind=CHOICE,
        choices=FAIL_ON,
        help="Lowest severity that makes the exit code 1, or never (default: config, else error).",
    )
    exit_zero: bool = option(
        "--exit-zero", kind=FLAG, default=False, help="Exit 0 even with findings (--fail-on never)."
    )
    select: tuple[str, ...] = option(
        "--select", kind=MANY, default=(), help="Only these rules: id, glob (tone.*) or category."
    )
    extend_select: tuple[str, ...] = option(
        "--extend-select",
        kind=MANY,
        default=(),
        help="Add these rules to --select's or config's select.",
    )
    ignore: tuple[str, ...] = option(
        "--ignore", kind=MANY, default=(), help="Also skip these rules: id, glob or category."
    )
    platform: str | None = option(
        "--platform",
        kind=TEXT,
        help="Platform of posts that do not say (x, linkedin, instagram, ...).",
    )
    meta_pairs: tuple[str, ...] = option(
        "--meta", kind=MANY, default=(), help="key=value metadata for posts that do not say."
    )
    config_file: str | None = option("--config", kind=FILE, help="Config file to use.")
    isolated: bool = option(
        "--isolated", kind=FLAG, default=False, help="Ignore configuration files."
    )
    output: str | None = option("--output", "-o", kind=FILE, help="Write the report to FILE.")
    color: bool | None = option(
        "--color",
        "--no-color",
        kind=SWITCH,
        help="Colour the text report (default: on a terminal; NO_COLOR, FORCE_COLOR respected).",
    )
    statistics: bool = option(
        "--statistics", kind=FLAG, default=False, help="Print a count per rule instead of findings."
    )
    quiet: bool = option(
        "--quiet",
        "-q",
        kind=FLAG,
        default=False,
        help="Print findings and errors only: no summary, no notes.",
    )
    show_waived: bool = option(
        "--show-waived", kind=FLAG, default=False, help="List waived findings in the text report."
    )
    report_unused_waivers: bool = option(
        "--report-unused-waivers",
        kind=FLAG,
        default=False,
        help="Report waivers that waive nothing.",
    )
    fix: bool = option(
        "--fix", kind=FLAG, default=False, help="Apply rules' safe suggestions to the files."
    )
    unsafe_fixes: bool = option(
        "--unsafe-fixes",
        kind=FLAG,
        default=False,
        help="With --fix/--diff: apply unsafe suggestions too.",
    )
    diff: bool = option(
        "--diff", kind=FLAG, default=False, help="Print the fixes as a unified diff; write nothing."
    )
    stdin_filename: str | None = option(
        "--stdin-filename",
        kind=TEXT,
        help="Name for stdin: its suffix sets the format, its folder the configuration.",
    )
    jobs: int = option(
        "--jobs",
        "-j",
        kind=COUNT,
        default=0,
        show_default=True,
        help="Worker processes for files with many posts (0: every core; 1: no pool).",
    )
    max_post_chars: int | None = option(
        "--max-post-chars",
        kind=COUNT,
        help="Longer posts are input errors, not checked (default 100000; 0: no limit).",
    )
    force_exclude: bool = option(
        "--force-exclude",
        kind=FLAG,
        default=False,
        help="Choose named files as folders' files are: skip those that are not posts (hooks).",
    )
    verbose: bool = option(
        "--verbose", "-v", kind=FLAG, default=False, help="List the files skipped, and why."
    )


#: Every option of ``check``, in the order of :class:`CheckOptions` (and of ``--help``).
OPTIONS: tuple[Option, ...] = tuple(
    declared._replace(name=name)
    for name, declared in zip(CheckOptions._fields[1:], _declared, strict=True)
)


# ---------------------------------------------------------------------------- the fast reader


def parse_check(args: list[str]) -> CheckOptions | None:
    """``check``'s arguments as click would read them, or None for anything this reader
    leaves to click (help, unknown options, bad values: click explains them)."""
    by_flag = {flag: spec for spec in OPTIONS for flag in spec.flags}
    values: dict[str, Any] = {}
    many: dict[str, list[str]] = {}
    paths: list[str] = []
    position = 0
    while position < len(args):
        token = args[position]
        position += 1
        if token == "--":
            paths.extend(args[position:])
            break
        if token == "-" or not token.startswith("-"):
            paths.append(token)
            continue
        flag, equals, attached = token.partition("=")
        if not token.startswith("--"):
            flag, equals, attached = token, "", ""  # "-pX", "-j2": click's, not ours
        spec = by_flag.get(flag)
        if spec is None:
            return None
        if spec.kind in (FLAG, SWITCH):
            if equals:
                return None  # "--fix=yes": click says a flag takes no value
            values[spec.name] = spec.kind == FLAG or flag == spec.flags[0]
            continue
        if equals:
            value = attached
        elif position < len(args):
            value = args[position]
            position += 1
        else:
            return None  # the value is missing
        if not _takes(spec, value):
            return None
        if spec.kind == MANY:
            many.setdefault(spec.name, []).append(value)
        else:
            values[spec.name] = int(value) if spec.kind == COUNT else value
    if not all(_acceptable_path(path, directory=True) for path in paths):
        return None
    for name, repeated in many.items():
        values[name] = tuple(repeated)
    return CheckOptions(paths=tuple(paths), **values)


def _takes(spec: Option, value: str) -> bool:
    """Whether click would take ``value`` for ``spec``."""
    if spec.kind == CHOICE:
        return value in spec.choices
    if spec.kind == COUNT:
        try:
            return int(value) >= 0
        except ValueError:
            return False
    if spec.kind == FILE:
        return _acceptable_path(value, directory=False)
    return True


def _acceptable_path(path: str, *, directory: bool) -> bool:
    """Whether click's ``Path`` type takes ``path``: one it cannot stat (it need not
    exist), else one that is readable, and not a directory where a file is wanted."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return True
    if not directory and stat.S_ISDIR(mode):
        return False
    return os.access(path, os.R_OK)
