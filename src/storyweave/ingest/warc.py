"""WARC (and ARC) archives: one Document per successful HTML or plain-text response."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Literal

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataException
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeadersParserException

from storyweave.ingest.files import GZIP_ERRORS, IngestError, decode, too_large
from storyweave.ingest.html import decode_html
from storyweave.models import Document, Rejected

_FORMATS: dict[str, Literal["text", "html"]] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
}
_ARCHIVE_ERRORS = (ArchiveLoadFailed, StatusAndHeadersParserException, ValueError, *GZIP_ERRORS)
_PAYLOAD_ERRORS = (ChunkedDataException, zlib.error, EOFError)


def read_warc(path: Path, source: str, max_bytes: int) -> Iterator[Document | Rejected]:
    """Documents from ``response`` records; a corrupt or truncated archive ends in a rejection."""
    with path.open("rb") as stream:
        records = ArchiveIterator(stream, arc2warc=True)
        previous: ArcWarcRecord | None = None
        number = 0
        try:
            for number, record in enumerate(records, 1):
                _check_intact(previous, number - 1)
                if item := _item(record, f"{source}#{number}", max_bytes):
                    yield item
                previous = record
        except _ARCHIVE_ERRORS as exc:
            raise IngestError(f"corrupt WARC: {exc}".strip()) from None
        except (AttributeError, TypeError):  # warcio on a record without the headers it expects
            raise IngestError(f"corrupt WARC: record {number + 1} lacks required headers") from None
    if previous is None:
        raise IngestError("no WARC records")
    _check_intact(previous, number)
    if records.offset < path.stat().st_size:
        raise IngestError(f"truncated WARC: unreadable data after byte {records.offset}")


def _damage(record: ArcWarcRecord) -> str | None:
    """What is wrong with a record read to its end: headers or content cut short."""
    if record.rec_headers.get_header("Content-Length") is None:
        return "has no Content-Length"
    if missing := getattr(record.raw_stream, "limit", 0):
        return f"is missing {missing} bytes"
    return None


def _check_intact(record: ArcWarcRecord | None, number: int) -> None:
    if record is not None and (damage := _damage(record)):
        raise IngestError(f"truncated WARC: record {number} {damage}")


def _item(record: ArcWarcRecord, item: str, max_bytes: int) -> Document | Rejected | None:
    """A Document for a 200 HTML/text response, a Rejected if unreadable, else None."""
    headers = record.http_headers
    if record.rec_type != "response" or headers is None or headers.get_statuscode() != "200":
        return None
    content_type = Message()
    content_type["Content-Type"] = headers.get_header("Content-Type") or ""
    fmt = _FORMATS.get(content_type.get_content_type())
    if fmt is None:
        return None
    try:
        payload = record.content_stream().read(max_bytes + 1)
        if len(payload) > max_bytes:
            raise too_large(max_bytes)
        while record.raw_stream.read(65536):  # to the record's end, so a cut-short one shows
            pass
        if _damage(record):
            return None  # read_warc rejects the file when it moves on
        decoder = decode_html if fmt == "html" else decode
        content = decoder(payload, content_type.get_content_charset(), item="payload")
    except _PAYLOAD_ERRORS as exc:
        return Rejected(item, f"cannot read payload: {exc}")
    except IngestError as exc:
        return Rejected(item, str(exc))
    url = record.rec_headers.get_header("WARC-Target-URI")
    return Document(source=url or item, content=content, format=fmt, url=url,
                    captured=record.rec_headers.get_header("WARC-Date"))
