"""Figures of `mediation_capacity`: Sobol indices of mediation capacity by tier.

python experiments/mediation_capacity.py multirun/mediation_capacity [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

from sim.report.cli import experiment_script
from sim.report.figures import sobol_figure
from sim.report.loading import Sweep, sensitivity_indices
from sim.report.style import save_figure


def draw(sweep: Sweep, out: Path) -> None:
    indices, _, notes = sensitivity_indices(sweep)  # computed if not yet done
    if indices is None:
        raise SystemExit("error: " + (notes[-1] if notes else "no sensitivity indices"))
    for outcome, table in indices.groupby("outcome"):
        if not table["ST"].fillna(0).any():  # outcome constant over the design
            continue
        save_figure(sobol_figure(table), out / f"sobol_{outcome}")


if __name__ == "__main__":
    raise SystemExit(experiment_script(__doc__ or "", draw))
