from datetime import date

import pytest

from storyweave.dates import (Anchor, EventTime, article_anchor, date_in_url, event_time, find_time_expressions,
                              parse_partial_date, resolve)
from storyweave.models import Article


def _article(sentences, lang="en", **kw):
    a = Article(id="x", source="x", title=sentences[0], body=" ".join(sentences[1:]), lang=lang,
                sentences=sentences, **kw)
    a.times = find_time_expressions(sentences, lang)
    return a


# One hand-written sentence per language and kind: (lang, sentence, text found, weekday, relative days, value).
EXPRESSIONS = [
    ("en", "The mayor resigned on Sunday after the vote.", "Sunday", 6, None, None),
    ("en", "Prices rose again earlier this month, traders said.", "this month", None, (-29, 0), None),
    ("en", "The bridge was closed three days ago.", "three days ago", None, (-3, -3), None),
    ("en", "The museum reopened on April 14, 2023.", "April 14, 2023", None, None, date(2023, 4, 14)),
    ("fr", "Le maire a démissionné dimanche soir.", "dimanche", 6, None, None),
    ("fr", "La grève a repris hier dans les ports.", "hier", None, (-1, -1), None),
    ("fr", "Les pluies ont commencé la semaine dernière.", "la semaine dernière", None, (-13, -1), None),
    ("fr", "Le musée a rouvert le 14 avril 2023.", "14 avril 2023", None, None, date(2023, 4, 14)),
    ("de", "Der Bürgermeister trat am Sonntag zurück.", "Sonntag", 6, None, None),
    ("de", "Die Brücke wurde gestern gesperrt.", "gestern", None, (-1, -1), None),
    ("de", "Das Museum öffnete am 14. April wieder.", "14. April", None, None, date(1, 4, 14)),
    ("de", "Vor zwei Tagen begann der Streik.", "Vor zwei Tagen", None, (-2, -2), None),
    ("es", "El alcalde dimitió el domingo por la noche.", "domingo", 6, None, None),
    ("es", "Ayer se cerró el puente.", "Ayer", None, (-1, -1), None),
    ("es", "El museo reabrió el 14 de abril de 2023.", "14 de abril de 2023", None, None, date(2023, 4, 14)),
    ("it", "Il sindaco si è dimesso domenica.", "domenica", 6, None, None),
    ("it", "Il ponte è stato chiuso ieri.", "ieri", None, (-1, -1), None),
    ("it", "Lo sciopero è iniziato la settimana scorsa.", "settimana scorsa", None, (-13, -1), None),
    ("pt", "O prefeito renunciou no domingo.", "domingo", 6, None, None),
    ("pt", "A ponte foi fechada ontem.", "ontem", None, (-1, -1), None),
    ("pt", "A greve começou na segunda-feira.", "na segunda", 0, None, None),
    ("nl", "De burgemeester stapte zondag op.", "zondag", 6, None, None),
    ("nl", "De brug werd vorige week gesloten.", "vorige week", None, (-13, -1), None),
    ("nl", "Het museum ging op 14 april weer open.", "14 april", None, None, date(1, 4, 14)),
    ("id", "Wali kota itu mundur pada hari Minggu.", "hari Minggu", 6, None, None),
    ("id", "Jembatan itu ditutup kemarin.", "kemarin", None, (-1, -1), None),
    ("id", "Museum dibuka kembali Jumat (14/4).", "(14/4)", None, None, date(1, 4, 14)),
    ("ru", "Мэр ушел в отставку в воскресенье.", "воскресенье", 6, None, None),
    ("ru", "Мост закрыли вчера.", "вчера", None, (-1, -1), None),
    ("ru", "Музей открылся 14 апреля 2023 года.", "14 апреля 2023", None, None, date(2023, 4, 14)),
    ("tr", "Belediye başkanı pazar günü istifa etti.", "pazar günü", 6, None, None),
    ("tr", "Köprü dün kapatıldı.", "dün", None, (-1, -1), None),
    ("tr", "Müze 14.04.2023 tarihinde yeniden açıldı.", "14.04.2023", None, None, date(2023, 4, 14)),
]


@pytest.mark.parametrize("lang, sentence, text, weekday, relative, value", EXPRESSIONS)
def test_time_expressions_in_ten_languages(lang, sentence, text, weekday, relative, value):
    found = find_time_expressions([sentence], lang)
    assert (text, weekday, relative, value) in [(t.text, t.weekday, t.relative_days, t.value) for t in found]


@pytest.mark.parametrize("lang, sentence", [
    ("id", "Pameran itu berlangsung selama dua minggu."),  # "minggu" is a week here, not Sunday
    ("tr", "Pazar yerinde fiyatlar yükseldi."),  # "pazar" is the market
    ("pt", "É a segunda maior cidade do país."),  # "segunda" is second
    ("en", "The 1.5.2 release fixed the bug."),  # a version number
])
def test_words_that_only_look_like_dates(lang, sentence):
    assert find_time_expressions([sentence], lang) == []


def test_photo_credits_and_captions_carry_no_time():
    sentences = ["Flood", "The prime minister in Lyon on May 3, 2019.", "File photo: Reuters",
                 "Archivbild vom 3. Mai 2019.", "Rivers burst their banks on Tuesday."]
    assert [t.text for t in find_time_expressions(sentences, "en")] == ["Tuesday"]
    assert find_time_expressions(["Archivbild vom 3. Mai 2019: der Kanzler in Lyon."], "de") == []


@pytest.mark.parametrize("lang, sentence, day", [
    ("de", "Der Streik begann gestern.", date(2023, 4, 14)),
    ("es", "La huelga empezó hace dos días.", date(2023, 4, 13)),
    ("ru", "Забастовка началась вчера.", date(2023, 4, 14)),
    ("tr", "Grev dün başladı.", date(2023, 4, 14)),
    ("nl", "De staking begon zaterdag.", date(2023, 4, 15)),
    ("fr", "La grève a commencé le 12 avril.", date(2023, 4, 12)),
])
def test_lead_expressions_resolve_against_the_publication_date(lang, sentence, day):
    article = _article(["Strike", sentence], lang, published=date(2023, 4, 15))
    assert event_time(article).day == day


def test_background_and_plans_in_the_lead_are_not_the_event_date():
    published = date(2023, 4, 15)
    background = _article(["Strike", "Unions, which signed the deal on January 9, walked out on Friday."],
                          published=published)
    assert event_time(background).day == date(2023, 4, 14)
    plan = _article(["Summit", "Leaders will meet on April 28.", "They agreed the agenda."], published=published)
    assert event_time(plan).day == date(2023, 4, 15)  # nothing said of the past: the publication day
    assert event_time(plan).evidence == ("published 2023-04-15",)


def test_url_and_partial_dates():
    assert date_in_url("https://x.net/turkey/02012022") == date(2022, 1, 2)
    assert date_in_url("https://x.com/2021/12/27/story") == date(2021, 12, 27)
    assert date_in_url("https://x.com/news/20230414-strike") == date(2023, 4, 14)
    assert date_in_url("https://x.com/story-123") is None
    assert parse_partial_date("2022-01") == Anchor(date(2022, 1, 1), date(2022, 1, 31))


@pytest.mark.parametrize("fields, anchor", [
    ({"published": date(2023, 4, 15)}, Anchor(date(2023, 4, 15), date(2023, 4, 15))),
    ({"url": "https://x.com/2023/04/story"}, Anchor(date(2023, 4, 1), date(2023, 4, 30))),
    # A month from a date line narrowed to the day by the URL.
    ({"metadata": {"date": "2023-04", "source_url": "https://x.com/world/15042023"}},
     Anchor(date(2023, 4, 15), date(2023, 4, 15))),
    ({"metadata": {"date_text": "Published 15 April 2023, 09:12"}}, Anchor(date(2023, 4, 15), date(2023, 4, 15))),
    ({"metadata": {"captured": "2023-04-16T03:00:00Z"}}, Anchor(date(2023, 4, 13), date(2023, 4, 16))),
])
def test_publication_date_from_metadata_url_and_crawl_time(fields, anchor):
    assert article_anchor(_article(["Strike", "Workers walked out."], **fields)) == anchor


def test_publication_date_from_a_dateline():
    article = _article(["Strike", "LYON, 14 avril 2023 (AFP) - Les cheminots ont cessé le travail."], "fr")
    assert article_anchor(article) == Anchor(date(2023, 4, 14), date(2023, 4, 14))
    assert article_anchor(_article(["Strike", "LYON – Les cheminots ont cessé le travail."], "fr")) is None


def test_lead_weekday_resolves_against_publication_date():
    a = _article(["Leaders talk", "The two leaders spoke by phone on Sunday.", "More."],
                 published=date(2022, 1, 3))
    assert event_time(a).day == date(2022, 1, 2)
    assert event_time(a).evidence == ("Sunday", "published 2022-01-03")


def test_month_precision_anchor_plus_weekday_stays_ambiguous():
    a = _article(["Leaders talk", "They spoke on Sunday."], metadata={"date": "2022-01"})
    t = event_time(a)
    assert t.weekday == 6 and t.day is None and date(2022, 1, 2) in t.candidates()


def test_undated_article_keeps_only_its_weekday():
    t = event_time(_article(["Talks", "Turkey urged Russia on Monday to drop its demands."]))
    assert t == EventTime(None, 0)


def test_unknown_year_is_the_one_closest_to_the_anchor():
    expr = find_time_expressions(["The talks ended on December 30."], "en")[0]
    assert resolve(expr, Anchor(date(2023, 1, 2), date(2023, 1, 2))) == Anchor(date(2022, 12, 30), date(2022, 12, 30))


def test_reports_published_a_day_apart_fit_one_event():
    from storyweave.cluster import dates_conflict

    first = event_time(_article(["Talks", "Leaders met in Geneva."], published=date(2022, 1, 2)))
    second = event_time(_article(["Talks", "Leaders met in Geneva."], published=date(2022, 1, 3)))
    assert not dates_conflict(first, second)
    assert first.day == date(2022, 1, 2)


def test_a_date_found_in_the_layout_dates_the_event_but_does_not_keep_reports_apart():
    lead = ["Strike", "Dockers walked out on Thursday."]
    from_layout = event_time(_article(lead, metadata={"date_text": "Published 15 April 2023"}))
    from_metadata = event_time(_article(lead, published=date(2023, 4, 15)))
    assert from_layout.day == from_metadata.day == date(2023, 4, 13)
    assert from_metadata.stated and not from_layout.stated
