"""The ``policylint`` command: a thin shell over the library API.

Exit codes (like every linter): 0 clean; 1 findings at or above ``--fail-on``; 2 a usage,
configuration, policy or input error (an input that could not be checked wins over 1, so a
broken file is never mistaken for a clean one).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from policylint.config import Config
    from policylint.engine import Policy
    from policylint.models import InputError, Post

__all__ = ["main"]

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_SEVERITIES = ("error", "warning", "info")


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(EXIT_ERROR)


def _load_config(config_file: str | None, isolated: bool) -> Config:
    from policylint.config import Config, ConfigError, discover_config, load_config

    if isolated:
        return Config()
    try:
        path = Path(config_file) if config_file else discover_config()
        return load_config(path) if path else Config()
    except ConfigError as error:
        _fail(str(error))


def _load_policy(policy: str | None, config: Config) -> Policy:
    from policylint.api import load_policy
    from policylint.language.errors import PolicyError

    source = policy or config.policy_path()
    try:
        return load_policy(source, settings=config.settings)
    except PolicyError as error:
        _fail(error.render())


def _parse_meta(pairs: Sequence[str]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            _fail(f"error: --meta takes key=value, not '{pair}'")
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policylint", prog_name="policylint")
def main() -> None:
    """Check social-media drafts against your organisation's policy, written as code."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--policy", "-p", help="Policy file or builtin:NAME (default: config, else builtin:all)."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "jsonl", "sarif", "github", "rdjson"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--fail-on",
    type=click.Choice(_SEVERITIES),
    default=None,
    help="Lowest severity that makes the exit code 1 (default: error).",
)
@click.option("--select", multiple=True, help="Only these rules: id, glob (tone.*) or category.")
@click.option("--ignore", multiple=True, help="Skip these rules: id, glob or category.")
@click.option("--platform", help="Platform of posts that do not say (x, linkedin, instagram, ...).")
@click.option(
    "--meta", "meta_pairs", multiple=True, help="key=value metadata for stdin/.txt posts."
)
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False), help="Config file to use."
)
@click.option("--isolated", is_flag=True, help="Ignore configuration files.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.option(
    "--color/--no-color", default=None, help="Colour the text report (default: on a TTY)."
)
def check(
    paths: tuple[str, ...],
    policy: str | None,
    output_format: str,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    platform: str | None,
    meta_pairs: tuple[str, ...],
    config_file: str | None,
    isolated: bool,
    output: str | None,
    color: bool | None,
) -> None:
    """Check posts in PATHS (files, folders, or - for stdin)."""
    from policylint.engine import build_report
    from policylint.models import Severity
    from policylint.reporters import render

    config = _load_config(config_file, isolated)
    loaded = _load_policy(policy, config)
    loaded = loaded.select(select or config.select, ignore or config.ignore)
    threshold = Severity(fail_on or config.fail_on)
    meta = _parse_meta(meta_pairs)
    default_platform = platform or config.platform

    if not paths:
        if sys.stdin is None or sys.stdin.isatty():
            _fail("error: no input; pass files or folders, or - to read a post from stdin")
        paths = ("-",)

    posts, errors, sources, files = _read_inputs(paths, default_platform, meta, config)
    findings = []
    checked = 0
    for post in posts:
        findings.extend(loaded.findings(post))
        checked += 1
    report = build_report(findings, errors, checked)
    report.summary.files = files

    use_color = color if color is not None else _stream_is_tty(output)
    options: dict[str, Any] = {"sources": sources, "rules": loaded.rules}
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            render(output_format, report, handle, color=False, **options)
    else:
        render(output_format, report, sys.stdout, color=use_color, **options)

    if report.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if report.at_or_above(threshold) else EXIT_CLEAN)


def _stream_is_tty(output: str | None) -> bool:
    if output or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _read_inputs(
    paths: Sequence[str],
    platform: str | None,
    meta: dict[str, Any],
    config: Config,
) -> tuple[list[Post], list[InputError], dict[str, str], int]:
    from policylint.models import InputError
    from policylint.sources import discover, read_path, read_text

    posts: list[Post] = []
    errors: list[InputError] = []
    sources: dict[str, str] = {}
    files = 0
    for raw in paths:
        if raw == "-":
            data = sys.stdin.buffer.read() if sys.stdin is not None else b""
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                errors.append(InputError(path="<stdin>", message=f"invalid UTF-8: {error}"))
                continue
            sources["<stdin>"] = text
            result = read_text(text, path="<stdin>", default_platform=platform, default_meta=meta)
            files += 1
        else:
            path = Path(raw)
            if not path.exists():
                errors.append(InputError(path=raw, message="no such file or folder"))
                continue
            targets = list(discover([path], exclude=config.exclude)) if path.is_dir() else [path]
            for target in targets:
                files += 1
                result = read_path(target, default_platform=platform, default_meta=meta)
                posts.extend(result.posts)
                errors.extend(result.errors)
            continue
        posts.extend(result.posts)
        errors.extend(result.errors)
    return posts, errors, sources, files


@main.command("test")
@click.argument("policies", nargs=-1, type=click.Path())
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
@click.option("--isolated", is_flag=True, help="Ignore configuration files.")
@click.option("-q", "--quiet", is_flag=True, help="Print failures and the summary only.")
def test_command(
    policies: tuple[str, ...], config_file: str | None, isolated: bool, quiet: bool
) -> None:
    """Run every rule's examples (the policy's own unit tests)."""
    config = _load_config(config_file, isolated)
    targets: list[str | None] = list(policies) or [None]
    total = failed = 0
    for target in targets:
        loaded = _load_policy(target, config)
        for result in loaded.run_examples():
            total += 1
            if result.passed:
                if not quiet:
                    click.echo(f"ok    {result.rule}: example {result.expect} {result.text!r}")
                continue
            failed += 1
            what = (
                "expected a finding, found none"
                if result.expect == "fail"
                else "expected no finding, found: " + ", ".join(repr(f) for f in result.found)
            )
            click.echo(
                f"FAIL  {result.path}:{result.line}: {result.rule}: example {result.expect} "
                f"{result.text!r}: {what}"
            )
    click.echo(f"{total - failed} passed, {failed} failed")
    sys.exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


@main.command("rules")
@click.option("--policy", "-p", help="Policy file or builtin:NAME.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
@click.option("--isolated", is_flag=True)
def rules_command(
    policy: str | None, output_format: str, config_file: str | None, isolated: bool
) -> None:
    """List the rules of the policy: id, category, severity, owner."""
    loaded = _load_policy(policy, _load_config(config_file, isolated))
    infos = sorted(loaded.rules, key=lambda r: r.id)
    if output_format == "json":
        import json

        click.echo(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "category": r.category,
                        "severity": r.severity.value,
                        "owner": r.owner,
                        "reference": r.reference,
                        "reference_url": r.reference_url,
                    }
                    for r in infos
                ],
                indent=2,
            )
        )
        return
    width = max((len(r.id) for r in infos), default=10)
    for info in infos:
        click.echo(
            f"{info.id:<{width}}  {info.category:<13} {info.severity.value:<8} {info.owner or '-'}"
        )
    click.echo(f"{len(infos)} rules")


@main.command("explain")
@click.argument("rule_id")
@click.option("--policy", "-p", help="Policy file or builtin:NAME.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
@click.option("--isolated", is_flag=True)
def explain_command(
    rule_id: str, policy: str | None, config_file: str | None, isolated: bool
) -> None:
    """Explain a rule: what it checks, why, who owns it, and its examples."""
    from policylint.language.errors import did_you_mean

    loaded = _load_policy(policy, _load_config(config_file, isolated))
    info = loaded.rule(rule_id)
    if info is None:
        hint = did_you_mean(rule_id, [r.id for r in loaded.rules])
        _fail(f"error: no rule '{rule_id}'" + (f"; {hint}" if hint else ""))
    click.echo(f"{info.id}  ({info.category}, {info.severity.value})")
    click.echo(f"  message:   {info.message}")
    if info.description:
        click.echo(f"  why:       {info.description}")
    if info.owner:
        click.echo(f"  owner:     {info.owner}")
    if info.reference:
        ref = info.reference + (f" <{info.reference_url}>" if info.reference_url else "")
        click.echo(f"  reference: {ref}")
    if info.suggestion:
        click.echo(f"  suggest:   {info.suggestion}")
    click.echo(f"  defined:   {info.path}:{info.line}")
    for expect, text in info.examples:
        click.echo(f"  example {expect}: {text}")


if __name__ == "__main__":  # pragma: no cover
    main()
