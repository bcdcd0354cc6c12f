"""Generate docs/rules/: one page per built-in rule, plus an index, from the packs themselves.

Every shipped rule is documented: those of ``builtin:all`` and the opt-in ones of
``builtin:optional``, which a policy loads by name and whose pages say so.

Run ``python -m policylint._cli.rulesdoc docs/rules`` after changing a pack; the test suite
regenerates the pages into a temporary folder and fails if the committed ones differ, so the
documentation cannot drift from the rules.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from policylint._lang.render import example_context
from policylint._model.rules import RuleInfo
from policylint._pipeline.policy import Policy

__all__ = ["render_index", "render_rule", "shipped_policy", "write_rule_docs"]

#: The pack of opt-in rules: shipped and documented, but not part of ``builtin:all``.
OPTIONAL = "builtin:optional"
_SHIPPED = f'policy "shipped" {{\n  extends "builtin:all", "{OPTIONAL}"\n}}\n'


def shipped_policy() -> Policy:
    """Every rule the package ships: ``builtin:all`` and the opt-in ``builtin:optional``."""
    import policylint

    return policylint.load_policy(text=_SHIPPED)


def _opt_in_pack(info: RuleInfo) -> str | None:
    """``builtin:optional/NAME`` for an opt-in rule, None for a rule of ``builtin:all``."""
    if not info.path.startswith(OPTIONAL + "/"):
        return None
    return info.path.removesuffix(".policy")


def _page_name(rule_id: str) -> str:
    return f"{rule_id}.md"


def render_rule(info: RuleInfo) -> str:
    lines = [f"# `{info.id}`", ""]
    lines.append(
        f"**Category:** {info.category} · **Severity:** {info.severity.value} · "
        f"**Owner:** {info.owner or '-'} · **Waivable:** {'yes' if info.waivable else 'no'}"
    )
    lines.append("")
    pack = _opt_in_pack(info)
    if pack:
        opt_in = f'**Opt-in:** not in `builtin:all`; a policy loads it with `extends "{pack}"`.'
        lines += [opt_in, ""]
    lines += ["## What it checks", "", info.message, ""]
    if info.description:
        lines += ["## Why", "", info.description, ""]
    if info.reference:
        ref = f"[{info.reference}]({info.reference_url})" if info.reference_url else info.reference
        lines += ["## Reference", "", ref, ""]
    if info.suggestion:
        safety = "safe fix" if info.fix_safe else "applied only with --unsafe-fixes"
        lines += ["## Suggested fix", "", f"`{info.suggestion}` ({safety})", ""]
    if info.supersedes:
        named = ", ".join(f"[`{rule}`]({_page_name(rule)})" for rule in info.supersedes)
        lines += [
            "## Supersedes",
            "",
            f"{named}: their finding on the same text is not reported.",
            "",
        ]
    if info.examples:
        lines += ["## Examples", ""]
        lines += _examples(info, "fail", "✗") + _examples(info, "pass", "✓")
        lines.append("")
    source = info.path.removeprefix("builtin:")
    lines += [f"Defined in `rules/{source}` (line {info.line}).", ""]
    return "\n".join(lines)


def _examples(info: RuleInfo, expect: str, mark: str) -> list[str]:
    """One list item per example of a kind, with the ``with`` clause it ran with: the same
    text can fail for one company type and pass for another."""
    items = []
    for example in info.examples:
        if example.expect != expect:
            continue
        context = example_context(example.platform, example.meta)
        shown = f" ({_quote(context)})" if context else ""
        items.append(f"- {mark} {_quote(example.text)}{shown}")
    return items


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return "`" + flat.replace("`", "'") + "`"


def render_index(infos: Iterable[RuleInfo]) -> str:
    rows = sorted(infos, key=lambda r: (r.category, r.id))
    lines = [
        "# Built-in rules",
        "",
        "Generated from `rules/` by `python -m policylint._cli.rulesdoc docs/rules`; do not edit.",
        "",
        "| rule | category | severity | owner | reference |",
        "|---|---|---|---|---|",
    ]
    for info in rows:
        severity = info.severity.value + (" (opt-in)" if _opt_in_pack(info) else "")
        lines.append(
            f"| [`{info.id}`]({_page_name(info.id)}) | {info.category} | "
            f"{severity} | {info.owner or '-'} | {info.reference or '-'} |"
        )
    lines.append("")
    return "\n".join(lines)


def write_rule_docs(policy: Policy, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.md"):
        stale.unlink()
    written = []
    infos = policy.rules
    for info in infos:
        page = folder / _page_name(info.id)
        page.write_text(render_rule(info), encoding="utf-8")
        written.append(page)
    index = folder / "README.md"
    index.write_text(render_index(infos), encoding="utf-8")
    written.append(index)
    return written


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")
    pages = write_rule_docs(shipped_policy(), target)
    print(f"wrote {len(pages)} pages to {target}")
