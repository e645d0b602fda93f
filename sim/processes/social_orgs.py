"""Social organisations: hubs, social groups and private non-enterprise units (民办非企业).

Organisations are Mesa agents (few). Each non-hub organisation belongs to a community,
recruits members there at founding (new ties among members: a ring over a shuffled member
list) and delivers services that lower grievance and raise trust in government, scaled by
its purchased-service funding. Some private non-enterprise units add mediators to their
community's mediation tier. Births come from incubation toward the target density (plus
replacement of expected failures); failures follow a weekly hazard cut by funding and by
a hub organisation in the street (seed: hubs as 'bridge, lead and platform'; incubation
park, development foundation, government purchase of services).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.config import SocialOrgConfig

if TYPE_CHECKING:
    from sim.model import GovernanceModel

KINDS: tuple[str, ...] = ("hub", "group", "pnu")


class SocialOrg(mesa.Agent):
    """A social organisation; `unit` is its community (its street for hubs)."""

    def __init__(
        self,
        model: GovernanceModel,
        kind: str,
        unit: int,
        founded: int,
        members: np.ndarray,
        mediating: bool = False,
    ) -> None:
        super().__init__(model)
        self.kind = kind
        self.unit = unit
        self.founded = founded
        self.members = members
        self.mediating = mediating
        # service capacity relative to an organisation of average membership
        mean = model.cfg.policy.social_orgs.members
        self.capacity = len(members) / mean if mean > 0 else 1.0


@dataclass
class OrgTally:
    born: int = 0
    failed: int = 0
    new_edges: list[np.ndarray] = field(default_factory=list)


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


def target_count(cfg: SocialOrgConfig, residents: int) -> int:
    return int(round(cfg.density_per_10k * residents / 10_000))


def exact_kinds(rng: np.random.Generator, n: int, group_share: float) -> np.ndarray:
    """Kinds for n organisations in the exact group : PNU mix, in random order."""
    n_group = int(round(n * group_share))
    kinds = np.array(["group"] * n_group + ["pnu"] * (n - n_group))
    rng.shuffle(kinds)
    return kinds


def failure_hazard(
    cfg: SocialOrgConfig, funding_ratio: float, hub_present: np.ndarray
) -> np.ndarray:
    return (
        cfg.failure
        * (1.0 - cfg.funding_protection * funding_ratio)
        * (1.0 - cfg.hub_protection * hub_present)
    )


class OrgSector:
    """All organisations of the world, their ties and per-community aggregates."""

    def __init__(
        self,
        model: GovernanceModel,
        community_members: tuple[np.ndarray, np.ndarray],
        community_street: np.ndarray,
        residents_per_community: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        self.model = model
        self.starts, self.order = community_members
        self.community_street = community_street
        self.residents_per_community = residents_per_community
        self.rng = rng
        self.edges: list[np.ndarray] = []
        self.cfg = SocialOrgConfig()

    @property
    def n_communities(self) -> int:
        return len(self.community_street)

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
        else:
            members = recruit(self.rng, self.members_of(unit), cfg.members)
            self.edges.append(member_ring(members, cfg.member_ties))
        mediating = kind == "pnu" and bool(self.rng.random() < cfg.mediating_share)
        return SocialOrg(self.model, kind, unit, t, members, mediating)

    def place(self, n: int) -> np.ndarray:
        """Communities for n new organisations, in proportion to residents."""
        w = self.residents_per_community / max(self.residents_per_community.sum(), 1)
        return self.rng.choice(self.n_communities, size=n, p=w)

    def configure(self, cfg: SocialOrgConfig, t: int, initial: bool = False) -> None:
        """Set the target; at build, found the starting organisations (exact kind mix)."""
        self.cfg = cfg
        n_streets = int(self.community_street.max()) + 1 if len(self.community_street) else 0
        hubs = self.alive("hub")
        for street in range(n_streets):
            here = [h for h in hubs if h.unit == street]
            for _ in range(max(cfg.hubs_per_street - len(here), 0)):
                self.found("hub", street, t)
            for surplus in here[cfg.hubs_per_street :]:
                surplus.remove()
        if initial:
            n = target_count(cfg, int(self.residents_per_community.sum()))
            for kind, unit in zip(
                exact_kinds(self.rng, n, cfg.group_share), self.place(n).tolist(), strict=True
            ):
                self.found(str(kind), unit, t)

    def step(self, t: int, funding_ratio: float) -> OrgTally:
        cfg, tally = self.cfg, OrgTally()
        orgs = [o for o in self.alive() if o.kind != "hub"]
        hub_streets = {h.unit for h in self.alive("hub")}
        hub_present = np.array(
            [self.community_street[o.unit] in hub_streets for o in orgs], dtype=float
        )
        hazard = failure_hazard(cfg, funding_ratio, hub_present)
        dead = self.rng.random(len(orgs)) < hazard
        for org, d in zip(orgs, dead.tolist(), strict=True):
            if d:
                org.remove()
        tally.failed = int(dead.sum())
        target = target_count(cfg, int(self.residents_per_community.sum()))
        gap = max(target - (len(orgs) - tally.failed), 0)
        born = int(self.rng.poisson(cfg.incubation * gap + float(hazard.sum()))) if target else 0
        born = min(born, gap + tally.failed)
        edges_before = len(self.edges)
        for kind, unit in zip(
            exact_kinds(self.rng, born, cfg.group_share), self.place(born).tolist(), strict=True
        ):
            self.found(str(kind), unit, t)
        tally.born = born
        tally.new_edges = self.edges[edges_before:]
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
        return np.concatenate(self.edges) if self.edges else np.empty((0, 2), dtype=np.int64)
