"""Columnar resident state: one numpy array per attribute, indexed by resident.

Residents are adults (18+). `Resident` agents (sim.agents.resident) are views over these
arrays; processes are vectorised functions over them, so no Python loop over residents
runs inside a step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.config import WorldConfig
from sim.world import World, household_sizes

INSTITUTIONS: tuple[str, ...] = ("party", "committee", "mediation", "court", "government")

# Adult age bands (lower bounds) and weights; floating residents are younger.
AGE_BANDS = np.array([18, 30, 40, 50, 60, 70, 80, 90])
AGE_WEIGHTS_REGISTERED = np.array([0.17, 0.17, 0.18, 0.17, 0.15, 0.11, 0.05])
AGE_WEIGHTS_FLOATING = np.array([0.42, 0.30, 0.16, 0.08, 0.03, 0.01, 0.0])


def beta_mean(
    rng: np.random.Generator, mean: np.ndarray | float, conc: float, n: int
) -> np.ndarray:
    """Beta draws with the given mean and concentration (mean clipped into (0, 1))."""
    m = np.clip(np.broadcast_to(mean, (n,)), 1e-3, 1 - 1e-3)
    return rng.beta(m * conc, (1 - m) * conc).astype(np.float32)


def draw_ages(rng: np.random.Generator, floating: np.ndarray) -> np.ndarray:
    n = len(floating)
    band_reg = rng.choice(7, size=n, p=AGE_WEIGHTS_REGISTERED / AGE_WEIGHTS_REGISTERED.sum())
    band_flt = rng.choice(7, size=n, p=AGE_WEIGHTS_FLOATING / AGE_WEIGHTS_FLOATING.sum())
    band = np.where(floating, band_flt, band_reg)
    low, high = AGE_BANDS[band], AGE_BANDS[band + 1]
    return (low + rng.random(n) * (high - low)).astype(np.float32)


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

    @property
    def n(self) -> int:
        return len(self.household)

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
    propensity = beta_mean(rng, 0.4, 5.0, n)
    grievance = beta_mean(rng, cfg.initial_grievance, 10.0, n)
    trust = {name: beta_mean(rng, cfg.initial_trust, 10.0, n) for name in INSTITUTIONS}
    online = rng.random(n) < np.where(age < 60, 1.2, 0.4) * online_share
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
    )
