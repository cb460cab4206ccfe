"""Plain-text files: one article per file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from storyweave.ingest.files import decode, read_limited
from storyweave.models import Document, Rejected


def read_text(path: Path, source: str, max_bytes: int) -> Iterator[Document | Rejected]:
    """The whole decoded file as one text Document; the clean stage picks its title."""
    yield Document(source=source, content=decode(read_limited(path, max_bytes)), format="text")
