"""The base of every institution agent: a unit of the world, its community, its state.

Institutions are few (tens of thousands at city scale), so they are plain Mesa agents and
their attributes are the truth the processes read. Processes that need an attribute of
many institutions at once (a branch's detection chance for every building, a committee's
mediators for every courtyard) read it through `per_unit`, which caches the array until an
agent of that class changes: setting any attribute, creating or removing an agent bumps
the class's version on the model, so changing an agent changes the run at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

if TYPE_CHECKING:
    from sim.model import GovernanceModel

_HIDDEN = ("model", "unique_id", "pos")
COUNTERS = frozenset({"served", "decisions", "implemented", "failed"})
"""Tallies an institution keeps of what it did: outputs no process reads, so counting does not
make cached arrays stale."""


class Institution(mesa.Agent):
    """An institution at `level` ('building', 'courtyard', 'community', 'street', 'city')
    for `unit` (its index at that level); `community` is None above the community."""

    model: GovernanceModel
    level: str = "city"

    def __init__(
        self,
        model: GovernanceModel,
        unit: int,
        level: str | None = None,
        community: int | None = None,
    ) -> None:
        super().__init__(model)
        self.unit = unit
        if level is not None:
            self.level = level
        self.community = community
        self._ready = True
        model.touch(type(self), layout=True)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name not in COUNTERS and self.__dict__.get("_ready"):
            self.model.touch(type(self))

    def remove(self) -> None:
        self.model.touch(type(self), layout=True)
        super().remove()

    def state(self) -> dict[str, Any]:
        """Public state (for tables and dashboards): every attribute but Mesa's own."""
        return {
            k: v
            for k, v in vars(self).items()
            if not k.startswith("_") and k not in _HIDDEN and not isinstance(v, np.ndarray)
        }


def cached[T](model: GovernanceModel, key: Any, version: Any, compute: Callable[[], T]) -> T:
    """`compute()`, kept in `model.unit_cache` under `key` until `version` changes (a
    class's `model.versions` or `model.layout_versions`, or a tuple of them)."""
    hit = model.unit_cache.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    value = compute()
    model.unit_cache[key] = (version, value)
    return value


def per_unit(
    model: GovernanceModel,
    cls: type[Institution],
    n_units: int,
    value: Callable[[Any], float],
    *,
    level: str | None = None,
    default: float = 0.0,
) -> np.ndarray:
    """Array over units of `value(agent)` for the agents of `cls` (at `level`), `default`
    where a unit has none; cached until an agent of `cls` changes."""

    def compute() -> np.ndarray:
        out = np.full(n_units, default, dtype=np.float64)
        agents = model.agents_by_type.get(cls)
        if agents is not None:
            if level is not None:
                agents = agents.select(lambda agent: agent.level == level)
            if len(agents):
                out[np.asarray(agents.get("unit"), dtype=np.int64)] = agents.map(value)
        return out

    return cached(model, (cls, level, n_units, value), model.versions[cls], compute)
