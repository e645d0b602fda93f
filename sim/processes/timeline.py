"""Reforms switching on at given weeks (timeline scenarios: 2008 -> 2014).

A reform replaces the configuration in force; the model then re-establishes its
institutions and reconfigures every process through one loop (`GovernanceModel.reform`).
Weeks count from week 0, the end of the burn-in. A reform may change levers and behaviour,
not what the world was built from (`sim.config.reform_configs`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.config import SimConfig, reform_configs
from sim.processes.base import Process, Tally

if TYPE_CHECKING:
    from sim.model import GovernanceModel


@dataclass
class ReformTally(Tally):
    """Reforms that switched on this week."""

    reforms: int = 0


class Timeline(Process):
    """The scenario's timeline: a reform due this week puts its configuration in force,
    re-establishing the institutions and reconfiguring every process (`GovernanceModel.reform`)."""

    name = "timeline"
    tally_type = ReformTally

    def __init__(self, model: GovernanceModel) -> None:
        super().__init__(model)
        self.reforms = reform_configs(model.cfg)
        self.applied: list[dict[str, Any]] = []

    def step(self, model: GovernanceModel, t: int) -> ReformTally:
        tally = ReformTally()
        for reform, cfg in self.reforms:
            if reform.step == t:
                cfg.seed, cfg.steps, cfg.output = model.cfg.seed, model.cfg.steps, model.cfg.output
                self.applied.append({"step": t, "label": reform.label, "set": dict(reform.set)})
                model.reform(cfg)
                tally.reforms += 1
        return tally

    def configure(self, cfg: SimConfig) -> None:
        """Reforms are fixed when the run starts."""
