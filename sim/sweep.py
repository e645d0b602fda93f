"""Sweeps without Hydra: running runs, failure records, progress, the closing summary.

The Hydra side (`hydra_plugins.jiceng_sweeper`) only plans the runs and batches them into
jobs for a launcher; this module holds the rest: executing one run into its folder (or a
failure record), watching run folders fill up (runs done of the total, failures, ETA), and
finishing a sweep (aggregate, sensitivity indices, a one-screen summary and `sweep.json`,
the outcome the CLI turns into its exit code and `sim.sweep(...)` reads).
"""

from __future__ import annotations

import json
import logging
import math
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import IO, Any

from sim.files import read_json, remove_debris, write_json, write_text
from sim.io import COMPLETED, FAILED, intact, read_meta, write_failure

log = logging.getLogger(__name__)
SENSITIVITY_DIR = "sensitivity"
SUMMARY_OUTCOMES = ("resolution_rate", "grassroots_mediation_share", "petitions")


# ----------------------------------------------------------------- planned runs

MANIFEST = "runs.json"
JOBS_DIR = Path(".jiceng") / "jobs"


@dataclass
class PlannedRun:
    """One run of a sweep, as the sweeper planned it: where it goes, what distinguishes it,
    and the fingerprint of its config (`run_key`: equal keys, equal configs)."""

    name: str
    overrides: list[str]
    dotlist: list[str] = field(default_factory=list)
    variant: str = ""
    run_key: str = ""
    scenario: str | None = None
    seed: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> PlannedRun:
        return cls(**{f.name: d[f.name] for f in fields(cls) if f.name in d})


def write_manifest(job_dir: Path, runs: Sequence[PlannedRun]) -> None:
    """The runs one Hydra job is handed, as `runs.json` in its folder."""
    write_text(job_dir / MANIFEST, json.dumps([r.to_json() for r in runs], indent=1) + "\n")


def read_manifest(job_dir: Path) -> list[PlannedRun] | None:
    """The runs handed to the job in `job_dir`, or None for a plain Hydra job."""
    path = job_dir / MANIFEST
    if not path.is_file():
        return None
    return [PlannedRun.from_json(d) for d in json.loads(path.read_text())]


def sweep_dir_of(job_dir: Path) -> Path:
    """`<sweep>/.jiceng/jobs/<num>` -> `<sweep>`."""
    return job_dir.parents[len(JOBS_DIR.parts)]


def already_done(folder: Path, key: str) -> bool:
    """True when `folder` holds a completed run of exactly this config, whose files can
    all be read back (a damaged one is run again)."""
    meta = read_meta(folder)
    return (
        meta is not None
        and meta.get("status") == COMPLETED
        and meta.get("run_key") == key
        and intact(folder, meta)
    )


Execute = Callable[[PlannedRun, Path, dict[str, Any]], None]
"""`execute(run, folder, extra)`: build the run's config, run it and write its folder,
meta.json last holding `extra`. The app supplies it (`sim.cli` for jiceng's own runs)."""


def run_planned(folder: Path, run: PlannedRun, execute: Execute) -> str:
    """Run one planned run unless it is done; returns 'skipped', 'completed' or 'failed'.
    A run that raises leaves meta.json (status failed, the error) and traceback.txt."""
    if already_done(folder, run.run_key):
        return "skipped"
    remove_debris(folder)  # what a killed earlier attempt was writing
    remove_debris(folder / ".hydra")
    extra: dict[str, Any] = {
        "run_key": run.run_key,
        "overrides": run.overrides,
        "variant": run.variant,
        **run.extra,
    }
    try:
        execute(run, folder, extra)
    except Exception as exc:  # a failed run is recorded; the sweep goes on
        extra.setdefault("scenario", run.scenario)
        extra.setdefault("seed", run.seed)
        write_failure(folder, exc, traceback.format_exc(), **extra)
        return "failed"
    return COMPLETED


def run_job(job_dir: Path, execute: Execute) -> dict[str, int] | None:
    """Run every run of the manifest in `job_dir`, one after another; None if there is no
    manifest (a job of another sweeper)."""
    runs = read_manifest(job_dir)
    if runs is None:
        return None
    sweep = sweep_dir_of(job_dir)
    counts = {"completed": 0, "failed": 0, "skipped": 0}
    for run in runs:
        counts[run_planned(sweep / run.name, run, execute)] += 1
    return counts


# ------------------------------------------------------------------------ one run


def run_line(result: Any, folder: Path) -> str:
    """A finished run in one line: what ran, its main outcomes, how long, where it went."""
    s, cfg = result.summary, result.config
    return (
        f"{cfg.scenario} seed={cfg.seed}: {s['residents']:,} residents, "
        f"{s['disputes']:,} disputes, cumulative resolution rate {s['resolution_rate']:.3f}, "
        f"{result.wall_time:.1f} s -> {folder}"
    )


def execute_run(
    cfg: Any, folder: Path, extra: dict[str, Any] | None = None, *, progress: bool = False
) -> str:
    """Run a validated SimConfig and write its folder (meta.json last, holding `extra`),
    with the quick look when `output.plot` is on; returns the run's one-line summary."""
    from sim.io import Draw, write_run
    from sim.run import run

    draw: Draw | None = None
    if cfg.output.plot:
        from sim import quicklook

        draw = quicklook.draw
    t0 = time.perf_counter()
    result = run(cfg, progress=progress)
    wall = time.perf_counter() - t0
    write_run(result, folder, draw=draw, launcher_wall_s=wall, **(extra or {}))
    line = run_line(result, folder)
    log.info(line)
    return line


def remove_sweep_debris(sweep_dir: Path) -> list[Path]:
    """Temporary files killed writers left in a sweep's own folders (not its run folders,
    each cleaned when it runs again: a completed run has none, its meta.json came last)."""
    folders = [sweep_dir, sweep_dir / SENSITIVITY_DIR]
    jobs = sweep_dir / JOBS_DIR
    if jobs.is_dir():
        folders += [p for p in jobs.iterdir() if p.is_dir()]
    return [path for folder in folders for path in remove_debris(folder)]


def record_job_failure(sweep_dir: Path, names: Sequence[str], error: BaseException | None) -> None:
    """A job died outside any run (a worker crash): record its unfinished runs as failed."""
    err = error if isinstance(error, BaseException) else RuntimeError(str(error))
    trace = "".join(traceback.format_exception(err)) if error is not None else "job failed\n"
    for name in names:
        meta = read_meta(sweep_dir / name)
        if meta is None or meta.get("status") not in (COMPLETED, FAILED):
            write_failure(sweep_dir / name, err, trace, job_failed=True)


def save_sensitivity_spec(sweep_dir: Path, spec: dict[str, Any]) -> None:
    """spec.json, with the parameters' sampling order as a list: the file's keys are sorted,
    and a design regenerated with its columns in another order is another design."""
    order = list((spec.get("parameters") or {}).keys())
    write_json(sweep_dir / SENSITIVITY_DIR / "spec.json", {**spec, "order": order})


# ----------------------------------------------------------------------- progress


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """Watches the sweep's run folders and prints runs done of the total, failures, ETA.

    It reads the files runs write (meta.json), so it works the same for every launcher
    whose workers share the sweep folder.
    """

    def __init__(
        self,
        sweep_dir: Path,
        names: Sequence[str],
        *,
        total: int,
        skipped: int = 0,
        enabled: bool = True,
        stream: IO[str] | None = None,
        interval: float = 0.5,
    ) -> None:
        self.sweep_dir = Path(sweep_dir)
        self.pending = list(names)
        self.total, self.skipped = total, skipped
        self.completed = self.failed = 0
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.interval = max(interval, len(self.pending) / 5000)  # ~1 ms of stat per poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._t0 = time.perf_counter()
        self._last_len = 0
        self._last_print = -1.0
        self._last_decile = -1

    def poll(self) -> None:
        still = []
        for name in self.pending:
            meta = read_meta(self.sweep_dir / name)
            status = meta.get("status") if meta else None
            if status == COMPLETED:
                self.completed += 1
            elif status == FAILED:
                self.failed += 1
            else:
                still.append(name)
        self.pending = still

    def line(self) -> str:
        done = self.completed + self.failed
        elapsed = time.perf_counter() - self._t0
        left = len(self.pending)
        eta = f"ETA {_clock(elapsed / done * left)}" if done else "ETA --:--:--"
        rate = f"{done / elapsed:.2f} runs/s" if elapsed > 0 else ""
        return (
            f"[jiceng] {done + self.skipped}/{self.total} runs done "
            f"({self.skipped} already done), {self.failed} failed | {rate} | "
            f"{_clock(elapsed)} elapsed, {eta}"
        )

    def show(self, final: bool = False) -> None:
        if not self.enabled:
            return
        text = self.line()
        if self.stream.isatty():
            pad = " " * max(0, self._last_len - len(text))
            self.stream.write("\r" + text + pad + ("\n" if final else ""))
            self._last_len = len(text)
        else:  # a log file: one line per tenth of the sweep, and at most every 30 s
            done = self.total - len(self.pending)
            decile = done * 10 // max(self.total, 1)
            now = time.perf_counter()
            if final or decile > self._last_decile or now - self._last_print > 30:
                self.stream.write(text + "\n")
                self._last_decile, self._last_print = decile, now
        self.stream.flush()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.poll()
            self.show()

    def start(self) -> None:
        self._t0 = time.perf_counter()
        self.show()
        self._thread = threading.Thread(target=self._loop, name="jiceng-progress", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.poll()
        self.show(final=True)


# ------------------------------------------------------------------------ outcome


@dataclass
class SweepOutcome:
    """What a sweep did; `failed` decides the CLI's exit code."""

    sweep_dir: Path
    total: int
    completed: int
    skipped: int
    failed: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    jobs: int = 0
    wall_time: float = 0.0
    tables: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.missing


OUTCOME_FILE = "sweep.json"


def write_outcome(outcome: SweepOutcome) -> None:
    """`sweep.json`: what the sweep did, with the code's versions (what callers read)."""
    from sim.io import git_commit, versions

    o = outcome
    write_json(
        o.sweep_dir / OUTCOME_FILE,
        {
            "total": o.total,
            "completed": o.completed,
            "skipped": o.skipped,
            "failed": [{"run": n, "error": e} for n, e in o.failed],
            "missing": o.missing,
            "jobs": o.jobs,
            "wall_time_s": o.wall_time,
            "tables": {k: str(v) for k, v in o.tables.items()},
            "notes": o.notes,
            "git_commit": git_commit(),
            "versions": dict(versions()),
        },
    )


def read_outcome(sweep_dir: Path, *, since_ns: int = 0) -> SweepOutcome | None:
    """The outcome a sweep wrote to `sweep_dir`, or None when there is none written at or
    after `since_ns` (`time.time_ns()`; an older sweep.json is an earlier invocation's)."""
    path = Path(sweep_dir) / OUTCOME_FILE
    try:
        fresh = path.stat().st_mtime_ns >= since_ns
    except OSError:
        return None
    data = read_json(path) if fresh else None
    if data is None:
        return None
    return SweepOutcome(
        sweep_dir=Path(sweep_dir),
        total=int(data["total"]),
        completed=int(data["completed"]),
        skipped=int(data["skipped"]),
        failed=[(str(f["run"]), str(f["error"])) for f in data.get("failed", [])],
        missing=[str(m) for m in data.get("missing", [])],
        jobs=int(data.get("jobs", 0)),
        wall_time=float(data.get("wall_time_s", 0.0)),
        tables={str(k): Path(v) for k, v in data.get("tables", {}).items()},
        notes=[str(n) for n in data.get("notes", [])],
    )


def _statuses(
    sweep_dir: Path, planned: Sequence[str]
) -> tuple[int, list[tuple[str, str]], list[str]]:
    completed, failed, missing = 0, [], []
    for name in planned:
        meta = read_meta(sweep_dir / name)
        status = meta.get("status") if meta else None
        if status == COMPLETED:
            completed += 1
        elif status == FAILED and meta is not None:
            failed.append((name, str(meta.get("error", "?"))))
        else:
            missing.append(name)
    return completed, failed, missing


def finish_sweep(
    sweep_dir: Path,
    *,
    planned: Sequence[str],
    skipped: int,
    jobs: int,
    wall_time: float,
    aggregate: bool = True,
    stream: IO[str] | None = None,
) -> SweepOutcome:
    """Aggregate, analyse sensitivity if declared, print the summary, return the outcome."""
    completed, failed, missing = _statuses(sweep_dir, planned)
    outcome = SweepOutcome(
        sweep_dir=sweep_dir,
        total=len(planned),
        completed=completed,
        skipped=skipped,
        failed=failed,
        missing=missing,
        jobs=jobs,
        wall_time=wall_time,
    )
    summary_rows: list[str] = []
    if aggregate:
        from sim.report.aggregate import AggregateError
        from sim.report.aggregate import aggregate as build
        from sim.report.sensitivity import sensitivity_report

        try:
            report = build(sweep_dir)
            outcome.tables = {"runs": report.runs_path, "timeseries": report.timeseries_path}
            outcome.notes += report.problems
            summary_rows = overview(report, SUMMARY_OUTCOMES, planned=planned)
            if (sweep_dir / SENSITIVITY_DIR / "spec.json").is_file():
                paths, notes = sensitivity_report(sweep_dir)
                outcome.notes += notes
                if paths:
                    outcome.tables["sensitivity"] = paths["csv"]
        except (AggregateError, ValueError) as exc:  # the runs stay; the report can redo this
            outcome.notes.append(f"aggregation: {exc}; retry with: jiceng-report aggregate DIR")
    text = summary_text(outcome, summary_rows)
    write_text(sweep_dir / "summary.txt", text)
    (stream or sys.stdout).write(text)
    (stream or sys.stdout).flush()
    write_outcome(outcome)
    return outcome


def overview(
    report: Any, outcomes: Sequence[str], planned: Sequence[str] | None = None
) -> list[str]:
    """A few lines: mean and 95% CI per variant of the main outcomes (an `AggregateReport`'s
    runs.parquet), for the sweep's closing summary."""
    import pandas as pd

    from sim.report.stats import summarise

    wanted = [o for o in outcomes if o in report.outcomes]
    columns = ["run", "variant", "status", *wanted]
    runs = pd.read_parquet(report.runs_path, columns=columns)
    if planned is not None:
        runs = runs[runs["run"].isin(set(planned))]
    done = runs[runs["status"] == "completed"]
    if done.empty or not wanted:
        return []
    table = summarise(done, wanted, by="variant")
    lines = [f"  outcome means by variant (95% CI), {len(done)} completed runs:"]
    variants = list(dict.fromkeys(done["variant"].astype(str)))
    width = max(7, min(40, max(len(v) for v in variants)))
    cols = [max(18, len(o)) for o in wanted]
    head = "  ".join(o.rjust(c) for o, c in zip(wanted, cols, strict=True))
    lines.append("    " + "variant".ljust(width) + "    n  " + head)
    for v in variants[:12]:
        cells = []
        for o, c in zip(wanted, cols, strict=True):
            r = table[(table["variant"].astype(str) == v) & (table["outcome"] == o)]
            if r.empty:
                cells.append("".rjust(c))
                continue
            mean, lo, hi = (float(r.iloc[0][k]) for k in ("mean", "t_ci_low", "t_ci_high"))
            half = (hi - lo) / 2 if math.isfinite(hi - lo) else float("nan")
            cells.append(f"{mean:.4g} ± {half:.2g}".rjust(c))
        n = int((done["variant"].astype(str) == v).sum())
        lines.append(f"    {v[:width].ljust(width)} {n:4d}  " + "  ".join(cells))
    if len(variants) > 12:
        lines.append(f"    ... {len(variants) - 12} more variants in runs.parquet")
    return lines


def summary_text(outcome: SweepOutcome, rows: Sequence[str] = (), max_failures: int = 8) -> str:
    """The one-screen summary a sweep ends with."""
    o = outcome
    ran = o.completed - o.skipped
    lines = [
        "",
        f"jiceng sweep: {o.sweep_dir}",
        f"  runs: {o.total} planned, {o.completed} completed ({o.skipped} already done, "
        f"{max(ran, 0)} run now in {o.jobs} jobs), {len(o.failed)} failed"
        + (f", {len(o.missing)} missing" if o.missing else ""),
        f"  wall time: {o.wall_time:.1f} s",
    ]
    if rows:
        lines += ["", *rows]
    if o.failed:
        lines += ["", f"  FAILED runs ({len(o.failed)}); traceback.txt in each folder:"]
        lines += [f"    {name}: {err}"[:160] for name, err in o.failed[:max_failures]]
        if len(o.failed) > max_failures:
            lines.append(f"    ... and {len(o.failed) - max_failures} more (see sweep.json)")
    if o.missing:
        lines += ["", f"  MISSING runs ({len(o.missing)}): no result was written, e.g."]
        lines += [f"    {name}" for name in o.missing[:3]]
    for note in o.notes[:5]:
        lines.append(f"  note: {note}")
    if o.tables:
        lines += ["", "  tables: " + ", ".join(str(p) for p in o.tables.values())]
    if o.ok:
        lines.append(f"  next: jiceng-report compare {o.sweep_dir} --reference <variant>")
    else:
        lines.append("  re-run the same command to retry the failed and missing runs only")
    return "\n".join(lines) + "\n"
