"""People named in running text: a title and a name, or a given name and a surname.

Two shapes are reported, in English, Spanish, German, French, Italian and Portuguese:

* a title and a capitalised name (``Mr. Okafor``, ``Frau Kessler``, ``Sr. Joaquim Pereira``,
  ``M. Dupont``, ``signora Bianchi``, ``Dr. Patel``), label ``title``;
* a given name of ``rules/data/privacy_given_names.tsv`` followed by a capitalised surname or
  an initial (``Rachel Okonkwo``, ``María Soledad Ortiz``, ``Brenda K.``), label ``name``.

The given names are those of the post's language when ``meta.lang`` names one of the six, of
all six otherwise. A name the data marks as also an ordinary word in those languages (Will,
Mark, Grace, Rosa) needs more evidence: it must not open a sentence, and its surname must not
be a common word (``Will Smith`` is not found, ``Mark Twain`` at a sentence's start neither).
The data's own caveat says its es and fr marks also cover proper nouns, so only the en, de,
it and pt marks count. A word after a title or given name does not count as a name when it
is one of the commonest words of the languages (``Mr Right``, ``Frau Sorgen``,
``Maria Happy``): the frequency lists of :mod:`policylint._text.wordsplit` decide.

A first name alone (``Harold``) is not reported: it identifies no one by itself. Staff
name the people they serve by first name, role or description instead (issue 17, round 5),
and those are reported when the post says enough to single one person out:

* a given name the post has already written in full (``Dana Whitfield ... Dana's chemo``),
  label ``first``;
* a given name with a role owned by a possessive before or after it (``my patient Dana``,
  ``a minha aluna Beatriz``, ``Priya, one of our tellers``) or a room, bed, school class or
  street after it (``Tomasz is in room 4``, ``Ben in 6C``), label ``role``;
* a person described by a noun and such a place, with no name (``the lady in bed 12``, ``the
  boy in 4B``, ``the retired teacher from Elm St``, ``la dame du lit 4``), label
  ``described``; "every kid in 4B" is everyone, and plurals ("patients in beds 1-12") are a
  group, so neither is reported.

A word-like given name may open a sentence when a surname no frequency list knows follows it
(``Grace Okonkwo``). The value is the name (or description) as written with single spaces
(allow lists compare it case-insensitively).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache

from policylint._model.struct import NamedTuple
from policylint._text.wordsplit import LANGUAGES, fold, languages_for, rank
from policylint.detectors.base import Detection, Detector

TYPE_CHECKING = False
if TYPE_CHECKING:
    from policylint._text.post import PostViews

__all__ = ["COMMON_RANK", "DETECTOR", "TITLES", "PersonDetector"]

#: Titles before a name, by language, lower case, without their dot.
TITLES: dict[str, frozenset[str]] = {
    "en": frozenset({"mr", "mrs", "ms", "mx", "miss", "mister", "dr", "prof"}),
    "es": frozenset({"sr", "sra", "srta", "señor", "señora", "señorita", "don", "doña", "dr",
                     "dra"}),
    "de": frozenset({"herr", "frau", "dr", "prof"}),
    "fr": frozenset({"m", "mme", "mlle", "monsieur", "madame", "mademoiselle", "dr", "pr"}),
    "it": frozenset({"sig", "sig.ra", "signor", "signora", "signorina", "dott", "dott.ssa",
                     "prof"}),
    "pt": frozenset({"sr", "sra", "senhor", "senhora", "dona", "dr", "dra"}),
}  # fmt: skip
#: Short titles written in lower case after an article ("a dona Fátima", "la doña Carmen").
_LOWER_TITLES = frozenset({"dona", "doña"})
#: A word this frequent in the languages' lists is a word, not a name, after a title or given
#: name; for a given name that is also a word the surname must be rarer still.
COMMON_RANK = 400
_AMBIGUOUS_COMMON_RANK = 3000
# German capitalises every noun, so after Herr and Frau a word must be rarer still in the German
# list ("Frau Hilfe" is "woman help"; Müller, the commonest surname, ranks 1,310).
_NOUN_TITLES = frozenset({"herr", "frau"})
_NOUN_TITLE_RANK = 1000
#: A name inside a run of this many capitalised words holding a common one is a headline
#: or a title ("Drunk Guy Trips At Game"), not a person.
_HEADLINE_WORDS = 4
#: Languages whose "also a word" marks in the names data are trusted (see the module doc).
_TRUSTED_MARKS = frozenset({"en", "de", "it", "pt"})
# A word with its dots: letters, with inner hyphens and apostrophes (Jean-Luc, O'Brien), and
# the abbreviations of titles (Sig.ra, Dott.ssa).
_WORD = re.compile(r"[^\W\d_]+(?:[-'’.][^\W\d_]+)*\.?")
_SENTENCE_END = frozenset('.!?:;\n"“”«»¡¿')


# --- people picked out without a full name (round 5) -------------------------------------------
# Staff tell of "my patient Dana", "Dana in room 4", "the lady in bed 12": a first name with a
# role or a place, or a described person, identifies someone to everyone who shares the place.

#: Nouns naming one person by their relation to the writer or the organisation (six languages).
ROLE_NOUNS = frozenset({
    "patient", "client", "customer", "student", "pupil", "tenant", "resident", "guest",
    "employee", "colleague", "coworker", "co-worker", "teller", "cashier", "barista", "driver",
    "cleaner", "porter", "carer", "caregiver", "nanny", "receptionist", "waiter", "waitress",
    "courier", "housekeeper", "gardener", "limpiadora", "cuidadora", "putzfrau", "pflegerin",
    "aide-soignante", "badante", "colf", "empregada",
    "intern", "trainee", "apprentice", "member", "kiddo", "kid", "son", "daughter", "neighbour",
    "neighbor", "regular", "caller", "teammate", "staffer", "mentee", "learner", "boarder",
    "paciente", "cliente", "clienta", "alumno", "alumna", "estudiante", "inquilino", "inquilina",
    "empleado", "empleada", "compañero", "compañera", "vecino", "vecina", "hijo", "hija",
    "residente", "huésped", "patientin", "kunde", "kundin", "schüler", "schülerin", "mieter",
    "mieterin", "mitarbeiter", "mitarbeiterin", "kollege", "kollegin", "sohn", "tochter",
    "bewohner", "bewohnerin", "azubi", "patiente", "élève", "locataire", "salarié", "salariée",
    "employé", "employée", "collègue", "voisin", "voisine", "fils", "fille", "résident",
    "résidente", "paziente", "alunno", "alunna", "studente", "studentessa",
    "dipendente", "collega", "figlio", "figlia", "vicino", "vicina", "aluno", "aluna",
    "funcionário", "funcionária", "colega", "filho", "filha", "vizinho", "vizinha", "utente",
})  # fmt: skip
#: Words that make a role noun someone's ("my patient", "notre locataire", "la mia alunna").
POSSESSIVES = frozenset({
    "my", "our", "his", "her", "their", "your", "mi", "mis", "nuestro", "nuestra", "su", "tu",
    "mein", "meine", "meinen", "meinem", "meiner", "unser", "unsere", "unserem", "unseren",
    "unserer", "ihr", "ihre", "ihrem", "ihren", "sein", "seine", "seinem", "seinen", "dein",
    "deine", "mon", "ma", "notre", "son", "sa", "ton", "ta", "votre", "mio", "mia", "nostro",
    "nostra", "suo", "sua", "meu", "minha", "nosso", "nossa", "seu", "teu", "tua",
})  # fmt: skip
#: Nouns for a person described rather than named ("the lady in bed 12", "der Junge aus der 7b").
PERSON_NOUNS = ROLE_NOUNS | frozenset({
    "lady", "man", "woman", "boy", "girl", "child", "guy", "gentleman", "gent", "fella", "twins",
    "couple", "lad", "fireman", "pareja", "paar", "coppia", "casal",
    "teacher", "nurse", "señora", "señor", "hombre", "mujer", "chico", "chica", "niño", "niña",
    "chaval", "chavala", "abuelo", "abuela", "frau", "mann", "junge", "mädchen", "kind", "herr",
    "dame", "monsieur", "homme", "femme", "garçon", "enfant", "gamin", "gamine", "petit",
    "petite", "signora", "signore", "uomo", "donna", "ragazzo", "ragazza", "bambino", "bambina",
    "senhora", "senhor", "homem", "mulher", "menino", "menina", "miúdo", "miúda", "rapaz",
})  # fmt: skip
_DETERMINERS = POSSESSIVES | frozenset({
    "the", "that", "this", "a", "an", "un", "una", "ein", "eine", "une", "uno", "um", "uma",
    "el", "la", "ese", "esa", "este", "esta", "der", "die", "das",
    "dieser", "diese", "le", "ce", "cette", "il", "lo", "quel", "quella", "o", "aquele",
    "aquela",
})  # fmt: skip
# Where a person is placed, after "in", "from", "at" and their kin: a room, bed or table with
# its number, a school class ("4B", "7b", "3ºB", "5.º A", "Year 9"; NFKC, which the engine's
# plain view applies, writes "3ºB" as "3oB"), a floor ("del secondo piano", "du 2e étage") or a
# street ("Elm St").
_PLACE = re.compile(
    r"""\s*,?\s*(?:(?:is|está|ist|est|è|é)\s+)?
    (?:in|from|at|on|of|de|del|de\s+la|du|aus|der|in\s+der|im|dans|della|dello|nella|da|do|na|no)
    (?:\s+(?:the|my|our|la|el|le|der|dem|il|o|a|mi|ma|mon|la\s+sua))?\s+
    (?:(?:side\s+|single\s+|private\s+)?(?:room|rm|bed|bay|table|flat|unit|apartment|apt|seat|cubicle|cell|desk|cama|habitación|
        habitacion|mesa|piso|zimmer|bett|tisch|wohnung|chambre|lit|appartement|stanza|letto|
        tavolo|appartamento|quarto|sala|leito|till|checkout|counter|register|caja|kasse|caisse|
        cassa|caixa)\s*(?:n[º°o.]?\s*)?\#?\d{1,4}[a-z]?\b
      |(?:class\s+|year\s+|grade\s+|form\s+|klasse\s+|clase\s+|classe\s+|curso\s+|turma\s+)?
        (?:\d{1,2}[a-z]|\d{1,2}(?:e|ème|eme|\.?\s?[ºª°])\s?[a-z]|\d{1,2}\.?[oa](?-i:\s?[A-Z]))\b
      |\d{1,2}\s?\.?\s?[ºª°]\s?(?:eso|bach|primaria)\b
      |(?:class|year|grade|klasse|clase|classe|curso|ano)\s+\d{1,2}\b
      |homeroom\b|tutor\s+group\b|form\s+group\b
      |(?:first|second|third|fourth|fifth|top|ground|\d{1,2}(?:st|nd|rd|th|e|er|\.|\.?º|o))\s+
        (?:floor|storey|étage|stock|etage|andar)\b
      |(?:primer|segundo|tercer|cuarto|quinto|último|primo|secondo|terzo|quarto|quinto|ultimo)\s+
        (?:piso|piano)\b
      |\d{3}\b(?![.,:]?\d)(?!\s*(?:%|€|\$|£|km|kg|followers|people|years|miles|euros|dollars)))""",
    re.VERBOSE | re.IGNORECASE,
)
# A street: a capitalised name and its kind ("from Elm St", "de la calle Mayor").
_STREET = re.compile(
    r"""\s*,?\s*(?:from|on|of|de|aus|von|du|da|in)\s+(?:(?:the|la|el|der)\s+)?
    (?:(?:calle|rue|via|rua|avenida|av\.?)\s+[^\W\d_a-z][^\W\d_]+
      |St\.?\s+[^\W\d_a-z][^\W\d_’']+(?:['’]s)?
      |[^\W\d_a-z][^\W\d_]+\s+(?:St|Street|Ave|Avenue|Road|Rd|Lane|Ln|Drive|Close|Way|Court|
        Straße|Strasse|Weg|Platz)\b)""",
    re.VERBOSE,
)
# "Dana, our tenant", "Priya, one of our tellers", "Noah (my autistic kiddo in 2B)", "Karim,
# notre locataire". The possessive and the role noun are checked against the sets above.
_ROLE_AFTER = re.compile(
    r"""\s*[,(]\s*(?:(?:one\s+of|uno\s+de|una\s+de|l['’]une?\s+de|um[a]?\s+d[oa]s|un[oa]?\s+de[ig]?)
    \s+)?(?P<poss>[^\W\d_]+)(?P<rest>(?:\s+[^\W\d_-]+){1,3})""",
    re.VERBOSE | re.IGNORECASE,
)
#: Articles written into the next word in French and Italian.
_ELIDED = frozenset({"l", "dell", "nell", "all", "dall", "sull"})
_POSSESSIVE_S = re.compile(r"['’]s\Z")
#: Words that end a description: "every kid in 4B" is everyone, not one child.
_QUANTIFIERS = frozenset({
    "every", "each", "any", "all", "no", "cada", "todo", "toda", "jede", "jeder", "jedes",
    "chaque", "tout", "toute", "ogni", "qualquer",
})  # fmt: skip
#: Staff name regulars by their day ("my Tuesday lady", "our Saturday girl Holly").
_DAYS = frozenset({"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"})
#: How far before a role noun its possessive may be ("my lovely new patient Dana").
_ROLE_REACH = 3


class _Word(NamedTuple):
    start: int
    end: int  # after the dot, if any
    text: str  # without the dot
    dotted: bool


class _GivenNames:
    """The given names' lines, sorted, a name found by binary search when it is met: a dict
    of 7,600 parsed lines cost ~2.5 ms of every check with a capital letter."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = sorted(lines)  # one pass over the sorted file; an edited one reads right

    def get(self, name: str) -> str | None:
        """The rest of ``name``'s line (its languages, then where it is a word), if listed."""
        key = f"{name}\t"
        at = bisect_left(self._lines, key)
        found = self._lines[at] if at < len(self._lines) else ""
        return found[len(key) :] if found.startswith(key) else None

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None


@cache
def _given_names() -> _GivenNames:
    """The data file's given names, each line parsed only when its name is met (_given)."""
    from policylint._resources import rules_dir

    lines = (rules_dir() / "data" / "privacy_given_names.tsv").read_text("utf-8").splitlines()
    return _GivenNames([line for line in lines if line and line[0] != "#"])


def _given(name: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """A given name's languages and the trusted languages where it is also a word."""
    rest = _given_names().get(name)
    if rest is None:
        return None
    languages, _, also_word = rest.partition("\t")
    return frozenset(languages.split(",")), frozenset(also_word.split(",")) & _TRUSTED_MARKS


def _words(text: str) -> list[_Word]:
    words = []
    for m in _WORD.finditer(text):
        token = m.group()
        dotted = token.endswith(".")
        words.append(_Word(m.start(), m.end(), token.rstrip("."), dotted))
    return words


def _capitalised(word: str) -> bool:
    """A name's shape: a capital, then not only capitals (``Okafor``, ``McDonald``; an
    initial is handled apart)."""
    return len(word) > 1 and word[0].isupper() and not word.isupper()


def _common(word: str, langs: tuple[str, ...], limit: int = COMMON_RANK) -> bool:
    found = rank(fold(word), langs)
    return found is not None and found <= limit


def _adjacent(text: str, left: _Word, right: _Word) -> bool:
    """Whether only spaces (one line) separate two words."""
    gap = text[left.end : right.start]
    return 0 < len(gap) <= 2 and gap.isspace() and "\n" not in gap


def _opens_sentence(text: str, word: _Word) -> bool:
    before = text[: word.start].rstrip()
    return not before or before[-1] in _SENTENCE_END


class PersonDetector:
    name = "person"
    description = (
        "People's names: a title and a name (Mr. Okafor, Frau Kessler, Sr. Pereira) or a "
        "common given name and a surname or initial (Rachel Okonkwo, Brenda K.); a first "
        "name with a role or place or after the full name (my patient Dana); a person "
        "described by a place (the lady in bed 12)."
    )

    def detect(self, post: PostViews) -> list[Detection]:
        plain = post.plain
        found = []
        for start, end, label in find_people(plain.text, languages_for(post.meta)):
            name = " ".join(plain.text[start:end].split())
            found.append(Detection(*plain.to_original(start, end), name, label))
        return found

    def canonical(self, text: str) -> str:
        return " ".join(text.split()).lower()


def find_people(text: str, langs: tuple[str, ...] = LANGUAGES) -> list[tuple[int, int, str]]:
    """Names of people in ``text``: start, end and label (``title``, ``name``, ``first``,
    ``role`` or ``described``). A post without a capital letter has none: that is the
    detector's precheck (``capital``), which a description ("the boy in 4b") alone would
    not need, but rules are skipped by it on such posts."""
    if text.lower() == text:  # as the precheck asks: only a capital changes when lowered
        return []
    titles = frozenset().union(*(TITLES[lang] for lang in langs))
    words = _words(text)
    found: list[tuple[int, int, str]] = []
    named: set[str] = set()  # given names already written in full, for coreference
    index = 0
    while index < len(words):
        word = words[index]
        last = _after_title(text, words, index, titles, langs)
        label = "title"
        if last is None:
            last = _after_given_name(text, words, index, langs)
            label = "name"
        if last is None or (label == "name" and _in_headline(text, words, index, last, langs)):
            alone = _first_name_label(text, words, index, langs, named)
            if alone is not None:
                name = _POSSESSIVE_S.sub("", word.text)
                named.add(name)  # "our Saturday girl Holly ... Holly's mum": her again
                found.append((word.start, word.start + len(name), alone))
            index += 1
            continue
        if label == "name":
            named.add(word.text)
        found.append((word.start, _end(words[last]), label))
        index = last + 1
    return _merged(found, find_described(text, words))


def _merged(
    named: list[tuple[int, int, str]], described: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """Both lists in text order, an item of the second dropped where it overlaps the
    first's (a description under a name, a bed inside "the lady in bed 4")."""
    kept = [d for d in described if all(d[1] <= n[0] or n[1] <= d[0] for n in named)]
    return sorted(named + kept)


def _in_headline(
    text: str, words: list[_Word], first: int, last: int, langs: tuple[str, ...]
) -> bool:
    """Whether words ``first``..``last`` sit in a run of capitalised words long enough to be
    a headline, with a common word in it."""
    start, end = first, last
    while (
        start > 0
        and _adjacent(text, words[start - 1], words[start])
        and (words[start - 1].text[:1].isupper())
    ):
        start -= 1
    while (
        end + 1 < len(words)
        and _adjacent(text, words[end], words[end + 1])
        and (words[end + 1].text[:1].isupper())
    ):
        end += 1
    run = words[start : end + 1]
    return len(run) >= _HEADLINE_WORDS and any(_common(w.text, langs) for w in run)


def _end(word: _Word) -> int:
    """Where a name's last word ends: an initial keeps its dot, a surname does not."""
    return word.end if word.dotted and len(word.text) == 1 else word.start + len(word.text)


def _is_title(word: _Word, titles: frozenset[str]) -> bool:
    lowered = word.text.lower()
    if lowered not in titles:
        return False
    if lowered == "m":  # French "M." only written so
        return word.text == "M" and word.dotted
    # Short titles are capitalised ("Dr", "Sr"); spelt-out ones may not be ("signora Bianchi",
    # "a dona Fátima").
    return word.text[0].isupper() or len(lowered) > 4 or lowered in _LOWER_TITLES


def _name_word(word: _Word, langs: tuple[str, ...], noun_title: bool = False) -> bool:
    """A capitalised word that can be a name: not one of the commonest words, unless it is a
    given name too."""
    if not _capitalised(word.text) or "." in word.text:
        return False
    if noun_title and _common(word.text, ("de",), _NOUN_TITLE_RANK):
        return False
    return word.text in _given_names() or not _common(word.text, langs)


def _after_title(
    text: str, words: list[_Word], index: int, titles: frozenset[str], langs: tuple[str, ...]
) -> int | None:
    """The index of the last word of a name after a title at ``index``, or None."""
    if not _is_title(words[index], titles):
        return None
    noun_title = words[index].text.lower() in _NOUN_TITLES
    last = None
    for following in range(index + 1, min(index + 3, len(words))):
        if not _adjacent(text, words[following - 1], words[following]):
            break
        if not _name_word(words[following], langs, noun_title):
            break
        last = following
        if words[following].dotted:
            break  # a full stop ends the name
    return last


def _after_given_name(
    text: str, words: list[_Word], index: int, langs: tuple[str, ...]
) -> int | None:
    """The index of the surname or initial after a given name at ``index``, or None."""
    word = words[index]
    given = None if word.dotted else _given(word.text)
    if given is None or given[0].isdisjoint(langs):
        return None
    also_word = not given[1].isdisjoint(langs)
    if also_word and _opens_sentence(text, word) and not _rare_surname_follows(text, words, index):
        return None
    last = None
    for following in range(index + 1, min(index + 3, len(words))):
        candidate = words[following]
        if not _adjacent(text, words[following - 1], candidate):
            break
        if len(candidate.text) == 1 and candidate.text.isupper() and candidate.dotted:
            return following  # an initial: Brenda K.
        if not _name_word(candidate, langs):
            break
        if also_word and _common(candidate.text, langs, _AMBIGUOUS_COMMON_RANK):
            break
        last = following
        if candidate.dotted:
            break
    return last


def _rare_surname_follows(text: str, words: list[_Word], index: int) -> bool:
    """Whether a surname follows ``index`` that makes a word-like given name opening a
    sentence a name: one no frequency list knows ("Grace Okonkwo"), or an uncommon one when
    the given name recurs ("Lena Hoffmann ... Lena"); "Mark Twain" stays out."""
    if index + 1 >= len(words) or not _adjacent(text, words[index], words[index + 1]):
        return False
    following = words[index + 1].text
    if not _capitalised(following) or following in _given_names():
        return False
    found = rank(fold(following))
    if found is None:
        return True
    # A surname the lists know but do not count common ("Hoffmann"), when the given name
    # comes back alone later ("Lena Hoffmann kam ... Lena hat"): the post is about her.
    again = any(w.text == words[index].text for w in words[index + 2 :])
    return found > _AMBIGUOUS_COMMON_RANK and again


def _placed(text: str, end: int) -> bool:
    """Whether a room, bed, class or street follows ``end`` ("in room 4", "from Elm St")."""
    return bool(_PLACE.match(text, end) or _STREET.match(text, end))


def _role_word(word: str) -> bool:
    lowered = word.lower()
    return lowered in ROLE_NOUNS or (lowered[-1:] == "s" and lowered[:-1] in ROLE_NOUNS)


def _role_before(text: str, words: list[_Word], index: int) -> bool:
    """Whether a role noun with a possessive or an article comes just before ``index``: "my
    patient Dana", "nuestra inquilina Marta", "o aluno Duarte"; a role noun opening a
    sentence counts alone ("Client Anya told us")."""
    if index == 0 or not _adjacent(text, words[index - 1], words[index]):
        return False
    role = words[index - 1]
    if role.dotted:
        return False
    if not _role_word(role.text):
        # "our Saturday girl Holly", "my boy Tom": a person noun owned by a possessive
        owners = words[max(0, index - 3) : index - 1]
        return role.text.lower() in PERSON_NOUNS and any(
            w.text.lower() in POSSESSIVES for w in owners
        )
    if _opens_sentence(text, role):
        return True
    reach = words[max(0, index - 1 - _ROLE_REACH) : index - 1]
    return any(w.text.lower() in _DETERMINERS for w in reach)


# "Brenda, the one who always pays in coins": a name picked out by what only she does.
_THE_ONE_WHO = re.compile(
    r"\s*,\s*(?:the\s+one\s+(?:who|with|from)|la\s+que|el\s+que|celle\s+qui|celui\s+qui|"
    r"quella\s+che|quello\s+che|a\s+que|o\s+que|die\s+mit|der\s+mit)\b",
    re.IGNORECASE,
)


# "Keisha (14, the quiet one...)", "Noé, 6 ans,": a first name with an age is a child one
# can find.
_AGE_AFTER = re.compile(
    r"\s*[,(]\s*\d{1,2}\s*(?:[,)]|(?:years?(?:\s+old)?|yo|y/o|ans|años|jahre|anni|anos)\b)",
    re.IGNORECASE,
)


def _role_after(text: str, end: int) -> bool:
    """Whether a role owned by a possessive follows a name: "Dana, our tenant", "Priya, one
    of our tellers", "Noah (my autistic kiddo in 2B)"."""
    if _THE_ONE_WHO.match(text, end) or _AGE_AFTER.match(text, end):
        return True
    m = _ROLE_AFTER.match(text, end)
    if m is None or m.group("poss").lower() not in POSSESSIVES:
        return False
    return any(_role_word(word) for word in m.group("rest").split())


def _first_name_label(
    text: str, words: list[_Word], index: int, langs: tuple[str, ...], named: set[str]
) -> str | None:
    """The label of a given name standing alone at ``index``, when the post says enough to
    identify the person: ``first`` when the post has already named them in full (``Dana
    Whitfield ... Dana``), ``role`` with a role or a place ("my patient Dana", "Dana in
    room 4"), None otherwise."""
    word = words[index]
    if not word.text[0].isupper():
        return None
    name = _POSSESSIVE_S.sub("", word.text)  # "Dana's chemo" is Dana's
    given = None if word.dotted else _given(name)
    if given is None or given[0].isdisjoint(langs) or not _capitalised(name):
        return None
    if name in named:
        return "first"
    also_word = not given[1].isdisjoint(langs)
    end = word.start + len(word.text)
    if _role_before(text, words, index):
        return "role"
    if also_word and _opens_sentence(text, word):
        return None
    return "role" if _role_after(text, end) or _placed(text, end) else None


_DIGIT = re.compile(r"\d")


def _elided_noun(word: _Word) -> bool:
    """Whether a word is an elided article and a person noun ("L'élève", "dell'alunna")."""
    if "'" not in word.text and "’" not in word.text:
        return False
    head, _, noun = word.text.replace("’", "'").rpartition("'")
    return bool(head) and head.lower() in _ELIDED and noun.lower() in PERSON_NOUNS


def _described_from(text: str, word: _Word) -> int | None:
    """Where the place after a person noun ``word`` ends, if a place follows it."""
    noun = word.text.replace("’", "'").rpartition("'")[2].lower()
    if noun not in PERSON_NOUNS or word.dotted:
        return None
    place = _PLACE.match(text, word.end) or _STREET.match(text, word.end)
    return place.end() if place else None


# Staff shorthand: a bed or room standing for its patient ("Bed 6 (the former headmaster) has
# stopped eating", "room 12 keeps pressing the buzzer"), followed by what the person does.
_BED_AS_PERSON = re.compile(
    r"""\b(?:bed|room|bay|cama|habitación|bett|zimmer|lit|chambre|letto|stanza|quarto|leito)
    \s*\d{1,4}[a-z]?(?:\s*\([^()\n]{1,60}\))?(?=\s+(?:keeps|wants|refused|refuses|won't|
    hasn't|asked|told|fell|rang|died|passed\s+away|has\s+(?:stopped|been|refused|asked|fallen)|
    is\s+(?:asking|refusing|crying|shouting|confused|agitated|dying)|lleva|sigue|no\s+quiere|
    will\s+nicht|hat\s+(?:wieder|schon|aufgehört)|refuse|veut|ne\s+veut|vuole|rifiuta|
    non\s+vuole|recusa|quer|não\s+quer)\b)""",
    re.VERBOSE | re.IGNORECASE,
)


def find_described(text: str, words: list[_Word] | None = None) -> list[tuple[int, int, str]]:
    """People described by a role and a place rather than named: "the lady in bed 12", "the
    boy in 4B", "the retired teacher from Elm St", "la dame du lit 4", "der Junge aus der 7b"
    (label ``described``). Up to two words may come between the determiner and the noun."""
    if words is None:
        words = _words(text)
    found: list[tuple[int, int, str]] = []
    for index, word in enumerate(words):
        if found and word.start < found[-1][1]:
            continue  # inside the description just found ("La nostra inquilina ...")
        lowered = word.text.lower()
        if lowered in _DETERMINERS:
            pass
        elif _elided_noun(word) or (
            lowered in PERSON_NOUNS and word.text[0].isupper() and _opens_sentence(text, word)
        ):
            # "L'élève de 5eB", "dell'alunna": the article is in the word; "Customer at till
            # 4": a role noun opening a sentence needs no article.
            noun_place = _described_from(text, word)
            if noun_place is not None:
                found.append((word.start, noun_place, "described"))
            continue
        else:
            continue
        for noun_at in range(index + 1, min(index + 4, len(words))):
            noun = words[noun_at]
            if not _adjacent(text, words[noun_at - 1], noun):
                break
            if noun.text.lower() in PERSON_NOUNS:
                place = (
                    _PLACE.match(text, noun.end)
                    or _STREET.match(text, noun.end)
                    or _THE_ONE_WHO.match(text, noun.end)
                )
                if place and not noun.dotted:
                    found.append((word.start, place.end(), "described"))
                    break
                continue  # "my regular Tuesday lady": the last noun is the person
            if noun.text in _QUANTIFIERS or not (noun.text.islower() or noun.text in _DAYS):
                break
    if not _DIGIT.search(text):
        return found
    beds = [(m.start(), m.end(), "described") for m in _BED_AS_PERSON.finditer(text)]
    return _merged(found, beds)


DETECTOR: Detector = PersonDetector()
