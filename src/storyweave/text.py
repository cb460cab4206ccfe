"""Text utilities shared by stages: sentence splitting, tokens, normalised keys."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii
from wordfreq import available_languages, zipf_frequency

# Languages written without spaces between words: word statistics do not apply.
UNSPACED = frozenset({"ja", "zh", "th", "ko", "lo", "km", "my"})

# Sentence-final punctuation of the world's scripts: Latin, CJK, Devanagari danda,
# Arabic/Urdu, Armenian, Ethiopic.
SENTENCE_END = ".!?…。！？।॥۔؟։።፧"

# A sentence ends at terminal punctuation (optionally followed by closing quotes/brackets) before
# whitespace and an opening quote, uppercase letter or digit; common abbreviations
# such as "Mr." or "U.S." do not end sentences.
_SENTENCE_BREAK = re.compile(
    rf"""(?<=[{SENTENCE_END}])['"”’»)\]]*\s+(?=['"“‘«(\[]?[^\W\d_a-z]|\d)"""
    r"|(?<=[。！？])[」』”）]*\s*(?=\S)",  # CJK: no space after the full stop
    re.UNICODE,
)
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Col|Lt|Sgt|St|Jr|Sr|Inc|Ltd|Co|Corp|No|Vol|vs|etc|Jan|Feb|Mar|Apr|"
    r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Gov|Sen|Rep|Mt|Ft|Dhr|Mevr|Hr|Fr|Mme|Mlle|Bp|Sdr|dkk|dll)"
    r"|\b[A-Z]|\b[A-Z]\.[A-Z])\.$"
)
_ABBREVIATION_CHARS = 6  # an abbreviation ("Sept.", "U.S.") and the character before it
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)


def split_sentences(text: str) -> list[str]:
    """Split a paragraph or document into sentences (script-agnostic, rule-based)."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n", text) if "\n" in text else (text,):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        start = 0
        for match in _SENTENCE_BREAK.finditer(paragraph):
            candidate = paragraph[start : match.start()].rstrip("'\"”’»)] ")
            if _ABBREVIATION.search(candidate, max(0, len(candidate) - _ABBREVIATION_CHARS)):
                continue
            sentences.append(paragraph[start : match.start()].strip())
            start = match.end()
        sentences.append(paragraph[start:].strip())
    return [s for s in sentences if s]


def words(text: str) -> list[str]:
    """Word tokens (letters and digits, with inner hyphens/apostrophes)."""
    return _WORD.findall(text)


def fold(text: str) -> str:
    """Lower-case, accent- and script-folded form used for matching across spellings."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", " ", anyascii(text).lower()).strip()


def content_hash(*parts: str) -> str:
    """Stable 16-hex-digit id of whitespace-normalised text."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(re.sub(r"\s+", " ", part).strip().encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:16]


def spaced(lang: str) -> bool:
    """Whether ``lang`` separates words with spaces (so word statistics apply)."""
    return lang not in UNSPACED


@lru_cache(maxsize=256)
def has_frequencies(lang: str) -> bool:
    """Whether wordfreq knows the words of ``lang`` (a spaced language it has a word list for)."""
    return spaced(lang) and lang in available_languages()


@lru_cache(maxsize=64)
def frequency_language(lang: str) -> str:
    """The wordfreq language for words of a page in ``lang`` (English when wordfreq lacks it)."""
    return lang if has_frequencies(lang) else "en"


@lru_cache(maxsize=65536)
def zipf(word: str, lang: str) -> float:
    """Zipf frequency of ``word`` in the page language or in English, whichever is higher."""
    base = frequency_language(lang)
    return max(zipf_frequency(word, base), zipf_frequency(word, "en") if base != "en" else 0.0)
