"""Per-site boilerplate learned from the pages of one site (as EMM and news-please do).

A line that recurs on many pages of the same site (menus, footers, newsletter
boxes, disclaimers) is boilerplate of that site. :class:`SiteModel` keeps, per
site, how many pages it has seen and, per line (a hash of its normalised text),
on how many pages it occurred, on which page of the site it was first and last
seen. A line is site boilerplate once the site has :data:`MIN_SITE_PAGES` pages
on record, the line occurred on at least :data:`MIN_LINE_PAGES` of them, on at
least :data:`MIN_SHARE` of the site's pages since it first appeared, and within
the last :data:`WINDOW` pages. So the first articles of a site are never
touched, and a line that stops recurring is forgotten.

The model is incremental and keeps nothing of its own between runs: it reads
what it needs from a backing store (any object with the ``site_*`` methods of
:class:`storyweave.store.Store`; none: memory only) and collects its changes,
which the caller writes (:meth:`SiteModel.changes`) in its own transaction.
Each page is counted once, keyed by a content hash, so re-reading the same
input changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from storyweave.models import Document
from storyweave.text import content_hash

MIN_SITE_PAGES = 3  # the site needs this many pages on record before lines are judged
MIN_LINE_PAGES = 3  # a boilerplate line occurred on at least this many pages ...
MIN_SHARE = 0.6  # ... and on this share of the site's pages since it first appeared ...
WINDOW = 200  # ... and was last seen within this many pages of the site

_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def site_of(doc: Document) -> str | None:
    """The site of a document: ``doc.site``, else the host of ``doc.url`` (without "www.")."""
    if doc.site and doc.site.strip():
        return doc.site.strip().lower()
    if not doc.url:
        return None
    try:
        host = urlsplit(doc.url.strip()).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def line_hash(text: str) -> str:
    """Hash of a line, insensitive to case, spacing and numbers (counters, dates in footers)."""
    normal = _SPACE.sub(" ", _DIGITS.sub("0", text.casefold())).strip()
    return hashlib.blake2b(normal.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(slots=True)
class LineStats:
    """How often a line occurred on a site: pages, and the site's page numbers it was first/last seen on."""

    pages: int
    first: int
    last: int


class SiteBackend(Protocol):
    """Where the model's state lives between runs (the store)."""

    def site_page_count(self, site: str) -> int: ...
    def has_site_page(self, site: str, page: str) -> bool: ...
    def site_lines(self, site: str, hashes: list[str]) -> dict[str, tuple[int, int, int]]: ...


class SiteModel:
    """Incremental per-site line statistics: judge a page's lines, then record the page."""

    def __init__(self, backend: SiteBackend | None = None, min_site_pages: int = MIN_SITE_PAGES,
                 min_line_pages: int = MIN_LINE_PAGES, min_share: float = MIN_SHARE, window: int = WINDOW):
        self.backend = backend
        self.min_site_pages, self.min_line_pages = min_site_pages, min_line_pages
        self.min_share, self.window = min_share, window
        self._pages: dict[str, int] = {}  # site -> pages on record
        self._lines: dict[tuple[str, str], LineStats] = {}
        self._known: set[tuple[str, str]] = set()  # (site, page key) counted
        self._new_pages: list[tuple[str, str, int]] = []
        self._dirty: set[tuple[str, str]] = set()

    # -- state, loaded on demand -----------------------------------------------------

    def _page_count(self, site: str) -> int:
        if site not in self._pages:
            self._pages[site] = self.backend.site_page_count(site) if self.backend else 0
        return self._pages[site]

    def _stats(self, site: str, hashes: list[str]) -> dict[str, LineStats]:
        missing = [h for h in hashes if (site, h) not in self._lines]
        if missing and self.backend:
            for h, (pages, first, last) in self.backend.site_lines(site, missing).items():
                self._lines[(site, h)] = LineStats(pages, first, last)
        return {h: self._lines[(site, h)] for h in hashes if (site, h) in self._lines}

    def _counted(self, site: str, page: str) -> bool:
        if (site, page) in self._known:
            return True
        if self.backend and self.backend.has_site_page(site, page):
            self._known.add((site, page))
            return True
        return False

    # -- the interface -----------------------------------------------------------------

    def boilerplate(self, site: str, lines: list[str]) -> list[bool]:
        """For each of ``lines`` (a page of ``site``), whether it is boilerplate of that site."""
        pages = self._page_count(site)
        if pages < self.min_site_pages:
            return [False] * len(lines)
        hashes = [line_hash(line) for line in lines]
        stats = self._stats(site, sorted(set(hashes)))
        return [self._is_boilerplate(stats.get(h), pages) for h in hashes]

    def _is_boilerplate(self, stats: LineStats | None, pages: int) -> bool:
        return (stats is not None and stats.pages >= self.min_line_pages and pages - stats.last < self.window
                and stats.pages >= self.min_share * (pages - stats.first + 1))

    def record(self, site: str, page: str, lines: list[str]) -> bool:
        """Count the page ``page`` (a content hash) of ``site`` with its ``lines``; False if already counted."""
        if self._counted(site, page):
            return False
        number = self._page_count(site) + 1
        self._pages[site] = number
        self._known.add((site, page))
        self._new_pages.append((site, page, number))
        hashes = sorted({line_hash(line) for line in lines})
        stats = self._stats(site, hashes)
        for h in hashes:
            if h in stats:
                stats[h].pages += 1
                stats[h].last = number
            else:
                self._lines[(site, h)] = LineStats(1, number, number)
            self._dirty.add((site, h))
        return True

    def changes(self) -> tuple[dict[str, int], list[tuple[str, str, int]], list[tuple[str, str, int, int, int]]]:
        """What to write: page counts per site, new pages (site, key, number), line rows (site, hash, pages, first, last)."""
        sites = {site for site, _, _ in self._new_pages}
        lines = [(site, h, s.pages, s.first, s.last) for (site, h) in sorted(self._dirty)
                 for s in [self._lines[(site, h)]]]
        return {site: self._pages[site] for site in sorted(sites)}, list(self._new_pages), lines

    def clear_changes(self) -> None:
        """Forget the pending changes (after they were written)."""
        self._new_pages.clear()
        self._dirty.clear()


def page_key(doc: Document) -> str:
    """The key a page is counted under: a hash of its content and URL."""
    return content_hash(doc.content, doc.url or "")
