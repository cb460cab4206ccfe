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
    letters = [t.lower() for t in tokens(text) if not t.isdigit()]
    common = stopwords(lang)
    return sum(t in common for t in letters) / len(letters) if letters else 0.0


@lru_cache(maxsize=CACHE_LINES)
def sentences(text: str) -> tuple[str, ...]:
    """The sentences of ``text`` (:func:`storyweave.text.split_sentences`)."""
    return tuple(split_sentences(text))


@lru_cache(maxsize=CACHE_LINES)
def key(text: str) -> str:
    """Case-, spacing- and punctuation-insensitive key of a sentence or line (to find repeats in a page)."""
    return " ".join(words(text.casefold()))
