"""Run folders: atomic writes, provenance, and reading them back.

Every file is written to a temporary name in the same folder and renamed into place, so a
crash never leaves a half-written file under a final name. `meta.json` with
`status: completed` is written last: a folder without it is not a finished run.
"""

from __future__ import annotations

import functools
import json
import math
import os
import platform
import subprocess
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config import config_hash, to_dict
from sim.run import RunResult

PACKAGES = ("jiceng", "mesa", "numpy", "networkx", "pandas", "pyarrow", "hydra-core", "matplotlib")
COMPLETED, FAILED, RUNNING = "completed", "failed", "running"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write(tmp)` on a temp file beside `path`, then rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _clean(value: Any) -> Any:
    """JSON-safe: NaN/inf become null, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_text(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (UTF-8)."""

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    atomic_write(path, write)


def write_json(path: Path, data: dict[str, Any]) -> None:
    write_text(path, json.dumps(_clean(data), indent=2, sort_keys=True) + "\n")


def write_parquet(path: Path, df: pd.DataFrame) -> None:
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


def write_run(result: RunResult, folder: Path, *, plot: bool = True, **extra: Any) -> Path:
    """Write a finished run's tables, summary, quick-look plot and (last) meta.json."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_parquet(folder / "timeseries.parquet", result.timeseries)
    write_parquet(folder / "disputes.parquet", result.disputes)
    write_parquet(folder / "communities.parquet", result.communities)
    write_parquet(folder / "network_nodes.parquet", result.network_nodes)
    write_parquet(folder / "network_edges.parquet", result.network_edges)
    write_json(folder / "summary.json", result.summary)
    if plot:
        from sim.quicklook import quicklook

        quicklook(result, folder / "quicklook.png")
    write_json(folder / "meta.json", meta_record(result, **extra))
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


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from `path`, or None when absent, unreadable or not an object."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_meta(folder: Path) -> dict[str, Any] | None:
    """meta.json of a run folder, or None when absent or unreadable (an unfinished run)."""
    return read_json(Path(folder) / "meta.json")


def is_completed(folder: Path) -> bool:
    meta = read_meta(folder)
    return meta is not None and meta.get("status") == COMPLETED
