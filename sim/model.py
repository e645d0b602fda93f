"""GovernanceModel: builds the world and runs the processes in a fixed, documented order.

Step order (one step = one week, t covers [t, t+1)):
  1. grievance fades toward its baseline;
  2. disputes arise (arrivals stream);
  3. early detection decides when each enters the ladder (detection stream);
  4. the ladder advances every tier in order, so escalations flow on within the week;
  5. outcomes update the parties' grievance and trust;
  6. reporters are collected; the community panel every `output.panel_interval` weeks.
No file I/O happens here (see sim.io).
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from sim import metrics
from sim.agents import (
    Court,
    GrandMediationCentre,
    GridWorker,
    MediationCommittee,
    PartyBranch,
    PetitionOffice,
    Resident,
    ResidentsCommittee,
    ServiceStation,
)
from sim.compose import load_config
from sim.config import TIERS, SimConfig
from sim.ledger import Ledger
from sim.network import build_graph
from sim.population import Population, build_population
from sim.processes import outcomes
from sim.processes.detection import detect
from sim.processes.disputes import arise
from sim.processes.ladder import COMMUNITY, COURTYARD, GRAND, Ladder, kind_bias
from sim.rng import fresh_seed, streams
from sim.world import build_world


def _seed_from(rng: Any, default: int | None) -> int:
    if rng is None:
        return default if default is not None else fresh_seed()
    if isinstance(rng, (int, np.integer)):
        return int(rng)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    raise TypeError(f"rng must be an int seed, a numpy Generator or None, not {type(rng)}")


class GovernanceModel(mesa.Model):
    """A street (or city) of residents and institutions; see module docstring for the order.

    `GovernanceModel(scenario="chengdu_2014", rng=1, **{"world.communities": 2})`. With
    `rng=None` the scenario's `seed` is used when `config` is given, else fresh entropy,
    recorded in `self.seed`.
    """

    pop: Population
    last: metrics.StepView
    totals: metrics.Totals

    def __init__(
        self,
        scenario: str = "chengdu_2014",
        rng: Any = None,
        *,
        config: SimConfig | None = None,
        **overrides: Any,
    ) -> None:
        if config is None:
            config = load_config(scenario, overrides)
            seed = _seed_from(rng, None)
        else:
            seed = _seed_from(rng, config.seed)
        config.seed = seed
        super().__init__(rng=seed)
        self.cfg = config
        self.seed = seed
        self.scenario_name = config.scenario
        self.streams = streams(seed)
        self._build()
        self.datacollector = mesa.DataCollector(model_reporters=metrics.REPORTERS)
        self.panel_rows: list[dict[str, Any]] = []
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ build

    def _build(self) -> None:
        cfg, rs = self.cfg, self.streams
        self.world = build_world(cfg.world, rs["world"])
        self.pop = build_population(cfg.world, self.world, rs["population"])
        self.graph = build_graph(cfg.world, self.pop.household, self.pop.courtyard, rs["network"])
        n = self.pop.n
        w = self.world
        court_n = np.bincount(self.pop.courtyard, minlength=w.n_courtyards)
        self.crowding = (court_n / max(court_n.mean(), 1e-9)).astype(np.float32)
        starts = np.zeros(w.n_courtyards + 1, dtype=np.int64)
        np.cumsum(court_n, out=starts[1:])
        self.courtyard_members = (starts, np.argsort(self.pop.courtyard, kind="stable"))
        # Fixed per-unit uniforms: coverage and capacity variants add units monotonically.
        cap = rs["capacity"]
        self.unit_uniforms = {
            "building": cap.random(w.n_buildings),
            "courtyard": cap.random(w.n_courtyards),
            "community": cap.random(w.n_communities),
        }
        capacity_uniforms = {name: cap.random(max(w.n_courtyards, 1)) for name in TIERS}
        self.ledger = Ledger()
        self.ladder = Ladder(
            cfg.mediation,
            self.ledger,
            self.pop,
            {
                "courtyard": w.n_courtyards,
                "community": w.n_communities,
                "street": w.n_streets,
                "city": 1,
            },
            capacity_uniforms,
            kind_bias(cfg.disputes),
        )
        self.grievance_baseline = float(cfg.world.initial_grievance)
        self.totals = metrics.Totals()
        self.last = metrics.StepView.empty()
        self._apply_policy()
        self.residents = [Resident(self, i) for i in range(n)]

    def _apply_policy(self) -> None:
        """(Re)derive policy-dependent structure: party branches, mediation, grid workers."""
        cfg, w = self.cfg, self.world
        for cls in (
            PartyBranch,
            MediationCommittee,
            GrandMediationCentre,
            Court,
            PetitionOffice,
            GridWorker,
            ResidentsCommittee,
            ServiceStation,
        ):
            if cls in self.agents_by_type:
                for agent in list(self.agents_by_type[cls]):
                    agent.remove()
        party = cfg.policy.party
        u = self.unit_uniforms
        self.building_branch = u["building"] < party.building_coverage
        self.courtyard_branch = u["courtyard"] < party.courtyard_coverage
        self.community_branch = u["community"] < party.community_coverage
        for level, present in (
            ("community", self.community_branch),
            ("courtyard", self.courtyard_branch),
            ("building", self.building_branch),
        ):
            for unit in np.flatnonzero(present).tolist():
                PartyBranch(self, unit, level)
        for c in range(w.n_communities):
            ResidentsCommittee(self, c)
            ServiceStation(self, c)
        self.ladder.configure(cfg.mediation)
        servers = self.ladder.servers
        for level, j in (("courtyard", COURTYARD), ("community", COMMUNITY)):
            for unit in np.flatnonzero(servers[j]).tolist():
                MediationCommittee(self, unit, level, int(servers[j][unit]))
        for s in np.flatnonzero(servers[GRAND]).tolist():
            GrandMediationCentre(self, s, int(servers[GRAND][s]))
        Court(self, int(servers[TIERS.index("litigation")][0]))
        PetitionOffice(self, int(servers[TIERS.index("petition")][0]))
        workers = int(round(cfg.policy.grid.workers_per_10k * self.pop.n / 10_000))
        per_community = np.bincount(self.pop.community, minlength=w.n_communities)
        home = np.repeat(
            np.arange(w.n_communities),
            np.floor(per_community / max(self.pop.n, 1) * workers).astype(np.int64),
        )
        for c in home.tolist():
            GridWorker(self, c)

    # ------------------------------------------------------------------- step

    @property
    def week(self) -> int:
        """The step being (or last) run: step t covers weeks [t, t+1)."""
        return self.steps - 1

    def step(self) -> None:
        t = self.week
        cfg, rs, pop = self.cfg, self.streams, self.pop
        outcomes.fade_grievance(pop, self.grievance_baseline, cfg.disputes.grievance_decay)
        new = arise(
            t, pop, self.graph, self.crowding, self.courtyard_members, cfg.disputes, rs["arrivals"]
        )
        detected, entry, severity = detect(
            new.severity,
            new.arise_time,
            self.building_branch[pop.building[new.initiator]],
            cfg.policy,
            rs["detection"],
        )
        k, nt = len(new), len(TIERS)
        ids = self.ledger.add(
            initiator=new.initiator,
            counterpart=new.counterpart,
            kind=new.kind,
            severity=severity,
            arise_time=new.arise_time,
            opened=np.full(k, t),
            detected=detected,
            courtyard=pop.courtyard[new.initiator],
            community=pop.community[new.initiator],
            street=pop.street[new.initiator],
            u_service=rs["mediation"].random((k, nt)),
            u_success=rs["mediation"].random((k, nt)),
            u_exit=rs["petition"].random((k, nt)),
        )
        self.ladder.submit(ids, entry)
        tally = self.ladder.step(t)
        outcomes.apply(tally, self.ledger, pop, cfg.mediation)
        self.last = metrics.StepView.from_tally(k, int(detected.sum()), tally, self.ladder)
        self.totals.add(self.last)
        if t % cfg.output.panel_interval == 0 or self.steps >= cfg.steps:
            self.panel_rows.extend(metrics.community_panel(self, t))
        self.datacollector.collect(self)
        if self.steps >= cfg.steps:
            self.running = False

    def run(self, progress: bool = False) -> None:
        """Step until `steps` weeks have run (or `running` turns False)."""
        from tqdm import tqdm

        with tqdm(total=self.cfg.steps, initial=self.steps, disable=not progress, unit="wk") as bar:
            while self.running and self.steps < self.cfg.steps:
                self.step()
                bar.update()
