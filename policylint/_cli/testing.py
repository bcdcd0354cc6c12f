"""``policylint test``: run the rules' examples of policy files, or of every policy file in
a folder, and say which fail.

A file is tested as ``policylint check --policy FILE`` loads it, with what it extends. A
folder is a folder pack: its ``*.policy`` files are loaded together (their rules may name
each other, as in ``supersedes``), as ``--policy FOLDER`` and ``extends "builtin:NAME"``
load one, and so is each subfolder holding policy files; a line per file says how its own
rules' examples did. A folder that does not load is reported and the others are still
tested. Exit codes: 0 every example passed, 1 one failed, 2 a policy did not load or a
folder holds no policy file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from policylint._cli.contexts import policy_or_error
from policylint._cli.exits import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from policylint._config.config import Config
    from policylint._model.rules import ExampleResult

__all__ = ["folder_packs", "run_tests"]


class _Tally:
    """Examples run and failed so far, and whether a policy could not be tested."""

    def __init__(self) -> None:
        self.total = self.failed = 0
        self.broken = False


def run_tests(targets: list[str | None], config: Config, verbose: bool) -> None:
    """Test each of ``targets`` (a file, a folder, a ``builtin:`` pack; None: the
    configured policy) and exit with the code the module's docstring gives."""
    tally = _Tally()
    for target in targets:
        if target is not None and Path(target).is_dir():
            _test_folder(Path(target), config, verbose, tally)
        else:
            _test_policy(target, config, verbose, tally)
    click.echo(f"{tally.total - tally.failed} passed, {tally.failed} failed")
    sys.exit(EXIT_ERROR if tally.broken else EXIT_FINDINGS if tally.failed else EXIT_CLEAN)


def folder_packs(folder: Path) -> list[Path]:
    """``folder`` and its subfolders that hold ``*.policy`` files (each a folder pack), in
    path order; hidden folders (``.git``, ``.venv``) are left out."""
    found = {folder} if any(folder.glob("*.policy")) else set()
    for path in folder.rglob("*.policy"):
        inside = path.relative_to(folder).parts
        if path.is_file() and not any(part.startswith(".") for part in inside):
            found.add(path.parent)
    return sorted(found)


def _test_folder(folder: Path, config: Config, verbose: bool, tally: _Tally) -> None:
    packs = folder_packs(folder)
    if not packs:
        click.echo(f"{folder}: no *.policy file in this folder or below", err=True)
        tally.broken = True
    for pack in packs:
        results = _examples(str(pack), config, tally)
        if results is None:
            click.echo(f"{pack}{os.sep}: does not load (above)")
            continue
        # Only the pack's own rules: what its files extend is tested where it is written.
        by_file: dict[Path, list[ExampleResult]] = {
            path.resolve(): [] for path in sorted(pack.glob("*.policy"))
        }
        for result in results:
            own = by_file.get(Path(result.path).resolve()) if result.path else None
            if own is not None:
                own.append(result)
        for path in sorted(pack.glob("*.policy")):
            own = by_file[path.resolve()]
            failed = _report(own, verbose, tally)
            click.echo(f"{path}: {len(own) - failed} passed, {failed} failed")


def _test_policy(target: str | None, config: Config, verbose: bool, tally: _Tally) -> None:
    results = _examples(target, config, tally)
    if results is not None:
        _report(results, verbose, tally)


def _examples(target: str | None, config: Config, tally: _Tally) -> list[ExampleResult] | None:
    """The results of ``target``'s examples (None: it does not load, which is reported)."""
    loaded = policy_or_error(target, config)
    if isinstance(loaded, str):
        click.echo(loaded, err=True)
        tally.broken = True
        return None
    return loaded.run_examples()


def _report(results: list[ExampleResult], verbose: bool, tally: _Tally) -> int:
    """Print the failures among ``results`` (and the passes if ``verbose``), count them,
    and return how many failed."""
    failed = 0
    for result in results:
        if not result.passed:
            failed += 1
            click.echo(_failure(result))
        elif verbose:
            click.echo(f"ok    {result.rule}: {_as_written(result)}")
    tally.total += len(results)
    tally.failed += failed
    return failed


def _as_written(result: ExampleResult) -> str:
    """The example as the policy writes it, so that the line can be found (and copied)."""
    from policylint._lang.render import example_context, render_value

    context = example_context(result.platform, result.meta)
    return " ".join(filter(None, ["example", result.expect, render_value(result.text), context]))


def _failure(result: ExampleResult) -> str:
    what = (
        "expected a finding, found none"
        if result.expect == "fail"
        else "expected no finding, found: " + ", ".join(repr(f) for f in result.found)
    )
    return f"FAIL  {result.path}:{result.line}: {result.rule}: {_as_written(result)}: {what}"
