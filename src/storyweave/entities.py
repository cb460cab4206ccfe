"""Named-entity mentions and their cross-lingual identities (first version: no trained model).

Mentions are runs of capitalised words. Each gets a ``key``: countries map to their
ISO code through the CLDR names of every language (Turkije, Turki, Turkey -> TR);
a surname alone takes the key of the full name used earlier in the article; other
names are folded to ASCII lower case. Spelling variants across languages (Putin,
Poutine, Poetin) are matched by :func:`same_entity`, not merged in the key.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import Levenshtein
from wordfreq import zipf_frequency

from .dates import calendar_words
from .models import Mention
from .text import fold

_CAP = r"[^\W\d_a-z][\w’'\-]*"
_CONNECTOR = r"(?:van|der|den|von|al|bin|ibn)"
_NAME = re.compile(rf"{_CAP}(?:\s+(?:{_CONNECTOR}\s+)?{_CAP})*", re.UNICODE)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_COMMON_WORD_ZIPF = 4.0


@lru_cache(maxsize=8)
def _country_names(lang: str) -> dict[str, str]:
    """Folded country names in ``lang`` and English (CLDR via babel) -> ISO code."""
    from babel import Locale, UnknownLocaleError

    names: dict[str, str] = {}
    for code in {"en", lang}:
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
    return zipf_frequency(token.lower(), lang) >= _COMMON_WORD_ZIPF


def extract_mentions(sentences: list[str], lang: str) -> list[Mention]:
    """Find named-entity mentions in ``sentences`` and give each a cross-lingual key."""
    countries = _country_names(lang)
    skip = calendar_words(lang)
    found: list[tuple[str, int]] = []
    for index, sentence in enumerate(sentences):
        for match in _NAME.finditer(sentence):
            sentence_start = match.start() == 0 or sentence[: match.start()].rstrip()[-1:] in "“\"‘«("
            for part in re.split(r"['’]s\s+", match.group(0)):
                tokens = _POSSESSIVE.sub("", part).strip("-’'").split()
                # Drop titles and sentence-initial words: "Russian President Vladimir Putin".
                while len(tokens) > 1 and _is_common_word(tokens[0], lang):
                    tokens, sentence_start = tokens[1:], False
                if sentence_start and len(tokens) == 1 and _is_common_word(tokens[0], lang):
                    tokens = []
                sentence_start = False
                if len(tokens) == 1 and (fold(tokens[0]) in skip or len(tokens[0]) < 2):
                    continue
                if tokens:
                    found.append((" ".join(tokens), index))
    full_names = {fold(t).split()[-1]: fold(t) for t, _ in found if len(t.split()) > 1}
    mentions = []
    for text, index in found:
        folded = fold(text)
        if folded in countries:
            key, kind = f"country:{countries[folded]}", "place"
        else:
            key = full_names.get(folded, folded)
            kind = "person" if len(key.split()) > 1 else "other"
        mentions.append(Mention(text=text, key=key, kind=kind, sentence=index))
    return mentions


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
    last = key.split()[-1]
    zipf = max(zipf_frequency(last, "en"), zipf_frequency(last, lang))
    return min(4.0, max(0.5, 6.0 - zipf))
