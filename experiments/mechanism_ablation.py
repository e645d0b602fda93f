"""Figures of `mechanism_ablation`: which mechanism carries the Chengdu 2014 reform.

python experiments/mechanism_ablation.py multirun/mechanism_ablation [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

from sim.report.cli import experiment_script
from sim.report.figures import forest_figure, tier_figure
from sim.report.loading import Sweep
from sim.report.plan import forest_outcomes
from sim.report.stats import compare
from sim.report.style import save_figure


def draw(sweep: Sweep, out: Path) -> None:
    # Every removal against the full reform, paired by seed.
    comparisons = compare(sweep.tables, "chengdu_2014", forest_outcomes(sweep))
    save_figure(forest_figure(comparisons, width="double"), out / "ablation_forest")
    save_figure(tier_figure(sweep.done, width="double"), out / "ablation_tiers")


if __name__ == "__main__":
    raise SystemExit(experiment_script(__doc__ or "", draw))
