"""Tests of the cleaning benchmark: the shingle metric and ``storyweave bench cleaning``."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyweave.bench.cleaning import METHODS, BenchDataError, doc_scores, load_pages, score, shingles
from storyweave.cli import main

DATA = Path(__file__).resolve().parent / "fixtures" / "bench_cleaning"
TEXT = "The ferry will run every half hour from Monday, the operator said."


def test_shingles_are_word_4_grams_and_short_texts_are_one_shingle():
    assert shingles("a b, c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("a b c") == {("a", "b", "c"): 1}
    assert shingles(" ,. ") == {}


def test_identical_bodies_score_one():
    assert doc_scores(TEXT, TEXT) == (1.0, 1.0)
    assert score([TEXT], [TEXT]).f1 == 1.0


def test_disjoint_bodies_score_zero():
    assert doc_scores(TEXT, "Nothing here is in the other text at all") == (0.0, 0.0)
    assert score([TEXT], ["Nothing here is in the other text at all"]).f1 == 0.0


def test_empty_prediction_has_zero_recall_and_empty_gold_with_empty_prediction_is_perfect():
    assert doc_scores(TEXT, "") == (0.0, 0.0)
    assert doc_scores("", "") == (1.0, 1.0)
    assert doc_scores("", TEXT) == (0.0, 0.0)


def test_partial_overlap_and_means_over_documents():
    assert doc_scores("a b c d e", "a b c d") == (1.0, 0.5)
    result = score(["a b c d e", TEXT], ["a b c d", ""])
    assert (result.precision, result.recall, result.docs) == (0.5, 0.25, 2)
    assert result.f1 == pytest.approx(1 / 3)


def test_load_pages_reads_plain_html_gold_and_languages():
    pages = load_pages(DATA, limit=2)
    assert [p.id for p in pages] == ["a1", "b2"]
    assert pages[0].text.startswith("Home\n") and "<article>" in pages[0].html
    assert pages[0].gold.startswith("The island ferry") and pages[0].gold_lang == "en"
    assert load_pages(DATA)[2].gold_lang == "de"


def test_a_directory_without_the_layout_is_refused(tmp_path):
    with pytest.raises(BenchDataError, match="gold.json"):
        load_pages(tmp_path)
    result = CliRunner().invoke(main, ["bench", "cleaning", "--data", str(tmp_path)])
    assert result.exit_code == 2 and "plain" in result.output


def test_missing_page_files_count_as_empty(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    (tmp_path / "data" / "plain" / "a1.txt").unlink()
    assert load_pages(tmp_path / "data", limit=1)[0].text == ""


def test_bench_command_prints_every_method_the_language_split_and_headline():
    result = CliRunner().invoke(main, ["bench", "cleaning", "--data", str(DATA)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for name in METHODS:  # a row: the method, then precision, recall, F1 and docs/s
        assert sum(bool(re.fullmatch(rf"\s*{re.escape(name)}(\s+[\d.,]+){{4}}\s*", line)) for line in lines) == 1
    assert any(line.startswith("storyweave (text) F1 by gold language: en ") and "non-en" in line for line in lines)
    headline = json.loads(lines[-1])
    assert set(headline) == {"text_f1", "html_f1", "text_docs_per_s", "html_docs_per_s"}
    assert headline["html_f1"] > 0.9 and headline["text_docs_per_s"] > 0
