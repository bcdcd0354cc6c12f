"""What each checked file's configuration asks for: its policy selection, its defaults, its
waiver options, as a :class:`Context` with the pipeline's checker for it.

A run loads each policy once and each selection once (:class:`Contexts`), and checks every
selector and platform of the command line and of each configuration against the policy
once: a misspelt one is an error (exit 2) with a "did you mean", never a quiet no-op.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from policylint._cli.exits import fail
from policylint._model.struct import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint._config.config import Config, ConfigResolver
    from policylint._model.posts import InputError, Post
    from policylint._model.reports import Finding, PostResult
    from policylint._model.rules import RuleInfo
    from policylint._pipeline.policy import Policy
    from policylint._pipeline.run import PostChecker

__all__ = [
    "STDIN",
    "Context",
    "Contexts",
    "Request",
    "config_or_fail",
    "display",
    "make_resolver",
    "misspelt_platform",
    "parse_meta",
    "policy_or_error",
    "policy_or_fail",
]

STDIN = "<stdin>"

#: The threshold of ``--fail-on never``: above every severity's rank.
_NEVER = 99

# Below this many posts in one file, starting worker processes costs more than it saves.
_POOL_MIN_POSTS = 1000


def make_resolver(config_file: str | None, isolated: bool) -> ConfigResolver:
    from policylint._config.config import ConfigResolver

    if config_file and isolated:
        # Honouring either silently would check with settings the user did not ask for.
        fail(
            f"error: --config {config_file} and --isolated contradict each other: "
            "--isolated ignores every configuration file; drop one of them"
        )
    return ConfigResolver(Path(config_file) if config_file else None, isolated=isolated)


def config_or_fail(config_file: str | None, isolated: bool) -> Config:
    from policylint._config.config import ConfigError

    try:
        return make_resolver(config_file, isolated).for_cwd()
    except ConfigError as error:
        fail(str(error))


def policy_or_fail(policy: str | None, config: Config) -> Policy:
    loaded = policy_or_error(policy, config)
    if isinstance(loaded, str):
        fail(loaded)
    return loaded


def policy_or_error(policy: str | None, config: Config) -> Policy | str:
    """The policy, or its diagnostics rendered (a broken policy file: ``policylint test``
    of a folder reports it and goes on with the other files). A configuration mistake
    still ends the run."""
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
        return error.render()
    for warning in loaded.warnings:  # a regex that may silently miss (PL3xx)
        print(warning.render() + "\n", file=sys.stderr)
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


class Request(NamedTuple):
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


class Context(NamedTuple):
    """Everything needed to check one file: its configuration applied to the request."""

    config: Config
    #: The policy's pipeline for this file: its selection, its waiver options.
    checker: PostChecker
    platform: str | None
    meta: dict[str, Any]
    #: The lowest severity rank that fails the check (above error's: ``never``).
    threshold: int


class Contexts:
    """Loads each policy and selection once, and gives each file its :class:`Context`."""

    def __init__(self, resolver: ConfigResolver, request: Request) -> None:
        self.resolver = resolver
        self.request = request
        self._policies: dict[str, tuple[Policy, list[RuleInfo]]] = {}
        self._contexts: dict[str, Context] = {}
        #: (configuration file, policy) pairs whose selectors have been checked.
        self._validated: set[tuple[Path | None, str]] = set()
        #: Every rule that ran on some file, for reporters that describe rules (SARIF).
        self.rules: dict[str, RuleInfo] = {}
        #: Every rule of the policies loaded, selected or not (``score`` tells a label of
        #: a rule left out from a misspelt one).
        self.known: dict[str, RuleInfo] = {}

    def context(self, path: str | None) -> Context:
        from policylint._model.severity import Severity
        from policylint._pipeline.policy import checker_of
        from policylint._pipeline.waivers import WaiverOptions

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
            [policy_key, select, ignore, platform, meta, fail_on, *waivers],
            sort_keys=True,
            default=str,
        )
        cached = self._contexts.get(key)
        if cached is not None:
            return cached
        from policylint._pipeline.policy import rules_to_check

        loaded, infos = self._policy(policy_key, source, config)
        self._check_names(config, policy_key, source, infos)
        selected = _selected(
            loaded, infos, select, ignore, path, source, configured=config.path is not None
        )
        self.rules.update((info.id, info) for info in rules_to_check(selected))
        context = Context(
            config=config,
            checker=checker_of(selected).with_options(waivers),
            platform=platform,
            meta=meta,
            threshold=_NEVER if fail_on == "never" else Severity(fail_on).rank,
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
                fail(_render_selector_error(error, display(str(config.path)), where))
        platforms = [("platform", config.platform)]
        platforms += [
            (f"overrides[{number}].platform", override.platform)
            for number, override in enumerate(config.overrides, start=1)
        ]
        for key, value in platforms:
            hint = misspelt_platform(value)
            if hint and value is not None:
                where = config.locate(key, value)
                place = display(str(config.path)) + (f":{where[0]}:{where[1]}" if where else "")
                fail(f"{place}: error: '{key}' {value!r} is not a platform policylint knows{hint}")

    def _policy(
        self, key: str, source: str | None, config: Config
    ) -> tuple[Policy, list[RuleInfo]]:
        if key not in self._policies:
            from policylint._pipeline.policy import rules_to_check

            loaded = policy_or_fail(source, config)
            infos = rules_to_check(loaded)
            self._policies[key] = (loaded, infos)
            self.known.update((info.id, info) for info in infos)
        return self._policies[key]

    def results(self, context: Context, items: Iterable[Post | InputError]) -> Iterator[PostResult]:
        """Check posts as they come (lazily, on the pool with --jobs), a result for each in
        input order; read errors in ``items`` keep their place, and a post longer than
        --max-post-chars is an input error (accounted for, never silently dropped)."""
        from policylint._pipeline.run import check_stream

        return check_stream(
            context.checker,
            items,
            jobs=self.request.jobs or None,
            max_post_chars=self.request.max_post_chars,
            limit_name="--max-post-chars",
            min_pool_posts=_POOL_MIN_POSTS,
        )

    def check_text(self, path: str, text: str, context: Context) -> list[PostResult]:
        """The results of the posts of ``text`` read as the file ``path``, read errors
        included."""
        from policylint.sources import format_for, read_text

        read = read_text(
            text,
            path=path,
            format=format_for(path) or "txt",
            default_platform=context.platform,
            default_meta=context.meta,
        )
        return list(self.results(context, [*read.errors, *read.posts]))

    def fix_kind(self, context: Context, post: Post, finding: Finding) -> str | None:
        """ "safe" or "unsafe" when --fix can fix the finding, else None."""
        source = post.source
        if finding.suggestion is None or source is None or not source.verbatim:
            return None  # the common case, decided without importing the fixer
        from policylint._pipeline.fixes import fixable

        if not fixable(finding):
            return None
        if source.path == STDIN:
            return None
        info = context.checker.table.rules.get(finding.rule)
        if info is None:
            return None
        return "safe" if info.fix_safe else "unsafe"


def misspelt_platform(value: str | None) -> str | None:
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
    return source if source.startswith("builtin:") else display(source)


def display(path: str) -> str:
    from policylint.reporters.columns import display_path

    return display_path(path)


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
    what = "stdin" if path is None else display(path)
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
