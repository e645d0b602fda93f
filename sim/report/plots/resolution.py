"""How fast disputes close: ECDF of time to resolution per scenario."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from sim.report.labels import label_for
from sim.report.scenarios import scenario_label, scenario_order, scenario_style
from sim.report.style import Width, new_axes, place_legend, styled


def resolution_ecdf(
    disputes: pd.DataFrame, by: str = "scenario", exclude: Sequence[str] = ("open",)
) -> pd.DataFrame:
    """Long ECDF table ``[by, "time", "ecdf", "n"]``, one row per closed dispute, sorted.

    Disputes whose ``outcome`` is in ``exclude`` (default: still open) or whose time is
    missing are dropped - an open dispute has no resolution time yet, and counting it as
    censored would need a survival estimate, not an ECDF.
    """
    for col in (by, "outcome", "time_to_resolution"):
        if col not in disputes.columns:
            raise KeyError(f"disputes table has no column {col!r}")
    closed = disputes[~disputes["outcome"].isin(list(exclude))]
    closed = closed[[by, "time_to_resolution"]].dropna(subset=["time_to_resolution"])
    parts = []
    for group in scenario_order(closed[by]):
        t = np.sort(closed.loc[closed[by] == group, "time_to_resolution"].to_numpy(dtype=float))
        n = len(t)
        parts.append(pd.DataFrame({by: group, "time": t, "ecdf": np.arange(1, n + 1) / n, "n": n}))
    if not parts:
        return pd.DataFrame({by: [], "time": [], "ecdf": [], "n": []})
    return pd.concat(parts, ignore_index=True)


@styled
def plot_resolution_ecdf(
    disputes: pd.DataFrame,
    ax: Axes | None = None,
    by: str = "scenario",
    *,
    exclude: Sequence[str] = ("open",),
    logx: bool = False,
    width: Width = "single",
    aspect: float = 0.7,
    **style: Any,
) -> Axes:
    """Share of closed disputes resolved within t weeks, one step curve per scenario.

    Each curve starts at 0 just before its first resolution and rises by 1/n at every
    dispute, ending at 1; n (closed disputes) is in the legend. Open disputes are excluded
    (see :func:`resolution_ecdf`). ``style`` goes to ``Axes.plot``.
    """
    table = resolution_ecdf(disputes, by=by, exclude=exclude)
    if ax is None:
        ax = new_axes(width, aspect)
    groups = scenario_order(table[by])
    for i, group in enumerate(groups):
        sub = table[table[by] == group]
        t = sub["time"].to_numpy(dtype=float)
        x = np.concatenate([t[:1], t])
        y = np.concatenate([[0.0], sub["ecdf"].to_numpy(dtype=float)])
        look = scenario_style(group)
        every = max(1, len(x) // 5)
        kw: dict[str, Any] = {
            "drawstyle": "steps-post",
            "color": look["color"],
            "marker": look["marker"],
            "markevery": ((i * every) // max(len(groups), 1) + 1, every),
            "label": f"{scenario_label(group)} (n={len(t)})",
            "gid": f"ecdf:{group}",
        }
        kw.update(style)
        ax.plot(x, y, **kw)
    if logx:
        ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(label_for("time_to_resolution"))
    ax.set_ylabel(label_for("ecdf"))
    place_legend(ax, "top", ncols=2)
    return ax
