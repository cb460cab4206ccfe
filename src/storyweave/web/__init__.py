"""The web app and JSON API over a storyweave database (``storyweave serve``).

Pages (server-rendered, Jinja2 with autoescaping): ``/`` stories, ``/stories/{id}``,
``/events/{id}``, ``/articles/{id}``, ``/entities/{id}``, ``/search``; the same data as
JSON under ``/api/`` (documented at ``/docs``). Uploads go to ``POST /api/ingest`` (a
token is required; without one configured, writing is off) and are processed in the
background; ``GET /api/jobs/{id}`` tells their progress. Article text, titles and URLs
are untrusted: templates escape everything and only http(s) URLs become links.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from fastapi import BackgroundTasks, FastAPI, File, Header, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from storyweave.embed import get_encoder
from storyweave.pipeline import Pipeline, built_with
from storyweave.store import Store

from . import charts, queries

MAX_UPLOAD_BYTES = 50 * 2**20  # per file
MAX_UPLOAD_FILES = 100  # per upload
KEPT_JOBS = 100  # finished upload jobs whose status stays readable
SUMMARISED_EVENTS = 3  # a story page summarises the latest events of its timeline page
TEMPLATES = Path(__file__).with_name("templates")


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) address, else None (never a javascript: or data: link)."""
    if not url:
        return None
    parsed = urlparse(url.strip())
    return url.strip() if parsed.scheme in ("http", "https") and parsed.netloc else None


def create_app(db: str | Path, token: str | None = None, encoder: str | None = None) -> FastAPI:
    """The app over database ``db``; ``token`` enables the write endpoints (sent as ``Authorization: Bearer``);
    ``encoder``: by default the one the database was built with."""
    app = FastAPI(title="storyweave", summary="Stories, events, articles and entities from multilingual news")
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.globals.update(safe_url=safe_url, sparkline=charts.sparkline, chart=charts.coverage_chart)
    jobs: dict[str, dict] = {}
    write_lock = threading.Lock()
    with Store(db) as s:
        encoder = encoder or built_with(s)
    shared_encoder = get_encoder(encoder)  # one for all requests; its model loads at its first use
    title_index = queries.TitleVectors(shared_encoder)

    def find(s: Store, q: str, mode: str, lang: str | None, since: str | None, until: str | None,
             number: int) -> list[dict]:
        if mode == "semantic":
            return title_index.search(s, q, lang, since, until, number)
        return queries.search(s, q, lang, since, until, number)

    def store() -> Store:
        return Store(db)

    def pipeline() -> Pipeline:
        return Pipeline(db, encoder=shared_encoder)

    def found(value, what: str):
        if value is None:
            raise HTTPException(404, f"no such {what}")
        return value

    def page(request: Request, name: str, **context) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context)

    # -- JSON API ---------------------------------------------------------------------------

    @app.get("/api/stories")
    def api_stories(page: int = 1) -> list[dict]:
        with store() as s:
            return queries.stories(s, max(page, 1))

    @app.get("/api/stories/{story_id}")
    def api_story(story_id: str, page: int | None = None) -> dict:
        """A story, its coverage and a page of its timeline (the latest by default)."""
        with store() as s:
            return found(queries.story(s, story_id, page), "story")

    @app.get("/api/events/{event_id}")
    def api_event(event_id: str, page: int = 1) -> dict:
        with store() as s:
            return found(queries.event(s, event_id, max(page, 1)), "event")

    @app.get("/api/events/{event_id}/summary")
    def api_summary(event_id: str, lang: str = "en") -> dict:
        with pipeline() as p:
            try:
                return p.summary(event_id, lang).to_dict()
            except KeyError:
                raise HTTPException(404, "no such event") from None

    @app.get("/api/articles")
    def api_articles(q: str = "", lang: str | None = None, page: int = 1) -> list[dict]:
        with store() as s:
            return queries.search(s, q, lang, page=max(page, 1)) if q else queries.articles(s, lang, max(page, 1))

    @app.get("/api/articles/{article_id}")
    def api_article(article_id: str) -> dict:
        with store() as s:
            return found(queries.article(s, article_id), "article")

    @app.get("/api/entities/{entity_id}")
    def api_entity(entity_id: int, page: int = 1) -> dict:
        with store() as s:
            return found(queries.entity(s, entity_id, max(page, 1)), "entity")

    @app.get("/api/search")
    def api_search(q: str, mode: Literal["text", "semantic"] = "text", lang: str | None = None,
                   since: str | None = None, until: str | None = None, page: int = 1) -> list[dict]:
        """Full-text (FTS5 syntax) or semantic (meaning, across languages) search over articles."""
        with store() as s:
            return find(s, q, mode, lang, since, until, max(page, 1))

    @app.post("/api/ingest", status_code=202)
    def api_ingest(background: BackgroundTasks, files: list[UploadFile] = File(...),
                   authorization: str | None = Header(default=None)) -> dict:
        if token is None:
            raise HTTPException(403, "writing is off: start the server with a token")
        if not authorization or not secrets.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
            raise HTTPException(401, "a valid token is needed")
        if len(files) > MAX_UPLOAD_FILES:
            raise HTTPException(413, f"at most {MAX_UPLOAD_FILES} files per upload")
        folder = Path(tempfile.mkdtemp(prefix="storyweave-upload-"))
        try:
            for number, upload in enumerate(files):
                data = upload.file.read(MAX_UPLOAD_BYTES + 1)
                if len(data) > MAX_UPLOAD_BYTES:
                    raise HTTPException(413, f"{upload.filename} is larger than {MAX_UPLOAD_BYTES // 2**20} MiB")
                name = Path(upload.filename or f"upload-{number}.txt").name
                (folder / f"{number:04d}-{name}").write_bytes(data)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        job = uuid.uuid4().hex[:12]
        for finished in [j for j, v in jobs.items() if v["status"] in ("done", "failed")][:-KEPT_JOBS or None]:
            del jobs[finished]  # the oldest finished jobs are forgotten
        jobs[job] = {"id": job, "status": "queued", "files": len(files), "processed": 0, "added": 0, "rejected": []}
        background.add_task(_process, folder, jobs[job])
        return jobs[job]

    def _process(folder: Path, job: dict) -> None:
        job["status"] = "running"
        try:
            with write_lock, pipeline() as p:
                report = p.run([folder], progress=lambda n: job.__setitem__("processed", job["processed"] + n))
            job.update(status="done", added=len(report.added),
                       rejected=[{"source": Path(r.source).name, "reason": r.reason} for r in report.rejected])
        except Exception as error:  # the job fails visibly; the server goes on
            job.update(status="failed", error=f"{type(error).__name__}: {error}")
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    @app.get("/api/jobs/{job_id}")
    def api_job(job_id: str) -> dict:
        return found(jobs.get(job_id), "job")

    # -- pages ------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request, page_number: int = 1):
        with store() as s:
            items = queries.stories(s, max(page_number, 1))
        return page(request, "index.html", stories=items, page=max(page_number, 1), size=queries.PAGE)

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(request: Request, story_id: str, lang: str = "en", page_number: int | None = None):
        with pipeline() as p:  # the latest events of the page are summarised
            item = found(queries.story(p.store, story_id, page_number), "story")
            entities = queries.event_entities(p.store, [e["id"] for e in item["events"]])
            summaries = [p.summary(e["id"], lang).to_dict() for e in item["events"][-SUMMARISED_EVENTS:][::-1]]
        titles = {e["id"]: e for e in item["events"]}
        return page(request, "story.html", story=item, summaries=summaries, events=titles, entities=entities)

    @app.get("/events/{event_id}", response_class=HTMLResponse, include_in_schema=False)
    def event_page(request: Request, event_id: str, page_number: int = 1):
        with store() as s:
            item = found(queries.event(s, event_id, max(page_number, 1)), "event")
            entities = queries.event_entities(s, [event_id])
        return page(request, "event.html", event=item, entities=entities)

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article_id: str):
        with store() as s:
            item = found(queries.article(s, article_id), "article")
        return page(request, "article.html", article=item)

    @app.get("/entities/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
    def entity_page(request: Request, entity_id: int, page_number: int = 1):
        with store() as s:
            item = found(queries.entity(s, entity_id, max(page_number, 1)), "entity")
        return page(request, "entity.html", entity=item)

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request, q: str = "", mode: Literal["text", "semantic"] = "text",
                    lang: str | None = None, since: str | None = None, until: str | None = None, page_number: int = 1):
        with store() as s:
            hits = find(s, q, mode, lang or None, since or None, until or None, max(page_number, 1))
        return page(request, "search.html", q=q, mode=mode, lang=lang or "", since=since or "", until=until or "",
                    hits=hits, page=max(page_number, 1), size=queries.PAGE)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        return _error(request, error.status_code, str(error.detail))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception):  # no stack trace reaches the reader
        return _error(request, 500, "something went wrong on our side")

    def _error(request: Request, status: int, message: str):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status)
        return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                          status_code=status)

    return app
