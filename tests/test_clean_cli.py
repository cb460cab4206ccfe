"""Tests of ``storyweave clean``: one JSON object per input item, failures included."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from click.testing import CliRunner, Result

from storyweave.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "seeds").glob("*.txt"))
ARTICLE_HTML = Path(__file__).resolve().parent / "fixtures" / "clean" / "article.html"
KEYS = {"source", "title", "body", "lang", "published", "url", "removed", "metadata"}


def clean(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["clean", *map(str, args)])


def jsonl(result: Result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_seed_folder_gives_one_line_per_seed_in_order():
    result = clean(ROOT / "examples" / "seeds", "--jsonl")
    assert result.exit_code == 0
    items = jsonl(result)
    assert [Path(item["source"]).name for item in items] == [seed.name for seed in SEEDS]
    for item in items:
        assert set(item) == KEYS
        assert item["title"] and item["body"] and item["lang"] != "und"


def test_files_come_out_in_the_order_given():
    result = clean(*reversed(SEEDS), "--jsonl")
    assert [item["source"] for item in jsonl(result)] == [str(seed) for seed in reversed(SEEDS)]


def test_without_jsonl_prints_indented_objects_one_after_another():
    output = clean(*SEEDS[:2]).stdout
    assert '\n  "body": ' in output
    objects = json.loads("[" + output.replace("\n}\n{", "\n},\n{") + "]")
    assert [obj["source"] for obj in objects] == [str(seed) for seed in SEEDS[:2]]


def test_failed_items_give_an_error_object_and_exit_code_1(tmp_path):
    corrupt = tmp_path / "corrupt.html.gz"
    corrupt.write_bytes(b"\x1f\x8bnot really gzip")
    no_text = tmp_path / "menu.txt"
    no_text.write_text("Home\nLog in\n", encoding="utf-8")
    result = clean(SEEDS[0], corrupt, no_text, SEEDS[1], "--jsonl")
    assert result.exit_code == 1
    items = jsonl(result)
    assert [item["source"] for item in items] == [str(SEEDS[0]), str(corrupt), str(no_text), str(SEEDS[1])]
    empty = {"title": None, "body": None, "lang": None, "published": None, "url": None, "removed": [], "metadata": {}}
    for failed in items[1:3]:
        assert failed["error"]
        assert {key: failed[key] for key in empty} == empty
    assert "error" not in items[0] and "error" not in items[3]


def test_html_input_gives_title_body_and_page_facts():
    result = clean(ARTICLE_HTML, "--jsonl")
    assert result.exit_code == 0
    [item] = jsonl(result)
    assert item["title"] == "Harbour bridge to close for repairs this summer"
    assert item["body"].startswith("The harbour bridge will close") and "\n\n" in item["body"]
    assert (item["lang"], item["published"]) == ("en", "2022-01-04")
    assert item["url"] == item["metadata"]["url"]


def test_removed_segments_have_text_and_reason():
    removed = [r for item in jsonl(clean(*SEEDS, "--jsonl")) for r in item["removed"]]
    assert removed
    assert all(set(r) == {"text", "reason"} and r["text"] and r["reason"] for r in removed)


def test_jsonl_gz_items_and_no_database(tmp_path):
    data = tmp_path / "items.jsonl.gz"
    article = SEEDS[0].read_text(encoding="utf-8").split("\n", 1)
    line = {"title": article[0], "text": article[1], "url": "https://example.org/a", "published": "2022-01-02",
            "lang": "EN-gb"}
    data.write_bytes(gzip.compress(json.dumps(line).encode()))
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path) as cwd:
        result = runner.invoke(main, ["clean", str(data), "--jsonl"])
        assert list(Path(cwd).iterdir()) == []
    [item] = jsonl(result)
    assert (item["url"], item["published"], item["lang"]) == ("https://example.org/a", "2022-01-02", "en")
