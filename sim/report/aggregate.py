"""One tidy table set per sweep, built by streaming over its run folders.

`aggregate(DIR)` writes `DIR/runs.parquet` (one row per run: status, seed, variant, every
parameter flattened to dotted names, the summary outcomes, provenance) and
`DIR/timeseries.parquet` (one row per run and step). It reads each run folder twice (first
for the column set and types, then to write in chunks), so memory stays bounded by a chunk,
not by the number of runs. It is generic over whatever keys meta.json and summary.json
hold. A folder without meta.json counts as not completed; a run with a file present but
unreadable (corrupt meta.json, a completed run's damaged or missing table) gets the status
`unreadable`, is named in the report's problems and is left out of every table and figure.
Raw run files are only read: on a single run folder the tables go to `DIR/report/`.

`load(DIR)` gives the tables to a notebook (aggregating first when they are missing or
older than a run file); comparisons are `sim.report.stats.compare`, sensitivity indices
`sim.report.sensitivity.sensitivity_report`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.files import atomic_write
from sim.io import RUN_FILES, damaged_table

RUNS, TIMESERIES = "runs.parquet", "timeseries.parquet"
INCOMPLETE, UNREADABLE = "incomplete", "unreadable"
SINGLE_RUN_TABLES = "report"  # a single run folder's own tables live below it, not over it
LEAD = ["run", "status", "variant", "scenario", "seed"]
ID_CONFIG = {"scenario", "seed"}  # also top-level meta keys
TEXT_CONFIG = {"description", "basis"}  # prose, not parameters
ID_COLUMNS = {
    "run": pa.string(),
    "variant": pa.string(),
    "scenario": pa.string(),
    "seed": pa.int64(),
}
RUN_CHUNK = 2000
TS_BUFFER_ROWS = 100_000
SCHEMA_KEY = b"jiceng"


class AggregateError(ValueError):
    """A sweep folder that cannot be aggregated; the message names the fix."""


# ------------------------------------------------------------------ run folders


def _natural(name: str) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def is_run_folder(root: Path) -> bool:
    return (Path(root) / "meta.json").exists()


def tables_dir(root: str | Path) -> Path:
    """Where `aggregate` writes: the sweep folder, or `report/` below a single run folder
    (whose own timeseries.parquet must never be overwritten)."""
    root = Path(root)
    return root / SINGLE_RUN_TABLES if is_run_folder(root) else root


def run_folders(root: Path) -> list[Path]:
    """Run folders under a sweep folder (or the folder itself if it is one run)."""
    root = Path(root)
    if not root.is_dir():
        raise AggregateError(f"{root} is not a folder; pass a sweep folder (one folder per run)")
    if is_run_folder(root):
        return [root]
    found = [
        p
        for p in root.iterdir()
        if p.is_dir()
        and not p.name.startswith(".")
        and p.name != "sensitivity"
        and any((p / f).exists() for f in ("meta.json", ".hydra", "timeseries.parquet"))
    ]
    if not found:
        raise AggregateError(
            f"no run folders in {root}; pass the folder a sweep wrote (it holds one folder "
            "per run, each with a meta.json)"
        )
    return sorted(found, key=lambda p: _natural(p.name))


def read_json_problem(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(data, problem): problem says why a present file could not be used."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"unreadable {path.name} ({exc.strerror})"
    try:
        data = json.loads(text)
    except ValueError:
        return None, f"corrupt {path.name}"
    if not isinstance(data, dict):
        return None, f"corrupt {path.name} (not an object)"
    return data, None


def _flatten(d: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for k, v in d.items():
        if isinstance(v, Mapping):
            yield from _flatten(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


def _scalar(value: Any) -> Any:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, sort_keys=True)
    return value


@dataclass
class _Run:
    """One run folder read: its row for runs.parquet and what else aggregation needs."""

    folder: Path
    name: str
    row: dict[str, Any]
    outcomes: list[str]
    parameters: list[str]
    problem: str | None

    @property
    def completed(self) -> bool:
        return self.row.get("status") == "completed"


def _first_sentence(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].split(". ")[0].rstrip(".") if text else type(exc).__name__


def read_run(folder: Path, root: Path, *, check_tables: bool = True) -> _Run:
    """A run folder as a flat row (meta scalars, dotted parameters, summary outcomes).

    A completed run whose summary or tables cannot be read becomes `unreadable` (with
    `check_tables`, every table is checked structurally: cheap, and it catches truncation).
    """
    name = folder.name if folder != root else root.name
    meta, problem = read_json_problem(folder / "meta.json")
    row: dict[str, Any] = {"run": name}
    params: list[str] = []
    outcomes: list[str] = []
    if meta is None:
        row["status"] = UNREADABLE if problem else INCOMPLETE
        row["error"] = problem or "no meta.json (the run did not finish)"
        return _Run(folder, name, row, outcomes, params, problem)
    config = meta.get("config") if isinstance(meta.get("config"), Mapping) else {}
    for key, value in meta.items():
        if key in ("config", "files"):
            continue
        if key == "versions" and isinstance(value, Mapping):
            row.update({f"version.{k}": v for k, v in value.items()})
        elif key == "overrides" and isinstance(value, list):
            row[key] = " ".join(map(str, value))
        else:
            row[key] = _scalar(value)
    for key, value in _flatten(config or {}):
        if key in TEXT_CONFIG:
            continue
        if key in ID_CONFIG:
            row.setdefault(key, value)
            continue
        row[key] = _scalar(value)
        params.append(key)
    row.setdefault("variant", row.get("scenario"))
    status = row.get("status")
    if status not in ("completed", "failed"):
        row["status"] = INCOMPLETE
    if row["status"] == "completed":
        summary, sproblem = read_json_problem(folder / "summary.json")
        if summary is None:
            problem = sproblem or "missing summary.json"
        else:
            for key, value in summary.items():
                column = key if key not in row else f"outcome.{key}"
                row[column] = _scalar(value)
                outcomes.append(column)
            files = meta.get("files")
            written = [str(f) for f in files] if isinstance(files, list) else None
            problem = damaged_table(folder, written) if check_tables else None
        if problem:
            row["status"], row["error"] = UNREADABLE, problem
    return _Run(folder, name, row, outcomes, params, problem)


# ------------------------------------------------------------------ column types


def _kind(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "str"


def _arrow_type(kinds: set[str]) -> pa.DataType:
    if not kinds:
        return pa.float64()
    if "str" in kinds:
        return pa.string()
    if kinds == {"bool"}:
        return pa.bool_()
    if "float" in kinds:
        return pa.float64()
    return pa.int64()


def _convert(value: Any, dtype: pa.DataType) -> Any:
    if value is None:
        return None
    if pa.types.is_string(dtype):
        return value if isinstance(value, str) else json.dumps(value)
    if pa.types.is_floating(dtype):
        return float(value)
    if pa.types.is_integer(dtype):
        return int(value)
    return value


# ------------------------------------------------------------------ writing


def _ts_table(run: _Run, schema: pa.Schema) -> pa.Table | str:
    """The run's timeseries in the sweep's schema, or why it could not be read."""
    path = run.folder / "timeseries.parquet"
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        return f"unreadable timeseries.parquet ({_first_sentence(exc)})"
    n = table.num_rows
    columns = []
    for f in schema:
        if f.name in ID_COLUMNS:
            value = _convert(run.row.get(f.name), f.type)
            columns.append(pa.array([value] * n, type=f.type))
        elif f.name in table.column_names:
            columns.append(table.column(f.name).cast(f.type))
        else:
            columns.append(pa.nulls(n, type=f.type))
    return pa.Table.from_arrays(columns, schema=schema)


@dataclass
class AggregateReport:
    """What `aggregate` wrote and what it found wrong."""

    root: Path
    runs_path: Path
    timeseries_path: Path
    n_runs: int
    status_counts: dict[str, int]
    problems: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)
    """Runs left out because a file of theirs could not be read: {run: what}."""


def aggregate(root: str | Path, *, run_chunk: int = RUN_CHUNK) -> AggregateReport:
    """Write runs.parquet and timeseries.parquet for the sweep in `root`; see module doc."""
    root = Path(root)
    folders = run_folders(root)
    kinds: dict[str, set[str]] = {}
    unreadable: dict[str, str] = {}
    outcomes: dict[str, None] = {}
    params: dict[str, None] = {}
    ts_schema: pa.Schema | None = None
    counts: dict[str, int] = {}
    for folder in folders:  # pass 1: columns, types, schemas
        run = read_run(folder, root)
        for k, v in run.row.items():
            kind = _kind(v)
            kinds.setdefault(k, set()).update([kind] if kind else [])
        outcomes.update(dict.fromkeys(run.outcomes))
        params.update(dict.fromkeys(run.parameters))
        if run.problem and run.row["status"] == UNREADABLE:
            unreadable[run.name] = run.problem
        if run.completed and (folder / "timeseries.parquet").is_file():
            schema = pq.read_schema(folder / "timeseries.parquet").remove_metadata()
            if ts_schema is None:
                ts_schema = schema
            elif not schema.equals(ts_schema):
                ts_schema = pa.unify_schemas([ts_schema, schema], promote_options="permissive")
    kinds.setdefault("error", {"str"})  # a run found unreadable in pass 2 says why
    lead = [c for c in LEAD if c in kinds]
    rest = [c for c in kinds if c not in lead and c not in params and c not in outcomes]
    order = [*lead, *rest, *params, *outcomes]
    meta = {
        SCHEMA_KEY: json.dumps({"outcomes": list(outcomes), "parameters": list(params)}).encode()
    }
    run_schema = pa.schema([pa.field(c, _arrow_type(kinds[c])) for c in order], metadata=meta)
    full_ts: pa.Schema | None = None
    if ts_schema is not None:
        ids = [pa.field(k, t) for k, t in ID_COLUMNS.items()]
        data = [f for f in ts_schema if f.name not in ID_COLUMNS]
        full_ts = pa.schema([*ids, *data], metadata=meta)

    def write(runs_tmp: Path, ts_tmp: Path) -> None:  # pass 2: stream rows out
        rw = pq.ParquetWriter(runs_tmp, run_schema)
        tw = pq.ParquetWriter(ts_tmp, full_ts) if full_ts is not None else None
        rows: list[dict[str, Any]] = []
        buffer: list[pa.Table] = []
        buffered = 0
        try:
            for folder in folders:
                run = read_run(folder, root, check_tables=False)
                if run.name in unreadable:  # pass 1 found a damaged table
                    run.row["status"], run.row["error"] = UNREADABLE, unreadable[run.name]
                has_ts = (run.folder / TIMESERIES).is_file()  # another app's run may not
                if tw is not None and full_ts is not None and run.completed and has_ts:
                    table = _ts_table(run, full_ts)
                    if isinstance(table, str):  # its footer was fine, its data not
                        run.row["status"], run.row["error"] = UNREADABLE, table
                        unreadable[run.name] = table
                    else:
                        buffer.append(table)
                        buffered += table.num_rows
                    if buffered >= TS_BUFFER_ROWS:
                        tw.write_table(pa.concat_tables(buffer))
                        buffer, buffered = [], 0
                rows.append(run.row)
                status = str(run.row["status"])
                counts[status] = counts.get(status, 0) + 1
                if len(rows) >= run_chunk:
                    rw.write_table(_rows_table(rows, run_schema))
                    rows.clear()
            if rows:
                rw.write_table(_rows_table(rows, run_schema))
            if tw is not None and buffer:
                tw.write_table(pa.concat_tables(buffer))
        finally:
            rw.close()
            if tw is not None:
                tw.close()
        if tw is None:
            pq.write_table(
                pa.table({k: pa.array([], type=t) for k, t in ID_COLUMNS.items()}), ts_tmp
            )

    out = tables_dir(root)
    runs_path, ts_path = out / RUNS, out / TIMESERIES
    atomic_write(runs_path, lambda rp: atomic_write(ts_path, lambda tp: write(rp, tp)))
    problems = [
        f"run {name}: {why}; left out of every table and figure" for name, why in unreadable.items()
    ]
    return AggregateReport(
        root=root,
        runs_path=runs_path,
        timeseries_path=ts_path,
        n_runs=len(folders),
        status_counts=counts,
        problems=problems,
        outcomes=list(outcomes),
        unreadable=dict(unreadable),
    )


def _rows_table(rows: Sequence[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    arrays = [
        pa.array([_convert(r.get(f.name), f.type) for r in rows], type=f.type) for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


# ------------------------------------------------------------------ loading


@dataclass
class SweepTables:
    """A sweep's tables for a notebook: `runs` now, `timeseries` when first asked for."""

    root: Path
    runs: pd.DataFrame
    outcomes: list[str]
    parameters: list[str]
    _timeseries: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def timeseries(self) -> pd.DataFrame:
        if self._timeseries is None:
            self._timeseries = pd.read_parquet(tables_dir(self.root) / TIMESERIES)
        return self._timeseries

    @property
    def completed(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] == "completed"]

    @property
    def unreadable(self) -> pd.DataFrame:
        """Runs left out because a file of theirs could not be read (`run`, `error`)."""
        if "status" not in self.runs:
            return self.runs.iloc[:0]
        return self.runs[self.runs["status"] == UNREADABLE]


def _schema_lists(path: Path) -> tuple[list[str], list[str]]:
    raw = (pq.read_schema(path).metadata or {}).get(SCHEMA_KEY)
    if not raw:
        return [], []
    data = json.loads(raw)
    return list(data.get("outcomes", [])), list(data.get("parameters", []))


def stale(root: str | Path) -> bool:
    """Whether runs.parquet is missing or older than a file in a run folder.

    A sweep extended, resumed, edited or damaged after aggregation would otherwise be
    reported from the old table.
    """
    root = Path(root)
    path = tables_dir(root) / RUNS
    if not path.is_file():
        return True
    try:
        folders = run_folders(root)
    except AggregateError:
        return False  # tables without run folders (copied elsewhere): use them as they are
    built = path.stat().st_mtime_ns
    for folder in folders:
        for name in RUN_FILES:
            try:
                if (folder / name).stat().st_mtime_ns >= built:
                    return True
            except OSError:
                continue
    return False


def load(root: str | Path, *, refresh: bool = False) -> SweepTables:
    """A sweep folder's tables, aggregating first when they are missing or `stale` (or
    `refresh`)."""
    root = Path(root)
    path = tables_dir(root) / RUNS
    if refresh or stale(root):
        aggregate(root)
    try:
        runs = pd.read_parquet(path)
        outcomes, parameters = _schema_lists(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise AggregateError(
            f"{path} is unreadable ({exc}); rebuild it with: jiceng-report aggregate {root}"
        ) from None
    return SweepTables(root=root, runs=runs, outcomes=outcomes, parameters=parameters)


# ------------------------------------------------------------------ comparing
