"""The JSON Schema (draft 2020-12) of the configuration: ``policylint schema config``.

``.policylint.toml``, or the ``[tool.policylint]`` table of ``pyproject.toml``. Written by hand:
the configuration is TOML, validated by :mod:`policylint._config.config`, and
``tests/test_config.py`` checks the two agree key for key. (The post and report schemas are
generated from the records: :mod:`policylint._model.schema`.)
"""

from __future__ import annotations

from typing import Any

__all__ = ["CONFIG_SCHEMA"]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"

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
    "$id": "urn:policylint:schema:config",
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
