"""Calibration figures in the house style (`sim.report.style`): marginal posteriors against
priors, pairwise densities of the most correlated parameters, and the posterior-predictive
check of every target against its documented interval."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.calibrate.results import final, weighted_quantile
from sim.calibrate.spec import Spec
from sim.calibrate.targets import Observed
from sim.report.style import OKABE_ITO, Width, save_figure, subplots

POSTERIOR, PRIOR, TRUTH = OKABE_ITO["blue"], OKABE_ITO["black"], OKABE_ITO["vermillion"]
BAND = OKABE_ITO["bluish_green"]
MAX_PAIRS = 3


def _grid(n: int, ncols: int = 3) -> tuple[int, int]:
    cols = min(ncols, max(n, 1))
    return math.ceil(n / cols), cols


def marginals(
    spec: Spec, posterior: pd.DataFrame, truth: Mapping[str, float] | None = None
) -> Figure:
    names = list(spec.parameters)
    rows, cols = _grid(len(names))
    width: Width = "double" if cols > 1 else "single"
    fig, axes = subplots(rows, cols, width=width, aspect=0.32 * rows if cols > 1 else 0.7)
    last = final(posterior)
    w = last["weight"].to_numpy()
    for ax, name in zip(axes.flat, names, strict=False):
        prior = spec.parameters[name]
        log = prior.family == "loguniform"
        edges = (np.geomspace if log else np.linspace)(prior.low, prior.high, 21)
        ax.hist(last[name], bins=edges, weights=w, density=True, color=POSTERIOR, alpha=0.6,
                label="posterior")  # fmt: skip
        grid = (np.geomspace if log else np.linspace)(prior.low, prior.high, 200)
        ax.plot(grid, prior.density(grid), color=PRIOR, lw=1.0, ls="--", label="prior")
        ax.axvline(float(weighted_quantile(last[name], w, 0.5)), color=POSTERIOR, lw=1.0)
        if truth is not None and name in truth:
            ax.axvline(truth[name], color=TRUTH, lw=1.0, ls=":", label="truth")
        ax.set_xlabel(name)
        ax.set_ylabel("density")
        ax.set_xlim(prior.low, prior.high)
        if log:
            ax.set_xscale("log")
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    axes.flat[0].legend(loc="best", fontsize=6)
    return fig


def weighted_correlations(spec: Spec, posterior: pd.DataFrame) -> list[tuple[str, str, float]]:
    """Parameter pairs by |weighted correlation| in the final population, largest first."""
    last = final(posterior)
    names = list(spec.parameters)
    if len(names) < 2:
        return []
    x = last[names].to_numpy(dtype=float)
    c = np.cov(x.T, aweights=last["weight"].to_numpy())
    sd = np.sqrt(np.diag(c))
    pairs = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            r = c[i, j] / (sd[i] * sd[j]) if sd[i] > 0 and sd[j] > 0 else 0.0
            pairs.append((names[i], names[j], float(r)))
    return sorted(pairs, key=lambda p: -abs(p[2]))


def pairs(spec: Spec, posterior: pd.DataFrame) -> Figure | None:
    chosen = weighted_correlations(spec, posterior)[:MAX_PAIRS]
    if not chosen:
        return None
    fig, axes = subplots(1, len(chosen), width="double" if len(chosen) > 1 else "single",
                         aspect=0.85 / len(chosen) if len(chosen) > 1 else 0.85)  # fmt: skip
    last = final(posterior)
    for ax, (a, b, r) in zip(axes.flat, chosen, strict=True):
        pa, pb = spec.parameters[a], spec.parameters[b]
        ax.hist2d(last[a], last[b], bins=15, weights=last["weight"], cmap="viridis",
                  range=[[pa.low, pa.high], [pb.low, pb.high]])  # fmt: skip
        ax.set_xlabel(a)
        ax.set_ylabel(b)
        ax.set_title(f"r = {r:+.2f}")
        ax.grid(False)
    return fig


def predictive(targets: Sequence[Observed], draws: pd.DataFrame) -> Figure:
    n = len(targets)
    fig, axes = subplots(n, 1, width="single", aspect=0.22 * n + 0.1)
    rng = np.random.default_rng(0)  # jitter only
    for ax, t in zip(axes.flat, targets, strict=True):
        x = draws[t.name].to_numpy(dtype=float) if t.name in draws else np.array([])
        x = x[np.isfinite(x)]
        finite = [v for v in (t.low, t.high) if math.isfinite(v)]
        span = [*x, *finite]
        pad = 0.08 * (max(span) - min(span)) + 1e-9
        left, right = min(span) - pad, max(span) + pad
        ax.axvspan(max(t.low, left), min(t.high, right), color=BAND, alpha=0.25, lw=0,
                   label="documented range")  # fmt: skip
        ax.set_xlim(left, right)
        if len(x):
            ax.scatter(x, rng.uniform(-0.3, 0.3, len(x)), s=6, color=POSTERIOR, alpha=0.7,
                       label="posterior predictive")  # fmt: skip
            ax.plot([np.median(x)], [0], marker="|", ms=12, mew=1.5, color=PRIOR, ls="none",
                    label="median")  # fmt: skip
        ax.set_ylim(-0.6, 0.6)
        ax.set_yticks([])
        ax.set_ylabel(t.name.replace("_", " ") + f"\n({t.role})", rotation=0, ha="right",
                      va="center", fontsize=6)  # fmt: skip
        ax.grid(False, axis="y")
    axes.flat[0].legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, fontsize=6)
    return fig


def write_all(
    folder: Path,
    spec: Spec,
    targets: Sequence[Observed],
    posterior: pd.DataFrame,
    draws: pd.DataFrame,
    truth: Mapping[str, float] | None = None,
) -> list[Path]:
    """Draw and save every calibration figure under `folder/figures/`."""
    out = folder / "figures"
    written = save_figure(marginals(spec, posterior, truth), out / "marginals")
    fig = pairs(spec, posterior)
    if fig is not None:
        written += save_figure(fig, out / "pairs")
    if not draws.empty:
        written += save_figure(predictive(targets, draws), out / "predictive")
    return written
