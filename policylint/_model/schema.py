"""JSON Schemas (draft 2020-12) of what policylint reads and writes: ``policylint schema``.

* ``post``: one post, the input of the library API and the shape of a JSON/JSONL record
  (``Post.model_json_schema()``; records may also use ``body``/``caption``/``content`` for
  the text, and any other field becomes metadata).
* ``report``: the ``--format json`` report (``Report.model_json_schema()``).
* ``config``: ``.policylint.toml``, or the ``[tool.policylint]`` table of ``pyproject.toml``
  (written by hand here: the configuration is TOML, validated by ``policylint._config.config``;
  ``tests/test_config.py`` checks the two agree key for key).
"""

from __future__ import annotations

from typing import Any

__all__ = ["CONFIG_SCHEMA", "SCHEMAS", "schema"]

SCHEMAS: tuple[str, ...] = ("post", "report", "config")

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_BASE = "urn:policylint:schema"

_RULE_PATTERNS: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string", "minLength": 1},
}
_SETTING_VALUE: dict[str, Any] = {
    "description": "A setting's value: a string, a number, a boolean or a list of them.",
    "anyOf": [
        {"type": "string"},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "array", "items": {"type": ["string", "number", "boolean"]}},
    ],
}

CONFIG_SCHEMA: dict[str, Any] = {
    "$schema": _DIALECT,
    "$id": f"{_BASE}:config",
    "title": "policylint configuration",
    "description": (
        "The contents of .policylint.toml, or of [tool.policylint] in pyproject.toml. "
        "Paths and globs are relative to the folder of the file that holds them."
    ),
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "policy": {
            "type": "string",
            "description": "The policy: a .policy file or builtin:NAME.",
            "default": "builtin:all",
        },
        "select": {
            **_RULE_PATTERNS,
            "description": "Only these rules (ids, globs such as tone.*, or categories); "
            "empty means every rule of the policy.",
            "default": [],
        },
        "extend-select": {
            **_RULE_PATTERNS,
            "description": "Rules added to 'select' (useful in overrides).",
            "default": [],
        },
        "ignore": {
            **_RULE_PATTERNS,
            "description": "Rules never run (ids, globs or categories).",
            "default": [],
        },
        "fail-on": {
            "enum": ["error", "warning", "info", "never"],
            "description": "Lowest severity of an unwaived finding that makes the exit code 1 "
            "(never: findings never do).",
            "default": "error",
        },
        "platform": {
            "type": "string",
            "description": "Platform of posts that do not say (x, linkedin, instagram...).",
        },
        "include": {
            "type": "array",
            "items": {"type": "string"},
            "description": (
                "Globs of the files that are content, when policylint chooses the files (a "
                "folder's; every named one with --force-exclude). Default: files that can "
                "hold posts (Markdown and text but README, LICENSE...; calendars with a "
                "text field)."
            ),
            "default": [],
        },
        "exclude": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Globs of files and folders never checked, even when named.",
            "default": [],
        },
        "overrides": {
            "type": "array",
            "description": "Per-path changes, applied in order to matching files.",
            "default": [],
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["paths"],
                "properties": {
                    "paths": {
                        "type": "array",
                        "items": {"type": "string"},
                        "minItems": 1,
                        "description": "Globs of the files this override is for.",
                    },
                    "select": {**_RULE_PATTERNS, "description": "Replaces 'select'."},
                    "extend-select": {**_RULE_PATTERNS, "description": "Adds to 'select'."},
                    "ignore": {**_RULE_PATTERNS, "description": "Adds to 'ignore'."},
                    "platform": {"type": "string", "description": "Replaces 'platform'."},
                    "meta": {
                        "type": "object",
                        "description": "Metadata for the posts of these files (theirs wins).",
                    },
                },
            },
        },
        "waivers": {
            "type": "object",
            "additionalProperties": False,
            "description": "How waivers are policed.",
            "properties": {
                "require-reason": {
                    "type": "boolean",
                    "description": "true: a waiver without '-- reason' is refused (an error); "
                    "false: it is accepted silently; unset: accepted with a warning.",
                },
                "report-unused": {
                    "type": "boolean",
                    "default": False,
                    "description": "Report waivers that waive nothing.",
                },
            },
        },
        "organisation": {
            "type": "object",
            "description": "Facts the built-in packs read (organisation.* settings).",
            "additionalProperties": _SETTING_VALUE,
        },
        "thresholds": {
            "type": "object",
            "description": "Thresholds of the built-in packs (thresholds.* settings).",
            "additionalProperties": _SETTING_VALUE,
        },
    },
}


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema called ``name`` (one of :data:`SCHEMAS`)."""
    if name == "config":
        return CONFIG_SCHEMA
    from policylint._model.models import Post, Report

    if name == "post":
        document = Post.model_json_schema()
    elif name == "report":
        document = _with_waiver_fields(Report.model_json_schema())
    else:
        raise ValueError(f"unknown schema {name!r}; expected one of {', '.join(SCHEMAS)}")
    return {"$schema": _DIALECT, "$id": f"{_BASE}:{name}", **document}


#: Fields the command line adds to each finding of its reports (see policylint._pipeline.waivers).
_WAIVER_FIELDS: dict[str, Any] = {
    "waived": {
        "type": "boolean",
        "default": False,
        "title": "Waived",
        "description": "True when a waiver (an inline directive or meta.policylint.waive) "
        "silences this finding: it is kept as an audit trail but never fails a check.",
    },
    "waiver_reason": {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "default": None,
        "title": "Waiver Reason",
        "description": "The reason the waiver gives ('-- reason'), if any.",
    },
}


def _with_waiver_fields(document: dict[str, Any]) -> dict[str, Any]:
    """The report schema with the waiver fields of the command line's findings (a no-op
    once ``policylint._model.models.Finding`` declares them itself)."""
    finding = document.get("$defs", {}).get("Finding")
    if isinstance(finding, dict):
        properties = finding.setdefault("properties", {})
        for name, spec in _WAIVER_FIELDS.items():
            properties.setdefault(name, spec)
    return document
