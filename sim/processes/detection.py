"""Early detection by grid workers and building-level party groups.

A dispute is caught early with probability 1 - (1 - p_grid)(1 - p_party), where p_grid =
detection x (1 - exp(-workers_per_10k / saturation)) and p_party = building_detection where
the initiator's building has a party group. Caught early, it enters the ladder at once and
loses `early_relief` of its severity; otherwise it festers for Exp(latent_weeks) and gains
`festering` of the remaining severity (seed: the 'prevention -> grand mediation ->
litigation' chain puts prevention first).
"""

from __future__ import annotations

import math

import numpy as np

from sim.config import PolicyConfig


def grid_probability(policy: PolicyConfig) -> float:
    grid = policy.grid
    return grid.detection * (1.0 - math.exp(-grid.workers_per_10k / grid.saturation))


def detect(
    severity: np.ndarray,
    arise_time: np.ndarray,
    building_has_branch: np.ndarray,
    policy: PolicyConfig,
    rng: np.random.Generator,
    p_extra: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Returns (detected, entry_time, new severity); draws two uniforms per dispute.

    `p_extra` is a further independent chance per dispute (classified management).
    """
    n = len(severity)
    u_detect, u_delay = rng.random(n), rng.random(n)
    p_party = policy.party.building_detection * building_has_branch
    p = 1.0 - (1.0 - grid_probability(policy)) * (1.0 - p_party)
    if p_extra is not None:
        p = 1.0 - (1.0 - p) * (1.0 - p_extra)
    detected = u_detect < p
    delay = -policy.latent_weeks * np.log1p(-u_delay)
    entry = np.where(detected, arise_time, arise_time + delay)
    sev = np.where(
        detected,
        severity * (1.0 - policy.early_relief),
        severity + policy.festering * (1.0 - severity),
    )
    return detected, entry, sev
