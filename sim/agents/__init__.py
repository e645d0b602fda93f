"""Mesa agents: thin resident views over columnar state, and the institutions.

Institutions are the truth the processes read and write; `establish(model, cfg, now)`
creates and adjusts them from the policy, at build and at every reform (each family's
module says how), in this order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.agents import structure
from sim.agents.councils import Council, ResidentsCommittee, ServiceStation
from sim.agents.government import StreetOffice
from sim.agents.grid import GridWorker
from sim.agents.institution import Institution, per_unit
from sim.agents.mediation import (
    Court,
    Desk,
    GrandMediationCentre,
    MediationCommittee,
    PetitionOffice,
)
from sim.agents.party import PartyBranch
from sim.agents.resident import Resident
from sim.agents.social_orgs import SocialOrg

if TYPE_CHECKING:
    from sim.config import SimConfig
    from sim.model import GovernanceModel

__all__ = [
    "Council",
    "Court",
    "Desk",
    "GrandMediationCentre",
    "GridWorker",
    "Institution",
    "MediationCommittee",
    "PartyBranch",
    "PetitionOffice",
    "Resident",
    "ResidentsCommittee",
    "ServiceStation",
    "SocialOrg",
    "StreetOffice",
    "establish",
    "per_unit",
]


def establish(model: GovernanceModel, cfg: SimConfig) -> None:
    """Create, adjust or remove institutions so that they follow the policy in force."""
    structure.establish(model, cfg)
