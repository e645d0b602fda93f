"""Outcome trajectories: mean across seeds per step with a 95% t-interval band."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes

from sim.report.labels import label_for
from sim.report.scenarios import scenario_label, scenario_order, scenario_style
from sim.report.stats import timeseries_band
from sim.report.style import Width, new_axes, place_legend, styled

BAND_COLUMNS = ["step", "n", "mean", "ci_low", "ci_high"]


def _ordered_band(ts: pd.DataFrame, outcome: str, by: str, level: float) -> pd.DataFrame:
    """`sim.report.stats.timeseries_band`, groups in the scenarios' legend order."""
    band = timeseries_band(ts, outcome, by=by, confidence=level)
    order = {g: i for i, g in enumerate(scenario_order(band[by]))}
    band = band.assign(_o=band[by].map(order)).sort_values(["_o", "step"], kind="stable")
    return band.drop(columns="_o").reset_index(drop=True)


def _reform_markers(ax: Axes, reforms: Sequence[tuple[float, str]]) -> int:
    """Dashed verticals with labels just above the axes; returns label rows used.

    Labels sit outside the data area so they never cover a line; labels of reforms closer
    than ~15% of the x range alternate between two rows so they do not collide.
    """
    lo, hi = ax.get_xlim()
    span = (hi - lo) or 1.0
    rows = 0
    prev: float | None = None
    row = 0
    for step, label in sorted(reforms, key=lambda r: r[0]):
        ax.axvline(step, color="0.35", linestyle="--", linewidth=0.7, zorder=1.5)
        row = 1 - row if prev is not None and (step - prev) / span < 0.15 else 0
        prev = step
        ax.annotate(
            label,
            xy=(step, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 2 + 8 * row),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=6,
            color="0.25",
            annotation_clip=False,
        )
        rows = max(rows, row + 1)
    return rows


@styled
def plot_timeseries(
    ts: pd.DataFrame,
    outcome: str,
    ax: Axes | None = None,
    by: str = "scenario",
    reforms: Sequence[tuple[float, str]] | None = None,
    *,
    level: float = 0.95,
    width: Width = "single",
    aspect: float = 0.7,
    **style: Any,
) -> Axes:
    """Mean trajectory per group (default: scenario) with its t-interval band.

    Each group keeps its scenario colour and marker (markers sparse, staggered between
    groups, so lines stay apart in greyscale). ``reforms`` are ``(step, label)`` pairs drawn
    as dashed verticals. ``style`` goes to ``Axes.plot`` for the mean lines.
    """
    band = _ordered_band(ts, outcome, by, level)
    if ax is None:
        ax = new_axes(width, aspect)
    groups = scenario_order(band[by])
    for i, group in enumerate(groups):
        sub = band[band[by] == group]
        look = scenario_style(group)
        x = sub["step"].to_numpy(dtype=float)
        every = max(1, len(x) // 6)
        ax.fill_between(
            x,
            sub["ci_low"].to_numpy(dtype=float),
            sub["ci_high"].to_numpy(dtype=float),
            color=look["color"],
            alpha=0.2,
            linewidth=0,
            label="_nolegend_",
            gid=f"band:{group}",
        )
        kw: dict[str, Any] = {
            "color": look["color"],
            "marker": look["marker"],
            "markevery": ((i * every) // max(len(groups), 1), every),
            "label": scenario_label(group),
            "gid": f"mean:{group}",
        }
        kw.update(style)
        ax.plot(x, sub["mean"].to_numpy(dtype=float), **kw)
    ax.set_xlabel(label_for("step"))
    ax.set_ylabel(label_for(outcome))
    ax.margins(x=0)
    rows = _reform_markers(ax, reforms) if reforms else 0
    if len(groups) > 1:
        place_legend(ax, "top", offset=1.4 * rows)
    return ax
