"""The worker side of a jiceng sweep: run the runs one Hydra job was handed.

The sweeper groups runs that differ only in plain values (seed, a parameter) into one
Hydra job and writes their list to `runs.json` in the job's folder. The job composes its
config once; each run merges its own values on top (what Hydra's composition would give
for a value override, without paying for a composition per run), writes its own folder
named from its overrides, and is skipped when an identical run already completed there.
A run that raises leaves a failure record; the job carries on with the next run.
"""

# No `from __future__ import annotations`: Hydra's plugin scan executes this module before
# registering it in sys.modules, and dataclasses cannot resolve string annotations then.
import hashlib
import json
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

MANIFEST = "runs.json"
JOBS_DIR = Path(".jiceng") / "jobs"

Execute = Callable[[DictConfig, Sequence[str], Path, dict[str, Any]], None]
"""`execute(job_node, dotlist, folder, extra)`: run the job's config with this run's values
(`with_values(job_node, dotlist)`) and write its folder, meta.json last, holding `extra`.
Getting both lets a caller build the job's config once and change only, say, the seed."""


@dataclass
class PlannedRun:
    """One run of a sweep: where it goes and what distinguishes it."""

    name: str
    overrides: list[str]
    dotlist: list[str] = field(default_factory=list)
    variant: str = ""
    run_key: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "overrides": self.overrides,
            "dotlist": self.dotlist,
            "variant": self.variant,
            "run_key": self.run_key,
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "PlannedRun":
        return cls(
            name=str(d["name"]),
            overrides=list(d["overrides"]),
            dotlist=list(d.get("dotlist", [])),
            variant=str(d.get("variant", "")),
            run_key=str(d.get("run_key", "")),
            extra=dict(d.get("extra", {})),
        )


def task_node(cfg: DictConfig) -> DictConfig:
    """The job's config without the `hydra` node."""
    node = OmegaConf.masked_copy(cfg, [str(k) for k in cfg if k != "hydra"])
    assert isinstance(node, DictConfig)
    return node


def with_values(node: DictConfig, dotlist: Sequence[str]) -> DictConfig:
    """`node` with plain `key=value` overrides merged in (YAML-typed, as Hydra parses them)."""
    if not dotlist:
        return node
    merged = OmegaConf.merge(node, OmegaConf.from_dotlist(list(dotlist)))
    assert isinstance(merged, DictConfig)
    return merged


def run_key(node: DictConfig | str, dotlist: Sequence[str]) -> str:
    """Fingerprint of a run's inputs: the composed config and the values merged on top.

    Equal keys mean the same config (code changes aside: the git commit is in meta.json), so
    a completed run with the same key is skipped on resume and any other is run again.
    `node` may be given as its YAML text, computed once per job.
    """
    text = node if isinstance(node, str) else OmegaConf.to_yaml(node, resolve=False)
    return hashlib.sha256((text + "\n".join(dotlist)).encode()).hexdigest()[:16]


def write_manifest(job_dir: Path, runs: Sequence[PlannedRun]) -> None:
    from sim.files import write_text

    write_text(job_dir / MANIFEST, json.dumps([r.to_json() for r in runs], indent=1) + "\n")


def read_manifest(job_dir: Path) -> "list[PlannedRun] | None":
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
    from sim.io import intact, read_meta

    meta = read_meta(folder)
    return (
        meta is not None
        and meta.get("status") == "completed"
        and meta.get("run_key") == key
        and intact(folder, meta)
    )


def _write_hydra_files(folder: Path, node: DictConfig, run: PlannedRun) -> None:
    """Per-run `.hydra/config.yaml` and `overrides.yaml`, as a plain Hydra job would have."""
    from sim.files import write_text

    hydra_dir = folder / ".hydra"
    write_text(hydra_dir / "config.yaml", OmegaConf.to_yaml(node))
    write_text(hydra_dir / "overrides.yaml", OmegaConf.to_yaml(OmegaConf.create(run.overrides)))


def record_failure(folder: Path, error: BaseException, trace: str, extra: dict[str, Any]) -> None:
    from sim.io import write_failure

    write_failure(folder, error, trace, **extra)


def run_one(
    node: DictConfig,
    folder: Path,
    run: PlannedRun,
    execute: Execute,
    *,
    hydra_files: bool,
    node_yaml: str | None = None,
) -> str:
    """Run one planned run unless it is done; returns 'skipped', 'completed' or 'failed'."""
    from sim.files import remove_debris

    key = run_key(node if node_yaml is None else node_yaml, run.dotlist)
    if already_done(folder, key):
        return "skipped"
    remove_debris(folder)  # what a killed earlier attempt was writing
    remove_debris(folder / ".hydra")
    extra: dict[str, Any] = {
        "run_key": key,
        "overrides": run.overrides,
        "variant": run.variant,
        **run.extra,
    }
    run_node = node
    try:
        run_node = with_values(node, run.dotlist)
        if hydra_files:
            _write_hydra_files(folder, run_node, run)
        execute(node, run.dotlist, folder, extra)
    except Exception as exc:  # a failed run is recorded; the sweep goes on
        for name in ("scenario", "seed"):
            extra.setdefault(name, OmegaConf.select(run_node, name, default=None))
        record_failure(folder, exc, traceback.format_exc(), extra)
        return "failed"
    return "completed"


def run_job(cfg: DictConfig, job_dir: Path, execute: Execute) -> dict[str, int] | None:
    """Run every run listed in `job_dir`'s manifest; None if this is not a jiceng job."""
    runs = read_manifest(job_dir)
    if runs is None:
        return None
    sweep = sweep_dir_of(job_dir)
    node = task_node(cfg)
    text = OmegaConf.to_yaml(node, resolve=False)
    counts = {"completed": 0, "failed": 0, "skipped": 0}
    for run in runs:
        status = run_one(node, sweep / run.name, run, execute, hydra_files=True, node_yaml=text)
        counts[status] += 1
    return counts
