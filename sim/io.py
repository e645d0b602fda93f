"""Run folders: provenance, writing them and reading them back.

Every file goes through `sim.files.atomic_write`, so a crash never leaves a half-written
file under a final name. `meta.json` with `status: completed` is written last: a folder
without it is not a finished run. This module draws nothing: a caller that wants figures in
the folder (the quick look) passes a `draw` function to `write_run`.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import platform
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.config import config_hash, to_dict
from sim.files import atomic_write, read_json, write_json, write_text

if TYPE_CHECKING:
    import pandas as pd

    from sim.run import RunResult

PACKAGES = ("jiceng", "mesa", "numpy", "networkx", "pandas", "pyarrow", "hydra-core", "matplotlib")
COMPLETED, FAILED, RUNNING = "completed", "failed", "running"
RUN_FILES = (
    "meta.json",
    "summary.json",
    "timeseries.parquet",
    "disputes.parquet",
    "communities.parquet",
    "network_nodes.parquet",
    "network_edges.parquet",
)
"""What a completed run folder holds (plus what its `draw` function wrote: `quicklook.png`)."""

Draw = Callable[["RunResult", Path], Sequence[str]]
"""`draw(result, folder) -> names of the files it wrote there` (atomically)."""


def unwritable_reason(folder: Path) -> str | None:
    """Why `folder` cannot be created or written, or None when it can.

    Tried, not guessed from permission bits (root writes where the bits say no, nobody
    writes on a read-only filesystem): missing parents are created and a probe file is
    written, then both are removed, so nothing is left behind either way.
    """
    folder = Path(folder).absolute()
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder"
    ancestor = folder
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"{ancestor} is a file, so no folder can be made under it"
    created = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        reason = {
            errno.EROFS: "it is on a read-only filesystem",
            errno.EACCES: "permission denied",
            errno.EPERM: "permission denied",
        }.get(exc.errno or 0, exc.strerror or type(exc).__name__)
        return f"cannot write there: {reason}"
    finally:
        for path in created:  # deepest first
            with contextlib.suppress(OSError):
                path.rmdir()
    return None


def write_parquet(path: Path, df: pd.DataFrame) -> None:
    """A table as parquet (pyarrow, no index), atomically."""
    atomic_write(path, lambda p: df.to_parquet(p, index=False, engine="pyarrow"))


@functools.cache
def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


@functools.cache
def git_commit() -> str | None:
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def meta_record(result: RunResult, status: str = COMPLETED, **extra: Any) -> dict[str, Any]:
    cfg = result.config
    return {
        "status": status,
        "scenario": cfg.scenario,
        "seed": cfg.seed,
        "config_hash": config_hash(cfg),
        "config": to_dict(cfg),
        "reforms_applied": result.reforms,
        "git_commit": git_commit(),
        "versions": dict(versions()),
        "build_time_s": result.build_time,
        "burn_in_time_s": result.burn_in_time,
        "wall_time_s": result.wall_time,
        **extra,
    }


def write_run(result: RunResult, folder: Path, *, draw: Draw | None = None, **extra: Any) -> Path:
    """Write a finished run's tables, summary, what `draw` draws and (last) meta.json.

    meta.json lists the files written (`files`), so a reader can tell a damaged or lost
    file from one the run never had.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_parquet(folder / "timeseries.parquet", result.timeseries)
    write_parquet(folder / "disputes.parquet", result.disputes)
    write_parquet(folder / "communities.parquet", result.communities)
    write_parquet(folder / "network_nodes.parquet", result.network_nodes)
    write_parquet(folder / "network_edges.parquet", result.network_edges)
    write_json(folder / "summary.json", result.summary)
    files = list(RUN_FILES)
    if draw is not None:
        files += draw(result, folder)
    write_json(folder / "meta.json", meta_record(result, files=sorted(files), **extra))
    return folder


def write_failure(folder: Path, error: BaseException, trace: str, **extra: Any) -> None:
    """Record a failed run: a traceback file and meta.json with status failed."""
    folder.mkdir(parents=True, exist_ok=True)
    write_text(folder / "traceback.txt", trace)
    record = {
        "status": FAILED,
        "error": f"{type(error).__name__}: {error}",
        "versions": dict(versions()),
        **extra,
    }
    write_json(folder / "meta.json", record)


def read_meta(folder: Path) -> dict[str, Any] | None:
    """meta.json of a run folder, or None when absent or unreadable (an unfinished run)."""
    return read_json(Path(folder) / "meta.json")


def is_completed(folder: Path) -> bool:
    meta = read_meta(folder)
    return meta is not None and meta.get("status") == COMPLETED


def damaged_table(folder: Path, written: Sequence[str] | None = None) -> str | None:
    """What is wrong with one of a completed run's tables (`missing X`, `truncated X`,
    `unreadable X`), or None.

    `written` lists the files the run wrote (meta.json's `files`): each must be there.
    Without it (an older run, or another app's) only the tables present are checked. The
    check is structural (`_parquet_problem`: ~0.1 ms a file, where reading the footer
    costs ~0.7 ms), so a sweep can afford it for every run it resumes.
    """
    for name in RUN_FILES:
        if not name.endswith(".parquet"):
            continue
        if written is None and not (folder / name).exists():
            continue
        if written is not None and name not in written:
            continue
        problem = _parquet_problem(folder / name)
        if problem:
            return f"{problem} {name}"
    return None


def intact(folder: Path, meta: dict[str, Any]) -> bool:
    """Whether a completed run's summary and tables can all be read back."""
    files = meta.get("files")
    written = [str(f) for f in files] if isinstance(files, list) else None
    return read_json(folder / "summary.json") is not None and damaged_table(folder, written) is None


_MAGIC = b"PAR1"


def _parquet_problem(path: Path) -> str | None:
    """'missing', 'unreadable' or 'truncated' for a file that is not a whole parquet file:
    it must start and end with PAR1, the end preceded by a footer length that fits."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
            size = f.seek(0, 2)
            if size < 12:
                return "truncated"
            f.seek(size - 8)
            tail = f.read(8)
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"
    footer = int.from_bytes(tail[:4], "little")
    if head != _MAGIC or tail[4:] != _MAGIC or not 0 < footer <= size - 12:
        return "truncated" if head == _MAGIC else "unreadable"
    return None
