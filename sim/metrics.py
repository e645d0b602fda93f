"""Reporters (pure `model -> value` functions), run totals and the community panel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.config import DISPUTE_KINDS, GRAND_CENTRES, TIERS
from sim.ledger import ABANDONED, OPEN
from sim.population import INSTITUTIONS
from sim.processes.ladder import LITIGATION, PETITION, SELF, Ladder, StepTally

if TYPE_CHECKING:
    from sim.model import GovernanceModel

PEOPLES_MEDIATION = (1, 2)  # courtyard and community people's mediation
MEDIATION_TIERS = (1, 2, 3)  # people's mediation and grand mediation
CIVIL_KINDS = [DISPUTE_KINDS.index(k) for k in ("family", "neighbour", "civil")]  # 民间纠纷
AGE_LABELS = ("18_29", "30_39", "40_49", "50_59", "60_69", "70_79", "80_plus")
N_GROUPS = len(AGE_LABELS) * 4  # age band x party x floating (Population.group_code)


def participation_by_group(m: GovernanceModel) -> dict[str, float]:
    """Participation rate overall and per group (registered/floating, age band, party)."""
    active = np.bincount(m.group_code, weights=m.participation_active(), minlength=N_GROUPS)
    cells = active.reshape(len(AGE_LABELS), 2, 2)  # [age, party, floating]
    n = m.group_n.reshape(len(AGE_LABELS), 2, 2)
    out = {"participation_rate": _ratio(cells.sum(), n.sum())}
    out["participation_registered"] = _ratio(cells[:, :, 0].sum(), n[:, :, 0].sum())
    out["participation_floating"] = _ratio(cells[:, :, 1].sum(), n[:, :, 1].sum())
    out["participation_party"] = _ratio(cells[:, 1].sum(), n[:, 1].sum())
    out["participation_non_party"] = _ratio(cells[:, 0].sum(), n[:, 0].sum())
    for a, label in enumerate(AGE_LABELS):
        out[f"participation_age_{label}"] = _ratio(cells[a].sum(), n[a].sum())
    return out


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
    reneged: np.ndarray
    referred: np.ndarray
    resolved_ids: np.ndarray
    closed_ids: np.ndarray

    @classmethod
    def empty(cls) -> StepView:
        z = np.zeros(len(TIERS), dtype=np.int64)
        none = np.empty(0, dtype=np.int64)
        zc = np.zeros(len(GRAND_CENTRES), dtype=np.int64)
        return cls(0, 0, z, z, 0, z, z.astype(float), z, z, np.empty(0), z, zc, none, none)

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
            reneged=tally.reneged,
            referred=tally.referred,
            resolved_ids=np.asarray(tally.resolved_ids, dtype=np.int64),
            closed_ids=np.asarray(tally.resolved_ids + tally.abandoned_ids, dtype=np.int64),
        )


@dataclass
class Totals:
    """Running sums over the recorded weeks (week 0 on; the burn-in is not counted).

    Flows (entries, resolutions, waits) count whatever happened in those weeks; the cohort
    counts follow the disputes that arose in them, so rates have every such dispute,
    resolved or not, in their denominator.
    """

    opened: int = 0  # disputes that arose (the cohort)
    detected: int = 0
    resolved: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS), dtype=np.int64))
    entered: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS), dtype=np.int64))
    started: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS), dtype=np.int64))
    reneged: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS), dtype=np.int64))
    referred: np.ndarray = field(
        default_factory=lambda: np.zeros(len(GRAND_CENTRES), dtype=np.int64)
    )
    wait_sum: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS)))
    abandoned: int = 0
    cohort_resolved: int = 0
    cohort_closed: int = 0
    issues_raised: int = 0
    issues_decided: int = 0
    council_decisions: int = 0
    issues_implemented: int = 0
    issues_escalated: int = 0
    decision_time_sum: float = 0.0
    decisions_timed: int = 0
    orgs_born: int = 0
    orgs_failed: int = 0
    cost: float = 0.0
    warnings: int = 0
    weeks: int = 0

    def add(self, v: StepView, m: GovernanceModel | None = None) -> None:
        if m is not None:
            c = m.council_tally
            self.issues_raised += c.raised
            self.issues_decided += c.decided
            self.council_decisions += c.council_decided
            self.issues_implemented += c.implemented
            self.issues_escalated += c.escalated
            self.decision_time_sum += float(sum(c.decision_times))
            self.decisions_timed += len(c.decision_times)
            self.orgs_born += m.org_tally.born
            self.orgs_failed += m.org_tally.failed
            self.cost += m.cost
            self.warnings += m.online_tally.warnings
            self.weeks += 1
            opened = m.ledger.cols["opened"]
            self.cohort_resolved += int((opened[v.resolved_ids] >= 0).sum())
            self.cohort_closed += int((opened[v.closed_ids] >= 0).sum())
        self.opened += v.arising
        self.detected += v.detected
        self.resolved = self.resolved + v.resolved
        self.entered = self.entered + v.entered
        self.started = self.started + v.started
        self.reneged = self.reneged + v.reneged
        self.referred = self.referred + v.referred
        self.wait_sum = self.wait_sum + v.wait_sum
        self.abandoned += v.abandoned

    @property
    def open(self) -> int:
        """Disputes of the cohort still open."""
        return self.opened - self.cohort_closed


def _ratio(a: Any, b: Any) -> float:
    return float(a) / float(b) if b else float("nan")


def _pct(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


def resolution_rate_cumulative(m: GovernanceModel) -> float:
    """Of the disputes that arose since week 0, the share resolved so far (cumulative)."""
    return _ratio(m.totals.cohort_resolved, m.totals.opened)


def _resolved_at(j: int, m: GovernanceModel) -> int:
    return int(m.last.resolved[j])


def _queue_at(j: int, m: GovernanceModel) -> int:
    return int(m.last.queue[j])


def _wait_at(j: int, m: GovernanceModel) -> float:
    return _ratio(m.last.wait_sum[j], m.last.started[j])


def _trust_in(inst: str, m: GovernanceModel) -> float:
    return float(m.pop.trust[inst].mean())


GROUP_KEYS = (
    "participation_rate",
    "participation_registered",
    "participation_floating",
    "participation_party",
    "participation_non_party",
    *(f"participation_age_{label}" for label in AGE_LABELS),
)


def _group_rate(key: str, m: GovernanceModel) -> float:
    """One group's rate; the groups are computed once per step and cached."""
    cache = getattr(m, "_group_cache", None)
    if cache is None or cache[0] != m.steps:
        cache = (m.steps, participation_by_group(m))
        m._group_cache = cache
    return cache[1][key]


def _legitimacy(m: GovernanceModel) -> float:
    c = m.councils
    values = np.concatenate(
        [c.legit_courtyard[c.has_courtyard], c.legit_community[c.has_community]]
    )
    return float(values.mean()) if len(values) else float("nan")


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
    "disputes_open": lambda m: m.open_disputes,
    "resolved_total": lambda m: int(m.last.resolved.sum()),
    "abandoned": lambda m: m.last.abandoned,
    "reneged": lambda m: int(m.last.reneged.sum()),
    "petitions": lambda m: int(m.last.entered[PETITION]),
    "litigation": lambda m: int(m.last.entered[LITIGATION]),
    "mean_time_to_resolution": lambda m: (
        float(m.last.durations.mean()) if len(m.last.durations) else float("nan")
    ),
    "p90_time_to_resolution": lambda m: _pct(m.last.durations, 90),
    **_tier_reporters(),
    "resolution_rate_cumulative": resolution_rate_cumulative,
    "mean_grievance": lambda m: float(m.pop.grievance.mean()),
    **_trust_reporters(),
    "participants": lambda m: m.participants,
    **{k: partial(_group_rate, k) for k in GROUP_KEYS},
    "issues_raised": lambda m: m.council_tally.raised,
    "council_decisions": lambda m: m.council_tally.council_decided,
    "issues_implemented": lambda m: m.council_tally.implemented,
    "issues_escalated": lambda m: m.council_tally.escalated,
    "mean_time_to_decision": lambda m: (
        float(np.mean(m.council_tally.decision_times))
        if m.council_tally.decision_times
        else float("nan")
    ),
    "council_legitimacy": lambda m: _legitimacy(m),
    "social_orgs": lambda m: m.org_count,
    "social_orgs_per_10k": lambda m: _ratio(m.org_count * 10_000, m.people),
    "ties": lambda m: m.total_ties(),
    "newcomers": lambda m: m.newcomers,
    "online_warnings": lambda m: m.online_tally.warnings,
    "government_cost": lambda m: m.cost,
}


def summary(m: GovernanceModel) -> dict[str, Any]:
    """Scalar outcomes of a finished run (what `summary.json` and `runs.parquet` hold).

    Dispute outcomes follow the cohort of disputes that arose in the recorded weeks: every
    rate has all of them in its denominator, open ones included (`open_at_end`). Counts of
    petitions, lawsuits and reneging are flows in the recorded weeks.
    """
    t = m.totals
    led = m.ledger
    cohort = led.opened >= 0
    outcome = led.outcome[cohort]
    n = int(cohort.sum())
    floating = m.pop.floating[led.initiator[cohort]]  # initiator floating now (slots turn over)
    resolved = (outcome >= 0) & (outcome < ABANDONED)
    closed = outcome != OPEN
    ttr = (led.closed_time - led.arise_time)[cohort][resolved]
    started = ~np.isnan(led.tier_start[cohort])
    entered = ~np.isnan(led.tier_entry[cohort])
    done = ~np.isnan(led.tier_start[cohort]) & ~np.isnan(led.tier_exit[cohort])
    pm = list(PEOPLES_MEDIATION)
    pm_entered = entered[:, pm].any(axis=1)
    pm_started = started[:, pm].any(axis=1)
    pm_success = np.isin(outcome, PEOPLES_MEDIATION)
    years = max(t.weeks, 1) / 52.0
    out: dict[str, Any] = {
        "residents": m.pop.n,
        "people": m.people,
        "communities": m.world.n_communities,
        "courtyards": m.world.n_courtyards,
        "steps": m.steps,
        "burn_in": m.cfg.burn_in,
        "disputes": n,
        "resolved": int(resolved.sum()),
        "abandoned": int((outcome == ABANDONED).sum()),
        "open_at_end": int((outcome == OPEN).sum()),
        "disputes_per_1000_residents_year": _ratio(n * 1000, m.pop.n * years),
        "detected_early_share": _ratio(float(led.detected[cohort].sum()), n),
        "detected_early_share_floating": _ratio(
            float((led.detected[cohort] & floating).sum()), float(floating.sum())
        ),
        "resolution_rate": _ratio(float(resolved.sum()), n),
        "resolution_rate_closed": _ratio(float(resolved.sum()), float(closed.sum())),
        "self_settled_share": _ratio(float((outcome == SELF).sum()), n),
        "grassroots_mediation_share": _ratio(
            float((pm_entered & pm_success).sum()), float(pm_entered.sum())
        ),
        "peoples_mediation_success": _ratio(
            float(pm_success.sum()), float(done[:, pm].any(axis=1).sum())
        ),
        "peoples_mediation_per_10k_year": _ratio(pm_entered.sum() * 10_000, m.people * years),
        "litigation_share_of_mediated": _ratio(
            float((pm_started & entered[:, LITIGATION]).sum()), float(pm_started.sum())
        ),
        "petitions": int(t.entered[PETITION]),
        "litigation": int(t.entered[LITIGATION]),
        "petitions_per_10k_year": _ratio(t.entered[PETITION] * 10_000, m.people * years),
        "litigation_per_10k_year": _ratio(t.entered[LITIGATION] * 10_000, m.people * years),
        "reneged": int(t.reneged.sum()),
        "mean_time_to_resolution": float(ttr.mean()) if len(ttr) else float("nan"),
        "p90_time_to_resolution": _pct(ttr, 90),
        "mean_grievance": float(m.pop.grievance.mean()),
    }
    for j, name in enumerate(TIERS):
        out[f"ended_{name}"] = _ratio(float((outcome == j).sum()), n)
        if j > 0:
            out[f"mean_wait_{name}"] = _ratio(t.wait_sum[j], t.started[j])
            out[f"reneged_{name}"] = int(t.reneged[j])
            out[f"queue_end_{name}"] = int(m.last.queue[j])
    med = list(MEDIATION_TIERS)
    attempts = done[:, med].sum(axis=1)
    settled = np.isin(outcome, MEDIATION_TIERS)
    civil = np.isin(led.kind[cohort], CIVIL_KINDS)
    for label, mask in (("civil", civil), ("other", ~civil)):
        out[f"mediation_success_{label}"] = _ratio(
            float(settled[mask].sum()), float(attempts[mask].sum())
        )
    for c, centre in enumerate(GRAND_CENTRES):
        out[f"grand_{centre}"] = int(t.referred[c])  # disputes each centre took in
    out["ended_abandoned"] = _ratio(float((outcome == ABANDONED).sum()), n)
    out["ended_open"] = _ratio(float((outcome == OPEN).sum()), n)
    for inst in INSTITUTIONS:
        out[f"trust_{inst}"] = float(m.pop.trust[inst].mean())
    out.update(participation_by_group(m))
    weeks = max(t.weeks, 1)
    out.update(
        {
            "issues_raised": t.issues_raised,
            "issues_decided": t.issues_decided,
            "council_decisions": t.council_decisions,
            "issues_implemented": t.issues_implemented,
            "issues_escalated": t.issues_escalated,
            "mean_time_to_decision": _ratio(t.decision_time_sum, t.decisions_timed),
            "council_legitimacy": _legitimacy(m),
            "social_orgs": m.org_count,
            "social_orgs_per_10k": _ratio(m.org_count * 10_000, m.people),
            "social_orgs_born": t.orgs_born,
            "social_orgs_failed": t.orgs_failed,
            "ties": m.total_ties(),
            "ties_per_resident": _ratio(2 * m.total_ties(), m.pop.n),
            "government_cost_per_week": t.cost / weeks,
            "government_cost_per_resident_year": _ratio(t.cost * 52, m.pop.n * weeks),
            "online_warnings": t.warnings,
            "reforms_applied": len(m.reforms_applied),
        }
    )
    return out


def community_panel(m: GovernanceModel, t: int) -> dict[str, np.ndarray]:
    """Per-community columns: state now and disputes opened/closed since the last panel."""
    pop, led = m.pop, m.ledger
    nc = m.world.n_communities
    n = np.maximum(m.comm_n, 1)
    interval = m.cfg.output.panel_interval
    since = led.opened > t - interval
    closed = (led.closed_step > t - interval) & (led.closed_step <= t)
    outcome = led.outcome

    starts = m.community_members[0]

    def per(values: np.ndarray | None = None, mask: np.ndarray | None = None) -> np.ndarray:
        if mask is not None:
            return np.bincount(led.community[mask], minlength=nc)
        assert values is not None
        return np.add.reduceat(values, starts[:-1], dtype=np.float64) / n

    cols: dict[str, np.ndarray] = {
        "step": np.full(nc, t + 1),
        "community": np.arange(nc),
        "residents": m.comm_n,
        "floating_share": per(pop.floating),
        "mean_grievance": per(pop.grievance),
        "participation_rate": per(m.participation_active()),
        "social_orgs_per_1000": m.orgs_per_1000,
        "disputes_opened": per(mask=since),
        "disputes_resolved": per(mask=closed & (outcome < ABANDONED)),
        "disputes_abandoned": per(mask=closed & (outcome == ABANDONED)),
    }
    for inst in INSTITUTIONS:
        cols[f"trust_{inst}"] = per(pop.trust[inst])
    return cols
