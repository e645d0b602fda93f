"""`jiceng`: a complete, provenance-carrying run folder; Hydra's own flags and conventions;
one-line errors for bad output folders, misplaced sweeps and bad scenario files; the log."""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.compose import load_config
from sim.config import SimConfig, config_hash
from sim.params import ConfigError, iter_schema


def test_cli_run_writes_the_run_folder(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "scenario=baseline_2008",
            "seed=3",
            "world.communities=2",
            "steps=12",
            f"hydra.run.dir={out}",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for name in (
        "timeseries.parquet",
        "disputes.parquet",
        "communities.parquet",
        "summary.json",
        "meta.json",
        "quicklook.png",
        ".hydra/config.yaml",
    ):
        assert (out / name).is_file(), name
    meta = json.loads((out / "meta.json").read_text())
    assert meta["status"] == "completed"
    assert meta["seed"] == 3 and meta["scenario"] == "baseline_2008"
    expected = load_config("baseline_2008", {"world.communities": 2, "steps": 12, "seed": 3})
    assert meta["config_hash"] == config_hash(expected)
    assert meta["config"]["world"]["communities"] == 2
    assert {"python", "mesa", "numpy", "jiceng"} <= set(meta["versions"])
    assert meta["wall_time_s"] > 0
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert list(ts["step"]) == list(range(13))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["disputes"] == int(ts["disputes_arising"].sum())
    panel = pd.read_parquet(out / "communities.parquet")
    assert set(panel["community"]) == {0, 1}
    assert not list(out.glob(".*.parquet*")), "temporary files left behind"


# ------------------------------------------------------------------ Hydra's conventions

TINY = ["world.communities=1", "steps=3", "output.plot=false", "output.progress=false"]


def _no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything gets as far as building a model."""

    def built(*args: object, **kw: object) -> None:
        raise AssertionError("the model was built")

    monkeypatch.setattr(importlib.import_module("sim.run"), "run", built)


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--cfg", "job", "world.communities=3"], "  communities: 3\n"),
        (["world.communities=3", "--cfg", "job", "--resolve"], "  communities: 3\n"),
        (["--cfg", "hydra"], "hydra:\n  run:\n"),
        (["--info", "defaults"], "Defaults List"),
        (["--info"], "Hydra 1.3"),
    ],
)
def test_hydra_flags_print_and_run_nothing_wherever_they_stand(
    flags: list[str],
    needle: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    _no_model(monkeypatch)
    assert main(flags) == 0, capsys.readouterr().err
    assert needle in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_help_names_jiceng_and_lists_every_parameter_with_its_doc_unit_and_range(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("jiceng: ") and "cli is powered by Hydra" not in text
    assert "scenario: baseline_2008, chengdu_2014" in text  # the config groups
    for f in dataclasses.fields(SimConfig):
        doc = f.metadata.get("jiceng_group")
        if doc:
            assert f"\n{f.name}: {doc}\n" in text, f.name
    lines = text.splitlines()
    for name, _, meta in iter_schema(SimConfig):
        assert meta is not None, name
        (line,) = [ln for ln in lines if ln.startswith(f"  {name}=")]
        assert meta.doc in line, name
        if meta.low is not None or meta.high is not None:
            assert meta.range_text() in line, name
        if meta.unit == "choice":
            assert " one of " in line, name
        elif meta.unit != "-":
            assert meta.unit in line, name


def test_dash_m_after_the_overrides_sweeps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "sweep"
    argv = ["seed=0,1", *TINY, "-m", "hydra/launcher=basic", f"hydra.sweep.dir={out}"]
    assert main(argv) == 0
    seeds = sorted(json.loads(p.read_text())["seed"] for p in out.glob("*/meta.json"))
    assert seeds == [0, 1]


@pytest.mark.parametrize("sweep", ["seed=range(0,3)", "seed=0,1", "scenario=chengdu_2014,no_grid"])
def test_a_sweep_on_a_single_run_line_is_one_line_saying_add_dash_m(
    sweep: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    _no_model(monkeypatch)
    assert main([sweep, *TINY]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"jiceng: error: '{sweep}' is a sweep")
    assert f"add -m to sweep (jiceng -m {sweep} ...)" in err[0]
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ output folders


@pytest.mark.parametrize("mode", ["run", "sweep"])
@pytest.mark.parametrize("where", ["the file", "under the file"])
def test_an_output_folder_that_is_a_file_or_under_one_is_one_line_before_any_model(
    mode: str,
    where: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What fails for root too: a regular file where a folder must be (EEXIST, ENOTDIR)."""
    monkeypatch.chdir(tmp_path)
    _no_model(monkeypatch)
    taken = tmp_path / "notes.txt"
    taken.write_text("mine\n")
    target = taken if where == "the file" else taken / "runs"
    argv = [*TINY, f"hydra.{mode}.dir={target}", *(["-m", "seed=0,1"] if mode == "sweep" else [])]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    assert err[0].startswith(f"jiceng: error: hydra.{mode}.dir={target}: {taken} is a file")
    assert f"set hydra.{mode}.dir to a folder you can write" in err[0]
    assert taken.read_text() == "mine\n" and sorted(tmp_path.iterdir()) == [taken]


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="root may write into a folder whose permission bits forbid it: nothing to refuse",
)
def test_a_folder_without_write_permission_is_one_line_before_any_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    _no_model(monkeypatch)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert main([*TINY, f"hydra.run.dir={locked}/run"]) == 2
    finally:
        locked.chmod(0o755)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot write there: permission denied" in err[0]
    assert list(locked.iterdir()) == []


def test_checking_a_new_output_folder_leaves_nothing_behind(tmp_path: Path) -> None:
    from sim.io import unwritable_reason

    assert unwritable_reason(tmp_path / "a" / "b" / "c") is None
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ logs


WARNING_RUN = """
import importlib, sys, warnings
run_module = importlib.import_module("sim.run")
real = run_module.run

def warning_run(cfg, **kw):
    warnings.warn("calibration target out of reach", UserWarning, stacklevel=1)
    return real(cfg, **kw)

run_module.run = warning_run
from sim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_cli_log_holds_the_run_summary_and_its_warnings(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-c", WARNING_RUN, *TINY, "seed=4", f"hydra.run.dir={out}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (summary,) = [ln for ln in proc.stdout.splitlines() if "seed=4" in ln]
    log = (out / "cli.log").read_text()
    assert summary in log and "cumulative resolution rate" in summary
    assert "UserWarning: calibration target out of reach" in log
    assert "calibration target out of reach" in proc.stderr


def test_a_sweep_writes_no_empty_log_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "sweep"
    assert main(["-m", "seed=0,1", *TINY, "hydra/launcher=basic", f"hydra.sweep.dir={out}"]) == 0
    logs = list(out.rglob("*.log"))
    assert logs and all(p.stat().st_size > 0 for p in logs)
    text = "".join(p.read_text() for p in logs)
    assert "chengdu_2014 seed=0:" in text and "chengdu_2014 seed=1:" in text


# ------------------------------------------------------------------ your own scenario file

MINE = """\
# @package _global_
defaults:
  - chengdu_2014
  - _self_
description: Chengdu 2014 with a fifth of the grid workers
policy:
  grid:
    workers_per_10k: 2.0
"""


def test_a_scenario_file_of_your_own_runs_from_anywhere_extending_a_shipped_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "studies").mkdir()
    path = tmp_path / "studies" / "thin_grid.yaml"
    path.write_text(MINE)
    out = tmp_path / "run"
    assert main(["scenario=studies/thin_grid.yaml", *TINY, f"hydra.run.dir={out}"]) == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["scenario"] == "thin_grid"
    assert meta["config"]["policy"]["grid"]["workers_per_10k"] == 2.0
    shipped = load_config("chengdu_2014")
    assert meta["config"]["policy"]["councils"]["coverage"] == shipped.policy.councils.coverage
    api = load_config(str(path), {"world.communities": 1, "steps": 3, "output.plot": False})
    assert api.scenario == "thin_grid" and meta["config_hash"] == config_hash(api)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("defaults: [chengdu_2014]\ntrust:\n  online_share: .nan\n", "trust.online_share=nan is"),
        ("defaults: [chengdu_2014]\nworld: {communitie: 3}\n", "did you mean 'world.communities'"),
        ("defaults: [chengdu_2014]\nscenario: chengdu_2014\n", "set scenario: mine or remove"),
        ("defaults: [chengdu_2015]\n", "unknown scenario 'chengdu_2015' (did you mean"),
        ("world:\n  communities: [1\n", "is not valid YAML: expected ',' or ']'"),
        ("- 1\n- 2\n", "must hold a mapping"),
    ],
)
def test_a_bad_scenario_file_is_one_line_like_a_bad_shipped_one(
    text: str,
    needle: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    _no_model(monkeypatch)
    (tmp_path / "mine.yaml").write_text(text)
    assert main(["scenario=mine.yaml", f"hydra.run.dir={tmp_path}/run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("jiceng: error: ") and needle in err[0], err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml"]
    with pytest.raises(ConfigError, match=re.escape(needle)):
        load_config("mine.yaml")


def test_a_scenario_file_may_not_pose_as_a_shipped_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "no_grid.yaml").write_text("defaults: [chengdu_2014]\nsteps: 5\n")
    assert main(["scenario=no_grid.yaml"]) == 2
    assert "has the name of the shipped scenario 'no_grid'; rename" in capsys.readouterr().err
    assert main(["scenario=nowhere/mine.yaml"]) == 2
    assert "scenario file nowhere/mine.yaml not found" in capsys.readouterr().err
