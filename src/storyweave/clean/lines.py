"""Per-line facts shared by the rules, the running-text test and the line model, computed once.

Cleaning asks the same questions of a line several times (its words, its share
of function words, its sentences, its repeat key); these memoised helpers
answer each once per distinct text. Boilerplate lines recur across the pages
of a site, so the caches also pay off between pages.
"""

from __future__ import annotations

from functools import lru_cache

from storyweave.text import split_sentences, words

from .words import stopwords

CACHE_LINES = 8192


@lru_cache(maxsize=CACHE_LINES)
def tokens(text: str) -> tuple[str, ...]:
    """The word tokens of ``text`` (:func:`storyweave.text.words`)."""
    return tuple(words(text))


@lru_cache(maxsize=CACHE_LINES)
def stopword_share(text: str, lang: str) -> float:
    """Share of the words of ``text`` that are among the most frequent words of ``lang``.

    Running text has many function words; menus, name lists and headlines few.
    """
    line_words = tokens(text)
    letters = len(line_words) - sum(map(str.isdigit, line_words))
    common = _word_stopwords(lang)
    return sum(map(common.__contains__, map(str.lower, line_words))) / letters if letters else 0.0


@lru_cache(maxsize=64)
def _word_stopwords(lang: str) -> frozenset[str]:
    """The function words of ``lang`` that are not numbers (number tokens never count as function words)."""
    return frozenset(w for w in stopwords(lang) if not w.isdigit())


@lru_cache(maxsize=CACHE_LINES)
def sentences(text: str) -> tuple[str, ...]:
    """The sentences of ``text`` (:func:`storyweave.text.split_sentences`)."""
    return tuple(split_sentences(text))


@lru_cache(maxsize=CACHE_LINES)
def key(text: str) -> str:
    """Case-, spacing- and punctuation-insensitive key of a sentence or line (to find repeats in a page)."""
    return " ".join(map(str.casefold, tokens(text)))
