"""Social organisations: hubs, social groups and private non-enterprise units (民办非企业).

Organisations are Mesa agents (`sim.agents.SocialOrg`). Each non-hub organisation belongs
to a community, recruits members there at founding (new ties among members: a ring over a
shuffled member list; the ties go when it fails) and delivers services that lower grievance
and raise trust in government, scaled by its purchased-service funding. Some private
non-enterprise units lend mediators to their community's mediation committee.

No density is imposed: organisations are founded at `founding_rate x (1 + incubation)` per
10,000 people per year and fail at a weekly hazard `failure x (1 - funding_protection x
funding) x (1 - hub_protection x linked)`, where funding is the share of running costs that
purchased services and foundation grants cover (it falls as organisations multiply and
share the budget) and `linked` is the share a street's hubs can reach (hubs x hub_span /
organisations). The density that results is the balance of the two (seed: hubs as 'bridge,
lead and platform'; incubation park, development foundation, government purchase of
services). A run starts at that balance (`equilibrium_count`), so it needs no long burn-in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.agents import SocialOrg, StreetOffice, structure
from sim.config import SimConfig, SocialOrgConfig
from sim.processes.base import Process, Tally

if TYPE_CHECKING:
    from sim.model import GovernanceModel


@dataclass
class OrgTally(Tally):
    """Organisations founded and failed this week."""

    born: int = 0
    failed: int = 0


def member_ring(members: np.ndarray, ties: float) -> np.ndarray:
    """Edges joining each member to the next k/2 members of a ring (k = `ties`, rounded)."""
    half = max(int(round(ties / 2)), 0)
    n = len(members)
    if n < 2 or half == 0:
        return np.empty((0, 2), dtype=np.int64)
    parts = [
        np.column_stack([members, np.roll(members, -j)]) for j in range(1, min(half, n - 1) + 1)
    ]
    return np.concatenate(parts).astype(np.int64)


def recruit(
    rng: np.random.Generator, members_of_community: np.ndarray, mean_members: float
) -> np.ndarray:
    k = min(int(rng.poisson(mean_members)), len(members_of_community))
    return rng.choice(members_of_community, size=k, replace=False) if k else np.empty(0, np.int64)


def exact_kinds(rng: np.random.Generator, n: int, group_share: float) -> np.ndarray:
    """Kinds for n organisations in the exact group : PNU mix, in random order."""
    n_group = int(round(n * group_share))
    kinds = np.array(["group"] * n_group + ["pnu"] * (n - n_group))
    rng.shuffle(kinds)
    return kinds


def weekly_births(cfg: SocialOrgConfig, people: float) -> float:
    """Expected organisations founded per week."""
    return cfg.founding_rate * (1.0 + cfg.incubation) * people / 10_000 / 52.0


def linked_share(hubs: float, organisations: float, span: float) -> float:
    """Share of a street's organisations its hubs can link."""
    return 1.0 if organisations <= 0 else min(1.0, hubs * span / organisations)


def failure_hazard(cfg: SocialOrgConfig, funding_ratio: float, linked: np.ndarray) -> np.ndarray:
    return (
        cfg.failure
        * (1.0 - cfg.funding_protection * funding_ratio)
        * (1.0 - cfg.hub_protection * linked)
    )


def equilibrium_count(
    cfg: SocialOrgConfig,
    people: float,
    streets: int,
    funding: Callable[[float], float],
) -> float:
    """Organisations at which expected births equal expected failures (streets alike).

    `funding(n)` is the funding ratio with n organisations. Failures grow with n (funding
    is shared and hubs are spread thinner), so the balance is unique; found by bisection.
    """
    births = weekly_births(cfg, people)
    top = 50.0 * people / 10_000  # the schema's ceiling on density

    def excess(n: float) -> float:
        linked = linked_share(cfg.hubs_per_street, n / max(streets, 1), cfg.hub_span)
        return births - n * float(failure_hazard(cfg, funding(n), np.array(linked)))

    if births <= 0:
        return 0.0
    if excess(top) > 0:
        return top
    low, high = 0.0, top
    for _ in range(60):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if excess(mid) > 0 else (low, mid)
    return 0.5 * (low + high)


def funding_ratio(purchase: float, organisations: float, cfg: SocialOrgConfig) -> float:
    """Share of organisations' running cost covered by purchased services plus foundation
    grants (the development foundation's share of the cost)."""
    if organisations == 0 or cfg.weekly_cost == 0:
        return 1.0
    return min(1.0, purchase / (organisations * cfg.weekly_cost) + cfg.foundation_grants)


class SocialOrganisations(Process):
    """Failures and foundings each week; services every `trust.interval` weeks; the
    organisations' ties and lent mediators follow every change."""

    name = "social_orgs"
    tally_type = OrgTally

    def __init__(self, model: GovernanceModel) -> None:
        super().__init__(model)
        w = model.world
        self.starts, self.order = model.community_members
        self.community_street = w.community_street
        self.people_per_community = model.comm_people
        self.n_streets = w.n_streets
        self.cfg = SocialOrgConfig()
        self.interval = 1
        self.orgs_per_1000 = np.zeros(w.n_communities)
        self.capacity_per_1000 = np.zeros(w.n_communities)
        self.count = 0
        self.funding = 1.0
        self.built = False
        self.seen: tuple[int, int] = (-1, -1)  # agent versions the aggregates were read at

    @property
    def rng(self) -> np.random.Generator:
        """The model's social-organisation stream of the current week."""
        return self.model.streams["social_orgs"]

    @property
    def n_communities(self) -> int:
        return len(self.community_street)

    @property
    def people(self) -> float:
        return float(self.people_per_community.sum())

    def purchase(self) -> float:
        """Yuan a week the street offices offer to buy services from organisations."""
        return float(sum(o.purchase for o in self.model.agents_by_type.get(StreetOffice, ())))

    def funding_ratio(self, organisations: float) -> float:
        return funding_ratio(self.purchase(), organisations, self.cfg)

    def members_of(self, community: int) -> np.ndarray:
        return self.order[self.starts[community] : self.starts[community + 1]]

    def alive(self, kind: str | None = None) -> list[SocialOrg]:
        orgs = self.model.agents_by_type.get(SocialOrg)
        if orgs is None:
            return []
        return [o for o in orgs if kind is None or o.kind == kind]

    def found(self, kind: str, unit: int, t: int) -> SocialOrg:
        cfg = self.cfg
        if kind == "hub":
            members = np.empty(0, dtype=np.int64)
            street = unit
        else:
            members = recruit(self.rng, self.members_of(unit), cfg.members)
            street = int(self.community_street[unit])
        ties = member_ring(members, cfg.member_ties)
        mediators = (
            cfg.mediators if kind == "pnu" and self.rng.random() < cfg.mediating_share else 0.0
        )
        return SocialOrg(self.model, kind, unit, street, t, members, ties, mediators, cfg.members)

    def place(self, n: int) -> np.ndarray:
        """Communities for n new organisations, in proportion to people."""
        w = self.people_per_community / max(self.people, 1)
        return self.rng.choice(self.n_communities, size=n, p=w)

    def found_many(self, n: int, t: int) -> None:
        kinds = exact_kinds(self.rng, n, self.cfg.group_share)
        for kind, unit in zip(kinds, self.place(n).tolist(), strict=True):
            self.found(str(kind), unit, t)

    def configure(self, cfg: SimConfig) -> None:
        """Set the policy; hubs follow `hubs_per_street` at once. At build, found the
        organisations at the balance of founding and failure (exact kind mix)."""
        self.cfg, self.interval = cfg.policy.social_orgs, cfg.trust.interval
        self.service_relief = np.float32(self.cfg.service_relief)
        self.service_trust = np.float32(self.cfg.service_trust)
        t, policy = self.model.week, self.cfg
        hubs = self.alive("hub")
        for street in range(self.n_streets):
            here = [h for h in hubs if h.unit == street]
            for _ in range(max(policy.hubs_per_street - len(here), 0)):
                self.found("hub", street, t)
            for surplus in here[policy.hubs_per_street :]:
                surplus.remove()
        if not self.built:
            n = equilibrium_count(policy, self.people, self.n_streets, self.funding_ratio)
            self.found_many(int(n) + int(self.rng.random() < n - int(n)), t)
            self.built = True
        self.refresh(now=self.model.clock)

    def versions(self) -> tuple[int, int]:
        return self.model.versions[SocialOrg], self.model.versions[StreetOffice]

    def refresh(self, now: float) -> None:
        """Per-community organisation aggregates, their ties and the mediators they lend."""
        self.seen = self.versions()
        count, capacity, mediators = self.per_community()
        community_residents = np.maximum(self.model.community_residents, 1)
        self.orgs_per_1000 = count / community_residents * 1000.0
        self.capacity_per_1000 = capacity / community_residents * 1000.0
        self.count = int(count.sum())
        self.funding = self.funding_ratio(self.count)
        self.model.ties.set_extra(self.tie_edges())
        structure.lend(self.model, mediators, now)

    def step(self, model: GovernanceModel, t: int) -> OrgTally:
        cfg, tally = self.cfg, OrgTally()
        orgs = [o for o in self.alive() if o.kind != "hub"]
        streets = np.array([o.street for o in orgs], dtype=np.int64)
        per_street = np.bincount(streets, minlength=self.n_streets)
        hubs = np.bincount([h.unit for h in self.alive("hub")], minlength=self.n_streets).astype(
            float
        )
        linked = np.minimum(1.0, hubs * cfg.hub_span / np.maximum(per_street, 1))
        hazard = failure_hazard(cfg, self.funding, linked[streets])
        dead = self.rng.random(len(orgs)) < hazard
        for org, d in zip(orgs, dead.tolist(), strict=True):
            if d:
                org.remove()
        tally.failed = int(dead.sum())
        tally.born = int(self.rng.poisson(weekly_births(cfg, self.people)))
        self.found_many(tally.born, t)
        if self.seen != self.versions():  # an organisation or a street office changed
            self.refresh(now=float(t + 1))
        if t % self.interval == 0:
            self.serve(model)
        return tally

    def serve(self, model: GovernanceModel) -> None:
        """Services of the last `interval` weeks: grievance relief and trust in government,
        in proportion to each community's funded capacity."""
        pop = model.pop
        per = (self.capacity_per_1000 * self.funding * self.interval).astype(np.float32)[
            pop.community
        ]
        g = pop.grievance
        np.clip(g - self.service_relief * per, 0, 1, out=g)
        trust_government = pop.trust["government"]
        trust_government += self.service_trust * per * (1 - trust_government)
        np.clip(trust_government, 0, 1, out=trust_government)

    def per_community(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(non-hub organisations, their service capacity, mediators they lend) per community."""
        count = np.zeros(self.n_communities)
        capacity = np.zeros(self.n_communities)
        mediators = np.zeros(self.n_communities)
        for o in self.alive():
            if o.kind == "hub":
                continue
            count[o.unit] += 1
            capacity[o.unit] += o.serve()
            mediators[o.unit] += o.mediators
        return count, capacity, mediators

    def tie_edges(self) -> np.ndarray:
        """Member ties of the organisations alive now."""
        ties = [o.ties for o in self.alive() if len(o.ties)]
        return np.concatenate(ties) if ties else np.empty((0, 2), dtype=np.int64)


def founding_rate_for(
    density: float,
    cfg: SocialOrgConfig,
    people: float,
    streets: int,
    funding: Callable[[float], float],
) -> float:
    """The founding rate at which `density` (per 10,000 people) is the balance of founding
    and failure: births must replace the failures of that many organisations. Used to set
    counterfactual-density scenarios (`python -m sim.org_density`)."""
    n = density * people / 10_000
    linked = linked_share(cfg.hubs_per_street, n / max(streets, 1), cfg.hub_span)
    hazard = float(failure_hazard(cfg, funding(n), np.array(linked)))
    return 52.0 * density * hazard / (1.0 + cfg.incubation)
