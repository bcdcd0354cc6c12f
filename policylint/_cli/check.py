"""The ``check`` command's work, apart from the command-line parser.

Both front ends call ``run_check``: the click application (``policylint._cli.app``) and the
fast path of the console script (``policylint._cli.entrypoint``), which parses a plain
``policylint check ...`` itself so that a pre-commit run does not pay for importing click.
Nothing here imports click.

Exit codes (like every linter): 0 clean; 1 findings at or above ``--fail-on``; 2 a usage,
configuration, policy or input error (an input that could not be checked wins over 1, so a
broken file is never mistaken for a clean one); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from policylint._model.struct import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn, TextIO

    from policylint._config.config import Config, ConfigResolver
    from policylint._model.posts import InputError, Post
    from policylint._model.reports import Finding
    from policylint._model.rules import RuleInfo
    from policylint._pipeline.atomicfile import AtomicFile
    from policylint._pipeline.policy import Policy
    from policylint._pipeline.waivers import AuditedFinding, RuleTable, WaiverOptions
    from policylint.sources.discover import Skip

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
#: Ctrl-C: 128 + SIGINT, as shells report a process the signal stopped (not 1, "findings").
EXIT_INTERRUPTED = 130
SEVERITIES = ("error", "warning", "info")
#: ``--fail-on``'s values: a severity, or ``never`` (``--exit-zero``: findings never fail).
FAIL_ON = (*SEVERITIES, "never")
FORMATS = ("text", "json", "jsonl", "sarif", "github", "rdjson")
_STDIN = "<stdin>"
# Formats that keep waived findings (marked "waived": true): the audit trail. The others
# are read by code-review tools that would show them as problems.
_AUDIT_FORMATS = ("text", "json", "jsonl")


def fail(message: str) -> NoReturn:
    """Print ``message`` on stderr and exit with the error code."""
    print(message, file=sys.stderr)
    sys.exit(EXIT_ERROR)


# ---------------------------------------------------------------------------- loading


def make_resolver(config_file: str | None, isolated: bool) -> ConfigResolver:
    from policylint._config.config import ConfigResolver

    return ConfigResolver(Path(config_file) if config_file else None, isolated=isolated)


def config_or_fail(config_file: str | None, isolated: bool) -> Config:
    from policylint._config.config import ConfigError

    try:
        return make_resolver(config_file, isolated).for_cwd()
    except ConfigError as error:
        fail(str(error))


def policy_or_fail(policy: str | None, config: Config) -> Policy:
    from policylint._api import load_policy

    source = policy or config.policy_path()
    try:
        loaded = load_policy(source, settings=dict(config.settings))
    except Exception as error:
        # imported only now: a cached policy never needs the language's error classes
        from policylint._model.errors import PolicyError

        if not isinstance(error, PolicyError):
            raise
        if all(d.path == "<settings>" for d in error.diagnostics):
            # a setting the policy does not declare: say so naming the configuration file
            _check_config_settings(config, load_policy(source))
        fail(error.render())
    # The command line owns its process: move the policy's objects out of the collector's
    # sight, so a long run's full collections do not walk them again and again; the start
    # is over (policylint._cli.startup).
    from policylint._cli import startup

    startup.end()
    _check_config_settings(config, loaded)
    return loaded


def _check_config_settings(config: Config, loaded: Policy) -> None:
    """Fail on an ``[organisation]``/``[thresholds]`` key ``loaded`` does not declare."""
    from policylint._config.config import ConfigError

    if config.settings:
        from policylint._cli.scaffold import setting_names

        declared = setting_names(loaded.files)
        if declared is not None:
            try:
                config.check_settings(declared)
            except ConfigError as error:
                fail(str(error))


def parse_meta(pairs: Sequence[str]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"error: --meta takes key=value, not '{pair}'")
        lowered = value.strip().lower()
        parsed: Any = value
        if lowered in ("true", "false"):
            parsed = lowered == "true"
        target = meta
        parts = key.removeprefix("meta.").split(".")
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = parsed
    return meta


# ---------------------------------------------------------------------------- check


class _Request(NamedTuple):
    """What the command line asks for, on top of the configuration."""

    policy: str | None
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    platform: str | None
    meta: dict[str, Any]
    fail_on: str | None
    report_unused: bool
    unsafe_fixes: bool
    max_post_chars: int = 0
    jobs: int = 1
    extend_select: tuple[str, ...] = ()


#: The threshold of ``--fail-on never``: above every severity's rank.
_NEVER = 99

# Below this many posts in one file, starting worker processes costs more than it saves.
_POOL_MIN_POSTS = 1000


class _Context(NamedTuple):
    """Everything needed to check one file: its configuration applied to the request."""

    config: Config
    policy: Policy
    table: RuleTable
    platform: str | None
    meta: dict[str, Any]
    #: The lowest severity rank that fails the check (above error's: ``never``).
    threshold: int
    waivers: WaiverOptions
    #: Each rule alone, as ``stable`` checks a fix with it (filled on first use).
    single: dict[str, Policy]


class _Checker:
    """Loads each policy and selection once, and checks posts with waivers applied."""

    def __init__(self, resolver: ConfigResolver, request: _Request) -> None:
        self.resolver = resolver
        self.request = request
        self._policies: dict[str, tuple[Policy, list[RuleInfo]]] = {}
        self._contexts: dict[str, _Context] = {}
        #: (configuration file, policy) pairs whose selectors have been checked.
        self._validated: set[tuple[Path | None, str]] = set()
        #: Every rule that ran on some file, for reporters that describe rules (SARIF).
        self.rules: dict[str, RuleInfo] = {}

    def context(self, path: str | None) -> _Context:
        import json

        from policylint._model.severity import Severity
        from policylint._pipeline.waivers import RuleTable, WaiverOptions

        config = self.resolver.for_file(path) if path is not None else self.resolver.for_cwd()
        options = config.for_path(path)
        request = self.request
        source = request.policy or config.policy_path()
        policy_key = json.dumps([source, config.settings], sort_keys=True, default=str)
        if request.select:
            select: tuple[str, ...] = request.select + request.extend_select
        elif options.select:
            select = options.select + options.extend_select + request.extend_select
        else:
            select = ()  # every rule: extending it adds nothing
        ignore = options.ignore + request.ignore
        platform = request.platform or options.platform
        meta = {**options.meta, **request.meta}
        fail_on = request.fail_on or config.fail_on
        waivers = WaiverOptions(
            require_reason=config.waivers.require_reason,
            report_unused=request.report_unused or config.waivers.report_unused,
        )
        key = json.dumps(
            [
                policy_key,
                select,
                ignore,
                platform,
                meta,
                fail_on,
                waivers.require_reason,
                waivers.report_unused,
            ],
            sort_keys=True,
            default=str,
        )
        cached = self._contexts.get(key)
        if cached is not None:
            return cached
        loaded, infos = self._policy(policy_key, source, config)
        self._check_names(config, policy_key, source, infos)
        selected = _selected(
            loaded, infos, select, ignore, path, source, configured=config.path is not None
        )
        selected_infos = infos if selected is loaded else selected.rules
        self.rules.update((info.id, info) for info in selected_infos)
        context = _Context(
            config=config,
            policy=selected,
            table=RuleTable(infos, (r.id for r in selected_infos)),
            platform=platform,
            meta=meta,
            threshold=_NEVER if fail_on == "never" else Severity(fail_on).rank,
            waivers=waivers,
            single={},
        )
        self._contexts[key] = context
        return context

    def _check_names(
        self, config: Config, policy_key: str, source: str | None, infos: list[RuleInfo]
    ) -> None:
        """Fail (exit 2) on a selector of the command line or of ``config`` (overrides
        included, whichever files they are for) that names no rule of the policy, and on a
        configured platform that is a misspelt known one: a typo must not quietly check
        less, or nothing."""
        if (config.path, policy_key) in self._validated:
            return
        self._validated.add((config.path, policy_key))
        from policylint._pipeline.selection import SelectorError, check_selectors

        policy = _policy_name(source)
        request = self.request
        try:
            for option, selectors in (
                ("--select", request.select),
                ("--extend-select", request.extend_select),
                ("--ignore", request.ignore),
            ):
                check_selectors(selectors, infos, origin=option, policy=policy)
        except SelectorError as error:
            fail(_render_selector_error(error))
        if config.path is None:
            return
        for key, selectors in config.selector_lists():
            try:
                check_selectors(selectors, infos, origin=f"'{key}' entry", policy=policy)
            except SelectorError as error:
                assert error.selector is not None
                where = config.locate(key, error.selector)
                fail(_render_selector_error(error, _display(str(config.path)), where))
        platforms = [("platform", config.platform)]
        platforms += [
            (f"overrides[{number}].platform", override.platform)
            for number, override in enumerate(config.overrides, start=1)
        ]
        for key, value in platforms:
            hint = _misspelt_platform(value)
            if hint and value is not None:
                where = config.locate(key, value)
                place = _display(str(config.path)) + (f":{where[0]}:{where[1]}" if where else "")
                fail(f"{place}: error: '{key}' {value!r} is not a platform policylint knows{hint}")

    def _policy(
        self, key: str, source: str | None, config: Config
    ) -> tuple[Policy, list[RuleInfo]]:
        if key not in self._policies:
            loaded = policy_or_fail(source, config)
            self._policies[key] = (loaded, loaded.rules)
        return self._policies[key]

    def check_post(self, context: _Context, post: Post) -> list[AuditedFinding]:
        from policylint._pipeline.waivers import check_post

        return check_post(context.policy, post, context.table, context.waivers)

    def check_posts(
        self, context: _Context, posts: Sequence[Post], errors: list[InputError]
    ) -> list[tuple[Post, list[AuditedFinding]]]:
        """Check every post; input errors are added to ``errors``."""
        from policylint._model.posts import InputError

        pairs = []
        for item in self.iter_checked(context, posts):
            if isinstance(item, InputError):
                errors.append(item)
            else:
                pairs.append(item)
        return pairs

    def iter_checked(
        self, context: _Context, items: Iterable[Post | InputError]
    ) -> Iterator[tuple[Post, list[AuditedFinding]] | InputError]:
        """Check posts as they come (lazily, on the pool with --jobs), yielding each post's
        findings or error in input order; read errors in ``items`` keep their place. A post
        longer than --max-post-chars becomes an input error instead (it is accounted for,
        never silently dropped)."""
        from collections import deque

        from policylint._model.posts import InputError

        limit = self.request.max_post_chars
        # Errors met while reading, each with the number of posts read before it.
        held: deque[tuple[int, InputError]] = deque()
        admitted_count = 0

        def admitted() -> Iterator[Post]:
            nonlocal admitted_count
            for item in items:
                if isinstance(item, InputError):
                    held.append((admitted_count, item))
                elif limit and len(item.text) > limit:
                    held.append((admitted_count, _too_long(item, limit)))
                else:
                    admitted_count += 1
                    yield item

        results: Iterator[tuple[int, Post, list[AuditedFinding] | InputError]]
        # A few posts (a pre-commit run) are checked here: no pool, not even its import.
        few = isinstance(items, Sequence) and len(items) < _POOL_MIN_POSTS
        if self.request.jobs == 1 or few:
            results = (
                (index, post, self.check_post(context, post))
                for index, post in enumerate(admitted())
            )
        else:
            import functools

            from policylint._pipeline.parallel import scan_many
            from policylint._pipeline.waivers import check_post

            work = functools.partial(check_post, rules=context.table, options=context.waivers)
            scanned = scan_many(
                context.policy,
                admitted(),
                jobs=self.request.jobs or None,
                check=work,
                min_pool_posts=_POOL_MIN_POSTS,
            )
            results = ((item.index, item.post, item.result) for item in scanned)
        for index, post, result in results:
            while held and held[0][0] <= index:
                yield held.popleft()[1]
            yield result if isinstance(result, InputError) else (post, result)
        for _, error in held:
            yield error

    def check_text(
        self, path: str, text: str, context: _Context
    ) -> tuple[list[tuple[Post, list[AuditedFinding]]], list[InputError]]:
        from policylint.sources import format_for, read_text

        result = read_text(
            text,
            path=path,
            format=format_for(path) or "txt",
            default_platform=context.platform,
            default_meta=context.meta,
        )
        errors = list(result.errors)
        return self.check_posts(context, result.posts, errors), errors

    def fix_kind(self, context: _Context, post: Post, finding: Finding) -> str | None:
        """ "safe" or "unsafe" when --fix can fix the finding, else None."""
        source = post.source
        if finding.suggestion is None or source is None or not source.verbatim:
            return None  # the common case, decided without importing the fixer
        from policylint._pipeline.fixes import fixable

        if not fixable(finding):
            return None
        if source.path == _STDIN:
            return None
        info = context.table.rules.get(finding.rule)
        if info is None:
            return None
        return "safe" if info.fix_safe else "unsafe"

    def rescan(self, context: _Context, post: Post, rule: str, text: str) -> list[Finding]:
        """The findings of ``rule`` alone on ``post`` with ``text`` for its text (whether
        the rule's fixes settle, see ``fixes.fix_file``)."""
        if rule not in context.single:
            context.single[rule] = context.policy.select([rule])
        found = context.single[rule].scan(post.replace(text=text))
        return [f for f in found if f.rule == rule and f.field is None]


def _misspelt_platform(value: str | None) -> str | None:
    """A "did you mean" when ``value`` is not a known platform but close to one, else None.
    A platform policylint does not know is allowed (an organisation may publish on its
    intranet, and a rule may say ``platform == "intranet"``); a near miss of a known one
    ("twiter") is a typo that would quietly switch that platform's rules off."""
    if value is None:
        return None  # the common case, decided before importing the platforms' table
    from policylint._model.posts import PLATFORM_ALIASES, normalise_platform
    from policylint._text.platforms import LIMITS

    name = normalise_platform(value)
    if name is None or name in LIMITS:
        return None
    import difflib

    # Closer than did_you_mean's 0.6: "intranet" is not a misspelt "insta".
    close = difflib.get_close_matches(name, sorted({*LIMITS, *PLATFORM_ALIASES}), 1, 0.8)
    if not close:
        return None
    return (
        f"\n  = hint: did you mean '{close[0]}'? (a platform of your own is fine, but not "
        "one this close to a known one)"
    )


def _policy_name(source: str | None) -> str:
    """The policy as messages name it: ``builtin:NAME`` or its path."""
    if source is None:
        return "builtin:all"
    return source if source.startswith("builtin:") else _display(source)


def _render_selector_error(
    error: Exception, path: str | None = None, where: tuple[int, int] | None = None
) -> str:
    """A selector error as the command line prints it, ruff-style: the place (a
    configuration file, with line and column when known), the problem, the hint."""
    from policylint._pipeline.selection import SelectorError

    assert isinstance(error, SelectorError)
    place = ""
    if path is not None:
        place = f"{path}:{where[0]}:{where[1]}: " if where else f"{path}: "
    text = f"{place}error: {error.problem}"
    if error.hint:
        text += f"\n  = hint: {error.hint}"
    return text


def _selected(
    loaded: Policy,
    infos: list[RuleInfo],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    path: str | None,
    source: str | None,
    configured: bool,
) -> Policy:
    """``loaded`` narrowed to the selection; fail (exit 2) when no rule would be left, as a
    check that runs no rule is never a pass."""
    what = "stdin" if path is None else _display(path)
    if not infos:
        fail(f"error: {_policy_name(source)} has no rules: nothing would check {what}")
    if not select and not ignore:
        return loaded
    from policylint._pipeline.selection import SelectorError

    try:
        return loaded.select(select, ignore)
    except SelectorError:
        pass
    chosen = f"select {', '.join(select)}" if select else "every rule"
    fail(
        f"error: no rule is left to check {what}: {chosen} minus ignore {', '.join(ignore)} "
        f"leaves none of the {len(infos)} rules of {_policy_name(source)}"
        + (
            "\n  = hint: --select replaces the configuration's select and extend-select; "
            "--ignore adds to its ignore"
            if configured
            else ""
        )
    )


def _too_long(post: Post, limit: int) -> InputError:
    from policylint._model.posts import InputError

    where = post.source
    return InputError(
        path=where.path if where else _STDIN,
        line=where.line if where else 1,
        column=where.column if where else 1,
        message=f"post is {len(post.text)} characters; the limit is {limit} (--max-post-chars)",
    )


class _Progress:
    """``checked 120/800 files, 5000 posts`` on stderr, for runs long enough to wonder
    about: only on a terminal, only after half a second, at most ten updates a second."""

    def __init__(self, total: int) -> None:
        stream = sys.stderr
        self.enabled = (
            total > 1
            and stream is not None
            and stream.isatty()
            and os.environ.get("TERM") != "dumb"
        )
        self.total = total
        self.files = 0
        self.posts = 0
        self.started = time.monotonic()
        self.shown = 0.0

    def advance(self, posts: int) -> None:
        self.files += 1
        self.posts += posts
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < 0.5 or now - self.shown < 0.1:
            return
        self.shown = now
        sys.stderr.write(
            f"\r\033[2Kpolicylint: checked {self.files}/{self.total} files, {self.posts} posts"
        )
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled and self.shown:
            sys.stderr.write("\r\033[2K")
            sys.stderr.flush()


class _Run:
    """What a check run collected."""

    __slots__ = (
        "diffs",
        "errors",
        "failing",
        "files",
        "findings",
        "fixable",
        "fixed",
        "fixed_files",
        "notes",
        "post_texts",
        "posts",
        "posts_with_errors",
        "skipped",
        "sources",
        "stream",
        "streamed_errors",
        "unfixed",
        "unsafe_fixable",
    )

    def __init__(self) -> None:
        self.findings: list[AuditedFinding] = []
        self.errors: list[InputError] = []
        self.posts = 0
        #: Posts with an unwaived finding of severity error.
        self.posts_with_errors = 0
        self.files = 0
        self.failing = False
        self.fixable: set[Finding] = set()
        self.unsafe_fixable: set[Finding] = set()
        self.diffs: list[str] = []
        self.fixed = 0
        self.fixed_files = 0
        #: Files whose fixes could not be written (a full disk, a read-only file): exit 2.
        self.unfixed = 0
        self.notes: list[str] = []
        #: Files found or named that were not read (policylint.sources.discover).
        self.skipped: list[Skip] = []
        #: Texts read from stdin, by label, for the text report's excerpts.
        self.sources: dict[str, str] = {}
        #: The text of the post of each finding read from a record (JSON, CSV...), for the
        #: text report's excerpts: the post's line, not the raw record.
        self.post_texts: dict[Finding, str] = {}
        #: ``--format jsonl``: findings and errors are written here as they come, not held.
        self.stream: TextIO | None = None
        self.streamed_errors = 0

    @property
    def had_errors(self) -> bool:
        return bool(self.errors) or self.streamed_errors > 0 or self.unfixed > 0

    def add_error(self, error: InputError) -> None:
        if self.stream is None:
            self.errors.append(error)
            return
        from policylint.reporters.jsonl import write_error

        try:
            write_error(error, self.stream)
        except BrokenPipeError:
            raise  # the reader is gone (| head): the entry point ends the run quietly
        except OSError as failure:
            raise _OutputFailed(failure) from None
        self.streamed_errors += 1

    def add(
        self,
        checker: _Checker,
        context: _Context,
        pairs: Sequence[tuple[Post, Sequence[AuditedFinding]]],
        errors: Sequence[InputError],
    ) -> None:
        threshold = context.threshold
        stream = self.stream
        from policylint._model.reports import has_error

        if stream is not None:
            from policylint.reporters.jsonl import write_finding
        for post, findings in pairs:
            self.posts += 1
            self.posts_with_errors += has_error(findings)
            record = stream is None and bool(findings) and _from_record(post)
            for finding in findings:
                if stream is not None:
                    try:
                        write_finding(finding, stream)
                    except BrokenPipeError:
                        raise
                    except OSError as failure:
                        raise _OutputFailed(failure) from None
                else:
                    self.findings.append(finding)
                if record:
                    self.post_texts[finding] = post.text
                if finding.waived:
                    continue
                if finding.severity.rank >= threshold:
                    self.failing = True
                if stream is not None:
                    continue  # which findings --fix could fix is for the text report
                kind = checker.fix_kind(context, post, finding)
                if kind == "safe":
                    self.fixable.add(finding)
                elif kind == "unsafe":
                    (self.fixable if checker.request.unsafe_fixes else self.unsafe_fixable).add(
                        finding
                    )
        for error in errors:
            self.add_error(error)


#: Formats whose posts are records (a field of the file holds the text).
_RECORD_FORMATS = ("json", "jsonl", "csv", "yaml")


def _from_record(post: Post) -> bool:
    """Whether the post is a record's text rather than a whole file's (Markdown, text)."""
    from policylint.sources import format_for

    return post.source is not None and format_for(post.source.path) in _RECORD_FORMATS


def _inputs(
    paths: Sequence[str], resolver: ConfigResolver, run: _Run, *, force_exclude: bool = False
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


class CheckOptions(NamedTuple):
    """The ``check`` command's parameters, as the command line gives them (the names and
    defaults of its click options, which a test keeps in step)."""

    paths: tuple[str, ...] = ()
    policy: str | None = None
    output_format: str = "text"
    fail_on: str | None = None
    exit_zero: bool = False
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    platform: str | None = None
    meta_pairs: tuple[str, ...] = ()
    config_file: str | None = None
    isolated: bool = False
    output: str | None = None
    color: bool | None = None
    statistics: bool = False
    quiet: bool = False
    show_waived: bool = False
    report_unused_waivers: bool = False
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    stdin_filename: str | None = None
    jobs: int = 0
    max_post_chars: int | None = None
    force_exclude: bool = False
    verbose: bool = False


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
    hint = _misspelt_platform(options.platform)
    if hint:
        fail(f"error: --platform {options.platform!r} is not a platform policylint knows{hint}")
    fail_on = options.fail_on
    if options.exit_zero:
        if fail_on not in (None, "never"):
            fail(f"error: --exit-zero and --fail-on {fail_on} contradict each other")
        fail_on = "never"
    from policylint._limits import MAX_POST_CHARS

    max_post_chars = options.max_post_chars
    request = _Request(
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
    paths = options.paths
    _escape_lone_surrogates(sys.stdout)
    if not paths:
        if sys.stdin is None or sys.stdin.isatty():
            fail("error: no input; pass files or folders, or - to read a post from stdin")
        paths = ("-",)

    resolver = make_resolver(options.config_file, options.isolated)
    checker = _Checker(resolver, request)
    run = _Run()
    # JSON Lines is written as the posts are checked: memory stays flat on any archive.
    streaming = output_format == "jsonl" and not statistics and not diff
    output: _Output | None = None
    if streaming:
        output = _Output.open(options.output) if options.output else None
        run.stream = output.stream if output is not None else sys.stdout
    try:
        try:
            targets = _inputs(paths, resolver, run, force_exclude=options.force_exclude)
            _report_skipped(run.skipped, options.verbose, options.quiet)
            _check_targets(targets, checker, run, options)
            if not run.files:
                # Nothing to check is no reason to pass a broken selection or policy.
                checker.context(None)
        except ConfigError as error:
            fail(str(error))
        except _OutputFailed as failure:
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
        _report(run, checker, options)
    if run.had_errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if run.failing else EXIT_CLEAN)


def _escape_lone_surrogates(stream: TextIO | None) -> None:
    """A post read from JSON may hold a lone surrogate (``"\\ud800"``), which the engine
    matches around: the report writes it as that same escape instead of failing."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")


class _OutputFailed(Exception):
    """Writing the streamed report failed (a full disk, a file-size limit)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class _Output:
    """The ``--output`` file: written whole or not at all (:mod:`policylint._pipeline.atomicfile`).
    Any failure exits with the error code and leaves the previous report as it was."""

    def __init__(self, path: str, stream: TextIO, atomic: AtomicFile | None) -> None:
        self.path = path
        self.stream = stream
        self.atomic = atomic

    @classmethod
    def open(cls, path: str) -> _Output:
        from policylint._pipeline.atomicfile import open_output

        try:
            stream, atomic = open_output(path)
        except OSError as error:
            fail(f"error: cannot write {path}: {error.strerror or error}")
        return cls(path, stream, atomic)

    def commit(self) -> None:
        try:
            self.stream.flush()
            if self.atomic is None:
                self.stream.close()
            else:
                self.atomic.commit()
        except OSError as error:
            self.failed(error)

    def discard(self) -> None:
        import contextlib

        with contextlib.suppress(OSError, ValueError):  # what could not be flushed is dropped
            self.stream.close()
        if self.atomic is not None:
            self.atomic.discard()

    def failed(self, error: OSError) -> NoReturn:
        self.discard()
        fail(f"error: cannot write {self.path}: {error.strerror or error}")


def _check_targets(
    targets: Sequence[str], checker: _Checker, run: _Run, options: CheckOptions
) -> None:
    from policylint.sources import format_for, read_path

    fix, diff, stdin_filename = options.fix, options.diff, options.stdin_filename
    # --quiet: no progress line either (a total of one file never shows one).
    progress = _Progress(1 if options.quiet else sum(1 for t in targets if t != "-"))
    try:
        for target in targets:
            if target == "-":
                _check_stdin(checker, run, stdin_filename)
                continue
            context = checker.context(target)
            run.files += 1
            if fix or diff:
                fixed_posts = _fix_one(target, checker, context, run, write=not diff)
                if fixed_posts is not None:
                    progress.advance(fixed_posts)
                    continue
            if format_for(target) == "jsonl":
                progress.advance(_check_jsonl(target, checker, context, run))
                continue
            result = read_path(target, default_platform=context.platform, default_meta=context.meta)
            errors = list(result.errors)
            pairs = checker.check_posts(context, result.posts, errors)
            run.add(checker, context, pairs, errors)
            progress.advance(len(pairs))
    finally:
        progress.done()


def _check_jsonl(target: str, checker: _Checker, context: _Context, run: _Run) -> int:
    """Check a JSON Lines file read piece by piece (an archive may not fit in memory);
    the number of posts checked."""
    from policylint._model.posts import InputError
    from policylint.sources.stream import iter_jsonl

    items = iter_jsonl(target, default_platform=context.platform, default_meta=context.meta)
    checked = 0
    for item in checker.iter_checked(context, items):
        if isinstance(item, InputError):
            run.add_error(item)
        else:
            run.add(checker, context, (item,), ())
            checked += 1
    return checked


def _check_stdin(checker: _Checker, run: _Run, stdin_filename: str | None) -> None:
    from policylint._model.posts import InputError

    label = stdin_filename or _STDIN
    context = checker.context(stdin_filename)
    run.files += 1
    data = sys.stdin.buffer.read() if sys.stdin is not None else b""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        run.add_error(InputError(path=label, message=f"invalid UTF-8: {error}"))
        return
    if stdin_filename is None:
        from policylint.sources import read_text

        result = read_text(
            text, path=label, default_platform=context.platform, default_meta=context.meta
        )
        errors = list(result.errors)
        pairs = checker.check_posts(context, result.posts, errors)
        run.add(checker, context, pairs, errors)
    else:
        run.add(checker, context, *checker.check_text(label, text, context))
    run.sources[label] = text


def _fix_one(
    path: str, checker: _Checker, context: _Context, run: _Run, *, write: bool
) -> int | None:
    """Fix (or diff) one file and add what is left to the run; the number of its posts, or
    None if it cannot be read for fixing (it is then checked the ordinary way, which
    reports why)."""
    from policylint._pipeline.fixes import FixError, fix_file, load_source, unified_diff

    try:
        source = load_source(path)
    except FixError:
        return None
    unsafe = checker.request.unsafe_fixes

    def allowed(finding: Finding) -> bool:
        info = context.table.rules.get(finding.rule)
        return info is not None and (info.fix_safe or unsafe)

    def check(text: str) -> list[tuple[Post, list[AuditedFinding]]]:
        return checker.check_text(path, text, context)[0]

    result = fix_file(
        path,
        check,
        allowed=allowed,
        rescan=lambda post, rule, text: checker.rescan(context, post, rule, text),
        write=write,
        source=source,
    )
    if result.problem:
        run.notes.append(f"{path}: {'error: ' if result.failed else ''}{result.problem}")
        run.unfixed += result.failed
    if result.changed:
        run.diffs.append(unified_diff(_display(path), source.text, result.text))
        run.fixed += len(result.applied)
        run.fixed_files += 1
    pairs, errors = checker.check_text(path, result.text, context)
    run.add(checker, context, pairs, errors)
    return len(pairs)


def _display(path: str) -> str:
    from policylint.reporters.columns import display_path

    return display_path(path)


def _finish_diff(run: _Run, *, unsafe: bool, quiet: bool) -> NoReturn:
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


def _report(run: _Run, checker: _Checker, options: CheckOptions) -> None:
    from policylint._model.reports import Report

    output_format, output, color = options.output_format, options.output, options.color
    statistics = options.statistics

    active: list[Finding] = [f for f in run.findings if not f.waived]
    report = Report.counted(
        active, run.errors, run.posts, run.files, posts_with_errors=run.posts_with_errors
    )
    shown: list[Finding] = list(run.findings) if output_format in _AUDIT_FORMATS else active
    report.findings = shown

    def write(stream: TextIO, use_color: bool) -> None:
        if statistics:
            _write_statistics(
                report.findings, stream, output_format, use_color, run, quiet=options.quiet
            )
            return
        from policylint.reporters import render

        render(
            output_format,
            report,
            stream,
            color=use_color,
            sources=run.sources,
            rules=sorted(checker.rules.values(), key=lambda r: r.id),
            show_waived=options.show_waived,
            summary=not options.quiet,
            fixable=run.fixable,
            unsafe_fixable=run.unsafe_fixable,
            post_texts=run.post_texts,
        )

    if output:
        report_file = _Output.open(output)
        try:
            write(report_file.stream, bool(color))
        except OSError as error:
            report_file.failed(error)
        report_file.commit()
    else:
        try:
            write(sys.stdout, _use_color(color))
            sys.stdout.flush()
        except BrokenPipeError:
            raise  # the reader is gone (| head): the entry point ends the run quietly
        except OSError as error:
            fail(f"error: cannot write the report: {error.strerror or error}")


def _write_statistics(
    findings: Sequence[Finding],
    out: TextIO,
    output_format: str,
    color: bool,
    run: _Run,
    *,
    quiet: bool,
) -> None:
    if output_format == "json":
        import json

        counts: dict[str, dict[str, Any]] = {}
        for finding in findings:
            if getattr(finding, "waived", False):
                continue
            entry = counts.setdefault(
                finding.rule,
                {
                    "rule": finding.rule,
                    "severity": finding.severity.value,
                    "count": 0,
                    "fixable": 0,
                },
            )
            entry["count"] += 1
            entry["fixable"] += finding in run.fixable
        ordered = sorted(counts.values(), key=lambda e: (-e["count"], e["rule"]))
        json.dump(ordered, out, indent=2)
        out.write("\n")
        return
    from policylint.reporters.text import render_statistics

    render_statistics(findings, out, color=color, fixable=run.fixable, show_total=not quiet)


def _use_color(flag: bool | None) -> bool:
    """--color/--no-color, else NO_COLOR (set and not empty: never), else FORCE_COLOR (set,
    not empty, not 0/false: always), else whether stdout is a terminal (not TERM=dumb)."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force is not None and force != "":
        return force.lower() not in ("0", "false", "no")
    if os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout is not None and sys.stdout.isatty()
