"""Grid-based management (网格化管理): grid workers by mass prevention and control."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.institution import Institution, cached

if TYPE_CHECKING:
    from sim.model import GovernanceModel


class GridWorker(Institution):
    """A grid worker of a community: walks its grid and `detect`s the disputes of the
    households the information system knows (registered residents) early.

    `effort` is the worker's share of a full-time post (1.0); `detection` the chance a
    dispute is caught where the community's grid is saturated with workers."""

    level = "community"

    def __init__(
        self, model: GovernanceModel, community: int, detection: float, effort: float = 1.0
    ) -> None:
        super().__init__(model, community, "community", community)
        self.detection = detection
        self.effort = effort

    def detect(self) -> float:
        """This worker's chance of catching a dispute at a saturated grid."""
        return self.detection


def grid_chance(model: GovernanceModel, saturation: float) -> np.ndarray:
    """Per community: the chance its grid workers catch a registered resident's dispute
    early, mean detection x (1 - exp(-density / saturation)), density the workers' effort
    per 10,000 people of the community (diminishing returns, Exp saturation curve)."""

    def compute() -> np.ndarray:
        chance = np.zeros(model.world.n_communities)
        workers = model.agents_by_type.get(GridWorker)
        if workers is not None and len(workers):
            groups = workers.groupby("community")
            effort = groups.agg("effort", sum)
            detection = groups.agg("detection", lambda values: sum(values) / len(values))
            for community, total in effort.items():
                density = total * 10_000 / max(float(model.comm_people[community]), 1.0)
                saturating = 1.0 - math.exp(-density / saturation) if saturation > 0 else 1.0
                chance[community] = detection[community] * saturating
        return chance

    return cached(model, ("grid_chance", saturation), model.versions[GridWorker], compute)
