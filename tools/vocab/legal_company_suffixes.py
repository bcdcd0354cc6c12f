"""Build rules/data/legal_company_suffixes.txt: the legal forms that mark a company name
("Hartwell GmbH", "Globex S.A.", "Initech Ltd"), for builtin:legal/defamation.

Source: the ``cleanco`` package (MIT, (c) 2015 Paul Solin; https://github.com/psolin/cleanco),
version 2.3, ``cleanco.termdata.terms_by_country``: legal-form terms by country, all lower
case. Kept: the countries of the markets the packs serve (the languages en, es, de, fr, it,
pt, and the Benelux), single-token forms only (a multi-word form such as "Pty Ltd" or
"S.A. de C.V." is found by its first token), written as companies write them ("GmbH",
"S.p.A.", "LLC"), short undotted forms in capitals only (so "as", "da", "et" are never read
as one), and not forms that are ordinary words there (COMMON_WORDS).

The defamation pack cannot read a data file, so the regular expression that matches these
forms after a capitalised name is written into rules/legal/defamation.policy;
tests/test_legal_vocab.py checks that the policy holds exactly ``suffix_alternation()`` of
this file. Run after changing the selection, then paste the printed alternation into the
policy:

    python -m venv /tmp/v && /tmp/v/bin/pip install cleanco==2.3
    /tmp/v/bin/python tools/vocab/legal_company_suffixes.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "rules" / "data" / "legal_company_suffixes.txt"

COUNTRIES = (
    "United States of America",
    "United Kingdom",
    "Ireland",
    "Canada",
    "Australia",
    "New Zealand",
    "Spain",
    "Mexico",
    "Argentina",
    "Chile",
    "Columbia",
    "Peru",
    "Germany",
    "Austria",
    "Switzerland",
    "France",
    "Belgium",
    "Luxemborg",
    "Italy",
    "Portugal",
    "Brazil",
    "Netherlands",
)
# How companies write forms that are not simply capitals (cleanco keeps lower case only).
CANONICAL = {
    "inc": "Inc",
    "corp": "Corp",
    "co": "Co",
    "ltd": "Ltd",
    "ltda": "Ltda",
    "lda": "Lda",
    "limited": "Limited",
    "incorporated": "Incorporated",
    "corporation": "Corporation",
    "company": "Company",
    "gmbh": "GmbH",
    "g.m.b.h": "G.m.b.H",
    "kgaa": "KGaA",
    "e.v": "e.V",
    "e.g": "eG",
    "gesbr": "GesbR",
    "gbr": "GbR",
    "ohg": "OHG",
    "partg": "PartG",
    "s.p.a": "S.p.A",
    "s.r.l": "S.r.l",
    "s.a.s": "S.a.s",
    "s.n.c": "S.n.c",
    "s.a.p.a": "S.a.p.A",
    "s.c.r.l": "S.c.r.l",
    "sagl": "Sagl",
    "sarl": "SARL",
    "sgps": "SGPS",
    "eireli": "Eireli",
}
# Forms that are ordinary words, slang or abbreviations in the supported languages even in
# capitals ("OG", "NL" for the Netherlands, "AD" for anno Domini).
COMMON_WORDS = {
    "ba",
    "bl",
    "da",
    "e.g",
    "ei",
    "et",
    "gp",
    "sp",
    "sem",
    "sep",
    "sf",
    "ss",
    "s.s",
    "ok",
    "og",
    "nl",
    "ad",
    "sd",
    "kd",
}
# cleanco 2.3 gives Brazil the Bulgarian list ("ad", "adsitz", "ead", "kda"...): Brazil's own
# forms replace it.
CORRECTIONS = {"Brazil": ["ltda", "s.a.", "s/a", "eireli"]}
# Forms in daily use in these markets that cleanco 2.3 lacks (undotted Italian forms,
# Spain's sole-member S.L.U., Germany's UG and gGmbH, the European SE, Australia's Pty,
# the lower-case British plc and the undotted Dutch BV and NV).
ADDITIONS = {
    "SpA": "Italy",
    "Srl": "Italy",
    "SRL": "Italy",
    "SL": "Spain",
    "S.L.U": "Spain",
    "SLU": "Spain",
    "UG": "Germany",
    "gGmbH": "Germany",
    "mbH": "Germany",
    "SE": "European Union",
    "Pty": "Australia",
    "plc": "United Kingdom",
    "S.A.S": "France",
    "Eireli": "Brazil",
    "BV": "Netherlands",
    "NV": "Netherlands",
}


def canonical(term: str) -> str | None:
    """The written form of one cleanco term, or None when it is left out."""
    stem = term.strip().rstrip(".")
    if not stem or " " in stem or "&" in stem or stem in COMMON_WORDS:
        return None
    if stem in CANONICAL:
        return CANONICAL[stem]
    if "." in stem or "/" in stem:
        return stem.upper()
    return stem.upper() if len(stem) <= 5 else stem.capitalize()


def select(terms_by_country: dict[str, list[str]]) -> dict[str, list[str]]:
    """Written form -> the countries that use it, for COUNTRIES."""
    chosen: dict[str, list[str]] = {}
    for country in COUNTRIES:
        for term in CORRECTIONS.get(country, terms_by_country[country]):
            form = canonical(term)
            if form is not None and country not in chosen.setdefault(form, []):
                chosen[form].append(country)
    for form, country in ADDITIONS.items():
        if country not in chosen.setdefault(form, []):
            chosen[form].append(country)
    return chosen


def read_forms(path: Path = OUT) -> list[str]:
    """The written forms listed in the data file (first column, comments skipped)."""
    forms = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            forms.append(line.split("\t", 1)[0])
    return forms


def suffix_alternation(forms: list[str]) -> str:
    """The RE2 alternation the defamation pack uses: longest first, dots escaped, a final
    dot left to the pack's ``\\b\\.?`` and a slash escaped for the policy language."""
    stems = sorted({f.rstrip(".") for f in forms}, key=lambda s: (-len(s), s))
    return "|".join(re.escape(s).replace("/", "\\/") for s in stems)


def main() -> int:
    from cleanco import termdata  # a build-time dependency only, never at run time

    chosen = select(termdata.terms_by_country)
    lines = [
        "# Legal forms of companies, as written after a company's name, with the countries",
        "# that use them. Derived from cleanco 2.3 (MIT, (c) 2015 Paul Solin) by",
        "# tools/vocab/legal_company_suffixes.py (with the corrections and additions it lists);",
        "# see rules/data/ATTRIBUTION.md.",
    ]
    lines += [f"{form}\t{', '.join(countries)}" for form, countries in sorted(chosen.items())]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(chosen)} forms -> {OUT.relative_to(ROOT)}", file=sys.stderr)
    print(suffix_alternation(list(chosen)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
