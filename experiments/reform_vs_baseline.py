"""Figures of `reform_vs_baseline`: the reform timeline against the 2008 baseline.

python experiments/reform_vs_baseline.py multirun/reform_vs_baseline [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

from sim.report.cli import experiment_script
from sim.report.figures import ecdf_figure, forest_figure, tier_figure, timeseries_figure
from sim.report.loading import Sweep, read_disputes, reforms_of, short_reform_labels
from sim.report.plan import ECDF_MAX_POINTS, forest_outcomes
from sim.report.stats import compare
from sim.report.style import save_figure


def draw(sweep: Sweep, out: Path) -> None:
    reforms = reforms_of(sweep.done)  # (week, label, scenarios) from the timeline
    tags = short_reform_labels([label for _, label, _ in reforms])
    marks = [(week, tag) for (week, _, _), tag in zip(reforms, tags, strict=True)]
    save_figure(
        timeseries_figure(sweep.timeseries, reforms=marks, width="double"),
        out / "reform_timeseries",
    )
    comparisons = compare(sweep.tables, "baseline_2008", forest_outcomes(sweep))
    save_figure(forest_figure(comparisons, width="double"), out / "reform_forest")
    save_figure(tier_figure(sweep.done, width="single"), out / "reform_tiers")
    disputes, _ = read_disputes(sweep, sweep.done, limit=ECDF_MAX_POINTS)
    save_figure(ecdf_figure(disputes), out / "reform_time_to_resolution")


if __name__ == "__main__":
    raise SystemExit(experiment_script(__doc__ or "", draw))
