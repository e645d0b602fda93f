"""Forest plot of paired variant-minus-reference differences with confidence intervals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.report.labels import label_for
from sim.report.style import Width, figure_size, new_axes, place_legend, styled, subplots

Interval = Literal["ci", "boot", "both"]
_COLUMNS = {"ci": ("t_ci_low", "t_ci_high"), "boot": ("boot_ci_low", "boot_ci_high")}


def _n_label(variant: Any, n: pd.Series) -> str:
    """Tick text `variant (n=k)`, with a range when outcomes dropped different pairs."""
    vals = sorted({int(v) for v in n.dropna()})
    if not vals:
        return str(variant)
    k = str(vals[0]) if len(vals) == 1 else f"{vals[0]}\u2013{vals[-1]}"
    return f"{variant} (n={k})"


def _draw_forest(
    ax: Axes, table: pd.DataFrame, outcome: str, interval: Interval, **style: Any
) -> None:
    """One outcome: a row per variant, interval as a line, mean as a dot, zero as a rule.

    A filled dot marks an interval that excludes zero, an open dot one that does not - a
    cue that survives greyscale and colour-vision deficiency.
    """
    y = np.arange(len(table), dtype=float)[::-1]  # first variant on top
    mean = table["mean_diff"].to_numpy(dtype=float)
    kinds = ["ci", "boot"] if interval == "both" else [interval]
    for k, kind in enumerate(kinds):
        lo_col, hi_col = _COLUMNS[kind]
        dy = 0.0 if len(kinds) == 1 else (0.12 if k == 0 else -0.12)
        ax.hlines(
            y + dy,
            table[lo_col].to_numpy(dtype=float),
            table[hi_col].to_numpy(dtype=float),
            color="black" if kind == "ci" else "0.45",
            linewidth=1.2 if kind == "ci" else 0.8,
            label="95% t-CI" if kind == "ci" else "95% bootstrap CI",
            gid=f"interval:{kind}",
        )
    lo, hi = (table[c].to_numpy(dtype=float) for c in _COLUMNS[kinds[0]])
    excludes_zero = (lo > 0) | (hi < 0)
    kw: dict[str, Any] = {"s": 16, "zorder": 3, "linewidths": 0.8, "edgecolors": "black"}
    kw.update(style)
    ax.scatter(
        mean,
        y,
        c=np.where(excludes_zero, "black", "white"),
        gid="mean_diff",
        **kw,
    )
    ax.axvline(0.0, color="0.4", linewidth=0.7, linestyle="-", zorder=1)
    ax.set_yticks(
        y, [_n_label(v, table.loc[table["variant"] == v, "n_pairs"]) for v in table["variant"]]
    )
    ax.set_ylim(y.min() - 0.6, y.max() + 0.6)
    ax.grid(False, axis="y")
    ax.set_xlabel(f"\u0394 {label_for(outcome)}")
    ax.tick_params(axis="y", length=0)


@styled
def plot_forest(
    comparisons: pd.DataFrame,
    outcome: str | Sequence[str] | None = None,
    ax: Axes | None = None,
    *,
    interval: Interval = "ci",
    width: Width | None = None,
    aspect: float | None = None,
    **style: Any,
) -> Axes | Figure:
    """Paired differences (variant - reference) with intervals per variant, zero line.

    One outcome (given, or the only one in the table) -> drawn on ``ax``, returns the Axes.
    Several outcomes -> a new figure with one panel per outcome sharing the variant axis,
    returns the Figure (``ax`` must then be None). ``interval`` picks the t-interval
    (``t_ci_low``/``t_ci_high``), the bootstrap one, or both. ``style`` goes to the mean markers.
    """
    if interval not in ("ci", "boot", "both"):
        raise ValueError(f"interval must be 'ci', 'boot' or 'both', got {interval!r}")
    outcomes = (
        list(dict.fromkeys(comparisons["outcome"]))
        if outcome is None
        else [outcome]
        if isinstance(outcome, str)
        else list(outcome)
    )
    if not outcomes:
        raise ValueError("no outcomes to plot")
    missing = set(outcomes) - set(comparisons["outcome"])
    if missing:
        raise KeyError(f"outcomes not in comparisons: {sorted(missing)}")
    variants = list(dict.fromkeys(comparisons["variant"]))
    rows = max(len(variants), 1)

    def table_for(o: str, keep: list[Any]) -> pd.DataFrame:
        sub = comparisons[comparisons["outcome"] == o].drop_duplicates("variant")
        return sub.set_index("variant").reindex(keep).rename_axis("variant").reset_index()

    if len(outcomes) == 1:
        if ax is None:
            w = width or "single"
            ax = new_axes(w, aspect or (0.9 + 0.3 * rows) / figure_size(w)[0])
        present = set(comparisons.loc[comparisons["outcome"] == outcomes[0], "variant"])
        table = table_for(outcomes[0], [v for v in variants if v in present])
        _draw_forest(ax, table, outcomes[0], interval, **style)
        if interval == "both":
            place_legend(ax, "top", ncols=2)
        return ax
    if ax is not None:
        raise ValueError("several outcomes need their own figure; pass ax=None or one outcome")
    ncols = len(outcomes)
    w = width or "double"
    fig, axes = subplots(
        1, ncols, width=w, aspect=aspect or (0.9 + 0.3 * rows) / figure_size(w)[0], sharey=True
    )
    shown = comparisons[comparisons["outcome"].isin(outcomes)]
    labels = [_n_label(v, shown.loc[shown["variant"] == v, "n_pairs"]) for v in variants]
    for o, panel in zip(outcomes, axes[0], strict=True):
        _draw_forest(panel, table_for(o, variants), o, interval, **style)
    axes[0][0].set_yticks(np.arange(len(variants), dtype=float)[::-1], labels)
    for panel in axes[0][1:]:
        panel.tick_params(axis="y", labelleft=False)
    if interval == "both":
        fig.legend(*axes[0][0].get_legend_handles_labels(), loc="outside upper center", ncols=2)
    return fig
