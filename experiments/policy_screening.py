"""Figures of `policy_screening`: Morris screening of the policy levers.

python experiments/policy_screening.py multirun/policy_screening [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.report import AggregateError
from sim.report.figures import load_sweep, morris_figure, sensitivity_indices
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
        indices, _, notes = sensitivity_indices(sweep)  # computed if not yet done
        if indices is None:
            raise SystemExit("error: " + (notes[-1] if notes else "no sensitivity indices"))
        for outcome, table in indices.groupby("outcome"):
            if not table["mu_star"].fillna(0).any():  # outcome constant over the design
                continue
            save_figure(morris_figure(table, width="double"), out / f"morris_{outcome}")
    print(f"figures -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
