"""SQLite store: one file, WAL, numbered migrations, FTS5 search, cached vectors.

Every batch is written in one short transaction, so a crash never leaves half a
batch. Vectors are numpy blobs keyed by text hash and encoder name. One process
writes at a time. Uses ``pysqlite3`` (a current SQLite that can load extensions)
when installed, else the standard library module.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .dates import EventDate
from .dedup import Relation
from .models import Article, Event, Mention, Story, TimeExpression

if TYPE_CHECKING:
    from .cluster import EventChange

try:
    from pysqlite3 import dbapi2 as sqlite3
except ImportError:  # pragma: no cover - platforms without the wheel
    import sqlite3

MIGRATIONS: list[str] = [
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY, seq INTEGER NOT NULL, source TEXT NOT NULL, url TEXT, site TEXT,
        title TEXT NOT NULL, body TEXT NOT NULL, lang TEXT NOT NULL, lang_confidence REAL,
        published TEXT, metadata TEXT NOT NULL, removed TEXT NOT NULL, body_key TEXT NOT NULL,
        sentences TEXT NOT NULL, duplicate_of TEXT, translation_of TEXT, event_id TEXT,
        ingested_at TEXT NOT NULL);
    CREATE INDEX articles_body_key ON articles(body_key);
    CREATE INDEX articles_event ON articles(event_id);
    CREATE TABLE rejected (source TEXT PRIMARY KEY, reason TEXT NOT NULL, at TEXT NOT NULL);
    CREATE TABLE embeddings (
        text_hash TEXT NOT NULL, encoder TEXT NOT NULL, dim INTEGER NOT NULL, vectors BLOB NOT NULL,
        PRIMARY KEY (text_hash, encoder));
    CREATE TABLE mentions (
        article_id TEXT NOT NULL, text TEXT NOT NULL, key TEXT NOT NULL, kind TEXT NOT NULL,
        sentence INTEGER NOT NULL);
    CREATE INDEX mentions_article ON mentions(article_id);
    CREATE TABLE times (
        article_id TEXT NOT NULL, text TEXT NOT NULL, sentence INTEGER NOT NULL, value TEXT,
        weekday INTEGER, rel_lo INTEGER, rel_hi INTEGER);
    CREATE INDEX times_article ON times(article_id);
    CREATE TABLE relations (
        article_id TEXT NOT NULL, original_id TEXT NOT NULL, kind TEXT NOT NULL, score REAL NOT NULL,
        evidence TEXT NOT NULL, PRIMARY KEY (article_id, original_id, kind));
    CREATE TABLE events (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, date TEXT, story_id TEXT, first_seen INTEGER NOT NULL,
        updated INTEGER NOT NULL);
    CREATE INDEX events_updated ON events(updated);
    CREATE INDEX events_story ON events(story_id);
    CREATE TABLE stories (id TEXT PRIMARY KEY, title TEXT NOT NULL, events TEXT NOT NULL);
    CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, content='articles', content_rowid='rowid');
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, body) VALUES (new.rowid, new.title, new.body);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body);
    END;
    """,
    # 2: per-site line statistics for site boilerplate (storyweave.clean.sites)
    """
    CREATE TABLE sites (site TEXT PRIMARY KEY, pages INTEGER NOT NULL);
    CREATE TABLE site_pages (site TEXT NOT NULL, page TEXT NOT NULL, number INTEGER NOT NULL,
        PRIMARY KEY (site, page));
    CREATE TABLE site_lines (
        site TEXT NOT NULL, line_hash TEXT NOT NULL, pages INTEGER NOT NULL, first INTEGER NOT NULL,
        last INTEGER NOT NULL, PRIMARY KEY (site, line_hash));
    """,
    # 3: how precise an event's date is and what says so (storyweave.dates.EventDate)
    """
    ALTER TABLE events ADD COLUMN date_precision TEXT;
    ALTER TABLE events ADD COLUMN date_evidence TEXT NOT NULL DEFAULT '[]';
    UPDATE events SET date_precision = 'day' WHERE date IS NOT NULL;
    """,
    # 4: persistent entities (storyweave.entities.registry); a mention key belongs to one entity,
    # its surface forms and events follow it through merges and unmerges.
    """
    CREATE TABLE entities (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, merged_into INTEGER);
    CREATE TABLE entity_keys (key TEXT PRIMARY KEY, entity_id INTEGER NOT NULL, block TEXT NOT NULL,
        prefix TEXT NOT NULL);
    CREATE INDEX entity_keys_entity ON entity_keys(entity_id);
    CREATE INDEX entity_keys_block ON entity_keys(block);
    CREATE INDEX entity_keys_prefix ON entity_keys(prefix);
    CREATE TABLE entity_aliases (key TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL, kind TEXT NOT NULL,
        mentions INTEGER NOT NULL, PRIMARY KEY (key, lang, text, kind));
    CREATE TABLE entity_events (event_id TEXT NOT NULL, key TEXT NOT NULL, mentions INTEGER NOT NULL,
        PRIMARY KEY (event_id, key));
    CREATE INDEX entity_events_key ON entity_events(key);
    CREATE TABLE entity_merges (id INTEGER PRIMARY KEY, entity_id INTEGER NOT NULL, into_id INTEGER NOT NULL,
        reason TEXT NOT NULL, evidence TEXT NOT NULL, keys TEXT NOT NULL, at TEXT NOT NULL, undone TEXT);
    CREATE INDEX entity_merges_pair ON entity_merges(entity_id, into_id);
    """,
    # 5: merges and splits of events (storyweave.cluster.EventChange): which articles moved, why, when
    """
    CREATE TABLE event_changes (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, event_id TEXT NOT NULL,
        other_id TEXT NOT NULL, articles TEXT NOT NULL, reason TEXT NOT NULL, day TEXT, at TEXT NOT NULL);
    CREATE INDEX event_changes_event ON event_changes(event_id);
    CREATE INDEX event_changes_other ON event_changes(other_id);
    """,
    # 6: what the database was built with (the encoder of its latest run), so that later runs continue alike
    """
    CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """The storyweave database (``storyweave.db`` by default)."""

    def __init__(self, path: str | Path = "storyweave.db"):
        self.path = str(path)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.migrate()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        """Apply the migrations this file has not seen yet, each in its own transaction."""
        current = self.version
        if current > SCHEMA_VERSION:
            raise RuntimeError(f"{self.path} has schema {current}, newer than this storyweave ({SCHEMA_VERSION})")
        for number in range(current, SCHEMA_VERSION):
            with self.transaction():
                for statement in _statements(MIGRATIONS[number]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside are committed together or not at all."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def setting(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def put_setting(self, name: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (name, value))

    # -- articles -------------------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def find_by_body_key(self, body_key: str) -> str | None:
        row = self.db.execute("SELECT id FROM articles WHERE body_key = ? ORDER BY seq LIMIT 1", (body_key,)).fetchone()
        return row[0] if row else None

    def next_seq(self) -> int:
        return self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM articles").fetchone()[0]

    def put_article(self, article: Article, seq: int, body_key: str, removed: list[dict]) -> None:
        self.db.execute(
            "INSERT INTO articles (id, seq, source, url, site, title, body, lang, lang_confidence, published,"
            " metadata, removed, body_key, sentences, duplicate_of, translation_of, event_id, ingested_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (article.id, seq, article.source, article.url, article.site, article.title, article.body,
             article.lang, article.lang_confidence, article.published.isoformat() if article.published else None,
             json.dumps(article.metadata, ensure_ascii=False), json.dumps(removed, ensure_ascii=False), body_key,
             json.dumps(article.sentences, ensure_ascii=False), article.duplicate_of, article.translation_of,
             article.event_id, _now()),
        )
        self.db.executemany(
            "INSERT INTO mentions VALUES (?,?,?,?,?)",
            [(article.id, m.text, m.key, m.kind, m.sentence) for m in article.mentions],
        )
        self.db.executemany(
            "INSERT INTO times VALUES (?,?,?,?,?,?,?)",
            [(article.id, t.text, t.sentence, t.value.isoformat() if t.value else None, t.weekday,
              *(t.relative_days or (None, None))) for t in article.times],
        )

    def articles(self, ids: Iterable[str] | None = None) -> list[Article]:
        """Articles with their mentions and time expressions, in ingest order."""
        if ids is None:
            rows = self.db.execute("SELECT * FROM articles ORDER BY seq").fetchall()
        else:
            rows = self._rows_where_in("SELECT * FROM articles WHERE id IN ({})", list(ids))
            rows.sort(key=lambda r: r["seq"])
        wanted = [r["id"] for r in rows]
        mentions: dict[str, list[Mention]] = {}
        for r in self._rows_where_in("SELECT * FROM mentions WHERE article_id IN ({}) ORDER BY rowid", wanted):
            mentions.setdefault(r["article_id"], []).append(Mention(r["text"], r["key"], r["kind"], r["sentence"]))
        times: dict[str, list[TimeExpression]] = {}
        for r in self._rows_where_in("SELECT * FROM times WHERE article_id IN ({}) ORDER BY rowid", wanted):
            times.setdefault(r["article_id"], []).append(TimeExpression(
                r["text"], r["sentence"], date.fromisoformat(r["value"]) if r["value"] else None, r["weekday"],
                (r["rel_lo"], r["rel_hi"]) if r["rel_lo"] is not None else None))
        return [self._article(row, mentions.get(row["id"], []), times.get(row["id"], [])) for row in rows]

    def _rows_where_in(self, sql: str, values: list[str], before: tuple = ()) -> list:
        """Rows of ``sql`` whose ``IN ({})`` placeholder takes ``values``, in chunks (after the
        parameters ``before`` it)."""
        return [row for chunk in _chunks(values, 500)
                for row in self.db.execute(sql.format(",".join("?" * len(chunk))), [*before, *chunk])]

    @staticmethod
    def _article(row, mentions: list[Mention], times: list[TimeExpression]) -> Article:
        return Article(
            id=row["id"], source=row["source"], title=row["title"], body=row["body"], lang=row["lang"],
            lang_confidence=row["lang_confidence"], url=row["url"],
            published=date.fromisoformat(row["published"]) if row["published"] else None, site=row["site"],
            sentences=json.loads(row["sentences"]), mentions=mentions, times=times,
            metadata=json.loads(row["metadata"]), duplicate_of=row["duplicate_of"],
            translation_of=row["translation_of"], event_id=row["event_id"],
        )

    def translation_alignments(self, ids: list[str]) -> dict[str, float]:
        """Of these articles, those stored as translations, with their relation's score (the aligned share)."""
        return {r["article_id"]: r["score"] for r in self._rows_where_in(
            "SELECT article_id, score FROM relations WHERE kind = 'translation' AND article_id IN ({})", ids)}

    def put_relation(self, relation: Relation) -> None:
        column = "duplicate_of" if relation.kind == "duplicate" else "translation_of"
        self.db.execute("INSERT OR REPLACE INTO relations VALUES (?,?,?,?,?)",
                        (relation.article_id, relation.original_id, relation.kind, relation.score, relation.evidence))
        self.db.execute(f"UPDATE articles SET {column} = ? WHERE id = ?", (relation.original_id, relation.article_id))

    # -- rejected items ---------------------------------------------------------------

    def put_rejected(self, source: str, reason: str) -> None:
        self.db.execute("INSERT INTO rejected VALUES (?,?,?) ON CONFLICT(source) DO UPDATE SET reason = excluded.reason",
                        (source, reason, _now()))

    def clear_rejected(self, source: str) -> None:
        self.db.execute("DELETE FROM rejected WHERE source = ?", (source,))

    def rejected(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.db.execute("SELECT source, reason FROM rejected ORDER BY source")]

    # -- vectors ------------------------------------------------------------------------

    def get_vectors(self, text_hash: str, encoder: str) -> np.ndarray | None:
        row = self.db.execute("SELECT dim, vectors FROM embeddings WHERE text_hash = ? AND encoder = ?",
                              (text_hash, encoder)).fetchone()
        return None if row is None else np.frombuffer(row[1], np.float32).reshape(-1, row[0])

    def vector_rows(self, text_hashes: Iterable[str], encoder: str) -> dict[str, np.ndarray]:
        """The stored one-row vectors of these text hashes (as 1-d arrays), by hash."""
        found: dict[str, np.ndarray] = {}
        for chunk in _chunks(list(text_hashes), 500):
            for r in self.db.execute(f"SELECT text_hash, dim, vectors FROM embeddings WHERE encoder = ? AND"
                                     f" text_hash IN ({','.join('?' * len(chunk))})", [encoder, *chunk]):
                found[r[0]] = np.frombuffer(r[2], np.float32)[: r[1]]
        return found

    def merge_vectors_from(self, path: str | Path) -> None:
        """Copy the vectors of another storyweave database that this one lacks (a shared cache)."""
        self.db.execute("ATTACH DATABASE ? AS other", (str(path),))
        try:
            self.db.execute("INSERT OR IGNORE INTO main.embeddings SELECT * FROM other.embeddings")
        finally:
            self.db.execute("DETACH DATABASE other")

    def put_vectors(self, text_hash: str, encoder: str, vectors: np.ndarray) -> None:
        self.db.execute("INSERT OR REPLACE INTO embeddings VALUES (?,?,?,?)",
                        (text_hash, encoder, vectors.shape[1], np.ascontiguousarray(vectors, np.float32).tobytes()))

    # -- per-site line statistics (storyweave.clean.sites.SiteModel) ------------------------

    def site_page_count(self, site: str) -> int:
        row = self.db.execute("SELECT pages FROM sites WHERE site = ?", (site,)).fetchone()
        return row[0] if row else 0

    def has_site_page(self, site: str, page: str) -> bool:
        return self.db.execute("SELECT 1 FROM site_pages WHERE site = ? AND page = ?", (site, page)).fetchone() \
            is not None

    def site_lines(self, site: str, hashes: list[str]) -> dict[str, tuple[int, int, int]]:
        """(pages, first, last) of the lines of ``site`` with these hashes that are on record."""
        out: dict[str, tuple[int, int, int]] = {}
        for chunk in _chunks(hashes, 500):
            for r in self.db.execute(f"SELECT line_hash, pages, first, last FROM site_lines WHERE site = ? AND"
                                     f" line_hash IN ({','.join('?' * len(chunk))})", [site, *chunk]):
                out[r[0]] = (r[1], r[2], r[3])
        return out

    def put_site_changes(self, pages: dict[str, int], new_pages: list[tuple[str, str, int]],
                         lines: list[tuple[str, str, int, int, int]]) -> None:
        """Write the changes of a SiteModel: page counts per site, newly counted pages, line rows."""
        self.db.executemany("INSERT OR REPLACE INTO sites VALUES (?,?)", list(pages.items()))
        self.db.executemany("INSERT OR IGNORE INTO site_pages VALUES (?,?,?)", new_pages)
        self.db.executemany("INSERT OR REPLACE INTO site_lines VALUES (?,?,?,?,?)", lines)

    # -- events and stories -------------------------------------------------------------

    def member_events(self, event_ids: list[str]) -> dict[str, str]:
        """The event of each member of these events (article id -> event id), in ingest order."""
        rows = self._rows_where_in("SELECT id, event_id, seq FROM articles WHERE event_id IN ({})", event_ids)
        rows.sort(key=lambda r: r[2])
        return {r[0]: r[1] for r in rows}

    def open_events(self, limit: int) -> list[str]:
        """The ``limit`` most recently updated events, plus every event sharing a story with them."""
        recent = [r[0] for r in self.db.execute("SELECT id FROM events ORDER BY updated DESC, id LIMIT ?", (limit,))]
        stories = {r[0] for r in self._rows_where_in("SELECT story_id FROM events WHERE id IN ({})", recent)} - {None}
        related = [r[0] for r in self._rows_where_in("SELECT id FROM events WHERE story_id IN ({})", sorted(stories))]
        return list(dict.fromkeys(recent + related))

    def put_event(self, event_id: str, title: str, day: date | None, story_id: str, first_seen: int,
                  updated: int) -> None:
        """Insert or update an event; ``updated`` only ever grows (0 leaves it as it was)."""
        self.db.execute(
            "INSERT INTO events (id, title, date, story_id, first_seen, updated) VALUES (?,?,?,?,?,?)"
            " ON CONFLICT(id) DO UPDATE SET title=excluded.title, date=excluded.date, story_id=excluded.story_id,"
            " updated=MAX(updated, excluded.updated)",
            (event_id, title, day.isoformat() if day else None, story_id, first_seen, updated),
        )

    def event_dates(self, event_ids: list[str]) -> dict[str, EventDate]:
        rows = self._rows_where_in("SELECT id, date, date_precision, date_evidence FROM events WHERE id IN ({})",
                                   event_ids)
        return {r[0]: EventDate(date.fromisoformat(r[1]) if r[1] else None, r[2],
                                tuple((e["article"], e["phrase"]) for e in json.loads(r[3]))) for r in rows}

    def put_event_dates(self, dates: dict[str, EventDate]) -> None:
        """Set the date, its precision and evidence of events already stored."""
        self.db.executemany(
            "UPDATE events SET date = ?, date_precision = ?, date_evidence = ? WHERE id = ?",
            [(d.day.isoformat() if d.day else None, d.precision, json.dumps(d.as_json(), ensure_ascii=False), event_id)
             for event_id, d in dates.items()])

    def put_event_changes(self, changes: list[EventChange]) -> None:
        """Move the articles of each merge or split to their new event and record the change; a merged
        event's row goes, and the entity counts of the events involved are recounted from their articles."""
        for change in changes:
            for chunk in _chunks(list(change.articles), 500):
                self.db.execute(f"UPDATE articles SET event_id = ? WHERE id IN ({','.join('?' * len(chunk))})",
                                [change.moved_to, *chunk])
            self.db.execute("INSERT INTO event_changes (kind, event_id, other_id, articles, reason, day, at)"
                            " VALUES (?,?,?,?,?,?,?)",
                            (change.kind, change.event_id, change.other_id, json.dumps(change.articles),
                             change.reason, change.day.isoformat() if change.day else None, _now()))
        merged = [c.other_id for c in changes if c.kind == "merge"]
        self.delete_stories_of(merged)
        for chunk in _chunks(merged, 500):
            self.db.execute(f"DELETE FROM events WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        involved = sorted({e for c in changes for e in (c.event_id, c.other_id)})
        for chunk in _chunks(involved, 500):
            marks = ",".join("?" * len(chunk))
            self.db.execute(f"DELETE FROM entity_events WHERE event_id IN ({marks})", chunk)
            self.db.execute(f"INSERT INTO entity_events SELECT a.event_id, m.key, COUNT(*) FROM mentions m"
                            f" JOIN articles a ON a.id = m.article_id WHERE a.event_id IN ({marks})"
                            f" GROUP BY a.event_id, m.key", chunk)

    def event_changes(self, event_id: str | None = None) -> list[dict]:
        """Recorded merges and splits (all, or those involving ``event_id``), oldest first: id, kind,
        event_id, other_id, articles (moved), reason, day (the stream's clock), at (when recorded)."""
        where, args = (" WHERE event_id = ? OR other_id = ?", (event_id, event_id)) if event_id else ("", ())
        return [{**dict(r), "articles": json.loads(r["articles"])}
                for r in self.db.execute(f"SELECT * FROM event_changes{where} ORDER BY id", args)]

    def delete_stories_of(self, event_ids: list[str]) -> None:
        """Drop the stories that hold any of ``event_ids``, before those events are re-linked."""
        for chunk in _chunks(event_ids, 500):
            self.db.execute(f"DELETE FROM stories WHERE id IN (SELECT story_id FROM events WHERE id IN"
                            f" ({','.join('?' * len(chunk))}))", chunk)

    def put_stories(self, stories: list[Story]) -> None:
        self.db.executemany("INSERT INTO stories VALUES (?,?,?)",
                            [(s.id, s.title, json.dumps(s.event_ids)) for s in stories])

    def events(self, ids: list[str] | None = None) -> list[Event]:
        """Events (all, or those of ``ids``) with their members and languages, in order of first sighting."""
        where = "event_id IN ({})" if ids is not None else "event_id IS NOT NULL"
        members: dict[str, list[str]] = {}
        langs: dict[str, list[str]] = {}
        for row in self._select(f"SELECT id, event_id, lang FROM articles WHERE {where} ORDER BY seq", ids):
            members.setdefault(row[1], []).append(row[0])
            if row[2] not in langs.setdefault(row[1], []):
                langs[row[1]].append(row[2])
        rows = self._select("SELECT * FROM events" + (" WHERE id IN ({})" if ids is not None else ""), ids)
        return [Event(r["id"], r["title"], date.fromisoformat(r["date"]) if r["date"] else None,
                      members.get(r["id"], []), langs.get(r["id"], []), r["story_id"], r["date_precision"],
                      json.loads(r["date_evidence"]))
                for r in sorted(rows, key=lambda r: (r["first_seen"], r["id"]))]

    def _select(self, sql: str, ids: list[str] | None) -> list:
        """Rows of ``sql``; with ``ids``, its ``{}`` filled with their placeholders (in chunks)."""
        return list(self.db.execute(sql)) if ids is None else self._rows_where_in(sql, ids)

    def event_first_seen(self, event_ids: list[str]) -> dict[str, int]:
        return {r[0]: r[1] for r in self._rows_where_in("SELECT id, first_seen FROM events WHERE id IN ({})",
                                                         event_ids)}

    def event_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM events").fetchone()[0]

    def stories(self, ids: list[str] | None = None) -> list[Story]:
        """Stories (all, or those of ``ids``) in the order they were written."""
        rows = self._select("SELECT rowid, * FROM stories" + (" WHERE id IN ({})" if ids is not None else ""), ids)
        return [Story(r["id"], r["title"], json.loads(r["events"])) for r in sorted(rows, key=lambda r: r["rowid"])]

    # -- entities (storyweave.entities.registry.Registry) ---------------------------------

    def entity_key_list(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT key FROM entity_keys")]

    def entity_languages(self, limit: int) -> list[str]:
        """Up to ``limit`` of the languages the registry's names are written in."""
        return [r[0] for r in self.db.execute("SELECT DISTINCT lang FROM entity_aliases LIMIT ?", (limit,))]

    def entity_of_keys(self, keys: list[str]) -> dict[str, int]:
        return {r[0]: r[1] for r in self._rows_where_in("SELECT key, entity_id FROM entity_keys WHERE key IN ({})",
                                                         keys)}

    def new_entity(self, key: str, block: str, prefix: str) -> int:
        """A new entity holding only ``key`` (named after it until its forms are counted)."""
        entity_id = self.db.execute("INSERT INTO entities (name, kind) VALUES (?, 'other')", (key,)).lastrowid
        self.db.execute("INSERT INTO entity_keys VALUES (?,?,?,?)", (key, entity_id, block, prefix))
        return entity_id

    def add_entity_sightings(self, forms: list[tuple[str, str, str, str, int]],
                             events: list[tuple[str, str, int]]) -> None:
        """Add mention counts: (key, lang, text, kind, n) per surface form, (key, event, n) per event."""
        self.db.executemany("INSERT INTO entity_aliases VALUES (?,?,?,?,?) ON CONFLICT(key, lang, text, kind)"
                            " DO UPDATE SET mentions = mentions + excluded.mentions", forms)
        self.db.executemany("INSERT INTO entity_events VALUES (?,?,?) ON CONFLICT(event_id, key)"
                            " DO UPDATE SET mentions = mentions + excluded.mentions",
                            [(event, key, n) for key, event, n in events])

    def entity_keys_of_event(self, event_id: str, limit: int) -> list[str]:
        """The ``limit`` most mentioned keys of an event."""
        return [r[0] for r in self.db.execute("SELECT key FROM entity_events WHERE event_id = ?"
                                              " ORDER BY mentions DESC, key LIMIT ?", (event_id, limit))]

    def entity_candidates(self, key: str, blocks: tuple[str, str] | None, also: Iterable[str],
                          limit: int) -> dict[str, tuple[int, str, str]]:
        """Keys sharing an index block or prefix with ``key`` (at most ``limit``; none without
        ``blocks``), and the keys ``also``: entity, most frequent surface form and kind of each."""
        out: dict[str, tuple[int, str, str]] = {}
        for r in self._rows_where_in(
                "SELECT k.key, k.entity_id, a.text, a.kind FROM entity_keys k JOIN entity_aliases a USING (key)"
                " WHERE k.key IN ({}) ORDER BY a.mentions", self.candidate_keys(key, blocks, also, limit)):
            out[r[0]] = (r[1], r[2], r[3])  # the last row of a key is its most frequent form
        return out

    def candidate_keys(self, key: str, blocks: tuple[str, str] | None, also: Iterable[str], limit: int) -> list[str]:
        """The keys of :meth:`entity_candidates` (those without surface forms too), sorted."""
        keys = [r[0] for r in self.db.execute(
            "SELECT key FROM entity_keys WHERE block = ? UNION SELECT key FROM entity_keys WHERE prefix = ? LIMIT ?",
            (*blocks, limit))] if blocks else []
        return sorted(set(keys) | set(also) - {key})

    def entity_alias_rows(self, keys: list[str]) -> list[tuple[str, str, str, str, int]]:
        """(key, lang, text, kind, mentions) of every surface form of these keys."""
        return [tuple(r) for r in self._rows_where_in(
            "SELECT key, lang, text, kind, mentions FROM entity_aliases WHERE key IN ({})", keys)]

    def keys_of_entities(self, entity_ids: Iterable[int]) -> dict[int, list[str]]:
        """Every key of each of these entities (those with keys)."""
        found: dict[int, list[str]] = defaultdict(list)
        for entity, key in self._rows_where_in("SELECT entity_id, key FROM entity_keys WHERE entity_id IN ({})",
                                               [str(e) for e in entity_ids]):
            found[entity].append(key)
        return dict(found)

    def key_languages(self, keys: list[str]) -> dict[str, set[str]]:
        """The languages each key is written in."""
        found: dict[str, set[str]] = defaultdict(set)
        for key, lang in self._rows_where_in("SELECT DISTINCT key, lang FROM entity_aliases WHERE key IN ({})", keys):
            found[key].add(lang)
        return found

    def entity_key_languages(self, entity_ids: Iterable[int]) -> dict[int, dict[str, set[str]]]:
        """The keys of each entity with the languages each is written in."""
        found: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for entity, key, lang in self._rows_where_in(
                "SELECT DISTINCT k.entity_id, k.key, a.lang FROM entity_keys k JOIN entity_aliases a USING (key)"
                " WHERE k.entity_id IN ({})", [str(e) for e in entity_ids]):
            found[entity][key].add(lang)
        return found

    def entity_key_counts(self, entity_ids: Iterable[int]) -> dict[int, int]:
        """How many keys of names each entity holds (its country key is none)."""
        return dict(self._rows_where_in("SELECT entity_id, COUNT(*) FROM entity_keys WHERE key NOT LIKE 'country:%'"
                                        " AND entity_id IN ({}) GROUP BY entity_id", [str(e) for e in entity_ids]))

    def entity_forms(self, entity_ids: Iterable[int]) -> dict[int, list[tuple[str, str, str, str, int]]]:
        """(key, lang, text, kind, mentions) of every surface form of each entity."""
        forms: dict[int, list[tuple[str, str, str, str, int]]] = {}
        for r in self._rows_where_in(
                "SELECT k.entity_id, a.key, a.lang, a.text, a.kind, a.mentions FROM entity_keys k"
                " JOIN entity_aliases a USING (key) WHERE k.entity_id IN ({}) ORDER BY a.mentions DESC, a.text",
                [str(e) for e in entity_ids]):
            forms.setdefault(r[0], []).append((r[1], r[2], r[3], r[4], r[5]))
        return forms

    def entity_country_keys(self, entity_ids: Iterable[int]) -> dict[int, str]:
        """The country key ("country:XX") of each entity that has one."""
        return {r[0]: r[1] for r in self._rows_where_in(
            "SELECT entity_id, key FROM entity_keys WHERE key LIKE 'country:%' AND entity_id IN ({})",
            [str(e) for e in entity_ids])}

    def set_entity(self, entity_id: int, name: str, kind: str) -> None:
        self.db.execute("UPDATE entities SET name = ?, kind = ? WHERE id = ?", (name, kind, entity_id))

    def entity_mentions(self, entity_id: int) -> int:
        return self.db.execute("SELECT COALESCE(SUM(a.mentions), 0) FROM entity_keys k JOIN entity_aliases a"
                               " USING (key) WHERE k.entity_id = ?", (entity_id,)).fetchone()[0]

    def merge_was_undone(self, a: int, b: int) -> bool:
        return self.db.execute("SELECT 1 FROM entity_merges WHERE undone IS NOT NULL AND ((entity_id = ? AND"
                               " into_id = ?) OR (entity_id = ? AND into_id = ?))", (a, b, b, a)).fetchone() is not None

    def merge_entities(self, entity_id: int, into_id: int, reason: str, evidence: str) -> int:
        """Move every key of ``entity_id`` to ``into_id``; the merge is recorded with the keys moved."""
        keys = [r[0] for r in self.db.execute("SELECT key FROM entity_keys WHERE entity_id = ? ORDER BY key",
                                              (entity_id,))]
        self.db.execute("UPDATE entity_keys SET entity_id = ? WHERE entity_id = ?", (into_id, entity_id))
        self.db.execute("UPDATE entities SET merged_into = ? WHERE id = ?", (into_id, entity_id))
        return self.db.execute("INSERT INTO entity_merges (entity_id, into_id, reason, evidence, keys, at)"
                               " VALUES (?,?,?,?,?,?)",
                               (entity_id, into_id, reason, evidence, json.dumps(keys, ensure_ascii=False),
                                _now())).lastrowid

    def undo_merge(self, merge_id: int) -> tuple[int, int, str, str]:
        """Give the merged entity its keys back; (entity, into, reason, evidence) of the merge.

        Raises KeyError for an unknown merge, ValueError for one already undone."""
        row = self.db.execute("SELECT * FROM entity_merges WHERE id = ?", (merge_id,)).fetchone()
        if row is None:
            raise KeyError(f"no merge {merge_id}")
        if row["undone"]:
            raise ValueError(f"merge {merge_id} was already undone at {row['undone']}")
        keys = json.loads(row["keys"])
        for chunk in _chunks(keys, 500):
            self.db.execute(f"UPDATE entity_keys SET entity_id = ? WHERE key IN ({','.join('?' * len(chunk))})",
                            [row["entity_id"], *chunk])
        self.db.execute("UPDATE entities SET merged_into = NULL WHERE id = ?", (row["entity_id"],))
        self.db.execute("UPDATE entity_merges SET undone = ? WHERE id = ?", (_now(), merge_id))
        return row["entity_id"], row["into_id"], row["reason"], row["evidence"]

    def entity_merges(self) -> list[dict]:
        return [dict(r) for r in self.db.execute("SELECT * FROM entity_merges ORDER BY id")]

    def entity_rows(self, event_id: str | None = None, limit: int | None = None) -> list[dict]:
        """Entities (all, or those of one event): id, name, kind, mentions (in the event); most mentioned first."""
        where, args = ("JOIN entity_events e ON e.key = k.key AND e.event_id = ?", [event_id]) if event_id \
            else ("JOIN entity_aliases e ON e.key = k.key", [])
        return [dict(r) for r in self.db.execute(
            f"SELECT n.id, n.name, n.kind, SUM(e.mentions) AS mentions FROM entities n JOIN entity_keys k"
            f" ON k.entity_id = n.id {where} WHERE n.merged_into IS NULL GROUP BY n.id"
            f" ORDER BY mentions DESC, n.name LIMIT ?", [*args, -1 if limit is None else limit])]

    def event_entities(self) -> dict[str, list[dict]]:
        """Each event's entities (id, name, kind, mentions), most mentioned first."""
        out: dict[str, list[dict]] = {}
        for r in self.db.execute(
                "SELECT e.event_id, n.id, n.name, n.kind, SUM(e.mentions) AS mentions FROM entity_events e"
                " JOIN entity_keys k ON k.key = e.key JOIN entities n ON n.id = k.entity_id"
                " GROUP BY e.event_id, n.id ORDER BY e.event_id, mentions DESC, n.name"):
            out.setdefault(r[0], []).append({"id": r[1], "name": r[2], "kind": r[3], "mentions": r[4]})
        return out

    # -- search -------------------------------------------------------------------------

    def search(self, query: str, limit: int = 20) -> list[tuple[str, str, str]]:
        """(id, title, snippet) of articles matching an FTS5 query, best first."""
        if not query.strip():
            return []
        sql = ("SELECT a.id, a.title, snippet(articles_fts, 1, '[', ']', '…', 12) FROM articles_fts"
               " JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?")
        try:
            rows = self.db.execute(sql, (query, limit)).fetchall()
        except sqlite3.OperationalError:
            quoted = " ".join('"' + w.replace('"', '""') + '"' for w in query.split())
            rows = self.db.execute(sql, (quoted, limit)).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]


def _statements(script: str) -> list[str]:
    """Split a migration into statements (trigger bodies contain semicolons)."""
    out, buffer = [], ""
    for line in script.strip().splitlines():
        buffer += line + "\n"
        if sqlite3.complete_statement(buffer):
            out.append(buffer.strip())
            buffer = ""
    return out


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
