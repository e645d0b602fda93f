"""Each week each resident decides whether to take part in community affairs (council
meetings, residents' assemblies, volunteer work).

Log-odds = intercept + propensity + efficacy (legitimacy of one's council) + trust in the
committee + age + party membership + floating / not yet registered - time cost (18-59)
+ mobilisation by a building party group and by social organisations + peers (share of
one's ties who took part in the last `recent_weeks`). The resident-level part that only
changes when residents or policy change is cached in `static_logit` (ODD+D: individual
decision-making; age and party gradients from the Shanghai survey in docs/calibration).
"""

from __future__ import annotations

import numpy as np

from sim.config import ParticipationConfig
from sim.population import Population


def static_logit(
    pop: Population,
    cfg: ParticipationConfig,
    building_branch: np.ndarray,
    idx: np.ndarray | slice = slice(None),
) -> np.ndarray:
    """The parts of the log-odds that do not change week to week (for residents `idx`)."""
    age, floating = pop.age[idx], pop.floating[idx]
    z = cfg.intercept + cfg.propensity_effect * (pop.propensity[idx] - 0.4)
    z = z + cfg.age_effect * (age - 18.0) / 10.0
    z = z + cfg.party_effect * pop.party[idx] + cfg.floating_effect * floating
    z = z + cfg.unregistered_effect * (floating & ~pop.registered[idx])
    z = z - cfg.time_cost * (age < 60)
    z = z + cfg.party_mobilisation * building_branch[pop.building[idx]]
    z = z - 0.5 * cfg.trust_effect  # trust enters as trust_effect x (trust - 0.5)
    return z.astype(np.float32)


def decide(z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of residents who take part, given their log-odds z (one uniform each).

    u < 1/(1+exp(-z)) is tested as logit(u) < z: one pass, no exp over the population.
    """
    u = rng.random(len(z), dtype=np.float32)
    np.clip(u, np.float32(1e-7), np.float32(1 - 1e-7), out=u)
    return np.flatnonzero(np.log(u / (1 - u)) < z)


def probability(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))
