"""The `councils` process on small worlds: the direction of each effect (same seed, one lever)."""

from __future__ import annotations

from sim.agents import ServiceStation
from sim.processes.social_orgs import (
    funding_ratio,
)


def test_zero_council_coverage_means_no_council_decisions(model, councils, run_for) -> None:
    none = run_for(model(**{"policy.councils.coverage": 0.0, "steps": 60}), 60)
    full = run_for(model(**{"policy.councils.coverage": 1.0, "steps": 60}), 60)
    assert councils(none).council_decided == 0
    assert councils(none).raised > 0  # issues still arise; the committee acts alone
    assert councils(full).council_decided > 0


def test_councils_carry_out_more_issues_than_the_committee_alone(model, councils, run_for) -> None:
    over = {"steps": 150, "world.communities": 3, "disputes.issue_rate": 0.05}
    full = run_for(model(**over, **{"policy.councils.level": "both"}), 150)
    none = run_for(model(**over, **{"policy.councils.level": "none"}), 150)
    rate = lambda m: councils(m).implemented / councils(m).raised  # noqa: E731
    assert rate(full) > rate(none)
    assert councils(full).escalated < councils(none).escalated


def test_public_service_share_raises_council_resources(model, orgs) -> None:
    low = model(**{"policy.government.public_service_share": 0.3})
    high = model(**{"policy.government.public_service_share": 0.9})
    resources = lambda m: [s.resources for s in m.agents_by_type[ServiceStation]]  # noqa: E731
    assert min(resources(high)) > max(resources(low))
    assert orgs(high).purchase() > orgs(low).purchase()
    assert orgs(high).funding_ratio(10) > orgs(low).funding_ratio(10)
    cfg = low.cfg.policy.social_orgs
    assert funding_ratio(2000.0, 10, cfg) > funding_ratio(1000.0, 10, cfg)
