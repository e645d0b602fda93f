"""The agents are the truth: changing one institution agent after the build changes the run.

Each test builds two models on the same seed, changes agents of one type in one of them,
runs both and checks that the outcome that type drives moved the way it should.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim import GovernanceModel
from sim.agents import (
    Council,
    Court,
    GrandMediationCentre,
    GridWorker,
    MediationCommittee,
    PartyBranch,
    PetitionOffice,
    ResidentsCommittee,
    ServiceStation,
    SocialOrg,
    StreetOffice,
)
from sim.config import GRAND_CENTRES, TIERS
from sim.ledger import GRID, PARTY
from sim.processes.councils import Deliberation
from sim.processes.government import Government
from sim.processes.social_orgs import SocialOrganisations

SMALL = {"world.communities": 2, "burn_in": 0, "output.progress": False}


def twins(
    change: Callable[[GovernanceModel], None], weeks: int = 30, **over: object
) -> tuple[GovernanceModel, GovernanceModel]:
    """(untouched, changed): the same seed and config, `change` applied to the second."""
    pair = [
        GovernanceModel("chengdu_2014", rng=4, **{**SMALL, "steps": weeks, **over}) for _ in "ab"
    ]
    change(pair[1])
    for m in pair:
        m.run()
    return pair[0], pair[1]


def of(m: GovernanceModel, cls: type) -> list:
    return list(m.agents_by_type.get(cls, ()))


def started(m: GovernanceModel, tier: str) -> int:
    return int((~np.isnan(m.ledger.tier_start[:, TIERS.index(tier)])).sum())


def test_removing_building_party_groups_ends_their_early_detection() -> None:
    def remove(m: GovernanceModel) -> None:
        for branch in of(m, PartyBranch):
            if branch.level == "building":
                branch.remove()

    same, changed = twins(remove)
    assert (same.ledger.detector == PARTY).sum() > 0 == (changed.ledger.detector == PARTY).sum()


def test_a_party_groups_detection_chance_is_what_detection_uses() -> None:
    def sharpen(m: GovernanceModel) -> None:
        for branch in of(m, PartyBranch):
            branch.detection = 1.0

    same, changed = twins(sharpen)
    assert (changed.ledger.detector == PARTY).sum() > (same.ledger.detector == PARTY).sum()


def test_a_council_quorum_no_one_can_meet_stops_its_decisions() -> None:
    def raise_quorum(m: GovernanceModel) -> None:
        for council in of(m, Council):
            council.quorum = 1.0

    over = {"disputes.issue_rate": 0.05}
    same, changed = twins(raise_quorum, weeks=60, **over)
    assert changed.process(Deliberation).total.council_decided == 0
    assert same.process(Deliberation).total.council_decided > 0


def test_a_residents_committee_that_never_succeeds_carries_nothing_out() -> None:
    def fail(m: GovernanceModel) -> None:
        for committee in of(m, ResidentsCommittee):
            committee.success = 0.0

    over = {
        "policy.councils.level": "none",
        "disputes.issue_rate": 0.05,
        "property.management": False,
    }
    same, changed = twins(fail, weeks=60, **over)
    assert same.process(Deliberation).total.implemented > 0
    assert changed.process(Deliberation).total.implemented == 0


def test_service_station_resources_raise_what_councils_carry_out() -> None:
    def fund(m: GovernanceModel) -> None:
        for station in of(m, ServiceStation):
            station.resources = 20.0

    over = {"disputes.issue_rate": 0.05, "property.management": False}
    same, changed = twins(fund, weeks=80, **over)
    total = lambda m: m.process(Deliberation).total  # noqa: E731
    assert total(changed).implemented / total(changed).raised > (
        total(same).implemented / total(same).raised
    )


def test_a_mediation_committee_without_mediators_mediates_nothing() -> None:
    def unstaff(m: GovernanceModel) -> None:
        for committee in of(m, MediationCommittee):
            if committee.level == "community":
                committee.staff(0, 0, m.clock)

    over = {"policy.social_orgs.mediating_share": 0.0, "mediation.courtyard.servers": 0.0}
    same, changed = twins(unstaff, **over)
    assert started(same, "community") > 0 == started(changed, "community")


def test_a_centres_referral_chance_decides_who_its_host_sends() -> None:
    police = GRAND_CENTRES.index("public_security_bureau")

    def stop(m: GovernanceModel) -> None:
        for centre in of(m, GrandMediationCentre):
            if centre.unit == police:
                centre.referral = 0.0

    over = {"mediation.grand.servers": 100.0, "mediation.police_referral": 1.0}
    same, changed = twins(stop, **over)
    assert (same.ledger.grand_centre == police).sum() > 0
    assert (changed.ledger.grand_centre == police).sum() == 0


def test_a_court_without_judges_hears_no_case() -> None:
    def close(m: GovernanceModel) -> None:
        for court in of(m, Court):
            court.staff(0, 0, m.clock)

    over = {"mediation.direct_litigation": 0.5, "disputes.base_rate": 0.003}
    same, changed = twins(close, weeks=40, **over)
    assert started(same, "litigation") > 0 == started(changed, "litigation")


def test_a_petition_office_without_officers_handles_no_petition() -> None:
    def close(m: GovernanceModel) -> None:
        for office in of(m, PetitionOffice):
            office.staff(0, 0, m.clock)

    over = {"disputes.base_rate": 0.003, "mediation.petition_exit": 0.5}
    same, changed = twins(close, weeks=40, **over)
    assert started(same, "petition") > 0 == started(changed, "petition")


def test_removing_grid_workers_ends_grid_detection() -> None:
    def dismiss(m: GovernanceModel) -> None:
        for worker in of(m, GridWorker):
            worker.remove()

    same, changed = twins(dismiss)
    assert (same.ledger.detector == GRID).sum() > 0 == (changed.ledger.detector == GRID).sum()


def test_removing_social_organisations_removes_their_ties() -> None:
    def dissolve(m: GovernanceModel) -> None:
        for org in of(m, SocialOrg):
            if org.kind != "hub":
                org.remove()

    same, changed = twins(dissolve, weeks=2)
    assert changed.total_ties() < same.total_ties()


def test_a_street_office_that_buys_nothing_leaves_organisations_unfunded() -> None:
    def cut(m: GovernanceModel) -> None:
        for office in of(m, StreetOffice):
            office.purchase = 0.0

    same, changed = twins(cut, weeks=60)
    funding = lambda m: m.process(SocialOrganisations).funding  # noqa: E731
    assert funding(changed) < funding(same)
    cost = lambda m: m.process(Government).total.cost  # noqa: E731
    assert cost(changed) < cost(same)  # services it no longer buys are not booked


def test_a_property_company_that_never_repairs_lets_its_estates_issues_fester() -> None:
    from sim.agents.property import PropertyCompany

    def neglect(m: GovernanceModel) -> None:
        for company in of(m, PropertyCompany):
            company.service = 0.0

    same, changed = twins(neglect, weeks=60, **{"disputes.issue_rate": 0.05})
    escalated = lambda m: m.process(Deliberation).total.escalated  # noqa: E731
    assert escalated(changed) > escalated(same)
    assert sum(c.implemented for c in of(changed, PropertyCompany)) == 0
