"""Targets with their uncertainty, and the distance ABC minimises.

A documented interval [low, high] is read as the target's uncertainty: its midpoint is the
observed value and its half-width two standard errors (about 95% of a normal error lies
within +-2 SE), so SE = (high - low) / 4. A one-sided target (`high` or `low` infinite, e.g.
"at least 2.5") has no midpoint: it contributes nothing while the bound holds, and its
shortfall in units of an SE of 10% of the bound otherwise. A standard error declared by the
calibration file (`uncertainty: {name: {sd: ...}}`) or carried by the target (`Target.se`)
replaces the one read from the interval.

The distance of a particle is the root mean square of the standardised deviations over the
fitted targets, d = sqrt(mean_i z_i^2), z_i = (x_i - m_i) / SE_i. So d = 1 means "one SE
off on average" and d <= 2 roughly "inside every documented interval on average";
thresholds read the same whatever the number of targets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.calibration import PATTERNS, Target

ONE_SIDED_SE = 0.1
"""SE of a one-sided target, as a share of its bound (when the file declares none)."""


@dataclass(frozen=True)
class Observed:
    """One target as calibration uses it."""

    name: str
    role: str  # "fit" or "held out"
    low: float
    high: float
    mean: float  # NaN for a one-sided target
    se: float
    kind: str
    source: str
    target: Target

    @property
    def sided(self) -> str:
        if math.isinf(self.high) and math.isinf(self.low):
            return "none"
        if math.isinf(self.high):
            return "lower"
        if math.isinf(self.low):
            return "upper"
        return "two"

    def z(self, x: float) -> float:
        """Standardised deviation of a simulated value from the target."""
        if not math.isfinite(x):
            return math.inf
        if self.sided == "two":
            return (x - self.mean) / self.se
        if self.sided == "lower":
            return min(0.0, x - self.low) / self.se
        if self.sided == "upper":
            return max(0.0, x - self.high) / self.se
        return 0.0

    def covers(self, x: float) -> bool:
        return bool(math.isfinite(x) and self.low <= x <= self.high)

    def record(self) -> dict[str, Any]:
        return {
            "target": self.name,
            "role": self.role,
            "kind": self.kind,
            "low": self.low,
            "high": self.high,
            "mean": self.mean,
            "se": self.se,
            "source": self.source,
        }


def by_name() -> dict[str, Target]:
    return {t.name: t for t in PATTERNS}


def observed(
    target: Target, role: str, sd: float | None = None, interval: tuple[float, float] | None = None
) -> Observed:
    """A target's observed value and SE from its documented interval (or a given one)."""
    low, high = interval if interval is not None else (float(target.low), float(target.high))
    if math.isfinite(low) and math.isfinite(high):
        mean, se = (low + high) / 2, (high - low) / 4
    else:
        bound = low if math.isfinite(low) else high
        mean, se = math.nan, ONE_SIDED_SE * max(abs(bound), 1e-9)
    declared = sd if sd is not None else getattr(target, "se", None)  # a Target may carry one
    if declared is not None:
        se = float(declared)
    return Observed(
        name=target.name,
        role=role,
        low=low,
        high=high,
        mean=mean,
        se=se,
        kind=str(getattr(target, "kind", "") or ""),
        source=target.source,
        target=target,
    )


def from_spec(
    fit: Sequence[str],
    validate: Sequence[str],
    uncertainty: Mapping[str, Mapping[str, float]],
    intervals: Mapping[str, tuple[float, float]] | None = None,
) -> list[Observed]:
    """Fitted then held-out targets, with declared SEs and (synthetic) intervals applied."""
    known = by_name()
    out = []
    for role, names in (("fit", fit), ("held out", validate)):
        for n in names:
            sd = uncertainty.get(n, {}).get("sd")
            out.append(observed(known[n], role, sd, (intervals or {}).get(n)))
    return out


def values(
    targets: Sequence[Observed],
    summary: Mapping[str, Any],
    versus: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, float]:
    """Each target's value for one run's summary (NaN where it cannot be computed); a
    contrast target reads the same seed's run of its `versus` scenario too."""
    out = {}
    for t in targets:
        try:
            if t.target.versus:
                other = (versus or {})[t.target.versus]
                out[t.name] = float(t.target.value(dict(summary), dict(other)))
                continue
            out[t.name] = float(t.target.value(dict(summary)))
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            out[t.name] = math.nan
    return out


def distance(targets: Sequence[Observed], x: Mapping[str, float]) -> float:
    """Root mean square standardised deviation over the fitted targets (see module doc)."""
    z = [t.z(float(x[t.name])) for t in targets if t.role == "fit"]
    if not z:
        return 0.0
    return float(math.sqrt(sum(v * v for v in z) / len(z)))


def synthetic_intervals(
    targets: Sequence[Observed], runs: Sequence[Mapping[str, float]], seeds_per_particle: int
) -> dict[str, tuple[float, float]]:
    """Intervals of targets made by the model itself: mean of the runs +- 2 SE, where SE is
    the noise of a particle's statistic (a mean over `seeds_per_particle` runs) combined
    with the noise of the synthetic mean itself."""
    out = {}
    n = len(runs)
    for t in targets:
        v = np.array([r[t.name] for r in runs], dtype=float)
        v = v[np.isfinite(v)]
        mean = float(v.mean())
        sd = float(v.std(ddof=1)) if len(v) > 1 else 0.0
        se = sd * math.sqrt(1 / seeds_per_particle + 1 / n)
        se = max(se, 1e-3 * max(abs(mean), 1e-6))  # a target that never varies
        out[t.name] = (mean - 2 * se, mean + 2 * se)
    return out
