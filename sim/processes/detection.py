"""Early detection by grid workers and building-level party groups. A dispute is caught early
with probability 1 - (1 - p_party)(1 - p_grid)(1 - p_extra), where p_party =
the detection chance of the party group of the initiator's building (`PartyBranch.detect`),
p_grid = the chance of the grid workers of the initiator's community
(`sim.agents.grid.grid_chance`: detection x (1 - exp(-workers per 10,000 people /
saturation))) for registered initiators only (grid workers cover the households the
information system knows: 院落包户、单位包人), and p_extra is classified
management's extra attention to key and high-risk floating residents. Caught early, it
enters the ladder at once and loses `early_relief` of its severity; otherwise it festers
for Exp(latent_weeks) and gains `festering` of the remaining severity (seed: the
'prevention -> grand mediation -> litigation' chain puts prevention first).
"""

from __future__ import annotations

import numpy as np

from sim.config import PolicyConfig
from sim.ledger import CLASSIFIED, GRID, NONE, PARTY

__all__ = ["CLASSIFIED", "GRID", "NONE", "PARTY", "detect"]


def detect(
    severity: np.ndarray,
    arise_time: np.ndarray,
    p_party: np.ndarray,
    p_grid: np.ndarray,
    policy: PolicyConfig,
    u_detect: np.ndarray,
    u_delay: np.ndarray,
    p_extra: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Returns (detector, entry_time, new severity), given two uniforms per dispute.

    `detector` is NONE, PARTY, GRID or CLASSIFIED: the chances are independent, so one
    uniform decides in that order (party group first, then grid, then classified
    management's extra attention, `p_extra`).
    """
    n = len(severity)
    p_extra = np.zeros(n) if p_extra is None else p_extra
    by_party = p_party
    by_grid = by_party + (1.0 - p_party) * p_grid
    by_extra = by_grid + (1.0 - by_grid) * p_extra
    detector = np.select(
        [u_detect < by_party, u_detect < by_grid, u_detect < by_extra],
        [PARTY, GRID, CLASSIFIED],
        NONE,
    ).astype(np.int8)
    detected = detector != NONE
    delay = -policy.latent_weeks * np.log1p(-u_delay)
    entry = np.where(detected, arise_time, arise_time + delay)
    sev = np.where(
        detected,
        severity * (1.0 - policy.early_relief),
        severity + policy.festering * (1.0 - severity),
    )
    return detector, entry, sev
