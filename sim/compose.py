"""Compose a validated SimConfig from a named scenario and dotted overrides, without Hydra.

This is the Python API's path (`GovernanceModel(scenario=..., **{"world.communities": 2})`).
The CLI composes the same YAML through Hydra; both end in `finish`, so range checks and
error messages are identical. Only this module and `sim.cli` touch OmegaConf.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf, open_dict
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


SCENARIO_SUFFIXES = (".yaml", ".yml")


def is_scenario_file(name: str) -> bool:
    """Whether `scenario=name` names a file of the user's (a path) rather than a shipped one."""
    return name.endswith(SCENARIO_SUFFIXES) or "/" in name


def _read_yaml(path: Path) -> DictConfig:
    try:
        node = OmegaConf.load(path)
    except OSError as exc:
        raise ConfigError(f"cannot read scenario file {path}: {exc.strerror}") from None
    except Exception as exc:  # a YAML syntax error (yaml.MarkedYAMLError): say where
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
        raise ConfigError(
            f"scenario file {path} is not valid YAML: {problem}{where}; fix the file"
        ) from None
    if not isinstance(node, DictConfig):
        raise ConfigError(f"scenario file {path} must hold a mapping of parameters (key: value)")
    return node


@dataclass(frozen=True)
class ScenarioFile:
    """A scenario file of the user's: named by its file, extending others by its defaults.

    Its `defaults` list names shipped scenarios or other scenario files (paths relative to
    it), as the shipped ones do; `extends` holds those entries resolved to scenario names.
    """

    name: str
    path: Path
    node: DictConfig
    extends: tuple[str, ...]
    files: tuple[ScenarioFile, ...]  # the user files among `extends`, read


def scenario_file(path: str | Path, _seen: tuple[Path, ...] = ()) -> ScenarioFile:
    """Read and check a user's scenario file; raise ConfigError with one line naming the fix.

    Its name is its file name, which every record (meta.json, runs.parquet, figures) shows,
    so a file may not take a shipped scenario's name nor call itself something else.
    """
    file = Path(path).expanduser()
    if not file.is_file():
        hint = "" if file.suffix in SCENARIO_SUFFIXES else " (a scenario file ends in .yaml)"
        raise ConfigError(
            f"scenario file {path} not found{hint}; pass the path of a YAML file or one of: "
            + ", ".join(available_scenarios())
        )
    file = file.resolve()
    if file in _seen:
        chain = " -> ".join(p.name for p in (*_seen, file))
        raise ConfigError(f"scenario file {file} extends itself via {chain}")
    name = file.stem
    shipped = scenario_dir() / f"{name}.yaml"
    if shipped.is_file() and shipped.resolve() != file:
        raise ConfigError(
            f"scenario file {path} has the name of the shipped scenario '{name}'; rename the "
            "file (its name is the scenario's name in every record)"
        )
    node = _read_yaml(file)
    own = node.get("scenario", name)
    if own != name:
        raise ConfigError(
            f"scenario file {path} sets scenario: {own}, but a scenario is named by its file; "
            f"set scenario: {name} or remove that line"
        )
    node.scenario = name
    extends: list[str] = []
    files: list[ScenarioFile] = []
    for entry in list(node.pop("defaults", []) or []):
        if not isinstance(entry, str):
            raise ConfigError(
                f"scenario file {path}: defaults may list only scenarios (a name or a path), "
                f"not {entry!r}"
            )
        if entry == "_self_" or not is_scenario_file(entry):
            extends.append(entry)
            continue
        parent = scenario_file(file.parent / entry, (*_seen, file))
        files.append(parent)
        extends.append(parent.name)
    return ScenarioFile(name, file, node, tuple(extends), tuple(files))


def scenario_node(name: str, _seen: tuple[str, ...] = ()) -> DictConfig:
    """A scenario's YAML with its `defaults` (other scenarios it extends) merged in.

    `name` is a shipped scenario's name or the path of a user's scenario file.
    """
    if is_scenario_file(name):
        return _merged(scenario_file(name), _seen)
    path = scenario_dir() / f"{name}.yaml"
    if not path.is_file():
        raise unknown_scenario(name)
    if name in _seen:
        raise ConfigError(f"scenario '{name}' extends itself via {' -> '.join(_seen)}")
    node = OmegaConf.load(path)
    assert isinstance(node, DictConfig)
    defaults = list(node.pop("defaults", []) or [])
    return _merge_defaults(node, [str(d) for d in defaults], (*_seen, name), {})


def _merged(file: ScenarioFile, seen: tuple[str, ...]) -> DictConfig:
    by_name = {f.name: f for f in file.files}
    return _merge_defaults(file.node, list(file.extends), (*seen, file.name), by_name)


def _merge_defaults(
    node: DictConfig, defaults: list[str], seen: tuple[str, ...], files: dict[str, ScenarioFile]
) -> DictConfig:
    if "_self_" not in defaults:
        defaults.append("_self_")
    merged: DictConfig = OmegaConf.create()
    for entry in defaults:
        if entry == "_self_":
            part = node
        elif entry in files:
            part = _merged(files[entry], seen)
        else:
            part = scenario_node(entry, seen)
        merged = OmegaConf.merge(merged, part)  # type: ignore[assignment]
    return merged


def scenario_name(name: str) -> str:
    """The name records carry for `scenario=name`: a shipped name, or a file's stem."""
    return Path(name).stem if is_scenario_file(name) else name


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
        return ConfigError(f"bad value for '{key}': {msg}{_allowed(str(key))}")
    return ConfigError(f"config problem at '{key}': {msg}")


def _allowed(key: str) -> str:
    """`; allowed [low, high] (unit)` for a parameter of the schema, else ''."""
    from sim.params import iter_schema

    for name, _, meta in iter_schema(SimConfig):
        if name == key and meta is not None and (meta.low is not None or meta.high is not None):
            return f"; allowed {meta.range_text()} ({meta.unit})"
    return ""


DISPLAY = "display"
"""A scenario file's `display:` block (label, colour, marker, order): how reports draw the
scenario, read by `sim.report.scenarios` from the file itself and never part of SimConfig."""


def without_display(node: DictConfig) -> DictConfig:
    """`node` without its `display:` block, which the model's config does not hold."""
    if DISPLAY not in node:
        return node
    kept = OmegaConf.masked_copy(node, [str(k) for k in node if k != DISPLAY])
    assert isinstance(kept, DictConfig)
    return kept


def hydra_schema() -> DictConfig:
    """SimConfig as Hydra's schema, with room for a scenario's `display:` block."""
    schema = OmegaConf.structured(SimConfig)
    with open_dict(schema):
        schema[DISPLAY] = {}
    OmegaConf.set_struct(schema[DISPLAY], False)
    return schema


def finish(node: DictConfig) -> SimConfig:
    """Validate a composed node against the schema and build the dataclasses."""
    node = without_display(node)
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
    """Scenario YAML + dotted overrides ({'world.communities': 2}) -> validated SimConfig.

    `scenario` is a shipped scenario's name or the path of your own scenario file.
    """
    node = without_display(scenario_node(scenario))
    node.scenario = scenario_name(scenario)
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


# ------------------------------------------------------------------ sweeps


def task_node(cfg: DictConfig) -> DictConfig:
    """A Hydra job's config without the `hydra` node."""
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
