import json
import time

from click.testing import CliRunner

from test_bench_events import two_events_file

from storyweave.cli import main
from storyweave.pipeline import StageTimes


def test_a_stage_inside_another_counts_for_itself_only():
    times = StageTimes()
    with times.stage("outer"):
        time.sleep(0.02)
        with times.stage("inner"):
            time.sleep(0.3)
    assert times.wall["inner"] >= 0.3
    assert 0.02 <= times.wall["outer"] < 0.3  # the inner stage's 0.3 s not counted again (a loaded machine adds little)


def test_bench_pipeline_runs_each_encoder_and_prints_stages_and_one_json_line(tmp_path):
    path = two_events_file(tmp_path)
    result = CliRunner().invoke(main, ["bench", "pipeline", "--data", str(path), "--encoder", "hashing",
                                       "--encoder", "hashing", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "registry" in result.output and "summaries" in result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert [r["encoder"] for r in summary["encoders"]] == ["hashing", "hashing"]
    for run in summary["encoders"]:
        assert run["articles"] == 2 and run["events"] == 1 and run["articles_per_s"] > 0
        assert 0 < run["encoder_share"] < 1 and {"encoder", "clean", "registry"} <= set(run["stage_s"])
        assert sum(run["stage_s"].values()) <= run["seconds"] + run["summary_s"] + 0.01


def test_the_warm_up_runs_on_the_articles_after_the_timed_ones_else_on_the_first(tmp_path, monkeypatch):
    from storyweave.bench import end_to_end

    path = two_events_file(tmp_path)
    warmed = []
    monkeypatch.setattr(end_to_end, "warm_up", lambda articles: warmed.append(
        [json.loads(line)["id"] for line in articles.read_text().splitlines()]) or 0.0)
    end_to_end.measure(path, [], limit=2)
    end_to_end.measure(path, [], limit=3)
    end_to_end.measure(path, [])
    assert warmed == [["3"], ["1", "2", "3"], ["1", "2", "3"]]
