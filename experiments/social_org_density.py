"""Figures of `social_org_density`: outcomes by density of social organisations.

python experiments/social_org_density.py multirun/social_org_density [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.report import AggregateError
from sim.report.figures import forest_figure, forest_outcomes, load_sweep, timeseries_figure
from sim.report.style import save_figure, use_style


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
        outcomes = ["participation_rate", "trust_mediation", "mean_grievance", "resolution_rate"]
        save_figure(
            timeseries_figure(sweep.timeseries, outcomes, width="double"),
            out / "social_orgs_timeseries",
        )
        comparisons = sweep.tables.compare("chengdu_2014", forest_outcomes(sweep))
        save_figure(forest_figure(comparisons, width="double"), out / "social_orgs_forest")
    print(f"figures -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
