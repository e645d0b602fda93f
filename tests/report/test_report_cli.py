"""`jiceng-report quicklook DIR`: the quick looks a sweep's runs no longer draw, drawn later
from the run folders, which are only read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim import quicklook
from sim.io import write_run
from sim.report.cli import main
from sim.run import run


def test_quicklooks_are_drawn_from_the_run_folders_without_touching_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep = tmp_path / "sweep"
    for seed in (0, 1):
        result = run(scenario="chengdu_2014", seed=seed, **{"world.communities": 1, "steps": 4})
        write_run(result, sweep / f"seed={seed}")
    before = {p: p.read_bytes() for p in sweep.rglob("*") if p.is_file()}
    assert main(["quicklook", str(sweep)]) == 0
    assert "2 quick looks" in capsys.readouterr().out
    pngs = sorted((sweep / "report" / "quicklook").glob("*.png"))
    assert [p.name for p in pngs] == ["seed=0.png", "seed=1.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)
    assert {p: p.read_bytes() for p in before} == before  # the runs are not rewritten
    assert "quicklook.png" not in json.loads((sweep / "seed=0" / "meta.json").read_text())["files"]
    assert quicklook.FILE == "quicklook.png"


def test_a_folder_without_completed_runs_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "run" / ".hydra").mkdir(parents=True)
    assert main(["quicklook", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no completed runs" in err[0]
