"""``policylint check``: read the files, check their posts, fix, report, exit.

Both front ends call :func:`run_check`: the click application (:mod:`policylint._cli.app`)
and the console script's fast path (:mod:`policylint._cli.entrypoint`), which reads a plain
``policylint check ...`` itself so that a pre-commit run does not pay for importing click.
Nothing here imports click. The checking itself is the pipeline's, the same as the
library's (:mod:`policylint._pipeline`); what this module adds is the command line's: the
files named or found, each file's configuration (:mod:`policylint._cli.contexts`), standard
input, ``--fix`` and ``--diff``, the report and the exit code (:mod:`policylint._cli.exits`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from policylint._cli.contexts import (
    STDIN,
    Context,
    Contexts,
    Request,
    display,
    make_resolver,
    misspelt_platform,
    parse_meta,
)
from policylint._cli.exits import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, fail
from policylint._cli.options import CheckOptions
from policylint._cli.output import (
    Output,
    OutputFailed,
    Progress,
    Run,
    escape_lone_surrogates,
    write_report,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

    from policylint._config.config import ConfigResolver
    from policylint._model.posts import Post
    from policylint._model.reports import Finding
    from policylint.sources.discover import Skip

__all__ = ["request_for", "run_check"]


def run_check(options: CheckOptions) -> NoReturn:
    """Check posts in ``options.paths`` (files, folders, or - for stdin), report, and exit
    with the exit code."""
    from policylint._config.config import ConfigError

    output_format, statistics = options.output_format, options.statistics
    fix, diff = options.fix, options.diff
    if statistics and output_format not in ("text", "json"):
        fail("error: --statistics works with --format text or json")
    if options.diff and (statistics or output_format != "text" or options.output):
        # The diff goes to stdout as a patch: a report format or file would be ignored.
        fail(
            "error: --diff prints a unified diff: --format, --output and --statistics "
            "do not apply to it"
        )
    hint = misspelt_platform(options.platform)
    if hint:
        fail(f"error: --platform {options.platform!r} is not a platform policylint knows{hint}")
    fail_on = options.fail_on
    if options.exit_zero:
        if fail_on not in (None, "never"):
            fail(f"error: --exit-zero and --fail-on {fail_on} contradict each other")
        fail_on = "never"
    request = request_for(options, fail_on)
    paths = options.paths
    escape_lone_surrogates(sys.stdout)
    if not paths:
        if sys.stdin is None or sys.stdin.isatty():
            fail("error: no input; pass files or folders, or - to read a post from stdin")
        paths = ("-",)

    resolver = make_resolver(options.config_file, options.isolated)
    contexts = Contexts(resolver, request)
    run = Run()
    # JSON Lines is written as the posts are checked: memory stays flat on any archive.
    streaming = output_format == "jsonl" and not statistics and not diff
    output: Output | None = None
    if streaming:
        output = Output.open(options.output) if options.output else None
        run.stream = output.stream if output is not None else sys.stdout
    try:
        try:
            targets = _inputs(paths, resolver, run, force_exclude=options.force_exclude)
            _report_skipped(run.skipped, options.verbose, options.quiet)
            _check_targets(targets, contexts, run, options)
            if not run.files:
                # Nothing to check is no reason to pass a broken selection or policy.
                contexts.context(None)
        except ConfigError as error:
            fail(str(error))
        except OutputFailed as failure:
            if output is None:  # stdout
                reason = failure.error.strerror or failure.error
                fail(f"error: cannot write the report: {reason}")
            output.failed(failure.error)
    except BaseException:
        if output is not None:
            output.discard()  # the previous report stays as it was
        raise
    if output is not None:
        output.commit()

    if diff:
        _finish_diff(run, unsafe=options.unsafe_fixes, quiet=options.quiet)
    if fix and (run.fixed or run.notes):
        for note in run.notes:
            print(note, file=sys.stderr)
        if not options.quiet:
            print(
                f"Fixed {run.fixed} finding{'s' if run.fixed != 1 else ''} in "
                f"{run.fixed_files} file{'s' if run.fixed_files != 1 else ''}.",
                file=sys.stderr,
            )
    if not streaming:
        write_report(run, contexts, options)
    if run.had_errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if run.failing else EXIT_CLEAN)


def request_for(options: CheckOptions, fail_on: str | None) -> Request:
    """What the command line asks of the configuration, from ``check``'s options (and
    ``score``'s, which check posts the same way)."""
    from policylint._limits import MAX_POST_CHARS

    max_post_chars = options.max_post_chars
    return Request(
        policy=options.policy,
        select=options.select,
        extend_select=options.extend_select,
        ignore=options.ignore,
        platform=options.platform,
        meta=parse_meta(options.meta_pairs),
        fail_on=fail_on,
        report_unused=options.report_unused_waivers,
        unsafe_fixes=options.unsafe_fixes,
        max_post_chars=MAX_POST_CHARS if max_post_chars is None else max_post_chars,
        jobs=options.jobs,
    )


def _check_targets(
    targets: Sequence[str], contexts: Contexts, run: Run, options: CheckOptions
) -> None:
    from policylint.sources import format_for, read_path

    fix, diff, stdin_filename = options.fix, options.diff, options.stdin_filename
    # --quiet: no progress line either (a total of one file never shows one).
    progress = Progress(1 if options.quiet else sum(1 for t in targets if t != "-"))
    try:
        for target in targets:
            if target == "-":
                _check_stdin(contexts, run, stdin_filename)
                continue
            context = contexts.context(target)
            run.files += 1
            if fix or diff:
                fixed_posts = _fix_one(target, contexts, context, run, write=not diff)
                if fixed_posts is not None:
                    progress.advance(fixed_posts)
                    continue
            if format_for(target) == "jsonl":
                progress.advance(_check_jsonl(target, contexts, context, run))
                continue
            read = read_path(target, default_platform=context.platform, default_meta=context.meta)
            results = list(contexts.results(context, [*read.errors, *read.posts]))
            run.add(contexts, context, results)
            progress.advance(sum(result.error is None for result in results))
    finally:
        progress.done()


def _check_jsonl(target: str, contexts: Contexts, context: Context, run: Run) -> int:
    """Check a JSON Lines file read piece by piece (an archive may not fit in memory), each
    result reported as it comes; the number of posts checked."""
    from policylint.sources.stream import iter_jsonl

    items = iter_jsonl(target, default_platform=context.platform, default_meta=context.meta)
    checked = 0
    for result in contexts.results(context, items):
        if result.error is not None:
            run.add_error(result.error)
        else:
            assert result.post is not None  # a result without an error is a post's
            run.add_post(contexts, context, result.post, result.findings)
            checked += 1
    return checked


def _check_stdin(contexts: Contexts, run: Run, stdin_filename: str | None) -> None:
    from policylint._model.posts import InputError

    label = stdin_filename or STDIN
    context = contexts.context(stdin_filename)
    run.files += 1
    data = sys.stdin.buffer.read() if sys.stdin is not None else b""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        run.add_error(InputError(path=label, message=f"invalid UTF-8: {error}"))
        return
    if stdin_filename is None:
        from policylint.sources import read_text

        read = read_text(
            text, path=label, default_platform=context.platform, default_meta=context.meta
        )
        run.add(contexts, context, contexts.results(context, [*read.errors, *read.posts]))
    else:
        run.add(contexts, context, contexts.check_text(label, text, context))
    run.sources[label] = text


def _fix_one(
    path: str, contexts: Contexts, context: Context, run: Run, *, write: bool
) -> int | None:
    """Fix (or diff) one file and add what is left to the run; the number of its posts, or
    None if it cannot be read for fixing (it is then checked the ordinary way, which
    reports why)."""
    from policylint._pipeline.fixes import FixError, fix_file, load_source, unified_diff

    try:
        source = load_source(path)
    except FixError:
        return None
    unsafe = contexts.request.unsafe_fixes

    def allowed(finding: Finding) -> bool:
        info = context.checker.table.rules.get(finding.rule)
        return info is not None and (info.fix_safe or unsafe)

    def check(text: str) -> list[tuple[Post, list[Finding]]]:
        results = contexts.check_text(path, text, context)
        return [(r.post, r.findings) for r in results if r.post is not None and r.error is None]

    result = fix_file(
        path,
        check,
        allowed=allowed,
        rescan=context.checker.rescan,
        write=write,
        source=source,
    )
    if result.problem:
        run.notes.append(f"{path}: {'error: ' if result.failed else ''}{result.problem}")
        run.unfixed += result.failed
    if result.changed:
        run.diffs.append(unified_diff(display(path), source.text, result.text))
        run.fixed += len(result.applied)
        run.fixed_files += 1
    results = contexts.check_text(path, result.text, context)
    run.add(contexts, context, results)
    return sum(r.error is None for r in results)


def _finish_diff(run: Run, *, unsafe: bool, quiet: bool) -> NoReturn:
    for patch in run.diffs:
        sys.stdout.write(patch)
    sys.stdout.flush()  # the diff, then the notes, in that order even when both are piped
    for note in run.notes:
        print(note, file=sys.stderr)
    if quiet:
        pass
    elif run.diffs:
        # The command that applies exactly this diff: unsafe fixes need their flag too.
        apply = "--fix --unsafe-fixes" if unsafe else "--fix"
        print(
            f"Would fix {run.fixed} finding{'s' if run.fixed != 1 else ''} in "
            f"{run.fixed_files} file{'s' if run.fixed_files != 1 else ''} "
            f"(run with {apply} to apply).",
            file=sys.stderr,
        )
    else:
        print("No fixes to apply.", file=sys.stderr)
    if run.errors:
        for error in run.errors:
            print(
                f"{error.path}:{error.line}:{error.column}: input-error {error.message}",
                file=sys.stderr,
            )
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if run.diffs else EXIT_CLEAN)


def _inputs(
    paths: Sequence[str], resolver: ConfigResolver, run: Run, *, force_exclude: bool = False
) -> list[str]:
    """The files to check (and ``-`` for stdin): ``exclude`` applied, and of the files of a
    folder (of every file, with ``force_exclude``) only content (sources.discover)."""
    from policylint._model.posts import InputError
    from policylint.sources import discover
    from policylint.sources.discover import skip_reason

    targets: list[str] = []
    for raw in paths:
        if raw == "-":
            targets.append(raw)
            continue
        path = Path(raw)
        if not path.exists():
            run.add_error(InputError(path=raw, message="no such file or folder"))
            continue
        walked = path.is_dir()
        for target in discover([path]) if walked else [path]:
            config = resolver.for_file(target)
            skip = skip_reason(target, config, chosen=walked or force_exclude)
            if skip is None:
                targets.append(str(target))
            else:
                run.skipped.append(skip)
    return targets


def _report_skipped(skipped: Sequence[Skip], verbose: bool, quiet: bool) -> None:
    """On stderr: each skipped file with --verbose; else, unless --quiet, how many were
    judged not posts by their contents (a rule of thumb, so never silent), if any."""
    if verbose:
        for skip in skipped:
            print(f"policylint: skipped {skip.path}: {skip.reason}", file=sys.stderr)
        return
    count = sum(skip.by_contents for skip in skipped)
    if count and not quiet:
        files = "file that holds" if count == 1 else "files that hold"
        print(f"policylint: skipped {count} {files} no post (-v lists them)", file=sys.stderr)
