"""Generate docs/rules/: one page per built-in rule, plus an index, from the packs themselves.

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

__all__ = ["render_index", "render_rule", "write_rule_docs"]


def _page_name(rule_id: str) -> str:
    return f"{rule_id}.md"


def render_rule(info: RuleInfo) -> str:
    lines = [f"# `{info.id}`", ""]
    lines.append(
        f"**Category:** {info.category} · **Severity:** {info.severity.value} · "
        f"**Owner:** {info.owner or '-'} · **Waivable:** {'yes' if info.waivable else 'no'}"
    )
    lines.append("")
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
        lines.append(
            f"| [`{info.id}`]({_page_name(info.id)}) | {info.category} | "
            f"{info.severity.value} | {info.owner or '-'} | {info.reference or '-'} |"
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
    import policylint

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")
    pages = write_rule_docs(policylint.load_policy("builtin:all"), target)
    print(f"wrote {len(pages)} pages to {target}")
