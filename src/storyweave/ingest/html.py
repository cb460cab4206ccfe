"""HTML files: one article per file, decoded by BOM, ``<meta charset>``, UTF-8 or detection."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from storyweave.ingest.files import decode, read_limited
from storyweave.models import Document, Rejected

# Covers both <meta charset="x"> and <meta http-equiv="Content-Type" content="...; charset=x">.
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_PRESCAN_BYTES = 4096


def _meta_charset(data: bytes) -> str | None:
    """The charset declared by a ``<meta>`` tag near the start of ``data``, if any."""
    match = _META_CHARSET.search(data[:_PRESCAN_BYTES])
    return match.group(1).decode("ascii") if match else None


def decode_html(data: bytes, *declared: str | None, item: str = "file") -> str:
    """Decode HTML, trusting a BOM, then ``declared`` (e.g. HTTP) charsets, then ``<meta>``."""
    return decode(data, *declared, _meta_charset(data), item=item)


def read_html(path: Path, source: str, max_bytes: int) -> Iterator[Document | Rejected]:
    """The whole decoded file as one html Document."""
    yield Document(source=source, content=decode_html(read_limited(path, max_bytes)), format="html")
