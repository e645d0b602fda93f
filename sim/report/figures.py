"""`jiceng-report figures DIR`: the paper figures, tables and captions of a run or a sweep.

`build_report(DIR)` loads (aggregating first when the tables are missing or older than the
run folders), decides which figures the sweep supports, and writes

    DIR/report/figures/<name>_<single|double>.{pdf,svg,png}
    DIR/report/tables/summary.{csv,md,tex}, comparisons.{csv,md,tex}
    DIR/report/captions.md

Only completed runs are drawn; captions name the runs left out. The figure builders
(`timeseries_figure`, `forest_figure`, ...) are public so experiment scripts and notebooks
can compose the same figures from `sim.report.load(DIR)`.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from matplotlib.axes import Axes
from matplotlib.axis import XAxis, YAxis
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.files import remove_debris, write_text
from sim.report.aggregate import (
    RUNS,
    AggregateError,
    SweepTables,
    compare,
    default_outcomes,
    load,
    read_run,
    sensitivity_report,
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
from sim.report.stats import MIN_REPLICATES, summarise
from sim.report.style import (
    DOUBLE_COLUMN,
    OKABE_ITO,
    SINGLE_COLUMN,
    STYLE_NAMES,
    Width,
    figure,
    label_for,
    place_legend,
    save_figure,
    scenario_label,
    scenario_order,
    styled,
    subplots,
    use_style,
)
from sim.report.tables import write_table

TIMESERIES_OUTCOMES = (
    "resolution_rate_cumulative",
    "disputes_open",
    "participation_rate",
    "mean_grievance",
    "trust_mediation",
)
"""Panels of the time-series figure (those the timeseries table has), in this order."""

SUMMARY_OUTCOMES = (
    "resolution_rate",
    "open_at_end",
    "grassroots_mediation_share",
    "mean_time_to_resolution",
    "petitions",
    "litigation",
    "participation_rate",
    "mean_grievance",
    "trust_party",
    "trust_mediation",
    "peoples_mediation_success",
    "council_decisions",
    "government_cost_per_week",
)
"""Rows of the summary table (those present in runs.parquet)."""

FOREST_OUTCOMES = (
    "resolution_rate",
    "mean_time_to_resolution",
    "petitions",
    "litigation",
    "participation_rate",
    "trust_mediation",
)
"""Panels of the forest plot: the paired comparisons a paper reports first."""

HEATMAP_OUTCOMES = ("resolution_rate", "grassroots_mediation_share", "participation_rate")
DEFAULT_REFERENCE = "chengdu_2014"
MAX_BAND_GROUPS = 4  # more scenarios than this: time series without CI bands
MAX_FOREST_VARIANTS = 12  # more rows than this is a table, not a figure (grids, designs)
NETWORK_MAX_NODES = 480  # networkx's spring layout gets ~20x slower above 500 nodes
NETWORK_VALUES = {"trust": "trust_party", "participation": "participated"}
ECDF_MAX_POINTS = 20_000  # per scenario; a DKW band of +-0.01 at 95%, files stay small
WIDTHS: dict[str, tuple[Width, ...]] = {
    "single": ("single",),
    "double": ("double",),
    "both": ("single", "double"),
}
STEPS = [1, 2, 2.5, 5, 10]  # tick steps for thinned axes (MaxNLocator's "nice" numbers)
FORMATS = ("pdf", "svg", "png", "eps", "ps", "jpg", "jpeg", "tif", "tiff", "webp")


class ReportError(AggregateError):
    """A folder or option the report cannot use; the message is one line naming the fix."""


# ------------------------------------------------------------------ loading


@dataclass
class Sweep:
    """A sweep's tables split into the completed runs drawn and the runs left out."""

    root: Path
    tables: SweepTables
    single_run: bool

    @property
    def runs(self) -> pd.DataFrame:
        return self.tables.runs

    @property
    def done(self) -> pd.DataFrame:
        return self.tables.completed

    @property
    def excluded(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] != "completed"]

    @property
    def unreadable(self) -> pd.DataFrame:
        """Runs left out because a file of theirs could not be read."""
        return self.tables.unreadable

    @property
    def timeseries(self) -> pd.DataFrame:
        ts = self.tables.timeseries
        return ts[ts["run"].isin(set(self.done["run"]))] if "run" in ts else ts

    def folder(self, run: str) -> Path:
        """The folder of a run named in runs.parquet (the root itself for a single run)."""
        return self.root if self.single_run else self.root / run


def _single_run_tables(root: Path) -> SweepTables:
    """Tables of one run folder built in memory, so the run's own files stay untouched."""
    run = read_run(root, root)
    runs = pd.DataFrame([run.row])
    ts = pd.DataFrame({"run": [], "variant": [], "scenario": [], "seed": [], "step": []})
    if run.completed and (root / "timeseries.parquet").is_file():
        ts = pd.read_parquet(root / "timeseries.parquet")
        ids = {k: run.row.get(k) for k in ("run", "variant", "scenario", "seed")}
        ts = ts.drop(columns=[c for c in ids if c in ts.columns])
        for position, (key, value) in enumerate(ids.items()):
            ts.insert(position, key, value)
    return SweepTables(
        root=root,
        runs=runs,
        outcomes=run.outcomes,
        parameters=run.parameters,
        _timeseries=ts,
    )


def _describe_status(runs: pd.DataFrame) -> str:
    counts = runs["status"].value_counts()
    return ", ".join(f"{n} {status}" for status, n in counts.items())


def load_sweep(path: str | Path) -> Sweep:
    """A run or sweep folder ready to report: aggregated, with at least one completed run."""
    root = Path(path)
    if not root.is_dir():
        raise ReportError(f"{root} is not a folder; pass a sweep folder or a run folder")
    single = (root / "meta.json").exists()
    if single:
        tables = _single_run_tables(root)
    else:
        try:
            tables = load(root)  # aggregated again when older than a run file
        except AggregateError as exc:
            if "unreadable" not in str(exc):
                raise
            tables = load(root, refresh=True)  # a corrupt runs.parquet is derived data
    sweep = Sweep(root=root, tables=tables, single_run=single)
    if "status" not in sweep.runs:
        raise ReportError(
            f"{root / RUNS} has no status column; rebuild it with jiceng-report aggregate {root}"
        )
    if sweep.done.empty:
        raise ReportError(
            f"no completed runs in {root} ({_describe_status(sweep.runs)}{_first_error(sweep)}); "
            "fix the cause (see the runs' traceback.txt) and rerun the sweep"
        )
    return sweep


def _first_error(sweep: Sweep) -> str:
    """`; first: RUN: ERROR` from the runs table, to say what went wrong in one line."""
    if "error" not in sweep.runs:
        return ""
    errors = sweep.runs.dropna(subset=["error"])
    if errors.empty:
        return ""
    run, error = errors.iloc[0][["run", "error"]]
    return f"; first: {run}: {str(error).splitlines()[0] if str(error) else 'error'}"


# ------------------------------------------------------------------ what the sweep holds


def grid_parameters(sweep: Sweep) -> list[str]:
    """Numeric parameters that vary between runs of the same scenario (the swept ones).

    Parameters that differ only between scenarios are scenario definitions, not a grid.
    """
    done = sweep.done
    out = []
    for p in sweep.tables.parameters:
        if p not in done or p == "seed":
            continue
        column = done[p]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        if done.groupby("scenario")[p].nunique(dropna=True).max() > 1:
            out.append(p)
    return out


def is_sensitivity(sweep: Sweep) -> bool:
    return (sweep.root / "sensitivity" / "spec.json").is_file()


def reforms_of(runs: pd.DataFrame) -> list[tuple[int, str, list[str]]]:
    """(step, label, scenarios) of every timeline reform among the runs, by step."""
    if "timeline" not in runs:
        return []
    found: dict[tuple[int, str], list[str]] = {}
    for scenario, text in runs[["scenario", "timeline"]].drop_duplicates().itertuples(index=False):
        try:
            timeline = json.loads(text) if isinstance(text, str) else []
        except ValueError:
            continue
        for reform in timeline if isinstance(timeline, list) else []:
            if isinstance(reform, dict) and "step" in reform:
                key = (int(reform["step"]), str(reform.get("label", "")))
                found.setdefault(key, []).append(str(scenario))
    return [(s, label, sorted(set(names))) for (s, label), names in sorted(found.items())]


def short_reform_labels(labels: Sequence[str]) -> list[str]:
    """Marker text: each label's first word (e.g. its year) when unique and short, else R1...

    Full labels do not fit above a column-wide axis once reforms are a year apart; the
    caption spells them out.
    """
    first = [label.split()[0] if label.split() else "" for label in labels]
    if all(0 < len(w) <= 6 for w in first) and len(set(first)) == len(first):
        return first
    return [f"R{i}" for i in range(1, len(labels) + 1)]


@cache
def _parameter_units() -> dict[str, str]:
    from sim.config import SimConfig
    from sim.params import iter_schema

    return {name: meta.unit for name, _, meta in iter_schema(SimConfig) if meta is not None}


def parameter_label(name: str) -> str:
    """Axis text for a dotted parameter: its name with the unit declared in the schema."""
    unit = _parameter_units().get(name)
    return f"{name} ({unit})" if unit and unit not in ("-", "text", "name", "choice") else name


# ------------------------------------------------------------------ figure builders


def _label_length(text: Text) -> float:
    box = text.get_window_extent()
    return float(max(box.width, box.height))


def _fit_label(text: Text, limit: float) -> bool:
    """Re-wrap an axis label onto more lines (whole words) until it is at most ``limit``
    pixels long; returns whether the text changed."""
    flat = " ".join(text.get_text().split())
    if not flat or _label_length(text) <= limit:
        return False
    before = text.get_text()
    longest = max(len(word) for word in flat.split())
    for chars in range(len(flat) - 1, longest - 1, -1):
        text.set_text("\n".join(textwrap.wrap(flat, chars, break_long_words=False)))
        if _label_length(text) <= limit:
            break
    return text.get_text() != before


def _tick_labels(axis: XAxis | YAxis) -> list[Text]:
    """Major tick labels inside the axis limits (the locator also returns a few outside)."""
    lo, hi = sorted(axis.get_view_interval())
    ticks = axis.get_major_ticks()
    locs = axis.get_majorticklocs()
    shown = []
    for tick, loc in zip(ticks, locs, strict=False):
        for label in (tick.label1, tick.label2):  # label2: right/top axes, e.g. colourbars
            if lo <= loc <= hi and label.get_visible() and label.get_text():
                shown.append(label)
    return shown


def _crowded(axis: XAxis | YAxis, pad: float) -> bool:
    """Whether neighbouring tick labels are less than ``pad`` pixels apart."""
    boxes = [t.get_window_extent() for t in _tick_labels(axis)]
    spans = sorted((b.x0, b.x1) if axis.axis_name == "x" else (b.y0, b.y1) for b in boxes)
    return any(nxt[0] - prev[1] < pad for prev, nxt in pairwise(spans))


def fit_labels(fig: Figure) -> Figure:
    """Make text fit at print size: wrap long axis labels, thin crowded numeric ticks.

    Axis labels longer than their axes are broken onto more lines; an axis whose numeric
    tick labels touch gets fewer ticks. Runs after a layout pass, so it measures the
    sizes the saved figure will have.
    """
    for _ in range(4):  # each change moves the layout: measure again until nothing moves
        fig.draw_without_rendering()
        pad = 2.0 * fig.dpi / 72  # 2 pt between tick labels
        changed = False
        for ax in fig.axes:
            box = ax.get_window_extent()
            changed |= _fit_label(ax.xaxis.label, box.width * 1.05)
            changed |= _fit_label(ax.yaxis.label, box.height * 1.05)
            for axis in (ax.xaxis, ax.yaxis):
                locator = axis.get_major_locator()
                if isinstance(locator, MaxNLocator) and _crowded(axis, pad):
                    fewer = max(len(_tick_labels(axis)) - 2, 2)
                    axis.set_major_locator(MaxNLocator(nbins=fewer, steps=STEPS))
                    changed = True
        if not changed:
            break
    return fig


def _points(key: Literal["font.size", "ytick.labelsize"]) -> float:
    """An rc font size in points (styles may give names such as "medium")."""
    return float(FontProperties(size=mpl.rcParams[key]).get_size_in_points())


def _em() -> float:
    """Font size of the active style relative to the house 8 pt.

    Heights of text-bound boxes (rows of labels, bars) scale with it, so a style with
    larger type (SciencePlots: 10 pt) gets taller figures instead of collapsed axes.
    """
    return max(_points("font.size") / 8.0, 1.0)


def _forest_grid(comparisons: pd.DataFrame, n: int, width: Width) -> tuple[int, int]:
    """Panel grid of a forest figure: fewer columns when the row labels are wide.

    The variant labels take the left of the figure; each panel needs about an inch.
    """
    nrows, ncols = _panel_grid(n, width)
    longest = max(len(f"{variant_label(v)} (n=00)") for v in comparisons["variant"].unique())
    label_in = longest * 0.55 * _points("ytick.labelsize") / 72
    while ncols > 1 and (_width_in(width) - label_in - 0.2) / ncols < 1.0:
        ncols -= 1
    return math.ceil(n / ncols), ncols


def _panel_grid(n: int, width: Width) -> tuple[int, int]:
    ncols = 1 if n == 1 else (3 if width == "double" and n > 4 else 2)
    return math.ceil(n / ncols), ncols


def _width_in(width: Width) -> float:
    return SINGLE_COLUMN if width == "single" else DOUBLE_COLUMN if width == "double" else width


def _band_note(runs_per_group: pd.Series, crowded: bool) -> list[tuple[Any, str]]:
    """Legend entries saying what the shading is, or why a group has none."""
    if crowded or runs_per_group.empty:
        return []
    shade = Patch(facecolor="0.6", alpha=0.35, edgecolor="none")
    none = Line2D([], [], linestyle="none")
    few = runs_per_group < MIN_REPLICATES
    if few.all():
        return [(none, f"no interval: fewer than {MIN_REPLICATES} runs per scenario")]
    entries: list[tuple[Any, str]] = [(shade, "95% t-interval across runs")]
    if few.any():
        names = ", ".join(scenario_label(str(g)) for g in runs_per_group.index[few])
        entries.append((none, f"no interval for {names}: fewer than {MIN_REPLICATES} runs"))
    return entries


def _figure_legend(
    fig: Figure,
    ax: Axes,
    max_cols: int,
    budget: float = 0.3,
    extra: Sequence[tuple[Any, str]] = (),
) -> None:
    """One legend above all panels, in as few rows as fit the figure width.

    The figure grows by whatever the legend needs beyond ``budget`` inches, so a long
    legend (many scenarios) adds height instead of squashing the panels. ``extra`` adds
    (handle, label) entries after the axes' own, such as what a band means.
    """
    handles, labels = ax.get_legend_handles_labels()
    handles, labels = [*handles, *(h for h, _ in extra)], [*labels, *(t for _, t in extra)]
    if not handles:
        return
    for ncols in range(min(len(handles), max_cols), 0, -1):
        legend = fig.legend(handles, labels, loc="outside upper center", ncols=ncols)
        fig.draw_without_rendering()
        if ncols == 1 or legend.get_window_extent().width <= 0.98 * fig.bbox.width:
            break
        legend.remove()
    _grow_for_legends(fig, budget)


def natural_range(outcome: str) -> tuple[float, float]:
    """Values an outcome can take, read from its unit: shares in [0, 1], counts >= 0."""
    label = label_for(outcome)
    if "(share" in label or "(0\u20131)" in label:
        return 0.0, 1.0
    if "(count)" in label or "(weeks)" in label:
        return 0.0, math.inf
    return -math.inf, math.inf


def clip_to_range(ax: Axes, outcome: str) -> None:
    """Keep the y axis inside the outcome's possible values (a wide t band can overshoot)."""
    low, high = natural_range(outcome)
    y0, y1 = ax.get_ylim()
    lo, hi = max(y0, low), min(y1, high)
    pad = 0.03 * (hi - lo) if hi > lo else 0.0
    ax.set_ylim(max(y0, low - pad), min(y1, high + pad))


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
    nrows, ncols = _panel_grid(len(outcomes), width)
    panel_w = _width_in(width) / ncols
    height = nrows * min(max(0.72 * panel_w, 1.25), 1.7) * _em() + 0.45
    fig, axes = subplots(nrows, ncols, width=width, aspect=height / _width_in(width), sharex=True)
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
    interval = _band_note(runs, crowded)
    if ts[by].nunique() > 1 or interval:
        _figure_legend(fig, axes.flat[0], max_cols=4 if width == "double" else 3, extra=interval)
    if reforms:
        fig.draw_without_rendering()
        for ax in axes.flat[: min(ncols, len(outcomes))]:
            label_reforms(ax, reforms)
    return fit_labels(fig)


def label_reforms(ax: Axes, reforms: Sequence[tuple[float, str]], fontsize: float = 6) -> None:
    """Reform tags above the axes at their steps, stacked into rows so none touch.

    Each tag goes into the lowest row where it clears the tags already there by 2 pt;
    call after a layout pass so the measured positions are close to the final ones.
    """
    rows: list[list[Any]] = []
    pad = 2.0 * ax.figure.dpi / 72
    for step, tag in sorted(reforms, key=lambda r: r[0]):
        for row in range(len(rows) + 1):
            note = ax.annotate(
                tag,
                xy=(step, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 2 + (fontsize + 2) * row),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=fontsize,
                color="0.25",
                annotation_clip=False,
                gid=f"reform:{step:g}",
            )
            box = note.get_window_extent()
            if row == len(rows):
                rows.append([box])
                break
            if all(box.x1 + pad <= b.x0 or b.x1 + pad <= box.x0 for b in rows[row]):
                rows[row].append(box)
                break
            note.remove()


def variant_label(variant: str) -> str:
    """Short row text for a variant: a scenario's name, or `coverage=0.5, ...` for a grid
    cell (the last part of each dotted key)."""
    text = str(variant)
    if "=" not in text:
        return scenario_label(text)
    parts = [p.split("=", 1) for p in text.split(",") if "=" in p]
    return ", ".join(f"{k.rsplit('.', 1)[-1]}={v}" for k, v in parts)


def _relabel_variants(ax: Axes) -> None:
    """Replace `variant (n=k)` tick text with `variant_label(variant) (n=k)`."""
    labels = []
    for tick in ax.get_yticklabels():
        name, sep, n = tick.get_text().rpartition(" (n=")
        labels.append(f"{variant_label(name)}{sep}{n}" if sep else variant_label(n))
    ax.set_yticks(ax.get_yticks(), labels)


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
    nrows, ncols = _forest_grid(comparisons, len(chosen), width)
    row_h = (0.2 + 0.2 * n_variants + (0.65 if width == "single" else 0.5)) * _em()
    total = nrows * row_h + 0.05
    fig, axes = subplots(nrows, ncols, width=width, aspect=total / _width_in(width), sharey=True)
    for i, (outcome, ax) in enumerate(zip(chosen, axes.flat, strict=False)):
        plot_forest(comparisons, outcome=outcome, ax=ax)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=STEPS))
        if i % ncols:
            ax.tick_params(axis="y", labelleft=False)
    _relabel_variants(axes.flat[0])
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
    _grow_for_legends(fig, 0.0)
    return fit_labels(fig)


@styled
def morris_figure(indices: pd.DataFrame, *, width: Width = "single") -> Figure:
    """Morris screening of one outcome: mu* bars with CIs above (single) or beside (double)
    mu* against sigma.

    Each panel sits in its own subfigure so the long parameter names of the bars do not
    squeeze the scatter, which aligned axes in one grid would.
    """
    n = len(indices)
    bars_h = (0.75 + 0.17 * n) * _em()
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
    fig = figure(width, (0.9 + 0.22 * len(indices)) * _em() / _width_in(width))
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


def read_disputes(
    sweep: Sweep, runs: pd.DataFrame, limit: int | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Resolved disputes of the given runs (scenario, outcome, time), streamed per run folder.

    Reads only the two columns needed. With ``limit``, keeps a seeded Bernoulli sample of
    about ``limit`` disputes per scenario, with the rate set from the runs' `resolved`
    counts, so memory stays bounded however large the sweep. The ECDF of the
    sample is unbiased. A run whose file is missing or unreadable is skipped and named in
    the returned list.
    """
    rate = _sampling_rates(runs, limit)
    rng = np.random.default_rng(0)
    parts, skipped = [], []
    for run, scenario in runs[["run", "scenario"]].itertuples(index=False):
        path = sweep.folder(run) / "disputes.parquet"
        try:
            present = set(pq.read_schema(path).names)
            wanted = ["outcome", "time_to_resolution", "carried_over"]
            d = pd.read_parquet(path, columns=[c for c in wanted if c in present])
        except (OSError, ValueError):
            skipped.append(str(run))
            continue
        if "carried_over" in d:  # disputes from before week 0 (the burn-in) are not counted
            d = d[~d["carried_over"]]
        d = d[d["outcome"].astype(str) != "open"].dropna(subset=["time_to_resolution"])
        keep = rate.get(scenario, 1.0)
        if keep < 1.0:
            d = d[rng.random(len(d)) < keep]
        parts.append(
            pd.DataFrame(
                {
                    "scenario": scenario,
                    "outcome": d["outcome"].astype(str).to_numpy(),
                    "time_to_resolution": d["time_to_resolution"].to_numpy(dtype=float),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["scenario", "outcome", "time_to_resolution"]), skipped
    return pd.concat(parts, ignore_index=True), skipped


def _sampling_rates(runs: pd.DataFrame, limit: int | None) -> dict[Any, float]:
    """Share of resolved disputes to keep per scenario so about ``limit`` remain (1 = all).

    Only resolved disputes have a resolution time, so `resolved` sets the rate.
    """
    if limit is None or "resolved" not in runs.columns:
        return {}
    totals = runs["resolved"].fillna(0).groupby(runs["scenario"]).sum()
    return {s: min(1.0, limit / total) if total > 0 else 1.0 for s, total in totals.items()}


# ------------------------------------------------------------------ captions


def _ranges(values: Iterable[int]) -> str:
    """`0-4, 7, 9-10` for a set of integers."""
    nums = sorted({int(v) for v in values})
    out: list[str] = []
    start = prev = None
    for v in [*nums, None]:
        if start is not None and (v is None or v != prev + 1):  # type: ignore[operator]
            out.append(f"{start}" if start == prev else f"{start}\u2013{prev}")
            start = None
        if v is not None and start is None:
            start = v
        prev = v
    return ", ".join(out) or "none"


def provenance(runs: pd.DataFrame) -> str:
    """Runs, seeds and config hashes behind a figure, for its caption."""
    per = runs.groupby("scenario", sort=False).size()
    counts = ", ".join(f"{scenario_label(s)} {per[s]}" for s in scenario_order(per.index))
    text = f"Runs: {len(runs)} completed ({counts}). Seeds: {_ranges(runs['seed'])}."
    if "config_hash" in runs:
        pairs = runs[["variant", "config_hash"]].drop_duplicates().sort_values("variant")
        hashes = "; ".join(f"`{h}` ({v})" for v, h in pairs.itertuples(index=False))
        text += f" Config hashes: {hashes}."
    return text


def excluded_line(excluded: pd.DataFrame) -> str:
    """The caption line naming runs that are not drawn, or '' when every run completed."""
    if excluded.empty:
        return ""
    names = ", ".join(f"`{r}`" for r in excluded["run"])
    return (
        f"Excluded: {len(excluded)} run(s) that did not complete "
        f"({_describe_status(excluded)}): {names}."
    )


def unreadable_line(unreadable: pd.DataFrame) -> str:
    """The caption line naming runs whose files could not be read, and what failed."""
    if unreadable.empty:
        return ""
    what = "; ".join(f"`{r}` ({e})" for r, e in unreadable[["run", "error"]].itertuples(False))
    return (
        f"Unreadable: {len(unreadable)} run(s) with a file that could not be read, left out "
        f"of every figure and table: {what}. Re-running the sweep redoes them."
    )


# ------------------------------------------------------------------ planning


def _drawer(fn: Callable[..., Figure], *args: Any, **kw: Any) -> Callable[[Width], Figure]:
    """``fn(*args, width=w, **kw)`` as a function of the width alone (drawn once per width)."""

    def draw(width: Width) -> Figure:
        return fn(*args, width=width, **kw)

    return draw


@dataclass
class Planned:
    """A figure the report will draw: how (per width), what it shows, which runs."""

    name: str
    draw: Callable[[Width], Figure]
    what: str
    runs: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    figures: list[Planned] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    comparisons: pd.DataFrame | None = None
    reference: str | None = None


def choose_reference(sweep: Sweep, reference: str | None) -> str | None:
    """The comparison reference: the one asked for, else chengdu_2014, else the first variant.

    None when there is nothing to compare (one variant, or a sensitivity design).
    """
    variants = list(dict.fromkeys(sweep.done["variant"].astype(str)))
    if reference is not None:
        name = reference.removeprefix("scenario=")
        if name not in variants:
            raise ReportError(
                f"reference {reference!r} is not a variant of {sweep.root}; "
                f"pass --reference with one of: {', '.join(variants[:20])}"
            )
        return name
    if len(variants) < 2 or is_sensitivity(sweep):
        return None
    return DEFAULT_REFERENCE if DEFAULT_REFERENCE in variants else variants[0]


def _plan_timeseries(sweep: Sweep, plan: Plan) -> None:
    ts = sweep.timeseries
    outcomes = [o for o in TIMESERIES_OUTCOMES if o in ts.columns and ts[o].notna().any()]
    if ts.empty or not outcomes:
        plan.notes.append("Time series: the runs wrote no timeseries.parquet; figure omitted.")
        return
    reforms = reforms_of(sweep.done)
    short = short_reform_labels([label for _, label, _ in reforms])
    marks = [(float(s), tag) for (s, _, _), tag in zip(reforms, short, strict=True)]
    runs_per = sweep.done.groupby("scenario").size()
    few = runs_per[runs_per < MIN_REPLICATES]
    if len(runs_per) > MAX_BAND_GROUPS:
        band = f"(intervals omitted for more than {MAX_BAND_GROUPS} scenarios; see the tables)"
    elif len(few) == len(runs_per):
        band = f"(fewer than {MIN_REPLICATES} runs per scenario, so no interval)"
    else:
        band = "with its 95% t-interval (shaded; cut at the outcome's possible range)"
        if len(few):
            names = ", ".join(scenario_label(str(s)) for s in few.index)
            band += f"; no interval for {names} (fewer than {MIN_REPLICATES} runs)"
    pooled = "seeds" if (sweep.done.groupby("scenario")["variant"].nunique() < 2).all() else "runs"
    panels = ", ".join(label_for(o) for o in outcomes)
    what = (
        f"Mean trajectory per scenario across {pooled} {band}, per week. "
        f"Panels, left to right and top to bottom: {panels}."
    )
    if pooled == "runs":
        what += " Each scenario pools all its variants (grid cells or design points)."
    if reforms:
        listed = "; ".join(
            f"{'' if label.startswith(tag) else f'{tag} = '}week {s}: {label} ({', '.join(names)})"
            for (s, label, names), tag in zip(reforms, short, strict=True)
        )
        what += f" Dashed lines mark reforms switching on: {listed}."
    plan.figures.append(
        Planned(
            "timeseries",
            _drawer(timeseries_figure, ts, outcomes, marks),
            what,
            sweep.done,
        )
    )


def forest_outcomes(sweep: Sweep) -> list[str]:
    """The `FOREST_OUTCOMES` that vary across the completed runs (a constant has no CI)."""
    varying = set(default_outcomes(sweep.tables))
    return [o for o in FOREST_OUTCOMES if o in varying]


def _plan_forest(sweep: Sweep, plan: Plan, reference: str | None) -> None:
    if reference is None:
        return
    done = sweep.done
    outcomes = forest_outcomes(sweep)
    ref_seeds = set(done.loc[done["variant"] == reference, "seed"])
    shared = done[(done["variant"] != reference) & done["seed"].isin(ref_seeds)]
    if not outcomes or shared.groupby("variant")["seed"].nunique().max() < 2:
        plan.notes.append(
            f"Paired comparisons: no variant shares two or more seeds with {reference}; "
            "forest plot and comparisons table omitted."
        )
        return
    table = compare(sweep.tables, reference, outcomes)
    plan.comparisons, plan.reference = table, reference
    n_variants = table["variant"].nunique()
    if n_variants > MAX_FOREST_VARIANTS:
        plan.notes.append(
            f"Forest plot omitted: {n_variants} variants are too many rows; see tables/comparisons."
        )
        return
    what = (
        f"Paired difference (variant minus {reference}, same seeds) of the mean outcome with "
        "its 95% Student t-interval; one panel per outcome. Filled dots: the interval "
        "excludes zero. n = number of seed pairs."
    )
    if (table["n_pairs"] < MIN_REPLICATES).any():
        what += f" Rows with fewer than {MIN_REPLICATES} pairs have no interval."
    used = done[done["variant"].isin({reference, *table["variant"]})]
    draw = _drawer(forest_figure, table, outcomes, reference=reference)
    plan.figures.append(Planned("forest", draw, what, used))


def _plan_tiers(sweep: Sweep, plan: Plan) -> None:
    from sim.report.plots.tiers import TIER_COLUMNS

    done = sweep.done
    if any(c not in done for c in TIER_COLUMNS):
        plan.notes.append("Tier shares: runs lack ended_* outcomes; figure omitted.")
        return
    used = done.dropna(subset=TIER_COLUMNS)
    what = (
        "Where disputes end: mean share of the disputes that arose ending at each tier "
        "(self-resolved, courtyard, community, grand mediation, litigation, petition) or "
        "abandoned, or still open, per scenario; n = runs. Shares of 10% or more are printed."
    )
    plan.figures.append(Planned("tier_shares", _drawer(tier_figure, done), what, used))


@styled
def tier_figure(done: pd.DataFrame, *, width: Width = "single") -> Figure:
    """`plot_tier_shares` in a figure as tall as its bars plus however many rows its
    legend needs (drawn once at a generous height, then trimmed to fit)."""
    n = done["scenario"].nunique()
    body = (0.6 + 0.28 * n) * _em()  # bars, ticks and axis label, without the legend
    fig = figure(width, (body + 1.5 * _em()) / _width_in(width))  # room to lay out first
    plot_tier_shares(done, ax=fig.add_subplot())
    fig.draw_without_rendering()
    legends = sum(legend.get_window_extent().height for legend in fig.legends) / fig.dpi
    fig.set_size_inches(_width_in(width), body + legends + 0.05)
    return fit_labels(fig)


def _grow_for_legends(fig: Figure, budget: float = 0.0) -> None:
    """Add the height of the figure legends (beyond ``budget`` inches) to the figure, so
    a legend that wrapped onto several rows does not squash the axes."""
    fig.draw_without_rendering()
    needed = sum(legend.get_window_extent().height for legend in fig.legends) / fig.dpi
    if needed > budget:
        w, h = fig.get_size_inches()
        fig.set_size_inches(w, h + needed - budget)


@styled
def _heatmap_figure(runs: pd.DataFrame, x: str, y: str, outcome: str, *, width: Width) -> Figure:
    fig = figure(width, 0.8 if width == "single" else 0.5)
    ax = fig.add_subplot()
    plot_heatmap(runs, x, y, outcome, ax=ax)
    ax.set_xlabel(parameter_label(x))
    ax.set_ylabel(parameter_label(y))
    return fit_labels(fig)


def _plan_heatmaps(sweep: Sweep, plan: Plan) -> None:
    grid = grid_parameters(sweep)
    if len(grid) != 2 or is_sensitivity(sweep):
        return
    x, y = grid
    for scenario in scenario_order(sweep.done["scenario"]):
        runs = sweep.done[sweep.done["scenario"] == scenario]
        suffix = "" if sweep.done["scenario"].nunique() == 1 else f"_{scenario}"
        for outcome in HEATMAP_OUTCOMES:
            if outcome not in runs or runs[outcome].nunique(dropna=True) < 2:
                if outcome in runs:
                    plan.notes.append(
                        f"Heatmap of {outcome} omitted: it is the same in every cell."
                    )
                continue
            what = (
                f"Mean {label_for(outcome)} over the grid of {x} (x) and {y} (y), "
                f"{scenario_label(scenario)}; each cell gives the mean and its number of "
                "replicate runs n."
            )
            plan.figures.append(
                Planned(
                    f"heatmap_{outcome}{suffix}",
                    _drawer(_heatmap_figure, runs, x, y, outcome),
                    what,
                    runs,
                )
            )


def sensitivity_indices(sweep: Sweep) -> tuple[pd.DataFrame | None, str, list[str]]:
    """(indices, method, notes) of a sensitivity sweep, computing them when missing."""
    spec_path = sweep.root / "sensitivity" / "spec.json"
    if not spec_path.is_file():
        raise ReportError(
            f"{sweep.root} is not a sensitivity sweep (no sensitivity/spec.json); run one with "
            "jiceng experiment=mediation_capacity or experiment=policy_screening"
        )
    spec = json.loads(spec_path.read_text())
    method = str(spec.get("method", "sobol"))
    path = sweep.root / "sensitivity" / "indices.csv"
    notes: list[str] = []
    fresh = path.is_file() and path.stat().st_mtime_ns >= (sweep.root / RUNS).stat().st_mtime_ns
    if not fresh:
        try:
            paths, notes = sensitivity_report(sweep.root)
        except ValueError as exc:
            return None, method, [f"Sensitivity indices could not be computed: {exc}."]
        if not paths:
            return None, method, notes
    return pd.read_csv(path), method, notes


def _plan_sensitivity(sweep: Sweep, plan: Plan) -> None:
    if not is_sensitivity(sweep) or sweep.single_run:
        return
    indices, method, notes = sensitivity_indices(sweep)
    plan.notes.extend(notes)
    if indices is None:
        return
    for outcome, table in indices.groupby("outcome", sort=False):
        table = table.drop(columns="outcome").reset_index(drop=True)
        effect = table["mu_star" if method == "morris" else "ST"].abs().fillna(0.0)
        if not effect.any():
            plan.notes.append(
                f"{method.capitalize()} figure of {outcome} omitted: every index is zero "
                "(the outcome does not vary over the design)."
            )
            continue
        if method == "morris":
            what = (
                f"Morris screening of {label_for(str(outcome))}: mean absolute elementary "
                "effect mu* with its 95% bootstrap interval (bars), and mu* against the "
                "spread sigma (points; above the dashed line = non-linear or interacting)."
            )
            draw = _drawer(morris_figure, table)
        else:
            what = (
                f"Sobol indices of {label_for(str(outcome))}: first order S1 and total ST "
                "with 95% bootstrap intervals (cut at -0.25 and 1.25); ST - S1 is the share "
                "due to interactions."
            )
            draw = _drawer(sobol_figure, table)
        plan.figures.append(Planned(f"{method}_{outcome}", draw, what, sweep.done))


def _plan_ecdf(sweep: Sweep, plan: Plan) -> None:
    drawn, skipped = read_disputes(sweep, sweep.done, limit=ECDF_MAX_POINTS)
    if drawn.empty:
        plan.notes.append("Time to resolution: no closed disputes in the runs; figure omitted.")
        return
    used = sweep.done[~sweep.done["run"].astype(str).isin(set(skipped))]
    sampled = [s for s, r in _sampling_rates(used, ECDF_MAX_POINTS).items() if r < 1.0]
    what = (
        "Empirical cumulative distribution of time to resolution (weeks from a dispute "
        "arising to its resolution) of resolved disputes, pooled over runs, per scenario; "
        "n = resolved disputes. Abandoned disputes and those still open at the end have no "
        "resolution time and are not included."
    )
    if long_tailed(drawn["time_to_resolution"]):
        what += " The time axis is logarithmic (long tail)."
    if sampled:
        what += (
            f" Curves of {', '.join(map(str, sampled))} are drawn from a seeded random "
            f"sample of about {ECDF_MAX_POINTS:,} of their resolved disputes (n = sample size)."
        )
    notes = [f"Runs without a readable disputes.parquet: {', '.join(skipped)}."] if skipped else []
    plan.figures.append(Planned("resolution_ecdf", _drawer(ecdf_figure, drawn), what, used, notes))


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
    _figure_legend(fig, ax, max_cols=2 if width == "single" else 3)
    if logx:
        times = disputes["time_to_resolution"]
        ax.set_xlim(left=float(times[times > 0].quantile(0.005)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.set_xlabel("time to resolution (weeks, log scale)")
    return fit_labels(fig)


def _plan_network(sweep: Sweep, plan: Plan, run: str | None) -> None:
    done = sweep.done
    if run is not None and run not in set(done["run"]):
        raise ReportError(
            f"run {run!r} is not a completed run of {sweep.root}; pass --network-run with "
            "a run folder name from runs.parquet"
        )
    chosen = done.iloc[0] if run is None else done[done["run"] == run].iloc[0]
    folder = sweep.folder(str(chosen["run"]))
    try:
        nodes = pd.read_parquet(folder / "network_nodes.parquet")
        edges = pd.read_parquet(folder / "network_edges.parquet", columns=["source", "target"])
    except (OSError, ValueError):
        plan.notes.append(f"Network: {chosen['run']} has no readable network files; omitted.")
        return
    graph, shown = community_graph(nodes, edges)
    courtyards = _ranges(shown["courtyard"])
    where = (
        f"residents of courtyards {courtyards} of one community ({graph.number_of_nodes():,} "
        f"of its {len(nodes):,} residents, {graph.number_of_edges():,} ties) at the end of "
        f"run `{chosen['run']}` ({scenario_label(str(chosen['scenario']))}, seed "
        f"{chosen['seed']}); spring layout with a fixed seed"
    )
    one = done[done["run"] == chosen["run"]]
    window = chosen.get("participation.window_weeks")
    window = int(window) if window is not None and pd.notna(window) else None
    for colour_by, text in (
        ("trust", "coloured by trust in the Party organisation (0\u20131)"),
        (
            "participation",
            "coloured by whether the resident took part "
            + (f"in the last {window} weeks" if window else "recently"),
        ),
    ):
        if NETWORK_VALUES[colour_by] not in shown:
            continue
        plan.figures.append(
            Planned(
                f"network_{colour_by}",
                _drawer(network_figure, shown, graph, colour_by, window_weeks=window),
                f"Social network of {where}, {text}.",
                one,
            )
        )


def plan_report(
    sweep: Sweep, *, reference: str | None = None, network_run: str | None = None
) -> Plan:
    """Decide which figures and tables this sweep supports (nothing is drawn yet)."""
    plan = Plan()
    ref = choose_reference(sweep, reference)
    _plan_timeseries(sweep, plan)
    _plan_forest(sweep, plan, ref)
    _plan_tiers(sweep, plan)
    _plan_heatmaps(sweep, plan)
    _plan_sensitivity(sweep, plan)
    _plan_ecdf(sweep, plan)
    _plan_network(sweep, plan, network_run)
    return plan


# ------------------------------------------------------------------ writing


def _check_options(style: str, width: str, formats: Sequence[str]) -> list[str]:
    """Validate the style, width and formats up front: one line naming the fix."""
    if style not in STYLE_NAMES:
        raise ReportError(
            f"unknown style {style!r}; use --style with one of: {', '.join(STYLE_NAMES)}"
        )
    if style == "science":
        try:
            import scienceplots  # noqa: F401
        except ImportError:
            raise ReportError(
                "style 'science' needs SciencePlots: pip install SciencePlots, or use --style house"
            ) from None
    if width not in WIDTHS:
        raise ReportError(f"unknown width {width!r}; use --width single, double or both")
    chosen = [f.lower().lstrip(".") for f in formats if f.strip()]
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise ReportError(
            f"unknown format(s) {', '.join(bad) or '(none)'}; use --formats with some of: "
            + ",".join(FORMATS)
        )
    return chosen


def _summary_table(sweep: Sweep) -> pd.DataFrame:
    """Per variant (or grid cell) and outcome: n, mean, sd, 95% CI, median, 5%/95%."""
    done = sweep.done
    outcomes = [o for o in SUMMARY_OUTCOMES if o in done and pd.api.types.is_numeric_dtype(done[o])]
    grid = grid_parameters(sweep)
    by: list[str] = grid if len(grid) == 2 and not is_sensitivity(sweep) else ["variant"]
    return summarise(done, outcomes, by=by)


def _write_tables(sweep: Sweep, plan: Plan, out: Path) -> list[Path]:
    written = []
    summary = _summary_table(sweep)
    caption = (
        f"Outcomes per variant: mean with its 95% Student t-interval (t_ci_low, t_ci_high) "
        f"over {len(sweep.done)} runs; no interval below {MIN_REPLICATES} runs (see note)"
    )
    paths = write_table(summary, out / "summary", caption=caption, label="tab:summary")
    written += list(paths.values())
    if plan.comparisons is not None:
        caption = (
            f"Paired differences from {plan.reference} (same seeds): 95% Student t-interval "
            "(t_ci_low, t_ci_high) and 95% percentile bootstrap interval (boot_ci_low, "
            f"boot_ci_high); neither, nor a verdict on replicates, below {MIN_REPLICATES} "
            "pairs (see note)"
        )
        paths = write_table(
            plan.comparisons, out / "comparisons", caption=caption, label="tab:comparisons"
        )
        written += list(paths.values())
    return written


def _captions(
    sweep: Sweep, plan: Plan, files: dict[str, list[Path]], widths: Sequence[Width]
) -> str:
    excluded = excluded_line(sweep.excluded)
    sizes = " and ".join(
        f"{w} column ({SINGLE_COLUMN if w == 'single' else DOUBLE_COLUMN:g} in)" for w in widths
    )
    lines = [
        f"# Figures for `{sweep.root.name}`",
        "",
        f"Source: `{sweep.root}`, {len(sweep.runs)} run(s): {_describe_status(sweep.runs)}. "
        f"Sizes: {sizes}. Only completed runs are drawn.",
    ]
    if unreadable := unreadable_line(sweep.unreadable):
        lines += ["", unreadable]
    if excluded:
        lines += ["", excluded]
    for note in plan.notes:
        lines += ["", f"Note: {note}"]
    for planned in plan.figures:
        paths = files.get(planned.name, [])
        stems = sorted({p.stem for p in paths})
        kinds = sorted({p.suffix.lstrip(".") for p in paths})
        suffixes = kinds[0] if len(kinds) == 1 else "{" + ",".join(kinds) + "}"
        listed = ", ".join(f"`figures/{stem}.{suffixes}`" for stem in stems)
        body = [planned.what, provenance(planned.runs), *planned.notes]
        if excluded:
            body.append(excluded)
        lines += ["", f"## {planned.name}", "", f"Files: {listed}", "", " ".join(body)]
    return "\n".join(lines) + "\n"


def _remove_stale(folder: Path, keep: set[Path]) -> None:
    """Drop figures of an earlier report that this one did not draw (captions must match)."""
    for path in folder.glob("*"):
        if path.is_file() and path.suffix.lstrip(".") in FORMATS and path not in keep:
            path.unlink()


def build_report(
    path: str | Path | Sweep,
    *,
    style: str = "house",
    width: str = "both",
    formats: Sequence[str] = ("pdf", "svg", "png"),
    reference: str | None = None,
    network_run: str | None = None,
    out: str | Path | None = None,
) -> Path:
    """Write the figures, tables and captions of a run or sweep folder; return report/.

    ``width`` is "single" (3.5 in), "double" (7 in) or "both"; ``reference`` is the
    variant the forest plot compares with (default chengdu_2014, else the first variant);
    ``network_run`` picks the run whose community is drawn (default the first completed).
    ``path`` may be a `Sweep` already loaded.
    """
    chosen = _check_options(style, width, formats)
    sweep = path if isinstance(path, Sweep) else load_sweep(path)
    report = Path(out) if out is not None else sweep.root / "report"
    for folder in (report, report / "figures", report / "tables"):
        remove_debris(folder)  # an earlier report killed mid-file
    with use_style(style):
        plan = plan_report(sweep, reference=reference, network_run=network_run)
        files: dict[str, list[Path]] = {}
        for planned in plan.figures:
            for w in WIDTHS[width]:
                fig = planned.draw(w)
                stem = report / "figures" / f"{planned.name}_{w}"
                files.setdefault(planned.name, []).extend(save_figure(fig, stem, chosen))
    _remove_stale(report / "figures", {p for ps in files.values() for p in ps})
    _write_tables(sweep, plan, report / "tables")
    write_text(report / "captions.md", _captions(sweep, plan, files, WIDTHS[width]))
    return report


# ------------------------------------------------------------------ command line


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of `jiceng-report figures` (also the default `jiceng-report DIR`)."""
    p.add_argument("dir", type=Path, help="a sweep folder or a single run folder")
    p.add_argument("--style", default="house", help="house (default) or science (SciencePlots)")
    p.add_argument("--width", default="both", help="single, double or both (default)")
    p.add_argument("--reference", help="variant the forest plot compares with")
    p.add_argument("--formats", default="pdf,svg,png", help="comma-separated (default pdf,svg,png)")
    p.add_argument("--network-run", help="run folder whose community network is drawn")
    p.add_argument("--out", type=Path, help="report folder (default DIR/report)")
    from sim.report.cli import add_allow_missing

    add_allow_missing(p)


def main(args: argparse.Namespace) -> int:
    """Run `build_report` from parsed arguments; a user error is one line on stderr, exit 2;
    unreadable runs are named and give EXIT_UNREADABLE unless ``--allow-missing``."""
    formats = [f.strip() for f in str(getattr(args, "formats", "pdf,svg,png")).split(",")]
    try:
        _check_options(getattr(args, "style", "house"), getattr(args, "width", "both"), formats)
        sweep = load_sweep(args.dir)
        report = build_report(
            sweep,
            style=getattr(args, "style", "house"),
            width=getattr(args, "width", "both"),
            formats=formats,
            reference=getattr(args, "reference", None),
            network_run=getattr(args, "network_run", None),
            out=getattr(args, "out", None),
        )
    except AggregateError as exc:
        text = str(exc).strip()
        print(
            f"jiceng-report: error: {text.splitlines()[0] if text else 'bad folder'}",
            file=sys.stderr,
        )
        return 2
    figures = sorted((report / "figures").glob("*.pdf")) or sorted((report / "figures").iterdir())
    print(f"{len(figures)} figure files, tables and captions -> {report}")
    from sim.report.cli import warn_unreadable

    return warn_unreadable(sweep.unreadable, bool(getattr(args, "allow_missing", False)))


__all__ = [
    "ECDF_MAX_POINTS",
    "FOREST_OUTCOMES",
    "ReportError",
    "Sweep",
    "add_arguments",
    "build_report",
    "community_graph",
    "ecdf_figure",
    "fit_labels",
    "forest_figure",
    "forest_outcomes",
    "grid_parameters",
    "load_sweep",
    "main",
    "morris_figure",
    "network_figure",
    "parameter_label",
    "plan_report",
    "read_disputes",
    "reforms_of",
    "sensitivity_indices",
    "short_reform_labels",
    "sobol_figure",
    "tier_figure",
    "timeseries_figure",
]


def experiment_script(
    doc: str, draw: Callable[[Sweep, Path], None], argv: Sequence[str] | None = None
) -> int:
    """The command line shared by `experiments/NAME.py SWEEP [--out DIR]`: load the sweep
    (aggregating first if needed), then `draw(sweep, out)` in the house style."""
    p = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    p.add_argument("sweep", type=Path)
    p.add_argument("--out", type=Path, help="default: SWEEP/paper")
    a = p.parse_args(argv)
    out = a.out or a.sweep / "paper"
    try:
        sweep = load_sweep(a.sweep)  # completed runs only are drawn
        with use_style("house"):
            draw(sweep, out)
    except AggregateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"figures -> {out}")
    return 0
