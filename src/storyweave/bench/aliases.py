"""Alias normalisation: spellings of one entity in many languages and scripts fed to the registry.

Gold entities and their variants (distinct folded spellings):

- countries: territory names in every base CLDR locale. The registry under test knows the
  names of only half of the locales (sorted, every other one); variants that half does not
  list verbatim (the other locales' own names, in their scripts) are scored apart;
- cities: exemplar city names of the time zones in every base locale (no table knows them);
- names: people and organisations of a small fixture in several languages and scripts
  (Putin / Poutine / Poetin / Путин, NATO / NAVO / OTAN / НАТО).

A spelling shared by two gold entities is left out, and a city that shares one with a country
(Luxembourg, Singapore) is left out whole. The
variants are fed as mentions keyed by their folded text, either each alone (its own event)
or in events of a few entities with one article per language (where an alias meets its
other forms). Scores: the share of variants in the predicted entity that holds most of
their gold entity's variants ("right"); wrong merges: a predicted entity of n variants
stands for n - 1 merges, of which (gold entities in it - 1) joined distinct entities; wrong
pairs: of the variant pairs put in one entity, those of two gold entities (a wrong merge
of two big entities weighs much here).

Reviewed for fairness: no two time zones name one city, and spellings two gold entities
share are left out, so the gold has no duplicates to be punished for joining. Variants that
translate rather than spell a name (Easter Island, Isla de Pascua, Osterinsel; Pays-Bas)
stay in: no spelling rule reaches them, but a model of meaning could, so they are a fair
part of the target.

The bars of the registry's name vectors were calibrated on one half of the gold entities (those
with an even first MD5 byte, see :func:`half`); the share right is also given for each half, so
that the other half shows how well they carry over.
"""

from __future__ import annotations

import hashlib
import json
import random
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..embed import Encoder
from ..entities.registry import COUNTRY, CountryNames, Registry, base_locales
from ..models import Article, Mention
from ..store import Store
from ..text import fold

FIXTURE = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "aliases.jsonl"
GROUPS = ("countries (listed)", "countries (not listed)", "cities", "names")
CONDITIONS = ("alone", "in events")
HALVES = ("tuned", "check")  # the half the name bars were calibrated on, the other
EVENT_SIZE = 3
EVENT_LANGUAGES = 8
BATCH = 256


@dataclass(frozen=True, slots=True)
class Variant:
    """One spelling of a gold entity, in a language, in a scoring group."""

    entity: str
    langs: tuple[str, ...]  # the locales that write it so
    text: str
    kind: str
    group: str

    @property
    def key(self) -> str:
        return fold(self.text)


@dataclass(frozen=True, slots=True)
class Result:
    method: str
    condition: str
    right: dict[str, float]  # share of variants in their entity's home, per group, per half and "all"
    variants: dict[str, int]
    wrong_merges: float  # of the links that make the predicted entities, those joining two gold entities
    wrong_pairs: float  # of the variant pairs put in one entity, those of two gold entities
    variants_per_s: float


def table_locales(locales: list[str]) -> tuple[str, ...]:
    """The half of the locales whose country names the registry under test knows (with English)."""
    return tuple(sorted(set(locales[::2]) | {"en"}))


def load_variants(fixture: Path = FIXTURE) -> tuple[list[Variant], CountryNames, int]:
    """Variants of every gold entity, the registry's half-table, and how many shared spellings were left out."""
    from babel import Locale

    locales = sorted(base_locales())
    table = CountryNames.of_locales(table_locales(locales))
    found: list[tuple[str, str, str, str]] = []
    for identifier in locales:
        locale = Locale.parse(identifier)
        for code, name in locale.territories.items():
            if len(code) == 2 and code.isalpha() and code in table.english:
                found.append((COUNTRY + code, identifier, name, "place"))
        for zone, names in locale.time_zones.items():
            if "city" in names and "/" in zone and not zone.startswith("Etc/"):
                found.append(("city:" + zone, identifier, names["city"], "place"))
    for line in fixture.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        found.extend((row["entity"], lang, text, row["kind"]) for lang, texts in row["variants"].items()
                     for text in texts)
    owners: dict[str, set[str]] = defaultdict(set)
    for entity, _, text, _ in found:
        owners[fold(text)].add(entity)
    shared = {k for k, e in owners.items() if len(e) > 1 or not k}
    # A city named like a country (Luxembourg, Singapore) is left out whole: no spelling tells them apart.
    city_states = {e for k in shared for e in owners[k] if e.startswith("city:") and
                   any(o.startswith(COUNTRY) for o in owners[k])}
    langs: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
    first: dict[tuple[str, str], tuple[str, str]] = {}
    for entity, lang, text, kind in found:
        if fold(text) not in shared and entity not in city_states:
            langs[entity, fold(text)][lang] = None
            first.setdefault((entity, fold(text)), (text, kind))
    variants = [Variant(entity, tuple(langs[entity, key]), text, kind, _group(entity, key, table))
                for (entity, key), (text, kind) in first.items()]
    return variants, table, len(shared)


def half(entity: str) -> str:
    """The half of the gold entities ``entity`` is in: the one the name bars were calibrated on, or the other."""
    return HALVES[hashlib.md5(entity.encode()).digest()[0] % 2]


def sample(variants: list[Variant], every: int) -> list[Variant]:
    """The variants of one gold entity in ``every`` (chosen by a hash of its id): a quicker run
    for trying changes, and an easier one (fewer entities to confuse); every=1 keeps all."""
    return [v for v in variants if zlib.crc32(v.entity.encode()) % every == 0]


def _group(entity: str, key: str, table: CountryNames) -> str:
    if entity.startswith(COUNTRY):
        return GROUPS[0] if key in table.codes else GROUPS[1]
    return GROUPS[2] if entity.startswith("city:") else GROUPS[3]


def articles_for(variants: list[Variant], condition: str, seed: int = 0) -> list[Article]:
    """Articles mentioning the variants in every language that writes them, in a seeded random
    order: one per variant and language ("alone"), or ("in events") one per language of events
    that each bring EVENT_SIZE gold entities in up to EVENT_LANGUAGES languages, English always."""
    rng = random.Random(seed)
    if condition == "alone":
        groups = [(i, lang, [v]) for i, (v, lang) in enumerate((v, lang) for v in variants for lang in v.langs)]
    else:
        groups = _event_articles(variants, rng)
    articles = [Article(id=f"a{i}", source=f"a{i}", title="", body="", lang=lang, event_id=f"e{event}",
                        mentions=[Mention(v.text, v.key, v.kind, 0) for v in g])
                for i, (event, lang, g) in enumerate(groups)]
    rng.shuffle(articles)
    return articles


def _event_articles(variants: list[Variant], rng: random.Random) -> list[tuple[int, str, list[Variant]]]:
    """(event, language, variants of one article) for events of EVENT_SIZE entities in EVENT_LANGUAGES languages."""
    by_entity: dict[str, dict[str, list[Variant]]] = defaultdict(lambda: defaultdict(list))
    for v in variants:
        for lang in v.langs:
            by_entity[v.entity][lang].append(v)
    chunks: dict[str, list[list[str]]] = {}  # languages of each event of an entity
    for entity, langs in by_entity.items():
        others = sorted(set(langs) - {"en"})
        rng.shuffle(others)
        english = ["en"] if "en" in langs else []
        step = EVENT_LANGUAGES - len(english)
        chunks[entity] = [english + others[i : i + step] for i in range(0, len(others), step)] or [english]
    entities = sorted(chunks)
    rng.shuffle(entities)
    groups: list[tuple[int, str, list[Variant]]] = []
    event = 0
    for start in range(0, len(entities), EVENT_SIZE):
        together = entities[start : start + EVENT_SIZE]
        for round_ in range(max(len(chunks[e]) for e in together)):
            event += 1
            in_lang: dict[str, list[Variant]] = defaultdict(list)
            for entity in together:
                for lang in chunks[entity][round_ % len(chunks[entity])]:
                    in_lang[lang].extend(by_entity[entity][lang])
            groups.extend((event, lang, g) for lang, g in in_lang.items())
    return groups


def registry_entities(articles: list[Article], table: CountryNames, names: Encoder | None = None,
                      cache_db: Path | None = None) -> dict[str, str]:
    """Predicted entity of each key after feeding the articles to a fresh registry, in batches,
    with name vectors by ``names`` (shared with ``cache_db``: encoded once across runs)."""
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "aliases.db"
        with Store(db) as store:
            if cache_db is not None and cache_db.exists():
                store.merge_vectors_from(cache_db)
            registry = Registry(store, table, names)
            for start in range(0, len(articles), BATCH):
                with store.transaction():
                    registry.add(articles[start : start + BATCH])
            keys = sorted({m.key for a in articles for m in a.mentions})
            predicted = {k: str(e) for k, e in store.entity_of_keys(keys).items()}
        if cache_db is not None and names is not None:
            with Store(cache_db) as cache:
                cache.merge_vectors_from(db)
        return predicted


def exact_keys(articles: list[Article], table: CountryNames) -> dict[str, str]:
    return {m.key: m.key for a in articles for m in a.mentions}


def table_lookup(articles: list[Article], table: CountryNames) -> dict[str, str]:
    """Folded key, or the country code when the table lists it verbatim."""
    return {m.key: table.codes.get(m.key, m.key) for a in articles for m in a.mentions}


REGISTRY = "storyweave registry"
METHODS: dict[str, Callable[[list[Article], CountryNames], dict[str, str]]] = {
    REGISTRY: registry_entities, "exact folded key": exact_keys, "CLDR table, else key": table_lookup}


def score(method: str, condition: str, variants: list[Variant], predicted: dict[str, str],
          seconds: float) -> Result:
    """Shares of variants in their gold entity's home entity (per group and half), and of wrong pairs."""
    by_entity: dict[str, Counter] = defaultdict(Counter)
    for v in variants:
        by_entity[v.entity][predicted[v.key]] += 1
    home = {entity: counts.most_common(1)[0][0] for entity, counts in by_entity.items()}
    right, totals = Counter(), Counter()
    for v in variants:
        for group in (v.group, half(v.entity), "all"):
            totals[group] += 1
            right[group] += predicted[v.key] == home[v.entity]
    members: dict[str, Counter] = defaultdict(Counter)
    for v in variants:
        members[predicted[v.key]][v.entity] += 1
    pairs = sum(sum(c.values()) * (sum(c.values()) - 1) // 2 for c in members.values())
    same = sum(n * (n - 1) // 2 for c in members.values() for n in c.values())
    links = sum(sum(c.values()) - 1 for c in members.values())
    wrong_links = sum(len(c) - 1 for c in members.values())
    return Result(method, condition, {g: right[g] / totals[g] for g in totals}, dict(totals),
                  wrong_links / links if links else 0.0, (pairs - same) / pairs if pairs else 0.0,
                  len(variants) / seconds if seconds else 0.0)


def run(method: str, condition: str, variants: list[Variant], table: CountryNames, names: Encoder | None = None,
        cache_db: Path | None = None) -> Result:
    """One method in one condition; the registry with name vectors by ``names`` (kept in ``cache_db``)."""
    articles = articles_for(variants, condition)
    predict = partial(registry_entities, names=names, cache_db=cache_db) if method == REGISTRY else METHODS[method]
    start = time.process_time()
    predicted = predict(articles, table)
    return score(method, condition, variants, predicted, time.process_time() - start)


def headline(results: list[Result]) -> dict:
    """The registry's figures per condition, beside the exact-key baseline."""
    out: dict = {}
    for r in results:
        name = "storyweave" if r.method == REGISTRY else r.method.replace(" ", "_").replace(",", "")
        out[f"{name}/{r.condition}"] = {"right": round(r.right["all"], 4), "wrong_pairs": round(r.wrong_pairs, 4),
                                        "right_by_group": {g: round(r.right[g], 4) for g in GROUPS if g in r.right},
                                        "right_by_half": {h: round(r.right[h], 4) for h in HALVES if h in r.right},
                                        "wrong_merges": round(r.wrong_merges, 4)}
    return out
