"""A quick-look PNG of a run's key series (not a publication figure: see sim.report).

Every axis names its unit; trust has a panel (and a scale) of its own, and series that
share a panel differ in colour, line style and staggered markers, so trust series lying
almost on top of each other stay apart; legends sit beside the panels, never on the data.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sim.io import atomic_write  # noqa: E402
from sim.run import RunResult  # noqa: E402

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


def quicklook(result: RunResult, path: Path) -> None:
    ts = result.timeseries
    fig, axes = plt.subplots(
        len(PANELS), 1, figsize=(7.5, 10), sharex=True, constrained_layout=True
    )
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
    cfg = result.config
    fig.suptitle(f"{cfg.scenario}, seed {cfg.seed}: {result.summary['residents']:,} residents")
    atomic_write(path, lambda p: fig.savefig(p, format="png", dpi=120))
    plt.close(fig)
