"""Figures of `mechanism_ablation`: which mechanism carries the Chengdu 2014 reform.

python experiments/mechanism_ablation.py multirun/mechanism_ablation [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.report import AggregateError
from sim.report.figures import forest_figure, forest_outcomes, load_sweep, tier_figure
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
        # Every removal against the full reform, paired by seed.
        comparisons = sweep.tables.compare("chengdu_2014", forest_outcomes(sweep))
        save_figure(forest_figure(comparisons, width="double"), out / "ablation_forest")
        save_figure(tier_figure(sweep.done, width="double"), out / "ablation_tiers")
    print(f"figures -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
