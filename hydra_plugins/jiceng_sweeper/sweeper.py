"""`hydra/sweeper=jiceng`: Hydra's grid sweep made resumable, batched and failure-tolerant.

The sweeper only plans and batches: it expands the grid once into planned runs, skips the
completed ones, groups the rest into Hydra jobs and hands them to the launcher. Running a
run, failure records, progress, aggregation and the closing summary are `sim.sweep`'s.
What it adds to Hydra's BasicSweeper:
- every run's folder is named from its own overrides (Hydra's `override_dirname` rule), and
  a run already completed there with the same config is skipped, so re-running an
  interrupted sweep finishes only the missing runs;
- runs that differ only in plain values (seeds, parameter values) are batched into one
  Hydra job (`runs_per_job`), which cuts the per-job cost (composition, process hand-off)
  that otherwise dominates short runs;
- a failing run leaves a failure record and the others go on; the sweep then aggregates
  its tables, prints a one-screen summary and its exit code says whether runs failed;
- `sensitivity:` replaces the grid of one axis by a SALib design (Morris or Sobol) and
  writes index tables with confidence intervals after the runs.
The launcher (joblib, submitit, Ray, ...) is whatever `hydra/launcher` says.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.utils import JobReturn, JobStatus
from hydra.plugins.launcher import Launcher
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf

from hydra_plugins.jiceng_sweeper import config as _config  # noqa: F401  (registers the config)
from sim.compose import run_key, task_node
from sim.sweep import JOBS_DIR, PlannedRun, already_done, write_manifest

log = logging.getLogger(__name__)
JOBS_PER_WORKER = 1
"""Jobs per worker with `runs_per_job=auto`: one, so a worker pays a job's composition and
hand-off once (measured on 2 cores: 109 runs/min with one job per worker, 57 with four;
README, "Sweeps at the speed of the model"); set runs_per_job lower for uneven runs."""
MAX_RUNS_PER_JOB = 64
SAMPLE_KEY = "sample"
NO_QUICKLOOK = "output.plot=false"
"""A sweep's runs draw no quick-look PNG unless `output.plot` is given on the command line
or in `hydra.sweeper.params` (a PNG costs about twice a one-community run); `jiceng-report
quicklook DIR` draws them afterwards, for the runs you want."""


def _bare(key: str) -> str:
    """`+experiment@pkg` -> `experiment` (Hydra's `key_or_group`)."""
    return key.lstrip("+~").split("@")[0]


def dirname(overrides: Sequence[str], exclude: Sequence[str], item_sep: str, kv_sep: str) -> str:
    """Hydra's `override_dirname` for a list of `key=value` strings."""
    lines = sorted(o for o in overrides if _bare(o.partition("=")[0]) not in exclude)
    return item_sep.join(lines).replace("=", kv_sep)


class JicengSweeper(Sweeper):
    def __init__(
        self,
        params: dict[str, str] | None = None,
        runs_per_job: int | str = "auto",
        max_batch_size: int | None = None,
        sensitivity: dict[str, Any] | None = None,
        aggregate: bool = True,
        progress: bool = True,
    ) -> None:
        self.params = dict(params or {})
        self.runs_per_job = runs_per_job
        self.max_batch_size = max_batch_size
        self.sensitivity = sensitivity
        self.aggregate = aggregate
        self.progress = progress
        self.hydra_context: HydraContext | None = None
        self.config: DictConfig | None = None
        self.launcher: Launcher | None = None

    def setup(
        self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
    ) -> None:
        from hydra.core.plugins import Plugins

        self.hydra_context = hydra_context
        self.config = config
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config
        )

    # ------------------------------------------------------------------ plan

    def _axes(self, arguments: list[str]) -> OrderedDict[str, list[str]]:
        """{key: ['key=v1', 'key=v2', ...]} from the params and the command line (it wins)."""
        assert self.hydra_context is not None
        lines = [f"{k}={v}" for k, v in self.params.items()] + list(arguments)
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        axes: OrderedDict[str, list[str]] = OrderedDict()
        for o in parser.parse_overrides(lines):
            key = o.get_key_element()
            if o.is_sweep_override():
                axes[key] = [f"{key}={v}" for v in o.sweep_string_iterator()]
            else:  # as typed, so the folder name is Hydra's (output.plot=false, not False)
                axes[key] = [o.input_line or f"{key}={o.get_value_element_as_str()}"]
            axes.move_to_end(key)
        return axes

    @staticmethod
    def _is_job_level(key: str, n_values: int, groups: set[str]) -> bool:
        """Group choices, prefixed and hydra keys are composed by Hydra; plain swept values
        are merged per run inside a job."""
        bare = _bare(key)
        return (
            n_values == 1
            or key != bare
            or bare.startswith("hydra")
            or bare in groups
            or "/" in bare
        )

    def _sample_axis(self, node: DictConfig) -> list[tuple[str, list[str], dict[str, Any]]]:
        """Sensitivity design rows as (`sample=i`, value overrides, extra meta)."""
        from sim.report.sensitivity import Problem, sample

        spec = self.sensitivity or {}
        problem = Problem.from_dict(dict(spec["parameters"]))
        design = sample(problem, spec.get("method", "sobol"), int(spec["n"]), int(spec["seed"]))
        rows = []
        for record in design.to_dict("records"):
            i = int(record.pop("sample_id"))
            values = []
            for name, value in record.items():
                current = OmegaConf.select(node, str(name), default=None)
                v = (
                    round(value)
                    if isinstance(current, int) and not isinstance(current, bool)
                    else value
                )
                values.append(f"{name}={v!r}")
            rows.append((f"{SAMPLE_KEY}={i}", values, {"sample_id": i}))
        return rows

    def plan(self, arguments: list[str]) -> list[tuple[list[str], list[PlannedRun]]]:
        """Every run of the sweep, grouped by the overrides Hydra must compose for them."""
        import itertools

        assert self.config is not None and self.hydra_context is not None
        axes = self._axes(arguments)
        dn = self.config.hydra.job.config.override_dirname
        exclude = [str(k) for k in dn.exclude_keys]
        groups_ = set(self.hydra_context.config_loader.list_groups(""))
        job_keys = [k for k, v in axes.items() if self._is_job_level(k, len(v), groups_)]
        run_keys = [k for k in axes if k not in job_keys]
        varying = {_bare(k) for k, v in axes.items() if len(v) > 1} - {"seed"}
        loader = self.hydra_context.config_loader
        plots = OmegaConf.select(self.config, "output.plot", default=None) is not None
        given = any(_bare(k) == "output.plot" for k in axes)
        defaults = [NO_QUICKLOOK] if plots and not given else []  # jiceng's app only
        groups: list[tuple[list[str], list[PlannedRun]]] = []
        for job_combo in itertools.product(*(axes[k] for k in job_keys)):
            job_overrides = list(job_combo)
            composed = [*defaults, *job_overrides]  # what Hydra composes; names leave it out
            node = task_node(loader.load_sweep_config(self.config, composed))
            node_yaml = OmegaConf.to_yaml(node, resolve=False)  # once per job, not per run
            samples = self._sample_axis(node) if self.sensitivity else [("", [], {})]
            scenario = node.get("scenario")
            runs = []
            for label, values, extra in samples:
                for run_combo in itertools.product(*(axes[k] for k in run_keys)):
                    named = [*job_overrides, *run_combo, *([label] if label else [])]
                    dotlist = [*values, *run_combo]
                    variant_parts = sorted(
                        o for o in named if _bare(o.partition("=")[0]) in varying | {SAMPLE_KEY}
                    )
                    variant = ",".join(
                        o.partition("=")[2] if _bare(o.partition("=")[0]) == "scenario" else o
                        for o in variant_parts
                    ) or str(node.get("scenario", ""))
                    runs.append(
                        PlannedRun(
                            name=dirname(named, exclude, dn.item_sep, dn.kv_sep) or "run",
                            overrides=[*job_overrides, *run_combo, *values],
                            dotlist=dotlist,
                            variant=variant,
                            run_key=run_key(node_yaml, dotlist),
                            scenario=None if scenario is None else str(scenario),
                            seed=_seed(dotlist, node),
                            extra=extra,
                        )
                    )
            groups.append((composed, runs))
        return groups

    def _workers(self) -> int:
        assert self.config is not None
        for key in ("n_jobs", "array_parallelism"):  # joblib's cores, SLURM's array width
            n = OmegaConf.select(self.config, f"hydra.launcher.{key}", default=None)
            if isinstance(n, int) and n > 0:
                return n
        return os.cpu_count() or 1

    def _per_job(self, pending: int) -> int:
        if self.runs_per_job != "auto":
            return max(1, int(self.runs_per_job))
        per = math.ceil(pending / (self._workers() * JOBS_PER_WORKER))
        return min(MAX_RUNS_PER_JOB, max(1, per))

    def jobs(
        self, groups: list[tuple[list[str], list[PlannedRun]]], sweep_dir: Path
    ) -> tuple[list[tuple[list[str], list[PlannedRun]]], list[PlannedRun]]:
        """Pending runs chunked into jobs, and the runs skipped as already completed."""
        skipped: list[PlannedRun] = []
        pending_groups = []
        for overrides, runs in groups:
            todo: list[PlannedRun] = []
            for r in runs:
                (skipped if already_done(sweep_dir / r.name, r.run_key) else todo).append(r)
            if todo:
                pending_groups.append((overrides, todo))
        per = self._per_job(sum(len(t) for _, t in pending_groups))
        jobs = []
        for overrides, todo in pending_groups:
            n_chunks = math.ceil(len(todo) / per)
            size = math.ceil(len(todo) / n_chunks)
            jobs += [(overrides, todo[i : i + size]) for i in range(0, len(todo), size)]
        return jobs, skipped

    def _batch_size(self) -> int | None:
        if self.max_batch_size:
            return int(self.max_batch_size)
        if type(self.launcher).__name__ == "LocalLauncher":  # submitit local starts all at once
            return os.cpu_count() or 1
        return None

    # ----------------------------------------------------------------- sweep

    def sweep(self, arguments: list[str]) -> Any:
        import importlib

        # the module, even where `sim.sweep` is re-exported as the function `sim.sweep(...)`
        sweep_api = importlib.import_module("sim.sweep")

        assert self.config is not None and self.launcher is not None
        t0 = time.perf_counter()
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        sweep_api.remove_sweep_debris(sweep_dir)  # left by a killed earlier invocation
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        groups = self.plan(arguments)
        if self.sensitivity:
            spec = OmegaConf.to_container(OmegaConf.create(self.sensitivity), resolve=True)
            assert isinstance(spec, dict)
            sweep_api.save_sensitivity_spec(sweep_dir, {str(k): v for k, v in spec.items()})
        planned = [r for _, runs in groups for r in runs]
        jobs, skipped = self.jobs(groups, sweep_dir)
        first = _first_free_job(sweep_dir)
        launch_list = []
        for i, (overrides, runs) in enumerate(jobs):
            rel = JOBS_DIR / f"{first + i:05d}"
            write_manifest(sweep_dir / rel, runs)
            launch_list.append([*overrides, f"hydra.sweep.subdir={rel.as_posix()}"])
        monitor = sweep_api.Progress(
            sweep_dir,
            [r.name for _, runs in jobs for r in runs],
            total=len(planned),
            skipped=len(skipped),
            enabled=self.progress,
        )
        returns: list[Sequence[JobReturn]] = []
        monitor.start()
        try:
            size = self._batch_size() or max(1, len(launch_list))
            for start in range(0, len(launch_list), size):
                batch = launch_list[start : start + size]
                batch_jobs = jobs[start : start + size]
                try:
                    results = self.launcher.launch(batch, initial_job_idx=first + start)
                except Exception as exc:  # the launcher itself broke (e.g. a killed worker)
                    log.error("launcher failed: %s", exc)
                    for _, runs in batch_jobs:
                        sweep_api.record_job_failure(sweep_dir, [r.name for r in runs], exc)
                    continue
                returns.append(results)
                for result, (_, runs) in zip(results, batch_jobs, strict=False):
                    if result.status == JobStatus.FAILED:
                        names = [r.name for r in runs]
                        sweep_api.record_job_failure(sweep_dir, names, result._return_value)
        finally:
            monitor.stop()
        sweep_api.finish_sweep(
            sweep_dir,
            planned=[r.name for r in planned],
            skipped=len(skipped),
            jobs=len(jobs),
            wall_time=time.perf_counter() - t0,
            aggregate=self.aggregate,
        )
        return returns


def _seed(dotlist: Sequence[str], node: DictConfig) -> int | None:
    """The run's seed, for its failure record should it fail before it has a config."""
    values = [v.partition("=")[2] for v in dotlist if v.partition("=")[0] == "seed"]
    text = values[-1] if values else str(node.get("seed", ""))
    return int(text) if text.isdigit() else None


def _first_free_job(sweep_dir: Path) -> int:
    """Job folders are numbered on from earlier invocations in the same sweep folder."""
    jobs = sweep_dir / JOBS_DIR
    if not jobs.is_dir():
        return 0
    nums = [int(p.name) for p in jobs.iterdir() if p.name.isdigit()]
    return max(nums, default=-1) + 1
