"""Persistent entities: mention keys grouped into one identity across languages and scripts.

Every mention key (see :mod:`.mentions`) belongs to exactly one entity. A key seen for the
first time starts an entity of its own, which is then merged into an existing one when the
evidence says they are the same:

- ``cldr``: the key is a country or territory name in some CLDR locale (Rusland, Россия),
  or an inflected form of one that fits no other name (Rosji, Russlands);
- ``name``: transliterated, sound-folded spellings that are close (Putin, Poutine, Poetin,
  Путин; Kaukasus, Caucasus), with guards for look-alikes: countries only join through
  CLDR, given names must agree, short names must be near-identical, and a candidate that
  fits two entities equally well joins neither;
- ``event``: seen in the same event as the entity, which lowers the bar for the name
  (NATO and NAVO; an acronym and its reordering, OTAN).

Candidates come from indexed sound skeletons and prefixes of the last word and from the
keys of the same event, so the work per batch does not grow with the registry. Merges are
recorded with their evidence and can be undone (:meth:`Registry.unmerge`); an undone merge
is never made again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import regex as re
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ..models import Article
from ..text import fold

COUNTRY = "country:"
TYPED_KINDS = ("person", "org", "place")
CANDIDATES_PER_KEY = 100
KEYS_PER_EVENT = 200  # the most mentioned keys of an event are its candidates by co-occurrence
_AMBIGUITY_MARGIN = 0.05
LONE_WORD_SIMILARITY = 0.85  # one-word names without other evidence (Ankara is not Antara: 0.83)
_MAX_INFLECTION = 3  # letters an inflected country name may add to its stem (Rosj-i, Russland-s)
_VOWELS = re.compile(r"[aeiou]+")
_REPEATS = re.compile(r"(.)\1+")
# Transliteration conventions that spell one sound differently (Zelensky/Selenskyj, Moskou/Moskow).
_SOUND_PAIRS = (("kh", "h"), ("ph", "f"), ("ck", "k"), ("ou", "u"), ("oe", "u"), ("ij", "i"))
_SOUND_LETTERS = str.maketrans({"z": "s", "c": "k", "q": "k", "w": "v", "y": "i", "j": "i"})


@lru_cache(maxsize=65536)
def sound(token: str) -> str:
    """A folded token with transliteration variants of one sound made equal."""
    token = fold(token)
    for a, b in _SOUND_PAIRS:
        token = token.replace(a, b)
    return _REPEATS.sub(r"\1", token.translate(_SOUND_LETTERS))


def blocks(key: str) -> tuple[str, str]:
    """Index keys of a mention key for fuzzy candidates: the consonant skeleton and the
    first three sounds of its last word (Putin, Poutine, Poetin -> ptn)."""
    last = sound(key.removeprefix(COUNTRY).split()[-1]) if key.strip() else ""
    skeleton = _REPEATS.sub(r"\1", _VOWELS.sub("", last))
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

    def __init__(self, locales: Iterable[str]):
        from babel import Locale, UnknownLocaleError

        codes: dict[str, set[str]] = defaultdict(set)
        self.listed_by: dict[str, set[str]] = defaultdict(set)
        self.english: dict[str, str] = {}
        self.language_names: set[str] = set()
        for identifier in locales:
            try:
                locale = Locale.parse(identifier)
            except (ValueError, UnknownLocaleError):
                continue
            for code, name in locale.territories.items():
                if len(code) == 2 and code.isalpha():
                    folded = fold(name)
                    codes[folded].add(code)
                    self.listed_by[folded].add(locale.language)
                    if identifier == "en":
                        self.english[code] = name
            self.language_names.update(fold(n) for n in locale.languages.values())
        self.codes = {name: next(iter(c)) for name, c in codes.items() if len(c) == 1 and name}
        self._by_prefix: dict[str, list[str]] = defaultdict(list)
        for name in codes:  # ambiguous names stay here: they make a stem ambiguous too
            self._by_prefix[name[:4]].append(name)
        self._all_codes = codes

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

    def nearest(self, key: str) -> str | None:
        """The code whose CLDR name sounds most like ``key`` (None on a tie between two codes)."""
        folded = sound(key)
        names, codes = self._sounds.get(folded[:1], ([], []))
        found = process.extract(folded, names, scorer=Levenshtein.normalized_similarity, limit=8)
        best = {codes[i] for _, score, i in found if found and score == found[0][1]}
        return best.pop() if len(best) == 1 else None

    def code(self, key: str, lang: str) -> tuple[str, str] | None:
        """(ISO code, evidence) of a mention key in an article in ``lang``: a country key, a
        CLDR name or an inflected one."""
        if key.startswith(COUNTRY):
            return key.removeprefix(COUNTRY), "key"
        if key in self.codes:
            listed_by = self.listed_by[key]
            return (self.codes[key], "cldr") if lang in listed_by or len(listed_by) > 1 else None
        inflected = self._inflected(key, lang)
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


def base_locales() -> tuple[str, ...]:
    """The locales babel has without a region or script ("fr", not "fr_CA")."""
    from babel import localedata

    return tuple(i for i in localedata.locale_identifiers() if "_" not in i)


@lru_cache(maxsize=4)
def country_names(locales: tuple[str, ...] | None = None) -> CountryNames:
    """CLDR names of every base locale babel has (or of ``locales``), built once per process."""
    return CountryNames(locales or base_locales())


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
        letters = re.sub(r"[\W\d_]", "", text)
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


def _person_and_not(a: str, b: str) -> bool:
    """A person against an organisation or place (Jordan, Washington); "other" fits anything,
    and organisations and places are often one another (the Kremlin)."""
    return {a, b} in ({"person", "org"}, {"person", "place"})


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
    short, long = sorted((a, b), key=lambda n: len(n.words))
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


# -- the registry ------------------------------------------------------------------------


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
    def lang(self) -> str:
        return self.forms.most_common(1)[0][0][0]


@dataclass(frozen=True, slots=True)
class Merge:
    """A recorded merge: ``entity`` joined ``into`` with ``reason`` ("cldr", "name", "event")."""

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

    def __init__(self, store, countries: CountryNames | None = None):
        self.store = store
        self._countries = countries

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
        events = {e for s in sightings.values() for e in s.events}
        before = self._event_keys(events)
        known = self.store.entity_of_keys(list(sightings))
        new = set(sightings) - set(known)
        for key in sorted(new):
            known[key] = self.store.new_entity(key, *blocks(key))
        self.store.add_entity_sightings(
            [(key, lang, text, kind, n) for key, s in sightings.items() for (lang, text, kind), n in s.forms.items()],
            [(key, event, n) for key, s in sightings.items() for event, n in s.events.items()])
        after = self._event_keys(events)
        merges = []
        # A new key is compared with everything; a known one only with the events it is new to,
        # and with its country (CLDR may list it in this batch's language only).
        for key in sorted(sightings):
            linked = sightings[key].events if key in new else [e for e in sightings[key].events if key not in before[e]]
            if key in new or linked or self.countries.code(key, sightings[key].lang):
                same_event = set().union(*(after[e] for e in linked))
                if (merge := self._link(key, sightings[key], same_event, by_name=key in new)) is not None:
                    merges.append(merge)
        self._refresh(set(known.values()) | {m.into for m in merges})
        return merges

    def _event_keys(self, events: Iterable[str]) -> dict[str, set[str]]:
        return {e: set(self.store.entity_keys_of_event(e, KEYS_PER_EVENT)) for e in events}

    def _link(self, key: str, sighting: Sighting, same_event: set[str], by_name: bool) -> Merge | None:
        """Merge the entity of ``key`` with the one the evidence points to, if any: its country,
        else the best candidate among the keys of ``same_event`` and, ``by_name``, of similar names."""
        entity = self.store.entity_of_keys([key])[key]
        found = self.countries.code(key, sighting.lang)
        if found is not None:
            code, reason = found
            if reason == "key":
                return None
            country = COUNTRY + code
            target = self.store.entity_of_keys([country]).get(country) or self.store.new_entity(country,
                                                                                              *blocks(country))
            return self._merge(entity, target, reason, f"{key} = {country}")
        best = self._best_candidate(key, sighting, entity, same_event, by_name)
        return self._merge(entity, *best) if best else None

    def _best_candidate(self, key: str, sighting: Sighting, entity: int, same_event: set[str],
                        by_name: bool) -> tuple[int, str, str] | None:
        """(entity, reason, evidence) of the single best-fitting other entity, if one stands out."""
        name = sighting.name(key)
        best: dict[int, tuple[float, str, str]] = {}
        candidates = self.store.entity_candidates(key, blocks(key) if by_name else None, same_event,
                                                  CANDIDATES_PER_KEY)
        for other, (other_entity, text, kind) in candidates.items():
            other_name = Name.of(other, kind, text)
            in_event = other in same_event
            score = name_evidence(name, other_name, in_event)
            if other_entity != entity and other not in sighting.beside and score > best.get(other_entity, (0.0,))[0]:
                by_name = not in_event or name_evidence(name, other_name, False) > 0
                best[other_entity] = (score, "name" if by_name else "event", f"{key} ~ {other} ({score:.2f})")
        ranked = sorted(best.items(), key=lambda item: -item[1][0])
        if not ranked or len(ranked) > 1 and ranked[0][1][0] - ranked[1][1][0] < _AMBIGUITY_MARGIN:
            return None
        target, (_, reason, evidence) = ranked[0]
        return (target, reason, evidence) if self._countries_agree(key, entity, target) else None

    def _countries_agree(self, key: str, entity: int, target: int) -> bool:
        """Two countries never merge by spelling (Austria/Australia), and a spelling joins a
        country only if that country's CLDR names sound most like it (Belgium, not Belize)."""
        countries = self.store.entity_country_keys([entity, target])
        if len(countries) == 2:
            return False
        if not countries:
            return True
        return self.countries.nearest(key) == next(iter(countries.values())).removeprefix(COUNTRY) \
            if target in countries else True

    def _merge(self, entity: int, target: int, reason: str, evidence: str) -> Merge | None:
        """Merge the less mentioned entity into the other (``target`` if it is a country), unless undone before."""
        if entity == target or self.store.merge_was_undone(entity, target):
            return None
        small, large = entity, target
        if reason not in ("cldr", "cldr-inflection") and \
                self.store.entity_mentions(entity) > self.store.entity_mentions(target):
            small, large = target, entity
        return Merge(self.store.merge_entities(small, large, reason, evidence), small, large, reason, evidence)

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
