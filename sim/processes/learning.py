"""What residents learn from their disputes: trust and grievance after each outcome.

Resolved at a tier: both parties' grievance falls by `resolve_relief` and the initiator's
trust in the tier's institution moves `trust_learning` of the way to 1; if it was caught
early, trust in whoever caught it (the building's party group, or the government for the
grid and for classified management) moves the same way. A failure moves it
the same share toward 0, as does giving up in a queue (whose `renege_grievance` the ladder
adds when it happens).
Abandonment adds `abandon_grievance`. Between disputes,
grievance and trust fade toward each resident's own resting levels (drawn at build or on
arrival) at `grievance_decay` and `trust_decay` per week, so residents differ lastingly and
the population has a steady state that experiences perturb.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.config import MediationConfig, SimConfig
from sim.ledger import CLASSIFIED, GRID, ONLINE, PARTY, Ledger
from sim.population import INSTITUTIONS, Population
from sim.processes.base import Process, Tally
from sim.processes.ladder import TIER_INSTITUTION, Ladder, StepTally

if TYPE_CHECKING:
    from sim.model import GovernanceModel

CREDIT = {PARTY: "party", GRID: "government", CLASSIFIED: "government", ONLINE: "government"}


def fade(values: np.ndarray, resting: np.ndarray, rate: float, scratch: np.ndarray) -> None:
    """Move `values` (in place) `rate` of the way back to each resident's resting level
    (`scratch`: a float32 buffer of the same length, so the pass allocates nothing)."""
    np.subtract(values, resting, out=scratch)
    scratch *= np.float32(rate)
    values -= scratch


def apply(
    tally: StepTally,
    ledger: Ledger,
    pop: Population,
    cfg: MediationConfig,
) -> None:
    ini, counterpart, outcome = (
        ledger.cols["initiator"],
        ledger.cols["counterpart"],
        ledger.cols["outcome"],
    )
    detector = ledger.cols["detector"]
    rate = np.float32(cfg.trust_learning)
    g = pop.grievance
    for d in tally.resolved_ids:
        for r in (ini[d], counterpart[d]):
            if r >= 0:
                g[r] = max(0.0, g[r] - cfg.resolve_relief)
        inst = TIER_INSTITUTION[int(outcome[d])]
        if inst is not None:
            t = pop.trust[inst]
            t[ini[d]] += rate * (1 - t[ini[d]])
        credit = CREDIT.get(int(detector[d]))
        if credit is not None:  # caught early: credit whoever caught it
            t = pop.trust[credit]
            t[ini[d]] += rate * (1 - t[ini[d]])
    for d, j in tally.failed + tally.reneged_ids:  # failed them, or kept them waiting
        inst = TIER_INSTITUTION[j]
        if inst is not None:
            t = pop.trust[inst]
            t[ini[d]] -= rate * t[ini[d]]

    for d in tally.abandoned_ids:
        g[ini[d]] = min(1.0, g[ini[d]] + cfg.abandon_grievance)


@dataclass
class NoTally(Tally):
    """A process that only changes residents' state."""


class Fading(Process):
    """Grievance and trust drift back toward each resident's resting levels."""

    name = "fading"
    tally_type = NoTally

    def configure(self, cfg: SimConfig) -> None:
        self.grievance_decay, self.trust_decay = cfg.disputes.grievance_decay, cfg.trust.trust_decay
        self.scratch = np.empty(0, dtype=np.float32)

    def step(self, model: GovernanceModel, t: int) -> NoTally:
        pop = model.pop
        if len(self.scratch) != pop.n:
            self.scratch = np.empty(pop.n, dtype=np.float32)
        fade(pop.grievance, pop.grievance_rest, self.grievance_decay, self.scratch)
        for name in INSTITUTIONS:
            fade(pop.trust[name], pop.trust_rest[name], self.trust_decay, self.scratch)
        return NoTally()


class Learning(Process):
    """The parties learn from the week's outcomes on the ladder (this module's rules)."""

    name = "learning"
    tally_type = NoTally

    def configure(self, cfg: SimConfig) -> None:
        self.cfg: MediationConfig = cfg.mediation

    def step(self, model: GovernanceModel, t: int) -> NoTally:
        apply(model.process(Ladder).tally, model.ledger, model.pop, self.cfg)
        return NoTally()
