"""A sweep as the report reads it: its tables, what varied, its reforms, its disputes.

`load_sweep(DIR)` aggregates first when the tables are missing or older than the run
folders; only completed runs are drawn, and the others are kept to be named in captions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.report.aggregate import RUNS, AggregateError, SweepTables, load, read_run
from sim.report.sensitivity import sensitivity_report


class ReportError(AggregateError):
    """A folder or option the report cannot use; the message is one line naming the fix."""


@dataclass
class Sweep:
    """A sweep's tables split into the completed runs drawn and the runs left out."""

    root: Path
    tables: SweepTables
    single_run: bool

    @property
    def runs(self) -> pd.DataFrame:
        return self.tables.runs

    @property
    def done(self) -> pd.DataFrame:
        return self.tables.completed

    @property
    def excluded(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] != "completed"]

    @property
    def unreadable(self) -> pd.DataFrame:
        """Runs left out because a file of theirs could not be read."""
        return self.tables.unreadable

    @property
    def timeseries(self) -> pd.DataFrame:
        ts = self.tables.timeseries
        return ts[ts["run"].isin(set(self.done["run"]))] if "run" in ts else ts

    def folder(self, run: str) -> Path:
        """The folder of a run named in runs.parquet (the root itself for a single run)."""
        return self.root if self.single_run else self.root / run


def _single_run_tables(root: Path) -> SweepTables:
    """Tables of one run folder built in memory, so the run's own files stay untouched."""
    run = read_run(root, root)
    runs = pd.DataFrame([run.row])
    ts = pd.DataFrame({"run": [], "variant": [], "scenario": [], "seed": [], "step": []})
    if run.completed and (root / "timeseries.parquet").is_file():
        ts = pd.read_parquet(root / "timeseries.parquet")
        ids = {k: run.row.get(k) for k in ("run", "variant", "scenario", "seed")}
        ts = ts.drop(columns=[c for c in ids if c in ts.columns])
        for position, (key, value) in enumerate(ids.items()):
            ts.insert(position, key, value)
    return SweepTables(
        root=root,
        runs=runs,
        outcomes=run.outcomes,
        parameters=run.parameters,
        _timeseries=ts,
    )


def describe_status(runs: pd.DataFrame) -> str:
    counts = runs["status"].value_counts()
    return ", ".join(f"{n} {status}" for status, n in counts.items())


def load_sweep(path: str | Path) -> Sweep:
    """A run or sweep folder ready to report: aggregated, with at least one completed run."""
    root = Path(path)
    if not root.is_dir():
        raise ReportError(f"{root} is not a folder; pass a sweep folder or a run folder")
    single = (root / "meta.json").exists()
    if single:
        tables = _single_run_tables(root)
    else:
        try:
            tables = load(root)  # aggregated again when older than a run file
        except AggregateError as exc:
            if "unreadable" not in str(exc):
                raise
            tables = load(root, refresh=True)  # a corrupt runs.parquet is derived data
    sweep = Sweep(root=root, tables=tables, single_run=single)
    if "status" not in sweep.runs:
        raise ReportError(
            f"{root / RUNS} has no status column; rebuild it with jiceng-report aggregate {root}"
        )
    if sweep.done.empty:
        raise ReportError(
            f"no completed runs in {root} ({describe_status(sweep.runs)}{_first_error(sweep)}); "
            "fix the cause (see the runs' traceback.txt) and rerun the sweep"
        )
    return sweep


def _first_error(sweep: Sweep) -> str:
    """`; first: RUN: ERROR` from the runs table, to say what went wrong in one line."""
    if "error" not in sweep.runs:
        return ""
    errors = sweep.runs.dropna(subset=["error"])
    if errors.empty:
        return ""
    run, error = errors.iloc[0][["run", "error"]]
    return f"; first: {run}: {str(error).splitlines()[0] if str(error) else 'error'}"


def grid_parameters(sweep: Sweep) -> list[str]:
    """Numeric parameters that vary between runs of the same scenario (the swept ones).

    Parameters that differ only between scenarios are scenario definitions, not a grid.
    """
    done = sweep.done
    out = []
    for p in sweep.tables.parameters:
        if p not in done or p == "seed":
            continue
        column = done[p]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        if done.groupby("scenario")[p].nunique(dropna=True).max() > 1:
            out.append(p)
    return out


def is_sensitivity(sweep: Sweep) -> bool:
    return (sweep.root / "sensitivity" / "spec.json").is_file()


def reforms_of(runs: pd.DataFrame) -> list[tuple[int, str, list[str]]]:
    """(step, label, scenarios) of every timeline reform among the runs, by step."""
    if "timeline" not in runs:
        return []
    found: dict[tuple[int, str], list[str]] = {}
    for scenario, text in runs[["scenario", "timeline"]].drop_duplicates().itertuples(index=False):
        try:
            timeline = json.loads(text) if isinstance(text, str) else []
        except ValueError:
            continue
        for reform in timeline if isinstance(timeline, list) else []:
            if isinstance(reform, dict) and "step" in reform:
                key = (int(reform["step"]), str(reform.get("label", "")))
                found.setdefault(key, []).append(str(scenario))
    return [(s, label, sorted(set(names))) for (s, label), names in sorted(found.items())]


def short_reform_labels(labels: Sequence[str]) -> list[str]:
    """Marker text: each label's first word (e.g. its year) when unique and short, else R1...

    Full labels do not fit above a column-wide axis once reforms are a year apart; the
    caption spells them out.
    """
    first = [label.split()[0] if label.split() else "" for label in labels]
    if all(0 < len(w) <= 6 for w in first) and len(set(first)) == len(first):
        return first
    return [f"R{i}" for i in range(1, len(labels) + 1)]


def read_disputes(
    sweep: Sweep, runs: pd.DataFrame, limit: int | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Resolved disputes of the given runs (scenario, outcome, time), streamed per run folder.

    Reads only the two columns needed. With ``limit``, keeps a seeded Bernoulli sample of
    about ``limit`` disputes per scenario, with the rate set from the runs' `resolved`
    counts, so memory stays bounded however large the sweep. The ECDF of the
    sample is unbiased. A run whose file is missing or unreadable is skipped and named in
    the returned list.
    """
    rate = sampling_rates(runs, limit)
    rng = np.random.default_rng(0)
    parts, skipped = [], []
    for run, scenario in runs[["run", "scenario"]].itertuples(index=False):
        path = sweep.folder(run) / "disputes.parquet"
        try:
            present = set(pq.read_schema(path).names)
            wanted = ["outcome", "time_to_resolution", "carried_over"]
            d = pd.read_parquet(path, columns=[c for c in wanted if c in present])
        except (OSError, ValueError):
            skipped.append(str(run))
            continue
        if "carried_over" in d:  # disputes from before week 0 (the burn-in) are not counted
            d = d[~d["carried_over"]]
        d = d[d["outcome"].astype(str) != "open"].dropna(subset=["time_to_resolution"])
        keep = rate.get(scenario, 1.0)
        if keep < 1.0:
            d = d[rng.random(len(d)) < keep]
        parts.append(
            pd.DataFrame(
                {
                    "scenario": scenario,
                    "outcome": d["outcome"].astype(str).to_numpy(),
                    "time_to_resolution": d["time_to_resolution"].to_numpy(dtype=float),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["scenario", "outcome", "time_to_resolution"]), skipped
    return pd.concat(parts, ignore_index=True), skipped


def sampling_rates(runs: pd.DataFrame, limit: int | None) -> dict[Any, float]:
    """Share of resolved disputes to keep per scenario so about ``limit`` remain (1 = all).

    Only resolved disputes have a resolution time, so `resolved` sets the rate.
    """
    if limit is None or "resolved" not in runs.columns:
        return {}
    totals = runs["resolved"].fillna(0).groupby(runs["scenario"]).sum()
    return {s: min(1.0, limit / total) if total > 0 else 1.0 for s, total in totals.items()}


def sensitivity_indices(sweep: Sweep) -> tuple[pd.DataFrame | None, str, list[str]]:
    """(indices, method, notes) of a sensitivity sweep, computing them when missing."""
    spec_path = sweep.root / "sensitivity" / "spec.json"
    if not spec_path.is_file():
        raise ReportError(
            f"{sweep.root} is not a sensitivity sweep (no sensitivity/spec.json); run one with "
            "jiceng experiment=mediation_capacity or experiment=policy_screening"
        )
    spec = json.loads(spec_path.read_text())
    method = str(spec.get("method", "sobol"))
    path = sweep.root / "sensitivity" / "indices.csv"
    notes: list[str] = []
    fresh = path.is_file() and path.stat().st_mtime_ns >= (sweep.root / RUNS).stat().st_mtime_ns
    if not fresh:
        try:
            paths, notes = sensitivity_report(sweep.root)
        except ValueError as exc:
            return None, method, [f"Sensitivity indices could not be computed: {exc}."]
        if not paths:
            return None, method, notes
    return pd.read_csv(path), method, notes
