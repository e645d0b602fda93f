"""The processes, one module each, and the order in which a week runs them.

Each process has one interface (`sim.processes.base.Process`): `configure(cfg)` at build
and at every reform, `step(model, t) -> tally`. A week (step t covers [t, t+1)) runs:

 1. timeline: reforms due this week switch on (institutions and processes reconfigured);
 2. migration: floating residents leave and newcomers arrive; registrations come through;
 3. fading: grievance and trust drift back toward residents' resting levels;
 4. floating: classified management ranks floating residents, tracks the high-risk;
 5. participation: residents decide whether to take part in community affairs;
 6. property: estates' residents feel their property company's service (grievance);
 7. councils: collective issues arise; councils deliberate, decide and carry out; issues
    left too long fester into property disputes;
 8. disputes: disputes arise; early detection sets when each enters the ladder;
 9. ladder: every tier advances in ladder order, so escalations flow on within the week;
10. learning: outcomes update the parties' grievance and trust;
11. social_orgs: organisations fail and are founded; every `trust.interval` weeks serve;
12. diffusion: every `trust.interval` weeks trust follows legitimacy and spreads on ties;
13. online: the online channel, its monitoring, and posts found offline;
14. government: the week's cost is booked.
"""

from sim.processes.base import Process, Tally
from sim.processes.councils import Deliberation
from sim.processes.disputes import Disputes
from sim.processes.floating import FloatingManagement
from sim.processes.government import Government
from sim.processes.ladder import Ladder
from sim.processes.learning import Fading, Learning
from sim.processes.migration import Migration
from sim.processes.participation import Participation
from sim.processes.property import PropertyManagement
from sim.processes.social_orgs import SocialOrganisations
from sim.processes.timeline import Timeline
from sim.processes.trust import Diffusion, Online

SCHEDULE: tuple[type[Process], ...] = (
    Timeline,
    Migration,
    Fading,
    FloatingManagement,
    Participation,
    PropertyManagement,
    Deliberation,
    Disputes,
    Ladder,
    Learning,
    SocialOrganisations,
    Diffusion,
    Online,
    Government,
)

__all__ = ["SCHEDULE", "Process", "Tally"]
