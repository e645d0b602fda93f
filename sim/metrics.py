"""Reporters (pure `model -> value` functions), run totals and the community panel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.config import TIERS
from sim.ledger import ABANDONED, OPEN
from sim.population import INSTITUTIONS
from sim.processes.ladder import COMMUNITY, LITIGATION, PETITION, SELF, Ladder, StepTally

if TYPE_CHECKING:
    from sim.model import GovernanceModel

MEDIATION_TIERS = (1, 2, 3)  # courtyard, community, grand


@dataclass
class StepView:
    """The numbers one step produced (what the reporters read)."""

    arising: int
    detected: int
    entered: np.ndarray
    resolved: np.ndarray
    abandoned: int
    started: np.ndarray
    wait_sum: np.ndarray
    queue: np.ndarray
    in_service: np.ndarray
    durations: np.ndarray

    @classmethod
    def empty(cls) -> StepView:
        z = np.zeros(len(TIERS), dtype=np.int64)
        return cls(0, 0, z, z, 0, z, z.astype(float), z, z, np.empty(0))

    @classmethod
    def from_tally(cls, arising: int, detected: int, tally: StepTally, ladder: Ladder) -> StepView:
        return cls(
            arising=arising,
            detected=detected,
            entered=tally.entered,
            resolved=tally.resolved,
            abandoned=tally.abandoned,
            started=tally.started,
            wait_sum=tally.wait_sum,
            queue=ladder.queue_lengths(),
            in_service=ladder.in_service_counts(),
            durations=np.asarray(tally.durations, dtype=float),
        )


@dataclass
class Totals:
    """Running sums since the start of the run."""

    opened: int = 0
    detected: int = 0
    resolved: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS), dtype=np.int64))
    entered: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS), dtype=np.int64))
    started: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS), dtype=np.int64))
    wait_sum: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS)))
    abandoned: int = 0

    def add(self, v: StepView) -> None:
        self.opened += v.arising
        self.detected += v.detected
        self.resolved = self.resolved + v.resolved
        self.entered = self.entered + v.entered
        self.started = self.started + v.started
        self.wait_sum = self.wait_sum + v.wait_sum
        self.abandoned += v.abandoned

    @property
    def closed(self) -> int:
        return int(self.resolved.sum()) + self.abandoned

    @property
    def open(self) -> int:
        return self.opened - self.closed


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b else float("nan")


def _pct(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


def resolution_rate(m: GovernanceModel) -> float:
    """Resolved / closed, cumulative."""
    return _ratio(m.totals.resolved.sum(), m.totals.closed)


def share_at_or_below_community(m: GovernanceModel) -> float:
    """Of resolved disputes, the share settled by self, courtyard or community (cumulative)."""
    r = m.totals.resolved
    return _ratio(r[SELF : COMMUNITY + 1].sum(), r.sum())


def _resolved_at(j: int, m: GovernanceModel) -> int:
    return int(m.last.resolved[j])


def _queue_at(j: int, m: GovernanceModel) -> int:
    return int(m.last.queue[j])


def _wait_at(j: int, m: GovernanceModel) -> float:
    return _ratio(m.last.wait_sum[j], m.last.started[j])


def _trust_in(inst: str, m: GovernanceModel) -> float:
    return float(m.pop.trust[inst].mean())


def _tier_reporters() -> dict[str, Callable[[GovernanceModel], Any]]:
    out: dict[str, Callable[[GovernanceModel], Any]] = {}
    for j, name in enumerate(TIERS):
        out[f"resolved_{name}"] = partial(_resolved_at, j)
    for j, name in enumerate(TIERS[1:], start=1):
        out[f"queue_{name}"] = partial(_queue_at, j)
        out[f"wait_{name}"] = partial(_wait_at, j)
    return out


def _trust_reporters() -> dict[str, Callable[[GovernanceModel], Any]]:
    return {f"trust_{inst}": partial(_trust_in, inst) for inst in INSTITUTIONS}


REPORTERS: dict[str, Callable[[GovernanceModel], Any]] = {
    "disputes_arising": lambda m: m.last.arising,
    "detected_early": lambda m: m.last.detected,
    "disputes_open": lambda m: m.totals.open,
    "resolved_total": lambda m: int(m.last.resolved.sum()),
    "abandoned": lambda m: m.last.abandoned,
    "petitions": lambda m: int(m.last.entered[PETITION]),
    "litigation": lambda m: int(m.last.entered[LITIGATION]),
    "mean_time_to_resolution": lambda m: (
        float(m.last.durations.mean()) if len(m.last.durations) else float("nan")
    ),
    "p90_time_to_resolution": lambda m: _pct(m.last.durations, 90),
    **_tier_reporters(),
    "resolution_rate": resolution_rate,
    "share_at_or_below_community": share_at_or_below_community,
    "mean_grievance": lambda m: float(m.pop.grievance.mean()),
    **_trust_reporters(),
}


def summary(m: GovernanceModel) -> dict[str, Any]:
    """Scalar outcomes of a finished run (what `summary.json` and `runs.parquet` hold)."""
    t = m.totals
    led = m.ledger
    outcome = led.outcome
    closed = outcome != OPEN
    resolved = (outcome >= 0) & (outcome < ABANDONED)
    ttr = (led.closed_time - led.arise_time)[resolved]
    visited = ~np.isnan(led.tier_entry)
    mediated = visited[:, list(MEDIATION_TIERS)].any(axis=1)
    litigated = visited[:, LITIGATION]
    med_done = ~np.isnan(led.tier_exit[:, list(MEDIATION_TIERS)])
    med_success = np.isin(outcome, MEDIATION_TIERS)
    out: dict[str, Any] = {
        "residents": m.pop.n,
        "communities": m.world.n_communities,
        "courtyards": m.world.n_courtyards,
        "steps": m.steps,
        "disputes": t.opened,
        "resolved": int(t.resolved.sum()),
        "abandoned": t.abandoned,
        "open": t.open,
        "disputes_per_1000_residents_year": _ratio(
            t.opened * 52_000, float(m.pop.n * max(m.steps, 1))
        ),
        "detected_early_share": _ratio(t.detected, t.opened),
        "resolution_rate": resolution_rate(m),
        "share_at_or_below_community": share_at_or_below_community(m),
        "mediation_success": _ratio(float(med_success.sum()), float(med_done.sum())),
        "litigation_share_of_mediated": _ratio(
            float((mediated & litigated).sum()), float(mediated.sum())
        ),
        "petitions": int(t.entered[PETITION]),
        "litigation": int(t.entered[LITIGATION]),
        "mean_time_to_resolution": float(ttr.mean()) if len(ttr) else float("nan"),
        "p90_time_to_resolution": _pct(ttr, 90),
        "mean_grievance": float(m.pop.grievance.mean()),
    }
    n_closed = max(int(closed.sum()), 1)
    for j, name in enumerate(TIERS):
        out[f"ended_{name}"] = float((outcome == j).sum()) / n_closed
        if j > 0:
            out[f"mean_wait_{name}"] = _ratio(t.wait_sum[j], t.started[j])
    out["ended_abandoned"] = float((outcome == ABANDONED).sum()) / n_closed
    for inst in INSTITUTIONS:
        out[f"trust_{inst}"] = float(m.pop.trust[inst].mean())
    return out


def community_panel(m: GovernanceModel, t: int) -> list[dict[str, Any]]:
    """One row per community: state now and disputes opened/closed since the last panel."""
    pop, led = m.pop, m.ledger
    nc = m.world.n_communities
    n = np.bincount(pop.community, minlength=nc)
    safe_n = np.maximum(n, 1)
    interval = m.cfg.output.panel_interval
    since = led.opened > t - interval
    closed = (led.closed_step > t - interval) & (led.closed_step <= t)
    rows_opened = np.bincount(led.community[since], minlength=nc)
    rows_resolved = np.bincount(led.community[closed & (led.outcome < ABANDONED)], minlength=nc)
    rows_abandoned = np.bincount(led.community[closed & (led.outcome == ABANDONED)], minlength=nc)
    cols: dict[str, np.ndarray] = {
        "residents": n,
        "floating_share": np.bincount(pop.community, weights=pop.floating, minlength=nc) / safe_n,
        "mean_grievance": np.bincount(pop.community, weights=pop.grievance, minlength=nc) / safe_n,
        "disputes_opened": rows_opened,
        "disputes_resolved": rows_resolved,
        "disputes_abandoned": rows_abandoned,
    }
    for inst in INSTITUTIONS:
        cols[f"trust_{inst}"] = (
            np.bincount(pop.community, weights=pop.trust[inst], minlength=nc) / safe_n
        )
    return [
        {"step": t + 1, "community": c, **{k: v[c].item() for k, v in cols.items()}}
        for c in range(nc)
    ]
