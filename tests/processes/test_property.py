"""Property management: companies in the commodity estates take repairs, residents'
satisfaction with them feeds grievance, and old courtyards govern their own repairs."""

from __future__ import annotations

import numpy as np
import pytest

from sim import GovernanceModel
from sim.agents.property import TAKES_ISSUES, PropertyCompany
from sim.compose import load_config
from sim.config import Reform
from sim.processes.councils import HANDLERS, ISSUE_KINDS, PROVIDER, Deliberation

SMALL = {"world.communities": 3, "burn_in": 0, "output.progress": False}


def model(seed: int = 2, **over: object) -> GovernanceModel:
    return GovernanceModel("chengdu_2014", rng=seed, **{**SMALL, **over})


def companies(m: GovernanceModel) -> list[PropertyCompany]:
    return list(m.agents_by_type.get(PropertyCompany, ()))


def test_companies_serve_the_commodity_share_of_courtyards_and_none_when_off() -> None:
    m = model(**{"world.communities": 20, "property.commodity_share": 0.6})
    share = len(companies(m)) / m.world.n_courtyards
    assert share == pytest.approx(0.6, abs=0.05)
    assert companies(model(**{"property.management": False})) == []
    assert companies(model(**{"property.commodity_share": 0.0})) == []


def test_a_better_service_mean_keeps_the_same_estates_and_improves_every_company() -> None:
    worse = {c.unit: c.service for c in companies(model(**{"property.service_mean": 0.2}))}
    better = {c.unit: c.service for c in companies(model(**{"property.service_mean": 0.6}))}
    assert set(worse) == set(better)
    assert all(better[u] > worse[u] for u in worse)


def test_companies_take_their_estates_repairs_and_old_courtyards_keep_them() -> None:
    m = model(**{"steps": 60, "disputes.issue_rate": 0.05})
    m.run()
    issues = m.process(Deliberation).issues
    estates = {c.unit for c in companies(m)}
    in_estate = np.isin(issues.courtyard, list(estates)) & ~issues.community_wide
    taken = np.isin(np.array(ISSUE_KINDS)[issues.kind], list(TAKES_ISSUES))
    by_company = issues.handler == PROVIDER
    assert HANDLERS[PROVIDER] == "provider"
    assert by_company.any()
    assert (by_company == (in_estate & taken))[issues.handler >= 0].all()
    assert (issues.handler[~in_estate & taken & (issues.handler >= 0)] != PROVIDER).all()
    assert sum(c.implemented for c in companies(m)) > 0


def test_dissatisfied_estates_grow_more_aggrieved() -> None:
    def with_satisfaction(level: float) -> GovernanceModel:
        m = model(**{"steps": 30, "property.satisfaction_learning": 0.0})
        for company in companies(m):
            company.satisfaction = level
        m.run()
        return m

    unhappy, happy = with_satisfaction(0.0), with_satisfaction(1.0)
    estate = np.isin(unhappy.pop.courtyard, [c.unit for c in companies(unhappy)])
    assert unhappy.pop.grievance[estate].mean() > happy.pop.grievance[estate].mean()


def test_satisfaction_follows_what_the_company_delivers() -> None:
    m = model(**{"steps": 80, "disputes.issue_rate": 0.05, "property.service_mean": 0.9})
    m.run()
    poor = model(**{"steps": 80, "disputes.issue_rate": 0.05, "property.service_mean": 0.1})
    poor.run()
    mean = lambda m: np.mean([c.satisfaction for c in companies(m)])  # noqa: E731
    assert mean(m) > 0.7 > 0.3 > mean(poor)
    assert m.process(Deliberation).total.escalated < poor.process(Deliberation).total.escalated


def test_a_reform_that_ends_property_management_closes_the_companies() -> None:
    cfg = load_config("chengdu_2014", {**SMALL, "steps": 6})
    cfg.timeline = [Reform(step=3, label="no companies", set={"property.management": False})]
    m = GovernanceModel(config=cfg, rng=1)
    assert companies(m)
    m.run()
    assert companies(m) == []
