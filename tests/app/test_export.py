"""Export writes the watched run as `jiceng` would: same files, same bytes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from sim.dashboard.export import Watched, command, export
from sim.dashboard.state import Session

RUN_SPECIFIC = {"build_time_s", "burn_in_time_s", "wall_time_s", "launcher_wall_s"}
"""meta.json fields that differ between two identical `jiceng` runs (timings)."""


def files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_export_writes_the_same_folder_as_jiceng_for_the_watched_weeks(tiny, tmp_path):
    s = Session(tiny)
    for _ in range(3):
        s.step()
    watched = Watched.of(s.a)
    done = export(watched, tmp_path / "exported")
    assert done.ok, done.message
    ours = tmp_path / "exported"
    theirs = tmp_path / "jiceng"
    cmd = command(watched, theirs)
    subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    assert files(ours) == files(theirs)
    assert "steps=3" in cmd and "seed=0" in cmd
    for name in sorted(files(ours)):
        if name in ("meta.json", ".hydra/hydra.yaml", "cli.log"):
            continue  # run-specific (timings, the output folder, log timestamps); see below
        assert (ours / name).read_bytes() == (theirs / name).read_bytes(), name
    a, b = (json.loads((f / "meta.json").read_text()) for f in (ours, theirs))
    assert a["status"] == "completed" and a["config_hash"] == b["config_hash"]
    assert {k: v for k, v in a.items() if k not in RUN_SPECIFIC} == {
        k: v for k, v in b.items() if k not in RUN_SPECIFIC
    }


def test_export_refuses_an_unwritable_folder_and_an_unstarted_run_in_one_line(tiny, tmp_path):
    s = Session(tiny)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert "step the run first" in export(Watched.of(s.a), tmp_path / "out").message
    s.step()
    done = export(Watched.of(s.a), blocker)
    assert not done.ok and "is a file, not a folder" in done.message
