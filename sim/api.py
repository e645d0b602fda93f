"""`sim.sweep(...)`: a sweep from Python, above the command line and the sweeper.

It runs `jiceng` in this process (so a sweep from a notebook is the same sweep as one from
the shell) and reads what the sweep did from the `sweep.json` it wrote.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def sweep(
    experiment: str | None = None,
    overrides: Sequence[str] = (),
    *,
    sweep_dir: str | Path | None = None,
    launcher: str | None = None,
) -> Any:
    """Run a sweep and return its tables (`sim.report.load`).

    `sweep("smoke", ["seed=range(0,4)"], sweep_dir="out/smoke")`; `launcher` picks a Hydra
    launcher config (`joblib`, `basic`, `local_submitit`, `slurm`, `ray_local`).
    Raises RuntimeError when the sweep could not start or some runs failed.
    """
    from sim import cli
    from sim.report import load
    from sim.sweep import read_outcome

    args = [f"experiment={experiment}"] if experiment else ["-m"]
    args += list(overrides)
    if launcher is not None:
        args.append(f"hydra/launcher={launcher}")
    folder = Path(sweep_dir).resolve() if sweep_dir is not None else _planned_folder(args)
    if folder is not None:
        args.append(f"hydra.sweep.dir={folder}")
    started = time.time_ns()
    code = cli.main(args)
    outcome = None if folder is None else read_outcome(folder, since_ns=started)
    if outcome is None:
        raise RuntimeError(f"the sweep did not run (exit code {code}); see the message above")
    if code != 0:
        raise RuntimeError(
            f"{len(outcome.failed)} run(s) failed in {outcome.sweep_dir}; see summary.txt"
        )
    return load(outcome.sweep_dir)


def _planned_folder(args: Sequence[str]) -> Path | None:
    """Where the sweep will go (its `${now:...}` resolved once, here); None when the
    invocation is bad, which `cli.main` then reports in one line."""
    from sim import cli

    try:
        return cli.planned_sweep_folder(args)
    except Exception:
        return None
