"""Grid-based management (网格化管理): grid workers by mass prevention and control."""

from __future__ import annotations

from sim.agents.institution import Institution


class GridWorker(Institution):
    """A grid worker assigned to a community: they walk its grid and catch disputes early."""

    level = "community"

    def __init__(self, model: object, community: int) -> None:
        super().__init__(model, community, "community", community)  # type: ignore[arg-type]
