"""The `participation` process on small worlds: the direction of each effect."""

from __future__ import annotations


def test_social_organisations_raise_participation(model, run_for) -> None:
    hi = run_for(model(**{"policy.social_orgs.founding_rate": 1.0, "steps": 30}), 30)
    lo = run_for(model(**{"policy.social_orgs.founding_rate": 0.0, "steps": 30}), 30)
    assert hi.participation_active().mean() > lo.participation_active().mean()


def test_participation_by_group_follows_age_party_and_registration(model, run_for) -> None:
    m = run_for(model(seed=5, **{"world.communities": 4, "steps": 30}), 30)
    s = {k: f(m) for k, f in __import__("sim.metrics", fromlist=["REPORTERS"]).REPORTERS.items()}
    assert s["participation_age_70_79"] > s["participation_age_18_29"]
    assert s["participation_party"] > s["participation_non_party"]
    assert s["participation_registered"] > s["participation_floating"]


def test_building_party_mobilisation_raises_participation(model, run_for) -> None:
    hi = run_for(model(**{"participation.party_mobilisation": 2.0, "steps": 20}), 20)
    lo = run_for(model(**{"participation.party_mobilisation": 0.0, "steps": 20}), 20)
    assert hi.participation_active().mean() > lo.participation_active().mean()
