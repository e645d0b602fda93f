"""Figures of `council_x_party`: outcomes over the council x party-group coverage grid.

python experiments/council_x_party.py multirun/council_x_party [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.report import AggregateError
from sim.report.figures import fit_labels, load_sweep, parameter_label
from sim.report.plots import plot_heatmap
from sim.report.style import figure, save_figure, use_style

X, Y = "policy.councils.coverage", "policy.party.building_coverage"
OUTCOMES = ("resolution_rate", "share_at_or_below_community", "participation_rate")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("sweep", type=Path)
    p.add_argument("--out", type=Path, help="default: SWEEP/paper")
    a = p.parse_args(argv)
    try:
        sweep = load_sweep(a.sweep)  # aggregates first if needed; completed runs only below
    except AggregateError as exc:
        raise SystemExit(f"error: {exc}") from None
    out = a.out or a.sweep / "paper"
    with use_style("house"):
        for outcome in OUTCOMES:
            if sweep.done[outcome].nunique() < 2:  # the same in every cell: nothing to map
                continue
            fig = figure("single", 0.8)
            ax = plot_heatmap(sweep.done, X, Y, outcome, ax=fig.add_subplot())
            ax.set_xlabel(parameter_label(X))
            ax.set_ylabel(parameter_label(Y))
            save_figure(fit_labels(fig), out / f"grid_{outcome}")
    print(f"figures -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
