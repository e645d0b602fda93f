"""Aggregation: one tidy table set per sweep, generic over keys, robust to broken folders."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.io import write_failure, write_run
from sim.report import AggregateError, load
from sim.report.aggregate import aggregate
from sim.run import run

TINY = {"world.communities": 1, "steps": 8, "output.progress": False}


def make_sweep(root: Path, scenarios: tuple[str, ...] = ("chengdu_2014",), seeds: int = 2) -> Path:
    for scenario in scenarios:
        for seed in range(seeds):
            result = run(scenario=scenario, seed=seed, **TINY)
            name = f"scenario={scenario},seed={seed}"
            write_run(result, root / name, variant=scenario, overrides=name.split(","))
    return root


def report_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim.report.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_runs_and_timeseries_tables(tmp_path: Path) -> None:
    root = make_sweep(tmp_path, ("chengdu_2014", "baseline_2008"), seeds=2)
    report = aggregate(root)
    runs = pd.read_parquet(report.runs_path)
    assert list(runs.columns[:5]) == ["run", "status", "variant", "scenario", "seed"]
    assert len(runs) == 4 and set(runs["status"]) == {"completed"}
    assert runs["world.communities"].tolist() == [1, 1, 1, 1]
    assert runs["policy.party.building_coverage"].dtype == float
    assert {"resolution_rate", "petitions", "wall_time_s", "version.numpy"} <= set(runs.columns)
    assert "config" not in runs.columns and "description" not in runs.columns
    row = runs[runs["run"] == "scenario=baseline_2008,seed=1"].iloc[0]
    summary = json.loads((root / row["run"] / "summary.json").read_text())
    assert row["seed"] == 1 and row["resolution_rate"] == pytest.approx(summary["resolution_rate"])
    ts = pd.read_parquet(report.timeseries_path)
    assert len(ts) == 4 * 9 and list(ts.columns[:5]) == [
        "run",
        "variant",
        "scenario",
        "seed",
        "step",
    ]
    one = pd.read_parquet(root / row["run"] / "timeseries.parquet")
    got = ts[ts["run"] == row["run"]].drop(columns=["run", "variant", "scenario", "seed"])
    pd.testing.assert_frame_equal(got.reset_index(drop=True), one, check_dtype=False)
    tables = load(root)
    assert "resolution_rate" in tables.outcomes and "world.communities" in tables.parameters
    assert len(tables.timeseries) == 36


def test_streaming_in_small_chunks_gives_the_same_table(tmp_path: Path) -> None:
    root = make_sweep(tmp_path, seeds=5)
    whole = pd.read_parquet(aggregate(root).runs_path)
    chunked = pd.read_parquet(aggregate(root, run_chunk=2).runs_path)
    pd.testing.assert_frame_equal(whole, chunked)


def test_generic_over_new_summary_and_meta_keys(tmp_path: Path) -> None:
    root = make_sweep(tmp_path, seeds=2)
    path = root / "scenario=chengdu_2014,seed=1" / "summary.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "brand_new_outcome": 0.4}))
    runs = pd.read_parquet(aggregate(root).runs_path).set_index("run")
    assert runs.loc["scenario=chengdu_2014,seed=1", "brand_new_outcome"] == 0.4
    assert pd.isna(runs.loc["scenario=chengdu_2014,seed=0", "brand_new_outcome"])
    assert "brand_new_outcome" in load(root).outcomes


def test_corrupt_missing_and_failed_runs_do_not_crash_it(tmp_path: Path) -> None:
    root = make_sweep(tmp_path, seeds=2)
    (root / "scenario=chengdu_2014,seed=0" / "meta.json").write_text('{"status": "compl')
    (root / "scenario=chengdu_2014,seed=5").mkdir()
    (root / "scenario=chengdu_2014,seed=5" / "timeseries.parquet").write_bytes(b"partial")
    write_failure(root / "scenario=chengdu_2014,seed=7", RuntimeError("x"), "tb", seed=7)
    report = aggregate(root)
    assert report.status_counts == {"completed": 1, "unreadable": 1, "incomplete": 1, "failed": 1}
    assert report.unreadable == {"scenario=chengdu_2014,seed=0": "corrupt meta.json"}
    runs = pd.read_parquet(report.runs_path).set_index("run")
    assert runs.loc["scenario=chengdu_2014,seed=0", "status"] == "unreadable"
    assert runs.loc["scenario=chengdu_2014,seed=5", "status"] == "incomplete"  # never finished
    assert runs.loc["scenario=chengdu_2014,seed=7", "error"] == "RuntimeError: x"
    ts = pd.read_parquet(report.timeseries_path)
    assert set(ts["run"]) == {"scenario=chengdu_2014,seed=1"}
    proc = report_cli("aggregate", str(root))
    assert proc.returncode == 3
    assert "run scenario=chengdu_2014,seed=0: corrupt meta.json; left out" in proc.stderr
    assert report_cli("aggregate", str(root), "--allow-missing").returncode == 0


def test_empty_or_missing_folder_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(AggregateError, match="no run folders"):
        aggregate(tmp_path)
    for target in (tmp_path, tmp_path / "nope"):
        proc = report_cli("aggregate", str(target))
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("jiceng-report: error: ")
    assert not (tmp_path / "runs.parquet").exists()


def test_old_tables_survive_a_failed_aggregation(tmp_path: Path) -> None:
    root = make_sweep(tmp_path, seeds=1)
    before = aggregate(root).runs_path.read_bytes()
    for p in root.iterdir():
        if p.is_dir():
            (p / "meta.json").rename(p / "meta.bak")
            (p / "timeseries.parquet").unlink()
    with pytest.raises(AggregateError):
        aggregate(root)
    assert (root / "runs.parquet").read_bytes() == before


def test_report_cli_subcommands_and_the_default(tmp_path: Path) -> None:
    root = make_sweep(tmp_path, seeds=1)
    proc = report_cli("sensitivity", str(root))
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("jiceng-report: error: ")
    assert "not a sensitivity sweep" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    from sim.report.cli import _with_default_command

    assert _with_default_command([str(root)]) == ["figures", str(root)]
    assert _with_default_command(["compare", str(root)]) == ["compare", str(root)]
    assert report_cli().returncode == 2


# ------------------------------------------------------------------ unreadable runs


def _figures(root: Path, *extra: str) -> int:
    from sim.report.cli import main

    return main([str(root), "--width", "single", "--formats", "png", *extra])


@pytest.fixture(scope="module")
def six_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two scenarios x three seeds, aggregated (as a finished sweep is); copy before use."""
    root = make_sweep(tmp_path_factory.mktemp("six") / "sweep", CRN_PAIR, seeds=3)
    aggregate(root)
    return root


CRN_PAIR = ("chengdu_2014", "baseline_2008")


def _copy(root: Path, to: Path) -> Path:
    import shutil

    return Path(shutil.copytree(root, to))


def test_an_unreadable_run_file_is_named_left_out_of_every_figure_and_table_and_exits_3(
    six_runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(six_runs, tmp_path / "sweep")
    bad = "scenario=baseline_2008,seed=1"
    (root / bad / "timeseries.parquet").write_bytes(b"PAR1 half a file")  # after aggregation
    assert _figures(root) == 3
    err = capsys.readouterr().err
    assert f"jiceng-report: warning: run {bad}: truncated timeseries.parquet; left out" in err
    assert "--allow-missing" in err.strip().splitlines()[-1]
    runs = pd.read_parquet(root / "runs.parquet").set_index("run")
    assert runs.loc[bad, "status"] == "unreadable"
    assert bad not in set(pd.read_parquet(root / "timeseries.parquet")["run"])
    summary = pd.read_csv(root / "report" / "tables" / "summary.csv")
    petitions = summary[summary["outcome"] == "petitions"].set_index("variant")["n"]
    assert petitions.to_dict() == {"chengdu_2014": 3, "baseline_2008": 2}
    comparisons = pd.read_csv(root / "report" / "tables" / "comparisons.csv")
    assert comparisons["n_pairs"].max() == 2  # seed 1 is not paired
    captions = (root / "report" / "captions.md").read_text()
    assert "Unreadable: 1 run(s) with a file that could not be read" in captions
    assert f"`{bad}` (truncated timeseries.parquet)" in captions
    assert captions.count("Runs: 5 completed (Baseline 2008 2, Chengdu 2014 3)") >= 4
    assert _figures(root, "--allow-missing") == 0


@pytest.mark.parametrize(
    ("damaged", "what"),
    [
        ("disputes.parquet", "unreadable disputes.parquet"),
        ("network_nodes.parquet", "unreadable network_nodes.parquet"),
        ("communities.parquet", "missing communities.parquet"),
        ("summary.json", "corrupt summary.json"),
        ("meta.json", "corrupt meta.json"),
    ],
)
def test_every_report_command_names_an_unreadable_run_and_exits_3(
    damaged: str, what: str, six_runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.report.cli import main

    root = _copy(six_runs, tmp_path / "sweep")
    bad = root / "scenario=chengdu_2014,seed=2"
    if what.startswith("missing"):
        (bad / damaged).unlink()
        (bad / "meta.json").touch()  # newer than the tables, as a re-written run would be
    else:
        (bad / damaged).write_text("{half" if damaged.endswith(".json") else "text, not parquet")
    for argv in (["aggregate"], ["compare", "--reference", "chengdu_2014"]):
        assert main([argv[0], str(root), *argv[1:]]) == 3, argv
        assert f"run {bad.name}: {what}" in capsys.readouterr().err, argv
        assert main([argv[0], str(root), *argv[1:], "--allow-missing"]) == 0, argv
    assert load(root).completed["run"].tolist().count(bad.name) == 0


# ------------------------------------------------------------------ raw outputs


def _hashes(folder: Path) -> dict[str, str]:
    import hashlib

    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "report" not in p.relative_to(folder).parts
    }


def test_no_report_command_rewrites_a_run_file(six_runs: Path, tmp_path: Path) -> None:
    from sim.report.cli import main

    root = _copy(six_runs, tmp_path / "sweep")
    runs = [p for p in root.iterdir() if p.is_dir()]
    before = {p.name: _hashes(p) for p in runs}
    commands = [
        ["aggregate", str(root)],
        ["compare", str(root), "--reference", "chengdu_2014"],
        ["sensitivity", str(root)],  # not a sensitivity sweep: an error, nothing touched
        [str(root), "--width", "single", "--formats", "png"],
    ]
    one = runs[0]
    commands += [
        ["aggregate", str(one)],
        [str(one), "--width", "single", "--formats", "png"],
        ["compare", str(one), "--reference", "chengdu_2014"],
    ]
    for argv in commands:
        main(argv)
        assert {p.name: _hashes(p) for p in runs} == before, argv
    assert (one / "report" / "runs.parquet").is_file()
    assert (one / "report" / "timeseries.parquet").is_file()
    assert len(load(one).runs) == 1
