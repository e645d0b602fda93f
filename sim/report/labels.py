"""Words on axes and in captions: outcomes from `sim.outcomes`, a few non-outcome axes.

An outcome's label is `label (unit)` as its declaration gives it, and the values an axis
may show are the outcome's natural range; any other column falls back to its own name.
"""

from __future__ import annotations

import math

from sim.outcomes import ENDING_LABELS, ENDINGS, OUTCOMES

AXIS_LABELS: dict[str, str] = {
    "grievance": "grievance (0\u20131)",
    "time_to_resolution": "time to resolution (weeks)",
    "trust": "trust (0\u20131)",
    "ecdf": "cumulative share resolved",
    "tier_share": "share of disputes that arose",
}
"""Axes that are not one outcome: a per-dispute or per-resident quantity, a derived share."""

__all__ = ["AXIS_LABELS", "ENDINGS", "ENDING_LABELS", "label_for", "natural_range"]


def label_for(name: str) -> str:
    """Axis label with unit for a column; unknown columns fall back to their own name."""
    declared = OUTCOMES.get(name)
    if declared is not None:
        return declared.axis_label
    return AXIS_LABELS.get(name, name)


def natural_range(name: str) -> tuple[float, float]:
    """The values an outcome can take (a share [0, 1], a count [0, inf)); else unbounded."""
    declared = OUTCOMES.get(name)
    return declared.natural_range if declared is not None else (-math.inf, math.inf)
