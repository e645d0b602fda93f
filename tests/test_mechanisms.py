"""Each mechanism on a small world: the direction of its effect (same seed, one lever)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import GovernanceModel
from sim.agents import GrandMediationCentre, ServiceStation
from sim.compose import load_config
from sim.config import GRAND_CENTRES, TIERS, Reform
from sim.network import freeze
from sim.population import INSTITUTIONS
from sim.processes import trust
from sim.processes.councils import Deliberation
from sim.processes.disputes import Disputes
from sim.processes.floating import FloatingManagement
from sim.processes.government import Government
from sim.processes.ladder import Ladder
from sim.processes.social_orgs import (
    SocialOrg,
    SocialOrganisations,
    equilibrium_count,
    failure_hazard,
    funding_ratio,
    linked_share,
    weekly_births,
)
from sim.processes.trust import Online

SMALL = {"world.communities": 2, "burn_in": 0, "output.progress": False}


def model(scenario: str = "chengdu_2014", seed: int = 3, **over: object) -> GovernanceModel:
    return GovernanceModel(scenario, rng=seed, **{**SMALL, **over})


def councils(m: GovernanceModel):  # noqa: ANN201
    return m.process(Deliberation).total


def orgs(m: GovernanceModel) -> SocialOrganisations:
    return m.process(SocialOrganisations)


def run_for(m: GovernanceModel, weeks: int) -> GovernanceModel:
    for _ in range(weeks):
        m.step()
    return m


def detection_delay(m: GovernanceModel) -> tuple[float, float]:
    led = m.ledger
    return float(led.detected.mean()), float(np.nanmean(led.entry_time - led.arise_time))


def test_building_party_coverage_means_earlier_detection() -> None:
    full = run_for(model(**{"policy.party.building_coverage": 1.0, "steps": 40}), 40)
    none = run_for(model(**{"policy.party.building_coverage": 0.0, "steps": 40}), 40)
    (share_full, delay_full), (share_none, delay_none) = (
        detection_delay(full),
        detection_delay(none),
    )
    assert share_full > share_none + 0.1
    assert delay_full < delay_none


def test_grid_workers_mean_earlier_detection() -> None:
    many = run_for(model(**{"policy.grid.workers_per_10k": 40.0, "steps": 40}), 40)
    none = run_for(model(**{"policy.grid.workers_per_10k": 0.0, "steps": 40}), 40)
    assert detection_delay(many)[0] > detection_delay(none)[0] + 0.1


def test_zero_council_coverage_means_no_council_decisions() -> None:
    none = run_for(model(**{"policy.councils.coverage": 0.0, "steps": 60}), 60)
    full = run_for(model(**{"policy.councils.coverage": 1.0, "steps": 60}), 60)
    assert councils(none).council_decided == 0
    assert councils(none).raised > 0  # issues still arise; the committee acts alone
    assert councils(full).council_decided > 0


def test_councils_carry_out_more_issues_than_the_committee_alone() -> None:
    over = {"steps": 150, "world.communities": 3, "disputes.issue_rate": 0.05}
    full = run_for(model(**over, **{"policy.councils.level": "both"}), 150)
    none = run_for(model(**over, **{"policy.councils.level": "none"}), 150)
    rate = lambda m: councils(m).implemented / councils(m).raised  # noqa: E731
    assert rate(full) > rate(none)
    assert councils(full).escalated < councils(none).escalated


def test_more_social_organisations_mean_more_ties() -> None:
    many = model(**{"policy.social_orgs.founding_rate": 0.5, "steps": 5})
    few = model(**{"policy.social_orgs.founding_rate": 0.02, "steps": 5})
    non_hub = lambda m: [o for o in orgs(m).alive() if o.kind != "hub"]  # noqa: E731
    assert len(non_hub(many)) > len(non_hub(few))
    assert many.total_ties() > few.total_ties()
    assert many.graph.indices.tolist() == few.graph.indices.tolist()  # same base graph


def test_mediating_organisations_add_community_mediators() -> None:
    m = model(
        **{"policy.social_orgs.founding_rate": 1.0, "policy.social_orgs.mediating_share": 1.0}
    )
    base = model(**{"policy.social_orgs.founding_rate": 0.0})
    assert m.process(Ladder).total_servers() > base.process(Ladder).total_servers()
    lent = sum(d.lent for d in m.desks.values())
    assert lent > 0 == sum(d.lent for d in base.desks.values())


def test_social_organisations_raise_participation() -> None:
    hi = run_for(model(**{"policy.social_orgs.founding_rate": 1.0, "steps": 30}), 30)
    lo = run_for(model(**{"policy.social_orgs.founding_rate": 0.0, "steps": 30}), 30)
    assert hi.participation_active().mean() > lo.participation_active().mean()


def test_participation_by_group_follows_age_party_and_registration() -> None:
    m = run_for(model(seed=5, **{"world.communities": 4, "steps": 30}), 30)
    s = {k: f(m) for k, f in __import__("sim.metrics", fromlist=["REPORTERS"]).REPORTERS.items()}
    assert s["participation_age_70_79"] > s["participation_age_18_29"]
    assert s["participation_party"] > s["participation_non_party"]
    assert s["participation_registered"] > s["participation_floating"]


def test_building_party_mobilisation_raises_participation() -> None:
    hi = run_for(model(**{"participation.party_mobilisation": 2.0, "steps": 20}), 20)
    lo = run_for(model(**{"participation.party_mobilisation": 0.0, "steps": 20}), 20)
    assert hi.participation_active().mean() > lo.participation_active().mean()


def test_spread_moves_trust_toward_neighbours() -> None:
    """A path 0-1-2: the middle resident moves toward the mean of its two ties."""
    m = model(**{"steps": 1})
    graph = freeze(3, np.array([[0, 1], [1, 2]]))
    ties = trust.Ties(graph)
    pop = m.pop
    sub = type(pop)(
        **{
            f: getattr(pop, f)[:3].copy()
            for f in (
                "household",
                "building",
                "courtyard",
                "community",
                "street",
                "age",
                "party",
                "floating",
                "propensity",
                "grievance",
            )
        },
        trust={k: np.array([0.0, 0.5, 1.0], np.float32) for k in INSTITUTIONS},
    )
    sub.grievance[:] = np.array([0.1, 0.1, 0.9], np.float32)
    cfg = load_config("chengdu_2014").trust
    peer = trust.spread(sub, ties, cfg, np.ones(3, np.float32), np.array([1, 0, 0], np.float32))
    assert sub.trust["party"][1] == pytest.approx(0.5)  # mean of 0 and 1 is 0.5: unchanged
    assert sub.trust["party"][0] == pytest.approx(cfg.diffusion * 0.5)
    assert sub.grievance[1] == pytest.approx(0.1 + cfg.grievance_diffusion * (0.5 - 0.1))
    assert peer.tolist() == pytest.approx([0.0, 0.5, 0.0])


def test_online_monitoring_relieves_grievance() -> None:
    over = {"steps": 30, "trust.online_share": 1.0, "world.initial_grievance": 0.6}
    on = run_for(model(**over, **{"policy.online.monitoring": 1.0}), 30)
    off = run_for(model(**over, **{"policy.online.monitoring": 0.0}), 30)
    assert off.process(Online).total.warnings == 0 < on.process(Online).total.warnings
    assert on.pop.grievance.mean() < off.pop.grievance.mean()


def test_classified_management_registers_newcomers_sooner() -> None:
    over = {"steps": 40, "migration.turnover": 0.02, "world.floating_share": 0.5}
    managed = run_for(model(**over, **{"policy.floating.classified": True}), 40)
    unmanaged = run_for(model(**over, **{"policy.floating.classified": False}), 40)
    unregistered = lambda m: int((~m.pop.registered).sum())  # noqa: E731
    assert managed.steps == unmanaged.steps == 40
    assert unregistered(managed) < unregistered(unmanaged)


def test_turnover_replaces_floating_residents_only() -> None:
    m = model(**{"steps": 10, "migration.turnover": 0.05})
    before = m.pop.arrival.copy()
    run_for(m, 10)
    renewed = m.pop.arrival != before
    assert renewed.any()
    assert m.pop.floating[renewed].all()
    assert m.pop.n == len(before)


def test_public_service_share_raises_council_resources() -> None:
    low = model(**{"policy.government.public_service_share": 0.3})
    high = model(**{"policy.government.public_service_share": 0.9})
    resources = lambda m: [s.resources for s in m.agents_by_type[ServiceStation]]  # noqa: E731
    assert min(resources(high)) > max(resources(low))
    assert orgs(high).purchase() > orgs(low).purchase()
    assert orgs(high).funding_ratio(10) > orgs(low).funding_ratio(10)
    cfg = low.cfg.policy.social_orgs
    assert funding_ratio(2000.0, 10, cfg) > funding_ratio(1000.0, 10, cfg)


def test_government_cost_is_booked_every_week() -> None:
    m = run_for(model(**{"steps": 5}), 5)
    assert m.process(Government).total.cost > 0
    assert m.process(Government).tally.cost > 0


def test_timeline_switches_reforms_on_at_their_week() -> None:
    cfg = load_config("baseline_2008", {**SMALL, "steps": 12})
    cfg.timeline = [Reform(step=5, label="grand mediation", set={"mediation.grand.servers": 4.0})]
    m = GovernanceModel(config=cfg, rng=1)
    assert len(m.agents_by_type.get(GrandMediationCentre, [])) == 0
    run_for(m, 5)
    assert len(m.agents_by_type.get(GrandMediationCentre, [])) == 0
    m.step()  # week 5
    assert m.reforms_applied == [
        {"step": 5, "label": "grand mediation", "set": {"mediation.grand.servers": 4.0}}
    ]
    assert len(m.agents_by_type[GrandMediationCentre]) > 0
    assert m.cfg.mediation.grand.servers == 4.0


def test_timeline_with_a_bad_key_is_rejected_before_the_run() -> None:
    from sim.params import ConfigError

    with pytest.raises(ConfigError, match=r"timeline\[0\] unknown key 'mediation.grand.servres'"):
        load_config(
            "baseline_2008",
            {"timeline": [{"step": 1, "label": "x", "set": {"mediation.grand.servres": 1}}]},
        )


def test_social_organisations_are_mesa_agents_with_members() -> None:
    m = model(**{"policy.social_orgs.founding_rate": 0.3})
    orgs = m.agents_by_type[SocialOrg]
    non_hub = [o for o in orgs if o.kind != "hub"]
    assert non_hub and all(len(o.members) > 0 for o in non_hub)
    assert all((m.pop.community[o.members] == o.unit).all() for o in non_hub)


def test_a_reform_cannot_change_what_the_world_was_built_from() -> None:
    from sim.params import ConfigError

    with pytest.raises(ConfigError, match=r"timeline\[0\] cannot change 'world.communities'"):
        load_config(
            "baseline_2008",
            {"timeline": [{"step": 1, "label": "x", "set": {"world.communities": 5}}]},
        )


def test_counterparts_follow_the_dispute_kind() -> None:
    m = run_for(model(**{"steps": 40}), 40)
    led = m.ledger
    kinds = np.array(led.frame()["kind"].astype(str))
    fam = (kinds == "family") & (led.counterpart >= 0)
    nb = (kinds == "neighbour") & (led.counterpart >= 0)
    hh = m.pop.household
    assert fam.any() and nb.any()
    assert (hh[led.initiator[fam]] == hh[led.counterpart[fam]]).all()
    assert (hh[led.initiator[nb]] != hh[led.counterpart[nb]]).all()
    outside = np.isin(kinds, ["labour", "civil", "relocation", "property"])
    assert (led.counterpart[outside] == -1).all()


def test_early_detection_records_who_caught_it() -> None:
    party_only = run_for(
        model(
            **{
                "steps": 30,
                "policy.grid.workers_per_10k": 0.0,
                "policy.party.building_coverage": 1.0,
            }
        ),
        30,
    )
    by = party_only.ledger.frame()["detected_by"].astype(str)
    assert set(by) <= {"none", "party", "classified", "online"} and (by == "party").any()
    grid_only = run_for(
        model(
            **{
                "steps": 30,
                "policy.grid.workers_per_10k": 40.0,
                "policy.party.building_coverage": 0.0,
            }
        ),
        30,
    )
    by = grid_only.ledger.frame()["detected_by"].astype(str)
    assert "party" not in set(by) and (by == "grid").any()


def test_hub_organisations_per_street_follow_the_setting() -> None:
    m = model(**{"world.communities": 25, "world.communities_per_street": 10})
    hubs = orgs(m).alive("hub")
    assert sorted(h.unit for h in hubs) == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_the_court_refers_lawsuits_to_its_mediation_centre_first() -> None:
    over = {
        "steps": 60,
        "mediation.grand.servers": 100.0,  # a centre with mediators, even in a tiny world
        "mediation.court_referral": 1.0,
        "mediation.direct_litigation": 1.0,
        "mediation.police_referral": 0.0,
        "disputes.base_rate": 0.003,  # enough failed mediations to reach the court
    }
    m = run_for(model(**over), 60)
    led = m.ledger
    sued = ~np.isnan(led.tier_entry[:, TIERS.index("litigation")])
    at_court = led.grand_centre == GRAND_CENTRES.index("intermediate_court")
    assert at_court.any()
    # nobody reaches the court without first meeting its mediators (unless they already had)
    grand_first = ~np.isnan(led.tier_entry[:, TIERS.index("grand")])
    assert (grand_first[sued]).all()
    none = run_for(model(**{**over, "mediation.grand.servers": 0.0}), 60)
    assert (none.ledger.grand_centre == -1).all()


def test_police_and_petition_office_refer_disputes_to_their_centres() -> None:
    over = {
        "steps": 60,
        "mediation.grand.servers": 100.0,
        "mediation.police_referral": 1.0,
        "mediation.petition_referral": 1.0,
    }
    m = run_for(model(**over), 60)
    centres = {GRAND_CENTRES[c] for c in m.ledger.grand_centre if c >= 0}
    assert {"public_security_bureau", "petition_bureau"} <= centres


def test_waiting_parties_give_up_and_it_is_recorded_and_felt() -> None:
    over = {
        "steps": 60,
        "mediation.courtyard.servers": 0.0,
        "mediation.community.servers": 0.1,
        "mediation.community.patience": 1.0,
    }
    m = run_for(model(**over), 60)
    led = m.ledger
    gave_up = led.reneged[:, TIERS.index("community")]
    assert gave_up.any()
    assert np.isnan(led.tier_start[gave_up, TIERS.index("community")]).all()
    assert m.process(Ladder).total.reneged[TIERS.index("community")] == gave_up.sum()
    patient = run_for(model(**{**over, "mediation.community.patience": 1e6}), 60)
    assert not patient.ledger.reneged[:, TIERS.index("community")].any()
    unfelt = run_for(model(**{**over, "mediation.renege_grievance": 0.0}), 60)
    assert m.pop.grievance.mean() > unfelt.pop.grievance.mean()


def test_organisations_balance_founding_and_failure() -> None:
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


def test_a_failed_organisation_takes_its_member_ties_with_it() -> None:
    m = model(**{"policy.social_orgs.founding_rate": 0.5})
    org = next(o for o in orgs(m).alive() if len(o.ties))
    before = len(orgs(m).tie_edges())
    org.remove()
    assert len(orgs(m).tie_edges()) == before - len(org.ties)


def test_key_persons_are_the_most_aggrieved_managed_floating_residents() -> None:
    m = model(**{"steps": 2, "policy.floating.key_share": 0.2})
    management = m.process(FloatingManagement)
    managed = m.floating_idx[management.managed(m.floating_idx)]
    before = m.pop.grievance[managed].copy()
    tally = management.step(m, 0)
    assert tally.key / len(managed) == pytest.approx(0.2, abs=0.02)
    assert (before[before >= management.risk_levels[0]] >= np.quantile(before, 0.79)).all()
    off = run_for(model(**{"steps": 2, "policy.floating.classified": False}), 1)
    assert off.process(FloatingManagement).extra_detection(off.floating_idx) is None


def test_online_monitoring_finds_festering_disputes_of_online_residents() -> None:
    over = {"steps": 40, "policy.online.monitoring": 1.0, "policy.online.posting": 1.0}
    m = run_for(model(**over), 40)
    by = m.ledger.frame()["detected_by"].astype(str)
    online = by == "online"
    assert online.any()
    assert m.pop.online[m.ledger.initiator[online.to_numpy()]].all()
    off = run_for(model(**{**over, "policy.online.monitoring": 0.0}), 40)
    assert not (off.ledger.frame()["detected_by"].astype(str) == "online").any()


def test_burn_in_runs_before_week_0_and_is_not_recorded() -> None:
    m = GovernanceModel("chengdu_2014", rng=2, **{**SMALL, "burn_in": 30, "steps": 10})
    assert m.steps == 0 and m.process(Disputes).total.arising == 0
    assert (m.ledger.opened < 0).all() and m.ledger.n > 0  # disputes of the burn-in
    m.run()
    assert m.process(Disputes).total.arising == int((m.ledger.opened >= 0).sum())
    ts = m.datacollector.get_model_vars_dataframe()
    assert len(ts) == 11 and ts["disputes_arising"].iloc[0] == 0
