"""Named-entity benchmark: storyweave's mention detection and typing against a naive baseline.

The data is JSONL of ``{"id", "lang", "tokens", "tags"}`` with IOB2 tags over PER, ORG, LOC
and MISC (CoNLL-2002 shaped). Consecutive sentences of one language are grouped into
article-sized documents of :data:`DOCUMENT_SENTENCES` sentences, the unit storyweave reads
(evidence such as a name capitalised elsewhere is taken from the whole document); ``half``
keeps every other document. Tokens are joined into plain text (no space before closing
punctuation or after opening brackets), and a mention matches a gold entity when its
characters are exactly the gold tokens'.

Scoring: MISC is not scored. Gold MISC entities are dropped, and a prediction lying exactly on
a gold MISC span is ignored (neither right nor wrong). Typed scores count exact span and
type per PER/ORG/LOC (storyweave's person/org/place; its "other" mentions are not typed
predictions); the untyped row counts exact spans of any predicted type against gold
PER/ORG/LOC. Speed is storyweave's entity and date extraction (``extract_mentions`` and
``find_time_expressions``) in documents per second of CPU time on one core, after a warm-up.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from storyweave.bench.metrics import PrecisionRecall, one_core
from storyweave.dates import find_time_expressions
from storyweave.entities import extract_mentions
from storyweave.entities.gazetteer import country_code
from storyweave.text import zipf

DOCUMENT_SENTENCES = 20
TYPES = ("PER", "ORG", "LOC")
UNTYPED = "untyped"
STORYWEAVE = "storyweave"
_KINDS = {"person": "PER", "org": "ORG", "place": "LOC", "other": "OTHER"}
_NO_SPACE_BEFORE = set(",.;:!?)]}%»”")
_NO_SPACE_AFTER = set("([{¿¡«“")
_EVERYDAY_ZIPF = 4.0  # the baseline drops a sentence's first word this frequent
_CAPITALISED_RUN = re.compile(r"\b[A-ZÀ-Þ][^\W_]*(?: [A-ZÀ-Þ][^\W_]*)*\b")

Span = tuple[int, int, int, str]  # sentence in document, start, end (characters), type


class BenchDataError(ValueError):
    """The data file is not JSONL of {"id", "lang", "tokens", "tags"} in IOB2."""


@dataclass(frozen=True, slots=True)
class Sentence:
    """One tokenised sentence as running text, with its gold spans as (start, end, type) in characters."""

    text: str
    gold: frozenset[tuple[int, int, str]]


@dataclass(frozen=True, slots=True)
class Document:
    lang: str
    sentences: list[Sentence]

    @property
    def texts(self) -> list[str]:
        return [s.text for s in self.sentences]


@dataclass(slots=True)
class Counts:
    """Right, predicted and gold counts of one (language, type) cell."""

    right: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def score(self) -> PrecisionRecall:
        return PrecisionRecall(self.right / self.predicted if self.predicted else 0.0,
                               self.right / self.gold if self.gold else 0.0)


@dataclass(frozen=True, slots=True)
class MethodResult:
    """One method's counts per (language or "all", type or "any") and its speed."""

    name: str
    counts: dict[tuple[str, str], Counts] = field(default_factory=dict)
    articles_per_s: float = 0.0


def render(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Tokens joined as running text, and each token's character offsets in it."""
    text, offsets = "", []
    for i, token in enumerate(tokens):
        if i and token not in _NO_SPACE_BEFORE and tokens[i - 1] not in _NO_SPACE_AFTER:
            text += " "
        offsets.append((len(text), len(text) + len(token)))
        text += token
    return text, offsets


def iob2_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """(first token, last token + 1, type) of each entity; a stray I- tag opens an entity."""
    spans: list[tuple[int, int, str]] = []
    for i, tag in enumerate(tags):
        kind = tag[2:]
        if tag.startswith("B-") or (tag.startswith("I-") and (not spans or spans[-1][1] != i or spans[-1][2] != kind)):
            spans.append((i, i + 1, kind))
        elif tag.startswith("I-"):
            spans[-1] = (spans[-1][0], i + 1, kind)
    return spans


def _parse(line: str, where: str) -> tuple[str, Sentence]:
    """The language and sentence of one JSONL line."""
    try:
        row = json.loads(line)
        text, offsets = render(row["tokens"])
        spans = iob2_spans(row["tags"])
        return row["lang"], Sentence(text, frozenset((offsets[a][0], offsets[b - 1][1], kind) for a, b, kind in spans))
    except (json.JSONDecodeError, KeyError, TypeError, IndexError) as exc:
        raise BenchDataError(f'{where}: expected {{"id", "lang", "tokens", "tags"}} in IOB2 ({exc!r})') from exc


def load_documents(path: Path, half: int | None = None, limit: int | None = None) -> list[Document]:
    """Documents of consecutive same-language sentences of ``path``; with ``half``, every other
    one (0: the first, third...); with ``limit``, at most that many sentences in all."""
    blocks: list[Document] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for lang, sentence in (_parse(line, f"{path}:{n}") for n, line in enumerate(lines, 1) if line.strip()):
        if not blocks or blocks[-1].lang != lang or len(blocks[-1].sentences) == DOCUMENT_SENTENCES:
            blocks.append(Document(lang, []))
        blocks[-1].sentences.append(sentence)
    chosen = blocks if half is None else blocks[half::2]
    if limit is not None:
        chosen = _first_sentences(chosen, limit)
    if not chosen:
        raise BenchDataError(f"{path} holds no sentences")
    return chosen


def _first_sentences(documents: list[Document], limit: int) -> list[Document]:
    kept = []
    for document in documents:
        if limit <= 0:
            break
        kept.append(Document(document.lang, document.sentences[:limit]))
        limit -= len(kept[-1].sentences)
    return kept


def storyweave_spans(document: Document) -> list[Span]:
    """storyweave's mentions as typed character spans."""
    return [(m.sentence, m.start, m.end, _KINDS[m.kind])
            for m in extract_mentions(document.texts, document.lang)]


def baseline_spans(document: Document) -> list[Span]:
    """Naive: every run of capitalised words is a name, less a sentence's first word when that is
    an everyday word; a country name (CLDR, any language) is a LOC, one word an ORG, several a PER."""
    found = []
    for index, text in enumerate(document.texts):
        for run in _CAPITALISED_RUN.finditer(text):
            start, first_word = run.start(), run.group().split()[0]
            if start == 0 and zipf(first_word.lower(), document.lang) >= _EVERYDAY_ZIPF:
                start += len(first_word) + 1
            name = text[start:run.end()]
            if name:
                kind = "LOC" if country_code(name, document.lang) else "PER" if " " in name else "ORG"
                found.append((index, start, run.end(), kind))
    return found


METHODS: dict[str, Callable[[Document], list[Span]]] = {STORYWEAVE: storyweave_spans, "baseline": baseline_spans}


def score(documents: Iterable[Document], predictions: Iterable[list[Span]]) -> dict[tuple[str, str], Counts]:
    """Counts per (language or "all", PER/ORG/LOC or "any"), MISC left out as the module says."""
    counts: dict[tuple[str, str], Counts] = {}
    for document, predicted in zip(documents, predictions, strict=True):
        for lang in (document.lang, "all"):
            _count_document(document, predicted, lang, counts)
    return counts


def _count_document(document: Document, predicted: list[Span], lang: str,
                    counts: dict[tuple[str, str], Counts]) -> None:
    gold = {(i, a, b, kind) for i, s in enumerate(document.sentences) for a, b, kind in s.gold}
    misc = {(i, a, b) for i, a, b, kind in gold if kind == "MISC"}
    gold -= {(i, a, b, "MISC") for i, a, b in misc}
    predicted_set = {p for p in predicted if p[:3] not in misc}
    for kind in TYPES:
        cell = counts.setdefault((lang, kind), Counts())
        cell.gold += sum(g[3] == kind for g in gold)
        cell.predicted += sum(p[3] == kind for p in predicted_set)
        cell.right += len({p for p in predicted_set if p[3] == kind} & gold)
    untyped = counts.setdefault((lang, UNTYPED), Counts())
    gold_spans, predicted_spans = {g[:3] for g in gold}, {p[:3] for p in predicted_set}
    untyped.gold += len(gold_spans)
    untyped.predicted += len(predicted_spans)
    untyped.right += len(gold_spans & predicted_spans)


def typed(counts: dict[tuple[str, str], Counts], lang: str = "all") -> Counts:
    """PER, ORG and LOC of ``lang`` summed (micro average)."""
    cells = [counts.get((lang, kind), Counts()) for kind in TYPES]
    return Counts(sum(c.right for c in cells), sum(c.predicted for c in cells), sum(c.gold for c in cells))


def extraction_rate(documents: list[Document]) -> float:
    """Documents per CPU second of storyweave's entity and date extraction, on one core."""
    extract_all(list({d.lang: d for d in documents}.values()))  # word lists, gazetteer and patterns load once
    with one_core():
        started = time.process_time()
        extract_all(documents)
        return len(documents) / max(time.process_time() - started, 1e-9)


def extract_all(documents: list[Document]) -> None:
    for document in documents:
        extract_mentions(document.texts, document.lang)
        find_time_expressions(document.texts, document.lang)


def run_method(name: str, documents: list[Document]) -> MethodResult:
    """``name``'s spans on ``documents``, scored; storyweave's speed measured too."""
    counts = score(documents, [METHODS[name](d) for d in documents])
    return MethodResult(name, counts, extraction_rate(documents) if name == STORYWEAVE else 0.0)


def languages(results: Iterable[MethodResult]) -> list[str]:
    """The languages scored, then "all"."""
    return sorted({lang for r in results for lang, _ in r.counts} - {"all"}) + ["all"]


def headline(result: MethodResult) -> dict[str, float]:
    """Overall typed precision, recall, F1, untyped F1 and extraction speed."""
    overall = typed(result.counts).score
    return {"precision": round(overall.precision, 4), "recall": round(overall.recall, 4),
            "f1": round(overall.f1, 4), "f1_untyped": round(result.counts[("all", UNTYPED)].score.f1, 4),
            "articles_per_s": round(result.articles_per_s, 1)}
