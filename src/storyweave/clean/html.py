"""Cleaning of HTML pages: trafilatura finds the article and its metadata, then the
paragraph-level steps of plain-text cleaning (boilerplate phrases, glued words,
repetition) run on its blocks."""

from __future__ import annotations

from htmldate import find_date
from lxml.etree import _Element
from trafilatura import bare_extraction

from storyweave.models import Cleaned, Document

from .plaintext import Segment, SiteJudge, clean_segments, normalise_line, page_language

# Blocks of trafilatura's output tree whose children are the units (list items, table rows).
_CONTAINERS = {"list": "item", "table": "row"}


def _text(element: _Element) -> str:
    """All text of ``element`` on one line."""
    return normalise_line(" ".join(element.itertext()))


def html_segments(body: _Element) -> list[Segment]:
    """The blocks of trafilatura's output tree as segments: headings, paragraphs, list items."""
    segments = []
    for element in body:
        if element.tag in _CONTAINERS:
            units = [(_text(child), True) for child in element.iter(_CONTAINERS[element.tag])]
        else:
            units = [(_text(element), False)]
        kind = "heading" if element.tag == "head" else "paragraph"
        segments += [Segment(text, kind=kind, bullet=listed) for text, listed in units if text]
    return segments


def clean_html(doc: Document, site: SiteJudge | None = None) -> Cleaned:
    """Clean an HTML page (``doc.format == "html"``); ValueError when it holds no article text.

    ``site`` judges which of the extracted blocks are boilerplate of the page's site.
    """
    if not doc.content.strip():
        raise ValueError("empty HTML page")
    extracted = bare_extraction(doc.content, url=doc.url, with_metadata=True, include_comments=False,
                                favor_precision=False)
    segments = html_segments(extracted.body) if extracted is not None and extracted.body is not None else []
    if not segments:
        raise ValueError("no article text found in the HTML page (malformed or empty)")
    facts = {
        "url": extracted.url,
        "author": extracted.author,
        "published": extracted.date or find_date(doc.content, url=doc.url),
        "sitename": extracted.sitename,
        "lang": extracted.language,
    }
    lang = extracted.language or page_language([s.text for s in segments], doc.lang)
    title = doc.title or extracted.title
    return clean_segments(segments, lang, title and normalise_line(title),
                          {k: v for k, v in facts.items() if v}, marked_up=True, site=site)
