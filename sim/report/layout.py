"""Layout helpers shared by the figure builders: labels that fit, panel grids, legends
outside the data, axes kept inside an outcome's natural range, reform markers.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from functools import cache
from itertools import pairwise
from typing import Any, Literal

import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import XAxis, YAxis
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from sim.report.labels import natural_range
from sim.report.scenarios import scenario_label
from sim.report.stats import MIN_REPLICATES
from sim.report.style import (
    DOUBLE_COLUMN,
    SINGLE_COLUMN,
    Width,
)

STEPS = [1, 2, 2.5, 5, 10]  # tick steps for thinned axes (MaxNLocator's "nice" numbers)


@cache
def _parameter_units() -> dict[str, str]:
    from sim.config import SimConfig
    from sim.params import iter_schema

    return {name: meta.unit for name, _, meta in iter_schema(SimConfig) if meta is not None}


def parameter_label(name: str) -> str:
    """Axis text for a dotted parameter: its name with the unit declared in the schema."""
    unit = _parameter_units().get(name)
    return f"{name} ({unit})" if unit and unit not in ("-", "text", "name", "choice") else name


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


def em() -> float:
    """Font size of the active style relative to the house 8 pt.

    Heights of text-bound boxes (rows of labels, bars) scale with it, so a style with
    larger type (SciencePlots: 10 pt) gets taller figures instead of collapsed axes.
    """
    return max(_points("font.size") / 8.0, 1.0)


def forest_grid(comparisons: pd.DataFrame, n: int, width: Width) -> tuple[int, int]:
    """Panel grid of a forest figure: fewer columns when the row labels are wide.

    The variant labels take the left of the figure; each panel needs about an inch.
    """
    nrows, ncols = panel_grid(n, width)
    longest = max(len(f"{variant_label(v)} (n=00)") for v in comparisons["variant"].unique())
    label_in = longest * 0.55 * _points("ytick.labelsize") / 72
    while ncols > 1 and (width_in(width) - label_in - 0.2) / ncols < 1.0:
        ncols -= 1
    return math.ceil(n / ncols), ncols


def panel_grid(n: int, width: Width) -> tuple[int, int]:
    ncols = 1 if n == 1 else (3 if width == "double" and n > 4 else 2)
    return math.ceil(n / ncols), ncols


def width_in(width: Width) -> float:
    return SINGLE_COLUMN if width == "single" else DOUBLE_COLUMN if width == "double" else width


def band_note(runs_per_group: pd.Series, crowded: bool) -> list[tuple[Any, str]]:
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


def figure_legend(
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
    grow_for_legends(fig, budget)


def grow_for_legends(fig: Figure, budget: float = 0.0) -> None:
    """Add the height of the figure legends (beyond ``budget`` inches) to the figure, so
    a legend that wrapped onto several rows does not squash the axes."""
    fig.draw_without_rendering()
    needed = sum(legend.get_window_extent().height for legend in fig.legends) / fig.dpi
    if needed > budget:
        w, h = fig.get_size_inches()
        fig.set_size_inches(w, h + needed - budget)


def clip_to_range(ax: Axes, outcome: str) -> None:
    """Keep the y axis inside the outcome's possible values (a wide t band can overshoot)."""
    low, high = natural_range(outcome)
    y0, y1 = ax.get_ylim()
    lo, hi = max(y0, low), min(y1, high)
    pad = 0.03 * (hi - lo) if hi > lo else 0.0
    ax.set_ylim(max(y0, low - pad), min(y1, high + pad))


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


def relabel_variants(ax: Axes) -> None:
    """Replace `variant (n=k)` tick text with `variant_label(variant) (n=k)`."""
    labels = []
    for tick in ax.get_yticklabels():
        name, sep, n = tick.get_text().rpartition(" (n=")
        labels.append(f"{variant_label(name)}{sep}{n}" if sep else variant_label(n))
    ax.set_yticks(ax.get_yticks(), labels)
