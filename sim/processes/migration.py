"""Floating population: departures, newcomers, registration and settling in.

Each week a floating resident leaves with probability `turnover` and a newcomer takes the
same slot (household, building, courtyard), so the population size and the built
environment stay fixed while people turn over. Newcomers are younger, arrive with lower
trust (`newcomer_trust`), take part less until registered, and their ties carry full
weight only after `integration_weeks`. Registration with the community's information
system takes Exp(lag), where the lag is short under managed (classified) registration
(seed: four-level management, an information system, households covered by courtyards).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.config import MigrationConfig, SimConfig
from sim.population import AGE_WEIGHTS_FLOATING, INSTITUTIONS, NEVER, Population, beta_mean
from sim.processes.base import Process, Tally
from sim.processes.participation import Participation

if TYPE_CHECKING:
    from sim.model import GovernanceModel


def turnover(
    pop: Population,
    floating_idx: np.ndarray,
    t: int,
    cfg: MigrationConfig,
    lag: float,
    party_share: float,
    grievance_baseline: np.ndarray,
    mean_grievance: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Replace leavers by newcomers; returns (slots renewed, their registration weeks)."""
    n_f = len(floating_idx)
    k = int(rng.binomial(n_f, cfg.turnover)) if n_f else 0
    slots = np.sort(floating_idx[rng.choice(n_f, size=k, replace=False)])
    m = len(slots)
    band = rng.choice(7, size=m, p=AGE_WEIGHTS_FLOATING / AGE_WEIGHTS_FLOATING.sum())
    low = np.array([18, 30, 40, 50, 60, 70, 80])[band]
    pop.age[slots] = low + rng.random(m) * 10
    pop.party[slots] = rng.random(m) < party_share * 0.5
    pop.propensity[slots] = beta_mean(rng, 0.4, 5.0, m)
    grievance_baseline[slots] = beta_mean(rng, mean_grievance, 10.0, m)
    pop.grievance[slots] = grievance_baseline[slots]
    for name in INSTITUTIONS:
        pop.trust[name][slots] = beta_mean(rng, cfg.newcomer_trust, 10.0, m)
    pop.registered[slots] = False
    pop.arrival[slots] = t
    pop.last_part[slots] = NEVER
    due = t + rng.exponential(lag, size=m) if lag > 0 else np.full(m, float(t))
    return slots, due


def settled(pop: Population, t: int, integration_weeks: float) -> np.ndarray:
    """Tie weight of each resident: 1 once settled, rising linearly for newcomers."""
    return np.clip((t - pop.arrival) / integration_weeks, 0.0, 1.0).astype(np.float32)


@dataclass
class MigrationTally(Tally):
    """Newcomers who arrived and residents whose registration came through this week."""

    newcomers: int = 0
    registered: int = 0


class Migration(Process):
    """Floating residents leave and newcomers take their slots; registrations come through
    after the registration lag (short under managed, classified registration)."""

    name = "migration"
    tally_type = MigrationTally

    def __init__(self, model: GovernanceModel) -> None:
        super().__init__(model)
        self.floating_idx = model.floating_idx
        self.pending: tuple[np.ndarray, np.ndarray] = (np.empty(0, dtype=np.int64), np.empty(0))

    def configure(self, cfg: SimConfig) -> None:
        self.cfg: MigrationConfig = cfg.migration
        managed = cfg.policy.floating.classified
        self.lag = (
            cfg.policy.floating.registration_lag if managed else cfg.migration.registration_lag
        )
        self.party_share = cfg.world.party_member_share
        self.mean_grievance = cfg.world.initial_grievance

    def settle(self, model: GovernanceModel) -> None:
        """Start floating residents where the steady flow of arrivals would leave them: each
        arrived a geometric number of weeks ago (weekly leaving chance `turnover`), with a
        newcomer's trust, and is registered once their registration lag has run out."""
        pop, idx = model.pop, self.floating_idx
        rng, m, start = model.streams["migration"], len(idx), model.week + 1
        if self.cfg.turnover > 0:
            pop.arrival[idx] = start - rng.geometric(self.cfg.turnover, size=m)
        for name in INSTITUTIONS:
            pop.trust[name][idx] = beta_mean(rng, self.cfg.newcomer_trust, 10.0, m)
        lag = self.lag
        due = pop.arrival[idx] + (rng.exponential(lag, size=m) if lag > 0 else np.zeros(m))
        waiting = (due >= start) & (pop.arrival[idx] > NEVER)
        pop.registered[idx[waiting]] = False
        self.pending = (idx[waiting], due[waiting])

    def step(self, model: GovernanceModel, t: int) -> MigrationTally:
        pop = model.pop
        slots, due = turnover(
            pop,
            self.floating_idx,
            t,
            self.cfg,
            self.lag,
            self.party_share,
            pop.grievance_rest,
            self.mean_grievance,
            model.streams["migration"],
        )
        for name in INSTITUTIONS:  # a newcomer's resting trust is what they arrive with
            pop.trust_rest[name][slots] = pop.trust[name][slots]
        waiting, when = self.pending
        keep = ~np.isin(waiting, slots)
        waiting, when = np.concatenate([waiting[keep], slots]), np.concatenate([when[keep], due])
        now = when < t + 1
        pop.registered[waiting[now]] = True
        self.pending = (waiting[~now], when[~now])
        touched = np.concatenate([slots, waiting[now]])
        if len(touched):
            model.process(Participation).residents_changed(slots, touched)
        return MigrationTally(newcomers=len(slots), registered=int(now.sum()))
