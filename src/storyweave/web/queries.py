"""What the web pages and the JSON API show, read from the store a page at a time."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import numpy as np

from storyweave.embed import Encoder
from storyweave.pipeline import sentence_key
from storyweave.store import Store, sqlite3

PAGE = 20  # list items per page


def _rows(store: Store, sql: str, args: list | tuple = ()) -> list[dict]:
    return [dict(row) for row in store.db.execute(sql, args)]


def _in(values: list[str]) -> str:
    return ",".join("?" * len(values))


TIMELINE_PAGE = 50  # events per page of a story's timeline
ARTICLES_PAGE = 100  # articles per page of an event


def stories(store: Store, page: int = 1) -> list[dict]:
    """Stories, latest activity first: title, events, languages, independent sources (originals),
    articles, last article date and article counts per day (for a sparkline)."""
    rows = _rows(store, "SELECT s.id, s.title, s.events, MAX(e.updated) AS updated FROM stories s"
                        " JOIN json_each(s.events) j JOIN events e ON e.id = j.value"
                        " GROUP BY s.id ORDER BY updated DESC, s.id LIMIT ? OFFSET ?",
                 (PAGE, (page - 1) * PAGE))
    for row in rows:
        row.update(coverage(store, row["events"]))
        row["events"] = json.loads(row["events"])
    return rows


def coverage(store: Store, event_ids: str) -> dict:
    """Of the articles of events ``event_ids`` (a JSON list), counted in the database: languages
    (most articles first), articles, originals (copies and translations of one of these articles do
    not count), the last day, articles per day, and per day by language (an article's day is its
    publication date, else its event's date)."""
    cells = _rows(store, "WITH picked AS (SELECT a.id, a.lang, COALESCE(a.published, e.date) AS published,"
                         " COALESCE(a.duplicate_of, a.translation_of) AS original FROM articles a JOIN events e"
                         " ON e.id = a.event_id WHERE a.event_id IN (SELECT value FROM json_each(?)))"
                         " SELECT lang, substr(published, 1, 10) AS day, COUNT(*) AS n, SUM(original IS NULL OR"
                         " original NOT IN (SELECT id FROM picked)) AS originals FROM picked GROUP BY lang, day",
                  (event_ids,))
    per_language, per_day, by_language = Counter(), Counter(), defaultdict(dict)
    for cell in cells:
        per_language[cell["lang"]] += cell["n"]
        if cell["day"]:
            per_day[cell["day"]] += cell["n"]
            by_language[cell["lang"]][cell["day"]] = cell["n"]
    return {"languages": [lang for lang, _ in per_language.most_common()], "articles": sum(per_language.values()),
            "sources": sum(cell["originals"] for cell in cells), "last": max(per_day) if per_day else None,
            "per_day": sorted(per_day.items()),
            "by_language": {lang: sorted(days.items()) for lang, days in by_language.items()}}


def story(store: Store, story_id: str, page: int | None = None) -> dict | None:
    """A story with its coverage and one page of its timeline (oldest first; the latest page by default):
    date, title, languages, articles and sources of each event."""
    rows = _rows(store, "SELECT id, title, events FROM stories WHERE id = ?", (story_id,))
    if not rows:
        return None
    found = rows[0]
    found.update(coverage(store, found["events"]))
    order = json.loads(found.pop("events"))
    found["pages"] = max(1, -(-len(order) // TIMELINE_PAGE))
    found["page"] = min(max(page or found["pages"], 1), found["pages"])
    shown = order[(found["page"] - 1) * TIMELINE_PAGE: found["page"] * TIMELINE_PAGE]
    events = {e["id"]: e for e in _rows(store, f"SELECT id, title, date, date_precision FROM events"
                                                f" WHERE id IN ({_in(shown)})", shown)}
    found["event_count"] = len(order)
    found["events"] = [{**events[i], **coverage(store, json.dumps([i]))} for i in shown if i in events]
    return found


def event(store: Store, event_id: str, page: int = 1) -> dict | None:
    """An event and a page of its articles (:data:`ARTICLES_PAGE`, by language, then as ingested), grouped
    by language, originals before their translations and copies."""
    rows = _rows(store, "SELECT id, title, date, date_precision, date_evidence, story_id FROM events WHERE id = ?",
                 (event_id,))
    if not rows:
        return None
    found = rows[0]
    found["date_evidence"] = json.loads(found["date_evidence"] or "[]")
    articles = _rows(store, "SELECT id, title, lang, source, url, site, published, duplicate_of, translation_of"
                            " FROM articles WHERE event_id = ? ORDER BY lang, seq LIMIT ? OFFSET ?",
                     (event_id, ARTICLES_PAGE, (page - 1) * ARTICLES_PAGE))
    languages: dict[str, list[dict]] = defaultdict(list)
    for a in articles:
        a["original"] = not a["duplicate_of"] and not a["translation_of"]
        languages[a["lang"]].append(a)
    found["languages"] = {lang: sorted(items, key=lambda a: not a["original"]) for lang, items in languages.items()}
    found["articles"] = store.db.execute("SELECT COUNT(*) FROM articles WHERE event_id = ?", (event_id,)).fetchone()[0]
    found["page"], found["pages"] = page, max(1, -(-found["articles"] // ARTICLES_PAGE))
    return found


def article(store: Store, article_id: str) -> dict | None:
    """An article: cleaned text as paragraphs, metadata and what cleaning removed (with reasons)."""
    rows = _rows(store, "SELECT id, title, body, lang, lang_confidence, source, url, site, published, metadata,"
                        " removed, duplicate_of, translation_of, event_id FROM articles WHERE id = ?", (article_id,))
    if not rows:
        return None
    found = rows[0]
    found["paragraphs"] = [p for p in found.pop("body").split("\n\n") if p.strip()]
    found["metadata"] = json.loads(found["metadata"])
    found["removed"] = json.loads(found["removed"])
    return found


def articles(store: Store, lang: str | None = None, page: int = 1) -> list[dict]:
    """Articles, newest ingested first, optionally of one language."""
    where, args = ("WHERE lang = ?", [lang]) if lang else ("", [])
    return _rows(store, f"SELECT id, title, lang, published, event_id FROM articles {where}"
                        f" ORDER BY seq DESC LIMIT ? OFFSET ?", [*args, PAGE, (page - 1) * PAGE])


def entity(store: Store, entity_id: int, page: int = 1) -> dict | None:
    """An entity: name, kind, aliases per language and a page of the stories it appears in."""
    rows = _rows(store, "SELECT id, name, kind FROM entities WHERE id = ? AND merged_into IS NULL", (entity_id,))
    if not rows:
        return None
    found = rows[0]
    aliases: dict[str, Counter] = defaultdict(Counter)
    for form in _rows(store, "SELECT a.lang, a.text, a.mentions FROM entity_aliases a JOIN entity_keys k"
                             " ON k.key = a.key WHERE k.entity_id = ?", (entity_id,)):
        aliases[form["lang"]][form["text"]] += form["mentions"]
    found["aliases"] = {lang: dict(texts.most_common()) for lang, texts in aliases.items()}
    found["stories"] = _rows(store, "SELECT DISTINCT s.id, s.title FROM entity_events e JOIN entity_keys k"
                                    " ON k.key = e.key JOIN events v ON v.id = e.event_id JOIN stories s"
                                    " ON s.id = v.story_id WHERE k.entity_id = ? ORDER BY s.id LIMIT ? OFFSET ?",
                             (entity_id, PAGE, (page - 1) * PAGE))
    found["page"] = page
    return found


def event_entities(store: Store, event_ids: list[str], limit: int = 12) -> list[dict]:
    """The entities most named in these events (id, name, kind, mentions)."""
    return _rows(store, f"SELECT n.id, n.name, n.kind, SUM(e.mentions) AS mentions FROM entity_events e"
                        f" JOIN entity_keys k ON k.key = e.key JOIN entities n ON n.id = k.entity_id"
                        f" WHERE e.event_id IN ({_in(event_ids)}) AND n.merged_into IS NULL"
                        f" GROUP BY n.id ORDER BY mentions DESC, n.name LIMIT ?", [*event_ids, limit])


def _filters(lang: str | None, since: str | None, until: str | None) -> tuple[str, list[str]]:
    """SQL conditions (each preceded by AND) on articles ``a`` for a language and a publication date range."""
    filters, args = [], []
    for clause, value in (("a.lang = ?", lang), ("a.published >= ?", since), ("a.published <= ?", until)):
        if value:
            filters.append(clause)
            args.append(value)
    return "".join(f" AND {f}" for f in filters), args


def search(store: Store, query: str, lang: str | None = None, since: str | None = None, until: str | None = None,
           page: int = 1) -> list[dict]:
    """Full-text matches (FTS5 syntax; a malformed query is searched as a phrase), best first,
    filtered by language and publication date range."""
    if not query.strip():
        return []
    where, args = _filters(lang, since, until)
    sql = ("SELECT a.id, a.title, a.lang, a.published, a.event_id,"
           " snippet(articles_fts, 1, '[', ']', '…', 12) AS snippet FROM articles_fts"
           " JOIN articles a ON a.rowid = articles_fts.rowid"
           f" WHERE articles_fts MATCH ?{where} ORDER BY rank LIMIT ? OFFSET ?")
    try:
        return _rows(store, sql, [query, *args, PAGE, (page - 1) * PAGE])
    except sqlite3.OperationalError:  # FTS5 syntax error: the words as one phrase
        phrase = '"' + query.replace('"', '""') + '"'
        return _rows(store, sql, [phrase, *args, PAGE, (page - 1) * PAGE])


class TitleVectors:
    """The title vectors of all articles (as the pipeline stored them), kept in memory and read again
    only when articles were added: semantic search is one matrix product. (Memory grows with the
    database: about 2 KB an article; beyond a few million articles, use a vector index in the store.)"""

    def __init__(self, encoder: Encoder):
        self.encoder = encoder
        self.seen = -1
        # rows and their matrix, replaced together so that a concurrent search sees one or the other
        self.index: tuple[list[dict], np.ndarray] = ([], np.zeros((0, 1), np.float32))

    def refresh(self, store: Store) -> None:
        last = store.db.execute("SELECT COALESCE(MAX(seq), -1) FROM articles").fetchone()[0]
        if last == self.seen:
            return
        rows = _rows(store, "SELECT id, title, lang, published, event_id FROM articles ORDER BY seq")
        hashes = [sentence_key(row["title"]) for row in rows]
        vectors = store.vector_rows(set(hashes), self.encoder.name)
        kept = [(row, vectors[h]) for row, h in zip(rows, hashes) if h in vectors]
        matrix = np.vstack([v for _, v in kept]).astype(np.float32) if kept else np.zeros((0, 1), np.float32)
        self.index = [row for row, _ in kept], matrix
        self.seen = last

    def search(self, store: Store, query: str, lang: str | None = None, since: str | None = None,
               until: str | None = None, page: int = 1) -> list[dict]:
        """Articles whose title is closest in meaning to ``query`` (in any language), by cosine,
        with the filters of :func:`search`."""
        self.refresh(store)
        rows, matrix = self.index
        if not query.strip() or not rows:
            return []
        scores = matrix @ self.encoder.encode([query])[0]
        wanted = [i for i in np.argsort(-scores).tolist() if _passes(rows[i], lang, since, until)]
        return [{**rows[i], "score": round(float(scores[i]), 4)} for i in wanted[(page - 1) * PAGE: page * PAGE]]


def _passes(row: dict, lang: str | None, since: str | None, until: str | None) -> bool:
    published = row["published"] or ""
    return ((not lang or row["lang"] == lang) and (not since or published >= since)
            and (not until or (published and published <= until)))
