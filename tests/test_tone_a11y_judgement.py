"""Issue 17, tone and accessibility: the judgement the built-in packs show on posts nobody
tuned them for, and the organisation settings that shape it.

Each test names a phenomenon (a class of post), not a corpus post: the rules' own inline
examples cover single wordings; these cover what the examples cannot say (settings, other
rules' silence, generated patterns kept in step with their build scripts).
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import policylint

ROOT = Path(__file__).resolve().parents[1]


@cache
def tone(**settings: Any) -> Any:
    return policylint.load_policy("builtin:tone", settings=settings or None)


def rules_fired(policy: Any, text: str, **kwargs: Any) -> set[str]:
    return {f.rule for f in policy.check(text, **kwargs).findings}


# ------------------------------------------------------------------------- profanity setting


def test_mild_swearing_is_reported_by_default() -> None:
    assert "tone.profanity.mild" in rules_fired(tone(), "Damn good coffee, every morning")


@pytest.mark.parametrize("level", ["strong", "off"])
def test_an_organisation_can_allow_mild_swearing(level: str) -> None:
    policy = tone(**{"organisation.profanity": level})
    assert rules_fired(policy, "Damn good coffee, every morning") == set()
    assert rules_fired(policy, "What the hell, the app is down") == set()


def test_strong_obscenity_is_still_reported_when_mild_is_allowed() -> None:
    policy = tone(**{"organisation.profanity": "strong"})
    assert rules_fired(policy, "Che ca**o di saldi") == {"tone.profanity"}


def test_profanity_off_reports_no_obscenity_but_always_reports_slurs() -> None:
    policy = tone(**{"organisation.profanity": "off"})
    assert rules_fired(policy, "this queue is sh!t, f*ck Mondays") == set()
    assert "tone.profanity" in rules_fired(policy, "no trannies in the changing rooms")


def test_a_mistyped_profanity_level_fails_safe_as_mild() -> None:
    policy = tone(**{"organisation.profanity": "mlid"})
    assert "tone.profanity.mild" in rules_fired(policy, "Damn good coffee, every morning")


@pytest.mark.parametrize(
    "text",
    ["h e l l no, prices stay", "What a load of cr*p", "D.A.M.N, sold out again", "So ein Mist!"],
)
def test_mild_swearing_is_found_through_spacing_dots_and_masks(text: str) -> None:
    assert "tone.profanity.mild" in rules_fired(tone(), text)


@pytest.mark.parametrize(
    "text",
    [
        "F.F.S. the app is down again",
        "Che ca**o di saldi",
        "m3rde, encore en retard",
        "Que p*rra é essa",
        "Vaffanculo al corriere",
        "Qué m**rda de servicio",
    ],
)
def test_strong_obscenity_is_found_in_six_languages_and_masked(text: str) -> None:
    assert "tone.profanity" in rules_fired(tone(), text)


@pytest.mark.parametrize(
    "text",
    [
        "Das Zimmer ist hell und ruhig",  # German "bright"
        "Nuestro análisis FODA para pymes",  # Spanish SWOT analysis
        "Free* delivery this week (*orders over £20)",  # a footnote star
        "Bloody Mary brunch, Sundays from 11",
    ],
)
def test_words_that_only_look_like_swearing_are_not_reported(text: str) -> None:
    assert rules_fired(tone(), text) == set()


def test_the_masked_profanity_patterns_are_in_step_with_their_build_script() -> None:
    script = ROOT / "tools" / "vocab" / "masked_profanity.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
