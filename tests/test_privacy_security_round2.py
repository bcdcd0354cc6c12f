"""Round 2 of issue 17 for the privacy and security packs: what the rules' inline examples
cannot show, because examples cannot set the organisation's settings or look at more than
one rule. Code names flagged without context words but not in their ordinary senses, a
number plate reported once (privacy.vehicle_plate supersedes privacy.third_party's plate
check), a company's own account and channel, and staff codes."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

import policylint
from policylint import Policy

SETTINGS: dict[str, Any] = {
    "organisation.name": "Acme",
    "organisation.domains": ["acme.example"],
    "organisation.contact_phones": ["+1 800 555 0100"],
    "organisation.contact_emails": ["help@acme.example"],
    "organisation.code_names": ["Falcon", "Bluebird"],
}


@cache
def packs() -> Policy:
    return policylint.load_policy(
        'policy "t" { extends "builtin:privacy", "builtin:security" }', settings=SETTINGS
    )


def findings(text: str) -> list[Any]:
    return [f for f in packs().check(text).findings if not f.waived]


def rules_for(text: str) -> set[str]:
    return {f.rule for f in findings(text)}


def case(rule: str, text: str) -> Any:
    return pytest.param(rule, text, id=f"{rule}: {text[:60]}")


FLAGGED = [
    # A code name the organisation listed needs no product word around it.
    case("security.codename", "Bluebird beta testers: build 0.9 is up, same place as last time"),
    case("security.codename", "Das kommt mit Bluebird im Herbst, mehr darf ich nicht verraten 😉"),
    # The animal's emoji is a brand's pun, not evidence of wildlife.
    case("security.codename", "Sneak peek del progetto Bluebird 🐦 arriva a maggio"),
    case("security.internal_marking", "friends & family, you didn't hear it from me 🤫 STAFF40"),
    case("security.secret", "tap the corner 5x and log in with admin / Springfield2024"),
    case("security.physical_access", "La alarma de la tienda no funciona desde el lunes"),
    case("security.workspace_link", "Numbers: https://docs.google.com/spreadsheets/d/1AbC/edit"),
    case("privacy.public_request", "Drop your order number and email below 👇 we'll chase it"),
    case("privacy.address", "Marta, tu pedido salió hacia Calle Alcalá 214, 3ºB. Gracias"),
    case("privacy.national_id", "Para confirmar o prémio: NIF 238417069, Rui Tavares."),
    case("privacy.vehicle_plate", "Au propriétaire de la Clio grise immatriculée GH-512-KT"),
    case("privacy.guest_room", "Hi Mark, we've moved you and your wife from 418 up to 1206"),
    case("privacy.card", "@sam_t card ending 4471, exp 09/27, CVV 318, all fine"),
    case("privacy.customer_account", "Hallo Herr Wagner, Ihre Kundennummer 55123890 ist frei"),
    case("privacy.account_status", "Olá Rui, a sua conta tem pagamentos em atraso desde maio"),
]

CLEAN = [
    # Ordinary senses of a code name: the bird, a business named after it, a skier's day.
    case("security.codename", "Spotted a falcon perched on the church roof this morning"),
    case("security.codename", "Lunch at the Bluebird Bakery, their croissants are unreal"),
    case("security.codename", "Bluebird day on the slopes: fresh snow and not a cloud"),
    case("security.codename", "Rewatching the Millennium Falcon scenes tonight"),
    # The organisation's own channel, a sign-up link, privacy boilerplate.
    case("privacy.public_request", "Questions? Call or e-mail help@acme.example, never comment it"),
    case("privacy.public_request", "Want the guide? Enter your email via the link in bio 👇"),
    case("privacy.public_request", "Your email address will not be published. Comment below!"),
    # A company's account is business data.
    case("privacy.bank", "Unsere Bankverbindung:\nAcme GmbH\nIBAN DE17 2004 1155 0811 9356 00"),
    case("privacy.vehicle_plate", "Our new delivery van, reg KX24 ABC, is on the road"),
    case("privacy.account_status", "If your account is suspended, here's what to do"),
    case("security.internal_marking", "Staff picks of the week: use SUMMER40 for 40% off"),
    case("security.internal_marking", "Details per DM, damit nichts öffentlich steht"),
]


@pytest.mark.parametrize(("rule", "text"), FLAGGED)
def test_flagged(rule: str, text: str) -> None:
    assert rule in rules_for(text)


@pytest.mark.parametrize(("rule", "text"), CLEAN)
def test_not_flagged(rule: str, text: str) -> None:
    assert rule not in rules_for(text)


def test_a_plate_is_one_finding() -> None:
    """Plates are privacy.vehicle_plate's alone: one finding, not two."""
    text = "Whoever owns the red Golf, plate AB12 CDE, you blocked our loading bay"
    plate_findings = [f for f in findings(text) if "AB12" in f.match]
    assert [f.rule for f in plate_findings] == ["privacy.vehicle_plate"]


def test_an_account_disclosure_is_one_finding() -> None:
    """people.policy's hardship words also see it; privacy.account_status supersedes them."""
    text = "Hey Dave, your account shows three missed payments since June."
    assert rules_for(text) == {"privacy.account_status"}
