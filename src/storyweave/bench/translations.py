"""Translation-detection benchmark: which texts of a multilingual collection translate one another.

The data is JSONL, one text a line: ``{"doc_id", "lang", "text"}``; texts sharing a
``doc_id`` are translations of each other, every other cross-language pair is not. Every
cross-language pair of the file is decided. Doc ids are split in two halves by a hash of the
id: thresholds of the baselines are fit on the first (``tune``) half, and each method is also
scored on the other (``held-out``) half, which nothing was fit on.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storyweave.bench.metrics import PrecisionRecall
from storyweave.dedup import TranslationMiner, unit_rows
from storyweave.embed import Encoder, encode_groups
from storyweave.store import Store
from storyweave.text import split_sentences

HALVES = ("tune", "held-out")


class BenchDataError(ValueError):
    """The data file is not a translation benchmark."""


@dataclass(frozen=True, slots=True)
class Text:
    doc_id: str
    lang: str
    text: str

    @property
    def half(self) -> str:
        """``tune`` or ``held-out``, by a hash of the doc id (all languages of a doc in one half)."""
        return HALVES[hashlib.sha1(self.doc_id.encode()).digest()[0] % 2]


def load_texts(path: Path) -> list[Text]:
    """The texts of a JSONL file of ``{"doc_id", "lang", "text"}`` lines."""
    texts = []
    try:
        with open(path, encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if line.strip():
                    row = json.loads(line)
                    texts.append(Text(str(row["doc_id"]), str(row["lang"]), str(row["text"])))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise BenchDataError(f"{path}: expected JSONL lines {{\"doc_id\", \"lang\", \"text\"}} ({exc})") from exc
    if len({t.lang for t in texts}) < 2:
        raise BenchDataError(f"{path}: needs texts in at least two languages")
    return texts


@dataclass(frozen=True, slots=True)
class Encoded:
    """Sentence vectors of every text under one encoder, and what encoding them cost."""

    encoder: str
    vectors: list[np.ndarray]
    seconds: float
    encoded: int  # texts encoded in this run (the rest came from the cache)


def sentences_of(text: Text) -> list[str]:
    return split_sentences(text.text) or [text.text]


def encode_texts(texts: Sequence[Text], encoder: Encoder, cache: Path | None = None) -> Encoded:
    """Each text's sentence vectors, read from and written to the ``cache`` database when given."""
    groups = [sentences_of(t) for t in texts]
    start = time.perf_counter()
    with Store(cache) if cache else nullcontext() as store:
        vectors, encoded = encode_groups(encoder, groups, store)
    return Encoded(encoder.name, vectors, time.perf_counter() - start, encoded)


@dataclass(frozen=True, slots=True)
class Decision:
    """One method's translation pairs (``i < j``) and its best match of each text in each other language."""

    pairs: set[tuple[int, int]]
    best: dict[tuple[int, str], int]
    seconds: float


@dataclass(frozen=True, slots=True)
class Score(PrecisionRecall):
    """Pair precision and recall, and P@1 of each text's best match in every other language."""

    p_at_1: float = 0.0


def gold_pairs(texts: Sequence[Text]) -> set[tuple[int, int]]:
    """Index pairs ``i < j`` of translations: same doc id, different language."""
    by_doc = defaultdict(list)
    for index, text in enumerate(texts):
        by_doc[text.doc_id].append(index)
    return {(i, j) for members in by_doc.values() for i in members for j in members
            if i < j and texts[i].lang != texts[j].lang}


def score(texts: Sequence[Text], decision: Decision, half: str | None = None) -> Score:
    """Pair precision and recall and P@1, over pairs within ``half`` (all pairs by default)."""
    keep = (lambda i: True) if half is None else (lambda i: texts[i].half == half)
    gold = {p for p in gold_pairs(texts) if keep(p[0])}
    found = {(i, j) for i, j in decision.pairs if keep(i) and keep(j)}
    hits = len(found & gold)
    present = {(t.doc_id, t.lang) for t in texts}
    ranked = [texts[i].doc_id == texts[j].doc_id for (i, lang), j in decision.best.items()
              if keep(i) and (texts[i].doc_id, lang) in present]
    return Score(hits / len(found) if found else 0.0, hits / len(gold) if gold else 0.0,
                 float(np.mean(ranked)) if ranked else 0.0)


def _documents(vectors: Sequence[np.ndarray]) -> np.ndarray:
    return unit_rows(np.vstack([v.mean(axis=0) for v in vectors]))


def _nearest_by_language(texts: Sequence[Text], cos: np.ndarray) -> dict[tuple[int, str], int]:
    """Each text's most similar text of every other language."""
    best = {}
    for lang in {t.lang for t in texts}:
        members = np.array([i for i, t in enumerate(texts) if t.lang == lang])
        nearest = members[np.argmax(cos[:, members], axis=1)]
        best.update({(i, lang): int(nearest[i]) for i, t in enumerate(texts) if t.lang != lang})
    return best


def _cross_language_pairs(texts: Sequence[Text], half: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    langs = np.array([t.lang for t in texts])
    i, j = np.triu_indices(len(texts), 1)
    keep = langs[i] != langs[j]
    if half is not None:
        halves = np.array([t.half for t in texts])
        keep &= (halves[i] == half) & (halves[j] == half)
    return i[keep], j[keep]


def best_f1_threshold(similarity: np.ndarray, is_gold: np.ndarray) -> float:
    """The similarity threshold with the highest pair F1."""
    order = np.argsort(-similarity, kind="stable")
    hits = np.cumsum(is_gold[order])
    found = np.arange(1, len(order) + 1)
    f1 = 2 * hits / (found + is_gold.sum())
    return float(similarity[order[int(np.argmax(f1))]])


def cosine_threshold(texts: Sequence[Text], vectors: Sequence[np.ndarray]) -> Decision:
    """Baseline: a pair is a translation when its document cosine reaches the best-F1 threshold of the tune half."""
    start = time.perf_counter()
    docs = _documents(vectors)
    cos = docs @ docs.T
    tune_i, tune_j = _cross_language_pairs(texts, HALVES[0])
    doc_ids = np.array([t.doc_id for t in texts])
    threshold = best_f1_threshold(cos[tune_i, tune_j], doc_ids[tune_i] == doc_ids[tune_j])
    i, j = _cross_language_pairs(texts)
    chosen = cos[i, j] >= threshold
    pairs = set(zip(i[chosen].tolist(), j[chosen].tolist()))
    return Decision(pairs, _nearest_by_language(texts, cos), time.perf_counter() - start)


def mutual_nearest(texts: Sequence[Text], vectors: Sequence[np.ndarray]) -> Decision:
    """Baseline: a pair is a translation when each text is the other's nearest document in its language."""
    start = time.perf_counter()
    docs = _documents(vectors)
    cos = docs @ docs.T
    best = _nearest_by_language(texts, cos)
    pairs = {(min(i, j), max(i, j)) for (i, lang), j in best.items() if best[j, texts[i].lang] == i}
    return Decision(pairs, best, time.perf_counter() - start)


def storyweave(texts: Sequence[Text], vectors: Sequence[np.ndarray]) -> Decision:
    """storyweave's :class:`TranslationMiner`: nearest candidates, then sentence alignment by margin."""
    start = time.perf_counter()
    miner = TranslationMiner()
    langs = [t.lang for t in texts]
    nearest = miner.nearest(langs, vectors)
    aligned = miner.alignments(langs, vectors, nearest)
    pairs = {(p.a, p.b) for p in miner.select(langs, nearest, aligned)}
    best = {key: miner.best_match(key[0], key[1], nearest, aligned) for key in nearest}
    return Decision(pairs, best, time.perf_counter() - start)


STORYWEAVE = "storyweave (sentence alignment)"
Method = Callable[[Sequence[Text], Sequence[np.ndarray]], Decision]
METHODS: dict[str, Method] = {
    "document cosine >= best tune-half threshold": cosine_threshold,
    "mutual nearest document": mutual_nearest,
    STORYWEAVE: storyweave,
}


@dataclass(frozen=True, slots=True)
class MethodResult:
    method: str
    encoder: str
    scores: dict[str, Score]  # "all", "tune", "held-out"
    texts_per_s: float


def run_method(name: str, texts: Sequence[Text], encoded: Encoded) -> MethodResult:
    """Decide every pair with method ``name``; the speed counts deciding only (vectors given)."""
    decision = METHODS[name](texts, encoded.vectors)
    scores = {"all": score(texts, decision), **{half: score(texts, decision, half) for half in HALVES}}
    return MethodResult(name, encoded.encoder, scores, len(texts) / max(decision.seconds, 1e-9))


def headline(result: MethodResult, encoded: Encoded) -> dict:
    """storyweave's figures for the JSON line: pair precision and recall, P@1, speed."""
    overall = result.scores["all"]
    held_out = result.scores[HALVES[1]]
    encode_rate = encoded.encoded / encoded.seconds if encoded.encoded else None
    return {"precision": round(overall.precision, 4), "recall": round(overall.recall, 4),
            "p_at_1": round(overall.p_at_1, 4), "texts_per_s": round(result.texts_per_s, 1),
            "held_out": {"precision": round(held_out.precision, 4), "recall": round(held_out.recall, 4),
                         "p_at_1": round(held_out.p_at_1, 4)},
            "encoder": encoded.encoder, "encoded_texts_per_s": encode_rate and round(encode_rate, 1),
            "texts_from_cache": len(encoded.vectors) - encoded.encoded}
