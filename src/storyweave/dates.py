"""When things happened: anchor dates, time expressions in many languages, event dates.

Weekday, month and relative-day words ("yesterday", "vorige week", "minggu lalu")
come from dateparser's CLDR-derived locale data, so every language it knows works.
An article's *anchor* is its publication date (or a date found in its metadata or
URL); relative expressions in the lead are resolved against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from .models import Article, TimeExpression
from .text import fold

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_RELATIVE = re.compile(r"^(?:(in) )?(\d+) (day|week|month)(?: (ago))?$")
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}
LEAD_SENTENCES = 4  # the title and the first three body sentences
REPORTING_DAYS = 3  # news reports an event within this many days


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Folded calendar words of one language."""

    weekdays: dict[str, int]
    months: dict[str, int]
    relative: dict[str, tuple[int, int]]


@lru_cache(maxsize=64)
def lexicon(lang: str) -> Lexicon:
    """Weekday, month and relative-day words of ``lang`` plus English."""
    from dateparser.languages import default_loader

    weekdays: dict[str, int] = {}
    months: dict[str, int] = {}
    relative: dict[str, tuple[int, int]] = {}
    for code in dict.fromkeys([lang, "en"]):
        try:
            info = default_loader.get_locale(code).info
        except (KeyError, ValueError):
            continue
        for number, name in enumerate(_WEEKDAYS):
            weekdays.update({fold(w): number for w in info.get(name, []) if len(w) >= 4})
        for number, name in enumerate(_MONTHS, start=1):
            months.update({fold(m): number for m in info.get(name, []) if len(m) >= 3})
        for meaning, phrases in info.get("relative-type", {}).items():
            span = _relative_span(meaning)
            if span:
                relative.update({fold(p): span for p in phrases if len(p) >= 4})
    return Lexicon(weekdays, months, relative)


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


def calendar_words(lang: str) -> frozenset[str]:
    """Folded weekday and month names, so entity extraction can skip them."""
    lex = lexicon(lang)
    return frozenset(lex.weekdays) | frozenset(lex.months)


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=64)
def _patterns(lang: str) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    lex = lexicon(lang)
    month = _alternation(lex.months)
    day = r"(?P<{}>[0-3]?\d)(?:st|nd|rd|th|er|e)?"
    year = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
    absolute = re.compile(
        rf"\b(?:(?P<m1>{month})\.?\s+{day.format('d1')}|{day.format('d2')}\.?\s+(?P<m2>{month})\.?){year}\b"
        r"|\b(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)\b"
    )
    relative = re.compile(rf"\b(?:{_alternation(lex.relative)})\b")
    weekday = re.compile(rf"\b(?:{_alternation(lex.weekdays)})\b")
    return absolute, relative, weekday


def find_time_expressions(sentences: list[str], lang: str) -> list[TimeExpression]:
    """Absolute dates, weekdays and relative-day phrases in each sentence (unresolved)."""
    lex = lexicon(lang)
    absolute, relative, weekday = _patterns(lang)
    found: list[TimeExpression] = []
    for index, sentence in enumerate(sentences):
        folded = fold(sentence)
        taken: list[tuple[int, int]] = []
        for m in absolute.finditer(folded):
            value = _absolute_value(m, lex)
            if value is not None:
                found.append(TimeExpression(m.group(0), index, value=value))
                taken.append(m.span())
        for m in relative.finditer(folded):
            if not _overlaps(m.span(), taken):
                found.append(TimeExpression(m.group(0), index, relative_days=lex.relative[m.group(0)]))
                taken.append(m.span())
        for m in weekday.finditer(folded):
            if not _overlaps(m.span(), taken):
                found.append(TimeExpression(m.group(0), index, weekday=lex.weekdays[m.group(0)]))
    return found


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


_URL_DATES = (
    (re.compile(r"(?<!\d)((?:19|20)\d\d)[/-]([01]?\d)[/-]([0-3]?\d)(?!\d)"), (0, 1, 2)),
    (re.compile(r"(?<!\d)((?:19|20)\d\d)([01]\d)([0-3]\d)(?!\d)"), (0, 1, 2)),
    (re.compile(r"(?<!\d)([0-3]\d)([01]\d)((?:19|20)\d\d)(?!\d)"), (2, 1, 0)),
)


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
    """The earliest and latest day an article can have been written."""

    start: date
    end: date

    @property
    def exact(self) -> date | None:
        return self.start if self.start == self.end else None


def parse_partial_date(text: str) -> Anchor | None:
    """'2022-01-02' -> that day; '2022-01' -> all of January 2022; '2022' -> the year."""
    m = re.match(r"\s*((?:19|20)\d\d)(?:-([01]?\d)(?:-([0-3]?\d))?)?", text)
    if not m:
        return None
    year, month, day = (int(g) if g else None for g in m.groups())
    try:
        if day:
            d = date(year, month, day)
            return Anchor(d, d)
        if month:
            start = date(year, month, 1)
            return Anchor(start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1))
        return Anchor(date(year, 1, 1), date(year, 12, 31))
    except ValueError:
        return None


def article_anchor(article: Article) -> Anchor | None:
    """Publication date, else a date line in the text, else a date in the URL."""
    if article.published:
        return Anchor(article.published, article.published)
    if "date" in article.metadata:
        found = parse_partial_date(article.metadata["date"])
        if found:
            return found
    for key in ("url", "source_url"):
        url = article.url if key == "url" else article.metadata.get(key)
        if url and (day := date_in_url(url)):
            return Anchor(day, day)
    return None


@dataclass(frozen=True, slots=True)
class EventTime:
    """What an article says about when its event happened."""

    window: Anchor | None
    weekday: int | None

    def candidates(self) -> list[date]:
        """Days in the window that fit the weekday (all days if no weekday)."""
        if self.window is None or (self.window.end - self.window.start).days > 62:
            return []
        days = [self.window.start + timedelta(n) for n in range((self.window.end - self.window.start).days + 1)]
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
        best = min((expr.value.replace(year=anchor.start.year + k) for k in (-1, 0, 1)),
                   key=lambda d: abs((d - anchor.start).days))
        return Anchor(best, best)
    if anchor is None:
        return None
    if expr.relative_days is not None:
        lo, hi = expr.relative_days
        return Anchor(anchor.start + timedelta(lo), anchor.end + timedelta(hi))
    if expr.weekday is not None:
        # A bare weekday in news refers to the past week (or today).
        return Anchor(anchor.start - timedelta(6), anchor.end)
    return None


def event_time(article: Article, lead: int = LEAD_SENTENCES) -> EventTime:
    """When the article's main event happened, from its lead and its anchor."""
    anchor = article_anchor(article)
    weekday = next((t.weekday for t in article.times if t.sentence < lead and t.weekday is not None), None)
    for expr in article.times:
        if expr.sentence >= lead or expr.weekday is not None:
            continue
        window = resolve(expr, anchor)
        if window is not None:
            return EventTime(window, weekday)
    if weekday is not None and anchor is not None:
        return EventTime(resolve(TimeExpression("", 0, weekday=weekday), anchor), weekday)
    if anchor is not None:  # the lead says nothing: the event happened shortly before publication
        return EventTime(Anchor(anchor.start - timedelta(REPORTING_DAYS), anchor.end), None)
    return EventTime(None, weekday)


def intersect(a: Anchor | None, b: Anchor | None) -> Anchor | None:
    """Days both windows allow (None when either is unknown or they do not meet)."""
    if a is None or b is None:
        return a or b
    start, end = max(a.start, b.start), min(a.end, b.end)
    return Anchor(start, end) if start <= end else None


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
