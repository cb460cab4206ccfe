"""Small typed records passed between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal


@dataclass(frozen=True, slots=True)
class Document:
    """One raw input item as read by ingest, before cleaning.

    ``source`` names where it came from: a path, ``path#N`` for the N-th item of
    a JSONL/WARC/RSS file, or a URL when the container gives one.
    """

    source: str
    content: str
    format: Literal["text", "html"]
    title: str | None = None
    url: str | None = None
    published: str | None = None
    lang: str | None = None
    site: str | None = None
    captured: str | None = field(default=None, compare=False)  # when a crawler fetched it (not its identity)


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input item that could not be read, with a human-readable reason."""

    source: str
    reason: str

    @classmethod
    def internal(cls, source: str, error: Exception, doing: str = "") -> Rejected:
        """An item a stage failed on unexpectedly (a bug, not bad input), with the error."""
        return cls(source, f"internal error{' ' + doing if doing else ''} ({type(error).__name__}: {error})")


@dataclass(frozen=True, slots=True)
class Block:
    """A kept piece of an article: a paragraph, an in-body heading or a caption."""

    kind: Literal["paragraph", "heading", "caption"]
    text: str


@dataclass(frozen=True, slots=True)
class Removal:
    """A segment cleaning removed, and why."""

    text: str
    reason: str


@dataclass(slots=True)
class Cleaned:
    """Output of the clean stage for one document."""

    title: str
    blocks: list[Block]
    removed: list[Removal] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def body(self) -> str:
        """Paragraphs and headings of the body, separated by blank lines."""
        return "\n\n".join(b.text for b in self.blocks if b.kind != "caption")


@dataclass(frozen=True, slots=True)
class Mention:
    """A named entity found in an article; ``key`` is its cross-lingual identity, ``start`` and
    ``end`` its character offsets in the sentence (0, 0 where unknown, as for stored mentions)."""

    text: str
    key: str
    kind: Literal["person", "place", "org", "other"]
    sentence: int
    start: int = 0
    end: int = 0


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """A date reference found in text, resolved to a day where an anchor allows."""

    text: str
    sentence: int
    value: date | None = None
    weekday: int | None = None
    relative_days: tuple[int, int] | None = None


@dataclass(slots=True)
class Article:
    """A cleaned, analysed article: what every stage after cleaning reads and adds to.

    ``sentences`` holds the title first, then the body sentences; mention and time
    sentence indexes refer to it.
    """

    id: str
    source: str
    title: str
    body: str
    lang: str = "und"
    lang_confidence: float = 0.0
    url: str | None = None
    published: date | None = None
    site: str | None = None
    sentences: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    times: list[TimeExpression] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    duplicate_of: str | None = None
    translation_of: str | None = None
    event_id: str | None = None


@dataclass(slots=True)
class Event:
    """Articles from any sources and languages that report one happening."""

    id: str
    title: str
    date: date | None
    article_ids: list[str]
    languages: list[str]
    story_id: str | None = None
    date_precision: str | None = None  # "day", "week" or "month"
    date_evidence: list[dict[str, str]] = field(default_factory=list)  # {"article", "phrase"}


@dataclass(slots=True)
class Story:
    """A storyline: events that continue one another, oldest first."""

    id: str
    title: str
    event_ids: list[str]
