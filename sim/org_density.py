"""The founding rate that makes a given organisation density the balance of founding and
failure, under a scenario's other settings: how the counterfactual-density scenarios
(`so_density_*`) are set.

    python -m sim.org_density 3.4 3.6 4.6 --scenario chengdu_2014
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sim.compose import load_config
from sim.model import GovernanceModel
from sim.processes.social_orgs import SocialOrganisations, founding_rate_for


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("densities", type=float, nargs="+", help="organisations per 10,000 people")
    ap.add_argument("--scenario", default="chengdu_2014")
    args = ap.parse_args(argv)
    cfg = load_config(args.scenario, {"burn_in": 0, "steps": 1})
    m = GovernanceModel(rng=0, config=cfg)
    so = m.cfg.policy.social_orgs
    for d in args.densities:
        sector = m.process(SocialOrganisations)
        rate = founding_rate_for(d, so, m.people, sector.n_streets, sector.funding_ratio)
        print(f"density {d:g} per 10,000 people: founding_rate {rate:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
