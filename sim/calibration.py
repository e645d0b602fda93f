"""Calibration targets, each with its source, and a check of a scenario against them.

    python -m sim.calibration --scenario chengdu_2014 --seeds 5

runs the scenario over several seeds and prints each target's mean, range across seeds and
verdict. Pattern targets compare run outcomes (`summary.json` keys) with documented
ranges; structural targets are checked by `tests/test_calibration.py` on a 654-community
world.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

SEED = "Social Governance Innovation Development Report (2014), Chengdu chapter"


@dataclass(frozen=True)
class Target:
    name: str
    low: float
    high: float
    source: str
    value: Callable[[dict[str, Any]], float]

    def holds(self, x: float) -> bool:
        return bool(self.low <= x <= self.high)


def _key(name: str) -> Callable[[dict[str, Any]], float]:
    return lambda s: float(s[name])


PATTERNS: tuple[Target, ...] = (
    Target(
        "peoples_mediation_success",
        0.95,
        0.98,
        "Official national people's mediation statistics: 97.2% of mediated disputes "
        "settled (2009); 95-98% across years",
        _key("peoples_mediation_success"),
    ),
    Target(
        "share_at_or_below_community",
        0.90,
        1.0,
        "Jiangsu grand mediation (2004): more than 90% of disputes settled at or below the "
        "community",
        _key("share_at_or_below_community"),
    ),
    Target(
        "litigation_share_of_mediated",
        0.005,
        0.02,
        "About 1% of mediated disputes went on to litigation (2009 national figures)",
        _key("litigation_share_of_mediated"),
    ),
    Target(
        "participation_rate",
        0.40,
        0.55,
        "Shanghai community survey: 47.9% voted in community elections; participation in "
        "community affairs around 40-55%",
        _key("participation_rate"),
    ),
    Target(
        "participation_age_gradient",
        2.5,
        np.inf,
        "Shanghai survey: 13.8% of 18-29s vs 77.7% of 70-79s took part (ratio 5.6); "
        "target: 70-79s at least 2.5x the 18-29s",
        lambda s: (
            float(s["participation_age_70_79"]) / max(float(s["participation_age_18_29"]), 1e-9)
        ),
    ),
    Target(
        "participation_party_gap",
        0.08,
        0.40,
        "Shanghai survey: 65% of party members vs 48% of others (gap 0.17); "
        "target: members ahead by 0.08-0.40",
        lambda s: float(s["participation_party"]) - float(s["participation_non_party"]),
    ),
    Target(
        "social_orgs_per_10k",
        4.3,
        5.3,
        f"{SEED}: 4.8 social organisations per 10,000 residents (July 2013); +-0.5 for "
        "births and failures around the target",
        _key("social_orgs_per_10k"),
    ),
)

STRUCTURE = {
    "communities": (654, f"{SEED}: 654 urban communities"),
    "courtyards": (13_595, f"{SEED}: 13,595 residential courtyards"),
    "social_orgs_per_10k": (4.8, f"{SEED}: 4.8 per 10,000 residents"),
    "group_to_pnu": (
        2597 / 4462,
        f"{SEED}: 2,597 social groups : 4,462 private non-enterprise units",
    ),
}


def evaluate(summaries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each pattern target over the runs: mean, min, max across seeds and whether the mean
    lies in the target range."""
    rows = []
    for target in PATTERNS:
        values = np.array([target.value(s) for s in summaries])
        mean = float(values.mean())
        rows.append(
            {
                "target": target.name,
                "low": target.low,
                "high": target.high,
                "mean": mean,
                "min": float(values.min()),
                "max": float(values.max()),
                "ok": target.holds(mean),
                "source": target.source,
            }
        )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    from sim.run import run

    ap = argparse.ArgumentParser(description="Check a scenario against the calibration targets.")
    ap.add_argument("--scenario", default="chengdu_2014")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--communities", type=int, default=20)
    args = ap.parse_args(argv)
    summaries = [
        run(scenario=args.scenario, seed=s, **{"world.communities": args.communities}).summary
        for s in range(args.seeds)
    ]
    rows = evaluate(summaries)
    for r in rows:
        verdict = "ok  " if r["ok"] else "MISS"
        print(
            f"{verdict} {r['target']:30s} mean {r['mean']:.4f} "
            f"[{r['min']:.4f}, {r['max']:.4f}] target [{r['low']:g}, {r['high']:g}]"
        )
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
