"""Persistent entities: mention keys grouped into one identity across languages and scripts.

Every mention key (see :mod:`.mentions`) belongs to exactly one entity. A key seen for the
first time starts an entity of its own, which is then merged into an existing one when the
evidence says they are the same:

- ``cldr``: the key is a country or territory name in some CLDR locale (Rusland, Россия),
  or an inflected form of one that fits no other name (Rosji, Russlands);
- ``cldr-spelling`` / ``cldr-event``: a place name no CLDR locale lists that is spelled like
  one country's CLDR names, clearly more than like any other country or known place
  (Nzambia, Casaquistão), with a lower bar among the countries of its event (an Ungáir);
- ``name``: transliterated, sound-folded spellings that are close (Putin, Poutine, Poetin,
  Путин; Kaukasus, Caucasus), with guards for look-alikes: countries only join through
  CLDR, given names must agree, short names must be near-identical, and a candidate that
  fits two entities equally well joins neither;
- ``spelling``: places whose whole names are spelled alike, with the margin rule above
  (Novoszibirszk, Novosibirsk; i-Zürich, Zürich; ميلبورن, Melbourne by consonants: an
  abjad writes no short vowels); a country spelled as alike is a rival, never a target;
- ``event``: seen in the same event as the entity, which lowers the bar for the name
  (NATO and NAVO; an acronym and its reordering, OTAN; names of other languages that differ
  in their generic head only: NATO-Russia Council, Dewan NATO-Rusia) and for places, whose
  rivals are then the event's few other places: short names (Parij), consonant classes
  (Алма-Ата, Almaty) and one long word in common (Cayman qeqertaq) count, and a country
  of the event need not be the one whose CLDR names sound most alike. Two places of
  several spellings each join only by spellings alike enough without the event (a wrong
  link there would join two whole entities);
- ``name-vector``: with a multilingual encoder of names (:mod:`.name_vectors`), where no
  spelling evidence speaks, the entity whose names are nearest a key's name by cosine, if it
  stands out by a margin: among the entities of the key's event that the event does not
  write in its language (Tokyo, 東京), or among the nearest names of all (Wien, Vienna;
  Osterinsel, Easter Island), by stricter bars. Only a key that is still an entity of its
  own joins this way, only to a name of another language, and not when its spelling points
  to a third entity; an entity of its event its vector points to comes before one of
  another event spelled alike (كيشينج, Kuching; not كيشينو, Chisinau); names (country names
  too) are encoded once the registry holds two languages.
- ``apart-in-event``: after the keys of a batch are linked, two entities of one event that no
  language writes both (a language names a thing one way, so two names of one language in
  one event are two things), when a key of each is spelled alike as places of one event are,
  by a margin over the next such entity: the names of one place in other languages and
  scripts that single keys did not join as wholes (Keysi and Кеиси beside Кейси); or, spelled
  less alike (APART_NAME_SPELLING), when their names are nearest by name vector on average, by
  the in-event bars over the event's other entities of their kind. A one-language event joins
  nothing this way.

A key is compared when first seen, and again when an event it is in gains names in another
language (an alias may come in a batch before its other forms).

Candidates come from indexed sound skeletons and prefixes of the last word, from the keys
of the same event, and for places from an in-memory index of keys by consonant classes
(:class:`SpellingIndex`, filled from the store once per registry), so the work per batch
does not grow much with the registry; while a batch is linked, each key and entity is read from
the store once (:class:`~.linking.LinkingView`). Merges are recorded with their evidence and can be
undone (:meth:`Registry.unmerge`); an undone merge is never made again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import product

import numpy as np
import regex as re
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ..embed import Encoder
from ..models import Article
from ..text import fold
from .gazetteer import gazetteer
from .linking import COUNTRY, LinkingView
from .name_vectors import NAME_BARS, TWINS, NameBars, NameVectors

TYPED_KINDS = ("person", "org", "place")
CANDIDATES_PER_KEY = 100
KEYS_PER_EVENT = 200  # the most mentioned keys of an event are its candidates by co-occurrence
_AMBIGUITY_MARGIN = 0.05
LONE_WORD_SIMILARITY = 0.85  # one-word names without other evidence (Ankara is not Antara: 0.83)
_CLOSE, _CLOSEST = 0.5, 40  # the CLDR names a spelling is compared with: similar enough, most similar
# A place name joins the country whose CLDR name is this similar, with this margin over the next:
# any country (Nzambia, Casaquistão), by spellings of at least 6 letters, shorter than 8 or not:
LONE_COUNTRY_SIMILARITY, LONE_COUNTRY_LENGTH, LONG_COUNTRY_NAME = (0.85, 0.8), 6, 8
EVENT_COUNTRY_SIMILARITY = 0.6  # a country of its event
COUNTRY_MARGIN = 0.1
# Two places whose whole names are spelled this alike, with this margin over the next entity
# (Novoszibirszk, Novosibirsk; Ciurichas, Zürich), among the keys indexed near it (SpellingIndex):
PLACE_SIMILARITY, PLACE_MARGIN, PLACE_LENGTH, CONSONANTS_LENGTH = 0.7, 0.1, 5, 4
SHORT_PLACE_SIMILARITY, LONG_PLACE_NAME = 0.8, 8  # names shorter than 8 letters: one letter in 5 may differ
EVENT_PLACE_SIMILARITY = 0.6  # two places named in one event
# by spellings of at least 3 letters, their consonant classes or long words counting this much:
EVENT_PLACE_LENGTH, EVENT_DISCOUNT = 3, 0.9
# Two entities of one event no language writes both join by a key of each this alike (see Registry._join_apart),
# above EVENT_PLACE_SIMILARITY: at that floor (discounted consonant classes or words), 8 of 59 such merges on the
# alias sample joined two places, each a whole entity.
APART_SIMILARITY = 0.65
# Spelled this alike at least, an entity of this many keys at most (a splinter: the mean of its names' nearest
# among many is high by chance) may join another by their name vectors.
APART_NAME_SPELLING, APART_NAME_KEYS = 0.3, 8
# Two names of one event spelled this alike (by _event_place_similarity) join by looser name-vector bars
# (NameBars.spelled_*): on the alias sample's name-vector choices in events, at 0.84/0.02 those spelled
# this alike were wrong 3 times in 306, those spelled less alike 29 times in 229 at the event bars.
SPELLING_SUPPORT = 0.5
SPELLING_CANDIDATES = 20
NEAR_KEPT = 65536  # lookups of a SpellingIndex kept
CHOICES_KEPT = 4096  # sets of countries whose names CountryNames.closest keeps at hand
HEAD_PAIR_SIMILARITY = 0.8  # the words of two names that differ in their translated head only
# Below the least word similarity any name evidence needs (0.65: _word_evidence), so candidates with no word this alike
# are passed over without changing an answer:
WORDS_ALIKE = 0.5
NAME_NEIGHBOURS = 20  # the keys whose name vectors are nearest a new key's: its candidates by name vector
_MAX_INFLECTION = 3  # letters an inflected country name may add to its stem (Rosj-i, Russland-s)
_VOWELS = re.compile(r"[aeiou]+")
_REPEATS = re.compile(r"(.)\1+")
_NOT_LETTERS = re.compile(r"[\W\d_]")
_NOT_A_TO_Z = re.compile(r"[^a-z]")
# Transliteration conventions that spell one sound differently (Zelensky/Selenskyj, Moskou/Moskow).
_SOUND_PAIRS = (("kh", "h"), ("ph", "f"), ("ck", "k"), ("ou", "u"), ("oe", "u"), ("ij", "i"))
# Consonants by place of articulation; vowels and the letters that often write one (h, v, w) dropped.
_CONSONANT_CLASSES = str.maketrans("bpfgkxsztdlrmn", "pppkksssttrrnn", "aeiouhvw")
_WORD_BREAKS = re.compile(r"[\s\-'`]+")
_ABJAD = re.compile(r"[\p{Arabic}\p{Hebrew}\p{Syriac}\p{Thaana}]")
_UNWRITTEN = re.compile(r"[aeiouh\W]")  # what an abjad leaves out: vowels (and h, often silent)
_ABJAD_VOWELS = re.compile(r"[aeiouvh\W]")  # in an abjad's transliteration, also v: و writes w, o, u
_SOUND_LETTERS = str.maketrans({"z": "s", "c": "k", "q": "k", "w": "v", "y": "i", "j": "i"})


def _single_letters(text: str) -> str:
    """A letter repeated in a row written once (a function for the replacement: faster than a template)."""
    return _REPEATS.sub(lambda run: run[1], text)


@lru_cache(maxsize=65536)
def sound(token: str) -> str:
    """A folded token with transliteration variants of one sound made equal."""
    token = fold(token)
    for a, b in _SOUND_PAIRS:
        token = token.replace(a, b)
    return _single_letters(token.translate(_SOUND_LETTERS))


def blocks(key: str) -> tuple[str, str]:
    """Index keys of a mention key for fuzzy candidates: the consonant skeleton and the
    first three sounds of its last word (Putin, Poutine, Poetin -> ptn)."""
    last = sound(key.removeprefix(COUNTRY).split()[-1]) if key.strip() else ""
    skeleton = _single_letters(_VOWELS.sub("", last))
    return (skeleton if len(skeleton) >= 2 else last), last[:3]


# -- countries and territories (CLDR) ------------------------------------------------------


class CountryNames:
    """Folded territory names of CLDR locales -> ISO code; names that mean two codes are left out.

    A name counts in an article of a language whose locale lists it, or when two locales
    list it (a name only one other locale uses may be an everyday word elsewhere: nl
    "Franse" is "French"). Language names are kept too: a word that is a language name,
    or one with a short ending (Russian, russe, Russische), is an adjective or demonym,
    never read as an inflected country name.
    """

    def __init__(self, table: dict):
        """From :func:`territory_table`'s table (or the copy of it in the gazetteer)."""
        names = table["names"]
        codes = {name: set(found) for name, (found, _) in names.items()}
        self.listed_by: dict[str, set[str]] = defaultdict(set, {name: set(langs) for name, (_, langs) in names.items()})
        self.english: dict[str, str] = table["english"]
        self.language_names: set[str] = set(table["languages"])
        self.codes = {name: next(iter(c)) for name, c in codes.items() if len(c) == 1 and name}
        self._by_prefix: dict[str, list[str]] = defaultdict(list)
        for name in codes:  # ambiguous names stay here: they make a stem ambiguous too
            self._by_prefix[name[:4]].append(name)
        self._all_codes = codes
        self._kept_choices: dict[tuple[str, ...], dict[str, str]] = {}

    @classmethod
    def of_locales(cls, locales: Iterable[str]) -> CountryNames:
        locales = tuple(locales)
        return cls(with_iso_names(territory_table(locales), locales))

    @cached_property
    def _sounds(self) -> dict[str, tuple[list[str], list[str]]]:
        """Sound-folded unambiguous names by first letter: (names, codes)."""
        by_letter: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
        for name, code in self.codes.items():
            folded = sound(name)
            if folded:
                by_letter[folded[0]][0].append(folded)
                by_letter[folded[0]][1].append(code)
        return dict(by_letter)

    @cached_property
    def _spellings(self) -> SpellingIndex:
        return SpellingIndex(self.codes)

    @cached_property
    def _spellings_of(self) -> dict[str, dict[str, str]]:
        """The spelling (see :func:`spelling`) of each unambiguous name, by code."""
        names: dict[str, dict[str, str]] = defaultdict(dict)
        for name, code in self.codes.items():
            names[code][name] = spelling(name)
        return dict(names)

    def _choices(self, codes: tuple[str, ...]) -> dict[str, str]:
        """The spellings of the names of ``codes``, in their order (kept, up to CHOICES_KEPT tuples of codes: the
        keys of one event ask for the same countries)."""
        if (choices := self._kept_choices.get(codes)) is None:
            if len(self._kept_choices) >= CHOICES_KEPT:
                self._kept_choices.clear()
            choices = self._kept_choices[codes] = {
                name: spelled for code in codes for name, spelled in self._spellings_of.get(code, {}).items()}
        return choices

    def closest(self, key: str, among: Iterable[str] | None = None) -> tuple[str, float, float] | None:
        """(code, similarity, margin over the next code) of the CLDR name spelled most like
        ``key``, among all codes (those indexed near it) or the codes ``among``; None if no
        name is at all close."""
        if among is None:
            found = self._spellings.near(key, cutoff=_CLOSE, limit=_CLOSEST)
        else:
            choices = self._choices(tuple(among))
            found = [(name, score) for _, score, name in process.extract(
                spelling(key), choices, scorer=Levenshtein.normalized_similarity, score_cutoff=_CLOSE, limit=_CLOSEST)]
        if not found:
            return None
        code = self.codes[found[0][0]]
        runner_up = next((score for name, score in found if self.codes[name] != code), _CLOSE)
        return code, found[0][1], found[0][1] - runner_up

    def nearest(self, key: str) -> str | None:
        """The code whose CLDR name sounds most like ``key`` (None on a tie between two codes)."""
        folded = sound(key)
        names, codes = self._sounds.get(folded[:1], ([], []))
        found = process.extract(folded, names, scorer=Levenshtein.normalized_similarity, limit=8)
        best = {codes[i] for _, score, i in found if found and score == found[0][1]}
        return best.pop() if len(best) == 1 else None

    def code(self, key: str, lang: str, text: str) -> tuple[str, str] | None:
        """(ISO code, evidence) of a mention key written ``text`` in an article in ``lang``: a
        country key, a CLDR name or, in a cased script, an inflected one (the languages that add
        case endings to names write them so here; the romanisation of an uncased script only looks
        inflected: 東京 dongjing, Tonga's dongjia; بلغراد blghrd, Bulgaria's blghrya)."""
        if key.startswith(COUNTRY):
            return key.removeprefix(COUNTRY), "key"
        if key in self.codes:
            listed_by = self.listed_by[key]
            return (self.codes[key], "cldr") if lang in listed_by or len(listed_by) > 1 else None
        inflected = self._inflected(key, lang) if text.lower() != text.upper() else None
        return (inflected, "cldr-inflection") if inflected else None

    def _inflected(self, key: str, lang: str) -> str | None:
        """The code whose name in ``lang`` is the stem of ``key`` plus a short ending, if exactly one fits.

        The stem is the name without a final vowel (pl Rosja -> Rosj-i); a key that is a
        language name, or that begins a longer name of another code (Dominican -> Dominican
        Republic), is no country.
        """
        if len(key) < 5 or not key.isalpha() or any(key[: len(key) - cut] in self.language_names for cut in range(3)):
            return None
        fits: set[str] = set()
        for name in self._by_prefix.get(key[:4], ()):
            if name != key and name.startswith(key):
                return None
            stem = name[:-1] if name[-1] in "aeiouy" else name
            if len(stem) >= 4 and key.startswith(stem) and len(key) - len(stem) <= _MAX_INFLECTION and \
                    lang in self.listed_by[name]:
                fits.update(self._all_codes[name])
        return fits.pop() if len(fits) == 1 else None


def territory_table(locales: Iterable[str]) -> dict:
    """CLDR territory names of ``locales`` (babel): ``names`` (folded name -> [ISO codes, languages
    whose locale lists it]), ``english`` (code -> English name) and folded ``languages`` names."""
    from babel import Locale, UnknownLocaleError

    names: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    english: dict[str, str] = {}
    languages: set[str] = set()
    for identifier in locales:
        try:
            locale = Locale.parse(identifier)
        except (ValueError, UnknownLocaleError):
            continue
        for code, name in locale.territories.items():
            if len(code) == 2 and code.isalpha():
                codes, listed_by = names[fold(name)]
                codes.add(code)
                listed_by.add(locale.language)
                if identifier == "en":
                    english[code] = name
        languages.update(fold(n) for n in locale.languages.values())
    return {"names": {name: [sorted(codes), sorted(listed)] for name, (codes, listed) in sorted(names.items())},
            "english": dict(sorted(english.items())), "languages": sorted(languages)}


def base_locales() -> tuple[str, ...]:
    """The locales babel has without a region or script ("fr", not "fr_CA")."""
    from babel import localedata

    return tuple(i for i in localedata.locale_identifiers() if "_" not in i)


def with_iso_names(table: dict, locales: Iterable[str]) -> dict:
    """``table`` (see :func:`territory_table`) with the ISO 3166 names that CLDR lacks, in English
    ("Russian Federation", "Islamic Republic of Iran", "Türkiye") and as translated for the
    languages of ``locales`` ("Российская Федерация", "Federasi Rusia"), from pycountry; names
    in the catalogue's inverted form ("Korea, Republic of") are left out: news never writes them,
    and so are names CLDR gives (to this country or another: CLDR's names stay unambiguous)."""
    import gettext

    import pycountry

    names: dict[str, tuple[set[str], set[str]]] = {}
    languages = sorted({identifier.split("_")[0] for identifier in locales} | {"en"})
    english = [(country.alpha_2, english) for country in pycountry.countries for english in dict.fromkeys(
        getattr(country, field, None) for field in ("name", "official_name", "common_name")) if english]
    for lang in languages:
        translate = (gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
                     if lang != "en" else gettext.NullTranslations()).gettext
        for code, name in english:
            translated = translate(name)
            if lang != "en" and translated == name or not translated.isprintable() or any(c in translated for c in ",()"):
                continue
            key = fold(translated.removeprefix("the "))
            if key not in table["names"]:
                codes, listed_by = names.setdefault(key, (set(), set()))
                codes.add(code)
                listed_by.add(lang)
    iso = {name: [sorted(codes), sorted(langs)] for name, (codes, langs) in names.items()}
    return {**table, "names": table["names"] | iso}


@lru_cache(maxsize=4)
def country_names(locales: tuple[str, ...] | None = None) -> CountryNames:
    """CLDR names of every base locale babel has (read from the gazetteer, where
    ``scripts/build_gazetteer.py`` put them), or of ``locales``, with their ISO 3166 names
    (:func:`with_iso_names`); made once per process."""
    if locales:
        return CountryNames.of_locales(locales)
    return CountryNames(with_iso_names(gazetteer().territories, base_locales()))


# -- names ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Name:
    """A mention key as compared for identity: sound-folded words, its kind, acronym or not."""

    key: str
    words: tuple[str, ...]
    kind: str
    acronym: bool

    @classmethod
    @lru_cache(maxsize=65536)
    def of(cls, key: str, kind: str, text: str) -> Name:
        letters = _NOT_LETTERS.sub("", text)
        acronym = 2 <= len(letters) <= 6 and letters.isupper() and " " not in text.strip()
        return cls(key, tuple(sound(w) for w in key.split()), kind, acronym)


def _similar(a: str, b: str) -> float:
    return Levenshtein.normalized_similarity(a, b)


def _given_names_agree(a: str, b: str) -> bool:
    return a == b or (len(a) == 1 or len(b) == 1) and a[0] == b[0] or _similar(a, b) >= 0.75


def _acronym_evidence(x: str, y: str) -> float:
    """Two acronyms seen in one event: the same letters reordered (NATO/OTAN), or close (NATO/NAVO)."""
    if len(x) >= 3 and sorted(x) == sorted(y):
        return 1.0
    score = _similar(x, y)
    return score if score >= 0.5 and min(len(x), len(y)) >= 4 else 0.0


def _word_evidence(x: str, y: str, same_event: bool, surname: bool = False) -> float:
    """Two spellings of one word: near-identical, or close with the event's support; the
    surnames of two full names with the same given name may differ more (Putin, Poutine)."""
    score = _similar(x, y)
    short = min(len(x), len(y))
    if same_event and score >= 0.65 and short >= 5:
        return score
    if surname:
        return score if score >= 0.8 or (score >= 0.65 and short >= 4 and x[0] == y[0]) else 0.0
    return score if score >= LONE_WORD_SIMILARITY and short >= 5 else 0.0


def _words_in_any_order(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Mean similarity of the words of two equally long names paired greedily in any order,
    0 if a pair is below 0.7 (Atlantic Alliance / Aliansi Atlantik)."""
    left, scores = list(b), []
    for word in a:
        best = max(left, key=lambda other: _similar(word, other))
        scores.append(_similar(word, best))
        left.remove(best)
    return sum(scores) / len(scores) if min(scores) >= 0.7 else 0.0


def head_translated(a: Name, b: Name) -> float:
    """Two names of one event whose words, hyphenated parts too, pair up in any order but for one
    word each, their generic head in two languages (NATO-Russia Council / Dewan NATO-Rusia /
    Совет Россия-НАТО): the mean similarity of the paired words, 0 if one is below 0.8 or fewer
    than two pair up. Only organisations and others; the caller checks that the languages differ."""
    if {a.kind, b.kind} & {"person", "place"}:
        return 0.0
    left, right = (tuple(sound(w) for w in _WORD_BREAKS.split(n.key) if w) for n in (a, b))
    if len(left) != len(right) or len(left) < 3:
        return 0.0
    unpaired, scores = list(right), []
    for word in left:
        other = max(unpaired, key=lambda o: _similar(word, o))
        similarity = _similar(word, other)
        if similarity >= HEAD_PAIR_SIMILARITY:
            scores.append(similarity)
            unpaired.remove(other)
    return sum(scores) / len(scores) if len(scores) == len(left) - 1 else 0.0


_PERSON_AND_NOT = {("person", "org"), ("org", "person"), ("person", "place"), ("place", "person")}


def _person_and_not(a: str, b: str) -> bool:
    """A person against an organisation or place (Jordan, Washington); "other" fits anything,
    and organisations and places are often one another (the Kremlin)."""
    return (a, b) in _PERSON_AND_NOT


def name_evidence(a: Name, b: Name, same_event: bool) -> float:
    """How well two names fit one entity (0: not at all), by their spellings and the event.

    Countries never match by spelling (Austria/Australia, Niger/Nigeria): see CountryNames.
    A lone word matches the surname of a person's full name; other names match word by
    word, in order, or in any order within one event.
    """
    if a.key.startswith(COUNTRY) or b.key.startswith(COUNTRY):
        return 0.0
    if _person_and_not(a.kind, b.kind):
        return 0.0
    if a.acronym or b.acronym:
        return _acronym_evidence("".join(a.words), "".join(b.words)) if a.acronym and b.acronym and same_event \
            else 0.0
    short, long = (a, b) if len(a.words) <= len(b.words) else (b, a)
    if len(short.words) == 1:
        if len(long.words) > 1 and long.kind != "person":
            return 0.0
        return _word_evidence(short.words[0], long.words[-1], same_event, surname=len(long.words) > 1)
    if "person" in (a.kind, b.kind):
        if long.words[-len(short.words):] == short.words:  # a word before the full name ("President Joe Biden")
            return 0.95
        in_order = _word_evidence(a.words[-1], b.words[-1], same_event, surname=True) \
            if _given_names_agree(a.words[0], b.words[0]) else 0.0
    elif len(a.words) == len(b.words):
        in_order = min(_word_evidence(x, y, same_event) for x, y in zip(a.words, b.words))
    else:
        return 0.0
    # Within one event, the same words in another order (Orbán Viktor, Aliansi Atlantik).
    in_any_order = _words_in_any_order(a.words, b.words) if same_event and len(a.words) == len(b.words) else 0.0
    return max(in_order, in_any_order)


@lru_cache(maxsize=65536)
def _word_forms(name: Name) -> tuple[str, ...]:
    """The sound-folded words of a name and of its hyphenated parts, as name_evidence and head_translated compare."""
    return tuple(dict.fromkeys([*name.words, *(sound(w) for w in _WORD_BREAKS.split(name.key) if w)]))


def may_name_alike(name: Name, others: list[Name]) -> list[bool]:
    """Per name of ``others``, whether :func:`name_evidence` or :func:`head_translated` may find it alike
    ``name`` at all: both are acronyms, or a word (or hyphenated part) of each is WORDS_ALIKE alike, as every
    other way to a score needs. One rapidfuzz pass over all, so that only these few are compared in full."""
    mine = _word_forms(name)
    theirs = [(i, form) for i, other in enumerate(others) for form in _word_forms(other)]
    alike = [name.acronym and other.acronym for other in others]
    if mine and theirs:
        best = process.cdist(mine, [form for _, form in theirs], scorer=Levenshtein.normalized_similarity,
                             score_cutoff=WORDS_ALIKE).max(axis=0)
        for (i, _), score in zip(theirs, best.tolist()):
            alike[i] = alike[i] or score > 0.0
    return alike


# -- the registry ------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def spelling(key: str, consonants: bool = False, abjad: bool = False) -> str:
    """A place name as its spelling is compared: sound-folded, without short leading words
    (i-Zürich, an Ungáir, al-Quds); only its consonants when compared with a name written in an
    abjad, without the letters that also write vowels if it is one (ميلبورن, mlbwrn ~ Melbourne: mlbrn)."""
    words = _WORD_BREAKS.split(key)
    while len(words) > 1 and len(words[0]) <= 2:
        words = words[1:]
    folded = sound(" ".join(words))
    return (_ABJAD_VOWELS if abjad else _UNWRITTEN).sub("", folded) if consonants else folded


def _consonant_classes(spelling: str) -> str:
    """The consonants of a sound-folded spelling by their classes, repeats made one (Zürich, Jurik -> srk)."""
    return _single_letters(_NOT_A_TO_Z.sub("", spelling).translate(_CONSONANT_CLASSES))


def _consonant_pairs(spelling: str) -> set[str]:
    """Index keys of a sound-folded spelling: its first and second pair of consonant classes
    (Zürich, Цюрих, Jurik -> sr, rk; tsr, ...), so a spelling with one more or one other first
    consonant is still found."""
    classes = _consonant_classes(spelling)
    return {classes[i : i + 2] for i in range(min(2, max(1, len(classes) - 1)))} - {""}


class SpellingIndex:
    """Sound-folded mention keys by pairs of consonant classes, to find the keys spelled like a new one.

    What :meth:`near` finds is kept until the next :meth:`add` (a batch looks a key up more than
    once), at most NEAR_KEPT lookups."""

    def __init__(self, keys: Iterable[str]):
        self._by_pair: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
        self._found: dict[tuple, tuple[tuple[str, float], ...]] = {}
        for key in keys:
            self.add(key)

    def add(self, key: str) -> None:
        if not key.startswith(COUNTRY) and (spelled := spelling(key)):
            self._found.clear()
            for pair in _consonant_pairs(spelled):
                keys, spellings = self._by_pair[pair]
                keys.append(key)
                spellings.append(spelled)

    def near(self, key: str, abjad: bool = False, cutoff: float = PLACE_SIMILARITY,
             limit: int = SPELLING_CANDIDATES) -> tuple[tuple[str, float], ...]:
        """The keys spelled most like ``key`` with their similarity (at least ``cutoff``), by their
        consonants if ``key`` is written in an abjad."""
        lookup = (key, abjad, cutoff, limit)
        if (found := self._found.get(lookup)) is None:
            if len(self._found) >= NEAR_KEPT:
                self._found.clear()
            found = self._found[lookup] = self._near(*lookup)
        return found

    def _near(self, key: str, abjad: bool, cutoff: float, limit: int) -> tuple[tuple[str, float], ...]:
        spelled = spelling(key, abjad, abjad)
        found: dict[str, float] = {}
        for pair in sorted(_consonant_pairs(spelled)):
            keys, spellings = self._by_pair.get(pair, ([], []))
            for _, score, i in process.extract(spelled, spellings, scorer=Levenshtein.normalized_similarity,
                                               processor=(lambda s: _UNWRITTEN.sub("", s)) if abjad else None,
                                               score_cutoff=cutoff, limit=limit):
                if keys[i] != key:
                    found[keys[i]] = score
        return tuple(sorted(found.items(), key=lambda item: (-item[1], item[0]))[:limit])  # ties by key: deterministic


def _place_similarity(a: str, a_abjad: bool, b: str, b_abjad: bool) -> float:
    """Similarity of two place names' spellings, by consonants if one is written in an abjad;
    of names of as many words, that of their least alike words in order (Koree ti Banga is not
    Koree ti Mbongo); 0 if either is shorter than PLACE_LENGTH letters (CONSONANTS_LENGTH
    consonants), and a short name must be SHORT_PLACE_SIMILARITY alike."""
    consonants = a_abjad or b_abjad
    x, y = spelling(a, consonants, a_abjad), spelling(b, consonants, b_abjad)
    if min(len(x), len(y)) < (CONSONANTS_LENGTH if consonants else PLACE_LENGTH):
        return 0.0
    similarity = _similar(x, y)
    if max(len(x), len(y)) < LONG_PLACE_NAME and similarity < SHORT_PLACE_SIMILARITY:
        return 0.0
    words = spelling(a).split(), spelling(b).split()
    if len(words[0]) == len(words[1]) > 1:
        similarity = min(similarity, *(_similar(v, w) for v, w in zip(*words)))
    return similarity


def _event_place_similarity(a: str, a_abjad: bool, b: str, b_abjad: bool) -> float:
    """Similarity of two place names seen in one event, where the few other places of the event are
    the rivals: that of their spellings (by consonants if one is written in an abjad) at any length,
    or, discounted, of their long words (Cayman qeqertaq, Cayman Islands) or of their consonant
    classes if they begin alike (Алма-Ата, Almaty)."""
    consonants = a_abjad or b_abjad
    x, y = spelling(a, consonants, a_abjad), spelling(b, consonants, b_abjad)
    if min(len(x), len(y)) < EVENT_PLACE_LENGTH:
        return 0.0
    skeletons = _consonant_classes(spelling(a)), _consonant_classes(spelling(b))
    words = ([w for w in spelling(n).split() if len(w) >= PLACE_LENGTH - 1] for n in (a, b))
    alike = [_similar(v, w) for v, w in product(*words)]
    if min(map(len, skeletons)) >= EVENT_PLACE_LENGTH and skeletons[0][0] == skeletons[1][0]:
        alike.append(_similar(*skeletons))
    return max(_similar(x, y), EVENT_DISCOUNT * max(alike, default=0.0))


def _keys_alike(keys: list[str], others: list[str],
                forms: dict[str, tuple[int, str, str]]) -> tuple[float, tuple[str, str]]:
    """The highest :func:`_event_place_similarity` of a key of ``keys`` and one of ``others`` (by the
    consonants of one written in an abjad, as its most mentioned form ``forms[key][1]`` shows), with the two."""
    abjad = {k: bool(_ABJAD.search(forms[k][1])) for k in (*keys, *others)}
    return max((_event_place_similarity(a, abjad[a], b, abjad[b]), (a, b)) for a in keys for b in others)


def _standing_out(scores: dict[int, tuple[float, str, str]], margin: float) -> tuple[int, str, str] | None:
    """(entity, reason, evidence) of the best score if ``margin`` above the next."""
    ranked = sorted(scores.items(), key=lambda item: -item[1][0])
    if not ranked or len(ranked) > 1 and ranked[0][1][0] - ranked[1][1][0] < margin:
        return None
    target, (_, reason, evidence) = ranked[0]
    return target, reason, evidence


def _spelled_alike(key: str, spelled: dict[int, tuple[float, str, bool]]) -> tuple[int, str, str] | None:
    """(entity, reason, evidence) of the entity whose key (seen in the same event or not) is spelled
    most like ``key``, if PLACE_SIMILARITY alike (EVENT_PLACE_SIMILARITY in one event) and
    PLACE_MARGIN more alike than any entity spelled otherwise (an entity spelled like the best
    one is the same place not joined yet, no rival)."""
    ranked = sorted(spelled.items(), key=lambda item: -item[1][0])
    if not ranked:
        return None
    target, (similarity, other, in_event) = ranked[0]
    if other.startswith(COUNTRY) or similarity < (EVENT_PLACE_SIMILARITY if in_event else PLACE_SIMILARITY):
        return None
    rival = next((s for _, (s, o, _) in ranked[1:] if _similar(spelling(other), spelling(o)) < PLACE_SIMILARITY), 0.0)
    evidence = f"{key} ~ {other} ({similarity:.2f})"
    return (target, "event" if in_event else "spelling", evidence) if similarity - rival >= PLACE_MARGIN else None


@dataclass(slots=True)
class Sighting:
    """One key in one batch: its surface forms (lang, text, kind) and events, with counts, and
    the keys beside it in one article (two names in one article are two entities)."""

    forms: Counter = field(default_factory=Counter)
    events: Counter = field(default_factory=Counter)
    beside: set[str] = field(default_factory=set)

    def name(self, key: str) -> Name:
        (_, text, kind), _ = self.forms.most_common(1)[0]
        return Name.of(key, kind, text)

    @property
    def text(self) -> str:
        return self.forms.most_common(1)[0][0][1]

    @property
    def lang(self) -> str:
        return self.forms.most_common(1)[0][0][0]


@dataclass(frozen=True, slots=True)
class Merge:
    """A recorded merge: ``entity`` joined ``into`` with ``reason`` ("cldr", "cldr-inflection",
    "cldr-spelling", "cldr-event", "name", "spelling", "event", "name-vector")."""

    id: int
    entity: int
    into: int
    reason: str
    evidence: str


class Registry:
    """Groups mention keys into persistent entities in the store, batch by batch.

    Call :meth:`add` inside the batch's write transaction, with the batch's new articles
    (their event ids set); running the same articles again is the caller's to avoid (the
    pipeline stores each article once), and :meth:`add` of known keys only adds counts.
    """

    def __init__(self, store, countries: CountryNames | None = None, names: Encoder | None = None,
                 bars: NameBars | None = None):
        """``names``: the encoder of name vectors (none: no ``name-vector`` evidence), with its
        ``bars`` (by default those calibrated for it in NAME_BARS)."""
        self.store = store
        self._countries = countries
        self._spellings: SpellingIndex | None = None
        self._vectors = NameVectors(store, names) if names is not None else None
        self._bars = bars or (NAME_BARS[names.name] if names is not None else None)
        self._languages: set[str] | None = None  # of the registry's names, up to two (read from the store once)
        self._vectors_complete = False
        self._linking: LinkingView | None = None  # while a batch is linked

    @property
    def spellings(self) -> SpellingIndex:
        if self._spellings is None:
            self._spellings = SpellingIndex(self.store.entity_key_list())
        return self._spellings

    @property
    def _batch(self) -> LinkingView:
        """The entity tables as read while a batch is linked (outside :meth:`add`, read afresh)."""
        return self._linking or LinkingView(self.store)

    @property
    def countries(self) -> CountryNames:
        if self._countries is None:
            self._countries = country_names()
        return self._countries

    def add(self, articles: Iterable[Article]) -> list[Merge]:
        """Count the articles' mentions into the registry and merge what the evidence joins."""
        sightings: dict[str, Sighting] = defaultdict(Sighting)
        for article in articles:
            keys = {m.key for m in article.mentions}
            for mention in article.mentions:
                sighting = sightings[mention.key]
                sighting.beside.update(keys)
                sighting.forms[(article.lang, mention.text, mention.kind)] += 1
                if article.event_id:
                    sighting.events[article.event_id] += 1
        if not sightings:
            return []
        self._linking = LinkingView(self.store)
        try:
            return self._add(sightings)
        finally:
            self._linking = None

    def _add(self, sightings: dict[str, Sighting]) -> list[Merge]:
        """:meth:`add` of the batch's sightings, its reads of the entity tables through ``self._linking``."""
        events = {e for s in sightings.values() for e in s.events}
        before = self._event_keys(events)
        known = self._batch.entity_of_keys(list(sightings))
        new = set(sightings) - set(known)
        for key in sorted(new):
            known[key] = self._batch.new_entity(key, *blocks(key))
            self.spellings.add(key)
        self.store.add_entity_sightings(
            [(key, lang, text, kind, n) for key, s in sightings.items() for (lang, text, kind), n in s.forms.items()],
            [(key, event, n) for key, s in sightings.items() for event, n in s.events.items()])
        after = self._event_keys(events)
        neighbours = self._name_neighbours(new, sightings)
        merges = []
        # A new key is compared with everything; a known one only with the events it is new to,
        # and with its country (CLDR may list it in this batch's language only).
        for key in sorted(sightings):
            linked = sightings[key].events if key in new else [e for e in sightings[key].events if key not in before[e]]
            if key in new or linked or self._country_code(key, sightings[key]):
                same_event = set().union(*(after[e] for e in linked))
                if (merge := self._link(key, sightings[key], same_event, key in new, neighbours.get(key, []))):
                    merges.append(merge)
        alone = {event: self._earlier_alone(before[event], after[event], sightings) for event in sorted(events)}
        # Their name neighbours in one search (the name vectors do not change while a batch links).
        near = self._vectors.nearest(set().union(*alone.values()), NAME_NEIGHBOURS) if self._vectors is not None else {}
        for event in sorted(events):
            merges.extend(self._link_earlier(alone[event], after[event], near))
        arrived: dict[str, set[str]] = defaultdict(set)  # the batch's keys of each event
        for key, sighting in sightings.items():
            for event in sighting.events:
                arrived[event].add(key)
        for event in sorted(events):
            merges.extend(self._join_apart(after[event], arrived[event]))
        self._refresh(set(known.values()) | {m.into for m in merges})
        return merges

    def _event_keys(self, events: Iterable[str]) -> dict[str, set[str]]:
        return {e: set(self.store.entity_keys_of_event(e, KEYS_PER_EVENT)) for e in events}

    def _name_neighbours(self, new: set[str], sightings: dict[str, Sighting]) -> dict[str, list[tuple[str, float]]]:
        """Name vectors for the new keys of people, organisations and places (one batch), and the
        keys whose names are nearest each of those no CLDR name settles. Only once the registry
        holds names of two languages (a name joins by its vector one of another language only):
        then for the keys before too, once."""
        if self._vectors is None or not self._multilingual(sightings):
            return {}
        names = {key: sightings[key].text for key in sorted(new) if sightings[key].name(key).kind in TYPED_KINDS}
        if not self._vectors_complete:
            self._vectors_complete = True
            keys = [k for k in self.store.entity_key_list() if not k.startswith(COUNTRY) and k not in self._vectors]
            self._vectors.add({k: text for k, (_, text, kind) in self.store.entity_candidates("", None, keys, 0).items()
                               if kind in TYPED_KINDS and k not in new})
        self._vectors.add(names)
        return self._vectors.nearest([k for k in names if self._country_code(k, sightings[k]) is None],
                                     NAME_NEIGHBOURS)

    def _country_code(self, key: str, sighting: Sighting) -> tuple[str, str] | None:
        return self.countries.code(key, sighting.lang, sighting.text)

    def _multilingual(self, sightings: dict[str, Sighting]) -> bool:
        """Whether the registry holds names of two languages, this batch's (already stored) included:
        the store is read at the first batch only, then the batches' languages are added (a scan of
        every name at each batch would grow with the registry)."""
        if self._languages is None:
            self._languages = set(self.store.entity_languages(2))
        elif len(self._languages) < 2:
            self._languages.update(lang for s in sightings.values() for lang, _, _ in s.forms)
        return len(self._languages) > 1

    def _link(self, key: str, sighting: Sighting, same_event: set[str], by_name: bool,
              neighbours: list[tuple[str, float]]) -> Merge | None:
        """Merge the entity of ``key`` with the one the evidence points to, if any: its country,
        else the best candidate among the keys of ``same_event`` and, ``by_name``, of similar
        names, else the one its name vector points to among ``same_event`` and ``neighbours``."""
        entity = self._batch.entity_of_keys([key])[key]
        found = self._country_code(key, sighting)
        if found is None:
            best = self._best_candidate(key, sighting, entity, same_event, by_name)
            if best is not None and best[0] not in self._batch.entity_of_keys(sorted(same_event)).values():
                # The entity of its own event its name vector points to comes before one elsewhere named alike.
                best = self._named_alike(key, sighting, entity, same_event, []) or best
            if best is None and by_name:
                # An entity of several keys joins a country by no evidence only an event gives (a wrong link
                # would move them all).
                found = self._spelled_country(key, sighting, same_event if self._key_count(entity) == 1 else set())
            if best is None and found is None:
                best = self._named_alike(key, sighting, entity, same_event, neighbours)
            if best is not None:
                return self._merge(entity, *best)
            if found is None:
                return None
        code, reason = found
        if reason == "key":
            return None
        country = COUNTRY + code
        target = self._batch.entity_of_keys([country]).get(country) or self._batch.new_entity(country, *blocks(country))
        return self._merge(entity, target, reason, f"{key} = {country}")

    def _earlier_alone(self, before: set[str], after: set[str], sightings: dict[str, Sighting]) -> dict[str, Sighting]:
        """An event's keys from earlier batches, still entities of their own, not written in a
        language this batch brings the event names in (an alias may come before its other forms),
        with their forms; beside them the event's keys written in their language (two names of one
        language in one event count as named side by side: their article is not at hand)."""
        arrived = {sightings[k].lang for k in after - before if k in sightings}
        if not arrived or not (earlier := before - set(sightings)):
            return {}
        languages = self._batch.key_languages(sorted(after))
        earlier = {k for k in earlier if arrived - languages.get(k, set())}
        counts = self._batch.entity_key_counts(set(self._batch.entity_of_keys(sorted(earlier)).values()))
        seen: dict[str, Sighting] = defaultdict(Sighting)
        for entity_forms in self._batch.entity_forms([e for e, n in counts.items() if n == 1]).values():
            for key, lang, text, kind, n in entity_forms:
                seen[key].forms[(lang, text, kind)] += n
        for sighting in seen.values():
            sighting.beside = {k for k in after if sighting.lang in languages.get(k, ())}
        return seen

    def _link_earlier(self, alone: dict[str, Sighting], after: set[str],
                      neighbours: dict[str, list[tuple[str, float]]]) -> list[Merge]:
        """Links of an event's keys ``alone`` (:meth:`_earlier_alone`; those joined since by another
        event of the batch left out) with the event's keys ``after``, by the event's evidence only."""
        entities = self._batch.entity_of_keys(sorted(alone))
        counts = self._batch.entity_key_counts(set(entities.values()))
        merges = []
        for key, sighting in sorted(alone.items()):
            if counts.get(entities[key]) == 1 and (merge := self._link(key, sighting, after, False,
                                                                        neighbours.get(key, []))):
                merges.append(merge)
        return merges

    def _join_apart(self, event_keys: set[str], arrived: set[str]) -> list[Merge]:
        """``apart-in-event`` merges (see the module docstring) in the event of ``event_keys``: each entity
        with a key that ``arrived`` in this batch joins the entity no language writes both with it, of
        the kind it is of, whose key is spelled most like one of its own: APART_SIMILARITY alike, by
        PLACE_MARGIN over the next such entity (two countries never)."""
        forms = self._batch.entity_candidates("", None, event_keys, 0)
        keys_of: dict[int, list[str]] = defaultdict(list)
        for key, (entity, _, _) in sorted(forms.items()):
            keys_of[entity].append(key)
        if len(keys_of) < 2:
            return []
        languages = {e: set().union(*keys.values()) for e, keys in self._batch.entity_key_languages(keys_of).items()}
        kinds = {e: {forms[k][2] for k in keys} & set(TYPED_KINDS) for e, keys in keys_of.items()}
        countries = self._batch.entity_country_keys(keys_of)
        found = []
        for entity in sorted({forms[k][0] for k in arrived if k in forms}):
            apart = sorted((_keys_alike(keys_of[entity], keys_of[other], forms), other) for other in keys_of
                           if other != entity and not languages.get(entity, set()) & languages.get(other, set())
                           and (not kinds[entity] or not kinds[other] or kinds[entity] & kinds[other])
                           and not (entity in countries and other in countries))
            if apart and (best := apart[-1])[0][0] >= APART_SIMILARITY and \
                    best[0][0] - (apart[-2][0][0] if len(apart) > 1 else 0.0) >= PLACE_MARGIN:
                found.append(best[0])
            elif apart and len(keys_of[entity]) <= APART_NAME_KEYS:
                spelled = {other for (similarity, _), other in apart if similarity >= APART_NAME_SPELLING}
                rivals = {other: keys for other, keys in keys_of.items()
                          if other != entity and kinds[other] == kinds[entity]}
                if named := self._named_apart(keys_of[entity], spelled, rivals):
                    found.append(named)
        merges = []
        for similarity, (key, other) in found:
            entities = self._batch.entity_of_keys([key, other])
            if merge := self._merge(entities[key], entities[other], "apart-in-event",
                                    f"{key} ~ {other} ({similarity:.2f}, never in one language)"):
                merges.append(merge)
        return merges

    def _named_apart(self, keys: list[str], apart: set[int],
                     rivals: dict[int, list[str]]) -> tuple[float, tuple[str, str]] | None:
        """(cosine, (key, other key)) of the entity of ``apart`` (those no language writes both with the
        entity of ``keys``, spelled somewhat alike) whose names are nearest those of ``keys`` by name vector, if
        it clears the in-event bars (see :meth:`_name_standing_out`) over the next of ``rivals`` (the event's
        other entities of its kind, by keys; one at least: the keys join as a whole): the mean, over the
        readable keys of each side, of their nearest name on the other (one pair of many alike by chance is no
        evidence)."""
        if self._vectors is None or not (keys := [k for k in keys if k in self._vectors and self._vectors.readable(k)]):
            return None
        nearest = []
        for other, other_keys in rivals.items():
            other_keys = [o for o in other_keys if o in self._vectors and self._vectors.readable(o)]
            if not other_keys:
                continue
            cosines = self._vectors.cosines(keys, other_keys).astype(np.float64)
            pair = np.unravel_index(cosines.argmax(), cosines.shape)
            mean = min(cosines.max(axis=1).mean(), cosines.max(axis=0).mean())
            nearest.append((float(mean), other in apart, (keys[pair[0]], other_keys[pair[1]])))
        nearest.sort(reverse=True)
        if len(nearest) < 2 or not nearest[0][1] or nearest[0][0] < self._bars.event_similarity or \
                nearest[0][0] - nearest[1][0] < self._bars.event_margin:
            return None
        return nearest[0][0], nearest[0][2]

    def _spelled_country(self, key: str, sighting: Sighting, same_event: set[str]) -> tuple[str, str] | None:
        """(code, evidence) of the country a new place name is a spelling of, if one stands out: among
        the countries of its event, over the event's other places too, or, a long enough name,
        among all (Nzambia, Casaquistão)."""
        if sighting.name(key).kind in ("person", "org"):
            return None
        entities = self._batch.entity_of_keys(list(same_event)) if same_event else {}
        countries = self._batch.entity_country_keys(set(entities.values()))
        places = [k for k, e in entities.items() if e not in countries and k != key]
        if countries and (found := self.countries.closest(key, {c.removeprefix(COUNTRY) for c in countries.values()})):
            rival = max((_similar(spelling(key), spelling(k)) for k in places), default=0.0)
            if found[1] >= EVENT_COUNTRY_SIMILARITY and min(found[2], found[1] - rival) >= COUNTRY_MARGIN:
                return found[0], "cldr-event"
        length = len(spelling(key))
        found = self.countries.closest(key) if length >= LONE_COUNTRY_LENGTH else None
        if found is None or found[1] < LONE_COUNTRY_SIMILARITY[length >= LONG_COUNTRY_NAME] or \
                found[2] < COUNTRY_MARGIN:
            return None
        alike = [k for k, _ in self.spellings.near(key)]
        entities = self._batch.entity_of_keys(alike)
        countries = self._batch.entity_country_keys(set(entities.values()))
        rival = max((_similar(spelling(key), spelling(k)) for k in alike if entities.get(k) not in countries),
                    default=0.0)
        return (found[0], "cldr-spelling") if found[1] - rival >= COUNTRY_MARGIN else None

    def _best_candidate(self, key: str, sighting: Sighting, entity: int, same_event: set[str],
                        by_name: bool) -> tuple[int, str, str] | None:
        """(entity, reason, evidence) of the single best-fitting other entity, if one stands out."""
        name = sighting.name(key)
        best: dict[int, tuple[float, str, str]] = {}
        spelled: dict[int, tuple[float, str, bool]] = {}  # places by the spelling of the whole name
        place = name.kind == "place"
        abjad = bool(_ABJAD.search(sighting.text))
        also = same_event | {k for k, _ in self.spellings.near(key, abjad)} if place and by_name else same_event
        candidates = self._batch.entity_candidates(key, blocks(key) if by_name else None, also, CANDIDATES_PER_KEY)
        lang = sighting.lang
        written_in_lang = self._written_in({e for other, (e, _, _) in candidates.items() if other in same_event}, lang,
                                           same_event)
        compared = {other: Name.of(other, kind, text) for other, (other_entity, text, kind) in candidates.items()
                    if other_entity != entity and other not in sighting.beside}
        named = dict(zip(compared, may_name_alike(name, list(compared.values()))))
        for other, other_name in compared.items():
            other_entity, text, kind = candidates[other]
            places = place and kind == "place"
            # One event's support counts for a place's spelling in a language the event does not yet
            # write the place in: in one language, two spellings in one event are two places (Kyiv and Kirov).
            in_event = other in same_event and not (places and other_entity in written_in_lang)
            # Names of one event that differ in their translated head only, if the event never writes the other in lang:
            score = named[other] and (name_evidence(name, other_name, in_event) or (
                in_event and other_entity not in written_in_lang and head_translated(name, other_name)))
            if score > best.get(other_entity, (0.0,))[0]:
                by_name = not in_event or name_evidence(name, other_name, False) > 0
                best[other_entity] = (score, "name" if by_name else "event", f"{key} ~ {other} ({score:.2f})")
            if places and (similarity := (_event_place_similarity if in_event else _place_similarity)(
                    key, abjad, other, bool(_ABJAD.search(text)))) > spelled.get(other_entity, (0.0,))[0]:
                spelled[other_entity] = (similarity, other, in_event)
        found = _standing_out(best, _AMBIGUITY_MARGIN)
        if found is None and spelled:
            self._add_country_rival(key, spelled)
            found = _spelled_alike(key, spelled)
        if found is None or found[1] != "event" and not self._countries_agree(key, entity, found[0]):
            return None
        # Two places of several spellings each join as wholes (a wrong link would join many): by
        # spellings alike enough to join without the event's support.
        if place and min(map(self._key_count, (entity, found[0]))) > 1 and not any(
                max(name_evidence(name, Name.of(other, kind, text), False),
                    _place_similarity(key, abjad, other, bool(_ABJAD.search(text)))) >= PLACE_SIMILARITY
                for other, (other_entity, text, kind) in candidates.items() if other_entity == found[0]):
            return None
        return found

    def _named_alike(self, key: str, sighting: Sighting, entity: int, same_event: set[str],
                     neighbours: list[tuple[str, float]]) -> tuple[int, str, str] | None:
        """(entity, "name-vector", evidence) of the entity with the name nearest that of ``key``,
        if it stands out (see :meth:`_name_standing_out`): among the entities of its event that
        the event does not write in its language (see :meth:`_written_in`), else,
        by stricter bars, among those of its nearest names of all (``neighbours``). Only a key
        the encoder reads, and that is still an entity of its own, joins this way (a wrong link
        between two entities of several keys would join many)."""
        if self._vectors is None or key not in self._vectors or not self._vectors.readable(key) or \
                self._key_count(entity) > 1:
            return None
        in_event = self._name_scores(key, sighting, entity, self._vectors.similarities(key, same_event))
        apart = self._written_in(set(in_event), sighting.lang, same_event)
        for written in apart:
            del in_event[written]
        alone = self._name_scores(key, sighting, entity, dict(neighbours))
        # An entity beyond the nearest names searched is no nearer than the farthest of them.
        beyond = neighbours[-1][1] if len(neighbours) >= NAME_NEIGHBOURS else -1.0
        found = self._name_standing_out(key, sighting.lang, in_event, in_event=True) or \
            self._name_standing_out(key, sighting.lang, {e: s for e, s in alone.items() if e not in apart},
                                    in_event=False, beyond=beyond)
        return found if found is None or not self._spelled_elsewhere(key, sighting, entity, found[0]) else None

    def _spelled_elsewhere(self, key: str, sighting: Sighting, entity: int, target: int) -> bool:
        """Whether ``key`` is spelled like a key of a third entity (see :class:`SpellingIndex`) that
        is spelled unlike every key of ``target``: a name vector's pick that spelling contradicts is
        no evidence (Kuwala Lampur is spelled as Kuala Lumpur, however near its name is to the
        event's Afirka ta Kudu). Not for abjads, whose consonants alone are spelled like too many."""
        if _ABJAD.search(sighting.text):
            return False
        alike = [k for k, _ in self.spellings.near(key) if k not in sighting.beside]
        elsewhere = [k for k, e in self._batch.entity_of_keys(alike).items() if e not in (entity, target)]
        if not elsewhere:
            return False
        targets = [spelling(k) for k in self._batch.entity_key_languages([target]).get(target, {})]
        return any(max((_similar(spelling(k), t) for t in targets), default=0.0) < PLACE_SIMILARITY for k in elsewhere)

    def _name_scores(self, key: str, sighting: Sighting, entity: int,
                     scores: dict[str, float]) -> dict[int, tuple[float, str]]:
        """The best of the name cosines ``scores`` of each other entity's keys, with that key; not
        of the keys beside ``key`` in an article, nor of a person's and a non-person's."""
        kind = sighting.name(key).kind
        by_entity: dict[int, tuple[float, str]] = {}
        scores = {other: score for other, score in scores.items() if score < TWINS and self._vectors.readable(other)}
        for other, (other_entity, _, other_kind) in self._batch.entity_candidates(key, None, scores, 0).items():
            if other_entity != entity and other not in sighting.beside and not _person_and_not(kind, other_kind) \
                    and scores[other] > by_entity.get(other_entity, (-1.0,))[0]:
                by_entity[other_entity] = (scores[other], other)
        return by_entity

    def _name_standing_out(self, key: str, lang: str, by_entity: dict[int, tuple[float, str]],
                           in_event: bool, beyond: float = -1.0) -> tuple[int, str, str] | None:
        """The best of ``by_entity`` (see :meth:`_name_scores`), if its cosine clears the bars, with
        their margin over the next entity known to differ from it (one written in a language it is
        written in too; any, if none is; ``beyond``, the cosine an entity not searched may have, if
        there is none), and its nearest name is never written in ``lang`` (two names of one language
        that share a generic word are near: Фарерын арлууд, Кайманы арлууд)."""
        if not by_entity:
            return None
        target, (best, other) = max(by_entity.items(), key=lambda item: item[1][0])
        keys = self._batch.entity_key_languages(by_entity)
        if lang in keys[target][other]:
            return None
        entity_languages = {e: set().union(*keys[e].values()) for e in by_entity}
        others = set(by_entity) - {target}
        rivals = {e for e in others if entity_languages[e] & entity_languages[target]} or others
        rival = max((by_entity[e][0] for e in rivals), default=beyond)
        bars = self._bars
        if not in_event:
            similarity, margin = bars.alone_similarity, bars.alone_margin
        elif self._spellings_alike(key, other) >= SPELLING_SUPPORT:
            similarity, margin = bars.spelled_similarity, bars.spelled_margin
        else:
            similarity, margin = bars.event_similarity, bars.event_margin
        if best < similarity or best - rival < margin:
            return None
        return target, "name-vector", f"{key} ~ {other} ({best:.3f}, next {rival:.3f}{' in event' * in_event})"

    def _spellings_alike(self, key: str, other: str) -> float:
        """:func:`_event_place_similarity` of two keys (see :func:`_keys_alike`)."""
        return _keys_alike([key], [other], self._batch.entity_candidates("", None, [key, other], 0))[0]

    def _key_count(self, entity: int) -> int:
        return self._batch.entity_key_counts([entity]).get(entity, 0)

    def _written_in(self, entities: set[int], lang: str, event_keys: set[str]) -> set[int]:
        """Those of ``entities`` that one of ``event_keys`` (an event's) writes in ``lang``: in one event, two
        names of one language are two entities; across events, one language may name a thing two ways
        (Den Haag, 's-Gravenhage), and a name wrongly joined must not bar the right one."""
        writers = sorted(self._batch.keys_written_in(event_keys, lang))
        entity_of = self._batch.entity_of_keys(writers)
        return {entity_of[k] for k in writers if entity_of.get(k) in entities}

    def _add_country_rival(self, key: str, spelled: dict[int, tuple[float, str, bool]]) -> None:
        """Count the country whose CLDR names are spelled most like ``key`` as a rival of the places
        it may join (Sidnej is Sydney only if no country is spelled as alike); a rival only: a
        country is joined by its CLDR names (see :meth:`_spelled_country`)."""
        if (closest := self.countries.closest(key)) is None:
            return
        country = COUNTRY + closest[0]
        entity = self._batch.entity_of_keys([country]).get(country, -1)
        if closest[1] > spelled.get(entity, (0.0,))[0]:
            spelled[entity] = (closest[1], country, False)

    def _countries_agree(self, key: str, entity: int, target: int) -> bool:
        """Two countries never merge by spelling (Austria/Australia), and a spelling joins a
        country only if that country's CLDR names sound most like it (Belgium, not Belize)."""
        countries = self._batch.entity_country_keys([entity, target])
        if len(countries) == 2:
            return False
        if not countries:
            return True
        return self.countries.nearest(key) == next(iter(countries.values())).removeprefix(COUNTRY) \
            if target in countries else True

    def _merge(self, entity: int, target: int, reason: str, evidence: str) -> Merge | None:
        """Merge the less mentioned entity into the other (``target`` if it is a country), unless undone before."""
        if entity == target or self._batch.merge_was_undone(entity, target):
            return None
        small, large = entity, target
        if not reason.startswith("cldr") and \
                self._batch.entity_mentions(entity) > self._batch.entity_mentions(target):
            small, large = target, entity
        return Merge(self._batch.merge_entities(small, large, reason, evidence), small, large, reason, evidence)

    def unmerge(self, merge_id: int) -> Merge:
        """Undo a recorded merge: the merged entity gets its keys back; the pair is never merged again."""
        merge = Merge(merge_id, *self.store.undo_merge(merge_id))
        self._refresh({merge.entity, merge.into})
        return merge

    def describe(self, event_id: str | None = None, limit: int | None = None) -> list[dict]:
        """Entities (all, or those of one event; the ``limit`` most mentioned), most mentioned first: id,
        name, kind, mentions (in the event, with ``event_id``), languages and aliases per language with counts."""
        rows = self.store.entity_rows(event_id, limit)
        forms = self.store.entity_forms(r["id"] for r in rows)
        for row in rows:
            aliases: dict[str, Counter] = defaultdict(Counter)
            for _, lang, text, _, n in forms.get(row["id"], []):
                aliases[lang][text] += n
            row["languages"] = sorted(aliases, key=lambda lang: -sum(aliases[lang].values()))
            row["aliases"] = {lang: dict(aliases[lang].most_common()) for lang in row["languages"]}
        return rows

    def _refresh(self, entity_ids: set[int]) -> None:
        """Name and kind of each entity from its surface forms (see :func:`canonical`)."""
        countries = self.store.entity_country_keys(entity_ids)
        for entity_id, forms in self.store.entity_forms(entity_ids).items():
            english = self.countries.english.get(countries.get(entity_id, "").removeprefix(COUNTRY))
            self.store.set_entity(entity_id, *canonical(forms, english))


def canonical(forms: list[tuple[str, str, str, str, int]], country: str | None) -> tuple[str, str]:
    """(name, kind) of an entity from its forms (key, lang, text, kind, mentions) and, for a
    country, its CLDR English name.

    The name is its most mentioned form in English, else the most mentioned one, among the
    forms written as their key (a full name before its surname alone); a country never seen
    in English takes its CLDR English name. The kind is the most mentioned typed
    kind (person, org, place), else "other"; countries are places.
    """
    texts: Counter = Counter()
    english_texts: Counter = Counter()
    kinds: Counter = Counter()
    full = any(_written_as_key(key, text) for key, _, text, _, _ in forms)
    for key, lang, text, kind, n in forms:
        if full and not _written_as_key(key, text):
            continue
        texts[text] += n
        if lang == "en":
            english_texts[text] += n
        if kind in TYPED_KINDS:
            kinds[kind] += n
    if english_texts:
        name = english_texts.most_common(1)[0][0]
    elif country:
        name = country
    else:
        name = texts.most_common(1)[0][0]
    return name, "place" if country else kinds.most_common(1)[0][0] if kinds else "other"


def _written_as_key(key: str, text: str) -> bool:
    """Whether a form is the name its key stands for (not a surname given its full name's key)."""
    return key.startswith(COUNTRY) or fold(text) == key
