"""Measure the memory constants of `sim/capacity.py`: peak RSS of `jiceng` over a design.

    python benchmarks/capacity.py          # about 4 minutes here; prints JSON lines

Each design point is one `jiceng` run (a subprocess, to a completed run folder) whose peak
RSS is read from `wait4`; its expected counts (residents, ties, units, disputes, panel
rows) come from `sim.capacity.counts` of the same config. A non-negative least-squares fit
gives BASE and the constants; the last line prints them and each run's measured and
fitted peak, to paste into `sim/capacity.py`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import nnls

sys.path.insert(0, str(Path(__file__).resolve().parent))
from city import GIB, cli_run  # noqa: E402

from sim import capacity  # noqa: E402
from sim.compose import load_config  # noqa: E402

BASE_SET = {"world.resident_agents": False}
DESIGN: list[tuple[int, dict[str, object]]] = [
    (4, {"world.communities": 10}),
    (4, {"world.communities": 300}),
    (4, {"world.communities": 600}),
    (4, {"world.communities": 300, "world.households_per_building": 24.0}),
    (4, {"world.communities": 300, "world.neighbour_ties": 16}),
    (4, {"world.communities": 300, "world.bridge_ties": 6.0}),
    (4, {"world.communities": 300, "world.resident_agents": True}),
    (52, {"world.communities": 300, "disputes.base_rate": 0.004}),
    (4, {"world.communities": 300, "world.buildings_per_courtyard": 24.0,
         "world.households_per_building": 2.0}),
    (52, {"world.communities": 4000, "world.buildings_per_courtyard": 1.0,
          "world.households_per_building": 1.0, "output.panel_interval": 1}),
    (52, {"world.communities": 4000, "world.buildings_per_courtyard": 1.0,
          "world.households_per_building": 1.0, "output.panel_interval": 52}),
]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="chengdu_2014")
    args = ap.parse_args(argv)
    rows, peaks = [], []
    for steps, overrides in DESIGN:
        over = {**BASE_SET, **overrides}
        c = capacity.counts(load_config(args.scenario, {**over, "steps": steps}))
        run = cli_run(args.scenario, over, steps)
        rows.append([1.0, *capacity.terms(c)])
        peaks.append(run["peak_rss_gib"] * GIB)
        print(json.dumps({"steps": steps, **over, "peak_rss_gib": round(run["peak_rss_gib"], 3),
                          "wall_s": round(run["wall_s"], 1)}), flush=True)  # fmt: skip
    x, _ = nnls(np.array(rows), np.array(peaks))
    fitted = np.array(rows) @ x
    names = ["BASE", "PER_RESIDENT", "PER_TIE", "PER_UNIT", "PER_DISPUTE", "PER_PANEL_ROW",
             "PER_VIEW"]  # fmt: skip
    print(
        json.dumps(
            {
                "constants": {n: round(float(v), 1) for n, v in zip(names, x, strict=True)},
                "measured_gib": [round(p / GIB, 3) for p in peaks],
                "fitted_gib": [round(f / GIB, 3) for f in fitted],
                "worst_relative_error": round(float(np.max(np.abs(fitted / peaks - 1))), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
