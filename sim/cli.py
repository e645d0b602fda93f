"""`jiceng` / `python -m sim`: the Hydra app.

Before Hydra creates any folder, the whole invocation is composed and validated (every
value of every sweep, too), so a typo'd key, a bad value or an unknown scenario gives one
line naming the problem and the fix, exit code 2, and nothing is written. Only this module
and `sim.compose` import Hydra/OmegaConf.
"""

from __future__ import annotations

import copy
import difflib
import logging
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import hydra
from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException, MissingConfigException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim import capacity
from sim.compose import config_root, describe_error, finish, unknown_scenario
from sim.config import SimConfig, validate
from sim.params import ConfigError

ConfigStore.instance().store(name="jiceng_schema", node=SimConfig)
EXIT_USAGE, EXIT_FAILED = 2, 1


# ------------------------------------------------------------------ validation


def _split_argv(argv: Sequence[str]) -> tuple[list[str], bool]:
    """Overrides (key=value) and whether a multirun was asked for."""
    overrides = [a for a in argv if not a.startswith("-")]
    multirun = any(a in ("-m", "--multirun") for a in argv)
    return overrides, multirun


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, MissingConfigException):
        group = (exc.missing_cfg_file or "").rpartition("/")[0]
        name = (exc.missing_cfg_file or "").rpartition("/")[2]
        if group == "scenario":
            return str(unknown_scenario(name))
        close = difflib.get_close_matches(name, exc.options or [], n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        options = ", ".join(exc.options or [])
        return f"unknown {group or 'config'} '{name}'{hint}; choose one of: {options}"
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, OmegaConfBaseException):
        return str(describe_error(cause))
    if isinstance(exc, OmegaConfBaseException):
        return str(describe_error(exc))
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return first


def sweep_values(overrides: Sequence[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Split overrides into fixed ones and {key: [values]} for sweeps."""
    parsed = OverridesParser.create().parse_overrides(list(overrides))
    fixed: list[str] = []
    sweeps: dict[str, list[str]] = {}
    for o in parsed:
        if o.is_sweep_override():
            sweeps[o.get_key_element()] = list(o.sweep_string_iterator())
        else:
            fixed.append(o.input_line or f"{o.get_key_element()}={o.get_value_element_as_str()}")
    return fixed, sweeps


def _group_keys() -> set[str]:
    root = config_root()
    return {p.name for p in root.iterdir() if p.is_dir()} | {"hydra/launcher", "hydra/sweeper"}


def _compose(overrides: list[str], hydra_cfg: bool = False) -> DictConfig:
    with initialize_config_dir(config_dir=str(config_root()), version_base="1.3"):
        return compose("config", overrides=overrides, return_hydra_config=hydra_cfg)


def _strip_hydra(cfg: DictConfig) -> DictConfig:
    node = OmegaConf.masked_copy(cfg, [str(k) for k in cfg if k != "hydra"])
    assert isinstance(node, DictConfig)
    return node


def validate_invocation(overrides: Sequence[str]) -> Iterator[SimConfig]:
    """Compose and validate every run an invocation implies; yields their configs.

    Group choices (scenario=a,b) are composed once each; every value of every other sweep
    is checked against the first group choice, and the other choices with one value of
    each sweep (ranges do not depend on the scenario; checking the full product took
    seconds per hundred runs). So a bad value anywhere in a grid fails before anything runs.
    """
    fixed, sweeps = sweep_values(overrides)
    hydra_keys = {k for k in sweeps if k.lstrip("+~").startswith("hydra")}
    for key in hydra_keys:
        if "/" not in key:  # hydra/launcher=a,b is a sweep over launchers; hydra.x=a,b is not
            joined = ",".join(sweeps[key])
            raise ConfigError(
                f"'{key}' cannot be swept; to set it to the list itself, quote it: "
                f"'{key}=\"{joined}\"'"
            )
    groups = _group_keys()
    base = _compose(fixed, hydra_cfg=True)
    params = OmegaConf.select(base, "hydra.sweeper.params") or {}
    for key, value in dict(params).items():
        if key not in sweeps:
            sweeps.update(sweep_values([f"{key}={value}"])[1] or {key: [str(value)]})
    sweeps.update(_sensitivity_bounds(OmegaConf.select(base, "hydra.sweeper.sensitivity")))
    group_sweeps = {k: v for k, v in sweeps.items() if k in groups}
    value_sweeps = {k: v for k, v in sweeps.items() if k not in groups and k not in hydra_keys}
    combos: list[list[str]] = [[]]
    for key, values in group_sweeps.items():
        combos = [c + [f"{key}={v}"] for c in combos for v in values]
    for i, combo in enumerate(combos):
        cfg = _strip_hydra(_compose(fixed + combo)) if combo else _strip_hydra(base)
        yield finish(cfg)
        leaves = _leaf_keys(cfg)
        for key, values in value_sweeps.items():
            for value in values if i == 0 else values[:1]:
                probe = (
                    OmegaConf.merge(cfg, OmegaConf.from_dotlist([f"{key}={value}"]))
                    if key in leaves
                    else None
                )
                if probe is None:
                    _compose(fixed + combo + [f"{key}={value}"])  # raises the right error
                    continue
                assert isinstance(probe, DictConfig)
                yield finish(probe)


def _sensitivity_bounds(spec: Any) -> dict[str, list[str]]:
    """A declared sensitivity design, checked; its bounds join the values to validate."""
    if not spec:
        return {}
    from sim.report.sensitivity import Problem, sample

    where = "hydra.sweeper.sensitivity"
    try:
        params = OmegaConf.to_container(spec.parameters)
        assert isinstance(params, dict)
        problem = Problem.from_dict({str(k): v for k, v in params.items()})
        sample(problem, spec.get("method", "sobol"), int(spec.n), int(spec.get("seed", 0)))
    except (ValueError, TypeError, OmegaConfBaseException, AssertionError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"{where}: {first}") from None

    def text(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else repr(float(x))

    return {
        n: [text(lo), text(hi)] for n, (lo, hi) in zip(problem.names, problem.bounds, strict=True)
    }


def _leaf_keys(cfg: DictConfig) -> set[str]:
    out: set[str] = set()

    def walk(node: Any, prefix: str) -> None:
        for k in node:
            v = node[k]
            name = f"{prefix}{k}"
            if isinstance(v, DictConfig):
                walk(v, name + ".")
            else:
                out.add(name)

    walk(cfg, "")
    return out


# ------------------------------------------------------------------------- job


_JOB_CONFIG: list[tuple[DictConfig, SimConfig]] = []  # the current job's finished config


def _run_config(job_node: DictConfig, dotlist: Sequence[str]) -> SimConfig:
    """A run's validated config. Runs of one job that differ only in the seed (the common
    case) share one validation of the job's config: each takes a copy with its seed."""
    from hydra_plugins.jiceng_sweeper.jobs import with_values

    key, _, seed = dotlist[0].partition("=") if len(dotlist) == 1 else ("", "", "")
    if not (key == "seed" and seed.isdigit() and str(int(seed)) == seed):
        return finish(with_values(job_node, dotlist))
    if not _JOB_CONFIG or _JOB_CONFIG[0][0] is not job_node:
        _JOB_CONFIG[:] = [(job_node, finish(job_node))]
    cfg = copy.deepcopy(_JOB_CONFIG[0][1])
    cfg.seed = int(seed)
    return validate(cfg)


def _execute(
    job_node: DictConfig, dotlist: Sequence[str], folder: Path, extra: dict[str, Any]
) -> None:
    from sim.sweep import execute_run

    execute_run(_run_config(job_node, dotlist), folder, extra)


@hydra.main(version_base="1.3", config_path=str(config_root()), config_name="config")
def _app(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    if hc.mode == RunMode.MULTIRUN:
        _sweep_job(cfg, out)
        return
    from sim.io import write_run
    from sim.run import run

    sim_cfg = finish(_strip_hydra(cfg))
    t0 = time.perf_counter()
    result = run(sim_cfg, progress=sim_cfg.output.progress)
    write_run(result, out, plot=sim_cfg.output.plot, launcher_wall_s=time.perf_counter() - t0)
    s = result.summary
    print(
        f"{sim_cfg.scenario} seed={sim_cfg.seed}: {s['residents']:,} residents, "
        f"{s['disputes']:,} disputes, resolution rate {s['resolution_rate']:.3f}, "
        f"{result.wall_time:.1f} s -> {out}"
    )


def _sweep_job(cfg: DictConfig, out: Path) -> None:
    """A job of a multirun: the runs its manifest lists, or (another sweeper) one run.

    Either way a completed identical run is skipped and a failing run leaves a failure
    record instead of stopping the sweep.
    """
    from hydra_plugins.jiceng_sweeper.jobs import PlannedRun, run_job, run_one, task_node

    if run_job(cfg, out, _execute) is not None:
        return
    node = task_node(cfg)
    overrides = list(HydraConfig.get().overrides.task)
    plan = PlannedRun(name=out.name, overrides=overrides, variant=str(node.get("scenario")))
    run_one(node, out, plan, _execute, hydra_files=False)


def main(argv: Sequence[str] | None = None) -> int:
    from sim.sweep import last_outcome, set_last_outcome

    args = list(sys.argv[1:] if argv is None else argv)
    set_last_outcome(None)
    try:
        overrides, multirun = _split_argv(args)
        for cfg in validate_invocation(overrides):
            if not multirun:  # a sweep's jobs check where they run (GovernanceModel)
                capacity.check(cfg)
    except (ConfigError, HydraException, OmegaConfBaseException, ValueError) as exc:
        print(f"jiceng: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    sys.argv = [sys.argv[0], *args]
    try:
        _app()
    except SystemExit as exc:
        return int(exc.code or 0)
    except Exception:  # pragma: no cover - a bug, not a user error: keep the traceback
        traceback.print_exc()
        return EXIT_FAILED
    outcome = last_outcome()
    if outcome is not None and not outcome.ok:
        return EXIT_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
