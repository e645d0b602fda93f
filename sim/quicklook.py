"""A quick-look PNG of a run's key series (not a publication figure: see sim.report).

Every axis names its unit; trust has a panel (and a scale) of its own, and series that
share a panel differ in colour, line style and staggered markers, so trust series lying
almost on top of each other stay apart; legends sit beside the panels, never on the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from sim.files import atomic_write, read_json

if TYPE_CHECKING:
    from sim.run import RunResult

FILE = "quicklook.png"

CUMULATIVE_RESOLUTION = "resolution_rate_cumulative"
"""The timeseries column of disputes resolved so far among those arisen since week 0."""

PANELS: tuple[tuple[tuple[tuple[str, str], ...], str], ...] = (
    (
        (
            ("disputes_arising", "arising"),
            ("resolved_total", "resolved"),
            ("abandoned", "abandoned"),
        ),
        "disputes per week (count)",
    ),
    ((("disputes_open", "open at week's end"),), "open disputes (count)"),
    (
        ((CUMULATIVE_RESOLUTION, "cumulative resolution rate (resolved / arisen)"),),
        "cumulative share (0-1)",
    ),
    (
        (
            ("trust_mediation", "in mediation"),
            ("trust_government", "in government"),
            ("trust_court", "in courts"),
        ),
        "mean trust (0-1)",
    ),
    ((("mean_grievance", "mean over residents"),), "grievance (0-1)"),
)
"""(column, legend text) per panel, and the panel's y-axis label with its unit."""

LOOKS = (("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"))
"""Line style and marker of a panel's first, second, ... series."""


def quicklook_figure(ts: pd.DataFrame, title: str) -> Figure:
    """The panels of `PANELS` over a run's weekly series (a `timeseries.parquet` frame)."""
    fig = Figure(figsize=(7.5, 10), layout="constrained")
    axes = fig.subplots(len(PANELS), 1, sharex=True)
    every = max(1, len(ts) // 12)
    for ax, (series, ylabel) in zip(axes, PANELS, strict=True):
        for i, (col, text) in enumerate(s for s in series if s[0] in ts):
            style, marker = LOOKS[i % len(LOOKS)]
            ax.plot(
                ts["step"],
                ts[col],
                linestyle=style,
                marker=marker,
                markevery=(i * every // len(series), every),
                markersize=4,
                lw=1.2,
                label=text,
            )
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        if ax.get_lines():
            ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes[-1].set_xlabel("time (weeks)")
    fig.suptitle(title)
    return fig


def title(scenario: str, seed: int, residents: int) -> str:
    return f"{scenario}, seed {seed}: {residents:,} residents"


def save(fig: Figure, path: Path) -> None:
    atomic_write(path, lambda p: fig.savefig(p, format="png", dpi=120))


def draw(result: RunResult, folder: Path) -> Sequence[str]:
    """`sim.io.write_run`'s `draw`: the quick look of a finished run, into its folder."""
    cfg = result.config
    text = title(cfg.scenario, cfg.seed, int(result.summary["residents"]))
    save(quicklook_figure(result.timeseries, text), Path(folder) / FILE)
    return [FILE]


def draw_from_folder(run_folder: Path, path: Path) -> None:
    """The quick look of a completed run folder, drawn from its files to `path` (outside the
    folder: raw run outputs are never rewritten)."""
    run_folder = Path(run_folder)
    meta = read_json(run_folder / "meta.json") or {}
    summary = read_json(run_folder / "summary.json") or {}
    ts = pd.read_parquet(run_folder / "timeseries.parquet")
    text = title(str(meta.get("scenario")), int(meta.get("seed", 0)), int(summary["residents"]))
    save(quicklook_figure(ts, text), path)
