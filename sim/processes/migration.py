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

import numpy as np

from sim.config import MigrationConfig
from sim.population import AGE_WEIGHTS_FLOATING, INSTITUTIONS, NEVER, Population, beta_mean


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
