"""Sweeps: experiments run as multiruns, validated up front, resumable, failure-tolerant."""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim import cli
from sim.sweep import read_outcome

TINY = ["world.communities=1", "steps=10"]
TIMING = ["build_time_s", "burn_in_time_s", "wall_time_s", "launcher_wall_s"]


def jiceng(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def run_names(sweep: Path) -> list[str]:
    return sorted(p.name for p in sweep.iterdir() if p.is_dir() and not p.name.startswith("."))


def test_smoke_experiment_runs_as_a_multirun_without_dash_m(tmp_path: Path) -> None:
    out = tmp_path / "smoke"
    proc = jiceng("experiment=smoke", f"hydra.sweep.dir={out}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert run_names(out) == [
        "scenario=baseline_2008,seed=0",
        "scenario=baseline_2008,seed=1",
        "scenario=chengdu_2014,seed=0",
        "scenario=chengdu_2014,seed=1",
    ]
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 4 and set(runs["status"]) == {"completed"}
    assert set(runs["variant"]) == {"baseline_2008", "chengdu_2014"}
    assert set(runs["world.communities"]) == {2} and set(runs["steps"]) == {20}
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert len(ts) == 4 * 21 and ts.groupby("run")["step"].max().eq(20).all()
    meta = json.loads((out / "scenario=chengdu_2014,seed=1" / "meta.json").read_text())
    assert meta["seed"] == 1 and meta["scenario"] == "chengdu_2014"
    assert meta["config"]["world"]["communities"] == 2 and "numpy" in meta["versions"]
    assert (out / "scenario=chengdu_2014,seed=1" / ".hydra" / "config.yaml").is_file()
    assert "4 completed" in proc.stdout and "0 failed" in proc.stdout
    assert "4/4 runs done" in proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["world.communities=2,0"], "world.communities=0 is out of range"),
        (['hydra.sweeper.params.scenario="chengdu_2014,chengdu2014"'], "unknown scenario"),
        (["hydra.sweeper.params.scenario=chengdu_2014,x"], "cannot be swept; to set it"),
        (["world.communitie=1,2"], "unknown key 'world.communitie'"),
        (["seed=0,18446744073709551616"], "seed=18446744073709551616 is out of range"),
        (["seed=0,-1"], "seed=-1 is out of range"),
    ],
)
def test_an_invalid_value_anywhere_in_the_grid_stops_everything(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "bad"
    proc = jiceng("experiment=smoke", f"hydra.sweep.dir={out}", *args, cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jiceng: error: ") and message in lines[0]
    assert not out.exists()


def test_unknown_experiment_names_the_closest(tmp_path: Path) -> None:
    proc = jiceng("experiment=smok", cwd=tmp_path)
    assert proc.returncode == 2
    assert "unknown experiment 'smok' (did you mean smoke?)" in proc.stderr


def test_killed_sweep_finishes_only_missing_runs_and_matches_uninterrupted(
    tmp_path: Path,
) -> None:
    args = ["experiment=smoke", "hydra/launcher=basic", "seed=range(0,12)", "steps=40"]
    killed = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args, f"hydra.sweep.dir={killed}"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    done: list[Path] = []
    while time.monotonic() < deadline and len(done) < 3 and proc.poll() is None:
        done = list(killed.glob("*/meta.json")) if killed.exists() else []
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = {p.parent.name: p.stat().st_mtime_ns for p in killed.glob("*/meta.json")}
    assert 3 <= len(finished) < 24, "the sweep should have been killed partway"
    resumed = jiceng(*args, f"hydra.sweep.dir={killed}", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert f"({len(finished)} already done, {24 - len(finished)} run now" in resumed.stdout
    for name, mtime in finished.items():  # completed runs were not run again
        assert (killed / name / "meta.json").stat().st_mtime_ns == mtime

    whole = tmp_path / "whole"
    assert jiceng(*args, f"hydra.sweep.dir={whole}", cwd=tmp_path).returncode == 0
    a = pd.read_parquet(killed / "runs.parquet").drop(columns=TIMING)
    b = pd.read_parquet(whole / "runs.parquet").drop(columns=TIMING)
    pd.testing.assert_frame_equal(a, b)
    assert (killed / "timeseries.parquet").read_bytes() == (
        whole / "timeseries.parquet"
    ).read_bytes()


def test_a_failing_run_is_recorded_and_the_others_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_module = importlib.import_module("sim.run")  # `sim.run` the attribute is the function
    real_run = run_module.run

    def flaky(cfg: object, **kw: object) -> object:
        if getattr(cfg, "seed", None) == 1 and getattr(cfg, "scenario", "") == "baseline_2008":
            raise RuntimeError("boom in the model")
        return real_run(cfg, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(run_module, "run", flaky)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "flaky"
    args = ["experiment=smoke", "hydra/launcher=basic", f"hydra.sweep.dir={out}", *TINY]
    assert cli.main(args) == 1
    printed = capsys.readouterr().out
    bad = out / "scenario=baseline_2008,seed=1,steps=10,world.communities=1"
    meta = json.loads((bad / "meta.json").read_text())
    assert meta["status"] == "failed" and meta["error"] == "RuntimeError: boom in the model"
    assert meta["seed"] == 1 and meta["scenario"] == "baseline_2008"
    assert "boom in the model" in (bad / "traceback.txt").read_text()
    assert "1 failed" in printed and "FAILED runs (1)" in printed and bad.name in printed
    outcome = read_outcome(out)
    assert outcome is not None and outcome.completed == 3 and len(outcome.failed) == 1
    runs = pd.read_parquet(out / "runs.parquet")
    assert sorted(runs["status"]) == ["completed"] * 3 + ["failed"]

    monkeypatch.setattr(run_module, "run", real_run)
    assert cli.main(args) == 0  # a re-run retries only the failed run
    assert "(3 already done, 1 run now" in capsys.readouterr().out
    assert json.loads((bad / "meta.json").read_text())["status"] == "completed"


def test_the_outcome_is_read_from_this_invocations_sweep_json(tmp_path: Path) -> None:
    from sim.sweep import SweepOutcome, write_outcome

    written = SweepOutcome(tmp_path, total=3, completed=2, skipped=1, failed=[("r", "E: x")])
    before = time.time_ns()
    write_outcome(written)
    outcome = read_outcome(tmp_path, since_ns=before)
    assert outcome is not None and outcome.failed == [("r", "E: x")] and not outcome.ok
    assert read_outcome(tmp_path, since_ns=time.time_ns() + 10**9) is None  # an older sweep's
    assert read_outcome(tmp_path / "nowhere") is None


def test_every_shipped_experiment_validates() -> None:
    """Composes each experiment and checks every value of its grid (nothing runs).
    Calibration files (a `calibration:` section) are checked by tests/test_calibrate.py."""
    from sim.calibrate.spec import is_calibration_file

    paths = (Path(cli.config_root()) / "experiment").glob("*.yaml")
    names = sorted(p.stem for p in paths if not is_calibration_file(p))
    assert {"smoke", "reform_vs_baseline", "mechanism_ablation", "council_x_party"} <= set(names)
    assert {"social_org_density", "mediation_capacity"} <= set(names)
    for name in names:
        configs = list(cli.validate_invocation([f"experiment={name}"]))
        assert configs, name


def test_notebook_sweep_returns_the_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim import sweep
    from sim.report import compare

    monkeypatch.chdir(tmp_path)
    tables = sweep("smoke", TINY, sweep_dir=tmp_path / "nb", launcher="basic")
    assert len(tables.runs) == 4 and set(tables.completed["seed"]) == {0, 1}
    assert tables.timeseries["step"].max() == 10
    diff = compare(tables, "baseline_2008", ["resolution_rate"])
    assert diff["n_pairs"].tolist() == [2]


def test_ad_hoc_multirun_gets_the_jiceng_sweeper(tmp_path: Path) -> None:
    out = tmp_path / "adhoc"
    proc = jiceng(
        "-m", "seed=0,1", *TINY, "output.plot=false", "hydra/launcher=basic",
        f"hydra.sweep.dir={out}", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert run_names(out) == [
        "output.plot=false,seed=0,steps=10,world.communities=1",
        "output.plot=false,seed=1,steps=10,world.communities=1",
    ]
    assert (out / "runs.parquet").is_file() and "2 completed" in proc.stdout
