"""Figures of the `smoke` experiment (2 scenarios x 2 seeds), from its sweep folder.

    python experiments/smoke.py multirun/smoke [--out DIR]

A template for the other scripts: load the tables, draw with the public figure functions,
save as PDF/SVG/PNG at paper width.
"""

from __future__ import annotations

from pathlib import Path

from sim.report.cli import experiment_script
from sim.report.figures import forest_figure, tier_figure, timeseries_figure
from sim.report.loading import Sweep
from sim.report.plan import forest_outcomes
from sim.report.stats import compare
from sim.report.style import save_figure


def draw(sweep: Sweep, out: Path) -> None:
    ts = timeseries_figure(sweep.timeseries, ["resolution_rate_cumulative", "participation_rate"])
    save_figure(ts, out / "smoke_timeseries")
    comparisons = compare(sweep.tables, "chengdu_2014", forest_outcomes(sweep)[:2])
    save_figure(forest_figure(comparisons, width="single"), out / "smoke_forest")
    save_figure(tier_figure(sweep.done, width="single"), out / "smoke_tiers")


if __name__ == "__main__":
    raise SystemExit(experiment_script(__doc__ or "", draw))
