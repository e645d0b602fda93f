"""Run folders: atomic writes, provenance, and reading them back.

Every file is written to a temporary name in the same folder and renamed into place, so a
crash never leaves a half-written file under a final name. `meta.json` with
`status: completed` is written last: a folder without it is not a finished run. A writer
killed mid-file leaves its temporary file, named `.NAME.XXXXXXXX.jiceng-tmp`; the next
sweep over that folder removes those (`remove_debris`), and nothing else.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import math
import os
import platform
import re
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.config import config_hash, to_dict

if TYPE_CHECKING:
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
"""What a completed run folder holds (`quicklook.png` too, unless `output.plot` is off)."""
TMP_SUFFIX = ".jiceng-tmp"
_TMP_NAME = re.compile(r"\..+\.[A-Za-z0-9_]{8}" + re.escape(TMP_SUFFIX))
"""`tempfile.mkstemp(prefix=".NAME.", suffix=TMP_SUFFIX)`: 8 random characters between."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write(tmp)` on a temp file beside `path`, then rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def is_debris(name: str) -> bool:
    """Whether a file name is one of `atomic_write`'s temporary files."""
    return _TMP_NAME.fullmatch(name) is not None


def remove_debris(folder: Path) -> list[Path]:
    """Delete the temporary files a killed `atomic_write` left in `folder` (not below it).

    Call it only where no writer is at work: on a run folder about to be (re)run, or on a
    sweep's own folders before its runs start. Returns what was removed.
    """
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    removed = []
    for entry in entries:
        if is_debris(entry.name) and entry.is_file(follow_symlinks=False):
            Path(entry.path).unlink(missing_ok=True)
            removed.append(Path(entry.path))
    return removed


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
    """Write a finished run's tables, summary, quick-look plot and (last) meta.json.

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
    if plot:
        from sim.quicklook import quicklook

        quicklook(result, folder / "quicklook.png")
        files.append("quicklook.png")
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
