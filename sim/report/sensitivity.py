"""Global sensitivity analysis (Morris screening, Sobol indices) over parameter ranges.

A `latin` (Latin hypercube) design samples the same ranges for scenario discovery
(`sim.report.discover`); it has no indices of its own.

A thin layer over SALib 1.6 so that callers handle DataFrames keyed by ``sample_id``
rather than bare arrays, and so sampling and analysis cannot silently disagree on the
design (Sobol: Saltelli scheme without second-order terms, N*(D+2) rows; Morris:
``num_levels``-level trajectories, N*(D+1) rows).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import latin as latin_sample
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

Method = Literal["morris", "sobol", "latin"]
SAMPLE_ID = "sample_id"
MORRIS_LEVELS = 4
NUM_RESAMPLES = 1000
DISTS = ("unif", "logunif", "norm", "lognorm")
"""SALib distributions whose two ``bounds`` numbers are (low, high) or (mean, sd)."""

MORRIS_COLUMNS = ["parameter", "mu", "mu_star", "sigma", "mu_star_conf"]
SOBOL_COLUMNS = [
    "parameter",
    "S1",
    "S1_conf",
    "S1_ci_low",
    "S1_ci_high",
    "ST",
    "ST_conf",
    "ST_ci_low",
    "ST_ci_high",
]


# --------------------------------------------------------------------------- problem


@dataclass(frozen=True)
class Problem:
    """Names and ranges of the parameters varied in a sensitivity analysis.

    ``bounds[i]`` is ``(low, high)`` for "unif" (the default when ``dists`` is None) and
    "logunif"; it is ``(mean, sd)`` for "norm" and ``(log-mean, log-sd)`` for "lognorm",
    following SALib's conventions.
    """

    names: list[str]
    bounds: list[tuple[float, float]]
    dists: list[str] | None = None

    def __post_init__(self) -> None:
        _check_names(self.names)
        if len(self.bounds) != len(self.names):
            raise ValueError(f"{len(self.names)} names but {len(self.bounds)} bounds")
        if self.dists is not None and len(self.dists) != len(self.names):
            raise ValueError(f"{len(self.names)} names but {len(self.dists)} dists")
        dists = self.dists or ["unif"] * len(self.names)
        for name, bound, dist in zip(self.names, self.bounds, dists, strict=True):
            _check_bound(name, bound, dist)

    @classmethod
    def from_dict(cls, d: Mapping[str, Sequence[float]]) -> Problem:
        """Build a uniform problem from ``{name: [low, high]}`` (e.g. a YAML mapping)."""
        bounds: list[tuple[float, float]] = []
        for name, bound in d.items():
            values = list(bound) if isinstance(bound, Sequence) else []
            if len(values) != 2:
                raise ValueError(f"bounds for {name!r} must be [low, high], got {bound!r}")
            bounds.append((_as_float(name, values[0]), _as_float(name, values[1])))
        return cls(names=[str(n) for n in d], bounds=bounds)

    @property
    def num_vars(self) -> int:
        return len(self.names)

    def to_salib(self) -> dict[str, Any]:
        """A fresh SALib problem dict (SALib mutates the dicts it is given)."""
        spec: dict[str, Any] = {
            "num_vars": self.num_vars,
            "names": list(self.names),
            "bounds": [[float(low), float(high)] for low, high in self.bounds],
        }
        if self.dists is not None:
            spec["dists"] = list(self.dists)
        return spec


def _check_names(names: Sequence[str]) -> None:
    if not names:
        raise ValueError("a sensitivity problem needs at least one parameter")
    if SAMPLE_ID in names:
        raise ValueError(f"{SAMPLE_ID!r} is reserved and cannot be a parameter name")
    duplicated = sorted({n for n in names if list(names).count(n) > 1})
    if duplicated:
        raise ValueError(f"duplicate parameter names: {', '.join(duplicated)}")


def _as_float(name: str, value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"bounds for {name!r} must be numbers, got {value!r}") from None


def _check_bound(name: str, bound: tuple[float, float], dist: str) -> None:
    """Reject bounds SALib would choke on later, with the parameter name in the message."""
    if dist not in DISTS:
        raise ValueError(f"dist for {name!r} must be one of {', '.join(DISTS)}, got {dist!r}")
    if len(bound) != 2 or not all(math.isfinite(float(b)) for b in bound):
        raise ValueError(f"bounds for {name!r} must be two finite numbers, got {bound!r}")
    first, second = float(bound[0]), float(bound[1])
    if dist in ("unif", "logunif") and not first < second:
        raise ValueError(f"bounds for {name!r} need low < high, got [{first}, {second}]")
    if dist == "logunif" and first <= 0:
        raise ValueError(f"log-uniform bounds for {name!r} must be > 0, got [{first}, {second}]")
    if dist in ("norm", "lognorm") and second <= 0:
        raise ValueError(f"{dist} sd for {name!r} must be > 0, got {second}")


# --------------------------------------------------------------------------- sampling


def _check_method(method: str) -> None:
    if method not in get_args(Method):
        raise ValueError(f"method must be one of {', '.join(get_args(Method))}, got {method!r}")


def _rows_per_block(problem: Problem, method: str) -> int:
    """Model runs per base sample: D+2 (Sobol, first and total order) or D+1 (Morris)."""
    if method == "latin":
        return 1
    return problem.num_vars + (2 if method == "sobol" else 1)


def spec_problem(spec: Mapping[str, Any], runs: pd.DataFrame | None = None) -> Problem:
    """The problem a sensitivity sweep sampled, its parameters in sampling order.

    spec.json stores the order (`order`); for a sweep written before it did, the order is
    recovered by matching each parameter's recorded values (in `runs`, by `sample_id`) to a
    column of the unit design, which depends only on the method, n, seed and dimension.
    """
    params = dict(spec["parameters"])
    order = spec.get("order")
    if order:
        return Problem.from_dict({str(n): params[n] for n in order})
    problem = Problem.from_dict(params)
    names = problem.names
    if runs is None or SAMPLE_ID not in runs or any(n not in runs for n in names):
        return problem
    method = str(spec.get("method", "sobol"))
    k = len(names)
    unit_problem = Problem([f"u{i}" for i in range(k)], [(0.0, 1.0)] * k)
    unit = sample(unit_problem, method, int(spec["n"]), int(spec["seed"]))  # type: ignore[arg-type]
    recorded = runs.dropna(subset=[SAMPLE_ID]).groupby(SAMPLE_ID)[names].first()
    ids = recorded.index.to_numpy(dtype=np.int64)
    columns = unit.set_index(SAMPLE_ID).loc[ids].to_numpy()
    position: dict[str, int] = {}
    for name, (low, high) in zip(names, problem.bounds, strict=True):
        u = (recorded[name].to_numpy(dtype=float) - low) / (high - low)
        hits = [j for j in range(k) if j not in position.values()
                and np.allclose(columns[:, j], u, rtol=0, atol=1e-9)]  # fmt: skip
        if len(hits) != 1:
            raise ValueError(
                f"cannot tell which design column {name} was sampled as; the runs do not match "
                "the sweep's sensitivity/spec.json (rerun the sweep)"
            )
        position[name] = hits[0]
    ordered = sorted(names, key=position.__getitem__)
    return Problem.from_dict({n: params[n] for n in ordered})


def spec_design(
    spec: Mapping[str, Any], runs: pd.DataFrame, where: str = ""
) -> tuple[Problem, pd.DataFrame]:
    """The problem and the design a sensitivity sweep ran (`spec_problem` then `sample`);
    a spec that does not match its runs is an AggregateError prefixed with `where`."""
    from sim.report.aggregate import AggregateError

    try:
        problem = spec_problem(spec, runs)
    except ValueError as exc:
        raise AggregateError(f"{where}{exc}") from None
    method = str(spec.get("method", "sobol"))
    return problem, sample(problem, method, int(spec["n"]), int(spec["seed"]))  # type: ignore[arg-type]


def sample(problem: Problem, method: Method, n: int, seed: int) -> pd.DataFrame:
    """Design points to run, one row each: ``sample_id`` plus one column per parameter.

    ``n`` is the base sample size: for "sobol" a power of two (Sobol' balance), giving
    ``n * (D + 2)`` rows; for "morris" the number of trajectories (>= 2), giving
    ``n * (D + 1)`` rows on a 4-level grid; for "latin" the number of rows (a Latin
    hypercube: each range cut into ``n`` strata, one point per stratum). The same seed gives
    the same design.
    """
    _check_method(method)
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise ValueError(f"n must be an integer, got {n!r}")
    spec = problem.to_salib()
    if method == "sobol":
        if n < 2 or n & (n - 1):
            raise ValueError(f"sobol n must be a power of two >= 2, got {n}")
        design = sobol_sample.sample(spec, int(n), calc_second_order=False, seed=seed)
    elif method == "latin":
        if n < 2:
            raise ValueError(f"latin n (design points) must be >= 2, got {n}")
        design = latin_sample.sample(spec, int(n), seed=seed)
    else:
        if n < 2:
            raise ValueError(f"morris n (trajectories) must be >= 2, got {n}")
        design = morris_sample.sample(spec, int(n), num_levels=MORRIS_LEVELS, seed=seed)
    frame = pd.DataFrame(np.asarray(design, dtype=float), columns=problem.names)
    frame.insert(0, SAMPLE_ID, np.arange(len(frame), dtype=np.int64))
    return frame


# --------------------------------------------------------------------------- analysis


def _design_matrix(problem: Problem, method: str, samples_df: pd.DataFrame) -> pd.DataFrame:
    """Parameter columns in ``sample_id`` order (row order if there is no such column)."""
    missing = [n for n in problem.names if n not in samples_df.columns]
    if missing:
        raise ValueError(f"samples_df lacks parameter column(s): {', '.join(missing)}")
    ordered = samples_df
    if SAMPLE_ID in samples_df.columns:
        if samples_df[SAMPLE_ID].duplicated().any():
            raise ValueError(f"samples_df has duplicate {SAMPLE_ID} values")
        ordered = samples_df.sort_values(SAMPLE_ID, kind="stable")
    block = _rows_per_block(problem, method)
    if len(ordered) == 0 or len(ordered) % block:
        raise ValueError(
            f"samples_df has {len(ordered)} rows; a {method} design for {problem.num_vars} "
            f"parameters has a positive multiple of {block} rows (was it subset?)"
        )
    return ordered[problem.names]


def _output_vector(outputs: npt.ArrayLike | pd.Series, n_samples: int) -> npt.NDArray[np.float64]:
    """Outputs as a float vector, positional in ``sample_id`` order (index is ignored)."""
    y = np.asarray(outputs, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"outputs must be one-dimensional, got shape {y.shape}")
    if y.size != n_samples:
        raise ValueError(
            f"outputs has {y.size} values but samples_df has {n_samples} samples; "
            "pass one output per sample, in sample_id order"
        )
    bad = int((~np.isfinite(y)).sum())
    if bad:
        raise ValueError(f"outputs contain {bad} NaN/inf value(s) (failed runs?); rerun them")
    return y


def analyze(
    problem: Problem,
    method: Method,
    samples_df: pd.DataFrame,
    outputs: npt.NDArray[np.floating[Any]] | pd.Series,
    seed: int,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Sensitivity indices, one row per parameter (columns `MORRIS_COLUMNS`/`SOBOL_COLUMNS`).

    ``outputs[i]`` must be the model output of the i-th sample in ``sample_id`` order, as
    returned by `sample` (a Series is read positionally; its index is ignored).
    ``seed`` drives the bootstrap behind the ``*_conf`` half-widths.
    """
    _check_method(method)
    if method == "latin":
        raise ValueError("a latin hypercube has no sensitivity indices; mine it with discover")
    if not 0.0 < conf_level < 1.0:
        raise ValueError(f"conf_level must be in (0, 1), got {conf_level}")
    design = _design_matrix(problem, method, samples_df)
    y = _output_vector(outputs, len(design))
    if method == "sobol":
        return _sobol_table(problem, y, seed, conf_level)
    return _morris_table(problem, design.to_numpy(dtype=float), y, seed, conf_level)


def _sobol_table(
    problem: Problem, y: npt.NDArray[np.float64], seed: int, conf_level: float
) -> pd.DataFrame:
    if np.ptp(y) == 0:
        raise ValueError("outputs are constant; Sobol indices are undefined")
    # A Generator, not the int: SALib ignores a falsy seed (0) and would be unseeded.
    indices = sobol_analyze.analyze(
        problem.to_salib(),
        y,
        calc_second_order=False,
        num_resamples=NUM_RESAMPLES,
        conf_level=conf_level,
        seed=np.random.default_rng(seed),
    )
    table = pd.DataFrame({"parameter": problem.names})
    for key in ("S1", "ST"):
        value = np.asarray(indices[key], dtype=float)
        conf = np.asarray(indices[f"{key}_conf"], dtype=float)
        table[key] = value
        table[f"{key}_conf"] = conf
        table[f"{key}_ci_low"] = value - conf
        table[f"{key}_ci_high"] = value + conf
    return table[SOBOL_COLUMNS]


def _morris_table(
    problem: Problem,
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    seed: int,
    conf_level: float,
) -> pd.DataFrame:
    indices = morris_analyze.analyze(
        problem.to_salib(),
        x,
        y,
        num_resamples=NUM_RESAMPLES,
        conf_level=conf_level,
        num_levels=MORRIS_LEVELS,
        seed=seed,
    )
    table = pd.DataFrame({"parameter": [str(n) for n in indices["names"]]})
    for key in MORRIS_COLUMNS[1:]:
        table[key] = np.asarray(indices[key], dtype=float)
    return table


def sensitivity_report(root: str | Path) -> tuple[dict[str, Path], list[str]]:
    """Morris or Sobol indices per declared outcome, as `sensitivity/indices.{csv,md,tex}`."""
    from sim.report.aggregate import AggregateError, load, read_json_problem
    from sim.report.tables import write_table

    root = Path(root)
    spec, problem_text = read_json_problem(root / "sensitivity" / "spec.json")
    if spec is None:
        raise AggregateError(
            f"{root} has no sensitivity/spec.json: it was not a sensitivity sweep "
            "(declare hydra.sweeper.sensitivity in the experiment)"
            + (f"; {problem_text}" if problem_text else "")
        )
    tables = load(root)
    method = str(spec.get("method", "sobol"))
    if method == "latin":  # a design for scenario discovery, not for indices
        return {}, [f"latin hypercube: no indices; mine it with jiceng-report discover {root}"]
    problem, design = spec_design(spec, tables.completed, f"{root}: ")
    done = tables.completed
    notes: list[str] = []
    if "sample_id" not in done:
        return {}, ["no completed run carries a sample_id; nothing to analyse"]
    parts = []
    for outcome in spec.get("outcomes") or ["resolution_rate"]:
        if outcome not in done:
            notes.append(f"sensitivity: outcome {outcome!r} not in runs; skipped")
            continue
        y = done.groupby("sample_id")[outcome].mean().reindex(design["sample_id"])
        missing = int(y.isna().sum())
        if missing:
            notes.append(
                f"sensitivity: {missing} of {len(y)} design points have no completed run; "
                "re-run the sweep to fill them, then: jiceng-report sensitivity " + str(root)
            )
            return {}, notes
        try:
            table = analyze(problem, method, design, y.to_numpy(), seed=int(spec["seed"]))  # type: ignore[arg-type]
        except ValueError as exc:  # e.g. an outcome constant over the design
            notes.append(f"sensitivity: {outcome}: {exc}; left out")
            continue
        table.insert(0, "outcome", outcome)
        parts.append(table)
    if not parts:
        return {}, notes
    result = pd.concat(parts, ignore_index=True)
    caption = f"{method.capitalize()} sensitivity indices ({len(design)} design points)"
    paths = write_table(result, root / "sensitivity" / "indices", caption=caption)
    return paths, notes
