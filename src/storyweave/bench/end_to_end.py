"""End-to-end throughput: the whole pipeline on real text, with each encoder side by side.

Each encoder runs :meth:`Pipeline.run` on the same articles (as ``storyweave run`` does) in a
fresh temporary database with an empty vector cache, then summarises every event (as
``storyweave run --json`` does). What a process loads once whatever the encoder (word lists,
the language model, each language's tables, the name tables) is loaded first by a warm-up run
with the hashing encoder on other articles of the file (those after the timed ones: per-word
caches then hold what a running service's would, not the timed articles' own words), and each
encoder's model before its run: both are timed apart, so the encoders are compared on the same
footing and the rates are those of a running service.
Seconds are wall seconds on all cores (the encoders use every core) and CPU seconds of
the process (all its threads).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from storyweave.pipeline import Pipeline

WARM_UP = 16  # articles of the warm-up run when the file has none after the timed ones
STAGES = ("ingest", "clean", "language", "entities", "dates", "embed", "encoder", "relations", "events",
          "stories", "registry", "store", "summaries")


@dataclass(frozen=True, slots=True)
class EndToEnd:
    """One encoder's run over the articles, then the summaries of its events."""

    encoder: str
    articles: int
    events: int
    load_seconds: float  # the encoder's model, before the run
    seconds: float  # the run, wall
    cpu_seconds: float  # the run, CPU of the process
    summary_seconds: float  # the summaries of all events after the run, wall (their encoding included)
    stage_seconds: dict[str, float]  # wall seconds of each stage, the run and the summaries together
    stage_cpu_seconds: dict[str, float]
    run_encoder_seconds: float  # of the run alone

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds

    @property
    def with_summaries_per_s(self) -> float:
        return self.articles / (self.seconds + self.summary_seconds)

    @property
    def encoder_share(self) -> float:
        """The encoder's share of the run's wall time (on a worker thread, it runs beside the other stages)."""
        return self.run_encoder_seconds / self.seconds

    @property
    def other_seconds(self) -> float:
        """Wall seconds of the run and summaries in no stage (batching, ordering, checks)."""
        return self.seconds + self.summary_seconds - sum(self.stage_seconds.values())

    def as_dict(self) -> dict:
        rounded = lambda seconds: {k: round(v, 3) for k, v in seconds.items()}  # noqa: E731
        return {"encoder": self.encoder, "articles": self.articles, "events": self.events,
                "load_s": round(self.load_seconds, 3), "seconds": round(self.seconds, 3),
                "cpu_seconds": round(self.cpu_seconds, 3), "articles_per_s": round(self.articles_per_s, 2),
                "encoder_share": round(self.encoder_share, 3), "summary_s": round(self.summary_seconds, 3),
                "with_summaries_per_s": round(self.with_summaries_per_s, 2),
                "stage_s": rounded(self.stage_seconds), "stage_cpu_s": rounded(self.stage_cpu_seconds)}


def write_input(data: Path, folder: Path, limit: int | None = None, skip: int = 0) -> Path:
    """Up to ``limit`` lines (all without) of the JSON lines file ``data`` after its first ``skip``, as a file in
    ``folder``."""
    lines = [line for line in data.read_text(encoding="utf-8").splitlines() if line.strip()][skip:][:limit]
    path = folder / f"{data.stem}-{skip}-{len(lines)}.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def warm_up(articles: Path) -> float:
    """Wall seconds of a run of the hashing encoder on ``articles``, which loads what a process loads once."""
    with tempfile.TemporaryDirectory(prefix="storyweave-bench-") as folder:
        start = time.perf_counter()
        with Pipeline(Path(folder) / "warm.db", encoder="hashing") as pipeline:
            pipeline.run([articles])
        return time.perf_counter() - start


def run_encoder(encoder: str, data: Path) -> EndToEnd:
    """The pipeline with ``encoder`` on the articles of ``data`` in a fresh database, then every event's summary."""
    with tempfile.TemporaryDirectory(prefix="storyweave-bench-") as folder, \
            Pipeline(Path(folder) / "bench.db", encoder=encoder) as pipeline:
        start = time.perf_counter()
        pipeline.encoder.encode(["warm-up"])
        loaded, cpu = time.perf_counter(), time.process_time()
        report = pipeline.run([data])
        ran, cpu = time.perf_counter(), time.process_time() - cpu
        run_encoder_seconds = pipeline.encoder_seconds
        events = [event.id for event in pipeline.store.events()]
        with pipeline.times.stage("summaries"):
            for event_id in events:
                pipeline.summary(event_id)
        return EndToEnd(encoder, len(report.added), len(events), loaded - start, ran - loaded, cpu,
                        time.perf_counter() - ran, dict(pipeline.times.wall), dict(pipeline.times.cpu),
                        run_encoder_seconds)


def measure(data: Path, encoders: list[str], limit: int | None = None) -> tuple[float, list[EndToEnd]]:
    """Warm-up seconds, then each encoder's run on the first ``limit`` articles of ``data``; the warm-up runs
    on as many articles after those (on the first WARM_UP when there are none)."""
    with tempfile.TemporaryDirectory(prefix="storyweave-bench-") as folder:
        articles = write_input(data, Path(folder), limit)
        others = write_input(data, Path(folder), limit, skip=limit) if limit else None
        if others is None or not others.stat().st_size:
            others = write_input(data, Path(folder), WARM_UP)
        return warm_up(others), [run_encoder(encoder, articles) for encoder in encoders]


def headline(results: list[EndToEnd], warm_up_seconds: float) -> dict:
    """The JSON summary line."""
    return {"warm_up_s": round(warm_up_seconds, 3), "encoders": [r.as_dict() for r in results]}
