"""Files written whole or not at all, and JSON in and out.

Every file is written to a temporary name in the same folder and renamed into place, so a
crash never leaves a half-written file under a final name. A writer killed mid-file leaves
its temporary file, named `.NAME.XXXXXXXX.jiceng-tmp`; `remove_debris` removes those, and
nothing else. The run writers (`sim.io`), the quick look and the report all write here.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def json_safe(value: Any) -> Any:
    """NaN/inf become null, numpy scalars become Python numbers, tuples become lists."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
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
    """`data` as sorted, indented JSON (byte-identical for equal data), atomically."""
    write_text(path, json.dumps(json_safe(data), indent=2, sort_keys=True) + "\n")


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from `path`, or None when absent, unreadable or not an object."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
