"""`jiceng` writes a complete, provenance-carrying run folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from sim.compose import load_config
from sim.config import config_hash


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
