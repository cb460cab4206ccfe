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
import math
import re
from functools import lru_cache
from operator import mul
from pathlib import Path
from typing import TYPE_CHECKING

from storyweave.text import has_frequencies, spaced

from .lines import stopword_share, tokens
from .patterns import TERMINAL

if TYPE_CHECKING:
    from .plaintext import Segment

WEIGHTS = Path(__file__).with_name("line_model.json")
_DIGIT = re.compile(r"\d")
# The first character of each word token of storyweave.text.words (a letter or digit not continuing a word,
# nor after a hyphen or apostrophe inside one).
_WORD_START = re.compile(r"(?<![^\W_])(?<![^\W_][-'’])[^\W_]")
NEIGHBOURS = 3  # lines on each side whose running-text share is a feature

FEATURES = (
    "bias", "in_main", "rules_keep", "rules_list", "rules_fragment", "body", "sentence", "bullet", "heading",
    "chars", "words", "stopwords", "no_frequencies", "unspaced", "run", "before_main", "after_main",
    "body_before", "near_body", "lead_in_before", "lead_in", "digits", "capitalised", "repeated",
    "prev_boilerplate", "next_boilerplate", "ends_sentence", "separators", "position", "main_not_body",
    "main_bullet", "main_run", "off_main_body", "body_share_main", "item", "main_item",
)


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def features(segments: list[Segment], candidates: list[int], start: int, end: int, kept: list[bool],
             runs: list[int], lang: str) -> list[list[float]]:
    """Feature vectors (in :data:`FEATURES` order) of the ``candidates`` lines of a page.

    ``start``/``end`` bound the main text the rules found; ``kept`` says which lines the rules kept;
    ``runs`` is the length of the run of short lines each line is in.
    """
    n = len(segments)
    body_chars = [len(s.text) if s.body and s.reason in (None, "fragment", "off-main", "link-list") else 0
                  for s in segments]
    total_body = sum(body_chars) or 1
    main_body = sum(body_chars[start:end])
    before = [0] * (n + 1)
    for i, c in enumerate(body_chars):
        before[i + 1] = before[i] + c
    folded = [s.text.casefold() for s in segments]
    keys: dict[str, int] = {}
    for k in folded:
        keys[k] = keys.get(k, 0) + 1
    frequent = has_frequencies(lang)
    unspaced = float(not spaced(lang))
    share_main = main_body / total_body
    rule_removed = [s.reason is not None and s.reason not in ("fragment", "off-main", "link-list") for s in segments]
    bodies = [0] * (n + 1)  # running-text lines before each line
    for i, s in enumerate(segments):
        bodies[i + 1] = bodies[i] + s.body
    out = []
    for i in candidates:
        s = segments[i]
        text = s.text
        line_tokens = tokens(text)
        letters = len(line_tokens) - sum(map(str.isdigit, line_tokens))
        in_main = start <= i < end
        lo, hi = max(0, i - NEIGHBOURS), min(n, i + NEIGHBOURS + 1)
        near = bodies[hi] - bodies[lo] - s.body
        chars = len(text)
        reason = s.reason
        run = math.log1p(runs[i]) / 2
        out.append([
            1.0,
            float(in_main),
            float(kept[i]),
            float(reason == "link-list"),
            float(reason == "fragment"),
            float(s.body),
            float(s.sentence),
            float(s.bullet),
            float(s.kind == "heading"),
            math.log1p(chars) / 5,
            math.log1p(len(line_tokens)) / 3,
            stopword_share(text, lang) if frequent else 0.0,
            float(not frequent),
            unspaced,
            run,
            math.log1p(max(0, start - i)) / 3,
            math.log1p(max(0, i - end + 1)) / 3,
            before[i] / total_body,
            _share(near, hi - lo - 1),
            float(i > 0 and segments[i - 1].text.endswith(":")),
            float(text.endswith(":")),
            _share(len(_DIGIT.findall(text)), chars),
            _share(sum(map(str.isupper, _WORD_START.findall(text))), letters),
            float(keys[folded[i]] > 1),
            float(i > 0 and rule_removed[i - 1]),
            float(i + 1 < n and rule_removed[i + 1]),
            float(bool(TERMINAL.search(text))),
            float(any(c in text for c in "|»>/•")),
            i / n,
            float(in_main and not s.body),
            float(in_main and s.bullet),
            float(in_main) * run,
            float(not in_main and s.body),
            share_main,
            float(s.item),
            float(in_main and s.item),
        ])
    return out


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


def probabilities(rows: list[list[float]], weights: tuple[float, ...]) -> list[float]:
    """The model's probability that each line is article text."""
    out = []
    for row in rows:
        z = sum(map(mul, weights, row))
        out.append(1 / (1 + math.exp(-max(-30.0, min(30.0, z)))))
    return out


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
    for i, p in zip(candidates, probabilities(rows, weights), strict=True):
        s = segments[i]
        if p >= threshold:
            s.reason = None
        elif s.reason is None and s.kind != "heading" and not s.item:  # subheads and lists of the text stay
            s.reason = "fragment" if start <= i < end else "off-main"
