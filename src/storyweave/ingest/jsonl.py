"""JSON Lines: one article object per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from io import BufferedIOBase
from pathlib import Path
from typing import Any, Literal

from storyweave.ingest.files import IngestError, decode, nonblank, open_stream, too_large
from storyweave.models import Document, Rejected

_BODY_KEYS: tuple[tuple[str, Literal["text", "html"]], ...] = (
    ("text", "text"),
    ("body", "text"),
    ("html", "html"),
)
# Where a publication date may be (the first that parses wins).
_DATE_KEYS = ("published", "date", "published_at", "publish_date", "pubDate", "datePublished", "date_published")
# Only absolute dates with day, month and year: nothing is filled in from "now".
_DATEPARSER_SETTINGS = {
    "PARSERS": ["custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
}


def read_jsonl(path: Path, source: str, max_bytes: int) -> Iterator[Document | Rejected]:
    """One Document per line; a bad line is Rejected as ``path#lineno`` and the rest go on."""
    seen = 0
    with open_stream(path) as stream:
        for lineno, line in enumerate(_lines(stream, max_bytes), 1):
            if line is not None and not line.strip():
                continue
            seen += 1
            item = f"{source}#{lineno}"
            try:
                if line is None:
                    raise too_large(max_bytes)
                yield _document(line, item)
            except IngestError as exc:
                yield Rejected(item, str(exc))
    if not seen:
        raise IngestError("empty file")


def _lines(stream: BufferedIOBase, max_bytes: int) -> Iterator[bytes | None]:
    """Lines of ``stream``, with None for (and skipping the rest of) a line over ``max_bytes``."""
    while line := stream.readline(max_bytes + 1):
        if len(line) <= max_bytes or line.endswith(b"\n"):
            yield line
            continue
        while (rest := stream.readline(65536)) and not rest.endswith(b"\n"):
            pass
        yield None


def _document(line: bytes, item: str) -> Document:
    try:
        obj = json.loads(decode(line, item="line"))
    except RecursionError:
        raise IngestError("malformed JSON: nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise IngestError(f"malformed JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise IngestError(f"not a JSON object but {type(obj).__name__}")
    bodies = [(text, fmt) for key, fmt in _BODY_KEYS if (text := nonblank(obj.get(key)))]
    if not bodies:
        wrong = [key for key, _ in _BODY_KEYS if key in obj and obj[key] is not None and not isinstance(obj[key], str)]
        raise IngestError(f'"{wrong[0]}" is not a string' if wrong else "no text, body or html")
    content, fmt = bodies[0]
    url = nonblank(obj.get("url"))
    return Document(
        source=url or item,
        content=content,
        format=fmt,
        title=nonblank(obj.get("title")),
        url=url,
        published=next(filter(None, map(normalise_date, (obj.get(k) for k in _DATE_KEYS))), None),
        lang=nonblank(obj.get("lang")),
        site=nonblank(obj.get("source")),
    )


def normalise_date(value: Any) -> str | None:
    """An ISO-8601 date or datetime for ``value``, or None if it is not an absolute date."""
    text = nonblank(value)
    if text is None:
        return None
    for parse in (date.fromisoformat, datetime.fromisoformat):
        try:
            return parse(text).isoformat()
        except ValueError:
            continue
    import dateparser  # slow to import; only needed for non-ISO dates

    parsed: datetime | None = dateparser.parse(text, settings=_DATEPARSER_SETTINGS)
    if parsed is None:
        return None
    if parsed.time() == datetime.min.time() and parsed.tzinfo is None:
        return parsed.date().isoformat()
    return parsed.isoformat()
