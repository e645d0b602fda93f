"""GovernanceModel: a city of residents and institutions, and the week that moves it.

The model builds the world (hierarchy, residents, social graph), establishes the
institutions the policy calls for (`sim.agents.establish`), sets up the processes of
`sim.processes.SCHEDULE` and runs `burn_in` weeks before week 0 so that outputs start from
the model's steady state. A step is one week: every process in the schedule's order (see
`sim.processes`), then the records. No mechanism lives here and no file I/O happens here.
"""

from __future__ import annotations

import copy
import time
from collections import defaultdict
from typing import Any, TypeVar

import mesa
import numpy as np

from sim import capacity, metrics
from sim.agents import Desk, Resident, establish
from sim.allocator import retain_freed_memory
from sim.compose import load_config
from sim.config import GRAND_CENTRES, TIERS, SimConfig, validate
from sim.ledger import OPEN, Ledger
from sim.network import build_graph
from sim.population import NEVER, Population, build_population
from sim.processes import SCHEDULE, Process
from sim.processes.councils import settle as settle_councils
from sim.processes.migration import Migration
from sim.processes.participation import Participation
from sim.processes.social_orgs import SocialOrganisations
from sim.processes.timeline import Timeline
from sim.processes.trust import Ties
from sim.rng import fresh_seed, streams, weekly
from sim.world import build_world

P = TypeVar("P", bound=Process)


def _seed_from(rng: Any, default: int | None) -> int:
    if rng is None:
        return default if default is not None else fresh_seed()
    if isinstance(rng, (int, np.integer)):
        return int(rng)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    raise TypeError(f"rng must be an int seed, a numpy Generator or None, not {type(rng)}")


def _members(unit_of: np.ndarray, n_units: int) -> tuple[np.ndarray, np.ndarray]:
    """(starts, residents sorted by unit): the residents of unit u are order[starts[u]:...]."""
    counts = np.bincount(unit_of, minlength=n_units)
    starts = np.zeros(n_units + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return starts, np.argsort(unit_of, kind="stable")


class GovernanceModel(mesa.Model):
    """A street (or city) of residents and institutions; see the module docstring.

    `GovernanceModel(scenario="chengdu_2014", rng=1, **{"world.communities": 2})`. With
    `rng=None` the config's `seed` is used when `config` is given, else fresh entropy; the
    seed used is recorded in `self.seed`.
    """

    pop: Population
    people: int

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
            validate(config)  # a hand-made config meets every rule load_config checks
        config.seed = seed
        super().__init__(rng=seed)
        self.input_cfg = copy.deepcopy(config)  # what the run was asked for (provenance)
        self.cfg = config  # what is in force now (timeline reforms replace it)
        self.seed = seed
        self.scenario_name = config.scenario
        self.week = -config.burn_in - 1  # the week last simulated; burn-in weeks are < 0
        self.clock = float(self.week + 1)  # when now is: the start of the week being set up
        self.streams = streams(seed)
        self.versions: defaultdict[type, int] = defaultdict(int)  # per institution class
        self.layout_versions: defaultdict[type, int] = defaultdict(int)  # created/removed
        self.unit_cache: dict[Any, tuple[Any, Any]] = {}
        capacity.check(config)  # refuse, in one line, a world that would not fit in memory
        retain_freed_memory()  # a week's temporaries reuse freed memory (sim.allocator)
        self._build()
        self._burn_in()
        self.datacollector = mesa.DataCollector(model_reporters=metrics.REPORTERS)
        self.panel: list[dict[str, np.ndarray]] = []
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ build

    def _build(self) -> None:
        cfg, rng_streams = self.cfg, self.streams
        w = self.world = build_world(cfg.world, rng_streams["world"])
        self.pop = build_population(cfg.world, w, rng_streams["population"], cfg.trust.online_share)
        self.graph = build_graph(
            cfg.world, self.pop.household, self.pop.courtyard, rng_streams["network"]
        )
        pop = self.pop
        assert np.all(np.diff(pop.courtyard) >= 0), "residents must be stored by courtyard"
        self.people = pop.people  # persons (adults and children): densities divide by them
        self.courtyard_residents = np.bincount(pop.courtyard, minlength=w.n_courtyards)
        self.community_residents = np.bincount(pop.community, minlength=w.n_communities)
        self.comm_people = pop.community_people.astype(np.float64)
        self.crowding = (
            self.courtyard_residents / max(self.courtyard_residents.mean(), 1e-9)
        ).astype(np.float32)
        self.courtyard_members = _members(pop.courtyard, w.n_courtyards)
        self.community_members = _members(pop.community, w.n_communities)
        self.floating_idx = np.flatnonzero(pop.floating)
        self.courtyard_floating = np.bincount(
            pop.courtyard, weights=pop.floating, minlength=w.n_courtyards
        )
        # Fixed per-unit uniforms: coverage and capacity variants add units monotonically.
        cap = rng_streams["capacity"]
        self.unit_uniforms = {
            "building": cap.random(w.n_buildings),
            "courtyard": cap.random(w.n_courtyards),
            "community": cap.random(w.n_communities),
        }
        units = max(w.n_courtyards, w.n_communities, len(GRAND_CENTRES))
        self.capacity_uniforms = {name: cap.random(units) for name in TIERS}
        self.unit_uniforms["council_courtyard"] = cap.random(w.n_courtyards)
        self.unit_uniforms["council_community"] = cap.random(w.n_communities)
        self.ledger = Ledger()
        self.ties = Ties(self.graph)
        self.desks: dict[tuple[int, int], Desk] = {}
        establish(self, cfg)
        self.processes: dict[type[Process], Process] = {cls: cls(self) for cls in SCHEDULE}
        self.process(Migration).configure(cfg)
        self.process(Migration).settle(self)
        pop.rest_here()
        for process in self.processes.values():
            process.configure(cfg)
        settle_councils(self)
        self.process(Participation).seed_history(self)
        if cfg.world.resident_agents:
            self.residents = [Resident(self, i) for i in range(pop.n)]

    def process(self, cls: type[P]) -> P:
        """The model's process of this class (`sim.processes.SCHEDULE`)."""
        return self.processes[cls]  # type: ignore[return-value]

    def touch(self, cls: type, layout: bool = False) -> None:
        """An institution of `cls` changed (`layout`: one was created or removed): arrays
        and maps read from that class are stale."""
        self.versions[cls] += 1
        if layout:
            self.layout_versions[cls] += 1

    def reform(self, cfg: SimConfig) -> None:
        """A new configuration is in force from this week: re-establish the institutions,
        then reconfigure every process, in one loop."""
        self.cfg = cfg
        establish(self, cfg)
        for process in self.processes.values():
            process.configure(cfg)

    # ------------------------------------------------------------------- step

    def _burn_in(self) -> None:
        """Run `burn_in` weeks before week 0 so outputs start from the model's steady state
        (queues, trust, grievance, legitimacy and organisations settle); nothing is recorded.
        Timeline reforms count their weeks from the end of the burn-in."""
        started = time.perf_counter()
        for t in range(-self.cfg.burn_in, 0):
            self.advance(t)
        for process in self.processes.values():
            process.restart_totals()
        self.burn_in_seconds = time.perf_counter() - started

    def advance(self, t: int) -> None:
        """The processes of week t, in the schedule's order (`sim.processes`)."""
        self.week, self.clock = t, float(t)
        self.streams = weekly(self.seed, t)
        for process in self.processes.values():
            process.record(process.step(self, t), recorded=t >= 0)

    def step(self) -> None:
        """One recorded week: the processes, then the records."""
        t = self.steps - 1
        self.advance(t)
        cfg = self.cfg
        if t % cfg.output.panel_interval == 0 or self.steps >= cfg.steps:
            self.panel.append(metrics.community_panel(self, t))
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

    # -------------------------------------------------------------- reading

    @property
    def reforms_applied(self) -> list[dict[str, Any]]:
        return self.process(Timeline).applied

    def participation_active(self) -> np.ndarray:
        """Who took part at least once within the participation window."""
        return self.process(Participation).active(self.week)

    @property
    def org_count(self) -> int:
        return self.process(SocialOrganisations).count

    @property
    def open_disputes(self) -> int:
        """Disputes open now, whenever they arose (burn-in included)."""
        return int((self.ledger.outcome == OPEN).sum())

    def total_ties(self) -> int:
        return len(self.graph.indices) // 2 + self.ties.extra_edges

    def community_network(self, community: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """One community's residents (id, state) and the ties among them, incl. org ties."""
        pop = self.pop
        starts, order = self.community_members
        ids = order[starts[community] : starts[community + 1]]
        nodes: dict[str, np.ndarray] = {
            "resident": ids,
            "courtyard": pop.courtyard[ids],
            "floating": pop.floating[ids],
            "party": pop.party[ids],
            "grievance": pop.grievance[ids],
            "participated": self.participation_active()[ids],
        }
        for inst in ("party", "committee", "government"):
            nodes[f"trust_{inst}"] = pop.trust[inst][ids]
        orgs = self.process(SocialOrganisations)
        edges = np.concatenate([self.graph.edges(), orgs.tie_edges()])
        inside = np.isin(edges[:, 0], ids) & np.isin(edges[:, 1], ids)
        e = np.unique(np.sort(edges[inside], axis=1), axis=0)
        return nodes, e


__all__ = ["NEVER", "GovernanceModel"]
