"""Events and storylines: online clustering in time order on who / what / when signals.

Whole-document similarity says two articles share a *topic*; it cannot tell two
events of one topic apart (two calls a week apart between the same capitals).
An article joins an open event only when, besides being on the same topic,
- its lead names the same people (or, without people, the same salient entities,
  weighted by rarity), or
  its lead is nearly the same text (dense similarity far above the topic floor), and
- nothing in its lead contradicts the event's dates (a lead naming another weekday
  needs more shared actors).
Copies and translations always follow their original. Events are linked into
storylines by topic and shared entities within a time span; an event with no date
of its own can be dated by a back-reference ("last week") in a later event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from .dates import LEAD_SENTENCES, Anchor, EventTime, article_anchor, event_time, intersect, resolve
from .dedup import margin_matrix
from .entities import salience, same_entity
from .models import Article


@dataclass(slots=True)
class ArticleSignals:
    """What the clusterer needs to know about one article."""

    article_id: str
    lead: np.ndarray
    doc: np.ndarray
    who: dict[str, float]
    actors: dict[str, float]
    entities: dict[str, float]
    time: EventTime
    follows: str | None = None


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def signals_for(article: Article, vectors: np.ndarray) -> ArticleSignals:
    """Who / what / when of one article from its mentions, times and sentence vectors (title first)."""
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
        article_id=article.id, lead=unit(vectors[:LEAD_SENTENCES].mean(axis=0)), doc=unit(vectors.mean(axis=0)),
        who=who, actors=actors, entities=weights, time=when,
        follows=article.duplicate_of or article.translation_of,
    )


@dataclass(slots=True)
class EventState:
    """An open event: its members and the running who/when profile."""

    id: str
    members: list[ArticleSignals] = field(default_factory=list)
    who: dict[str, float] = field(default_factory=dict)
    actors: dict[str, float] = field(default_factory=dict)
    window: Anchor | None = None
    weekdays: dict[int, int] = field(default_factory=dict)

    def add(self, signals: ArticleSignals) -> None:
        self.members.append(signals)
        for profile, found in ((self.who, signals.who), (self.actors, signals.actors)):
            for key, weight in found.items():
                profile[key] = max(weight, profile.get(key, 0.0))
        if signals.time.window is not None:
            self.window = intersect(self.window, signals.time.window) or self.window
        if signals.time.weekday is not None:
            self.weekdays[signals.time.weekday] = self.weekdays.get(signals.time.weekday, 0) + 1

    @property
    def weekday(self) -> int | None:
        return max(self.weekdays, key=lambda d: (self.weekdays[d], -d)) if self.weekdays else None

    @property
    def time(self) -> EventTime:
        return EventTime(self.window, self.weekday)

    @property
    def centroid(self) -> np.ndarray:
        return unit(np.mean([m.doc for m in self.members], axis=0))

    @property
    def entities(self) -> dict[str, float]:
        return {k: w for m in self.members for k, w in m.entities.items()}


def overlap(article: dict[str, float], profile: dict[str, float]) -> float | None:
    """Share of the article's entity weight that the profile also names (None: no entities)."""
    total = sum(article.values())
    if not total:
        return None
    matched = sum(w for key, w in article.items() if any(same_entity(key, other) for other in profile))
    return matched / total


def dates_conflict(a: EventTime, b: EventTime) -> bool:
    """Two leads whose date windows do not meet cannot describe the same day."""
    return a.window is not None and b.window is not None and intersect(a.window, b.window) is None


def weekdays_clash(a: EventTime, b: EventTime) -> bool:
    """Two leads naming different weekdays: evidence of different days, not proof (a lead may
    name the day something was said rather than the day it happened)."""
    return a.weekday is not None and b.weekday is not None and a.weekday != b.weekday


@dataclass
class EventClusterer:
    """Online event clustering; ``topic_floor`` is the encoder's same-topic cosine.

    ``min_who``: the share of the article's salient lead actors the event must name
    (``clash_who`` when the leads name different weekdays); ``same_text``: calibrated
    lead similarity at which the texts alone decide.
    """

    topic_floor: float
    min_who: float = 0.5
    clash_who: float = 0.6
    same_text: float = 0.75
    events: dict[str, EventState] = field(default_factory=dict)
    event_of: dict[str, str] = field(default_factory=dict)

    def dense(self, signals: ArticleSignals, event: EventState) -> float:
        """Lead similarity to the closest member, rescaled so the topic floor is 0."""
        best = max(float(signals.lead @ m.lead) for m in event.members)
        return max(0.0, (best - self.topic_floor) / (1.0 - self.topic_floor))

    def score(self, signals: ArticleSignals, event: EventState) -> float | None:
        """How well the article fits the event, or None when it must not join."""
        if dates_conflict(signals.time, event.time):
            return None
        dense = self.dense(signals, event)
        if dense <= 0.0:
            return None
        clash = weekdays_clash(signals.time, event.time)
        if dense >= self.same_text and not clash:
            return dense
        # People named in both leads decide; otherwise any salient entity.
        who = overlap(signals.actors, event.actors) if signals.actors and event.actors else \
            overlap(signals.who, event.who)
        if who is None or who < (self.clash_who if clash else self.min_who):
            return None
        return (dense + who) / 2

    def add(self, signals: ArticleSignals, new_id: str) -> str:
        """Assign one article (in time order) to an event; returns the event id."""
        if signals.follows in self.event_of:
            event_id = self.event_of[signals.follows]
        else:
            scored = [(s, e.id) for e in self.events.values() if (s := self.score(signals, e)) is not None]
            event_id = max(scored)[1] if scored else new_id
        self.events.setdefault(event_id, EventState(event_id)).add(signals)
        self.event_of[signals.article_id] = event_id
        return event_id


@dataclass
class StoryLinker:
    """Links events into storylines: same topic, shared entities, close in time."""

    story_floor: float
    max_gap_days: int = 30

    def related(self, entities_a: dict[str, float], entities_b: dict[str, float], day_a: date | None,
                day_b: date | None) -> bool:
        """Two same-topic events continue one story: they share entities and are close in time."""
        if not (overlap(entities_a, entities_b) or 0.0):
            return False
        return day_a is None or day_b is None or abs((day_a - day_b).days) <= self.max_gap_days

    def link(self, events: list[EventState], days: dict[str, date | None]) -> list[list[str]]:
        """Group events into stories (connected components of ``related``), in input order."""
        parent = {e.id: e.id for e in events}

        def root(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        if events:
            centroids = np.vstack([e.centroid for e in events])
            close = np.argwhere(np.triu(centroids @ centroids.T >= self.story_floor, k=1))
            profiles: dict[str, dict[str, float]] = {}
            for i, j in close:
                a, b = events[i], events[j]
                if root(a.id) == root(b.id):
                    continue
                for e in (a, b):
                    if e.id not in profiles:
                        profiles[e.id] = e.entities
                if self.related(profiles[a.id], profiles[b.id], days[a.id], days[b.id]):
                    parent[root(b.id)] = root(a.id)
        groups: dict[str, list[str]] = {}
        for e in events:
            groups.setdefault(root(e.id), []).append(e.id)
        return list(groups.values())


def dates_from_back_references(undated: list[EventState], referrers: list[Article],
                               vectors: dict[str, np.ndarray], margin: float = 1.06) -> dict[str, date]:
    """Date undated events from sentences elsewhere that retell their lead with a time phrase.

    "Cavusoglu urged Russia last week to drop its demands", in a report dated 2 January,
    retells the lead "Turkey urged Russia on Monday to drop its demands" of an undated
    event: the Monday in the week before 2 January.
    """
    found: dict[str, date] = {}
    usable = [(a, anchor) for a in referrers if (anchor := article_anchor(a))
              and any(t.sentence >= LEAD_SENTENCES for t in a.times)]
    for event in undated:
        members = {m.article_id for m in event.members}
        lead = np.vstack([vectors[m.article_id][:LEAD_SENTENCES] for m in event.members])
        for referring, anchor in usable:
            if referring.id in members:
                continue
            margins = margin_matrix(lead, vectors[referring.id]).max(axis=0)
            for expr in referring.times:
                if LEAD_SENTENCES <= expr.sentence < len(margins) and margins[expr.sentence] >= margin:
                    window = resolve(expr, anchor)
                    if window and (day := date_by_back_reference(window, event.weekday)):
                        found[event.id] = day
                        break
            if event.id in found:
                break
    return found


def date_by_back_reference(window: Anchor, weekday: int | None) -> date | None:
    """Latest day in a referring article's window that fits the event's own weekday.

    Without a weekday only a one-day window ("yesterday") gives a date.
    """
    if weekday is None:
        return window.exact
    days = EventTime(window, weekday).candidates()
    return days[-1] if days else None


def story_order(event_ids: list[str], days: dict[str, date | None], first_seen: dict[str, int]) -> list[str]:
    """Events oldest first; undated ones by the order they were first seen."""
    far = date.max - timedelta(days=1)
    return sorted(event_ids, key=lambda e: (days.get(e) or far, first_seen[e]))
