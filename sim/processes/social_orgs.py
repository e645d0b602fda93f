"""Social organisations: hubs, social groups and private non-enterprise units (民办非企业).

Organisations are Mesa agents (few). Each non-hub organisation belongs to a community,
recruits members there at founding (new ties among members: a ring over a shuffled member
list; the ties go when it fails) and delivers services that lower grievance and raise trust
in government, scaled by its purchased-service funding. Some private non-enterprise units
add mediators to their community's mediation tier.

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

import mesa
import numpy as np

from sim.config import SocialOrgConfig

if TYPE_CHECKING:
    from sim.model import GovernanceModel

KINDS: tuple[str, ...] = ("hub", "group", "pnu")


class SocialOrg(mesa.Agent):
    """A social organisation; `unit` is its community (its street for hubs); `ties` are the
    member ties it made (they end with it)."""

    def __init__(
        self,
        model: GovernanceModel,
        kind: str,
        unit: int,
        street: int,
        founded: int,
        members: np.ndarray,
        ties: np.ndarray,
        mediating: bool = False,
    ) -> None:
        super().__init__(model)
        self.kind = kind
        self.unit = unit
        self.street = street
        self.founded = founded
        self.members = members
        self.ties = ties
        self.mediating = mediating
        # service capacity relative to an organisation of average membership
        mean = model.cfg.policy.social_orgs.members
        self.capacity = len(members) / mean if mean > 0 else 1.0


@dataclass
class OrgTally:
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


class OrgSector:
    """All organisations of the world, their ties and per-community aggregates."""

    def __init__(
        self,
        model: GovernanceModel,
        community_members: tuple[np.ndarray, np.ndarray],
        community_street: np.ndarray,
        people_per_community: np.ndarray,
    ) -> None:
        self.model = model
        self.starts, self.order = community_members
        self.community_street = community_street
        self.people_per_community = people_per_community
        self.n_streets = int(community_street.max()) + 1 if len(community_street) else 0
        self.cfg = SocialOrgConfig()

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
        mediating = kind == "pnu" and bool(self.rng.random() < cfg.mediating_share)
        return SocialOrg(self.model, kind, unit, street, t, members, ties, mediating)

    def place(self, n: int) -> np.ndarray:
        """Communities for n new organisations, in proportion to people."""
        w = self.people_per_community / max(self.people, 1)
        return self.rng.choice(self.n_communities, size=n, p=w)

    def found_many(self, n: int, t: int) -> None:
        kinds = exact_kinds(self.rng, n, self.cfg.group_share)
        for kind, unit in zip(kinds, self.place(n).tolist(), strict=True):
            self.found(str(kind), unit, t)

    def configure(
        self,
        cfg: SocialOrgConfig,
        t: int,
        funding: Callable[[float], float],
        initial: bool = False,
    ) -> None:
        """Set the policy; hubs follow `hubs_per_street` at once. At build, found the
        organisations at the balance of founding and failure (exact kind mix)."""
        self.cfg = cfg
        hubs = self.alive("hub")
        for street in range(self.n_streets):
            here = [h for h in hubs if h.unit == street]
            for _ in range(max(cfg.hubs_per_street - len(here), 0)):
                self.found("hub", street, t)
            for surplus in here[cfg.hubs_per_street :]:
                surplus.remove()
        if initial:
            n = equilibrium_count(cfg, self.people, self.n_streets, funding)
            self.found_many(int(n) + int(self.rng.random() < n - int(n)), t)

    def step(self, t: int, funding_ratio: float) -> OrgTally:
        cfg, tally = self.cfg, OrgTally()
        orgs = [o for o in self.alive() if o.kind != "hub"]
        streets = np.array([o.street for o in orgs], dtype=np.int64)
        per_street = np.bincount(streets, minlength=self.n_streets)
        hubs = np.bincount([h.unit for h in self.alive("hub")], minlength=self.n_streets).astype(
            float
        )
        linked = np.minimum(1.0, hubs * cfg.hub_span / np.maximum(per_street, 1))
        hazard = failure_hazard(cfg, funding_ratio, linked[streets])
        dead = self.rng.random(len(orgs)) < hazard
        for org, d in zip(orgs, dead.tolist(), strict=True):
            if d:
                org.remove()
        tally.failed = int(dead.sum())
        tally.born = int(self.rng.poisson(weekly_births(cfg, self.people)))
        self.found_many(tally.born, t)
        return tally

    def per_community(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(non-hub organisations, their service capacity, mediators they add) per community."""
        count = np.zeros(self.n_communities)
        capacity = np.zeros(self.n_communities)
        mediators = np.zeros(self.n_communities)
        for o in self.alive():
            if o.kind == "hub":
                continue
            count[o.unit] += 1
            capacity[o.unit] += o.capacity
            if o.mediating:
                mediators[o.unit] += self.cfg.mediators
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
