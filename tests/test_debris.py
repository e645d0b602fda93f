"""A writer killed mid-file leaves a temporary file; the re-run sweep removes exactly those,
and runs again a completed run whose table was damaged.

The writer here is the real `sim.files.atomic_write`, killed with SIGKILL while its file is
half written, once in a run folder (as a run killed while writing its tables) and once in
the sweep's own folder (as a sweep killed while aggregating).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main

TINY = ["world.communities=1", "steps=3", "output.plot=false", "output.progress=false"]
RUN = "output.plot=false,output.progress=false,seed=0,steps=3,world.communities=1"

HALF_WRITER = """
import sys, threading, time
from pathlib import Path
from sim.files import atomic_write

started = threading.Barrier(len(sys.argv))

def half(tmp):
    with open(tmp, "wb") as f:
        f.write(b"PAR1" + b"x" * 4096)
        f.flush()
    started.wait()
    time.sleep(600)

for target in sys.argv[1:]:
    threading.Thread(target=atomic_write, args=(Path(target), half), daemon=True).start()
started.wait()
print("half written", flush=True)
time.sleep(600)
"""


def kill_mid_file(*targets: Path) -> None:
    """Start writers of `targets` (one process), wait until each is half way, SIGKILL it."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HALF_WRITER, *map(str, targets)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "half written"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert not any(t.exists() for t in targets)  # no final name was ever written


def leftovers(root: Path, names: tuple[str, ...]) -> list[Path]:
    """Files named like a temporary of any of `names` (`.NAME.` followed by anything)."""
    return [p for p in root.rglob(".*") if p.is_file() and p.name.startswith(names)]


@pytest.fixture
def sweep_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path / "sweep"


def sweep(out: Path) -> int:
    return main(["-m", "seed=0,1", *TINY, "hydra/launcher=basic", f"hydra.sweep.dir={out}"])


def test_the_rerun_sweep_removes_what_killed_writers_left_and_nothing_else(
    sweep_dir: Path,
) -> None:
    names = (".timeseries.parquet.", ".runs.parquet.", ".runs.json.")
    kill_mid_file(
        sweep_dir / RUN / "timeseries.parquet",  # a run killed mid-table
        sweep_dir / "runs.parquet",  # a sweep killed while aggregating
        sweep_dir / ".jiceng" / "jobs" / "00000" / "runs.json",  # ... or planning
    )
    assert len(leftovers(sweep_dir, names)) == 3
    mine = [sweep_dir / ".notes.txt", sweep_dir / RUN / ".timeseries.parquet.bak"]
    for path in mine:
        path.write_text("the user's own\n")
    assert sweep(sweep_dir) == 0
    assert leftovers(sweep_dir, names) == [mine[1]]  # the look-alike is not ours
    assert all(p.read_text() == "the user's own\n" for p in mine)
    assert (sweep_dir / RUN / "meta.json").is_file()


def test_a_completed_run_is_not_touched_by_the_cleanup(sweep_dir: Path) -> None:
    assert sweep(sweep_dir) == 0
    before = {p: p.stat().st_mtime_ns for p in (sweep_dir / RUN).iterdir()}
    assert sweep(sweep_dir) == 0  # resumed: both runs skipped
    assert {p: p.stat().st_mtime_ns for p in (sweep_dir / RUN).iterdir()} == before


def test_a_resumed_sweep_redoes_a_completed_run_whose_table_was_damaged(
    sweep_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow.parquet as pq

    assert sweep(sweep_dir) == 0
    table = sweep_dir / RUN / "timeseries.parquet"
    whole = table.read_bytes()
    table.write_bytes(whole[: len(whole) // 2])  # a copy cut short
    capsys.readouterr()
    assert sweep(sweep_dir) == 0
    assert "(1 already done, 1 run now" in capsys.readouterr().out
    assert pq.read_table(table).num_rows == 4 and table.read_bytes() == whole
