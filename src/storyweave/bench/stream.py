"""The event clusterer alone on a synthetic stream: throughput, peak memory and agreement with the truth.

The stream imitates news: every simulated day a few hundred events begin, each on one of
many topics, lasting one to a few days, with heavy-tailed popularity (most events get one
or two articles, a few get thousands). Articles carry a lead vector (event vector plus
noise; events of one topic are look-alikes), entities and rare words (some of the event's,
some of the topic's) and their publication day; a share of leads names the weekday. Each size runs in
a fresh process, so its peak resident memory is its own. After each micro-batch the open events are
linked into storylines, as the pipeline does (timed apart: the storyline linker's own rate).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import resource
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from storyweave.bench.events import score
from storyweave.bench.metrics import one_core
from storyweave.cluster import ANN_FROM, ArticleSignals, EventClusterer, StoryLinker
from storyweave.dates import EventTime
from storyweave.dedup import unit_rows

START = date(2024, 1, 1)
# Candidate events as storyweave finds them (by HNSW once the window holds ANN_FROM members), or
# always by an exact scan.
METHODS = {"ann": ANN_FROM, "exact scan": 2**62}


@dataclass(frozen=True, slots=True)
class StreamShape:
    """How the synthetic stream is drawn."""

    articles_per_day: int = 2000
    events_per_day: int = 400
    topics: int = 2000
    names: int = 50_000
    dim: int = 384
    batch: int = 256
    seed: int = 0


@dataclass(frozen=True, slots=True)
class StreamResult:
    """One clusterer run over ``n`` articles."""

    method: str
    n: int
    articles_per_s: float
    peak_mib: float
    start_mib: float
    open_events: int
    closed_events: int
    bcubed_f1: float
    linking_articles_per_s: float  # articles per CPU second of linking the open events after each micro-batch


def _units(matrix: np.ndarray) -> np.ndarray:
    return unit_rows(matrix).astype(np.float32)


class SyntheticNews:
    """Draws the stream day by day; memory holds only the events alive now."""

    def __init__(self, shape: StreamShape):
        self.shape = shape
        self.rng = np.random.default_rng(shape.seed)
        common = self.rng.normal(size=shape.dim)
        # Topic vectors share a common direction, as news embeddings do (unrelated cosines ~0.85).
        self.topics = _units(common / np.linalg.norm(common) + 0.42 * self._noise(shape.topics))
        self.names = self._names(shape.names)
        self.topic_names = self.rng.integers(len(self.names), size=(shape.topics, 20))

    def _names(self, count: int) -> list[str]:
        """Made-up person names ("first last"), from syllables."""
        syllables = [c + v for c in "bdfghklmnprstvz" for v in "aeiou"]
        pick = lambda parts: "".join(syllables[i] for i in self.rng.integers(len(syllables), size=parts))  # noqa: E731
        firsts = [pick(2) for _ in range(300)]
        return [f"{firsts[int(self.rng.integers(300))]} {pick(int(self.rng.integers(2, 4)))}" for _ in range(count)]

    def _noise(self, rows: int) -> np.ndarray:
        return self.rng.normal(size=(rows, self.shape.dim)) / np.sqrt(self.shape.dim)

    def articles(self, n: int) -> Iterator[tuple[list[ArticleSignals], list[int]]]:
        """Micro-batches of (signals, gold event number), in time order, ``n`` articles in all."""
        shape, made, day_number, next_event = self.shape, 0, 0, 0
        # id, topic, weight, vector, who, words, last day
        alive: list[tuple[int, int, float, np.ndarray, list[str], list[str], int]] = []
        while made < n:
            day = START + timedelta(day_number)
            alive = [e for e in alive if e[6] >= day_number]
            for _ in range(shape.events_per_day):
                topic = int(self.rng.integers(shape.topics))
                vector = _units(self.topics[topic] + 0.18 * self._noise(1)[0])
                who = [self.names[k] for k in self.rng.choice(self.topic_names[topic], 3, replace=False)]
                who.append(self.names[int(self.rng.integers(len(self.names)))])
                vocabulary = [f"t{topic}w{k}" for k in self.rng.choice(40, 8, replace=False)] + \
                    [f"e{next_event}w{k}" for k in range(8)]
                alive.append((next_event, topic, float(self.rng.pareto(1.2)) + 0.05, vector, who, vocabulary,
                              day_number + int(self.rng.integers(0, 4))))
                next_event += 1
            weights = np.array([e[2] for e in alive])
            count = min(shape.articles_per_day, n - made)
            chosen = self.rng.choice(len(alive), count, p=weights / weights.sum())
            leads = _units(np.vstack([alive[c][3] for c in chosen]) + 0.23 * self._noise(count))
            for start in range(0, count, shape.batch):
                rows = range(start, min(start + shape.batch, count))
                # each lead its own array, as the pipeline's: a row of ``leads`` would keep the day's matrix alive
                yield [self._signals(made + r, leads[r].copy(), alive[chosen[r]], day) for r in rows], \
                    [alive[chosen[r]][0] for r in rows]
            made += count
            day_number += 1

    def _signals(self, number: int, lead: np.ndarray, event: tuple, day: date) -> ArticleSignals:
        _, topic, _, _, who, vocabulary, _ = event
        named = {key: 3.0 for key in who if self.rng.random() < 0.7}
        used = [w for w in vocabulary if self.rng.random() < 0.5] + [f"t{topic}w{int(self.rng.integers(40))}"]
        words = dict.fromkeys(used, 1.0 / math.sqrt(len(used)))  # Python floats, as the pipeline's rare words
        if self.rng.random() < 0.3:
            named[self.names[int(self.rng.choice(self.topic_names[topic]))]] = 3.0
        weekday = day.weekday() if self.rng.random() < 0.3 else None
        return ArticleSignals(f"a{number}", lead=lead, doc=lead, who=named, actors={}, entities=named,
                              time=EventTime(None, weekday), day=day, lang="en", words=words)


def run_stream(method: str, n: int, shape: StreamShape = StreamShape()) -> StreamResult:
    """Cluster ``n`` synthetic articles with candidates found as ``method`` says.

    Only the clusterer is timed, and the storyline linker apart (each event dated by its last
    day), in CPU seconds of this (single-threaded) process, so the rates are those of one core
    whatever else the machine runs.
    """
    clusterer = EventClusterer(topic_floor=0.80, quiet_days=3, ann_from=METHODS[method], split_id=str)
    linker = StoryLinker(story_floor=0.85)
    start_mib = _peak_mib()
    predicted, gold = array("q"), array("q")  # event numbers: 16 bytes an article, the only state kept per article
    spent = linking = 0.0
    for batch, events in SyntheticNews(shape).articles(n):
        begin = time.process_time()
        assigned = clusterer.add_batch([(s, f"{s.article_id}") for s in batch])
        spent += time.process_time() - begin
        begin = time.process_time()
        linker.link(list(clusterer.events.values()), {e.id: e.last_day for e in clusterer.events.values()})
        linking += time.process_time() - begin
        predicted.extend(int(event_id[1:]) for event_id in assigned)
        gold.extend(events)
    peak = _peak_mib()
    return StreamResult(method, n, n / spent, peak, start_mib, len(clusterer.events), clusterer.closed,
                        score(predicted, gold).bcubed_f1, n / linking)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_isolated(method: str, n: int) -> StreamResult:
    """``run_stream`` in a fresh single-threaded process, so that peak memory is this run's own."""
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(run_on_one_core, (method, n))


def run_on_one_core(method: str, n: int) -> StreamResult:
    """``run_stream`` pinned to one CPU core."""
    with one_core():
        return run_stream(method, n)
