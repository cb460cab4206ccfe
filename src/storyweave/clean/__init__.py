"""The clean stage: from a raw scraped page to a title, body blocks, removals and facts.

Reasons given for removed segments: boilerplate phrases (``see-also``,
``source-link``, ``comments``, ``reply-form``, ``link-list``, ``credit``,
``byline``, ``author-box``, ``widget``, ``share``, ``subscribe``, ``cookie``,
``advert``, ``copyright``, ``tags``, ``metadata``), glued labels
(``section-label``), repetition (``title``, ``duplicate``, ``caption-duplicate``)
page layout (``fragment``: a stray short line in the text, ``off-main``:
outside the main text) and lines that recur on many pages of the same site
(``site-boilerplate``, with a :class:`~.sites.SiteModel`).
"""

from __future__ import annotations

from storyweave.models import Cleaned, Document

from .html import clean_html
from .plaintext import clean_plaintext
from .sites import SiteModel, page_key, site_of

__all__ = ["SiteModel", "clean_document"]


def clean_document(doc: Document, sites: SiteModel | None = None) -> Cleaned:
    """Clean one document; raises ValueError when no article text can be found in it.

    With ``sites``, lines that recur on the pages of the document's site go as
    ``site-boilerplate``, and the page is recorded in the model (once, when it
    could be cleaned). Should those lines be all the page has, they stay.
    """
    clean = clean_html if doc.format == "html" else clean_plaintext
    site = site_of(doc) if sites is not None else None
    if site is None or sites is None:
        return clean(doc)
    lines: list[str] = []

    def judge(texts: list[str]) -> list[bool]:
        lines[:] = texts
        return sites.boilerplate(site, texts)

    try:
        cleaned = clean(doc, judge)
    except ValueError:
        cleaned = clean(doc)  # raises again when the page itself has no article text
    sites.record(site, page_key(doc), lines)
    return cleaned
