"""A small line model that corrects the layout rules of plain-text cleaning.

The rules of :mod:`.plaintext` find the main text of a page dump (clusters of
running text) and judge every other line by its shape. They miss lists that are
part of the article (steps, product specs, tables introduced by "...:") and
keep teasers of other stories that read like prose. For each line the rules
judged (not the boilerplate phrases, titles or captions), :func:`features`
describes the line and its surroundings: the rules' verdict, position relative
to the main text, running-text and list shape, function-word density in the
page language, neighbouring lines, repetition in the page. A logistic
regression over them (weights in ``line_model.json``, rebuilt by
``scripts/train_cleaner.py --data DIR``) says whether the line is article text.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from storyweave.text import has_frequencies, spaced

from .lines import stopword_share, tokens
from .patterns import terminal

if TYPE_CHECKING:
    from .plaintext import Segment

WEIGHTS = Path(__file__).with_name("line_model.json")
_DIGIT = re.compile(r"\d")
_SEPARATOR = re.compile("[|»>/•]")
_FIRST = itemgetter(0)
# Reasons of the layout rules (which the model may overrule); other reasons are boilerplate found by phrase.
_JUDGED = (None, "fragment", "off-main", "link-list")
NEIGHBOURS = 3  # lines on each side whose running-text share is a feature

FEATURES = (
    "bias", "in_main", "rules_keep", "rules_list", "rules_fragment", "body", "sentence", "bullet", "heading",
    "chars", "words", "stopwords", "no_frequencies", "unspaced", "run", "before_main", "after_main",
    "body_before", "near_body", "lead_in_before", "lead_in", "digits", "capitalised", "repeated",
    "prev_boilerplate", "next_boilerplate", "ends_sentence", "separators", "position", "main_not_body",
    "main_bullet", "main_run", "off_main_body", "body_share_main", "item", "main_item",
)


def _ratio(counts: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """``counts / totals``, 0 where the total is 0 (the count is 0 there too)."""
    return counts / np.maximum(totals, 1)


def _line_facts(s: Segment, kept: bool, repeated: bool, lang: str, frequent: bool) -> tuple[float, ...]:
    """What the rules made of a line, and its length, words, number tokens, capitalised words,
    function-word share, digits, sentence end and separators."""
    words = tokens(s.text)
    return (kept, s.reason == "link-list", s.reason == "fragment", s.sentence, s.bullet, s.kind == "heading",
            s.item, repeated, len(s.text), len(words), sum(map(str.isdigit, words)),
            sum(map(str.isupper, map(_FIRST, words))), stopword_share(s.text, lang) if frequent else 0.0,
            len(_DIGIT.findall(s.text)), terminal(s.text), _SEPARATOR.search(s.text) is not None)


def features(segments: list[Segment], candidates: list[int], start: int, end: int, kept: list[bool],
             runs: list[int], lang: str) -> np.ndarray:
    """Feature matrix (a row per line of ``candidates``, columns in :data:`FEATURES` order) of a page.

    ``start``/``end`` bound the main text the rules found; ``kept`` says which lines the rules kept;
    ``runs`` is the length of the run of short lines each line is in. Computed a column at a time.
    """
    n, count = len(segments), len(candidates)
    if not count:
        return np.zeros((0, len(FEATURES)))
    index = np.array(candidates, dtype=np.intp)
    body, removed, colon, body_chars = np.array(
        [(s.body, s.reason not in _JUDGED, s.text.endswith(":"), len(s.text) if s.body and s.reason in _JUDGED else 0)
         for s in segments], dtype=float).T
    removed, colon = np.append(removed, 0.0), np.append(colon, 0.0)
    folded = [s.text.casefold() for s in segments]
    repeats = Counter(folded)
    frequent = has_frequencies(lang)
    (rules_keep, rules_list, rules_fragment, sentence, bullet, heading, item, repeated, chars, words, numbers,
     capitals, stopwords, digits, ends, separators) = np.array(
        [_line_facts(segments[i], kept[i], repeats[folded[i]] > 1, lang, frequent) for i in candidates],
        dtype=float).T
    total_body = body_chars.sum() or 1.0
    before = np.concatenate(([0.0], np.cumsum(body_chars)))
    bodies = np.concatenate(([0.0], np.cumsum(body)))
    lo, hi = np.maximum(0, index - NEIGHBOURS), np.minimum(n, index + NEIGHBOURS + 1)
    in_main = ((index >= start) & (index < end)).astype(float)
    is_body = body[index]
    run = np.log1p(np.array(runs, dtype=float)[index]) / 2
    columns = {
        "bias": np.ones(count),
        "in_main": in_main,
        "rules_keep": rules_keep,
        "rules_list": rules_list,
        "rules_fragment": rules_fragment,
        "body": is_body,
        "sentence": sentence,
        "bullet": bullet,
        "heading": heading,
        "chars": np.log1p(chars) / 5,
        "words": np.log1p(words) / 3,
        "stopwords": stopwords,
        "no_frequencies": np.full(count, float(not frequent)),
        "unspaced": np.full(count, float(not spaced(lang))),
        "run": run,
        "before_main": np.log1p(np.maximum(0, start - index)) / 3,
        "after_main": np.log1p(np.maximum(0, index - end + 1)) / 3,
        "body_before": before[index] / total_body,
        "near_body": _ratio(bodies[hi] - bodies[lo] - is_body, hi - lo - 1),
        "lead_in_before": colon[index - 1] * (index > 0),
        "lead_in": colon[index],
        "digits": _ratio(digits, chars),
        "capitalised": _ratio(capitals, words - numbers),
        "repeated": repeated,
        "prev_boilerplate": removed[index - 1] * (index > 0),
        "next_boilerplate": removed[index + 1],
        "ends_sentence": ends,
        "separators": separators,
        "position": index / n,
        "main_not_body": in_main * (1 - is_body),
        "main_bullet": in_main * bullet,
        "main_run": in_main * run,
        "off_main_body": (1 - in_main) * is_body,
        "body_share_main": np.full(count, body_chars[start:end].sum() / total_body),
        "item": item,
        "main_item": in_main * item,
    }
    return np.column_stack([columns[name] for name in FEATURES])


class Hooks:
    """For training (scripts/train_cleaner.py): weights to use instead of the file, and a list collecting
    (segments, candidate lines, feature rows) of every page cleaned."""

    weights: tuple[tuple[float, ...], float] | None = None
    collect: list | None = None


@lru_cache(maxsize=1)
def load_weights(path: Path = WEIGHTS) -> tuple[tuple[float, ...], float] | None:
    """The trained weights and decision threshold, or None when there is no weights file."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{path} was trained on other features; rebuild it with scripts/train_cleaner.py")
    return tuple(data["weights"]), float(data["threshold"])


def probabilities(rows: np.ndarray, weights: tuple[float, ...]) -> np.ndarray:
    """The model's probability that each line (a row of features) is article text."""
    return 1 / (1 + np.exp(-np.clip(rows @ np.array(weights), -30.0, 30.0)))


def judge_lines(segments: list[Segment], candidates: list[int], start: int, end: int, runs: list[int],
                lang: str) -> None:
    """Let the model keep or drop the ``candidates`` lines the layout rules judged (reasons ``off-main``,
    ``fragment`` for dropped lines; a line the rules dropped keeps their reason). Subheads the rules
    found between paragraphs of the main text, and the rows of a list or table a sentence of it
    introduces, stay."""
    kept = [s.reason is None for s in segments]
    rows = features(segments, candidates, start, end, kept, runs, lang)
    if Hooks.collect is not None:
        Hooks.collect.append((segments, candidates, rows))
    model = Hooks.weights or load_weights()
    if model is None:
        return
    weights, threshold = model
    for i, p in zip(candidates, probabilities(rows, weights).tolist(), strict=True):
        s = segments[i]
        if p >= threshold:
            s.reason = None
        elif s.reason is None and s.kind != "heading" and not s.item:  # subheads and lists of the text stay
            s.reason = "fragment" if start <= i < end else "off-main"
