"""Cleaning of HTML pages: trafilatura finds the article and its metadata; its blocks
(headings, paragraphs, list items, table rows, however deeply it nested them) become
segments, and the paragraph-level steps of plain-text cleaning run on them (boilerplate
phrases, glued words, a press release's closing "about us" block, repetition: repeated
text goes, while short list rows may repeat)."""

from __future__ import annotations

import re

from htmldate import find_date
from lxml.etree import _Element
from trafilatura import bare_extraction

from storyweave.models import Cleaned, Document

from .plaintext import Segment, SiteJudge, clean_segments, normalise_line, page_language

# Tags of trafilatura's output tree that stay inside a block of text (highlights, links, line breaks).
_INLINE = frozenset({"hi", "ref", "lb", "del", "span"})
_LISTED = frozenset({"item", "row"})  # the units of a list or a table
_SPACE = re.compile(r"\s+")


def _text(element: _Element) -> str:
    """All text of ``element`` on one line."""
    return normalise_line(_SPACE.sub(" ", " ".join(element.itertext())))


def _loose(text: str | None) -> list[Segment]:
    """A paragraph of the text between the blocks of an element, if there is any."""
    line = normalise_line(_SPACE.sub(" ", text)) if text else ""
    return [Segment(line)] if line else []


def _is_unit(element: _Element) -> bool:
    """One segment: a quotation, a table row whose cells hold no blocks, or a block holding no other block."""
    if element.tag == "quote":
        return True
    blocks = [child for child in element if child.tag not in _INLINE]
    if element.tag == "row":
        return all(cell.tag == "cell" and _is_unit(cell) for cell in blocks)
    return not blocks


def _segments_of(element: _Element) -> list[Segment]:
    """The segments of one element: itself if it is a unit, else those of its blocks and the text between."""
    if _is_unit(element):
        text = _text(element)
        kind = "heading" if element.tag == "head" else "paragraph"
        return [Segment(text, kind=kind, bullet=element.tag in _LISTED)] if text else []
    segments = _loose(element.text)
    for child in element:
        segments += _loose(_text(child)) if child.tag in _INLINE else _segments_of(child)
        segments += _loose(child.tail)
    return segments


def html_segments(body: _Element) -> list[Segment]:
    """The blocks of trafilatura's output tree as segments: headings, paragraphs, list items and table
    rows, from however deep the extractor nested them (a layout table, a ``div`` around the article)."""
    return [segment for element in body for segment in _segments_of(element)]


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
