"""Publication dates from every input format, event dates by consensus, and their storage."""

import io
import json
from datetime import date

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyweave.dates import Anchor, EventDate, EventTime, article_anchor, consensus
from storyweave.ingest import read_paths
from storyweave.models import Document
from storyweave.pipeline import prepare
from storyweave.store import Store

BODY = ("Workers at the northern port walked out after talks on pay collapsed, the union said. "
        "Ships queued outside the harbour as the strike entered its first day.")


def _anchor_of(doc: Document) -> Anchor | None:
    return article_anchor(prepare(doc).article)


def test_jsonl_date_under_another_common_key(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"title": "Port strike", "text": BODY, "datePublished": "2023-04-15T08:00:00Z"}))
    [doc] = read_paths([path])
    assert _anchor_of(doc) == Anchor(date(2023, 4, 15), date(2023, 4, 15))


def test_html_meta_date():
    html = ("<html><head><title>Port strike</title>"
            '<meta property="article:published_time" content="2023-04-15T08:00:00+00:00"></head>'
            f"<body><article><h1>Port strike</h1><p>{BODY}</p><p>{BODY}</p></article></body></html>")
    assert _anchor_of(Document("page.html", html, "html")) == Anchor(date(2023, 4, 15), date(2023, 4, 15))


def test_warc_capture_date_bounds_the_publication_date(tmp_path):
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/plain; charset=utf-8")], protocol="HTTP/1.1")
    record = writer.create_warc_record("https://port.example/strike", "response",
                                       payload=io.BytesIO(f"Port strike\n\n{BODY}\n".encode()), http_headers=headers,
                                       warc_headers_dict={"WARC-Date": "2023-04-16T03:00:00Z"})
    writer.write_record(record)
    (tmp_path / "crawl.warc").write_bytes(buffer.getvalue())
    [doc] = read_paths([tmp_path / "crawl.warc"])
    assert doc.captured == "2023-04-16T03:00:00Z"
    assert _anchor_of(doc) == Anchor(date(2023, 4, 13), date(2023, 4, 16))


def test_rss_pub_date(tmp_path):
    (tmp_path / "feed.rss").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Port news</title><item><title>Port strike</title>'
        f"<link>https://port.example/strike</link><pubDate>Sat, 15 Apr 2023 08:00:00 GMT</pubDate>"
        f"<description>{BODY}</description></item></channel></rss>")
    [doc] = read_paths([tmp_path / "feed.rss"])
    assert _anchor_of(doc) == Anchor(date(2023, 4, 15), date(2023, 4, 15))


def test_date_line_in_plain_text_and_url():
    text = f"Port strike\n\ndate 2023-04 {BODY}\n"
    doc = Document("https://port.example/news/15042023", text, "text", url="https://port.example/news/15042023")
    assert _anchor_of(doc) == Anchor(date(2023, 4, 15), date(2023, 4, 15))


def _day(d: date, *evidence: str, weekday=None) -> EventTime:
    return EventTime(Anchor(d, d), weekday, evidence)


def test_consensus_outvotes_a_contradicting_member_and_keeps_the_evidence():
    sunday = EventTime(Anchor(date(2023, 4, 10), date(2023, 4, 16)), 6, ("zondag",))
    found = consensus([("a", sunday), ("b", _day(date(2023, 4, 16), "gestern")), ("c", _day(date(2023, 3, 2), "x")),
                       ("d", EventTime(None, 6, ("hari Minggu",)))])
    assert found == EventDate(date(2023, 4, 16), "day", (("b", "gestern"), ("a", "zondag"), ("d", "hari Minggu")))


def test_consensus_precision_week_and_month():
    week = consensus([("a", EventTime(Anchor(date(2023, 4, 3), date(2023, 4, 9)), None, ("last week",)))])
    assert (week.day, week.precision) == (date(2023, 4, 6), "week")
    month = consensus([("a", EventTime(Anchor(date(2023, 4, 1), date(2023, 4, 30)), None, ("date 2023-04",)))])
    assert (month.day, month.precision) == (date(2023, 4, 15), "month")
    assert consensus([("a", EventTime(None, 3, ("Thursday",)))]) == EventDate()


def test_event_dates_are_stored_with_precision_and_evidence(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.put_event("ev-1", "Port strike", None, "st-1", 1, 1)
        store.put_event_dates({"ev-1": EventDate(date(2023, 4, 15), "day", (("a1", "gestern"),))})
        assert store.event_dates(["ev-1"]) == {"ev-1": EventDate(date(2023, 4, 15), "day", (("a1", "gestern"),))}
        [event] = store.events()
    assert (event.date, event.date_precision, event.date_evidence) == (
        date(2023, 4, 15), "day", [{"article": "a1", "phrase": "gestern"}])


def test_only_stated_dates_two_weeks_apart_keep_reports_apart():
    from storyweave.cluster import dates_conflict

    thursday, saturday, next_thursday, two_weeks_on = (_day(date(2023, 4, d)) for d in (13, 15, 20, 27))
    assert not dates_conflict(thursday, saturday)  # the event and a statement on it, two days later
    assert not dates_conflict(thursday, next_thursday)  # a development a week on (the cable mended)
    assert dates_conflict(thursday, two_weeks_on)
    assumed = EventTime(Anchor(date(2023, 4, 17), date(2023, 4, 20)), None, assumed=True)
    assert not dates_conflict(thursday, assumed)  # a lead that says nothing is no evidence
