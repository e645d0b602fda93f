"""Figures of `council_x_party`: outcomes over the council x party-group coverage grid.

python experiments/council_x_party.py multirun/council_x_party [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

from sim.report.cli import experiment_script
from sim.report.layout import fit_labels, parameter_label
from sim.report.loading import Sweep
from sim.report.plots import plot_heatmap
from sim.report.style import figure, save_figure

X, Y = "policy.councils.coverage", "policy.party.building_coverage"
OUTCOMES = ("resolution_rate", "grassroots_mediation_share", "participation_rate")


def draw(sweep: Sweep, out: Path) -> None:
    for outcome in OUTCOMES:
        if sweep.done[outcome].nunique() < 2:  # the same in every cell: nothing to map
            continue
        fig = figure("single", 0.8)
        ax = plot_heatmap(sweep.done, X, Y, outcome, ax=fig.add_subplot())
        ax.set_xlabel(parameter_label(X))
        ax.set_ylabel(parameter_label(Y))
        save_figure(fit_labels(fig), out / f"grid_{outcome}")


if __name__ == "__main__":
    raise SystemExit(experiment_script(__doc__ or "", draw))
