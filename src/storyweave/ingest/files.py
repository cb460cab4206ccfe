"""Shared ingest helpers: discovery, bounded reading, decoding and format sniffing."""

from __future__ import annotations

import codecs
import gzip
import os
import re
import zlib
from collections.abc import Iterator
from io import BufferedIOBase
from pathlib import Path

import charset_normalizer

from storyweave.models import Rejected

#: Input format by file extension (after any ``.gz``); ``xml`` is sniffed for feed markup.
EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".warc": "warc",
    ".arc": "warc",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "xml",
}

#: What a broken gzip stream raises while it is read.
GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)

_HEAD_BYTES = 4096
_BOMS = (  # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control bytes that do not occur in text (tab, newlines, form feed and ESC do).
_CONTROL = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL)
_MAX_CONTROL_RATIO = 0.05
# Legacy labels are read as their Windows supersets, as browsers do.
_SUPERSETS = {"ascii": "cp1252", "iso8859-1": "cp1252", "iso8859-9": "cp1254"}
_FEED_MARKUP = re.compile(r"<(rss|feed|rdf:rdf)[\s>]")
_HTML_MARKUP = re.compile(
    r"<(!doctype\s+html|html|head|body|title|meta|div|p|article|section|h[1-6])[\s>/]"
)


class IngestError(Exception):
    """An input item cannot be read; the message is the human-readable reason."""


def too_large(max_bytes: int) -> IngestError:
    """The error for an item over the size limit."""
    return IngestError(f"item larger than {max_bytes} bytes")


def nonblank(value: object) -> str | None:
    """``value`` stripped if it is a non-blank string, else None."""
    return value.strip() or None if isinstance(value, str) else None


def walk(root: str) -> Iterator[str | Rejected]:
    """Files under ``root``, depth first, sorted by name; hidden entries are skipped."""
    try:
        with os.scandir(root) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:
        yield Rejected(root, f"cannot read directory: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = os.path.join(root, entry.name)
        if entry.is_dir(follow_symlinks=False):
            yield from walk(path)
        else:
            yield path


def format_of(path: str | Path) -> str | None:
    """The format named by the extension (``.gz`` looked through), or None."""
    name = Path(path).name.lower().removesuffix(".gz")
    return EXTENSIONS.get(Path(name).suffix)


def open_stream(path: Path) -> BufferedIOBase:
    """Open ``path`` for binary reading, decompressing a ``.gz`` file."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


def read_limited(path: Path, max_bytes: int) -> bytes:
    """Whole (decompressed) content of ``path``, refusing more than ``max_bytes``."""
    if not path.name.lower().endswith(".gz") and path.stat().st_size > max_bytes:
        raise too_large(max_bytes)
    with open_stream(path) as stream:
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    return data


def resolve_format(path: Path, named: str | None) -> str:
    """The reader for ``path``: the extension's format, or one sniffed from the first bytes."""
    if named not in (None, "xml"):
        return named
    with open_stream(path) as stream:
        head = stream.read(_HEAD_BYTES)
    if named == "xml":
        if _FEED_MARKUP.search(_head_text(head)):
            return "feed"
        raise IngestError("unsupported XML (not an RSS, Atom or RDF feed)")
    return _sniff(head)


def _sniff(head: bytes) -> str:
    text = _head_text(head).lstrip()
    if text.startswith("warc/"):  # before the binary check: payloads may be binary
        return "warc"
    if _binary_reason(head):
        raise IngestError("unsupported file type (binary content)")
    if text.startswith("{"):
        return "jsonl"
    if text.startswith("<"):
        if _FEED_MARKUP.search(text):
            return "feed"
        if _HTML_MARKUP.search(text):
            return "html"
        raise IngestError("unsupported file type (markup that is neither HTML nor a feed)")
    return "text"


def _head_text(head: bytes) -> str:
    """The first bytes as lower-case text, good enough to look for markup."""
    return head.decode(_bom_encoding(head) or "utf-8", errors="ignore").lstrip("\ufeff").lower()


def _bom_encoding(data: bytes) -> str | None:
    return next((name for bom, name in _BOMS if data.startswith(bom)), None)


def _binary_reason(data: bytes) -> str | None:
    """Why ``data`` looks binary rather than text, or None."""
    if _bom_encoding(data) in ("utf-16", "utf-32"):
        return None
    if b"\0" in data:
        return "binary content (NUL bytes)"
    if len(data.translate(None, _NOT_CONTROL)) > _MAX_CONTROL_RATIO * len(data):
        return "binary content (control characters)"
    return None


def check_content(data: bytes, item: str = "file") -> None:
    """Raise if ``data`` is empty, whitespace or binary; ``item`` names it in the reason."""
    if not data.strip():
        raise IngestError(f"empty {item}")
    if reason := _binary_reason(data):
        raise IngestError(reason)


def decode(data: bytes, *declared: str | None, item: str = "file") -> str:
    """Decode text: BOM, then the ``declared`` charsets, then UTF-8, then a detected encoding."""
    check_content(data, item)
    text = _decode(data, [_codec(label) for label in declared])
    if not text.strip():
        raise IngestError(f"empty {item}")
    return text


def _decode(data: bytes, declared: list[str | None]) -> str:
    if bom := _bom_encoding(data):
        try:
            return data.decode(bom)
        except UnicodeDecodeError as exc:
            raise IngestError(f"cannot decode text as {bom}: {exc.reason}") from None
    for encoding in (*filter(None, declared), "utf-8"):
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):  # LookupError: a bytes-to-bytes codec
            continue
    return _detect(data)


def _detect(data: bytes) -> str:
    """charset-normalizer's best guess, except that Windows-1252 wins a tie.

    On short Western European text the detector often cannot tell cp1252 from
    cp1250 or cp437, yet cp1252 (a superset of latin-1) is by far the likelier.
    """
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise IngestError("cannot decode text in any known encoding")
    western = charset_normalizer.from_bytes(data, cp_isolation=["cp1252"]).best()
    if western and western.chaos <= best.chaos + 0.1 and western.coherence >= best.coherence:
        return str(western)
    return str(best)


def _codec(label: str | None) -> str | None:
    """Python codec for a declared charset label; None if unknown or not ASCII-compatible."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):  # a label in ASCII markup cannot be right
        return None
    return _SUPERSETS.get(name, name)
