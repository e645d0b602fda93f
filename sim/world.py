"""The administrative hierarchy: city -> streets -> communities -> courtyards -> buildings.

Counts below the community come from the scenario's means. The courtyard total is
allocated exactly (round(communities x mean), every community at least one courtyard) so
that `world.communities=654` with Chengdu's 20.7875 reproduces the seed's 13,595
courtyards; buildings and households are 1 + Poisson(mean - 1) per parent. Each household
also has Poisson(`children_per_household`) children: they are people (they count in the
population and its densities) but not agents, so they live here as a count per household.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config import WorldConfig


@dataclass(frozen=True)
class World:
    community_street: np.ndarray  # street of each community
    courtyard_community: np.ndarray  # community of each courtyard
    building_courtyard: np.ndarray  # courtyard of each building
    household_building: np.ndarray  # building of each household
    household_children: np.ndarray  # children (under 18) in each household

    @property
    def n_streets(self) -> int:
        return int(self.community_street.max()) + 1

    @property
    def n_communities(self) -> int:
        return len(self.community_street)

    @property
    def n_courtyards(self) -> int:
        return len(self.courtyard_community)

    @property
    def n_buildings(self) -> int:
        return len(self.building_courtyard)

    @property
    def n_households(self) -> int:
        return len(self.household_building)

    @property
    def n_children(self) -> int:
        return int(self.household_children.sum(dtype=np.int64))

    def household_community(self) -> np.ndarray:
        return self.courtyard_community[self.building_courtyard[self.household_building]]


def _subunits(rng: np.random.Generator, n_parents: int, mean: float) -> np.ndarray:
    """Parent index of each subunit, each parent having 1 + Poisson(mean - 1) of them."""
    counts = 1 + rng.poisson(max(mean - 1.0, 0.0), size=n_parents)
    return np.repeat(np.arange(n_parents, dtype=np.int32), counts)


def exact_subunits(rng: np.random.Generator, n_parents: int, mean: float) -> np.ndarray:
    """Parent index of round(n_parents x mean) subunits, every parent at least one."""
    total = max(int(round(n_parents * mean)), n_parents)
    extra = rng.multinomial(total - n_parents, np.full(n_parents, 1.0 / n_parents))
    return np.repeat(np.arange(n_parents, dtype=np.int32), 1 + extra)


def build_world(cfg: WorldConfig, rng: np.random.Generator) -> World:
    n = cfg.communities
    street = (np.arange(n, dtype=np.int32) // cfg.communities_per_street).astype(np.int32)
    courtyard_community = exact_subunits(rng, n, cfg.courtyards_per_community)
    building_courtyard = _subunits(rng, len(courtyard_community), cfg.buildings_per_courtyard)
    household_building = _subunits(rng, len(building_courtyard), cfg.households_per_building)
    children = rng.poisson(cfg.children_per_household, size=len(household_building))
    return World(
        street,
        courtyard_community,
        building_courtyard,
        household_building,
        children.astype(np.int16),
    )


def household_sizes(cfg: WorldConfig, rng: np.random.Generator, n_households: int) -> np.ndarray:
    return 1 + rng.poisson(max(cfg.household_size - 1.0, 0.0), size=n_households)
