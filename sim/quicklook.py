"""A quick-look PNG of a run's key series (not a publication figure: see sim.report)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sim.io import atomic_write  # noqa: E402
from sim.run import RunResult  # noqa: E402

PANELS = (
    (("disputes_arising", "resolved_total", "abandoned"), "disputes per week"),
    (("disputes_open",), "open disputes"),
    (("resolution_rate_cumulative",), "share resolved so far (cumulative)"),
    (("mean_grievance", "trust_mediation", "trust_government", "trust_court"), "0-1"),
)


def quicklook(result: RunResult, path: Path) -> None:
    ts = result.timeseries
    fig, axes = plt.subplots(2, 2, figsize=(9, 6), sharex=True, constrained_layout=True)
    for ax, (cols, ylabel) in zip(axes.flat, PANELS, strict=True):
        for col in cols:
            if col in ts:
                ax.plot(ts["step"], ts[col], label=col.replace("_", " "), lw=1.2)
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=7, frameon=False)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("time (weeks)")
    cfg = result.config
    fig.suptitle(f"{cfg.scenario}, seed {cfg.seed}: {result.summary['residents']:,} residents")
    atomic_write(path, lambda p: fig.savefig(p, format="png", dpi=120))
    plt.close(fig)
