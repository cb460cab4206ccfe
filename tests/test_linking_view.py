"""The registry's reads while it links a batch: answered from memory as the store answers them, merges included."""

from collections import Counter

import pytest

from storyweave.entities.linking import LinkingView
from storyweave.entities.registry import SpellingIndex, blocks
from storyweave.store import Store

FORMS = [("vladimir putin", "en", "Vladimir Putin", "person", 3), ("vladimir putin", "de", "Wladimir Putin", "person", 3),
         ("vladimir putin", "fr", "Vladimir Poutine", "person", 1), ("putin", "en", "Putin", "person", 2),
         ("poetin", "nl", "Poetin", "person", 2), ("russia", "en", "Russia", "place", 4),
         ("rusland", "nl", "Rusland", "place", 1), ("nato", "en", "NATO", "org", 2)]


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "v.db") as store, store.transaction():
        for key in sorted({f[0] for f in FORMS}):
            store.new_entity(key, *blocks(key))
        store.new_entity("country:RU", *blocks("country:RU"))
        store.add_entity_sightings(FORMS, [])
        yield store


def reads(source, entities: list[int], keys: list[str]) -> dict:
    """Every read the registry makes while linking, of ``source`` (a store or a view)."""
    return {"candidates": [list(source.entity_candidates(k, blocks(k), keys, 100).items()) for k in keys],
            "of_keys": source.entity_of_keys(keys), "languages": dict(source.key_languages(keys)),
            "key_languages": {e: dict(k) for e, k in source.entity_key_languages(entities).items()},
            "counts": source.entity_key_counts(entities)}


def test_a_view_reads_as_its_store_through_merges(store):
    view = LinkingView(store)
    keys = sorted({f[0] for f in FORMS} | {"country:RU", "unknown"})
    entities = sorted(set(store.entity_of_keys(keys).values()))
    assert reads(view, entities, keys) == reads(store, entities, keys)
    of = store.entity_of_keys(keys)
    view.merge_entities(of["putin"], of["vladimir putin"], "name", "putin ~ vladimir putin")
    view.merge_entities(of["rusland"], of["country:RU"], "cldr", "rusland = country:RU")
    view.merge_entities(of["russia"], of["country:RU"], "cldr", "russia = country:RU")
    view.new_entity("country:DE", *blocks("country:DE"))
    assert reads(view, entities, keys + ["country:DE"]) == reads(store, entities, keys + ["country:DE"])


def test_the_keys_written_in_a_language_are_those_the_store_has_forms_of_in_it(store):
    view = LinkingView(store)
    keys = sorted({f[0] for f in FORMS} | {"unknown"})
    languages = store.key_languages(keys)
    for lang in ("en", "nl", "de", "xx"):
        expected = {k for k in keys if lang in languages[k]}
        assert view.keys_written_in(keys, lang) == expected
        assert view.keys_written_in(set(reversed(keys)), lang) == expected  # asked again, in another order
    assert view.keys_written_in(keys, "nl") == {"poetin", "rusland"}


def test_a_views_candidates_come_in_order_of_fewest_mentions_then_key(store):
    view = LinkingView(store)
    found = view.entity_candidates("nato", None, ["russia", "poetin", "rusland", "vladimir putin"], 0)
    assert list(found) == ["rusland", "vladimir putin", "poetin", "russia"]
    assert found["vladimir putin"][1:] == ("Vladimir Putin", "person")  # of two forms as mentioned: the last language


def test_a_spelling_index_finds_again_what_it_found_until_a_key_is_added():
    index = SpellingIndex(["zurich", "genf"])
    calls = Counter()
    search = index._near
    index._near = lambda *args: calls.update([args]) or search(*args)
    found = index.near("zürih")
    assert [k for k, _ in found] == ["zurich"] and index.near("zürih") is found
    assert sum(calls.values()) == 1
    index.add("zurih")
    assert [k for k, _ in index.near("zürih")] == ["zurih", "zurich"] and sum(calls.values()) == 2
