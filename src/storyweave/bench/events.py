"""Event clustering measured against gold labels, with agglomerative baselines from the same run.

The gold file is JSON lines, one article each (``id``, ``title``, ``text``, ``lang``,
optional ``published``) with its gold ``event`` and optionally ``story`` or ``topic``.
storyweave's pipeline runs on it in a fresh temporary database; two baselines cluster
the same articles agglomeratively, each at the threshold best on this very file (so they
are upper bounds of what a fixed threshold gives): one on whole-document vectors of the
pipeline's encoder (title and text, as far as the encoder reads), one on TF-IDF of the full texts.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix

from storyweave.bench.metrics import f1
from storyweave.embed import encode_groups
from storyweave.pipeline import Pipeline
from storyweave.store import Store
from storyweave.text import words

LINKAGES = ("average", "complete")
THRESHOLDS = np.round(np.arange(0.02, 1.0, 0.01), 2)


@dataclass(frozen=True, slots=True)
class Scores:
    """Clustering agreement with gold: B-cubed, pairwise and adjusted Rand index."""

    bcubed_p: float
    bcubed_r: float
    pairwise_p: float
    pairwise_r: float
    ari: float

    @property
    def bcubed_f1(self) -> float:
        return f1(self.bcubed_p, self.bcubed_r)

    @property
    def pairwise_f1(self) -> float:
        return f1(self.pairwise_p, self.pairwise_r)

    def as_dict(self) -> dict[str, float]:
        return {"bcubed_p": round(self.bcubed_p, 4), "bcubed_r": round(self.bcubed_r, 4),
                "bcubed_f1": round(self.bcubed_f1, 4), "pairwise_f1": round(self.pairwise_f1, 4),
                "ari": round(self.ari, 4)}


@dataclass(frozen=True, slots=True)
class Result:
    """One method's clustering of the gold articles and how it scores."""

    name: str
    labels: list[Hashable]
    scores: Scores
    setting: str = ""


def _pairs(n: int) -> float:
    return n * (n - 1) / 2


def score(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> Scores:
    """B-cubed precision/recall (mean over items), pairwise precision/recall and ARI."""
    n = len(gold)
    joint = Counter(zip(predicted, gold))
    pred_sizes, gold_sizes = Counter(predicted), Counter(gold)
    bcubed_p = sum(c * c / pred_sizes[p] for (p, _), c in joint.items()) / n
    bcubed_r = sum(c * c / gold_sizes[g] for (_, g), c in joint.items()) / n
    same_both = sum(_pairs(c) for c in joint.values())
    same_pred = sum(_pairs(c) for c in pred_sizes.values())
    same_gold = sum(_pairs(c) for c in gold_sizes.values())
    expected = same_pred * same_gold / _pairs(n) if n > 1 else 0.0
    top = (same_pred + same_gold) / 2
    ari = (same_both - expected) / (top - expected) if top != expected else 1.0
    return Scores(bcubed_p, bcubed_r, same_both / same_pred if same_pred else 1.0,
                  same_both / same_gold if same_gold else 1.0, ari)


def best_agglomerative(name: str, similarity: np.ndarray, gold: Sequence[Hashable]) -> Result:
    """Agglomerative clustering of a cosine similarity matrix at the linkage and threshold best on ``gold``."""
    distance = np.clip(1.0 - similarity, 0.0, None)[np.triu_indices(len(gold), k=1)]
    best: Result | None = None
    for method in LINKAGES:
        tree = linkage(distance, method=method)
        for threshold in THRESHOLDS:
            labels = fcluster(tree, t=1.0 - threshold, criterion="distance").tolist()
            scores = score(labels, gold)
            if best is None or scores.bcubed_f1 > best.scores.bcubed_f1:
                best = Result(name, labels, scores, f"{method} link, cosine >= {threshold:.2f}")
    assert best is not None
    return best


def tfidf_similarity(texts: Sequence[str]) -> np.ndarray:
    """Cosine similarity of sublinear TF-IDF vectors of lower-cased words."""
    vocabulary: dict[str, int] = {}
    rows, cols, counts = [], [], []
    for row, text in enumerate(texts):
        for word, count in Counter(words(text.lower())).items():
            rows.append(row)
            cols.append(vocabulary.setdefault(word, len(vocabulary)))
            counts.append(count)
    matrix = csr_matrix((1.0 + np.log(counts), (rows, cols)), shape=(len(texts), len(vocabulary)))
    document_frequency = np.bincount(cols, minlength=len(vocabulary))
    matrix = matrix.multiply(np.log((1 + len(texts)) / (1 + document_frequency)) + 1.0).tocsr()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1))).ravel()
    matrix = csr_matrix(matrix.multiply(1.0 / np.maximum(norms, 1e-12)[:, None]))
    return (matrix @ matrix.T).toarray()


def load_gold(path: Path, half: int | None = None, split_by: str = "topic") -> list[dict]:
    """Gold articles of ``path``; with ``half`` (0 or 1) only every other value of ``split_by``
    (in sorted order; the event where a row has no such field)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    missing = [i for i, row in enumerate(rows, 1) if not row.get("text") or "event" not in row]
    if missing:
        raise ValueError(f"lines without text or event: {missing[:5]}")
    if half is None:
        return rows
    group = lambda row: str(row.get(split_by, row["event"]))  # noqa: E731
    chosen = set(sorted({group(row) for row in rows})[half::2])
    return [row for row in rows if group(row) in chosen]


@dataclass
class PipelineRun:
    """What storyweave made of the gold articles, per gold row."""

    events: list[Hashable]
    stories: list[Hashable]
    vectors: np.ndarray  # of the whole documents (title and text), for the dense baseline
    seconds: float
    encoder_seconds: float
    missing: int


@contextmanager
def pipeline_on(rows: list[dict], encoder: str, cache_db: Path | None = None) -> Iterator[tuple[Pipeline, float]]:
    """The pipeline, after running on ``rows`` in a fresh temporary database (vectors shared
    with ``cache_db``), and the seconds the run took; an article's source ends in ``#`` and its row's number."""
    with tempfile.TemporaryDirectory(prefix="storyweave-eval-") as folder:
        gold_file = Path(folder) / "gold.jsonl"
        gold_file.write_text("".join(json.dumps(_input(row), ensure_ascii=False) + "\n" for row in rows),
                             encoding="utf-8")
        db = Path(folder) / "eval.db"
        with Pipeline(db, encoder=encoder) as pipeline:
            if cache_db is not None and cache_db.exists():
                pipeline.store.merge_vectors_from(cache_db)
            start = time.perf_counter()
            pipeline.run([gold_file])
            yield pipeline, time.perf_counter() - start
        if cache_db is not None:
            with Store(cache_db) as cache:
                cache.merge_vectors_from(db)


def run_pipeline(rows: list[dict], encoder: str, cache_db: Path | None = None) -> PipelineRun:
    """Run the pipeline on ``rows`` in a fresh temporary database (vectors shared with ``cache_db``)."""
    with pipeline_on(rows, encoder, cache_db) as (pipeline, seconds):
        encoder_seconds = pipeline.encoder_seconds
        articles = pipeline.store.articles()
        story_of = {e.id: e.story_id for e in pipeline.store.events()}
        # Cached in the run's database, so kept in ``cache_db`` with the pipeline's vectors.
        documents, _ = encode_groups(pipeline.encoder, [[_full_text(row)] for row in rows], pipeline.store)
    line_of = {int(a.source.rsplit("#", 1)[1]) - 1: a for a in articles}
    events: list[Hashable] = [f"unstored-{i}" for i in range(len(rows))]
    stories = list(events)
    for line, article in line_of.items():
        events[line], stories[line] = article.event_id, story_of[article.event_id]
    return PipelineRun(events, stories, np.vstack(documents), seconds, encoder_seconds, len(rows) - len(line_of))


def _input(row: dict) -> dict:
    """What the pipeline may see of a gold row: no labels."""
    return {key: row[key] for key in ("id", "title", "text", "lang", "published") if row.get(key)}


def evaluate(rows: list[dict], encoder: str,
             cache_db: Path | None = None) -> tuple[dict[str, list[Result]], PipelineRun]:
    """storyweave and both baselines on events, and storyweave's stories on gold stories/topics."""
    run = run_pipeline(rows, encoder, cache_db)
    gold = [row["event"] for row in rows]
    results = {"event": [
        Result("storyweave", run.events, score(run.events, gold), "one global configuration"),
        best_agglomerative(f"agglomerative {encoder}", run.vectors @ run.vectors.T, gold),
        best_agglomerative("agglomerative TF-IDF", tfidf_similarity([_full_text(r) for r in rows]), gold),
    ]}
    for level in ("story", "topic"):
        if all(level in row for row in rows):
            labels = [row[level] for row in rows]
            results[level] = [Result("storyweave stories", run.stories, score(run.stories, labels))]
    return results, run


def _full_text(row: dict) -> str:
    return f"{row.get('title') or ''}\n{row['text']}"


def headline(results: dict[str, list[Result]], run: PipelineRun, rows: int) -> dict:
    """The JSON summary line."""
    out: dict = {"articles": rows, "unstored": run.missing, "articles_per_s": round(rows / run.seconds, 2),
                 "encoder_share": round(run.encoder_seconds / run.seconds, 3)}
    for level, found in results.items():
        for result in found:
            out[f"{level}:{result.name}"] = {**result.scores.as_dict(), **({"setting": result.setting}
                                                                         if result.setting else {})}
    return out
