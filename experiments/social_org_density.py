"""Figures of `social_org_density`: outcomes by density of social organisations.

python experiments/social_org_density.py multirun/social_org_density [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

from sim.report.cli import experiment_script
from sim.report.figures import forest_figure, timeseries_figure
from sim.report.loading import Sweep
from sim.report.plan import forest_outcomes
from sim.report.stats import compare
from sim.report.style import save_figure


def draw(sweep: Sweep, out: Path) -> None:
    outcomes = ["participation_rate", "trust_mediation", "mean_grievance", "resolution_rate"]
    save_figure(
        timeseries_figure(sweep.timeseries, outcomes, width="double"),
        out / "social_orgs_timeseries",
    )
    comparisons = compare(sweep.tables, "chengdu_2014", forest_outcomes(sweep))
    save_figure(forest_figure(comparisons, width="double"), out / "social_orgs_forest")


if __name__ == "__main__":
    raise SystemExit(experiment_script(__doc__ or "", draw))
