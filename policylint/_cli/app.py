"""The ``policylint`` command line: a click application over the library.

The console script enters through :mod:`policylint._cli.entrypoint`, which runs a plain
``policylint check ...`` without importing this module (click costs ~12 ms a start, and a
pre-commit hook starts on every commit); everything else comes here. The check itself is
:mod:`policylint._cli.check`, shared by both, and its options are declared once
(:mod:`policylint._cli.options`) for both. Start-up stays cheap: the other modules are
imported inside the command that needs them. Exit codes: :mod:`policylint._cli.exits`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from policylint._cli.check import run_check
from policylint._cli.contexts import config_or_fail, make_resolver, policy_or_fail
from policylint._cli.exits import EXIT_INTERRUPTED, fail
from policylint._cli.options import CHOICE, COUNT, FILE, FLAG, MANY, OPTIONS, SWITCH, CheckOptions
from policylint._version import __version__

__all__ = ["main"]


class _Group(click.Group):
    """The command group, named ``policylint`` however it is started (``python -m
    policylint`` too), so shell completion's ``_POLICYLINT_COMPLETE`` always works."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("prog_name", "policylint")
        kwargs.setdefault("complete_var", "_POLICYLINT_COMPLETE")
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        # click ends a Ctrl-C with "Aborted!" and 1, the code of findings; a script must be
        # able to tell an interrupted check from a failed one: 130, as shells report it.
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo(file=sys.stderr)
            click.echo("Aborted!", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


# ---------------------------------------------------------------------------- completion


def _complete_policy(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    from click.shell_completion import CompletionItem

    items = []
    try:
        from policylint._lang.packs import builtin_packs

        items = [
            CompletionItem(f"builtin:{name}")
            for name in builtin_packs()
            if f"builtin:{name}".startswith(incomplete)
        ]
    except Exception:  # completion must never print a traceback into the shell
        pass
    if not incomplete.startswith("builtin:"):
        items.append(CompletionItem(incomplete, type="file"))
    return items


def _complete_rule(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    from click.shell_completion import CompletionItem

    try:
        config = make_resolver(ctx.params.get("config_file"), bool(ctx.params.get("isolated")))
        loaded = policy_or_fail(ctx.params.get("policy"), config.for_cwd())
    except (Exception, SystemExit):
        return []
    return [
        CompletionItem(info.id, help=info.message)
        for info in sorted(loaded.rules, key=lambda r: r.id)
        if info.id.startswith(incomplete)
    ]


# ---------------------------------------------------------------------------- the group


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="policylint")  # no importlib.metadata
def main() -> None:
    """Check social-media drafts against your organisation's policy, written as code.

    Shell completion: eval "$(_POLICYLINT_COMPLETE=bash_source policylint)" (zsh_source,
    fish_source for those shells).
    """


def _check_options(command: Any) -> Any:
    """``command`` with the options of :data:`policylint._cli.options.OPTIONS` (the one
    declaration, which the console script's fast reader also reads)."""
    for spec in reversed(OPTIONS):  # click.option decorates: the last one applied is first
        extra: dict[str, Any] = {}
        # A switch is one click declaration of both its flags: "--fix/--no-fix".
        flags = ("/".join(spec.flags),) if spec.kind == SWITCH else spec.flags
        if spec.kind == FLAG:
            extra["is_flag"] = True
        elif spec.kind == MANY:
            extra["multiple"] = True
        elif spec.kind == CHOICE:
            extra["type"] = click.Choice(spec.choices)
        elif spec.kind == COUNT:
            extra["type"] = click.IntRange(min=0)
        elif spec.kind == FILE:
            extra["type"] = click.Path(dir_okay=False)
        if spec.name == "policy":
            extra["shell_complete"] = _complete_policy
        if spec.default is not None and spec.kind not in (FLAG, MANY):
            extra["default"] = spec.default
        elif spec.kind == SWITCH:
            extra["default"] = None
        command = click.option(
            *flags, spec.name, help=spec.help, show_default=spec.show_default or None, **extra
        )(command)
    return command


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@_check_options
def check(**params: Any) -> None:
    """Check posts in PATHS (files, folders, or - for stdin)."""
    run_check(CheckOptions(**params))


# ---------------------------------------------------------------------------- test


@main.command("test")
@click.argument("policies", nargs=-1, type=click.Path())
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
@click.option("--isolated", is_flag=True, help="Ignore configuration files.")
@click.option("-v", "--verbose", is_flag=True, help="List every example, passed ones too.")
@click.option("-q", "--quiet", is_flag=True, hidden=True)  # the default now; kept for scripts
def test_command(
    policies: tuple[str, ...], config_file: str | None, isolated: bool, verbose: bool, quiet: bool
) -> None:
    """Run every rule's examples (the policy's own unit tests): failures and a summary.

    A folder tests each policy file in it (and its subfolders) on its own rules' examples."""
    from policylint._cli.testing import run_tests

    run_tests(
        list(policies) or [None], config_or_fail(config_file, isolated), verbose and not quiet
    )


# ---------------------------------------------------------------------------- score


@main.command("score")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--labels",
    default="expect",
    show_default=True,
    help="The field of each post listing what it breaks: categories or rule ids ([] if clean).",
)
@click.option(
    "--policy", "-p", help="Policy file or builtin:NAME.", shell_complete=_complete_policy
)
@click.option("--select", multiple=True, help="Only these rules: id, glob (tone.*) or category.")
@click.option("--ignore", multiple=True, help="Also skip these rules: id, glob or category.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
@click.option("--isolated", is_flag=True, help="Ignore configuration files.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.option("-v", "--verbose", is_flag=True, help="List each post judged wrongly.")
@click.option(
    "--min-precision", type=click.FloatRange(0, 1), help="Exit 1 below it (any category)."
)
@click.option("--min-recall", type=click.FloatRange(0, 1), help="Exit 1 below it (any category).")
@click.option("--max-clean-flagged", type=click.FloatRange(0, 1), help="Exit 1 above this share.")
def score_command(**params: Any) -> None:
    """Score the policy's judgement on labelled posts: precision and recall per category.

    Each post lists what it breaks in its `expect` field (categories or rule ids, [] for a
    clean post). Exit 0, or 1 when a --min-*/--max-* gate is missed, 2 on an input error
    (a post without labels, a label naming no category or rule of the policy)."""
    from policylint._cli.score import ScoreOptions, run_score

    run_score(ScoreOptions(**params))


# ---------------------------------------------------------------------------- rules, explain


@main.command("rules")
@click.option(
    "--policy", "-p", help="Policy file or builtin:NAME.", shell_complete=_complete_policy
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
@click.option("--isolated", is_flag=True)
def rules_command(
    policy: str | None, output_format: str, config_file: str | None, isolated: bool
) -> None:
    """List the rules of the policy: id, category, severity, owner."""
    loaded = policy_or_fail(policy, config_or_fail(config_file, isolated))
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
                        "waivable": r.waivable,
                        "fix": None
                        if r.suggestion is None
                        else ("safe" if r.fix_safe else "unsafe"),
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
@click.argument("rule_id", shell_complete=_complete_rule)
@click.option(
    "--policy", "-p", help="Policy file or builtin:NAME.", shell_complete=_complete_policy
)
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
@click.option("--isolated", is_flag=True)
def explain_command(
    rule_id: str, policy: str | None, config_file: str | None, isolated: bool
) -> None:
    """Explain a rule: what it checks, why, who owns it, and its examples."""
    from policylint._lang.render import example_context
    from policylint._model.errors import did_you_mean

    loaded = policy_or_fail(policy, config_or_fail(config_file, isolated))
    info = loaded.rule(rule_id)
    if info is None:
        hint = did_you_mean(rule_id, [r.id for r in loaded.rules])
        fail(f"error: no rule '{rule_id}'" + (f"; {hint}" if hint else ""))
    click.echo(f"{info.id}  ({info.category}, {info.severity.value})")
    _field("message", info.message)
    if info.description:
        _field("why", info.description)
    if info.owner:
        _field("owner", info.owner)
    if info.reference:
        _field(
            "reference", info.reference + (f" <{info.reference_url}>" if info.reference_url else "")
        )
    if info.suggestion:
        safety = "safe: --fix applies it" if info.fix_safe else "unsafe: --fix --unsafe-fixes"
        _field("suggest", f"{info.suggestion} ({safety})")
    if not info.waivable:
        _field("waivable", "no (inline and metadata waivers are refused)")
    _field("defined", f"{info.path}:{info.line}")
    for example in info.examples:
        context = example_context(example.platform, example.meta)
        lead = f"  example {example.expect}" + (f" ({context})" if context else "") + ": "
        click.echo(_indented(lead, example.text))


def _field(label: str, text: str) -> None:
    """One ``label: text`` line of ``explain``, the text's later lines under its first."""
    click.echo(_indented(f"  {label + ':':<11}", text))


def _indented(lead: str, text: str) -> str:
    """``lead`` then ``text``, each later line of ``text`` indented to where it started."""
    first, *rest = text.split("\n")
    pad = "\n" + " " * len(lead)
    return lead + first + "".join(pad + line if line else "\n" for line in rest)


# ---------------------------------------------------------------------------- init, schema


@main.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
def init_command(directory: Path) -> None:
    """Write a starter .policylint.toml and policy/org.policy (never overwrites)."""
    from policylint._cli.scaffold import ScaffoldError, write_starter

    try:
        written = write_starter(directory)
    except ScaffoldError as error:
        fail(f"error: {error}")
    for path in written:
        click.echo(f"created {path}")
    click.echo(
        "next: fill in [organisation] in .policylint.toml, add your rules to "
        "policy/org.policy, then run 'policylint test' and 'policylint check POSTS'"
    )


@main.command("schema")
@click.argument("name", required=False, type=click.Choice(["post", "report", "config"]))
def schema_command(name: str | None) -> None:
    """Print the JSON Schema of a post (input), the JSON report, or the configuration
    (all three, keyed by name, without NAME)."""
    import json

    document = _schema(name) if name else {key: _schema(key) for key in _SCHEMAS}
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


_SCHEMAS = ("post", "report", "config")


def _schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) called ``name``: generated from the records for a
    post and the report, written by hand for the configuration."""
    if name == "config":
        from policylint._config.schema import CONFIG_SCHEMA

        return CONFIG_SCHEMA
    from policylint._model.posts import Post
    from policylint._model.reports import Report

    document = (Post if name == "post" else Report).model_json_schema()
    dialect = "https://json-schema.org/draft/2020-12/schema"
    return {"$schema": dialect, "$id": f"urn:policylint:schema:{name}", **document}


if __name__ == "__main__":  # pragma: no cover
    main()
