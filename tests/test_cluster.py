import gc
from datetime import date, timedelta

import numpy as np
import pytest

from storyweave.bench.events import score
from storyweave.bench.stream import StreamShape, SyntheticNews
from storyweave.cluster import (INDEXED_MEMBERS, JOIN_MODEL, ArticleSignals, EventClusterer, EventState, MemberIndex,
                                Profile, StoryLinker, _max_dot, _seeded_sides, _side_means, _top_columns,
                                entity_shares, overlap, signals_for, story_order)
from storyweave.compiled import compiled
from storyweave.dates import Anchor, EventTime
from storyweave.entities import SpellingVariants
from storyweave.models import Article

RNG = np.random.default_rng(1)
COMMON = RNG.normal(size=64)


def _near(base, noise):
    v = base / np.linalg.norm(base) + noise * RNG.normal(size=base.shape) / np.sqrt(base.size)
    return v / np.linalg.norm(v)


def _topic():
    return _near(COMMON, 0.35)  # unrelated leads: cosine about 0.86


def _event(topic):
    return _near(topic, 0.25)  # look-alike events of one topic: about 0.93


TOPIC = _topic()
EVENT = _event(TOPIC)


def _signals(aid, who, words=(), time=EventTime(None, None), noise=0.12, follows=None, base=EVENT, lang="en",
             day=None, translated=False, lead=None):
    if lead is None:  # drawn: articles of one event about 0.98
        lead = _near(base, noise)
    actors = {k: w for k, w in who.items() if " " in k}
    vector = dict.fromkeys(words, 1 / np.sqrt(len(words))) if words else {}
    return ArticleSignals(aid, lead=lead, doc=lead, who=who, actors=actors, entities=dict(who), time=time,
                          follows=follows, translated=translated, day=day, lang=lang, words=vector)


CALL = {"vladimir putin": 2, "recep tayyip erdogan": 3}
CALL_WORDS = ("phone", "call", "putin", "erdogan", "security", "demands")


def test_look_alike_events_are_told_apart_by_actors_and_words():
    clusterer = EventClusterer(topic_floor=0.8)
    a = clusterer.add(_signals("a", CALL, CALL_WORDS), "ev-a")
    b = clusterer.add(_signals("b", {"vladimir poetin": 2, "recep tayyip erdogan": 3}, CALL_WORDS[1:], lang="nl"),
                      "ev-b")
    c = clusterer.add(_signals("c", {"mevlut cavusoglu": 4}, ("cavusoglu", "reporters", "ankara", "urged"),
                               base=_event(TOPIC)), "ev-c")
    assert a == b == "ev-a"
    assert c == "ev-c"


def test_with_dates_known_another_weekday_and_other_actors_is_another_event():
    clusterer = EventClusterer(topic_floor=0.8)
    week = Anchor(date(2021, 12, 27), date(2022, 1, 2))
    sunday, monday = EventTime(week, 6), EventTime(None, 0)
    assert clusterer.add(_signals("a", CALL, CALL_WORDS, sunday), "ev-a") == "ev-a"
    statement = CALL_WORDS[3:] + ("cavusoglu", "reporters", "ankara")
    assert clusterer.add(_signals("b", {"mevlut cavusoglu": 4}, statement, monday), "ev-b") == "ev-b"
    assert clusterer.add(_signals("c", CALL, CALL_WORDS, monday), "ev-c") == "ev-a"  # the same actors: joins


def test_conflicting_dates_never_join_and_copies_follow_their_original():
    clusterer = EventClusterer(topic_floor=0.8)
    day1 = EventTime(Anchor(date(2022, 1, 2), date(2022, 1, 2)), None)
    day16 = EventTime(Anchor(date(2022, 1, 16), date(2022, 1, 16)), None)  # two weeks later
    who = {"jens stoltenberg": 3}
    assert clusterer.add(_signals("a", who, CALL_WORDS, day1), "ev-a") == "ev-a"
    assert clusterer.add(_signals("b", who, CALL_WORDS, day16), "ev-b") == "ev-b"
    assert clusterer.add(_signals("c", {}, noise=5.0, follows="b"), "ev-c") == "ev-b"


def test_a_translation_follows_its_original_unless_clearly_about_something_else():
    clusterer = EventClusterer(topic_floor=0.8)
    clusterer.add(_signals("a", CALL, CALL_WORDS), "ev-a")
    same = _signals("b", {"vladimir poutine": 2}, ("appel",), lang="fr", follows="a", translated=True)
    other = _signals("c", {"marla quint": 2}, ("clinique",), lang="fr", follows="a", translated=True,
                     base=_event(_topic()))
    assert clusterer.add(same, "ev-b") == "ev-a"
    assert clusterer.add(other, "ev-c") == "ev-c"


def test_a_translation_whose_sentences_all_align_follows_its_original_as_a_copy_does():
    event, aside = _event_and_aside()  # drawn from no generator: the other tests' vectors stay as they were
    sentences = ["Phone call.", "Putin called Erdogan.", "They spoke of security."]
    article = Article("b", "b.txt", sentences[0], " ".join(sentences[1:]), lang="fr", sentences=sentences,
                      translation_of="a")
    vectors = np.vstack([event] * len(sentences))
    assert signals_for(article, vectors, alignment=0.8).translated  # checked by the clusterer
    followed = signals_for(article, vectors, alignment=1.0)
    assert followed.follows == "a" and not followed.translated
    clusterer = EventClusterer(topic_floor=0.8)
    clusterer.add(_signals("a", CALL, CALL_WORDS, lead=event), "ev-a")
    unlike = _signals("c", {"marla quint": 2}, ("clinique",), lang="fr", follows="a", lead=aside,
                      translated=followed.translated)  # however unlike its original's event it looks
    assert clusterer.add(unlike, "ev-c") == "ev-a"


def _event_and_aside():
    """EVENT's direction and a unit vector at right angles to it."""
    event = EVENT / np.linalg.norm(EVENT)
    aside = COMMON - (COMMON @ event) * event
    return event, aside / np.linalg.norm(aside)


def test_a_lone_article_that_nearly_fits_joins_a_large_event_at_the_end_of_its_batch_but_not_a_small_one():
    event, aside = _event_and_aside()
    for size, expected in ((12, "ev-m0"), (4, "ev-lone")):
        members = [_signals(f"m{i}", CALL, CALL_WORDS, lead=event) for i in range(size)]
        lead = 0.8975 * event + np.sqrt(1 - 0.8975 ** 2) * aside  # below the threshold, by less than ln(12 / 4)
        lone = _signals("lone", {"olaf scholz": 3}, ("phone", "budget"), lead=lead)
        clusterer = EventClusterer(topic_floor=0.8)
        clusterer.add_batch([(m, f"ev-{m.article_id}") for m in members])
        assert clusterer.add(lone, "ev-lone") == expected


def test_off_topic_article_starts_its_own_event():
    clusterer = EventClusterer(topic_floor=0.8)
    clusterer.add(_signals("a", {"joe biden": 2}, CALL_WORDS), "ev-a")
    off = _signals("b", {"joe biden": 2}, ("harvest", "rain"), base=_event(_topic()))
    assert clusterer.add(off, "ev-b") == "ev-b"


def test_a_single_article_event_and_a_very_large_event_side_by_side():
    clusterer = EventClusterer(topic_floor=0.8, ann_from=8)  # the HNSW index takes over past 8 members
    batch = [(_signals(f"big{i}", CALL, CALL_WORDS), f"ev-big{i}") for i in range(600)]
    lone = _signals("lone", {"olaf scholz": 3}, ("budget", "bundestag"), base=_event(_topic()))
    assigned = [e for start in range(0, 600, 100) for e in clusterer.add_batch(batch[start:start + 100])]
    assert set(assigned) == {"ev-big0"}
    assert clusterer.add(lone, "ev-lone") == "ev-lone"
    assert len(clusterer.events["ev-big0"].members) == 600 and clusterer.index.index is not None
    assert sorted(clusterer.index.row_of) == [*range(600 - INDEXED_MEMBERS, 600), 600]  # the latest members and lone


def test_undated_articles_keep_the_window_open_and_dated_ones_close_quiet_events():
    clusterer = EventClusterer(topic_floor=0.8, quiet_days=3)
    start = date(2024, 1, 1)
    clusterer.add(_signals("undated", CALL, CALL_WORDS), "ev-undated")
    for day in range(10):
        clusterer.add(_signals(f"d{day}", {f"person number{day}": 3}, (f"w{day}",), base=_event(_topic()),
                               day=start + timedelta(day)), f"ev-d{day}")
    assert sorted(clusterer.events) == ["ev-d6", "ev-d7", "ev-d8", "ev-d9", "ev-undated"]
    assert clusterer.closed == 6 and len(clusterer.index) == 5 and "d0" not in clusterer.event_of


def test_member_index_is_exact_when_small_and_approximate_when_large():
    vectors = np.vstack([_near(RNG.normal(size=64), 0.0) for _ in range(300)]).astype(np.float32)
    exact, approximate = MemberIndex(ann_from=10**9), MemberIndex(ann_from=100)
    for index in (exact, approximate):
        index.add(list(range(300)), vectors)
    assert approximate.index is not None and exact.index is None
    for index in (exact, approximate):
        nearest = index.search(vectors[:5], 3)
        assert [found[0][0] for found in nearest] == [0, 1, 2, 3, 4]
        assert all(abs(found[0][1] - 1.0) < 1e-5 for found in nearest)
    approximate.remove(list(range(260)))  # below half the threshold: back to the exact scan
    assert approximate.index is None and len(approximate) == 40


def test_exact_member_index_forgets_removed_members():
    vectors = np.vstack([_near(RNG.normal(size=64), 0.0) for _ in range(300)]).astype(np.float32)
    index = MemberIndex(ann_from=10**9)
    index.add(list(range(200)), vectors[:200])
    index.remove([k for k in range(200) if k % 3] + [999])
    index.add(list(range(200, 300)), vectors[200:])
    live = [k for k in range(300) if k >= 200 or k % 3 == 0]
    assert len(index) == len(live)
    for query, found in zip(vectors[:20], index.search(vectors[:20], 5)):
        cosines = vectors[live] @ query
        assert [k for k, _ in found] == [live[i] for i in np.argsort(-cosines, kind="stable")[:5]]
    assert index.used == len(live)  # the removed rows were dropped before the scan


def test_repeated_search_sees_the_members_added_and_removed_since():
    vectors = np.vstack([_near(RNG.normal(size=64), 0.0) for _ in range(300)]).astype(np.float32)
    queries = vectors[150:250]
    repeated, fresh = MemberIndex(ann_from=10**9), MemberIndex(ann_from=10**9)
    for index in (repeated, fresh):
        index.add(list(range(200)), vectors[:200])
    repeated.search(queries, 5, keep=True)
    repeated.search(vectors[:3], 5)  # not kept: the scan kept before stays
    assert repeated.last_scan is not None and repeated.last_scan[0] is queries
    for index in (repeated, fresh):
        index.remove(list(range(0, 200, 3)))
        index.add(list(range(200, 300)), vectors[200:])
    rows = [0, 7, 60, 99]
    for again, expected in ((repeated.search_again(queries, rows, 5), fresh.search(queries[rows], 5)),
                            (repeated.search_again(vectors, rows, 5), fresh.search(vectors[rows], 5))):  # not the last
        assert [[k for k, _ in found] for found in again] == [[k for k, _ in found] for found in expected]
        assert np.allclose([[c for _, c in found] for found in again], [[c for _, c in found] for found in expected])


def test_search_since_a_previous_search_scans_only_the_members_added_since():
    vectors = np.vstack([_near(RNG.normal(size=64), 0.0) for _ in range(400)]).astype(np.float32)
    index = MemberIndex(ann_from=10**9)
    index.add(list(range(200)), vectors[:200])
    queries = vectors[300:340]
    previous = [(found, index.mark()) for found in index.search(queries, 5)]
    found_first = {key for found, _ in previous[:10] for key, _ in found}
    index.remove([k for k in range(200) if k % 4 == 0 and k not in found_first])  # a few found by the others
    index.add(list(range(200, 250)), vectors[200:250])
    later = [(found, index.mark()) for found in index.search(queries, 5)]  # another mark: another slice scanned
    index.add(list(range(250, 300)), vectors[250:300])
    index.remove(list(range(205, 300, 7)))  # of the members added since, some are removed
    live = [k for k in range(300) if k in index.row_of]
    expected = [[live[i] for i in np.argsort(-(vectors[live] @ q), kind="stable")[:5]] for q in queries]
    for given in (previous, previous[:20] + [None] * 20, previous[:10] + later[10:]):
        assert [[k for k, _ in found] for found in index.search_since(queries, given, 5)] == expected


def test_score_skips_features_only_when_they_cannot_change_the_answer():
    clusterer = EventClusterer(topic_floor=0.8)
    events = [EventState(f"ev-{k}") for k in range(4)]
    for k, (event, base, who) in enumerate(zip(events, (EVENT, _event(TOPIC), _topic(), EVENT), (CALL, CALL, {}, {}))):
        for j in range(3):
            event.add(_signals(f"{k}-{j}", who, CALL_WORDS[j + k:], base=base))
    for article in (_signals("x", {"vladimir putin": 2}, CALL_WORDS[2:], lang="nl"), _signals("y", {}, ("phone",))):
        for event in events:
            cosine = max(float(article.lead @ m.lead) for m in event.members)
            logit = JOIN_MODEL.bias + np.dot(JOIN_MODEL.weights, clusterer.features(article, event, cosine, [0.9]))
            for floor in (-np.inf, *np.arange(-12.0, 12.0, 0.25)):
                found = clusterer.score(article, event, cosine, [0.9], floor=floor)
                assert (found is None) == (logit < floor)
                assert found is None or abs(found - logit) < 1e-9


def test_top_columns_are_those_of_a_full_sort():
    for width in (50, 300, 5000):
        sims = RNG.normal(size=(7, width)).astype(np.float32)
        sims[:, width // 2:] = -np.inf  # rows with few finite values
        sims[0, :20] = 0.5  # ties: the first columns win
        sims[1, [3, 9, 30]] = 4.0
        sims[2, [13, 3, 14, 5, 19, 6, 7]] = 4.0  # later columns equal to earlier ones
        # fewer columns than asked for (all of them); rows or columns stored contiguously
        for matrix in (sims, sims.astype(np.float64), sims[:, :3], np.asfortranarray(sims)):
            for count in (0, 1, 2, 5, 16):
                expected = np.argsort(-matrix, axis=1, kind="stable")[:, :count]
                assert (_top_columns(matrix, count) == expected).all()


def test_compiled_max_dot_is_numpys_up_to_rounding():
    rng = np.random.default_rng(7)  # its own: draws from the module's RNG would shift the later tests' data
    for rows, dtype in ((1, np.float32), (7, np.float32), (64, np.float32), (5, np.float64)):
        matrix, vector = rng.normal(size=(rows, 384)).astype(dtype), rng.normal(size=384).astype(dtype)
        assert np.isclose(compiled(_max_dot, fastmath=True)(matrix, vector), (matrix @ vector).max(), rtol=1e-5, atol=1e-4)


def test_compiled_two_means_steps_are_numpys_to_the_bit():
    rng = np.random.default_rng(11)  # its own, as above
    for rows, dtype in ((2, np.float32), (9, np.float32), (40, np.float32), (200, np.float32), (30, np.float64)):
        centres = rng.normal(size=(2, 384))
        vectors = centres[rng.integers(0, 2, rows)] + rng.normal(size=(rows, 384))
        vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(dtype)
        similarity = vectors @ vectors.T
        seeds = np.unravel_index(int(np.argmin(similarity)), similarity.shape)
        sides = compiled(_seeded_sides)(similarity)
        assert (sides == (similarity[list(seeds)].argmax(axis=0) == 1)).all()
        means = compiled(_side_means)(vectors, sides)
        assert means.dtype == dtype
        assert np.array_equal(means, np.array([vectors[~sides].mean(axis=0), vectors[sides].mean(axis=0)]))
        assert compiled(_side_means)(vectors, np.zeros(rows, bool)).shape == (0, 384)


def test_synthetic_stream_is_clustered_close_to_its_true_events():
    news = SyntheticNews(StreamShape(articles_per_day=100, events_per_day=20, topics=100, names=2000))
    clusterer = EventClusterer(topic_floor=0.8, quiet_days=3, ann_from=256)
    predicted, gold = [], []
    for batch, events in news.articles(800):
        predicted += clusterer.add_batch([(s, f"ev-{s.article_id}") for s in batch])
        gold += events
    assert score(predicted, gold).bcubed_f1 > 0.85
    assert clusterer.closed > 0


def test_the_clusterer_keeps_only_the_open_window():
    news = SyntheticNews(StreamShape(articles_per_day=100, events_per_day=20, topics=100, names=2000, batch=50))
    clusterer = EventClusterer(topic_floor=0.8, quiet_days=2)
    changes = 0
    for batch, _ in news.articles(2000):  # 20 days
        clusterer.add_batch([(s, f"ev-{s.article_id}") for s in batch])
        assert all(c.day == clusterer.clock for c in clusterer.changes)  # this batch's only (one day's)
        changes += len(clusterer.changes)
        open_members = {m.article_id for e in clusterer.events.values() for m in e.members}
        assert set(clusterer.event_of) == open_members and len(clusterer.event_of_key) == len(open_members)
        assert set(clusterer.nearest_before) <= open_members and set(clusterer.unindexed) <= set(clusterer.events)
        assert len(clusterer.index) <= INDEXED_MEMBERS * len(clusterer.events)
    assert len(open_members) < 600 and clusterer.closed > 100 and changes > 0


def test_the_storyline_linker_kept_between_batches_links_as_a_new_one_would():
    """Relations are computed again only for the events changed since the last call (joined, merged, split,
    closed): the stories must be those of a linker that computes them all."""
    news = SyntheticNews(StreamShape(articles_per_day=100, events_per_day=20, topics=30, names=600, batch=50))
    clusterer = EventClusterer(topic_floor=0.8, quiet_days=2)
    kept = StoryLinker(story_floor=0.85)
    changes = linked = 0
    for batch, _ in news.articles(1500):
        clusterer.add_batch([(s, f"ev-{s.article_id}") for s in batch])
        changes += len(clusterer.changes)
        events = list(clusterer.events.values())
        days = {e.id: e.last_day for e in events}
        stories = kept.link(events, days)
        assert stories == StoryLinker(story_floor=0.85).link(events, days)
        linked += sum(len(story) > 1 for story in stories)
    assert changes > 0 and linked > 0
    assert set(kept._linked) == set(clusterer.events)  # closed events forgotten


def test_a_batch_pauses_the_cycle_collector_and_leaves_no_cycles_for_it():
    news = SyntheticNews(StreamShape(articles_per_day=100, events_per_day=20, topics=100, names=2000, batch=50))
    first, *rest = [[(s, f"ev-{s.article_id}") for s in batch] for batch, _ in news.articles(600)]
    clusterer = EventClusterer(topic_floor=0.8, quiet_days=2)
    clusterer.add_batch(first)  # compiles the kernels
    gc.collect()
    for batch in rest[:-1]:
        clusterer.add_batch(batch)
        assert gc.isenabled()
    assert gc.collect() == 0  # no garbage only the collector could free: pausing it holds no memory back
    gc.disable()
    try:
        clusterer.add_batch(rest[-1])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlap_matches_spelling_variants():
    putin = Profile()
    putin.merge({"vladimir putin": 1.0})
    assert overlap({"vladimir poutine": 2.0, "country:RU": 1.0}, putin) == 2 / 3
    assert overlap({}, putin) is None


def test_entity_shares_of_all_pairs_are_the_overlaps_of_each_pair():
    profiles = [{"vladimir putin": 2.0, "country:RU": 0.5}, {"vladimir poutine": 1.0, "nato": 3.0}, {},
                {"nato": 1.0, "jens stoltenberg": 2.0, "putin": 0.5}]
    spellings = SpellingVariants()
    spellings.update(set().union(*profiles))
    shares, naming = entity_shares(profiles, spellings.variants)
    assert (naming == shares.T).all()
    assert (entity_shares(profiles, spellings.variants, [3, 0])[1] == shares.T[[3, 0]]).all()
    for a, named in enumerate(profiles):
        for b, other in enumerate(profiles):
            profile = Profile()
            profile.merge(other)
            assert shares[a, b] == pytest.approx(overlap(named, profile) or 0.0)
    assert shares[0, 1] == pytest.approx(2 / 2.5) and shares[2].sum() == 0


def test_storylines_link_related_events_oldest_first():
    first, second, unrelated = EventState("e1"), EventState("e2"), EventState("e3")
    first.add(_signals("a", {"country:TR": 0.5, "nato": 2}))
    second.add(_signals("b", {"nato": 2, "mevlut cavusoglu": 4}))
    unrelated.add(_signals("c", {"nato": 2}, base=_event(_topic())))
    days = {"e1": date(2022, 1, 2), "e2": date(2021, 12, 27), "e3": None}
    groups = StoryLinker(story_floor=0.9).link([first, second, unrelated], days)
    assert sorted(map(sorted, groups)) == [["e1", "e2"], ["e3"]]
    assert story_order(["e1", "e2"], days, {"e1": 1, "e2": 2}) == ["e2", "e1"]
    far_apart = {"e1": date(2022, 1, 2), "e2": date(2021, 6, 1), "e3": None}
    assert sorted(map(sorted, StoryLinker(story_floor=0.9).link([first, second], far_apart))) == [["e1"], ["e2"]]


def test_same_topic_events_sharing_only_a_minor_entity_stay_separate_stories():
    quake, other_quake = EventState("e1"), EventState("e2")
    quake.add(_signals("a", {"country:ID": 0.5, "sulawesi": 3, "bmkg": 3}))
    other_quake.add(_signals("b", {"country:ID": 0.5, "aceh": 3, "usgs": 3}))
    days = {"e1": None, "e2": None}
    assert sorted(map(sorted, StoryLinker(story_floor=0.9).link([quake, other_quake], days))) == [["e1"], ["e2"]]


def test_join_model_training_pairs_follow_the_gold_events_and_the_fit_separates_them():
    import importlib.util
    import sys
    from pathlib import Path

    from storyweave.cluster import JoinModel

    path = Path(__file__).parents[1] / "scripts" / "train_join_model.py"
    spec = importlib.util.spec_from_file_location("train_join_model", path)
    train = sys.modules["train_join_model"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    teacher = train.TeacherForced(topic_floor=0.8)
    summit = _event(TOPIC)
    for i in range(6):
        teacher.add(_signals(f"call-{i}", CALL, CALL_WORDS), "call")
        teacher.add(_signals(f"summit-{i}", {"joe biden": 2.0}, ("summit", "tariffs"), base=summit), "summit")
    features, labels = np.array(teacher.features_seen), np.array(teacher.labels, float)
    assert features.shape == (21, 11) and labels.sum() == 10  # the first summit: the call; later: both
    weights, bias = train.fit(features, labels)
    assert weights[2] > 0  # shared actors speak for the same event
    assert train.accuracy(JoinModel(tuple(weights), bias), features, labels) == 1.0
