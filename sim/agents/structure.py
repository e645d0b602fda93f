"""How the policy in force becomes institutions: which units have a party branch, a council,
a mediation committee with how many mediators, how many grid workers each community has,
what each street office spends. Run at build and at every reform; institutions that stay
keep their state (a council its legitimacy, a committee its queue), and coverage uses fixed
per-unit uniforms, so raising a coverage or a capacity only adds units (common random
numbers across variants)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.agents.councils import Council, ResidentsCommittee, ServiceStation
from sim.agents.government import StreetOffice
from sim.agents.grid import GridWorker
from sim.agents.mediation import (
    Court,
    Desk,
    GrandMediationCentre,
    MediationCommittee,
    PetitionOffice,
)
from sim.agents.party import PartyBranch
from sim.config import GRAND_CENTRES, TIER_UNITS, TIERS, CouncilLevel, SimConfig

if TYPE_CHECKING:
    from sim.model import GovernanceModel

COURTYARD, COMMUNITY, GRAND, LITIGATION, PETITION = (
    TIERS.index(t) for t in ("courtyard", "community", "grand", "litigation", "petition")
)
# the host of each grand-mediation centre refers disputes to it with this config chance
CENTRE_REFERRAL = {
    "public_security_bureau": "police_referral",
    "intermediate_court": "court_referral",
    "petition_bureau": "petition_referral",
}


def server_counts(
    per_unit: float, n_units: int, unit: str, people: int, u: np.ndarray
) -> np.ndarray:
    """Integer servers per unit: floor plus a Bernoulli remainder from fixed uniforms `u`.

    City-level tiers and grand-mediation centres count servers per 100,000 people. Fixed
    per-unit uniforms mean that raising capacity only adds servers."""
    if unit in ("city", "centre"):
        per_unit = per_unit * people / 100_000.0
    base = math.floor(per_unit)
    return (base + (u[:n_units] < per_unit - base)).astype(np.int64)


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Unit index of each of `total` items shared in proportion to `weights` (exact total)."""
    quota = weights / max(weights.sum(), 1) * total
    counts = np.floor(quota).astype(np.int64)
    short = total - int(counts.sum())
    counts[np.argsort(-(quota - counts), kind="stable")[:short]] += 1
    return np.repeat(np.arange(len(weights)), counts)


def _by_key(model: GovernanceModel, cls: type, key: Any) -> dict[Any, Any]:
    return {key(a): a for a in model.agents_by_type.get(cls, ())}


def party(model: GovernanceModel, cfg: SimConfig) -> None:
    """Branches where the level's fixed uniform is below its coverage (seed: 党建全覆盖)."""
    w, u, p = model.world, model.unit_uniforms, cfg.policy.party
    have = _by_key(model, PartyBranch, lambda a: (a.level, a.unit))
    community_of = {
        "community": np.arange(w.n_communities),
        "courtyard": w.courtyard_community,
        "building": w.courtyard_community[w.building_courtyard],
    }
    for level, coverage in (
        ("community", p.community_coverage),
        ("courtyard", p.courtyard_coverage),
        ("building", p.building_coverage),
    ):
        attrs = (
            {
                "detection": p.building_detection,
                "mobilisation": cfg.participation.party_mobilisation,
            }
            if level == "building"
            else {"steering": cfg.policy.councils.party_steering}
        )
        present = u[level] < coverage
        for unit in np.flatnonzero(present).tolist():
            branch = have.pop((level, unit), None)
            if branch is None:
                PartyBranch(model, unit, level, int(community_of[level][unit]), **attrs)
            else:
                for name, value in attrs.items():
                    setattr(branch, name, value)
    for gone in have.values():
        gone.remove()


def self_governance(model: GovernanceModel, cfg: SimConfig, resources: float) -> None:
    """Councils at the levels and coverage in force (seed: 议事会 at community or courtyard
    level); a residents' committee and a public service station in every community."""
    w, c = model.world, cfg.policy.councils
    at_courtyard = c.level in (CouncilLevel.courtyard, CouncilLevel.both)
    at_community = c.level in (CouncilLevel.community, CouncilLevel.both)
    have = _by_key(model, Council, lambda a: (a.level, a.unit))
    params = {
        "quorum": c.quorum,
        "decision_weeks": c.decision_weeks,
        "success": c.success,
        "participation_effect": c.participation_effect,
        "representativeness_effect": c.representativeness_effect,
        "resources_effect": c.resources_effect,
        "learning": c.legitimacy_learning,
    }
    for level, level_on, uniforms, community_of in (
        (
            "courtyard",
            at_courtyard,
            model.unit_uniforms["council_courtyard"],
            w.courtyard_community,
        ),
        (
            "community",
            at_community,
            model.unit_uniforms["council_community"],
            np.arange(w.n_communities),
        ),
    ):
        present = np.flatnonzero(level_on & (uniforms < c.coverage)).tolist()
        for unit in present:
            council = have.pop((level, unit), None)
            if council is None:
                Council(model, unit, level, int(community_of[unit]), **params)
            else:
                for name, value in params.items():
                    setattr(council, name, value)
    for gone in have.values():
        gone.remove()
    committees = _by_key(model, ResidentsCommittee, lambda a: a.unit)
    stations = _by_key(model, ServiceStation, lambda a: a.unit)
    for unit in range(w.n_communities):
        committee = committees.get(unit)
        if committee is None:
            ResidentsCommittee(
                model,
                unit,
                success=c.committee_success,
                weeks=c.committee_weeks,
                resources_effect=c.resources_effect,
            )
        else:
            committee.success, committee.weeks = c.committee_success, c.committee_weeks
            committee.resources_effect = c.resources_effect
        station = stations.get(unit)
        if station is None:
            ServiceStation(model, unit, resources)
        else:
            station.resources = resources


def street_offices(model: GovernanceModel, cfg: SimConfig) -> None:
    """One office per street: its budget for its adult residents, split by 职能归位."""
    g = cfg.policy.government
    have = _by_key(model, StreetOffice, lambda a: a.unit)
    residents = np.bincount(model.pop.street, minlength=model.world.n_streets)
    for street in range(model.world.n_streets):
        budget = g.budget * float(residents[street])
        public = budget * g.public_service_share
        office = have.get(street)
        if office is None:
            StreetOffice(model, street, budget, public, public * g.purchase_share)
        else:
            office.budget, office.public_service = budget, public
            office.purchase = public * g.purchase_share


def desks(model: GovernanceModel, cfg: SimConfig, now: float) -> None:
    """People's mediation committees, the grand-mediation centres, the court and the petition
    office with the servers the policy gives each unit; servers added now serve from `now`."""
    w = model.world
    med = cfg.mediation
    n_units = {"courtyard": w.n_courtyards, "community": w.n_communities}
    n_units["centre"], n_units["city"] = len(GRAND_CENTRES), 1
    community_of = {"courtyard": w.courtyard_community, "community": np.arange(w.n_communities)}
    for j in (COURTYARD, COMMUNITY, GRAND, LITIGATION, PETITION):
        name = TIERS[j]
        unit_kind = TIER_UNITS[name]
        counts = server_counts(
            getattr(med, name).servers,
            n_units[unit_kind],
            unit_kind,
            model.people,
            model.capacity_uniforms[name],
        )
        for unit, own in enumerate(counts.tolist()):
            desk = model.desks.get((j, unit))
            if desk is not None:
                desk.staff(own, desk.lent, now)
            elif own > 0 or j in (LITIGATION, PETITION):
                desk = _new_desk(model, j, unit, own, community_of, now)
            if isinstance(desk, GrandMediationCentre):
                desk.referral = getattr(med, CENTRE_REFERRAL.get(desk.name, ""), 0.0)


def _new_desk(
    model: GovernanceModel,
    j: int,
    unit: int,
    own: int,
    community_of: dict[str, np.ndarray],
    now: float,
) -> Desk:
    desk: Desk
    if j in (COURTYARD, COMMUNITY):
        level = TIERS[j]
        desk = MediationCommittee(model, unit, level, int(community_of[level][unit]), own)
    elif j == GRAND:
        desk = GrandMediationCentre(model, unit, own, 0.0)
    elif j == LITIGATION:
        desk = Court(model, own)
    else:
        desk = PetitionOffice(model, own)
    desk.queue.opened = now
    desk.queue.free = [now] * own
    model.desks[(j, unit)] = desk
    return desk


def lend(model: GovernanceModel, lent: np.ndarray, now: float) -> None:
    """Mediators social organisations lend to each community's people's mediation."""
    for unit, extra in enumerate(np.round(lent).astype(np.int64).tolist()):
        desk = model.desks.get((COMMUNITY, unit))
        if desk is None and extra > 0:
            desk = _new_desk(model, COMMUNITY, unit, 0, {"community": np.arange(len(lent))}, now)
        if desk is not None and desk.lent != extra:
            desk.staff(desk.own, extra, now)


def grid(model: GovernanceModel, cfg: SimConfig) -> None:
    """Grid workers at `workers_per_10k` per 10,000 people, shared among communities in
    proportion to their people."""
    total = int(round(cfg.policy.grid.workers_per_10k * model.people / 10_000))
    target = np.bincount(
        largest_remainder(model.comm_people, total), minlength=model.world.n_communities
    )
    have: dict[int, list[GridWorker]] = {}
    for worker in model.agents_by_type.get(GridWorker, ()):
        have.setdefault(worker.community, []).append(worker)
    detection = cfg.policy.grid.detection
    for community, want in enumerate(target.tolist()):
        here = have.get(community, [])
        for worker in here[:want]:
            worker.detection = detection
        for _ in range(want - len(here)):
            GridWorker(model, community, detection)
        for extra in here[want:]:
            extra.remove()


def establish(model: GovernanceModel, cfg: SimConfig) -> None:
    """Every family, in a fixed order (`now`: the start of the week being set up)."""
    now = model.clock
    street_offices(model, cfg)
    g = cfg.policy.government
    resources = g.budget * g.public_service_share / g.reference_service
    party(model, cfg)
    self_governance(model, cfg, resources)
    desks(model, cfg, now)
    grid(model, cfg)
