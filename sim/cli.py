"""`jiceng` / `python -m sim`: the Hydra app.

Before Hydra creates any folder, the whole invocation is composed and validated (every
value of every sweep, too), so a typo'd key, a bad value or an unknown scenario gives one
line naming the problem and the fix, exit code 2, and nothing is written. Only this module
and `sim.compose` import Hydra/OmegaConf.
"""

from __future__ import annotations

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
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.compose import config_root, describe_error, finish, unknown_scenario
from sim.config import SimConfig
from sim.params import ConfigError

log = logging.getLogger("jiceng")
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
        options = ", ".join(exc.options or [])
        return f"unknown {group or 'config'} '{name}'; choose one of: {options}"
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
    is checked against each composed group choice, so a bad value anywhere in a grid fails
    before anything runs.
    """
    fixed, sweeps = sweep_values(overrides)
    hydra_keys = {k for k in sweeps if k.startswith("hydra")}
    groups = _group_keys()
    base = _compose(fixed, hydra_cfg=True)
    params = OmegaConf.select(base, "hydra.sweeper.params") or {}
    for key, value in dict(params).items():
        if key not in sweeps:
            sweeps.update(sweep_values([f"{key}={value}"])[1] or {key: [str(value)]})
    group_sweeps = {k: v for k, v in sweeps.items() if k in groups}
    value_sweeps = {k: v for k, v in sweeps.items() if k not in groups and k not in hydra_keys}
    combos: list[list[str]] = [[]]
    for key, values in group_sweeps.items():
        combos = [c + [f"{key}={v}"] for c in combos for v in values]
    for combo in combos:
        cfg = _strip_hydra(_compose(fixed + combo)) if combo else _strip_hydra(base)
        yield finish(cfg)
        for key, values in value_sweeps.items():
            for value in values:
                probe = (
                    OmegaConf.merge(cfg, OmegaConf.from_dotlist([f"{key}={value}"]))
                    if key in _leaf_keys(cfg)
                    else None
                )
                if probe is None:
                    _compose(fixed + combo + [f"{key}={value}"])  # raises the right error
                    continue
                assert isinstance(probe, DictConfig)
                yield finish(probe)


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


@hydra.main(version_base="1.3", config_path=str(config_root()), config_name="config")
def _app(cfg: DictConfig) -> None:
    from sim.io import write_run
    from sim.run import run

    logging.getLogger("MESA").setLevel(logging.WARNING)
    sim_cfg = finish(_strip_hydra(cfg))
    out = Path(HydraConfig.get().runtime.output_dir)
    t0 = time.perf_counter()
    result = run(sim_cfg, progress=sim_cfg.output.progress)
    write_run(result, out, plot=sim_cfg.output.plot, launcher_wall_s=time.perf_counter() - t0)
    s = result.summary
    print(
        f"{sim_cfg.scenario} seed={sim_cfg.seed}: {s['residents']:,} residents, "
        f"{s['disputes']:,} disputes, resolution rate {s['resolution_rate']:.3f}, "
        f"{result.wall_time:.1f} s -> {out}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    overrides, _multirun = _split_argv(args)
    try:
        for _ in validate_invocation(overrides):
            pass
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
