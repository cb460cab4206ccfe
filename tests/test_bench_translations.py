"""Tests of the translation, dedup and embed benchmarks: metrics, data building, commands."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from storyweave.bench import dedup as bench_dedup
from storyweave.bench import translations as bench_translations
from storyweave.bench.translations import Decision, Text, best_f1_threshold, gold_pairs, load_texts, score
from storyweave.cli import main
from storyweave.dedup import normalised_body_key

DATA = Path(__file__).resolve().parent / "fixtures" / "bench_translations.jsonl"


def test_gold_pairs_are_cross_language_pairs_of_one_doc():
    texts = [Text("a", "en", "x"), Text("a", "fr", "y"), Text("b", "en", "z"), Text("a", "en", "again")]
    assert gold_pairs(texts) == {(0, 1), (1, 3)}


def test_pair_scores_and_p_at_1():
    texts = load_texts(DATA)
    gold = gold_pairs(texts)
    assert len(texts) == 12 and len(gold) == 12
    first, wrong = sorted(gold)[0], (0, 3)  # texts 0 and 3: English and French of different docs
    best = {(i, t.lang): j for i in range(len(texts)) for j, t in enumerate(texts)
            if texts[i].doc_id == t.doc_id and texts[i].lang != t.lang}
    found = score(texts, Decision({first, wrong}, best, 1.0))
    assert (found.precision, found.recall, found.p_at_1) == (0.5, 1 / 12, 1.0)


def test_best_f1_threshold_separates_when_it_can():
    assert best_f1_threshold(np.array([0.9, 0.8, 0.7, 0.2]), np.array([True, True, False, False])) == 0.8


def test_a_file_in_one_language_is_refused(tmp_path):
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"doc_id": "a", "lang": "en", "text": "Hello."}) + "\n")
    with pytest.raises(bench_translations.BenchDataError):
        load_texts(path)


def test_translations_command_prints_each_method_and_a_headline(tmp_path):
    cache = tmp_path / "cache.db"
    args = ["bench", "translations", "--data", str(DATA), "--encoder", "hashing", "--cache-db", str(cache)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "hashing 12 texts" in result.output
    headline = json.loads(result.stdout.splitlines()[-1])
    assert {"precision", "recall", "p_at_1", "texts_per_s"} <= set(headline)
    again = CliRunner().invoke(main, args)
    assert "hashing 0 texts" in again.output and "(12 from the cache)" in again.output


def _originals():
    rng = np.random.default_rng(0)
    vocabulary = [f"w{i}" for i in range(3000)]
    return [" ".join(rng.choice(vocabulary, size=80)) + "." for _ in range(60)]


def test_reprints_are_what_they_say():
    text = _originals()[0]
    rng = bench_dedup.random.Random(0)
    assert normalised_body_key(bench_dedup.respaced(text, rng)) == normalised_body_key(text)
    assert text in bench_dedup.with_boilerplate(text, rng)
    assert text.startswith(bench_dedup.cut_short(text, rng)[:-5])
    assert bench_dedup.edited(text, rng) != text


def test_corpus_is_reproducible_and_its_gold_pairs_families():
    corpus = bench_dedup.build_corpus(_originals(), seed=3)
    assert corpus == bench_dedup.build_corpus(_originals(), seed=3)
    assert corpus.kind.count("original") == 60 and len(corpus.texts) > 60
    assert all(corpus.family[i] == corpus.family[j] for i, j in corpus.gold())


def test_storyweave_finds_the_reprints_and_nothing_else():
    corpus = bench_dedup.build_corpus(_originals(), seed=1)
    result = bench_dedup.run_method(bench_dedup.STORYWEAVE, corpus)
    assert result.scores["all"].precision == 1.0 and result.scores["all"].recall > 0.95
    exact = bench_dedup.run_method("normalised-content hash (exact copies)", corpus)
    assert exact.recall_by_kind["exact (case, spacing)"] == 1.0 and exact.scores["all"].recall < 0.5


def test_overlapping_originals_are_dropped():
    first = _originals()[0]
    assert bench_dedup.distinct([first, first.replace("w", "v", 3), _originals()[1]]) == [first, _originals()[1]]


def test_dedup_and_embed_commands_end_with_a_headline(tmp_path):
    path = tmp_path / "texts.jsonl"
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in _originals()))
    result = CliRunner().invoke(main, ["bench", "dedup", "--data", str(path)])
    assert result.exit_code == 0, result.output
    assert {"precision", "recall", "texts_per_s"} <= set(json.loads(result.stdout.splitlines()[-1]))
    result = CliRunner().invoke(main, ["bench", "embed", "--data", str(DATA), "--encoder", "hashing", "--sample", "4"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout.splitlines()[-1])["texts_per_s"]) == {"hashing"}
