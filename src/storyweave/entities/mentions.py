"""Named-entity mentions and their cross-lingual identities (first version: no trained model).

Mentions are runs of capitalised words. Each gets a ``key``: countries map to their
ISO code through the CLDR names of every language (Turkije, Turki, Turkey -> TR);
a surname alone takes the key of the full name used earlier in the article; other
names are folded to ASCII lower case. Spelling variants across languages (Putin,
Poutine, Poetin) are matched by :func:`same_entity`, not merged in the key.
"""

from __future__ import annotations

from functools import lru_cache

import regex as re
from rapidfuzz.distance import Levenshtein

from ..dates import calendar_words
from ..models import Mention
from ..text import fold, words, zipf

_CAP = r"\p{Lu}[\w’'\-]*"
_CONNECTOR = r"(?:van|der|den|von|al|bin|ibn)"
_NAME = re.compile(rf"{_CAP}(?:\s+(?:{_CONNECTOR}\s+)?{_CAP})*", re.UNICODE)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_COMMON_WORD_ZIPF = 4.0


@lru_cache(maxsize=8)
def _country_names(lang: str) -> dict[str, str]:
    """Folded country names in ``lang`` and English (CLDR via babel) -> ISO code."""
    from babel import Locale, UnknownLocaleError

    names: dict[str, str] = {}
    for code in dict.fromkeys(["en", lang]):
        try:
            territories = Locale.parse(code).territories
        except (ValueError, UnknownLocaleError):
            continue
        for iso, name in territories.items():
            iso = iso.split("-")[0]  # "TR-alt-variant" -> "TR" (Türkiye / Turkey)
            if iso.isalpha() and len(iso) == 2:
                names.setdefault(fold(name), iso)
    return names


def _is_common_word(token: str, lang: str) -> bool:
    return zipf(token.lower(), lang) >= _COMMON_WORD_ZIPF


def _is_title_case(sentence: str) -> bool:
    """Headline style ("Turkey Tells Russia to Drop Demands"): capitals say nothing there."""
    tokens = [w for w in words(sentence) if w[0].isalpha()]
    lower_content_words = [w for w in tokens if len(w) >= 4 and w[0].islower()]
    return not lower_content_words and sum(w[0].isupper() for w in tokens) >= 3


def _capitalised_in_running_text(sentences: list[str]) -> set[str]:
    """Folded words written with a capital inside ordinary sentences, not first."""
    return {fold(t) for s in sentences if not _is_title_case(s) for t in words(s)[1:] if t[0].isupper()}


def _names_in_run(run: str, lang: str, sentence_start: bool, title_case: bool, evidence: set[str],
                  countries: dict[str, str]) -> list[str]:
    """The names in one run of capitalised words, without titles or sentence-initial words."""
    names = []
    for part in re.split(r"['’]s\s+", run):
        tokens = _POSSESSIVE.sub("", part).strip("-’'").split()
        if title_case:  # keep only words capitalised in running text too, or rare ones
            tokens = [t for t in tokens if fold(t) in evidence or not _is_common_word(t, lang)]
        # A capitalised everyday word opening a sentence is not a name ("But Moscow", "The
        # Kremlin"), unless it names a country; titles before a name go ("Russian President
        # Vladimir Putin"), two-word names stay whole ("Soviet Union", "New York").
        if sentence_start and tokens and _is_common_word(tokens[0], lang) and fold(tokens[0]) not in countries:
            tokens = tokens[1:]
        while len(tokens) > 2 and _is_common_word(tokens[0], lang):
            tokens = tokens[1:]
        sentence_start = False
        if tokens and (len(tokens) > 1 or len(tokens[0]) >= 2):
            names.append(" ".join(tokens))
    return names


def extract_mentions(sentences: list[str], lang: str) -> list[Mention]:
    """Find named-entity mentions in ``sentences`` and give each a cross-lingual key.

    Capitalisation is the evidence, so scripts without letter case yield none yet.
    """
    countries = _country_names(lang)
    skip = calendar_words(lang)
    evidence = _capitalised_in_running_text(sentences)
    found: list[tuple[str, int]] = []
    for index, sentence in enumerate(sentences):
        title_case = _is_title_case(sentence)
        for match in _NAME.finditer(sentence):
            sentence_start = match.start() == 0 or sentence[: match.start()].rstrip()[-1:] in "“\"‘«("
            for name in _names_in_run(match.group(0), lang, sentence_start, title_case, evidence, countries):
                if fold(name) and fold(name) not in skip:  # letters with no ASCII form fold to nothing
                    found.append((name, index))
    full_names = {fold(t).split()[-1]: fold(t) for t, _ in found if len(t.split()) > 1}
    mentions = []
    for text, index in found:
        folded = fold(text)
        if folded in countries:
            key, kind = f"country:{countries[folded]}", "place"
        else:
            key = full_names.get(folded, folded)
            kind = "person" if _looks_like_person(key, lang) else "other"
        mentions.append(Mention(text=text, key=key, kind=kind, sentence=index))
    return mentions


def _looks_like_person(key: str, lang: str) -> bool:
    """Several words ending in one that is not an everyday word ("Soviet Union" is not a person)."""
    tokens = key.split()
    return len(tokens) > 1 and zipf(tokens[-1], lang) < 4.5


def same_entity(a: str, b: str) -> bool:
    """Whether two keys name one entity across spellings (Putin / Poutine / Poetin)."""
    if a == b:
        return True
    if a.startswith("country:") or b.startswith("country:"):
        return False
    ta, tb = a.split(), b.split()
    if len(ta) > 1 and len(tb) > 1 and ta[0] != tb[0]:
        return False
    last_a, last_b = ta[-1], tb[-1]
    if min(len(last_a), len(last_b)) < 4 or last_a[0] != last_b[0]:
        return False
    return Levenshtein.normalized_similarity(last_a, last_b) >= 0.65


def salience(key: str, lang: str = "en") -> float:
    """How much sharing this entity says about two texts: rare names count more than countries.

    Rarity is the word frequency of the name's last word in English or the article's
    language, whichever is higher (so a local spelling is not mistaken for a rare name).
    """
    if key.startswith("country:"):
        return 0.5
    return min(4.0, max(0.5, 6.0 - zipf(key.split()[-1], lang)))
