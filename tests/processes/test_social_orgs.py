"""The `social_orgs` process on small worlds: the direction of each effect."""

from __future__ import annotations

import numpy as np
import pytest

from sim.processes.ladder import Ladder
from sim.processes.social_orgs import (
    SocialOrg,
    equilibrium_count,
    failure_hazard,
    linked_share,
    weekly_births,
)


def test_more_social_organisations_mean_more_ties(model, orgs) -> None:
    many = model(**{"policy.social_orgs.founding_rate": 0.5, "steps": 5})
    few = model(**{"policy.social_orgs.founding_rate": 0.02, "steps": 5})
    non_hub = lambda m: [o for o in orgs(m).alive() if o.kind != "hub"]  # noqa: E731
    assert len(non_hub(many)) > len(non_hub(few))
    assert many.total_ties() > few.total_ties()
    assert many.graph.indices.tolist() == few.graph.indices.tolist()  # same base graph


def test_mediating_organisations_add_community_mediators(model) -> None:
    m = model(
        **{"policy.social_orgs.founding_rate": 1.0, "policy.social_orgs.mediating_share": 1.0}
    )
    base = model(**{"policy.social_orgs.founding_rate": 0.0})
    assert m.process(Ladder).total_servers() > base.process(Ladder).total_servers()
    lent = sum(d.lent for d in m.desks.values())
    assert lent > 0 == sum(d.lent for d in base.desks.values())


def test_social_organisations_are_mesa_agents_with_members(model, orgs) -> None:
    m = model(**{"policy.social_orgs.founding_rate": 0.3})
    orgs = m.agents_by_type[SocialOrg]
    non_hub = [o for o in orgs if o.kind != "hub"]
    assert non_hub and all(len(o.members) > 0 for o in non_hub)
    assert all((m.pop.community[o.members] == o.unit).all() for o in non_hub)


def test_hub_organisations_per_street_follow_the_setting(model, orgs) -> None:
    m = model(**{"world.communities": 25, "world.communities_per_street": 10})
    hubs = orgs(m).alive("hub")
    assert sorted(h.unit for h in hubs) == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_organisations_balance_founding_and_failure(model, orgs) -> None:
    m = model(**{"world.communities": 10, "steps": 1})
    cfg = m.cfg.policy.social_orgs
    sector = orgs(m)
    n = equilibrium_count(cfg, m.people, sector.n_streets, sector.funding_ratio)
    linked = linked_share(cfg.hubs_per_street, n / sector.n_streets, cfg.hub_span)
    failures = n * float(failure_hazard(cfg, sector.funding_ratio(n), np.array(linked)))
    assert failures == pytest.approx(weekly_births(cfg, m.people), rel=1e-6)
    assert abs(m.org_count - n) <= 1
    no_hubs = model(
        **{"world.communities": 10, "steps": 1, "policy.social_orgs.hubs_per_street": 0}
    )
    assert no_hubs.org_count < m.org_count  # hubs cut failures, so more survive


def test_a_failed_organisation_takes_its_member_ties_with_it(model, orgs) -> None:
    m = model(**{"policy.social_orgs.founding_rate": 0.5})
    org = next(o for o in orgs(m).alive() if len(o.ties))
    before = len(orgs(m).tie_edges())
    org.remove()
    assert len(orgs(m).tie_edges()) == before - len(org.ties)
