"""Judgement of the privacy and security packs on wording they were not written from
(issue 17): settings that must match only in their own sense (code names, internal domains),
and the phenomena the rules' inline examples cannot show because examples cannot set the
organisation's settings. Each case names the rule it must (or must not) trigger."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

import policylint
from policylint import Policy

# The organisation the labelled corpus assumes (tests/corpus/organisation.toml), inline so
# that these tests read no file but the packs.
SETTINGS: dict[str, Any] = {
    "organisation.name": "Acme",
    "organisation.domains": ["acme.example"],
    "organisation.internal_domains": ["corp.acme.example", "intranet.acme.example", "local"],
    "organisation.contact_phones": ["+1 800 555 0100"],
    "organisation.contact_emails": ["help@acme.example"],
    "organisation.addresses": ["1 Main St, Springfield"],
    "organisation.code_names": ["Falcon", "Bluebird"],
}


@cache
def packs() -> Policy:
    return policylint.load_policy(
        'policy "t" { extends "builtin:privacy", "builtin:security" }', settings=SETTINGS
    )


def rules_for(text: str, **meta: Any) -> set[str]:
    report = packs().check(text, meta=meta or None)
    return {f.rule for f in report.findings if not f.waived}


def case(rule: str, text: str, **meta: Any) -> Any:
    return pytest.param(rule, text, meta, id=f"{rule}: {text[:60]}")


FLAGGED = [
    # Code names revealed by a tease, a date, early access or the lab, not by product words.
    case(
        "security.codename",
        "Can't tell you much yet, but Bluebird is going to change how you shop with us 👀💙",
    ),
    case("security.codename", "Falcon signs next week and then the whole logistics arm is ours"),
    case("security.codename", "Erste Fotos vom Falcon-Prototyp aus unserem Labor in Stuttgart."),
    case("security.codename", "pre-orders for Bluebird are already past what our last game did 🤫"),
    case("security.codename", "Falcon llega muy pronto, no puedo decir más"),
    case("security.codename", "BLUEBIRD arrive bientôt, restez connectés"),
]

CLEAN = [
    # The ordinary word, not the project.
    case("security.codename", "We saw a falcon at the park today, what a bird"),
    case(
        "security.codename",
        "A peregrine falcon has nested on our warehouse roof 🦅 the team named her Dot.",
    ),
    case(
        "security.codename",
        "Eastern bluebirds are nesting in 14 of our 20 boxes this spring, up from 6.",
    ),
    case("security.codename", "Falcon Street store now open: new pricing on all coffee"),
    case(
        "security.codename", "Brunch at the Bluebird Cafe next week? Their new menu launches Monday"
    ),
]


@pytest.mark.parametrize(("rule", "text", "meta"), FLAGGED)
def test_flagged(rule: str, text: str, meta: dict[str, Any]) -> None:
    assert rule in rules_for(text, **meta)


@pytest.mark.parametrize(("rule", "text", "meta"), CLEAN)
def test_not_flagged(rule: str, text: str, meta: dict[str, Any]) -> None:
    assert rule not in rules_for(text, **meta)


MARKINGS = [
    case("security.internal_marking", "Q3 targets attached. Internal, do not share."),
    case("security.internal_marking", "Tarifas 2026 (uso interno, no compartir)"),
    case("security.internal_marking", "Vertraulich: Entwurf der Preisliste"),
    case("security.internal_marking", "Roadmap à usage interne, ne pas diffuser"),
    case(
        "security.internal_marking",
        "Staff & family perk: use TEAMACME50 at checkout for 50% off any membership.",
    ),
    case("security.internal_marking", "A slide from the internal roadmap: dark mode lands in May"),
]
MARKINGS_CLEAN = [
    case(
        "security.internal_marking", "Please do not share your password with anyone, not even us."
    ),
    case(
        "security.internal_marking",
        "¿Problemas? Escríbenos por privado y no compartir tus datos en comentarios",
    ),
    case(
        "security.internal_marking",
        "Spring sale: use code SPRING15 for 15% off, share it with whoever you like.",
    ),
    case("security.internal_marking", "Confidential search: our client is hiring a CFO."),
]


@pytest.mark.parametrize(("rule", "text", "meta"), MARKINGS)
def test_markings_in_every_language(rule: str, text: str, meta: dict[str, Any]) -> None:
    assert rule in rules_for(text, **meta)


@pytest.mark.parametrize(("rule", "text", "meta"), MARKINGS_CLEAN)
def test_advice_and_public_codes_are_not_markings(
    rule: str, text: str, meta: dict[str, Any]
) -> None:
    assert rule not in rules_for(text, **meta)


SECRETS = [
    case("security.secret", "the kiosk login is admin / Winter2024! if it locks again"),
    case("security.secret", "Wi-Fi 'OpsGuest', key H@rbor2026"),
    case(
        "security.secret",
        "Use the temporary password Welcome2026! together with your student number.",
    ),
    case(
        "security.secret",
        "Early birds on Saturday's stocktake: side door code is 4471#, coffee's on us",
    ),
    case("security.secret", "Agents, the key safe by the side gate is 4471."),
    case("security.secret", "Das Passwort für das Büro-WLAN lautet Hafen2026!"),
    case("security.secret", "stockroom safe combination is 12-34-56"),
]
SECRETS_CLEAN = [
    case(
        "security.secret",
        'curl -H "Authorization: Bearer YOUR_API_KEY" https://api.acme.example/v1/orders',
    ),
    case("security.secret", "export GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    case("security.secret", "AKIAXXXXXXXXXXXXXXXX is what the key looks like in our docs"),
    case("security.secret", "api_key: <token>"),
    case("security.secret", "Set OPENAI_API_KEY=sk-...EXAMPLE in your .env"),
    case("security.secret", "Guest wifi password: Croissant2024 ☕"),
    case("security.secret", "Combo #125 is back at the deli"),
    case(
        "security.secret", "Join our free webinar Tuesday! Zoom ID 812 3456 7890, passcode: 449211"
    ),
]


@pytest.mark.parametrize(("rule", "text", "meta"), SECRETS)
def test_credentials_in_prose(rule: str, text: str, meta: dict[str, Any]) -> None:
    assert rule in rules_for(text, **meta)


@pytest.mark.parametrize(("rule", "text", "meta"), SECRETS_CLEAN)
def test_placeholders_are_no_secret(rule: str, text: str, meta: dict[str, Any]) -> None:
    assert rule not in rules_for(text, **meta)


HOSTS = [
    case(
        "security.internal_host",
        "All the details are in the wiki: https://intranet.acme.example/hr/bonus-2026",
    ),
    case("security.internal_host", "Send it to the label printer at printer.local, it works again"),
    case("security.internal_host", "Try the new build on dev.acme.example or dev-eu.acme.example"),
]
HOSTS_CLEAN = [
    # "local" is an internal_domains entry in SETTINGS: only a host name may match it.
    case("security.internal_host", "Shop local. Support your local bakery this weekend."),
    case("security.internal_host", "API docs for partners live at developer.acme.example"),
    case("security.internal_host", "Live status for all regions is at status.acme.example"),
]


@pytest.mark.parametrize(("rule", "text", "meta"), HOSTS)
def test_internal_hosts(rule: str, text: str, meta: dict[str, Any]) -> None:
    assert rule in rules_for(text, **meta)


@pytest.mark.parametrize(("rule", "text", "meta"), HOSTS_CLEAN)
def test_settings_match_only_host_names(rule: str, text: str, meta: dict[str, Any]) -> None:
    assert rule not in rules_for(text, **meta)


PEOPLE = [
    case(
        "privacy.health",
        "Mr. Okafor, our records show you missed two cleanings and declined the root canal.",
    ),
    case(
        "privacy.health",
        "Big welcome back to Timo, back after three months of inpatient treatment for depression.",
    ),
    case("privacy.health", "Bienvenido de nuevo Andrés, tras su baja por depresión 💙"),
    case("privacy.health", "Gute Besserung an unsere Kollegin Petra nach ihrer Chemotherapie!"),
    case(
        "privacy.health",
        "Bon retour à Julien après son hospitalisation, hospitalisé trois semaines en réanimation.",
    ),
    case(
        # A provider's reply about the care of the person it answers: privacy.care_reply
        # reports it in place of privacy.health (supersedes).
        "privacy.care_reply",
        "@dana_w we understand, but adjusting your insulin dose takes several visits.",
    ),
    case("privacy.third_party", "The cashier you mentioned, Kyle, has been let go."),
    case("privacy.third_party", "Congrats Jayden, who passed algebra on his third try!"),
    case(
        "privacy.third_party",
        "Shoutout to Marco Ruiz, who just got bumped to $92k after his review.",
    ),
    case(
        "privacy.third_party", "Bravo à Léa Martin, qui a redoublé l'an dernier et réussit enfin."
    ),
    case(
        # privacy.vehicle_plate reports plates in place of privacy.third_party (supersedes).
        "privacy.vehicle_plate",
        "Silver hatchback, licence plate 7KLM294, you blocked our dock again",
    ),
    case("privacy.address", "@ben_r the courier left it at 88 Elm Grove Rd, your porch, at noon"),
    case(
        "privacy.public_request",
        "Missing parcel? Reply with your address and phone so we can sort it",
    ),
    case(
        "privacy.public_request",
        "Colis perdu ? Laissez votre adresse et votre téléphone en commentaire",
    ),
    # privacy.account_status reports a customer's account facts in place of privacy.third_party.
    case(
        "privacy.account_status", "@rob_k your card was declined twice, so we cancelled the order"
    ),
    case("privacy.third_party", "Proud of our colleague Sam, who came out as trans this spring"),
    case("privacy.address", "Enhorabuena, el ganador vive en la calle Mayor 5, 3º B"),
]
PEOPLE_CLEAN = [
    case(
        "privacy.health", "Congratulations to Priya Shah, promoted to head of our cardiology unit!"
    ),
    case(
        "privacy.health", "Flu cases at our clinics have doubled since Halloween; shots are free."
    ),
    case(
        "privacy.health",
        "Shared with her written permission: after her knee surgery Ana is back on the trails.",
    ),
    case("privacy.health", "Dr. Kim leads our transplant team and our stroke unit."),
    case("privacy.third_party", "Congrats to Claire on 10 years in the logistics team!"),
    case("privacy.third_party", "Employees are never fired for raising a safety concern."),
    case(
        "privacy.third_party",
        "Senior Data Engineer, remote, €65–80k + bonus. Apply at acme.example/jobs",
    ),
    case("privacy.address", "Come and see us at 1 Main St, Springfield, or call +1 800 555 0100."),
    case("privacy.address", "Visit our new shop at 12 Harbour Road, Leeds LS1 4AB"),
    case(
        "privacy.public_request",
        "Questions about an order? DM us your order number and we'll call you.",
    ),
    case(
        "privacy.public_request", "Please don't post your phone number or address in the comments."
    ),
    case(
        "privacy.third_party",
        "Struggling with debt? Your local advisor can help, free and confidential.",
    ),
    case("privacy.third_party", "My mom paid $5 to hold the monkey and look what he did"),
]


@pytest.mark.parametrize(("rule", "text", "meta"), PEOPLE)
def test_other_peoples_details(rule: str, text: str, meta: dict[str, Any]) -> None:
    assert rule in rules_for(text, **meta)


@pytest.mark.parametrize(("rule", "text", "meta"), PEOPLE_CLEAN)
def test_business_data_and_harmless_mentions(rule: str, text: str, meta: dict[str, Any]) -> None:
    assert rule not in rules_for(text, **meta)


def test_given_names_data_has_the_documented_format() -> None:
    """rules/data/privacy_given_names.tsv is the contract for the person-name detector:
    comment lines, then name TAB languages TAB languages-where-also-a-word."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "rules" / "data" / "privacy_given_names.tsv"
    languages = {"en", "es", "de", "fr", "it", "pt"}
    names: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        name, listed, also_word = line.split("\t")
        in_languages = set(listed.split(","))
        assert name[0].isupper() and name.replace("-", "").replace("'", "").isalpha(), name
        assert in_languages <= languages, line
        assert set(filter(None, also_word.split(","))) <= in_languages, line
        names[name] = in_languages
    assert 5_000 < len(names) < 20_000
    for name, language in [
        ("John", "en"),
        ("Lucía", "es"),
        ("Jürgen", "de"),
        ("Amélie", "fr"),
        ("Giuseppe", "it"),
        ("João", "pt"),
    ]:
        assert language in names[name], name


PROBED = [
    case(
        "privacy.third_party", "@ana_r found it: booking ZK7P4Q for María Soledad Ortiz, seat 23C"
    ),
    case("privacy.third_party", "Feliz cumpleaños, Marta! Nacida el 3 de mayo de 1990 😄"),
    case("security.secret", "El código de la alarma del almacén es 4590, no lo olvidéis"),
    case("security.secret", "O código do cadeado dos cacifos é 0912"),
    case("privacy.third_party", "Nuestro alumno Diego (4º B) ha suspendido tres asignaturas"),
    case(
        "privacy.health", "Liebe Grüße an Frau Berger, die nach ihrer Hüft-OP wieder bei uns turnt!"
    ),
    case("privacy.health", "Un abrazo enorme a Pedro, nuestro repartidor, que está en la UCI."),
    case(
        "privacy.health",
        "Auguri di pronta guarigione alla nostra cliente Giulia, ricoverata da lunedì.",
    ),
    case(
        "privacy.third_party",
        "Update: the employee who was rude to you, Jenna, no longer works here.",
    ),
    case(
        "privacy.third_party",
        "Congrats to Maya Cohen, who finally cleared her student loan of $38,000!",
    ),
    case(
        "privacy.public_request",
        "Écris ton adresse mail dans les commentaires pour recevoir le guide",
    ),
    case("security.secret", "VPN creds for the weekend: user ops / Acme#2025"),
    case("security.secret", "The admin password for the POS tills is still Acme2024, change it"),
]
PROBED_CLEAN = [
    case("privacy.address", "La tienda de Calle Mayor 5, Madrid, abre el domingo. ¡Os esperamos!"),
    case(
        "privacy.health",
        "But, my first Halloween as a diabetic makes me sad for kids who grow up with it.",
    ),
    case("privacy.health", "@tom_b Hi Tom! Thought you might like the MS cloud webinar on Friday."),
    case(
        "privacy.health", "Six months ago Harold needed a walker; after his physio he walks again."
    ),
    case("privacy.third_party", "My mom paid $5 to hold the monkey and look what he did"),
    case("privacy.third_party", "Student loan rates explained: what changes this autumn"),
    case("sec.embargo", "The embargo lifts at 9am tomorrow; we'll share the full story then."),
    case("security.secret", "Free Wi-Fi in all our cafés: network AcmeGuest, password Coffee2026"),
]


@pytest.mark.parametrize(("rule", "text", "meta"), PROBED)
def test_paraphrases_found_by_probing(rule: str, text: str, meta: dict[str, Any]) -> None:
    assert rule in rules_for(text, **meta)


@pytest.mark.parametrize(("rule", "text", "meta"), PROBED_CLEAN)
def test_near_misses_found_by_probing(rule: str, text: str, meta: dict[str, Any]) -> None:
    assert rule not in rules_for(text, **meta)
