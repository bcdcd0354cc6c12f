"""The console script (``policylint``, ``python -m policylint``).

A pre-commit hook starts policylint on every commit, and importing click costs about as
much as checking a post (~12 ms of a ~100 ms run). So a plain ``policylint check ...``,
the form hooks and scripts use, is parsed here and run without click; anything else
(``--help``, another command, an option this parser does not know, a value click would
reject, shell completion) goes to the click application, which stays the one definition
of the command line and gives every message. ``tests/test_entrypoint.py`` checks that
this parser accepts nothing click would refuse and reads everything as click does.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from functools import cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint._cli.check import CheckOptions


@cache
def check_options() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """``check``'s options: option string -> (CheckOptions field, kind, detail). Kinds:
    "str" a value; "file" a path that must not be a directory; "choice" one of detail;
    "count" an integer >= 0; "many" a value, repeatable; "on"/"off" a flag setting True/False.
    (Built on first use: the choices are check_command's, which a check imports anyway.)"""
    from policylint._cli.check import FAIL_ON, FORMATS

    return {
        "--policy": ("policy", "str", ()),
        "-p": ("policy", "str", ()),
        "--format": ("output_format", "choice", FORMATS),
        "--fail-on": ("fail_on", "choice", FAIL_ON),
        "--exit-zero": ("exit_zero", "on", ()),
        "--select": ("select", "many", ()),
        "--extend-select": ("extend_select", "many", ()),
        "--ignore": ("ignore", "many", ()),
        "--platform": ("platform", "str", ()),
        "--meta": ("meta_pairs", "many", ()),
        "--config": ("config_file", "file", ()),
        "--isolated": ("isolated", "on", ()),
        "--output": ("output", "file", ()),
        "-o": ("output", "file", ()),
        "--color": ("color", "on", ()),
        "--no-color": ("color", "off", ()),
        "--statistics": ("statistics", "on", ()),
        "--quiet": ("quiet", "on", ()),
        "-q": ("quiet", "on", ()),
        "--show-waived": ("show_waived", "on", ()),
        "--report-unused-waivers": ("report_unused_waivers", "on", ()),
        "--fix": ("fix", "on", ()),
        "--unsafe-fixes": ("unsafe_fixes", "on", ()),
        "--diff": ("diff", "on", ()),
        "--stdin-filename": ("stdin_filename", "str", ()),
        "--jobs": ("jobs", "count", ()),
        "-j": ("jobs", "count", ()),
        "--max-post-chars": ("max_post_chars", "count", ()),
        "--force-exclude": ("force_exclude", "on", ()),
        "--verbose": ("verbose", "on", ()),
        "-v": ("verbose", "on", ()),
    }


def main() -> None:
    """Run the command line on ``sys.argv``."""
    from policylint._cli import startup

    startup.begin()  # until the policy is loaded (policylint._cli.startup)
    argv = sys.argv[1:]
    # Windows: click expands wildcards in the arguments itself; completion is click's.
    plain = os.name != "nt" and not os.environ.get("_POLICYLINT_COMPLETE")
    if plain and argv == ["--version"]:
        from policylint._version import __version__

        print(f"policylint, version {__version__}")
        sys.exit(0)
    # Before anything compiles a regex: ~10 ms of a check (policylint._cache.sre).
    from policylint._cache import sre as recache

    recache.install()
    if plain and argv[:1] == ["check"]:
        options = parse_check(argv[1:])
        if options is not None:
            _run_standalone(options)
    from policylint._cli.app import main as click_main

    click_main()


def parse_check(args: list[str]) -> CheckOptions | None:
    """``check``'s arguments as click would read them, or None for anything this parser
    leaves to click (help, unknown options, bad values: click explains them)."""
    options = check_options()
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
        option, equals, attached = token.partition("=")
        if not token.startswith("--"):
            option, equals, attached = token, "", ""  # "-pX", "-j2": click's, not ours
        spec = options.get(option)
        if spec is None:
            return None
        name, kind, choices = spec
        if kind in ("on", "off"):
            if equals:
                return None  # "--fix=yes": click says a flag takes no value
            values[name] = kind == "on"
            continue
        if equals:
            value = attached
        elif position < len(args):
            value = args[position]
            position += 1
        else:
            return None  # the value is missing
        if kind == "many":
            many.setdefault(name, []).append(value)
        elif kind == "choice":
            if value not in choices:
                return None
            values[name] = value
        elif kind == "count":
            try:
                number = int(value)
            except ValueError:
                return None
            if number < 0:
                return None
            values[name] = number
        else:
            if kind == "file" and not _acceptable_path(value, directory=False):
                return None
            values[name] = value
    if not all(_acceptable_path(path, directory=True) for path in paths):
        return None
    from policylint._cli.check import CheckOptions  # loaded by check_options()

    for name, repeated in many.items():
        values[name] = tuple(repeated)
    return CheckOptions(paths=tuple(paths), **values)


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


def _run_standalone(options: CheckOptions) -> None:
    """Run a check and exit, ending as the click application (``policylint._cli.app``) ends a
    command: Ctrl-C prints "Aborted!" and exits 130, end of input "Aborted!" and 1, and a
    closed output pipe (``policylint check ... | head``) exits 1 silently."""
    from policylint._cli.check import EXIT_INTERRUPTED, run_check

    try:
        run_check(options)
    except (KeyboardInterrupt, EOFError) as error:
        print(file=sys.stderr)
        print("Aborted!", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED if isinstance(error, KeyboardInterrupt) else 1)
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise
        # Python's advice for SIGPIPE: point stdout at /dev/null so that the flush at exit
        # does not fail a second time.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
