"""Issue 17, round 3, accessibility and disclosure language: the settings and metadata that
shape the built-in packs' judgement, which the rules' inline examples cannot set.

Each test names a phenomenon (a class of post), not a corpus post.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import policylint

ACCESSIBILITY_RULES = ["a11y.alt_text.media_list", "a11y.emoji", "a11y.hashtag_case"]


@cache
def accessibility(**settings: Any) -> Any:
    policy = policylint.load_policy("builtin:accessibility", settings=settings or None)
    return policy.select(ACCESSIBILITY_RULES)


def rules_fired(policy: Any, text: str, **kwargs: Any) -> set[str]:
    return {f.rule for f in policy.check(text, **kwargs).findings}


# ------------------------------------------------------------------ placeholder alt texts


def carousel(*alts: str) -> dict[str, Any]:
    return {"media": [{"type": "image", "alt": alt} for alt in alts]}


def test_an_alt_text_that_only_names_the_kind_of_media_is_reported_in_any_language() -> None:
    for alt in ("image", "Bild", "Imagen", "screenshot", "chart.png"):
        fired = rules_fired(accessibility(), "Our new report is out", meta=carousel(alt))
        assert fired == {"a11y.alt_text.media_list"}, alt


def test_a_description_that_starts_with_the_kind_of_media_is_not_a_placeholder() -> None:
    meta = carousel("Image of our team in front of the stand")
    assert rules_fired(accessibility(), "Our team at the fair", meta=meta) == set()


def test_an_organisation_can_add_its_own_tools_default_alt_text() -> None:
    meta = carousel("Untitled design")
    assert rules_fired(accessibility(), "Spring menu", meta=meta) == set()
    settings = {"organisation.placeholder_alts": ["image", "untitled design"]}
    policy = policylint.load_policy("builtin:accessibility", settings=settings)
    assert rules_fired(policy, "Spring menu", meta=meta) == {"a11y.alt_text.media_list"}


# ------------------------------------------------------------------------- emoji density

LONG_UPDATE = (
    "Garden centre weekend 🌱\n"
    "→ Sat 9am: free seed-starting class for beginners\n"
    "→ Sat 2pm: kids' bug-hotel build in the courtyard 🐞\n"
    "→ Sun 10am: rose pruning with Rosa from the nursery team 🌹\n"
    "→ Sun 3pm: compost questions answered at the potting bench 🪱\n"
    "→ All weekend: 15% off perennials and herbs\n"
    "Dogs on leads are welcome and parking is free 🐶 See you there 👋"
)


def test_emoji_spread_over_a_long_post_are_not_reported_by_default() -> None:
    assert rules_fired(accessibility(), LONG_UPDATE) == set()


def test_the_same_count_in_a_short_post_is_reported() -> None:
    short = "Weekend 🌱 class 🐞 roses 🌹 compost 🪱 dogs 🐶 hi 👋"
    assert rules_fired(accessibility(), short) == {"a11y.emoji"}


def test_an_organisation_can_lower_the_limit_for_long_posts() -> None:
    policy = accessibility(**{"thresholds.emoji_long": 5})
    assert rules_fired(policy, LONG_UPDATE) == {"a11y.emoji"}


# ------------------------------------------------------------------ capitalised hashtags


def test_a_capitalised_compound_is_german_spelling_in_a_german_post_only() -> None:
    german = "Frisch aus dem Ofen, mit Liebe gebacken #Backliebe"
    english = "Fresh from the oven, baked with care #Backliebe"
    assert rules_fired(accessibility(), german) == set()
    assert rules_fired(accessibility(), english) == {"a11y.hashtag_case"}


# ------------------------------------------------------------- the post's declared language


@cache
def language_rule() -> Any:
    return policylint.load_policy("builtin:regulatory").select(["ad.disclosure.language"])


def test_meta_lang_is_read_like_meta_language() -> None:
    text = "#ad Mi casa es su casa: our new holiday rentals with @casitas"
    assert rules_fired(language_rule(), text) == {"ad.disclosure.language"}
    for key in ("lang", "language"):
        assert rules_fired(language_rule(), text, meta={key: "en"}) == set(), key
