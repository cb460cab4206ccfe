"""Tests of the named-entity benchmark: IOB2 reading, text rendering, scoring rules, command."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from storyweave.bench import entities as bench_entities
from storyweave.bench.entities import Document, Sentence, iob2_spans, load_documents, render, score, typed
from storyweave.cli import main

DATA = Path(__file__).resolve().parent / "fixtures" / "ner-iob2.jsonl"


def test_tokens_render_as_running_text_with_offsets():
    text, offsets = render(["Dijo", "(", "EFE", ")", ":", "¿", "Sí", "?"])
    assert text == "Dijo (EFE): ¿Sí?"
    assert [text[a:b] for a, b in offsets] == ["Dijo", "(", "EFE", ")", ":", "¿", "Sí", "?"]


def test_iob2_spans_and_a_stray_inside_tag():
    assert iob2_spans(["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-ORG", "B-ORG"]) == [
        (0, 2, "PER"), (3, 5, "LOC"), (5, 6, "ORG"), (6, 7, "ORG")]


def test_misc_is_not_scored_and_untyped_ignores_the_type():
    gold = frozenset({(0, 5, "PER"), (10, 15, "MISC"), (20, 25, "LOC")})
    document = Document("xx", [Sentence("x" * 30, gold)])
    predicted = [(0, 0, 5, "ORG"), (0, 10, 15, "ORG"), (0, 20, 25, "LOC"), (0, 26, 29, "PER")]
    counts = score([document], [predicted])
    assert (counts[("xx", "LOC")].right, counts[("xx", "PER")].predicted) == (1, 1)
    overall = typed(counts)  # the prediction on the MISC span is neither right nor wrong
    assert (overall.right, overall.predicted, overall.gold) == (1, 3, 2)
    untyped = counts[("all", bench_entities.UNTYPED)]
    assert (untyped.right, untyped.predicted, untyped.gold) == (2, 3, 2)


def test_documents_group_sentences_per_language_and_halves_alternate():
    documents = load_documents(DATA)
    assert [(d.lang, len(d.sentences)) for d in documents] == [("es", 3), ("nl", 2)]
    assert [d.lang for d in load_documents(DATA, half=1)] == ["nl"]
    assert sum(len(d.sentences) for d in load_documents(DATA, limit=4)) == 4


def test_storyweave_finds_names_with_connectors_titles_and_types():
    spans = {(d.texts[i][a:b], kind) for d in load_documents(DATA) for i, a, b, kind in bench_entities.storyweave_spans(d)}
    assert {("María Ortega", "PER"), ("Banco de España", "ORG"), ("Jan de Vries", "PER"),
            ("Europese Commissie", "ORG"), ("Brussel", "LOC"), ("Argentina", "LOC")} <= spans


def test_command_prints_the_table_and_a_json_line_last():
    result = CliRunner().invoke(main, ["bench", "entities", "--data", str(DATA)])
    assert result.exit_code == 0, result.output
    assert "baseline" in result.output
    headline = json.loads(result.output.strip().splitlines()[-1])
    assert set(headline) == {"precision", "recall", "f1", "f1_untyped", "articles_per_s"}
    assert headline["f1"] > 0.8 and headline["articles_per_s"] > 0
