"""`Resident`: a Mesa agent that is a view over row `idx` of the population arrays.

Reading or writing an attribute reads or writes the arrays, so Mesa's AgentSet tools
(`select`, `groupby`, `agg`), reporters and visualisation see the same state that the
vectorised processes update. Residents have no `step`: processes act on the arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from sim.model import GovernanceModel


def _column(name: str) -> property:
    def get(self: Resident) -> object:
        return getattr(self.model.pop, name)[self.idx].item()

    def put(self: Resident, value: object) -> None:
        getattr(self.model.pop, name)[self.idx] = value

    return property(get, put, doc=f"resident's {name} (a view into the population array)")


class Resident(mesa.Agent):
    """A resident as a Mesa agent: a thin view of row `idx` of the columnar `Population`
    (for Mesa tools; the processes act on the arrays)."""

    model: GovernanceModel

    def __init__(self, model: GovernanceModel, idx: int) -> None:
        super().__init__(model)
        self.idx = idx

    household = _column("household")
    building = _column("building")
    courtyard = _column("courtyard")
    community = _column("community")
    age = _column("age")
    party_member = _column("party")
    floating = _column("floating")
    propensity = _column("propensity")
    grievance = _column("grievance")

    def trust(self, institution: str) -> float:
        return float(self.model.pop.trust[institution][self.idx])

    def set_trust(self, institution: str, value: float) -> None:
        self.model.pop.trust[institution][self.idx] = value
