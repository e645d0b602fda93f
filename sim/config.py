"""The configuration schema: every parameter, its type, unit, range, default and source.

One step is one week. Plain dataclasses: the model never sees Hydra or OmegaConf. Hydra
composes YAML against this schema (registered in `sim.cli`); `load_config` gives the same
result without Hydra for the Python API. World conditions (uncertainties: `world`,
`disputes`) are kept apart from levers (`policy`, `mediation` capacity) in the EMA sense.
"""

from __future__ import annotations

import copy
import enum
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any, get_type_hints

from sim.params import ConfigError, check_ranges, group, param

SEED_SOURCE = "Social Governance Innovation Development Report (2014), Chengdu chapter"
CHENGDU_CENSUS_2020 = (
    "Chengdu Municipal Bureau of Statistics, Communique of the Seventh National Population "
    "Census of Chengdu (No. 1, 26 May 2021), which restates the 2010 census figures"
)
CHENGDU_HOUSEHOLD = (
    f"2.71 persons per family household in 2010 ({CHENGDU_CENSUS_2020}), less the children "
    "(see world.children_per_household): 2.336 adults"
)
CHENGDU_CHILDREN = (
    f"under-18 share 13.8%: 0-14 share 11.50% in 2010 ({CHENGDU_CENSUS_2020}: 13.28% in "
    "2020, 1.78 points up on 2010), ages 15-17 assumed as populous as an average year of 0-14"
)


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
        20,
        1,
        20000,
        unit="communities",
        doc="urban communities simulated (the size knob)",
        role="control",
    )
    communities_per_street: int = param(
        10,
        1,
        200,
        unit="communities",
        doc="communities per street office (the unit of hubs and of the street budget)",
        role="control",
    )
    courtyards_per_community: float = param(
        20.7875,
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
        2.2,
        1,
        10,
        unit="adults",
        doc="mean adults (18+) per household (1 + Poisson); adults are the resident agents",
        source="assumption (adults of a household of ~2.6 persons); chengdu_city uses "
        f"{CHENGDU_HOUSEHOLD}",
    )
    children_per_household: float = param(
        0.35,
        0,
        10,
        unit="children",
        doc="mean children (under 18) per household (Poisson); people, not agents: they count "
        "in Population.people and per-community people, not in the resident arrays",
        source=f"{CHENGDU_CHILDREN}; 0.35 = 2.2 adults x 0.138 / (1 - 0.138)",
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
    resident_agents: bool = param(
        True,
        unit="flag",
        doc="create a Mesa Resident view per resident (off for huge worlds)",
        role="control",
    )
    initial_trust: float = param(
        0.5,
        0,
        1,
        unit="0-1",
        doc="mean initial trust of registered residents in every institution (Beta, conc. "
        "10); floating residents start at the newcomers' trust (migration.newcomer_trust)",
    )


# ------------------------------------------------------------------------ disputes


@dataclass
class DisputeKind:
    share: float = param(
        0.2,
        0,
        1,
        unit="share",
        doc="share of resident-initiated disputes (unused for property: see property_rate)",
    )
    severity: float = param(
        0.3, 0.01, 0.99, unit="0-1", doc="mean severity (Beta, see severity_concentration)"
    )
    petition_bias: float = param(
        1.0, 0, 10, unit="multiplier", doc="multiplier on the petition exit for this kind"
    )


def _kind(share: float, severity: float, petition_bias: float = 1.0) -> Any:
    return field(default_factory=lambda: DisputeKind(share, severity, petition_bias))


@dataclass
class DisputeConfig:
    base_rate: float = param(
        0.00035,
        0,
        0.1,
        unit="disputes/resident/week",
        doc="resident-initiated dispute rate at mean density, registered, zero grievance",
        source="assumption; ~2% of residents a year, of which ~1/3 reach people's mediation",
    )
    severity_concentration: float = param(
        6.0, 0.1, 1000, unit="-", doc="concentration of the Beta severity draw (higher: tighter)"
    )
    issue_rate: float = param(
        0.02,
        0,
        5,
        unit="issues/courtyard/week",
        doc="collective issues (repairs, property, space, safety) at zero grievance; the rate "
        "is multiplied by (1 + mean courtyard grievance)",
    )
    community_issue_share: float = param(
        0.3,
        0,
        1,
        unit="share",
        doc="collective issues that concern the whole community (shared space, safety), put to "
        "the community council; the rest concern one courtyard",
    )
    issue_patience: float = param(
        12.0,
        0.1,
        520,
        unit="weeks",
        doc="mean weeks before an unresolved issue turns into a dispute",
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
    labour: DisputeKind = _kind(0.15, 0.6, 1.5)
    civil: DisputeKind = _kind(0.15, 0.35)
    relocation: DisputeKind = _kind(0.10, 0.7, 3.0)
    property: DisputeKind = _kind(0.0, 0.5, 1.0)


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
    servers: float = param(
        1.0,
        0,
        10000,
        unit="servers per unit",
        doc="mediators, judges or officers per unit (courtyard, community; per 100,000 people "
        "for each grand-mediation centre and for the city's court and petition office; unused "
        "for self-settlement, which is infinite-server)",
        role="lever",
    )
    service_mean: float = param(2.0, 0.01, 520, unit="weeks", doc="mean service time")
    service_dist: ServiceDist = param(
        ServiceDist.exponential, unit="choice", doc="service-time distribution"
    )
    service_cv: float = param(
        1.0, 0, 5, unit="ratio", doc="coefficient of variation (gamma/lognormal only)"
    )
    discipline: Discipline = param(
        Discipline.fifo, unit="choice", doc="queue discipline", role="lever"
    )
    skill: float = param(
        0.0,
        -10,
        10,
        unit="logit",
        doc="settlement log-odds for a dispute of severity 0.5 between parties who trust the "
        "institution at 0.5, caught late, with no queue (not a success rate: the rate emerges "
        "from the disputes, trust, detection and load the tier meets)",
    )
    severity_effect: float = param(
        3.0, 0, 20, unit="logit per severity", doc="how severity lowers settlement"
    )
    trust_effect: float = param(
        2.0, 0, 20, unit="logit per trust", doc="how the parties' mean trust raises settlement"
    )
    load_effect: float = param(
        0.5,
        0,
        10,
        unit="logit per log(1 + queue/server)",
        doc="how a long queue lowers settlement (hurried mediators): z -= effect x "
        "log(1 + disputes waiting per server when the dispute starts)",
    )
    patience: float = param(
        26.0,
        0.1,
        1e6,
        unit="weeks",
        doc="mean time a party waits in this tier's queue before giving up (exponential; "
        "unused for self-settlement)",
    )


def _tier(**kw: Any) -> Any:
    return field(default_factory=lambda: TierConfig(**kw))


@dataclass
class MediationConfig:
    self_settle: TierConfig = _tier(
        servers=0, service_mean=1.0, skill=-0.2, severity_effect=4.0, trust_effect=0.5
    )
    courtyard: TierConfig = _tier(
        servers=1.0, service_mean=1.0, skill=3.0, severity_effect=5.0, patience=8.0
    )
    community: TierConfig = _tier(
        servers=2.0, service_mean=2.0, skill=3.2, severity_effect=5.0, patience=12.0
    )
    grand: TierConfig = _tier(
        servers=6.0, service_mean=2.0, skill=1.8, severity_effect=5.0, patience=26.0
    )
    litigation: TierConfig = _tier(
        servers=25,
        service_mean=12.0,
        skill=2.2,
        severity_effect=1.0,
        trust_effect=1.0,
        load_effect=0.0,
        patience=104.0,
    )
    petition: TierConfig = _tier(
        servers=12.0, service_mean=4.0, skill=-0.8, severity_effect=2.0, patience=26.0
    )
    early_bonus: float = param(
        0.8, 0, 5, unit="logit", doc="settlement bonus for an early-detected dispute at every tier"
    )
    escalate_share: float = param(
        0.85, 0, 1, unit="probability", doc="after a failure, chance of escalating (else exit)"
    )
    direct_litigation: float = param(
        0.3,
        0,
        1,
        unit="probability",
        doc="of those escalating after a failed mediation, the chance of suing directly",
    )
    petition_exit: float = param(
        0.04,
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
    renege_grievance: float = param(
        0.1,
        0,
        1,
        unit="0-1",
        doc="grievance added to the initiator who gives up waiting in a queue (before what "
        "they do next)",
    )
    renege_litigation: float = param(
        0.1,
        0,
        1,
        unit="probability",
        doc="chance that a party who gives up waiting for mediation sues (if not petitioning)",
    )
    police_referral: float = param(
        0.05,
        0,
        1,
        unit="probability per severity",
        doc="chance per unit severity that a dispute reaches the police (110) and is referred "
        "to the public-security mediation centre instead of the parties' own settlement "
        "(公调对接); only where that centre has mediators",
    )
    court_referral: float = param(
        0.5,
        0,
        1,
        unit="probability",
        doc="chance the court refers a new lawsuit to its pre-litigation mediation centre "
        "(诉调对接) before hearing it; only where that centre has mediators",
    )
    petition_referral: float = param(
        0.3,
        0,
        1,
        unit="probability",
        doc="chance the petition office refers a petitioner to its mediation centre (访调对接) "
        "before handling the petition itself; only where that centre has mediators",
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
    "grand": "centre",
    "litigation": "city",
    "petition": "city",
}
GRAND_CENTRES: tuple[str, ...] = (
    "judicial_bureau",
    "legal_affairs_office",
    "intermediate_court",
    "public_security_bureau",
    "petition_bureau",
)
"""The five people's-mediation centres of the city's grand mediation (seed section 二.2):
at the judicial bureau, the legal affairs office, the intermediate court, the public
security bureau and the petition bureau."""


# -------------------------------------------------------------------------- policy


@dataclass
class PartyConfig:
    community_coverage: float = param(
        1.0, 0, 1, unit="share", doc="communities with a party committee or general branch"
    )
    courtyard_coverage: float = param(1.0, 0, 1, unit="share", doc="courtyards with a party branch")
    building_coverage: float = param(
        0.9,
        0,
        1,
        unit="share",
        doc="buildings with a party group (unit branch)",
        source=f"{SEED_SOURCE}: 'full coverage' of party organisation at three levels",
    )
    building_detection: float = param(
        0.35,
        0,
        1,
        unit="probability",
        doc="chance a building party group spots a dispute early",
        role="behaviour",
    )


@dataclass
class GridConfig:
    workers_per_10k: float = param(
        10.0,
        0,
        200,
        unit="workers/10,000 people",
        doc="grid workers (grid-based management)",
        source=f"{SEED_SOURCE}: grid management by mass prevention; density assumption",
    )
    detection: float = param(
        0.6,
        0,
        1,
        unit="probability",
        doc="detection chance at saturating grid density",
        role="behaviour",
    )
    saturation: float = param(
        10.0,
        0.1,
        200,
        unit="workers/10,000 people",
        doc="grid density giving 63% of max detection",
        role="behaviour",
    )


class CouncilLevel(enum.StrEnum):
    none = "none"
    community = "community"
    courtyard = "courtyard"
    both = "both"


@dataclass
class CouncilConfig:
    level: CouncilLevel = param(
        CouncilLevel.both,
        unit="choice",
        doc="where deliberation councils (议事会) sit: none, community, courtyard or both",
        source=f"{SEED_SOURCE}: councils at community or courtyard level; all 654 communities",
    )
    coverage: float = param(
        1.0, 0, 1, unit="share", doc="share of units that have a council (pilot share)"
    )
    quorum: float = param(
        0.02,
        0,
        1,
        unit="share of residents",
        doc="participation events in the unit over the last participation.recent_weeks weeks, "
        "per resident, that a council needs to meet",
    )
    decision_weeks: float = param(
        3.0,
        0.1,
        104,
        unit="weeks",
        doc="mean time from quorate meeting to decision",
        role="behaviour",
    )
    success: float = param(
        0.6,
        0,
        1,
        unit="probability",
        doc="chance a decision is carried out, at reference inputs",
        role="behaviour",
    )
    participation_effect: float = param(
        20.0,
        0,
        200,
        unit="logit per share",
        doc="success gain per share of recent participants",
        role="behaviour",
    )
    representativeness_effect: float = param(
        1.0,
        0,
        10,
        unit="logit",
        doc="success gain of a council whose participants mirror residents",
        role="behaviour",
    )
    party_steering: float = param(
        0.5,
        0,
        5,
        unit="logit",
        doc="success gain where a party branch steers the council",
        role="behaviour",
    )
    resources_effect: float = param(
        0.8,
        0,
        5,
        unit="logit per budget ratio",
        doc="success gain per public-service budget ratio",
        role="behaviour",
    )
    committee_success: float = param(
        0.35,
        0,
        1,
        unit="probability",
        doc="chance the residents' committee alone carries out an issue",
        role="behaviour",
    )
    committee_weeks: float = param(
        8.0,
        0.1,
        104,
        unit="weeks",
        doc="mean time for the committee to act on an issue alone",
        role="behaviour",
    )
    legitimacy_learning: float = param(
        0.05,
        0,
        1,
        unit="rate",
        doc="legitimacy moves this share toward 1 (done) or 0 (failed)",
        role="behaviour",
    )


@dataclass
class SocialOrgConfig:
    founding_rate: float = param(
        0.126,
        0,
        50,
        unit="organisations/10,000 people/year",
        doc="organisations founded without incubation support; with failures under funding "
        "it sets the density that emerges (no density is imposed)",
        role="behaviour",
    )
    group_share: float = param(
        0.368,
        0,
        1,
        unit="share",
        doc="social groups among new non-hub organisations (rest: private non-enterprise units)",
        source=f"{SEED_SOURCE}: 2,597 social groups : 4,462 private non-enterprise units",
        role="world",
    )
    hubs_per_street: int = param(
        3, 0, 20, unit="organisations", doc="hub organisations (union, youth league, women's fed.)"
    )
    hub_span: float = param(
        4.0,
        0,
        1000,
        unit="organisations/hub",
        doc="organisations one hub can link, guide and serve as a platform for; the linked "
        "share in a street is min(1, hubs x span / organisations)",
        role="behaviour",
    )
    incubation: float = param(
        1.0,
        0,
        10,
        unit="multiplier",
        doc="extra founding from the incubation park, registration reform and guidance "
        "catalogue: founding x (1 + incubation)",
        source=f"{SEED_SOURCE}: incubation park, registration reform, guidance catalogue",
    )
    failure: float = param(
        0.003,
        0,
        1,
        unit="per week",
        doc="failure hazard of an unfunded organisation",
        role="behaviour",
    )
    funding_protection: float = param(
        0.7,
        0,
        1,
        unit="share",
        doc="failure hazard removed by full purchased-service funding",
        role="behaviour",
    )
    hub_protection: float = param(
        0.3,
        0,
        1,
        unit="share",
        doc="failure hazard removed for an organisation a hub links",
        role="behaviour",
    )
    members: float = param(
        25.0,
        0,
        1000,
        unit="residents",
        doc="mean members recruited at founding (in its community)",
        role="behaviour",
    )
    member_ties: float = param(
        2.0,
        0,
        20,
        unit="ties",
        doc="new ties per member among co-members (even: ring)",
        role="behaviour",
    )
    service_relief: float = param(
        0.002,
        0,
        1,
        unit="grievance/week",
        doc="grievance removed per week per org per 1,000 residents",
        role="behaviour",
    )
    service_trust: float = param(
        0.002,
        0,
        1,
        unit="trust/week",
        doc="trust in government gained per org per 1,000 residents",
        role="behaviour",
    )
    mobilisation: float = param(
        0.3,
        0,
        5,
        unit="logit per org/1,000",
        doc="participation boost per org per 1,000 residents",
        role="behaviour",
    )
    mediating_share: float = param(
        0.15,
        0,
        1,
        unit="share",
        doc="private non-enterprise units that offer mediation",
        role="behaviour",
    )
    mediators: float = param(
        1.0,
        0,
        20,
        unit="servers",
        doc="community-tier mediators a mediating organisation adds",
        role="behaviour",
    )
    weekly_cost: float = param(
        1000.0, 0, 1e6, unit="yuan/week", doc="running cost of one organisation", role="world"
    )
    foundation_grants: float = param(
        0.1,
        0,
        1,
        unit="share of cost",
        doc="running cost covered by foundation grants",
        source=f"{SEED_SOURCE}: social organisation development foundation",
    )


@dataclass
class GovernmentConfig:
    budget: float = param(
        3.0,
        0,
        1000,
        unit="yuan/resident/week",
        doc="street office budget (assumption)",
        role="world",
    )
    public_service_share: float = param(
        0.6,
        0,
        1,
        unit="share",
        doc="budget share for public service and social management (the rest: economic work)",
        source=f"{SEED_SOURCE}: street offices stripped of economic functions (职能归位)",
    )
    purchase_share: float = param(
        0.2, 0, 1, unit="share", doc="share of public-service budget buying services from orgs"
    )
    reference_service: float = param(
        1.5,
        0.01,
        1000,
        unit="yuan/resident/week",
        doc="public-service spend giving ratio 1",
        role="behaviour",
    )
    grid_wage: float = param(
        800.0, 0, 1e5, unit="yuan/week", doc="cost of one grid worker", role="world"
    )
    mediator_wage: float = param(
        600.0, 0, 1e5, unit="yuan/week", doc="cost of one mediator", role="world"
    )
    petition_cost: float = param(
        5000.0,
        0,
        1e7,
        unit="yuan/petition",
        doc="cost to government of handling a petition",
        role="world",
    )
    litigation_cost: float = param(
        3000.0, 0, 1e7, unit="yuan/case", doc="public cost of a court case", role="world"
    )


@dataclass
class OnlineConfig:
    monitoring: float = param(
        0.8,
        0,
        1,
        unit="probability",
        doc="chance per week that monitoring flags an online resident above the warning level",
        source=f"{SEED_SOURCE}: online opinion monitoring, early warning, two-level response",
    )
    warning_level: float = param(
        0.3,
        0,
        1,
        unit="0-1",
        doc="grievance that triggers an early warning and a response",
    )
    posting: float = param(
        0.15,
        0,
        1,
        unit="per week",
        doc="chance per week that an online resident with a festering (undetected) dispute posts "
        "about it; monitoring finds a post with chance `monitoring`, and the dispute is "
        "followed up offline and enters the ladder at once, caught early (网上发现、落地查人)",
        role="behaviour",
    )
    response_relief: float = param(
        0.2,
        0,
        1,
        unit="0-1",
        doc="grievance removed by the response to a warning",
        role="behaviour",
    )
    response_cost: float = param(
        200.0, 0, 1e6, unit="yuan/response", doc="cost of a response", role="world"
    )


@dataclass
class FloatingPolicyConfig:
    classified: bool = param(
        True,
        unit="flag",
        doc="classified management of floating residents (routine, key, high-risk)",
        source=f"{SEED_SOURCE}: four-level system; 'routine, key, high-risk' classes",
    )
    registration_lag: float = param(
        4.0, 0, 520, unit="weeks", doc="mean lag before a newcomer is registered, when managed"
    )
    key_share: float = param(
        0.1,
        0,
        1,
        unit="share",
        doc="registered floating residents classed as 'key' (重点人员): those with the highest "
        "grievance, ranked each week",
    )
    high_risk_share: float = param(
        0.02,
        0,
        1,
        unit="share",
        doc="registered floating residents classed as 'high-risk' (高危人群, tracked): the top "
        "of the same ranking",
    )
    key_detection: float = param(
        0.3,
        0,
        1,
        unit="probability",
        doc="extra early-detection chance for key (and high-risk) residents' disputes",
        role="behaviour",
    )
    tracking_relief: float = param(
        0.01,
        0,
        1,
        unit="grievance/week",
        doc="grievance removed each week from a tracked (high-risk) resident by follow-up visits",
        source=f"{SEED_SOURCE}: 高危人群跟踪管 (high-risk people are tracked); size an assumption",
        role="behaviour",
    )


@dataclass
class PolicyConfig:
    party: PartyConfig = group(PartyConfig, doc="three-level party organisation")
    grid: GridConfig = group(GridConfig, doc="grid management")
    councils: CouncilConfig = group(CouncilConfig, doc="deliberation councils")
    social_orgs: SocialOrgConfig = group(SocialOrgConfig, doc="social organisations")
    government: GovernmentConfig = group(GovernmentConfig, doc="street office budget")
    online: OnlineConfig = group(OnlineConfig, doc="online opinion monitoring")
    floating: FloatingPolicyConfig = group(FloatingPolicyConfig, doc="floating population")
    latent_weeks: float = param(
        4.0,
        0,
        104,
        unit="weeks",
        doc="mean delay before an undetected dispute enters the ladder",
        role="behaviour",
    )
    festering: float = param(
        0.15,
        0,
        1,
        unit="0-1",
        doc="severity added while an undetected dispute festers",
        role="behaviour",
    )
    early_relief: float = param(
        0.2,
        0,
        1,
        unit="share",
        doc="share of severity removed by early detection",
        role="behaviour",
    )


# ----------------------------------------------------------------------- behaviour


@dataclass
class ParticipationConfig:
    intercept: float = param(
        -7.3, -20, 5, unit="logit/week", doc="weekly participation log-odds at reference values"
    )
    propensity_effect: float = param(
        2.0, 0, 20, unit="logit per propensity", doc="weight of the personal propensity"
    )
    efficacy_effect: float = param(
        1.5, 0, 20, unit="logit", doc="weight of efficacy (legitimacy of one's council)"
    )
    no_council_efficacy: float = param(
        0.3, 0, 1, unit="0-1", doc="efficacy where neither courtyard nor community has a council"
    )
    trust_effect: float = param(
        1.0, 0, 20, unit="logit", doc="weight of trust in the committee/council"
    )
    age_effect: float = param(
        0.6,
        0,
        5,
        unit="logit per decade",
        doc="older residents take part more",
        source="assumption, calibrated: the SUNS age gradient is a target "
        "(sim/calibration.py), not an input",
    )
    party_effect: float = param(
        0.5,
        0,
        5,
        unit="logit",
        doc="party members take part more",
        source="assumption, calibrated: the SUNS party gap is a target "
        "(sim/calibration.py), not an input",
    )
    floating_effect: float = param(
        -0.8, -10, 0, unit="logit", doc="floating residents take part less"
    )
    unregistered_effect: float = param(
        -1.0, -10, 0, unit="logit", doc="floating residents not yet registered take part less still"
    )
    time_cost: float = param(
        0.0, 0, 5, unit="logit", doc="cost of time for working-age residents (18-59)"
    )
    party_mobilisation: float = param(
        0.4, 0, 5, unit="logit", doc="boost where a building party group mobilises"
    )
    peer_effect: float = param(
        3.0, 0, 50, unit="logit per share", doc="boost per share of ties who took part recently"
    )
    recent_weeks: int = param(
        4, 1, 52, unit="weeks", doc="window for 'took part recently' (peer effect, quorum)"
    )
    window_weeks: int = param(
        52,
        1,
        520,
        unit="weeks",
        doc="window of the participation rate (took part at least once)",
        source="survey questions ask about the past year",
    )


@dataclass
class TrustConfig:
    interval: int = param(4, 1, 52, unit="weeks", doc="how often trust/grievance spread on ties")
    diffusion: float = param(
        0.1, 0, 1, unit="share", doc="share of the gap to neighbours' mean closed per spread"
    )
    grievance_diffusion: float = param(
        0.05, 0, 1, unit="share", doc="as `diffusion`, for grievance"
    )
    trust_decay: float = param(
        0.01,
        0,
        1,
        unit="per week",
        doc="share of the gap to a resident's own resting trust (their draw at build or on "
        "arrival) closed each week",
    )
    legitimacy_pull: float = param(
        0.05, 0, 1, unit="share/week", doc="trust in the council moves toward its legitimacy"
    )
    issue_relief: float = param(
        0.05, 0, 1, unit="0-1", doc="grievance removed in a courtyard when an issue is carried out"
    )
    issue_grievance: float = param(
        0.05, 0, 1, unit="0-1", doc="grievance added in a courtyard when an issue is left to fester"
    )
    online_share: float = param(
        0.4, 0, 1, unit="share", doc="residents active in online discussion"
    )
    online_contacts: float = param(
        0.2, 0, 10, unit="contacts/week", doc="online encounters per online resident per week"
    )
    confidence_bound: float = param(
        0.25,
        0,
        1,
        unit="0-1",
        doc="bounded confidence: only opinions closer than this converge",
        source="Deffuant et al. (2000) bounded-confidence model",
    )
    convergence: float = param(0.3, 0, 0.5, unit="share", doc="how far an encounter moves each")


@dataclass
class MigrationConfig:
    turnover: float = param(
        0.004,
        0,
        0.5,
        unit="per week",
        doc="chance a floating resident leaves each week (replaced by a newcomer)",
    )
    registration_lag: float = param(
        26.0, 0, 520, unit="weeks", doc="mean lag before a newcomer is registered, unmanaged"
    )
    integration_weeks: float = param(
        26.0, 0.1, 520, unit="weeks", doc="weeks for a newcomer's ties to reach full strength"
    )
    newcomer_trust: float = param(
        0.35, 0, 1, unit="0-1", doc="mean trust of a newcomer in every institution"
    )


@dataclass
class PropertyConfig:
    """Property-management companies (物业) of commodity-housing estates; old courtyards
    (老旧院落) have none and residents' self-governance (院落自治) takes their repairs."""

    commodity_share: float = param(
        0.6,
        0,
        1,
        unit="share of courtyards",
        doc="courtyards that are commodity-housing estates served by a property-management "
        "company (the rest are old courtyards without one)",
    )
    management: bool = param(
        True,
        unit="flag",
        doc="property-management companies serve the commodity estates (false: no company "
        "anywhere, every courtyard governs its own repairs)",
        role="lever",
    )
    service_mean: float = param(
        0.35,
        0,
        1,
        unit="per week",
        doc="mean over companies of the weekly chance a company completes a repair or "
        "management issue it holds (each company's own chance ~ Beta around it)",
        role="behaviour",
    )
    service_concentration: float = param(
        8.0,
        0.1,
        1000,
        unit="-",
        doc="concentration (a + b) of the Beta of companies' service chances: lower, more "
        "unequal companies",
        role="behaviour",
    )
    satisfaction_learning: float = param(
        0.05,
        0,
        1,
        unit="per outcome",
        doc="how far residents' satisfaction with their company moves toward 1 after a "
        "completed repair and toward 0 after a week it failed to deliver",
        role="behaviour",
    )
    grievance_effect: float = param(
        0.004,
        0,
        0.1,
        unit="per week",
        doc="weekly grievance change of an estate's residents per unit of satisfaction "
        "below one half (raised when dissatisfied, relieved when satisfied)",
        role="behaviour",
    )


@dataclass
class Reform:
    step: int = param(0, 0, 100000, unit="week", doc="week the reform switches on")
    label: str = param("", unit="text", doc="what the reform is")
    set: dict[str, Any] = param({}, unit="dotted overrides", doc="parameters it changes")


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
    steps: int = param(260, 1, 100000, unit="weeks", doc="weeks simulated and recorded")
    burn_in: int = param(
        104,
        0,
        5200,
        unit="weeks",
        doc="weeks simulated before week 0 and not recorded, so outputs start from the "
        "model's steady state; timeline reforms count from week 0",
    )
    scenario: str = param("chengdu_2014", unit="name", doc="scenario name (set by the scenario)")
    description: str = param("", unit="text", doc="what the scenario represents")
    basis: str = param("", unit="text", doc="the scenario's empirical basis")
    world: WorldConfig = group(
        WorldConfig, doc="the city and its residents (world conditions)", role="world"
    )
    disputes: DisputeConfig = group(
        DisputeConfig, doc="how disputes arise (world conditions)", role="world"
    )
    mediation: MediationConfig = group(
        MediationConfig, doc="the dispute ladder (capacity: levers)", role="behaviour"
    )
    policy: PolicyConfig = group(PolicyConfig, doc="governance policy (levers)", role="lever")
    participation: ParticipationConfig = group(
        ParticipationConfig, doc="who takes part", role="behaviour"
    )
    trust: TrustConfig = group(
        TrustConfig, doc="trust, grievance and online opinion", role="behaviour"
    )
    migration: MigrationConfig = group(
        MigrationConfig, doc="floating population flows", role="world"
    )
    property: PropertyConfig = group(
        PropertyConfig, doc="property management of commodity estates", role="world"
    )
    timeline: list[Reform] = param([], unit="reforms", doc="reforms switched on at given weeks")
    output: OutputConfig = group(OutputConfig, doc="what a run records", role="control")


# ---------------------------------------------------------------------- validation


def _coerce(hint: Any, value: Any, key: str) -> Any:
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(value)
        except ValueError:
            options = ", ".join(m.value for m in hint)
            raise ConfigError(f"{key}={value!r} is not one of: {options}") from None
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key}={value!r} must be true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not float(value).is_integer():
            raise ConfigError(f"{key}={value!r} must be a whole number")
        return int(value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{key}={value!r} must be a number")
        return float(value)
    return value


def apply_overrides(cfg: SimConfig, overrides: dict[str, Any], where: str = "") -> SimConfig:
    """A copy of `cfg` with dotted overrides applied, type-coerced and range-checked."""
    out = copy.deepcopy(cfg)
    for key, value in overrides.items():
        *path, leaf = key.split(".")
        node: Any = out
        for part in path:
            node = getattr(node, part, None)
            if not is_dataclass(node):
                raise ConfigError(
                    f"{where}unknown key '{key}': name a parameter like world.communities"
                )
        hints = get_type_hints(type(node))
        if leaf not in hints or is_dataclass(getattr(node, leaf)):
            options = ", ".join(sorted(h for h in hints if not is_dataclass(getattr(node, h))))
            raise ConfigError(f"{where}unknown key '{key}'; valid keys there: {options}")
        setattr(node, leaf, _coerce(hints[leaf], value, key))
    try:
        check_ranges(out)
    except ConfigError as exc:
        raise ConfigError(f"{where}{exc}") from None
    return out


FIXED_AT_BUILD: tuple[str, ...] = (
    "seed",
    "steps",
    "burn_in",
    "scenario",
    "world.",
    "output.",
    "timeline",
    "trust.online_share",
    "participation.recent_weeks",
)


def reform_configs(cfg: SimConfig) -> list[tuple[Reform, SimConfig]]:
    """The config in force after each reform of the timeline, in order of week.

    A reform may change levers and behaviour, not what the world was built from. The base
    config is range-checked first: the model calls this on any config it is handed, so a
    hand-edited one (NaN included) is refused there as `load_config` refuses it.
    """
    check_ranges(cfg)
    out: list[tuple[Reform, SimConfig]] = []
    current = cfg
    for i, reform in enumerate(sorted(cfg.timeline, key=lambda r: r.step)):
        for key in reform.set:
            if any(key == f or (f.endswith(".") and key.startswith(f)) for f in FIXED_AT_BUILD):
                raise ConfigError(
                    f"timeline[{i}] cannot change '{key}': it is fixed when the world is built; "
                    "set it for the whole run instead"
                )
        if reform.step >= cfg.steps:
            continue
        current = apply_overrides(current, dict(reform.set), where=f"timeline[{i}] ")
        out.append((reform, current))
    return out


def validate(cfg: SimConfig) -> SimConfig:
    """Check ranges and cross-field rules; raise ConfigError with a one-line fix."""
    check_ranges(cfg)
    for reform in cfg.timeline:
        check_ranges(reform)
    reform_configs(cfg)
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
