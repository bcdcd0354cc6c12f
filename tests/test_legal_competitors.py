"""legal.comparative on posts that name a configured competitor (issue 17): the rule's inline
examples cannot set organisation.competitors, so the cases that depend on it live here."""

from __future__ import annotations

from functools import cache

import pytest

import policylint
from policylint import Policy


@cache
def legal() -> Policy:
    return policylint.load_policy(
        'policy "t" { extends "builtin:legal" }',
        settings={"organisation.competitors": ["Initech", "Globex", "Umbrella Corp"]},
    )


def comparative(text: str) -> bool:
    return any(f.rule == "legal.comparative" for f in legal().check(text).findings)


@pytest.mark.parametrize(
    "text",
    [
        # The reader sent from the competitor to us, in the next sentence.
        "Vender tu piso con Initech Inmobiliaria = esperar 9 meses y pagar el doble de "
        "comisión 🙄 Con nosotros se vende en 30 días, punto.",
        "Globex Fitness wirbt mit 'modernsten Geräten' – lol, die Laufbänder dort sind von "
        "2009 und die Hälfte ist kaputt. Kommt lieber zu uns.",
        "@kev_m Honestly Kevin, Globex ships on time about as often as it rains in July. "
        "Stick with us.",
        "Chez Umbrella Corp, les frais cachés s'accumulent. Chez nous, un seul prix affiché.",
    ],
)
def test_a_competitor_contrasted_with_us_is_comparative(text: str) -> None:
    assert comparative(text)


@pytest.mark.parametrize(
    "text",
    [
        "Congrats to Globex on the new Springfield store! See you at the trade fair.",
        # Two sentences apart: the contrast is no longer with the competitor.
        "Initech opened a branch downtown this week. The weather was lovely. Our own "
        "Saturday market is on as usual. Come and see us.",
        "Our 500Mb plan is £28/mo vs Initech's £32/mo for the same speed (prices checked "
        "on both websites on 1 Dec 2026). Switch to us today.",
    ],
)
def test_a_competitor_without_contrast_or_with_a_dated_source_is_not(text: str) -> None:
    assert not comparative(text)


@pytest.mark.parametrize(
    "text",
    [
        "Nothing to say about Initech other than congratulations on the launch.",
        "Er als Gründer von Initech hat die Branche geprägt, das erkennen wir an.",
        "Submit your Globex invoices no later than Friday.",
    ],
)
def test_words_ending_in_er_than_are_no_comparison(text: str) -> None:
    # "*er than" / "*er als" must not read "other than", "no later than" or the pronoun.
    assert not comparative(text)


def test_a_real_er_than_comparison_still_counts() -> None:
    assert comparative("Our plans are cheaper than Initech's, every single one.")
