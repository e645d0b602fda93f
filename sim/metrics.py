"""What a run measures: reporters (pure `model -> value` functions read each week by the
DataCollector), the run's summary and the per-community panel. This module only reads the
model: the tallies and totals it reads live with the processes that make them."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.agents.councils import council_map
from sim.config import DISPUTE_KINDS, GRAND_CENTRES, TIERS
from sim.ledger import ABANDONED, OPEN
from sim.population import AGE_LABELS, INSTITUTIONS
from sim.processes.councils import CouncilTally, Deliberation
from sim.processes.disputes import Disputes, DisputeTally
from sim.processes.government import CostTally, Government
from sim.processes.ladder import LITIGATION, PETITION, SELF, Ladder, StepTally
from sim.processes.migration import Migration
from sim.processes.participation import N_GROUPS, Participation
from sim.processes.property import PropertyManagement
from sim.processes.social_orgs import SocialOrganisations
from sim.processes.trust import Online, OnlineTally

if TYPE_CHECKING:
    from sim.model import GovernanceModel

PEOPLES_MEDIATION = (1, 2)  # courtyard and community people's mediation
MEDIATION_TIERS = (1, 2, 3)  # people's mediation and grand mediation
CIVIL_KINDS = [DISPUTE_KINDS.index(k) for k in ("family", "neighbour", "civil")]  # 民间纠纷


def participation_by_group(m: GovernanceModel) -> dict[str, float]:
    """Participation rate overall and per group (registered/floating, age band, party)."""
    part = m.process(Participation)
    active = np.bincount(part.group_code, weights=m.participation_active(), minlength=N_GROUPS)
    cells = active.reshape(len(AGE_LABELS), 2, 2)  # [age, party, floating]
    n = part.group_n.reshape(len(AGE_LABELS), 2, 2)
    out = {"participation_rate": _ratio(cells.sum(), n.sum())}
    out["participation_registered"] = _ratio(cells[:, :, 0].sum(), n[:, :, 0].sum())
    out["participation_floating"] = _ratio(cells[:, :, 1].sum(), n[:, :, 1].sum())
    out["participation_party"] = _ratio(cells[:, 1].sum(), n[:, 1].sum())
    out["participation_non_party"] = _ratio(cells[:, 0].sum(), n[:, 0].sum())
    for a, label in enumerate(AGE_LABELS):
        out[f"participation_age_{label}"] = _ratio(cells[a].sum(), n[a].sum())
    return out


def _ratio(a: Any, b: Any) -> float:
    return float(a) / float(b) if b else float("nan")


def _pct(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


# the week's tallies and the totals since week 0, by process
def ladder(m: GovernanceModel) -> StepTally:
    return m.process(Ladder).tally


def ladder_total(m: GovernanceModel) -> StepTally:
    return m.process(Ladder).total


def disputes(m: GovernanceModel) -> DisputeTally:
    return m.process(Disputes).tally


def councils(m: GovernanceModel) -> CouncilTally:
    return m.process(Deliberation).tally


def online(m: GovernanceModel) -> OnlineTally:
    return m.process(Online).tally


def cost(m: GovernanceModel) -> CostTally:
    return m.process(Government).tally


def resolution_rate_cumulative(m: GovernanceModel) -> float:
    """Of the disputes that arose since week 0, the share resolved so far (cumulative)."""
    return _ratio(ladder_total(m).cohort_resolved, m.process(Disputes).total.arising)


def _resolved_at(j: int, m: GovernanceModel) -> int:
    return int(ladder(m).resolved[j])


def _queue_at(j: int, m: GovernanceModel) -> int:
    return int(m.process(Ladder).queue_lengths()[j])


def _wait_at(j: int, m: GovernanceModel) -> float:
    return _ratio(ladder(m).wait_sum[j], ladder(m).started[j])


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
    cache = m.unit_cache.get(participation_by_group)
    if cache is None or cache[0] != m.steps:
        cache = m.unit_cache[participation_by_group] = (m.steps, participation_by_group(m))
    return cache[1][key]


def legitimacy(m: GovernanceModel) -> float:
    """Mean legitimacy of the councils in place."""
    c = council_map(m)
    values = [x.legitimacy for x in (*c.courtyard.values(), *c.community.values())]
    return float(np.mean(values)) if values else float("nan")


def _mean_or_nan(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")


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
    "disputes_arising": lambda m: disputes(m).arising,
    "detected_early": lambda m: disputes(m).detected,
    "disputes_open": lambda m: m.open_disputes,
    "resolved_total": lambda m: int(ladder(m).resolved.sum()),
    "abandoned": lambda m: ladder(m).abandoned,
    "reneged": lambda m: int(ladder(m).reneged.sum()),
    "petitions": lambda m: int(ladder(m).entered[PETITION]),
    "litigation": lambda m: int(ladder(m).entered[LITIGATION]),
    "mean_time_to_resolution": lambda m: _mean_or_nan(ladder(m).durations),
    "p90_time_to_resolution": lambda m: _pct(np.asarray(ladder(m).durations), 90),
    **_tier_reporters(),
    "resolution_rate_cumulative": resolution_rate_cumulative,
    "mean_grievance": lambda m: float(m.pop.grievance.mean()),
    **_trust_reporters(),
    "participants": lambda m: m.process(Participation).tally.participants,
    **{k: partial(_group_rate, k) for k in GROUP_KEYS},
    "issues_raised": lambda m: councils(m).raised,
    "council_decisions": lambda m: councils(m).council_decided,
    "issues_implemented": lambda m: councils(m).implemented,
    "issues_escalated": lambda m: councils(m).escalated,
    "mean_time_to_decision": lambda m: _mean_or_nan(councils(m).decision_times),
    "council_legitimacy": legitimacy,
    "social_orgs": lambda m: m.org_count,
    "social_orgs_per_10k": lambda m: _ratio(m.org_count * 10_000, m.people),
    "ties": lambda m: m.total_ties(),
    "newcomers": lambda m: m.process(Migration).tally.newcomers,
    "online_warnings": lambda m: online(m).warnings,
    "government_cost": lambda m: cost(m).cost,
}


def summary(m: GovernanceModel) -> dict[str, Any]:
    """Scalar outcomes of a finished run (what `summary.json` and `runs.parquet` hold).

    Dispute outcomes follow the cohort of disputes that arose in the recorded weeks: every
    rate has all of them in its denominator, open ones included (`open_at_end`). Counts of
    petitions, lawsuits and reneging are flows in the recorded weeks.
    """
    t = ladder_total(m)
    c = m.process(Deliberation).total
    led = m.ledger
    weeks = max(m.steps, 1)
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
    peoples = list(PEOPLES_MEDIATION)
    pm_entered = entered[:, peoples].any(axis=1)
    pm_started = started[:, peoples].any(axis=1)
    pm_success = np.isin(outcome, PEOPLES_MEDIATION)
    years = weeks / 52.0
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
            float(pm_success.sum()), float(done[:, peoples].any(axis=1).sum())
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
    queue = m.process(Ladder).queue_lengths()
    for j, name in enumerate(TIERS):
        out[f"ended_{name}"] = _ratio(float((outcome == j).sum()), n)
        if j > 0:
            out[f"mean_wait_{name}"] = _ratio(t.wait_sum[j], t.started[j])
            out[f"reneged_{name}"] = int(t.reneged[j])
            out[f"queue_end_{name}"] = int(queue[j])
    med = list(MEDIATION_TIERS)
    attempts = done[:, med].sum(axis=1)
    settled = np.isin(outcome, MEDIATION_TIERS)
    civil = np.isin(led.kind[cohort], CIVIL_KINDS)
    for label, mask in (("civil", civil), ("other", ~civil)):
        out[f"mediation_success_{label}"] = _ratio(
            float(settled[mask].sum()), float(attempts[mask].sum())
        )
    for index, centre in enumerate(GRAND_CENTRES):
        out[f"grand_{centre}"] = int(t.referred[index])  # disputes each centre took in
    out["ended_abandoned"] = _ratio(float((outcome == ABANDONED).sum()), n)
    out["ended_open"] = _ratio(float((outcome == OPEN).sum()), n)
    for inst in INSTITUTIONS:
        out[f"trust_{inst}"] = float(m.pop.trust[inst].mean())
    out.update(participation_by_group(m))
    spent = m.process(Government).total.cost
    org_total = m.process(SocialOrganisations).total
    out.update(
        {
            "issues_raised": c.raised,
            "issues_decided": c.decided,
            "council_decisions": c.council_decided,
            "issues_implemented": c.implemented,
            "issues_escalated": c.escalated,
            "mean_time_to_decision": _ratio(c.decision_time_sum, c.decisions_timed),
            "council_legitimacy": legitimacy(m),
            "social_orgs": m.org_count,
            "social_orgs_per_10k": _ratio(m.org_count * 10_000, m.people),
            "social_orgs_born": org_total.born,
            "social_orgs_failed": org_total.failed,
            "ties": m.total_ties(),
            "ties_per_resident": _ratio(2 * m.total_ties(), m.pop.n),
            "government_cost_per_week": spent / weeks,
            "government_cost_per_resident_year": _ratio(spent * 52, m.pop.n * weeks),
            "online_warnings": m.process(Online).total.warnings,
            "property_companies": m.process(PropertyManagement).tally.companies,
            "property_satisfaction": _ratio(
                m.process(PropertyManagement).tally.satisfaction_sum,
                m.process(PropertyManagement).tally.companies,
            ),
            "reforms_applied": len(m.reforms_applied),
        }
    )
    return out


def community_panel(m: GovernanceModel, t: int) -> dict[str, np.ndarray]:
    """Per-community columns: state now and disputes opened/closed since the last panel."""
    pop, led = m.pop, m.ledger
    n_communities = m.world.n_communities
    n = np.maximum(m.community_residents, 1)
    interval = m.cfg.output.panel_interval
    since = led.opened > t - interval
    closed = (led.closed_step > t - interval) & (led.closed_step <= t)
    outcome = led.outcome

    starts = m.community_members[0]

    def per(values: np.ndarray | None = None, mask: np.ndarray | None = None) -> np.ndarray:
        if mask is not None:
            return np.bincount(led.community[mask], minlength=n_communities)
        assert values is not None
        return np.add.reduceat(values, starts[:-1], dtype=np.float64) / n

    cols: dict[str, np.ndarray] = {
        "step": np.full(n_communities, t + 1),
        "community": np.arange(n_communities),
        "residents": m.community_residents,
        "floating_share": per(pop.floating),
        "mean_grievance": per(pop.grievance),
        "participation_rate": per(m.participation_active()),
        "social_orgs_per_1000": m.process(SocialOrganisations).orgs_per_1000,
        "disputes_opened": per(mask=since),
        "disputes_resolved": per(mask=closed & (outcome < ABANDONED)),
        "disputes_abandoned": per(mask=closed & (outcome == ABANDONED)),
    }
    for inst in INSTITUTIONS:
        cols[f"trust_{inst}"] = per(pop.trust[inst])
    return cols
