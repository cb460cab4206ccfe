"""Text utilities shared by stages: sentence splitting, tokens, normalised keys."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import regex
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
# Brahmic abugidas whose consonants anyascii writes without their inherent vowel (जर्मनी: jrmni), and
# those among them whose words drop it at their end (Hindi जापान: japan; Sinhala ජපානය: japanaya).
_ABUGIDAS = ("DEVANAGARI", "GURMUKHI", "GUJARATI", "ORIYA", "TAMIL", "TELUGU", "KANNADA", "MALAYALAM", "SINHALA",
             "MYANMAR")
_FINAL_VOWEL_DROPPED = ("DEVANAGARI", "GURMUKHI", "GUJARATI")
# Thai and Lao vowels written before the consonant they follow in speech (ไซปัน: saipan, not aispan)
_PREPOSED_VOWEL = re.compile("([\u0e40-\u0e44\u0ec0-\u0ec4])([\u0e01-\u0e2e\u0e81-\u0eae\u0edc-\u0edf])")
_SPACES = re.compile(r"\s+")
# The characters romanise reads otherwise than anyascii alone (the abugidas, the preposed vowels)
_BEYOND_ANYASCII = re.compile("[\u0900-\u0dff\u0e40-\u0e44\u0ec0-\u0ec4\u1000-\u109f]")


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
    if not text.isascii():
        text = romanise(unicodedata.normalize("NFKC", text))
    return _SPACES.sub(" ", text.lower()).strip()


def romanise(text: str) -> str:
    """``anyascii``'s romanisation, with the inherent vowel of the Brahmic abugidas it leaves out
    (जर्मनी: jarmani, not jrmni; ဂျပန်: gyapan, not gypn): after a consonant that no vowel sign or
    virama follows, except at a word's end in the scripts that drop it there; and Thai and Lao
    vowels written before their consonant put after it (มอสโก: mosko, not mosok)."""
    if text.isascii() or not _BEYOND_ANYASCII.search(text):
        return anyascii(text)
    text = _INHERENT_VOWEL.sub(r"\1a", _INHERENT_VOWEL_BEFORE_LETTER.sub(r"\1a", text))
    return anyascii(_PREPOSED_VOWEL.sub(r"\2\1", text))


def _abugida_role(char: str) -> tuple[str, str]:
    """(role, script) of a character of an abugida: a consonant, a vowel sign or virama (the
    consonant before has its own vowel or none), a medial or nukta (part of the consonant), a
    nasal sign (after the vowel); ("", script) for anything else."""
    name = unicodedata.name(char, "")
    script = name.split(" ", 1)[0]
    if script not in _ABUGIDAS:
        return "", script
    if " LETTER " in name and "CHILLU" not in name and not re.search("[aeiou]", anyascii(char).lower()):
        return "consonant", script
    if "VOWEL SIGN" in name or name.endswith(("VIRAMA", "ASAT", "AL-LAKUNA")):
        return "vowel", script
    if "NUKTA" in name or "MEDIAL" in name:
        return "medial", script
    if name.endswith(("ANUSVARA", "CANDRABINDU", "VISARGA")):
        return "nasal", script
    return "", script


def _inherent_vowel_patterns() -> tuple[regex.Pattern, regex.Pattern]:
    """Where :func:`romanise` writes an inherent vowel: after a consonant (and its medials) that no vowel sign,
    virama or medial follows; in the scripts that drop it at a word's end, only before a letter or a nasal sign."""
    roles: dict[tuple[str, bool], list[str]] = {}
    for code in (*range(0x900, 0xE00), *range(0x1000, 0x10A0)):
        role, script = _abugida_role(chr(code))
        roles.setdefault((role, script in _FINAL_VOWEL_DROPPED), []).append(re.escape(chr(code)))
    chars = {key: "".join(found) for key, found in roles.items()}
    medials = chars[("medial", False)] + chars[("medial", True)]
    vowels = chars[("vowel", False)] + chars[("vowel", True)]
    nasals = chars[("nasal", False)] + chars[("nasal", True)]
    return (regex.compile(f"([{chars[('consonant', False)]}][{medials}]*)(?![{vowels}{medials}])"),
            regex.compile(f"([{chars[('consonant', True)]}][{medials}]*)(?=[{nasals}]|\\p{{L}})"))


_INHERENT_VOWEL, _INHERENT_VOWEL_BEFORE_LETTER = _inherent_vowel_patterns()


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
