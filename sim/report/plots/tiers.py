"""Where disputes end: stacked bars of mean end-tier shares per scenario."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from sim.report.labels import ENDING_LABELS, ENDINGS, label_for
from sim.report.scenarios import scenario_label, scenario_order
from sim.report.style import TIER_COLOURS, Width, new_axes, place_legend, styled, text_colour_on

TIER_COLUMNS = [f"ended_{t}" for t in ENDINGS]


def tier_share_table(runs: pd.DataFrame, by: str = "scenario") -> pd.DataFrame:
    """Mean end-tier shares per group (rows in scenario order) plus ``n`` runs.

    Only completed runs count when a ``status`` column exists; runs without closed disputes
    (any share missing) are dropped, so each row's shares still sum to 1. A warning flags
    input whose per-run shares do not sum to 1.
    """
    missing = [c for c in [by, *TIER_COLUMNS] if c not in runs.columns]
    if missing:
        raise KeyError(f"runs table lacks columns {missing}")
    if "status" in runs.columns:
        runs = runs[runs["status"] == "completed"]
    data = runs[[by, *TIER_COLUMNS]].dropna(subset=TIER_COLUMNS)
    sums = data[TIER_COLUMNS].sum(axis=1).to_numpy(dtype=float)
    if len(sums) and not np.allclose(sums, 1.0, atol=1e-6):
        warnings.warn("end-tier shares do not sum to 1 in some runs", stacklevel=2)
    table = data.groupby(by)[TIER_COLUMNS].mean()
    table["n"] = data.groupby(by).size()
    return table.reindex(scenario_order(table.index))


@styled
def plot_tier_shares(
    runs: pd.DataFrame,
    ax: Axes | None = None,
    by: str = "scenario",
    *,
    annotate_min: float = 0.1,
    width: Width = "single",
    aspect: float | None = None,
    **style: Any,
) -> Axes:
    """Horizontal 100% bars: mean share of the disputes that arose ending at each tier.

    Tiers run left to right up the escalation ladder in light-to-dark viridis (ordered and
    colour-blind safe); abandoned is hatched grey at the right end. Segments of at least
    ``annotate_min`` are labelled with their percentage. ``style`` goes to ``Axes.barh``.
    """
    table = tier_share_table(runs, by=by)
    if ax is None:
        ax = new_axes(width, aspect or min(0.35 + 0.1 * len(table), 1.2))
    y = np.arange(len(table), dtype=float)[::-1]
    left = np.zeros(len(table))
    for tier, col in zip(ENDINGS, TIER_COLUMNS, strict=True):
        share = table[col].to_numpy(dtype=float)
        kw: dict[str, Any] = {
            "height": 0.7,
            "color": TIER_COLOURS[tier],
            "edgecolor": "white",
            "linewidth": 0.5,
            "hatch": {"abandoned": "////", "open": "...."}.get(tier),
        }
        kw.update(style)
        ax.barh(y, share, left=left, label=ENDING_LABELS[tier], gid=f"tier:{tier}", **kw)
        for yi, li, si in zip(y, left, share, strict=True):
            if si >= annotate_min:
                ax.text(
                    li + si / 2,
                    yi,
                    f"{si:.0%}",
                    ha="center",
                    va="center",
                    fontsize=6,
                    color=text_colour_on(TIER_COLOURS[tier]),
                )
        left = left + share
    ax.set_yticks(
        y, [f"{scenario_label(g)} (n={n})" for g, n in zip(table.index, table["n"], strict=True)]
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(table) - 0.4)
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    ax.set_xlabel(label_for("tier_share"))
    ax.grid(False)
    ax.tick_params(axis="y", length=0)
    place_legend(ax, "top", ncols=4)
    return ax
