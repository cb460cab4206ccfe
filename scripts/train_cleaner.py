#!/usr/bin/env python3
"""Train the line model of plain-text cleaning (src/storyweave/clean/line_model.json).

Usage: scripts/train_cleaner.py --data DIR [--folds K] [--out PATH] [--l2 X] [--no-write]

DIR holds ``plain/ID.txt`` (page text) and ``gold.json`` ({ID: {"articleBody": ...}}),
as the cleaning benchmark does. Each line the layout rules judge is labelled article
text when most of its word trigrams occur in the gold body; a logistic regression
(numpy, L2, Newton steps) is fitted on them, lines weighted by their share of the page.
With ``--folds K`` (default 5) it first reports the page-level K-fold cross-validated
score (train on K-1 parts, clean the held-out pages, shingle F1 as the benchmark
scores it) next to the rules alone: that is the estimate for unseen pages. Then it
fits on all pages and writes the weights.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from storyweave.clean import model as line_model
from storyweave.clean.plaintext import clean_plaintext
from storyweave.models import Document

TOKEN = re.compile(r"\w+", re.UNICODE)
THRESHOLD = 0.5


def shingles(text: str, n: int = 4) -> Counter:
    toks = TOKEN.findall(text or "")
    return Counter(tuple(toks[i:i + n]) for i in range(max(1, len(toks) - n + 1)) if toks[i:i + n])


def page_scores(gold: str, pred: str) -> tuple[float, float]:
    """Precision and recall of word 4-gram bags (the article-extraction benchmark's metric)."""
    t, p = shingles(gold), shingles(pred)
    tp, fp, fn = sum((t & p).values()), sum((p - t).values()), sum((t - p).values())
    if tp + fp + fn == 0 or fp == fn == 0:
        return 1.0, 1.0
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)


def f1(scores: list[tuple[float, float]]) -> tuple[float, float, float]:
    p = sum(s[0] for s in scores) / len(scores)
    r = sum(s[1] for s in scores) / len(scores)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def clean(text: str) -> str:
    try:
        return clean_plaintext(Document(source="page", content=text, format="text")).body
    except ValueError:
        return ""


def page_rows(text: str, gold: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feature rows, labels and weights of the lines of one page the layout rules judged."""
    line_model.Hooks.collect = collected = []
    try:
        clean(text)
    finally:
        line_model.Hooks.collect = None
    gold_tokens = TOKEN.findall(gold)
    trigrams = set(zip(gold_tokens, gold_tokens[1:], gold_tokens[2:]))
    joined = " " + " ".join(gold_tokens) + " "
    rows, labels, weights = [], [], []
    scale = max(50, len(gold_tokens))
    for segments, candidates, feats in collected:
        for i, row in zip(candidates, feats, strict=True):
            toks = TOKEN.findall(segments[i].text)
            if not toks:
                continue
            grams = list(zip(toks, toks[1:], toks[2:]))
            inside = sum(g in trigrams for g in grams) / len(grams) if grams else float(
                f" {' '.join(toks)} " in joined)
            rows.append(row)
            labels.append(float(inside > 0.5))
            weights.append(min(1.0, len(toks) / scale) + 0.002)
    return np.array(rows, float).reshape(-1, len(line_model.FEATURES)), np.array(labels), np.array(weights)


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float, steps: int = 30) -> np.ndarray:
    """Weighted L2-regularised logistic regression by Newton's method (the bias is not penalised)."""
    beta = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(x @ beta, -30, 30)))
        grad = x.T @ (w * (p - y)) + penalty * beta
        hess = (x * (w * p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-7:
            break
    return beta


def score(pages: list[str], texts: dict[str, str], gold: dict[str, str],
          weights: tuple[tuple[float, ...], float] | None) -> list[tuple[float, float]]:
    """Benchmark scores of cleaning ``pages`` with the given model (None: the layout rules alone)."""
    saved = line_model.load_weights
    line_model.Hooks.weights = weights
    line_model.load_weights = lambda *a: None
    try:
        return [page_scores(gold[p], clean(texts[p])) for p in pages]
    finally:
        line_model.Hooks.weights = None
        line_model.load_weights = saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=line_model.WEIGHTS)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    gold = {k: v.get("articleBody", "") for k, v in json.loads((args.data / "gold.json").read_text()).items()}
    pages = sorted(p for p in gold if (args.data / "plain" / f"{p}.txt").exists())
    texts = {p: (args.data / "plain" / f"{p}.txt").read_text(encoding="utf-8") for p in pages}
    # Features do not depend on the weights (the model acts after them): computed once, rules alone.
    saved, line_model.load_weights = line_model.load_weights, lambda *a: None
    try:
        data = {p: page_rows(texts[p], gold[p]) for p in pages}
    finally:
        line_model.load_weights = saved
    baseline = score(pages, texts, gold, None)

    def train(train_pages: list[str]) -> np.ndarray:
        x = np.vstack([data[p][0] for p in train_pages])
        return fit(x, np.concatenate([data[p][1] for p in train_pages]),
                   np.concatenate([data[p][2] for p in train_pages]), args.l2)

    report = {"pages": len(pages), "lines": int(sum(len(d[1]) for d in data.values()))}
    report["rules"] = dict(zip(("precision", "recall", "f1"), (round(v, 4) for v in f1(baseline))))
    if args.folds > 1:
        order = pages[:]
        random.Random(args.seed).shuffle(order)
        held: list[tuple[float, float]] = []
        for k in range(args.folds):
            test = order[k :: args.folds]
            beta = train([p for p in order if p not in set(test)])
            held += score(test, texts, gold, (tuple(beta), THRESHOLD))
        report[f"cv{args.folds}"] = dict(zip(("precision", "recall", "f1"), (round(v, 4) for v in f1(held))))
    beta = train(pages)
    report["train_all"] = dict(zip(("precision", "recall", "f1"),
                                   (round(v, 4) for v in f1(score(pages, texts, gold, (tuple(beta), THRESHOLD))))))
    print(json.dumps(report))
    if not args.no_write:
        args.out.write_text(json.dumps({
            "about": "Line model of plain-text cleaning; rebuild: scripts/train_cleaner.py --data DIR",
            "features": list(line_model.FEATURES), "threshold": THRESHOLD,
            "weights": [round(float(b), 5) for b in beta], "l2": args.l2, "trained_on_pages": len(pages),
        }, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
