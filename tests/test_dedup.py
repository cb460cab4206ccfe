import numpy as np

from storyweave.dedup import NearDuplicateDetector, TranslationDetector, monotone_alignment, normalised_body_key


def _unit(m):
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_monotone_alignment_keeps_order():
    matches = np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0]], bool)
    assert len(monotone_alignment(matches)) == 2


def test_translation_needs_sentence_by_sentence_structure():
    rng = np.random.default_rng(0)
    source = _unit(rng.normal(size=(10, 64)))
    translated = _unit(source + 0.3 * rng.normal(size=source.shape))
    same_topic = _unit(source.mean(axis=0) + 0.9 * rng.normal(size=(10, 64)))
    shuffled = translated[::-1]
    detector = TranslationDetector()
    assert detector.is_translation(source, translated)[0]
    assert not detector.is_translation(source, same_topic)[0]
    assert not detector.is_translation(source, shuffled)[0]
    assert not detector.is_translation(source[:3], translated)[0]  # a short excerpt is not a translation


def test_exact_and_near_duplicates():
    text = " ".join(f"word{i}" for i in range(200))
    assert normalised_body_key(text.upper()) == normalised_body_key(text)
    near = NearDuplicateDetector()
    edited = text.replace("word100", "changed")
    other = " ".join(f"term{i}" for i in range(200))
    assert near.similarity(near.signature(text), near.signature(edited)) >= near.threshold
    assert near.similarity(near.signature(text), near.signature(other)) < 0.2
