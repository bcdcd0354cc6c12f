"""Values written back in the policy language's own syntax, for people reading output.

``policylint explain``, ``policylint test`` and the generated rule pages show each example
with the ``with ...`` clause it was written with: two examples with the same text, one for
``meta.company_type = "ria"`` and one for ``"bank"``, are a fail and a pass, not a
contradiction.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["example_context", "render_value"]

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def render_value(value: Any) -> str:
    """A value as a policy writes it: ``"text"``, ``12``, ``true``, ``["a", 1]``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + "".join(_ESCAPES.get(ch, ch) for ch in value) + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(render_value(item) for item in value) + "]"
    return str(value)


def example_context(platform: str | None, meta: Mapping[str, Any]) -> str:
    """An example's ``with`` clause (``with platform = "x", meta.industry = "finance"``), or
    "" when it has none."""
    fields = [f"platform = {render_value(platform)}"] if platform is not None else []
    fields += [f"meta.{path} = {render_value(value)}" for path, value in _paths(meta)]
    return "with " + ", ".join(fields) if fields else ""


def _paths(meta: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``{"media": {"alt": "x"}}`` -> ``("media.alt", "x")``."""
    for key, value in meta.items():
        if isinstance(value, Mapping) and value:
            yield from _paths(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value
