"""Calibration: structure at city scale and outcome patterns over several seeds."""

from __future__ import annotations

import pytest

from sim import GovernanceModel, run
from sim.calibration import PATTERNS, STRUCTURE, evaluate

pytestmark = pytest.mark.calibration


def test_city_structure_matches_the_seed() -> None:
    m = GovernanceModel(
        "chengdu_2014",
        rng=0,
        **{"world.communities": 654, "world.resident_agents": False, "steps": 1},
    )
    assert m.world.n_communities == STRUCTURE["communities"][0]
    assert m.world.n_courtyards == STRUCTURE["courtyards"][0]
    orgs = [o for o in m.orgs.alive() if o.kind != "hub"]
    per_10k = len(orgs) / m.pop.n * 10_000
    assert per_10k == pytest.approx(STRUCTURE["social_orgs_per_10k"][0], abs=0.005)
    groups = sum(o.kind == "group" for o in orgs)
    pnus = sum(o.kind == "pnu" for o in orgs)
    assert groups / pnus == pytest.approx(STRUCTURE["group_to_pnu"][0], rel=0.01)


def test_chengdu_2014_meets_every_pattern_target_over_seeds() -> None:
    summaries = [run(scenario="chengdu_2014", seed=s).summary for s in range(4)]
    rows = evaluate(summaries)
    assert [r["target"] for r in rows] == [t.name for t in PATTERNS]
    missed = [
        (r["target"], round(r["mean"], 4), (r["low"], r["high"])) for r in rows if not r["ok"]
    ]
    assert not missed, missed


def test_reform_improves_on_the_2008_baseline() -> None:
    """The reform package should settle disputes better and raise participation."""
    base = [run(scenario="baseline_2008", seed=s).summary for s in range(3)]
    reform = [run(scenario="chengdu_2014", seed=s).summary for s in range(3)]
    for b, r in zip(base, reform, strict=True):
        assert r["participation_rate"] > b["participation_rate"]
        assert r["resolution_rate"] > b["resolution_rate"]
