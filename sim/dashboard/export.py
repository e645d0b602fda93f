"""Export what was watched as a run folder, written by `jiceng` itself.

The export runs `python -m sim scenario=... seed=... steps=<weeks watched> <overrides>
hydra.run.dir=<folder>`: the same command a reader would type to reproduce it, so the
folder has the very files and bytes `jiceng` writes (the runs are deterministic: same
config, seed and steps give byte-identical tables). Afterwards the folder's timeseries is
read back and compared with the series the dashboard drew, so a folder that does not match
what was on screen is reported, not silently handed over.
"""

from __future__ import annotations

import enum
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.dashboard.state import Run
from sim.io import read_meta, unwritable_reason

CHECKED = ("disputes_arising", "disputes_open", "resolved_total", "mean_grievance")


def override_text(value: Any) -> str:
    """A value as Hydra reads it back to the same Python value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


@dataclass(frozen=True)
class Watched:
    """What an export needs of a run, copied at the moment of export (play may go on)."""

    scenario: str
    seed: int
    overrides: dict[str, Any]
    weeks: int
    series: dict[str, np.ndarray]

    @classmethod
    def of(cls, run: Run) -> Watched:
        series = {k: run.history.column(k).copy() for k in CHECKED}
        return cls(run.scenario, run.seed, dict(run.overrides), run.weeks, series)


def command(run: Watched, folder: Path) -> list[str]:
    """The `jiceng` command line that writes this run's first `weeks` weeks to `folder`."""
    args = [f"scenario={run.scenario}", f"seed={run.seed}", f"steps={run.weeks}"]
    for key, value in sorted(run.overrides.items()):
        if key != "steps":
            args.append(f"{key}={override_text(value)}")
    return [sys.executable, "-m", "sim", *args, f"hydra.run.dir={folder}"]


@dataclass(frozen=True)
class Exported:
    folder: Path
    command: list[str]
    ok: bool
    message: str


def export(run: Watched, folder: Path, timeout: float = 600.0) -> Exported:
    """Write the run's watched weeks to `folder` with `jiceng`; check it matches."""
    folder = Path(folder).absolute()
    cmd = command(run, folder)
    shown = " ".join(["jiceng", *cmd[3:]])
    if run.weeks < 1:
        return Exported(folder, cmd, False, "nothing to export yet: step the run first")
    problem = unwritable_reason(folder)
    if problem:
        return Exported(folder, cmd, False, f"cannot export to {folder}: {problem}")
    if (folder / "meta.json").exists():
        return Exported(folder, cmd, False, f"{folder} already holds a run; choose a new folder")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        return Exported(folder, cmd, False, f"jiceng failed ({done.returncode}): {last}")
    meta = read_meta(folder)
    if meta is None or meta.get("status") != "completed":
        return Exported(folder, cmd, False, f"{folder}: jiceng wrote no completed run")
    mismatch = compare(run, pd.read_parquet(folder / "timeseries.parquet"))
    if mismatch:
        return Exported(
            folder, cmd, False, f"exported run differs from the watched one: {mismatch}"
        )
    return Exported(folder, cmd, True, f"wrote {folder} ({run.weeks} weeks) with: {shown}")


def compare(run: Watched, ts: pd.DataFrame) -> str | None:
    """Where an exported timeseries differs from what the dashboard recorded, or None."""
    n = run.weeks + 1
    if len(ts) != n:
        return f"{len(ts)} rows exported, {n} watched"
    for key in CHECKED:
        if not np.allclose(ts[key].to_numpy(np.float64), run.series[key], equal_nan=True):
            return f"column {key}"
    return None
