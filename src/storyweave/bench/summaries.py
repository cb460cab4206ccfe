"""Summary evaluation on gold events (``eval events``-shaped files): content and citations.

Content: for every gold event of at least three articles, each article in turn is held out;
the others are summarised in three sentences and scored against the held-out article's
lead (its first three sentences) by ROUGE-1 and ROUGE-2 F1 (lower-cased word n-grams, no
stemming), beside a baseline in the same run: the lead three sentences of the biggest
other article (most sentences). Summaries are made from the gold events directly, so
clustering errors do not count here.

Citations: a summary sentence's evidence (the sentences of other articles that tell it) is
judged sentence by sentence. In one language, a cited sentence supports the statement when
at least :data:`SHARED_WORDS` of the shorter one's content words (not among its language's
most frequent words) are in the other. Across languages, only parallel texts (as FLORES
translations: two articles of one event with the same number of sentences) are judged:
the cited sentence must be the one at the same position. Citation precision is the share
of judged citations that support their statement.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storyweave.clean.lines import tokens
from storyweave.clean.words import stopwords
from storyweave.entities import extract_mentions
from storyweave.models import Article
from storyweave.pipeline import Pipeline
from storyweave.summarize import ExtractiveSummarizer, Summary
from storyweave.text import split_sentences

LEAD = 3  # sentences of a lead, of a baseline summary and of storyweave's summary here
MIN_ARTICLES = 3  # gold events this big are summarised (one article held out each time)
SHARED_WORDS = 0.5  # share of content words two sentences of one language share when one supports the other
TIMED_ARTICLES = 50  # the articles summarised together for the speed figure


@dataclass(frozen=True, slots=True)
class Rouge:
    rouge1: float
    rouge2: float


@dataclass
class SummaryEval:
    """Mean ROUGE of storyweave and of the baseline, citation precision, and speed."""

    storyweave: Rouge
    baseline: Rouge
    summaries: int
    citations_judged: int
    citation_precision: float
    seconds_per_summary: float
    timed_articles: int
    timed_languages: int
    timed_seconds: float


def rouge_n(summary: str, reference: str, n: int) -> float:
    """ROUGE-N F1 of ``summary`` against ``reference`` (clipped n-gram counts of lower-cased words)."""
    def grams(text: str) -> Counter:
        words = [w.lower() for w in tokens(text)]
        return Counter(zip(*(words[i:] for i in range(n))))

    found, wanted = grams(summary), grams(reference)
    hits = sum((found & wanted).values())
    if not hits:
        return 0.0
    precision, recall = hits / sum(found.values()), hits / sum(wanted.values())
    return 2 * precision * recall / (precision + recall)


def articles_of(rows: list[dict]) -> dict[str, list[Article]]:
    """Gold rows as articles (title, then the sentences of the text), grouped by gold event."""
    events: dict[str, list[Article]] = defaultdict(list)
    for row in rows:
        title = row.get("title") or ""
        body = split_sentences(row["text"])
        if body and body[0] == title:
            body = body[1:]
        lang = row.get("lang") or "und"
        article = Article(id=str(row["id"]), source=str(row["id"]), title=title, body=row["text"], lang=lang,
                          sentences=[title, *body])
        article.mentions = extract_mentions(article.sentences, lang)
        events[str(row["event"])].append(article)
    return events


def supports(statement: tuple[Article, int], cited: tuple[Article, int]) -> bool | None:
    """Whether the cited sentence tells the statement's sentence (None: not judged; module docstring)."""
    (a, i), (b, j) = statement, cited
    if a.lang != b.lang:
        return i == j if len(a.sentences) == len(b.sentences) else None
    common = stopwords(a.lang)
    words_a = {w.lower() for w in tokens(a.sentences[i])} - common
    words_b = {w.lower() for w in tokens(b.sentences[j])} - common
    shorter = min(len(words_a), len(words_b))
    return bool(shorter) and len(words_a & words_b) >= SHARED_WORDS * shorter


def evaluate(rows: list[dict], encoder: str, cache_db: Path) -> SummaryEval:
    """Summaries of the gold events of ``rows`` against held-out leads and the baseline (module docstring)."""
    events = articles_of(rows)
    summarizer = ExtractiveSummarizer(size=LEAD, most=LEAD)
    with Pipeline(cache_db, encoder=encoder) as pipeline:
        every = [a for articles in events.values() for a in articles]
        vectors = pipeline.sentence_vectors(every, summarizer.candidates(every))
        ours, baseline, judged, supported, seconds, count = [], [], 0, 0, 0.0, 0
        by_id = {a.id: a for a in every}
        for event_id, articles in events.items():
            if len(articles) < MIN_ARTICLES:
                continue
            for held in articles:
                rest = [a for a in articles if a is not held]
                start = time.process_time()
                summary = summarizer.summarize(event_id, rest, vectors)
                seconds += time.process_time() - start
                count += 1
                reference = " ".join(held.sentences[1:LEAD + 1])
                ours.append(_rouge(" ".join(s.text for s in summary.sentences), reference))
                biggest = max(rest, key=lambda a: (len(a.sentences), a.id))
                baseline.append(_rouge(" ".join(biggest.sentences[1:LEAD + 1]), reference))
                for verdict in _verdicts(summary, by_id):
                    judged += 1
                    supported += verdict
        timed = every[:TIMED_ARTICLES]
        start = time.process_time()
        pipeline.summary_of(timed, "timed")
        timed_seconds = time.process_time() - start
    return SummaryEval(_mean(ours), _mean(baseline), count, judged, supported / judged if judged else 0.0,
                       seconds / count if count else 0.0, len(timed), len({a.lang for a in timed}), timed_seconds)


def _verdicts(summary: Summary, articles: dict[str, Article]) -> list[bool]:
    """The judged verdicts on the cited sentences of other articles, over all statements."""
    verdicts = []
    for statement in summary.sentences:
        told = statement.evidence[0]
        for cited in statement.evidence[1:]:
            if cited[0] != told[0]:
                verdict = supports((articles[told[0]], told[1]), (articles[cited[0]], cited[1]))
                if verdict is not None:
                    verdicts.append(verdict)
    return verdicts


def _rouge(summary: str, reference: str) -> Rouge:
    return Rouge(rouge_n(summary, reference, 1), rouge_n(summary, reference, 2))


def _mean(scores: list[Rouge]) -> Rouge:
    if not scores:
        return Rouge(0.0, 0.0)
    return Rouge(float(np.mean([s.rouge1 for s in scores])), float(np.mean([s.rouge2 for s in scores])))
