"""Language identification of articles and segments (py3langid)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol

UNDETERMINED = "und"
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


class LanguageIdentifier(Protocol):
    """Anything that maps a text to (ISO 639 code, confidence in [0, 1])."""

    def detect(self, text: str) -> tuple[str, float]: ...


class Py3LangId:
    """py3langid with normalised probabilities; short or unsure text gets ``und``."""

    name = "py3langid"

    def __init__(self, min_letters: int = 20, min_confidence: float = 0.5):
        self.min_letters = min_letters
        self.min_confidence = min_confidence

    @staticmethod
    @lru_cache(maxsize=1)
    def _model():
        import py3langid.langid as langid

        return langid.LanguageIdentifier.from_modelpath(
            langid.MODEL_DIR / langid.MODEL_FILE, norm_probs=True
        )

    def detect(self, text: str) -> tuple[str, float]:
        if len(_LETTERS.findall(text)) < self.min_letters:
            return UNDETERMINED, 0.0
        lang, prob = self._model().classify(text)
        if prob < self.min_confidence:
            return UNDETERMINED, float(prob)
        return lang, float(prob)


_DEFAULT = Py3LangId()


def detect_language(text: str) -> tuple[str, float]:
    """Detect the language of ``text`` with the default identifier."""
    return _DEFAULT.detect(text)


def normalise_language(code: str) -> str | None:
    """'EN-us', 'en_GB', 'eng' -> 'en'; None for something that is not a known language code."""
    from babel import Locale, UnknownLocaleError

    primary = re.split(r"[-_]", code.strip())[0].lower()
    if not (2 <= len(primary) <= 3 and primary.isalpha()):
        return None
    try:
        return Locale.parse(primary).language
    except (ValueError, UnknownLocaleError):
        return None
