"""Columnar resident state: one numpy array per attribute, indexed by resident.

Residents are adults (18+). `Resident` agents (sim.agents.resident) are views over these
arrays; processes are vectorised functions over them, so no Python loop over residents
runs inside a step. Children are people but not agents: each household's count of
children (`household_children`) makes `people` (adults + children) and the people per
community, the denominators of per-10,000 densities.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.config import WorldConfig
from sim.world import World, household_sizes

INSTITUTIONS: tuple[str, ...] = ("party", "committee", "mediation", "court", "government")

# Adult age bands (lower bounds) and weights; floating residents are younger.
AGE_BANDS = np.array([18, 30, 40, 50, 60, 70, 80, 90])
AGE_LABELS: tuple[str, ...] = ("18_29", "30_39", "40_49", "50_59", "60_69", "70_79", "80_plus")
AGE_WEIGHTS_REGISTERED = np.array([0.17, 0.17, 0.18, 0.17, 0.15, 0.11, 0.05])
AGE_WEIGHTS_FLOATING = np.array([0.42, 0.30, 0.16, 0.08, 0.03, 0.01, 0.0])


def beta_mean(
    rng: np.random.Generator, mean: np.ndarray | float, conc: float, n: int
) -> np.ndarray:
    """Beta draws with the given mean and concentration (mean clipped into (0, 1))."""
    m = np.clip(np.broadcast_to(mean, (n,)), 1e-3, 1 - 1e-3)
    return rng.beta(m * conc, (1 - m) * conc).astype(np.float32)


def beta_draws(rng: np.random.Generator, mean: float, conc: float, n: int) -> np.ndarray:
    """n float32 Beta draws with the given mean and concentration (mean clipped into (0, 1)):
    X / (X + Y), X ~ Gamma(m c), Y ~ Gamma((1 - m) c), which is Beta(m c, (1 - m) c) exactly,
    as numpy's float64 `beta` computes it, at a third of its cost."""
    m = min(max(float(mean), 1e-3), 1 - 1e-3)
    x = rng.standard_gamma(m * conc, size=n, dtype=np.float32)
    x /= x + rng.standard_gamma((1 - m) * conc, size=n, dtype=np.float32)
    return x


def draw_ages(rng: np.random.Generator, floating: np.ndarray) -> np.ndarray:
    """An age band from the registered or floating weights, then uniform within the band."""
    cdf = [np.cumsum(w / w.sum()) for w in (AGE_WEIGHTS_REGISTERED, AGE_WEIGHTS_FLOATING)]
    # one lookup for both groups: floating residents' uniforms are shifted into [1, 2)
    u = rng.random(len(floating)) + floating
    band = np.searchsorted(np.r_[cdf[0], 1.0 + cdf[1]], u, side="right") - 7 * floating
    band = np.minimum(band, 6)
    low = AGE_BANDS[band].astype(np.float32)
    width = np.diff(AGE_BANDS).astype(np.float32)[band]
    return low + rng.random(len(floating), dtype=np.float32) * width


def draw_party(rng: np.random.Generator, age: np.ndarray, share: float) -> np.ndarray:
    """Party membership rising with age, scaled so the mean equals `share`."""
    weight = 0.5 + age / 50.0
    p = np.clip(share * weight / weight.mean(), 0.0, 1.0)
    return rng.random(len(age)) < p


@dataclass
class Population:
    household: np.ndarray
    building: np.ndarray
    courtyard: np.ndarray
    community: np.ndarray
    street: np.ndarray
    age: np.ndarray
    party: np.ndarray
    floating: np.ndarray
    propensity: np.ndarray
    grievance: np.ndarray
    trust: dict[str, np.ndarray] = field(default_factory=dict)
    registered: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    arrival: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int32))
    last_part: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int32))
    online: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    household_children: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int16))
    community_people: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    # each resident's own resting grievance and trust (their draws at build or on arrival),
    # toward which experiences fade
    grievance_rest: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.float32))
    trust_rest: dict[str, np.ndarray] = field(default_factory=dict)

    def rest_here(self) -> None:
        """Today's grievance and trust become the resting levels."""
        self.grievance_rest = self.grievance.copy()
        self.trust_rest = {name: t.copy() for name, t in self.trust.items()}

    @property
    def n(self) -> int:
        """Adult residents (the agents)."""
        return len(self.household)

    @property
    def children(self) -> int:
        return int(self.household_children.sum(dtype=np.int64))

    @property
    def people(self) -> int:
        """All persons: adult residents and their households' children."""
        return self.n + self.children

    def people_per(self, unit: np.ndarray, n_units: int) -> np.ndarray:
        """Persons (adults + children) in each unit, from `unit` of each resident (e.g.
        `self.courtyard`); a household's children live in the unit of its first adult."""
        adults = np.bincount(unit, minlength=n_units)
        if len(self.household_children) == 0:
            return adults
        first = np.flatnonzero(np.r_[True, self.household[1:] != self.household[:-1]])
        kids = np.bincount(unit[first], weights=self.household_children, minlength=n_units)
        return adults + kids.astype(np.int64)

    def age_band(self, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Index into AGE_BANDS (0 = 18-29, ..., 6 = 80+)."""
        return np.clip(np.searchsorted(AGE_BANDS, self.age[idx], side="right") - 1, 0, 6)

    def group_code(self, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
        """age band x 4 + party x 2 + floating: one code for every reported group."""
        code = self.age_band(idx) * 4 + self.party[idx] * 2 + self.floating[idx]
        return code.astype(np.int8)


NEVER = -(10**6)  # a week long before the run: "never" for arrival and participation


def build_population(
    cfg: WorldConfig, world: World, rng: np.random.Generator, online_share: float = 0.4
) -> Population:
    """Residents of every household; everyone present at the start is registered and settled.

    Online activity is likelier below 60 (x1.2 vs x0.4 of `online_share`).
    """
    sizes = household_sizes(cfg, rng, world.n_households)
    household = np.repeat(np.arange(world.n_households, dtype=np.int32), sizes)
    building = world.household_building[household]
    courtyard = world.building_courtyard[building]
    community = world.courtyard_community[courtyard]
    street = world.community_street[community]
    n = len(household)
    floating = (rng.random(world.n_households) < cfg.floating_share)[household]
    age = draw_ages(rng, floating)
    party = draw_party(rng, age, cfg.party_member_share)
    propensity = beta_draws(rng, 0.4, 5.0, n)
    grievance = beta_draws(rng, cfg.initial_grievance, 10.0, n)
    trust = {name: beta_draws(rng, cfg.initial_trust, 10.0, n) for name in INSTITUTIONS}
    online = rng.random(n, dtype=np.float32) < np.where(age < 60, 1.2, 0.4) * online_share
    return Population(
        household=household,
        building=building,
        courtyard=courtyard,
        community=community,
        street=street,
        age=age,
        party=party,
        floating=floating,
        propensity=propensity,
        grievance=grievance,
        trust=trust,
        registered=np.ones(n, dtype=bool),
        arrival=np.full(n, NEVER, dtype=np.int32),
        last_part=np.full(n, NEVER, dtype=np.int32),
        online=online,
        household_children=world.household_children,
        community_people=np.bincount(
            world.household_community(),
            weights=world.household_children,
            minlength=world.n_communities,
        ).astype(np.int64)
        + np.bincount(community, minlength=world.n_communities),
    )
