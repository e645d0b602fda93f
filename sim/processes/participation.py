"""Each week each resident decides whether to take part in community affairs (council
meetings, residents' assemblies, volunteer work).

Log-odds = intercept + propensity + efficacy (legitimacy of one's council) + trust in the
committee + age + party membership + floating / not yet registered - time cost (18-59)
+ mobilisation by a building party group and by social organisations + peers (share of
one's ties who took part in the last `recent_weeks`). The resident-level part that only
changes when residents or policy change is cached in `static_logit` (ODD+D: individual
decision-making; age and party gradients from the Shanghai survey in docs/calibration).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.agents import PartyBranch, per_unit
from sim.agents.councils import efficacy
from sim.config import ParticipationConfig, SimConfig
from sim.population import AGE_LABELS, Population
from sim.processes.base import Process, Tally
from sim.processes.social_orgs import SocialOrganisations

if TYPE_CHECKING:
    from sim.model import GovernanceModel

N_GROUPS = len(AGE_LABELS) * 4  # age band x party x floating (Population.group_code)


def static_logit(
    pop: Population,
    cfg: ParticipationConfig,
    mobilisation: np.ndarray,
    idx: np.ndarray | slice = slice(None),
) -> np.ndarray:
    """The parts of the log-odds that do not change week to week (for residents `idx`)."""
    age, floating = pop.age[idx], pop.floating[idx]
    z = cfg.intercept + cfg.propensity_effect * (pop.propensity[idx] - 0.4)
    z = z + cfg.age_effect * (age - 18.0) / 10.0
    z = z + cfg.party_effect * pop.party[idx] + cfg.floating_effect * floating
    z = z + cfg.unregistered_effect * (floating & ~pop.registered[idx])
    z = z - cfg.time_cost * (age < 60)
    z = z + mobilisation[pop.building[idx]]  # the building party group's, where there is one
    z = z - 0.5 * cfg.trust_effect  # trust enters as trust_effect x (trust - 0.5)
    return z.astype(np.float32)


def decide(z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of residents who take part, given their log-odds z (one uniform each).

    u < 1/(1+exp(-z)) is tested as logit(u) < z: one pass, no exp over the population.
    """
    u = rng.random(len(z), dtype=np.float32)
    np.clip(u, np.float32(1e-7), np.float32(1 - 1e-7), out=u)
    odds = np.subtract(np.float32(1), u)  # in place from here: one temporary in all
    np.divide(u, odds, out=odds)
    return np.flatnonzero(np.log(odds, out=odds) < z)


def probability(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


@dataclass
class ParticipationTally(Tally):
    """Residents who took part this week."""

    participants: int = 0


def _mobilisation(branch: PartyBranch) -> float:
    return branch.mobilise()


class Participation(Process):
    """Each week each resident decides whether to take part (see the module docstring)."""

    name = "participation"
    tally_type = ParticipationTally

    def __init__(self, model: GovernanceModel) -> None:
        super().__init__(model)
        pop, n_courtyards = model.pop, model.world.n_courtyards
        self.peer_share = np.zeros(pop.n, dtype=np.float32)
        self.group_code = pop.group_code()
        self.group_n = np.bincount(self.group_code, minlength=N_GROUPS)
        self.recent_weeks = model.cfg.participation.recent_weeks  # fixed at build
        self.recent_window = np.zeros((self.recent_weeks, n_courtyards))
        self.recent_window_floating = np.zeros_like(self.recent_window)

    def configure(self, cfg: SimConfig) -> None:
        self.cfg: ParticipationConfig = cfg.participation
        self.org_mobilisation = cfg.policy.social_orgs.mobilisation
        self.orgs = self.model.process(SocialOrganisations)
        self.static = static_logit(self.model.pop, self.cfg, self.mobilisation())

    def mobilisation(self) -> np.ndarray:
        return per_unit(
            self.model, PartyBranch, self.model.world.n_buildings, _mobilisation, level="building"
        )

    def residents_changed(self, renewed: np.ndarray, touched: np.ndarray) -> None:
        """Newcomers took slots `renewed`; `touched` (they and the newly registered) need
        their fixed terms recomputed."""
        pop = self.model.pop
        self.group_n -= np.bincount(self.group_code[renewed], minlength=N_GROUPS)
        self.group_code[renewed] = pop.group_code(renewed)
        self.group_n += np.bincount(self.group_code[renewed], minlength=N_GROUPS)
        self.static[touched] = static_logit(pop, self.cfg, self.mobilisation(), touched)

    def logit(self, model: GovernanceModel) -> np.ndarray:
        """This week's log-odds of taking part, for every resident."""
        cfg = self.cfg
        mob = self.org_mobilisation * self.orgs.orgs_per_1000
        per_courtyard = (
            cfg.efficacy_effect * (efficacy(model, cfg.no_council_efficacy) - 0.5)
            + mob[model.world.courtyard_community]
        )
        z = per_courtyard.astype(np.float32)[model.pop.courtyard]
        z += self.static
        term = np.multiply(model.pop.trust["committee"], np.float32(cfg.trust_effect))
        z += term
        z += np.multiply(self.peer_share, np.float32(cfg.peer_effect), out=term)
        return z

    def recent(self, week: int) -> np.ndarray:
        """1.0 for residents who took part in the last `recent_weeks` weeks."""
        return (self.model.pop.last_part > week - self.recent_weeks).astype(np.float32)

    def recent_events(self) -> tuple[np.ndarray, np.ndarray]:
        """Participation events per courtyard over the recent weeks (all, floating)."""
        return self.recent_window.sum(axis=0), self.recent_window_floating.sum(axis=0)

    def active(self, week: int) -> np.ndarray:
        """Who took part at least once within the participation window."""
        return self.model.pop.last_part > week - self.cfg.window_weeks

    def seed_history(self, model: GovernanceModel) -> None:
        """Start from the stationary state: who took part in the past year, and when."""
        p = probability(self.logit(model))
        window = self.cfg.window_weeks
        rng = model.streams["participation"]
        took = rng.random(model.pop.n) < 1.0 - (1.0 - p) ** window
        start = model.week + 1
        model.pop.last_part[took] = start - rng.integers(1, window + 1, size=int(took.sum()))
        self.peer_share = model.ties.neighbour_mean(self.recent(model.week))

    def step(self, model: GovernanceModel, t: int) -> ParticipationTally:
        pop = model.pop
        who = decide(self.logit(model), model.streams["participation"])
        pop.last_part[who] = t
        slot = t % self.recent_window.shape[0]
        n_courtyards = model.world.n_courtyards
        self.recent_window[slot] = np.bincount(pop.courtyard[who], minlength=n_courtyards)
        self.recent_window_floating[slot] = np.bincount(
            pop.courtyard[who], weights=pop.floating[who], minlength=n_courtyards
        )
        return ParticipationTally(participants=len(who))
