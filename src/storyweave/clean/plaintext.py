"""Cleaning of scraped page text, and the paragraph-level steps shared with HTML.

A page dump is split into segments (blocks between blank lines, list items),
each repaired (glued words, glued labels, date prefixes) and judged: known
boilerplate phrases (:mod:`.patterns`), comment threads, photo captions, then
the page layout: running text (long lines ending in a sentence, rich in function
words) forms clusters; the main text is the first large cluster, its in-body
subheads are short lines between its paragraphs, the rows of a list or table a
sentence of it introduces ("...:") belong to it, and menus, link lists, a closing
"about us" block of a press release and the rest of the page go. Repeated
paragraphs and captions are kept once. In scripts without spaces, a sentence
broken across a blank line is joined first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Literal

from storyweave.language import UNDETERMINED, detect_language
from storyweave.models import Block, Cleaned, Document, Removal
from storyweave.text import has_frequencies, spaced

from .lines import key, sentences, stopword_share, tokens
from .model import judge_lines
from .patterns import (
    BULLET,
    CAPTION_CHARS,
    NUMBERED,
    QUOTED,
    about_person,
    comment_author,
    find_dateline,
    is_date_line,
    match_rule,
    page_hints,
    presents_organisation,
    split_caption,
    split_date_prefix,
    terminal,
    truncated,
)
from .words import load_frequencies, repair_glued_words, split_label, stopwords

Kind = Literal["paragraph", "heading", "caption", "title"]
SiteJudge = Callable[[list[str]], list[bool]]  # a page's lines -> which are boilerplate of its site

BODY_CHARS = 40  # running text: at least this long (spaced scripts: and BODY_WORDS words)
BODY_WORDS = 6
UNPUNCTUATED_BODY_CHARS = 200  # longer text counts as running text even without a sentence end
MIN_STOPWORD_SHARE = 0.12  # running text has function words; menus and name lists hardly any
SENTENCE_WORDS = 3  # a shorter line ending in "." is not a sentence of its own
HEADING_CHARS = 120  # a subhead is a short line ...
HEADING_WORDS = 15
LIST_RUN = 3  # this many short lines in a row are a menu or link list
FRAGMENT_WEIGHT = -25.0  # layout weight of a short line that is no sentence
BOILERPLATE_WEIGHT = -40.0  # ... and of a line recognised as boilerplate
GAP = 250.0  # running text separated by less weight than this is one text
MAIN_SHARE = 0.5  # the main text is the first text with this share of the largest
TITLE_CHARS = 120  # a title cut from a first sentence is at most this long
DATELINE_PARAGRAPHS = 3  # a dateline opens one of the first paragraphs
LANGUAGE_SAMPLE = 500  # characters of running text used to detect the page language

# A line ending in a comma or dash goes on in the next line (also the CJK commas "、", "，").
CONTINUING = (",", "-", "–", "—", "、", "，")
# In scripts without spaces a sentence can be broken across a blank line: a long enough line ending in a
# comma or (Japanese) a case particle goes on in the next block.
UNSPACED_CONTINUING = ("、", "，", "を", "に", "が", "は", "で", "と", "へ", "や", "も", "の")
UNSPACED_BREAK_CHARS = BODY_CHARS // 2

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


@dataclass(slots=True)
class Segment:
    """One block of a page and what cleaning decided about it (``reason`` set: it goes)."""

    text: str
    kind: Kind = "paragraph"
    bullet: bool = False
    reason: str | None = None
    body: bool = False  # running text (set by :func:`clean_segments`)
    sentence: bool = False  # a few words ending like a sentence (set by :func:`clean_segments`)
    item: bool = False  # a row of a list or table that a sentence of the text introduces (:func:`mark_items`)

    @property
    def kept(self) -> bool:
        return self.reason is None and self.kind != "title"


# --- splitting a page into segments ------------------------------------------------------------


def normalise_line(line: str) -> str:
    """``line`` with invisible characters dropped and runs of spaces (any width) made one space."""
    if line.isascii():  # no invisible or composable characters; only tabs and runs of spaces to replace
        return _SPACES.sub(" ", line).strip() if "\t" in line or "  " in line else line.strip()
    if not unicodedata.is_normalized("NFC", line):
        line = unicodedata.normalize("NFC", line)
    return _SPACES.sub(" ", _INVISIBLE.sub("", line)).strip()


def _continues(previous: Segment, text: str, bullet: bool) -> bool:
    """Whether a line is the wrapped continuation of the line before it in the same block."""
    if bullet or not text or terminal(previous.text):
        return False
    return text[0].islower() or previous.text.endswith(CONTINUING)


def split_segments(content: str) -> list[Segment]:
    """Blocks between blank lines; lines of a block stay apart unless one wraps into the next."""
    segments: list[Segment] = []
    for block in re.split(r"\n[ \t\u00a0]*\n", content.replace("\r\n", "\n").replace("\r", "\n")):
        first = len(segments)
        for line in block.split("\n"):
            text = normalise_line(line)
            if not text:
                continue
            bullet = BULLET.match(text)
            if bullet and text[bullet.end():]:
                text = text[bullet.end():]
            listed = bool(bullet or NUMBERED.match(text))
            if len(segments) > first and _continues(segments[-1], text, listed):
                segments[-1].text += " " + text
            else:
                segments.append(Segment(text, bullet=listed))
    return segments


def join_broken_sentences(segments: list[Segment], lang: str) -> list[Segment]:
    """In a language written without spaces, join a line broken off mid-sentence (ending in a comma or
    a particle, long enough not to be a menu item) with the line after it, across blank lines."""
    if spaced(lang):
        return segments
    joined: list[Segment] = []
    for s in segments:
        previous = joined[-1] if joined else None
        if (previous is not None and not s.bullet and len(previous.text) >= UNSPACED_BREAK_CHARS
                and previous.text.endswith(UNSPACED_CONTINUING) and not terminal(previous.text)):
            previous.text += s.text
        else:
            joined.append(s)
    return joined


# --- language and features ---------------------------------------------------------------------


def page_language(texts: list[str], hint: str | None = None) -> str:
    """The language of the longer lines of a page; ``hint``, else English, when unsure."""
    sample = " ".join(t for t in texts if len(t) >= BODY_CHARS)[:LANGUAGE_SAMPLE]
    lang, _ = detect_language(sample)
    return lang if lang != UNDETERMINED else (hint or "en")


def ends_sentence(text: str) -> bool:
    """Ends in sentence punctuation, and is not a teaser cut short with an ellipsis."""
    return terminal(text) and not truncated(text)


def is_sentence(text: str, lang: str) -> bool:
    """More than a word or two, ending like a sentence, a quotation or a lead-in to a list ("... are:")."""
    ends = ends_sentence(text) or text.endswith(":") or bool(QUOTED.match(text))
    return ends and (len(tokens(text)) >= SENTENCE_WORDS or not spaced(lang))


def is_running_text(text: str, lang: str) -> bool:
    """Prose rather than page furniture: long enough, sentence-like and made of ordinary words."""
    if not spaced(lang):
        return len(text) >= (BODY_CHARS // 2 if ends_sentence(text) else UNPUNCTUATED_BODY_CHARS // 2)
    if len(text) < BODY_CHARS or len(tokens(text)) < BODY_WORDS:
        return False
    share = stopword_share(text, lang) if has_frequencies(lang) else 1.0
    if ends_sentence(text) or len(sentences(text)) > 2:  # prose, even if its last sentence is cut
        return share >= MIN_STOPWORD_SHARE
    return len(text) >= UNPUNCTUATED_BODY_CHARS and share >= 2 * MIN_STOPWORD_SHARE


# --- repairs -----------------------------------------------------------------------------------


def repair(segment: Segment, lang: str, facts: dict[str, str]) -> list[Segment]:
    """``segment`` with its text repaired, preceded by what was cut off it (a date, a section label)."""
    pieces: list[Segment] = []
    found, text = split_date_prefix(segment.text)
    if found:
        facts.setdefault("date", found)
        pieces.append(Segment(segment.text[: len(segment.text) - len(text)].strip(), reason="metadata"))
    if label := split_label(text, lang):
        pieces.append(Segment(label[0], reason="section-label"))
        text = label[1]
    segment.text = repair_glued_words(text.strip(), lang)
    return [*pieces, segment] if segment.text else pieces


# --- boilerplate rules -------------------------------------------------------------------------


def _is_comment_header(text: str, lang: str) -> bool:
    """A line opening a reader comment: a name (no function words) and "says"."""
    name = comment_author(text)
    return name is not None and not any(w.lower() in stopwords(lang) for w in tokens(name))


def _is_author_heading(segments: list[Segment], i: int) -> bool:
    """A heading that opens an author box: "About" (any covered language) and a person's name, which
    the next line (the author's bio) repeats ("About Face Masks" before a paragraph on face masks is a subhead)."""
    name = about_person(segments[i].text)
    return name is not None and i + 1 < len(segments) and name in segments[i + 1].text


def mark_rules(segments: list[Segment], lang: str, facts: dict[str, str]) -> list[str]:
    """Set the reason of boilerplate lines and captions; returns each segment's extent."""
    extents = ["line"] * len(segments)
    hints = page_hints([s.text for s in segments])
    for i, s in enumerate(segments):
        if s.reason:
            continue
        if i in hints.comment and _is_comment_header(s.text, lang):
            s.reason, extents[i] = "comments", "rest"
        elif _is_author_heading(segments, i):
            s.reason, extents[i] = "author-box", "tail"
        elif hit := match_rule(s.text, hinted=i in hints.rule):
            rule, found = hit
            s.reason, extents[i] = rule.reason, rule.extent
            for name, value in found.items():
                facts.setdefault(name, value)
        elif i in hints.caption and len(s.text) <= CAPTION_CHARS and (caption := split_caption(s.text)):
            s.text, s.kind = caption[0], "caption"
            facts.setdefault("photo_credit", caption[1])
        elif s.kind == "paragraph" and is_date_line(s.text):
            s.reason = "metadata"
            facts.setdefault("date_text", s.text)
    return extents


def apply_extents(segments: list[Segment], extents: list[str]) -> None:
    """Remove what goes with a boilerplate line: the headline list after it, or the rest of the page.

    The rest goes only after the article has begun (some running text before);
    for ``tail`` rules, also only when less running text follows than precedes.
    Menus in the rest (runs of short lines) go as link lists, the rest as the rule says.
    """
    runs = short_runs(segments)
    body_before = 0
    body_after = sum(len(s.text) for s in segments if s.body and s.reason is None)
    for i, (s, extent) in enumerate(zip(segments, extents, strict=True)):
        if s.body and s.reason is None:
            body_before += len(s.text)
            body_after -= len(s.text)
        if extent in ("rest", "tail") and body_before and (extent == "rest" or body_after < body_before):
            for later, run in zip(segments[i + 1:], runs[i + 1:], strict=True):
                later.reason = later.reason or ("link-list" if run >= LIST_RUN else s.reason)
            return
        if extent == "list":
            for later in segments[i + 1:]:
                if later.body or later.reason:
                    break
                later.reason = s.reason


# --- layout ------------------------------------------------------------------------------------


def layout_weight(s: Segment) -> float:
    """How much a segment speaks for being part of the main text (positive) or not."""
    if s.kind in ("title", "caption"):
        return 0.0
    if s.reason:
        return BOILERPLATE_WEIGHT
    return float(len(s.text)) if s.body or s.sentence or s.item else FRAGMENT_WEIGHT


def main_span(weights: list[float], anchors: list[bool]) -> tuple[int, int]:
    """The span [start, end) of the main text.

    Running text (``anchors``) forms clusters, split where the weights between
    two anchors sum below -:data:`GAP`; the main text is the first cluster that
    weighs at least :data:`MAIN_SHARE` of the heaviest (articles come before
    the teasers of other stories).
    """
    clusters: list[tuple[int, int, float]] = []  # start, end, weight
    gap = 0.0
    for i, (weight, anchor) in enumerate(zip(weights, anchors, strict=True)):
        if not anchor:
            gap += weight
            continue
        if clusters and gap > -GAP:
            start, _, total = clusters.pop()
            clusters.append((start, i + 1, total + gap + weight))
        else:
            clusters.append((i, i + 1, weight))
        gap = 0.0
    if not clusters:
        return 0, 0
    heaviest = max(total for _, _, total in clusters)
    floor = MAIN_SHARE * heaviest if heaviest > 0 else heaviest  # (a text weighed down by the lines inside it)
    return next((start, end) for start, end, total in clusters if total >= floor)


def short_runs(segments: list[Segment]) -> list[int]:
    """For each segment, the length of the run of consecutive short non-sentence lines it is in (0 if none).

    Sentences, headings, captions and lines already removed end a run.
    """
    runs = [0] * len(segments)
    start = 0
    ends = [s.sentence or s.body or not s.kept for s in segments]
    ends.append(True)
    for i, end in enumerate(ends):
        if end:
            runs[start:i] = [i - start] * (i - start)
            start = i + 1
    return runs


def is_lead_in(text: str, lang: str) -> bool:
    """A sentence of running text that introduces what follows ("The standings after 36 races:"),
    not a short menu label ("Follow us:")."""
    if not text.endswith(":"):
        return False
    if not spaced(lang):
        return len(text) >= BODY_CHARS // 2
    if len(tokens(text)) < BODY_WORDS:
        return False
    return not has_frequencies(lang) or stopword_share(text, lang) >= MIN_STOPWORD_SHARE


def mark_items(segments: list[Segment], lang: str) -> None:
    """Mark the short lines right after a lead-in sentence as rows of a list or table of the text.

    The run ends at the first sentence, running text or line removed as boilerplate.
    """
    for i, s in enumerate(segments):
        if not (s.kept and s.kind == "paragraph" and is_lead_in(s.text, lang)):
            continue
        for later in islice(segments, i + 1, None):
            if not later.kept or later.sentence or later.body or later.kind != "paragraph":
                break
            later.item = True


def _neighbour(segments: list[Segment], i: int, step: int) -> Segment | None:
    """The nearest segment before (step -1) or after (step 1) ``i`` not removed as boilerplate."""
    i += step
    while 0 <= i < len(segments) and segments[i].reason is not None:
        i += step
    return segments[i] if 0 <= i < len(segments) else None


def _starts_heading(text: str) -> bool:
    """Starts like a heading: a capital or a digit, or a letter of a script without case (CJK)."""
    first = text[0]
    return first.isupper() or first.isdigit() or first.isalpha() and not first.islower() and first.lower() == first


def is_subhead(segments: list[Segment], i: int) -> bool:
    """A short line standing alone between paragraphs of the text, followed by more text."""
    s = segments[i]
    if (s.bullet or terminal(s.text) or s.text.endswith(":") or len(s.text) > HEADING_CHARS
            or len(tokens(s.text)) > HEADING_WORDS or not _starts_heading(s.text)):
        return False
    before, after = _neighbour(segments, i, -1), _neighbour(segments, i, 1)
    return (before is not None and before.kept and before.kind == "paragraph" and before.sentence
            and after is not None and after.reason is None and after.body)


def find_main_text(segments: list[Segment]) -> tuple[int, int]:
    """The span [start, end) of the main text of a page dump (see :func:`main_span`)."""
    anchors = [s.kept and s.body for s in segments]
    if not any(anchors):
        anchors = [s.kept and s.sentence for s in segments]
    return main_span([layout_weight(s) for s in segments], anchors)


def mark_layout(segments: list[Segment], start: int, end: int, runs: list[int]) -> None:
    """Keep the main text [start, end) of a page dump: its paragraphs, subheads and captions; drop the rest.

    ``runs`` are the :func:`short_runs` of the segments.
    """
    for i, s in enumerate(segments):
        if not s.kept or s.kind == "caption" and i < end:
            continue
        if start <= i < end and (s.body or s.sentence or s.item):
            continue
        if start <= i < end and is_subhead(segments, i):
            s.kind = "heading"
        elif s.bullet or runs[i] >= LIST_RUN:
            s.reason = "link-list"
        else:
            s.reason = "fragment" if start <= i < end else "off-main"


def drop_dangling_headings(segments: list[Segment]) -> None:
    """Drop headings with no paragraph after them."""
    for i, s in enumerate(segments):
        if s.kept and s.kind == "heading":
            after = _neighbour(segments, i, 1)
            if after is None or after.kind != "paragraph":
                s.reason = "fragment"


# --- title, repetition, dateline ---------------------------------------------------------------


def _first_sentence(text: str) -> str:
    """The first sentence of ``text``, cut at a word boundary to about :data:`TITLE_CHARS`."""
    sentence = sentences(text)[0]
    if len(sentence) <= TITLE_CHARS:
        return sentence
    return sentence[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:–—- ") + "…"


def _is_body_paragraph(s: Segment) -> bool:
    """Running text of several sentences, longer than a title or ending in a full stop.

    (Headlines end in no punctuation, "?" or "!".)
    """
    return s.body and (len(sentences(s.text)) > 1 or len(s.text) > TITLE_CHARS or s.text.endswith("."))


def pick_title(segments: list[Segment], text_start: int) -> tuple[str, Segment | None]:
    """The first line that is not page furniture, consumed as the title.

    Furniture: removed lines, captions, list items, runs of short lines and running
    text before the main text (which starts at ``text_start``). If that line is a
    body paragraph, the title is its first sentence and the paragraph stays: then
    it is returned too.
    """
    runs = short_runs(segments)
    for i, s in enumerate(segments):
        if not s.kept or s.kind == "caption" or s.bullet or runs[i] >= LIST_RUN or s.body and i < text_start:
            continue
        if _is_body_paragraph(s):
            return _first_sentence(s.text), s
        s.kind = "title"
        return s.text, None
    return "", None


def drop_title_copies(segments: list[Segment], title: str, source: Segment | None) -> None:
    """Drop the lines that repeat the title (except the paragraph it was taken from).

    A one-sentence brief whose title is that sentence keeps it: it is the whole article.
    """
    title_key, size = key(title), len(tokens(title))  # (a line of another number of words has another key)
    copies = [s for s in segments
              if s.kept and s is not source and title_key and len(tokens(s.text)) == size and key(s.text) == title_key]
    if any(s.kept and s.body and s not in copies for s in segments):
        for s in copies:
            s.reason = "title"


def _sentence_keys(text: str) -> set[str]:
    return {key(sentence) for sentence in sentences(text)} - {""}


class _SaidBefore:
    """The sentences of the paragraphs kept so far in a page. They are split and keyed only when a
    paragraph might repeat them: one with a word (case-folded) not said before cannot."""

    def __init__(self) -> None:
        self.words: set[str] = set()
        self.keys: set[str] = set()
        self.pending: list[str] = []

    def add(self, text: str) -> None:
        self.words.update(map(str.casefold, tokens(text)))
        self.pending.append(text)

    def repeats(self, text: str) -> bool:
        """Whether every sentence of ``text`` was said before (true of a text without words)."""
        if not self.words.issuperset(map(str.casefold, tokens(text))):
            return False
        for earlier in self.pending:
            self.keys |= _sentence_keys(earlier)
        self.pending.clear()
        return _sentence_keys(text) <= self.keys


def drop_repeats(segments: list[Segment], lists: bool = True) -> None:
    """Drop paragraphs and captions whose sentences all came before, and repeated captions; with
    ``lists`` False, short rows of lists and tables may repeat (the same spec line under two products)."""
    said = _SaidBefore()
    captions: set[str] = set()
    for s in segments:
        if not s.kept or s.bullet and not (lists or s.body):
            continue
        whole = key(s.text) if captions or s.kind == "caption" else None
        if whole in captions or s.kind == "caption" and said.repeats(s.text):
            s.reason = "caption-duplicate"
        elif tokens(s.text) and said.repeats(s.text):
            s.reason = "duplicate"
        elif s.kind == "caption":
            captions.add(whole)
        else:
            said.add(s.text)


def find_facts(segments: list[Segment], facts: dict[str, str]) -> None:
    """Facts stated by the kept text itself: the dateline and the photo caption."""
    paragraphs = [s.text for s in segments if s.kept and s.kind == "paragraph"]
    for text in paragraphs[:DATELINE_PARAGRAPHS]:
        if dateline := find_dateline(text):
            facts.setdefault("dateline", dateline)
            break
    if caption := next((s.text for s in segments if s.kept and s.kind == "caption"), None):
        facts.setdefault("caption", caption)


def drop_organisation_tail(segments: list[Segment], lang: str) -> None:
    """Drop the "about us" block closing a press release: from a paragraph in the second half of the text
    presenting an organisation the text named before ("Acme is a leading ..."), which goes on about it
    (names it again, or the next paragraph opens with it; the next paragraph of running text, if any,
    names it too), to the end of the page."""
    kept = [i for i, s in enumerate(segments) if s.kept and s.kind == "paragraph"]
    total = sum(len(segments[i].text) for i in kept)
    said = 0
    words = stopwords(lang)
    for n, i in enumerate(kept):
        text = segments[i].text
        name = presents_organisation(text) if said * 2 >= total else None
        if not name:
            said += len(text)
            continue
        following = next((segments[j].text for j in kept[n + 1:] if segments[j].body), None)
        if (not any(w.lower() in words for w in tokens(name))
                and any(name in segments[j].text for j in kept[:n])
                and (text.count(name) > 1 or following is not None and following.startswith(name))
                and (following is None or name in following)):
            for later in segments[i:]:
                if later.kept:
                    later.reason = "about-organisation"
            return
        said += len(text)


# --- the whole clean ---------------------------------------------------------------------------


def keep_main_text(segments: list[Segment], title: str, lang: str) -> str:
    """Keep the main text of a page dump once, with its title (picked here unless given).

    The layout rules judge every line; the line model (:mod:`.model`) then corrects them.
    """
    start, end = find_main_text(segments)
    title, source = (title, None) if title else pick_title(segments, start)
    drop_title_copies(segments, title, source)
    candidates = [i for i, s in enumerate(segments) if s.kept and s.kind in ("paragraph", "heading")]
    runs = short_runs(segments)
    mark_layout(segments, start, end, runs)
    judge_lines(segments, candidates, start, end, runs, lang)
    drop_organisation_tail(segments, lang)
    drop_repeats(segments)
    return title


def keep_marked_up(segments: list[Segment], title: str, lang: str) -> str:
    """Keep the text an extractor found (its kinds from the markup) once; the title stays as given."""
    drop_title_copies(segments, title, None)
    drop_organisation_tail(segments, lang)
    drop_repeats(segments, lists=False)
    drop_dangling_headings(segments)
    return title


def clean_segments(segments: list[Segment], lang: str, title: str | None, facts: dict[str, str],
                   marked_up: bool = False, site: SiteJudge | None = None) -> Cleaned:
    """Clean a page given as segments: repair, drop boilerplate, keep the main text once.

    ``marked_up`` segments come from an extractor that already found the main text
    and the kind of each block (HTML); otherwise the page layout decides. ``site``
    says which lines are boilerplate of the page's site.
    """
    if site is not None:
        for s, boilerplate in zip(segments, site([s.text for s in segments]), strict=True):
            if boilerplate:
                s.reason = "site-boilerplate"
    segments = [piece for s in segments for piece in repair(s, lang, facts)]
    extents = mark_rules(segments, lang, facts)
    for s in segments:
        s.sentence = is_sentence(s.text, lang)
        s.body = s.kind == "paragraph" and (s.sentence if marked_up else is_running_text(s.text, lang))
    apply_extents(segments, extents)
    if not marked_up:
        mark_items(segments, lang)
    title = (keep_marked_up if marked_up else keep_main_text)(segments, title or "", lang)
    find_facts(segments, facts)
    blocks = [Block(s.kind, s.text) for s in segments if s.kept]
    paragraphs = [b.text for b in blocks if b.kind == "paragraph"]
    if not paragraphs:
        raise ValueError("no article text left after cleaning")
    removed = [Removal(s.text, s.reason) for s in segments if s.reason]
    return Cleaned(title=title or _first_sentence(paragraphs[0]), blocks=blocks, removed=removed, metadata=facts)


def clean_plaintext(doc: Document, site: SiteJudge | None = None) -> Cleaned:
    """Clean a scraped plain-text page (``doc.format == "text"``); ``site`` judges site boilerplate."""
    load_frequencies()
    segments = split_segments(doc.content)
    if not segments:
        raise ValueError("empty text: nothing to clean")
    lang = page_language([s.text for s in segments], doc.lang)
    segments = join_broken_sentences(segments, lang)
    title = normalise_line(doc.title) if doc.title else None
    return clean_segments(segments, lang, title, {}, marked_up=False, site=site)
