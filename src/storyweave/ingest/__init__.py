"""Ingest: read text, HTML, JSONL, WARC and RSS/Atom inputs into Documents.

Bad input never raises: each unreadable file or item becomes a ``Rejected``
with a human-readable reason, and reading goes on with the next one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from storyweave.ingest.feed import read_feed
from storyweave.ingest.files import GZIP_ERRORS, IngestError, format_of, resolve_format, walk
from storyweave.ingest.html import read_html
from storyweave.ingest.jsonl import read_jsonl
from storyweave.ingest.text import read_text
from storyweave.ingest.warc import read_warc
from storyweave.models import Document, Rejected

__all__ = ["read_paths"]

Reader = Callable[[Path, str, int], Iterator[Document | Rejected]]
_READERS: dict[str, Reader] = {
    "text": read_text,
    "html": read_html,
    "jsonl": read_jsonl,
    "warc": read_warc,
    "feed": read_feed,
}


def read_paths(
    paths: Iterable[str | os.PathLike[str]], max_bytes: int = 20_000_000
) -> Iterator[Document | Rejected]:
    """Documents and Rejected items from files and directories, in a deterministic order.

    Paths come in the given order; directories are walked recursively in name
    order, skipping hidden entries and files of unknown type. A file named
    explicitly with an unknown extension has its type sniffed from its content.
    """
    for given in paths:
        source = os.fspath(given)
        if not os.path.isdir(source):
            yield from _read_file(source, format_of(source), max_bytes)
            continue
        for found in walk(source):
            if isinstance(found, Rejected):
                yield found
            elif fmt := format_of(found):
                yield from _read_file(found, fmt, max_bytes)


def _read_file(source: str, fmt: str | None, max_bytes: int) -> Iterator[Document | Rejected]:
    """Everything in one file, turning any failure into a Rejected for the file."""
    path = Path(source)
    try:
        if not path.is_file():
            raise IngestError("not a regular file" if path.exists() else "no such file")
        if path.stat().st_size == 0:
            raise IngestError("empty file")
        yield from _READERS[resolve_format(path, fmt)](path, source, max_bytes)
    except IngestError as exc:
        yield Rejected(source, str(exc))
    except GZIP_ERRORS as exc:
        yield Rejected(source, f"not valid gzip: {exc}")
    except OSError as exc:
        yield Rejected(source, f"cannot read file: {exc.strerror or exc}")
    except Exception as exc:  # a parser bug must not end the run: this file is reported, the next is read
        yield Rejected.internal(source, exc, "reading file")
