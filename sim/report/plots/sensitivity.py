"""Global sensitivity indices: Morris screening and Sobol variance decomposition."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from sim.report.style import OKABE_ITO, Width, new_axes, place_legend, root_figure, styled


def _require(df: pd.DataFrame, columns: list[str], name: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"{name} table lacks columns {missing}")


# Offsets (points) and alignments tried in turn for each point label.
_LABEL_SLOTS: list[tuple[float, float, str, str]] = [
    (4, 3, "left", "bottom"),
    (-4, 3, "right", "bottom"),
    (4, -3, "left", "top"),
    (-4, -3, "right", "top"),
    (0, 6, "center", "bottom"),
    (0, -6, "center", "top"),
    (4, 11, "left", "bottom"),
    (-4, 11, "right", "bottom"),
    (4, -11, "left", "top"),
    (-4, -11, "right", "top"),
]


def _label_points(
    ax: Axes, points: np.ndarray, labels: list[str], avoid: np.ndarray, fontsize: float = 6
) -> None:
    """Name points without labels colliding with each other, other points or the frame.

    Greedy: each label (most important first) takes the first slot around its point whose
    box stays inside the axes and clear of earlier labels and markers; if none is free it
    takes the least bad slot. Run after a layout pass so positions are close to final.
    """
    fig = root_figure(ax)
    fig.draw_without_rendering()
    frame = ax.get_window_extent()
    markers = ax.transData.transform(avoid) if len(avoid) else np.empty((0, 2))
    pad = 3.0 * fig.dpi / 72  # marker radius in pixels
    placed: list[Bbox] = []
    for (x, y), text in zip(points, labels, strict=True):
        if not (np.isfinite(x) and np.isfinite(y)):
            continue
        own = ax.transData.transform([(x, y)])[0]
        others = [m for m in markers if np.hypot(*(m - own)) > 0.5]
        best: tuple[float, Annotation] | None = None
        for dx, dy, ha, va in _LABEL_SLOTS:
            note = ax.annotate(
                text,
                xy=(x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
            )
            box = note.get_window_extent()
            near = box.padded(pad)
            cost = (
                sum(box.overlaps(p) for p in placed) * 10
                + sum(near.contains(*m) for m in others) * 3
                + (0 if frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1) else 1)
            )
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, note)
            else:
                note.remove()
            if cost == 0:
                break
        if best is not None:
            placed.append(best[1].get_window_extent())


@styled
def plot_morris(
    morris_df: pd.DataFrame,
    ax: Axes | None = None,
    *,
    kind: Literal["scatter", "bars"] = "scatter",
    label_top: int = 10,
    width: Width = "single",
    aspect: float | None = None,
    **style: Any,
) -> Axes:
    """Morris screening: mu* against sigma (``scatter``) or mu* bars (``bars``), with conf.

    Scatter is the classic reading (right = influential, above the sigma = mu* line =
    non-linear or interacting); only the ``label_top`` largest mu* are named so labels stay
    legible. Bars name every parameter, sorted by mu*. Horizontal error bars are the
    ``mu_star_conf`` half-widths. ``style`` goes to the point/bar call.
    """
    _require(morris_df, ["parameter", "mu_star", "mu_star_conf", "sigma"], "morris")
    df = morris_df.sort_values("mu_star", ascending=False, kind="stable").reset_index(drop=True)
    if kind == "bars":
        if ax is None:
            ax = new_axes(width, aspect or min(0.3 + 0.07 * len(df), 1.4))
        y = np.arange(len(df), dtype=float)[::-1]
        kw: dict[str, Any] = {"height": 0.65, "color": OKABE_ITO["blue"]}
        kw.update(style)
        ax.barh(
            y,
            df["mu_star"].to_numpy(dtype=float),
            xerr=df["mu_star_conf"].to_numpy(dtype=float),
            error_kw={"elinewidth": 0.7, "capsize": 1.5},
            label="\u03bc*",
            **kw,
        )
        ax.set_yticks(y, df["parameter"].astype(str).tolist())
        ax.set_ylim(-0.6, len(df) - 0.4)
        ax.tick_params(axis="y", length=0)
        ax.grid(False, axis="y")
        ax.set_xlabel("\u03bc* (mean |elementary effect|)")
        return ax
    if kind != "scatter":
        raise ValueError(f"kind must be 'scatter' or 'bars', got {kind!r}")
    if ax is None:
        ax = new_axes(width, aspect or 0.85)
    mu = df["mu_star"].to_numpy(dtype=float)
    sigma = df["sigma"].to_numpy(dtype=float)
    kw = {"fmt": "o", "color": OKABE_ITO["blue"], "markersize": 3.5, "elinewidth": 0.7}
    kw.update(style)
    ax.errorbar(mu, sigma, xerr=df["mu_star_conf"].to_numpy(dtype=float), **kw)
    top = float(np.nanmax(np.concatenate([mu, sigma]))) if len(df) else 1.0
    ax.plot([0, top * 1.05], [0, top * 1.05], color="0.5", linestyle="--", linewidth=0.7)
    ax.annotate(
        "\u03c3 = \u03bc*",
        xy=(top * 1.05, top * 1.05),
        xytext=(-2, -2),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=6,
        color="0.4",
        rotation_mode="anchor",
    )
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("\u03bc* (mean |elementary effect|)")
    ax.set_ylabel("\u03c3 (sd of elementary effects)")
    labelled = df.head(max(label_top, 0))
    _label_points(
        ax,
        labelled[["mu_star", "sigma"]].to_numpy(dtype=float),
        labelled["parameter"].astype(str).tolist(),
        np.column_stack([mu, sigma]),
    )
    return ax


@styled
def plot_sobol(
    sobol_df: pd.DataFrame,
    ax: Axes | None = None,
    *,
    sort: bool = True,
    width: Width = "single",
    aspect: float | None = None,
    **style: Any,
) -> Axes:
    """First-order (S1) and total (ST) Sobol indices as paired bars with CI error bars.

    Horizontal so long dotted parameter names stay readable; sorted by ST (largest on top)
    unless ``sort=False``. Error bars are the ``*_conf`` half-widths. The gap ST - S1 is
    the share of variance due to interactions. ``style`` goes to both ``Axes.barh`` calls.
    """
    _require(sobol_df, ["parameter", "S1", "S1_conf", "ST", "ST_conf"], "sobol")
    df = sobol_df.reset_index(drop=True)
    if sort:
        df = df.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)
    if ax is None:
        ax = new_axes(width, aspect or min(0.3 + 0.09 * len(df), 1.4))
    y = np.arange(len(df), dtype=float)[::-1]
    h = 0.38
    for index, offset, colour in (("S1", h / 2, OKABE_ITO["sky_blue"]), ("ST", -h / 2, "#0072B2")):
        kw: dict[str, Any] = {"height": h, "color": colour}
        kw.update(style)
        ax.barh(
            y + offset,
            df[index].to_numpy(dtype=float),
            xerr=df[f"{index}_conf"].to_numpy(dtype=float),
            error_kw={"elinewidth": 0.7, "capsize": 1.5, "ecolor": "0.2"},
            label={"S1": "first order S1", "ST": "total ST"}[index],
            gid=f"sobol:{index}",
            **kw,
        )
    ax.set_yticks(y, df["parameter"].astype(str).tolist())
    ax.set_ylim(-0.6, len(df) - 0.4)
    ax.axvline(0.0, color="0.3", linewidth=0.6)
    ax.tick_params(axis="y", length=0)
    ax.grid(False, axis="y")
    ax.set_xlabel("Sobol index (share of variance)")
    place_legend(ax, "top", ncols=2)
    return ax
