"""Does every mechanism do work? Each one-at-a-time removal against chengdu_2014, paired by seed.

    python -m sim.ablation_check --seeds 20            # default size, ~6 min on 2 cores

runs `chengdu_2014` and every ablation (`no_*` scenarios, plus lever probes for mechanisms
that have no scenario of their own) on the same seeds, and prints, per variant, the paired
mean difference from chengdu_2014 with its 95% t interval for each headline outcome. A
variant passes when at least one headline outcome's interval excludes zero (a mechanism
that moves nothing is a defect). Exit code 1 names the variants that fail.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

REFERENCE = "chengdu_2014"
HEADLINE: tuple[str, ...] = (
    "resolution_rate",
    "petitions",
    "litigation",
    "participation_rate",
    "trust_mediation",
    "trust_government",
    "trust_committee",
    "mean_time_to_resolution",
    "government_cost_per_week",
)


@dataclass(frozen=True)
class Variant:
    """A removal: a scenario, or the reference with some levers changed."""

    name: str
    scenario: str = REFERENCE
    overrides: dict[str, Any] = field(default_factory=dict)
    outcomes: tuple[str, ...] = HEADLINE


ABLATIONS: tuple[Variant, ...] = (
    Variant("no_councils", "no_councils"),
    Variant("no_courtyard_mediation", "no_courtyard_mediation"),
    Variant("no_floating_management", "no_floating_management"),
    Variant("no_function_reform", "no_function_reform"),
    Variant("no_grand_mediation", "no_grand_mediation"),
    Variant("no_grid", "no_grid"),
    Variant("no_online_monitoring", "no_online_monitoring"),
    Variant("no_party_building", "no_party_building"),
    Variant(
        "no_property_management",
        "no_property_management",
        outcomes=(*HEADLINE, "issues_escalated", "mean_grievance"),
    ),
    Variant("no_social_orgs", "no_social_orgs"),
    Variant(
        "no_community_party",
        overrides={"policy.party.community_coverage": 0.0},
        outcomes=(*HEADLINE, "council_legitimacy"),
    ),
    Variant(
        "no_hubs",
        overrides={"policy.social_orgs.hubs_per_street": 0},
        outcomes=(*HEADLINE, "social_orgs_per_10k"),
    ),
    Variant(
        "no_key_person_attention",
        overrides={"policy.floating.key_detection": 0.0, "policy.floating.tracking_relief": 0.0},
        outcomes=(*HEADLINE, "detected_early_share_floating"),
    ),
)


def _one(job: tuple[str, str, dict[str, Any], int, dict[str, Any]]) -> dict[str, Any]:
    from sim.run import run

    name, scenario, overrides, seed, size = job
    summary = run(scenario=scenario, seed=seed, **{**size, **overrides}).summary
    return {"variant": name, "seed": seed, "status": "completed", **summary}


def runs_table(
    variants: Sequence[Variant], seeds: int, size: dict[str, Any], jobs: int
) -> pd.DataFrame:
    """One row per (variant, seed): the reference and every variant, on the same seeds."""
    work: list[tuple[str, str, dict[str, Any], int, dict[str, Any]]]
    work = [(REFERENCE, REFERENCE, {}, s, size) for s in range(seeds)]
    work += [(v.name, v.scenario, v.overrides, s, size) for v in variants for s in range(seeds)]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            rows = list(pool.map(_one, work, chunksize=2))
    else:
        rows = [_one(w) for w in work]
    return pd.DataFrame(rows)


def check(runs: pd.DataFrame, variants: Sequence[Variant]) -> pd.DataFrame:
    """Paired differences (variant - reference) with 95% t intervals, one row per
    (variant, outcome); `excludes_zero` marks the outcomes a variant measurably moves."""
    from sim.report.stats import paired_compare

    tables = []
    for v in variants:
        both = runs[runs["variant"].isin([REFERENCE, v.name])]
        table = paired_compare(both, REFERENCE, list(v.outcomes), n_boot=200)
        tables.append(table[table["variant"] == v.name])
    out = pd.concat(tables, ignore_index=True)
    out["excludes_zero"] = (out["t_ci_low"] > 0) | (out["t_ci_high"] < 0)
    return out


def markdown(table: pd.DataFrame) -> str:
    lines = [
        "| variant | outcome | reference | difference | 95% CI | pairs |",
        "|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        mark = " **" if r.excludes_zero else ""
        lines.append(
            f"| {r.variant} | {r.outcome} | {r.mean_reference:.4g} |{mark}{r.mean_diff:+.4g}"
            f"{mark.strip() and '**'} | [{r.t_ci_low:+.4g}, {r.t_ci_high:+.4g}] | {r.n_pairs} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Paired ablation check against chengdu_2014.")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--communities", type=int, default=20)
    ap.add_argument("--steps", type=int, default=260)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", nargs="*", help="variant names to check (default: all)")
    ap.add_argument("--out", help="also write the table as CSV here")
    args = ap.parse_args(argv)
    variants = [v for v in ABLATIONS if not args.only or v.name in args.only]
    size = {"world.communities": args.communities, "steps": args.steps}
    runs = runs_table(variants, args.seeds, size, args.jobs)
    table = check(runs, variants)
    if args.out:
        table.to_csv(args.out, index=False)
    print(markdown(table))
    moved = table.groupby("variant")["excludes_zero"].any()
    inert = [v.name for v in variants if not moved.get(v.name, False)]
    if inert:
        print(f"\nno headline outcome moved for: {', '.join(inert)}", file=sys.stderr)
        return 1
    print(f"\nevery variant moves at least one outcome ({args.seeds} paired seeds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
