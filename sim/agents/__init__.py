"""Mesa agents: thin resident views over columnar state, and the institutions."""

from sim.agents.institutions import (
    Court,
    GrandMediationCentre,
    GridWorker,
    Institution,
    MediationCommittee,
    PartyBranch,
    PetitionOffice,
    ResidentsCommittee,
    ServiceStation,
)
from sim.agents.resident import Resident

__all__ = [
    "Court",
    "GrandMediationCentre",
    "GridWorker",
    "Institution",
    "MediationCommittee",
    "PartyBranch",
    "PetitionOffice",
    "Resident",
    "ResidentsCommittee",
    "ServiceStation",
]
