"""Mean outcome over a two-parameter grid, each cell annotated with its mean and n."""

from __future__ import annotations

from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from sim.report.labels import label_for
from sim.report.style import Width, new_axes, styled, text_colour_on


def heatmap_table(runs: pd.DataFrame, x: str, y: str, outcome: str) -> pd.DataFrame:
    """Long table ``[x, y, "n", "mean"]``: replicate count and mean outcome per grid cell.

    Only completed runs count when a ``status`` column exists; n counts runs with a
    non-missing outcome, i.e. the runs behind the mean.
    """
    missing = [c for c in (x, y, outcome) if c not in runs.columns]
    if missing:
        raise KeyError(f"runs table lacks columns {missing}")
    if "status" in runs.columns:
        runs = runs[runs["status"] == "completed"]
    data = runs[[x, y, outcome]].dropna(subset=[outcome])
    out = data.groupby([x, y], sort=True)[outcome].agg(["count", "mean"]).reset_index()
    return out.rename(columns={"count": "n"})


def _tick_text(value: Any) -> str:
    """Compact tick text for parameter values (0.25 not 0.250000)."""
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    return str(value)


@styled
def plot_heatmap(
    runs: pd.DataFrame,
    x: str,
    y: str,
    outcome: str,
    ax: Axes | None = None,
    *,
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    fmt: str = "{:.2f}",
    annotate: bool = True,
    width: Width = "single",
    aspect: float = 0.8,
    **style: Any,
) -> Axes:
    """Grid of mean ``outcome`` by two parameters with "mean / n=k" in each cell.

    Cells are the distinct parameter values (evenly spaced, labelled with the values), so
    uneven designs stay readable; empty cells are light grey. n is shown because cells with
    few replicates deserve less trust. ``style`` goes to ``Axes.imshow``.
    """
    table = heatmap_table(runs, x, y, outcome)
    xs = sorted(table[x].unique())
    ys = sorted(table[y].unique())
    means = table.pivot(index=y, columns=x, values="mean").reindex(index=ys, columns=xs)
    counts = table.pivot(index=y, columns=x, values="n").reindex(index=ys, columns=xs)
    grid = means.to_numpy(dtype=float)
    n = counts.fillna(0).to_numpy(dtype=int)
    if ax is None:
        ax = new_axes(width, aspect)
    cm = mpl.colormaps[cmap].with_extremes(bad="0.92")
    kw: dict[str, Any] = {
        "origin": "lower",
        "aspect": "auto",
        "interpolation": "nearest",
        "cmap": cm,
        "vmin": vmin,
        "vmax": vmax,
    }
    kw.update(style)
    image = ax.imshow(np.ma.masked_invalid(grid), **kw)
    if annotate:
        for (i, j), value in np.ndenumerate(grid):
            shown = "\u2013" if np.isnan(value) else fmt.format(value)
            colour = "black" if np.isnan(value) else text_colour_on(image.cmap(image.norm(value)))
            ax.text(
                j,
                i,
                f"{shown}\nn={n[i, j]}",
                ha="center",
                va="center",
                fontsize=6,
                linespacing=1.1,
                color=colour,
                gid=f"cell:{i},{j}",
            )
    ax.set_xticks(np.arange(len(xs)), [_tick_text(v) for v in xs])
    ax.set_yticks(np.arange(len(ys)), [_tick_text(v) for v in ys])
    ax.set_xlabel(label_for(x))
    ax.set_ylabel(label_for(y))
    ax.grid(False)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    colourbar = ax.figure.colorbar(image, ax=ax, shrink=0.9, pad=0.03)
    colourbar.set_label(label_for(outcome))
    colourbar.outline.set_visible(False)
    return ax
