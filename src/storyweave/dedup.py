"""Copies and translations: exact duplicates, near-duplicate reprints, cross-lingual translations.

Translations are found by aligning two articles sentence by sentence in the
multilingual space: each sentence pair is scored by its *margin* (cosine divided
by the mean cosine of both sentences' nearest neighbours, as in LASER bitext
mining), and a monotone alignment must cover most sentences of both texts.
Sharing a topic is not enough; sharing the structure is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .models import Article
from .text import fold, words


@dataclass(frozen=True, slots=True)
class Relation:
    """``article_id`` is a copy (``duplicate``) or a ``translation`` of ``original_id``."""

    kind: str
    article_id: str
    original_id: str
    score: float
    evidence: str


def normalised_body_key(body: str) -> str:
    """Key under which exact duplicates (same words, any spacing or case) collide."""
    return " ".join(words(fold(body)))


def margin_matrix(a: np.ndarray, b: np.ndarray, k: int = 4) -> np.ndarray:
    """Ratio-margin scores of every sentence pair of two texts."""
    cos = a @ b.T
    ka, kb = min(k, cos.shape[1]), min(k, cos.shape[0])
    near_a = np.sort(cos, axis=1)[:, -ka:].mean(axis=1)
    near_b = np.sort(cos, axis=0)[-kb:, :].mean(axis=0)
    return cos / np.maximum((near_a[:, None] + near_b[None, :]) / 2, 1e-6)


def monotone_alignment(matches: np.ndarray) -> list[tuple[int, int]]:
    """Largest set of order-preserving one-to-one matches in a boolean matrix."""
    n, m = matches.shape
    table = np.zeros((n + 1, m + 1), np.int32)
    for i in range(n):
        for j in range(m):
            table[i + 1, j + 1] = max(table[i, j + 1], table[i + 1, j], table[i, j] + int(matches[i, j]))
    pairs, i, j = [], n, m
    while i and j:
        if matches[i - 1, j - 1] and table[i, j] == table[i - 1, j - 1] + 1:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif table[i - 1, j] >= table[i, j - 1]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


@dataclass(frozen=True, slots=True)
class TranslationDetector:
    """Decides whether two texts in different languages are translations of each other."""

    margin: float = 1.03
    min_coverage: float = 0.6

    def coverage(self, a: np.ndarray, b: np.ndarray) -> tuple[float, list[tuple[int, int]]]:
        """Aligned sentence pairs over the longer side's sentence count (0..1), and the pairs.

        Dividing by the longer side also rules out texts of very different lengths.
        """
        if len(a) == 0 or len(b) == 0:
            return 0.0, []
        pairs = monotone_alignment(margin_matrix(a, b) >= self.margin)
        return len(pairs) / max(len(a), len(b)) if pairs else 0.0, pairs

    def is_translation(self, a: np.ndarray, b: np.ndarray) -> tuple[bool, float]:
        """Whether two texts' sentence vectors align as a translation, and the coverage."""
        score, _ = self.coverage(a, b)
        return score >= self.min_coverage, score


class NearDuplicateDetector:
    """MinHash (rensa) Jaccard estimate of word 5-shingles, for reprints within a language."""

    def __init__(self, threshold: float = 0.8, num_perm: int = 128, shingle: int = 5):
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle = shingle

    def signature(self, text: str):
        from rensa import RMinHash

        tokens = words(fold(text))
        grams = [" ".join(tokens[i : i + self.shingle]) for i in range(max(1, len(tokens) - self.shingle + 1))]
        sig = RMinHash(num_perm=self.num_perm, seed=42)
        sig.update(grams)
        return sig

    def similarity(self, sig_a, sig_b) -> float:
        return float(sig_a.jaccard(sig_b))


class RelationFinder:
    """Whether a new article copies or translates one of the articles before it."""

    def __init__(self, candidates: int = 10):
        self.candidates = candidates
        self.near_duplicates = NearDuplicateDetector()
        self.translations = TranslationDetector()

    def find(self, article: Article, earlier: list[Article], similarity: np.ndarray,
             vectors: dict[str, np.ndarray], copy_of: str | None = None) -> Relation | None:
        """The relation of ``article`` to its closest earlier articles (``similarity``: document cosines).

        ``copy_of`` is an earlier article with exactly the same text, when the caller knows one.
        """
        if copy_of:
            return Relation("duplicate", article.id, copy_of, 1.0, "identical text")
        signature = None
        for index in np.argsort(-similarity, kind="stable")[: self.candidates]:
            other = earlier[index]
            if other.lang == article.lang:
                signature = signature or self.near_duplicates.signature(article.body)
                jaccard = self.near_duplicates.similarity(signature, self.near_duplicates.signature(other.body))
                if jaccard >= self.near_duplicates.threshold:
                    return Relation("duplicate", article.id, other.id, jaccard, "near-duplicate (MinHash)")
            elif "und" not in (other.lang, article.lang):
                found, coverage = self.translations.is_translation(vectors[article.id][1:], vectors[other.id][1:])
                if found:
                    return Relation("translation", article.id, other.id, coverage,
                                    f"{coverage:.0%} of sentences align in order ({other.lang}->{article.lang})")
        return None
