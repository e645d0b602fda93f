"""What a finished calibration reports: the posterior summary, the posterior-predictive check
of every target, the held-out validation, and the calibrated scenario YAML.

Quantiles are weighted (each particle's ABC importance weight). The predictive check draws
particles from the final population by weight and runs each on fresh seeds (a stream of the
calibration seed), so fitted and held-out targets are judged on new simulations, not on the
accepted particles' own statistics.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.calibrate.simulate import ParticleModel, derived_seeds
from sim.calibrate.spec import Spec, schema_params
from sim.calibrate.targets import Observed
from sim.params import ConfigError

CI = 0.90


def weighted_quantile(x: Any, w: Any, q: float | Sequence[float]) -> Any:
    """Quantile(s) of x under weights w (linear interpolation of the weighted CDF at the
    midpoints of each sample's weight, Hyndman & Fan type 5 for equal weights)."""
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, x)


def final(posterior: pd.DataFrame) -> pd.DataFrame:
    return posterior[posterior["generation"] == posterior["generation"].max()]


def posterior_summary(
    spec: Spec, posterior: pd.DataFrame, truth: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Per free parameter: prior and range, weighted median, mean, sd and 90% interval."""
    last = final(posterior)
    w = last["weight"].to_numpy()
    lo_q, hi_q = (1 - CI) / 2, 1 - (1 - CI) / 2
    rows = []
    for name, prior in spec.parameters.items():
        x = last[name].to_numpy()
        mean = float(np.sum(w * x) / w.sum())
        sd = float(math.sqrt(np.sum(w * (x - mean) ** 2) / w.sum()))
        med, lo, hi = (float(v) for v in weighted_quantile(x, w, [0.5, lo_q, hi_q]))
        row: dict[str, Any] = {
            "parameter": name,
            "prior": prior.family,
            "prior_low": prior.low,
            "prior_high": prior.high,
            "median": med,
            "ci90_low": lo,
            "ci90_high": hi,
            "mean": mean,
            "sd": sd,
            "ci90_share_of_prior": (hi - lo) / prior.width(),
        }
        if truth is not None:
            row["truth"] = float(truth[name])
            row["truth_in_ci90"] = bool(lo <= truth[name] <= hi)
        rows.append(row)
    return pd.DataFrame(rows)


def predictive(
    spec: Spec, targets: Sequence[Observed], posterior: pd.DataFrame, model: ParticleModel
) -> pd.DataFrame:
    """Posterior-predictive simulations: `predictive_draws` particles drawn by weight from
    the final population, each run on fresh seeds; one row per draw."""
    last = final(posterior).reset_index(drop=True)
    n = spec.predictive_draws
    if n == 0 or last.empty:
        return pd.DataFrame()
    ss = np.random.SeedSequence(entropy=spec.seed, spawn_key=(0x70726564,))  # "pred"
    rng = np.random.default_rng(ss)
    w = last["weight"].to_numpy()
    picks = rng.choice(len(last), size=n, replace=True, p=w / w.sum())
    rows = []
    for draw, i in enumerate(picks):
        theta = {p: float(last.loc[i, p]) for p in spec.parameters}
        key = draw.to_bytes(4, "big")
        seeds = derived_seeds(spec.seed, "predictive", key, model.seeds_per_particle)
        sim = model.simulate(theta, seeds)
        rows.append({"draw": draw, "particle": int(last.loc[i, "particle"]), **theta, **sim})
    return pd.DataFrame(rows)


def predictive_check(targets: Sequence[Observed], draws: pd.DataFrame) -> pd.DataFrame:
    """Per target (fitted and held out): the predictive median and 90% interval, the share
    of draws inside the documented range, and whether the median lies inside it."""
    rows = []
    for t in targets:
        x = draws[t.name].to_numpy(dtype=float) if t.name in draws else np.array([])
        x = x[np.isfinite(x)]
        if len(x):
            med, lo, hi = np.quantile(x, [0.5, (1 - CI) / 2, 1 - (1 - CI) / 2])
            share = float(np.mean([t.covers(v) for v in x]))
        else:
            med = lo = hi = share = math.nan
        rows.append(
            {
                "target": t.name,
                "role": t.role,
                "kind": t.kind,
                "low": t.low,
                "high": t.high,
                "predictive_median": float(med),
                "predictive_ci90_low": float(lo),
                "predictive_ci90_high": float(hi),
                "share_in_range": share,
                "covered": bool(t.covers(float(med))) if len(x) else None,
                "draws": int(len(x)),
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ scenario


def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        *path, leaf = key.split(".")
        node = out
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def calibrated_values(
    spec: Spec, posterior: pd.DataFrame, draw: int | None = None
) -> dict[str, float]:
    """Posterior medians, or the values of particle `draw` of the final population."""
    last = final(posterior)
    if draw is None:
        w = last["weight"].to_numpy()
        return {p: float(weighted_quantile(last[p], w, 0.5)) for p in spec.parameters}
    rows = last[last["particle"] == draw]
    if rows.empty:
        raise ConfigError(
            f"no particle {draw} in the final population; choose 0..{int(last['particle'].max())}"
        )
    return {p: float(rows.iloc[0][p]) for p in spec.parameters}


def scenario_yaml(
    spec: Spec, values: Mapping[str, float], *, config_hash: str, folder: Path, what: str
) -> str:
    """A scenario extending the calibrated one, setting the calibrated values (and the
    fixed non-control values the calibration assumed); its header cites the calibration."""
    metas = schema_params()
    fixed = {
        k: v
        for k, v in spec.set.items()
        if (m := metas.get(k)) is not None and m.role != "control" and k not in values
    }
    header = [
        "# @package _global_",
        f"# Calibrated {spec.scenario}: {what} of experiments/{spec.name}.yaml.",
        f"# Calibration config hash {config_hash}, seed {spec.seed}, folder {folder}.",
        "# Written by jiceng-calibrate; re-run the calibration rather than editing it.",
    ]
    body = {
        "defaults": [spec.scenario, "_self_"],
        "scenario": spec.scenario_name,
        "description": (
            f"{spec.scenario} with the {len(values)} parameters calibrated by ABC-SMC set to "
            f"their {what} (calibration {config_hash})."
        ),
        "basis": (
            f"ABC-SMC calibration experiments/{spec.name}.yaml (config hash {config_hash}, "
            f"seed {spec.seed}) against the targets {', '.join(spec.fit)} of "
            "sim/calibration.py; see docs/CALIBRATION.md."
        ),
        **_nest({**fixed, **{k: float(v) for k, v in values.items()}}),
    }
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=92)
    return "\n".join(header) + "\n" + text
