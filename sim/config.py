"""The configuration schema: every parameter, its type, unit, range, default and source.

One step is one week. Plain dataclasses: the model never sees Hydra or OmegaConf. Hydra
composes YAML against this schema (registered in `sim.cli`); `load_config` gives the same
result without Hydra for the Python API. World conditions (uncertainties: `world`,
`disputes`) are kept apart from levers (`policy`, `mediation` capacity) in the EMA sense.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any

from sim.params import ConfigError, check_ranges, group, param

SEED_SOURCE = "Social Governance Innovation Development Report (2014), Chengdu chapter"


class ServiceDist(enum.StrEnum):
    exponential = "exponential"
    gamma = "gamma"
    lognormal = "lognormal"
    deterministic = "deterministic"


class Discipline(enum.StrEnum):
    fifo = "fifo"
    severity = "severity"


# --------------------------------------------------------------------------- world


@dataclass
class WorldConfig:
    communities: int = param(
        20, 1, 20000, unit="communities", doc="urban communities simulated (the size knob)"
    )
    communities_per_street: int = param(
        10, 1, 200, unit="communities", doc="communities per street office (grand-mediation unit)"
    )
    courtyards_per_community: float = param(
        20.8,
        1,
        500,
        unit="courtyards",
        doc="mean residential courtyards per community",
        source=f"{SEED_SOURCE}: 13,595 courtyards / 654 communities",
    )
    buildings_per_courtyard: float = param(
        6.0, 1, 100, unit="buildings", doc="mean buildings (units) per courtyard"
    )
    households_per_building: float = param(
        8.0, 1, 500, unit="households", doc="mean households per building"
    )
    household_size: float = param(
        2.6,
        1,
        10,
        unit="residents",
        doc="mean residents per household (1 + Poisson)",
        source="China 2010 census, urban mean household size ~2.6",
    )
    floating_share: float = param(
        0.3, 0, 0.95, unit="share", doc="share of residents who are floating (not registered)"
    )
    party_member_share: float = param(
        0.07,
        0,
        1,
        unit="share",
        doc="share of adults who are party members (rises with age)",
        source="CPC membership ~6.5% of the population (2013)",
    )
    neighbour_ties: int = param(
        4, 0, 40, unit="ties", doc="mean neighbour ties per resident inside a courtyard (even)"
    )
    tie_rewiring: float = param(
        0.05, 0, 1, unit="probability", doc="Watts-Strogatz rewiring of courtyard ties"
    )
    bridge_ties: float = param(
        0.3, 0, 10, unit="ties", doc="mean ties per resident to random residents elsewhere"
    )
    initial_grievance: float = param(
        0.2, 0, 1, unit="0-1", doc="mean initial grievance (Beta, concentration 10)"
    )
    initial_trust: float = param(
        0.5, 0, 1, unit="0-1", doc="mean initial trust in every institution (Beta, conc. 10)"
    )
    floating_trust_gap: float = param(
        0.1, 0, 1, unit="0-1", doc="how much lower floating residents' initial trust is"
    )


# ------------------------------------------------------------------------ disputes


@dataclass
class DisputeKind:
    share: float = param(0.2, 0, 1, unit="share", doc="share of resident-initiated disputes")
    severity: float = param(0.3, 0.01, 0.99, unit="0-1", doc="mean severity (Beta, conc. 6)")
    petition_bias: float = param(
        1.0, 0, 10, unit="multiplier", doc="multiplier on the petition exit for this kind"
    )


def _kind(share: float, severity: float, petition_bias: float = 1.0) -> Any:
    return field(default_factory=lambda: DisputeKind(share, severity, petition_bias))


@dataclass
class DisputeConfig:
    base_rate: float = param(
        0.0004,
        0,
        0.1,
        unit="disputes/resident/week",
        doc="resident-initiated dispute rate at mean density, registered, zero grievance",
        source="assumption; ~2% of residents a year, of which ~1/3 reach people's mediation",
    )
    property_rate: float = param(
        0.01,
        0,
        5,
        unit="disputes/courtyard/week",
        doc="rate of disputes over shared courtyard property and management",
    )
    density_effect: float = param(
        0.5, 0, 5, unit="per relative density", doc="extra rate per unit of relative crowding"
    )
    floating_effect: float = param(
        0.5, 0, 5, unit="multiplier", doc="extra rate for floating residents"
    )
    grievance_effect: float = param(
        2.0, 0, 20, unit="per grievance", doc="extra rate per unit of grievance"
    )
    severity_grievance: float = param(
        0.3, 0, 1, unit="per grievance", doc="severity added per unit of initiator grievance"
    )
    grievance_decay: float = param(
        0.02, 0, 1, unit="per week", doc="share of grievance above baseline that fades per week"
    )
    neighbour: DisputeKind = _kind(0.35, 0.25)
    family: DisputeKind = _kind(0.25, 0.3, 0.3)
    labour: DisputeKind = _kind(0.15, 0.45, 1.5)
    civil: DisputeKind = _kind(0.15, 0.35)
    relocation: DisputeKind = _kind(0.10, 0.6, 3.0)
    property: DisputeKind = _kind(0.0, 0.35, 1.0)


DISPUTE_KINDS: tuple[str, ...] = (
    "neighbour",
    "family",
    "labour",
    "civil",
    "relocation",
    "property",
)


# ----------------------------------------------------------------------- mediation


@dataclass
class TierConfig:
    servers: float = param(1.0, 0, 10000, unit="servers per unit", doc="mediators or judges")
    service_mean: float = param(2.0, 0.01, 520, unit="weeks", doc="mean service time")
    service_dist: ServiceDist = param(
        ServiceDist.exponential, unit="choice", doc="service-time distribution"
    )
    service_cv: float = param(
        1.0, 0, 5, unit="ratio", doc="coefficient of variation (gamma/lognormal only)"
    )
    discipline: Discipline = param(Discipline.fifo, unit="choice", doc="queue discipline")
    success: float = param(
        0.7, 0.0, 1.0, unit="probability", doc="success chance at severity 0.5 and trust 0.5"
    )
    severity_effect: float = param(
        3.0, 0, 20, unit="logit per severity", doc="how severity lowers success"
    )
    trust_effect: float = param(2.0, 0, 20, unit="logit per trust", doc="how trust raises success")


def _tier(**kw: Any) -> Any:
    return field(default_factory=lambda: TierConfig(**kw))


@dataclass
class MediationConfig:
    self_settle: TierConfig = _tier(
        servers=0, service_mean=1.0, success=0.45, severity_effect=4.0, trust_effect=0.5
    )
    courtyard: TierConfig = _tier(servers=1, service_mean=1.0, success=0.75)
    community: TierConfig = _tier(servers=2, service_mean=2.0, success=0.8)
    grand: TierConfig = _tier(servers=4, service_mean=3.0, success=0.8)
    litigation: TierConfig = _tier(
        servers=6, service_mean=12.0, success=0.9, severity_effect=1.0, trust_effect=1.0
    )
    petition: TierConfig = _tier(servers=2, service_mean=8.0, success=0.3, severity_effect=2.0)
    early_bonus: float = param(
        0.8, 0, 5, unit="logit", doc="success bonus for an early-detected dispute at every tier"
    )
    escalate_share: float = param(
        0.75, 0, 1, unit="probability", doc="after a failure, chance of escalating (else exit)"
    )
    petition_exit: float = param(
        0.08,
        0,
        1,
        unit="probability",
        doc="after a failure, chance of petitioning at zero grievance",
    )
    petition_grievance: float = param(
        3.0, 0, 50, unit="per grievance", doc="extra petition chance per unit grievance (x)"
    )
    bypass: float = param(
        0.01, 0, 1, unit="probability", doc="chance at entry of petitioning directly, per grievance"
    )
    abandon_grievance: float = param(
        0.15, 0, 1, unit="0-1", doc="grievance added to the initiator when a dispute is abandoned"
    )
    resolve_relief: float = param(
        0.1, 0, 1, unit="0-1", doc="grievance removed when a dispute is resolved"
    )
    trust_learning: float = param(
        0.1, 0, 1, unit="rate", doc="trust moves this far toward 1 (success) or 0 (failure)"
    )


TIERS: tuple[str, ...] = (
    "self_settle",
    "courtyard",
    "community",
    "grand",
    "litigation",
    "petition",
)
LADDER: tuple[str, ...] = TIERS[:5]
TIER_UNITS: dict[str, str] = {
    "self_settle": "dispute",
    "courtyard": "courtyard",
    "community": "community",
    "grand": "street",
    "litigation": "city",
    "petition": "city",
}


# -------------------------------------------------------------------------- policy


@dataclass
class PartyConfig:
    community_coverage: float = param(
        1.0, 0, 1, unit="share", doc="communities with a party committee or general branch"
    )
    courtyard_coverage: float = param(0.9, 0, 1, unit="share", doc="courtyards with a party branch")
    building_coverage: float = param(
        0.8,
        0,
        1,
        unit="share",
        doc="buildings with a party group (unit branch)",
        source=f"{SEED_SOURCE}: 'full coverage' of party organisation at three levels",
    )
    building_detection: float = param(
        0.35, 0, 1, unit="probability", doc="chance a building party group spots a dispute early"
    )


@dataclass
class GridConfig:
    workers_per_10k: float = param(
        8.0,
        0,
        200,
        unit="workers/10,000 residents",
        doc="grid workers (grid-based management)",
        source=f"{SEED_SOURCE}: grid management by mass prevention; density assumption",
    )
    detection: float = param(
        0.6, 0, 1, unit="probability", doc="detection chance at saturating grid density"
    )
    saturation: float = param(
        10.0, 0.1, 200, unit="workers/10,000", doc="grid density giving 63% of max detection"
    )


@dataclass
class PolicyConfig:
    party: PartyConfig = group(PartyConfig, doc="three-level party organisation")
    grid: GridConfig = group(GridConfig, doc="grid management")
    latent_weeks: float = param(
        4.0, 0, 104, unit="weeks", doc="mean delay before an undetected dispute enters the ladder"
    )
    festering: float = param(
        0.15, 0, 1, unit="0-1", doc="severity added while an undetected dispute festers"
    )
    early_relief: float = param(
        0.2, 0, 1, unit="share", doc="share of severity removed by early detection"
    )


# -------------------------------------------------------------------------- output


@dataclass
class OutputConfig:
    panel_interval: int = param(
        4, 1, 10000, unit="weeks", doc="interval of the per-community panel"
    )
    progress: bool = param(True, unit="flag", doc="show a progress bar")
    plot: bool = param(True, unit="flag", doc="write the quick-look PNG")


# ---------------------------------------------------------------------------- root


@dataclass
class SimConfig:
    seed: int = param(0, 0, 2**63 - 1, unit="integer", doc="the run's seed")
    steps: int = param(260, 1, 100000, unit="weeks", doc="weeks simulated")
    scenario: str = param("chengdu_2014", unit="name", doc="scenario name (set by the scenario)")
    description: str = param("", unit="text", doc="what the scenario represents")
    basis: str = param("", unit="text", doc="the scenario's empirical basis")
    world: WorldConfig = group(WorldConfig, doc="the city and its residents (uncertainty)")
    disputes: DisputeConfig = group(DisputeConfig, doc="how disputes arise (uncertainty)")
    mediation: MediationConfig = group(MediationConfig, doc="the dispute ladder (levers)")
    policy: PolicyConfig = group(PolicyConfig, doc="governance policy (levers)")
    output: OutputConfig = group(OutputConfig, doc="what a run records")


# ---------------------------------------------------------------------- validation


def validate(cfg: SimConfig) -> SimConfig:
    """Check ranges and cross-field rules; raise ConfigError with a one-line fix."""
    check_ranges(cfg)
    shares = sum(getattr(cfg.disputes, k).share for k in DISPUTE_KINDS)
    if shares <= 0:
        raise ConfigError(
            "disputes.*.share sum to 0: give at least one dispute kind a positive share"
        )
    if cfg.world.neighbour_ties % 2:
        raise ConfigError(
            f"world.neighbour_ties={cfg.world.neighbour_ties} must be even "
            "(each tie joins two residents); use an even number"
        )
    return cfg


def to_dict(cfg: Any) -> dict[str, Any]:
    """Plain JSON-ready dict (enums become their values)."""

    def conv(v: Any) -> Any:
        if isinstance(v, enum.Enum):
            return v.value
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v

    out: dict[str, Any] = conv(asdict(cfg))
    return out


def config_hash(cfg: SimConfig, *, include_seed: bool = False) -> str:
    """Stable 12-hex hash of the resolved config (seed excluded: it names the variant)."""
    d = to_dict(cfg)
    if not include_seed:
        d.pop("seed", None)
    d.get("output", {}).pop("progress", None)
    blob = json.dumps(d, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


def flatten(cfg: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted-name view of a config tree (`world.communities` -> 20)."""
    out: dict[str, Any] = {}
    for f in fields(cfg):
        v = getattr(cfg, f.name)
        if is_dataclass(v) and not isinstance(v, type):
            out.update(flatten(v, f"{prefix}{f.name}."))
        elif isinstance(v, enum.Enum):
            out[f"{prefix}{f.name}"] = v.value
        else:
            out[f"{prefix}{f.name}"] = v
    return out
