"""Reports on sweeps: tidy tables (`load`), comparisons, statistics, figures.

`load(DIR)` gives a sweep's tables in a notebook; `compare(DIR, reference)` pairs every
variant with the reference by seed (common random numbers). The names are imported on
first use, so `jiceng-report --help` does not pay for pandas and scipy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.report.aggregate import AggregateError, SweepTables, load
    from sim.report.stats import compare

_HOMES = {
    "AggregateError": "sim.report.aggregate",
    "SweepTables": "sim.report.aggregate",
    "load": "sim.report.aggregate",
    "compare": "sim.report.stats",
}
__all__ = ["AggregateError", "SweepTables", "compare", "load"]
# `sim.report.aggregate` is the module (the function is `sim.report.aggregate.aggregate`).


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sim.report' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
