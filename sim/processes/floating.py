"""Classified management of the floating population (seed: 四级管理; 一般人口常规管、
重点人员重点管、高危人群跟踪管: routine, key and high-risk people).

Each week the managed (registered) floating residents are ranked by grievance: the top
`key_share` are key persons, whose disputes the community's information system and its
part-time staff catch early with extra chance `key_detection`; the top `high_risk_share`
are high-risk and tracked, and follow-up visits remove `tracking_relief` of their grievance
a week. Without classified management nobody is classed and registration is slow
(`sim.processes.migration`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.config import FloatingPolicyConfig, SimConfig
from sim.processes.base import Process, Tally

if TYPE_CHECKING:
    from sim.model import GovernanceModel


@dataclass
class FloatingTally(Tally):
    """Floating residents classed key and those tracked as high-risk this week."""

    key: int = 0
    tracked: int = 0


class FloatingManagement(Process):
    """Classified management of the floating population (seed: routine, key, high-risk):
    ranks managed floating residents by grievance, relieves the tracked high-risk ones, and
    gives key residents' disputes extra early-detection attention."""

    name = "floating"
    tally_type = FloatingTally

    def __init__(self, model: GovernanceModel) -> None:
        super().__init__(model)
        self.floating_idx = model.floating_idx
        self.risk_levels = (np.inf, np.inf)  # grievance of key / high-risk floating residents

    def configure(self, cfg: SimConfig) -> None:
        self.cfg: FloatingPolicyConfig = cfg.policy.floating

    def managed(self, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Floating residents under classified management (registered, when it is on)."""
        pop = self.model.pop
        if not self.cfg.classified:
            return np.zeros(len(pop.floating[idx]), dtype=bool)
        return pop.floating[idx] & pop.registered[idx]

    def extra_detection(self, initiators: np.ndarray) -> np.ndarray | None:
        """Extra early-detection chance of each initiator's dispute (None: not managed)."""
        if not self.cfg.classified:
            return None
        g = self.model.pop.grievance[initiators]
        return self.cfg.key_detection * (g >= self.risk_levels[0]) * self.managed(initiators)

    def step(self, model: GovernanceModel, t: int) -> FloatingTally:
        policy, pop = self.cfg, model.pop
        self.risk_levels = (np.inf, np.inf)
        managed = self.floating_idx[self.managed(self.floating_idx)]
        if not len(managed):
            return FloatingTally()
        g = pop.grievance[managed]
        key, high = np.quantile(g, [1 - policy.key_share, 1 - policy.high_risk_share])
        self.risk_levels = (
            float(key) if policy.key_share > 0 else np.inf,
            float(high) if policy.high_risk_share > 0 else np.inf,
        )
        tracked = managed[g >= self.risk_levels[1]]
        pop.grievance[tracked] = np.maximum(
            pop.grievance[tracked] - np.float32(policy.tracking_relief), 0
        )
        return FloatingTally(key=int((g >= self.risk_levels[0]).sum()), tracked=len(tracked))
