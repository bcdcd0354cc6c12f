"""Wildcard terms that reached words of another meaning (issue 17).

A term ending in ``*`` matches the rest of a word, so ``concorre*`` (to compete for a prize)
also read "concorrente" (a competitor). tools/audit_wildcards.py expands every wildcard of
the built-in packs against six languages' commonest words; the ones below reached frequent
words that made their rule fire on a post that has nothing to do with it, and are spelt out
now. Each case pairs a post the old wildcard reported (the unintended word, in the rule's
own setting) with one the rule must still report (the intended word, in the same setting).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest

import policylint
from policylint import Policy


@cache
def policy() -> Policy:
    return policylint.load_policy(
        "builtin:all", settings={"organisation.competitors": ["Initech", "Globex"]}
    )


def rules_on(text: str, meta: Mapping[str, Any] | None = None) -> set[str]:
    return {finding.rule for finding in policy().check(text, meta=meta).findings}


EVENTS = {"industry": "events"}
HOSPITALITY = {"industry": "hospitality"}
BEER = {"industry": "beer"}
CASINO = {"industry": "casino"}
FINANCE = {"industry": "finance"}
LISTED = {"company_type": "listed"}
REPLY = {"reply": True}

# (rule, the unintended word's post, its meta, the intended word's post, its meta)
CASES = [
    # drink_words: "pint*" read "pintura" (painting), "lager*" "Lagerfeuer" (a campfire),
    # "beer*" "Beeren" (berries): a venue's after-school activity became alcohol to minors.
    (
        "alcohol.minors",
        "Taller de pintura después del cole, todos los jueves en la sala grande.",
        EVENTS,
        "Two-for-one pints after school, every Friday from 4pm.",
        EVENTS,
    ),
    (
        "alcohol.minors",
        "Stockbrot am Lagerfeuer nach der Schule, jeden Freitag im Hof.",
        EVENTS,
        "Kaltes Lager nach der Schule, jeden Freitag im Hof.",
        EVENTS,
    ),
    (
        "alcohol.minors",
        "Beeren pflücken nach der Schule: unser Hofladen hat ab Samstag geöffnet.",
        HOSPITALITY,
        "Craft beers after school: our taproom opens at 3 on Fridays.",
        HOSPITALITY,
    ),
    # youth_appeal: "toy*" read Toyota.
    (
        "alcohol.minors",
        "Our brewery's delivery fleet is now all Toyota hybrids.",
        BEER,
        "Our new lager comes with a free toy in every crate.",
        BEER,
    ),
    # gambling_certainty: "100% win*", "always win*" and "guaranteed win*" read "wind",
    # "windy" and "window".
    (
        "gambling.certainty",
        "Our resort is now 100% wind-powered, and the buffet is always windy-day proof.",
        CASINO,
        "100% win rate on tonight's tips, you always win with us!",
        CASINO,
    ),
    (
        "gambling.certainty",
        "Guaranteed window table with every dinner booking this weekend.",
        CASINO,
        "Guaranteed wins every night at our tables!",
        CASINO,
    ),
    # giveaway_words: "instant win*" read "instant winter warmers".
    (
        "promo.sweepstakes.terms",
        "Instant winter warmers: our new soup range is in store.",
        None,
        "Instant win game: scratch the card in store to see if you've won a soup hamper!",
        None,
    ),
    # returns_words: "profit*" read "profitez-en", "ertrag*" "ertragen" (to bear),
    # "trade*" "trademark", "bond*" "team bonding".
    (
        "fin.promissory",
        "Le remboursement de vos frais est garanti, profitez-en avant dimanche !",
        FINANCE,
        "Profits garantis chaque mois avec notre fonds.",
        FINANCE,
    ),
    (
        "fin.promissory",
        "Montagmorgen ohne Kaffee? Garantiert schwer zu ertragen. ☕",
        FINANCE,
        "Garantierte Erträge von 5 % pro Jahr, jedes Jahr.",
        FINANCE,
    ),
    (
        "fin.promissory",
        "Our trademark since 1920: quality guaranteed.",
        FINANCE,
        "Trade with us: guaranteed trades that never lose.",
        FINANCE,
    ),
    (
        "fin.promissory",
        "Team bonding guaranteed at our summer party!",
        FINANCE,
        "Guaranteed bond income, every quarter.",
        FINANCE,
    ),
    # medicines: "*spritze" read "Finanzspritze" (a cash injection).
    (
        "health.disease_claim",
        "Keine Finanzspritze mehr vom Staat: ab 2027 finanzieren wir uns selbst.",
        None,
        "Seit der Kur brauche ich keine Insulinspritze mehr.",
        None,
    ),
    # objective_superlatives: "sicherste*" read "sicherstellen" (to make sure).
    (
        "legal.comparative",
        "Wir wollen am Markt sicherstellen, dass faire Preise gelten.",
        None,
        "Unsere App ist die sicherste am Markt.",
        None,
    ),
    # legal.ip.copyright: "gif*" read "gift".
    (
        "legal.ip.copyright",
        "Saw this gift idea on Pinterest and had to make it for our shop!",
        None,
        "Saw this gif on Pinterest and had to share it with you all!",
        None,
    ),
    # weak_hints: "miss*" read "mission".
    (
        "sec.mnpi",
        "Our FY2025 mission statement is now live on our website.",
        LISTED,
        "Q3 was a miss, more to come on the call.",
        LISTED,
    ),
    # instructions: "read*" and "step*" read "ready" and Stephen.
    (
        "tone.hostile.irony",
        "We believe in you! Your order is ready for collection at the front desk.",
        REPLY,
        "We believe in you! Just read the manual, step by step.",
        REPLY,
    ),
    (
        "tone.hostile.irony",
        "We believe in you, Stephen! Good luck at the marathon on Sunday.",
        REPLY,
        "Honestly, the steps are on page one. We believe in you.",
        REPLY,
    ),
    # profanity: "salope*" read "salopette" (dungarees), "viado*" "viadotto" (a viaduct).
    (
        "tone.profanity",
        "Nouvelle salopette en jean pour l'été, disponible en boutique.",
        None,
        "Quelle salope, cette imprimante.",
        None,
    ),
    (
        "tone.profanity",
        "Lavori sul viadotto dell'A1: il nostro servizio navetta resta attivo.",
        None,
        "Sai o quê, seu viado",
        None,
    ),
]


@pytest.mark.parametrize(("rule", "text", "meta"), [(c[0], c[1], c[2]) for c in CASES])
def test_a_word_the_wildcard_reached_by_accident_is_not_reported(
    rule: str, text: str, meta: Mapping[str, Any] | None
) -> None:
    assert rule not in rules_on(text, meta)


@pytest.mark.parametrize(("rule", "text", "meta"), [(c[0], c[3], c[4]) for c in CASES])
def test_the_forms_the_wildcard_meant_are_still_reported(
    rule: str, text: str, meta: Mapping[str, Any] | None
) -> None:
    assert rule in rules_on(text, meta)


def test_pretty_no_longer_reads_as_a_french_loan() -> None:
    """The borrower's-rate exception listed "prêt*" (a loan), which also read "pretty": a
    promised return said "pretty much guaranteed" went unreported. A French loan still
    makes a fixed rate a contract term."""
    assert "fin.promissory" in rules_on("Pretty much guaranteed 8% returns a year.", FINANCE)
    assert "fin.promissory" not in rules_on(
        "Taux fixe garanti 10 ans pour votre prêt immobilier.", FINANCE
    )
