"""A calibration file (`experiments/NAME.yaml`, top-level key `calibration:`), read and checked.

Plain YAML, no Hydra: the file names the scenario and run settings, the free parameters
(dotted names from `sim.config.SimConfig`, each with a prior family and bounds), the targets
fitted and those held out, and the ABC-SMC settings. Everything is checked before anything
runs; a problem is one `ConfigError` line naming the key and the fix.

Only uncertainties may be free (a parameter whose role is `world` or `behaviour`,
`sim.params`): a lever is a policy choice, not something the data can tell us, and a control
says how a run is done. A prior must lie inside the schema's range for its parameter.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

import yaml

from sim.params import ConfigError, Meta, iter_params

SECTION = "calibration"
PRIORS = ("uniform", "loguniform")
SAMPLERS = ("single", "multicore")


@dataclass(frozen=True)
class Prior:
    """A bounded prior: `uniform` on [low, high] or `loguniform` (uniform in log)."""

    family: str
    low: float
    high: float

    def width(self) -> float:
        return self.high - self.low

    def density(self, x: Any) -> Any:
        """The prior density at x (numpy-friendly), for figures."""
        import numpy as np

        x = np.asarray(x, dtype=float)
        inside = (x >= self.low) & (x <= self.high)
        if self.family == "uniform":
            return np.where(inside, 1.0 / self.width(), 0.0)
        safe = np.where(x > 0, x, 1.0)
        return np.where(inside, 1.0 / (safe * math.log(self.high / self.low)), 0.0)


@dataclass(frozen=True)
class Synthetic:
    """Targets made by the model itself at `truth` (parameter recovery): each target's
    interval becomes the mean over `seeds` runs +- 2 standard errors of a particle's
    statistic (see `sim.calibrate.targets`)."""

    truth: dict[str, float]
    seeds: int


@dataclass(frozen=True)
class Spec:
    name: str
    scenario: str
    set: dict[str, Any]
    burn_in: int
    horizon: int
    seed: int
    seeds_per_particle: int
    population: int
    generations: int
    epsilon: str | tuple[float, ...]
    epsilon_multiplier: float
    minimum_epsilon: float
    min_acceptance_rate: float
    transition: str
    transition_scaling: float
    sampler: str
    workers: int
    predictive_draws: int
    parameters: dict[str, Prior]
    fit: tuple[str, ...]
    validate: tuple[str, ...]
    uncertainty: dict[str, dict[str, float]]
    synthetic: Synthetic | None = None
    description: str = ""
    calibrated_name: str = ""
    source: str = field(default="", compare=False)

    @property
    def targets(self) -> tuple[str, ...]:
        return self.fit + self.validate

    @property
    def scenario_name(self) -> str:
        return self.calibrated_name or f"{self.scenario}_calibrated"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("source", None)
        d["epsilon"] = self.epsilon if isinstance(self.epsilon, str) else list(self.epsilon)
        return d

    def hash(self) -> str:
        """12-hex hash of everything that shapes the result (not the description)."""
        d = self.to_dict()
        d.pop("description", None)
        blob = json.dumps(d, sort_keys=True, separators=(",", ":"), default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def model_overrides(self) -> dict[str, Any]:
        """Fixed model overrides: the `set:` block plus horizon and burn-in."""
        out = dict(self.set)
        out["steps"] = self.horizon
        if self.burn_in:
            out["burn_in"] = self.burn_in
        out.setdefault("output.progress", False)
        out.setdefault("output.plot", False)
        return out


# ------------------------------------------------------------------ files


def experiments_dir() -> Path:
    """Where calibration files live: the config tree's `experiment/` (the top-level
    `experiments/` folder in a checkout)."""
    from sim.compose import config_root

    return config_root() / "experiment"


def is_calibration_file(path: Path) -> bool:
    """Whether a YAML file in experiments/ is a calibration (not a sweep)."""
    try:
        data = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and SECTION in data


def available() -> list[str]:
    return sorted(p.stem for p in experiments_dir().glob("*.yaml") if is_calibration_file(p))


def find(name: str) -> Path:
    """The calibration file for NAME (a name in experiments/, or a path to a YAML file)."""
    as_path = Path(name)
    if as_path.suffix in (".yaml", ".yml") and as_path.is_file():
        return as_path
    path = experiments_dir() / f"{name}.yaml"
    if path.is_file():
        if not is_calibration_file(path):
            raise ConfigError(
                f"experiments/{name}.yaml is a sweep, not a calibration (it has no "
                f"'{SECTION}:' section); run it with: jiceng experiment={name}"
            )
        return path
    names = available()
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise ConfigError(
        f"no calibration '{name}' in experiments/{hint}; choose one of: {', '.join(names)}"
    )


def load(name: str, overrides: Sequence[str] = ()) -> Spec:
    """Read, override (`key=value` strings) and check a calibration file."""
    path = find(name)
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0]
        raise ConfigError(f"{path} is not valid YAML ({first}); fix the file") from None
    body = raw.get(SECTION) if isinstance(raw, dict) else None
    if not isinstance(body, dict):
        raise ConfigError(f"{path}: '{SECTION}:' must be a mapping of settings")
    body = copy.deepcopy(body)
    for item in overrides:
        apply_override(body, item)
    return parse(body, name=Path(name).stem, source=str(path))


# ------------------------------------------------------------------ overrides


def apply_override(body: dict[str, Any], item: str) -> None:
    """`key=value` onto the raw mapping. `set.<model key>=v` sets a fixed model value,
    `parameters.<model key>.<low|high|prior>=v` a prior bound; the value is YAML."""
    key, sep, text = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"bad override {item!r}: write key=value, e.g. population=20")
    try:
        value = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError:
        raise ConfigError(f"bad value in override {item!r}: it must be YAML") from None
    if key.startswith("set."):
        body.setdefault("set", {})
        if not isinstance(body["set"], dict):
            raise ConfigError("'set' must be a mapping of model keys to values")
        body["set"][key[4:]] = value
        return
    if key.startswith("parameters."):
        name, _, attr = key[len("parameters.") :].rpartition(".")
        if attr not in ("prior", "low", "high") or not name:
            raise ConfigError(
                f"bad override {item!r}: write parameters.<name>.low=..., .high=... or .prior=..."
            )
        params = body.setdefault("parameters", {})
        params.setdefault(name, {})[attr] = value
        return
    node = body
    *path, leaf = key.split(".")
    for part in path:
        nxt = node.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            node[part] = nxt
        node = nxt
    node[leaf] = value


# ------------------------------------------------------------------ checking

KEYS = {
    "description",
    "scenario",
    "set",
    "burn_in",
    "horizon",
    "seed",
    "seeds_per_particle",
    "population",
    "generations",
    "epsilon",
    "transition",
    "sampler",
    "workers",
    "predictive_draws",
    "parameters",
    "targets",
    "uncertainty",
    "synthetic",
    "calibrated_name",
}
EPSILON_KEYS = {"schedule", "multiplier", "minimum", "min_acceptance_rate"}
TRANSITION_KEYS = {"kernel", "scaling"}
KERNELS = ("normal", "local")


def _unknown(key: str, options: Sequence[str], where: str) -> ConfigError:
    close = difflib.get_close_matches(key, list(options), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return ConfigError(
        f"unknown key '{where}{key}'{hint}; valid keys: {', '.join(sorted(options))}"
    )


def _int(body: Mapping[str, Any], key: str, default: int, low: int) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{key}={value!r} must be a whole number >= {low}")
    return int(value)


def _float(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{key}={value!r} must be a finite number")
    return float(value)


def schema_params() -> dict[str, Meta | None]:
    """Dotted name -> metadata of every leaf of the config schema."""
    from sim.config import SimConfig

    return {name: meta for name, _, meta in iter_params(SimConfig())}


def field_type(name: str) -> Any:
    """The declared type of a dotted schema field (float, int, bool, an enum, ...)."""
    from sim.config import SimConfig

    node: Any = SimConfig()
    *path, leaf = name.split(".")
    for part in path:
        node = getattr(node, part)
    return get_type_hints(type(node)).get(leaf)


def check_free(name: str, prior: Prior) -> None:
    """A free parameter must be a real-valued uncertainty, its prior inside the schema."""
    metas = schema_params()
    if name not in metas:
        close = difflib.get_close_matches(name, list(metas), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ConfigError(
            f"unknown parameter '{name}'{hint}; name a parameter of sim.config.SimConfig "
            "(docs/ODD.md lists them)"
        )
    meta = metas[name]
    if meta is None or not meta.is_uncertainty:
        role = meta.role if meta is not None else "unknown"
        what = {"lever": "a lever (a policy choice)", "control": "a run control"}.get(
            str(role), f"of role {role}"
        )
        raise ConfigError(
            f"{name} is {what}, not an uncertainty; only world conditions and behavioural "
            "assumptions may be free: fix it under 'set:' or remove it from 'parameters:'"
        )
    kind = field_type(name)
    if kind is not float:
        raise ConfigError(
            f"{name} is not a real-valued parameter (its type is "
            f"{getattr(kind, '__name__', kind)}); only real numbers can be free in ABC: "
            "fix it under 'set:' instead"
        )
    lo = -math.inf if meta.low is None else meta.low
    hi = math.inf if meta.high is None else meta.high
    if prior.low < lo or prior.high > hi:
        raise ConfigError(
            f"prior of {name} [{prior.low:g}, {prior.high:g}] leaves the schema's range "
            f"{meta.range_text()}; narrow its low/high to lie inside that range"
        )


def _prior(name: str, raw: Any) -> Prior:
    if not isinstance(raw, Mapping):
        raise ConfigError(
            f"parameters.{name} must be a mapping like {{prior: uniform, low: 0, high: 1}}"
        )
    extra = set(raw) - {"prior", "low", "high"}
    if extra:
        raise _unknown(sorted(extra)[0], ["prior", "low", "high"], f"parameters.{name}.")
    family = raw.get("prior", "uniform")
    if family not in PRIORS:
        raise ConfigError(f"parameters.{name}.prior={family!r} is not one of: {', '.join(PRIORS)}")
    if "low" not in raw or "high" not in raw:
        raise ConfigError(f"parameters.{name} needs both low and high bounds")
    low = _float(raw["low"], f"parameters.{name}.low")
    high = _float(raw["high"], f"parameters.{name}.high")
    if not low < high:
        raise ConfigError(f"parameters.{name}: low ({low:g}) must be below high ({high:g})")
    if family == "loguniform" and low <= 0:
        raise ConfigError(f"parameters.{name}: a loguniform prior needs low > 0, got {low:g}")
    prior = Prior(str(family), low, high)
    check_free(name, prior)
    return prior


def _targets(body: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from sim.calibration import PATTERNS

    known = [t.name for t in PATTERNS]
    raw = body.get("targets")
    if not isinstance(raw, Mapping) or not raw.get("fit"):
        raise ConfigError(
            "targets: needs a 'fit' list (targets the distance uses) and optionally "
            "'validate' (held out); names from sim.calibration.PATTERNS"
        )
    extra = set(raw) - {"fit", "validate"}
    if extra:
        raise _unknown(sorted(extra)[0], ["fit", "validate"], "targets.")
    out: list[tuple[str, ...]] = []
    for role in ("fit", "validate"):
        names = raw.get(role) or []
        if isinstance(names, str) or not isinstance(names, list):
            raise ConfigError(f"targets.{role} must be a list of target names")
        for n in names:
            if n not in known:
                close = difflib.get_close_matches(str(n), known, n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise ConfigError(
                    f"unknown target '{n}' in targets.{role}{hint}; choose from: {', '.join(known)}"
                )
        if len(set(names)) != len(names):
            raise ConfigError(f"targets.{role} names a target twice")
        out.append(tuple(str(n) for n in names))
    both = set(out[0]) & set(out[1])
    if both:
        raise ConfigError(
            f"target {sorted(both)[0]} is both fitted and held out; a held-out target must "
            "not inform the fit: keep it in one list"
        )
    return out[0], out[1]


def _epsilon(raw: Any) -> tuple[str | tuple[float, ...], float, float, float]:
    raw = {} if raw is None else raw
    if not isinstance(raw, Mapping):
        raise ConfigError("epsilon: must be a mapping {schedule, multiplier, minimum}")
    extra = set(raw) - EPSILON_KEYS
    if extra:
        raise _unknown(sorted(extra)[0], sorted(EPSILON_KEYS), "epsilon.")
    schedule = raw.get("schedule", "median")
    if isinstance(schedule, list):
        values = tuple(_float(v, "epsilon.schedule") for v in schedule)
        if not values or any(v <= 0 for v in values):
            raise ConfigError("epsilon.schedule must be a non-empty list of positive numbers")
        if any(b > a for a, b in zip(values, values[1:], strict=False)):
            raise ConfigError("epsilon.schedule must not increase from one generation to the next")
        eps: str | tuple[float, ...] = values
    elif schedule == "median":
        eps = "median"
    else:
        raise ConfigError(
            f"epsilon.schedule={schedule!r}: give 'median' (adaptive) or a list of thresholds"
        )
    multiplier = _float(raw.get("multiplier", 1.0), "epsilon.multiplier")
    if not 0 < multiplier <= 1:
        raise ConfigError(f"epsilon.multiplier={multiplier:g} must be in (0, 1]")
    minimum = _float(raw.get("minimum", 0.0), "epsilon.minimum")
    min_rate = _float(raw.get("min_acceptance_rate", 0.0), "epsilon.min_acceptance_rate")
    if minimum < 0 or not 0 <= min_rate < 1:
        raise ConfigError("epsilon.minimum must be >= 0 and min_acceptance_rate in [0, 1)")
    return eps, multiplier, minimum, min_rate


def _transition(raw: Any) -> tuple[str, float]:
    """The proposal kernel: pyabc's MultivariateNormalTransition ("normal", one covariance
    for all particles) or LocalTransition ("local", each particle's nearest neighbours),
    with `scaling` multiplying the kernel covariance (1 = pyabc's Silverman bandwidth)."""
    raw = {} if raw is None else raw
    if not isinstance(raw, Mapping):
        raise ConfigError("transition: must be a mapping {kernel, scaling}")
    extra = set(raw) - TRANSITION_KEYS
    if extra:
        raise _unknown(sorted(extra)[0], sorted(TRANSITION_KEYS), "transition.")
    kernel = raw.get("kernel", "normal")
    if kernel not in KERNELS:
        raise ConfigError(f"transition.kernel={kernel!r} is not one of: {', '.join(KERNELS)}")
    scaling = _float(raw.get("scaling", 1.0), "transition.scaling")
    if not 0 < scaling <= 100:
        raise ConfigError(f"transition.scaling={scaling:g} must be in (0, 100]")
    return str(kernel), scaling


def _uncertainty(raw: Any, targets: Sequence[str]) -> dict[str, dict[str, float]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError("uncertainty: must map target names to {sd: number}")
    out: dict[str, dict[str, float]] = {}
    for name, spec in raw.items():
        if name not in targets:
            raise ConfigError(
                f"uncertainty.{name}: not a fitted or held-out target of this calibration"
            )
        if not isinstance(spec, Mapping) or set(spec) - {"sd"} or "sd" not in spec:
            raise ConfigError(f"uncertainty.{name} must be {{sd: number}}")
        sd = _float(spec["sd"], f"uncertainty.{name}.sd")
        if sd <= 0:
            raise ConfigError(f"uncertainty.{name}.sd must be > 0")
        out[str(name)] = {"sd": sd}
    return out


def _synthetic(raw: Any, parameters: Mapping[str, Prior]) -> Synthetic | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("truth"), Mapping):
        raise ConfigError("synthetic: must be {truth: {parameter: value}, seeds: n}")
    truth = {str(k): _float(v, f"synthetic.truth.{k}") for k, v in raw["truth"].items()}
    if set(truth) != set(parameters):
        raise ConfigError("synthetic.truth must give a value for every free parameter, no more")
    for name, value in truth.items():
        p = parameters[name]
        if not p.low <= value <= p.high:
            raise ConfigError(f"synthetic.truth.{name}={value:g} lies outside its prior")
    return Synthetic(truth=truth, seeds=_int(raw, "seeds", 10, 2))


def parse(body: Mapping[str, Any], *, name: str, source: str = "") -> Spec:
    """Check a raw `calibration:` mapping and build the Spec."""
    for key in body:
        if key not in KEYS:
            raise _unknown(str(key), sorted(KEYS), "")
    from sim.compose import available_scenarios, unknown_scenario

    scenario = body.get("scenario", "chengdu_2014")
    if scenario not in available_scenarios():
        raise unknown_scenario(str(scenario))
    fixed = body.get("set") or {}
    if not isinstance(fixed, Mapping):
        raise ConfigError("'set' must be a mapping of model keys to values")
    fixed = {str(k): v for k, v in fixed.items()}
    for key in ("steps", "seed", "burn_in"):
        if key in fixed:
            raise ConfigError(
                f"set.{key}: the calibration sets it (horizon, seed, burn_in); remove it from 'set'"
            )
    raw_params = body.get("parameters")
    if not isinstance(raw_params, Mapping) or not raw_params:
        raise ConfigError("parameters: name at least one free parameter with its prior")
    parameters = {str(n): _prior(str(n), p) for n, p in raw_params.items()}
    clash = sorted(set(parameters) & set(fixed))
    if clash:
        raise ConfigError(f"{clash[0]} is both free and fixed under 'set'; keep it in one place")
    fit, validate = _targets(body)
    eps, multiplier, minimum, min_rate = _epsilon(body.get("epsilon"))
    kernel, scaling = _transition(body.get("transition"))
    sampler = body.get("sampler", "single")
    if sampler not in SAMPLERS:
        raise ConfigError(f"sampler={sampler!r} is not one of: {', '.join(SAMPLERS)}")
    burn_in = _int(body, "burn_in", 0, 0)
    if burn_in and "burn_in" not in schema_params():
        raise ConfigError(
            "burn_in: this model's schema has no 'burn_in' parameter; set burn_in: 0 "
            "(or update jiceng)"
        )
    spec = Spec(
        name=name,
        description=str(body.get("description", "")),
        scenario=str(scenario),
        set=fixed,
        burn_in=burn_in,
        horizon=_int(body, "horizon", 260, 1),
        seed=_int(body, "seed", 0, 0),
        seeds_per_particle=_int(body, "seeds_per_particle", 1, 1),
        population=_int(body, "population", 100, 2),
        generations=_int(body, "generations", 5, 1),
        epsilon=eps,
        epsilon_multiplier=multiplier,
        minimum_epsilon=minimum,
        min_acceptance_rate=min_rate,
        transition=kernel,
        transition_scaling=scaling,
        sampler=str(sampler),
        workers=_int(body, "workers", 1, 1),
        predictive_draws=_int(body, "predictive_draws", 20, 0),
        parameters=parameters,
        fit=fit,
        validate=validate,
        uncertainty=_uncertainty(body.get("uncertainty"), fit + validate),
        synthetic=_synthetic(body.get("synthetic"), parameters),
        calibrated_name=str(body.get("calibrated_name") or ""),
        source=source,
    )
    base_config(spec)  # the fixed model overrides compose and validate
    return spec


def base_config(spec: Spec, scenario: str | None = None) -> Any:
    """The validated SimConfig every particle starts from (scenario + fixed overrides);
    `scenario` names another scenario run with the same overrides (a contrast)."""
    from sim.compose import load_config

    try:
        return load_config(scenario or spec.scenario, spec.model_overrides())
    except ConfigError as exc:
        raise ConfigError(f"set: {exc}") from None
