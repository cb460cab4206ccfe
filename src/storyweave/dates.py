"""When things happened: anchor dates, time expressions in many languages, event dates.

Weekday, month and relative-day words ("yesterday", "vorige week", "minggu lalu") and
"N days ago" patterns come from dateparser's CLDR-derived locale data, so every language
it knows works; a few words that are also common nouns ("minggu" is Sunday and week,
"pazar" Sunday and market) count only with a cue word. An article's *anchor* is its
publication date, or what its metadata, dateline, URL or crawl time tell of it; relative
expressions in the lead are resolved against it. Photo credits ("File Photo: AFP") and
dates far before the anchor (background) or after it (plans) say nothing of the event's day.
An event's date is the consensus of its members' windows, with a precision and evidence.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from anyascii import anyascii

from .models import Article, TimeExpression
from .text import fold

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_RELATIVE = re.compile(r"^(?:(in) )?(\d+) (day|week|month)(?: (ago))?$")
_COUNTED = re.compile(r"^\\1 (day|week|month) ago$")  # dateparser's meaning "\1 day ago"
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}
LEAD_SENTENCES = 4  # the title and the first three body sentences
REPORTING_DAYS = 3  # news reports an event within this many days
BACKGROUND_DAYS = 14  # a lead date ending this long before publication is background
CRAWL_DAYS = 3  # a crawled page was published at most this many days before its capture
UNDATED_SPAN = 62  # windows wider than this give no date
CREDIT_CHARS = 40  # a photo credit after a caption is this short

# Weekday names that are also common words: (folded name, the cue phrases that make it a weekday).
_CUED_WEEKDAYS: dict[str, dict[str, tuple[str, ...]]] = {
    "id": {"minggu": ("hari minggu", "pada minggu")},
    "ms": {"minggu": ("hari minggu", "pada minggu")},
    "tr": {"pazar": ("pazar gunu", "pazar sabahi", "pazar aksami")},
    "pt": {w: (f"na {w}", f"nesta {w}", f"desta {w}", f"ultima {w}")
           for w in ("segunda", "terca", "quarta", "quinta", "sexta")},
}
# Relative-day words that name a span, not a reference ("seminggu": for a week).
_DURATIONS = frozenset({"sehari", "seminggu", "sebulan", "till date", "gecen gun"})
_EXTRA_RELATIVE = {"tr": {"dun": (-1, -1), "evvelsi gun": (-2, -2)}}  # dateparser's words miss "dün"
# Counts in "two days ago" besides digits: one to seven (folded), then other forms of one and two.
_NUMBER_WORDS = {
    "en": "one two three four five six seven", "fr": "un deux trois quatre cinq six sept",
    "de": "ein zwei drei vier funf sechs sieben", "es": "un dos tres cuatro cinco seis siete",
    "it": "un due tre quattro cinque sei sette", "pt": "um dois tres quatro cinco seis sete",
    "nl": "een twee drie vier vijf zes zeven", "id": "satu dua tiga empat lima enam tujuh",
    "ms": "satu dua tiga empat lima enam tujuh", "tr": "bir iki uc dort bes alti yedi",
    "ru": "odin dva tri chetyre pyat' shest' sem'",
}
_NUMBER_FORMS = {"a": 1, "an": 1, "une": 1, "einem": 1, "einer": 1, "una": 1, "uma": 1, "odnu": 1, "odna": 1,
                 "duas": 2, "dve": 2}
_NUMBER_VALUES = {w: n for words in _NUMBER_WORDS.values() for n, w in enumerate(words.split(), 1)} | _NUMBER_FORMS
_DATEPARSER_NUMBER = r"(\d++[.,]?\d*+)"
# Sentences crediting a photo: the date in them is when the picture was taken.
_PHOTO_CREDIT = re.compile(
    r"\b(?:file (?:photo|picture|image)|photo d'archive|archivbild|archivfoto|foto de archivo|foto d'archivio"
    r"|foto de arquivo|archieffoto|foto arsip|foto dok|arsiv fotografi|arsiv foto|arkhivnoe foto"
    r"|(?:photo|picture|image|foto|bild)\s*(?::|by\b|credit))",
)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Folded calendar words of one language."""

    weekdays: dict[str, int]
    months: dict[str, int]
    relative: dict[str, tuple[int, int]]
    ago: dict[tuple[str, str], str]  # dateparser's "(N) days ago" patterns, folded: (before N, after N) -> unit
    ago_words: frozenset[str]  # folded words that say "ago" ("il y a", "geleden", "nazad")
    day_first: bool


@lru_cache(maxsize=64)
def lexicon(lang: str) -> Lexicon:
    """Weekday, month and relative-day words and "N days ago" patterns of ``lang`` plus English."""
    from dateparser.languages import default_loader

    weekdays: dict[str, int] = {}
    months: dict[str, int] = {}
    relative: dict[str, tuple[int, int]] = {}
    ago: dict[tuple[str, str], str] = {}
    ago_words: set[str] = set()
    day_first = True
    for code in reversed(dict.fromkeys([lang, "en"])):  # the article's language last, so it wins
        try:
            info = default_loader.get_locale(code).info
        except (KeyError, ValueError):
            continue
        day_first = not info.get("date_order", "DMY").startswith("M")
        for number, name in enumerate(_WEEKDAYS):
            weekdays.update({fold(w): number for w in info.get(name, []) if len(w) >= 4})
        for number, name in enumerate(_MONTHS, start=1):
            months.update({fold(m): number for m in info.get(name, []) if len(m) >= 3})
        for meaning, phrases in info.get("relative-type", {}).items():
            if span := _relative_span(meaning):
                relative.update({fold(p): span for p in phrases if len(p) >= 3})
        for meaning, patterns in info.get("relative-type-regex", {}).items():
            if m := _COUNTED.match(meaning):
                ago.update(dict.fromkeys(map(_around_count, patterns), m.group(1)))
        ago_words.update(fold(w) for w in info.get("ago", []))
    for word, cues in _CUED_WEEKDAYS.get(lang, {}).items():
        number = weekdays.pop(word, None)
        if number is not None:
            weekdays.update(dict.fromkeys(cues, number))
    relative.update(_EXTRA_RELATIVE.get(lang, {}))
    relative = {p: s for p, s in relative.items() if p not in _DURATIONS}
    return Lexicon(weekdays, months, relative, ago, frozenset(ago_words), day_first)


def _relative_span(meaning: str) -> tuple[int, int] | None:
    """'1 week ago' -> (-13, -1) days from the anchor; '1 day ago' -> (-1, -1)."""
    match = _RELATIVE.match(meaning)
    if not match:
        return None
    future, count, unit, _ = match.groups()
    n = int(count) * (1 if future else -1)
    if unit == "day":
        return (n, n)
    size = _UNIT_DAYS[unit]
    if n == 0:
        return (-size + 1, 0)
    # "last week" is either the previous calendar week or the past seven days.
    return (n * size - size + 1, n * size + size - 1)


def _counted_span(unit: str, count: int) -> tuple[int, int]:
    """'3 days ago' (count 3) -> (-3, -3); '2 weeks ago' -> (-17, -11); '2 months ago' -> (-75, -45)."""
    if unit == "day":
        return (-count, -count)
    size = _UNIT_DAYS[unit]
    return (-count * size - size // 2, -count * size + size // 2)


@lru_cache(maxsize=64)
def calendar_words(lang: str) -> frozenset[str]:
    """Folded weekday and month names, so entity extraction can skip them (built once per language)."""
    lex = lexicon(lang)
    return frozenset(lex.weekdays) | frozenset(lex.months) | frozenset(_CUED_WEEKDAYS.get(lang, {}))


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class _Patterns:
    absolute: re.Pattern
    numeric: re.Pattern
    ago_cue: re.Pattern  # cheap test before the long "N units ago" alternation
    ago: re.Pattern
    relative: re.Pattern
    weekday: re.Pattern


@lru_cache(maxsize=64)
def _patterns(lang: str) -> _Patterns:
    """The compiled patterns of one language (built once)."""
    lex = lexicon(lang)
    month = _alternation(lex.months)
    day = r"(?P<{}>[0-3]?\d)(?:st|nd|rd|th|er|e|eme|o)?"
    year = r"(?:,?\s+(?:de\s+|del\s+)?(?P<year>(?:19|20)\d\d))?"
    absolute = re.compile(
        rf"\b(?:(?P<m1>{month})\.?\s+{day.format('d1')}|{day.format('d2')}\.?\s+(?:de\s+|di\s+)?(?P<m2>{month})\.?)"
        rf"{year}\b|\b(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)\b"
    )
    # 02.01.2022, 2/1/2022; without a year only in brackets, as Indonesian news writes "Minggu (2/1)".
    numeric = re.compile(r"(?<![\d.,/])(?P<a>[0-3]?\d)[./](?P<b>[01]?\d)[./](?P<y>(?:19|20)?\d\d)(?![\d.,/]?\d)"
                         r"|\((?P<pa>[0-3]?\d)/(?P<pb>[01]?\d)\)")
    numbers = _alternation({*_NUMBER_WORDS.get(lang, "").split(), *_NUMBER_WORDS["en"].split(), *_NUMBER_FORMS})
    counted = []
    for before, after in lex.ago:
        counted.append(f"{re.escape(before)}(?:\\d+\\s*|(?:{numbers})\\s+){re.escape(after.lstrip())}")
    ago = re.compile(rf"\b(?:{'|'.join(sorted(counted, key=len, reverse=True))})\b" if counted else r"(?!x)x")
    relative = re.compile(rf"\b(?:{_alternation(lex.relative)})\b")
    weekday = re.compile(rf"\b(?:{_alternation(lex.weekdays)})\b")
    ago_cue = re.compile(rf"\b(?:{_alternation(lex.ago_words)})\b" if lex.ago_words else r"(?!x)x")
    return _Patterns(absolute, numeric, ago_cue, ago, relative, weekday)


def find_time_expressions(sentences: list[str], lang: str) -> list[TimeExpression]:
    """Absolute dates, counted and relative phrases and weekdays in each sentence (unresolved).

    Sentences crediting a (file) photo are skipped: their date is the picture's.
    """
    lex = lexicon(lang)
    patterns = _patterns(lang)
    found: list[TimeExpression] = []
    folded_sentences = [fold(s) for s in sentences]
    for index, (sentence, folded) in enumerate(zip(sentences, folded_sentences)):
        if _credits_photo(sentences, folded_sentences, index):
            continue
        taken: list[tuple[int, int]] = []
        for m, expr in _expressions(folded, lex, patterns):
            if not _overlaps(m.span(), taken):
                taken.append(m.span())
                found.append(TimeExpression(_original(sentence, folded, m.span()), index, *expr))
    return found


def _credits_photo(sentences: list[str], folded: list[str], index: int) -> bool:
    """A caption: the sentence credits a photo, or a short credit ("File Photo: AFP") follows it."""
    if _PHOTO_CREDIT.search(folded[index]):
        return True
    after = index + 1
    return after < len(sentences) and len(sentences[after]) < CREDIT_CHARS and bool(_PHOTO_CREDIT.search(folded[after]))


def _expressions(folded: str, lex: Lexicon, p: _Patterns):
    """(match, (value, weekday, relative_days)) of every pattern, most specific first."""
    for m in p.absolute.finditer(folded):
        if (value := _absolute_value(m, lex)) is not None:
            yield m, (value, None, None)
    for m in p.numeric.finditer(folded):
        if (value := _numeric_value(m, lex.day_first)) is not None:
            yield m, (value, None, None)
    for m in p.ago.finditer(folded) if p.ago_cue.search(folded) else ():
        if span := _ago_span(m.group(0), lex):
            yield m, (None, None, span)
    for m in p.relative.finditer(folded):
        yield m, (None, None, lex.relative[m.group(0)])
    for m in p.weekday.finditer(folded):
        yield m, (None, lex.weekdays[m.group(0)], None)


def _ago_span(phrase: str, lex: Lexicon) -> tuple[int, int] | None:
    """The day span of a matched "N units ago" phrase."""
    for (before, after), unit in lex.ago.items():
        if phrase.startswith(before) and phrase.endswith(after):
            rest = phrase[len(before):len(phrase) - len(after)].strip()
            count = int(rest) if rest.isdigit() else _NUMBER_VALUES.get(rest)
            if count is not None:
                return _counted_span(unit, count)
    return None


def _around_count(pattern: str) -> tuple[str, str]:
    """The text before and after the count of a dateparser "N units ago" pattern, folded like
    :func:`fold` but with its edge spaces kept."""
    before, _, after = pattern.partition(_DATEPARSER_NUMBER)
    return anyascii(before).lower(), anyascii(after).lower()


def _original(sentence: str, folded: str, span: tuple[int, int]) -> str:
    """The text of ``sentence`` behind a span of its folded form (as written, for evidence)."""
    if len(folded) == len(sentence):
        return sentence[span[0]:span[1]]
    ends, length = [], 0  # ends[i]: folded length after the i-th character
    for ch in sentence:
        piece = " " if ch.isspace() else anyascii(ch)
        if not (piece == " " and (length == 0 or folded[length - 1:length] == " ")):
            length += len(piece)
        ends.append(length)
    start = next((i for i, end in enumerate(ends) if end > span[0]), len(sentence))
    stop = next((i + 1 for i, end in enumerate(ends) if end >= span[1]), len(sentence))
    return sentence[start:stop].strip()


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def _absolute_value(m: re.Match, lex: Lexicon) -> date | None:
    """A date with a day; the year is 1 (unknown) when the text omits it."""
    try:
        if m.group("iso"):
            return date.fromisoformat(m.group("iso"))
        month = lex.months[m.group("m1") or m.group("m2")]
        return date(int(m.group("year") or 1), month, int(m.group("d1") or m.group("d2")))
    except ValueError:
        return None


def _numeric_value(m: re.Match, day_first: bool) -> date | None:
    """02.01.2022 or (2/1): day and month in the language's order; a two-digit year is 20YY."""
    a, b = (int(m.group("a") or m.group("pa")), int(m.group("b") or m.group("pb")))
    year = int(m.group("y") or 1)
    day, month = (a, b) if day_first or "." in m.group(0) else (b, a)
    try:
        return date(year + 2000 if year < 100 and m.group("y") else year, month, day)
    except ValueError:
        return None


_URL_DATES = (
    (re.compile(r"(?<!\d)((?:19|20)\d\d)[/-]([01]?\d)[/-]([0-3]?\d)(?!\d)"), (0, 1, 2)),
    (re.compile(r"(?<!\d)((?:19|20)\d\d)([01]\d)([0-3]\d)(?!\d)"), (0, 1, 2)),
    (re.compile(r"(?<!\d)([0-3]\d)([01]\d)((?:19|20)\d\d)(?!\d)"), (2, 1, 0)),
)
_URL_MONTH = re.compile(r"/((?:19|20)\d\d)/([01]?\d)/")


def date_in_url(url: str) -> date | None:
    """A publication date written into a URL path (2022/01/02, 20220102, 02012022)."""
    for pattern, order in _URL_DATES:
        for m in pattern.finditer(url):
            parts = m.groups()
            try:
                return date(*(int(parts[i]) for i in order))
            except ValueError:
                continue
    return None


@dataclass(frozen=True, slots=True)
class Anchor:
    """The earliest and latest day an article can have been written (``source``: what says so).

    A date found in the text's layout (a date line, a dateline) is not ``trusted``: it may be
    an update's or a comment's; it dates events but does not keep reports apart.
    """

    start: date
    end: date
    source: str = field(default="", compare=False)
    trusted: bool = field(default=True, compare=False)

    @property
    def exact(self) -> date | None:
        return self.start if self.start == self.end else None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def parse_partial_date(text: str, source: str = "") -> Anchor | None:
    """'2022-01-02' -> that day; '2022-01' -> all of January 2022; '2022' -> the year."""
    m = re.match(r"\s*((?:19|20)\d\d)(?:[-/]([01]?\d)(?:[-/]([0-3]?\d))?)?", text)
    if not m:
        return None
    year, month, day = (int(g) if g else None for g in m.groups())
    try:
        if day:
            d = date(year, month, day)
            return Anchor(d, d, source)
        if month:
            start = date(year, month, 1)
            return Anchor(start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1), source)
        return Anchor(date(year, 1, 1), date(year, 12, 31), source)
    except ValueError:
        return None


def url_anchor(url: str) -> Anchor | None:
    """The day (or month: /2022/01/) a URL's path names."""
    if day := date_in_url(url):
        return Anchor(day, day, f"url {url}")
    m = _URL_MONTH.search(url)
    return parse_partial_date(f"{m.group(1)}-{m.group(2)}", f"url {url}") if m else None


def written_date(text: str, lang: str) -> date | None:
    """The first absolute date with a year in a short text ("Published 2 May 2021", "02.01.2022 14:35")."""
    return next((t.value for t in find_time_expressions([text], lang) if t.value and t.value.year > 1), None)


_DATELINE_END = re.compile(r"\s[–—-]+\s|\)\s*[–—-]|\s[–—-]{2}")


def dateline_date(first_sentence: str, lang: str) -> date | None:
    """A date in the dateline opening the body ("ISTANBUL, Jan 2 (Reuters) - ...")."""
    end = _DATELINE_END.search(first_sentence[:80])
    return written_date(first_sentence[:end.start()], lang) if end else None


def anchors(article: Article) -> list[Anchor]:
    """Every statement of when the article was written, the most trusted first: its publication
    date, a date line in the text ("date 2022-01"), a dated dateline, its URL, when it was crawled."""
    found: list[Anchor | None] = []
    if article.published:
        found.append(Anchor(article.published, article.published, f"published {article.published}"))
    meta = article.metadata
    if "date" in meta:
        found.append(parse_partial_date(meta["date"], f"date {meta['date']}"))
    if "date_text" in meta and (day := written_date(meta["date_text"], article.lang)):
        found.append(Anchor(day, day, meta["date_text"], trusted=False))
    if len(article.sentences) > 1 and (day := dateline_date(article.sentences[1], article.lang)):
        found.append(Anchor(day, day, f"dateline {day}", trusted=False))
    for url in (article.url, meta.get("url"), meta.get("source_url")):
        if url:
            found.append(url_anchor(url))
    if "captured" in meta and (day := parse_published(meta["captured"])):
        found.append(Anchor(day - timedelta(CRAWL_DAYS), day, f"crawled {day}"))
    return [a for a in found if a is not None]


def article_anchor(article: Article) -> Anchor | None:
    """When the article was written: its sources' common window, the most trusted first
    (one that contradicts those before it is ignored)."""
    window: Anchor | None = None
    for anchor in anchors(article):
        if window is None:
            window = anchor
        elif (narrower := intersect(window, anchor)) is not None and narrower != window:
            window = Anchor(narrower.start, narrower.end, f"{window.source}; {anchor.source}",
                            window.trusted and anchor.trusted)
    return window


@dataclass(frozen=True, slots=True)
class EventTime:
    """What an article says about when its event happened (``evidence``: the phrases used).

    An ``assumed`` window is not said: a lead without a time phrase is taken to report the
    days just before publication, or a phrase is resolved against an untrusted anchor; it
    dates an event but is no ground to keep reports apart.
    """

    window: Anchor | None
    weekday: int | None
    evidence: tuple[str, ...] = field(default=(), compare=False)
    assumed: bool = False

    @property
    def stated(self) -> bool:
        return self.window is not None and not self.assumed

    def candidates(self) -> list[date]:
        """Days in the window that fit the weekday (all days if no weekday)."""
        if self.window is None or self.window.days > UNDATED_SPAN:
            return []
        days = [self.window.start + timedelta(n) for n in range(self.window.days)]
        return [d for d in days if self.weekday is None or d.weekday() == self.weekday]

    @property
    def day(self) -> date | None:
        """The one day that fits; without a weekday, the latest of a few days (the first reports)."""
        options = self.candidates()
        if len(options) == 1 or (self.weekday is None and 1 < len(options) <= REPORTING_DAYS + 1):
            return options[-1]
        return None


def resolve(expr: TimeExpression, anchor: Anchor | None) -> Anchor | None:
    """The window of days a time expression points to, given the article's anchor."""
    if expr.value is not None:
        if expr.value.year > 1:
            return Anchor(expr.value, expr.value)
        if anchor is None:
            return None
        best = min((_replace_year(expr.value, anchor.start.year + k) for k in (-1, 0, 1)),
                   key=lambda d: abs((d - anchor.start).days) if d else 1 << 30)
        return Anchor(best, best) if best else None
    if anchor is None:
        return None
    if expr.relative_days is not None:
        lo, hi = expr.relative_days
        return Anchor(anchor.start + timedelta(lo), anchor.end + timedelta(hi))
    if expr.weekday is not None:
        # A bare weekday in news refers to the past week (or today).
        return Anchor(anchor.start - timedelta(6), anchor.end)
    return None


def _replace_year(day: date, year: int) -> date | None:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return None


def _about_the_event(window: Anchor, anchor: Anchor | None) -> bool:
    """Not a plan (after publication) nor background (well before it)."""
    if anchor is None:
        return True
    return window.start <= anchor.end and window.end >= anchor.start - timedelta(BACKGROUND_DAYS)


def event_time(article: Article, lead: int = LEAD_SENTENCES) -> EventTime:
    """When the article's main event happened, from its lead and its anchor."""
    anchor = article_anchor(article)
    said = [t for t in article.times if t.sentence < lead]
    named = next((t for t in said if t.weekday is not None), None)
    weekday = named.weekday if named else None
    evidence = (named.text,) if named else ()
    for expr in said:
        if expr.weekday is not None:
            continue
        window = resolve(expr, anchor)
        if window is not None and _about_the_event(window, anchor):
            if expr.value is not None and expr.value.year > 1:  # a date that stands on its own
                return EventTime(window, weekday, (*evidence, expr.text))
            return EventTime(window, weekday, (*evidence, expr.text, anchor.source), not anchor.trusted)
    if anchor is None:
        return EventTime(None, weekday, evidence)
    if weekday is not None:
        return EventTime(resolve(named, anchor), weekday, (*evidence, anchor.source), not anchor.trusted)
    # The lead says nothing: the event happened shortly before publication.
    return EventTime(Anchor(anchor.start - timedelta(REPORTING_DAYS), anchor.end), None, (anchor.source,), True)


def intersect(a: Anchor | None, b: Anchor | None) -> Anchor | None:
    """Days both windows allow (None when either is unknown or they do not meet)."""
    if a is None or b is None:
        return a or b
    start, end = max(a.start, b.start), min(a.end, b.end)
    return Anchor(start, end) if start <= end else None


@dataclass(frozen=True, slots=True)
class EventDate:
    """An event's date: ``day`` (the middle of the possible days when less precise than a day),
    ``precision`` ("day", "week", "month"; None: undated) and the (article id, phrase) evidence."""

    day: date | None = None
    precision: str | None = None
    evidence: tuple[tuple[str, str], ...] = ()

    def as_json(self) -> list[dict[str, str]]:
        return [{"article": article, "phrase": phrase} for article, phrase in self.evidence]


def precision_of(window: Anchor) -> str | None:
    return "day" if window.days == 1 else "week" if window.days <= 7 else "month" if window.days <= 31 else None


def consensus(times: list[tuple[str, EventTime]]) -> EventDate:
    """The date most of the members' times agree on: windows intersected, stated before assumed ones and
    the narrowest first (one that contradicts those before it is outvoted), then the most named weekday."""
    dated = sorted((t for t in times if t[1].window is not None and t[1].window.days <= UNDATED_SPAN),
                   key=lambda t: (t[1].assumed, t[1].window.days))
    window: Anchor | None = None
    agreeing: list[tuple[str, EventTime]] = []
    for article_id, time in dated:
        if (narrower := intersect(window, time.window)) is not None:
            window = narrower
            agreeing.append((article_id, time))
    if window is None:
        return EventDate()
    weekdays = Counter(t.weekday for _, t in agreeing if t.weekday is not None)
    weekday = max(weekdays, key=lambda d: (weekdays[d], -d)) if weekdays else None
    # the window is at most UNDATED_SPAN days wide, so some days fit
    fits = EventTime(window, weekday).candidates() or EventTime(window, None).candidates()
    days = Anchor(fits[0], fits[-1])
    day = EventTime(window, weekday).day if weekday is not None else window.exact
    supporting = agreeing + [(a, t) for a, t in times if t.window is None and weekday is not None]
    evidence = tuple(dict.fromkeys((a, phrase) for a, t in supporting if weekday is None or t.weekday in (None, weekday)
                                   for phrase in t.evidence))
    if day is not None:
        return EventDate(day, "day", evidence)
    precision = precision_of(days)
    middle = days.start + timedelta(days=(days.days - 1) // 2)
    return EventDate(middle, precision, evidence) if precision else EventDate()


def parse_published(text: str | None) -> date | None:
    """A publication date from ISO 8601 or any common written form ('Mon, 02 Jan 2022'); None if unsure."""
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    import dateparser

    parsed = dateparser.parse(text, settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]})
    return parsed.date() if parsed else None
