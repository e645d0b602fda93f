"""Property management (物业管理): which courtyards have a company, and what residents'
satisfaction with it does to their grievance.

A fixed share of courtyards (`property.commodity_share`, chosen by fixed per-courtyard
uniforms, so variants on one seed agree on which) are commodity-housing estates; with
`property.management` on each has a `PropertyCompany` whose service chance is drawn once
per courtyard from a Beta around `service_mean` (inverse CDF of a fixed uniform: a higher
mean makes every company better). The companies take their estates' repair and
property-management issues (`sim.processes.councils.providers`); each week an estate's
residents' grievance moves by `grievance_effect` x (1/2 - satisfaction): dissatisfaction
adds grievance, satisfaction relieves it. Old courtyards have no company and their
councils or committee take the same issues (院落自治 fills the gap).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.stats import beta

from sim.agents.institution import cached
from sim.agents.property import PropertyCompany
from sim.config import PropertyConfig, SimConfig
from sim.processes.base import Process, Tally
from sim.rng import stream

if TYPE_CHECKING:
    from sim.model import GovernanceModel


@dataclass
class PropertyTally(Tally):
    """Companies serving this week and their residents' summed satisfaction."""

    companies: int = 0
    satisfaction_sum: float = 0.0  # summed over companies (mean: / companies)


def service_chances(u: np.ndarray, cfg: PropertyConfig) -> np.ndarray:
    """Each courtyard's company service chance: Beta(mean x k, (1 - mean) x k) quantile of
    its fixed uniform (`k` the concentration)."""
    mean, k = cfg.service_mean, cfg.service_concentration
    if mean <= 0 or mean >= 1:
        return np.full(len(u), mean)
    return np.asarray(beta.ppf(u, mean * k, (1.0 - mean) * k))


class PropertyManagement(Process):
    """Companies in the commodity estates; their residents' satisfaction feeds grievance."""

    name = "property"
    tally_type = PropertyTally

    def __init__(self, model: GovernanceModel) -> None:
        super().__init__(model)
        draws = stream(model.seed, "property")  # its own child of the seed: shifts nothing
        n = model.world.n_courtyards
        self.u_estate, self.u_service = draws.random(n), draws.random(n)

    def configure(self, cfg: SimConfig) -> None:
        """Found, adjust or close companies so they follow the settings in force."""
        self.cfg = cfg.property
        model, world = self.model, self.model.world
        estates = self.u_estate < self.cfg.commodity_share
        if not self.cfg.management:
            estates[:] = False
        service = service_chances(self.u_service, self.cfg)
        have = {a.unit: a for a in model.agents_by_type.get(PropertyCompany, ())}
        for courtyard in np.flatnonzero(estates).tolist():
            company = have.pop(courtyard, None)
            if company is None:
                company = PropertyCompany(
                    model,
                    courtyard,
                    int(world.courtyard_community[courtyard]),
                    float(service[courtyard]),
                )
            elif company.service != service[courtyard]:
                company.service = float(service[courtyard])
            company.learning = self.cfg.satisfaction_learning
        for closed in have.values():
            closed.remove()

    def estate_residents(self, model: GovernanceModel) -> tuple[np.ndarray, np.ndarray]:
        """(residents per company's estate, those residents in company order); recomputed
        only when a company is founded or closed."""

        def compute() -> tuple[np.ndarray, np.ndarray]:
            starts, order = model.courtyard_members
            units = np.asarray(model.agents_by_type[PropertyCompany].get("unit"), dtype=np.int64)
            sizes = starts[units + 1] - starts[units]
            return sizes, order[np.repeat(starts[units], sizes) + _ranks(sizes)]

        version = model.layout_versions[PropertyCompany]
        return cached(model, "estate_residents", version, compute)

    def step(self, model: GovernanceModel, t: int) -> PropertyTally:
        companies = model.agents_by_type.get(PropertyCompany)
        if companies is None or not len(companies):
            return PropertyTally()
        satisfaction = np.asarray(companies.get("satisfaction"), dtype=np.float64)
        if self.cfg.grievance_effect > 0:
            sizes, residents = self.estate_residents(model)
            delta = (self.cfg.grievance_effect * (0.5 - satisfaction)).astype(np.float32)
            g = model.pop.grievance
            g[residents] = np.clip(g[residents] + np.repeat(delta, sizes), 0, 1)
        return PropertyTally(
            companies=len(satisfaction), satisfaction_sum=float(satisfaction.sum())
        )


def _ranks(sizes: np.ndarray) -> np.ndarray:
    """0, 1, ..., size - 1 for each group, concatenated."""
    ends = np.cumsum(sizes)
    return np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - sizes, sizes)
