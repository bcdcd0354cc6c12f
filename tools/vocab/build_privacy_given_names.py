"""Build rules/data/privacy_given_names.tsv: common given names per supported language.

The person-name detector the privacy rules need (a named customer, patient, student or
employee next to a sensitive fact) must know that "Timo", "Jayden" or "Lucía" are given names
without a hand-written list. The source is names-dataset (Philippe Remy), whose first-name table
ranks names per country. It is a 56 MB wheel that needs gigabytes of memory to load through its
own API, so it is never a runtime dependency: this script reads the table once, keeps only the
names common in the countries of each supported language, and writes a compact list.

    pip download --no-deps names-dataset==3.3.1 -d /tmp/names
    python tools/vocab/build_privacy_given_names.py \
        /tmp/names/names_dataset-3.3.1-py3-none-any.whl

Optional: with the Debian word lists installed (wamerican wbritish wspanish wngerman wfrench
witalian wportuguese, in /usr/share/dict), the third column marks names that are also ordinary
words of a language ("Will", "Rosa", "Frank"), so that a detector can ask for more evidence
before it takes them for a person. Without them the column is empty and the script says so.

Only aggregate, high-frequency given names are kept: no surnames, no counts, no gender, and
no name outside the top TOP_PER_COUNTRY of a country, so nothing in the output points at a
person. The upstream table is a pickle: it is read with an unpickler that refuses every global,
so a tampered wheel cannot run code here.
"""

from __future__ import annotations

import argparse
import gzip
import io
import pickle
import re
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "rules" / "data" / "privacy_given_names.tsv"
TABLE = "names_dataset/v3/first_names.pkl.gz"
UPSTREAM = "names-dataset 3.3.1"

# The countries whose names stand for each supported language (the markets the packs' posts
# are written for; a name common in any of them is a name in that language's posts).
COUNTRIES = {
    "en": ("US", "GB", "IE", "CA"),
    "es": ("ES", "MX", "AR", "CO", "CL", "PE"),
    "de": ("DE", "AT", "CH"),
    "fr": ("FR", "BE", "CH"),
    "it": ("IT",),
    "pt": ("PT", "BR"),
}
TOP_PER_COUNTRY = 1000

# Debian word lists (one word a line; proper nouns capitalised in the English ones).
WORD_LISTS = {
    "en": ("american-english", "british-english"),
    "es": ("spanish",),
    "de": ("ngerman",),
    "fr": ("french",),
    "it": ("italian",),
    "pt": ("portuguese",),
}
DICT_DIR = Path("/usr/share/dict")

# A given name as people write it: a capital, then lower-case letters, optionally one hyphen
# or apostrophe part ("Jean-Luc", "D'Arcy"). Initials, digits and all-caps junk are dropped.
NAME_SHAPE = re.compile(r"[^\W\d_][^\W\d_A-Z]+(?:[-'][^\W\d_][^\W\d_A-Z]+)?")


class _NoGlobals(pickle.Unpickler):
    """Loads plain containers only: any class or function reference is refused."""

    def find_class(self, module: str, name: str) -> object:
        raise pickle.UnpicklingError(f"refusing global {module}.{name} in {TABLE}")


def load_first_names(wheel: Path) -> dict[str, dict[str, dict[str, float]]]:
    with zipfile.ZipFile(wheel) as archive:
        raw = gzip.decompress(archive.read(TABLE))
    table = _NoGlobals(io.BytesIO(raw)).load()
    if not isinstance(table, dict):
        raise SystemExit(f"{wheel}: {TABLE} is not a table of names")
    return table


def common_names(table: dict[str, dict[str, dict[str, float]]]) -> dict[str, set[str]]:
    """name -> the languages in whose countries it ranks in the top TOP_PER_COUNTRY."""
    languages: dict[str, set[str]] = defaultdict(set)
    for name, info in table.items():
        if not NAME_SHAPE.fullmatch(name) or not name[0].isupper():
            continue
        ranks = info.get("rank") or {}
        for language, countries in COUNTRIES.items():
            if any((ranks.get(c) or TOP_PER_COUNTRY + 1) <= TOP_PER_COUNTRY for c in countries):
                languages[name].add(language)
    return languages


def ordinary_words() -> dict[str, set[str]]:
    """language -> lower-case ordinary words (entries written in lower case)."""
    words: dict[str, set[str]] = {}
    for language, files in WORD_LISTS.items():
        found = [DICT_DIR / f for f in files if (DICT_DIR / f).is_file()]
        if not found:
            print(
                f"note: no word list for {language} in {DICT_DIR}; third column left empty",
                file=sys.stderr,
            )
            continue
        words[language] = {
            line.strip()
            for path in found
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.strip() and line.strip()[0].islower()
        }
    return words


def write(names: dict[str, set[str]], words: dict[str, set[str]], out: Path) -> None:
    lines = [
        f"# Common given names per language, derived from {UPSTREAM} (MIT per its metadata;",
        "# see rules/data/ATTRIBUTION.md) by tools/vocab/build_privacy_given_names.py.",
        f"# A name is listed for a language when it ranks in the top {TOP_PER_COUNTRY} given",
        "# names of one of that language's countries: "
        + "; ".join(f"{lang} {' '.join(c)}" for lang, c in COUNTRIES.items())
        + ".",
        "# Columns (tab-separated): name, languages, languages where the lower-cased name is also",
        "# an ordinary word (Debian word lists; a detector wants more evidence for those). The",
        "# es and fr lists write proper nouns in lower case too, so there the column over-marks.",
        "# Regenerate with the script; do not edit by hand.",
    ]
    for name in sorted(names, key=lambda n: (n.casefold(), n)):
        langs = sorted(names[name])
        also_word = sorted(lang for lang in langs if name.lower() in words.get(lang, ()))
        lines.append(f"{name}\t{','.join(langs)}\t{','.join(also_word)}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help=f"the downloaded {UPSTREAM} wheel")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    names = common_names(load_first_names(args.wheel))
    write(names, ordinary_words(), args.output)
    per_language = {lang: sum(lang in ls for ls in names.values()) for lang in COUNTRIES}
    print(f"{len(names)} names written to {args.output}: {per_language}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
