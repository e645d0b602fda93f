"""Figures of the `smoke` experiment (2 scenarios x 2 seeds), from its sweep folder.

    python experiments/smoke.py multirun/smoke [--out DIR]

A template for the other scripts: load the tables, draw with the public figure functions,
save as PDF/SVG/PNG at paper width.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.report import AggregateError
from sim.report.figures import (
    forest_figure,
    forest_outcomes,
    load_sweep,
    tier_figure,
    timeseries_figure,
)
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
        ts = timeseries_figure(sweep.timeseries, ["resolution_rate", "participation_rate"])
        save_figure(ts, out / "smoke_timeseries")
        comparisons = sweep.tables.compare("chengdu_2014", forest_outcomes(sweep)[:2])
        save_figure(forest_figure(comparisons, width="single"), out / "smoke_forest")
        save_figure(tier_figure(sweep.done, width="single"), out / "smoke_tiers")
    print(f"figures -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
