from datetime import date

from storyweave.dates import Anchor, EventTime, date_in_url, event_time, find_time_expressions, parse_partial_date
from storyweave.models import Article


def _article(sentences, lang="en", **kw):
    a = Article(id="x", source="x", title=sentences[0], body=" ".join(sentences[1:]), lang=lang,
                sentences=sentences, **kw)
    a.times = find_time_expressions(sentences, lang)
    return a


def test_weekdays_months_and_relative_phrases_in_several_languages():
    found = find_time_expressions(["Hij sprak zondag met Erdogan.", "Dat was vorige week al bekend."], "nl")
    assert [(t.weekday, t.relative_days) for t in found] == [(6, None), (None, (-13, -1))]
    found = find_time_expressions(["Pertemuan 12 Januari Dewan NATO-Rusia."], "id")
    assert found[0].value == date(1, 1, 12)
    found = find_time_expressions(["Seen in Moscow on March 5, 2020."], "en")
    assert found[0].value == date(2020, 3, 5)


def test_url_and_partial_dates():
    assert date_in_url("https://x.net/turkey/02012022") == date(2022, 1, 2)
    assert date_in_url("https://x.com/2021/12/27/story") == date(2021, 12, 27)
    assert date_in_url("https://x.com/story-123") is None
    assert parse_partial_date("2022-01") == Anchor(date(2022, 1, 1), date(2022, 1, 31))


def test_lead_weekday_resolves_against_publication_date():
    a = _article(["Leaders talk", "The two leaders spoke by phone on Sunday.", "More."],
                 published=date(2022, 1, 3))
    assert event_time(a).day == date(2022, 1, 2)


def test_month_precision_anchor_plus_weekday_stays_ambiguous():
    a = _article(["Leaders talk", "They spoke on Sunday."], metadata={"date": "2022-01"})
    t = event_time(a)
    assert t.weekday == 6 and t.day is None and date(2022, 1, 2) in t.candidates()


def test_undated_article_keeps_only_its_weekday():
    t = event_time(_article(["Talks", "Turkey urged Russia on Monday to drop its demands."]))
    assert t == EventTime(None, 0)


def test_reports_published_a_day_apart_fit_one_event():
    from storyweave.cluster import dates_conflict

    first = event_time(_article(["Talks", "Leaders met in Geneva."], published=date(2022, 1, 2)))
    second = event_time(_article(["Talks", "Leaders met in Geneva."], published=date(2022, 1, 3)))
    assert not dates_conflict(first, second)
    assert first.day == date(2022, 1, 2)
