"""Compose a validated SimConfig from a named scenario and dotted overrides, without Hydra.

This is the Python API's path (`GovernanceModel(scenario=..., **{"world.communities": 2})`).
The CLI composes the same YAML through Hydra; both end in `finish`, so range checks and
error messages are identical. Only this module and `sim.cli` touch OmegaConf.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import (
    ConfigAttributeError,
    ConfigKeyError,
    OmegaConfBaseException,
    ValidationError,
)

from sim.config import SimConfig, validate
from sim.params import ConfigError


def config_root() -> Path:
    """Folder holding config.yaml, scenario/ and experiment/.

    Installed from a wheel it is the package data `sim/conf`; in a source checkout or an
    editable install it is the repository's `conf/` (whose scenario/ and experiment/ link to
    the top-level scenarios/ and experiments/).
    """
    here = Path(__file__).resolve().parent
    for root in (here / "conf", here.parent / "conf"):
        if (root / "config.yaml").is_file():
            return root
    raise FileNotFoundError(f"jiceng's config folder is missing beside {here}; reinstall jiceng")


def scenario_dir() -> Path:
    return config_root() / "scenario"


def available_scenarios() -> list[str]:
    return sorted(p.stem for p in scenario_dir().glob("*.yaml"))


def unknown_scenario(name: str) -> ConfigError:
    names = available_scenarios()
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return ConfigError(f"unknown scenario '{name}'{hint}; choose one of: {', '.join(names)}")


def scenario_node(name: str, _seen: tuple[str, ...] = ()) -> DictConfig:
    """A scenario's YAML with its `defaults` (other scenarios it extends) merged in."""
    path = scenario_dir() / f"{name}.yaml"
    if not path.is_file():
        raise unknown_scenario(name)
    if name in _seen:
        raise ConfigError(f"scenario '{name}' extends itself via {' -> '.join(_seen)}")
    node = OmegaConf.load(path)
    assert isinstance(node, DictConfig)
    defaults = list(node.pop("defaults", []) or [])
    if "_self_" not in defaults:
        defaults.append("_self_")
    merged: DictConfig = OmegaConf.create()
    for entry in defaults:
        part = node if entry == "_self_" else scenario_node(str(entry), (*_seen, name))
        merged = OmegaConf.merge(merged, part)  # type: ignore[assignment]
    return merged


def describe_error(exc: OmegaConfBaseException) -> ConfigError:
    """One line naming the key and the fix, from an OmegaConf error."""
    key = getattr(exc, "full_key", None) or getattr(exc, "key", None) or "?"
    if isinstance(exc, (ConfigKeyError, ConfigAttributeError)):
        parent, _, leaf = str(key).rpartition(".")
        leaf = str(leaf)
        schema = OmegaConf.structured(SimConfig)
        node = OmegaConf.select(schema, parent) if parent else schema
        options = sorted(str(k) for k in node) if isinstance(node, DictConfig) else []
        close = difflib.get_close_matches(leaf, options, n=1)
        hint = f"did you mean '{(parent + '.') if parent else ''}{close[0]}'? " if close else ""
        return ConfigError(
            f"unknown key '{key}': {hint}valid keys{(' under ' + parent) if parent else ''}: "
            f"{', '.join(options)}"
        )
    msg = str(exc).splitlines()[0]
    if isinstance(exc, ValidationError):
        return ConfigError(f"bad value for '{key}': {msg}")
    return ConfigError(f"config problem at '{key}': {msg}")


def finish(node: DictConfig) -> SimConfig:
    """Validate a composed node against the schema and build the dataclasses."""
    try:
        merged = OmegaConf.merge(OmegaConf.structured(SimConfig), node)
        cfg = OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        raise describe_error(exc) from None
    assert isinstance(cfg, SimConfig)
    return validate(cfg)


def load_config(
    scenario: str = "chengdu_2014", overrides: Mapping[str, Any] | None = None
) -> SimConfig:
    """Scenario YAML + dotted overrides ({'world.communities': 2}) -> validated SimConfig."""
    node = scenario_node(scenario)
    node.scenario = scenario
    schema = OmegaConf.structured(SimConfig)
    OmegaConf.set_struct(schema, True)
    try:
        merged = OmegaConf.merge(schema, node)
        for key, value in (overrides or {}).items():
            OmegaConf.update(merged, key, value, merge=True, force_add=False)
    except OmegaConfBaseException as exc:
        raise describe_error(exc) from None
    assert isinstance(merged, DictConfig)
    return finish(merged)
