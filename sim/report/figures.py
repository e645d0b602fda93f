"""The paper figures, one builder each (`timeseries_figure`, `forest_figure`, ...).

Each takes tables (from `sim.report.load(DIR)` or `load_sweep`) and returns a Figure, so
experiment scripts and notebooks compose the same figures the report draws.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.report.labels import label_for
from sim.report.layout import (
    STEPS,
    band_note,
    clip_to_range,
    em,
    figure_legend,
    fit_labels,
    forest_grid,
    grow_for_legends,
    label_reforms,
    panel_grid,
    parameter_label,
    relabel_variants,
    width_in,
)
from sim.report.plots import (
    plot_heatmap,
    plot_morris,
    plot_network,
    plot_resolution_ecdf,
    plot_sobol,
    plot_tier_shares,
    plot_timeseries,
)
from sim.report.scenarios import scenario_label
from sim.report.stats import MIN_REPLICATES
from sim.report.style import (
    DOUBLE_COLUMN,
    OKABE_ITO,
    SINGLE_COLUMN,
    Width,
    figure,
    place_legend,
    styled,
    subplots,
)

TIMESERIES_OUTCOMES = (
    "resolution_rate_cumulative",
    "disputes_open",
    "participation_rate",
    "mean_grievance",
    "trust_mediation",
)
"""Panels of the time-series figure (those the timeseries table has), in this order."""

MAX_BAND_GROUPS = 4  # more scenarios than this: time series without CI bands
NETWORK_MAX_NODES = 480  # networkx's spring layout gets ~20x slower above 500 nodes
NETWORK_VALUES = {"trust": "trust_party", "participation": "participated"}


@styled
def timeseries_figure(
    ts: pd.DataFrame,
    outcomes: Sequence[str] = TIMESERIES_OUTCOMES,
    reforms: Sequence[tuple[float, str]] = (),
    *,
    width: Width = "single",
    by: str = "scenario",
) -> Figure:
    """Panels of `plot_timeseries`, one per outcome, sharing time axis and one legend.

    With more than `MAX_BAND_GROUPS` groups only the means are drawn (the bands would
    merge). Reform markers (``(step, tag)``) are dashed lines in every panel; their tags sit above
    the top row only (see `label_reforms`) so they never run into the panel above.
    """
    outcomes = [o for o in outcomes if o in ts.columns and ts[o].notna().any()]
    if not outcomes:
        raise ValueError("none of the outcomes is in the timeseries table")
    nrows, ncols = panel_grid(len(outcomes), width)
    panel_w = width_in(width) / ncols
    height = nrows * min(max(0.72 * panel_w, 1.25), 1.7) * em() + 0.45
    fig, axes = subplots(nrows, ncols, width=width, aspect=height / width_in(width), sharex=True)
    lines = [(s, "") for s, _ in reforms]  # dashed lines here, labels placed below
    crowded = ts[by].nunique() > MAX_BAND_GROUPS
    for i, (outcome, ax) in enumerate(zip(outcomes, axes.flat, strict=False)):
        plot_timeseries(ts, outcome, ax=ax, by=by, reforms=lines or None)
        if (legend := ax.get_legend()) is not None:
            legend.remove()
        if crowded:  # overlapping translucent bands merge into one dark smear
            for band in [c for c in ax.collections if str(c.get_gid()).startswith("band:")]:
                band.remove()
            ax.relim()
            ax.autoscale_view()
        clip_to_range(ax, outcome)
        ax.set_ylabel(label_for(outcome))
        if i + ncols < len(outcomes):
            ax.set_xlabel("")
    for ax in axes.flat[len(outcomes) :]:
        ax.remove()
    axes.flat[0].xaxis.set_major_locator(MaxNLocator(nbins=6, steps=STEPS))  # shared x
    if "run" in ts:
        runs = ts.groupby(by)["run"].nunique()
    else:  # one row per run and step
        runs = ts.groupby([by, "step"]).size().groupby(level=0).max()
    interval = band_note(runs, crowded)
    if ts[by].nunique() > 1 or interval:
        figure_legend(fig, axes.flat[0], max_cols=4 if width == "double" else 3, extra=interval)
    if reforms:
        fig.draw_without_rendering()
        for ax in axes.flat[: min(ncols, len(outcomes))]:
            label_reforms(ax, reforms)
    return fit_labels(fig)


@styled
def forest_figure(
    comparisons: pd.DataFrame,
    outcomes: Sequence[str] | None = None,
    *,
    width: Width = "double",
    reference: str | None = None,
) -> Figure:
    """One forest panel per outcome in a grid; rows are variants, labelled on the left.

    Row heights are sized for the variants plus a two-line axis label, so panels never
    collapse at column width. A legend above names the reference and the interval (the
    t-interval), and says when a row has none (fewer than `MIN_REPLICATES` pairs).
    """
    from sim.report.plots import plot_forest

    chosen = list(outcomes or dict.fromkeys(comparisons["outcome"]))
    chosen = [o for o in chosen if o in set(comparisons["outcome"])]
    if not chosen:
        raise ValueError("no outcomes to plot")
    n_variants = comparisons["variant"].nunique()
    nrows, ncols = forest_grid(comparisons, len(chosen), width)
    row_h = (0.2 + 0.2 * n_variants + (0.65 if width == "single" else 0.5)) * em()
    total = nrows * row_h + 0.05
    fig, axes = subplots(nrows, ncols, width=width, aspect=total / width_in(width), sharey=True)
    for i, (outcome, ax) in enumerate(zip(chosen, axes.flat, strict=False)):
        plot_forest(comparisons, outcome=outcome, ax=ax)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=STEPS))
        if i % ncols:
            ax.tick_params(axis="y", labelleft=False)
    relabel_variants(axes.flat[0])
    for ax in axes.flat[len(chosen) :]:
        ax.remove()
    if reference is None and "reference" in comparisons and len(comparisons):
        reference = str(comparisons["reference"].iloc[0])
    against = f" from {scenario_label(reference)}" if reference else ""
    entries = [
        (
            Line2D(
                [],
                [],
                color="black",
                linewidth=1.2,
                marker="o",
                markerfacecolor="white",
                markersize=4,
            ),
            f"mean paired difference{against}, 95% t-interval",
        )
    ]
    if (comparisons["n_pairs"] < MIN_REPLICATES).any():
        entries.append(
            (Line2D([], [], linestyle="none"), f"no interval: fewer than {MIN_REPLICATES} pairs")
        )
    fig.legend(*zip(*entries, strict=True), loc="outside upper center", ncols=1)
    grow_for_legends(fig, 0.0)
    return fit_labels(fig)


@styled
def morris_figure(indices: pd.DataFrame, *, width: Width = "single") -> Figure:
    """Morris screening of one outcome: mu* bars with CIs above (single) or beside (double)
    mu* against sigma.

    Each panel sits in its own subfigure so the long parameter names of the bars do not
    squeeze the scatter, which aligned axes in one grid would.
    """
    n = len(indices)
    bars_h = (0.75 + 0.17 * n) * em()
    if width == "single":
        fig = figure(width, (bars_h + 2.4) / SINGLE_COLUMN)
        subs = fig.subfigures(2, 1, height_ratios=[bars_h, 2.4])
    else:
        fig = figure(width, max(bars_h, 2.6) / DOUBLE_COLUMN)
        subs = fig.subfigures(1, 2, width_ratios=[1, 1])
    top, bottom = np.asarray(subs).ravel()
    plot_morris(indices, ax=top.add_subplot(), kind="bars")
    scatter = plot_morris(indices, ax=bottom.add_subplot(), kind="scatter")
    _diagonal_in_legend(scatter)
    return fit_labels(fig)


def _diagonal_in_legend(ax: Axes) -> None:
    """Name the sigma = mu* line in a legend above the axes instead of at its tip.

    The tip label lands on the most influential parameter whenever that point lies near
    the diagonal, which is common.
    """
    for text in list(ax.texts):
        if text.get_text().startswith("\u03c3 ="):
            text.remove()
    for line in ax.get_lines():
        if line.get_linestyle() == "--":
            line.set_label("\u03c3 = \u03bc* (above: non-linear or interacting)")
    place_legend(ax, "top", ncols=1)


@styled
def sobol_figure(indices: pd.DataFrame, *, width: Width = "single") -> Figure:
    """Sobol S1 and ST with CIs for one outcome, the axis kept near [0, 1].

    Indices are shares of variance; intervals of a small design can span +-20 and would
    flatten every bar, so they are cut at -0.25 and 1.25.
    """
    fig = figure(width, (0.9 + 0.22 * len(indices)) * em() / width_in(width))
    ax = plot_sobol(indices, ax=fig.add_subplot())
    lo, hi = ax.get_xlim()
    ax.set_xlim(max(lo, -0.25), min(hi, 1.25))  # indices are shares; wild CIs of small n
    return fit_labels(fig)


def community_graph(
    nodes: pd.DataFrame, edges: pd.DataFrame, max_nodes: int = NETWORK_MAX_NODES
) -> tuple[nx.Graph, pd.DataFrame]:
    """The residents of the first courtyards of the community, up to ``max_nodes``.

    Whole courtyards are kept (they are the social units), in courtyard order, so the same
    run always gives the same picture.
    """
    sizes = nodes.groupby("courtyard").size().sort_index()
    keep = sizes.index[sizes.cumsum() <= max_nodes]
    if len(keep) == 0:
        keep = sizes.index[:1]
    chosen = nodes[nodes["courtyard"].isin(keep)].sort_values("resident")
    ids = set(chosen["resident"])
    graph: nx.Graph = nx.Graph()
    graph.add_nodes_from(chosen["resident"])
    inside = edges[edges["source"].isin(ids) & edges["target"].isin(ids)]
    graph.add_edges_from(inside[["source", "target"]].itertuples(index=False, name=None))
    return graph, chosen


@styled
def network_figure(
    nodes: pd.DataFrame,
    graph: nx.Graph,
    colour_by: str = "trust",
    *,
    width: Width = "single",
    window_weeks: int | None = None,
) -> Figure:
    """The graph coloured by trust in the Party organisation or by recent participation.

    Participation is yes/no, so it gets two colours and a legend rather than a colourbar:
    participants in blue over light-grey non-participants.
    """
    column = NETWORK_VALUES[colour_by]
    values = dict(zip(nodes["resident"], nodes[column].astype(float), strict=True))
    fig = figure(width, 0.85 if width == "single" else 0.55)
    ax = fig.add_subplot()
    if colour_by != "participation":
        plot_network(graph, values, ax=ax, label=column)
        return fit_labels(fig)
    colours = ["#CCCCCC", OKABE_ITO["blue"]]
    plot_network(graph, values, ax=ax, label=column, vmin=0, vmax=1)
    dots = next(c for c in ax.collections if c.get_gid() == "nodes")
    dots.set_cmap(ListedColormap(colours))
    if dots.colorbar is not None:
        dots.colorbar.remove()
    window = f" in the last {window_weeks} weeks" if window_weeks else " recently"
    handles = [
        Line2D([], [], linestyle="", marker="o", markersize=4, color=c, label=text)
        for c, text in zip(colours, ["did not take part", f"took part{window}"], strict=True)
    ]
    fig.legend(handles=handles, loc="outside upper center", ncols=2)
    return fit_labels(fig)


@styled
def tier_figure(done: pd.DataFrame, *, width: Width = "single") -> Figure:
    """`plot_tier_shares` in a figure as tall as its bars plus however many rows its
    legend needs (drawn once at a generous height, then trimmed to fit)."""
    n = done["scenario"].nunique()
    body = (0.6 + 0.28 * n) * em()  # bars, ticks and axis label, without the legend
    fig = figure(width, (body + 1.5 * em()) / width_in(width))  # room to lay out first
    plot_tier_shares(done, ax=fig.add_subplot())
    fig.draw_without_rendering()
    legends = sum(legend.get_window_extent().height for legend in fig.legends) / fig.dpi
    fig.set_size_inches(width_in(width), body + legends + 0.05)
    return fit_labels(fig)


@styled
def heatmap_figure(runs: pd.DataFrame, x: str, y: str, outcome: str, *, width: Width) -> Figure:
    fig = figure(width, 0.8 if width == "single" else 0.5)
    ax = fig.add_subplot()
    plot_heatmap(runs, x, y, outcome, ax=ax)
    ax.set_xlabel(parameter_label(x))
    ax.set_ylabel(parameter_label(y))
    return fit_labels(fig)


def long_tailed(times: pd.Series) -> bool:
    """Whether resolution times span so many scales that a linear axis hides the body."""
    t = times[times > 0]
    return len(t) > 1 and float(t.quantile(0.99)) > 10 * float(t.median())


@styled
def ecdf_figure(disputes: pd.DataFrame, *, width: Width = "single") -> Figure:
    """`plot_resolution_ecdf` on a log time axis when the tail is long (see `long_tailed`).

    On a log axis the curves start at the 0.5th percentile so a few near-instant
    settlements do not stretch the axis over decades of empty space.
    """
    fig = figure(width, 0.75 if width == "single" else 0.42)
    logx = long_tailed(disputes["time_to_resolution"])
    ax = plot_resolution_ecdf(disputes, ax=fig.add_subplot(), logx=logx)
    for old in [*fig.legends, ax.get_legend()]:  # plot's own legend: re-placed below
        if old is not None:
            old.remove()
    figure_legend(fig, ax, max_cols=2 if width == "single" else 3)
    if logx:
        times = disputes["time_to_resolution"]
        ax.set_xlim(left=float(times[times > 0].quantile(0.005)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.set_xlabel("time to resolution (weeks, log scale)")
    return fit_labels(fig)
