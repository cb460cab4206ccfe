"""The web app and JSON API, through the framework's test client, on a small real database."""

import json
import re
import tempfile

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

import storyweave.web as web  # noqa: E402
from storyweave import Pipeline  # noqa: E402

BODY = ("The city council of Lindholm approved a new harbour bridge on Monday after a long debate. "
        "The bridge will cost 40 million euros and open in three years, the mayor said.")
HOSTILE = "<script>alert('x')</script> Council votes"


def _rows():
    return [
        {"id": "1", "title": "Lindholm approves harbour bridge", "text": BODY, "lang": "en",
         "published": "2024-03-04", "url": "https://news.example/bridge"},
        {"id": "2", "title": "Harbour bridge approved in Lindholm", "text": BODY.replace("long", "heated"),
         "lang": "en", "published": "2024-03-04", "url": "javascript:alert(1)"},
        {"id": "3", "title": HOSTILE, "text": "<script>alert('y')</script> " + BODY.replace("bridge", "tunnel"),
         "lang": "en", "published": "2024-03-05"},
    ]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web")
    source = folder / "news.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in _rows()))
    db = folder / "web.db"
    with Pipeline(db, encoder="hashing") as pipeline:
        pipeline.run([source])
    return TestClient(web.create_app(db, token="sesame", encoder="hashing"))


def test_api_lists_stories_and_follows_them_to_articles(client):
    stories = client.get("/api/stories").json()
    assert stories and {"id", "title", "languages", "sources", "per_day"} <= set(stories[0])
    story = client.get(f"/api/stories/{stories[0]['id']}").json()
    event = client.get(f"/api/events/{story['events'][0]['id']}").json()
    article_id = next(iter(event["languages"].values()))[0]["id"]
    article = client.get(f"/api/articles/{article_id}").json()
    assert article["paragraphs"] and "removed" in article
    summary = client.get(f"/api/events/{event['id']}/summary").json()
    assert {"lang", "sentences", "conflicts"} <= set(summary)
    assert client.get("/api/stories?page=2").json() == []


def test_search_in_text_with_filters_and_a_malformed_query(client):
    assert client.get("/api/search", params={"q": "harbour"}).json()
    assert client.get("/api/search", params={"q": "harbour", "lang": "fr"}).json() == []
    assert client.get("/api/search", params={"q": "harbour", "since": "2024-03-05"}).json()[0]["id"]
    assert client.get("/api/search", params={"q": 'bridge AND ("'}).status_code == 200
    assert "harbour" in client.get("/search", params={"q": "harbour"}).text.lower()
    by_meaning = client.get("/api/search", params={"q": "Harbour bridge approved in Lindholm", "mode": "semantic"}).json()
    assert by_meaning[0]["title"] == "Harbour bridge approved in Lindholm" and "score" in by_meaning[0]
    assert client.get("/search", params={"q": "bridge", "mode": "semantic"}).status_code == 200


def test_pages_render_and_link_story_event_article(client):
    front = client.get("/")
    story = re.search(r'href="(/stories/[^"]+)"', front.text).group(1)
    story_page = client.get(story)
    assert story_page.status_code == 200 and "<svg" in story_page.text
    event = re.search(r'href="(/events/[^"]+)"', story_page.text).group(1)
    article = re.search(r'href="(/articles/[^"]+)"', client.get(event).text).group(1)
    page = client.get(article)
    assert page.status_code == 200 and 'id="toggle-removed"' in page.text


def test_untrusted_text_is_escaped_and_only_web_links_are_links(client):
    pages = [client.get(f"/articles/{a['id']}").text for a in client.get("/api/articles").json()]
    assert not any("<script>alert" in page for page in pages)
    assert any("&lt;script&gt;alert" in page for page in pages)
    assert not any('href="javascript:' in page for page in pages)
    assert any('href="https://news.example/bridge"' in page for page in pages)
    assert web.safe_url("data:text/html,x") is None and web.safe_url(" https://a.example/x ") == "https://a.example/x"


def test_errors_are_friendly_pages_or_json_with_a_status(client):
    missing = client.get("/articles/nope")
    assert missing.status_code == 404 and "Traceback" not in missing.text and "<html" in missing.text
    assert client.get("/api/articles/nope").json() == {"error": "no such article"}
    assert client.get("/api/entities/not-a-number").status_code == 422


def test_uploads_need_the_token_are_limited_and_processed_in_the_background(client, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    upload = {"files": ("more.jsonl", json.dumps({"id": "9", "title": "Lindholm bridge opens early",
                                                  "text": BODY, "lang": "en"}) + "\n")}
    assert client.post("/api/ingest", files=upload).status_code == 401
    assert client.post("/api/ingest", files=upload, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/api/ingest", files=upload,
                       headers={"Authorization": "Bearer sésame".encode("latin-1")}).status_code == 401
    accepted = client.post("/api/ingest", files=upload, headers={"Authorization": "Bearer sesame"})
    assert accepted.status_code == 202
    job = client.get(f"/api/jobs/{accepted.json()['id']}").json()
    assert job["status"] == "done" and job["added"] == 1
    monkeypatch.setattr(web, "MAX_UPLOAD_FILES", 0)
    assert client.post("/api/ingest", files=upload, headers={"Authorization": "Bearer sesame"}).status_code == 413
    monkeypatch.setattr(web, "MAX_UPLOAD_FILES", 100)
    monkeypatch.setattr(web, "MAX_UPLOAD_BYTES", 10)
    assert client.post("/api/ingest", files=upload, headers={"Authorization": "Bearer sesame"}).status_code == 413
    assert not list(tmp_path.iterdir())  # uploaded files are removed once processed or refused


def test_without_a_token_writing_is_off(tmp_path):
    app = TestClient(web.create_app(tmp_path / "empty.db"))
    assert app.post("/api/ingest", files={"files": ("a.txt", "x")}).status_code == 403
    assert "No stories yet" in app.get("/").text


def test_bench_web_builds_a_database_once_and_reports_latencies(tmp_path):
    from click.testing import CliRunner

    from storyweave.bench.web import synthetic_articles
    from storyweave.cli import main

    rows = synthetic_articles(40, seed=1)
    assert len(rows) == 40 and len({r["id"] for r in rows}) == 40
    args = ["bench", "web", "--db", str(tmp_path / "w.db"), "--articles", "40", "--requests", "3"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    latencies = json.loads(first.stdout.strip().splitlines()[-1])
    assert {"front page", "story page", "article page", "search (meaning)"} <= set(latencies)
    assert all(0 < v["p50_ms"] <= v["p95_ms"] for v in latencies.values())
    assert "built in" not in CliRunner().invoke(main, args).stderr  # the database is reused


def test_the_ids_run_json_prints_open_their_pages(tmp_path):
    from click.testing import CliRunner

    from storyweave.cli import main

    source = tmp_path / "news.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in _rows()))
    db = tmp_path / "ids.db"
    printed = json.loads(CliRunner().invoke(main, ["run", str(source), "--db", str(db), "--json", "--encoder",
                                                   "hashing"]).stdout)
    app = TestClient(web.create_app(db, encoder="hashing"))
    paths = ([f"/stories/{s['id']}" for s in printed["stories"]] + [f"/events/{e['id']}" for e in printed["events"]]
             + [f"/articles/{a['id']}" for a in printed["articles"]]
             + [f"/entities/{n['id']}" for e in printed["events"] for n in e["entities"]])
    assert any(p.startswith("/entities/") for p in paths)
    assert all(app.get(p).status_code == 200 for p in paths)
