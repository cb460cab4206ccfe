"""RSS and Atom feeds (via feedparser): one Document per entry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from time import struct_time
from typing import Any

import feedparser

from storyweave.ingest.files import IngestError, check_content, nonblank, read_limited
from storyweave.models import Document, Rejected

_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")


def read_feed(path: Path, source: str, max_bytes: int) -> Iterator[Document | Rejected]:
    """Documents for a feed's entries; a broken or unknown feed without entries is Rejected."""
    data = read_limited(path, max_bytes)
    check_content(data)
    parsed = feedparser.parse(data)
    if not parsed.entries and parsed.bozo:
        raise IngestError(f"malformed feed: {parsed.get('bozo_exception')}")
    if not parsed.entries and not parsed.version:
        raise IngestError("not an RSS or Atom feed")
    site = nonblank(parsed.feed.get("title"))
    lang = nonblank(parsed.feed.get("language"))
    for number, entry in enumerate(parsed.entries, 1):
        link = nonblank(entry.get("link"))
        item = link or f"{source}#{number}"
        content = _content(entry)
        if content is None:
            yield Rejected(item, "feed entry without content or summary")
            continue
        yield Document(
            source=item,
            content=content,
            format="html" if _TAG.search(content) else "text",
            title=nonblank(entry.get("title")),
            url=link,
            published=_iso(entry.get("published_parsed") or entry.get("updated_parsed")),
            lang=lang,
            site=site,
        )


def _content(entry: Any) -> str | None:
    """The entry's full content, else its summary."""
    for part in entry.get("content", []):
        if value := nonblank(part.get("value")):
            return value
    return nonblank(entry.get("summary"))


def _iso(parsed: struct_time | None) -> str | None:
    """feedparser's UTC time tuple as an ISO-8601 datetime."""
    if parsed is None:
        return None
    return datetime(*parsed[:6], tzinfo=UTC).isoformat()
