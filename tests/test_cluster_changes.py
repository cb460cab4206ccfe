"""Merges and splits of open events, late articles, and the event history in the store."""

import json
from datetime import date, timedelta

from test_cluster import CALL, CALL_WORDS, TOPIC, _event, _signals, _topic

from storyweave import Pipeline
from storyweave.cluster import EventChange, EventClusterer

SUMMIT = {"joe biden": 3, "xi jinping": 3}
SUMMIT_WORDS = ("summit", "tariffs", "bali", "trade")


def test_an_article_bridging_two_fragments_of_one_event_merges_them_and_says_why():
    clusterer = EventClusterer(topic_floor=0.8)
    clusterer.restore([(_signals("a1", CALL, CALL_WORDS), "ev-a"), (_signals("a2", CALL, CALL_WORDS), "ev-a"),
                       (_signals("b1", CALL, CALL_WORDS), "ev-b"), (_signals("b2", CALL, CALL_WORDS), "ev-b")])
    assert clusterer.add(_signals("c", CALL, CALL_WORDS), "ev-c") == "ev-a"
    assert list(clusterer.events) == ["ev-a"] and len(clusterer.events["ev-a"].members) == 5
    [change] = clusterer.changes
    assert (change.kind, change.event_id, change.other_id) == ("merge", "ev-a", "ev-b")  # the older one stays
    assert set(change.articles) - {"c"} == {"b1", "b2"}  # and c, when it chose ev-b first
    assert "article c fits both" in change.reason
    assert clusterer.event_of["b1"] == "ev-a" and clusterer.add(_signals("d", CALL, CALL_WORDS), "ev-d") == "ev-a"
    assert clusterer.changes == []  # only the latest micro-batch's: the caller keeps the history


def test_look_alike_events_are_not_merged_by_an_article_of_one_of_them():
    clusterer = EventClusterer(topic_floor=0.8)
    summit = _event(TOPIC)
    clusterer.restore([(_signals("a1", CALL, CALL_WORDS), "ev-a"), (_signals("a2", CALL, CALL_WORDS), "ev-a"),
                       (_signals("s1", SUMMIT, SUMMIT_WORDS, base=summit), "ev-s"),
                       (_signals("s2", SUMMIT, SUMMIT_WORDS, base=summit), "ev-s")])
    assert clusterer.add(_signals("c", CALL, CALL_WORDS), "ev-c") == "ev-a"
    assert clusterer.changes == [] and sorted(clusterer.events) == ["ev-a", "ev-s"]


def test_an_event_whose_members_form_two_groups_is_split_as_it_grows():
    clusterer = EventClusterer(topic_floor=0.8)
    summit = _event(TOPIC)
    mixed = [(_signals(f"call{i}", CALL, CALL_WORDS), "ev-call0") for i in range(3)]
    mixed += [(_signals(f"summit{i}", SUMMIT, SUMMIT_WORDS, base=summit), "ev-call0") for i in range(4)]
    clusterer.restore(mixed)  # as a store could hold them, from before the evidence was clear
    assert clusterer.add(_signals("call3", CALL, CALL_WORDS), "ev-call3") == "ev-call0"  # 8 members: re-scored
    [change] = clusterer.changes
    assert (change.kind, change.event_id, change.other_id) == ("split", "ev-call0", "ev-summit0")
    assert change.articles == ("summit0", "summit1", "summit2", "summit3")
    assert [m.article_id for m in clusterer.events["ev-call0"].members] == ["call0", "call1", "call2", "call3"]
    assert clusterer.add(_signals("summit4", SUMMIT, SUMMIT_WORDS, base=summit), "ev-summit4") == "ev-summit0"
    assert clusterer.event_of["summit0"] == "ev-summit0" and len(clusterer.index) == 9


def test_a_small_event_near_a_batch_joins_the_larger_one_its_members_would_join():
    clusterer = EventClusterer(topic_floor=0.8)
    summit = _event(TOPIC)
    clusterer.restore([(_signals(f"a{i}", CALL, CALL_WORDS), "ev-a") for i in range(4)]
                      + [(_signals("early", CALL, CALL_WORDS), "ev-early")]  # as a store could hold it
                      + [(_signals(f"s{i}", SUMMIT, SUMMIT_WORDS, base=summit), "ev-s") for i in range(2)])
    assert clusterer.add(_signals("u", {"marla quint": 2}, ("clinique",), base=_event(_topic())), "ev-u") == "ev-u"
    [change] = clusterer.changes
    assert (change.kind, change.event_id, change.other_id, change.articles) == ("merge", "ev-a", "ev-early", ("early",))
    assert "members of ev-early would join ev-a" in change.reason
    assert sorted(clusterer.events) == ["ev-a", "ev-s", "ev-u"]  # the look-alike small event stays apart


def test_a_small_event_of_two_joins_the_larger_one_both_would_join_whichever_is_looked_at_first():
    for late in (False, True):  # the second member restored with the first, or of the batch (looked at first)
        clusterer = EventClusterer(topic_floor=0.8)
        early = [(_signals("early1", CALL, CALL_WORDS), "ev-early"), (_signals("early2", CALL, CALL_WORDS), "ev-early")]
        batch = [(_signals("u", {"marla quint": 2}, ("clinique",), base=_event(_topic())), "ev-u")]
        if late:  # a copy of early1: it joins ev-early in the batch
            early.pop()
            batch.insert(0, (_signals("early2", CALL, CALL_WORDS, follows="early1"), "ev-early2"))
        clusterer.restore([(_signals(f"a{i}", CALL, CALL_WORDS), "ev-a") for i in range(4)] + early)
        clusterer.add_batch(batch)
        [change] = clusterer.changes
        assert (change.kind, change.event_id, change.other_id) == ("merge", "ev-a", "ev-early")
        assert set(change.articles) == {"early1", "early2"} and sorted(clusterer.events) == ["ev-a", "ev-u"]


def test_one_event_of_one_kind_is_not_split():
    clusterer = EventClusterer(topic_floor=0.8)
    assigned = clusterer.add_batch([(_signals(f"call{i}", CALL, CALL_WORDS, noise=0.3), f"ev-{i}") for i in range(16)])
    assert set(assigned) == {"ev-0"} and clusterer.changes == []


def test_a_late_article_joins_its_open_event_without_moving_the_clock_back():
    clusterer = EventClusterer(topic_floor=0.8, quiet_days=3)
    start = date(2024, 1, 1)
    bases = [_event(_topic()) for _ in range(6)]
    for day, base in enumerate(bases):
        clusterer.add(_signals(f"d{day}", {f"person number{day}": 3}, (f"w{day}", f"v{day}"), base=base,
                               day=start + timedelta(day)), f"ev-d{day}")
    late = _signals("late", {"person number4": 3}, ("w4", "v4"), base=bases[4], day=start + timedelta(4))
    assert clusterer.add(late, "ev-late") == "ev-d4"
    assert clusterer.clock == start + timedelta(5) and "ev-d2" in clusterer.events
    too_late = _signals("too-late", {"person number0": 3}, ("w0", "v0"), base=bases[0], day=start)
    assert clusterer.add(too_late, "ev-too-late") == "ev-too-late"  # its event was closed: a new one


QUAKE = [("a", "Earthquake strikes Valparaiso", "A strong earthquake struck Valparaiso in Chile on Monday, the"
           " seismology office said. Houses collapsed in the port city."),
          ("b", "Valparaiso quake kills two", "Two people died when a strong earthquake struck Valparaiso in Chile"
           " on Monday, officials said. Power failed across the port city."),
          ("c", "Chile earthquake: Valparaiso damage", "A strong earthquake struck Valparaiso in Chile on Monday,"
           " officials said. Two people died and houses collapsed in the port city."),
          ("r", "Tara Reid in rehab", "Actress Tara Reid checked into the Promises clinic in Malibu, her agent told"
           " People magazine. She is 33.")]


def test_a_split_and_a_merge_are_stored_with_the_events_they_change_and_a_rerun_changes_nothing(tmp_path):
    for name, title, text in QUAKE:
        (tmp_path / f"{name}.jsonl").write_text(json.dumps({"title": title, "text": text, "lang": "en"}) + "\n")
    first = [tmp_path / f"{name}.jsonl" for name in "abr"]
    db = tmp_path / "s.db"
    with Pipeline(db, encoder="hashing") as pipeline:
        pipeline.run(first)
        rehab, quake = sorted(pipeline.store.events(), key=lambda e: len(e.article_ids))
        assert len(quake.article_ids) == 2 and len(rehab.article_ids) == 1
        # as an earlier re-scoring could have left it: the second quake report split off
        moved = quake.article_ids[1]
        with pipeline.store.transaction():
            pipeline.store.put_event_changes([EventChange("split", quake.id, f"ev-{moved}", (moved,), "why",
                                                          date(2024, 1, 2))])
            pipeline.store.put_event(f"ev-{moved}", "Valparaiso quake kills two", None, None, 3, 1)
        assert [len(e.article_ids) for e in pipeline.store.events()] == [1, 1, 1]
        assert "valparaiso" in pipeline.store.entity_keys_of_event(f"ev-{moved}", 50)  # recounted from its articles
        pipeline.run([tmp_path / "c.jsonl"])  # fits both quake events, whose members would join each other
        events = pipeline.store.events()
        assert sorted(len(e.article_ids) for e in events) == [1, 3] and f"ev-{moved}" not in {e.id for e in events}
        keys = set(pipeline.store.entity_keys_of_event(quake.id, 50))
        assert "valparaiso" in keys and "tara reid" not in keys
        assert pipeline.store.entity_keys_of_event(f"ev-{moved}", 50) == []
        history = pipeline.overview()["event_changes"]
    assert [(c["kind"], c["event_id"], c["other_id"], c["day"]) for c in history] == [
        ("split", quake.id, f"ev-{moved}", "2024-01-02"), ("merge", quake.id, f"ev-{moved}", None)]
    assert history[1]["articles"] == [moved] and "fits both" in history[1]["reason"]
    with Pipeline(db, encoder="hashing") as pipeline:
        before = pipeline.overview()
        report = pipeline.run([*first, tmp_path / "c.jsonl"])
        assert report.added == [] and report.unchanged == 4 and pipeline.overview() == before
        assert len(pipeline.store.event_changes(f"ev-{moved}")) == 2 and pipeline.store.event_changes(rehab.id) == []
