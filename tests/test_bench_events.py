import json

import numpy as np
import pytest
from click.testing import CliRunner

from storyweave.bench.events import best_agglomerative, load_gold, score, tfidf_similarity
from storyweave.bench.stream import StreamShape, run_stream
from storyweave.cli import main


def test_scores_of_a_known_clustering():
    s = score([1, 1, 2, 2], ["a", "a", "a", "b"])
    assert s.bcubed_p == pytest.approx(0.75) and s.bcubed_r == pytest.approx(2 / 3)
    assert s.pairwise_p == pytest.approx(0.5) and s.pairwise_r == pytest.approx(1 / 3)
    assert score(["x", "x", "y"], [5, 5, 7]).ari == pytest.approx(1.0)
    assert score([1, 2, 3, 4], ["a", "a", "b", "b"]).bcubed_r == pytest.approx(0.5)


def test_agglomerative_baseline_finds_the_separating_threshold():
    texts = ["quake hits chile magnitude", "chile quake magnitude toll", "lohan rehab clinic", "rehab clinic lohan"]
    result = best_agglomerative("tf-idf", tfidf_similarity(texts), ["q", "q", "r", "r"])
    assert result.scores.bcubed_f1 == 1.0 and "cosine >=" in result.setting
    assert np.allclose(np.diag(tfidf_similarity(texts)), 1.0)


def two_events_file(tmp_path):
    """A gold JSONL file of three English articles: two of an earthquake, one of a rehab stay."""
    quake = "A strong earthquake struck Valparaiso on Monday, the Chilean seismology office said. "
    rehab = "Actress Tara Reid checked into the Promises clinic in Malibu, her agent told People. "
    rows = [{"id": "1", "title": "Quake in Valparaiso", "text": quake + "Houses collapsed.", "lang": "en", "event": "q"},
            {"id": "2", "title": "Valparaiso earthquake", "text": quake + "Power failed.", "lang": "en", "event": "q"},
            {"id": "3", "title": "Tara Reid in rehab", "text": rehab + "She is 33.", "lang": "en", "event": "r"}]
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_halves_split_on_a_field_and_together_make_the_whole(tmp_path):
    rows = [{"text": f"t{i}", "event": f"e{i}", "topic": str(i % 3)} for i in range(9)]
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    halves = [load_gold(path, h) for h in (0, 1)]
    assert sorted(r["event"] for h in halves for r in h) == sorted(r["event"] for r in rows)
    assert {r["topic"] for r in halves[0]}.isdisjoint({r["topic"] for r in halves[1]})
    assert len(load_gold(path, 0, split_by="event")) == 5


def test_eval_events_command_prints_tables_and_one_json_line(tmp_path):
    path = two_events_file(tmp_path)
    result = CliRunner().invoke(main, ["eval", "events", "--gold", str(path), "--encoder", "hashing",
                                       "--cache-db", str(tmp_path / "cache.db")])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["articles"] == 3 and summary["unstored"] == 0
    assert {"event:storyweave", "event:agglomerative hashing", "event:agglomerative TF-IDF"} <= set(summary)
    assert summary["event:agglomerative TF-IDF"]["bcubed_f1"] == 1.0
    assert (tmp_path / "cache.db").exists()


def test_stream_run_reports_throughput_memory_and_agreement():
    run = run_stream("exact scan", 500, StreamShape(articles_per_day=100, events_per_day=20, topics=100, names=2000))
    assert run.n == 500 and run.articles_per_s > 0 and run.peak_mib >= run.start_mib
    assert run.closed_events > 0 and 0.5 < run.bcubed_f1 <= 1.0
