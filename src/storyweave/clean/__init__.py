"""The clean stage: from a raw scraped page to a title, body blocks, removals and facts.

Reasons given for removed segments: boilerplate phrases (``see-also``,
``source-link``, ``comments``, ``reply-form``, ``link-list``, ``credit``,
``byline``, ``author-box``, ``widget``, ``share``, ``subscribe``, ``cookie``,
``advert``, ``copyright``, ``tags``, ``metadata``), glued labels
(``section-label``), repetition (``title``, ``duplicate``, ``caption-duplicate``)
and page layout (``fragment``: a stray short line in the text, ``off-main``:
outside the main text).
"""

from __future__ import annotations

from storyweave.models import Cleaned, Document

from .html import clean_html
from .plaintext import clean_plaintext

__all__ = ["clean_document"]


def clean_document(doc: Document) -> Cleaned:
    """Clean one document; raises ValueError when no article text can be found in it."""
    return clean_html(doc) if doc.format == "html" else clean_plaintext(doc)
