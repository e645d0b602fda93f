"""`jiceng` / `python -m sim`: the Hydra app.

Before Hydra creates any folder, the whole invocation is composed and validated (every
value of every sweep, too, and the folder it will write), so a typo'd key, a bad value, an
unknown scenario or an unwritable output folder gives one line naming the problem and the
fix, exit code 2, and nothing is written. Hydra's own flags (`--cfg job`, `--info`,
`--help`, `-m`) may stand anywhere on the line, as in any Hydra app. Only this module and
`sim.compose` import Hydra/OmegaConf.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import difflib
import enum
import logging
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import hydra
from hydra import compose, initialize_config_dir
from hydra._internal.utils import get_args_parser
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import ConfigCompositionException, HydraException, MissingConfigException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim import capacity
from sim.compose import (
    ScenarioFile,
    config_root,
    describe_error,
    finish,
    hydra_schema,
    is_scenario_file,
    run_key,
    scenario_file,
    unknown_scenario,
    with_values,
)
from sim.config import SimConfig, validate
from sim.params import ConfigError

EXIT_USAGE, EXIT_FAILED = 2, 1
log = logging.getLogger(__name__)


# ------------------------------------------------------------------ help and logs


def _parameter_lines(obj: Any, prefix: str = "") -> list[str]:
    """`name=default  [low, high] unit: doc` for every parameter, under its group's doc."""
    leaves: list[str] = []
    groups: list[str] = []
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        name = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            doc = f.metadata.get("jiceng_group", "")
            groups += ["", f"{name}: {doc}" if doc else name, *_parameter_lines(value, name + ".")]
            continue
        meta = f.metadata.get("jiceng")
        shown = value.value if isinstance(value, enum.Enum) else value
        shown = str(shown).lower() if isinstance(shown, bool) else shown
        if meta is None:
            leaves.append(f"  {name}={shown}")
            continue
        unit = "" if meta.unit == "-" else meta.unit
        if isinstance(value, enum.Enum):
            unit = "one of " + "|".join(m.value for m in type(value))
        elif meta.low is not None or meta.high is not None:
            unit = f"{meta.range_text()} {unit}".strip()
        leaves.append(
            f"  {name}={shown}  {unit}: {meta.doc}" if unit else f"  {name}={shown}  {meta.doc}"
        )
    return leaves + groups


def help_template() -> str:
    """`jiceng --help`: how to call it, the config groups, every parameter from the schema."""
    body = "\n".join(_parameter_lines(SimConfig())).replace("$", "$$")  # string.Template
    return f"""jiceng: an agent-based simulator of urban grassroots governance (Chengdu 2008-2014)

Usage:
  jiceng [key=value ...]                  one run: a scenario, a seed, any parameter
  jiceng -m key=a,b seed=range(0,10)      a sweep: one run per combination
  jiceng experiment=NAME                  a shipped sweep (experiments/NAME.yaml)
  jiceng scenario=path/to/my.yaml         your own scenario file; it extends a shipped
                                          scenario through its defaults list
  jiceng --cfg job [key=value ...]        print the composed config (--resolve resolves it)

== Configuration groups (group=option) ==

$APP_CONFIG_GROUPS
== Parameters (key=default  [allowed range] unit: what it is) ==

{body}

== Flags ==

$FLAGS_HELP
Use --hydra-help for Hydra's own help. Parameters are documented with their sources in
docs/ODD.md.
"""


JOB_LOGGING = {
    "version": 1,
    "formatters": {
        "plain": {"format": "%(levelname)s: %(message)s"},
        "stamped": {"format": "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
            "level": "WARNING",
        },
        "file": {  # delay: no file until something is logged
            "class": "logging.FileHandler",
            "formatter": "stamped",
            "filename": "${hydra.runtime.output_dir}/${hydra.job.name}.log",
            "delay": True,
        },
    },
    "root": {"level": "INFO", "handlers": ["console", "file"]},
    "disable_existing_loggers": False,
}
"""The job's log: `cli.log` holds each run's one-line summary and any warning (warnings
also reach stderr); a job that logs nothing writes no file."""

_store = ConfigStore.instance()
_store.store(name="jiceng_schema", node=hydra_schema())
_store.store(
    group="hydra/help",
    name="jiceng",
    node={"app_name": "jiceng", "header": "", "footer": "", "template": help_template()},
)
_store.store(group="hydra/job_logging", name="jiceng", node=JOB_LOGGING)


# ------------------------------------------------------------------ the command line


def _parse_args(args: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """Hydra's own flags and the overrides, wherever the flags stand on the line.

    Returns the parsed namespace and the line re-ordered (flags first), which Hydra's
    parser reads whatever the order of `-m` and the overrides.
    """
    parser = get_args_parser()

    def fail(message: str) -> None:
        raise ConfigError(f"{message}; see jiceng --help")

    parser.error = fail  # type: ignore[method-assign,assignment]
    valued = {s: a for a in parser._actions for s in a.option_strings if a.nargs != 0}
    flags: list[str] = []
    overrides: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("-"):
            overrides.append(arg)
        else:
            flags.append(arg)
            action = valued.get(arg)
            following = args[i + 1] if i + 1 < len(args) else None
            if action is not None and following is not None and not following.startswith("-"):
                optional = action.nargs == "?"
                if not optional or following in (action.choices or ()):
                    flags.append(following)
                    i += 1
        i += 1
    ordered = [*flags, *overrides]
    return parser.parse_args(ordered), ordered


_SCENARIO_FILES: dict[str, Path] = {}


def _register(file: ScenarioFile) -> str:
    """Put a user's scenario file into Hydra's config group `scenario`, under its name.

    Hydra hands the ConfigStore to every launcher's workers, so a sweep's jobs find it too.
    """
    for parent in file.files:
        _register(parent)
    known = _SCENARIO_FILES.get(file.name)
    if known is not None and known != file.path:
        raise ConfigError(
            f"two scenario files are named '{file.name}' ({known} and {file.path}); "
            "rename one (a scenario is named by its file)"
        )
    defaults = list(file.extends)
    if "_self_" not in defaults:
        defaults.append("_self_")
    node = OmegaConf.merge(OmegaConf.create({"defaults": defaults}), file.node)
    _store.store(group="scenario", name=file.name, node=node, package="_global_")
    _SCENARIO_FILES[file.name] = file.path
    return file.name


def scenario_files(overrides: Sequence[str]) -> list[str]:
    """`scenario=path/to/my.yaml` (also in a sweep list) -> `scenario=my`, registered."""
    out: list[str] = []
    parser = OverridesParser.create()
    for line in overrides:
        key = line.partition("=")[0]
        if key != "scenario" or not any(is_scenario_file(v) for v in line.split("=", 1)[1:]):
            out.append(line)
            continue
        parsed = parser.parse_overrides([line])[0]
        if parsed.is_choice_sweep():
            values = list(parsed.sweep_string_iterator())
        else:
            values = [parsed.get_value_element_as_str()]
        names = [_register(scenario_file(v)) if is_scenario_file(v) else v for v in values]
        out.append(f"scenario={','.join(names)}")
    return out


# ------------------------------------------------------------------ validation


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
    outside = not str(getattr(cause, "full_key", "") or "").startswith("hydra")
    if isinstance(cause, OmegaConfBaseException) and outside:
        return str(describe_error(cause))  # a key or value of the schema: name the fix
    if isinstance(exc, ConfigCompositionException) and str(exc).startswith("Could not override"):
        what, _, fix = str(exc).partition("\n")
        return f"{what.rstrip('.')}: {fix.strip()[:1].lower()}{fix.strip()[1:]}"
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


def _sweep_lines(overrides: Sequence[str]) -> list[str]:
    parsed = OverridesParser.create().parse_overrides(list(overrides))
    return [o.input_line or o.get_key_element() for o in parsed if o.is_sweep_override()]


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


def _check_output_folder(base: DictConfig, multirun: bool) -> None:
    """The folder the invocation will write must be (or become) a writable folder."""
    from sim.io import unwritable_reason

    key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    try:
        folder = OmegaConf.select(base, key)
    except OmegaConfBaseException:  # an interpolation only Hydra's runtime can resolve
        return
    if folder is None:
        return
    reason = unwritable_reason(Path(str(folder)))
    if reason is not None:
        raise ConfigError(f"{key}={folder}: {reason}; set {key} to a folder you can write")


def validate_invocation(
    overrides: Sequence[str], *, multirun: bool | None = None, output: bool = False
) -> Iterator[SimConfig]:
    """Compose and validate every run an invocation implies; yields their configs.

    Group choices (scenario=a,b) are composed once each; every value of every other sweep
    is checked against the first group choice, and the other choices with one value of
    each sweep (ranges do not depend on the scenario; checking the full product took
    seconds per hundred runs). So a bad value anywhere in a grid fails before anything runs.
    With `multirun` given, a sweep on a single run's command line is refused; with
    `output`, so is an output folder that cannot be written.
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
    is_multirun = bool(multirun) or OmegaConf.select(base, "hydra.mode") == RunMode.MULTIRUN
    if multirun is not None and not is_multirun and sweeps:
        line = _sweep_lines(overrides)[0]
        raise ConfigError(
            f"'{line}' is a sweep (one run per value) but this is a single run; add -m to "
            f"sweep (jiceng -m {line} ...) or give one value"
        )
    if output:
        _check_output_folder(base, is_multirun)
    params = OmegaConf.select(base, "hydra.sweeper.params") or {}
    for key, value in dict(params).items():
        if key not in sweeps:
            sweeps.update(sweep_values([f"{key}={value}"])[1] or {key: [str(value)]})
    bounds = _sensitivity_bounds(OmegaConf.select(base, "hydra.sweeper.sensitivity"))
    group_sweeps = {k: v for k, v in sweeps.items() if k in groups}
    value_sweeps = {k: v for k, v in sweeps.items() if k not in groups and k not in hydra_keys}
    combos: list[list[str]] = [[]]
    for key, values in group_sweeps.items():
        combos = [c + [f"{key}={v}"] for c in combos for v in values]
    for i, combo in enumerate(combos):
        cfg = _strip_hydra(_compose(fixed + combo)) if combo else _strip_hydra(base)
        first = finish(cfg)
        yield first
        leaves = _leaf_keys(cfg)
        for key, values in value_sweeps.items():
            for value in values if i == 0 else values[:1]:
                if key == "seed" and value.isdigit():  # the common axis: no merge per seed
                    yield validate(dataclasses.replace(first, seed=int(value)))
                    continue
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
        # a design's bounds: all lows in one probe, all highs in another (one per key took
        # minutes for a design over ~90 parameters)
        for side in (0, 1) if i == 0 else (0,):
            known = [f"{k}={v[side]}" for k, v in bounds.items() if k in leaves]
            for key in (k for k in bounds if k not in leaves):
                _compose(fixed + combo + [f"{key}={bounds[key][side]}"])  # raises the right error
            if known:
                probe = OmegaConf.merge(cfg, OmegaConf.from_dotlist(known))
                assert isinstance(probe, DictConfig)
                yield finish(probe)


def _sensitivity_bounds(spec: Any) -> dict[str, list[str]]:
    """A declared sensitivity design, checked; its bounds join the values to validate."""
    if not spec:
        return {}
    from sim.params import iter_schema
    from sim.report.sensitivity import Problem, sample

    where = "hydra.sweeper.sensitivity"
    metas = {name: meta for name, _, meta in iter_schema(SimConfig) if meta is not None}
    try:
        params = OmegaConf.to_container(spec.parameters)
        assert isinstance(params, dict)
        for name, bound in params.items():
            meta = metas.get(str(name))
            values = bound if isinstance(bound, list) else []
            finite = all(isinstance(b, (int, float)) and abs(b) < float("inf") for b in values)
            if meta is not None and not finite:  # nan is not < inf either
                raise ValueError(
                    f"bounds for {str(name)!r} must be two finite numbers within its range "
                    f"{meta.range_text()} ({meta.unit}), got {bound!r}"
                )
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


_JOB: list[DictConfig] = []  # the job whose configs `_SHAPES` holds
_SHAPES: dict[tuple[str, ...], SimConfig] = {}


def _run_config(job_node: DictConfig, dotlist: Sequence[str]) -> SimConfig:
    """A run's validated config. The job's node merged with the run's values other than the
    seed (its shape) is validated once per job and shape; each run takes a copy of its
    shape with its own seed, which is what Hydra's composition would give."""
    seeds = [v for v in dotlist if v.partition("=")[0] == "seed"]
    seed = seeds[-1].partition("=")[2] if seeds else ""
    if not (seed.isdigit() and str(int(seed)) == seed):
        return finish(with_values(job_node, dotlist))
    if not _JOB or _JOB[0] is not job_node:
        _JOB[:] = [job_node]
        _SHAPES.clear()
    shape = tuple(v for v in dotlist if v.partition("=")[0] != "seed")
    if shape not in _SHAPES:
        _SHAPES[shape] = finish(with_values(job_node, shape))
    cfg = copy.deepcopy(_SHAPES[shape])
    cfg.seed = int(seed)
    return validate(cfg)


@hydra.main(version_base="1.3", config_path=str(config_root()), config_name="config")
def _app(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    logging.captureWarnings(True)  # warnings go to cli.log (and stderr)
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    if hc.mode == RunMode.MULTIRUN:
        _sweep_job(cfg, out)
        return
    from sim.sweep import execute_run

    sim_cfg = finish(_strip_hydra(cfg))
    print(execute_run(sim_cfg, out, progress=sim_cfg.output.progress))


def _sweep_job(cfg: DictConfig, out: Path) -> None:
    """A job of a multirun: the runs its manifest lists, or (another sweeper) one run.

    Either way a completed identical run is skipped and a failing run leaves a failure
    record instead of stopping the sweep (`sim.sweep.run_planned`).
    """
    from sim.sweep import PlannedRun, execute_run, run_job, run_planned

    node = _strip_hydra(cfg)

    def execute(run: PlannedRun, folder: Path, extra: dict[str, Any]) -> None:
        if folder != out:  # a run of a batch: its own .hydra, as a Hydra job has
            _write_hydra_files(folder, with_values(node, run.dotlist), run.overrides)
        execute_run(_run_config(node, run.dotlist), folder, extra)

    if run_job(out, execute) is not None:
        return
    overrides = list(HydraConfig.get().overrides.task)
    scenario = node.get("scenario")
    plan = PlannedRun(
        name=out.name,
        overrides=overrides,
        variant=str(scenario),
        run_key=run_key(node, []),
        scenario=None if scenario is None else str(scenario),
        seed=node.get("seed"),
    )
    run_planned(out, plan, execute)


def _write_hydra_files(folder: Path, node: DictConfig, overrides: Sequence[str]) -> None:
    """Per-run `.hydra/config.yaml` and `overrides.yaml`, as a plain Hydra job would have."""
    from sim.files import write_text

    hydra_dir = folder / ".hydra"
    write_text(hydra_dir / "config.yaml", OmegaConf.to_yaml(node))
    write_text(hydra_dir / "overrides.yaml", OmegaConf.to_yaml(OmegaConf.create(list(overrides))))


def _refuse_calibration(overrides: Sequence[str]) -> None:
    """`experiment=NAME` naming a calibration file (run by jiceng-calibrate, not Hydra)."""
    from sim.calibrate.spec import is_calibration_file

    for o in overrides:
        key, _, name = o.partition("=")
        path = config_root() / "experiment" / f"{name}.yaml"
        if key.lstrip("+") == "experiment" and name and is_calibration_file(path):
            raise ConfigError(
                f"experiments/{name}.yaml is a calibration, not a sweep; run it with: "
                f"jiceng-calibrate {name}"
            )


def sweep_folder(overrides: Sequence[str], multirun: bool = False) -> Path | None:
    """The folder a sweep invocation will write, resolved now (`${now:...}` included), or
    None for a single run or a folder only Hydra's runtime can resolve."""
    base = _compose(sweep_values(overrides)[0], hydra_cfg=True)
    if not (multirun or OmegaConf.select(base, "hydra.mode") == RunMode.MULTIRUN):
        return None
    try:
        folder = OmegaConf.select(base, "hydra.sweep.dir")
    except OmegaConfBaseException:
        return None
    return None if folder is None else Path(str(folder)).absolute()


def planned_sweep_folder(argv: Sequence[str]) -> Path | None:
    """Where `jiceng ARGV` will write its sweep (see `sweep_folder`); None for a single run."""
    ns, _ = _parse_args(list(argv))
    return sweep_folder(scenario_files(ns.overrides), bool(ns.multirun))


def _quoted(value: str) -> str:
    """A value for Hydra's override grammar, whatever characters it holds."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def main(argv: Sequence[str] | None = None) -> int:
    from sim.sweep import read_outcome

    args = list(sys.argv[1:] if argv is None else argv)
    _SCENARIO_FILES.clear()  # names must be unique within one invocation
    folder: Path | None = None
    try:
        ns, ordered = _parse_args(args)
        overrides = scenario_files(ns.overrides)
        _refuse_calibration(overrides)
        if not (ns.help or ns.hydra_help or ns.shell_completion):
            printing = bool(ns.cfg or ns.info)  # Hydra prints; nothing is run or written
            multirun = None if printing else ns.multirun
            folder = None if printing else sweep_folder(overrides, bool(ns.multirun))
            for cfg in validate_invocation(overrides, multirun=multirun, output=not printing):
                if not (printing or folder is not None):  # a sweep's jobs check where they run
                    capacity.check(cfg)
    except SystemExit as exc:  # --version
        return int(exc.code or 0)
    except (ConfigError, HydraException, OmegaConfBaseException, ValueError) as exc:
        print(f"jiceng: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    flags = ordered[: len(ordered) - len(ns.overrides)]
    if folder is not None:  # the folder resolved once, so the outcome is read from there
        kept = [o for o in overrides if o.partition("=")[0] != "hydra.sweep.dir"]
        overrides = [*kept, f"hydra.sweep.dir={_quoted(str(folder))}"]
    sys.argv = [sys.argv[0], *flags, *overrides]
    started = time.time_ns()
    try:
        _app()
    except SystemExit as exc:
        return int(exc.code or 0)
    except Exception:  # pragma: no cover - a bug, not a user error: keep the traceback
        traceback.print_exc()
        return EXIT_FAILED
    outcome = None if folder is None else read_outcome(folder, since_ns=started)
    if outcome is not None and not outcome.ok:
        return EXIT_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
