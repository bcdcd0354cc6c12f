"""The language of a post: ``meta.lang`` when given, otherwise a cheap, offline guess.

The guess knows six languages (en, es, de, fr, pt, it) by their function words: the
articles, prepositions, pronouns and auxiliaries that make up a third of any sentence and
that differ between the languages even when the content words are shared ("producto
nuevo" and "produto novo" are told apart by "para el" and "para o" around them). Each word
of the post found in a language's list counts one for it; a word in several lists ("de",
"la", "que") is split between them. A few letters each belong to one language (ñ, ß, ã...)
and count one too. The language with the highest score is the answer when it has at least
:data:`MIN_SCORE` and beats the next by half as much again; otherwise the answer is "und"
(undetermined, BCP 47's code): a post of a few words, one with no function word (a list of
hashtags, a product name), or one that mixes two languages in equal parts.

No model, no data file: the lists are below, and a post is read once, word by word, only
when a rule asks for its language.
"""

from __future__ import annotations

import re

__all__ = ["LANGUAGES", "MIN_SCORE", "UNDETERMINED", "guess_language", "post_language"]

#: The languages the guess can name.
LANGUAGES = ("en", "es", "de", "fr", "pt", "it")
#: The answer when the language cannot be told.
UNDETERMINED = "und"
#: The least score (function words and letters) a guess needs: a post of a few words
#: rarely holds two function words of one language.
MIN_SCORE = 2.0
#: How much the best score must beat the second: a post that mixes two languages in
#: nearly equal parts is "und".
_MARGIN = 1.5

_FUNCTION_WORDS = {
    "en": "the and of to is in that it for you was with on are this be have at not but we "
    "they your our will from my can just all what so an or by has were been would there "
    "their about if out when who which how more get do don't it's we're i'm here now today",
    "es": "el la los las de que y a en un una es por con para no se lo del al como más pero "
    "sus su le ya muy también este esta hay son está todo nuestro nuestra cuando porque "
    "sin sobre entre ser tiene hoy gracias usted nos mi tu te",
    "de": "der die das und ist nicht ein eine zu den dem des mit von sich auf für im es auch "
    "wir ihr sie ich du sind war wird noch nur aber oder wie bei aus nach dass heute unser "
    "unsere einen einem schon jetzt mehr hier danke kein keine",
    "fr": "le la les de des du et est un une en que qui pour dans pas sur au aux avec ce "
    "cette il elle nous vous je ne se plus mais sont ou son sa ses leur c l d j qu n très "
    "aussi être merci notre votre nos vos",
    "pt": "o a os as de que e do da dos das em um uma é para com não no na nos nas por mais "
    "se ao pelo pela seu sua você está muito também isso este esta como mas são foi hoje "
    "obrigado obrigada nosso nossa até",
    "it": "il lo la i gli le di che e a è un una per con non in del della dei delle al alla "
    "nel nella sono si ma anche più come questo questa ci da su molto tutto nostro nostra "
    "oggi grazie ha hanno essere sul sulla perché l dell all nell",
}

#: Letters that each belong to one of the languages (in the text, case folded).
_LETTERS = {"ñ": "es", "¿": "es", "¡": "es", "ß": "de", "ä": "de", "ö": "de", "ü": "de",
            "ã": "pt", "õ": "pt", "œ": "fr", "ì": "it", "ò": "it"}  # fmt: skip


def _weights() -> dict[str, tuple[tuple[str, float], ...]]:
    """Each function word and what it counts for each language that has it."""
    owners: dict[str, list[str]] = {}
    for language, words in _FUNCTION_WORDS.items():
        for word in words.split():
            owners.setdefault(word, []).append(language)
    return {word: tuple((lang, 1 / len(langs)) for lang in langs) for word, langs in owners.items()}


_WEIGHTS = _weights()
# A word: letters, with an apostrophe inside ("don't"); "l'amour" is "l" and "amour".
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_ELISIONS = frozenset({"l", "d", "j", "qu", "n", "c", "dell", "all", "nell", "un"})


def guess_language(text: str) -> str:
    """The language of ``text`` among :data:`LANGUAGES`, or :data:`UNDETERMINED`."""
    scores = dict.fromkeys(LANGUAGES, 0.0)
    folded = text.casefold()
    for found in _WORD.finditer(folded):
        word = found.group().replace("’", "'")
        weights = _WEIGHTS.get(word)
        if weights is None and "'" in word:
            # An elided article or pronoun ("l'été", "dell'anno"): its first part counts.
            head = word.split("'", 1)[0]
            weights = _WEIGHTS.get(head) if head in _ELISIONS else None
        for language, weight in weights or ():
            scores[language] += weight
    for letter, language in _LETTERS.items():
        if letter in folded:
            scores[language] += 1
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < MIN_SCORE or top < second * _MARGIN:
        return UNDETERMINED
    return best


def post_language(text: str, declared: object) -> str:
    """A post's language: the primary subtag of ``declared`` (``meta.lang``: "pt-BR" is
    "pt"), lower-cased, when it is a non-empty string; else the guess from its text."""
    if isinstance(declared, str):
        tag = re.split(r"[-_]", declared.strip(), maxsplit=1)[0].lower()
        if tag:
            return tag
    return guess_language(text)
