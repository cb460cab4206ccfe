"""Article-body extraction benchmark: storyweave's cleaner against simple baselines.

The data directory holds ``plain/ID.txt`` (the page as plain text), ``html/ID.html.gz``
(the page) and ``gold.json`` (``{ID: {"articleBody": str, "url": str}}``). The metric is
that of the public article-extraction benchmark: bags of word 4-grams per document,
mean precision and mean recall over documents, F1 of the two means. A failed or missing
extraction counts as an empty body. Speed is pages per second of CPU time (one core),
after each method has loaded what it needs (:func:`run_method`).
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import justext
import trafilatura
from babel import Locale, UnknownLocaleError

from storyweave.bench.metrics import PrecisionRecall, fastest_pass
from storyweave.clean import clean_document, clear_caches, load_lexicons
from storyweave.ingest import read_paths
from storyweave.language import detect_language
from storyweave.models import Document

_TOKEN = re.compile(r"\w+")


class BenchDataError(ValueError):
    """The data directory is not laid out as a cleaning benchmark."""


@dataclass(frozen=True, slots=True)
class Page:
    """One benchmark page: plain text, HTML, gold body, and the languages of page and gold."""

    id: str
    text: str
    html: str
    gold: str
    lang: str
    gold_lang: str


@dataclass(frozen=True, slots=True)
class Score(PrecisionRecall):
    """Mean precision and mean recall over ``docs`` documents."""

    docs: int


@dataclass(frozen=True, slots=True)
class MethodResult:
    """One extraction method's bodies for all pages, their score and its speed (pages per CPU second)."""

    name: str
    predictions: list[str]
    score: Score
    docs_per_s: float


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Bag of word n-grams of ``text``; a text of fewer than ``n`` words is one shingle."""
    tokens = _TOKEN.findall(text)
    if len(tokens) < n:
        return Counter([tuple(tokens)] if tokens else [])
    return Counter(zip(*(tokens[i:] for i in range(n))))


def doc_scores(gold: str, predicted: str) -> tuple[float, float]:
    """Precision and recall of one predicted body (both 1.0 when it and the gold are empty)."""
    true, found = shingles(gold), shingles(predicted)
    hits = sum((true & found).values())
    extra = sum((found - true).values())
    missed = sum((true - found).values())
    if hits + extra + missed == 0:
        return 1.0, 1.0
    precision = hits / (hits + extra) if hits + extra else 0.0
    recall = hits / (hits + missed) if hits + missed else 0.0
    return precision, recall


def score(golds: Sequence[str], predictions: Sequence[str]) -> Score:
    """Mean precision and recall over documents (zero for no documents)."""
    pairs = [doc_scores(g, p) for g, p in zip(golds, predictions, strict=True)]
    if not pairs:
        return Score(0.0, 0.0, 0)
    return Score(sum(p for p, _ in pairs) / len(pairs), sum(r for _, r in pairs) / len(pairs), len(pairs))


def load_pages(data: Path, limit: int | None = None) -> list[Page]:
    """The first ``limit`` pages (all by default) of ``data``, by sorted id."""
    gold = _read_gold(data)
    return [_page(data, page_id, gold[page_id]) for page_id in sorted(gold)[:limit]]


def _read_gold(data: Path) -> dict[str, dict]:
    """``gold.json`` after checking the layout of ``data``."""
    missing = [name for name in ("plain", "html", "gold.json") if not (data / name).exists()]
    if missing:
        raise BenchDataError(f"{data} lacks {', '.join(missing)} "
                             "(expected plain/ID.txt, html/ID.html.gz and gold.json)")
    try:
        gold = json.loads((data / "gold.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BenchDataError(f"cannot read {data / 'gold.json'}: {exc}") from exc
    if not gold or not isinstance(gold, dict) or not all(isinstance(v, dict) for v in gold.values()):
        raise BenchDataError(f"{data / 'gold.json'} must map ids to {{\"articleBody\": ..., \"url\": ...}}")
    return gold


def _page(data: Path, page_id: str, gold: dict) -> Page:
    text = _content(data / "plain" / f"{page_id}.txt")
    body = gold.get("articleBody") or ""
    return Page(page_id, text, _content(data / "html" / f"{page_id}.html.gz"), body,
                detect_language(text)[0], detect_language(body)[0])


def _content(path: Path) -> str:
    """The file decoded as ingest reads it; empty when it cannot be read."""
    item = next(read_paths([path]))
    return item.content if isinstance(item, Document) else ""


def raw_text(page: Page) -> str:
    """The plain page text as it is."""
    return page.text


def justext_text(page: Page) -> str:
    """jusText on the plain text, each line a ``<p>``, with the stoplist of the page language."""
    markup = "".join(f"<p>{html.escape(line)}</p>\n" for line in page.text.splitlines() if line.strip())
    paragraphs = justext.justext(markup, _stoplist(page.lang))
    return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)


@cache
def _stoplist(lang: str) -> frozenset[str]:
    """jusText's stoplist for an ISO language code; English when it has none."""
    try:
        name = Locale.parse(lang).english_name.replace(" ", "_")
    except (ValueError, UnknownLocaleError):
        name = "English"
    return justext.get_stoplist(name if name in justext.get_stoplists() else "English")


def trafilatura_html(page: Page) -> str:
    """trafilatura with default settings on the HTML."""
    return trafilatura.extract(page.html) or ""


def storyweave_text(page: Page) -> str:
    """storyweave's cleaner on the plain text."""
    return clean_document(Document(page.id, page.text, "text")).body


def storyweave_html(page: Page) -> str:
    """storyweave's cleaner on the HTML."""
    return clean_document(Document(page.id, page.html, "html")).body


def load_page_lexicons(pages: Sequence[Page]) -> None:
    """Load storyweave's word lists of the languages of ``pages`` (a one-time cost per language)."""
    load_lexicons(page.lang for page in pages)


Extractor = Callable[[Page], str]
METHODS: dict[str, Extractor] = {
    "raw page text": raw_text,
    "jusText (text)": justext_text,
    "trafilatura (html)": trafilatura_html,
    "storyweave (text)": storyweave_text,
    "storyweave (html)": storyweave_html,
}
# What a method loads once before extracting (untimed), beyond what its first page loads.
WARM_UPS: dict[str, Callable[[Sequence[Page]], None]] = {
    "storyweave (text)": load_page_lexicons,
    "storyweave (html)": load_page_lexicons,
}


def run_method(name: str, pages: Sequence[Page]) -> MethodResult:
    """Extract every page with method ``name`` and score it; the timing covers extraction only.

    Its speed is pages per second of this process's CPU time (one core: the methods are
    single-threaded), so that other work on the machine does not count against a method,
    in the fastest of :data:`~storyweave.bench.metrics.PASSES` passes. Untimed first, so that lazy imports and model
    loading do not count against the method: its warm-up (:data:`WARM_UPS`: storyweave loads
    the word lists of the languages of the pages), then one extraction of the first page.
    Each pass starts with storyweave's per-line and per-word caches emptied, so that no pass
    reuses another's work.
    """
    extract = METHODS[name]
    if warm_up := WARM_UPS.get(name):
        warm_up(pages)
    _safely(extract, pages[0])
    predictions, fastest = fastest_pass(lambda: [_safely(extract, page) for page in pages], clear_caches)
    return MethodResult(name, predictions, score([p.gold for p in pages], predictions),
                        len(pages) / fastest if fastest else float("inf"))


def _safely(extract: Extractor, page: Page) -> str:
    """The extracted body; empty when extraction fails, as the metric counts failures."""
    try:
        return extract(page)
    except Exception:  # any failure of a method on a page is scored as an empty body
        return ""


def language_split(pages: Sequence[Page], predictions: Sequence[str]) -> dict[str, Score]:
    """Scores of ``predictions`` on English and on non-English pages (by gold language)."""
    groups: dict[str, tuple[list[str], list[str]]] = {"en": ([], []), "non-en": ([], [])}
    for page, predicted in zip(pages, predictions, strict=True):
        golds, found = groups["en" if page.gold_lang == "en" else "non-en"]
        golds.append(page.gold)
        found.append(predicted)
    return {label: score(golds, found) for label, (golds, found) in groups.items()}


def headline(results: dict[str, MethodResult]) -> dict[str, float]:
    """storyweave's F1 and docs/s on text and on HTML."""
    text, page = results["storyweave (text)"], results["storyweave (html)"]
    return {"text_f1": round(text.score.f1, 4), "html_f1": round(page.score.f1, 4),
            "text_docs_per_s": round(text.docs_per_s, 1), "html_docs_per_s": round(page.docs_per_s, 1)}
