"""Figures of `policy_screening`: Morris screening of the policy levers.

python experiments/policy_screening.py multirun/policy_screening [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

from sim.report.cli import experiment_script
from sim.report.figures import morris_figure
from sim.report.loading import Sweep, sensitivity_indices
from sim.report.style import save_figure


def draw(sweep: Sweep, out: Path) -> None:
    indices, _, notes = sensitivity_indices(sweep)  # computed if not yet done
    if indices is None:
        raise SystemExit("error: " + (notes[-1] if notes else "no sensitivity indices"))
    for outcome, table in indices.groupby("outcome"):
        if not table["mu_star"].fillna(0).any():  # outcome constant over the design
            continue
        save_figure(morris_figure(table, width="double"), out / f"morris_{outcome}")


if __name__ == "__main__":
    raise SystemExit(experiment_script(__doc__ or "", draw))
