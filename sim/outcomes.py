"""What a run measures: one declaration per outcome, in the manner of EMA Workbench's
`ScalarOutcome` / `TimeSeriesOutcome`.

Every key of a run's `summary.json` is a `scalar` outcome here (and every scalar here is a
key of it; `tests/test_outcomes.py` holds both to a real run); a `series` outcome is a
column of `timeseries.parquet` only, and a scalar also recorded weekly says so (`weekly`).
Each carries its label and unit (axis labels and captions are `label (unit)`), the values
it can take (`low`, `high`: a share lies in [0, 1], a count is >= 0) and which direction
is better (+1 higher, -1 lower, 0 neither or a matter of judgement). The report reads
its labels, captions and axis ranges from here.

    from sim.outcomes import OUTCOMES, outcome
    outcome("resolution_rate").axis_label   # 'resolved (share of disputes that arose)'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from sim.config import GRAND_CENTRES, TIERS
from sim.population import AGE_LABELS

Kind = Literal["scalar", "series"]


@dataclass(frozen=True)
class Outcome:
    """One measured quantity of a run."""

    name: str
    label: str  # what it is, without the unit
    unit: str  # "count", "weeks", "share of disputes", "0-1 scale", "yuan per week", ...
    kind: Kind = "scalar"
    better: int = 0  # +1: higher is better, -1: lower is better, 0: neither
    low: float = -math.inf
    high: float = math.inf
    weekly: bool = False  # a scalar that is also a column of timeseries.parquet

    @property
    def axis_label(self) -> str:
        """`label (unit)`, as every axis and caption shows it."""
        return f"{self.label} ({self.unit})"

    @property
    def natural_range(self) -> tuple[float, float]:
        return self.low, self.high


def _share(name: str, label: str, of: str = "", better: int = 0, **kw: object) -> Outcome:
    unit = f"share of {of}" if of else "share"
    return Outcome(name, label, unit, better=better, low=0.0, high=1.0, **kw)  # type: ignore[arg-type]


def _count(name: str, label: str, better: int = 0, unit: str = "count", **kw: object) -> Outcome:
    return Outcome(name, label, unit, better=better, low=0.0, **kw)  # type: ignore[arg-type]


def _weeks(name: str, label: str, better: int = -1, **kw: object) -> Outcome:
    return Outcome(name, label, "weeks", better=better, low=0.0, **kw)  # type: ignore[arg-type]


def _scale(name: str, label: str, better: int = 0, **kw: object) -> Outcome:
    return Outcome(name, label, "0\u20131", better=better, low=0.0, high=1.0, **kw)  # type: ignore[arg-type]


def _rate(name: str, label: str, per: str, better: int = 0, **kw: object) -> Outcome:
    return Outcome(name, label, per, better=better, low=0.0, **kw)  # type: ignore[arg-type]


ENDINGS: tuple[str, ...] = (*TIERS, "abandoned", "open")
"""Where a dispute ends, in escalation order; abandoned and still open last (not tiers)."""
ENDING_LABELS: dict[str, str] = {
    "self_settle": "self-resolved",
    "courtyard": "courtyard",
    "community": "community",
    "grand": "grand mediation",
    "litigation": "litigation",
    "petition": "petition",
    "abandoned": "abandoned",
    "open": "still open",
}
_TIER_NAMES = {
    **{t: f"{ENDING_LABELS[t]} mediation" for t in ("courtyard", "community")},
    **{t: ENDING_LABELS[t] for t in ("self_settle", "grand", "litigation", "petition")},
}
QUEUED_TIERS = TIERS[1:]
"""The tiers with a queue (every tier but settling among the parties themselves)."""
_AGES = {a: a.replace("_plus", "+").replace("_", "\u2013") for a in AGE_LABELS}

_DECLARED: list[Outcome] = [
    # the world
    _count("residents", "adult residents (agents)"),
    _count("people", "people, children included"),
    _count("communities", "communities"),
    _count("courtyards", "courtyards"),
    _weeks("steps", "weeks recorded", better=0),
    _weeks("burn_in", "weeks of burn-in", better=0),
    # disputes and how they ended
    _count("disputes", "disputes arisen since week 0", better=-1),
    _count("resolved", "disputes resolved", better=+1),
    _count("abandoned", "disputes abandoned", better=-1, weekly=True),
    _count("open_at_end", "disputes still open at the end", better=-1),
    _rate("disputes_per_1000_residents_year", "disputes", "per 1,000 residents a year", -1),
    _share("detected_early_share", "caught early by grid or party", "disputes", +1),
    _share("detected_early_share_floating", "caught early, floating residents", "disputes", +1),
    _share("resolution_rate", "resolved", "disputes that arose", +1),
    _share("resolution_rate_closed", "resolved", "disputes closed", +1),
    _share("self_settled_share", "settled by the parties", "disputes", +1),
    _share("grassroots_mediation_share", "settled in courtyard or community mediation", "", +1),
    _share("peoples_mediation_success", "people's mediation succeeded", "cases mediated", +1),
    _rate("peoples_mediation_per_10k_year", "people's mediation cases", "per 10,000 a year"),
    _share("litigation_share_of_mediated", "went on to court", "disputes mediated", -1),
    _count("petitions", "petitions", better=-1, weekly=True),
    _count("litigation", "lawsuits", better=-1, weekly=True),
    _rate("petitions_per_10k_year", "petitions", "per 10,000 residents a year", -1),
    _rate("litigation_per_10k_year", "lawsuits", "per 10,000 residents a year", -1),
    _count("reneged", "parties who gave up waiting", better=-1, weekly=True),
    _weeks("mean_time_to_resolution", "time to resolution", weekly=True),
    _weeks("p90_time_to_resolution", "time to resolution, 90th percentile", weekly=True),
    *(
        outcome
        for tier in TIERS
        for outcome in (
            _share(f"ended_{tier}", f"ended: {ENDING_LABELS[tier]}", "disputes"),
            *(
                (
                    _weeks(f"mean_wait_{tier}", f"mean wait for {_TIER_NAMES[tier]}"),
                    _count(f"reneged_{tier}", f"gave up waiting for {_TIER_NAMES[tier]}", -1),
                    _count(f"queue_end_{tier}", f"waiting for {_TIER_NAMES[tier]} at the end", -1),
                )
                if tier in QUEUED_TIERS
                else ()
            ),
        )
    ),
    _share("ended_abandoned", "ended: abandoned", "disputes", -1),
    _share("ended_open", "ended: still open", "disputes", -1),
    _share("mediation_success_civil", "mediation succeeded, civil disputes", "cases", +1),
    _share("mediation_success_other", "mediation succeeded, other disputes", "cases", +1),
    *(
        _count(f"grand_{c}", f"grand mediation cases at the {c.replace('_', ' ')}")
        for c in GRAND_CENTRES
    ),
    # residents
    _scale("mean_grievance", "grievance", -1, weekly=True),
    _scale("trust_party", "trust in Party organisation", +1, weekly=True),
    _scale("trust_committee", "trust in the residents' committee", +1, weekly=True),
    _scale("trust_mediation", "trust in mediation", +1, weekly=True),
    _scale("trust_court", "trust in the courts", +1, weekly=True),
    _scale("trust_government", "trust in government", +1, weekly=True),
    _share("participation_rate", "participation", "residents", +1, weekly=True),
    _share("participation_registered", "participation, registered", "residents", +1, weekly=True),
    _share("participation_floating", "participation, floating", "residents", +1, weekly=True),
    _share("participation_party", "participation, Party members", "members", +1, weekly=True),
    _share("participation_non_party", "participation, non-members", "residents", +1, weekly=True),
    *(
        _share(f"participation_age_{a}", f"participation, aged {t}", "residents", +1, weekly=True)
        for a, t in _AGES.items()
    ),
    # self-governance and organisations
    _count("issues_raised", "issues raised in councils", weekly=True),
    _count("issues_decided", "issues decided by councils", +1),
    _count("council_decisions", "council decisions", +1, weekly=True),
    _count("issues_implemented", "council decisions implemented", +1, weekly=True),
    _count("issues_escalated", "issues escalated to the street", -1, weekly=True),
    _weeks("mean_time_to_decision", "time to a council decision", weekly=True),
    _scale("council_legitimacy", "council legitimacy", +1, weekly=True),
    _count("social_orgs", "social organisations", +1, weekly=True),
    _rate("social_orgs_per_10k", "social organisations", "per 10,000 residents", +1, weekly=True),
    _count("social_orgs_born", "social organisations founded"),
    _count("social_orgs_failed", "social organisations failed", -1),
    _count("ties", "social ties", weekly=True),
    _rate("ties_per_resident", "social ties", "per resident"),
    _rate("government_cost_per_week", "government cost", "yuan per week", -1),
    _rate("government_cost_per_resident_year", "government cost", "yuan per resident a year", -1),
    _count("online_warnings", "online early warnings", weekly=True),
    _count("property_companies", "property-management companies"),
    _scale("property_satisfaction", "satisfaction with property management", +1),
    _count("reforms_applied", "reforms applied"),
    # weekly only
    Outcome("step", "time", "weeks", kind="series", low=0.0),
    _count("disputes_arising", "new disputes", -1, unit="per week", kind="series"),
    _count("detected_early", "disputes caught early", +1, unit="per week", kind="series"),
    _count("disputes_open", "open disputes", -1, kind="series"),
    _count("resolved_total", "disputes resolved", +1, unit="per week", kind="series"),
    *(
        _count(f"resolved_{t}", f"resolved in {_TIER_NAMES[t]}", unit="per week", kind="series")
        for t in TIERS
    ),
    *(
        outcome
        for t in QUEUED_TIERS
        for outcome in (
            _count(f"queue_{t}", f"waiting for {_TIER_NAMES[t]}", -1, kind="series"),
            _weeks(f"wait_{t}", f"wait for {_TIER_NAMES[t]}", kind="series"),
        )
    ),
    _share(
        "resolution_rate_cumulative",
        "resolved so far, cumulative",
        "disputes since week 0",
        +1,
        kind="series",
    ),
    _count("participants", "residents taking part", +1, kind="series"),
    _count("newcomers", "residents moved in", unit="per week", kind="series"),
    _rate("government_cost", "government cost", "yuan per week", -1, kind="series"),
]

OUTCOMES: dict[str, Outcome] = {o.name: o for o in _DECLARED}
"""Every outcome by name."""

if len(OUTCOMES) != len(_DECLARED):  # pragma: no cover - a declaration error
    raise RuntimeError("an outcome is declared twice in sim.outcomes")


def outcome(name: str) -> Outcome:
    """The declaration of `name`; KeyError names the registry when it has none."""
    try:
        return OUTCOMES[name]
    except KeyError:
        raise KeyError(f"{name!r} is not an outcome declared in sim.outcomes") from None


def scalars() -> list[str]:
    """The names summary.json holds."""
    return [o.name for o in _DECLARED if o.kind == "scalar"]


def weekly() -> list[str]:
    """The names timeseries.parquet holds."""
    return [o.name for o in _DECLARED if o.kind == "series" or o.weekly]
