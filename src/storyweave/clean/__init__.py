"""The clean stage: from a raw scraped page to a title, body blocks, removals and facts.

Reasons given for removed segments: boilerplate phrases (``see-also``,
``source-link``, ``comments``, ``reply-form``, ``link-list``, ``credit``,
``byline``, ``author-box``, ``widget``, ``share``, ``subscribe``, ``cookie``,
``advert``, ``copyright``, ``tags``, ``metadata``), a press release's closing
``about-organisation`` block, glued labels
(``section-label``), repetition (``title``, ``duplicate``, ``caption-duplicate``)
page layout (``fragment``: a stray short line in the text, ``off-main``:
outside the main text) and lines that recur on many pages of the same site
(``site-boilerplate``, with a :class:`~.sites.SiteModel`).
"""

from __future__ import annotations

from storyweave.language import detect_language, normalise_language
from storyweave.models import Cleaned, Document, Rejected

from storyweave.text import zipf

from . import lines
from .html import clean_html
from .patterns import rules_for_word
from .plaintext import clean_plaintext
from .sites import SiteModel, page_key, site_of
from .words import load_lexicons

__all__ = ["SiteModel", "clean_document", "clean_report", "clear_caches", "load_lexicons"]


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


def clear_caches() -> None:
    """Forget the results cleaning memoises per line and per word (benchmarks time a cold start)."""
    for cached in (lines.tokens, lines.stopword_share, lines.sentences, lines.key, rules_for_word, zipf):
        cached.cache_clear()


def clean_report(item: Document | Rejected) -> dict:
    """The clean command's object for one input item; a failure has an ``error`` and empty fields."""
    if isinstance(item, Rejected):
        return _failed_report(item.source, item.reason)
    try:
        cleaned = clean_document(item)
    except ValueError as error:  # unusable input, said in the error
        return _failed_report(item.source, str(error))
    except Exception as error:  # a cleaner bug on this item: the next items are still cleaned
        return _failed_report(item.source, Rejected.internal(item.source, error).reason)
    facts = cleaned.metadata
    given = item.lang or facts.get("lang")
    lang = (given and normalise_language(given)) or detect_language(f"{cleaned.title}\n{cleaned.body}")[0]
    return {"source": item.source, "title": cleaned.title, "body": cleaned.body, "lang": lang,
            "published": item.published or facts.get("published") or facts.get("date"),
            "url": item.url or facts.get("url") or facts.get("source_url"),
            "removed": [{"text": r.text, "reason": r.reason} for r in cleaned.removed],
            "metadata": facts}


def _failed_report(source: str, error: str) -> dict:
    return {"source": source, "title": None, "body": None, "lang": None, "published": None, "url": None,
            "removed": [], "metadata": {}, "error": error}
