"""Repair of words that scrapers glued together, checked against word frequencies.

Three kinds of glue: a sentence end without its space ("NAVO.Concreet"), two
words without the space between them ("relationshipsBetween") and a section
label stuck to the text it labels ("TURKEYRussian President ..."). A split is
made only where both parts are real words (wordfreq, in the page language with
English as fallback) and the glued form is not, so "iPhone", "YouTube" and
"McDonald" stay whole.
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import regex
from wordfreq import top_n_list

from storyweave.text import frequency_language, zipf

PART_ZIPF = 2.5  # each part of a split must be at least this frequent
GLUED_ZIPF = 1.0  # a glued form this frequent is a word of its own ("bittorrent")
STOPWORDS = 100  # the most frequent words of a language count as function words

_TOKEN = re.compile(r"[^\W\d_]+")
_ADDRESS = re.compile(r"://|www\.|@|#|/|\\|_")
# A word of 2+ letters or digits ending a sentence, glued to the next word.
_GLUED_SENTENCE = re.compile(r"(?<![\w.])([^\W_]{2,}[.!?…]['\"”’»)]?)(?=[^\W\d_][^\W\d_])")
# Text with neither a lower-case letter before a capital nor a sentence end glued to a word has no glue.
_MAYBE_GLUED = regex.compile(r"\p{Ll}\p{Lu}|[^\W_][.!?…]['\"”’»)]?[^\W\d_]{2}")


def _category_class(category: str) -> str:
    """A regex character class of the Basic Multilingual Plane characters of a Unicode category."""
    chars = [chr(c) for c in range(0x10000) if unicodedata.category(chr(c)) == category]
    return "[" + "".join(re.escape(c) for c in chars) + "]"


# The same test with the (much faster) ``re`` engine, for text in the Basic Multilingual Plane,
# in parts: a camel hump; or a sentence end before two letters (quick), then with a word before it.
_CAMEL_BMP = re.compile(_category_class("Ll") + _category_class("Lu"))
_SENTENCE_GLUE_HINT = re.compile(r"[.!?…]['\"”’»)]?[^\W\d_]{2}")
_SENTENCE_GLUE = re.compile(r"[^\W_][.!?…]['\"”’»)]?[^\W\d_]{2}")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _maybe_glued(text: str) -> bool:
    """Whether ``text`` may hold glued words: a lower-case letter before a capital, or a glued sentence end."""
    if not text.isascii() and _ASTRAL.search(text):
        return _MAYBE_GLUED.search(text) is not None
    return bool(_CAMEL_BMP.search(text) or _SENTENCE_GLUE_HINT.search(text) and _SENTENCE_GLUE.search(text))


@lru_cache(maxsize=64)
def stopwords(lang: str) -> frozenset[str]:
    """The most frequent words of ``lang``: articles, pronouns, prepositions, auxiliaries.

    Read from wordfreq at run time (its word lists are CC-BY-SA, so none are copied into this package).
    """
    return frozenset(top_n_list(frequency_language(lang), STOPWORDS))


@lru_cache(maxsize=1)
def load_frequencies() -> None:
    """Load the English word frequencies (every language falls back on them) once, when cleaning starts,
    rather than at the first glued word."""
    zipf("the", "en")


def load_lexicons(langs: Iterable[str]) -> None:
    """Load the function words and word frequencies of ``langs`` and English now (a one-time cost per
    language, otherwise paid by the first page in it).

    What is loaded by the first call (modules, models, word lists) lives as long as the process, so
    it is moved out of the garbage collector's full scans (:func:`gc.freeze`, once): rescanning it
    cost about a quarter of plain-text cleaning time on the benchmark.
    """
    load_frequencies()
    for lang in set(langs):
        stopwords(lang)
        zipf("the", lang)
    _freeze_loaded()


@lru_cache(maxsize=1)
def _freeze_loaded() -> None:
    """Once per process: collect what is garbage now, then keep the rest out of full collections."""
    gc.collect()
    gc.freeze()


def _splits(left: str, right: str, lang: str) -> bool:
    """Whether ``left + right`` is two real words glued, not one word."""
    return (  # the glued form first: most camel-cased words (brands) are words of their own
        len(left) >= 2
        and zipf(left + right, lang) < GLUED_ZIPF
        and zipf(left, lang) >= PART_ZIPF
        and zipf(right, lang) >= PART_ZIPF
    )


def glue_point(token: str, lang: str) -> int | None:
    """Where to split a camel-cased ``token`` made of two glued words, or None to keep it.

    "relationshipsBetween" -> 13. A capitalised first part ("TurkeyThe") is split
    only before a function word, as brand names ("DeepMind") are capitalised too.
    """
    humps = [i for i in range(1, len(token)) if token[i - 1].islower() and token[i].isupper()]
    if len(humps) != 1:
        return None
    left, right = token[: humps[0]], token[humps[0] :]
    if len(right) < 2 or not right[1:].islower():
        return None
    if not left.islower() and not (left[1:].islower() and right.lower() in stopwords(lang)):
        return None
    return humps[0] if _splits(left, right, lang) else None


def _sentence_glue(m: re.Match[str]) -> str:
    """The matched sentence end, with a space if a sentence follows ("NAVO.Concreet", not "U.S.A")."""
    following = m.string[m.end() :]
    return m.group(1) + " " if following[0].isupper() and following[1].islower() else m.group(1)


def _split_glued(m: re.Match[str], lang: str) -> str:
    """The matched token with a space at its glue point, if it has one."""
    token = m.group(0)
    cut = glue_point(token, lang)
    return token if cut is None else f"{token[:cut]} {token[cut:]}"


def _repair_chunk(chunk: str, lang: str) -> str:
    """Insert missing spaces inside one whitespace-free chunk (web and mail addresses stay)."""
    if _ADDRESS.search(chunk):
        return chunk
    chunk = _GLUED_SENTENCE.sub(_sentence_glue, chunk)
    return _TOKEN.sub(lambda m: _split_glued(m, lang), chunk)


def repair_glued_words(text: str, lang: str) -> str:
    """Insert the missing spaces after sentence ends and between glued words of ``text``."""
    if not _maybe_glued(text):
        return text
    return " ".join(_repair_chunk(chunk, lang) if _maybe_glued(chunk) else chunk for chunk in text.split(" "))


def split_label(text: str, lang: str) -> tuple[str, str] | None:
    """Split an upper-case section label glued to the start of ``text``.

    "TURKEYRussian President ..." -> ("TURKEY", "Russian President ..."), and
    "MIDDLE EASTIsrael ..." -> ("MIDDLE EAST", "Israel ..."); None otherwise.
    """
    if any(map(str.islower, text[:3])):  # a label of two or more capitals and the first capital of the text
        return None
    words = text.split(" ", 4)  # only the first four words can hold the label
    for i, word in enumerate(words[:4]):
        if word.isupper():
            continue
        m = _TOKEN.match(word)
        token = m.group(0) if m else ""
        cut = next((j for j, c in enumerate(token) if c.islower()), 0) - 1
        label, first = token[:cut], token[cut:]
        if cut < 2 or not label.isupper() or not _splits(label, first, lang):
            return None
        head = " ".join([*words[:i], label])
        return head, text[len(head) :]
    return None
