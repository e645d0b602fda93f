"""Reports on sweeps: tidy tables (`aggregate`, `load`), comparisons, statistics, figures.

`load(DIR)` gives a sweep's tables in a notebook; `compare(DIR, reference)` pairs every
variant with the reference by seed (common random numbers).
"""

from sim.report.aggregate import AggregateError, SweepTables, aggregate, compare, load

__all__ = ["AggregateError", "SweepTables", "aggregate", "compare", "load"]
