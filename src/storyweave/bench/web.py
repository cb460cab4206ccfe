"""Web page latency on a database of many articles (``storyweave bench web``).

A synthetic news corpus (made-up people and places, a few hundred events over several
weeks, each told by several articles in varied wording) is run through the pipeline
with the hashing encoder into a database, once (reused when it exists). Then each page
and API route is requested for randomly chosen stories, events, articles, entities and
queries through the app in process; the time per request (server time, no network) is
reported as p50 and p95.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from storyweave.pipeline import Pipeline
from storyweave.store import Store

SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
ACTIONS = [
    ("opened a new {thing} in {place}", "The new {thing} in {place} was opened by {person} on {weekday}."),
    ("was elected mayor of {place}", "{person} won the vote in {place} with {number} percent on {weekday}."),
    ("signed a trade deal with {place}", "{person} signed the agreement with {place} after {number} days of talks."),
    ("announced {number} new jobs in {place}", "The {thing} company of {person} will hire {number} people in {place}."),
    ("visited the flooded areas of {place}", "{person} met rescue teams in {place}, where {number} homes were flooded."),
]
THINGS = ["bridge", "hospital", "factory", "stadium", "library", "harbour", "airport", "school"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FILLER = [
    "Officials said more details would follow in the coming days.",
    "Local residents welcomed the news, according to reports.",
    "The plan had been discussed for several months before the decision.",
    "Critics said the costs were higher than first announced.",
    "Further meetings are planned for next month, the spokesperson added.",
]


@dataclass(frozen=True, slots=True)
class Latency:
    route: str
    requests: int
    p50_ms: float
    p95_ms: float


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def synthetic_articles(n: int, seed: int = 0) -> list[dict]:
    """``n`` articles of made-up events (about eight articles each), JSON-lines rows."""
    rng = random.Random(seed)
    people = [f"{_name(rng, 2)} {_name(rng, 3)}" for _ in range(400)]
    places = [_name(rng, 3) for _ in range(300)]
    rows: list[dict] = []
    event = 0
    while len(rows) < n:
        day = date(2024, 1, 1) + timedelta(rng.randrange(60))
        values = {"person": rng.choice(people), "place": rng.choice(places), "thing": rng.choice(THINGS),
                  "number": rng.randrange(2, 900), "weekday": WEEKDAYS[day.weekday()]}
        headline, detail = (part.format(**values) for part in rng.choice(ACTIONS))
        for copy in range(min(rng.randrange(3, 14), n - len(rows))):
            sentences = [f"{values['person']} {headline} on {values['weekday']}.", detail,
                         *rng.sample(FILLER, 3)]
            rng.shuffle(sentences[2:])
            title = f"{values['person']} {headline}" if copy % 2 else f"{values['place']}: {values['person']} {headline}"
            rows.append({"id": f"e{event}-{copy}", "title": title, "text": "\n\n".join(sentences), "lang": "en",
                         "published": (day + timedelta(rng.randrange(2))).isoformat(),
                         "url": f"https://news{copy % 5}.example/{event}/{copy}"})
        event += 1
    return rows


def build(db: Path, n: int) -> float:
    """Fill ``db`` with ``n`` synthetic articles unless it has them; the seconds it took."""
    with Store(db) as store:
        if store.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] >= n:
            return 0.0
    source = db.with_suffix(".jsonl")
    source.write_text("".join(json.dumps(r) + "\n" for r in synthetic_articles(n)), encoding="utf-8")
    start = time.perf_counter()
    with Pipeline(db, encoder="hashing") as pipeline:
        pipeline.run([source])
    return time.perf_counter() - start


def routes(store: Store, rng: random.Random, count: int) -> dict[str, list[str]]:
    """``count`` request paths for each kind of page, of random items of the database."""
    def sample(sql: str) -> list:
        values = [r[0] for r in store.db.execute(sql)]
        return [rng.choice(values) for _ in range(count)] if values else []

    stories, events = sample("SELECT id FROM stories"), sample("SELECT id FROM events")
    articles, entities = sample("SELECT id FROM articles"), sample("SELECT id FROM entities WHERE merged_into IS NULL")
    words = sample("SELECT name FROM entities WHERE merged_into IS NULL")
    return {
        "front page": ["/"] * count,
        "story page": [f"/stories/{i}" for i in stories],
        "event page": [f"/events/{i}" for i in events],
        "article page": [f"/articles/{i}" for i in articles],
        "entity page": [f"/entities/{i}" for i in entities],
        "search (text)": [f"/search?q={w.split()[0]}" for w in words],
        "search (meaning)": [f"/search?q={w.split()[0]}&mode=semantic" for w in words],
        "API stories": ["/api/stories"] * count,
        "API article": [f"/api/articles/{i}" for i in articles],
    }


def measure(get: Callable[[str], int], paths: dict[str, list[str]]) -> list[Latency]:
    """p50 and p95 milliseconds per request of each route (each path requested once, after one warm-up)."""
    results = []
    for route, urls in paths.items():
        if not urls:
            continue
        get(urls[0])
        times = []
        for url in urls:
            start = time.perf_counter()
            status = get(url)
            times.append((time.perf_counter() - start) * 1000)
            if status != 200:
                raise RuntimeError(f"{url} answered {status}")
        results.append(Latency(route, len(times), float(np.percentile(times, 50)), float(np.percentile(times, 95))))
    return results
