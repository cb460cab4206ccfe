"""Name vectors as registry evidence: names no spelling rule joins, joined by a clear margin only."""

import numpy as np
import pytest

from storyweave.entities.name_vectors import NameBars, NameVectors
from storyweave.entities.registry import Registry, country_names
from storyweave.store import Store

from registry_helpers import add, entity_of, named_article

BARS = NameBars(alone_similarity=0.95, alone_margin=0.03, event_similarity=0.92, event_margin=0.02,
                spelled_similarity=0.9, spelled_margin=0.01)
# Each name's share of its concept's own direction beside the direction all names share: names of two
# concepts are 0.9 alike, two of one concept with shares a and b 0.9 + 0.1 * sqrt(a * b).
NAMES = {"Tokyo": ("tokyo", 1.0), "東京": ("tokyo", 0.7), "Токио": ("tokyo", 0.8), "Beijing": ("beijing", 1.0),
         "Osaka": ("osaka", 1.0), "大阪": ("osaka", 0.2), "Vladimir Putin": ("putin", 1.0),
         "Путин": ("putin", 0.8), "Tokyo Tower": ("tokyo", 0.8), "南京": ("tokyo beijing", 0.9),
         "ᏥᏏᎾᏫ": ("unknown", 1.0), "ⲕⲓϣⲓⲛⲁⲩ": ("unknown", 0.95), "Chisinau": ("chisinau", 1.0),
         "tsisinawi": ("chisinau", 0.8), "Осакасити": ("osaka", 0.02), "Намба": ("osaka", 0.02),
         "The Hague": ("hague", 1.0), "Den Haag": ("hague", 0.5), "'s-Gravenhage": ("hague", 0.3),
         "Kuching": ("kuching", 1.0), "كيشينج": ("kuching", 0.5), "كيشينو": ("chisinau", 0.5)}


class ConceptEncoder:
    """Names as vectors of their concepts (a concept of two words lies between them), counting what it
    encodes; a text it does not know (a romanisation no test reads) is unlike every name (cosine 0)."""

    name = "concepts"
    dim = 32

    def __init__(self):
        self.encoded: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.encoded.extend(texts)
        concepts = sorted({c for concept, _ in NAMES.values() for c in concept.split()})
        rows = []
        for text in texts:
            if text not in NAMES:
                rows.append(np.eye(self.dim)[-1 - sum(map(ord, text)) % 8])
                continue
            concept, share = NAMES[text]
            own = sum(np.eye(self.dim)[1 + concepts.index(c)] for c in concept.split())
            own = np.sqrt(share) * own / np.linalg.norm(own) + \
                np.sqrt(1 - share) * np.eye(self.dim)[10 + list(NAMES).index(text)]
            rows.append(np.sqrt(0.9) * np.eye(self.dim)[0] + np.sqrt(0.1) * own)
        return np.array(rows, np.float32)


@pytest.fixture
def registry(tmp_path):
    with Store(tmp_path / "r.db") as store:
        yield Registry(store, country_names(("en", "ja", "ru")), ConceptEncoder(), BARS)




def test_a_name_in_another_script_joins_the_entity_its_vector_points_to(registry):
    add(registry, named_article("a", "en", "e1", [("Tokyo", "place"), ("Beijing", "place"), ("Osaka", "place")]))
    merges = add(registry, named_article("b", "ja", "e2", [("東京", "place")]))
    assert [(m.reason, m.evidence) for m in merges] == [("name-vector", "dongjing ~ tokyo (0.984, next 0.900)")]
    assert entity_of(registry, "東京")["aliases"] == {"en": {"Tokyo": 1}, "ja": {"東京": 1}}
    with registry.store.transaction():
        registry.unmerge(merges[0].id)
    assert entity_of(registry, "東京")["name"] == "東京"


def test_a_name_between_two_entities_or_too_far_from_any_stays_apart(registry):
    add(registry, named_article("a", "en", "e1", [("Tokyo", "place"), ("Beijing", "place"), ("Osaka", "place")]))
    add(registry, named_article("b", "zh", "e2", [("南京", "place")]), named_article("c", "ja", "e3", [("大阪", "place")]))
    assert entity_of(registry, "南京")["name"] == "南京"  # as near Tokyo as Beijing
    assert entity_of(registry, "大阪")["name"] == "大阪"  # 0.945 from Osaka: alone, not near enough


def test_within_an_event_the_bars_are_lower_and_one_language_is_two_entities(registry):
    add(registry, named_article("a", "en", "e1", [("Tokyo", "place"), ("Osaka", "place")]),
         named_article("b", "ja", "e1", [("大阪", "place")]), named_article("c", "en", "e1", [("Tokyo Tower", "place")]))
    assert entity_of(registry, "大阪")["aliases"] == {"en": {"Osaka": 1}, "ja": {"大阪": 1}}
    assert entity_of(registry, "Tokyo Tower")["name"] == "Tokyo Tower"  # Tokyo is written in English already


def test_a_language_may_name_a_place_two_ways_in_two_events(registry):
    """Den Haag joined The Hague in one event; 's-Gravenhage (0.955 from it), Dutch too, joins it in another:
    only within one event are two names of one language two entities."""
    add(registry, named_article("a", "en", "e1", [("The Hague", "place")]),
        named_article("b", "nl", "e1", [("Den Haag", "place")]))
    add(registry, named_article("c", "en", "e2", [("The Hague", "place")]),
        named_article("d", "nl", "e2", [("'s-Gravenhage", "place")]))
    assert entity_of(registry, "'s-Gravenhage")["aliases"] == {
        "en": {"The Hague": 2}, "nl": {"Den Haag": 1, "'s-Gravenhage": 1}}


def test_the_entity_of_its_event_its_vector_points_to_comes_before_one_elsewhere_spelled_alike(registry):
    """كيشينج (Kuching) is spelled as كيشينو (Chisinau, of another event) by its consonants; its vector
    points to the Kuching of its own event."""
    add(registry, named_article("a", "ar", "e1", [("كيشينو", "place")]), named_article("b", "en", "e2", [("Kuching", "place")]))
    merges = add(registry, named_article("c", "ar", "e2", [("كيشينج", "place")]))
    assert [(m.reason, m.evidence) for m in merges] == [("name-vector", "kyshynj ~ kuching (0.971, next -1.000 in event)")]
    assert entity_of(registry, "كيشينج")["aliases"] == {"ar": {"كيشينج": 1}, "en": {"Kuching": 1}}


def test_a_person_never_joins_a_place_by_its_name_vector(registry):
    add(registry, named_article("a", "en", "e1", [("Vladimir Putin", "place"), ("Osaka", "place")]))
    add(registry, named_article("b", "ru", "e2", [("Путин", "person")]))
    assert entity_of(registry, "Путин")["name"] == "Путин"


def test_each_key_is_encoded_once_and_kept_in_the_store(tmp_path):
    encoder = ConceptEncoder()
    with Store(tmp_path / "r.db") as store:
        registry = Registry(store, country_names(("en", "ru")), encoder, BARS)
        add(registry, named_article("a", "en", "e1", [("Tokyo", "place"), ("Beijing", "place")]))
        assert encoder.encoded == []  # names of one language: none has a name of another to join
        add(registry, named_article("b", "en", "e2", [("Tokyo", "place")]),
             named_article("c", "ru", "e2", [("Токио", "place")]))
        assert sorted(encoder.encoded) == ["Beijing", "Tokyo", "tokio", "Токио"]  # with its romanisation
        again = NameVectors(store, ConceptEncoder())
        assert again.add({"tokyo": "Tokyo", "tokio": "Токио"}) == 0 and "beijing" in again
        assert again.similarities("tokio", ["tokyo", "beijing"]) == \
            pytest.approx({"tokyo": 0.989, "beijing": 0.9}, abs=1e-3)


def test_names_the_encoder_cannot_tell_apart_say_nothing(registry):
    """Two names of scripts the encoder has no tokens for are one vector (all unknown tokens)."""
    add(registry, named_article("a", "chr", "e1", [("ᏥᏏᎾᏫ", "place")]))
    add(registry, named_article("b", "cop", "e2", [("ⲕⲓϣⲓⲛⲁⲩ", "place")]))
    assert entity_of(registry, "ⲕⲓϣⲓⲛⲁⲩ")["name"] == "ⲕⲓϣⲓⲛⲁⲩ"


def test_a_name_the_encoder_cannot_read_joins_by_its_romanisation(registry):
    add(registry, named_article("a", "en", "e1", [("Chisinau", "place"), ("Tokyo", "place")]))
    merges = add(registry, named_article("b", "chr", "e2", [("ᏥᏏᎾᏫ", "place")]))  # spelled unlike (0.55)
    assert [(m.reason, m.evidence) for m in merges] == [("name-vector", "tsisinawi ~ chisinau (0.989, next 0.900)")]


def test_within_an_event_a_name_also_spelled_somewhat_alike_needs_less_of_its_vector(registry):
    """Both names are 0.914 from Osaka (0.9 from Tokyo): below the event's bars, above those of names
    also spelled alike, as osakasiti is (0.56; namba 0)."""
    add(registry, named_article("a", "en", "e1", [("Tokyo", "place"), ("Osaka", "place")]),
        named_article("b", "ru", "e1", [("Осакасити", "place")]))
    add(registry, named_article("c", "en", "e2", [("Tokyo", "place"), ("Osaka", "place")]),
        named_article("d", "uk", "e2", [("Намба", "place")]))
    assert set(entity_of(registry, "Осакасити")["aliases"]) == {"en", "ru"}
    assert entity_of(registry, "Намба")["name"] == "Намба"


def test_an_entity_beyond_the_names_searched_counts_as_near_as_the_farthest_of_them(registry):
    """When all of a name's nearest names searched are one entity's, its margin is over the farthest of them."""
    add(registry, named_article("a", "en", "e1", [("Tokyo", "place")]))
    tokyo = entity_of(registry, "Tokyo")["id"]
    near = {tokyo: (0.97, "tokyo")}
    assert registry._name_standing_out("dongjing", "ja", near, in_event=False)[0] == tokyo
    assert registry._name_standing_out("dongjing", "ja", near, in_event=False, beyond=0.96) is None


def test_two_entities_of_one_event_no_language_writes_both_join_by_their_names_on_average(registry):
    """apart-in-event by name vectors: the entity whose names are nearest on average, by the in-event bars,
    over the event's other entities (those a language writes beside it too)."""
    add(registry, named_article("a", "en", "e1", [("Tokyo", "place"), ("Osaka", "place")]),
        named_article("b", "ja", "e2", [("東京", "place"), ("大阪", "place")]))
    tokyo, osaka = {1: ["tokyo"]}, {2: ["osaka"]}
    assert registry._named_apart(["dongjing"], {1}, tokyo | osaka) == (pytest.approx(0.984, abs=1e-3),
                                                                       ("dongjing", "tokyo"))
    assert registry._named_apart(["dongjing"], {2}, tokyo | osaka) is None  # nearest one that a language writes
    assert registry._named_apart(["dongjing"], {1}, tokyo) is None  # no other entity to stand out from
    # one pair alike (東京, Tokyo: 0.984) of names otherwise as near Osaka: on average, no margin (0.942, 0.923)
    assert registry._named_apart(["dongjing", "daban"], {1, 2}, tokyo | osaka) is None
