"""Per-site boilerplate: lines recurring on many pages of one site go, the first pages stay whole."""

from __future__ import annotations

import json

from storyweave import Pipeline
from storyweave.clean import SiteModel, clean_document
from storyweave.clean.sites import line_hash, site_of
from storyweave.models import Document
from storyweave.store import Store

NAV = "Home World Politics Business Culture Science Sport"
FOOTER = "The Springfield Gazette is an independent newspaper that has been published in the city since 1921."
TOPICS = [("Springfield", "the new tram line"), ("Shelbyville", "school repairs"), ("Ogdenville", "the harbour"),
          ("North Haverbrook", "a public library"), ("Capital City", "the football stadium"),
          ("Brockway", "road safety")]


def article(town: str, topic: str) -> str:
    return "\n\n".join([
        f"{town} council approves plan for {topic}",
        f"The council of {town} approved a plan for {topic} on Monday after a debate that lasted until late.",
        f"Opposition members in {town} said the plan for {topic} was too expensive, but most of them voted for it.",
        f"Work on {topic} is due to start in the spring, and the mayor of {town} expects it to take two years.",
    ])


def page(i: int, url: str = "https://www.gazette.example/news/{i}") -> Document:
    town, topic = TOPICS[i]
    return Document(source=f"p{i}", content=f"{NAV}\n\n{article(town, topic)}\n\n{FOOTER}", format="text",
                    url=url.format(i=i))


def site_removed(cleaned) -> list[str]:
    return [r.text for r in cleaned.removed if r.reason == "site-boilerplate"]


def test_site_of_document():
    assert site_of(Document("x", "", "text", url="https://www.gazette.example/a")) == "gazette.example"
    assert site_of(Document("x", "", "text", url="https://a.example/b", site="Gazette")) == "gazette"
    assert site_of(Document("x", "", "text")) is None
    assert line_hash("Visitors online: 5603") == line_hash("visitors  online: 17")


def test_lines_shared_by_a_site_are_removed_from_later_pages_only():
    sites = SiteModel()
    results = [clean_document(page(i), sites) for i in range(5)]
    plain = [clean_document(page(i)) for i in range(5)]
    for cleaned, without in zip(results[:3], plain[:3], strict=True):  # the first pages are untouched
        assert site_removed(cleaned) == []
        assert cleaned.blocks == without.blocks
    assert FOOTER in plain[4].body  # ordinary cleaning keeps the footer: it reads like a sentence
    for cleaned in results[3:]:
        assert sorted(site_removed(cleaned)) == sorted([NAV, FOOTER])
        assert FOOTER not in cleaned.body
        assert len([b for b in cleaned.blocks if b.kind == "paragraph"]) == 3
    other = clean_document(page(5, "https://other.example/{i}"), sites)  # another site: unaffected
    assert site_removed(other) == [] and FOOTER in other.body


def test_a_page_is_counted_once_and_a_page_of_boilerplate_only_is_kept():
    sites = SiteModel()
    for _ in range(4):
        clean_document(page(0), sites)
    assert sites.changes()[0] == {"gazette.example": 1}
    for i in range(1, 4):
        clean_document(page(i), sites)
    copy = Document("copy", f"{NAV}\n\n{FOOTER}", "text", url="https://gazette.example/copy")
    assert FOOTER in clean_document(copy, sites).body  # nothing else on the page: the lines stay


def test_site_model_persists_across_runs(tmp_path):
    db = tmp_path / "sites.db"

    def write(name: str, indexes: range) -> None:
        rows = [{"title": "", "text": page(i).content, "url": page(i).url} for i in indexes]
        (tmp_path / name).write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")

    write("first.jsonl", range(3))
    write("second.jsonl", range(3, 5))
    with Pipeline(db, encoder="hashing") as pipeline:
        assert len(pipeline.run([tmp_path / "first.jsonl"]).added) == 3
    with Pipeline(db, encoder="hashing") as pipeline:
        assert len(pipeline.run([tmp_path / "second.jsonl"]).added) == 2
        again = pipeline.run([tmp_path / "first.jsonl", tmp_path / "second.jsonl"])
        assert again.added == [] and again.unchanged == 5
    with Store(db) as store:
        assert store.site_page_count("gazette.example") == 5  # re-reading counted nothing twice
        rows = store.db.execute("SELECT url, removed, body FROM articles ORDER BY url").fetchall()
    for url, removed, body in rows:
        reasons = {r["text"]: r["reason"] for r in json.loads(removed)}
        later = url.endswith(("/3", "/4"))
        assert (reasons.get(FOOTER) == "site-boilerplate") == later
        assert (FOOTER in body) != later
