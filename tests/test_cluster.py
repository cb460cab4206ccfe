from datetime import date

import numpy as np

from storyweave.cluster import ArticleSignals, EventClusterer, EventState, StoryLinker, story_order
from storyweave.dates import Anchor, EventTime

RNG = np.random.default_rng(1)
TOPIC = RNG.normal(size=64)


def _near(base, noise):
    v = base + noise * RNG.normal(size=base.shape)
    return v / np.linalg.norm(v)


def _signals(aid, who, time=EventTime(None, None), lead_noise=0.6, follows=None, base=TOPIC):
    lead = _near(base, lead_noise)
    actors = {k: w for k, w in who.items() if " " in k}
    return ArticleSignals(aid, lead=lead, doc=lead, who=who, actors=actors, entities=dict(who), time=time,
                          follows=follows)


def test_same_topic_different_actors_or_day_are_different_events():
    clusterer = EventClusterer(topic_floor=0.5)
    sunday, monday = EventTime(None, 6), EventTime(None, 0)
    a = clusterer.add(_signals("a", {"vladimir putin": 2, "recep tayyip erdogan": 3}, sunday), "ev-a")
    b = clusterer.add(_signals("b", {"vladimir poetin": 2, "recep tayyip erdogan": 3}, sunday), "ev-b")
    c = clusterer.add(_signals("c", {"mevlut cavusoglu": 4, "country:RU": 0.5}, EventTime(None, None)), "ev-c")
    d = clusterer.add(_signals("d", {"vladimir putin": 2, "joe biden": 3}, monday), "ev-d")
    e = clusterer.add(_signals("e", {"vladimir putin": 2, "recep tayyip erdogan": 3, "olaf scholz": 1}, monday),
                      "ev-e")
    assert a == b == "ev-a"
    assert c == "ev-c"
    assert d == "ev-d"  # another weekday and only some of the actors: another event
    assert e == "ev-a"  # another weekday in the lead, but the same actors: the same event


def test_conflicting_dates_never_join_and_copies_follow_their_original():
    clusterer = EventClusterer(topic_floor=0.5)
    day1 = EventTime(Anchor(date(2022, 1, 2), date(2022, 1, 2)), None)
    day9 = EventTime(Anchor(date(2022, 1, 9), date(2022, 1, 9)), None)
    who = {"jens stoltenberg": 3}
    assert clusterer.add(_signals("a", who, day1), "ev-a") == "ev-a"
    assert clusterer.add(_signals("b", who, day9), "ev-b") == "ev-b"
    assert clusterer.add(_signals("c", {}, lead_noise=5.0, follows="b"), "ev-c") == "ev-b"


def test_off_topic_article_starts_its_own_event():
    clusterer = EventClusterer(topic_floor=0.5)
    clusterer.add(_signals("a", {"joe biden": 2}), "ev-a")
    off = _signals("b", {"joe biden": 2}, lead_noise=0.1, base=RNG.normal(size=64))
    assert clusterer.add(off, "ev-b") == "ev-b"


def test_storylines_link_related_events_oldest_first():
    first, second, unrelated = EventState("e1"), EventState("e2"), EventState("e3")
    first.add(_signals("a", {"country:TR": 0.5, "nato": 2}))
    second.add(_signals("b", {"nato": 2, "mevlut cavusoglu": 4}))
    unrelated.add(_signals("c", {"nato": 2}, lead_noise=0.1, base=RNG.normal(size=64)))
    days = {"e1": date(2022, 1, 2), "e2": date(2021, 12, 27), "e3": None}
    groups = StoryLinker(story_floor=0.5).link([first, second, unrelated], days)
    assert sorted(map(sorted, groups)) == [["e1", "e2"], ["e3"]]
    assert story_order(["e1", "e2"], days, {"e1": 1, "e2": 2}) == ["e2", "e1"]
    far_apart = {"e1": date(2022, 1, 2), "e2": date(2021, 6, 1), "e3": None}
    assert sorted(map(sorted, StoryLinker(story_floor=0.5).link([first, second], far_apart))) == [["e1"], ["e2"]]
