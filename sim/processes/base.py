"""The one interface every process has, and running totals of what processes did.

A process owns its state and its slice of the configuration: `configure(cfg)` (called at
build and again at every reform, by one loop over the schedule, so none can be forgotten)
and `step(model, t) -> tally`, a dataclass of what it did in week t. The model keeps each
process's last tally and, from week 0 on, adds it into the process's `total`.
"""

from __future__ import annotations

import copy
from dataclasses import fields
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from sim.config import SimConfig

if TYPE_CHECKING:
    from sim.model import GovernanceModel


class Tally:
    """Base of the per-week tallies: numeric fields and arrays add up into totals; lists
    (per-week detail such as durations) are left out of totals."""

    def add(self, other: Tally) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            mine = getattr(self, f.name)
            if isinstance(mine, (int, float, np.ndarray)) and not isinstance(mine, bool):
                setattr(self, f.name, mine + getattr(other, f.name))


class Process:
    """One step of the schedule (`sim.processes.SCHEDULE`)."""

    name: ClassVar[str]
    tally_type: ClassVar[type[Tally]]

    def __init__(self, model: GovernanceModel) -> None:
        self.model = model
        self.tally: Any = self.tally_type()
        self.total: Any = self.tally_type()

    def configure(self, cfg: SimConfig) -> None:
        """Read this process's settings (at build and at every reform)."""

    def step(self, model: GovernanceModel, t: int) -> Tally:
        raise NotImplementedError

    def record(self, tally: Tally, recorded: bool) -> None:
        self.tally = tally
        if recorded:
            self.total.add(tally)

    def restart_totals(self) -> None:
        """Week 0 starts afresh: no flows of the burn-in are carried over (the first record,
        the state before week 0, shows stocks such as queues and no flows)."""
        self.tally, self.total = self.tally_type(), self.tally_type()


def blank(tally: Tally) -> Tally:
    return copy.deepcopy(tally)
